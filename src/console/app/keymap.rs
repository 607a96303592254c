//! The keymaps: which key means which normal-mode [`Cmd`] (and the `?` help built from it), and
//! which key confirms or backs out of a confirmation ([`DialogCmd`]). Both take `[console.keys]`.
//! The other dialogs' keys are fixed or follow the normal keymap: the re-route picker moves with
//! the `down`/`up`/`top`/`bottom` keys (and the arrows) and closes with `back` or `quit` (and
//! Esc); the text inputs take every printable key as text.

use crossterm::event::{KeyCode, KeyModifiers};

/// What a key can mean in normal mode; the keymap binds keys to these, and `?` help is built
/// from the keymap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmd {
    Down,
    Up,
    Top,
    Bottom,
    PageDown,
    PageUp,
    HalfDown,
    HalfUp,
    NextPane,
    PrevPane,
    /// Focus the other pane of a split view (one pane: go back to the pane before).
    OtherPane,
    /// Two panes side by side (wide windows) or one.
    SplitView,
    Pane(usize),
    Open,
    Back,
    Filter,
    CommandLine,
    Hold,
    Release,
    Cancel,
    Mark,
    Reroute,
    Ship,
    Adjust,
    Copy,
    Sort,
    PauseChannel,
    PollChannel,
    Refresh,
    Help,
    Suspend,
    Quit,
}

impl Cmd {
    /// Every command, panes included, in the order of the default keymap.
    pub const ALL: [Cmd; 37] = [
        Cmd::Down,
        Cmd::Up,
        Cmd::Top,
        Cmd::Bottom,
        Cmd::PageDown,
        Cmd::PageUp,
        Cmd::HalfDown,
        Cmd::HalfUp,
        Cmd::NextPane,
        Cmd::PrevPane,
        Cmd::OtherPane,
        Cmd::SplitView,
        Cmd::Open,
        Cmd::Back,
        Cmd::Filter,
        Cmd::CommandLine,
        Cmd::Hold,
        Cmd::Release,
        Cmd::Cancel,
        Cmd::Mark,
        Cmd::Reroute,
        Cmd::Ship,
        Cmd::Adjust,
        Cmd::Copy,
        Cmd::Sort,
        Cmd::PauseChannel,
        Cmd::PollChannel,
        Cmd::Refresh,
        Cmd::Help,
        Cmd::Suspend,
        Cmd::Quit,
        Cmd::Pane(0),
        Cmd::Pane(1),
        Cmd::Pane(2),
        Cmd::Pane(3),
        Cmd::Pane(4),
        Cmd::Pane(5),
    ];

    /// The name `[console.keys]` uses for the command: its snake_case, `pane_1`..`pane_6`.
    pub fn name(self) -> String {
        let s = match self {
            Cmd::Pane(i) => return format!("pane_{}", i + 1),
            Cmd::Down => "down",
            Cmd::Up => "up",
            Cmd::Top => "top",
            Cmd::Bottom => "bottom",
            Cmd::PageDown => "page_down",
            Cmd::PageUp => "page_up",
            Cmd::HalfDown => "half_down",
            Cmd::HalfUp => "half_up",
            Cmd::NextPane => "next_pane",
            Cmd::PrevPane => "prev_pane",
            Cmd::OtherPane => "other_pane",
            Cmd::SplitView => "split_view",
            Cmd::Open => "open",
            Cmd::Back => "back",
            Cmd::Filter => "filter",
            Cmd::CommandLine => "command_line",
            Cmd::Hold => "hold",
            Cmd::Release => "release",
            Cmd::Cancel => "cancel",
            Cmd::Mark => "mark",
            Cmd::Reroute => "reroute",
            Cmd::Ship => "ship",
            Cmd::Adjust => "adjust",
            Cmd::Copy => "copy",
            Cmd::Sort => "sort",
            Cmd::PauseChannel => "pause_channel",
            Cmd::PollChannel => "poll_channel",
            Cmd::Refresh => "refresh",
            Cmd::Help => "help",
            Cmd::Suspend => "suspend",
            Cmd::Quit => "quit",
        };
        s.to_owned()
    }

    pub fn named(name: &str) -> Option<Cmd> {
        Cmd::ALL.into_iter().find(|c| c.name() == name)
    }

    pub fn describe(self) -> &'static str {
        match self {
            Cmd::Down => "move down",
            Cmd::Up => "move up",
            Cmd::Top => "first row",
            Cmd::Bottom => "last row",
            Cmd::PageDown => "page down",
            Cmd::PageUp => "page up",
            Cmd::HalfDown => "half a page down",
            Cmd::HalfUp => "half a page up",
            Cmd::NextPane => "next pane",
            Cmd::PrevPane => "previous pane",
            Cmd::OtherPane => "the other of two panes / the pane before",
            Cmd::SplitView => "two panes side by side / one (wide windows)",
            Cmd::Pane(_) => "go to pane 1-6",
            Cmd::Open => "open the order (detail) / the queue",
            Cmd::Back => "back; clear the marks, then the filter",
            Cmd::Filter => "filter orders; in Inventory, its stock records",
            Cmd::CommandLine => "command line: hold, ship, route, goto, stock…",
            Cmd::Hold => "hold the order (or all marked)",
            Cmd::Release => "release the order (or all marked)",
            Cmd::Cancel => "cancel the order or all marked (asks first)",
            Cmd::Mark => "mark / unmark the order",
            Cmd::Reroute => "re-route: pick a location (stock, distance)",
            Cmd::Ship => "ship: tracking number and carrier",
            Cmd::Adjust => "adjust on hand (Inventory; asks first)",
            Cmd::Copy => "copy the order id (OSC 52)",
            Cmd::Sort => "sort the rows on screen: id, age, total, status",
            Cmd::PauseChannel => "pause / resume polling the channel (Channels)",
            Cmd::PollChannel => "poll the channel now (Channels)",
            Cmd::Refresh => "read the screen again",
            Cmd::Help => "this help",
            Cmd::Suspend => "suspend to the shell (fg resumes)",
            Cmd::Quit => "quit",
        }
    }
}

/// What a key does in a confirmation besides the fixed keys (Enter chooses the focused
/// button, Esc backs out, Tab and the arrows move the focus).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DialogCmd {
    /// Do it (default `y`).
    Yes,
    /// Back out (default `n`).
    No,
}

impl DialogCmd {
    pub const ALL: [DialogCmd; 2] = [DialogCmd::Yes, DialogCmd::No];

    /// The name `[console.keys]` uses.
    pub fn name(self) -> String {
        match self {
            DialogCmd::Yes => "confirm_yes",
            DialogCmd::No => "confirm_no",
        }
        .to_owned()
    }

    pub fn describe(self) -> &'static str {
        match self {
            DialogCmd::Yes => "confirm",
            DialogCmd::No => "back",
        }
    }
}

/// A key and what it means: a normal-mode [`Cmd`], or with `C = DialogCmd` a confirmation's.
#[derive(Debug, Clone)]
pub struct Binding<C = Cmd> {
    pub code: KeyCode,
    pub mods: KeyModifiers,
    pub label: String,
    pub cmd: C,
}

pub fn default_keymap() -> Vec<Binding> {
    use KeyCode::*;
    let none = KeyModifiers::NONE;
    let ctrl = KeyModifiers::CONTROL;
    let shift = KeyModifiers::SHIFT;
    let mut out = vec![
        (Char('j'), none, "j", Cmd::Down),
        (Down, none, "↓", Cmd::Down),
        (Char('k'), none, "k", Cmd::Up),
        (Up, none, "↑", Cmd::Up),
        (Char('g'), none, "g", Cmd::Top),
        (Home, none, "Home", Cmd::Top),
        (Char('G'), shift, "G", Cmd::Bottom),
        (End, none, "End", Cmd::Bottom),
        (PageDown, none, "PgDn", Cmd::PageDown),
        (PageUp, none, "PgUp", Cmd::PageUp),
        (Char('d'), ctrl, "Ctrl-d", Cmd::HalfDown),
        (Char('u'), ctrl, "Ctrl-u", Cmd::HalfUp),
        (Tab, none, "Tab", Cmd::NextPane),
        (BackTab, shift, "Shift-Tab", Cmd::PrevPane),
        (Char('w'), none, "w", Cmd::OtherPane),
        (Char('w'), ctrl, "Ctrl-w", Cmd::OtherPane),
        (Char('|'), none, "|", Cmd::SplitView),
        (Enter, none, "Enter", Cmd::Open),
        (Esc, none, "Esc", Cmd::Back),
        (Char('/'), none, "/", Cmd::Filter),
        (Char(':'), none, ":", Cmd::CommandLine),
        (Char('h'), none, "h", Cmd::Hold),
        (Char('u'), none, "u", Cmd::Release),
        (Char('x'), none, "x", Cmd::Cancel),
        (Char(' '), none, "Space", Cmd::Mark),
        (Char('r'), none, "r", Cmd::Reroute),
        (Char('s'), none, "s", Cmd::Ship),
        (Char('a'), none, "a", Cmd::Adjust),
        (Char('y'), none, "y", Cmd::Copy),
        (Char('S'), shift, "S", Cmd::Sort),
        (Char('p'), none, "p", Cmd::PauseChannel),
        (Char('P'), shift, "P", Cmd::PollChannel),
        (Char('l'), ctrl, "Ctrl-l", Cmd::Refresh),
        (Char('?'), none, "?", Cmd::Help),
        (Char('z'), ctrl, "Ctrl-z", Cmd::Suspend),
        (Char('q'), none, "q", Cmd::Quit),
    ];
    const DIGITS: [&str; 6] = ["1", "2", "3", "4", "5", "6"];
    for (i, label) in DIGITS.iter().enumerate() {
        let c = char::from(b'1' + i as u8);
        out.push((Char(c), none, label, Cmd::Pane(i)));
    }
    out.into_iter()
        .map(|(code, mods, label, cmd)| Binding {
            code,
            mods,
            label: label.to_owned(),
            cmd,
        })
        .collect()
}

/// A key in `[console.keys]`'s canonical form ("H", "ctrl-q", "alt-x", "enter", "pagedown",
/// "f5", "space"; the config checks and canonicalises it) as a binding's code, modifiers and
/// help label. `None` for anything else.
pub fn parse_key(key: &str) -> Option<(KeyCode, KeyModifiers, String)> {
    let mut mods = KeyModifiers::NONE;
    let mut prefix = String::new();
    let mut rest = key;
    if let Some(r) = rest.strip_prefix("ctrl-").filter(|r| !r.is_empty()) {
        mods |= KeyModifiers::CONTROL;
        prefix.push_str("Ctrl-");
        rest = r;
    }
    if let Some(r) = rest.strip_prefix("alt-").filter(|r| !r.is_empty()) {
        mods |= KeyModifiers::ALT;
        prefix.push_str("Alt-");
        rest = r;
    }
    let mut chars = rest.chars();
    let (code, label) = match (chars.next(), chars.next()) {
        (Some(c), None) => {
            if c.is_ascii_uppercase() {
                mods |= KeyModifiers::SHIFT;
            }
            (KeyCode::Char(c), c.to_string())
        }
        _ => {
            let named = match rest {
                "enter" => (KeyCode::Enter, "Enter"),
                "esc" => (KeyCode::Esc, "Esc"),
                "tab" => (KeyCode::Tab, "Tab"),
                "backtab" => (KeyCode::BackTab, "Shift-Tab"),
                "space" => (KeyCode::Char(' '), "Space"),
                "up" => (KeyCode::Up, "↑"),
                "down" => (KeyCode::Down, "↓"),
                "left" => (KeyCode::Left, "←"),
                "right" => (KeyCode::Right, "→"),
                "home" => (KeyCode::Home, "Home"),
                "end" => (KeyCode::End, "End"),
                "pageup" => (KeyCode::PageUp, "PgUp"),
                "pagedown" => (KeyCode::PageDown, "PgDn"),
                f => {
                    let n = f
                        .strip_prefix('f')?
                        .parse::<u8>()
                        .ok()
                        .filter(|n| (1..=12).contains(n))?;
                    return Some((KeyCode::F(n), mods, format!("{prefix}F{n}")));
                }
            };
            if named.0 == KeyCode::BackTab {
                mods |= KeyModifiers::SHIFT;
            }
            (named.0, named.1.to_owned())
        }
    };
    Some((code, mods, format!("{prefix}{label}")))
}

/// The default keymap with `[console.keys]` applied: a command named there gets exactly its
/// listed keys (in the place of its defaults, so the help keeps its order); the others keep
/// their defaults. Unknown names and keys are skipped (the config has rejected them already).
pub fn keymap_with(remaps: &[(String, Vec<String>)]) -> Vec<Binding> {
    remap(default_keymap(), remaps, Cmd::name)
}

/// The confirmation's keys by default: `y` confirms, `n` backs out.
pub fn default_dialog_keys() -> Vec<Binding<DialogCmd>> {
    [('y', DialogCmd::Yes), ('n', DialogCmd::No)]
        .into_iter()
        .map(|(c, cmd)| Binding {
            code: KeyCode::Char(c),
            mods: KeyModifiers::NONE,
            label: c.to_string(),
            cmd,
        })
        .collect()
}

/// The confirmation's keys with `[console.keys]` applied (`confirm_yes`, `confirm_no`).
pub fn dialog_keys_with(remaps: &[(String, Vec<String>)]) -> Vec<Binding<DialogCmd>> {
    remap(default_dialog_keys(), remaps, DialogCmd::name)
}

/// `defaults` with the remapped commands' keys put in the place of their defaults.
fn remap<C: Copy + PartialEq>(
    mut defaults: Vec<Binding<C>>,
    remaps: &[(String, Vec<String>)],
    name: fn(C) -> String,
) -> Vec<Binding<C>> {
    let remapped = |cmd: C| remaps.iter().find(|(n, _)| *n == name(cmd));
    let mut out = Vec::new();
    let mut placed: Vec<C> = Vec::new();
    // Commands whose every default key was remapped away still need a place: their defaults'.
    for b in defaults.drain(..) {
        let Some((_, keys)) = remapped(b.cmd) else {
            out.push(b);
            continue;
        };
        if placed.contains(&b.cmd) {
            continue;
        }
        placed.push(b.cmd);
        for k in keys {
            if let Some((code, mods, label)) = parse_key(k) {
                out.push(Binding {
                    code,
                    mods,
                    label,
                    cmd: b.cmd,
                });
            }
        }
    }
    out
}

/// Help lines from a keymap: each command once, with every key bound to it.
pub fn help_lines(keymap: &[Binding]) -> Vec<(String, &'static str)> {
    let mut out: Vec<(String, &'static str)> = Vec::new();
    let mut seen: Vec<Cmd> = Vec::new();
    for b in keymap {
        let cmd = match b.cmd {
            Cmd::Pane(_) => Cmd::Pane(0),
            c => c,
        };
        if let Some(i) = seen.iter().position(|c| *c == cmd) {
            out[i].0.push(' ');
            out[i].0.push_str(&b.label);
        } else {
            seen.push(cmd);
            out.push((b.label.clone(), cmd.describe()));
        }
    }
    // The pane keys read "1-6" while they are the defaults.
    if let Some(i) = seen.iter().position(|c| *c == Cmd::Pane(0)) {
        if out[i].0 == "1 2 3 4 5 6" {
            out[i].0 = "1-6".to_string();
        }
    }
    out
}

/// The label of the first key bound to `cmd` ("j", "Enter", "Ctrl-d"); `None` when the
/// keymap leaves the command without a key. Hints and toasts name keys with it.
pub fn first_key<C: PartialEq + Copy>(keymap: &[Binding<C>], cmd: C) -> Option<&str> {
    keymap
        .iter()
        .find(|b| b.cmd == cmd)
        .map(|b| b.label.as_str())
}

pub(super) fn mods_match(bound: KeyModifiers, got: KeyModifiers) -> bool {
    // Terminals differ on whether an upper-case letter carries SHIFT: ignore SHIFT.
    bound.difference(KeyModifiers::SHIFT) == got.difference(KeyModifiers::SHIFT)
}
