//! An Amazon channel's own keys: the Login with Amazon credentials and token URL, the
//! marketplaces, the seller id, and the listings API's pace (`push_rate`, `push_burst`).

use std::ops::Range;

use toml::Spanned;

use super::common::http_url;
use super::env::Env;
use crate::config::channels::{
    ChannelSettings, DEFAULT_AMAZON_TOKEN_URL, MAX_PUSH_BURST, MAX_PUSH_RATE,
};
use crate::config::raw::RawChannel;
use crate::config::validate::Problems;

pub(super) fn settings(
    p: &mut Problems,
    env: &Env,
    header: &Range<usize>,
    raw: RawChannel,
) -> ChannelSettings {
    let i = env.i;
    ChannelSettings::Amazon {
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
