//! Book entries in Shopify's REST order shape, and the ids the simulated shop gives SKUs.

use chrono::{DateTime, FixedOffset, SecondsFormat, Utc};
use serde_json::{json, Value};

use super::fulfillment::OrderFulfillments;
use super::shopify_id;
use crate::model::{FinancialStatus, Money};
use crate::sim::channel::SimOrder;

fn money(m: Money) -> String {
    format!("{:.2}", m)
}

fn money_set(m: Money, currency: &str) -> Value {
    let amount = json!({ "amount": money(m), "currency_code": currency });
    json!({ "shop_money": amount, "presentment_money": amount })
}

/// A stable 12-digit number for a text (variant and product ids of a SKU): FNV-1a, the same
/// on every machine and run.
fn digits(text: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    h % 1_000_000_000_000
}

/// The id of the variant a SKU is in the simulated shop (line items' `variant_id`).
pub fn variant_id(sku: &str) -> u64 {
    44_000_000_000_000 + digits(sku)
}

/// The id of the product a SKU's variant belongs to: SKUs that differ only after their last
/// `-` (sizes, colours) are variants of one product.
pub fn product_id(sku: &str) -> u64 {
    8_000_000_000_000 + digits(sku.rsplit_once('-').map_or(sku, |(p, _)| p))
}

/// The 13-digit `inventory_item_id` of a SKU's variant: the key of its stock level.
pub fn inventory_item_id(sku: &str) -> u64 {
    4_300_000_000_000 + digits(&format!("inventory:{sku}"))
}

/// The Shopify id of line `i` of a book entry: the order's own line id when numeric.
pub(super) fn line_id(o: &SimOrder, i: usize) -> u64 {
    o.order.lines[i]
        .channel_line_id
        .as_deref()
        .and_then(|s| s.parse().ok())
        .unwrap_or(shopify_id(o) * 100 + i as u64 + 1)
}

fn split_name(name: Option<&str>) -> (Value, Value) {
    match name.map(str::trim).filter(|n| !n.is_empty()) {
        None => (Value::Null, Value::Null),
        Some(n) => match n.split_once(' ') {
            Some((first, last)) => (first.into(), last.into()),
            None => (n.into(), Value::Null),
        },
    }
}

/// One book entry in Shopify's REST order shape.
pub fn render_order(o: &SimOrder, offset: FixedOffset) -> Value {
    let originals: Vec<u32> = o.order.lines.iter().map(|l| l.quantity).collect();
    render(o, &originals, None, offset)
}

/// One book entry with the line quantities first ordered and what was fulfilled of it.
pub(super) fn render(
    o: &SimOrder,
    originals: &[u32],
    done: Option<&OrderFulfillments>,
    offset: FixedOffset,
) -> Value {
    let c = &o.order;
    let id = shopify_id(o);
    let cur = c.currency.as_str();
    let time = |t: DateTime<Utc>| {
        t.with_timezone(&offset)
            .to_rfc3339_opts(SecondsFormat::Secs, false)
    };
    let t = &c.totals;
    let zero = Money::ZERO;
    let paid = !matches!(
        c.financial_status,
        FinancialStatus::Pending | FinancialStatus::Authorized | FinancialStatus::Voided
    );
    let financial = if c.cancelled && paid {
        "refunded".to_string()
    } else {
        serde_json::to_value(c.financial_status)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_else(|| "pending".into())
    };
    let (first, last) = split_name(c.customer.name.as_deref());
    let line_id = |i: usize| line_id(o, i);
    let fulfilled = |i: usize| done.map_or(0, |d| d.fulfilled_of(line_id(i)));
    let mut any_fulfilled = false;
    let mut all_fulfilled = true;
    let line_items: Vec<Value> = c
        .lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let lid = line_id(i);
            let gift = l.sku.starts_with("GIFTCARD-");
            let current = if c.cancelled { 0 } else { l.quantity };
            let original = originals
                .get(i)
                .copied()
                .unwrap_or(l.quantity)
                .max(l.quantity);
            let shipped = fulfilled(i).min(current);
            any_fulfilled |= shipped > 0;
            all_fulfilled &= shipped >= current;
            let line_status = match shipped {
                0 => Value::Null,
                s if s >= current => "fulfilled".into(),
                _ => "partial".into(),
            };
            json!({
                "id": lid,
                "admin_graphql_api_id": format!("gid://shopify/LineItem/{lid}"),
                "variant_id": variant_id(&l.sku),
                "product_id": product_id(&l.sku),
                "sku": l.sku,
                "title": l.title.as_deref().unwrap_or(&l.sku),
                "name": l.title.as_deref().unwrap_or(&l.sku),
                "variant_title": null,
                "vendor": "ordo demo",
                "quantity": original,
                "current_quantity": current,
                "fulfillable_quantity": current - shipped,
                "fulfillment_status": line_status,
                "fulfillment_service": "manual",
                "price": money(l.unit_price),
                "price_set": money_set(l.unit_price, cur),
                "total_discount": "0.00",
                "discount_allocations": [],
                "tax_lines": [],
                "properties": [],
                "gift_card": gift,
                "requires_shipping": !gift,
                "taxable": !gift,
                "product_exists": true,
                "grams": if gift { 0 } else { 250 },
            })
        })
        .collect();
    let address = c.ship_to.as_ref().map(|a| {
        let (first, last) = split_name(a.name.as_deref());
        json!({
            "first_name": first, "last_name": last, "name": a.name, "company": null,
            "address1": a.line1, "address2": a.line2, "city": a.city,
            "province": a.region, "province_code": a.region, "zip": a.postal_code,
            "country": if a.country == "US" { "United States" } else { a.country.as_str() },
            "country_code": a.country, "phone": c.customer.phone,
            "latitude": a.lat, "longitude": a.lon,
        })
    });
    let pickup = c.pickup_location.as_deref();
    let method = match pickup {
        Some(_) => "Pickup".to_string(),
        None => {
            let mut m = c.ship_method.clone();
            if let Some(f) = m.get_mut(0..1) {
                f.make_ascii_uppercase();
            }
            m
        }
    };
    let shipping_title = match pickup {
        Some(loc) => format!("Pickup at {loc}"),
        None => format!("{method} Shipping"),
    };
    let note_attributes = match pickup {
        Some(loc) => json!([
            {"name": "Checkout-Method", "value": "pickup"},
            {"name": "Pickup-Location-Id", "value": loc},
        ]),
        None => json!([]),
    };
    let current = |m: Money| if c.cancelled { zero } else { m };
    let refunds = if c.cancelled && paid {
        let items: Vec<Value> = c
            .lines
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let subtotal = l.unit_price * Money::from(l.quantity);
                // A JSON number, as Shopify sends it (edge case 13).
                let number: Value =
                    serde_json::from_str(&subtotal.normalize().to_string()).unwrap_or(Value::Null);
                json!({
                    "id": id * 100 + 50 + i as u64, "line_item_id": line_id(i),
                    "quantity": l.quantity, "restock_type": "cancel",
                    "subtotal": number, "subtotal_set": money_set(subtotal, cur),
                    "total_tax": 0, "total_tax_set": money_set(zero, cur),
                })
            })
            .collect();
        json!([{
            "id": id + 3_800_000_000_000, "order_id": id, "created_at": time(c.updated_at),
            "processed_at": time(c.updated_at), "note": "Order cancelled", "restock": true,
            "refund_line_items": items, "order_adjustments": [],
            "transactions": [{"amount": money(t.total), "kind": "refund", "status": "success",
                              "currency": cur}],
        }])
    } else {
        json!([])
    };
    let number = c
        .number
        .trim_start_matches('#')
        .parse::<u64>()
        .unwrap_or(1000 + (id % 100_000));
    let closed = c.cancelled.then(|| time(c.updated_at));
    let mut order = json!({
        "id": id,
        "admin_graphql_api_id": format!("gid://shopify/Order/{id}"),
        "name": if c.number.is_empty() { format!("#{number}") } else { c.number.clone() },
        "order_number": number,
        "number": number.saturating_sub(1000),
        "created_at": time(c.created_at),
        "updated_at": time(c.updated_at),
        "processed_at": time(c.created_at),
        "cancelled_at": closed,
        "cancel_reason": c.cancelled.then_some("customer"),
        "closed_at": closed,
        "confirmed": true,
        "test": false,
        "financial_status": financial,
        "fulfillment_status": match (any_fulfilled, all_fulfilled) {
            (false, _) => Value::Null,
            (true, true) => "fulfilled".into(),
            (true, false) => "partial".into(),
        },
        "currency": cur,
        "presentment_currency": cur,
        "taxes_included": false,
        "email": c.customer.email,
        "contact_email": c.customer.email,
        "phone": null,
        "customer": {
            "id": 7_200_000_000_000u64 + digits(c.customer.email.as_deref().unwrap_or("guest")),
            "email": c.customer.email, "first_name": first, "last_name": last,
            "phone": c.customer.phone, "state": "enabled", "tags": "",
        },
        "tags": c.tags.join(", "),
    });
    let more = json!({
        "total_line_items_price": money(t.subtotal),
        "subtotal_price": money(t.subtotal - t.discount),
        "total_discounts": money(t.discount),
        "total_tax": money(t.tax),
        "total_price": money(t.total),
        "total_shipping_price_set": money_set(t.shipping, cur),
        "current_subtotal_price": money(current(t.subtotal - t.discount)),
        "current_total_discounts": money(current(t.discount)),
        "current_total_tax": money(current(t.tax)),
        "current_total_price": money(current(t.total)),
        "current_total_price_set": money_set(current(t.total), cur),
        "total_outstanding": "0.00",
        "source_name": "web",
        "note": null,
        "note_attributes": note_attributes,
        "billing_address": address,
        "shipping_address": address,
        "line_items": line_items,
        "shipping_lines": [{
            "id": id + 1_000_000_000_000, "code": method, "title": shipping_title,
            "price": money(t.shipping), "discounted_price": money(t.shipping),
            "price_set": money_set(t.shipping, cur), "source": "shopify",
            "carrier_identifier": null, "tax_lines": [], "discount_allocations": [],
        }],
        "refunds": refunds,
        "fulfillments": done.map_or_else(Vec::new, |d| d.list.clone()),
        "discount_codes": [],
    });
    if let (Value::Object(map), Value::Object(more)) = (&mut order, more) {
        map.extend(more);
    }
    order
}
