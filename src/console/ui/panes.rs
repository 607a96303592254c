//! The six panes. Each draws only the rows the data holds (the visible window). The
//! Inventory pane, with its channel columns, is in `inventory`; Channels in `channels`.

use chrono::{DateTime, Utc};
use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::style::Color;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, HighlightSpacing, Paragraph, Row, Table, TableState};
use ratatui::Frame;

use super::cols::{self, fit, Col};
use super::{age_min as age, status_label, Theme};
use crate::console::app::{App, Pane, QUEUES};
use crate::console::data::{Data, LOCATION_COUNT_BOUND};
use crate::console::zone::Zone;
use crate::model::{Event, EventKind, Order, OrderStatus};

/// Draws `pane` (the focused one, or a split view's companion) from its read.
pub fn draw(
    frame: &mut Frame,
    area: Rect,
    pane: Pane,
    app: &App,
    data: &Data,
    now: DateTime<Utc>,
    t: Theme,
) {
    match pane {
        Pane::Orders => orders(frame, area, app, data, now, t),
        Pane::Inventory => super::inventory::draw(frame, area, app, data, t),
        Pane::Queues => queues(frame, area, app, data, now, t),
        Pane::Channels => super::channels::draw(frame, area, app, data, now, t),
        Pane::Rules => rules(frame, area, app, data, now, t),
        Pane::Events => events(frame, area, app, data, now, t),
    }
}

pub(super) fn right(s: impl Into<String>) -> Cell<'static> {
    Cell::from(Line::from(s.into()).alignment(Alignment::Right))
}

/// A table whose selected row (if on screen) carries a `>` marker and reverse video.
pub(super) fn table<'a>(
    frame: &mut Frame,
    area: Rect,
    header: &[&'a str],
    widths: Vec<Constraint>,
    rows: Vec<Row<'a>>,
    selected: Option<usize>,
    t: Theme,
) {
    table_from(frame, area, header, widths, rows, selected, 0, t)
}

/// [`table`] showing the rows from `first` on (a table longer than its area; `first` comes
/// from the layout, so that the mouse finds the rows where they are drawn).
#[allow(clippy::too_many_arguments)]
pub(super) fn table_from<'a>(
    frame: &mut Frame,
    area: Rect,
    header: &[&'a str],
    widths: Vec<Constraint>,
    rows: Vec<Row<'a>>,
    selected: Option<usize>,
    first: usize,
    t: Theme,
) {
    let header = Row::new(header.iter().map(|h| Cell::from(*h))).style(t.heading());
    let table = Table::new(rows, widths)
        .header(header)
        .column_spacing(1)
        .highlight_symbol(">")
        .highlight_spacing(HighlightSpacing::Always)
        .row_highlight_style(t.selected());
    let mut state = TableState::default()
        .with_offset(first)
        .with_selected(selected);
    frame.render_stateful_widget(table, area, &mut state);
}

/// The selected row's position among the rows drawn (read from row `first`), if it is one.
pub(super) fn on_screen(app: &App, pane: Pane, first: usize, rows: usize) -> Option<usize> {
    let l = &app.lists[pane.index()];
    l.selected.checked_sub(first).filter(|i| *i < rows)
}

pub(super) fn empty(frame: &mut Frame, area: Rect, header: &str, text: &str, t: Theme) {
    let lines = vec![
        Line::styled(header.to_string(), t.heading()),
        Line::raw(format!("  {text}")),
    ];
    frame.render_widget(Paragraph::new(lines), area);
}

fn customer(o: &Order) -> String {
    let co = &o.channel_order;
    co.customer
        .name
        .clone()
        .or_else(|| co.ship_to.as_ref().and_then(|a| a.name.clone()))
        .or_else(|| co.customer.email.clone())
        .unwrap_or_else(|| "-".into())
}

pub fn money(o: &Order) -> String {
    let co = &o.channel_order;
    format!("{:.2} {}", co.totals.total, co.currency)
}

/// Where an order is or was fulfilled from: its open reservations, and for a shipped order
/// the locations its shipments left from (shipped units leave `allocations`).
fn order_locations(o: &Order) -> String {
    let mut locs: Vec<&str> = o.locations();
    for s in &o.shipments {
        locs.extend(s.lines.iter().map(|a| a.location.as_str()));
    }
    locs.sort_unstable();
    locs.dedup();
    locs.join(",")
}

fn orders(frame: &mut Frame, area: Rect, app: &App, data: &Data, now: DateTime<Utc>, t: Theme) {
    let wide = area.width >= 100;
    if data.orders.is_empty() {
        let text = if app.filter.is_empty() {
            "no orders yet"
        } else {
            "no orders match the filter (Esc clears it)"
        };
        empty(frame, area, " ID      NUMBER     CHANNEL  STATUS", text, t);
        return;
    }
    let os = &data.orders;
    let numbers: Vec<&str> = os.iter().map(|o| o.channel_order.number.as_str()).collect();
    let channels: Vec<&str> = os
        .iter()
        .map(|o| o.channel_order.channel.as_str())
        .collect();
    let locations: Vec<String> = os.iter().map(order_locations).collect();
    // NUMBER and CHANNEL as wide as what they hold (an Amazon number is 19 cells, a POS one
    // 11), CUSTOMER the rest; when short of room, LOCATIONS, CHANNEL and then NUMBER give
    // back before CUSTOMER goes under 12.
    let mut header = vec![" ", "     ID", "NUMBER", "CHANNEL", "STATUS", "CUSTOMER"];
    let mut cols = vec![
        Col::fixed(1),
        Col::fixed(7),
        Col::content("NUMBER", numbers.iter().copied(), 8),
        Col::content("CHANNEL", channels.iter().copied(), 7),
        Col::fixed(9),
        Col::fill(12),
    ];
    if wide {
        header.push("UNITS");
        cols.push(Col::fixed(5));
    }
    header.push("       TOTAL");
    cols.push(Col::fixed(12));
    if wide {
        header.push("LOCATIONS");
        cols.push(Col::content(
            "LOCATIONS",
            locations.iter().map(String::as_str),
            9,
        ));
    }
    header.push("  AGE");
    cols.push(Col::fixed(5));
    let give: Vec<usize> = if wide { vec![8, 3, 2] } else { vec![3, 2] };
    let w = cols::widths(area.width, &cols, &give);
    let rows: Vec<Row> = os
        .iter()
        .zip(&locations)
        .map(|(o, locs)| {
            let co = &o.channel_order;
            // The mark column: `*` for a marked order (Space), readable without colour.
            let mark = if app.marks.contains(&o.id) { "*" } else { " " };
            let mut cells = vec![
                Cell::from(Span::styled(mark, t.heading())),
                right(o.id.to_string()),
                Cell::from(fit(&co.number, w[2])),
                Cell::from(fit(&co.channel, w[3])),
                Cell::from(Span::styled(status_label(o.status), t.status(o.status))),
                Cell::from(fit(&customer(o), w[5])),
            ];
            if wide {
                cells.push(right(co.units().to_string()));
            }
            cells.push(right(money(o)));
            if wide {
                cells.push(Cell::from(fit(locs, w[8])));
            }
            cells.push(right(age(now, co.created_at)));
            Row::new(cells)
        })
        .collect();
    let widths = w.iter().map(|x| Constraint::Length(*x as u16)).collect();
    let sel = on_screen(app, Pane::Orders, data.top, rows.len());
    table(frame, area, &header, widths, rows, sel, t);
}

fn queues(frame: &mut Frame, area: Rect, app: &App, data: &Data, now: DateTime<Utc>, t: Theme) {
    let (queue_area, loc_area, right_area) =
        super::layout::queues_areas(area, data.locations.len());
    let count = |s| data.counters.by_status.get(&s).copied().unwrap_or(0);
    let mut rows: Vec<Row> = QUEUES
        .iter()
        .map(|s| {
            Row::new(vec![
                Cell::from(Span::styled(status_label(*s), t.status(*s))),
                right(count(*s).to_string()),
            ])
        })
        .collect();
    rows.push(Row::new(vec![
        Cell::from("quarantine"),
        right(data.counters.quarantined.to_string()),
    ]));
    // One selection over the queues, then the location rows.
    let selected = app.lists[Pane::Queues.index()].selected;
    let sel = (selected < QUEUES.len()).then_some(selected);
    table(
        frame,
        queue_area,
        &["QUEUE", "  ORDERS"],
        vec![
            Constraint::Length(12),
            Constraint::Length(8),
            Constraint::Fill(1),
        ],
        rows,
        sel,
        t,
    );
    if loc_area.height > 1 && loc_area.width > 0 {
        locations(frame, loc_area, data, selected.checked_sub(QUEUES.len()), t);
    }
    let location = selected
        .checked_sub(QUEUES.len())
        .and_then(|i| data.locations.get(i));
    let queue = QUEUES
        .get(app.lists[Pane::Queues.index()].selected)
        .copied();
    let title = match (queue, location) {
        (Some(q), _) => format!(
            "{} orders, newest first (Enter lists them all)",
            status_label(q)
        ),
        (None, Some(l)) => format!(
            "orders holding stock at {}, newest first (Enter lists them all)",
            l.id
        ),
        (None, None) => String::new(),
    };
    let [title_area, list_area] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(right_area);
    frame.render_widget(
        Paragraph::new(Line::styled(format!(" {title}"), t.fg(Color::DarkGray))),
        title_area,
    );
    if data.queue_orders.is_empty() {
        frame.render_widget(Paragraph::new("  none"), list_area);
        return;
    }
    let qs = &data.queue_orders;
    let numbers: Vec<&str> = qs.iter().map(|o| o.channel_order.number.as_str()).collect();
    let wheres: Vec<String> = qs
        .iter()
        .map(|o| o.hold_reason.clone().unwrap_or_else(|| order_locations(o)))
        .collect();
    let cols = [
        Col::fixed(7),
        Col::content("NUMBER", numbers.iter().copied(), 8),
        Col::fill(10),
        Col::content("WHERE / WHY", wheres.iter().map(String::as_str), 12),
        Col::fixed(5),
    ];
    let w = cols::widths(list_area.width, &cols, &[3, 1]);
    let rows: Vec<Row> = qs
        .iter()
        .zip(&wheres)
        .map(|(o, why)| {
            Row::new(vec![
                right(o.id.to_string()),
                Cell::from(fit(&o.channel_order.number, w[1])),
                Cell::from(fit(&customer(o), w[2])),
                Cell::from(fit(why, w[3])),
                right(age(now, o.channel_order.created_at)),
            ])
        })
        .collect();
    table(
        frame,
        list_area,
        &["     ID", "NUMBER", "CUSTOMER", "WHERE / WHY", "  AGE"],
        w.iter().map(|x| Constraint::Length(*x as u16)).collect(),
        rows,
        None,
        t,
    );
}

/// The statuses of an order that holds stock (stands in a location's queue), as the
/// location rows break their count down: a shipped or cancelled order holds none, a new or
/// backordered one none yet.
const AT_LOCATION: [OrderStatus; 4] = [
    OrderStatus::Allocated,
    OrderStatus::PartiallyAllocated,
    OrderStatus::Held,
    OrderStatus::PartiallyShipped,
];

/// A location queue's figure: `10k+` past the bound the count stopped at, `-` for none.
fn location_figure(n: u64, bound: usize) -> String {
    if n > bound as u64 {
        if bound >= 1000 && bound.is_multiple_of(1000) {
            format!("{}k+", bound / 1000)
        } else {
            format!("{bound}+")
        }
    } else if n == 0 {
        "-".into()
    } else {
        n.to_string()
    }
}

/// The locations with the orders in their queues: all of them (ORDERS), then per status.
fn locations(frame: &mut Frame, area: Rect, data: &Data, selected: Option<usize>, t: Theme) {
    let bound = LOCATION_COUNT_BOUND;
    let ids: Vec<&str> = data.locations.iter().map(|l| l.id.as_str()).collect();
    let loc_w = cols::Col::content("LOCATION", ids.iter().copied(), 8).want;
    // The marker, LOCATION, ORDERS and the four statuses; KIND and PRIO when there is room.
    let figures = [6usize, 9, 7, 4, 9];
    let needed = 1 + loc_w + figures.iter().map(|w| w + 1).sum::<usize>();
    let with_kind = usize::from(area.width) >= needed + 10 + 5;
    let rows: Vec<Row> = data
        .locations
        .iter()
        .map(|l| {
            let counted = data.location_counts.iter().find(|c| c.location == l.id);
            let n = |s: OrderStatus| -> u64 {
                counted
                    .and_then(|c| c.by_status.iter().find(|(st, _)| *st == s))
                    .map_or(0, |(_, n)| *n)
            };
            let mut cells = vec![Cell::from(fit(&l.id, loc_w))];
            if with_kind {
                cells.push(Cell::from(l.kind.as_str()));
                cells.push(right(l.priority.map_or("-".into(), |p| p.to_string())));
            }
            match counted {
                Some(c) => {
                    // Past the bound in any status, the whole is past it too.
                    let all: u64 = c.by_status.iter().map(|(_, n)| *n).sum();
                    let capped = c.by_status.iter().any(|(_, n)| *n > bound as u64);
                    let all = if capped { bound as u64 + 1 } else { all };
                    cells.push(right(location_figure(all, bound)));
                    cells.extend(
                        AT_LOCATION
                            .iter()
                            .map(|s| right(location_figure(n(*s), bound))),
                    );
                }
                // Not counted (past the rows read): blank, never a made-up zero.
                None => cells.extend((0..5).map(|_| Cell::from(""))),
            }
            Row::new(cells)
        })
        .collect();
    let mut header = vec!["LOCATION"];
    let mut widths = vec![Constraint::Length(loc_w as u16)];
    if with_kind {
        header.extend(["KIND", "PRIO"]);
        widths.extend([Constraint::Length(9), Constraint::Length(4)]);
    }
    header.extend(["ORDERS", "allocated", "partial", "held", "part-ship"]);
    widths.extend(figures.iter().map(|w| Constraint::Length(*w as u16)));
    widths.push(Constraint::Fill(1));
    table(frame, area, &header, widths, rows, selected, t);
}

fn rules(frame: &mut Frame, area: Rect, app: &App, data: &Data, now: DateTime<Utc>, t: Theme) {
    let Some(r) = &data.rules else {
        frame.render_widget(Paragraph::new("  loading…"), area);
        return;
    };
    let (info, err, list) = super::layout::rules_areas(area, r.last_error.is_some());
    let on_unroutable = match r.on_unroutable {
        crate::model::OnUnroutable::Backorder => "backorder",
        crate::model::OnUnroutable::Hold => "hold",
    };
    frame.render_widget(
        Paragraph::new(format!(
            " {} rule(s) · unroutable orders: {on_unroutable} · loaded {} ago · reloads {}",
            r.rules.len(),
            age(now, r.loaded_at),
            r.reloads
        )),
        info,
    );
    if let Some(e) = &r.last_error {
        frame.render_widget(
            Paragraph::new(Span::styled(format!(" last edit refused: {e}"), t.error())),
            err,
        );
    }
    // The window from the list's first row, like the other lists (the selection counts from it).
    let rows: Vec<Row> = r
        .rules
        .iter()
        .enumerate()
        .skip(data.top)
        .map(|(i, (name, hits))| {
            Row::new(vec![
                right(format!("{}", i + 1)),
                Cell::from(name.clone()),
                right(hits.to_string()),
            ])
        })
        .collect();
    let sel = on_screen(app, Pane::Rules, data.top, rows.len());
    table(
        frame,
        list,
        &["  #", "RULE", "DECISIONS"],
        vec![
            Constraint::Length(3),
            Constraint::Length(40),
            Constraint::Length(9),
            Constraint::Fill(1),
        ],
        rows,
        sel,
        t,
    );
}

/// What an event was about, in a few words.
pub fn event_what(e: &Event) -> String {
    match &e.kind {
        EventKind::OrderReceived { status } | EventKind::OrderUpdated { status } => {
            format!("{} {}", e.kind.name(), status_label(*status))
        }
        EventKind::Routed { decision } => {
            let mut per_loc: Vec<(&str, u32)> = Vec::new();
            for a in &decision.allocations {
                match per_loc.iter_mut().find(|(l, _)| *l == a.location) {
                    Some((_, q)) => *q += a.qty,
                    None => per_loc.push((&a.location, a.qty)),
                }
            }
            let locs: Vec<String> = per_loc.iter().map(|(l, q)| format!("{l} x{q}")).collect();
            format!("routed {:?} {}", decision.status, locs.join(",")).to_lowercase()
        }
        EventKind::StockSet {
            sku,
            location,
            from,
            to,
        } => format!("stock_set {sku}@{location} {from}->{to}"),
        EventKind::Shipped {
            carrier, tracking, ..
        } => format!("shipped {carrier} {tracking}"),
        k => k.name().to_string(),
    }
}

/// An event's time on the operator's clock: "14:03:07" today (in that zone), "11-27 22:10"
/// on another day.
pub fn event_time(now: DateTime<Utc>, at: DateTime<Utc>, zone: Zone) -> String {
    if zone.same_day(now, at) {
        zone.format(at, "%H:%M:%S")
    } else {
        zone.format(at, "%m-%d %H:%M")
    }
}

fn events(frame: &mut Frame, area: Rect, app: &App, data: &Data, now: DateTime<Utc>, t: Theme) {
    if data.events.is_empty() {
        empty(frame, area, " TIME      ACTOR  EVENT", "no events yet", t);
        return;
    }
    let es = &data.events;
    let times: Vec<String> = es.iter().map(|e| event_time(now, e.at, app.zone)).collect();
    let actors: Vec<String> = es.iter().map(|e| e.actor.to_string()).collect();
    let whats: Vec<String> = es.iter().map(event_what).collect();
    let ids: Vec<String> = es
        .iter()
        .map(|e| e.order_id.map(|i| i.to_string()).unwrap_or_default())
        .collect();
    // Each column as wide as what it holds (`channel:woocommerce` whole), WHY the rest; when
    // short of room EVENT, then ACTOR give back before WHY goes under 16.
    let cols = [
        Col::content("TIME", times.iter().map(String::as_str), 8),
        Col::content("ACTOR", actors.iter().map(String::as_str), 12),
        Col::content("EVENT", whats.iter().map(String::as_str), 20),
        Col::content("ORDER", ids.iter().map(String::as_str), 5),
        Col::fill(16),
    ];
    let w = cols::widths(area.width, &cols, &[2, 1]);
    let rows: Vec<Row> = es
        .iter()
        .enumerate()
        .map(|(i, e)| {
            Row::new(vec![
                Cell::from(times[i].clone()),
                Cell::from(fit(&actors[i], w[1])),
                Cell::from(fit(&whats[i], w[2])),
                right(ids[i].clone()),
                Cell::from(fit(&e.why, w[4])),
            ])
        })
        .collect();
    let sel = on_screen(app, Pane::Events, data.top, rows.len());
    table(
        frame,
        area,
        &["TIME", "ACTOR", "EVENT", "ORDER", "WHY"],
        w.iter().map(|x| Constraint::Length(*x as u16)).collect(),
        rows,
        sel,
        t,
    );
}
