//! `[[channels]]` and `[webhooks]`: which sales channels ordo polls and how it reaches them.
//! Credentials are never in the file, only the names of the environment variables that hold
//! them (`token_env`, ...), so a config can be shared, logged and shown without leaking one.

use std::collections::BTreeMap;
use std::net::SocketAddr;

use crate::model::ChannelKind;

/// Shopify's REST Admin API version used when `api_version` is not given.
pub const DEFAULT_SHOPIFY_API_VERSION: &str = "2025-01";
/// Amazon's Login with Amazon token endpoint used when `token_url` is not given.
pub const DEFAULT_AMAZON_TOKEN_URL: &str = "https://api.amazon.com/auth/o2/token";
/// Seconds between polls when `poll_interval_secs` is not given.
pub const DEFAULT_POLL_INTERVAL_SECS: u64 = 60;
/// How far back each incremental poll reaches before the last committed change (edge case 11).
pub const DEFAULT_OVERLAP_SECS: u64 = 300;

/// One `[[channels]]` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChannelConfig {
    /// ordo's name for the channel: the `channel` of its orders, unique in the file.
    pub id: String,
    pub kind: ChannelKind,
    /// The API's root, e.g. `https://shop.myshopify.com`, `https://example.com` (WooCommerce:
    /// the site, `/wp-json/wc/v3` is added), `https://sellingpartnerapi-na.amazon.com`.
    pub base_url: String,
    /// A disabled channel is neither polled nor pushed to; its webhooks are refused.
    pub enabled: bool,
    pub poll_interval_secs: u64,
    /// How far before the last committed change each poll starts again.
    pub overlap_secs: u64,
    /// Page size asked for; None = the channel's maximum (Shopify 250, WooCommerce 100,
    /// Amazon 100).
    pub page_size: Option<u32>,
    /// The channel's product references (variant id, product id, ASIN) to ordo SKUs, for lines
    /// that carry no usable SKU (`[channels.sku_map]`).
    pub sku_map: BTreeMap<String, String>,
    pub settings: ChannelSettings,
}

/// What differs per kind. Every `*_env` names an environment variable, never a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChannelSettings {
    Shopify {
        token_env: String,
        /// `YYYY-MM`; default [`DEFAULT_SHOPIFY_API_VERSION`].
        api_version: String,
        /// The Shopify location whose inventory levels ordo sets (the inventory issue).
        location_id: Option<u64>,
        webhook_secret_env: Option<String>,
    },
    Woocommerce {
        consumer_key_env: String,
        consumer_secret_env: String,
        webhook_secret_env: Option<String>,
    },
    Amazon {
        refresh_token_env: String,
        client_id_env: String,
        client_secret_env: String,
        /// Default [`DEFAULT_AMAZON_TOKEN_URL`].
        token_url: String,
        /// At least one, e.g. `ATVPDKIKX0DER` (US).
        marketplace_ids: Vec<String>,
        /// Needed for listings (stock) pushes.
        seller_id: Option<String>,
    },
}

impl ChannelConfig {
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
    pub listen: SocketAddr,
}
