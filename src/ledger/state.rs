//! The ledger's hot state: what it must know at once to decide without reading the store
//! (stock per sku x location, the counters, which order ids the store may hold).
//! It is derived from the store and rebuilt from it at start and after a failed commit.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::{BuildHasher, RandomState};

use std::sync::Arc;

use chrono::{DateTime, Datelike, Local, NaiveDate, Utc};

use super::known_ids::KnownIds;
use super::ChannelSync;
use crate::inventory;
use crate::model::{Location, Order, OrderStatus, QuarantineId, StockLevel};
use crate::store::{keys, Store, StoreError};

#[derive(Debug, Default)]
pub struct HotState {
    /// sku -> location -> level. A SKU with any record is in the catalog.
    pub stock: HashMap<String, BTreeMap<String, StockLevel>>,
    pub status_counts: BTreeMap<OrderStatus, u64>,
    /// Quarantined payloads not yet resolved.
    pub quarantine_open: u64,
    /// The open quarantine entries by a hash of (format, raw payload): a channel polled with an
    /// overlap sends the same unmappable order again, which must not pile up.
    open_payloads: HashMap<u64, QuarantineId>,
    /// Which (channel, external id) the store may hold (see [`KnownIds`]).
    known_ids: KnownIds,
    hasher: RandomState,
    /// Orders allocated per location on the current local day, for `daily_capacity`.
    pub capacity: DayCounts,
    /// Decisions per rule name since the ledger started.
    pub rule_hits: HashMap<String, u64>,
    pub next_order: u64,
    pub next_event: u64,
    pub next_quarantine: u64,
    pub next_push: u64,
    /// The last available-to-sell figure intended per (channel, SKU).
    pub ats_last: HashMap<(String, String), i64>,
}

impl HotState {
    /// A channel's available-to-sell of a SKU: the available units at the locations that serve
    /// it, through its buffer for that SKU.
    pub fn channel_ats(&self, locations: &[Location], channel: &ChannelSync, sku: &str) -> i64 {
        let levels = self.stock.get(sku);
        let serving = locations.iter().filter_map(|loc| {
            let level = levels?.get(&loc.id)?;
            Some((loc, level.available()))
        });
        inventory::channel_ats(serving, &channel.id, &channel.buffers.for_sku(sku))
    }

    pub fn payload_hash(&self, format: &str, raw: &str) -> u64 {
        self.hasher.hash_one((format, raw))
    }

    /// The open quarantine entry holding exactly this payload, if any.
    pub fn open_quarantine_of(&self, format: &str, raw: &str) -> Option<QuarantineId> {
        self.open_payloads
            .get(&self.payload_hash(format, raw))
            .copied()
    }

    pub fn note_quarantine(&mut self, format: &str, raw: &str, id: QuarantineId) {
        let hash = self.payload_hash(format, raw);
        self.open_payloads.insert(hash, id);
    }

    pub fn forget_quarantine(&mut self, format: &str, raw: &str) {
        let hash = self.payload_hash(format, raw);
        self.open_payloads.remove(&hash);
    }

    /// Reads what the ledger keeps in memory. Nothing here grows with the order history: the
    /// counts and today's capacity are stored as they change, who holds and who waits for
    /// stock are store indexes, and the known order ids load on a thread of their own.
    pub fn load(store: &Arc<Store>) -> Result<HotState, StoreError> {
        let mut state = HotState {
            next_order: store.meta_u64(keys::META_NEXT_ORDER)?.max(1),
            next_event: store.meta_u64(keys::META_NEXT_EVENT)?.max(1),
            next_quarantine: store.meta_u64(keys::META_NEXT_QUARANTINE)?.max(1),
            next_push: store.meta_u64(keys::META_NEXT_PUSH)?.max(1),
            ..HotState::default()
        };
        state.ats_last = store.ats_figures()?.into_iter().collect();
        state.known_ids = KnownIds::load(store)?;
        state.capacity = DayCounts::load(store, local_day(Utc::now()))?;
        for q in store.quarantined() {
            let q = q?;
            if q.resolved_as.is_none() {
                state.quarantine_open += 1;
                let hash = state.payload_hash(&q.format, &q.raw);
                state.open_payloads.insert(hash, q.id);
            }
        }
        for item in store.stock_levels() {
            let (key, level) = item?;
            state
                .stock
                .entry(key.sku)
                .or_default()
                .insert(key.location, level);
        }
        for status in OrderStatus::ALL {
            let count = store.meta_u64(&keys::status_count(status))?;
            if count > 0 {
                state.status_counts.insert(status, count);
            }
        }
        Ok(state)
    }

    /// Takes the known order ids if their loading has finished.
    pub fn settle_known_ids(&mut self) {
        self.known_ids.settle();
    }

    /// False means certainly not stored; true means look in the store.
    pub fn may_know_order(&self, channel: &str, external_id: &str) -> bool {
        self.known_ids.may_contain(channel, external_id)
    }

    pub fn note_order(&mut self, channel: &str, external_id: &str) {
        self.known_ids.note(channel, external_id);
    }

    /// At a clean shutdown: saves the known order ids for the next start.
    pub fn save_known_ids(&self, store: &Store) -> Result<(), StoreError> {
        self.known_ids.save(store)
    }

    /// The counters a console header shows, from memory.
    pub fn live_counts(&self) -> LiveCounts {
        LiveCounts {
            by_status: self.status_counts.clone(),
            quarantined: self.quarantine_open,
            oversold: self
                .stock
                .values()
                .flat_map(|m| m.values())
                .filter(|l| l.is_oversold())
                .count() as u64,
        }
    }

    pub fn level(&self, sku: &str, location: &str) -> StockLevel {
        self.stock
            .get(sku)
            .and_then(|m| m.get(location))
            .copied()
            .unwrap_or_default()
    }

    pub fn level_mut(&mut self, sku: &str, location: &str) -> &mut StockLevel {
        self.stock
            .entry(sku.to_string())
            .or_default()
            .entry(location.to_string())
            .or_default()
    }

    pub fn knows_sku(&self, sku: &str) -> bool {
        self.stock.contains_key(sku)
    }

    /// Keeps the counts in step with one order's change.
    pub fn reindex(&mut self, before: Option<&Order>, after: &Order) {
        if let Some(b) = before {
            if let Some(n) = self.status_counts.get_mut(&b.status) {
                *n = n.saturating_sub(1);
            }
        }
        *self.status_counts.entry(after.status).or_default() += 1;
    }
}

/// The day an instant falls on where ordo runs: capacity is counted per local day.
pub fn local_day(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&Local).date_naive()
}

/// Orders allocated per location during one local day. An order counts once per location,
/// however many times it is topped up there.
#[derive(Debug, Default)]
pub struct DayCounts {
    day: Option<NaiveDate>,
    per_location: HashMap<String, u32>,
    /// Locations whose count changed since the last batch.
    dirty: BTreeSet<String>,
}

impl DayCounts {
    fn roll(&mut self, today: NaiveDate) {
        if self.day != Some(today) {
            self.day = Some(today);
            self.per_location.clear();
        }
    }

    pub fn orders_today(&mut self, location: &str, today: NaiveDate) -> u32 {
        self.roll(today);
        self.per_location.get(location).copied().unwrap_or(0)
    }

    /// One more order allocated at `location` today. The caller counts an order once per
    /// location: when it first takes stock there, not when it is topped up.
    pub fn count(&mut self, location: &str, today: NaiveDate) {
        self.roll(today);
        *self.per_location.entry(location.to_string()).or_default() += 1;
        self.dirty.insert(location.to_string());
    }

    /// The counts that changed, as store records (key, value), for the group's batch.
    pub fn take_changed(&mut self) -> Vec<(Vec<u8>, Vec<u8>)> {
        let Some(day) = self.day else {
            return Vec::new();
        };
        std::mem::take(&mut self.dirty)
            .into_iter()
            .map(|loc| {
                let count = self.per_location.get(&loc).copied().unwrap_or(0);
                (keys::capacity(&loc), encode_day_count(day, count).to_vec())
            })
            .collect()
    }

    /// Today's counts as the store holds them; a location last counted on another day has
    /// none today.
    fn load(store: &Store, today: NaiveDate) -> Result<DayCounts, StoreError> {
        let mut counts = DayCounts::default();
        counts.roll(today);
        for item in store.raw_under(keys::META_CAPACITY_PREFIX) {
            let (key, value) = item?;
            let location = String::from_utf8_lossy(&key[keys::META_CAPACITY_PREFIX.len()..]);
            match decode_day_count(&value) {
                Some((day, count)) if day == today => {
                    counts.per_location.insert(location.into_owned(), count);
                }
                Some(_) => {}
                None => {
                    return Err(StoreError::Corrupt {
                        key: format!("today's allocation count of {location}"),
                        why: format!("{} bytes where 8 were expected", value.len()),
                    })
                }
            }
        }
        Ok(counts)
    }
}

fn encode_day_count(day: NaiveDate, count: u32) -> [u8; 8] {
    let mut v = [0u8; 8];
    v[..4].copy_from_slice(&day.num_days_from_ce().to_be_bytes());
    v[4..].copy_from_slice(&count.to_be_bytes());
    v
}

fn decode_day_count(v: &[u8]) -> Option<(NaiveDate, u32)> {
    let day = i32::from_be_bytes(v.get(..4)?.try_into().ok()?);
    let count = u32::from_be_bytes(v.get(4..8)?.try_into().ok()?);
    Some((NaiveDate::from_num_days_from_ce_opt(day)?, count))
}

/// Order counts per status, open quarantine entries and oversold stock records, kept by the
/// ledger so that a console header never scans the store.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LiveCounts {
    pub by_status: BTreeMap<OrderStatus, u64>,
    pub quarantined: u64,
    pub oversold: u64,
}
