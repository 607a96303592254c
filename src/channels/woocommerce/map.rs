//! WooCommerce REST v3 order JSON (`GET /wp-json/wc/v3/orders`, and the webhook bodies, which
//! are the same JSON as `GET /orders/<id>`) into ordo's [`ChannelOrder`].
//!
//! Choices this mapping makes (spec §2.5, edge cases 4, 12-15, 19, 20):
//! - Times come from the `*_gmt` twins, which carry no `Z` and are read as naive UTC; the
//!   site-local `date_created`/`date_modified` are never used (edge case 12). `updated_at` is
//!   `date_modified_gmt` (falling back to `date_created_gmt`), which is what the ledger
//!   deduplicates and orders versions by (edge cases 1, 2).
//! - The float `price` of a line is never read (edge case 13): the unit price is `total /
//!   quantity` computed in decimal from the `total` string. The quotient is kept exact when it
//!   ends within 6 decimal places (`8.13 / 2 = 4.065`: rounding that to the currency's 2 places
//!   would break the line total by a cent) and is rounded to 6 places only when it does not end
//!   (`10.00 / 3`), so `quantity × unit_price` still rounds back to the line total.
//! - Status: `pending` → payment [`FinancialStatus::Pending`] (kept, not routed);
//!   `processing`, `completed` → `Paid`; `on-hold` → `Pending` as well: Woo uses it for
//!   "awaiting payment" (bank transfer, cheque) and for manual holds, and in both cases the goods
//!   must not leave before someone releases it in the shop. `cancelled`, `failed`, `trash` →
//!   cancelled (`Voided`, or `Refunded` when refunds cover the total); `refunded` → cancelled
//!   and `Refunded` (stock is released). Refunds on an order whose status stays open →
//!   `PartiallyRefunded` (edge case 4: never infer a cancellation from refunds alone). Any other
//!   (custom or draft) status → `Pending`: not routed until it becomes a known one. Every order
//!   is tagged `woo:<status>`, and each refund `refund:<id>:<total>`.
//! - Customer: billing name, email, phone. Ship-to: the `shipping` address, or the billing one
//!   when the shipping address is empty; `company` stands in for the name only when the person's
//!   name is empty. Woo has no coordinates.
//! - SKU: `sku`, unless it is `""` (no SKU) or `null` (the product was deleted, edge case 15);
//!   then `sku_map` by `variation_id`, then by `product_id` (edge case 14). A line with neither
//!   makes the order unmappable, the reason naming every such line. So does a quantity that is
//!   not a positive whole number (edge case 20).
//! - Titles: the item `name` with HTML entities decoded (`&ndash;` → `–`, edge case 19); the raw
//!   payload keeps them as sent.
//! - Totals: subtotal = Σ line `subtotal` (before coupons), discount = `discount_total`,
//!   shipping = `shipping_total`, tax = `total_tax`, total = `total`. Fee lines are in the total
//!   and the raw payload only.
//! - Ship method: `pickup` for Woo's `local_pickup` / `pickup_location` methods, else
//!   `standard` (Woo's method titles are free text in the shop's language).

use std::str::FromStr;

use chrono::{DateTime, NaiveDateTime, Utc};
use rust_decimal::prelude::ToPrimitive;
use serde::Deserialize;
use serde_json::Value;

use super::super::{MapContext, Mapped};
pub use super::text::{decode_entities, split_array};
use crate::model::{Address, ChannelOrder, Customer, FinancialStatus, Line, Money, Totals};

/// Decimal places a non-terminating unit price is rounded to.
const UNIT_PRICE_DP: u32 = 6;

#[derive(Debug, Deserialize)]
struct WooOrder {
    id: u64,
    #[serde(default)]
    number: Option<Text>,
    #[serde(default)]
    status: String,
    #[serde(default)]
    currency: String,
    #[serde(default)]
    date_created_gmt: Option<String>,
    #[serde(default)]
    date_modified_gmt: Option<String>,
    #[serde(default)]
    discount_total: Option<Amount>,
    #[serde(default)]
    shipping_total: Option<Amount>,
    #[serde(default)]
    total_tax: Option<Amount>,
    total: Amount,
    #[serde(default)]
    billing: Option<WooAddress>,
    #[serde(default)]
    shipping: Option<WooAddress>,
    #[serde(default)]
    line_items: Vec<WooLine>,
    #[serde(default)]
    shipping_lines: Vec<WooShippingLine>,
    #[serde(default)]
    refunds: Vec<WooRefund>,
}

#[derive(Debug, Default, Deserialize)]
struct WooAddress {
    #[serde(default)]
    first_name: Option<String>,
    #[serde(default)]
    last_name: Option<String>,
    #[serde(default)]
    company: Option<String>,
    #[serde(default)]
    address_1: Option<String>,
    #[serde(default)]
    address_2: Option<String>,
    #[serde(default)]
    city: Option<String>,
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    postcode: Option<String>,
    #[serde(default)]
    country: Option<String>,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    phone: Option<String>,
}

#[derive(Debug, Deserialize)]
struct WooLine {
    #[serde(default)]
    id: Option<u64>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    product_id: Option<u64>,
    #[serde(default)]
    variation_id: Option<u64>,
    quantity: Value,
    #[serde(default)]
    subtotal: Option<Amount>,
    total: Amount,
    #[serde(default)]
    sku: Option<String>,
}

#[derive(Debug, Deserialize)]
struct WooShippingLine {
    #[serde(default)]
    method_id: Option<String>,
}

#[derive(Debug, Deserialize)]
struct WooRefund {
    #[serde(default)]
    id: Option<u64>,
    total: Amount,
}

/// Money as Woo sends it: a decimal string, or (for a few fields) a JSON number, parsed from
/// its text, never through `f64` arithmetic.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum Amount {
    Text(String),
    Number(serde_json::Number),
}

impl Amount {
    fn decimal(&self, field: &str) -> Result<Money, String> {
        let text = match self {
            Amount::Text(s) => s.trim().to_string(),
            Amount::Number(n) => n.to_string(),
        };
        if text.is_empty() {
            return Ok(Money::ZERO);
        }
        Money::from_str(&text)
            .or_else(|_| Money::from_scientific(&text))
            .map_err(|_| format!("{field} `{text}` is not an amount"))
    }
}

fn amount(a: &Option<Amount>, field: &str) -> Result<Money, String> {
    a.as_ref().map_or(Ok(Money::ZERO), |a| a.decimal(field))
}

/// `number` is a string in v3; older plugins send it as a number.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
enum Text {
    Text(String),
    Number(serde_json::Number),
}

impl Text {
    fn into_string(self) -> String {
        match self {
            Text::Text(s) => s,
            Text::Number(n) => n.to_string(),
        }
    }
}

/// Maps one order given as parsed JSON; `Err` is the reason it cannot be mapped.
pub fn map_value(value: &Value, ctx: &MapContext) -> Result<ChannelOrder, String> {
    if !value.is_object() {
        return Err(format!(
            "not a WooCommerce order: expected a JSON object, found {}",
            kind_of(value)
        ));
    }
    let order =
        WooOrder::deserialize(value).map_err(|e| format!("not a WooCommerce order: {e}"))?;
    map_order(order, ctx)
}

/// Maps one order given as JSON text: the webhook body, or a stored raw payload.
pub fn map_one(raw: &str, ctx: &MapContext) -> Mapped {
    match serde_json::from_str::<Value>(raw) {
        Ok(value) => map_element(&value, raw.to_string(), ctx),
        Err(e) => Mapped::Unmappable {
            raw: raw.to_string(),
            reason: format!("not JSON: {e}"),
            external_id: None,
            updated_at: None,
        },
    }
}

/// Maps one element of a list answer, keeping `raw` (its text as sent).
pub fn map_element(value: &Value, raw: String, ctx: &MapContext) -> Mapped {
    match map_value(value, ctx) {
        Ok(order) => Mapped::Order {
            order: Box::new(order),
            raw,
        },
        Err(reason) => Mapped::Unmappable {
            raw,
            reason,
            external_id: value.get("id").and_then(id_text),
            updated_at: value
                .get("date_modified_gmt")
                .or_else(|| value.get("date_created_gmt"))
                .and_then(Value::as_str)
                .and_then(|s| parse_gmt(s).ok()),
        },
    }
}

fn id_text(v: &Value) -> Option<String> {
    match v {
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        _ => None,
    }
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A `*_gmt` time: `2025-03-02T17:49:31`, no offset, UTC. A `Z` or an offset, should a plugin
/// add one, is honored.
pub fn parse_gmt(s: &str) -> Result<DateTime<Utc>, String> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&Utc));
    }
    ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
        .map(|t| t.and_utc())
        .ok_or_else(|| format!("`{s}` is not a time"))
}

fn nonempty(s: &Option<String>) -> Option<String> {
    s.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

fn map_order(o: WooOrder, ctx: &MapContext) -> Result<ChannelOrder, String> {
    let mut problems: Vec<String> = Vec::new();
    let created = o.date_created_gmt.as_deref().map(parse_gmt).transpose();
    let modified = o.date_modified_gmt.as_deref().map(parse_gmt).transpose();
    let (created_at, updated_at) = match (created, modified) {
        (Ok(c), Ok(m)) => match (c, m) {
            (Some(c), Some(m)) => (c, m),
            (Some(c), None) => (c, c),
            (None, Some(m)) => (m, m),
            (None, None) => {
                return Err("neither date_modified_gmt nor date_created_gmt is given".into())
            }
        },
        (Err(e), _) => return Err(format!("date_created_gmt: {e}")),
        (_, Err(e)) => return Err(format!("date_modified_gmt: {e}")),
    };

    let total = o.total.decimal("total")?;
    let refunded: Money = o
        .refunds
        .iter()
        .map(|r| r.total.decimal("refunds[].total").map(|t| t.abs()))
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .sum();
    let status = o.status.trim().to_ascii_lowercase();
    let fully_refunded = refunded > Money::ZERO && refunded >= total;
    let (cancelled, financial_status) = match status.as_str() {
        "processing" | "completed" => (false, paid_or_refunded(refunded, fully_refunded)),
        "pending" | "on-hold" => (false, FinancialStatus::Pending),
        "refunded" => (true, FinancialStatus::Refunded),
        "cancelled" | "failed" | "trash" => (
            true,
            if fully_refunded {
                FinancialStatus::Refunded
            } else {
                FinancialStatus::Voided
            },
        ),
        _ => (false, FinancialStatus::Pending),
    };
    let mut tags = vec![format!(
        "woo:{}",
        if status.is_empty() {
            "unknown"
        } else {
            &status
        }
    )];
    for r in &o.refunds {
        let t = r.total.decimal("refunds[].total")?;
        tags.push(match r.id {
            Some(id) => format!("refund:{id}:{t}"),
            None => format!("refund:{t}"),
        });
    }

    let billing = o.billing.unwrap_or_default();
    let shipping = o.shipping.unwrap_or_default();
    let customer = Customer {
        name: person(&billing),
        email: nonempty(&billing.email),
        phone: nonempty(&billing.phone),
    };
    let ship_to = address(&shipping).or_else(|| address(&billing));

    let mut lines = Vec::with_capacity(o.line_items.len());
    let mut subtotal = Money::ZERO;
    for (i, item) in o.line_items.iter().enumerate() {
        let n = i as u32 + 1;
        match map_line(n, item, ctx) {
            Ok(line) => lines.push(line),
            Err(p) => problems.push(p),
        }
        subtotal += match &item.subtotal {
            Some(s) => s.decimal("line_items[].subtotal")?,
            None => item.total.decimal("line_items[].total")?,
        };
    }
    if !problems.is_empty() {
        return Err(problems.join("; "));
    }
    let is_pickup = o.shipping_lines.iter().any(|s| {
        matches!(
            s.method_id.as_deref(),
            Some("local_pickup") | Some("pickup_location")
        )
    });
    let external_id = o.id.to_string();
    let number = o
        .number
        .map(Text::into_string)
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| external_id.clone());
    let mut order = ChannelOrder {
        channel: ctx.channel_id.clone(),
        external_id,
        number,
        created_at,
        updated_at,
        cancelled,
        financial_status,
        customer,
        ship_to,
        ship_method: if is_pickup { "pickup" } else { "standard" }.to_string(),
        pickup_location: None,
        lines,
        totals: Totals {
            subtotal,
            shipping: amount(&o.shipping_total, "shipping_total")?,
            tax: amount(&o.total_tax, "total_tax")?,
            discount: amount(&o.discount_total, "discount_total")?,
            total,
        },
        currency: o.currency.trim().to_ascii_uppercase(),
        tags,
    };
    order.normalize();
    Ok(order)
}

fn paid_or_refunded(refunded: Money, fully: bool) -> FinancialStatus {
    if fully {
        FinancialStatus::Refunded
    } else if refunded > Money::ZERO {
        FinancialStatus::PartiallyRefunded
    } else {
        FinancialStatus::Paid
    }
}

fn person(a: &WooAddress) -> Option<String> {
    let name = [nonempty(&a.first_name), nonempty(&a.last_name)]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    (!name.is_empty()).then_some(name)
}

/// An address worth shipping to: anything besides names and contact filled in.
fn address(a: &WooAddress) -> Option<Address> {
    let line1 = nonempty(&a.address_1);
    let city = nonempty(&a.city);
    let postal = nonempty(&a.postcode);
    let country = nonempty(&a.country);
    if line1.is_none() && city.is_none() && postal.is_none() && country.is_none() {
        return None;
    }
    Some(Address {
        name: person(a).or_else(|| nonempty(&a.company)),
        line1: line1.unwrap_or_default(),
        line2: nonempty(&a.address_2),
        city: city.unwrap_or_default(),
        region: nonempty(&a.state),
        postal_code: postal.unwrap_or_default(),
        country: country.unwrap_or_default().to_ascii_uppercase(),
        lat: None,
        lon: None,
    })
}

fn map_line(n: u32, item: &WooLine, ctx: &MapContext) -> Result<Line, String> {
    let label = {
        let mut s = format!("line {n}");
        if let Some(id) = item.id {
            s.push_str(&format!(" (item {id}"));
            if let Some(name) = &item.name {
                s.push_str(&format!(" \"{}\"", decode_entities(name)));
            }
            s.push(')');
        }
        s
    };
    let quantity = quantity(&item.quantity).map_err(|e| format!("{label}: {e}"))?;
    let sku = match nonempty(&item.sku) {
        Some(sku) => sku,
        None => {
            let variation = item.variation_id.filter(|v| *v != 0);
            let product = item.product_id.filter(|p| *p != 0);
            let mapped = variation
                .and_then(|v| ctx.sku_map.get(&v.to_string()))
                .or_else(|| product.and_then(|p| ctx.sku_map.get(&p.to_string())));
            match mapped {
                Some(sku) => sku.clone(),
                None => {
                    let why = if item.sku.is_none() {
                        "no SKU (sku null: the product no longer exists)"
                    } else {
                        "no SKU (sku \"\")"
                    };
                    let refs: Vec<String> = [variation, product]
                        .into_iter()
                        .flatten()
                        .map(|id| id.to_string())
                        .collect();
                    return Err(if refs.is_empty() {
                        format!("{label}: {why} and no product id to map")
                    } else {
                        format!(
                            "{label}: {why} and no [channels.sku_map] entry for {}",
                            refs.join(" or ")
                        )
                    });
                }
            }
        }
    };
    let total = item
        .total
        .decimal("total")
        .map_err(|e| format!("{label}: {e}"))?;
    Ok(Line {
        line: n,
        sku,
        title: item
            .name
            .as_deref()
            .map(decode_entities)
            .filter(|t| !t.trim().is_empty()),
        quantity,
        unit_price: unit_price(total, quantity),
        channel_line_id: item.id.map(|id| id.to_string()),
    })
}

/// `total / quantity` in decimal: exact when it ends within [`UNIT_PRICE_DP`] places.
pub fn unit_price(total: Money, quantity: u32) -> Money {
    let q = (total / Money::from(quantity)).normalize();
    if q.scale() > UNIT_PRICE_DP {
        q.round_dp(UNIT_PRICE_DP).normalize()
    } else {
        q
    }
}

/// A line quantity: a positive whole number (edge case 20: Woo can store 1.52).
fn quantity(v: &Value) -> Result<u32, String> {
    let text = match v {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.trim().to_string(),
        other => return Err(format!("quantity is {}", kind_of(other))),
    };
    let q = Money::from_str(&text)
        .or_else(|_| Money::from_scientific(&text))
        .map_err(|_| format!("quantity `{text}` is not a number"))?;
    if q.fract() != Money::ZERO {
        return Err(format!(
            "quantity {text} is not a whole number; review it in the shop"
        ));
    }
    if q <= Money::ZERO {
        return Err(format!("quantity {text} is not positive"));
    }
    q.to_u32()
        .ok_or_else(|| format!("quantity {text} is too large"))
}

/// Maps a whole list answer (a JSON array of orders) already parsed as `values`, whose text is
/// `text`: every element, mapped or unmappable, with its raw text as sent.
pub fn map_array(text: &str, values: &[Value], ctx: &MapContext) -> Vec<Mapped> {
    let raws: Vec<String> = match split_array(text) {
        Some(parts) if parts.len() == values.len() => {
            parts.into_iter().map(str::to_string).collect()
        }
        _ => values.iter().map(Value::to_string).collect(),
    };
    values
        .iter()
        .zip(raws)
        .map(|(v, raw)| map_element(v, raw, ctx))
        .collect()
}
