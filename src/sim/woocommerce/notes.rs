//! Order notes: `GET`/`POST /orders/<id>/notes`, in WooCommerce's shape (`id`, `author`,
//! `date_created`, `date_created_gmt`, `note`, `customer_note`), newest first; `POST` answers
//! 201 with the note. A note that reads `Shipped via <carrier>, tracking <number>` (what ordo's
//! connector writes for a whole order) is recorded as a shipment of the order's lines
//! ([`crate::sim::channel::SimStock::record_fulfillment`]); one that reads `Part of your order
//! shipped via <carrier>, tracking <number>` as a shipment of lines the note does not name (none
//! recorded). So the shop's shipments are the tracking notes it was given.

use std::sync::atomic::Ordering;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{json, Value};

use super::orders::find_order;
use super::render::woo_id;
use super::{json_answer, param, read_request, secs, woo_error, write_request, Params, Sim};
use crate::sim::channel::SimFulfillment;

/// One order note as the shop keeps it.
#[derive(Debug, Clone)]
pub(super) struct Note {
    id: u64,
    author: String,
    at: DateTime<Utc>,
    note: String,
    customer_note: bool,
}

pub(super) fn add_note(
    sim: &Sim,
    order: u64,
    author: &str,
    text: &str,
    customer_note: bool,
) -> Note {
    let note = Note {
        id: sim.note_ids.fetch_add(1, Ordering::SeqCst) + 1,
        author: author.to_string(),
        at: secs(Utc::now()),
        note: text.to_string(),
        customer_note,
    };
    sim.notes
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .entry(order)
        .or_default()
        .push(note.clone());
    note
}

fn render_note(sim: &Sim, order: u64, n: &Note) -> Value {
    let zone = super::orders::offset(sim);
    let base = format!("{}/wp-json/wc/v3/orders/{order}", sim.settings.site_url);
    json!({
        "id": n.id,
        "author": n.author,
        "date_created": n.at.with_timezone(&zone).format("%Y-%m-%dT%H:%M:%S").to_string(),
        "date_created_gmt": n.at.format("%Y-%m-%dT%H:%M:%S").to_string(),
        "note": n.note,
        "customer_note": n.customer_note,
        "_links": {
            "self": [{ "href": format!("{base}/notes/{}", n.id) }],
            "collection": [{ "href": format!("{base}/notes") }],
            "up": [{ "href": base }],
        },
    })
}

pub(super) async fn list_notes(
    State(sim): State<Sim>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Query(params): Query<Params>,
) -> Result<Response, Response> {
    let truncated = read_request(&sim, &headers, &params).await?;
    let found = find_order(&sim, &id)?;
    let order = woo_id(&found);
    let notes = sim
        .notes
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .get(&order)
        .cloned()
        .unwrap_or_default();
    let wanted = param(&params, "type").unwrap_or("any");
    let body: Vec<Value> = notes
        .iter()
        .rev()
        .filter(|n| match wanted {
            "customer" => n.customer_note,
            "internal" => !n.customer_note,
            _ => true,
        })
        .map(|n| render_note(&sim, order, n))
        .collect();
    Ok(json_answer(StatusCode::OK, &Value::Array(body), truncated))
}

#[derive(Debug, Deserialize)]
pub(super) struct NewNote {
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    customer_note: bool,
}

/// A shipment a note reports: `Shipped via <carrier>, tracking <number>` (the whole order) or
/// `Part of your order shipped via <carrier>, tracking <number>` (some of it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct NotedShipment {
    pub carrier: String,
    pub tracking: String,
    pub whole: bool,
}

/// The shipment a note reports, if it reads as one of ordo's shipment notes.
pub(super) fn shipment_of(note: &str) -> Option<NotedShipment> {
    let note = note.trim();
    let (rest, whole) = match note.strip_prefix("Shipped via ") {
        Some(rest) => (rest, true),
        None => (note.strip_prefix("Part of your order shipped via ")?, false),
    };
    let (carrier, tracking) = rest.rsplit_once(", tracking ")?;
    let tracking = tracking.trim().trim_end_matches('.');
    (!tracking.is_empty()).then(|| NotedShipment {
        carrier: carrier.trim().to_string(),
        tracking: tracking.to_string(),
        whole,
    })
}

pub(super) async fn create_note(
    State(sim): State<Sim>,
    Path(id): Path<String>,
    headers: HeaderMap,
    Query(params): Query<Params>,
    body: axum::body::Bytes,
) -> Result<Response, Response> {
    let (truncated, new) = write_request::<NewNote>(
        &sim,
        &headers,
        &params,
        &body,
        (
            "woocommerce_rest_cannot_create",
            "Sorry, you are not allowed to create resources.",
        ),
    )
    .await?;
    let Some(text) = new.note.filter(|n| !n.trim().is_empty()) else {
        return Err(woo_error(
            StatusCode::BAD_REQUEST,
            "rest_missing_callback_param",
            "Missing parameter(s): note",
            json!({ "params": ["note"] }),
        ));
    };
    let found = find_order(&sim, &id)?;
    let order = woo_id(&found);
    let note = add_note(&sim, order, "system", &text, new.customer_note);
    if let Some(shipped) = shipment_of(&text) {
        // A partial note does not say which lines went: none are recorded for it.
        let lines = if shipped.whole {
            found
                .order
                .lines
                .iter()
                .map(|l| (l.sku.clone(), l.quantity))
                .collect()
        } else {
            Vec::new()
        };
        sim.shop.stock.record_fulfillment(SimFulfillment {
            order_id: order.to_string(),
            carrier: shipped.carrier,
            tracking: shipped.tracking,
            lines,
        });
    }
    Ok(json_answer(
        StatusCode::CREATED,
        &render_note(&sim, order, &note),
        truncated,
    ))
}
