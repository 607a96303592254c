//! `ordo ingest FILE`: feeds a file of orders through the ledger exactly as a channel would.
//! A reader thread keeps many commands in flight so that the ledger's groups fill up; this
//! thread takes the answers in file order.

use std::io::{BufReader, Write};
use std::path::PathBuf;

use anyhow::{Context as _, Result};
use clap::Args;
use tokio::sync::oneshot::error::TryRecvError;

use crate::channels::ordo_format::{self, Parsed};
use crate::ledger::{Command, LedgerError, Origin, Outcome, Reply};

use super::{open_input, user, Context};

#[derive(Args, Debug)]
pub struct IngestArgs {
    /// A JSON Lines file of orders in ordo's format.
    pub file: PathBuf,
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
    let file = open_input(&args.file)?;
    let engine = ctx.engine()?;
    let ledger = engine.ledger();
    let path = args.file.display().to_string();
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
