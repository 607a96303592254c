//! The Amazon simulator: Login with Amazon's token endpoint and the Orders API v2026-01-01
//! `searchOrders`, over a [`SimShop`]'s book, behaving as the spec's test-server checklist says
//! (§6): 403 `{"errors":[...]}` for a missing, revoked or expired access token; `InvalidInput`
//! for a bad window (`lastUpdatedAfter` xor `createdAfter`, `*Before` within 2 minutes of now,
//! `maxResultsPerPage` outside 1-100) and for a pagination token that does not decode, does
//! not match the request's filters, or has expired; a token bucket answering 429
//! `QuotaExceeded` with `x-amzn-RateLimit-Limit`; and the faults the tests arm.
//!
//! Pagination tokens are opaque base64 that always hold `+`, `/` and `=`, so a client that
//! does not percent-encode them exactly once is refused ("We could not decode your NextToken").
//! Paging is by key (last change time, shop id) within a window fixed by the first page, so an
//! order changed while a client pages is neither skipped nor repeated in that window.
//!
//! Test endpoints: `POST /_sim/faults` (a [`FaultPlan`]), `GET /_sim/stats`
//! ([`AmazonSimStats`]), `POST /_sim/orders` (one ordo [`ChannelOrder`] or a list: added, or
//! replacing the order of the same external id; an order whose external id is an Amazon
//! 3-7-7 id keeps it as its `orderId`).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine as _;
use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::channel::{truncate, Fault, FaultPlan, SimOrder, SimShop};
use super::{Catalog, Feed};
use crate::model::{ChannelOrder, FinancialStatus, Money};

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
        }
    }
}

/// `GET /_sim/stats`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AmazonSimStats {
    /// `searchOrders` requests answered, faults included.
    pub requests: u64,
    /// Token endpoint requests, and how many gave an access token.
    pub token_requests: u64,
    pub token_exchanges: u64,
    /// 403s for a missing, unknown or expired access token.
    pub auth_refusals: u64,
    /// 429s from the token bucket (not from armed faults).
    pub throttled: u64,
    pub orders: u64,
}

struct Bucket {
    tokens: f64,
    last: Instant,
}

struct Sim {
    shop: SimShop,
    settings: AmazonSimSettings,
    access_tokens: Mutex<HashMap<String, Instant>>,
    bucket: Mutex<Bucket>,
    token_requests: AtomicU64,
    token_exchanges: AtomicU64,
    auth_refusals: AtomicU64,
    throttled: AtomicU64,
    seq: AtomicU64,
}

/// The simulator's routes over `shop`.
pub fn router(shop: SimShop, settings: AmazonSimSettings) -> Router {
    let sim = Arc::new(Sim {
        bucket: Mutex::new(Bucket {
            tokens: f64::from(settings.burst),
            last: Instant::now(),
        }),
        shop,
        settings,
        access_tokens: Mutex::new(HashMap::new()),
        token_requests: AtomicU64::new(0),
        token_exchanges: AtomicU64::new(0),
        auth_refusals: AtomicU64::new(0),
        throttled: AtomicU64::new(0),
        seq: AtomicU64::new(1),
    });
    Router::new()
        .route("/auth/o2/token", post(lwa_token))
        .route("/orders/2026-01-01/orders", get(search_orders))
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
// Login with Amazon

async fn lwa_token(State(sim): State<Arc<Sim>>, body: Bytes) -> Response {
    sim.token_requests.fetch_add(1, Ordering::Relaxed);
    let form: HashMap<String, String> =
        pairs(&String::from_utf8_lossy(&body)).into_iter().collect();
    let field = |k: &str| form.get(k).map(String::as_str).unwrap_or("");
    let lwa_error = |status: StatusCode, code: &str, text: &str| {
        (
            status,
            Json(json!({"error": code, "error_description": text})),
        )
            .into_response()
    };
    if field("grant_type") != "refresh_token" {
        return lwa_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "The authorization grant type is not supported by the authorization server",
        );
    }
    let s = &sim.settings;
    if field("client_id") != s.client_id || field("client_secret") != s.client_secret {
        return lwa_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "Client authentication failed",
        );
    }
    if field("refresh_token") != s.refresh_token {
        return lwa_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "The request has an invalid grant parameter : refresh_token",
        );
    }
    let n = sim.seq.fetch_add(1, Ordering::Relaxed);
    let token = format!(
        "Atza|IwEB{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(format!("sim-{n}-{}", fnv(&n.to_be_bytes())))
    );
    sim.access_tokens
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(token.clone(), Instant::now() + s.access_token_ttl);
    sim.token_exchanges.fetch_add(1, Ordering::Relaxed);
    Json(json!({
        "access_token": token,
        "refresh_token": s.refresh_token,
        "token_type": "bearer",
        "expires_in": s.access_token_ttl.as_secs_f64().ceil() as u64,
    }))
    .into_response()
}

fn authorized(sim: &Sim, headers: &HeaderMap) -> bool {
    let Some(token) = headers
        .get("x-amz-access-token")
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let tokens = sim.access_tokens.lock().unwrap_or_else(|p| p.into_inner());
    tokens
        .get(token)
        .is_some_and(|until| Instant::now() < *until)
}

fn take_from_bucket(sim: &Sim) -> bool {
    let mut b = sim.bucket.lock().unwrap_or_else(|p| p.into_inner());
    let now = Instant::now();
    let refill = now.duration_since(b.last).as_secs_f64() * sim.settings.rate;
    b.tokens = (b.tokens + refill).min(f64::from(sim.settings.burst));
    b.last = now;
    if b.tokens >= 1.0 {
        b.tokens -= 1.0;
        true
    } else {
        false
    }
}

// ---------------------------------------------------------------------------------------
// searchOrders

/// Where a page starts: the window and the last key of the page before.
struct Token {
    filters: u64,
    until: DateTime<Utc>,
    last: Option<(i64, u64)>,
    issued: DateTime<Utc>,
}

/// `+/+/` in front (bytes FB FF BF) and a length that leaves `==` at the end: every token
/// holds the three characters that break careless clients.
const TOKEN_MAGIC: [u8; 3] = [0xFB, 0xFF, 0xBF];

fn encode_token(t: &Token) -> String {
    let (key, id) = t.last.unwrap_or((i64::MIN, 0));
    let mut bytes = TOKEN_MAGIC.to_vec();
    bytes.extend_from_slice(
        format!(
            "v1|{:x}|{}|{key}|{id}|{}|",
            t.filters,
            nanos(t.until),
            t.issued.timestamp()
        )
        .as_bytes(),
    );
    while bytes.len() % 3 != 1 {
        bytes.push(b'|');
    }
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn decode_token(text: &str) -> Option<Token> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text)
        .ok()?;
    let rest = bytes.strip_prefix(&TOKEN_MAGIC)?;
    let text = std::str::from_utf8(rest).ok()?.trim_end_matches('|');
    let f: Vec<&str> = text.split('|').collect();
    if f.len() != 6 || f[0] != "v1" {
        return None;
    }
    let key: i64 = f[3].parse().ok()?;
    Some(Token {
        filters: u64::from_str_radix(f[1], 16).ok()?,
        until: DateTime::from_timestamp_nanos(f[2].parse().ok()?),
        last: (key != i64::MIN).then_some((key, f[4].parse().ok()?)),
        issued: DateTime::from_timestamp(f[5].parse().ok()?, 0)?,
    })
}

fn nanos(t: DateTime<Utc>) -> i64 {
    t.timestamp_nanos_opt().unwrap_or(i64::MAX)
}

/// The status a book order shows.
fn status_of(o: &ChannelOrder) -> &'static str {
    if o.cancelled {
        "CANCELLED"
    } else if o.financial_status == FinancialStatus::Pending {
        "PENDING"
    } else if o.tags.iter().any(|t| t == "shipped") {
        "SHIPPED"
    } else if o.tags.iter().any(|t| t == "partially-shipped") {
        "PARTIALLY_SHIPPED"
    } else {
        "UNSHIPPED"
    }
}

async fn search_orders(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let rate = sim.settings.rate;
    let fault = sim.shop.faults.next().await;
    match fault {
        Some(Fault::RateLimited) => return quota_exceeded(rate),
        Some(Fault::ServerError) => {
            let status = if sim.shop.faults.requests.load(Ordering::Relaxed) % 2 == 0 {
                StatusCode::SERVICE_UNAVAILABLE
            } else {
                StatusCode::INTERNAL_SERVER_ERROR
            };
            return errors(
                status,
                "InternalFailure",
                "We encountered an internal error. Please try again.",
            );
        }
        Some(Fault::HtmlPage) => {
            return (
                StatusCode::OK,
                [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                "<!DOCTYPE html><html><head><title>Service Unavailable</title></head>\
                 <body><h1>Sorry! Something went wrong on our end.</h1></body></html>",
            )
                .into_response()
        }
        _ => {}
    }
    if !authorized(&sim, &headers) {
        sim.auth_refusals.fetch_add(1, Ordering::Relaxed);
        return (
            StatusCode::FORBIDDEN,
            Json(json!({"errors": [{
                "code": "Unauthorized",
                "message": "Access to requested resource is denied.",
                "details": "The access token you provided is revoked, malformed or invalid."
            }]})),
        )
            .into_response();
    }
    if !take_from_bucket(&sim) {
        sim.throttled.fetch_add(1, Ordering::Relaxed);
        return quota_exceeded(rate);
    }
    let body = match answer(&sim, query.as_deref().unwrap_or("")) {
        Ok(body) => body,
        Err(refusal) => return with_rate(invalid(&refusal), rate),
    };
    let body = if fault == Some(Fault::Truncated) {
        truncate(&body)
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

/// The JSON of one page, or the refusal.
fn answer(sim: &Sim, query: &str) -> Result<String, String> {
    let q = pairs(query);
    let one = |k: &str| q.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str());
    let list = |k: &str| -> Vec<String> {
        q.iter()
            .filter(|(key, _)| key == k)
            .flat_map(|(_, v)| v.split(','))
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect()
    };
    let time = |k: &str| -> Result<Option<DateTime<Utc>>, String> {
        one(k)
            .map(|v| {
                DateTime::parse_from_rfc3339(v)
                    .map(|t| t.to_utc())
                    .map_err(|_| format!("Invalid {k}: must be an ISO 8601 date-time."))
            })
            .transpose()
    };
    let now = Utc::now();
    let (created_after, updated_after) = (time("createdAfter")?, time("lastUpdatedAfter")?);
    let (created_before, updated_before) = (time("createdBefore")?, time("lastUpdatedBefore")?);
    let (by_created, after, before) = match (created_after, updated_after) {
        (Some(a), None) if updated_before.is_none() => (true, a, created_before),
        (None, Some(a)) if created_before.is_none() => (false, a, updated_before),
        (Some(_), None) | (None, Some(_)) => {
            return Err("createdAfter/createdBefore cannot be combined with lastUpdatedAfter/lastUpdatedBefore.".to_string())
        }
        _ => {
            return Err("Exactly one of createdAfter and lastUpdatedAfter must be provided.".to_string())
        }
    };
    let before_name = if by_created {
        "createdBefore"
    } else {
        "lastUpdatedBefore"
    };
    if let Some(b) = before {
        if b > now - chrono::Duration::minutes(2) {
            return Err(format!(
                "{before_name} must be at least 2 minutes before the time of the request."
            ));
        }
        if b < after {
            return Err(format!("{before_name} must not be before its After date."));
        }
    }
    let page_size = match one("maxResultsPerPage").map(str::parse::<usize>) {
        None => 100,
        Some(Ok(n)) if (1..=100).contains(&n) => n,
        Some(_) => return Err("maxResultsPerPage must be between 1 and 100.".to_string()),
    };
    let mut marketplaces = list("marketplaceIds");
    marketplaces.sort();
    let mut fulfilled_by = list("fulfilledBy");
    fulfilled_by.sort();
    let mut statuses = list("fulfillmentStatuses");
    statuses.sort();
    let included: Vec<String> = list("includedData");
    let filters = fnv(format!(
        "{by_created}|{}|{:?}|{marketplaces:?}|{fulfilled_by:?}|{statuses:?}",
        nanos(after),
        before.map(nanos)
    )
    .as_bytes());

    let (until, last) = match one("paginationToken") {
        None => (now, None),
        Some(text) => {
            let token = decode_token(text).ok_or_else(|| {
                "We could not decode your NextToken. Possible reasons include: a transmission error, improper quoting or a truncation problem.".to_string()
            })?;
            let ttl = chrono::Duration::from_std(sim.settings.pagination_token_ttl)
                .unwrap_or(chrono::Duration::MAX);
            if sim.shop.faults.cursor_expired() || now - token.issued > ttl {
                return Err("Invalid paginationToken: the token has expired (tokens expire after 24 hours).".to_string());
            }
            if token.filters != filters {
                return Err("Invalid paginationToken: all other parameters must have the same values as in the request that generated this token.".to_string());
            }
            (token.until, token.last)
        }
    };

    let s = &sim.settings;
    let in_marketplace = marketplaces.is_empty() || marketplaces.contains(&s.marketplace_id);
    let merchant = fulfilled_by.is_empty() || fulfilled_by.iter().any(|f| f == "MERCHANT");
    let key = |o: &SimOrder| {
        let t = if by_created {
            o.order.created_at
        } else {
            o.order.updated_at
        };
        (nanos(t), o.shop_id)
    };
    let mut matching: Vec<SimOrder> = if in_marketplace && merchant {
        sim.shop
            .book
            .lock()
            .iter()
            .filter(|o| {
                let (t, _) = key(o);
                t >= nanos(after)
                    && before.is_none_or(|b| t <= nanos(b))
                    && t < nanos(until)
                    && last.is_none_or(|l| key(o) > l)
                    && (statuses.is_empty() || statuses.iter().any(|st| st == status_of(&o.order)))
            })
            .cloned()
            .collect()
    } else {
        Vec::new()
    };
    matching.sort_by_key(|o| key(o));
    let more = matching.len() > page_size;
    matching.truncate(page_size);
    let orders: Vec<Value> = matching.iter().map(|o| render(o, s, &included)).collect();
    let mut page = serde_json::Map::new();
    page.insert("orders".into(), Value::Array(orders));
    if more {
        let next = Token {
            filters,
            until,
            last: matching.last().map(key),
            issued: now,
        };
        page.insert(
            "pagination".into(),
            json!({"nextToken": encode_token(&next)}),
        );
    }
    let window_end = before.unwrap_or(until);
    page.insert(
        if by_created {
            "createdBefore"
        } else {
            "lastUpdatedBefore"
        }
        .into(),
        Value::String(window_end.to_rfc3339_opts(SecondsFormat::Secs, true)),
    );
    Ok(Value::Object(page).to_string())
}

/// The order's Amazon id: its external id when that is a 3-7-7 id, else one made from the
/// shop id.
pub fn amazon_order_id(o: &SimOrder) -> String {
    let id = &o.order.external_id;
    let parts: Vec<&str> = id.split('-').collect();
    let is_377 = parts.len() == 3
        && [3, 7, 7]
            .iter()
            .zip(&parts)
            .all(|(n, p)| p.len() == *n && p.bytes().all(|b| b.is_ascii_digit()));
    if is_377 {
        return id.clone();
    }
    let n = o.shop_id;
    format!(
        "{:03}-{:07}-{:07}",
        111 + (n / 10_000_000) % 889,
        n.wrapping_mul(7919) % 10_000_000,
        n % 10_000_000
    )
}

fn money(amount: Money, currency: &str) -> Value {
    json!({"amount": format!("{:.2}", amount), "currencyCode": currency})
}

/// A book order in v2026-01-01 JSON, with the datasets the request asked for.
fn render(o: &SimOrder, s: &AmazonSimSettings, included: &[String]) -> Value {
    let order = &o.order;
    let wants = |d: &str| included.iter().any(|i| i == d);
    let status = status_of(order);
    let pending = status == "PENDING";
    let cur = order.currency.as_str();
    let time = |t: DateTime<Utc>| t.to_rfc3339_opts(SecondsFormat::AutoSi, true);
    let items: Vec<Value> = order
        .lines
        .iter()
        .map(|l| {
            let asin = format!("B0{:08X}", fnv(l.sku.as_bytes()) as u32);
            let mut product = json!({"asin": &asin[..10], "title": l.title});
            if !s.asin_only_skus.contains(&l.sku) {
                product["sellerSku"] = json!(l.sku);
            }
            let mut item = json!({
                "orderItemId": l.channel_line_id.clone().unwrap_or_else(|| {
                    format!("{:08}{:06}", o.shop_id % 100_000_000, l.line)
                }),
                "quantityOrdered": l.quantity,
                "product": product,
            });
            if !pending {
                item["product"]["price"] = json!({"unitPrice": money(l.unit_price, cur)});
                if wants("PROCEEDS") {
                    let extended = l.unit_price * Money::from(l.quantity);
                    item["proceeds"] = json!({"proceedsTotal": money(extended, cur),
                        "breakdowns": [{"type": "ITEM", "subtotal": money(extended, cur)}]});
                }
            }
            if wants("FULFILLMENT") {
                let shipped = if status == "SHIPPED" { l.quantity } else { 0 };
                item["fulfillment"] = json!({"quantityFulfilled": shipped,
                    "quantityUnfulfilled": l.quantity - shipped});
            }
            item
        })
        .collect();
    let mut out = json!({
        "orderId": amazon_order_id(o),
        "createdTime": time(order.created_at),
        "lastUpdatedTime": time(order.updated_at),
        "programs": [],
        "salesChannel": {"channelName": "AMAZON", "marketplaceId": s.marketplace_id,
            "marketplaceName": "Amazon.com"},
        "orderItems": items,
    });
    if wants("FULFILLMENT") {
        let level = match order.ship_method.as_str() {
            "expedited" => "EXPEDITED",
            "overnight" => "NEXT_DAY",
            _ => "STANDARD",
        };
        out["fulfillment"] = json!({"fulfillmentStatus": status, "fulfilledBy": "MERCHANT",
            "fulfillmentServiceLevel": level});
    }
    if pending {
        return out;
    }
    if wants("BUYER") {
        out["buyer"] = json!({"buyerName": order.customer.name,
            "buyerEmail": format!("{:x}@marketplace.amazon.com", fnv(order.external_id.as_bytes()))});
    }
    if let (true, false, Some(a)) = (wants("RECIPIENT"), order.cancelled, &order.ship_to) {
        out["recipient"] = json!({"deliveryAddress": {
            "name": a.name, "addressLine1": a.line1, "addressLine2": a.line2, "city": a.city,
            "stateOrRegion": a.region, "postalCode": a.postal_code, "countryCode": a.country,
            "phone": order.customer.phone, "addressType": "RESIDENTIAL"}});
    }
    if wants("PROCEEDS") && !order.cancelled {
        let t = &order.totals;
        let mut breakdowns = vec![
            json!({"type": "ITEM", "subtotal": money(t.subtotal, cur)}),
            json!({"type": "SHIPPING", "subtotal": money(t.shipping, cur)}),
            json!({"type": "TAX", "subtotal": money(t.tax, cur)}),
        ];
        if !t.discount.is_zero() {
            breakdowns.push(json!({"type": "DISCOUNT", "subtotal": money(-t.discount, cur)}));
        }
        out["proceeds"] = json!({"grandTotal": money(t.total, cur), "breakdowns": breakdowns});
    }
    out
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
    let ids: Vec<u64> = orders
        .into_iter()
        .map(|o| sim.shop.book.upsert(o))
        .collect();
    Json(json!({"shop_ids": ids})).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_hold_plus_slash_and_equals_and_decode() {
        let t = Token {
            filters: 0xdead_beef,
            until: DateTime::from_timestamp(1_767_000_000, 123).unwrap(),
            last: Some((1_766_000_000_000_000_000, 42)),
            issued: DateTime::from_timestamp(1_767_000_000, 0).unwrap(),
        };
        let text = encode_token(&t);
        assert!(
            text.contains('+') && text.contains('/') && text.ends_with("=="),
            "{text}"
        );
        let back = decode_token(&text).unwrap();
        assert_eq!(
            (back.filters, back.until, back.last),
            (t.filters, t.until, t.last)
        );
        // Read from a query without percent-encoding, `+` becomes a space: refused.
        assert!(decode_token(&text.replace('+', " ")).is_none());
        assert!(decode_token(&text[..text.len() / 2]).is_none());
    }

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
