//! Reporting a shipment to WooCommerce (spec §2.7).
//!
//! WooCommerce core has no shipment object. A shipment is a customer note with the carrier and
//! the tracking number, a tracking item of the Shipment Tracking extension when the channel's
//! `shipment_tracking` is on, and the order's `completed` status once the whole order has
//! shipped:
//!
//! 1. `GET /wp-json/wc/v3/orders/<id>`: the order must exist (404 is a refusal) and must not be
//!    `cancelled`, `refunded`, `failed` or `trash` (refused: the shop no longer wants it sent).
//!    Its line items and ordo's tally of what has shipped (order meta, [`super::shipped`]) say
//!    whether this shipment completes it.
//! 2. With `shipment_tracking`: the tracking item, added once ([`super::tracking`]); a site
//!    without the extension refuses the push with a message saying so.
//! 3. `GET /orders/<id>/notes`: a note that already names the tracking number means an earlier
//!    attempt got that far, so no second note is added (retries are safe).
//! 4. `POST /orders/<id>/notes` with `{"note":"Shipped via <carrier>, tracking <number>",
//!    "customer_note":true}` for the whole order, or `"Part of your order shipped via ..."` for
//!    a part (WooCommerce e-mails customer notes to the customer).
//! 5. `PUT /orders/<id>` with the tally (`meta_data`) when it changed, and
//!    `{"status":"completed"}` when the whole order has shipped and it is not completed yet
//!    (this sends WooCommerce's "Completed order" e-mail, once, after the tracking: the
//!    extension puts the tracking items in it). A part leaves the status as it is.
//!
//! Every request carries `X-Ordo-Intent-At`. A push sent again after a crash between the send
//! and the settle finds its tracking item, its note and its tally entry, and adds none again.

use reqwest::Method;
use serde_json::{json, Value};

use super::client::WooChannel;
use super::shipped::{self, Tally};
use crate::channels::{http, Channel, ChannelError, FulfillmentPush};

/// Order statuses a shipment must not overwrite.
const CLOSED: &[&str] = &["cancelled", "refunded", "failed", "trash", "checkout-draft"];

/// The note WooCommerce shows the customer for a shipment of the whole order (or of its rest).
pub fn note_text(carrier: &str, tracking: &str) -> String {
    let carrier = carrier.trim();
    let tracking = tracking.trim();
    match (carrier.is_empty(), tracking.is_empty()) {
        (false, false) => format!("Shipped via {carrier}, tracking {tracking}"),
        (false, true) => format!("Shipped via {carrier}"),
        (true, false) => format!("Shipped, tracking {tracking}"),
        (true, true) => "Shipped".to_string(),
    }
}

/// The note for a shipment of part of the order (more is to come).
pub fn partial_note_text(carrier: &str, tracking: &str) -> String {
    let whole = note_text(carrier, tracking);
    let rest = whole.strip_prefix("Shipped").unwrap_or(&whole);
    format!("Part of your order shipped{rest}")
}

/// Whether a note of `GET /orders/<id>/notes` already reports this shipment: one that names the
/// tracking number (or, with no tracking number, one with the same text, whole or part).
pub fn already_noted(notes: &[Value], carrier: &str, tracking: &str) -> bool {
    let needles = if tracking.trim().is_empty() {
        vec![
            note_text(carrier, tracking),
            partial_note_text(carrier, tracking),
        ]
    } else {
        vec![tracking.trim().to_string()]
    };
    notes.iter().any(|n| {
        n.get("note")
            .and_then(Value::as_str)
            .is_some_and(|text| needles.iter().any(|needle| text.contains(needle.as_str())))
    })
}

impl WooChannel {
    /// [`crate::channels::Channel::push_fulfillment`] for WooCommerce (see the module docs).
    pub(super) async fn push_shipment(&self, push: &FulfillmentPush) -> Result<(), ChannelError> {
        let id = push.order_external_id.trim();
        if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ChannelError::Rejected {
                what: format!("{}: fulfillment of {id}", self.id()),
                detail: "a WooCommerce order id is a number".into(),
            });
        }
        let intent = push.intent_at.timestamp_millis();

        let url = self.api_url(&format!("orders/{id}"));
        let what = http::describe(self.id(), "GET", &url);
        let (_, body) = self.call(Method::GET, url.clone(), None, intent).await?;
        let order: Value = http::parse(&what, &body)?;
        let status = order
            .get("status")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        if CLOSED.contains(&status.as_str()) {
            return Err(ChannelError::Rejected {
                what,
                detail: format!("the order is `{status}` in the shop; not marking it shipped"),
            });
        }
        let tally = Tally::read(&order).unwrap_or_else(|why| {
            // Rewritten below with what this push knows; at worst a part is taken for less.
            tracing::warn!(channel = %self.id(), order = id, "{why}; starting it again");
            Tally::default()
        });
        let judged = shipped::judge(tally, push, &shipped::line_items(&order));

        if self.shipment_tracking && !push.tracking.trim().is_empty() {
            self.add_tracking(id, push, intent).await?;
        }

        let notes_url = self.api_url(&format!("orders/{id}/notes"));
        let what = http::describe(self.id(), "GET", &notes_url);
        let (_, body) = self
            .call(Method::GET, notes_url.clone(), None, intent)
            .await?;
        let notes: Vec<Value> = http::parse(&what, &body)?;
        if !already_noted(&notes, &push.carrier, &push.tracking) {
            let text = if judged.whole {
                note_text(&push.carrier, &push.tracking)
            } else {
                partial_note_text(&push.carrier, &push.tracking)
            };
            let note = json!({ "note": text, "customer_note": true });
            self.call(Method::POST, notes_url, Some(&note), intent)
                .await?;
        }

        let complete = judged.whole && status != "completed";
        let mut update = serde_json::Map::new();
        if !judged.recorded {
            update.insert(
                "meta_data".into(),
                json!([{ "key": shipped::META_KEY, "value": judged.tally.meta_value() }]),
            );
        }
        if complete {
            update.insert("status".into(), json!("completed"));
        }
        if update.is_empty() {
            return Ok(());
        }
        let what = http::describe(self.id(), "PUT", &url);
        let (_, body) = self
            .call(Method::PUT, url, Some(&Value::Object(update)), intent)
            .await?;
        let saved: Value = http::parse(&what, &body)?;
        let now = saved.get("status").and_then(Value::as_str).unwrap_or("");
        if complete && now != "completed" {
            return Err(ChannelError::Rejected {
                what,
                detail: format!("the shop kept the order `{now}` instead of `completed`"),
            });
        }
        Ok(())
    }
}
