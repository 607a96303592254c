//! Two panes side by side on a wide screen (200x50), from the same real store as the one-pane
//! screens (`common/console_store.rs`): the focused pane and its companion each read through
//! the client with their own request, as the event loop reads them, and each screen is compared
//! with its insta snapshot. NO_COLOR: the focused pane must be told by its double border and
//! bracketed title, not by colour.

#[path = "common/console_store.rs"]
mod console_store;

use crossterm::event::KeyCode;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Modifier;

use ordo::console::app::{App, Mode, Pane};
use ordo::console::ui;

use console_store::*;

/// Cells drawn in reverse video inside `r` (the selected row of the focused pane, its title).
fn reversed_in(buffer: &Buffer, r: Rect) -> usize {
    let mut n = 0;
    for y in r.y..r.y + r.height {
        for x in r.x..r.x + r.width {
            if buffer[(x, y)].modifier.contains(Modifier::REVERSED) {
                n += 1;
            }
        }
    }
    n
}

/// The two panes' areas as drawn, left then right.
fn halves(a: &App, d: &ordo::console::data::Data, c: &ordo::console::data::Data) -> [Rect; 2] {
    let l = ui::screen_layout_with(Rect::new(0, 0, a.width, a.height), a, d, Some(c));
    assert_eq!(l.split.len(), 2, "two panes at {}x{}", a.width, a.height);
    [l.split[0].inner, l.split[1].inner]
}

#[tokio::test]
async fn split_screens() {
    let f = fixture().await;
    let c = &f.client;

    // 1 then 3: Orders | Queues, the keys on Queues (the allocated queue selected). Orders
    // shows its selection by the marker only; its title and border are the thin ones.
    let mut a = app(200, 50);
    load(c, &mut a);
    press(&mut a, KeyCode::Char('j'));
    press(&mut a, KeyCode::Char('3'));
    press(&mut a, KeyCode::Char('j'));
    assert_eq!(a.split_panes(), Some((Pane::Orders, Pane::Queues)));
    let d = load(c, &mut a);
    let side = load_companion(c, &mut a);
    assert_eq!((d.pane, side.pane), (Pane::Queues, Pane::Orders));
    let (text, buffer) = screen_split(&a, &d, &side);
    insta::assert_snapshot!("orders_queues_200x50", text);
    let [left, right] = halves(&a, &d, &side);
    assert_eq!(
        reversed_in(&buffer, left),
        0,
        "no reverse video in the companion"
    );
    assert!(
        reversed_in(&buffer, right) > 10,
        "the focused pane's selected row"
    );
    assert!(text.contains("[3 Queues]═") && text.contains("┌ 1 Orders ─"));

    // `w`: the keys go to Orders; nothing moves. Enter opens the selected order's detail in
    // Orders' half; Queues stays beside it.
    press(&mut a, KeyCode::Char('w'));
    assert_eq!(a.pane, Pane::Orders);
    assert_eq!(a.split_panes(), Some((Pane::Orders, Pane::Queues)));
    press(&mut a, KeyCode::Enter);
    assert!(matches!(a.mode, Mode::Detail));
    let d = load(c, &mut a);
    let side = load_companion(c, &mut a);
    assert_eq!(d.detail.as_ref().map(|d| d.order.id), Some(5));
    let (text, _) = screen_split(&a, &d, &side);
    insta::assert_snapshot!("detail_beside_queues_200x50", text);

    // From the start: 6 then 2 gives Inventory | Events (Events, where the eyes were, stays
    // on the right), the keys on Inventory, its second record selected.
    let mut a = app(200, 50);
    press(&mut a, KeyCode::Char('6'));
    press(&mut a, KeyCode::Char('2'));
    assert_eq!(a.split_panes(), Some((Pane::Inventory, Pane::Events)));
    load(c, &mut a);
    press(&mut a, KeyCode::Char('j'));
    let d = load(c, &mut a);
    let side = load_companion(c, &mut a);
    let (text, _) = screen_split(&a, &d, &side);
    insta::assert_snapshot!("inventory_events_200x50", text);

    // `|`: one pane, as wide as the window, the footer saying how to get two back.
    press(&mut a, KeyCode::Char('|'));
    let d = load(c, &mut a);
    let one = screen(&a, &d);
    assert!(!one.contains("Events ─"), "{one}");
    assert!(one.contains("| two panes"), "{one}");
}

/// Below 160 columns the screen is the one-pane console, whatever the companion.
#[tokio::test]
async fn narrow_windows_show_one_pane() {
    let f = fixture().await;
    let c = &f.client;
    for (w, h) in [(80, 24), (159, 40)] {
        let mut a = app(w, h);
        press(&mut a, KeyCode::Char('3'));
        assert_eq!(a.split_panes(), None);
        assert_eq!(a.companion_request(), None);
        let d = load(c, &mut a);
        let text = screen(&a, &d);
        assert!(
            !text.contains('═') && !text.contains("┌ 1 Orders"),
            "{text}"
        );
    }
}
