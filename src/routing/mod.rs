//! Routing: which locations fulfill an order, decided by rules that staff edit while ordo runs.
//!
//! The decision is a pure function ([`route`]): no I/O, no clock, no async. The ledger calls it
//! for live orders inside its single-writer step (and reserves what it returns), `ordo route
//! --scenario FILE` calls it through [`run_scenario_file`], and what-if replays call it over
//! stored orders. The semantics are those of `reference/routing/scenarios.md`, step for step;
//! `decide.rs` cites the step each part implements.
//!
//! | file | owns |
//! | --- | --- |
//! | `rules.rs` | [`Rule`] as written (JSON scenario files and TOML `[[rules]]` share the fields), validation, and the compiled [`RuleSet`] |
//! | `decide.rs` | the algorithm: [`route`] |
//! | `explain.rs` | [`Explanation`]: per rule tried, why it applied or not, per location why excluded or how ranked; [`Explanation::summary`] |
//! | `geo.rs` | great-circle distance; ship-to coordinates from postal-code and country centroids (`assets/geo/`) |
//! | `scenario.rs` | the scenario file: parse, build the inputs, route, compare with `expect` |
//!
//! Decisions made on purpose where the spec leaves room are listed in `rules.rs` (validation)
//! and `decide.rs` (evaluation).

mod decide;
mod explain;
pub mod geo;
mod rules;
mod scenario;

#[cfg(test)]
mod props;
#[cfg(test)]
mod tests;

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::model::{Location, Money, StockLevel};

pub use crate::model::{
    Condition, Decision, DecisionStatus, Explanation, Method, OnUnroutable, Outcome, Pick,
    RuleTrace, SiteTrace, Verdict,
};
pub use decide::route;
pub use explain::{ExplainEntry, ExplainSite, OutcomeView, VerdictView};
pub use geo::{ship_to_coordinates, GeoSource};
pub use rules::{validate_rules, Action, Rule, RuleError, RuleSet, SortKey, Split, When};
pub use scenario::{
    parse_scenario, run_scenario_file, run_scenario_str, Expect, Scenario, ScenarioError,
    ScenarioOutcome,
};

/// One order line as routing sees it: what still has to be placed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RouteLine {
    pub line: u32,
    pub sku: String,
    /// Lines with quantity 0 are ignored.
    pub qty: u32,
}

/// The order as routing sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RouteRequest {
    pub order_id: String,
    pub channel: String,
    pub ship_method: String,
    pub pickup_location: Option<String>,
    pub total: Money,
    pub country: Option<String>,
    pub postal_code: Option<String>,
    /// Ship-to coordinates. Absent: every location is at infinite distance (ranked last by
    /// `closest`, dropped by `max_distance_km`). Geocoding from the postal code is the caller's
    /// business; routing is pure.
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub lines: Vec<RouteLine>,
    /// Set when the order was routed before (an operator released it, or stock arrived for
    /// what it still lacks): hold rules are skipped, or a released order would be held again.
    pub skip_hold_rules: bool,
}

impl RouteRequest {
    /// What routing sees of a stored order: the units it still lacks, and where it goes.
    /// Hold rules are skipped for an order routed before.
    pub fn for_order(order: &crate::model::Order) -> RouteRequest {
        let co = &order.channel_order;
        let ship_to = co.ship_to.as_ref();
        let (lat, lon, _) = geo::ship_to_coordinates(
            ship_to.and_then(|a| a.lat),
            ship_to.and_then(|a| a.lon),
            ship_to.map(|a| a.country.as_str()),
            ship_to.map(|a| a.postal_code.as_str()),
        );
        RouteRequest {
            order_id: order.id.to_string(),
            channel: co.channel.clone(),
            ship_method: co.ship_method.clone(),
            pickup_location: co.pickup_location.clone(),
            total: co.totals.total,
            country: ship_to.map(|a| a.country.clone()),
            postal_code: ship_to.map(|a| a.postal_code.clone()),
            lat,
            lon,
            lines: order
                .unplaced()
                .into_iter()
                .map(|(line, sku, qty)| RouteLine { line, sku, qty })
                .collect(),
            skip_hold_rules: order.routed,
        }
    }
}

/// A location and how many orders it has taken today (for `daily_capacity`).
#[derive(Debug, Clone, Copy)]
pub struct Site<'a> {
    pub location: &'a Location,
    pub allocated_today: u32,
}

/// Stock levels as the decision sees them. An absent level is all zeros.
pub trait StockView {
    fn level(&self, sku: &str, location: &str) -> StockLevel;
}

/// Any `Fn(sku, location) -> StockLevel` is a stock view.
impl<F> StockView for F
where
    F: Fn(&str, &str) -> StockLevel,
{
    fn level(&self, sku: &str, location: &str) -> StockLevel {
        self(sku, location)
    }
}

/// A simple in-memory stock table (sku -> location -> level), for scenarios, tests and benches.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StockTable {
    levels: HashMap<String, HashMap<String, StockLevel>>,
}

impl StockTable {
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the level of `sku` at `location`, returning the one it replaces.
    pub fn set(
        &mut self,
        sku: impl Into<String>,
        location: impl Into<String>,
        level: StockLevel,
    ) -> Option<StockLevel> {
        self.levels
            .entry(sku.into())
            .or_default()
            .insert(location.into(), level)
    }

    pub fn get(&self, sku: &str, location: &str) -> Option<&StockLevel> {
        self.levels.get(sku)?.get(location)
    }
}

impl StockView for StockTable {
    fn level(&self, sku: &str, location: &str) -> StockLevel {
        self.get(sku, location).copied().unwrap_or_default()
    }
}

impl DecisionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DecisionStatus::Allocated => "allocated",
            DecisionStatus::PartiallyAllocated => "partially_allocated",
            DecisionStatus::Backordered => "backordered",
            DecisionStatus::Held => "held",
        }
    }
}

impl From<DecisionStatus> for crate::model::OrderStatus {
    fn from(s: DecisionStatus) -> Self {
        match s {
            DecisionStatus::Allocated => crate::model::OrderStatus::Allocated,
            DecisionStatus::PartiallyAllocated => crate::model::OrderStatus::PartiallyAllocated,
            DecisionStatus::Backordered => crate::model::OrderStatus::Backordered,
            DecisionStatus::Held => crate::model::OrderStatus::Held,
        }
    }
}

impl std::fmt::Display for DecisionStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
