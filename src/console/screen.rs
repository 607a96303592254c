//! The console's screen, up before its engine: the terminal is taken and the first frame drawn
//! at once, and the operator sees the console (header, tabs, "opening the store…") while a
//! large store opens. sled reads its whole page table when it opens a store: about a second at
//! 1M orders, which the console should not spend on a blank terminal.

use std::future::Future;
use std::io;

use anyhow::Context;
use crossterm::event::{Event as TermEvent, EventStream};
use futures_util::StreamExt;
use ratatui::backend::CrosstermBackend;
use ratatui::Terminal;
use tokio::signal::unix::{signal, SignalKind};

use super::app::{self, Action, App};
use super::data::Data;
use super::{draw, event_loop, term, ConsoleOptions, ConsoleSettings, Term};
use crate::client::Client;

/// The terminal, taken over, and the console's state. Dropping it gives the terminal back.
pub struct Screen {
    terminal: Term,
    app: App,
    // Declared last: the terminal is given back after everything above is done with it.
    _guard: term::TerminalGuard,
}

impl Screen {
    /// Takes the terminal over (alternate screen, raw mode; the mouse if asked for) and draws
    /// the first frame, before any data: the chrome and "loading…".
    pub fn enter(options: ConsoleOptions, settings: ConsoleSettings) -> anyhow::Result<Screen> {
        let no_color =
            options.no_color || std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let mut app = App::new(options.title, options.operator, no_color);
        app.palette = settings.palette;
        app.keymap = app::keymap_with(&settings.keys);
        app.dialog_keys = app::dialog_keys_with(&settings.keys);
        app.zone = settings.zone;
        app.split = settings.split;
        let guard = term::TerminalGuard::enter(settings.mouse)?;
        let terminal = Terminal::new(CrosstermBackend::new(io::stdout()))
            .context("cannot start the terminal")?;
        let size = terminal.size()?;
        app.resize(size.width, size.height);
        let mut screen = Screen {
            terminal,
            app,
            _guard: guard,
        };
        screen.redraw()?;
        Ok(screen)
    }

    fn redraw(&mut self) -> anyhow::Result<()> {
        draw(&mut self.terminal, &self.app, &Data::empty(self.app.pane))
    }

    /// Waits for `work` (the engine opening) with `note` on the screen. The screen stays
    /// alive meanwhile: it follows resizes, keys move between panes and open the filter (kept
    /// for when the data comes), and `q`, SIGTERM or SIGHUP give up: `None`, and the terminal
    /// is given back once the screen is dropped.
    pub async fn wait_for<T>(
        &mut self,
        note: &str,
        work: impl Future<Output = T>,
    ) -> anyhow::Result<Option<T>> {
        self.app.set_toast(note, false);
        self.redraw()?;
        let mut keys = EventStream::new();
        let mut sigterm = signal(SignalKind::terminate())?;
        let mut sighup = signal(SignalKind::hangup())?;
        tokio::pin!(work);
        loop {
            tokio::select! {
                done = &mut work => {
                    self.app.toast = None;
                    return Ok(Some(done));
                }
                ev = keys.next() => match ev {
                    Some(Ok(TermEvent::Key(key))) => {
                        // No data yet, so nothing to act on: only quitting matters; moves and
                        // the filter typed meanwhile carry over.
                        if self.app.handle_key(key).iter().any(|a| matches!(a, Action::Quit)) {
                            return Ok(None);
                        }
                        self.app.set_toast(note, false);
                    }
                    Some(Ok(TermEvent::Resize(w, h))) => {
                        self.app.resize(w, h);
                        self.terminal.autoresize()?;
                    }
                    Some(Ok(_)) => {}
                    Some(Err(e)) => return Err(e).context("reading the terminal"),
                    None => return Ok(None),
                },
                _ = sigterm.recv() => return Ok(None),
                _ = sighup.recv() => return Ok(None),
            }
            self.redraw()?;
        }
    }

    /// The console on `client` until the operator quits (or SIGTERM, SIGHUP, an error).
    pub async fn run(mut self, client: Client) -> anyhow::Result<()> {
        event_loop(&mut self.terminal, client, &mut self.app).await
    }
}
