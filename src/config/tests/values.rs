//! Values that parse but cannot be: locations, top-level values, the first problem reported.

use super::*;

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
