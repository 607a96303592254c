//! Wires the parts together: opens the store, starts the ledger with the config's locations
//! and rules, watches the config for rule edits, and hands out the client API that the console
//! and the command line use.

pub mod channels;
pub mod hub;
pub mod intake;
pub mod socket;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use crate::client::Client;
use crate::config::Config;
use crate::ledger::{
    ChannelSync, Command, Ledger, LedgerError, LedgerHandle, LedgerSettings, RulesSource,
};
use crate::model::Location;
use crate::routing::RuleSet;
use crate::store::{Store, StoreError};
use hub::ChannelsHub;

pub struct Engine {
    ledger: Ledger,
    locations: Vec<Location>,
    hub: Arc<ChannelsHub>,
}

impl Engine {
    /// Opens the store in `data_dir` and starts the ledger on the config's locations and rules.
    /// When the config came from a file, edits of its rules take effect for the next order.
    pub fn open(config: &Config, data_dir: &Path) -> Result<Engine, StoreError> {
        let mut settings = LedgerSettings::new(
            config.locations.clone(),
            config.inventory.default_safety_stock,
            config.rule_set(),
        );
        if let Some(path) = &config.source {
            let watcher = ConfigRulesWatcher::new(path, &config.locations);
            settings.rules_source = Some(Box::new(watcher));
        }
        settings.channels = config
            .channels
            .iter()
            .filter(|c| c.enabled)
            .map(|c| ChannelSync {
                id: c.id.clone(),
                buffers: c.buffers(),
            })
            .collect();
        let push_to_channels = !settings.channels.is_empty();
        let mut engine = Engine::with_settings(
            data_dir,
            config.store.cache_capacity_mb * 1024 * 1024,
            settings,
        )?;
        engine.hub = Arc::new(ChannelsHub::new(&config.channels));
        if push_to_channels {
            // A channel added, or buffers changed, since the last run: its figures go out now.
            // From a plain thread, so that opening an engine works inside an async runtime too
            // (opening is blocking anyway: sled recovers the store).
            let ledger = engine.ledger();
            std::thread::spawn(move || ledger.submit_blocking(Command::SyncAts))
                .join()
                .map_err(|_| StoreError::Corrupt {
                    key: "available-to-sell".into(),
                    why: "the start-up sync of channel figures panicked".into(),
                })?
                .map_err(|e| match e {
                    LedgerError::Store(e) => e,
                    other => StoreError::Corrupt {
                        key: "available-to-sell".into(),
                        why: other.to_string(),
                    },
                })?;
        }
        Ok(engine)
    }

    /// The same with settings made by the caller (tests, benchmarks).
    pub fn with_settings(
        data_dir: &Path,
        cache_bytes: u64,
        settings: LedgerSettings,
    ) -> Result<Engine, StoreError> {
        let store = Arc::new(Store::open(data_dir, cache_bytes)?);
        let locations = settings.locations.clone();
        let ledger = Ledger::start(store, settings)?;
        Ok(Engine {
            ledger,
            locations,
            hub: Arc::new(ChannelsHub::default()),
        })
    }

    pub fn ledger(&self) -> LedgerHandle {
        self.ledger.handle()
    }

    pub fn store(&self) -> &Arc<Store> {
        self.ledger.store()
    }

    /// The client API for a console or a script (reads through the store's indexes, changes
    /// through the ledger).
    pub fn client(&self) -> Client {
        Client::new(self.store().clone(), self.ledger(), self.locations.clone())
            .with_channels(self.hub.clone())
    }

    /// The channels' health and controls (empty when the config has no channels).
    pub fn hub(&self) -> &Arc<ChannelsHub> {
        &self.hub
    }

    /// Finishes what is queued and stops the writer.
    pub fn shutdown(self) {
        self.ledger.shutdown();
    }
}

/// Hot reload of the routing rules: the ledger asks before each group whether the config file
/// changed (a stat, a few microseconds), so an edit applies to the very next order. An edit
/// that does not load is refused with its message and the rules in force stay. Only the rules
/// (and `on_unroutable`) are taken live; other settings need a restart.
pub struct ConfigRulesWatcher {
    path: PathBuf,
    seen: Option<Stamp>,
    /// The locations the ledger runs with: rules are checked against these.
    locations: Vec<Location>,
}

impl ConfigRulesWatcher {
    pub fn new(path: &Path, locations: &[Location]) -> ConfigRulesWatcher {
        ConfigRulesWatcher {
            path: path.to_path_buf(),
            seen: stamp(path),
            locations: locations.to_vec(),
        }
    }
}

/// What tells one version of the file from another: its modification time and size, and,
/// while the file is younger than two seconds, a hash of its text too: two saves of the same
/// size within one tick of the file system's clock have the same time.
type Stamp = (SystemTime, u64, Option<u64>);

fn stamp(path: &Path) -> Option<Stamp> {
    let meta = std::fs::metadata(path).ok()?;
    let modified = meta.modified().ok()?;
    let recent = modified
        .elapsed()
        .map_or(true, |age| age < std::time::Duration::from_secs(2));
    let hash = if recent {
        use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
        let text = std::fs::read(path).ok()?;
        Some(BuildHasherDefault::<DefaultHasher>::default().hash_one(&text))
    } else {
        None
    };
    Some((modified, meta.len(), hash))
}

/// Same time and size, and the same text where both stamps hashed it (a stamp taken once the
/// file is older than two seconds has no hash, and the time alone then tells).
fn same_version(a: Stamp, b: Stamp) -> bool {
    a.0 == b.0 && a.1 == b.1 && (a.2 == b.2 || a.2.is_none() || b.2.is_none())
}

impl RulesSource for ConfigRulesWatcher {
    fn poll(&mut self) -> Option<Result<RuleSet, String>> {
        // A file that is briefly missing (an editor replacing it) is looked at again next time.
        let now = stamp(&self.path)?;
        if self.seen.is_some_and(|seen| same_version(seen, now)) {
            return None;
        }
        self.seen = Some(now);
        let config = match Config::load(&self.path) {
            Ok(config) => config,
            Err(e) => return Some(Err(e.to_string())),
        };
        if config.locations != self.locations {
            // Rules naming a new location would match nothing in the running ledger.
            return Some(Err(format!(
                "{}: [[locations]] changed; locations take effect after a restart, so the rules were not reloaded either",
                self.path.display()
            )));
        }
        Some(Ok(config.rule_set()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "[[rules]]\nname = \"East\"\nlocations = [\"*\"]\n";
    const B: &str = "[[rules]]\nname = \"West\"\nlocations = [\"*\"]\n";

    #[test]
    fn a_same_size_save_within_one_clock_tick_is_noticed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ordo.toml");
        std::fs::write(&path, A).unwrap();
        let mtime = std::fs::metadata(&path).unwrap().modified().unwrap();
        let mut watcher = ConfigRulesWatcher::new(&path, &[]);
        assert!(watcher.poll().is_none(), "nothing changed yet");
        // The same size, and the time set back to the first save's: only the text differs.
        std::fs::write(&path, B).unwrap();
        std::fs::File::options()
            .write(true)
            .open(&path)
            .unwrap()
            .set_modified(mtime)
            .unwrap();
        let reloaded = watcher.poll().expect("the edit is noticed").unwrap();
        assert_eq!(reloaded.rules()[0].name, "West");
        assert!(watcher.poll().is_none(), "and taken once");
    }
}
