//! A channel's incremental sync. One *sweep* reads every order changed since the committed
//! watermark (less an overlap, edge case 11) page by page to the end, and hands each page to the
//! intake together with the cursor that covers it: the page's orders and the cursor land in one
//! commit (invariant 1), so a crash between pages resumes at the next page and never skips an
//! order. The watermark moves only when the sweep ends.
//!
//! Retries: throttles wait what the channel asked (`Retry-After`), else back off with full
//! jitter; transient failures (5xx, timeouts, HTML, truncated bodies) back off with full jitter;
//! a refused page token restarts the window from the committed watermark (edge case 10); a page
//! that repeats the previous one ends the sweep instead of looping (edge case 9).
//!
//! The poller knows nothing of the ledger: it talks to an [`Intake`], which the engine provides.

use std::hash::{BuildHasher, RandomState};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures_util::future::BoxFuture;
use tokio::sync::{mpsc, watch};

use super::{Channel, ChannelError, Mapped, PageRequest};
use crate::model::{ChannelCursor, ChannelHealth, Sweep};

/// How far back the first sweep of a channel reaches (Shopify shows 60 days without
/// `read_all_orders`; a month of open orders is what an OMS needs to start).
pub const FIRST_SWEEP_DAYS: i64 = 30;
/// Page fetches tried before a sweep gives up (it resumes from its cursor next time).
const MAX_ATTEMPTS: u32 = 8;
const BACKOFF_BASE: Duration = Duration::from_millis(250);
const BACKOFF_CAP: Duration = Duration::from_secs(30);

/// What the intake made of one committed page.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PageTally {
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub quarantined: u64,
    pub refused: u64,
}

impl PageTally {
    pub fn add(&mut self, other: PageTally) {
        self.created += other.created;
        self.updated += other.updated;
        self.unchanged += other.unchanged;
        self.quarantined += other.quarantined;
        self.refused += other.refused;
    }

    pub fn orders(&self) -> u64 {
        self.created + self.updated + self.unchanged + self.quarantined + self.refused
    }
}

/// Where pages go: the engine commits them through the ledger.
pub trait Intake: Send + Sync {
    /// The channel's committed cursor.
    fn cursor(&self, channel: &str) -> Result<ChannelCursor, String>;
    /// Commits a page's items and the cursor that covers them in one commit; answers once it is
    /// durable.
    fn commit_page(
        &self,
        channel: &dyn Channel,
        items: Vec<Mapped>,
        cursor: ChannelCursor,
    ) -> BoxFuture<'_, Result<PageTally, String>>;
}

#[derive(Debug, Clone)]
pub struct SweepSettings {
    pub overlap: Duration,
    /// Page fetches tried before giving up the sweep.
    pub max_attempts: u32,
    /// Longest single wait between attempts.
    pub backoff_cap: Duration,
}

impl Default for SweepSettings {
    fn default() -> Self {
        SweepSettings {
            overlap: Duration::from_secs(crate::config::DEFAULT_OVERLAP_SECS),
            max_attempts: MAX_ATTEMPTS,
            backoff_cap: BACKOFF_CAP,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct SweepReport {
    pub pages: u32,
    pub tally: PageTally,
    /// Retries this sweep needed (throttles, transient failures, restarted windows).
    pub retries: u32,
    pub watermark: Option<DateTime<Utc>>,
}

/// Health of one channel, shared between its poller, the webhook receiver and the console.
pub type SharedHealth = Arc<Mutex<ChannelHealth>>;

pub fn update_health(health: &SharedHealth, f: impl FnOnce(&mut ChannelHealth)) {
    // A panic while updating health leaves plain data behind; keep using it.
    let mut h = health.lock().unwrap_or_else(|p| p.into_inner());
    f(&mut h);
}

/// One sweep: from the committed cursor to the end of the channel's changes.
/// `stop` ends the waits early (shutdown); the sweep then returns what it committed so far.
pub async fn sweep(
    channel: &dyn Channel,
    intake: &dyn Intake,
    settings: &SweepSettings,
    health: Option<&SharedHealth>,
    stop: &mut watch::Receiver<bool>,
) -> Result<SweepReport, ChannelError> {
    let what = |detail: String| ChannelError::Rejected {
        what: format!("{}: sweep", channel.id()),
        detail,
    };
    let mut cursor = intake.cursor(channel.id()).map_err(what)?;
    let mut report = SweepReport {
        watermark: cursor.watermark,
        ..SweepReport::default()
    };
    let overlap = chrono::Duration::from_std(settings.overlap).unwrap_or_default();
    let window_start = |c: &ChannelCursor| match c.watermark {
        Some(w) => w - overlap,
        None => Utc::now() - chrono::Duration::days(FIRST_SWEEP_DAYS),
    };
    let mut attempts = 0u32;
    let mut previous_page: Option<(String, String)> = None;
    loop {
        let (from, request, latest) = match &cursor.sweep {
            Some(s) => (s.from, PageRequest::Next(s.next.clone()), s.latest_change),
            None => {
                let from = window_start(&cursor);
                (from, PageRequest::Since(from), None)
            }
        };
        if let Some(h) = health {
            update_health(h, |h| {
                h.state = "polling".into();
                h.last_attempt = Some(Utc::now());
            });
        }
        let page = match channel.fetch_page(request).await {
            Ok(page) => page,
            Err(e) => {
                attempts += 1;
                report.retries += 1;
                note_error(health, &e);
                let wait = match &e {
                    ChannelError::CursorExpired { .. } => {
                        // Start the window again from what is committed; replays change nothing.
                        cursor.sweep = None;
                        previous_page = None;
                        Some(Duration::ZERO)
                    }
                    ChannelError::RateLimited { retry_after, .. } => {
                        Some(retry_after.unwrap_or_else(|| backoff(attempts, settings)))
                    }
                    ChannelError::Transient { .. } => Some(backoff(attempts, settings)),
                    ChannelError::Auth { .. } | ChannelError::Rejected { .. } => None,
                };
                match wait {
                    Some(wait) if attempts < settings.max_attempts => {
                        if let Some(h) = health {
                            update_health(h, |h| {
                                h.state = format!("retrying in {:.1} s", wait.as_secs_f64())
                            });
                        }
                        if wait_or_stop(wait, stop).await {
                            return Ok(report);
                        }
                        continue;
                    }
                    _ => return Err(e),
                }
            }
        };
        attempts = 0;
        if let Some(h) = health {
            update_health(h, |h| {
                if let Some(rate) = page.rate {
                    h.rate_remaining = Some(rate.remaining);
                    h.rate_limit = Some(rate.limit);
                }
            });
        }
        let ends = first_and_last(&page.items);
        if page.next.is_some() && ends.is_some() && ends == previous_page {
            return Err(ChannelError::Transient {
                what: format!("{}: sweep", channel.id()),
                detail: "the channel returned the same page twice; the sweep stops here and starts again next time".into(),
            });
        }
        previous_page = ends;
        let latest_change = page
            .items
            .iter()
            .filter_map(Mapped::updated_at)
            .chain(latest)
            .max();
        let next_cursor = match &page.next {
            Some(next) => ChannelCursor {
                sweep: Some(Sweep {
                    from,
                    next: next.clone(),
                    latest_change,
                    pages: cursor.sweep.as_ref().map_or(0, |s| s.pages) + 1,
                }),
                ..cursor.clone()
            },
            None => ChannelCursor {
                watermark: match (cursor.watermark, latest_change) {
                    (Some(w), Some(l)) => Some(w.max(l)),
                    (w, l) => w.or(l),
                },
                sweep: None,
                last_sweep_at: Some(Utc::now()),
            },
        };
        let tally = intake
            .commit_page(channel, page.items, next_cursor.clone())
            .await
            .map_err(|e| ChannelError::Transient {
                what: format!("{}: commit", channel.id()),
                detail: e,
            })?;
        cursor = next_cursor;
        report.pages += 1;
        report.tally.add(tally);
        report.watermark = cursor.watermark;
        if let Some(h) = health {
            update_health(h, |h| {
                h.pages += 1;
                // Orders taken: what the commit created or changed. Every item of the page
                // counted before, so the overlap's re-reads (each sweep reads its last minutes
                // again) inflated the figure far past the orders stored.
                h.orders += tally.created;
                h.orders_updated += tally.updated;
                h.watermark = cursor.watermark;
            });
        }
        if cursor.sweep.is_none() {
            if let Some(h) = health {
                update_health(h, |h| {
                    h.last_success = Some(Utc::now());
                    h.consecutive_errors = 0;
                    h.state = "idle".into();
                });
            }
            return Ok(report);
        }
    }
}

fn first_and_last(items: &[Mapped]) -> Option<(String, String)> {
    let id = |m: &Mapped| match m {
        Mapped::Order { order, .. } => format!("{}@{}", order.external_id, order.updated_at),
        Mapped::Unmappable {
            external_id, raw, ..
        } => external_id
            .clone()
            .unwrap_or_else(|| raw.chars().take(64).collect()),
    };
    Some((id(items.first()?), id(items.last()?)))
}

fn note_error(health: Option<&SharedHealth>, e: &ChannelError) {
    tracing::warn!("{e}");
    if let Some(h) = health {
        update_health(h, |h| {
            h.errors += 1;
            h.consecutive_errors += 1;
            h.last_error = Some(e.to_string());
            h.last_error_at = Some(Utc::now());
        });
    }
}

/// Full jitter: a random wait between 0 and the capped exponential step.
fn backoff(attempt: u32, settings: &SweepSettings) -> Duration {
    let step = BACKOFF_BASE
        .saturating_mul(1u32 << attempt.min(16))
        .min(settings.backoff_cap);
    let random = RandomState::new().hash_one(attempt) as f64 / u64::MAX as f64;
    step.mul_f64(random)
}

/// Waits, or returns true at once when asked to stop.
async fn wait_or_stop(wait: Duration, stop: &mut watch::Receiver<bool>) -> bool {
    if *stop.borrow() {
        return true;
    }
    tokio::select! {
        _ = tokio::time::sleep(wait) => false,
        _ = stop.changed() => true,
    }
}

/// What an operator can ask of a running poller.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Control {
    Pause,
    Resume,
    PollNow,
}

/// A channel's poller: a sweep every `interval`, waiting longer after failures, until `stop`.
pub async fn run(
    channel: Arc<dyn Channel>,
    intake: Arc<dyn Intake>,
    settings: SweepSettings,
    interval: Duration,
    health: SharedHealth,
    mut control: mpsc::Receiver<Control>,
    mut stop: watch::Receiver<bool>,
) {
    let mut failures = 0u32;
    loop {
        let paused = health.lock().map(|h| h.paused).unwrap_or(false);
        let mut wait = interval;
        if !paused {
            match sweep(
                channel.as_ref(),
                intake.as_ref(),
                &settings,
                Some(&health),
                &mut stop,
            )
            .await
            {
                Ok(report) => {
                    failures = 0;
                    tracing::info!(
                        "{}: sweep of {} pages: {} new, {} updated, {} unchanged, {} quarantined",
                        channel.id(),
                        report.pages,
                        report.tally.created,
                        report.tally.updated,
                        report.tally.unchanged,
                        report.tally.quarantined
                    );
                }
                Err(e) => {
                    failures += 1;
                    note_error(Some(&health), &e);
                    // Credentials or a refused request will not fix themselves quickly.
                    wait = interval.max(backoff_floor(failures));
                    update_health(&health, |h| h.state = "failing".into());
                }
            }
        }
        if *stop.borrow() {
            return;
        }
        update_health(&health, |h| {
            h.next_poll_at = chrono::Duration::from_std(wait)
                .ok()
                .map(|d| Utc::now() + d);
            if !paused && h.state != "failing" {
                h.state = "idle".into();
            }
        });
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = stop.changed() => return,
            c = control.recv() => match c {
                Some(Control::Pause) => update_health(&health, |h| { h.paused = true; h.state = "paused".into(); }),
                Some(Control::Resume) => update_health(&health, |h| { h.paused = false; h.state = "idle".into(); }),
                Some(Control::PollNow) => update_health(&health, |h| h.paused = false),
                None => {}
            },
        }
    }
}

/// After repeated failed sweeps, the next one waits at least this long (up to 5 minutes).
fn backoff_floor(failures: u32) -> Duration {
    Duration::from_secs(5u64.saturating_mul(1 << failures.min(6)).min(300))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::channels::{ChannelKind, Page};
    use std::sync::atomic::{AtomicU32, Ordering};

    /// A channel that answers every request with the same page and a next token: the loop
    /// Amazon has been seen to make (edge case 9).
    struct Repeating {
        calls: AtomicU32,
    }

    fn unmappable(id: &str) -> Mapped {
        Mapped::Unmappable {
            raw: format!("{{\"id\":\"{id}\"}}"),
            reason: "test".into(),
            external_id: Some(id.into()),
            updated_at: None,
        }
    }

    impl Channel for Repeating {
        fn id(&self) -> &str {
            "loop"
        }
        fn kind(&self) -> ChannelKind {
            ChannelKind::Amazon
        }
        fn fetch_page(&self, _request: PageRequest) -> BoxFuture<'_, Result<Page, ChannelError>> {
            self.calls.fetch_add(1, Ordering::SeqCst);
            Box::pin(async {
                Ok(Page {
                    items: vec![unmappable("a"), unmappable("b")],
                    next: Some("same-token".into()),
                    rate: None,
                })
            })
        }
    }

    /// Keeps the committed cursor in memory.
    #[derive(Default)]
    struct Memory {
        cursor: Mutex<ChannelCursor>,
        pages: AtomicU32,
    }

    impl Intake for Memory {
        fn cursor(&self, _channel: &str) -> Result<ChannelCursor, String> {
            Ok(self.cursor.lock().unwrap().clone())
        }
        fn commit_page(
            &self,
            _channel: &dyn Channel,
            items: Vec<Mapped>,
            cursor: ChannelCursor,
        ) -> BoxFuture<'_, Result<PageTally, String>> {
            self.pages.fetch_add(1, Ordering::SeqCst);
            *self.cursor.lock().unwrap() = cursor;
            let n = items.len() as u64;
            Box::pin(async move {
                Ok(PageTally {
                    quarantined: n,
                    ..PageTally::default()
                })
            })
        }
    }

    #[tokio::test]
    async fn a_page_that_repeats_ends_the_sweep_instead_of_looping() {
        let channel = Repeating {
            calls: AtomicU32::new(0),
        };
        let intake = Memory::default();
        let (_tx, mut stop) = watch::channel(false);
        let err = sweep(
            &channel,
            &intake,
            &SweepSettings::default(),
            None,
            &mut stop,
        )
        .await
        .unwrap_err();
        assert!(err.to_string().contains("same page twice"), "{err}");
        assert_eq!(channel.calls.load(Ordering::SeqCst), 2);
        // The first page was committed; the watermark did not move past anything.
        assert_eq!(intake.pages.load(Ordering::SeqCst), 1);
        assert_eq!(intake.cursor.lock().unwrap().watermark, None);
    }
}
