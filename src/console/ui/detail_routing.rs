//! The detail's Routing section: the cause of the order's current allocation. That is the
//! latest routing decision, unless an operator re-routed the order after it (the ledger records
//! a re-route as Deallocated + Allocated by the operator, with no new decision): then the
//! re-route is the cause, and the decision before it is shown as superseded, so that the
//! section never names a rule and location the order no longer has (issue 6, finding 4).

use chrono::{DateTime, Utc};
use ratatui::text::Line;

use crate::client::OrderDetail;
use crate::console::ui::panes::event_time;
use crate::console::ui::Theme;
use crate::console::zone::Zone;
use crate::model::{Allocation, EventKind};

pub fn routing_lines(
    d: &OrderDetail,
    now: DateTime<Utc>,
    zone: Zone,
    t: Theme,
) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    let routed_at = d
        .history
        .iter()
        .rposition(|e| matches!(e.kind, EventKind::Routed { .. }));
    // A hand allocation after the last decision (or with none at all): a re-route.
    let reroute = d
        .history
        .iter()
        .enumerate()
        .rev()
        .find(|(i, e)| {
            matches!(e.kind, EventKind::Allocated { .. }) && routed_at.is_none_or(|r| *i > r)
        })
        .map(|(_, e)| e);
    if let Some(e) = reroute {
        let to = match &e.kind {
            EventKind::Allocated { allocations } => locations(allocations),
            _ => String::new(),
        };
        out.push(Line::styled(
            format!(" Routing: re-routed to {to} by {}", e.actor),
            t.heading(),
        ));
        out.push(Line::raw(format!(
            "   at {}{}",
            event_time(now, e.at, zone),
            if e.why.is_empty() {
                String::new()
            } else {
                format!(": {}", e.why)
            }
        )));
    }
    match &d.decision {
        Some(dec) => {
            let status = format!("{:?}", dec.status).to_lowercase();
            let rule = match &dec.rule {
                Some(r) => format!("by rule {r:?}"),
                None => "(no rule decided)".into(),
            };
            if reroute.is_some() {
                out.push(Line::raw(format!(
                    "   superseded: routing had {status} it {rule}{}",
                    match locations(&dec.allocations) {
                        l if l.is_empty() => String::new(),
                        l => format!(" to {l}"),
                    }
                )));
            } else {
                out.push(Line::styled(
                    format!(" Routing: {status} {rule}"),
                    t.heading(),
                ));
            }
            // Under a re-route the old explanation is one level further in: it is history.
            let indent = if reroute.is_some() { "     " } else { "   " };
            for line in dec.explain.summary() {
                out.push(Line::raw(format!("{indent}{line}")));
            }
        }
        None if reroute.is_none() => {
            out.push(Line::styled(" Routing: not routed yet", t.heading()));
        }
        None => {}
    }
    out
}

/// The distinct locations of `allocations`, in order of first appearance.
fn locations(allocations: &[Allocation]) -> String {
    let mut seen: Vec<&str> = Vec::new();
    for a in allocations {
        if !seen.contains(&a.location.as_str()) {
            seen.push(&a.location);
        }
    }
    seen.join(", ")
}

#[cfg(test)]
#[path = "detail_routing_tests.rs"]
mod tests;
