//! WooCommerce stock and fulfillment pushes against the WooCommerce simulator over real HTTP on
//! loopback: levels in batches of 100, a SKU the shop does not sell, throttles and captcha
//! pages, bad credentials, a shipment reported once however often it is pushed, and the shop
//! selling from (and refusing sales beyond) the levels it was given.

#[path = "common/sim_control.rs"]
mod sim_control;
#[path = "common/woo.rs"]
mod woo;

use std::sync::atomic::Ordering;
use std::time::Duration;

use chrono::{TimeZone, Utc};
use ordo::channels::woocommerce::WooChannel;
use ordo::channels::{Channel, ChannelError, FulfilledLine, FulfillmentPush, StockPush};
use ordo::sim::channel::{FaultPlan, SimServer, SimShop};
use ordo::sim::woocommerce::{seed_orders, woo_id, woo_status, WooSimSettings};
use ordo::sim::Catalog;
use serde_json::Value;

const KEY: &str = "ck_push_5e6f7a8b";
const SECRET: &str = "cs_push_1a2b3c4d5e6f";

fn settings() -> WooSimSettings {
    woo::sim_settings(KEY, SECRET)
}

async fn start() -> (SimServer, SimShop) {
    let shop = SimShop::new(1);
    seed_orders(
        &shop,
        11,
        5,
        Utc.with_ymd_and_hms(2025, 3, 1, 8, 0, 0).unwrap(),
        60.0,
    );
    let server = woo::serve(&shop, settings()).await;
    (server, shop)
}

fn channel(base: &str, key: &str, secret: &str) -> WooChannel {
    woo::connector(&woo::config(base, None, false), key, secret)
}

fn levels(skus: &[String], base: i64) -> Vec<StockPush> {
    let at = Utc::now();
    skus.iter()
        .enumerate()
        .map(|(i, sku)| StockPush {
            sku: sku.clone(),
            available: base + i as i64 % 17,
            intent_at: at,
        })
        .collect()
}

fn catalog_skus(n: usize) -> Vec<String> {
    Catalog::demo()
        .items
        .into_iter()
        .take(n)
        .map(|i| i.sku)
        .collect()
}

async fn sim_stats(server: &SimServer) -> Value {
    sim_control::stats(&server.base_url()).await
}

#[tokio::test]
async fn a_hundred_and_fifty_levels_go_in_two_batches_and_land() {
    let (server, shop) = start().await;
    let ch = channel(&server.base_url(), KEY, SECRET);
    assert_eq!(ch.max_stock_batch(), 100);
    let skus = catalog_skus(150);
    assert_eq!(skus.len(), 150);
    let requests = || shop.faults.requests.load(Ordering::Relaxed);

    let pushes = levels(&skus, 3);
    let got = ch.push_stock(&pushes).await.unwrap();
    assert_eq!(got.len(), 150);
    assert!(got.iter().all(Result::is_ok), "{got:?}");
    // Four lookups of at most 40 SKUs, then two batches (100 + 50).
    assert_eq!(requests(), 6);
    for p in &pushes {
        assert_eq!(shop.stock.level(&p.sku), Some(p.available), "{}", p.sku);
    }

    // The SKUs are cached now: the next push is the two batch calls alone.
    let pushes = levels(&skus, 10);
    let got = ch.push_stock(&pushes).await.unwrap();
    assert!(got.iter().all(Result::is_ok), "{got:?}");
    assert_eq!(requests(), 8);
    for p in &pushes {
        assert_eq!(shop.stock.level(&p.sku), Some(p.available), "{}", p.sku);
    }

    let stats = sim_stats(&server).await;
    assert_eq!(stats["stock"]["pushes"], 300);
    assert!(
        stats["stock"]["push_latency_p99_ms"].is_u64(),
        "the intent time came along: {stats}"
    );
    assert!(
        stats["requests"].is_u64() && stats["orders"] == 5,
        "{stats}"
    );
}

#[tokio::test]
async fn an_unknown_sku_is_refused_by_name_while_the_others_land() {
    let (server, shop) = start().await;
    let ch = channel(&server.base_url(), KEY, SECRET);
    let mut skus = catalog_skus(3);
    skus.insert(1, "NO-SUCH-SKU-42".into());
    let pushes = levels(&skus, 5);
    let got = ch.push_stock(&pushes).await.unwrap();
    assert!(
        got[0].is_ok() && got[2].is_ok() && got[3].is_ok(),
        "{got:?}"
    );
    let err = got[1].clone().unwrap_err();
    assert!(
        err.contains("NO-SUCH-SKU-42") && err.contains("no product"),
        "{err}"
    );
    assert_eq!(shop.stock.level("NO-SUCH-SKU-42"), None);
    assert_eq!(shop.stock.level(&skus[2]), Some(pushes[2].available));
}

#[tokio::test]
async fn a_throttle_is_rate_limited_with_its_retry_after_and_the_next_call_lands() {
    let (server, shop) = start().await;
    let ch = channel(&server.base_url(), KEY, SECRET);
    let pushes = levels(&catalog_skus(5), 1);
    shop.faults.set(FaultPlan {
        rate_limited: 1,
        ..FaultPlan::default()
    });
    let err = ch.push_stock(&pushes).await.unwrap_err();
    match &err {
        ChannelError::RateLimited { retry_after, .. } => {
            assert_eq!(*retry_after, Some(Duration::from_secs(2)))
        }
        other => panic!("expected a throttle, got {other:?}"),
    }
    assert!(err.is_retryable());
    let got = ch.push_stock(&pushes).await.unwrap();
    assert!(got.iter().all(Result::is_ok), "{got:?}");
    assert_eq!(shop.stock.level(&pushes[4].sku), Some(pushes[4].available));
}

#[tokio::test]
async fn a_captcha_page_or_a_server_error_is_transient() {
    let (server, shop) = start().await;
    let ch = channel(&server.base_url(), KEY, SECRET);
    let pushes = levels(&catalog_skus(2), 1);
    // The first HTML fault of a shop is the 202 captcha.
    shop.faults.set(FaultPlan {
        html_pages: 1,
        ..FaultPlan::default()
    });
    let err = ch.push_stock(&pushes).await.unwrap_err();
    assert!(matches!(err, ChannelError::Transient { .. }), "{err:?}");
    assert!(err.to_string().contains("202"), "{err}");
    // A cut-off batch answer and a 500 page are transient too; the level is pushed again.
    ch.push_stock(&pushes).await.unwrap();
    for plan in [
        FaultPlan {
            truncated: 1,
            ..FaultPlan::default()
        },
        FaultPlan {
            server_errors: 1,
            ..FaultPlan::default()
        },
    ] {
        shop.faults.set(plan);
        let err = ch.push_stock(&pushes).await.unwrap_err();
        assert!(matches!(err, ChannelError::Transient { .. }), "{err:?}");
    }
    let got = ch.push_stock(&pushes).await.unwrap();
    assert!(got.iter().all(Result::is_ok), "{got:?}");
}

fn shipment(order_id: &str) -> FulfillmentPush {
    FulfillmentPush {
        order_external_id: order_id.into(),
        carrier: "DHL".into(),
        tracking: "00340434161094042557".into(),
        shipped_at: Utc::now(),
        lines: vec![FulfilledLine {
            channel_line_id: None,
            sku: "X".into(),
            quantity: 1,
        }],
        intent_at: Utc::now(),
    }
}

async fn notes(server: &SimServer, id: u64) -> Vec<Value> {
    let path = format!("/wp-json/wc/v3/orders/{id}/notes");
    woo::get(server, &path, KEY, SECRET).await
}

#[tokio::test]
async fn a_shipment_completes_the_order_with_one_tracking_note_however_often_pushed() {
    let (server, shop) = start().await;
    let ch = channel(&server.base_url(), KEY, SECRET);
    let order = shop
        .book
        .changed_between(None, None)
        .into_iter()
        .find(|o| woo_status(&o.order) == "processing")
        .expect("a processing order");
    let id = woo_id(&order);
    let push = shipment(&id.to_string());

    ch.push_fulfillment(&push).await.unwrap();
    let book_status = |shop: &SimShop| {
        let o = shop
            .book
            .lock()
            .iter()
            .find(|o| woo_id(o) == id)
            .cloned()
            .unwrap();
        (woo_status(&o.order).to_string(), o.order.updated_at)
    };
    let (status, modified) = book_status(&shop);
    assert_eq!(status, "completed");
    assert!(modified > order.order.updated_at, "date_modified moved");
    let tracking_notes = |notes: &[Value]| {
        notes
            .iter()
            .filter(|n| {
                n["note"]
                    .as_str()
                    .unwrap_or("")
                    .contains("00340434161094042557")
            })
            .cloned()
            .collect::<Vec<_>>()
    };
    let first = notes(&server, id).await;
    let tracked = tracking_notes(&first);
    assert_eq!(tracked.len(), 1, "{first:?}");
    assert_eq!(
        tracked[0]["note"],
        "Shipped via DHL, tracking 00340434161094042557"
    );
    assert_eq!(tracked[0]["customer_note"], true);
    let shipped = shop.stock.fulfillments();
    assert_eq!(shipped.len(), 1);
    assert_eq!(shipped[0].order_id, id.to_string());
    assert_eq!(shipped[0].carrier, "DHL");
    assert_eq!(shipped[0].lines.len(), order.order.lines.len());

    // A retry (the first answer was lost, say) changes nothing and adds no second note.
    ch.push_fulfillment(&push).await.unwrap();
    let again = notes(&server, id).await;
    assert_eq!(tracking_notes(&again).len(), 1, "{again:?}");
    assert_eq!(again.len(), first.len());
    assert_eq!(shop.stock.fulfillments().len(), 1);
    assert_eq!(book_status(&shop), (status, modified));
    assert_eq!(sim_stats(&server).await["stock"]["fulfillments"], 1);

    // A throttled attempt is retryable, then goes through.
    let other = shop
        .book
        .changed_between(None, None)
        .into_iter()
        .find(|o| woo_status(&o.order) == "processing" && woo_id(o) != id)
        .expect("another processing order");
    let push = shipment(&woo_id(&other).to_string());
    shop.faults.set(FaultPlan {
        rate_limited: 1,
        ..FaultPlan::default()
    });
    let err = ch.push_fulfillment(&push).await.unwrap_err();
    assert!(matches!(err, ChannelError::RateLimited { .. }), "{err:?}");
    ch.push_fulfillment(&push).await.unwrap();
    assert_eq!(shop.stock.fulfillments().len(), 2);
}

#[tokio::test]
async fn a_shipment_of_a_cancelled_or_unknown_order_is_refused() {
    let (server, shop) = start().await;
    let ch = channel(&server.base_url(), KEY, SECRET);
    let mut order = shop.book.changed_between(None, None)[0].order.clone();
    order.cancelled = true;
    order.updated_at += chrono::Duration::minutes(5);
    let id = order.external_id.clone();
    shop.book.upsert(order);
    let err = ch.push_fulfillment(&shipment(&id)).await.unwrap_err();
    assert!(matches!(err, ChannelError::Rejected { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains("cancelled") || text.contains("refunded"),
        "{text}"
    );
    assert!(shop.stock.fulfillments().is_empty());

    let err = ch.push_fulfillment(&shipment("999999")).await.unwrap_err();
    assert!(matches!(err, ChannelError::Rejected { .. }), "{err:?}");
    let err = ch.push_fulfillment(&shipment("#1001")).await.unwrap_err();
    assert!(matches!(err, ChannelError::Rejected { .. }), "{err:?}");
}

#[tokio::test]
async fn bad_credentials_are_auth_errors_without_the_secret() {
    let (server, shop) = start().await;
    let wrong_secret = "cs_wrong_77aa88bb99cc";
    let ch = channel(&server.base_url(), KEY, wrong_secret);
    let err = ch
        .push_stock(&levels(&catalog_skus(2), 1))
        .await
        .unwrap_err();
    let id = woo_id(&shop.book.changed_between(None, None)[0]).to_string();
    let err2 = ch.push_fulfillment(&shipment(&id)).await.unwrap_err();
    for err in [err, err2] {
        assert!(matches!(err, ChannelError::Auth { .. }), "{err:?}");
        let text = format!("{err} {err:?}");
        assert!(!text.contains(wrong_secret), "{text}");
        assert!(!text.contains(KEY), "{text}");
    }
    assert_eq!(shop.stock.stats().pushes, 0);
    assert!(shop.stock.fulfillments().is_empty());
}

#[tokio::test]
async fn the_shop_sells_from_the_pushed_levels_and_refuses_beyond_them() {
    let (server, shop) = start().await;
    let ch = channel(&server.base_url(), KEY, SECRET);
    let http = reqwest::Client::new();
    let mut order = shop.book.changed_between(None, None)[0].order.clone();
    order.lines.truncate(1);
    order.lines[0].quantity = 2;
    let sku = order.lines[0].sku.clone();
    let push = |available| StockPush {
        sku: sku.clone(),
        available,
        intent_at: Utc::now(),
    };
    assert!(ch.push_stock(&[push(3)]).await.unwrap()[0].is_ok());

    let post = |o: &ordo::model::ChannelOrder| {
        http.post(format!("{}/_sim/orders", server.base_url()))
            .json(o)
            .send()
    };
    order.external_id = "777001".into();
    assert_eq!(post(&order).await.unwrap().status(), 200);
    assert_eq!(shop.stock.level(&sku), Some(1));
    // An edit of the same order does not sell again.
    order.updated_at += chrono::Duration::minutes(1);
    assert_eq!(post(&order).await.unwrap().status(), 200);
    assert_eq!(shop.stock.level(&sku), Some(1));
    // A new order for 2 when the shop shows 1 is refused and not added.
    let before = shop.book.len();
    order.external_id = "777002".into();
    assert_eq!(post(&order).await.unwrap().status(), 409);
    assert_eq!(shop.book.len(), before);
    let stats = sim_stats(&server).await;
    assert_eq!(stats["stock"]["refused_sales"], 1);
    assert_eq!(stats["stock"]["units_sold"], 2);
}

#[tokio::test]
async fn the_batch_endpoint_answers_as_woocommerce_does() {
    let (server, shop) = start().await;
    let http = reqwest::Client::new();
    let url = format!("{}/wp-json/wc/v3/products/batch", server.base_url());
    let sku = catalog_skus(1).remove(0);
    let found: Vec<Value> = http
        .get(format!("{}/wp-json/wc/v3/products", server.base_url()))
        .query(&[("sku", sku.as_str())])
        .basic_auth(KEY, Some(SECRET))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["sku"], sku.as_str());
    assert_eq!(found[0]["type"], "simple");
    let id = found[0]["id"].as_u64().unwrap();

    // More than 100 objects: 413, nothing applied.
    let update: Vec<Value> = (0..101)
        .map(|_| serde_json::json!({"id": id, "stock_quantity": 9}))
        .collect();
    let r = http
        .post(&url)
        .basic_auth(KEY, Some(SECRET))
        .json(&serde_json::json!({ "update": update }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["code"], "woocommerce_rest_request_entity_too_large");
    assert_eq!(shop.stock.level(&sku), None);

    // An unknown id is answered in place; the known one is saved.
    let body: Value = http
        .post(&url)
        .basic_auth(KEY, Some(SECRET))
        .json(&serde_json::json!({ "update": [
            {"id": 1, "stock_quantity": 4},
            {"id": id, "manage_stock": true, "stock_quantity": 4},
        ]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["update"][0]["id"], 1);
    assert_eq!(
        body["update"][0]["error"]["code"],
        "woocommerce_rest_product_invalid_id"
    );
    assert_eq!(body["update"][0]["error"]["data"]["status"], 400);
    assert_eq!(body["update"][1]["stock_quantity"], 4);
    assert_eq!(shop.stock.level(&sku), Some(4));

    // Without credentials: 401 in WooCommerce's shape.
    let r = http
        .post(&url)
        .json(&serde_json::json!({ "update": [] }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["code"], "woocommerce_rest_cannot_batch");
}
