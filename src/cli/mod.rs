//! The command line (DESIGN.md's contract): flags, and one module per group of commands. Every
//! user mistake becomes a [`UserError`] (exit 2); other failures exit 1.

mod actions;
mod check;
mod connect;
mod console;
mod ingest;
mod logging;
mod orders;
mod quarantine;
mod route;
mod sim;
mod stock;
mod sync;

use std::path::{Path, PathBuf};

use anyhow::Result;
use clap::{Parser, Subcommand, ValueEnum};

use crate::config::Config;
use crate::engine::Engine;
use crate::ledger::LedgerError;
use crate::model::Actor;
use crate::store::Store;

/// A mistake in what the user asked or gave: a short message and exit code 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UserError(pub String);

pub fn user(msg: impl Into<String>) -> anyhow::Error {
    UserError(msg.into()).into()
}

/// Ledger refusals of what was asked are the user's to fix; the rest are failures.
pub fn ledger_error(e: LedgerError) -> anyhow::Error {
    if e.is_user_error() {
        user(e.to_string())
    } else {
        e.into()
    }
}

#[derive(Parser, Debug)]
#[command(
    name = "ordo",
    version,
    about = "Multichannel order management: every channel's orders in one store, stock kept in sync, orders routed by live rules",
    propagate_version = true
)]
pub struct Cli {
    /// Config file (TOML). Default: $XDG_CONFIG_HOME/ordo/config.toml if present, else built-in defaults.
    #[arg(long, global = true, env = "ORDO_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Data directory holding the store. Default: the config's data_dir, else the XDG data dir.
    #[arg(long, global = true, env = "ORDO_DATA", value_name = "DIR")]
    pub data: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Load orders from a file in ordo's JSON Lines format (docs/order-format.md).
    Ingest(ingest::IngestArgs),
    /// List orders from the store.
    Orders(orders::OrdersArgs),
    /// Dump orders, inventory or events to stdout.
    Export(orders::ExportArgs),
    /// Stock counts: import a CSV or set one level.
    #[command(subcommand)]
    Stock(stock::StockCommand),
    /// Verify the store's invariants; --repair recomputes derived data.
    Check(check::CheckArgs),
    /// Payloads that could not be mapped, with their reasons.
    #[command(subcommand)]
    Quarantine(quarantine::QuarantineCommand),
    /// Put an order on hold.
    Hold(actions::HoldArgs),
    /// Release a held order (it is routed again).
    Release(actions::OrderArg),
    /// Cancel an order and release its stock.
    Cancel(actions::CancelArgs),
    /// Record a shipment of everything allocated to an order.
    Ship(actions::ShipArgs),
    /// Routing what-ifs: one scenario file, or a replay of stored orders under other rules.
    Route(route::RouteArgs),
    /// The routing rules.
    #[command(subcommand)]
    Rules(route::RulesCommand),
    /// Send an order to a location by hand (its reservations elsewhere are returned).
    Reroute(route::RerouteArgs),
    /// The full-screen console on the store: live orders, stock, queues; keyboard triage.
    Console(connect::ConsoleCommand),
    /// A fresh demo store with a live order feed, and the console opened on it.
    Demo(console::DemoArgs),
    /// Poll every enabled channel to the end of its new orders, commit, exit.
    Sync(sync::SyncArgs),
    /// The engine headless: channel pollers and the webhook receiver, until SIGTERM.
    Serve(sync::ServeArgs),
    /// The channel simulators alone on loopback (Shopify, WooCommerce, Amazon); prints their URLs.
    Sim(sim::SimArgs),
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Jsonl,
    Csv,
}

/// What every command needs: the validated config and where the store lives.
pub struct Context {
    pub config: Config,
    pub data_dir: PathBuf,
}

impl Context {
    pub fn load(cli: &Cli) -> Result<Context> {
        let config = Config::discover(cli.config.as_deref()).map_err(|e| user(e.to_string()))?;
        let data_dir = config.resolve_data_dir(cli.data.as_deref());
        Ok(Context { config, data_dir })
    }

    /// The store alone, for commands that only read (or repair with exclusive access).
    pub fn store(&self) -> Result<Store> {
        let cache = self.config.store.cache_capacity_mb * 1024 * 1024;
        Ok(Store::open(&self.data_dir, cache)?)
    }

    /// The store with its ledger running, for commands that change things.
    pub fn engine(&self) -> Result<Engine> {
        Ok(Engine::open(&self.config, &self.data_dir)?)
    }

    /// Who the audit trail names for commands typed by a person.
    pub fn operator(&self) -> Actor {
        let name = self
            .config
            .console
            .operator
            .clone()
            .or_else(|| std::env::var("USER").ok())
            .unwrap_or_else(|| "cli".to_string());
        Actor::Operator(name)
    }
}

pub fn run(cli: Cli) -> Result<()> {
    if let Command::Demo(args) = &cli.command {
        return console::demo(&cli, args);
    }
    let ctx = Context::load(&cli)?;
    let cli_data = cli.data.clone();
    let _log = logging::init(&ctx.data_dir);
    tracing::info!(command = ?cli.command, data = %ctx.data_dir.display(), "start");
    match cli.command {
        Command::Ingest(args) => ingest::run(&ctx, args),
        Command::Orders(args) => orders::list(&ctx, args),
        Command::Export(args) => orders::export(&ctx, args),
        Command::Stock(cmd) => stock::run(&ctx, cmd),
        Command::Check(args) => check::run(&ctx, args),
        Command::Quarantine(cmd) => quarantine::run(&ctx, cmd),
        Command::Hold(args) => actions::hold(&ctx, args),
        Command::Release(args) => actions::release(&ctx, args),
        Command::Cancel(args) => actions::cancel(&ctx, args),
        Command::Ship(args) => actions::ship(&ctx, args),
        Command::Route(args) => route::route(&ctx, args),
        Command::Rules(cmd) => route::rules(cmd),
        Command::Reroute(args) => route::reroute(&ctx, args),
        Command::Console(c) => match c.connect {
            Some(socket) => connect::console(&cli_data, &ctx, c.console, &socket),
            None => console::console(&ctx, c.console),
        },
        Command::Sync(args) => sync::sync(&ctx, args),
        Command::Serve(args) => sync::serve(&ctx, args),
        Command::Sim(args) => sim::run(args),
        Command::Demo(_) => unreachable!("ordo demo is dispatched before the context is loaded"),
    }
}

/// Opens a file the user named, with a message that names it.
pub fn open_input(path: &Path) -> Result<std::fs::File> {
    std::fs::File::open(path).map_err(|e| user(format!("cannot read {}: {e}", path.display())))
}
