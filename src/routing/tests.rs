//! Unit tests of the decision for what the scenario files cannot show directly: the
//! explanation's content, choices made where the spec is silent, and the entry point's
//! behaviour with unusual inputs.

use rust_decimal::Decimal;

use super::*;
use crate::model::{Location, LocationKind, StockLevel};

pub(super) fn location(
    id: &str,
    priority: Option<u32>,
    lat: Option<f64>,
    lon: Option<f64>,
) -> Location {
    Location {
        id: id.to_string(),
        name: id.to_string(),
        kind: LocationKind::Warehouse,
        priority,
        lat,
        lon,
        tags: Vec::new(),
        channels: Vec::new(),
        daily_capacity: None,
    }
}

pub(super) fn request(lines: &[(u32, &str, u32)]) -> RouteRequest {
    RouteRequest {
        order_id: "1".into(),
        channel: "web".into(),
        ship_method: "standard".into(),
        pickup_location: None,
        total: Decimal::new(5000, 2),
        country: Some("US".into()),
        postal_code: None,
        lat: Some(0.0),
        lon: Some(0.0),
        lines: lines
            .iter()
            .map(|&(line, sku, qty)| RouteLine {
                line,
                sku: sku.into(),
                qty,
            })
            .collect(),
        skip_hold_rules: false,
    }
}

fn rules(json: &str, on_unroutable: OnUnroutable) -> RuleSet {
    RuleSet::new(serde_json::from_str(json).unwrap(), on_unroutable).unwrap()
}

fn stock(rows: &[(&str, &str, i64)]) -> StockTable {
    let mut t = StockTable::new();
    for &(sku, loc, on_hand) in rows {
        t.set(
            sku,
            loc,
            StockLevel {
                on_hand,
                reserved: 0,
                safety_stock: 0,
            },
        );
    }
    t
}

fn sites(locs: &[Location]) -> Vec<Site<'_>> {
    locs.iter()
        .map(|location| Site {
            location,
            allocated_today: 0,
        })
        .collect()
}

#[test]
fn explanation_records_exclusions_ranks_and_plan() {
    let mut locs = vec![
        location("a", Some(1), Some(0.0), Some(1.0)),
        location("b", Some(2), Some(0.0), Some(2.0)),
        location("c", None, None, None),
        location("d", Some(1), Some(0.0), Some(1.0)),
        location("e", Some(1), Some(0.0), Some(50.0)),
        location("x", Some(1), Some(0.0), Some(1.0)),
    ];
    locs[3].channels = vec!["amazon".into()];
    locs[4].daily_capacity = Some(3);
    let mut s = sites(&locs);
    s[4].allocated_today = 3;
    let rs = rules(
        r#"[{"name":"Skip","when":{"channels":["pos"]},"locations":["*"]},
            {"name":"Near","locations":["[a-e]"],"max_distance_km":500,"sort":["closest","most_stock"],"split":"allowed"}]"#,
        OnUnroutable::Backorder,
    );
    let st = stock(&[("A", "a", 1), ("A", "b", 5), ("B", "b", 2)]);
    let d = route(&request(&[(1, "A", 3)]), &s, &st, &rs);
    assert_eq!(d.status, DecisionStatus::Allocated);
    assert_eq!(d.rule.as_deref(), Some("Near"));
    let e = &d.explain;
    assert_eq!(e.locations, ["a", "b", "c", "d", "e", "x"]);
    assert_eq!(e.rules.len(), 2);
    assert_eq!(
        e.rules[0].outcome,
        Outcome::Skipped {
            condition: Condition::Channels
        }
    );
    assert!(e.rules[0].sites.is_empty());
    let t = &e.rules[1];
    let v = |i: usize| &t.sites[i].verdict;
    match v(0) {
        Verdict::Ranked {
            rank: 1,
            distance_km: Some(d),
            priority: Some(1),
            most_stock: Some(1),
        } => assert!((d - 111.19).abs() < 0.01),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        v(1),
        Verdict::Ranked {
            rank: 2,
            most_stock: Some(5),
            ..
        }
    ));
    assert_eq!(
        v(2),
        &Verdict::TooFar {
            distance_km: None,
            max_distance_km: 500.0
        }
    );
    assert_eq!(v(3), &Verdict::WrongChannel);
    assert_eq!(
        v(4),
        &Verdict::AtCapacity {
            allocated_today: 3,
            daily_capacity: 3
        }
    );
    assert_eq!(v(5), &Verdict::NoPatternMatch);
    match &t.outcome {
        Outcome::Placed {
            status,
            method,
            picks,
            missing_units,
        } => {
            assert_eq!(*status, DecisionStatus::Allocated);
            assert_eq!(*method, Method::PerLine);
            assert_eq!(*missing_units, 0);
            assert_eq!(
                picks,
                &vec![
                    Pick {
                        location: "a".into(),
                        units: 1
                    },
                    Pick {
                        location: "b".into(),
                        units: 2
                    }
                ]
            );
        }
        other => panic!("{other:?}"),
    }

    let summary = e.summary();
    let text = summary.join("\n");
    assert!(
        summary[0].starts_with("rule #1 \"Skip\": does not apply"),
        "{text}"
    );
    assert!(
        text.contains(
            "rule #2 \"Near\": applies: allocated via line-by-line fill in rank order: a x1, b x2"
        ),
        "{text}"
    );
    assert!(
        text.contains("  #1 a (111.2 km, priority 1, 1 unit(s) of the order's SKUs)"),
        "{text}"
    );
    assert!(text.contains("excluded c: distance unknown"), "{text}");
    assert!(text.contains("excluded d: does not serve"), "{text}");
    assert!(
        text.contains("excluded e: at capacity (3 of 3 orders today)"),
        "{text}"
    );
    assert!(text.contains("not matched by its locations: x"), "{text}");

    // Stored with the order in postcard (positional): it must round-trip exactly.
    let bytes = postcard::to_allocvec(&d).unwrap();
    let back: Decision = postcard::from_bytes(&bytes).unwrap();
    assert_eq!(back, d);

    // And through JSON (the client API).
    let json = serde_json::to_string(&d).unwrap();
    let back: Decision = serde_json::from_str(&json).unwrap();
    // (serde_json may read a float back one ulp off: compare what is shown.)
    assert_eq!(back.allocations, d.allocations);
    assert_eq!(back.explain.summary(), d.explain.summary());
    assert_eq!(back.explain.locations, d.explain.locations);
}

#[test]
fn failures_are_explained_and_unroutable_recorded() {
    let locs = vec![
        location("a", Some(1), None, None),
        location("b", Some(2), None, None),
    ];
    let s = sites(&locs);
    let rs = rules(
        r#"[{"name":"Never","locations":["*"],"split":"never"},
            {"name":"Allowed","locations":["*"],"split":"allowed","sort":["priority"]},
            {"name":"Partial none","locations":["b"],"split":"partial"},
            {"name":"Nobody","locations":["zzz"],"split":"partial"}]"#,
        OnUnroutable::Hold,
    );
    let st = stock(&[("A", "a", 1)]);
    let d = route(&request(&[(1, "A", 2)]), &s, &st, &rs);
    assert_eq!(d.status, DecisionStatus::Held);
    assert_eq!(d.rule, None);
    assert_eq!(d.reason.as_deref(), Some("unroutable"));
    assert!(d.allocations.is_empty());
    let outcomes: Vec<&Outcome> = d.explain.rules.iter().map(|r| &r.outcome).collect();
    assert_eq!(
        outcomes,
        [
            &Outcome::NoSingleLocation,
            &Outcome::MissingUnits {
                missing_units: 1,
                placeable_units: 1
            },
            &Outcome::NothingPlaced { missing_units: 2 },
            &Outcome::NoCandidates,
        ]
    );
    assert_eq!(d.explain.unroutable, Some(OnUnroutable::Hold));
    let summary = d.explain.summary();
    assert_eq!(summary.len(), 4 + 2 + 2 + 2 + 1 + 1, "{summary:#?}");
    assert!(summary.last().unwrap().contains("held (unroutable)"));
    let entries = serde_json::to_value(d.explain.entries()).unwrap();
    assert_eq!(entries.as_array().unwrap().len(), 5);
    assert_eq!(entries[4]["on_unroutable"], "hold");
}

#[test]
fn hold_rule_without_reason_is_held_with_its_name() {
    let locs = vec![location("a", Some(1), None, None)];
    let rs = rules(
        r#"[{"name":"Review","action":"hold"}]"#,
        OnUnroutable::Backorder,
    );
    let d = route(
        &request(&[(1, "A", 1)]),
        &sites(&locs),
        &StockTable::new(),
        &rs,
    );
    assert_eq!(d.status, DecisionStatus::Held);
    assert_eq!(d.reason.as_deref(), Some("Review"));
}

#[test]
fn lines_are_taken_in_line_number_order() {
    // Given out of order; line 1 must be served first from the shared stock.
    let locs = vec![location("a", Some(1), None, None)];
    let rs = rules(
        r#"[{"name":"P","locations":["*"],"split":"partial","sort":["priority"]}]"#,
        OnUnroutable::Backorder,
    );
    let st = stock(&[("A", "a", 2)]);
    let d = route(
        &request(&[(2, "A", 2), (1, "A", 2)]),
        &sites(&locs),
        &st,
        &rs,
    );
    assert_eq!(d.status, DecisionStatus::PartiallyAllocated);
    assert_eq!(d.allocations.len(), 1);
    assert_eq!(d.allocations[0].line, 1);
    assert_eq!(d.allocations[0].qty, 2);
}

#[test]
fn nothing_to_place_is_allocated_by_the_first_routing_rule_but_holds_still_hold() {
    let locs = vec![location("a", Some(1), None, None)];
    let rs = rules(
        r#"[{"name":"Never","locations":["nowhere"],"split":"never"}]"#,
        OnUnroutable::Hold,
    );
    let d = route(
        &request(&[(1, "A", 0)]),
        &sites(&locs),
        &StockTable::new(),
        &rs,
    );
    assert_eq!(d.status, DecisionStatus::Allocated);
    assert_eq!(d.rule.as_deref(), Some("Never"));
    assert!(d.allocations.is_empty());
    let d = route(&request(&[]), &sites(&locs), &StockTable::new(), &rs);
    assert_eq!(d.status, DecisionStatus::Allocated);

    let rs = rules(
        r#"[{"name":"Hold all","action":"hold","reason":"r"},{"name":"R","locations":["*"]}]"#,
        OnUnroutable::Backorder,
    );
    let d = route(
        &request(&[(1, "A", 0)]),
        &sites(&locs),
        &StockTable::new(),
        &rs,
    );
    assert_eq!(d.status, DecisionStatus::Held);
}

#[test]
fn skus_any_ignores_zero_quantity_lines_and_missing_country_fails_countries() {
    let locs = vec![location("a", Some(1), None, None)];
    let rs = rules(
        r#"[{"name":"Z","when":{"skus_any":["Z"]},"action":"hold","reason":"z"},
            {"name":"C","when":{"countries":["US"]},"action":"hold","reason":"us"}]"#,
        OnUnroutable::Backorder,
    );
    let mut req = request(&[(1, "A", 1), (2, "Z", 0)]);
    req.country = None;
    let d = route(&req, &sites(&locs), &StockTable::new(), &rs);
    assert_eq!(d.status, DecisionStatus::Backordered);
    assert_eq!(d.reason, None);
    let conds: Vec<&Outcome> = d.explain.rules.iter().map(|r| &r.outcome).collect();
    assert_eq!(
        conds,
        [
            &Outcome::Skipped {
                condition: Condition::SkusAny
            },
            &Outcome::Skipped {
                condition: Condition::Countries
            }
        ]
    );
}

#[test]
fn negative_and_drifted_stock_counts_as_zero() {
    let locs = vec![location("a", Some(1), None, None)];
    let rs = rules(
        r#"[{"name":"P","locations":["*"],"split":"partial"}]"#,
        OnUnroutable::Backorder,
    );
    let mut st = StockTable::new();
    st.set(
        "A",
        "a",
        StockLevel {
            on_hand: 2,
            reserved: 5,
            safety_stock: 0,
        },
    );
    let d = route(&request(&[(1, "A", 1)]), &sites(&locs), &st, &rs);
    assert_eq!(d.status, DecisionStatus::Backordered);
}

#[test]
fn a_closure_is_a_stock_view() {
    let locs = vec![location("a", Some(1), None, None)];
    let rs = rules(
        r#"[{"name":"R","locations":["*"]}]"#,
        OnUnroutable::Backorder,
    );
    let view = |sku: &str, loc: &str| StockLevel {
        on_hand: if sku == "A" && loc == "a" { 3 } else { 0 },
        reserved: 0,
        safety_stock: 0,
    };
    let d = route(&request(&[(1, "A", 3)]), &sites(&locs), &view, &rs);
    assert_eq!(d.status, DecisionStatus::Allocated);
    assert_eq!(d.allocations[0].qty, 3);
}
