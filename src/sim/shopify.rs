//! A Shopify shop on loopback, speaking the REST Admin API's `GET /admin/api/{version}/
//! orders.json` the way spec §1 and §6 describe it: `X-Shopify-Access-Token` (401 otherwise),
//! `status` defaulting to `open`, offset-aware `updated_at_min`/`_max` (inclusive min),
//! `limit` 50 by default and 250 at most (400 above), opaque `page_info` cursors that refuse
//! any filter next to them, a `Link` header with `next`/`previous` (none when everything
//! fits), and a leaky bucket (40 calls, 2 a second) told in `X-Shopify-Shop-Api-Call-Limit`
//! and enforced with 429 + `Retry-After: 2.0`. Orders are rendered in the REST order shape
//! (13-digit ids, `#1001` names, money as strings, times in the shop's non-UTC offset, edits as
//! `current_quantity` below `quantity`, cancellations with `cancelled_at` and a refund whose
//! `refund_line_items[].subtotal` is a JSON number).
//!
//! For tests and the demo: `POST /_sim/faults` ([`FaultPlan`]), `GET /_sim/stats`,
//! `POST /_sim/orders` (one ordo [`ChannelOrder`]: added, or replacing the order with the same
//! `external_id`; a numeric external id is the Shopify id), and [`seed_orders`].

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use chrono::{DateTime, FixedOffset, NaiveDateTime, SecondsFormat, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::channel::{truncate, Fault, FaultPlan, SimOrder, SimShop};
use super::Feed;
use crate::model::{ChannelOrder, FinancialStatus, Money};

/// Where a simulated Shopify shop numbers orders that have no numeric external id.
pub const FIRST_SHOP_ID: u64 = 6_100_000_000_000;
/// The 429 body Shopify sends on a Standard plan.
pub const THROTTLE_BODY: &str = r#"{"errors":"Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service."}"#;
/// The 401 body for a wrong or missing token.
pub const AUTH_BODY: &str =
    r#"{"errors":"[API] Invalid API key or access token (unrecognized login or wrong password)"}"#;
/// The 400 body for a page_info that is expired, altered or not one of ours.
pub const BAD_CURSOR_BODY: &str = r#"{"errors":{"page_info":["Invalid value."]}}"#;

/// How the simulated shop behaves.
#[derive(Debug, Clone)]
pub struct ShopifySimSettings {
    /// The access token requests must carry.
    pub token: String,
    /// Told in `X-Shopify-API-Version` when a request names none it knows.
    pub api_version: String,
    /// The leaky bucket: this many calls ...
    pub bucket_size: u32,
    /// ... leaking this many a second.
    pub leak_per_sec: f64,
    /// The shop's UTC offset for rendered times (Shopify shows the shop's zone).
    pub utc_offset_secs: i32,
}

impl Default for ShopifySimSettings {
    fn default() -> Self {
        ShopifySimSettings {
            token: "shpat_sim_0123456789abcdef".into(),
            api_version: crate::config::DEFAULT_SHOPIFY_API_VERSION.into(),
            bucket_size: 40,
            leak_per_sec: 2.0,
            utc_offset_secs: -5 * 3600,
        }
    }
}

struct Sim {
    shop: SimShop,
    settings: ShopifySimSettings,
    offset: FixedOffset,
    /// (fill level, when it was last leaked).
    bucket: Mutex<(f64, Instant)>,
    /// Line quantities as first seen per external id: Shopify's `quantity` stays the
    /// original after edits, `current_quantity` follows them.
    originals: Mutex<HashMap<String, Vec<u32>>>,
    throttled: AtomicU64,
    rate_faults: AtomicU64,
}

/// The simulator's routes over `shop`.
pub fn router(shop: SimShop, settings: ShopifySimSettings) -> Router {
    let offset = FixedOffset::east_opt(settings.utc_offset_secs)
        .unwrap_or_else(|| FixedOffset::east_opt(0).expect("UTC is an offset"));
    let sim = Arc::new(Sim {
        shop,
        settings,
        offset,
        bucket: Mutex::new((0.0, Instant::now())),
        originals: Mutex::new(HashMap::new()),
        throttled: AtomicU64::new(0),
        rate_faults: AtomicU64::new(0),
    });
    Router::new()
        .route("/admin/api/{version}/orders.json", get(list_orders))
        .route("/_sim/faults", post(set_faults).get(get_faults))
        .route("/_sim/stats", get(stats))
        .route("/_sim/orders", post(put_order))
        .with_state(sim)
}

/// Adds `n` new Shopify orders from `feed` to the shop (versions of other channels are
/// skipped; edits and cancellations of its Shopify orders are applied as they come), the
/// k-th version at `start + k * spacing`, times in whole seconds as Shopify keeps them.
/// Returns how many versions were written.
pub fn seed_orders(
    shop: &SimShop,
    feed: &mut Feed,
    n: usize,
    start: DateTime<Utc>,
    spacing: chrono::Duration,
) -> usize {
    let target = shop.book.len() + n;
    let mut written = 0;
    let mut guard = 0usize;
    while shop.book.len() < target && guard < n.saturating_mul(50) + 100 {
        guard += 1;
        let at = whole_seconds(start + spacing * written as i32);
        let mut order = feed.next(at);
        if order.channel != "shopify" {
            continue;
        }
        order.created_at = whole_seconds(order.created_at);
        order.updated_at = whole_seconds(order.updated_at);
        shop.book.upsert(order);
        written += 1;
    }
    written
}

fn whole_seconds(t: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp(t.timestamp(), 0).unwrap_or(t)
}

/// The Shopify id of a book entry: its external id when that is a number.
pub fn shopify_id(o: &SimOrder) -> u64 {
    o.order.external_id.parse().unwrap_or(o.shop_id)
}

fn json_response(status: StatusCode, body: impl Into<String>) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        body.into(),
    )
        .into_response()
}

fn html(status: StatusCode, title: &str) -> Response {
    let body = format!(
        "<!DOCTYPE html><html><head><title>{title}</title></head><body><h1>{title}</h1>\
         <p>There was a problem loading this website. Please try again.</p></body></html>"
    );
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        body,
    )
        .into_response()
}

fn bad_request(field: &str, message: &str) -> Response {
    json_response(
        StatusCode::BAD_REQUEST,
        json!({ "errors": { field: [message] } }).to_string(),
    )
}

impl Sim {
    fn throttle(&self, as_html: bool) -> Response {
        self.throttled.fetch_add(1, Ordering::Relaxed);
        let bucket = self.settings.bucket_size;
        let mut r = if as_html {
            html(StatusCode::TOO_MANY_REQUESTS, "Too Many Requests")
        } else {
            json_response(StatusCode::TOO_MANY_REQUESTS, THROTTLE_BODY)
        };
        let h = r.headers_mut();
        h.insert(header::RETRY_AFTER, "2.0".parse().expect("a header value"));
        h.insert(
            "x-shopify-shop-api-call-limit",
            format!("{bucket}/{bucket}")
                .parse()
                .expect("a header value"),
        );
        r
    }

    /// One call into the bucket: the fill level after it, or None when it is full.
    fn take_call(&self) -> Option<u32> {
        let mut b = self.bucket.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        let leaked = now.duration_since(b.1).as_secs_f64() * self.settings.leak_per_sec;
        b.0 = (b.0 - leaked).max(0.0);
        b.1 = now;
        if b.0 + 1.0 > f64::from(self.settings.bucket_size) {
            return None;
        }
        b.0 += 1.0;
        Some(b.0.ceil() as u32)
    }

    fn originals(&self, order: &ChannelOrder) -> Vec<u32> {
        let mut map = self.originals.lock().unwrap_or_else(|p| p.into_inner());
        let seen = map
            .entry(order.external_id.clone())
            .or_insert_with(|| order.lines.iter().map(|l| l.quantity).collect());
        // A line added by an edit, or a quantity raised, counts as ordered from then on.
        for (i, l) in order.lines.iter().enumerate() {
            match seen.get_mut(i) {
                Some(q) => *q = (*q).max(l.quantity),
                None => seen.push(l.quantity),
            }
        }
        seen.clone()
    }
}

/// The filters of a listing, carried inside its cursors.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct Filters {
    status: String,
    updated_min: Option<DateTime<Utc>>,
    updated_max: Option<DateTime<Utc>>,
    created_min: Option<DateTime<Utc>>,
    created_max: Option<DateTime<Utc>>,
}

impl Filters {
    fn keeps(&self, o: &ChannelOrder) -> bool {
        let status = match self.status.as_str() {
            "any" => true,
            "open" => !o.cancelled,
            // Cancelling closes an order; the simulator has no other way of closing one.
            _ => o.cancelled,
        };
        status
            && self.updated_min.is_none_or(|t| o.updated_at >= t)
            && self.updated_max.is_none_or(|t| o.updated_at <= t)
            && self.created_min.is_none_or(|t| o.created_at >= t)
            && self.created_max.is_none_or(|t| o.created_at <= t)
    }
}

/// A page_info: the filters and the (updated_at, id) key the page starts after (`next`) or
/// ends before (`previous`).
#[derive(Debug, Serialize, Deserialize)]
struct Cursor {
    f: Filters,
    next: bool,
    key: (i64, u64),
}

impl Cursor {
    fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).expect("a cursor serializes"))
    }

    fn decode(text: &str) -> Option<Cursor> {
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(text).ok()?).ok()
    }
}

/// An ISO-8601 time; without an offset it is in the shop's zone, as Shopify reads it.
fn parse_time(text: &str, offset: FixedOffset) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text.trim()) {
        return Some(t.with_timezone(&Utc));
    }
    let naive = NaiveDateTime::parse_from_str(text.trim(), "%Y-%m-%dT%H:%M:%S").ok()?;
    offset
        .from_local_datetime(&naive)
        .single()
        .map(|t| t.with_timezone(&Utc))
}

async fn list_orders(
    State(sim): State<Arc<Sim>>,
    Path(version): Path<String>,
    headers: HeaderMap,
    Query(query): Query<Vec<(String, String)>>,
) -> Response {
    let fault = sim.shop.faults.next().await;
    match fault {
        Some(Fault::RateLimited) => {
            // Shopify has served throttles as HTML at times: every other one here.
            let n = sim.rate_faults.fetch_add(1, Ordering::Relaxed);
            return sim.throttle(n % 2 == 1);
        }
        Some(Fault::ServerError) => {
            return html(StatusCode::INTERNAL_SERVER_ERROR, "Something went wrong")
        }
        Some(Fault::HtmlPage) => return html(StatusCode::OK, "Checking your browser"),
        Some(Fault::Truncated) | None => {}
    }
    let v = version.as_bytes();
    if v.len() != 7 || v[4] != b'-' || !version.replace('-', "").bytes().all(|b| b.is_ascii_digit())
    {
        return json_response(StatusCode::NOT_FOUND, r#"{"errors":"Not Found"}"#);
    }
    let token = headers
        .get("x-shopify-access-token")
        .and_then(|v| v.to_str().ok());
    if token != Some(sim.settings.token.as_str()) {
        return json_response(StatusCode::UNAUTHORIZED, AUTH_BODY);
    }
    let Some(used) = sim.take_call() else {
        return sim.throttle(false);
    };
    let mut response = match listing(&sim, &version, &headers, &query) {
        Ok((body, link)) => {
            let full_len = body.len();
            let mut r = if fault == Some(Fault::Truncated) {
                // Declares the full length, sends half, then drops the connection.
                let half = truncate(&body);
                let chunks = futures_util::stream::unfold(Some(half), |left| async move {
                    match left {
                        Some(half) => Some((Ok(half), None)),
                        None => {
                            // Let the half reach the client before the connection drops.
                            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                            let e = std::io::Error::other("the shop's worker died");
                            Some((Err::<String, _>(e), None))
                        }
                    }
                });
                let mut r = Response::new(Body::from_stream(chunks));
                let h = r.headers_mut();
                h.insert(
                    header::CONTENT_TYPE,
                    "application/json; charset=utf-8"
                        .parse()
                        .expect("a header value"),
                );
                h.insert(header::CONTENT_LENGTH, full_len.into());
                r
            } else {
                json_response(StatusCode::OK, body)
            };
            if let Some(link) = link {
                if let Ok(v) = link.parse() {
                    r.headers_mut().insert(header::LINK, v);
                }
            }
            r
        }
        Err(r) => *r,
    };
    let h = response.headers_mut();
    let limit = format!("{used}/{}", sim.settings.bucket_size);
    h.insert(
        "x-shopify-shop-api-call-limit",
        limit.parse().expect("a header value"),
    );
    h.insert(
        "x-shopify-api-version",
        version.parse().expect("checked above"),
    );
    response
}

/// The body and `Link` of a listing, or the 400 that refuses it.
fn listing(
    sim: &Sim,
    version: &str,
    headers: &HeaderMap,
    query: &[(String, String)],
) -> Result<(String, Option<String>), Box<Response>> {
    let param = |name: &str| {
        query
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let limit = match param("limit") {
        None => 50,
        Some(l) => match l.trim().parse::<usize>() {
            Ok(n @ 1..=250) => n,
            _ => return Err(Box::new(bad_request("limit", "must be between 1 and 250"))),
        },
    };
    let fields: Option<Vec<&str>> = param("fields").map(|f| f.split(',').map(str::trim).collect());
    let cursor = match param("page_info") {
        Some(page_info) => {
            if let Some((other, _)) = query
                .iter()
                .find(|(k, _)| !matches!(k.as_str(), "page_info" | "limit" | "fields"))
            {
                return Err(Box::new(bad_request(
                    "page_info",
                    &format!("{other} cannot be passed when page_info is present"),
                )));
            }
            match Cursor::decode(page_info) {
                Some(c) if !sim.shop.faults.cursor_expired() => Some(c),
                _ => {
                    return Err(Box::new(json_response(
                        StatusCode::BAD_REQUEST,
                        BAD_CURSOR_BODY,
                    )));
                }
            }
        }
        None => None,
    };
    let filters = match &cursor {
        Some(c) => c.f.clone(),
        None => {
            let mut f = Filters {
                status: param("status").unwrap_or("open").to_string(),
                ..Filters::default()
            };
            if !matches!(f.status.as_str(), "open" | "closed" | "cancelled" | "any") {
                return Err(Box::new(bad_request(
                    "status",
                    "is not one of open, closed, cancelled, any",
                )));
            }
            for (name, slot) in [
                ("updated_at_min", &mut f.updated_min),
                ("updated_at_max", &mut f.updated_max),
                ("created_at_min", &mut f.created_min),
                ("created_at_max", &mut f.created_max),
            ] {
                if let Some(text) = param(name) {
                    *slot = Some(parse_time(text, sim.offset).ok_or_else(|| {
                        Box::new(bad_request(name, "is not a valid ISO-8601 time"))
                    })?);
                }
            }
            f
        }
    };

    let key = |o: &SimOrder| (o.order.updated_at.timestamp_micros(), shopify_id(o));
    let mut matching: Vec<SimOrder> = sim
        .shop
        .book
        .lock()
        .iter()
        .filter(|o| filters.keeps(&o.order))
        .cloned()
        .collect();
    matching.sort_by_key(key);
    let (start, end) = match &cursor {
        None => (0, limit.min(matching.len())),
        Some(c) if c.next => {
            let start = matching.partition_point(|o| key(o) <= c.key);
            (start, (start + limit).min(matching.len()))
        }
        Some(c) => {
            let end = matching.partition_point(|o| key(o) < c.key);
            (end.saturating_sub(limit), end)
        }
    };
    let page = &matching[start..end];

    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    let base = format!("http://{host}/admin/api/{version}/orders.json");
    let fields_param = param("fields")
        .map(|f| {
            format!(
                "&fields={}",
                percent_encoding::utf8_percent_encode(f, QUERY)
            )
        })
        .unwrap_or_default();
    let link_to = |next: bool, o: &SimOrder, rel: &str| {
        let c = Cursor {
            f: filters.clone(),
            next,
            key: key(o),
        };
        format!(
            "<{base}?limit={limit}{fields_param}&page_info={}>; rel=\"{rel}\"",
            c.encode()
        )
    };
    let mut links = Vec::new();
    if start > 0 {
        links.push(link_to(
            false,
            page.first().unwrap_or(&matching[start - 1]),
            "previous",
        ));
    }
    if end < matching.len() {
        if let Some(last) = page.last() {
            links.push(link_to(true, last, "next"));
        }
    }

    let orders: Vec<Value> = page
        .iter()
        .map(|o| {
            let mut v = render(o, &sim.originals(&o.order), sim.offset);
            if let (Some(fields), Value::Object(map)) = (&fields, &mut v) {
                map.retain(|k, _| fields.contains(&k.as_str()));
            }
            v
        })
        .collect();
    let body = json!({ "orders": orders }).to_string();
    Ok((body, (!links.is_empty()).then(|| links.join(", "))))
}

const QUERY: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b',');

fn money(m: Money) -> String {
    format!("{:.2}", m)
}

fn money_set(m: Money, currency: &str) -> Value {
    let amount = json!({ "amount": money(m), "currency_code": currency });
    json!({ "shop_money": amount, "presentment_money": amount })
}

/// A stable 12-digit number for a text (variant and product ids of a SKU).
fn digits(text: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    h % 1_000_000_000_000
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
    render(o, &originals, offset)
}

fn render(o: &SimOrder, originals: &[u32], offset: FixedOffset) -> Value {
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
    let line_id = |i: usize| -> u64 {
        c.lines[i]
            .channel_line_id
            .as_deref()
            .and_then(|s| s.parse().ok())
            .unwrap_or(id * 100 + i as u64 + 1)
    };
    let line_items: Vec<Value> = c
        .lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let lid = line_id(i);
            let gift = l.sku.starts_with("GIFTCARD-");
            let current = if c.cancelled { 0 } else { l.quantity };
            let original = originals.get(i).copied().unwrap_or(l.quantity).max(l.quantity);
            json!({
                "id": lid,
                "admin_graphql_api_id": format!("gid://shopify/LineItem/{lid}"),
                "variant_id": 44_000_000_000_000u64 + digits(&l.sku),
                "product_id": 8_000_000_000_000u64 + digits(l.sku.rsplit_once('-').map_or(&l.sku, |(p, _)| p)),
                "sku": l.sku,
                "title": l.title.as_deref().unwrap_or(&l.sku),
                "name": l.title.as_deref().unwrap_or(&l.sku),
                "variant_title": null,
                "vendor": "ordo demo",
                "quantity": original,
                "current_quantity": current,
                "fulfillable_quantity": current,
                "fulfillment_status": null,
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
        "fulfillment_status": null,
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
        "fulfillments": [],
        "discount_codes": [],
    });
    if let (Value::Object(map), Value::Object(more)) = (&mut order, more) {
        map.extend(more);
    }
    order
}

async fn set_faults(State(sim): State<Arc<Sim>>, Json(plan): Json<FaultPlan>) -> Json<FaultPlan> {
    sim.shop.faults.set(plan);
    Json(sim.shop.faults.plan())
}

async fn get_faults(State(sim): State<Arc<Sim>>) -> Json<FaultPlan> {
    Json(sim.shop.faults.plan())
}

async fn stats(State(sim): State<Arc<Sim>>) -> Json<Value> {
    Json(json!({
        "requests": sim.shop.faults.requests.load(Ordering::Relaxed),
        "orders": sim.shop.book.len(),
        "throttled": sim.throttled.load(Ordering::Relaxed),
        "faults": sim.shop.faults.plan(),
    }))
}

async fn put_order(State(sim): State<Arc<Sim>>, body: axum::body::Bytes) -> Response {
    let order: ChannelOrder = match serde_json::from_slice(&body) {
        Ok(o) => o,
        Err(e) => {
            return json_response(
                StatusCode::UNPROCESSABLE_ENTITY,
                json!({ "errors": format!("not an ordo order: {e}") }).to_string(),
            )
        }
    };
    // Remember what was ordered before an edit replaces it.
    if let Some(old) = sim
        .shop
        .book
        .lock()
        .iter()
        .find(|o| o.order.external_id == order.external_id)
    {
        sim.originals(&old.order);
    }
    sim.originals(&order);
    let shop_id = sim.shop.book.upsert(order.clone());
    let id = order.external_id.parse().unwrap_or(shop_id);
    json_response(StatusCode::OK, json!({ "id": id }).to_string())
}
