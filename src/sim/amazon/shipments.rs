//! `confirmShipment`: `POST /orders/v0/orders/{orderId}/shipmentConfirmation` (spec §3.8).
//! A valid confirmation is recorded in the shop's stock side, the order's items are marked
//! shipped (the order becomes `SHIPPED`, or `PARTIALLY_SHIPPED` while items are left) with a
//! new last-updated time so a poll sees it, and the answer is 204. Like Amazon, it refuses
//! (400 `InvalidInput`) a confirmation of an order that is already Shipped, a package whose
//! tracking number was already confirmed for the order, an order item id that is not the
//! order's, more units than are left to ship, a cancelled or pending order, and a body without
//! the fields Amazon requires.

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::lwa::authorized;
use super::orders::status_of;
use super::render::{amazon_order_id, order_item_id};
use super::{errors, fault_answer, invalid, quota_exceeded, unauthorized, with_rate, Sim};
use crate::sim::channel::{SimFulfillment, SimOrder};

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct ConfirmShipment {
    marketplace_id: Option<String>,
    package_detail: Option<PackageDetail>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct PackageDetail {
    package_reference_id: Option<String>,
    carrier_code: Option<String>,
    carrier_name: Option<String>,
    tracking_number: Option<String>,
    ship_date: Option<String>,
    order_items: Vec<ConfirmItem>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
struct ConfirmItem {
    order_item_id: Option<String>,
    quantity: Option<i64>,
}

/// A package that passed the request's own checks.
struct Package {
    carrier: String,
    tracking: String,
    items: Vec<(String, u32)>,
}

pub(super) async fn confirm_shipment(
    State(sim): State<Arc<Sim>>,
    Path(order_id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let rate = sim.settings.shipments_rate;
    let fault = sim.shop.faults.next().await;
    if let Some(spoiled) = fault_answer(&sim, fault, rate) {
        return spoiled;
    }
    if !authorized(&sim, &headers) {
        return unauthorized(&sim);
    }
    if !sim.shipments_bucket.take() {
        sim.throttled.fetch_add(1, Ordering::Relaxed);
        return quota_exceeded(rate);
    }
    let answer = |r: Response| with_rate(r, rate);
    let package = match read(&body, &sim.settings.marketplace_id) {
        Ok(p) => p,
        Err(message) => return answer(invalid(&message)),
    };
    let _shipping = sim.shipping.lock().unwrap_or_else(|p| p.into_inner());
    let Some(order) = sim
        .shop
        .book
        .lock()
        .iter()
        .find(|o| amazon_order_id(o) == order_id)
        .cloned()
    else {
        return answer(errors(
            StatusCode::NOT_FOUND,
            "NotFound",
            &format!("Order {order_id} was not found for this seller."),
        ));
    };
    let earlier: Vec<SimFulfillment> = sim
        .shop
        .stock
        .fulfillments()
        .into_iter()
        .filter(|f| f.order_id == order_id)
        .collect();
    let shipped = match admit(&order, &package, &earlier) {
        Ok(shipped) => shipped,
        Err(message) => return answer(invalid(&message)),
    };
    sim.shop.stock.record_fulfillment(SimFulfillment {
        order_id: order_id.clone(),
        carrier: package.carrier,
        tracking: package.tracking,
        lines: package.items,
    });
    let complete = order
        .order
        .lines
        .iter()
        .all(|l| shipped.get(&order_item_id(&order, l)).copied().unwrap_or(0) >= l.quantity);
    let mut updated = order.order;
    updated
        .tags
        .retain(|t| t != "shipped" && t != "partially-shipped");
    updated.tags.push(
        if complete {
            "shipped"
        } else {
            "partially-shipped"
        }
        .to_string(),
    );
    updated.updated_at = Utc::now().max(updated.updated_at + chrono::Duration::milliseconds(1));
    sim.shop.book.upsert(updated);
    sim.shipments_confirmed.fetch_add(1, Ordering::Relaxed);
    answer(StatusCode::NO_CONTENT.into_response())
}

/// The package of a request body, or Amazon's message for what is wrong with it.
fn read(body: &[u8], marketplace_id: &str) -> Result<Package, String> {
    let request: ConfirmShipment = serde_json::from_slice(body)
        .map_err(|e| format!("The request body is not a valid ConfirmShipmentRequest: {e}"))?;
    match request.marketplace_id.as_deref().map(str::trim) {
        Some(m) if m == marketplace_id => {}
        Some(m) if !m.is_empty() => return Err(format!("MarketplaceId {m} is invalid.")),
        _ => return Err("MarketplaceId is required.".to_string()),
    }
    let p = request.package_detail.ok_or("PackageDetail is required.")?;
    let positive = p
        .package_reference_id
        .as_deref()
        .and_then(|r| r.trim().parse::<u64>().ok())
        .is_some_and(|n| n > 0);
    if !positive {
        return Err("PackageReferenceId: is invalid, must be a positive numeric value.".into());
    }
    let code = p
        .carrier_code
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .ok_or("CarrierCode is required.")?;
    let carrier = if code == "Other" {
        p.carrier_name
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .ok_or("CarrierName is required when CarrierCode is Other.")?
            .to_string()
    } else {
        code.to_string()
    };
    let ship_date = p.ship_date.as_deref().ok_or("ShipDate is required.")?;
    DateTime::parse_from_rfc3339(ship_date)
        .map_err(|_| format!("ShipDate {ship_date} is invalid: must be ISO 8601."))?;
    if p.order_items.is_empty() {
        return Err("OrderItems must contain at least one item.".into());
    }
    let mut items = Vec::new();
    for item in &p.order_items {
        let id = item
            .order_item_id
            .as_deref()
            .map(str::trim)
            .filter(|i| !i.is_empty())
            .ok_or("OrderItemId is required for every item.")?;
        let quantity = item
            .quantity
            .and_then(|q| u32::try_from(q).ok())
            .filter(|q| *q > 0)
            .ok_or_else(|| format!("Quantity of OrderItemId {id} must be a positive integer."))?;
        items.push((id.to_string(), quantity));
    }
    Ok(Package {
        carrier,
        tracking: p.tracking_number.unwrap_or_default().trim().to_string(),
        items,
    })
}

/// Checks a package against the order and what was confirmed before; the units shipped per
/// order item id once it is taken.
fn admit(
    order: &SimOrder,
    package: &Package,
    earlier: &[SimFulfillment],
) -> Result<HashMap<String, u32>, String> {
    match status_of(&order.order) {
        "SHIPPED" => {
            return Err(
                "The order status is Shipped: the shipment is already confirmed.".to_string(),
            )
        }
        "CANCELLED" => return Err("The order status is Canceled: it cannot be shipped.".into()),
        "PENDING" => return Err("The order status is Pending: it cannot be shipped yet.".into()),
        _ => {}
    }
    if !package.tracking.is_empty() && earlier.iter().any(|f| f.tracking == package.tracking) {
        return Err(format!(
            "The package with tracking number {} is already confirmed for this order.",
            package.tracking
        ));
    }
    let mut shipped: HashMap<String, u32> = HashMap::new();
    for (id, q) in earlier.iter().flat_map(|f| &f.lines) {
        *shipped.entry(id.clone()).or_default() += q;
    }
    for (id, q) in &package.items {
        let Some(line) = order
            .order
            .lines
            .iter()
            .find(|l| order_item_id(order, l) == *id)
        else {
            return Err(format!(
                "OrderItemId {id} is invalid, please obtain the value through the \
                 getOrderItems API or Manage Orders page"
            ));
        };
        let done = shipped.entry(id.clone()).or_default();
        if *done + q > line.quantity {
            return Err(format!(
                "Quantity {q} of OrderItemId {id} exceeds the {} unit(s) left to ship.",
                line.quantity - (*done).min(line.quantity)
            ));
        }
        *done += q;
    }
    Ok(shipped)
}
