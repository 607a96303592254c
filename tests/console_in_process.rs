//! `ordo console` with the engine in its own process, in a real terminal: the screen comes up
//! and the store opens behind it (src/console/screen.rs, src/cli/console.rs). The orders of the
//! store appear, `q` quits with the terminal restored; a store that cannot be opened (another
//! process has it) is reported on the restored terminal with exit 1, not left on a dead screen.

mod common;
mod serve;
#[path = "common/tmux.rs"]
mod tmux;

use std::time::Duration;

use common::Sandbox;
use serve::Serve;
use tmux::{quote, Tmux};

/// A sandbox with three orders on channel `web`, numbered `#W0`..`#W2`.
fn store_with_orders() -> Sandbox {
    let s = Sandbox::new();
    s.web_orders(3);
    s
}

/// `ordo console` on the sandbox's store, then the exit code on the shell.
fn console_shell(s: &Sandbox) -> String {
    let q = |p: std::path::PathBuf| quote(&p.display().to_string());
    format!(
        "env -u ORDO_DATA -u ORDO_CONFIG -u NO_COLOR XDG_DATA_HOME={} {} --config {} --data {} console; echo EXIT=$?; sleep 30",
        q(s.path("xdg")),
        quote(env!("CARGO_BIN_EXE_ordo")),
        q(s.path("ordo.toml")),
        q(s.path("data")),
    )
}

fn order_rows(screen: &str) -> usize {
    screen.lines().filter(|l| l.contains("#W")).count()
}

#[test]
fn the_console_opens_its_store_and_quits_with_the_terminal_restored() {
    if !tmux::available("the in-process console test") {
        return;
    }
    let s = store_with_orders();
    let tmux = Tmux::start("console", 120, 35, &console_shell(&s));
    let screen = tmux.wait_for("the store's orders", Duration::from_secs(20), |s| {
        order_rows(s) == 3
    });
    let header = screen.lines().next().unwrap_or_default();
    assert!(
        header.contains("data"),
        "the header names the store:\n{screen}"
    );
    assert!(
        !screen.contains("opening the store"),
        "the opening note is gone once the store is open:\n{screen}"
    );
    assert_eq!(tmux.pane_var("alternate_on"), "1");
    tmux.keys(&["q"]);
    let screen = tmux.wait_for("the exit code", Duration::from_secs(15), |s| {
        s.contains("EXIT=")
    });
    assert!(screen.contains("EXIT=0"), "{screen}");
    assert_eq!(tmux.pane_var("alternate_on"), "0", "alternate screen left");
    assert_eq!(tmux.pane_var("cursor_flag"), "1", "cursor shown");
}

#[test]
fn a_store_another_process_holds_is_reported_on_the_restored_terminal() {
    if !tmux::available("the in-process console test") {
        return;
    }
    let s = store_with_orders();
    // `ordo serve` holds the store (sled's file lock).
    let server = Serve::start(&s, &[]);

    let tmux = Tmux::start("console-locked", 120, 35, &console_shell(&s));
    let screen = tmux.wait_for("the exit code", Duration::from_secs(20), |s| {
        s.contains("EXIT=")
    });
    assert!(screen.contains("EXIT=1"), "{screen}");
    let said = screen.to_lowercase();
    assert!(
        said.contains("in use"),
        "the reason is on the terminal:\n{screen}"
    );
    assert!(
        screen.contains("ordo console --connect"),
        "and how to reach the store instead:\n{screen}"
    );
    assert_eq!(tmux.pane_var("alternate_on"), "0", "alternate screen left");

    assert!(server.stop().success());
}
