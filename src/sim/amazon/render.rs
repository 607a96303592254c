//! Book orders in Amazon's Orders API v2026-01-01 JSON.

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{json, Value};

use super::orders::status_of;
use super::{fnv, AmazonSimSettings};
use crate::model::{Line, Money};
use crate::sim::channel::SimOrder;

/// The order's Amazon id: its external id when that is a 3-7-7 id, else one made from the
/// shop id.
pub fn amazon_order_id(o: &SimOrder) -> String {
    let id = &o.order.external_id;
    let parts: Vec<&str> = id.split('-').collect();
    let is_377 = parts.len() == 3
        && [3, 7, 7]
            .iter()
            .zip(&parts)
            .all(|(n, p)| p.len() == *n && p.bytes().all(|b| b.is_ascii_digit()));
    if is_377 {
        return id.clone();
    }
    let n = o.shop_id;
    format!(
        "{:03}-{:07}-{:07}",
        111 + (n / 10_000_000) % 889,
        n.wrapping_mul(7919) % 10_000_000,
        n % 10_000_000
    )
}

/// The `orderItemId` of a line: its channel line id when it has one, else one made from the
/// shop id and the line number.
pub fn order_item_id(o: &SimOrder, l: &Line) -> String {
    l.channel_line_id
        .clone()
        .unwrap_or_else(|| format!("{:08}{:06}", o.shop_id % 100_000_000, l.line))
}

fn money(amount: Money, currency: &str) -> Value {
    json!({"amount": format!("{:.2}", amount), "currencyCode": currency})
}

/// A book order in v2026-01-01 JSON, with the datasets the request asked for.
pub(super) fn render(o: &SimOrder, s: &AmazonSimSettings, included: &[String]) -> Value {
    let order = &o.order;
    let wants = |d: &str| included.iter().any(|i| i == d);
    let status = status_of(order);
    let pending = status == "PENDING";
    let cur = order.currency.as_str();
    let time = |t: DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::AutoSi, true);
    let items: Vec<Value> = order
        .lines
        .iter()
        .map(|l| {
            let asin = format!("B0{:08X}", fnv(l.sku.as_bytes()) as u32);
            let mut product = json!({"asin": &asin[..10], "title": l.title});
            if !s.asin_only_skus.contains(&l.sku) {
                product["sellerSku"] = json!(l.sku);
            }
            let mut item = json!({
                "orderItemId": order_item_id(o, l),
                "quantityOrdered": l.quantity,
                "product": product,
            });
            if !pending {
                item["product"]["price"] = json!({"unitPrice": money(l.unit_price, cur)});
                if wants("PROCEEDS") {
                    let extended = l.unit_price * Money::from(l.quantity);
                    item["proceeds"] = json!({"proceedsTotal": money(extended, cur),
                        "breakdowns": [{"type": "ITEM", "subtotal": money(extended, cur)}]});
                }
            }
            if wants("FULFILLMENT") {
                let shipped = if status == "SHIPPED" { l.quantity } else { 0 };
                item["fulfillment"] = json!({"quantityFulfilled": shipped,
                    "quantityUnfulfilled": l.quantity - shipped});
            }
            item
        })
        .collect();
    let mut out = json!({
        "orderId": amazon_order_id(o),
        "createdTime": time(order.created_at),
        "lastUpdatedTime": time(order.updated_at),
        "programs": [],
        "salesChannel": {"channelName": "AMAZON", "marketplaceId": s.marketplace_id,
            "marketplaceName": "Amazon.com"},
        "orderItems": items,
    });
    if wants("FULFILLMENT") {
        let level = match order.ship_method.as_str() {
            "expedited" => "EXPEDITED",
            "overnight" => "NEXT_DAY",
            _ => "STANDARD",
        };
        out["fulfillment"] = json!({"fulfillmentStatus": status, "fulfilledBy": "MERCHANT",
            "fulfillmentServiceLevel": level});
    }
    if pending {
        return out;
    }
    if wants("BUYER") {
        out["buyer"] = json!({"buyerName": order.customer.name,
            "buyerEmail": format!("{:x}@marketplace.amazon.com", fnv(order.external_id.as_bytes()))});
    }
    if let (true, false, Some(a)) = (wants("RECIPIENT"), order.cancelled, &order.ship_to) {
        out["recipient"] = json!({"deliveryAddress": {
            "name": a.name, "addressLine1": a.line1, "addressLine2": a.line2, "city": a.city,
            "stateOrRegion": a.region, "postalCode": a.postal_code, "countryCode": a.country,
            "phone": order.customer.phone, "addressType": "RESIDENTIAL"}});
    }
    if wants("PROCEEDS") && !order.cancelled {
        let t = &order.totals;
        let mut breakdowns = vec![
            json!({"type": "ITEM", "subtotal": money(t.subtotal, cur)}),
            json!({"type": "SHIPPING", "subtotal": money(t.shipping, cur)}),
            json!({"type": "TAX", "subtotal": money(t.tax, cur)}),
        ];
        if !t.discount.is_zero() {
            breakdowns.push(json!({"type": "DISCOUNT", "subtotal": money(-t.discount, cur)}));
        }
        out["proceeds"] = json!({"grandTotal": money(t.total, cur), "breakdowns": breakdowns});
    }
    out
}
