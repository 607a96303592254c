//! The Shopify connector against the Shopify simulator over real HTTP on loopback: paging
//! (every order exactly once), `status=any`, the leaky bucket, every fault the simulator can
//! show, cursor expiry, the token never leaving the shop nor showing in an error, and edits and
//! cancellations made through `POST /_sim/orders`.

#[path = "common/shopify_sim.rs"]
mod shopify_sim;
#[path = "common/sim_control.rs"]
mod sim_control;

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use ordo::channels::shopify::{self, ShopifyChannel};
use ordo::channels::{Channel, ChannelConfig, ChannelError, Mapped, Page, PageRequest};
use ordo::model::{ChannelOrder, FinancialStatus};
use ordo::sim::channel::{FaultPlan, SimServer, SimShop};
use ordo::sim::shopify::{render_order, seed_orders, ShopifySimSettings, FIRST_SHOP_ID};
use ordo::sim::{Catalog, Feed};
use serde_json::Value;
use shopify_sim::{start_time, VERSION};

const TOKEN: &str = "shpat_test_9f8e7d6c5b4a3210";

struct Sim {
    server: SimServer,
    shop: SimShop,
}

impl Sim {
    async fn start(orders: usize, settings: ShopifySimSettings) -> Sim {
        let shop = shopify_sim::seeded_shop(42, orders);
        assert_eq!(shop.book.len(), orders);
        let server = shopify_sim::serve_shop(&shop, settings).await;
        Sim { server, shop }
    }

    async fn with_orders(orders: usize) -> Sim {
        Sim::start(orders, shopify_sim::sim_settings(TOKEN)).await
    }

    fn base(&self) -> String {
        self.server.base_url()
    }

    fn channel(&self, page_size: u32) -> ShopifyChannel {
        channel(&self.base(), page_size, TOKEN)
    }

    async fn faults(&self, plan: FaultPlan) {
        sim_control::set_faults(&self.base(), plan).await
    }

    async fn requests(&self) -> u64 {
        let stats: Value = sim_control::stats(&self.base()).await;
        assert_eq!(stats["orders"], self.shop.book.len());
        stats["requests"].as_u64().unwrap()
    }

    async fn put(&self, order: &ChannelOrder) {
        let r = reqwest::Client::new()
            .post(format!("{}/_sim/orders", self.base()))
            .json(order)
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "{}", r.text().await.unwrap());
    }

    /// A raw GET of the orders endpoint with the right token.
    async fn get(&self, query: &str) -> reqwest::Response {
        reqwest::Client::new()
            .get(format!(
                "{}/admin/api/{VERSION}/orders.json?{query}",
                self.base()
            ))
            .header("X-Shopify-Access-Token", TOKEN)
            .send()
            .await
            .unwrap()
    }
}

fn config(base_url: &str, page_size: u32) -> ChannelConfig {
    shopify_sim::config(base_url, Some(page_size), None)
}

fn channel(base_url: &str, page_size: u32, token: &str) -> ShopifyChannel {
    shopify_sim::connector(&config(base_url, page_size), token)
}

/// Every page of the window from `since`.
async fn fetch_all(ch: &ShopifyChannel, since: DateTime<Utc>) -> Result<Vec<Page>, ChannelError> {
    let mut pages = vec![ch.fetch_page(PageRequest::Since(since)).await?];
    while let Some(next) = pages.last().unwrap().next.clone() {
        pages.push(ch.fetch_page(PageRequest::Next(next)).await?);
        assert!(pages.len() < 100, "paging does not end");
    }
    Ok(pages)
}

fn orders(pages: &[Page]) -> Vec<ChannelOrder> {
    pages
        .iter()
        .flat_map(|p| &p.items)
        .map(|m| match m {
            Mapped::Order { order, .. } => (**order).clone(),
            Mapped::Unmappable { reason, .. } => panic!("unmappable: {reason}"),
        })
        .collect()
}

fn assert_no_token(e: &ChannelError) {
    let text = format!("{e} {e:?}");
    assert!(!text.contains(TOKEN), "the token leaked into: {text}");
}

#[tokio::test]
async fn pages_through_600_orders_each_exactly_once() {
    let sim = Sim::with_orders(600).await;
    let ch = sim.channel(250);
    assert_eq!(ch.id(), "web");
    let pages = fetch_all(&ch, start_time() - chrono::Duration::hours(1))
        .await
        .unwrap();
    assert_eq!(pages.len(), 3);
    assert_eq!(
        pages.iter().map(|p| p.items.len()).collect::<Vec<_>>(),
        vec![250, 250, 100]
    );
    let rate = pages[2].rate.unwrap();
    assert_eq!(rate.limit, 40.0);
    assert!(rate.remaining < 40.0 && rate.remaining >= 30.0, "{rate:?}");

    let got = orders(&pages);
    let mut by_id: HashMap<String, ChannelOrder> = HashMap::new();
    for o in got {
        assert!(
            by_id.insert(o.external_id.clone(), o).is_none(),
            "an order came twice"
        );
    }
    let book = sim.shop.book.lock().clone();
    assert_eq!(by_id.len(), book.len());
    let mut cancelled = 0;
    let mut pickups = 0;
    for entry in &book {
        let want = &entry.order;
        let o = by_id
            .get(&want.external_id)
            .unwrap_or_else(|| panic!("order {} missing", want.external_id));
        assert_eq!(o.channel, "web");
        assert_eq!(o.number, want.number);
        assert_eq!(o.external_id.len(), 13);
        assert_eq!(
            (o.created_at, o.updated_at),
            (want.created_at, want.updated_at)
        );
        assert_eq!(o.cancelled, want.cancelled);
        assert_eq!(o.customer, want.customer);
        assert_eq!(o.ship_to, want.ship_to);
        assert_eq!(o.ship_method, want.ship_method);
        assert_eq!(o.pickup_location, want.pickup_location);
        assert_eq!(o.currency, want.currency);
        assert_eq!(o.tags, want.tags);
        assert_eq!(o.lines.len(), want.lines.len());
        for (l, w) in o.lines.iter().zip(&want.lines) {
            assert_eq!(
                (l.line, &l.sku, &l.title, l.unit_price),
                (w.line, &w.sku, &w.title, w.unit_price)
            );
            assert_eq!(l.quantity, if want.cancelled { 0 } else { w.quantity });
            assert!(l.channel_line_id.is_some());
        }
        if want.cancelled {
            cancelled += 1;
            assert_eq!(o.totals.total, ordo::model::Money::ZERO);
        } else {
            assert_eq!(o.totals, want.totals);
            assert_eq!(o.financial_status, want.financial_status);
            assert!(o.problems().is_empty(), "{:?}", o.problems());
        }
        pickups += usize::from(want.pickup_location.is_some());
    }
    assert!(
        cancelled > 0 && pickups > 0,
        "the feed makes cancellations and pickups"
    );
}

#[tokio::test]
async fn the_default_status_is_open_so_the_connector_asks_for_any() {
    let sim = Sim::with_orders(200).await;
    let book = sim.shop.book.lock().clone();
    let open = book.iter().filter(|o| !o.order.cancelled).count();
    assert!(open < book.len(), "the feed cancels some orders");

    let count = |body: Value| body["orders"].as_array().unwrap().len();
    let r = sim.get("limit=250").await;
    assert!(
        r.headers().get("link").is_none(),
        "everything fits: no Link"
    );
    assert_eq!(count(r.json().await.unwrap()), open);
    let r = sim.get("limit=250&status=cancelled").await;
    assert_eq!(count(r.json().await.unwrap()), book.len() - open);
    let r = sim.get("limit=250&status=any").await;
    assert_eq!(count(r.json().await.unwrap()), book.len());
    // Without limit the page is 50, with a Link to the next one.
    let r = sim.get("status=any").await;
    let link = r.headers()["link"].to_str().unwrap().to_string();
    assert!(
        link.contains("rel=\"next\"") && !link.contains("previous"),
        "{link}"
    );
    assert_eq!(count(r.json().await.unwrap()), 50);

    let pages = fetch_all(&sim.channel(250), start_time()).await.unwrap();
    assert_eq!(orders(&pages).len(), book.len());
}

#[tokio::test]
async fn the_simulator_refuses_what_shopify_refuses() {
    let sim = Sim::with_orders(30).await;
    let r = sim.get("limit=251").await;
    assert_eq!(r.status(), 400);
    // A filter next to page_info.
    let r = sim.get("status=any&limit=10").await;
    let link = r.headers()["link"].to_str().unwrap().to_string();
    let next = shopify::parse_link(&link, "next").unwrap();
    let r = reqwest::Client::new()
        .get(format!("{next}&created_at_min=2026-01-01T00:00:00Z"))
        .header("X-Shopify-Access-Token", TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let body = r.text().await.unwrap();
    assert!(
        body.contains("created_at_min cannot be passed when page_info is present"),
        "{body}"
    );
    // The connector does not take that for an expired cursor.
    let ch = sim.channel(10);
    let err = ch
        .fetch_page(PageRequest::Next(format!("{next}&status=any")))
        .await
        .unwrap_err();
    assert!(matches!(err, ChannelError::Rejected { .. }), "{err:?}");
    // An altered page_info is refused as a cursor.
    let err = ch
        .fetch_page(PageRequest::Next(next.replace("page_info=", "page_info=x")))
        .await
        .unwrap_err();
    assert!(matches!(err, ChannelError::CursorExpired { .. }), "{err:?}");
    // The second page has a previous link back to the first.
    let r = reqwest::Client::new()
        .get(&next)
        .header("X-Shopify-Access-Token", TOKEN)
        .send()
        .await
        .unwrap();
    let link = r.headers()["link"].to_str().unwrap().to_string();
    let prev = shopify::parse_link(&link, "previous").unwrap();
    let body: Value = reqwest::Client::new()
        .get(&prev)
        .header("X-Shopify-Access-Token", TOKEN)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let first: Value = sim.get("status=any&limit=10").await.json().await.unwrap();
    assert_eq!(body["orders"], first["orders"]);
    // Rendered orders look like Shopify's: times in the shop's offset, money as strings.
    let o = &first["orders"][0];
    assert!(
        o["updated_at"].as_str().unwrap().ends_with("-05:00"),
        "{}",
        o["updated_at"]
    );
    assert!(o["current_total_price"].is_string());
    assert!(o["name"].as_str().unwrap().starts_with('#'));
}

#[tokio::test]
async fn updated_at_min_is_inclusive_and_offset_aware() {
    let sim = Sim::with_orders(40).await;
    let mut book = sim.shop.book.lock().clone();
    book.sort_by_key(|o| o.order.updated_at);
    let pivot = book[20].order.updated_at;
    let expected = book.iter().filter(|o| o.order.updated_at >= pivot).count();
    let pages = fetch_all(&sim.channel(250), pivot).await.unwrap();
    let got = orders(&pages);
    assert_eq!(got.len(), expected);
    assert!(got.iter().any(|o| o.updated_at == pivot));
    // The same instant written with the shop's offset selects the same orders.
    let local = pivot.with_timezone(&chrono::FixedOffset::west_opt(5 * 3600).unwrap());
    let q = format!(
        "status=any&limit=250&updated_at_min={}",
        percent_encoding::utf8_percent_encode(
            &local.to_rfc3339(),
            percent_encoding::NON_ALPHANUMERIC
        )
    );
    let body: Value = sim.get(&q).await.json().await.unwrap();
    assert_eq!(body["orders"].as_array().unwrap().len(), expected);
}

#[tokio::test]
async fn faults_are_classified_for_the_poller() {
    let sim = Sim::with_orders(30).await;
    let ch = sim.channel(10);
    let since = start_time();

    sim.faults(FaultPlan {
        rate_limited: 2,
        ..FaultPlan::default()
    })
    .await;
    for _ in 0..2 {
        // The second throttle has an HTML body: the status decides.
        let err = ch.fetch_page(PageRequest::Since(since)).await.unwrap_err();
        assert_eq!(
            err,
            ChannelError::RateLimited {
                what: err_what(&err),
                retry_after: Some(Duration::from_secs(2))
            }
        );
        assert_no_token(&err);
    }
    let cases = [
        (
            FaultPlan {
                server_errors: 1,
                ..FaultPlan::default()
            },
            "500",
        ),
        (
            FaultPlan {
                html_pages: 1,
                ..FaultPlan::default()
            },
            "text/html",
        ),
        (
            FaultPlan {
                truncated: 1,
                ..FaultPlan::default()
            },
            "body",
        ),
    ];
    for (plan, says) in cases {
        sim.faults(plan).await;
        let err = ch.fetch_page(PageRequest::Since(since)).await.unwrap_err();
        assert!(
            matches!(err, ChannelError::Transient { .. }),
            "{plan:?}: {err:?}"
        );
        assert!(err.to_string().contains(says), "{err}");
        assert!(err.is_retryable());
        assert_no_token(&err);
    }
    // Faults are spent: the window reads whole again.
    let first = ch.fetch_page(PageRequest::Since(since)).await.unwrap();
    let next = first.next.clone().expect("30 orders, 10 a page");

    sim.faults(FaultPlan {
        expired_cursors: 1,
        ..FaultPlan::default()
    })
    .await;
    let err = ch
        .fetch_page(PageRequest::Next(next.clone()))
        .await
        .unwrap_err();
    assert!(matches!(err, ChannelError::CursorExpired { .. }), "{err:?}");
    assert_no_token(&err);
    let second = ch.fetch_page(PageRequest::Next(next)).await.unwrap();
    assert_eq!(second.items.len(), 10);

    // A wrong token is an authorization error that shows neither token.
    let wrong = channel(&sim.base(), 10, "shpat_wrong_0000");
    let err = wrong
        .fetch_page(PageRequest::Since(since))
        .await
        .unwrap_err();
    assert!(matches!(err, ChannelError::Auth { .. }), "{err:?}");
    assert!(err.to_string().contains("Invalid API key"), "{err}");
    assert!(!err.to_string().contains("shpat_wrong_0000"));
    assert_no_token(&err);
    // And a missing one is refused too.
    let r = reqwest::get(format!("{}/admin/api/{VERSION}/orders.json", sim.base()))
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
}

fn err_what(e: &ChannelError) -> String {
    match e {
        ChannelError::RateLimited { what, .. }
        | ChannelError::Transient { what, .. }
        | ChannelError::CursorExpired { what, .. }
        | ChannelError::Auth { what, .. }
        | ChannelError::Rejected { what, .. } => what.clone(),
    }
}

#[tokio::test]
async fn the_leaky_bucket_throttles_and_reports_headroom() {
    let sim = Sim::start(
        5,
        ShopifySimSettings {
            token: TOKEN.into(),
            bucket_size: 3,
            leak_per_sec: 0.001,
            ..ShopifySimSettings::default()
        },
    )
    .await;
    let ch = sim.channel(250);
    let mut remaining = Vec::new();
    for _ in 0..3 {
        let page = ch
            .fetch_page(PageRequest::Since(start_time()))
            .await
            .unwrap();
        let rate = page.rate.unwrap();
        assert_eq!(rate.limit, 3.0);
        remaining.push(rate.remaining);
    }
    assert_eq!(remaining, vec![2.0, 1.0, 0.0]);
    let err = ch
        .fetch_page(PageRequest::Since(start_time()))
        .await
        .unwrap_err();
    assert!(
        matches!(err, ChannelError::RateLimited { retry_after: Some(d), .. } if d == Duration::from_secs(2)),
        "{err:?}"
    );
}

#[tokio::test]
async fn the_token_never_goes_to_another_origin() {
    let sim = Sim::with_orders(5).await;
    let ch = sim.channel(250);
    let before = sim.requests().await;
    // A next link to another host, or to another port of this one.
    let port = sim.server.addr.port();
    for url in [
        format!("http://evil.example/admin/api/{VERSION}/orders.json?page_info=abc"),
        format!(
            "http://127.0.0.1:{}/admin/api/{VERSION}/orders.json?page_info=abc",
            port.wrapping_add(1)
        ),
        format!("https://127.0.0.1:{port}/admin/api/{VERSION}/orders.json?page_info=abc"),
        "not a url".to_string(),
    ] {
        let err = ch
            .fetch_page(PageRequest::Next(url.clone()))
            .await
            .unwrap_err();
        assert!(
            matches!(err, ChannelError::Rejected { .. }),
            "{url}: {err:?}"
        );
        assert_no_token(&err);
    }
    assert_eq!(sim.requests().await, before, "nothing was sent");
    // A config that names a token variable that is not set says which, without a value.
    let lookup = |_: &str| None;
    let err = ShopifyChannel::new(&config(&sim.base(), 250), &lookup).unwrap_err();
    assert!(err.contains("WEB_SHOPIFY_TOKEN"), "{err}");
}

#[tokio::test]
async fn edits_and_cancellations_come_through_as_new_versions() {
    let sim = Sim::with_orders(10).await;
    let ch = sim.channel(250);
    let mut order = sim.shop.book.lock()[0].order.clone();
    order.cancelled = false;
    order.financial_status = FinancialStatus::Paid;
    order.lines.truncate(1);
    order.lines[0].quantity = 3;
    order.updated_at = start_time() + chrono::Duration::days(1);
    sim.put(&order).await;

    // The customer keeps one of three: quantity stays 3, current_quantity says 1.
    let mut edited = order.clone();
    edited.lines[0].quantity = 1;
    edited.updated_at = order.updated_at + chrono::Duration::minutes(5);
    sim.put(&edited).await;
    let page = ch
        .fetch_page(PageRequest::Since(edited.updated_at))
        .await
        .unwrap();
    assert_eq!(page.items.len(), 1);
    let Mapped::Order { order: got, raw } = &page.items[0] else {
        panic!("{:?}", page.items[0])
    };
    assert_eq!(got.external_id, order.external_id);
    assert_eq!(got.lines[0].quantity, 1);
    let v: Value = serde_json::from_str(raw).unwrap();
    assert_eq!(v["line_items"][0]["quantity"], 3);
    assert_eq!(v["line_items"][0]["current_quantity"], 1);

    // Then it is cancelled: cancelled_at, a refund with a numeric subtotal, totals to zero.
    let mut cancelled = edited.clone();
    cancelled.cancelled = true;
    cancelled.updated_at = edited.updated_at + chrono::Duration::minutes(5);
    sim.put(&cancelled).await;
    let page = ch
        .fetch_page(PageRequest::Since(cancelled.updated_at))
        .await
        .unwrap();
    let Mapped::Order { order: got, raw } = &page.items[0] else {
        panic!()
    };
    assert!(got.cancelled);
    assert_eq!(got.financial_status, FinancialStatus::Refunded);
    assert_eq!(got.lines[0].quantity, 0);
    assert_eq!(got.updated_at, cancelled.updated_at);
    let v: Value = serde_json::from_str(raw).unwrap();
    assert!(v["cancelled_at"].is_string());
    assert!(v["refunds"][0]["refund_line_items"][0]["subtotal"].is_number());
    assert_eq!(sim.shop.book.len(), 10, "versions replace, they do not add");
}

#[tokio::test]
async fn lines_without_a_sku_wait_in_quarantine_until_mapped() {
    let sim = Sim::with_orders(3).await;
    let mut order = sim.shop.book.lock()[0].order.clone();
    order.lines[0].sku = String::new();
    order.updated_at = start_time() + chrono::Duration::days(2);
    sim.put(&order).await;
    let page = sim
        .channel(250)
        .fetch_page(PageRequest::Since(order.updated_at))
        .await
        .unwrap();
    let Mapped::Unmappable {
        raw,
        reason,
        external_id,
        updated_at,
    } = &page.items[0]
    else {
        panic!("a line without a SKU")
    };
    assert!(
        reason.contains("line item 1") && reason.contains("no SKU"),
        "{reason}"
    );
    assert_eq!(external_id.as_deref(), Some(order.external_id.as_str()));
    assert_eq!(*updated_at, Some(order.updated_at));
    // After a sku_map entry for its variant, `quarantine retry` maps it.
    let v: Value = serde_json::from_str(raw).unwrap();
    let variant = v["line_items"][0]["variant_id"].to_string();
    let mut ctx = ordo::channels::MapContext::from(&config(&sim.base(), 250));
    ctx.sku_map.insert(variant, "TEE-CREW-WHT-S".into());
    let fixed = shopify::map_stored(shopify::FORMAT, raw, &ctx).unwrap();
    assert_eq!(fixed.lines[0].sku, "TEE-CREW-WHT-S");
}

#[tokio::test]
async fn webhooks_carry_the_same_resource_signed_over_the_raw_body() {
    let shop = SimShop::new(FIRST_SHOP_ID);
    let mut feed = Feed::new(9, Catalog::demo());
    seed_orders(
        &shop,
        &mut feed,
        1,
        start_time(),
        chrono::Duration::seconds(1),
    );
    let entry = shop.book.lock()[0].clone();
    let body = render_order(&entry, chrono::FixedOffset::west_opt(5 * 3600).unwrap()).to_string();
    let secret = b"whsec_test";
    let sig = shopify::sign_webhook(secret, body.as_bytes());
    assert!(shopify::verify_webhook(secret, body.as_bytes(), &sig));
    assert!(!shopify::verify_webhook(b"rotated", body.as_bytes(), &sig));
    let ctx = ordo::channels::MapContext::from(&config("http://127.0.0.1", 250));
    let Mapped::Order { order, .. } = shopify::map_webhook(body.as_bytes(), &ctx) else {
        panic!()
    };
    assert_eq!(order.external_id, entry.order.external_id);
    assert_eq!(order.lines.len(), entry.order.lines.len());
}
