//! The decision: `reference/routing/scenarios.md`, steps 1 to 10 and its "Details".
//!
//! Choices where the spec leaves room (each is also tested):
//! - Lines are processed in ascending line number ("line order"), whatever their order in the
//!   request; lines with quantity 0 are ignored everywhere, including `when.skus_any` and the
//!   SKUs that `most_stock` counts.
//! - An order with no unit to place (no lines, or only quantity-0 lines) is decided by the first
//!   applicable rule: a hold rule holds it, a routing rule "allocates" it with no allocations.
//! - When a rule has no candidate at all it fails with `no_candidates`, whatever its split.
//! - `when` lists compare exactly (channels, countries, ship methods, SKUs); an order without a
//!   country does not match a `countries` list.
//! - `max_distance_km` keeps a location whose distance is within 1e-9 km of the limit, so "exactly
//!   at the limit" survives floating-point rounding of the same distance computed another way.
//! - Ranking is a total order: after the rule's keys and the id, the position in the given
//!   location list breaks ties (only reachable with duplicate ids).
//! - For the per-line fill without fewest_splits (step 7), the most_stock key of each line is the
//!   units of that line's SKU still available at the location when the line's turn comes, after
//!   the earlier lines of the same plan took theirs.

use std::cmp::Ordering;

use crate::model::Allocation;

use super::geo;
use super::rules::{CompiledAction, CompiledWhen, RoutePart, RuleSet, SortKey, Split};
use super::{Decision, DecisionStatus, RouteRequest, Site, StockView};
use crate::model::{
    Condition, Explanation, Method, OnUnroutable, Outcome, Pick, RuleTrace, SiteTrace, Verdict,
};

/// Slack for "exactly at the limit" (km).
const DISTANCE_EPSILON_KM: f64 = 1e-9;

/// Routes one order. Pure: the same inputs give the same decision.
pub fn route<S: StockView + ?Sized>(
    req: &RouteRequest,
    sites: &[Site<'_>],
    stock: &S,
    rules: &RuleSet,
) -> Decision {
    let mut ctx = Ctx::new(req, sites, stock);
    let mut explain = Explanation {
        locations: sites.iter().map(|s| s.location.id.clone()).collect(),
        rules: Vec::with_capacity(rules.compiled.len().min(8)),
        unroutable: None,
    };

    // Step 2: top to bottom.
    for (index, rule) in rules.compiled.iter().enumerate() {
        if let Some(condition) = ctx.failed_condition(&rule.when) {
            explain.rules.push(RuleTrace {
                index,
                name: rule.name.clone(),
                outcome: Outcome::Skipped { condition },
                sites: Vec::new(),
            });
            continue;
        }
        if req.skip_hold_rules && matches!(rule.action, CompiledAction::Hold { .. }) {
            explain.rules.push(RuleTrace {
                index,
                name: rule.name.clone(),
                outcome: Outcome::Skipped {
                    condition: Condition::FirstRoutingOnly,
                },
                sites: Vec::new(),
            });
            continue;
        }
        match &rule.action {
            // Step 3.
            CompiledAction::Hold { reason } => {
                explain.rules.push(RuleTrace {
                    index,
                    name: rule.name.clone(),
                    outcome: Outcome::Held {
                        reason: reason.clone(),
                    },
                    sites: Vec::new(),
                });
                return Decision {
                    status: DecisionStatus::Held,
                    rule: Some(rule.name.clone()),
                    allocations: Vec::new(),
                    reason: Some(reason.clone()),
                    explain,
                };
            }
            CompiledAction::Route(part) => {
                let mut trace = Vec::with_capacity(sites.len());
                match ctx.try_route(part, &mut trace) {
                    Ok(plan) => {
                        let (allocations, picks) = ctx.materialize();
                        explain.rules.push(RuleTrace {
                            index,
                            name: rule.name.clone(),
                            outcome: Outcome::Placed {
                                status: plan.status,
                                method: plan.method,
                                picks,
                                missing_units: plan.missing_units,
                            },
                            sites: trace,
                        });
                        return Decision {
                            status: plan.status,
                            rule: Some(rule.name.clone()),
                            allocations,
                            reason: None,
                            explain,
                        };
                    }
                    // Step 9: a rule that fails passes the order on.
                    Err(outcome) => explain.rules.push(RuleTrace {
                        index,
                        name: rule.name.clone(),
                        outcome,
                        sites: trace,
                    }),
                }
            }
        }
    }

    // Step 9: nothing allocated or held it.
    let on_unroutable = rules.on_unroutable();
    explain.unroutable = Some(on_unroutable);
    match on_unroutable {
        OnUnroutable::Backorder => Decision {
            status: DecisionStatus::Backordered,
            rule: None,
            allocations: Vec::new(),
            reason: None,
            explain,
        },
        OnUnroutable::Hold => Decision {
            status: DecisionStatus::Held,
            rule: None,
            allocations: Vec::new(),
            reason: Some("unroutable".to_string()),
            explain,
        },
    }
}

/// An order line with units to place.
#[derive(Debug, Clone, Copy)]
struct OLine {
    /// Index into `RouteRequest::lines`.
    pos: u32,
    line: u32,
    /// Index into `Ctx::skus`.
    sku: u32,
    qty: u32,
}

/// A location that passed the exclusions, with its ranking keys.
#[derive(Debug, Clone, Copy)]
struct Cand {
    site: u32,
    dist: f64,
    /// `u64::MAX` for none: after every location that has one.
    prio: u64,
    stock: u64,
}

struct PlanInfo {
    status: DecisionStatus,
    method: Method,
    missing_units: u64,
}

struct Ctx<'a, S: ?Sized> {
    req: &'a RouteRequest,
    sites: &'a [Site<'a>],
    stock: &'a S,
    lines: Vec<OLine>,
    skus: Vec<&'a str>,
    /// Units of each SKU the order needs (lines with the same SKU summed).
    demand: Vec<u64>,
    total_units: u64,
    /// available(sku, site), `skus.len() x sites.len()`, -1 = not looked up yet (step 1).
    avail: Vec<i64>,
    /// Distance to each site, NaN = not computed yet.
    dist: Vec<f64>,
    // Scratch reused across rules.
    cands: Vec<Cand>,
    work: Vec<u64>,
    missing_line: Vec<u32>,
    missing_sku: Vec<u64>,
    order: Vec<u32>,
    /// The plan being built: (index into `lines`, site, qty).
    placements: Vec<(u32, u32, u32)>,
}

impl<'a, S: StockView + ?Sized> Ctx<'a, S> {
    fn new(req: &'a RouteRequest, sites: &'a [Site<'a>], stock: &'a S) -> Self {
        let mut lines: Vec<OLine> = Vec::with_capacity(req.lines.len());
        let mut skus: Vec<&'a str> = Vec::with_capacity(req.lines.len());
        let mut demand: Vec<u64> = Vec::with_capacity(req.lines.len());
        for (pos, l) in req.lines.iter().enumerate() {
            if l.qty == 0 {
                continue;
            }
            let sku = match skus.iter().position(|s| *s == l.sku) {
                Some(i) => i,
                None => {
                    skus.push(&l.sku);
                    demand.push(0);
                    skus.len() - 1
                }
            };
            demand[sku] += u64::from(l.qty);
            lines.push(OLine {
                pos: pos as u32,
                line: l.line,
                sku: sku as u32,
                qty: l.qty,
            });
        }
        // "Line order": ascending line number, stable for equal numbers.
        if lines.windows(2).any(|w| w[0].line > w[1].line) {
            lines.sort_by_key(|l| l.line);
        }
        let total_units = demand.iter().sum();
        Ctx {
            req,
            sites,
            stock,
            avail: vec![-1; skus.len() * sites.len()],
            dist: vec![f64::NAN; sites.len()],
            lines,
            skus,
            demand,
            total_units,
            cands: Vec::with_capacity(sites.len()),
            work: Vec::new(),
            missing_line: Vec::new(),
            missing_sku: Vec::new(),
            order: Vec::new(),
            placements: Vec::new(),
        }
    }

    /// Step 1, looked up once per (sku, site) and decision.
    #[inline]
    fn avail(&mut self, sku: usize, site: usize) -> u64 {
        let i = sku * self.sites.len() + site;
        let v = self.avail[i];
        if v >= 0 {
            return v as u64;
        }
        let a = self
            .stock
            .level(self.skus[sku], &self.sites[site].location.id)
            .available()
            .max(0);
        self.avail[i] = a;
        a as u64
    }

    #[inline]
    fn dist(&mut self, site: usize) -> f64 {
        let d = self.dist[site];
        if !d.is_nan() {
            return d;
        }
        let loc = self.sites[site].location;
        let d = geo::distance_km((self.req.lat, self.req.lon), (loc.lat, loc.lon));
        self.dist[site] = d;
        d
    }

    /// Step 2: the first `when` condition that does not match, if any.
    fn failed_condition(&self, w: &CompiledWhen) -> Option<Condition> {
        let req = self.req;
        if !w.channels.is_empty() && !w.channels.contains(&req.channel) {
            return Some(Condition::Channels);
        }
        if !w.countries.is_empty()
            && !req
                .country
                .as_deref()
                .is_some_and(|c| w.countries.iter().any(|x| x == c))
        {
            return Some(Condition::Countries);
        }
        if !w.ship_methods.is_empty() && !w.ship_methods.contains(&req.ship_method) {
            return Some(Condition::ShipMethods);
        }
        if w.total_min.is_some_and(|min| req.total < min) {
            return Some(Condition::TotalMin);
        }
        if w.total_max.is_some_and(|max| req.total > max) {
            return Some(Condition::TotalMax);
        }
        if !w.skus_any.is_empty() && !self.skus.iter().any(|s| w.skus_any.iter().any(|x| x == s)) {
            return Some(Condition::SkusAny);
        }
        None
    }

    /// Steps 4 to 8 for one routing rule. On success the plan is in `self.placements`.
    fn try_route(
        &mut self,
        part: &RoutePart,
        trace: &mut Vec<SiteTrace>,
    ) -> Result<PlanInfo, Outcome> {
        let n = self.sites.len();
        let pickup = self.req.pickup_location.as_deref();
        let channel = self.req.channel.as_str();
        self.cands.clear();
        self.placements.clear();

        // Step 4: candidates.
        for i in 0..n {
            let site = self.sites[i];
            let loc = site.location;
            let verdict = if !part.patterns.iter().any(|p| p.matches(loc, pickup)) {
                Verdict::NoPatternMatch
            } else if !loc.serves(channel) {
                Verdict::WrongChannel
            } else if let Some(cap) = loc
                .daily_capacity
                .filter(|&cap| site.allocated_today >= cap)
            {
                Verdict::AtCapacity {
                    allocated_today: site.allocated_today,
                    daily_capacity: cap,
                }
            } else {
                let d = if part.uses_distance {
                    self.dist(i)
                } else {
                    f64::INFINITY
                };
                let shown = (part.uses_distance && d.is_finite()).then_some(d);
                match part.max_distance_km {
                    // `d` is never NaN (see geo::distance_km).
                    Some(max) if d > max + DISTANCE_EPSILON_KM => Verdict::TooFar {
                        distance_km: shown,
                        max_distance_km: max,
                    },
                    _ => {
                        self.cands.push(Cand {
                            site: i as u32,
                            dist: d,
                            prio: loc.priority.map_or(u64::MAX, u64::from),
                            stock: 0,
                        });
                        Verdict::Ranked {
                            rank: 0,
                            distance_km: shown,
                            priority: loc.priority,
                            most_stock: None,
                        }
                    }
                }
            };
            trace.push(SiteTrace {
                site: i as u32,
                verdict,
            });
        }

        if self.total_units == 0 {
            return Ok(PlanInfo {
                status: DecisionStatus::Allocated,
                method: Method::NothingToPlace,
                missing_units: 0,
            });
        }
        if self.cands.is_empty() {
            return Err(Outcome::NoCandidates);
        }

        // Step 5: rank. most_stock counts each distinct SKU of the order once.
        let nsku = self.skus.len();
        if part.uses_most_stock {
            for c in 0..self.cands.len() {
                let site = self.cands[c].site as usize;
                let mut total = 0;
                for s in 0..nsku {
                    total += self.avail(s, site);
                }
                self.cands[c].stock = total;
            }
        }
        {
            let sites = self.sites;
            let keys = &part.keys;
            self.cands
                .sort_unstable_by(|a, b| compare(keys, sites, a, b, a.stock, b.stock));
        }
        for (r, c) in self.cands.iter().enumerate() {
            if let Verdict::Ranked {
                rank, most_stock, ..
            } = &mut trace[c.site as usize].verdict
            {
                *rank = r as u32 + 1;
                if part.uses_most_stock {
                    *most_stock = Some(c.stock);
                }
            }
        }

        // Step 6: one location for everything.
        if part.fewest_splits || part.split == Split::Never {
            let mut single = None;
            for c in 0..self.cands.len() {
                let site = self.cands[c].site as usize;
                if (0..nsku).all(|s| self.avail(s, site) >= self.demand[s]) {
                    single = Some(site as u32);
                    break;
                }
            }
            if let Some(site) = single {
                for (li, l) in self.lines.iter().enumerate() {
                    self.placements.push((li as u32, site, l.qty));
                }
                return Ok(PlanInfo {
                    status: DecisionStatus::Allocated,
                    method: Method::SingleLocation,
                    missing_units: 0,
                });
            }
            if part.split == Split::Never {
                return Err(Outcome::NoSingleLocation);
            }
        }

        // Step 7: split. `work` is what is left per (sku, candidate in rank order).
        let nc = self.cands.len();
        self.work.clear();
        self.work.resize(nsku * nc, 0);
        for s in 0..nsku {
            for c in 0..nc {
                let site = self.cands[c].site as usize;
                self.work[s * nc + c] = self.avail(s, site);
            }
        }
        self.missing_line.clear();
        self.missing_line.extend(self.lines.iter().map(|l| l.qty));
        self.missing_sku.clear();
        self.missing_sku.extend_from_slice(&self.demand);
        let mut missing = self.total_units;

        let method = if part.fewest_splits {
            // Greedy cover: the candidate that supplies the most missing units, ties by rank.
            while missing > 0 {
                let mut best = 0usize;
                let mut best_supply = 0u64;
                for c in 0..nc {
                    let supply: u64 = (0..nsku)
                        .map(|s| self.work[s * nc + c].min(self.missing_sku[s]))
                        .sum();
                    if supply > best_supply {
                        best_supply = supply;
                        best = c;
                    }
                }
                if best_supply == 0 {
                    break;
                }
                let site = self.cands[best].site;
                for li in 0..self.lines.len() {
                    let need = self.missing_line[li];
                    if need == 0 {
                        continue;
                    }
                    let s = self.lines[li].sku as usize;
                    let have = &mut self.work[s * nc + best];
                    let take = (*have).min(u64::from(need)) as u32;
                    if take == 0 {
                        continue;
                    }
                    *have -= u64::from(take);
                    self.missing_line[li] -= take;
                    self.missing_sku[s] -= u64::from(take);
                    missing -= u64::from(take);
                    self.placements.push((li as u32, site, take));
                }
            }
            Method::GreedyCover
        } else {
            // Line by line, from the candidates in rank order.
            self.order.clear();
            self.order.extend(0..nc as u32);
            for li in 0..self.lines.len() {
                let s = self.lines[li].sku as usize;
                if part.uses_most_stock {
                    let (sites, keys, cands, work) =
                        (self.sites, &part.keys, &self.cands, &self.work);
                    let row = &work[s * nc..(s + 1) * nc];
                    self.order.sort_unstable_by(|&a, &b| {
                        let (ca, cb) = (&cands[a as usize], &cands[b as usize]);
                        compare(keys, sites, ca, cb, row[a as usize], row[b as usize])
                    });
                }
                for k in 0..nc {
                    let need = self.missing_line[li];
                    if need == 0 {
                        break;
                    }
                    let c = self.order[k] as usize;
                    let have = &mut self.work[s * nc + c];
                    let take = (*have).min(u64::from(need)) as u32;
                    if take == 0 {
                        continue;
                    }
                    *have -= u64::from(take);
                    self.missing_line[li] -= take;
                    missing -= u64::from(take);
                    self.placements.push((li as u32, self.cands[c].site, take));
                }
            }
            Method::PerLine
        };

        // Step 8.
        if missing == 0 {
            return Ok(PlanInfo {
                status: DecisionStatus::Allocated,
                method,
                missing_units: 0,
            });
        }
        let placed = self.total_units - missing;
        match part.split {
            Split::Partial if placed > 0 => Ok(PlanInfo {
                status: DecisionStatus::PartiallyAllocated,
                method,
                missing_units: missing,
            }),
            Split::Partial => Err(Outcome::NothingPlaced {
                missing_units: missing,
            }),
            _ => Err(Outcome::MissingUnits {
                missing_units: missing,
                placeable_units: placed,
            }),
        }
    }

    /// The plan in `self.placements` as allocations, and the picks (locations in the order the
    /// plan took them, with their units).
    fn materialize(&self) -> (Vec<Allocation>, Vec<Pick>) {
        let mut allocations = Vec::with_capacity(self.placements.len());
        let mut picks: Vec<(u32, u64)> = Vec::with_capacity(4);
        for &(li, site, qty) in &self.placements {
            let l = &self.req.lines[self.lines[li as usize].pos as usize];
            allocations.push(Allocation {
                line: l.line,
                sku: l.sku.clone(),
                location: self.sites[site as usize].location.id.clone(),
                qty,
            });
            match picks.iter_mut().find(|p| p.0 == site) {
                Some(p) => p.1 += u64::from(qty),
                None => picks.push((site, u64::from(qty))),
            }
        }
        let picks = picks
            .into_iter()
            .map(|(site, units)| Pick {
                location: self.sites[site as usize].location.id.clone(),
                units,
            })
            .collect();
        (allocations, picks)
    }
}

/// Step 5's order: the rule's keys in order, then id (byte order), then list position.
#[inline]
fn compare(
    keys: &[SortKey],
    sites: &[Site<'_>],
    a: &Cand,
    b: &Cand,
    stock_a: u64,
    stock_b: u64,
) -> Ordering {
    for k in keys {
        let o = match k {
            SortKey::Closest => a.dist.partial_cmp(&b.dist).unwrap_or(Ordering::Equal),
            SortKey::Priority => a.prio.cmp(&b.prio),
            SortKey::MostStock => stock_b.cmp(&stock_a),
            SortKey::FewestSplits => Ordering::Equal,
        };
        if o != Ordering::Equal {
            return o;
        }
    }
    sites[a.site as usize]
        .location
        .id
        .as_bytes()
        .cmp(sites[b.site as usize].location.id.as_bytes())
        .then(a.site.cmp(&b.site))
}
