//! Why a decision came out as it did: per rule tried, whether it applied and if not why; per
//! location a rule looked at, why it was excluded or how it ranked (with the key values); the
//! winning plan.
//!
//! Building it is cheap on purpose (the decision runs in the ledger's hot loop): plain structs,
//! locations referred to by index into [`Explanation::locations`], no formatting. Text is made
//! on demand by [`Explanation::summary`]; [`Explanation::entries`] gives the readable per-rule
//! array of the scenario answer.
//!
//! The stored types ([`Explanation`] and what it holds) are kept with the order, and the store
//! writes postcard (a positional encoding): so their serde shape does not depend on the data.
//! No `skip_serializing_if`, no `flatten`, no internally tagged or untagged enums here; the
//! readable JSON of the scenario answer uses separate, serialize-only view types.

use std::fmt::Write as _;

use serde::Serialize;

use crate::model::{
    Condition, DecisionStatus, Explanation, Method, OnUnroutable, Outcome, Pick, RuleTrace,
    SiteTrace, Verdict,
};

impl Outcome {
    /// Whether the rule decided the order (placed or held it).
    pub fn applied(&self) -> bool {
        matches!(self, Outcome::Held { .. } | Outcome::Placed { .. })
    }
}

impl Condition {
    pub fn as_str(self) -> &'static str {
        match self {
            Condition::Channels => "channels",
            Condition::Countries => "countries",
            Condition::ShipMethods => "ship_methods",
            Condition::TotalMin => "total_min",
            Condition::TotalMax => "total_max",
            Condition::SkusAny => "skus_any",
            Condition::FirstRoutingOnly => "first_routing_only",
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Condition::Channels => "the order's channel is not in when.channels",
            Condition::Countries => "the ship-to country is not in when.countries",
            Condition::ShipMethods => "the ship method is not in when.ship_methods",
            Condition::TotalMin => "the order total is below when.total_min",
            Condition::TotalMax => "the order total is above when.total_max",
            Condition::SkusAny => "no line's SKU is in when.skus_any",
            Condition::FirstRoutingOnly => {
                "hold rules decide an order's first routing only, and this order was routed before"
            }
        }
    }
}

impl Method {
    fn describe(self) -> &'static str {
        match self {
            Method::SingleLocation => "a single location that has every line",
            Method::GreedyCover => "greedy cover (fewest splits)",
            Method::PerLine => "line-by-line fill in rank order",
            Method::NothingToPlace => "nothing to place (no line has a quantity)",
        }
    }
}

/// A rule of the readable per-rule array (the scenario answer's `explain`), or the final word
/// of `on_unroutable`.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum ExplainEntry<'a> {
    Rule {
        rule: &'a str,
        /// 1-based, as in validation messages.
        number: usize,
        applied: bool,
        #[serde(flatten)]
        outcome: OutcomeView<'a>,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        locations: Vec<ExplainSite<'a>>,
        summary: Vec<String>,
    },
    Unroutable {
        on_unroutable: OnUnroutable,
        summary: Vec<String>,
    },
}

/// A location with its id spelled out.
#[derive(Debug, Serialize)]
pub struct ExplainSite<'a> {
    pub location: &'a str,
    #[serde(flatten)]
    verdict: VerdictView,
}

/// [`Outcome`] for the readable JSON: `"result": "..."` beside its fields.
#[derive(Debug, Serialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum OutcomeView<'a> {
    Skipped {
        condition: Condition,
    },
    Held {
        reason: &'a str,
    },
    Placed {
        status: DecisionStatus,
        method: Method,
        picks: &'a [Pick],
        missing_units: u64,
    },
    NoCandidates,
    NoSingleLocation,
    MissingUnits {
        missing_units: u64,
        placeable_units: u64,
    },
    NothingPlaced {
        missing_units: u64,
    },
}

impl<'a> From<&'a Outcome> for OutcomeView<'a> {
    fn from(o: &'a Outcome) -> Self {
        match o {
            Outcome::Skipped { condition } => OutcomeView::Skipped {
                condition: *condition,
            },
            Outcome::Held { reason } => OutcomeView::Held { reason },
            Outcome::Placed {
                status,
                method,
                picks,
                missing_units,
            } => OutcomeView::Placed {
                status: *status,
                method: *method,
                picks,
                missing_units: *missing_units,
            },
            Outcome::NoCandidates => OutcomeView::NoCandidates,
            Outcome::NoSingleLocation => OutcomeView::NoSingleLocation,
            Outcome::MissingUnits {
                missing_units,
                placeable_units,
            } => OutcomeView::MissingUnits {
                missing_units: *missing_units,
                placeable_units: *placeable_units,
            },
            Outcome::NothingPlaced { missing_units } => OutcomeView::NothingPlaced {
                missing_units: *missing_units,
            },
        }
    }
}

/// [`Verdict`] for the readable JSON: `"verdict": "..."` beside its values, absent ones left out.
#[derive(Debug, Serialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum VerdictView {
    NoPatternMatch,
    WrongChannel,
    AtCapacity {
        allocated_today: u32,
        daily_capacity: u32,
    },
    TooFar {
        distance_km: Option<f64>,
        max_distance_km: f64,
    },
    Ranked {
        rank: u32,
        #[serde(skip_serializing_if = "Option::is_none")]
        distance_km: Option<f64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        priority: Option<u32>,
        #[serde(skip_serializing_if = "Option::is_none")]
        most_stock: Option<u64>,
    },
}

impl From<&Verdict> for VerdictView {
    fn from(v: &Verdict) -> Self {
        match *v {
            Verdict::NoPatternMatch => VerdictView::NoPatternMatch,
            Verdict::WrongChannel => VerdictView::WrongChannel,
            Verdict::AtCapacity {
                allocated_today,
                daily_capacity,
            } => VerdictView::AtCapacity {
                allocated_today,
                daily_capacity,
            },
            Verdict::TooFar {
                distance_km,
                max_distance_km,
            } => VerdictView::TooFar {
                distance_km,
                max_distance_km,
            },
            Verdict::Ranked {
                rank,
                distance_km,
                priority,
                most_stock,
            } => VerdictView::Ranked {
                rank,
                distance_km,
                priority,
                most_stock,
            },
        }
    }
}

impl Explanation {
    fn location(&self, site: u32) -> &str {
        self.locations
            .get(site as usize)
            .map(String::as_str)
            .unwrap_or("?")
    }

    /// Human lines: one per rule tried, then indented lines for its locations; the last line
    /// says what happened when no rule decided.
    pub fn summary(&self) -> Vec<String> {
        let mut out = Vec::new();
        for r in &self.rules {
            self.rule_lines(r, &mut out);
        }
        if let Some(u) = self.unroutable {
            out.push(unroutable_line(u));
        }
        out
    }

    /// The readable per-rule array of the scenario answer.
    pub fn entries(&self) -> Vec<ExplainEntry<'_>> {
        let mut out: Vec<ExplainEntry<'_>> = self
            .rules
            .iter()
            .map(|r| {
                let mut summary = Vec::new();
                self.rule_lines(r, &mut summary);
                ExplainEntry::Rule {
                    rule: &r.name,
                    number: r.index + 1,
                    applied: r.outcome.applied(),
                    outcome: (&r.outcome).into(),
                    locations: r
                        .sites
                        .iter()
                        .map(|s| ExplainSite {
                            location: self.location(s.site),
                            verdict: (&s.verdict).into(),
                        })
                        .collect(),
                    summary,
                }
            })
            .collect();
        if let Some(u) = self.unroutable {
            out.push(ExplainEntry::Unroutable {
                on_unroutable: u,
                summary: vec![unroutable_line(u)],
            });
        }
        out
    }

    fn rule_lines(&self, r: &RuleTrace, out: &mut Vec<String>) {
        let head = format!("rule #{} {:?}: ", r.index + 1, r.name);
        let line = match &r.outcome {
            Outcome::Skipped { condition } => {
                format!("{head}does not apply: {}", condition.describe())
            }
            Outcome::Held { reason } => format!("{head}applies: hold ({reason})"),
            Outcome::Placed {
                status,
                method,
                picks,
                missing_units,
            } => {
                let mut s = format!("{head}applies: {status} via {}", method.describe());
                for (i, p) in picks.iter().enumerate() {
                    let sep = if i == 0 { ": " } else { ", " };
                    let _ = write!(s, "{sep}{} x{}", p.location, p.units);
                }
                if *missing_units > 0 {
                    let _ = write!(s, "; {missing_units} unit(s) backordered");
                }
                s
            }
            Outcome::NoCandidates => {
                format!("{head}fails: no location passes its patterns and exclusions")
            }
            Outcome::NoSingleLocation => format!(
                "{head}fails: split \"never\" and no single location has every line in full"
            ),
            Outcome::MissingUnits {
                missing_units,
                placeable_units,
            } => format!(
                "{head}fails: split \"allowed\" and {missing_units} unit(s) are missing \
                 (only {placeable_units} could be placed)"
            ),
            Outcome::NothingPlaced { missing_units } => format!(
                "{head}fails: split \"partial\" but not one of {missing_units} unit(s) can be placed"
            ),
        };
        out.push(line);

        let mut ranked: Vec<&SiteTrace> = r
            .sites
            .iter()
            .filter(|s| matches!(s.verdict, Verdict::Ranked { .. }))
            .collect();
        ranked.sort_by_key(|s| match s.verdict {
            Verdict::Ranked { rank, .. } => rank,
            _ => 0,
        });
        for s in ranked {
            if let Verdict::Ranked {
                rank,
                distance_km,
                priority,
                most_stock,
            } = &s.verdict
            {
                let mut l = format!("  #{rank} {}", self.location(s.site));
                let mut parts: Vec<String> = Vec::new();
                if let Some(d) = distance_km {
                    parts.push(format!("{d:.1} km"));
                }
                match priority {
                    Some(p) => parts.push(format!("priority {p}")),
                    None => parts.push("no priority".into()),
                }
                if let Some(m) = most_stock {
                    parts.push(format!("{m} unit(s) of the order's SKUs"));
                }
                let _ = write!(l, " ({})", parts.join(", "));
                if let Some(why) =
                    site_reason(&r.outcome, self.location(s.site), *rank, &r.sites, self)
                {
                    let _ = write!(l, " — {why}");
                }
                out.push(l);
            }
        }
        let mut unmatched: Vec<&str> = Vec::new();
        for s in &r.sites {
            let id = self.location(s.site);
            match &s.verdict {
                Verdict::Ranked { .. } => {}
                Verdict::NoPatternMatch => unmatched.push(id),
                Verdict::WrongChannel => {
                    out.push(format!("  excluded {id}: does not serve the order's channel"))
                }
                Verdict::AtCapacity {
                    allocated_today,
                    daily_capacity,
                } => out.push(format!(
                    "  excluded {id}: at capacity ({allocated_today} of {daily_capacity} orders today)"
                )),
                Verdict::TooFar {
                    distance_km,
                    max_distance_km,
                } => out.push(match distance_km {
                    Some(d) => format!(
                        "  excluded {id}: {d:.1} km away, beyond max_distance_km {max_distance_km}"
                    ),
                    None => format!(
                        "  excluded {id}: distance unknown (no coordinates), max_distance_km {max_distance_km}"
                    ),
                }),
            }
        }
        if !unmatched.is_empty() {
            out.push(format!(
                "  not matched by its locations: {}",
                unmatched.join(", ")
            ));
        }
    }
}

/// Why a ranked location won or lost, from what the rule came to: the plan's picks, its
/// method and the ranks. (The stock each location had at that moment is not in the trace, so
/// a location passed over is said to have lacked something, not which SKU.)
fn site_reason(
    outcome: &Outcome,
    location: &str,
    rank: u32,
    sites: &[SiteTrace],
    e: &Explanation,
) -> Option<String> {
    let rank_of = |id: &str| {
        sites.iter().find_map(|s| match s.verdict {
            Verdict::Ranked { rank, .. } if e.location(s.site) == id => Some(rank),
            _ => None,
        })
    };
    let nth = |r: u32| match r {
        1 => "1st".to_string(),
        2 => "2nd".to_string(),
        3 => "3rd".to_string(),
        n => format!("{n}th"),
    };
    match outcome {
        Outcome::Placed {
            method: Method::SingleLocation,
            picks,
            ..
        } => {
            let winner = picks.first()?;
            let winner_rank = rank_of(&winner.location)?;
            Some(if winner.location == location {
                if rank == 1 {
                    "won: ranked 1st, has every line in full".into()
                } else {
                    format!(
                        "won: has every line in full, {} in rank; the ones above it do not",
                        nth(rank)
                    )
                }
            } else if rank < winner_rank {
                "lost: cannot fill every line in full on its own".into()
            } else {
                format!("lost: ranked below {}", winner.location)
            })
        }
        Outcome::Placed {
            picks,
            missing_units,
            ..
        } => {
            if let Some(p) = picks.iter().find(|p| p.location == location) {
                return Some(format!("used: {} unit(s)", p.units));
            }
            let last_used = picks.iter().filter_map(|p| rank_of(&p.location)).max();
            Some(
                if *missing_units > 0 || last_used.is_some_and(|r| rank < r) {
                    "not used: had none of the units still needed at its turn".into()
                } else {
                    "not needed: the locations ranked above it covered the order".into()
                },
            )
        }
        Outcome::NoSingleLocation => Some("lost: cannot fill every line in full on its own".into()),
        Outcome::MissingUnits { .. } | Outcome::NothingPlaced { .. } => {
            Some("short: the candidates together lack units".into())
        }
        Outcome::Skipped { .. } | Outcome::Held { .. } | Outcome::NoCandidates => None,
    }
}

fn unroutable_line(u: OnUnroutable) -> String {
    match u {
        OnUnroutable::Backorder => {
            "no rule allocated or held the order: on_unroutable \"backorder\" -> backordered".into()
        }
        OnUnroutable::Hold => {
            "no rule allocated or held the order: on_unroutable \"hold\" -> held (unroutable)"
                .into()
        }
    }
}
