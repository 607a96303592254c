//! `ordo stock import FILE.csv` and `ordo stock set SKU LOCATION QTY`: cycle counts. A file is
//! checked whole before anything is applied, and applied as one ledger command (all or none).

use std::path::PathBuf;

use anyhow::Result;
use clap::Subcommand;
use serde::Deserialize;

use crate::ledger::{Command, Outcome, StockRow};

use super::{ledger_error, open_input, user, Context};

#[derive(Subcommand, Debug)]
pub enum StockCommand {
    /// Import counts from a CSV with the header `sku,location,on_hand` (and optionally
    /// `safety_stock`). A bad row is reported by line and nothing of the file is applied.
    Import { file: PathBuf },
    /// Set the on-hand count of one SKU at one location.
    Set {
        sku: String,
        location: String,
        on_hand: i64,
        /// Units kept back from sale at this location.
        #[arg(long)]
        safety: Option<i64>,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CsvRow {
    sku: String,
    location: String,
    on_hand: i64,
    #[serde(default)]
    safety_stock: Option<i64>,
}

pub fn run(ctx: &Context, cmd: StockCommand) -> Result<()> {
    let rows = match cmd {
        StockCommand::Import { file } => read_csv(ctx, &file)?,
        StockCommand::Set {
            sku,
            location,
            on_hand,
            safety,
        } => {
            let row = StockRow {
                sku,
                location,
                on_hand,
                safety_stock: safety,
            };
            check_row(ctx, &row).map_err(user)?;
            vec![row]
        }
    };
    let count = rows.len();
    let engine = ctx.engine()?;
    let by = ctx.operator();
    let outcome = engine
        .ledger()
        .submit_blocking(Command::SetStock { rows, by })
        .map_err(ledger_error);
    engine.shutdown();
    if let Outcome::Stock {
        levels,
        deallocated,
        allocated,
    } = outcome?
    {
        if count == 1 {
            for (sku, loc, l) in &levels {
                println!(
                    "{sku} at {loc}: on hand {}, reserved {}, safety {}, available {}",
                    l.on_hand,
                    l.reserved,
                    l.safety_stock,
                    l.available()
                );
            }
        } else {
            println!("{count} counts applied");
        }
        if !allocated.is_empty() {
            println!(
                "{} waiting orders got stock: {allocated:?}",
                allocated.len()
            );
        }
        if !deallocated.is_empty() {
            println!(
                "{} orders lost reservations (counted below what was reserved): {deallocated:?}",
                deallocated.len()
            );
        }
    }
    Ok(())
}

fn check_row(ctx: &Context, row: &StockRow) -> Result<(), String> {
    if row.sku.trim().is_empty() {
        return Err("the SKU is empty".into());
    }
    if ctx.config.location(&row.location).is_none() {
        let known: Vec<&str> = ctx.config.locations.iter().map(|l| l.id.as_str()).collect();
        return Err(format!(
            "unknown location `{}`; known locations: {}",
            row.location,
            known.join(", ")
        ));
    }
    if row.on_hand < 0 {
        return Err(format!(
            "on_hand is {}; a count cannot be negative",
            row.on_hand
        ));
    }
    if row.safety_stock.is_some_and(|s| s < 0) {
        return Err("safety_stock cannot be negative".into());
    }
    Ok(())
}

fn read_csv(ctx: &Context, path: &std::path::Path) -> Result<Vec<StockRow>> {
    let name = path.display();
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(open_input(path)?);
    let headers = reader
        .headers()
        .map_err(|e| user(format!("{name}:1: cannot read the header: {e}")))?
        .clone();
    for required in ["sku", "location", "on_hand"] {
        if !headers.iter().any(|h| h == required) {
            return Err(user(format!(
                "{name}:1: the header lacks `{required}`; expected sku,location,on_hand[,safety_stock]"
            )));
        }
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line());
            user(format!("{name}:{line}: {e}; nothing was imported"))
        })?;
        let line = record.position().map_or(0, |p| p.line());
        let row: CsvRow = record.deserialize(Some(&headers)).map_err(|e| {
            user(format!(
                "{name}:{line}: {}; nothing was imported",
                csv_reason(&e)
            ))
        })?;
        let row = StockRow {
            sku: row.sku,
            location: row.location,
            on_hand: row.on_hand,
            safety_stock: row.safety_stock,
        };
        check_row(ctx, &row)
            .map_err(|why| user(format!("{name}:{line}: {why}; nothing was imported")))?;
        rows.push(row);
    }
    if rows.is_empty() {
        return Err(user(format!("{name}: no rows to import")));
    }
    Ok(rows)
}

fn csv_reason(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Deserialize { err, .. } => match err.field() {
            Some(i) => format!("column {}: {}", i + 1, err.kind()),
            None => err.kind().to_string(),
        },
        _ => e.to_string(),
    }
}
