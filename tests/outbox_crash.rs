//! Invariant 6 under `kill -9`: `ordo serve` is killed while its pushes hang in slow channels;
//! the store still holds every pending push; a new `ordo serve` delivers them, and each shop ends
//! with exactly ordo's figures (pushes set levels, so one sent twice cannot double-count).

mod common;

use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use common::Sandbox;
use ordo::sim::channel::FaultPlan;
use ordo::sim::world::{Limits, SimWorld};
use ordo::sim::Catalog;

struct Serve(Child);

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn serve(s: &Sandbox, env: &[(String, String)]) -> Serve {
    let child = s
        .cmd()
        .arg("serve")
        .envs(env.iter().cloned())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("run ordo serve");
    Serve(child)
}

fn pending(s: &Sandbox, channel: &str) -> usize {
    // Opening the store also proves the killed process left it usable.
    let store =
        ordo::store::Store::open(&s.path("data"), 64 << 20).expect("store opens after kill -9");
    store.outbox(channel).expect("outbox readable").len()
}

#[test]
fn pending_pushes_survive_kill_9_and_are_delivered_exactly_after_restart() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let world = rt
        .block_on(SimWorld::start_with(0, Limits::Relaxed))
        .unwrap();
    let s = Sandbox::new();
    let mut text = std::fs::read_to_string(s.path("ordo.toml")).unwrap();
    for c in world.channel_configs(3600) {
        text.push_str(&format!("\n[[channels]]\nid = \"{}\"\nkind = \"{}\"\nbase_url = \"{}\"\npoll_interval_secs = 3600\n", c.id, c.kind, c.base_url));
        match &c.settings {
            ordo::config::ChannelSettings::Shopify { token_env, .. } => {
                text.push_str(&format!(
                    "token_env = \"{token_env}\"\nlocation_id = {}\n",
                    ordo::sim::shopify::DEFAULT_LOCATION_ID
                ));
            }
            ordo::config::ChannelSettings::Woocommerce {
                consumer_key_env,
                consumer_secret_env,
                ..
            } => {
                text.push_str(&format!("consumer_key_env = \"{consumer_key_env}\"\nconsumer_secret_env = \"{consumer_secret_env}\"\n"));
            }
            ordo::config::ChannelSettings::Amazon {
                refresh_token_env,
                client_id_env,
                client_secret_env,
                token_url,
                marketplace_ids,
                seller_id,
                ..
            } => {
                text.push_str(&format!(
                    "refresh_token_env = \"{refresh_token_env}\"\nclient_id_env = \"{client_id_env}\"\nclient_secret_env = \"{client_secret_env}\"\ntoken_url = \"{token_url}\"\nmarketplace_ids = {marketplace_ids:?}\nseller_id = \"{}\"\n",
                    seller_id.clone().unwrap_or_default()
                ));
            }
        }
    }
    std::fs::write(s.path("ordo.toml"), text).unwrap();
    let catalog = Catalog::demo();
    let skus: Vec<(String, i64)> = catalog
        .items
        .iter()
        .take(30)
        .enumerate()
        .map(|(i, item)| (item.sku.clone(), 5 + i as i64))
        .collect();
    let rows: Vec<(&str, &str, i64)> = skus
        .iter()
        .map(|(sku, q)| (sku.as_str(), "wh-east", *q))
        .collect();
    s.stock(&rows);
    let env: Vec<(String, String)> = world.env().into_iter().collect();

    // Every answer of every shop takes 3 s: the pushes hang when the kill comes.
    for sim in world.sims() {
        sim.shop.faults.set(FaultPlan {
            slow_ms: 3000,
            ..FaultPlan::default()
        });
    }
    let mut first = serve(&s, &env);
    std::thread::sleep(Duration::from_millis(1500));
    first.0.kill().expect("kill -9");
    first.0.wait().unwrap();
    drop(first);
    let waiting: Vec<usize> = ["shopify", "woocommerce", "amazon"]
        .iter()
        .map(|c| pending(&s, c))
        .collect();
    // One figure per SKU and channel was written at start; a slow shop confirmed none of them.
    for (c, n) in ["shopify", "woocommerce", "amazon"].iter().zip(&waiting) {
        assert_eq!(
            *n,
            skus.len(),
            "{c}: {n} pushes pending after kill -9, expected {}",
            skus.len()
        );
    }

    // Restart with the shops answering at once: everything is delivered.
    for sim in world.sims() {
        sim.shop.faults.set(FaultPlan::default());
    }
    let second = serve(&s, &env);
    let deadline = Instant::now() + Duration::from_secs(60);
    let delivered = |world: &SimWorld| {
        world.sims().iter().all(|sim| {
            skus.iter()
                .all(|(sku, q)| sim.shop.stock.level(sku) == Some(*q))
        })
    };
    while !delivered(&world) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(200));
    }
    for sim in world.sims() {
        for (sku, q) in &skus {
            assert_eq!(sim.shop.stock.level(sku), Some(*q), "{}: {sku}", sim.kind);
        }
    }
    // Settled: give the confirmations a moment to commit, then stop the engine cleanly.
    std::thread::sleep(Duration::from_millis(500));
    unsafe {
        libc::kill(second.0.id() as i32, libc::SIGTERM);
    }
    let mut second = second;
    let status = second.0.wait().unwrap();
    assert!(status.success(), "ordo serve exited with {status:?}");
    for c in ["shopify", "woocommerce", "amazon"] {
        assert_eq!(
            pending(&s, c),
            0,
            "{c}: pushes still pending after delivery"
        );
    }
    rt.block_on(world.shutdown());
}
