//! Helpers for black-box tests: run the real `ordo` binary against a store in a temp dir.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub struct Sandbox {
    pub dir: tempfile::TempDir,
}

/// Two warehouses and a store, enough for every CLI test.
pub const CONFIG: &str = r#"
[[locations]]
id = "wh-east"
kind = "warehouse"
priority = 1
lat = 40.73
lon = -74.17

[[locations]]
id = "wh-west"
kind = "warehouse"
priority = 2
lat = 39.53
lon = -119.81

[[locations]]
id = "store-nyc"
kind = "store"
priority = 3
"#;

impl Sandbox {
    pub fn new() -> Sandbox {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("ordo.toml"), CONFIG).expect("write config");
        Sandbox { dir }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, text).expect("write file");
        p
    }

    pub fn cmd(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_ordo"));
        c.arg("--config")
            .arg(self.path("ordo.toml"))
            .arg("--data")
            .arg(self.path("data"))
            .env_remove("ORDO_CONFIG")
            .env_remove("ORDO_DATA");
        c
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd().args(args).output().expect("run ordo")
    }

    /// Runs and insists on success, returning stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        succeeded(args, &self.run(args))
    }

    /// `n` orders of one TEE-M each on channel `web`, numbered `#W0`.., ingested through the
    /// CLI onto 50 TEE-M at wh-east: a store for the console tests to show.
    pub fn web_orders(&self, n: usize) {
        self.stock(&[("TEE-M", "wh-east", 50)]);
        let lines: Vec<String> = (0..n)
            .map(|i| {
                order_line(
                    "web",
                    &format!("W{i}"),
                    "2026-11-28T09:05:00Z",
                    &[("TEE-M", 1)],
                    false,
                )
            })
            .collect();
        let file = self.write("orders.jsonl", &(lines.join("\n") + "\n"));
        self.ok(&["ingest", file.to_str().unwrap()]);
    }

    pub fn stock(&self, rows: &[(&str, &str, i64)]) {
        let mut csv = String::from("sku,location,on_hand\n");
        for (s, l, q) in rows {
            csv.push_str(&format!("{s},{l},{q}\n"));
        }
        let f = self.write("stock.csv", &csv);
        self.ok(&["stock", "import", f.to_str().unwrap()]);
    }

    pub fn orders_json(&self) -> Vec<serde_json::Value> {
        self.ok(&["export", "orders"])
            .lines()
            .map(|l| serde_json::from_str(l).expect("export line is JSON"))
            .collect()
    }
}

/// The stdout of `ordo args` that must have succeeded; else a failure with the exit code and
/// both outputs.
pub fn succeeded(args: &[&str], out: &Output) -> String {
    assert!(
        out.status.success(),
        "ordo {args:?} failed ({:?}):\n{}\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// One order in ordo's JSON Lines format.
pub fn order_line(
    channel: &str,
    ext: &str,
    updated: &str,
    lines: &[(&str, u32)],
    cancelled: bool,
) -> String {
    let lines: Vec<serde_json::Value> = lines
        .iter()
        .map(|(sku, q)| serde_json::json!({"sku": sku, "quantity": q, "unit_price": "19.99", "title": "A product with a reasonably long descriptive title"}))
        .collect();
    serde_json::json!({
        "channel": channel,
        "external_id": ext,
        "number": format!("#{ext}"),
        "created_at": "2026-11-28T09:00:00Z",
        "updated_at": updated,
        "cancelled": cancelled,
        "customer": {"name": "Ada Lovelace", "email": "ada@example.com"},
        "ship_to": {"name": "Ada Lovelace", "line1": "12 Main Street", "city": "Springfield", "region": "IL",
                    "postal_code": "62701", "country": "US"},
        "lines": lines,
        "totals": {"subtotal": "59.97", "shipping": "4.99", "tax": "3.20", "total": "68.16"},
        "currency": "USD",
        "tags": ["web"]
    })
    .to_string()
}

pub fn exe() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_ordo"))
}
