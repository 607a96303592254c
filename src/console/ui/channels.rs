//! Pane 4, Channels: one row per configured channel (state, last success, lag, orders and
//! webhooks taken, errors, rate-limit headroom, outbox depth, push latency), and below the
//! table the selected channel's next poll, pushes, and last poll and push errors (wrapped,
//! whole). Also the header's channel counter.

use chrono::{DateTime, Utc};
use ratatui::layout::{Alignment, Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Wrap};
use ratatui::Frame;

use super::panes::{event_time, right, table_from};
use super::{age, Theme};
use crate::console::app::{App, Pane};
use crate::console::data::Data;
use crate::console::zone::Zone;
use crate::model::ChannelHealth;

/// The empty pane's text.
pub const NO_CHANNELS: &str = "No channels configured: add [[channels]] to the config (see \
     config.example.toml); orders also arrive by `ordo ingest`.";

/// A channel whose polls fail now: errors in a row, or a poller that says so.
pub fn failing(h: &ChannelHealth) -> bool {
    h.enabled && (h.consecutive_errors > 0 || h.state == "failing")
}

/// How the channels are doing, for the header: (ok, failing, paused, disabled).
pub fn health_counts(channels: &[ChannelHealth]) -> (usize, usize, usize, usize) {
    let (mut ok, mut bad, mut paused, mut off) = (0, 0, 0, 0);
    for h in channels {
        if !h.enabled {
            off += 1;
        } else if failing(h) {
            bad += 1;
        } else if h.paused {
            paused += 1;
        } else {
            ok += 1;
        }
    }
    (ok, bad, paused, off)
}

/// The header's channel counter: "ch 3 ok", "ch 2 ok 1 failing 1 paused". Empty without
/// channels.
/// `compact` says "fail" for "failing", for narrow windows.
pub fn health_spans(channels: &[ChannelHealth], compact: bool, t: Theme) -> Vec<Span<'static>> {
    if channels.is_empty() {
        return vec![];
    }
    let (ok, bad, paused, off) = health_counts(channels);
    let mut spans = vec![
        Span::raw("ch "),
        Span::styled(ok.to_string(), t.heading()),
        Span::raw(" ok"),
    ];
    for (n, label, style) in [
        (bad, if compact { "fail" } else { "failing" }, t.error()),
        (paused, "paused", t.warning()),
        (off, "off", Style::default()),
    ] {
        if n > 0 {
            spans.push(Span::raw(" "));
            spans.push(Span::styled(format!("{n} {label}"), style));
        }
    }
    spans
}

/// The header's outbox counter, "outbox 12": push intents waiting over every channel. Empty
/// when none wait.
pub fn outbox_spans(channels: &[ChannelHealth], t: Theme) -> Vec<Span<'static>> {
    let depth: u64 = channels.iter().map(|h| h.outbox_depth).sum();
    if depth == 0 {
        return vec![];
    }
    vec![
        Span::raw("outbox "),
        Span::styled(depth.to_string(), t.heading()),
    ]
}

/// "12s", "3m", "2h", "4d": a span of seconds, never negative.
fn span(secs: i64) -> String {
    let s = secs.max(0);
    match s {
        0..=59 => format!("{s}s"),
        60..=3599 => format!("{}m", s / 60),
        3600..=86_399 => format!("{}h", s / 3600),
        _ => format!("{}d", s / 86_400),
    }
}

/// "12s ago", "now", or "never".
fn ago(now: DateTime<Utc>, at: Option<DateTime<Utc>>) -> String {
    match at {
        None => "never".into(),
        Some(at) => match age(now, at) {
            a if a == "now" => a,
            a => format!("{a} ago"),
        },
    }
}

/// "12:03:04 (3m ago)" or "12:05:00 (in 40s)", on the operator's clock.
fn when(now: DateTime<Utc>, at: DateTime<Utc>, zone: Zone) -> String {
    let secs = (at - now).num_seconds();
    let rel = if (60..600).contains(&secs) {
        format!("in {}m{}s", secs / 60, secs % 60)
    } else if secs > 0 {
        format!("in {}", span(secs))
    } else {
        ago(now, Some(at))
    };
    format!("{} ({rel})", event_time(now, at, zone))
}

fn rate(h: &ChannelHealth) -> String {
    match (h.rate_remaining, h.rate_limit) {
        (Some(r), Some(l)) => format!("{r:.0}/{l:.0}"),
        (Some(r), None) => format!("{r:.0}"),
        _ => "-".into(),
    }
}

/// Little headroom left: under a tenth of the limit.
fn rate_low(h: &ChannelHealth) -> bool {
    matches!((h.rate_remaining, h.rate_limit), (Some(r), Some(l)) if l > 0.0 && r < l / 10.0)
}

fn state_style(h: &ChannelHealth, t: Theme) -> Style {
    if failing(h) {
        t.error()
    } else if h.paused || !h.enabled {
        t.warning()
    } else {
        Style::default()
    }
}

/// The width of a string on screen.
fn width(s: &str) -> usize {
    Span::raw(s).width()
}

/// Wraps `text` to lines at most `max` columns wide: at spaces when it can, inside a word too
/// long for a line otherwise, never inside a character (a wide one moves to the next line).
/// Control characters (newlines, tabs, escapes) become spaces.
pub fn wrap(text: &str, max: usize) -> Vec<String> {
    let max = max.max(2);
    let clean: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    let mut used = 0;
    for word in clean.split_whitespace() {
        let w = width(word);
        if used > 0 && used + 1 + w <= max {
            line.push(' ');
            line.push_str(word);
            used += 1 + w;
            continue;
        }
        if used > 0 {
            lines.push(std::mem::take(&mut line));
            used = 0;
        }
        if w <= max {
            line.push_str(word);
            used = w;
            continue;
        }
        // Longer than a line: cut between characters.
        let mut buf = [0u8; 4];
        for c in word.chars() {
            let cw = width(c.encode_utf8(&mut buf));
            if used + cw > max {
                lines.push(std::mem::take(&mut line));
                used = 0;
            }
            line.push(c);
            used += cw;
        }
    }
    if used > 0 || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// The Channels table's columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Col {
    Channel,
    Kind,
    State,
    LastOk,
    Lag,
    Orders,
    Hooks,
    Errors,
    Rate,
    Outbox,
    PushP99,
}

impl Col {
    pub fn title(self) -> &'static str {
        match self {
            Col::Channel => "CHANNEL",
            Col::Kind => "KIND",
            Col::State => "STATE",
            Col::LastOk => "LAST OK",
            Col::Lag => "LAG",
            // Orders the polls created in the store (not every order read: see ChannelHealth).
            Col::Orders => "NEW",
            Col::Hooks => "HOOKS",
            Col::Errors => "ERRORS",
            Col::Rate => "RATE",
            Col::Outbox => "OUTBOX",
            Col::PushP99 => "PUSH p99",
        }
    }

    /// Numbers are right-aligned, titles too.
    fn right(self) -> bool {
        !matches!(self, Col::Channel | Col::Kind | Col::State)
    }
}

/// The columns that fit `width` with their widths (`id_w`: the widest channel id): all of
/// them when they fit; else without KIND; else without KIND and HOOKS (the webhooks count is
/// in the detail line), with STATE taking what is left (at least 8). Counts the selection
/// marker and the gaps.
pub fn channel_columns(width: u16, id_w: u16) -> Vec<(Col, u16)> {
    let fits = |cols: &[(Col, u16)]| {
        // The selection marker, then each column and the gap after it.
        let need = 1 + cols.iter().map(|(_, w)| usize::from(*w) + 1).sum::<usize>();
        need <= usize::from(width)
    };
    let wide = vec![
        (Col::Channel, id_w),
        (Col::Kind, 11),
        (Col::State, 18),
        (Col::LastOk, 9),
        (Col::Lag, 5),
        (Col::Orders, 6),
        (Col::Hooks, 5),
        (Col::Errors, 6),
        (Col::Rate, 9),
        (Col::Outbox, 6),
        (Col::PushP99, 8),
    ];
    if fits(&wide) {
        return wide;
    }
    let no_kind = vec![
        (Col::Channel, id_w),
        (Col::State, 17),
        (Col::LastOk, 8),
        (Col::Lag, 5),
        (Col::Orders, 6),
        (Col::Hooks, 5),
        (Col::Errors, 6),
        (Col::Rate, 8),
        (Col::Outbox, 6),
        (Col::PushP99, 8),
    ];
    if fits(&no_kind) {
        return no_kind;
    }
    let mut narrow = vec![
        (Col::Channel, id_w),
        (Col::State, 0),
        (Col::LastOk, 7),
        (Col::Lag, 5),
        (Col::Orders, 6),
        (Col::Errors, 6),
        (Col::Rate, 8),
        (Col::Outbox, 6),
        (Col::PushP99, 8),
    ];
    let used = 1 + narrow
        .iter()
        .map(|(_, w)| usize::from(*w) + 1)
        .sum::<usize>();
    narrow[1].1 = usize::from(width).saturating_sub(used).clamp(8, 17) as u16;
    narrow
}

/// "38ms", "1.2s", "14s", "2m": a push latency; "-" when there is none yet.
pub fn latency(ms: Option<u64>) -> String {
    match ms {
        None => "-".into(),
        Some(ms @ 0..=999) => format!("{ms}ms"),
        Some(ms @ 1000..=9_999) => format!("{:.1}s", ms as f64 / 1000.0),
        Some(ms) => span((ms / 1000) as i64),
    }
}

/// The poller's state, said in `max` columns when it can: "retrying in 2.5 s" becomes
/// "retry 2.5 s" in a narrow STATE column.
pub fn state_label(state: &str, max: usize) -> String {
    match state.strip_prefix("retrying in ") {
        Some(rest) if width(state) > max => format!("retry {rest}"),
        _ => state.to_string(),
    }
}

fn cell(c: Col, h: &ChannelHealth, now: DateTime<Utc>, state_w: usize, t: Theme) -> Cell<'static> {
    let styled = |text: String, style: Style| {
        Cell::from(Line::from(Span::styled(text, style)).alignment(Alignment::Right))
    };
    match c {
        Col::Channel => Cell::from(h.id.clone()),
        Col::Kind => Cell::from(h.kind.map(|k| k.as_str()).unwrap_or("-")),
        Col::State => Cell::from(Span::styled(
            state_label(&h.state, state_w),
            state_style(h, t),
        )),
        Col::LastOk => right(ago(now, h.last_success)),
        Col::Lag => right(
            h.watermark
                .map_or("-".into(), |w| span((now - w).num_seconds())),
        ),
        Col::Orders => right(h.orders.to_string()),
        Col::Hooks => right(h.webhooks.to_string()),
        Col::Errors => {
            let style = if h.consecutive_errors > 0 {
                t.error()
            } else {
                Style::default()
            };
            styled(h.errors.to_string(), style)
        }
        Col::Rate => {
            let style = if rate_low(h) {
                t.warning()
            } else {
                Style::default()
            };
            styled(rate(h), style)
        }
        Col::Outbox => right(h.outbox_depth.to_string()),
        Col::PushP99 => right(latency(h.push_latency_p99_ms)),
    }
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App, data: &Data, now: DateTime<Utc>, t: Theme) {
    if data.channels.is_empty() {
        let text = vec![
            Line::raw(format!(" {NO_CHANNELS}")),
            Line::raw(""),
            Line::raw(format!(
                " Quarantine: {} payload(s) waiting (ordo quarantine list).",
                data.counters.quarantined
            )),
        ];
        frame.render_widget(Paragraph::new(text).wrap(Wrap { trim: false }), area);
        return;
    }
    let id_w = data
        .channels
        .iter()
        .map(|h| width(&h.id))
        .chain([width("CHANNEL")])
        .max()
        .unwrap_or(7)
        .min(24) as u16;
    let columns = channel_columns(area.width, id_w);
    let state_w = columns
        .iter()
        .find(|(c, _)| *c == Col::State)
        .map_or(18, |(_, w)| usize::from(*w));
    let rows: Vec<Row> = data
        .channels
        .iter()
        .map(|h| {
            Row::new(
                columns
                    .iter()
                    .map(|(c, _)| cell(*c, h, now, state_w, t))
                    .collect::<Vec<_>>(),
            )
        })
        .collect();
    let titles: Vec<String> = columns
        .iter()
        .map(|(c, w)| match c.right() {
            true => format!("{:>w$}", c.title(), w = usize::from(*w)),
            false => c.title().to_string(),
        })
        .collect();
    let header: Vec<&str> = titles.iter().map(String::as_str).collect();
    let mut widths: Vec<Constraint> = columns
        .iter()
        .map(|(_, w)| Constraint::Length(*w))
        .collect();
    widths.push(Constraint::Fill(1));
    let l = &app.lists[Pane::Channels.index()];
    let selected = l.selected.min(rows.len() - 1);
    let (list, below) = super::layout::channels_areas(area, rows.len());
    let first = super::layout::channels_first(list, rows.len(), selected);
    table_from(frame, list, &header, widths, rows, Some(selected), first, t);
    if let Some(h) = data.channels.get(selected) {
        let lines = detail_lines(h, now, app.zone, below.width, t);
        frame.render_widget(Paragraph::new(lines), below);
    }
}

/// What the pane says under the table of the selected channel, wrapped to `width`.
pub fn detail_lines(
    h: &ChannelHealth,
    now: DateTime<Utc>,
    zone: Zone,
    width: u16,
    t: Theme,
) -> Vec<Line<'static>> {
    let width = usize::from(width).saturating_sub(2).max(10);
    let mut out: Vec<Line<'static>> = Vec::new();
    let mut push = |text: String, style: Style, indent: &str| {
        let room = width.saturating_sub(indent.len());
        for l in wrap(&text, room) {
            out.push(Line::styled(format!(" {indent}{l}"), style));
        }
    };
    let kind = h.kind.map(|k| k.as_str()).unwrap_or("unknown kind");
    push(
        format!(
            "{} ({kind}): {} · since start {} pages, {} new orders, {} updated, {} webhooks",
            h.id, h.state, h.pages, h.orders, h.orders_updated, h.webhooks
        ),
        t.heading(),
        "",
    );
    let next = if !h.enabled {
        "not polled: disabled in the config".to_string()
    } else if h.paused {
        "polling paused, webhooks still taken (p resumes)".to_string()
    } else {
        match h.next_poll_at {
            Some(at) => format!("next poll {}", when(now, at, zone)),
            None => "next poll not scheduled yet".to_string(),
        }
    };
    push(next, Style::default(), "");
    // The table's LAST OK is relative; here is when, on the operator's clock ("ok" when the
    // last attempt was the last success).
    let mut info = match (h.last_attempt, h.last_success) {
        (Some(at), Some(ok)) if ok == at => format!("last attempt {}, ok", when(now, at, zone)),
        (Some(at), Some(ok)) => format!(
            "last attempt {} · last ok {}",
            when(now, at, zone),
            when(now, ok, zone)
        ),
        (Some(at), None) => format!("last attempt {}, never ok", when(now, at, zone)),
        (None, _) => "no attempt yet".to_string(),
    };
    match h.watermark {
        Some(w) => info.push_str(&format!(
            " · stored up to {} (lag {})",
            event_time(now, w, zone),
            span((now - w).num_seconds())
        )),
        None => info.push_str(" · nothing stored yet"),
    }
    push(info, Style::default(), "");
    let latency = match (h.push_latency_p50_ms, h.push_latency_p99_ms) {
        (None, None) => "latency -".to_string(),
        (p50, p99) => format!("latency p50 {} p99 {}", latency(p50), latency(p99)),
    };
    let pushes = match (h.pushes, h.push_errors) {
        (0, 0) => "no pushes yet".to_string(),
        (ok, failed) => format!("pushes {ok} confirmed, {failed} failed"),
    };
    let outbox = match h.outbox_depth {
        0 => "outbox empty".to_string(),
        n => format!("outbox {n} waiting"),
    };
    push(
        format!("{pushes} · {outbox} · {latency}"),
        Style::default(),
        "",
    );
    match (&h.last_error, h.last_error_at) {
        (Some(e), at) => {
            let at = at
                .map(|at| format!(" {}", when(now, at, zone)))
                .unwrap_or_default();
            let (head, style) = if h.consecutive_errors > 0 {
                (
                    format!("last poll error{at}, {} in a row:", h.consecutive_errors),
                    t.error(),
                )
            } else {
                (
                    format!("last poll error{at}, recovered since:"),
                    Style::default(),
                )
            };
            push(head, style, "");
            push(e.clone(), style, "  ");
        }
        (None, _) => push(
            "no poll errors since start".to_string(),
            Style::default(),
            "",
        ),
    }
    if let Some(e) = &h.last_push_error {
        push(
            format!(
                "last push error ({} failed push{} since start):",
                h.push_errors,
                if h.push_errors == 1 { "" } else { "es" }
            ),
            t.warning(),
            "",
        );
        push(e.clone(), t.warning(), "  ");
    }
    out
}
