//! The store the console's screen tests draw from (`console_snapshots`, `console_split`):
//! three locations, stock, seven orders through the ledger (one held, one cancelled, one
//! quarantined), read through the client exactly as the console reads it live; the clock is
//! passed in and event times pinned, so every run draws the same screens.
#![allow(dead_code)]

use chrono::{DateTime, TimeZone, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use rust_decimal::Decimal;

use std::sync::Arc;

use ordo::client::Client;
use ordo::config::{ChannelConfig, ChannelSettings};
use ordo::console::app::App;
use ordo::console::data::{self, Data};
use ordo::console::ui;
use ordo::console::zone::Zone;
use ordo::engine::hub::ChannelsHub;
use ordo::engine::Engine;
use ordo::ledger::{ChannelSync, Command, LedgerSettings, Origin, Outcome, StockRow};
use ordo::model::{
    Actor, Address, ChannelHealth, ChannelKind, ChannelOrder, Customer, FinancialStatus, Line,
    Location, LocationKind, OnUnroutable, Totals,
};
use ordo::routing::RuleSet;

pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 28, 12, 0, 0).unwrap()
}

pub fn location(id: &str, kind: LocationKind, priority: u32, lat: f64, lon: f64) -> Location {
    Location {
        id: id.into(),
        name: id.into(),
        kind,
        priority: Some(priority),
        lat: Some(lat),
        lon: Some(lon),
        tags: vec![],
        channels: vec![],
        daily_capacity: None,
    }
}

pub fn locations() -> Vec<Location> {
    vec![
        location("wh-east", LocationKind::Warehouse, 1, 40.71, -74.0),
        location("wh-west", LocationKind::Warehouse, 2, 34.05, -118.24),
        location("store-chi", LocationKind::Store, 3, 41.88, -87.63),
    ]
}

pub struct Spec {
    channel: &'static str,
    ext: &'static str,
    customer: &'static str,
    minutes_ago: i64,
    lines: &'static [(&'static str, u32)],
    pending: bool,
    /// Ship-to coordinates (lat, lon).
    to: (f64, f64),
}

pub fn order(s: &Spec) -> ChannelOrder {
    let at = now() - chrono::Duration::minutes(s.minutes_ago);
    let total: i64 = s.lines.iter().map(|(_, q)| i64::from(*q) * 1999).sum();
    ChannelOrder {
        channel: s.channel.into(),
        external_id: s.ext.into(),
        number: format!("#{}", s.ext),
        created_at: at,
        updated_at: at,
        cancelled: false,
        financial_status: if s.pending {
            FinancialStatus::Pending
        } else {
            FinancialStatus::Paid
        },
        customer: Customer {
            name: Some(s.customer.into()),
            email: None,
            phone: None,
        },
        ship_to: Some(Address {
            name: Some(s.customer.into()),
            line1: "12 Main St".into(),
            line2: None,
            city: "Springfield".into(),
            region: Some("IL".into()),
            postal_code: "62701".into(),
            country: "US".into(),
            lat: Some(s.to.0),
            lon: Some(s.to.1),
        }),
        ship_method: "standard".into(),
        pickup_location: None,
        lines: s
            .lines
            .iter()
            .enumerate()
            .map(|(i, (sku, q))| Line {
                line: i as u32 + 1,
                sku: sku.to_string(),
                title: Some(format!("{sku} tee")),
                quantity: *q,
                unit_price: Decimal::new(1999, 2),
                channel_line_id: None,
            })
            .collect(),
        totals: Totals {
            subtotal: Decimal::new(total, 2),
            total: Decimal::new(total, 2),
            ..Totals::default()
        },
        currency: "USD".into(),
        tags: vec![],
    }
}

pub const ORDERS: [Spec; 7] = [
    Spec {
        channel: "web",
        ext: "1001",
        customer: "Ada Lovelace",
        minutes_ago: 180,
        lines: &[("TEE-M", 2)],
        pending: false,
        to: (40.0, -75.0),
    },
    Spec {
        channel: "amazon",
        ext: "114-220",
        customer: "李雷 Lǐ Léi",
        minutes_ago: 95,
        lines: &[("TEE-M", 1), ("MUG", 1)],
        pending: false,
        to: (34.0, -118.0),
    },
    Spec {
        channel: "web",
        ext: "1002",
        customer: "Zoë 🚀 Ångström-Bergqvist with a very long name indeed",
        minutes_ago: 61,
        lines: &[("CAP", 3)],
        pending: false,
        to: (41.9, -87.6),
    },
    Spec {
        channel: "shop",
        ext: "S-7",
        customer: "Grace Hopper",
        minutes_ago: 30,
        lines: &[("MUG", 5)],
        pending: false,
        to: (47.6, -122.3),
    },
    Spec {
        channel: "web",
        ext: "1003",
        customer: "Alan Turing",
        minutes_ago: 12,
        lines: &[("TEE-M", 1)],
        pending: true,
        to: (40.7, -74.0),
    },
    Spec {
        channel: "amazon",
        ext: "114-221",
        customer: "Edsger Dijkstra",
        minutes_ago: 5,
        lines: &[("TEE-M", 1)],
        pending: false,
        to: (42.3, -71.0),
    },
    Spec {
        channel: "web",
        ext: "1004",
        customer: "Barbara Liskov",
        minutes_ago: 1,
        lines: &[("GHOST-SKU", 1)],
        pending: false,
        to: (42.3, -71.0),
    },
];

/// Fields drop in order: the client and the engine (sled flushes as its last handle goes)
/// before the temp dir is removed under them.
pub struct Fixture {
    pub client: Client,
    _engine: Engine,
    _dir: tempfile::TempDir,
}

pub async fn fixture() -> Fixture {
    fixture_with(&[]).await
}

/// The same store with these channels configured: the ledger writes each channel's
/// available-to-sell of every SKU whose stock changes (as `Engine::open` sets it up from
/// `[[channels]]`), and the client sees the channels' health.
pub async fn fixture_with(channels: &[ChannelConfig]) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let mut settings =
        LedgerSettings::new(locations(), 0, RuleSet::fallback(OnUnroutable::default()));
    settings.channels = channels
        .iter()
        .map(|c| ChannelSync {
            id: c.id.clone(),
            buffers: c.buffers(),
        })
        .collect();
    let engine = Engine::with_settings(dir.path(), 8 << 20, settings).unwrap();
    let mut client = engine.client();
    if !channels.is_empty() {
        client = client.with_channels(Arc::new(ChannelsHub::new(channels)));
    }
    let stock = [
        ("TEE-M", "wh-east", 10, 1),
        ("TEE-M", "wh-west", 4, 0),
        ("TEE-M", "store-chi", 1, 0),
        ("MUG", "wh-west", 2, 0),
        ("MUG", "wh-east", 0, 0),
        ("CAP", "store-chi", 3, 0),
    ];
    let rows = stock
        .iter()
        .map(|(sku, loc, on_hand, safety)| StockRow {
            sku: sku.to_string(),
            location: loc.to_string(),
            on_hand: *on_hand,
            safety_stock: Some(*safety),
        })
        .collect();
    client
        .submit(Command::SetStock {
            rows,
            by: Actor::System,
        })
        .await
        .unwrap();
    for s in &ORDERS {
        client
            .submit(Command::Ingest {
                order: Box::new(order(s)),
                origin: Origin {
                    source: "test".into(),
                    format: "ordo".into(),
                    raw: None,
                },
                resolves: None,
            })
            .await
            .unwrap();
    }
    // Order 1 held by an operator, order 6 cancelled.
    let by = Actor::Operator("ana".into());
    let held = client
        .submit(Command::Hold {
            id: 1,
            reason: "address check".into(),
            by: by.clone(),
        })
        .await
        .unwrap();
    assert!(matches!(held, Outcome::Order { .. }), "{held:?}");
    client
        .submit(Command::Cancel {
            id: 6,
            reason: "customer asked".into(),
            by,
        })
        .await
        .unwrap();
    Fixture {
        _dir: dir,
        _engine: engine,
        client,
    }
}

/// Reads what the app shows, as the event loop does, with event times pinned.
pub fn load(client: &Client, app: &mut App) -> Data {
    let mut d = data::load(client, &app.request());
    app.sync(&d);
    pin(&mut d);
    d
}

/// Reads the split view's companion pane as the event loop does (its own request; the app
/// learns its list from it), with event times pinned.
pub fn load_companion(client: &Client, app: &mut App) -> Data {
    let req = app.companion_request().expect("two panes on screen");
    let mut d = data::load(client, &req);
    app.arrived(&req, &d);
    pin(&mut d);
    d
}

/// Event, history and rules times pinned to [`now`].
fn pin(d: &mut Data) {
    let pin = |i: u64| now() - chrono::Duration::seconds(600 - 7 * i as i64);
    for e in &mut d.events {
        e.at = pin(e.seq);
    }
    if let Some(detail) = &mut d.detail {
        for e in &mut detail.history {
            e.at = pin(e.seq);
        }
    }
    if let Some(r) = &mut d.rules {
        r.loaded_at = now() - chrono::Duration::hours(2);
    }
}

pub fn screen(app: &App, data: &Data) -> String {
    let mut term = Terminal::new(TestBackend::new(app.width, app.height)).unwrap();
    term.draw(|f| ui::draw(f, app, data, now())).unwrap();
    term.backend().to_string()
}

/// The screen of a split view: the focused pane from `data`, the companion from `companion`.
pub fn screen_split(app: &App, data: &Data, companion: &Data) -> (String, ratatui::buffer::Buffer) {
    let mut term = Terminal::new(TestBackend::new(app.width, app.height)).unwrap();
    term.draw(|f| ui::draw_with(f, app, data, Some(companion), now()))
        .unwrap();
    (term.backend().to_string(), term.backend().buffer().clone())
}

pub fn screen_buffer(app: &App, data: &Data) -> (String, ratatui::buffer::Buffer) {
    let mut term = Terminal::new(TestBackend::new(app.width, app.height)).unwrap();
    term.draw(|f| ui::draw(f, app, data, now())).unwrap();
    (term.backend().to_string(), term.backend().buffer().clone())
}

pub fn app(w: u16, h: u16) -> App {
    let mut a = App::new("Acme Outfitters", "ana", true);
    // Set here, not taken from the machine: the same screens everywhere.
    a.zone = Zone::UTC;
    a.resize(w, h);
    a
}

pub fn press(app: &mut App, c: KeyCode) {
    app.handle_key(KeyEvent::new(c, KeyModifiers::NONE));
}

pub fn channel(id: &str, kind: ChannelKind) -> ChannelConfig {
    let env = |s: &str| format!("{}_{s}", id.to_uppercase().replace('-', "_"));
    ChannelConfig {
        id: id.into(),
        kind,
        base_url: format!("https://{id}.example.com"),
        enabled: true,
        poll_interval_secs: 60,
        overlap_secs: 300,
        page_size: None,
        sku_map: Default::default(),
        buffers: Vec::new(),
        settings: match kind {
            ChannelKind::Shopify => ChannelSettings::Shopify {
                token_env: env("TOKEN"),
                api_version: "2025-01".into(),
                location_id: None,
                webhook_secret_env: None,
            },
            ChannelKind::Woocommerce => ChannelSettings::Woocommerce {
                consumer_key_env: env("KEY"),
                consumer_secret_env: env("SECRET"),
                webhook_secret_env: None,
                shipment_tracking: false,
            },
            ChannelKind::Amazon => ChannelSettings::Amazon {
                refresh_token_env: env("REFRESH"),
                client_id_env: env("ID"),
                client_secret_env: env("SECRET"),
                token_url: "https://api.amazon.com/auth/o2/token".into(),
                marketplace_ids: vec!["ATVPDKIKX0DER".into()],
                seller_id: None,
                push_rate: None,
                push_burst: None,
            },
        },
    }
}

/// Three channels with their health pinned to [`now`]: `shop-us` idle, 3 pushes waiting;
/// `woo-eu` failing with a long error (wide characters in it), 9 pushes waiting and a push
/// error; `amazon-na` paused by an operator, nothing pushed yet.
pub fn channels_hub() -> ChannelsHub {
    let hub = ChannelsHub::new(&[
        channel("shop-us", ChannelKind::Shopify),
        channel("woo-eu", ChannelKind::Woocommerce),
        channel("amazon-na", ChannelKind::Amazon),
    ]);
    let ago = |s: i64| Some(now() - chrono::Duration::seconds(s));
    let set = |id: &str, f: &dyn Fn(&mut ChannelHealth)| {
        let shared = hub.shared(id).expect("configured");
        let mut h = shared.lock().unwrap();
        f(&mut h);
    };
    set("shop-us", &|h| {
        h.state = "idle".into();
        h.last_success = ago(12);
        h.last_attempt = ago(12);
        h.watermark = ago(180);
        h.pages = 9;
        h.orders = 42;
        h.webhooks = 17;
        h.rate_remaining = Some(38.0);
        h.rate_limit = Some(40.0);
        h.next_poll_at = ago(-48);
        h.outbox_depth = 3;
        h.pushes = 118;
        h.push_latency_p50_ms = Some(38);
        h.push_latency_p99_ms = Some(1240);
    });
    set("woo-eu", &|h| {
        h.state = "failing".into();
        h.last_success = ago(2 * 3600);
        h.last_attempt = ago(40);
        h.watermark = ago(2 * 3600 + 300);
        h.pages = 3;
        h.orders = 7;
        h.errors = 11;
        h.consecutive_errors = 4;
        h.last_error = Some(
            "GET https://woo-eu.example.com/wp-json/wc/v3/orders?modified_after=2026-11-28T09:55:00Z&per_page=100: \
             503 Service Unavailable: upstream connect error or disconnect/reset before headers; \
             reset reason: connection timeout. 店铺维护中，请稍后再试 🚧 (the shop is under maintenance)"
                .into(),
        );
        h.last_error_at = ago(40);
        h.next_poll_at = ago(-80);
        h.outbox_depth = 9;
        h.pushes = 12;
        h.push_errors = 5;
        h.last_push_error = Some(
            "PUT /wp-json/wc/v3/products/batch: 503 Service Unavailable (the shop is under maintenance)"
                .into(),
        );
        h.push_latency_p50_ms = Some(410);
        h.push_latency_p99_ms = Some(23_500);
    });
    set("amazon-na", &|h| {
        h.paused = true;
        h.state = "paused".into();
        h.last_success = ago(25 * 60);
        h.last_attempt = ago(25 * 60);
        h.watermark = ago(26 * 60);
        h.pages = 31;
        h.orders = 130;
        h.errors = 2;
        h.last_error = Some("429 Too Many Requests (throttled)".into());
        h.last_error_at = ago(50 * 60);
        h.rate_remaining = Some(1.0);
        h.rate_limit = Some(20.0);
    });
    hub
}
