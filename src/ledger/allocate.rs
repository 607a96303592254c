//! Routing and reserving. Routing decides (a pure function of order, stock, locations, rules);
//! the reservation happens here, right after, inside the single writer: nothing can take the
//! same units between deciding and reserving (invariant 3).

use crate::model::{Actor, Allocation, Decision, DecisionStatus, EventKind, Order, OrderStatus};
use crate::routing::{self, RouteRequest, Site};

use super::group::Group;
use super::LedgerError;

impl Group<'_> {
    /// Routes what the order still lacks, reserves what the decision allocates, holds it if the
    /// decision says so, and records the decision (with its explanation) as an event. Returns
    /// the units placed.
    pub(super) fn route(&mut self, order: &mut Order, why: &str) -> Vec<Allocation> {
        let placed = self.route_inner(order, why);
        order.refresh_status();
        placed
    }

    fn route_inner(&mut self, order: &mut Order, why: &str) -> Vec<Allocation> {
        let request = RouteRequest::for_order(order);
        let first = !order.routed;
        order.routed = true;
        if request.lines.is_empty() {
            return Vec::new();
        }
        let today = self.local_day();
        let sites: Vec<Site> = self
            .locations
            .iter()
            .map(|location| Site {
                location,
                allocated_today: self.state.capacity.orders_today(&location.id, today),
            })
            .collect();
        let state = &*self.state;
        let decision = routing::route(
            &request,
            &sites,
            &|sku: &str, loc: &str| state.level(sku, loc),
            self.rules,
        );
        drop(sites);
        if !first && decision.status == DecisionStatus::Held {
            // Only `on_unroutable = "hold"` can hold an order routed before (hold rules are
            // skipped): an order waiting for stock keeps waiting rather than being held.
            return Vec::new();
        }
        let placed = self.apply_decision(order, &decision);
        if !first && placed.is_empty() {
            // Routed again (stock arrived, released, edited) and nothing new placed: the order
            // is as it was, and an event per stock change would bury the ones that matter.
            return placed;
        }
        if let Some(rule) = &decision.rule {
            *self.state.rule_hits.entry(rule.clone()).or_default() += 1;
        }
        let actor = match &decision.rule {
            Some(rule) => Actor::Rule(rule.clone()),
            None => Actor::System,
        };
        self.emit(actor, Some(order.id), EventKind::Routed { decision }, why);
        placed
    }

    fn apply_decision(&mut self, order: &mut Order, decision: &Decision) -> Vec<Allocation> {
        if decision.status == DecisionStatus::Held {
            order.hold_reason = decision
                .reason
                .clone()
                .or_else(|| Some("held by a rule".into()));
            return Vec::new();
        }
        let mut placed = Vec::with_capacity(decision.allocations.len());
        for a in &decision.allocations {
            let level = self.state.level_mut(&a.sku, &a.location);
            // The plan was made from these very levels; this guard keeps a routing bug from ever
            // turning into an oversell.
            if level.reserved + i64::from(a.qty) > level.reservable() {
                tracing::error!(order = order.id, sku = %a.sku, location = %a.location,
                    "routing proposed more than is available; allocation skipped");
                continue;
            }
            level.reserved += i64::from(a.qty);
            self.touch_stock(&a.sku, &a.location);
            placed.push(a.clone());
        }
        self.count_capacity(order, &placed);
        order.allocations.extend(placed.iter().cloned());
        placed
    }

    /// An order counts against a location's daily capacity once: when it first takes stock
    /// there, not when it is topped up.
    fn count_capacity(&mut self, order: &Order, placed: &[Allocation]) {
        let today = self.local_day();
        let mut new_sites: Vec<&str> = placed
            .iter()
            .map(|a| a.location.as_str())
            .filter(|loc| !order.allocations.iter().any(|a| a.location == *loc))
            .collect();
        new_sites.sort_unstable();
        new_sites.dedup();
        for loc in new_sites {
            self.state.capacity.count(loc, today);
        }
    }

    /// An operator sends an order to one location: its open reservations are returned, then
    /// each line takes what that location has. Refused, with nothing changed, if the location
    /// could supply none of it.
    pub(super) fn reroute(
        &mut self,
        mut order: Order,
        location: &str,
        by: Actor,
        reason: String,
    ) -> Result<OrderStatus, LedgerError> {
        let id = order.id;
        let Some(loc) = self.locations.iter().find(|l| l.id == location) else {
            return Err(self.unknown_location(location));
        };
        if !order.status.is_open() {
            return Err(LedgerError::NotAllowed {
                id,
                status: order.status,
                why: "only open orders can be re-routed".into(),
            });
        }
        // What each SKU could get there once this order's own reservations are back.
        let mut plan = Vec::new();
        let mut left: std::collections::HashMap<&str, i64> = std::collections::HashMap::new();
        let released = order.allocations.clone();
        let unplaced_after_release: Vec<(u32, String, u32)> = {
            let mut copy = order.clone();
            copy.allocations.clear();
            copy.unplaced()
        };
        for (line, sku, qty) in &unplaced_after_release {
            let entry = left.entry(sku.as_str()).or_insert_with(|| {
                let level = self.state.level(sku, &loc.id);
                let own: i64 = released
                    .iter()
                    .filter(|a| a.sku == *sku && a.location == loc.id)
                    .map(|a| i64::from(a.qty))
                    .sum();
                (level.reservable() - level.reserved + own).max(0)
            });
            let take = (*entry).min(i64::from(*qty));
            if take > 0 {
                *entry -= take;
                plan.push(Allocation {
                    line: *line,
                    sku: sku.clone(),
                    location: loc.id.clone(),
                    qty: take as u32,
                });
            }
        }
        if plan.is_empty() {
            return Err(LedgerError::NotAllowed {
                id,
                status: order.status,
                why: format!("{} has none of what the order needs", loc.id),
            });
        }
        self.release(&released);
        order.allocations.clear();
        let placed = self.apply_decision(
            &mut order,
            &Decision {
                status: DecisionStatus::Allocated,
                rule: None,
                allocations: plan,
                reason: None,
                explain: Default::default(),
            },
        );
        order.routed = true;
        let why = if reason.trim().is_empty() {
            format!("re-routed to {location} by hand")
        } else {
            reason
        };
        if !released.is_empty() {
            let taken_back = EventKind::Deallocated {
                allocations: released.clone(),
            };
            self.emit(by.clone(), Some(id), taken_back, why.clone());
        }
        self.emit(
            by,
            Some(id),
            EventKind::Allocated {
                allocations: placed,
            },
            why,
        );
        order.refresh_status();
        let status = order.status;
        self.save(order);
        self.offer_released(&released)?;
        Ok(status)
    }

    /// Gives reservations back to stock.
    pub(super) fn release(&mut self, allocations: &[Allocation]) {
        for a in allocations {
            let level = self.state.level_mut(&a.sku, &a.location);
            level.reserved = (level.reserved - i64::from(a.qty)).max(0);
            self.touch_stock(&a.sku, &a.location);
        }
    }
}
