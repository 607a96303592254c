//! The dialogs' keys: a confirmation's `confirm_yes` / `confirm_no` from `[console.keys]`, the
//! fixed keys beside them, and the re-route picker moving with the normal keymap's keys.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::app::{dialog_keys_with, keymap_with, Action, App, DialogCmd, Mode};
use super::data::RerouteOption;

fn key(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
}

fn code(c: KeyCode) -> KeyEvent {
    KeyEvent::new(c, KeyModifiers::NONE)
}

fn remaps(pairs: &[(&str, &[&str])]) -> Vec<(String, Vec<String>)> {
    pairs
        .iter()
        .map(|(n, k)| (n.to_string(), k.iter().map(|k| k.to_string()).collect()))
        .collect()
}

/// An app on the Orders pane with orders 3, 2, 1 and `[console.keys]` as given.
fn app(pairs: &[(&str, &[&str])]) -> App {
    let mut a = App::new("test", "ana", true);
    a.resize(80, 24);
    let r = remaps(pairs);
    a.keymap = keymap_with(&r);
    a.dialog_keys = dialog_keys_with(&r);
    let l = &mut a.lists[0];
    l.ids = vec![3, 2, 1];
    l.known = 3;
    l.total = Some(3);
    a
}

fn submits(actions: &[Action]) -> bool {
    matches!(actions, [Action::Submit(_)])
}

#[test]
fn y_and_n_by_default() {
    let mut a = app(&[]);
    a.handle_key(key('x'));
    assert!(submits(&a.handle_key(key('y'))));
    a.handle_key(key('x'));
    assert!(a.handle_key(key('n')).is_empty());
    assert!(matches!(a.mode, Mode::Normal));
    // Cancel is focused first: Enter backs out; Tab (or h / l) moves to the button.
    a.handle_key(key('x'));
    assert!(a.handle_key(code(KeyCode::Enter)).is_empty());
    a.handle_key(key('x'));
    a.handle_key(key('l'));
    assert!(submits(&a.handle_key(code(KeyCode::Enter))));
}

#[test]
fn remapped_confirmation_keys_replace_y_and_n() {
    let mut a = app(&[("confirm_yes", &["Y"]), ("confirm_no", &["l"])]);
    a.handle_key(key('x'));
    // `y` is no longer a confirmation key: nothing happens, the dialog stays.
    assert!(a.handle_key(key('y')).is_empty());
    assert!(matches!(a.mode, Mode::Confirm(_)));
    // `l` backs out now, rather than moving the focus.
    assert!(a.handle_key(key('l')).is_empty());
    assert!(matches!(a.mode, Mode::Normal));
    a.handle_key(key('x'));
    assert!(submits(&a.handle_key(KeyEvent::new(
        KeyCode::Char('Y'),
        KeyModifiers::SHIFT
    ))));
    // Esc and Enter stay what they are.
    a.handle_key(key('x'));
    assert!(a.handle_key(code(KeyCode::Esc)).is_empty());
    assert!(matches!(a.mode, Mode::Normal));
    // The footer and the help say the keys in effect.
    a.handle_key(key('x'));
    let hint = crate::console::ui::footer_keys(&a);
    assert_eq!(hint, "Y confirm · Tab switch · Enter choose · Esc/l back");
    assert_eq!(
        crate::console::app::first_key(&a.dialog_keys, DialogCmd::No),
        Some("l")
    );
}

#[test]
fn a_confirmation_without_a_yes_key_still_takes_enter_on_the_button() {
    let mut a = app(&[("confirm_yes", &[])]);
    a.handle_key(key('x'));
    assert!(a.handle_key(key('y')).is_empty());
    a.handle_key(code(KeyCode::Tab));
    assert!(submits(&a.handle_key(code(KeyCode::Enter))));
    a.handle_key(key('x'));
    assert_eq!(
        crate::console::ui::footer_keys(&a),
        "Tab switch · Enter choose · Esc/n back"
    );
}

fn option(loc: &str) -> RerouteOption {
    RerouteOption {
        location: loc.into(),
        kind: "warehouse",
        stock: vec![],
        covers: true,
        distance_km: None,
        current: false,
    }
}

#[test]
fn the_picker_moves_with_the_normal_keymaps_keys() {
    let mut a = app(&[
        ("down", &["n", "down"]),
        ("up", &["e", "up"]),
        ("quit", &["Q"]),
    ]);
    a.handle_key(key('r'));
    a.set_reroute_options(3, Ok(vec![option("a"), option("b"), option("c")]));
    let selected = |a: &App| a.picker.as_ref().map(|p| p.selected);
    a.handle_key(key('j'));
    assert_eq!(selected(&a), Some(0), "j is no longer down");
    a.handle_key(key('n'));
    a.handle_key(code(KeyCode::Down));
    assert_eq!(selected(&a), Some(2));
    a.handle_key(key('e'));
    assert_eq!(selected(&a), Some(1));
    // `q` is not quit any more, so it does not close the picker; the quit key does.
    a.handle_key(key('q'));
    assert!(matches!(a.mode, Mode::Reroute));
    a.handle_key(KeyEvent::new(KeyCode::Char('Q'), KeyModifiers::SHIFT));
    assert!(matches!(a.mode, Mode::Normal));
    // The footer names the remapped keys.
    a.handle_key(key('r'));
    assert!(crate::console::ui::footer_keys(&a).starts_with("n/e choose · Enter re-route there"));
}
