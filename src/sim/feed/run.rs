//! The feed at work: its pace ([`Pacer`]), and [`run_feed`], which sends its orders to the
//! ledger (or to the channel simulators) with a delivery now and then.

use std::time::Duration;

use chrono::Utc;
use tokio::sync::watch;

use super::Feed;
use crate::ledger::{Command, LedgerError, LedgerHandle, Origin, Outcome};
use crate::model::Actor;
use crate::sim::{Catalog, Item, Rng};

/// The pace of orders: Poisson arrivals at `rate` a second, and now and then a burst (a flash
/// sale, a marketplace batch) of 8-25 orders at eight times the rate.
#[derive(Debug, Clone)]
pub struct Pacer {
    rng: Rng,
    rate: f64,
    burst_left: u32,
}

impl Pacer {
    pub fn new(seed: u64, rate: f64) -> Pacer {
        Pacer {
            rng: Rng::new(seed.wrapping_mul(31).wrapping_add(7)),
            rate,
            burst_left: 0,
        }
    }

    /// How long to wait before the next order.
    pub fn next_delay(&mut self) -> Duration {
        if self.rate <= 0.0 || !self.rate.is_finite() {
            return Duration::from_secs(3600);
        }
        // Bursts bring the gaps down by about a fifth on average: the gaps between bursts are
        // stretched to match, so `rate` is the average including bursts.
        let mut mean = 1.28 / self.rate;
        if self.burst_left > 0 {
            self.burst_left -= 1;
            mean /= 8.0;
        } else if self.rng.chance(0.02) {
            self.burst_left = self.rng.range(8, 25) as u32;
        }
        Duration::from_secs_f64(self.rng.exp(mean).min(mean * 6.0))
    }
}

/// What a feed did, for the log and for tests.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FeedStats {
    pub sent: u64,
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
    pub quarantined: u64,
    pub refused: u64,
    pub restocks: u64,
}

impl FeedStats {
    fn count(&mut self, reply: &Result<Outcome, LedgerError>) {
        match reply {
            Ok(Outcome::Created { .. }) => self.created += 1,
            Ok(Outcome::Updated { .. }) => self.updated += 1,
            Ok(Outcome::Quarantined { .. }) => self.quarantined += 1,
            Ok(_) => self.unchanged += 1,
            Err(_) => self.refused += 1,
        }
    }
}

/// The origin every feed order carries: ordo's own format, from the demo feed.
pub fn origin() -> Origin {
    Origin {
        source: "demo-feed".to_string(),
        format: "ordo".to_string(),
        raw: None,
    }
}

/// Sends the feed's orders to the ledger at `rate` orders a second (with bursts) until `stop`
/// turns true (or its sender is dropped) or the ledger stops. Every ~40 orders a delivery
/// arrives at a warehouse (a stock adjustment), so backordered orders get stock as they would
/// in a real shift.
///
/// With `shops`, the orders of the simulated channels (Shopify, WooCommerce, Amazon) go into
/// their simulators instead, for ordo's connectors to poll; the rest (point of sale) still go
/// to the ledger.
pub async fn run_feed(
    ledger: LedgerHandle,
    mut feed: Feed,
    rate: f64,
    shops: Option<std::sync::Arc<crate::sim::world::SimWorld>>,
    mut stop: watch::Receiver<bool>,
) -> FeedStats {
    let mut pacer = Pacer::new(feed.seed(), rate);
    let mut receiving = Rng::new(feed.seed().wrapping_add(0xD0C));
    let mut stats = FeedStats::default();
    loop {
        if *stop.borrow() {
            break;
        }
        let delay = pacer.next_delay();
        tokio::select! {
            _ = tokio::time::sleep(delay) => {}
            changed = stop.changed() => {
                if changed.is_err() || *stop.borrow() {
                    break;
                }
                continue;
            }
        }
        let order = feed.next(Utc::now());
        let for_ledger = match &shops {
            Some(shops) => shops.place(order),
            None => Some(order),
        };
        stats.sent += 1;
        if let Some(order) = for_ledger {
            let command = Command::Ingest {
                order: Box::new(order),
                origin: origin(),
                resolves: None,
            };
            let reply = ledger.submit(command).await;
            if let Err(LedgerError::Stopped) = reply {
                break;
            }
            if let Err(e) = &reply {
                tracing::warn!(error = %e, "demo feed: order refused");
            }
            stats.count(&reply);
        }
        if stats.sent % 40 == 0 {
            if let Some(command) = delivery(&mut receiving, feed.catalog()) {
                match ledger.submit(command).await {
                    Ok(_) => stats.restocks += 1,
                    Err(LedgerError::Stopped) => break,
                    Err(e) => tracing::warn!(error = %e, "demo feed: delivery refused"),
                }
            }
        }
    }
    tracing::info!(?stats, "demo feed stopped");
    stats
}

/// A delivery: 12-48 units of one SKU at one warehouse, more often a scarce one.
fn delivery(rng: &mut Rng, catalog: &Catalog) -> Option<Command> {
    let warehouses: Vec<&String> = catalog
        .locations
        .iter()
        .filter(|l| l.starts_with("wh-"))
        .collect();
    if warehouses.is_empty() {
        return None;
    }
    let scarce: Vec<&Item> = catalog
        .items
        .iter()
        .filter(|i| i.total_on_hand() < 6)
        .collect();
    let item = if !scarce.is_empty() && rng.chance(0.5) {
        *rng.pick(&scarce)
    } else {
        rng.pick(&catalog.items)
    };
    Some(Command::AdjustStock {
        sku: item.sku.clone(),
        location: (*rng.pick(&warehouses)).clone(),
        delta: rng.range(12, 48) as i64,
        by: Actor::Channel("demo-receiving".into()),
    })
}
