//! The client over the console socket of a running `ordo serve`.
//!
//! One background thread per connection ("ordo-remote") runs a small runtime of its own that
//! connects, says hello, writes requests, reads answers and changes, and reconnects with
//! backoff when the connection drops; so the client works the same from a plain thread, the
//! blocking pool or any runtime. Synchronous reads send a request and block on its answer
//! (the console calls them from the blocking pool); `submit` awaits it. Committed changes feed
//! a broadcast channel that outlives reconnects; an empty batch in it means "read again" (after
//! a reconnect, a lost connection, or a resync notice of the server).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::StreamExt;
use tokio::net::unix::OwnedWriteHalf;
use tokio::net::UnixStream;
use tokio::sync::{broadcast, mpsc, oneshot, watch};
use tokio_util::codec::{FramedRead, LengthDelimitedCodec};

use super::wire::{self, Answer, Call, HelloFrame, Request, ServerMsg, Welcome, WireError};
use super::Counters;
use crate::ledger::{ChangeBatch, RulesStatus};
use crate::model::{ChannelHealth, Location};

/// Connecting and the hello: a server that does not answer by then is not usable.
const OPEN_TIMEOUT: Duration = Duration::from_secs(10);
/// A read with no answer by then fails (the console shows it and reads again later).
const CALL_TIMEOUT: Duration = Duration::from_secs(60);
const MIN_BACKOFF: Duration = Duration::from_millis(200);
const MAX_BACKOFF: Duration = Duration::from_secs(5);
/// Changes waiting for a slow reader of [`Remote::subscribe`] before it lags.
const CHANGES_CAPACITY: usize = 1024;

type CallResult = Result<Answer, WireError>;

enum Pending {
    Blocking(std::sync::mpsc::SyncSender<CallResult>),
    Async(oneshot::Sender<CallResult>),
}

impl Pending {
    fn deliver(self, result: CallResult) {
        match self {
            Pending::Blocking(tx) => {
                let _ = tx.try_send(result);
            }
            Pending::Async(tx) => {
                let _ = tx.send(result);
            }
        }
    }
}

/// What the last good answers said, shown while the connection is down.
#[derive(Default)]
struct Last {
    error: Option<String>,
    counters: Counters,
    channels: Vec<ChannelHealth>,
    rules: Option<RulesStatus>,
}

struct Shared {
    socket: PathBuf,
    /// The connection's writer while connected.
    link: Mutex<Option<mpsc::UnboundedSender<Vec<u8>>>>,
    pending: Mutex<HashMap<u64, Pending>>,
    next_id: AtomicU64,
    changes: broadcast::Sender<ChangeBatch>,
    /// From the latest welcome: a server restarted with another config brings its own.
    locations: Mutex<Vec<Location>>,
    last: Mutex<Last>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic elsewhere while holding one of these leaves plain data behind: keep going.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Shared {
    fn label(&self) -> String {
        self.socket.display().to_string()
    }

    /// Tells subscribers to read everything again.
    fn nudge(&self) {
        let _ = self.changes.send(Arc::new(Vec::new()));
    }

    fn not_connected(&self) -> WireError {
        let why = lock(&self.last)
            .error
            .clone()
            .unwrap_or_else(|| format!("not connected to ordo serve at {}", self.label()));
        WireError::Connection(why)
    }

    /// Registers `pending` and sends the request; on failure nothing stays registered.
    fn send(&self, call: &Call, pending: Pending) -> Result<u64, WireError> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let frame = wire::to_json(&Request {
            id,
            call: call.clone(),
        })
        .map_err(WireError::Connection)?;
        if frame.len() > wire::MAX_REQUEST_FRAME {
            return Err(WireError::Connection(format!(
                "a request of {} bytes is over the socket's limit of {} bytes",
                frame.len(),
                wire::MAX_REQUEST_FRAME
            )));
        }
        let link = lock(&self.link);
        let Some(tx) = link.as_ref() else {
            drop(link);
            return Err(self.not_connected());
        };
        lock(&self.pending).insert(id, pending);
        if tx.send(frame).is_err() {
            lock(&self.pending).remove(&id);
            drop(link);
            return Err(self.not_connected());
        }
        Ok(id)
    }

    /// One frame from the server; `Err` closes the connection with that reason.
    fn take_frame(&self, frame: &[u8]) -> Result<(), String> {
        let msg: ServerMsg = serde_json::from_slice(frame)
            .map_err(|e| format!("ordo serve sent a frame this console cannot read: {e}"))?;
        match msg {
            ServerMsg::Answer { id, result } => {
                // An answer nobody waits for (timed out) is dropped.
                if let Some(p) = lock(&self.pending).remove(&id) {
                    p.deliver(result);
                }
            }
            ServerMsg::Changes { events } => {
                let _ = self.changes.send(Arc::new(events));
            }
            ServerMsg::Resync { missed } => {
                tracing::info!(
                    missed,
                    "the console fell behind ordo serve's changes: resync"
                );
                self.nudge();
            }
            ServerMsg::Error { message } => return Err(format!("ordo serve: {message}")),
        }
        Ok(())
    }

    /// The connection ended: every waiting call fails with the reason, subscribers read again
    /// (and see the error).
    fn lost(&self, reason: &str) {
        *lock(&self.link) = None;
        let error = format!(
            "connection to ordo serve at {} lost ({reason}); reconnecting",
            self.label()
        );
        tracing::warn!("{error}");
        lock(&self.last).error = Some(error.clone());
        let waiting: Vec<Pending> = lock(&self.pending).drain().map(|(_, p)| p).collect();
        for p in waiting {
            p.deliver(Err(WireError::Connection(format!(
                "{error}: the request's outcome is unknown"
            ))));
        }
        self.nudge();
    }
}

/// Owned by the clients; dropping the last one stops the background thread.
pub(super) struct Remote {
    shared: Arc<Shared>,
    _stop: watch::Sender<bool>,
}

/// Why [`Remote::connect`] failed.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConnectError(pub String);

impl Remote {
    /// Connects and says hello; blocks until the server welcomed or refused the connection.
    pub(super) fn connect(socket: &Path) -> Result<Remote, ConnectError> {
        let (changes, _) = broadcast::channel(CHANGES_CAPACITY);
        let shared = Arc::new(Shared {
            socket: socket.to_path_buf(),
            link: Mutex::new(None),
            pending: Mutex::new(HashMap::new()),
            next_id: AtomicU64::new(1),
            changes,
            locations: Mutex::new(Vec::new()),
            last: Mutex::new(Last::default()),
        });
        let (stop, stopped) = watch::channel(false);
        let (first_tx, first_rx) = std::sync::mpsc::sync_channel(1);
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| ConnectError(format!("cannot start the connection's runtime: {e}")))?;
        let s = shared.clone();
        std::thread::Builder::new()
            .name("ordo-remote".into())
            .spawn(move || rt.block_on(manage(s, first_tx, stopped)))
            .map_err(|e| ConnectError(format!("cannot start the connection's thread: {e}")))?;
        match first_rx.recv() {
            Ok(Ok(())) => Ok(Remote {
                shared,
                _stop: stop,
            }),
            Ok(Err(e)) => Err(ConnectError(e)),
            Err(_) => Err(ConnectError("the connection's thread stopped".into())),
        }
    }

    pub(super) fn socket(&self) -> &Path {
        &self.shared.socket
    }

    pub(super) fn connected(&self) -> bool {
        lock(&self.shared.link).is_some()
    }

    /// A read: blocks this thread until the answer (or [`CALL_TIMEOUT`]).
    pub(super) fn call(&self, call: Call) -> CallResult {
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        let id = self.shared.send(&call, Pending::Blocking(tx))?;
        match rx.recv_timeout(CALL_TIMEOUT) {
            Ok(result) => result,
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                lock(&self.shared.pending).remove(&id);
                Err(WireError::Connection(format!(
                    "no answer from ordo serve at {} within {} s",
                    self.shared.label(),
                    CALL_TIMEOUT.as_secs()
                )))
            }
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                Err(self.shared.not_connected())
            }
        }
    }

    /// A command: waits for its answer without blocking a thread.
    pub(super) async fn call_async(&self, call: Call) -> CallResult {
        let (tx, rx) = oneshot::channel();
        self.shared.send(&call, Pending::Async(tx))?;
        rx.await
            .unwrap_or_else(|_| Err(self.shared.not_connected()))
    }

    pub(super) fn subscribe(&self) -> broadcast::Receiver<ChangeBatch> {
        self.shared.changes.subscribe()
    }

    pub(super) fn locations(&self) -> Vec<Location> {
        lock(&self.shared.locations).clone()
    }

    pub(super) fn counters(&self) -> Counters {
        match self.call(Call::Counters) {
            Ok(Answer::Counters(c)) => {
                lock(&self.shared.last).counters = c.clone();
                c
            }
            _ => lock(&self.shared.last).counters.clone(),
        }
    }

    pub(super) fn channels(&self) -> Vec<ChannelHealth> {
        match self.call(Call::Channels) {
            Ok(Answer::Channels(c)) => {
                lock(&self.shared.last).channels = c.clone();
                c
            }
            _ => lock(&self.shared.last).channels.clone(),
        }
    }

    /// The rules in force; while disconnected the last ones seen, with the connection's error
    /// as `last_error`.
    pub(super) fn rules(&self) -> RulesStatus {
        match self.call(Call::Rules) {
            Ok(Answer::Rules(r)) => {
                lock(&self.shared.last).rules = Some(r.clone());
                r
            }
            Ok(other) => placeholder_rules(&self.shared, unexpected("rules", &other).message()),
            Err(e) => placeholder_rules(&self.shared, e.message()),
        }
    }
}

fn placeholder_rules(shared: &Shared, error: String) -> RulesStatus {
    let mut r = lock(&shared.last)
        .rules
        .clone()
        .unwrap_or_else(|| RulesStatus {
            rules: vec![],
            on_unroutable: Default::default(),
            loaded_at: chrono::Utc::now(),
            reloads: 0,
            last_error: None,
        });
    r.last_error = Some(error);
    r
}

/// An answer of the wrong kind (a server bug): an error, not a panic.
pub(super) fn unexpected(asked: &str, got: &Answer) -> WireError {
    WireError::Connection(format!(
        "ordo serve answered `{}` to a request for {asked}",
        got.kind()
    ))
}

type Opened = (
    FramedRead<tokio::net::unix::OwnedReadHalf, LengthDelimitedCodec>,
    OwnedWriteHalf,
    Welcome,
);

/// Connects and says hello.
async fn open(socket: &Path) -> Result<Opened, String> {
    let label = socket.display().to_string();
    let work = async {
        let stream = UnixStream::connect(socket).await.map_err(|e| {
            match e.kind() {
                std::io::ErrorKind::NotFound | std::io::ErrorKind::ConnectionRefused => format!(
                    "cannot connect to {label}: no ordo serve is listening there ({e}); start `ordo serve` (its socket is DATA/ordo.sock unless --socket names another)"
                ),
                std::io::ErrorKind::PermissionDenied => format!(
                    "cannot connect to {label}: permission denied (the socket is the server's user's only)"
                ),
                _ => format!("cannot connect to {label}: {e}"),
            }
        })?;
        let (r, mut w) = stream.into_split();
        let hello = wire::to_json(&HelloFrame {
            hello: wire::Hello {
                protocol: wire::PROTOCOL,
                ordo: wire::ORDO_VERSION.into(),
                subscribe: true,
            },
        })?;
        wire::write_frame(&mut w, &hello)
            .await
            .map_err(|e| format!("saying hello to {label}: {e}"))?;
        let mut frames = FramedRead::new(r, wire::codec(wire::MAX_ANSWER_FRAME));
        let frame = match frames.next().await {
            Some(Ok(frame)) => frame,
            Some(Err(e)) => return Err(format!("reading the welcome of {label}: {e}")),
            None => return Err(format!("{label} closed the connection without a welcome")),
        };
        let welcome = wire::check_welcome(&frame, &label)?;
        Ok((frames, w, welcome))
    };
    tokio::time::timeout(OPEN_TIMEOUT, work)
        .await
        .unwrap_or_else(|_| {
            Err(format!(
                "{label} did not welcome this console within {} s",
                OPEN_TIMEOUT.as_secs()
            ))
        })
}

/// Connects, serves the connection until it drops, and reconnects with backoff, until the
/// last client is dropped. The first attempt's result goes to `first` (a refused first
/// connection is not retried: the caller reports it).
async fn manage(
    shared: Arc<Shared>,
    first: std::sync::mpsc::SyncSender<Result<(), String>>,
    mut stop: watch::Receiver<bool>,
) {
    let mut first = Some(first);
    let mut backoff = MIN_BACKOFF;
    loop {
        let opened = tokio::select! {
            opened = open(&shared.socket) => opened,
            _ = stop.changed() => return,
        };
        match opened {
            Ok((frames, writer, welcome)) => {
                let reconnect = first.is_none();
                *lock(&shared.locations) = welcome.locations;
                backoff = MIN_BACKOFF;
                let (tx, rx) = mpsc::unbounded_channel();
                *lock(&shared.link) = Some(tx);
                lock(&shared.last).error = None;
                // Only now: the caller's first request finds the link in place.
                if let Some(tx) = first.take() {
                    let _ = tx.send(Ok(()));
                }
                if reconnect {
                    tracing::info!(socket = %shared.label(), "reconnected to ordo serve");
                    shared.nudge();
                }
                let Some(reason) = run_link(&shared, frames, writer, rx, &mut stop).await else {
                    return;
                };
                shared.lost(&reason);
            }
            Err(e) => {
                if let Some(tx) = first.take() {
                    let _ = tx.send(Err(e));
                    return;
                }
                lock(&shared.last).error = Some(format!("{e}; retrying"));
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(backoff) => {}
            _ = stop.changed() => return,
        }
        backoff = (backoff * 2).min(MAX_BACKOFF);
    }
}

/// Writes requests and reads answers until the connection fails (`Some(reason)`) or the
/// clients are gone (`None`).
async fn run_link(
    shared: &Shared,
    mut frames: FramedRead<tokio::net::unix::OwnedReadHalf, LengthDelimitedCodec>,
    mut writer: OwnedWriteHalf,
    mut requests: mpsc::UnboundedReceiver<Vec<u8>>,
    stop: &mut watch::Receiver<bool>,
) -> Option<String> {
    let write = async {
        while let Some(frame) = requests.recv().await {
            if let Err(e) = wire::write_frame(&mut writer, &frame).await {
                return format!("writing to the socket: {e}");
            }
        }
        "the connection was replaced".to_string()
    };
    let read = async {
        loop {
            match frames.next().await {
                None => return "ordo serve closed the connection".to_string(),
                Some(Err(e)) => return format!("reading from the socket: {e}"),
                Some(Ok(frame)) => {
                    if let Err(why) = shared.take_frame(&frame) {
                        return why;
                    }
                }
            }
        }
    };
    tokio::select! {
        why = write => Some(why),
        why = read => Some(why),
        _ = stop.changed() => None,
    }
}
