//! Where orders come from. Each source maps its payloads into [`crate::model::ChannelOrder`];
//! a payload that cannot be mapped is handed to the ledger's quarantine with the reason.
//!
//! One module per channel implements [`Channel`] against that channel's documented API
//! (`shopify`, `woocommerce`, `amazon`); `http` classifies what a channel answered (JSON, an
//! HTML error page, a truncated body, a throttle); `poller` drives a channel's incremental sync;
//! `webhooks` takes the channels' pushes. Connectors know nothing of the ledger: they turn a
//! page of the channel's answer into [`Mapped`] items, and the poller hands those to the ledger
//! together with the cursor that covers them (invariant 1).

pub mod amazon;
pub mod http;
pub mod ordo_format;
pub mod poller;
pub mod pusher;
pub mod shopify;
pub mod webhooks;
pub mod woocommerce;

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures_util::future::BoxFuture;
use serde::{Deserialize, Serialize};

pub use crate::config::{ChannelConfig, ChannelSettings};

pub use crate::model::ChannelKind;
use crate::model::ChannelOrder;

/// What mapping needs besides the payload.
#[derive(Debug, Clone, Default)]
pub struct MapContext {
    /// The channel's id in ordo (`[[channels]] id`): the `channel` of every mapped order.
    pub channel_id: String,
    /// The channel's own product references (Shopify variant id, WooCommerce product or
    /// variation id, Amazon ASIN) to ordo SKUs, for lines that carry no usable SKU
    /// (`[channels.sku_map]`).
    pub sku_map: HashMap<String, String>,
}

/// One order of a channel's answer: mapped, or kept raw with the reason it cannot be.
#[derive(Debug, Clone)]
pub enum Mapped {
    Order {
        order: Box<ChannelOrder>,
        /// The order's JSON exactly as the channel sent it (one element of the page).
        raw: String,
    },
    Unmappable {
        raw: String,
        reason: String,
        /// The channel's id of the order, when even that could be read.
        external_id: Option<String>,
        /// The channel's last-modified time, when it could be read (the poller's watermark
        /// must still move past an order it quarantined).
        updated_at: Option<DateTime<Utc>>,
    },
}

impl Mapped {
    pub fn updated_at(&self) -> Option<DateTime<Utc>> {
        match self {
            Mapped::Order { order, .. } => Some(order.updated_at),
            Mapped::Unmappable { updated_at, .. } => *updated_at,
        }
    }
}

/// Where to read from: the first page of a window, or the page a token names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageRequest {
    /// Orders changed at or after this time (the caller already took the overlap off).
    Since(DateTime<Utc>),
    /// The channel's own token for the next page, exactly as it gave it (a Shopify `next`
    /// URL, a WooCommerce page URL, an Amazon `nextToken`).
    Next(String),
}

/// One page of a channel's answer.
#[derive(Debug, Clone, Default)]
pub struct Page {
    pub items: Vec<Mapped>,
    /// The token of the next page; None when this was the last page of the window.
    pub next: Option<String>,
    /// What the channel said of its rate limit on this answer.
    pub rate: Option<RateHeadroom>,
}

/// A channel's rate-limit state as its headers tell it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RateHeadroom {
    /// Requests (or points) still free before the channel throttles.
    pub remaining: f64,
    /// The bucket's size (or the rate the channel applies, for Amazon).
    pub limit: f64,
}

/// Why a fetch or a push failed, classified for what the poller does next. Messages name the
/// channel, the request (without credentials) and what came back.
#[derive(Debug, Clone, thiserror::Error, PartialEq)]
pub enum ChannelError {
    /// 429 (or a throttle in the body): wait `retry_after` when the channel said, else back off.
    #[error("{what}: throttled by the channel{}", retry_after.map(|d| format!(" (retry after {:.1} s)", d.as_secs_f64())).unwrap_or_default())]
    RateLimited {
        what: String,
        retry_after: Option<Duration>,
    },
    /// 5xx, a timeout, a connection error, an HTML page instead of JSON, a truncated body:
    /// worth retrying with backoff.
    #[error("{what}: {detail}")]
    Transient { what: String, detail: String },
    /// The page token is no longer valid (expired or rejected): restart the window from the
    /// committed watermark.
    #[error("{what}: the page token was refused ({detail}); starting the window again")]
    CursorExpired { what: String, detail: String },
    /// 401/403: the credentials are wrong or expired. Retried slowly; an operator must act.
    #[error("{what}: not authorized ({detail})")]
    Auth { what: String, detail: String },
    /// Any other refusal (400, 404, a body that is JSON but not the documented shape).
    #[error("{what}: {detail}")]
    Rejected { what: String, detail: String },
}

impl ChannelError {
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            ChannelError::RateLimited { .. } | ChannelError::Transient { .. }
        )
    }
}

/// One available-to-sell figure to set on a channel (an absolute level, never an adjustment:
/// sending it twice is harmless).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockPush {
    pub sku: String,
    pub available: i64,
    /// When the change that caused it was committed: sent along (`X-Ordo-Intent-At`, ms since
    /// the epoch) so that push latency can be measured where the push lands.
    pub intent_at: DateTime<Utc>,
}

/// A shipment to report to the channel that sold the order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FulfillmentPush {
    /// The channel's id of the order (what it calls `id`/`orderId`).
    pub order_external_id: String,
    pub carrier: String,
    pub tracking: String,
    pub shipped_at: DateTime<Utc>,
    pub lines: Vec<FulfilledLine>,
    pub intent_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FulfilledLine {
    /// The channel's line id (Shopify line item id, Amazon order item id), when it gave one.
    pub channel_line_id: Option<String>,
    pub sku: String,
    pub quantity: u32,
}

/// The header that carries [`StockPush::intent_at`] / [`FulfillmentPush::intent_at`].
pub const INTENT_AT_HEADER: &str = "x-ordo-intent-at";

/// A sales channel ordo polls and pushes to. Object safe, so the engine can hold every
/// configured channel as `Arc<dyn Channel>`.
pub trait Channel: Send + Sync {
    /// The channel's id in ordo (`[[channels]] id`).
    fn id(&self) -> &str;
    fn kind(&self) -> ChannelKind;
    /// One page of orders changed since a time, or the next page of a window. Every order of
    /// the page comes back, mapped or unmappable; nothing is dropped.
    fn fetch_page(&self, request: PageRequest) -> BoxFuture<'_, Result<Page, ChannelError>>;
    /// How many stock figures one [`Channel::push_stock`] call may carry.
    fn max_stock_batch(&self) -> usize {
        1
    }
    /// How long until the connector's own pacing lets the next [`Channel::push_stock`] call go
    /// (a channel whose API takes a fixed number of calls a second, paced by a token bucket in
    /// the connector); zero when it may go now, and for channels that do not pace. The pusher
    /// waits this long before choosing the next batch, so the batch is chosen from the
    /// freshest figures rather than waited on after it was chosen.
    fn stock_push_wait(&self) -> Duration {
        Duration::ZERO
    }
    /// Sets available-to-sell levels on the channel. `Err` for the whole call (throttled,
    /// down, not authorized: the pusher retries); otherwise one answer per push, in order:
    /// `Ok` once the channel confirmed it, `Err(reason)` when the channel refuses that SKU for
    /// good (not listed there), which no retry will fix.
    fn push_stock<'a>(
        &'a self,
        pushes: &'a [StockPush],
    ) -> BoxFuture<'a, Result<Vec<Result<(), String>>, ChannelError>> {
        Box::pin(async move {
            Err(ChannelError::Rejected {
                what: format!("{}: stock push", self.id()),
                detail: format!(
                    "{} pushes are not supported ({} levels)",
                    self.kind(),
                    pushes.len()
                ),
            })
        })
    }
    /// Reports a shipment with its tracking to the channel. `Ok` once confirmed.
    fn push_fulfillment<'a>(
        &'a self,
        push: &'a FulfillmentPush,
    ) -> BoxFuture<'a, Result<(), ChannelError>> {
        Box::pin(async move {
            Err(ChannelError::Rejected {
                what: format!("{}: fulfillment of {}", self.id(), push.order_external_id),
                detail: format!("{} fulfillment pushes are not supported", self.kind()),
            })
        })
    }
}

/// The quarantine format of one order of this kind as its API returned it (poll, webhook or
/// saved answer), so `ordo quarantine retry` maps it again the same way.
pub fn format_of(kind: ChannelKind, raw: &str) -> &'static str {
    match kind {
        ChannelKind::Shopify => shopify::FORMAT,
        ChannelKind::Woocommerce => woocommerce::FORMAT,
        ChannelKind::Amazon => amazon::format_of(raw),
    }
}

/// Maps one stored raw payload again (`ordo quarantine retry`), by the format name it was
/// quarantined under; None when no channel knows that format.
pub fn map_payload(
    format: &str,
    raw: &str,
    ctx: &MapContext,
) -> Option<Result<ChannelOrder, String>> {
    if shopify::FORMATS.contains(&format) {
        Some(shopify::map_stored(format, raw, ctx))
    } else if woocommerce::FORMATS.contains(&format) {
        Some(woocommerce::map_stored(format, raw, ctx))
    } else if amazon::FORMATS.contains(&format) {
        Some(amazon::map_stored(format, raw, ctx))
    } else {
        None
    }
}

/// A credential read from the environment. Debug and Display never show it, so it cannot end
/// up in a log line, an error or the console by accident; only [`Secret::expose`] gives it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl std::fmt::Display for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

/// Looks up an environment variable; the engine passes `std::env::var`, tests pass a map.
pub type EnvLookup<'a> = &'a dyn Fn(&str) -> Option<String>;

/// Reads the secret named by a config key (`token_env = "SHOPIFY_TOKEN"`). The error names the
/// channel, the key and the variable, never a value.
pub fn secret(channel: &str, key: &str, var: &str, env: EnvLookup<'_>) -> Result<Secret, String> {
    match env(var) {
        Some(v) if !v.trim().is_empty() => Ok(Secret(v.trim().to_string())),
        Some(_) => Err(format!(
            "channel `{channel}`: environment variable {var} (named by {key}) is empty"
        )),
        None => Err(format!(
            "channel `{channel}`: environment variable {var} (named by {key}) is not set"
        )),
    }
}

/// The connector for one configured channel, its credentials read through `env`.
pub fn connect(
    config: &ChannelConfig,
    env: EnvLookup<'_>,
) -> Result<std::sync::Arc<dyn Channel>, String> {
    Ok(match config.kind {
        ChannelKind::Shopify => std::sync::Arc::new(shopify::ShopifyChannel::new(config, env)?),
        ChannelKind::Woocommerce => std::sync::Arc::new(woocommerce::WooChannel::new(config, env)?),
        ChannelKind::Amazon => std::sync::Arc::new(amazon::AmazonChannel::new(config, env)?),
    })
}

/// Maps a saved list-orders answer (`ordo ingest --channel KIND FILE...`): every order of the
/// files, mapped or unmappable. An error means a file is not that channel's answer at all.
pub fn map_saved(
    kind: ChannelKind,
    files: &[(String, Vec<u8>)],
    ctx: &MapContext,
) -> Result<Vec<Mapped>, String> {
    match kind {
        ChannelKind::Shopify => shopify::map_saved(files, ctx),
        ChannelKind::Woocommerce => woocommerce::map_saved(files, ctx),
        ChannelKind::Amazon => amazon::map_saved(files, ctx),
    }
}

/// The mapping context of a configured channel.
impl From<&ChannelConfig> for MapContext {
    fn from(c: &ChannelConfig) -> MapContext {
        MapContext {
            channel_id: c.id.clone(),
            sku_map: c
                .sku_map
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        }
    }
}
