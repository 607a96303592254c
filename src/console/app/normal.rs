//! What a keymap command does in the lists and the detail view: movement, panes, opening,
//! and the `/` filter (applied as you type).

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::{Action, AdjustForm, App, Cmd, Mode, Pane, Picker, ShipForm, QUEUES};
use crate::console::filter::Filter;

impl App {
    pub(super) fn run(&mut self, cmd: Cmd) -> Vec<Action> {
        let in_detail = matches!(self.mode, Mode::Detail);
        let page = self.page.max(1);
        match cmd {
            Cmd::Quit => return vec![Action::Quit],
            Cmd::Suspend => return vec![Action::Suspend],
            Cmd::Help => self.mode = Mode::Help,
            Cmd::Down | Cmd::Up | Cmd::Top | Cmd::Bottom if in_detail => {
                self.detail_scroll = match cmd {
                    Cmd::Down => self.detail_scroll.saturating_add(1),
                    Cmd::Up => self.detail_scroll.saturating_sub(1),
                    Cmd::Top => 0,
                    _ => u16::MAX / 2,
                };
            }
            Cmd::PageDown | Cmd::HalfDown if in_detail => {
                self.detail_scroll = self.detail_scroll.saturating_add(page as u16 / 2)
            }
            Cmd::PageUp | Cmd::HalfUp if in_detail => {
                self.detail_scroll = self.detail_scroll.saturating_sub(page as u16 / 2)
            }
            Cmd::Down => return self.move_by(1),
            Cmd::Up => return self.move_by(-1),
            Cmd::PageDown => return self.move_by(page as i64),
            Cmd::PageUp => return self.move_by(-(page as i64)),
            Cmd::HalfDown => return self.move_by((page / 2).max(1) as i64),
            Cmd::HalfUp => return self.move_by(-((page / 2).max(1) as i64)),
            Cmd::Top => return self.move_to(0),
            Cmd::Bottom => {
                let l = self.list();
                let last = match l.total {
                    Some(t) => t.saturating_sub(1),
                    // Unknown length: the end of what was read, then a page further.
                    None if l.more => l.known.max(l.selected + page),
                    None => l.known.saturating_sub(1),
                };
                return self.move_to(last);
            }
            Cmd::NextPane | Cmd::PrevPane | Cmd::Pane(_) => {
                let i = match cmd {
                    Cmd::NextPane => (self.pane.index() + 1) % 6,
                    Cmd::PrevPane => (self.pane.index() + 5) % 6,
                    Cmd::Pane(i) => i,
                    _ => 0,
                };
                self.show_pane(Pane::ALL[i.min(5)]);
                self.mode = Mode::Normal;
                return vec![Action::Refresh];
            }
            Cmd::OtherPane => return self.other_pane(),
            Cmd::SplitView => return self.toggle_split(),
            Cmd::Open => {
                if self.pane == Pane::Queues && !in_detail {
                    let status = QUEUES.get(self.list().selected).copied();
                    let location = self.queues_location();
                    self.show_pane(Pane::Orders);
                    self.filter_input = match (status, location) {
                        (Some(s), _) => format!("status:{s}"),
                        (None, Some(loc)) => format!("loc:{loc}"),
                        (None, None) => String::new(),
                    };
                    return self.apply_filter();
                }
                if let Some(id) = self.target() {
                    return self.open_detail(id);
                }
                // The rows on screen are of a view being replaced (a filter just typed): open
                // the selected order once the current view's rows are read.
                if self.pane == Pane::Orders && !in_detail {
                    if self.orders_loading() {
                        self.pending_open = true;
                    } else {
                        self.set_toast("no order to open: the list is empty here", true);
                    }
                }
            }
            Cmd::Back => {
                if in_detail {
                    self.mode = Mode::Normal;
                    return vec![Action::Refresh];
                }
                if !self.marks.is_empty() {
                    self.marks.clear();
                    return vec![];
                }
                // In Inventory, its own filter first.
                if self.pane == Pane::Inventory && !self.stock_filter_input.is_empty() {
                    self.stock_filter_input.clear();
                    return self.apply_stock_filter();
                }
                if !self.filter_input.is_empty() {
                    self.filter_input.clear();
                    return self.apply_filter();
                }
            }
            Cmd::Filter => {
                if in_detail {
                    self.show_pane(Pane::Orders);
                }
                // Inventory filters its stock records; every other pane, the orders.
                self.filter_pane = if self.pane == Pane::Inventory {
                    Pane::Inventory
                } else {
                    Pane::Orders
                };
                self.mode = Mode::Filter;
            }
            Cmd::CommandLine => {
                self.from_detail = in_detail;
                self.command_input.clear();
                self.history_pos = None;
                self.mode = Mode::Command;
            }
            Cmd::Hold => return self.hold("held from the console".into()),
            Cmd::Release => return self.release(),
            Cmd::Cancel => {
                self.from_detail = in_detail;
                self.ask_cancel("cancelled from the console".into())
            }
            Cmd::Mark => {
                if in_detail || self.pane != Pane::Orders {
                    self.set_toast("marks are for the Orders pane", true);
                } else if let Some(id) = self.target() {
                    if !self.marks.remove(&id) {
                        self.marks.insert(id);
                    }
                } else {
                    return self.no_target();
                }
            }
            Cmd::Reroute => {
                let Some(id) = self.target() else {
                    return self.no_target();
                };
                self.from_detail = in_detail;
                self.picker = Some(Picker {
                    id,
                    options: None,
                    selected: 0,
                });
                self.mode = Mode::Reroute;
                return vec![Action::LoadReroute(id)];
            }
            Cmd::Ship => {
                let Some(id) = self.target() else {
                    return self.no_target();
                };
                // A closed order cannot ship: say so now, in the ledger's words, rather than
                // after both fields are typed.
                if let Some(status) = self.status_of(id).filter(|s| !s.is_open()) {
                    let refusal = crate::ledger::LedgerError::NotAllowed {
                        id,
                        status,
                        why: "only open orders can ship".into(),
                    };
                    self.set_toast(refusal.to_string(), true);
                    return vec![];
                }
                self.from_detail = in_detail;
                self.mode = Mode::Ship(ShipForm {
                    id,
                    ..ShipForm::default()
                });
            }
            Cmd::Adjust => {
                let l = &self.lists[Pane::Inventory.index()];
                let row = l
                    .selected
                    .checked_sub(l.read_top)
                    .and_then(|i| l.stock.get(i));
                match row {
                    Some((key, on_hand)) if self.pane == Pane::Inventory && !in_detail => {
                        self.from_detail = false;
                        self.mode = Mode::Adjust(AdjustForm {
                            key: key.clone(),
                            current: *on_hand,
                            input: String::new(),
                        });
                    }
                    _ => self.set_toast("select a stock record first (Inventory pane)", true),
                }
            }
            Cmd::Copy => match self.target() {
                Some(id) => {
                    self.set_toast(format!("copied {id}"), false);
                    return vec![Action::Copy(id.to_string())];
                }
                None => return self.no_target(),
            },
            Cmd::Sort => {
                if in_detail || self.pane != Pane::Orders {
                    let key = super::first_key(&self.keymap, Cmd::Sort).unwrap_or("sort");
                    self.set_toast(format!("{key} sorts the Orders pane"), true);
                } else {
                    // Several presses before the window is read again: still the first order.
                    let follow = self.target().or(self.lists[Pane::Orders.index()].follow);
                    self.sort = self.sort.next();
                    let l = &mut self.lists[Pane::Orders.index()];
                    l.stale = true;
                    l.follow = follow;
                    return vec![Action::Refresh];
                }
            }
            Cmd::PauseChannel => return self.channel_key(true),
            Cmd::PollChannel => return self.channel_key(false),
            Cmd::Refresh => return vec![Action::Refresh],
        }
        vec![]
    }

    pub(super) fn move_by(&mut self, delta: i64) -> Vec<Action> {
        let sel = self.list().selected as i64 + delta;
        self.move_to(sel.max(0) as usize)
    }

    pub(super) fn move_to(&mut self, row: usize) -> Vec<Action> {
        let page = self.page.max(1);
        let l = self.list_mut();
        let row = row.min(l.last());
        l.selected = row;
        let old_top = l.top;
        if row < l.top {
            l.top = row;
        } else if row >= l.top + page {
            l.top = row + 1 - page;
        }
        if l.top != old_top || self.pane == Pane::Queues {
            vec![Action::Refresh]
        } else {
            vec![]
        }
    }

    fn apply_filter(&mut self) -> Vec<Action> {
        let filter = Filter::parse(&self.filter_input);
        let l = &mut self.lists[Pane::Orders.index()];
        // Another filter: the rows read are not this view's until its read comes back.
        if filter != self.filter {
            l.stale = true;
            // Another filter starts at its first row.
            l.follow = None;
        }
        self.filter = filter;
        l.selected = 0;
        l.top = 0;
        vec![Action::Refresh]
    }

    /// The Inventory's filter changed: its first row, and no stock record to act on (`a`)
    /// until the read of the new view is back (the rows on screen are of the old one).
    pub(super) fn apply_stock_filter(&mut self) -> Vec<Action> {
        let filter = crate::client::StockFilter::parse(&self.stock_filter_input);
        let l = &mut self.lists[Pane::Inventory.index()];
        if filter != self.stock_filter {
            l.stock.clear();
            l.reserved.clear();
        }
        self.stock_filter = filter;
        l.selected = 0;
        l.top = 0;
        vec![Action::Refresh]
    }

    pub(super) fn filter_key(&mut self, key: KeyEvent) -> Vec<Action> {
        let stock = self.filter_pane == Pane::Inventory;
        let input = if stock {
            &mut self.stock_filter_input
        } else {
            &mut self.filter_input
        };
        let edited = match key.code {
            KeyCode::Esc => {
                self.mode = Mode::Normal;
                input.clear();
                true
            }
            KeyCode::Enter => {
                self.mode = Mode::Normal;
                let unknown = if stock {
                    &self.stock_filter.unknown
                } else {
                    &self.filter.unknown
                };
                if !unknown.is_empty() {
                    let unknown = unknown.join(" ");
                    self.set_toast(format!("ignored filter terms: {unknown}"), true);
                }
                false
            }
            KeyCode::Backspace => {
                input.pop();
                true
            }
            KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                input.clear();
                true
            }
            KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
                input.push(c);
                if !stock {
                    self.show_pane(Pane::Orders);
                }
                true
            }
            _ => false,
        };
        match (edited, stock) {
            (false, _) => vec![],
            (true, true) => self.apply_stock_filter(),
            (true, false) => self.apply_filter(),
        }
    }
}
