//! Findings of the operator trial (issue 6) on the app's state: toasts that never cleared
//! (14), the filter's match count (16), the `:` line's Ctrl-U and Tab (10), `s` on a closed
//! order (19), the stock confirmation below what is reserved (20), the detail behind the
//! re-route picker (5).

use crossterm::event::KeyCode;

use super::{code, ctrl, key, typed};
use crate::console::app::{App, Mode, Pane, Toast};
use crate::console::data::{Data, Request};
use crate::model::{Order, OrderId, StockKey};

fn order(id: OrderId, status: &str) -> Order {
    let mut o: Order = serde_json::from_value(serde_json::json!({
        "id": id, "received_at": "2026-11-28T09:00:00Z", "status": status,
        "channel_order": {"channel": "amazon", "external_id": id.to_string(),
            "created_at": "2026-11-28T09:00:00Z", "updated_at": "2026-11-28T09:00:00Z",
            "lines": [], "totals": {"total": "0"}, "currency": "USD"}
    }))
    .expect("a valid order");
    o.id = id;
    o
}

/// The read of `req`: these orders (id, status) from its top, of a list of `total` if known.
fn read(req: &Request, rows: &[(OrderId, &str)], total: Option<usize>, more: bool) -> Data {
    let mut d = Data::empty(req.pane);
    d.loaded = true;
    d.top = req.top;
    d.asked_top = req.top;
    d.filter = req.filter.clone();
    d.sort = req.sort;
    d.orders = rows.iter().map(|(id, st)| order(*id, st)).collect();
    d.rows = rows.len();
    d.total = total;
    d.more = more;
    d
}

fn app_with(rows: &[(OrderId, &str)]) -> App {
    let mut a = App::new("test", "ana", true);
    a.resize(80, 24);
    let req = a.request();
    a.arrived(&req, &read(&req, rows, Some(rows.len()), false));
    a
}

#[test]
fn a_toast_that_expires_while_typing_goes_once_the_typing_is_done() {
    let mut a = app_with(&[(5, "allocated")]);
    a.set_toast("ignored filter terms: age:>banana", true);
    a.handle_key(key('/'));
    // Its time is up while the filter is typed: it stays (the loop times it out again)...
    assert!(!a.expire_toast());
    assert!(a.toast.is_some());
    a.handle_key(code(KeyCode::Esc));
    // ...and goes at the next time-out. (The loop used to forget it: on screen for good.)
    assert!(a.expire_toast());
    assert_eq!(a.toast, None);
}

#[test]
fn an_error_toast_goes_with_the_pane_it_was_about() {
    let mut a = app_with(&[(5, "allocated")]);
    a.set_toast("order 5 is cancelled: only open orders can ship", true);
    a.handle_key(key('3'));
    assert_eq!(a.pane, Pane::Queues);
    assert_eq!(a.toast, None);
    // A plain note stays its 5 seconds.
    a.set_toast("order 5 is now held", false);
    a.handle_key(key('1'));
    assert_eq!(
        a.toast,
        Some(Toast {
            text: "order 5 is now held".into(),
            error: false
        })
    );
}

#[test]
fn the_match_count_is_exact_when_known_and_a_lower_bound_otherwise() {
    let a = app_with(&[(5, "allocated")]);
    let req = a.request();
    let rows: Vec<(OrderId, &str)> = (1..=18).map(|i| (i, "held")).collect();
    // status:held (the counters know): exact.
    assert_eq!(
        read(&req, &rows, Some(27), true).match_count().as_deref(),
        Some("27")
    );
    // sku:TEE-*, age:>1m, ch:amazon st:held: more behind the window, count unknown.
    assert_eq!(
        read(&req, &rows, None, true).match_count().as_deref(),
        Some("18+")
    );
    // A scan that reached the end: exact.
    assert_eq!(
        read(&req, &rows[..4], None, false).match_count().as_deref(),
        Some("4")
    );
    let mut capped = read(&req, &rows, None, false);
    capped.scan_capped = Some(20_000);
    assert_eq!(capped.match_count().as_deref(), Some("18+"));
}

#[test]
fn ctrl_u_clears_the_command_line() {
    let mut a = app_with(&[(5, "allocated")]);
    a.handle_key(key(':'));
    typed(&mut a, "route wh-e");
    a.handle_key(ctrl('u'));
    assert!(matches!(a.mode, Mode::Command));
    assert_eq!(a.command_input, "");
}

#[test]
fn tab_lists_candidates_and_completes_locations_channels_and_skus() {
    let mut a = app_with(&[(5, "allocated")]);
    a.locations = vec!["wh-east".into(), "wh-west".into(), "store-nyc".into()];
    a.channel_ids = vec!["shopify".into(), "amazon".into()];
    a.lists[Pane::Inventory.index()].stock = vec![
        (StockKey::new("TEE-CREW-M", "wh-east"), 3),
        (StockKey::new("TEE-CREW-L", "wh-east"), 3),
        (StockKey::new("MUG", "wh-east"), 3),
    ];
    let tab = |a: &mut App, line: &str| {
        a.mode = Mode::Command;
        a.command_input = line.into();
        a.handle_key(code(KeyCode::Tab));
        (a.command_input.clone(), a.completions.clone())
    };
    // Ambiguous: listed.
    let (line, listed) = tab(&mut a, "p");
    assert_eq!(line, "p");
    assert_eq!(listed, ["pause", "poll"]);
    // Nothing typed: every command.
    let (_, listed) = tab(&mut a, "");
    assert!(
        listed.contains(&"route".to_string()) && listed.len() > 8,
        "{listed:?}"
    );
    // Locations after :route, extended to what they share.
    assert_eq!(tab(&mut a, "route wh-e").0, "route wh-east ");
    let (line, listed) = tab(&mut a, "route w");
    assert_eq!(line, "route wh-");
    assert_eq!(listed, ["wh-east", "wh-west"]);
    // Channels after :pause / :poll.
    assert_eq!(tab(&mut a, "pause sh").0, "pause shopify ");
    assert_eq!(tab(&mut a, "poll a").0, "poll amazon ");
    // SKUs of the Inventory window after :stock set, then a location.
    let (line, listed) = tab(&mut a, "stock set TEE-CR");
    assert_eq!(line, "stock set TEE-CREW-");
    assert_eq!(listed, ["TEE-CREW-L", "TEE-CREW-M"]);
    assert_eq!(
        tab(&mut a, "stock set MUG st").0,
        "stock set MUG store-nyc "
    );
    // Another key: the list goes.
    a.handle_key(key('x'));
    assert!(a.completions.is_empty());
}

#[test]
fn ship_is_refused_at_once_on_a_closed_order_in_the_ledger_words() {
    let mut a = app_with(&[(434, "cancelled"), (433, "allocated")]);
    assert_eq!(a.target(), Some(434));
    assert!(a.handle_key(key('s')).is_empty());
    assert!(matches!(a.mode, Mode::Normal), "no form opened");
    let t = a.toast.clone().expect("a refusal");
    assert!(t.error);
    assert_eq!(t.text, "order 434 is cancelled: only open orders can ship");
    // An open order gets the form.
    a.handle_key(key('j'));
    a.handle_key(key('s'));
    assert!(matches!(a.mode, Mode::Ship(_)));
}

#[test]
fn the_stock_confirmation_warns_below_what_is_reserved() {
    let mut a = app_with(&[(5, "allocated")]);
    let l = &mut a.lists[Pane::Inventory.index()];
    l.stock = vec![(StockKey::new("TEE-M", "wh-east"), 10)];
    l.reserved = vec![6];
    a.execute("stock set TEE-M wh-east 2");
    let Mode::Confirm(c) = &a.mode else {
        panic!("a confirmation: {:?}", a.mode)
    };
    assert!(
        c.message
            .contains("Below the 6 reserved there: 4 unit(s) would be taken back"),
        "{}",
        c.message
    );
    a.mode = Mode::Normal;
    a.execute("stock set TEE-M wh-east 6");
    let Mode::Confirm(c) = &a.mode else {
        panic!("a confirmation")
    };
    assert_eq!(c.message, "Set on hand of TEE-M at wh-east to 6?");
}

#[test]
fn the_detail_stays_read_behind_the_reroute_picker() {
    let mut a = app_with(&[(434, "allocated")]);
    a.handle_key(code(KeyCode::Enter));
    assert_eq!(a.request().detail, Some(434));
    a.handle_key(key('r'));
    assert!(matches!(a.mode, Mode::Reroute));
    assert_eq!(
        a.request().detail,
        Some(434),
        "the detail is read on behind it"
    );
    // From the list (no detail open), nothing to read behind it.
    a.handle_key(code(KeyCode::Esc));
    a.handle_key(code(KeyCode::Esc));
    assert!(matches!(a.mode, Mode::Normal));
    a.handle_key(key('r'));
    assert_eq!(a.request().detail, None);
}
