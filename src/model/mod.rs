//! Plain data: what an order, a location, a stock level and an event are. No I/O here; every
//! other module depends on this one and it depends on none of them.
//!
//! The store keeps these types in postcard, a compact positional encoding, so their serde shape
//! must not depend on the data: no `skip_serializing_if`, no `flatten`, no internally or
//! adjacently tagged enums. Changing a stored type's fields means a new record format version.

mod channel;
mod cursor;
mod decision;
mod event;
mod location;
mod order;
mod outbox;
mod quarantine;
mod stock;

pub use channel::{ChannelHealth, ChannelKind};
pub use cursor::{ChannelCursor, Sweep};
pub use decision::{
    Condition, Decision, DecisionStatus, Explanation, Method, OnUnroutable, Outcome, Pick,
    RuleTrace, SiteTrace, Verdict,
};
pub use event::{Actor, Event, EventKind};
pub use location::{Location, LocationKind};
pub use order::{
    Address, Allocation, ChannelOrder, Customer, FinancialStatus, Line, Order, OrderId,
    OrderStatus, Shipment, Totals,
};
pub use outbox::{PushIntent, PushWhat};
pub use quarantine::{QuarantineId, Quarantined};
pub use stock::{StockKey, StockLevel};

/// Money is always decimal (invariant 7), never a float.
pub type Money = rust_decimal::Decimal;
