//! Every routing scenario under tests/fixtures/routing/ must give its `expect`, through the same
//! entry point as `ordo route --scenario FILE`. Files 01-06 are the reference examples; the
//! `case-*` files were written for this crate, each `origin` giving the hand computation from
//! scenarios.md that its `expect` comes from.

use std::path::{Path, PathBuf};

use ordo::routing::{run_scenario_file, run_scenario_str, ScenarioError};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/routing")
        .join(name)
}

fn check(name: &str) {
    let outcome = run_scenario_file(&fixture(name)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        outcome.matches_expect,
        Some(true),
        "{name}: {:?}\n{}",
        outcome.mismatches,
        outcome.decision.explain.summary().join("\n")
    );
    // Nothing is ever reported with 0 units, and reason is only for holds.
    assert!(
        outcome.decision.allocations.iter().all(|a| a.qty > 0),
        "{name}"
    );
    assert_eq!(
        outcome.decision.reason.is_some(),
        outcome.decision.status == ordo::routing::DecisionStatus::Held,
        "{name}"
    );
}

macro_rules! scenarios {
    ($($test:ident => $file:expr,)*) => {
        $(
            #[test]
            fn $test() {
                check($file);
            }
        )*

        const FILES: &[&str] = &[$($file),*];
    };
}

scenarios! {
    example_01_closest_dc_ships_the_whole_order => "01-closest-DC-ships-the-whole-order.json",
    example_02_no_dc_has_everything => "02-no-DC-has-everything.json",
    example_03_pickup_order_with_stock_at_the_store => "03-pickup-order-with-stock-at-the-store.json",
    example_04_high_value_goes_to_review => "04-high-value-goes-to-review.json",
    example_05_short_everywhere => "05-short-everywhere.json",
    example_06_amazon_order_cannot_use_the_shopify_only => "06-amazon-order-cannot-use-the-shopify-only.json",
    case_01_when_each_condition => "case-01-when-each-condition.json",
    case_02_when_empty_lists_are_absent => "case-02-when-empty-lists-are-absent.json",
    case_03_glob_class_and_question_mark => "case-03-glob-class-and-question-mark.json",
    case_04_tag_pattern => "case-04-tag-pattern.json",
    case_05_pickup_without_location_and_exact_id => "case-05-pickup-without-location-and-exact-id.json",
    case_06_location_channels => "case-06-location-channels.json",
    case_07_daily_capacity => "case-07-daily-capacity.json",
    case_08_max_distance_at_the_limit => "case-08-max-distance-at-the-limit.json",
    case_09_closest_ranks_unknown_distance_last => "case-09-closest-ranks-unknown-distance-last.json",
    case_10_ship_to_without_coordinates => "case-10-ship-to-without-coordinates.json",
    case_11_priority_ties_by_id_and_missing_priority_last => "case-11-priority-ties-by-id-and-missing-priority-last.json",
    case_12_closest_ties_by_id => "case-12-closest-ties-by-id.json",
    case_13_most_stock_reranks_per_line => "case-13-most-stock-reranks-per-line.json",
    case_14_most_stock_counts_each_sku_once => "case-14-most-stock-counts-each-sku-once.json",
    case_15_fewest_splits_prefers_one_farther_box => "case-15-fewest-splits-prefers-one-farther-box.json",
    case_16_per_line_fill_without_fewest_splits => "case-16-per-line-fill-without-fewest-splits.json",
    case_17_greedy_cover_most_missing_units_ties_by_rank => "case-17-greedy-cover-most-missing-units-ties-by-rank.json",
    case_18_partial_placing_nothing_falls_through => "case-18-partial-placing-nothing-falls-through.json",
    case_19_same_sku_lines_need_their_sum => "case-19-same-sku-lines-need-their-sum.json",
    case_20_greedy_fills_lines_in_line_order => "case-20-greedy-fills-lines-in-line-order.json",
    case_21_zero_quantity_lines_are_ignored => "case-21-zero-quantity-lines-are-ignored.json",
    case_22_partial_that_fills_everything_is_allocated => "case-22-partial-that-fills-everything-is-allocated.json",
    case_23_unroutable_defaults_to_backorder => "case-23-unroutable-defaults-to-backorder.json",
    case_24_default_sort => "case-24-default-sort.json",
    case_25_default_split_is_allowed => "case-25-default-split-is-allowed.json",
    case_26_pickup_store_short_falls_through => "case-26-pickup-store-short-falls-through.json",
    case_27_postal_code_places_the_ship_to => "case-27-postal-code-places-the-ship-to.json",
}

#[test]
fn every_fixture_is_listed() {
    let mut on_disk: Vec<String> = std::fs::read_dir(fixture(""))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json"))
        .collect();
    on_disk.sort();
    let mut listed: Vec<String> = FILES.iter().map(|s| s.to_string()).collect();
    listed.sort();
    assert_eq!(on_disk, listed);
}

#[test]
fn answer_has_the_step_10_shape() {
    let outcome = run_scenario_file(&fixture("02-no-DC-has-everything.json")).unwrap();
    let v = serde_json::to_value(&outcome).unwrap();
    let obj = v.as_object().unwrap();
    let mut keys: Vec<&str> = obj.keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "allocations",
            "explain",
            "matches_expect",
            "reason",
            "rule",
            "status"
        ]
    );
    assert_eq!(v["status"], "allocated");
    assert_eq!(v["rule"], "Split across DCs and stores");
    assert_eq!(v["reason"], serde_json::Value::Null);
    assert_eq!(v["matches_expect"], true);
    assert_eq!(v["allocations"].as_array().unwrap().len(), 2);
    // One explain entry per rule tried: pickup (skipped), review (skipped), one box (failed),
    // split (decided).
    let explain = v["explain"].as_array().unwrap();
    assert_eq!(explain.len(), 4);
    assert_eq!(explain[0]["result"], "skipped");
    assert_eq!(explain[0]["condition"], "ship_methods");
    assert_eq!(explain[2]["result"], "no_single_location");
    assert_eq!(explain[3]["result"], "placed");
    assert_eq!(explain[3]["applied"], true);
    assert_eq!(explain[3]["method"], "greedy_cover");
    let locs = explain[3]["locations"].as_array().unwrap();
    let brooklyn = locs
        .iter()
        .find(|l| l["location"] == "store-brooklyn")
        .unwrap();
    assert_eq!(brooklyn["verdict"], "ranked");
    assert_eq!(brooklyn["rank"], 1);
    let acme = locs.iter().find(|l| l["location"] == "ds-acme").unwrap();
    assert_eq!(acme["verdict"], "no_pattern_match");
}

#[test]
fn without_expect_there_is_no_matches_expect() {
    let text =
        std::fs::read_to_string(fixture("01-closest-DC-ships-the-whole-order.json")).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v.as_object_mut().unwrap().remove("expect");
    let outcome = run_scenario_str(&v.to_string(), "inline").unwrap();
    assert_eq!(outcome.matches_expect, None);
    let answer = serde_json::to_value(&outcome).unwrap();
    assert!(answer.get("matches_expect").is_none());
    assert_eq!(answer["rule"], "One box from the closest DC");
}

#[test]
fn a_wrong_expectation_is_reported() {
    let text = std::fs::read_to_string(fixture("05-short-everywhere.json")).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["expect"]["status"] = "allocated".into();
    v["expect"]["allocations"][0]["qty"] = 1.into();
    let outcome = run_scenario_str(&v.to_string(), "inline").unwrap();
    assert_eq!(outcome.matches_expect, Some(false));
    assert_eq!(outcome.mismatches.len(), 2, "{:?}", outcome.mismatches);
    assert!(outcome.mismatches[0].starts_with("status:"));
    assert!(outcome.mismatches[1].starts_with("allocations:"));
    let answer = serde_json::to_value(&outcome).unwrap();
    assert_eq!(answer["matches_expect"], false);
}

#[test]
fn errors_name_the_file_and_what_is_wrong() {
    let missing = run_scenario_file(Path::new("/nonexistent/scenario.json")).unwrap_err();
    assert!(matches!(missing, ScenarioError::Read { .. }));
    assert!(missing
        .to_string()
        .starts_with("/nonexistent/scenario.json: cannot read"));

    let bad_json = run_scenario_str("{\n  \"order\": ,\n}", "bad.json").unwrap_err();
    assert!(
        bad_json.to_string().starts_with("bad.json:2:"),
        "{bad_json}"
    );

    let no_order = run_scenario_str("{\"locations\": []}", "x.json").unwrap_err();
    assert!(
        no_order.to_string().contains("missing field `order`"),
        "{no_order}"
    );

    let bad_rule = r#"{"rules": [{"name": "A", "locations": ["*"]},
                                 {"name": "B", "locations": ["*"], "sort": ["nearest"]}],
                     "order": {"channel": "web", "total": "1.00", "lines": []}}"#;
    let e = run_scenario_str(bad_rule, "r.json").unwrap_err();
    assert_eq!(
        e.to_string(),
        "r.json: rules: rule #2 \"B\": `sort[0]` is \"nearest\", not a sort key; use \
         \"fewest_splits\", \"closest\", \"priority\" or \"most_stock\""
    );

    let typo = r#"{"rules": [{"name": "A", "locations": ["*"], "max_distance": 5}],
                  "order": {"channel": "web", "total": "1.00", "lines": []}}"#;
    let e = run_scenario_str(typo, "t.json").unwrap_err();
    assert!(
        e.to_string().contains("unknown field `max_distance`"),
        "{e}"
    );

    let float_money = r#"{"order": {"channel": "web", "total": 1.5, "lines": []}}"#;
    let e = run_scenario_str(float_money, "m.json").unwrap_err();
    assert!(matches!(e, ScenarioError::Parse { .. }), "{e}");

    let dup = r#"{"locations": [{"id": "a", "kind": "store"}, {"id": "a", "kind": "store"}],
                  "order": {"channel": "web", "total": "1.00", "lines": []}}"#;
    let e = run_scenario_str(dup, "d.json").unwrap_err();
    assert!(e.to_string().contains("locations[1]"), "{e}");

    let unknown_loc = r#"{"locations": [{"id": "a", "kind": "store"}],
                  "inventory": [{"sku": "X", "location": "b", "on_hand": 1}],
                  "order": {"channel": "web", "total": "1.00", "lines": []}}"#;
    let e = run_scenario_str(unknown_loc, "i.json").unwrap_err();
    assert!(e.to_string().contains("inventory[0]"), "{e}");
}
