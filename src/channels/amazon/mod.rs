//! Amazon Selling Partner API: orders from Orders API v2026-01-01 `searchOrders` (the
//! connector, [`AmazonChannel`]), stock levels and shipments pushed back to Amazon (Listings
//! Items API and Orders API v0 `confirmShipment`), and saved answers of both that API and the deprecated v0
//! `getOrders` + `getOrderItems` pair for `ordo ingest --channel amazon FILE...`.
//!
//! - `wire`: Amazon's JSON, leniently typed.
//! - `map`: Amazon orders into ordo's [`ChannelOrder`].
//! - `lwa`: Login with Amazon access tokens, cached.
//! - `client`: the connector itself (paging, errors, rate headroom).
//! - `push`: stock levels (Listings Items API `patchListingsItem`) and shipments (Orders API
//!   v0 `confirmShipment`) back to Amazon.
//! - `pacing`: the token bucket that paces listings pushes to the usage plan.

mod client;
mod lwa;
mod map;
mod pacing;
mod push;
mod wire;

#[cfg(test)]
mod push_tests;
#[cfg(test)]
mod tests;

use std::collections::HashMap;

use serde_json::Value;

pub use client::{
    headroom, is_token_refusal, AmazonChannel, Cursor, FULFILLED_BY, INCLUDED_DATA, MAX_PAGE_SIZE,
    SEARCH_ORDERS_PATH,
};
pub use lwa::CachedToken;
pub use map::per_unit;
pub use pacing::{Pacer, DEFAULT_PUSH_BURST, DEFAULT_PUSH_RATE};
pub use push::{
    carrier_code, confirm_url, encode_segment, error_text, is_already_confirmed, listings_url,
    shipment_body, stock_body, submission_outcome, ListingsIssue, ListingsSubmission,
    FULFILLMENT_AVAILABILITY, FULFILLMENT_CHANNEL_CODE, LISTINGS_ITEMS_PATH, LISTING_PRODUCT_TYPE,
    ORDERS_V0_PATH,
};

use super::{MapContext, Mapped};
use crate::model::ChannelOrder;

/// One order of a v2026-01-01 `searchOrders` (or `getOrder`) answer, as Amazon sent it.
pub const FORMAT_2026: &str = "amazon-2026-01-01-order";
/// One v0 order with its items: `{"order": <getOrders order>, "orderItems": [<items>]}`.
pub const FORMAT_V0: &str = "amazon-v0-order";
/// Quarantine format names this module can map again.
pub const FORMATS: &[&str] = &[FORMAT_2026, FORMAT_V0];

/// The format a raw payload of this module (a [`Mapped`]'s `raw`) is in, by its shape.
pub fn format_of(raw: &str) -> &'static str {
    match serde_json::from_str::<Value>(raw) {
        Ok(v) if v.get("order").is_some() && v.get("orderId").is_none() => FORMAT_V0,
        _ => FORMAT_2026,
    }
}

/// Maps one stored order again (`ordo quarantine retry`). The payload's shape decides how it
/// is read, so a payload stored under either Amazon format maps.
pub fn map_stored(format: &str, raw: &str, ctx: &MapContext) -> Result<ChannelOrder, String> {
    if !FORMATS.contains(&format) {
        return Err(format!("`{format}` is not an Amazon format"));
    }
    let value: Value =
        serde_json::from_str(raw).map_err(|e| format!("the payload is not JSON: {e}"))?;
    let mapped = if format_of(raw) == FORMAT_V0 {
        let items = match value.get("orderItems") {
            Some(Value::Array(items)) => Some(items.as_slice()),
            _ => None,
        };
        map::map_v0(&value["order"], items, ctx)
    } else {
        map::map_2026(&value, ctx)
    };
    match mapped {
        Mapped::Order { order, .. } => Ok(*order),
        Mapped::Unmappable { reason, .. } => Err(reason),
    }
}

/// What a saved file holds.
enum Saved<'a> {
    /// A v2026-01-01 `searchOrders` answer's orders (or a `getOrder` answer's one).
    Orders2026(Vec<&'a Value>),
    /// A v0 `getOrders` answer's orders.
    OrdersV0(&'a [Value]),
    /// A v0 `getOrderItems` answer: the order id and its items.
    ItemsV0(String, &'a [Value]),
}

fn classify(v: &Value) -> Option<Saved<'_>> {
    if let Some(Value::Array(orders)) = v.get("orders") {
        return Some(Saved::Orders2026(orders.iter().collect()));
    }
    if let Some(order @ Value::Object(_)) = v.get("order") {
        if order.get("orderId").is_some() {
            return Some(Saved::Orders2026(vec![order]));
        }
    }
    let payload = v.get("payload")?;
    if let Some(Value::Array(orders)) = payload.get("Orders") {
        return Some(Saved::OrdersV0(orders));
    }
    if let (Some(Value::String(id)), Some(Value::Array(items))) =
        (payload.get("AmazonOrderId"), payload.get("OrderItems"))
    {
        return Some(Saved::ItemsV0(id.clone(), items));
    }
    None
}

/// Maps saved answers (`ordo ingest --channel amazon FILE...`): v2026-01-01 `searchOrders`
/// answers, and v0 `getOrders` answers with the `getOrderItems` answers of their orders, in
/// any order (items are joined to their order by AmazonOrderId; an order's items may span
/// several files). An error names a file that is none of these.
pub fn map_saved(files: &[(String, Vec<u8>)], ctx: &MapContext) -> Result<Vec<Mapped>, String> {
    let mut docs = Vec::with_capacity(files.len());
    for (name, bytes) in files {
        let v: Value =
            serde_json::from_slice(bytes).map_err(|e| format!("{name}: not JSON ({e})"))?;
        docs.push((name, v));
    }
    let mut new_orders: Vec<&Value> = Vec::new();
    let mut v0_orders: Vec<&Value> = Vec::new();
    let mut v0_items: HashMap<String, Vec<Value>> = HashMap::new();
    let mut item_order: Vec<String> = Vec::new();
    for (name, v) in &docs {
        match classify(v) {
            Some(Saved::Orders2026(orders)) => new_orders.extend(orders),
            Some(Saved::OrdersV0(orders)) => v0_orders.extend(orders.iter()),
            Some(Saved::ItemsV0(id, items)) => {
                if !v0_items.contains_key(&id) {
                    item_order.push(id.clone());
                }
                v0_items
                    .entry(id)
                    .or_default()
                    .extend(items.iter().cloned());
            }
            None => {
                return Err(format!(
                    "{name}: neither an Amazon searchOrders answer ({{\"orders\":[...]}}) nor a \
                     v0 getOrders ({{\"payload\":{{\"Orders\":[...]}}}}) or getOrderItems \
                     ({{\"payload\":{{\"AmazonOrderId\":...,\"OrderItems\":[...]}}}}) answer"
                ))
            }
        }
    }
    let mut out: Vec<Mapped> = new_orders.iter().map(|o| map::map_2026(o, ctx)).collect();
    for order in &v0_orders {
        let id = order.get("AmazonOrderId").and_then(Value::as_str);
        let items = id.and_then(|id| v0_items.remove(id));
        out.push(map::map_v0(order, items.as_deref(), ctx));
    }
    // Items whose order was not among the files: kept, not dropped (invariant 8).
    for id in item_order {
        if let Some(items) = v0_items.remove(&id) {
            let mut payload = serde_json::Map::new();
            payload.insert("AmazonOrderId".into(), Value::String(id.clone()));
            payload.insert("OrderItems".into(), Value::Array(items));
            out.push(Mapped::Unmappable {
                raw: serde_json::json!({ "payload": payload }).to_string(),
                reason: format!(
                    "order items of {id} without the order (give its getOrders answer too)"
                ),
                external_id: Some(id),
                updated_at: None,
            });
        }
    }
    Ok(out)
}
