//! Reserving and releasing stock, and the call into routing. Reservation happens here and only
//! here, inside the single writer, right after the decision: nothing can take the same units
//! between deciding and reserving (invariant 3).

use std::collections::BTreeMap;

use crate::model::{Actor, Allocation, EventKind, Location, Order};

use super::group::Group;
use super::state::HotState;

impl Group<'_> {
    /// Places what the order still lacks, reserving as it goes. Returns the new allocations.
    pub(super) fn route(&mut self, order: &mut Order) -> Vec<Allocation> {
        order.routed = true;
        let unplaced = order.unplaced();
        if unplaced.is_empty() {
            return Vec::new();
        }
        let plan = first_fit(
            &order.channel_order.channel,
            &unplaced,
            self.locations,
            self.state,
        );
        let mut placed = Vec::with_capacity(plan.len());
        for a in plan {
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
            placed.push(a);
        }
        order.allocations.extend(placed.iter().cloned());
        placed
    }

    /// Routes and records the outcome as an event.
    pub(super) fn route_and_record(&mut self, order: &mut Order, why: &str) -> bool {
        let placed = self.route(order);
        order.refresh_status();
        if !placed.is_empty() {
            self.emit(
                Actor::Rule("first-fit".into()),
                Some(order.id),
                EventKind::Allocated {
                    allocations: placed,
                },
                why,
            );
            true
        } else {
            if !order.unplaced().is_empty() && order.allocations.is_empty() {
                self.emit(
                    Actor::Rule("first-fit".into()),
                    Some(order.id),
                    EventKind::Backordered,
                    "no location can supply the order in full",
                );
            }
            false
        }
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

/// Placeholder routing until the rules engine lands: the best-priority location that serves the
/// channel and can supply every unit; otherwise nothing (backorder).
fn first_fit(
    channel: &str,
    unplaced: &[(u32, String, u32)],
    locations: &[Location],
    state: &HotState,
) -> Vec<Allocation> {
    let mut need: BTreeMap<&str, i64> = BTreeMap::new();
    for (_, sku, qty) in unplaced {
        *need.entry(sku.as_str()).or_default() += i64::from(*qty);
    }
    let mut candidates: Vec<&Location> = locations.iter().filter(|l| l.serves(channel)).collect();
    candidates.sort_by(|a, b| {
        (a.priority.is_none(), a.priority, &a.id).cmp(&(b.priority.is_none(), b.priority, &b.id))
    });
    let Some(loc) = candidates.into_iter().find(|loc| {
        need.iter()
            .all(|(sku, qty)| state.level(sku, &loc.id).available() >= *qty)
    }) else {
        return Vec::new();
    };
    unplaced
        .iter()
        .map(|(line, sku, qty)| Allocation {
            line: *line,
            sku: sku.clone(),
            location: loc.id.clone(),
            qty: *qty,
        })
        .collect()
}
