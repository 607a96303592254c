//! The webhook receiver over real HTTP on loopback, into a real store: Shopify and WooCommerce
//! signatures over the raw body (good accepted, bad or missing refused with 401 and nothing
//! kept), a repeated delivery id and an older version ignored, an edit that changes lines and
//! reservations, a cancellation that releases stock, WooCommerce's unsigned ping.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{Duration, Utc};

use ordo::channels::webhooks::{self, WebhookChannel};
use ordo::channels::{shopify, woocommerce, MapContext, Secret};
use ordo::config::Config;
use ordo::engine::intake::LedgerIntake;
use ordo::engine::Engine;
use ordo::ledger::Command;
use ordo::model::{Actor, ChannelKind, ChannelOrder, Order, OrderStatus};
use ordo::sim::channel::SimOrder;
use ordo::sim::{Catalog, Feed};

const SECRET: &str = "whsec-test-0123";

struct World {
    engine: Engine,
    url: String,
    http: reqwest::Client,
    _stop: tokio::sync::watch::Sender<bool>,
    _dir: tempfile::TempDir,
}

async fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::open(&Config::default(), &dir.path().join("data")).unwrap();
    let rows = Catalog::demo().stock_rows(|_| true);
    engine
        .ledger()
        .submit(Command::SetStock {
            rows,
            by: Actor::System,
        })
        .await
        .unwrap();
    let mut channels = HashMap::new();
    for (id, kind) in [
        ("shop", ChannelKind::Shopify),
        ("woo", ChannelKind::Woocommerce),
    ] {
        channels.insert(
            id.to_string(),
            WebhookChannel {
                kind,
                enabled: true,
                secret: Some(Secret::new(SECRET)),
                map: MapContext {
                    channel_id: id.to_string(),
                    ..MapContext::default()
                },
                health: None,
            },
        );
    }
    let intake = Arc::new(LedgerIntake {
        ledger: engine.ledger(),
        store: engine.store().clone(),
    });
    let (stop, stop_rx) = tokio::sync::watch::channel(false);
    let router = webhooks::router(channels, intake);
    let (addr, _task) = webhooks::serve("127.0.0.1:0".parse().unwrap(), router, stop_rx)
        .await
        .unwrap();
    World {
        engine,
        url: format!("http://{addr}/webhooks"),
        http: reqwest::Client::new(),
        _stop: stop,
        _dir: dir,
    }
}

/// A realistic order of the demo catalog, shipped (not picked up), for `channel`.
fn an_order(seed: u64, channel: &str) -> ChannelOrder {
    let mut feed = Feed::new(seed, Catalog::demo());
    loop {
        let mut o = feed.next(Utc::now() - Duration::minutes(30));
        if o.channel == channel
            && o.pickup_location.is_none()
            && !o.cancelled
            && o.lines.iter().all(|l| !l.sku.starts_with("GIFTCARD"))
        {
            o.financial_status = ordo::model::FinancialStatus::Paid;
            o.created_at = chrono::DateTime::from_timestamp(o.created_at.timestamp(), 0).unwrap();
            o.updated_at = o.created_at;
            return o;
        }
    }
}

fn shopify_body(o: &ChannelOrder) -> String {
    let sim = SimOrder {
        shop_id: 6_100_000_000_001,
        order: o.clone(),
    };
    ordo::sim::shopify::render_order(&sim, chrono::FixedOffset::west_opt(5 * 3600).unwrap())
        .to_string()
}

impl World {
    async fn post_shopify(
        &self,
        body: &str,
        signature: Option<&str>,
        event: &str,
    ) -> (u16, String) {
        let mut req = self
            .http
            .post(format!("{}/shop", self.url))
            .header("content-type", "application/json")
            .header("X-Shopify-Topic", "orders/updated")
            .header("X-Shopify-Event-Id", event)
            .header("X-Shopify-Webhook-Id", format!("delivery-{event}"));
        if let Some(sig) = signature {
            req = req.header("X-Shopify-Hmac-Sha256", sig);
        }
        let resp = req.body(body.to_string()).send().await.unwrap();
        (resp.status().as_u16(), resp.text().await.unwrap())
    }

    fn stored(&self, channel: &str, ext: &str) -> Option<Order> {
        let id = self.engine.store().order_id(channel, ext).unwrap()?;
        self.engine.store().order(id).unwrap()
    }

    fn reserved(&self) -> i64 {
        self.engine
            .store()
            .stock_levels()
            .map(|r| r.unwrap().1.reserved)
            .sum()
    }
}

fn sign(body: &str) -> String {
    shopify::sign_webhook(SECRET.as_bytes(), body.as_bytes())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shopify_webhooks_are_verified_deduplicated_and_applied_in_version_order() {
    let w = world().await;
    let mut order = an_order(3, "shopify");
    order.lines.truncate(1);
    order.lines[0].quantity = 3;
    let body = shopify_body(&order);
    let ext = &ordo::sim::shopify::shopify_id(&SimOrder {
        shop_id: 6_100_000_000_001,
        order: order.clone(),
    })
    .to_string();

    // A bad signature, and none at all: 401, nothing kept.
    let (status, _) = w
        .post_shopify(&body, Some(&sign("another body")), "e0")
        .await;
    assert_eq!(status, 401);
    let (status, _) = w.post_shopify(&body, None, "e0").await;
    assert_eq!(status, 401);
    let hex = {
        let b64 = sign(&body);
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    };
    let (status, _) = w.post_shopify(&body, Some(&hex), "e0").await;
    assert_eq!(status, 401, "a hex digest is not Shopify's signature");
    assert!(w.stored("shop", ext).is_none());
    assert_eq!(w.reserved(), 0);

    // Good: stored, routed, reserved before the 200.
    let (status, text) = w.post_shopify(&body, Some(&sign(&body)), "e1").await;
    assert_eq!(status, 200, "{text}");
    let stored = w.stored("shop", ext).expect("stored before the answer");
    assert_eq!(stored.channel_order.lines[0].quantity, 3);
    assert_eq!(w.reserved(), 3, "{:?}", stored.status);

    // The same delivery again, even carrying a newer payload: nothing changes.
    let mut newer = order.clone();
    newer.updated_at += Duration::minutes(5);
    newer.lines[0].quantity = 1;
    let newer_body = shopify_body(&newer);
    let (status, text) = w
        .post_shopify(&newer_body, Some(&sign(&newer_body)), "e1")
        .await;
    assert_eq!(status, 200);
    assert!(text.contains("taken before"), "{text}");
    assert_eq!(
        w.stored("shop", ext).unwrap().channel_order.lines[0].quantity,
        3
    );

    // An edit (a new delivery): the line drops to 1 and so does the reservation.
    let (status, text) = w
        .post_shopify(&newer_body, Some(&sign(&newer_body)), "e2")
        .await;
    assert_eq!(status, 200, "{text}");
    assert_eq!(
        w.stored("shop", ext).unwrap().channel_order.lines[0].quantity,
        1
    );
    assert_eq!(w.reserved(), 1);

    // A retry of an older delivery arriving late (its original payload): ignored.
    let (status, text) = w.post_shopify(&body, Some(&sign(&body)), "e0-late").await;
    assert_eq!(status, 200);
    assert!(text.contains("older"), "{text}");
    assert_eq!(
        w.stored("shop", ext).unwrap().channel_order.lines[0].quantity,
        1
    );

    // Cancelled on the channel: stock released.
    let mut cancelled = newer.clone();
    cancelled.updated_at += Duration::minutes(5);
    cancelled.cancelled = true;
    let cancel_body = shopify_body(&cancelled);
    let (status, _) = w
        .post_shopify(&cancel_body, Some(&sign(&cancel_body)), "e3")
        .await;
    assert_eq!(status, 200);
    let stored = w.stored("shop", ext).unwrap();
    assert_eq!(stored.status, OrderStatus::Cancelled);
    assert_eq!(w.reserved(), 0);

    // An unknown channel is not found; nothing is written.
    let resp = w
        .http
        .post(format!("{}/nope", w.url))
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 404);
    let check = ordo::store::check::check(w.engine.store()).unwrap();
    assert!(check.is_clean(), "{check:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn woocommerce_ping_is_answered_and_deliveries_are_verified() {
    let w = world().await;
    let ping = w
        .http
        .post(format!("{}/woo", w.url))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("webhook_id=17")
        .send()
        .await
        .unwrap();
    assert_eq!(
        ping.status().as_u16(),
        200,
        "an unanswered ping leaves the webhook unsaved"
    );

    let order = an_order(5, "woocommerce");
    let sim = SimOrder {
        shop_id: 30_001,
        order: order.clone(),
    };
    let ext = ordo::sim::woocommerce::woo_id(&sim).to_string();
    let body =
        ordo::sim::woocommerce::render(&sim, &ordo::sim::woocommerce::WooSimSettings::default())
            .to_string();
    let post = |sig: String| {
        w.http
            .post(format!("{}/woo", w.url))
            .header("content-type", "application/json")
            .header("X-WC-Webhook-Topic", "order.updated")
            .header("X-WC-Webhook-Signature", sig)
            .body(body.clone())
            .send()
    };
    let bad = post(woocommerce::sign_webhook(b"wrong", body.as_bytes()))
        .await
        .unwrap();
    assert_eq!(bad.status().as_u16(), 401);
    assert!(w.stored("woo", &ext).is_none());
    let good = post(woocommerce::sign_webhook(
        SECRET.as_bytes(),
        body.as_bytes(),
    ))
    .await
    .unwrap();
    assert_eq!(good.status().as_u16(), 200);
    let stored = w.stored("woo", &ext).expect("stored");
    assert_eq!(stored.channel_order.lines.len(), order.lines.len());
    // WooCommerce fires order.updated several times for one save: the same version again
    // changes nothing.
    let again = post(woocommerce::sign_webhook(
        SECRET.as_bytes(),
        body.as_bytes(),
    ))
    .await
    .unwrap();
    assert_eq!(again.status().as_u16(), 200);
    assert!(again.text().await.unwrap().contains("already stored"));
}
