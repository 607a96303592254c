//! The WooCommerce simulator and connector as the WooCommerce tests start them: the simulator
//! on an ephemeral loopback port with a key pair, a connector `woo` whose keys are read from
//! `T_WOO_CK` / `T_WOO_CS`, and the two-line order the shipment tests ship.
//!
//! Included by path (`#[path = "common/woo.rs"] mod woo;`).
#![allow(dead_code)]

use ordo::channels::woocommerce::WooChannel;
use ordo::channels::{ChannelConfig, ChannelSettings};
use ordo::model::{ChannelKind, ChannelOrder, FinancialStatus, Line, Money};
use ordo::sim::channel::{SimServer, SimShop};
use ordo::sim::woocommerce::{router, WooSimSettings};

/// The simulator's settings with this key pair, the rest default.
pub fn sim_settings(key: &str, secret: &str) -> WooSimSettings {
    WooSimSettings {
        consumer_key: key.into(),
        consumer_secret: secret.into(),
        ..WooSimSettings::default()
    }
}

/// The simulator serving `shop` on an ephemeral loopback port.
pub async fn serve(shop: &SimShop, settings: WooSimSettings) -> SimServer {
    SimServer::start(
        router(shop.clone(), settings),
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .unwrap()
}

/// A channel `woo` at `base`, polled every 60 s with a 300 s overlap, no SKU map or buffers;
/// its keys are in `T_WOO_CK` and `T_WOO_CS`.
pub fn config(base: &str, page_size: Option<u32>, shipment_tracking: bool) -> ChannelConfig {
    ChannelConfig {
        id: "woo".into(),
        kind: ChannelKind::Woocommerce,
        base_url: base.into(),
        enabled: true,
        poll_interval_secs: 60,
        overlap_secs: 300,
        page_size,
        sku_map: Default::default(),
        buffers: Vec::new(),
        settings: ChannelSettings::Woocommerce {
            consumer_key_env: "T_WOO_CK".into(),
            consumer_secret_env: "T_WOO_CS".into(),
            webhook_secret_env: None,
            shipment_tracking,
        },
    }
}

/// The connector for `config`, with `key` and `secret` in its environment.
pub fn connector(config: &ChannelConfig, key: &str, secret: &str) -> WooChannel {
    let (key, secret) = (key.to_string(), secret.to_string());
    let env = move |var: &str| match var {
        "T_WOO_CK" => Some(key.clone()),
        "T_WOO_CS" => Some(secret.clone()),
        _ => None,
    };
    WooChannel::new(config, &env).unwrap()
}

/// Makes `order` the paid order `id` (its number too) of two lines: 2 x TEE-M as line item
/// `items[0]` and 1 x MUG as `items[1]`, at `price` each; not cancelled, no `woo:` tags (so the
/// simulator shows it as processing).
pub fn two_lines(order: &mut ChannelOrder, id: &str, price: Money, items: [&str; 2]) {
    let line = |n: u32, sku: &str, qty: u32, item: &str| Line {
        line: n,
        sku: sku.into(),
        title: Some(sku.into()),
        quantity: qty,
        unit_price: price,
        channel_line_id: Some(item.into()),
    };
    order.external_id = id.into();
    order.number = id.into();
    order.cancelled = false;
    order.financial_status = FinancialStatus::Paid;
    order.tags.retain(|t| !t.starts_with("woo:"));
    order.lines = vec![line(1, "TEE-M", 2, items[0]), line(2, "MUG", 1, items[1])];
}

/// `GET path` on the simulator with the key pair (basic auth, as over HTTPS), its JSON body.
pub async fn get<T: serde::de::DeserializeOwned>(
    server: &SimServer,
    path: &str,
    key: &str,
    secret: &str,
) -> T {
    reqwest::Client::new()
        .get(format!("{}{path}", server.base_url()))
        .basic_auth(key, Some(secret))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}
