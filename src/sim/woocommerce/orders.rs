//! Orders: the list and one order (reads), and changes (`PUT /orders/<id>`).
//!
//! - Every order answer carries the order's `meta_data` (see `meta`).
//! - `PUT /orders/<id>` with `{"status":"completed"}` (any of WooCommerce's statuses) sets the
//!   book order's `woo:<status>` tag; a change also adds WooCommerce's system note "Order status
//!   changed from Processing to Completed.". `{"meta_data":[{"key":…,"value":…}]}` sets meta
//!   data. Either change moves the order's modification time (now, and always later than the
//!   version before), as WooCommerce bumps `date_modified` when it saves an order. An unknown
//!   status is 400 `rest_invalid_param`, an unknown order 400
//!   `woocommerce_rest_shop_order_invalid_id`.

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Duration, FixedOffset, NaiveDateTime, Utc};
use serde::Deserialize;
use serde_json::Value;

use super::meta::MetaUpdate;
use super::notes::add_note;
use super::render::{render, woo_id, woo_status};
use super::{
    authorized, fault_response, invalid_param, json_answer, paging, param, secs, unauthorized,
    woo_error, write_request, Params, Sim,
};
use crate::sim::channel::{truncate, Fault, SimOrder};

/// An order as the shop answers it: its JSON with its meta data.
pub(super) fn render_order(sim: &Sim, o: &SimOrder) -> Value {
    let mut v = render(o, &sim.settings);
    v["meta_data"] = sim
        .meta
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .render(woo_id(o));
    v
}

/// WooCommerce's order statuses (core's, without custom ones).
const STATUSES: &[&str] = &[
    "pending",
    "processing",
    "on-hold",
    "completed",
    "cancelled",
    "refunded",
    "failed",
    "trash",
    "checkout-draft",
];

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

pub(super) fn offset(sim: &Sim) -> FixedOffset {
    FixedOffset::east_opt(sim.settings.utc_offset_secs)
        .unwrap_or_else(|| FixedOffset::east_opt(0).expect("zero offset"))
}

pub(super) async fn list_orders(
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
    let (per_page, page) = match paging(&params) {
        Ok(p) => p,
        Err(r) => return r,
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
        .map(|o| render_order(&sim, o))
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

pub(super) async fn one_order(
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
        Some(o) => Json(render_order(&sim, &o)).into_response(),
        None => woo_error(
            StatusCode::NOT_FOUND,
            "woocommerce_rest_shop_order_invalid_id",
            "Invalid ID.",
            Value::Null,
        ),
    }
}

pub(super) fn invalid_order() -> Response {
    woo_error(
        StatusCode::BAD_REQUEST,
        "woocommerce_rest_shop_order_invalid_id",
        "Invalid ID.",
        Value::Null,
    )
}

/// The order `id` of the shop, or WooCommerce's 400 for an id it does not know.
// The error is the HTTP answer itself, handed straight back to axum: boxing it buys nothing.
#[allow(clippy::result_large_err)]
pub(super) fn find_order(sim: &Sim, id: &str) -> Result<SimOrder, Response> {
    find(sim, id).ok_or_else(invalid_order)
}

pub(super) fn find(sim: &Sim, id: &str) -> Option<SimOrder> {
    sim.shop
        .book
        .lock()
        .iter()
        .find(|o| woo_id(o).to_string() == id)
        .cloned()
}

/// A status as WooCommerce shows it in a note ("on-hold" → "On hold").
fn status_label(status: &str) -> String {
    let text = status.replace('-', " ");
    let mut chars = text.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => text,
    }
}

#[derive(Debug, Deserialize)]
pub(super) struct OrderUpdate {
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    meta_data: Vec<MetaUpdate>,
}

pub(super) async fn update_order(
    State(sim): State<Sim>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Query(params): Query<Params>,
    body: axum::body::Bytes,
) -> Result<Response, Response> {
    let (truncated, update) = write_request::<OrderUpdate>(
        &sim,
        &headers,
        &params,
        &body,
        (
            "woocommerce_rest_cannot_edit",
            "Sorry, you are not allowed to edit this resource.",
        ),
    )
    .await?;
    let found = find_order(&sim, &id)?;
    let mut order = found.order.clone();
    let status = update.status.as_deref().map(str::trim);
    if status.is_some_and(|s| !STATUSES.contains(&s)) {
        return Err(invalid_param(
            "status",
            &format!("status is not one of {}.", STATUSES.join(", ")),
        ));
    }
    let mut changed = false;
    {
        let mut meta = sim.meta.lock().unwrap_or_else(|p| p.into_inner());
        for entry in update.meta_data {
            changed |= meta.apply(woo_id(&found), entry);
        }
    }
    if let Some(status) = status {
        let before = woo_status(&order).to_string();
        if before != status {
            changed = true;
            order.tags.retain(|t| !t.starts_with("woo:"));
            order.tags.push(format!("woo:{status}"));
            add_note(
                &sim,
                woo_id(&found),
                "system",
                &format!(
                    "Order status changed from {} to {}.",
                    status_label(&before),
                    status_label(status)
                ),
                false,
            );
        }
    }
    if changed {
        let now = secs(Utc::now());
        order.updated_at = now.max(secs(order.updated_at) + Duration::seconds(1));
        sim.shop.book.upsert(order.clone());
    }
    let saved = SimOrder {
        shop_id: found.shop_id,
        order,
    };
    Ok(json_answer(
        StatusCode::OK,
        &render_order(&sim, &saved),
        truncated,
    ))
}
