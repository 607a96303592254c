//! A WooCommerce shop on loopback: `GET /wp-json/wc/v3/orders` (and `/orders/<id>`) over a
//! [`SimShop`], rendered in WooCommerce REST v3's JSON, with its paging, auth and date filters,
//! and the ways hosts in front of WooCommerce spoil answers (spec §2, §6; edge cases 6-8, 12, 13).
//!
//! What it imitates:
//! - Basic auth with the consumer key and secret (or `consumer_key`/`consumer_secret` in the
//!   query, as WooCommerce accepts over HTTPS); anything else is 401
//!   `{"code":"woocommerce_rest_cannot_view",...}`.
//! - `page` (1-based), `per_page` (default 10, 1-100, else 400 `rest_invalid_param`), `order`
//!   (`desc` default), `orderby` (`date` default, `modified`, `id`; ties by id), `status`
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
//!   `on-hold` or `completed` order), else from the order: cancelled and refunded → `refunded`,
//!   cancelled → `cancelled`, pending payment → `pending`, else `processing`.
//! - Faults ([`crate::sim::channel::Faults`]): throttle → 429 (or 503 when so set) with
//!   `Retry-After`; server error → 500 HTML "critical error" page; HTML page → alternately a 202
//!   SiteGround captcha and a 200 with a PHP `Warning:` before the JSON; truncated → the JSON cut
//!   in half. Expired cursors do not apply: WooCommerce pages are plain numbers.
//! - `POST /_sim/faults` (a [`FaultPlan`]), `GET /_sim/stats`, `POST /_sim/orders` (an ordo
//!   [`ChannelOrder`], added or replacing the one with its external id).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chrono::{DateTime, Duration, FixedOffset, NaiveDateTime, Utc};
use serde_json::{json, Value};

use super::channel::{truncate, Fault, FaultPlan, SimOrder, SimShop};
use super::{Catalog, Feed, Rng};
use crate::model::{ChannelOrder, FinancialStatus, Money};

/// How the simulated shop is set up.
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
        }
    }
}

#[derive(Clone)]
struct Sim {
    shop: SimShop,
    settings: Arc<WooSimSettings>,
    /// Counts HTML-page faults, to alternate the captcha and the PHP warning.
    html_pages: Arc<AtomicU64>,
}

/// The simulator's routes over `shop`.
pub fn router(shop: SimShop, settings: WooSimSettings) -> Router {
    let sim = Sim {
        shop,
        settings: Arc::new(settings),
        html_pages: Arc::new(AtomicU64::new(0)),
    };
    Router::new()
        .route("/wp-json/wc/v3/orders", get(list_orders))
        .route("/wp-json/wc/v3/orders/{id}", get(one_order))
        .route("/_sim/faults", post(set_faults).get(get_faults))
        .route("/_sim/stats", get(stats))
        .route("/_sim/orders", post(upsert_order))
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
    woo_error(
        StatusCode::UNAUTHORIZED,
        "woocommerce_rest_cannot_view",
        "Sorry, you cannot list resources.",
        Value::Null,
    )
}

/// A date filter read as WordPress would: the wall-clock text, in the site zone or GMT; `Err`
/// when it is not a date.
fn date_filter(
    params: &Params,
    name: &str,
    gmt: bool,
    offset: FixedOffset,
) -> Result<Option<DateTime<Utc>>, ()> {
    let Some(text) = param(params, name) else {
        return Ok(None);
    };
    let wall = wall_clock(text).ok_or(())?;
    Ok(Some(if gmt {
        wall.and_utc()
    } else {
        (wall - Duration::seconds(i64::from(offset.local_minus_utc()))).and_utc()
    }))
}

fn wall_clock(text: &str) -> Option<NaiveDateTime> {
    let t = text.trim();
    let t = t
        .strip_suffix('Z')
        .or_else(|| t.strip_suffix('z'))
        .unwrap_or(t);
    // Drop a trailing `+hh:mm` / `-hh:mm` offset (the date part has `-` too, so only after T).
    let t = match t.find('T') {
        Some(ti) => match t[ti..].rfind(['+', '-']) {
            Some(oi) => &t[..ti + oi],
            None => t,
        },
        None => t,
    };
    [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S%.f",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(t, f).ok())
    .or_else(|| {
        chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d")
            .ok()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
    })
}

fn offset(sim: &Sim) -> FixedOffset {
    FixedOffset::east_opt(sim.settings.utc_offset_secs)
        .unwrap_or_else(|| FixedOffset::east_opt(0).expect("zero offset"))
}

async fn list_orders(
    State(sim): State<Sim>,
    headers: HeaderMap,
    Query(params): Query<Params>,
) -> Response {
    let fault = sim.shop.faults.next().await;
    if let Some(f) = fault {
        if let Some(r) = fault_response(&sim, f) {
            return r;
        }
    }
    if !authorized(&sim, &headers, &params) {
        return unauthorized();
    }
    let per_page = match param(&params, "per_page").map(|v| v.trim().parse::<i64>()) {
        None => 10,
        Some(Ok(n)) if (1..=100).contains(&n) => n as usize,
        Some(_) => {
            return invalid_param(
                "per_page",
                "per_page must be between 1 (inclusive) and 100 (inclusive)",
            )
        }
    };
    let page = match param(&params, "page").map(|v| v.trim().parse::<i64>()) {
        None => 1,
        Some(Ok(n)) if n >= 1 => n as usize,
        Some(_) => return invalid_param("page", "page must be greater than or equal to 1"),
    };
    let offset_n = match param(&params, "offset").map(|v| v.trim().parse::<usize>()) {
        None => None,
        Some(Ok(n)) => Some(n),
        Some(Err(_)) => return invalid_param("offset", "offset is not of type integer."),
    };
    let gmt = matches!(
        param(&params, "dates_are_gmt")
            .map(str::to_ascii_lowercase)
            .as_deref(),
        Some("true") | Some("1") | Some("yes")
    );
    let zone = offset(&sim);
    let mut filters = [None; 4];
    for (i, name) in ["after", "before", "modified_after", "modified_before"]
        .into_iter()
        .enumerate()
    {
        match date_filter(&params, name, gmt, zone) {
            Ok(v) => filters[i] = v,
            Err(()) => return invalid_param(name, "Invalid date."),
        }
    }
    let [after, before, modified_after, modified_before] = filters;
    let statuses: Vec<String> = params
        .iter()
        .filter(|(k, _)| k == "status" || k == "status[]")
        .flat_map(|(_, v)| v.split(',').map(|s| s.trim().to_string()))
        .filter(|s| !s.is_empty() && s != "any")
        .collect();
    let orderby = param(&params, "orderby").unwrap_or("date");
    if !matches!(
        orderby,
        "date" | "modified" | "id" | "include" | "title" | "slug"
    ) {
        return invalid_param(
            "orderby",
            "orderby is not one of date, id, include, title, slug, modified.",
        );
    }
    let desc = match param(&params, "order").unwrap_or("desc") {
        "desc" => true,
        "asc" => false,
        _ => return invalid_param("order", "order is not one of asc, desc."),
    };

    let mut orders: Vec<SimOrder> = sim
        .shop
        .book
        .lock()
        .iter()
        .filter(|o| after.is_none_or(|t| secs(o.order.created_at) > t))
        .filter(|o| before.is_none_or(|t| secs(o.order.created_at) < t))
        .filter(|o| modified_after.is_none_or(|t| secs(o.order.updated_at) > t))
        .filter(|o| modified_before.is_none_or(|t| secs(o.order.updated_at) < t))
        .filter(|o| {
            let s = woo_status(&o.order);
            if statuses.is_empty() {
                s != "trash"
            } else {
                statuses.iter().any(|x| x == s)
            }
        })
        .cloned()
        .collect();
    orders.sort_by(|a, b| {
        let key = |o: &SimOrder| -> (DateTime<Utc>, u64) {
            let id = woo_id(o);
            match orderby {
                "modified" => (secs(o.order.updated_at), id),
                "id" | "include" => (DateTime::<Utc>::MIN_UTC, id),
                _ => (secs(o.order.created_at), id),
            }
        };
        let ord = key(a).cmp(&key(b));
        if desc {
            ord.reverse()
        } else {
            ord
        }
    });

    let total = orders.len();
    let total_pages = total.div_ceil(per_page);
    let skip = offset_n.unwrap_or((page - 1) * per_page);
    let body: Vec<Value> = orders
        .iter()
        .skip(skip)
        .take(per_page)
        .map(|o| render(o, &sim.settings))
        .collect();
    let mut text = serde_json::to_string(&body).expect("JSON values serialize");
    if fault == Some(Fault::Truncated) {
        text = truncate(&text);
    }
    let mut response = (StatusCode::OK, text).into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=UTF-8"),
    );
    h.insert("x-wp-total", HeaderValue::from(total as u64));
    h.insert("x-wp-totalpages", HeaderValue::from(total_pages as u64));
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("127.0.0.1");
    let mut links = Vec::new();
    if page > 1 {
        let prev = page.min(total_pages + 1) - 1;
        links.push(format!(
            "<{}>; rel=\"prev\"",
            page_link(host, &params, prev)
        ));
    }
    if page < total_pages {
        links.push(format!(
            "<{}>; rel=\"next\"",
            page_link(host, &params, page + 1)
        ));
    }
    if !links.is_empty() {
        if let Ok(v) = HeaderValue::from_str(&links.join(", ")) {
            h.insert(header::LINK, v);
        }
    }
    response
}

/// This request's URL with `page` set, as WordPress builds its `Link` header (credentials in
/// the query are not repeated).
fn page_link(host: &str, params: &Params, page: usize) -> String {
    let mut q =
        reqwest::Url::parse(&format!("http://{host}/wp-json/wc/v3/orders")).unwrap_or_else(|_| {
            reqwest::Url::parse("http://127.0.0.1/wp-json/wc/v3/orders").expect("fixed URL")
        });
    {
        let mut pairs = q.query_pairs_mut();
        for (k, v) in params {
            if !matches!(k.as_str(), "page" | "consumer_key" | "consumer_secret") {
                pairs.append_pair(k, v);
            }
        }
        pairs.append_pair("page", &page.to_string());
    }
    q.to_string()
}

async fn one_order(
    State(sim): State<Sim>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Query(params): Query<Params>,
) -> Response {
    if let Some(f) = sim.shop.faults.next().await {
        if let Some(r) = fault_response(&sim, f) {
            return r;
        }
    }
    if !authorized(&sim, &headers, &params) {
        return woo_error(
            StatusCode::UNAUTHORIZED,
            "woocommerce_rest_cannot_view",
            "Sorry, you cannot view this resource.",
            Value::Null,
        );
    }
    let found = sim
        .shop
        .book
        .lock()
        .iter()
        .find(|o| woo_id(o).to_string() == id)
        .cloned();
    match found {
        Some(o) => Json(render(&o, &sim.settings)).into_response(),
        None => woo_error(
            StatusCode::NOT_FOUND,
            "woocommerce_rest_shop_order_invalid_id",
            "Invalid ID.",
            Value::Null,
        ),
    }
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
    }))
}

async fn upsert_order(State(sim): State<Sim>, Json(order): Json<ChannelOrder>) -> Json<Value> {
    let external_id = order.external_id.clone();
    let shop_id = sim.shop.book.upsert(order);
    Json(json!({ "shop_id": shop_id, "external_id": external_id }))
}

/// The WooCommerce id of a book order: its external id when numeric, else its shop id.
pub fn woo_id(o: &SimOrder) -> u64 {
    o.order.external_id.trim().parse().unwrap_or(o.shop_id)
}

/// The WooCommerce status a book order shows (see the module docs).
pub fn woo_status(order: &ChannelOrder) -> &str {
    if let Some(s) = order.tags.iter().find_map(|t| t.strip_prefix("woo:")) {
        return s;
    }
    match (order.cancelled, order.financial_status) {
        (true, FinancialStatus::Refunded) => "refunded",
        (true, _) => "cancelled",
        (false, FinancialStatus::Pending) => "pending",
        (false, FinancialStatus::Refunded) => "refunded",
        _ => "processing",
    }
}

/// A time as WooCommerce stores it: whole seconds.
fn secs(t: DateTime<Utc>) -> DateTime<Utc> {
    use chrono::Timelike;
    t.with_nanosecond(0).unwrap_or(t)
}

fn money(m: Money) -> String {
    format!("{:.2}", m.round_dp(2))
}

/// WooCommerce's own entity encoding of item names (`esc_html`-like: `& < > " '`).
fn encode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#039;"),
            '–' => out.push_str("&ndash;"),
            '×' => out.push_str("&times;"),
            c => out.push(c),
        }
    }
    out
}

/// A stable product id for a SKU (FNV-1a), so the same SKU is the same product everywhere.
fn product_id(sku: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in sku.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    100 + h % 9_000
}

/// One book order in WooCommerce REST v3's JSON.
pub fn render(o: &SimOrder, settings: &WooSimSettings) -> Value {
    let order = &o.order;
    let id = woo_id(o);
    let zone = FixedOffset::east_opt(settings.utc_offset_secs)
        .unwrap_or_else(|| FixedOffset::east_opt(0).expect("zero offset"));
    let local = |t: DateTime<Utc>| {
        t.with_timezone(&zone)
            .format("%Y-%m-%dT%H:%M:%S")
            .to_string()
    };
    let gmt = |t: DateTime<Utc>| t.format("%Y-%m-%dT%H:%M:%S").to_string();
    let status = woo_status(order);
    let paid = !matches!(status, "pending" | "failed")
        && order.financial_status != FinancialStatus::Pending;
    let paid_at = order.created_at + Duration::seconds(7);
    let completed_at = (status == "completed").then_some(order.updated_at);

    // A coupon is spread over the lines' totals, the last line taking the rounding rest.
    let subtotals: Vec<Money> = order
        .lines
        .iter()
        .map(|l| l.unit_price * Money::from(l.quantity))
        .collect();
    let gross: Money = subtotals.iter().copied().sum();
    let discount = order.totals.discount.round_dp(2);
    let mut left = discount;
    let n = order.lines.len();
    let line_items: Vec<Value> = order
        .lines
        .iter()
        .zip(&subtotals)
        .enumerate()
        .map(|(i, (l, sub))| {
            let share = if i + 1 == n {
                left
            } else if gross > Money::ZERO {
                (discount * sub / gross).round_dp(2)
            } else {
                Money::ZERO
            };
            left -= share;
            let total = (sub - share).round_dp(2);
            let price = money(total).parse::<f64>().unwrap_or(0.0) / f64::from(l.quantity.max(1));
            let item_id = l
                .channel_line_id
                .as_deref()
                .and_then(|s| s.parse::<u64>().ok())
                .unwrap_or(id * 10 + i as u64 + 1);
            json!({
                "id": item_id,
                "name": encode_entities(l.title.as_deref().unwrap_or(&l.sku)),
                "product_id": product_id(&l.sku),
                "variation_id": 0,
                "quantity": l.quantity,
                "tax_class": "",
                "subtotal": money(*sub),
                "subtotal_tax": "0.00",
                "total": money(total),
                "total_tax": "0.00",
                "taxes": [],
                "meta_data": [],
                "sku": l.sku,
                "price": price,
                "image": { "id": 0, "src": "" },
                "parent_name": null,
            })
        })
        .collect();

    let (first, last) = match order.customer.name.as_deref() {
        Some(name) => match name.split_once(' ') {
            Some((f, l)) => (f.to_string(), l.to_string()),
            None => (name.to_string(), String::new()),
        },
        None => (String::new(), String::new()),
    };
    let addr = |with_contact: bool| -> Value {
        let a = order.ship_to.clone().unwrap_or_default();
        let mut v = json!({
            "first_name": first, "last_name": last, "company": "",
            "address_1": a.line1, "address_2": a.line2.unwrap_or_default(),
            "city": a.city, "state": a.region.unwrap_or_default(),
            "postcode": a.postal_code, "country": a.country,
        });
        if with_contact {
            v["email"] = json!(order.customer.email);
            v["phone"] = json!(order.customer.phone.clone().unwrap_or_default());
        } else {
            v["phone"] = json!("");
        }
        v
    };
    let pickup = order.ship_method == "pickup" || order.pickup_location.is_some();
    let (method_id, method_title) = match order.ship_method.as_str() {
        _ if pickup => ("local_pickup", "Local pickup".to_string()),
        "standard" if order.totals.shipping == Money::ZERO => {
            ("free_shipping", "Free shipping".to_string())
        }
        m => ("flat_rate", format!("Flat rate ({m})")),
    };
    let refunds: Vec<Value> = match (status, order.financial_status) {
        ("refunded", _) | (_, FinancialStatus::Refunded) => vec![json!({
            "id": id + 7, "reason": "", "total": format!("-{}", money(order.totals.total)),
        })],
        (_, FinancialStatus::PartiallyRefunded) => vec![json!({
            "id": id + 7, "reason": "Partial refund",
            "total": format!("-{}", money((order.totals.total / Money::from(10)).round_dp(2))),
        })],
        _ => vec![],
    };
    let mut head = json!({
        "id": id,
        "parent_id": 0,
        "status": status,
        "currency": order.currency,
        "version": "9.6.2",
        "prices_include_tax": false,
        "date_created": local(order.created_at),
        "date_modified": local(order.updated_at),
        "discount_total": money(discount),
        "discount_tax": "0.00",
        "shipping_total": money(order.totals.shipping),
        "shipping_tax": "0.00",
        "cart_tax": money(order.totals.tax),
        "total": money(order.totals.total),
        "total_tax": money(order.totals.tax),
        "customer_id": 0,
        "order_key": format!("wc_order_sim{id}"),
        "billing": addr(true),
        "shipping": addr(false),
        "payment_method": "stripe",
        "payment_method_title": "Credit card",
        "transaction_id": if paid { format!("pi_sim_{id}") } else { String::new() },
        "customer_ip_address": "192.0.2.10",
        "customer_user_agent": "Mozilla/5.0",
        "created_via": "checkout",
        "customer_note": "",
        "date_completed": completed_at.map(local),
        "date_paid": paid.then(|| local(paid_at)),
        "cart_hash": "",
    });
    let rest = json!({
        "number": order.number.trim_start_matches('#'),
        "meta_data": [],
        "line_items": line_items,
        "tax_lines": [],
        "shipping_lines": [{
            "id": id * 10 + 9, "method_title": method_title, "method_id": method_id,
            "instance_id": "1", "total": money(order.totals.shipping), "total_tax": "0.00",
            "taxes": [], "meta_data": [],
        }],
        "fee_lines": [],
        "coupon_lines": [],
        "refunds": refunds,
        "payment_url": format!("{}/checkout/order-pay/{id}/", settings.site_url),
        "is_editable": status == "pending" || status == "on-hold",
        "needs_payment": !paid,
        "needs_processing": true,
        "date_created_gmt": gmt(order.created_at),
        "date_modified_gmt": gmt(order.updated_at),
        "date_completed_gmt": completed_at.map(gmt),
        "date_paid_gmt": paid.then(|| gmt(paid_at)),
        "_links": {
            "self": [{ "href": format!("{}/wp-json/wc/v3/orders/{id}", settings.site_url) }],
            "collection": [{ "href": format!("{}/wp-json/wc/v3/orders", settings.site_url) }],
        },
    });
    if let (Some(a), Value::Object(b)) = (head.as_object_mut(), rest) {
        a.extend(b);
    }
    head
}
