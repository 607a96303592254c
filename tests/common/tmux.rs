//! A tmux server of the test's own, for the console tests in a real terminal: `send-keys` types
//! what an operator types, `capture-pane` reads what they would see. Included by path
//! (`#[path = "common/tmux.rs"] mod tmux;`).
#![allow(dead_code)]

use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The session every test window runs in.
const SESSION: &str = "ordo";

/// A tmux server on its own socket, killed when the test ends, passed or not.
pub struct Tmux {
    socket: String,
}

/// Whether the test can run: tmux is there. Without it the test says why and passes, except
/// under CI (`CI` set), where a missing tmux fails it: `.ci/run` installs tmux, so CI cannot
/// skip a terminal test silently.
pub fn available(what: &str) -> bool {
    let there = Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success());
    if !there {
        if std::env::var_os("CI").is_some() {
            panic!("tmux is not installed, and under CI this test must run (.ci/run installs it)");
        }
        eprintln!("skipping {what}: tmux is not installed (CI installs it)");
    }
    there
}

/// `text` quoted for a POSIX shell command line.
pub fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

impl Tmux {
    /// A window of `width` x `height` running `shell` (a shell command line), with a short
    /// escape time so that Esc is taken as Esc.
    pub fn start(name: &str, width: u16, height: u16, shell: &str) -> Tmux {
        let tmux = Tmux {
            socket: format!("ordo-{name}-{}", std::process::id()),
        };
        let (w, h) = (width.to_string(), height.to_string());
        tmux.run(&[
            "new-session",
            "-d",
            "-s",
            SESSION,
            "-x",
            &w,
            "-y",
            &h,
            shell,
        ]);
        tmux.run(&["set-option", "-s", "escape-time", "10"]);
        tmux
    }

    fn cmd(&self) -> Command {
        let mut c = Command::new("tmux");
        c.arg("-L").arg(&self.socket).arg("-f").arg("/dev/null");
        c
    }

    pub fn run(&self, args: &[&str]) -> Output {
        let out = self.cmd().args(args).output().expect("running tmux");
        assert!(
            out.status.success(),
            "tmux {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    pub fn screen(&self) -> String {
        String::from_utf8_lossy(&self.run(&["capture-pane", "-p", "-t", SESSION]).stdout)
            .into_owned()
    }

    /// A tmux format variable of the pane (`alternate_on`, `cursor_flag`).
    pub fn pane_var(&self, name: &str) -> String {
        let format = format!("#{{{name}}}");
        let out = self.run(&["display-message", "-p", "-t", SESSION, &format]);
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// Keys by tmux name (`Enter`, `Escape`) or single characters.
    pub fn keys(&self, keys: &[&str]) {
        for k in keys {
            self.run(&["send-keys", "-t", SESSION, k]);
        }
    }

    /// Text typed as is.
    pub fn type_text(&self, text: &str) {
        self.run(&["send-keys", "-t", SESSION, "-l", text]);
    }

    /// Polls the screen until `ok` holds; on timeout fails with `what` and the last screen.
    pub fn wait_for(&self, what: &str, timeout: Duration, ok: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if ok(&screen) {
                return screen;
            }
            if start.elapsed() > timeout {
                panic!("timed out after {timeout:?} waiting for {what}; the screen:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(150));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.cmd().arg("kill-server").stderr(Stdio::null()).status();
        // kill-server leaves the socket file behind.
        let dir = std::env::var("TMUX_TMPDIR").unwrap_or_else(|_| "/tmp".into());
        // SAFETY: getuid has no preconditions and cannot fail.
        let uid = unsafe { libc::getuid() };
        let _ = std::fs::remove_file(format!("{dir}/tmux-{uid}/{}", self.socket));
    }
}
