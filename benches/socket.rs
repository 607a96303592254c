//! What the console socket costs: the console's reads and commands in-process and over the
//! socket of a SocketServer on the same engine, side by side.
//!
//! `cargo bench --bench socket`. ORDO_BENCH_SOCKET_ORDERS sets the store's order count
//! (default 20,000, the engine's scan limit for a filter's words, so the biggest read is a real
//! one).
//!
//! The `/` filter's words before and after the engine matched them: before, the console read
//! the newest 20,000 orders whole and matched them itself (timed here as that read plus the
//! same matcher run on its rows); after, the engine matches and answers with the page alone,
//! for a word that fills the page at once, an exact number (one hit: the whole index is
//! scanned) and a word that matches nothing (the whole index scanned, every field tried).

mod common;

use std::time::{Duration, Instant};

use ordo::client::filter::Filter;
use ordo::client::matcher::OrderMatcher;
use ordo::client::{Client, OrderQuery, SCAN_LIMIT};
use ordo::engine::socket::SocketServer;
use ordo::engine::Engine;
use ordo::ledger::{Command, LedgerSettings, Origin, StockRow};
use ordo::model::{Actor, OnUnroutable};
use ordo::routing::RuleSet;

use common::{locations, order, CACHE, SKUS};

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .map(|s| s.replace('_', ""))
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

/// (p50, p99) in milliseconds.
fn percentiles(mut v: Vec<Duration>) -> (f64, f64) {
    v.sort();
    let at = |q: f64| v[((v.len() - 1) as f64 * q).round() as usize].as_secs_f64() * 1e3;
    (at(0.5), at(0.99))
}

fn time(n: usize, mut f: impl FnMut()) -> (f64, f64) {
    let mut v = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        f();
        v.push(t.elapsed());
    }
    percentiles(v)
}

fn build(engine: &Engine, n: usize) {
    let handle = engine.ledger();
    let rows = (0..SKUS)
        .flat_map(|s| locations().into_iter().map(move |l| (s, l.id)))
        .map(|(s, l)| StockRow {
            sku: format!("SKU-{s:04}"),
            location: l,
            on_hand: 1_000_000,
            safety_stock: None,
        })
        .collect();
    handle
        .submit_blocking(Command::SetStock {
            rows,
            by: Actor::System,
        })
        .expect("stock");
    // Pipelined: all sent, then all answers awaited, so that groups fill up.
    let replies: Vec<_> = (0..n)
        .map(|i| {
            let c = Command::Ingest {
                order: Box::new(order(i)),
                origin: Origin {
                    source: "bench".into(),
                    format: "ordo".into(),
                    raw: None,
                },
                resolves: None,
            };
            handle.send_blocking(c).expect("send")
        })
        .collect();
    for r in replies {
        let _ = r.blocking_recv();
    }
}

fn main() {
    let n = env_usize("ORDO_BENCH_SOCKET_ORDERS", 20_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let settings = LedgerSettings::new(locations(), 0, RuleSet::fallback(OnUnroutable::Backorder));
    let engine = Engine::with_settings(dir.path(), CACHE, settings).expect("engine");
    let started = Instant::now();
    build(&engine, n);
    println!(
        "store: {n} orders in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let socket = dir.path().join("ordo.sock");
    let server = rt
        .block_on(SocketServer::start(&socket, engine.client(), dir.path()))
        .expect("socket server");
    let local = engine.client();
    let remote = Client::connect(&socket).expect("connect");
    let all = OrderQuery::default();
    let id = local.orders(&all, 0, 1).expect("orders").rows[0].id;

    let page = local.orders(&all, 0, 50).expect("page");
    let scan = local.orders(&all, 0, 20_000).expect("scan");
    println!(
        "answer sizes (JSON): a page of 50 orders {} kB, {} orders (what a word filter read before the engine matched) {:.1} MB, one order's detail {} kB",
        json_len(&page) / 1000,
        scan.rows.len(),
        json_len(&scan) as f64 / 1e6,
        json_len(&local.order(id).expect("detail").expect("order")) / 1000,
    );

    println!(
        "{:<46} {:>16} {:>16}",
        "p50 / p99 ms", "in-process", "over the socket"
    );
    let row = |what: &str, (a50, a99): (f64, f64), (b50, b99): (f64, f64)| {
        println!("{what:<46} {a50:>7.3} / {a99:<7.3} {b50:>7.3} / {b99:<7.3}");
    };
    let reps = 300;
    row(
        "counters",
        time(reps, || drop(local.counters())),
        time(reps, || drop(remote.counters())),
    );
    row(
        "a page of 50 orders",
        time(reps, || drop(local.orders(&all, 0, 50))),
        time(reps, || drop(remote.orders(&all, 0, 50))),
    );
    row(
        "an order's detail",
        time(reps, || drop(local.order(id))),
        time(reps, || drop(remote.order(id))),
    );
    row(
        "stock page of 50",
        time(reps, || drop(local.stock(0, 50))),
        time(reps, || drop(remote.stock(0, 50))),
    );
    row(
        "20,000 orders in one read",
        time(10, || drop(local.orders(&all, 0, 20_000))),
        time(10, || drop(remote.orders(&all, 0, 20_000))),
    );
    word_filter(&local, &remote, row);

    let by = Actor::Operator("bench".into());
    let mut toggle = 0u64;
    let mut command = || {
        toggle += 1;
        if toggle % 2 == 1 {
            Command::Hold {
                id,
                reason: "bench".into(),
                by: by.clone(),
            }
        } else {
            Command::Release { id, by: by.clone() }
        }
    };
    let local_cmd = time(100, || {
        let c = command();
        rt.block_on(local.submit(c)).expect("local command");
    });
    let remote_cmd = time(100, || {
        let c = command();
        rt.block_on(remote.submit(c)).expect("remote command");
    });
    row("a hold or release (durable)", local_cmd, remote_cmd);

    drop(remote);
    rt.block_on(server.stop());
    engine.shutdown();
}

/// The console's read under a word filter, before (the scan pulled and matched on the console's
/// side) and after (the engine's page), in-process and over the socket.
fn word_filter(local: &Client, remote: &Client, row: impl Fn(&str, (f64, f64), (f64, f64))) {
    let all = OrderQuery::default();
    let query = |w: &str| Filter::parse(w).query;
    // What the console did before: read SCAN_LIMIT orders, match, keep the window's 50.
    let before = |client: &Client| {
        let scan = client.orders(&all, 0, SCAN_LIMIT).expect("scan");
        let mut m = OrderMatcher::new(&query("lovelace"), chrono::Utc::now()).expect("words");
        let hits = scan.rows.iter().filter(|o| m.matches(o)).take(50).count();
        assert_eq!(hits, 50);
    };
    let words = [
        ("lovelace", "'lovelace' (1 in 6), page of 50"),
        ("#12345", "'#12345' (1 hit, whole scan)"),
        ("zebra", "'zebra' (no hit, whole scan)"),
        // One letter wrong: found by the typo fallback only (edit distance on every order
        // the fuzzy match failed, so the whole-scan cost of a long word is the case above).
        ("lovelase", "'lovelase' (typo, 1 in 6), page of 50"),
    ];
    let scan_bytes = json_len(&local.orders(&all, 0, SCAN_LIMIT).expect("scan"));
    let mut sizes = vec![format!(
        "before {:.1} MB (the {SCAN_LIMIT}-order scan)",
        scan_bytes as f64 / 1e6
    )];
    for (w, _) in words {
        let page = local.orders(&query(w), 0, 50).expect("page");
        sizes.push(format!(
            "{w}: {} rows, {} bytes",
            page.rows.len(),
            json_len(&page)
        ));
    }
    println!("word filter answers (JSON): {}", sizes.join("; "));
    row(
        "words before: scan 20,000 + match",
        time(10, || before(local)),
        time(10, || before(remote)),
    );
    for (w, what) in words {
        let q = query(w);
        row(
            &format!("words after: {what}"),
            time(30, || drop(local.orders(&q, 0, 50))),
            time(30, || drop(remote.orders(&q, 0, 50))),
        );
    }
}

/// The JSON size of an answer, the way the socket sends it.
fn json_len<T: serde::Serialize>(value: &T) -> usize {
    serde_json::to_vec(value).map_or(0, |v| v.len())
}
