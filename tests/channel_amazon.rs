//! The Amazon connector against the Amazon simulator over real HTTP on loopback: paging by
//! `paginationToken`, LWA token exchange and reuse, the faults Amazon shows, and no credential
//! in any error text.

#[path = "common/sim_control.rs"]
mod sim_control;

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use chrono::{DateTime, Utc};
use ordo::channels::amazon::{AmazonChannel, Cursor};
use ordo::channels::{
    Channel, ChannelConfig, ChannelError, ChannelKind, ChannelSettings, Mapped, Page, PageRequest,
};
use ordo::model::FinancialStatus;
use ordo::sim::amazon::{amazon_order_id, router, seed_orders, AmazonSimSettings, AmazonSimStats};
use ordo::sim::channel::{FaultPlan, SimServer, SimShop};

struct Sim {
    server: SimServer,
    shop: SimShop,
    settings: AmazonSimSettings,
    start: DateTime<Utc>,
}

impl Sim {
    async fn start(settings: AmazonSimSettings, orders: usize) -> Sim {
        let shop = SimShop::new(1);
        let start = Utc::now() - chrono::Duration::days(1);
        seed_orders(&shop, 42, orders, start, chrono::Duration::seconds(60));
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
            start,
        }
    }

    fn base(&self) -> String {
        self.server.base_url()
    }

    fn channel(&self) -> AmazonChannel {
        self.channel_with(&self.settings.refresh_token, &self.settings.client_secret)
    }

    fn channel_with(&self, refresh: &str, secret: &str) -> AmazonChannel {
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
                seller_id: None,
                push_rate: None,
                push_burst: None,
            },
        };
        let env: HashMap<&str, String> = HashMap::from([
            ("AMZ_REFRESH", refresh.to_string()),
            ("AMZ_CLIENT_ID", self.settings.client_id.clone()),
            ("AMZ_CLIENT_SECRET", secret.to_string()),
        ]);
        AmazonChannel::new(&config, &|k| env.get(k).cloned()).unwrap()
    }

    async fn stats(&self) -> AmazonSimStats {
        sim_control::stats(&self.base()).await
    }

    async fn faults(&self, plan: FaultPlan) {
        sim_control::set_faults(&self.base(), plan).await
    }

    fn leaks(&self, e: &ChannelError) -> bool {
        leaks(&self.settings, e)
    }
}

/// Says whether an error's text shows any credential.
fn leaks(settings: &AmazonSimSettings, e: &ChannelError) -> bool {
    let text = format!("{e} {e:?}");
    [
        settings.refresh_token.as_str(),
        settings.client_secret.as_str(),
        "Atza|",
        "wrong-refresh",
    ]
    .iter()
    .any(|s| text.contains(s))
}

fn since(sim: &Sim) -> PageRequest {
    PageRequest::Since(sim.start - chrono::Duration::minutes(1))
}

async fn all_pages(ch: &AmazonChannel, first: PageRequest) -> Vec<Page> {
    let mut pages = Vec::new();
    let mut request = first;
    loop {
        let page = ch.fetch_page(request).await.unwrap();
        let next = page.next.clone();
        pages.push(page);
        match next {
            Some(n) => request = PageRequest::Next(n),
            None => return pages,
        }
    }
}

#[tokio::test]
async fn every_order_comes_once_over_three_pages_with_one_token_exchange() {
    let sim = Sim::start(
        AmazonSimSettings {
            burst: 100,
            ..Default::default()
        },
        250,
    )
    .await;
    let ch = sim.channel();
    assert_eq!(ch.id(), "amazon-us");
    let pages = all_pages(&ch, since(&sim)).await;
    assert_eq!(
        pages.iter().map(|p| p.items.len()).collect::<Vec<_>>(),
        [100, 100, 50]
    );
    for p in &pages {
        let rate = p.rate.expect("x-amzn-RateLimit-Limit is read");
        assert_eq!((rate.limit, rate.remaining), (2.0, 2.0));
    }
    // Amazon's tokens hold + / = and went through the query exactly once.
    let first_next = Cursor::decode(pages[0].next.as_deref().unwrap()).unwrap();
    assert!(first_next.token.contains('+') && first_next.token.contains('/'));

    let book: HashMap<String, ordo::model::ChannelOrder> = sim
        .shop
        .book
        .lock()
        .iter()
        .map(|o| (amazon_order_id(o), o.order.clone()))
        .collect();
    let mut seen = HashSet::new();
    let mut pending = 0;
    let mut last = None;
    for m in pages.iter().flat_map(|p| &p.items) {
        let Mapped::Order { order, raw } = m else {
            panic!("unmappable: {m:?}")
        };
        assert!(raw.contains(&order.external_id));
        assert!(
            seen.insert(order.external_id.clone()),
            "twice: {}",
            order.external_id
        );
        assert!(last <= Some(order.updated_at), "oldest change first");
        last = Some(order.updated_at);
        let want = &book[&order.external_id];
        assert_eq!(order.channel, "amazon-us");
        assert_eq!(order.cancelled, want.cancelled);
        assert_eq!(order.updated_at, want.updated_at);
        let lines = |o: &ordo::model::ChannelOrder| -> Vec<(String, u32)> {
            o.lines
                .iter()
                .map(|l| (l.sku.clone(), l.quantity))
                .collect()
        };
        assert_eq!(lines(order), lines(want));
        if order.financial_status == FinancialStatus::Pending {
            pending += 1;
            assert_eq!(order.ship_to, None);
        } else if !order.cancelled {
            assert_eq!(order.totals.total, want.totals.total);
            assert_eq!(
                order.ship_to.as_ref().unwrap().postal_code,
                want.ship_to.as_ref().unwrap().postal_code
            );
            assert_eq!(order.lines[0].unit_price, want.lines[0].unit_price);
            assert!(order.problems().is_empty(), "{:?}", order.problems());
        }
    }
    assert_eq!(seen.len(), 250);
    assert!(pending > 0, "some orders are still Pending");
    let stats = sim.stats().await;
    assert_eq!(stats.token_exchanges, 1, "{stats:?}");
    assert_eq!(stats.requests, 3);

    // An edit (here a cancellation) comes back in the next window.
    let mut cancel = sim.shop.book.lock()[0].order.clone();
    cancel.cancelled = true;
    cancel.updated_at = Utc::now() - chrono::Duration::seconds(1);
    let r = reqwest::Client::new()
        .post(format!("{}/_sim/orders", sim.base()))
        .json(&cancel)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    let pages = all_pages(
        &ch,
        PageRequest::Since(Utc::now() - chrono::Duration::seconds(30)),
    )
    .await;
    let items: Vec<&Mapped> = pages.iter().flat_map(|p| &p.items).collect();
    assert_eq!(items.len(), 1);
    let Mapped::Order { order, .. } = items[0] else {
        panic!()
    };
    assert!(order.cancelled);
    assert_eq!(order.external_id, cancel.external_id);
    assert_eq!(sim.stats().await.token_exchanges, 1);
}

#[tokio::test]
async fn the_access_token_is_exchanged_again_when_it_expires_or_is_refused() {
    let settings = AmazonSimSettings {
        access_token_ttl: Duration::from_secs(2),
        burst: 100,
        ..Default::default()
    };
    let sim = Sim::start(settings.clone(), 20).await;
    let ch = sim.channel();
    ch.fetch_page(since(&sim)).await.unwrap();
    ch.fetch_page(since(&sim)).await.unwrap();
    assert_eq!(sim.stats().await.token_exchanges, 1);
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let page = ch.fetch_page(since(&sim)).await.unwrap();
    assert_eq!(page.items.len(), 20);
    let stats = sim.stats().await;
    assert_eq!(stats.token_exchanges, 2);
    assert_eq!(
        stats.auth_refusals, 0,
        "the cache gave the token up before it expired"
    );

    // A simulator that never issued the cached token (a revoked one) refuses it: Auth, the
    // token is dropped, and the next fetch exchanges a new one.
    let addr = sim.server.addr;
    let shop = sim.shop.clone();
    let window = since(&sim);
    let Sim { server, .. } = sim;
    server.shutdown().await;
    let server = SimServer::start(router(shop, settings.clone()), addr)
        .await
        .unwrap();
    let mut refused = None;
    for _ in 0..3 {
        match ch.fetch_page(window.clone()).await {
            Err(e @ ChannelError::Auth { .. }) => {
                refused = Some(e);
                break;
            }
            // A pooled connection to the old server may break first.
            Err(ChannelError::Transient { .. }) => continue,
            other => panic!("{other:?}"),
        }
    }
    let e = refused.expect("the revoked token is refused");
    assert!(
        e.to_string().contains("revoked, malformed or invalid"),
        "{e}"
    );
    assert!(!leaks(&settings, &e), "{e}");
    assert_eq!(ch.fetch_page(window).await.unwrap().items.len(), 20);
    server.shutdown().await;
}

#[tokio::test]
async fn faults_are_classified_and_never_show_a_credential() {
    let sim = Sim::start(
        AmazonSimSettings {
            burst: 100,
            ..Default::default()
        },
        150,
    )
    .await;
    let ch = sim.channel();
    let mut errors = Vec::new();

    sim.faults(FaultPlan {
        rate_limited: 1,
        ..Default::default()
    })
    .await;
    let e = ch.fetch_page(since(&sim)).await.unwrap_err();
    assert!(matches!(e, ChannelError::RateLimited { .. }), "{e:?}");
    errors.push(e);

    for plan in [
        FaultPlan {
            server_errors: 1,
            ..Default::default()
        },
        FaultPlan {
            html_pages: 1,
            ..Default::default()
        },
        FaultPlan {
            truncated: 1,
            ..Default::default()
        },
    ] {
        sim.faults(plan).await;
        let e = ch.fetch_page(since(&sim)).await.unwrap_err();
        assert!(
            matches!(e, ChannelError::Transient { .. }),
            "{plan:?}: {e:?}"
        );
        errors.push(e);
    }
    let texts: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
    assert!(texts[1].contains("InternalFailure"), "{}", texts[1]);
    assert!(texts[2].contains("text/html"), "{}", texts[2]);
    assert!(texts[3].contains("truncated"), "{}", texts[3]);

    // An expired pagination token: the window starts again.
    let first = ch.fetch_page(since(&sim)).await.unwrap();
    let next = first.next.clone().unwrap();
    sim.faults(FaultPlan {
        expired_cursors: 1,
        ..Default::default()
    })
    .await;
    let e = ch
        .fetch_page(PageRequest::Next(next.clone()))
        .await
        .unwrap_err();
    assert!(matches!(e, ChannelError::CursorExpired { .. }), "{e:?}");
    assert!(e.to_string().contains("expired"), "{e}");
    errors.push(e);
    // The same token works once the fault is spent.
    assert_eq!(
        ch.fetch_page(PageRequest::Next(next.clone()))
            .await
            .unwrap()
            .items
            .len(),
        50
    );

    // A token that does not decode (truncated), and one that is not ours at all.
    let mut cursor = Cursor::decode(&next).unwrap();
    cursor.token.truncate(cursor.token.len() / 2);
    let e = ch
        .fetch_page(PageRequest::Next(cursor.encode()))
        .await
        .unwrap_err();
    assert!(matches!(e, ChannelError::CursorExpired { .. }), "{e:?}");
    assert!(e.to_string().contains("could not decode"), "{e}");
    errors.push(e);
    let e = ch
        .fetch_page(PageRequest::Next("not-a-cursor".into()))
        .await
        .unwrap_err();
    assert!(matches!(e, ChannelError::CursorExpired { .. }), "{e:?}");
    // A token with another window's filters is refused too.
    let mut cursor = Cursor::decode(&next).unwrap();
    cursor.since -= chrono::Duration::hours(1);
    let e = ch
        .fetch_page(PageRequest::Next(cursor.encode()))
        .await
        .unwrap_err();
    assert!(matches!(e, ChannelError::CursorExpired { .. }), "{e:?}");

    // Wrong credentials: Auth, and nothing secret in the text.
    let bad = sim.channel_with("Atzr|wrong-refresh-token", &sim.settings.client_secret);
    let e = bad.fetch_page(since(&sim)).await.unwrap_err();
    assert!(matches!(e, ChannelError::Auth { .. }), "{e:?}");
    assert!(e.to_string().contains("invalid_grant"), "{e}");
    errors.push(e);
    let bad = sim.channel_with(&sim.settings.refresh_token, "wrong-client-secret");
    let e = bad.fetch_page(since(&sim)).await.unwrap_err();
    assert!(matches!(e, ChannelError::Auth { .. }), "{e:?}");
    errors.push(e);

    for e in &errors {
        assert!(!sim.leaks(e), "{e}");
        assert!(!e.to_string().contains("wrong-client-secret"), "{e}");
    }
    let stats = sim.stats().await;
    assert_eq!(stats.token_exchanges, 1, "{stats:?}");
}

#[tokio::test]
async fn the_token_bucket_throttles_with_quota_exceeded() {
    let sim = Sim::start(
        AmazonSimSettings {
            burst: 2,
            rate: 0.01,
            ..Default::default()
        },
        5,
    )
    .await;
    let ch = sim.channel();
    ch.fetch_page(since(&sim)).await.unwrap();
    ch.fetch_page(since(&sim)).await.unwrap();
    let e = ch.fetch_page(since(&sim)).await.unwrap_err();
    assert!(
        matches!(
            e,
            ChannelError::RateLimited {
                retry_after: None,
                ..
            }
        ),
        "{e:?}"
    );
    assert_eq!(sim.stats().await.throttled, 1);
}

#[tokio::test]
async fn the_simulator_refuses_bad_windows_as_amazon_does() {
    let sim = Sim::start(
        AmazonSimSettings {
            burst: 100,
            ..Default::default()
        },
        3,
    )
    .await;
    let http = reqwest::Client::new();
    let s = &sim.settings;
    let token: serde_json::Value = http
        .post(format!("{}/auth/o2/token", sim.base()))
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", s.refresh_token.as_str()),
            ("client_id", s.client_id.as_str()),
            ("client_secret", s.client_secret.as_str()),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = token["access_token"].as_str().unwrap().to_string();
    let now = Utc::now();
    let t = |d: chrono::Duration| (now - d).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let get = |query: Vec<(&'static str, String)>| {
        let req = http
            .get(format!("{}/orders/2026-01-01/orders", sim.base()))
            .header("x-amz-access-token", token.clone())
            .query(&query);
        async move {
            let r = req.send().await.unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    let day = chrono::Duration::days(2);
    let (status, body) = get(vec![("lastUpdatedAfter", t(day))]).await;
    assert_eq!(status, 200, "{body}");
    for bad in [
        vec![],
        vec![("lastUpdatedAfter", t(day)), ("createdAfter", t(day))],
        vec![
            ("createdAfter", t(day)),
            ("lastUpdatedBefore", t(chrono::Duration::hours(1))),
        ],
        vec![
            ("lastUpdatedAfter", t(day)),
            ("lastUpdatedBefore", t(chrono::Duration::seconds(60))),
        ],
        vec![
            ("lastUpdatedAfter", t(day)),
            ("maxResultsPerPage", "101".into()),
        ],
        vec![
            ("lastUpdatedAfter", t(day)),
            ("maxResultsPerPage", "0".into()),
        ],
        vec![("lastUpdatedAfter", "yesterday".into())],
    ] {
        let (status, body) = get(bad.clone()).await;
        assert_eq!(status, 400, "{bad:?}: {body}");
        assert!(body.contains("\"InvalidInput\""), "{body}");
    }
    let (status, _) = get(vec![
        ("lastUpdatedAfter", t(day)),
        ("lastUpdatedBefore", t(chrono::Duration::minutes(3))),
    ])
    .await;
    assert_eq!(status, 200);
    // No token, or an unknown one: 403 with Amazon's body.
    let r = http
        .get(format!("{}/orders/2026-01-01/orders", sim.base()))
        .query(&[("lastUpdatedAfter", t(day))])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 403);
    assert!(r.text().await.unwrap().contains("\"Unauthorized\""));
}
