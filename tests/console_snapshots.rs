//! Whole console screens on ratatui's TestBackend, from a real store: orders, stock and events
//! go through the ledger, the console reads them through the client API exactly as it does
//! live, and each screen is compared with its insta snapshot. The clock is passed in and event
//! times are pinned, so every run draws the same screens.

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
use ordo::inventory::{Buffer, BufferRule};
use ordo::ledger::{ChannelSync, Command, LedgerSettings, Origin, Outcome, StockRow};
use ordo::model::{
    Actor, Address, ChannelHealth, ChannelKind, ChannelOrder, Customer, FinancialStatus, Line,
    Location, LocationKind, OnUnroutable, Totals,
};
use ordo::routing::RuleSet;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 28, 12, 0, 0).unwrap()
}

fn location(id: &str, kind: LocationKind, priority: u32, lat: f64, lon: f64) -> Location {
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

fn locations() -> Vec<Location> {
    vec![
        location("wh-east", LocationKind::Warehouse, 1, 40.71, -74.0),
        location("wh-west", LocationKind::Warehouse, 2, 34.05, -118.24),
        location("store-chi", LocationKind::Store, 3, 41.88, -87.63),
    ]
}

struct Spec {
    channel: &'static str,
    ext: &'static str,
    customer: &'static str,
    minutes_ago: i64,
    lines: &'static [(&'static str, u32)],
    pending: bool,
    /// Ship-to coordinates (lat, lon).
    to: (f64, f64),
}

fn order(s: &Spec) -> ChannelOrder {
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

const ORDERS: [Spec; 7] = [
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

struct Fixture {
    _dir: tempfile::TempDir,
    _engine: Engine,
    client: Client,
}

async fn fixture() -> Fixture {
    fixture_with(&[]).await
}

/// The same store with these channels configured: the ledger writes each channel's
/// available-to-sell of every SKU whose stock changes (as `Engine::open` sets it up from
/// `[[channels]]`), and the client sees the channels' health.
async fn fixture_with(channels: &[ChannelConfig]) -> Fixture {
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
fn load(client: &Client, app: &mut App) -> Data {
    let mut d = data::load(client, &app.request());
    app.sync(&d);
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
    d
}

fn screen(app: &App, data: &Data) -> String {
    let mut term = Terminal::new(TestBackend::new(app.width, app.height)).unwrap();
    term.draw(|f| ui::draw(f, app, data, now())).unwrap();
    term.backend().to_string()
}

fn screen_buffer(app: &App, data: &Data) -> (String, ratatui::buffer::Buffer) {
    let mut term = Terminal::new(TestBackend::new(app.width, app.height)).unwrap();
    term.draw(|f| ui::draw(f, app, data, now())).unwrap();
    (term.backend().to_string(), term.backend().buffer().clone())
}

/// No light or bright foreground on a light background, some colour shown, and the selected
/// row reversed.
fn assert_light_colors(buffer: &ratatui::buffer::Buffer) {
    use ratatui::style::{Color, Modifier};
    let mut coloured = 0;
    let mut reversed = 0;
    for cell in buffer.content() {
        assert!(
            !matches!(
                cell.fg,
                Color::White
                    | Color::Gray
                    | Color::Yellow
                    | Color::Cyan
                    | Color::LightYellow
                    | Color::LightCyan
                    | Color::LightGreen
                    | Color::LightBlue
                    | Color::LightMagenta
                    | Color::LightRed
            ),
            "{:?} on {:?}",
            cell.fg,
            cell.symbol()
        );
        if matches!(cell.fg, Color::Indexed(_)) {
            coloured += 1;
        }
        if cell.modifier.contains(Modifier::REVERSED) {
            reversed += 1;
        }
    }
    assert!(coloured > 0, "the light theme shows colours");
    assert!(reversed > 100, "the selected row is reversed");
}

fn app(w: u16, h: u16) -> App {
    let mut a = App::new("Acme Outfitters", "ana", true);
    // Set here, not taken from the machine: the same screens everywhere.
    a.zone = Zone::UTC;
    a.resize(w, h);
    a
}

fn press(app: &mut App, c: KeyCode) {
    app.handle_key(KeyEvent::new(c, KeyModifiers::NONE));
}

#[tokio::test]
async fn screens() {
    let f = fixture().await;
    let c = &f.client;

    // Orders, newest first, the second row selected.
    let mut a = app(120, 30);
    load(c, &mut a);
    press(&mut a, KeyCode::Char('j'));
    let d = load(c, &mut a);
    insta::assert_snapshot!("orders_120x30", screen(&a, &d));

    // The same screen in `[console] theme = "light"` (the snapshot records the text; the
    // colours are checked on the buffer: dark ones only, the selection still reversed).
    let mut light = app(120, 30);
    light.no_color = false;
    light.palette = ui::Palette::Light;
    load(c, &mut light);
    press(&mut light, KeyCode::Char('j'));
    let ld = load(c, &mut light);
    let (text, buffer) = screen_buffer(&light, &ld);
    insta::assert_snapshot!("orders_light_120x30", text);
    assert_light_colors(&buffer);

    // The detail of order 2 (split across two warehouses), with its explanation and history.
    press(&mut a, KeyCode::Char('j'));
    press(&mut a, KeyCode::Char('j'));
    press(&mut a, KeyCode::Char('j'));
    press(&mut a, KeyCode::Enter);
    let d = load(c, &mut a);
    assert_eq!(d.detail.as_ref().map(|d| d.order.id), Some(2));
    insta::assert_snapshot!("detail_120x30", screen(&a, &d));
    press(&mut a, KeyCode::Esc);

    // The cancel confirmation over the Orders pane.
    let d = load(c, &mut a);
    press(&mut a, KeyCode::Char('x'));
    insta::assert_snapshot!("confirm_cancel_120x30", screen(&a, &d));
    press(&mut a, KeyCode::Esc);

    // A filter.
    press(&mut a, KeyCode::Char('/'));
    for ch in "status:allocated tee".chars() {
        press(&mut a, KeyCode::Char(ch));
    }
    let d = load(c, &mut a);
    insta::assert_snapshot!("orders_filtered_120x30", screen(&a, &d));
    press(&mut a, KeyCode::Esc);

    // Help.
    press(&mut a, KeyCode::Char('?'));
    let d = load(c, &mut a);
    insta::assert_snapshot!("help_120x30", screen(&a, &d));
    press(&mut a, KeyCode::Esc);

    for (key, name) in [
        ('2', "inventory_120x30"),
        ('4', "channels_120x30"),
        ('5', "rules_120x30"),
        ('6', "events_120x30"),
    ] {
        press(&mut a, KeyCode::Char(key));
        let d = load(c, &mut a);
        insta::assert_snapshot!(name, screen(&a, &d));
    }

    // The operator's zone (`[console] timezone = "America/Chicago"`): the events' times and
    // the header clock at 06:00 CST; then the detail's order time and history.
    a.zone = Zone::named("America/Chicago").unwrap();
    let d = load(c, &mut a);
    insta::assert_snapshot!("events_chicago_120x30", screen(&a, &d));
    press(&mut a, KeyCode::Char('1'));
    load(c, &mut a);
    press(&mut a, KeyCode::Enter);
    let d = load(c, &mut a);
    insta::assert_snapshot!("detail_chicago_120x30", screen(&a, &d));
    press(&mut a, KeyCode::Esc);
    a.zone = Zone::UTC;

    // Queues, with the held queue selected.
    press(&mut a, KeyCode::Char('3'));
    for _ in 0..4 {
        press(&mut a, KeyCode::Char('j'));
    }
    let d = load(c, &mut a);
    insta::assert_snapshot!("queues_held_120x30", screen(&a, &d));

    // 80x24: the narrow layouts.
    let mut a = app(80, 24);
    let d = load(c, &mut a);
    insta::assert_snapshot!("orders_80x24", screen(&a, &d));
    press(&mut a, KeyCode::Char('3'));
    let d = load(c, &mut a);
    insta::assert_snapshot!("queues_80x24", screen(&a, &d));
    press(&mut a, KeyCode::Char('1'));
    load(c, &mut a);
    press(&mut a, KeyCode::Enter);
    let d = load(c, &mut a);
    insta::assert_snapshot!("detail_80x24", screen(&a, &d));

    // Marks: orders 6 and 4 marked (the `*` column), the bulk cancel confirmation.
    let mut a = app(120, 30);
    load(c, &mut a);
    press(&mut a, KeyCode::Char(' '));
    press(&mut a, KeyCode::Char('j'));
    press(&mut a, KeyCode::Char('j'));
    press(&mut a, KeyCode::Char(' '));
    let d = load(c, &mut a);
    assert_eq!(a.marks.iter().copied().collect::<Vec<_>>(), vec![4, 6]);
    insta::assert_snapshot!("orders_marked_120x30", screen(&a, &d));
    press(&mut a, KeyCode::Char('x'));
    insta::assert_snapshot!("confirm_cancel_marked_120x30", screen(&a, &d));
    press(&mut a, KeyCode::Esc);
    press(&mut a, KeyCode::Esc);
    assert!(a.marks.is_empty());

    // The re-route picker for order 2 (TEE-M and MUG to Los Angeles): stock and distance.
    press(&mut a, KeyCode::Char('j'));
    press(&mut a, KeyCode::Char('j'));
    let d = load(c, &mut a);
    assert_eq!(a.target(), Some(2));
    press(&mut a, KeyCode::Char('r'));
    insta::assert_snapshot!("reroute_loading_120x30", screen(&a, &d));
    a.set_reroute_options(2, data::reroute_options(c, 2));
    press(&mut a, KeyCode::Char('j'));
    insta::assert_snapshot!("reroute_picker_120x30", screen(&a, &d));
    press(&mut a, KeyCode::Esc);

    // The ship input, the carrier field focused.
    press(&mut a, KeyCode::Char('s'));
    for ch in "1Z999AA1".chars() {
        press(&mut a, KeyCode::Char(ch));
    }
    press(&mut a, KeyCode::Tab);
    for ch in "ups".chars() {
        press(&mut a, KeyCode::Char(ch));
    }
    insta::assert_snapshot!("ship_input_120x30", screen(&a, &d));
    press(&mut a, KeyCode::Esc);

    // Sorted by total, highest first; the footer says so.
    for _ in 0..3 {
        press(&mut a, KeyCode::Char('S'));
    }
    let d = load(c, &mut a);
    insta::assert_snapshot!("orders_sorted_total_120x30", screen(&a, &d));

    // Stock adjust on Inventory: the input, then the confirmation with Cancel focused.
    press(&mut a, KeyCode::Char('2'));
    load(c, &mut a);
    press(&mut a, KeyCode::Char('j'));
    let d = load(c, &mut a);
    press(&mut a, KeyCode::Char('a'));
    press(&mut a, KeyCode::Char('7'));
    insta::assert_snapshot!("adjust_stock_120x30", screen(&a, &d));
    press(&mut a, KeyCode::Enter);
    insta::assert_snapshot!("confirm_adjust_stock_120x30", screen(&a, &d));
}

/// `[console.keys]` remaps show in the footer: `down = ["n", "down"]`, `hold = "H"`,
/// `sort = "o"`, `copy = []` (no key: no hint); the sort and marks prefix say their keys too.
#[tokio::test]
async fn remapped_keys_screen() {
    let f = fixture().await;
    let c = &f.client;
    let mut a = app(120, 30);
    let remaps: Vec<(String, Vec<String>)> = [
        ("down", vec!["n", "down"]),
        ("hold", vec!["H"]),
        ("sort", vec!["o"]),
        ("copy", vec![]),
    ]
    .into_iter()
    .map(|(n, k)| (n.to_string(), k.into_iter().map(String::from).collect()))
    .collect();
    a.keymap = ordo::console::app::keymap_with(&remaps);
    load(c, &mut a);
    press(&mut a, KeyCode::Char('n'));
    press(&mut a, KeyCode::Char(' '));
    press(&mut a, KeyCode::Char('o'));
    let d = load(c, &mut a);
    let text = screen(&a, &d);
    insta::assert_snapshot!("orders_remapped_keys_120x30", text);
}

fn channel(id: &str, kind: ChannelKind) -> ChannelConfig {
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
fn channels_hub() -> ChannelsHub {
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

#[tokio::test]
async fn channel_screens() {
    let f = fixture().await;
    let c = &f.client.clone().with_channels(Arc::new(channels_hub()));

    // 120x30: the failing channel selected, its whole error below the table.
    let mut a = app(120, 30);
    press(&mut a, KeyCode::Char('4'));
    load(c, &mut a);
    press(&mut a, KeyCode::Char('j'));
    press(&mut a, KeyCode::Char('j'));
    let d = load(c, &mut a);
    assert_eq!(a.selected_channel(), Some(("woo-eu", false)));
    insta::assert_snapshot!("channels_health_120x30", screen(&a, &d));

    // The same in the operator's zone, America/Chicago: 12:00 UTC is 06:00 CST; the header
    // clock, the next poll, the last attempt and success and the lag's "stored up to" follow.
    a.zone = Zone::named("America/Chicago").unwrap();
    insta::assert_snapshot!("channels_health_chicago_120x30", screen(&a, &d));
    a.zone = Zone::UTC;

    // 80x24: no KIND column, the header squeezed to fit the channel counter.
    let mut a = app(80, 24);
    press(&mut a, KeyCode::Char('4'));
    load(c, &mut a);
    press(&mut a, KeyCode::Char('j'));
    press(&mut a, KeyCode::Char('j'));
    let d = load(c, &mut a);
    insta::assert_snapshot!("channels_health_80x24", screen(&a, &d));

    // The paused channel selected: it says how to resume.
    press(&mut a, KeyCode::Char('g'));
    let d = load(c, &mut a);
    assert_eq!(a.selected_channel(), Some(("amazon-na", true)));
    insta::assert_snapshot!("channels_paused_80x24", screen(&a, &d));

    // The header counter shows on the other panes too.
    press(&mut a, KeyCode::Char('1'));
    let d = load(c, &mut a);
    insta::assert_snapshot!("orders_with_channels_80x24", screen(&a, &d));
}

/// Inventory with two channels' available-to-sell: `shop-us` offers everything, `woo-eu` holds
/// 2 units of every TEE back (a buffer). Each figure shows once per SKU, on its first row.
#[tokio::test]
async fn inventory_ats_screens() {
    let mut woo = channel("woo-eu", ChannelKind::Woocommerce);
    woo.buffers = vec![BufferRule {
        skus: "TEE-*".into(),
        buffer: Buffer {
            safety: 2,
            ..Buffer::default()
        },
    }];
    let f = fixture_with(&[channel("shop-us", ChannelKind::Shopify), woo]).await;
    let c = &f.client;
    let figures = c.available_to_sell(&["TEE-M", "MUG"]).unwrap();
    assert!(
        figures.contains(&("TEE-M".into(), "shop-us".into(), 11))
            && figures.contains(&("TEE-M".into(), "woo-eu".into(), 9)),
        "{figures:?}"
    );

    let mut a = app(120, 30);
    press(&mut a, KeyCode::Char('2'));
    let d = load(c, &mut a);
    insta::assert_snapshot!("inventory_ats_120x30", screen(&a, &d));

    // 80x24: SKU and LOCATION narrow to what the rows need, and both channels fit.
    let mut a = app(80, 24);
    press(&mut a, KeyCode::Char('2'));
    let d = load(c, &mut a);
    insta::assert_snapshot!("inventory_ats_80x24", screen(&a, &d));

    // 70 columns: one channel column fits, the header counts the other ("+1").
    let mut a = app(70, 24);
    press(&mut a, KeyCode::Char('2'));
    let d = load(c, &mut a);
    insta::assert_snapshot!("inventory_ats_70x24", screen(&a, &d));
}
