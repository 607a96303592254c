//! Two panes side by side: which panes show where, which pane a key acts on, the toggle, the
//! companion's own read, the footer, and that narrow windows are the one-pane console.

use super::*;
use crate::console::app::SPLIT_MIN_WIDTH;
use crate::console::data::Data;

/// [`app`] in a window `w` x `h`.
fn wide(w: u16, h: u16) -> App {
    let mut a = app();
    a.resize(w, h);
    a
}

/// The Queues list as its read leaves it: a fixed list of 6.
fn queues_known(a: &mut App) {
    let mut d = Data::empty(Pane::Queues);
    d.loaded = true;
    d.rows = 6;
    d.total = Some(6);
    a.sync(&d);
}

#[test]
fn two_panes_from_160_columns_and_one_below() {
    let a = wide(200, 50);
    assert!(a.split_active());
    // Nothing came before the first pane: the audit trail beside the orders.
    assert_eq!(a.split_panes(), Some((Pane::Orders, Pane::Events)));
    assert_eq!(SPLIT_MIN_WIDTH, 160);
    assert!(wide(160, 40).split_active());
    assert!(!wide(159, 40).split_active());
    let narrow = wide(80, 24);
    assert_eq!(narrow.split_panes(), None);
    assert_eq!(narrow.companion_request(), None);
    // The panes' borders take a line above and below: two rows fewer in each list.
    assert_eq!(wide(200, 50).page, 50 - 6 - 2);
    assert_eq!(wide(120, 50).page, 50 - 6);
}

#[test]
fn a_pane_key_puts_the_new_pane_in_the_companions_place() {
    let mut a = wide(200, 50);
    // 1 then 3: Orders | Queues, the keys on Queues.
    assert!(refreshes(&a.handle_key(key('3'))));
    assert_eq!(a.pane, Pane::Queues);
    assert_eq!(a.split_panes(), Some((Pane::Orders, Pane::Queues)));
    // 6: Queues (where the eyes are) stays on the right; Events takes Orders' place.
    a.handle_key(key('6'));
    assert_eq!(a.pane, Pane::Events);
    assert_eq!(a.split_panes(), Some((Pane::Events, Pane::Queues)));
    // The companion's own key only moves the focus: nothing moves on screen.
    a.handle_key(key('3'));
    assert_eq!(a.pane, Pane::Queues);
    assert_eq!(a.split_panes(), Some((Pane::Events, Pane::Queues)));
    // Tab goes on from the focused pane (Queues -> Channels), in Events' place.
    a.handle_key(code(KeyCode::Tab));
    assert_eq!(a.pane, Pane::Channels);
    assert_eq!(a.split_panes(), Some((Pane::Channels, Pane::Queues)));
}

#[test]
fn w_and_ctrl_w_move_the_focus_and_nothing_else() {
    let mut a = wide(200, 50);
    a.handle_key(key('3'));
    for k in [key('w'), ctrl('w')] {
        let before = a.split_panes();
        let was = a.pane;
        assert!(refreshes(&a.handle_key(k)));
        assert_ne!(a.pane, was, "{k:?}");
        assert_eq!(
            a.split_panes(),
            before,
            "{k:?}: the panes stay where they are"
        );
    }
    // From the detail too (the detail closes: it belongs to the pane left).
    a.handle_key(key('1'));
    a.handle_key(code(KeyCode::Enter));
    assert!(matches!(a.mode, Mode::Detail));
    a.handle_key(key('w'));
    assert_eq!(a.pane, Pane::Queues);
    assert!(matches!(a.mode, Mode::Normal));
}

#[test]
fn with_one_pane_w_goes_back_to_the_pane_before() {
    let mut a = app();
    assert!(!a.split_active());
    a.handle_key(key('3'));
    a.handle_key(key('w'));
    assert_eq!(a.pane, Pane::Orders);
    a.handle_key(key('w'));
    assert_eq!(a.pane, Pane::Queues);
    // And the window widening shows those two.
    a.resize(200, 50);
    assert_eq!(a.split_panes(), Some((Pane::Orders, Pane::Queues)));
}

#[test]
fn keys_act_on_the_focused_pane_only() {
    let mut a = wide(200, 50);
    queues_known(&mut a);
    // Orders | Queues, the keys on Queues: j moves the queue, not the order.
    a.handle_key(key('3'));
    a.handle_key(key('j'));
    a.handle_key(key('j'));
    assert_eq!(a.lists[Pane::Queues.index()].selected, 2);
    assert_eq!(a.lists[Pane::Orders.index()].selected, 0);
    // h on Queues holds nothing, although the Orders pane beside it has a row selected.
    assert!(a.handle_key(key('h')).is_empty());
    assert!(a.toast.as_ref().is_some_and(|t| t.error));
    // The focus on Orders: j and h act there.
    a.handle_key(key('w'));
    a.handle_key(key('j'));
    assert_eq!(a.lists[Pane::Orders.index()].selected, 1);
    assert_eq!(a.lists[Pane::Queues.index()].selected, 2);
    match a.handle_key(key('h')).as_slice() {
        [Action::Submit(Command::Hold { id, .. })] => assert_eq!(*id, 99),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_queue_opened_beside_the_orders_lists_there() {
    let mut a = wide(200, 50);
    queues_known(&mut a);
    a.handle_key(key('3'));
    for _ in 0..4 {
        a.handle_key(key('j'));
    }
    a.handle_key(code(KeyCode::Enter));
    // The held queue, in the Orders pane beside: the focus moves, the Queues pane stays.
    assert_eq!(a.pane, Pane::Orders);
    assert_eq!(a.filter_input, "status:held");
    assert_eq!(a.split_panes(), Some((Pane::Orders, Pane::Queues)));
}

#[test]
fn the_bar_turns_the_second_pane_off_and_on() {
    let mut a = wide(200, 50);
    assert!(refreshes(&a.handle_key(key('|'))));
    assert!(!a.split && !a.split_active());
    assert_eq!(a.page, 50 - 6, "the rows the borders took are back");
    assert_eq!(a.companion_request(), None);
    a.handle_key(key('|'));
    assert!(a.split_active());
    assert_eq!(a.page, 50 - 6 - 2);
    // A narrow window keeps the choice for later and says so.
    let mut n = app();
    n.handle_key(key('|'));
    assert!(!n.split);
    n.handle_key(key('|'));
    assert!(n.split && !n.split_active());
    let t = n.toast.clone().expect("a toast");
    assert!(
        t.text.contains("160 columns") && t.text.contains("now 80"),
        "{t:?}"
    );
}

#[test]
fn the_split_keys_are_remappable() {
    let remaps: Vec<(String, Vec<String>)> = vec![
        ("other_pane".into(), vec!["ctrl-o".into()]),
        ("split_view".into(), vec!["f2".into()]),
    ];
    let mut a = wide(200, 50);
    a.keymap = crate::console::app::keymap_with(&remaps);
    a.handle_key(key('w'));
    assert_eq!(a.pane, Pane::Orders, "w is no longer bound");
    a.handle_key(ctrl('o'));
    assert_eq!(a.pane, Pane::Events);
    a.handle_key(code(KeyCode::F(2)));
    assert!(!a.split);
    let help = help_lines(&a.keymap);
    assert!(help
        .iter()
        .any(|(k, what)| k == "Ctrl-o" && *what == Cmd::OtherPane.describe()));
}

#[test]
fn the_companion_reads_its_own_window() {
    let mut a = wide(200, 50);
    a.handle_key(key('2'));
    // Orders | Inventory. The keys to Orders (`/` in Inventory filters its stock), filtered;
    // Orders scrolls on its own; back to Inventory, Orders is the companion.
    a.handle_key(key('w'));
    a.handle_key(key('/'));
    typed(&mut a, "status:held");
    a.handle_key(code(KeyCode::Enter));
    assert_eq!(a.pane, Pane::Orders);
    a.lists[Pane::Orders.index()].top = 40;
    a.handle_key(key('w'));
    assert_eq!(a.pane, Pane::Inventory);
    let req = a.companion_request().expect("two panes");
    assert_eq!(req.pane, Pane::Orders);
    assert_eq!((req.top, req.limit), (40, a.page));
    assert_eq!(req.filter.query.status, Some(OrderStatus::Held));
    assert_eq!(req.detail, None);
    assert_eq!(a.request().pane, Pane::Inventory);
    // Its read teaches its list (length, rows) without acting, and never the focused one.
    let mut d = Data::empty(Pane::Orders);
    d.loaded = true;
    d.filter = req.filter.clone();
    d.top = req.top;
    d.rows = 3;
    d.total = Some(3);
    assert!(a.arrived(&req, &d).is_empty());
    assert_eq!(a.lists[Pane::Orders.index()].total, Some(3));
    assert_eq!(a.lists[Pane::Inventory.index()].total, None);
    // With one pane, a read of another pane than the one shown teaches nothing (as before).
    let mut n = app();
    n.handle_key(key('2'));
    n.lists[Pane::Orders.index()].total = None;
    let req = crate::console::data::Request {
        pane: Pane::Orders,
        ..n.request()
    };
    n.arrived(&req, &d);
    assert_eq!(n.lists[Pane::Orders.index()].total, None);
}

#[test]
fn the_footer_says_the_split_keys_in_wide_windows_only() {
    use crate::console::ui::footer_keys;
    let narrow = app();
    assert!(
        !footer_keys(&narrow).contains("pane"),
        "80 columns: as before"
    );
    let mut a = wide(200, 50);
    let line = footer_keys(&a);
    assert!(
        line.ends_with("w other pane · | one pane · q quit"),
        "{line}"
    );
    a.handle_key(key('|'));
    assert!(footer_keys(&a).ends_with("| two panes · q quit"));
}
