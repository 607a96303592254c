//! The outbox (invariant 6) through a real engine and store: every change of a channel's
//! available-to-sell writes a push intent in the same commit; the latest figure of a SKU
//! replaces an unsent older one; a confirmation settles only the intent that was sent;
//! intents survive a restart; a shipment of a channel's order becomes a fulfillment intent.

#[path = "common/orders.rs"]
mod orders;

use chrono::{TimeZone, Utc};

use ordo::config::Config;
use ordo::engine::Engine;
use ordo::ledger::{Command, LedgerHandle, Outcome};
use ordo::model::{Actor, Line, PushIntent, PushWhat};

const CONFIG: &str = r#"
[[locations]]
id = "wh-east"
kind = "warehouse"
priority = 1
lat = 40.7357
lon = -74.1724

[[locations]]
id = "store-nyc"
kind = "store"
priority = 2
lat = 40.7505
lon = -73.9934
channels = ["pos"]

[[channels]]
id = "shop"
kind = "shopify"
base_url = "https://shop.example.com"
token_env = "SHOP_TOKEN"

[[channels.buffers]]
skus = "TEE*"
safety = 2
percent = 50

[[channels]]
id = "market"
kind = "amazon"
base_url = "https://sellingpartnerapi-na.amazon.com"
refresh_token_env = "A"
client_id_env = "B"
client_secret_env = "C"
marketplace_ids = ["ATVPDKIKX0DER"]
"#;

fn engine(dir: &std::path::Path) -> Engine {
    std::fs::write(dir.join("ordo.toml"), CONFIG).unwrap();
    let config = Config::load(&dir.join("ordo.toml")).unwrap();
    Engine::open(&config, &dir.join("data")).unwrap()
}

fn set(ledger: &LedgerHandle, sku: &str, location: &str, on_hand: i64) {
    ledger
        .submit_blocking(orders::set_stock(sku, location, on_hand, Some(0)))
        .unwrap();
}

fn stock_intents(e: &Engine, channel: &str) -> Vec<(String, i64, u64)> {
    e.store()
        .outbox(channel)
        .unwrap()
        .into_iter()
        .filter_map(|(_, i)| match i.what {
            PushWhat::Stock { sku, available } => Some((sku, available, i.seq)),
            _ => None,
        })
        .collect()
}

fn order(ext: &str, qty: u32) -> Command {
    let at = Utc.with_ymd_and_hms(2026, 11, 28, 9, 0, 0).unwrap();
    let line = Line {
        channel_line_id: Some("li-77".into()),
        ..orders::line(1, "TEE", qty)
    };
    orders::ingest(
        orders::paid_order("shop", ext, at, vec![line]),
        "shop",
        "test",
    )
}

#[test]
fn every_change_of_a_channel_figure_writes_one_intent_and_the_latest_wins() {
    let dir = tempfile::tempdir().unwrap();
    let e = engine(dir.path());
    let l = e.ledger();
    set(&l, "TEE", "wh-east", 20);
    // store-nyc serves only `pos`: its units never count for the web channels.
    set(&l, "TEE", "store-nyc", 100);
    set(&l, "MUG", "wh-east", 7);
    // shop: TEE through its buffer: (20 - 2) * 50% = 9; MUG has no buffer there: 7.
    let shop = stock_intents(&e, "shop");
    let figure =
        |v: &[(String, i64, u64)], sku: &str| v.iter().find(|(s, _, _)| s == sku).map(|x| x.1);
    assert_eq!(figure(&shop, "TEE"), Some(9), "{shop:?}");
    assert_eq!(figure(&shop, "MUG"), Some(7));
    let market = stock_intents(&e, "market");
    assert_eq!(figure(&market, "TEE"), Some(20), "{market:?}");
    assert_eq!(
        shop.len(),
        2,
        "one intent per (channel, SKU), the latest figure: {shop:?}"
    );

    // An order reserves 4: TEE goes to (16 - 2) * 50% = 7 for shop, 16 for market.
    let out = l.submit_blocking(order("A", 4)).unwrap();
    assert!(matches!(out, Outcome::Created { .. }), "{out:?}");
    let shop2 = stock_intents(&e, "shop");
    assert_eq!(figure(&shop2, "TEE"), Some(7));
    assert_eq!(figure(&stock_intents(&e, "market"), "TEE"), Some(16));
    let old_seq = shop.iter().find(|x| x.0 == "TEE").unwrap().2;
    let new_seq = shop2.iter().find(|x| x.0 == "TEE").unwrap().2;
    assert!(new_seq > old_seq);

    // Confirming the figure that was sent before the change settles nothing: 7 must still go.
    let key = ordo::store::keys::outbox_stock("shop", "TEE");
    l.submit_blocking(Command::OutboxDone {
        done: vec![(key.clone(), old_seq)],
        refused: vec![],
    })
    .unwrap();
    assert_eq!(figure(&stock_intents(&e, "shop"), "TEE"), Some(7));
    l.submit_blocking(Command::OutboxDone {
        done: vec![(key, new_seq)],
        refused: vec![],
    })
    .unwrap();
    assert_eq!(figure(&stock_intents(&e, "shop"), "TEE"), None);

    // A change that leaves a channel's figure as it was writes nothing for it: 1 more unit at
    // the store (which serves only pos) changes neither web figure.
    set(&l, "TEE", "store-nyc", 101);
    assert_eq!(figure(&stock_intents(&e, "shop"), "TEE"), None);
    e.shutdown();

    // Pending intents survive a restart; a restart with unchanged figures adds none.
    let e = engine(dir.path());
    let after = stock_intents(&e, "shop");
    assert_eq!(after.len(), 1, "MUG is still pending: {after:?}");
    assert_eq!(figure(&after, "MUG"), Some(7));
    assert_eq!(stock_intents(&e, "market").len(), 2);
    e.shutdown();
}

#[test]
fn a_refused_push_is_settled_with_an_event_and_a_shipment_becomes_a_fulfillment_intent() {
    let dir = tempfile::tempdir().unwrap();
    let e = engine(dir.path());
    let l = e.ledger();
    set(&l, "TEE", "wh-east", 20);
    let Outcome::Created { id, .. } = l.submit_blocking(order("B", 2)).unwrap() else {
        panic!()
    };
    l.submit_blocking(Command::Ship {
        id,
        carrier: "UPS".into(),
        tracking: "1Z999".into(),
        by: Actor::Operator("ana".into()),
    })
    .unwrap();
    let fulfillments: Vec<(Vec<u8>, PushIntent)> = e
        .store()
        .outbox("shop")
        .unwrap()
        .into_iter()
        .filter(|(_, i)| matches!(i.what, PushWhat::Fulfillment { .. }))
        .collect();
    assert_eq!(fulfillments.len(), 1);
    let (key, intent) = &fulfillments[0];
    let PushWhat::Fulfillment {
        order_external_id,
        carrier,
        tracking,
        lines,
        ..
    } = &intent.what
    else {
        unreachable!()
    };
    assert_eq!(
        (
            order_external_id.as_str(),
            carrier.as_str(),
            tracking.as_str()
        ),
        ("B", "UPS", "1Z999")
    );
    assert_eq!(
        lines,
        &vec![(Some("li-77".to_string()), "TEE".to_string(), 2)]
    );
    // The market channel did not sell it: nothing to tell it.
    assert!(e
        .store()
        .outbox("market")
        .unwrap()
        .iter()
        .all(|(_, i)| matches!(i.what, PushWhat::Stock { .. })));

    l.submit_blocking(Command::OutboxDone {
        done: vec![],
        refused: vec![(key.clone(), intent.seq, "order not found".into())],
    })
    .unwrap();
    assert!(e.store().outbox_entry(key).unwrap().is_none());
    let events = e.store().recent_events(5).unwrap();
    assert!(
        events
            .iter()
            .any(|ev| ev.kind.name() == "push_refused" && ev.why.contains("order not found")),
        "{events:?}"
    );
    e.shutdown();
}

#[test]
fn a_partial_shipment_reports_only_its_lines() {
    let dir = tempfile::tempdir().unwrap();
    let e = engine(dir.path());
    let l = e.ledger();
    set(&l, "TEE", "wh-east", 20);
    set(&l, "MUG", "wh-east", 20);
    let Command::Ingest {
        mut order,
        origin,
        resolves,
    } = order("C", 1)
    else {
        unreachable!()
    };
    let mut second = order.lines[0].clone();
    second.line = 2;
    second.sku = "MUG".into();
    second.channel_line_id = Some("li-78".into());
    order.lines.push(second);
    let Outcome::Created { id, .. } = l
        .submit_blocking(Command::Ingest {
            order,
            origin,
            resolves,
        })
        .unwrap()
    else {
        panic!()
    };
    let ship = |line: u32, tracking: &str| {
        l.submit_blocking(Command::ShipLines {
            id,
            carrier: "USPS".into(),
            tracking: tracking.into(),
            lines: vec![line],
            by: Actor::Operator("ana".into()),
        })
    };
    let out = ship(2, "9400A").unwrap();
    assert_eq!(
        out,
        Outcome::Order {
            id,
            status: ordo::model::OrderStatus::PartiallyShipped
        }
    );
    assert!(
        ship(7, "X").is_err(),
        "a line the order does not have is refused"
    );
    let out = ship(1, "9400B").unwrap();
    assert!(matches!(
        out,
        Outcome::Order {
            status: ordo::model::OrderStatus::Shipped,
            ..
        }
    ));
    type Reported = (String, Vec<(Option<String>, String, u32)>);
    let reported: Vec<Reported> = e
        .store()
        .outbox("shop")
        .unwrap()
        .into_iter()
        .filter_map(|(_, i)| match i.what {
            PushWhat::Fulfillment {
                tracking, lines, ..
            } => Some((tracking, lines)),
            _ => None,
        })
        .collect();
    assert_eq!(
        reported,
        vec![
            (
                "9400A".to_string(),
                vec![(Some("li-78".to_string()), "MUG".to_string(), 1)]
            ),
            (
                "9400B".to_string(),
                vec![(Some("li-77".to_string()), "TEE".to_string(), 1)]
            ),
        ]
    );
    e.shutdown();
}
