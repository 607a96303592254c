//! The oversell experiment: three channels (Shopify, WooCommerce, Amazon simulators on
//! loopback) sell the same 50 scarce SKUs at once. Each shop sells only what its own stock
//! shows. ordo polls their orders, reserves, and pushes every channel's new available-to-sell
//! through the outbox. Oversold units are units sold on the channels beyond the physical stock:
//! orders ordo can never allocate.
//!
//! The same seeded run is made twice: with ordo's pushes, and with pushes held back 15 minutes
//! (the sync cadence of common multichannel tools): within a run shorter than 15 minutes no
//! push lands, so each channel keeps selling from its opening figure. Printed side by side
//! with the push latency the shops measured (commit to arrival, `X-Ordo-Intent-At`).
//!
//! Oversold units are counted by the simulators themselves (the world shares the physical
//! stock ordo was given: a unit sold after its SKU ran out is oversold, `GET /_sim/stats`
//! `stock.units_oversold`), and cross-checked once against the bench's own count (units sold
//! beyond the opening stock, per SKU).
//!
//! Besides each shop's push latency, the latency of the low figures (at or below
//! `pusher::LOW_AT_OR_BELOW`, which the pusher sends first) is printed: those are the pushes
//! that keep a shop from overselling.
//!
//! `cargo bench --bench oversell`; `ORDO_OVERSELL_SEED`, `ORDO_OVERSELL_SECS` (default 60),
//! `ORDO_OVERSELL_RATE` (sales a second per channel, default 1.5: every sale changes a figure
//! on all three channels, and Amazon's listings API takes 5 requests a second).

#[path = "../tests/common/orders.rs"]
mod orders;

use std::sync::Arc;
use std::time::{Duration, Instant};

use rust_decimal::Decimal;
use tokio::sync::watch;

use ordo::channels::{self, poller, pusher};
use ordo::config::Config;
use ordo::engine::channels as services;
use ordo::engine::intake::LedgerIntake;
use ordo::engine::Engine;
use ordo::ledger::{Command, StockRow};
use ordo::model::{Actor, ChannelKind, ChannelOrder};
use ordo::sim::world::{Limits, SimWorld};
use ordo::sim::{Catalog, Rng};

const SKUS: usize = 50;

#[derive(Debug, Default, Clone)]
struct Report {
    sold: u64,
    refused: u64,
    /// As the simulators count it (the world's total).
    oversold: u64,
    /// As the bench counts it: units sold beyond the opening stock, per SKU.
    oversold_bench: u64,
    stock: i64,
    backordered_units: u64,
    pushes: u64,
    p50_ms: Option<u64>,
    p99_ms: Option<u64>,
    per_channel: Vec<Shop>,
    /// 429s the Amazon simulator answered to listings pushes (and any other request).
    amazon_throttled: u64,
}

#[derive(Debug, Clone)]
struct Shop {
    kind: ChannelKind,
    oversold: u64,
    pushes: u64,
    p50: Option<u64>,
    p99: Option<u64>,
    low_pushes: u64,
    low_p50: Option<u64>,
    low_p99: Option<u64>,
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn order(kind: ChannelKind, n: u64, sku: &str, qty: u32, price: Decimal) -> ChannelOrder {
    let id = format!("X{}{n:07}", kind.as_str().len());
    orders::sale(kind, &id, sku, qty, price)
}

async fn run(seed: u64, secs: u64, rate: f64, push: bool) -> Report {
    // Shopify Plus's REST limit (20 requests/s, bucket 400); WooCommerce takes batches of 100;
    // Amazon's listings API 5 requests/s (its usage plan).
    let world = Arc::new(
        SimWorld::start_with(0, Limits::ShopifyPlus)
            .await
            .expect("simulators start"),
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = Config::default();
    config.channels = world.channel_configs(1);
    let catalog = Catalog::demo();
    let mut rng = Rng::new(seed);
    let items: Vec<_> = catalog
        .items
        .iter()
        .filter(|i| !i.sku.starts_with("GIFTCARD") && i.unit_price < Decimal::from(1000))
        .take(SKUS)
        .cloned()
        .collect();
    let opening: Vec<(String, i64)> = items
        .iter()
        .map(|i| (i.sku.clone(), rng.range(3, 9) as i64))
        .collect();
    let engine = Engine::open(&config, &dir.path().join("data")).expect("engine");
    let rows = opening
        .iter()
        .map(|(sku, q)| StockRow {
            sku: sku.clone(),
            location: "wh-east".into(),
            on_hand: *q,
            safety_stock: Some(0),
        })
        .collect();
    engine
        .ledger()
        .submit(Command::SetStock {
            rows,
            by: Actor::System,
        })
        .await
        .expect("stock");
    // The shops open with the true figures (as after a full sync), and the world knows the
    // physical units, to count what is sold beyond them.
    for (sku, q) in &opening {
        world.set_physical(sku, *q);
    }
    for sim in world.sims() {
        for (sku, q) in &opening {
            sim.shop.stock.set(sku, *q);
        }
    }
    let intake = Arc::new(LedgerIntake {
        ledger: engine.ledger(),
        store: engine.store().clone(),
    });
    let env = world.env();
    let lookup = move |k: &str| env.get(k).cloned();
    let (stop_tx, stop) = watch::channel(false);
    let mut tasks = Vec::new();
    let mut running = None;
    if push {
        running = Some(
            services::start(&config, &lookup, engine.hub().clone(), intake.clone())
                .await
                .expect("services"),
        );
    } else {
        // Pushes held back: the pollers alone (orders still come in and are reserved).
        for c in &config.channels {
            let channel = channels::connect(c, &lookup).expect("connect");
            let health = engine.hub().shared(&c.id).expect("health");
            let (_tx, rx) = tokio::sync::mpsc::channel(1);
            tasks.push(tokio::spawn(poller::run(
                channel,
                intake.clone(),
                services::sweep_settings(c),
                Duration::from_secs(1),
                health,
                rx,
                stop.clone(),
            )));
        }
    }
    // The opening figures go out first (as after a full sync); latency is measured on the
    // pushes the sales cause.
    if push {
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(60)
            && world.sims().iter().any(|s| {
                engine
                    .store()
                    .outbox(s.kind.as_str())
                    .map(|o| !o.is_empty())
                    .unwrap_or(true)
            })
        {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        for sim in world.sims() {
            sim.shop.stock.reset_latency();
        }
    }
    // Sales on the three channels at once.
    let deadline = Instant::now() + Duration::from_secs(secs);
    let mut sellers = Vec::new();
    for (i, kind) in ChannelKind::ALL.into_iter().enumerate() {
        let world = world.clone();
        let items = items.clone();
        let mut rng = Rng::new(seed.wrapping_mul(7).wrapping_add(i as u64));
        sellers.push(tokio::spawn(async move {
            let (mut sold, mut refused, mut n) = (0u64, 0u64, 0u64);
            while Instant::now() < deadline {
                tokio::time::sleep(Duration::from_secs_f64(rng.exp(1.0 / rate).min(1.0))).await;
                let item = rng.pick(&items);
                let qty = if rng.chance(0.8) { 1 } else { 2 };
                n += 1;
                if world.sell(kind, order(kind, n, &item.sku, qty, item.unit_price)) {
                    sold += u64::from(qty);
                } else {
                    refused += 1;
                }
            }
            (sold, refused)
        }));
    }
    let mut report = Report::default();
    for s in sellers {
        let (sold, refused) = s.await.expect("seller");
        report.sold += sold;
        report.refused += refused;
    }
    // Let ordo take in the last orders.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let _ = stop_tx.send(true);
    if let Some(r) = running.take() {
        r.stop().await;
    }
    for t in tasks {
        let _ = t.await;
    }
    report.stock = opening.iter().map(|(_, q)| q).sum();
    // The simulators' count, read over HTTP as any client would.
    for sim in world.sims() {
        let stats: serde_json::Value = reqwest::get(format!("{}/_sim/stats", sim.base_url()))
            .await
            .expect("sim stats")
            .json()
            .await
            .expect("sim stats JSON");
        let stock = &stats["stock"];
        report.oversold = stock["world_units_oversold"].as_u64().unwrap_or(0);
        report.per_channel.push(Shop {
            kind: sim.kind,
            oversold: stock["units_oversold"].as_u64().unwrap_or(0),
            pushes: stock["pushes"].as_u64().unwrap_or(0),
            p50: stock["push_latency_p50_ms"].as_u64(),
            p99: stock["push_latency_p99_ms"].as_u64(),
            low_pushes: stock["low_pushes"].as_u64().unwrap_or(0),
            low_p50: stock["low_push_latency_p50_ms"].as_u64(),
            low_p99: stock["low_push_latency_p99_ms"].as_u64(),
        });
        if sim.kind == ChannelKind::Amazon {
            report.amazon_throttled = stats["throttled"].as_u64().unwrap_or(0);
        }
    }
    // The bench's own count, to cross-check the simulators'.
    for (sku, q) in &opening {
        let sold: u64 = world
            .sims()
            .iter()
            .map(|s| s.shop.stock.stats().sold.get(sku).copied().unwrap_or(0))
            .sum();
        report.oversold_bench += sold.saturating_sub(*q as u64);
    }
    // ordo's side: the units it could not allocate are the oversold ones.
    for order in engine.store().orders() {
        let order = order.expect("order");
        if order.status.is_open() {
            report.backordered_units += order
                .unplaced()
                .iter()
                .map(|(_, _, q)| u64::from(*q))
                .sum::<u64>();
        }
    }
    report.pushes = report.per_channel.iter().map(|s| s.pushes).sum();
    report.p50_ms = report.per_channel.iter().filter_map(|s| s.p50).max();
    report.p99_ms = report.per_channel.iter().filter_map(|s| s.p99).max();
    engine.shutdown();
    if let Ok(w) = Arc::try_unwrap(world) {
        w.shutdown().await;
    }
    report
}

fn main() {
    let seed: u64 = env_or("ORDO_OVERSELL_SEED", 42);
    let secs: u64 = env_or("ORDO_OVERSELL_SECS", 60);
    let rate: f64 = env_or("ORDO_OVERSELL_RATE", 1.5);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    println!(
        "oversell: 3 channels x {rate} sales/s for {secs} s over {SKUS} scarce SKUs (seed {seed})"
    );
    let live = rt.block_on(run(seed, secs, rate, true));
    let held = rt.block_on(run(seed, secs, rate, false));
    let ms = |v: Option<u64>| v.map_or("-".to_string(), |v| format!("{v} ms"));
    println!(
        "{:<38} {:>14} {:>22}",
        "", "ordo pushes", "pushes held 15 min"
    );
    println!(
        "{:<38} {:>14} {:>22}",
        "physical stock (units)", live.stock, held.stock
    );
    println!(
        "{:<38} {:>14} {:>22}",
        "units sold on the channels", live.sold, held.sold
    );
    println!(
        "{:<38} {:>14} {:>22}",
        "sales refused (shop showed 0)", live.refused, held.refused
    );
    println!(
        "{:<38} {:>14} {:>22}",
        "units oversold (the sims' count)", live.oversold, held.oversold
    );
    println!(
        "{:<38} {:>14} {:>22}",
        "  (bench: sold beyond opening stock)", live.oversold_bench, held.oversold_bench
    );
    println!(
        "{:<38} {:>14} {:>22}",
        "  (ordo: units it cannot allocate)", live.backordered_units, held.backordered_units
    );
    println!(
        "{:<38} {:>14} {:>22}",
        "stock pushes received", live.pushes, held.pushes
    );
    println!(
        "{:<38} {:>14} {:>22}",
        "push latency p50 (commit to channel)",
        ms(live.p50_ms),
        ms(held.p50_ms)
    );
    println!(
        "{:<38} {:>14} {:>22}",
        "push latency p99 (budget < 1 s)",
        ms(live.p99_ms),
        ms(held.p99_ms)
    );
    for (live, held) in live.per_channel.iter().zip(&held.per_channel) {
        println!(
            "  {:<12} oversold {:>3} (held: {:>3}); {:>5} pushes, p50 {}, p99 {}; \
             {:>4} low pushes (<= {}), p50 {}, p99 {}",
            live.kind.as_str(),
            live.oversold,
            held.oversold,
            live.pushes,
            ms(live.p50),
            ms(live.p99),
            live.low_pushes,
            pusher::LOW_AT_OR_BELOW,
            ms(live.low_p50),
            ms(live.low_p99),
        );
    }
    println!(
        "amazon listings throttled (429): {} with ordo's pushes",
        live.amazon_throttled
    );
    if live.oversold != live.oversold_bench || held.oversold != held.oversold_bench {
        println!(
            "NOTE: the sims' oversold count differs from the bench's ({} vs {}, held {} vs {})",
            live.oversold, live.oversold_bench, held.oversold, held.oversold_bench
        );
    }
    let verdict = match live.p99_ms {
        Some(p) if p < 1000 => "met",
        Some(_) => "MISSED",
        None => "no pushes measured",
    };
    let low_p99 = live.per_channel.iter().filter_map(|s| s.low_p99).max();
    let low_verdict = match low_p99 {
        Some(p) if p < 1000 => "met",
        Some(_) => "MISSED",
        None => "no low pushes measured",
    };
    println!(
        "push latency budget p99 < 1 s: {verdict}; for the low figures (<= {}): {low_verdict}",
        pusher::LOW_AT_OR_BELOW
    );
}
