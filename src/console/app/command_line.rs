//! The `:` command line: editing, history, Tab completion, and running a line.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::{Action, App, Mode, Pane};
use crate::client::ChannelControl;
use crate::ledger::Command;
use crate::model::OrderId;

impl App {
    pub(super) fn command_key(&mut self, key: KeyEvent) -> Vec<Action> {
        // The candidates a Tab listed are of the line as it was.
        if key.code != KeyCode::Tab {
            self.completions.clear();
        }
        match key.code {
            KeyCode::Esc => {
                self.mode = self.back_mode();
                self.command_input.clear();
                vec![]
            }
            KeyCode::Enter => {
                let line = std::mem::take(&mut self.command_input);
                self.mode = self.back_mode();
                if !line.trim().is_empty() && self.history.last() != Some(&line) {
                    self.history.push(line.clone());
                }
                self.execute(&line)
            }
            KeyCode::Tab => {
                let (line, candidates) = self.complete_line(&self.command_input);
                if let Some(line) = line {
                    self.command_input = line;
                }
                self.completions = candidates;
                vec![]
            }
            KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                // As in the `/` filter and a shell: the line goes, the command line stays.
                self.command_input.clear();
                self.completions.clear();
                vec![]
            }
            KeyCode::Up | KeyCode::Down => {
                if self.history.is_empty() {
                    return vec![];
                }
                let n = self.history.len();
                let pos = match (self.history_pos, key.code) {
                    (None, KeyCode::Up) => Some(n - 1),
                    (Some(0), KeyCode::Up) => Some(0),
                    (Some(p), KeyCode::Up) => Some(p - 1),
                    (Some(p), KeyCode::Down) if p + 1 < n => Some(p + 1),
                    _ => None,
                };
                self.history_pos = pos;
                self.command_input = pos.map(|p| self.history[p].clone()).unwrap_or_default();
                vec![]
            }
            KeyCode::Backspace => {
                if self.command_input.pop().is_none() {
                    self.mode = self.back_mode();
                }
                vec![]
            }
            KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
                self.command_input.push(c);
                vec![]
            }
            _ => vec![],
        }
    }

    /// Runs a `:` command line.
    pub fn execute(&mut self, line: &str) -> Vec<Action> {
        let words: Vec<&str> = line.split_whitespace().collect();
        let rest = |from: usize| words.get(from..).map(|w| w.join(" ")).unwrap_or_default();
        match words.first().copied() {
            None => vec![],
            Some("q" | "quit") => vec![Action::Quit],
            Some("help") => {
                self.mode = Mode::Help;
                vec![]
            }
            Some("hold") => {
                let reason = rest(1);
                let reason = if reason.is_empty() {
                    "held from the console".to_string()
                } else {
                    reason
                };
                self.hold(reason)
            }
            Some("release") => self.release(),
            Some("cancel") => {
                let reason = rest(1);
                let reason = if reason.is_empty() {
                    "cancelled from the console".to_string()
                } else {
                    reason
                };
                self.ask_cancel(reason);
                vec![]
            }
            Some("ship") => match (self.target(), words.get(1)) {
                (Some(id), Some(tracking)) => vec![Action::Submit(Command::Ship {
                    id,
                    carrier: words.get(2).unwrap_or(&"unknown").to_string(),
                    tracking: tracking.to_string(),
                    by: self.actor(),
                })],
                (None, _) => self.no_target(),
                (_, None) => self.usage(":ship TRACKING [CARRIER]"),
            },
            Some("route") => match (self.target(), words.get(1)) {
                (Some(id), Some(loc)) => vec![Action::Submit(Command::Reroute {
                    id,
                    location: loc.to_string(),
                    reason: "re-routed from the console".into(),
                    by: self.actor(),
                })],
                (None, _) => self.no_target(),
                (_, None) => self.usage(":route LOCATION"),
            },
            Some("goto") => match words.get(1).and_then(|w| w.parse::<OrderId>().ok()) {
                Some(id) => {
                    self.show_pane(Pane::Orders);
                    self.open_detail(id)
                }
                None => self.usage(":goto ORDER_ID"),
            },
            Some("stock") => {
                let qty = words.get(4).and_then(|w| w.parse::<i64>().ok());
                match (words.get(1).copied(), words.get(2), words.get(3), qty) {
                    (Some("set"), Some(sku), Some(loc), Some(qty)) if qty >= 0 => {
                        self.ask_set_stock(sku, loc, qty);
                        vec![]
                    }
                    _ => self.usage(":stock set SKU LOCATION QTY"),
                }
            }
            Some("pause") => self.channel_command(words.get(1).copied(), ChannelControl::Pause),
            Some("resume") => self.channel_command(words.get(1).copied(), ChannelControl::Resume),
            Some("poll") => self.channel_command(words.get(1).copied(), ChannelControl::PollNow),
            Some(other) => {
                self.set_toast(format!("unknown command `{other}` (Tab completes)"), true);
                vec![]
            }
        }
    }

    fn usage(&mut self, usage: &str) -> Vec<Action> {
        self.set_toast(format!("usage: {usage}"), true);
        vec![]
    }
}

/// The `:` commands, for Tab completion.
pub const COMMANDS: [&str; 13] = [
    "hold",
    "release",
    "cancel",
    "ship",
    "route",
    "goto",
    "stock set",
    "pause",
    "resume",
    "poll",
    "help",
    "quit",
    "q",
];

impl App {
    /// Tab on the `:` line: the word being typed completed from what fits there (a command;
    /// after `route ` a location, after `pause `/`resume `/`poll ` a channel, after
    /// `stock set ` a SKU of the Inventory window then a location). One candidate completes
    /// the word; several extend it to what they share and are listed (returned second).
    pub fn complete_line(&self, input: &str) -> (Option<String>, Vec<String>) {
        let words: Vec<&str> = input.split(' ').collect();
        // The word under the cursor is the last one (empty after a space).
        let (done, typed) = words.split_at(words.len() - 1);
        let typed = typed.first().copied().unwrap_or("");
        let mut pool: Vec<String> = match done {
            [] => COMMANDS
                .iter()
                .filter(|c| **c != "q")
                .map(|c| c.to_string())
                .collect(),
            ["route"] | ["stock", "set", _] => self.locations.clone(),
            ["pause" | "resume" | "poll"] => self.channel_ids.clone(),
            ["stock"] => vec!["set".into()],
            ["stock", "set"] => {
                let mut skus: Vec<String> = self.lists[Pane::Inventory.index()]
                    .stock
                    .iter()
                    .map(|(k, _)| k.sku.clone())
                    .collect();
                skus.dedup();
                skus
            }
            _ => vec![],
        };
        pool.retain(|c| c.starts_with(typed));
        pool.sort();
        pool.dedup();
        let prefix = done.iter().map(|w| format!("{w} ")).collect::<String>();
        match pool.as_slice() {
            [] => (None, vec![]),
            [one] => (Some(format!("{prefix}{one} ")), vec![]),
            many => {
                let common = many.iter().skip(1).fold(many[0].clone(), |acc, c| {
                    acc.chars()
                        .zip(c.chars())
                        .take_while(|(a, b)| a == b)
                        .map(|(a, _)| a)
                        .collect()
                });
                let line = (common.len() > typed.len()).then(|| format!("{prefix}{common}"));
                (line, many.to_vec())
            }
        }
    }
}

/// Completes the command name when exactly one command starts with what was typed.
pub fn complete(input: &str) -> Option<String> {
    if input.contains(' ') {
        return None;
    }
    let mut hits = COMMANDS.iter().filter(|c| c.starts_with(input));
    let first = hits.next()?;
    if hits.next().is_some() {
        return None;
    }
    Some(format!("{first} "))
}
