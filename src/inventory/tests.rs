//! The ATS formula: each buffer rule alone, their combination and order, the first matching SKU
//! pattern, the locations that serve a channel; and properties over any input.

use proptest::prelude::*;

use super::ats::{available_to_sell, channel_ats, serves, Buffer, BufferRule, ChannelBuffers};
use crate::model::{Location, LocationKind};

fn ats(available: i64, buffer: Buffer) -> i64 {
    available_to_sell(available, &buffer)
}

fn safety(units: i64) -> Buffer {
    Buffer {
        safety: units,
        ..Buffer::default()
    }
}

fn percent(p: u32) -> Buffer {
    Buffer {
        percent: Some(p),
        ..Buffer::default()
    }
}

fn max(units: i64) -> Buffer {
    Buffer {
        max: Some(units),
        ..Buffer::default()
    }
}

fn min(units: i64) -> Buffer {
    Buffer {
        min: Some(units),
        ..Buffer::default()
    }
}

fn location(id: &str, channels: &[&str]) -> Location {
    Location {
        id: id.to_owned(),
        name: id.to_owned(),
        kind: LocationKind::Warehouse,
        priority: None,
        lat: None,
        lon: None,
        tags: Vec::new(),
        channels: channels.iter().map(|c| (*c).to_owned()).collect(),
        daily_capacity: None,
    }
}

fn rule(skus: &str, buffer: Buffer) -> BufferRule {
    BufferRule {
        skus: skus.to_owned(),
        buffer,
    }
}

// ---- no buffer -----------------------------------------------------------------------------

#[test]
fn no_buffer_offers_the_whole_sum() {
    assert_eq!(ats(0, Buffer::default()), 0);
    assert_eq!(ats(17, Buffer::default()), 17);
    assert_eq!(ats(i64::MAX, Buffer::default()), i64::MAX);
}

#[test]
fn a_negative_sum_offers_nothing() {
    assert_eq!(ats(-5, Buffer::default()), 0);
    assert_eq!(ats(i64::MIN, Buffer::default()), 0);
    assert_eq!(ats(-5, percent(100)), 0);
    assert_eq!(ats(-5, min(0)), 0);
}

// ---- each rule alone -----------------------------------------------------------------------

#[test]
fn safety_units_are_held_back() {
    assert_eq!(ats(10, safety(0)), 10);
    assert_eq!(ats(10, safety(3)), 7);
    assert_eq!(ats(10, safety(10)), 0);
}

#[test]
fn safety_larger_than_available_offers_nothing_not_a_negative() {
    assert_eq!(ats(3, safety(5)), 0);
    assert_eq!(ats(0, safety(1)), 0);
    assert_eq!(ats(5, safety(i64::MAX)), 0);
}

#[test]
fn percent_rounds_down() {
    assert_eq!(ats(7, percent(50)), 3);
    assert_eq!(ats(10, percent(50)), 5);
    assert_eq!(ats(1, percent(99)), 0);
    assert_eq!(ats(99, percent(1)), 0);
    assert_eq!(ats(100, percent(1)), 1);
    assert_eq!(ats(3, percent(33)), 0);
    assert_eq!(ats(10, percent(33)), 3);
    assert_eq!(ats(199, percent(75)), 149); // 149.25
}

#[test]
fn percent_zero_offers_nothing_and_percent_hundred_everything() {
    assert_eq!(ats(0, percent(0)), 0);
    assert_eq!(ats(1_000, percent(0)), 0);
    assert_eq!(ats(0, percent(100)), 0);
    assert_eq!(ats(1_000, percent(100)), 1_000);
}

#[test]
fn percent_does_not_overflow_on_huge_amounts() {
    assert_eq!(ats(i64::MAX, percent(100)), i64::MAX);
    assert_eq!(ats(i64::MAX, percent(50)), i64::MAX / 2);
    assert_eq!(
        ats(i64::MAX, percent(99)),
        (i128::from(i64::MAX) * 99 / 100) as i64
    );
}

#[test]
fn max_caps() {
    assert_eq!(ats(50, max(20)), 20);
    assert_eq!(ats(20, max(20)), 20);
    assert_eq!(ats(5, max(20)), 5);
    assert_eq!(ats(5, max(0)), 0);
}

#[test]
fn below_min_pushes_zero() {
    assert_eq!(ats(4, min(5)), 0);
    assert_eq!(ats(5, min(5)), 5);
    assert_eq!(ats(6, min(5)), 6);
    assert_eq!(ats(0, min(1)), 0);
    assert_eq!(ats(3, min(0)), 3);
}

// ---- combinations, in the order ----------------------------------------------------

#[test]
fn safety_comes_before_percent() {
    // (10 - 2) at 50% = 4; the other order would be 10 at 50% - 2 = 3.
    let b = Buffer {
        safety: 2,
        percent: Some(50),
        ..Buffer::default()
    };
    assert_eq!(ats(10, b), 4);
    // (9 - 2) = 7 at 50% = 3.5, rounded down.
    assert_eq!(ats(9, b), 3);
}

#[test]
fn percent_comes_before_max() {
    // 100 at 50% = 50, capped at 30; the other order would be 30 at 50% = 15.
    let b = Buffer {
        percent: Some(50),
        max: Some(30),
        ..Buffer::default()
    };
    assert_eq!(ats(100, b), 30);
    assert_eq!(ats(40, b), 20);
}

#[test]
fn min_is_checked_last_after_the_cap() {
    // The cap brings 100 down to 3, which is below the minimum of 5: 0.
    let capped_below = Buffer {
        max: Some(3),
        min: Some(5),
        ..Buffer::default()
    };
    assert_eq!(ats(100, capped_below), 0);
    // After safety and percent: (12 - 2) at 50% = 5, not below 5.
    let b = Buffer {
        safety: 2,
        percent: Some(50),
        max: None,
        min: Some(5),
    };
    assert_eq!(ats(12, b), 5);
    // (11 - 2) at 50% = 4 is below 5, although 11 is not.
    assert_eq!(ats(11, b), 0);
}

#[test]
fn all_four_rules_together() {
    let b = Buffer {
        safety: 5,
        percent: Some(80),
        max: Some(40),
        min: Some(3),
    };
    // (100 - 5) = 95 at 80% = 76, capped at 40.
    assert_eq!(ats(100, b), 40);
    // (30 - 5) = 25 at 80% = 20.
    assert_eq!(ats(30, b), 20);
    // (9 - 5) = 4 at 80% = 3.2 -> 3, not below 3.
    assert_eq!(ats(9, b), 3);
    // (8 - 5) = 3 at 80% = 2.4 -> 2, below 3: 0.
    assert_eq!(ats(8, b), 0);
    // Safety takes everything.
    assert_eq!(ats(4, b), 0);
    assert_eq!(ats(-4, b), 0);
}

#[test]
fn values_the_config_refuses_do_not_panic() {
    assert_eq!(ats(10, safety(-3)), 10, "negative safety counts as 0");
    assert_eq!(ats(10, percent(250)), 10, "percent above 100 counts as 100");
    assert_eq!(ats(10, percent(u32::MAX)), 10);
    assert_eq!(ats(10, max(-1)), 0, "negative max counts as 0");
    assert_eq!(ats(10, min(-1)), 10);
    assert_eq!(ats(10, min(i64::MAX)), 0);
    // min above max: never reached, always 0.
    let b = Buffer {
        max: Some(5),
        min: Some(6),
        ..Buffer::default()
    };
    assert_eq!(ats(100, b), 0);
}

// ---- rules per SKU pattern -----------------------------------------------------------------

#[test]
fn first_matching_pattern_wins() {
    let set = ChannelBuffers::new(vec![
        rule("TSHIRT-XL", safety(1)),
        rule("TSHIRT-*", safety(2)),
        rule("*", safety(3)),
        rule("TSHIRT-M", safety(4)),
    ])
    .expect("valid");
    assert_eq!(set.for_sku("TSHIRT-XL"), safety(1));
    assert_eq!(
        set.for_sku("TSHIRT-M"),
        safety(2),
        "the later exact rule is shadowed"
    );
    assert_eq!(set.for_sku("MUG"), safety(3));
    assert_eq!(set.rules().len(), 4);
}

#[test]
fn a_sku_no_rule_matches_has_no_buffer() {
    let set = ChannelBuffers::new(vec![rule("MUG-*", percent(50))]).expect("valid");
    assert_eq!(set.for_sku("MUG-RED"), percent(50));
    assert_eq!(set.for_sku("TSHIRT-M"), Buffer::default());
    assert_eq!(ChannelBuffers::default().for_sku("X"), Buffer::default());
    assert_eq!(
        ChannelBuffers::new(Vec::new()).expect("empty").for_sku("X"),
        Buffer::default()
    );
}

#[test]
fn patterns_are_globs_over_the_whole_sku_case_sensitive() {
    let set = ChannelBuffers::new(vec![
        rule("MUG-{RED,BLUE}", safety(1)),
        rule("CAP-?", safety(2)),
        rule("SOCK-[0-9]*", safety(3)),
        rule("*/LIMITED", safety(4)),
        rule("LITERAL\\*", safety(5)),
    ])
    .expect("valid");
    assert_eq!(set.for_sku("MUG-RED"), safety(1));
    assert_eq!(set.for_sku("MUG-BLUE"), safety(1));
    assert_eq!(set.for_sku("MUG-GREEN"), Buffer::default());
    assert_eq!(set.for_sku("mug-red"), Buffer::default(), "case-sensitive");
    assert_eq!(set.for_sku("CAP-S"), safety(2));
    assert_eq!(set.for_sku("CAP-XL"), Buffer::default());
    assert_eq!(set.for_sku("SOCK-42-BLK"), safety(3));
    assert_eq!(set.for_sku("SOCK-X"), Buffer::default());
    assert_eq!(set.for_sku("A/B/LIMITED"), safety(4), "* crosses '/'");
    assert_eq!(set.for_sku("LITERAL*"), safety(5));
    assert_eq!(set.for_sku("LITERALX"), Buffer::default());
    // Whole SKU, not a substring.
    assert_eq!(set.for_sku("XMUG-RED"), Buffer::default());
}

#[test]
fn bad_patterns_are_refused_naming_the_rule() {
    let err = ChannelBuffers::new(vec![rule("*", safety(1)), rule("TSHIRT-[", safety(2))])
        .expect_err("invalid glob");
    assert!(
        err.starts_with("buffers[1].skus = \"TSHIRT-[\" is not a valid glob ("),
        "{err}"
    );
    assert!(err.ends_with("\"*\" for every SKU"), "{err}");
    let err = ChannelBuffers::new(vec![rule("", safety(1))]).expect_err("empty");
    assert_eq!(
        err,
        "buffers[0].skus is empty; write a glob such as \"TSHIRT-*\", an exact SKU, or \"*\" for every SKU"
    );
    assert_eq!(
        BufferRule::default(),
        rule("*", Buffer::default()),
        "the default rule covers every SKU with no buffer"
    );
}

#[test]
fn equal_sets_have_equal_rules() {
    let a = ChannelBuffers::new(vec![rule("A*", safety(1))]).expect("valid");
    let b = ChannelBuffers::new(vec![rule("A*", safety(1))]).expect("valid");
    let c = ChannelBuffers::new(vec![rule("A*", safety(2))]).expect("valid");
    assert_eq!(a, b);
    assert_ne!(a, c);
}

// ---- locations that serve the channel ------------------------------------------------------

#[test]
fn an_empty_channel_list_serves_every_channel() {
    let all = location("wh", &[]);
    assert!(serves(&all, "shopify"));
    assert!(serves(&all, "anything"));
    let some = location("store", &["shopify", "pos"]);
    assert!(serves(&some, "shopify"));
    assert!(serves(&some, "pos"));
    assert!(!serves(&some, "amazon"));
    assert!(!serves(&some, "Shopify"), "ids compare exactly");
}

#[test]
fn locations_that_do_not_serve_the_channel_are_left_out() {
    let wh = location("wh", &[]);
    let store = location("store", &["shopify", "pos"]);
    let fba = location("fba", &["amazon"]);
    let levels = || [(&wh, 10), (&store, 4), (&fba, 100)];
    let none = Buffer::default();
    assert_eq!(channel_ats(levels(), "shopify", &none), 14);
    assert_eq!(channel_ats(levels(), "pos", &none), 14);
    assert_eq!(channel_ats(levels(), "amazon", &none), 110);
    assert_eq!(channel_ats(levels(), "woo", &none), 10);
    // Then the buffer, on the sum: (14 - 2) at 50% = 6.
    let b = Buffer {
        safety: 2,
        percent: Some(50),
        ..Buffer::default()
    };
    assert_eq!(channel_ats(levels(), "shopify", &b), 6);
    // No locations: nothing.
    assert_eq!(channel_ats(std::iter::empty(), "shopify", &none), 0);
    // Only locations that do not serve it: nothing.
    assert_eq!(channel_ats([(&fba, 100)], "shopify", &none), 0);
}

#[test]
fn an_oversold_location_lowers_the_sum_and_the_sum_saturates() {
    let a = location("a", &[]);
    let b = location("b", &[]);
    let none = Buffer::default();
    assert_eq!(channel_ats([(&a, 10), (&b, -3)], "web", &none), 7);
    assert_eq!(channel_ats([(&a, 2), (&b, -3)], "web", &none), 0);
    assert_eq!(
        channel_ats([(&a, i64::MAX), (&b, i64::MAX)], "web", &none),
        i64::MAX
    );
}

// ---- properties ----------------------------------------------------------------------------

fn any_buffer() -> impl Strategy<Value = Buffer> {
    (
        0i64..1_000,
        proptest::option::of(0u32..=100),
        proptest::option::of(0i64..1_000),
        proptest::option::of(0i64..1_000),
    )
        .prop_map(|(safety, percent, max, min)| Buffer {
            safety,
            percent,
            max,
            min,
        })
}

/// Any value at all, including those the config refuses.
fn wild_buffer() -> impl Strategy<Value = Buffer> {
    (
        any::<i64>(),
        proptest::option::of(any::<u32>()),
        proptest::option::of(any::<i64>()),
        proptest::option::of(any::<i64>()),
    )
        .prop_map(|(safety, percent, max, min)| Buffer {
            safety,
            percent,
            max,
            min,
        })
}

proptest! {
    #[test]
    fn ats_is_between_zero_and_the_sum(available in -1_000i64..100_000, buffer in any_buffer()) {
        let got = available_to_sell(available, &buffer);
        prop_assert!(got >= 0, "{got}");
        prop_assert!(got <= available.max(0), "{got} > {available}");
    }

    #[test]
    fn ats_is_bounded_for_any_input(available in any::<i64>(), buffer in wild_buffer()) {
        let got = available_to_sell(available, &buffer);
        prop_assert!((0..=available.max(0)).contains(&got), "{got} for {available}");
    }

    #[test]
    fn ats_never_decreases_when_available_grows(
        a in -1_000i64..100_000,
        more in 0i64..10_000,
        buffer in any_buffer(),
    ) {
        let low = available_to_sell(a, &buffer);
        let high = available_to_sell(a + more, &buffer);
        prop_assert!(low <= high, "{low} at {a} > {high} at {}", a + more);
    }

    #[test]
    fn ats_is_monotone_for_any_buffer(
        a in any::<i64>(),
        b in any::<i64>(),
        buffer in wild_buffer(),
    ) {
        let (low, high) = (a.min(b), a.max(b));
        prop_assert!(available_to_sell(low, &buffer) <= available_to_sell(high, &buffer));
    }

    #[test]
    fn ats_of_a_sum_is_ats_of_the_serving_levels(
        levels in proptest::collection::vec((any::<bool>(), -50i64..1_000), 0..8),
        buffer in any_buffer(),
    ) {
        let serving = location("serving", &["web"]);
        let other = location("other", &["pos"]);
        let given: Vec<(&Location, i64)> = levels
            .iter()
            .map(|&(serves_web, n)| (if serves_web { &serving } else { &other }, n))
            .collect();
        let sum: i64 = levels.iter().filter(|(s, _)| *s).map(|(_, n)| n).sum();
        prop_assert_eq!(
            channel_ats(given, "web", &buffer),
            available_to_sell(sum, &buffer)
        );
    }
}
