//! The Amazon simulator: Login with Amazon's token endpoint, the Orders API v2026-01-01
//! `searchOrders`, the Listings Items API's `patchListingsItem` (stock) and Orders API v0
//! `confirmShipment` (fulfillment), over a [`SimShop`]'s book and stock, behaving as the spec's
//! test-server checklist says (§6): 403 `{"errors":[...]}` for a missing, revoked or expired
//! access token; `InvalidInput` for a bad window (`lastUpdatedAfter` xor `createdAfter`,
//! `*Before` within 2 minutes of now, `maxResultsPerPage` outside 1-100) and for a pagination
//! token that does not decode, does not match the request's filters, or has expired; a token
//! bucket per operation answering 429 `QuotaExceeded` with `x-amzn-RateLimit-Limit`; and the
//! faults the tests arm.
//!
//! - `orders`: `searchOrders`. Pagination tokens are opaque base64 that always hold `+`, `/`
//!   and `=`, so a client that does not percent-encode them exactly once is refused ("We could
//!   not decode your NextToken"). Paging is by key (last change time, shop id) within a window
//!   fixed by the first page, so an order changed while a client pages is neither skipped nor
//!   repeated in that window.
//! - `render`: book orders in Amazon's JSON.
//! - `listings`: `PATCH /listings/2021-08-01/items/{sellerId}/{sku}`: every SKU of the demo
//!   catalog, of [`AmazonSimSettings::extra_listings`] and of the book's orders has a listing;
//!   a merge of `fulfillment_availability` sets the shop's stock level.
//! - `shipments`: `POST /orders/v0/orders/{orderId}/shipmentConfirmation`: recorded, the order
//!   becomes Shipped (a poll sees it), and a second confirmation is refused as Amazon does.
//! - `lwa`: the token endpoint.
//!
//! Test endpoints: `POST /_sim/faults` (a [`FaultPlan`]), `GET /_sim/stats`
//! ([`AmazonSimStats`]), `POST /_sim/orders` (one ordo [`ChannelOrder`] or a list: added, or
//! replacing the order of the same external id; an order whose external id is an Amazon
//! 3-7-7 id keeps it as its `orderId`). A new order is a sale: it takes its units from the
//! shop's stock, and is refused (409, not added) when the shop shows too few; an edit or a
//! cancellation of a known order sells nothing.

mod listings;
mod lwa;
mod orders;
mod render;
mod shipments;

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::channel::{Fault, FaultPlan, SimShop, SimStockStats};
use super::{Catalog, Feed};
use crate::model::{ChannelOrder, FinancialStatus};

pub use render::{amazon_order_id, order_item_id};

/// The simulator's account and limits.
#[derive(Debug, Clone)]
pub struct AmazonSimSettings {
    pub client_id: String,
    pub client_secret: String,
    pub refresh_token: String,
    /// How long an access token lives (Amazon: an hour).
    pub access_token_ttl: Duration,
    /// How long a pagination token is taken (Amazon: 24 hours).
    pub pagination_token_ttl: Duration,
    /// The token bucket of `searchOrders`: refill per second (Amazon: 0.0056, too slow for
    /// tests) and size (Amazon: 20). Sent as `x-amzn-RateLimit-Limit`.
    pub rate: f64,
    pub burst: u32,
    /// The marketplace every order of the book is in.
    pub marketplace_id: String,
    /// SKUs whose items are rendered without `sellerSku` (only the ASIN), as listings created
    /// outside the seller's catalog are (edge case 14).
    pub asin_only_skus: Vec<String>,
    /// The merchant token listings requests must name (`{sellerId}` in the path).
    pub seller_id: String,
    /// SKUs that have a listing besides those of the demo catalog and of the book's orders.
    pub extra_listings: Vec<String>,
    /// The token bucket of `patchListingsItem` (Amazon: 5 a second, burst 5).
    pub listings_rate: f64,
    pub listings_burst: u32,
    /// The token bucket of `confirmShipment` (Amazon: 2 a second, burst 10).
    pub shipments_rate: f64,
    pub shipments_burst: u32,
}

impl Default for AmazonSimSettings {
    fn default() -> AmazonSimSettings {
        AmazonSimSettings {
            client_id: "amzn1.application-oa2-client.sim0001".into(),
            client_secret: "amzn1.oa2-cs.v1.sim-client-secret".into(),
            refresh_token: "Atzr|IwEBIsim-refresh-token".into(),
            access_token_ttl: Duration::from_secs(3600),
            pagination_token_ttl: Duration::from_secs(24 * 3600),
            rate: 2.0,
            burst: 20,
            marketplace_id: "ATVPDKIKX0DER".into(),
            asin_only_skus: Vec::new(),
            seller_id: "A1SIMSELLER".into(),
            extra_listings: Vec::new(),
            listings_rate: 5.0,
            listings_burst: 5,
            shipments_rate: 2.0,
            shipments_burst: 10,
        }
    }
}

/// `GET /_sim/stats`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AmazonSimStats {
    /// API requests answered (`searchOrders`, listings patches, shipment confirmations),
    /// faults included.
    pub requests: u64,
    /// Token endpoint requests, and how many gave an access token.
    pub token_requests: u64,
    pub token_exchanges: u64,
    /// 403s for a missing, unknown or expired access token.
    pub auth_refusals: u64,
    /// 429s from the token buckets of every operation (not from armed faults).
    pub throttled: u64,
    pub orders: u64,
    /// Listings patches answered ACCEPTED or VALID, and INVALID.
    #[serde(default)]
    pub listings_accepted: u64,
    #[serde(default)]
    pub listings_invalid: u64,
    /// Shipment confirmations taken (204).
    #[serde(default)]
    pub shipments_confirmed: u64,
    /// The shop's stock side: sales, refused sales, pushes and their latency, fulfillments.
    #[serde(default)]
    pub stock: SimStockStats,
}

/// A token bucket: `rate` tokens a second, at most `burst`.
struct Bucket {
    rate: f64,
    burst: u32,
    state: Mutex<(f64, Instant)>,
}

impl Bucket {
    fn new(rate: f64, burst: u32) -> Bucket {
        Bucket {
            rate,
            burst,
            state: Mutex::new((f64::from(burst), Instant::now())),
        }
    }

    /// Takes one token when there is one.
    fn take(&self) -> bool {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let (tokens, last) = &mut *state;
        let now = Instant::now();
        let refill = now.duration_since(*last).as_secs_f64() * self.rate;
        *tokens = (*tokens + refill).min(f64::from(self.burst));
        *last = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

struct Sim {
    shop: SimShop,
    settings: AmazonSimSettings,
    /// SKUs of the demo catalog and [`AmazonSimSettings::extra_listings`].
    listings: HashSet<String>,
    access_tokens: Mutex<HashMap<String, Instant>>,
    orders_bucket: Bucket,
    listings_bucket: Bucket,
    shipments_bucket: Bucket,
    /// Held while a confirmation is checked and recorded, so two at once cannot both pass.
    shipping: Mutex<()>,
    token_requests: AtomicU64,
    token_exchanges: AtomicU64,
    auth_refusals: AtomicU64,
    throttled: AtomicU64,
    listings_accepted: AtomicU64,
    listings_invalid: AtomicU64,
    shipments_confirmed: AtomicU64,
    seq: AtomicU64,
}

impl Sim {
    /// Whether the seller has a listing of `sku`.
    fn listed(&self, sku: &str) -> bool {
        self.listings.contains(sku)
            || self
                .shop
                .book
                .lock()
                .iter()
                .any(|o| o.order.lines.iter().any(|l| l.sku == sku))
    }

    /// The next number of a sequence shared by tokens and submission ids.
    fn next_seq(&self) -> u64 {
        self.seq.fetch_add(1, Ordering::Relaxed)
    }
}

/// The simulator's routes over `shop`.
pub fn router(shop: SimShop, settings: AmazonSimSettings) -> Router {
    let listings = Catalog::demo()
        .items
        .into_iter()
        .map(|i| i.sku)
        .chain(settings.extra_listings.iter().cloned())
        .collect();
    let sim = Arc::new(Sim {
        orders_bucket: Bucket::new(settings.rate, settings.burst),
        listings_bucket: Bucket::new(settings.listings_rate, settings.listings_burst),
        shipments_bucket: Bucket::new(settings.shipments_rate, settings.shipments_burst),
        shop,
        settings,
        listings,
        access_tokens: Mutex::new(HashMap::new()),
        shipping: Mutex::new(()),
        token_requests: AtomicU64::new(0),
        token_exchanges: AtomicU64::new(0),
        auth_refusals: AtomicU64::new(0),
        throttled: AtomicU64::new(0),
        listings_accepted: AtomicU64::new(0),
        listings_invalid: AtomicU64::new(0),
        shipments_confirmed: AtomicU64::new(0),
        seq: AtomicU64::new(1),
    });
    Router::new()
        .route("/auth/o2/token", post(lwa::lwa_token))
        .route("/orders/2026-01-01/orders", get(orders::search_orders))
        .route(
            "/listings/2021-08-01/items/{seller_id}/{sku}",
            patch(listings::patch_listing),
        )
        .route(
            "/orders/v0/orders/{order_id}/shipmentConfirmation",
            post(shipments::confirm_shipment),
        )
        .route("/_sim/faults", post(set_faults))
        .route("/_sim/stats", get(stats))
        .route("/_sim/orders", post(put_orders))
        .with_state(sim)
}

/// Fills the book with `count` new Amazon orders from the demo feed (seeded: the same seed
/// gives the same orders), the first at `start`, one feed step every `step`; some of them
/// edited or cancelled later, about one in twelve still Pending (no address, no prices).
/// Returns the time of the last change.
pub fn seed_orders(
    shop: &SimShop,
    seed: u64,
    count: usize,
    start: DateTime<Utc>,
    step: chrono::Duration,
) -> DateTime<Utc> {
    let mut feed = Feed::new(seed, Catalog::demo());
    let target = shop.book.len() + count;
    let mut now = start;
    let mut last = start;
    let mut guard = count * 50 + 100;
    while shop.book.len() < target && guard > 0 {
        guard -= 1;
        let mut order = feed.next(now);
        now += step;
        if order.channel != "amazon" {
            continue;
        }
        let known = shop
            .book
            .lock()
            .iter()
            .any(|o| o.order.external_id == order.external_id);
        if !known && fnv(order.external_id.as_bytes()).is_multiple_of(12) {
            order.financial_status = FinancialStatus::Pending;
        }
        last = order.updated_at;
        shop.book.upsert(order);
    }
    last
}

// ---------------------------------------------------------------------------------------
// Answers

fn errors(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        Json(json!({"errors": [{"code": code, "message": message, "details": ""}]})),
    )
        .into_response()
}

fn invalid(message: &str) -> Response {
    errors(StatusCode::BAD_REQUEST, "InvalidInput", message)
}

fn with_rate(mut r: Response, rate: f64) -> Response {
    if let Ok(v) = HeaderValue::from_str(&format!("{rate}")) {
        r.headers_mut().insert("x-amzn-RateLimit-Limit", v);
    }
    r
}

/// 403 for a missing, unknown or expired access token.
fn unauthorized(sim: &Sim) -> Response {
    sim.auth_refusals.fetch_add(1, Ordering::Relaxed);
    (
        StatusCode::FORBIDDEN,
        Json(json!({"errors": [{
            "code": "Unauthorized",
            "message": "Access to requested resource is denied.",
            "details": "The access token you provided is revoked, malformed or invalid."
        }]})),
    )
        .into_response()
}

/// The answer an armed fault gives before anything else is looked at (a truncated body is
/// cut later, by the handler that has the body).
fn fault_answer(sim: &Sim, fault: Option<Fault>, rate: f64) -> Option<Response> {
    match fault? {
        Fault::RateLimited => Some(quota_exceeded(rate)),
        Fault::ServerError => {
            let status = if sim
                .shop
                .faults
                .requests
                .load(Ordering::Relaxed)
                .is_multiple_of(2)
            {
                StatusCode::SERVICE_UNAVAILABLE
            } else {
                StatusCode::INTERNAL_SERVER_ERROR
            };
            Some(errors(
                status,
                "InternalFailure",
                "We encountered an internal error. Please try again.",
            ))
        }
        Fault::HtmlPage => Some(
            (
                StatusCode::OK,
                [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                "<!DOCTYPE html><html><head><title>Service Unavailable</title></head>\
                 <body><h1>Sorry! Something went wrong on our end.</h1></body></html>",
            )
                .into_response(),
        ),
        Fault::Truncated => None,
    }
}

/// A 200 JSON answer, cut in the middle when the fault says so.
fn json_answer(body: String, fault: Option<Fault>, rate: f64) -> Response {
    let body = if fault == Some(Fault::Truncated) {
        super::channel::truncate(&body)
    } else {
        body
    };
    with_rate(
        (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json")],
            body,
        )
            .into_response(),
        rate,
    )
}

fn quota_exceeded(rate: f64) -> Response {
    with_rate(
        errors(
            StatusCode::TOO_MANY_REQUESTS,
            "QuotaExceeded",
            "You exceeded your quota for the requested resource.",
        ),
        rate,
    )
}

/// A form or query string's pairs, `+` read as a space (so an unencoded `+` is lost).
fn pairs(text: &str) -> Vec<(String, String)> {
    let decode = |s: &str| {
        percent_encoding::percent_decode_str(&s.replace('+', " "))
            .decode_utf8_lossy()
            .into_owned()
    };
    text.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (decode(k), decode(v)),
            None => (decode(p), String::new()),
        })
        .collect()
}

fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

// ---------------------------------------------------------------------------------------
// Test endpoints

async fn set_faults(State(sim): State<Arc<Sim>>, Json(plan): Json<FaultPlan>) -> Response {
    sim.shop.faults.set(plan);
    Json(sim.shop.faults.plan()).into_response()
}

async fn stats(State(sim): State<Arc<Sim>>) -> Json<AmazonSimStats> {
    Json(AmazonSimStats {
        requests: sim.shop.faults.requests.load(Ordering::Relaxed),
        token_requests: sim.token_requests.load(Ordering::Relaxed),
        token_exchanges: sim.token_exchanges.load(Ordering::Relaxed),
        auth_refusals: sim.auth_refusals.load(Ordering::Relaxed),
        throttled: sim.throttled.load(Ordering::Relaxed),
        orders: sim.shop.book.len() as u64,
        listings_accepted: sim.listings_accepted.load(Ordering::Relaxed),
        listings_invalid: sim.listings_invalid.load(Ordering::Relaxed),
        shipments_confirmed: sim.shipments_confirmed.load(Ordering::Relaxed),
        stock: sim.shop.stock.stats(),
    })
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(Box<ChannelOrder>),
    Many(Vec<ChannelOrder>),
}

async fn put_orders(State(sim): State<Arc<Sim>>, Json(orders): Json<OneOrMany>) -> Response {
    let orders = match orders {
        OneOrMany::One(o) => vec![*o],
        OneOrMany::Many(list) => list,
    };
    let mut ids: Vec<u64> = Vec::new();
    let mut refused: Vec<String> = Vec::new();
    for order in orders {
        let known = sim
            .shop
            .book
            .lock()
            .iter()
            .any(|o| o.order.external_id == order.external_id);
        if !known && !order.cancelled {
            let lines: Vec<(String, u32)> = order
                .lines
                .iter()
                .map(|l| (l.sku.clone(), l.quantity))
                .collect();
            if !sim.shop.stock.try_sell(&lines) {
                refused.push(order.external_id);
                continue;
            }
        }
        ids.push(sim.shop.book.upsert(order));
    }
    if refused.is_empty() {
        return Json(json!({"shop_ids": ids})).into_response();
    }
    (
        StatusCode::CONFLICT,
        Json(json!({
            "errors": [{"code": "OutOfStock", "details": "",
                "message": format!("not enough stock for order(s) {}", refused.join(", "))}],
            "shop_ids": ids,
            "refused": refused,
        })),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::orders::status_of;
    use super::render::render;
    use super::*;

    #[test]
    fn seeded_orders_are_amazon_orders_with_some_pending() {
        let shop = SimShop::new(1);
        let start = DateTime::from_timestamp(1_767_000_000, 0).unwrap();
        seed_orders(&shop, 7, 120, start, chrono::Duration::seconds(60));
        assert_eq!(shop.book.len(), 120);
        let book = shop.book.lock();
        assert!(book.iter().all(|o| o.order.channel == "amazon"));
        assert!(book
            .iter()
            .any(|o| o.order.financial_status == FinancialStatus::Pending));
        let s = AmazonSimSettings::default();
        let all: Vec<String> = ["BUYER", "RECIPIENT", "PROCEEDS", "FULFILLMENT"]
            .map(String::from)
            .to_vec();
        for o in book.iter() {
            let v = render(o, &s, &all);
            assert_eq!(v["orderId"].as_str().unwrap(), amazon_order_id(o));
            assert_eq!(
                v.get("recipient").is_some(),
                status_of(&o.order) != "PENDING" && !o.order.cancelled
            );
        }
    }
}
