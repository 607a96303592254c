//! `ordo ingest FILE`: feeds a file of orders through the ledger exactly as a channel would.
//! A reader thread keeps many commands in flight so that the ledger's groups fill up; this
//! thread takes the answers in file order.

use std::io::{BufReader, Write};
use std::path::PathBuf;

use anyhow::{Context as _, Result};
use clap::Args;
use tokio::sync::oneshot::error::TryRecvError;

use crate::channels::ordo_format::{self, Parsed};
use crate::channels::{self, MapContext, Mapped};
use crate::engine::intake;
use crate::ledger::{Command, LedgerError, Origin, Outcome, Reply};
use crate::model::ChannelKind;

use super::{open_input, user, Context};

#[derive(Args, Debug)]
pub struct IngestArgs {
    /// A JSON Lines file of orders in ordo's format; with --channel, saved list-orders answers
    /// of that channel (Amazon v0: the getOrders answer and its getOrderItems answers).
    #[arg(required = true, num_args = 1..)]
    pub files: Vec<PathBuf>,
    /// The files are a channel's own answers: shopify, woocommerce or amazon.
    #[arg(long, value_name = "KIND")]
    pub channel: Option<String>,
    /// The configured channel (its id) whose SKU map applies and whose name the orders take;
    /// default: the first configured channel of that kind, else the kind's name.
    #[arg(long = "as", value_name = "ID", requires = "channel")]
    pub as_channel: Option<String>,
    /// Print `ack LINE CHANNEL EXTERNAL_ID OUTCOME` for each order once it is durable.
    #[arg(long)]
    pub acks: bool,
}

#[derive(Default)]
struct Tally {
    created: u64,
    updated: u64,
    unchanged: u64,
    quarantined: u64,
}

type Pending = (usize, String, tokio::sync::oneshot::Receiver<Reply>);

pub fn run(ctx: &Context, args: IngestArgs) -> Result<()> {
    if let Some(kind) = &args.channel {
        return run_channel(
            ctx,
            kind,
            args.as_channel.as_deref(),
            &args.files,
            args.acks,
        );
    }
    if args.files.len() > 1 {
        return Err(user(
            "ordo's JSON Lines format takes one file at a time (several files are for --channel)",
        ));
    }
    let file_path = &args.files[0];
    let file = open_input(file_path)?;
    let engine = ctx.engine()?;
    let ledger = engine.ledger();
    let path = file_path.display().to_string();
    let (pending_tx, pending_rx) = std::sync::mpsc::sync_channel::<Pending>(16_384);

    let reader_path = path.clone();
    let reader = std::thread::spawn(move || -> Result<()> {
        for item in ordo_format::lines(BufReader::new(file)) {
            let (line_no, raw) = item.with_context(|| format!("reading {reader_path}"))?;
            let source = format!("file:{reader_path}:{line_no}");
            let (label, command) = match ordo_format::parse_line(&raw) {
                Parsed::Order(order) => (
                    format!("{} {}", order.channel, order.external_id),
                    Command::Ingest {
                        order,
                        origin: Origin {
                            source,
                            format: ordo_format::FORMAT.into(),
                            raw: None,
                        },
                        resolves: None,
                    },
                ),
                Parsed::Unreadable { raw, reason } => (
                    "- -".to_string(),
                    Command::Quarantine {
                        origin: Origin {
                            source,
                            format: ordo_format::FORMAT.into(),
                            raw: Some(raw),
                        },
                        reason,
                        existing: None,
                    },
                ),
            };
            let rx = ledger.send_blocking(command)?;
            if pending_tx.send((line_no, label, rx)).is_err() {
                break;
            }
        }
        Ok(())
    });

    let mut tally = Tally::default();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut failure: Option<anyhow::Error> = None;
    let mut rejected = 0u64;
    while let Ok((line_no, label, mut rx)) = pending_rx.recv() {
        let reply = match rx.try_recv() {
            Ok(reply) => reply,
            Err(TryRecvError::Empty) => {
                // Acks printed so far are durable; show them before waiting for the next group.
                out.flush()?;
                rx.blocking_recv().unwrap_or(Err(LedgerError::Stopped))
            }
            Err(TryRecvError::Closed) => Err(LedgerError::Stopped),
        };
        let word = match reply {
            Ok(Outcome::Created { .. }) => {
                tally.created += 1;
                "created"
            }
            Ok(Outcome::Updated { .. }) => {
                tally.updated += 1;
                "updated"
            }
            Ok(Outcome::Unchanged { .. }) => {
                tally.unchanged += 1;
                "unchanged"
            }
            Ok(Outcome::Quarantined { id, reason }) => {
                tally.quarantined += 1;
                eprintln!("{path}:{line_no}: quarantined as {id}: {reason}");
                "quarantined"
            }
            Ok(other) => {
                eprintln!("{path}:{line_no}: unexpected answer {other:?}");
                continue;
            }
            Err(e) if e.is_user_error() => {
                rejected += 1;
                eprintln!("{path}:{line_no}: {e}");
                continue;
            }
            Err(e) => {
                // Not acknowledged, so not lost: running the same file again picks it up.
                failure = Some(anyhow::Error::from(e).context(format!("{path}:{line_no}")));
                break;
            }
        };
        if args.acks {
            writeln!(out, "ack {line_no} {label} {word}")?;
        }
    }
    out.flush()?;
    drop(pending_rx);
    let read_result = reader
        .join()
        .map_err(|_| anyhow::anyhow!("the file reader thread panicked"))?;
    engine.shutdown();
    if let Some(e) = failure {
        return Err(e);
    }
    read_result?;
    eprintln!(
        "{path}: {} created, {} updated, {} unchanged, {} quarantined{}",
        tally.created,
        tally.updated,
        tally.unchanged,
        tally.quarantined,
        if tally.quarantined > 0 {
            " (see `ordo quarantine list`)"
        } else {
            ""
        }
    );
    if rejected > 0 {
        return Err(user(format!("{path}: {rejected} orders were refused")));
    }
    Ok(())
}

/// `ordo ingest --channel KIND FILE...`: saved answers of a channel's list-orders API, mapped
/// as the poller maps them and committed in one batch.
fn run_channel(
    ctx: &Context,
    kind: &str,
    as_channel: Option<&str>,
    files: &[PathBuf],
    acks: bool,
) -> Result<()> {
    let kind = ChannelKind::parse(kind).ok_or_else(|| {
        user(format!(
            "unknown channel kind `{kind}`; expected one of: {}",
            ChannelKind::ALL.map(|k| k.as_str()).join(", ")
        ))
    })?;
    let configured = match as_channel {
        Some(id) => Some(
            ctx.config
                .channels
                .iter()
                .find(|c| c.id == id)
                .ok_or_else(|| user(format!("no channel `{id}` in the config")))?,
        ),
        None => ctx.config.channels.iter().find(|c| c.kind == kind),
    };
    if let Some(c) = configured {
        if c.kind != kind {
            return Err(user(format!(
                "channel `{}` is a {} channel, not {kind}",
                c.id, c.kind
            )));
        }
    }
    let map = configured
        .map(MapContext::from)
        .unwrap_or_else(|| MapContext {
            channel_id: kind.as_str().to_string(),
            ..MapContext::default()
        });
    let mut contents = Vec::with_capacity(files.len());
    for f in files {
        let bytes =
            std::fs::read(f).map_err(|e| user(format!("cannot read {}: {e}", f.display())))?;
        contents.push((f.display().to_string(), bytes));
    }
    let items = channels::map_saved(kind, &contents, &map).map_err(user)?;
    let labels: Vec<String> = items
        .iter()
        .map(|m| match m {
            Mapped::Order { order, .. } => order.external_id.clone(),
            Mapped::Unmappable { external_id, .. } => {
                external_id.clone().unwrap_or_else(|| "-".to_string())
            }
        })
        .collect();
    let engine = ctx.engine()?;
    let command = Command::Batch {
        channel: map.channel_id.clone(),
        items: intake::commands(&map.channel_id, kind, items),
        cursor: None,
        delivery: None,
    };
    let reply = engine.ledger().submit_blocking(command);
    engine.shutdown();
    let Outcome::Batch { outcomes } = reply.map_err(super::ledger_error)? else {
        anyhow::bail!("the ledger answered a batch with something else");
    };
    let mut tally = Tally::default();
    let mut refused = 0;
    for (label, outcome) in labels.iter().zip(outcomes) {
        let word = match outcome {
            Ok(Outcome::Created { .. }) => {
                tally.created += 1;
                "created"
            }
            Ok(Outcome::Updated { .. }) => {
                tally.updated += 1;
                "updated"
            }
            Ok(Outcome::Quarantined { id, reason }) => {
                tally.quarantined += 1;
                eprintln!(
                    "{} order {label}: quarantined as {id}: {reason}",
                    map.channel_id
                );
                "quarantined"
            }
            Ok(_) => {
                tally.unchanged += 1;
                "unchanged"
            }
            Err(e) => {
                refused += 1;
                eprintln!("{} order {label}: {e}", map.channel_id);
                "refused"
            }
        };
        if acks {
            println!("ack {} {label} {word}", map.channel_id);
        }
    }
    eprintln!(
        "{}: {} created, {} updated, {} unchanged, {} quarantined{}",
        map.channel_id,
        tally.created,
        tally.updated,
        tally.unchanged,
        tally.quarantined,
        if tally.quarantined > 0 {
            " (see `ordo quarantine list`)"
        } else {
            ""
        }
    );
    if refused > 0 {
        return Err(user(format!("{refused} orders were refused")));
    }
    Ok(())
}
