//! Book orders and products in WooCommerce REST v3's JSON.

use chrono::{DateTime, Duration, FixedOffset, Utc};
use serde_json::{json, Value};

use super::WooSimSettings;
use crate::model::{ChannelOrder, FinancialStatus, Money};
use crate::sim::channel::SimOrder;

/// The WooCommerce id of a book order: its external id when numeric, else its shop id.
pub fn woo_id(o: &SimOrder) -> u64 {
    o.order.external_id.trim().parse().unwrap_or(o.shop_id)
}

/// The WooCommerce status a book order shows (see the module docs).
pub fn woo_status(order: &ChannelOrder) -> &str {
    if let Some(s) = order.tags.iter().find_map(|t| t.strip_prefix("woo:")) {
        return s;
    }
    match (order.cancelled, order.financial_status) {
        (true, FinancialStatus::Refunded) => "refunded",
        (true, _) => "cancelled",
        (false, FinancialStatus::Pending) => "pending",
        (false, FinancialStatus::Refunded) => "refunded",
        _ => "processing",
    }
}

/// A time as WooCommerce stores it: whole seconds.
pub(super) use crate::sim::channel::whole_seconds as secs;

fn money(m: Money) -> String {
    format!("{:.2}", m.round_dp(2))
}

/// WooCommerce's own entity encoding of item names (`esc_html`-like: `& < > " '`).
fn encode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#039;"),
            '–' => out.push_str("&ndash;"),
            '×' => out.push_str("&times;"),
            c => out.push(c),
        }
    }
    out
}

/// A stable product id for a SKU: 1000 + FNV-1a(SKU) mod 10^9, so the same SKU is the same
/// product in every order and in `GET /products`, in every run. The range makes two SKUs of a
/// catalog sharing an id practically impossible (the demo catalog has none, as a test checks).
pub fn product_id(sku: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in sku.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    1_000 + h % 1_000_000_000
}

/// A simple product in WooCommerce REST v3's JSON (the fields a stock sync reads, and enough
/// of the rest to look like one): `stock_quantity` is the shop's level, `manage_stock` whether
/// it has one.
pub fn render_product(
    sku: &str,
    title: &str,
    level: Option<i64>,
    settings: &WooSimSettings,
) -> Value {
    let id = product_id(sku);
    let status = match level {
        Some(l) if l <= 0 => "outofstock",
        _ => "instock",
    };
    json!({
        "id": id,
        "name": encode_entities(title),
        "slug": sku.to_lowercase(),
        "permalink": format!("{}/product/{}/", settings.site_url, sku.to_lowercase()),
        "type": "simple",
        "status": "publish",
        "sku": sku,
        "price": "",
        "parent_id": 0,
        "manage_stock": level.is_some(),
        "stock_quantity": level,
        "stock_status": status,
        "backorders": "no",
        "backorders_allowed": false,
        "backordered": false,
        "variations": [],
        "meta_data": [],
        "_links": {
            "self": [{ "href": format!("{}/wp-json/wc/v3/products/{id}", settings.site_url) }],
            "collection": [{ "href": format!("{}/wp-json/wc/v3/products", settings.site_url) }],
        },
    })
}

/// One book order in WooCommerce REST v3's JSON.
pub fn render(o: &SimOrder, settings: &WooSimSettings) -> Value {
    let order = &o.order;
    let id = woo_id(o);
    let zone = FixedOffset::east_opt(settings.utc_offset_secs)
        .unwrap_or_else(|| FixedOffset::east_opt(0).expect("zero offset"));
    let local = |t: DateTime<Utc>| {
        t.with_timezone(&zone)
            .format("%Y-%m-%dT%H:%M:%S")
            .to_string()
    };
    let gmt = |t: DateTime<Utc>| t.format("%Y-%m-%dT%H:%M:%S").to_string();
    let status = woo_status(order);
    let paid = !matches!(status, "pending" | "failed")
        && order.financial_status != FinancialStatus::Pending;
    let paid_at = order.created_at + Duration::seconds(7);
    let completed_at = (status == "completed").then_some(order.updated_at);

    // A coupon is spread over the lines' totals, the last line taking the rounding rest.
    let subtotals: Vec<Money> = order
        .lines
        .iter()
        .map(|l| l.unit_price * Money::from(l.quantity))
        .collect();
    let gross: Money = subtotals.iter().copied().sum();
    let discount = order.totals.discount.round_dp(2);
    let mut left = discount;
    let n = order.lines.len();
    let line_items: Vec<Value> = order
        .lines
        .iter()
        .zip(&subtotals)
        .enumerate()
        .map(|(i, (l, sub))| {
            let share = if i + 1 == n {
                left
            } else if gross > Money::ZERO {
                (discount * sub / gross).round_dp(2)
            } else {
                Money::ZERO
            };
            left -= share;
            let total = (sub - share).round_dp(2);
            let price = money(total).parse::<f64>().unwrap_or(0.0) / f64::from(l.quantity.max(1));
            let item_id = l
                .channel_line_id
                .as_deref()
                .and_then(|s| s.parse::<u64>().ok())
                .unwrap_or(id * 10 + i as u64 + 1);
            json!({
                "id": item_id,
                "name": encode_entities(l.title.as_deref().unwrap_or(&l.sku)),
                "product_id": product_id(&l.sku),
                "variation_id": 0,
                "quantity": l.quantity,
                "tax_class": "",
                "subtotal": money(*sub),
                "subtotal_tax": "0.00",
                "total": money(total),
                "total_tax": "0.00",
                "taxes": [],
                "meta_data": [],
                "sku": l.sku,
                "price": price,
                "image": { "id": 0, "src": "" },
                "parent_name": null,
            })
        })
        .collect();

    let (first, last) = match order.customer.name.as_deref() {
        Some(name) => match name.split_once(' ') {
            Some((f, l)) => (f.to_string(), l.to_string()),
            None => (name.to_string(), String::new()),
        },
        None => (String::new(), String::new()),
    };
    let addr = |with_contact: bool| -> Value {
        let a = order.ship_to.clone().unwrap_or_default();
        let mut v = json!({
            "first_name": first, "last_name": last, "company": "",
            "address_1": a.line1, "address_2": a.line2.unwrap_or_default(),
            "city": a.city, "state": a.region.unwrap_or_default(),
            "postcode": a.postal_code, "country": a.country,
        });
        if with_contact {
            v["email"] = json!(order.customer.email);
            v["phone"] = json!(order.customer.phone.clone().unwrap_or_default());
        } else {
            v["phone"] = json!("");
        }
        v
    };
    let pickup = order.ship_method == "pickup" || order.pickup_location.is_some();
    let (method_id, method_title) = match order.ship_method.as_str() {
        _ if pickup => ("local_pickup", "Local pickup".to_string()),
        "standard" if order.totals.shipping == Money::ZERO => {
            ("free_shipping", "Free shipping".to_string())
        }
        m => ("flat_rate", format!("Flat rate ({m})")),
    };
    let refunds: Vec<Value> = match (status, order.financial_status) {
        ("refunded", _) | (_, FinancialStatus::Refunded) => vec![json!({
            "id": id + 7, "reason": "", "total": format!("-{}", money(order.totals.total)),
        })],
        (_, FinancialStatus::PartiallyRefunded) => vec![json!({
            "id": id + 7, "reason": "Partial refund",
            "total": format!("-{}", money((order.totals.total / Money::from(10)).round_dp(2))),
        })],
        _ => vec![],
    };
    let mut head = json!({
        "id": id,
        "parent_id": 0,
        "status": status,
        "currency": order.currency,
        "version": "9.6.2",
        "prices_include_tax": false,
        "date_created": local(order.created_at),
        "date_modified": local(order.updated_at),
        "discount_total": money(discount),
        "discount_tax": "0.00",
        "shipping_total": money(order.totals.shipping),
        "shipping_tax": "0.00",
        "cart_tax": money(order.totals.tax),
        "total": money(order.totals.total),
        "total_tax": money(order.totals.tax),
        "customer_id": 0,
        "order_key": format!("wc_order_sim{id}"),
        "billing": addr(true),
        "shipping": addr(false),
        "payment_method": "stripe",
        "payment_method_title": "Credit card",
        "transaction_id": if paid { format!("pi_sim_{id}") } else { String::new() },
        "customer_ip_address": "192.0.2.10",
        "customer_user_agent": "Mozilla/5.0",
        "created_via": "checkout",
        "customer_note": "",
        "date_completed": completed_at.map(local),
        "date_paid": paid.then(|| local(paid_at)),
        "cart_hash": "",
    });
    let rest = json!({
        "number": order.number.trim_start_matches('#'),
        "meta_data": [],
        "line_items": line_items,
        "tax_lines": [],
        "shipping_lines": [{
            "id": id * 10 + 9, "method_title": method_title, "method_id": method_id,
            "instance_id": "1", "total": money(order.totals.shipping), "total_tax": "0.00",
            "taxes": [], "meta_data": [],
        }],
        "fee_lines": [],
        "coupon_lines": [],
        "refunds": refunds,
        "payment_url": format!("{}/checkout/order-pay/{id}/", settings.site_url),
        "is_editable": status == "pending" || status == "on-hold",
        "needs_payment": !paid,
        "needs_processing": true,
        "date_created_gmt": gmt(order.created_at),
        "date_modified_gmt": gmt(order.updated_at),
        "date_completed_gmt": completed_at.map(gmt),
        "date_paid_gmt": paid.then(|| gmt(paid_at)),
        "_links": {
            "self": [{ "href": format!("{}/wp-json/wc/v3/orders/{id}", settings.site_url) }],
            "collection": [{ "href": format!("{}/wp-json/wc/v3/orders", settings.site_url) }],
        },
    });
    if let (Some(a), Value::Object(b)) = (head.as_object_mut(), rest) {
        a.extend(b);
    }
    head
}

#[cfg(test)]
mod tests {
    use super::product_id;

    #[test]
    fn demo_catalog_skus_have_distinct_product_ids() {
        let catalog = crate::sim::Catalog::demo();
        let mut ids: Vec<u64> = catalog.items.iter().map(|i| product_id(&i.sku)).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), catalog.items.len());
    }
}
