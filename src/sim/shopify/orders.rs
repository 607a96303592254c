//! `GET /admin/api/{version}/orders.json`: filters, `page_info` cursors and `Link` headers.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::render::render;
use super::{bad_request, json_response, shopify_id, Sim, BAD_CURSOR_BODY};
use crate::model::ChannelOrder;
use crate::sim::channel::SimOrder;

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

pub(super) async fn list_orders(
    State(sim): State<Arc<Sim>>,
    Path(version): Path<String>,
    headers: HeaderMap,
    Query(query): Query<Vec<(String, String)>>,
) -> Response {
    let admitted = match sim.gate(&version, &headers).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    match listing(&sim, &version, &headers, &query) {
        Ok((body, link)) => {
            let mut r = sim.reply(&version, &admitted, StatusCode::OK, body);
            if let Some(link) = link {
                if let Ok(v) = link.parse() {
                    r.headers_mut().insert(header::LINK, v);
                }
            }
            r
        }
        Err(r) => sim.stamp(&version, &admitted, *r),
    }
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
            let done = sim.fulfilled_of(shopify_id(o));
            let mut v = render(o, &sim.originals(&o.order), done.as_ref(), sim.offset);
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
