//! What the library's own tests that drive a real engine share: a warehouse, an engine on a
//! temp-dir store with stock counted in, and an order taken in as a channel would send it.

use crate::engine::Engine;
use crate::ledger::{Command, LedgerSettings, Origin, Outcome, StockRow};
use crate::model::{Actor, ChannelOrder, Location, LocationKind, OnUnroutable};
use crate::routing::RuleSet;

/// A warehouse named by its id, without coordinates, capacity, tags or channels.
pub fn warehouse(id: &str, priority: u32) -> Location {
    Location {
        id: id.into(),
        name: id.into(),
        kind: LocationKind::Warehouse,
        priority: Some(priority),
        lat: None,
        lon: None,
        tags: vec![],
        channels: vec![],
        daily_capacity: None,
    }
}

/// An engine on a fresh temp-dir store (the dir lives as long as the first half) over
/// `locations` with the fallback rules, and `stock` (sku, location, on hand) counted in.
pub fn engine(
    locations: Vec<Location>,
    stock: &[(&str, &str, i64)],
) -> (tempfile::TempDir, Engine) {
    let dir = tempfile::tempdir().expect("temp dir");
    let settings = LedgerSettings::new(locations, 0, RuleSet::fallback(OnUnroutable::Backorder));
    let engine = Engine::with_settings(dir.path(), 8 << 20, settings).expect("engine");
    let rows = stock
        .iter()
        .map(|(sku, location, on_hand)| StockRow {
            sku: (*sku).into(),
            location: (*location).into(),
            on_hand: *on_hand,
            safety_stock: None,
        })
        .collect();
    engine
        .ledger()
        .submit_blocking(Command::SetStock {
            rows,
            by: Actor::System,
        })
        .expect("stock");
    (dir, engine)
}

/// Takes `order` in through the ledger, as ordo's own format.
pub fn ingest(engine: &Engine, order: ChannelOrder) -> Outcome {
    engine
        .ledger()
        .submit_blocking(Command::Ingest {
            order: Box::new(order),
            origin: Origin {
                source: "test".into(),
                format: "ordo".into(),
                raw: None,
            },
            resolves: None,
        })
        .expect("ingested")
}
