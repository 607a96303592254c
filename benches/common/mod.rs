//! The world the benches share: six US locations and realistic 3-line orders over 200 SKUs
//! (about 500 bytes stored each).
#![allow(dead_code)]

use chrono::{TimeZone, Utc};
use rust_decimal::Decimal;

use ordo::model::{
    Address, ChannelOrder, Customer, FinancialStatus, Line, Location, LocationKind, Totals,
};

/// sled page cache for every bench store: the config's default.
pub const CACHE: u64 = 64 << 20;
/// SKUs the orders draw from (`SKU-0000` ..).
pub const SKUS: usize = 200;

pub fn locations() -> Vec<Location> {
    [
        ("wh-east", 40.73, -74.17),
        ("wh-central", 41.88, -87.63),
        ("wh-west", 39.53, -119.81),
        ("store-nyc", 40.75, -73.99),
        ("store-sf", 37.78, -122.41),
        ("dropship-acme", 33.75, -84.39),
    ]
    .iter()
    .enumerate()
    .map(|(i, (id, lat, lon))| Location {
        id: id.to_string(),
        name: id.to_string(),
        kind: LocationKind::Warehouse,
        priority: Some(i as u32 + 1),
        lat: Some(*lat),
        lon: Some(*lon),
        tags: vec![],
        channels: vec![],
        daily_capacity: None,
    })
    .collect()
}

pub const CUSTOMERS: [&str; 6] = [
    "Grace Hopper",
    "Ada Lovelace",
    "Alan Turing",
    "Edsger Dijkstra",
    "Barbara Liskov",
    "李雷 Lǐ Léi",
];

/// Order `i`: channels in turn, a customer from the list, 3 lines, 50 ms apart.
pub fn order(i: usize) -> ChannelOrder {
    let at = Utc.with_ymd_and_hms(2026, 11, 28, 8, 0, 0).unwrap()
        + chrono::Duration::milliseconds(i as i64 * 50);
    let name = CUSTOMERS[i % CUSTOMERS.len()];
    ChannelOrder {
        channel: ["shopify", "woocommerce", "amazon"][i % 3].into(),
        external_id: format!("{}", 5_000_000_000u64 + i as u64),
        number: format!("#{}", 1000 + i),
        created_at: at,
        updated_at: at,
        cancelled: false,
        financial_status: FinancialStatus::Paid,
        customer: Customer {
            name: Some(name.into()),
            email: Some(format!("customer{i}@example.com")),
            phone: None,
        },
        ship_to: Some(Address {
            name: Some(name.into()),
            line1: "1600 Pennsylvania Avenue".into(),
            line2: None,
            city: "Arlington".into(),
            region: Some("VA".into()),
            postal_code: "22202".into(),
            country: "US".into(),
            lat: Some(38.86),
            lon: Some(-77.05),
        }),
        ship_method: "standard".into(),
        pickup_location: None,
        lines: (0..3)
            .map(|l| Line {
                line: l + 1,
                sku: format!("SKU-{:04}", (i * 7 + l as usize * 13) % SKUS),
                title: Some("Organic cotton tee".into()),
                quantity: 1 + (i + l as usize) as u32 % 2,
                unit_price: Decimal::new(1999, 2),
                channel_line_id: None,
            })
            .collect(),
        totals: Totals {
            subtotal: Decimal::new(5997, 2),
            shipping: Decimal::new(499, 2),
            tax: Decimal::new(320, 2),
            discount: Decimal::ZERO,
            total: Decimal::new(6816, 2),
        },
        currency: "USD".into(),
        tags: vec!["web".into()],
    }
}
