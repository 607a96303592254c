//! The detail view (Enter): lines, address, money, status, allocations, the routing
//! explanation (every rule tried, every location considered) and the event history.

use chrono::{DateTime, Utc};
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

use super::panes::{event_time, event_what, money};
use super::{age, status_label, Theme};
use crate::client::OrderDetail;
use crate::console::app::App;
use crate::console::data::Data;
use crate::console::zone::Zone;

pub fn draw(frame: &mut Frame, area: Rect, app: &App, data: &Data, now: DateTime<Utc>, t: Theme) {
    let lines = match (&data.detail, app.detail) {
        (Some(d), Some(id)) if d.order.id == id => detail_lines(d, now, app.zone, t),
        (_, Some(id)) => vec![Line::raw(format!(" order {id}: loading…"))],
        _ => vec![],
    };
    // Keep the last lines on screen when scrolled past the end.
    let max = (lines.len() as u16).saturating_sub(area.height);
    let scroll = app.detail_scroll.min(max);
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((scroll, 0)),
        area,
    );
}

fn section(title: &str, t: Theme) -> Line<'static> {
    Line::styled(format!(" {title}"), t.heading())
}

/// The detail as lines of text (also used by tests), times on `zone`'s clock.
pub fn detail_lines(
    d: &OrderDetail,
    now: DateTime<Utc>,
    zone: Zone,
    t: Theme,
) -> Vec<Line<'static>> {
    let o = &d.order;
    let co = &o.channel_order;
    let mut out: Vec<Line<'static>> = Vec::new();
    out.push(Line::from(vec![
        Span::styled(format!(" Order {} · {} ", o.id, co.number), t.heading()),
        Span::raw(format!("· {}/{} · ", co.channel, co.external_id)),
        Span::styled(status_label(o.status).to_string(), t.status(o.status)),
        Span::raw(format!(
            " · ordered {} {} ({}) · payment {}",
            zone.format(co.created_at, "%Y-%m-%d %H:%M"),
            zone.abbreviation(co.created_at),
            match age(now, co.created_at).as_str() {
                "now" => "just now".to_string(),
                a => format!("{a} ago"),
            },
            format!("{:?}", co.financial_status).to_lowercase()
        )),
    ]));
    if let Some(r) = &o.hold_reason {
        out.push(Line::styled(format!(" Held: {r}"), t.status(o.status)));
    }
    if let Some(r) = &o.cancel_reason {
        out.push(Line::raw(format!(" Cancelled: {r}")));
    }
    let who = [
        co.customer.name.clone(),
        co.customer.email.clone(),
        co.customer.phone.clone(),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" · ");
    out.push(Line::raw(format!(
        " Customer: {}",
        if who.is_empty() { "-".into() } else { who }
    )));
    let ship = match (&co.ship_to, &co.pickup_location) {
        (_, Some(p)) => format!("pickup at {p}"),
        (Some(a), None) => [
            a.name.clone(),
            Some(a.line1.clone()).filter(|s| !s.is_empty()),
            a.line2.clone(),
            Some(
                format!(
                    "{} {} {}",
                    a.city,
                    a.region.clone().unwrap_or_default(),
                    a.postal_code
                )
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" "),
            )
            .filter(|s| !s.is_empty()),
            Some(a.country.clone()),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(", "),
        (None, None) => "-".into(),
    };
    out.push(Line::raw(format!(
        " Ship to: {ship} · method {}",
        co.ship_method
    )));
    let tt = &co.totals;
    out.push(Line::raw(format!(
        " Money: subtotal {:.2} · shipping {:.2} · tax {:.2} · discount {:.2} · total {}",
        tt.subtotal,
        tt.shipping,
        tt.tax,
        tt.discount,
        money(o)
    )));
    out.push(Line::raw(""));
    out.push(section("Lines", t));
    out.push(Line::styled(
        format!(
            "   {:>3}  {:<20} {:<22} {:>4} {:>10} {:>6} {:>7}",
            "#", "SKU", "TITLE", "QTY", "PRICE", "ALLOC", "SHIPPED"
        ),
        t.heading(),
    ));
    for l in &co.lines {
        out.push(Line::raw(format!(
            "   {:>3}  {:<20} {:<22} {:>4} {:>10.2} {:>6} {:>7}",
            l.line,
            clip(&l.sku, 20),
            clip(l.title.as_deref().unwrap_or("-"), 22),
            l.quantity,
            l.unit_price,
            o.allocated_for_line(l.line),
            o.shipped_for_line(l.line)
        )));
    }
    if !o.allocations.is_empty() {
        let a: Vec<String> = o
            .allocations
            .iter()
            .map(|a| format!("line {} {} x{} at {}", a.line, a.sku, a.qty, a.location))
            .collect();
        out.push(Line::raw(format!(" Allocations: {}", a.join("; "))));
    }
    for s in &o.shipments {
        out.push(Line::raw(format!(
            " Shipped {} {} via {} {}",
            zone.format(s.at, "%Y-%m-%d %H:%M"),
            zone.abbreviation(s.at),
            s.carrier,
            s.tracking
        )));
    }
    out.push(Line::raw(""));
    match &d.decision {
        Some(dec) => {
            let status = format!("{:?}", dec.status).to_lowercase();
            let rule = match &dec.rule {
                Some(r) => format!("by rule {r:?}"),
                None => "(no rule decided)".into(),
            };
            out.push(section(&format!("Routing: {status} {rule}"), t));
            for line in dec.explain.summary() {
                out.push(Line::raw(format!("   {line}")));
            }
        }
        None => out.push(section("Routing: not routed yet", t)),
    }
    out.push(Line::raw(""));
    out.push(section("History", t));
    for e in &d.history {
        out.push(Line::from(vec![
            Span::raw(format!("   {}  ", event_time(now, e.at, zone))),
            Span::styled(format!("{:<18}", e.actor.to_string()), Style::default()),
            Span::raw(format!(" {}", event_what(e))),
            Span::raw(if e.why.is_empty() {
                String::new()
            } else {
                format!(": {}", e.why)
            }),
        ]));
    }
    out
}

/// At most `n` characters (the detail's fixed-width columns).
fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut c: String = s.chars().take(n.saturating_sub(1)).collect();
        c.push('…');
        c
    }
}
