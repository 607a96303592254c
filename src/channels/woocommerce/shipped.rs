//! What of a WooCommerce order ordo has shipped: whether a shipment completes the order.
//!
//! WooCommerce core keeps no shipped quantities, and a push carries only its own shipment's
//! lines, so the connector keeps the tally in the shop, in the order's meta data under
//! [`META_KEY`]: a JSON string `{"v":1,"shipments":{"<tracking>":{"<line item id>":units}}}`,
//! one entry per ordo shipment, keyed by its tracking number (so a retried push rewrites its
//! own entry instead of counting twice). The key starts with `_`, which keeps it out of the
//! admin's custom-fields box; WooCommerce's REST API still reads and writes it (only the keys
//! WooCommerce itself uses are internal).
//!
//! A shipment's lines are put on the order's line items by the channel's line id (what ordo's
//! WooCommerce mapping keeps of `line_items[].id`), else by SKU. The order is complete when
//! every line item with a quantity has at least that many units in the tally. A shipment none
//! of whose lines can be put on a line item (an order that did not come from this shop's
//! listing) says nothing about lines, and is taken as the whole order, as before the tally.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::channels::{FulfilledLine, FulfillmentPush};

/// The order meta key of the tally.
pub const META_KEY: &str = "_ordo_shipped";

/// One line item of the shop's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineItem {
    pub id: String,
    pub sku: String,
    pub quantity: u64,
}

/// The order's `line_items`: id, SKU, quantity (a line without an id is skipped: nothing can
/// name it).
pub fn line_items(order: &Value) -> Vec<LineItem> {
    let Some(items) = order.get("line_items").and_then(Value::as_array) else {
        return Vec::new();
    };
    items
        .iter()
        .filter_map(|item| {
            let id = match item.get("id")? {
                Value::Number(n) => n.to_string(),
                Value::String(s) if !s.trim().is_empty() => s.trim().to_string(),
                _ => return None,
            };
            let quantity = match item.get("quantity") {
                Some(Value::Number(n)) => n
                    .as_u64()
                    .or_else(|| n.as_f64().filter(|f| *f > 0.0).map(|f| f.ceil() as u64))
                    .unwrap_or(0),
                Some(Value::String(s)) => s.trim().parse::<f64>().map_or(0, |f| f.ceil() as u64),
                _ => 0,
            };
            let sku = item
                .get("sku")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            Some(LineItem { id, sku, quantity })
        })
        .collect()
}

/// Units per line item id.
pub type Units = BTreeMap<String, u64>;

/// The tally: units per line item, per shipment.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    pub v: u32,
    #[serde(default)]
    pub shipments: BTreeMap<String, Units>,
}

impl Tally {
    /// The tally in the order's `meta_data` (its first entry of [`META_KEY`]); an order without
    /// one, or with one that does not read, has none (`Err` says why it did not read).
    pub fn read(order: &Value) -> Result<Tally, String> {
        let Some(entries) = order.get("meta_data").and_then(Value::as_array) else {
            return Ok(Tally::default());
        };
        let Some(value) = entries
            .iter()
            .find(|e| e.get("key").and_then(Value::as_str) == Some(META_KEY))
            .and_then(|e| e.get("value"))
        else {
            return Ok(Tally::default());
        };
        let parsed = match value {
            // Written as a string; a host or plugin may hand it back decoded.
            Value::String(s) => serde_json::from_str(s),
            other => serde_json::from_value(other.clone()),
        };
        parsed.map_err(|e| format!("the order's {META_KEY} meta does not read ({e})"))
    }

    /// The meta value to write: the tally as a JSON string.
    pub fn meta_value(&self) -> String {
        let mut t = self.clone();
        t.v = 1;
        // A map of strings and integers always serializes.
        serde_json::to_string(&t).unwrap_or_default()
    }

    /// Whether every line item with a quantity has that many units shipped.
    pub fn covers(&self, items: &[LineItem]) -> bool {
        items.iter().all(|item| {
            let shipped: u64 = self
                .shipments
                .values()
                .filter_map(|units| units.get(&item.id))
                .sum();
            shipped >= item.quantity
        })
    }
}

/// The tally key of a shipment: its tracking number, else (a shipment without one) its
/// carrier and lines.
pub fn shipment_key(push: &FulfillmentPush) -> String {
    let tracking = push.tracking.trim();
    if !tracking.is_empty() {
        return tracking.to_string();
    }
    let lines: Vec<String> = push
        .lines
        .iter()
        .map(|l| format!("{}x{}", l.quantity, l.sku))
        .collect();
    format!("untracked:{}:{}", push.carrier.trim(), lines.join(","))
}

/// The shipment's units on the order's line items (see the module docs); lines that name no
/// line item are left out.
pub fn attribute(lines: &[FulfilledLine], items: &[LineItem]) -> Units {
    let mut out = Units::new();
    for line in lines {
        let by_id = line
            .channel_line_id
            .as_deref()
            .map(str::trim)
            .and_then(|id| items.iter().find(|i| i.id == id));
        let by_sku = || {
            let sku = line.sku.trim();
            items
                .iter()
                .find(|i| i.sku == sku)
                .or_else(|| items.iter().find(|i| i.sku.eq_ignore_ascii_case(sku)))
                .filter(|_| !sku.is_empty())
        };
        if let Some(item) = by_id.or_else(by_sku) {
            *out.entry(item.id.clone()).or_default() += u64::from(line.quantity);
        }
    }
    out
}

/// What a shipment does to the tally.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judgement {
    /// The tally with this shipment in it.
    pub tally: Tally,
    /// Whether the tally already held this shipment as it is (nothing to write).
    pub recorded: bool,
    /// Whether the order has shipped in full with it.
    pub whole: bool,
}

/// Puts `push` into `tally` and judges the order (see the module docs).
pub fn judge(mut tally: Tally, push: &FulfillmentPush, items: &[LineItem]) -> Judgement {
    let units = attribute(&push.lines, items);
    let key = shipment_key(push);
    let recorded = tally.shipments.get(&key) == Some(&units);
    let says_nothing = units.is_empty();
    tally.shipments.insert(key, units);
    let whole = says_nothing || tally.covers(items);
    Judgement {
        tally,
        recorded,
        whole,
    }
}
