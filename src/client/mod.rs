//! The client API: everything a console (or a script) asks of the engine, as plain serde
//! types. The console uses only this and `model`, and the same calls work on either transport:
//! in-process ([`Client::new`], local.rs: reads go to the store's indexes, changes through the
//! ledger) or over the console socket of a running `ordo serve` ([`Client::connect`],
//! remote.rs, with the protocol in wire.rs).

pub mod filter;
mod local;
pub mod matcher;
mod remote;
pub mod stock_query;
pub mod wire;

use std::path::Path;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

pub use crate::channels::poller::Control as ChannelControl;
use crate::engine::hub::ChannelsHub;
use crate::ledger::{ChangeBatch, Command, LedgerHandle, Reply, RulesStatus};
use crate::model::{
    ChannelHealth, Decision, Event, Location, Order, OrderId, OrderStatus, QuarantineId,
    Quarantined, StockKey, StockLevel,
};
use crate::store::{Store, StoreError};
pub use remote::ConnectError;
pub use stock_query::{StockFilter, StockQuery};
use wire::{Answer, Call, WireError};

/// A query with words, SKU globs or age bounds reads at most this many orders of its index
/// (newest first) to find its page; [`Page::capped`] says when it stopped there.
pub const SCAN_LIMIT: usize = 20_000;

/// Which orders a list shows. At most one index is used (location, else channel, else status);
/// the rest is checked on the orders the index gives: the other index terms, and the words,
/// SKU globs and age bounds (matcher.rs), which need each order read, so a query with them
/// reads at most [`SCAN_LIMIT`] orders.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderQuery {
    pub status: Option<OrderStatus>,
    pub channel: Option<String>,
    pub location: Option<String>,
    /// Free-text words (lower-cased), each to match one of the order's id, number, external
    /// id, customer name or email, or SKUs (fuzzily: matcher.rs).
    #[serde(default)]
    pub words: Vec<String>,
    /// Globs (`*`, `?`, case-insensitive) each to match one of the order's SKUs whole.
    #[serde(default)]
    pub skus: Vec<String>,
    /// Orders created more than this many seconds before the read (`age:>2h`).
    #[serde(default)]
    pub older_than_secs: Option<u64>,
    /// Orders created less than this many seconds before the read (`age:<30m`).
    #[serde(default)]
    pub newer_than_secs: Option<u64>,
}

impl OrderQuery {
    /// Whether the query has terms that no index serves (each order read is matched).
    pub fn scans(&self) -> bool {
        !self.words.is_empty()
            || !self.skus.is_empty()
            || self.older_than_secs.is_some()
            || self.newer_than_secs.is_some()
    }

    /// Every order.
    pub fn is_empty(&self) -> bool {
        *self == OrderQuery::default()
    }
}

/// One page of a list: rows in display order, and whether more follow.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Page<T> {
    pub rows: Vec<T>,
    pub more: bool,
    /// Set when the read stopped after scanning this many records without reaching the end
    /// of its index: rows further on may match too ([`SCAN_LIMIT`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capped: Option<usize>,
}

/// An order as its detail view shows it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OrderDetail {
    pub order: Order,
    pub history: Vec<Event>,
    /// The most recent routing decision, with its explanation.
    pub decision: Option<Decision>,
}

/// The header's counters, kept by the ledger (no store scan).
pub use crate::ledger::LiveCounts as Counters;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StockRow {
    pub key: StockKey,
    pub level: StockLevel,
}

/// How many orders stand in a location's queue (the store's `q` index: the orders that hold
/// stock there), per status, counted on the index keys alone and up to a bound.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocationCount {
    pub location: String,
    /// (status, orders), for the statuses that have any, in status order. A figure above the
    /// bound asked for means "more than the bound": the count stopped there.
    pub by_status: Vec<(OrderStatus, u64)>,
}

/// The engine as a client sees it. Cloning is cheap.
#[derive(Clone)]
pub struct Client {
    transport: Transport,
}

#[derive(Clone)]
enum Transport {
    Local(local::Local),
    Remote(Arc<remote::Remote>),
}

/// The answer of a read over the socket, as the in-process call would give it.
fn expect<T>(
    asked: &str,
    result: Result<Answer, WireError>,
    pick: impl FnOnce(Answer) -> Option<T>,
) -> Result<T, StoreError> {
    let answer = result?;
    let kind = answer.kind();
    pick(answer).ok_or_else(|| {
        StoreError::Remote(format!(
            "ordo serve answered `{kind}` to a request for {asked}"
        ))
    })
}

impl Client {
    /// The in-process client of an engine.
    pub fn new(store: Arc<Store>, ledger: LedgerHandle, locations: Vec<Location>) -> Client {
        Client {
            transport: Transport::Local(local::Local::new(store, ledger, locations)),
        }
    }

    /// A client of the `ordo serve` listening on `socket`. Blocks until the server welcomed the
    /// connection (or refused it: another protocol version, no server there). Later drops are
    /// retried with backoff; meanwhile reads fail with the reason and `subscribe` goes quiet.
    pub fn connect(socket: &Path) -> Result<Client, ConnectError> {
        Ok(Client {
            transport: Transport::Remote(Arc::new(remote::Remote::connect(socket)?)),
        })
    }

    /// The same client with the engine's channel services behind it (in-process only: over
    /// the socket they are the server's).
    pub fn with_channels(mut self, channels: Arc<ChannelsHub>) -> Client {
        if let Transport::Local(local) = &mut self.transport {
            local.channels = channels;
        }
        self
    }

    /// The socket of the server this client talks to; None in-process.
    pub fn remote_socket(&self) -> Option<&Path> {
        match &self.transport {
            Transport::Local(_) => None,
            Transport::Remote(r) => Some(r.socket()),
        }
    }

    /// Whether the engine can be reached now (always in-process; over the socket, false while
    /// reconnecting).
    pub fn connected(&self) -> bool {
        match &self.transport {
            Transport::Local(_) => true,
            Transport::Remote(r) => r.connected(),
        }
    }

    /// Every configured channel's health: last success, lag, errors, rate-limit headroom.
    /// Over the socket, while disconnected: the last health seen.
    pub fn channels(&self) -> Vec<ChannelHealth> {
        match &self.transport {
            Transport::Local(l) => l.channels(),
            Transport::Remote(r) => r.channels(),
        }
    }

    /// Each channel's available-to-sell of these SKUs, as last computed and sent to the outbox:
    /// (sku, channel, figure), for the channels that have one.
    pub fn available_to_sell(
        &self,
        skus: &[&str],
    ) -> Result<Vec<(String, String, i64)>, StoreError> {
        match &self.transport {
            Transport::Local(l) => l.available_to_sell(skus),
            Transport::Remote(r) => {
                let skus = skus.iter().map(|s| s.to_string()).collect();
                expect(
                    "available-to-sell",
                    r.call(Call::AvailableToSell { skus }),
                    |a| match a {
                        Answer::AvailableToSell(v) => Some(v),
                        _ => None,
                    },
                )
            }
        }
    }

    /// Asks a channel's poller to pause, resume, or poll now.
    pub fn control_channel(&self, id: &str, control: ChannelControl) -> Result<(), String> {
        match &self.transport {
            Transport::Local(l) => l.control_channel(id, control),
            Transport::Remote(r) => {
                let call = Call::ControlChannel {
                    id: id.to_string(),
                    control,
                };
                match r.call(call) {
                    Ok(Answer::Done) => Ok(()),
                    Ok(other) => Err(remote::unexpected("a channel control", &other).message()),
                    Err(e) => Err(e.message()),
                }
            }
        }
    }

    pub fn locations(&self) -> Vec<Location> {
        match &self.transport {
            Transport::Local(l) => l.locations(),
            Transport::Remote(r) => r.locations(),
        }
    }

    /// Each location's queue, counted per status up to `bound` orders a status (so a location
    /// of 700,000 orders costs at most `bound` + 1 index keys a status, no order read).
    pub fn location_counts(
        &self,
        locations: &[String],
        bound: usize,
    ) -> Result<Vec<LocationCount>, StoreError> {
        match &self.transport {
            Transport::Local(l) => l.location_counts(locations, bound),
            Transport::Remote(r) => {
                let call = Call::LocationCounts {
                    locations: locations.to_vec(),
                    bound,
                };
                expect("location counts", r.call(call), |a| match a {
                    Answer::LocationCounts(v) => Some(v),
                    _ => None,
                })
            }
        }
    }

    /// The orders that match `query`, newest first: `limit` of them at most, after skipping
    /// the first `offset` that match. Matching is the engine's (here, or in the `ordo serve`
    /// at the other end of the socket), so only the page travels.
    pub fn orders(
        &self,
        query: &OrderQuery,
        offset: usize,
        limit: usize,
    ) -> Result<Page<Order>, StoreError> {
        match &self.transport {
            Transport::Local(l) => l.orders(query, offset, limit),
            Transport::Remote(r) => {
                let call = Call::Orders {
                    query: query.clone(),
                    offset,
                    limit,
                };
                expect("orders", r.call(call), |a| match a {
                    Answer::Orders(p) => Some(p),
                    _ => None,
                })
            }
        }
    }

    pub fn order(&self, id: OrderId) -> Result<Option<OrderDetail>, StoreError> {
        match &self.transport {
            Transport::Local(l) => l.order(id),
            Transport::Remote(r) => expect("an order", r.call(Call::Order { id }), |a| match a {
                Answer::Order(d) => Some(d.map(|d| *d)),
                _ => None,
            }),
        }
    }

    /// Over the socket, while disconnected: the last counters seen.
    pub fn counters(&self) -> Counters {
        match &self.transport {
            Transport::Local(l) => l.counters(),
            Transport::Remote(r) => r.counters(),
        }
    }

    /// Stock records in (sku, location) order.
    pub fn stock(&self, offset: usize, limit: usize) -> Result<Page<StockRow>, StoreError> {
        self.stock_matching(&StockQuery::default(), offset, limit)
    }

    /// The stock records that match `query` (the Inventory pane's `/` filter), in (sku,
    /// location) order: `limit` of them at most, after skipping the first `offset` that match.
    /// Matched by the engine, as [`Client::orders`] is, so only the page travels.
    pub fn stock_matching(
        &self,
        query: &StockQuery,
        offset: usize,
        limit: usize,
    ) -> Result<Page<StockRow>, StoreError> {
        match &self.transport {
            Transport::Local(l) => l.stock(query, offset, limit),
            Transport::Remote(r) => {
                let call = Call::Stock {
                    query: query.clone(),
                    offset,
                    limit,
                };
                expect("stock", r.call(call), |a| match a {
                    Answer::Stock(p) => Some(p),
                    _ => None,
                })
            }
        }
    }

    /// The newest `limit` events, newest first.
    pub fn recent_events(&self, limit: usize) -> Result<Vec<Event>, StoreError> {
        match &self.transport {
            Transport::Local(l) => l.recent_events(limit),
            Transport::Remote(r) => {
                expect(
                    "events",
                    r.call(Call::RecentEvents { limit }),
                    |a| match a {
                        Answer::Events(v) => Some(v),
                        _ => None,
                    },
                )
            }
        }
    }

    pub fn quarantined(&self) -> Result<Vec<Quarantined>, StoreError> {
        match &self.transport {
            Transport::Local(l) => l.quarantined(),
            Transport::Remote(r) => {
                expect("the quarantine", r.call(Call::Quarantined), |a| match a {
                    Answer::Quarantined(v) => Some(v),
                    _ => None,
                })
            }
        }
    }

    pub fn quarantine(&self, id: QuarantineId) -> Result<Option<Quarantined>, StoreError> {
        match &self.transport {
            Transport::Local(l) => l.quarantine(id),
            Transport::Remote(r) => expect(
                "a quarantine entry",
                r.call(Call::Quarantine { id }),
                |a| match a {
                    Answer::Quarantine(q) => Some(q),
                    _ => None,
                },
            ),
        }
    }

    /// Over the socket, while disconnected: the last rules seen, with the connection's error
    /// as `last_error`.
    pub fn rules(&self) -> RulesStatus {
        match &self.transport {
            Transport::Local(l) => l.rules(),
            Transport::Remote(r) => r.rules(),
        }
    }

    /// Sends a command; the answer comes once it is durable (or refused). Over the socket, a
    /// connection lost before the answer is an error whose outcome is unknown.
    pub async fn submit(&self, command: Command) -> Reply {
        match &self.transport {
            Transport::Local(l) => l.submit(command).await,
            Transport::Remote(r) => match r.call_async(Call::Submit { command }).await {
                Ok(Answer::Outcome(outcome)) => Ok(outcome),
                Ok(other) => Err(remote::unexpected("a command", &other).into()),
                Err(e) => Err(e.into()),
            },
        }
    }

    /// Committed changes as they happen. Over the socket, an empty batch means "read again"
    /// (after a reconnect, a lost connection, or changes dropped for a slow connection).
    pub fn subscribe(&self) -> broadcast::Receiver<ChangeBatch> {
        match &self.transport {
            Transport::Local(l) => l.subscribe(),
            Transport::Remote(r) => r.subscribe(),
        }
    }
}
