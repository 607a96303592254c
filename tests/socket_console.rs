//! `ordo console --connect SOCKET` in a real terminal: tmux runs the console against a running
//! `ordo serve`; the header says where it is connected, the orders appear, a hold typed in the
//! console reaches the server, a server restart shows as an error in the footer and the console
//! recovers by itself. Also the command line's refusal of `--connect` with `--data`.
//!
//! Without tmux the terminal test says why and passes, except under CI (`CI` set), where a
//! missing tmux fails it: `.ci/run` installs tmux.

mod common;
mod serve;
#[path = "common/tmux.rs"]
mod tmux;

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use common::Sandbox;
use ordo::client::Client;
use ordo::model::OrderStatus;
use serve::Serve;
use tmux::Tmux;

/// Rows of the orders list: this test's orders are all on channel `web`, numbered `#W..`.
fn order_rows(screen: &str) -> usize {
    screen.lines().filter(|l| l.contains("#W")).count()
}

#[test]
fn the_console_connected_to_a_server_in_a_real_terminal() {
    if !tmux::available("the console-over-socket test") {
        return;
    }
    let s = Sandbox::new();
    s.web_orders(8);
    let server = Serve::start(&s, &[]);
    let socket: PathBuf = server.socket.clone();

    let q = |p: &std::path::Path| tmux::quote(&p.display().to_string());
    let shell = format!(
        "env -u ORDO_DATA -u ORDO_CONFIG -u NO_COLOR XDG_DATA_HOME={} USER=ann {} --config {} console --connect {}; echo EXITED; sleep 30",
        q(&s.path("xdg")),
        tmux::quote(env!("CARGO_BIN_EXE_ordo")),
        q(&s.path("ordo.toml")),
        q(&socket),
    );
    let tmux = Tmux::start("socket-console", 120, 35, &shell);

    // The header names the server's socket; the orders are the server's.
    let screen = tmux.wait_for("orders from the server", Duration::from_secs(20), |s| {
        order_rows(s) >= 8
    });
    let header = screen.lines().next().unwrap_or_default();
    assert!(header.contains("connected to"), "the header:\n{screen}");
    assert!(header.contains("ordo.sock"), "the header:\n{screen}");

    // `h` holds the selected order through the server.
    tmux.keys(&["h"]);
    tmux.wait_for(
        "word that the order is held",
        Duration::from_secs(10),
        |s| s.to_lowercase().contains("now held"),
    );
    let other = Client::connect(&socket).expect("a second client");
    assert_eq!(other.counters().by_status.get(&OrderStatus::Held), Some(&1));
    drop(other);

    // The server goes: the footer says so and the console keeps running.
    assert!(server.stop().success());
    tmux.wait_for(
        "the lost connection in the footer",
        Duration::from_secs(10),
        |s| s.contains("connection to ordo serve") || s.contains("no ordo serve is listening"),
    );
    // The header too: not "live" while the server is gone (issue 6, finding 13).
    tmux.wait_for("reconnecting in the header", Duration::from_secs(10), |s| {
        let header = s.lines().next().unwrap_or_default();
        header.contains("· reconnecting ·") && !header.contains("· live ·")
    });
    // It comes back: the console reconnects by itself and the error goes.
    let server = Serve::start(&s, &[]);
    tmux.wait_for("the console to recover", Duration::from_secs(20), |s| {
        order_rows(s) >= 8
            && !s.contains("ordo serve")
            && s.lines().next().unwrap_or_default().contains("· live ·")
    });

    tmux.keys(&["q"]);
    tmux.wait_for("EXITED after quit", Duration::from_secs(15), |s| {
        s.lines().any(|l| l.trim() == "EXITED")
    });
    assert!(server.stop().success());
}

#[test]
fn connect_and_data_together_are_refused() {
    let s = Sandbox::new();
    let out = s.run(&["console", "--connect", "/nonexistent/ordo.sock"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--connect talks to a running `ordo serve`; --data belongs to that server"),
        "{err}"
    );
    // Without --data: no server there is said plainly (exit 1).
    let out = Command::new(common::exe())
        .args(["--config", s.path("ordo.toml").to_str().unwrap()])
        .args(["console", "--connect", "/nonexistent/ordo.sock"])
        .env_remove("ORDO_DATA")
        .env("XDG_DATA_HOME", s.path("xdg"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no ordo serve is listening there"), "{err}");
}
