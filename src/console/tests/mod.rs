//! Key handling without a terminal: keys in, state and actions out. By what the keys do:
//! `navigation` (moving, panes, the filter, help), `actions` (row actions, the detail, the
//! command line, marks), `dialogs` (re-route, ship, adjust, copy, sort), `channels` (the
//! Channels pane and the Inventory's channel columns), `keymap` (Ctrl-Z, themes,
//! `[console.keys]`) and `split` (two panes side by side).

mod actions;
mod anchor;
mod channels;
mod dialogs;
mod inventory_filter;
mod keymap;
mod navigation;
mod queues;
mod split;
mod trial;

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
