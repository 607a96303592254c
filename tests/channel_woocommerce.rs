//! The WooCommerce connector against the WooCommerce simulator over real HTTP on loopback:
//! paging a window (every order once, in modification order), the `dates_are_gmt` flag, the
//! ways hosts spoil answers (throttle, 500 page, captcha, PHP warning, truncated JSON), bad
//! credentials, and versions posted to the simulator.

#[path = "common/sim_control.rs"]
mod sim_control;
#[path = "common/woo.rs"]
mod woo;

use std::collections::HashSet;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use ordo::channels::woocommerce::WooChannel;
use ordo::channels::{Channel, ChannelError, Mapped, Page, PageRequest};
use ordo::model::{ChannelOrder, FinancialStatus};
use ordo::sim::channel::{FaultPlan, SimServer, SimShop};
use ordo::sim::woocommerce::{seed_orders, WooSimSettings};

const KEY: &str = "ck_test_4f1d2c3b";
const SECRET: &str = "cs_test_9a8b7c6d5e4f";

fn settings() -> WooSimSettings {
    woo::sim_settings(KEY, SECRET)
}

fn start_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, 1, 8, 0, 0).unwrap()
}

async fn start(count: usize) -> (SimServer, SimShop, Vec<String>) {
    let shop = SimShop::new(1);
    let ids = seed_orders(&shop, 7, count, start_time(), 60.0);
    let server = woo::serve(&shop, settings()).await;
    (server, shop, ids)
}

fn channel(base: &str, key: &str, secret: &str) -> WooChannel {
    woo::connector(&woo::config(base, Some(100), false), key, secret)
}

/// Every page of the window from `since`, following `next`.
async fn window(ch: &WooChannel, since: DateTime<Utc>) -> Vec<Page> {
    let mut pages = vec![ch.fetch_page(PageRequest::Since(since)).await.unwrap()];
    while let Some(next) = pages.last().unwrap().next.clone() {
        assert!(pages.len() < 50, "paging does not end");
        pages.push(ch.fetch_page(PageRequest::Next(next)).await.unwrap());
    }
    pages
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

#[tokio::test]
async fn a_window_pages_every_order_once_in_modification_order() {
    let (server, shop, ids) = start(250).await;
    assert_eq!(ids.len(), 250);
    let ch = channel(&server.base_url(), KEY, SECRET);
    let pages = window(&ch, start_time() - chrono::Duration::hours(3)).await;
    // 250 orders at 100 a page: three pages, the last one says there is no next.
    assert_eq!(pages.len(), 3);
    assert_eq!(
        pages.iter().map(|p| p.items.len()).collect::<Vec<_>>(),
        [100, 100, 50]
    );
    assert!(pages[2].next.is_none());
    let got = orders(&pages);
    let got_ids: Vec<String> = got.iter().map(|o| o.external_id.clone()).collect();
    assert_eq!(
        got_ids.iter().collect::<HashSet<_>>().len(),
        250,
        "no duplicates"
    );
    assert_eq!(
        got_ids.iter().collect::<HashSet<_>>(),
        ids.iter().collect::<HashSet<_>>(),
        "every order of the shop"
    );
    assert!(
        got.windows(2).all(|w| w[0].updated_at <= w[1].updated_at),
        "ascending modification time"
    );
    // The mapped versions are the shop's versions.
    let book = shop.book.changed_between(None, None);
    for (mine, theirs) in got.iter().zip(&book) {
        let theirs = &theirs.order;
        assert_eq!(mine.external_id, theirs.external_id);
        assert_eq!(mine.channel, "woo");
        assert_eq!(mine.updated_at, theirs.updated_at);
        assert_eq!(mine.created_at, theirs.created_at);
        assert_eq!(mine.cancelled, theirs.cancelled);
        assert_eq!(mine.totals.total, theirs.totals.total);
        assert_eq!(mine.totals.subtotal, theirs.totals.subtotal);
        assert_eq!(mine.lines.len(), theirs.lines.len());
        for (a, b) in mine.lines.iter().zip(&theirs.lines) {
            assert_eq!((a.sku.as_str(), a.quantity), (b.sku.as_str(), b.quantity));
        }
        assert_eq!(
            mine.ship_to.as_ref().map(|a| &a.postal_code),
            theirs.ship_to.as_ref().map(|a| &a.postal_code)
        );
    }
    // Some generated orders are cancelled or pending, as a shop's are.
    assert!(got.iter().any(|o| o.cancelled));
    assert!(got
        .iter()
        .any(|o| o.financial_status == FinancialStatus::Pending));
    // A window from the last change on is empty (modified_after is exclusive).
    let last = got.last().unwrap().updated_at;
    let tail = window(&ch, last).await;
    assert_eq!(tail.len(), 1);
    assert!(tail[0].items.is_empty() && tail[0].next.is_none());
}

#[tokio::test]
async fn dates_are_gmt_decides_how_the_shop_reads_the_window() {
    let (server, shop, _) = start(250).await;
    let ch = channel(&server.base_url(), KEY, SECRET);
    let book = shop.book.changed_between(None, None);
    let since = book[120].order.updated_at;
    let after = |t: DateTime<Utc>| book.iter().filter(|o| o.order.updated_at > t).count();

    // The connector sends dates_are_gmt=true: exactly the orders changed after `since`.
    let got = orders(&window(&ch, since).await);
    assert_eq!(got.len(), after(since));
    assert!(got.iter().all(|o| o.updated_at > since));

    // The same naive time without the flag is read in the site's zone (+01:00): an hour
    // earlier in UTC, so the shop answers with more orders.
    let url = format!(
        "{}/wp-json/wc/v3/orders?modified_after={}&orderby=modified&order=asc&per_page=100",
        server.base_url(),
        since.format("%Y-%m-%dT%H:%M:%S")
    );
    let response = reqwest::Client::new()
        .get(&url)
        .basic_auth(KEY, Some(SECRET))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let total: usize = response.headers()["x-wp-total"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(total, after(since - chrono::Duration::hours(1)));
    assert!(total > got.len(), "{total} vs {}", got.len());
}

async fn set_faults(server: &SimServer, plan: FaultPlan) {
    sim_control::set_faults(&server.base_url(), plan).await
}

fn assert_no_secret(e: &ChannelError) {
    let text = format!("{e} {e:?}");
    assert!(!text.contains(SECRET), "{text}");
    assert!(!text.contains(KEY), "{text}");
}

#[tokio::test]
async fn spoiled_answers_are_classified_and_retrying_gets_the_page() {
    let (server, _shop, _) = start(30).await;
    let ch = channel(&server.base_url(), KEY, SECRET);
    let since = start_time() - chrono::Duration::hours(1);
    let fetch = || ch.fetch_page(PageRequest::Since(since));

    // 429 with Retry-After.
    set_faults(
        &server,
        FaultPlan {
            rate_limited: 1,
            ..FaultPlan::default()
        },
    )
    .await;
    let e = fetch().await.unwrap_err();
    assert_eq!(
        e,
        ChannelError::RateLimited {
            what: "woo: GET /wp-json/wc/v3/orders".into(),
            retry_after: Some(Duration::from_secs(2)),
        }
    );
    assert_no_secret(&e);
    assert_eq!(fetch().await.unwrap().items.len(), 30);

    // 500 with WordPress's HTML "critical error" page.
    set_faults(
        &server,
        FaultPlan {
            server_errors: 1,
            ..FaultPlan::default()
        },
    )
    .await;
    let e = fetch().await.unwrap_err();
    assert!(matches!(e, ChannelError::Transient { .. }), "{e}");
    assert!(
        e.to_string().contains("500") && e.to_string().contains("critical error"),
        "{e}"
    );
    assert_no_secret(&e);

    // 202 with SiteGround's captcha page, then a PHP warning in front of the JSON (200).
    set_faults(
        &server,
        FaultPlan {
            html_pages: 2,
            ..FaultPlan::default()
        },
    )
    .await;
    let e = fetch().await.unwrap_err();
    assert!(matches!(e, ChannelError::Transient { .. }), "{e}");
    assert!(
        e.to_string().contains("202") && e.to_string().contains("sgcaptcha"),
        "{e}"
    );
    assert_no_secret(&e);
    let e = fetch().await.unwrap_err();
    assert!(matches!(e, ChannelError::Transient { .. }), "{e}");
    assert!(e.to_string().contains("Warning"), "{e}");
    assert_no_secret(&e);

    // JSON cut in half: retryable, never an empty page.
    set_faults(
        &server,
        FaultPlan {
            truncated: 1,
            ..FaultPlan::default()
        },
    )
    .await;
    let e = fetch().await.unwrap_err();
    assert!(e.is_retryable(), "{e}");
    assert!(e.to_string().contains("truncated"), "{e}");
    assert_no_secret(&e);

    assert_eq!(fetch().await.unwrap().items.len(), 30);
    let stats: serde_json::Value = sim_control::stats(&server.base_url()).await;
    assert_eq!(stats["orders"], 30);
    assert_eq!(stats["requests"], 7);
}

#[tokio::test]
async fn bad_credentials_are_an_auth_error_that_shows_no_secret() {
    let (server, _shop, _) = start(5).await;
    let since = start_time() - chrono::Duration::hours(1);
    let wrong = "cs_wrong_secret_123456";
    let ch = channel(&server.base_url(), KEY, wrong);
    let e = ch.fetch_page(PageRequest::Since(since)).await.unwrap_err();
    assert!(matches!(e, ChannelError::Auth { .. }), "{e}");
    assert!(
        e.to_string().contains("woocommerce_rest_cannot_view"),
        "{e}"
    );
    let text = format!("{e} {e:?}");
    assert!(!text.contains(wrong) && !text.contains(SECRET), "{text}");
    let e = channel(&server.base_url(), "ck_nobody", SECRET)
        .fetch_page(PageRequest::Since(since))
        .await
        .unwrap_err();
    assert!(matches!(e, ChannelError::Auth { .. }), "{e}");
}

#[tokio::test]
async fn the_simulator_speaks_woocommerce_paging_and_errors() {
    let (server, _shop, _) = start(25).await;
    let http = reqwest::Client::new();
    let get = |q: &str| {
        http.get(format!("{}/wp-json/wc/v3/orders?{q}", server.base_url()))
            .basic_auth(KEY, Some(SECRET))
            .send()
    };
    let r = get("per_page=101").await.unwrap();
    assert_eq!(r.status(), 400);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["code"], "rest_invalid_param");

    // Default 10 a page, newest first, with the WordPress headers.
    let r = get("").await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["x-wp-total"], "25");
    assert_eq!(r.headers()["x-wp-totalpages"], "3");
    let link = r.headers()["link"].to_str().unwrap().to_string();
    assert!(
        link.contains("rel=\"next\"") && link.contains("page=2"),
        "{link}"
    );
    let list: Vec<serde_json::Value> = r.json().await.unwrap();
    assert_eq!(list.len(), 10);
    assert!(list[0]["date_created_gmt"].as_str() >= list[9]["date_created_gmt"].as_str());
    // Woo's shapes: money strings, *_gmt without Z, local dates an hour ahead, float price.
    let o = &list[0];
    assert!(o["total"].is_string() && o["number"].is_string());
    let gmt = o["date_modified_gmt"].as_str().unwrap();
    assert!(!gmt.ends_with('Z') && gmt.len() == 19, "{gmt}");
    assert_ne!(o["date_modified"], o["date_modified_gmt"]);
    assert!(o["line_items"][0]["price"].is_number());

    let r = get("page=9").await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["x-wp-total"], "25");
    assert_eq!(r.text().await.unwrap(), "[]");

    let r = http
        .get(format!("{}/wp-json/wc/v3/orders", server.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["code"], "woocommerce_rest_cannot_view");
    assert_eq!(body["message"], "Sorry, you cannot list resources.");
    assert_eq!(body["data"]["status"], 401);
}

#[tokio::test]
async fn versions_posted_to_the_simulator_come_back_as_woocommerce_maps_them() {
    let (server, shop, _) = start(20).await;
    let ch = channel(&server.base_url(), KEY, SECRET);
    let book = shop.book.changed_between(None, None);
    let last = book.last().unwrap().order.updated_at;
    let http = reqwest::Client::new();

    let mut held = book[0].order.clone();
    held.updated_at = last + chrono::Duration::minutes(1);
    held.tags.push("woo:on-hold".into());
    let mut refunded = book[1].order.clone();
    refunded.updated_at = last + chrono::Duration::minutes(2);
    refunded.cancelled = true;
    refunded.financial_status = FinancialStatus::Refunded;
    for o in [&held, &refunded] {
        let r = http
            .post(format!("{}/_sim/orders", server.base_url()))
            .json(o)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
    }
    assert_eq!(shop.book.len(), 20, "replaced, not added");

    let got = orders(&window(&ch, last).await);
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].external_id, held.external_id);
    assert_eq!(got[0].financial_status, FinancialStatus::Pending);
    assert!(!got[0].cancelled);
    assert!(got[0].tags.iter().any(|t| t == "woo:on-hold"));
    assert_eq!(got[1].external_id, refunded.external_id);
    assert!(got[1].cancelled);
    assert_eq!(got[1].financial_status, FinancialStatus::Refunded);
    assert!(got[1].tags.iter().any(|t| t.starts_with("refund:")));
}
