//! `[[channels]]` and `[webhooks]`: raw (as written) to [`ChannelConfig`] and
//! [`WebhooksConfig`], reporting into validate's `Problems` like every other section.
//!
//! Secrets never appear in a message. A `*_env` key holds the *name* of an environment variable,
//! but people paste the secret itself there, so no message quotes a `*_env` value, whatever is
//! wrong with it; a URL or an API version is quoted only when it cannot be carrying credentials
//! (see [`shown`]).

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::ops::Range;

use reqwest::Url;
use toml::Spanned;

use super::channels::{
    allows, kind_keys, max_page_size, ChannelConfig, ChannelSettings, WebhooksConfig,
    DEFAULT_AMAZON_TOKEN_URL, DEFAULT_OVERLAP_SECS, DEFAULT_POLL_INTERVAL_SECS,
    DEFAULT_SHOPIFY_API_VERSION, MAX_OVERLAP_SECS, MAX_PUSH_BURST, MAX_PUSH_RATE,
    POLL_INTERVAL_RANGE,
};
use super::error;
use super::outline::{DisplayKey, Outline, Seg};
use super::raw::{RawBuffer, RawChannel, RawWebhooks};
use super::validate::{article, Problems};
use crate::inventory::ats::{pattern_problem, ANY_SKU};
use crate::inventory::{Buffer, BufferRule};
use crate::model::ChannelKind;

/// What `kind = "..."` may say, as messages list it.
const KIND_LIST: &str = "\"shopify\", \"woocommerce\" or \"amazon\"";

/// Written before the secret-looking check's message: how a variable name is made.
const ENV_NAME_RULE: &str = "letters, digits and '_', not starting with a digit";

/// Known prefixes of the secrets themselves: Shopify access tokens and secrets, WooCommerce
/// consumer keys and secrets, Login with Amazon refresh tokens, client ids and secrets.
const SECRET_PREFIXES: &[&str] = &[
    "shpat_", "shpca_", "shppa_", "shpss_", "ck_", "cs_", "Atzr|", "amzn1.",
];

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

/// `= "value"` for a message, or nothing when the value could be carrying a credential (a
/// user name or password in a URL, a token in a query string) or is too long to be anything but
/// pasted by mistake.
fn shown(value: &str) -> String {
    if value.contains(['@', '?', '#']) || value.chars().count() > 100 {
        String::new()
    } else {
        format!(" = {value:?}")
    }
}

/// An http or https URL with a host, no credentials, no query string and no fragment.
fn http_url(
    p: &mut Problems,
    v: &Spanned<String>,
    i: usize,
    field: &str,
    example: &str,
) -> Option<Url> {
    let key = format!("channels[{i}].{field}");
    let text = v.get_ref();
    let problem = if text.trim().is_empty() {
        format!("{key} is empty; give the address, e.g. {field} = \"{example}\"")
    } else {
        match Url::parse(text.trim()) {
            Err(_) => format!(
                "{key}{} is not a URL; write the whole address with http:// or https://, e.g. {field} = \"{example}\"",
                shown(text)
            ),
            Ok(url) if !matches!(url.scheme(), "http" | "https") => format!(
                "{key}{} is not an http or https URL; use e.g. {field} = \"{example}\"",
                shown(text)
            ),
            Ok(url) if url.host_str().is_none_or(str::is_empty) => format!(
                "{key}{} has no host; use e.g. {field} = \"{example}\"",
                shown(text)
            ),
            Ok(url) if !url.username().is_empty() || url.password().is_some() => format!(
                "{key} has a user name or password in it; remove them: credentials come from environment variables (the *_env keys), never from this file"
            ),
            Ok(url) if url.query().is_some() || url.fragment().is_some() => format!(
                "{key} has a query string or fragment (from '?' or '#'); give the address without it, e.g. {field} = \"{example}\""
            ),
            Ok(url) => return Some(url),
        }
    };
    p.report(v.span(), key, problem);
    None
}

/// Seconds within `min..=max` (`max` named in words too), or the default when not given.
fn seconds(
    p: &mut Problems,
    v: Option<&Spanned<i64>>,
    key: String,
    (min, max, max_words): (u64, u64, &str),
    default: u64,
) -> u64 {
    let Some(v) = v else {
        return default;
    };
    match u64::try_from(*v.get_ref()) {
        Ok(n) if (min..=max).contains(&n) => n,
        _ => {
            let message = format!(
                "{key} = {} is out of range; use a number of seconds from {min} to {max} ({max_words}), the default is {default}",
                v.get_ref()
            );
            p.report(v.span(), key, message);
            default
        }
    }
}

fn page_size(p: &mut Problems, v: &Spanned<i64>, i: usize, kind: ChannelKind) -> Option<u32> {
    let max = max_page_size(kind);
    match u32::try_from(*v.get_ref()) {
        Ok(n) if (1..=max).contains(&n) => Some(n),
        _ => {
            p.report(
                v.span(),
                format!("channels[{i}].page_size"),
                format!(
                    "channels[{i}].page_size = {} is out of range; {} {kind} channel takes 1 to {max} per page, or remove it to ask for {max}",
                    v.get_ref(),
                    article(kind.as_str()),
                ),
            );
            None
        }
    }
}

/// `[channels.sku_map]`: product reference -> ordo SKU, neither empty.
fn sku_map(
    p: &mut Problems,
    raw: Option<&BTreeMap<String, Spanned<String>>>,
    i: usize,
) -> BTreeMap<String, String> {
    let Some(raw) = raw else {
        return BTreeMap::new();
    };
    let mut out = BTreeMap::new();
    for (reference, sku) in raw {
        let key = format!("channels[{i}].sku_map.{}", DisplayKey(reference));
        if reference.trim().is_empty() {
            p.report(
                sku.span(),
                key,
                format!(
                    "channels[{i}].sku_map has an entry with an empty product reference; write the channel's variant id, product id or ASIN, or remove the entry"
                ),
            );
        } else if sku.get_ref().trim().is_empty() {
            p.report(
                sku.span(),
                key.clone(),
                format!(
                    "{key} is empty; write the ordo SKU this product is, e.g. {} = \"TSHIRT-M\", or remove the entry",
                    DisplayKey(reference)
                ),
            );
        }
        out.insert(reference.clone(), sku.get_ref().clone());
    }
    out
}

/// `[[channels.buffers]]`: every `skus` a valid glob that some SKU can reach (not after a `"*"`
/// rule, not the same as an earlier one), `safety`, `max` and `min` at least 0, `percent` 0 to
/// 100, and `min` no more than `max`.
fn buffers(p: &mut Problems, raw: Vec<Spanned<RawBuffer>>, i: usize) -> Vec<BufferRule> {
    // skus -> (index, line) of the first rule with it.
    let mut seen: HashMap<String, (usize, usize)> = HashMap::new();
    let mut out = Vec::with_capacity(raw.len());
    for (j, rule) in raw.into_iter().enumerate() {
        let header = rule.span();
        let rule = rule.into_inner();
        let at = format!("channels[{i}].buffers[{j}]");
        let (skus, skus_span) = match rule.skus {
            Some(v) => (v.get_ref().clone(), v.span()),
            None => (ANY_SKU.to_owned(), header.clone()),
        };
        if let Some(problem) = pattern_problem(&skus) {
            p.report(
                skus_span.clone(),
                format!("{at}.skus"),
                format!("{at}.skus{problem}"),
            );
        } else if let Some(&(first, first_line)) = seen.get(ANY_SKU) {
            p.report(
                skus_span.clone(),
                format!("{at}.skus"),
                format!(
                    "{at} can never apply: buffers[{first}] at line {first_line} has skus = \"*\", which matches every SKU first; the first matching rule wins, so put the more specific rules before it"
                ),
            );
        } else if let Some(&(first, first_line)) = seen.get(&skus) {
            p.report(
                skus_span.clone(),
                format!("{at}.skus"),
                format!(
                    "{at}.skus = {skus:?} is already used by buffers[{first}] at line {first_line}; the first matching rule wins, so this one would never apply: merge them"
                ),
            );
        } else {
            let line = p.line(&skus_span);
            seen.insert(skus.clone(), (j, line));
        }
        let count = |p: &mut Problems, v: Option<Spanned<i64>>, field: &str, help: &str| {
            let v = v?;
            if *v.get_ref() < 0 {
                p.report(
                    v.span(),
                    format!("{at}.{field}"),
                    format!("{at}.{field} = {} is out of range; {help}", v.get_ref()),
                );
            }
            Some(v)
        };
        let safety = count(
            p,
            rule.safety,
            "safety",
            "use 0 or more units held back (the default is 0)",
        );
        let percent = rule.percent.map(|v| match u32::try_from(*v.get_ref()) {
            Ok(n) if n <= 100 => n,
            _ => {
                p.report(
                    v.span(),
                    format!("{at}.percent"),
                    format!(
                        "{at}.percent = {} is out of range; use 0 to 100",
                        v.get_ref()
                    ),
                );
                100
            }
        });
        let max = count(
            p,
            rule.max,
            "max",
            "use 0 or more (the most units offered), or remove it for no cap",
        );
        let min = count(
            p,
            rule.min,
            "min",
            "use 0 or more (fewer units left than this and 0 is offered), or remove it for no minimum",
        );
        if let (Some(min), Some(max)) = (&min, &max) {
            if min.get_ref() > max.get_ref() && *max.get_ref() >= 0 {
                p.report(
                    min.span(),
                    format!("{at}.min"),
                    format!(
                        "{at}.min = {} is above max = {}, so 0 would always be offered; lower min or raise max",
                        min.get_ref(),
                        max.get_ref()
                    ),
                );
            }
        }
        out.push(BufferRule {
            skus,
            buffer: Buffer {
                safety: safety.map_or(0, Spanned::into_inner),
                percent,
                max: max.map(Spanned::into_inner),
                min: min.map(Spanned::into_inner),
            },
        });
    }
    out
}

/// The kind-specific keys that were written, with where.
fn specific_keys(raw: &RawChannel) -> Vec<(&'static str, Range<usize>)> {
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
fn foreign_keys(p: &mut Problems, raw: &RawChannel, i: usize, kind: ChannelKind) -> bool {
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
fn credential_keys(kind: ChannelKind) -> &'static [&'static str] {
    match kind {
        ChannelKind::Shopify => &["token_env"],
        ChannelKind::Woocommerce => &["consumer_key_env", "consumer_secret_env"],
        ChannelKind::Amazon => &["refresh_token_env", "client_id_env", "client_secret_env"],
    }
}

/// `a`, `a and b`, `a, b and c`.
fn list(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [head @ .., last] => format!("{} and {last}", head.join(", ")),
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
        ChannelKind::Shopify => ChannelSettings::Shopify {
            token_env: env.required(p, raw.token_env, "token_env"),
            api_version: api_version(p, raw.api_version, i),
            location_id: raw.location_id.and_then(|v| location_id(p, &v, i)),
            webhook_secret_env: env.optional(p, raw.webhook_secret_env, "webhook_secret_env"),
        },
        ChannelKind::Woocommerce => ChannelSettings::Woocommerce {
            consumer_key_env: env.required(p, raw.consumer_key_env, "consumer_key_env"),
            consumer_secret_env: env.required(p, raw.consumer_secret_env, "consumer_secret_env"),
            webhook_secret_env: env.optional(p, raw.webhook_secret_env, "webhook_secret_env"),
            shipment_tracking: raw.shipment_tracking.is_some_and(Spanned::into_inner),
        },
        ChannelKind::Amazon => ChannelSettings::Amazon {
            refresh_token_env: env.required(p, raw.refresh_token_env, "refresh_token_env"),
            client_id_env: env.required(p, raw.client_id_env, "client_id_env"),
            client_secret_env: env.required(p, raw.client_secret_env, "client_secret_env"),
            token_url: match raw.token_url {
                None => DEFAULT_AMAZON_TOKEN_URL.to_owned(),
                Some(v) => http_url(p, &v, i, "token_url", DEFAULT_AMAZON_TOKEN_URL)
                    .map(|url| url.as_str().to_owned())
                    .unwrap_or_default(),
            },
            marketplace_ids: marketplace_ids(p, header, raw.marketplace_ids, i),
            seller_id: raw.seller_id.map(|v| {
                if v.get_ref().trim().is_empty() {
                    p.report(
                        v.span(),
                        format!("channels[{i}].seller_id"),
                        format!(
                            "channels[{i}].seller_id is empty; give your Amazon seller (merchant) id, or remove the key"
                        ),
                    );
                }
                v.into_inner()
            }),
            push_rate: raw.push_rate.and_then(|v| push_rate(p, &v, i)),
            push_burst: raw.push_burst.and_then(|v| push_burst(p, &v, i)),
        },
    }
}

/// Amazon's `push_rate`: requests a second, more than 0 and at most [`MAX_PUSH_RATE`].
fn push_rate(p: &mut Problems, v: &Spanned<f64>, i: usize) -> Option<rust_decimal::Decimal> {
    let rate = *v.get_ref();
    let decimal = (rate > 0.0 && rate <= f64::from(MAX_PUSH_RATE))
        .then(|| rust_decimal::Decimal::try_from(rate).ok())
        .flatten();
    if decimal.is_none() {
        p.report(
            v.span(),
            format!("channels[{i}].push_rate"),
            format!(
                "channels[{i}].push_rate = {rate} is out of range; give the listings API's rate in requests a second, more than 0 and at most {MAX_PUSH_RATE}, e.g. push_rate = 5 (Amazon's plan, the default)"
            ),
        );
    }
    decimal
}

/// Amazon's `push_burst`: 1 to [`MAX_PUSH_BURST`] requests at once.
fn push_burst(p: &mut Problems, v: &Spanned<i64>, i: usize) -> Option<u32> {
    match u32::try_from(*v.get_ref()) {
        Ok(n) if (1..=MAX_PUSH_BURST).contains(&n) => Some(n),
        _ => {
            p.report(
                v.span(),
                format!("channels[{i}].push_burst"),
                format!(
                    "channels[{i}].push_burst = {} is out of range; give the listings API's burst, a whole number from 1 to {MAX_PUSH_BURST}, e.g. push_burst = 5 (Amazon's plan, the default)",
                    v.get_ref()
                ),
            );
            None
        }
    }
}

/// The `*_env` keys of one entry.
struct Env<'a> {
    i: usize,
    kind: ChannelKind,
    header: &'a Range<usize>,
    /// False when a key of another kind was reported, which names the keys this kind needs.
    report_missing: bool,
}

impl Env<'_> {
    /// What the variable named by `field` holds, and a name for it.
    fn help(&self, field: &str) -> (&'static str, &'static str) {
        match (self.kind, field) {
            (_, "token_env") => ("the Admin API access token", "SHOPIFY_TOKEN"),
            (_, "consumer_key_env") => ("the REST API consumer key", "WOO_CONSUMER_KEY"),
            (_, "consumer_secret_env") => ("the REST API consumer secret", "WOO_CONSUMER_SECRET"),
            (_, "refresh_token_env") => (
                "the Login with Amazon refresh token",
                "AMAZON_REFRESH_TOKEN",
            ),
            (_, "client_id_env") => ("the Login with Amazon client id", "AMAZON_CLIENT_ID"),
            (_, "client_secret_env") => (
                "the Login with Amazon client secret",
                "AMAZON_CLIENT_SECRET",
            ),
            (ChannelKind::Woocommerce, _) => ("the webhook secret", "WOO_WEBHOOK_SECRET"),
            _ => ("the webhook signing secret", "SHOPIFY_WEBHOOK_SECRET"),
        }
    }

    fn required(&self, p: &mut Problems, v: Option<Spanned<String>>, field: &str) -> String {
        match v {
            Some(v) => self.check(p, v, field),
            None if !self.report_missing => String::new(),
            None => {
                let (what, example) = self.help(field);
                let i = self.i;
                p.report(
                    self.header.clone(),
                    format!("channels[{i}].{field}"),
                    format!(
                        "channels[{i}]: missing key `{field}`; {} {} channel needs the name of the environment variable that holds {what}, e.g. {field} = \"{example}\"",
                        article(self.kind.as_str()),
                        self.kind,
                    ),
                );
                String::new()
            }
        }
    }

    fn optional(
        &self,
        p: &mut Problems,
        v: Option<Spanned<String>>,
        field: &str,
    ) -> Option<String> {
        v.map(|v| self.check(p, v, field))
    }

    /// An environment variable name, never quoted back: it may be the secret itself.
    fn check(&self, p: &mut Problems, v: Spanned<String>, field: &str) -> String {
        let (what, example) = self.help(field);
        let key = format!("channels[{}].{field}", self.i);
        let name = v.get_ref();
        let problem = if name.is_empty() {
            Some(format!(
                "{key} is empty; write the name of the environment variable that holds {what}, e.g. {field} = \"{example}\""
            ))
        } else if looks_like_secret(name) {
            Some(format!(
                "{key} names an environment variable that holds the secret, not the secret itself; put {what} in an environment variable and write the variable's name here ({ENV_NAME_RULE}), e.g. {field} = \"{example}\""
            ))
        } else if name.starts_with(|c: char| c.is_ascii_digit()) {
            Some(format!(
                "{key} is not an environment variable name: it starts with a digit; use {ENV_NAME_RULE}, e.g. {field} = \"{example}\""
            ))
        } else {
            None
        };
        if let Some(problem) = problem {
            p.report(v.span(), key, problem);
        }
        v.into_inner()
    }
}

/// A value written where an environment variable's name belongs that is more likely the secret
/// itself: a known token prefix, longer than any sensible name (64), a character no variable
/// name has, or a long run of letters and digits with no '_' (hex and base64 secrets).
pub(super) fn looks_like_secret(value: &str) -> bool {
    let is_name_char = |c: char| c.is_ascii_alphanumeric() || c == '_';
    SECRET_PREFIXES
        .iter()
        .any(|prefix| value.starts_with(prefix))
        || value.chars().count() > 64
        || !value.chars().all(is_name_char)
        || (value.len() >= 20
            && !value.contains('_')
            && value.chars().any(|c| c.is_ascii_digit())
            && value.chars().any(|c| c.is_ascii_alphabetic()))
}

fn api_version(p: &mut Problems, v: Option<Spanned<String>>, i: usize) -> String {
    let Some(v) = v else {
        return DEFAULT_SHOPIFY_API_VERSION.to_owned();
    };
    if !is_year_month(v.get_ref()) {
        p.report(
            v.span(),
            format!("channels[{i}].api_version"),
            format!(
                "channels[{i}].api_version{} is not a Shopify API version; write it as YYYY-MM, e.g. api_version = \"{DEFAULT_SHOPIFY_API_VERSION}\" (the default)",
                shown(v.get_ref())
            ),
        );
    }
    v.into_inner()
}

/// `2025-01`: four digits, '-', a month 01 to 12.
fn is_year_month(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 7
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..].iter().all(u8::is_ascii_digit)
        && matches!(
            &s[5..],
            "01" | "02" | "03" | "04" | "05" | "06" | "07" | "08" | "09" | "10" | "11" | "12"
        )
}

fn location_id(p: &mut Problems, v: &Spanned<i64>, i: usize) -> Option<u64> {
    match u64::try_from(*v.get_ref()) {
        Ok(n) if n > 0 => Some(n),
        _ => {
            p.report(
                v.span(),
                format!("channels[{i}].location_id"),
                format!(
                    "channels[{i}].location_id = {} is out of range; use the Shopify location's numeric id (a whole number from 1), or remove it",
                    v.get_ref()
                ),
            );
            None
        }
    }
}

fn marketplace_ids(
    p: &mut Problems,
    header: &Range<usize>,
    v: Option<Spanned<Vec<Spanned<String>>>>,
    i: usize,
) -> Vec<String> {
    let key = format!("channels[{i}].marketplace_ids");
    let Some(v) = v else {
        p.report(
            header.clone(),
            key,
            format!(
                "channels[{i}]: missing key `marketplace_ids`; an amazon channel needs at least one marketplace, e.g. marketplace_ids = [\"ATVPDKIKX0DER\"] (US)"
            ),
        );
        return Vec::new();
    };
    if v.get_ref().is_empty() {
        p.report(
            v.span(),
            key.clone(),
            format!(
                "{key} is empty; give at least one marketplace, e.g. marketplace_ids = [\"ATVPDKIKX0DER\"] (US)"
            ),
        );
    }
    v.into_inner()
        .into_iter()
        .map(|id| {
            if id.get_ref().trim().is_empty() {
                p.report(
                    id.span(),
                    key.clone(),
                    format!("{key} has an empty marketplace id; remove it"),
                );
            }
            id.into_inner()
        })
        .collect()
}

/// `[webhooks]`: `listen` is required, an IP address and a port other than 0.
pub(super) fn webhooks(
    raw: Option<RawWebhooks>,
    outline: &Outline,
    p: &mut Problems,
) -> Option<WebhooksConfig> {
    const EXAMPLE: &str = "listen = \"127.0.0.1:8787\"";
    let raw = raw?;
    let Some(v) = raw.listen else {
        let span = outline
            .span_of(&[Seg::Key("webhooks".to_owned())])
            .unwrap_or(0..0);
        p.report(
            span,
            "webhooks.listen",
            format!(
                "webhooks: missing key `listen`; add the address and port ordo takes webhooks on, e.g. {EXAMPLE}, or remove [webhooks] to take none"
            ),
        );
        return None;
    };
    match v.get_ref().trim().parse::<SocketAddr>() {
        Ok(addr) if addr.port() == 0 => {
            p.report(
                v.span(),
                "webhooks.listen",
                format!(
                    "webhooks.listen{} has port 0; choose a fixed port the channels can be pointed at, e.g. {EXAMPLE}",
                    shown(v.get_ref())
                ),
            );
            None
        }
        Ok(addr) => Some(WebhooksConfig { listen: addr }),
        Err(_) => {
            p.report(
                v.span(),
                "webhooks.listen",
                format!(
                    "webhooks.listen{} is not an IP address and port; write it as {EXAMPLE} (only this machine), \"0.0.0.0:8787\" (every network) or \"[::1]:8787\" (IPv6)",
                    shown(v.get_ref())
                ),
            );
            None
        }
    }
}
