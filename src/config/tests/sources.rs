//! Where the config comes from (the embedded default, the example, a file, none), every key
//! read, and the data folder's precedence.

use super::*;

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
    assert!(
        c.console.split,
        "two panes when the window is wide, by default"
    );
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
split = false
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
    assert!(!c.console.split);
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
