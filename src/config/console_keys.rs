//! `[console.keys]`: remapped console keys, checked at load. Normal-mode commands and the
//! confirmation dialog's own keys (`confirm_yes`, `confirm_no`) are remapped here; the text
//! inputs (filter, command line, ship and stock forms) take every printable key as text, so
//! their keys are fixed, and so are Enter, Esc, Tab, Shift-Tab and the arrows inside dialogs.

use std::collections::HashMap;
use std::ops::Range;

use toml::Spanned;

use super::Problems;

/// The console's normal-mode commands with their default keys, in canonical form (see
/// [`canonical_key`]); the console's own keymap is pinned to this table by its tests.
pub(super) const CONSOLE_DEFAULT_KEYS: &[(&str, &[&str])] = &[
    ("down", &["j", "down"]),
    ("up", &["k", "up"]),
    ("top", &["g", "home"]),
    ("bottom", &["G", "end"]),
    ("page_down", &["pagedown"]),
    ("page_up", &["pageup"]),
    ("half_down", &["ctrl-d"]),
    ("half_up", &["ctrl-u"]),
    ("next_pane", &["tab"]),
    ("prev_pane", &["backtab"]),
    ("other_pane", &["w", "ctrl-w"]),
    ("split_view", &["|"]),
    ("open", &["enter"]),
    ("back", &["esc"]),
    ("filter", &["/"]),
    ("command_line", &[":"]),
    ("hold", &["h"]),
    ("release", &["u"]),
    ("cancel", &["x"]),
    ("mark", &["space"]),
    ("reroute", &["r"]),
    ("ship", &["s"]),
    ("adjust", &["a"]),
    ("copy", &["y"]),
    ("sort", &["S"]),
    ("pause_channel", &["p"]),
    ("poll_channel", &["P"]),
    ("refresh", &["ctrl-l"]),
    ("help", &["?"]),
    ("suspend", &["ctrl-z"]),
    ("quit", &["q"]),
    ("pane_1", &["1"]),
    ("pane_2", &["2"]),
    ("pane_3", &["3"]),
    ("pane_4", &["4"]),
    ("pane_5", &["5"]),
    ("pane_6", &["6"]),
];

/// The key names `[console.keys]` accepts besides single characters and `f1`..`f12`.
const KEY_NAMES: &[&str] = &[
    "enter", "esc", "tab", "backtab", "space", "up", "down", "left", "right", "home", "end",
    "pageup", "pagedown",
];

/// A key as written in `[console.keys]` in canonical form: modifiers `ctrl-` then `alt-`
/// (lower case), then one character (case kept; " " is "space") or a lower-case name.
/// `None` when it is not a key.
pub(super) fn canonical_key(written: &str) -> Option<String> {
    let mut rest = written;
    let (mut ctrl, mut alt) = (false, false);
    loop {
        let lower = rest.to_ascii_lowercase();
        if rest.chars().count() > 1 && lower.starts_with("ctrl-") && !ctrl {
            ctrl = true;
            rest = &rest[5..];
        } else if rest.chars().count() > 1 && lower.starts_with("alt-") && !alt {
            alt = true;
            rest = &rest[4..];
        } else {
            break;
        }
    }
    let mut chars = rest.chars();
    let key = match (chars.next(), chars.next()) {
        (Some(' '), None) => "space".to_owned(),
        (Some(c), None) if !c.is_control() => c.to_string(),
        _ => {
            let lower = rest.to_ascii_lowercase();
            let f = lower
                .strip_prefix('f')
                .and_then(|n| n.parse::<u8>().ok())
                .filter(|n| (1..=12).contains(n) && !lower.starts_with("f0"));
            if KEY_NAMES.contains(&lower.as_str()) || f.is_some() {
                lower
            } else {
                return None;
            }
        }
    };
    let mut out = String::new();
    if ctrl {
        out.push_str("ctrl-");
    }
    if alt {
        out.push_str("alt-");
    }
    out.push_str(&key);
    Some(out)
}

/// The confirmation dialog's own commands with their default keys: `y` confirms, `n` backs
/// out (Esc always does too). Checked for conflicts among themselves and with the dialog's
/// fixed keys, not with normal mode: a dialog takes the keyboard while it is open.
pub(super) const CONSOLE_DIALOG_KEYS: &[(&str, &[&str])] =
    &[("confirm_yes", &["y"]), ("confirm_no", &["n"])];

/// Keys every dialog keeps: Enter chooses, Esc backs out, Tab, Shift-Tab and the arrows move.
const DIALOG_FIXED: &[&str] = &[
    "enter", "esc", "tab", "backtab", "left", "right", "up", "down",
];

/// `[console.keys]`: known commands, parseable keys, no key on two commands (normal mode and
/// the dialog are checked apart), dialogs' fixed keys left alone, `quit` kept.
pub(super) fn console_keys(
    raw: std::collections::BTreeMap<String, Spanned<toml::Value>>,
    p: &mut Problems,
) -> Vec<(String, Vec<String>)> {
    let names: Vec<String> = CONSOLE_DEFAULT_KEYS
        .iter()
        .chain(CONSOLE_DIALOG_KEYS)
        .map(|(n, _)| (*n).to_owned())
        .collect();
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    // Per remapped command, the span of its value (for the duplicate check's line).
    let mut spans: HashMap<String, Range<usize>> = HashMap::new();
    for (name, value) in raw {
        let span = value.span();
        let key = format!("console.keys.{name}");
        if !names.contains(&name) {
            let hint = match super::error::closest(&name, &names) {
                Some(good) => format!("; did you mean `{good}`?"),
                None => format!("; expected one of: {}", names.join(", ")),
            };
            p.report(
                span,
                key,
                format!("console.keys: unknown command `{name}`{hint}"),
            );
            continue;
        }
        let written: Option<Vec<String>> = match value.get_ref() {
            toml::Value::String(s) => Some(vec![s.clone()]),
            toml::Value::Array(a) => a.iter().map(|v| v.as_str().map(str::to_owned)).collect(),
            _ => None,
        };
        let Some(written) = written else {
            p.report(
                span,
                key,
                format!(
                    "console.keys.{name} must be a key or a list of keys, e.g. {name} = \"H\" or {name} = [\"q\", \"ctrl-q\"]"
                ),
            );
            continue;
        };
        let mut keys: Vec<String> = Vec::new();
        for w in &written {
            match canonical_key(w) {
                Some(k) => {
                    if !keys.contains(&k) {
                        keys.push(k);
                    }
                }
                None => {
                    p.report(
                        span.clone(),
                        key.clone(),
                        format!(
                            "console.keys.{name}: {w:?} is not a key; use one character (\"H\", \"?\"), a name (enter, esc, tab, backtab, space, up, down, left, right, home, end, pageup, pagedown, f1..f12), optionally after ctrl- or alt- (\"ctrl-q\")"
                        ),
                    );
                }
            }
        }
        if name == "quit" && written.is_empty() {
            p.report(
                span.clone(),
                key.clone(),
                "console.keys.quit = [] leaves no way to quit; give at least one key, e.g. quit = \"q\"".to_owned(),
            );
        }
        if keys.iter().any(|k| k == "ctrl-c") {
            p.report(
                span.clone(),
                key.clone(),
                format!("console.keys.{name}: \"ctrl-c\" always quits the console and cannot be bound; choose another key"),
            );
        }
        let dialog = CONSOLE_DIALOG_KEYS.iter().any(|(n, _)| *n == name);
        if let Some(k) = keys
            .iter()
            .find(|k| dialog && DIALOG_FIXED.contains(&k.as_str()))
        {
            p.report(
                span.clone(),
                key.clone(),
                format!("console.keys.{name}: {k:?} is fixed in dialogs (Enter chooses the focused button, Esc backs out, Tab, Shift-Tab and the arrows move the focus); choose another key"),
            );
        }
        spans.insert(name.clone(), span);
        out.push((name, keys));
    }
    conflicts(CONSOLE_DEFAULT_KEYS, &out, &spans, p);
    conflicts(CONSOLE_DIALOG_KEYS, &out, &spans, p);
    out
}

/// No key on two commands of `table` in the keymap in effect: the remapped commands' keys,
/// the others' defaults.
fn conflicts(
    table: &[(&str, &[&str])],
    remapped: &[(String, Vec<String>)],
    spans: &HashMap<String, Range<usize>>,
    p: &mut Problems,
) {
    let mut owner: HashMap<String, &str> = HashMap::new();
    let effective = table.iter().map(
        |(n, defaults)| match remapped.iter().find(|(m, _)| m == n) {
            Some((_, keys)) => (*n, keys.clone()),
            None => (*n, defaults.iter().map(|k| (*k).to_owned()).collect()),
        },
    );
    for (name, keys) in effective {
        for k in keys {
            if let Some(other) = owner.insert(k.clone(), name) {
                // Point at a remapped command of the two (at least one is).
                let (at, free) = if spans.contains_key(name) {
                    (name, other)
                } else {
                    (other, name)
                };
                let hint = if spans.contains_key(free) {
                    String::new()
                } else {
                    format!(" (`{free}` has it by default: remap `{free}` too to free it)")
                };
                p.report(
                    spans[at].clone(),
                    format!("console.keys.{at}"),
                    format!(
                        "console.keys.{at}: key {k:?} is bound to both `{other}` and `{name}`; give each key to one command{hint}"
                    ),
                );
            }
        }
    }
}
