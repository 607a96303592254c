//! The Queues pane's location rows (trial finding 11): each location's count of the orders
//! that hold stock there, per status, on a real engine and store, read as the event loop
//! reads; the rows reachable with the keys, and Enter on one listing its orders.

use std::collections::BTreeMap;

use chrono::{TimeZone, Utc};
use crossterm::event::KeyCode;
use ratatui::backend::TestBackend;
use ratatui::Terminal;

use super::{code, key};
use crate::client::{Client, OrderQuery};
use crate::console::app::{App, Pane, QUEUES};
use crate::console::data;
use crate::engine::Engine;
use crate::ledger::Command;
use crate::model::{Actor, ChannelOrder, OrderId, OrderStatus};
use crate::test_support::{self, warehouse};

fn channel_order(i: usize, sku: &str, qty: u32) -> ChannelOrder {
    let created =
        Utc.with_ymd_and_hms(2026, 11, 27, 0, 0, 0).unwrap() + chrono::Duration::minutes(i as i64);
    serde_json::from_value(serde_json::json!({
        "channel": "web", "external_id": format!("e{i}"), "number": format!("#{}", 1000 + i),
        "created_at": created, "updated_at": created,
        "customer": {"name": "Ada Lovelace", "email": format!("c{i}@example.com")},
        "ship_to": {"line1": "1 Main St", "city": "Springfield", "postal_code": "62701", "country": "US"},
        "lines": [{"sku": sku, "quantity": qty, "unit_price": "1.00"}],
        "totals": {"total": "1.00"}, "currency": "USD"
    }))
    .expect("a valid order")
}

fn ingest(engine: &Engine, i: usize, sku: &str, qty: u32) -> OrderId {
    match test_support::ingest(engine, channel_order(i, sku, qty)) {
        crate::ledger::Outcome::Created { id, .. } => id,
        other => panic!("not ingested: {other:?}"),
    }
}

/// Stock of EAST-ONLY at "east" (3 units), of WEST-ONLY at "west" (50): orders of one SKU go
/// where it is; "empty" has none. One east order is held (it keeps its reservation), one is
/// short (backordered: it holds nothing anywhere).
fn engine() -> (tempfile::TempDir, Engine) {
    let locs = vec![
        warehouse("east", 1),
        warehouse("west", 2),
        warehouse("empty", 3),
    ];
    let stock = [
        ("EAST-ONLY", "east", 3),
        ("WEST-ONLY", "west", 50),
        ("EAST-ONLY", "empty", 0),
    ];
    let (dir, engine) = test_support::engine(locs, &stock);
    let mut n = 0;
    let mut next = |sku: &str, qty| {
        n += 1;
        ingest(&engine, n, sku, qty)
    };
    let east: Vec<OrderId> = (0..3).map(|_| next("EAST-ONLY", 1)).collect();
    for _ in 0..5 {
        next("WEST-ONLY", 2);
    }
    next("EAST-ONLY", 1); // no unit left: backordered, in no location's queue
    engine
        .ledger()
        .submit_blocking(Command::Hold {
            id: east[0],
            reason: "check the address".into(),
            by: Actor::System,
        })
        .expect("held");
    (dir, engine)
}

/// What the location queues should say, from every order read whole: per location, per
/// status, the orders that hold stock there.
fn truth(client: &Client) -> BTreeMap<String, BTreeMap<OrderStatus, u64>> {
    let all = client.orders(&OrderQuery::default(), 0, 1000).unwrap().rows;
    let mut out: BTreeMap<String, BTreeMap<OrderStatus, u64>> = BTreeMap::new();
    for o in &all {
        for loc in o.locations() {
            *out.entry(loc.to_string())
                .or_default()
                .entry(o.status)
                .or_default() += 1;
        }
    }
    out
}

fn read(client: &Client, app: &mut App) -> data::Data {
    let req = app.request();
    let d = data::load(client, &req);
    app.arrived(&req, &d);
    d
}

fn screen(app: &App, d: &data::Data) -> String {
    let mut term = Terminal::new(TestBackend::new(app.width, app.height)).unwrap();
    let now = Utc.with_ymd_and_hms(2026, 11, 27, 1, 0, 0).unwrap();
    term.draw(|f| crate::console::ui::draw(f, app, d, now))
        .unwrap();
    term.backend().to_string()
}

/// The screen line that has `id` as a word (a location row: beside a queue row at 80x24).
fn row_of<'a>(screen: &'a str, id: &str) -> &'a str {
    screen
        .lines()
        .find(|l| l.split_whitespace().any(|w| w == id))
        .unwrap_or_else(|| panic!("no row of {id} in\n{screen}"))
}

#[test]
fn each_location_row_counts_the_orders_holding_stock_there() {
    let (_dir, engine) = engine();
    let client = engine.client();
    let mut a = App::new("t", "ana", true);
    a.resize(80, 24);
    a.handle_key(key('3'));
    read(&client, &mut a);
    let d = read(&client, &mut a);

    let truth = truth(&client);
    assert_eq!(
        truth["east"],
        BTreeMap::from([(OrderStatus::Allocated, 2), (OrderStatus::Held, 1)]),
        "the fixture: two allocated at east, one held there"
    );
    assert_eq!(truth["west"], BTreeMap::from([(OrderStatus::Allocated, 5)]));
    assert!(!truth.contains_key("empty"));
    // The read's counts are the orders' own: per location, per status.
    assert_eq!(
        d.location_counts.len(),
        3,
        "every location on screen counted"
    );
    for c in &d.location_counts {
        let got: BTreeMap<OrderStatus, u64> = c.by_status.iter().copied().collect();
        assert_eq!(
            got,
            truth.get(&c.location).cloned().unwrap_or_default(),
            "{}",
            c.location
        );
    }

    // At 80x24 the location rows are on screen, beside the queues, with their figures:
    // LOCATION ORDERS allocated partial held part-ship.
    let s = screen(&a, &d);
    assert!(s.contains("LOCATION"), "{s}");
    let east = row_of(&s, "east");
    let figures: Vec<&str> = east
        .split_once("east")
        .unwrap()
        .1
        .split_whitespace()
        .take(5)
        .collect();
    assert_eq!(figures, ["3", "2", "-", "1", "-"], "{east}");
    let west = row_of(&s, "west");
    let figures: Vec<&str> = west
        .split_once("west")
        .unwrap()
        .1
        .split_whitespace()
        .take(5)
        .collect();
    assert_eq!(figures, ["5", "5", "-", "-", "-"], "{west}");

    // A ship of one west order leaves 4 there (a shipped order holds no stock).
    let west_orders = client
        .orders(
            &OrderQuery {
                location: Some("west".into()),
                ..OrderQuery::default()
            },
            0,
            10,
        )
        .unwrap()
        .rows;
    engine
        .ledger()
        .submit_blocking(Command::Ship {
            id: west_orders[0].id,
            carrier: "ups".into(),
            tracking: "1Z1".into(),
            by: Actor::System,
        })
        .expect("shipped");
    let d = read(&client, &mut a);
    let west = d
        .location_counts
        .iter()
        .find(|c| c.location == "west")
        .unwrap();
    assert_eq!(west.by_status, vec![(OrderStatus::Allocated, 4)]);
}

#[test]
fn a_location_count_stops_at_its_bound() {
    let (_dir, engine) = engine();
    let client = engine.client();
    let counts = client.location_counts(&["west".into()], 3).unwrap();
    // Five allocated at west, counted to 3 + 1: "more than 3".
    assert_eq!(counts[0].by_status, vec![(OrderStatus::Allocated, 4)]);
    let counts = client.location_counts(&["west".into()], 5).unwrap();
    assert_eq!(counts[0].by_status, vec![(OrderStatus::Allocated, 5)]);
    // An unknown location: no orders, no error.
    let counts = client.location_counts(&["nowhere".into()], 5).unwrap();
    assert!(counts[0].by_status.is_empty());
}

#[test]
fn enter_on_a_location_row_lists_its_orders() {
    let (_dir, engine) = engine();
    let client = engine.client();
    let mut a = App::new("t", "ana", true);
    a.resize(80, 24);
    a.handle_key(key('3'));
    read(&client, &mut a);
    // The location rows follow the queues: j past the last queue selects "east".
    for _ in 0..QUEUES.len() {
        a.handle_key(key('j'));
    }
    assert_eq!(a.queues_location().as_deref(), Some("east"));
    let d = read(&client, &mut a);
    // The list below is east's orders (three hold stock there), and says so.
    assert_eq!(d.queue_orders.len(), 3);
    assert!(d.queue_orders.iter().all(|o| o.locations() == ["east"]));
    assert!(screen(&a, &d).contains("orders holding stock at east"));
    // And past the last location the selection stops.
    for _ in 0..10 {
        a.handle_key(key('j'));
    }
    assert_eq!(a.queues_location().as_deref(), Some("empty"));
    a.handle_key(key('k'));
    a.handle_key(key('k'));
    a.handle_key(code(KeyCode::Enter));
    assert_eq!(a.pane, Pane::Orders);
    assert_eq!(a.filter_input, "loc:east");
    let d = read(&client, &mut a);
    assert_eq!(d.orders.len(), 3);
}

#[test]
fn a_count_past_its_bound_reads_10k_plus() {
    let (_dir, engine) = engine();
    let client = engine.client();
    let mut a = App::new("t", "ana", true);
    a.resize(80, 24);
    a.handle_key(key('3'));
    let mut d = read(&client, &mut a);
    // What the client answers for a location of more than LOCATION_COUNT_BOUND allocated
    // orders: the bound + 1 (the count stopped there).
    let over = data::LOCATION_COUNT_BOUND as u64 + 1;
    let west = d
        .location_counts
        .iter_mut()
        .find(|c| c.location == "west")
        .unwrap();
    west.by_status = vec![(OrderStatus::Allocated, over), (OrderStatus::Held, 7)];
    let s = screen(&a, &d);
    let row = row_of(&s, "west");
    let figures: Vec<&str> = row
        .split_once("west")
        .unwrap()
        .1
        .split_whitespace()
        .take(5)
        .collect();
    assert_eq!(figures, ["10k+", "10k+", "-", "7", "-"], "{row}");
}
