//! The race behind the end-to-end test's second Enter, without a terminal: reads run one at a
//! time while the operator types on, so the rows that arrive are often of a filter already
//! left behind (a half-typed `status:` matches nothing). Enter used to act on whatever was read
//! last: an empty window (Enter dropped) or the row of an old filter (the wrong order). Now
//! rows of another view are not acted on, and an Enter that comes while the current view is
//! read opens its selected order once the read arrives.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::app::{Action, App, Mode, Pane};
use super::data::{Data, Request};
use crate::model::{Order, OrderId};

fn key(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
}

fn code(c: KeyCode) -> KeyEvent {
    KeyEvent::new(c, KeyModifiers::NONE)
}

fn typed(a: &mut App, s: &str) {
    for c in s.chars() {
        a.handle_key(key(c));
    }
}

fn order(id: OrderId) -> Order {
    let mut o: Order = serde_json::from_value(serde_json::json!({
        "id": id, "received_at": "2026-11-28T09:00:00Z", "status": "allocated",
        "channel_order": {"channel": "amazon", "external_id": id.to_string(),
            "created_at": "2026-11-28T09:00:00Z", "updated_at": "2026-11-28T09:00:00Z",
            "lines": [], "totals": {"total": "0"}, "currency": "USD"}
    }))
    .expect("a valid order");
    o.id = id;
    o
}

/// What a read started with `req` brings back: these orders, as the window from `req.top` of
/// a list of `total`.
fn read(req: &Request, ids: &[OrderId], total: usize) -> Data {
    let mut d = Data::empty(req.pane);
    d.loaded = true;
    d.top = req.top;
    d.asked_top = req.top;
    d.filter = req.filter.clone();
    d.sort = req.sort;
    d.orders = ids.iter().copied().map(order).collect();
    d.rows = ids.len();
    d.total = Some(total);
    d.more = req.top + ids.len() < total;
    d
}

/// An app at 80x24 (18 rows a page) whose Orders pane read orders 100..=91.
fn app() -> App {
    let mut a = App::new("test", "ana", true);
    a.resize(80, 24);
    let req = a.request();
    let ids: Vec<OrderId> = (91..=100).rev().collect();
    assert!(a.arrived(&req, &read(&req, &ids, 10)).is_empty());
    assert_eq!(a.target(), Some(100));
    a
}

fn opens(actions: &[Action]) -> Option<OrderId> {
    match actions {
        [Action::OpenDetail(id)] => Some(*id),
        [] => None,
        other => panic!("unexpected actions {other:?}"),
    }
}

#[test]
fn enter_after_a_filter_opens_the_selected_order_once_its_rows_are_read() {
    let mut a = app();
    a.handle_key(key('/'));
    typed(&mut a, "channel:amazon");
    // The loop starts a read now; the operator types on while it runs.
    let r1 = a.request();
    typed(&mut a, " status:");
    // The next read is of "status:", free text that matches nothing.
    let r2 = a.request();
    typed(&mut a, "allocated");
    let r3 = a.request();
    assert_ne!(r1.filter, r3.filter);
    // Both old reads come back: drawn as they arrive, never acted on.
    assert!(a.arrived(&r1, &read(&r1, &[60, 59, 58], 3)).is_empty());
    assert_eq!(
        a.target(),
        None,
        "the rows of channel:amazon are not this view's"
    );
    assert!(a.arrived(&r2, &read(&r2, &[], 0)).is_empty());
    assert_eq!(a.target(), None);
    // Enter keeps the filter, Enter opens: the current view's rows are not read yet, so the
    // open waits (before the fix it acted on the empty "status:" read and was lost).
    assert!(a.handle_key(code(KeyCode::Enter)).is_empty());
    assert!(matches!(a.mode, Mode::Normal));
    assert!(a.handle_key(code(KeyCode::Enter)).is_empty());
    assert!(matches!(a.mode, Mode::Normal));
    assert!(a.pending_open);
    // The read of the current view arrives: its first row opens, once.
    let actions = a.arrived(&r3, &read(&r3, &[48, 47], 2));
    assert_eq!(opens(&actions), Some(48));
    assert!(matches!(a.mode, Mode::Detail));
    assert_eq!(a.detail, Some(48));
    assert!(!a.pending_open);
    let r4 = a.request();
    assert_eq!(r4.detail, Some(48), "the next read brings the detail");
    assert!(a.arrived(&r4, &read(&r4, &[48, 47], 2)).is_empty());
}

#[test]
fn enter_on_rows_of_the_current_view_opens_at_once() {
    let mut a = app();
    a.handle_key(key('/'));
    typed(&mut a, "tee");
    let r = a.request();
    a.arrived(&r, &read(&r, &[77, 76], 2));
    a.handle_key(code(KeyCode::Enter));
    a.handle_key(key('j'));
    assert_eq!(opens(&a.handle_key(code(KeyCode::Enter))), Some(76));
}

#[test]
fn another_key_after_the_waiting_enter_cancels_it() {
    let mut a = app();
    a.handle_key(key('/'));
    typed(&mut a, "tee");
    let r = a.request();
    a.handle_key(code(KeyCode::Enter));
    a.handle_key(code(KeyCode::Enter));
    assert!(a.pending_open);
    a.handle_key(key('j'));
    assert!(!a.pending_open);
    assert!(a.arrived(&r, &read(&r, &[77, 76], 2)).is_empty());
    assert!(matches!(a.mode, Mode::Normal));
}

#[test]
fn a_waiting_enter_on_an_empty_view_says_there_is_nothing_to_open() {
    let mut a = app();
    a.handle_key(key('/'));
    typed(&mut a, "nobody");
    let r = a.request();
    a.handle_key(code(KeyCode::Enter));
    a.handle_key(code(KeyCode::Enter));
    assert!(a.arrived(&r, &read(&r, &[], 0)).is_empty());
    assert!(!a.pending_open);
    assert!(a
        .toast
        .as_ref()
        .is_some_and(|t| t.text.contains("no order to open")));
}

#[test]
fn row_actions_wait_for_the_rows_they_mean() {
    let mut a = app();
    a.handle_key(key('/'));
    typed(&mut a, "tee");
    a.handle_key(code(KeyCode::Enter));
    // `h` while the filter's rows are read: nothing is held, and the toast says why.
    assert!(a.handle_key(key('h')).is_empty());
    assert!(a
        .toast
        .as_ref()
        .is_some_and(|t| t.text.contains("still being read")));
    let r = a.request();
    a.arrived(&r, &read(&r, &[77, 76], 2));
    assert!(matches!(
        a.handle_key(key('h')).as_slice(),
        [Action::Submit(crate::ledger::Command::Hold { id: 77, .. })]
    ));
}

#[test]
fn enter_on_a_row_past_the_rows_read_opens_it_when_the_window_arrives() {
    let mut a = App::new("test", "ana", true);
    a.resize(80, 24);
    let req = a.request();
    let first: Vec<OrderId> = (83..=100).rev().collect();
    a.arrived(&req, &read(&req, &first, 100));
    // PageDown: the selection is row 18, one past the window read.
    a.handle_key(code(KeyCode::PageDown));
    assert_eq!((a.list().selected, a.list().top), (18, 1));
    assert_eq!(a.target(), None);
    a.handle_key(code(KeyCode::Enter));
    assert!(a.pending_open);
    let r = a.request();
    let next: Vec<OrderId> = (82..=99).rev().collect();
    assert_eq!(opens(&a.arrived(&r, &read(&r, &next, 100))), Some(82));
    assert_eq!(a.pane, Pane::Orders);
}

#[test]
fn a_sort_change_waits_for_its_rows_and_the_cursor_follows_its_order() {
    let mut a = app();
    a.handle_key(KeyEvent::new(KeyCode::Char('S'), KeyModifiers::SHIFT));
    assert_eq!(a.target(), None, "the window is re-read sorted by id");
    let r = a.request();
    a.arrived(&r, &read(&r, &(91..=100).collect::<Vec<_>>(), 10));
    // The cursor follows the order it was on into the re-sorted window.
    assert_eq!((a.target(), a.list().selected), (Some(100), 9));
    // Two presses before the window is read again: still that order.
    a.handle_key(KeyEvent::new(KeyCode::Char('S'), KeyModifiers::SHIFT));
    a.handle_key(KeyEvent::new(KeyCode::Char('S'), KeyModifiers::SHIFT));
    let r = a.request();
    a.arrived(&r, &read(&r, &[95, 100, 91], 10));
    assert_eq!((a.target(), a.list().selected), (Some(100), 1));
}
