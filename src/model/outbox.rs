use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::OrderId;

/// Something a channel must be told, written in the same commit as the change that causes it
/// (invariant 6) and kept until the channel confirms it. Stock intents are keyed by (channel,
/// SKU), so a newer figure replaces an older one not yet sent: the latest wins.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PushIntent {
    /// Increases with every intent written: a confirmation removes the intent only if it is
    /// still the one that was sent.
    pub seq: u64,
    /// When the change was committed (push latency is measured from here).
    pub at: DateTime<Utc>,
    pub what: PushWhat,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum PushWhat {
    /// Set the channel's available-to-sell of a SKU.
    Stock { sku: String, available: i64 },
    /// Report a shipment of an order the channel sold.
    Fulfillment {
        order_id: OrderId,
        order_external_id: String,
        /// Which of the order's shipments (0-based).
        shipment: u32,
        carrier: String,
        tracking: String,
        shipped_at: DateTime<Utc>,
        /// (channel line id, SKU, units).
        lines: Vec<(Option<String>, String, u32)>,
    },
}
