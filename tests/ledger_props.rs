//! Property tests: random sequences of ingest, edit, replay, stale versions, cancel, stock
//! counts and adjustments, hold, release and ship go through the real ledger on a real sled
//! store, and invariants 2-4 are checked after every step.

#[path = "common/orders.rs"]
mod orders;

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use proptest::prelude::*;

use ordo::ledger::{Command, Ledger, LedgerHandle, LedgerSettings, Outcome, StockRow};
use ordo::model::{Actor, ChannelOrder, Location, OnUnroutable, Order, OrderStatus};
use ordo::routing::{Rule, RuleSet};
use ordo::store::{check, Store};

const SKUS: [&str; 4] = ["A", "B", "C", "D"];
const LOCS: [&str; 3] = ["wh-1", "wh-2", "store-1"];

#[derive(Debug, Clone)]
enum Op {
    /// New version of order `ext` (newer than any before) with these quantities per SKU index.
    Version {
        ext: u8,
        qty: Vec<(usize, u32)>,
        cancelled: bool,
    },
    /// The exact version stored last for `ext`, sent again.
    Replay {
        ext: u8,
    },
    /// A version older than the stored one.
    Stale {
        ext: u8,
    },
    SetStock {
        sku: usize,
        loc: usize,
        on_hand: i64,
    },
    Adjust {
        sku: usize,
        loc: usize,
        delta: i64,
    },
    Hold {
        ext: u8,
    },
    Release {
        ext: u8,
    },
    Ship {
        ext: u8,
    },
    Cancel {
        ext: u8,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let ext = 0u8..6;
    prop_oneof![
        4 => (ext.clone(), prop::collection::vec((0usize..4, 0u32..4), 1..4), prop::bool::weighted(0.1))
            .prop_map(|(ext, qty, cancelled)| Op::Version { ext, qty, cancelled }),
        1 => ext.clone().prop_map(|ext| Op::Replay { ext }),
        1 => ext.clone().prop_map(|ext| Op::Stale { ext }),
        2 => (0usize..4, 0usize..3, 0i64..8).prop_map(|(sku, loc, on_hand)| Op::SetStock { sku, loc, on_hand }),
        1 => (0usize..4, 0usize..3, -3i64..4).prop_map(|(sku, loc, delta)| Op::Adjust { sku, loc, delta }),
        1 => ext.clone().prop_map(|ext| Op::Hold { ext }),
        1 => ext.clone().prop_map(|ext| Op::Release { ext }),
        1 => ext.clone().prop_map(|ext| Op::Ship { ext }),
        1 => ext.prop_map(|ext| Op::Cancel { ext }),
    ]
}

/// A hold rule and a partial-split rule: holds, partial allocations, top-ups and backorders
/// all happen in random runs.
fn rules() -> RuleSet {
    let rules: Vec<Rule> = serde_json::from_str(
        r#"[{"name": "Review D", "when": {"skus_any": ["D"]}, "action": "hold", "reason": "review"},
            {"name": "Split", "locations": ["*"], "split": "partial", "sort": ["priority"]}]"#,
    )
    .unwrap();
    RuleSet::new(rules, OnUnroutable::Backorder).unwrap()
}

fn settings() -> LedgerSettings {
    let locations = LOCS
        .iter()
        .enumerate()
        .map(|(i, l)| location(l, i as u32 + 1))
        .collect();
    LedgerSettings::new(locations, 0, rules())
}

fn location(id: &str, priority: u32) -> Location {
    orders::warehouse(id, priority)
}

fn version(ext: u8, at: DateTime<Utc>, qty: &[(usize, u32)], cancelled: bool) -> ChannelOrder {
    let lines = qty
        .iter()
        .enumerate()
        .map(|(i, (sku, q))| orders::line(i as u32 + 1, SKUS[*sku], *q))
        .collect();
    ChannelOrder {
        created_at: Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap(),
        cancelled,
        ..orders::paid_order("web", &format!("E{ext}"), at, lines)
    }
}

struct World {
    _dir: tempfile::TempDir,
    store: Arc<Store>,
    ledger: Ledger,
    /// Last version sent per external id, and its time.
    versions: HashMap<u8, ChannelOrder>,
    clock: DateTime<Utc>,
}

impl World {
    fn new() -> World {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(Store::open(dir.path(), 8 << 20).unwrap());
        let ledger = Ledger::start(store.clone(), settings()).unwrap();
        let w = World {
            _dir: dir,
            store,
            ledger,
            versions: HashMap::new(),
            clock: Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap(),
        };
        // Every SKU is in the catalog (so nothing quarantines), with a little stock.
        let rows = SKUS
            .iter()
            .flat_map(|s| LOCS.iter().map(move |l| (s, l)))
            .map(|(s, l)| StockRow {
                sku: s.to_string(),
                location: l.to_string(),
                on_hand: 2,
                safety_stock: None,
            })
            .collect();
        w.ledger()
            .submit_blocking(Command::SetStock {
                rows,
                by: Actor::System,
            })
            .unwrap();
        w
    }

    fn ledger(&self) -> LedgerHandle {
        self.ledger.handle()
    }

    fn ingest(&self, co: ChannelOrder) -> Outcome {
        self.ledger()
            .submit_blocking(orders::ingest(co, "test", "ordo"))
            .unwrap()
    }

    fn stored(&self, ext: u8) -> Option<Order> {
        let id = self.store.order_id("web", &format!("E{ext}")).unwrap()?;
        self.store.order(id).unwrap()
    }

    fn apply(&mut self, op: &Op) {
        let by = || Actor::Operator("prop".into());
        match op {
            Op::Version {
                ext,
                qty,
                cancelled,
            } => {
                self.clock += Duration::seconds(1);
                let co = version(*ext, self.clock, qty, *cancelled);
                self.versions.insert(*ext, co.clone());
                let out = self.ingest(co);
                assert!(
                    matches!(out, Outcome::Created { .. } | Outcome::Updated { .. }),
                    "{out:?}"
                );
            }
            Op::Replay { ext } => {
                let Some(co) = self.versions.get(ext).cloned() else {
                    return;
                };
                let before = self.stored(*ext);
                let out = self.ingest(co);
                assert!(
                    matches!(out, Outcome::Unchanged { .. }),
                    "a replay changed something: {out:?}"
                );
                assert_eq!(
                    before,
                    self.stored(*ext),
                    "a replay changed the stored order"
                );
            }
            Op::Stale { ext } => {
                let Some(co) = self.versions.get(ext).cloned() else {
                    return;
                };
                let before = self.stored(*ext);
                let mut old = co;
                old.updated_at -= Duration::milliseconds(500);
                old.lines.clear();
                old.lines.push(
                    version(*ext, old.updated_at, &[(0, 3)], false)
                        .lines
                        .remove(0),
                );
                let out = self.ingest(old);
                assert!(
                    matches!(out, Outcome::Unchanged { .. }),
                    "an older version was taken: {out:?}"
                );
                assert_eq!(
                    before,
                    self.stored(*ext),
                    "an older version changed the stored order"
                );
            }
            Op::SetStock { sku, loc, on_hand } => {
                let rows = vec![StockRow {
                    sku: SKUS[*sku].into(),
                    location: LOCS[*loc].into(),
                    on_hand: *on_hand,
                    safety_stock: None,
                }];
                self.ledger()
                    .submit_blocking(Command::SetStock { rows, by: by() })
                    .unwrap();
            }
            Op::Adjust { sku, loc, delta } => {
                // Refused when it would go below zero: that is a valid answer, not a failure.
                let _ = self.ledger().submit_blocking(Command::AdjustStock {
                    sku: SKUS[*sku].into(),
                    location: LOCS[*loc].into(),
                    delta: *delta,
                    by: by(),
                });
            }
            Op::Hold { ext } | Op::Release { ext } | Op::Ship { ext } | Op::Cancel { ext } => {
                let Some(order) = self.stored(*ext) else {
                    return;
                };
                let id = order.id;
                let cmd = match op {
                    Op::Hold { .. } => Command::Hold {
                        id,
                        reason: "check".into(),
                        by: by(),
                    },
                    Op::Release { .. } => Command::Release { id, by: by() },
                    Op::Ship { .. } => Command::Ship {
                        id,
                        carrier: "ups".into(),
                        tracking: "1Z".into(),
                        by: by(),
                    },
                    _ => Command::Cancel {
                        id,
                        reason: "customer".into(),
                        by: by(),
                    },
                };
                if let Err(e) = self.ledger().submit_blocking(cmd) {
                    assert!(e.is_user_error(), "{e}");
                }
            }
        }
    }

    fn assert_invariants(&self) {
        // Invariants 3 and 4 (and the indexes): the same check `ordo check` runs.
        let report = check::check(&self.store).unwrap();
        assert!(
            report.is_clean(),
            "check found drift: {:#?}",
            report.problems
        );
        // Invariant 2: one order per external id ever sent, each at its latest version.
        let orders: Vec<Order> = self.store.orders().map(|o| o.unwrap()).collect();
        assert_eq!(
            orders.len(),
            self.versions.len(),
            "orders stored != distinct external ids"
        );
        for o in &orders {
            let ext: u8 = o.channel_order.external_id[1..].parse().unwrap();
            assert_eq!(o.channel_order.updated_at, self.versions[&ext].updated_at);
            for l in &o.channel_order.lines {
                assert!(
                    o.allocated_for_line(l.line) + o.shipped_for_line(l.line)
                        <= l.quantity.max(o.shipped_for_line(l.line)),
                    "order {} line {} holds more than it asks for",
                    o.id,
                    l.line
                );
            }
            if o.status == OrderStatus::Cancelled {
                assert!(o.allocations.is_empty());
            }
        }
        // Invariant 3 on the ledger's view too: nothing it reports is below zero.
        for item in self.store.stock_levels() {
            let (k, l) = item.unwrap();
            assert!(l.on_hand >= 0 && l.reserved >= 0, "{k:?} {l:?}");
            assert!(l.reserved <= l.reservable(), "oversold {k:?}: {l:?}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, .. ProptestConfig::default() })]

    #[test]
    fn invariants_hold_after_every_step(ops in prop::collection::vec(op(), 1..40)) {
        let mut world = World::new();
        for op in &ops {
            world.apply(op);
            world.assert_invariants();
        }
    }
}

/// Restarting the ledger rebuilds its hot state from the store: the same decisions follow.
#[test]
fn hot_state_rebuilt_at_start_matches_the_store() {
    let mut world = World::new();
    for (i, ext) in [0u8, 1, 2, 3].iter().enumerate() {
        world.apply(&Op::Version {
            ext: *ext,
            qty: vec![(i % 4, 2)],
            cancelled: false,
        });
    }
    for loc in 0..3 {
        world.apply(&Op::SetStock {
            sku: 0,
            loc,
            on_hand: 0,
        });
    }
    world.assert_invariants();
    let World {
        _dir,
        store,
        ledger,
        ..
    } = world;
    ledger.shutdown();
    let before: Vec<Order> = store.orders().map(|o| o.unwrap()).collect();
    let restarted = Ledger::start(store.clone(), settings()).unwrap();
    // Stock arriving for the backordered order reaches it after the restart.
    let out = restarted
        .handle()
        .submit_blocking(Command::SetStock {
            rows: vec![StockRow {
                sku: "A".into(),
                location: "wh-2".into(),
                on_hand: 10,
                safety_stock: None,
            }],
            by: Actor::System,
        })
        .unwrap();
    let Outcome::Stock { allocated, .. } = out else {
        panic!("{out:?}")
    };
    let waiting: Vec<u64> = before
        .iter()
        .filter(|o| o.status == OrderStatus::Backordered)
        .map(|o| o.id)
        .collect();
    assert!(
        !waiting.is_empty(),
        "the setup should leave a backordered order"
    );
    assert_eq!(allocated, waiting);
    assert!(check::check(&store).unwrap().is_clean());
}
