//! The Channels pane's order counts (issue 6, finding 18: `shopify … 13177` with ~700 orders
//! stored): the poller, against the Shopify simulator over real HTTP and the real ledger, counts
//! the orders it created and the orders it changed, not every order it read. Each sweep reads
//! its overlap again, so counting reads grew the figure by the overlap's size every 2 seconds.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;

use ordo::channels;
use ordo::channels::poller::{self, SharedHealth, SweepSettings};
use ordo::config::Config;
use ordo::engine::intake::LedgerIntake;
use ordo::engine::Engine;
use ordo::ledger::Command;
use ordo::model::{Actor, ChannelHealth, ChannelKind};
use ordo::sim::world::SimWorld;
use ordo::sim::{Catalog, Feed};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn channel_health_counts_orders_created_and_updated_not_orders_read() {
    let world = Arc::new(SimWorld::start(0).await.expect("simulators"));
    let dir = tempfile::tempdir().expect("temp dir");
    let mut ch = world
        .channel_configs(60)
        .into_iter()
        .find(|c| c.kind == ChannelKind::Shopify)
        .expect("a Shopify channel");
    ch.page_size = Some(25);
    let mut config = Config::default();
    config.channels = vec![ch.clone()];
    let engine = Engine::open(&config, &dir.path().join("data")).expect("engine");
    let catalog = Catalog::demo();
    engine
        .ledger()
        .submit(Command::SetStock {
            rows: catalog.stock_rows(|_| true),
            by: Actor::System,
        })
        .await
        .expect("stock");
    let env = world.env();
    let lookup = move |k: &str| env.get(k).cloned();
    let channel = channels::connect(&ch, &lookup).expect("connector");
    let intake = LedgerIntake {
        ledger: engine.ledger(),
        store: engine.store().clone(),
    };

    // 60 Shopify orders (the feed's edits and cancels among them), all within the last
    // hour, so that every sweep's overlap (one hour here) reads them all again.
    let mut feed = Feed::new(7, catalog);
    let mut at = Utc::now() - chrono::Duration::minutes(50);
    let mut placed = 0;
    while placed < 60 {
        let order = feed.next(at);
        at += chrono::Duration::seconds(10);
        if order.channel != "shopify" || order.pickup_location.is_some() {
            continue;
        }
        assert!(world.place(order).is_none());
        placed += 1;
    }

    let health: SharedHealth = Arc::new(Mutex::new(ChannelHealth::default()));
    let settings = SweepSettings {
        overlap: Duration::from_secs(3600),
        ..SweepSettings::default()
    };
    let sweep = || async {
        // The sender lives as long as the sweep: a dropped one would read as "stop".
        let (_tx, mut stop) = tokio::sync::watch::channel(false);
        poller::sweep(
            channel.as_ref(),
            &intake,
            &settings,
            Some(&health),
            &mut stop,
        )
        .await
        .expect("sweep")
    };
    let stored = || {
        engine
            .store()
            .ids_by_channel(&ch.id)
            .filter(|r| r.is_ok())
            .count() as u64
    };
    let snapshot = |h: &SharedHealth| h.lock().expect("health").clone();

    let first = sweep().await;
    let after_first = snapshot(&health);
    assert!(stored() >= 40, "only {} orders stored", stored());
    assert_eq!(after_first.orders, stored(), "{after_first:?}");
    assert_eq!(after_first.orders, first.tally.created);
    assert_eq!(after_first.orders_updated, first.tally.updated);

    // Three more sweeps with nothing new: each reads every order again (the overlap) and
    // takes none, so the counts stay where they were while the pages read keep growing.
    let mut read_again = 0;
    for _ in 0..3 {
        let again = sweep().await;
        assert_eq!(again.tally.created + again.tally.updated, 0, "{again:?}");
        read_again += again.tally.unchanged;
    }
    let after_rereads = snapshot(&health);
    assert!(
        read_again >= 3 * stored(),
        "the overlap re-read {read_again}"
    );
    assert!(after_rereads.pages >= after_first.pages + 3);
    assert_eq!(after_rereads.orders, after_first.orders);
    assert_eq!(after_rereads.orders_updated, after_first.orders_updated);
    // What the column showed before: every order read, here four times the orders stored.
    assert!(after_first.orders + read_again > 3 * after_rereads.orders);

    // New versions: the feed's next Shopify orders, edits and cancels among them.
    let mut versions = 0;
    while versions < 20 {
        let order = feed.next(at);
        at += chrono::Duration::seconds(5);
        if order.channel != "shopify" || order.pickup_location.is_some() {
            continue;
        }
        assert!(world.place(order).is_none());
        versions += 1;
    }
    let taken = sweep().await;
    let after_new = snapshot(&health);
    assert!(taken.tally.created + taken.tally.updated > 0, "{taken:?}");
    assert_eq!(after_new.orders - after_rereads.orders, taken.tally.created);
    assert_eq!(
        after_new.orders_updated - after_rereads.orders_updated,
        taken.tally.updated
    );
    assert_eq!(after_new.orders, stored());

    engine.shutdown();
}
