//! Routing from the command line: `ordo route --scenario FILE` (one what-if case, as JSON),
//! `ordo route --replay N [--rules FILE]` (re-route stored orders under other rules, changing
//! nothing), `ordo rules check FILE`, and `ordo reroute ID LOCATION` (by hand).

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Result;
use clap::{Args, Subcommand};

use crate::config::Config;
use crate::ledger::{Command, Outcome};
use crate::routing::{self, RuleSet};
use crate::whatif;

use super::{ledger_error, user, Context};

#[derive(Args, Debug)]
#[command(group(clap::ArgGroup::new("what").required(true).args(["scenario", "replay"])))]
pub struct RouteArgs {
    /// A scenario file (JSON: locations, inventory, rules, one order); prints the decision.
    #[arg(long, value_name = "FILE.json")]
    pub scenario: Option<PathBuf>,
    /// Re-route the last N open orders under the rules in force (or --rules FILE), changing
    /// nothing, and summarize what would move.
    #[arg(long, value_name = "N")]
    pub replay: Option<usize>,
    /// Rules to try instead of the config's: a TOML file with [[rules]] (a config or rules only).
    #[arg(long, value_name = "FILE", requires = "replay")]
    pub rules: Option<PathBuf>,
    /// With --replay: the summary and every order's before/after as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Subcommand, Debug)]
pub enum RulesCommand {
    /// Validate the [[rules]] of a file (a config, or rules only); every problem is listed.
    Check { file: PathBuf },
}

#[derive(Args, Debug)]
pub struct RerouteArgs {
    pub id: crate::model::OrderId,
    /// The location to fulfil from.
    pub location: String,
    /// Why (kept in the audit trail).
    #[arg(long, default_value = "")]
    pub reason: String,
}

pub fn route(ctx: &Context, args: RouteArgs) -> Result<()> {
    if let Some(path) = &args.scenario {
        let outcome = routing::run_scenario_file(path).map_err(|e| user(e.to_string()))?;
        println!("{}", serde_json::to_string_pretty(&outcome)?);
        return Ok(());
    }
    let n = args.replay.unwrap_or(0);
    let rules = match &args.rules {
        Some(path) => load_rules(path)?,
        None => ctx.config.rule_set(),
    };
    let store = ctx.store()?;
    let started = Instant::now();
    let orders = whatif::last_open_orders(&store, n)?;
    let summary = whatif::replay(&store, &ctx.config.locations, &rules, &orders)?;
    let took = started.elapsed();
    if args.json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
        return Ok(());
    }
    print_summary(&summary, args.rules.as_deref(), took);
    Ok(())
}

fn load_rules(path: &Path) -> Result<RuleSet> {
    let (rules, on_unroutable) = Config::load_rules(path).map_err(|e| user(e.to_string()))?;
    RuleSet::new(rules, on_unroutable).map_err(|e| user(format!("{}: {e}", path.display())))
}

fn print_summary(s: &whatif::Summary, rules: Option<&Path>, took: std::time::Duration) {
    let source = rules.map_or("the rules in force".to_string(), |p| {
        p.display().to_string()
    });
    println!(
        "what-if: the last {} open orders re-routed under {source}, against current stock (their own reservations given back, oldest first); nothing was changed ({:.0} ms)",
        s.replayed,
        took.as_secs_f64() * 1000.0
    );
    println!("would go elsewhere: {}", s.would_move);
    println!(
        "{:<20} {:>8} {:>8} {:>8}",
        "LOCATION", "BEFORE", "AFTER", "CHANGE"
    );
    for (loc, c) in &s.per_location {
        println!(
            "{:<20} {:>8} {:>8} {:>+8}",
            loc,
            c.before,
            c.after,
            c.after as i64 - c.before as i64
        );
    }
    let list = |ids: &[u64]| {
        let shown: Vec<String> = ids.iter().take(20).map(u64::to_string).collect();
        let more = if ids.len() > 20 { " …" } else { "" };
        format!("{} {}{more}", ids.len(), shown.join(" "))
    };
    println!("newly unroutable: {}", list(&s.newly_unroutable));
    println!("newly held:       {}", list(&s.newly_held));
    println!("no longer held:   {}", list(&s.no_longer_held));
    if !s.rule_hits.is_empty() {
        let hits: Vec<String> = s
            .rule_hits
            .iter()
            .map(|(r, n)| format!("{r}: {n}"))
            .collect();
        println!("decisions by rule: {}", hits.join(", "));
    }
}

pub fn rules(cmd: RulesCommand) -> Result<()> {
    match cmd {
        RulesCommand::Check { file } => {
            let (rules, on_unroutable) =
                Config::load_rules(&file).map_err(|e| user(e.to_string()))?;
            let problems = routing::validate_rules(&rules);
            if !problems.is_empty() {
                for p in &problems {
                    eprintln!("{}: {p}", file.display());
                }
                return Err(user(format!(
                    "{}: {} problems in the rules",
                    file.display(),
                    problems.len()
                )));
            }
            println!(
                "{}: {} rules, on_unroutable = {}: ok",
                file.display(),
                rules.len(),
                on_unroutable.as_str()
            );
            for (i, r) in rules.iter().enumerate() {
                println!("  {}. {}", i + 1, r.name);
            }
            Ok(())
        }
    }
}

pub fn reroute(ctx: &Context, args: RerouteArgs) -> Result<()> {
    let engine = ctx.engine()?;
    let outcome = engine
        .ledger()
        .submit_blocking(Command::Reroute {
            id: args.id,
            location: args.location,
            reason: args.reason,
            by: ctx.operator(),
        })
        .map_err(ledger_error);
    engine.shutdown();
    if let Outcome::Order { id, status } = outcome? {
        println!("order {id}: {status}");
    }
    Ok(())
}
