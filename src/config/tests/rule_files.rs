//! Rules loaded from a file (rules only, or a whole config), a large config, and the rule set
//! following hand edits.

use super::*;

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
