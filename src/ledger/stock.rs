//! Stock commands: counts (set and adjust), taking reservations back when a count comes in
//! below them, and offering stock that became available to the orders waiting for it.

use std::collections::BTreeSet;

use crate::model::{Actor, Allocation, EventKind, OrderId};

use super::group::Group;
use super::{LedgerError, Outcome, Reply, StockRow};

impl Group<'_> {
    pub(super) fn set_stock(&mut self, rows: Vec<StockRow>, by: Actor) -> Reply {
        for (i, row) in rows.iter().enumerate() {
            let at = if rows.len() > 1 {
                format!("row {}: ", i + 1)
            } else {
                String::new()
            };
            if !self.locations.iter().any(|l| l.id == row.location) {
                return Err(self.unknown_location(&row.location));
            }
            if row.sku.trim().is_empty() || row.sku.contains('\0') {
                return Err(LedgerError::Invalid(format!(
                    "{at}the SKU is empty or has a NUL character"
                )));
            }
            if row.on_hand < 0 {
                return Err(LedgerError::Invalid(format!(
                    "{at}on hand for {} at {} is {}; it cannot be negative",
                    row.sku, row.location, row.on_hand
                )));
            }
            if row.safety_stock.is_some_and(|s| s < 0) {
                return Err(LedgerError::Invalid(format!(
                    "{at}safety stock cannot be negative"
                )));
            }
        }
        let mut changed = BTreeSet::new();
        for row in &rows {
            let is_new = !self
                .state
                .stock
                .get(&row.sku)
                .is_some_and(|m| m.contains_key(&row.location));
            let default_safety = self.default_safety_stock;
            let level = self.state.level_mut(&row.sku, &row.location);
            let from = level.on_hand;
            level.on_hand = row.on_hand;
            if let Some(s) = row.safety_stock {
                level.safety_stock = s;
            } else if is_new {
                level.safety_stock = default_safety;
            }
            self.touch_stock(&row.sku, &row.location);
            self.emit(
                by.clone(),
                None,
                EventKind::StockSet {
                    sku: row.sku.clone(),
                    location: row.location.clone(),
                    from,
                    to: row.on_hand,
                },
                "stock count",
            );
            changed.insert((row.sku.clone(), row.location.clone()));
        }
        let mut deallocated = Vec::new();
        for (sku, location) in &changed {
            deallocated.extend(self.shed_oversold(sku, location)?);
        }
        let skus: BTreeSet<String> = changed.iter().map(|(s, _)| s.clone()).collect();
        let allocated = self.offer_stock(&skus)?;
        let levels = changed
            .into_iter()
            .map(|(sku, loc)| {
                let level = self.state.level(&sku, &loc);
                (sku, loc, level)
            })
            .collect();
        Ok(Outcome::Stock {
            levels,
            deallocated,
            allocated,
        })
    }

    /// A count that came in below what is reserved: take the reservations of the newest orders
    /// back until the rest fits, so that what is promised is there (invariant 3).
    fn shed_oversold(&mut self, sku: &str, location: &str) -> Result<Vec<OrderId>, LedgerError> {
        let mut shed = Vec::new();
        while self.state.level(sku, location).is_oversold() {
            let Some(id) = self.newest_holder(sku, location)? else {
                break;
            };
            let Some(mut order) = self.order(id)? else {
                // The index names an order the store lacks (`ordo check --repair` rebuilds
                // the index); nothing more can be shed here.
                tracing::error!(
                    order = id,
                    sku,
                    location,
                    "holder of stock not found; the index needs `ordo check --repair`"
                );
                break;
            };
            let (taken, kept): (Vec<Allocation>, Vec<Allocation>) =
                std::mem::take(&mut order.allocations)
                    .into_iter()
                    .partition(|a| a.sku == sku && a.location == location);
            order.allocations = kept;
            self.release(&taken);
            let level = self.state.level(sku, location);
            self.emit(
                Actor::System,
                Some(id),
                EventKind::Deallocated { allocations: taken },
                format!(
                    "{sku} at {location} was counted at {}, below what was reserved",
                    level.on_hand
                ),
            );
            self.save(order);
            shed.push(id);
        }
        Ok(shed)
    }

    pub(super) fn offer_released(
        &mut self,
        released: &[Allocation],
    ) -> Result<Vec<OrderId>, LedgerError> {
        if released.is_empty() {
            return Ok(Vec::new());
        }
        let skus: BTreeSet<String> = released.iter().map(|a| a.sku.clone()).collect();
        self.offer_stock(&skus)
    }

    /// Stock of these SKUs became available: offer it to the orders waiting for them, oldest
    /// first.
    fn offer_stock(&mut self, skus: &BTreeSet<String>) -> Result<Vec<OrderId>, LedgerError> {
        let ids = self.waiting_for(skus)?;
        let mut allocated = Vec::new();
        for id in ids {
            let Some(mut order) = self.order(id)? else {
                tracing::error!(order = id, "waiting order not found; skipped");
                continue;
            };
            if !order.waits_for_stock() {
                continue;
            }
            let placed = self.route(&mut order, "stock arrived for a waiting order");
            if placed.is_empty() {
                continue;
            }
            self.save(order);
            allocated.push(id);
        }
        Ok(allocated)
    }
}
