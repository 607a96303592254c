//! The mouse (only when `[console] mouse` or `--mouse` turned capture on): the wheel scrolls
//! the list under the pointer, or the detail; a click selects a row; a click on a pane's tab
//! switches to it; a double-click opens the row (the detail, or a queue's orders). In split
//! view the wheel scrolls either pane's list, and a click on the companion pane focuses it
//! (and selects the row clicked). Where things are comes from [`ScreenLayout`], the same
//! numbers the drawing used.

use std::time::{Duration, Instant};

use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};

use super::{Action, App, Cmd, Mode, Pane};
use crate::console::ui::layout::{contains, ScreenLayout};

/// Two clicks on the same row within this long are a double-click (terminals report single
/// clicks only).
pub const DOUBLE_CLICK: Duration = Duration::from_millis(400);

/// Rows a wheel notch scrolls a long list.
pub const WHEEL_ROWS: usize = 3;

/// The last click on a list row, to tell a double-click.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Click {
    pub at: Instant,
    pub pane: Pane,
    pub row: usize,
}

impl App {
    /// One mouse event on the screen laid out as `layout`, at `now` (passed in, so tests can
    /// tell a double-click from two clicks without waiting).
    pub fn handle_mouse(
        &mut self,
        ev: MouseEvent,
        layout: &ScreenLayout,
        now: Instant,
    ) -> Vec<Action> {
        let (x, y) = (ev.column, ev.row);
        // A click is a new word from the operator, as a key is (see `handle_key`).
        if matches!(ev.kind, MouseEventKind::Down(_)) {
            self.pending_open = false;
        }
        match self.mode {
            Mode::Normal | Mode::Detail => {}
            // A click closes the help, as any key does.
            Mode::Help => {
                if matches!(ev.kind, MouseEventKind::Down(_)) {
                    self.mode = Mode::Normal;
                }
                return vec![];
            }
            // Dialogs and the input lines take keys only.
            _ => return vec![],
        }
        match ev.kind {
            MouseEventKind::ScrollDown | MouseEventKind::ScrollUp => {
                let down = matches!(ev.kind, MouseEventKind::ScrollDown);
                if let Some(list) = layout.companion.filter(|l| contains(l.area, x, y)) {
                    return self.scroll(list.pane, down);
                }
                if layout.detail {
                    if contains(layout.main, x, y) {
                        let d = WHEEL_ROWS as u16;
                        self.detail_scroll = if down {
                            self.detail_scroll.saturating_add(d)
                        } else {
                            self.detail_scroll.saturating_sub(d)
                        };
                    }
                    return vec![];
                }
                match layout.list {
                    Some(list) if list.pane == self.pane && contains(list.area, x, y) => {
                        self.scroll(self.pane, down)
                    }
                    _ => vec![],
                }
            }
            MouseEventKind::Down(MouseButton::Left) => {
                if let Some((pane, _)) = layout.tab_at.iter().find(|(_, r)| contains(*r, x, y)) {
                    self.last_click = None;
                    if *pane == self.pane && !layout.detail {
                        return vec![];
                    }
                    return self.run(Cmd::Pane(pane.index()));
                }
                // The split view's other pane: it takes the focus, and the row clicked (a
                // second click on it soon opens it, as in the focused pane).
                let other = layout
                    .split
                    .iter()
                    .find(|p| !p.focused && contains(p.outer, x, y));
                if let Some(p) = other.filter(|p| p.pane == self.companion) {
                    let row = layout
                        .companion
                        .filter(|l| l.pane == p.pane && contains(l.area, x, y))
                        .and_then(|l| l.row_at(y));
                    let mut actions = self.other_pane();
                    if let Some(row) = row {
                        actions.extend(self.move_to(row));
                        self.last_click = Some(Click {
                            at: now,
                            pane: self.pane,
                            row,
                        });
                    } else {
                        self.last_click = None;
                    }
                    return actions;
                }
                if layout.detail {
                    return vec![];
                }
                let Some(list) = layout.list.filter(|l| l.pane == self.pane) else {
                    return vec![];
                };
                if !contains(list.area, x, y) {
                    return vec![];
                }
                let Some(row) = list.row_at(y) else {
                    return vec![];
                };
                let double = self.last_click.is_some_and(|c| {
                    c.pane == self.pane && c.row == row && now.duration_since(c.at) <= DOUBLE_CLICK
                });
                let mut actions = self.move_to(row);
                if double {
                    self.last_click = None;
                    actions.extend(self.run(Cmd::Open));
                } else {
                    self.last_click = Some(Click {
                        at: now,
                        pane: self.pane,
                        row,
                    });
                }
                actions
            }
            _ => vec![],
        }
    }

    /// A wheel notch on `pane`'s list (the focused pane's, or the split view's companion's,
    /// which keeps its read up to date by itself: no read of the focused pane is asked for).
    /// The short lists (queues, channels) move the selection a row; the long ones scroll their
    /// window [`WHEEL_ROWS`] rows, the selection kept in it.
    fn scroll(&mut self, pane: Pane, down: bool) -> Vec<Action> {
        let focused = pane == self.pane;
        if matches!(pane, Pane::Queues | Pane::Channels) {
            if focused {
                return self.move_by(if down { 1 } else { -1 });
            }
            let l = &mut self.lists[pane.index()];
            l.selected = if down {
                (l.selected + 1).min(l.last())
            } else {
                l.selected.saturating_sub(1)
            };
            return vec![];
        }
        let page = self.page.max(1);
        let l = &mut self.lists[pane.index()];
        // The last first row that still fills the window (when the length is known), or the
        // row after those read (when more are known to exist).
        let max_top = match l.total {
            Some(t) => t.saturating_sub(page),
            None if l.more => l.known,
            None => l.known.saturating_sub(page),
        };
        let old = l.top;
        l.top = if down {
            (l.top + WHEEL_ROWS).min(max_top.max(l.top))
        } else {
            l.top.saturating_sub(WHEEL_ROWS)
        };
        l.selected = l.selected.clamp(l.top, l.top + page - 1);
        if l.top != old && focused {
            vec![Action::Refresh]
        } else {
            vec![]
        }
    }
}
