//! `searchOrders` (`GET /orders/2026-01-01/orders`): the window, paging by key within it, and
//! the opaque pagination tokens that hold `+`, `/` and `=`.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use base64::Engine as _;
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{json, Value};

use super::lwa::authorized;
use super::render::render;
use super::{
    fault_answer, fnv, invalid, json_answer, pairs, quota_exceeded, unauthorized, with_rate, Sim,
};
use crate::model::{ChannelOrder, FinancialStatus};
use crate::sim::channel::SimOrder;

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
pub(super) fn status_of(o: &ChannelOrder) -> &'static str {
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

pub(super) async fn search_orders(
    State(sim): State<Arc<Sim>>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let rate = sim.settings.rate;
    let fault = sim.shop.faults.next().await;
    if let Some(spoiled) = fault_answer(&sim, fault, rate) {
        return spoiled;
    }
    if !authorized(&sim, &headers) {
        return unauthorized(&sim);
    }
    if !sim.orders_bucket.take() {
        sim.throttled.fetch_add(1, Ordering::Relaxed);
        return quota_exceeded(rate);
    }
    match answer(&sim, query.as_deref().unwrap_or("")) {
        Ok(body) => json_answer(body, fault, rate),
        Err(refusal) => with_rate(invalid(&refusal), rate),
    }
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
}
