//! What-if: re-route stored orders under other rules, changing nothing, and say what would
//! move. Operators run it before they put a rule edit in force (`ordo route --replay N`).
//!
//! Which stock: the stock as it is now, with the replayed orders' own reservations given back,
//! and the orders routed again oldest first, each taking stock (and daily capacity, counted from
//! zero) as it goes. That answers the operator's question, "if these rules were in force now,
//! where would these orders go?", and cannot promise the same unit twice. The stock each order
//! saw when it arrived is not kept, and shipped or cancelled orders are not replayed.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;

use crate::model::{DecisionStatus, Location, Order, OrderId, OrderStatus, StockLevel};
use crate::routing::{self, RouteRequest, RuleSet, Site};
use crate::store::{Store, StoreError};

/// How one order fared, before and after.
#[derive(Debug, Clone, Serialize)]
pub struct Replayed {
    pub id: OrderId,
    pub number: String,
    pub before: OrderStatus,
    pub before_locations: Vec<String>,
    pub after: DecisionStatus,
    pub after_locations: Vec<String>,
    pub rule: Option<String>,
}

impl Replayed {
    pub fn moved(&self) -> bool {
        self.before_locations != self.after_locations
    }
}

#[derive(Debug, Default, Serialize)]
pub struct LocationCounts {
    pub before: u64,
    pub after: u64,
}

#[derive(Debug, Default, Serialize)]
pub struct Summary {
    pub replayed: usize,
    /// Orders whose set of locations would change.
    pub would_move: usize,
    /// Orders per location (an order counts at each location it draws from).
    pub per_location: BTreeMap<String, LocationCounts>,
    /// Allocated (in full or part) now, backordered under the new rules.
    pub newly_unroutable: Vec<OrderId>,
    /// Not held now, held under the new rules.
    pub newly_held: Vec<OrderId>,
    /// Held now (by a rule or a person), not held under the new rules.
    pub no_longer_held: Vec<OrderId>,
    /// Decisions per rule name under the new rules.
    pub rule_hits: BTreeMap<String, u64>,
    pub orders: Vec<Replayed>,
}

/// Stock for the replay: a copy that decisions draw down.
#[derive(Default)]
struct Sandbox {
    /// sku -> location -> level (nested so that lookups by &str need no allocation).
    levels: HashMap<String, HashMap<String, StockLevel>>,
}

impl Sandbox {
    fn level(&self, sku: &str, location: &str) -> StockLevel {
        self.levels
            .get(sku)
            .and_then(|m| m.get(location))
            .copied()
            .unwrap_or_default()
    }

    fn reserve(&mut self, sku: &str, location: &str, qty: i64) {
        if let Some(level) = self.levels.get_mut(sku).and_then(|m| m.get_mut(location)) {
            level.reserved = (level.reserved + qty).max(0);
        }
    }
}

/// The last `n` open orders (newest first in the store, replayed oldest first).
pub fn last_open_orders(store: &Store, n: usize) -> Result<Vec<Order>, StoreError> {
    let mut orders = Vec::with_capacity(n.min(100_000));
    for order in store.orders().rev() {
        let order = order?;
        if order.status.is_open() {
            orders.push(order);
            if orders.len() == n {
                break;
            }
        }
    }
    orders.reverse();
    Ok(orders)
}

pub fn replay(
    store: &Store,
    locations: &[Location],
    rules: &RuleSet,
    orders: &[Order],
) -> Result<Summary, StoreError> {
    let mut sandbox = Sandbox::default();
    for item in store.stock_levels() {
        let (key, level) = item?;
        sandbox
            .levels
            .entry(key.sku)
            .or_default()
            .insert(key.location, level);
    }
    for order in orders {
        for a in &order.allocations {
            sandbox.reserve(&a.sku, &a.location, -i64::from(a.qty));
        }
    }
    let mut today: HashMap<&str, u32> = HashMap::new();
    let mut summary = Summary {
        replayed: orders.len(),
        ..Summary::default()
    };
    for order in orders {
        // As if it had just arrived: nothing placed, hold rules apply.
        let mut fresh = order.clone();
        fresh.allocations.clear();
        fresh.routed = false;
        let request = RouteRequest::for_order(&fresh);
        let sites: Vec<Site> = locations
            .iter()
            .map(|location| Site {
                location,
                allocated_today: today.get(location.id.as_str()).copied().unwrap_or(0),
            })
            .collect();
        let decision = routing::route(
            &request,
            &sites,
            &|sku: &str, loc: &str| sandbox.level(sku, loc),
            rules,
        );
        let mut after_locations = BTreeSet::new();
        for a in &decision.allocations {
            sandbox.reserve(&a.sku, &a.location, i64::from(a.qty));
            after_locations.insert(a.location.clone());
        }
        for loc in &after_locations {
            if let Some(l) = locations.iter().find(|l| &l.id == loc) {
                *today.entry(l.id.as_str()).or_default() += 1;
            }
        }
        if let Some(rule) = &decision.rule {
            *summary.rule_hits.entry(rule.clone()).or_default() += 1;
        }
        let before_locations: Vec<String> =
            order.locations().into_iter().map(String::from).collect();
        let after_locations: Vec<String> = after_locations.into_iter().collect();
        for loc in &before_locations {
            summary.per_location.entry(loc.clone()).or_default().before += 1;
        }
        for loc in &after_locations {
            summary.per_location.entry(loc.clone()).or_default().after += 1;
        }
        let was_placed = matches!(
            order.status,
            OrderStatus::Allocated | OrderStatus::PartiallyAllocated
        );
        if was_placed && decision.status == DecisionStatus::Backordered {
            summary.newly_unroutable.push(order.id);
        }
        let held_before = order.status == OrderStatus::Held;
        let held_after = decision.status == DecisionStatus::Held;
        if held_after && !held_before {
            summary.newly_held.push(order.id);
        }
        if held_before && !held_after {
            summary.no_longer_held.push(order.id);
        }
        let replayed = Replayed {
            id: order.id,
            number: order.channel_order.number.clone(),
            before: order.status,
            before_locations,
            after: decision.status,
            after_locations,
            rule: decision.rule,
        };
        if replayed.moved() {
            summary.would_move += 1;
        }
        summary.orders.push(replayed);
    }
    Ok(summary)
}
