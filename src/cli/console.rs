//! `ordo console` (the full-screen console on the configured store) and `ordo demo` (a fresh
//! demo store with a live order feed, and the console opened on it).

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context as _, Result};
use chrono::Utc;
use clap::Args;
use tokio::sync::watch;

use super::{ledger_error, logging, user, Cli, Context};
use crate::client::OrderQuery;
use crate::config::Config;
use crate::console::{ConsoleOptions, ConsoleSettings, Screen};
use crate::engine::channels as channel_services;
use crate::engine::intake::LedgerIntake;
use crate::engine::socket::SOCKET_NAME;
use crate::engine::Engine;
use crate::ledger::{Command, LedgerError};
use crate::model::Actor;
use crate::sim::world::{Limits, SimWorld};
use crate::sim::{feed, run_feed, Catalog, Feed};
use crate::store::StoreError;

/// How often the demo polls its simulated channels: new orders show within about this long.
const DEMO_POLL_SECS: u64 = 2;

#[derive(Args, Debug)]
pub struct ConsoleArgs {
    /// No colors (also when NO_COLOR is set): selection is shown by a marker and reverse video.
    #[arg(long)]
    pub no_color: bool,
    /// Use the mouse (also `[console] mouse = true`): the wheel scrolls, a click selects, a
    /// double-click opens, a click on a tab switches pane. Shift-drag still selects text.
    #[arg(long)]
    pub mouse: bool,
}

#[derive(Args, Debug)]
pub struct DemoArgs {
    /// Seed of the order feed: the same seed gives the same orders.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// New orders a second on average, with bursts; 0 stops the feed after the backlog.
    #[arg(long, default_value_t = 3.0, value_name = "R")]
    pub rate: f64,
    /// Orders already waiting when the console opens.
    #[arg(long, default_value_t = 200, value_name = "N")]
    pub backlog: usize,
    /// No colors (also when NO_COLOR is set).
    #[arg(long)]
    pub no_color: bool,
    /// Use the mouse (also `[console] mouse = true`).
    #[arg(long)]
    pub mouse: bool,
}

fn no_color(flag: bool) -> bool {
    flag || std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

fn operator_name(ctx: &Context) -> String {
    match ctx.operator() {
        Actor::Operator(name) => name,
        other => other.to_string(),
    }
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("ordo-console")
        .build()
        .context("starting the async runtime")
}

/// Why the console's store did not open; for a store in use, how to reach it instead.
fn opening_failed(e: StoreError) -> anyhow::Error {
    match &e {
        StoreError::Locked { dir } => anyhow::anyhow!(
            "{e}\nif that process is `ordo serve`, attach to it: ordo console --connect {}",
            dir.join(SOCKET_NAME).display()
        ),
        _ => e.into(),
    }
}

/// `ordo console`: the console on the configured store. The screen comes up first and the
/// store opens behind it (a store of 1M orders takes sled about a second to open).
pub fn console(ctx: &Context, args: ConsoleArgs) -> Result<()> {
    let options = ConsoleOptions {
        title: ctx.data_dir.display().to_string(),
        no_color: no_color(args.no_color),
        operator: operator_name(ctx),
    };
    let mut settings = ConsoleSettings::from_config(&ctx.config.console);
    settings.mouse |= args.mouse;
    let rt = runtime()?;
    let opening = {
        let (config, dir) = (ctx.config.clone(), ctx.data_dir.clone());
        rt.spawn_blocking(move || Engine::open(&config, &dir))
    };
    let (result, engine) = rt.block_on(async move {
        let mut opening = opening;
        let mut screen = match Screen::enter(options, settings) {
            Ok(screen) => screen,
            // No terminal to draw on: a store that cannot open says more than that.
            Err(e) => {
                return match opening.await {
                    Ok(Ok(engine)) => (Err(e), Some(engine)),
                    Ok(Err(store)) => (Err(opening_failed(store)), None),
                    Err(_) => (Err(e), None),
                }
            }
        };
        let note = format!("opening the store at {}…", ctx.data_dir.display());
        let opened = match screen.wait_for(&note, &mut opening).await {
            Ok(Some(opened)) => opened,
            // Quit (or an error) while the store opens: the terminal is given back at once,
            // and the engine, once open, is shut down cleanly.
            other => {
                drop(screen);
                eprintln!("ordo: closing the store (it was still opening)…");
                let engine = opening.await.ok().and_then(Result::ok);
                return (other.map(|_| ()), engine);
            }
        };
        let engine = match opened {
            Ok(Ok(engine)) => engine,
            Ok(Err(e)) => return (Err(opening_failed(e)), None),
            Err(e) => return (Err(anyhow::anyhow!("opening the store: {e}")), None),
        };
        let intake = Arc::new(LedgerIntake {
            ledger: engine.ledger(),
            store: engine.store().clone(),
        });
        // The engine in-process: its channel pollers and webhook receiver run while the
        // console is open (DESIGN.md's process model).
        let env = |var: &str| std::env::var(var).ok();
        let hub = engine.hub().clone();
        let services = match channel_services::start(&ctx.config, &env, hub, intake).await {
            Ok(services) => services,
            Err(e) => return (Err(e.into()), Some(engine)),
        };
        for (id, e) in &services.failed {
            tracing::warn!("channel {id} not started: {e}");
        }
        let result = screen.run(engine.client()).await;
        services.stop().await;
        (result, Some(engine))
    });
    if let Some(engine) = engine {
        engine.shutdown();
    }
    result
}

/// `ordo demo`: runs before [`Context::load`], because the demo ignores the user's config file
/// and data dir unless they were named explicitly (`--config`/`ORDO_CONFIG`,
/// `--data`/`ORDO_DATA`).
pub fn demo(cli: &Cli, args: &DemoArgs) -> Result<()> {
    if !(args.rate.is_finite() && (0.0..=1000.0).contains(&args.rate)) {
        return Err(user(format!(
            "--rate {}: give orders a second between 0 and 1000",
            args.rate
        )));
    }
    let mut config = match &cli.config {
        Some(path) if !path.as_os_str().is_empty() => {
            Config::load(path).map_err(|e| user(e.to_string()))?
        }
        _ => Config::embedded_default(),
    };
    // The channel simulators on loopback, and the connectors pointed at them: the demo's
    // Shopify, WooCommerce and Amazon orders arrive exactly as a real shop's would.
    let rt = runtime()?;
    let world = Arc::new(
        // Shopify on its Plus plan's limits, so the opening figures of 200 SKUs go out in
        // seconds rather than the standard plan's 100 (Amazon's 5 a second stays as it is).
        rt.block_on(SimWorld::start_with(0, Limits::ShopifyPlus))
            .context("starting the channel simulators on loopback")?,
    );
    config.channels = world.channel_configs(DEMO_POLL_SECS);
    // A temp dir lives until the end of this function (declared first, so dropped last: after
    // the engine and the log writer are done with it).
    let explicit: Option<PathBuf> = cli.data.clone().filter(|d| !d.as_os_str().is_empty());
    let temp = match explicit {
        Some(_) => None,
        None => Some(
            tempfile::Builder::new()
                .prefix("ordo-demo-")
                .tempdir()
                .context("creating a temp dir for the demo store")?,
        ),
    };
    let data_dir = match (&explicit, &temp) {
        (Some(dir), _) => dir.clone(),
        (None, Some(t)) => t.path().to_path_buf(),
        (None, None) => unreachable!("a temp dir is made when no --data is given"),
    };
    let _log = logging::init(&data_dir);
    tracing::info!(data = %data_dir.display(), seed = args.seed, rate = args.rate, "demo start");
    let ctx = Context {
        config,
        data_dir: data_dir.clone(),
    };
    let engine = ctx.engine()?;
    let client = engine.client();
    let fresh = client
        .orders(&OrderQuery::default(), 0, 1)
        .map_err(anyhow::Error::from)?
        .rows
        .is_empty();
    if !fresh {
        engine.shutdown();
        return Err(user(format!(
            "{} already holds orders; `ordo demo` starts on a fresh store (name an empty --data DIR, or none for a temp dir)",
            data_dir.display()
        )));
    }

    let catalog = Catalog::demo();
    let known: Vec<String> = ctx.config.locations.iter().map(|l| l.id.clone()).collect();
    let rows = catalog.stock_rows(|loc| known.iter().any(|k| k == loc));
    if rows.is_empty() {
        engine.shutdown();
        return Err(user(format!(
            "none of the demo catalog's locations ({}) is in the config",
            catalog.locations.join(", ")
        )));
    }

    let ledger = engine.ledger();
    let intake = Arc::new(LedgerIntake {
        ledger: engine.ledger(),
        store: engine.store().clone(),
    });
    let hub = engine.hub().clone();
    let sim_env = world.env();
    let demo_config = ctx.config.clone();
    let mut settings = ConsoleSettings::from_config(&ctx.config.console);
    settings.mouse |= args.mouse;
    let options = ConsoleOptions {
        title: format!("demo · seed {}", args.seed),
        no_color: no_color(args.no_color),
        operator: operator_name(&ctx),
    };
    let backlog = args.backlog;
    let rate = args.rate;
    let mut feed = Feed::new(args.seed, catalog);
    let result: Result<()> = rt.block_on(async move {
        ledger
            .submit(Command::SetStock {
                rows,
                by: Actor::System,
            })
            .await
            .map_err(ledger_error)?;
        // The backlog: the last two hours of orders, sent together so that they fill groups.
        let start = Utc::now() - chrono::Duration::hours(2);
        let step = chrono::Duration::seconds(7200 / backlog.max(1) as i64);
        let mut replies = Vec::with_capacity(backlog);
        for i in 0..backlog {
            let Some(order) = world.place(feed.next(start + step * i as i32)) else {
                continue;
            };
            let command = Command::Ingest {
                order: Box::new(order),
                origin: feed::origin(),
                resolves: None,
            };
            replies.push(ledger.send(command).await.map_err(ledger_error)?);
        }
        for reply in replies {
            match reply.await {
                Ok(Ok(_)) => {}
                Ok(Err(e)) if !e.is_user_error() => return Err(e.into()),
                Ok(Err(e)) => tracing::warn!(error = %e, "demo backlog: order refused"),
                Err(_) => return Err(LedgerError::Stopped.into()),
            }
        }
        let env = move |var: &str| sim_env.get(var).cloned();
        let services = channel_services::start(&demo_config, &env, hub, intake).await?;
        let (stop, stopped) = watch::channel(false);
        let feeding = tokio::spawn(run_feed(
            ledger.clone(),
            feed,
            rate,
            Some(world.clone()),
            stopped,
        ));
        let result = crate::console::run_with(client, options, settings).await;
        let _ = stop.send(true);
        let _ = feeding.await;
        services.stop().await;
        result
    });
    drop(rt);
    engine.shutdown();
    if temp.is_some() {
        eprintln!(
            "ordo demo: the demo store was a temp dir and is gone (keep one with --data DIR)"
        );
    }
    result
}
