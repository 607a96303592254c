//! The vendors' example answers (copied from shared/reference/channels/examples into
//! tests/fixtures/channels) through the binary: `ordo ingest --channel KIND FILE...`, then what
//! the store holds, what went to quarantine and why, and `ordo quarantine retry` after a SKU
//! map is added to the config.

mod common;

use common::Sandbox;
use serde_json::Value;

fn fixture(name: &str) -> String {
    format!(
        "{}/tests/fixtures/channels/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

fn stocked() -> Sandbox {
    let s = Sandbox::new();
    s.stock(&[
        ("MUG-CAFE-BLU-12", "wh-east", 20),
        ("TNG-IND", "wh-east", 20),
        ("BEANIE-MER-GRY", "wh-east", 20),
        ("STICKER-RHEIN", "wh-east", 20),
        ("TOTE-KRK", "wh-east", 20),
        ("WOOL-SOCKS", "wh-east", 20),
        ("SOAP-LAV", "wh-east", 20),
    ]);
    s
}

fn quarantine(s: &Sandbox) -> Vec<Value> {
    let out = s.ok(&["quarantine", "list", "--json"]);
    match serde_json::from_str::<Value>(&out) {
        Ok(Value::Array(v)) => v,
        _ => out
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| serde_json::from_str(l).unwrap())
            .collect(),
    }
}

fn order<'a>(orders: &'a [Value], number: &str) -> &'a Value {
    orders
        .iter()
        .find(|o| o["channel_order"]["number"] == number)
        .unwrap_or_else(|| panic!("no order {number} in {orders:#?}"))
}

/// Adds a channel with a SKU map to the sandbox's config.
fn with_channel(s: &Sandbox, toml: &str) {
    let path = s.path("ordo.toml");
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push_str(toml);
    std::fs::write(&path, text).unwrap();
}

#[test]
fn shopify_example_orders_map_and_the_lines_without_sku_wait_in_quarantine() {
    let s = stocked();
    let out = s.run(&[
        "ingest",
        "--channel",
        "shopify",
        &fixture("shopify_orders.json"),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("0 created") && stderr.contains("2 quarantined"),
        "{stderr}"
    );
    let q = quarantine(&s);
    assert_eq!(q.len(), 2, "{q:#?}");
    let reasons: Vec<String> = q
        .iter()
        .map(|e| e["reason"].as_str().unwrap().to_string())
        .collect();
    assert!(
        reasons
            .iter()
            .any(|r| r.contains("Gift wrapping") && r.contains("no SKU")),
        "{reasons:?}"
    );
    assert!(
        reasons
            .iter()
            .any(|r| r.contains("Sticker-Pack") && r.contains("sku_map")),
        "{reasons:?}"
    );
    // Raw payloads are kept exactly as the channel sent them.
    assert!(q
        .iter()
        .any(|e| e["raw"].as_str().unwrap().contains("手ぬぐい")));

    // The sticker pack's variant is mapped in the config: a retry takes #1041 in.
    with_channel(
        &s,
        "\n[[channels]]\nid = \"shopify\"\nkind = \"shopify\"\nbase_url = \"https://shop.example.com\"\ntoken_env = \"SHOPIFY_TOKEN\"\n\n[channels.sku_map]\n\"44022223377279\" = \"STICKER-RHEIN\"\n",
    );
    let out = s.ok(&["quarantine", "retry"]);
    assert!(out.contains("1 mapped, 1 still quarantined"), "{out}");
    let orders = s.orders_json();
    let o1041 = order(&orders, "#1041");
    assert_eq!(
        o1041["status"], "cancelled",
        "cancelled_at is set: {o1041:#}"
    );
    let co = &o1041["channel_order"];
    assert_eq!(co["currency"], "EUR");
    assert_eq!(co["financial_status"], "refunded");
    assert_eq!(
        co["totals"]["total"], "0.00",
        "current_total_price after the refund"
    );
    let lines = co["lines"].as_array().unwrap();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[1]["sku"], "STICKER-RHEIN");
    assert_eq!(lines[1]["unit_price"], "3.30");
    assert_eq!(lines[1]["channel_line_id"], "13860000000054");
    // Fully refunded: nothing left to fulfil, nothing reserved.
    assert!(lines.iter().all(|l| l["quantity"] == 0));
    assert!(o1041["allocations"].as_array().unwrap().is_empty());
    s.ok(&["check"]);
}

#[test]
fn shopify_order_1042_maps_every_field_once_its_custom_line_has_a_sku() {
    let s = stocked();
    let text = std::fs::read_to_string(fixture("shopify_orders.json")).unwrap();
    let mut v: Value = serde_json::from_str(&text).unwrap();
    v["orders"][0]["line_items"][2]["sku"] = "SOAP-LAV".into();
    let file = s.write("shopify.json", &v.to_string());
    s.ok(&["ingest", "--channel", "shopify", file.to_str().unwrap()]);
    let orders = s.orders_json();
    let o = order(&orders, "#1042");
    assert_eq!(o["status"], "allocated");
    let co = &o["channel_order"];
    assert_eq!(co["channel"], "shopify");
    assert_eq!(co["external_id"], "6123456789012");
    assert_eq!(co["currency"], "USD");
    assert_eq!(co["totals"]["total"], "159.53");
    assert_eq!(
        co["created_at"], "2025-03-04T17:15:22Z",
        "the shop's offset turned into UTC"
    );
    let lines = co["lines"].as_array().unwrap();
    let skus: Vec<&str> = lines.iter().map(|l| l["sku"].as_str().unwrap()).collect();
    assert_eq!(skus, ["MUG-CAFE-BLU-12", "TNG-IND", "SOAP-LAV"]);
    assert_eq!(lines[0]["quantity"], 2);
    assert_eq!(lines[0]["unit_price"], "24.50");
    assert_eq!(lines[1]["title"], "Tenugui Towel 手ぬぐい");
    let ship = &co["ship_to"];
    assert_eq!(ship["city"], "San José");
    assert_eq!(ship["country"], "US");
    // Re-ingesting the same answer changes nothing.
    let out = s.run(&["ingest", "--channel", "shopify", file.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("1 unchanged"));
}

#[test]
fn woocommerce_example_orders_map_with_exact_prices_and_the_refund_cancels() {
    let s = stocked();
    let out = s.run(&[
        "ingest",
        "--channel",
        "woocommerce",
        &fixture("woocommerce_orders.json"),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let q = quarantine(&s);
    assert_eq!(
        q.len(),
        1,
        "10452 has a line with sku \"\" and one with sku null: {q:#?}"
    );
    let reason = q[0]["reason"].as_str().unwrap();
    assert!(reason.contains("10452"), "{reason}");
    let orders = s.orders_json();
    let refunded = order(&orders, "10433");
    assert_eq!(refunded["status"], "cancelled");
    assert_eq!(refunded["channel_order"]["financial_status"], "refunded");
    assert_eq!(refunded["channel_order"]["lines"][0]["sku"], "TOTE-KRK");
    assert_eq!(
        refunded["channel_order"]["lines"][0]["unit_price"], "21.14",
        "42.28 / 2"
    );

    // Map the two SKU-less products, retry: 10452 comes in, its float price never used.
    with_channel(
        &s,
        "\n[[channels]]\nid = \"woocommerce\"\nkind = \"woocommerce\"\nbase_url = \"https://sklep.example.pl\"\nconsumer_key_env = \"WOO_KEY\"\nconsumer_secret_env = \"WOO_SECRET\"\n\n[channels.sku_map]\n\"377\" = \"WOOL-SOCKS\"\n\"2988\" = \"SOAP-LAV\"\n",
    );
    let out = s.ok(&["quarantine", "retry"]);
    assert!(out.contains("1 mapped, 0 still quarantined"), "{out}");
    let orders = s.orders_json();
    let o = order(&orders, "10452");
    let co = &o["channel_order"];
    assert_eq!(co["currency"], "PLN");
    assert_eq!(co["totals"]["total"], "231.01");
    let lines = co["lines"].as_array().unwrap();
    assert_eq!(lines[0]["unit_price"], "24.39");
    assert_eq!(lines[1]["sku"], "WOOL-SOCKS");
    assert_eq!(
        lines[1]["unit_price"], "14.31",
        "143.10 / 10, not 14.309999999999999"
    );
    assert_eq!(lines[2]["unit_price"], "4.065", "8.13 / 2, exact");
    assert_eq!(co["ship_to"]["city"], "Kraków");
    s.ok(&["check"]);
}

#[test]
fn amazon_v0_example_orders_join_their_items_and_the_cancelled_order_is_kept() {
    let s = stocked();
    let out = s.run(&[
        "ingest",
        "--channel",
        "amazon",
        &fixture("amazon_orders.json"),
        &fixture("amazon_order_items.json"),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let q = quarantine(&s);
    assert_eq!(q.len(), 1, "{q:#?}");
    assert!(q[0]["reason"]
        .as_str()
        .unwrap()
        .contains("113-4829175-6603452"));
    let orders = s.orders_json();
    let cancelled = order(&orders, "114-0093817-2250619");
    assert_eq!(cancelled["status"], "cancelled");
    assert!(cancelled["channel_order"]["lines"]
        .as_array()
        .unwrap()
        .is_empty());
    // A bad file is named.
    let bad = s.write("bad.json", "[1,2,3]");
    let out = s.run(&["ingest", "--channel", "amazon", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("bad.json"));
}

#[test]
fn an_unknown_channel_kind_is_a_clear_mistake() {
    let s = Sandbox::new();
    let out = s.run(&[
        "ingest",
        "--channel",
        "ebay",
        &fixture("shopify_orders.json"),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("unknown channel kind `ebay`") && err.contains("shopify"),
        "{err}"
    );
}
