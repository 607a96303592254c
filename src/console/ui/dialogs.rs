//! The dialogs drawn over the body: the help, the confirmation, the re-route picker, and the
//! ship and stock inputs.

use ratatui::layout::{Alignment, Constraint, Layout, Rect};
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};
use ratatui::Frame;

use super::{footer, Theme};
use crate::console::app::{help_lines, AdjustForm, App, Confirm, Picker, ShipForm};

/// A rectangle of at most `w` x `h`, centred in `area`.
fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

/// The help's lines: every command with its keys, then the notes (filter terms, dialogs).
fn help_text(app: &App, theme: Theme) -> (Vec<Line<'static>>, usize) {
    let entries = help_lines(&app.keymap);
    let mut lines: Vec<Line> = entries
        .iter()
        .map(|(keys, what)| {
            Line::from(vec![
                Span::styled(format!(" {keys:<10}"), theme.heading()),
                Span::raw(*what),
            ])
        })
        .collect();
    lines.push(Line::raw(""));
    // Terms that find something in any store (statuses and ages exist everywhere; channel and
    // location ids differ from store to store, so they are named, not invented).
    lines.push(Line::raw(
        " filter: status:held  age:>2h (also <30m, >1d)  channel:ID  loc:ID  sku:TEE-*",
    ));
    lines.push(Line::raw(
        " other words match number, external id, customer, email and SKUs.",
    ));
    lines.push(Line::raw(
        " / in Inventory: SKU words (TEE) or globs (TEE-*)  loc:ID  avail:<5  avail:0",
    ));
    lines.push(Line::raw(format!(" {}", footer::dialog_help(app))));
    (lines, entries.len())
}

/// The help's title: how to move and how to leave.
const HELP_TITLE: &str = " Keys · j/k PgDn/PgUp g/G scroll · any other key closes ";

/// Whether the help is drawn in two columns in `area` (too tall for one, room for two).
fn help_two_columns(lines: usize, area: Rect) -> bool {
    lines as u16 + 2 > area.height && area.width >= 100
}

/// The lines the help holds past its window in `area`: how far it scrolls.
pub fn help_max_scroll(app: &App, area: Rect) -> u16 {
    let theme = Theme {
        no_color: true,
        palette: Default::default(),
        inactive: false,
    };
    let (lines, entries) = help_text(app, theme);
    let total = if help_two_columns(lines.len(), area) {
        entries.div_ceil(2) + lines.len() - entries
    } else {
        lines.len()
    };
    let visible = usize::from(area.height.saturating_sub(2));
    total.saturating_sub(visible) as u16
}

pub(super) fn draw_help(frame: &mut Frame, area: Rect, app: &App, theme: Theme) {
    let (mut lines, entries) = help_text(app, theme);
    let scroll = app.help_scroll.min(help_max_scroll(app, area));
    let block = Block::default().borders(Borders::ALL).title(HELP_TITLE);
    if !help_two_columns(lines.len(), area) {
        // One column, scrolled when the window is shorter than the help (80x24).
        let h = lines.len() as u16 + 2;
        let rect = centered(area, 80, h);
        frame.render_widget(Clear, rect);
        frame.render_widget(Paragraph::new(lines).block(block).scroll((scroll, 0)), rect);
        return;
    }
    // Too tall for the window: the keys in two columns, the notes below.
    let notes = lines.split_off(entries);
    let half = entries.div_ceil(2);
    let right = lines.split_off(half);
    let h = (half + notes.len()) as u16 + 2;
    let rect = centered(area, area.width.min(150), h);
    frame.render_widget(Clear, rect);
    let inner = block.inner(rect);
    frame.render_widget(block, rect);
    let [cols, notes_area] =
        Layout::vertical([Constraint::Length(half as u16), Constraint::Min(0)]).areas(inner);
    let [l, r] =
        Layout::horizontal([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(cols);
    frame.render_widget(Paragraph::new(lines).scroll((scroll, 0)), l);
    frame.render_widget(Paragraph::new(right).scroll((scroll, 0)), r);
    frame.render_widget(Paragraph::new(notes), notes_area);
}

/// A bordered popup with these lines.
fn popup(frame: &mut Frame, area: Rect, title: &str, lines: Vec<Line>, w: u16) {
    let rect = centered(area, w, lines.len() as u16 + 2);
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines).block(
            Block::default()
                .borders(Borders::ALL)
                .title(format!(" {title} ")),
        ),
        rect,
    );
}

pub(super) fn draw_picker(frame: &mut Frame, area: Rect, p: &Picker, theme: Theme) {
    let title = format!("Re-route order {}", p.id);
    let options = match &p.options {
        None => return popup(frame, area, &title, vec![Line::raw(" reading stock…")], 60),
        Some(Err(e)) => {
            let line = Line::styled(format!(" ! {e}"), theme.error());
            return popup(frame, area, &title, vec![line], 60);
        }
        Some(Ok(o)) if o.is_empty() => {
            return popup(frame, area, &title, vec![Line::raw(" no locations")], 60)
        }
        Some(Ok(o)) => o,
    };
    let w = area.width.saturating_sub(4).min(96);
    let mut lines = vec![Line::styled(
        format!(
            "  {:<16} {:<9} {:>9}  {}",
            "LOCATION", "KIND", "DISTANCE", "AVAILABLE / NEEDED"
        ),
        theme.heading(),
    )];
    // Rows that fit: the window keeps the selected one in view.
    let room = (area.height.saturating_sub(3) as usize).max(1);
    let start = p.selected.saturating_sub(room - 1).min(options.len());
    for (i, o) in options.iter().enumerate().skip(start).take(room) {
        let dist = o
            .distance_km
            .map(|d| format!("{d:.0} km"))
            .unwrap_or_else(|| "-".into());
        let stock: Vec<String> = o
            .stock
            .iter()
            .map(|(sku, need, avail)| format!("{sku} {avail}/{need}"))
            .collect();
        let mut text = format!(
            "{} {:<16} {:<9} {:>9}  {}{}",
            if i == p.selected { ">" } else { " " },
            o.location,
            o.kind,
            dist,
            if o.covers { "✓ " } else { "  " },
            stock.join(" · "),
        );
        if o.current {
            text.push_str("  (now)");
        }
        let style = if i == p.selected {
            theme.selected()
        } else if o.covers {
            Style::default()
        } else {
            theme.fg(Color::DarkGray)
        };
        lines.push(Line::styled(text, style));
    }
    popup(frame, area, &title, lines, w);
}

/// An input field: its label, its text, and a cursor mark when it has the focus.
fn field<'a>(label: &str, value: &str, focused: bool, theme: Theme) -> Line<'a> {
    let mut spans = vec![
        Span::styled(
            format!("{} {label:<10}", if focused { ">" } else { " " }),
            theme.heading(),
        ),
        Span::raw(value.to_string()),
    ];
    if focused {
        spans.push(Span::styled("_", theme.selected()));
    }
    Line::from(spans)
}

pub(super) fn draw_ship(frame: &mut Frame, area: Rect, f: &ShipForm, theme: Theme) {
    let lines = vec![
        field("tracking", &f.tracking, !f.on_carrier, theme),
        field("carrier", &f.carrier, f.on_carrier, theme),
        Line::raw(""),
        Line::raw("  Tab next field · Enter ship · Esc back"),
    ];
    popup(frame, area, &format!("Ship order {}", f.id), lines, 60);
}

pub(super) fn draw_adjust(frame: &mut Frame, area: Rect, f: &AdjustForm, theme: Theme) {
    let lines = vec![
        Line::raw(format!(
            "  {} at {}: on hand now {}",
            f.key.sku, f.key.location, f.current
        )),
        field("new count", &f.input, true, theme),
        Line::raw(""),
        Line::raw("  Enter: next (asks first) · Esc back"),
    ];
    popup(frame, area, "Adjust stock", lines, 60);
}

/// The safe button's label: what it keeps, never a word the other button also uses ("Cancel"
/// beside "Cancel order" read as the same thing, issue 6 finding 15).
pub fn safe_label(confirm_label: &str) -> &'static str {
    if confirm_label == "Cancel order" {
        "Keep order"
    } else if confirm_label.starts_with("Cancel ") {
        "Keep orders"
    } else {
        "Back"
    }
}

pub(super) fn draw_confirm(frame: &mut Frame, area: Rect, c: &Confirm, theme: Theme) {
    let rect = centered(area, 60, 7);
    frame.render_widget(Clear, rect);
    let button = |label: &str, focused: bool| {
        if focused {
            Span::styled(format!("> {label} <"), theme.selected())
        } else {
            Span::raw(format!("  {label}  "))
        }
    };
    let lines = vec![
        Line::raw(c.message.clone()),
        Line::raw(""),
        Line::from(vec![
            button(safe_label(&c.confirm_label), !c.confirm_focused),
            Span::raw("   "),
            button(&c.confirm_label, c.confirm_focused),
        ])
        .alignment(Alignment::Center),
    ];
    frame.render_widget(
        Paragraph::new(lines).wrap(Wrap { trim: true }).block(
            Block::default()
                .borders(Borders::ALL)
                .title(format!(" {} ", c.title))
                .border_style(theme.fg(Color::Red)),
        ),
        rect,
    );
}
