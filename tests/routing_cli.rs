//! `ordo route --scenario FILE` (the binary) gives every fixture's `expect`; a malformed
//! scenario is a clear error with exit code 2.

mod common;

use common::Sandbox;

#[test]
fn every_scenario_gives_its_expected_decision_through_the_cli() {
    let sb = Sandbox::new();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/routing");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("fixtures")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert!(files.len() >= 32, "fixtures missing: {}", files.len());
    for file in files {
        let out = sb.ok(&["route", "--scenario", file.to_str().unwrap()]);
        let answer: serde_json::Value = serde_json::from_str(&out).expect("the answer is JSON");
        for key in ["status", "rule", "allocations", "reason", "explain"] {
            assert!(
                answer.get(key).is_some(),
                "{}: no `{key}` in {out}",
                file.display()
            );
        }
        assert_eq!(
            answer["matches_expect"],
            serde_json::Value::Bool(true),
            "{}: {}",
            file.display(),
            answer["mismatches"]
        );
    }
}

#[test]
fn a_malformed_scenario_is_a_user_error() {
    let sb = Sandbox::new();
    let f = sb.write("bad.json", "{\"name\": \"x\", \"locations\": [}");
    let out = sb.run(&["route", "--scenario", f.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.json:1:"), "{err}");
    assert!(!err.contains("panicked"));
    let out = sb.run(&["route", "--scenario", "/nonexistent.json"]);
    assert_eq!(out.status.code(), Some(2));
}

const RULES_EAST: &str = r#"
[[rules]]
name = "Review"
when = { total_min = "1000.00" }
action = "hold"
reason = "high value"

[[rules]]
name = "East"
locations = ["wh-east"]
split = "never"

[[rules]]
name = "Anywhere"
locations = ["*"]
"#;

fn sandbox_with_rules(rules: &str) -> Sandbox {
    let sb = Sandbox::new();
    let config = format!("{}{rules}", common::CONFIG);
    sb.write("ordo.toml", &config);
    sb
}

#[test]
fn decisions_are_explained_in_orders_json_and_explain() {
    let sb = sandbox_with_rules(RULES_EAST);
    sb.stock(&[("TEE", "wh-east", 10), ("TEE", "wh-west", 10)]);
    let f = sb.write(
        "o.jsonl",
        &common::order_line("web", "1", "2026-11-28T09:00:00Z", &[("TEE", 2)], false),
    );
    sb.ok(&["ingest", f.to_str().unwrap()]);
    let json = sb.ok(&["orders", "--json"]);
    let order: serde_json::Value = serde_json::from_str(json.lines().next().unwrap()).unwrap();
    let routing = &order["routing"];
    assert_eq!(routing["status"], "allocated");
    assert_eq!(routing["rule"], "East");
    let tried = routing["explain"]["rules"].as_array().unwrap();
    assert_eq!(tried.len(), 2, "Review skipped, East applied: {routing}");
    assert_eq!(tried[0]["name"], "Review");
    let text = sb.ok(&["orders", "--explain"]);
    assert!(
        text.contains("routed: allocated by rule \"East\""),
        "{text}"
    );
    assert!(
        text.contains("total_min"),
        "why Review did not apply: {text}"
    );
}

#[test]
fn replay_says_what_other_rules_would_move_and_changes_nothing() {
    let sb = sandbox_with_rules(RULES_EAST);
    sb.stock(&[("TEE", "wh-east", 10), ("TEE", "wh-west", 10)]);
    let lines: Vec<String> = (1..=3)
        .map(|i| {
            common::order_line(
                "web",
                &i.to_string(),
                "2026-11-28T09:00:00Z",
                &[("TEE", 2)],
                false,
            )
        })
        .chain([
            common::order_line("web", "4", "2026-11-28T09:00:00Z", &[("TEE", 1)], false)
                .replace("\"68.16\"", "\"1500.00\""),
        ])
        .collect();
    let f = sb.write("o.jsonl", &lines.join("\n"));
    sb.ok(&["ingest", f.to_str().unwrap()]);
    let before = sb.ok(&["export", "inventory", "--format", "csv"]);

    let west = sb.write(
        "west.toml",
        "[[rules]]\nname = \"West\"\nlocations = [\"wh-west\"]\nsplit = \"never\"\n",
    );
    let out = sb.ok(&[
        "route",
        "--replay",
        "10",
        "--rules",
        west.to_str().unwrap(),
        "--json",
    ]);
    let summary: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(summary["replayed"], 4);
    assert_eq!(summary["would_move"], 4, "{summary}");
    assert_eq!(summary["per_location"]["wh-east"]["before"], 3);
    assert_eq!(summary["per_location"]["wh-east"]["after"], 0);
    assert_eq!(summary["per_location"]["wh-west"]["after"], 4);
    assert_eq!(
        summary["no_longer_held"].as_array().unwrap().len(),
        1,
        "the review hold is gone"
    );
    let text = sb.ok(&["route", "--replay", "10", "--rules", west.to_str().unwrap()]);
    assert!(text.contains("would go elsewhere: 4"), "{text}");
    assert!(text.contains("nothing was changed"), "{text}");
    // The rules in force, replayed, move nothing.
    let same = sb.ok(&["route", "--replay", "10", "--json"]);
    let same: serde_json::Value = serde_json::from_str(&same).unwrap();
    assert_eq!(same["would_move"], 0, "{same}");
    assert_eq!(
        before,
        sb.ok(&["export", "inventory", "--format", "csv"]),
        "a replay writes nothing"
    );
}

#[test]
fn rules_check_lists_problems_and_names_the_rule() {
    let sb = Sandbox::new();
    let good = sb.write("good.toml", RULES_EAST);
    let out = sb.ok(&["rules", "check", good.to_str().unwrap()]);
    assert!(out.contains("3 rules"), "{out}");
    let bad = sb.write(
        "bad.toml",
        "[[rules]]\nname = \"Fast\"\nlocations = [\"*\"]\nsort = [\"nearest\"]\n",
    );
    let out = sb.run(&["rules", "check", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bad.toml:4") && err.contains("Fast") && err.contains("nearest"),
        "{err}"
    );
}
