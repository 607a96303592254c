//! One group of commands: reads through an overlay of what the group already changed, mutates
//! the hot state, and turns everything into one atomic store batch at the end.

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::{DateTime, Utc};

use crate::model::{
    Actor, ChannelCursor, Event, EventKind, Location, Order, OrderId, PushIntent, PushWhat,
    Quarantined, StockKey,
};
use crate::store::{codec, keys, Store, StoreError, WriteBatch};

use crate::routing::RuleSet;

use super::state::{self, HotState};
use super::ChannelSync;

struct Touched {
    /// The order as the store holds it (None: new in this group); its index keys get replaced.
    stored: Option<Order>,
    current: Order,
    dirty: bool,
}

/// What a group wrote, kept while its batch is being committed so that the next group (built
/// meanwhile) reads its own writes: the store does not have them yet.
#[derive(Default)]
pub struct Overlay {
    orders: HashMap<OrderId, Order>,
    new_external: HashMap<(String, String), OrderId>,
    quarantined: Vec<Quarantined>,
    deliveries: HashSet<Vec<u8>>,
    /// Outbox keys written (Some) or removed (None).
    outbox: HashMap<Vec<u8>, Option<PushIntent>>,
    /// The `n` index keys of the orders in `orders`.
    stock_keys: BTreeSet<Vec<u8>>,
}

pub struct Group<'a> {
    pub(super) store: &'a Store,
    previous: Option<&'a Overlay>,
    pub(super) state: &'a mut HotState,
    pub(super) locations: &'a [Location],
    pub(super) rules: &'a RuleSet,
    pub(super) default_safety_stock: i64,
    pub(super) now: DateTime<Utc>,
    orders: HashMap<OrderId, Touched>,
    new_external: HashMap<(String, String), OrderId>,
    stock_dirty: BTreeSet<StockKey>,
    quarantined: Vec<Quarantined>,
    pub(super) events: Vec<Event>,
    /// Channel bookkeeping written with the group: cursors and webhook delivery ids.
    cursors: HashMap<String, ChannelCursor>,
    deliveries: HashSet<Vec<u8>>,
    pub(super) channels: &'a [ChannelSync],
    /// Push intents written (Some) or confirmed and removed (None) by this group.
    outbox: HashMap<Vec<u8>, Option<PushIntent>>,
    /// (channel, SKU) whose last intended figure changed.
    ats_written: BTreeSet<(String, String)>,
    /// Recompute every SKU's figures, not only the touched ones.
    pub(super) ats_all: bool,
    /// The `n` index keys of the orders this group read or changed, as they are now:
    /// the store's index shows them as they were.
    stock_keys: BTreeSet<Vec<u8>>,
}

impl<'a> Group<'a> {
    pub fn new(
        store: &'a Store,
        previous: Option<&'a Overlay>,
        state: &'a mut HotState,
        locations: &'a [Location],
        rules: &'a RuleSet,
        default_safety_stock: i64,
        channels: &'a [ChannelSync],
    ) -> Self {
        state.settle_known_ids();
        Group {
            store,
            previous,
            state,
            locations,
            rules,
            default_safety_stock,
            now: Utc::now(),
            orders: HashMap::new(),
            new_external: HashMap::new(),
            stock_dirty: BTreeSet::new(),
            quarantined: Vec::new(),
            events: Vec::new(),
            cursors: HashMap::new(),
            deliveries: HashSet::new(),
            channels,
            outbox: HashMap::new(),
            ats_written: BTreeSet::new(),
            ats_all: false,
            stock_keys: BTreeSet::new(),
        }
    }

    /// Reads an order as this group sees it; the first read caches the stored version.
    pub fn order(&mut self, id: OrderId) -> Result<Option<Order>, StoreError> {
        if let Some(t) = self.orders.get(&id) {
            return Ok(Some(t.current.clone()));
        }
        let in_flight = self.previous.and_then(|p| p.orders.get(&id)).cloned();
        let stored = match in_flight {
            Some(order) => Some(order),
            None => self.store.order(id)?,
        };
        let Some(stored) = stored else {
            return Ok(None);
        };
        let current = stored.clone();
        self.stock_keys.extend(keys::stock_index_keys(&current));
        self.orders.insert(
            id,
            Touched {
                stored: Some(stored),
                current: current.clone(),
                dirty: false,
            },
        );
        Ok(Some(current))
    }

    pub fn order_id(
        &self,
        channel: &str,
        external_id: &str,
    ) -> Result<Option<OrderId>, StoreError> {
        if let Some(id) = self
            .new_external
            .get(&(channel.to_string(), external_id.to_string()))
        {
            return Ok(Some(*id));
        }
        if !self.state.may_know_order(channel, external_id) {
            return Ok(None);
        }
        if let Some(id) = self.previous.and_then(|p| {
            p.new_external
                .get(&(channel.to_string(), external_id.to_string()))
        }) {
            return Ok(Some(*id));
        }
        self.store.order_id(channel, external_id)
    }

    /// The error for a location id that is not configured, listing the ones that are.
    pub fn unknown_location(&self, location: &str) -> super::LedgerError {
        super::LedgerError::UnknownLocation {
            location: location.to_string(),
            known: self
                .locations
                .iter()
                .map(|l| l.id.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        }
    }

    /// The local day this group runs on (capacity is counted per local day).
    pub fn local_day(&self) -> chrono::NaiveDate {
        state::local_day(self.now)
    }

    pub fn next_order_id(&mut self) -> OrderId {
        let id = self.state.next_order;
        self.state.next_order += 1;
        id
    }

    /// Records an order's new state: the hot state's maps follow at once, the store at commit.
    /// An existing order must have been read through [`Group::order`] first.
    pub fn save(&mut self, mut order: Order) {
        order.refresh_status();
        let new_keys = keys::stock_index_keys(&order);
        if let Some(t) = self.orders.get_mut(&order.id) {
            self.state.reindex(Some(&t.current), &order);
            for k in keys::stock_index_keys(&t.current) {
                self.stock_keys.remove(&k);
            }
            self.stock_keys.extend(new_keys);
            t.current = order;
            t.dirty = true;
            return;
        }
        self.state.reindex(None, &order);
        self.stock_keys.extend(new_keys);
        let ch = &order.channel_order;
        self.state.note_order(&ch.channel, &ch.external_id);
        self.new_external
            .insert((ch.channel.clone(), ch.external_id.clone()), order.id);
        self.orders.insert(
            order.id,
            Touched {
                stored: None,
                current: order,
                dirty: true,
            },
        );
    }

    /// Whether the store's index entries of this order may be out of date: this group or
    /// the one in flight changed it.
    fn changed_here(&self, id: OrderId) -> bool {
        self.orders.contains_key(&id) || self.previous.is_some_and(|p| p.orders.contains_key(&id))
    }

    /// The ids under an `n` prefix that this group and the one in flight know better than
    /// the store.
    fn changed_under(&self, prefix: &[u8]) -> BTreeSet<OrderId> {
        fn under(set: &BTreeSet<Vec<u8>>, prefix: &[u8]) -> Vec<OrderId> {
            set.range(prefix.to_vec()..)
                .take_while(|k| k.starts_with(prefix))
                .filter_map(|k| keys::tail_u64(k))
                .collect()
        }
        let mut ids: BTreeSet<OrderId> = under(&self.stock_keys, prefix).into_iter().collect();
        if let Some(p) = self.previous {
            ids.extend(
                under(&p.stock_keys, prefix)
                    .into_iter()
                    .filter(|id| !self.orders.contains_key(id)),
            );
        }
        ids
    }

    /// The newest open order holding stock of `sku` at `location`, as this group sees it:
    /// the orders this group or the one in flight changed, as they are now, and the store's
    /// location queue (every status that can hold stock, newest id first) for the rest.
    pub fn newest_holder(&self, sku: &str, location: &str) -> Result<Option<OrderId>, StoreError> {
        let holds = |o: &Order| {
            o.status.is_open()
                && o.allocations
                    .iter()
                    .any(|a| a.sku == sku && a.location == location)
        };
        let changed = self.orders.values().map(|t| &t.current).chain(
            self.previous
                .into_iter()
                .flat_map(|p| p.orders.values())
                .filter(|o| !self.orders.contains_key(&o.id)),
        );
        let mut newest = changed.filter(|o| holds(o)).map(|o| o.id).max();
        // One descending run of ids per status, merged: the first stored holder met is the
        // newest; nothing older than a holder found among the changed orders matters.
        let mut runs: Vec<_> = crate::model::OrderStatus::ALL
            .into_iter()
            .filter(|st| st.is_open())
            .map(|st| {
                self.store
                    .ids_under(&keys::location_prefix(location, Some(st)))
                    .rev()
                    .peekable()
            })
            .collect();
        loop {
            let mut best: Option<(usize, OrderId)> = None;
            for (i, run) in runs.iter_mut().enumerate() {
                match run.peek() {
                    Some(Ok(id)) if best.is_none_or(|(_, b)| *id > b) => best = Some((i, *id)),
                    Some(Ok(_)) | None => {}
                    Some(Err(_)) => {
                        if let Some(Err(e)) = run.next() {
                            return Err(e);
                        }
                    }
                }
            }
            let Some((i, id)) = best else { break };
            if newest.is_some_and(|n| n > id) {
                break;
            }
            runs[i].next();
            if self.changed_here(id) {
                continue;
            }
            if self.store.order(id)?.is_some_and(|o| holds(&o)) {
                newest = Some(id);
                break;
            }
        }
        Ok(newest)
    }

    /// The orders waiting for units of any of `skus`, oldest first, as this group sees it.
    pub fn waiting_for(&self, skus: &BTreeSet<String>) -> Result<Vec<OrderId>, StoreError> {
        let mut ids = BTreeSet::new();
        for sku in skus {
            let prefix = keys::waiting_prefix(sku);
            ids.extend(self.changed_under(&prefix));
            for id in self.store.ids_under(&prefix) {
                let id = id?;
                if !self.changed_here(id) {
                    ids.insert(id);
                }
            }
        }
        Ok(ids.into_iter().collect())
    }

    pub fn touch_stock(&mut self, sku: &str, location: &str) {
        self.stock_dirty.insert(StockKey::new(sku, location));
    }

    pub fn emit(
        &mut self,
        actor: Actor,
        order_id: Option<OrderId>,
        kind: EventKind,
        why: impl Into<String>,
    ) {
        let seq = self.state.next_event;
        self.state.next_event += 1;
        self.events.push(Event {
            seq,
            at: self.now,
            actor,
            order_id,
            kind,
            why: why.into(),
        });
    }

    pub fn put_cursor(&mut self, channel: &str, cursor: &ChannelCursor) {
        self.cursors.insert(channel.to_string(), cursor.clone());
    }

    pub fn put_delivery(&mut self, channel: &str, delivery_id: &str) {
        self.deliveries.insert(keys::delivery(channel, delivery_id));
    }

    /// Whether a webhook delivery was taken before: in this group, the one being committed, or
    /// the store.
    pub fn has_delivery(&self, channel: &str, delivery_id: &str) -> Result<bool, StoreError> {
        let key = keys::delivery(channel, delivery_id);
        if self.deliveries.contains(&key)
            || self.previous.is_some_and(|p| p.deliveries.contains(&key))
        {
            return Ok(true);
        }
        self.store.has_delivery(channel, delivery_id)
    }

    /// An outbox entry as this group sees it.
    pub fn outbox_entry(&self, key: &[u8]) -> Result<Option<PushIntent>, StoreError> {
        if let Some(v) = self.outbox.get(key) {
            return Ok(v.clone());
        }
        if let Some(v) = self.previous.and_then(|p| p.outbox.get(key)) {
            return Ok(v.clone());
        }
        self.store.outbox_entry(key)
    }

    pub fn put_intent(&mut self, key: Vec<u8>, what: PushWhat) {
        let seq = self.state.next_push;
        self.state.next_push += 1;
        let intent = PushIntent {
            seq,
            at: self.now,
            what,
        };
        self.outbox.insert(key, Some(intent));
    }

    pub fn remove_intent(&mut self, key: Vec<u8>) {
        self.outbox.insert(key, None);
    }

    /// Each channel's available-to-sell of the SKUs whose stock this group touched (every SKU
    /// after [`Command::SyncAts`]): a figure that differs from the last one intended becomes a
    /// push intent in this same commit (invariant 6).
    fn write_ats_intents(&mut self) {
        if self.channels.is_empty() {
            return;
        }
        let skus: BTreeSet<String> = if self.ats_all {
            self.state.stock.keys().cloned().collect()
        } else {
            self.stock_dirty.iter().map(|k| k.sku.clone()).collect()
        };
        for ch in self.channels {
            for sku in &skus {
                let ats = self.state.channel_ats(self.locations, ch, sku);
                let key = (ch.id.clone(), sku.clone());
                if self.state.ats_last.get(&key) == Some(&ats) {
                    continue;
                }
                self.state.ats_last.insert(key.clone(), ats);
                self.ats_written.insert(key);
                self.put_intent(
                    keys::outbox_stock(&ch.id, sku),
                    PushWhat::Stock {
                        sku: sku.clone(),
                        available: ats,
                    },
                );
            }
        }
    }

    pub fn quarantine(&mut self, mut q: Quarantined) -> u64 {
        if q.id == 0 {
            q.id = self.state.next_quarantine;
            self.state.next_quarantine += 1;
        }
        let id = q.id;
        self.quarantined.retain(|x| x.id != id);
        self.quarantined.push(q);
        id
    }

    pub fn quarantined_entry(&self, id: u64) -> Result<Option<Quarantined>, StoreError> {
        match self.quarantined.iter().find(|q| q.id == id) {
            Some(q) => Ok(Some(q.clone())),
            None => match self
                .previous
                .and_then(|p| p.quarantined.iter().find(|q| q.id == id))
            {
                Some(q) => Ok(Some(q.clone())),
                None => self.store.quarantine(id),
            },
        }
    }

    /// The whole group as one batch: orders with their index changes, stock, events,
    /// quarantine and counters.
    pub fn into_batch(mut self) -> (WriteBatch, Vec<Event>, Overlay) {
        self.write_ats_intents();
        let mut batch = WriteBatch::default();
        // Each order lists its own events (the detail view reads them without a scan).
        for e in &self.events {
            if let Some(t) = e.order_id.and_then(|id| self.orders.get_mut(&id)) {
                t.current.history.push(e.seq);
                t.dirty = true;
            }
        }
        let mut written = HashMap::with_capacity(self.orders.len());
        for t in self.orders.into_values().filter(|t| t.dirty) {
            let new_keys = keys::index_keys(&t.current);
            match &t.stored {
                Some(old) => {
                    for k in keys::index_keys(old) {
                        if !new_keys.contains(&k) {
                            batch.remove(k);
                        }
                    }
                    let old_keys = keys::index_keys(old);
                    for k in new_keys {
                        if !old_keys.contains(&k) {
                            batch.put(k, Vec::new());
                        }
                    }
                }
                None => {
                    let ch = &t.current.channel_order;
                    batch.put(
                        keys::external(&ch.channel, &ch.external_id),
                        codec::encode_u64(t.current.id).to_vec(),
                    );
                    for k in new_keys {
                        batch.put(k, Vec::new());
                    }
                }
            }
            batch.put(
                keys::order(t.current.id).to_vec(),
                codec::encode(&t.current),
            );
            written.insert(t.current.id, t.current);
        }
        for key in &self.stock_dirty {
            let level = self.state.level(&key.sku, &key.location);
            batch.put(keys::stock(key), codec::encode(&level));
        }
        for q in &self.quarantined {
            batch.put(keys::quarantine(q.id).to_vec(), codec::encode(q));
        }
        for block in self.events.chunks(keys::EVENTS_PER_BLOCK) {
            batch.put(
                keys::event_block(block[0].seq).to_vec(),
                codec::encode(&block),
            );
        }
        for (channel, cursor) in &self.cursors {
            batch.put(keys::cursor(channel), codec::encode(cursor));
        }
        let received_ms = codec::encode_u64(self.now.timestamp_millis().max(0) as u64);
        for key in &self.deliveries {
            batch.put(key.clone(), received_ms.to_vec());
        }
        for (key, intent) in &self.outbox {
            match intent {
                Some(intent) => batch.put(key.clone(), codec::encode(intent)),
                None => batch.remove(key.clone()),
            }
        }
        for (channel, sku) in &self.ats_written {
            let ats = self
                .state
                .ats_last
                .get(&(channel.clone(), sku.clone()))
                .copied()
                .unwrap_or(0);
            batch.put(
                keys::ats(channel, sku),
                codec::encode_u64(ats as u64).to_vec(),
            );
        }
        for status in crate::model::OrderStatus::ALL {
            let n = self.state.status_counts.get(&status).copied().unwrap_or(0);
            batch.put(keys::status_count(status), codec::encode_u64(n).to_vec());
        }
        for (key, value) in self.state.capacity.take_changed() {
            batch.put(key, value);
        }
        batch.put(
            keys::META_NEXT_PUSH,
            codec::encode_u64(self.state.next_push).to_vec(),
        );
        batch.put(
            keys::META_NEXT_ORDER,
            codec::encode_u64(self.state.next_order).to_vec(),
        );
        batch.put(
            keys::META_NEXT_EVENT,
            codec::encode_u64(self.state.next_event).to_vec(),
        );
        batch.put(
            keys::META_NEXT_QUARANTINE,
            codec::encode_u64(self.state.next_quarantine).to_vec(),
        );
        let overlay = Overlay {
            orders: written,
            new_external: self.new_external,
            quarantined: self.quarantined,
            deliveries: self.deliveries,
            outbox: self.outbox,
            stock_keys: self.stock_keys,
        };
        (batch, self.events, overlay)
    }
}
