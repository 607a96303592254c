//! `ordo console --connect SOCKET`: the console on a running `ordo serve`, through its console
//! socket (src/engine/socket.rs), instead of an engine in this process. Several operators can
//! work on one store this way: sled lets only one process open it.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use clap::Args;

use super::console::ConsoleArgs;
use super::{user, Context};
use crate::client::Client;
use crate::console::{ConsoleOptions, ConsoleSettings};
use crate::model::Actor;

#[derive(Args, Debug)]
pub struct ConsoleCommand {
    #[command(flatten)]
    pub console: ConsoleArgs,
    /// Talk to a running `ordo serve` on this socket (its DATA/ordo.sock unless it was given
    /// --socket) instead of opening the store.
    #[arg(long, env = "ORDO_CONNECT", value_name = "SOCKET")]
    pub connect: Option<PathBuf>,
}

/// `--data` names the store of an engine in this process; with `--connect` the store is the
/// server's. ORDO_DATA in the environment is not an error (it is there for other commands).
fn check_no_data(cli_data: &Option<PathBuf>) -> Result<()> {
    let from_env = std::env::var_os("ORDO_DATA").map(PathBuf::from);
    match cli_data {
        Some(dir) if !dir.as_os_str().is_empty() && from_env.as_ref() != Some(dir) => Err(user(
            "--connect talks to a running `ordo serve`; --data belongs to that server",
        )),
        _ => Ok(()),
    }
}

pub fn console(
    cli_data: &Option<PathBuf>,
    ctx: &Context,
    args: ConsoleArgs,
    socket: &Path,
) -> Result<()> {
    check_no_data(cli_data)?;
    if socket.as_os_str().is_empty() {
        return Err(user("--connect needs the socket of an `ordo serve`"));
    }
    let client = Client::connect(socket).map_err(|e| anyhow::anyhow!("{e}"))?;
    let operator = match ctx.operator() {
        Actor::Operator(name) => name,
        other => other.to_string(),
    };
    let options = ConsoleOptions {
        // The header's title names where the engine is.
        title: format!("connected to {}", socket.display()),
        no_color: args.no_color || std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()),
        operator,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("ordo-console")
        .build()
        .context("starting the async runtime")?;
    let mut settings = ConsoleSettings::from_config(&ctx.config.console);
    settings.mouse |= args.mouse;
    runtime.block_on(crate::console::run_with(client, options, settings))
}
