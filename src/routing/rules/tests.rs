//! Rules: what compiles, the message of every mistake, and how patterns match.

use super::compile::Pattern;
use super::*;
use crate::model::Location;

fn rule(json: &str) -> Rule {
    serde_json::from_str(json).unwrap()
}

fn first_error(rules: Vec<Rule>) -> RuleError {
    RuleSet::new(rules, OnUnroutable::Backorder).unwrap_err()
}

#[test]
fn valid_rules_compile() {
    let rs = RuleSet::new(
        vec![
            rule(r#"{"name":"a","when":{"ship_methods":["pickup"]},"locations":["$pickup"],"split":"never","sort":["priority"]}"#),
            rule(r#"{"name":"b","when":{"total_min":"1000.00"},"action":"hold","reason":"high value"}"#),
            rule(r#"{"name":"c","locations":["*","tag:dc","store-*","dc-[ab]","*-x","exact"],"max_distance_km":0}"#),
        ],
        OnUnroutable::Hold,
    )
    .unwrap();
    assert_eq!(rs.len(), 3);
    assert_eq!(rs.on_unroutable(), OnUnroutable::Hold);
    match &rs.compiled[2].action {
        CompiledAction::Route(r) => {
            assert!(r.fewest_splits);
            assert_eq!(r.keys, vec![SortKey::Closest, SortKey::Priority]);
            assert_eq!(r.split, Split::Allowed);
            assert!(matches!(r.patterns[0], Pattern::Any));
            assert!(matches!(r.patterns[1], Pattern::Tag(_)));
            assert!(matches!(r.patterns[2], Pattern::Prefix(_)));
            assert!(matches!(r.patterns[3], Pattern::Glob(_)));
            assert!(matches!(r.patterns[4], Pattern::Suffix(_)));
            assert!(matches!(r.patterns[5], Pattern::Exact(_)));
        }
        _ => panic!("route rule expected"),
    }
}

#[test]
fn errors_name_rule_and_field() {
    let e = first_error(vec![
        rule(r#"{"name":"ok","locations":["*"]}"#),
        rule(r#"{"name":"Default","locations":["*"],"sort":["closest","nearest"]}"#),
    ]);
    assert_eq!((e.index, e.field.as_str()), (1, "sort[1]"));
    let text = e.to_string();
    assert!(text.starts_with("rule #2 \"Default\": `sort[1]`"), "{text}");
    assert!(text.contains("nearest"), "{text}");

    let cases: &[(&str, &str)] = &[
        (r#"{"name":"","locations":["*"]}"#, "name"),
        (r#"{"locations":["*"]}"#, "name"),
        (r#"{"name":"g","locations":["dc-[ab"]}"#, "locations[0]"),
        (r#"{"name":"t","locations":["tag:"]}"#, "locations[0]"),
        (
            r#"{"name":"p","locations":["store-$pickup"]}"#,
            "locations[0]",
        ),
        (r#"{"name":"v","locations":["$store"]}"#, "locations[0]"),
        (r#"{"name":"e","locations":[""]}"#, "locations[0]"),
        (
            r#"{"name":"m","when":{"total_min":"10","total_max":"9.99"},"locations":["*"]}"#,
            "when.total_min",
        ),
        (
            r#"{"name":"s","locations":["*"],"split":"sometimes"}"#,
            "split",
        ),
        (r#"{"name":"a","action":"drop"}"#, "action"),
        (
            r#"{"name":"d","locations":["*"],"max_distance_km":-1}"#,
            "max_distance_km",
        ),
        (r#"{"name":"r","locations":["*"],"reason":"why"}"#, "reason"),
        (r#"{"name":"l","split":"never"}"#, "locations"),
    ];
    for (json, field) in cases {
        let e = first_error(vec![rule(json)]);
        assert_eq!(e.field, *field, "{json}: {e}");
        assert_eq!(e.index, 0);
    }
    let e = first_error(vec![
        rule(r#"{"name":"x","locations":["*"]}"#),
        rule(r#"{"name":"x","locations":["*"]}"#),
    ]);
    assert_eq!((e.index, e.field.as_str()), (1, "name"));
}

#[test]
fn validate_rules_lists_every_problem() {
    let errs = validate_rules(&[
        rule(r#"{"name":"a","locations":["*"],"split":"x","sort":["y"]}"#),
        rule(r#"{"name":"b","locations":["*"]}"#),
        rule(r#"{"name":"c","action":"z"}"#),
    ]);
    let got: Vec<(usize, &str)> = errs.iter().map(|e| (e.index, e.field.as_str())).collect();
    assert_eq!(got, vec![(0, "split"), (0, "sort[0]"), (2, "action")]);
}

#[test]
fn hold_without_reason_uses_rule_name() {
    let rs = RuleSet::new(
        vec![rule(r#"{"name":"Review","action":"hold"}"#)],
        OnUnroutable::Backorder,
    )
    .unwrap();
    match &rs.compiled[0].action {
        CompiledAction::Hold { reason } => assert_eq!(reason, "Review"),
        _ => panic!(),
    }
}

#[test]
fn unknown_fields_and_bad_money_are_parse_errors() {
    assert!(serde_json::from_str::<Rule>(r#"{"name":"a","max_distance":5}"#).is_err());
    assert!(serde_json::from_str::<Rule>(r#"{"name":"a","when":{"channel":["x"]}}"#).is_err());
    assert!(serde_json::from_str::<Rule>(r#"{"name":"a","when":{"total_min":"abc"}}"#).is_err());
}

#[test]
fn rules_read_from_toml_with_the_same_fields() {
    #[derive(Deserialize)]
    struct Doc {
        rules: Vec<Rule>,
    }
    let doc: Doc = toml::from_str(
        r#"
[[rules]]
name = "Review large orders"
action = "hold"
reason = "high value"
when = { total_min = "2500.00", channels = ["shopify"] }

[[rules]]
name = "Near stores"
locations = ["store-*", "tag:dc"]
max_distance_km = 50.5
split = "partial"
sort = ["most_stock", "closest"]
"#,
    )
    .unwrap();
    assert_eq!(doc.rules.len(), 2);
    assert_eq!(
        doc.rules[0].when.as_ref().unwrap().total_min,
        Some("2500.00".parse().unwrap())
    );
    assert_eq!(doc.rules[1].max_distance_km, Some(50.5));
    RuleSet::new(doc.rules.clone(), OnUnroutable::Backorder).unwrap();
    // And back: TOML has no null, so absent fields must be skipped.
    for r in &doc.rules {
        let back: Rule = toml::from_str(&toml::to_string(r).unwrap()).unwrap();
        assert_eq!(&back, r);
    }
}

#[test]
fn patterns_match_whole_id_case_sensitively() {
    let loc = |id: &str, tags: &[&str]| Location {
        id: id.into(),
        name: id.into(),
        kind: crate::model::LocationKind::Store,
        priority: None,
        lat: None,
        lon: None,
        tags: tags.iter().map(|t| t.to_string()).collect(),
        channels: vec![],
        daily_capacity: None,
    };
    let m = |p: &str, id: &str| {
        Pattern::compile(p)
            .unwrap()
            .matches(&loc(id, &["dc"]), Some("pick"))
    };
    assert!(m("*", "anything"));
    assert!(m("store-*", "store-1"));
    assert!(!m("store-*", "Store-1"));
    assert!(!m("store-*", "my-store-1"));
    assert!(m("store-?", "store-1"));
    assert!(!m("store-?", "store-12"));
    assert!(m("dc-[ab]", "dc-a"));
    assert!(!m("dc-[ab]", "dc-c"));
    assert!(m("*-east", "dc-east"));
    assert!(!m("*-east", "dc-eastern"));
    assert!(m("dc-*-1", "dc-x-1"));
    assert!(m("exact", "exact"));
    assert!(!m("exact", "exact2"));
    assert!(!m("exact", "Exact"));
    assert!(m("tag:dc", "x"));
    assert!(!m("tag:DC", "x"));
    assert!(m("$pickup", "pick"));
    assert!(!m("$pickup", "other"));
    assert!(!Pattern::compile("$pickup")
        .unwrap()
        .matches(&loc("pick", &[]), None));
}
