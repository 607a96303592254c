//! Where things are on screen, computed in one place: the drawing places the chrome, the pane
//! tabs and the selectable list with it, and the mouse's hit-testing reads the same numbers
//! (so a click lands on the row that is drawn there, not on a copy of the geometry).

use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::widgets::Block;

use crate::console::app::{App, Mode, Pane, QUEUES};
use crate::console::data::Data;

/// Two panes side by side need this many columns: two panes of 80, the width every pane's
/// narrow layout is drawn for (80x24), each inside its border.
pub const SPLIT_MIN_WIDTH: u16 = 160;

/// Rows a list shows in split view at this terminal height: the panes' borders take a line
/// above and below.
pub fn split_list_rows(height: u16) -> usize {
    super::list_rows(height).saturating_sub(2).max(1)
}

/// One pane of a split view as drawn: its border (`outer`) and what is drawn inside.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PaneArea {
    pub pane: Pane,
    pub outer: Rect,
    pub inner: Rect,
    /// The pane the keys act on.
    pub focused: bool,
}

/// The screen's parts and where the clickable things are.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScreenLayout {
    pub header: Rect,
    pub counters: Rect,
    pub tabs: Rect,
    pub body: Rect,
    pub keys: Rect,
    pub status: Rect,
    /// Each pane's tab on the tab line.
    pub tab_at: Vec<(Pane, Rect)>,
    /// The pane's selectable list, when one is drawn.
    pub list: Option<ListArea>,
    /// The body shows the order detail (the wheel scrolls it).
    pub detail: bool,
    /// Where the focused pane (or the detail) is drawn: the body, or in split view the inside
    /// of its half.
    pub main: Rect,
    /// Split view: both panes, left then right; empty with one pane on screen.
    pub split: Vec<PaneArea>,
    /// Split view: the companion pane's selectable list, when one is drawn.
    pub companion: Option<ListArea>,
}

/// A selectable list as drawn: its area (column header included) and its rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListArea {
    pub pane: Pane,
    /// The table's area, its column header on the first line.
    pub area: Rect,
    /// The list row drawn on the first line under the header.
    pub first: usize,
    /// Rows drawn (at most the area's height less the header).
    pub count: usize,
}

impl ListArea {
    /// The list row drawn at screen line `y`, if a row is drawn there.
    pub fn row_at(&self, y: u16) -> Option<usize> {
        let i = usize::from(y.checked_sub(self.area.y + 1)?);
        (i < self.count).then_some(self.first + i)
    }
}

/// Whether `(x, y)` is inside `r`.
pub fn contains(r: Rect, x: u16, y: u16) -> bool {
    x >= r.x && x < r.x.saturating_add(r.width) && y >= r.y && y < r.y.saturating_add(r.height)
}

/// A pane's tab as drawn: " 1 Orders " or, for the pane shown, "[1 Orders]" (as wide).
pub fn tab_label(i: usize, pane: Pane, current: bool) -> String {
    if current {
        format!("[{} {}]", i + 1, pane.title())
    } else {
        format!(" {} {} ", i + 1, pane.title())
    }
}

/// Header (1), counters (1), pane tabs (1), body, keys (1), status (1).
fn chrome(area: Rect) -> [Rect; 6] {
    Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area)
}

/// The Queues pane: (queue table, locations table, the selected row's orders). A band on top
/// holds the queues and, beside them, the locations with their counts (at 80 columns too); the
/// orders take the whole width below. The band is as tall as the longer table while the orders
/// keep 5 lines; more locations than that scroll with the selection.
pub fn queues_areas(body: Rect, locations: usize) -> (Rect, Rect, Rect) {
    let queues_h = QUEUES.len() as u16 + 2;
    let locations_h = u16::try_from(locations)
        .unwrap_or(u16::MAX)
        .saturating_add(1)
        .min(body.height.saturating_sub(5));
    let [band, right] = Layout::vertical([
        Constraint::Length(queues_h.max(locations_h)),
        Constraint::Min(2),
    ])
    .areas(body);
    // The queue table: the marker, QUEUE (12) and ORDERS (8) with a space between, and its
    // filler column (as it was drawn full width).
    let [queues, _, locations] = Layout::horizontal([
        Constraint::Length(24),
        Constraint::Length(1),
        Constraint::Min(0),
    ])
    .areas(band);
    (queues, locations, right)
}

/// The Channels pane: (table, the selected channel's lines below) for `rows` channels. The
/// table takes its rows, leaving at least 5 lines for the selected channel below.
pub fn channels_areas(body: Rect, rows: usize) -> (Rect, Rect) {
    let table_h = (rows as u16)
        .saturating_add(1)
        .min(body.height.saturating_sub(6).max(2));
    let [list, _, below] = Layout::vertical([
        Constraint::Length(table_h),
        Constraint::Length(1),
        Constraint::Min(0),
    ])
    .areas(body);
    (list, below)
}

/// The first channel row the Channels table shows: it scrolls itself so that the selected
/// row is on screen (as ratatui's table does from offset 0).
pub fn channels_first(table: Rect, rows: usize, selected: usize) -> usize {
    let visible = usize::from(table.height.saturating_sub(1)).max(1);
    let selected = selected.min(rows.saturating_sub(1));
    (selected + 1).saturating_sub(visible)
}

/// The Rules pane: (info line, last error line (0 high without one), the table).
pub fn rules_areas(body: Rect, error: bool) -> (Rect, Rect, Rect) {
    let [info, err, list] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(u16::from(error)),
        Constraint::Min(1),
    ])
    .areas(body);
    (info, err, list)
}

/// Whether the body shows the order detail: in the detail view, and under the command line or
/// a dialog opened from it.
pub fn shows_detail(app: &App) -> bool {
    matches!(app.mode, Mode::Detail)
        || (matches!(
            app.mode,
            Mode::Command | Mode::Confirm(_) | Mode::Reroute | Mode::Ship(_)
        ) && app.opened_from_detail())
}

/// The layout of a screen of `area` showing `app` and `data` with one pane (a split view's
/// companion shows "loading…": no data for it).
pub fn screen_layout(area: Rect, app: &App, data: &Data) -> ScreenLayout {
    screen_layout_with(area, app, data, None)
}

/// The layout of a screen of `area` showing `app`: the focused pane's `data`, and in split
/// view the `companion` pane's read.
pub fn screen_layout_with(
    area: Rect,
    app: &App,
    data: &Data,
    companion: Option<&Data>,
) -> ScreenLayout {
    let [header, counters, tabs, body, keys, status] = chrome(area);
    let mut tab_at = Vec::with_capacity(Pane::ALL.len());
    let mut x = tabs.x;
    for (i, p) in Pane::ALL.iter().enumerate() {
        let w = tab_label(i, *p, *p == app.pane).chars().count() as u16;
        let w = w.min((tabs.x + tabs.width).saturating_sub(x));
        tab_at.push((*p, Rect::new(x, tabs.y, w, tabs.height)));
        x += w;
    }
    let detail = shows_detail(app);
    let mut main = body;
    let mut split = Vec::new();
    let mut companion_list = None;
    if let Some((left, right)) = app.split_panes() {
        let [l, r] = Layout::horizontal([Constraint::Fill(1), Constraint::Fill(1)]).areas(body);
        for (pane, outer) in [(left, l), (right, r)] {
            let inner = Block::bordered().inner(outer);
            let focused = pane == app.pane;
            if focused {
                main = inner;
            } else if let Some(d) = companion.filter(|d| d.pane == pane && d.loaded) {
                companion_list = list_area(inner, pane, app, d);
            }
            split.push(PaneArea {
                pane,
                outer,
                inner,
                focused,
            });
        }
    }
    let list = if detail || data.pane != app.pane || !data.loaded {
        None
    } else {
        list_area(main, app.pane, app, data)
    };
    ScreenLayout {
        header,
        counters,
        tabs,
        body,
        keys,
        status,
        tab_at,
        list,
        detail,
        main,
        split,
        companion: companion_list,
    }
}

/// Where `pane`'s selectable list is drawn in `body`, if it has rows.
fn list_area(body: Rect, pane: Pane, app: &App, data: &Data) -> Option<ListArea> {
    let plain = |count: usize| {
        (count > 0).then_some(ListArea {
            pane,
            area: body,
            first: data.top,
            count: count.min(usize::from(body.height.saturating_sub(1))),
        })
    };
    match pane {
        Pane::Orders => plain(data.orders.len()),
        Pane::Inventory => plain(data.stock.len()),
        Pane::Events => plain(data.events.len()),
        Pane::Rules => {
            let r = data.rules.as_ref()?;
            let (_, _, list) = rules_areas(body, r.last_error.is_some());
            let count = r.rules.len().saturating_sub(data.top);
            (count > 0).then_some(ListArea {
                pane: Pane::Rules,
                area: list,
                first: data.top,
                count: count.min(usize::from(list.height.saturating_sub(1))),
            })
        }
        Pane::Queues => {
            let (queues, _, _) = queues_areas(body, data.locations.len());
            Some(ListArea {
                pane: Pane::Queues,
                area: queues,
                first: 0,
                count: QUEUES
                    .len()
                    .min(usize::from(queues.height.saturating_sub(1))),
            })
        }
        Pane::Channels => {
            let rows = data.channels.len();
            if rows == 0 {
                return None;
            }
            let (table, _) = channels_areas(body, rows);
            let selected = app.lists[Pane::Channels.index()].selected;
            let first = channels_first(table, rows, selected);
            Some(ListArea {
                pane: Pane::Channels,
                area: table,
                first,
                count: (rows - first).min(usize::from(table.height.saturating_sub(1))),
            })
        }
    }
}
