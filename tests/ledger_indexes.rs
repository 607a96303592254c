//! The ledger starts without reading the order history: who waits for stock is a store index
//! and who holds it is found through the location queue, both read through the groups'
//! overlays; the counts per status and each location's
//! orders today are kept in the store. These tests drive the real ledger on a real sled store:
//! pipelined commands (so that one group reads another's uncommitted changes), restarts, and the
//! upgrade of a store written before the indexes existed.

#[path = "common/orders.rs"]
mod orders;

use std::sync::Arc;

use chrono::{TimeZone, Utc};

use ordo::ledger::{Command, Ledger, LedgerSettings, Outcome};
use ordo::model::{Location, OnUnroutable, OrderStatus};
use ordo::routing::RuleSet;
use ordo::store::{check, keys, Store};

fn location(id: &str, priority: u32, daily_capacity: Option<u32>) -> Location {
    Location {
        daily_capacity,
        ..orders::warehouse(id, priority)
    }
}

fn settings(capacity: Option<u32>) -> LedgerSettings {
    LedgerSettings::new(
        vec![location("wh-1", 1, capacity), location("wh-2", 2, None)],
        0,
        RuleSet::fallback(OnUnroutable::Backorder),
    )
}

fn order(ext: usize, sku: &str, qty: u32) -> Command {
    let at = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
    let lines = vec![orders::line(1, sku, qty)];
    orders::ingest(
        orders::paid_order("web", &format!("E{ext}"), at, lines),
        "test",
        "ordo",
    )
}

fn set_stock(sku: &str, location: &str, on_hand: i64) -> Command {
    orders::set_stock(sku, location, on_hand, None)
}

/// The count of backordered orders the ledger keeps (in the store, read at start).
fn backordered(ledger: &Ledger) -> Option<u64> {
    ledger
        .handle()
        .counts()
        .by_status
        .get(&OrderStatus::Backordered)
        .copied()
}

struct Fixture {
    _dir: tempfile::TempDir,
    store: Arc<Store>,
}

impl Fixture {
    fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(Store::open(dir.path(), 8 << 20).unwrap());
        Fixture { _dir: dir, store }
    }

    fn assert_clean(&self) {
        let report = check::check(&self.store).unwrap();
        assert!(report.is_clean(), "{:#?}", report.problems);
    }
}

/// Sends every command before waiting for any answer, so that the ledger takes them in groups
/// and builds each group while the one before it is being written.
fn pipelined(ledger: &Ledger, commands: Vec<Command>) -> Vec<Outcome> {
    let handle = ledger.handle();
    let pending: Vec<_> = commands
        .into_iter()
        .map(|c| handle.send_blocking(c).unwrap())
        .collect();
    pending
        .into_iter()
        .map(|rx| rx.blocking_recv().unwrap().unwrap())
        .collect()
}

#[test]
fn a_short_count_sheds_the_newest_holders_and_stock_back_reaches_them_oldest_first() {
    let fx = Fixture::new();
    let ledger = Ledger::start(fx.store.clone(), settings(None)).unwrap();
    ledger
        .handle()
        .submit_blocking(set_stock("A", "wh-1", 100))
        .unwrap();
    // Orders, then a count of 10 while most of them may still be in this group or the one in
    // flight: the holders the count sheds must include orders the store has not seen yet.
    let mut commands: Vec<Command> = (0..40).map(|i| order(i, "A", 1)).collect();
    commands.push(set_stock("A", "wh-1", 10));
    let outcomes = pipelined(&ledger, commands);
    let Some(Outcome::Stock { deallocated, .. }) = outcomes.last() else {
        panic!("{:?}", outcomes.last())
    };
    let mut shed = deallocated.clone();
    shed.sort_unstable();
    assert_eq!(
        shed,
        (11..=40).collect::<Vec<u64>>(),
        "the newest 30 give way"
    );
    let counts = ledger.handle().counts();
    assert_eq!(counts.by_status.get(&OrderStatus::Allocated), Some(&10));
    assert_eq!(counts.by_status.get(&OrderStatus::Backordered), Some(&30));
    fx.assert_clean();

    // Stock back, and more orders in the same breath: the 30 that wait get it first, oldest
    // first, then the new ones.
    let mut commands = vec![set_stock("A", "wh-1", 45)];
    commands.extend((40..50).map(|i| order(i, "A", 1)));
    let outcomes = pipelined(&ledger, commands);
    let Outcome::Stock { allocated, .. } = &outcomes[0] else {
        panic!("{:?}", outcomes[0])
    };
    assert_eq!(*allocated, (11..=40).collect::<Vec<u64>>());
    let counts = ledger.handle().counts();
    assert_eq!(counts.by_status.get(&OrderStatus::Allocated), Some(&45));
    assert_eq!(counts.by_status.get(&OrderStatus::Backordered), Some(&5));
    fx.assert_clean();
    ledger.shutdown();

    // After a restart the waiting orders are found through the store's index alone.
    let ledger = Ledger::start(fx.store.clone(), settings(None)).unwrap();
    assert_eq!(
        backordered(&ledger),
        Some(5),
        "counts are kept in the store"
    );
    let out = ledger
        .handle()
        .submit_blocking(set_stock("A", "wh-2", 2))
        .unwrap();
    let Outcome::Stock { allocated, .. } = out else {
        panic!("{out:?}")
    };
    assert_eq!(allocated, vec![46, 47]);
    ledger.shutdown();
    fx.assert_clean();
}

#[test]
fn daily_capacity_counts_each_order_once_and_survives_a_restart() {
    let fx = Fixture::new();
    let ledger = Ledger::start(fx.store.clone(), settings(Some(3))).unwrap();
    let handle = ledger.handle();
    handle.submit_blocking(set_stock("A", "wh-1", 1)).unwrap();
    handle.submit_blocking(set_stock("B", "wh-1", 100)).unwrap();
    // Order 1 wants 3 of A: 1 at wh-1 now, topped up there later. It counts once.
    handle.submit_blocking(order(1, "A", 3)).unwrap();
    handle.submit_blocking(set_stock("A", "wh-1", 10)).unwrap();
    pipelined(&ledger, vec![order(2, "B", 1), order(3, "B", 1)]);
    let topped_up = fx.store.order(1).unwrap().unwrap();
    assert_eq!(topped_up.status, OrderStatus::Allocated);
    assert!(topped_up.allocations.iter().all(|a| a.location == "wh-1"));
    handle.submit_blocking(set_stock("A", "wh-2", 100)).unwrap();
    ledger.shutdown();

    let ledger = Ledger::start(fx.store.clone(), settings(Some(3))).unwrap();
    // wh-1 has taken orders 1, 2 and 3 today: the fourth goes to wh-2, saying why.
    let out = ledger.handle().submit_blocking(order(4, "A", 1)).unwrap();
    let Outcome::Created { id, .. } = out else {
        panic!("{out:?}")
    };
    let stored = fx.store.order(id).unwrap().unwrap();
    let at: Vec<&str> = stored
        .allocations
        .iter()
        .map(|a| a.location.as_str())
        .collect();
    assert_eq!(at, vec!["wh-2"], "wh-1 is at its capacity of 3");
    ledger.shutdown();
    fx.assert_clean();
}

#[test]
fn a_store_written_before_the_indexes_is_upgraded_when_opened() {
    let dir = tempfile::tempdir().unwrap();
    {
        let store = Arc::new(Store::open(dir.path(), 8 << 20).unwrap());
        let ledger = Ledger::start(store.clone(), settings(None)).unwrap();
        let handle = ledger.handle();
        handle.submit_blocking(set_stock("A", "wh-1", 5)).unwrap();
        pipelined(&ledger, (0..8).map(|i| order(i, "A", 1)).collect());
        ledger.shutdown();
        // What layout 2 had: no `n` entries, no counts.
        for key in store.raw_keys_under(keys::WAITING) {
            store.remove_raw_unchecked(&key).unwrap();
        }
        for status in OrderStatus::ALL {
            store
                .remove_raw_unchecked(&keys::status_count(status))
                .unwrap();
        }
        store.put_raw_unchecked(keys::META_FORMAT, &[2]).unwrap();
        assert!(!check::check(&store).unwrap().is_clean());
    }
    let store = Arc::new(Store::open(dir.path(), 8 << 20).unwrap());
    let report = check::check(&store).unwrap();
    assert!(report.is_clean(), "{:#?}", report.problems);
    let ledger = Ledger::start(store.clone(), settings(None)).unwrap();
    assert_eq!(backordered(&ledger), Some(3));
    // The upgraded store works: a count of 2 sheds the three newest holders.
    let out = ledger
        .handle()
        .submit_blocking(set_stock("A", "wh-1", 2))
        .unwrap();
    let Outcome::Stock {
        mut deallocated, ..
    } = out
    else {
        panic!("{out:?}")
    };
    deallocated.sort_unstable();
    assert_eq!(deallocated, vec![3, 4, 5]);
    ledger.shutdown();
    let report = check::check(&store).unwrap();
    assert!(report.is_clean(), "{:#?}", report.problems);
}
