//! Shipments to Shopify (spec §1.7): fulfilments are made from fulfillment orders.
//!
//! 1. When the push has a tracking number, `GET orders/{id}/fulfillments.json`: a fulfilment
//!    with that number that already covers the pushed lines means an earlier attempt landed
//!    (a crash or a cut answer after Shopify took it), so the push is confirmed as it is.
//! 2. `GET orders/{id}/fulfillment_orders.json`, and a plan ([`plan_fulfillment`]): each
//!    [`FulfilledLine`] is matched by `channel_line_id` to the fulfillment order line items'
//!    `line_item_id` and takes at most what is still fulfillable there. A push without lines,
//!    or with a line without a usable id, fulfils every open fulfillment order whole. Nothing
//!    left to fulfil for those lines means it was done already: confirmed, nothing sent.
//! 3. `POST fulfillments.json` with `line_items_by_fulfillment_order`, `tracking_info`
//!    (`company` by Shopify's carrier names, [`shopify_carrier`]) and `notify_customer`. A
//!    422 (someone fulfilled the same lines in between) plans once more from fresh
//!    fulfillment orders.

use reqwest::Method;
use serde::Deserialize;
use serde_json::{json, Value};

use super::client::ShopifyChannel;
use crate::channels::{http, ChannelError, FulfilledLine, FulfillmentPush};

/// A fulfillment order of `fulfillment_orders.json`, the fields a plan needs.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct FulfillmentOrder {
    pub id: u64,
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub line_items: Vec<FulfillmentOrderLine>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct FulfillmentOrderLine {
    /// The fulfillment order line item's own id (what `fulfillments.json` takes).
    pub id: u64,
    /// The order's line item id (what ordo keeps as `channel_line_id`).
    pub line_item_id: u64,
    #[serde(default)]
    pub quantity: u32,
    #[serde(default)]
    pub fulfillable_quantity: u32,
}

/// What one `fulfillments.json` call fulfils of one fulfillment order: (fulfillment order
/// line item id, quantity) pairs, or None for all that is left of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FulfillmentPart {
    pub fulfillment_order_id: u64,
    pub lines: Option<Vec<(u64, u32)>>,
}

#[derive(Debug, Deserialize)]
struct FulfillmentOrders {
    fulfillment_orders: Vec<FulfillmentOrder>,
}

/// A fulfilment already on the order (`orders/{id}/fulfillments.json`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct ExistingFulfillment {
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub tracking_number: Option<String>,
    #[serde(default)]
    pub tracking_numbers: Vec<String>,
    #[serde(default)]
    pub line_items: Vec<ExistingLine>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct ExistingLine {
    /// The order's line item id.
    pub id: u64,
}

#[derive(Debug, Deserialize)]
struct Fulfillments {
    fulfillments: Vec<ExistingFulfillment>,
}

fn fulfillable(status: &str) -> bool {
    matches!(status, "open" | "in_progress")
}

fn held(fo: &FulfillmentOrder) -> bool {
    matches!(fo.status.as_str(), "on_hold" | "scheduled")
        && fo.line_items.iter().any(|l| l.fulfillable_quantity > 0)
}

/// The parts of one fulfilment for `lines` of an order with these fulfillment orders; empty
/// when nothing is left to fulfil for them (an earlier push did it). Err names a line the
/// order does not have, or fulfillment orders Shopify holds back (on hold, scheduled).
pub fn plan_fulfillment(
    orders: &[FulfillmentOrder],
    lines: &[FulfilledLine],
) -> Result<Vec<FulfillmentPart>, String> {
    let ids: Option<Vec<(u64, u32)>> = lines
        .iter()
        .map(|l| {
            let id = l.channel_line_id.as_deref()?.trim().parse().ok()?;
            Some((id, l.quantity))
        })
        .collect();
    let held_err = |fo: &FulfillmentOrder| {
        format!(
            "fulfillment order {} is {} in Shopify; release it there first",
            fo.id,
            fo.status.replace('_', " ")
        )
    };
    let ids = match ids {
        Some(ids) if !ids.is_empty() => ids,
        _ => {
            let parts: Vec<FulfillmentPart> = orders
                .iter()
                .filter(|fo| fulfillable(&fo.status))
                .filter(|fo| fo.line_items.iter().any(|l| l.fulfillable_quantity > 0))
                .map(|fo| FulfillmentPart {
                    fulfillment_order_id: fo.id,
                    lines: None,
                })
                .collect();
            if parts.is_empty() {
                if let Some(fo) = orders.iter().find(|fo| held(fo)) {
                    return Err(held_err(fo));
                }
            }
            return Ok(parts);
        }
    };
    let mut left: Vec<Vec<u32>> = orders
        .iter()
        .map(|fo| {
            fo.line_items
                .iter()
                .map(|l| {
                    if fulfillable(&fo.status) {
                        l.fulfillable_quantity
                    } else {
                        0
                    }
                })
                .collect()
        })
        .collect();
    let mut take: Vec<Vec<u32>> = left.iter().map(|l| vec![0; l.len()]).collect();
    for (line_id, quantity) in ids {
        let mut want = quantity;
        let mut known = false;
        for (f, fo) in orders.iter().enumerate() {
            for (i, item) in fo.line_items.iter().enumerate() {
                if item.line_item_id != line_id {
                    continue;
                }
                known = true;
                let n = want.min(left[f][i]);
                left[f][i] -= n;
                take[f][i] += n;
                want -= n;
            }
        }
        if !known {
            return Err(format!(
                "line {line_id} is not a line of this order's fulfillment orders"
            ));
        }
        if want > 0 {
            let holding = orders.iter().find(|fo| {
                held(fo)
                    && fo
                        .line_items
                        .iter()
                        .any(|l| l.line_item_id == line_id && l.fulfillable_quantity > 0)
            });
            if let Some(fo) = holding {
                return Err(held_err(fo));
            }
        }
    }
    Ok(orders
        .iter()
        .zip(take)
        .filter_map(|(fo, take)| {
            let lines: Vec<(u64, u32)> = fo
                .line_items
                .iter()
                .zip(take)
                .filter(|(_, q)| *q > 0)
                .map(|(l, q)| (l.id, q))
                .collect();
            (!lines.is_empty()).then_some(FulfillmentPart {
                fulfillment_order_id: fo.id,
                lines: Some(lines),
            })
        })
        .collect())
}

/// Shopify's spelling of a carrier when ordo's is a known one in another case or form
/// (`ups` → `UPS`, `fedex` → `FedEx`, `dhl` → `DHL Express`), else the name as given, so that
/// Shopify builds the tracking URL (spec §1.7).
pub fn shopify_carrier(name: &str) -> String {
    let key: String = name
        .trim()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase();
    let known = match key.as_str() {
        "ups" => "UPS",
        "usps" => "USPS",
        "fedex" => "FedEx",
        "dhl" | "dhlexpress" => "DHL Express",
        "dhlecommerce" => "DHL eCommerce",
        "canadapost" => "Canada Post",
        "royalmail" => "Royal Mail",
        "dpd" => "DPD",
        "gls" => "GLS",
        "australiapost" => "Australia Post",
        "ontrac" => "OnTrac",
        _ => return name.trim().to_string(),
    };
    known.to_string()
}

/// The body of `POST fulfillments.json`.
pub fn fulfillment_body(parts: &[FulfillmentPart], carrier: &str, tracking: &str) -> Value {
    let by_fo: Vec<Value> = parts
        .iter()
        .map(|p| match &p.lines {
            None => json!({ "fulfillment_order_id": p.fulfillment_order_id }),
            Some(lines) => json!({
                "fulfillment_order_id": p.fulfillment_order_id,
                "fulfillment_order_line_items": lines
                    .iter()
                    .map(|(id, q)| json!({ "id": id, "quantity": q }))
                    .collect::<Vec<_>>(),
            }),
        })
        .collect();
    let mut fulfillment = json!({
        "line_items_by_fulfillment_order": by_fo,
        "notify_customer": true,
    });
    let mut tracking_info = serde_json::Map::new();
    if !tracking.trim().is_empty() {
        tracking_info.insert("number".into(), tracking.trim().into());
    }
    if !carrier.trim().is_empty() {
        tracking_info.insert("company".into(), shopify_carrier(carrier).into());
    }
    if !tracking_info.is_empty() {
        fulfillment["tracking_info"] = Value::Object(tracking_info);
    }
    json!({ "fulfillment": fulfillment })
}

/// Whether the order already has a live fulfilment with the push's tracking number that
/// covers every pushed line that names its id.
pub fn already_reported(existing: &[ExistingFulfillment], push: &FulfillmentPush) -> bool {
    let tracking = push.tracking.trim();
    if tracking.is_empty() {
        return false;
    }
    let same: Vec<&ExistingFulfillment> = existing
        .iter()
        .filter(|f| !matches!(f.status.as_deref(), Some("cancelled" | "error" | "failure")))
        .filter(|f| {
            f.tracking_number.as_deref().map(str::trim) == Some(tracking)
                || f.tracking_numbers.iter().any(|t| t.trim() == tracking)
        })
        .collect();
    !same.is_empty()
        && push
            .lines
            .iter()
            .filter_map(|l| l.channel_line_id.as_deref()?.trim().parse::<u64>().ok())
            .all(|id| same.iter().any(|f| f.line_items.iter().any(|l| l.id == id)))
}

impl ShopifyChannel {
    pub(super) async fn fulfil(&self, push: &FulfillmentPush) -> Result<(), ChannelError> {
        let what = format!(
            "{}: fulfillment of order {}",
            self.id, push.order_external_id
        );
        let order_id: u64 =
            push.order_external_id
                .trim()
                .parse()
                .map_err(|_| ChannelError::Rejected {
                    what: what.clone(),
                    detail: "a Shopify order id is a number".into(),
                })?;
        if !push.tracking.trim().is_empty() {
            let url = self.api_url(&format!("orders/{order_id}/fulfillments.json"))?;
            let call = http::describe(&self.id, "GET", &url);
            let (_, body) = self.send(Method::GET, url, None, push.intent_at).await?;
            let existing: Fulfillments = http::parse(&call, &body)?;
            if already_reported(&existing.fulfillments, push) {
                tracing::debug!(channel = %self.id, order = order_id, "fulfillment already reported");
                return Ok(());
            }
        }
        let mut attempt = 0;
        loop {
            attempt += 1;
            let url = self.api_url(&format!("orders/{order_id}/fulfillment_orders.json"))?;
            let call = http::describe(&self.id, "GET", &url);
            let (_, body) = self.send(Method::GET, url, None, push.intent_at).await?;
            let orders: FulfillmentOrders = http::parse(&call, &body)?;
            let parts =
                plan_fulfillment(&orders.fulfillment_orders, &push.lines).map_err(|detail| {
                    ChannelError::Rejected {
                        what: what.clone(),
                        detail,
                    }
                })?;
            if parts.is_empty() {
                tracing::debug!(channel = %self.id, order = order_id, "nothing left to fulfil");
                return Ok(());
            }
            let body = fulfillment_body(&parts, &push.carrier, &push.tracking);
            let url = self.api_url("fulfillments.json")?;
            match self
                .send(Method::POST, url, Some(&body), push.intent_at)
                .await
            {
                Ok(_) => return Ok(()),
                Err(ChannelError::Rejected { detail, .. })
                    if attempt == 1 && detail.starts_with("HTTP 422") =>
                {
                    // Fulfilled in between (another push, staff in the admin): look again.
                    continue;
                }
                Err(e) => return Err(e),
            }
        }
    }
}
