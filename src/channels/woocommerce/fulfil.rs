//! Reporting a shipment to WooCommerce (spec §2.7).
//!
//! WooCommerce core has no shipment object. A shipment is the order's `completed` status plus
//! a customer note with the carrier and the tracking number:
//!
//! 1. `GET /wp-json/wc/v3/orders/<id>`: the order must exist (404 is a refusal) and must not be
//!    `cancelled`, `refunded`, `failed` or `trash` (refused: the shop no longer wants it sent).
//! 2. `GET /orders/<id>/notes`: a note that already names the tracking number means an earlier
//!    attempt got that far, so no second note is added (retries are safe).
//! 3. `POST /orders/<id>/notes` with `{"note":"Shipped via <carrier>, tracking <number>",
//!    "customer_note":true}` (WooCommerce e-mails customer notes to the customer).
//! 4. `PUT /orders/<id>` with `{"status":"completed"}`, unless it is completed already (this
//!    sends WooCommerce's "Completed order" e-mail, once, after the tracking note).
//!
//! Every request carries `X-Ordo-Intent-At`. The Shipment Tracking extension's endpoint
//! (`/wc-shipment-tracking/v3/orders/<id>/shipment-trackings`) is not used: the channel config
//! has no switch for it yet.

use reqwest::Method;
use serde_json::{json, Value};

use super::client::WooChannel;
use crate::channels::{http, Channel, ChannelError, FulfillmentPush};

/// Order statuses a shipment must not overwrite.
const CLOSED: &[&str] = &["cancelled", "refunded", "failed", "trash", "checkout-draft"];

/// The note WooCommerce shows the customer.
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

/// Whether a note of `GET /orders/<id>/notes` already reports this shipment: one that names the
/// tracking number (or, with no tracking number, one with the same text).
pub fn already_noted(notes: &[Value], carrier: &str, tracking: &str) -> bool {
    let needle = if tracking.trim().is_empty() {
        note_text(carrier, tracking)
    } else {
        tracking.trim().to_string()
    };
    notes.iter().any(|n| {
        n.get("note")
            .and_then(Value::as_str)
            .is_some_and(|text| text.contains(&needle))
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

        let notes_url = self.api_url(&format!("orders/{id}/notes"));
        let what = http::describe(self.id(), "GET", &notes_url);
        let (_, body) = self
            .call(Method::GET, notes_url.clone(), None, intent)
            .await?;
        let notes: Vec<Value> = http::parse(&what, &body)?;
        if !already_noted(&notes, &push.carrier, &push.tracking) {
            let note = json!({
                "note": note_text(&push.carrier, &push.tracking),
                "customer_note": true,
            });
            self.call(Method::POST, notes_url, Some(&note), intent)
                .await?;
        }

        if status != "completed" {
            let what = http::describe(self.id(), "PUT", &url);
            let (_, body) = self
                .call(
                    Method::PUT,
                    url,
                    Some(&json!({ "status": "completed" })),
                    intent,
                )
                .await?;
            let saved: Value = http::parse(&what, &body)?;
            let now = saved.get("status").and_then(Value::as_str).unwrap_or("");
            if now != "completed" {
                return Err(ChannelError::Rejected {
                    what,
                    detail: format!("the shop kept the order `{now}` instead of `completed`"),
                });
            }
        }
        Ok(())
    }
}
