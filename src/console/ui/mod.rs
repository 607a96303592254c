//! Drawing: pure functions of the state (`&App`), the data read (`&Data`) and the time
//! (`now`, passed in so that tests draw the same screen every time).

mod channels;
mod cols;
mod detail;
mod dialogs;
mod footer;
mod inventory;
pub mod layout;
mod panes;

use chrono::{DateTime, Utc};
use ratatui::layout::{Alignment, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Paragraph};
use ratatui::Frame;

use super::app::{App, Mode, Pane};
use super::data::Data;
use crate::model::OrderStatus;

pub use channels::{channel_columns, health_counts, latency, state_label, wrap, Col};
pub use detail::detail_lines;
pub use footer::context_keys as footer_keys;
pub use inventory::{ats_title, inventory_layout};
pub use layout::{screen_layout, screen_layout_with, ListArea, PaneArea, ScreenLayout};

/// Header (2 lines), pane tabs (1), footer (2).
const CHROME: u16 = 5;

/// Rows a list shows at this terminal height (the body less its column header).
pub fn list_rows(height: u16) -> usize {
    height.saturating_sub(CHROME + 1).max(1) as usize
}

/// The colour set of `[console] theme`: `Default` (for a dark terminal background) or `Light`
/// (dark colours readable on a light background).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Palette {
    #[default]
    Default,
    Light,
}

impl Palette {
    /// The palette a `console.theme` names ("default" or "light", as the config checks);
    /// anything else is the default.
    pub fn named(name: &str) -> Palette {
        match name {
            "light" => Palette::Light,
            _ => Palette::Default,
        }
    }

    /// The colour drawn for one of the base colours the panes ask for. The light palette uses
    /// fixed dark 256-colour entries (they do not follow the terminal's own theme), so that
    /// no text is yellow, cyan or light gray on white.
    pub fn color(self, c: Color) -> Color {
        match (self, c) {
            (Palette::Default, c) => c,
            (Palette::Light, Color::Cyan | Color::LightCyan) => Color::Indexed(30),
            (Palette::Light, Color::Green | Color::LightGreen) => Color::Indexed(28),
            (Palette::Light, Color::Yellow | Color::LightYellow) => Color::Indexed(130),
            (Palette::Light, Color::Red | Color::LightRed) => Color::Indexed(124),
            (Palette::Light, Color::Magenta | Color::LightMagenta) => Color::Indexed(90),
            (Palette::Light, Color::Blue | Color::LightBlue) => Color::Indexed(25),
            (Palette::Light, Color::DarkGray) => Color::Indexed(240),
            (Palette::Light, Color::Gray | Color::White) => Color::Indexed(236),
            (Palette::Light, c) => c,
        }
    }
}

/// Styles, with colour only as a second signal: NO_COLOR leaves markers and reverse video
/// (whatever the palette).
#[derive(Debug, Clone, Copy)]
pub struct Theme {
    pub no_color: bool,
    pub palette: Palette,
    /// A split view's companion pane: its selected row keeps its `>` marker but not the
    /// reverse video, which belongs to the pane the keys act on.
    pub inactive: bool,
}

impl Theme {
    pub fn fg(&self, c: Color) -> Style {
        if self.no_color {
            Style::default()
        } else {
            Style::default().fg(self.palette.color(c))
        }
    }

    pub fn selected(&self) -> Style {
        if self.inactive {
            return Style::default();
        }
        Style::default().add_modifier(Modifier::REVERSED)
    }

    pub fn heading(&self) -> Style {
        Style::default().add_modifier(Modifier::BOLD)
    }

    pub fn status(&self, s: OrderStatus) -> Style {
        self.fg(match s {
            OrderStatus::New => Color::Cyan,
            OrderStatus::Allocated => Color::Green,
            OrderStatus::PartiallyAllocated => Color::Yellow,
            OrderStatus::Backordered => Color::Red,
            OrderStatus::Held => Color::Magenta,
            OrderStatus::PartiallyShipped => Color::Blue,
            OrderStatus::Shipped | OrderStatus::Cancelled => Color::DarkGray,
        })
    }

    pub fn error(&self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }

    pub fn warning(&self) -> Style {
        self.fg(Color::Yellow)
    }
}

/// The short names the tables use.
pub fn status_label(s: OrderStatus) -> &'static str {
    match s {
        OrderStatus::New => "new",
        OrderStatus::Allocated => "allocated",
        OrderStatus::PartiallyAllocated => "partial",
        OrderStatus::Backordered => "backorder",
        OrderStatus::Held => "held",
        OrderStatus::PartiallyShipped => "part-ship",
        OrderStatus::Shipped => "shipped",
        OrderStatus::Cancelled => "cancelled",
    }
}

/// "<1m", "5m", "3h", "2d": how long ago, to the minute. The screen redraws once a minute
/// when nothing happens (no wake-ups in between), so a figure in seconds would stand still
/// and lie; a minute figure is true until the next redraw.
pub fn age_min(now: DateTime<Utc>, then: DateTime<Utc>) -> String {
    let s = (now - then).num_seconds();
    match s {
        i64::MIN..=59 => "<1m".into(),
        60..=3599 => format!("{}m", s / 60),
        3600..=86_399 => format!("{}h", s / 3600),
        _ => format!("{}d", s / 86_400),
    }
}

/// "now", "42s", "5m", "3h", "2d": how long ago, to the second, for what is redrawn at each
/// tick (the Channels pane's health is read every second).
pub fn age(now: DateTime<Utc>, then: DateTime<Utc>) -> String {
    let s = (now - then).num_seconds();
    match s {
        i64::MIN..=4 => "now".into(),
        5..=59 => format!("{s}s"),
        60..=3599 => format!("{}m", s / 60),
        3600..=86_399 => format!("{}h", s / 3600),
        _ => format!("{}d", s / 86_400),
    }
}

/// How far the `?` help scrolls in `app`'s window (j/k, PgDn/PgUp, g/G move within it).
pub fn help_max_scroll(app: &App) -> u16 {
    let area = Rect::new(0, 0, app.width, app.height);
    let body = screen_layout(area, app, &Data::empty(app.pane)).body;
    dialogs::help_max_scroll(app, body)
}

/// Draws the screen with one pane's read (a split view's companion shows "loading…").
pub fn draw(frame: &mut Frame, app: &App, data: &Data, now: DateTime<Utc>) {
    draw_with(frame, app, data, None, now)
}

/// Draws the screen: the focused pane from `data`, and in split view the companion pane from
/// `companion` (its own read).
pub fn draw_with(
    frame: &mut Frame,
    app: &App,
    data: &Data,
    companion: Option<&Data>,
    now: DateTime<Utc>,
) {
    let theme = Theme {
        no_color: app.no_color,
        palette: app.palette,
        inactive: false,
    };
    let at = screen_layout_with(frame.area(), app, data, companion);
    let body = at.body;
    // Either read finding the engine out of reach is enough: the header must not say "live".
    let offline = data.offline || companion.is_some_and(|c| c.offline);
    draw_header(frame, at.header, app, offline, now, theme);
    draw_counters(frame, at.counters, data, theme);
    draw_tabs(frame, at.tabs, app, data, companion);
    let loading = |frame: &mut Frame, area: Rect| {
        frame.render_widget(Paragraph::new("  loading…"), area);
    };
    for p in &at.split {
        draw_pane_frame(frame, p, theme);
        if p.focused {
            continue;
        }
        match companion.filter(|d| d.pane == p.pane && d.loaded) {
            Some(d) => {
                let t = Theme {
                    inactive: true,
                    ..theme
                };
                panes::draw(frame, p.inner, p.pane, app, d, now, t);
            }
            None => loading(frame, p.inner),
        }
    }
    if at.detail {
        detail::draw(frame, at.main, app, data, now, theme);
    } else if data.pane != app.pane || !data.loaded {
        loading(frame, at.main);
    } else {
        panes::draw(frame, at.main, app.pane, app, data, now, theme);
    }
    draw_keys(frame, at.keys, app, theme);
    let error = data
        .error
        .as_deref()
        .or_else(|| companion.and_then(|c| c.error.as_deref()));
    draw_status(frame, at.status, app, data, error, theme);
    match &app.mode {
        Mode::Help => dialogs::draw_help(frame, body, app, theme),
        Mode::Confirm(c) => dialogs::draw_confirm(frame, body, c, theme),
        Mode::Reroute => {
            if let Some(p) = &app.picker {
                dialogs::draw_picker(frame, body, p, theme)
            }
        }
        Mode::Ship(f) => dialogs::draw_ship(frame, body, f, theme),
        Mode::Adjust(f) => dialogs::draw_adjust(frame, body, f, theme),
        _ => {}
    }
}

/// The header: the store (or "connected to SOCKET"), whether what is shown is live, the
/// operator, the clock. Over `--connect` with the server gone, "reconnecting" (the client
/// tries again by itself) instead of "live": the rows are the last ones read.
fn draw_header(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    offline: bool,
    now: DateTime<Utc>,
    theme: Theme,
) {
    let state = if offline {
        Span::styled("reconnecting", theme.error())
    } else {
        Span::raw("live")
    };
    let left = Line::from(vec![
        Span::styled(" ordo ", theme.heading().add_modifier(Modifier::REVERSED)),
        Span::raw(" "),
        Span::styled(app.title.clone(), theme.heading()),
        Span::raw("  · "),
        state,
        Span::raw(" · "),
        Span::raw(format!("operator {}", app.operator)),
    ]);
    frame.render_widget(Paragraph::new(left), area);
    // The operator's zone, with its abbreviation (CST / CDT tells which side of a DST change).
    let clock = format!(
        "{} {} ",
        app.zone.format(now, "%Y-%m-%d %H:%M"),
        app.zone.abbreviation(now)
    );
    frame.render_widget(Paragraph::new(clock).alignment(Alignment::Right), area);
}

/// The counters line: order counts, then the channels' health when there are channels, and
/// the push intents waiting ("outbox 12") when there are. When it does not fit the width, the
/// labels shorten, then the separators ("ch 3 ok" fits beside the short labels at 80 columns;
/// trouble, "1 fail 1 paused", takes the separators' room), then the outbox counter goes (the
/// Channels pane shows each channel's depth).
fn draw_counters(frame: &mut Frame, area: Rect, data: &Data, theme: Theme) {
    let c = &data.counters;
    let n = |s: OrderStatus| c.by_status.get(&s).copied().unwrap_or(0);
    // (label, short label, value, is an alarm when not zero)
    let items: [(&str, &str, u64, bool); 6] = [
        ("new", "new", n(OrderStatus::New), false),
        (
            "to allocate",
            "to alloc",
            n(OrderStatus::New) + n(OrderStatus::PartiallyAllocated),
            false,
        ),
        ("held", "held", n(OrderStatus::Held), false),
        ("backordered", "backord", n(OrderStatus::Backordered), false),
        ("quarantined", "quar", c.quarantined, true),
        ("oversold", "oversold", c.oversold, true),
    ];
    let build = |short: bool, sep: &'static str, compact: bool, outbox: bool| {
        let ch = channels::health_spans(&data.channels, compact, theme);
        let ob = if outbox {
            channels::outbox_spans(&data.channels, theme)
        } else {
            vec![]
        };
        let mut spans = vec![Span::raw(" ")];
        for (i, (label, brief, value, alarm)) in items.iter().enumerate() {
            if i > 0 {
                spans.push(Span::raw(sep));
            }
            spans.push(Span::raw(format!("{} ", if short { brief } else { label })));
            let style = if *alarm && *value > 0 {
                theme.error()
            } else {
                theme.heading()
            };
            spans.push(Span::styled(value.to_string(), style));
        }
        if !ch.is_empty() {
            spans.push(Span::raw(sep));
            spans.extend(ch);
        }
        if !ob.is_empty() {
            spans.push(Span::raw(sep));
            spans.extend(ob);
        }
        Line::from(spans)
    };
    // The outbox counter is the first thing left out when room is short.
    let line = [true, false]
        .into_iter()
        .flat_map(|outbox| {
            [
                (false, " · ", false, outbox),
                (true, " · ", false, outbox),
                (true, "  ", true, outbox),
            ]
        })
        .map(|(short, sep, compact, outbox)| build(short, sep, compact, outbox))
        .find(|l| l.width() <= usize::from(area.width))
        .unwrap_or_else(|| build(true, " ", true, false));
    frame.render_widget(Paragraph::new(line), area);
}

/// A split view's pane: its border, and its title on it. The focused pane's is marked three
/// ways, so that no colour is needed: a double line, "[1 Orders]" in brackets, reverse video;
/// the companion's is a thin line and " 6 Events ".
fn draw_pane_frame(frame: &mut Frame, p: &PaneArea, theme: Theme) {
    let i = p.pane.index();
    let block = if p.focused {
        Block::bordered()
            .border_type(BorderType::Double)
            .title(Span::styled(
                layout::tab_label(i, p.pane, true),
                Style::default().add_modifier(Modifier::REVERSED | Modifier::BOLD),
            ))
    } else {
        Block::bordered()
            .border_style(theme.fg(Color::DarkGray))
            .title(Span::raw(layout::tab_label(i, p.pane, false)))
    };
    frame.render_widget(block, p.outer);
}

fn draw_tabs(frame: &mut Frame, area: Rect, app: &App, data: &Data, companion: Option<&Data>) {
    let mut spans = Vec::new();
    let shown = app.split_panes().map(|_| app.companion);
    // The labels' widths are where `layout` says the tabs are (a click on one switches).
    for (i, p) in Pane::ALL.iter().enumerate() {
        let label = layout::tab_label(i, *p, *p == app.pane);
        if *p == app.pane {
            spans.push(Span::styled(
                label,
                Style::default().add_modifier(Modifier::REVERSED | Modifier::BOLD),
            ));
        } else if Some(*p) == shown {
            // The split view's other pane: on screen too.
            spans.push(Span::styled(
                label,
                Style::default().add_modifier(Modifier::BOLD),
            ));
        } else {
            spans.push(Span::raw(label));
        }
    }
    if !app.marks.is_empty() {
        spans.push(Span::styled(
            format!("  {} marked", app.marks.len()),
            Style::default().add_modifier(Modifier::BOLD),
        ));
    }
    if !app.filter_input.is_empty() {
        let mut f = format!("  filter: {}", app.filter_input);
        // The Orders read, whichever of the two panes shows it.
        let orders = std::iter::once(data)
            .chain(companion)
            .find(|d| d.pane == Pane::Orders);
        if let Some(t) = orders.and_then(|d| d.match_count()) {
            f.push_str(&format!(" ({t})"));
        }
        spans.push(Span::raw(f));
    }
    // The Inventory's own filter (and its count, from the Inventory read of either pane).
    if !app.stock_filter_input.is_empty() {
        let mut f = format!("  stock filter: {}", app.stock_filter_input);
        let stock = std::iter::once(data)
            .chain(companion)
            .find(|d| d.pane == Pane::Inventory);
        if let Some(t) = stock.and_then(|d| d.stock_match_count()) {
            f.push_str(&format!(" ({t})"));
        }
        spans.push(Span::raw(f));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn draw_keys(frame: &mut Frame, area: Rect, app: &App, theme: Theme) {
    let line = Line::from(Span::styled(
        format!(" {}", footer::context_keys(app)),
        theme.fg(Color::DarkGray),
    ));
    frame.render_widget(Paragraph::new(line), area);
}

/// The status line: what is typed, a toast, or a read's `error` (the focused pane's first).
fn draw_status(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    data: &Data,
    error: Option<&str>,
    theme: Theme,
) {
    let (text, style) = match &app.mode {
        Mode::Filter => (format!("/{}", app.typed_filter()), Style::default()),
        Mode::Command if !app.completions.is_empty() => (
            format!(":{}    {}", app.command_input, app.completions.join("  ")),
            Style::default(),
        ),
        Mode::Command => (format!(":{}", app.command_input), Style::default()),
        _ => match (&app.toast, error) {
            (Some(t), _) if t.error => (format!(" ! {}", t.text), theme.error()),
            (Some(t), _) => (format!(" {}", t.text), theme.heading()),
            (None, Some(e)) => (format!(" ! {e}"), theme.error()),
            (None, None) => match data.scan_capped {
                Some(n) => (
                    format!(
                        " free text searched the newest {n} orders; add status:/channel: to narrow"
                    ),
                    Style::default(),
                ),
                None => (String::new(), Style::default()),
            },
        },
    };
    frame.render_widget(Paragraph::new(Span::styled(text.clone(), style)), area);
    if matches!(app.mode, Mode::Filter | Mode::Command) {
        let x = area.x + (unicode_width(&text) as u16).min(area.width.saturating_sub(1));
        frame.set_cursor_position((x, area.y));
    }
}

fn unicode_width(s: &str) -> usize {
    Span::raw(s).width()
}
