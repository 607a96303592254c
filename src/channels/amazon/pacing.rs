//! Pacing of listings pushes: a token bucket matching the usage plan of `patchListingsItem`
//! (Amazon: 5 requests a second, burst 5), so the connector sends at the quota instead of
//! running into 429 `QuotaExceeded` and waiting in steps. The plan's rate comes from the
//! config (`push_rate`, `push_burst`) until Amazon says otherwise: every listings answer,
//! throttled or not, carries `x-amzn-RateLimit-Limit`, the rate Amazon applies to this seller
//! and application, and that rate is adopted. A 429 still happens (another client of the same
//! seller and application, a clock that drifts) and empties the bucket: Amazon's is empty,
//! whatever ours says.

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// `patchListingsItem`'s documented rate (requests a second) and burst.
pub const DEFAULT_PUSH_RATE: f64 = 5.0;
pub const DEFAULT_PUSH_BURST: u32 = 5;

/// Rates outside this are not a usage plan (a header garbled on the way): kept out.
const RATE_RANGE: (f64, f64) = (0.001, 10_000.0);

/// A token bucket: `rate` tokens a second, at most `burst`, starting full.
#[derive(Debug)]
pub struct Pacer {
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    rate: f64,
    burst: f64,
    tokens: f64,
    last: Instant,
}

impl State {
    fn refill(&mut self, now: Instant) {
        let elapsed = now.saturating_duration_since(self.last).as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.rate).min(self.burst);
        self.last = now;
    }

    /// How long until one token is there (zero when it is).
    fn wait(&self) -> Duration {
        if self.tokens >= 1.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64((1.0 - self.tokens) / self.rate)
        }
    }
}

impl Pacer {
    /// A full bucket. A rate outside what a usage plan can be falls back to the default, and
    /// a burst of 0 to 1 (a bucket that never holds a token would never send).
    pub fn new(rate: f64, burst: u32) -> Pacer {
        let rate = if valid_rate(rate) {
            rate
        } else {
            DEFAULT_PUSH_RATE
        };
        let burst = f64::from(burst.max(1));
        Pacer {
            state: Mutex::new(State {
                rate,
                burst,
                tokens: burst,
                last: Instant::now(),
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // Nothing panics while holding it; a poisoned bucket is still a bucket.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// (rate a second, burst) in force.
    pub fn plan(&self) -> (f64, u32) {
        let s = self.lock();
        (s.rate, s.burst as u32)
    }

    /// How long until a request may go.
    pub fn wait(&self) -> Duration {
        let mut s = self.lock();
        s.refill(Instant::now());
        s.wait()
    }

    /// Takes a token, waiting for one first when the bucket is empty.
    pub async fn take(&self) {
        loop {
            let wait = {
                let mut s = self.lock();
                s.refill(Instant::now());
                let wait = s.wait();
                if wait.is_zero() {
                    s.tokens -= 1.0;
                    return;
                }
                wait
            };
            tokio::time::sleep(wait).await;
        }
    }

    /// The channel answered a request this bucket let go. Amazon took its token when the
    /// request arrived, after ours was taken at the send: had its bucket been full, it started
    /// refilling later than ours did, and ours would run ahead of it by the request's transit
    /// time (enough for a 429 when the next request travels faster). So the request counts as
    /// taken now for the cap: the bucket holds at most `burst - 1` tokens at this instant.
    /// Below the cap a take's timing changes nothing (the bucket is linear there).
    pub fn answered(&self) {
        let mut s = self.lock();
        s.refill(Instant::now());
        s.tokens = s.tokens.min(s.burst - 1.0);
    }

    /// Adopts the rate the channel says it applies (`x-amzn-RateLimit-Limit`); true when it
    /// changed. The burst stays as configured: Amazon does not say it.
    pub fn adopt_rate(&self, rate: f64) -> bool {
        if !valid_rate(rate) {
            return false;
        }
        let mut s = self.lock();
        if (s.rate - rate).abs() < 1e-9 {
            return false;
        }
        s.refill(Instant::now());
        s.rate = rate;
        true
    }

    /// The channel throttled a request: its bucket is empty, so ours is too.
    pub fn drain(&self) {
        let mut s = self.lock();
        s.refill(Instant::now());
        s.tokens = s.tokens.min(0.0);
    }
}

fn valid_rate(rate: f64) -> bool {
    rate.is_finite() && (RATE_RANGE.0..=RATE_RANGE.1).contains(&rate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_bucket_lets_the_burst_go_then_waits_one_interval() {
        // A slow plan (one request in 100 s), so no refill happens while the test runs.
        let p = Pacer::new(0.01, 3);
        for _ in 0..3 {
            assert_eq!(p.wait(), Duration::ZERO);
            p.lock().tokens -= 1.0;
        }
        let wait = p.wait();
        assert!(
            wait > Duration::from_secs(90) && wait <= Duration::from_secs(100),
            "{wait:?}"
        );
    }

    #[test]
    fn the_channels_rate_is_adopted_and_nonsense_is_not() {
        let p = Pacer::new(5.0, 5);
        assert!(p.adopt_rate(2.0));
        assert_eq!(p.plan(), (2.0, 5));
        assert!(!p.adopt_rate(2.0), "the same rate changes nothing");
        for bad in [0.0, -1.0, f64::NAN, f64::INFINITY, 1e9] {
            assert!(!p.adopt_rate(bad), "{bad}");
        }
        assert_eq!(p.plan(), (2.0, 5));
        assert_eq!(Pacer::new(f64::NAN, 0).plan(), (DEFAULT_PUSH_RATE, 1));
    }

    #[test]
    fn an_answer_counts_the_request_as_taken_when_it_came_back() {
        let p = Pacer::new(0.01, 3);
        p.lock().tokens = 3.0;
        p.answered();
        assert_eq!(
            p.lock().tokens,
            2.0,
            "taken from a full bucket: at most burst - 1"
        );
        p.lock().tokens = 1.5;
        p.answered();
        assert!(p.lock().tokens < 1.51, "below the cap nothing changes");
    }

    #[test]
    fn a_throttle_empties_the_bucket() {
        let p = Pacer::new(0.01, 5);
        assert_eq!(p.wait(), Duration::ZERO);
        p.drain();
        assert!(p.wait() > Duration::from_secs(90));
    }
}
