//! Spec §1.7: one fulfillment order per order (`GET orders/{id}/fulfillment_orders.json`),
//! `POST fulfillments.json` from fulfillment orders (checked against what is still
//! fulfillable, recorded in `shop.stock`) and `GET orders/{id}/fulfillments.json`.

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chrono::{SecondsFormat, Utc};
use serde::Deserialize;
use serde_json::{json, Value};

use super::render::{inventory_item_id, line_id, variant_id};
use super::{json_response, not_found, shopify_id, unprocessable, Sim};
use crate::sim::channel::{SimFulfillment, SimOrder};

/// What was fulfilled of one order.
#[derive(Debug, Default, Clone)]
pub(super) struct OrderFulfillments {
    /// Units fulfilled per line item id.
    fulfilled: HashMap<u64, u32>,
    /// The fulfilments as `fulfillments.json` renders them, oldest first.
    pub list: Vec<Value>,
}

impl OrderFulfillments {
    pub fn fulfilled_of(&self, line_item_id: u64) -> u32 {
        self.fulfilled.get(&line_item_id).copied().unwrap_or(0)
    }
}

/// The id of an order's one fulfillment order.
fn fulfillment_order_id(order_id: u64) -> u64 {
    order_id + 2_600_000_000_000
}

/// The id of line `i` of a fulfillment order (not the order's line item id).
fn fo_line_id(fo_id: u64, i: usize) -> u64 {
    fo_id * 100 + i as u64 + 1
}

/// One line of a fulfillment order as it stands.
struct FoLine {
    id: u64,
    line_item_id: u64,
    sku: String,
    quantity: u32,
    fulfillable: u32,
}

impl Sim {
    pub(super) fn fulfilled_of(&self, order_id: u64) -> Option<OrderFulfillments> {
        self.fulfilled
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&order_id)
            .cloned()
    }

    fn order(&self, order_id: u64) -> Option<SimOrder> {
        self.shop
            .book
            .lock()
            .iter()
            .find(|o| shopify_id(o) == order_id)
            .cloned()
    }
}

fn fo_lines(o: &SimOrder, done: Option<&OrderFulfillments>) -> Vec<FoLine> {
    let fo_id = fulfillment_order_id(shopify_id(o));
    o.order
        .lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let quantity = if o.order.cancelled { 0 } else { l.quantity };
            let line_item_id = line_id(o, i);
            let shipped = done.map_or(0, |d| d.fulfilled_of(line_item_id));
            FoLine {
                id: fo_line_id(fo_id, i),
                line_item_id,
                sku: l.sku.clone(),
                quantity,
                fulfillable: quantity.saturating_sub(shipped),
            }
        })
        .collect()
}

fn fo_status(o: &SimOrder, lines: &[FoLine]) -> &'static str {
    let left: u32 = lines.iter().map(|l| l.fulfillable).sum();
    let total: u32 = lines.iter().map(|l| l.quantity).sum();
    if o.order.cancelled {
        "cancelled"
    } else if left == 0 {
        "closed"
    } else if left < total {
        "in_progress"
    } else {
        "open"
    }
}

fn render_fo(sim: &Sim, o: &SimOrder, done: Option<&OrderFulfillments>) -> Value {
    let order_id = shopify_id(o);
    let fo_id = fulfillment_order_id(order_id);
    let lines = fo_lines(o, done);
    let items: Vec<Value> = lines
        .iter()
        .map(|l| {
            json!({
                "id": l.id,
                "shop_id": 1,
                "fulfillment_order_id": fo_id,
                "line_item_id": l.line_item_id,
                "inventory_item_id": inventory_item_id(&l.sku),
                "variant_id": variant_id(&l.sku),
                "quantity": l.quantity,
                "fulfillable_quantity": l.fulfillable,
            })
        })
        .collect();
    json!({
        "id": fo_id,
        "shop_id": 1,
        "order_id": order_id,
        "assigned_location_id": sim.settings.location_id,
        "request_status": "unsubmitted",
        "status": fo_status(o, &lines),
        "supported_actions": ["create_fulfillment", "hold"],
        "fulfill_at": null,
        "delivery_method": { "method_type": "shipping" },
        "line_items": items,
    })
}

/// A 422 of `fulfillments.json`, boxed (a response is large).
fn refuse(field: &str, message: &str) -> Box<Response> {
    Box::new(unprocessable(field, message))
}

fn order_id_of(text: &str) -> Option<u64> {
    text.trim().parse().ok()
}

/// `GET orders/{order_id}/fulfillment_orders.json`.
pub(super) async fn fulfillment_orders(
    State(sim): State<Arc<Sim>>,
    Path((version, order_id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let admitted = match sim.gate(&version, &headers).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let Some(o) = order_id_of(&order_id).and_then(|id| sim.order(id)) else {
        return sim.stamp(&version, &admitted, not_found());
    };
    let done = sim.fulfilled_of(shopify_id(&o));
    let body = json!({ "fulfillment_orders": [render_fo(&sim, &o, done.as_ref())] }).to_string();
    sim.reply(&version, &admitted, StatusCode::OK, body)
}

/// `GET orders/{order_id}/fulfillments.json`.
pub(super) async fn order_fulfillments(
    State(sim): State<Arc<Sim>>,
    Path((version, order_id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let admitted = match sim.gate(&version, &headers).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let Some(o) = order_id_of(&order_id).and_then(|id| sim.order(id)) else {
        return sim.stamp(&version, &admitted, not_found());
    };
    let list = sim
        .fulfilled_of(shopify_id(&o))
        .map(|d| d.list)
        .unwrap_or_default();
    let body = json!({ "fulfillments": list }).to_string();
    sim.reply(&version, &admitted, StatusCode::OK, body)
}

#[derive(Debug, Deserialize)]
struct CreateBody {
    fulfillment: FulfillmentIn,
}

#[derive(Debug, Deserialize)]
struct FulfillmentIn {
    line_items_by_fulfillment_order: Vec<ByFulfillmentOrder>,
    #[serde(default)]
    tracking_info: Option<TrackingIn>,
    #[serde(default)]
    #[allow(dead_code)]
    notify_customer: Option<bool>,
}

#[derive(Debug, Deserialize)]
struct ByFulfillmentOrder {
    fulfillment_order_id: u64,
    #[serde(default)]
    fulfillment_order_line_items: Option<Vec<LineIn>>,
}

#[derive(Debug, Deserialize)]
struct LineIn {
    id: u64,
    quantity: u32,
}

#[derive(Debug, Default, Deserialize)]
struct TrackingIn {
    #[serde(default)]
    number: Option<String>,
    #[serde(default)]
    company: Option<String>,
    #[serde(default)]
    url: Option<String>,
}

/// `POST fulfillments.json`: every fulfillment order named must be one order's and still
/// fulfillable; lines named must be its lines with 1..=fulfillable units; no lines named
/// fulfils all that is left. Answers 201 with the fulfilment.
pub(super) async fn create(
    State(sim): State<Arc<Sim>>,
    Path(version): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let admitted = match sim.gate(&version, &headers).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let (status, body) = match fulfil(&sim, &body) {
        Ok(f) => (StatusCode::CREATED, json!({ "fulfillment": f }).to_string()),
        Err(r) => return sim.stamp(&version, &admitted, *r),
    };
    sim.reply(&version, &admitted, status, body)
}

fn fulfil(sim: &Sim, body: &[u8]) -> Result<Value, Box<Response>> {
    let request: CreateBody = serde_json::from_slice(body).map_err(|_| {
        Box::new(json_response(
            StatusCode::BAD_REQUEST,
            r#"{"errors":{"fulfillment":"Required parameter missing or invalid"}}"#,
        ))
    })?;
    let f = request.fulfillment;
    if f.line_items_by_fulfillment_order.is_empty() {
        return Err(refuse(
            "line_items_by_fulfillment_order",
            "must not be empty",
        ));
    }
    // Checked and applied under one lock, so two pushes cannot both take the last units.
    let mut all = sim.fulfilled.lock().unwrap_or_else(|p| p.into_inner());
    let mut order: Option<SimOrder> = None;
    let mut take: HashMap<u64, u32> = HashMap::new();
    for by_fo in &f.line_items_by_fulfillment_order {
        let o = by_fo
            .fulfillment_order_id
            .checked_sub(2_600_000_000_000)
            .and_then(|id| sim.order(id))
            .filter(|o| fulfillment_order_id(shopify_id(o)) == by_fo.fulfillment_order_id)
            .ok_or_else(|| refuse("fulfillment_order_id", "not found"))?;
        if order
            .as_ref()
            .is_some_and(|first| shopify_id(first) != shopify_id(&o))
        {
            return Err(refuse(
                "line_items_by_fulfillment_order",
                "must belong to the same order",
            ));
        }
        let lines = fo_lines(&o, all.get(&shopify_id(&o)));
        let status = fo_status(&o, &lines);
        if matches!(status, "closed" | "cancelled") {
            return Err(refuse(
                "base",
                &format!(
                    "Fulfillment order {} has an unfulfillable status= {status}.",
                    by_fo.fulfillment_order_id
                ),
            ));
        }
        match &by_fo.fulfillment_order_line_items {
            None => {
                for l in lines.iter().filter(|l| l.fulfillable > 0) {
                    *take.entry(l.line_item_id).or_default() += l.fulfillable;
                }
            }
            Some(asked) => {
                for a in asked {
                    let line = lines
                        .iter()
                        .find(|l| l.id == a.id)
                        .ok_or_else(|| refuse("fulfillment_order_line_items", "not found"))?;
                    let sum = take.entry(line.line_item_id).or_default();
                    *sum += a.quantity;
                    if a.quantity == 0 || *sum > line.fulfillable {
                        return Err(refuse(
                            "base",
                            "Invalid fulfillment order line item quantity requested.",
                        ));
                    }
                }
            }
        }
        order = Some(o);
    }
    let Some(o) = order.filter(|_| take.values().any(|q| *q > 0)) else {
        return Err(refuse("base", "Nothing left to fulfill."));
    };
    let order_id = shopify_id(&o);
    let done = all.entry(order_id).or_default();
    for (line, q) in &take {
        *done.fulfilled.entry(*line).or_default() += q;
    }
    let tracking = f.tracking_info.unwrap_or_default();
    let id = sim.next_fulfillment_id.fetch_add(1, Ordering::Relaxed);
    let now = Utc::now()
        .with_timezone(&sim.offset)
        .to_rfc3339_opts(SecondsFormat::Secs, false);
    let mut lines: Vec<(u64, u32)> = take.into_iter().filter(|(_, q)| *q > 0).collect();
    lines.sort_unstable();
    let items: Vec<Value> = lines
        .iter()
        .map(|(line, q)| {
            let sku = (0..o.order.lines.len())
                .find(|i| line_id(&o, *i) == *line)
                .map(|i| o.order.lines[i].sku.clone());
            json!({ "id": line, "sku": sku, "quantity": q, "fulfillment_status": "fulfilled" })
        })
        .collect();
    let name = if o.order.number.is_empty() {
        format!("#{order_id}")
    } else {
        o.order.number.clone()
    };
    let fulfillment = json!({
        "id": id,
        "order_id": order_id,
        "status": "success",
        "created_at": now,
        "updated_at": now,
        "service": "manual",
        "location_id": sim.settings.location_id,
        "name": format!("{name}.{}", done.list.len() + 1),
        "tracking_company": tracking.company,
        "tracking_number": tracking.number,
        "tracking_numbers": tracking.number.iter().collect::<Vec<_>>(),
        "tracking_url": tracking.url,
        "tracking_urls": tracking.url.iter().collect::<Vec<_>>(),
        "shipment_status": null,
        "line_items": items,
        "admin_graphql_api_id": format!("gid://shopify/Fulfillment/{id}"),
    });
    done.list.push(fulfillment.clone());
    sim.shop.stock.record_fulfillment(SimFulfillment {
        order_id: order_id.to_string(),
        carrier: tracking.company.clone().unwrap_or_default(),
        tracking: tracking.number.clone().unwrap_or_default(),
        lines: lines.iter().map(|(l, q)| (l.to_string(), *q)).collect(),
    });
    Ok(fulfillment)
}
