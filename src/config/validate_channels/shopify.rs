//! A Shopify channel's own keys: the access token, the Admin API version, the location.

use toml::Spanned;

use super::common::shown;
use super::env::Env;
use crate::config::channels::{ChannelSettings, DEFAULT_SHOPIFY_API_VERSION};
use crate::config::raw::RawChannel;
use crate::config::validate::Problems;

pub(super) fn settings(p: &mut Problems, env: &Env, raw: RawChannel) -> ChannelSettings {
    let i = env.i;
    ChannelSettings::Shopify {
        token_env: env.required(p, raw.token_env, "token_env"),
        api_version: api_version(p, raw.api_version, i),
        location_id: raw.location_id.and_then(|v| location_id(p, &v, i)),
        webhook_secret_env: env.optional(p, raw.webhook_secret_env, "webhook_secret_env"),
    }
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
