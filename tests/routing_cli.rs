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
