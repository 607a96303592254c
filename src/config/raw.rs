//! The file as written: serde shapes with `deny_unknown_fields` (so a typo is an error, not a
//! silently ignored key) and `Spanned` on every value a later check must point at.
//!
//! Everything is optional here; defaults and required keys are decided in `validate`, where the
//! messages can say what to write. Integers that have a domain narrower than TOML's i64 are read
//! as i64 so that `priority = -1` gets our "out of range; use ..." message rather than serde's.
//! Field order is the order listed in "expected one of: ..." messages.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a TOML document")]
pub(super) struct RawConfig {
    pub data_dir: Option<Spanned<String>>,
    pub on_unroutable: Option<Spanned<String>>,
    #[serde(default)]
    pub store: RawStore,
    #[serde(default)]
    pub inventory: RawInventory,
    #[serde(default)]
    pub locations: Vec<Spanned<RawLocation>>,
    #[serde(default)]
    pub channels: Vec<Spanned<RawChannel>>,
    pub webhooks: Option<RawWebhooks>,
    /// Routing's own `Rule` (`deny_unknown_fields`, money as decimal strings), so a rule reads
    /// the same here as in a scenario file; its enumerated fields stay strings and are checked
    /// in `validate` with the rule's name.
    #[serde(default)]
    pub rules: Vec<Spanned<crate::routing::Rule>>,
    #[serde(default)]
    pub console: RawConsole,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a table, e.g. [store]")]
pub(super) struct RawStore {
    /// u64 on purpose: the documented type error is "expected u64".
    pub cache_capacity_mb: Option<Spanned<u64>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a table, e.g. [inventory]")]
pub(super) struct RawInventory {
    pub default_safety_stock: Option<Spanned<i64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a table of location settings")]
pub(super) struct RawLocation {
    pub id: Option<Spanned<String>>,
    pub name: Option<Spanned<String>>,
    pub kind: Option<Spanned<String>>,
    pub priority: Option<Spanned<i64>>,
    pub lat: Option<Spanned<f64>>,
    pub lon: Option<Spanned<f64>>,
    #[serde(default)]
    pub tags: Vec<Spanned<String>>,
    #[serde(default)]
    pub channels: Vec<Spanned<String>>,
    pub daily_capacity: Option<Spanned<i64>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a table, e.g. [console]")]
pub(super) struct RawConsole {
    pub theme: Option<Spanned<String>>,
    pub timezone: Option<Spanned<String>>,
    pub operator: Option<Spanned<String>>,
    pub mouse: Option<bool>,
    pub split: Option<bool>,
    /// `[console.keys]`: command name -> a key or a list of keys. Values stay `toml::Value` so
    /// that a wrong type gets our message (a key or a list of keys) on the value's line.
    pub keys: Option<BTreeMap<String, Spanned<toml::Value>>>,
}

/// One `[[channels]]` entry: the keys of every kind, so that a key of another kind reaches
/// `validate` and gets a message naming its kind rather than "unknown key". The unknown-key
/// message lists only the keys of the entry's own kind (see `error::schema`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a table of channel settings")]
pub(super) struct RawChannel {
    /// Any value, so that `id = 7` gets the "must be a string; quote it" message.
    pub id: Option<Spanned<toml::Value>>,
    pub kind: Option<Spanned<String>>,
    pub base_url: Option<Spanned<String>>,
    pub enabled: Option<bool>,
    pub poll_interval_secs: Option<Spanned<i64>>,
    pub overlap_secs: Option<Spanned<i64>>,
    pub page_size: Option<Spanned<i64>>,
    /// Not `Spanned` itself: a table made by dotted keys (`sku_map.123 = "A"`) has no span.
    pub sku_map: Option<BTreeMap<String, Spanned<String>>>,
    /// `[[channels.buffers]]`, in order.
    #[serde(default)]
    pub buffers: Vec<Spanned<RawBuffer>>,
    // Shopify
    pub token_env: Option<Spanned<String>>,
    pub api_version: Option<Spanned<String>>,
    pub location_id: Option<Spanned<i64>>,
    // WooCommerce
    pub consumer_key_env: Option<Spanned<String>>,
    pub consumer_secret_env: Option<Spanned<String>>,
    // Shopify and WooCommerce
    pub webhook_secret_env: Option<Spanned<String>>,
    // WooCommerce: the Shipment Tracking extension
    pub shipment_tracking: Option<Spanned<bool>>,
    // Amazon
    pub refresh_token_env: Option<Spanned<String>>,
    pub client_id_env: Option<Spanned<String>>,
    pub client_secret_env: Option<Spanned<String>>,
    pub token_url: Option<Spanned<String>>,
    pub marketplace_ids: Option<Spanned<Vec<Spanned<String>>>>,
    pub seller_id: Option<Spanned<String>>,
    pub push_rate: Option<Spanned<f64>>,
    pub push_burst: Option<Spanned<i64>>,
}

/// One `[[channels.buffers]]` entry: which SKUs, and how much of their stock is held back.
#[derive(Debug, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "a table of buffer settings, e.g. [[channels.buffers]]"
)]
pub(super) struct RawBuffer {
    pub skus: Option<Spanned<String>>,
    pub safety: Option<Spanned<i64>>,
    pub percent: Option<Spanned<i64>>,
    pub max: Option<Spanned<i64>>,
    pub min: Option<Spanned<i64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, expecting = "a table, e.g. [webhooks]")]
pub(super) struct RawWebhooks {
    pub listen: Option<Spanned<String>>,
}
