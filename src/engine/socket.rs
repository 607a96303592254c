//! The console socket of `ordo serve`: consoles on the same machine (`ordo console --connect
//! SOCKET`) reach the engine through a Unix domain socket, since sled lets only one process open
//! the store. The protocol is in src/client/wire.rs.
//!
//! The socket file is made with mode 0600: the socket is the access control (the server's user
//! only). A socket file left by a crashed server is found stale (nothing answers) and replaced;
//! one a live server answers on makes a second server refuse to start. Each connection is served
//! on its own task, each of its requests concurrently (reads on the blocking pool: they are
//! sled reads; commands through the ledger like any client). Committed changes are pushed to
//! each connection from its own broadcast receiver, so a slow console never holds the ledger
//! back: it falls behind, its missed changes are dropped and it is told to read again.

use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use tokio::io::AsyncWriteExt;
use tokio::net::unix::OwnedWriteHalf;
use tokio::net::{UnixListener, UnixStream};
use tokio::sync::{broadcast, mpsc, watch, Semaphore};
use tokio::task::JoinSet;
use tokio_util::codec::FramedRead;

use crate::client::wire::{
    self, Answer, Call, ChangesOut, HelloAnswer, Request, ServerMsg, Welcome, WireError,
    WireLedgerError,
};
use crate::client::Client;
use crate::ledger::ChangeBatch;

/// The default socket's name in the data dir.
pub const SOCKET_NAME: &str = "ordo.sock";
/// Consoles at once; one more is told so and closed.
const MAX_CONNECTIONS: usize = 64;
/// Requests of one connection being served at once; further frames wait to be read.
const MAX_IN_FLIGHT: usize = 16;
/// Answers and changes waiting for a connection's writer.
const OUT_QUEUE: usize = 64;
/// A client that says nothing this long after connecting is dropped.
const HELLO_TIMEOUT: Duration = Duration::from_secs(10);
/// A console that takes no bytes for this long is dropped (its frames would pile up).
const WRITE_TIMEOUT: Duration = Duration::from_secs(60);
/// sun_path holds 108 bytes with the terminating NUL.
const MAX_PATH: usize = 107;

#[derive(Debug, thiserror::Error)]
pub enum SocketError {
    #[error("another ordo serve is running on {0}")]
    InUse(PathBuf),
    #[error("{0} exists and is not a socket; remove it or name another with --socket")]
    NotASocket(PathBuf),
    #[error("the socket path {path} is {len} bytes long; a Unix socket path takes at most {MAX_PATH}: name a shorter one with --socket")]
    TooLong { path: PathBuf, len: usize },
    #[error("cannot listen on {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// The listening socket; [`SocketServer::stop`] closes every connection and removes the file.
pub struct SocketServer {
    path: PathBuf,
    /// The socket file's inode: removed at stop only if it is still ours.
    ino: u64,
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl SocketServer {
    /// Listens on `path` (inside a tokio runtime) and serves `client` (the engine's own).
    pub async fn start(
        path: &Path,
        client: Client,
        store: &Path,
    ) -> Result<SocketServer, SocketError> {
        let io = |source| SocketError::Io {
            path: path.to_path_buf(),
            source,
        };
        let len = path.as_os_str().len();
        if len > MAX_PATH {
            return Err(SocketError::TooLong {
                path: path.to_path_buf(),
                len,
            });
        }
        clear_stale(path).await?;
        let listener = bind_private(path).map_err(io)?;
        let ino = std::fs::metadata(path).map_err(io)?.ino();
        let welcome = Arc::new(Welcome {
            protocol: wire::PROTOCOL,
            ordo: wire::ORDO_VERSION.into(),
            store: store.display().to_string(),
            locations: client.locations(),
        });
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(accept_loop(listener, client, welcome, stopped));
        Ok(SocketServer {
            path: path.to_path_buf(),
            ino,
            stop,
            task,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Stops accepting, closes the connections, removes the socket file.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
        if std::fs::metadata(&self.path).is_ok_and(|m| m.ino() == self.ino) {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// A socket file at `path`: a live server answers on it (refuse), a stale one is removed.
async fn clear_stale(path: &Path) -> Result<(), SocketError> {
    let meta = match std::fs::symlink_metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(source) => {
            return Err(SocketError::Io {
                path: path.to_path_buf(),
                source,
            })
        }
    };
    if !meta.file_type().is_socket() {
        return Err(SocketError::NotASocket(path.to_path_buf()));
    }
    match UnixStream::connect(path).await {
        Ok(_) => Err(SocketError::InUse(path.to_path_buf())),
        Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
            tracing::info!(socket = %path.display(), "removing the stale socket of a server that is gone");
            std::fs::remove_file(path).or_else(|e| match e.kind() {
                std::io::ErrorKind::NotFound => Ok(()),
                _ => Err(SocketError::Io {
                    path: path.to_path_buf(),
                    source: e,
                }),
            })
        }
        Err(e) => Err(SocketError::Io {
            path: path.to_path_buf(),
            source: e,
        }),
    }
}

/// Binds with mode 0600 from the start: the umask is tightened around bind, so no other user
/// can connect in the moment before a chmod (the chmod after is for a umask that was looser).
fn bind_private(path: &Path) -> std::io::Result<UnixListener> {
    // SAFETY: umask has no preconditions and cannot fail. It is process-wide: a file another
    // thread creates meanwhile gets 0600 at most, more private, never less.
    let old = unsafe { libc::umask(0o177) };
    let bound = UnixListener::bind(path);
    // SAFETY: as above.
    unsafe { libc::umask(old) };
    let listener = bound?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
    Ok(listener)
}

async fn accept_loop(
    listener: UnixListener,
    client: Client,
    welcome: Arc<Welcome>,
    mut stopped: watch::Receiver<bool>,
) {
    // Dropped at the end: every connection's task is aborted with it.
    let mut connections = JoinSet::new();
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = stopped.changed() => break,
            Some(_) = connections.join_next(), if !connections.is_empty() => continue,
        };
        match accepted {
            Ok((stream, _)) => {
                if connections.len() >= MAX_CONNECTIONS {
                    tokio::spawn(refuse(
                        stream,
                        format!("{MAX_CONNECTIONS} consoles are connected already"),
                    ));
                    continue;
                }
                connections.spawn(serve_connection(stream, client.clone(), welcome.clone()));
            }
            Err(e) => {
                // Out of file descriptors and the like: wait instead of spinning.
                tracing::warn!(error = %e, "console socket: accept failed");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
}

async fn refuse(stream: UnixStream, why: String) {
    let (_, mut w) = stream.into_split();
    if let Ok(frame) = wire::to_json(&HelloAnswer::Refused(why)) {
        let _ = tokio::time::timeout(WRITE_TIMEOUT, wire::write_frame(&mut w, &frame)).await;
    }
}

fn error_frame(message: String) -> Option<Vec<u8>> {
    wire::to_json(&ServerMsg::Error { message }).ok()
}

/// One console: the hello, then its requests until it leaves or sends what cannot be read.
async fn serve_connection(stream: UnixStream, client: Client, welcome: Arc<Welcome>) {
    let (r, mut w) = stream.into_split();
    let mut frames = FramedRead::new(r, wire::codec(wire::MAX_REQUEST_FRAME));
    let first = match tokio::time::timeout(HELLO_TIMEOUT, frames.next()).await {
        Ok(Some(Ok(frame))) => frame,
        Ok(Some(Err(e))) => return goodbye(w, format!("the hello cannot be read: {e}")).await,
        Ok(None) => return,
        Err(_) => return goodbye(w, "no hello within 10 s".into()).await,
    };
    let hello = match wire::check_hello(&first) {
        Ok(hello) => hello,
        Err(why) => {
            tracing::info!(%why, "console socket: a connection was refused");
            if let Ok(frame) = wire::to_json(&HelloAnswer::Refused(why)) {
                let _ =
                    tokio::time::timeout(WRITE_TIMEOUT, wire::write_frame(&mut w, &frame)).await;
            }
            return;
        }
    };
    // Subscribed before the welcome: every change committed after it reaches the console.
    let changes = hello.subscribe.then(|| client.subscribe());
    let Ok(frame) = wire::to_json(&HelloAnswer::Welcome((*welcome).clone())) else {
        return;
    };
    if !matches!(
        tokio::time::timeout(WRITE_TIMEOUT, wire::write_frame(&mut w, &frame)).await,
        Ok(Ok(()))
    ) {
        return;
    }
    tracing::info!(ordo = %hello.ordo, "console connected");

    let (out, out_rx) = mpsc::channel::<Vec<u8>>(OUT_QUEUE);
    let writer = tokio::spawn(write_loop(w, out_rx, changes));
    let permits = Arc::new(Semaphore::new(MAX_IN_FLIGHT));
    loop {
        let frame = match frames.next().await {
            None => break,
            Some(Ok(frame)) => frame,
            Some(Err(e)) => {
                // Over the size limit, or the stream ended inside a frame.
                if let Some(f) = error_frame(format!("a frame that cannot be read: {e}")) {
                    let _ = out.send(f).await;
                }
                break;
            }
        };
        let request: Request = match serde_json::from_slice(&frame) {
            Ok(request) => request,
            Err(e) => {
                tracing::info!(error = %e, "console socket: a malformed request; closing");
                if let Some(f) = error_frame(format!("a malformed request: {e}")) {
                    let _ = out.send(f).await;
                }
                break;
            }
        };
        let Ok(permit) = permits.clone().acquire_owned().await else {
            break;
        };
        let client = client.clone();
        let out = out.clone();
        tokio::spawn(async move {
            let result = answer(client, request.call).await;
            let frame = encode_answer(request.id, result);
            let _ = out.send(frame).await;
            drop(permit);
        });
    }
    // The writer sends what is queued (an error, answers still coming) and closes.
    drop(out);
    let _ = writer.await;
}

async fn goodbye(mut w: OwnedWriteHalf, message: String) {
    if let Some(frame) = error_frame(message) {
        let _ = tokio::time::timeout(WRITE_TIMEOUT, wire::write_frame(&mut w, &frame)).await;
    }
}

/// An answer's frame; one too big for the client's limit becomes an error.
fn encode_answer(id: u64, result: Result<Answer, WireError>) -> Vec<u8> {
    let error = |message: String| {
        wire::to_json(&ServerMsg::Answer {
            id,
            result: Err(WireError::Store(message)),
        })
        .unwrap_or_default()
    };
    match wire::to_json(&ServerMsg::Answer { id, result }) {
        Ok(frame) if frame.len() <= wire::MAX_ANSWER_FRAME => frame,
        Ok(frame) => error(format!(
            "the answer is {} bytes, over the socket's limit of {}: ask for fewer rows",
            frame.len(),
            wire::MAX_ANSWER_FRAME
        )),
        Err(e) => error(e),
    }
}

/// Serves one request with the engine's own client.
async fn answer(client: Client, call: Call) -> Result<Answer, WireError> {
    match call {
        Call::Submit { command } => match client.submit(command).await {
            Ok(outcome) => Ok(Answer::Outcome(outcome)),
            Err(e) => Err(WireError::Ledger(WireLedgerError::from(&e))),
        },
        Call::ControlChannel { id, control } => client
            .control_channel(&id, control)
            .map(|()| Answer::Done)
            .map_err(WireError::Channel),
        read => tokio::task::spawn_blocking(move || read_call(&client, read))
            .await
            .unwrap_or_else(|e| Err(WireError::Store(format!("the read failed: {e}")))),
    }
}

/// The reads: sled reads, on the blocking pool.
fn read_call(client: &Client, call: Call) -> Result<Answer, WireError> {
    let store = |e: crate::store::StoreError| WireError::Store(e.to_string());
    Ok(match call {
        Call::Orders {
            query,
            offset,
            limit,
        } => Answer::Orders(client.orders(&query, offset, limit).map_err(store)?),
        Call::Order { id } => Answer::Order(client.order(id).map_err(store)?.map(Box::new)),
        Call::Counters => Answer::Counters(client.counters()),
        Call::Stock {
            query,
            offset,
            limit,
        } => Answer::Stock(
            client
                .stock_matching(&query, offset, limit)
                .map_err(store)?,
        ),
        Call::AvailableToSell { skus } => {
            let skus: Vec<&str> = skus.iter().map(String::as_str).collect();
            Answer::AvailableToSell(client.available_to_sell(&skus).map_err(store)?)
        }
        Call::Channels => Answer::Channels(client.channels()),
        Call::RecentEvents { limit } => Answer::Events(client.recent_events(limit).map_err(store)?),
        Call::Quarantined => Answer::Quarantined(client.quarantined().map_err(store)?),
        Call::Quarantine { id } => Answer::Quarantine(client.quarantine(id).map_err(store)?),
        Call::Rules => Answer::Rules(client.rules()),
        Call::LocationCounts { locations, bound } => {
            Answer::LocationCounts(client.location_counts(&locations, bound).map_err(store)?)
        }
        Call::Submit { .. } | Call::ControlChannel { .. } => {
            return Err(WireError::Store("not a read".into()))
        }
    })
}

/// Writes answers and, when subscribed, committed changes, until the connection's reader is
/// done and everything queued is sent, or the console stops taking bytes.
async fn write_loop(
    mut w: OwnedWriteHalf,
    mut out: mpsc::Receiver<Vec<u8>>,
    mut changes: Option<broadcast::Receiver<ChangeBatch>>,
) {
    loop {
        let frame = tokio::select! {
            // Answers first: a console waiting for a page should not wait behind changes.
            biased;
            frame = out.recv() => match frame {
                Some(frame) => frame,
                None => break,
            },
            batch = recv_changes(&mut changes) => match batch {
                Ok(batch) => match wire::to_json(&ChangesOut::Changes { events: &batch }) {
                    Ok(frame) if frame.len() <= wire::MAX_ANSWER_FRAME => frame,
                    _ => resync(1),
                },
                Err(broadcast::error::RecvError::Lagged(missed)) => {
                    tracing::info!(missed, "a console fell behind the changes: resync");
                    resync(missed)
                }
                Err(broadcast::error::RecvError::Closed) => {
                    // The ledger stopped: no more changes, answers still go out.
                    changes = None;
                    continue;
                }
            },
        };
        match tokio::time::timeout(WRITE_TIMEOUT, wire::write_frame(&mut w, &frame)).await {
            Ok(Ok(())) => {}
            Ok(Err(_)) => return,
            Err(_) => {
                tracing::warn!("a console took no bytes for 60 s: closing its connection");
                return;
            }
        }
    }
    let _ = w.shutdown().await;
}

async fn recv_changes(
    changes: &mut Option<broadcast::Receiver<ChangeBatch>>,
) -> Result<ChangeBatch, broadcast::error::RecvError> {
    match changes {
        Some(rx) => rx.recv().await,
        None => std::future::pending().await,
    }
}

fn resync(missed: u64) -> Vec<u8> {
    // A two-field message always encodes.
    wire::to_json(&ServerMsg::Resync { missed }).unwrap_or_default()
}
