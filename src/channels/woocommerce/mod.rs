//! The WooCommerce connector: REST API v3 (`/wp-json/wc/v3`), spec §2.
//!
//! - [`map`]: a WooCommerce order (list element, single order, webhook body) into a
//!   [`ChannelOrder`]; the choices it makes are listed there.
//! - [`client`]: [`WooChannel`], the poller's view of one shop (paging, auth, classification).
//! - [`webhook`]: signature check, the creation ping, mapping a delivery.
//! - [`stock`]: available-to-sell levels by SKU (SKU lookup and cache, batch updates).
//! - [`fulfil`]: shipments as a customer note with the tracking, the Shipment Tracking
//!   extension's item when the channel's `shipment_tracking` is on ([`tracking`]), and the
//!   `completed` status once the whole order has shipped ([`shipped`]).
//!
//! Quarantined payloads are stored under the format [`FORMAT`] (one order's JSON, as listed or
//! as delivered by a webhook) and mapped again by [`map_stored`].

pub mod client;
pub mod fulfil;
pub mod map;
pub mod shipped;
pub mod stock;
pub mod text;
pub mod tracking;
pub mod webhook;

#[cfg(test)]
mod push_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tracking_tests;

use super::{MapContext, Mapped};
use crate::model::ChannelOrder;

pub use client::WooChannel;
pub use stock::ProductRef;
pub use webhook::{deleted_id, is_ping, map_webhook, sign_webhook, verify_webhook};

/// The quarantine format of one WooCommerce v3 order's JSON.
pub const FORMAT: &str = "woocommerce-v3-order";

/// Quarantine format names this module can map again.
pub const FORMATS: &[&str] = &[FORMAT];

/// Maps one stored order payload again (`ordo quarantine retry`); `Err` is why it still cannot
/// be mapped.
pub fn map_stored(format: &str, raw: &str, ctx: &MapContext) -> Result<ChannelOrder, String> {
    if !FORMATS.contains(&format) {
        return Err(format!(
            "format `{format}` is not a WooCommerce format (expected {FORMAT})"
        ));
    }
    let value: serde_json::Value =
        serde_json::from_str(raw).map_err(|e| format!("not JSON: {e}"))?;
    map::map_value(&value, ctx)
}

/// Maps saved list answers (`ordo ingest --channel woocommerce FILE...`): each file is the
/// JSON array `GET /wp-json/wc/v3/orders` returns. Every order comes back, mapped or unmappable;
/// `Err` names a file that is not such an array at all.
pub fn map_saved(files: &[(String, Vec<u8>)], ctx: &MapContext) -> Result<Vec<Mapped>, String> {
    let mut out = Vec::new();
    for (name, bytes) in files {
        let text =
            std::str::from_utf8(bytes).map_err(|e| format!("{name}: not UTF-8 text ({e})"))?;
        let text = text.trim_start_matches('\u{feff}');
        let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
            format!("{name}: not a WooCommerce orders answer (a JSON array of orders): {e}")
        })?;
        let serde_json::Value::Array(values) = value else {
            return Err(format!(
                "{name}: not a WooCommerce orders answer: expected a JSON array of orders \
                 (GET /wp-json/wc/v3/orders), found a JSON {}",
                if value.is_object() { "object" } else { "value" }
            ));
        };
        out.extend(map::map_array(text, &values, ctx));
    }
    Ok(out)
}
