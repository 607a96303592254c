//! The Routing section of the detail on an order routed by a rule, then re-routed by hand.

use chrono::{TimeZone, Utc};

use super::*;
use crate::console::ui::Palette;
use crate::model::{
    Actor, Decision, DecisionStatus, Event, Explanation, Method, Order, Outcome, Pick, RuleTrace,
    SiteTrace, Verdict,
};

fn theme() -> Theme {
    Theme {
        no_color: true,
        palette: Palette::Default,
        inactive: false,
    }
}

fn order() -> Order {
    serde_json::from_value(serde_json::json!({
        "id": 434, "received_at": "2026-11-28T11:00:00Z", "status": "allocated",
        "channel_order": {"channel": "shopify", "external_id": "434",
            "number": "#434", "created_at": "2026-11-28T11:00:00Z",
            "updated_at": "2026-11-28T11:00:00Z",
            "lines": [{"sku": "DRESS-SHIRT-KHK-M", "quantity": 1, "unit_price": "40.00"}],
            "customer": {"name": "Ada Lovelace"},
            "totals": {"total": "40.00"}, "currency": "USD"}
    }))
    .expect("a valid order")
}

fn alloc(location: &str) -> Allocation {
    Allocation {
        line: 1,
        sku: "DRESS-SHIRT-KHK-M".into(),
        location: location.into(),
        qty: 1,
    }
}

fn ranked(site: u32, rank: u32, km: f64, priority: u32) -> SiteTrace {
    SiteTrace {
        site,
        verdict: Verdict::Ranked {
            rank,
            distance_km: Some(km),
            priority: Some(priority),
            most_stock: None,
        },
    }
}

/// Rule "Default" ranked wh-west first (nearest) but it had none of the shirt: wh-south won.
fn decision() -> Decision {
    Decision {
        status: DecisionStatus::Allocated,
        rule: Some("Default".into()),
        allocations: vec![alloc("wh-south")],
        reason: None,
        explain: Explanation {
            locations: vec!["wh-west".into(), "wh-south".into(), "wh-east".into()],
            rules: vec![RuleTrace {
                index: 0,
                name: "Default".into(),
                outcome: Outcome::Placed {
                    status: DecisionStatus::Allocated,
                    method: Method::SingleLocation,
                    picks: vec![Pick {
                        location: "wh-south".into(),
                        units: 1,
                    }],
                    missing_units: 0,
                },
                sites: vec![
                    ranked(0, 1, 686.0, 1),
                    ranked(1, 2, 1200.0, 2),
                    ranked(2, 3, 3900.0, 1),
                ],
            }],
            unroutable: None,
        },
    }
}

fn event(seq: u64, minute: u32, actor: Actor, kind: EventKind, why: &str) -> Event {
    Event {
        seq,
        at: Utc.with_ymd_and_hms(2026, 11, 28, 11, minute, 0).unwrap(),
        actor,
        order_id: Some(434),
        kind,
        why: why.into(),
    }
}

fn text(d: &OrderDetail) -> String {
    let now = Utc.with_ymd_and_hms(2026, 11, 28, 12, 0, 0).unwrap();
    routing_lines(d, now, Zone::UTC, theme())
        .iter()
        .map(|l| l.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

fn routed() -> OrderDetail {
    let dec = decision();
    OrderDetail {
        order: order(),
        history: vec![event(
            1,
            0,
            Actor::Rule("Default".into()),
            EventKind::Routed {
                decision: dec.clone(),
            },
            "",
        )],
        decision: Some(dec),
    }
}

#[test]
fn each_candidate_says_why_it_won_or_lost() {
    let s = text(&routed());
    assert!(
        s.starts_with(" Routing: allocated by rule \"Default\""),
        "{s}"
    );
    assert!(
        s.contains(
            "#1 wh-west (686.0 km, priority 1) — lost: cannot fill every line in full on its own"
        ),
        "{s}"
    );
    assert!(
        s.contains(
            "#2 wh-south (1200.0 km, priority 2) — won: has every line in full, 2nd in rank"
        ),
        "{s}"
    );
    assert!(
        s.contains("#3 wh-east (3900.0 km, priority 1) — lost: ranked below wh-south"),
        "{s}"
    );
    assert!(!s.contains("re-routed"), "{s}");
}

#[test]
fn a_reroute_after_the_decision_is_the_cause_shown() {
    let mut d = routed();
    d.history.push(event(
        2,
        30,
        Actor::Operator("ana".into()),
        EventKind::Deallocated {
            allocations: vec![alloc("wh-south")],
        },
        "closer to the customer",
    ));
    d.history.push(event(
        3,
        30,
        Actor::Operator("ana".into()),
        EventKind::Allocated {
            allocations: vec![alloc("wh-central")],
        },
        "closer to the customer",
    ));
    let s = text(&d);
    let lines: Vec<&str> = s.lines().collect();
    assert_eq!(
        lines[0], " Routing: re-routed to wh-central by operator:ana",
        "{s}"
    );
    assert_eq!(lines[1], "   at 11:30:00: closer to the customer", "{s}");
    assert_eq!(
        lines[2], "   superseded: routing had allocated it by rule \"Default\" to wh-south",
        "{s}"
    );
    // The old explanation is still there, under the superseded line.
    assert!(lines[3].starts_with("     rule #1 \"Default\""), "{s}");
    assert!(!s.contains(" Routing: allocated"), "{s}");

    // A later decision (stock arrived, the order routed again) is the cause again.
    let dec = decision();
    d.history.push(event(
        4,
        45,
        Actor::Rule("Default".into()),
        EventKind::Routed { decision: dec },
        "",
    ));
    let s = text(&d);
    assert!(
        s.starts_with(" Routing: allocated by rule \"Default\""),
        "{s}"
    );
    assert!(!s.contains("re-routed"), "{s}");
}
