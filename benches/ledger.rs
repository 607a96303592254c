//! Ingest throughput: orders ingested, routed, reserved and durably committed per second by the
//! real ledger on a real sled store, against raw sled batch writes of the same number and size
//! of keys in the same number of flushed batches, measured in the same run.
//!
//! `cargo bench --bench ledger` (ORDO_BENCH_ORDERS sets the count, default 50000).

mod common;
#[path = "../tests/common/orders.rs"]
mod orders;

use std::sync::Arc;
use std::time::Instant;

use ordo::ledger::{Command, Ledger, LedgerSettings, Outcome};
use ordo::model::OnUnroutable;
use ordo::routing::RuleSet;

use common::{locations, order, CACHE, SKUS};
use ordo::store::{RawRecord, Store};

struct Run {
    seconds: f64,
    commits: u64,
    keys: u64,
    key_bytes: u64,
    value_bytes: u64,
}

fn ledger_run(n: usize) -> (Run, Vec<RawRecord>) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Arc::new(Store::open(dir.path(), CACHE).expect("open store"));
    let ledger = Ledger::start(
        store.clone(),
        LedgerSettings::new(locations(), 0, RuleSet::fallback(OnUnroutable::Backorder)),
    )
    .expect("start ledger");
    let handle = ledger.handle();
    let skus = (0..SKUS).map(|s| format!("SKU-{s:04}"));
    handle
        .submit_blocking(orders::set_stock_everywhere(skus, &locations(), 1_000_000))
        .expect("stock");
    let before = stats(&store);
    let commands: Vec<Command> = (0..n)
        .map(|i| orders::ingest(order(i), "bench", "ordo"))
        .collect();

    let started = Instant::now();
    let (tx, rx) = std::sync::mpsc::sync_channel(16_384);
    let producer = {
        let handle = handle.clone();
        std::thread::spawn(move || {
            for c in commands {
                let reply = handle.send_blocking(c).expect("send");
                if tx.send(reply).is_err() {
                    break;
                }
            }
        })
    };
    let mut allocated = 0;
    for reply in rx {
        if let Ok(Ok(Outcome::Created { status, .. })) = reply.blocking_recv() {
            if status == ordo::model::OrderStatus::Allocated {
                allocated += 1;
            }
        }
    }
    let seconds = started.elapsed().as_secs_f64();
    producer.join().expect("producer");
    assert_eq!(allocated, n, "every order should be allocated");
    let after = stats(&store);
    ledger.shutdown();
    let records = store.raw_records().expect("read back");
    let run = Run {
        seconds,
        commits: after.0 - before.0,
        keys: after.1 - before.1,
        key_bytes: after.2 - before.2,
        value_bytes: after.3 - before.3,
    };
    (run, records)
}

fn stats(store: &Store) -> (u64, u64, u64, u64) {
    use std::sync::atomic::Ordering::Relaxed;
    let s = store.write_stats();
    (
        s.commits.load(Relaxed),
        s.keys.load(Relaxed),
        s.key_bytes.load(Relaxed),
        s.value_bytes.load(Relaxed),
    )
}

/// Raw sled doing the ledger's writes without the ledger: the records the ledger stored (read
/// back, so keys and sizes are the real ones), written as the same number of key writes in the
/// same number of batches, each applied and flushed.
fn raw_run(records: &[RawRecord], like: &Run) -> f64 {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = ordo::store::sled_config(dir.path(), CACHE)
        .open()
        .expect("open sled");
    let tree = db.open_tree("raw").expect("tree");
    let per_batch = (like.keys / like.commits).max(1);
    let started = Instant::now();
    let mut written = 0u64;
    let mut source = records.iter().cycle();
    while written < like.keys {
        let mut batch = sled::Batch::default();
        for _ in 0..per_batch.min(like.keys - written) {
            let (k, v) = source.next().expect("records is not empty");
            // Cycling past the end rewrites keys under a fresh suffix so each write is an insert.
            let mut key = k.clone();
            key.extend_from_slice(&(written / records.len() as u64).to_be_bytes());
            batch.insert(key, v.as_slice());
            written += 1;
        }
        tree.apply_batch(batch).expect("apply");
        db.flush().expect("flush");
    }
    started.elapsed().as_secs_f64()
}

fn main() {
    let n: usize = std::env::var("ORDO_BENCH_ORDERS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(50_000);
    // A short warm-up so that page faults and thread start-up are not billed to either side.
    let _ = ledger_run(2_000);
    // Three rounds, alternating, best of each: the machine has two cores, and its disk's
    // latency (fsync per group) varies from run to run.
    let mut best: Option<Run> = None;
    let mut raw_best = f64::MAX;
    for _ in 0..3 {
        let (run, records) = ledger_run(n);
        raw_best = raw_best.min(raw_run(&records, &run));
        if best.as_ref().is_none_or(|b| run.seconds < b.seconds) {
            best = Some(run);
        }
    }
    let run = best.expect("three rounds ran");
    let raw_seconds = raw_best;
    let orders_per_s = n as f64 / run.seconds;
    let ratio = raw_seconds / run.seconds;
    println!(
        "ledger ingest: {n} orders (3 lines each), best of 3: {:.3} s",
        run.seconds
    );
    println!(
        "  {} group commits, {:.2} key writes per order, {:.0} bytes written per order",
        run.commits,
        run.keys as f64 / n as f64,
        (run.key_bytes + run.value_bytes) as f64 / n as f64
    );
    println!("  orders/s (ingest + route + reserve + durable commit): {orders_per_s:.0}");
    println!(
        "raw sled, the same {} key writes of the stored records in {} flushed batches, best of 3: {raw_seconds:.3} s ({:.0} orders/s equivalent)",
        run.keys,
        run.commits,
        n as f64 / raw_seconds
    );
    println!("ratio ledger/raw throughput: {ratio:.2}");
    println!(
        "budget: >= 20000 orders/s: {}; ratio >= 0.5: {}",
        if orders_per_s >= 20_000.0 {
            "met"
        } else {
            "MISSED"
        },
        if ratio >= 0.5 { "met" } else { "MISSED" }
    );
}
