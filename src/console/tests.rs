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
    typed(&mut a, "age:>banana");
    a.handle_key(code(KeyCode::Enter));
    let t = a.toast.clone().expect("a toast");
    assert!(t.error && t.text.contains("age:>banana"), "{t:?}");
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

fn space() -> KeyEvent {
    key(' ')
}

#[test]
fn space_marks_and_h_u_x_apply_to_all_marked() {
    let mut a = app();
    a.handle_key(space());
    a.handle_key(key('j'));
    a.handle_key(key('j'));
    a.handle_key(space());
    a.handle_key(key('j'));
    a.handle_key(space());
    a.handle_key(space());
    assert_eq!(a.marks.iter().copied().collect::<Vec<_>>(), vec![98, 100]);
    assert_eq!(a.list().selected, 3, "Space does not move");
    match a.handle_key(key('h')).as_slice() {
        [Action::SubmitBatch { commands, verb }] => {
            assert_eq!(*verb, "held");
            let ids: Vec<_> = commands
                .iter()
                .map(|c| match c {
                    Command::Hold { id, by, .. } => {
                        assert_eq!(*by, Actor::Operator("ana".into()));
                        *id
                    }
                    other => panic!("{other:?}"),
                })
                .collect();
            assert_eq!(ids, vec![98, 100]);
        }
        other => panic!("{other:?}"),
    }
    assert!(a.marks.is_empty(), "a bulk action uses the marks up");
    // Without marks, h acts on the selected row again.
    assert!(matches!(
        a.handle_key(key('h')).as_slice(),
        [Action::Submit(Command::Hold { id: 97, .. })]
    ));
    a.handle_key(space());
    a.handle_key(key('k'));
    a.handle_key(space());
    assert!(matches!(
        a.handle_key(key('u')).as_slice(),
        [Action::SubmitBatch { commands, verb: "released" }] if commands.len() == 2
    ));
}

#[test]
fn bulk_cancel_says_how_many_and_asks_first() {
    let mut a = app();
    for _ in 0..3 {
        a.handle_key(space());
        a.handle_key(key('j'));
    }
    assert!(a.handle_key(key('x')).is_empty());
    let Mode::Confirm(c) = &a.mode else {
        panic!("no dialog")
    };
    assert!(!c.confirm_focused, "Cancel is focused");
    assert!(
        c.message.contains("Cancel 3 marked orders"),
        "{}",
        c.message
    );
    assert_eq!(c.confirm_label, "Cancel 3 orders");
    // Backing out keeps the marks.
    a.handle_key(code(KeyCode::Esc));
    assert_eq!(a.marks.len(), 3);
    a.handle_key(key('x'));
    match a.handle_key(key('y')).as_slice() {
        [Action::SubmitBatch { commands, verb }] => {
            assert_eq!(*verb, "cancelled");
            assert_eq!(commands.len(), 3);
            assert!(commands.iter().all(|c| matches!(c, Command::Cancel { .. })));
        }
        other => panic!("{other:?}"),
    }
    assert!(a.marks.is_empty());
}

#[test]
fn esc_clears_marks_before_the_filter_and_marks_stay_on_orders() {
    let mut a = app();
    a.handle_key(key('/'));
    typed(&mut a, "ada");
    a.handle_key(code(KeyCode::Enter));
    // As the read of the filtered view would leave it.
    a.lists[0].ids = (91..=100).rev().collect();
    a.lists[0].stale = false;
    a.handle_key(space());
    assert_eq!(a.marks.len(), 1);
    assert!(a.handle_key(code(KeyCode::Esc)).is_empty());
    assert!(a.marks.is_empty());
    assert_eq!(a.filter_input, "ada", "the first Esc clears the marks only");
    assert!(refreshes(&a.handle_key(code(KeyCode::Esc))));
    assert!(a.filter_input.is_empty());
    // Space elsewhere than the Orders list marks nothing.
    a.handle_key(key('2'));
    a.handle_key(space());
    assert!(a.marks.is_empty());
    assert!(a.toast.as_ref().is_some_and(|t| t.error));
}

#[test]
fn bulk_replies_are_summed_up_in_one_toast() {
    use crate::console::summarize;
    use crate::ledger::{LedgerError, Outcome};
    let held = |id| {
        Ok(Outcome::Order {
            id,
            status: OrderStatus::Held,
        })
    };
    let replies = vec![
        held(1),
        held(2),
        held(3),
        Ok(Outcome::Unchanged {
            id: 4,
            why: "already held".into(),
        }),
    ];
    assert_eq!(
        summarize("held", &replies),
        ("3 orders held, 1 unchanged".to_string(), false)
    );
    assert_eq!(
        summarize("released", &[held(1)]),
        ("1 order released".to_string(), false)
    );
    let refused = vec![held(1), Err(LedgerError::NoSuchOrder(9))];
    let (text, error) = summarize("held", &refused);
    assert!(error);
    assert!(text.starts_with("1 order held, 1 refused"), "{text}");
}

fn option(loc: &str, covers: bool) -> crate::console::data::RerouteOption {
    crate::console::data::RerouteOption {
        location: loc.into(),
        kind: "warehouse",
        stock: vec![("TEE".into(), 1, if covers { 5 } else { 0 })],
        covers,
        distance_km: Some(10.0),
        current: false,
    }
}

#[test]
fn r_opens_the_picker_and_enter_reroutes_to_the_chosen_location() {
    let mut a = app();
    a.handle_key(key('j'));
    assert!(matches!(
        a.handle_key(key('r')).as_slice(),
        [Action::LoadReroute(99)]
    ));
    assert!(matches!(a.mode, Mode::Reroute));
    // Nothing to pick while the options are read.
    assert!(a.handle_key(code(KeyCode::Enter)).is_empty());
    assert!(matches!(a.mode, Mode::Reroute));
    // An answer for another order is ignored.
    a.set_reroute_options(7, Ok(vec![option("nowhere", true)]));
    assert!(a.picker.as_ref().unwrap().options.is_none());
    a.set_reroute_options(
        99,
        Ok(vec![
            option("wh-east", true),
            option("wh-west", true),
            option("store-chi", false),
        ]),
    );
    a.handle_key(key('j'));
    a.handle_key(code(KeyCode::Down));
    a.handle_key(key('j'));
    assert_eq!(a.picker.as_ref().unwrap().selected, 2, "stops at the end");
    a.handle_key(key('k'));
    match a.handle_key(code(KeyCode::Enter)).as_slice() {
        [Action::Submit(Command::Reroute {
            id,
            location,
            reason,
            by,
        })] => {
            assert_eq!((*id, location.as_str()), (99, "wh-west"));
            assert_eq!(reason, "re-routed from the console");
            assert_eq!(*by, Actor::Operator("ana".into()));
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(a.mode, Mode::Normal));
    // Esc backs out without a command; from the detail it returns there.
    a.handle_key(code(KeyCode::Enter));
    a.handle_key(key('r'));
    assert!(a.handle_key(code(KeyCode::Esc)).is_empty());
    assert!(matches!(a.mode, Mode::Detail));
}

#[test]
fn s_takes_tracking_and_carrier_then_ships() {
    let mut a = app();
    assert!(a.handle_key(key('s')).is_empty());
    assert!(matches!(a.mode, Mode::Ship(_)));
    // No tracking number: Enter refuses and stays.
    assert!(a.handle_key(code(KeyCode::Enter)).is_empty());
    assert!(a.toast.as_ref().is_some_and(|t| t.error));
    assert!(matches!(a.mode, Mode::Ship(_)));
    typed(&mut a, "1Z9990");
    a.handle_key(code(KeyCode::Backspace));
    a.handle_key(code(KeyCode::Tab));
    typed(&mut a, "ups");
    let Mode::Ship(f) = &a.mode else { panic!() };
    assert_eq!((f.tracking.as_str(), f.carrier.as_str()), ("1Z999", "ups"));
    match a.handle_key(code(KeyCode::Enter)).as_slice() {
        [Action::Submit(Command::Ship {
            id,
            carrier,
            tracking,
            ..
        })] => assert_eq!(
            (*id, carrier.as_str(), tracking.as_str()),
            (100, "ups", "1Z999")
        ),
        other => panic!("{other:?}"),
    }
    assert!(matches!(a.mode, Mode::Normal));
    // The keys typed into the form were not commands: nothing was held or quit.
    a.handle_key(key('s'));
    typed(&mut a, "hq");
    assert!(matches!(a.mode, Mode::Ship(_)));
    assert!(a.handle_key(code(KeyCode::Esc)).is_empty());
    assert!(matches!(a.mode, Mode::Normal));
    // An empty carrier is "unknown".
    a.handle_key(key('s'));
    typed(&mut a, "T1");
    assert!(matches!(
        a.handle_key(code(KeyCode::Enter)).as_slice(),
        [Action::Submit(Command::Ship { carrier, .. })] if carrier == "unknown"
    ));
}

#[test]
fn a_adjusts_stock_of_the_selected_record_after_a_confirmation() {
    use crate::console::data::Data;
    use crate::model::{StockKey, StockLevel};
    let mut a = app();
    assert!(a.handle_key(key('a')).is_empty());
    assert!(matches!(a.mode, Mode::Normal), "not on the Orders pane");
    a.handle_key(key('2'));
    let mut d = Data::empty(Pane::Inventory);
    d.loaded = true;
    d.rows = 2;
    d.stock = ["wh-east", "wh-west"]
        .iter()
        .map(|loc| crate::client::StockRow {
            key: StockKey::new("TEE-M", *loc),
            level: StockLevel {
                on_hand: 10,
                reserved: 1,
                safety_stock: 0,
            },
        })
        .collect();
    a.sync(&d);
    a.handle_key(key('j'));
    a.handle_key(key('a'));
    let Mode::Adjust(f) = &a.mode else {
        panic!("no input")
    };
    assert_eq!((f.key.location.as_str(), f.current), ("wh-west", 10));
    typed(&mut a, "1x2-");
    assert!(
        a.handle_key(code(KeyCode::Enter)).is_empty(),
        "asks before setting"
    );
    let Mode::Confirm(c) = &a.mode else {
        panic!("no confirmation")
    };
    assert!(!c.confirm_focused, "Cancel is focused");
    assert!(
        c.message.contains("TEE-M at wh-west to 12"),
        "{}",
        c.message
    );
    assert!(
        a.handle_key(code(KeyCode::Enter)).is_empty(),
        "Enter on Cancel does nothing"
    );
    a.handle_key(key('a'));
    typed(&mut a, "12");
    a.handle_key(code(KeyCode::Enter));
    a.handle_key(code(KeyCode::Tab));
    match a.handle_key(code(KeyCode::Enter)).as_slice() {
        [Action::Submit(Command::SetStock { rows, .. })] => {
            assert_eq!(
                (
                    rows[0].sku.as_str(),
                    rows[0].location.as_str(),
                    rows[0].on_hand
                ),
                ("TEE-M", "wh-west", 12)
            );
        }
        other => panic!("{other:?}"),
    }
    // An empty count is refused, Esc backs out.
    a.handle_key(key('a'));
    assert!(a.handle_key(code(KeyCode::Enter)).is_empty());
    assert!(matches!(a.mode, Mode::Adjust(_)));
    a.handle_key(code(KeyCode::Esc));
    assert!(matches!(a.mode, Mode::Normal));
}

#[test]
fn y_copies_the_id_with_osc52() {
    use crate::console::osc52;
    let mut a = app();
    a.handle_key(key('j'));
    match a.handle_key(key('y')).as_slice() {
        [Action::Copy(text)] => assert_eq!(text, "99"),
        other => panic!("{other:?}"),
    }
    assert!(a.toast.as_ref().is_some_and(|t| t.text.contains("copied")));
    assert_eq!(osc52("99", false), "\x1b]52;c;OTk=\x07");
    assert_eq!(osc52("1042", false), "\x1b]52;c;MTA0Mg==\x07");
    assert_eq!(osc52("abc", false), "\x1b]52;c;YWJj\x07");
    assert_eq!(
        osc52("99", true),
        "\x1bPtmux;\x1b\x1b]52;c;OTk=\x07\x1b\\",
        "tmux passthrough doubles the inner ESC"
    );
    a.handle_key(key('2'));
    assert!(a.handle_key(key('y')).is_empty(), "no order to copy");
}

#[test]
fn shift_s_cycles_the_sort_of_the_orders_on_screen() {
    use crate::console::app::Sort;
    let mut a = app();
    assert_eq!(a.request().sort, Sort::Index);
    let mut seen = vec![];
    for _ in 0..5 {
        assert!(refreshes(&a.handle_key(key('S'))));
        seen.push(a.sort);
    }
    assert_eq!(
        seen,
        vec![Sort::Id, Sort::Age, Sort::Total, Sort::Status, Sort::Index]
    );
    a.handle_key(key('S'));
    assert_eq!(a.request().sort, Sort::Id, "the read sorts the window");
    a.handle_key(key('2'));
    assert!(a.handle_key(key('S')).is_empty(), "Orders only");
}

#[test]
fn sort_orders_sorts_by_each_column() {
    use crate::console::app::Sort;
    use crate::console::data::sort_orders;
    let order = |id: u64, minutes: i64, total: &str, status: &str| -> crate::model::Order {
        let at = chrono::Utc::now() - chrono::Duration::minutes(minutes);
        serde_json::from_value(serde_json::json!({
            "id": id, "received_at": at, "status": status,
            "channel_order": {"channel": "web", "external_id": id.to_string(),
                "created_at": at, "updated_at": at,
                "lines": [], "totals": {"total": total}, "currency": "USD"}
        }))
        .unwrap()
    };
    let base = vec![
        order(3, 5, "10", "held"),
        order(2, 50, "99.5", "new"),
        order(1, 20, "7", "allocated"),
    ];
    let ids = |sort| {
        let mut v = base.clone();
        sort_orders(&mut v, sort);
        v.iter().map(|o| o.id).collect::<Vec<_>>()
    };
    assert_eq!(ids(Sort::Index), vec![3, 2, 1]);
    assert_eq!(ids(Sort::Id), vec![1, 2, 3]);
    assert_eq!(ids(Sort::Age), vec![2, 1, 3], "oldest first");
    assert_eq!(ids(Sort::Total), vec![2, 3, 1], "highest first");
    assert_eq!(ids(Sort::Status), vec![2, 1, 3], "new, allocated, held");
}

/// Channels data as a read brings it: `a` polling, `b` paused.
fn channels_data() -> crate::console::data::Data {
    use crate::model::{ChannelHealth, ChannelKind};
    let mut d = crate::console::data::Data::empty(Pane::Channels);
    d.loaded = true;
    d.channels = [("a", false), ("b", true)]
        .iter()
        .map(|(id, paused)| ChannelHealth {
            id: id.to_string(),
            kind: Some(ChannelKind::Shopify),
            enabled: true,
            paused: *paused,
            state: if *paused { "paused" } else { "idle" }.into(),
            ..ChannelHealth::default()
        })
        .collect();
    d.rows = 2;
    d.total = Some(2);
    d
}

fn control(actions: &[Action]) -> Option<(String, crate::client::ChannelControl)> {
    match actions {
        [Action::ControlChannel { id, control }] => Some((id.clone(), *control)),
        _ => None,
    }
}

#[test]
fn p_toggles_pause_of_the_selected_channel_and_shift_p_polls_it() {
    use crate::client::ChannelControl;
    let mut a = app();
    assert!(refreshes(&a.handle_key(key('4'))));
    a.sync(&channels_data());
    assert_eq!(a.selected_channel(), Some(("a", false)));
    assert_eq!(
        control(&a.handle_key(key('p'))),
        Some(("a".into(), ChannelControl::Pause)),
        "a runs: p pauses it"
    );
    assert!(a.toast.as_ref().is_some_and(|t| t.text.contains("a")));
    a.handle_key(key('j'));
    assert_eq!(
        control(&a.handle_key(key('p'))),
        Some(("b".into(), ChannelControl::Resume)),
        "b is paused: p resumes it"
    );
    assert_eq!(
        control(&a.handle_key(key('P'))),
        Some(("b".into(), ChannelControl::PollNow))
    );
    // The next read says b runs again: p pauses it.
    let mut d = channels_data();
    d.channels[1].paused = false;
    a.sync(&d);
    assert_eq!(
        control(&a.handle_key(key('p'))),
        Some(("b".into(), ChannelControl::Pause))
    );
    // The command line names a channel, or takes the selected one.
    assert_eq!(
        control(&a.execute("pause a")),
        Some(("a".into(), ChannelControl::Pause))
    );
    assert_eq!(
        control(&a.execute("resume")),
        Some(("b".into(), ChannelControl::Resume))
    );
    assert_eq!(
        control(&a.execute("poll x")),
        Some(("x".into(), ChannelControl::PollNow))
    );
}

#[test]
fn p_elsewhere_sends_nothing() {
    let mut a = app();
    for pane in ['1', '2', '3', '5', '6'] {
        a.handle_key(key(pane));
        let before = a.pane;
        assert!(a.handle_key(key('p')).is_empty(), "pane {pane}");
        assert!(a.handle_key(key('P')).is_empty(), "pane {pane}");
        assert_eq!(a.pane, before);
        assert!(matches!(a.mode, Mode::Normal));
    }
    // In an order's detail: nothing either.
    a.handle_key(key('1'));
    a.handle_key(code(KeyCode::Enter));
    assert!(matches!(a.mode, Mode::Detail));
    assert!(a.handle_key(key('p')).is_empty());
    assert!(matches!(a.mode, Mode::Detail));
    // The Channels pane with no channel configured.
    a.handle_key(code(KeyCode::Esc));
    a.handle_key(key('4'));
    let mut d = crate::console::data::Data::empty(Pane::Channels);
    d.loaded = true;
    d.total = Some(0);
    a.sync(&d);
    assert!(a.handle_key(key('p')).is_empty());
    assert!(a.toast.as_ref().is_some_and(|t| t.error));
    assert!(a.execute("pause").is_empty());
    // Without a name, off the Channels pane, the command line says how.
    a.handle_key(key('1'));
    assert!(a.execute("poll").is_empty());
    assert!(a
        .toast
        .as_ref()
        .is_some_and(|t| t.text.contains("usage: :poll CHANNEL")));
}

#[test]
fn channel_keys_are_in_the_help_and_the_footer() {
    let a = app();
    let help = help_lines(&a.keymap);
    for cmd in [Cmd::PauseChannel, Cmd::PollChannel] {
        assert!(
            help.iter().any(|(_, what)| *what == cmd.describe()),
            "{cmd:?}"
        );
    }
    assert!(help.iter().any(|(k, _)| k == "p"));
    assert!(help.iter().any(|(k, _)| k == "P"));
    assert_eq!(complete("res").as_deref(), Some("resume "));
    assert_eq!(complete("pa").as_deref(), Some("pause "));
}

#[test]
fn control_replies_become_toasts() {
    use crate::client::ChannelControl;
    use crate::console::app::describe_control;
    let (text, error) = describe_control("shop", ChannelControl::Pause, &Ok(()));
    assert!(!error);
    assert!(text.starts_with("shop: polling paused"), "{text}");
    let (text, error) = describe_control(
        "shop",
        ChannelControl::PollNow,
        &Err("channel `shop` is not being polled (disabled, or not started)".into()),
    );
    assert!(error);
    assert_eq!(
        text,
        "shop: poll refused: channel `shop` is not being polled (disabled, or not started)"
    );
}

#[test]
fn channels_tick_only_on_the_channels_pane_with_channels() {
    use crate::console::channels_tick;
    use crate::console::data::Data;
    let mut a = app();
    let d = channels_data();
    assert!(!channels_tick(&a, &d), "Orders pane: no timer");
    a.handle_key(key('4'));
    assert!(channels_tick(&a, &d));
    assert!(
        !channels_tick(&a, &Data::empty(Pane::Channels)),
        "no channels, nothing changes"
    );
    let mut orders = Data::empty(Pane::Orders);
    orders.channels = d.channels.clone();
    assert!(!channels_tick(&a, &orders), "the pane's read is due anyway");
    a.handle_key(key('5'));
    assert!(!channels_tick(&a, &d));
}

#[test]
fn health_counts_failing_paused_and_off() {
    use crate::console::ui::health_counts;
    let mut d = channels_data();
    assert_eq!(health_counts(&d.channels), (1, 0, 1, 0));
    d.channels[0].consecutive_errors = 2;
    d.channels[1].enabled = false;
    assert_eq!(health_counts(&d.channels), (0, 1, 0, 1));
    d.channels[0].consecutive_errors = 0;
    d.channels[0].state = "failing".into();
    assert_eq!(health_counts(&d.channels), (0, 1, 0, 1));
}

#[test]
fn wrap_keeps_every_character_and_never_splits_a_wide_one() {
    use crate::console::ui::wrap;
    let width = |s: &str| ratatui::text::Span::raw(s).width();
    let text = "429 Too Many Requests: 李雷的店铺 超过了速率限制 🚀🚀🚀 retry-after=2.0\nhttps://example.com/a/very/long/path/that/does/not/fit/in/one/line";
    for max in [5, 7, 12, 30, 80] {
        let lines = wrap(text, max);
        for l in &lines {
            assert!(width(l) <= max, "{max}: {l:?} is {} wide", width(l));
        }
        let joined: String = lines
            .concat()
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        let want: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        assert_eq!(joined, want, "{max}: nothing lost");
    }
    assert_eq!(wrap("", 10), vec![String::new()]);
    assert_eq!(wrap("ab cd ef", 5), vec!["ab cd", "ef"]);
    assert_eq!(
        wrap("漢字漢", 5),
        vec!["漢字", "漢"],
        "a wide char moves on"
    );
}

#[test]
fn inventory_shows_the_channel_columns_that_fit_and_counts_the_others() {
    use crate::console::ui::{ats_title, inventory_layout};
    let titles = |ids: &[&str]| -> Vec<u16> { ids.iter().map(|id| ats_title(id).1).collect() };
    let two = titles(&["shop-us", "woo-eu"]);
    assert_eq!(ats_title("shop-us"), ("ATS shop-us".to_string(), 11));
    assert_eq!(
        ats_title("b"),
        ("  ATS b".to_string(), 7),
        "right-aligned, 7 wide at least"
    );
    let (long, w) = ats_title("shopify-europe-main");
    assert_eq!((long.as_str(), w), ("ATS shopify-e…", 14));
    // 120 columns: the full stock columns and both channels.
    let (cols, shown) = inventory_layout(120, 5, 9, &two);
    assert_eq!(cols[0], ("SKU".to_string(), 24));
    assert_eq!(shown, 2);
    // 80 columns: the compact columns, both channels with short SKUs and locations.
    let (cols, shown) = inventory_layout(80, 5, 9, &two);
    assert_eq!(cols[0], ("SKU".to_string(), 8));
    assert_eq!(shown, 2);
    // Long SKUs: one channel, room left for "+1".
    let (cols, shown) = inventory_layout(80, 16, 9, &two);
    assert_eq!(cols[0].1, 16);
    assert_eq!(shown, 1);
    let need = 1
        + cols.iter().map(|(_, w)| usize::from(*w) + 1).sum::<usize>()
        + usize::from(two[0])
        + 1
        + "+1".len();
    assert!(need <= 80, "{need}");
    // Too narrow for any.
    assert_eq!(inventory_layout(40, 24, 14, &two).1, 0);
    assert_eq!(inventory_layout(80, 5, 9, &[]).1, 0);
}

#[test]
fn channel_columns_fit_the_width() {
    use crate::console::ui::{channel_columns, Col};
    let need =
        |cols: &[(Col, u16)]| 1 + cols.iter().map(|(_, w)| usize::from(*w) + 1).sum::<usize>();
    let has = |cols: &[(Col, u16)], c: Col| cols.iter().any(|(x, _)| *x == c);
    let wide = channel_columns(120, 9);
    assert!(has(&wide, Col::Kind) && has(&wide, Col::Hooks));
    assert!(need(&wide) <= 120);
    let narrow = channel_columns(80, 9);
    assert!(!has(&narrow, Col::Kind) && !has(&narrow, Col::Hooks));
    assert!(has(&narrow, Col::Outbox) && has(&narrow, Col::PushP99));
    assert!(need(&narrow) <= 80, "{}", need(&narrow));
    // 100 columns with long ids: KIND goes rather than the table overflowing.
    let mid = channel_columns(100, 16);
    assert!(need(&mid) <= 100, "{}", need(&mid));
}

#[test]
fn latencies_and_narrow_states_read_short() {
    use crate::console::ui::{latency, state_label};
    assert_eq!(latency(None), "-");
    assert_eq!(latency(Some(38)), "38ms");
    assert_eq!(latency(Some(1240)), "1.2s");
    assert_eq!(latency(Some(23_500)), "23s");
    assert_eq!(latency(Some(150_000)), "2m");
    assert_eq!(state_label("retrying in 12.5 s", 18), "retrying in 12.5 s");
    assert_eq!(state_label("retrying in 12.5 s", 15), "retry 12.5 s");
    assert_eq!(state_label("failing", 8), "failing");
}

#[test]
fn ctrl_z_suspends_in_every_mode_and_is_in_the_help() {
    let mut a = app();
    assert!(matches!(
        a.handle_key(ctrl('z')).as_slice(),
        [Action::Suspend]
    ));
    assert!(a
        .keymap
        .iter()
        .any(|b| b.cmd == Cmd::Suspend && b.label == "Ctrl-z"));
    let help = help_lines(&a.keymap);
    assert!(help
        .iter()
        .any(|(k, what)| k == "Ctrl-z" && *what == Cmd::Suspend.describe()));
    // While typing a filter, in the detail, in the help: still a suspend, and the mode stays.
    a.handle_key(key('/'));
    assert!(matches!(
        a.handle_key(ctrl('z')).as_slice(),
        [Action::Suspend]
    ));
    assert!(matches!(a.mode, Mode::Filter));
    a.handle_key(code(KeyCode::Esc));
    a.handle_key(key('?'));
    assert!(matches!(
        a.handle_key(ctrl('z')).as_slice(),
        [Action::Suspend]
    ));
    assert!(matches!(a.mode, Mode::Help));
    // A plain z is not a suspend.
    a.mode = Mode::Normal;
    assert!(a.handle_key(key('z')).is_empty());
}

#[test]
fn light_theme_uses_other_dark_colours_and_no_color_wins() {
    use super::ui::{Palette, Theme};
    use ratatui::style::Color;
    let dark = Theme {
        no_color: false,
        palette: Palette::Default,
    };
    let light = Theme {
        no_color: false,
        palette: Palette::Light,
    };
    let statuses = [
        OrderStatus::New,
        OrderStatus::Allocated,
        OrderStatus::PartiallyAllocated,
        OrderStatus::Backordered,
        OrderStatus::Held,
        OrderStatus::PartiallyShipped,
        OrderStatus::Shipped,
        OrderStatus::Cancelled,
    ];
    let mut styles = vec![
        (light.error(), dark.error()),
        (light.warning(), dark.warning()),
        (light.fg(Color::DarkGray), dark.fg(Color::DarkGray)),
    ];
    styles.extend(statuses.iter().map(|s| (light.status(*s), dark.status(*s))));
    for (l, d) in &styles {
        assert_ne!(l.fg, d.fg, "{l:?} vs {d:?}");
    }
    // Every colour the panes can ask for, in the light palette: no white, light gray or
    // bright colour (unreadable on white); fixed dark 256-colour entries.
    let all = [
        Color::Black,
        Color::Red,
        Color::Green,
        Color::Yellow,
        Color::Blue,
        Color::Magenta,
        Color::Cyan,
        Color::Gray,
        Color::DarkGray,
        Color::LightRed,
        Color::LightGreen,
        Color::LightYellow,
        Color::LightBlue,
        Color::LightMagenta,
        Color::LightCyan,
        Color::White,
    ];
    for c in all {
        let fg = light.fg(c).fg.unwrap();
        assert!(
            !matches!(
                fg,
                Color::White | Color::Gray | Color::Indexed(248..=255 | 7 | 15)
            ) && !matches!(
                fg,
                Color::Yellow
                    | Color::Cyan
                    | Color::LightRed
                    | Color::LightGreen
                    | Color::LightYellow
                    | Color::LightBlue
                    | Color::LightMagenta
                    | Color::LightCyan
            ),
            "{c:?} -> {fg:?}"
        );
    }
    for (l, _) in &styles {
        assert!(!matches!(l.fg, Some(Color::White | Color::Gray)), "{l:?}");
    }
    // The selection does not depend on colour.
    assert_eq!(light.selected(), dark.selected());
    assert!(light
        .selected()
        .add_modifier
        .contains(ratatui::style::Modifier::REVERSED));
    // NO_COLOR wins over the light palette.
    let none = Theme {
        no_color: true,
        palette: Palette::Light,
    };
    assert_eq!(none.status(OrderStatus::Held).fg, None);
    assert_eq!(none.fg(Color::DarkGray).fg, None);
    assert_eq!(Palette::named("light"), Palette::Light);
    assert_eq!(Palette::named("default"), Palette::Default);
}

// ---- [console.keys] ------------------------------------------------------------------------

fn remapped(pairs: &[(&str, &[&str])]) -> App {
    let remaps: Vec<(String, Vec<String>)> = pairs
        .iter()
        .map(|(n, k)| (n.to_string(), k.iter().map(|k| k.to_string()).collect()))
        .collect();
    let mut a = app();
    a.keymap = super::app::keymap_with(&remaps);
    a
}

fn holds(actions: &[Action]) -> bool {
    actions
        .iter()
        .any(|a| matches!(a, Action::Submit(Command::Hold { .. })))
}

#[test]
fn a_remapped_key_runs_the_command_and_the_default_no_longer_does() {
    let mut a = app();
    assert!(holds(&a.handle_key(key('h'))), "h holds by default");

    let mut a = remapped(&[("hold", &["H"]), ("quit", &["q", "ctrl-q"])]);
    assert!(!holds(&a.handle_key(key('h'))), "h is no longer hold");
    assert!(a.handle_key(key('h')).is_empty());
    assert!(holds(&a.handle_key(KeyEvent::new(
        KeyCode::Char('H'),
        KeyModifiers::SHIFT
    ))));
    assert!(matches!(a.handle_key(ctrl('q')).as_slice(), [Action::Quit]));
    assert!(matches!(a.handle_key(key('q')).as_slice(), [Action::Quit]));
    // Other commands keep their defaults.
    a.handle_key(key('j'));
    assert_eq!(a.list().selected, 1);

    let help = help_lines(&a.keymap);
    assert!(help
        .iter()
        .any(|(k, what)| k == "H" && *what == Cmd::Hold.describe()));
    assert!(help
        .iter()
        .any(|(k, what)| k == "q Ctrl-q" && *what == Cmd::Quit.describe()));
    assert!(!help.iter().any(|(k, _)| k == "h"));
    // The help keeps the order of the default keymap.
    let pos = |cmd: Cmd| help.iter().position(|(_, w)| *w == cmd.describe());
    assert!(pos(Cmd::CommandLine) < pos(Cmd::Hold) && pos(Cmd::Hold) < pos(Cmd::Release));

    // And `?` shows it: the help drawn on screen lists the new key.
    a.handle_key(key('?'));
    assert!(matches!(a.mode, Mode::Help));
    a.resize(100, 50);
    let screen = drawn(&a);
    let hold_line = screen
        .iter()
        .find(|l| l.contains(Cmd::Hold.describe()))
        .expect("hold in the help");
    assert!(hold_line.contains(" H "), "{hold_line}");
    assert!(screen.iter().any(|l| l.contains("q Ctrl-q")), "{screen:?}");
    // In the help, a remapped quit key quits; the old one would not.
    let mut b = remapped(&[("quit", &["ctrl-q"])]);
    b.handle_key(key('?'));
    assert!(b.handle_key(key('q')).is_empty());
    assert!(matches!(b.mode, Mode::Normal));
    b.handle_key(key('?'));
    assert!(matches!(b.handle_key(ctrl('q')).as_slice(), [Action::Quit]));
}

#[test]
fn remapped_names_modifiers_and_panes() {
    let mut a = remapped(&[
        ("down", &["n", "f2"]),
        ("pane_2", &["alt-2"]),
        ("suspend", &["ctrl-s"]),
        ("mark", &["enter"]),
        ("open", &["o"]),
    ]);
    a.handle_key(code(KeyCode::F(2)));
    a.handle_key(key('n'));
    assert_eq!(a.list().selected, 2);
    a.handle_key(code(KeyCode::Down));
    assert_eq!(a.list().selected, 2, "↓ is no longer down");
    a.handle_key(key('2'));
    assert_eq!(a.pane, Pane::Orders, "2 is no longer pane 2");
    a.handle_key(KeyEvent::new(KeyCode::Char('2'), KeyModifiers::ALT));
    assert_eq!(a.pane.index(), 1);
    assert!(a.handle_key(ctrl('z')).is_empty());
    assert!(matches!(
        a.handle_key(ctrl('s')).as_slice(),
        [Action::Suspend]
    ));
    let help = help_lines(&a.keymap);
    assert!(help.iter().any(|(k, _)| k == "n F2"));
    assert!(help.iter().any(|(k, _)| k == "1 Alt-2 3 4 5 6"));
    assert!(help
        .iter()
        .any(|(k, what)| k == "Enter" && *what == Cmd::Mark.describe()));
}

#[test]
fn the_keymap_names_match_the_config() {
    // The config checks `[console.keys]` against its own table of commands and default keys
    // (it does not depend on the console): both must describe the same keymap.
    let defaults = super::app::default_keymap();
    for cmd in Cmd::ALL {
        assert_eq!(Cmd::named(&cmd.name()), Some(cmd));
        assert!(defaults.iter().any(|b| b.cmd == cmd), "{cmd:?}");
    }
    // The config knows every default key: taking one for another command is a conflict.
    for b in &defaults {
        let other = if b.cmd == Cmd::Hold {
            "release"
        } else {
            "hold"
        };
        let text = format!("[console.keys]\n{other} = {:?}\n", canonical(b));
        let e = crate::config::Config::parse(&text, std::path::Path::new("/x/ordo.toml"))
            .expect_err(&text)
            .to_string();
        assert!(
            e.contains(&format!("`{}`", b.cmd.name())) && e.contains("is bound to both"),
            "{e}"
        );
    }
    // Remapping every command to the keys it already has changes nothing.
    let same: Vec<(String, Vec<String>)> = Cmd::ALL
        .iter()
        .map(|c| {
            let keys = defaults
                .iter()
                .filter(|b| b.cmd == *c)
                .map(canonical)
                .collect();
            (c.name(), keys)
        })
        .collect();
    let text: String = std::iter::once("[console.keys]\n".to_string())
        .chain(same.iter().map(|(n, k)| format!("{n} = {k:?}\n")))
        .collect();
    let config = crate::config::Config::parse(&text, std::path::Path::new("/x/ordo.toml"))
        .unwrap_or_else(|e| panic!("{e}"));
    let again = super::app::keymap_with(&config.console.keys);
    assert_eq!(again.len(), defaults.len());
    for (x, y) in again.iter().zip(&defaults) {
        assert_eq!(
            (x.code, x.mods, &x.label, x.cmd),
            (y.code, y.mods, &y.label, y.cmd)
        );
    }
}

/// A default binding in the config's key syntax.
fn canonical(b: &super::app::Binding) -> String {
    let mut s = String::new();
    if b.mods.contains(KeyModifiers::CONTROL) {
        s.push_str("ctrl-");
    }
    s.push_str(&match b.code {
        KeyCode::Char(' ') => "space".to_string(),
        KeyCode::Char(c) => c.to_string(),
        KeyCode::Down => "down".into(),
        KeyCode::Up => "up".into(),
        KeyCode::Home => "home".into(),
        KeyCode::End => "end".into(),
        KeyCode::PageDown => "pagedown".into(),
        KeyCode::PageUp => "pageup".into(),
        KeyCode::Tab => "tab".into(),
        KeyCode::BackTab => "backtab".into(),
        KeyCode::Enter => "enter".into(),
        KeyCode::Esc => "esc".into(),
        other => panic!("no config name for {other:?}"),
    });
    s
}

/// The screen as text lines, drawn at the app's size.
fn drawn(a: &App) -> Vec<String> {
    use ratatui::{backend::TestBackend, Terminal};
    let data = crate::console::data::Data::empty(a.pane);
    let mut term = Terminal::new(TestBackend::new(a.width, a.height)).unwrap();
    term.draw(|f| super::ui::draw(f, a, &data, chrono::Utc::now()))
        .unwrap();
    let buf = term.backend().buffer();
    (0..buf.area.height)
        .map(|y| {
            (0..buf.area.width)
                .map(|x| buf[(x, y)].symbol().to_string())
                .collect()
        })
        .collect()
}
