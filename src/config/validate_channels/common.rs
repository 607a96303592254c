//! Checks every kind of channel shares: URLs, seconds, page sizes, the SKU map, and how a value
//! is quoted back (or not) in a message.

use std::collections::BTreeMap;

use reqwest::Url;
use toml::Spanned;

use crate::config::channels::max_page_size;
use crate::config::outline::DisplayKey;
use crate::config::validate::{article, Problems};
use crate::model::ChannelKind;

/// `= "value"` for a message, or nothing when the value could be carrying a credential (a
/// user name or password in a URL, a token in a query string) or is too long to be anything but
/// pasted by mistake.
pub(super) fn shown(value: &str) -> String {
    if value.contains(['@', '?', '#']) || value.chars().count() > 100 {
        String::new()
    } else {
        format!(" = {value:?}")
    }
}

/// An http or https URL with a host, no credentials, no query string and no fragment.
pub(super) fn http_url(
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
pub(super) fn seconds(
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

pub(super) fn page_size(
    p: &mut Problems,
    v: &Spanned<i64>,
    i: usize,
    kind: ChannelKind,
) -> Option<u32> {
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
pub(super) fn sku_map(
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
