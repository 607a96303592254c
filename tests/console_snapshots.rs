//! Whole console screens on ratatui's TestBackend, from a real store: orders, stock and events
//! go through the ledger, the console reads them through the client API exactly as it does
//! live, and each screen is compared with its insta snapshot. The clock is passed in and event
//! times are pinned, so every run draws the same screens (the store: `common/console_store.rs`).

#[path = "common/console_store.rs"]
mod console_store;

use std::sync::Arc;

use crossterm::event::KeyCode;
use ordo::console::data;
use ordo::console::ui;
use ordo::console::zone::Zone;
use ordo::inventory::{Buffer, BufferRule};
use ordo::model::ChannelKind;

use console_store::*;

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

/// The screen's lines, without the TestBackend's quotes and notes.
fn lines(screen: &str) -> Vec<String> {
    screen
        .lines()
        .map(|l| {
            let l = l.strip_prefix('"').unwrap_or(l);
            l.split("\" Hidden by")
                .next()
                .unwrap_or(l)
                .trim_end_matches('"')
                .to_string()
        })
        .collect()
}

/// The operator trial (issue 6): identifiers shown whole, or cut with `…`; ages in minutes;
/// shipped rows with their location. The numbers and actors are the real formats (Amazon's
/// 19 characters, a POS store's), set on the rows read from the store.
#[tokio::test]
async fn identifiers_are_whole_or_marked_cut() {
    use ordo::model::{Actor, Shipment};
    let f = fixture().await;
    let c = &f.client;
    for (w, h) in [(80, 24), (120, 30)] {
        let mut a = app(w, h);
        let mut d = load(c, &mut a);
        d.orders[0].channel_order.number = "111-6707662-0000051".into();
        d.orders[1].channel_order.number = "NYC-R000007".into();
        d.orders[2].channel_order.channel = "woocommerce".into();
        // A shipped order: its allocation left with the shipment.
        let o = d.orders.iter_mut().find(|o| o.id == 1).expect("order 1");
        let lines_shipped = std::mem::take(&mut o.allocations);
        o.shipments.push(Shipment {
            at: now(),
            carrier: "ups".into(),
            tracking: "1Z".into(),
            lines: lines_shipped,
        });
        // 30 seconds old: "<1m", never a figure in seconds that stops counting.
        d.orders[3].channel_order.created_at = now() - chrono::Duration::seconds(30);
        let s = screen(&a, &d);
        assert!(
            s.contains("111-6707662-0000051"),
            "{w}: Amazon number whole\n{s}"
        );
        assert!(s.contains("NYC-R000007"), "{w}: POS number whole\n{s}");
        // At 80 columns beside a 19-character number, CHANNEL gives back before CUSTOMER
        // goes under 12 cells: cut, and marked.
        let channel = if w >= 100 { "woocommerce" } else { "woocom…" };
        assert!(s.contains(channel), "{w}: channel\n{s}");
        assert!(s.contains("<1m"), "{w}: age in minutes\n{s}");
        assert!(!s.contains("30s"), "{w}: no seconds\n{s}");
        // The long customer name is cut with a sign, not silently.
        assert!(s.contains("Zoë 🚀 Ång"), "{s}");
        assert!(s.contains('…'), "{w}: a cut is marked\n{s}");
        if w >= 100 {
            let row = lines(&s)
                .into_iter()
                .find(|l| l.contains("Ada Lovelace"))
                .expect("order 1's row");
            assert!(
                row.contains("wh-east"),
                "shipped row shows its location: {row}"
            );
        }
    }
    // Events: the actor whole with room to spare.
    let mut a = app(120, 30);
    press(&mut a, KeyCode::Char('6'));
    let mut d = load(c, &mut a);
    d.events[0].actor = Actor::Channel("woocommerce".into());
    let s = screen(&a, &d);
    assert!(s.contains("channel:woocommerce "), "{s}");
}

/// At 80x24 the detail's Lines table fits (no row wraps), and at 110 the header does not wrap.
#[tokio::test]
async fn the_detail_fits_narrow_windows() {
    let f = fixture().await;
    let c = &f.client;
    for (w, h) in [(80, 24), (110, 30)] {
        let mut a = app(w, h);
        for _ in 0..4 {
            press(&mut a, KeyCode::Char('j'));
        }
        load(c, &mut a);
        press(&mut a, KeyCode::Enter);
        let d = load(c, &mut a);
        let ls = lines(&screen(&a, &d));
        let head = ls
            .iter()
            .position(|l| l.contains("SKU"))
            .expect("Lines header");
        assert!(ls[head].contains("SHIPPED"), "{w}: {}", ls[head]);
        assert!(
            ls[head + 1].trim_start().starts_with('1'),
            "{w}: {}",
            ls[head + 1]
        );
        let order = ls
            .iter()
            .position(|l| l.starts_with(" Order "))
            .expect("header");
        assert!(
            ls[order + 1].starts_with(" Ordered "),
            "{w}: {}",
            ls[order + 1]
        );
    }
}

/// `?` at 80x24: longer than the window, it scrolls with j/PgDn/G to its last line (j does
/// not close it), says how in its title, and any other key closes it.
#[tokio::test]
async fn help_scrolls_in_a_small_window() {
    let f = fixture().await;
    let c = &f.client;
    let mut a = app(80, 24);
    let d = load(c, &mut a);
    press(&mut a, KeyCode::Char('?'));
    let first = screen(&a, &d);
    assert!(first.contains("j/k PgDn/PgUp g/G scroll"), "{first}");
    assert!(
        !first.contains("Dialogs:"),
        "the end is below at first\n{first}"
    );
    press(&mut a, KeyCode::Char('j'));
    assert!(
        matches!(a.mode, ordo::console::app::Mode::Help),
        "j scrolls, not closes"
    );
    assert_ne!(screen(&a, &d), first, "j scrolled");
    press(&mut a, KeyCode::PageDown);
    press(&mut a, KeyCode::Char('G'));
    let end = screen(&a, &d);
    assert!(end.contains("Dialogs:"), "G shows the end\n{end}");
    assert!(
        end.contains("age:>2h"),
        "the filter's age term is listed\n{end}"
    );
    press(&mut a, KeyCode::Char('g'));
    assert_eq!(screen(&a, &d), first, "g back to the top");
    press(&mut a, KeyCode::Char('x'));
    assert!(
        matches!(a.mode, ordo::console::app::Mode::Normal),
        "x closes"
    );
    // Open again: from the top.
    press(&mut a, KeyCode::Char('?'));
    assert_eq!(screen(&a, &d), first);
}

/// The header says "reconnecting" when the read found the engine out of reach, never "live";
/// the cancel dialog's safe button says what it keeps; the sort says it sorts the screen.
#[tokio::test]
async fn header_dialog_and_sort_say_what_is_true() {
    let f = fixture().await;
    let c = &f.client;
    let mut a = app(120, 30);
    let mut d = load(c, &mut a);
    assert!(!d.offline, "in-process, the engine is always there");
    assert!(screen(&a, &d).contains("· live ·"));
    d.offline = true;
    let s = screen(&a, &d);
    assert!(
        s.contains("· reconnecting ·") && !s.contains("· live ·"),
        "{s}"
    );
    d.offline = false;
    press(&mut a, KeyCode::Char('x'));
    let s = screen(&a, &d);
    assert!(
        s.contains("> Keep order <") && s.contains("Cancel order"),
        "{s}"
    );
    assert!(!s.contains("> Cancel <"), "{s}");
    press(&mut a, KeyCode::Esc);
    for _ in 0..3 {
        press(&mut a, KeyCode::Char('S'));
    }
    let d = load(c, &mut a);
    assert!(screen(&a, &d).contains("sort (screen): total ↓"));
}
