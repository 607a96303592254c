//! The console socket of a real `ordo serve` process: clients connected over it read what the
//! store holds, send commands through the ledger and follow each other's changes; the server
//! survives malformed frames, refuses another protocol version and a second server on its
//! socket, replaces a stale socket, removes its socket on SIGTERM, and a client reconnects after
//! the server restarts.

mod common;
mod serve;

use std::collections::BTreeMap;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::time::{Duration, Instant};

use common::{order_line, Sandbox};
use ordo::client::{Client, OrderQuery};
use ordo::ledger::{Command, LedgerError};
use ordo::model::{Actor, EventKind, Order, OrderStatus};
use serve::{hello, hello_with, raw, read_frame, write_frame, Serve};
use tokio::sync::broadcast;

/// A store with stock and `n` orders (ingested before the server starts: the store is then
/// the server's alone).
fn sandbox_with_orders(n: usize) -> Sandbox {
    let s = Sandbox::new();
    s.stock(&[("TEE-M", "wh-east", 50), ("MUG", "wh-west", 2)]);
    let lines: Vec<String> = (0..n)
        .map(|i| {
            let sku = if i % 3 == 0 { "MUG" } else { "TEE-M" };
            order_line(
                "web",
                &format!("A{i}"),
                "2026-11-28T09:05:00Z",
                &[(sku, 1)],
                false,
            )
        })
        .collect();
    let file = s.write("orders.jsonl", &(lines.join("\n") + "\n"));
    s.ok(&["ingest", file.to_str().unwrap()]);
    s
}

fn stored_orders(s: &Sandbox) -> Vec<Order> {
    s.orders_json()
        .into_iter()
        .map(|v| serde_json::from_value(v).expect("an exported order reads back"))
        .collect()
}

/// Waits for a batch with an event that satisfies `ok`, skipping others (and empty "read
/// again" batches).
fn wait_for_change(
    rx: &mut broadcast::Receiver<ordo::ledger::ChangeBatch>,
    what: &str,
    ok: impl Fn(&ordo::model::Event) -> bool,
) {
    wait_for_batch(rx, what, |batch| batch.iter().any(&ok))
}

fn wait_for_batch(
    rx: &mut broadcast::Receiver<ordo::ledger::ChangeBatch>,
    what: &str,
    ok: impl Fn(&[ordo::model::Event]) -> bool,
) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            match tokio::time::timeout_at(deadline, rx.recv()).await {
                Ok(Ok(batch)) if ok(&batch) => return,
                Ok(Ok(_)) | Ok(Err(broadcast::error::RecvError::Lagged(_))) => continue,
                Ok(Err(e)) => panic!("the subscription ended waiting for {what}: {e}"),
                Err(_) => panic!("no change within 10 s: {what}"),
            }
        }
    })
}

fn submit(client: &Client, command: Command) -> ordo::ledger::Reply {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(client.submit(command))
}

#[test]
fn two_clients_read_the_store_and_follow_each_others_commands() {
    let s = sandbox_with_orders(6);
    let stored = stored_orders(&s);
    assert_eq!(stored.len(), 6);
    let serve = Serve::start(&s, &[]);
    let mode = std::fs::metadata(&serve.socket)
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600, "the socket is the server user's only");

    let a = Client::connect(&serve.socket).expect("first client connects");
    let b = Client::connect(&serve.socket).expect("a second client at the same time");
    assert_eq!(a.remote_socket(), Some(serve.socket.as_path()));
    let locations = a.locations();
    let names: Vec<&str> = locations.iter().map(|l| l.id.as_str()).collect();
    assert_eq!(names, ["wh-east", "wh-west", "store-nyc"]);

    // Orders: the same records, newest first, paged like the in-process client.
    let page = a.orders(&OrderQuery::default(), 0, 100).unwrap();
    assert!(!page.more);
    let mut expected = stored.clone();
    expected.reverse();
    assert_eq!(
        page.rows, expected,
        "orders over the socket equal the store's"
    );
    let first = a.orders(&OrderQuery::default(), 1, 2).unwrap();
    assert_eq!(first.rows, expected[1..3].to_vec());
    assert!(first.more);
    let allocated = OrderQuery {
        status: Some(OrderStatus::Allocated),
        ..OrderQuery::default()
    };
    let want: Vec<&Order> = expected
        .iter()
        .filter(|o| o.status == OrderStatus::Allocated)
        .collect();
    let got = b.orders(&allocated, 0, 100).unwrap().rows;
    assert_eq!(got.iter().collect::<Vec<_>>(), want);

    // Counters agree with the stored statuses.
    let mut by_status: BTreeMap<OrderStatus, u64> = BTreeMap::new();
    for o in &stored {
        *by_status.entry(o.status).or_default() += 1;
    }
    let counters = a.counters();
    let nonzero: BTreeMap<OrderStatus, u64> = counters
        .by_status
        .iter()
        .filter(|(_, n)| **n > 0)
        .map(|(s, n)| (*s, *n))
        .collect();
    assert_eq!(nonzero, by_status);

    // An order's detail: the order, its history and its routing decision.
    let target = want.first().expect("some order was allocated").id;
    let detail = a.order(target).unwrap().expect("the order exists");
    assert_eq!(&detail.order, *want.first().unwrap());
    assert_eq!(detail.history.len(), detail.order.history.len());
    assert!(detail.decision.is_some(), "an allocated order was routed");
    assert!(a.order(999_999).unwrap().is_none());

    // Stock, events, rules.
    let stock = a.stock(0, 10).unwrap();
    assert_eq!(stock.rows.len(), 2);
    let mug = stock.rows.iter().find(|r| r.key.sku == "MUG").unwrap();
    assert_eq!(mug.level.on_hand, 2);
    assert_eq!(
        mug.level.reserved, 2,
        "two of the MUG orders got the two units"
    );
    assert!(!a.recent_events(5).unwrap().is_empty());
    assert!(a.rules().last_error.is_none());
    assert!(a.quarantined().unwrap().is_empty());

    // A hold through one client is seen by the other's subscription, and by its reads.
    let mut changes = b.subscribe();
    let reply = submit(
        &a,
        Command::Hold {
            id: target,
            reason: "address check".into(),
            by: Actor::Operator("ann".into()),
        },
    );
    assert!(reply.is_ok(), "hold over the socket: {reply:?}");
    wait_for_change(&mut changes, "the hold", |e| {
        e.order_id == Some(target) && matches!(e.kind, EventKind::Held)
    });
    let held = b.order(target).unwrap().unwrap().order;
    assert_eq!(held.status, OrderStatus::Held);
    assert_eq!(held.hold_reason.as_deref(), Some("address check"));
    assert_eq!(
        b.counters().by_status.get(&OrderStatus::Held).copied(),
        Some(1)
    );

    // The ledger's refusals keep their kind across the socket.
    let refused = submit(
        &b,
        Command::Release {
            id: 999_999,
            by: Actor::Operator("bob".into()),
        },
    );
    assert!(
        matches!(refused, Err(LedgerError::NoSuchOrder(999_999))),
        "{refused:?}"
    );
    drop((a, b));
    assert!(serve.stop().success());
}

#[test]
fn bad_frames_are_answered_with_an_error_and_the_server_survives() {
    let s = sandbox_with_orders(2);
    let serve = Serve::start(&s, &[]);
    let protocol = ordo::client::wire::PROTOCOL;

    // Another protocol version: refused, with both versions named.
    let mut old = raw(&serve.socket);
    let answer = hello(&mut old, protocol + 1);
    let why = answer["refused"].as_str().expect("a refusal");
    assert!(why.contains("protocol mismatch"), "{why}");
    assert!(why.contains("0.0.1-test"), "{why}");
    assert!(read_frame(&mut old).is_none(), "closed after the refusal");

    // Something that is not an ordo console at all (an HTTP request): its first four bytes
    // read as a length over the limit.
    let mut http = raw(&serve.socket);
    http.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let answer = read_frame(&mut http).expect("an error frame");
    assert!(answer["error"]["message"].is_string(), "{answer}");
    assert!(read_frame(&mut http).is_none());

    // A good hello, then a request that is not JSON: an error, then the connection closes.
    let mut bad = raw(&serve.socket);
    assert!(hello(&mut bad, protocol)["welcome"]["store"].is_string());
    write_frame(&mut bad, b"{\"id\": 1, \"call\": ");
    let answer = loop {
        // Changes may arrive first (this connection is subscribed).
        let frame = read_frame(&mut bad).expect("an error frame before the close");
        if frame.get("error").is_some() {
            break frame;
        }
    };
    let message = answer["error"]["message"].as_str().unwrap();
    assert!(message.contains("malformed request"), "{message}");
    assert!(read_frame(&mut bad).is_none());

    // A well-formed request of an unknown call: the same.
    let mut unknown = raw(&serve.socket);
    hello(&mut unknown, protocol);
    write_frame(&mut unknown, br#"{"id": 2, "call": "format_disk"}"#);
    let answer = loop {
        let frame = read_frame(&mut unknown).expect("an error frame");
        if frame.get("error").is_some() {
            break frame;
        }
    };
    assert!(answer["error"]["message"]
        .as_str()
        .unwrap()
        .contains("format_disk"));

    // A good request on a raw connection is answered with its id.
    let mut good = raw(&serve.socket);
    hello(&mut good, protocol);
    write_frame(&mut good, br#"{"id": 41, "call": "counters"}"#);
    let answer = loop {
        let frame = read_frame(&mut good).expect("an answer");
        if frame.get("answer").is_some() {
            break frame;
        }
    };
    assert_eq!(answer["answer"]["id"], 41);
    assert!(answer["answer"]["result"]["Ok"]["counters"]["by_status"].is_object());

    // The server is still there for a real client.
    let client = Client::connect(&serve.socket).expect("the server survived");
    assert_eq!(
        client
            .orders(&OrderQuery::default(), 0, 10)
            .unwrap()
            .rows
            .len(),
        2
    );
    assert!(child_alive(&serve));
    drop(client);
    assert!(serve.stop().success());
}

fn child_alive(serve: &Serve) -> bool {
    // SAFETY: signal 0 only checks that the process exists.
    unsafe { libc::kill(serve.child.id() as i32, 0) == 0 }
}

#[test]
fn one_server_a_socket_a_stale_socket_is_replaced_and_sigterm_removes_it() {
    let s = sandbox_with_orders(1);
    let other = Sandbox::new();
    let serve = Serve::start(&s, &[]);

    // A second server (another store) on the same socket refuses to start.
    let socket = serve.socket.to_str().unwrap().to_string();
    let out = other.run(&["serve", "--socket", &socket]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("another ordo serve is running on {socket}")),
        "{err}"
    );
    assert!(child_alive(&serve), "the first server is untouched");
    assert!(Client::connect(&serve.socket).is_ok());

    // kill -9 leaves the socket file; the next server finds it stale and takes it over.
    let mut killed = serve;
    killed.child.kill().unwrap();
    killed.child.wait().unwrap();
    assert!(
        killed.socket.exists(),
        "a crashed server leaves its socket file"
    );
    assert!(
        Client::connect(&killed.socket).is_err(),
        "nothing answers on a stale socket"
    );
    drop(killed);
    let serve = Serve::start(&s, &[]);
    let client = Client::connect(&serve.socket).expect("the new server listens");
    assert_eq!(
        client
            .orders(&OrderQuery::default(), 0, 10)
            .unwrap()
            .rows
            .len(),
        1
    );
    drop(client);

    // SIGTERM: a clean stop removes the socket file.
    let socket = serve.socket.clone();
    let status = serve.stop();
    assert!(status.success(), "{status:?}");
    assert!(
        !socket.exists(),
        "the socket file is removed at a clean stop"
    );

    // --socket names another path, which works the same.
    let custom = s.path("consoles.sock");
    let serve = Serve::start(&s, &["--socket", custom.to_str().unwrap()]);
    assert!(Client::connect(&custom).is_ok());
    assert!(serve.stop().success());
    assert!(!custom.exists());
}

#[test]
fn a_client_reconnects_after_the_server_restarts() {
    let s = sandbox_with_orders(3);
    let serve = Serve::start(&s, &[]);
    let client = Client::connect(&serve.socket).unwrap();
    let mut changes = client.subscribe();
    assert_eq!(
        client
            .orders(&OrderQuery::default(), 0, 10)
            .unwrap()
            .rows
            .len(),
        3
    );
    let counters = client.counters();

    assert!(serve.stop().success());
    // Reads fail with the reason while the server is gone; the last counters stay.
    let start = Instant::now();
    let error = loop {
        match client.orders(&OrderQuery::default(), 0, 10) {
            Err(e) => break e.to_string(),
            Ok(_) => {
                assert!(
                    start.elapsed() < Duration::from_secs(10),
                    "reads still work"
                );
                std::thread::sleep(Duration::from_millis(20));
            }
        }
    };
    assert!(
        error.contains("ordo serve") && error.contains("reconnecting")
            || error.contains("cannot connect"),
        "{error}"
    );
    assert!(!client.connected());
    assert_eq!(client.counters(), counters);
    wait_for_batch(&mut changes, "the empty batch that says read again", |b| {
        b.is_empty()
    });

    // The server comes back with one more location: the console's list follows it.
    let config = std::fs::read_to_string(s.path("ordo.toml")).unwrap();
    s.write(
        "ordo.toml",
        &format!("{config}\n[[locations]]\nid = \"wh-new\"\nkind = \"warehouse\"\n"),
    );
    let serve = Serve::start(&s, &[]);
    let start = Instant::now();
    while !client.connected() {
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "no reconnect within 15 s"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(
        client
            .orders(&OrderQuery::default(), 0, 10)
            .unwrap()
            .rows
            .len(),
        3
    );
    assert!(
        client.locations().iter().any(|l| l.id == "wh-new"),
        "the restarted server's locations"
    );
    // Changes flow again on the same subscription.
    let id = client.orders(&OrderQuery::default(), 0, 1).unwrap().rows[0].id;
    submit(
        &client,
        Command::Hold {
            id,
            reason: "after the restart".into(),
            by: Actor::Operator("ann".into()),
        },
    )
    .unwrap();
    wait_for_change(&mut changes, "the hold after reconnecting", |e| {
        e.order_id == Some(id) && matches!(e.kind, EventKind::Held)
    });
    drop(client);
    assert!(serve.stop().success());
}

#[test]
fn a_console_that_stops_reading_is_told_to_resync_and_holds_nobody_back() {
    let s = sandbox_with_orders(1);
    let serve = Serve::start(&s, &[]);
    let client = Client::connect(&serve.socket).unwrap();
    let id = client.orders(&OrderQuery::default(), 0, 1).unwrap().rows[0].id;
    // A subscribed connection that reads nothing while the ledger commits group after group.
    let mut sleeper = raw(&serve.socket);
    assert!(hello_with(&mut sleeper, ordo::client::wire::PROTOCOL, true)["welcome"].is_object());
    let by = Actor::Operator("ann".into());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let started = Instant::now();
    // Each command is its own group (sent one after the other), so its own change batch: more
    // than the socket's buffer and the ledger's 1024 batches of backlog hold.
    let commands = 2500;
    rt.block_on(async {
        for i in 0..commands {
            let command = if i % 2 == 0 {
                Command::Hold {
                    id,
                    reason: format!("round {i}"),
                    by: by.clone(),
                }
            } else {
                Command::Release { id, by: by.clone() }
            };
            client.submit(command).await.expect("commands go on");
        }
    });
    eprintln!(
        "{commands} commands over the socket in {:?} while a console slept",
        started.elapsed()
    );
    // Now the sleeper reads: changes, then a resync notice for what it missed.
    let mut resync = None;
    while let Some(frame) = read_frame(&mut sleeper) {
        if let Some(r) = frame.get("resync") {
            resync = Some(r["missed"].as_u64().unwrap());
            break;
        }
    }
    let missed = resync.expect("a resync notice");
    assert!(missed > 0);
    assert!(serve.stop().success());
}
