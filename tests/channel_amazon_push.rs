//! Amazon pushes over real HTTP on loopback: stock levels through the Listings Items API
//! (`patchListingsItem`) and shipments through Orders API v0 `confirmShipment`, against the
//! Amazon simulator: levels land in the shop with their latency, unknown SKUs are refused by
//! name, throttles are retryable, a retried confirmation is not counted twice, and no
//! credential shows in an error.

#[path = "common/sim_control.rs"]
mod sim_control;

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use ordo::channels::amazon::AmazonChannel;
use ordo::channels::{
    Channel, ChannelConfig, ChannelError, ChannelKind, ChannelSettings, FulfilledLine,
    FulfillmentPush, Mapped, PageRequest, StockPush,
};
use ordo::model::{ChannelOrder, FinancialStatus};
use ordo::sim::amazon::{
    amazon_order_id, order_item_id, router, seed_orders, AmazonSimSettings, AmazonSimStats,
};
use ordo::sim::channel::{FaultPlan, SimOrder, SimServer, SimShop};
use ordo::sim::Catalog;

const SELLER: &str = "A1SIMSELLER";
/// A SKU with a slash and a space: one path segment only when percent-encoded.
const ODD_SKU: &str = "TEE/RED M";

struct Sim {
    server: SimServer,
    shop: SimShop,
    settings: AmazonSimSettings,
}

impl Sim {
    async fn start(settings: AmazonSimSettings) -> Sim {
        let shop = SimShop::new(1);
        let start = Utc::now() - chrono::Duration::days(1);
        seed_orders(&shop, 42, 40, start, chrono::Duration::seconds(60));
        let server = SimServer::start(
            router(shop.clone(), settings.clone()),
            "127.0.0.1:0".parse().unwrap(),
        )
        .await
        .unwrap();
        Sim {
            server,
            shop,
            settings,
        }
    }

    async fn standard() -> Sim {
        Sim::start(AmazonSimSettings {
            extra_listings: vec![ODD_SKU.to_string()],
            ..Default::default()
        })
        .await
    }

    fn base(&self) -> String {
        self.server.base_url()
    }

    fn channel(&self) -> AmazonChannel {
        self.channel_with(&self.settings.refresh_token, Some(SELLER))
    }

    fn channel_with(&self, refresh: &str, seller_id: Option<&str>) -> AmazonChannel {
        self.channel_planned(refresh, seller_id, None, None)
    }

    /// With `push_rate` and `push_burst` as the config gives them.
    fn channel_planned(
        &self,
        refresh: &str,
        seller_id: Option<&str>,
        push_rate: Option<rust_decimal::Decimal>,
        push_burst: Option<u32>,
    ) -> AmazonChannel {
        let base = self.base();
        let config = ChannelConfig {
            id: "amazon-us".into(),
            kind: ChannelKind::Amazon,
            base_url: base.clone(),
            enabled: true,
            poll_interval_secs: 60,
            overlap_secs: 300,
            page_size: None,
            sku_map: Default::default(),
            buffers: Vec::new(),
            settings: ChannelSettings::Amazon {
                refresh_token_env: "AMZ_REFRESH".into(),
                client_id_env: "AMZ_CLIENT_ID".into(),
                client_secret_env: "AMZ_CLIENT_SECRET".into(),
                token_url: format!("{base}/auth/o2/token"),
                marketplace_ids: vec!["ATVPDKIKX0DER".into()],
                seller_id: seller_id.map(String::from),
                push_rate,
                push_burst,
            },
        };
        let env: HashMap<&str, String> = HashMap::from([
            ("AMZ_REFRESH", refresh.to_string()),
            ("AMZ_CLIENT_ID", self.settings.client_id.clone()),
            ("AMZ_CLIENT_SECRET", self.settings.client_secret.clone()),
        ]);
        AmazonChannel::new(&config, &|k| env.get(k).cloned()).unwrap()
    }

    async fn stats(&self) -> AmazonSimStats {
        sim_control::stats(&self.base()).await
    }

    async fn faults(&self, plan: FaultPlan) {
        sim_control::set_faults(&self.base(), plan).await
    }

    /// An order of the book that can be shipped (paid, not cancelled, not shipped).
    fn unshipped(&self, skip: usize) -> SimOrder {
        self.shop
            .book
            .lock()
            .iter()
            .filter(|o| {
                !o.order.cancelled
                    && o.order.financial_status != FinancialStatus::Pending
                    && !o.order.tags.iter().any(|t| t.contains("shipped"))
            })
            .nth(skip)
            .cloned()
            .expect("the seeded book has unshipped orders")
    }

    fn book_order(&self, amazon_id: &str) -> ChannelOrder {
        self.shop
            .book
            .lock()
            .iter()
            .find(|o| amazon_order_id(o) == amazon_id)
            .unwrap()
            .order
            .clone()
    }
}

fn catalog_skus(n: usize) -> Vec<String> {
    Catalog::demo()
        .items
        .into_iter()
        .take(n)
        .map(|i| i.sku)
        .collect()
}

fn level(sku: &str, available: i64, intent_at: DateTime<Utc>) -> StockPush {
    StockPush {
        sku: sku.to_string(),
        available,
        intent_at,
    }
}

fn shipment(o: &SimOrder, carrier: &str, tracking: &str) -> FulfillmentPush {
    FulfillmentPush {
        order_external_id: amazon_order_id(o),
        carrier: carrier.into(),
        tracking: tracking.into(),
        shipped_at: Utc::now(),
        lines: o
            .order
            .lines
            .iter()
            .map(|l| FulfilledLine {
                channel_line_id: Some(order_item_id(o, l)),
                sku: l.sku.clone(),
                quantity: l.quantity,
            })
            .collect(),
        intent_at: Utc::now(),
    }
}

#[tokio::test]
async fn pushed_levels_become_the_shops_levels_with_their_latency() {
    let sim = Sim::standard().await;
    let ch = sim.channel();
    assert_eq!(ch.max_stock_batch(), 1);
    let skus = catalog_skus(2);
    let intent = Utc::now() - chrono::Duration::milliseconds(40);
    let pushes = [
        level(&skus[0], 7, intent),
        level(ODD_SKU, 3, intent),
        level(&skus[1], -2, intent),
    ];
    for p in &pushes {
        let answers = ch.push_stock(std::slice::from_ref(p)).await.unwrap();
        assert_eq!(answers, vec![Ok(())], "{}", p.sku);
    }
    assert_eq!(sim.shop.stock.level(&skus[0]), Some(7));
    assert_eq!(sim.shop.stock.level(ODD_SKU), Some(3));
    // Amazon takes no negative quantity: more reserved than on hand shows 0.
    assert_eq!(sim.shop.stock.level(&skus[1]), Some(0));
    // Absolute levels: pushing one again changes nothing but the count.
    ch.push_stock(&pushes[..1]).await.unwrap();
    assert_eq!(sim.shop.stock.level(&skus[0]), Some(7));

    let stats = sim.stats().await;
    assert_eq!(stats.stock.pushes, 4, "{stats:?}");
    assert_eq!(stats.listings_accepted, 4);
    assert_eq!(stats.token_exchanges, 1, "one access token for every push");
    let p50 = stats.stock.push_latency_p50_ms.expect("latency recorded");
    assert!((40..60_000).contains(&p50), "latency {p50} ms");
    assert!(stats.stock.push_latency_p99_ms.is_some());
}

#[tokio::test]
async fn an_unknown_sku_is_refused_by_name_and_the_others_are_set() {
    let sim = Sim::standard().await;
    let ch = sim.channel();
    let skus = catalog_skus(2);
    let now = Utc::now();
    let answers = ch
        .push_stock(&[
            level(&skus[0], 5, now),
            level("NO-SUCH/SKU", 9, now),
            level(&skus[1], 6, now),
        ])
        .await
        .unwrap();
    assert_eq!(answers.len(), 3);
    assert_eq!(answers[0], Ok(()));
    assert_eq!(answers[2], Ok(()));
    let reason = answers[1].clone().unwrap_err();
    assert!(
        reason.contains("NO-SUCH/SKU") && reason.contains("no listing"),
        "{reason}"
    );
    assert_eq!(sim.shop.stock.level(&skus[0]), Some(5));
    assert_eq!(sim.shop.stock.level(&skus[1]), Some(6));
    assert_eq!(sim.shop.stock.level("NO-SUCH/SKU"), None);
}

#[tokio::test]
async fn without_a_seller_id_every_push_is_refused_naming_the_key() {
    let sim = Sim::standard().await;
    let ch = sim.channel_with(&sim.settings.refresh_token, None);
    let skus = catalog_skus(2);
    let answers = ch
        .push_stock(&[
            level(&skus[0], 1, Utc::now()),
            level(&skus[1], 1, Utc::now()),
        ])
        .await
        .unwrap();
    assert_eq!(answers.len(), 2);
    for (a, sku) in answers.iter().zip(&skus) {
        let reason = a.clone().unwrap_err();
        assert!(
            reason.contains("seller_id") && reason.contains(sku),
            "{reason}"
        );
    }
    assert_eq!(sim.stats().await.requests, 0, "nothing was sent");
}

#[tokio::test]
async fn a_throttle_is_rate_limited_and_the_next_call_goes_through() {
    // An armed 429.
    let sim = Sim::standard().await;
    let ch = sim.channel();
    let sku = &catalog_skus(1)[0];
    sim.faults(FaultPlan {
        rate_limited: 1,
        ..Default::default()
    })
    .await;
    let err = ch
        .push_stock(&[level(sku, 4, Utc::now())])
        .await
        .unwrap_err();
    assert!(matches!(err, ChannelError::RateLimited { .. }), "{err:?}");
    assert!(err.is_retryable());
    assert_eq!(sim.shop.stock.level(sku), None);
    assert_eq!(
        ch.push_stock(&[level(sku, 4, Utc::now())]).await.unwrap(),
        vec![Ok(())]
    );
    assert_eq!(sim.shop.stock.level(sku), Some(4));

    // The listings bucket itself (slowed down so the test does not race the refill).
    let sim = Sim::start(AmazonSimSettings {
        listings_rate: 0.5,
        listings_burst: 2,
        ..Default::default()
    })
    .await;
    let ch = sim.channel();
    for n in 0..2 {
        ch.push_stock(&[level(sku, n, Utc::now())]).await.unwrap();
    }
    let err = ch
        .push_stock(&[level(sku, 9, Utc::now())])
        .await
        .unwrap_err();
    assert!(matches!(err, ChannelError::RateLimited { .. }), "{err:?}");
    assert_eq!(sim.stats().await.throttled, 1);
    tokio::time::sleep(Duration::from_millis(2100)).await;
    ch.push_stock(&[level(sku, 9, Utc::now())]).await.unwrap();
    assert_eq!(sim.shop.stock.level(sku), Some(9));

    // An outage is transient too.
    sim.faults(FaultPlan {
        server_errors: 1,
        ..Default::default()
    })
    .await;
    let err = ch
        .push_stock(&[level(sku, 1, Utc::now())])
        .await
        .unwrap_err();
    assert!(matches!(err, ChannelError::Transient { .. }), "{err:?}");
}

#[tokio::test]
async fn a_shipment_is_confirmed_once_even_when_the_push_is_retried() {
    let sim = Sim::standard().await;
    let ch = sim.channel();
    let o = sim.unshipped(0);
    let push = shipment(&o, "ups", "1Z999AA10123456784");
    ch.push_fulfillment(&push).await.unwrap();

    let recorded = sim.shop.stock.fulfillments();
    assert_eq!(recorded.len(), 1);
    let f = &recorded[0];
    assert_eq!(f.order_id, amazon_order_id(&o));
    assert_eq!(f.carrier, "UPS");
    assert_eq!(f.tracking, "1Z999AA10123456784");
    let want: Vec<(String, u32)> = o
        .order
        .lines
        .iter()
        .map(|l| (order_item_id(&o, l), l.quantity))
        .collect();
    assert_eq!(f.lines, want);
    let shipped = sim.book_order(&amazon_order_id(&o));
    assert!(
        shipped.tags.iter().any(|t| t == "shipped"),
        "{:?}",
        shipped.tags
    );
    assert!(shipped.updated_at > o.order.updated_at);

    // A poll sees the order Shipped.
    let page = ch
        .fetch_page(PageRequest::Since(
            Utc::now() - chrono::Duration::seconds(30),
        ))
        .await
        .unwrap();
    let polled: Vec<&ChannelOrder> = page
        .items
        .iter()
        .filter_map(|m| match m {
            Mapped::Order { order, .. } => Some(order.as_ref()),
            Mapped::Unmappable { .. } => None,
        })
        .collect();
    assert_eq!(polled.len(), 1);
    assert_eq!(polled[0].external_id, amazon_order_id(&o));
    assert!(polled[0].tags.iter().any(|t| t == "shipped"));

    // The retry of a confirmation whose answer was lost: Amazon says it is already
    // confirmed, which is the confirmation.
    ch.push_fulfillment(&push).await.unwrap();
    assert_eq!(sim.shop.stock.fulfillments().len(), 1);
    let stats = sim.stats().await;
    assert_eq!(stats.shipments_confirmed, 1);
    assert_eq!(stats.stock.fulfillments, 1);

    // A carrier without an Amazon code goes as Other with its name.
    let other = sim.unshipped(0);
    ch.push_fulfillment(&shipment(&other, "La Poste", "6A12345678901"))
        .await
        .unwrap();
    let recorded = sim.shop.stock.fulfillments();
    assert_eq!(recorded.len(), 2);
    assert_eq!(recorded[1].carrier, "La Poste");
}

#[tokio::test]
async fn a_shipment_the_order_cannot_take_is_rejected() {
    let sim = Sim::standard().await;
    let ch = sim.channel();
    let o = sim.unshipped(0);
    let mut push = shipment(&o, "FedEx", "7489");
    push.lines[0].channel_line_id = Some("99999999999999".into());
    let err = ch.push_fulfillment(&push).await.unwrap_err();
    assert!(matches!(err, ChannelError::Rejected { .. }), "{err:?}");
    assert!(err.to_string().contains("99999999999999"), "{err}");

    let mut push = shipment(&o, "FedEx", "7489");
    push.lines[0].channel_line_id = None;
    let err = ch.push_fulfillment(&push).await.unwrap_err();
    assert!(matches!(err, ChannelError::Rejected { .. }), "{err:?}");

    let mut push = shipment(&o, "FedEx", "7489");
    push.order_external_id = "999-0000000-0000000".into();
    let err = ch.push_fulfillment(&push).await.unwrap_err();
    assert!(matches!(err, ChannelError::Rejected { .. }), "{err:?}");
    assert!(sim.shop.stock.fulfillments().is_empty());
    assert!(!sim
        .book_order(&amazon_order_id(&o))
        .tags
        .iter()
        .any(|t| t.contains("shipped")));
}

#[tokio::test]
async fn a_bad_refresh_token_is_auth_and_shows_no_secret() {
    let sim = Sim::standard().await;
    let ch = sim.channel_with("Atzr|wrong-refresh-token", Some(SELLER));
    let sku = &catalog_skus(1)[0];
    let stock = ch
        .push_stock(&[level(sku, 1, Utc::now())])
        .await
        .unwrap_err();
    let ship = ch
        .push_fulfillment(&shipment(&sim.unshipped(0), "UPS", "1Z"))
        .await
        .unwrap_err();
    for err in [stock, ship] {
        assert!(matches!(err, ChannelError::Auth { .. }), "{err:?}");
        let text = format!("{err} {err:?}");
        for secret in [
            "wrong-refresh-token",
            sim.settings.client_secret.as_str(),
            "Atza|",
        ] {
            assert!(!text.contains(secret), "{text}");
        }
    }
    assert_eq!(sim.shop.stock.level(sku), None);
    assert!(sim.shop.stock.fulfillments().is_empty());
}

#[tokio::test]
async fn a_new_order_is_a_sale_the_shop_refuses_without_stock() {
    let sim = Sim::standard().await;
    let sku = catalog_skus(1)[0].clone();
    sim.shop.stock.set(&sku, 1);
    let mut order = sim.unshipped(0).order;
    order.external_id = "111-2223334-4445556".into();
    order.lines.truncate(1);
    order.lines[0].sku = sku.clone();
    order.lines[0].quantity = 2;
    let post = |o: ChannelOrder| {
        let url = format!("{}/_sim/orders", sim.base());
        async move {
            reqwest::Client::new()
                .post(url)
                .json(&o)
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    let before = sim.shop.book.len();
    assert_eq!(post(order.clone()).await, reqwest::StatusCode::CONFLICT);
    assert_eq!(sim.shop.book.len(), before, "a refused sale adds no order");
    order.lines[0].quantity = 1;
    assert!(post(order.clone()).await.is_success());
    assert_eq!(sim.shop.book.len(), before + 1);
    assert_eq!(sim.shop.stock.level(&sku), Some(0));
    // An edit of a known order sells nothing again.
    order.updated_at += chrono::Duration::seconds(1);
    assert!(post(order).await.is_success());
    let stats = sim.stats().await;
    assert_eq!(stats.stock.units_sold, 1, "{stats:?}");
    assert_eq!(stats.stock.refused_sales, 1);
    assert_eq!(sim.shop.stock.level(&sku), Some(0));
}

/// The connector paces listings pushes to the usage plan (5 a second, burst 5): twelve pushes
/// in a row all land, and not one is throttled (without pacing the sixth is a 429).
#[tokio::test]
async fn pushes_go_at_the_usage_plan_without_a_throttle() {
    let sim = Sim::standard().await;
    let ch = sim.channel();
    assert_eq!(ch.push_plan(), (5.0, 5));
    let skus = catalog_skus(12);
    for (n, sku) in skus.iter().enumerate() {
        let answers = ch
            .push_stock(&[level(sku, n as i64, Utc::now())])
            .await
            .unwrap_or_else(|e| panic!("push {n} of {sku}: {e}"));
        assert_eq!(answers, vec![Ok(())]);
    }
    let stats = sim.stats().await;
    assert_eq!(stats.throttled, 0, "{stats:?}");
    assert_eq!(stats.listings_accepted, 12);
    for (n, sku) in skus.iter().enumerate() {
        assert_eq!(sim.shop.stock.level(sku), Some(n as i64));
    }
}

/// The configured plan (`push_rate`, `push_burst`) paces the pushes until Amazon answers.
#[tokio::test]
async fn the_configured_plan_is_the_pace_until_amazon_answers() {
    let sim = Sim::standard().await;
    let ch = sim.channel_planned(
        &sim.settings.refresh_token,
        Some(SELLER),
        Some(rust_decimal::Decimal::new(25, 1)),
        Some(3),
    );
    assert_eq!(ch.push_plan(), (2.5, 3));
    let sku = &catalog_skus(1)[0];
    ch.push_stock(&[level(sku, 1, Utc::now())]).await.unwrap();
    assert_eq!(
        ch.push_plan(),
        (5.0, 3),
        "the simulator's plan, as its answer says"
    );
}

/// Amazon's `x-amzn-RateLimit-Limit` is adopted: a seller whose plan is 2 a second gets at
/// most the one 429 the configured burst runs into, then pushes at 2 a second.
#[tokio::test]
async fn the_rate_amazon_answers_with_is_adopted() {
    let sim = Sim::start(AmazonSimSettings {
        listings_rate: 2.0,
        listings_burst: 2,
        ..Default::default()
    })
    .await;
    let ch = sim.channel();
    let skus = catalog_skus(7);
    for sku in &skus {
        // The pusher's fallback: a throttled push goes again.
        loop {
            match ch.push_stock(&[level(sku, 3, Utc::now())]).await {
                Ok(answers) => {
                    assert_eq!(answers, vec![Ok(())]);
                    break;
                }
                Err(ChannelError::RateLimited { .. }) => continue,
                Err(e) => panic!("{sku}: {e}"),
            }
        }
    }
    assert_eq!(
        ch.push_plan(),
        (2.0, 5),
        "the answer's rate, the configured burst"
    );
    let stats = sim.stats().await;
    assert!(stats.throttled <= 1, "{stats:?}");
    assert_eq!(stats.listings_accepted, 7);
}
