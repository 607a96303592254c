//! The mouse without a terminal: events in, state and actions out, hit-tested on the layout
//! the drawing uses; each test checks on a drawn screen that the row or tab hit is the one
//! drawn under the pointer.

use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use ratatui::backend::TestBackend;
use ratatui::layout::Rect;
use ratatui::Terminal;

use super::app::{Action, App, Mode, Pane, DOUBLE_CLICK, WHEEL_ROWS};
use super::data::Data;
use super::ui::{self, ScreenLayout};
use crate::model::{ChannelHealth, ChannelKind, Order, OrderStatus};

fn order(id: u64) -> Order {
    let mut o: Order = serde_json::from_value(serde_json::json!({
        "id": id, "received_at": "2026-11-28T09:00:00Z", "status": "allocated",
        "channel_order": {"channel": "web", "external_id": id.to_string(),
            "created_at": "2026-11-28T09:00:00Z", "updated_at": "2026-11-28T09:00:00Z",
            "lines": [], "totals": {"total": "0"}, "currency": "USD"}
    }))
    .expect("a valid order");
    o.id = id;
    o
}

/// The Orders window from `top`: `total` orders in all, newest (id `total`) first.
fn orders(total: u64, top: usize, page: usize) -> Data {
    let mut d = Data::empty(Pane::Orders);
    d.loaded = true;
    d.top = top;
    d.orders = (0..page as u64)
        .map(|i| total - top as u64 - i)
        .take_while(|id| *id >= 1)
        .map(order)
        .collect();
    d.rows = d.orders.len();
    d.total = Some(total as usize);
    d.more = top + d.rows < total as usize;
    d
}

fn app() -> (App, Data) {
    let mut a = App::new("test", "ana", true);
    a.resize(80, 24);
    let d = orders(10, 0, a.page);
    a.sync(&d);
    (a, d)
}

fn layout(a: &App, d: &Data) -> ScreenLayout {
    ui::screen_layout(Rect::new(0, 0, a.width, a.height), a, d)
}

/// The screen's line `y` as drawn.
fn line(a: &App, d: &Data, y: u16) -> String {
    let mut term = Terminal::new(TestBackend::new(a.width, a.height)).expect("a test terminal");
    let now = chrono::DateTime::parse_from_rfc3339("2026-11-28T12:00:00Z")
        .expect("a time")
        .to_utc();
    term.draw(|f| ui::draw(f, a, d, now)).expect("drawn");
    let buf = term.backend().buffer();
    (0..a.width).map(|x| buf[(x, y)].symbol()).collect()
}

fn mouse(kind: MouseEventKind, column: u16, row: u16) -> MouseEvent {
    MouseEvent {
        kind,
        column,
        row,
        modifiers: KeyModifiers::NONE,
    }
}

fn click(a: &mut App, d: &Data, x: u16, y: u16, at: Instant) -> Vec<Action> {
    let l = layout(a, d);
    a.handle_mouse(mouse(MouseEventKind::Down(MouseButton::Left), x, y), &l, at)
}

fn wheel(a: &mut App, d: &Data, down: bool, x: u16, y: u16) -> Vec<Action> {
    let l = layout(a, d);
    let kind = if down {
        MouseEventKind::ScrollDown
    } else {
        MouseEventKind::ScrollUp
    };
    a.handle_mouse(mouse(kind, x, y), &l, Instant::now())
}

#[test]
fn a_click_selects_the_row_drawn_under_the_pointer() {
    let (mut a, d) = app();
    let list = layout(&a, &d).list.expect("the orders are drawn");
    // Header, counters, tabs, then the table's column header: rows from line 4.
    assert_eq!((list.area.y, list.first, list.count), (3, 0, 10));
    let y = 4 + 3;
    assert!(line(&a, &d, y).contains(" 7 "), "{}", line(&a, &d, y));
    let actions = click(&mut a, &d, 20, y, Instant::now());
    assert!(actions.is_empty(), "the window did not move: {actions:?}");
    assert_eq!((a.list().selected, a.target()), (3, Some(7)));
    assert!(
        line(&a, &d, y).starts_with('>'),
        "the row clicked is the one marked"
    );
    // Below the last row, on the header line, on the column header: nothing.
    for y in [14, 0, 3] {
        click(&mut a, &d, 20, y, Instant::now());
        assert_eq!(a.list().selected, 3, "line {y}");
    }
}

#[test]
fn a_double_click_opens_the_detail_two_slow_clicks_do_not() {
    let (mut a, d) = app();
    let t0 = Instant::now();
    click(&mut a, &d, 20, 5, t0);
    click(
        &mut a,
        &d,
        20,
        5,
        t0 + DOUBLE_CLICK + Duration::from_millis(1),
    );
    assert!(
        matches!(a.mode, Mode::Normal),
        "too slow for a double-click"
    );
    // Quick, but on two rows: two clicks.
    let t1 = t0 + Duration::from_secs(5);
    click(&mut a, &d, 20, 5, t1);
    click(&mut a, &d, 20, 6, t1 + Duration::from_millis(100));
    assert!(matches!(a.mode, Mode::Normal));
    let t2 = t1 + Duration::from_millis(200);
    let actions = click(&mut a, &d, 20, 6, t2);
    assert!(matches!(a.mode, Mode::Detail));
    assert!(
        matches!(actions.as_slice(), [Action::OpenDetail(8)]),
        "{actions:?}"
    );
    assert_eq!(a.detail, Some(8));
}

#[test]
fn the_wheel_scrolls_the_list_under_the_pointer_or_the_detail() {
    let mut a = App::new("test", "ana", true);
    a.resize(80, 24);
    let d = orders(100, 0, a.page);
    a.sync(&d);
    assert!(wheel(&mut a, &d, true, 20, 10)
        .iter()
        .any(|x| matches!(x, Action::Refresh)));
    assert_eq!((a.list().top, a.list().selected), (WHEEL_ROWS, WHEEL_ROWS));
    // The next read is of that window: the request says so.
    assert_eq!(a.request().top, WHEEL_ROWS);
    // Not over the list (the header, the footer): nothing moves.
    assert!(wheel(&mut a, &d, true, 20, 0).is_empty());
    assert!(wheel(&mut a, &d, true, 20, 23).is_empty());
    assert_eq!(a.list().top, WHEEL_ROWS);
    // The selection stays on screen when the window scrolls past it, and the window stops at
    // the end of the list.
    a.lists[0].selected = 20;
    for _ in 0..50 {
        let d = orders(100, a.list().top, a.page);
        wheel(&mut a, &d, true, 20, 10);
    }
    let page = a.page;
    assert_eq!(a.list().top, 100 - page);
    assert!((100 - page..100).contains(&a.list().selected));
    for _ in 0..50 {
        let d = orders(100, a.list().top, a.page);
        wheel(&mut a, &d, false, 20, 10);
    }
    assert_eq!(a.list().top, 0);
    assert!(a.list().selected < page);

    // The detail: the wheel scrolls it.
    let (mut a, d) = app();
    a.handle_key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
    assert!(matches!(a.mode, Mode::Detail));
    wheel(&mut a, &d, true, 20, 10);
    assert_eq!(a.detail_scroll, WHEEL_ROWS as u16);
    wheel(&mut a, &d, false, 20, 10);
    wheel(&mut a, &d, false, 20, 10);
    assert_eq!(a.detail_scroll, 0);
}

#[test]
fn a_click_on_a_pane_tab_switches_to_it() {
    let (mut a, d) = app();
    let l = layout(&a, &d);
    let tabs = line(&a, &d, 2);
    for (pane, r) in &l.tab_at {
        let drawn: String = tabs
            .chars()
            .skip(usize::from(r.x))
            .take(usize::from(r.width))
            .collect();
        assert!(
            drawn.contains(pane.title()),
            "{drawn:?} is where {pane:?} is"
        );
    }
    let (_, queues) = l.tab_at[Pane::Queues.index()];
    let actions = click(&mut a, &d, queues.x + 2, 2, Instant::now());
    assert_eq!(a.pane, Pane::Queues);
    assert!(matches!(actions.as_slice(), [Action::Refresh]));
    // From the detail, the current pane's tab goes back to its list.
    let (mut a, d) = app();
    a.handle_key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
    let (_, orders_tab) = layout(&a, &d).tab_at[0];
    click(&mut a, &d, orders_tab.x + 1, 2, Instant::now());
    assert!(matches!(a.mode, Mode::Normal));
    assert_eq!(a.pane, Pane::Orders);
}

#[test]
fn queues_rows_select_and_a_double_click_lists_the_queue() {
    let (mut a, _) = app();
    a.handle_key(KeyEvent::new(KeyCode::Char('3'), KeyModifiers::NONE));
    let mut d = Data::empty(Pane::Queues);
    d.loaded = true;
    d.rows = 6;
    d.total = Some(6);
    a.sync(&d);
    let list = layout(&a, &d).list.expect("the queues");
    // The held queue is the fifth row.
    let y = list.area.y + 1 + 4;
    assert!(line(&a, &d, y).contains("held"), "{}", line(&a, &d, y));
    let t = Instant::now();
    let actions = click(&mut a, &d, 3, y, t);
    assert!(
        matches!(actions.as_slice(), [Action::Refresh]),
        "the queue's orders are read"
    );
    assert_eq!(a.list().selected, 4);
    click(&mut a, &d, 3, y, t + Duration::from_millis(150));
    assert_eq!(a.pane, Pane::Orders);
    assert_eq!(a.filter.query.status, Some(OrderStatus::Held));
}

#[test]
fn the_channels_table_scrolled_to_its_selection_is_hit_where_drawn() {
    let (mut a, _) = app();
    a.handle_key(KeyEvent::new(KeyCode::Char('4'), KeyModifiers::NONE));
    let mut d = Data::empty(Pane::Channels);
    d.loaded = true;
    d.channels = (0..30)
        .map(|i| ChannelHealth {
            id: format!("ch-{i:02}"),
            kind: Some(ChannelKind::Shopify),
            enabled: true,
            state: "idle".into(),
            ..ChannelHealth::default()
        })
        .collect();
    d.rows = 30;
    d.total = Some(30);
    a.sync(&d);
    a.lists[Pane::Channels.index()].selected = 25;
    let list = layout(&a, &d).list.expect("the channels");
    assert!(list.first > 0, "the table scrolled: {list:?}");
    let y = list.area.y + 1;
    let drawn = line(&a, &d, y);
    let want = format!("ch-{:02}", list.first);
    assert!(drawn.contains(&want), "{drawn:?} shows {want}");
    click(&mut a, &d, 3, y, Instant::now());
    assert_eq!(
        a.selected_channel().map(|(id, _)| id.to_string()),
        Some(want)
    );
}

#[test]
fn dialogs_and_inputs_take_no_mouse_and_a_click_closes_the_help() {
    let (mut a, d) = app();
    a.handle_key(KeyEvent::new(KeyCode::Char('x'), KeyModifiers::NONE));
    assert!(matches!(a.mode, Mode::Confirm(_)));
    assert!(click(&mut a, &d, 20, 6, Instant::now()).is_empty());
    assert!(wheel(&mut a, &d, true, 20, 6).is_empty());
    assert!(matches!(a.mode, Mode::Confirm(_)));
    assert_eq!(a.list().selected, 0);
    a.handle_key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE));
    a.handle_key(KeyEvent::new(KeyCode::Char('/'), KeyModifiers::NONE));
    click(&mut a, &d, 20, 6, Instant::now());
    assert!(matches!(a.mode, Mode::Filter));
    a.handle_key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE));
    a.handle_key(KeyEvent::new(KeyCode::Char('?'), KeyModifiers::NONE));
    click(&mut a, &d, 20, 6, Instant::now());
    assert!(matches!(a.mode, Mode::Normal));
    assert_eq!(
        a.list().selected,
        0,
        "the click that closed the help selected nothing"
    );
}

/// Split view at 200x50: Orders (100 orders) | Queues, the keys on Queues. Returns the app, the
/// Queues read and the Orders read.
fn split_app() -> (App, Data, Data) {
    let mut a = App::new("test", "ana", true);
    a.resize(200, 50);
    a.handle_key(KeyEvent::new(KeyCode::Char('3'), KeyModifiers::NONE));
    assert_eq!(a.split_panes(), Some((Pane::Orders, Pane::Queues)));
    let mut q = Data::empty(Pane::Queues);
    q.loaded = true;
    q.rows = 6;
    q.total = Some(6);
    a.sync(&q);
    let o = orders(100, 0, a.page);
    let req = a.companion_request().expect("two panes");
    a.arrived(&req, &o);
    (a, q, o)
}

fn split_layout(a: &App, focused: &Data, companion: &Data) -> ScreenLayout {
    ui::screen_layout_with(
        Rect::new(0, 0, a.width, a.height),
        a,
        focused,
        Some(companion),
    )
}

#[test]
fn in_split_view_a_click_on_the_other_pane_focuses_it_and_selects_the_row() {
    let (mut a, q, o) = split_app();
    let l = split_layout(&a, &q, &o);
    let list = l.companion.expect("the companion's orders are drawn");
    assert_eq!(list.pane, Pane::Orders);
    assert!(l.split[0].outer.contains(list.area.as_position()));
    // The fourth order row, as drawn.
    let y = list.area.y + 1 + 3;
    let mut term = Terminal::new(TestBackend::new(a.width, a.height)).expect("a test terminal");
    term.draw(|f| ui::draw_with(f, &a, &q, Some(&o), chrono::Utc::now()))
        .expect("drawn");
    let drawn: String = (0..100)
        .map(|x| term.backend().buffer()[(x, y)].symbol().to_string())
        .collect();
    assert!(drawn.contains(" 97 "), "{drawn}");
    let t = Instant::now();
    let ev = mouse(MouseEventKind::Down(MouseButton::Left), 20, y);
    let actions = a.handle_mouse(ev, &l, t);
    assert!(actions.iter().any(|x| matches!(x, Action::Refresh)));
    assert_eq!(a.pane, Pane::Orders, "the click focused Orders");
    assert_eq!(a.split_panes(), Some((Pane::Orders, Pane::Queues)));
    assert_eq!(a.target(), Some(97));
    // A second click soon on the same row opens it, as in the focused pane.
    let l = split_layout(&a, &o, &q);
    let actions = a.handle_mouse(ev, &l, t + Duration::from_millis(100));
    assert!(
        matches!(actions.as_slice(), [Action::OpenDetail(97)]),
        "{actions:?}"
    );
    // A click on the other pane's border (not a row) focuses it and selects nothing.
    let l = split_layout(&a, &o, &q);
    let border = l.split[1].outer;
    a.handle_mouse(
        mouse(
            MouseEventKind::Down(MouseButton::Left),
            border.x,
            border.y + 5,
        ),
        &l,
        t + Duration::from_secs(2),
    );
    assert_eq!(a.pane, Pane::Queues);
    assert!(matches!(a.mode, Mode::Normal));
}

#[test]
fn in_split_view_the_wheel_scrolls_the_pane_under_the_pointer_without_focusing_it() {
    let (mut a, q, o) = split_app();
    let l = split_layout(&a, &q, &o);
    let list = l.companion.expect("the companion's orders");
    let ev = mouse(MouseEventKind::ScrollDown, 20, list.area.y + 5);
    let actions = a.handle_mouse(ev, &l, Instant::now());
    // The focused pane's read is not asked for; the companion's request follows its window.
    assert!(actions.is_empty(), "{actions:?}");
    assert_eq!(a.pane, Pane::Queues);
    assert_eq!(a.lists[Pane::Orders.index()].top, WHEEL_ROWS);
    assert_eq!(a.companion_request().map(|r| r.top), Some(WHEEL_ROWS));
    // Over the focused Queues list: its selection moves.
    let queues = l.list.expect("the queues");
    let ev = mouse(
        MouseEventKind::ScrollDown,
        queues.area.x + 2,
        queues.area.y + 2,
    );
    a.handle_mouse(ev, &l, Instant::now());
    assert_eq!(a.lists[Pane::Queues.index()].selected, 1);
}
