//! `[[channels]]` and `[webhooks]`: raw (as written) to [`ChannelConfig`] and
//! [`WebhooksConfig`], reporting into validate's `Problems` like every other section.
//!
//! Secrets never appear in a message. A `*_env` key holds the *name* of an environment variable,
//! but people paste the secret itself there, so no message quotes a `*_env` value, whatever is
//! wrong with it; a URL or an API version is quoted only when it cannot be carrying credentials
//! (see [`common::shown`]).
//!
//! This file reads one entry and hands its kind's own keys to `shopify`, `woocommerce` or
//! `amazon`; what every kind shares is in `common` (URLs, numbers, the SKU map), `buffers`,
//! `env` (the `*_env` keys) and `keys` (a key of another kind).

mod amazon;
mod buffers;
mod common;
mod env;
mod keys;
mod shopify;
mod webhooks;
mod woocommerce;

use std::collections::HashMap;
use std::ops::Range;

use toml::Spanned;

use super::channels::{
    ChannelConfig, ChannelSettings, DEFAULT_OVERLAP_SECS, DEFAULT_POLL_INTERVAL_SECS,
    MAX_OVERLAP_SECS, POLL_INTERVAL_RANGE,
};
use super::error;
use super::raw::RawChannel;
use super::validate::{article, Problems};
use crate::model::ChannelKind;
use buffers::buffers;
use common::{http_url, page_size, seconds, sku_map};
use env::Env;
use keys::foreign_keys;

#[cfg(test)]
pub(super) use env::looks_like_secret;
pub(super) use webhooks::webhooks;

/// What `kind = "..."` may say, as messages list it.
const KIND_LIST: &str = "\"shopify\", \"woocommerce\" or \"amazon\"";

pub(super) fn channels(raw: Vec<Spanned<RawChannel>>, p: &mut Problems) -> Vec<ChannelConfig> {
    // id -> (index, line) of its first use, to name both places on a duplicate.
    let mut seen: HashMap<String, (usize, usize)> = HashMap::new();
    let mut out = Vec::with_capacity(raw.len());
    for (i, ch) in raw.into_iter().enumerate() {
        let header = ch.span();
        let mut ch = ch.into_inner();
        let id = channel_id(i, &header, ch.id.take(), &mut seen, p);
        if let Some(channel) = channel(i, &header, id, ch, p) {
            out.push(channel);
        }
    }
    out
}

fn channel_id(
    i: usize,
    header: &Range<usize>,
    id: Option<Spanned<toml::Value>>,
    seen: &mut HashMap<String, (usize, usize)>,
    p: &mut Problems,
) -> String {
    let key = format!("channels[{i}].id");
    let Some(id) = id else {
        p.report(
            header.clone(),
            key,
            format!(
                "channels[{i}]: missing key `id`; every channel needs one, e.g. id = \"shopify\""
            ),
        );
        return String::new();
    };
    let span = id.span();
    match id.into_inner() {
        toml::Value::String(id) if id.trim().is_empty() => {
            p.report(
                span,
                key,
                format!("channels[{i}].id is empty; name the channel, e.g. id = \"shopify\""),
            );
            id
        }
        toml::Value::String(id) => {
            if let Some(&(first, first_line)) = seen.get(&id) {
                p.report(
                    span,
                    key,
                    format!(
                        "channels[{i}].id = {id:?} is already used by channels[{first}] at line {first_line}; channel ids must be unique"
                    ),
                );
            } else {
                let line = p.line(&span);
                seen.insert(id.clone(), (i, line));
            }
            id
        }
        other => {
            p.report(
                span,
                key,
                format!(
                    "channels[{i}].id must be a string, not {} {}; quote it, e.g. id = \"shopify\"",
                    article(other.type_str()),
                    other.type_str()
                ),
            );
            String::new()
        }
    }
}

/// The rest of one entry. `None` only when a problem was reported (no kind, no base_url), so
/// the missing channel never escapes: any problem turns the whole load into an error.
fn channel(
    i: usize,
    header: &Range<usize>,
    id: String,
    mut raw: RawChannel,
    p: &mut Problems,
) -> Option<ChannelConfig> {
    let kind = kind(i, header, raw.kind.as_ref(), p);
    let base_url = match &raw.base_url {
        None => {
            p.report(
                header.clone(),
                format!("channels[{i}].base_url"),
                format!(
                    "channels[{i}]: missing key `base_url`; give the address of the channel's API, e.g. base_url = \"{}\"",
                    example_url(kind)
                ),
            );
            None
        }
        Some(v) => http_url(p, v, i, "base_url", example_url(kind))
            .map(|url| url.as_str().trim_end_matches('/').to_owned()),
    };
    let (min, max) = POLL_INTERVAL_RANGE;
    let poll_interval_secs = seconds(
        p,
        raw.poll_interval_secs.as_ref(),
        format!("channels[{i}].poll_interval_secs"),
        (min, max, "one day"),
        DEFAULT_POLL_INTERVAL_SECS,
    );
    let overlap_secs = seconds(
        p,
        raw.overlap_secs.as_ref(),
        format!("channels[{i}].overlap_secs"),
        (0, MAX_OVERLAP_SECS, "one week"),
        DEFAULT_OVERLAP_SECS,
    );
    let page_size = match (&raw.page_size, kind) {
        (Some(v), Some(kind)) => page_size(p, v, i, kind),
        _ => None,
    };
    let sku_map = sku_map(p, raw.sku_map.as_ref(), i);
    let buffers = buffers(p, std::mem::take(&mut raw.buffers), i);
    let enabled = raw.enabled.unwrap_or(true);
    let kind = kind?;
    // A key of another kind says which keys this kind uses: when there is one, that message
    // stands for the missing ones too (`token_env` on a woocommerce channel is the mistake,
    // not the missing consumer keys on the header's line).
    let foreign = foreign_keys(p, &raw, i, kind);
    let settings = settings(p, header, i, kind, raw, !foreign);
    Some(ChannelConfig {
        id,
        kind,
        base_url: base_url?,
        enabled,
        poll_interval_secs,
        overlap_secs,
        page_size,
        sku_map,
        buffers,
        settings,
    })
}

fn kind(
    i: usize,
    header: &Range<usize>,
    raw: Option<&Spanned<String>>,
    p: &mut Problems,
) -> Option<ChannelKind> {
    let Some(v) = raw else {
        p.report(
            header.clone(),
            format!("channels[{i}].kind"),
            format!("channels[{i}]: missing key `kind`; add kind = {KIND_LIST}"),
        );
        return None;
    };
    if let Some(kind) = ChannelKind::parse(v.get_ref()) {
        return Some(kind);
    }
    let names: Vec<String> = ChannelKind::ALL
        .iter()
        .map(|k| k.as_str().to_owned())
        .collect();
    let mut message = format!(
        "channels[{i}].kind = {:?} is not a channel kind; use {KIND_LIST}",
        v.get_ref()
    );
    if let Some(good) = error::closest(v.get_ref(), &names) {
        message.push_str(&format!("; did you mean \"{good}\"?"));
    }
    p.report(v.span(), format!("channels[{i}].kind"), message);
    None
}

/// What a `base_url` looks like for each kind (any kind when it is not known).
fn example_url(kind: Option<ChannelKind>) -> &'static str {
    match kind {
        Some(ChannelKind::Shopify) | None => "https://your-shop.myshopify.com",
        Some(ChannelKind::Woocommerce) => "https://shop.example.com",
        Some(ChannelKind::Amazon) => "https://sellingpartnerapi-na.amazon.com",
    }
}

fn settings(
    p: &mut Problems,
    header: &Range<usize>,
    i: usize,
    kind: ChannelKind,
    raw: RawChannel,
    report_missing: bool,
) -> ChannelSettings {
    let env = Env {
        i,
        kind,
        header,
        report_missing,
    };
    match kind {
        ChannelKind::Shopify => shopify::settings(p, &env, raw),
        ChannelKind::Woocommerce => woocommerce::settings(p, &env, raw),
        ChannelKind::Amazon => amazon::settings(p, &env, header, raw),
    }
}
