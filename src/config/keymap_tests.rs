//! `[console.keys]`: the remap syntax and each of its error messages.

use std::path::Path;

use super::canonical_key;
use crate::config::Config;

const FILE: &str = "/x/ordo.toml";

fn err(text: &str) -> String {
    match Config::parse(text, Path::new(FILE)) {
        Ok(c) => panic!("expected an error, got {:?}", c.console.keys),
        Err(e) => {
            let s = e.to_string();
            assert!(!s.contains('\n'), "not one line: {s:?}");
            s
        }
    }
}

fn keys(text: &str) -> Vec<(String, Vec<String>)> {
    match Config::parse(text, Path::new(FILE)) {
        Ok(c) => c.console.keys,
        Err(e) => panic!("unexpected error: {e}"),
    }
}

fn remap(pairs: &[(&str, &[&str])]) -> Vec<(String, Vec<String>)> {
    pairs
        .iter()
        .map(|(n, k)| (n.to_string(), k.iter().map(|k| k.to_string()).collect()))
        .collect()
}

#[test]
fn key_syntax_is_canonicalised() {
    for (written, canon) in [
        ("H", "H"),
        ("?", "?"),
        ("/", "/"),
        ("-", "-"),
        (" ", "space"),
        ("Space", "space"),
        ("Enter", "enter"),
        ("PageDown", "pagedown"),
        ("f1", "f1"),
        ("F12", "f12"),
        ("ctrl-q", "ctrl-q"),
        ("Ctrl-Q", "ctrl-Q"),
        ("alt-x", "alt-x"),
        ("alt-ctrl-x", "ctrl-alt-x"),
        ("ctrl--", "ctrl--"),
        ("ctrl-enter", "ctrl-enter"),
    ] {
        assert_eq!(canonical_key(written).as_deref(), Some(canon), "{written}");
    }
    for bad in [
        "",
        "ctrl-",
        "hx",
        "f0",
        "f13",
        "f01",
        "ctrl-ctrl-x",
        "shift-x",
        "\t",
    ] {
        assert_eq!(canonical_key(bad), None, "{bad:?}");
    }
}

#[test]
fn a_valid_remap_is_kept_in_canonical_form() {
    let k = keys(
        "[console.keys]\nhold = \"H\"\nquit = [\"q\", \"Ctrl-Q\"]\ndown = [\"j\", \"Down\"]\npane_1 = \"f1\"\n",
    );
    assert_eq!(
        k,
        remap(&[
            ("down", &["j", "down"]),
            ("hold", &["H"]),
            ("pane_1", &["f1"]),
            ("quit", &["q", "ctrl-Q"]),
        ])
    );
    // A key freed by a remap can go to another command.
    let k = keys("[console.keys]\nhold = \"H\"\nhelp = [\"?\", \"h\"]\n");
    assert_eq!(k, remap(&[("help", &["?", "h"]), ("hold", &["H"])]));
    // No table: no remaps; an empty list unbinds a command other than quit.
    assert!(keys("[console]\ntheme = \"light\"\n").is_empty());
    assert_eq!(keys("[console.keys]\nsort = []\n"), remap(&[("sort", &[])]));
}

#[test]
fn unknown_command_suggests_the_closest() {
    let e = err("[console]\ntheme = \"default\"\n\n[console.keys]\nhodl = \"H\"\n");
    assert_eq!(
        e,
        format!("{FILE}:5: console.keys: unknown command `hodl`; did you mean `hold`?")
    );
    let e = err("[console.keys]\nexplode = \"H\"\n");
    assert!(
        e.starts_with(&format!(
            "{FILE}:2: console.keys: unknown command `explode`; expected one of: down, up,"
        )),
        "{e}"
    );
}

#[test]
fn unparseable_key_is_an_error() {
    let e = err("[console.keys]\nhold = \"hx\"\n");
    assert!(
        e.starts_with(&format!(
            "{FILE}:2: console.keys.hold: \"hx\" is not a key; use one character"
        )),
        "{e}"
    );
    let e = err("[console.keys]\nquit = [\"q\", \"ctrl-\"]\n");
    assert!(
        e.contains("console.keys.quit: \"ctrl-\" is not a key"),
        "{e}"
    );
    let e = err("[console.keys]\nhold = 7\n");
    assert_eq!(
        e,
        format!("{FILE}:2: console.keys.hold must be a key or a list of keys, e.g. hold = \"H\" or hold = [\"q\", \"ctrl-q\"]")
    );
}

#[test]
fn one_key_on_two_commands_names_both() {
    // Both remapped.
    let e = err("[console.keys]\nhold = \"H\"\nship = \"H\"\n");
    assert_eq!(
        e,
        format!("{FILE}:3: console.keys.ship: key \"H\" is bound to both `hold` and `ship`; give each key to one command")
    );
    // Against a default key.
    let e = err("[console.keys]\nhold = \"j\"\n");
    assert_eq!(
        e,
        format!("{FILE}:2: console.keys.hold: key \"j\" is bound to both `down` and `hold`; give each key to one command (`down` has it by default: remap `down` too to free it)")
    );
    // Spelt differently, same key.
    let e = err("[console.keys]\nrefresh = [\"ctrl-l\", \"F5\"]\nhelp = \"f5\"\n");
    assert!(
        e.contains("key \"f5\" is bound to both `refresh` and `help`")
            || e.contains("key \"f5\" is bound to both `help` and `refresh`"),
        "{e}"
    );
}

#[test]
fn quit_keeps_a_key_and_ctrl_c_is_reserved() {
    let e = err("[console.keys]\nquit = []\n");
    assert_eq!(
        e,
        format!("{FILE}:2: console.keys.quit = [] leaves no way to quit; give at least one key, e.g. quit = \"q\"")
    );
    let e = err("[console.keys]\ncopy = \"ctrl-c\"\n");
    assert!(e.contains("\"ctrl-c\" always quits the console"), "{e}");
}

#[test]
fn the_confirmation_keys_are_remappable_apart_from_normal_mode() {
    // "h" is `hold` in normal mode: a dialog has the keyboard to itself, so no conflict.
    assert_eq!(
        keys("[console.keys]\nconfirm_yes = \"Y\"\nconfirm_no = [\"N\", \"h\"]\n"),
        remap(&[("confirm_no", &["N", "h"]), ("confirm_yes", &["Y"])])
    );
    let e = err("[console.keys]\nconfirm_yse = \"Y\"\n");
    assert_eq!(
        e,
        format!(
            "{FILE}:2: console.keys: unknown command `confirm_yse`; did you mean `confirm_yes`?"
        )
    );
    // Two dialog commands on one key.
    let e = err("[console.keys]\nconfirm_yes = \"n\"\n");
    assert_eq!(
        e,
        format!("{FILE}:2: console.keys.confirm_yes: key \"n\" is bound to both `confirm_yes` and `confirm_no`; give each key to one command (`confirm_no` has it by default: remap `confirm_no` too to free it)")
    );
    // The keys every dialog keeps.
    for fixed in ["enter", "esc", "tab", "backtab", "left", "right"] {
        let e = err(&format!("[console.keys]\nconfirm_no = \"{fixed}\"\n"));
        assert_eq!(
            e,
            format!("{FILE}:2: console.keys.confirm_no: \"{fixed}\" is fixed in dialogs (Enter chooses the focused button, Esc backs out, Tab, Shift-Tab and the arrows move the focus); choose another key")
        );
    }
    let e = err("[console.keys]\nconfirm_yes = \"ctrl-c\"\n");
    assert!(e.contains("\"ctrl-c\" always quits"), "{e}");
}
