//! The three channel simulators together on loopback, with the config that points ordo at
//! them and a live traffic generator: what `ordo sim` and `ordo demo` run, and what the sync
//! tests poll.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::watch;

use super::channel::{whole_seconds, SimOrder, SimServer, SimShop, SimWarehouse};
use super::feed::{Feed, Pacer};
use super::{amazon, shopify, woocommerce};
use crate::config::{ChannelConfig, ChannelSettings};
use crate::model::{ChannelKind, ChannelOrder};

/// Where each simulator's orders go in the generator's output.
pub const FEED_CHANNELS: [(&str, ChannelKind); 3] = [
    ("shopify", ChannelKind::Shopify),
    ("woocommerce", ChannelKind::Woocommerce),
    ("amazon", ChannelKind::Amazon),
];

/// The environment variables the generated config names, and the credentials the simulators
/// expect in them.
pub const ENV_SHOPIFY_TOKEN: &str = "ORDO_SIM_SHOPIFY_TOKEN";
pub const ENV_SHOPIFY_WEBHOOK_SECRET: &str = "ORDO_SIM_SHOPIFY_WEBHOOK_SECRET";
pub const ENV_WOO_KEY: &str = "ORDO_SIM_WOO_KEY";
pub const ENV_WOO_SECRET: &str = "ORDO_SIM_WOO_SECRET";
pub const ENV_WOO_WEBHOOK_SECRET: &str = "ORDO_SIM_WOO_WEBHOOK_SECRET";
pub const ENV_AMAZON_REFRESH: &str = "ORDO_SIM_AMAZON_REFRESH_TOKEN";
pub const ENV_AMAZON_CLIENT_ID: &str = "ORDO_SIM_AMAZON_CLIENT_ID";
pub const ENV_AMAZON_CLIENT_SECRET: &str = "ORDO_SIM_AMAZON_CLIENT_SECRET";
/// The webhook signing secrets of the simulated shops (not credentials of anything real).
pub const SIM_WEBHOOK_SECRET: &str = "sim-webhook-secret";

/// How hard the simulated shops throttle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Limits {
    /// As documented: Shopify's standard plan (bucket 40, 2 requests/s), Amazon's usage plans
    /// (listings 5/s), WooCommerce none.
    #[default]
    Real,
    /// Shopify Plus (bucket 400, 20 requests/s); the rest as documented.
    ShopifyPlus,
    /// Throttles that never bite: for tests that are about something else.
    Relaxed,
}

/// One running simulator.
pub struct RunningSim {
    pub kind: ChannelKind,
    pub shop: SimShop,
    pub server: SimServer,
}

impl RunningSim {
    pub fn base_url(&self) -> String {
        self.server.base_url()
    }
}

/// The three simulators, selling from one physical stock.
pub struct SimWorld {
    pub shopify: RunningSim,
    pub woocommerce: RunningSim,
    pub amazon: RunningSim,
    /// The physical truth the three shops share: the warehouse units ordo was given, per SKU
    /// ([`SimWorld::set_physical`]). Every unit any shop sells is taken from it, so each
    /// shop's `GET /_sim/stats` reports the units it oversold (`stock.units_oversold`) and the
    /// world's total (`stock.world_units_oversold`).
    pub warehouse: Arc<SimWarehouse>,
    pub shopify_settings: shopify::ShopifySimSettings,
    pub woo_settings: woocommerce::WooSimSettings,
    pub amazon_settings: amazon::AmazonSimSettings,
}

impl SimWorld {
    /// Starts the simulators on 127.0.0.1: `first_port` for Shopify, +1 WooCommerce, +2
    /// Amazon; 0 picks free ports.
    pub async fn start(first_port: u16) -> std::io::Result<SimWorld> {
        SimWorld::start_with(first_port, Limits::Real).await
    }

    /// The same with the shops' rate limits chosen.
    pub async fn start_with(first_port: u16, limits: Limits) -> std::io::Result<SimWorld> {
        let port = |i: u16| if first_port == 0 { 0 } else { first_port + i };
        let addr = |i: u16| SocketAddr::from(([127, 0, 0, 1], port(i)));
        let mut shopify_settings = shopify::ShopifySimSettings::default();
        let woo_settings = woocommerce::WooSimSettings::default();
        let mut amazon_settings = amazon::AmazonSimSettings::default();
        match limits {
            Limits::Real => {}
            Limits::ShopifyPlus => {
                shopify_settings.bucket_size = 400;
                shopify_settings.leak_per_sec = 20.0;
            }
            Limits::Relaxed => {
                shopify_settings.bucket_size = 4000;
                shopify_settings.leak_per_sec = 1000.0;
                amazon_settings.burst = 1000;
                amazon_settings.rate = 1000.0;
                amazon_settings.listings_burst = 1000;
                amazon_settings.listings_rate = 1000.0;
                amazon_settings.shipments_burst = 1000;
                amazon_settings.shipments_rate = 1000.0;
            }
        }
        let warehouse = Arc::new(SimWarehouse::default());
        let shop = SimShop::new(shopify::FIRST_SHOP_ID);
        shop.stock.share_warehouse(warehouse.clone());
        let server = SimServer::start(
            shopify::router(shop.clone(), shopify_settings.clone()),
            addr(0),
        )
        .await?;
        let shopify = RunningSim {
            kind: ChannelKind::Shopify,
            shop,
            server,
        };
        let shop = SimShop::new(20_000);
        shop.stock.share_warehouse(warehouse.clone());
        let server = SimServer::start(
            woocommerce::router(shop.clone(), woo_settings.clone()),
            addr(1),
        )
        .await?;
        let woocommerce = RunningSim {
            kind: ChannelKind::Woocommerce,
            shop,
            server,
        };
        let shop = SimShop::new(1);
        shop.stock.share_warehouse(warehouse.clone());
        let server = SimServer::start(
            amazon::router(shop.clone(), amazon_settings.clone()),
            addr(2),
        )
        .await?;
        let amazon = RunningSim {
            kind: ChannelKind::Amazon,
            shop,
            server,
        };
        Ok(SimWorld {
            shopify,
            woocommerce,
            amazon,
            warehouse,
            shopify_settings,
            woo_settings,
            amazon_settings,
        })
    }

    /// The physical units of a SKU that ordo was given (what its stock counts say is on the
    /// shelves): the truth overselling is measured against.
    pub fn set_physical(&self, sku: &str, units: i64) {
        self.warehouse.set(sku, units);
    }

    /// Units sold on any shop after the physical units of their SKU ran out; None when the
    /// world was given no physical units.
    pub fn units_oversold(&self) -> Option<u64> {
        (!self.warehouse.is_empty()).then(|| self.warehouse.units_oversold())
    }

    pub fn sims(&self) -> [&RunningSim; 3] {
        [&self.shopify, &self.woocommerce, &self.amazon]
    }

    pub fn sim(&self, kind: ChannelKind) -> &RunningSim {
        match kind {
            ChannelKind::Shopify => &self.shopify,
            ChannelKind::Woocommerce => &self.woocommerce,
            ChannelKind::Amazon => &self.amazon,
        }
    }

    /// The `[[channels]]` that point ordo at the simulators, polled every `poll_interval_secs`.
    pub fn channel_configs(&self, poll_interval_secs: u64) -> Vec<ChannelConfig> {
        let base = |id: &str, kind, url: String, settings| ChannelConfig {
            id: id.to_string(),
            kind,
            base_url: url,
            enabled: true,
            poll_interval_secs,
            overlap_secs: crate::config::DEFAULT_OVERLAP_SECS,
            page_size: None,
            sku_map: BTreeMap::new(),
            buffers: Vec::new(),
            settings,
        };
        vec![
            base(
                "shopify",
                ChannelKind::Shopify,
                self.shopify.base_url(),
                ChannelSettings::Shopify {
                    token_env: ENV_SHOPIFY_TOKEN.into(),
                    api_version: self.shopify_settings.api_version.clone(),
                    location_id: None,
                    webhook_secret_env: Some(ENV_SHOPIFY_WEBHOOK_SECRET.into()),
                },
            ),
            base(
                "woocommerce",
                ChannelKind::Woocommerce,
                self.woocommerce.base_url(),
                ChannelSettings::Woocommerce {
                    consumer_key_env: ENV_WOO_KEY.into(),
                    consumer_secret_env: ENV_WOO_SECRET.into(),
                    webhook_secret_env: Some(ENV_WOO_WEBHOOK_SECRET.into()),
                    shipment_tracking: false,
                },
            ),
            base(
                "amazon",
                ChannelKind::Amazon,
                self.amazon.base_url(),
                ChannelSettings::Amazon {
                    refresh_token_env: ENV_AMAZON_REFRESH.into(),
                    client_id_env: ENV_AMAZON_CLIENT_ID.into(),
                    client_secret_env: ENV_AMAZON_CLIENT_SECRET.into(),
                    token_url: format!("{}/auth/o2/token", self.amazon.base_url()),
                    marketplace_ids: vec![self.amazon_settings.marketplace_id.clone()],
                    seller_id: Some("A1SIMSELLER".into()),
                    push_rate: None,
                    push_burst: None,
                },
            ),
        ]
    }

    /// The credentials the simulators accept, by the variable names the config uses.
    pub fn env(&self) -> BTreeMap<String, String> {
        [
            (ENV_SHOPIFY_TOKEN, self.shopify_settings.token.clone()),
            (ENV_SHOPIFY_WEBHOOK_SECRET, SIM_WEBHOOK_SECRET.to_string()),
            (ENV_WOO_KEY, self.woo_settings.consumer_key.clone()),
            (ENV_WOO_SECRET, self.woo_settings.consumer_secret.clone()),
            (ENV_WOO_WEBHOOK_SECRET, SIM_WEBHOOK_SECRET.to_string()),
            (
                ENV_AMAZON_REFRESH,
                self.amazon_settings.refresh_token.clone(),
            ),
            (ENV_AMAZON_CLIENT_ID, self.amazon_settings.client_id.clone()),
            (
                ENV_AMAZON_CLIENT_SECRET,
                self.amazon_settings.client_secret.clone(),
            ),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
    }

    /// Puts one generated version into its simulator; versions for other channels (point of
    /// sale) come back for the caller.
    pub fn place(&self, mut order: ChannelOrder) -> Option<ChannelOrder> {
        let Some((_, kind)) = FEED_CHANNELS
            .iter()
            .find(|(name, _)| *name == order.channel)
        else {
            return Some(order);
        };
        // The shops keep whole seconds.
        order.created_at = whole_seconds(order.created_at);
        order.updated_at = whole_seconds(order.updated_at);
        self.sim(*kind).shop.book.upsert(order);
        None
    }

    /// A customer buying on a simulated channel: the shop sells only what its own stock shows
    /// (it does not sell below 0), then the order is in its book for ordo to poll. False when
    /// the shop refused the sale.
    pub fn sell(&self, kind: ChannelKind, mut order: ChannelOrder) -> bool {
        let sim = self.sim(kind);
        let lines: Vec<(String, u32)> = order
            .lines
            .iter()
            .map(|l| (l.sku.clone(), l.quantity))
            .collect();
        if !sim.shop.stock.try_sell(&lines) {
            return false;
        }
        order.created_at = whole_seconds(order.created_at);
        order.updated_at = whole_seconds(order.updated_at);
        sim.shop.book.upsert(order);
        true
    }

    pub async fn shutdown(self) {
        self.shopify.server.shutdown().await;
        self.woocommerce.server.shutdown().await;
        self.amazon.server.shutdown().await;
    }
}

/// The id a channel's API shows for a book entry: the order's `external_id` in ordo.
pub fn channel_external_id(kind: ChannelKind, o: &SimOrder) -> String {
    match kind {
        ChannelKind::Shopify => shopify::shopify_id(o).to_string(),
        ChannelKind::Woocommerce => woocommerce::woo_id(o).to_string(),
        ChannelKind::Amazon => amazon::amazon_order_id(o),
    }
}

/// Writes `n` versions of the feed into the simulators, the k-th at `start + k * step`;
/// returns the versions for channels without a simulator (point of sale).
pub fn backlog(
    world: &SimWorld,
    feed: &mut Feed,
    n: usize,
    start: DateTime<Utc>,
    step: chrono::Duration,
) -> Vec<ChannelOrder> {
    let mut others = Vec::new();
    for i in 0..n {
        let order = feed.next(start + step * i as i32);
        if let Some(other) = world.place(order) {
            others.push(other);
        }
    }
    others
}

/// Live traffic: the feed's versions at `rate` a second (with its bursts) into the simulators
/// until `stop`; versions for other channels go to `others`.
pub async fn run_traffic(
    world: std::sync::Arc<SimWorld>,
    mut feed: Feed,
    rate: f64,
    others: tokio::sync::mpsc::Sender<ChannelOrder>,
    mut stop: watch::Receiver<bool>,
) {
    if rate <= 0.0 {
        return;
    }
    let mut pacer = Pacer::new(feed.seed(), rate);
    loop {
        let wait = pacer.next_delay();
        tokio::select! {
            _ = tokio::time::sleep(wait.min(Duration::from_secs(60))) => {}
            _ = stop.changed() => return,
        }
        let order = feed.next(Utc::now());
        if let Some(other) = world.place(order) {
            if others.send(other).await.is_err() {
                return;
            }
        }
    }
}
