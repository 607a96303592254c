//! Key handling without a terminal: keys in, state and actions out.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::app::{complete, help_lines, Action, App, Cmd, Mode, Pane};
use crate::ledger::Command;
use crate::model::{Actor, OrderStatus};

fn key(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
}

fn code(c: KeyCode) -> KeyEvent {
    KeyEvent::new(c, KeyModifiers::NONE)
}

fn ctrl(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
}

/// An app at 80x24 (18 list rows) whose Orders pane shows orders 100..=91 (newest first).
fn app() -> App {
    let mut a = App::new("test", "ana", true);
    a.resize(80, 24);
    let l = &mut a.lists[0];
    l.ids = (91..=100).rev().collect();
    l.known = 10;
    l.more = false;
    l.total = Some(10);
    a
}

fn typed(a: &mut App, s: &str) -> Vec<Action> {
    s.chars().flat_map(|c| a.handle_key(key(c))).collect()
}

fn refreshes(actions: &[Action]) -> bool {
    actions.iter().any(|a| matches!(a, Action::Refresh))
}

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
    a.handle_key(key('2'));
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
    typed(&mut a, "age:>2h");
    a.handle_key(code(KeyCode::Enter));
    let t = a.toast.clone().expect("a toast");
    assert!(t.error && t.text.contains("age:>2h"), "{t:?}");
}

#[test]
fn hold_and_release_submit_for_the_selected_order_as_the_operator() {
    let mut a = app();
    a.handle_key(key('j'));
    match a.handle_key(key('h')).as_slice() {
        [Action::Submit(Command::Hold { id, reason, by })] => {
            assert_eq!(*id, 99);
            assert_eq!(reason, "held from the console");
            assert_eq!(*by, Actor::Operator("ana".into()));
        }
        other => panic!("{other:?}"),
    }
    match a.handle_key(key('u')).as_slice() {
        [Action::Submit(Command::Release { id: 99, .. })] => {}
        other => panic!("{other:?}"),
    }
}

#[test]
fn row_actions_need_an_order() {
    let mut a = app();
    a.handle_key(key('2'));
    assert!(a.handle_key(key('h')).is_empty());
    assert!(a.toast.as_ref().is_some_and(|t| t.error));
    let mut empty = App::new("t", "ana", true);
    assert!(empty.handle_key(key('x')).is_empty());
    assert!(matches!(empty.mode, Mode::Normal));
}

#[test]
fn cancel_asks_first_with_cancel_focused() {
    let mut a = app();
    assert!(a.handle_key(key('x')).is_empty());
    let Mode::Confirm(c) = &a.mode else {
        panic!("no dialog")
    };
    assert!(!c.confirm_focused);
    // Enter on the focused "Cancel" button does nothing.
    assert!(a.handle_key(code(KeyCode::Enter)).is_empty());
    assert!(matches!(a.mode, Mode::Normal));
    // Tab to "Cancel order", Enter confirms.
    a.handle_key(key('x'));
    a.handle_key(code(KeyCode::Tab));
    match a.handle_key(code(KeyCode::Enter)).as_slice() {
        [Action::Submit(Command::Cancel { id: 100, .. })] => {}
        other => panic!("{other:?}"),
    }
    // y confirms at once; Esc and n back out.
    a.handle_key(key('x'));
    assert!(a.handle_key(key('n')).is_empty());
    a.handle_key(key('x'));
    assert!(a.handle_key(code(KeyCode::Esc)).is_empty());
    a.handle_key(key('x'));
    assert!(matches!(
        a.handle_key(key('y')).as_slice(),
        [Action::Submit(Command::Cancel { id: 100, .. })]
    ));
}

#[test]
fn enter_opens_the_detail_and_actions_apply_to_it() {
    let mut a = app();
    a.handle_key(key('j'));
    a.handle_key(key('j'));
    assert!(matches!(
        a.handle_key(code(KeyCode::Enter)).as_slice(),
        [Action::OpenDetail(98)]
    ));
    assert!(matches!(a.mode, Mode::Detail));
    assert_eq!(a.request().detail, Some(98));
    a.handle_key(key('j'));
    assert_eq!(a.detail_scroll, 1, "j scrolls the detail");
    assert_eq!(a.list().selected, 2, "and leaves the selection");
    assert!(matches!(
        a.handle_key(key('h')).as_slice(),
        [Action::Submit(Command::Hold { id: 98, .. })]
    ));
    a.handle_key(key('x'));
    assert!(a.opened_from_detail());
    a.handle_key(code(KeyCode::Esc));
    assert!(
        matches!(a.mode, Mode::Detail),
        "the dialog returns to the detail"
    );
    a.handle_key(code(KeyCode::Esc));
    assert!(matches!(a.mode, Mode::Normal));
    assert_eq!(a.request().detail, None);
}

#[test]
fn command_line_runs_commands_with_history_and_completion() {
    let mut a = app();
    a.handle_key(key(':'));
    typed(&mut a, "hold late payment");
    match a.handle_key(code(KeyCode::Enter)).as_slice() {
        [Action::Submit(Command::Hold {
            id: 100, reason, ..
        })] => {
            assert_eq!(reason, "late payment")
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(a.mode, Mode::Normal));
    a.handle_key(key(':'));
    typed(&mut a, "rel");
    a.handle_key(code(KeyCode::Tab));
    assert_eq!(a.command_input, "release ");
    a.handle_key(code(KeyCode::Esc));
    a.handle_key(key(':'));
    a.handle_key(code(KeyCode::Up));
    assert_eq!(a.command_input, "hold late payment", "Up recalls history");
    a.handle_key(code(KeyCode::Down));
    assert_eq!(a.command_input, "");
    a.handle_key(code(KeyCode::Esc));

    assert!(matches!(
        a.execute("goto 42").as_slice(),
        [Action::OpenDetail(42)]
    ));
    assert!(matches!(a.mode, Mode::Detail));
    assert!(matches!(
        a.execute("ship 1Z999 ups").as_slice(),
        [Action::Submit(Command::Ship { id: 42, .. })]
    ));
    assert!(matches!(
        a.execute("route wh-east").as_slice(),
        [Action::Submit(Command::Reroute { id: 42, .. })]
    ));
    assert!(a.execute("ship").is_empty());
    assert!(a.toast.as_ref().unwrap().text.contains("usage"));
    assert!(a.execute("frobnicate").is_empty());
    assert!(matches!(a.execute("q").as_slice(), [Action::Quit]));
}

#[test]
fn stock_set_asks_first() {
    let mut a = app();
    assert!(a.execute("stock set TEE-M wh-1 12").is_empty());
    assert!(matches!(a.mode, Mode::Confirm(_)));
    match a.handle_key(key('y')).as_slice() {
        [Action::Submit(Command::SetStock { rows, .. })] => {
            assert_eq!((rows[0].sku.as_str(), rows[0].on_hand), ("TEE-M", 12))
        }
        other => panic!("{other:?}"),
    }
    assert!(a.execute("stock set TEE-M wh-1 -3").is_empty());
    assert!(matches!(a.mode, Mode::Normal));
}

#[test]
fn completion_only_when_unambiguous() {
    assert_eq!(complete("ho").as_deref(), Some("hold "));
    assert_eq!(complete("st").as_deref(), Some("stock set "));
    assert_eq!(complete("q"), None, "q and quit");
    assert_eq!(complete("hold x"), None);
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
fn help_comes_from_the_keymap_and_any_key_closes_it() {
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
    assert!(a.handle_key(key('j')).is_empty());
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
