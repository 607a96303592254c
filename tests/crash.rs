//! Crash safety (invariant 1): a child `ordo ingest` is killed with SIGKILL at random moments;
//! after each kill the store reopens, and every order the child acknowledged is there exactly
//! once, at least at the acknowledged version, and `ordo check` passes.

mod common;

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::{order_line, Sandbox};

const ORDERS: usize = 3000;
const EDITS: usize = 600;
const KILLS_WANTED: usize = 20;

/// Small deterministic generator so a failing seed can be replayed.
struct XorShift(u64);
impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

#[test]
fn acknowledged_orders_survive_sigkill_exactly_once() {
    let sb = Sandbox::new();
    let skus: Vec<String> = (0..50).map(|i| format!("SKU-{i:03}")).collect();
    let rows: Vec<(&str, &str, i64)> = skus
        .iter()
        .flat_map(|s| [(s.as_str(), "wh-east", 400), (s.as_str(), "wh-west", 400)])
        .collect();
    sb.stock(&rows);

    let seed = std::env::var("ORDO_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64 | 1)
                .unwrap_or(88172645463325252)
        });
    println!("seed {seed} (ORDO_CRASH_SEED={seed} replays it)");
    let mut rng = XorShift(seed);

    // New orders, then newer versions (edits and cancellations) of some of them.
    let mut file = String::new();
    let mut version_of: HashMap<(usize, String), String> = HashMap::new();
    let mut line_no = 0;
    for i in 0..ORDERS {
        let ext = format!("C{i:05}");
        let lines: Vec<(&str, u32)> = (0..3)
            .map(|_| {
                (
                    skus[rng.below(50) as usize].as_str(),
                    1 + rng.below(2) as u32,
                )
            })
            .collect();
        let updated = "2026-11-28T09:00:00Z".to_string();
        file.push_str(&order_line("web", &ext, &updated, &lines, false));
        file.push('\n');
        line_no += 1;
        version_of.insert((line_no, ext), updated);
    }
    for j in 0..EDITS {
        let ext = format!("C{:05}", rng.below(ORDERS as u64));
        let updated = format!("2026-11-28T10:{:02}:{:02}Z", j / 60 % 60, j % 60);
        let lines = [(skus[rng.below(50) as usize].as_str(), 1)];
        file.push_str(&order_line("web", &ext, &updated, &lines, j % 5 == 0));
        file.push('\n');
        line_no += 1;
        version_of.insert((line_no, ext), updated);
    }
    let path = sb.write("orders.jsonl", &file);
    let path = path.to_str().unwrap();

    // acked external id -> the newest acknowledged version's updated_at
    let mut acked: HashMap<String, String> = HashMap::new();
    let mut kills = 0;
    let mut runs = 0;
    // How long a run that was not killed took: kill points are drawn inside that span, so that
    // kills land while the child is working rather than after it has finished.
    let mut span_ms = 900;
    while kills < KILLS_WANTED && runs < 80 {
        runs += 1;
        let mut child = sb
            .cmd()
            .args(["ingest", path, "--acks"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn ordo ingest");
        let stdout = child.stdout.take().expect("piped stdout");
        let reader = std::thread::spawn(move || {
            let mut lines = Vec::new();
            for line in BufReader::new(stdout).lines() {
                match line {
                    Ok(l) => lines.push(l),
                    Err(_) => break,
                }
            }
            lines
        });
        let wait = Duration::from_millis(5 + rng.below(span_ms));
        let started = Instant::now();
        while started.elapsed() < wait {
            if child.try_wait().expect("poll child").is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        if child.try_wait().expect("poll child").is_none() {
            child.kill().expect("SIGKILL"); // std's kill is SIGKILL on Unix
            kills += 1;
        } else {
            span_ms = (started.elapsed().as_millis() as u64).max(20);
        }
        child.wait().expect("reap child");
        let acked_before = acked.len();
        for line in reader.join().expect("reader thread") {
            // ack LINE CHANNEL EXTERNAL_ID OUTCOME
            let parts: Vec<&str> = line.split(' ').collect();
            if parts.len() == 5 && parts[0] == "ack" {
                let line_no: usize = parts[1].parse().expect("line number");
                let ext = parts[3].to_string();
                let v = version_of[&(line_no, ext.clone())].clone();
                let entry = acked.entry(ext).or_default();
                if *entry < v {
                    *entry = v;
                }
            }
        }
        verify(&sb, &acked);
        println!(
            "run {runs}: {} after {} ms; {} newly acknowledged, {} in all",
            if started.elapsed() >= wait {
                "killed"
            } else {
                "finished"
            },
            wait.as_millis(),
            acked.len() - acked_before,
            acked.len()
        );
    }
    println!(
        "kills: {kills} over {runs} runs; orders acknowledged: {}",
        acked.len()
    );
    assert!(kills >= KILLS_WANTED, "only {kills} kill points landed");

    // A last run to the end: everything exactly once.
    sb.ok(&["ingest", path]);
    let orders = sb.orders_json();
    assert_eq!(orders.len(), ORDERS, "each external id stored exactly once");
    verify(&sb, &acked);
}

fn verify(sb: &Sandbox, acked: &HashMap<String, String>) {
    let check = sb.run(&["check"]);
    assert!(
        check.status.success(),
        "ordo check failed after a kill:\n{}",
        String::from_utf8_lossy(&check.stdout)
    );
    let mut seen = HashSet::new();
    let mut stored: HashMap<String, String> = HashMap::new();
    for o in sb.orders_json() {
        let co = &o["channel_order"];
        let ext = co["external_id"].as_str().unwrap().to_string();
        assert!(seen.insert(ext.clone()), "{ext} stored twice");
        let at = co["updated_at"].as_str().unwrap();
        let at = chrono::DateTime::parse_from_rfc3339(at).unwrap().to_utc();
        stored.insert(ext, at.format("%Y-%m-%dT%H:%M:%SZ").to_string());
    }
    for (ext, version) in acked {
        let have = stored
            .get(ext)
            .unwrap_or_else(|| panic!("acknowledged order {ext} is missing after a kill"));
        assert!(
            have >= version,
            "{ext}: acknowledged version {version}, stored {have}"
        );
    }
}
