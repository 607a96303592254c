//! Two panes side by side (`[console] split`, on by default) when the window is wide enough:
//! the focused pane, which every key acts on, and its companion, the pane the operator was on
//! before (so `1` then `3` shows Orders | Queues). The pane left keeps its place: a new pane
//! takes the companion's, so the eyes never have to find the pane they were on. `w` (or
//! Ctrl-w) moves the focus between the two, and with one pane on screen goes back to the pane
//! before; `|` turns the second pane on and off. Below [`SPLIT_MIN_WIDTH`] columns the screen
//! is exactly the one-pane console.

use super::{Action, App, Mode, Pane, QUEUES};
use crate::console::data::Request;
pub use crate::console::ui::layout::SPLIT_MIN_WIDTH;

impl App {
    /// Whether the screen shows two panes now: split view on, a window wide enough, and a
    /// companion that is not the focused pane (tests set `pane` by hand).
    pub fn split_active(&self) -> bool {
        self.split && self.width >= SPLIT_MIN_WIDTH && self.companion != self.pane
    }

    /// The panes on screen, left then right, when two are.
    pub fn split_panes(&self) -> Option<(Pane, Pane)> {
        if !self.split_active() {
            return None;
        }
        Some(if self.focus_left {
            (self.pane, self.companion)
        } else {
            (self.companion, self.pane)
        })
    }

    /// Focus goes to `p` (pane keys, Tab, the filter, a queue opened, a click). The companion
    /// becomes the pane left; in split view the new pane takes the companion's place and the
    /// pane left keeps its own, and when `p` is the companion only the focus moves.
    pub(super) fn show_pane(&mut self, p: Pane) {
        if p == self.pane {
            return;
        }
        // An error is about what the pane left showed: it goes with it (an order's refusal
        // must not stand over another pane for the rest of its time).
        if self.toast.as_ref().is_some_and(|t| t.error) {
            self.toast = None;
        }
        // Either way the focused pane changes sides: to the companion's place.
        self.companion = self.pane;
        self.pane = p;
        self.focus_left = !self.focus_left;
    }

    /// `w` / Ctrl-w: the other pane of the two gets the keys; with one pane on screen, the
    /// pane before comes back (the companion is remembered even when it is not shown).
    pub(super) fn other_pane(&mut self) -> Vec<Action> {
        let other = self.companion;
        if other == self.pane {
            return vec![];
        }
        self.show_pane(other);
        self.mode = Mode::Normal;
        vec![Action::Refresh]
    }

    /// `|`: two panes or one. In a window too narrow for two, the choice is kept for when it
    /// widens, and a toast says so.
    pub(super) fn toggle_split(&mut self) -> Vec<Action> {
        self.split = !self.split;
        // The list windows lose (or get back) the rows the panes' borders take.
        self.resize(self.width, self.height);
        if self.width < SPLIT_MIN_WIDTH {
            let what = if self.split {
                format!(
                    "two panes: on, shown when the window is {SPLIT_MIN_WIDTH} columns or wider (now {})",
                    self.width
                )
            } else {
                "two panes: off".to_string()
            };
            self.set_toast(what, false);
        }
        vec![Action::Refresh]
    }

    /// What the companion pane needs read, when it is on screen: its own window (from its
    /// list's first row, a page long), under the Orders view's filter and sort. Never the
    /// detail: that is the focused pane's.
    pub fn companion_request(&self) -> Option<Request> {
        if !self.split_active() {
            return None;
        }
        let pane = self.companion;
        let queue = QUEUES
            .get(self.lists[Pane::Queues.index()].selected)
            .copied();
        Some(Request {
            pane,
            filter: self.filter.clone(),
            stock_filter: self.stock_filter.clone(),
            top: self.lists[pane.index()].top,
            limit: self.page.max(1),
            sort: self.sort,
            queue,
            location: self.queues_location(),
            detail: None,
            anchor: self.anchor(pane),
        })
    }
}
