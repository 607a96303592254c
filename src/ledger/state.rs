//! The ledger's hot state: what it must know at once to decide without reading the store
//! (stock per sku x location, who holds stock where, who waits for which SKU, the counters).
//! It is derived from the store and rebuilt from it at start and after a failed commit.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::hash::{BuildHasher, RandomState};

use std::sync::Arc;

use chrono::{DateTime, Datelike, Local, NaiveDate, Utc};

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
    /// Hashes of every (channel, external id) stored: when a hash is absent the order is new
    /// for sure, and intake skips the store read. A read blocks while sled applies a batch, so
    /// this keeps building the next group from waiting on the commit of the last. Read from
    /// the store's index by a thread of its own, so the ledger does not wait for it at start.
    known_external: KnownExternal,
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

/// The set of known (channel, external id) hashes, while it loads and once it has.
#[derive(Debug)]
enum KnownExternal {
    /// The index is still being read: every order may be known (ask the store), and the
    /// orders stored meanwhile are kept to add to the set when it arrives.
    Loading {
        from: std::sync::mpsc::Receiver<HashSet<u64>>,
        noted: Vec<u64>,
    },
    Ready(HashSet<u64>),
    /// The index could not be read: the store answers every lookup.
    Unavailable,
}

impl Default for KnownExternal {
    fn default() -> Self {
        KnownExternal::Ready(HashSet::new())
    }
}

impl KnownExternal {
    /// Takes the loaded set if it has arrived.
    fn settle(&mut self) {
        if let KnownExternal::Loading { from, noted } = self {
            match from.try_recv() {
                Ok(mut set) => {
                    set.extend(noted.drain(..));
                    *self = KnownExternal::Ready(set);
                }
                Err(std::sync::mpsc::TryRecvError::Empty) => {}
                // The loading thread failed (it logged why). An empty set would call stored
                // orders new, so the store keeps answering every lookup: slower, but right.
                Err(std::sync::mpsc::TryRecvError::Disconnected) => {
                    *self = KnownExternal::Unavailable;
                }
            }
        }
    }
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
        state.known_external = load_known_external(store.clone(), state.hasher.clone());
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

    fn external_hash(&self, channel: &str, external_id: &str) -> u64 {
        // The same bytes as the index key after its prefix byte, so loading can hash the keys.
        let mut bytes = Vec::with_capacity(channel.len() + 1 + external_id.len());
        bytes.extend_from_slice(channel.as_bytes());
        bytes.push(0);
        bytes.extend_from_slice(external_id.as_bytes());
        self.hasher.hash_one(&bytes[..])
    }

    /// Takes the known order ids if their loading has finished.
    pub fn settle_known_ids(&mut self) {
        self.known_external.settle();
    }

    /// False means certainly not stored; true means look in the store.
    pub fn may_know_order(&self, channel: &str, external_id: &str) -> bool {
        match &self.known_external {
            KnownExternal::Ready(set) => set.contains(&self.external_hash(channel, external_id)),
            KnownExternal::Loading { .. } | KnownExternal::Unavailable => true,
        }
    }

    pub fn note_order(&mut self, channel: &str, external_id: &str) {
        let hash = self.external_hash(channel, external_id);
        match &mut self.known_external {
            KnownExternal::Ready(set) => {
                set.insert(hash);
            }
            KnownExternal::Loading { noted, .. } => noted.push(hash),
            KnownExternal::Unavailable => {}
        }
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

/// Reads the external-id index's keys on a thread of their own and hands the set over.
fn load_known_external(store: Arc<Store>, hasher: RandomState) -> KnownExternal {
    let (tx, rx) = std::sync::mpsc::sync_channel(1);
    let spawned = std::thread::Builder::new()
        .name("ordo-known-ids".into())
        .spawn(move || {
            let mut set = HashSet::new();
            for key in store.keys_under(keys::EXTERNAL) {
                match key {
                    Ok(key) => {
                        set.insert(hasher.hash_one(&key[1..]));
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "reading the external-id index");
                        return;
                    }
                }
            }
            let _ = tx.send(set);
        });
    if let Err(e) = spawned {
        tracing::error!(error = %e, "cannot start the thread that loads known order ids");
        return KnownExternal::Unavailable;
    }
    KnownExternal::Loading {
        from: rx,
        noted: Vec::new(),
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
