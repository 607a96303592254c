//! The Queues pane's per-location counts through a real `ordo serve` (protocol 3): the
//! server counts each location's queue on its index and answers the figures alone; they
//! match the orders that hold stock there.

mod common;
mod serve;

use std::collections::BTreeMap;

use common::Sandbox;
use ordo::client::{Client, OrderQuery};
use ordo::model::OrderStatus;
use serve::Serve;

#[test]
fn location_counts_over_the_socket_match_the_orders() {
    let s = Sandbox::new();
    s.stock(&[("TSHIRT-M-BLK", "wh-east", 1000), ("MUG", "wh-west", 1000)]);
    let lines: Vec<String> = (0..12)
        .map(|i| {
            let sku = if i % 3 == 0 { "TSHIRT-M-BLK" } else { "MUG" };
            serde_json::json!({
                "channel": "web", "external_id": format!("Q{i}"), "number": format!("#Q{i}"),
                "created_at": "2026-11-27T10:00:00Z", "updated_at": "2026-11-27T10:00:00Z",
                "customer": {"name": "Ada Lovelace", "email": format!("c{i}@example.com")},
                "ship_to": {"line1": "12 Main Street", "city": "Springfield", "region": "IL",
                            "postal_code": "62701", "country": "US"},
                "lines": [{"sku": sku, "quantity": 1, "unit_price": "19.99"}],
                "totals": {"total": "19.99"}, "currency": "USD"
            })
            .to_string()
        })
        .collect();
    let file = s.write("orders.jsonl", &(lines.join("\n") + "\n"));
    s.ok(&["ingest", file.to_str().unwrap()]);

    let serve = Serve::start(&s, &[]);
    let client = Client::connect(&serve.socket).expect("connect");
    let all = client.orders(&OrderQuery::default(), 0, 100).unwrap().rows;
    let mut truth: BTreeMap<String, Vec<(OrderStatus, u64)>> = BTreeMap::new();
    for o in &all {
        for loc in o.locations() {
            let v = truth.entry(loc.to_string()).or_default();
            match v.iter_mut().find(|(st, _)| *st == o.status) {
                Some((_, n)) => *n += 1,
                None => v.push((o.status, 1)),
            }
        }
    }
    assert!(!truth.is_empty(), "some orders hold stock");
    let ids: Vec<String> = client.locations().into_iter().map(|l| l.id).collect();
    let counts = client
        .location_counts(&ids, 10_000)
        .expect("counted by the server");
    assert_eq!(counts.len(), ids.len());
    for c in &counts {
        let mut want = truth.get(&c.location).cloned().unwrap_or_default();
        want.sort();
        assert_eq!(c.by_status, want, "{}", c.location);
    }
    // The bound holds over the socket too: 8 mugs at wh-west, counted to 3 + 1.
    let west = client.location_counts(&["wh-west".into()], 3).unwrap();
    assert_eq!(west[0].by_status, vec![(OrderStatus::Allocated, 4)]);
    drop(client);
    serve.stop();
}
