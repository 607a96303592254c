//! The Channels pane's keys and drawing helpers, and the Inventory's channel columns.

use super::*;

/// Channels data as a read brings it: `a` polling, `b` paused.
fn channels_data() -> crate::console::data::Data {
    use crate::model::{ChannelHealth, ChannelKind};
    let mut d = crate::console::data::Data::empty(Pane::Channels);
    d.loaded = true;
    d.channels = [("a", false), ("b", true)]
        .iter()
        .map(|(id, paused)| ChannelHealth {
            id: id.to_string(),
            kind: Some(ChannelKind::Shopify),
            enabled: true,
            paused: *paused,
            state: if *paused { "paused" } else { "idle" }.into(),
            ..ChannelHealth::default()
        })
        .collect();
    d.rows = 2;
    d.total = Some(2);
    d
}

fn control(actions: &[Action]) -> Option<(String, crate::client::ChannelControl)> {
    match actions {
        [Action::ControlChannel { id, control }] => Some((id.clone(), *control)),
        _ => None,
    }
}

#[test]
fn p_toggles_pause_of_the_selected_channel_and_shift_p_polls_it() {
    use crate::client::ChannelControl;
    let mut a = app();
    assert!(refreshes(&a.handle_key(key('4'))));
    a.sync(&channels_data());
    assert_eq!(a.selected_channel(), Some(("a", false)));
    assert_eq!(
        control(&a.handle_key(key('p'))),
        Some(("a".into(), ChannelControl::Pause)),
        "a runs: p pauses it"
    );
    assert!(a.toast.as_ref().is_some_and(|t| t.text.contains("a")));
    a.handle_key(key('j'));
    assert_eq!(
        control(&a.handle_key(key('p'))),
        Some(("b".into(), ChannelControl::Resume)),
        "b is paused: p resumes it"
    );
    assert_eq!(
        control(&a.handle_key(key('P'))),
        Some(("b".into(), ChannelControl::PollNow))
    );
    // The next read says b runs again: p pauses it.
    let mut d = channels_data();
    d.channels[1].paused = false;
    a.sync(&d);
    assert_eq!(
        control(&a.handle_key(key('p'))),
        Some(("b".into(), ChannelControl::Pause))
    );
    // The command line names a channel, or takes the selected one.
    assert_eq!(
        control(&a.execute("pause a")),
        Some(("a".into(), ChannelControl::Pause))
    );
    assert_eq!(
        control(&a.execute("resume")),
        Some(("b".into(), ChannelControl::Resume))
    );
    assert_eq!(
        control(&a.execute("poll x")),
        Some(("x".into(), ChannelControl::PollNow))
    );
}

#[test]
fn p_elsewhere_sends_nothing() {
    let mut a = app();
    for pane in ['1', '2', '3', '5', '6'] {
        a.handle_key(key(pane));
        let before = a.pane;
        assert!(a.handle_key(key('p')).is_empty(), "pane {pane}");
        assert!(a.handle_key(key('P')).is_empty(), "pane {pane}");
        assert_eq!(a.pane, before);
        assert!(matches!(a.mode, Mode::Normal));
    }
    // In an order's detail: nothing either.
    a.handle_key(key('1'));
    a.handle_key(code(KeyCode::Enter));
    assert!(matches!(a.mode, Mode::Detail));
    assert!(a.handle_key(key('p')).is_empty());
    assert!(matches!(a.mode, Mode::Detail));
    // The Channels pane with no channel configured.
    a.handle_key(code(KeyCode::Esc));
    a.handle_key(key('4'));
    let mut d = crate::console::data::Data::empty(Pane::Channels);
    d.loaded = true;
    d.total = Some(0);
    a.sync(&d);
    assert!(a.handle_key(key('p')).is_empty());
    assert!(a.toast.as_ref().is_some_and(|t| t.error));
    assert!(a.execute("pause").is_empty());
    // Without a name, off the Channels pane, the command line says how.
    a.handle_key(key('1'));
    assert!(a.execute("poll").is_empty());
    assert!(a
        .toast
        .as_ref()
        .is_some_and(|t| t.text.contains("usage: :poll CHANNEL")));
}

#[test]
fn channel_keys_are_in_the_help_and_the_footer() {
    let a = app();
    let help = help_lines(&a.keymap);
    for cmd in [Cmd::PauseChannel, Cmd::PollChannel] {
        assert!(
            help.iter().any(|(_, what)| *what == cmd.describe()),
            "{cmd:?}"
        );
    }
    assert!(help.iter().any(|(k, _)| k == "p"));
    assert!(help.iter().any(|(k, _)| k == "P"));
    assert_eq!(complete("res").as_deref(), Some("resume "));
    assert_eq!(complete("pa").as_deref(), Some("pause "));
}

#[test]
fn control_replies_become_toasts() {
    use crate::client::ChannelControl;
    use crate::console::app::describe_control;
    let (text, error) = describe_control("shop", ChannelControl::Pause, &Ok(()));
    assert!(!error);
    assert!(text.starts_with("shop: polling paused"), "{text}");
    let (text, error) = describe_control(
        "shop",
        ChannelControl::PollNow,
        &Err("channel `shop` is not being polled (disabled, or not started)".into()),
    );
    assert!(error);
    assert_eq!(
        text,
        "shop: poll refused: channel `shop` is not being polled (disabled, or not started)"
    );
}

#[test]
fn channels_tick_only_on_the_channels_pane_with_channels() {
    use crate::console::channels_tick;
    use crate::console::data::Data;
    let mut a = app();
    let d = channels_data();
    assert!(!channels_tick(&a, &d), "Orders pane: no timer");
    a.handle_key(key('4'));
    assert!(channels_tick(&a, &d));
    assert!(
        !channels_tick(&a, &Data::empty(Pane::Channels)),
        "no channels, nothing changes"
    );
    let mut orders = Data::empty(Pane::Orders);
    orders.channels = d.channels.clone();
    assert!(!channels_tick(&a, &orders), "the pane's read is due anyway");
    a.handle_key(key('5'));
    assert!(!channels_tick(&a, &d));
}

#[test]
fn health_counts_failing_paused_and_off() {
    use crate::console::ui::health_counts;
    let mut d = channels_data();
    assert_eq!(health_counts(&d.channels), (1, 0, 1, 0));
    d.channels[0].consecutive_errors = 2;
    d.channels[1].enabled = false;
    assert_eq!(health_counts(&d.channels), (0, 1, 0, 1));
    d.channels[0].consecutive_errors = 0;
    d.channels[0].state = "failing".into();
    assert_eq!(health_counts(&d.channels), (0, 1, 0, 1));
}

#[test]
fn wrap_keeps_every_character_and_never_splits_a_wide_one() {
    use crate::console::ui::wrap;
    let width = |s: &str| ratatui::text::Span::raw(s).width();
    let text = "429 Too Many Requests: 李雷的店铺 超过了速率限制 🚀🚀🚀 retry-after=2.0\nhttps://example.com/a/very/long/path/that/does/not/fit/in/one/line";
    for max in [5, 7, 12, 30, 80] {
        let lines = wrap(text, max);
        for l in &lines {
            assert!(width(l) <= max, "{max}: {l:?} is {} wide", width(l));
        }
        let joined: String = lines
            .concat()
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        let want: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        assert_eq!(joined, want, "{max}: nothing lost");
    }
    assert_eq!(wrap("", 10), vec![String::new()]);
    assert_eq!(wrap("ab cd ef", 5), vec!["ab cd", "ef"]);
    assert_eq!(
        wrap("漢字漢", 5),
        vec!["漢字", "漢"],
        "a wide char moves on"
    );
}

#[test]
fn inventory_shows_the_channel_columns_that_fit_and_counts_the_others() {
    use crate::console::ui::{ats_title, inventory_layout};
    let titles = |ids: &[&str]| -> Vec<u16> { ids.iter().map(|id| ats_title(id).1).collect() };
    let two = titles(&["shop-us", "woo-eu"]);
    assert_eq!(ats_title("shop-us"), ("ATS shop-us".to_string(), 11));
    assert_eq!(
        ats_title("b"),
        ("  ATS b".to_string(), 7),
        "right-aligned, 7 wide at least"
    );
    let (long, w) = ats_title("shopify-europe-main");
    assert_eq!((long.as_str(), w), ("ATS shopify-e…", 14));
    // 120 columns: the full stock columns and both channels.
    let (cols, shown) = inventory_layout(120, 5, 9, &two);
    assert_eq!(cols[0], ("SKU".to_string(), 24));
    assert_eq!(shown, 2);
    // 80 columns: the compact columns, both channels with short SKUs and locations.
    let (cols, shown) = inventory_layout(80, 5, 9, &two);
    assert_eq!(cols[0], ("SKU".to_string(), 8));
    assert_eq!(shown, 2);
    // Long SKUs: one channel, room left for "+1".
    let (cols, shown) = inventory_layout(80, 16, 9, &two);
    assert_eq!(cols[0].1, 16);
    assert_eq!(shown, 1);
    let need = 1
        + cols.iter().map(|(_, w)| usize::from(*w) + 1).sum::<usize>()
        + usize::from(two[0])
        + 1
        + "+1".len();
    assert!(need <= 80, "{need}");
    // Too narrow for any.
    assert_eq!(inventory_layout(40, 24, 14, &two).1, 0);
    assert_eq!(inventory_layout(80, 5, 9, &[]).1, 0);
}

#[test]
fn channel_columns_fit_the_width() {
    use crate::console::ui::{channel_columns, Col};
    let need =
        |cols: &[(Col, u16)]| 1 + cols.iter().map(|(_, w)| usize::from(*w) + 1).sum::<usize>();
    let has = |cols: &[(Col, u16)], c: Col| cols.iter().any(|(x, _)| *x == c);
    let wide = channel_columns(120, 9);
    assert!(has(&wide, Col::Kind) && has(&wide, Col::Hooks));
    assert!(need(&wide) <= 120);
    let narrow = channel_columns(80, 9);
    assert!(!has(&narrow, Col::Kind) && !has(&narrow, Col::Hooks));
    assert!(has(&narrow, Col::Outbox) && has(&narrow, Col::PushP99));
    assert!(need(&narrow) <= 80, "{}", need(&narrow));
    // 100 columns with long ids: KIND goes rather than the table overflowing.
    let mid = channel_columns(100, 16);
    assert!(need(&mid) <= 100, "{}", need(&mid));
}

#[test]
fn latencies_and_narrow_states_read_short() {
    use crate::console::ui::{latency, state_label};
    assert_eq!(latency(None), "-");
    assert_eq!(latency(Some(38)), "38ms");
    assert_eq!(latency(Some(1240)), "1.2s");
    assert_eq!(latency(Some(23_500)), "23s");
    assert_eq!(latency(Some(150_000)), "2m");
    assert_eq!(state_label("retrying in 12.5 s", 18), "retrying in 12.5 s");
    assert_eq!(state_label("retrying in 12.5 s", 15), "retry 12.5 s");
    assert_eq!(state_label("failing", 8), "failing");
}
