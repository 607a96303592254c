//! A file that does not parse into the config's shape: TOML syntax, unknown keys, wrong types.

use super::*;

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
    assert!(s.starts_with("/x/ordo.toml:3: unknown key `timezon` in [console]; expected one of: theme, timezone, operator, mouse, split, keys; did you mean `timezone`?"), "{s}");
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
