//! `ordo check`: verifies every invariant that the stored data can show (DESIGN.md 2-5), and
//! `--repair` recomputes what is derived (reservations, indexes, statuses, counters) from the
//! orders, which are the source of truth.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::Utc;
use serde::Serialize;

use crate::model::{Actor, Event, EventKind, OrderId, StockKey, StockLevel};

use super::{codec, keys, Store, StoreError, WriteBatch};

#[derive(Debug, Clone, Serialize)]
pub struct Problem {
    pub what: String,
    /// `--repair` can fix it by recomputing derived data.
    pub repairable: bool,
}

#[derive(Debug, Default, Serialize)]
pub struct Report {
    pub orders: u64,
    pub stock_records: u64,
    pub events: u64,
    pub quarantined: u64,
    pub problems: Vec<Problem>,
    #[serde(skip)]
    fixes: Fixes,
}

#[derive(Debug, Default)]
struct Fixes {
    remove: Vec<Vec<u8>>,
    put: Vec<(Vec<u8>, Vec<u8>)>,
}

impl Report {
    pub fn is_clean(&self) -> bool {
        self.problems.is_empty()
    }

    fn problem(&mut self, repairable: bool, what: String) {
        self.problems.push(Problem { what, repairable });
    }
}

/// What the orders say every derived record should be.
#[derive(Default)]
struct Expected {
    index_keys: HashSet<Vec<u8>>,
    external: HashMap<Vec<u8>, OrderId>,
    reserved: BTreeMap<StockKey, i64>,
    max_order: u64,
    by_status: BTreeMap<crate::model::OrderStatus, u64>,
}

pub fn check(store: &Store) -> Result<Report, StoreError> {
    let mut report = Report::default();
    let mut expected = Expected::default();
    let mut unreadable = 0u64;

    for item in store.tree.scan_prefix([keys::ORDER]) {
        let (k, v) = item.map_err(store.io("scanning orders"))?;
        report.orders += 1;
        let mut order: crate::model::Order = match codec::decode(&k, &v) {
            Ok(o) => o,
            Err(e) => {
                unreadable += 1;
                report.problem(false, e.to_string());
                continue;
            }
        };
        let id = order.id;
        expected.max_order = expected.max_order.max(id);
        let ch = &order.channel_order;
        let ext_key = keys::external(&ch.channel, &ch.external_id);
        if let Some(other) = expected.external.insert(ext_key.clone(), id) {
            report.problem(
                false,
                format!(
                    "orders {other} and {id} are both {} of {}: an order was stored twice",
                    ch.external_id, ch.channel
                ),
            );
        }
        let stored_status = order.status;
        order.refresh_status();
        if order.status != stored_status {
            report.problem(
                true,
                format!(
                    "order {id} is stored as {stored_status} but its lines, allocations and shipments say {}",
                    order.status
                ),
            );
            report
                .fixes
                .put
                .push((keys::order(id).to_vec(), codec::encode(&order)));
        }
        if !order.status.is_open() && !order.allocations.is_empty() {
            report.problem(
                false,
                format!("order {id} is {} yet still holds allocations", order.status),
            );
        }
        if order.status.is_open() {
            for a in &order.allocations {
                *expected
                    .reserved
                    .entry(StockKey::new(&a.sku, &a.location))
                    .or_default() += i64::from(a.qty);
            }
        }
        expected.index_keys.extend(keys::index_keys(&order));
        *expected.by_status.entry(order.status).or_default() += 1;
    }

    check_indexes(store, &expected, &mut report)?;
    check_stock(store, &expected, &mut report)?;
    check_counters(store, &expected, &mut report)?;
    if unreadable > 0 {
        // Derived data recomputed without the unreadable orders would drop their index entries
        // and reservations, and a replay of such an order would then be stored twice.
        for p in &mut report.problems {
            p.repairable = false;
        }
        report.fixes = Fixes::default();
        report.problem(
            false,
            format!("{unreadable} orders cannot be read: --repair changes nothing until they are restored (from a backup or the channel)"),
        );
    }
    Ok(report)
}

fn check_indexes(
    store: &Store,
    expected: &Expected,
    report: &mut Report,
) -> Result<(), StoreError> {
    let mut found: HashSet<Vec<u8>> = HashSet::with_capacity(expected.index_keys.len());
    for prefix in [
        keys::BY_STATUS,
        keys::BY_CHANNEL,
        keys::BY_LOCATION,
        keys::WAITING,
    ] {
        for key in store.keys_under(prefix) {
            let key = key?.to_vec();
            if !expected.index_keys.contains(&key) {
                report.problem(
                    true,
                    format!(
                        "index entry {} points at order {} in a place the order is not",
                        index_name(prefix),
                        keys::tail_u64(&key).unwrap_or(0)
                    ),
                );
                report.fixes.remove.push(key.clone());
            }
            found.insert(key);
        }
    }
    for key in &expected.index_keys {
        if !found.contains(key) {
            report.problem(
                true,
                format!(
                    "order {} is missing from the {} index",
                    keys::tail_u64(key).unwrap_or(0),
                    index_name(key[0])
                ),
            );
            report.fixes.put.push((key.clone(), Vec::new()));
        }
    }
    let mut seen_external = HashSet::new();
    for item in store.tree.scan_prefix([keys::EXTERNAL]) {
        let (k, v) = item.map_err(store.io("scanning the external-id index"))?;
        let named = codec::decode_u64(&k, &v).ok();
        match expected.external.get(k.as_ref()) {
            Some(id) if Some(*id) == named => {}
            Some(id) => {
                report.problem(
                    true,
                    format!("external-id entry for order {id} names {named:?}"),
                );
                report
                    .fixes
                    .put
                    .push((k.to_vec(), id.to_be_bytes().to_vec()));
            }
            None => {
                report.problem(
                    true,
                    format!("external-id entry names missing order {named:?}"),
                );
                report.fixes.remove.push(k.to_vec());
            }
        }
        seen_external.insert(k.to_vec());
    }
    for (k, id) in &expected.external {
        if !seen_external.contains(k) {
            report.problem(
                true,
                format!("order {id} is missing from the external-id index"),
            );
            report
                .fixes
                .put
                .push((k.clone(), id.to_be_bytes().to_vec()));
        }
    }
    Ok(())
}

fn index_name(prefix: u8) -> &'static str {
    match prefix {
        keys::BY_STATUS => "status",
        keys::BY_CHANNEL => "channel",
        keys::BY_LOCATION => "location-queue",
        keys::WAITING => "waiting-for-stock",
        _ => "external-id",
    }
}

fn check_stock(store: &Store, expected: &Expected, report: &mut Report) -> Result<(), StoreError> {
    let mut seen = HashSet::new();
    for item in store.stock_levels() {
        let (key, mut level) = match item {
            Ok(x) => x,
            Err(e) => {
                report.problem(false, e.to_string());
                continue;
            }
        };
        report.stock_records += 1;
        let want = expected.reserved.get(&key).copied().unwrap_or(0);
        if level.reserved != want {
            report.problem(
                true,
                format!(
                    "stock {} at {}: reserved is {} but open allocations there add up to {want}",
                    key.sku, key.location, level.reserved
                ),
            );
            level.reserved = want;
            report
                .fixes
                .put
                .push((keys::stock(&key), codec::encode(&level)));
        }
        if level.on_hand < 0 {
            report.problem(
                false,
                format!(
                    "stock {} at {}: on hand is negative ({})",
                    key.sku, key.location, level.on_hand
                ),
            );
        }
        if want > level.reservable() {
            report.problem(
                false,
                format!(
                    "stock {} at {}: {want} reserved but only {} may be (on hand {}, safety {}): oversold; count it again with `ordo stock set`",
                    key.sku, key.location, level.reservable(), level.on_hand, level.safety_stock
                ),
            );
        }
        seen.insert(key);
    }
    for (key, want) in &expected.reserved {
        if !seen.contains(key) {
            report.problem(
                true,
                format!(
                    "stock {} at {}: no record, yet {want} is allocated there",
                    key.sku, key.location
                ),
            );
            let level = StockLevel {
                reserved: *want,
                ..StockLevel::default()
            };
            report
                .fixes
                .put
                .push((keys::stock(key), codec::encode(&level)));
        }
    }
    Ok(())
}

fn check_counters(
    store: &Store,
    expected: &Expected,
    report: &mut Report,
) -> Result<(), StoreError> {
    let mut max_event = 0;
    let mut previous = 0;
    for event in store.events() {
        let seq = match event {
            Ok(e) => e.seq,
            Err(e) => {
                report.problem(false, e.to_string());
                continue;
            }
        };
        report.events += 1;
        if seq != previous + 1 {
            report.problem(
                false,
                format!("the event log jumps from {previous} to {seq}: events are missing"),
            );
        }
        previous = seq;
        max_event = seq;
    }
    for status in crate::model::OrderStatus::ALL {
        let want = expected.by_status.get(&status).copied().unwrap_or(0);
        let key = keys::status_count(status);
        let kept = store.meta_u64(&key)?;
        if kept != want {
            report.problem(
                true,
                format!("the count of {status} orders is kept as {kept} but {want} are stored"),
            );
            report
                .fixes
                .put
                .push((key, codec::encode_u64(want).to_vec()));
        }
    }
    let mut max_quarantine = 0;
    for key in store.keys_under(keys::QUARANTINE) {
        report.quarantined += 1;
        max_quarantine = keys::tail_u64(&key?).unwrap_or(0);
    }
    for (meta, max, what) in [
        (keys::META_NEXT_ORDER, expected.max_order, "order id"),
        (keys::META_NEXT_EVENT, max_event, "event sequence"),
        (keys::META_NEXT_QUARANTINE, max_quarantine, "quarantine id"),
    ] {
        let next = store.meta_u64(meta)?;
        if max > 0 && next <= max {
            report.problem(
                true,
                format!("the next {what} is {next} but {max} is already used"),
            );
            report
                .fixes
                .put
                .push((meta.to_vec(), (max + 1).to_be_bytes().to_vec()));
        }
    }
    Ok(())
}

/// Applies every repairable fix in one atomic, flushed batch with an event saying what was done,
/// then checks again and returns the fresh report.
pub fn repair(store: &Store, before: Report) -> Result<Report, StoreError> {
    let fixed: Vec<&Problem> = before.problems.iter().filter(|p| p.repairable).collect();
    if fixed.is_empty() {
        return Ok(before);
    }
    let mut batch = WriteBatch::default();
    // The ledger's saved filter of order ids was made from the indexes being repaired: a
    // repaired external-id entry it lacks would let that order in twice.
    for item in store.raw_under(keys::META_KNOWN_IDS) {
        batch.remove(item?.0.to_vec());
    }
    for k in before.fixes.remove {
        batch.remove(k);
    }
    for (k, v) in before.fixes.put {
        batch.put(k, v);
    }
    let seq = store
        .meta_u64(keys::META_NEXT_EVENT)?
        .max(last_event(store)? + 1)
        .max(1);
    let event = Event {
        seq,
        at: Utc::now(),
        actor: Actor::System,
        order_id: None,
        kind: EventKind::Repaired,
        why: fixed
            .iter()
            .map(|p| p.what.as_str())
            .collect::<Vec<_>>()
            .join("; "),
    };
    batch.put(keys::event_block(seq).to_vec(), codec::encode(&vec![event]));
    batch.put(keys::META_NEXT_EVENT, (seq + 1).to_be_bytes().to_vec());
    store.commit(batch)?;
    check(store)
}

fn last_event(store: &Store) -> Result<u64, StoreError> {
    match store.event_blocks().next_back() {
        Some(block) => Ok(block?.last().map_or(0, |e| e.seq)),
        None => Ok(0),
    }
}
