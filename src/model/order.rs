use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::Money;

/// ordo's own id for an order: assigned by the ledger in arrival order, so ids sort by age.
pub type OrderId = u64;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    /// Received but not routed yet (for example payment still pending).
    New,
    Allocated,
    PartiallyAllocated,
    Backordered,
    Held,
    PartiallyShipped,
    Shipped,
    Cancelled,
}

impl OrderStatus {
    pub const ALL: [OrderStatus; 8] = [
        OrderStatus::New,
        OrderStatus::Allocated,
        OrderStatus::PartiallyAllocated,
        OrderStatus::Backordered,
        OrderStatus::Held,
        OrderStatus::PartiallyShipped,
        OrderStatus::Shipped,
        OrderStatus::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::New => "new",
            OrderStatus::Allocated => "allocated",
            OrderStatus::PartiallyAllocated => "partially_allocated",
            OrderStatus::Backordered => "backordered",
            OrderStatus::Held => "held",
            OrderStatus::PartiallyShipped => "partially_shipped",
            OrderStatus::Shipped => "shipped",
            OrderStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<OrderStatus> {
        OrderStatus::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// A stable one-byte code for index keys; never renumber.
    pub fn code(self) -> u8 {
        match self {
            OrderStatus::New => 1,
            OrderStatus::Allocated => 2,
            OrderStatus::PartiallyAllocated => 3,
            OrderStatus::Backordered => 4,
            OrderStatus::Held => 5,
            OrderStatus::PartiallyShipped => 6,
            OrderStatus::Shipped => 7,
            OrderStatus::Cancelled => 8,
        }
    }

    pub fn from_code(code: u8) -> Option<OrderStatus> {
        OrderStatus::ALL.into_iter().find(|st| st.code() == code)
    }

    /// Open orders still hold (or wait for) stock.
    pub fn is_open(self) -> bool {
        !matches!(self, OrderStatus::Shipped | OrderStatus::Cancelled)
    }
}

impl std::fmt::Display for OrderStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FinancialStatus {
    Pending,
    Authorized,
    #[default]
    Paid,
    PartiallyPaid,
    PartiallyRefunded,
    Refunded,
    Voided,
}

impl FinancialStatus {
    /// Orders whose payment is still pending are kept but not routed yet.
    pub fn may_route(self) -> bool {
        !matches!(self, FinancialStatus::Pending)
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Customer {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Address {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub line1: String,
    #[serde(default)]
    pub line2: Option<String>,
    #[serde(default)]
    pub city: String,
    #[serde(default)]
    pub region: Option<String>,
    #[serde(default)]
    pub postal_code: String,
    /// ISO 3166-1 alpha-2.
    pub country: String,
    #[serde(default)]
    pub lat: Option<f64>,
    #[serde(default)]
    pub lon: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Line {
    /// 1-based line number within the order; 0 in input means "its position".
    #[serde(default)]
    pub line: u32,
    pub sku: String,
    #[serde(default)]
    pub title: Option<String>,
    pub quantity: u32,
    #[serde(with = "rust_decimal::serde::str")]
    pub unit_price: Money,
    /// The channel's own id of this line (Shopify line item id, Amazon order item id), which a
    /// fulfillment pushed back to the channel must name.
    #[serde(default)]
    pub channel_line_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Totals {
    #[serde(default, with = "rust_decimal::serde::str")]
    pub subtotal: Money,
    #[serde(default, with = "rust_decimal::serde::str")]
    pub shipping: Money,
    #[serde(default, with = "rust_decimal::serde::str")]
    pub tax: Money,
    #[serde(default, with = "rust_decimal::serde::str")]
    pub discount: Money,
    #[serde(with = "rust_decimal::serde::str")]
    pub total: Money,
}

fn default_ship_method() -> String {
    "standard".to_string()
}

/// One version of an order as its channel tells it, normalized. This is also ordo's own
/// interchange format (one JSON object a line, see docs/order-format.md).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChannelOrder {
    pub channel: String,
    pub external_id: String,
    /// What people call the order (`#1001`); defaults to the external id.
    #[serde(default)]
    pub number: String,
    pub created_at: DateTime<Utc>,
    /// The channel's last-modified time: a version older than the stored one is ignored.
    pub updated_at: DateTime<Utc>,
    #[serde(default)]
    pub cancelled: bool,
    #[serde(default)]
    pub financial_status: FinancialStatus,
    #[serde(default)]
    pub customer: Customer,
    #[serde(default)]
    pub ship_to: Option<Address>,
    #[serde(default = "default_ship_method")]
    pub ship_method: String,
    #[serde(default)]
    pub pickup_location: Option<String>,
    pub lines: Vec<Line>,
    pub totals: Totals,
    pub currency: String,
    #[serde(default)]
    pub tags: Vec<String>,
}

impl ChannelOrder {
    /// Fills in what the format lets a source leave out (line numbers, display number).
    pub fn normalize(&mut self) {
        if self.number.is_empty() {
            self.number = self.external_id.clone();
        }
        for (i, line) in self.lines.iter_mut().enumerate() {
            if line.line == 0 {
                line.line = i as u32 + 1;
            }
        }
    }

    /// Why this version cannot be taken as an order, if it cannot. SKUs are checked by the ledger,
    /// which knows the catalog.
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.channel.trim().is_empty() {
            out.push("channel is empty".to_string());
        }
        if self.external_id.trim().is_empty() {
            out.push("external_id is empty".to_string());
        }
        if self.channel.contains('\0') || self.external_id.contains('\0') {
            // They are joined by a NUL in the store's keys.
            out.push("channel or external_id contains a NUL character".to_string());
        }
        if self.lines.is_empty() && !self.cancelled {
            // A cancellation may name an order without its lines (Amazon's cancelled orders).
            out.push("the order has no lines".to_string());
        }
        for line in &self.lines {
            if line.sku.trim().is_empty() {
                out.push(format!("line {} has no SKU", line.line));
            }
        }
        let mut numbers: Vec<u32> = self.lines.iter().map(|l| l.line).collect();
        numbers.sort_unstable();
        if numbers.windows(2).any(|w| w[0] == w[1]) {
            out.push("two lines share a line number".to_string());
        }
        let is_pickup = self.pickup_location.is_some();
        let shippable = self
            .ship_to
            .as_ref()
            .is_some_and(|a| !a.country.trim().is_empty());
        if !is_pickup && !shippable && self.financial_status.may_route() && !self.cancelled {
            out.push("no shippable address (ship_to with a country) and no pickup_location".into());
        }
        out
    }

    pub fn units(&self) -> u64 {
        self.lines.iter().map(|l| u64::from(l.quantity)).sum()
    }
}

/// Units of one order line reserved at one location.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Allocation {
    pub line: u32,
    pub sku: String,
    pub location: String,
    pub qty: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Shipment {
    pub at: DateTime<Utc>,
    pub carrier: String,
    pub tracking: String,
    /// What left, and from where: these units are gone from on-hand.
    pub lines: Vec<Allocation>,
}

/// An order as ordo keeps it: the latest channel version plus what ordo decided about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Order {
    pub id: OrderId,
    pub received_at: DateTime<Utc>,
    pub status: OrderStatus,
    pub channel_order: ChannelOrder,
    /// Open reservations. Shipped units move to `shipments`.
    #[serde(default)]
    pub allocations: Vec<Allocation>,
    #[serde(default)]
    pub shipments: Vec<Shipment>,
    /// Routing has been tried (status is no longer `new`).
    #[serde(default)]
    pub routed: bool,
    #[serde(default)]
    pub hold_reason: Option<String>,
    #[serde(default)]
    pub cancel_reason: Option<String>,
    /// Sequence numbers of this order's events in the audit log, oldest first.
    #[serde(default)]
    pub history: Vec<u64>,
}

impl Order {
    pub fn new(id: OrderId, received_at: DateTime<Utc>, channel_order: ChannelOrder) -> Order {
        let mut order = Order {
            id,
            received_at,
            status: OrderStatus::New,
            channel_order,
            allocations: Vec::new(),
            shipments: Vec::new(),
            routed: false,
            hold_reason: None,
            cancel_reason: None,
            history: Vec::new(),
        };
        order.refresh_status();
        order
    }

    pub fn allocated_for_line(&self, line: u32) -> u32 {
        self.allocations
            .iter()
            .filter(|a| a.line == line)
            .map(|a| a.qty)
            .sum()
    }

    pub fn shipped_for_line(&self, line: u32) -> u32 {
        self.shipments
            .iter()
            .flat_map(|s| &s.lines)
            .filter(|a| a.line == line)
            .map(|a| a.qty)
            .sum()
    }

    /// Per line, the units neither allocated nor shipped yet: what routing still has to place.
    pub fn unplaced(&self) -> Vec<(u32, String, u32)> {
        self.channel_order
            .lines
            .iter()
            .filter_map(|l| {
                let placed = self.allocated_for_line(l.line) + self.shipped_for_line(l.line);
                let missing = l.quantity.saturating_sub(placed);
                (missing > 0).then(|| (l.line, l.sku.clone(), missing))
            })
            .collect()
    }

    /// The status follows from the facts (cancellation, shipments, hold, allocations); computing
    /// it in one place keeps it from drifting from them.
    pub fn refresh_status(&mut self) {
        let ordered = self.channel_order.units();
        let shipped: u64 = self
            .shipments
            .iter()
            .flat_map(|s| &s.lines)
            .map(|a| u64::from(a.qty))
            .sum();
        let allocated: u64 = self.allocations.iter().map(|a| u64::from(a.qty)).sum();
        self.status = if self.cancel_reason.is_some() {
            OrderStatus::Cancelled
        } else if ordered > 0 && shipped >= ordered {
            OrderStatus::Shipped
        } else if shipped > 0 {
            OrderStatus::PartiallyShipped
        } else if self.hold_reason.is_some() {
            OrderStatus::Held
        } else if !self.routed {
            OrderStatus::New
        } else if allocated >= ordered {
            OrderStatus::Allocated
        } else if allocated > 0 {
            OrderStatus::PartiallyAllocated
        } else {
            OrderStatus::Backordered
        };
    }

    /// Routed, open, not held, and short of units: stock arriving should be offered to it.
    /// Decided from the facts, not the status: a partially shipped order still short of units
    /// waits too.
    pub fn waits_for_stock(&self) -> bool {
        self.routed
            && self.status.is_open()
            && self.hold_reason.is_none()
            && !self.unplaced().is_empty()
    }

    /// The locations whose queues this order stands in (one index entry each).
    pub fn locations(&self) -> Vec<&str> {
        let mut locs: Vec<&str> = self
            .allocations
            .iter()
            .map(|a| a.location.as_str())
            .collect();
        locs.sort_unstable();
        locs.dedup();
        locs
    }
}

impl Order {
    /// After an edit, drops reservations the order no longer needs: lines that are gone, lines
    /// whose SKU changed, and units beyond the new quantity (less what already shipped).
    /// Returns what was dropped, for the ledger to give back to stock.
    pub fn trim_allocations(&mut self) -> Vec<Allocation> {
        let mut room: std::collections::HashMap<u32, (&str, u32)> = self
            .channel_order
            .lines
            .iter()
            .map(|l| {
                let shipped = self
                    .shipments
                    .iter()
                    .flat_map(|s| &s.lines)
                    .filter(|a| a.line == l.line)
                    .map(|a| a.qty)
                    .sum::<u32>();
                (l.line, (l.sku.as_str(), l.quantity.saturating_sub(shipped)))
            })
            .collect();
        let mut kept = Vec::with_capacity(self.allocations.len());
        let mut dropped = Vec::new();
        for mut a in std::mem::take(&mut self.allocations) {
            match room.get_mut(&a.line) {
                Some((sku, left)) if *sku == a.sku && *left > 0 => {
                    let keep = a.qty.min(*left);
                    *left -= keep;
                    if keep < a.qty {
                        let mut excess = a.clone();
                        excess.qty = a.qty - keep;
                        dropped.push(excess);
                        a.qty = keep;
                    }
                    kept.push(a);
                }
                _ => dropped.push(a),
            }
        }
        self.allocations = kept;
        dropped
    }
}
