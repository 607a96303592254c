//! The Shopify simulator and connector as the Shopify tests start them: a shop seeded from the
//! demo feed, the simulator on an ephemeral loopback port, and a channel `web` whose token is
//! read from `WEB_SHOPIFY_TOKEN`.
//!
//! Included by path (`#[path = "common/shopify_sim.rs"] mod shopify_sim;`).
#![allow(dead_code)]

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, TimeZone, Utc};
use ordo::channels::shopify::ShopifyChannel;
use ordo::channels::{ChannelConfig, ChannelSettings};
use ordo::model::ChannelKind;
use ordo::sim::channel::{SimServer, SimShop};
use ordo::sim::shopify::{router, seed_orders, ShopifySimSettings, FIRST_SHOP_ID};
use ordo::sim::{Catalog, Feed};

/// The Admin API version the tests' channels speak.
pub const VERSION: &str = "2025-01";

/// When the seeded orders start.
pub fn start_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 2, 14, 0, 0).unwrap()
}

/// A shop holding `orders` orders of the demo feed seeded with `seed`, one every 2 seconds
/// from [`start_time`].
pub fn seeded_shop(seed: u64, orders: usize) -> SimShop {
    let shop = SimShop::new(FIRST_SHOP_ID);
    let mut feed = Feed::new(seed, Catalog::demo());
    seed_orders(
        &shop,
        &mut feed,
        orders,
        start_time(),
        chrono::Duration::seconds(2),
    );
    shop
}

/// The simulator's settings with this access token, the rest default.
pub fn sim_settings(token: &str) -> ShopifySimSettings {
    ShopifySimSettings {
        token: token.into(),
        ..ShopifySimSettings::default()
    }
}

/// A channel `web` at `base_url` speaking [`VERSION`], polled every 60 s with a 300 s overlap;
/// its token is in `WEB_SHOPIFY_TOKEN`.
pub fn config(base_url: &str, page_size: Option<u32>, location_id: Option<u64>) -> ChannelConfig {
    ChannelConfig {
        id: "web".into(),
        kind: ChannelKind::Shopify,
        base_url: base_url.into(),
        enabled: true,
        poll_interval_secs: 60,
        overlap_secs: 300,
        page_size,
        sku_map: BTreeMap::new(),
        buffers: Vec::new(),
        settings: ChannelSettings::Shopify {
            token_env: "WEB_SHOPIFY_TOKEN".into(),
            api_version: VERSION.into(),
            location_id,
            webhook_secret_env: None,
        },
    }
}

/// The connector for `config`, with `token` in its environment.
pub fn connector(config: &ChannelConfig, token: &str) -> ShopifyChannel {
    let env: HashMap<String, String> =
        [("WEB_SHOPIFY_TOKEN".to_string(), token.to_string())].into();
    let lookup = move |k: &str| env.get(k).cloned();
    ShopifyChannel::new(config, &lookup).unwrap()
}

/// The simulator serving `app` (the shop's router, perhaps with layers) on an ephemeral
/// loopback port.
pub async fn serve(app: axum::Router) -> SimServer {
    SimServer::start(app, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap()
}

/// The simulator serving `shop` with `settings`.
pub async fn serve_shop(shop: &SimShop, settings: ShopifySimSettings) -> SimServer {
    serve(router(shop.clone(), settings)).await
}
