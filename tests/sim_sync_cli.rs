//! The black-box path an operator takes: `ordo sim` in one process prints its URLs, the
//! environment and a config; `ordo sync --once` in another polls all three shops over loopback
//! into the store; a second sync finds nothing new.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use common::Sandbox;

struct Sim(Child);

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `ordo sim` and reads what it prints: (environment, config text).
fn start_sim() -> (Sim, Vec<(String, String)>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ordo"))
        // Relaxed limits: the first sync also pushes 200 SKUs' figures to each shop, which the
        // real limits (Shopify 2/s) would stretch to minutes.
        .args([
            "sim",
            "--backlog",
            "90",
            "--rate",
            "0",
            "--seed",
            "4",
            "--limits",
            "relaxed",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("run ordo sim");
    let stdout = child.stdout.take().unwrap();
    let sim = Sim(child);
    let mut env = Vec::new();
    let mut config = String::new();
    let mut in_config = false;
    let mut channels = 0;
    for line in BufReader::new(stdout).lines() {
        let line = line.unwrap();
        if let Some(rest) = line.strip_prefix("export ") {
            let (k, v) = rest.split_once('=').unwrap();
            env.push((k.to_string(), v.trim_matches('\'').to_string()));
        } else if line == "# config:" {
            in_config = true;
        } else if in_config {
            if line == "[[channels]]" {
                channels += 1;
            }
            if line.is_empty() && channels == 3 {
                break;
            }
            config.push_str(&line);
            config.push('\n');
        }
    }
    assert_eq!(channels, 3, "ordo sim printed {config}");
    (sim, env, config)
}

#[test]
fn sync_once_takes_every_shop_in_and_a_second_sync_finds_nothing_new() {
    let (_sim, env, channels) = start_sim();
    let s = Sandbox::new();
    let mut text = std::fs::read_to_string(s.path("ordo.toml")).unwrap();
    text.push_str(&channels);
    std::fs::write(s.path("ordo.toml"), text).unwrap();
    let catalog = ordo::sim::Catalog::demo();
    let rows: Vec<(&str, &str, i64)> = catalog
        .items
        .iter()
        .map(|i| (i.sku.as_str(), "wh-east", 50))
        .collect();
    s.stock(&rows);

    let sync = |s: &Sandbox| {
        let out = s
            .cmd()
            .args(["sync", "--once"])
            .envs(env.iter().cloned())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let first = sync(&s);
    let number = |line: &str, word: &str| -> u64 {
        let before = line.split(&format!(" {word}")).next().unwrap();
        before
            .rsplit(' ')
            .next()
            .unwrap()
            .trim_start_matches(':')
            .parse()
            .unwrap()
    };
    let mut created = 0;
    for id in ["shopify", "woocommerce", "amazon"] {
        let line = first
            .lines()
            .find(|l| l.starts_with(&format!("{id}:")))
            .unwrap_or_else(|| panic!("{first}"));
        let n = number(line, "new");
        assert!(n > 0, "{line}");
        created += n;
    }
    let orders = s.orders_json();
    let quarantined = s.ok(&["quarantine", "list", "--json"]);
    let q = serde_json::from_str::<serde_json::Value>(&quarantined)
        .map(|v| v.as_array().map_or(0, |a| a.len()))
        .unwrap_or(0);
    assert_eq!(orders.len() as u64, created, "{first}");
    assert_eq!(q, 0, "{quarantined}");

    // Nothing changed in the shops: nothing new, the overlap re-reads the last minutes.
    let second = sync(&s);
    for line in second.lines().filter(|l| l.contains("page(s)")) {
        assert_eq!(number(line, "new"), 0, "{line}");
        assert_eq!(number(line, "updated"), 0, "{line}");
    }
    assert_eq!(s.orders_json().len(), orders.len());
    s.ok(&["check"]);

    // A wrong credential: a clear failure naming the channel, no secret in it.
    let out = s
        .cmd()
        .args(["sync", "--once", "--channel", "shopify"])
        .envs(env.iter().cloned())
        .env("ORDO_SIM_SHOPIFY_TOKEN", "shpat_wrong_token")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("shopify") && err.contains("not authorized"),
        "{err}"
    );
    assert!(!err.contains("shpat_wrong_token"), "{err}");
    // A missing one: the variable is named, exit 2.
    let out = s.cmd().args(["sync", "--once"]).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("ORDO_SIM_SHOPIFY_TOKEN"));
}
