//! The Shipment Tracking extension's REST API (`/wp-json/wc-shipment-tracking/<v>/...`), spec
//! §2.7, as the official extension answers it:
//!
//! - `GET /orders/<id>/shipment-trackings`: the order's tracking items, oldest first.
//! - `POST /orders/<id>/shipment-trackings` with `tracking_number` (required, else 400
//!   `rest_missing_callback_param`) and either `tracking_provider` (a name of the provider list
//!   or its slug: `USPS`, `Fedex`, `fedex`, `dhl-us`) or `custom_tracking_provider` and
//!   `custom_tracking_link`, and `date_shipped` (`YYYY-MM-DD`; absent or unreadable = today, as
//!   `strtotime` failing does): 201 with the item and a `Location` header.
//! - `GET`/`DELETE /orders/<id>/shipment-trackings/<tracking_id>`: one item; delete answers the
//!   item it removed. An unknown tracking id is 404.
//! - `GET /shipment-trackings/providers`: the provider list by region (public).
//!
//! An item answers as `{tracking_id, tracking_provider, tracking_link, tracking_number,
//! date_shipped}`: the provider's display name (a name the list does not know shows empty, as
//! the extension's formatter leaves it), the link built from the provider's URL format, or the
//! custom link as given. Items are kept in the order's meta data under
//! `_wc_shipment_tracking_items` (unix `date_shipped`, raw provider fields), where the extension
//! keeps them, so they show in the order's `meta_data` too.
//!
//! Which versions answer follows [`TrackingExtension`]: v1-v3 when installed, v1-v2 for an old
//! release, none when it is missing; a version that does not answer is 404 `rest_no_route`, as
//! WordPress answers any unknown route. Every request to these paths is counted (by kind) even
//! when refused, so a test can prove that no call was made. Faults and Basic auth apply as on
//! the shop's other routes; `POST /_sim/tracking_faults` (a [`crate::sim::channel::FaultPlan`])
//! spoils the next answers of the create route alone, so a test can throttle the `POST` of a
//! push whose reads went through.

use std::sync::atomic::{AtomicU64, Ordering};

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{NaiveDate, TimeZone, Utc};
use serde_json::{json, Map, Value};

use super::meta::TRACKING_ITEMS;
use super::orders::find;
use super::render::woo_id;
use super::{
    authorized, fault_response, invalid_json, json_answer, no_route, refused, take_fault,
    woo_error, Params, Sim, TrackingExtension,
};
use crate::sim::channel::Fault;

/// The provider list (the official extension's, abridged to North America and a few others).
pub const PROVIDERS: &[(&str, &[(&str, &str)])] = &[
    (
        "Australia",
        &[("Australia Post", "https://auspost.com.au/mypost/track/#/details/%1$s")],
    ),
    (
        "Canada",
        &[
            ("Canada Post", "https://www.canadapost-postescanada.ca/track-reperage/en#/resultList?searchFor=%1$s"),
            ("Purolator", "https://www.purolator.com/purolator/ship-track/tracking-summary.page?pin=%1$s"),
        ],
    ),
    (
        "United Kingdom",
        &[
            ("DHL", "https://www.dhl.com/content/g0/en/express/tracking.shtml?brand=DHL&AWB=%1$s"),
            ("Royal Mail", "https://www3.royalmail.com/track-your-item#/tracking-results/%1$s"),
        ],
    ),
    (
        "United States",
        &[
            ("DHL US", "https://www.logistics.dhl/us-en/home/tracking/tracking-ecommerce.html?tracking-id=%1$s"),
            ("DHL eCommerce", "https://webtrack.dhlecs.com/orders?trackingNumber=%1$s"),
            ("Fedex", "https://www.fedex.com/apps/fedextrack/?action=track&action=track&tracknumbers=%1$s"),
            ("FedEx Sameday", "https://www.fedexsameday.com/fdx_dotracking_ua.aspx?tracknum=%1$s"),
            ("GlobalPost", "https://www.goglobalpost.com/track-detail/?t=%1$s"),
            ("OnTrac", "https://www.ontrac.com/tracking/?number=%1$s"),
            ("UPS", "https://www.ups.com/track?loc=en_US&tracknum=%1$s"),
            ("USPS", "https://tools.usps.com/go/TrackConfirmAction_input?qtc_tLabels1=%1$s"),
        ],
    ),
];

/// Requests that reached the extension's paths, by kind.
#[derive(Debug, Default)]
pub struct TrackingCalls {
    pub list: AtomicU64,
    pub create: AtomicU64,
    pub get: AtomicU64,
    pub delete: AtomicU64,
    pub providers: AtomicU64,
}

impl TrackingCalls {
    pub fn total(&self) -> u64 {
        [
            &self.list,
            &self.create,
            &self.get,
            &self.delete,
            &self.providers,
        ]
        .iter()
        .map(|c| c.load(Ordering::Relaxed))
        .sum()
    }

    pub fn report(&self) -> Value {
        let n = |c: &AtomicU64| c.load(Ordering::Relaxed);
        json!({
            "list": n(&self.list), "create": n(&self.create), "get": n(&self.get),
            "delete": n(&self.delete), "providers": n(&self.providers), "total": self.total(),
        })
    }
}

/// WordPress's `sanitize_title` as far as provider names need it: lower case, runs of
/// anything but letters and digits as one `-`.
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.trim().chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

/// The provider a stored `tracking_provider` names (exactly, or by its slug) and its URL format.
fn provider(stored: &str) -> Option<(&'static str, &'static str)> {
    PROVIDERS
        .iter()
        .flat_map(|(_, list)| list.iter())
        .find(|(name, _)| *name == stored || slug(name) == stored)
        .copied()
}

fn answers(sim: &Sim, version: &str) -> bool {
    let v = version.trim_start_matches('v');
    match sim.settings.tracking_extension {
        TrackingExtension::Installed => matches!(v, "1" | "2" | "3"),
        TrackingExtension::LegacyV2 => matches!(v, "1" | "2"),
        TrackingExtension::Missing => false,
    }
}

/// The checks every item route makes, in the extension's order: the route, faults, auth, the
/// order. `Ok((order id, truncate))` or the answer to send.
async fn open(
    sim: &Sim,
    version: &str,
    id: &str,
    headers: &HeaderMap,
    params: &Params,
    write: bool,
) -> Result<(u64, bool), Response> {
    if !answers(sim, version) {
        return Err(no_route());
    }
    let truncated = take_fault(sim).await?;
    if !authorized(sim, headers, params) {
        return Err(if write {
            refused(
                "woocommerce_rest_cannot_edit",
                "Sorry, you are not allowed to edit this resource.",
            )
        } else {
            refused(
                "woocommerce_rest_cannot_view",
                "Sorry, you cannot list resources.",
            )
        });
    }
    match find(sim, id) {
        Some(o) => Ok((woo_id(&o), truncated)),
        None => Err(woo_error(
            StatusCode::NOT_FOUND,
            "woocommerce_rest_order_invalid_id",
            "Invalid order ID.",
            Value::Null,
        )),
    }
}

/// The stored items of an order (raw, as kept in its meta data).
fn stored(sim: &Sim, order: u64) -> Vec<Value> {
    sim.meta
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .get(order, TRACKING_ITEMS)
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

fn save(sim: &Sim, order: u64, items: Vec<Value>) {
    sim.meta.lock().unwrap_or_else(|p| p.into_inner()).set(
        order,
        TRACKING_ITEMS,
        Value::Array(items),
    );
}

fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

/// An item as the REST API answers it.
pub(super) fn formatted(sim: &Sim, order: u64, item: &Value) -> Value {
    let number = text(item, "tracking_number");
    let (name, link) = if !text(item, "custom_tracking_provider").is_empty() {
        (
            text(item, "custom_tracking_provider").to_string(),
            text(item, "custom_tracking_link").to_string(),
        )
    } else {
        match provider(text(item, "tracking_provider")) {
            Some((name, format)) => (name.to_string(), format.replace("%1$s", number)),
            None => (String::new(), String::new()),
        }
    };
    let shipped = item
        .get("date_shipped")
        .and_then(Value::as_i64)
        .and_then(|t| Utc.timestamp_opt(t, 0).single())
        .unwrap_or_else(Utc::now);
    let id = text(item, "tracking_id");
    let base = format!(
        "{}/wp-json/wc-shipment-tracking/v3/orders/{order}/shipment-trackings",
        sim.settings.site_url
    );
    json!({
        "tracking_id": id,
        "tracking_provider": name,
        "tracking_link": link,
        "tracking_number": number,
        "date_shipped": shipped.format("%Y-%m-%d").to_string(),
        "_links": {
            "self": [{ "href": format!("{base}/{id}") }],
            "collection": [{ "href": base }],
            "up": [{ "href": format!("{}/wp-json/wc/v3/orders/{order}", sim.settings.site_url) }],
        },
    })
}

/// Every order's items as the REST API answers them (for `GET /_sim/trackings`).
pub(super) fn all_formatted(sim: &Sim) -> Value {
    let orders: Vec<u64> = sim.shop.book.lock().iter().map(woo_id).collect();
    let mut out = Map::new();
    for order in orders {
        let items = stored(sim, order);
        if !items.is_empty() {
            let list = items.iter().map(|i| formatted(sim, order, i)).collect();
            out.insert(order.to_string(), Value::Array(list));
        }
    }
    Value::Object(out)
}

pub(super) async fn list(
    State(sim): State<Sim>,
    Path((version, id)): Path<(String, String)>,
    headers: HeaderMap,
    Query(params): Query<Params>,
) -> Response {
    sim.tracking_calls.list.fetch_add(1, Ordering::Relaxed);
    let (order, truncated) = match open(&sim, &version, &id, &headers, &params, false).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let items: Vec<Value> = stored(&sim, order)
        .iter()
        .map(|i| formatted(&sim, order, i))
        .collect();
    json_answer(StatusCode::OK, &Value::Array(items), truncated)
}

pub(super) async fn create(
    State(sim): State<Sim>,
    Path((version, id)): Path<(String, String)>,
    headers: HeaderMap,
    Query(params): Query<Params>,
    body: axum::body::Bytes,
) -> Response {
    sim.tracking_calls.create.fetch_add(1, Ordering::Relaxed);
    if !answers(&sim, &version) {
        return no_route();
    }
    let cut = match sim.tracking_faults.next().await {
        Some(Fault::Truncated) => true,
        Some(f) => match fault_response(&sim, f) {
            Some(r) => return r,
            None => false,
        },
        None => false,
    };
    let (order, truncated) = match open(&sim, &version, &id, &headers, &params, true).await {
        Ok((order, t)) => (order, t || cut),
        Err(r) => return r,
    };
    let Ok(Value::Object(req)) = serde_json::from_slice::<Value>(&body) else {
        return invalid_json();
    };
    let field = |k: &str| {
        req.get(k)
            .and_then(Value::as_str)
            .map(str::trim)
            .unwrap_or("")
            .to_string()
    };
    let number = field("tracking_number");
    if number.is_empty() {
        return woo_error(
            StatusCode::BAD_REQUEST,
            "rest_missing_callback_param",
            "Missing parameter(s): tracking_number",
            json!({ "params": ["tracking_number"] }),
        );
    }
    // strtotime() of the date at midnight UTC (WordPress runs PHP in UTC); a date it cannot
    // read is 0, which the extension replaces with now.
    let shipped = NaiveDate::parse_from_str(&field("date_shipped"), "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc().timestamp())
        .unwrap_or_else(|| Utc::now().timestamp());
    let seq = sim.tracking_ids.fetch_add(1, Ordering::SeqCst);
    let tracking_id = format!(
        "{:016x}{:016x}",
        fnv(&format!("{order}-{number}")),
        fnv(&seq.to_string())
    );
    let item = json!({
        "tracking_provider": field("tracking_provider"),
        "custom_tracking_provider": field("custom_tracking_provider"),
        "custom_tracking_link": field("custom_tracking_link"),
        "tracking_number": number,
        "date_shipped": shipped,
        "tracking_id": tracking_id,
    });
    let mut items = stored(&sim, order);
    items.push(item.clone());
    save(&sim, order, items);
    let answer = formatted(&sim, order, &item);
    let mut r = json_answer(StatusCode::CREATED, &answer, truncated);
    if let Some(href) = answer
        .pointer("/_links/self/0/href")
        .and_then(Value::as_str)
    {
        if let Ok(v) = HeaderValue::from_str(href) {
            r.headers_mut().insert(header::LOCATION, v);
        }
    }
    r
}

async fn one(
    sim: Sim,
    version: String,
    id: String,
    tracking_id: String,
    headers: HeaderMap,
    params: Params,
    delete: bool,
) -> Response {
    let (order, truncated) = match open(&sim, &version, &id, &headers, &params, delete).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let mut items = stored(&sim, order);
    let Some(at) = items
        .iter()
        .position(|i| text(i, "tracking_id") == tracking_id)
    else {
        return woo_error(
            StatusCode::NOT_FOUND,
            "woocommerce_rest_order_shipment_tracking_invalid_id",
            "Invalid shipment tracking ID.",
            Value::Null,
        );
    };
    let answer = formatted(&sim, order, &items[at]);
    if delete {
        items.remove(at);
        save(&sim, order, items);
    }
    json_answer(StatusCode::OK, &answer, truncated)
}

pub(super) async fn get_one(
    State(sim): State<Sim>,
    Path((version, id, tracking_id)): Path<(String, String, String)>,
    headers: HeaderMap,
    Query(params): Query<Params>,
) -> Response {
    sim.tracking_calls.get.fetch_add(1, Ordering::Relaxed);
    one(sim, version, id, tracking_id, headers, params, false).await
}

pub(super) async fn delete_one(
    State(sim): State<Sim>,
    Path((version, id, tracking_id)): Path<(String, String, String)>,
    headers: HeaderMap,
    Query(params): Query<Params>,
) -> Response {
    sim.tracking_calls.delete.fetch_add(1, Ordering::Relaxed);
    one(sim, version, id, tracking_id, headers, params, true).await
}

pub(super) async fn providers(State(sim): State<Sim>, Path(version): Path<String>) -> Response {
    sim.tracking_calls.providers.fetch_add(1, Ordering::Relaxed);
    if !answers(&sim, &version) {
        return no_route();
    }
    let mut out = Map::new();
    for (region, list) in PROVIDERS {
        let names: Map<String, Value> = list
            .iter()
            .map(|(name, format)| (name.to_string(), json!(format)))
            .collect();
        out.insert(region.to_string(), Value::Object(names));
    }
    Json(Value::Object(out)).into_response()
}

fn fnv(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_and_names_find_the_provider() {
        assert_eq!(slug("DHL US"), "dhl-us");
        assert_eq!(slug("  Canada Post "), "canada-post");
        assert_eq!(slug("FedEx"), "fedex");
        assert_eq!(provider("Fedex").map(|p| p.0), Some("Fedex"));
        assert_eq!(provider("fedex").map(|p| p.0), Some("Fedex"));
        assert_eq!(provider("dhl-us").map(|p| p.0), Some("DHL US"));
        // The formatter compares exactly: a differently cased name is not a provider.
        assert_eq!(provider("FedEx"), None);
        assert_eq!(provider("Pony Express"), None);
    }
}
