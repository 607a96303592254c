//! Stock and fulfilment pushes of the Shopify connector against the Shopify simulator over
//! real HTTP on loopback: levels land in the shop's stock with their latency, an unknown SKU is
//! refused alone, a throttle fails the call for a retry, the location comes from the config or
//! the shop, the variant list is paged, a shipment is reported once however often it is
//! pushed, the token never shows, and sales through the book are refused when the shop shows
//! too little stock.

#[path = "common/shopify_sim.rs"]
mod shopify_sim;
#[path = "common/sim_control.rs"]
mod sim_control;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;
use ordo::channels::shopify::ShopifyChannel;
use ordo::channels::{
    Channel, ChannelConfig, ChannelError, FulfilledLine, FulfillmentPush, Mapped, PageRequest,
    StockPush, INTENT_AT_HEADER,
};
use ordo::model::ChannelOrder;
use ordo::sim::channel::{FaultPlan, SimServer, SimShop};
use ordo::sim::shopify::{router, ShopifySimSettings, DEFAULT_LOCATION_ID};
use ordo::sim::Catalog;
use serde_json::{json, Value};
use shopify_sim::{start_time, VERSION};

const TOKEN: &str = "shpat_push_0a1b2c3d4e5f6789";

/// (method, path, carried X-Ordo-Intent-At) of every request the simulator saw.
type Seen = Arc<Mutex<Vec<(String, String, bool)>>>;

/// A fault to arm just before the next request whose method and path end match.
type ArmOn = Arc<Mutex<Option<(&'static str, &'static str, FaultPlan)>>>;

struct Sim {
    server: SimServer,
    shop: SimShop,
    seen: Seen,
    arm_on: ArmOn,
}

impl Sim {
    async fn start(orders: usize, settings: ShopifySimSettings) -> Sim {
        let shop = shopify_sim::seeded_shop(7, orders);
        let seen: Seen = Arc::default();
        let arm_on: ArmOn = Arc::default();
        let (log, arm, faults) = (seen.clone(), arm_on.clone(), shop.faults.clone());
        let app = router(shop.clone(), settings).layer(axum::middleware::from_fn(
            move |req: axum::extract::Request, next: axum::middleware::Next| {
                let (log, arm, faults) = (log.clone(), arm.clone(), faults.clone());
                async move {
                    let (method, path) = (req.method().to_string(), req.uri().path().to_string());
                    {
                        let mut armed = arm.lock().unwrap();
                        if let Some((m, end, plan)) = *armed {
                            if method == m && path.ends_with(end) {
                                faults.set(plan);
                                *armed = None;
                            }
                        }
                    }
                    let intent = req.headers().contains_key(INTENT_AT_HEADER);
                    log.lock().unwrap().push((method, path, intent));
                    next.run(req).await
                }
            },
        ));
        let server = shopify_sim::serve(app).await;
        Sim {
            server,
            shop,
            seen,
            arm_on,
        }
    }

    async fn with_orders(orders: usize) -> Sim {
        Sim::start(orders, shopify_sim::sim_settings(TOKEN)).await
    }

    fn channel(&self, location_id: Option<u64>) -> ShopifyChannel {
        channel(&self.server.base_url(), location_id, TOKEN)
    }

    async fn stats(&self) -> Value {
        sim_control::stats(&self.server.base_url()).await
    }

    async fn admin(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut r = reqwest::Client::new()
            .request(
                method,
                format!("{}/admin/api/{VERSION}/{path}", self.server.base_url()),
            )
            .header("X-Shopify-Access-Token", TOKEN);
        if let Some(body) = body {
            r = r.json(&body);
        }
        let r = r.send().await.unwrap();
        assert!(r.status().is_success(), "{path}: {}", r.status());
        r.json().await.unwrap()
    }

    /// Every order of the shop as the connector maps it.
    async fn orders(&self) -> Vec<ChannelOrder> {
        let ch = self.channel(None);
        let mut out = Vec::new();
        let mut request = PageRequest::Since(start_time() - chrono::Duration::days(30));
        loop {
            let page = ch.fetch_page(request).await.unwrap();
            for m in page.items {
                if let Mapped::Order { order, .. } = m {
                    out.push(*order);
                }
            }
            match page.next {
                Some(next) => request = PageRequest::Next(next),
                None => return out,
            }
        }
    }
}

fn config(base_url: &str, location_id: Option<u64>) -> ChannelConfig {
    shopify_sim::config(base_url, None, location_id)
}

fn channel(base_url: &str, location_id: Option<u64>, token: &str) -> ShopifyChannel {
    shopify_sim::connector(&config(base_url, location_id), token)
}

fn level(sku: &str, available: i64) -> StockPush {
    StockPush {
        sku: sku.into(),
        available,
        intent_at: Utc::now() - chrono::Duration::milliseconds(40),
    }
}

fn skus(n: usize) -> Vec<String> {
    Catalog::demo()
        .items
        .iter()
        .take(n)
        .map(|i| i.sku.clone())
        .collect()
}

#[tokio::test]
async fn levels_land_in_the_shop_with_their_latency() {
    let sim = Sim::with_orders(0).await;
    let ch = sim.channel(Some(DEFAULT_LOCATION_ID));
    assert_eq!(ch.max_stock_batch(), 1);
    let skus = skus(4);
    // One SKU per call, as the pusher sends them, and a longer slice served in order.
    for (i, sku) in skus[..2].iter().enumerate() {
        let answers = ch.push_stock(&[level(sku, 10 + i as i64)]).await.unwrap();
        assert_eq!(answers, vec![Ok(())]);
    }
    let rest: Vec<StockPush> = skus[2..].iter().map(|s| level(s, 0)).collect();
    assert_eq!(ch.push_stock(&rest).await.unwrap(), vec![Ok(()), Ok(())]);

    assert_eq!(sim.shop.stock.level(&skus[0]), Some(10));
    assert_eq!(sim.shop.stock.level(&skus[1]), Some(11));
    assert_eq!(sim.shop.stock.level(&skus[2]), Some(0));
    assert_eq!(sim.shop.stock.level(&skus[3]), Some(0));
    let stats = sim.shop.stock.stats();
    assert_eq!(stats.pushes, 4);
    let p50 = stats.push_latency_p50_ms.expect("latency recorded");
    assert!((40..10_000).contains(&p50), "p50 {p50} ms");

    // The same figures over HTTP, next to the fields that were there before.
    let http = sim.stats().await;
    assert_eq!(http["stock"]["pushes"], 4);
    assert!(http["stock"]["push_latency_p99_ms"].as_u64().is_some());
    assert!(http["requests"].as_u64().unwrap() >= 5);
    assert_eq!(http["orders"], 0);

    // Every request of a push said when its cause was committed; the variant list was read
    // once (products.json), then one set per SKU.
    let seen = sim.seen.lock().unwrap().clone();
    let admin: Vec<_> = seen
        .iter()
        .filter(|(_, p, _)| p.starts_with("/admin"))
        .collect();
    assert!(admin.iter().all(|(_, _, intent)| *intent), "{admin:?}");
    let paths: Vec<&str> = admin.iter().map(|(_, p, _)| p.as_str()).collect();
    assert_eq!(
        paths
            .iter()
            .filter(|p| p.ends_with("/products.json"))
            .count(),
        1
    );
    assert_eq!(
        paths
            .iter()
            .filter(|p| p.ends_with("/inventory_levels/set.json"))
            .count(),
        4
    );
}

#[tokio::test]
async fn an_unknown_sku_is_refused_alone() {
    let sim = Sim::with_orders(0).await;
    let ch = sim.channel(Some(DEFAULT_LOCATION_ID));
    let skus = skus(2);
    let answers = ch
        .push_stock(&[
            level(&skus[0], 5),
            level("NOT-IN-SHOP-1", 3),
            level(&skus[1], 6),
        ])
        .await
        .unwrap();
    assert_eq!(answers[0], Ok(()));
    assert_eq!(answers[2], Ok(()));
    let reason = answers[1].clone().unwrap_err();
    assert!(
        reason.contains("NOT-IN-SHOP-1") && reason.contains("not a variant"),
        "{reason}"
    );
    assert_eq!(sim.shop.stock.level(&skus[0]), Some(5));
    assert_eq!(sim.shop.stock.level("NOT-IN-SHOP-1"), None);
    assert_eq!(sim.shop.stock.stats().pushes, 2);
}

#[tokio::test]
async fn a_throttle_fails_the_call_and_the_next_one_goes_through() {
    let sim = Sim::with_orders(0).await;
    let ch = sim.channel(Some(DEFAULT_LOCATION_ID));
    let sku = &skus(1)[0];
    assert_eq!(ch.push_stock(&[level(sku, 1)]).await.unwrap(), vec![Ok(())]);

    sim.shop.faults.set(FaultPlan {
        rate_limited: 1,
        ..FaultPlan::default()
    });
    let err = ch.push_stock(&[level(sku, 2)]).await.unwrap_err();
    match &err {
        ChannelError::RateLimited { retry_after, .. } => {
            assert_eq!(*retry_after, Some(Duration::from_secs(2)))
        }
        other => panic!("expected a throttle, got {other:?}"),
    }
    assert!(err.is_retryable());
    assert_eq!(
        sim.shop.stock.level(sku),
        Some(1),
        "the throttled set did not land"
    );

    assert_eq!(ch.push_stock(&[level(sku, 2)]).await.unwrap(), vec![Ok(())]);
    assert_eq!(sim.shop.stock.level(sku), Some(2));
    assert_eq!(sim.shop.stock.stats().pushes, 2);
}

#[tokio::test]
async fn the_location_comes_from_the_config_or_the_shop() {
    let sim = Sim::with_orders(0).await;
    let sku = &skus(1)[0];
    // Without `location_id`, the shop's first active location.
    let ch = sim.channel(None);
    assert_eq!(ch.push_stock(&[level(sku, 7)]).await.unwrap(), vec![Ok(())]);
    assert_eq!(ch.push_stock(&[level(sku, 8)]).await.unwrap(), vec![Ok(())]);
    assert_eq!(sim.shop.stock.level(sku), Some(8));
    let seen = sim.seen.lock().unwrap().clone();
    let lookups = seen
        .iter()
        .filter(|(_, p, _)| p.ends_with("/locations.json"))
        .count();
    assert_eq!(lookups, 1, "the location is remembered");

    // A location the shop does not have fails the whole call, naming the config key.
    let wrong = sim.channel(Some(99));
    let err = wrong.push_stock(&[level(sku, 9)]).await.unwrap_err();
    assert!(matches!(err, ChannelError::Rejected { .. }), "{err:?}");
    assert!(err.to_string().contains("location_id"), "{err}");
    assert_eq!(sim.shop.stock.level(sku), Some(8));
}

#[tokio::test]
async fn the_variant_list_is_read_page_by_page() {
    // 300 products of one variant each: two pages of products.json.
    let skus: Vec<String> = (0..300).map(|i| format!("P{i:04}-ONE")).collect();
    let sim = Sim::start(
        0,
        ShopifySimSettings {
            token: TOKEN.into(),
            skus: skus.clone(),
            ..ShopifySimSettings::default()
        },
    )
    .await;
    let ch = sim.channel(Some(DEFAULT_LOCATION_ID));
    let answers = ch
        .push_stock(&[level(&skus[0], 1), level(&skus[299], 2)])
        .await
        .unwrap();
    assert_eq!(answers, vec![Ok(()), Ok(())]);
    assert_eq!(sim.shop.stock.level(&skus[299]), Some(2));
    let seen = sim.seen.lock().unwrap().clone();
    let pages = seen
        .iter()
        .filter(|(_, p, _)| p.ends_with("/products.json"))
        .count();
    assert_eq!(pages, 2);
}

/// An open order of the shop with at least `lines` lines.
async fn open_order(sim: &Sim, lines: usize) -> ChannelOrder {
    sim.orders()
        .await
        .into_iter()
        .find(|o| !o.cancelled && o.lines.len() >= lines)
        .expect("the feed made such an order")
}

fn shipment(order: &ChannelOrder, tracking: &str, lines: &[usize]) -> FulfillmentPush {
    FulfillmentPush {
        order_external_id: order.external_id.clone(),
        carrier: "ups".into(),
        tracking: tracking.into(),
        shipped_at: Utc::now(),
        lines: lines
            .iter()
            .map(|&i| FulfilledLine {
                channel_line_id: order.lines[i].channel_line_id.clone(),
                sku: order.lines[i].sku.clone(),
                quantity: order.lines[i].quantity,
            })
            .collect(),
        intent_at: Utc::now(),
    }
}

#[tokio::test]
async fn a_shipment_is_reported_once_however_often_it_is_pushed() {
    let sim = Sim::with_orders(30).await;
    let ch = sim.channel(None);
    let order = open_order(&sim, 1).await;
    let all: Vec<usize> = (0..order.lines.len()).collect();
    let push = shipment(&order, "1Z999AA10123456784", &all);
    sim.seen.lock().unwrap().clear();
    ch.push_fulfillment(&push).await.unwrap();

    let done = sim.shop.stock.fulfillments();
    assert_eq!(done.len(), 1);
    assert_eq!(done[0].order_id, order.external_id);
    assert_eq!(done[0].carrier, "UPS");
    assert_eq!(done[0].tracking, "1Z999AA10123456784");
    let mut expected: Vec<(String, u32)> = order
        .lines
        .iter()
        .map(|l| (l.channel_line_id.clone().unwrap(), l.quantity))
        .collect();
    expected.sort();
    let mut got = done[0].lines.clone();
    got.sort();
    assert_eq!(got, expected);
    let seen = sim.seen.lock().unwrap().clone();
    assert!(seen.iter().all(|(_, _, intent)| *intent), "{seen:?}");

    // A retry (the pusher crashed before it wrote down the confirmation): confirmed, not sent.
    ch.push_fulfillment(&push).await.unwrap();
    ch.push_fulfillment(&push).await.unwrap();
    assert_eq!(sim.shop.stock.fulfillments().len(), 1);
    assert_eq!(sim.stats().await["stock"]["fulfillments"], 1);

    // The shop shows the order fulfilled: fulfillment order closed, order status, tracking.
    let fos = sim
        .admin(
            reqwest::Method::GET,
            &format!("orders/{}/fulfillment_orders.json", order.external_id),
            None,
        )
        .await;
    assert_eq!(fos["fulfillment_orders"][0]["status"], "closed");
    let polled = sim.orders().await;
    let again = polled
        .iter()
        .find(|o| o.external_id == order.external_id)
        .unwrap();
    assert_eq!(again.lines.len(), order.lines.len());
    let listed = sim
        .admin(
            reqwest::Method::GET,
            &format!("orders/{}/fulfillments.json", order.external_id),
            None,
        )
        .await;
    assert_eq!(listed["fulfillments"][0]["tracking_company"], "UPS");
    assert_eq!(listed["fulfillments"][0]["status"], "success");
}

#[tokio::test]
async fn split_shipments_go_out_line_by_line() {
    let sim = Sim::with_orders(60).await;
    let ch = sim.channel(None);
    let order = open_order(&sim, 2).await;
    let first = shipment(&order, "TRACK-A", &[0]);
    let second = shipment(&order, "TRACK-B", &[1]);
    ch.push_fulfillment(&first).await.unwrap();
    let fos = sim
        .admin(
            reqwest::Method::GET,
            &format!("orders/{}/fulfillment_orders.json", order.external_id),
            None,
        )
        .await;
    let expected_status = if order.lines.len() > 1 {
        "in_progress"
    } else {
        "closed"
    };
    assert_eq!(fos["fulfillment_orders"][0]["status"], expected_status);
    ch.push_fulfillment(&second).await.unwrap();
    // The first parcel again, after the second went out: still two fulfilments.
    ch.push_fulfillment(&first).await.unwrap();
    let done = sim.shop.stock.fulfillments();
    assert_eq!(done.len(), 2, "{done:?}");
    assert_eq!(done[0].tracking, "TRACK-A");
    assert_eq!(
        done[0].lines,
        vec![(
            order.lines[0].channel_line_id.clone().unwrap(),
            order.lines[0].quantity
        )]
    );
    assert_eq!(done[1].tracking, "TRACK-B");
}

/// A new order of one line of `quantity` units whose Shopify line id is `line_id`.
async fn one_line_order(
    sim: &Sim,
    external_id: &str,
    line_id: &str,
    quantity: u32,
) -> ChannelOrder {
    let mut order = sim.shop.book.lock()[0].order.clone();
    order.external_id = external_id.into();
    order.cancelled = false;
    order.lines.truncate(1);
    order.lines[0].quantity = quantity;
    order.lines[0].channel_line_id = Some(line_id.into());
    let r = reqwest::Client::new()
        .post(format!("{}/_sim/orders", sim.server.base_url()))
        .json(&order)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    order
}

#[tokio::test]
async fn parcels_of_one_line_are_told_apart_by_tracking() {
    let sim = Sim::with_orders(3).await;
    let ch = sim.channel(None);
    let order = one_line_order(&sim, "7100000000001", "555", 3).await;
    let parcel = |tracking: &str| {
        let mut p = shipment(&order, tracking, &[0]);
        p.lines[0].quantity = 1;
        p
    };
    ch.push_fulfillment(&parcel("PARCEL-1")).await.unwrap();
    ch.push_fulfillment(&parcel("PARCEL-1")).await.unwrap();
    assert_eq!(sim.shop.stock.fulfillments().len(), 1);
    ch.push_fulfillment(&parcel("PARCEL-2")).await.unwrap();
    ch.push_fulfillment(&parcel("PARCEL-2")).await.unwrap();
    ch.push_fulfillment(&parcel("PARCEL-1")).await.unwrap();
    let done = sim.shop.stock.fulfillments();
    assert_eq!(done.len(), 2, "{done:?}");
    assert_eq!(done[1].lines, vec![("555".to_string(), 1)]);
    let fos = sim
        .admin(
            reqwest::Method::GET,
            "orders/7100000000001/fulfillment_orders.json",
            None,
        )
        .await;
    let item = &fos["fulfillment_orders"][0]["line_items"][0];
    assert_eq!(item["line_item_id"], 555);
    assert_eq!(item["quantity"], 3);
    assert_eq!(item["fulfillable_quantity"], 1);
    assert_eq!(fos["fulfillment_orders"][0]["status"], "in_progress");
}

#[tokio::test]
async fn a_cut_answer_to_the_fulfilment_is_retried_without_a_second_one() {
    let sim = Sim::with_orders(3).await;
    let ch = sim.channel(None);
    let order = one_line_order(&sim, "7100000000002", "777", 2).await;
    let push = shipment(&order, "1ZCUT", &[0]);
    // Shopify takes the fulfilment, but its answer breaks off in the middle.
    *sim.arm_on.lock().unwrap() = Some((
        "POST",
        "/fulfillments.json",
        FaultPlan {
            truncated: 1,
            ..FaultPlan::default()
        },
    ));
    let err = ch.push_fulfillment(&push).await.unwrap_err();
    assert!(err.is_retryable(), "{err:?}");
    assert_eq!(sim.shop.stock.fulfillments().len(), 1);
    // The pusher retries: confirmed, nothing sent twice.
    ch.push_fulfillment(&push).await.unwrap();
    assert_eq!(sim.shop.stock.fulfillments().len(), 1);

    // The same for a level: a cut answer is retryable, and setting it again is harmless.
    let sku = order.lines[0].sku.clone();
    *sim.arm_on.lock().unwrap() = Some((
        "POST",
        "/inventory_levels/set.json",
        FaultPlan {
            truncated: 1,
            ..FaultPlan::default()
        },
    ));
    let err = ch.push_stock(&[level(&sku, 4)]).await.unwrap_err();
    assert!(err.is_retryable(), "{err:?}");
    assert_eq!(
        ch.push_stock(&[level(&sku, 4)]).await.unwrap(),
        vec![Ok(())]
    );
    assert_eq!(sim.shop.stock.level(&sku), Some(4));
}

#[tokio::test]
async fn a_fulfilment_that_landed_before_a_crash_is_confirmed() {
    let sim = Sim::with_orders(30).await;
    let ch = sim.channel(None);
    let order = open_order(&sim, 1).await;
    // Shopify took the whole order (the answer never reached ordo) ...
    let fos = sim
        .admin(
            reqwest::Method::GET,
            &format!("orders/{}/fulfillment_orders.json", order.external_id),
            None,
        )
        .await;
    let fo_id = fos["fulfillment_orders"][0]["id"].as_u64().unwrap();
    sim.admin(
        reqwest::Method::POST,
        "fulfillments.json",
        Some(json!({"fulfillment": {
            "line_items_by_fulfillment_order": [{"fulfillment_order_id": fo_id}],
            "notify_customer": false,
        }})),
    )
    .await;
    assert_eq!(sim.shop.stock.fulfillments().len(), 1);
    // ... so the push, without a tracking number to compare, finds nothing left and is done.
    let all: Vec<usize> = (0..order.lines.len()).collect();
    ch.push_fulfillment(&shipment(&order, "", &all))
        .await
        .unwrap();
    // Lines without ids fulfil the whole order, which is fulfilled already.
    let mut no_ids = shipment(&order, "", &all);
    no_ids
        .lines
        .iter_mut()
        .for_each(|l| l.channel_line_id = None);
    ch.push_fulfillment(&no_ids).await.unwrap();
    assert_eq!(sim.shop.stock.fulfillments().len(), 1);

    // An order the shop does not have is refused.
    let mut unknown = shipment(&order, "X", &all);
    unknown.order_external_id = "123".into();
    let err = ch.push_fulfillment(&unknown).await.unwrap_err();
    assert!(matches!(err, ChannelError::Rejected { .. }), "{err:?}");
}

#[tokio::test]
async fn a_wrong_token_is_auth_and_never_shows() {
    let sim = Sim::with_orders(5).await;
    let wrong = "shpat_wrong_ffffeeeeddddcccc";
    let ch = channel(&sim.server.base_url(), None, wrong);
    let err = ch.push_stock(&[level(&skus(1)[0], 1)]).await.unwrap_err();
    assert!(matches!(err, ChannelError::Auth { .. }), "{err:?}");
    let order = open_order(&sim, 1).await;
    let ferr = ch
        .push_fulfillment(&shipment(&order, "T", &[0]))
        .await
        .unwrap_err();
    assert!(matches!(ferr, ChannelError::Auth { .. }), "{ferr:?}");
    for e in [&err, &ferr] {
        let text = format!("{e} {e:?}");
        assert!(!text.contains(wrong) && !text.contains(TOKEN), "{text}");
    }
    assert_eq!(sim.shop.stock.stats().pushes, 0);
    assert!(sim.shop.stock.fulfillments().is_empty());
}

#[tokio::test]
async fn sales_through_the_book_are_refused_when_the_shop_shows_too_little() {
    let sim = Sim::with_orders(10).await;
    let ch = sim.channel(Some(DEFAULT_LOCATION_ID));
    let mut order = sim.shop.book.lock()[0].order.clone();
    order.external_id = "7000000000001".into();
    order.cancelled = false;
    order.lines.truncate(1);
    order.lines[0].quantity = 2;
    let sku = order.lines[0].sku.clone();
    let put = |o: &ChannelOrder| {
        reqwest::Client::new()
            .post(format!("{}/_sim/orders", sim.server.base_url()))
            .json(o)
            .send()
    };
    ch.push_stock(&[level(&sku, 1)]).await.unwrap();
    let books = sim.shop.book.len();
    let r = put(&order).await.unwrap();
    assert_eq!(r.status(), 409);
    assert_eq!(r.text().await.unwrap(), r#"{"errors":"out of stock"}"#);
    assert_eq!(sim.shop.book.len(), books, "a refused order is not added");

    ch.push_stock(&[level(&sku, 5)]).await.unwrap();
    assert!(put(&order).await.unwrap().status().is_success());
    assert_eq!(sim.shop.stock.level(&sku), Some(3));
    // An edit or a cancellation of it sells nothing again.
    order.cancelled = true;
    order.updated_at += chrono::Duration::seconds(5);
    assert!(put(&order).await.unwrap().status().is_success());
    assert_eq!(sim.shop.stock.level(&sku), Some(3));
    let stats = sim.stats().await;
    assert_eq!(stats["stock"]["refused_sales"], 1);
    assert_eq!(stats["stock"]["units_sold"], 2);
    assert_eq!(stats["orders"], books + 1);
}
