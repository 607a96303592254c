//! The ledger: the single writer (DESIGN.md). Commands arrive on a bounded queue; the ledger
//! thread takes what is waiting (up to a bound) and applies it to its hot state; the commit
//! thread writes that group as one atomic batch, flushes, and only then answers each command.
//! While one group is being written the next is being built, reading the first one's writes
//! from an overlay. A failed commit fails that group and every group built on it, and the hot
//! state is rebuilt from the store, so nothing half-applied survives.

mod allocate;
mod commands;
mod group;
mod state;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use serde::Serialize;
use std::thread::JoinHandle;

use thiserror::Error;
use tokio::sync::{broadcast, mpsc, oneshot};

use crate::model::{
    Actor, ChannelOrder, Event, EventKind, Location, OnUnroutable, OrderId, OrderStatus,
    QuarantineId, StockLevel,
};
use crate::routing::RuleSet;
use crate::store::{Store, StoreError, WriteBatch};

pub use state::{HotState, LiveCounts};

/// How many commands one group takes at most.
const GROUP_MAX: usize = 1024;
/// Commands that may wait in the intake before senders wait too (backpressure).
const INTAKE_CAPACITY: usize = 8192;

/// Where a payload came from and what it looked like, so that a payload that cannot be mapped
/// is kept raw (invariant 8).
#[derive(Debug, Clone)]
pub struct Origin {
    /// A channel id, or `file:PATH:LINE`.
    pub source: String,
    /// The payload's format (`ordo` for ordo's JSON Lines); a quarantine retry maps it again.
    pub format: String,
    /// The raw payload; when None, the normalized order is kept in ordo's format.
    pub raw: Option<String>,
}

#[derive(Debug, Clone)]
pub struct StockRow {
    pub sku: String,
    pub location: String,
    pub on_hand: i64,
    /// None keeps the current safety stock (or the configured default for a new record).
    pub safety_stock: Option<i64>,
}

#[derive(Debug, Clone)]
pub enum Command {
    /// One version of an order from a channel or a file.
    Ingest {
        order: Box<ChannelOrder>,
        origin: Origin,
        /// A quarantined payload this version was mapped from again.
        resolves: Option<QuarantineId>,
    },
    /// A payload that could not even be parsed.
    Quarantine {
        origin: Origin,
        reason: String,
        /// Update this entry (a retry that failed again) instead of adding one.
        existing: Option<QuarantineId>,
    },
    Hold {
        id: OrderId,
        reason: String,
        by: Actor,
    },
    Release {
        id: OrderId,
        by: Actor,
    },
    Cancel {
        id: OrderId,
        reason: String,
        by: Actor,
    },
    Ship {
        id: OrderId,
        carrier: String,
        tracking: String,
        by: Actor,
    },
    /// An operator sends the order to one location (its reservations elsewhere are returned).
    Reroute {
        id: OrderId,
        location: String,
        reason: String,
        by: Actor,
    },
    /// Cycle counts: all rows or none (a bad row rejects the command).
    SetStock {
        rows: Vec<StockRow>,
        by: Actor,
    },
    AdjustStock {
        sku: String,
        location: String,
        delta: i64,
        by: Actor,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Created {
        id: OrderId,
        status: OrderStatus,
    },
    Updated {
        id: OrderId,
        status: OrderStatus,
    },
    /// Nothing changed: a replay, an older version, or an action already in effect.
    Unchanged {
        id: OrderId,
        why: String,
    },
    Quarantined {
        id: QuarantineId,
        reason: String,
    },
    Order {
        id: OrderId,
        status: OrderStatus,
    },
    Stock {
        levels: Vec<(String, String, StockLevel)>,
        /// Orders that lost reservations because a count came in lower.
        deallocated: Vec<OrderId>,
        /// Backordered orders that got stock.
        allocated: Vec<OrderId>,
    },
}

#[derive(Debug, Error)]
pub enum LedgerError {
    #[error("order {0} does not exist")]
    NoSuchOrder(OrderId),
    #[error("unknown location `{location}`; known locations: {known}")]
    UnknownLocation { location: String, known: String },
    #[error("order {id} is {status}: {why}")]
    NotAllowed {
        id: OrderId,
        status: OrderStatus,
        why: String,
    },
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("nothing was saved: {0}")]
    NotSaved(String),
    #[error("the ledger has stopped")]
    Stopped,
}

impl LedgerError {
    /// A mistake in what was asked (exit 2), as opposed to a failure of ordo or the disk.
    pub fn is_user_error(&self) -> bool {
        matches!(
            self,
            LedgerError::NoSuchOrder(_)
                | LedgerError::UnknownLocation { .. }
                | LedgerError::NotAllowed { .. }
                | LedgerError::Invalid(_)
        )
    }
}

pub type Reply = Result<Outcome, LedgerError>;

struct Request {
    command: Command,
    reply: oneshot::Sender<Reply>,
}

enum Message {
    Request(Request),
    /// Finish what came before, then stop: handles still held elsewhere get `Stopped`.
    Stop,
}

pub struct LedgerSettings {
    pub locations: Vec<Location>,
    pub default_safety_stock: i64,
    pub rules: RuleSet,
    /// Asked before each group whether the rules changed, so that an edit takes effect for the
    /// next order without a restart. None: the rules are fixed.
    pub rules_source: Option<Box<dyn RulesSource>>,
}

impl LedgerSettings {
    pub fn new(locations: Vec<Location>, default_safety_stock: i64, rules: RuleSet) -> Self {
        LedgerSettings {
            locations,
            default_safety_stock,
            rules,
            rules_source: None,
        }
    }
}

/// Where new routing rules come from while the ledger runs (the engine watches the config).
pub trait RulesSource: Send {
    /// `None` when nothing changed; else the new rules, or why the changed source cannot be
    /// used (the old rules then stay in force).
    fn poll(&mut self) -> Option<Result<RuleSet, String>>;
}

/// The live rules as the console's Rules pane shows them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RulesStatus {
    /// Rule names in order, with the decisions each made since the ledger started.
    pub rules: Vec<(String, u64)>,
    pub on_unroutable: OnUnroutable,
    pub loaded_at: DateTime<Utc>,
    pub reloads: u64,
    /// The last edit that was refused, and why (cleared by a good reload).
    pub last_error: Option<String>,
}

impl RulesStatus {
    fn new(rules: &RuleSet) -> RulesStatus {
        RulesStatus {
            rules: rules.rules().iter().map(|r| (r.name.clone(), 0)).collect(),
            on_unroutable: rules.on_unroutable(),
            loaded_at: Utc::now(),
            reloads: 0,
            last_error: None,
        }
    }
}

/// Committed changes, published after the flush: consoles follow these.
pub type ChangeBatch = Arc<Vec<Event>>;

/// A cheap, cloneable way to send commands to the ledger.
#[derive(Clone)]
pub struct LedgerHandle {
    tx: mpsc::Sender<Message>,
    changes: broadcast::Sender<ChangeBatch>,
    rules_status: Arc<Mutex<RulesStatus>>,
    counts: Arc<Mutex<LiveCounts>>,
}

impl LedgerHandle {
    /// Queues a command and returns where its answer will arrive: callers can keep many in
    /// flight so that groups fill up.
    pub async fn send(&self, command: Command) -> Result<oneshot::Receiver<Reply>, LedgerError> {
        let (reply, rx) = oneshot::channel();
        self.tx
            .send(Message::Request(Request { command, reply }))
            .await
            .map_err(|_| LedgerError::Stopped)?;
        Ok(rx)
    }

    /// Sends a command and waits until it is durable (or refused).
    pub async fn submit(&self, command: Command) -> Reply {
        let rx = self.send(command).await?;
        rx.await.map_err(|_| LedgerError::Stopped)?
    }

    /// [`LedgerHandle::send`] from a plain thread (not inside an async runtime).
    pub fn send_blocking(&self, command: Command) -> Result<oneshot::Receiver<Reply>, LedgerError> {
        let (reply, rx) = oneshot::channel();
        self.tx
            .blocking_send(Message::Request(Request { command, reply }))
            .map_err(|_| LedgerError::Stopped)?;
        Ok(rx)
    }

    /// [`LedgerHandle::submit`] from a plain thread (CLI, tests).
    pub fn submit_blocking(&self, command: Command) -> Reply {
        self.send_blocking(command)?
            .blocking_recv()
            .map_err(|_| LedgerError::Stopped)?
    }

    pub fn subscribe(&self) -> broadcast::Receiver<ChangeBatch> {
        self.changes.subscribe()
    }

    pub fn rules_status(&self) -> RulesStatus {
        lock(&self.rules_status).clone()
    }

    /// Counts per status, open quarantine, oversold records: as of the last group applied.
    pub fn counts(&self) -> LiveCounts {
        lock(&self.counts).clone()
    }
}

/// A poisoned lock only means a panic elsewhere while holding it; the status is still readable.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The running ledger: its thread and the store it writes.
pub struct Ledger {
    handle: LedgerHandle,
    thread: Option<JoinHandle<()>>,
    store: Arc<Store>,
}

impl Ledger {
    /// Rebuilds the hot state from the store, then starts the writer thread.
    pub fn start(store: Arc<Store>, mut settings: LedgerSettings) -> Result<Ledger, StoreError> {
        let state = HotState::load(&store)?;
        let rules_status = Arc::new(Mutex::new(RulesStatus::new(&settings.rules)));
        let counts = Arc::new(Mutex::new(state.live_counts()));
        let rules = std::mem::replace(&mut settings.rules, RuleSet::empty());
        let rules_source = settings.rules_source.take();
        let (tx, rx) = mpsc::channel(INTAKE_CAPACITY);
        let (changes, _) = broadcast::channel(1024);
        let io_error = |e: std::io::Error| StoreError::Io {
            dir: store.dir().to_path_buf(),
            doing: "starting the ledger's threads",
            source: sled::Error::Io(e),
        };
        let committer = Committer::start(store.clone(), changes.clone()).map_err(io_error)?;
        let writer = Writer {
            store: store.clone(),
            state,
            settings,
            rules,
            rules_source,
            rules_status: rules_status.clone(),
            counts: counts.clone(),
            committer,
            in_flight: None,
            epoch: 1,
            broken: None,
        };
        let thread = std::thread::Builder::new()
            .name("ordo-ledger".into())
            .spawn(move || writer.run(rx))
            .map_err(io_error)?;
        Ok(Ledger {
            handle: LedgerHandle {
                tx,
                changes,
                rules_status,
                counts,
            },
            thread: Some(thread),
            store,
        })
    }

    pub fn handle(&self) -> LedgerHandle {
        self.handle.clone()
    }

    pub fn store(&self) -> &Arc<Store> {
        &self.store
    }

    /// Stops taking commands, lets the ledger finish what is queued, and waits for it.
    pub fn shutdown(mut self) {
        self.join();
    }

    fn join(&mut self) {
        if let Some(t) = self.thread.take() {
            // The writer may already be gone (then the send fails, which is fine). A helper
            // thread sends, because blocking_send may not run on an async runtime's thread.
            let tx = &self.handle.tx;
            std::thread::scope(|s| {
                s.spawn(|| {
                    let _ = tx.blocking_send(Message::Stop);
                });
            });
            let _ = t.join();
        }
    }
}

impl Drop for Ledger {
    fn drop(&mut self) {
        self.join();
    }
}

struct Writer {
    store: Arc<Store>,
    state: HotState,
    settings: LedgerSettings,
    rules: RuleSet,
    rules_source: Option<Box<dyn RulesSource>>,
    rules_status: Arc<Mutex<RulesStatus>>,
    counts: Arc<Mutex<LiveCounts>>,
    committer: Committer,
    /// The group whose batch the committer is writing now, if any.
    in_flight: Option<group::Overlay>,
    /// Groups are built on the effects of the groups before them; a failed commit ends the
    /// epoch, and every later group of that epoch fails with it.
    epoch: u64,
    /// Why the hot state could not be rebuilt, while it cannot.
    broken: Option<String>,
}

/// A group ready to be written.
struct Sealed {
    epoch: u64,
    batch: WriteBatch,
    senders: Vec<oneshot::Sender<Reply>>,
    replies: Vec<Reply>,
    events: Vec<Event>,
}

enum ToCommitter {
    Group(Sealed),
    /// Answered once everything before it is written (or failed).
    Barrier(std::sync::mpsc::SyncSender<()>),
}

/// The commit stage: applies and flushes each group's batch, then answers its senders and
/// publishes its events. It runs on its own thread, so that the ledger builds the next group
/// while sled writes this one: the two costs overlap instead of adding up.
struct Committer {
    tx: Option<std::sync::mpsc::SyncSender<ToCommitter>>,
    failed_epoch: Arc<AtomicU64>,
    thread: Option<JoinHandle<()>>,
}

impl Committer {
    fn start(
        store: Arc<Store>,
        changes: broadcast::Sender<ChangeBatch>,
    ) -> std::io::Result<Committer> {
        // A rendezvous: handing over a group waits until the previous one is written, so at
        // most one group is in flight and the ledger's overlay of it is all it needs to read.
        let (tx, rx) = std::sync::mpsc::sync_channel::<ToCommitter>(0);
        let failed_epoch = Arc::new(AtomicU64::new(0));
        let failed = failed_epoch.clone();
        let thread = std::thread::Builder::new()
            .name("ordo-commit".into())
            .spawn(move || {
                let mut last_error = String::new();
                for message in rx {
                    let sealed = match message {
                        ToCommitter::Group(sealed) => sealed,
                        ToCommitter::Barrier(done) => {
                            let _ = done.send(());
                            continue;
                        }
                    };
                    let outcome = if sealed.epoch <= failed.load(Ordering::Acquire) {
                        Err(format!(
                            "an earlier group, which this one built on, was not saved: {last_error}"
                        ))
                    } else {
                        store.commit(sealed.batch).map_err(|e| {
                            // After a failed flush the batch may or may not be on disk: retrying
                            // could apply it twice, so writing stops until a restart.
                            let stop_writing = matches!(e, StoreError::NotDurable { .. });
                            failed.store(
                                if stop_writing { u64::MAX } else { sealed.epoch },
                                Ordering::Release,
                            );
                            last_error = e.to_string();
                            tracing::error!(error = %last_error, "group commit failed; the ledger rebuilds its state from the store");
                            last_error.clone()
                        })
                    };
                    match outcome {
                        Ok(()) => {
                            for (sender, reply) in sealed.senders.into_iter().zip(sealed.replies) {
                                let _ = sender.send(reply);
                            }
                            if !sealed.events.is_empty() && changes.receiver_count() > 0 {
                                let _ = changes.send(Arc::new(sealed.events));
                            }
                        }
                        // Nothing of this group reached the disk; its senders were not
                        // acknowledged and so still hold the work.
                        Err(why) => {
                            for sender in sealed.senders {
                                let _ = sender.send(Err(LedgerError::NotSaved(why.clone())));
                            }
                        }
                    }
                }
            })?;
        Ok(Committer {
            tx: Some(tx),
            failed_epoch,
            thread: Some(thread),
        })
    }

    fn send(&self, message: ToCommitter) {
        if let Some(tx) = &self.tx {
            // The committer only stops when this sender is dropped, so the send cannot fail
            // while we hold it.
            let _ = tx.send(message);
        }
    }

    /// Waits until every group handed over so far is written or failed.
    fn drain(&self) {
        let (done_tx, done_rx) = std::sync::mpsc::sync_channel(1);
        self.send(ToCommitter::Barrier(done_tx));
        let _ = done_rx.recv();
    }

    fn stop(&mut self) {
        self.tx = None;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Writer {
    fn run(mut self, mut rx: mpsc::Receiver<Message>) {
        let mut requests = Vec::with_capacity(GROUP_MAX);
        let mut stopping = false;
        while !stopping {
            match rx.blocking_recv() {
                Some(Message::Request(r)) => requests.push(r),
                Some(Message::Stop) | None => break,
            }
            while requests.len() < GROUP_MAX {
                match rx.try_recv() {
                    Ok(Message::Request(r)) => requests.push(r),
                    Ok(Message::Stop) => {
                        stopping = true;
                        break;
                    }
                    Err(_) => break,
                }
            }
            self.run_group(&mut requests);
        }
        // Every group handed over is answered before shutdown returns.
        self.committer.stop();
    }

    fn run_group(&mut self, requests: &mut Vec<Request>) {
        let needs_recovery = self.broken.is_some()
            || self.committer.failed_epoch.load(Ordering::Acquire) >= self.epoch;
        if needs_recovery && !self.recover() {
            let why = self.broken.clone().unwrap_or_default();
            for r in requests.drain(..) {
                let _ = r.reply.send(Err(LedgerError::NotSaved(format!(
                    "the ledger cannot rebuild its state from the store: {why}"
                ))));
            }
            return;
        }
        let (commands, senders): (Vec<Command>, Vec<oneshot::Sender<Reply>>) =
            requests.drain(..).map(|r| (r.command, r.reply)).unzip();
        let rules_event = self.reload_rules();
        let mut group = group::Group::new(
            &self.store,
            self.in_flight.as_ref(),
            &mut self.state,
            &self.settings.locations,
            &self.rules,
            self.settings.default_safety_stock,
        );
        if let Some((kind, why)) = rules_event {
            group.emit(Actor::System, None, kind, why);
        }
        let mut replies = Vec::with_capacity(commands.len());
        let mut failure: Option<StoreError> = None;
        for command in commands {
            match group.apply(command) {
                Err(LedgerError::Store(e)) => {
                    failure = Some(e);
                    break;
                }
                reply => replies.push(reply),
            }
        }
        if let Some(e) = failure {
            // A read failed half-way through a command: this group's effects on the hot state
            // cannot be trusted, so none of it is written and the state is rebuilt.
            drop(group);
            let why = e.to_string();
            tracing::error!(error = %why, "the ledger could not read the store; group refused");
            for sender in senders {
                let _ = sender.send(Err(LedgerError::NotSaved(why.clone())));
            }
            self.recover();
            return;
        }
        let (batch, events, overlay) = group.into_batch();
        {
            let mut status = lock(&self.rules_status);
            for (name, hits) in status.rules.iter_mut() {
                *hits = self.state.rule_hits.get(name).copied().unwrap_or(0);
            }
        }
        *lock(&self.counts) = self.state.live_counts();
        self.committer.send(ToCommitter::Group(Sealed {
            epoch: self.epoch,
            batch,
            senders,
            replies,
            events,
        }));
        // The committer took this group, so the one before is on disk: its overlay can go.
        self.in_flight = Some(overlay);
    }

    /// Takes new rules if the source has them; an edit that cannot be used leaves the rules in
    /// force and is reported. Either way it becomes an event.
    fn reload_rules(&mut self) -> Option<(EventKind, String)> {
        let change = self.rules_source.as_mut()?.poll()?;
        let mut status = lock(&self.rules_status);
        match change {
            Ok(rules) => {
                let names: Vec<String> = rules.rules().iter().map(|r| r.name.clone()).collect();
                tracing::info!(rules = ?names, "routing rules reloaded");
                self.rules = rules;
                // Hits start again: the rules they counted are gone.
                self.state.rule_hits.clear();
                *status = RulesStatus {
                    reloads: status.reloads + 1,
                    ..RulesStatus::new(&self.rules)
                };
                let why = format!("{} rules now in force", names.len());
                Some((EventKind::RulesReloaded { rules: names }, why))
            }
            Err(error) => {
                tracing::error!(%error, "routing rules edit refused; the previous rules stay in force");
                status.last_error = Some(error.clone());
                let why =
                    "the edited rules cannot be used; the previous rules stay in force".into();
                Some((EventKind::RulesRejected { error }, why))
            }
        }
    }

    /// After a failure: once nothing is in flight, rebuild the hot state from what the store
    /// holds and start a new epoch.
    /// Returns false while the state cannot be rebuilt: the group is then refused whole, and
    /// the next group tries again (carrying on from the old state would write phantom
    /// reservations).
    fn recover(&mut self) -> bool {
        self.committer.drain();
        self.in_flight = None;
        self.epoch += 1;
        match HotState::load(&self.store) {
            Ok(state) => {
                self.state = state;
                *lock(&self.counts) = self.state.live_counts();
                self.broken = None;
                true
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot rebuild the ledger's state; refusing writes");
                self.broken = Some(e.to_string());
                false
            }
        }
    }
}
