//! `/` in the Inventory pane filters its stock records (issue 6, operator trial finding 9):
//! on a real engine and store, read as the event loop reads (request, `data::load`,
//! `App::arrived`), the rows narrow as the filter is typed, `a` adjusts a record of the
//! filtered list, Esc brings every record back, and the Orders filter is left alone.

use crossterm::event::KeyCode;
use ratatui::backend::TestBackend;
use ratatui::Terminal;

use super::{code, key, typed};
use crate::client::Client;
use crate::console::app::{Action, App, Mode, Pane};
use crate::console::data::{self, Data};
use crate::engine::Engine;
use crate::test_support::{self, warehouse};

/// 60 SKUs at two locations (120 records, more than a page): 20 `MUG-NN`, 20 `SOCK-NN`,
/// 10 `TEE-NN`, 10 `HAT-TEE-NN`; at wh-b half of everything is sold out.
fn engine() -> (tempfile::TempDir, Engine) {
    let mut rows = Vec::new();
    for (prefix, n) in [("MUG", 20), ("SOCK", 20), ("TEE", 10), ("HAT-TEE", 10)] {
        for i in 0..n {
            for loc in ["wh-a", "wh-b"] {
                let on_hand = if loc == "wh-b" && i % 2 == 0 { 0 } else { 7 };
                rows.push((format!("{prefix}-{i:02}"), loc, on_hand));
            }
        }
    }
    let stock: Vec<(&str, &str, i64)> = rows.iter().map(|(s, l, q)| (s.as_str(), *l, *q)).collect();
    test_support::engine(vec![warehouse("wh-a", 1), warehouse("wh-b", 1)], &stock)
}

/// One read of the current view, given to the app as the event loop gives it.
fn read(client: &Client, app: &mut App) -> Data {
    let req = app.request();
    let d = data::load(client, &req);
    app.arrived(&req, &d);
    d
}

fn skus(d: &Data) -> Vec<String> {
    d.stock
        .iter()
        .map(|r| format!("{}@{}", r.key.sku, r.key.location))
        .collect()
}

fn inventory_app(client: &Client) -> App {
    let mut a = App::new("t", "ana", true);
    a.resize(80, 24);
    a.handle_key(key('2'));
    assert_eq!(a.pane, Pane::Inventory);
    let d = read(client, &mut a);
    assert_eq!(d.stock.len(), a.page, "a full page unfiltered");
    assert!(d.more);
    a
}

#[test]
fn typing_a_filter_in_inventory_narrows_the_stock_rows_read_from_the_engine() {
    let (_dir, engine) = engine();
    let client = engine.client();
    let mut a = inventory_app(&client);

    // `/` stays in Inventory and filters its records, not the orders.
    a.handle_key(key('/'));
    assert!(matches!(a.mode, Mode::Filter));
    let acts = typed(&mut a, "TEE");
    assert!(acts.iter().all(|x| matches!(x, Action::Refresh)));
    assert_eq!(a.pane, Pane::Inventory, "no jump to Orders");
    assert!(a.filter_input.is_empty() && a.filter.is_empty());
    let d = read(&client, &mut a);
    let got = skus(&d);
    // TEE-NN and HAT-TEE-NN at both locations: 40 records, a page of them (SKU order).
    assert_eq!(got.len(), a.page);
    assert!(got.iter().all(|s| s.contains("TEE")), "{got:?}");
    assert_eq!(got[0], "HAT-TEE-00@wh-a");
    assert!(d.more);
    assert_eq!(d.stock_match_count().as_deref(), Some("18+"));

    // A glob, a location and a bound narrow it to one page; the count is exact then.
    a.handle_key(super::ctrl('u'));
    typed(&mut a, "*tee-0? loc:wh-b avail:0");
    a.handle_key(code(KeyCode::Enter));
    assert!(matches!(a.mode, Mode::Normal));
    assert!(a.toast.is_none(), "every term understood: {:?}", a.toast);
    let d = read(&client, &mut a);
    let want: Vec<String> = ["HAT-TEE", "TEE"]
        .iter()
        .flat_map(|p| (0..10).step_by(2).map(move |i| format!("{p}-{i:02}@wh-b")))
        .collect();
    assert_eq!(skus(&d), want);
    assert_eq!(d.stock_match_count().as_deref(), Some("10"));

    // `a` adjusts the selected record of the filtered list.
    a.handle_key(key('j'));
    a.handle_key(key('a'));
    match &a.mode {
        Mode::Adjust(f) => assert_eq!(
            (f.key.sku.as_str(), f.key.location.as_str(), f.current),
            ("HAT-TEE-02", "wh-b", 0)
        ),
        other => panic!("no adjust form: {other:?}"),
    }
    a.handle_key(code(KeyCode::Esc));
    a.mode = Mode::Normal;

    // The tab line shows the filter and its count, the footer what `/` does here.
    let backend = TestBackend::new(120, 30);
    let mut term = Terminal::new(backend).unwrap();
    a.resize(120, 30);
    let d = read(&client, &mut a);
    term.draw(|f| crate::console::ui::draw(f, &a, &d, chrono::Utc::now()))
        .unwrap();
    let screen: String = term
        .backend()
        .buffer()
        .content()
        .iter()
        .map(|c| c.symbol())
        .collect();
    assert!(
        screen.contains("stock filter: *tee-0? loc:wh-b avail:0 (10)"),
        "{screen}"
    );
    assert!(screen.contains("/ filter stock"), "{screen}");

    // Esc (normal mode) clears it: every record again.
    a.handle_key(code(KeyCode::Esc));
    assert!(a.stock_filter_input.is_empty());
    let d = read(&client, &mut a);
    assert_eq!(d.stock.len(), a.page);
    assert_eq!(d.stock[0].key.sku, "HAT-TEE-00");
    assert_eq!(d.stock[2].key.sku, "HAT-TEE-01");
}

#[test]
fn a_stale_read_never_lets_a_adjust_a_record_of_the_old_view() {
    let (_dir, engine) = engine();
    let client = engine.client();
    let mut a = inventory_app(&client);
    // The read of the unfiltered view is on its way when the filter is typed.
    let old_req = a.request();
    a.handle_key(key('/'));
    typed(&mut a, "sock");
    a.handle_key(code(KeyCode::Enter));
    let old = data::load(&client, &old_req);
    a.arrived(&old_req, &old);
    a.handle_key(key('a'));
    assert!(
        !matches!(a.mode, Mode::Adjust(_)),
        "the rows on screen are not the filter's"
    );
    let d = read(&client, &mut a);
    assert!(d.stock.iter().all(|r| r.key.sku.starts_with("SOCK")));
    a.handle_key(key('a'));
    match &a.mode {
        Mode::Adjust(f) => assert_eq!(f.key.sku, "SOCK-00"),
        other => panic!("no adjust form: {other:?}"),
    }
}

#[test]
fn slash_elsewhere_still_filters_orders_and_orders_terms_are_named_in_inventory() {
    let (_dir, engine) = engine();
    let client = engine.client();
    let mut a = inventory_app(&client);
    a.handle_key(key('/'));
    typed(&mut a, "status:held mug");
    a.handle_key(code(KeyCode::Enter));
    let t = a.toast.clone().expect("a toast");
    assert!(t.error && t.text.contains("status:held"), "{t:?}");
    let d = read(&client, &mut a);
    assert!(d.stock.iter().all(|r| r.key.sku.starts_with("MUG")));
    // From Events, `/` is the Orders filter as before, and the Inventory's stays.
    a.handle_key(key('6'));
    a.handle_key(key('/'));
    typed(&mut a, "ada");
    assert_eq!(a.pane, Pane::Orders);
    assert_eq!(a.filter_input, "ada");
    assert_eq!(a.stock_filter_input, "status:held mug");
    // Esc in the `/` line clears the one it types (Orders here).
    a.handle_key(code(KeyCode::Esc));
    assert!(a.filter_input.is_empty());
    assert_eq!(a.stock_filter_input, "status:held mug");
}
