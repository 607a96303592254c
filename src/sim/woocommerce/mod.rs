//! A WooCommerce shop on loopback: orders, products and order notes of WooCommerce REST v3
//! (`/wp-json/wc/v3`) over a [`SimShop`], rendered in WooCommerce's JSON, with its paging, auth
//! and date filters, and the ways hosts in front of WooCommerce spoil answers (spec §2, §6;
//! edge cases 6-8, 12, 13).
//!
//! - `orders`: `GET /orders` (and `/orders/<id>`), `PUT /orders/<id>` (status, meta data).
//! - `notes`: `GET`/`POST /orders/<id>/notes`.
//! - `products`: `GET /products`, `POST /products/batch` (stock levels).
//! - `tracking`: the Shipment Tracking extension (`/wp-json/wc-shipment-tracking/v3/...`), or
//!   its absence ([`WooSimSettings::tracking_extension`]).
//! - `meta`: each order's `meta_data`.
//! - [`render`](mod@render): an order and a product in WooCommerce's JSON.
//!
//! What it imitates:
//! - Basic auth with the consumer key and secret (or `consumer_key`/`consumer_secret` in the
//!   query, as WooCommerce accepts over HTTPS); anything else is 401
//!   `{"code":"woocommerce_rest_cannot_view",...}` (`…_cannot_edit`, `…_cannot_create`,
//!   `…_cannot_batch` for writes).
//! - Orders: `page` (1-based), `per_page` (default 10, 1-100, else 400 `rest_invalid_param`),
//!   `order` (`desc` default), `orderby` (`date` default, `modified`, `id`; ties by id), `status`
//!   (`any` default; a comma list or `status[]=`), `after`/`before` on creation and
//!   `modified_after`/`modified_before` on modification, exclusive as WordPress's date query
//!   makes them. The dates are read as wall-clock times in the site's timezone unless
//!   `dates_are_gmt=true`; the site's timezone is a fixed offset ([`WooSimSettings::utc_offset_secs`],
//!   +01:00 by default, standing in for Europe/Warsaw without its DST). Any offset on the given
//!   date is ignored, as WordPress compares the wall-clock text against the local or GMT column.
//! - `X-WP-Total`, `X-WP-TotalPages`, `Link` with `rel="prev"`/`rel="next"` (absolute URLs
//!   built from the request's `Host`), `[]` past the end.
//! - Orders as WooCommerce writes them: `date_created` site-local without offset, `*_gmt`
//!   without `Z`, money as strings, line `price` as a float (`total / quantity` in `f64`),
//!   coupons spread over the lines' totals, refunds with negative totals, entity-encoded names.
//!   The status comes from a `woo:<status>` tag when the order has one (so a test can post an
//!   `on-hold` or `completed` order, and `PUT /orders/<id>` sets it), else from the order:
//!   cancelled and refunded → `refunded`, cancelled → `cancelled`, pending payment → `pending`,
//!   else `processing`.
//! - Products: every SKU of [`WooSimSettings::skus`] (the demo catalog by default) and every SKU
//!   of an order in the book is a simple product whose id is derived from the SKU
//!   ([`render::product_id`]), its stock the shop's [`super::channel::SimStock`] level.
//! - Faults ([`crate::sim::channel::Faults`], on every route above): throttle → 429 (or 503 when
//!   so set) with `Retry-After`; server error → 500 HTML "critical error" page; HTML page →
//!   alternately a 202 SiteGround captcha and a 200 with a PHP `Warning:` before the JSON;
//!   truncated → the JSON cut in half. Expired cursors do not apply: WooCommerce pages are
//!   plain numbers.
//! - Any other path is 404 `rest_no_route`, as WordPress answers a route no plugin registered.
//! - `POST /_sim/faults` (a [`FaultPlan`]), `GET /_sim/stats` (requests, orders, faults, the
//!   shop's stock side under `stock`, a [`super::channel::SimStockStats`], and the requests the
//!   Shipment Tracking paths received under `tracking_calls`), `GET /_sim/trackings` (which
//!   versions of the extension answer, its calls by kind, and every order's tracking items as
//!   the extension lists them), `POST /_sim/tracking_faults` (a [`FaultPlan`] for the
//!   extension's create route alone), `POST /_sim/orders`
//!   (an ordo [`ChannelOrder`], replacing the one with its external id; a *new* one is a sale:
//!   the shop sells its lines from its stock and answers 409 without adding the order when it
//!   shows too little, as a shop that does not sell out of stock would).

mod meta;
mod notes;
mod orders;
mod products;
pub mod render;
mod tracking;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};

use super::channel::{Fault, FaultPlan, Faults, SimShop};
use super::{Catalog, Feed, Rng};
use crate::model::{ChannelOrder, FinancialStatus};

use render::secs;
pub use render::{render, woo_id, woo_status};
pub use tracking::{TrackingCalls, PROVIDERS as TRACKING_PROVIDERS};

/// Whether the site runs the Shipment Tracking extension, and which REST versions it answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TrackingExtension {
    /// A current release: `wc-shipment-tracking/v1`, `v2` and `v3`.
    #[default]
    Installed,
    /// An old release without `v3`.
    LegacyV2,
    /// Not installed: its paths are 404 `rest_no_route`.
    Missing,
}

#[derive(Debug, Clone)]
pub struct WooSimSettings {
    pub consumer_key: String,
    pub consumer_secret: String,
    /// The site's timezone as a fixed offset from UTC, in seconds (+3600: +01:00).
    pub utc_offset_secs: i32,
    /// The status of a throttled answer: 429 (default) or 503.
    pub throttle_status: u16,
    /// The `Retry-After` of a throttled answer, in seconds.
    pub retry_after_secs: u32,
    /// The site's URL in `_links` (the `Link` header uses the request's `Host`).
    pub site_url: String,
    /// SKUs the shop sells as simple products (the demo catalog's by default); the SKUs of the
    /// orders in the book are products too.
    pub skus: Vec<String>,
    /// The Shipment Tracking extension: installed by default.
    pub tracking_extension: TrackingExtension,
}

impl Default for WooSimSettings {
    fn default() -> WooSimSettings {
        WooSimSettings {
            consumer_key: "ck_sim_0123456789abcdef".into(),
            consumer_secret: "cs_sim_fedcba9876543210".into(),
            utc_offset_secs: 3600,
            throttle_status: 429,
            retry_after_secs: 2,
            site_url: "https://sklep.example.pl".into(),
            skus: Catalog::demo().items.into_iter().map(|i| i.sku).collect(),
            tracking_extension: TrackingExtension::Installed,
        }
    }
}

#[derive(Clone)]
struct Sim {
    shop: SimShop,
    settings: Arc<WooSimSettings>,
    /// Counts HTML-page faults, to alternate the captcha and the PHP warning.
    html_pages: Arc<AtomicU64>,
    /// Order notes by order id, oldest first.
    notes: Arc<Mutex<HashMap<u64, Vec<notes::Note>>>>,
    /// The last note id given.
    note_ids: Arc<AtomicU64>,
    /// Every order's meta data (the Shipment Tracking extension's items among them).
    meta: Arc<Mutex<meta::OrderMeta>>,
    /// Requests to the Shipment Tracking paths, by kind.
    tracking_calls: Arc<TrackingCalls>,
    /// Tracking items made so far (part of each new item's id).
    tracking_ids: Arc<AtomicU64>,
    /// Faults of the extension's create route alone (`POST /_sim/tracking_faults`).
    tracking_faults: Arc<Faults>,
}

/// The simulator's routes over `shop`.
pub fn router(shop: SimShop, settings: WooSimSettings) -> Router {
    let sim = Sim {
        shop,
        settings: Arc::new(settings),
        html_pages: Arc::new(AtomicU64::new(0)),
        notes: Arc::new(Mutex::new(HashMap::new())),
        note_ids: Arc::new(AtomicU64::new(9_000)),
        meta: Arc::new(Mutex::new(meta::OrderMeta::default())),
        tracking_calls: Arc::new(TrackingCalls::default()),
        tracking_ids: Arc::new(AtomicU64::new(0)),
        tracking_faults: Arc::new(Faults::default()),
    };
    const TRACKINGS: &str =
        "/wp-json/wc-shipment-tracking/{version}/orders/{id}/shipment-trackings";
    Router::new()
        .route("/wp-json/wc/v3/orders", get(orders::list_orders))
        .route(
            "/wp-json/wc/v3/orders/{id}",
            get(orders::one_order)
                .put(orders::update_order)
                .post(orders::update_order),
        )
        .route(
            "/wp-json/wc/v3/orders/{id}/notes",
            get(notes::list_notes).post(notes::create_note),
        )
        .route("/wp-json/wc/v3/products", get(products::list_products))
        .route(
            "/wp-json/wc/v3/products/batch",
            post(products::batch)
                .put(products::batch)
                .patch(products::batch),
        )
        .route(TRACKINGS, get(tracking::list).post(tracking::create))
        .route(
            &format!("{TRACKINGS}/{{tracking_id}}"),
            get(tracking::get_one).delete(tracking::delete_one),
        )
        .route(
            "/wp-json/wc-shipment-tracking/{version}/shipment-trackings/providers",
            get(tracking::providers),
        )
        .route("/_sim/faults", post(set_faults).get(get_faults))
        .route("/_sim/stats", get(stats))
        .route("/_sim/orders", post(upsert_order))
        .route("/_sim/trackings", get(trackings))
        .route("/_sim/tracking_faults", post(set_tracking_faults))
        .fallback(|| async { no_route() })
        .with_state(sim)
}

/// Fills `shop` with `count` WooCommerce orders from the demo feed (seeded, so the same seed
/// gives the same shop), the first at `start`, about `mean_gap_secs` apart. Feed versions that
/// edit or cancel an earlier order replace it, so some orders are cancelled or edited; orders
/// for other channels are re-labelled as WooCommerce ones, pickups skipped. Returns the external
/// ids, oldest change first.
pub fn seed_orders(
    shop: &SimShop,
    seed: u64,
    count: usize,
    start: DateTime<Utc>,
    mean_gap_secs: f64,
) -> Vec<String> {
    let mut feed = Feed::new(seed, Catalog::demo());
    let mut rng = Rng::new(seed ^ 0x57_00);
    let mut ids: HashMap<(String, String), String> = HashMap::new();
    let mut next_id = 20_000 + shop.book.len() as u64 * 3;
    // WooCommerce keeps whole seconds.
    let mut now = secs(start);
    let mut made = 0usize;
    let mut guard = 0usize;
    while made < count && guard < count * 20 + 100 {
        guard += 1;
        let mut order = feed.next(now);
        now += Duration::seconds(rng.exp(mean_gap_secs).round() as i64 + 1);
        if order.pickup_location.is_some() || order.ship_to.is_none() {
            continue;
        }
        let key = (order.channel.clone(), order.external_id.clone());
        let id = match ids.get(&key) {
            Some(id) => id.clone(),
            None => {
                if ids.len() >= count {
                    continue;
                }
                next_id += rng.range(1, 3);
                let id = next_id.to_string();
                ids.insert(key, id.clone());
                made += 1;
                id
            }
        };
        order
            .tags
            .retain(|t| !matches!(t.as_str(), "shopify" | "amazon" | "pos"));
        if order.financial_status == FinancialStatus::Authorized {
            order.financial_status = FinancialStatus::Paid;
        }
        order.channel = "woocommerce".into();
        order.number = id.clone();
        order.external_id = id;
        order.currency = "USD".into();
        shop.book.upsert(order);
    }
    shop.book
        .changed_between(None, None)
        .into_iter()
        .map(|o| o.order.external_id)
        .collect()
}

type Params = Vec<(String, String)>;

fn param<'a>(params: &'a Params, name: &str) -> Option<&'a str> {
    params
        .iter()
        .rev()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

fn woo_error(status: StatusCode, code: &str, message: &str, extra: Value) -> Response {
    let mut data = json!({ "status": status.as_u16() });
    if let (Some(d), Value::Object(extra)) = (data.as_object_mut(), extra) {
        d.extend(extra);
    }
    (
        status,
        Json(json!({ "code": code, "message": message, "data": data })),
    )
        .into_response()
}

/// WordPress's answer to a route nobody registered (a plugin that is not installed).
fn no_route() -> Response {
    woo_error(
        StatusCode::NOT_FOUND,
        "rest_no_route",
        "No route was found matching the URL and request method.",
        Value::Null,
    )
}

fn invalid_param(name: &str, why: &str) -> Response {
    woo_error(
        StatusCode::BAD_REQUEST,
        "rest_invalid_param",
        &format!("Invalid parameter(s): {name}"),
        json!({ "params": { name: why } }),
    )
}

/// The spoiled answer of a fault, or None to answer normally (a truncation is applied later).
fn fault_response(sim: &Sim, fault: Fault) -> Option<Response> {
    let html = |status: StatusCode, body: String| -> Response {
        let mut r = (status, body).into_response();
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=UTF-8"),
        );
        r
    };
    match fault {
        Fault::RateLimited => {
            let status = StatusCode::from_u16(sim.settings.throttle_status)
                .unwrap_or(StatusCode::TOO_MANY_REQUESTS);
            let mut r = html(
                status,
                "<html><head><title>429 Too Many Requests</title></head><body><h1>Too Many \
                 Requests</h1><p>You have exceeded the request limit. Please slow down.</p>\
                 </body></html>"
                    .into(),
            );
            r.headers_mut().insert(
                header::RETRY_AFTER,
                HeaderValue::from(sim.settings.retry_after_secs),
            );
            Some(r)
        }
        Fault::ServerError => Some(html(
            StatusCode::INTERNAL_SERVER_ERROR,
            "<!DOCTYPE html><html lang=\"en-US\"><head><title>WordPress &rsaquo; Error</title>\
             </head><body id=\"error-page\"><div class=\"wp-die-message\"><p>There has been a \
             critical error on this website.</p></div></body></html>"
                .into(),
        )),
        Fault::HtmlPage => {
            let n = sim.html_pages.fetch_add(1, Ordering::SeqCst);
            if n.is_multiple_of(2) {
                Some(html(
                    StatusCode::ACCEPTED,
                    "<html><head><meta http-equiv=\"refresh\" content=\"0;/.well-known/\
                     sgcaptcha/?r=%2Fwp-json%2Fwc%2Fv3%2Forders\"></head><body></body></html>"
                        .into(),
                ))
            } else {
                let mut r = (
                    StatusCode::OK,
                    "<br />\n<b>Warning</b>:  Undefined array key \"pa_kolor\" in \
                     <b>/home/sklep/public_html/wp-content/plugins/variation-swatches/inc/\
                     class-swatches.php</b> on line <b>212</b><br />\n[]"
                        .to_string(),
                )
                    .into_response();
                r.headers_mut().insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json; charset=UTF-8"),
                );
                Some(r)
            }
        }
        Fault::Truncated => None,
    }
}

/// The consumer key and secret the request carries (Basic auth, else query parameters).
fn authorized(sim: &Sim, headers: &HeaderMap, params: &Params) -> bool {
    let s = &sim.settings;
    let from_header = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| STANDARD.decode(b.trim()).ok())
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|pair| {
            pair.split_once(':')
                .map(|(k, v)| (k.to_string(), v.to_string()))
        });
    let (key, secret) = match from_header {
        Some(pair) => pair,
        None => match (
            param(params, "consumer_key"),
            param(params, "consumer_secret"),
        ) {
            (Some(k), Some(v)) => (k.to_string(), v.to_string()),
            _ => return false,
        },
    };
    key == s.consumer_key && secret == s.consumer_secret
}

fn unauthorized() -> Response {
    refused(
        "woocommerce_rest_cannot_view",
        "Sorry, you cannot list resources.",
    )
}

/// WooCommerce's 401 for a request without valid credentials, with the route's code.
fn refused(code: &str, message: &str) -> Response {
    woo_error(StatusCode::UNAUTHORIZED, code, message, Value::Null)
}

/// Takes this request's fault: `Err` is the spoiled answer to send, `Ok(true)` asks for the
/// JSON to be cut in half.
async fn take_fault(sim: &Sim) -> Result<bool, Response> {
    match sim.shop.faults.next().await {
        Some(Fault::Truncated) => Ok(true),
        Some(f) => fault_response(sim, f).map_or(Ok(false), Err),
        None => Ok(false),
    }
}

/// A list route's `per_page` (1..=100, default 10) and `page` (from 1, default 1), or
/// WordPress's 400 naming the bad one.
// The error is the HTTP answer itself, handed straight back to axum: boxing it buys nothing.
#[allow(clippy::result_large_err)]
fn paging(params: &Params) -> Result<(usize, usize), Response> {
    let per_page = match param(params, "per_page").map(|v| v.trim().parse::<i64>()) {
        None => 10,
        Some(Ok(n)) if (1..=100).contains(&n) => n as usize,
        Some(_) => {
            return Err(invalid_param(
                "per_page",
                "per_page must be between 1 (inclusive) and 100 (inclusive)",
            ))
        }
    };
    let page = match param(params, "page").map(|v| v.trim().parse::<i64>()) {
        None => 1,
        Some(Ok(n)) if n >= 1 => n as usize,
        Some(_) => {
            return Err(invalid_param(
                "page",
                "page must be greater than or equal to 1",
            ))
        }
    };
    Ok((per_page, page))
}

/// WordPress's answer to a body that is not the JSON a route takes.
fn invalid_json() -> Response {
    woo_error(
        StatusCode::BAD_REQUEST,
        "rest_invalid_json",
        "Invalid JSON body passed.",
        Value::Null,
    )
}

/// What a read route does first: this request's fault, then the credentials (WooCommerce's
/// 401 for a list). `Ok(truncated)`, or the answer to send.
async fn read_request(sim: &Sim, headers: &HeaderMap, params: &Params) -> Result<bool, Response> {
    let truncated = take_fault(sim).await?;
    if !authorized(sim, headers, params) {
        return Err(unauthorized());
    }
    Ok(truncated)
}

/// What every write route does first, in WordPress's order: this request's fault, the
/// credentials (refused with the route's `(code, message)`), then the JSON body.
/// `Ok((truncated, body))`, or the answer to send.
async fn write_request<T: serde::de::DeserializeOwned>(
    sim: &Sim,
    headers: &HeaderMap,
    params: &Params,
    body: &[u8],
    refusal: (&str, &str),
) -> Result<(bool, T), Response> {
    let truncated = take_fault(sim).await?;
    if !authorized(sim, headers, params) {
        return Err(refused(refusal.0, refusal.1));
    }
    let parsed = serde_json::from_slice::<T>(body).map_err(|_| invalid_json())?;
    Ok((truncated, parsed))
}

/// A JSON answer as WordPress sends it, cut in half when `truncated`.
fn json_answer(status: StatusCode, value: &Value, truncated: bool) -> Response {
    let mut text = serde_json::to_string(value).expect("JSON values serialize");
    if truncated {
        text = super::channel::truncate(&text);
    }
    let mut r = (status, text).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=UTF-8"),
    );
    r
}

async fn set_faults(State(sim): State<Sim>, Json(plan): Json<FaultPlan>) -> Json<FaultPlan> {
    sim.shop.faults.set(plan);
    Json(sim.shop.faults.plan())
}

async fn get_faults(State(sim): State<Sim>) -> Json<FaultPlan> {
    Json(sim.shop.faults.plan())
}

async fn stats(State(sim): State<Sim>) -> Json<Value> {
    Json(json!({
        "requests": sim.shop.faults.requests.load(Ordering::Relaxed),
        "orders": sim.shop.book.len(),
        "faults": sim.shop.faults.plan(),
        "stock": sim.shop.stock.stats(),
        "tracking_calls": sim.tracking_calls.total(),
    }))
}

async fn set_tracking_faults(
    State(sim): State<Sim>,
    Json(plan): Json<FaultPlan>,
) -> Json<FaultPlan> {
    sim.tracking_faults.set(plan);
    Json(sim.tracking_faults.plan())
}

async fn trackings(State(sim): State<Sim>) -> Json<Value> {
    let versions = match sim.settings.tracking_extension {
        TrackingExtension::Installed => json!(["v1", "v2", "v3"]),
        TrackingExtension::LegacyV2 => json!(["v1", "v2"]),
        TrackingExtension::Missing => json!([]),
    };
    Json(json!({
        "versions": versions,
        "calls": sim.tracking_calls.report(),
        "orders": tracking::all_formatted(&sim),
    }))
}

/// A new order is a sale from the shop's stock (refused with 409 when the shop shows too
/// little, and then not added); a new version of a known order (an edit, a cancellation)
/// replaces it without selling again.
async fn upsert_order(State(sim): State<Sim>, Json(order): Json<ChannelOrder>) -> Response {
    let external_id = order.external_id.clone();
    let known = sim
        .shop
        .book
        .lock()
        .iter()
        .any(|o| o.order.external_id == external_id);
    if !known && !order.cancelled {
        let lines: Vec<(String, u32)> = order
            .lines
            .iter()
            .map(|l| (l.sku.clone(), l.quantity))
            .collect();
        if !sim.shop.stock.try_sell(&lines) {
            return woo_error(
                StatusCode::CONFLICT,
                "woocommerce_rest_out_of_stock",
                "Sorry, we do not have enough stock to fill your order.",
                json!({ "external_id": external_id }),
            );
        }
    }
    let shop_id = sim.shop.book.upsert(order);
    Json(json!({ "shop_id": shop_id, "external_id": external_id })).into_response()
}
