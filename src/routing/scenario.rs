//! The scenario file of `ordo route --scenario FILE.json`: one order with its world (locations,
//! inventory, rules) and optionally the decision expected. Parsed into the same inputs the
//! ledger gives [`route`], routed, and compared with `expect`.
//!
//! Parsing is strict about what would change the answer silently (rule fields, duplicate
//! location ids, duplicate inventory rows, inventory at unknown locations, duplicate line
//! numbers) and lenient about extra informational keys elsewhere (a location's `name`, an
//! order's `currency`, address fields). A line without `line` (or with 0) is numbered by its
//! position, 1-based.

use std::fmt;
use std::path::Path;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::model::{Allocation, Location, LocationKind, Money, StockLevel};

use super::rules::{Rule, RuleError, RuleSet};
use super::{route, Decision, DecisionStatus, RouteLine, RouteRequest, Site, StockTable};
use crate::model::OnUnroutable;

/// Why a scenario could not be run. Every variant names the file (`origin`).
#[derive(Debug)]
pub enum ScenarioError {
    Read {
        origin: String,
        source: std::io::Error,
    },
    /// Not valid JSON, or not the scenario shape: serde's message and position.
    Parse {
        origin: String,
        line: usize,
        column: usize,
        message: String,
    },
    /// Well-formed but inconsistent (duplicate ids, unknown location in inventory, ...).
    Invalid { origin: String, message: String },
    /// A rule failed validation.
    Rule { origin: String, error: RuleError },
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScenarioError::Read { origin, source } => write!(f, "{origin}: cannot read: {source}"),
            ScenarioError::Parse {
                origin,
                line,
                column,
                message,
            } => write!(f, "{origin}:{line}:{column}: {message}"),
            ScenarioError::Invalid { origin, message } => write!(f, "{origin}: {message}"),
            ScenarioError::Rule { origin, error } => write!(f, "{origin}: rules: {error}"),
        }
    }
}

impl std::error::Error for ScenarioError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ScenarioError::Read { source, .. } => Some(source),
            ScenarioError::Rule { error, .. } => Some(error),
            _ => None,
        }
    }
}

/// What the scenario expects; each part is compared only when given, except `allocations`,
/// which absent means "none".
#[derive(Debug, Clone, PartialEq, Default, Deserialize)]
pub struct Expect {
    #[serde(default)]
    pub status: Option<DecisionStatus>,
    /// `Some(None)` = expected null (no deciding rule).
    #[serde(default, deserialize_with = "present")]
    pub rule: Option<Option<String>>,
    #[serde(default)]
    pub allocations: Option<Vec<Allocation>>,
    #[serde(default, deserialize_with = "present")]
    pub reason: Option<Option<String>>,
}

/// Tells a key given as null (`Some(None)`) from an absent one (`None`, via `default`).
fn present<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

#[derive(Deserialize)]
struct FileScenario {
    #[serde(default)]
    name: String,
    #[serde(default)]
    origin: String,
    #[serde(default)]
    locations: Vec<FileLocation>,
    #[serde(default)]
    inventory: Vec<FileStock>,
    #[serde(default)]
    rules: Vec<Rule>,
    #[serde(default)]
    on_unroutable: Option<OnUnroutable>,
    order: FileOrder,
    #[serde(default)]
    expect: Option<Expect>,
}

fn warehouse() -> LocationKind {
    LocationKind::Warehouse
}

#[derive(Deserialize)]
struct FileLocation {
    id: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default = "warehouse")]
    kind: LocationKind,
    #[serde(default)]
    priority: Option<u32>,
    #[serde(default)]
    lat: Option<f64>,
    #[serde(default)]
    lon: Option<f64>,
    #[serde(default)]
    tags: Option<Vec<String>>,
    #[serde(default)]
    channels: Option<Vec<String>>,
    #[serde(default)]
    daily_capacity: Option<u32>,
    #[serde(default)]
    allocated_today: u32,
}

#[derive(Deserialize)]
struct FileStock {
    sku: String,
    location: String,
    #[serde(default)]
    on_hand: i64,
    #[serde(default)]
    reserved: i64,
    #[serde(default)]
    safety_stock: i64,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum FileId {
    Text(String),
    Number(i64),
}

fn standard() -> String {
    "standard".to_string()
}

#[derive(Deserialize)]
struct FileOrder {
    #[serde(default)]
    id: Option<FileId>,
    channel: String,
    #[serde(default = "standard")]
    ship_method: String,
    #[serde(default)]
    pickup_location: Option<String>,
    #[serde(with = "rust_decimal::serde::str")]
    total: Money,
    #[serde(default)]
    ship_to: Option<FileShipTo>,
    #[serde(default)]
    lines: Vec<FileLine>,
}

#[derive(Deserialize)]
struct FileShipTo {
    #[serde(default)]
    country: Option<String>,
    #[serde(default)]
    postal_code: Option<String>,
    #[serde(default)]
    lat: Option<f64>,
    #[serde(default)]
    lon: Option<f64>,
}

#[derive(Deserialize)]
struct FileLine {
    #[serde(default)]
    line: u32,
    sku: String,
    qty: u32,
}

/// A parsed scenario: the inputs of [`route`].
#[derive(Debug, Clone)]
pub struct Scenario {
    pub name: String,
    pub origin: String,
    pub locations: Vec<Location>,
    /// Per location, same order.
    pub allocated_today: Vec<u32>,
    pub stock: StockTable,
    pub rules: RuleSet,
    pub request: RouteRequest,
    pub expect: Option<Expect>,
}

impl Scenario {
    pub fn sites(&self) -> Vec<Site<'_>> {
        self.locations
            .iter()
            .zip(&self.allocated_today)
            .map(|(location, &allocated_today)| Site {
                location,
                allocated_today,
            })
            .collect()
    }

    pub fn decide(&self) -> Decision {
        route(&self.request, &self.sites(), &self.stock, &self.rules)
    }

    /// Routes and compares with `expect` (when there is one).
    pub fn run(&self) -> ScenarioOutcome {
        let decision = self.decide();
        let mismatches = match &self.expect {
            Some(expect) => compare(expect, &decision),
            None => Vec::new(),
        };
        ScenarioOutcome {
            name: self.name.clone(),
            origin: self.origin.clone(),
            matches_expect: self.expect.as_ref().map(|_| mismatches.is_empty()),
            mismatches,
            decision,
        }
    }
}

/// The answer of a scenario. Serializes to step 10's JSON: `status`, `rule`, `allocations`,
/// `reason`, `explain` (an array, one entry per rule tried), plus `matches_expect` when the file
/// has an `expect`, and `mismatches` when it does not match.
#[derive(Debug, Clone)]
pub struct ScenarioOutcome {
    pub name: String,
    /// The scenario's own `origin` field (informational).
    pub origin: String,
    pub decision: Decision,
    /// `None` when the file has no `expect`.
    pub matches_expect: Option<bool>,
    /// What differs from `expect`, one sentence each; empty when it matches.
    pub mismatches: Vec<String>,
}

#[derive(Serialize)]
struct Answer<'a> {
    status: DecisionStatus,
    rule: &'a Option<String>,
    allocations: &'a [Allocation],
    reason: &'a Option<String>,
    explain: Vec<super::ExplainEntry<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    matches_expect: Option<bool>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    mismatches: &'a [String],
}

impl Serialize for ScenarioOutcome {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let d = &self.decision;
        Answer {
            status: d.status,
            rule: &d.rule,
            allocations: &d.allocations,
            reason: &d.reason,
            explain: d.explain.entries(),
            matches_expect: self.matches_expect,
            mismatches: &self.mismatches,
        }
        .serialize(s)
    }
}

fn compare(expect: &Expect, got: &Decision) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(status) = expect.status {
        if status != got.status {
            out.push(format!("status: expected {status}, got {}", got.status));
        }
    }
    if let Some(rule) = &expect.rule {
        if *rule != got.rule {
            out.push(format!("rule: expected {rule:?}, got {:?}", got.rule));
        }
    }
    if let Some(reason) = &expect.reason {
        if *reason != got.reason {
            out.push(format!("reason: expected {reason:?}, got {:?}", got.reason));
        }
    }
    let key = |a: &Allocation| (a.line, a.sku.clone(), a.location.clone(), a.qty);
    let mut want: Vec<_> = expect
        .allocations
        .as_deref()
        .unwrap_or(&[])
        .iter()
        .map(key)
        .collect();
    let mut have: Vec<_> = got.allocations.iter().map(key).collect();
    want.sort();
    have.sort();
    if want != have {
        let show = |v: &[(u32, String, String, u32)]| {
            if v.is_empty() {
                return "none".to_string();
            }
            v.iter()
                .map(|(l, s, loc, q)| format!("line {l} {s} x{q} @ {loc}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        out.push(format!(
            "allocations: expected {}; got {}",
            show(&want),
            show(&have)
        ));
    }
    out
}

/// Reads, parses and runs a scenario file.
pub fn run_scenario_file(path: &Path) -> Result<ScenarioOutcome, ScenarioError> {
    let origin = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| ScenarioError::Read {
        origin: origin.clone(),
        source,
    })?;
    run_scenario_str(&text, &origin)
}

/// Parses and runs a scenario given as text; `origin` names it in errors (a path, or "-").
pub fn run_scenario_str(text: &str, origin: &str) -> Result<ScenarioOutcome, ScenarioError> {
    Ok(parse_scenario(text, origin)?.run())
}

/// Parses a scenario into the inputs of [`route`].
pub fn parse_scenario(text: &str, origin: &str) -> Result<Scenario, ScenarioError> {
    let file: FileScenario = serde_json::from_str(text).map_err(|e| {
        let full = e.to_string();
        let suffix = format!(" at line {} column {}", e.line(), e.column());
        let message = full.strip_suffix(&suffix).unwrap_or(&full).to_string();
        ScenarioError::Parse {
            origin: origin.to_string(),
            line: e.line(),
            column: e.column(),
            message,
        }
    })?;
    let invalid = |message: String| ScenarioError::Invalid {
        origin: origin.to_string(),
        message,
    };

    let mut locations = Vec::with_capacity(file.locations.len());
    let mut allocated_today = Vec::with_capacity(file.locations.len());
    for (i, l) in file.locations.into_iter().enumerate() {
        if l.id.trim().is_empty() {
            return Err(invalid(format!("locations[{i}]: id is empty")));
        }
        if let Some(j) = locations.iter().position(|x: &Location| x.id == l.id) {
            return Err(invalid(format!(
                "locations[{i}]: id {:?} is also the id of locations[{j}]",
                l.id
            )));
        }
        allocated_today.push(l.allocated_today);
        locations.push(Location {
            name: l.name.unwrap_or_else(|| l.id.clone()),
            id: l.id,
            kind: l.kind,
            priority: l.priority,
            lat: l.lat,
            lon: l.lon,
            tags: l.tags.unwrap_or_default(),
            channels: l.channels.unwrap_or_default(),
            daily_capacity: l.daily_capacity,
        });
    }

    let mut stock = StockTable::new();
    let mut seen: Vec<(&str, &str, usize)> = Vec::new();
    for (i, row) in file.inventory.iter().enumerate() {
        if !locations.iter().any(|l| l.id == row.location) {
            return Err(invalid(format!(
                "inventory[{i}]: location {:?} is not in locations",
                row.location
            )));
        }
        if let Some(&(_, _, j)) = seen
            .iter()
            .find(|(s, l, _)| *s == row.sku && *l == row.location)
        {
            return Err(invalid(format!(
                "inventory[{i}]: {} at {} is also given by inventory[{j}]",
                row.sku, row.location
            )));
        }
        seen.push((&row.sku, &row.location, i));
        stock.set(
            row.sku.clone(),
            row.location.clone(),
            StockLevel {
                on_hand: row.on_hand,
                reserved: row.reserved,
                safety_stock: row.safety_stock,
            },
        );
    }

    let rules =
        RuleSet::new(file.rules, file.on_unroutable.unwrap_or_default()).map_err(|error| {
            ScenarioError::Rule {
                origin: origin.to_string(),
                error,
            }
        })?;

    let order = file.order;
    let mut lines = Vec::with_capacity(order.lines.len());
    for (i, l) in order.lines.into_iter().enumerate() {
        let line = if l.line == 0 { i as u32 + 1 } else { l.line };
        if l.sku.is_empty() {
            return Err(invalid(format!("order.lines[{i}]: sku is empty")));
        }
        if lines.iter().any(|x: &RouteLine| x.line == line) {
            return Err(invalid(format!(
                "order.lines[{i}]: line number {line} is used twice"
            )));
        }
        lines.push(RouteLine {
            line,
            sku: l.sku,
            qty: l.qty,
        });
    }
    let ship_to = order.ship_to.unwrap_or(FileShipTo {
        country: None,
        postal_code: None,
        lat: None,
        lon: None,
    });
    // As for live orders, a ship-to without coordinates is placed by its postal code; given
    // coordinates are taken as written (scenarios use made-up points such as 0,0).
    let (lat, lon) = match (ship_to.lat, ship_to.lon) {
        (Some(lat), Some(lon)) => (Some(lat), Some(lon)),
        _ => {
            let (lat, lon, _) = super::geo::ship_to_coordinates(
                None,
                None,
                ship_to.country.as_deref(),
                ship_to.postal_code.as_deref(),
            );
            (lat, lon)
        }
    };
    let request = RouteRequest {
        order_id: match order.id {
            Some(FileId::Text(s)) => s,
            Some(FileId::Number(n)) => n.to_string(),
            None => String::new(),
        },
        channel: order.channel,
        ship_method: order.ship_method,
        pickup_location: order.pickup_location,
        total: order.total,
        country: ship_to.country,
        postal_code: ship_to.postal_code,
        lat,
        lon,
        lines,
        skip_hold_rules: false,
    };

    Ok(Scenario {
        name: file.name,
        origin: file.origin,
        locations,
        allocated_today,
        stock,
        rules,
        request,
        expect: file.expect,
    })
}
