//! `ordo sync --once` and `ordo serve`: the channels' side of the engine from the command line.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Result;
use clap::Args;

use crate::channels::{poller, pusher};
use crate::engine::channels as services;
use crate::engine::hub::ChannelsHub;
use crate::engine::intake::LedgerIntake;
use crate::engine::socket::{SocketError, SocketServer, SOCKET_NAME};

use super::{user, Context};

#[derive(Args, Debug)]
pub struct SyncArgs {
    /// Poll every enabled channel to the end of its new orders, commit, and exit.
    #[arg(long)]
    pub once: bool,
    /// Only these channels (by id); repeatable.
    #[arg(long = "channel", value_name = "ID")]
    pub channels: Vec<String>,
}

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// Where consoles connect (`ordo console --connect SOCKET`). Default: DATA/ordo.sock.
    #[arg(long, env = "ORDO_SOCKET", value_name = "PATH")]
    pub socket: Option<PathBuf>,
}

fn env(var: &str) -> Option<String> {
    std::env::var(var).ok()
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?)
}

pub fn sync(ctx: &Context, args: SyncArgs) -> Result<()> {
    if !args.once {
        return Err(user(
            "`ordo sync` needs --once (one pass, then exit); `ordo serve` keeps polling",
        ));
    }
    let mut configs: Vec<_> = ctx.config.channels.clone();
    for id in &args.channels {
        if !configs.iter().any(|c| &c.id == id) {
            let known: Vec<&str> = configs.iter().map(|c| c.id.as_str()).collect();
            return Err(user(format!(
                "no channel `{id}` in the config; configured: {}",
                if known.is_empty() {
                    "none".to_string()
                } else {
                    known.join(", ")
                }
            )));
        }
    }
    if !args.channels.is_empty() {
        configs.retain(|c| args.channels.contains(&c.id));
    }
    let enabled: Vec<_> = configs.iter().filter(|c| c.enabled).cloned().collect();
    if enabled.is_empty() {
        return Err(user(
            "no enabled channel to sync: add [[channels]] to the config (see config.example.toml)",
        ));
    }
    let hub = ChannelsHub::new(&enabled);
    let (connected, failed) = services::connect_all(&enabled, &env, &hub);
    if connected.is_empty() {
        let all: Vec<String> = failed.iter().map(|(_, e)| e.clone()).collect();
        return Err(user(all.join("\n")));
    }
    let engine = ctx.engine()?;
    let intake = LedgerIntake {
        ledger: engine.ledger(),
        store: engine.store().clone(),
    };
    let mut failures = failed.len();
    for (id, e) in &failed {
        eprintln!("{id}: not synced: {e}");
    }
    let rt = runtime()?;
    let mut failures_total = 0;
    rt.block_on(async {
        let (_stop_tx, mut stop) = tokio::sync::watch::channel(false);
        // All channels at once: each has its own rate limits, none waits for another.
        let sweeps = connected.iter().map(|(c, channel)| {
            let settings = services::sweep_settings(c);
            let intake = &intake;
            let mut stop = stop.clone();
            async move {
                let r = poller::sweep(channel.as_ref(), intake, &settings, None, &mut stop).await;
                (c.id.clone(), r)
            }
        });
        for (id, result) in futures_util::future::join_all(sweeps).await {
            match result {
                Ok(r) => {
                    let t = r.tally;
                    println!(
                        "{id}: {} page(s): {} new, {} updated, {} unchanged, {} quarantined, {} refused{}; up to date to {}",
                        r.pages,
                        t.created,
                        t.updated,
                        t.unchanged,
                        t.quarantined,
                        t.refused,
                        if r.retries > 0 { format!(" ({} retries)", r.retries) } else { String::new() },
                        r.watermark.map_or("-".to_string(), |w| w.to_rfc3339()),
                    );
                }
                Err(e) => {
                    failures += 1;
                    eprintln!("{id}: sync failed: {e} (what was committed stays; the next sync resumes there)");
                }
            }
        }
        let _ = stop.borrow_and_update();
        // Then the outbox: every channel's pending stock figures and shipments, until it is
        // empty or the channel keeps failing.
        for (c, channel) in &connected {
            let mut latencies = std::collections::VecDeque::new();
            let (mut confirmed, mut refused, mut failures) = (0, 0, 0u32);
            loop {
                let round =
                    pusher::push_round(channel.as_ref(), &intake, failures, None, &mut latencies).await;
                confirmed += round.confirmed;
                refused += round.refused;
                match round.retry_in {
                    Some(wait) if failures < 5 => {
                        failures += 1;
                        tokio::time::sleep(wait.min(std::time::Duration::from_secs(10))).await;
                    }
                    Some(_) => break,
                    None if round.confirmed + round.refused == 0 => break,
                    None => {}
                }
            }
            let left = intake.store.outbox(&c.id).map(|o| o.len()).unwrap_or(0);
            println!(
                "{}: pushed {confirmed}, refused {refused}{}",
                c.id,
                if left > 0 { format!("; {left} still waiting (the next sync or `ordo serve` retries)") } else { "; outbox empty".to_string() }
            );
            if left > 0 {
                failures_total += 1;
            }
        }
    });
    engine.shutdown();
    let failures = failures + failures_total;
    if failures > 0 {
        anyhow::bail!("{failures} channel(s) did not sync");
    }
    Ok(())
}

pub fn serve(ctx: &Context, args: ServeArgs) -> Result<()> {
    let engine = ctx.engine()?;
    let hub = Arc::new(ChannelsHub::new(&ctx.config.channels));
    let intake = Arc::new(LedgerIntake {
        ledger: engine.ledger(),
        store: engine.store().clone(),
    });
    // Consoles see the channels this process runs.
    let client = engine.client().with_channels(hub.clone());
    let socket = args
        .socket
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or_else(|| ctx.data_dir.join(SOCKET_NAME));
    let rt = runtime()?;
    let result: Result<()> = rt.block_on(async {
        let consoles = SocketServer::start(&socket, client, &ctx.data_dir)
            .await
            .map_err(|e| match e {
                // A path that cannot be used is the user's to fix; a running server is not.
                SocketError::TooLong { .. } | SocketError::NotASocket(_) => user(e.to_string()),
                other => other.into(),
            })?;
        let running = match services::start(&ctx.config, &env, hub.clone(), intake).await {
            Ok(running) => running,
            Err(e) => {
                consoles.stop().await;
                return Err(e.into());
            }
        };
        for (id, e) in &running.failed {
            eprintln!("{id}: not started: {e}");
        }
        let polled = hub.health().iter().filter(|h| h.enabled).count() - running.failed.len();
        eprintln!(
            "ordo serve: store {}; polling {polled} channel(s){}; consoles: ordo console --connect {}; Ctrl-C or SIGTERM stops",
            ctx.data_dir.display(),
            running
                .webhooks
                .map(|a| format!("; webhooks on http://{a}/webhooks/<channel id>"))
                .unwrap_or_default(),
            consoles.path().display(),
        );
        wait_for_signal().await;
        eprintln!("ordo serve: stopping");
        // Consoles first: no command arrives while the rest stops.
        consoles.stop().await;
        running.stop().await;
        Ok(())
    });
    engine.shutdown();
    result
}

async fn wait_for_signal() {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = signal(SignalKind::terminate()).ok();
    let mut hup = signal(SignalKind::hangup()).ok();
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = async { match term.as_mut() { Some(s) => { s.recv().await; } None => std::future::pending().await } } => {}
        _ = async { match hup.as_mut() { Some(s) => { s.recv().await; } None => std::future::pending().await } } => {}
    }
}
