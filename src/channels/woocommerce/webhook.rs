//! WooCommerce webhooks (spec §2.8, edge cases 1, 17, 18): the signature check, the unsigned
//! creation ping, and mapping a delivery's body.
//!
//! A delivery's body is the same JSON as `GET /orders/<id>`; `X-WC-Webhook-Signature` is
//! `base64(HMAC-SHA256(raw body, secret))`, where WooCommerce first runs the secret through
//! `wp_specialchars_decode`. The delivery id is not stable, so duplicates are told apart by
//! (order id, `date_modified_gmt`), which is what the ledger does with the mapped order.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use super::map;
use crate::channels::{MapContext, Mapped};

type HmacSha256 = Hmac<Sha256>;

/// Whether `signature_header` (the `X-WC-Webhook-Signature` value) is the signature of the raw
/// `body` under `secret` (the secret as configured in WooCommerce; its HTML entities are decoded
/// as WooCommerce does). Compared in constant time; a malformed header is simply false.
pub fn verify_webhook(secret: &[u8], body: &[u8], signature_header: &str) -> bool {
    let Ok(given) = STANDARD.decode(signature_header.trim()) else {
        return false;
    };
    let expected = mac(secret, body);
    given.len() == expected.len() && bool::from(given.ct_eq(&expected))
}

/// The signature WooCommerce sends for `body` (for tests and the simulator).
pub fn sign_webhook(secret: &[u8], body: &[u8]) -> String {
    STANDARD.encode(mac(secret, body))
}

fn mac(secret: &[u8], body: &[u8]) -> Vec<u8> {
    let key = specialchars_decode(secret);
    let mut m = HmacSha256::new_from_slice(&key).expect("HMAC takes a key of any length");
    m.update(body);
    m.finalize().into_bytes().to_vec()
}

/// WordPress's `wp_specialchars_decode($secret, ENT_QUOTES)`, as `WC_Webhook` applies it to the
/// secret: `&amp; &lt; &gt; &quot;` and the numeric forms of `& < > " '` (`&#039;`, `&#38;`,
/// `&#x27;`, `&#x22;`, `&#x26;`, leading zeros allowed) become the characters; anything else
/// (other entities, upper-case names) is left as it is.
fn specialchars_decode(secret: &[u8]) -> Vec<u8> {
    if !secret.contains(&b'&') {
        return secret.to_vec();
    }
    let mut out = Vec::with_capacity(secret.len());
    let mut i = 0;
    while i < secret.len() {
        if secret[i] == b'&' {
            if let Some((c, len)) = special_entity(&secret[i..]) {
                out.push(c);
                i += len;
                continue;
            }
        }
        out.push(secret[i]);
        i += 1;
    }
    out
}

/// The character and length of the entity `s` starts with, if WordPress decodes it.
fn special_entity(s: &[u8]) -> Option<(u8, usize)> {
    for (name, c) in [
        (&b"&amp;"[..], b'&'),
        (b"&lt;", b'<'),
        (b"&gt;", b'>'),
        (b"&quot;", b'"'),
    ] {
        if s.starts_with(name) {
            return Some((c, name.len()));
        }
    }
    let rest = s.strip_prefix(b"&#")?;
    let (hex, digits_at) = match rest.first() {
        Some(b'x') | Some(b'X') => (true, 1),
        _ => (false, 0),
    };
    let body = &rest[digits_at..];
    let end = body.iter().position(|b| *b == b';')?;
    let digits = std::str::from_utf8(&body[..end]).ok()?;
    if digits.is_empty() || digits.len() > 8 {
        return None;
    }
    let code = if hex {
        u32::from_str_radix(digits, 16).ok()?
    } else {
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        digits.parse().ok()?
    };
    let c = match (hex, code) {
        (false, 39) | (true, 0x27) => b'\'',
        (false, 34) | (true, 0x22) => b'"',
        (false, 38) | (true, 0x26) => b'&',
        (false, 60) => b'<',
        (false, 62) => b'>',
        _ => return None,
    };
    Some((c, 2 + digits_at + end + 1))
}

/// Whether a delivery is WooCommerce's creation ping: a form body `webhook_id=N`, not JSON, no
/// signature. Answer it 200 without a signature check, or WooCommerce does not save the webhook.
pub fn is_ping(content_type: &str, body: &[u8]) -> bool {
    let ct = content_type.to_ascii_lowercase();
    if ct.contains("json") {
        return false;
    }
    let Ok(text) = std::str::from_utf8(body) else {
        return false;
    };
    let text = text.trim();
    let Some(id) = text.strip_prefix("webhook_id=") else {
        return false;
    };
    !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit())
}

/// Maps one webhook body (`order.created`, `order.updated`, `order.restored`): the mapped order
/// with the body as its raw payload, or why it cannot be mapped.
pub fn map_webhook(body: &[u8], ctx: &MapContext) -> Mapped {
    match std::str::from_utf8(body) {
        Ok(text) => map::map_one(text, ctx),
        Err(e) => Mapped::Unmappable {
            raw: String::from_utf8_lossy(body).into_owned(),
            reason: format!("not UTF-8 text: {e}"),
            external_id: None,
            updated_at: None,
        },
    }
}

/// The order id of an `order.deleted` body (`{"id":123}`), which carries nothing else; None when
/// the body is not that. The receiver should have the poller fetch the order (a trashed order is
/// listed with status `trash`) rather than quarantine the notice.
pub fn deleted_id(body: &[u8]) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    let obj = v.as_object()?;
    if obj.contains_key("status") || obj.contains_key("line_items") {
        return None;
    }
    match obj.get("id")? {
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::String(s) if !s.is_empty() => Some(s.clone()),
        _ => None,
    }
}
