//! The ledger's filter of stored order ids (src/ledger/known_ids.rs) is saved at a clean
//! shutdown and taken at the next start instead of reading the external-id index. A filter that
//! lacks an id the store holds would let a replayed order in twice, so these tests replay every
//! order after each way the saved filter could fall behind the store: orders written after it
//! was saved (a stale counter), and an index entry put back by `check --repair`.

#[path = "common/orders.rs"]
mod orders;

use std::sync::Arc;

use chrono::{TimeZone, Utc};

use ordo::ledger::{Command, Ledger, LedgerSettings, Outcome};
use ordo::model::{OnUnroutable, OrderStatus};
use ordo::routing::RuleSet;
use ordo::store::{check, keys, Store};

fn settings() -> LedgerSettings {
    let wh = orders::warehouse("wh-1", 1);
    LedgerSettings::new(vec![wh], 0, RuleSet::fallback(OnUnroutable::Backorder))
}

fn order(ext: usize) -> Command {
    let at = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
    let lines = vec![orders::line(1, "A", 1)];
    orders::ingest(
        orders::paid_order("web", &format!("E{ext}"), at, lines),
        "test",
        "ordo",
    )
}

/// Ingests orders `range`, pipelined (so they go in groups), and returns how many were
/// created; the others must have been recognised as stored.
fn ingest(ledger: &Ledger, range: std::ops::Range<usize>) -> usize {
    let handle = ledger.handle();
    let pending: Vec<_> = range
        .map(|i| handle.send_blocking(order(i)).unwrap())
        .collect();
    pending
        .into_iter()
        .map(|rx| rx.blocking_recv().unwrap().unwrap())
        .filter(|o| match o {
            Outcome::Created { .. } => true,
            Outcome::Unchanged { .. } => false,
            other => panic!("unexpected outcome {other:?}"),
        })
        .count()
}

fn start(store: &Arc<Store>) -> Ledger {
    let ledger = Ledger::start(store.clone(), settings()).unwrap();
    let stock = orders::set_stock("A", "wh-1", 1_000, None);
    ledger.handle().submit_blocking(stock).unwrap();
    ledger
}

/// The saved filter's records (chunks); none when no filter is saved.
fn saved_filter(store: &Store) -> Option<Vec<(Vec<u8>, Vec<u8>)>> {
    let records = store.raw_records_under(keys::META_KNOWN_IDS);
    (!records.is_empty()).then_some(records)
}

fn orders(store: &Store) -> u64 {
    OrderStatus::ALL
        .iter()
        .map(|s| store.meta_u64(&keys::status_count(*s)).unwrap())
        .sum()
}

#[test]
fn the_filter_is_saved_at_shutdown_taken_at_start_and_knows_every_order() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open(dir.path(), 8 << 20).unwrap());
    let ledger = start(&store);
    assert_eq!(ingest(&ledger, 0..300), 300);
    ledger.shutdown();
    assert!(saved_filter(&store).is_some(), "saved at a clean shutdown");

    let ledger = start(&store);
    assert!(saved_filter(&store).is_none(), "taken (removed) at start");
    assert_eq!(ingest(&ledger, 0..300), 0, "every replay is known");
    assert_eq!(ingest(&ledger, 300..310), 10);
    ledger.shutdown();
    assert_eq!(orders(&store), 310);
    assert!(check::check(&store).unwrap().is_clean());
}

#[test]
fn a_filter_saved_before_later_orders_is_not_used() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open(dir.path(), 8 << 20).unwrap());
    let ledger = start(&store);
    assert_eq!(ingest(&ledger, 0..100), 100);
    ledger.shutdown();
    let older = saved_filter(&store).expect("saved");

    let ledger = start(&store);
    assert_eq!(ingest(&ledger, 100..200), 100);
    ledger.shutdown();
    // As if the last shutdown had not saved its filter (a crash) and the first one's were
    // still there: it covers orders 0..100 only.
    for (key, chunk) in &older {
        store.put_raw_unchecked(key, chunk).unwrap();
    }

    let ledger = start(&store);
    assert_eq!(ingest(&ledger, 0..200), 0, "orders 100..200 are known too");
    ledger.shutdown();
    assert_eq!(orders(&store), 200);
}

#[test]
fn a_repaired_index_entry_drops_the_saved_filter() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open(dir.path(), 8 << 20).unwrap());
    let ledger = start(&store);
    assert_eq!(ingest(&ledger, 0..50), 50);
    ledger.shutdown();
    // Order E7's external-id entry is lost: a start reads the index, so the filter it saves
    // at shutdown lacks E7.
    let entry = store
        .raw_keys_under(keys::EXTERNAL)
        .into_iter()
        .find(|k| k.ends_with(b"\0E7"))
        .expect("E7's entry");
    store.remove_raw_unchecked(&entry).unwrap();
    for (key, _) in saved_filter(&store).expect("saved") {
        store.remove_raw_unchecked(&key).unwrap();
    }
    let ledger = start(&store);
    // Let the index read finish and be taken before the shutdown saves it.
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert_eq!(ingest(&ledger, 50..51), 1);
    ledger.shutdown();
    assert!(saved_filter(&store).is_some());

    // `ordo check --repair` puts E7's entry back, and must drop the filter that lacks it.
    let report = check::check(&store).unwrap();
    assert!(!report.is_clean());
    let report = check::repair(&store, report).unwrap();
    assert!(report.is_clean(), "{:#?}", report.problems);
    assert!(saved_filter(&store).is_none());

    let ledger = start(&store);
    assert_eq!(ingest(&ledger, 0..51), 0, "E7 is not taken in twice");
    ledger.shutdown();
    assert_eq!(orders(&store), 51);
}
