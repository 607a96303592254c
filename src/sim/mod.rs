//! Simulation for `ordo demo` and tests: the demo catalog (SKUs, prices and opening stock per
//! location, `assets/demo-catalog.csv`) and a seeded feed of realistic channel orders.
//!
//! Until the channel connectors and their simulators exist, the demo feeds these orders through
//! ordo's own format (`Origin { format: "ordo" }`), exactly as `ordo ingest` would.

pub mod amazon;
pub mod channel;
pub mod feed;
pub mod shopify;
pub mod woocommerce;
pub mod world;

use std::str::FromStr;

use crate::ledger::StockRow;
use crate::model::Money;

pub use feed::{run_feed, Feed, FeedStats, Pacer};

/// The catalog the demo runs on, compiled into the binary.
pub const DEMO_CATALOG_CSV: &str = include_str!("../../assets/demo-catalog.csv");

/// One SKU of the catalog with its opening stock.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub sku: String,
    pub title: String,
    pub unit_price: Money,
    /// On hand per location, in the order of [`Catalog::locations`].
    pub on_hand: Vec<i64>,
}

impl Item {
    pub fn total_on_hand(&self) -> i64 {
        self.on_hand.iter().sum()
    }
}

/// SKUs, prices and opening stock: a CSV with header `sku,title,unit_price,LOC1,LOC2,...`.
#[derive(Debug, Clone, PartialEq)]
pub struct Catalog {
    pub locations: Vec<String>,
    pub items: Vec<Item>,
}

impl Catalog {
    /// The demo catalog of `assets/demo-catalog.csv`.
    pub fn demo() -> Catalog {
        // A compile-time constant that `tests/demo_feed.rs` parses on every run.
        Catalog::parse(DEMO_CATALOG_CSV).expect("the embedded demo catalog parses")
    }

    /// Parses a catalog; the error names the line.
    pub fn parse(text: &str) -> Result<Catalog, String> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .from_reader(text.as_bytes());
        let headers = reader
            .headers()
            .map_err(|e| format!("header: {e}"))?
            .clone();
        let fixed = ["sku", "title", "unit_price"];
        if headers.len() < 4 || headers.iter().take(3).ne(fixed.iter().copied()) {
            return Err(format!(
                "header must be `sku,title,unit_price,LOCATION...`, not `{}`",
                headers.iter().collect::<Vec<_>>().join(",")
            ));
        }
        let locations: Vec<String> = headers.iter().skip(3).map(str::to_string).collect();
        let mut items: Vec<Item> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for (i, record) in reader.records().enumerate() {
            let line = i + 2;
            let record = record.map_err(|e| format!("line {line}: {e}"))?;
            if record.len() != headers.len() {
                return Err(format!(
                    "line {line}: {} fields, the header has {}",
                    record.len(),
                    headers.len()
                ));
            }
            let sku = record[0].trim().to_string();
            if sku.is_empty() {
                return Err(format!("line {line}: empty sku"));
            }
            if !seen.insert(sku.clone()) {
                return Err(format!("line {line}: sku {sku} appears twice"));
            }
            let unit_price = Money::from_str(record[2].trim())
                .map_err(|e| format!("line {line}: unit_price `{}`: {e}", &record[2]))?;
            if unit_price <= Money::ZERO {
                return Err(format!("line {line}: unit_price must be above 0"));
            }
            let mut on_hand = Vec::with_capacity(locations.len());
            for (j, loc) in locations.iter().enumerate() {
                let field = record[3 + j].trim();
                let qty: i64 = field
                    .parse()
                    .map_err(|e| format!("line {line}: {loc} `{field}`: {e}"))?;
                if qty < 0 {
                    return Err(format!("line {line}: {loc} is negative"));
                }
                on_hand.push(qty);
            }
            items.push(Item {
                sku,
                title: record[1].trim().to_string(),
                unit_price,
                on_hand,
            });
        }
        if items.is_empty() {
            return Err("the catalog has no SKUs".into());
        }
        Ok(Catalog { locations, items })
    }

    pub fn item(&self, sku: &str) -> Option<&Item> {
        self.items.iter().find(|i| i.sku == sku)
    }

    /// On hand of `sku` at `location` in the opening stock (0 when either is unknown).
    pub fn on_hand(&self, sku: &str, location: &str) -> i64 {
        let Some(col) = self.locations.iter().position(|l| l == location) else {
            return 0;
        };
        self.item(sku).map_or(0, |i| i.on_hand[col])
    }

    /// The opening stock as one cycle count: a record for every SKU at every location in
    /// `keep` (zeros included, so every SKU is known everywhere).
    pub fn stock_rows(&self, keep: impl Fn(&str) -> bool) -> Vec<StockRow> {
        let mut rows = Vec::new();
        for item in &self.items {
            for (loc, qty) in self.locations.iter().zip(&item.on_hand) {
                if keep(loc) {
                    rows.push(StockRow {
                        sku: item.sku.clone(),
                        location: loc.clone(),
                        on_hand: *qty,
                        safety_stock: None,
                    });
                }
            }
        }
        rows
    }
}

/// A small, fast, seedable generator (SplitMix64): the same seed gives the same demo on every
/// machine, without a dependency whose stream could change between versions.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x5DEE_CE66_D1CE_4E5B)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in `[lo, hi]`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        debug_assert!(lo <= hi);
        lo + self.next_u64() % (hi - lo + 1)
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.next_u64() as usize % items.len()]
    }

    /// Exponentially distributed with the given mean (Poisson arrivals).
    pub fn exp(&mut self, mean: f64) -> f64 {
        -mean * (1.0 - self.unit()).ln()
    }
}
