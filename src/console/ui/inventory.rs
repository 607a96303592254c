//! The Inventory pane: stock per SKU x location, and beside it each channel's available-to-sell
//! in as many channel columns as the width holds.

use ratatui::layout::{Alignment, Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Row};
use ratatui::Frame;

use super::panes::{empty, on_screen, right, table};
use super::Theme;
use crate::client::StockRow;
use crate::console::app::{App, Pane};
use crate::console::data::Data;

/// The Inventory pane's stock columns: (title, width). `Full` is the layout without channels
/// (and with channels when every channel column fits beside it); `Compact` narrows the columns
/// to what the window's SKUs and locations need, to make room for channel columns.
const STOCK_FULL: [(&str, u16); 6] = [
    ("SKU", 24),
    ("LOCATION", 14),
    (" ON HAND", 8),
    ("RESERVED", 8),
    ("  SAFETY", 8),
    ("   AVAILABLE", 12),
];

/// Channel columns are this wide at most ("ATS " and the channel id, cut with "…").
const ATS_MAX: u16 = 14;

/// The stock columns and how many channel columns fit in `width`: the full layout when every
/// channel column fits beside it, else the compact one (SKU and LOCATION as wide as the widest
/// on screen, shorter titles) with as many channel columns as fit, in order, leaving room for
/// the "+N" of those left out. `sku_w` and `loc_w` are the widest SKU and location on screen;
/// `channels` the channel columns' widths. Counts the selection marker and the gaps.
pub fn inventory_layout(
    width: u16,
    sku_w: u16,
    loc_w: u16,
    channels: &[u16],
) -> (Vec<(String, u16)>, usize) {
    let full: Vec<(String, u16)> = STOCK_FULL
        .iter()
        .map(|(t, w)| (t.to_string(), *w))
        .collect();
    let fits = |stock: &[(String, u16)], shown: usize| {
        let hidden = channels.len() - shown;
        let plus = if hidden > 0 {
            format!("+{hidden}").len()
        } else {
            0
        };
        let need = 1
            + stock
                .iter()
                .map(|(_, w)| usize::from(*w) + 1)
                .sum::<usize>()
            + channels[..shown]
                .iter()
                .map(|w| usize::from(*w) + 1)
                .sum::<usize>()
            + plus;
        need <= usize::from(width)
    };
    if fits(&full, channels.len()) {
        return (full, channels.len());
    }
    let compact: Vec<(String, u16)> = [
        ("SKU", sku_w.clamp(8, 24)),
        ("LOCATION", loc_w.clamp(8, 14)),
        ("ON HAND", 7),
        ("RESERVED", 8),
        ("SAFETY", 6),
        ("  AVAILABLE", 11),
    ]
    .iter()
    .map(|(t, w)| (t.to_string(), *w))
    .collect();
    let shown = (0..=channels.len())
        .rev()
        .find(|k| fits(&compact, *k))
        .unwrap_or(0);
    (compact, shown)
}

/// A channel column's title, right-aligned in its width: "ATS shop-us", cut with "…" when
/// the id is long.
pub fn ats_title(channel: &str) -> (String, u16) {
    let full = format!("ATS {channel}");
    let w = Span::raw(full.as_str()).width();
    let max = usize::from(ATS_MAX);
    if w <= max {
        let col = w.max(7);
        return (format!("{}{full}", " ".repeat(col - w)), col as u16);
    }
    let mut cut = String::new();
    let mut used = 0;
    let mut buf = [0u8; 4];
    for c in full.chars() {
        let cw = Span::raw(&*c.encode_utf8(&mut buf)).width();
        if used + cw > max - 1 {
            break;
        }
        cut.push(c);
        used += cw;
    }
    cut.push('…');
    (cut, ATS_MAX)
}

pub(super) fn draw(frame: &mut Frame, area: Rect, app: &App, data: &Data, t: Theme) {
    if data.stock.is_empty() {
        let text = if data.stock_filter.is_empty() {
            "no stock records yet"
        } else {
            "no stock records match the filter (Esc clears it)"
        };
        empty(frame, area, " SKU  LOCATION  ON HAND", text, t);
        return;
    }
    // One column per enabled channel (the channels whose figures the client reads).
    let channels: Vec<&str> = data
        .channels
        .iter()
        .filter(|h| h.enabled)
        .map(|h| h.id.as_str())
        .collect();
    let ats_titles: Vec<(String, u16)> = channels.iter().map(|c| ats_title(c)).collect();
    let widest = |f: &dyn Fn(&StockRow) -> &str| {
        data.stock
            .iter()
            .map(|r| Span::raw(f(r)).width())
            .max()
            .unwrap_or(0)
            .min(usize::from(u16::MAX)) as u16
    };
    let (stock_cols, shown) = if channels.is_empty() {
        (Vec::new(), 0)
    } else {
        inventory_layout(
            area.width,
            widest(&|r| r.key.sku.as_str()),
            widest(&|r| r.key.location.as_str()),
            &ats_titles.iter().map(|(_, w)| *w).collect::<Vec<_>>(),
        )
    };
    let rows: Vec<Row> = data
        .stock
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let l = s.level;
            let avail = if l.is_oversold() {
                Cell::from(
                    Line::from(Span::styled(
                        format!("{} OVERSOLD", l.available()),
                        t.error(),
                    ))
                    .alignment(Alignment::Right),
                )
            } else {
                right(l.available().to_string())
            };
            let mut cells = vec![
                Cell::from(s.key.sku.clone()),
                Cell::from(s.key.location.clone()),
                right(l.on_hand.to_string()),
                right(l.reserved.to_string()),
                right(l.safety_stock.to_string()),
                avail,
            ];
            // A figure is the SKU's over every location serving the channel: it shows once,
            // on the SKU's first row on screen, not beside each location.
            let first = i == 0 || data.stock[i - 1].key.sku != s.key.sku;
            for ch in &channels[..shown] {
                cells.push(if !first {
                    Cell::from("")
                } else {
                    match data.ats.get(&(s.key.sku.clone(), ch.to_string())) {
                        Some(v) if *v <= 0 => Cell::from(
                            Line::from(Span::styled(v.to_string(), t.warning()))
                                .alignment(Alignment::Right),
                        ),
                        Some(v) => right(v.to_string()),
                        None => right("-"),
                    }
                });
            }
            Row::new(cells)
        })
        .collect();
    let sel = on_screen(app, Pane::Inventory, data.top, rows.len());
    if channels.is_empty() {
        let mut widths: Vec<Constraint> = STOCK_FULL
            .iter()
            .map(|(_, w)| Constraint::Length(*w))
            .collect();
        widths.push(Constraint::Fill(1));
        let header: Vec<&str> = STOCK_FULL.iter().map(|(h, _)| *h).collect();
        table(frame, area, &header, widths, rows, sel, t);
        return;
    }
    let hidden = channels.len() - shown;
    let plus = if hidden > 0 {
        format!("+{hidden}")
    } else {
        String::new()
    };
    let mut header: Vec<&str> = stock_cols.iter().map(|(h, _)| h.as_str()).collect();
    header.extend(ats_titles[..shown].iter().map(|(h, _)| h.as_str()));
    header.push(plus.as_str());
    let mut widths: Vec<Constraint> = stock_cols
        .iter()
        .chain(&ats_titles[..shown])
        .map(|(_, w)| Constraint::Length(*w))
        .collect();
    widths.push(Constraint::Fill(1));
    table(frame, area, &header, widths, rows, sel, t);
}
