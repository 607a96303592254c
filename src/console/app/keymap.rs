//! The normal-mode keymap: which key means which [`Cmd`], and the `?` help built from it.

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
            Cmd::Pane(_) => "go to pane 1-6",
            Cmd::Open => "open the order (detail) / the queue",
            Cmd::Back => "back; clear the marks, then the filter",
            Cmd::Filter => "filter: text, status:, channel:, loc:, sku:",
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

#[derive(Debug, Clone)]
pub struct Binding {
    pub code: KeyCode,
    pub mods: KeyModifiers,
    pub label: &'static str,
    pub cmd: Cmd,
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
            label,
            cmd,
        })
        .collect()
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
            out[i]
                .0
                .push_str(if cmd == Cmd::Pane(0) { "" } else { " " });
            if cmd == Cmd::Pane(0) {
                out[i].0 = "1-6".to_string();
            } else {
                out[i].0.push_str(b.label);
            }
        } else {
            seen.push(cmd);
            out.push((b.label.to_string(), cmd.describe()));
        }
    }
    out
}

pub(super) fn mods_match(bound: KeyModifiers, got: KeyModifiers) -> bool {
    // Terminals differ on whether an upper-case letter carries SHIFT: ignore SHIFT.
    bound.difference(KeyModifiers::SHIFT) == got.difference(KeyModifiers::SHIFT)
}
