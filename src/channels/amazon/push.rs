//! Pushes to Amazon (spec §3.7, §3.8, edge case 24).
//!
//! - Stock: Listings Items API 2021-08-01 `patchListingsItem`,
//!   `PATCH /listings/2021-08-01/items/{sellerId}/{sku}?marketplaceIds=...`, one request per SKU
//!   (the API takes one SKU per request, and its bucket is 5 requests a second, burst 5: a
//!   batch would only be several requests behind one answer, so [`Channel::max_stock_batch`] is
//!   1). Requests are paced by the connector's token bucket at the plan's rate (`pacing`), so
//!   they go at the quota rather than into 429s. The level is absolute and sent with `op: merge` on `/attributes/fulfillment_availability`
//!   and a non-empty `fulfillment_channel_code`, so `restock_date` and lead time stay as the
//!   seller set them. Amazon processes a patch asynchronously: `ACCEPTED` (or `VALID`) is the
//!   channel's confirmation; `INVALID` with issues and a 404 (no such listing) are refusals no
//!   retry fixes.
//! - Fulfillment: Orders API v0 `confirmShipment`,
//!   `POST /orders/v0/orders/{orderId}/shipmentConfirmation`, 204. A retry of a confirmation
//!   Amazon already took is refused with a 400 saying so (the order is Shipped): that is the
//!   confirmation we were waiting for, so it is `Ok`.
//!
//! Every push carries [`INTENT_AT_HEADER`] (ms since the epoch) so its latency can be measured
//! where it lands.
//!
//! [`Channel::max_stock_batch`]: crate::channels::Channel::max_stock_batch

use chrono::SecondsFormat;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use reqwest::StatusCode;
use serde::Deserialize;
use serde_json::{json, Value};

use super::client::AmazonChannel;
use super::lwa;
use crate::channels::{http, ChannelError, FulfillmentPush, Secret, StockPush, INTENT_AT_HEADER};

/// The Listings Items API's items path; `/{sellerId}/{sku}` follow.
pub const LISTINGS_ITEMS_PATH: &str = "/listings/2021-08-01/items";
/// The product type sent with a patch that changes only the offer's quantity.
pub const LISTING_PRODUCT_TYPE: &str = "PRODUCT";
/// The attribute a quantity lives in.
pub const FULFILLMENT_AVAILABILITY: &str = "/attributes/fulfillment_availability";
/// Merchant-fulfilled (MFN) stock; `merge` needs this selector non-empty.
pub const FULFILLMENT_CHANNEL_CODE: &str = "DEFAULT";
/// Orders API v0's orders path; `/{orderId}/shipmentConfirmation` follows.
pub const ORDERS_V0_PATH: &str = "/orders/v0/orders";

/// What a path segment keeps as it is: RFC 3986's unreserved characters. Everything else
/// (`/`, space, `%`, `#`, `?`, `+`, non-ASCII) is percent-encoded.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// `text` as one path segment.
pub fn encode_segment(text: &str) -> String {
    utf8_percent_encode(text, SEGMENT).to_string()
}

/// The `patchListingsItem` URL of one SKU.
pub fn listings_url(
    base_url: &str,
    seller_id: &str,
    sku: &str,
    marketplace_ids: &[String],
) -> Result<reqwest::Url, String> {
    let base = base_url.trim().trim_end_matches('/');
    let mut url = reqwest::Url::parse(&format!(
        "{base}{LISTINGS_ITEMS_PATH}/{}/{}",
        encode_segment(seller_id),
        encode_segment(sku)
    ))
    .map_err(|e| format!("the listings URL of SKU {sku}: {e}"))?;
    url.query_pairs_mut()
        .append_pair("marketplaceIds", &marketplace_ids.join(","));
    Ok(url)
}

/// The `patchListingsItem` body that sets the MFN quantity. Amazon takes no negative quantity:
/// a level below zero (more reserved than on hand) is sent as 0.
pub fn stock_body(available: i64) -> Value {
    json!({
        "productType": LISTING_PRODUCT_TYPE,
        "patches": [{
            "op": "merge",
            "path": FULFILLMENT_AVAILABILITY,
            "value": [{
                "fulfillment_channel_code": FULFILLMENT_CHANNEL_CODE,
                "quantity": available.max(0),
            }],
        }],
    })
}

/// The `confirmShipment` URL of an order.
pub fn confirm_url(base_url: &str, order_id: &str) -> Result<reqwest::Url, String> {
    let base = base_url.trim().trim_end_matches('/');
    reqwest::Url::parse(&format!(
        "{base}{ORDERS_V0_PATH}/{}/shipmentConfirmation",
        encode_segment(order_id)
    ))
    .map_err(|e| format!("the shipment confirmation URL of order {order_id}: {e}"))
}

/// Amazon's `carrierCode` for a carrier name, and the `carrierName` to send with it: the four
/// carriers whose code is obvious (UPS, USPS, FedEx, DHL), written any usual way, get their
/// code; any other is `Other` with the name as given (Amazon requires `carrierName` then).
pub fn carrier_code(carrier: &str) -> (&'static str, Option<String>) {
    let key: String = carrier
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase();
    let code = match key.as_str() {
        "ups" | "unitedparcelservice" => "UPS",
        "usps" | "unitedstatespostalservice" | "uspostalservice" => "USPS",
        "fedex" | "federalexpress" => "FedEx",
        "dhl" | "dhlexpress" => "DHL",
        _ => {
            let name = carrier.trim();
            let name = if name.is_empty() { "Other" } else { name };
            return ("Other", Some(name.to_string()));
        }
    };
    (code, None)
}

/// The `confirmShipment` body of a push: one package with every line that has a quantity, by
/// Amazon order item id (lines of the same item are added up). An error says why the push
/// cannot be sent at all (a line without an order item id, nothing to confirm).
pub fn shipment_body(push: &FulfillmentPush, marketplace_id: &str) -> Result<Value, String> {
    let mut items: Vec<(String, u32)> = Vec::new();
    for line in push.lines.iter().filter(|l| l.quantity > 0) {
        let Some(item_id) = line
            .channel_line_id
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        else {
            return Err(format!(
                "line {} has no Amazon order item id (orderItemId), which confirmShipment needs",
                line.sku
            ));
        };
        match items.iter_mut().find(|(id, _)| id == item_id) {
            Some((_, q)) => *q += line.quantity,
            None => items.push((item_id.to_string(), line.quantity)),
        }
    }
    if items.is_empty() {
        return Err("no line with a quantity to confirm".to_string());
    }
    let (code, name) = carrier_code(&push.carrier);
    let mut package = json!({
        "packageReferenceId": "1",
        "carrierCode": code,
        "shipDate": push.shipped_at.to_rfc3339_opts(SecondsFormat::Secs, true),
        "orderItems": items
            .iter()
            .map(|(id, q)| json!({"orderItemId": id, "quantity": q}))
            .collect::<Vec<_>>(),
    });
    if let Some(name) = name {
        package["carrierName"] = json!(name);
    }
    let tracking = push.tracking.trim();
    if !tracking.is_empty() {
        package["trackingNumber"] = json!(tracking);
    }
    Ok(json!({"marketplaceId": marketplace_id, "packageDetail": package}))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ApiErrors {
    errors: Vec<ApiError>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ApiError {
    code: String,
    message: String,
    details: Option<String>,
}

/// The messages of an `{"errors":[...]}` body, joined; the body's first bytes otherwise.
pub fn error_text(body: &[u8]) -> String {
    match serde_json::from_slice::<ApiErrors>(body) {
        Ok(e) if !e.errors.is_empty() => e
            .errors
            .iter()
            .map(|e| {
                let details = e.details.as_deref().unwrap_or("").trim();
                let mut text = format!("{}: {}", e.code, e.message.trim());
                if !details.is_empty() {
                    text.push_str(&format!(" ({details})"));
                }
                text
            })
            .collect::<Vec<_>>()
            .join("; "),
        _ => http::snippet(body),
    }
}

/// Whether a 400 of `confirmShipment` says the shipment was confirmed before (the order is
/// already Shipped, or this package is already confirmed).
pub fn is_already_confirmed(body: &[u8]) -> bool {
    let Ok(errors) = serde_json::from_slice::<ApiErrors>(body) else {
        return false;
    };
    errors.errors.iter().any(|e| {
        let text = format!("{} {}", e.message, e.details.as_deref().unwrap_or("")).to_lowercase();
        (text.contains("already")
            && (text.contains("confirm") || text.contains("shipped") || text.contains("fulfilled")))
            || text.contains("status is shipped")
            || text.contains("order status shipped")
    })
}

/// `patchListingsItem`'s answer.
#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct ListingsSubmission {
    pub sku: Option<String>,
    pub status: Option<String>,
    pub submission_id: Option<String>,
    pub issues: Vec<ListingsIssue>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub struct ListingsIssue {
    pub code: Option<String>,
    pub message: Option<String>,
    pub severity: Option<String>,
    pub attribute_names: Vec<String>,
}

impl ListingsIssue {
    fn text(&self) -> String {
        let mut out = match (&self.code, &self.message) {
            (Some(c), Some(m)) => format!("{c}: {m}"),
            (None, Some(m)) => m.clone(),
            (Some(c), None) => c.clone(),
            (None, None) => "(no message)".to_string(),
        };
        if !self.attribute_names.is_empty() {
            out.push_str(&format!(" [{}]", self.attribute_names.join(", ")));
        }
        out
    }
}

/// What one listings answer means for its push: `Ok` when Amazon took it, `Err(reason)` when it
/// refused it for good. `None` for a status this connector does not know.
pub fn submission_outcome(sku: &str, answer: &ListingsSubmission) -> Option<Result<(), String>> {
    match answer.status.as_deref().map(str::trim) {
        Some("ACCEPTED") | Some("VALID") => Some(Ok(())),
        Some("INVALID") => {
            let errors: Vec<String> = answer
                .issues
                .iter()
                .filter(|i| i.severity.as_deref() != Some("WARNING"))
                .map(ListingsIssue::text)
                .collect();
            let issues = if errors.is_empty() {
                answer.issues.iter().map(ListingsIssue::text).collect()
            } else {
                errors
            };
            Some(Err(format!(
                "Amazon refused the quantity of SKU {sku} (INVALID): {}",
                if issues.is_empty() {
                    "no issues given".to_string()
                } else {
                    issues.join("; ")
                }
            )))
        }
        _ => None,
    }
}

fn intent_ms(at: chrono::DateTime<chrono::Utc>) -> String {
    at.timestamp_millis().to_string()
}

impl AmazonChannel {
    /// Sets each SKU's level, one PATCH after the other with one access token. A throttle, an
    /// outage or an auth refusal fails the whole call (levels already set are set again on the
    /// retry, which is harmless: they are absolute).
    pub(super) async fn push_levels(
        &self,
        pushes: &[StockPush],
    ) -> Result<Vec<Result<(), String>>, ChannelError> {
        let Some(seller_id) = self.seller_id.as_deref() else {
            return Ok(pushes
                .iter()
                .map(|p| {
                    Err(format!(
                        "channel `{}`: seller_id is not set (the [[channels]] key seller_id, \
                         Amazon's merchant token), so the listing of SKU {} cannot be updated",
                        self.id, p.sku
                    ))
                })
                .collect());
        };
        if pushes.is_empty() {
            return Ok(Vec::new());
        }
        let token = self.lwa.token(&self.client, &self.id).await?;
        let mut out = Vec::with_capacity(pushes.len());
        for push in pushes {
            // At the usage plan's pace: a request Amazon would throttle is not sent.
            self.pacer.take().await;
            match self.patch_listing(seller_id, push, &token).await {
                Ok(answer) => out.push(answer),
                Err(e) => {
                    if matches!(e, ChannelError::Auth { .. }) {
                        self.lwa.forget(&token).await;
                    }
                    return Err(lwa::scrub_error(e, &[token.expose()]));
                }
            }
        }
        Ok(out)
    }

    async fn patch_listing(
        &self,
        seller_id: &str,
        push: &StockPush,
        token: &Secret,
    ) -> Result<Result<(), String>, ChannelError> {
        let sku = &push.sku;
        let url = match listings_url(&self.base_url, seller_id, sku, &self.marketplace_ids) {
            Ok(url) => url,
            Err(reason) => return Ok(Err(reason)),
        };
        let what = http::describe(&self.id, "PATCH", &url);
        let response = self
            .client
            .patch(url)
            .header("x-amz-access-token", token.expose())
            .header(reqwest::header::ACCEPT, "application/json")
            .header(INTENT_AT_HEADER, intent_ms(push.intent_at))
            .json(&stock_body(push.available))
            .send()
            .await
            .map_err(|e| http::send_error(&what, &e))?;
        let status = response.status();
        self.pacer.answered();
        // Every listings answer says the rate Amazon applies: pace at that.
        if let Some(rate) = super::headroom(response.headers()) {
            if self.pacer.adopt_rate(rate.limit) {
                tracing::info!(
                    "{}: Amazon applies {} listings requests a second; pacing pushes at that",
                    self.id,
                    rate.limit
                );
            }
        }
        if status == StatusCode::TOO_MANY_REQUESTS {
            // Amazon's bucket is empty whatever ours said (another client of the same seller
            // and application, or drift): ours is emptied too, and the pusher retries.
            self.pacer.drain();
        }
        if status == StatusCode::NOT_FOUND || status == StatusCode::BAD_REQUEST {
            let body = response.bytes().await.unwrap_or_default();
            return Ok(Err(if status == StatusCode::NOT_FOUND {
                format!(
                    "no listing for SKU {sku} on Amazon (seller {seller_id}): {}",
                    error_text(&body)
                )
            } else {
                format!(
                    "Amazon refused the quantity of SKU {sku} (HTTP {status}): {}",
                    error_text(&body)
                )
            }));
        }
        let (_, body) = http::json_body(&what, response).await?;
        let answer: ListingsSubmission = http::parse(&what, &body)?;
        submission_outcome(sku, &answer).ok_or_else(|| ChannelError::Rejected {
            what,
            detail: format!(
                "unexpected listings status {:?}: {}",
                answer.status,
                http::snippet(&body)
            ),
        })
    }

    /// Confirms one package of an order. `Ok` on 204, and on the 400 that says the shipment
    /// was already confirmed (a retry of a confirmation whose answer was lost).
    pub(super) async fn confirm_shipment(
        &self,
        push: &FulfillmentPush,
    ) -> Result<(), ChannelError> {
        let order = &push.order_external_id;
        let rejected = |detail: String| ChannelError::Rejected {
            what: format!("{}: confirmShipment of order {order}", self.id),
            detail,
        };
        let marketplace = self
            .marketplace_ids
            .first()
            .map(String::as_str)
            .unwrap_or("");
        let body = shipment_body(push, marketplace).map_err(rejected)?;
        let url = confirm_url(&self.base_url, order).map_err(rejected)?;
        let what = http::describe(&self.id, "POST", &url);
        let token = self.lwa.token(&self.client, &self.id).await?;
        let result = self
            .post_confirmation(url, &what, &body, push, &token)
            .await;
        if matches!(result, Err(ChannelError::Auth { .. })) {
            self.lwa.forget(&token).await;
        }
        result.map_err(|e| lwa::scrub_error(e, &[token.expose()]))
    }

    async fn post_confirmation(
        &self,
        url: reqwest::Url,
        what: &str,
        body: &Value,
        push: &FulfillmentPush,
        token: &Secret,
    ) -> Result<(), ChannelError> {
        let response = self
            .client
            .post(url)
            .header("x-amz-access-token", token.expose())
            .header(reqwest::header::ACCEPT, "application/json")
            .header(INTENT_AT_HEADER, intent_ms(push.intent_at))
            .json(body)
            .send()
            .await
            .map_err(|e| http::send_error(what, &e))?;
        let status = response.status();
        if status.is_success() {
            return Ok(());
        }
        if status == StatusCode::BAD_REQUEST || status == StatusCode::NOT_FOUND {
            let body = response.bytes().await.unwrap_or_default();
            if status == StatusCode::BAD_REQUEST && is_already_confirmed(&body) {
                tracing::debug!(
                    "{what}: order {} was already confirmed; taking that as the confirmation",
                    push.order_external_id
                );
                return Ok(());
            }
            return Err(ChannelError::Rejected {
                what: what.to_string(),
                detail: format!("HTTP {status}: {}", error_text(&body)),
            });
        }
        // 401/403, 429, 5xx, anything else: classified as every answer is.
        http::json_body(what, response).await?;
        Err(ChannelError::Rejected {
            what: what.to_string(),
            detail: format!("HTTP {status} instead of 204"),
        })
    }
}
