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
//!
//! A channel that paces its own calls ([`Channel::stock_push_wait`], Amazon's listings usage
//! plan) is waited for before each batch is chosen, so the batch is chosen from the freshest
//! figures. When a channel cannot take everything at once, the batch is chosen by oversell
//! risk ([`push_order`]): figures at 0 first, then figures overdue by [`MAX_DEFERRAL`], then
//! low figures that went down, then the rest, each oldest first.

use std::collections::{HashMap, HashSet, VecDeque};
use std::hash::{BuildHasher, RandomState};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
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
/// The longest the pusher waits in one go for a channel's pacing before choosing a batch (a
/// longer wait, for a very slow plan, is finished inside the connector's own bucket).
const MAX_PACING_WAIT: Duration = Duration::from_secs(2);

/// A figure at or below this that went down is "low": the channel is closest to selling units
/// that are not there (a stale 3 where the truth is 1 oversells on a 2-unit order, a stale 9
/// where the truth is 7 does not until 8 units sell before the push lands).
pub const LOW_AT_OR_BELOW: i64 = 2;

/// How long a figure may be deferred behind riskier ones: past this it goes before every low
/// figure, so no figure waits forever whatever the others do.
pub const MAX_DEFERRAL: Duration = Duration::from_secs(2);

/// How urgent a pending figure is, most urgent first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Urgency {
    /// The channel must stop selling the SKU: every sale it takes is oversold. A figure reaches
    /// 0 once between restocks, so these cannot keep coming and crowd the rest out.
    Zero,
    /// Stale for [`MAX_DEFERRAL`] or longer: its turn, whatever its figure.
    Overdue,
    /// At or below [`LOW_AT_OR_BELOW`] and lower than the channel was last told (or not told
    /// anything by this pusher yet).
    Low,
    /// Everything else: higher figures, and figures that went up (a late raise loses sales, it
    /// does not oversell).
    Routine,
}

/// The urgency of a figure: `available` now, `last_sent` the last figure the channel
/// confirmed (None when this pusher has not sent the SKU), `waited` how long the channel's
/// figure has been stale.
pub fn urgency(available: i64, last_sent: Option<i64>, waited: Duration) -> Urgency {
    let went_down = last_sent.is_none_or(|before| available < before);
    if went_down && available <= 0 {
        Urgency::Zero
    } else if waited >= MAX_DEFERRAL {
        Urgency::Overdue
    } else if went_down && available <= LOW_AT_OR_BELOW {
        Urgency::Low
    } else {
        Urgency::Routine
    }
}

/// One pending stock figure as [`push_order`] sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub available: i64,
    pub last_sent: Option<i64>,
    /// Since when the channel's figure has been stale: the first intent of the SKU pending
    /// since the channel last confirmed it (a SKU that keeps changing keeps its place).
    pub since: DateTime<Utc>,
    /// The intent's sequence number: the tie-break, so the order is total.
    pub seq: u64,
}

/// The order to send pending figures in: by [`Urgency`], then stale longest first, then by
/// sequence. A pure function of the candidates and the time.
///
/// Starvation is bounded: each SKU has one pending intent; a `Zero` comes once between
/// restocks, so it jumps the queue at most once per SKU; a figure that has waited
/// [`MAX_DEFERRAL`] is `Overdue` and then only waits for zeros and for the figures stale longer
/// than itself (one per SKU at most). So, between restocks, a figure waits at most
/// `MAX_DEFERRAL` plus the time to send two figures per SKU of the channel.
pub fn push_order(candidates: &[Candidate], now: DateTime<Utc>) -> Vec<usize> {
    let mut order: Vec<(Urgency, DateTime<Utc>, u64, usize)> = candidates
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let waited = (now - c.since).to_std().unwrap_or_default();
            (urgency(c.available, c.last_sent, waited), c.since, c.seq, i)
        })
        .collect();
    order.sort_unstable();
    order.into_iter().map(|(_, _, _, i)| i).collect()
}

/// What a pusher remembers between rounds (for as long as it runs; a new pusher starts
/// without, which only makes it more cautious: every low figure counts as gone down).
#[derive(Debug, Default)]
pub struct PushMemory {
    /// The last figure the channel confirmed, per SKU.
    last_sent: HashMap<String, i64>,
    /// Per outbox key: since when the channel's figure has been stale.
    stale_since: HashMap<Vec<u8>, DateTime<Utc>>,
}

/// What one round of pushing did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Round {
    pub confirmed: usize,
    pub refused: usize,
    /// Set when the channel failed the round: wait this long before the next.
    pub retry_in: Option<Duration>,
}

/// Sends what is pending once: every shipment, and one batch of stock figures (as many as the
/// channel takes a call, the most urgent first), then settles what the channel answered.
/// Without memory of earlier rounds: see [`push_round_with`].
pub async fn push_round(
    channel: &dyn Channel,
    outbox: &dyn Outbox,
    failures: u32,
    health: Option<&SharedHealth>,
    latencies: &mut VecDeque<u64>,
) -> Round {
    let mut memory = PushMemory::default();
    push_round_with(channel, outbox, failures, health, latencies, &mut memory).await
}

fn read_pending(channel: &dyn Channel, outbox: &dyn Outbox) -> Option<Vec<(Vec<u8>, PushIntent)>> {
    match outbox.pending(channel.id()) {
        Ok(p) => Some(p),
        Err(e) => {
            tracing::error!("{}: reading the outbox: {e}", channel.id());
            None
        }
    }
}

/// [`push_round`] remembering, across rounds, what the channel was last told and since when
/// each figure is stale (what [`push_order`] ranks by).
pub async fn push_round_with(
    channel: &dyn Channel,
    outbox: &dyn Outbox,
    failures: u32,
    health: Option<&SharedHealth>,
    latencies: &mut VecDeque<u64>,
    memory: &mut PushMemory,
) -> Round {
    let mut round = Round::default();
    let Some(mut pending) = read_pending(channel, outbox) else {
        round.retry_in = Some(Duration::from_secs(1));
        return round;
    };
    let has_stock = |p: &[(Vec<u8>, PushIntent)]| {
        p.iter()
            .any(|(_, i)| matches!(i.what, PushWhat::Stock { .. }))
    };
    let pacing = channel.stock_push_wait();
    if has_stock(&pending) && !pacing.is_zero() {
        // Wait for the channel's pacing first, then choose from what is pending by then: a
        // figure that changed or turned urgent meanwhile is sent as it is now.
        tokio::time::sleep(pacing.min(MAX_PACING_WAIT)).await;
        let Some(again) = read_pending(channel, outbox) else {
            round.retry_in = Some(Duration::from_secs(1));
            return round;
        };
        pending = again;
    }
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
    let now = Utc::now();
    remember_stale(memory, &stock);
    if failure.is_none() && !stock.is_empty() {
        // One batch a round, the most urgent first: the outbox is read again before the next,
        // so a figure that changed meanwhile goes out as its latest value.
        let candidates: Vec<Candidate> = stock
            .iter()
            .map(|(key, i)| {
                let (available, last_sent) = match &i.what {
                    PushWhat::Stock { sku, available } => {
                        (*available, memory.last_sent.get(sku).copied())
                    }
                    PushWhat::Fulfillment { .. } => (i64::MAX, None),
                };
                Candidate {
                    available,
                    last_sent,
                    since: memory.stale_since.get(key).copied().unwrap_or(i.at),
                    seq: i.seq,
                }
            })
            .collect();
        let batch = channel.max_stock_batch().max(1);
        let mut slots: Vec<Option<(Vec<u8>, PushIntent)>> = stock.into_iter().map(Some).collect();
        let stock: Vec<(Vec<u8>, PushIntent)> = push_order(&candidates, now)
            .into_iter()
            .take(batch)
            .filter_map(|i| slots.get_mut(i).and_then(Option::take))
            .collect();
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
                    memory.stale_since.remove(key);
                    match answer {
                        Ok(()) => {
                            if let PushWhat::Stock { sku, available } = &intent.what {
                                memory.last_sent.insert(sku.clone(), *available);
                            }
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

/// Keeps, per pending figure, since when the channel's figure has been stale: the `at` of the
/// first intent seen since the last confirmation (a newer intent replaces the older in the
/// outbox, but the channel has been stale since the older). Forgets keys no longer pending.
fn remember_stale(memory: &mut PushMemory, stock: &[(Vec<u8>, PushIntent)]) {
    let pending: HashSet<&[u8]> = stock.iter().map(|(k, _)| k.as_slice()).collect();
    memory
        .stale_since
        .retain(|k, _| pending.contains(k.as_slice()));
    for (key, intent) in stock {
        let since = memory.stale_since.entry(key.clone()).or_insert(intent.at);
        *since = (*since).min(intent.at);
    }
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
    let mut memory = PushMemory::default();
    loop {
        if *stop.borrow() {
            return;
        }
        let round = push_round_with(
            channel.as_ref(),
            outbox.as_ref(),
            failures,
            Some(&health),
            &mut latencies,
            &mut memory,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn t(ms: i64) -> DateTime<Utc> {
        // A fixed origin: the order is a function of the candidates and `now` only.
        DateTime::from_timestamp(1_767_000_000, 0).unwrap() + chrono::Duration::milliseconds(ms)
    }

    fn c(available: i64, last_sent: Option<i64>, since_ms: i64, seq: u64) -> Candidate {
        Candidate {
            available,
            last_sent,
            since: t(since_ms),
            seq,
        }
    }

    #[test]
    fn zeros_then_low_figures_that_went_down_then_the_rest_each_oldest_first() {
        let pending = [
            c(9, Some(10), 0, 1),  // routine, oldest of all
            c(2, Some(3), 300, 2), // low
            c(0, Some(1), 500, 3), // zero
            c(1, None, 200, 4),    // low: never sent, so counted as gone down
            c(0, None, 400, 5),    // zero, older than seq 3
            c(6, Some(7), 100, 6), // routine
            c(2, Some(1), 50, 7),  // low but went up: routine
            c(0, Some(0), 10, 8),  // 0 again: nothing new for the channel, routine
        ];
        assert_eq!(push_order(&pending, t(1000)), vec![4, 2, 3, 1, 0, 7, 6, 5]);
    }

    #[test]
    fn urgency_rules() {
        let fresh = Duration::ZERO;
        assert_eq!(urgency(0, Some(4), fresh), Urgency::Zero);
        assert_eq!(urgency(-3, None, fresh), Urgency::Zero);
        assert_eq!(urgency(LOW_AT_OR_BELOW, Some(8), fresh), Urgency::Low);
        assert_eq!(
            urgency(LOW_AT_OR_BELOW + 1, Some(8), fresh),
            Urgency::Routine
        );
        assert_eq!(urgency(1, Some(0), fresh), Urgency::Routine, "went up");
        assert_eq!(urgency(50, Some(80), MAX_DEFERRAL), Urgency::Overdue);
        // A zero stays ahead of what is overdue: it comes once per SKU between restocks.
        assert_eq!(urgency(0, Some(2), MAX_DEFERRAL * 10), Urgency::Zero);
    }

    #[test]
    fn a_figure_deferred_too_long_goes_before_low_ones_but_after_zeros() {
        let deferral = MAX_DEFERRAL.as_millis() as i64;
        let now = t(deferral + 600);
        let pending = [
            c(1, Some(2), 900, 1),   // low, fresh
            c(40, Some(41), 500, 2), // routine, stale for longer than MAX_DEFERRAL
            c(0, Some(1), 950, 3),   // zero, fresh
        ];
        assert_eq!(push_order(&pending, now), vec![2, 1, 0]);
    }

    /// The channel takes one figure every 200 ms while three low figures arrive in the same
    /// time (more than it can take): the high figure still goes, once it is overdue.
    #[test]
    fn a_high_figure_is_not_starved_by_a_stream_of_low_ones() {
        let mut pending: Vec<Candidate> = vec![c(30, Some(31), 0, 0)];
        let mut seq = 1;
        let step = 200;
        let bound = MAX_DEFERRAL.as_millis() as i64 / step + 2;
        let mut sent_high_at = None;
        for round in 0..bound * 3 {
            let now_ms = round * step;
            for _ in 0..3 {
                pending.push(c(1, Some(2), now_ms, seq));
                seq += 1;
            }
            let first = push_order(&pending, t(now_ms))[0];
            let sent = pending.remove(first);
            if sent.available == 30 {
                sent_high_at = Some(round);
                break;
            }
            // Until then, every round sends a low figure.
            assert_eq!(sent.available, 1);
        }
        let round = sent_high_at.expect("the high figure was sent");
        assert!(
            round <= bound,
            "sent in round {round}, bound {bound} (MAX_DEFERRAL {MAX_DEFERRAL:?})"
        );
        assert!(
            round >= MAX_DEFERRAL.as_millis() as i64 / step,
            "deferred while the low ones were fresh"
        );
    }

    #[test]
    fn a_sku_that_keeps_changing_keeps_the_time_it_went_stale() {
        let intent = |seq, at_ms| PushIntent {
            seq,
            at: t(at_ms),
            what: PushWhat::Stock {
                sku: "A".into(),
                available: 5,
            },
        };
        let mut memory = PushMemory::default();
        remember_stale(&mut memory, &[(b"a".to_vec(), intent(1, 100))]);
        // A newer figure replaced the unsent one in the outbox: still stale since 100.
        remember_stale(&mut memory, &[(b"a".to_vec(), intent(2, 900))]);
        assert_eq!(memory.stale_since.get(b"a".as_slice()), Some(&t(100)));
        // Settled and gone from the outbox: forgotten; a later change starts afresh.
        remember_stale(&mut memory, &[]);
        remember_stale(&mut memory, &[(b"a".to_vec(), intent(3, 2000))]);
        assert_eq!(memory.stale_since.get(b"a".as_slice()), Some(&t(2000)));
    }
}
