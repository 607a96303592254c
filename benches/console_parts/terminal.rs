//! The real console on a pseudo-terminal, watched from outside: the first frame, the first
//! frame with orders, wake-ups and redraws when idle, memory. Twice: with the engine in the
//! console's process (`ordo console`: the screen comes up, then the store opens behind it), and
//! as a console attached to an engine in another process over the socket (`ordo serve` +
//! `ordo console --connect`, one console per operator).
//!
//! (A part of benches/console.rs, included by path so that Cargo does not take it for a bench.)

use std::io::{Read, Write};
use std::os::fd::{FromRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::Stdio;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use ordo::client::Client;
use ordo::console::{ConsoleOptions, ConsoleSettings, Screen};
use ordo::engine::socket::SocketServer;
use ordo::engine::Engine;

use super::common::CACHE;
use super::{memory, ms, phase, settings, verdict, H, IDLE, W};

fn console_options() -> ConsoleOptions {
    ConsoleOptions {
        title: "bench".into(),
        no_color: false,
        operator: "bench".into(),
    }
}

fn console_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("ordo-console")
        .build()
        .expect("runtime")
}

/// Child: what `ordo console` does (src/cli/console.rs): the screen first, the engine opening
/// behind it, then the console on it.
pub(super) fn in_process_child(dir: &Path) {
    let runtime = console_runtime();
    let dir = dir.to_path_buf();
    let opening = runtime.spawn_blocking(move || Engine::with_settings(&dir, CACHE, settings()));
    let engine = runtime.block_on(async move {
        let mut screen =
            Screen::enter(console_options(), ConsoleSettings::default()).expect("screen");
        let engine = screen
            .wait_for("opening the store…", opening)
            .await
            .expect("screen")
            .expect("not quit while opening")
            .expect("join")
            .expect("engine");
        screen.run(engine.client()).await.expect("console");
        engine
    });
    engine.shutdown();
}

/// Child: the engine headless with its console socket (`ordo serve`), until stdin closes.
pub(super) fn serve_child(dir: &Path) {
    let engine = Engine::with_settings(dir, CACHE, settings()).expect("start engine");
    let runtime = console_runtime();
    runtime.block_on(async {
        let server = SocketServer::start(&dir.join("bench.sock"), engine.client(), dir)
            .await
            .expect("socket");
        println!("serving");
        // Until the parent closes our stdin.
        let _ = tokio::task::spawn_blocking(|| std::io::stdin().read(&mut [0u8; 1])).await;
        server.stop().await;
    });
    engine.shutdown();
}

/// Child: what `ordo console --connect` does (src/cli/connect.rs).
pub(super) fn remote_child(dir: &Path) {
    let client = Client::connect(&dir.join("bench.sock")).expect("connect");
    let runtime = console_runtime();
    runtime
        .block_on(ordo::console::run_with(
            client,
            console_options(),
            ConsoleSettings::default(),
        ))
        .expect("console");
}

/// (thread name, voluntary + involuntary context switches) per thread of `pid`.
fn switches(pid: u32) -> Vec<(u32, String, u64)> {
    let mut out = vec![];
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return out;
    };
    for t in tasks.flatten() {
        let tid: u32 = t.file_name().to_string_lossy().parse().unwrap_or(0);
        let status = std::fs::read_to_string(t.path().join("status")).unwrap_or_default();
        let mut name = String::new();
        let mut n = 0;
        for l in status.lines() {
            if let Some(v) = l.strip_prefix("Name:") {
                name = v.trim().to_string();
            } else if l.starts_with("voluntary_ctxt_switches")
                || l.starts_with("nonvoluntary_ctxt_switches")
            {
                n += l
                    .split_whitespace()
                    .nth(1)
                    .and_then(|v| v.parse::<u64>().ok())
                    .unwrap_or(0);
            }
        }
        out.push((tid, name, n));
    }
    out
}

/// A pseudo-terminal of 200x60: (master, slave).
fn pty() -> (std::fs::File, OwnedFd) {
    // SAFETY: openpty fills in two new descriptors that nothing else owns.
    unsafe {
        let mut m = 0;
        let mut s = 0;
        let ws = libc::winsize {
            ws_row: H,
            ws_col: W,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        let rc = libc::openpty(&mut m, &mut s, std::ptr::null_mut(), std::ptr::null(), &ws);
        assert_eq!(rc, 0, "openpty: {}", std::io::Error::last_os_error());
        (
            std::fs::File::from(OwnedFd::from_raw_fd(m)),
            OwnedFd::from_raw_fd(s),
        )
    }
}

/// Order numbers (`#1000`…) are drawn only in the Orders pane's rows: the first `#` and digit
/// on the terminal is the first frame with orders.
fn has_order_number(bytes: &[u8]) -> bool {
    bytes
        .windows(2)
        .any(|w| w[0] == b'#' && w[1].is_ascii_digit())
}

/// Runs phase `name` as a console on a pty and prints what it measured.
pub(super) fn on_terminal(label: &str, name: &str, dir: &Path, n: usize) {
    let (mut master, slave) = pty();
    let mut p = phase(name, dir, n);
    p.stdin(Stdio::from(slave.try_clone().expect("dup")))
        .stdout(Stdio::from(slave.try_clone().expect("dup")))
        .stderr(Stdio::from(slave));
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        p.pre_exec(|| {
            if libc::setsid() < 0 || libc::ioctl(0, libc::TIOCSCTTY, 0) < 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let started = Instant::now();
    let mut child = p.spawn().expect("console phase");
    drop(p); // closes the parent's copies of the slave
    let pid = child.id();

    // Everything the console writes, counted: bytes, and writes (reads here) with data; and
    // when the first order row showed.
    let bytes = Arc::new(AtomicU64::new(0));
    let chunks = Arc::new(AtomicU64::new(0));
    let rows_at = Arc::new(std::sync::Mutex::new(None::<Duration>));
    let reader = {
        let (bytes, chunks, rows_at) = (bytes.clone(), chunks.clone(), rows_at.clone());
        let mut master = master.try_clone().expect("dup master");
        std::thread::spawn(move || {
            let mut buf = vec![0u8; 1 << 16];
            let mut tail: Vec<u8> = Vec::new();
            while let Ok(k) = master.read(&mut buf) {
                if k == 0 {
                    break;
                }
                bytes.fetch_add(k as u64, Ordering::SeqCst);
                chunks.fetch_add(1, Ordering::SeqCst);
                let mut at = rows_at.lock().expect("not poisoned");
                if at.is_none() {
                    tail.extend_from_slice(&buf[..k]);
                    if has_order_number(&tail) {
                        *at = Some(started.elapsed());
                    }
                    let keep = tail.len().saturating_sub(1);
                    tail.drain(..keep);
                }
            }
        })
    };
    // Wait for the first screen, then for the orders and the output to settle: 1 s without
    // output.
    let mut first = None;
    let mut last = (0, Instant::now());
    while started.elapsed() < Duration::from_secs(120) {
        std::thread::sleep(Duration::from_millis(2));
        let b = bytes.load(Ordering::SeqCst);
        if b > 0 && first.is_none() {
            first = Some(started.elapsed());
        }
        let with_rows = rows_at.lock().expect("not poisoned").is_some();
        if b != last.0 {
            last = (b, Instant::now());
        } else if with_rows && last.1.elapsed() > Duration::from_secs(1) {
            break;
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!("the console exited early: {status}");
        }
    }
    let settled = started.elapsed();
    let rows = *rows_at.lock().expect("not poisoned");
    let before = switches(pid);
    let (b0, c0) = (bytes.load(Ordering::SeqCst), chunks.load(Ordering::SeqCst));
    std::thread::sleep(IDLE);
    let after = switches(pid);
    let (b1, c1) = (bytes.load(Ordering::SeqCst), chunks.load(Ordering::SeqCst));
    let (rss, hwm) = memory(Some(pid));

    let _ = master.write_all(b"q");
    let deadline = Instant::now() + Duration::from_secs(10);
    let exited = loop {
        if let Ok(Some(s)) = child.try_wait() {
            break Some(s);
        }
        if Instant::now() > deadline {
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    if exited.is_none() {
        let _ = child.kill();
        let _ = child.wait();
    }
    drop(master);
    let _ = reader.join();

    let secs = IDLE.as_secs_f64();
    let first_ms = first.map_or(f64::NAN, ms);
    let rows_ms = rows.map_or(f64::NAN, ms);
    println!("{label}: the real console (Screen + event loop) on a 200x60 pty, process {pid}");
    println!(
        "  first frame {first_ms:.0} ms after the process started (budget < 300 ms: {}); first frame with orders {rows_ms:.0} ms; settled {:.0} ms",
        verdict(first.is_some_and(|f| f < Duration::from_millis(300))),
        ms(settled)
    );
    println!(
        "  over {secs:.0} idle s: {} bytes in {} writes to the terminal (redraws; one is allowed at the minute boundary)",
        b1 - b0,
        c1 - c0
    );
    let mut total = 0;
    let mut main_thread = 0;
    let mut lines = vec![];
    for (tid, name, n1) in &after {
        let n0 = before
            .iter()
            .find(|(t, _, _)| t == tid)
            .map_or(0, |(_, _, n)| *n);
        let d = n1 - n0;
        total += d;
        if *tid == pid {
            main_thread = d;
        }
        if d > 0 {
            lines.push(format!("{name}[{tid}] {d}"));
        }
    }
    println!(
        "  context switches (wake-ups) over {secs:.0} s: {total} in all threads ({:.1}/s); the event loop's thread (main, runs block_on) {main_thread} ({:.1}/s)",
        total as f64 / secs,
        main_thread as f64 / secs
    );
    println!(
        "  threads that woke: {}",
        if lines.is_empty() {
            "none".to_string()
        } else {
            lines.join(", ")
        }
    );
    let loop_ok = main_thread as f64 / secs <= 1.0 && (c1 - c0) as f64 / secs <= 1.0;
    let all_ok = total as f64 / secs <= 1.0;
    println!(
        "  idle budget (<= 1 wake-up/s, no redraw): event loop {}; whole process {}",
        verdict(loop_ok),
        verdict(all_ok)
    );
    println!(
        "  the console process's memory: VmRSS {rss:.1} MiB, VmHWM {hwm:.1} MiB (budget < 200 MB: {})",
        verdict(hwm * 1024.0 * 1024.0 < 200e6)
    );
    if exited.is_none() {
        println!("  (the console did not quit on `q` within 10 s: killed)");
    }
}

/// The console attached over the socket to an engine in another process.
pub(super) fn connected(dir: &Path, n: usize) {
    let mut server = phase("serve", dir, n)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("serve phase");
    let mut ready = [0u8; 8];
    server
        .stdout
        .as_mut()
        .expect("piped")
        .read_exact(&mut ready)
        .expect("the server says it serves");
    assert_eq!(&ready, b"serving\n");
    on_terminal("connected console (over the socket)", "remote", dir, n);
    let (rss, hwm) = memory(Some(server.id()));
    println!(
        "  the engine's process (ordo serve) meanwhile: VmRSS {rss:.1} MiB, VmHWM {hwm:.1} MiB"
    );
    drop(server.stdin.take());
    let status = server.wait().expect("server exits");
    assert!(status.success(), "serve phase failed: {status}");
}
