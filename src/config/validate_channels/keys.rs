//! Which kind a key belongs to: a key of another kind is reported with the keys this kind
//! uses instead.

use std::ops::Range;

use crate::config::channels::{allows, kind_keys};
use crate::config::raw::RawChannel;
use crate::config::validate::{article, Problems};
use crate::model::ChannelKind;

/// The kind-specific keys that were written, with where.
pub(super) fn specific_keys(raw: &RawChannel) -> Vec<(&'static str, Range<usize>)> {
    let strings = [
        ("token_env", &raw.token_env),
        ("api_version", &raw.api_version),
        ("consumer_key_env", &raw.consumer_key_env),
        ("consumer_secret_env", &raw.consumer_secret_env),
        ("webhook_secret_env", &raw.webhook_secret_env),
        ("refresh_token_env", &raw.refresh_token_env),
        ("client_id_env", &raw.client_id_env),
        ("client_secret_env", &raw.client_secret_env),
        ("token_url", &raw.token_url),
        ("seller_id", &raw.seller_id),
    ];
    let mut out: Vec<(&'static str, Range<usize>)> = strings
        .into_iter()
        .filter_map(|(name, v)| v.as_ref().map(|v| (name, v.span())))
        .collect();
    if let Some(v) = &raw.location_id {
        out.push(("location_id", v.span()));
    }
    if let Some(v) = &raw.marketplace_ids {
        out.push(("marketplace_ids", v.span()));
    }
    if let Some(v) = &raw.push_rate {
        out.push(("push_rate", v.span()));
    }
    if let Some(v) = &raw.push_burst {
        out.push(("push_burst", v.span()));
    }
    if let Some(v) = &raw.shipment_tracking {
        out.push(("shipment_tracking", v.span()));
    }
    out
}

/// A key of another kind: `token_env is a shopify key; a woocommerce channel uses ...`.
/// Whether there was one.
pub(super) fn foreign_keys(
    p: &mut Problems,
    raw: &RawChannel,
    i: usize,
    kind: ChannelKind,
) -> bool {
    let mut found = false;
    for (name, span) in specific_keys(raw) {
        if allows(kind, name) {
            continue;
        }
        let owners: Vec<&str> = ChannelKind::ALL
            .iter()
            .filter(|k| kind_keys(**k).contains(&name))
            .map(|k| k.as_str())
            .collect();
        let tail = match (kind, name) {
            (ChannelKind::Amazon, "webhook_secret_env") => {
                "an amazon channel is polled and takes no webhooks; remove it".to_owned()
            }
            // Not a credential: naming the credential keys would not help.
            (_, "shipment_tracking") => format!(
                "WooCommerce's Shipment Tracking extension does not apply to {} {kind} channel; remove it",
                article(kind.as_str())
            ),
            _ => format!(
                "{} {kind} channel uses {}",
                article(kind.as_str()),
                list(credential_keys(kind))
            ),
        };
        p.report(
            span,
            format!("channels[{i}].{name}"),
            format!(
                "channels[{i}].{name} is {} {} key; {tail}",
                article(owners.first().copied().unwrap_or("")),
                owners.join(" and ")
            ),
        );
        // The switch names no credential, so it does not stand for the missing ones.
        found |= name != "shipment_tracking";
    }
    found
}

/// The required `*_env` keys of a kind.
pub(super) fn credential_keys(kind: ChannelKind) -> &'static [&'static str] {
    match kind {
        ChannelKind::Shopify => &["token_env"],
        ChannelKind::Woocommerce => &["consumer_key_env", "consumer_secret_env"],
        ChannelKind::Amazon => &["refresh_token_env", "client_id_env", "client_secret_env"],
    }
}

/// `a`, `a and b`, `a, b and c`.
pub(super) fn list(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [head @ .., last] => format!("{} and {last}", head.join(", ")),
    }
}
