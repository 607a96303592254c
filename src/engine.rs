//! Wires the parts together: opens the store, starts the ledger, and hands out the client API
//! that the console and the command line use.

use std::path::Path;
use std::sync::Arc;

use crate::ledger::{Ledger, LedgerHandle, LedgerSettings};
use crate::store::{Store, StoreError};

pub struct Engine {
    ledger: Ledger,
}

impl Engine {
    /// Opens the store in `data_dir` (sled cache bounded to `cache_bytes`) and starts the ledger.
    pub fn open(
        data_dir: &Path,
        cache_bytes: u64,
        settings: LedgerSettings,
    ) -> Result<Engine, StoreError> {
        let store = Arc::new(Store::open(data_dir, cache_bytes)?);
        let ledger = Ledger::start(store, settings)?;
        Ok(Engine { ledger })
    }

    pub fn ledger(&self) -> LedgerHandle {
        self.ledger.handle()
    }

    pub fn store(&self) -> &Arc<Store> {
        self.ledger.store()
    }

    /// Finishes what is queued and stops the writer.
    pub fn shutdown(self) {
        self.ledger.shutdown();
    }
}
