//! Shopify's REST order resource (`GET orders.json`, and every `orders/*` webhook body) into
//! ordo's [`ChannelOrder`].
//!
//! Only what an OMS needs is read; every other field is ignored (`#[serde(default)]`, never
//! `deny_unknown_fields`). Money is read from its textual form into a decimal (strings, and
//! the JSON numbers of `refund_line_items[].subtotal`; edge case 13), times keep their shop
//! offset only until they are turned into UTC (edge case 12), text is kept as sent (edge
//! case 19). An order is quarantined here only for what ordo cannot express: a body that is
//! not an order, a line without a usable SKU (edge cases 14/15), a quantity that is not a
//! whole number of units. Everything else (unknown SKUs, a missing address) is the ledger's
//! call.

use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::de::{Deserializer, Error as _};
use serde::Deserialize;
use serde_json::Value;

use crate::channels::{MapContext, Mapped};
use crate::model::{Address, ChannelOrder, Customer, FinancialStatus, Line, Money, Totals};

/// One order of the REST resource: the fields ordo reads.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct ShopifyOrder {
    pub id: Option<u64>,
    pub name: Option<String>,
    pub order_number: Option<u64>,
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
    pub cancelled_at: Option<String>,
    pub financial_status: Option<String>,
    pub currency: Option<String>,
    pub presentment_currency: Option<String>,
    pub email: Option<String>,
    pub contact_email: Option<String>,
    pub phone: Option<String>,
    pub customer: Option<ShopifyCustomer>,
    pub shipping_address: Option<ShopifyAddress>,
    pub billing_address: Option<ShopifyAddress>,
    #[serde(deserialize_with = "null_default")]
    pub line_items: Vec<LineItem>,
    #[serde(deserialize_with = "null_default")]
    pub shipping_lines: Vec<ShippingLine>,
    #[serde(deserialize_with = "null_default")]
    pub refunds: Vec<Refund>,
    #[serde(deserialize_with = "null_default")]
    pub note_attributes: Vec<NoteAttribute>,
    pub tags: Option<String>,
    #[serde(deserialize_with = "money")]
    pub subtotal_price: Option<Money>,
    #[serde(deserialize_with = "money")]
    pub current_subtotal_price: Option<Money>,
    #[serde(deserialize_with = "money")]
    pub total_line_items_price: Option<Money>,
    #[serde(deserialize_with = "money")]
    pub total_price: Option<Money>,
    #[serde(deserialize_with = "money")]
    pub current_total_price: Option<Money>,
    #[serde(deserialize_with = "money")]
    pub total_tax: Option<Money>,
    #[serde(deserialize_with = "money")]
    pub current_total_tax: Option<Money>,
    #[serde(deserialize_with = "money")]
    pub total_discounts: Option<Money>,
    #[serde(deserialize_with = "money")]
    pub current_total_discounts: Option<Money>,
    pub total_shipping_price_set: Option<MoneyBag>,
    pub current_shipping_price_set: Option<MoneyBag>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct ShopifyCustomer {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct ShopifyAddress {
    pub name: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    pub address1: Option<String>,
    pub address2: Option<String>,
    pub city: Option<String>,
    pub province: Option<String>,
    pub province_code: Option<String>,
    pub zip: Option<String>,
    pub country: Option<String>,
    pub country_code: Option<String>,
    pub phone: Option<String>,
    /// A number in responses, a string in older docs, or null.
    pub latitude: Option<Value>,
    pub longitude: Option<Value>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct LineItem {
    pub id: Option<u64>,
    /// Null for custom items and for variants deleted since (edge cases 14/15).
    pub variant_id: Option<u64>,
    pub product_id: Option<u64>,
    /// May be null or "".
    pub sku: Option<String>,
    pub title: Option<String>,
    pub name: Option<String>,
    /// Kept as JSON so that a fractional or negative count is reported, not a parse error.
    pub quantity: Option<Value>,
    /// What is left after edits, removals and refunds (edge case 3); absent before 2023.
    pub current_quantity: Option<Value>,
    #[serde(deserialize_with = "money")]
    pub price: Option<Money>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct ShippingLine {
    pub code: Option<String>,
    pub title: Option<String>,
    #[serde(deserialize_with = "money")]
    pub price: Option<Money>,
    #[serde(deserialize_with = "money")]
    pub discounted_price: Option<Money>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct Refund {
    #[serde(deserialize_with = "null_default")]
    pub refund_line_items: Vec<RefundLineItem>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct RefundLineItem {
    pub line_item_id: Option<u64>,
    pub quantity: Option<u64>,
    /// A JSON number in Shopify's answers (edge case 13), read through its text.
    #[serde(deserialize_with = "money")]
    pub subtotal: Option<Money>,
    #[serde(deserialize_with = "money")]
    pub total_tax: Option<Money>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct NoteAttribute {
    pub name: Option<String>,
    pub value: Option<Value>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct MoneyBag {
    pub shop_money: Option<Amount>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct Amount {
    #[serde(deserialize_with = "money")]
    pub amount: Option<Money>,
}

impl MoneyBag {
    fn amount(&self) -> Option<Money> {
        self.shop_money.as_ref().and_then(|m| m.amount)
    }
}

/// A JSON null where a list is expected reads as the empty list.
fn null_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// Money as a decimal string or a JSON number, through its text, never through `f64`.
/// Null and "" read as absent.
fn money<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Money>, D::Error> {
    match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => parse_money(&s)
            .map(Some)
            .ok_or_else(|| D::Error::custom(format!("money `{s}` is not a decimal"))),
        Some(Value::Number(n)) => parse_money(&n.to_string())
            .map(Some)
            .ok_or_else(|| D::Error::custom(format!("money {n} is not a decimal"))),
        Some(other) => Err(D::Error::custom(format!(
            "money must be a string or a number, not {other}"
        ))),
    }
}

/// A decimal from its text (`"24.50"`, `29.9`, `1e3`).
pub(super) fn parse_money(text: &str) -> Option<Money> {
    let text = text.trim();
    Money::from_str(text)
        .ok()
        .or_else(|| Money::from_scientific(text).ok())
}

/// Maps one order's JSON text (an element of a list answer, or a webhook body). Never fails:
/// what cannot be mapped comes back as [`Mapped::Unmappable`] with the text as it came.
pub fn map_order(raw: &str, ctx: &MapContext) -> Mapped {
    let unmappable = |reason: String, value: Option<&Value>| Mapped::Unmappable {
        raw: raw.to_string(),
        reason,
        external_id: value.and_then(|v| id_text(v.get("id")?)),
        updated_at: value.and_then(|v| {
            let text = v.get("updated_at")?.as_str()?;
            parse_time(text).ok()
        }),
    };
    let value: Value = match serde_json::from_str(raw) {
        Ok(v) => v,
        Err(e) => return unmappable(format!("not JSON: {e}"), None),
    };
    if !value.is_object() {
        return unmappable("not a Shopify order: not a JSON object".into(), None);
    }
    let order: ShopifyOrder = match ShopifyOrder::deserialize(&value) {
        Ok(o) => o,
        Err(e) => return unmappable(format!("not a Shopify order: {e}"), Some(&value)),
    };
    match to_channel_order(&order, ctx) {
        Ok(order) => Mapped::Order {
            order: Box::new(order),
            raw: raw.to_string(),
        },
        Err(reason) => unmappable(reason, Some(&value)),
    }
}

fn id_text(v: &Value) -> Option<String> {
    match v {
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        _ => None,
    }
}

/// An ISO-8601 time with its offset, in UTC.
pub(super) fn parse_time(text: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(text.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| format!("`{text}` is not an ISO-8601 time with an offset ({e})"))
}

fn non_empty(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// The mapping proper; Err is the reason the order goes to quarantine.
pub(super) fn to_channel_order(o: &ShopifyOrder, ctx: &MapContext) -> Result<ChannelOrder, String> {
    let id = o.id.ok_or("the order has no id")?;
    let time = |field: &str, value: &Option<String>| -> Result<Option<DateTime<Utc>>, String> {
        non_empty(value)
            .map(|t| parse_time(t).map_err(|e| format!("{field} {e}")))
            .transpose()
    };
    let created = time("created_at", &o.created_at)?;
    let updated = time("updated_at", &o.updated_at)?;
    let cancelled_at = time("cancelled_at", &o.cancelled_at)?;
    let (created_at, updated_at) = match (created, updated) {
        (Some(c), Some(u)) => (c, u),
        (Some(t), None) | (None, Some(t)) => (t, t),
        (None, None) => return Err("the order has neither created_at nor updated_at".into()),
    };

    let lines = lines(o, ctx)?;
    let totals = totals(o, &lines)?;

    let pickup = pickup(o);
    let ship_method = if pickup.is_some() {
        "pickup".to_string()
    } else {
        o.shipping_lines
            .first()
            .and_then(|s| non_empty(&s.code).or(non_empty(&s.title)))
            .map(str::to_lowercase)
            .unwrap_or_else(|| "standard".to_string())
    };

    let number = non_empty(&o.name)
        .map(str::to_string)
        .or_else(|| o.order_number.map(|n| format!("#{n}")))
        .unwrap_or_else(|| id.to_string());
    let currency = non_empty(&o.currency)
        .or(non_empty(&o.presentment_currency))
        .unwrap_or_default()
        .to_string();

    Ok(ChannelOrder {
        channel: ctx.channel_id.clone(),
        external_id: id.to_string(),
        number,
        created_at,
        updated_at,
        // Only `cancelled_at` says so; a refund is not a cancellation (edge case 4).
        cancelled: cancelled_at.is_some(),
        financial_status: financial_status(o.financial_status.as_deref()),
        customer: customer(o),
        ship_to: o.shipping_address.as_ref().map(address),
        ship_method,
        pickup_location: pickup,
        lines,
        totals,
        currency,
        tags: o
            .tags
            .as_deref()
            .unwrap_or("")
            .split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_string)
            .collect(),
    })
}

/// Shopify's `financial_status`. `unpaid`, `expired` and anything new are kept as pending:
/// such an order is stored but not routed until a later version says it is paid.
pub(super) fn financial_status(s: Option<&str>) -> FinancialStatus {
    match s.map(|s| s.trim().to_ascii_lowercase()).as_deref() {
        Some("paid") => FinancialStatus::Paid,
        Some("authorized") => FinancialStatus::Authorized,
        Some("partially_paid") => FinancialStatus::PartiallyPaid,
        Some("partially_refunded") => FinancialStatus::PartiallyRefunded,
        Some("refunded") => FinancialStatus::Refunded,
        Some("voided") => FinancialStatus::Voided,
        _ => FinancialStatus::Pending,
    }
}

fn customer(o: &ShopifyOrder) -> Customer {
    let c = o.customer.as_ref();
    let from_customer = c.and_then(|c| {
        let parts: Vec<&str> = [non_empty(&c.first_name), non_empty(&c.last_name)]
            .into_iter()
            .flatten()
            .collect();
        (!parts.is_empty()).then(|| parts.join(" "))
    });
    let addresses = [o.shipping_address.as_ref(), o.billing_address.as_ref()];
    let name = from_customer.or_else(|| addresses.iter().flatten().find_map(|a| address_name(a)));
    let email = non_empty(&o.email)
        .or(non_empty(&o.contact_email))
        .or(c.and_then(|c| non_empty(&c.email)))
        .map(str::to_string);
    let phone = non_empty(&o.phone)
        .or(c.and_then(|c| non_empty(&c.phone)))
        .or(addresses.iter().flatten().find_map(|a| non_empty(&a.phone)))
        .map(str::to_string);
    Customer { name, email, phone }
}

fn address_name(a: &ShopifyAddress) -> Option<String> {
    non_empty(&a.name).map(str::to_string).or_else(|| {
        let parts: Vec<&str> = [non_empty(&a.first_name), non_empty(&a.last_name)]
            .into_iter()
            .flatten()
            .collect();
        (!parts.is_empty()).then(|| parts.join(" "))
    })
}

fn coordinate(v: &Option<Value>) -> Option<f64> {
    match v.as_ref()? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
    .filter(|x: &f64| x.is_finite())
}

fn address(a: &ShopifyAddress) -> Address {
    Address {
        name: address_name(a),
        line1: non_empty(&a.address1).unwrap_or_default().to_string(),
        line2: non_empty(&a.address2).map(str::to_string),
        city: non_empty(&a.city).unwrap_or_default().to_string(),
        region: non_empty(&a.province_code)
            .or(non_empty(&a.province))
            .map(str::to_string),
        postal_code: non_empty(&a.zip).unwrap_or_default().to_string(),
        country: non_empty(&a.country_code)
            .map(str::to_ascii_uppercase)
            .unwrap_or_default(),
        lat: coordinate(&a.latitude),
        lon: coordinate(&a.longitude),
    }
}

/// Store pickup as pickup apps record it in the order's note attributes
/// (`Checkout-Method: pickup`, `Pickup-Location-Id: store-nyc`): the REST order resource has no
/// field of its own for it. The location id is ordo's location id.
fn pickup(o: &ShopifyOrder) -> Option<String> {
    let attr = |names: &[&str]| {
        o.note_attributes.iter().find_map(|a| {
            let name = a.name.as_deref()?.trim();
            if !names.iter().any(|n| n.eq_ignore_ascii_case(name)) {
                return None;
            }
            let value = match a.value.as_ref()? {
                Value::String(s) => s.trim().to_string(),
                Value::Number(n) => n.to_string(),
                _ => return None,
            };
            (!value.is_empty()).then_some(value)
        })
    };
    let method = attr(&["Checkout-Method", "checkout_method"]);
    let location = attr(&["Pickup-Location-Id", "pickup_location"]);
    match method {
        Some(m) if !m.eq_ignore_ascii_case("pickup") => None,
        _ => location,
    }
}

/// A line count as a whole number of units, or why it is not one.
fn whole_units(v: &Value) -> Result<u32, String> {
    match v {
        Value::Number(n) => match n.as_u64() {
            Some(q) => u32::try_from(q).map_err(|_| format!("quantity {n} is too large")),
            None => Err(format!("quantity {n} is not a whole number of units")),
        },
        other => Err(format!("quantity {other} is not a number")),
    }
}

fn lines(o: &ShopifyOrder, ctx: &MapContext) -> Result<Vec<Line>, String> {
    let mut out = Vec::with_capacity(o.line_items.len());
    let mut problems = Vec::new();
    for (i, li) in o.line_items.iter().enumerate() {
        let n = i + 1;
        let label = non_empty(&li.title)
            .or(non_empty(&li.name))
            .unwrap_or("untitled");
        let sku = match non_empty(&li.sku) {
            Some(sku) => Some(sku.to_string()),
            None => {
                let keys = [li.variant_id, li.product_id];
                let mapped = keys
                    .iter()
                    .flatten()
                    .find_map(|id| ctx.sku_map.get(&id.to_string()).cloned());
                if mapped.is_none() {
                    problems.push(match (li.variant_id, li.product_id) {
                        (None, None) => format!(
                            "line item {n} ({label}) has no SKU and no variant or product id \
                             (a custom or deleted item), so no sku_map entry can name one"
                        ),
                        (v, p) => format!(
                            "line item {n} ({label}) has no SKU and variant/product id has no \
                             sku_map entry ({})",
                            [
                                v.map(|v| format!("variant {v}")),
                                p.map(|p| format!("product {p}"))
                            ]
                            .into_iter()
                            .flatten()
                            .collect::<Vec<_>>()
                            .join(", ")
                        ),
                    });
                }
                mapped
            }
        };
        let quantity = match (&li.current_quantity, &li.quantity) {
            (Some(q), _) if !q.is_null() => whole_units(q),
            (_, Some(q)) if !q.is_null() => {
                whole_units(q).map(|q| q.saturating_sub(refunded(o, li)))
            }
            _ => Err("no quantity".to_string()),
        };
        let quantity = match quantity {
            Ok(q) => Some(q),
            Err(e) => {
                problems.push(format!("line item {n} ({label}): {e}"));
                None
            }
        };
        if li.price.is_none() {
            problems.push(format!("line item {n} ({label}) has no price"));
        }
        if let (Some(sku), Some(quantity), Some(unit_price)) = (sku, quantity, li.price) {
            out.push(Line {
                line: n as u32,
                sku,
                title: non_empty(&li.title)
                    .or(non_empty(&li.name))
                    .map(str::to_string),
                quantity,
                unit_price,
                channel_line_id: li.id.map(|id| id.to_string()),
            });
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems.join("; "))
    }
}

/// Units of a line refunded so far: what `current_quantity` already takes off, for answers
/// (older API versions) that do not carry it.
fn refunded(o: &ShopifyOrder, li: &LineItem) -> u32 {
    let Some(id) = li.id else { return 0 };
    let units: u64 = o
        .refunds
        .iter()
        .flat_map(|r| &r.refund_line_items)
        .filter(|r| r.line_item_id == Some(id))
        .filter_map(|r| r.quantity)
        .sum();
    u32::try_from(units).unwrap_or(u32::MAX)
}

/// Totals after edits, refunds and cancellations (`current_*`) when the answer has them.
/// `subtotal` is the goods before discounts, as in every ordo order (subtotal - discount +
/// shipping + tax = total when taxes are not included in prices): Shopify's
/// `subtotal_price` is after discounts, so the discounts are added back.
fn totals(o: &ShopifyOrder, lines: &[Line]) -> Result<Totals, String> {
    let discount = o
        .current_total_discounts
        .or(o.total_discounts)
        .unwrap_or_default();
    let subtotal = match (
        o.current_subtotal_price,
        o.total_line_items_price,
        o.subtotal_price,
    ) {
        (Some(current), _, _) => current + o.current_total_discounts.unwrap_or(discount),
        (None, Some(items), _) => items,
        (None, None, Some(after_discounts)) => after_discounts + discount,
        (None, None, None) => lines
            .iter()
            .map(|l| l.unit_price * Money::from(l.quantity))
            .sum(),
    };
    let shipping = o
        .current_shipping_price_set
        .as_ref()
        .and_then(MoneyBag::amount)
        .or_else(|| {
            o.total_shipping_price_set
                .as_ref()
                .and_then(MoneyBag::amount)
        })
        .unwrap_or_else(|| {
            o.shipping_lines
                .iter()
                .filter_map(|s| s.discounted_price.or(s.price))
                .sum()
        });
    let total = o
        .current_total_price
        .or(o.total_price)
        .ok_or("the order has neither current_total_price nor total_price")?;
    Ok(Totals {
        subtotal,
        shipping,
        tax: o.current_total_tax.or(o.total_tax).unwrap_or_default(),
        discount,
        total,
    })
}
