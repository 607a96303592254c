//! Each connector against its simulator over real HTTP on loopback, through the real poller and
//! ledger into a real sled store: several pages, every fault of the simulators (429 storms,
//! 500 pages, HTML instead of JSON, truncated bodies, refused page tokens, slow answers),
//! incremental sweeps with overlap, edits and cancellations, and a commit failing mid-sweep.
//! Afterwards every order of the shop is stored exactly once at its latest version, and at every
//! commit the cursor covered only orders already stored (invariant 1).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures_util::future::BoxFuture;

use ordo::channels::poller::{self, Intake, PageTally, SweepSettings};
use ordo::channels::{self, Channel, ChannelError, Mapped};
use ordo::config::{ChannelConfig, Config};
use ordo::engine::intake::LedgerIntake;
use ordo::engine::Engine;
use ordo::ledger::Command;
use ordo::model::{Actor, ChannelCursor, ChannelKind, OrderStatus};
use ordo::sim::channel::FaultPlan;
use ordo::sim::world::{channel_external_id, SimWorld};
use ordo::sim::{Catalog, Feed};

const OVERLAP: Duration = Duration::from_secs(300);

/// Wraps the engine's intake: checks the cursor invariant after every commit, and can fail a
/// commit on purpose (as a full disk would).
struct CheckingIntake {
    inner: LedgerIntake,
    engine_store: Arc<ordo::store::Store>,
    world: Arc<SimWorld>,
    kind: ChannelKind,
    fail_after_pages: Mutex<Option<u32>>,
    commits: Mutex<u32>,
}

impl CheckingIntake {
    /// Every order of the shop changed at or before the committed watermark is stored at that
    /// version or a newer one: the next sweep will not look before the watermark less the
    /// overlap, so anything missing there would be lost.
    fn check_cursor(&self, channel: &str) {
        let cursor = self.engine_store.cursor(channel).unwrap();
        let Some(watermark) = cursor.watermark else {
            return;
        };
        for o in self.world.sim(self.kind).shop.book.lock().iter() {
            if o.order.updated_at > watermark {
                continue;
            }
            let ext = channel_external_id(self.kind, o);
            let id = self
                .engine_store
                .order_id(channel, &ext)
                .unwrap()
                .unwrap_or_else(|| {
                    let quarantine: Vec<String> = self
                        .engine_store
                        .quarantined()
                        .map(|q| q.unwrap().reason)
                        .collect();
                    panic!(
                        "cursor at {watermark} passed order {ext} (changed {}) that is not stored; quarantine: {quarantine:?}",
                        o.order.updated_at
                    )
                });
            let stored = self.engine_store.order(id).unwrap().unwrap();
            assert!(
                stored.channel_order.updated_at >= o.order.updated_at,
                "cursor passed version {} of {ext}; stored is {}",
                o.order.updated_at,
                stored.channel_order.updated_at
            );
        }
    }
}

impl Intake for CheckingIntake {
    fn cursor(&self, channel: &str) -> Result<ChannelCursor, String> {
        self.inner.cursor(channel)
    }

    fn commit_page(
        &self,
        channel: &dyn Channel,
        items: Vec<Mapped>,
        cursor: ChannelCursor,
    ) -> BoxFuture<'_, Result<PageTally, String>> {
        let id = channel.id().to_string();
        let fail = {
            let mut commits = self.commits.lock().unwrap();
            *commits += 1;
            self.fail_after_pages
                .lock()
                .unwrap()
                .is_some_and(|n| *commits > n)
        };
        let inner = self.inner.commit_page(channel, items, cursor);
        Box::pin(async move {
            if fail {
                return Err("disk full (injected by the test)".into());
            }
            let tally = inner.await?;
            self.check_cursor(&id);
            Ok(tally)
        })
    }
}

struct Harness {
    world: Arc<SimWorld>,
    engine: Engine,
    config: ChannelConfig,
    channel: Arc<dyn Channel>,
    intake: CheckingIntake,
    feed: Feed,
    /// The time of the latest version written: shops only ever change orders forward.
    clock: DateTime<Utc>,
    _dir: tempfile::TempDir,
}

fn settings() -> SweepSettings {
    SweepSettings {
        overlap: OVERLAP,
        max_attempts: 12,
        backoff_cap: Duration::from_millis(40),
    }
}

impl Harness {
    async fn new(kind: ChannelKind, orders: usize) -> Harness {
        let world = Arc::new(SimWorld::start(0).await.unwrap());
        let dir = tempfile::tempdir().unwrap();
        let mut config = Config::default();
        let mut ch = world
            .channel_configs(60)
            .into_iter()
            .find(|c| c.kind == kind)
            .unwrap();
        ch.page_size = Some(40);
        config.channels = vec![ch.clone()];
        let engine = Engine::open(&config, &dir.path().join("data")).unwrap();
        let catalog = Catalog::demo();
        let rows = catalog.stock_rows(|_| true);
        engine
            .ledger()
            .submit(Command::SetStock {
                rows,
                by: Actor::System,
            })
            .await
            .unwrap();
        let env = world.env();
        let lookup = move |k: &str| env.get(k).cloned();
        let channel = channels::connect(&ch, &lookup).unwrap();
        let intake = CheckingIntake {
            inner: LedgerIntake {
                ledger: engine.ledger(),
                store: engine.store().clone(),
            },
            engine_store: engine.store().clone(),
            world: world.clone(),
            kind,
            fail_after_pages: Mutex::new(None),
            commits: Mutex::new(0),
        };
        let mut h = Harness {
            world,
            engine,
            config: ch,
            channel,
            intake,
            feed: Feed::new(7, catalog),
            clock: DateTime::<Utc>::MIN_UTC,
            _dir: dir,
        };
        let start = Utc::now() - chrono::Duration::hours(3);
        h.add_orders(orders, start, chrono::Duration::seconds(4));
        h
    }

    fn kind(&self) -> ChannelKind {
        self.config.kind
    }

    /// Adds `n` versions for this channel (new orders, and the feed's edits and cancels), one
    /// feed step every `step` from `start` (or after the last version written). Every version
    /// is kept older than two minutes: Amazon shows nothing newer.
    fn add_orders(&mut self, n: usize, start: DateTime<Utc>, step: chrono::Duration) {
        let name = self.kind().as_str();
        let mut placed = 0;
        let mut at = start.max(self.clock + chrono::Duration::seconds(1));
        while placed < n {
            let order = self.feed.next(at);
            at += step;
            assert!(
                at < Utc::now() - chrono::Duration::minutes(2),
                "the test's clock ran ahead"
            );
            self.clock = at;
            if order.channel != name || order.pickup_location.is_some() {
                // Store pickups are not something these shops' APIs carry.
                continue;
            }
            assert!(self.world.place(order).is_none());
            placed += 1;
        }
    }

    fn faults(&self, plan: FaultPlan) {
        self.world.sim(self.kind()).shop.faults.set(plan);
    }

    async fn sweep(&self) -> Result<poller::SweepReport, ChannelError> {
        let (_tx, mut stop) = tokio::sync::watch::channel(false);
        poller::sweep(
            self.channel.as_ref(),
            &self.intake,
            &settings(),
            None,
            &mut stop,
        )
        .await
    }

    /// Every book order stored exactly once, at the book's version; returns how many.
    fn assert_store_matches_book(&self) -> usize {
        let store = self.engine.store();
        let ids: Vec<u64> = store
            .ids_by_channel(&self.config.id)
            .map(|r| r.unwrap())
            .collect();
        let mut by_ext: HashMap<String, DateTime<Utc>> = HashMap::new();
        for id in &ids {
            let o = store.order(*id).unwrap().unwrap();
            let previous = by_ext.insert(
                o.channel_order.external_id.clone(),
                o.channel_order.updated_at,
            );
            assert!(
                previous.is_none(),
                "order {} stored twice",
                o.channel_order.external_id
            );
        }
        let quarantined = store
            .quarantined()
            .filter(|q| q.as_ref().unwrap().resolved_as.is_none())
            .count();
        let book = self.world.sim(self.kind()).shop.book.lock().clone();
        let mut missing = Vec::new();
        for o in &book {
            let ext = channel_external_id(self.kind(), o);
            match by_ext.get(&ext) {
                Some(at) => assert_eq!(
                    *at, o.order.updated_at,
                    "order {ext}: stored version differs from the shop's"
                ),
                None => missing.push(ext),
            }
        }
        assert!(
            missing.len() <= quarantined,
            "{} orders of the shop are neither stored nor quarantined: {:?}",
            missing.len(),
            &missing[..missing.len().min(5)]
        );
        assert_eq!(ids.len() + missing.len(), book.len());
        ids.len()
    }
}

async fn full_run(kind: ChannelKind) {
    let mut h = Harness::new(kind, 150).await;

    // First sweep through every fault the simulator has, one after the other. WooCommerce
    // pages by number: it has no page token to expire.
    let expired_cursors = u32::from(kind != ChannelKind::Woocommerce);
    h.faults(FaultPlan {
        rate_limited: 2,
        server_errors: 2,
        html_pages: 1,
        truncated: 1,
        expired_cursors,
        slow_ms: 0,
    });
    let first = h
        .sweep()
        .await
        .unwrap_or_else(|e| panic!("{kind}: first sweep failed: {e}"));
    assert!(
        first.pages >= 4,
        "{kind}: 150 orders at 40 a page took {} pages",
        first.pages
    );
    assert!(
        first.retries >= 6 + expired_cursors,
        "{kind}: every armed fault should cost a retry: {first:?}"
    );
    assert_eq!(
        h.world.sim(kind).shop.faults.plan(),
        FaultPlan::default(),
        "{kind}: faults left unused"
    );
    let stored = h.assert_store_matches_book();
    // 150 versions: new orders, and the feed's edits and cancels of some of them.
    assert!(stored >= 120, "{kind}: only {stored} orders stored");
    assert_eq!(first.tally.created as usize, stored, "{kind}: {first:?}");

    // An incremental sweep: new orders, plus the feed's edits and cancels of recent ones; the
    // overlap reads the last minutes again, which changes nothing.
    h.add_orders(
        30,
        Utc::now() - chrono::Duration::seconds(900),
        chrono::Duration::seconds(1),
    );
    h.faults(FaultPlan {
        slow_ms: 30,
        ..FaultPlan::default()
    });
    let second = h.sweep().await.unwrap();
    h.faults(FaultPlan::default());
    assert!(
        second.tally.created + second.tally.updated > 0,
        "{kind}: {second:?}"
    );
    assert!(
        second.tally.unchanged > 0,
        "{kind}: the overlap re-read nothing: {second:?}"
    );
    h.assert_store_matches_book();

    // A commit that fails in the middle of a sweep: what was committed stays, the cursor holds
    // the next page, and the next sweep resumes there.
    h.add_orders(50, DateTime::<Utc>::MIN_UTC, chrono::Duration::seconds(1));
    let done = *h.intake.commits.lock().unwrap();
    *h.intake.fail_after_pages.lock().unwrap() = Some(done + 1);
    let failed = h.sweep().await;
    assert!(
        failed.is_err(),
        "{kind}: the injected commit failure went unnoticed"
    );
    let cursor = h.engine.store().cursor(&h.config.id).unwrap();
    assert!(
        cursor.sweep.is_some(),
        "{kind}: the failed sweep left no page to resume from"
    );
    *h.intake.fail_after_pages.lock().unwrap() = None;
    let resumed = h.sweep().await.unwrap();
    assert!(resumed.pages >= 1);
    h.assert_store_matches_book();

    // Cancelled orders of the shop are cancelled here, and their stock is back.
    let store = h.engine.store();
    for o in h
        .world
        .sim(kind)
        .shop
        .book
        .lock()
        .iter()
        .filter(|o| o.order.cancelled)
    {
        let ext = channel_external_id(kind, o);
        let id = store.order_id(&h.config.id, &ext).unwrap().unwrap();
        let stored = store.order(id).unwrap().unwrap();
        assert_eq!(stored.status, OrderStatus::Cancelled, "{kind}: {ext}");
        assert!(
            stored.allocations.is_empty(),
            "{kind}: {ext} still holds stock"
        );
    }
    let check = ordo::store::check::check(store).unwrap();
    assert!(check.is_clean(), "{kind}: {check:?}");
    h.engine.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shopify_sync_is_complete_through_every_fault() {
    full_run(ChannelKind::Shopify).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn woocommerce_sync_is_complete_through_every_fault() {
    full_run(ChannelKind::Woocommerce).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn amazon_sync_is_complete_through_every_fault() {
    full_run(ChannelKind::Amazon).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_credentials_stop_the_sweep_and_move_no_cursor_or_leak_the_secret() {
    for kind in ChannelKind::ALL {
        let h = Harness::new(kind, 10).await;
        let mut env = h.world.env();
        for v in env.values_mut() {
            if !v.contains("webhook") {
                *v = format!("{v}-wrong");
            }
        }
        let wrong: Vec<String> = env.values().cloned().collect();
        let lookup = move |k: &str| env.get(k).cloned();
        let channel = channels::connect(&h.config, &lookup).unwrap();
        let (_tx, mut stop) = tokio::sync::watch::channel(false);
        let err = poller::sweep(channel.as_ref(), &h.intake, &settings(), None, &mut stop)
            .await
            .unwrap_err();
        assert!(matches!(err, ChannelError::Auth { .. }), "{kind}: {err:?}");
        let text = format!("{err} {err:?}");
        for secret in &wrong {
            assert!(
                !text.contains(secret.as_str()),
                "{kind}: the error shows a secret: {text}"
            );
        }
        assert_eq!(
            h.engine.store().cursor(&h.config.id).unwrap(),
            ChannelCursor::default()
        );
        h.engine.shutdown();
    }
}
