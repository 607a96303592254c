//! The split view's second read: the companion pane's window, read through the client as the
//! focused pane's is (`data::load` on the blocking pool, one read in flight, data changes
//! coalesced to one read per [`COALESCE`]), so that both panes are live and neither waits for
//! the other. The event loop keeps the focused pane's read as it always has; [`Side`] adds the
//! companion's beside it, and hands each read that comes back to the pane that shows it (the
//! focus may have moved while it ran).

use tokio::sync::mpsc;
use tokio::time::{Duration, Instant};

use super::app::{App, Pane};
use super::data::{self, Data, Request};
use super::{CHANNELS_TICK, COALESCE};
use crate::client::Client;

/// A companion read that came back: what was asked, and what was read.
pub(super) type SideRead = (Request, Data);

/// The companion pane's reads.
pub(super) struct Side {
    /// Its last read (of whichever pane was the companion then).
    pub data: Data,
    in_flight: bool,
    /// A read is due at this time (the view changed, the data changed).
    due: Option<Instant>,
    last: Instant,
    /// The request of the read in flight or last done: another one is due when the companion
    /// asks for something else (scrolled, another pane, the filter changed).
    asked: Option<Request>,
    tx: mpsc::Sender<SideRead>,
}

impl Side {
    pub fn new(app: &App) -> (Side, mpsc::Receiver<SideRead>) {
        let (tx, rx) = mpsc::channel(2);
        let side = Side {
            data: Data::empty(app.companion),
            in_flight: false,
            due: None,
            last: Instant::now() - COALESCE,
            asked: None,
            tx,
        };
        (side, rx)
    }

    /// The companion's read as the screen draws it: only while two panes are on screen.
    pub fn shown(&self, app: &App) -> Option<&Data> {
        app.split_panes().map(|_| &self.data)
    }

    /// Called on each turn of the loop: a read is due when the companion on screen asks for
    /// another window than the last one read. With one pane on screen nothing is read, and the
    /// next companion is read afresh.
    pub fn follow(&mut self, app: &App) {
        let want = app.companion_request();
        if want.is_none() {
            self.asked = None;
            self.due = None;
            return;
        }
        let same = match (&want, &self.asked) {
            (Some(w), Some(a)) => w.same_view(a),
            _ => false,
        };
        if !same && self.due.is_none() {
            self.due = Some(Instant::now());
        }
    }

    /// The data changed (a ledger change, a command's reply): read again, at most once per
    /// [`COALESCE`].
    pub fn changed(&mut self, app: &App) {
        if app.split_panes().is_none() {
            return;
        }
        let at = (self.last + COALESCE).max(Instant::now());
        self.due = Some(self.due.map_or(at, |d| d.min(at)));
    }

    /// Read now (a resize, back from Ctrl-Z).
    pub fn now(&mut self, app: &App) {
        if app.split_panes().is_some() {
            self.due = Some(Instant::now());
        }
    }

    /// Starts the due read, unless one is running.
    pub fn start(&mut self, app: &App, client: &Client) {
        if self.in_flight || self.due.is_none_or(|at| at > Instant::now()) {
            return;
        }
        self.due = None;
        let Some(req) = app.companion_request() else {
            return;
        };
        self.in_flight = true;
        self.last = Instant::now();
        self.asked = Some(req.clone());
        let client = client.clone();
        let tx = self.tx.clone();
        tokio::task::spawn_blocking(move || {
            let d = data::load(&client, &req);
            let _ = tx.blocking_send((req, d));
        });
    }

    /// When the loop must wake for the companion: its due read, or while it shows channel
    /// health (which changes by itself, as the Channels pane's does when focused) the next
    /// second's read. Far away otherwise: a still screen wakes nothing.
    pub fn wake_at(&self, app: &App) -> Instant {
        match self.due {
            Some(at) if !self.in_flight => at,
            None if !self.in_flight && self.shows_channels(app) => self.last + CHANNELS_TICK,
            _ => Instant::now() + Duration::from_secs(3600),
        }
    }

    /// The loop woke at [`Side::wake_at`]: the channels' second is up (a due read starts at
    /// the top of the loop anyway).
    pub fn woke(&mut self, app: &App) {
        if self.due.is_none() && self.shows_channels(app) {
            self.due = Some(Instant::now());
        }
    }

    fn shows_channels(&self, app: &App) -> bool {
        app.split_panes().is_some()
            && app.companion == Pane::Channels
            && self.data.pane == Pane::Channels
            && !self.data.channels.is_empty()
    }

    /// A companion read came back. (A read of a window the companion has left since is
    /// followed by one of the current window: [`Side::follow`] saw the request change.)
    pub fn arrived(&mut self) {
        self.in_flight = false;
    }

    /// Keeps a read `d` (of either slot) where the screen looks for it: the focused pane's in
    /// `focused`, the companion's here. The focus may have moved while it was read, so it goes
    /// by the pane it is of; a read of neither pane replaces the focused one, as with one pane.
    pub fn store(&mut self, app: &App, focused: &mut Data, d: Data) {
        if d.pane != app.pane && app.split_panes().is_some() && d.pane == app.companion {
            self.data = d;
        } else {
            *focused = d;
        }
    }

    /// The focus moved to the other pane: the two reads change places, so that neither pane
    /// shows "loading…" until it is read again.
    pub fn settle(&mut self, app: &App, focused: &mut Data) {
        if focused.pane != app.pane && self.data.pane == app.pane {
            std::mem::swap(focused, &mut self.data);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(pane: Pane) -> Data {
        let mut d = Data::empty(pane);
        d.loaded = true;
        d
    }

    /// Orders | Queues at 200x50, the keys on Queues.
    fn split() -> App {
        let mut a = App::new("t", "ana", true);
        a.resize(200, 50);
        a.pane = Pane::Queues;
        a.companion = Pane::Orders;
        a
    }

    #[test]
    fn reads_go_to_the_pane_that_shows_them_and_change_places_with_the_focus() {
        let a = split();
        let (mut side, _rx) = Side::new(&a);
        let mut focused = read(Pane::Queues);
        side.store(&a, &mut focused, read(Pane::Orders));
        assert_eq!((focused.pane, side.data.pane), (Pane::Queues, Pane::Orders));
        // The focus moved to Orders: the two reads change places, no pane is left empty.
        let mut b = split();
        b.pane = Pane::Orders;
        b.companion = Pane::Queues;
        side.settle(&b, &mut focused);
        assert_eq!((focused.pane, side.data.pane), (Pane::Orders, Pane::Queues));
        assert_eq!(side.shown(&b).map(|d| d.pane), Some(Pane::Queues));
        // A read of neither pane replaces the focused one (it is drawn as "loading…").
        side.store(&b, &mut focused, read(Pane::Rules));
        assert_eq!((focused.pane, side.data.pane), (Pane::Rules, Pane::Queues));
        // With one pane on screen, every read is the focused pane's, and nothing is shown
        // beside it.
        let mut one = split();
        one.resize(120, 50);
        let mut focused = read(Pane::Queues);
        side.store(&one, &mut focused, read(Pane::Orders));
        assert_eq!(focused.pane, Pane::Orders);
        assert!(side.shown(&one).is_none());
    }

    #[tokio::test]
    async fn a_read_is_due_when_the_companion_asks_for_another_window_and_only_then() {
        let mut a = split();
        let (mut side, _rx) = Side::new(&a);
        side.follow(&a);
        assert!(side.due.is_some(), "the first read");
        // As if it ran: the same request again asks for nothing.
        side.due = None;
        side.asked = a.companion_request();
        side.follow(&a);
        assert!(side.due.is_none());
        let far = Instant::now() + Duration::from_secs(60);
        assert!(side.wake_at(&a) > far, "a still screen wakes nothing");
        // Scrolled: due.
        a.lists[Pane::Orders.index()].top = 18;
        side.follow(&a);
        assert!(side.due.is_some());
        // One pane: nothing due, and the next companion is read afresh.
        a.resize(100, 50);
        side.follow(&a);
        assert!(side.due.is_none() && side.asked.is_none());
        side.changed(&a);
        assert!(
            side.due.is_none(),
            "no companion on screen, nothing to read"
        );
    }

    #[tokio::test]
    async fn data_changes_are_coalesced() {
        let a = split();
        let (mut side, _rx) = Side::new(&a);
        side.last = Instant::now();
        side.changed(&a);
        let due = side.due.expect("due");
        assert!(
            due >= side.last + COALESCE,
            "at most one read per {COALESCE:?}"
        );
        side.changed(&a);
        assert_eq!(side.due, Some(due), "a second change is the same read");
    }

    #[tokio::test]
    async fn the_companion_channels_are_read_every_second() {
        let mut a = split();
        a.companion = Pane::Channels;
        let (mut side, _rx) = Side::new(&a);
        side.last = Instant::now();
        side.data = read(Pane::Channels);
        let far = Instant::now() + Duration::from_secs(60);
        assert!(side.wake_at(&a) > far, "no channels: no tick");
        side.data.channels = vec![crate::model::ChannelHealth::default()];
        assert_eq!(side.wake_at(&a), side.last + CHANNELS_TICK);
        side.woke(&a);
        assert!(side.due.is_some());
    }
}
