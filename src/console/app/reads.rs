//! What the app learns from the reads: the request for the screen (with the Orders cursor's
//! anchor, so that the window follows its order when orders arrive above it), what a read that
//! came back teaches the lists, and the order a row action means.

use super::{Action, App, Mode, Pane, Sort, QUEUES};
use crate::console::data::{Data, Request};
use crate::model::{OrderId, OrderStatus};

impl App {
    /// What the screen needs read now.
    pub fn request(&self) -> Request {
        let queue = QUEUES
            .get(self.lists[Pane::Queues.index()].selected)
            .copied();
        Request {
            pane: self.pane,
            filter: self.filter.clone(),
            stock_filter: self.stock_filter.clone(),
            top: self.list().top,
            limit: self.page.max(1),
            sort: self.sort,
            queue,
            location: self.queues_location(),
            detail: match self.mode {
                Mode::Detail => self.detail,
                // A dialog or the `:` line over the detail: the detail stays drawn behind it.
                Mode::Reroute | Mode::Ship(_) | Mode::Confirm(_) | Mode::Command
                    if self.from_detail =>
                {
                    self.detail
                }
                _ => None,
            },
            anchor: self.anchor(self.pane),
        }
    }

    /// The location of the Queues pane's selected row, when it is one of the location rows
    /// (they follow the queues).
    pub fn queues_location(&self) -> Option<String> {
        let i = self.lists[Pane::Queues.index()]
            .selected
            .checked_sub(QUEUES.len())?;
        self.locations.get(i).cloned()
    }

    /// The order under the Orders cursor and its row in the window, for a read of `pane`.
    pub(crate) fn anchor(&self, pane: Pane) -> Option<(OrderId, usize)> {
        if pane != Pane::Orders {
            return None;
        }
        let l = &self.lists[Pane::Orders.index()];
        let id = self.orders_target()?;
        Some((id, l.selected.checked_sub(l.top)?))
    }

    /// A read came back: the lists learn their lengths and the ids on screen. A read of the
    /// Orders pane under another filter or sort than the current one (the operator typed on
    /// while it ran) teaches nothing: its rows are not the ones a key would mean.
    pub fn sync(&mut self, data: &Data) {
        if let Some(d) = &data.detail {
            self.detail_status = Some((d.order.id, d.order.status));
        }
        if !data.locations.is_empty() {
            self.locations = data.locations.iter().map(|l| l.id.clone()).collect();
        }
        if !data.channels.is_empty() {
            self.channel_ids = data.channels.iter().map(|c| c.id.clone()).collect();
        }
        if data.pane == Pane::Orders && (data.filter != self.filter || data.sort != self.sort) {
            return;
        }
        // Likewise the Inventory's rows under another filter: `a` would adjust another record.
        if data.pane == Pane::Inventory && data.stock_filter != self.stock_filter {
            return;
        }
        // The order under the cursor as last read (or before a re-sort), before the new ids
        // replace it.
        let before = self
            .orders_target()
            .or_else(|| self.lists[Pane::Orders.index()].follow.take());
        let i = data.pane.index();
        let l = &mut self.lists[i];
        l.known = data.top + data.rows;
        l.more = data.more;
        l.total = data.total;
        l.read_top = data.top;
        if data.pane == Pane::Orders {
            // Keep the selection on the same order when new ones arrive above it, so that a
            // key never acts on a row that moved under the cursor.
            l.ids = data.orders.iter().map(|o| o.id).collect();
            l.statuses = data.orders.iter().map(|o| o.status).collect();
            l.stale = false;
            let pos = before.and_then(|id| l.ids.iter().position(|x| *x == id));
            if data.top != data.asked_top
                && l.top == data.asked_top
                && before.is_some()
                && before == data.anchor
            {
                // The read moved the window with the cursor's order (orders arrived above
                // it): the window follows, the cursor stays on its order.
                if let Some(pos) = pos {
                    l.top = data.top;
                    l.selected = data.top + pos;
                }
            } else if data.top == l.top {
                if let Some(pos) = pos {
                    l.selected = l.top + pos;
                }
            }
        }
        if data.pane == Pane::Channels {
            l.channels = data
                .channels
                .iter()
                .map(|c| (c.id.clone(), c.paused))
                .collect();
        }
        if data.pane == Pane::Inventory {
            l.stock = data
                .stock
                .iter()
                .map(|s| (s.key.clone(), s.level.on_hand))
                .collect();
            l.reserved = data.stock.iter().map(|s| s.level.reserved).collect();
        }
        let last = l.last();
        if l.selected > last && !l.more {
            l.selected = last;
        }
    }

    /// A read came back (the event loop's side of [`App::sync`]): the lists learn what it
    /// says when it is of the pane on screen. An Enter that waited for the Orders list opens
    /// the selected order now, if this read is of the current view. Returns what to do next.
    pub fn arrived(&mut self, req: &Request, data: &Data) -> Vec<Action> {
        if req.pane != self.pane {
            // The companion's read (split view): its list learns its length and rows, so
            // that its keys act on what it shows once it has the focus.
            if self.split_active() && req.pane == self.companion {
                self.sync(data);
            }
            return vec![];
        }
        self.sync(data);
        if !self.pending_open || self.pane != Pane::Orders || !matches!(self.mode, Mode::Normal) {
            return vec![];
        }
        if self.orders_loading() {
            return vec![];
        }
        self.pending_open = false;
        match self.orders_target() {
            Some(id) => self.open_detail(id),
            None => {
                self.set_toast("no order to open: the list is empty here", true);
                vec![]
            }
        }
    }

    /// The order the row actions apply to: the open detail, else the selected row of Orders.
    pub fn target(&self) -> Option<OrderId> {
        match self.mode {
            Mode::Detail => self.detail,
            _ if self.pane == Pane::Orders => self.orders_target(),
            _ => None,
        }
    }

    /// The order at the Orders pane's selected row, from the last read of the current view
    /// (filter, sort); `None` while that read has not come back.
    pub(super) fn orders_target(&self) -> Option<OrderId> {
        let l = &self.lists[Pane::Orders.index()];
        // A sort other than the index's sorts the window it read: the same row of another
        // window may be another order.
        if l.stale || (self.sort != Sort::Index && l.read_top != l.top) {
            return None;
        }
        l.ids.get(l.selected.checked_sub(l.read_top)?).copied()
    }

    /// Whether the Orders list's selected row is still being read: the view changed (filter,
    /// sort) or the window moved past the rows read.
    pub fn orders_loading(&self) -> bool {
        let l = &self.lists[Pane::Orders.index()];
        l.stale || (self.orders_target().is_none() && l.read_top != l.top)
    }

    /// The status of `id` as last read (its detail, or its row in the Orders window).
    pub(super) fn status_of(&self, id: OrderId) -> Option<OrderStatus> {
        if let Some((d, st)) = self.detail_status {
            if d == id && matches!(self.mode, Mode::Detail) {
                return Some(st);
            }
        }
        let l = &self.lists[Pane::Orders.index()];
        let i = l.ids.iter().position(|x| *x == id)?;
        l.statuses.get(i).copied()
    }
}
