//! `ordo check [--repair]`: a readable report, non-zero exit on any drift.

use anyhow::{bail, Result};
use clap::Args;

use crate::store::check::{self, Report};

use super::Context;

#[derive(Args, Debug)]
pub struct CheckArgs {
    /// Recompute what is derived (reservations, indexes, statuses, counters) and check again.
    #[arg(long)]
    pub repair: bool,
    /// The report as JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run(ctx: &Context, args: CheckArgs) -> Result<()> {
    let store = ctx.store()?;
    let mut report = check::check(&store)?;
    if args.repair && !report.is_clean() {
        let repairable = report.problems.iter().filter(|p| p.repairable).count();
        if !args.json {
            print_report(&report);
            println!("repairing {repairable} problems...");
        }
        report = check::repair(&store, report)?;
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_report(&report);
    }
    if report.is_clean() {
        Ok(())
    } else {
        bail!(
            "{} problems found{}",
            report.problems.len(),
            if args.repair {
                " that --repair cannot fix"
            } else {
                "; `ordo check --repair` fixes those marked repairable"
            }
        )
    }
}

fn print_report(report: &Report) {
    println!(
        "checked {} orders, {} stock records, {} events, {} quarantined payloads",
        report.orders, report.stock_records, report.events, report.quarantined
    );
    if report.is_clean() {
        println!("ok: every invariant holds");
        return;
    }
    for p in &report.problems {
        let tag = if p.repairable {
            "repairable"
        } else {
            "needs a person"
        };
        println!("  - [{tag}] {}", p.what);
    }
}
