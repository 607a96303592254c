//! Operator actions on one order: hold, release, cancel, ship.

use anyhow::Result;
use clap::Args;

use crate::ledger::{Command, Outcome};
use crate::model::OrderId;

use super::{ledger_error, Context};

#[derive(Args, Debug)]
pub struct OrderArg {
    /// ordo's order id (the ID column of `ordo orders`).
    pub id: OrderId,
}

#[derive(Args, Debug)]
pub struct HoldArgs {
    pub id: OrderId,
    /// Why it is held (shown in the console and the audit trail).
    #[arg(long, default_value = "")]
    pub reason: String,
}

#[derive(Args, Debug)]
pub struct CancelArgs {
    pub id: OrderId,
    #[arg(long, default_value = "")]
    pub reason: String,
}

#[derive(Args, Debug)]
pub struct ShipArgs {
    pub id: OrderId,
    #[arg(long)]
    pub carrier: String,
    #[arg(long)]
    pub tracking: String,
    /// Ship only these line numbers (comma-separated), e.g. --lines 1,3; default: everything
    /// allocated.
    #[arg(long, value_delimiter = ',', value_name = "N,...")]
    pub lines: Vec<u32>,
}

fn submit(ctx: &Context, command: Command) -> Result<()> {
    let engine = ctx.engine()?;
    let outcome = engine
        .ledger()
        .submit_blocking(command)
        .map_err(ledger_error);
    engine.shutdown();
    match outcome? {
        Outcome::Order { id, status } => println!("order {id}: {status}"),
        Outcome::Unchanged { id, why } => println!("order {id}: unchanged ({why})"),
        other => println!("{other:?}"),
    }
    Ok(())
}

pub fn hold(ctx: &Context, args: HoldArgs) -> Result<()> {
    let by = ctx.operator();
    submit(
        ctx,
        Command::Hold {
            id: args.id,
            reason: args.reason,
            by,
        },
    )
}

pub fn release(ctx: &Context, args: OrderArg) -> Result<()> {
    let by = ctx.operator();
    submit(ctx, Command::Release { id: args.id, by })
}

pub fn cancel(ctx: &Context, args: CancelArgs) -> Result<()> {
    let by = ctx.operator();
    submit(
        ctx,
        Command::Cancel {
            id: args.id,
            reason: args.reason,
            by,
        },
    )
}

pub fn ship(ctx: &Context, args: ShipArgs) -> Result<()> {
    let by = ctx.operator();
    let command = if args.lines.is_empty() {
        Command::Ship {
            id: args.id,
            carrier: args.carrier,
            tracking: args.tracking,
            by,
        }
    } else {
        Command::ShipLines {
            id: args.id,
            carrier: args.carrier,
            tracking: args.tracking,
            lines: args.lines,
            by,
        }
    };
    submit(ctx, command)?;
    if !ctx.config.channels.is_empty() {
        println!("the channel is told through the outbox: by `ordo serve`, the console, or the next `ordo sync --once`");
    }
    Ok(())
}
