//! A channel's pusher: takes the channel's push intents from the outbox (written in the commit
//! of the change that caused them, invariant 6), sends them through the channel's API, and
//! settles them once the channel confirmed. Stock figures are absolute levels, so a figure sent
//! twice (a crash between the send and the settle) is harmless; the latest figure of a SKU
//! replaces an unsent older one in the outbox, so a burst of changes costs one push.
//!
//! Throttles wait what the channel asks; failures back off with full jitter and are retried
//! until the channel confirms; a refusal for good (a SKU the channel does not list) is settled
//! with an event saying why. The pusher wakes on the ledger's change events, so a push leaves
//! within milliseconds of its commit.

use std::collections::VecDeque;
use std::hash::{BuildHasher, RandomState};
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use futures_util::future::BoxFuture;
use tokio::sync::{broadcast, watch};

use super::poller::{update_health, SharedHealth};
use super::{Channel, ChannelError, FulfilledLine, FulfillmentPush, StockPush};
use crate::model::{Event, PushIntent, PushWhat};

/// Where intents are read and settled: the engine's store and ledger.
pub trait Outbox: Send + Sync {
    /// The channel's pending intents, by key.
    fn pending(&self, channel: &str) -> Result<Vec<(Vec<u8>, PushIntent)>, String>;
    /// Removes what the channel confirmed or refused for good (each only if still the intent
    /// that was sent).
    fn settle(
        &self,
        done: Vec<(Vec<u8>, u64)>,
        refused: Vec<(Vec<u8>, u64, String)>,
    ) -> BoxFuture<'_, Result<(), String>>;
}

const BACKOFF_BASE: Duration = Duration::from_millis(200);
const BACKOFF_CAP: Duration = Duration::from_secs(30);
/// The wait after a throttle that named no time.
const THROTTLE_STEP: Duration = Duration::from_millis(200);
/// Latency samples kept for the health's percentiles.
const LATENCY_SAMPLES: usize = 1000;

/// What one round of pushing did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Round {
    pub confirmed: usize,
    pub refused: usize,
    /// Set when the channel failed the round: wait this long before the next.
    pub retry_in: Option<Duration>,
}

/// Sends what is pending once: every stock figure (in batches the channel takes) and every
/// shipment, then settles what the channel answered.
pub async fn push_round(
    channel: &dyn Channel,
    outbox: &dyn Outbox,
    failures: u32,
    health: Option<&SharedHealth>,
    latencies: &mut VecDeque<u64>,
) -> Round {
    let mut round = Round::default();
    let pending = match outbox.pending(channel.id()) {
        Ok(p) => p,
        Err(e) => {
            tracing::error!("{}: reading the outbox: {e}", channel.id());
            round.retry_in = Some(Duration::from_secs(1));
            return round;
        }
    };
    if let Some(h) = health {
        update_health(h, |h| h.outbox_depth = pending.len() as u64);
    }
    if pending.is_empty() {
        return round;
    }
    let mut done: Vec<(Vec<u8>, u64)> = Vec::new();
    let mut refused: Vec<(Vec<u8>, u64, String)> = Vec::new();
    let mut confirmed_at: Vec<chrono::DateTime<Utc>> = Vec::new();
    let mut failure: Option<ChannelError> = None;

    let (stock, shipments): (Vec<_>, Vec<_>) = pending
        .into_iter()
        .partition(|(_, i)| matches!(i.what, PushWhat::Stock { .. }));
    for (key, intent) in shipments {
        let PushWhat::Fulfillment {
            order_external_id,
            carrier,
            tracking,
            shipped_at,
            lines,
            ..
        } = &intent.what
        else {
            continue;
        };
        let push = FulfillmentPush {
            order_external_id: order_external_id.clone(),
            carrier: carrier.clone(),
            tracking: tracking.clone(),
            shipped_at: *shipped_at,
            lines: lines
                .iter()
                .map(|(id, sku, qty)| FulfilledLine {
                    channel_line_id: id.clone(),
                    sku: sku.clone(),
                    quantity: *qty,
                })
                .collect(),
            intent_at: intent.at,
        };
        match channel.push_fulfillment(&push).await {
            Ok(()) => {
                confirmed_at.push(intent.at);
                done.push((key, intent.seq));
            }
            Err(ChannelError::Rejected { detail, .. }) => refused.push((key, intent.seq, detail)),
            Err(e) => {
                failure = Some(e);
                break;
            }
        }
    }
    if failure.is_none() {
        // One batch a round, oldest change first: the outbox is read again before the next,
        // so a figure that changed meanwhile goes out as its latest value, and a channel that
        // takes one SKU a call still serves every SKU in turn.
        let mut stock = stock;
        stock.sort_by_key(|(_, i)| (i.at, i.seq));
        stock.truncate(channel.max_stock_batch().max(1));
        let pushes: Vec<StockPush> = stock
            .iter()
            .filter_map(|(_, i)| match &i.what {
                PushWhat::Stock { sku, available } => Some(StockPush {
                    sku: sku.clone(),
                    available: *available,
                    intent_at: i.at,
                }),
                PushWhat::Fulfillment { .. } => None,
            })
            .collect();
        match channel.push_stock(&pushes).await {
            Ok(answers) => {
                for ((key, intent), answer) in stock.iter().zip(answers) {
                    match answer {
                        Ok(()) => {
                            confirmed_at.push(intent.at);
                            done.push((key.clone(), intent.seq));
                        }
                        Err(why) => refused.push((key.clone(), intent.seq, why)),
                    }
                }
            }
            Err(e) => failure = Some(e),
        }
    }
    let now = Utc::now();
    for at in &confirmed_at {
        if latencies.len() == LATENCY_SAMPLES {
            latencies.pop_front();
        }
        latencies.push_back((now - *at).num_milliseconds().max(0) as u64);
    }
    round.confirmed = done.len();
    round.refused = refused.len();
    if !done.is_empty() || !refused.is_empty() {
        if let Err(e) = outbox.settle(done, refused).await {
            // Not settled: they go again (harmless for absolute levels; channels refuse a
            // second fulfillment of the same lines, which the connectors take as confirmed).
            tracing::error!("{}: settling pushes: {e}", channel.id());
            round.retry_in = Some(Duration::from_secs(1));
        }
    }
    if let Some(e) = &failure {
        tracing::warn!("{e}");
        round.retry_in = Some(match e {
            ChannelError::RateLimited {
                retry_after: Some(d),
                ..
            } => *d,
            // A per-second token bucket (Amazon's usage plans) refills within a fraction of a
            // second: wait briefly, growing gently, rather than backing off exponentially.
            ChannelError::RateLimited {
                retry_after: None, ..
            } => THROTTLE_STEP
                .saturating_mul(failures + 1)
                .min(Duration::from_secs(2)),
            ChannelError::Auth { .. } => Duration::from_secs(30),
            _ => backoff(failures + 1),
        });
    }
    if let Some(h) = health {
        let (p50, p99) = percentiles(latencies);
        update_health(h, |h| {
            h.pushes += round.confirmed as u64;
            h.push_latency_p50_ms = p50;
            h.push_latency_p99_ms = p99;
            // A throttle is the channel pacing us, not a failure: it only delays.
            if let Some(e) = failure
                .as_ref()
                .filter(|e| !matches!(e, ChannelError::RateLimited { .. }))
            {
                h.push_errors += 1;
                h.last_push_error = Some(e.to_string());
            }
        });
    }
    round
}

fn percentiles(samples: &VecDeque<u64>) -> (Option<u64>, Option<u64>) {
    if samples.is_empty() {
        return (None, None);
    }
    let mut v: Vec<u64> = samples.iter().copied().collect();
    v.sort_unstable();
    let at = |p: f64| v[((v.len() as f64 * p).ceil() as usize).clamp(1, v.len()) - 1];
    (Some(at(0.5)), Some(at(0.99)))
}

fn backoff(attempt: u32) -> Duration {
    let step = BACKOFF_BASE
        .saturating_mul(1u32 << attempt.min(16))
        .min(BACKOFF_CAP);
    let random = RandomState::new().hash_one(attempt) as f64 / u64::MAX as f64;
    step.mul_f64(random).max(Duration::from_millis(50))
}

/// A channel's pusher until `stop`: a round whenever the ledger commits something (and once
/// at start, for what a previous run left), waiting as the channel asks after failures.
pub async fn run(
    channel: Arc<dyn Channel>,
    outbox: Arc<dyn Outbox>,
    health: SharedHealth,
    mut changes: broadcast::Receiver<Arc<Vec<Event>>>,
    mut stop: watch::Receiver<bool>,
) {
    let mut failures = 0u32;
    let mut latencies = VecDeque::with_capacity(LATENCY_SAMPLES);
    loop {
        if *stop.borrow() {
            return;
        }
        let round = push_round(
            channel.as_ref(),
            outbox.as_ref(),
            failures,
            Some(&health),
            &mut latencies,
        )
        .await;
        let wait = match round.retry_in {
            Some(wait) => {
                failures += 1;
                Some(wait)
            }
            None => {
                failures = 0;
                None
            }
        };
        match wait {
            Some(wait) => {
                tokio::select! {
                    _ = tokio::time::sleep(wait) => {}
                    _ = stop.changed() => return,
                }
            }
            None if round.confirmed + round.refused > 0 => {
                // Settling is itself a commit: look again before sleeping.
                continue;
            }
            None => {
                tokio::select! {
                    r = changes.recv() => match r {
                        Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => {}
                        Err(broadcast::error::RecvError::Closed) => return,
                    },
                    _ = stop.changed() => return,
                }
            }
        }
    }
}
