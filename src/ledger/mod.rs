//! The ledger: the single writer (DESIGN.md). Commands arrive on a bounded queue; the ledger
//! thread takes what is waiting (up to a bound) and applies it to its hot state; the commit
//! thread writes that group as one atomic batch, flushes, and only then answers each command.
//! While one group is being written the next is being built, reading the first one's writes
//! from an overlay. A failed commit fails that group and every group built on it, and the hot
//! state is rebuilt from the store, so nothing half-applied survives.

mod allocate;
mod commands;
mod group;
mod known_ids;
mod state;
mod stock;
mod writer;

use writer::{Committer, Writer};

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::thread::JoinHandle;

use thiserror::Error;
use tokio::sync::{broadcast, mpsc, oneshot};

use crate::model::{
    Actor, ChannelCursor, ChannelOrder, Event, Location, OnUnroutable, OrderId, OrderStatus,
    QuarantineId, StockLevel,
};
use crate::routing::RuleSet;
use crate::store::{Store, StoreError};

pub use state::{HotState, LiveCounts};

/// How many commands one group takes at most.
const GROUP_MAX: usize = 1024;
/// Commands that may wait in the intake before senders wait too (backpressure).
const INTAKE_CAPACITY: usize = 8192;

/// Where a payload came from and what it looked like, so that a payload that cannot be mapped
/// is kept raw (invariant 8).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Origin {
    /// A channel id, or `file:PATH:LINE`.
    pub source: String,
    /// The payload's format (`ordo` for ordo's JSON Lines); a quarantine retry maps it again.
    pub format: String,
    /// The raw payload; when None, the normalized order is kept in ordo's format.
    pub raw: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StockRow {
    pub sku: String,
    pub location: String,
    pub on_hand: i64,
    /// None keeps the current safety stock (or the configured default for a new record).
    pub safety_stock: Option<i64>,
}

// Serde: commands travel to `ordo serve` over the console socket (src/client/wire.rs).
#[derive(Debug, Clone, Serialize, Deserialize)]
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
    /// Ships only these lines (by line number) of what is allocated: a partial shipment.
    ShipLines {
        id: OrderId,
        carrier: String,
        tracking: String,
        lines: Vec<u32>,
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
    /// The channel confirmed these pushes (or refused them for good, with the reason): each
    /// intent is removed if it is still the one that was sent (same `seq`).
    OutboxDone {
        done: Vec<(Vec<u8>, u64)>,
        refused: Vec<(Vec<u8>, u64, String)>,
    },
    /// Recompute every channel's available-to-sell and write an intent for each figure that
    /// differs from the last one intended (at start, so a new channel or new buffers get pushed).
    SyncAts,
    /// Commands of one channel committed together with the channel's bookkeeping: a poll page
    /// with the cursor that covers it (invariant 1), or a webhook delivery with its id (a
    /// delivery seen before changes nothing). Answered with [`Outcome::Batch`].
    Batch {
        channel: String,
        items: Vec<Command>,
        cursor: Option<ChannelCursor>,
        delivery: Option<String>,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
    /// One answer per item of a [`Command::Batch`], in order; an item the ledger refused
    /// carries the reason.
    Batch {
        outcomes: Vec<Result<Outcome, String>>,
    },
    /// A webhook delivery whose id was taken before: nothing was applied.
    DuplicateDelivery {
        delivery: String,
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
    /// The channels ordo pushes available-to-sell and shipments to (the outbox, invariant 6).
    pub channels: Vec<ChannelSync>,
}

/// A channel as the ledger's outbox sees it.
#[derive(Debug, Clone)]
pub struct ChannelSync {
    pub id: String,
    pub buffers: crate::inventory::ChannelBuffers,
}

impl LedgerSettings {
    pub fn new(locations: Vec<Location>, default_safety_stock: i64, rules: RuleSet) -> Self {
        LedgerSettings {
            locations,
            default_safety_stock,
            rules,
            rules_source: None,
            channels: Vec::new(),
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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
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
        let writer = Writer::new(
            store.clone(),
            state,
            settings,
            (rules, rules_source, rules_status.clone()),
            counts.clone(),
            committer,
        );
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
