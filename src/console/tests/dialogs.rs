//! The re-route picker, the ship and stock inputs, copy, and the sort.

use super::*;

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
