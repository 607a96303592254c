//! Amazon orders into ordo's [`ChannelOrder`]: the v2026-01-01 order (items inside it) and the
//! v0 pair (a `getOrders` order plus its `getOrderItems` items). An order becomes
//! [`Mapped::Unmappable`] only for what ordo cannot express: a shape that is not Amazon's, an
//! item with neither a SellerSKU nor a `[channels.sku_map]` entry for its ASIN (edge case 14),
//! a v0 order whose items were not given. Unknown SKUs and missing addresses are the ledger's
//! to judge.

use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::wire::{Address0, Address26, Breakdown26, Item0, Item26, Money0, Order0, Order26};
use crate::channels::{MapContext, Mapped};
use crate::model::{Address, ChannelOrder, Customer, FinancialStatus, Line, Money, Totals};

/// What an order is, by its Amazon status: payment state, cancelled, tags.
struct Status {
    financial: FinancialStatus,
    cancelled: bool,
    tag: Option<&'static str>,
}

/// v2026-01-01 `fulfillment.fulfillmentStatus`.
fn status_2026(s: &str) -> Option<Status> {
    let st = |financial, cancelled, tag| Status {
        financial,
        cancelled,
        tag,
    };
    Some(match s {
        // Pending: no prices and no address yet (edge case 16); kept, not routed.
        "PENDING" | "PENDING_AVAILABILITY" => st(FinancialStatus::Pending, false, None),
        "UNSHIPPED" => st(FinancialStatus::Paid, false, None),
        "PARTIALLY_SHIPPED" => st(FinancialStatus::Paid, false, Some("partially-shipped")),
        "SHIPPED" => st(FinancialStatus::Paid, false, Some("shipped")),
        "CANCELLED" => st(FinancialStatus::Voided, true, None),
        // Amazon-fulfilled multichannel orders that will not be fulfilled.
        "UNFULFILLABLE" => st(FinancialStatus::Voided, true, Some("unfulfillable")),
        _ => return None,
    })
}

/// v0 `OrderStatus` (note `Canceled` with one L).
fn status_v0(s: &str) -> Option<Status> {
    status_2026(match s {
        "Pending" => "PENDING",
        "PendingAvailability" => "PENDING_AVAILABILITY",
        "Unshipped" | "InvoiceUnconfirmed" => "UNSHIPPED",
        "PartiallyShipped" => "PARTIALLY_SHIPPED",
        "Shipped" => "SHIPPED",
        "Canceled" | "Cancelled" => "CANCELLED",
        "Unfulfillable" => "UNFULFILLABLE",
        _ => return None,
    })
}

/// ordo's ship method for Amazon's service level (v2026 `fulfillmentServiceLevel`, v0
/// `ShipmentServiceLevelCategory`).
fn ship_method(level: Option<&str>) -> String {
    let level = level.unwrap_or("").to_ascii_uppercase().replace('_', "");
    match level.as_str() {
        "EXPEDITED" | "PRIORITY" | "SECONDDAY" => "expedited",
        "NEXTDAY" | "SAMEDAY" => "overnight",
        _ => "standard",
    }
    .to_string()
}

/// The currency of a marketplace, for orders that carry no price at all (Pending).
fn marketplace_currency(marketplace: Option<&str>) -> Option<&'static str> {
    Some(match marketplace? {
        "ATVPDKIKX0DER" => "USD",
        "A2EUQ1WTGCTBG2" => "CAD",
        "A1AM78C64UM0Y8" => "MXN",
        "A2Q3Y263D00KWC" => "BRL",
        "A1F83G8C2ARO7P" => "GBP",
        "A1PA6795UKMFR9" | "A13V1IB3VIYZZH" | "APJ6JRA9NG5V4" | "A1RKKUPIHCS9HS"
        | "A1805IZSGTT6HS" | "AMEN7PMS3EDWL" => "EUR",
        "A2NODRKZP88ZB9" => "SEK",
        "A1C3SOZRARQ6R3" => "PLN",
        "A33AVAJ2PDY3EV" => "TRY",
        "A1VC38T7YXB528" => "JPY",
        "A39IBJ37TRP1C6" => "AUD",
        "A19VAU5U5O7RUS" => "SGD",
        "A21TJRUUN4KGV" => "INR",
        "A2VIGQ35RCS4UG" => "AED",
        "A17E79C6D8DWNP" => "SAR",
        "ARBP9OOSHTCHU" => "EGP",
        _ => return None,
    })
}

/// ISO 4217's code for "no currency", for an order with no price and an unknown marketplace.
const NO_CURRENCY: &str = "XXX";

fn time(field: &str, value: Option<&str>) -> Result<DateTime<Utc>, String> {
    let value = value.ok_or_else(|| format!("{field} is missing"))?;
    DateTime::parse_from_rfc3339(value.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| format!("{field} `{value}` is not an ISO 8601 time: {e}"))
}

fn non_empty(s: Option<&str>) -> Option<String> {
    s.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
}

/// `line2` and `line3` in one optional line.
fn joined(a: Option<&str>, b: Option<&str>) -> Option<String> {
    let parts: Vec<String> = [non_empty(a), non_empty(b)].into_iter().flatten().collect();
    (!parts.is_empty()).then(|| parts.join(", "))
}

/// The SKU of an item: its SellerSKU, else the sku_map entry for its ASIN.
fn sku_of(
    item_id: &str,
    seller_sku: Option<&str>,
    asin: Option<&str>,
    title: Option<&str>,
    ctx: &MapContext,
) -> Result<String, String> {
    if let Some(sku) = non_empty(seller_sku) {
        return Ok(sku);
    }
    let asin = non_empty(asin);
    if let Some(mapped) = asin.as_deref().and_then(|a| ctx.sku_map.get(a)) {
        return Ok(mapped.clone());
    }
    let title = title.map(|t| format!(" \"{t}\"")).unwrap_or_default();
    Err(match asin {
        Some(asin) => format!(
            "item {item_id}{title} has no SellerSKU and [channels.sku_map] has no entry for its ASIN {asin}"
        ),
        None => format!("item {item_id}{title} has neither a SellerSKU nor an ASIN"),
    })
}

/// Parses one JSON value into `T`, the error naming the path of the field at fault.
fn shape<T: DeserializeOwned>(what: &str, value: &Value) -> Result<T, String> {
    T::deserialize(value).map_err(|e| format!("{what} is not in Amazon's shape: {e}"))
}

fn unmappable(raw: String, reason: String, id: Option<String>, updated: Option<&str>) -> Mapped {
    Mapped::Unmappable {
        raw,
        reason,
        external_id: id,
        updated_at: updated.and_then(|u| time("", Some(u)).ok()),
    }
}

fn finish(mut order: ChannelOrder, raw: String) -> Mapped {
    order.normalize();
    Mapped::Order {
        order: Box::new(order),
        raw,
    }
}

// ---------------------------------------------------------------------------------------
// v2026-01-01

/// Maps one order of a `searchOrders` answer.
pub fn map_2026(value: &Value, ctx: &MapContext) -> Mapped {
    let raw = value.to_string();
    let order: Order26 = match shape("the order", value) {
        Ok(o) => o,
        Err(reason) => {
            let id = value
                .get("orderId")
                .and_then(Value::as_str)
                .map(str::to_string);
            let updated = value.get("lastUpdatedTime").and_then(Value::as_str);
            return unmappable(raw, reason, id, updated);
        }
    };
    let id = order.order_id.clone();
    let updated = order.last_updated_time.clone();
    match order_2026(order, ctx) {
        Ok(mapped) => finish(mapped, raw),
        Err(reason) => unmappable(raw, reason, id, updated.as_deref()),
    }
}

fn order_2026(o: Order26, ctx: &MapContext) -> Result<ChannelOrder, String> {
    let id = non_empty(o.order_id.as_deref()).ok_or("orderId is missing")?;
    let created_at = time("createdTime", o.created_time.as_deref())?;
    let updated_at = time("lastUpdatedTime", o.last_updated_time.as_deref())?;
    let fulfillment = o.fulfillment.unwrap_or_default();
    let status_text = fulfillment.fulfillment_status.as_deref().ok_or(
        "fulfillment.fulfillmentStatus is missing (the request must ask for includedData=FULFILLMENT)",
    )?;
    let status = status_2026(status_text)
        .ok_or_else(|| format!("unknown fulfillmentStatus `{status_text}`"))?;
    let items = o.order_items.ok_or("orderItems is missing")?;

    let mut currency: Option<String> = None;
    let mut note_currency = |code: &Option<String>| {
        if currency.is_none() {
            currency = non_empty(code.as_deref());
        }
    };
    if let Some(total) = o.proceeds.as_ref().and_then(|p| p.grand_total.as_ref()) {
        note_currency(&total.currency_code);
    }
    let mut lines = Vec::with_capacity(items.len());
    let mut gift = false;
    for (i, item) in items.into_iter().enumerate() {
        let Item26 {
            order_item_id,
            quantity_ordered,
            product,
            proceeds,
            fulfillment: item_fulfillment,
        } = item;
        let item_id = non_empty(order_item_id.as_deref())
            .ok_or_else(|| format!("orderItems[{i}].orderItemId is missing"))?;
        let quantity = quantity_ordered
            .ok_or_else(|| format!("item {item_id}: quantityOrdered is missing"))?;
        let product = product.unwrap_or_default();
        let sku = sku_of(
            &item_id,
            product.seller_sku.as_deref(),
            product.asin.as_deref(),
            product.title.as_deref(),
            ctx,
        )?;
        let unit = product.price.and_then(|p| p.unit_price);
        if let Some(u) = &unit {
            note_currency(&u.currency_code);
        }
        let unit_price = match unit.and_then(|u| u.amount) {
            Some(a) => a.0,
            // No unit price: the item's proceeds for ITEM over the quantity, else nothing yet
            // (Pending orders carry no prices, edge case 16).
            None => proceeds
                .as_ref()
                .and_then(|p| sum_of(&p.breakdowns, &["ITEM"]))
                .map(|total| per_unit(total, quantity))
                .unwrap_or(Money::ZERO),
        };
        gift |= item_fulfillment
            .and_then(|f| f.packing)
            .and_then(|p| p.gift_option)
            .is_some_and(|g| !g.is_null());
        lines.push(Line {
            line: 0,
            sku,
            title: non_empty(product.title.as_deref()),
            quantity,
            unit_price,
            channel_line_id: Some(item_id),
        });
    }

    let goods: Money = lines
        .iter()
        .map(|l| l.unit_price * Money::from(l.quantity))
        .sum();
    let totals = match &o.proceeds {
        Some(p) => {
            let b = &p.breakdowns;
            let subtotal = sum_of(b, &["ITEM"]).unwrap_or(goods);
            let shipping = sum_of(b, &["SHIPPING", "GIFT_WRAP", "COD_FEE"]).unwrap_or_default();
            let tax = sum_of(b, &["TAX"]).unwrap_or_default();
            let discount = sum_of(b, &["DISCOUNT"]).unwrap_or_default().abs();
            let total = p
                .grand_total
                .as_ref()
                .and_then(|g| g.amount)
                .map(|a| a.0)
                .unwrap_or(subtotal + shipping + tax - discount);
            Totals {
                subtotal,
                shipping,
                tax,
                discount,
                total,
            }
        }
        None => Totals {
            subtotal: goods,
            total: goods,
            ..Totals::default()
        },
    };

    let marketplace = o.sales_channel.and_then(|s| s.marketplace_id);
    let currency = currency
        .or_else(|| marketplace_currency(marketplace.as_deref()).map(str::to_string))
        .unwrap_or_else(|| NO_CURRENCY.to_string());
    let address = o.recipient.and_then(|r| r.delivery_address);
    let buyer = o.buyer.unwrap_or_default();
    let customer = Customer {
        name: non_empty(buyer.buyer_name.as_deref())
            .or_else(|| address.as_ref().and_then(|a| non_empty(a.name.as_deref()))),
        email: non_empty(buyer.buyer_email.as_deref()),
        phone: address.as_ref().and_then(|a| non_empty(a.phone.as_deref())),
    };

    let mut tags = vec!["amazon".to_string()];
    tags.extend(status.tag.map(str::to_string));
    if fulfillment.fulfilled_by.as_deref() == Some("AMAZON") {
        tags.push("fulfilled-by-amazon".into());
    }
    for program in &o.programs {
        match program.as_str() {
            "PRIME" => tags.push("prime".into()),
            "AMAZON_BUSINESS" => tags.push("business".into()),
            "PREORDER" => tags.push("preorder".into()),
            "IN_STORE_PICK_UP" => tags.push("in-store-pickup".into()),
            _ => {}
        }
    }
    if gift {
        tags.push("gift".into());
    }

    Ok(ChannelOrder {
        channel: ctx.channel_id.clone(),
        number: id.clone(),
        external_id: id,
        created_at,
        updated_at,
        cancelled: status.cancelled,
        financial_status: status.financial,
        customer,
        ship_to: address.map(address_2026),
        ship_method: ship_method(fulfillment.fulfillment_service_level.as_deref()),
        pickup_location: None,
        lines,
        totals,
        currency,
        tags,
    })
}

fn address_2026(a: Address26) -> Address {
    Address {
        name: non_empty(a.name.as_deref()),
        line1: a.address_line1.unwrap_or_default().trim().to_string(),
        line2: joined(a.address_line2.as_deref(), a.address_line3.as_deref()),
        city: a.city.unwrap_or_default().trim().to_string(),
        region: non_empty(a.state_or_region.as_deref()),
        postal_code: a.postal_code.unwrap_or_default().trim().to_string(),
        country: a
            .country_code
            .unwrap_or_default()
            .trim()
            .to_ascii_uppercase(),
        lat: None,
        lon: None,
    }
}

/// The sum of the breakdowns of the given types; None when there is none of them.
fn sum_of(breakdowns: &[Breakdown26], kinds: &[&str]) -> Option<Money> {
    let amounts: Vec<Money> = breakdowns
        .iter()
        .filter(|b| b.kind.as_deref().is_some_and(|k| kinds.contains(&k)))
        .filter_map(|b| b.subtotal.as_ref().and_then(|s| s.amount).map(|a| a.0))
        .collect();
    (!amounts.is_empty()).then(|| amounts.into_iter().sum())
}

/// An extended price over its quantity, in decimal: exact when it divides, else to 4 places.
pub fn per_unit(extended: Money, quantity: u32) -> Money {
    if quantity == 0 {
        return extended;
    }
    let mut unit = extended / Money::from(quantity);
    if unit.scale() > 4 {
        unit = unit.round_dp(4);
    }
    if unit.scale() < extended.scale() && unit * Money::from(quantity) == extended {
        unit.rescale(extended.scale());
    }
    unit
}

// ---------------------------------------------------------------------------------------
// v0

/// The JSON an order of the v0 pair is kept as: the `getOrders` order and the items of its
/// `getOrderItems` answers (`orderItems` absent when none was given).
pub fn v0_raw(order: &Value, items: Option<&[Value]>) -> String {
    let mut o = serde_json::Map::new();
    o.insert("order".into(), order.clone());
    if let Some(items) = items {
        o.insert("orderItems".into(), Value::Array(items.to_vec()));
    }
    Value::Object(o).to_string()
}

/// Maps one v0 order with its items (None: no `getOrderItems` answer was given for it).
pub fn map_v0(order: &Value, items: Option<&[Value]>, ctx: &MapContext) -> Mapped {
    let raw = v0_raw(order, items);
    let id = order
        .get("AmazonOrderId")
        .and_then(Value::as_str)
        .map(str::to_string);
    let updated = order
        .get("LastUpdateDate")
        .and_then(Value::as_str)
        .map(str::to_string);
    match order_v0(order, items, ctx) {
        Ok(mapped) => finish(mapped, raw),
        Err(reason) => unmappable(raw, reason, id, updated.as_deref()),
    }
}

fn money0(m: &Option<Money0>) -> Money {
    m.as_ref()
        .and_then(|m| m.amount)
        .map(|a| a.0)
        .unwrap_or_default()
}

fn order_v0(
    order: &Value,
    items: Option<&[Value]>,
    ctx: &MapContext,
) -> Result<ChannelOrder, String> {
    let o: Order0 = shape("the order", order)?;
    let id = non_empty(o.amazon_order_id.as_deref()).ok_or("AmazonOrderId is missing")?;
    let created_at = time("PurchaseDate", o.purchase_date.as_deref())?;
    let updated_at = time("LastUpdateDate", o.last_update_date.as_deref())?;
    let status_text = o.order_status.as_deref().ok_or("OrderStatus is missing")?;
    let status =
        status_v0(status_text).ok_or_else(|| format!("unknown OrderStatus `{status_text}`"))?;
    let items: Vec<Item0> = match items {
        Some(items) => items
            .iter()
            .enumerate()
            .map(|(i, v)| shape(&format!("OrderItems[{i}]"), v))
            .collect::<Result<_, _>>()?,
        // A cancelled order says all that matters without its items: it is kept as a cancel.
        None if status.cancelled => Vec::new(),
        None => return Err("no order items (give the order's getOrderItems answer too)".into()),
    };

    let mut currency = o
        .order_total
        .as_ref()
        .and_then(|t| non_empty(t.currency_code.as_deref()));
    let mut lines = Vec::with_capacity(items.len());
    let mut totals = Totals::default();
    let mut gift = false;
    for (i, item) in items.iter().enumerate() {
        let item_id = non_empty(item.order_item_id.as_deref())
            .ok_or_else(|| format!("OrderItems[{i}].OrderItemId is missing"))?;
        let quantity = item
            .quantity_ordered
            .ok_or_else(|| format!("item {item_id}: QuantityOrdered is missing"))?;
        let sku = sku_of(
            &item_id,
            item.seller_sku.as_deref(),
            item.asin.as_deref(),
            item.title.as_deref(),
            ctx,
        )?;
        if currency.is_none() {
            currency = item
                .item_price
                .as_ref()
                .and_then(|p| non_empty(p.currency_code.as_deref()));
        }
        // ItemPrice is the extended price: unit price x quantity.
        let extended = money0(&item.item_price);
        totals.subtotal += extended;
        totals.shipping += money0(&item.shipping_price) + money0(&item.gift_wrap_price);
        totals.tax +=
            money0(&item.item_tax) + money0(&item.shipping_tax) + money0(&item.gift_wrap_tax);
        totals.discount +=
            (money0(&item.promotion_discount) + money0(&item.shipping_discount)).abs();
        gift |= match &item.is_gift {
            Some(Value::String(s)) => s.eq_ignore_ascii_case("true"),
            Some(Value::Bool(b)) => *b,
            _ => false,
        };
        lines.push(Line {
            line: 0,
            sku,
            title: non_empty(item.title.as_deref()),
            quantity,
            unit_price: per_unit(extended, quantity),
            channel_line_id: Some(item_id),
        });
    }
    totals.total = o
        .order_total
        .as_ref()
        .and_then(|t| t.amount)
        .map(|a| a.0)
        .unwrap_or(if status.cancelled {
            Money::ZERO
        } else {
            totals.subtotal + totals.shipping + totals.tax - totals.discount
        });

    let currency = currency
        .or_else(|| marketplace_currency(o.marketplace_id.as_deref()).map(str::to_string))
        .unwrap_or_else(|| NO_CURRENCY.to_string());
    let buyer = o.buyer_info.unwrap_or_default();
    let address = o.shipping_address;
    let customer = Customer {
        name: non_empty(buyer.buyer_name.as_deref())
            .or_else(|| address.as_ref().and_then(|a| non_empty(a.name.as_deref()))),
        email: non_empty(buyer.buyer_email.as_deref()),
        phone: address.as_ref().and_then(|a| non_empty(a.phone.as_deref())),
    };
    let mut tags = vec!["amazon".to_string()];
    tags.extend(status.tag.map(str::to_string));
    if o.fulfillment_channel.as_deref() == Some("AFN") {
        tags.push("fulfilled-by-amazon".into());
    }
    if o.is_prime == Some(true) {
        tags.push("prime".into());
    }
    if o.is_business_order == Some(true) {
        tags.push("business".into());
    }
    if o.is_ispu == Some(true) {
        tags.push("in-store-pickup".into());
    }
    if gift {
        tags.push("gift".into());
    }
    Ok(ChannelOrder {
        channel: ctx.channel_id.clone(),
        number: id.clone(),
        external_id: id,
        created_at,
        updated_at,
        cancelled: status.cancelled,
        financial_status: status.financial,
        customer,
        ship_to: address.map(address_v0),
        ship_method: ship_method(o.shipment_service_level_category.as_deref()),
        pickup_location: None,
        lines,
        totals,
        currency,
        tags,
    })
}

fn address_v0(a: Address0) -> Address {
    Address {
        name: non_empty(a.name.as_deref()),
        line1: a.address_line1.unwrap_or_default().trim().to_string(),
        line2: joined(a.address_line2.as_deref(), a.address_line3.as_deref()),
        city: a.city.unwrap_or_default().trim().to_string(),
        region: non_empty(a.state_or_region.as_deref()),
        postal_code: a.postal_code.unwrap_or_default().trim().to_string(),
        country: a
            .country_code
            .unwrap_or_default()
            .trim()
            .to_ascii_uppercase(),
        lat: None,
        lon: None,
    }
}
