use serde::{Deserialize, Serialize};

/// The kinds of sales channel ordo has connectors for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChannelKind {
    Shopify,
    Woocommerce,
    Amazon,
}

impl ChannelKind {
    pub const ALL: [ChannelKind; 3] = [
        ChannelKind::Shopify,
        ChannelKind::Woocommerce,
        ChannelKind::Amazon,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ChannelKind::Shopify => "shopify",
            ChannelKind::Woocommerce => "woocommerce",
            ChannelKind::Amazon => "amazon",
        }
    }

    pub fn parse(s: &str) -> Option<ChannelKind> {
        ChannelKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

impl std::fmt::Display for ChannelKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a channel's sync is doing, for the console's Channels pane and `ordo sync`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ChannelHealth {
    pub id: String,
    pub kind: Option<ChannelKind>,
    pub enabled: bool,
    /// An operator paused polling (webhooks are still taken).
    pub paused: bool,
    /// What the poller is doing now: idle, polling, waiting (throttled or backing off), failing.
    pub state: String,
    pub last_success: Option<chrono::DateTime<chrono::Utc>>,
    pub last_attempt: Option<chrono::DateTime<chrono::Utc>>,
    /// Every change up to here is stored: the committed watermark.
    pub watermark: Option<chrono::DateTime<chrono::Utc>>,
    /// Errors since the poller started, and the last one with its time.
    pub errors: u64,
    pub consecutive_errors: u32,
    pub last_error: Option<String>,
    pub last_error_at: Option<chrono::DateTime<chrono::Utc>>,
    /// What the channel's last answer said of its rate limit: (remaining, limit).
    pub rate_remaining: Option<f64>,
    pub rate_limit: Option<f64>,
    /// Since the poller started: pages read, orders the polls created in the store (new to it;
    /// an order read again unchanged, as the sweep's overlap does every time, counts nowhere),
    /// orders the polls changed (already stored, a newer version taken), webhooks taken.
    pub pages: u64,
    pub orders: u64,
    #[serde(default)]
    pub orders_updated: u64,
    pub webhooks: u64,
    pub next_poll_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Push intents waiting for the channel (stock figures and shipments).
    pub outbox_depth: u64,
    /// Pushes the channel confirmed, and failed attempts, since start.
    pub pushes: u64,
    pub push_errors: u64,
    pub last_push_error: Option<String>,
    /// From commit to the channel's confirmation, over the recent pushes.
    pub push_latency_p50_ms: Option<u64>,
    pub push_latency_p99_ms: Option<u64>,
}
