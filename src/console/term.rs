//! The terminal: taking it over (raw mode, alternate screen, hidden cursor, mouse capture
//! when asked for) and giving it back on every path: quit, error, panic, SIGTERM, SIGHUP, and
//! around a Ctrl-Z suspend.

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::Context;
use crossterm::event::{DisableMouseCapture, EnableMouseCapture};
use crossterm::terminal::{
    self, EndSynchronizedUpdate, EnterAlternateScreen, LeaveAlternateScreen,
};
use crossterm::{cursor, execute};

/// Restores the terminal when dropped, and from the panic hook.
pub(super) struct TerminalGuard;

/// The terminal is ours (raw mode, alternate screen): `restore` has something to undo.
static ACTIVE: AtomicBool = AtomicBool::new(false);
/// The mouse is captured while the terminal is ours (`[console] mouse`, `--mouse`).
static MOUSE: AtomicBool = AtomicBool::new(false);

/// Gives the terminal back: mouse capture off (else the shell gets escape codes for every
/// click), alternate screen left, cursor shown, raw mode off. Safe to call twice.
pub(super) fn restore() {
    if ACTIVE.swap(false, Ordering::SeqCst) {
        let mut out = io::stdout();
        if MOUSE.load(Ordering::SeqCst) {
            let _ = execute!(out, DisableMouseCapture);
        }
        let _ = execute!(
            out,
            EndSynchronizedUpdate,
            LeaveAlternateScreen,
            cursor::Show
        );
        let _ = terminal::disable_raw_mode();
        let _ = out.flush();
    }
}

/// Raw mode, alternate screen, hidden cursor, the mouse when asked for: at start and again
/// after a suspend.
fn take_over() -> anyhow::Result<()> {
    terminal::enable_raw_mode().context("cannot put the terminal in raw mode")?;
    ACTIVE.store(true, Ordering::SeqCst);
    execute!(io::stdout(), EnterAlternateScreen, cursor::Hide)
        .context("cannot switch to the alternate screen")?;
    if MOUSE.load(Ordering::SeqCst) {
        execute!(io::stdout(), EnableMouseCapture).context("cannot capture the mouse")?;
    }
    Ok(())
}

impl TerminalGuard {
    /// Takes the terminal over; `mouse`: capture the mouse too (off by default, so that the
    /// terminal's own text selection works).
    pub(super) fn enter(mouse: bool) -> anyhow::Result<TerminalGuard> {
        MOUSE.store(mouse, Ordering::SeqCst);
        static HOOK: std::sync::Once = std::sync::Once::new();
        HOOK.call_once(|| {
            let previous = std::panic::take_hook();
            std::panic::set_hook(Box::new(move |info| {
                restore();
                previous(info);
            }));
        });
        let guard = TerminalGuard;
        take_over()?;
        Ok(guard)
    }
}

/// SIGCONT's number (libc is not a dependency of the binary).
#[cfg(any(target_os = "linux", target_os = "android"))]
pub(super) const SIGCONT: i32 = 18;
#[cfg(not(any(target_os = "linux", target_os = "android")))]
pub(super) const SIGCONT: i32 = 19;

/// Whether a SIGTSTP would stop us: a job-control shell started us. The kernel drops SIGTSTP
/// for an orphaned process group (e.g. started straight by tmux or `setsid`), and then no
/// SIGCONT would ever come. On Linux, from /proc: our parent is in our session but not in our
/// process group. Elsewhere assumed.
fn can_suspend() -> bool {
    #[cfg(target_os = "linux")]
    {
        // The fields after "(comm)": state ppid pgrp session.
        fn stat(pid: &str) -> Option<(String, u32, u32, u32)> {
            let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            let rest = &text[text.rfind(')')? + 1..];
            let f: Vec<&str> = rest.split_whitespace().collect();
            Some((
                f.first()?.to_string(),
                f.get(1)?.parse().ok()?,
                f.get(2)?.parse().ok()?,
                f.get(3)?.parse().ok()?,
            ))
        }
        let Some((_, ppid, pgrp, session)) = stat("self") else {
            return true;
        };
        match stat(&ppid.to_string()) {
            Some((_, _, ppgrp, psession)) => ppgrp != pgrp && psession == session,
            None => false,
        }
    }
    #[cfg(not(target_os = "linux"))]
    {
        true
    }
}

/// Ctrl-Z: restores the terminal as quitting does, stops the process with SIGTSTP (sent by
/// `kill -TSTP <pid>`: std cannot raise a signal and libc is not a dependency), waits for
/// SIGCONT (`fg`), then takes the terminal over again. The caller redraws everything.
/// `Ok(false)`: not suspended (no job control).
pub(super) async fn suspend(sigcont: &mut tokio::signal::unix::Signal) -> anyhow::Result<bool> {
    if !can_suspend() {
        return Ok(false);
    }
    // A SIGCONT that came while running must not end the suspend at once.
    while let Some(Some(())) = futures_util::FutureExt::now_or_never(sigcont.recv()) {}
    restore();
    let status = std::process::Command::new("kill")
        .args(["-TSTP", &std::process::id().to_string()])
        .status();
    match status {
        Ok(s) if s.success() => {
            // The stop is asynchronous; SIGCONT comes at `fg` (or `bg`, or `kill -CONT`).
            sigcont.recv().await;
        }
        _ => {}
    }
    take_over()?;
    Ok(status.is_ok_and(|s| s.success()))
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
    }
}
