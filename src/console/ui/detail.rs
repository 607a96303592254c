//! The detail view (Enter): lines, address, money, status, allocations, the routing
//! explanation (every rule tried, every location considered) and the event history.

use chrono::{DateTime, Utc};
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

use super::cols::{self, fit};
use super::panes::{event_time, event_what, money};
use super::{age_min as age, status_label, Theme};
use crate::client::OrderDetail;
use crate::console::app::App;
use crate::console::data::Data;
use crate::console::zone::Zone;
use crate::model::Order;

// The Routing section (issue 6, finding 4), in its own file.
#[path = "detail_routing.rs"]
mod routing;

pub fn draw(frame: &mut Frame, area: Rect, app: &App, data: &Data, now: DateTime<Utc>, t: Theme) {
    let lines = match (&data.detail, app.detail) {
        (Some(d), Some(id)) if d.order.id == id => detail_lines(d, now, app.zone, area.width, t),
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

/// The detail as lines of text for a view `width` cells wide (also used by tests), times on
/// `zone`'s clock.
pub fn detail_lines(
    d: &OrderDetail,
    now: DateTime<Utc>,
    zone: Zone,
    width: u16,
    t: Theme,
) -> Vec<Line<'static>> {
    let o = &d.order;
    let co = &o.channel_order;
    let mut out: Vec<Line<'static>> = Vec::new();
    // Who and what on the first line, when on the second: one line of both wrapped at 110
    // columns (issue 6, finding 21).
    out.push(Line::from(vec![
        Span::styled(format!(" Order {} · {} ", o.id, co.number), t.heading()),
        Span::raw(format!("· {}/{} · ", co.channel, co.external_id)),
        Span::styled(status_label(o.status).to_string(), t.status(o.status)),
    ]));
    out.push(Line::raw(format!(
        " Ordered {} {} ({}) · payment {}",
        zone.format(co.created_at, "%Y-%m-%d %H:%M"),
        zone.abbreviation(co.created_at),
        match age(now, co.created_at).as_str() {
            "<1m" => "just now".to_string(),
            a => format!("{a} ago"),
        },
        format!("{:?}", co.financial_status).to_lowercase()
    )));
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
    out.extend(line_table(o, width, t));
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
    out.extend(routing::routing_lines(d, now, zone, t));
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

/// The Lines table in `width` cells: SKU as wide as the longest (up to 20), TITLE the rest
/// (at least 8), PRICE left out when that leaves TITLE too little (80 columns with long SKUs),
/// so that no row wraps.
fn line_table(o: &Order, width: u16, t: Theme) -> Vec<Line<'static>> {
    let co = &o.channel_order;
    let sku_w = co
        .lines
        .iter()
        .map(|l| cols::width(&l.sku))
        .chain([3])
        .max()
        .unwrap_or(3)
        .min(20);
    let title_want = co
        .lines
        .iter()
        .map(|l| cols::width(l.title.as_deref().unwrap_or("-")))
        .chain([5])
        .max()
        .unwrap_or(5);
    // "   #  " then SKU, TITLE, QTY (4), PRICE (10), ALLOC (5), SHIPPED (7), one space each.
    let fixed = 3 + 3 + 2 + 1 + 4 + 1 + 5 + 1 + 7 + 1;
    let room = usize::from(width).saturating_sub(fixed + sku_w);
    let price = room >= 8 + 11 || room >= title_want.min(22) + 11;
    let title_w = if price { room - 11 } else { room }.clamp(5, title_want.max(5));
    let row = |n: String, sku: String, title: String, rest: [String; 4]| {
        let [qty, unit, alloc, shipped] = rest;
        let mut s = format!(
            "   {n:>3}  {} {} {qty:>4}",
            pad(&sku, sku_w),
            pad(&title, title_w)
        );
        if price {
            s.push_str(&format!(" {unit:>10}"));
        }
        s.push_str(&format!(" {alloc:>5} {shipped:>7}"));
        s
    };
    let mut out = vec![Line::styled(
        row(
            "#".into(),
            "SKU".into(),
            "TITLE".into(),
            ["QTY", "PRICE", "ALLOC", "SHIPPED"].map(String::from),
        ),
        t.heading(),
    )];
    for l in &co.lines {
        out.push(Line::raw(row(
            l.line.to_string(),
            fit(&l.sku, sku_w),
            fit(l.title.as_deref().unwrap_or("-"), title_w),
            [
                l.quantity.to_string(),
                format!("{:.2}", l.unit_price),
                o.allocated_for_line(l.line).to_string(),
                o.shipped_for_line(l.line).to_string(),
            ],
        )));
    }
    out
}

/// `s` (already fitted) padded with spaces to `w` cells (format's padding counts chars, not
/// cells).
fn pad(s: &str, w: usize) -> String {
    let mut out = s.to_string();
    out.push_str(&" ".repeat(w.saturating_sub(cols::width(s))));
    out
}
