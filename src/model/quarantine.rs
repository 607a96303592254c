use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::OrderId;

pub type QuarantineId = u64;

/// A payload that could not be parsed or mapped, kept raw with the reason (invariant 8).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Quarantined {
    pub id: QuarantineId,
    pub received_at: DateTime<Utc>,
    /// Where it came from: a channel id, or `file:PATH:LINE` for `ordo ingest`.
    pub source: String,
    /// The format the raw payload is in (`ordo` for ordo's JSON Lines), so a retry maps it again.
    pub format: String,
    pub raw: String,
    pub reason: String,
    /// Set when a retry mapped it into an order.
    pub resolved_as: Option<OrderId>,
}
