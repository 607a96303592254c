//! Live allocation through a running engine: the ledger routes with the config's rules and
//! reserves in the same step; rule edits apply to the next order; holds, capacity, re-routes
//! by hand, and the stored explanation.

#[path = "common/orders.rs"]
mod orders;

use chrono::{TimeZone, Utc};

use ordo::config::Config;
use ordo::engine::Engine;
use ordo::ledger::{Command, LedgerHandle, Outcome, StockRow};
use ordo::model::{
    Actor, Address, ChannelOrder, Event, EventKind, Order, OrderStatus, Totals, Verdict,
};

const LOCATIONS: &str = r#"
[[locations]]
id = "wh-east"
kind = "warehouse"
priority = 1
lat = 40.7357
lon = -74.1724

[[locations]]
id = "wh-west"
kind = "warehouse"
priority = 2
lat = 39.5296
lon = -119.8138

[[locations]]
id = "store-nyc"
kind = "store"
priority = 3
lat = 40.7505
lon = -73.9934
daily_capacity = 1
"#;

const EAST_FIRST: &str = r#"
[[rules]]
name = "Pickup"
when = { ship_methods = ["pickup"] }
locations = ["$pickup"]
split = "never"

[[rules]]
name = "Review"
when = { total_min = "1000.00" }
action = "hold"
reason = "high value: review"

[[rules]]
name = "Store first"
when = { channels = ["pos"] }
locations = ["store-*"]
split = "never"

[[rules]]
name = "East first"
locations = ["wh-east"]
split = "never"

[[rules]]
name = "Anywhere"
locations = ["*"]
"#;

struct World {
    dir: tempfile::TempDir,
    engine: Option<Engine>,
    n: u32,
}

impl World {
    fn new(rules: &str) -> World {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("ordo.toml"), format!("{LOCATIONS}{rules}")).unwrap();
        let config = Config::load(&dir.path().join("ordo.toml")).unwrap();
        let engine = Engine::open(&config, &dir.path().join("data")).unwrap();
        let w = World {
            dir,
            engine: Some(engine),
            n: 0,
        };
        let rows = ["TEE", "MUG"]
            .iter()
            .flat_map(|s| {
                ["wh-east", "wh-west", "store-nyc"].map(|l| (s.to_string(), l.to_string()))
            })
            .map(|(sku, location)| StockRow {
                sku,
                location,
                on_hand: 10,
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
        self.engine.as_ref().unwrap().ledger()
    }

    fn rewrite_rules(&self, rules: &str) {
        // A different length as well as a new mtime, so the change is seen even on coarse clocks.
        std::fs::write(
            self.dir.path().join("ordo.toml"),
            format!("{LOCATIONS}{rules}"),
        )
        .unwrap();
    }

    fn order(
        &mut self,
        channel: &str,
        total: &str,
        ship_method: &str,
        pickup: Option<&str>,
    ) -> Order {
        self.n += 1;
        let at = Utc.with_ymd_and_hms(2026, 11, 28, 9, 0, 0).unwrap();
        let co = ChannelOrder {
            ship_to: Some(Address {
                country: "US".into(),
                postal_code: "10001".into(),
                lat: Some(40.75),
                lon: Some(-73.99),
                ..Address::default()
            }),
            ship_method: ship_method.into(),
            pickup_location: pickup.map(String::from),
            totals: Totals {
                total: total.parse().unwrap(),
                ..Totals::default()
            },
            ..orders::paid_order(
                channel,
                &format!("X{}", self.n),
                at,
                vec![orders::line(1, "TEE", 2)],
            )
        };
        let out = self
            .ledger()
            .submit_blocking(orders::ingest(co, "test", "ordo"))
            .unwrap();
        let Outcome::Created { id, .. } = out else {
            panic!("{out:?}")
        };
        self.stored(id)
    }

    fn stored(&self, id: u64) -> Order {
        self.engine
            .as_ref()
            .unwrap()
            .store()
            .order(id)
            .unwrap()
            .unwrap()
    }

    fn history(&self, order: &Order) -> Vec<Event> {
        self.engine
            .as_ref()
            .unwrap()
            .store()
            .history(order)
            .unwrap()
    }

    fn events(&self) -> Vec<Event> {
        self.engine
            .as_ref()
            .unwrap()
            .store()
            .events()
            .map(|e| e.unwrap())
            .collect()
    }
}

impl Drop for World {
    fn drop(&mut self) {
        if let Some(e) = self.engine.take() {
            e.shutdown();
        }
    }
}

fn locations_of(o: &Order) -> Vec<&str> {
    o.locations()
}

#[test]
fn an_edit_of_the_rules_applies_to_the_next_order_and_a_broken_edit_keeps_the_old_rules() {
    let mut w = World::new(EAST_FIRST);
    let first = w.order("web", "20.00", "standard", None);
    assert_eq!(locations_of(&first), ["wh-east"]);

    w.rewrite_rules(&EAST_FIRST.replace(
        "name = \"East first\"\nlocations = [\"wh-east\"]",
        "name = \"West first\"\nlocations = [\"wh-west\"]",
    ));
    let second = w.order("web", "20.00", "standard", None);
    assert_eq!(
        locations_of(&second),
        ["wh-west"],
        "the next order follows the new rules"
    );
    let status = w.ledger().rules_status();
    assert!(
        status
            .rules
            .iter()
            .any(|(name, hits)| name == "West first" && *hits == 1),
        "{status:?}"
    );
    assert_eq!(status.reloads, 1);

    w.rewrite_rules(&EAST_FIRST.replace("split = \"never\"", "sprit = \"never\""));
    let third = w.order("web", "20.00", "standard", None);
    assert_eq!(
        locations_of(&third),
        ["wh-west"],
        "a broken edit leaves the old rules in force"
    );
    let status = w.ledger().rules_status();
    let error = status.last_error.expect("the refused edit is reported");
    assert!(
        error.contains("ordo.toml:") && error.contains("sprit"),
        "{error}"
    );
    assert!(w
        .events()
        .iter()
        .any(|e| matches!(&e.kind, EventKind::RulesRejected { error } if error.contains("sprit"))));
    assert!(w.events().iter().any(|e| matches!(&e.kind, EventKind::RulesReloaded { rules } if rules.contains(&"West first".to_string()))));
}

#[test]
fn a_review_hold_applies_once_and_release_routes_the_order() {
    let mut w = World::new(EAST_FIRST);
    let big = w.order("web", "1500.00", "standard", None);
    assert_eq!(big.status, OrderStatus::Held);
    assert_eq!(big.hold_reason.as_deref(), Some("high value: review"));
    assert!(big.allocations.is_empty());
    let out = w
        .ledger()
        .submit_blocking(Command::Release {
            id: big.id,
            by: Actor::Operator("dana".into()),
        })
        .unwrap();
    assert_eq!(
        out,
        Outcome::Order {
            id: big.id,
            status: OrderStatus::Allocated
        }
    );
    let big = w.stored(big.id);
    assert_eq!(
        locations_of(&big),
        ["wh-east"],
        "released, it is routed, not held again"
    );
    let history = w.history(&big);
    let routed: Vec<_> = history
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Routed { decision } => Some(decision),
            _ => None,
        })
        .collect();
    assert_eq!(routed.len(), 2);
    assert_eq!(routed[0].rule.as_deref(), Some("Review"));
    assert_eq!(routed[1].rule.as_deref(), Some("East first"));
    let released = history
        .iter()
        .find(|e| e.kind == EventKind::Released)
        .unwrap();
    assert_eq!(released.actor, Actor::Operator("dana".into()));
}

#[test]
fn daily_capacity_counts_orders_per_location() {
    let mut w = World::new(EAST_FIRST);
    let a = w.order("pos", "20.00", "standard", None);
    assert_eq!(locations_of(&a), ["store-nyc"]);
    let b = w.order("pos", "20.00", "standard", None);
    assert_eq!(
        locations_of(&b),
        ["wh-east"],
        "the store's capacity of 1 order is used up"
    );
    // The explanation says why the store lost.
    let decision = w
        .history(&b)
        .into_iter()
        .find_map(|e| match e.kind {
            EventKind::Routed { decision } => Some(decision),
            _ => None,
        })
        .unwrap();
    let store_rule = decision
        .explain
        .rules
        .iter()
        .find(|r| r.name == "Store first")
        .unwrap();
    assert!(store_rule.sites.iter().any(|s| matches!(
        s.verdict,
        Verdict::AtCapacity {
            allocated_today: 1,
            daily_capacity: 1
        }
    )));
    assert!(decision
        .explain
        .summary()
        .iter()
        .any(|l| l.contains("store-nyc")));
}

#[test]
fn pickup_goes_to_its_store_and_a_reroute_by_hand_records_who_and_why() {
    let mut w = World::new(EAST_FIRST);
    let pickup = w.order("web", "20.00", "pickup", Some("store-nyc"));
    assert_eq!(locations_of(&pickup), ["store-nyc"]);
    let out = w
        .ledger()
        .submit_blocking(Command::Reroute {
            id: pickup.id,
            location: "wh-west".into(),
            reason: "store closed for inventory".into(),
            by: Actor::Operator("dana".into()),
        })
        .unwrap();
    assert_eq!(
        out,
        Outcome::Order {
            id: pickup.id,
            status: OrderStatus::Allocated
        }
    );
    let moved = w.stored(pickup.id);
    assert_eq!(locations_of(&moved), ["wh-west"]);
    let last = w.history(&moved).pop().unwrap();
    assert_eq!(last.actor, Actor::Operator("dana".into()));
    assert_eq!(last.why, "store closed for inventory");
    assert!(matches!(last.kind, EventKind::Allocated { .. }));
    // Stock followed: nothing reserved at the store any more, 2 at wh-west.
    let store = w.engine.as_ref().unwrap().store().clone();
    assert!(ordo::store::check::check(&store).unwrap().is_clean());
    let err = w
        .ledger()
        .submit_blocking(Command::Reroute {
            id: pickup.id,
            location: "wh-nowhere".into(),
            reason: String::new(),
            by: Actor::Operator("dana".into()),
        })
        .unwrap_err();
    assert!(err.to_string().contains("unknown location `wh-nowhere`"));
}
