use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{Allocation, Decision, OrderId, OrderStatus, QuarantineId};

/// Who caused a change (invariant 5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Actor {
    Channel(String),
    Operator(String),
    Rule(String),
    System,
}

impl std::fmt::Display for Actor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Actor::Channel(c) => write!(f, "channel:{c}"),
            Actor::Operator(o) => write!(f, "operator:{o}"),
            Actor::Rule(r) => write!(f, "rule:{r}"),
            Actor::System => f.write_str("system"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    OrderReceived {
        status: OrderStatus,
    },
    OrderUpdated {
        status: OrderStatus,
    },
    /// Routing's decision for an order, with its explanation (every rule tried, every
    /// location considered).
    Routed {
        decision: Decision,
    },
    /// Units reserved by hand (an operator's re-route).
    Allocated {
        allocations: Vec<Allocation>,
    },
    Deallocated {
        allocations: Vec<Allocation>,
    },
    Held,
    Released,
    Cancelled,
    Shipped {
        carrier: String,
        tracking: String,
        lines: Vec<Allocation>,
    },
    StockSet {
        sku: String,
        location: String,
        from: i64,
        to: i64,
    },
    Quarantined {
        quarantine_id: QuarantineId,
    },
    QuarantineResolved {
        quarantine_id: QuarantineId,
    },
    Repaired,
    /// The routing rules were replaced (a config edit), or an edit was refused.
    RulesReloaded {
        rules: Vec<String>,
    },
    RulesRejected {
        error: String,
    },
    /// A channel confirmed a shipment ordo reported to it.
    FulfillmentReported {
        channel: String,
    },
    /// A channel refused a push for good (a SKU it does not list, an order it does not know).
    PushRefused {
        channel: String,
    },
}

impl EventKind {
    pub fn name(&self) -> &'static str {
        match self {
            EventKind::OrderReceived { .. } => "order_received",
            EventKind::OrderUpdated { .. } => "order_updated",
            EventKind::Routed { .. } => "routed",
            EventKind::Allocated { .. } => "allocated",
            EventKind::Deallocated { .. } => "deallocated",
            EventKind::Held => "held",
            EventKind::Released => "released",
            EventKind::Cancelled => "cancelled",
            EventKind::Shipped { .. } => "shipped",
            EventKind::StockSet { .. } => "stock_set",
            EventKind::Quarantined { .. } => "quarantined",
            EventKind::QuarantineResolved { .. } => "quarantine_resolved",
            EventKind::Repaired => "repaired",
            EventKind::RulesReloaded { .. } => "rules_reloaded",
            EventKind::RulesRejected { .. } => "rules_rejected",
            EventKind::FulfillmentReported { .. } => "fulfillment_reported",
            EventKind::PushRefused { .. } => "push_refused",
        }
    }
}

/// One entry of the append-only audit trail: who, what, why, when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub seq: u64,
    pub at: DateTime<Utc>,
    pub actor: Actor,
    #[serde(default)]
    pub order_id: Option<OrderId>,
    pub kind: EventKind,
    pub why: String,
}
