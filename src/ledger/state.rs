//! The ledger's hot state: what it must know at once to decide without reading the store
//! (stock per sku x location, who holds stock where, who waits for which SKU, the counters).
//! It is derived from the store and rebuilt from it at start and after a failed commit.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::hash::{BuildHasher, RandomState};

use chrono::{DateTime, Local, NaiveDate, Utc};

use super::ChannelSync;
use crate::inventory;
use crate::model::{EventKind, Location, Order, OrderId, OrderStatus, QuarantineId, StockLevel};
use crate::store::{keys, Store, StoreError};

#[derive(Debug, Default)]
pub struct HotState {
    /// sku -> location -> level. A SKU with any record is in the catalog.
    pub stock: HashMap<String, BTreeMap<String, StockLevel>>,
    /// sku -> location -> orders holding open allocations there.
    pub holders: HashMap<String, HashMap<String, BTreeSet<OrderId>>>,
    /// sku -> routed open orders with units of it still unplaced, oldest first.
    pub waiting: HashMap<String, BTreeSet<OrderId>>,
    pub status_counts: BTreeMap<OrderStatus, u64>,
    /// Quarantined payloads not yet resolved.
    pub quarantine_open: u64,
    /// The open quarantine entries by a hash of (format, raw payload): a channel polled with an
    /// overlap sends the same unmappable order again, which must not pile up.
    open_payloads: HashMap<u64, QuarantineId>,
    /// Hashes of every (channel, external id) stored: when a hash is absent the order is new
    /// for sure, and intake skips the store read. A read blocks while sled applies a batch, so
    /// this keeps building the next group from waiting on the commit of the last.
    known_external: HashSet<u64>,
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

    pub fn load(store: &Store) -> Result<HotState, StoreError> {
        let mut state = HotState {
            next_order: store.meta_u64(keys::META_NEXT_ORDER)?.max(1),
            next_event: store.meta_u64(keys::META_NEXT_EVENT)?.max(1),
            next_quarantine: store.meta_u64(keys::META_NEXT_QUARANTINE)?.max(1),
            next_push: store.meta_u64(keys::META_NEXT_PUSH)?.max(1),
            ..HotState::default()
        };
        state.ats_last = store.ats_figures()?.into_iter().collect();
        for key in store.keys_under(keys::EXTERNAL) {
            let key = key?;
            let hash = state.hasher.hash_one(&key[1..]);
            state.known_external.insert(hash);
        }
        state.capacity = DayCounts::load(store, Utc::now())?;
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
        // Only open orders hold or wait for stock; the status index finds them without reading
        // the shipped and cancelled history.
        for status in OrderStatus::ALL {
            let mut count = 0;
            for id in store.ids_by_status(status) {
                let id = id?;
                count += 1;
                if status.is_open() {
                    if let Some(order) = store.order(id)? {
                        state.index_order(&order);
                    }
                }
            }
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

    /// False means certainly not stored; true means look in the store.
    pub fn may_know_order(&self, channel: &str, external_id: &str) -> bool {
        self.known_external
            .contains(&self.external_hash(channel, external_id))
    }

    pub fn note_order(&mut self, channel: &str, external_id: &str) {
        let hash = self.external_hash(channel, external_id);
        self.known_external.insert(hash);
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

    /// Keeps the derived maps in step with one order's change: remove what `before` put there,
    /// add what `after` puts there.
    pub fn reindex(&mut self, before: Option<&Order>, after: &Order) {
        if let Some(b) = before {
            self.unindex_order(b);
            if let Some(n) = self.status_counts.get_mut(&b.status) {
                *n = n.saturating_sub(1);
            }
        }
        *self.status_counts.entry(after.status).or_default() += 1;
        if after.status.is_open() {
            self.index_order(after);
        }
    }

    fn index_order(&mut self, order: &Order) {
        for a in &order.allocations {
            self.holders
                .entry(a.sku.clone())
                .or_default()
                .entry(a.location.clone())
                .or_default()
                .insert(order.id);
        }
        if waits_for_stock(order) {
            for (_, sku, _) in order.unplaced() {
                self.waiting.entry(sku).or_default().insert(order.id);
            }
        }
    }

    fn unindex_order(&mut self, order: &Order) {
        for a in &order.allocations {
            if let Some(ids) = self
                .holders
                .get_mut(&a.sku)
                .and_then(|m| m.get_mut(&a.location))
            {
                ids.remove(&order.id);
            }
        }
        for line in &order.channel_order.lines {
            if let Some(ids) = self.waiting.get_mut(&line.sku) {
                ids.remove(&order.id);
            }
        }
    }
}

/// Routed, open, not held, and short of units: stock arriving should be offered to it.
/// Decided from the facts, not the status: a partially shipped order still short of units
/// waits too.
pub fn waits_for_stock(order: &Order) -> bool {
    order.routed
        && order.status.is_open()
        && order.hold_reason.is_none()
        && !order.unplaced().is_empty()
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
    counted: HashSet<(OrderId, String)>,
}

impl DayCounts {
    fn roll(&mut self, today: NaiveDate) {
        if self.day != Some(today) {
            self.day = Some(today);
            self.per_location.clear();
            self.counted.clear();
        }
    }

    pub fn orders_today(&mut self, location: &str, today: NaiveDate) -> u32 {
        self.roll(today);
        self.per_location.get(location).copied().unwrap_or(0)
    }

    pub fn count(&mut self, order: OrderId, location: &str, today: NaiveDate) {
        self.roll(today);
        if self.counted.insert((order, location.to_string())) {
            *self.per_location.entry(location.to_string()).or_default() += 1;
        }
    }

    /// Today's counts from the event log's tail: the allocations made since local midnight.
    fn load(store: &Store, now: DateTime<Utc>) -> Result<DayCounts, StoreError> {
        let today = local_day(now);
        let mut counts = DayCounts::default();
        counts.roll(today);
        for block in store.event_blocks().rev() {
            let block = block?;
            if block.last().is_some_and(|e| local_day(e.at) < today) {
                break;
            }
            for e in block.iter().filter(|e| local_day(e.at) == today) {
                let (Some(order), allocations) = (
                    e.order_id,
                    match &e.kind {
                        EventKind::Routed { decision } => &decision.allocations,
                        EventKind::Allocated { allocations } => allocations,
                        _ => continue,
                    },
                ) else {
                    continue;
                };
                for a in allocations {
                    counts.count(order, &a.location, today);
                }
            }
        }
        Ok(counts)
    }
}

/// Order counts per status, open quarantine entries and oversold stock records, kept by the
/// ledger so that a console header never scans the store.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct LiveCounts {
    pub by_status: BTreeMap<OrderStatus, u64>,
    pub quarantined: u64,
    pub oversold: u64,
}
