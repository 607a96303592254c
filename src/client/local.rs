//! The in-process client: reads go to the store's indexes (a page reads only the rows it
//! shows), changes go through the ledger.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use tokio::sync::broadcast;

use super::matcher::OrderMatcher;
use super::{
    ChannelControl, Counters, LocationCount, OrderDetail, OrderQuery, Page, StockQuery, StockRow,
    SCAN_LIMIT,
};
use crate::engine::hub::ChannelsHub;
use crate::ledger::{ChangeBatch, Command, LedgerHandle, Reply, RulesStatus};
use crate::model::{
    ChannelHealth, Event, EventKind, Location, Order, OrderId, OrderStatus, QuarantineId,
    Quarantined,
};
use crate::store::{keys, Store, StoreError};

#[derive(Clone)]
pub(super) struct Local {
    store: Arc<Store>,
    ledger: LedgerHandle,
    locations: Arc<Vec<Location>>,
    pub(super) channels: Arc<ChannelsHub>,
}

impl Local {
    pub(super) fn new(store: Arc<Store>, ledger: LedgerHandle, locations: Vec<Location>) -> Local {
        Local {
            store,
            ledger,
            locations: Arc::new(locations),
            channels: Arc::new(ChannelsHub::default()),
        }
    }

    pub(super) fn channels(&self) -> Vec<ChannelHealth> {
        self.channels.health()
    }

    pub(super) fn available_to_sell(
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

    pub(super) fn control_channel(&self, id: &str, control: ChannelControl) -> Result<(), String> {
        self.channels.control(id, control)
    }

    pub(super) fn locations(&self) -> Vec<Location> {
        self.locations.to_vec()
    }

    /// Each location's queue counted per status on the `q` index keys, at most `bound` + 1
    /// keys a status: a crowded status does not hide the others' figures, and no order is read.
    pub(super) fn location_counts(
        &self,
        locations: &[String],
        bound: usize,
    ) -> Result<Vec<LocationCount>, StoreError> {
        let mut out = Vec::with_capacity(locations.len());
        for loc in locations {
            let mut by_status = Vec::new();
            for st in OrderStatus::ALL {
                let mut n = 0u64;
                for id in self.store.ids_at_location(loc, Some(st)).take(bound + 1) {
                    id?;
                    n += 1;
                }
                if n > 0 {
                    by_status.push((st, n));
                }
            }
            out.push(LocationCount {
                location: loc.clone(),
                by_status,
            });
        }
        Ok(out)
    }

    pub(super) fn orders(
        &self,
        query: &OrderQuery,
        offset: usize,
        limit: usize,
    ) -> Result<Page<Order>, StoreError> {
        // Ages are counted back from the time of this read.
        self.orders_within(query, offset, limit, SCAN_LIMIT, Utc::now())
    }

    /// [`Local::orders`] with the scan bound and the time given (tests use small ones).
    pub(super) fn orders_within(
        &self,
        query: &OrderQuery,
        offset: usize,
        limit: usize,
        scan_limit: usize,
        now: DateTime<Utc>,
    ) -> Result<Page<Order>, StoreError> {
        let ids: Box<dyn Iterator<Item = Result<OrderId, StoreError>>> =
            match (&query.location, &query.channel, query.status) {
                (Some(loc), _, st) => Box::new(self.store.ids_at_location(loc, st).rev()),
                (None, Some(ch), _) => Box::new(self.store.ids_by_channel(ch).rev()),
                (None, None, Some(st)) => Box::new(self.store.ids_by_status(st).rev()),
                (None, None, None) => Box::new(self.store.ids_under(&[keys::ORDER]).rev()),
            };
        let mut text = OrderMatcher::new(query, now);
        // Only what the chosen index does not already guarantee needs the order read to check.
        let check_status =
            query.status.is_some() && query.location.is_none() && query.channel.is_some();
        let check_channel = query.channel.is_some() && query.location.is_some();
        let checked = check_status || check_channel || text.is_some();
        let mut ids = ids;
        if !checked {
            // Every id the index gives is a row: skip without reading.
            for id in ids.by_ref().take(offset) {
                id?;
            }
        }
        let mut rows = Vec::with_capacity(limit.min(1024));
        let mut skipped = 0;
        let mut scanned = 0;
        for id in ids {
            // Words, globs and ages are matched on the order itself: bounded, so that a word
            // that matches little costs at most SCAN_LIMIT reads, whatever the store holds.
            if text.is_some() {
                if scanned == scan_limit {
                    return Ok(Page {
                        rows,
                        more: false,
                        capped: Some(scan_limit),
                    });
                }
                scanned += 1;
            }
            let Some(order) = self.store.order(id?)? else {
                continue;
            };
            let wanted = (!check_status || query.status.is_none_or(|s| order.status == s))
                && (!check_channel
                    || query
                        .channel
                        .as_ref()
                        .is_none_or(|c| &order.channel_order.channel == c))
                && text.as_mut().is_none_or(|m| m.matches(&order));
            if !wanted {
                continue;
            }
            if checked && skipped < offset {
                skipped += 1;
                continue;
            }
            if rows.len() == limit {
                return Ok(Page {
                    rows,
                    more: true,
                    capped: None,
                });
            }
            rows.push(order);
        }
        Ok(Page {
            rows,
            more: false,
            capped: None,
        })
    }

    pub(super) fn order(&self, id: OrderId) -> Result<Option<OrderDetail>, StoreError> {
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

    pub(super) fn counters(&self) -> Counters {
        self.ledger.counts()
    }

    pub(super) fn stock(
        &self,
        query: &StockQuery,
        offset: usize,
        limit: usize,
    ) -> Result<Page<StockRow>, StoreError> {
        // The whole stock table is walked for a filter (no index by SKU substring or by
        // location): one record per SKU and location, ~1,400 in the demo, and the key is
        // matched before the level is looked at.
        let matcher = query.matcher();
        let mut rows = Vec::with_capacity(limit.min(1024));
        let mut skipped = 0;
        for item in self.store.stock_levels() {
            let (key, level) = item?;
            if !matcher.matches(&key, &level) {
                continue;
            }
            if skipped < offset {
                skipped += 1;
                continue;
            }
            if rows.len() == limit {
                return Ok(Page {
                    rows,
                    more: true,
                    capped: None,
                });
            }
            rows.push(StockRow { key, level });
        }
        Ok(Page {
            rows,
            more: false,
            capped: None,
        })
    }

    pub(super) fn recent_events(&self, limit: usize) -> Result<Vec<Event>, StoreError> {
        self.store.recent_events(limit)
    }

    pub(super) fn quarantined(&self) -> Result<Vec<Quarantined>, StoreError> {
        self.store.quarantined().collect()
    }

    pub(super) fn quarantine(&self, id: QuarantineId) -> Result<Option<Quarantined>, StoreError> {
        self.store.quarantine(id)
    }

    pub(super) fn rules(&self) -> RulesStatus {
        self.ledger.rules_status()
    }

    pub(super) async fn submit(&self, command: Command) -> Reply {
        self.ledger.submit(command).await
    }

    pub(super) fn subscribe(&self) -> broadcast::Receiver<ChangeBatch> {
        self.ledger.subscribe()
    }
}

#[cfg(test)]
#[path = "local_tests.rs"]
mod tests;
