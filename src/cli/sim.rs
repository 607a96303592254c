//! `ordo sim`: the three channel simulators alone on loopback, with a live order generator,
//! and the config (plus the environment it names) that points ordo at them.

use std::sync::Arc;

use anyhow::{Context as _, Result};
use clap::Args;
use tokio::sync::{mpsc, watch};

use super::user;
use crate::sim::world::{self, Limits, SimWorld};
use crate::sim::{Catalog, Feed};

#[derive(Args, Debug)]
pub struct SimArgs {
    /// First port: Shopify on P, WooCommerce on P+1, Amazon on P+2 (0 picks free ports).
    #[arg(long, default_value_t = 0)]
    pub port: u16,
    /// New order versions a second across the three shops (0: only the backlog).
    #[arg(long, default_value_t = 1.0, value_name = "R")]
    pub rate: f64,
    /// Versions already in the shops at start, spread over the last two hours.
    #[arg(long, default_value_t = 100, value_name = "N")]
    pub backlog: usize,
    /// Seed of the generator: the same seed gives the same orders.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// How hard the shops throttle: real (as documented: Shopify standard plan 2 requests/s,
    /// Amazon listings 5/s), shopify-plus (Shopify at 20/s), relaxed (never).
    #[arg(long, value_enum, default_value_t = LimitsArg::Real)]
    pub limits: LimitsArg,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum LimitsArg {
    Real,
    ShopifyPlus,
    Relaxed,
}

pub fn run(args: SimArgs) -> Result<()> {
    if !(args.rate.is_finite() && (0.0..=1000.0).contains(&args.rate)) {
        return Err(user(format!(
            "--rate {}: give order versions a second between 0 and 1000",
            args.rate
        )));
    }
    if args.port > u16::MAX - 2 {
        return Err(user(format!(
            "--port {}: the simulators take P, P+1 and P+2",
            args.port
        )));
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    rt.block_on(async {
        let world = Arc::new(
            SimWorld::start_with(
                args.port,
                match args.limits {
                    LimitsArg::Real => Limits::Real,
                    LimitsArg::ShopifyPlus => Limits::ShopifyPlus,
                    LimitsArg::Relaxed => Limits::Relaxed,
                },
            )
            .await
            .map_err(|e| user(format!("cannot start the simulators: {e}")))?,
        );
        let mut feed = Feed::new(args.seed, Catalog::demo());
        let start = chrono::Utc::now() - chrono::Duration::hours(2);
        let step = chrono::Duration::seconds(7200 / args.backlog.max(1) as i64);
        // Point-of-sale versions have no simulator; the generator drops them here.
        let _ = world::backlog(&world, &mut feed, args.backlog, start, step);
        for sim in world.sims() {
            println!("{:<12} {}", sim.kind.as_str(), sim.base_url());
        }
        println!();
        println!("# environment for the config below:");
        for (k, v) in world.env() {
            println!("export {k}='{v}'");
        }
        println!();
        println!("# config:");
        for c in world.channel_configs(5) {
            println!("[[channels]]");
            println!("id = \"{}\"", c.id);
            println!("kind = \"{}\"", c.kind);
            println!("base_url = \"{}\"", c.base_url);
            println!("poll_interval_secs = {}", c.poll_interval_secs);
            match &c.settings {
                crate::config::ChannelSettings::Shopify {
                    token_env,
                    webhook_secret_env,
                    ..
                } => {
                    println!("token_env = \"{token_env}\"");
                    if let Some(w) = webhook_secret_env {
                        println!("webhook_secret_env = \"{w}\"");
                    }
                }
                crate::config::ChannelSettings::Woocommerce {
                    consumer_key_env,
                    consumer_secret_env,
                    webhook_secret_env,
                    shipment_tracking,
                } => {
                    println!("consumer_key_env = \"{consumer_key_env}\"");
                    println!("consumer_secret_env = \"{consumer_secret_env}\"");
                    if let Some(w) = webhook_secret_env {
                        println!("webhook_secret_env = \"{w}\"");
                    }
                    if *shipment_tracking {
                        println!("shipment_tracking = true");
                    }
                }
                crate::config::ChannelSettings::Amazon {
                    refresh_token_env,
                    client_id_env,
                    client_secret_env,
                    token_url,
                    marketplace_ids,
                    seller_id,
                    ..
                } => {
                    println!("refresh_token_env = \"{refresh_token_env}\"");
                    println!("client_id_env = \"{client_id_env}\"");
                    println!("client_secret_env = \"{client_secret_env}\"");
                    println!("token_url = \"{token_url}\"");
                    println!("marketplace_ids = {marketplace_ids:?}");
                    if let Some(s) = seller_id {
                        println!("seller_id = \"{s}\"");
                    }
                }
            }
            println!();
        }
        eprintln!(
            "ordo sim: {} order versions in the shops, {} more a second; Ctrl-C stops",
            world
                .sims()
                .iter()
                .map(|s| s.shop.book.len())
                .sum::<usize>(),
            args.rate
        );
        let (stop_tx, stop) = watch::channel(false);
        let (others_tx, mut others) = mpsc::channel(64);
        let traffic = tokio::spawn(world::run_traffic(
            world.clone(),
            feed,
            args.rate,
            others_tx,
            stop,
        ));
        // Point-of-sale versions are not any simulator's: drop them.
        let drain = tokio::spawn(async move { while others.recv().await.is_some() {} });
        tokio::signal::ctrl_c()
            .await
            .context("waiting for Ctrl-C")?;
        let _ = stop_tx.send(true);
        let _ = traffic.await;
        drain.abort();
        Ok(())
    })
}
