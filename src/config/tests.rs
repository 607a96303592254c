//! Unit tests through `Config::parse` / `Config::load`: the exact messages users see.
//! tests/config_errors.rs checks the same mistakes through the binary.

use std::path::{Path, PathBuf};

use super::*;
use crate::model::LocationKind;

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
    assert!(c.channels.is_empty() && c.rules.is_empty());
    assert_eq!(c.on_unroutable, "backorder");
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
}

#[test]
fn empty_file_means_all_defaults() {
    let c = ok("");
    assert_eq!(c.source.as_deref(), Some(Path::new(FILE)));
    assert_eq!(c.store.cache_capacity_mb, 64);
    assert_eq!(c.inventory.default_safety_stock, 0);
    assert_eq!(c.on_unroutable, "backorder");
    assert_eq!(c.console.theme, "default");
    assert!(c.locations.is_empty() && c.channels.is_empty() && c.rules.is_empty());
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
anything = { goes = true }
[[rules]]
whatever = 1
"#);
    assert_eq!(c.data_dir.as_deref(), Some(Path::new("data")));
    assert_eq!(c.on_unroutable, "hold");
    assert_eq!(c.store.cache_capacity_mb, 8);
    assert_eq!(c.inventory.default_safety_stock, 2);
    assert_eq!(c.console.theme, "light");
    assert_eq!(c.console.timezone.as_deref(), Some("Europe/Paris"));
    assert_eq!(c.console.operator.as_deref(), Some("dana"));
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
    assert_eq!(c.rules.len(), 1);
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
        "/x/ordo.toml:2: unknown key `colour` at the top level; expected one of: data_dir, on_unroutable, store, inventory, locations, channels, rules, console"
    );
    assert_eq!(
        err("[store]\ncache_capacity = 64\n"),
        "/x/ordo.toml:2: unknown key `cache_capacity` in [store]; expected one of: cache_capacity_mb; did you mean `cache_capacity_mb`?"
    );
    let s = err("[console]\ntheme = \"light\"\ntimezon = \"UTC\"\n");
    assert!(s.starts_with("/x/ordo.toml:3: unknown key `timezon` in [console]; expected one of: theme, timezone, operator; did you mean `timezone`?"), "{s}");
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
fn channel_ids() {
    let cases: &[(&str, &str)] = &[
        (
            "[[channels]]\nid = \"shopify\"\n\n[[channels]]\nkind = \"x\"\nid = \"shopify\"\n",
            "/x/ordo.toml:6: channels[1].id = \"shopify\" is already used by channels[0] at line 2; channel ids must be unique",
        ),
        (
            "[[channels]]\nkind = \"shopify\"\n",
            "/x/ordo.toml:1: channels[0]: missing key `id`; every channel needs one, e.g. id = \"shopify\"",
        ),
        (
            "[[channels]]\nid = 7\n",
            "/x/ordo.toml:2: channels[0].id must be a string, not an integer; quote it, e.g. id = \"shopify\"",
        ),
        (
            "[[channels]]\nid = \"\"\n",
            "/x/ordo.toml:2: channels[0].id is empty; name the channel, e.g. id = \"shopify\"",
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
        "[[rules]]\n[[rules.x]]",
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
