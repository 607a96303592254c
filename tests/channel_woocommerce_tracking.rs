//! WooCommerce shipments through the Shipment Tracking extension, against the WooCommerce
//! simulator over real HTTP on loopback: the tracking item added once with the carrier's
//! provider and the shipping date, then the order completed; a push sent again adds nothing; a
//! partial shipment tracks and notes without completing, the rest completes; a site without
//! the extension refuses with a message that says what to do; with the switch off the
//! extension is never called; a throttle or a 500 on the tracking `POST` is retried.

#[path = "common/woo.rs"]
mod woo;

use chrono::{DateTime, Duration, TimeZone, Utc};
use ordo::channels::woocommerce::WooChannel;
use ordo::channels::{Channel, ChannelError, FulfilledLine, FulfillmentPush};
use ordo::model::{ChannelOrder, Money};
use ordo::sim::channel::{FaultPlan, SimServer, SimShop};
use ordo::sim::woocommerce::{seed_orders, woo_id, woo_status, TrackingExtension, WooSimSettings};
use serde_json::{json, Value};

const KEY: &str = "ck_track_1a2b3c4d";
const SECRET: &str = "cs_track_5e6f7a8b9c0d";

struct Shop {
    server: SimServer,
    shop: SimShop,
    http: reqwest::Client,
}

async fn start(extension: TrackingExtension) -> Shop {
    let shop = SimShop::new(1);
    seed_orders(
        &shop,
        5,
        3,
        Utc.with_ymd_and_hms(2026, 3, 1, 8, 0, 0).unwrap(),
        60.0,
    );
    let settings = WooSimSettings {
        tracking_extension: extension,
        ..woo::sim_settings(KEY, SECRET)
    };
    let server = woo::serve(&shop, settings).await;
    Shop {
        server,
        shop,
        http: reqwest::Client::new(),
    }
}

fn channel(base: &str, shipment_tracking: bool) -> WooChannel {
    woo::connector(&woo::config(base, None, shipment_tracking), KEY, SECRET)
}

/// A processing order of two lines (2 x TEE-M as line item 501, 1 x MUG as 502), put in the
/// shop; its WooCommerce id.
fn two_line_order(shop: &SimShop, id: &str) -> u64 {
    let mut order: ChannelOrder = shop.book.changed_between(None, None)[0].order.clone();
    woo::two_lines(&mut order, id, Money::new(1000, 2), ["501", "502"]);
    shop.book.upsert(order);
    id.parse().unwrap()
}

fn shipped_at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 4, 22, 30, 0).unwrap()
}

fn push(order: u64, carrier: &str, tracking: &str, lines: &[(&str, &str, u32)]) -> FulfillmentPush {
    FulfillmentPush {
        order_external_id: order.to_string(),
        carrier: carrier.into(),
        tracking: tracking.into(),
        shipped_at: shipped_at(),
        lines: lines
            .iter()
            .map(|(item, sku, qty)| FulfilledLine {
                channel_line_id: Some(item.to_string()),
                sku: sku.to_string(),
                quantity: *qty,
            })
            .collect(),
        intent_at: Utc::now(),
    }
}

const WHOLE: &[(&str, &str, u32)] = &[("501", "TEE-M", 2), ("502", "MUG", 1)];

impl Shop {
    async fn get(&self, path: &str) -> Value {
        woo::get(&self.server, path, KEY, SECRET).await
    }

    /// `GET /_sim/trackings`.
    async fn trackings(&self) -> Value {
        self.get("/_sim/trackings").await
    }

    async fn items(&self, order: u64) -> Vec<Value> {
        self.trackings().await["orders"][order.to_string()]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    fn status(&self, order: u64) -> String {
        let book = self.shop.book.lock();
        let o = book.iter().find(|o| woo_id(o) == order).unwrap();
        woo_status(&o.order).to_string()
    }

    /// The customer notes that name `tracking`.
    async fn notes_naming(&self, order: u64, tracking: &str) -> Vec<String> {
        let notes = self
            .get(&format!("/wp-json/wc/v3/orders/{order}/notes"))
            .await;
        notes
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|n| n["note"].as_str())
            .filter(|n| n.contains(tracking))
            .map(str::to_string)
            .collect()
    }
}

#[tokio::test]
async fn a_shipment_is_tracked_once_with_its_provider_and_date_then_completed() {
    let s = start(TrackingExtension::Installed).await;
    let order = two_line_order(&s.shop, "30001");
    let ch = channel(&s.server.base_url(), true);
    ch.push_fulfillment(&push(order, "UPS", "1Z999AA10123456784", WHOLE))
        .await
        .unwrap();

    let items = s.items(order).await;
    assert_eq!(items.len(), 1, "{items:?}");
    assert_eq!(items[0]["tracking_provider"], "UPS");
    assert_eq!(items[0]["tracking_number"], "1Z999AA10123456784");
    assert_eq!(
        items[0]["date_shipped"], "2026-03-04",
        "the UTC date of the shipment"
    );
    assert!(
        items[0]["tracking_link"]
            .as_str()
            .unwrap()
            .contains("1Z999AA10123456784"),
        "the extension built the UPS link: {items:?}"
    );
    assert_eq!(s.status(order), "completed");
    assert_eq!(
        s.notes_naming(order, "1Z999AA10123456784").await,
        vec!["Shipped via UPS, tracking 1Z999AA10123456784"]
    );
    // The item is in the order's meta data, where the extension keeps it, with ordo's tally.
    let listed = s.get(&format!("/wp-json/wc/v3/orders/{order}")).await;
    let keys: Vec<&str> = listed["meta_data"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["key"].as_str())
        .collect();
    assert!(keys.contains(&"_wc_shipment_tracking_items"), "{keys:?}");
    assert!(keys.contains(&"_ordo_shipped"), "{keys:?}");

    // FedEx goes by the extension's own spelling; an unknown carrier as a custom provider
    // without a link; DHL Express as a custom provider with its tracking page.
    for (n, carrier, provider, link) in [
        (1, "FedEx", "Fedex", true),
        (2, "Pony Express", "Pony Express", false),
        (3, "DHL Express", "DHL Express", true),
    ] {
        let order = two_line_order(&s.shop, &format!("3001{n}"));
        let tracking = format!("7946{n}0001");
        ch.push_fulfillment(&push(order, carrier, &tracking, WHOLE))
            .await
            .unwrap();
        let items = s.items(order).await;
        assert_eq!(items.len(), 1, "{carrier}: {items:?}");
        assert_eq!(items[0]["tracking_provider"], provider, "{carrier}");
        let got = items[0]["tracking_link"].as_str().unwrap();
        assert_eq!(got.contains(&tracking), link, "{carrier}: {got:?}");
    }
}

#[tokio::test]
async fn a_push_sent_again_adds_no_second_tracking() {
    let s = start(TrackingExtension::Installed).await;
    let order = two_line_order(&s.shop, "30002");
    let ch = channel(&s.server.base_url(), true);
    let p = push(order, "USPS", "9400111899560000000000", WHOLE);
    ch.push_fulfillment(&p).await.unwrap();
    let requests_before = s
        .shop
        .faults
        .requests
        .load(std::sync::atomic::Ordering::Relaxed);
    // The answer was lost (a crash between the send and the settle): the outbox sends it again.
    ch.push_fulfillment(&p).await.unwrap();
    let requests_after = s
        .shop
        .faults
        .requests
        .load(std::sync::atomic::Ordering::Relaxed);
    // The retry only read: the order, the trackings, the notes; nothing written.
    assert_eq!(requests_after - requests_before, 3);
    let items = s.items(order).await;
    assert_eq!(items.len(), 1, "{items:?}");
    let calls = &s.trackings().await["calls"];
    assert_eq!(
        (calls["list"].as_u64(), calls["create"].as_u64()),
        (Some(2), Some(1))
    );
    assert_eq!(
        s.notes_naming(order, "9400111899560000000000").await.len(),
        1
    );

    // A tracking added by an attempt that died before its note (or by hand, with other
    // spacing and case): not added again, and the rest of the shipment goes through.
    let order = two_line_order(&s.shop, "30003");
    let r = s
        .http
        .post(format!(
            "{}/wp-json/wc-shipment-tracking/v3/orders/{order}/shipment-trackings",
            s.server.base_url()
        ))
        .basic_auth(KEY, Some(SECRET))
        .json(
            &json!({"tracking_provider": "USPS", "tracking_number": "9400 1118 9956 0000 0000 01"}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    ch.push_fulfillment(&push(order, "USPS", "94001118995600000000 01", WHOLE))
        .await
        .unwrap();
    assert_eq!(s.items(order).await.len(), 1);
    assert_eq!(s.status(order), "completed");
}

#[tokio::test]
async fn a_partial_shipment_tracks_without_completing_and_the_rest_completes() {
    let s = start(TrackingExtension::Installed).await;
    let order = two_line_order(&s.shop, "30004");
    let ch = channel(&s.server.base_url(), true);

    // One of the two tees.
    let first = push(order, "UPS", "1ZPART0001", &[("501", "TEE-M", 1)]);
    ch.push_fulfillment(&first).await.unwrap();
    assert_eq!(
        s.status(order),
        "processing",
        "a part does not complete the order"
    );
    assert_eq!(s.items(order).await.len(), 1);
    assert_eq!(
        s.notes_naming(order, "1ZPART0001").await,
        vec!["Part of your order shipped via UPS, tracking 1ZPART0001"]
    );
    // Sent again: still one item, one note, still processing.
    ch.push_fulfillment(&first).await.unwrap();
    assert_eq!(s.items(order).await.len(), 1);
    assert_eq!(s.notes_naming(order, "1ZPART0001").await.len(), 1);
    assert_eq!(s.status(order), "processing");

    // The other tee alone: the mug is still to come.
    ch.push_fulfillment(&push(order, "UPS", "1ZPART0002", &[("501", "TEE-M", 1)]))
        .await
        .unwrap();
    assert_eq!(s.status(order), "processing");

    // The rest (the mug, found by SKU when the line id is not the shop's).
    let mut rest = push(order, "FedEx", "7946PART0003", &[("999", "MUG", 1)]);
    rest.shipped_at += Duration::days(1);
    ch.push_fulfillment(&rest).await.unwrap();
    assert_eq!(s.status(order), "completed");
    let items = s.items(order).await;
    let numbers: Vec<&str> = items
        .iter()
        .map(|i| i["tracking_number"].as_str().unwrap())
        .collect();
    assert_eq!(numbers, ["1ZPART0001", "1ZPART0002", "7946PART0003"]);
    assert_eq!(items[2]["date_shipped"], "2026-03-05");
    assert_eq!(
        s.notes_naming(order, "7946PART0003").await,
        vec!["Shipped via FedEx, tracking 7946PART0003"]
    );
}

#[tokio::test]
async fn a_site_without_the_extension_refuses_the_push_saying_what_to_do() {
    let s = start(TrackingExtension::Missing).await;
    let order = two_line_order(&s.shop, "30005");
    let ch = channel(&s.server.base_url(), true);
    let err = ch
        .push_fulfillment(&push(order, "UPS", "1ZMISSING01", WHOLE))
        .await
        .unwrap_err();
    assert!(matches!(err, ChannelError::Rejected { .. }), "{err:?}");
    assert!(!err.is_retryable());
    let want = format!(
        "the Shipment Tracking extension is not installed on {}; set shipment_tracking = false or install it",
        s.server.base_url().trim_end_matches('/')
    );
    assert!(err.to_string().contains(&want), "{err}");
    // Asked v3, then v2; nothing written to the order.
    assert_eq!(s.trackings().await["calls"]["list"], 2);
    assert_eq!(s.status(order), "processing");
    assert!(s.notes_naming(order, "1ZMISSING01").await.is_empty());
    // WordPress's answer for the route, as the connector saw it.
    let r = s
        .http
        .get(format!(
            "{}/wp-json/wc-shipment-tracking/v3/orders/{order}/shipment-trackings",
            s.server.base_url()
        ))
        .basic_auth(KEY, Some(SECRET))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(r.json::<Value>().await.unwrap()["code"], "rest_no_route");
}

#[tokio::test]
async fn an_old_release_answering_v2_only_is_used_through_v2() {
    let s = start(TrackingExtension::LegacyV2).await;
    let order = two_line_order(&s.shop, "30006");
    let ch = channel(&s.server.base_url(), true);
    ch.push_fulfillment(&push(order, "USPS", "9400LEGACY01", WHOLE))
        .await
        .unwrap();
    assert_eq!(s.items(order).await.len(), 1);
    assert_eq!(s.status(order), "completed");
    // The version is remembered: the next order asks v2 straight away.
    let other = two_line_order(&s.shop, "30007");
    ch.push_fulfillment(&push(other, "USPS", "9400LEGACY02", WHOLE))
        .await
        .unwrap();
    let calls = &s.trackings().await["calls"];
    // v3 (no route), v2, then v2.
    assert_eq!(
        (calls["list"].as_u64(), calls["create"].as_u64()),
        (Some(3), Some(2))
    );
}

#[tokio::test]
async fn with_the_switch_off_the_extension_is_never_called() {
    let s = start(TrackingExtension::Installed).await;
    let order = two_line_order(&s.shop, "30008");
    let ch = channel(&s.server.base_url(), false);
    assert!(!ch.uses_shipment_tracking());
    ch.push_fulfillment(&push(order, "UPS", "1ZOFF0001", WHOLE))
        .await
        .unwrap();
    assert_eq!(s.status(order), "completed");
    assert_eq!(s.notes_naming(order, "1ZOFF0001").await.len(), 1);
    assert_eq!(s.trackings().await["calls"]["total"], 0);
    assert_eq!(s.get("/_sim/stats").await["tracking_calls"], 0);
    assert!(s.items(order).await.is_empty());

    // A part with the switch off: a note, no completion, still no call.
    let order = two_line_order(&s.shop, "30009");
    ch.push_fulfillment(&push(order, "UPS", "1ZOFF0002", &[("502", "MUG", 1)]))
        .await
        .unwrap();
    assert_eq!(s.status(order), "processing");
    assert_eq!(s.trackings().await["calls"]["total"], 0);
}

#[tokio::test]
async fn a_throttle_or_a_server_error_on_the_tracking_post_is_retried() {
    let s = start(TrackingExtension::Installed).await;
    let ch = channel(&s.server.base_url(), true);
    for (n, plan) in [
        FaultPlan {
            rate_limited: 1,
            ..FaultPlan::default()
        },
        FaultPlan {
            server_errors: 1,
            ..FaultPlan::default()
        },
    ]
    .into_iter()
    .enumerate()
    {
        let order = two_line_order(&s.shop, &format!("3002{n}"));
        let tracking = format!("1ZFAULT000{n}");
        let r = s
            .http
            .post(format!("{}/_sim/tracking_faults", s.server.base_url()))
            .json(&plan)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let p = push(order, "UPS", &tracking, WHOLE);
        let err = ch.push_fulfillment(&p).await.unwrap_err();
        assert!(err.is_retryable(), "{err:?}");
        if n == 0 {
            assert!(matches!(err, ChannelError::RateLimited { .. }), "{err:?}");
        }
        assert!(err.to_string().contains("shipment-trackings"), "{err}");
        // Nothing after the tracking went out: no note, not completed.
        assert_eq!(s.status(order), "processing");
        assert!(s.notes_naming(order, &tracking).await.is_empty());
        // The pusher's retry goes through, once.
        ch.push_fulfillment(&p).await.unwrap();
        assert_eq!(s.items(order).await.len(), 1);
        assert_eq!(s.status(order), "completed");
    }
}
