//! The footer's hint line: the keys that work here and now, read from the keymap in effect
//! (the same one `?` help lists), so that a key remapped in `[console.keys]` shows as remapped.
//! Text inputs (filter, command line, ship and stock forms) take every printable key as text,
//! so their few keys are fixed and their hints are fixed text.

use crate::console::app::{
    first_key, App, Binding, Cmd, DialogCmd, Mode, Pane, Sort, SPLIT_MIN_WIDTH,
};

/// One hint: the keys of some commands and what they do, or fixed words.
#[derive(Clone, Copy)]
enum Hint {
    /// The first key of each command, joined by "/" ("j/k move"); left out when none has a key.
    Keys(&'static [Cmd], &'static str),
    /// The pane keys ("1-6"), and Tab when `tab`, then "panes".
    Panes {
        tab: bool,
    },
    /// A confirmation's own key (`[console.keys]` confirm_yes / confirm_no) after fixed keys
    /// ("Esc/"), then what it does.
    Dialog(DialogCmd, &'static str, &'static str),
    Text(&'static str),
}

use Hint::{Dialog, Keys, Panes, Text};

const MOVE: &[Cmd] = &[Cmd::Down, Cmd::Up];
const HELP: Hint = Keys(&[Cmd::Help], "help");
const QUIT: Hint = Keys(&[Cmd::Quit], "quit");
const COMMAND: Hint = Keys(&[Cmd::CommandLine], "command");

fn hints(app: &App) -> Vec<Hint> {
    let mut out = mode_hints(app);
    // Wide windows: the split view's keys, before "q quit" (the one-pane screens keep theirs).
    if matches!(app.mode, Mode::Normal | Mode::Detail) {
        let split: &[Hint] = if app.split_active() {
            &[
                Keys(&[Cmd::OtherPane], "other pane"),
                Keys(&[Cmd::SplitView], "one pane"),
            ]
        } else if !app.split && app.width >= SPLIT_MIN_WIDTH {
            &[Keys(&[Cmd::SplitView], "two panes")]
        } else {
            &[]
        };
        let at = out.len().saturating_sub(1);
        out.splice(at..at, split.iter().copied());
    }
    out
}

fn mode_hints(app: &App) -> Vec<Hint> {
    match &app.mode {
        Mode::Reroute => vec![
            Keys(MOVE, "choose"),
            Text("Enter re-route there"),
            Text("Esc back"),
        ],
        Mode::Ship(_) => vec![Text("type · Tab next field · Enter ship · Esc back")],
        Mode::Adjust(_) => vec![Text(
            "type the new on-hand count · Enter next (asks first) · Esc back",
        )],
        // Terms that exist in every store: a status and an age (channel and location ids are
        // the store's own; `?` help names the terms).
        Mode::Filter if app.filter_pane == Pane::Inventory => vec![Text(
            "type to filter stock · TEE TEE-* loc:ID avail:<5 · Enter keep · Esc clear",
        )],
        Mode::Filter => vec![Text(
            "type to filter · status:held age:>2h sku:TEE-* words · Enter keep · Esc clear",
        )],
        Mode::Command => vec![Text("Tab complete · ↑↓ history · Enter run · Esc back")],
        Mode::Confirm(_) => vec![
            Dialog(DialogCmd::Yes, "", "confirm"),
            Text("Tab switch · Enter choose"),
            Dialog(DialogCmd::No, "Esc/", "back"),
        ],
        Mode::Help => vec![
            Keys(MOVE, "scroll"),
            Text("PgDn/PgUp g/G"),
            Text("any other key closes"),
            QUIT,
        ],
        Mode::Detail => vec![
            Keys(MOVE, "scroll"),
            Keys(&[Cmd::Back], "back"),
            HELP,
            Keys(&[Cmd::Hold], "hold"),
            Keys(&[Cmd::Release], "release"),
            Keys(&[Cmd::Cancel], "cancel"),
            Keys(&[Cmd::Reroute], "route"),
            Keys(&[Cmd::Ship], "ship"),
            Keys(&[Cmd::Copy], "copy"),
            COMMAND,
            QUIT,
        ],
        Mode::Normal => match app.pane {
            Pane::Orders => vec![
                Keys(MOVE, "move"),
                Keys(&[Cmd::Open], "detail"),
                HELP,
                Keys(&[Cmd::Mark], "mark"),
                Keys(&[Cmd::Hold], "hold"),
                Keys(&[Cmd::Release], "release"),
                Keys(&[Cmd::Cancel], "cancel"),
                Keys(&[Cmd::Reroute], "route"),
                Keys(&[Cmd::Ship], "ship"),
                Keys(&[Cmd::Copy], "copy"),
                Keys(&[Cmd::Sort], "sort"),
                Keys(&[Cmd::Filter], "filter"),
                COMMAND,
                QUIT,
            ],
            Pane::Inventory => vec![
                Keys(MOVE, "move"),
                Keys(&[Cmd::Adjust], "adjust on hand"),
                Keys(&[Cmd::Filter], "filter stock"),
                COMMAND,
                Panes { tab: true },
                HELP,
                QUIT,
            ],
            Pane::Queues => vec![
                Keys(MOVE, "queue"),
                Keys(&[Cmd::Open], "list the queue"),
                Keys(&[Cmd::Filter], "filter"),
                COMMAND,
                Panes { tab: false },
                HELP,
                QUIT,
            ],
            Pane::Channels => vec![
                Keys(MOVE, "move"),
                Keys(&[Cmd::PauseChannel], "pause/resume"),
                Keys(&[Cmd::PollChannel], "poll now"),
                COMMAND,
                Panes { tab: true },
                HELP,
                QUIT,
            ],
            Pane::Rules | Pane::Events => vec![
                Keys(MOVE, "move"),
                Keys(&[Cmd::Filter], "filter orders"),
                COMMAND,
                Panes { tab: true },
                HELP,
                QUIT,
            ],
        },
    }
}

/// The pane keys as a hint reads them: "1-6" (first and last when every pane has a key),
/// else the keys there are, joined by "/".
fn pane_keys(keymap: &[Binding]) -> Option<String> {
    let keys: Vec<Option<&str>> = (0..Pane::ALL.len())
        .map(|i| first_key(keymap, Cmd::Pane(i)))
        .collect();
    match (keys.first(), keys.last()) {
        (Some(Some(first)), Some(Some(last))) if keys.iter().all(Option::is_some) => {
            Some(format!("{first}-{last}"))
        }
        _ => {
            let some: Vec<&str> = keys.into_iter().flatten().collect();
            (!some.is_empty()).then(|| some.join("/"))
        }
    }
}

fn hint_text(app: &App, h: Hint) -> Option<String> {
    match h {
        Text(t) => Some(t.to_string()),
        Keys(cmds, what) => {
            let keys: Vec<&str> = cmds
                .iter()
                .filter_map(|c| first_key(&app.keymap, *c))
                .collect();
            (!keys.is_empty()).then(|| format!("{} {what}", keys.join("/")))
        }
        Panes { tab } => {
            let mut keys: Vec<String> = pane_keys(&app.keymap).into_iter().collect();
            if tab {
                keys.extend(first_key(&app.keymap, Cmd::NextPane).map(str::to_string));
            }
            (!keys.is_empty()).then(|| format!("{} panes", keys.join(" ")))
        }
        Dialog(cmd, fixed, what) => match first_key(&app.dialog_keys, cmd) {
            Some(k) => Some(format!("{fixed}{k} {what}")),
            None if fixed.is_empty() => None,
            None => Some(format!("{} {what}", fixed.trim_end_matches('/'))),
        },
    }
}

/// The help's line about dialogs: "Dialogs: y confirm, n/Esc back." with the keys in effect.
pub fn dialog_help(app: &App) -> String {
    let yes = first_key(&app.dialog_keys, DialogCmd::Yes)
        .map(|k| format!("{k} confirm, "))
        .unwrap_or_default();
    let no = first_key(&app.dialog_keys, DialogCmd::No)
        .map(|k| format!("{k}/"))
        .unwrap_or_default();
    format!("Dialogs: {yes}{no}Esc back.")
}

/// The sort's label: `S` orders the rows on screen only (the read is newest first), so the
/// label says "(screen)" before it and is short: "total ↓" claimed no more than it does
/// (issue 6, finding 6).
pub fn sort_label(s: Sort) -> &'static str {
    match s {
        Sort::Index => "newest first",
        Sort::Id => "id ↑",
        Sort::Age => "age, oldest ↑",
        Sort::Total => "total ↓",
        Sort::Status => "status",
    }
}

/// The hint line for where the operator is: the sort and the marks first (Orders), then the
/// keys, "·"-separated.
pub fn context_keys(app: &App) -> String {
    let keys: Vec<String> = hints(app)
        .into_iter()
        .filter_map(|h| hint_text(app, h))
        .collect();
    let keys = keys.join(" · ");
    if !(matches!(app.mode, Mode::Normal) && app.pane == Pane::Orders) {
        return keys;
    }
    let mut pre = String::new();
    if app.sort != Sort::Index {
        let sort = first_key(&app.keymap, Cmd::Sort)
            .map(|k| format!(" ({k})"))
            .unwrap_or_default();
        pre.push_str(&format!("sort (screen): {}{sort} · ", sort_label(app.sort)));
    }
    if !app.marks.is_empty() {
        let acts: Vec<&str> = [Cmd::Hold, Cmd::Release, Cmd::Cancel]
            .iter()
            .filter_map(|c| first_key(&app.keymap, *c))
            .collect();
        pre.push_str(&format!("{} marked: ", app.marks.len()));
        if !acts.is_empty() {
            pre.push_str(&format!("{} act on all · ", acts.join("/")));
        }
        if let Some(back) = first_key(&app.keymap, Cmd::Back) {
            pre.push_str(&format!("{back} clears marks · "));
        }
    }
    format!("{pre}{keys}")
}

#[cfg(test)]
mod tests {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    use super::context_keys;
    use crate::console::app::{keymap_with, App, Pane};

    fn app(remaps: &[(&str, &[&str])]) -> App {
        let mut a = App::new("t", "ana", true);
        let remaps: Vec<(String, Vec<String>)> = remaps
            .iter()
            .map(|(n, k)| (n.to_string(), k.iter().map(|k| k.to_string()).collect()))
            .collect();
        a.keymap = keymap_with(&remaps);
        a
    }

    fn press(a: &mut App, c: KeyCode) {
        a.handle_key(KeyEvent::new(c, KeyModifiers::NONE));
    }

    #[test]
    fn the_default_keymap_gives_the_hints_operators_know() {
        let mut a = app(&[]);
        assert_eq!(
            context_keys(&a),
            "j/k move · Enter detail · ? help · Space mark · h hold · u release · x cancel · r route · s ship · y copy · S sort · / filter · : command · q quit"
        );
        for (pane, want) in [
            (Pane::Inventory, "j/k move · a adjust on hand · / filter stock · : command · 1-6 Tab panes · ? help · q quit"),
            (Pane::Queues, "j/k queue · Enter list the queue · / filter · : command · 1-6 panes · ? help · q quit"),
            (Pane::Channels, "j/k move · p pause/resume · P poll now · : command · 1-6 Tab panes · ? help · q quit"),
            (Pane::Events, "j/k move · / filter orders · : command · 1-6 Tab panes · ? help · q quit"),
        ] {
            a.pane = pane;
            assert_eq!(context_keys(&a), want, "{pane:?}");
        }
    }

    #[test]
    fn remapped_keys_show_as_remapped_and_unbound_ones_not_at_all() {
        let mut a = app(&[
            ("down", &["n", "down"]),
            ("hold", &["H"]),
            ("copy", &[]),
            ("pane_1", &["f1"]),
            ("pane_2", &["f2"]),
            ("pane_3", &["f3"]),
            ("pane_4", &["f4"]),
            ("pane_5", &["f5"]),
            ("pane_6", &["f6"]),
            ("next_pane", &["ctrl-n"]),
            ("sort", &["o"]),
            ("back", &["ctrl-b", "esc"]),
        ]);
        let orders = context_keys(&a);
        assert!(orders.starts_with("n/k move · Enter detail"), "{orders}");
        assert!(orders.contains(" · H hold · "), "{orders}");
        assert!(!orders.contains("copy"), "copy has no key: {orders}");
        assert!(orders.contains(" · o sort · "), "{orders}");
        a.pane = Pane::Inventory;
        assert!(
            context_keys(&a).contains(" · F1-F6 Ctrl-n panes · "),
            "{}",
            context_keys(&a)
        );
        // The sort and the marks say their keys too.
        a.pane = Pane::Orders;
        a.lists[0].ids = vec![1, 2];
        a.lists[0].known = 2;
        press(&mut a, KeyCode::Char('o'));
        // As the read of the re-sorted window would leave it.
        a.lists[0].stale = false;
        press(&mut a, KeyCode::Char(' '));
        let line = context_keys(&a);
        assert!(
            line.starts_with(
                "sort (screen): id ↑ (o) · 1 marked: H/u/x act on all · Ctrl-b clears marks · n/k move"
            ),
            "{line}"
        );
        // The detail, and the help's way out.
        press(&mut a, KeyCode::Enter);
        assert!(context_keys(&a).starts_with("n/k scroll · Ctrl-b back · ? help · H hold"));
        a.mode = crate::console::app::Mode::Help;
        assert_eq!(
            context_keys(&a),
            "n/k scroll · PgDn/PgUp g/G · any other key closes · q quit"
        );
    }
}
