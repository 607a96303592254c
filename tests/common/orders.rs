//! Orders, locations and stock counts for the tests (and benches) that drive the ledger or a
//! simulated shop directly: one builder each, so that a test writes only the fields it is about
//! (`ChannelOrder { cancelled: true, ..paid_order(..) }`).
//!
//! Included by path (`#[path = "common/orders.rs"] mod orders;`, from a bench
//! `"../tests/common/orders.rs"`), so that a binary that does not run the CLI does not build
//! `common::Sandbox`.
#![allow(dead_code)]

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use ordo::ledger::{Command, Origin, StockRow};
use ordo::model::{
    Actor, Address, ChannelKind, ChannelOrder, Customer, FinancialStatus, Line, Location,
    LocationKind, Totals,
};

/// A paid order of `lines`, created (and last changed) at `at`, shipped standard to ZIP 10001
/// in the US, no customer details, no number, no tags; total 10.00 whatever the lines (the
/// ledger routes by lines, not by total).
pub fn paid_order(
    channel: &str,
    external_id: &str,
    at: DateTime<Utc>,
    lines: Vec<Line>,
) -> ChannelOrder {
    ChannelOrder {
        channel: channel.into(),
        external_id: external_id.into(),
        number: String::new(),
        created_at: at,
        updated_at: at,
        cancelled: false,
        financial_status: FinancialStatus::Paid,
        customer: Customer::default(),
        ship_to: Some(Address {
            country: "US".into(),
            postal_code: "10001".into(),
            ..Address::default()
        }),
        ship_method: "standard".into(),
        pickup_location: None,
        lines,
        totals: Totals {
            total: Decimal::new(1000, 2),
            ..Totals::default()
        },
        currency: "USD".into(),
        tags: vec![],
    }
}

/// Line `n`: `qty` x `sku` at 10.00, no title, no channel line id.
pub fn line(n: u32, sku: &str, qty: u32) -> Line {
    Line {
        line: n,
        sku: sku.into(),
        title: None,
        quantity: qty,
        unit_price: Decimal::new(1000, 2),
        channel_line_id: None,
    }
}

/// A customer's order on a simulated shop, as `POST /_sim/orders` takes it: created now, paid,
/// one line of `qty` x `sku` at `price`, for Ada Lovelace at 12 Main Street, New York.
pub fn sale(
    kind: ChannelKind,
    external_id: &str,
    sku: &str,
    qty: u32,
    price: Decimal,
) -> ChannelOrder {
    let now = Utc::now();
    ChannelOrder {
        channel: kind.as_str().into(),
        external_id: external_id.into(),
        number: String::new(),
        created_at: now,
        updated_at: now,
        cancelled: false,
        financial_status: FinancialStatus::Paid,
        customer: Customer {
            name: Some("Ada Lovelace".into()),
            email: Some("ada@example.com".into()),
            phone: None,
        },
        ship_to: Some(Address {
            name: Some("Ada Lovelace".into()),
            line1: "12 Main Street".into(),
            line2: None,
            city: "New York".into(),
            region: Some("NY".into()),
            postal_code: "10001".into(),
            country: "US".into(),
            lat: None,
            lon: None,
        }),
        ship_method: "standard".into(),
        pickup_location: None,
        lines: vec![Line {
            line: 1,
            sku: sku.into(),
            title: None,
            quantity: qty,
            unit_price: price,
            channel_line_id: None,
        }],
        totals: Totals {
            total: price * Decimal::from(qty),
            ..Totals::default()
        },
        currency: "USD".into(),
        tags: vec![],
    }
}

/// `order` for the ledger, as received from `source` in `format` (no raw payload kept).
pub fn ingest(order: ChannelOrder, source: &str, format: &str) -> Command {
    Command::Ingest {
        order: Box::new(order),
        origin: Origin {
            source: source.into(),
            format: format.into(),
            raw: None,
        },
        resolves: None,
    }
}

/// A warehouse with no coordinates, tags, channel restriction or daily capacity.
pub fn warehouse(id: &str, priority: u32) -> Location {
    Location {
        id: id.into(),
        name: id.into(),
        kind: LocationKind::Warehouse,
        priority: Some(priority),
        lat: None,
        lon: None,
        tags: vec![],
        channels: vec![],
        daily_capacity: None,
    }
}

/// A count of `sku` at `location`, by the system.
pub fn set_stock(sku: &str, location: &str, on_hand: i64, safety_stock: Option<i64>) -> Command {
    Command::SetStock {
        rows: vec![StockRow {
            sku: sku.into(),
            location: location.into(),
            on_hand,
            safety_stock,
        }],
        by: Actor::System,
    }
}

/// `on_hand` of each of `skus` at every one of `locations` (SKU by SKU), as one count by the
/// system.
pub fn set_stock_everywhere(
    skus: impl IntoIterator<Item = String>,
    locations: &[Location],
    on_hand: i64,
) -> Command {
    let rows = skus
        .into_iter()
        .flat_map(|sku| {
            locations.iter().map(move |l| StockRow {
                sku: sku.clone(),
                location: l.id.clone(),
                on_hand,
                safety_stock: None,
            })
        })
        .collect();
    Command::SetStock {
        rows,
        by: Actor::System,
    }
}
