//! A real `ordo serve` for the socket tests, and its socket spoken raw (frames, hello).
#![allow(dead_code)]

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use crate::common::Sandbox;

/// A running `ordo serve`; SIGKILLed if the test ends without stopping it.
pub struct Serve {
    pub child: Child,
    pub socket: PathBuf,
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Serve {
    /// Starts `ordo serve` on the sandbox's store and waits until its socket answers.
    pub fn start(s: &Sandbox, extra: &[&str]) -> Serve {
        let socket = extra
            .iter()
            .position(|a| *a == "--socket")
            .map(|i| PathBuf::from(extra[i + 1]))
            .unwrap_or_else(|| s.path("data").join("ordo.sock"));
        let mut child = s
            .cmd()
            .arg("serve")
            .args(extra)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run ordo serve");
        let start = Instant::now();
        while UnixStream::connect(&socket).is_err() {
            if let Some(status) = child.try_wait().unwrap() {
                let mut err = String::new();
                child
                    .stderr
                    .take()
                    .unwrap()
                    .read_to_string(&mut err)
                    .unwrap();
                panic!("ordo serve exited with {status}: {err}");
            }
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "ordo serve did not listen on {} within 30 s",
                socket.display()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Serve { child, socket }
    }

    /// SIGTERM, and the exit status.
    pub fn stop(mut self) -> std::process::ExitStatus {
        // SAFETY: kill has no memory-safety preconditions; the pid is our live child's.
        unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) };
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "ordo serve did not stop within 30 s of SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

pub fn write_frame(stream: &mut UnixStream, body: &[u8]) {
    stream
        .write_all(&(body.len() as u32).to_be_bytes())
        .unwrap();
    stream.write_all(body).unwrap();
}

/// The next frame's body; None at the end of the stream.
pub fn read_frame_bytes(stream: &mut UnixStream) -> Option<Vec<u8>> {
    let mut len = [0u8; 4];
    if stream.read_exact(&mut len).is_err() {
        return None;
    }
    let mut body = vec![0u8; u32::from_be_bytes(len) as usize];
    stream.read_exact(&mut body).unwrap();
    Some(body)
}

/// The next frame as JSON; None at the end of the stream.
pub fn read_frame(stream: &mut UnixStream) -> Option<serde_json::Value> {
    let body = read_frame_bytes(stream)?;
    Some(serde_json::from_slice(&body).expect("the server sends JSON"))
}

pub fn raw(socket: &Path) -> UnixStream {
    let stream = UnixStream::connect(socket).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream
}

pub fn hello(stream: &mut UnixStream, protocol: u32) -> serde_json::Value {
    hello_with(stream, protocol, false)
}

pub fn hello_with(stream: &mut UnixStream, protocol: u32, subscribe: bool) -> serde_json::Value {
    let hello = serde_json::json!({"hello": {"protocol": protocol, "ordo": "0.0.1-test", "subscribe": subscribe}});
    write_frame(stream, hello.to_string().as_bytes());
    read_frame(stream).expect("an answer to the hello")
}
