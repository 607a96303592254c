//! The dialogs over the lists: confirmations, the re-route picker, the ship input and the
//! stock adjust input, and where each returns to when it closes.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::{Action, App, Cmd, DialogCmd, Mode, Pane};
use crate::console::data::RerouteOption;
use crate::ledger::{Command, StockRow};
use crate::model::{OrderId, StockKey};

/// A destructive action waiting for the operator's word. The safe button is focused first.
#[derive(Debug, Clone)]
pub struct Confirm {
    pub title: String,
    pub message: String,
    /// The label of the button that does it ("Cancel order").
    pub confirm_label: String,
    /// What confirming does (a `Submit` or a `SubmitBatch`).
    pub action: Action,
    pub confirm_focused: bool,
}

/// The re-route picker: the locations for one order, with their stock and distance.
#[derive(Debug, Clone)]
pub struct Picker {
    pub id: OrderId,
    /// `None` while the options are being read.
    pub options: Option<Result<Vec<RerouteOption>, String>>,
    pub selected: usize,
}

/// The ship input: tracking number and carrier.
#[derive(Debug, Clone, Default)]
pub struct ShipForm {
    pub id: OrderId,
    pub tracking: String,
    pub carrier: String,
    /// The carrier field has the focus (Tab switches).
    pub on_carrier: bool,
}

/// The stock adjust input: a new on-hand count for one SKU at one location.
#[derive(Debug, Clone)]
pub struct AdjustForm {
    pub key: StockKey,
    pub current: i64,
    pub input: String,
}

impl App {
    /// The re-route options of `id` were read: the picker shows them (if still open on it).
    pub fn set_reroute_options(
        &mut self,
        id: OrderId,
        options: Result<Vec<RerouteOption>, String>,
    ) {
        if let Some(p) = self.picker.as_mut().filter(|p| p.id == id) {
            p.options = Some(options);
            p.selected = 0;
        }
    }

    pub(super) fn picker_key(&mut self, key: KeyEvent) -> Vec<Action> {
        let Some(mut p) = self.picker.take() else {
            self.mode = self.back_mode();
            return vec![];
        };
        let n = match &p.options {
            Some(Ok(o)) => o.len(),
            _ => 0,
        };
        // The list moves with the normal keymap's movement keys (remapped or not) and the
        // arrows; Enter and Esc are fixed.
        let cmd = match key.code {
            KeyCode::Down => Some(Cmd::Down),
            KeyCode::Up => Some(Cmd::Up),
            KeyCode::Home => Some(Cmd::Top),
            KeyCode::End => Some(Cmd::Bottom),
            KeyCode::Esc => Some(Cmd::Back),
            KeyCode::Enter => None,
            _ => self.bound(key),
        };
        match (key.code, cmd) {
            (_, Some(Cmd::Back | Cmd::Quit)) => {
                self.mode = self.back_mode();
                return vec![];
            }
            (_, Some(Cmd::Down)) if n > 0 => p.selected = (p.selected + 1).min(n - 1),
            (_, Some(Cmd::Up)) => p.selected = p.selected.saturating_sub(1),
            (_, Some(Cmd::Top)) => p.selected = 0,
            (_, Some(Cmd::Bottom)) => p.selected = n.saturating_sub(1),
            (KeyCode::Enter, _) => {
                if let Some(Ok(options)) = &p.options {
                    if let Some(o) = options.get(p.selected) {
                        self.mode = self.back_mode();
                        return vec![Action::Submit(Command::Reroute {
                            id: p.id,
                            location: o.location.clone(),
                            reason: "re-routed from the console".into(),
                            by: self.actor(),
                        })];
                    }
                }
            }
            _ => {}
        }
        self.picker = Some(p);
        vec![]
    }

    pub(super) fn ship_key(&mut self, key: KeyEvent, mut f: ShipForm) -> Vec<Action> {
        let field = if f.on_carrier {
            &mut f.carrier
        } else {
            &mut f.tracking
        };
        match key.code {
            KeyCode::Esc => {
                self.mode = self.back_mode();
                return vec![];
            }
            KeyCode::Tab | KeyCode::BackTab => f.on_carrier = !f.on_carrier,
            KeyCode::Backspace => {
                field.pop();
            }
            KeyCode::Char(c)
                if !key.modifiers.contains(KeyModifiers::CONTROL) && !c.is_whitespace() =>
            {
                field.push(c)
            }
            KeyCode::Enter => {
                if f.tracking.trim().is_empty() {
                    self.set_toast("type a tracking number first", true);
                    f.on_carrier = false;
                } else {
                    self.mode = self.back_mode();
                    let carrier = if f.carrier.trim().is_empty() {
                        "unknown".to_string()
                    } else {
                        f.carrier.trim().to_string()
                    };
                    return vec![Action::Submit(Command::Ship {
                        id: f.id,
                        carrier,
                        tracking: f.tracking.trim().to_string(),
                        by: self.actor(),
                    })];
                }
            }
            _ => {}
        }
        self.mode = Mode::Ship(f);
        vec![]
    }

    pub(super) fn adjust_key(&mut self, key: KeyEvent, mut f: AdjustForm) -> Vec<Action> {
        match key.code {
            KeyCode::Esc => {
                self.mode = Mode::Normal;
                return vec![];
            }
            KeyCode::Backspace => {
                f.input.pop();
            }
            KeyCode::Char(c) if c.is_ascii_digit() && f.input.len() < 9 => f.input.push(c),
            KeyCode::Enter => match f.input.parse::<i64>() {
                Ok(qty) => {
                    self.ask_set_stock(&f.key.sku, &f.key.location, qty);
                    return vec![];
                }
                Err(_) => self.set_toast("type the new on-hand count (digits)", true),
            },
            _ => {}
        }
        self.mode = Mode::Adjust(f);
        vec![]
    }

    /// The stock confirmation's question, and when the new count is below what open orders
    /// hold there (as last read in the Inventory window), how many units would be taken back.
    fn stock_message(&self, sku: &str, loc: &str, qty: i64) -> String {
        let mut m = format!("Set on hand of {sku} at {loc} to {qty}?");
        let l = &self.lists[Pane::Inventory.index()];
        let reserved = l
            .stock
            .iter()
            .position(|(k, _)| k.sku == sku && k.location == loc)
            .and_then(|i| l.reserved.get(i).copied());
        if let Some(r) = reserved.filter(|r| qty < *r) {
            m.push_str(&format!(
                " Below the {r} reserved there: {} unit(s) would be taken back from open orders \
                 (they re-route or backorder).",
                r - qty
            ));
        }
        m
    }

    pub(super) fn ask_set_stock(&mut self, sku: &str, loc: &str, qty: i64) {
        self.mode = Mode::Confirm(Confirm {
            title: "Set stock".into(),
            message: self.stock_message(sku, loc, qty),
            confirm_label: "Set stock".into(),
            action: Action::Submit(Command::SetStock {
                rows: vec![StockRow {
                    sku: sku.to_string(),
                    location: loc.to_string(),
                    on_hand: qty,
                    safety_stock: None,
                }],
                by: self.actor(),
            }),
            confirm_focused: false,
        });
    }

    /// Whether the command line or the dialog on screen was opened from the detail view.
    pub fn opened_from_detail(&self) -> bool {
        self.from_detail
    }

    /// Where a dialog or the command line returns to.
    pub(super) fn back_mode(&self) -> Mode {
        if self.from_detail {
            Mode::Detail
        } else {
            Mode::Normal
        }
    }

    pub(super) fn confirm_key(&mut self, key: KeyEvent, mut c: Confirm) -> Vec<Action> {
        let back = self.back_mode();
        // The confirmation's own keys first (`y` / `n`, or what `[console.keys]` says), so
        // that they may take h, l or q from the fixed keys below.
        let confirmed = match (self.dialog_bound(key), key.code) {
            (Some(DialogCmd::Yes), _) => Some(true),
            (Some(DialogCmd::No), _) => Some(false),
            (None, KeyCode::Enter) => Some(c.confirm_focused),
            (None, KeyCode::Esc | KeyCode::Char('q')) => Some(false),
            (None, _) => None,
        };
        if let Some(yes) = confirmed {
            self.mode = back;
            if !yes {
                return vec![];
            }
            if matches!(c.action, Action::SubmitBatch { .. }) {
                self.marks.clear();
            }
            return vec![c.action];
        }
        match key.code {
            KeyCode::Tab
            | KeyCode::BackTab
            | KeyCode::Left
            | KeyCode::Right
            | KeyCode::Char('h')
            | KeyCode::Char('l') => {
                c.confirm_focused = !c.confirm_focused;
                self.mode = Mode::Confirm(c);
                vec![]
            }
            _ => vec![],
        }
    }
}
