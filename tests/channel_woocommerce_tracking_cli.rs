//! WooCommerce shipments end to end, through the real binary: `ordo sync --once` takes a
//! two-line order from the WooCommerce simulator (over loopback, `shipment_tracking = true`),
//! `ordo ship --lines 1` ships part of it and the next sync reports that part (tracking item,
//! partial note, order still processing), `ordo ship` of the rest completes it. On a site
//! without the extension the shipment is refused once, with the message, and settled: the
//! sync ends instead of retrying forever.

mod common;
#[path = "common/woo.rs"]
mod woo;

use chrono::{Duration, TimeZone, Utc};
use common::Sandbox;
use ordo::model::Money;
use ordo::sim::channel::{SimServer, SimShop};
use ordo::sim::woocommerce::{seed_orders, woo_id, woo_status, TrackingExtension, WooSimSettings};
use serde_json::Value;

const KEY: &str = "ck_cli_0a1b2c3d";
const SECRET: &str = "cs_cli_4e5f6a7b8c9d";

/// A shop holding one processing order, 30100: 2 x TEE-M (line item 601), 1 x MUG (602).
async fn shop(extension: TrackingExtension) -> (SimServer, SimShop) {
    let scratch = SimShop::new(1);
    seed_orders(
        &scratch,
        3,
        1,
        Utc.with_ymd_and_hms(2026, 3, 1, 8, 0, 0).unwrap(),
        60.0,
    );
    let mut order = scratch.book.changed_between(None, None)[0].order.clone();
    woo::two_lines(&mut order, "30100", Money::new(1500, 2), ["601", "602"]);
    order.totals.discount = Money::ZERO;
    // Within the first sweep's reach (it looks back 60 days).
    let now = Utc::now();
    order.created_at = now - Duration::hours(2);
    order.updated_at = now - Duration::hours(1);
    let shop = SimShop::new(1);
    shop.book.upsert(order);
    let settings = WooSimSettings {
        tracking_extension: extension,
        ..woo::sim_settings(KEY, SECRET)
    };
    let server = woo::serve(&shop, settings).await;
    (server, shop)
}

fn sandbox(base_url: &str) -> Sandbox {
    let s = Sandbox::new();
    let mut text = std::fs::read_to_string(s.path("ordo.toml")).unwrap();
    text.push_str(&format!(
        "\n[[channels]]\nid = \"woo\"\nkind = \"woocommerce\"\nbase_url = \"{base_url}\"\n\
         consumer_key_env = \"T_CLI_WOO_CK\"\nconsumer_secret_env = \"T_CLI_WOO_CS\"\n\
         shipment_tracking = true\n"
    ));
    std::fs::write(s.path("ordo.toml"), text).unwrap();
    s.stock(&[("TEE-M", "wh-east", 10), ("MUG", "wh-east", 10)]);
    s
}

/// Runs ordo off the runtime's threads (the simulator answers on them meanwhile).
async fn ordo(s: &Sandbox, args: &[&str]) -> std::process::Output {
    let mut cmd = s.cmd();
    cmd.args(args)
        .env("T_CLI_WOO_CK", KEY)
        .env("T_CLI_WOO_CS", SECRET);
    tokio::task::spawn_blocking(move || cmd.output().expect("run ordo"))
        .await
        .unwrap()
}

async fn ok(s: &Sandbox, args: &[&str]) -> String {
    common::succeeded(args, &ordo(s, args).await)
}

/// ordo's id of the shop's order 30100.
async fn order_id(s: &Sandbox) -> String {
    let export = ok(s, &["export", "orders"]).await;
    let order = export
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find(|o| o.to_string().contains("30100"))
        .unwrap_or_else(|| panic!("order 30100 not taken in: {export}"));
    order["id"].to_string()
}

fn status(shop: &SimShop) -> String {
    let book = shop.book.lock();
    let o = book.iter().find(|o| woo_id(o) == 30100).unwrap();
    woo_status(&o.order).to_string()
}

async fn get(server: &SimServer, path: &str) -> Value {
    woo::get(server, path, KEY, SECRET).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_partial_shipment_then_the_rest_through_ordo_ship_and_sync() {
    let (server, shop) = shop(TrackingExtension::Installed).await;
    let s = sandbox(&server.base_url());
    ok(&s, &["sync", "--once"]).await;
    let id = order_id(&s).await;

    ok(
        &s,
        &[
            "ship",
            &id,
            "--carrier",
            "UPS",
            "--tracking",
            "1ZCLI0001",
            "--lines",
            "1",
        ],
    )
    .await;
    ok(&s, &["sync", "--once"]).await;
    let items = get(&server, "/_sim/trackings").await["orders"]["30100"].clone();
    assert_eq!(items.as_array().map(Vec::len), Some(1), "{items}");
    assert_eq!(items[0]["tracking_provider"], "UPS");
    assert_eq!(items[0]["tracking_number"], "1ZCLI0001");
    assert_eq!(
        status(&shop),
        "processing",
        "a part does not complete the order"
    );
    let notes = get(&server, "/wp-json/wc/v3/orders/30100/notes").await;
    assert!(
        notes
            .to_string()
            .contains("Part of your order shipped via UPS, tracking 1ZCLI0001"),
        "{notes}"
    );

    ok(
        &s,
        &[
            "ship",
            &id,
            "--carrier",
            "USPS",
            "--tracking",
            "9400CLI0002",
        ],
    )
    .await;
    ok(&s, &["sync", "--once"]).await;
    let items = get(&server, "/_sim/trackings").await["orders"]["30100"].clone();
    assert_eq!(items.as_array().map(Vec::len), Some(2), "{items}");
    assert_eq!(items[1]["tracking_provider"], "USPS");
    assert_eq!(status(&shop), "completed");
    let events = ok(&s, &["export", "events"]).await;
    assert_eq!(
        events.matches("fulfillment_reported").count(),
        2,
        "{events}"
    );
    // Nothing is left to send: another sync creates nothing in the shop.
    ok(&s, &["sync", "--once"]).await;
    let calls = &get(&server, "/_sim/trackings").await["calls"];
    assert_eq!(calls["create"], 2, "{calls}");
    // The shop's newer versions of the order (its meta and status changed) were taken in
    // without upsetting the store.
    ok(&s, &["check"]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_site_without_the_extension_refuses_the_shipment_once_with_the_message() {
    let (server, shop) = shop(TrackingExtension::Missing).await;
    let s = sandbox(&server.base_url());
    ok(&s, &["sync", "--once"]).await;
    let id = order_id(&s).await;
    ok(
        &s,
        &["ship", &id, "--carrier", "UPS", "--tracking", "1ZCLI0009"],
    )
    .await;
    // The refusal is settled: sync ends (it would not while the push were being retried).
    ok(&s, &["sync", "--once"]).await;
    let events = ok(&s, &["export", "events"]).await;
    let refused: Vec<&str> = events
        .lines()
        .filter(|l| l.contains("push_refused"))
        .collect();
    assert_eq!(refused.len(), 1, "{events}");
    assert!(
        refused[0].contains("the Shipment Tracking extension is not installed on")
            && refused[0].contains("set shipment_tracking = false or install it"),
        "{}",
        refused[0]
    );
    assert_eq!(status(&shop), "processing");
    // Asked once (v3, then v2), not again on the next sync.
    ok(&s, &["sync", "--once"]).await;
    assert_eq!(get(&server, "/_sim/trackings").await["calls"]["list"], 2);
}
