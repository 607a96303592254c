//! The Orders cursor stays on its order while new orders arrive (trial finding 1): past the
//! first page the arrivals push the order out of the window that was read, and the read must
//! find it and move the window with it. On a real engine and store, read as the event loop
//! reads (request, `data::load`, `App::arrived`, and again while the view moved).

use chrono::{TimeZone, Utc};
use crossterm::event::KeyCode;

use super::{code, key};
use crate::client::Client;
use crate::console::app::App;
use crate::console::data;
use crate::engine::Engine;
use crate::model::{ChannelOrder, OrderId};
use crate::test_support::{self, warehouse};

/// Order `i` of channel "web" (ids follow the ingest order).
fn channel_order(i: usize) -> ChannelOrder {
    let created =
        Utc.with_ymd_and_hms(2026, 11, 27, 0, 0, 0).unwrap() + chrono::Duration::minutes(i as i64);
    serde_json::from_value(serde_json::json!({
        "channel": "web", "external_id": format!("e{i}"), "number": format!("#{}", 1000 + i),
        "created_at": created, "updated_at": created,
        "customer": {"name": "Ada Lovelace", "email": format!("c{i}@example.com")},
        "ship_to": {"line1": "1 Main St", "city": "Springfield", "postal_code": "62701", "country": "US"},
        "lines": [{"sku": "MUG", "quantity": 1, "unit_price": "1.00"}],
        "totals": {"total": "1.00"}, "currency": "USD"
    }))
    .expect("a valid order")
}

fn ingest(engine: &Engine, range: std::ops::Range<usize>) {
    for i in range {
        test_support::ingest(engine, channel_order(i));
    }
}

fn engine(n: usize) -> (tempfile::TempDir, Engine) {
    let (dir, engine) = test_support::engine(vec![warehouse("wh", 1)], &[("MUG", "wh", 10_000)]);
    ingest(&engine, 0..n);
    (dir, engine)
}

/// Reads as the event loop does: the request, its answer to the app, and again while the
/// view the app asks for is not the one read (a window that moved with its order).
fn settle(client: &Client, app: &mut App) {
    for _ in 0..4 {
        let req = app.request();
        let d = data::load(client, &req);
        app.arrived(&req, &d);
        if req.same_view(&app.request()) {
            return;
        }
    }
    panic!("the view never settled");
}

fn target(app: &App) -> Option<OrderId> {
    app.target()
}

#[test]
fn the_cursor_stays_on_its_order_past_the_first_page_while_orders_arrive() {
    let (_dir, engine) = engine(100);
    let client = engine.client();
    let mut a = App::new("t", "ana", true);
    a.resize(80, 24);
    settle(&client, &mut a);
    // g, PgDn, PgDn: the cursor two pages down.
    for k in [key('g'), code(KeyCode::PageDown), code(KeyCode::PageDown)] {
        a.handle_key(k);
        settle(&client, &mut a);
    }
    let before = target(&a).expect("a row under the cursor");
    let row = a.lists[0].selected - a.lists[0].top;
    assert!(a.lists[0].top > 0, "past the first page");

    // More orders than a window arrive above it.
    ingest(&engine, 100..130);
    settle(&client, &mut a);
    assert_eq!(target(&a), Some(before), "the cursor stays on its order");
    assert_eq!(
        a.lists[0].selected - a.lists[0].top,
        row,
        "on the same screen row"
    );
    // A few more (inside the window's reach), twice.
    ingest(&engine, 130..133);
    settle(&client, &mut a);
    ingest(&engine, 133..134);
    settle(&client, &mut a);
    assert_eq!(target(&a), Some(before));
    // A burst of 200 between two reads (a slow socket, a reconnect): found farther away.
    ingest(&engine, 134..334);
    settle(&client, &mut a);
    assert_eq!(target(&a), Some(before));
    assert_eq!(a.lists[0].selected - a.lists[0].top, row);
    // Enter opens that order.
    let opened = a.handle_key(code(KeyCode::Enter));
    assert!(
        opened
            .iter()
            .any(|x| matches!(x, crate::console::app::Action::OpenDetail(id) if *id == before)),
        "{opened:?}"
    );
}

#[test]
fn at_the_bottom_the_cursor_stays_on_the_oldest_order_while_orders_arrive() {
    let (_dir, engine) = engine(60);
    let client = engine.client();
    let mut a = App::new("t", "ana", true);
    a.resize(80, 24);
    settle(&client, &mut a);
    a.handle_key(key('G'));
    settle(&client, &mut a);
    let oldest = target(&a).expect("the last row");
    for n in [60..66, 66..90, 90..91] {
        ingest(&engine, n);
        settle(&client, &mut a);
        assert_eq!(
            target(&a),
            Some(oldest),
            "the cursor stays on the oldest order"
        );
    }
    // Moving the cursor still works from there.
    a.handle_key(key('k'));
    settle(&client, &mut a);
    assert_ne!(target(&a), Some(oldest));
}
