//! `[[rules]]`: the shipped files' rules, and every mistake placed on its field's line.

use super::*;

/// Does `pattern` name at least one of `locations`? (Enough of the pattern language for the
/// shipped files: "*", "prefix*", "tag:NAME", exact ids; "$pickup" depends on the order.)
fn pattern_matches_some(pattern: &str, locations: &[Location]) -> bool {
    locations.iter().any(|l| {
        if pattern == "*" || pattern == "$pickup" {
            true
        } else if let Some(tag) = pattern.strip_prefix("tag:") {
            l.tags.iter().any(|t| t == tag)
        } else if let Some(prefix) = pattern.strip_suffix('*') {
            l.id.starts_with(prefix)
        } else {
            l.id == pattern
        }
    })
}

#[test]
fn default_rules_show_every_feature() {
    let c = Config::embedded_default();
    let set = c.rule_set();
    assert_eq!(set.on_unroutable(), OnUnroutable::Backorder);
    let names: Vec<&str> = set.rules().iter().map(|r| r.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "Store pickup",
            "High value review",
            "Fraud watch: gift cards",
            "Amazon from warehouses",
            "Default",
            "Drop-ship last resort",
        ]
    );
    let r = set.rules();
    let when = |i: usize| r[i].when.clone().unwrap_or_default();
    let strs = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();

    assert_eq!(when(0).ship_methods, ["pickup"]);
    assert_eq!(r[0].locations, ["$pickup"]);
    assert_eq!(r[0].split.as_deref(), Some("never"));

    assert_eq!(when(1).total_min, Some("1000.00".parse().expect("decimal")));
    assert_eq!(r[1].action.as_deref(), Some("hold"));
    assert_eq!(r[1].reason.as_deref(), Some("high value: review"));

    assert!(!when(2).skus_any.is_empty());
    assert_eq!(r[2].action.as_deref(), Some("hold"));
    assert!(r[2].reason.is_some());

    assert_eq!(when(3).channels, ["amazon"]);
    assert_eq!(r[3].locations, ["wh-*"]);
    assert_eq!(r[3].sort, Some(strs(&["fewest_splits", "closest"])));
    assert_eq!(r[3].split.as_deref(), Some("allowed"));

    assert!(r[4].when.is_none());
    assert_eq!(r[4].locations, ["wh-*", "store-*"]);
    assert_eq!(
        r[4].sort,
        Some(strs(&["fewest_splits", "closest", "priority"]))
    );
    assert_eq!(r[4].split.as_deref(), Some("allowed"));
    assert_eq!(r[4].max_distance_km, None);

    assert_eq!(r[5].locations, ["tag:dropship"]);
    assert_eq!(r[5].split.as_deref(), Some("partial"));

    // Every pattern names something that exists in that file, and only warehouses answer wh-*.
    for rule in r {
        for p in &rule.locations {
            assert!(
                pattern_matches_some(p, &c.locations),
                "{}: {p} matches nothing",
                rule.name
            );
        }
    }
    assert!(c
        .locations
        .iter()
        .filter(|l| l.id.starts_with("wh-"))
        .all(|l| l.kind == LocationKind::Warehouse));
    assert!(c
        .locations
        .iter()
        .filter(|l| l.tags.iter().any(|t| t == "dropship"))
        .all(|l| l.kind == LocationKind::Dropship));
}

#[test]
fn example_rules_name_existing_locations() {
    let path = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/config.example.toml"));
    let c = Config::load(path).expect("example loads");
    for rule in &c.rules {
        for p in &rule.locations {
            assert!(
                pattern_matches_some(p, &c.locations),
                "{}: {p} matches nothing",
                rule.name
            );
        }
    }
}

#[test]
fn no_rules_means_the_fallback_rule() {
    let c = ok("on_unroutable = \"hold\"\n");
    assert!(c.rules.is_empty());
    let set = c.rule_set();
    assert_eq!(set.len(), 1);
    assert_eq!(set.rules()[0].name, "Default");
    assert_eq!(set.rules()[0].locations, ["*"]);
    assert_eq!(set.on_unroutable(), OnUnroutable::Hold);
}

/// `WH` then three rules; the third is named "Default" and ends with `extra`.
fn three_rules(extra: &str) -> String {
    format!(
        "{WH}
[[rules]]
name = \"Pickup\"
when = {{ ship_methods = [\"pickup\"] }}
locations = [\"$pickup\"]
split = \"never\"

[[rules]]
name = \"Review\"
when = {{ total_min = \"1000.00\" }}
action = \"hold\"

[[rules]]
name = \"Default\"
locations = [\"*\"]
{extra}"
    )
}

#[test]
fn rule_unknown_key_names_the_rule() {
    // Lines: WH is 1-3, a blank line, Pickup 5-9, blank, Review 11-14, blank, Default from 16.
    assert_eq!(
        err(&three_rules("sprit = \"never\"\n")),
        "/x/ordo.toml:19: unknown key `sprit` in [[rules]] #3 (\"Default\"); expected one of: name, when, action, reason, locations, max_distance_km, split, sort; did you mean `split`?"
    );
    // Inside `when`, inline or as a sub-table.
    assert_eq!(
        err(&three_rules("when = { channel = [\"pos\"] }\n")),
        "/x/ordo.toml:19: unknown key `channel` in `when` of [[rules]] #3 (\"Default\"); expected one of: channels, countries, ship_methods, total_min, total_max, skus_any; did you mean `channels`?"
    );
    let s = err(&three_rules("[rules.when]\nship_method = [\"pickup\"]\n"));
    assert!(
        s.starts_with(
            "/x/ordo.toml:20: unknown key `ship_method` in `when` of [[rules]] #3 (\"Default\")"
        ),
        "{s}"
    );
    assert!(s.ends_with("did you mean `ship_methods`?"), "{s}");
    // A rule without a name is still numbered.
    let s = err("[[rules]]\nlocations = [\"*\"]\nprio = 1\n");
    assert!(
        s.starts_with(
            "/x/ordo.toml:3: unknown key `prio` in [[rules]] #1 (unnamed); expected one of: name,"
        ),
        "{s}"
    );
}

#[test]
fn rule_wrong_types_name_the_rule_and_field() {
    let cases: &[(&str, &str)] = &[
        (
            "split = 3\n",
            "/x/ordo.toml:19: rules[2] \"Default\": `split`: invalid type: integer `3`, expected a string",
        ),
        (
            "sort = \"closest\"\n",
            "/x/ordo.toml:19: rules[2] \"Default\": `sort`: invalid type: string \"closest\", expected a sequence; write a list in square brackets, e.g. [\"a\", \"b\"]",
        ),
        (
            "max_distance_km = \"50\"\n",
            "/x/ordo.toml:19: rules[2] \"Default\": `max_distance_km`: invalid type: string \"50\", expected f64",
        ),
        (
            "when = { total_min = 1000 }\n",
            "/x/ordo.toml:19: rules[2] \"Default\": `when.total_min`: 1000 is a number, not a string; write money as a decimal string, e.g. total_min = \"1000\"",
        ),
        (
            "when = { total_max = 99.5 }\n",
            "/x/ordo.toml:19: rules[2] \"Default\": `when.total_max`: 99.5 is a number, not a string; write money as a decimal string, e.g. total_max = \"99.5\"",
        ),
        (
            "\n[rules.when]\ntotal_min = \"12,50\"\n",
            "/x/ordo.toml:21: rules[2] \"Default\": `when.total_min`: \"12,50\" is not a decimal amount; write money as a decimal string, e.g. total_min = \"1000.00\"",
        ),
        (
            "when = { skus_any = [\"A\", 7] }\n",
            "/x/ordo.toml:19: rules[2] \"Default\": `when.skus_any[1]`: invalid type: integer `7`, expected a string",
        ),
    ];
    for (extra, want) in cases {
        assert_eq!(&err(&three_rules(extra)), want, "for {extra:?}");
    }
    let s = err("[[rules]]\nname = 5\nlocations = [\"*\"]\n");
    assert_eq!(
        s,
        "/x/ordo.toml:2: rules[0] (unnamed): `name`: invalid type: integer `5`, expected a string"
    );
    let e = Config::parse(&three_rules("split = 3\n"), Path::new(FILE)).unwrap_err();
    match e {
        ConfigError::WrongType { key, rule, .. } => {
            assert_eq!(
                (key.as_str(), rule.as_deref()),
                ("rules[2].split", Some("Default"))
            )
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        err("[[rules]]\nname = \"x\"\nlocations = \"*\"\n"),
        "/x/ordo.toml:3: rules[0] \"x\": `locations`: invalid type: string \"*\", expected a sequence; write a list in square brackets, e.g. [\"a\", \"b\"]"
    );
    assert_eq!(
        err("\n[rules]\nname = \"x\"\n"),
        "/x/ordo.toml:2: rules: invalid type: map, expected a sequence; write each entry as its own [[rules]] table (double brackets)"
    );
}

#[test]
fn rule_checks_point_at_the_field() {
    let cases: &[(&str, &str)] = &[
        (
            "sort = [\"closest\", \"nearest\"]\n",
            "/x/ordo.toml:19: rules[2] \"Default\": `sort[1]` is \"nearest\", not a sort key; use \"fewest_splits\", \"closest\", \"priority\" or \"most_stock\"",
        ),
        (
            "sort = [\n  \"closest\",\n  \"nearest\",\n]\n",
            "/x/ordo.toml:21: rules[2] \"Default\": `sort[1]` is \"nearest\", not a sort key; use \"fewest_splits\", \"closest\", \"priority\" or \"most_stock\"",
        ),
        (
            "split = \"sometimes\"\n",
            "/x/ordo.toml:19: rules[2] \"Default\": `split` is \"sometimes\"; use \"never\", \"allowed\" or \"partial\"",
        ),
        (
            "action = \"drop\"\n",
            "/x/ordo.toml:19: rules[2] \"Default\": `action` is \"drop\"; use \"route\" or \"hold\"",
        ),
        (
            "reason = \"why\"\n",
            "/x/ordo.toml:19: rules[2] \"Default\": `reason` is only used by hold rules; add action = \"hold\" or remove reason",
        ),
        (
            "max_distance_km = -1\n",
            "/x/ordo.toml:19: rules[2] \"Default\": `max_distance_km` is -1; it must be a distance in km, 0 or more",
        ),
        (
            "when = { total_min = \"10\", total_max = \"9.99\" }\n",
            "/x/ordo.toml:19: rules[2] \"Default\": `when.total_min` (10) is greater than when.total_max (9.99); no order could match",
        ),
    ];
    for (extra, want) in cases {
        assert_eq!(&err(&three_rules(extra)), want, "for {extra:?}");
    }
    // Patterns: the line of the pattern itself.
    assert_eq!(
        err("[[rules]]\nname = \"g\"\nlocations = [\n  \"*\",\n  \"dc-[ab\",\n]\n"),
        "/x/ordo.toml:5: rules[0] \"g\": `locations[1]` \"dc-[ab\" is not a valid glob: unclosed character class; missing ']'"
    );
    // Not written at all: the line of the rule's [[rules]].
    assert_eq!(
        err("\n[[rules]]\nlocations = [\"*\"]\n"),
        "/x/ordo.toml:2: rules[0] (unnamed): `name` is missing or empty; every rule needs a name (decisions report it)"
    );
    assert_eq!(
        err("[[rules]]\nname = \"a\"\nlocations = [\"*\"]\n\n[[rules]]\nname = \"b\"\nsplit = \"never\"\n"),
        "/x/ordo.toml:5: rules[1] \"b\": `locations` is missing or empty; a routing rule needs at least one pattern, e.g. [\"*\"]"
    );
    // A duplicate name: the second one's line.
    assert_eq!(
        err("[[rules]]\nname = \"a\"\nlocations = [\"*\"]\n[[rules]]\nname = \"a\"\nlocations = [\"*\"]\n"),
        "/x/ordo.toml:5: rules[1] \"a\": `name` is also the name of rule #1; names must be unique (decisions report them)"
    );
    // Inline rules (rules = [{...}]) are located too.
    assert_eq!(
        err("rules = [\n  { name = \"a\", locations = [\"*\"] },\n  { name = \"b\", locations = [\"*\"], split = \"no\" },\n]\n"),
        "/x/ordo.toml:3: rules[1] \"b\": `split` is \"no\"; use \"never\", \"allowed\" or \"partial\""
    );
    let e = Config::parse(&three_rules("split = \"x\"\n"), Path::new(FILE)).unwrap_err();
    assert_eq!(e.line(), Some(19));
    match e {
        ConfigError::Invalid { key, .. } => assert_eq!(key, "rules[2].split"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn exact_location_ids_must_be_configured() {
    let text = format!(
        "{WH}[[locations]]\nid = \"store-nyc\"\nkind = \"store\"\n\n[[rules]]\nname = \"Pickup\"\nlocations = [\"$pickup\"]\n\n[[rules]]\nname = \"Stores\"\nlocations = [\"store-*\", \"tag:retail\", \"store-nycc\"]\n"
    );
    assert_eq!(
        err(&text),
        "/x/ordo.toml:14: rules[1] \"Stores\": location `store-nycc` is not a configured location; did you mean `store-nyc`?"
    );
    let s = err(&format!(
        "{WH}[[rules]]\nname = \"Far\"\nlocations = [\"dropship-zeta\"]\n"
    ));
    assert_eq!(
        s,
        "/x/ordo.toml:6: rules[0] \"Far\": location `dropship-zeta` is not a configured location; the configured ids are: wh-east"
    );
    let s = err("[[rules]]\nname = \"Only\"\nlocations = [\"wh-east\"]\n");
    assert!(
        s.starts_with("/x/ordo.toml:3: rules[0] \"Only\": location `wh-east` is not a configured location; this file has no [[locations]]"),
        "{s}"
    );
    // Globs, tags and $pickup that match nothing are fine (a store may open later), and so are
    // channel ids before any [[channels]] exist (they come with the connectors).
    let c = ok(&format!(
        "{WH}[[rules]]\nname = \"a\"\nwhen = {{ channels = [\"amazon\", \"ebay\"] }}\nlocations = [\"store-*\", \"tag:nope\", \"$pickup\", \"x?\", \"wh-east\"]\n"
    ));
    assert_eq!(c.rules.len(), 1);
    assert!(c.channels.is_empty());
    // Hold rules' patterns are checked the same way.
    let s = err(&format!(
        "{WH}[[rules]]\nname = \"h\"\naction = \"hold\"\nlocations = [\"wh-eastt\"]\n"
    ));
    assert!(
        s.starts_with("/x/ordo.toml:7: rules[0] \"h\": location `wh-eastt`"),
        "{s}"
    );
}

#[test]
fn rule_problems_are_reported_in_file_order() {
    // A rule problem on line 6 comes before the console problem on line 9.
    let text = format!("{WH}\n[[rules]]\nname = \"a\"\nsplit = \"x\"\nlocations = [\"*\"]\n[console]\ntheme = \"neon\"\n");
    let s = err(&text);
    assert!(
        s.starts_with("/x/ordo.toml:7: rules[0] \"a\": `split`"),
        "{s}"
    );
    // Several problems in one rule: the first written.
    let s =
        err("[[rules]]\nname = \"a\"\nsort = [\"x\"]\nsplit = \"y\"\nlocations = [\"nowhere\"]\n");
    assert!(
        s.starts_with("/x/ordo.toml:3: rules[0] \"a\": `sort[0]`"),
        "{s}"
    );
}
