//! Moving in the lists, switching panes, the `/` filter, the queues, the help.

use super::*;

#[test]
fn moving_stays_within_the_list_and_the_window() {
    let mut a = app();
    assert_eq!(a.page, 18);
    assert!(a.handle_key(key('j')).is_empty());
    a.handle_key(code(KeyCode::Down));
    assert_eq!(a.list().selected, 2);
    a.handle_key(key('k'));
    assert_eq!(a.list().selected, 1);
    a.handle_key(key('G'));
    assert_eq!(a.list().selected, 9, "G goes to the last of 10");
    a.handle_key(key('j'));
    assert_eq!(a.list().selected, 9, "no row past the end");
    a.handle_key(key('g'));
    assert_eq!(a.list().selected, 0);
    a.handle_key(key('k'));
    assert_eq!(a.list().selected, 0);
    a.handle_key(code(KeyCode::End));
    a.handle_key(code(KeyCode::Home));
    assert_eq!(a.list().selected, 0);
}

#[test]
fn paging_past_the_window_asks_for_the_next_rows() {
    let mut a = app();
    let l = &mut a.lists[0];
    l.total = Some(1000);
    l.more = true;
    l.known = 18;
    assert!(
        !refreshes(&a.handle_key(ctrl('d'))),
        "half a page stays in the window"
    );
    assert_eq!(a.list().selected, 9);
    let acts = a.handle_key(code(KeyCode::PageDown));
    assert!(refreshes(&acts));
    assert_eq!(a.list().selected, 27);
    assert_eq!(a.list().top, 10, "the selected row is the window's last");
    a.handle_key(code(KeyCode::PageUp));
    a.handle_key(ctrl('u'));
    assert_eq!(a.list().selected, 0);
    assert_eq!(a.list().top, 0);
    a.handle_key(key('G'));
    assert_eq!(a.list().selected, 999);
    assert_eq!(a.list().top, 982);
}

#[test]
fn panes_by_number_and_tab() {
    let mut a = app();
    assert!(refreshes(&a.handle_key(key('2'))));
    assert_eq!(a.pane, Pane::Inventory);
    a.handle_key(key('6'));
    assert_eq!(a.pane, Pane::Events);
    a.handle_key(code(KeyCode::Tab));
    assert_eq!(a.pane, Pane::Orders, "Tab wraps around");
    a.handle_key(KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT));
    assert_eq!(a.pane, Pane::Events);
    a.handle_key(key('3'));
    assert_eq!(a.pane, Pane::Queues);
}

#[test]
fn filter_as_you_type_maps_field_terms_and_esc_clears() {
    let mut a = app();
    // From any pane but Inventory (which filters its stock records: tests/inventory_filter.rs).
    a.handle_key(key('3'));
    a.handle_key(key('/'));
    assert!(matches!(a.mode, Mode::Filter));
    let acts = typed(&mut a, "status:held ada");
    assert!(refreshes(&acts));
    assert_eq!(a.pane, Pane::Orders, "typing a filter shows orders");
    assert_eq!(a.filter.query.status, Some(OrderStatus::Held));
    assert_eq!(a.filter.words, vec!["ada"]);
    a.handle_key(code(KeyCode::Backspace));
    assert_eq!(a.filter_input, "status:held ad");
    a.handle_key(code(KeyCode::Enter));
    assert!(matches!(a.mode, Mode::Normal));
    assert_eq!(a.filter.words, vec!["ad"], "Enter keeps the filter");
    assert!(refreshes(&a.handle_key(code(KeyCode::Esc))));
    assert!(a.filter.is_empty(), "Esc in normal mode clears the filter");
    a.handle_key(key('/'));
    typed(&mut a, "x");
    a.handle_key(code(KeyCode::Esc));
    assert!(a.filter_input.is_empty());
    assert!(matches!(a.mode, Mode::Normal));
}

#[test]
fn unknown_filter_terms_are_reported() {
    let mut a = app();
    a.handle_key(key('/'));
    typed(&mut a, "age:>banana");
    a.handle_key(code(KeyCode::Enter));
    let t = a.toast.clone().expect("a toast");
    assert!(t.error && t.text.contains("age:>banana"), "{t:?}");
}

#[test]
fn queues_enter_lists_the_queue_in_orders() {
    let mut a = app();
    a.handle_key(key('3'));
    for _ in 0..4 {
        a.handle_key(key('j'));
    }
    assert_eq!(a.request().queue, Some(OrderStatus::Held));
    assert!(refreshes(&a.handle_key(code(KeyCode::Enter))));
    assert_eq!(a.pane, Pane::Orders);
    assert_eq!(a.filter.query.status, Some(OrderStatus::Held));
    assert_eq!(a.filter_input, "status:held");
}

#[test]
fn help_comes_from_the_keymap_and_any_other_key_closes_it() {
    let a = app();
    let help = help_lines(&a.keymap);
    for cmd in [Cmd::Down, Cmd::Hold, Cmd::Cancel, Cmd::Filter, Cmd::Quit] {
        assert!(
            help.iter().any(|(_, what)| *what == cmd.describe()),
            "{cmd:?}"
        );
    }
    assert!(help.iter().any(|(k, _)| k == "j ↓"));
    assert!(help.iter().any(|(k, _)| k == "1-6"));
    let mut a = app();
    a.handle_key(key('?'));
    assert!(matches!(a.mode, Mode::Help));
    // j scrolls the help (issue 6, finding 8); another key closes it.
    assert!(a.handle_key(key('j')).is_empty());
    assert!(matches!(a.mode, Mode::Help));
    assert!(a.handle_key(key('x')).is_empty());
    assert!(matches!(a.mode, Mode::Normal));
    assert!(matches!(a.handle_key(key('q')).as_slice(), [Action::Quit]));
    assert!(matches!(a.handle_key(ctrl('c')).as_slice(), [Action::Quit]));
}

#[test]
fn selection_stays_on_its_order_when_new_orders_arrive() {
    use crate::console::data::Data;
    let mut a = app();
    a.handle_key(key('j'));
    a.handle_key(key('j'));
    assert_eq!(a.target(), Some(98));
    // Two new orders arrive at the top: the window now starts with 102, 101, 100, ...
    let mut d = Data::empty(Pane::Orders);
    d.loaded = true;
    d.rows = 12;
    d.total = Some(12);
    d.orders = (91..=102)
        .rev()
        .map(|id| {
            let mut o: crate::model::Order = serde_json::from_value(serde_json::json!({
                "id": id, "received_at": "2026-11-28T09:00:00Z", "status": "allocated",
                "channel_order": {"channel": "web", "external_id": id.to_string(),
                    "created_at": "2026-11-28T09:00:00Z", "updated_at": "2026-11-28T09:00:00Z",
                    "lines": [], "totals": {"total": "0"}, "currency": "USD"}
            }))
            .unwrap();
            o.id = id;
            o
        })
        .collect();
    a.sync(&d);
    assert_eq!(a.list().selected, 4);
    assert_eq!(
        a.target(),
        Some(98),
        "h would hold the order the operator picked"
    );
}
