//! Unit tests through `Config::parse` / `Config::load`: the exact messages users see.
//! tests/config_errors.rs checks the same mistakes through the binary.

use std::path::{Path, PathBuf};

use super::*;
use crate::model::LocationKind;
use crate::routing::When;

const FILE: &str = "/x/ordo.toml";

/// The error message for `text`, checked to be one line naming the file.
fn err(text: &str) -> String {
    match Config::parse(text, Path::new(FILE)) {
        Ok(c) => panic!("expected an error, got {c:?}"),
        Err(e) => {
            let s = e.to_string();
            assert!(!s.contains('\n'), "not one line: {s:?}");
            assert!(s.starts_with(FILE), "does not name the file: {s}");
            s
        }
    }
}

fn ok(text: &str) -> Config {
    match Config::parse(text, Path::new(FILE)) {
        Ok(c) => c,
        Err(e) => panic!("unexpected error: {e}"),
    }
}

/// A valid location block to build bad files around.
const WH: &str = "[[locations]]\nid = \"wh-east\"\nkind = \"warehouse\"\n";

// ---- sources ------------------------------------------------------------------------------

#[test]
fn embedded_default_is_valid() {
    let c = Config::embedded_default();
    assert_eq!(c.source, None);
    assert_eq!(c.data_dir, None);
    let count = |k| c.locations.iter().filter(|l| l.kind == k).count();
    assert!(count(LocationKind::Warehouse) >= 3);
    assert_eq!(count(LocationKind::Store), 2);
    assert_eq!(count(LocationKind::Dropship), 1);
    for l in &c.locations {
        assert!(
            l.lat.is_some() && l.lon.is_some(),
            "{} has no coordinates",
            l.id
        );
        if l.kind == LocationKind::Store {
            assert!(l.daily_capacity.is_some(), "{} has no capacity", l.id);
        }
    }
    let nyc = c.location("store-nyc").expect("store-nyc");
    assert_eq!(nyc.channels, ["shopify", "pos"]);
    assert!(nyc.serves("pos") && !nyc.serves("amazon"));
    let acme = c.location("dropship-acme").expect("dropship-acme");
    assert_eq!(acme.tags, ["dropship"]);
    let restricted = c
        .locations
        .iter()
        .filter(|l| !l.channels.is_empty())
        .count();
    assert_eq!(restricted, 1, "only one location limits its channels");
    assert!(c.channels.is_empty() && c.webhooks.is_none());
    assert_eq!(c.rules.len(), 6, "see default_rules_show_every_feature");
    assert_eq!(c.on_unroutable, OnUnroutable::Backorder);
    assert_eq!(c.store.cache_capacity_mb, 64);
    assert_eq!(Config::default(), c);
}

#[test]
fn example_config_loads() {
    let path = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/config.example.toml"));
    let c = match Config::load(path) {
        Ok(c) => c,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(c.source.as_deref(), Some(path));
    assert!(c.location("wh-east").is_some());
    assert_eq!(c.store, StoreConfig::default());
    assert_eq!(c.console, ConsoleConfig::default());
    // The documented rules section is real: every field and pattern kind appears in a rule.
    let set = c.rule_set();
    assert!(set.len() >= 6, "{:?}", set.rules());
    let patterns: Vec<&str> = c
        .rules
        .iter()
        .flat_map(|r| r.locations.iter().map(String::as_str))
        .collect();
    for p in ["*", "wh-east", "store-*", "tag:dropship", "$pickup"] {
        assert!(patterns.contains(&p), "{p} not shown");
    }
    assert!(c.rules.iter().any(|r| r.max_distance_km.is_some()));
    assert!(c.rules.iter().any(|r| r.action.as_deref() == Some("hold")));
    assert!(c.rules.iter().any(|r| r.action.as_deref() == Some("route")));
    let splits: Vec<&str> = c.rules.iter().filter_map(|r| r.split.as_deref()).collect();
    for s in ["never", "allowed", "partial"] {
        assert!(splits.contains(&s), "split {s} not shown");
    }
    let sorts: Vec<&str> = c
        .rules
        .iter()
        .flat_map(|r| r.sort.iter().flatten().map(String::as_str))
        .collect();
    for k in ["fewest_splits", "closest", "priority", "most_stock"] {
        assert!(sorts.contains(&k), "sort key {k} not shown");
    }
    let whens: Vec<&When> = c.rules.iter().filter_map(|r| r.when.as_ref()).collect();
    assert!(whens.iter().any(|w| !w.channels.is_empty()));
    assert!(whens.iter().any(|w| !w.countries.is_empty()));
    assert!(whens.iter().any(|w| !w.ship_methods.is_empty()));
    assert!(whens.iter().any(|w| w.total_min.is_some()));
    assert!(whens.iter().any(|w| w.total_max.is_some()));
    assert!(whens.iter().any(|w| !w.skus_any.is_empty()));
}

#[test]
fn empty_file_means_all_defaults() {
    let c = ok("");
    assert_eq!(c.source.as_deref(), Some(Path::new(FILE)));
    assert_eq!(c.store.cache_capacity_mb, 64);
    assert_eq!(c.inventory.default_safety_stock, 0);
    assert_eq!(c.on_unroutable, OnUnroutable::Backorder);
    assert_eq!(c.console.theme, "default");
    assert!(!c.console.mouse, "the mouse is off by default");
    assert!(c.locations.is_empty() && c.channels.is_empty() && c.rules.is_empty());
    assert_eq!(c.webhooks, None);
}

#[test]
fn every_key_is_read() {
    let c = ok(r#"
data_dir = "data"
on_unroutable = "hold"
[store]
cache_capacity_mb = 8
[inventory]
default_safety_stock = 2
[console]
theme = "light"
timezone = "Europe/Paris"
operator = "dana"
mouse = true
[[locations]]
id = "a"
kind = "store"
priority = 2
lat = 40
lon = -74.5
tags = ["t"]
channels = ["pos"]
daily_capacity = 0
[[locations]]
id = "b"
name = "Bee"
kind = "dropship"
[[channels]]
id = "pos"
kind = "woocommerce"
base_url = "https://pos.example.com"
consumer_key_env = "POS_KEY"
consumer_secret_env = "POS_SECRET"
[webhooks]
listen = "127.0.0.1:8787"
[[rules]]
name = "r"
when = { channels = ["pos"], countries = ["US"], ship_methods = ["ground"], total_min = "1", total_max = "2.50", skus_any = ["S"] }
locations = ["a", "tag:t", "b*", "$pickup"]
max_distance_km = 12.5
sort = ["most_stock"]
split = "partial"
[[rules]]
name = "h"
action = "hold"
reason = "why"
"#);
    assert_eq!(c.data_dir.as_deref(), Some(Path::new("data")));
    assert_eq!(c.on_unroutable, OnUnroutable::Hold);
    assert_eq!(c.store.cache_capacity_mb, 8);
    assert_eq!(c.inventory.default_safety_stock, 2);
    assert_eq!(c.console.theme, "light");
    assert_eq!(c.console.timezone.as_deref(), Some("Europe/Paris"));
    assert_eq!(c.console.operator.as_deref(), Some("dana"));
    assert!(c.console.mouse);
    let a = c.location("a").expect("a");
    assert_eq!(
        (
            a.name.as_str(),
            a.kind,
            a.priority,
            a.lat,
            a.lon,
            a.daily_capacity
        ),
        (
            "a",
            LocationKind::Store,
            Some(2),
            Some(40.0),
            Some(-74.5),
            Some(0)
        )
    );
    assert_eq!(
        (a.tags.clone(), a.channels.clone()),
        (vec!["t".into()], vec!["pos".into()])
    );
    let b = c.location("b").expect("b");
    assert_eq!((b.name.as_str(), b.priority, b.lat), ("Bee", None, None));
    assert_eq!(c.channels.len(), 1);
    assert_eq!(c.channels[0].id, "pos");
    assert_eq!(
        c.webhooks.as_ref().map(|w| w.listen.to_string()).as_deref(),
        Some("127.0.0.1:8787")
    );
    let want = Rule {
        name: "r".into(),
        when: Some(When {
            channels: vec!["pos".into()],
            countries: vec!["US".into()],
            ship_methods: vec!["ground".into()],
            total_min: Some("1".parse().expect("decimal")),
            total_max: Some("2.50".parse().expect("decimal")),
            skus_any: vec!["S".into()],
        }),
        action: None,
        reason: None,
        locations: vec!["a".into(), "tag:t".into(), "b*".into(), "$pickup".into()],
        max_distance_km: Some(12.5),
        split: Some("partial".into()),
        sort: Some(vec!["most_stock".into()]),
    };
    assert_eq!(c.rules[0], want);
    assert_eq!(
        (c.rules[1].action.as_deref(), c.rules[1].reason.as_deref()),
        (Some("hold"), Some("why"))
    );
    let set = c.rule_set();
    assert_eq!(set.len(), 2);
    assert_eq!(set.on_unroutable(), OnUnroutable::Hold);
    assert!(c.location("zzz").is_none());
}

#[test]
fn missing_file() {
    let e = Config::load(Path::new("/nonexistent/ordo.toml")).unwrap_err();
    assert_eq!(
        e.to_string(),
        "config file /nonexistent/ordo.toml: not found (create it from config.example.toml, or drop --config to use the defaults)"
    );
}

#[test]
fn unreadable_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let e = Config::load(dir.path()).unwrap_err();
    assert!(matches!(e, ConfigError::Unreadable { .. }), "{e:?}");
    let s = e.to_string();
    assert!(s.starts_with(&format!(
        "config file {}: cannot read it: ",
        dir.path().display()
    )));
    assert!(!s.contains('\n'));
}

#[test]
fn not_utf8() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("bad.toml");
    std::fs::write(&path, b"[store]\n\n# caf\xe9\n").expect("write");
    let e = Config::load(&path).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "{}:3: TOML syntax error: the file is not valid UTF-8 text; save it as UTF-8",
            path.display()
        )
    );
}

#[test]
fn discover_prefers_explicit_then_user_file_then_defaults() {
    let dir = tempfile::tempdir().expect("tempdir");
    let user = dir.path().join("config.toml");
    let explicit = dir.path().join("explicit.toml");

    // Nothing anywhere: the embedded defaults.
    let c = Config::discover_in(None, Some(&user)).expect("defaults");
    assert_eq!(c, Config::embedded_default());
    let c = Config::discover_in(None, None).expect("defaults");
    assert_eq!(c.source, None);

    // A user file exists: it is used.
    std::fs::write(&user, "on_unroutable = \"hold\"\n").expect("write");
    let c = Config::discover_in(None, Some(&user)).expect("user");
    assert_eq!(
        (c.source.as_deref(), c.on_unroutable.as_str()),
        (Some(&*user), "hold")
    );

    // An explicit file that is missing is an error, even with a user file around.
    let e = Config::discover_in(Some(&explicit), Some(&user)).unwrap_err();
    assert!(matches!(e, ConfigError::NotFound { .. }), "{e:?}");
    std::fs::write(&explicit, "").expect("write");
    let c = Config::discover_in(Some(&explicit), Some(&user)).expect("explicit");
    assert_eq!(c.source.as_deref(), Some(&*explicit));
}

#[test]
fn data_dir_precedence() {
    let project = || Some(PathBuf::from("/home/u/.local/share/ordo"));
    let home = Some(Path::new("/home/u"));
    let mut c = ok("data_dir = \"state\"");
    c.source = Some(PathBuf::from("/etc/ordo/ordo.toml"));

    let flag = Path::new("/flag");
    assert_eq!(c.resolve_data_dir_in(Some(flag), project(), home), flag);
    assert_eq!(
        c.resolve_data_dir_in(None, project(), home),
        Path::new("/etc/ordo/state")
    );
    c.data_dir = Some(PathBuf::from("/abs/data"));
    assert_eq!(
        c.resolve_data_dir_in(None, project(), home),
        Path::new("/abs/data")
    );
    c.data_dir = Some(PathBuf::from("~/ordo"));
    assert_eq!(
        c.resolve_data_dir_in(None, project(), home),
        Path::new("/home/u/ordo")
    );
    // A relative file name has an empty parent: the path stays relative to the working folder.
    c.data_dir = Some(PathBuf::from("state"));
    c.source = Some(PathBuf::from("ordo.toml"));
    assert_eq!(
        c.resolve_data_dir_in(None, project(), home),
        Path::new("state")
    );

    c.data_dir = None;
    assert_eq!(
        c.resolve_data_dir_in(None, project(), home),
        Path::new("/home/u/.local/share/ordo")
    );
    assert_eq!(
        c.resolve_data_dir_in(None, None, None),
        Path::new("./ordo-data")
    );
}

// ---- syntax -------------------------------------------------------------------------------

#[test]
fn syntax_error_names_line_without_toml_excerpt() {
    let s = err("[store]\ncache_capacity_mb = 64\n\n[[locations]\nid = \"a\"\n");
    assert!(s.starts_with("/x/ordo.toml:4: TOML syntax error: "), "{s}");
    assert!(s.contains("invalid table header"), "{s}");
    assert!(
        !s.contains("TOML parse error") && !s.contains('|') && !s.contains('^'),
        "{s}"
    );

    let s = err("a = \"unterminated\n");
    assert!(s.starts_with("/x/ordo.toml:1: TOML syntax error: "), "{s}");
    let s = err("[store]\ncache_capacity_mb = 1\ncache_capacity_mb = 2\n");
    assert!(
        s.starts_with("/x/ordo.toml:3: TOML syntax error: duplicate key"),
        "{s}"
    );
}

// ---- unknown keys -------------------------------------------------------------------------

#[test]
fn unknown_key_in_second_location() {
    let text = "\
# header comment
on_unroutable = \"backorder\"

[[locations]]
id = \"wh-east\"
kind = \"warehouse\"
priority = 1

[[locations]]
id = \"wh-west\"
kind = \"warehouse\"
prority = 2
";
    assert_eq!(
        err(text),
        "/x/ordo.toml:12: unknown key `prority` in [[locations]] #2; expected one of: id, name, kind, priority, lat, lon, tags, channels, daily_capacity; did you mean `priority`?"
    );
}

#[test]
fn unknown_key_elsewhere() {
    assert_eq!(
        err("on_unroutable = \"hold\"\ncolour = 1\n"),
        "/x/ordo.toml:2: unknown key `colour` at the top level; expected one of: data_dir, on_unroutable, store, inventory, locations, channels, webhooks, rules, console"
    );
    assert_eq!(
        err("[store]\ncache_capacity = 64\n"),
        "/x/ordo.toml:2: unknown key `cache_capacity` in [store]; expected one of: cache_capacity_mb; did you mean `cache_capacity_mb`?"
    );
    let s = err("[console]\ntheme = \"light\"\ntimezon = \"UTC\"\n");
    assert!(s.starts_with("/x/ordo.toml:3: unknown key `timezon` in [console]; expected one of: theme, timezone, operator, mouse, keys; did you mean `timezone`?"), "{s}");
    let s = err("[inventory]\nsafety_stock = 1\n");
    assert!(
        s.starts_with("/x/ordo.toml:2: unknown key `safety_stock` in [inventory]"),
        "{s}"
    );
    // A sub-table of a location is an unknown key of that location.
    let s = err(&format!(
        "{WH}[[locations]]\nid = \"b\"\nkind = \"store\"\n[locations.extra]\nq = 1\n"
    ));
    assert!(
        s.starts_with("/x/ordo.toml:7: unknown key `extra` in [[locations]] #2"),
        "{s}"
    );
    // Inline tables and quoted keys.
    let s = err("locations = [\n  { id = \"a\", kind = \"store\", \"odd key\" = 1 },\n]\n");
    assert!(
        s.starts_with("/x/ordo.toml:2: unknown key `\"odd key\"` in [[locations]] #1"),
        "{s}"
    );
}

// ---- wrong types --------------------------------------------------------------------------

#[test]
fn wrong_type() {
    assert_eq!(
        err("# comment\non_unroutable = \"hold\"\n\n[store]\ncache_capacity_mb = \"big\"\n"),
        "/x/ordo.toml:5: store.cache_capacity_mb: invalid type: string \"big\", expected u64"
    );
    let s = err(&format!(
        "{WH}[[locations]]\nid = \"b\"\nkind = \"store\"\nlat = \"40.1\"\nlon = 3\n"
    ));
    assert!(
        s.starts_with("/x/ordo.toml:7: locations[1].lat: invalid type: string \"40.1\""),
        "{s}"
    );
    let s = err(&format!("{WH}tags = [\"a\",\n  3]\n"));
    assert!(
        s.starts_with("/x/ordo.toml:5: locations[0].tags[1]: invalid type: integer `3`"),
        "{s}"
    );
    let s = err("store.cache_capacity_mb = -1\n");
    assert!(
        s.starts_with("/x/ordo.toml:1: store.cache_capacity_mb: invalid value: integer `-1`"),
        "{s}"
    );
    let s = err("[console]\nmouse = \"yes\"\n");
    assert!(
        s.starts_with(
            "/x/ordo.toml:2: console.mouse: invalid type: string \"yes\", expected a boolean"
        ),
        "{s}"
    );
    let s = err("data_dir = 5\n");
    assert!(
        s.starts_with("/x/ordo.toml:1: data_dir: invalid type: integer `5`, expected a string"),
        "{s}"
    );
    let s = err("store = 5\n");
    assert!(
        s.starts_with(
            "/x/ordo.toml:1: store: invalid type: integer `5`, expected a table, e.g. [store]"
        ),
        "{s}"
    );
    assert_eq!(
        err(&format!("{WH}tags = \"x\"\n")),
        "/x/ordo.toml:4: locations[0].tags: invalid type: string \"x\", expected a sequence; write a list in square brackets, e.g. [\"a\", \"b\"]"
    );
    let s = err(&format!("{WH}priority = 1.5\n"));
    assert!(
        s.starts_with("/x/ordo.toml:4: locations[0].priority: invalid type: floating point `1.5`"),
        "{s}"
    );
}

#[test]
fn single_bracket_locations_gets_a_hint() {
    assert_eq!(
        err("\n[locations]\nid = \"a\"\n"),
        "/x/ordo.toml:2: locations: invalid type: map, expected a sequence; write each entry as its own [[locations]] table (double brackets)"
    );
}

// ---- impossible values --------------------------------------------------------------------

#[test]
fn duplicate_location_id_names_both_lines() {
    let text = format!("{WH}\n[[locations]]\nid = \"wh-west\"\nkind = \"warehouse\"\n\n[[locations]]\nid = \"wh-east\"\nkind = \"store\"\n");
    assert_eq!(
        err(&text),
        "/x/ordo.toml:10: locations[2].id = \"wh-east\" is already used by locations[0] at line 2; location ids must be unique"
    );
}

#[test]
fn latitude_out_of_range() {
    let text = "\
[[locations]]
id = \"wh-east\"
kind = \"warehouse\"
lat = 40
lon = -74

[[locations]]
id = \"wh-west\"
lat = 200
lon = -119.8
kind = \"warehouse\"
";
    assert_eq!(
        err(text),
        "/x/ordo.toml:9: locations[1].lat = 200 is out of range; a latitude is between -90 and 90"
    );
}

#[test]
fn impossible_location_values() {
    let cases: &[(&str, &str)] = &[
        (
            "lat = 10\nlon = -180.5\n",
            "/x/ordo.toml:5: locations[0].lon = -180.5 is out of range; a longitude is between -180 and 180",
        ),
        (
            "lat = nan\nlon = 1\n",
            "/x/ordo.toml:4: locations[0].lat = NaN is out of range; a latitude is between -90 and 90",
        ),
        (
            "lat = 10\n",
            "/x/ordo.toml:4: locations[0] has lat but no lon; give both (decimal degrees) or neither",
        ),
        (
            "lon = 10\n",
            "/x/ordo.toml:4: locations[0] has lon but no lat; give both (decimal degrees) or neither",
        ),
        (
            "priority = 0\n",
            "/x/ordo.toml:4: locations[0].priority = 0 is out of range; use a whole number from 1 (the most preferred) to 4294967295, or remove it to rank the location after those that have one",
        ),
        (
            "priority = -3\n",
            "/x/ordo.toml:4: locations[0].priority = -3 is out of range; use a whole number from 1 (the most preferred) to 4294967295, or remove it to rank the location after those that have one",
        ),
        (
            "daily_capacity = -1\n",
            "/x/ordo.toml:4: locations[0].daily_capacity = -1 is out of range; use a number of orders per day from 0 to 4294967295, or remove it for no limit",
        ),
        (
            "name = \"  \"\n",
            "/x/ordo.toml:4: locations[0].name is empty; give a display name, or remove the key to show the id",
        ),
        (
            "channels = [\"pos\", \"\"]\n",
            "/x/ordo.toml:4: locations[0].channels has an empty channel name; remove it",
        ),
    ];
    for (extra, want) in cases {
        assert_eq!(&err(&format!("{WH}{extra}")), want, "for {extra:?}");
    }
}

#[test]
fn bad_location_ids_and_kinds() {
    let cases: &[(&str, &str)] = &[
        (
            "[[locations]]\nid = \"\"\nkind = \"store\"\n",
            "/x/ordo.toml:2: locations[0].id is empty; give the location a short id such as \"wh-east\"",
        ),
        (
            "[[locations]]\nid = \"wh east\"\nkind = \"store\"\n",
            "/x/ordo.toml:2: locations[0].id = \"wh east\" contains ' '; ids may only use letters, digits, '.', '_' and '-', e.g. \"wh-east\"",
        ),
        (
            "[[locations]]\nid = \"wh/\\n\"\nkind = \"store\"\n",
            "/x/ordo.toml:2: locations[0].id = \"wh/\\n\" contains '/'; ids may only use letters, digits, '.', '_' and '-', e.g. \"wh-east\"",
        ),
        (
            "\n[[locations]]\nkind = \"store\"\n",
            "/x/ordo.toml:2: locations[0]: missing key `id`; every location needs one, e.g. id = \"wh-east\"",
        ),
        (
            "[[locations]]\nid = \"a\"\nkind = \"shop\"\n",
            "/x/ordo.toml:3: locations[0].kind = \"shop\" is not a location kind; use \"warehouse\", \"store\" or \"dropship\"",
        ),
        (
            "[[locations]]\nid = \"a\"\n",
            "/x/ordo.toml:1: locations[0]: missing key `kind`; add kind = \"warehouse\", \"store\" or \"dropship\"",
        ),
    ];
    for (text, want) in cases {
        assert_eq!(&err(text), want, "for {text:?}");
    }
}

#[test]
fn impossible_top_level_values() {
    let cases: &[(&str, &str)] = &[
        (
            "[store]\ncache_capacity_mb = 0\n",
            "/x/ordo.toml:2: store.cache_capacity_mb = 0 is too small; the cache needs at least 1 (MiB), the default is 64",
        ),
        (
            "[store]\ncache_capacity_mb = 68719476736\n",
            "/x/ordo.toml:2: store.cache_capacity_mb = 68719476736 is too large; the size is in MiB (not bytes), at most 1048576 (1 TiB)",
        ),
        (
            "[inventory]\ndefault_safety_stock = -5\n",
            "/x/ordo.toml:2: inventory.default_safety_stock = -5 is negative; use 0 (the default) or more units held back from every channel",
        ),
        (
            "on_unroutable = \"drop\"\n",
            "/x/ordo.toml:1: on_unroutable = \"drop\" is not allowed; use \"backorder\" (the default: keep the order and wait for stock) or \"hold\" (stop it for an operator)",
        ),
        (
            "[console]\ntheme = \"dark\"\n",
            "/x/ordo.toml:2: console.theme = \"dark\" is not a theme; use \"default\" or \"light\"",
        ),
        (
            "data_dir = \"\"\n",
            "/x/ordo.toml:1: data_dir is empty; remove it to use the default data folder, or give a path",
        ),
    ];
    for (text, want) in cases {
        assert_eq!(&err(text), want, "for {text:?}");
    }
}

#[test]
fn first_problem_in_the_file_is_reported() {
    // The location problem (line 4) comes before the store problem (line 8), although the store
    // is checked first.
    let text = format!("{WH}priority = 0\n\n[store]\n\ncache_capacity_mb = 0\n");
    let s = err(&text);
    assert!(
        s.starts_with("/x/ordo.toml:4: locations[0].priority"),
        "{s}"
    );
}

#[test]
fn error_accessors() {
    let e = Config::parse("[store]\ncache_capacity_mb = 0\n", Path::new(FILE)).unwrap_err();
    assert_eq!((e.file(), e.line()), (Path::new(FILE), Some(2)));
    match e {
        ConfigError::Invalid { key, .. } => assert_eq!(key, "store.cache_capacity_mb"),
        other => panic!("{other:?}"),
    }
}

// ---- rules -------------------------------------------------------------------------------

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

fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, text).expect("write");
    path
}

#[test]
fn load_rules_from_a_rules_only_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Exact ids are not checked: there are no [[locations]] to check them against.
    let path = write(
        &dir,
        "rules.toml",
        "on_unroutable = \"hold\"\n\n[[rules]]\nname = \"East\"\nlocations = [\"wh-east\"]\nsplit = \"never\"\n\n[[rules]]\nname = \"Rest\"\nlocations = [\"*\"]\n",
    );
    let (rules, on_unroutable) = Config::load_rules(&path).expect("rules");
    assert_eq!(on_unroutable, OnUnroutable::Hold);
    let names: Vec<&str> = rules.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["East", "Rest"]);
    assert_eq!(rules[0].locations, ["wh-east"]);
    // The free function is the same thing.
    assert_eq!(load_rules(&path).expect("rules").0, rules);
    crate::routing::RuleSet::new(rules, on_unroutable).expect("valid");

    // Everything else is checked as in a config, with file and line.
    let bad = write(
        &dir,
        "bad.toml",
        "[[rules]]\nname = \"Rest\"\nlocations = [\"*\"]\nsort = [\"nearest\"]\n",
    );
    let e = Config::load_rules(&bad).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "{}:4: rules[0] \"Rest\": `sort[0]` is \"nearest\", not a sort key; use \"fewest_splits\", \"closest\", \"priority\" or \"most_stock\"",
            bad.display()
        )
    );
    let bad = write(
        &dir,
        "typo.toml",
        "[[rules]]\nname = \"R\"\nlocation = [\"*\"]\n",
    );
    let s = Config::load_rules(&bad).unwrap_err().to_string();
    assert!(
        s.starts_with(&format!(
            "{}:3: unknown key `location` in [[rules]] #1 (\"R\")",
            bad.display()
        )),
        "{s}"
    );
    assert!(s.ends_with("did you mean `locations`?"), "{s}");

    // With [[locations]] the ids are checked again.
    let with_locations = write(
        &dir,
        "with.toml",
        &format!("{WH}\n[[rules]]\nname = \"West\"\nlocations = [\"wh-west\"]\n"),
    );
    let s = Config::load_rules(&with_locations).unwrap_err().to_string();
    assert_eq!(
        s,
        format!(
            "{}:7: rules[0] \"West\": location `wh-west` is not a configured location; did you mean `wh-east`?",
            with_locations.display()
        )
    );

    // Only on_unroutable: the default rule, as a config without rules would route.
    let none = write(&dir, "none.toml", "on_unroutable = \"backorder\"\n");
    let (rules, on_unroutable) = Config::load_rules(&none).expect("rules");
    assert_eq!(
        (rules.len(), rules[0].name.as_str(), on_unroutable),
        (1, "Default", OnUnroutable::Backorder)
    );

    let missing = dir.path().join("missing.toml");
    assert!(matches!(
        Config::load_rules(&missing),
        Err(ConfigError::NotFound { .. })
    ));
}

#[test]
fn load_rules_from_a_whole_config() {
    let path = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/config.example.toml"));
    let (rules, on_unroutable) = Config::load_rules(path).expect("example rules");
    let config = Config::load(path).expect("example");
    assert_eq!(rules, config.rules);
    assert_eq!(on_unroutable, config.on_unroutable);

    // A whole config checks exact ids against its locations even without [[locations]]:
    // it is what the engine would route by.
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = write(
        &dir,
        "ordo.toml",
        "[store]\ncache_capacity_mb = 8\n\n[[rules]]\nname = \"East\"\nlocations = [\"wh-east\"]\n",
    );
    let s = Config::load_rules(&cfg).unwrap_err().to_string();
    assert!(
        s.starts_with(&format!(
            "{}:6: rules[0] \"East\": location `wh-east` is not a configured location",
            cfg.display()
        )),
        "{s}"
    );
    // And its other mistakes are still mistakes.
    let cfg = write(&dir, "bad.toml", "[console]\ntheme = \"neon\"\n");
    let s = Config::load_rules(&cfg).unwrap_err().to_string();
    assert!(s.contains(":2: console.theme"), "{s}");
}

/// The engine reloads the whole config for every rule edit; a 200-line file with 20 rules must
/// stay far below a few milliseconds. Not a timed assertion (timing belongs to benches); this
/// only keeps the parse count honest: one outline, one typed parse, no re-parse when valid.
#[test]
fn a_large_config_loads() {
    let mut text = String::new();
    for i in 0..20 {
        text.push_str(&format!(
            "[[locations]]\nid = \"wh-{i}\"\nkind = \"warehouse\"\npriority = {}\nlat = 40\nlon = -74\n\n",
            i + 1
        ));
    }
    for i in 0..20 {
        text.push_str(&format!(
            "[[rules]]\nname = \"r{i}\"\nwhen = {{ channels = [\"c{i}\"], total_min = \"{i}.00\" }}\nlocations = [\"wh-{i}\", \"wh-*\", \"tag:x\", \"wh-[0-9]\"]\nsort = [\"closest\", \"priority\"]\n\n"
        ));
    }
    assert!(text.lines().count() >= 200);
    let c = ok(&text);
    assert_eq!(c.rule_set().len(), 20);
}

#[test]
fn rule_set_follows_hand_edits() {
    let mut c = ok("[[rules]]
name = \"a\"\nlocations = [\"*\"]\n");
    let loaded = c.clone();
    assert_eq!(c.rule_set().rules()[0].name, "a");
    c.rules[0].name = "b".into();
    assert_eq!(c.rule_set().rules()[0].name, "b");
    c.on_unroutable = OnUnroutable::Hold;
    assert_eq!(c.rule_set().on_unroutable(), OnUnroutable::Hold);
    assert_ne!(c, loaded);
    c.rules.clear();
    assert_eq!(c.rule_set().rules()[0].name, "Default");
    // Equality is about what the file says, not about what was compiled from it.
    assert_eq!(ok("[[rules]]\nname = \"a\"\nlocations = [\"*\"]\n"), loaded);
}

// ---- no panics, ever ----------------------------------------------------------------------

/// Hand-picked nasty inputs: odd TOML that is valid, and invalid TOML of every kind.
#[test]
fn garbage_never_panics() {
    let inputs = [
        "",
        "\0",
        "\u{feff}",
        "[",
        "]]",
        "[[",
        "=",
        "a",
        "a =",
        "= 1",
        "\"",
        "'''",
        "\"\"\"",
        "[[locations]]",
        "[[locations]]\n[[locations]]",
        "locations = []",
        "locations = [1]",
        "locations = [[]]",
        "locations = [{}]",
        "[locations]\n[[locations]]",
        "[a.b.c]\n[a]\nd = 1",
        "a.b.c = 1\na.d = 2",
        "\"$__serde_spanned_private_start\" = 1",
        "[\"$__serde_spanned_private_start\"]",
        "x = 1979-05-27T07:32:00Z",
        "data_dir = 1979-05-27",
        "[store]\ncache_capacity_mb = 18446744073709551615",
        "[store]\ncache_capacity_mb = 9223372036854775807",
        "[[locations]]\nlat = inf\nlon = -inf",
        "[[locations]]\npriority = 9223372036854775807",
        "[[channels]]\nid = [1]",
        "[[channels]]\n[channels.id]\nx = 1",
        "[[channels]]\nkind = \"shopify\"\nbase_url = \"\"\ntoken_env = \"\"",
        "[[channels]]\nkind = \"amazon\"\nmarketplace_ids = [[]]\nsku_map = { \"\" = \"\" }",
        "[[channels]]\nkind = \"woocommerce\"\nbase_url = \"http://[::1\"\npage_size = -1",
        "[[channels]]\nbase_url = \"https://a@b?c#d\"\npoll_interval_secs = 9223372036854775807",
        "[[channels]]\nsku_map.a.b = \"x\"\nkind = \"x\"",
        "[[channels]]\n[channels.sku_map]\n\"\" = 1",
        "[webhooks]",
        "webhooks = 1",
        "webhooks.listen = \"[::]:0\"",
        "[webhooks]\nlisten = \"\\u0000\"\nx = 1",
        "[[rules]]\n[[rules.x]]",
        "rules = [1]",
        "rules = [[]]",
        "rules = [{}]",
        "[[rules]]\nwhen = 1",
        "[[rules]]\nwhen = []",
        "[[rules]]\n[rules.when]\n[rules.when.x]",
        "[[rules]]\nwhen.total_min = []",
        "[[rules]]\nwhen.total_min = \"1e999\"",
        "[[rules]]\nwhen.total_max = 1e999",
        "[[rules]]\nwhen.total_max = nan",
        "[[rules]]\nname = \"a\"\nlocations = [\"[\", \"{\", \"\\\\\", \"$\", \"tag:\"]",
        "[[rules]]\nname = \"\"\nsort = [1]",
        "[[rules]]\nname = \"a\"\nmax_distance_km = nan\nlocations = [\"\"]",
        "[[rules]]\nname = \"a\\nb\"\nsprit = 1",
        "[[rules]]\nname = \"a\"\n[[rules]]\nname = \"a\"",
        "[[locations]]\nid = \"a\"\nkind = \"store\"\n[[rules]]\nname = \"r\"\nlocations = [\"b\"]",
        "\r\n\r\n[store]\r\n",
        "on_unroutable = \"\"\"\nhold\"\"\"",
        "[[locations]]\nid = \"é\"\nkind = \"store\"",
        "[console]\ntheme = \"\\u0000\"",
    ];
    for text in inputs {
        check_no_panic(text);
    }
}

fn check_no_panic(text: &str) {
    let result = std::panic::catch_unwind(|| Config::parse(text, Path::new(FILE)));
    match result {
        Err(_) => panic!("Config::parse panicked on {text:?}"),
        Ok(Ok(_)) => {}
        Ok(Err(e)) => {
            let s = e.to_string();
            assert!(
                !s.contains('\n') && !s.is_empty(),
                "bad message for {text:?}: {s:?}"
            );
        }
    }
}

mod prop {
    use proptest::prelude::*;

    /// Fragments that make the parser and the schema walk interesting paths.
    fn fragment() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("[[locations]]\n".to_owned()),
            Just("[store]\n".to_owned()),
            Just("[console]\n".to_owned()),
            Just("[[channels]]\n".to_owned()),
            Just("[channels.sku_map]\n".to_owned()),
            Just("[webhooks]\n".to_owned()),
            Just("listen = \"127.0.0.1:0\"\n".to_owned()),
            Just("kind = \"shopify\"\n".to_owned()),
            Just("kind = \"amazon\"\n".to_owned()),
            Just("base_url = \"https://u:p@x/?q\"\n".to_owned()),
            Just("token_env = \"shpat_1\"\n".to_owned()),
            Just("consumer_key_env = \"K\"\n".to_owned()),
            Just("marketplace_ids = [\"\"]\n".to_owned()),
            Just("page_size = 251\n".to_owned()),
            Just("\"1\" = \"\"\n".to_owned()),
            Just("[[rules]]\n".to_owned()),
            Just("[rules.when]\n".to_owned()),
            Just("name = \"r\"\n".to_owned()),
            Just("locations = [\"a\", \"b*\", \"tag:t\", \"$pickup\"]\n".to_owned()),
            Just("when = { total_min = \"1.5\", channels = [\"x\"] }\n".to_owned()),
            Just("total_max = 3\n".to_owned()),
            Just("sort = [\"closest\", \"x\"]\n".to_owned()),
            Just("split = \"never\"\n".to_owned()),
            Just("action = \"hold\"\n".to_owned()),
            Just("[locations.x]\n".to_owned()),
            Just("id = \"a\"\n".to_owned()),
            Just("kind = \"store\"\n".to_owned()),
            Just("lat = 91\n".to_owned()),
            Just("lon = 1\n".to_owned()),
            Just("priority = 0\n".to_owned()),
            Just("cache_capacity_mb = 0\n".to_owned()),
            Just("tags = [\"a\", 1]\n".to_owned()),
            Just("x = { y = [1, { z = 2 }] }\n".to_owned()),
            Just("a.b = 1\n".to_owned()),
            "[a-z_.\\[\\]=\"' \n0-9{},#-]{0,12}",
            any::<String>(),
        ]
    }

    proptest! {
        #[test]
        fn arbitrary_text_never_panics(text in any::<String>()) {
            super::check_no_panic(&text);
        }

        #[test]
        fn toml_like_text_never_panics(parts in proptest::collection::vec(fragment(), 0..12)) {
            super::check_no_panic(&parts.concat());
        }

        #[test]
        fn mutated_example_never_panics(cut in any::<prop::sample::Index>(), len in 0usize..40, insert in "[\\[\\]=\"'\n#a-z0-9{}.,-]{0,6}") {
            let example = include_str!("../../config.example.toml");
            let mut at = cut.index(example.len());
            while !example.is_char_boundary(at) { at -= 1; }
            let mut end = (at + len).min(example.len());
            while !example.is_char_boundary(end) { end -= 1; }
            let text = format!("{}{}{}", &example[..at], insert, &example[end..]);
            super::check_no_panic(&text);
        }
    }
}
