//! The console's `/` filter through a real `ordo serve`: words (fuzzy), SKU globs and age
//! bounds are matched by the server, which answers with the page alone; the bytes on the
//! socket are a page's, not the whole list's.

mod common;
mod serve;

use chrono::{Duration, Utc};
use common::Sandbox;
use ordo::client::filter::Filter;
use ordo::client::wire::{self, Call, Request};
use ordo::client::{Client, OrderQuery, StockFilter};
use ordo::model::Order;
use serve::{hello, raw, read_frame_bytes, write_frame, Serve};

const NAMES: [&str; 4] = ["Ada Lovelace", "Grace Hopper", "Alan Turing", "José Müller"];
const N: usize = 120;

/// `N` orders: customers in turn, a T-shirt every third order and mugs otherwise, order `i` created `N - i` hours
/// and a half ago (so `age:` bounds in whole hours never fall on one while the test runs).
fn sandbox() -> Sandbox {
    let s = Sandbox::new();
    s.stock(&[("TSHIRT-M-BLK", "wh-east", 1000), ("MUG", "wh-west", 1000)]);
    let now = Utc::now();
    let lines: Vec<String> = (0..N)
        .map(|i| {
            let created = now - Duration::minutes(((N - i) * 60 + 30) as i64);
            let sku = if i.is_multiple_of(3) {
                "TSHIRT-M-BLK"
            } else {
                "MUG"
            };
            serde_json::json!({
                "channel": "web", "external_id": format!("F{i}"), "number": format!("#F{i}"),
                "created_at": created, "updated_at": created,
                "customer": {"name": NAMES[i % NAMES.len()], "email": format!("c{i}@example.com")},
                "ship_to": {"line1": "12 Main Street", "city": "Springfield", "region": "IL",
                            "postal_code": "62701", "country": "US"},
                "lines": [{"sku": sku, "quantity": 1, "unit_price": "19.99",
                           "title": "A product with a reasonably long descriptive title"}],
                "totals": {"total": "19.99"}, "currency": "USD"
            })
            .to_string()
        })
        .collect();
    let file = s.write("orders.jsonl", &(lines.join("\n") + "\n"));
    s.ok(&["ingest", file.to_str().unwrap()]);
    s
}

fn query(filter: &str) -> OrderQuery {
    let f = Filter::parse(filter);
    assert!(f.unknown.is_empty(), "{filter}: {:?}", f.unknown);
    f.query
}

fn numbers(rows: &[Order]) -> Vec<String> {
    rows.iter()
        .map(|o| o.channel_order.number.clone())
        .collect()
}

/// The numbers of orders `i` (newest first) that satisfy `keep`.
fn expected(keep: impl Fn(usize) -> bool) -> Vec<String> {
    (0..N)
        .rev()
        .filter(|i| keep(*i))
        .map(|i| format!("#F{i}"))
        .collect()
}

#[test]
fn a_word_filter_is_matched_by_the_server_and_only_the_page_crosses_the_socket() {
    let s = sandbox();
    let serve = Serve::start(&s, &[]);
    let client = Client::connect(&serve.socket).expect("connect");
    let ada = |i: usize| i.is_multiple_of(4);

    // A misspelt name: the first page of Ada's orders, newest first, and more behind it.
    let page = client.orders(&query("lovlace"), 0, 5).unwrap();
    assert_eq!(numbers(&page.rows), expected(ada)[..5]);
    assert!(page.more && page.capped.is_none());
    // The next pages skip matches; the last one says there is no more.
    let page = client.orders(&query("lovlace"), 5, 100).unwrap();
    assert_eq!(numbers(&page.rows), expected(ada)[5..]);
    assert!(!page.more);

    // Unicode folded, a SKU glob, two words that must both match.
    let jose_tees = client.orders(&query("jose sku:tshirt-*"), 0, 100).unwrap();
    assert_eq!(
        numbers(&jose_tees.rows),
        expected(|i| i % 4 == 3 && i.is_multiple_of(3))
    );
    assert!(!jose_tees.rows.is_empty());
    let jose_mugs = client.orders(&query("müller sku:MU?"), 0, 100).unwrap();
    assert_eq!(
        numbers(&jose_mugs.rows),
        expected(|i| i % 4 == 3 && !i.is_multiple_of(3))
    );
    let both = client.orders(&query("grace f17"), 0, 100).unwrap();
    assert_eq!(numbers(&both.rows), expected(|i| i == 17));

    // An exact number finds its order, and only it (not #F107, #F117).
    let one = client.orders(&query("#F17"), 0, 100).unwrap();
    assert_eq!(numbers(&one.rows), ["#F17"]);

    // Ages counted by the server: created less than 10 h ago are the last 9.
    let young = client.orders(&query("age:<10h"), 0, 100).unwrap();
    assert_eq!(numbers(&young.rows), expected(|i| N - i < 10));
    let old_ada = client.orders(&query("ada age:>100h"), 0, 100).unwrap();
    assert_eq!(numbers(&old_ada.rows), expected(|i| ada(i) && N - i >= 100));
    drop(client);

    // On the wire: the answer to a filtered page of 5 is the size of 5 orders, where the
    // list it was matched in (what a console used to pull to match itself) is all of them.
    let mut stream = raw(&serve.socket);
    assert!(hello(&mut stream, wire::PROTOCOL)["welcome"].is_object());
    let mut ask = |id: u64, query: OrderQuery, limit: usize| -> (usize, Vec<Order>) {
        let call = Call::Orders {
            query,
            offset: 0,
            limit,
        };
        write_frame(&mut stream, &wire::to_json(&Request { id, call }).unwrap());
        let body = read_frame_bytes(&mut stream).expect("an answer");
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        let rows = v["answer"]["result"]["Ok"]["orders"]["rows"].clone();
        let rows: Vec<Order> = serde_json::from_value(rows).expect("a page of orders");
        (body.len(), rows)
    };
    let (page_bytes, rows) = ask(1, query("lovlace"), 5);
    assert_eq!(numbers(&rows), expected(ada)[..5]);
    let (all_bytes, all) = ask(2, OrderQuery::default(), N);
    assert_eq!(all.len(), N);
    let per_order = all_bytes / N;
    assert!(
        page_bytes <= 5 * per_order + 200,
        "a page of 5 took {page_bytes} bytes; one order takes about {per_order}"
    );
    assert!(
        page_bytes * 20 < all_bytes,
        "{page_bytes} bytes for the page against {all_bytes} for the list"
    );
    drop(stream);
    assert!(serve.stop().success());
}

/// The Inventory pane's `/` filter through a real `ordo serve` (issue 6, finding 9): the
/// server matches the stock query and answers the page alone; a protocol-2 console, whose
/// stock read had no filter, is refused with the mismatch message.
#[test]
fn a_stock_filter_is_answered_filtered_by_the_server() {
    let s = Sandbox::new();
    let mut rows: Vec<(String, &str, i64)> = Vec::new();
    for i in 0..30 {
        for (loc, q) in [("wh-east", 10), ("wh-west", i % 3)] {
            rows.push((format!("TEE-{i:02}"), loc, q));
            rows.push((format!("MUG-{i:02}"), loc, q));
        }
    }
    let rows: Vec<(&str, &str, i64)> = rows.iter().map(|(s, l, q)| (s.as_str(), *l, *q)).collect();
    s.stock(&rows);
    let serve = Serve::start(&s, &[]);
    let client = Client::connect(&serve.socket).expect("connect");
    let stock = |filter: &str, offset: usize, limit: usize| {
        let f = StockFilter::parse(filter);
        assert!(f.unknown.is_empty(), "{filter}: {:?}", f.unknown);
        let page = client.stock_matching(&f.query, offset, limit).unwrap();
        let keys: Vec<String> = page
            .rows
            .iter()
            .map(|r| format!("{}@{}", r.key.sku, r.key.location))
            .collect();
        (keys, page.more)
    };

    // Unfiltered: every record, SKU order (MUG first).
    let (all, more) = stock("", 0, 1000);
    assert_eq!((all.len(), more), (120, false));
    // A word: the TEE records alone, paged by the server.
    let (first, more) = stock("tee", 0, 10);
    assert!(
        more && first.iter().all(|k| k.starts_with("TEE-")),
        "{first:?}"
    );
    assert_eq!(first[0], "TEE-00@wh-east");
    let (rest, more) = stock("TEE", 10, 100);
    assert_eq!((first.len() + rest.len(), more), (60, false));
    assert!(rest.iter().all(|k| k.starts_with("TEE-")));
    // A glob, one location, what runs out.
    let (got, _) = stock("tee-1? loc:wh-west avail:<1", 0, 100);
    assert_eq!(got, ["TEE-12@wh-west", "TEE-15@wh-west", "TEE-18@wh-west"]);
    drop(client);

    // On the wire: a protocol-3 stock call carries the query, and only the matches come back.
    let mut stream = raw(&serve.socket);
    assert!(hello(&mut stream, wire::PROTOCOL)["welcome"].is_object());
    let call = Call::Stock {
        query: StockFilter::parse("mug-2?").query,
        offset: 0,
        limit: 100,
    };
    write_frame(
        &mut stream,
        &wire::to_json(&Request { id: 1, call }).unwrap(),
    );
    let v: serde_json::Value =
        serde_json::from_slice(&read_frame_bytes(&mut stream).expect("an answer")).unwrap();
    let rows = v["answer"]["result"]["Ok"]["stock"]["rows"]
        .as_array()
        .expect("a page of stock")
        .clone();
    assert_eq!(rows.len(), 20, "{v}");
    assert!(rows
        .iter()
        .all(|r| r["key"]["sku"].as_str().unwrap().starts_with("MUG-2")));
    drop(stream);
    // A console of protocol 2 would get every record for its filter: it is refused instead.
    let mut old = raw(&serve.socket);
    let answer = hello(&mut old, 2);
    let why = answer["refused"].as_str().expect("refused");
    assert!(why.contains("protocol mismatch"), "{why}");
    drop(old);
    assert!(serve.stop().success());
}
