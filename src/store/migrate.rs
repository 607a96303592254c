//! Upgrades a store written by an earlier ordo in place, when only derived data changed. The
//! store's layout version (`m\0format`) says what a store holds; records carry their own
//! version in their first byte ([`codec::FORMAT_VERSION`]).

use std::collections::BTreeMap;

use super::{codec, keys, Store, StoreError, WriteBatch};
use crate::model::{Order, OrderStatus};

/// The layout this ordo writes: 3 added the `n` index (who waits for stock) and the
/// per-status counts in meta, so that starting does not read every order.
pub const LAYOUT_VERSION: u8 = 3;

/// Index keys written per commit while upgrading: bounded so the upgrade of a large store
/// does not hold it all in one batch.
const KEYS_PER_COMMIT: usize = 20_000;

/// Layout 2 (same records) to 3: derives the new indexes and counts from the orders. Safe to
/// interrupt: the keys it writes are derived, and the version is set last, so a restart
/// upgrades again from the start.
pub(super) fn layout_2_to_3(store: &Store) -> Result<(), StoreError> {
    tracing::info!(dir = %store.dir().display(), "upgrading the store from layout 2 to 3");
    let mut counts: BTreeMap<OrderStatus, u64> = BTreeMap::new();
    let mut batch = WriteBatch::default();
    let mut pending = 0;
    for item in store.tree.scan_prefix([keys::ORDER]) {
        let (k, v) = item.map_err(store.io("upgrading the store"))?;
        let order: Order = codec::decode(&k, &v)?;
        *counts.entry(order.status).or_default() += 1;
        for key in keys::stock_index_keys(&order) {
            batch.put(key, Vec::new());
            pending += 1;
        }
        if pending >= KEYS_PER_COMMIT {
            store.commit(std::mem::take(&mut batch))?;
            pending = 0;
        }
    }
    for status in OrderStatus::ALL {
        let n = counts.get(&status).copied().unwrap_or(0);
        batch.put(keys::status_count(status), codec::encode_u64(n).to_vec());
    }
    batch.put(keys::META_FORMAT, vec![LAYOUT_VERSION]);
    store.commit(batch)
}
