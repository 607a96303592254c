//! The console's state and key handling. No I/O here: [`App::handle_key`] turns a key into
//! state changes and [`Action`]s that the event loop carries out (fetch, submit, quit).
//!
//! Split by what a key is doing: `keymap` binds keys to [`Cmd`]s and builds the help,
//! `normal` runs those commands (movement, panes, the `/` filter), `command_line` is the `:`
//! line, `marks` turns a row action into one command or one per marked order, `dialogs`
//! holds the confirmations, the re-route picker and the ship and stock inputs, and `channels`
//! the Channels pane's pause / resume / poll now, and `reads` the request for the screen and
//! what a read that came back teaches the lists. This file keeps the state and the dispatch
//! on the mode.

mod channels;
mod command_line;
mod dialogs;
mod keymap;
mod marks;
mod mouse;
mod normal;
mod reads;
mod split;

use std::collections::BTreeSet;

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::filter::Filter;
use crate::client::{ChannelControl, StockFilter};
use crate::ledger::Command;
use crate::model::{Actor, OrderId, OrderStatus, StockKey};
use keymap::mods_match;

// The pieces live in the submodules; callers keep naming them `console::app::X`.
pub use channels::{control_verb, describe_control};
pub use command_line::{complete, COMMANDS};
pub use dialogs::{AdjustForm, Confirm, Picker, ShipForm};
pub use keymap::{
    default_dialog_keys, default_keymap, dialog_keys_with, first_key, help_lines, keymap_with,
    parse_key, Binding, Cmd, DialogCmd,
};
pub use mouse::{Click, DOUBLE_CLICK, WHEEL_ROWS};
pub use split::SPLIT_MIN_WIDTH;

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

/// How the Orders pane orders the rows on screen (`S` cycles). `Index` is the store's order:
/// by ordo id, the order ordo took the orders in, latest first (not the channel's created
/// time: a backlog or a late sync lists an older order above a newer one); the others sort the
/// visible window only.
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
            Sort::Index => "latest received first",
            Sort::Id => "id ↑",
            Sort::Age => "age, oldest first",
            Sort::Total => "total, highest first",
            Sort::Status => "status",
        }
    }
}

#[derive(Debug, Clone)]
pub enum Mode {
    Normal,
    /// Typing a `/` filter (applied as you type): the Orders filter, or the Inventory's when
    /// [`App::filter_pane`] says so.
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
    /// Ctrl-Z: give the terminal back and stop the process (SIGTSTP) until `fg`.
    Suspend,
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
    /// Ask a channel's poller to pause, resume or poll now; a toast tells the answer.
    ControlChannel {
        id: String,
        control: ChannelControl,
    },
}

/// A scrolling list: the selected row, the first row on screen, and what the last read said.
#[derive(Debug, Clone, Default)]
pub struct ListState {
    pub selected: usize,
    pub top: usize,
    /// Ids of the orders in the window (Orders pane), for actions on the selected row.
    pub ids: Vec<OrderId>,
    /// The row `ids` (and `stock`) start at: the `top` of the read they came from, which lags
    /// behind `top` while the read of a moved window is on its way.
    pub read_top: usize,
    /// Orders pane: `ids` are of a view the operator has left (another filter or sort) and the
    /// read of the current one has not come back yet; no row can be acted on until it has.
    pub stale: bool,
    /// Orders pane: the order the cursor was on when the sort changed; the cursor follows it
    /// into the re-sorted window when that arrives.
    pub follow: Option<OrderId>,
    /// Rows known to exist: `top` plus the rows read.
    pub known: usize,
    pub more: bool,
    /// The list's length when it is known (from the counters).
    pub total: Option<usize>,
    /// The stock records in the window (Inventory pane) with their on-hand counts.
    pub stock: Vec<(StockKey, i64)>,
    /// The units reserved in each of `stock`'s records (same order), for the stock
    /// confirmation's warning.
    pub reserved: Vec<i64>,
    /// The status of each order in `ids` (Orders pane), so that `s` refuses a closed order
    /// at once.
    pub statuses: Vec<OrderStatus>,
    /// Every channel (Channels pane, from row 0) with its `paused` flag.
    pub channels: Vec<(String, bool)>,
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
    /// The colours (`[console] theme`); NO_COLOR wins over any palette.
    pub palette: crate::console::ui::Palette,
    /// Where times are shown (`[console] timezone`); UTC until the event loop sets it, so
    /// that tests draw the same screens on any machine.
    pub zone: crate::console::zone::Zone,
    /// The focused pane: the one keys act on.
    pub pane: Pane,
    /// Split view (`[console] split`, `|`): two panes side by side when the window is wide
    /// enough ([`SPLIT_MIN_WIDTH`]).
    pub split: bool,
    /// The second pane of a split view: the pane the operator was on before (remembered with
    /// one pane on screen too, for `w` and for when the window widens).
    pub companion: Pane,
    /// In split view, whether the focused pane is the left one.
    pub focus_left: bool,
    pub mode: Mode,
    pub lists: [ListState; 6],
    /// The filter as typed, and as applied.
    pub filter_input: String,
    pub filter: Filter,
    /// The Inventory pane's own `/` filter (stock records by SKU, location, available), as
    /// typed and as applied.
    pub stock_filter_input: String,
    pub stock_filter: StockFilter,
    /// The list the `/` line filters while [`Mode::Filter`] is on: Inventory when `/` was
    /// pressed there, else Orders (from every other pane, as before).
    pub filter_pane: Pane,
    pub command_input: String,
    /// What the last Tab on the `:` line could complete to (shown after the line).
    pub completions: Vec<String>,
    /// The configured locations' ids and the channels' ids, as last read (for Tab).
    pub locations: Vec<String>,
    pub channel_ids: Vec<String>,
    pub history: Vec<String>,
    history_pos: Option<usize>,
    pub detail: Option<OrderId>,
    pub detail_scroll: u16,
    /// The status of the order whose detail was last read.
    pub detail_status: Option<(OrderId, OrderStatus)>,
    /// How far the `?` help is scrolled (it is longer than 80x24).
    pub help_scroll: u16,
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
    /// The confirmation's own keys (`[console.keys]` confirm_yes / confirm_no).
    pub dialog_keys: Vec<Binding<DialogCmd>>,
    /// The last click on a list row (a second one soon on the same row opens it).
    pub last_click: Option<Click>,
    /// Enter came while the Orders list was being read (a filter just typed): the selected
    /// order opens when the read of the current view arrives, unless another key came first.
    pub pending_open: bool,
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
            palette: Default::default(),
            zone: crate::console::zone::Zone::UTC,
            pane: Pane::Orders,
            split: true,
            // Nothing was before the first pane: the audit trail beside the orders shows
            // what just happened to them.
            companion: Pane::Events,
            focus_left: true,
            mode: Mode::Normal,
            lists,
            filter_input: String::new(),
            filter: Filter::default(),
            stock_filter_input: String::new(),
            stock_filter: StockFilter::default(),
            filter_pane: Pane::Orders,
            command_input: String::new(),
            completions: Vec::new(),
            locations: Vec::new(),
            channel_ids: Vec::new(),
            history: Vec::new(),
            history_pos: None,
            detail: None,
            detail_scroll: 0,
            detail_status: None,
            help_scroll: 0,
            marks: BTreeSet::new(),
            sort: Sort::Index,
            picker: None,
            from_detail: false,
            toast: None,
            toast_seq: 0,
            keymap: default_keymap(),
            dialog_keys: default_dialog_keys(),
            last_click: None,
            pending_open: false,
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
        if self.split_active() {
            // The two panes' borders take a line above and below.
            self.page = super::ui::layout::split_list_rows(height);
        }
        for l in &mut self.lists {
            if l.selected >= l.top + self.page {
                l.top = l.selected + 1 - self.page;
            }
        }
    }

    /// What the `/` line holds while it is typed: the filter of [`App::filter_pane`].
    pub fn typed_filter(&self) -> &str {
        if self.filter_pane == Pane::Inventory {
            &self.stock_filter_input
        } else {
            &self.filter_input
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

    /// The toast's time is up: it goes, unless the status line shows what is being typed
    /// (the `/` filter, the `:` line), where it could not be read yet. Returns whether it went;
    /// if not, the caller times it out again (it used to be forgotten there, and stayed on
    /// screen for good once the typing was done).
    pub fn expire_toast(&mut self) -> bool {
        if matches!(self.mode, Mode::Filter | Mode::Command) {
            return false;
        }
        self.toast = None;
        true
    }

    fn no_target(&mut self) -> Vec<Action> {
        if self.pane == Pane::Orders && !matches!(self.mode, Mode::Detail) && self.orders_loading()
        {
            self.set_toast("the list is still being read: try again in a moment", true);
        } else {
            self.set_toast("select an order first (Orders pane or its detail)", true);
        }
        vec![]
    }

    /// Opens the detail of `id` over the current pane.
    fn open_detail(&mut self, id: OrderId) -> Vec<Action> {
        self.detail = Some(id);
        self.detail_scroll = 0;
        self.mode = Mode::Detail;
        vec![Action::OpenDetail(id)]
    }

    fn actor(&self) -> Actor {
        Actor::Operator(self.operator.clone())
    }

    pub fn handle_key(&mut self, key: KeyEvent) -> Vec<Action> {
        if key.kind == KeyEventKind::Release {
            return vec![];
        }
        // A waiting Enter is the operator's last word only until the next key.
        self.pending_open = false;
        if key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL) {
            return vec![Action::Quit];
        }
        // Ctrl-Z (or a Ctrl/Alt key `suspend` is remapped to) suspends in every mode, like a
        // shell job (raw mode turns off the tty's own).
        if self.keymap.iter().any(|b| {
            b.cmd == Cmd::Suspend
                && b.mods.intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
                && b.code == key.code
                && mods_match(b.mods, key.modifiers)
        }) {
            return self.run(Cmd::Suspend);
        }
        match self.mode.clone() {
            Mode::Filter => self.filter_key(key),
            Mode::Command => self.command_key(key),
            Mode::Confirm(c) => self.confirm_key(key, c),
            Mode::Reroute => self.picker_key(key),
            Mode::Ship(f) => self.ship_key(key, f),
            Mode::Adjust(f) => self.adjust_key(key, f),
            Mode::Help => self.help_key(key),
            Mode::Normal | Mode::Detail => match self.bound(key) {
                Some(cmd) => self.run(cmd),
                None => vec![],
            },
        }
    }

    /// The help scrolls with the moving keys (remapped or not, and the arrows and Page keys);
    /// quit quits; any other key closes it.
    fn help_key(&mut self, key: KeyEvent) -> Vec<Action> {
        let max = crate::console::ui::help_max_scroll(self);
        let page = self.page.max(1) as u16;
        let s = self.help_scroll.min(max);
        let cmd = match key.code {
            KeyCode::Down => Some(Cmd::Down),
            KeyCode::Up => Some(Cmd::Up),
            KeyCode::PageDown => Some(Cmd::PageDown),
            KeyCode::PageUp => Some(Cmd::PageUp),
            KeyCode::Home => Some(Cmd::Top),
            KeyCode::End => Some(Cmd::Bottom),
            _ => self.bound(key),
        };
        self.help_scroll = match cmd {
            Some(Cmd::Quit) => return vec![Action::Quit],
            Some(Cmd::Down) => s.saturating_add(1).min(max),
            Some(Cmd::Up) => s.saturating_sub(1),
            Some(Cmd::PageDown | Cmd::HalfDown) => s.saturating_add(page).min(max),
            Some(Cmd::PageUp | Cmd::HalfUp) => s.saturating_sub(page),
            Some(Cmd::Top) => 0,
            Some(Cmd::Bottom) => max,
            _ => {
                self.help_scroll = 0;
                self.mode = Mode::Normal;
                return vec![];
            }
        };
        vec![]
    }

    /// What the confirmation's keys make of `key`.
    fn dialog_bound(&self, key: KeyEvent) -> Option<DialogCmd> {
        self.dialog_keys
            .iter()
            .find(|b| b.code == key.code && mods_match(b.mods, key.modifiers))
            .map(|b| b.cmd)
    }

    /// The command the keymap binds `key` to.
    fn bound(&self, key: KeyEvent) -> Option<Cmd> {
        self.keymap
            .iter()
            .find(|b| b.code == key.code && mods_match(b.mods, key.modifiers))
            .map(|b| b.cmd)
    }
}
