//! Row actions (hold, release, cancel), the detail, the `:` command line, marks and bulk actions.

use super::*;

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
