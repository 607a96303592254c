//! The full-screen console. `app` holds the state and turns keys into actions (no I/O),
//! `data` reads the visible window through the client, `ui` draws `&App` and `&Data`, and
//! [`run`] is the event loop: it draws only when something changed (a key, a data change, a
//! resize, a toast that expires, the minute of the clock) and never blocks on the engine.
//! Channel health is not a ledger change, so while the Channels pane is shown (and only then)
//! its data is read again once a second.

pub mod app;
pub mod data;
pub mod filter;
mod reads;
mod screen;
mod term;
pub mod ui;
pub mod zone;

use std::io::{self, Stdout, Write};
use std::time::Duration;

use anyhow::Context;
use chrono::{Timelike, Utc};
use crossterm::event::{Event as TermEvent, EventStream};
use crossterm::execute;
use crossterm::terminal::{BeginSynchronizedUpdate, EndSynchronizedUpdate};
use futures_util::StreamExt;
use ratatui::backend::CrosstermBackend;
use ratatui::Terminal;
use tokio::signal::unix::{signal, SignalKind};
use tokio::sync::{broadcast, mpsc};
use tokio::time::Instant;

use crate::client::Client;
use crate::ledger::{LedgerError, Outcome, Reply};
use app::{Action, App, Pane};
use data::{Data, Request};
pub use screen::Screen;

pub struct ConsoleOptions {
    pub title: String,
    /// No colours (also when the `NO_COLOR` environment variable is set and not empty).
    pub no_color: bool,
    /// Who the audit trail names for actions taken here.
    pub operator: String,
}

/// What `[console]` sets, ready for the console: colours, remapped keys, the time zone.
/// `Default` is `[console]`'s defaults (zone UTC, where `from_config` takes the machine's).
#[derive(Debug, Clone)]
pub struct ConsoleSettings {
    pub palette: ui::Palette,
    /// `[console.keys]` (see [`crate::config::ConsoleConfig::keys`]).
    pub keys: Vec<(String, Vec<String>)>,
    /// Where times are shown.
    pub zone: zone::Zone,
    /// Capture the mouse: wheel, click, double-click, pane tabs (`[console] mouse`, `--mouse`).
    pub mouse: bool,
    /// Two panes side by side in wide windows (`[console] split`, on by default).
    pub split: bool,
}

impl Default for ConsoleSettings {
    fn default() -> ConsoleSettings {
        ConsoleSettings {
            palette: ui::Palette::default(),
            keys: Vec::new(),
            zone: zone::Zone::default(),
            mouse: false,
            split: true,
        }
    }
}

impl ConsoleSettings {
    /// From the validated `[console]` table: the zone it names, else the machine's.
    pub fn from_config(c: &crate::config::ConsoleConfig) -> ConsoleSettings {
        ConsoleSettings {
            palette: ui::Palette::named(&c.theme),
            keys: c.keys.clone(),
            zone: zone::Zone::configured(c.timezone.as_deref()),
            mouse: c.mouse,
            split: c.split,
        }
    }
}

/// Data changes are read again at most this often.
const COALESCE: Duration = Duration::from_millis(50);
/// How long a toast stays.
const TOAST: Duration = Duration::from_secs(5);
/// While the Channels pane is shown, its data is read again this often.
const CHANNELS_TICK: Duration = Duration::from_secs(1);

/// Takes over the terminal (alternate screen, raw mode), runs until the user quits, and
/// restores the terminal on every path (quit, error, panic, SIGTERM, SIGHUP). Must be called
/// inside a tokio runtime.
pub async fn run(client: Client, options: ConsoleOptions) -> anyhow::Result<()> {
    let defaults = ConsoleSettings::from_config(&crate::config::ConsoleConfig::default());
    run_with(client, options, defaults).await
}

/// [`run`] with what `[console]` sets: the colours of its theme (NO_COLOR, or
/// `options.no_color`, still wins: no colours in any palette), its remapped keys (normal mode
/// and the confirmation), its time zone, the mouse.
pub async fn run_with(
    client: Client,
    options: ConsoleOptions,
    settings: ConsoleSettings,
) -> anyhow::Result<()> {
    Screen::enter(options, settings)?.run(client).await
}

/// The reply to a command, as a toast: (text, is an error).
pub fn describe_reply(reply: &Reply) -> (String, bool) {
    match reply {
        Ok(Outcome::Order { id, status })
        | Ok(Outcome::Updated { id, status })
        | Ok(Outcome::Created { id, status }) => (format!("order {id} is now {status}"), false),
        Ok(Outcome::Unchanged { id, why }) => (format!("order {id}: nothing to do ({why})"), false),
        Ok(Outcome::Quarantined { id, reason }) => (format!("quarantined {id}: {reason}"), true),
        Ok(Outcome::Stock {
            levels,
            deallocated,
            allocated,
        }) => {
            let l: Vec<String> = levels
                .iter()
                .map(|(s, l, v)| format!("{s}@{l} on hand {}", v.on_hand))
                .collect();
            (
                format!(
                    "stock: {}; {} order(s) got stock, {} lost it",
                    l.join(", "),
                    allocated.len(),
                    deallocated.len()
                ),
                false,
            )
        }
        Ok(Outcome::Batch { outcomes }) => {
            let refused = outcomes.iter().filter(|o| o.is_err()).count();
            (
                format!("{} applied, {refused} refused", outcomes.len() - refused),
                refused > 0,
            )
        }
        Ok(Outcome::DuplicateDelivery { delivery }) => {
            (format!("delivery {delivery} was taken before"), false)
        }
        Err(e @ LedgerError::NotAllowed { .. }) => (e.to_string(), true),
        Err(e) => (format!("refused: {e}"), true),
    }
}

/// The re-route options read for an order.
type PickerAnswer = (
    crate::model::OrderId,
    Result<Vec<data::RerouteOption>, String>,
);

/// One toast for the replies to a bulk action: "3 orders held, 1 unchanged, 1 refused: …".
pub fn summarize(verb: &str, replies: &[Reply]) -> (String, bool) {
    let (mut done, mut unchanged) = (0, 0);
    let mut refused: Vec<String> = Vec::new();
    for r in replies {
        match r {
            Ok(Outcome::Order { .. } | Outcome::Updated { .. } | Outcome::Created { .. }) => {
                done += 1
            }
            Ok(Outcome::Unchanged { .. }) => unchanged += 1,
            other => refused.push(describe_reply(other).0),
        }
    }
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    let mut text = format!("{done} order{} {verb}", plural(done));
    if unchanged > 0 {
        text.push_str(&format!(", {unchanged} unchanged"));
    }
    if let Some(first) = refused.first() {
        text.push_str(&format!(", {} refused ({first})", refused.len()));
    }
    (text, !refused.is_empty())
}

/// Standard base64 (RFC 4648, with padding).
fn base64(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ABC[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The OSC 52 sequence that puts `text` on the terminal's clipboard (works over SSH). Inside
/// tmux it is wrapped as a passthrough (`ESC P tmux; … ESC \`, inner ESCs doubled).
pub fn osc52(text: &str, tmux: bool) -> String {
    let seq = format!("\x1b]52;c;{}\x07", base64(text.as_bytes()));
    if tmux {
        format!("\x1bPtmux;{}\x1b\\", seq.replace('\x1b', "\x1b\x1b"))
    } else {
        seq
    }
}

type Term = Terminal<CrosstermBackend<Stdout>>;

async fn event_loop(terminal: &mut Term, client: Client, app: &mut App) -> anyhow::Result<()> {
    let mut keys = EventStream::new();
    let mut changes = client.subscribe();
    let mut sigterm = signal(SignalKind::terminate())?;
    let mut sighup = signal(SignalKind::hangup())?;
    // Listened to before any Ctrl-Z, so that the SIGCONT of `fg` is never missed.
    let mut sigcont = signal(SignalKind::from_raw(term::SIGCONT))?;
    let (data_tx, mut data_rx) = mpsc::channel::<(Request, Data)>(2);
    // Replies to commands, already worded as toasts: (text, is an error).
    let (reply_tx, mut reply_rx) = mpsc::channel::<(String, bool)>(64);
    let (picker_tx, mut picker_rx) = mpsc::channel::<PickerAnswer>(4);

    let mut data = Data::empty(app.pane);
    // The read in flight, and whether another one is due (the view changed, data changed).
    let mut in_flight = false;
    let mut refresh_at: Option<Instant> = Some(Instant::now());
    let mut last_fetch = Instant::now() - COALESCE;
    let mut toast_until: Option<Instant> = None;
    let mut toast_seen = app.toast_seq;
    let mut dirty = true;
    let mut changes_open = true;
    // Split view: the companion pane's reads, beside the focused pane's above.
    let (mut side, mut side_rx) = reads::Side::new(app);

    loop {
        if app.toast_seq != toast_seen {
            toast_seen = app.toast_seq;
            toast_until = Some(Instant::now() + TOAST);
            dirty = true;
        }
        side.settle(app, &mut data);
        if dirty {
            draw_with(terminal, app, &data, side.shown(app))?;
            dirty = false;
        }
        // Start a read when one is due and none is running.
        if let Some(at) = refresh_at {
            if !in_flight && at <= Instant::now() {
                refresh_at = None;
                in_flight = true;
                last_fetch = Instant::now();
                let req = app.request();
                let client = client.clone();
                let tx = data_tx.clone();
                tokio::task::spawn_blocking(move || {
                    let d = data::load(&client, &req);
                    let _ = tx.blocking_send((req, d));
                });
            }
        }
        side.follow(app);
        side.start(app, &client);
        let side_timer = side.wake_at(app);
        let now = Utc::now();
        let next_minute = Instant::now() + Duration::from_secs(60 - u64::from(now.second()))
            - Duration::from_nanos(u64::from(now.nanosecond() % 1_000_000_000));
        let refresh_timer = match refresh_at {
            Some(at) if !in_flight => at,
            _ => Instant::now() + Duration::from_secs(3600),
        };
        let toast_timer = toast_until.unwrap_or_else(|| Instant::now() + Duration::from_secs(3600));
        // Only while the Channels pane shows channels and no read is due or running: the
        // other panes wake for nothing.
        let channels_timer = if !in_flight && refresh_at.is_none() && channels_tick(app, &data) {
            last_fetch + CHANNELS_TICK
        } else {
            Instant::now() + Duration::from_secs(3600)
        };

        // What the input (or a read that came back) asks for, carried out below.
        let mut actions: Vec<Action> = Vec::new();
        tokio::select! {
            ev = keys.next() => match ev {
                Some(Ok(TermEvent::Key(key))) => {
                    dirty = true;
                    actions = app.handle_key(key);
                }
                Some(Ok(TermEvent::Mouse(mouse))) => {
                    // Hit-tested on the layout of the screen as drawn (same `app`, `data`).
                    let area = ratatui::layout::Rect::new(0, 0, app.width, app.height);
                    let layout = ui::screen_layout_with(area, app, &data, side.shown(app));
                    actions = app.handle_mouse(mouse, &layout, std::time::Instant::now());
                    dirty = true;
                }
                Some(Ok(TermEvent::Resize(w, h))) => {
                    app.resize(w, h);
                    terminal.autoresize()?;
                    refresh_at = Some(Instant::now());
                    side.now(app);
                    dirty = true;
                }
                Some(Ok(_)) => {}
                Some(Err(e)) => return Err(e).context("reading the terminal"),
                None => return Ok(()),
            },
            batch = changes.recv(), if changes_open => match batch {
                Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => {
                    // Coalesce: at most one read per COALESCE.
                    let at = (last_fetch + COALESCE).max(Instant::now());
                    refresh_at = Some(refresh_at.map_or(at, |r| r.min(at)));
                    side.changed(app);
                }
                Err(broadcast::error::RecvError::Closed) => {
                    changes_open = false;
                    app.set_toast("the engine stopped: no more live updates", true);
                }
            },
            Some((req, d)) = data_rx.recv() => {
                in_flight = false;
                // A read of a view that has moved on since is drawn but not acted on; an
                // Enter that waited for this view's rows opens its order now.
                actions = app.arrived(&req, &d);
                // By its pane: the focus may have moved to the other pane meanwhile.
                side.store(app, &mut data, d);
                // The view moved while reading: read it again.
                if !req.same_view(&app.request()) && refresh_at.is_none() {
                    refresh_at = Some(Instant::now());
                }
                dirty = true;
            },
            Some((req, d)) = side_rx.recv() => {
                side.arrived();
                // The focus moved to the companion while it was read: the focused pane's own
                // read of it is the one to keep.
                if !(req.pane == app.pane && data.pane == app.pane) {
                    actions = app.arrived(&req, &d);
                    side.store(app, &mut data, d);
                    dirty = true;
                }
            },
            Some((text, error)) = reply_rx.recv() => {
                app.set_toast(text, error);
                refresh_at = Some(Instant::now());
                side.changed(app);
            },
            Some((id, options)) = picker_rx.recv() => {
                app.set_reroute_options(id, options);
                dirty = true;
            },
            _ = tokio::time::sleep_until(refresh_timer) => {}
            _ = tokio::time::sleep_until(side_timer) => side.woke(app),
            _ = tokio::time::sleep_until(channels_timer) => {
                refresh_at = Some(Instant::now());
            },
            _ = tokio::time::sleep_until(toast_timer) => {
                // A toast that waits for the typing to end gets its full time after it.
                toast_until = (!app.expire_toast()).then(|| Instant::now() + TOAST);
                dirty = true;
            },
            _ = tokio::time::sleep_until(next_minute) => { dirty = true; },
            _ = sigterm.recv() => return Ok(()),
            _ = sighup.recv() => return Ok(()),
        }

        for action in actions {
            match action {
                Action::Quit => return Ok(()),
                Action::Suspend => {
                    if term::suspend(&mut sigcont).await? {
                        // The screen is blank and may have changed size: draw all of it, on
                        // fresh data.
                        let size = terminal.size()?;
                        app.resize(size.width, size.height);
                        terminal.autoresize()?;
                        terminal.clear()?;
                        refresh_at = Some(Instant::now());
                        side.now(app);
                    } else {
                        app.set_toast(
                            "Ctrl-Z: no job control here (not started from a shell)",
                            true,
                        );
                    }
                }
                Action::Refresh | Action::OpenDetail(_) => {
                    refresh_at = Some(Instant::now());
                }
                Action::Submit(command) => {
                    let client = client.clone();
                    let tx = reply_tx.clone();
                    tokio::spawn(async move {
                        let reply = client.submit(command).await;
                        let _ = tx.send(describe_reply(&reply)).await;
                    });
                    app.set_toast("working…", false);
                }
                Action::SubmitBatch { commands, verb } => {
                    let client = client.clone();
                    let tx = reply_tx.clone();
                    let n = commands.len();
                    tokio::spawn(async move {
                        let mut replies = Vec::with_capacity(commands.len());
                        for c in commands {
                            replies.push(client.submit(c).await);
                        }
                        let _ = tx.send(summarize(verb, &replies)).await;
                    });
                    app.set_toast(format!("working on {n} orders…"), false);
                }
                Action::LoadReroute(id) => {
                    let client = client.clone();
                    let tx = picker_tx.clone();
                    tokio::task::spawn_blocking(move || {
                        let options = data::reroute_options(&client, id);
                        let _ = tx.blocking_send((id, options));
                    });
                }
                Action::ControlChannel { id, control } => {
                    let client = client.clone();
                    let tx = reply_tx.clone();
                    tokio::task::spawn_blocking(move || {
                        let reply = client.control_channel(&id, control);
                        let toast = app::describe_control(&id, control, &reply);
                        let _ = tx.blocking_send(toast);
                    });
                }
                Action::Copy(text) => {
                    let tmux = std::env::var_os("TMUX").is_some_and(|v| !v.is_empty());
                    let mut out = io::stdout();
                    let _ = out.write_all(osc52(&text, tmux).as_bytes());
                    let _ = out.flush();
                }
            }
        }
    }
}

/// Whether the screen shows channel health that changes by itself (the Channels pane with
/// channels), so that the loop reads it again every [`CHANNELS_TICK`]. Other panes: never.
pub fn channels_tick(app: &App, data: &Data) -> bool {
    app.pane == Pane::Channels && data.pane == Pane::Channels && !data.channels.is_empty()
}

fn draw(terminal: &mut Term, app: &App, data: &Data) -> anyhow::Result<()> {
    draw_with(terminal, app, data, None)
}

/// Draws a frame: the focused pane's `data`, and in split view the `companion`'s read.
fn draw_with(
    terminal: &mut Term,
    app: &App,
    data: &Data,
    companion: Option<&Data>,
) -> anyhow::Result<()> {
    let now = Utc::now();
    execute!(io::stdout(), BeginSynchronizedUpdate)?;
    let result = terminal.draw(|f| ui::draw_with(f, app, data, companion, now));
    execute!(io::stdout(), EndSynchronizedUpdate)?;
    result?;
    Ok(())
}

#[cfg(test)]
mod keys_tests;
#[cfg(test)]
mod mouse_tests;
#[cfg(test)]
mod pending_tests;
#[cfg(test)]
mod tests;
