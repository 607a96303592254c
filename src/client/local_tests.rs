//! The engine's read path for a filtered page, on a real store and ledger: matching beside the
//! index terms, paging over the matches, and the scan bound reported (with a bound of a few
//! orders, so that the test does not need 20,000).

use chrono::{DateTime, TimeZone, Utc};

use crate::client::filter::Filter;
use crate::client::{Client, Page};
use crate::engine::Engine;
use crate::ledger::Outcome;
use crate::model::{ChannelOrder, Order};
use crate::test_support::{self, warehouse};

const NAMES: [&str; 3] = ["Ada Lovelace", "Grace Hopper", "Alan Turing"];
const CHANNELS: [&str; 2] = ["shopify", "amazon"];

/// Order `i` (ids 1..=n in ingest order): customers and channels in turn, created `i` hours
/// after 2026-11-27 00:00.
fn channel_order(i: usize) -> ChannelOrder {
    let created =
        Utc.with_ymd_and_hms(2026, 11, 27, 0, 0, 0).unwrap() + chrono::Duration::hours(i as i64);
    let sku = if i.is_multiple_of(2) {
        "TSHIRT-M-BLK"
    } else {
        "MUG"
    };
    serde_json::from_value(serde_json::json!({
        "channel": CHANNELS[i % 2], "external_id": format!("e{i}"), "number": format!("#{}", 1000 + i),
        "created_at": created, "updated_at": created,
        "customer": {"name": NAMES[i % 3], "email": format!("c{i}@example.com")},
        "ship_to": {"line1": "1 Main St", "city": "Springfield", "postal_code": "62701", "country": "US"},
        "lines": [{"sku": sku, "quantity": 1, "unit_price": "1.00"}],
        "totals": {"total": "1.00"}, "currency": "USD"
    }))
    .expect("a valid order")
}

fn engine(n: usize) -> (tempfile::TempDir, Engine) {
    let stock = [("TSHIRT-M-BLK", "wh", 1000), ("MUG", "wh", 1000)];
    let (dir, engine) = test_support::engine(vec![warehouse("wh", 1)], &stock);
    for i in 0..n {
        let outcome = test_support::ingest(&engine, channel_order(i));
        assert!(
            !matches!(outcome, Outcome::Quarantined { .. }),
            "{outcome:?}"
        );
    }
    (dir, engine)
}

/// The read the console's filter makes, with a scan bound and a fixed now.
fn read(
    client: &Client,
    filter: &str,
    offset: usize,
    limit: usize,
    scan: usize,
    now: DateTime<Utc>,
) -> Page<Order> {
    let super::super::Transport::Local(local) = &client.transport else {
        unreachable!("an engine's client is in-process");
    };
    let f = Filter::parse(filter);
    assert!(f.unknown.is_empty(), "{:?}", f.unknown);
    local
        .orders_within(&f.query, offset, limit, scan, now)
        .unwrap()
}

fn numbers(page: &Page<Order>) -> Vec<&str> {
    page.rows
        .iter()
        .map(|o| o.channel_order.number.as_str())
        .collect()
}

#[test]
fn a_filtered_page_is_matched_in_the_engine_and_the_scan_is_bounded() {
    let (_dir, engine) = engine(30);
    let client = engine.client();
    let now = Utc.with_ymd_and_hms(2026, 11, 28, 12, 0, 0).unwrap();

    // Ada's orders are i = 0, 3, 6 .. 27: newest first, a page of 3 and more behind it.
    let page = read(&client, "lovlace", 0, 3, 1000, now);
    assert_eq!(numbers(&page), ["#1027", "#1024", "#1021"]);
    assert!(page.more && page.capped.is_none());
    // The next page skips the matches, not the index's rows.
    let page = read(&client, "lovlace", 3, 100, 1000, now);
    assert_eq!(
        numbers(&page),
        ["#1018", "#1015", "#1012", "#1009", "#1006", "#1003", "#1000"]
    );
    assert!(!page.more && page.capped.is_none());

    // Words beside index terms: Ada's amazon orders (odd i) bought the mug.
    let page = read(&client, "ch:amazon ada sku:mu?", 0, 100, 1000, now);
    assert_eq!(
        numbers(&page),
        ["#1027", "#1021", "#1015", "#1009", "#1003"]
    );
    let page = read(&client, "ch:amazon sku:tshirt-*", 0, 100, 1000, now);
    assert!(page.rows.is_empty());

    // Ages from the given now (i = 29 was created at 05:00 on the 28th, 7 h before).
    let page = read(&client, "age:<10h", 0, 100, 1000, now);
    assert_eq!(numbers(&page), ["#1029", "#1028", "#1027"]);
    let page = read(&client, "age:>1d", 0, 100, 1000, now);
    assert_eq!(
        page.rows.len(),
        12,
        "created before 12:00 on the 27th: i = 0..=11"
    );

    // The bound: the newest 10 orders are read, then the scan stops and says so.
    let page = read(&client, "zebra", 0, 5, 10, now);
    assert!(page.rows.is_empty() && !page.more);
    assert_eq!(page.capped, Some(10));
    let page = read(&client, "ada", 0, 100, 10, now);
    assert_eq!(numbers(&page), ["#1027", "#1024", "#1021"]);
    assert_eq!(page.capped, Some(10));
    // A page filled before the bound is not capped; a scan that reads the whole index is not.
    let page = read(&client, "ada", 0, 2, 10, now);
    assert_eq!((page.more, page.capped), (true, None));
    let page = read(&client, "ada", 0, 100, 30, now);
    assert_eq!((page.rows.len(), page.capped), (10, None));
    // Index terms alone are no scan: never capped.
    let page = read(&client, "ch:amazon", 0, 100, 1, now);
    assert_eq!((page.rows.len(), page.capped), (15, None));

    drop(client);
    engine.shutdown();
}
