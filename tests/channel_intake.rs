//! The ledger's side of the channels: a page and its cursor land in one commit (invariant 1),
//! a webhook delivery id is taken once, the same unmappable payload does not pile up in
//! quarantine, and a cancellation of an order ordo never saw is kept.

#[path = "common/orders.rs"]
mod orders;

use chrono::{TimeZone, Utc};
use rust_decimal::Decimal;

use ordo::config::Config;
use ordo::engine::Engine;
use ordo::ledger::{Command, LedgerHandle, Origin, Outcome};
use ordo::model::{ChannelCursor, ChannelOrder, Line, OrderStatus, Sweep, Totals};

const CONFIG: &str = r#"
[[locations]]
id = "wh-east"
kind = "warehouse"
priority = 1
lat = 40.7357
lon = -74.1724
"#;

fn engine(dir: &std::path::Path) -> Engine {
    std::fs::write(dir.join("ordo.toml"), CONFIG).unwrap();
    let config = Config::load(&dir.join("ordo.toml")).unwrap();
    Engine::open(&config, &dir.join("data")).unwrap()
}

fn stock(ledger: &LedgerHandle, on_hand: i64) {
    ledger
        .submit_blocking(orders::set_stock("TEE", "wh-east", on_hand, Some(0)))
        .unwrap();
}

fn order(ext: &str, qty: u32, minute: u32, cancelled: bool) -> ChannelOrder {
    let at = Utc.with_ymd_and_hms(2026, 11, 28, 9, minute, 0).unwrap();
    let lines = if qty == 0 {
        vec![]
    } else {
        vec![Line {
            channel_line_id: Some("L1".into()),
            ..orders::line(1, "TEE", qty)
        }]
    };
    ChannelOrder {
        created_at: Utc.with_ymd_and_hms(2026, 11, 28, 9, 0, 0).unwrap(),
        cancelled,
        totals: Totals {
            total: Decimal::new(1000 * i64::from(qty), 2),
            ..Totals::default()
        },
        ..orders::paid_order("shop", ext, at, lines)
    }
}

fn ingest(co: ChannelOrder) -> Command {
    Command::Ingest {
        order: Box::new(co),
        origin: Origin {
            source: "shop".into(),
            format: "shopify-test".into(),
            raw: Some("{}".into()),
        },
        resolves: None,
    }
}

fn cursor(minute: u32, next: Option<&str>) -> ChannelCursor {
    let at = Utc.with_ymd_and_hms(2026, 11, 28, 9, minute, 0).unwrap();
    match next {
        Some(next) => ChannelCursor {
            watermark: None,
            sweep: Some(Sweep {
                from: at,
                next: next.into(),
                latest_change: Some(at),
                pages: 1,
            }),
            last_sweep_at: None,
        },
        None => ChannelCursor {
            watermark: Some(at),
            sweep: None,
            last_sweep_at: Some(at),
        },
    }
}

#[test]
fn a_page_and_its_cursor_commit_together_and_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let e = engine(dir.path());
    stock(&e.ledger(), 10);
    let out = e
        .ledger()
        .submit_blocking(Command::Batch {
            channel: "shop".into(),
            items: vec![
                ingest(order("A", 2, 1, false)),
                ingest(order("B", 3, 2, false)),
            ],
            cursor: Some(cursor(2, Some("page-2-token"))),
            delivery: None,
        })
        .unwrap();
    let Outcome::Batch { outcomes } = out else {
        panic!("{out:?}")
    };
    assert!(
        outcomes
            .iter()
            .all(|o| matches!(o, Ok(Outcome::Created { .. }))),
        "{outcomes:?}"
    );
    e.shutdown();

    let e = engine(dir.path());
    let stored = e.store().cursor("shop").unwrap();
    assert_eq!(stored, cursor(2, Some("page-2-token")));
    assert!(e.store().order_id("shop", "A").unwrap().is_some());
    assert!(e.store().order_id("shop", "B").unwrap().is_some());
    // A channel with no cursor yet starts from nothing.
    assert_eq!(e.store().cursor("other").unwrap(), ChannelCursor::default());
    e.shutdown();
}

#[test]
fn a_delivery_id_is_taken_once_even_across_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let e = engine(dir.path());
    stock(&e.ledger(), 10);
    let send = |ledger: &LedgerHandle, co: ChannelOrder| {
        ledger
            .submit_blocking(Command::Batch {
                channel: "shop".into(),
                items: vec![ingest(co)],
                cursor: None,
                delivery: Some("event:42".into()),
            })
            .unwrap()
    };
    assert!(matches!(
        send(&e.ledger(), order("A", 2, 1, false)),
        Outcome::Batch { .. }
    ));
    // The same delivery id again, even with a newer payload, applies nothing.
    let again = send(&e.ledger(), order("A", 5, 9, false));
    assert_eq!(
        again,
        Outcome::DuplicateDelivery {
            delivery: "event:42".into()
        }
    );
    e.shutdown();
    let e = engine(dir.path());
    let again = send(&e.ledger(), order("A", 5, 9, false));
    assert!(matches!(again, Outcome::DuplicateDelivery { .. }));
    let id = e.store().order_id("shop", "A").unwrap().unwrap();
    let o = e.store().order(id).unwrap().unwrap();
    assert_eq!(
        o.channel_order.lines[0].quantity, 2,
        "the duplicate changed the order"
    );
    e.shutdown();
}

#[test]
fn the_same_unmappable_payload_is_quarantined_once() {
    let dir = tempfile::tempdir().unwrap();
    let e = engine(dir.path());
    let bad = || Command::Quarantine {
        origin: Origin {
            source: "shop".into(),
            format: "shopify-test".into(),
            raw: Some(r#"{"id":7,"line_items":[{"sku":null}]}"#.into()),
        },
        reason: "line 1 has no SKU".into(),
        existing: None,
    };
    let Outcome::Quarantined { id: first, .. } = e.ledger().submit_blocking(bad()).unwrap() else {
        panic!()
    };
    // A poll's overlap brings it again; a restart must remember it too.
    let Outcome::Quarantined { id: second, .. } = e.ledger().submit_blocking(bad()).unwrap() else {
        panic!()
    };
    assert_eq!(first, second);
    e.shutdown();
    let e = engine(dir.path());
    let Outcome::Quarantined { id: third, .. } = e.ledger().submit_blocking(bad()).unwrap() else {
        panic!()
    };
    assert_eq!(first, third);
    assert_eq!(e.store().quarantined().count(), 1);
    e.shutdown();
}

#[test]
fn an_edit_lowers_the_reservation_and_a_cancel_without_lines_releases_it() {
    let dir = tempfile::tempdir().unwrap();
    let e = engine(dir.path());
    stock(&e.ledger(), 10);
    let l = e.ledger();
    l.submit_blocking(ingest(order("A", 4, 1, false))).unwrap();
    let level = |e: &Engine| e.client().stock(0, 10).unwrap().rows[0].level;
    assert_eq!(level(&e).reserved, 4);
    l.submit_blocking(ingest(order("A", 1, 2, false))).unwrap();
    assert_eq!(level(&e).reserved, 1, "the edit kept the old reservation");
    // Amazon cancels name the order without its lines.
    let out = l.submit_blocking(ingest(order("A", 0, 3, true))).unwrap();
    assert!(
        matches!(
            out,
            Outcome::Updated {
                status: OrderStatus::Cancelled,
                ..
            }
        ),
        "{out:?}"
    );
    assert_eq!(level(&e).reserved, 0);
    // A cancellation of an order ordo never had is kept as a cancelled order, not quarantined.
    let out = l.submit_blocking(ingest(order("Z", 0, 3, true))).unwrap();
    assert!(
        matches!(
            out,
            Outcome::Created {
                status: OrderStatus::Cancelled,
                ..
            }
        ),
        "{out:?}"
    );
    e.shutdown();
}
