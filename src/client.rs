//! The client API: everything a console (or a script) asks of the engine, as plain serde
//! types. The console uses only this and `model`, so the same console code can later talk to
//! an engine over a socket. This is the in-process implementation: reads go to the store's
//! indexes (a page reads only the rows it shows), changes go through the ledger.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

pub use crate::channels::poller::Control as ChannelControl;
use crate::engine::hub::ChannelsHub;
use crate::ledger::{ChangeBatch, Command, LedgerHandle, Reply, RulesStatus};
use crate::model::{
    ChannelHealth, Decision, Event, EventKind, Location, Order, OrderId, OrderStatus, QuarantineId,
    Quarantined, StockKey, StockLevel,
};
use crate::store::{keys, Store, StoreError};

/// Which orders a list shows; at most one index is used, the rest is filtered on the page.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderQuery {
    pub status: Option<OrderStatus>,
    pub channel: Option<String>,
    pub location: Option<String>,
}

/// One page of a list: rows in display order, and whether more follow.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Page<T> {
    pub rows: Vec<T>,
    pub more: bool,
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

/// The engine as a client sees it. Cloning is cheap.
#[derive(Clone)]
pub struct Client {
    store: Arc<Store>,
    ledger: LedgerHandle,
    locations: Arc<Vec<Location>>,
    channels: Arc<ChannelsHub>,
}

impl Client {
    pub fn new(store: Arc<Store>, ledger: LedgerHandle, locations: Vec<Location>) -> Client {
        Client {
            store,
            ledger,
            locations: Arc::new(locations),
            channels: Arc::new(ChannelsHub::default()),
        }
    }

    /// The same client with the engine's channel services behind it.
    pub fn with_channels(mut self, channels: Arc<ChannelsHub>) -> Client {
        self.channels = channels;
        self
    }

    /// Every configured channel's health: last success, lag, errors, rate-limit headroom.
    pub fn channels(&self) -> Vec<ChannelHealth> {
        self.channels.health()
    }

    /// Each channel's available-to-sell of these SKUs, as last computed and sent to the outbox:
    /// (sku, channel, figure), for the channels that have one.
    pub fn available_to_sell(
        &self,
        skus: &[&str],
    ) -> Result<Vec<(String, String, i64)>, StoreError> {
        let channels: Vec<String> = self
            .channels
            .health()
            .into_iter()
            .filter(|h| h.enabled)
            .map(|h| h.id)
            .collect();
        let mut out = Vec::new();
        for sku in skus {
            for ch in &channels {
                if let Some(ats) = self.store.ats_figure(ch, sku)? {
                    out.push((sku.to_string(), ch.clone(), ats));
                }
            }
        }
        Ok(out)
    }

    /// Asks a channel's poller to pause, resume, or poll now.
    pub fn control_channel(&self, id: &str, control: ChannelControl) -> Result<(), String> {
        self.channels.control(id, control)
    }

    pub fn locations(&self) -> &[Location] {
        &self.locations
    }

    /// Newest first, skipping `offset` rows of the query's index, at most `limit` rows.
    pub fn orders(
        &self,
        query: &OrderQuery,
        offset: usize,
        limit: usize,
    ) -> Result<Page<Order>, StoreError> {
        let ids: Box<dyn Iterator<Item = Result<OrderId, StoreError>>> =
            match (&query.location, &query.channel, query.status) {
                (Some(loc), _, st) => Box::new(self.store.ids_at_location(loc, st).rev()),
                (None, Some(ch), _) => Box::new(self.store.ids_by_channel(ch).rev()),
                (None, None, Some(st)) => Box::new(self.store.ids_by_status(st).rev()),
                (None, None, None) => Box::new(self.store.ids_under(&[keys::ORDER]).rev()),
            };
        // Only what the chosen index does not already guarantee needs the order read to check.
        let check_status =
            query.status.is_some() && query.location.is_none() && query.channel.is_some();
        let check_channel = query.channel.is_some() && query.location.is_some();
        let mut ids = ids;
        if !check_status && !check_channel {
            // Every id the index gives is a row: skip without reading.
            for id in ids.by_ref().take(offset) {
                id?;
            }
        }
        let mut rows = Vec::with_capacity(limit);
        let mut skipped = 0;
        for id in ids {
            let Some(order) = self.store.order(id?)? else {
                continue;
            };
            let wanted = (!check_status || query.status.is_none_or(|s| order.status == s))
                && (!check_channel
                    || query
                        .channel
                        .as_ref()
                        .is_none_or(|c| &order.channel_order.channel == c));
            if !wanted {
                continue;
            }
            if (check_status || check_channel) && skipped < offset {
                skipped += 1;
                continue;
            }
            if rows.len() == limit {
                return Ok(Page { rows, more: true });
            }
            rows.push(order);
        }
        Ok(Page { rows, more: false })
    }

    pub fn order(&self, id: OrderId) -> Result<Option<OrderDetail>, StoreError> {
        let Some(order) = self.store.order(id)? else {
            return Ok(None);
        };
        let history = self.store.history(&order)?;
        let decision = history.iter().rev().find_map(|e| match &e.kind {
            EventKind::Routed { decision } => Some(decision.clone()),
            _ => None,
        });
        Ok(Some(OrderDetail {
            order,
            history,
            decision,
        }))
    }

    pub fn counters(&self) -> Counters {
        self.ledger.counts()
    }

    /// Stock records in (sku, location) order.
    pub fn stock(&self, offset: usize, limit: usize) -> Result<Page<StockRow>, StoreError> {
        let mut rows = Vec::with_capacity(limit);
        for item in self.store.stock_levels().skip(offset) {
            let (key, level) = item?;
            if rows.len() == limit {
                return Ok(Page { rows, more: true });
            }
            rows.push(StockRow { key, level });
        }
        Ok(Page { rows, more: false })
    }

    /// The newest `limit` events, newest first.
    pub fn recent_events(&self, limit: usize) -> Result<Vec<Event>, StoreError> {
        self.store.recent_events(limit)
    }

    pub fn quarantined(&self) -> Result<Vec<Quarantined>, StoreError> {
        self.store.quarantined().collect()
    }

    pub fn quarantine(&self, id: QuarantineId) -> Result<Option<Quarantined>, StoreError> {
        self.store.quarantine(id)
    }

    pub fn rules(&self) -> RulesStatus {
        self.ledger.rules_status()
    }

    /// Sends a command; the answer comes once it is durable (or refused).
    pub async fn submit(&self, command: Command) -> Reply {
        self.ledger.submit(command).await
    }

    /// Committed changes as they happen.
    pub fn subscribe(&self) -> broadcast::Receiver<ChangeBatch> {
        self.ledger.subscribe()
    }
}
