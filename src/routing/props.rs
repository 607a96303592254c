//! Property tests: for random worlds, rules and orders, the decision never promises what is not
//! there, never over-fills a line, never reports 0 units, and its status agrees with what it
//! placed. A plain, slow re-reading of the spec (`reference`) must also agree with [`route`]
//! on every case, which checks the index-juggling fast path against straightforward code.

use std::collections::HashMap;

use proptest::prelude::*;
use rust_decimal::Decimal;

use super::geo;
use super::*;
use crate::model::{Location, LocationKind, StockLevel};

const IDS: [&str; 7] = ["a", "b", "dc-1", "dc-2", "store-1", "store-12", "Store-3"];
const SKUS: [&str; 3] = ["A", "B", "C"];
const PATTERNS: [&str; 9] = [
    "*", "store-*", "dc-?", "tag:dc", "$pickup", "a", "[ab]", "*-1", "Store-*",
];
const KEYS: [&str; 4] = ["fewest_splits", "closest", "priority", "most_stock"];
const SPLITS: [&str; 3] = ["never", "allowed", "partial"];

#[derive(Debug, Clone)]
struct World {
    locations: Vec<Location>,
    today: Vec<u32>,
    stock: Vec<(usize, usize, StockLevel)>,
    rules: Vec<Rule>,
    on_unroutable: OnUnroutable,
    req: RouteRequest,
}

fn coord() -> impl Strategy<Value = Option<(f64, f64)>> {
    prop_oneof![
        1 => Just(None),
        4 => (-3i32..=3, -3i32..=3).prop_map(|(a, b)| Some((f64::from(a), f64::from(b)))),
    ]
}

fn location() -> impl Strategy<Value = (Location, u32)> {
    (
        prop::option::of(1u32..4),
        coord(),
        prop::sample::subsequence(vec!["dc", "store"], 0..=2),
        prop_oneof![
            3 => Just(Vec::new()),
            1 => prop::sample::subsequence(vec!["web", "pos"], 1..=2),
        ],
        prop::option::weighted(0.3, 0u32..3),
        0u32..3,
    )
        .prop_map(|(priority, c, tags, channels, daily_capacity, today)| {
            (
                Location {
                    id: String::new(),
                    name: String::new(),
                    kind: LocationKind::Warehouse,
                    priority,
                    lat: c.map(|c| c.0),
                    lon: c.map(|c| c.1),
                    tags: tags.into_iter().map(String::from).collect(),
                    channels: channels.into_iter().map(String::from).collect(),
                    daily_capacity,
                },
                today,
            )
        })
}

fn when() -> impl Strategy<Value = Option<When>> {
    prop::option::weighted(
        0.3,
        (
            prop::sample::subsequence(vec!["web", "pos"], 0..=2),
            prop::sample::subsequence(vec!["standard", "pickup"], 0..=2),
            prop::option::of(0i64..100),
            prop::sample::subsequence(SKUS.to_vec(), 0..=2),
        )
            .prop_map(|(channels, methods, min, skus)| When {
                channels: channels.into_iter().map(String::from).collect(),
                ship_methods: methods.into_iter().map(String::from).collect(),
                total_min: min.map(Decimal::from),
                skus_any: skus.into_iter().map(String::from).collect(),
                ..When::default()
            }),
    )
}

fn rule() -> impl Strategy<Value = Rule> {
    (
        when(),
        prop::bool::weighted(0.07),
        prop_oneof![
            1 => Just(vec!["*"]),
            3 => prop::sample::subsequence(PATTERNS.to_vec(), 1..=3),
        ],
        prop::option::of(prop::sample::select(SPLITS.to_vec())),
        prop::option::of(prop::sample::subsequence(KEYS.to_vec(), 0..=4).prop_shuffle()),
        prop::option::weighted(
            0.3,
            prop_oneof![Just(0.0), Just(111.19492664455873), Just(300.0)],
        ),
    )
        .prop_map(|(when, hold, locations, split, sort, max)| {
            if hold {
                Rule {
                    when,
                    action: Some("hold".into()),
                    reason: Some("held".into()),
                    ..Rule::default()
                }
            } else {
                Rule {
                    when,
                    locations: locations.into_iter().map(String::from).collect(),
                    split: split.map(String::from),
                    sort: sort.map(|s| s.into_iter().map(String::from).collect()),
                    max_distance_km: max,
                    ..Rule::default()
                }
            }
        })
}

fn world() -> impl Strategy<Value = World> {
    (
        prop::sample::subsequence(IDS.to_vec(), 1..=IDS.len()).prop_shuffle(),
        prop::collection::vec(location(), IDS.len()),
        prop::collection::vec(
            (0usize..IDS.len(), 0usize..3, 0i64..8, 0i64..2, 0i64..2),
            0..25,
        ),
        prop::collection::vec(rule(), 0..5),
        prop::bool::ANY,
        prop::collection::vec(
            (0usize..3, prop_oneof![1 => Just(0u32), 8 => 1u32..6]),
            1..5,
        ),
        (
            prop::sample::select(vec!["web", "pos"]),
            prop::sample::select(vec!["standard", "pickup"]),
            prop::option::of(prop::sample::select(IDS.to_vec())),
            coord(),
            0i64..120,
            prop::bool::ANY,
        ),
    )
        .prop_map(
            |(ids, locs, stock, rules, hold, lines, (channel, method, pickup, c, total, rev))| {
                let n = ids.len();
                let (locations, today): (Vec<Location>, Vec<u32>) = ids
                    .iter()
                    .zip(locs)
                    .map(|(id, (mut l, t))| {
                        l.id = id.to_string();
                        l.name = id.to_string();
                        (l, t)
                    })
                    .unzip();
                let mut seen = Vec::new();
                let stock = stock
                    .into_iter()
                    .filter_map(|(l, s, on_hand, reserved, safety_stock)| {
                        let key = (l % n, s);
                        if seen.contains(&key) {
                            return None;
                        }
                        seen.push(key);
                        Some((
                            key.0,
                            key.1,
                            StockLevel {
                                on_hand,
                                reserved,
                                safety_stock,
                            },
                        ))
                    })
                    .collect();
                let rules = rules
                    .into_iter()
                    .enumerate()
                    .map(|(i, mut r)| {
                        r.name = format!("r{i}");
                        r
                    })
                    .collect();
                let mut lines: Vec<RouteLine> = lines
                    .into_iter()
                    .enumerate()
                    .map(|(i, (s, qty))| RouteLine {
                        line: i as u32 + 1,
                        sku: SKUS[s].to_string(),
                        qty,
                    })
                    .collect();
                if rev {
                    lines.reverse();
                }
                World {
                    locations,
                    today,
                    stock,
                    rules,
                    on_unroutable: if hold {
                        OnUnroutable::Hold
                    } else {
                        OnUnroutable::Backorder
                    },
                    req: RouteRequest {
                        order_id: "p".into(),
                        channel: channel.into(),
                        ship_method: method.into(),
                        pickup_location: pickup.map(String::from),
                        total: Decimal::from(total),
                        country: Some("US".into()),
                        postal_code: None,
                        lat: c.map(|c| c.0),
                        lon: c.map(|c| c.1),
                        lines,
                        skip_hold_rules: false,
                    },
                }
            },
        )
}

impl World {
    fn table(&self) -> StockTable {
        let mut t = StockTable::new();
        for (l, s, level) in &self.stock {
            t.set(SKUS[*s], self.locations[*l].id.clone(), *level);
        }
        t
    }

    fn sites(&self) -> Vec<Site<'_>> {
        self.locations
            .iter()
            .zip(&self.today)
            .map(|(location, &allocated_today)| Site {
                location,
                allocated_today,
            })
            .collect()
    }
}

type Plan = (
    DecisionStatus,
    Option<String>,
    Vec<(u32, String, String, u32)>,
    Option<String>,
);

/// The spec read literally, with maps and clones, for comparison only.
fn reference(w: &World) -> Plan {
    let req = &w.req;
    let table = w.table();
    let avail = |sku: &str, loc: &str| table.level(sku, loc).available().max(0) as u64;
    let mut lines: Vec<&RouteLine> = req.lines.iter().filter(|l| l.qty > 0).collect();
    lines.sort_by_key(|l| l.line);
    let mut demand: Vec<(String, u64)> = Vec::new();
    for l in &lines {
        match demand.iter_mut().find(|d| d.0 == l.sku) {
            Some(d) => d.1 += u64::from(l.qty),
            None => demand.push((l.sku.clone(), u64::from(l.qty))),
        }
    }
    let total: u64 = demand.iter().map(|d| d.1).sum();
    let dist = |l: &Location| geo::distance_km((req.lat, req.lon), (l.lat, l.lon));

    'rules: for r in &w.rules {
        let wh = r.when.clone().unwrap_or_default();
        let in_list = |list: &Vec<String>, v: &str| list.is_empty() || list.iter().any(|x| x == v);
        if !in_list(&wh.channels, &req.channel)
            || !in_list(&wh.ship_methods, &req.ship_method)
            || wh.total_min.is_some_and(|m| req.total < m)
            || (!wh.skus_any.is_empty() && !lines.iter().any(|l| wh.skus_any.contains(&l.sku)))
        {
            continue;
        }
        if r.action.as_deref() == Some("hold") {
            return (
                DecisionStatus::Held,
                Some(r.name.clone()),
                vec![],
                r.reason.clone(),
            );
        }
        let keys: Vec<&str> = match &r.sort {
            Some(k) => k.iter().map(String::as_str).collect(),
            None => vec!["fewest_splits", "closest", "priority"],
        };
        let fewest = keys.contains(&"fewest_splits");
        let split = r.split.as_deref().unwrap_or("allowed");
        let matches = |p: &str, l: &Location| {
            if p == "$pickup" {
                req.pickup_location.as_deref() == Some(l.id.as_str())
            } else if let Some(t) = p.strip_prefix("tag:") {
                l.tags.iter().any(|x| x == t)
            } else {
                globset::Glob::new(p)
                    .unwrap()
                    .compile_matcher()
                    .is_match(&l.id)
            }
        };
        let mut cands: Vec<&Location> = w
            .locations
            .iter()
            .zip(&w.today)
            .filter(|(l, today)| {
                r.locations.iter().any(|p| matches(p, l))
                    && l.serves(&req.channel)
                    && l.daily_capacity.is_none_or(|c| **today < c)
                    && r.max_distance_km.is_none_or(|m| dist(l) <= m + 1e-9)
            })
            .map(|(l, _)| l)
            .collect();
        if total == 0 {
            return (
                DecisionStatus::Allocated,
                Some(r.name.clone()),
                vec![],
                None,
            );
        }
        let rank = |cands: &mut Vec<&Location>, stock_of: &dyn Fn(&Location) -> u64| {
            cands.sort_by(|a, b| {
                for k in &keys {
                    let o = match *k {
                        "closest" => dist(a).partial_cmp(&dist(b)).unwrap(),
                        "priority" => (a.priority.is_none(), a.priority)
                            .cmp(&(b.priority.is_none(), b.priority)),
                        "most_stock" => stock_of(b).cmp(&stock_of(a)),
                        _ => std::cmp::Ordering::Equal,
                    };
                    if o.is_ne() {
                        return o;
                    }
                }
                a.id.cmp(&b.id)
            })
        };
        let order_stock = |l: &Location| demand.iter().map(|(s, _)| avail(s, &l.id)).sum();
        rank(&mut cands, &order_stock);
        if fewest || split == "never" {
            if let Some(l) = cands
                .iter()
                .find(|l| demand.iter().all(|(s, q)| avail(s, &l.id) >= *q))
            {
                let allocs = lines
                    .iter()
                    .map(|x| (x.line, x.sku.clone(), l.id.clone(), x.qty))
                    .collect();
                return (
                    DecisionStatus::Allocated,
                    Some(r.name.clone()),
                    allocs,
                    None,
                );
            }
            if split == "never" {
                continue 'rules;
            }
        }
        let mut left: HashMap<(String, String), u64> = HashMap::new();
        for l in &cands {
            for (s, _) in &demand {
                left.insert((s.clone(), l.id.clone()), avail(s, &l.id));
            }
        }
        let mut need: Vec<u32> = lines.iter().map(|l| l.qty).collect();
        let mut allocs = Vec::new();
        if fewest {
            loop {
                let supply = |l: &Location, left: &HashMap<(String, String), u64>, need: &[u32]| {
                    demand
                        .iter()
                        .map(|(s, _)| {
                            let missing: u64 = lines
                                .iter()
                                .zip(need)
                                .filter(|(x, _)| x.sku == *s)
                                .map(|(_, n)| u64::from(*n))
                                .sum();
                            left[&(s.clone(), l.id.clone())].min(missing)
                        })
                        .sum::<u64>()
                };
                let mut best: Option<(&Location, u64)> = None;
                for l in &cands {
                    let s = supply(l, &left, &need);
                    if s > 0 && best.is_none_or(|b| s > b.1) {
                        best = Some((l, s));
                    }
                }
                let Some((l, _)) = best else { break };
                for (i, x) in lines.iter().enumerate() {
                    let have = left.get_mut(&(x.sku.clone(), l.id.clone())).unwrap();
                    let take = (*have).min(u64::from(need[i])) as u32;
                    if take > 0 {
                        *have -= u64::from(take);
                        need[i] -= take;
                        allocs.push((x.line, x.sku.clone(), l.id.clone(), take));
                    }
                }
            }
        } else {
            for (i, x) in lines.iter().enumerate() {
                let mut order = cands.clone();
                let snapshot = left.clone();
                rank(&mut order, &|l: &Location| {
                    snapshot[&(x.sku.clone(), l.id.clone())]
                });
                for l in order {
                    let have = left.get_mut(&(x.sku.clone(), l.id.clone())).unwrap();
                    let take = (*have).min(u64::from(need[i])) as u32;
                    if take > 0 {
                        *have -= u64::from(take);
                        need[i] -= take;
                        allocs.push((x.line, x.sku.clone(), l.id.clone(), take));
                    }
                }
            }
        }
        let missing: u32 = need.iter().sum();
        if missing == 0 {
            return (
                DecisionStatus::Allocated,
                Some(r.name.clone()),
                allocs,
                None,
            );
        }
        if split == "partial" && !allocs.is_empty() {
            return (
                DecisionStatus::PartiallyAllocated,
                Some(r.name.clone()),
                allocs,
                None,
            );
        }
    }
    match w.on_unroutable {
        OnUnroutable::Backorder => (DecisionStatus::Backordered, None, vec![], None),
        OnUnroutable::Hold => (
            DecisionStatus::Held,
            None,
            vec![],
            Some("unroutable".into()),
        ),
    }
}

fn sorted(mut v: Vec<(u32, String, String, u32)>) -> Vec<(u32, String, String, u32)> {
    v.sort();
    v
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn decisions_respect_stock_lines_and_status(w in world()) {
        let rules = RuleSet::new(w.rules.clone(), w.on_unroutable).unwrap();
        let table = w.table();
        let sites = w.sites();
        let d = route(&w.req, &sites, &table, &rules);

        // No zero-unit allocation; every allocation names a real line and its SKU.
        for a in &d.allocations {
            prop_assert!(a.qty > 0, "{a:?}");
            let line = w.req.lines.iter().find(|l| l.line == a.line);
            prop_assert!(line.is_some_and(|l| l.sku == a.sku), "{a:?}");
        }
        // Never more than available at a location, summed per SKU across lines.
        let mut used: HashMap<(&str, &str), u64> = HashMap::new();
        for a in &d.allocations {
            *used.entry((a.sku.as_str(), a.location.as_str())).or_default() += u64::from(a.qty);
        }
        for ((sku, loc), qty) in &used {
            let available = table.level(sku, loc).available().max(0) as u64;
            prop_assert!(*qty <= available, "{sku}@{loc}: {qty} > {available}");
            // And only from a location that may serve the order.
            let (l, today) = w.locations.iter().zip(&w.today).find(|(l, _)| l.id == *loc).unwrap();
            prop_assert!(l.serves(&w.req.channel));
            prop_assert!(l.daily_capacity.is_none_or(|c| *today < c));
        }
        // Never more than a line's quantity.
        let mut full = 0;
        let mut counted = 0;
        for l in w.req.lines.iter().filter(|l| l.qty > 0) {
            counted += 1;
            let got: u32 = d.allocations.iter().filter(|a| a.line == l.line).map(|a| a.qty).sum();
            prop_assert!(got <= l.qty, "line {}: {got} > {}", l.line, l.qty);
            if got == l.qty {
                full += 1;
            }
        }
        // Status agrees with what was placed.
        match d.status {
            DecisionStatus::Allocated => prop_assert_eq!(full, counted),
            DecisionStatus::PartiallyAllocated => {
                prop_assert!(!d.allocations.is_empty());
                prop_assert!(full < counted);
            }
            DecisionStatus::Backordered | DecisionStatus::Held => {
                prop_assert!(d.allocations.is_empty())
            }
        }
        prop_assert_eq!(d.reason.is_some(), d.status == DecisionStatus::Held);
        prop_assert_eq!(d.rule.is_none(), d.explain.unroutable.is_some());
        // The explanation has one entry per rule tried, and only the last can have applied.
        let tried = d.explain.rules.len();
        prop_assert!(tried <= w.rules.len());
        for (i, t) in d.explain.rules.iter().enumerate() {
            prop_assert_eq!(t.outcome.applied(), i + 1 == tried && d.rule.is_some());
        }
        prop_assert!(!d.explain.summary().is_empty());

        // What the store keeps (postcard, positional) comes back the same.
        let back: Decision = postcard::from_bytes(&postcard::to_allocvec(&d).unwrap()).unwrap();
        prop_assert_eq!(&back, &d);

        // The plain re-reading of the spec agrees.
        let (status, rule, allocs, reason) = reference(&w);
        prop_assert_eq!(d.status, status);
        prop_assert_eq!(&d.rule, &rule);
        prop_assert_eq!(&d.reason, &reason);
        let mine = sorted(d.allocations.iter().map(|a| (a.line, a.sku.clone(), a.location.clone(), a.qty)).collect());
        prop_assert_eq!(mine, sorted(allocs));
    }
}
