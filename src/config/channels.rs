//! `[[channels]]` and `[webhooks]`: which sales channels ordo polls and how it reaches them.
//! Credentials are never in the file, only the names of the environment variables that hold
//! them (`token_env`, ...), so a config can be shared, logged and shown without leaking one.

use std::collections::BTreeMap;
use std::net::SocketAddr;

use crate::inventory::{BufferRule, ChannelBuffers};
use crate::model::ChannelKind;

/// Shopify's REST Admin API version used when `api_version` is not given.
pub const DEFAULT_SHOPIFY_API_VERSION: &str = "2025-01";
/// Amazon's Login with Amazon token endpoint used when `token_url` is not given.
pub const DEFAULT_AMAZON_TOKEN_URL: &str = "https://api.amazon.com/auth/o2/token";
/// Seconds between polls when `poll_interval_secs` is not given.
pub const DEFAULT_POLL_INTERVAL_SECS: u64 = 60;
/// How far back each incremental poll reaches before the last committed change (edge case 11).
pub const DEFAULT_OVERLAP_SECS: u64 = 300;

/// Least and most seconds between polls (`poll_interval_secs`): one second to one day.
pub(super) const POLL_INTERVAL_RANGE: (u64, u64) = (1, 86_400);
/// Most seconds of `overlap_secs`: one week (more would re-read a long history on every poll).
pub(super) const MAX_OVERLAP_SECS: u64 = 7 * 86_400;

/// One `[[channels]]` entry, as validated by `Config::load`: `id` is non-empty and unique,
/// `base_url` is an http(s) URL with a host and no query, without a trailing slash, and every
/// `*_env` is an environment variable name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelConfig {
    /// ordo's name for the channel: the `channel` of its orders, unique in the file.
    pub id: String,
    pub kind: ChannelKind,
    /// The API's root, e.g. `https://shop.myshopify.com`, `https://example.com` (WooCommerce:
    /// the site, `/wp-json/wc/v3` is added), `https://sellingpartnerapi-na.amazon.com`.
    pub base_url: String,
    /// A disabled channel is neither polled nor pushed to; its webhooks are refused.
    /// Default true.
    pub enabled: bool,
    /// Default [`DEFAULT_POLL_INTERVAL_SECS`]; 1 to 86400.
    pub poll_interval_secs: u64,
    /// How far before the last committed change each poll starts again.
    /// Default [`DEFAULT_OVERLAP_SECS`]; 0 to 604800 (one week).
    pub overlap_secs: u64,
    /// Page size asked for; None = the channel's maximum (Shopify 250, WooCommerce 100,
    /// Amazon 100). When given, 1 to that maximum.
    pub page_size: Option<u32>,
    /// The channel's product references (variant id, product id, ASIN) to ordo SKUs, for lines
    /// that carry no usable SKU (`[channels.sku_map]`). Keys and values are non-empty.
    pub sku_map: BTreeMap<String, String>,
    /// `[[channels.buffers]]`, in file order: how much of the stock of the locations that serve
    /// this channel it is offered, per SKU pattern (the first rule whose `skus` matches a SKU
    /// gives its buffer; no rule matching = no buffer). Validated at load: every `skus` compiles,
    /// `safety`, `max` and `min` are at least 0, `percent` is 0 to 100, `min` <= `max`.
    /// Compiled by [`ChannelConfig::buffers`]. Empty = no buffer for any SKU.
    pub buffers: Vec<BufferRule>,
    pub settings: ChannelSettings,
}

/// What differs per kind. Every `*_env` names an environment variable, never a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChannelSettings {
    Shopify {
        token_env: String,
        /// `YYYY-MM`; default [`DEFAULT_SHOPIFY_API_VERSION`].
        api_version: String,
        /// The Shopify location whose inventory levels ordo sets (the inventory issue); > 0.
        location_id: Option<u64>,
        webhook_secret_env: Option<String>,
    },
    Woocommerce {
        consumer_key_env: String,
        consumer_secret_env: String,
        webhook_secret_env: Option<String>,
        /// Report shipments through the Shipment Tracking extension's REST API as well
        /// (`shipment_tracking = true`); default false.
        shipment_tracking: bool,
    },
    Amazon {
        refresh_token_env: String,
        client_id_env: String,
        client_secret_env: String,
        /// An http(s) URL; default [`DEFAULT_AMAZON_TOKEN_URL`].
        token_url: String,
        /// At least one, none empty, e.g. `ATVPDKIKX0DER` (US).
        marketplace_ids: Vec<String>,
        /// Needed for listings (stock) pushes; non-empty when given.
        seller_id: Option<String>,
        /// The listings API's usage plan that stock pushes are paced to: requests a second
        /// (more than 0, at most [`MAX_PUSH_RATE`]) and burst (1 to [`MAX_PUSH_BURST`]); None =
        /// Amazon's documented 5 and 5. The rate Amazon answers with replaces it.
        push_rate: Option<rust_decimal::Decimal>,
        push_burst: Option<u32>,
    },
}

/// The highest `push_rate` and `push_burst` an amazon channel takes.
pub const MAX_PUSH_RATE: u32 = 1000;
pub const MAX_PUSH_BURST: u32 = 1000;

impl ChannelConfig {
    /// The `buffers` rules compiled: [`ChannelBuffers::for_sku`] gives the buffer that
    /// [`crate::inventory::available_to_sell`] applies to a SKU for this channel.
    ///
    /// # Panics
    ///
    /// When a rule's `skus` is not a valid glob. That cannot happen to a config from
    /// `Config::load`, which refused the file; only code that builds or edits `buffers` by hand
    /// could get here with a bad pattern, and that is a bug in that code, which the panic names
    /// (as `Config::rule_set` does for the rules).
    pub fn buffers(&self) -> ChannelBuffers {
        ChannelBuffers::new(self.buffers.clone()).unwrap_or_else(|e| {
            panic!(
                "channel {:?}: buffers were changed after validation: {e}",
                self.id
            )
        })
    }

    /// The environment variable of the webhook signing secret, for kinds that sign webhooks.
    pub fn webhook_secret_env(&self) -> Option<&str> {
        match &self.settings {
            ChannelSettings::Shopify {
                webhook_secret_env, ..
            }
            | ChannelSettings::Woocommerce {
                webhook_secret_env, ..
            } => webhook_secret_env.as_deref(),
            ChannelSettings::Amazon { .. } => None,
        }
    }
}

/// `[webhooks]`: where ordo takes the channels' pushes. Absent = no webhook receiver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhooksConfig {
    /// `listen = "127.0.0.1:8787"`: an IP address and a port other than 0 (required).
    pub listen: SocketAddr,
}

/// Keys every `[[channels]]` entry may have, in the order of `RawChannel`.
pub(super) const COMMON_KEYS: &[&str] = &[
    "id",
    "kind",
    "base_url",
    "enabled",
    "poll_interval_secs",
    "overlap_secs",
    "page_size",
    "sku_map",
    "buffers",
];

/// The keys of one kind besides [`COMMON_KEYS`], in the order of `RawChannel`.
pub(super) fn kind_keys(kind: ChannelKind) -> &'static [&'static str] {
    match kind {
        ChannelKind::Shopify => &[
            "token_env",
            "api_version",
            "location_id",
            "webhook_secret_env",
        ],
        ChannelKind::Woocommerce => &[
            "consumer_key_env",
            "consumer_secret_env",
            "webhook_secret_env",
            "shipment_tracking",
        ],
        ChannelKind::Amazon => &[
            "refresh_token_env",
            "client_id_env",
            "client_secret_env",
            "token_url",
            "marketplace_ids",
            "seller_id",
            "push_rate",
            "push_burst",
        ],
    }
}

/// Whether `key` may be written in a channel of `kind`.
pub(super) fn allows(kind: ChannelKind, key: &str) -> bool {
    COMMON_KEYS.contains(&key) || kind_keys(kind).contains(&key)
}

/// The largest `page_size` of each kind (also what is asked for when it is not given).
pub(super) fn max_page_size(kind: ChannelKind) -> u32 {
    match kind {
        ChannelKind::Shopify => 250,
        ChannelKind::Woocommerce | ChannelKind::Amazon => 100,
    }
}
