//! What routing decided for an order and why: plain data, produced by `routing`, stored with
//! the order's events, shown by the console and the command line. The functions that build and
//! describe it live in `routing` (`route`, `Explanation::summary`).
//!
//! Stored in postcard (positional): no `skip_serializing_if`, no `flatten`, no internally or
//! untagged enums here.

use serde::{Deserialize, Serialize};

use super::Allocation;

/// The explanation stored with a decision.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Explanation {
    /// Ids of the locations routing was given, in that order; [`SiteTrace::site`] indexes it.
    pub locations: Vec<String>,
    /// One entry per rule tried, in order; the last one decided unless `unroutable` is set.
    pub rules: Vec<RuleTrace>,
    /// Set when no rule allocated or held the order: what `on_unroutable` made of it.
    pub unroutable: Option<OnUnroutable>,
}

/// One rule tried.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleTrace {
    /// 0-based position in the rule list.
    pub index: usize,
    pub name: String,
    pub outcome: Outcome,
    /// Every location, for a routing rule whose `when` matched; empty otherwise.
    pub sites: Vec<SiteTrace>,
}

/// What a rule came to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// A `when` condition did not match: the rule does not apply.
    Skipped { condition: Condition },
    /// A hold rule applied.
    Held { reason: String },
    /// A routing rule placed the order (in full, or in part for split "partial").
    Placed {
        status: DecisionStatus,
        method: Method,
        /// Locations used, in the order the plan took them, with the units each gives.
        picks: Vec<Pick>,
        /// Units left backordered (split "partial" only).
        missing_units: u64,
    },
    /// No location passed the patterns, channel, capacity and distance checks.
    NoCandidates,
    /// split "never" and no single candidate has every line in full.
    NoSingleLocation,
    /// split "allowed" and the candidates together lack units.
    MissingUnits {
        missing_units: u64,
        placeable_units: u64,
    },
    /// split "partial" and not one unit could be placed.
    NothingPlaced { missing_units: u64 },
}

/// The `when` condition that did not match.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Condition {
    Channels,
    Countries,
    ShipMethods,
    TotalMin,
    TotalMax,
    SkusAny,
    /// A hold rule met an order that was routed before (released by an operator, or topped up
    /// when stock arrived): hold rules decide an order's first routing only.
    FirstRoutingOnly,
}

/// How a routing rule built its plan (steps 6 and 7 of the spec).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// One location fills every line (step 6).
    SingleLocation,
    /// Greedy cover, for sort lists with fewest_splits (step 7).
    GreedyCover,
    /// Each line in line order from the candidates in rank order (step 7).
    PerLine,
    /// The order had no unit to place (every line has quantity 0).
    NothingToPlace,
}

/// One location of the plan and the units it gives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pick {
    pub location: String,
    pub units: u64,
}

/// One location as a routing rule saw it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SiteTrace {
    /// Index into [`Explanation::locations`].
    pub site: u32,
    pub verdict: Verdict,
}

/// Why a location was excluded, or how it ranked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Matches none of the rule's `locations` patterns.
    NoPatternMatch,
    /// Has a `channels` list without the order's channel.
    WrongChannel,
    /// `allocated_today` has reached `daily_capacity`.
    AtCapacity {
        allocated_today: u32,
        daily_capacity: u32,
    },
    /// Farther than `max_distance_km`; `distance_km` is absent when a coordinate is missing
    /// (infinitely far).
    TooFar {
        distance_km: Option<f64>,
        max_distance_km: f64,
    },
    /// A candidate: its rank (1 = best) and the key values it was ranked by. `distance_km` is
    /// given when the rule uses distance and both ends have coordinates; `most_stock` when the
    /// rule sorts by it.
    Ranked {
        rank: u32,
        distance_km: Option<f64>,
        priority: Option<u32>,
        most_stock: Option<u64>,
    },
}

/// What routing decided for an order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DecisionStatus {
    Allocated,
    PartiallyAllocated,
    Backordered,
    Held,
}

/// The answer of [`route`]: step 10 of the spec, plus the structured explanation. Its serde
/// shape is positional-safe (the store keeps it in postcard with the order).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    pub status: DecisionStatus,
    /// Name of the deciding rule; `None` when no rule allocated or held the order.
    pub rule: Option<String>,
    /// Never holds an allocation of 0 units.
    pub allocations: Vec<Allocation>,
    /// Set for `held` only: the hold rule's reason, or "unroutable".
    pub reason: Option<String>,
    pub explain: Explanation,
}

/// What happens to an order that no rule allocates or holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnUnroutable {
    #[default]
    Backorder,
    Hold,
}
