//! Shopify (REST Admin API, spec §1): polling `orders.json`, mapping the REST order resource,
//! and checking webhook signatures.
//!
//! - `client`: [`ShopifyChannel`], the poller's side: first page `status=any&updated_at_min=
//!   ...&limit=...`, then the `Link` header's `next` URL exactly as given, never to another
//!   origin; the call-limit header as [`crate::channels::RateHeadroom`].
//! - `map`: one order's JSON into a [`ChannelOrder`], or quarantined with the reason.
//! - `list`: the exact text of each order of a `{"orders":[...]}` answer (kept raw).
//! - `push`: stock levels (`inventory_levels/set.json`, spec §1.6) with the SKU → inventory
//!   item cache and the location.
//! - `fulfil`: shipments from fulfillment orders (`fulfillments.json`, spec §1.7), never
//!   twice for one push.
//! - here: the quarantine format, saved list answers (`ordo ingest`), webhook HMACs.

mod client;
mod fulfil;
mod list;
mod map;
mod push;

#[cfg(test)]
mod push_tests;
#[cfg(test)]
mod tests;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use super::{MapContext, Mapped};
use crate::model::ChannelOrder;

pub use client::{
    call_limit, cursor_refused, link, parse_call_limit, parse_link, ShopifyChannel,
    CALL_LIMIT_HEADER, MAX_PAGE_SIZE, TOKEN_HEADER,
};
pub use fulfil::{
    already_reported, fulfillment_body, plan_fulfillment, shopify_carrier, ExistingFulfillment,
    ExistingLine, FulfillmentOrder, FulfillmentOrderLine, FulfillmentPart,
};
pub use list::order_elements;
pub use map::map_order;
pub use push::{
    refused_field, stock_set_body, ProductVariant, VariantCache, FULL_BUCKET_WAIT,
    INVENTORY_SET_PATH, STOCK_BATCH, VARIANT_REFRESH_MIN,
};

/// The quarantine format of one REST order resource (a list element or a webhook body).
pub const FORMAT: &str = "shopify-rest-order";
/// Quarantine format names this module can map again.
pub const FORMATS: &[&str] = &[FORMAT];
/// The webhook header that carries the signature.
pub const HMAC_HEADER: &str = "X-Shopify-Hmac-Sha256";

/// Maps one quarantined order again (`ordo quarantine retry`), for example after a
/// `[channels.sku_map]` entry was added.
pub fn map_stored(format: &str, raw: &str, ctx: &MapContext) -> Result<ChannelOrder, String> {
    if !FORMATS.contains(&format) {
        return Err(format!("format `{format}` is not a Shopify format"));
    }
    match map_order(raw, ctx) {
        Mapped::Order { order, .. } => Ok(*order),
        Mapped::Unmappable { reason, .. } => Err(reason),
    }
}

/// Every order of saved `GET orders.json` answers (`{"orders":[...]}`), mapped or
/// unmappable. Err only when a file is not such an answer at all; it names the file.
pub fn map_saved(files: &[(String, Vec<u8>)], ctx: &MapContext) -> Result<Vec<Mapped>, String> {
    let mut out = Vec::new();
    for (name, body) in files {
        let elements = order_elements(body).map_err(|e| {
            format!("{name}: not a Shopify orders answer (`{{\"orders\":[...]}}`): {e}")
        })?;
        out.extend(elements.into_iter().map(|raw| map_order(raw, ctx)));
    }
    Ok(out)
}

/// Maps one webhook body (`orders/create`, `orders/updated`, `orders/cancelled`, ...: the full
/// REST order resource). Check the signature with [`verify_webhook`] first, on these bytes.
pub fn map_webhook(body: &[u8], ctx: &MapContext) -> Mapped {
    match std::str::from_utf8(body) {
        Ok(text) => map_order(text, ctx),
        Err(e) => Mapped::Unmappable {
            raw: String::from_utf8_lossy(body).into_owned(),
            reason: format!("the webhook body is not UTF-8: {e}"),
            external_id: None,
            updated_at: None,
        },
    }
}

fn mac(secret: &[u8], body: &[u8]) -> [u8; 32] {
    // HMAC takes a key of any length; new_from_slice cannot fail for it.
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(body);
    mac.finalize().into_bytes().into()
}

/// `X-Shopify-Hmac-Sha256` for a body: base64 of HMAC-SHA256 over the raw bytes.
pub fn sign_webhook(secret: &[u8], body: &[u8]) -> String {
    BASE64.encode(mac(secret, body))
}

/// Whether `hmac_header` is the base64 HMAC-SHA256 of the raw `body` under `secret`, compared
/// in constant time (edge case 17). A hex digest, a digest of re-serialized JSON or an empty
/// header is refused. During a secret rotation call it once per secret.
pub fn verify_webhook(secret: &[u8], body: &[u8], hmac_header: &str) -> bool {
    let Ok(given) = BASE64.decode(hmac_header.trim()) else {
        return false;
    };
    let expected = mac(secret, body);
    given.len() == expected.len() && bool::from(expected[..].ct_eq(&given[..]))
}
