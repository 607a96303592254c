//! The demo's catalog and order feed: the catalog is the demo world, the feed is deterministic
//! for a seed and makes valid orders, and 300 of them through a real ledger on the demo config
//! show every rule at work (allocated, held for review and for fraud watch, backordered,
//! picked up in store) and leave a store whose invariants hold.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Duration, TimeZone, Utc};

use ordo::config::Config;
use ordo::engine::Engine;
use ordo::ledger::{Command, LedgerSettings};
use ordo::model::{Actor, ChannelOrder, Money, OrderStatus};
use ordo::routing::geo::{ship_to_coordinates, GeoSource};
use ordo::sim::{feed, Catalog, Feed, Pacer};
use ordo::store::check;

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 28, 9, 0, 0).unwrap()
}

/// `n` versions from a feed, one every 3 seconds from `t0`.
fn versions(seed: u64, n: usize) -> Vec<ChannelOrder> {
    let mut feed = Feed::new(seed, Catalog::demo());
    (0..n)
        .map(|i| feed.next(t0() + Duration::seconds(3 * i as i64)))
        .collect()
}

#[test]
fn the_catalog_is_the_demo_world() {
    let catalog = Catalog::demo();
    assert!(catalog.items.len() >= 200, "{} SKUs", catalog.items.len());
    let config = Config::embedded_default();
    let ids: Vec<&str> = config.locations.iter().map(|l| l.id.as_str()).collect();
    assert_eq!(
        catalog.locations, ids,
        "catalog columns = the demo locations"
    );
    for sku in ["GIFTCARD-50", "GIFTCARD-100", "GIFTCARD-250"] {
        assert!(catalog.item(sku).is_some(), "{sku} (fraud-watch rule)");
    }
    let premium = catalog
        .items
        .iter()
        .filter(|i| i.unit_price >= Money::from(1000))
        .count();
    assert!(premium >= 3, "{premium} items of 1000.00 or more");
    let scarce = catalog
        .items
        .iter()
        .filter(|i| i.total_on_hand() < 4)
        .count();
    assert!(scarce >= 10, "{scarce} scarce SKUs");
    let in_stores = catalog
        .items
        .iter()
        .filter(|i| catalog.on_hand(&i.sku, "store-nyc") > 0)
        .count();
    assert!(in_stores >= 50, "{in_stores} SKUs on the NYC shelves");
    // The CSV on disk is the one compiled in.
    let on_disk = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo-catalog.csv"),
    )
    .unwrap();
    assert_eq!(on_disk, ordo::sim::DEMO_CATALOG_CSV);
}

#[test]
fn catalog_errors_name_the_line() {
    let bad = "sku,title,unit_price,wh-east\nA,Thing,1.00,3\nB,Other,abc,1\n";
    let err = Catalog::parse(bad).unwrap_err();
    assert!(err.contains("line 3"), "{err}");
    let err = Catalog::parse("sku,price\nA,1\n").unwrap_err();
    assert!(err.contains("header"), "{err}");
    let err = Catalog::parse("sku,title,unit_price,x\nA,T,1,2\nA,T,1,2\n").unwrap_err();
    assert!(err.contains("twice"), "{err}");
}

#[test]
fn the_feed_is_deterministic_for_a_seed() {
    let a = versions(7, 600);
    let b = versions(7, 600);
    assert_eq!(a, b);
    let c = versions(8, 600);
    assert_ne!(a, c, "another seed, other orders");

    let mut p = Pacer::new(7, 3.0);
    let mut q = Pacer::new(7, 3.0);
    let a: Vec<_> = (0..500).map(|_| p.next_delay()).collect();
    let b: Vec<_> = (0..500).map(|_| q.next_delay()).collect();
    assert_eq!(a, b);
    let mean = a.iter().map(|d| d.as_secs_f64()).sum::<f64>() / a.len() as f64;
    assert!(
        (0.27..0.4).contains(&mean),
        "mean gap {mean:.3}s at 3/s with bursts"
    );
    eprintln!("mean gap {mean:.3}s");
    let bursty = a.iter().filter(|d| d.as_secs_f64() < 0.05).count();
    assert!(bursty >= 20, "{bursty} gaps under 50 ms: bursts");
}

#[test]
fn feed_orders_are_valid() {
    let catalog = Catalog::demo();
    let all = versions(42, 1500);
    let mut last: HashMap<(String, String), ChannelOrder> = HashMap::new();
    let mut channels = BTreeMap::new();
    let (mut edits, mut cancels, mut pickups, mut captured) = (0, 0, 0, 0);
    for order in &all {
        let at = format!("{} {}", order.channel, order.external_id);
        assert!(order.problems().is_empty(), "{at}: {:?}", order.problems());
        assert!((1..=4).contains(&order.lines.len()), "{at}: lines");
        let skus: HashSet<&str> = order.lines.iter().map(|l| l.sku.as_str()).collect();
        assert_eq!(skus.len(), order.lines.len(), "{at}: distinct SKUs");
        for (i, line) in order.lines.iter().enumerate() {
            assert_eq!(line.line, i as u32 + 1, "{at}");
            assert!(line.quantity >= 1, "{at}");
            let item = catalog
                .item(&line.sku)
                .unwrap_or_else(|| panic!("{at}: {} not in the catalog", line.sku));
            assert_eq!(line.unit_price, item.unit_price, "{at}");
        }
        let t = &order.totals;
        assert_eq!(
            t.subtotal,
            order
                .lines
                .iter()
                .map(|l| l.unit_price * Money::from(l.quantity))
                .sum::<Money>(),
            "{at}"
        );
        assert_eq!(
            t.total,
            t.subtotal - t.discount + t.shipping + t.tax,
            "{at}"
        );
        assert!(t.total > Money::ZERO, "{at}");
        assert_eq!(order.currency, "USD");
        match &order.pickup_location {
            Some(store) => {
                assert_eq!(order.ship_method, "pickup", "{at}");
                assert!(store == "store-nyc" || store == "store-sf", "{at}");
                if store == "store-nyc" {
                    // store-nyc serves shopify and pos only.
                    assert!(["shopify", "pos"].contains(&order.channel.as_str()), "{at}");
                }
            }
            None => {
                assert_ne!(order.ship_method, "pickup", "{at}");
                let a = order.ship_to.as_ref().expect("ship_to");
                assert_eq!(a.country, "US");
                let (lat, lon, source) =
                    ship_to_coordinates(a.lat, a.lon, Some(&a.country), Some(&a.postal_code));
                assert_eq!(
                    source,
                    GeoSource::PostalCentroid,
                    "{at}: ZIP {} ({}) does not geocode",
                    a.postal_code,
                    a.city
                );
                assert!(lat.is_some() && lon.is_some());
            }
        }
        let key = (order.channel.clone(), order.external_id.clone());
        match last.get(&key) {
            None => {
                assert_eq!(order.created_at, order.updated_at, "{at}");
                assert!(!order.cancelled, "{at}: a new order is not cancelled");
                if order.pickup_location.is_some() {
                    pickups += 1;
                }
            }
            Some(prev) => {
                assert!(order.updated_at > prev.updated_at, "{at}: newer version");
                assert_eq!(order.created_at, prev.created_at, "{at}");
                assert_eq!(order.lines.len(), prev.lines.len(), "{at}");
                let before: u32 = prev.lines.iter().map(|l| l.quantity).sum();
                let after: u32 = order.lines.iter().map(|l| l.quantity).sum();
                if order.cancelled {
                    cancels += 1;
                } else if after < before {
                    assert_eq!(after + 1, before, "{at}: one unit less");
                    assert!(order.totals.total < prev.totals.total, "{at}");
                    edits += 1;
                } else {
                    assert_ne!(prev.financial_status, order.financial_status, "{at}");
                    captured += 1;
                }
            }
        }
        *channels.entry(order.channel.clone()).or_insert(0) += 1;
        last.insert(key, order.clone());
    }
    let names: Vec<&str> = channels.keys().map(String::as_str).collect();
    assert_eq!(names, ["amazon", "pos", "shopify", "woocommerce"]);
    eprintln!("{edits} edits, {cancels} cancels, {pickups} pickups, {captured} captured");
    assert!(edits >= 10, "{edits} edits");
    assert!(cancels >= 10, "{cancels} cancellations");
    assert!(pickups >= 50, "{pickups} pickups");
    assert!(captured >= 1, "{captured} payments captured");
    let gift = last
        .values()
        .filter(|o| o.lines.iter().any(|l| l.sku.starts_with("GIFTCARD-")))
        .count();
    let big = last
        .values()
        .filter(|o| o.totals.total >= Money::from(1000))
        .count();
    assert!(
        gift >= 10 && big >= 10,
        "{gift} with gift cards, {big} of 1000+"
    );
}

#[test]
fn three_hundred_orders_through_the_ledger_show_every_rule() {
    let dir = tempfile::tempdir().unwrap();
    let config = Config::embedded_default();
    let settings = LedgerSettings::new(
        config.locations.clone(),
        config.inventory.default_safety_stock,
        config.rule_set(),
    );
    let engine = Engine::with_settings(dir.path(), 16 << 20, settings).unwrap();
    let ledger = engine.ledger();
    let catalog = Catalog::demo();
    ledger
        .submit_blocking(Command::SetStock {
            rows: catalog.stock_rows(|_| true),
            by: Actor::System,
        })
        .unwrap();
    let mut feed = Feed::new(7, catalog);
    let mut replies = Vec::new();
    for i in 0..300 {
        let order = feed.next(t0() + Duration::seconds(20 * i));
        let command = Command::Ingest {
            order: Box::new(order),
            origin: feed::origin(),
            resolves: None,
        };
        replies.push(ledger.send_blocking(command).unwrap());
    }
    for reply in replies {
        reply
            .blocking_recv()
            .unwrap()
            .expect("every feed order is taken");
    }
    let store = engine.store().clone();
    let orders: Vec<_> = store.orders().map(Result::unwrap).collect();
    assert!(orders.len() >= 250, "{} orders", orders.len());
    assert_eq!(store.quarantined().count(), 0, "nothing quarantined");

    let count = |s: OrderStatus| orders.iter().filter(|o| o.status == s).count();
    let held = |why: &str| {
        orders
            .iter()
            .filter(|o| {
                o.status == OrderStatus::Held
                    && o.hold_reason.as_deref().is_some_and(|r| r.contains(why))
            })
            .count()
    };
    let picked_up = orders
        .iter()
        .filter(|o| {
            let co = &o.channel_order;
            co.ship_method == "pickup"
                && o.status == OrderStatus::Allocated
                && o.allocations
                    .iter()
                    .all(|a| Some(&a.location) == co.pickup_location.as_ref())
        })
        .count();
    let summary = format!(
        "allocated {}, held {} (review {}, fraud {}), backordered {}, cancelled {}, pickup {}",
        count(OrderStatus::Allocated),
        count(OrderStatus::Held),
        held("review"),
        held("fraud"),
        count(OrderStatus::Backordered),
        count(OrderStatus::Cancelled),
        picked_up,
    );
    eprintln!("{summary}");
    assert!(count(OrderStatus::Allocated) >= 150, "{summary}");
    assert!(held("review") >= 1, "{summary}");
    assert!(held("fraud") >= 1, "{summary}");
    assert!(count(OrderStatus::Backordered) >= 1, "{summary}");
    assert!(count(OrderStatus::Cancelled) >= 1, "{summary}");
    assert!(picked_up >= 10, "{summary}");
    let dropship = orders
        .iter()
        .any(|o| o.allocations.iter().any(|a| a.location == "dropship-acme"));
    assert!(dropship, "the drop-shipper takes something: {summary}");

    let report = check::check(&store).unwrap();
    assert!(report.is_clean(), "{:?}", report.problems);
    drop(store);
    engine.shutdown();
}
