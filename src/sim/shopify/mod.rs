//! A Shopify shop on loopback, speaking the REST Admin API the way spec §1 and §6 describe it.
//!
//! - `orders`: `GET /admin/api/{version}/orders.json`: `X-Shopify-Access-Token` (401
//!   otherwise), `status` defaulting to `open`, offset-aware `updated_at_min`/`_max` (inclusive
//!   min), `limit` 50 by default and 250 at most (400 above), opaque `page_info` cursors that
//!   refuse any filter next to them, a `Link` header with `next`/`previous` (none when
//!   everything fits).
//! - `render`: orders in the REST order shape (13-digit ids, `#1001` names, money as strings,
//!   times in the shop's non-UTC offset, edits as `current_quantity` below `quantity`,
//!   cancellations with `cancelled_at` and a refund whose `refund_line_items[].subtotal` is a
//!   JSON number, fulfilments as `fulfillments[]` and `fulfillable_quantity`).
//! - `inventory` (spec §1.6): `GET products.json` (each SKU of
//!   [`ShopifySimSettings::skus`] is a variant with a stable `id` and `inventory_item_id`, see
//!   [`variant_id`] and [`inventory_item_id`]), `GET locations.json` (one active location,
//!   [`ShopifySimSettings::location_id`]), `POST inventory_levels/set.json` (the level goes
//!   into `shop.stock`, with the latency `X-Ordo-Intent-At` tells).
//! - `fulfillment` (spec §1.7): one fulfillment order per order (`GET orders/{id}/
//!   fulfillment_orders.json`), `POST fulfillments.json` (checked against what is still
//!   fulfillable, recorded in `shop.stock`), `GET orders/{id}/fulfillments.json`.
//!
//! Every Admin API call goes through the same gate: the armed fault if any, the version, the
//! token, and a leaky bucket (40 calls, 2 a second) told in `X-Shopify-Shop-Api-Call-Limit`
//! and enforced with 429 + `Retry-After: 2.0`.
//!
//! For tests and the demo: `POST /_sim/faults` ([`FaultPlan`]), `GET /_sim/stats` (with the
//! stock side under `"stock"`), `POST /_sim/orders` (one ordo [`ChannelOrder`]: a new one is a
//! sale from `shop.stock`, refused with 409 when the shop shows too little stock; one with the
//! `external_id` of a book entry replaces it without selling again; a numeric external id is the
//! Shopify id), [`place_order`] (the same from Rust) and [`seed_orders`].

mod fulfillment;
mod inventory;
mod orders;
mod render;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, FixedOffset, Utc};
use serde_json::{json, Value};

use super::channel::{truncate, whole_seconds, Fault, FaultPlan, SimOrder, SimShop};
use super::Feed;
use crate::model::ChannelOrder;

pub use render::{inventory_item_id, product_id, render_order, variant_id};

/// Where a simulated Shopify shop numbers orders that have no numeric external id.
pub const FIRST_SHOP_ID: u64 = 6_100_000_000_000;
/// The 429 body Shopify sends on a Standard plan.
pub const THROTTLE_BODY: &str = r#"{"errors":"Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service."}"#;
/// The 401 body for a wrong or missing token.
pub const AUTH_BODY: &str =
    r#"{"errors":"[API] Invalid API key or access token (unrecognized login or wrong password)"}"#;
/// The 400 body for a page_info that is expired, altered or not one of ours.
pub const BAD_CURSOR_BODY: &str = r#"{"errors":{"page_info":["Invalid value."]}}"#;
/// The 409 body of `POST /_sim/orders` when the shop shows too little stock for a new order.
pub const OUT_OF_STOCK_BODY: &str = r#"{"errors":"out of stock"}"#;
/// The simulated shop's one location when the settings name none.
pub const DEFAULT_LOCATION_ID: u64 = 61_234_567_890;

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
    /// The id of the shop's one (active) location: what `locations.json` lists and the only
    /// `location_id` `inventory_levels/set.json` accepts.
    pub location_id: u64,
    /// The SKUs the shop lists as product variants (`products.json`), so the SKUs whose
    /// levels it takes. Default: every SKU of the demo catalog.
    pub skus: Vec<String>,
}

impl Default for ShopifySimSettings {
    fn default() -> Self {
        ShopifySimSettings {
            token: "shpat_sim_0123456789abcdef".into(),
            api_version: crate::config::DEFAULT_SHOPIFY_API_VERSION.into(),
            bucket_size: 40,
            leak_per_sec: 2.0,
            utc_offset_secs: -5 * 3600,
            location_id: DEFAULT_LOCATION_ID,
            skus: super::Catalog::demo()
                .items
                .into_iter()
                .map(|i| i.sku)
                .collect(),
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
    /// The variants of `settings.skus`, by product id then variant id.
    catalog: inventory::SimCatalog,
    /// What was fulfilled, per Shopify order id.
    fulfilled: Mutex<HashMap<u64, fulfillment::OrderFulfillments>>,
    next_fulfillment_id: AtomicU64,
    throttled: AtomicU64,
    rate_faults: AtomicU64,
}

/// The simulator's routes over `shop`.
pub fn router(shop: SimShop, settings: ShopifySimSettings) -> Router {
    let offset = FixedOffset::east_opt(settings.utc_offset_secs)
        .unwrap_or_else(|| FixedOffset::east_opt(0).expect("UTC is an offset"));
    let catalog = inventory::SimCatalog::new(&settings.skus);
    let sim = Arc::new(Sim {
        shop,
        settings,
        offset,
        bucket: Mutex::new((0.0, Instant::now())),
        originals: Mutex::new(HashMap::new()),
        catalog,
        fulfilled: Mutex::new(HashMap::new()),
        next_fulfillment_id: AtomicU64::new(5_100_000_000_000),
        throttled: AtomicU64::new(0),
        rate_faults: AtomicU64::new(0),
    });
    let api = "/admin/api/{version}";
    Router::new()
        .route(&format!("{api}/orders.json"), get(orders::list_orders))
        .route(&format!("{api}/products.json"), get(inventory::products))
        .route(&format!("{api}/locations.json"), get(inventory::locations))
        .route(
            &format!("{api}/inventory_levels/set.json"),
            post(inventory::set_level),
        )
        .route(
            &format!("{api}/orders/{{order_id}}/fulfillment_orders.json"),
            get(fulfillment::fulfillment_orders),
        )
        .route(
            &format!("{api}/orders/{{order_id}}/fulfillments.json"),
            get(fulfillment::order_fulfillments),
        )
        .route(
            &format!("{api}/fulfillments.json"),
            post(fulfillment::create),
        )
        .route("/_sim/faults", post(set_faults).get(get_faults))
        .route("/_sim/stats", get(stats))
        .route("/_sim/orders", post(put_order))
        .with_state(sim)
}

/// Adds `n` new Shopify orders from `feed` to the shop (versions of other channels are
/// skipped; edits and cancellations of its Shopify orders are applied as they come), the
/// k-th version at `start + k * spacing`, times in whole seconds as Shopify keeps them.
/// Returns how many versions were written. These are history, not sales: `shop.stock` is
/// left alone.
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

/// Puts one order into the shop as a customer or the shop's staff would: a new order (an
/// `external_id` the book does not hold) is a sale from `shop.stock` and is refused, not
/// added, when any SKU shows fewer units than it asks for (an already cancelled new order
/// sells nothing); a new version of a book entry (edit, cancellation) replaces it without
/// selling again. Returns the order's Shopify id.
pub fn place_order(shop: &SimShop, order: ChannelOrder) -> Result<u64, String> {
    // One placement at a time, so two puts of the same new order cannot both sell.
    static PLACING: Mutex<()> = Mutex::new(());
    let _one = PLACING.lock().unwrap_or_else(|p| p.into_inner());
    let is_new = !shop
        .book
        .lock()
        .iter()
        .any(|o| o.order.external_id == order.external_id);
    if is_new && !order.cancelled {
        let lines: Vec<(String, u32)> = order
            .lines
            .iter()
            .map(|l| (l.sku.clone(), l.quantity))
            .collect();
        if !shop.stock.try_sell(&lines) {
            return Err(format!(
                "order {} is out of stock: the shop shows too few units",
                order.external_id
            ));
        }
    }
    let external_id = order.external_id.clone();
    let shop_id = shop.book.upsert(order);
    Ok(external_id.parse().unwrap_or(shop_id))
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

/// 422 with Shopify's `{"errors":{field:[message]}}`.
fn unprocessable(field: &str, message: &str) -> Response {
    json_response(
        StatusCode::UNPROCESSABLE_ENTITY,
        json!({ "errors": { field: [message] } }).to_string(),
    )
}

fn not_found() -> Response {
    json_response(StatusCode::NOT_FOUND, r#"{"errors":"Not Found"}"#)
}

/// A call the gate let through: what to stamp on its answer.
struct Admitted {
    /// The bucket's fill level after this call.
    used: u32,
    /// The answer is to be cut in the middle (the call itself still takes effect).
    truncated: bool,
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

    /// What every Admin API call passes first: an armed fault (a throttle, every other one as
    /// HTML as Shopify has served them; a 500 page; a 200 HTML page), the version's form (404),
    /// the token (401), then the leaky bucket (429).
    async fn gate(&self, version: &str, headers: &HeaderMap) -> Result<Admitted, Response> {
        let fault = self.shop.faults.next().await;
        match fault {
            Some(Fault::RateLimited) => {
                let n = self.rate_faults.fetch_add(1, Ordering::Relaxed);
                return Err(self.throttle(n % 2 == 1));
            }
            Some(Fault::ServerError) => {
                return Err(html(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Something went wrong",
                ))
            }
            Some(Fault::HtmlPage) => return Err(html(StatusCode::OK, "Checking your browser")),
            Some(Fault::Truncated) | None => {}
        }
        let v = version.as_bytes();
        if v.len() != 7
            || v[4] != b'-'
            || !version.replace('-', "").bytes().all(|b| b.is_ascii_digit())
        {
            return Err(not_found());
        }
        let token = headers
            .get("x-shopify-access-token")
            .and_then(|v| v.to_str().ok());
        if token != Some(self.settings.token.as_str()) {
            return Err(json_response(StatusCode::UNAUTHORIZED, AUTH_BODY));
        }
        let Some(used) = self.take_call() else {
            return Err(self.throttle(false));
        };
        Ok(Admitted {
            used,
            truncated: fault == Some(Fault::Truncated),
        })
    }

    /// A JSON answer of an admitted call: cut when the gate said so (a success only), with
    /// the bucket's state and the version in the headers.
    fn reply(
        &self,
        version: &str,
        admitted: &Admitted,
        status: StatusCode,
        body: String,
    ) -> Response {
        let response = if admitted.truncated && status.is_success() {
            cut(status, body)
        } else {
            json_response(status, body)
        };
        self.stamp(version, admitted, response)
    }

    /// The bucket's state and the version on an admitted call's answer.
    fn stamp(&self, version: &str, admitted: &Admitted, mut response: Response) -> Response {
        let h = response.headers_mut();
        let limit = format!("{}/{}", admitted.used, self.settings.bucket_size);
        h.insert(
            "x-shopify-shop-api-call-limit",
            limit.parse().expect("a header value"),
        );
        if let Ok(v) = version.parse() {
            h.insert("x-shopify-api-version", v);
        }
        response
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

/// A JSON answer cut in the middle: declares the full length, sends half, then drops the
/// connection, as a dying worker does.
fn cut(status: StatusCode, body: String) -> Response {
    let full_len = body.len();
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
    *r.status_mut() = status;
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        "application/json; charset=utf-8"
            .parse()
            .expect("a header value"),
    );
    h.insert(header::CONTENT_LENGTH, full_len.into());
    r
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
        "stock": sim.shop.stock.stats(),
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
    let old = sim
        .shop
        .book
        .lock()
        .iter()
        .find(|o| o.order.external_id == order.external_id)
        .map(|o| o.order.clone());
    if let Some(old) = &old {
        sim.originals(old);
    }
    match place_order(&sim.shop, order.clone()) {
        Ok(id) => {
            sim.originals(&order);
            json_response(StatusCode::OK, json!({ "id": id }).to_string())
        }
        Err(_) => json_response(StatusCode::CONFLICT, OUT_OF_STOCK_BODY),
    }
}
