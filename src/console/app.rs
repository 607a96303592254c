//! The console's state and key handling. No I/O here: [`App::handle_key`] turns a key into
//! state changes and [`Action`]s that the event loop carries out (fetch, submit, quit).

use std::collections::BTreeSet;

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::data::{Data, Request, RerouteOption};
use super::filter::Filter;
use crate::ledger::{Command, StockRow};
use crate::model::{Actor, OrderId, OrderStatus, StockKey};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Pane {
    Orders,
    Inventory,
    Queues,
    Channels,
    Rules,
    Events,
}

impl Pane {
    pub const ALL: [Pane; 6] = [
        Pane::Orders,
        Pane::Inventory,
        Pane::Queues,
        Pane::Channels,
        Pane::Rules,
        Pane::Events,
    ];

    pub fn index(self) -> usize {
        Pane::ALL.iter().position(|p| *p == self).unwrap_or(0)
    }

    pub fn title(self) -> &'static str {
        match self {
            Pane::Orders => "Orders",
            Pane::Inventory => "Inventory",
            Pane::Queues => "Queues",
            Pane::Channels => "Channels",
            Pane::Rules => "Rules",
            Pane::Events => "Events",
        }
    }
}

/// The queues the Queues pane lists, in that order.
pub const QUEUES: [OrderStatus; 6] = [
    OrderStatus::New,
    OrderStatus::Allocated,
    OrderStatus::PartiallyAllocated,
    OrderStatus::Backordered,
    OrderStatus::Held,
    OrderStatus::PartiallyShipped,
];

/// How the Orders pane orders the rows on screen (`S` cycles). `Index` is the store's order,
/// newest first; the others sort the visible window only.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Sort {
    #[default]
    Index,
    Id,
    Age,
    Total,
    Status,
}

impl Sort {
    pub fn next(self) -> Sort {
        match self {
            Sort::Index => Sort::Id,
            Sort::Id => Sort::Age,
            Sort::Age => Sort::Total,
            Sort::Total => Sort::Status,
            Sort::Status => Sort::Index,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Sort::Index => "newest first",
            Sort::Id => "id ↑",
            Sort::Age => "age, oldest first",
            Sort::Total => "total, highest first",
            Sort::Status => "status",
        }
    }
}

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

#[derive(Debug, Clone)]
pub enum Mode {
    Normal,
    /// Typing a `/` filter (applied as you type).
    Filter,
    /// Typing a `:` command.
    Command,
    Confirm(Confirm),
    Detail,
    Help,
    /// The re-route picker (its state is [`App::picker`]).
    Reroute,
    Ship(ShipForm),
    Adjust(AdjustForm),
}

/// What the event loop must do after a key.
#[derive(Debug, Clone)]
pub enum Action {
    Quit,
    /// The view changed (pane, window, filter): read it again.
    Refresh,
    /// Read this order's detail (history, decision).
    OpenDetail(OrderId),
    Submit(Command),
    /// Several commands (marked orders); one toast sums up the replies, e.g. "3 orders held".
    SubmitBatch {
        commands: Vec<Command>,
        /// The past participle for the summary ("held").
        verb: &'static str,
    },
    /// Read the re-route options of this order into the picker.
    LoadReroute(OrderId),
    /// Put this text on the clipboard (OSC 52).
    Copy(String),
}

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
    Refresh,
    Help,
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
            Cmd::Refresh => "read the screen again",
            Cmd::Help => "this help",
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
        (Char('l'), ctrl, "Ctrl-l", Cmd::Refresh),
        (Char('?'), none, "?", Cmd::Help),
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

/// A scrolling list: the selected row, the first row on screen, and what the last read said.
#[derive(Debug, Clone, Default)]
pub struct ListState {
    pub selected: usize,
    pub top: usize,
    /// Ids of the orders in the window (Orders pane), for actions on the selected row.
    pub ids: Vec<OrderId>,
    /// Rows known to exist: `top` plus the rows read.
    pub known: usize,
    pub more: bool,
    /// The list's length when it is known (from the counters).
    pub total: Option<usize>,
    /// The stock records in the window (Inventory pane) with their on-hand counts.
    pub stock: Vec<(StockKey, i64)>,
}

impl ListState {
    fn last(&self) -> usize {
        match self.total {
            Some(t) => t.saturating_sub(1),
            None if self.more => usize::MAX,
            None => self.known.saturating_sub(1),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Toast {
    pub text: String,
    pub error: bool,
}

pub struct App {
    pub title: String,
    pub operator: String,
    pub no_color: bool,
    pub pane: Pane,
    pub mode: Mode,
    pub lists: [ListState; 6],
    /// The filter as typed, and as applied.
    pub filter_input: String,
    pub filter: Filter,
    pub command_input: String,
    pub history: Vec<String>,
    history_pos: Option<usize>,
    pub detail: Option<OrderId>,
    pub detail_scroll: u16,
    /// Marked orders (Space); h, u and x apply to all of them when there are any.
    pub marks: BTreeSet<OrderId>,
    /// How the Orders pane sorts the rows on screen.
    pub sort: Sort,
    /// The re-route picker, while [`Mode::Reroute`] is on.
    pub picker: Option<Picker>,
    /// The command line or a dialog was opened from the detail view.
    from_detail: bool,
    pub toast: Option<Toast>,
    /// Bumped at each new toast, so the loop can time it out.
    pub toast_seq: u64,
    pub keymap: Vec<Binding>,
    /// Rows a list shows (the body less its column header).
    pub page: usize,
    pub width: u16,
    pub height: u16,
}

impl App {
    pub fn new(title: impl Into<String>, operator: impl Into<String>, no_color: bool) -> App {
        let mut lists: [ListState; 6] = Default::default();
        // The queues are a fixed list.
        lists[Pane::Queues.index()].total = Some(QUEUES.len());
        lists[Pane::Queues.index()].known = QUEUES.len();
        App {
            title: title.into(),
            operator: operator.into(),
            no_color,
            pane: Pane::Orders,
            mode: Mode::Normal,
            lists,
            filter_input: String::new(),
            filter: Filter::default(),
            command_input: String::new(),
            history: Vec::new(),
            history_pos: None,
            detail: None,
            detail_scroll: 0,
            marks: BTreeSet::new(),
            sort: Sort::Index,
            picker: None,
            from_detail: false,
            toast: None,
            toast_seq: 0,
            keymap: default_keymap(),
            page: 18,
            width: 80,
            height: 24,
        }
    }

    /// The terminal's size changed: the list windows follow.
    pub fn resize(&mut self, width: u16, height: u16) {
        self.width = width;
        self.height = height;
        self.page = super::ui::list_rows(height);
        for l in &mut self.lists {
            if l.selected >= l.top + self.page {
                l.top = l.selected + 1 - self.page;
            }
        }
    }

    pub fn list(&self) -> &ListState {
        &self.lists[self.pane.index()]
    }

    fn list_mut(&mut self) -> &mut ListState {
        &mut self.lists[self.pane.index()]
    }

    pub fn set_toast(&mut self, text: impl Into<String>, error: bool) {
        self.toast = Some(Toast {
            text: text.into(),
            error,
        });
        self.toast_seq += 1;
    }

    /// What the screen needs read now.
    pub fn request(&self) -> Request {
        let queue = QUEUES
            .get(self.lists[Pane::Queues.index()].selected)
            .copied();
        Request {
            pane: self.pane,
            filter: self.filter.clone(),
            top: self.list().top,
            limit: self.page.max(1),
            sort: self.sort,
            queue,
            detail: match self.mode {
                Mode::Detail => self.detail,
                _ => None,
            },
        }
    }

    /// A read came back: the lists learn their lengths and the ids on screen.
    pub fn sync(&mut self, data: &Data) {
        let i = data.pane.index();
        let l = &mut self.lists[i];
        l.known = data.top + data.rows;
        l.more = data.more;
        l.total = data.total;
        if data.pane == Pane::Orders {
            // Keep the selection on the same order when new ones arrive above it, so that a
            // key never acts on a row that moved under the cursor.
            let before = l
                .selected
                .checked_sub(l.top)
                .and_then(|i| l.ids.get(i).copied());
            l.ids = data.orders.iter().map(|o| o.id).collect();
            if data.top == l.top {
                if let Some(pos) = before.and_then(|id| l.ids.iter().position(|x| *x == id)) {
                    l.selected = l.top + pos;
                }
            }
        }
        if data.pane == Pane::Inventory {
            l.stock = data
                .stock
                .iter()
                .map(|s| (s.key.clone(), s.level.on_hand))
                .collect();
        }
        let last = l.last();
        if l.selected > last && !l.more {
            l.selected = last;
        }
    }

    /// The order the row actions apply to: the open detail, else the selected row of Orders.
    pub fn target(&self) -> Option<OrderId> {
        match self.mode {
            Mode::Detail => self.detail,
            _ if self.pane == Pane::Orders => {
                let l = self.list();
                l.ids.get(l.selected.checked_sub(l.top)?).copied()
            }
            _ => None,
        }
    }

    fn actor(&self) -> Actor {
        Actor::Operator(self.operator.clone())
    }

    pub fn handle_key(&mut self, key: KeyEvent) -> Vec<Action> {
        if key.kind == KeyEventKind::Release {
            return vec![];
        }
        if key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL) {
            return vec![Action::Quit];
        }
        match self.mode.clone() {
            Mode::Filter => self.filter_key(key),
            Mode::Command => self.command_key(key),
            Mode::Confirm(c) => self.confirm_key(key, c),
            Mode::Reroute => self.picker_key(key),
            Mode::Ship(f) => self.ship_key(key, f),
            Mode::Adjust(f) => self.adjust_key(key, f),
            Mode::Help => {
                if matches!(key.code, KeyCode::Char('q')) {
                    return vec![Action::Quit];
                }
                self.mode = Mode::Normal;
                vec![]
            }
            Mode::Normal | Mode::Detail => {
                let cmd = self
                    .keymap
                    .iter()
                    .find(|b| b.code == key.code && mods_match(b.mods, key.modifiers))
                    .map(|b| b.cmd);
                match cmd {
                    Some(cmd) => self.run(cmd),
                    None => vec![],
                }
            }
        }
    }

    fn run(&mut self, cmd: Cmd) -> Vec<Action> {
        let in_detail = matches!(self.mode, Mode::Detail);
        let page = self.page.max(1);
        match cmd {
            Cmd::Quit => return vec![Action::Quit],
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
                self.pane = Pane::ALL[i.min(5)];
                self.mode = Mode::Normal;
                return vec![Action::Refresh];
            }
            Cmd::Open => {
                if self.pane == Pane::Queues && !in_detail {
                    let status = QUEUES.get(self.list().selected).copied();
                    self.pane = Pane::Orders;
                    self.filter_input = status.map(|s| format!("status:{s}")).unwrap_or_default();
                    return self.apply_filter();
                }
                if let Some(id) = self.target() {
                    self.detail = Some(id);
                    self.detail_scroll = 0;
                    self.mode = Mode::Detail;
                    return vec![Action::OpenDetail(id)];
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
                if !self.filter_input.is_empty() {
                    self.filter_input.clear();
                    return self.apply_filter();
                }
            }
            Cmd::Filter => {
                self.pane = if in_detail { Pane::Orders } else { self.pane };
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
                self.from_detail = in_detail;
                self.mode = Mode::Ship(ShipForm {
                    id,
                    ..ShipForm::default()
                });
            }
            Cmd::Adjust => {
                let l = &self.lists[Pane::Inventory.index()];
                let row = l.selected.checked_sub(l.top).and_then(|i| l.stock.get(i));
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
                    self.set_toast("S sorts the Orders pane", true);
                } else {
                    self.sort = self.sort.next();
                    return vec![Action::Refresh];
                }
            }
            Cmd::Refresh => return vec![Action::Refresh],
        }
        vec![]
    }

    fn move_by(&mut self, delta: i64) -> Vec<Action> {
        let sel = self.list().selected as i64 + delta;
        self.move_to(sel.max(0) as usize)
    }

    fn move_to(&mut self, row: usize) -> Vec<Action> {
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
        self.filter = Filter::parse(&self.filter_input);
        let l = &mut self.lists[Pane::Orders.index()];
        l.selected = 0;
        l.top = 0;
        vec![Action::Refresh]
    }

    fn filter_key(&mut self, key: KeyEvent) -> Vec<Action> {
        match key.code {
            KeyCode::Esc => {
                self.mode = Mode::Normal;
                self.filter_input.clear();
                self.apply_filter()
            }
            KeyCode::Enter => {
                self.mode = Mode::Normal;
                if !self.filter.unknown.is_empty() {
                    let unknown = self.filter.unknown.join(" ");
                    self.set_toast(format!("ignored filter terms: {unknown}"), true);
                }
                vec![]
            }
            KeyCode::Backspace => {
                self.filter_input.pop();
                self.apply_filter()
            }
            KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                self.filter_input.clear();
                self.apply_filter()
            }
            KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
                self.filter_input.push(c);
                if self.pane != Pane::Orders {
                    self.pane = Pane::Orders;
                }
                self.apply_filter()
            }
            _ => vec![],
        }
    }

    fn command_key(&mut self, key: KeyEvent) -> Vec<Action> {
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
                if let Some(done) = complete(&self.command_input) {
                    self.command_input = done;
                }
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
                    self.pane = Pane::Orders;
                    self.detail = Some(id);
                    self.detail_scroll = 0;
                    self.mode = Mode::Detail;
                    vec![Action::OpenDetail(id)]
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

    fn no_target(&mut self) -> Vec<Action> {
        self.set_toast("select an order first (Orders pane or its detail)", true);
        vec![]
    }

    /// The marked orders, when there are any and no detail is open (the marks are taken:
    /// a bulk action uses them up). `None`: act on [`App::target`].
    fn take_marks(&mut self) -> Option<Vec<OrderId>> {
        if self.marks.is_empty() || matches!(self.mode, Mode::Detail) {
            return None;
        }
        Some(std::mem::take(&mut self.marks).into_iter().collect())
    }

    /// One command for the target, or one per marked order.
    fn act(&mut self, verb: &'static str, make: impl Fn(OrderId) -> Command) -> Vec<Action> {
        if let Some(ids) = self.take_marks() {
            return vec![Action::SubmitBatch {
                commands: ids.into_iter().map(make).collect(),
                verb,
            }];
        }
        match self.target() {
            Some(id) => vec![Action::Submit(make(id))],
            None => self.no_target(),
        }
    }

    fn hold(&mut self, reason: String) -> Vec<Action> {
        let by = self.actor();
        self.act("held", |id| Command::Hold {
            id,
            reason: reason.clone(),
            by: by.clone(),
        })
    }

    fn release(&mut self) -> Vec<Action> {
        let by = self.actor();
        self.act("released", |id| Command::Release { id, by: by.clone() })
    }

    fn ask_cancel(&mut self, reason: String) {
        let by = self.actor();
        let make = |id| Command::Cancel {
            id,
            reason: reason.clone(),
            by: by.clone(),
        };
        let in_detail = matches!(self.mode, Mode::Detail);
        if !self.marks.is_empty() && !in_detail {
            let n = self.marks.len();
            let commands = self.marks.iter().map(|id| make(*id)).collect();
            self.mode = Mode::Confirm(Confirm {
                title: "Cancel orders".into(),
                message: format!(
                    "Cancel {n} marked order{}? Their reservations are released. This is final.",
                    if n == 1 { "" } else { "s" }
                ),
                confirm_label: format!("Cancel {n} order{}", if n == 1 { "" } else { "s" }),
                action: Action::SubmitBatch {
                    commands,
                    verb: "cancelled",
                },
                confirm_focused: false,
            });
            return;
        }
        let Some(id) = self.target() else {
            self.no_target();
            return;
        };
        self.mode = Mode::Confirm(Confirm {
            title: "Cancel order".into(),
            message: format!("Cancel order {id}? Its reservations are released. This is final."),
            confirm_label: "Cancel order".into(),
            action: Action::Submit(make(id)),
            confirm_focused: false,
        });
    }

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

    fn picker_key(&mut self, key: KeyEvent) -> Vec<Action> {
        let Some(mut p) = self.picker.take() else {
            self.mode = self.back_mode();
            return vec![];
        };
        let n = match &p.options {
            Some(Ok(o)) => o.len(),
            _ => 0,
        };
        match key.code {
            KeyCode::Esc | KeyCode::Char('q') => {
                self.mode = self.back_mode();
                return vec![];
            }
            KeyCode::Down | KeyCode::Char('j') if n > 0 => p.selected = (p.selected + 1).min(n - 1),
            KeyCode::Up | KeyCode::Char('k') => p.selected = p.selected.saturating_sub(1),
            KeyCode::Home | KeyCode::Char('g') => p.selected = 0,
            KeyCode::End | KeyCode::Char('G') => p.selected = n.saturating_sub(1),
            KeyCode::Enter => {
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

    fn ship_key(&mut self, key: KeyEvent, mut f: ShipForm) -> Vec<Action> {
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

    fn adjust_key(&mut self, key: KeyEvent, mut f: AdjustForm) -> Vec<Action> {
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

    fn ask_set_stock(&mut self, sku: &str, loc: &str, qty: i64) {
        self.mode = Mode::Confirm(Confirm {
            title: "Set stock".into(),
            message: format!("Set on hand of {sku} at {loc} to {qty}?"),
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
    fn back_mode(&self) -> Mode {
        if self.from_detail {
            Mode::Detail
        } else {
            Mode::Normal
        }
    }

    fn confirm_key(&mut self, key: KeyEvent, mut c: Confirm) -> Vec<Action> {
        let back = self.back_mode();
        match key.code {
            KeyCode::Char('y') => {
                self.mode = back;
                if matches!(c.action, Action::SubmitBatch { .. }) {
                    self.marks.clear();
                }
                vec![c.action]
            }
            KeyCode::Enter if c.confirm_focused => {
                self.mode = back;
                if matches!(c.action, Action::SubmitBatch { .. }) {
                    self.marks.clear();
                }
                vec![c.action]
            }
            KeyCode::Enter | KeyCode::Esc | KeyCode::Char('n') | KeyCode::Char('q') => {
                self.mode = back;
                vec![]
            }
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
fn mods_match(bound: KeyModifiers, got: KeyModifiers) -> bool {
    // Terminals differ on whether an upper-case letter carries SHIFT: ignore SHIFT.
    bound.difference(KeyModifiers::SHIFT) == got.difference(KeyModifiers::SHIFT)
}

/// The `:` commands, for Tab completion.
pub const COMMANDS: [&str; 10] = [
    "hold",
    "release",
    "cancel",
    "ship",
    "route",
    "goto",
    "stock set",
    "help",
    "quit",
    "q",
];

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
