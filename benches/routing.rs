//! Routing budgets (DESIGN.md): one decision for 20 locations and a 3-line order, p99 under
//! 20 microseconds; and the what-if replay of the last 10,000 orders under edited rules in
//! under a second, on a real store.
//!
//! `cargo bench --bench routing`

#[path = "../tests/common/orders.rs"]
mod orders;

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use rust_decimal::Decimal;

use ordo::ledger::{Ledger, LedgerSettings};
use ordo::model::{
    Address, ChannelOrder, Customer, Line, Location, LocationKind, OnUnroutable, StockLevel, Totals,
};
use ordo::routing::{route, RouteLine, RouteRequest, Rule, RuleSet, Site, StockTable};
use ordo::store::Store;

fn locations() -> Vec<Location> {
    (0..20)
        .map(|i| Location {
            id: format!("{}-{i:02}", if i % 4 == 0 { "wh" } else { "store" }),
            name: format!("Location {i}"),
            kind: if i % 4 == 0 {
                LocationKind::Warehouse
            } else {
                LocationKind::Store
            },
            priority: Some(i % 5 + 1),
            lat: Some(30.0 + f64::from(i)),
            lon: Some(-120.0 + f64::from(i) * 2.5),
            tags: vec![if i % 4 == 0 {
                "dc".into()
            } else {
                "store".into()
            }],
            channels: if i % 7 == 3 {
                vec!["pos".into()]
            } else {
                vec![]
            },
            daily_capacity: (i % 3 == 0).then_some(500),
        })
        .collect()
}

fn rules(json: &str) -> RuleSet {
    let rules: Vec<Rule> = serde_json::from_str(json).expect("bench rules parse");
    RuleSet::new(rules, OnUnroutable::Backorder).expect("bench rules are valid")
}

/// Rules of a realistic shop: pickup, a review hold, one-box from DCs, splits, partial.
const RULES: &str = r#"[
  {"name":"Pickup","when":{"ship_methods":["pickup"]},"locations":["$pickup"],"split":"never","sort":["priority"]},
  {"name":"Review","when":{"total_min":"2500.00"},"action":"hold","reason":"high value"},
  {"name":"One box","locations":["tag:dc"],"split":"never","sort":["closest","priority"]},
  {"name":"Split","locations":["tag:dc","store-1*"],"split":"allowed","sort":["fewest_splits","closest","priority"]},
  {"name":"Partial","locations":["*"],"split":"partial","sort":["most_stock","priority"]}]"#;

/// The same world with the DC rule pushed down: what an operator might try in a what-if.
const EDITED: &str = r#"[
  {"name":"Pickup","when":{"ship_methods":["pickup"]},"locations":["$pickup"],"split":"never","sort":["priority"]},
  {"name":"Stores first","locations":["tag:store"],"split":"never","sort":["closest"]},
  {"name":"Split","locations":["*"],"split":"allowed","sort":["fewest_splits","closest","priority"]}]"#;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p) as usize]
}

fn decision_latency() {
    let locs = locations();
    let sites: Vec<Site> = locs
        .iter()
        .enumerate()
        .map(|(i, location)| Site {
            location,
            allocated_today: i as u32 * 20,
        })
        .collect();
    let mut stock = StockTable::new();
    for (i, l) in locs.iter().enumerate() {
        for (k, sku) in ["SKU-A", "SKU-B", "SKU-C"].iter().enumerate() {
            let on_hand = ((i * 7 + k * 3) % 6) as i64;
            stock.set(
                *sku,
                l.id.clone(),
                StockLevel {
                    on_hand,
                    reserved: 0,
                    safety_stock: 0,
                },
            );
        }
    }
    let rules = rules(RULES);
    // Three shapes of 3-line order: one box fits, a split is needed, and stock is short.
    let requests: Vec<RouteRequest> = [[2, 1, 1], [4, 5, 3], [60, 60, 60]]
        .iter()
        .enumerate()
        .map(|(n, q)| RouteRequest {
            order_id: n.to_string(),
            channel: "shopify".into(),
            ship_method: "standard".into(),
            pickup_location: None,
            total: Decimal::new(12900, 2),
            country: Some("US".into()),
            postal_code: Some("10001".into()),
            lat: Some(40.75),
            lon: Some(-73.99),
            lines: ["SKU-A", "SKU-B", "SKU-C"]
                .iter()
                .zip(q)
                .enumerate()
                .map(|(i, (sku, qty))| RouteLine {
                    line: i as u32 + 1,
                    sku: sku.to_string(),
                    qty: *qty,
                })
                .collect(),
            skip_hold_rules: false,
        })
        .collect();
    for req in &requests {
        let rounds = 100_000;
        let mut times = Vec::with_capacity(rounds);
        let mut last = None;
        let started = Instant::now();
        for _ in 0..rounds {
            let t = Instant::now();
            let d = route(req, &sites, &stock, &rules);
            times.push(t.elapsed());
            last = Some(d);
        }
        let total = started.elapsed();
        times.sort();
        let d = last.expect("ran");
        println!(
            "decision (20 locations, 3 lines, {} rules) -> {} by {:?}: {:.0} decisions/s, p50 {:.2} us, p99 {:.2} us, max {:.1} us; budget p99 < 20 us: {}",
            rules.len(),
            d.status,
            d.rule.as_deref().unwrap_or("-"),
            rounds as f64 / total.as_secs_f64(),
            percentile(&times, 0.5).as_secs_f64() * 1e6,
            percentile(&times, 0.99).as_secs_f64() * 1e6,
            times[times.len() - 1].as_secs_f64() * 1e6,
            if percentile(&times, 0.99) < Duration::from_micros(20) { "met" } else { "MISSED" }
        );
    }
}

fn order(i: usize) -> ChannelOrder {
    let at =
        Utc.with_ymd_and_hms(2026, 11, 28, 8, 0, 0).unwrap() + chrono::Duration::seconds(i as i64);
    let lines = (0..3)
        .map(|l| Line {
            unit_price: Decimal::new(1999, 2),
            ..orders::line(
                l + 1,
                &format!("SKU-{:03}", (i * 7 + l as usize * 13) % 100),
                1 + (i + l as usize) as u32 % 2,
            )
        })
        .collect();
    ChannelOrder {
        number: format!("#{}", 1000 + i),
        customer: Customer {
            name: Some("Ada".into()),
            email: None,
            phone: None,
        },
        ship_to: Some(Address {
            country: "US".into(),
            postal_code: "10001".into(),
            lat: Some(25.0 + (i % 20) as f64),
            lon: Some(-120.0 + (i % 40) as f64),
            ..Address::default()
        }),
        totals: Totals {
            total: Decimal::new(5997, 2),
            ..Totals::default()
        },
        ..orders::paid_order(
            ["shopify", "woocommerce", "amazon"][i % 3],
            &format!("{}", 7_000_000 + i),
            at,
            lines,
        )
    }
}

fn replay_10000() {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Arc::new(Store::open(dir.path(), 64 << 20).expect("store"));
    let locs = locations();
    let ledger = Ledger::start(
        store.clone(),
        LedgerSettings::new(locs.clone(), 0, rules(RULES)),
    )
    .expect("ledger");
    let handle = ledger.handle();
    let skus = (0..100).map(|s| format!("SKU-{s:03}"));
    handle
        .submit_blocking(orders::set_stock_everywhere(skus, &locs, 400))
        .expect("stock");
    let receivers: Vec<_> = (0..12_000)
        .map(|i| {
            handle
                .send_blocking(orders::ingest(order(i), "bench", "ordo"))
                .expect("send")
        })
        .collect();
    for r in receivers {
        r.blocking_recv().expect("answer").expect("ingested");
    }
    drop(handle);
    ledger.shutdown();

    let edited = rules(EDITED);
    let mut times = Vec::new();
    let mut last = None;
    for _ in 0..5 {
        let started = Instant::now();
        let orders = ordo::whatif::last_open_orders(&store, 10_000).expect("read orders");
        let summary = ordo::whatif::replay(&store, &locs, &edited, &orders).expect("replay");
        times.push(started.elapsed());
        last = Some(summary);
    }
    times.sort();
    let s = last.expect("ran");
    println!(
        "what-if replay of the last {} orders under edited rules (read + route + summarize): best {:.0} ms, median {:.0} ms; {} would move; budget < 1 s: {}",
        s.replayed,
        times[0].as_secs_f64() * 1000.0,
        times[times.len() / 2].as_secs_f64() * 1000.0,
        s.would_move,
        if times[times.len() / 2] < Duration::from_secs(1) { "met" } else { "MISSED" }
    );
}

fn main() {
    decision_latency();
    replay_10000();
}
