//! The command line, black-box: the real binary on a real store in a temp dir.

mod common;

use common::{order_line, Sandbox};

fn code(out: &std::process::Output) -> Option<i32> {
    out.status.code()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn inventory(sb: &Sandbox) -> Vec<serde_json::Value> {
    sb.ok(&["export", "inventory"])
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn level(sb: &Sandbox, sku: &str, loc: &str) -> (i64, i64) {
    inventory(sb)
        .iter()
        .find(|r| r["sku"] == sku && r["location"] == loc)
        .map(|r| {
            (
                r["on_hand"].as_i64().unwrap(),
                r["reserved"].as_i64().unwrap(),
            )
        })
        .unwrap_or((0, 0))
}

#[test]
fn check_finds_a_corrupted_reservation_and_repair_fixes_it() {
    let sb = Sandbox::new();
    sb.stock(&[("TEE", "wh-east", 10)]);
    let f = sb.write(
        "o.jsonl",
        &order_line("web", "1", "2026-11-28T09:00:00Z", &[("TEE", 3)], false),
    );
    sb.ok(&["ingest", f.to_str().unwrap()]);
    sb.ok(&["check"]);
    assert_eq!(level(&sb, "TEE", "wh-east"), (10, 3));

    {
        // Corrupt one record behind ordo's back: reserved no longer matches the allocations.
        let store = ordo::store::Store::open(&sb.path("data"), 1 << 20).unwrap();
        let key = ordo::model::StockKey::new("TEE", "wh-east");
        let level = ordo::model::StockLevel {
            on_hand: 10,
            reserved: 7,
            safety_stock: 0,
        };
        store.put_stock_unchecked(&key, &level).unwrap();
    }
    let out = sb.run(&["check"]);
    assert_eq!(code(&out), Some(1), "check must fail on drift");
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        report
            .contains("stock TEE at wh-east: reserved is 7 but open allocations there add up to 3"),
        "{report}"
    );

    let repaired = sb.ok(&["check", "--repair"]);
    assert!(repaired.contains("repairing 1 problems"), "{repaired}");
    assert!(repaired.contains("ok: every invariant holds"), "{repaired}");
    sb.ok(&["check"]);
    assert_eq!(level(&sb, "TEE", "wh-east"), (10, 3));
    let events = sb.ok(&["export", "events", "--format", "csv"]);
    assert!(
        events.contains(",repaired,"),
        "repair is an event:\n{events}"
    );
}

#[test]
fn stock_import_reports_a_bad_row_by_line_and_applies_nothing() {
    let sb = Sandbox::new();
    sb.stock(&[("TEE", "wh-east", 5)]);
    let f = sb.write(
        "bad.csv",
        "sku,location,on_hand\nTEE,wh-east,50\nMUG,wh-west,7\nCAP,wh-nowhere,3\n",
    );
    let out = sb.run(&["stock", "import", f.to_str().unwrap()]);
    assert_eq!(code(&out), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("bad.csv:4: unknown location `wh-nowhere`"),
        "{err}"
    );
    assert!(err.contains("nothing was imported"), "{err}");
    let f = sb.write("bad2.csv", "sku,location,on_hand\nTEE,wh-east,lots\n");
    let out = sb.run(&["stock", "import", f.to_str().unwrap()]);
    assert_eq!(code(&out), Some(2));
    assert!(
        stderr(&out).contains("bad2.csv:2: column 3"),
        "{}",
        stderr(&out)
    );
    // Nothing of either file applied.
    assert_eq!(level(&sb, "TEE", "wh-east"), (5, 0));
    assert_eq!(inventory(&sb).len(), 1);
}

#[test]
fn ingest_is_idempotent_and_edits_and_cancels_adjust_reservations() {
    let sb = Sandbox::new();
    sb.stock(&[("TEE", "wh-east", 10), ("MUG", "wh-east", 10)]);
    let v1 = [
        order_line(
            "web",
            "1",
            "2026-11-28T09:00:00Z",
            &[("TEE", 4), ("MUG", 1)],
            false,
        ),
        order_line("web", "2", "2026-11-28T09:00:00Z", &[("TEE", 2)], false),
    ]
    .join("\n");
    let f = sb.write("v1.jsonl", &v1);
    let path = f.to_str().unwrap();
    sb.ok(&["ingest", path]);
    assert_eq!(level(&sb, "TEE", "wh-east"), (10, 6));
    // A replay changes nothing.
    let out = sb.run(&["ingest", path]);
    assert!(
        stderr(&out).contains("0 created, 0 updated, 2 unchanged"),
        "{}",
        stderr(&out)
    );
    assert_eq!(sb.orders_json().len(), 2);
    assert_eq!(level(&sb, "TEE", "wh-east"), (10, 6));

    // A newer version of order 1 lowers TEE to 1; an older one of order 2 is ignored; a newer
    // one of order 2 cancels it.
    let v2 = [
        order_line(
            "web",
            "1",
            "2026-11-28T10:00:00Z",
            &[("TEE", 1), ("MUG", 1)],
            false,
        ),
        order_line("web", "2", "2026-11-28T08:00:00Z", &[("TEE", 9)], false),
    ]
    .join("\n");
    let f = sb.write("v2.jsonl", &v2);
    let out = sb.run(&["ingest", f.to_str().unwrap()]);
    assert!(
        stderr(&out).contains("0 created, 1 updated, 1 unchanged"),
        "{}",
        stderr(&out)
    );
    assert_eq!(level(&sb, "TEE", "wh-east"), (10, 3));
    let f = sb.write(
        "v3.jsonl",
        &order_line("web", "2", "2026-11-28T11:00:00Z", &[("TEE", 2)], true),
    );
    sb.ok(&["ingest", f.to_str().unwrap()]);
    assert_eq!(level(&sb, "TEE", "wh-east"), (10, 1));
    let cancelled = sb.ok(&["orders", "--status", "cancelled", "--json"]);
    assert_eq!(cancelled.lines().count(), 1);
    assert!(cancelled.contains("\"external_id\":\"2\""));
    sb.ok(&["check"]);
}

#[test]
fn unmappable_payloads_are_quarantined_and_retried_after_the_fix() {
    let sb = Sandbox::new();
    sb.stock(&[("TEE", "wh-east", 10)]);
    let lines = [
        order_line("web", "1", "2026-11-28T09:00:00Z", &[("NEW-SKU", 1)], false),
        "{ this is not json".to_string(),
        order_line("web", "3", "2026-11-28T09:00:00Z", &[("", 1)], false),
    ]
    .join("\n");
    let f = sb.write("q.jsonl", &lines);
    let out = sb.run(&["ingest", f.to_str().unwrap()]);
    assert_eq!(
        code(&out),
        Some(0),
        "quarantine is not a failure: {}",
        stderr(&out)
    );
    let err = stderr(&out);
    assert!(
        err.contains("q.jsonl:1: quarantined as 1: unknown SKU `NEW-SKU` on line 1"),
        "{err}"
    );
    assert!(
        err.contains("q.jsonl:2: quarantined as 2: not an ordo order"),
        "{err}"
    );
    assert!(
        err.contains("q.jsonl:3: quarantined as 3: line 1 has no SKU"),
        "{err}"
    );
    let list = sb.ok(&["quarantine", "list", "--json"]);
    assert_eq!(list.lines().count(), 3);
    assert!(
        list.contains("{ this is not json"),
        "the raw payload is kept: {list}"
    );

    // The fix: the SKU gets stock. A retry maps order 1; the other two stay.
    sb.ok(&["stock", "set", "NEW-SKU", "wh-west", "4"]);
    let out = sb.ok(&["quarantine", "retry"]);
    assert!(out.contains("1: now order 1 (allocated)"), "{out}");
    assert!(out.contains("1 mapped, 2 still quarantined"), "{out}");
    assert_eq!(sb.ok(&["quarantine", "list", "--json"]).lines().count(), 2);
    assert_eq!(level(&sb, "NEW-SKU", "wh-west"), (4, 1));
    sb.ok(&["check"]);
}

#[test]
fn operator_actions_hold_release_ship_cancel() {
    let sb = Sandbox::new();
    sb.stock(&[("TEE", "wh-east", 5)]);
    let lines = [
        order_line("web", "1", "2026-11-28T09:00:00Z", &[("TEE", 2)], false),
        order_line("web", "2", "2026-11-28T09:00:00Z", &[("TEE", 2)], false),
        order_line("web", "3", "2026-11-28T09:00:00Z", &[("TEE", 2)], false),
    ]
    .join("\n");
    let f = sb.write("o.jsonl", &lines);
    sb.ok(&["ingest", f.to_str().unwrap()]);
    // 5 on hand: orders 1 and 2 get 2 each, order 3 waits.
    let backordered = sb.ok(&["orders", "--status", "backordered"]);
    assert!(backordered.contains("backordered"), "{backordered}");
    assert_eq!(
        backordered.lines().count(),
        2,
        "header + order 3: {backordered}"
    );

    assert!(sb
        .ok(&["hold", "1", "--reason", "fraud check"])
        .contains("order 1: held"));
    let out = sb.run(&["ship", "1", "--carrier", "ups", "--tracking", "1Z9"]);
    assert_eq!(code(&out), Some(2));
    assert!(
        stderr(&out).contains("order 1 is held: it is on hold; release it first"),
        "{}",
        stderr(&out)
    );
    assert!(sb.ok(&["release", "1"]).contains("order 1: allocated"));
    assert!(sb
        .ok(&["ship", "1", "--carrier", "ups", "--tracking", "1Z9"])
        .contains("order 1: shipped"));
    assert_eq!(level(&sb, "TEE", "wh-east"), (3, 2));

    // Cancelling order 2 frees 2 units: order 3, waiting, gets them.
    assert!(sb
        .ok(&["cancel", "2", "--reason", "customer asked"])
        .contains("order 2: cancelled"));
    let allocated = sb.ok(&["orders", "--status", "allocated", "--json"]);
    assert!(allocated.contains("\"external_id\":\"3\""), "{allocated}");
    assert_eq!(level(&sb, "TEE", "wh-east"), (3, 2));

    let out = sb.run(&["cancel", "1"]);
    assert_eq!(code(&out), Some(2), "a shipped order cannot be cancelled");
    let out = sb.run(&["hold", "999"]);
    assert_eq!(code(&out), Some(2));
    assert!(stderr(&out).contains("order 999 does not exist"));
    let events = sb.ok(&["export", "events", "--format", "csv"]);
    for kind in [
        ",held,",
        ",released,",
        ",shipped,",
        ",cancelled,",
        ",routed,",
    ] {
        assert!(events.contains(kind), "no {kind} event:\n{events}");
    }
    assert!(events.contains("fraud check"));
    assert!(
        events.contains(r#"""status"":""backordered"""#),
        "order 3's backorder decision is recorded:\n{events}"
    );
    sb.ok(&["check"]);
}

#[test]
fn lowering_a_count_below_reservations_takes_them_from_the_newest_orders() {
    let sb = Sandbox::new();
    sb.stock(&[("TEE", "wh-east", 6)]);
    let lines: Vec<String> = (1..=3)
        .map(|i| {
            order_line(
                "web",
                &i.to_string(),
                "2026-11-28T09:00:00Z",
                &[("TEE", 2)],
                false,
            )
        })
        .collect();
    let f = sb.write("o.jsonl", &lines.join("\n"));
    sb.ok(&["ingest", f.to_str().unwrap()]);
    let out = sb.ok(&["stock", "set", "TEE", "wh-east", "3"]);
    assert!(out.contains("2 orders lost reservations"), "{out}");
    assert_eq!(level(&sb, "TEE", "wh-east"), (3, 2));
    let allocated = sb.ok(&["orders", "--status", "allocated", "--json"]);
    assert!(
        allocated.contains("\"external_id\":\"1\""),
        "the oldest keeps its stock: {allocated}"
    );
    sb.ok(&["check"]);
}

#[test]
fn listing_filters_and_exports() {
    let sb = Sandbox::new();
    sb.stock(&[("TEE", "wh-east", 10), ("TEE", "wh-west", 10)]);
    let lines = [
        order_line("web", "1", "2026-11-28T09:00:00Z", &[("TEE", 1)], false),
        order_line(
            "amazon",
            "111-2",
            "2026-11-28T09:00:00Z",
            &[("TEE", 1)],
            false,
        ),
    ]
    .join("\n");
    let f = sb.write("o.jsonl", &lines);
    sb.ok(&["ingest", f.to_str().unwrap()]);
    let amazon = sb.ok(&["orders", "--channel", "amazon"]);
    assert_eq!(amazon.lines().count(), 2, "{amazon}");
    assert!(amazon.contains("111-2"));
    let at_east = sb.ok(&["orders", "--location", "wh-east", "--json"]);
    assert_eq!(at_east.lines().count(), 2);
    let out = sb.run(&["orders", "--status", "lost"]);
    assert_eq!(code(&out), Some(2));
    assert!(stderr(&out).contains("unknown status `lost`"));
    let csv = sb.ok(&["export", "orders", "--format", "csv"]);
    let header = csv.lines().next().unwrap();
    assert!(
        header.starts_with("order_id,channel,external_id,number,status"),
        "{header}"
    );
    assert_eq!(csv.lines().count(), 3);
    assert!(csv.contains(",TEE,1,19.99,1,0,wh-east,USD,68.16"), "{csv}");
    let inv = sb.ok(&["export", "inventory", "--format", "csv"]);
    assert!(inv.contains("TEE,wh-east,10,2,0,8"), "{inv}");
}

#[test]
fn a_store_in_use_is_a_clear_error_not_a_hang() {
    let sb = Sandbox::new();
    sb.stock(&[("TEE", "wh-east", 1)]);
    let _held = ordo::store::Store::open(&sb.path("data"), 1 << 20).unwrap();
    let out = sb.run(&["orders"]);
    assert_eq!(code(&out), Some(1));
    assert!(
        stderr(&out).contains("in use by another ordo process"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn help_and_usage_errors() {
    let sb = Sandbox::new();
    let out = sb.run(&["--help"]);
    assert_eq!(code(&out), Some(0));
    for cmd in ["ingest", "orders", "export", "stock", "check", "quarantine"] {
        assert!(String::from_utf8_lossy(&out.stdout).contains(cmd));
        assert_eq!(code(&sb.run(&[cmd, "--help"])), Some(0), "{cmd} --help");
    }
    let out = sb.run(&["orders", "--bogus"]);
    assert_eq!(code(&out), Some(2));
    let out = sb.run(&["ingest", "/nonexistent/file.jsonl"]);
    assert_eq!(code(&out), Some(2));
    assert!(stderr(&out).contains("cannot read /nonexistent/file.jsonl"));
    assert!(!stderr(&out).contains("panicked"));
}

#[test]
fn a_partially_shipped_order_gets_the_rest_when_stock_arrives() {
    let sb = Sandbox::new();
    let config = format!(
        "{}\n[[rules]]\nname = \"Partial\"\nlocations = [\"*\"]\nsplit = \"partial\"\n",
        common::CONFIG
    );
    sb.write("ordo.toml", &config);
    sb.stock(&[("TEE", "wh-east", 1), ("MUG", "wh-east", 0)]);
    let f = sb.write(
        "o.jsonl",
        &order_line(
            "web",
            "1",
            "2026-11-28T09:00:00Z",
            &[("TEE", 1), ("MUG", 1)],
            false,
        ),
    );
    sb.ok(&["ingest", f.to_str().unwrap()]);
    assert!(sb.ok(&["orders"]).contains("partially_allocated"));
    assert!(sb
        .ok(&["ship", "1", "--carrier", "ups", "--tracking", "1Z1"])
        .contains("partially_shipped"));
    let out = sb.ok(&["stock", "set", "MUG", "wh-east", "5"]);
    assert!(out.contains("1 waiting orders got stock: [1]"), "{out}");
    assert_eq!(level(&sb, "MUG", "wh-east"), (5, 1));
    sb.ok(&["check"]);
}

#[test]
fn repair_refuses_to_rebuild_around_an_unreadable_order() {
    let sb = Sandbox::new();
    sb.stock(&[("TEE", "wh-east", 10)]);
    let f = sb.write(
        "o.jsonl",
        &order_line("web", "1", "2026-11-28T09:00:00Z", &[("TEE", 2)], false),
    );
    sb.ok(&["ingest", f.to_str().unwrap()]);
    {
        let store = ordo::store::Store::open(&sb.path("data"), 1 << 20).unwrap();
        let mut key = vec![b'o'];
        key.extend_from_slice(&1u64.to_be_bytes());
        store.put_raw_unchecked(&key, &[1, 0xff, 0xff]).unwrap();
    }
    let out = sb.run(&["check", "--repair"]);
    assert_eq!(code(&out), Some(1));
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(report.contains("order 1 cannot be read"), "{report}");
    assert!(report.contains("--repair changes nothing"), "{report}");
    assert!(!report.contains("[repairable]"), "{report}");
    // Its reservation and its identity are still there.
    assert_eq!(level(&sb, "TEE", "wh-east"), (10, 2));
    // The ledger starts without reading every order, so it runs; the replay of the damaged
    // order goes to quarantine, naming it, instead of creating a second order 1.
    let out = sb.run(&["ingest", f.to_str().unwrap()]);
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("0 created") && said.contains("the stored order 1 cannot be read"),
        "a replay of the damaged order must not create a second one: {said}"
    );
    assert_eq!(level(&sb, "TEE", "wh-east"), (10, 2));
}

#[test]
fn a_closed_pipe_ends_a_command_quietly() {
    // `ordo orders | head -1`: the reader goes away; ordo must not panic on the failed print.
    let s = Sandbox::new();
    let bad = s.write("bad.jsonl", "not json\n");
    let _ = s.run(&["ingest", bad.to_str().unwrap()]);
    let mut child = s
        .cmd()
        .args(["quarantine", "list"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
}
