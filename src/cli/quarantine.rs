//! `ordo quarantine list|retry`: payloads that could not be mapped, kept raw with the reason,
//! and mapping them again after a fix (for example after adding the SKU).

use anyhow::{bail, Result};
use clap::Subcommand;

use crate::channels::ordo_format::{self, Parsed};
use crate::channels::{self, MapContext};
use crate::ledger::{Command, Origin, Outcome};
use crate::model::{QuarantineId, Quarantined};

use super::{ledger_error, user, Context};

#[derive(Subcommand, Debug)]
pub enum QuarantineCommand {
    /// The payloads waiting for a fix (with --all, the resolved ones too).
    List {
        #[arg(long)]
        json: bool,
        #[arg(long)]
        all: bool,
    },
    /// Map one payload (or every unresolved one) again.
    Retry { id: Option<QuarantineId> },
}

pub fn run(ctx: &Context, cmd: QuarantineCommand) -> Result<()> {
    match cmd {
        QuarantineCommand::List { json, all } => list(ctx, json, all),
        QuarantineCommand::Retry { id } => retry(ctx, id),
    }
}

fn list(ctx: &Context, json: bool, all: bool) -> Result<()> {
    let store = ctx.store()?;
    let mut shown = 0;
    for q in store.quarantined() {
        let q = q?;
        if q.resolved_as.is_some() && !all {
            continue;
        }
        shown += 1;
        if json {
            println!("{}", serde_json::to_string(&q)?);
        } else {
            let state = match q.resolved_as {
                Some(order) => format!("resolved as order {order}"),
                None => "waiting".to_string(),
            };
            println!(
                "{:>6}  {}  {}  [{state}]\n        {}",
                q.id,
                q.received_at.format("%Y-%m-%d %H:%M:%S"),
                q.source,
                q.reason
            );
        }
    }
    if shown == 0 && !json {
        println!("nothing in quarantine");
    }
    Ok(())
}

fn retry(ctx: &Context, only: Option<QuarantineId>) -> Result<()> {
    let entries: Vec<Quarantined> = {
        let store = ctx.store()?;
        let mut v = Vec::new();
        for q in store.quarantined() {
            let q = q?;
            if q.resolved_as.is_none() && only.is_none_or(|id| id == q.id) {
                v.push(q);
            }
        }
        v
    };
    if entries.is_empty() {
        match only {
            Some(id) => bail!(user(format!(
                "quarantine entry {id} does not exist or is resolved"
            ))),
            None => {
                println!("nothing in quarantine");
                return Ok(());
            }
        }
    }
    let engine = ctx.engine()?;
    let ledger = engine.ledger();
    let (mut fixed, mut still) = (0, 0);
    for q in entries {
        let origin = Origin {
            source: q.source.clone(),
            format: q.format.clone(),
            raw: Some(q.raw.clone()),
        };
        let command = if q.format == ordo_format::FORMAT {
            match ordo_format::parse_line(&q.raw) {
                Parsed::Order(order) => Command::Ingest {
                    order,
                    origin,
                    resolves: Some(q.id),
                },
                Parsed::Unreadable { reason, .. } => Command::Quarantine {
                    origin,
                    reason,
                    existing: Some(q.id),
                },
            }
        } else {
            // A channel's payload: mapped again with the channel's current config (a SKU map
            // added since is what usually fixes it).
            let map = map_context(ctx, &q.source);
            match channels::map_payload(&q.format, &q.raw, &map) {
                Some(Ok(order)) => Command::Ingest {
                    order: Box::new(order),
                    origin,
                    resolves: Some(q.id),
                },
                Some(Err(reason)) => Command::Quarantine {
                    origin,
                    reason,
                    existing: Some(q.id),
                },
                None => Command::Quarantine {
                    origin,
                    reason: format!("no mapper for format `{}` in this build", q.format),
                    existing: Some(q.id),
                },
            }
        };
        match ledger.submit_blocking(command).map_err(ledger_error)? {
            Outcome::Quarantined { reason, .. } => {
                still += 1;
                println!("{}: still quarantined: {reason}", q.id);
            }
            Outcome::Created { id, status } | Outcome::Updated { id, status } => {
                fixed += 1;
                println!("{}: now order {id} ({status})", q.id);
            }
            Outcome::Unchanged { id, .. } => {
                fixed += 1;
                println!("{}: already stored as order {id}", q.id);
            }
            other => println!("{}: {other:?}", q.id),
        }
    }
    engine.shutdown();
    println!("{fixed} mapped, {still} still quarantined");
    Ok(())
}

/// How a channel payload from `source` (a channel id) is mapped: with that channel's config
/// when it is configured, else with no SKU map.
fn map_context(ctx: &Context, source: &str) -> MapContext {
    match ctx.config.channels.iter().find(|c| c.id == source) {
        Some(c) => MapContext::from(c),
        None => MapContext {
            channel_id: source.to_string(),
            ..MapContext::default()
        },
    }
}
