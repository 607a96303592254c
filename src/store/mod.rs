//! The durable store: one sled tree with prefixed keys (see `keys`), written only through
//! [`Store::commit`], which applies a whole group atomically and flushes before returning.
//!
//! The rest of ordo sees this narrow interface (reads by id and by index, one atomic write of a
//! batch), not sled, so that another backend can stand behind it later.

pub mod check;
pub mod codec;
pub mod keys;
pub mod migrate;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use thiserror::Error;

use crate::model::{
    ChannelCursor, Event, Order, OrderId, OrderStatus, PushIntent, QuarantineId, Quarantined,
    StockKey, StockLevel,
};

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("the store at {dir} is in use by another ordo process (one engine owns a store); stop it, or attach to it")]
    Locked { dir: PathBuf },
    #[error("cannot open the store at {dir}: {source}")]
    Open { dir: PathBuf, source: sled::Error },
    #[error("the disk holding the store at {dir} is full; nothing of this group was written, free space and retry")]
    DiskFull { dir: PathBuf },
    #[error("store I/O failed at {dir} while {doing}: {source}")]
    Io {
        dir: PathBuf,
        doing: &'static str,
        source: sled::Error,
    },
    #[error("a group was written to the store at {dir} but the flush to disk failed ({source}); whether it survives a crash is unknown, so ordo stops writing: restart it and run `ordo check`")]
    NotDurable { dir: PathBuf, source: sled::Error },
    #[error("record {key} cannot be read: {why} (run `ordo check`)")]
    Corrupt { key: String, why: String },
    /// A store error of the engine behind `ordo serve`, or the socket to it failing, as its
    /// message (a console connected over the socket has no sled error to carry).
    #[error("{0}")]
    Remote(String),
}

/// ((channel, SKU), the last available-to-sell figure intended for it).
pub type AtsFigure = ((String, String), i64);

/// A human name for a key, for error messages and check reports.
pub fn describe_key(key: &[u8]) -> String {
    let tail = keys::tail_u64(key).unwrap_or(0);
    match key.first() {
        Some(&keys::ORDER) => format!("order {tail}"),
        Some(&keys::EVENT) => format!("event block {tail}"),
        Some(&keys::QUARANTINE) => format!("quarantine {tail}"),
        Some(&keys::CURSOR) => format!("cursor of channel {}", String::from_utf8_lossy(&key[1..])),
        Some(&keys::STOCK) => match keys::stock_key_from(key) {
            Some(k) => format!("stock {} at {}", k.sku, k.location),
            None => "a stock key".to_string(),
        },
        _ => format!("key {}", String::from_utf8_lossy(key).escape_debug()),
    }
}

/// Writes to apply together: all of them or none. Built straight into sled's own batch by
/// whoever prepares it (the ledger thread), so the commit thread, the bottleneck of ingest, only
/// applies and flushes.
#[derive(Default)]
pub struct WriteBatch {
    batch: sled::Batch,
    keys: u64,
    key_bytes: u64,
    value_bytes: u64,
}

impl WriteBatch {
    pub fn put(&mut self, key: impl Into<Vec<u8>>, value: impl Into<Vec<u8>>) {
        let (key, value) = (key.into(), value.into());
        self.keys += 1;
        self.key_bytes += key.len() as u64;
        self.value_bytes += value.len() as u64;
        self.batch.insert(key, value);
    }

    pub fn remove(&mut self, key: impl Into<Vec<u8>>) {
        let key = key.into();
        self.keys += 1;
        self.key_bytes += key.len() as u64;
        self.batch.remove(key);
    }

    pub fn is_empty(&self) -> bool {
        self.keys == 0
    }

    /// Key writes (puts and removes) in this batch.
    pub fn len(&self) -> usize {
        self.keys as usize
    }
}

/// A key and its value as bytes.
pub type RawRecord = (Vec<u8>, Vec<u8>);

pub struct Store {
    dir: PathBuf,
    db: sled::Db,
    pub(crate) tree: sled::Tree,
    stats: WriteStats,
}

/// What commits wrote since the store was opened: for benchmarks and health displays.
#[derive(Debug, Default)]
pub struct WriteStats {
    pub commits: AtomicU64,
    pub keys: AtomicU64,
    pub key_bytes: AtomicU64,
    pub value_bytes: AtomicU64,
}

impl Store {
    /// Opens (or creates) the store in `dir`. `cache_capacity` bounds sled's page cache in bytes.
    pub fn open(dir: &Path, cache_capacity: u64) -> Result<Store, StoreError> {
        std::fs::create_dir_all(dir).map_err(|e| StoreError::Open {
            dir: dir.to_path_buf(),
            source: sled::Error::Io(e),
        })?;
        let db = sled_config(dir, cache_capacity)
            .open()
            .map_err(|e| open_error(dir, e))?;
        let tree = db.open_tree("ordo").map_err(|e| open_error(dir, e))?;
        let store = Store {
            dir: dir.to_path_buf(),
            db,
            tree,
            stats: WriteStats::default(),
        };
        store.check_format()?;
        Ok(store)
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn check_format(&self) -> Result<(), StoreError> {
        match self.raw_get(keys::META_FORMAT)? {
            None => {
                let mut b = WriteBatch::default();
                b.put(keys::META_FORMAT, vec![migrate::LAYOUT_VERSION]);
                self.commit(b)
            }
            Some(v) if v.as_ref() == [migrate::LAYOUT_VERSION] => Ok(()),
            Some(v) if v.as_ref() == [2] => migrate::layout_2_to_3(self),
            Some(v) => Err(StoreError::Corrupt {
                key: "store format".into(),
                why: format!(
                    "the store was written in format {:?}; this ordo reads formats 2 and {}",
                    v.as_ref(),
                    migrate::LAYOUT_VERSION
                ),
            }),
        }
    }

    pub(crate) fn io(&self, doing: &'static str) -> impl Fn(sled::Error) -> StoreError + '_ {
        move |source| match &source {
            sled::Error::Io(e) if is_disk_full(e) => StoreError::DiskFull {
                dir: self.dir.clone(),
            },
            _ => StoreError::Io {
                dir: self.dir.clone(),
                doing,
                source,
            },
        }
    }

    fn raw_get(&self, key: &[u8]) -> Result<Option<sled::IVec>, StoreError> {
        self.tree.get(key).map_err(self.io("reading"))
    }

    /// Applies the batch atomically and flushes it to disk: once this returns Ok, the writes
    /// survive a crash (invariant 1 rests on this).
    pub fn commit(&self, batch: WriteBatch) -> Result<(), StoreError> {
        let WriteBatch {
            batch: sled_batch,
            keys,
            key_bytes,
            value_bytes,
        } = batch;
        self.tree
            .apply_batch(sled_batch)
            .map_err(self.io("committing a group"))?;
        self.db.flush().map_err(|source| StoreError::NotDurable {
            dir: self.dir.clone(),
            source,
        })?;
        self.stats.commits.fetch_add(1, Ordering::Relaxed);
        self.stats.keys.fetch_add(keys, Ordering::Relaxed);
        self.stats.key_bytes.fetch_add(key_bytes, Ordering::Relaxed);
        self.stats
            .value_bytes
            .fetch_add(value_bytes, Ordering::Relaxed);
        Ok(())
    }

    pub fn write_stats(&self) -> &WriteStats {
        &self.stats
    }

    pub fn meta_u64(&self, key: &[u8]) -> Result<u64, StoreError> {
        match self.raw_get(key)? {
            Some(v) => codec::decode_u64(key, &v),
            None => Ok(0),
        }
    }

    pub fn order(&self, id: OrderId) -> Result<Option<Order>, StoreError> {
        let key = keys::order(id);
        self.raw_get(&key)?
            .map(|v| codec::decode(&key, &v))
            .transpose()
    }

    pub fn order_id(
        &self,
        channel: &str,
        external_id: &str,
    ) -> Result<Option<OrderId>, StoreError> {
        let key = keys::external(channel, external_id);
        self.raw_get(&key)?
            .map(|v| codec::decode_u64(&key, &v))
            .transpose()
    }

    /// Order ids under an index prefix, in key order (oldest first for status and channel).
    pub fn ids_under(
        &self,
        prefix: &[u8],
    ) -> impl DoubleEndedIterator<Item = Result<OrderId, StoreError>> + '_ {
        self.tree.scan_prefix(prefix).map(move |item| {
            let (k, _) = item.map_err(self.io("scanning an index"))?;
            keys::tail_u64(&k).ok_or_else(|| StoreError::Corrupt {
                key: describe_key(&k),
                why: "index key too short".into(),
            })
        })
    }

    pub fn ids_by_status(
        &self,
        status: OrderStatus,
    ) -> impl DoubleEndedIterator<Item = Result<OrderId, StoreError>> + '_ {
        self.ids_under_owned(keys::status_prefix(status).to_vec())
    }

    pub fn ids_by_channel(
        &self,
        channel: &str,
    ) -> impl DoubleEndedIterator<Item = Result<OrderId, StoreError>> + '_ {
        self.ids_under_owned(keys::channel_prefix(channel))
    }

    pub fn ids_at_location(
        &self,
        location: &str,
        status: Option<OrderStatus>,
    ) -> impl DoubleEndedIterator<Item = Result<OrderId, StoreError>> + '_ {
        self.ids_under_owned(keys::location_prefix(location, status))
    }

    fn ids_under_owned(
        &self,
        prefix: Vec<u8>,
    ) -> impl DoubleEndedIterator<Item = Result<OrderId, StoreError>> + '_ {
        self.ids_under(&prefix)
    }

    /// Every order, in id (arrival) order.
    pub fn orders(&self) -> impl DoubleEndedIterator<Item = Result<Order, StoreError>> + '_ {
        self.decoded_under(keys::ORDER)
    }

    /// The event log in order.
    pub fn events(&self) -> impl Iterator<Item = Result<Event, StoreError>> + '_ {
        self.event_blocks().flat_map(|block| match block {
            Ok(events) => events.into_iter().map(Ok).collect::<Vec<_>>(),
            Err(e) => vec![Err(e)],
        })
    }

    pub(crate) fn event_blocks(
        &self,
    ) -> impl DoubleEndedIterator<Item = Result<Vec<Event>, StoreError>> + '_ {
        self.decoded_under(keys::EVENT)
    }

    pub fn event(&self, seq: u64) -> Result<Option<Event>, StoreError> {
        let Some(item) = self
            .tree
            .range(keys::event_block(0)..=keys::event_block(seq))
            .next_back()
        else {
            return Ok(None);
        };
        let (k, v) = item.map_err(self.io("reading an event"))?;
        let block: Vec<Event> = codec::decode(&k, &v)?;
        Ok(block.into_iter().find(|e| e.seq == seq))
    }

    /// How many orders are in a status, counted on its index (keys only, no records read).
    pub fn count_status(&self, status: OrderStatus) -> u64 {
        self.tree
            .scan_prefix(keys::status_prefix(status))
            .keys()
            .count() as u64
    }

    /// The newest `limit` events, newest first, reading only the blocks that hold them.
    pub fn recent_events(&self, limit: usize) -> Result<Vec<Event>, StoreError> {
        let mut out = Vec::with_capacity(limit);
        for block in self.event_blocks().rev() {
            for e in block?.into_iter().rev() {
                if out.len() == limit {
                    return Ok(out);
                }
                out.push(e);
            }
        }
        Ok(out)
    }

    /// An order's history, oldest first.
    pub fn history(&self, order: &Order) -> Result<Vec<Event>, StoreError> {
        let mut out = Vec::with_capacity(order.history.len());
        for seq in &order.history {
            if let Some(e) = self.event(*seq)? {
                out.push(e);
            }
        }
        Ok(out)
    }

    pub fn quarantined(
        &self,
    ) -> impl DoubleEndedIterator<Item = Result<Quarantined, StoreError>> + '_ {
        self.decoded_under(keys::QUARANTINE)
    }

    /// A channel's poll cursor; the default (nothing taken yet) when it has none.
    pub fn cursor(&self, channel: &str) -> Result<ChannelCursor, StoreError> {
        let key = keys::cursor(channel);
        match self.raw_get(&key)? {
            Some(v) => codec::decode(&key, &v),
            None => Ok(ChannelCursor::default()),
        }
    }

    /// One outbox entry by its key.
    pub fn outbox_entry(&self, key: &[u8]) -> Result<Option<PushIntent>, StoreError> {
        match self.raw_get(key)? {
            Some(v) => codec::decode(key, &v).map(Some),
            None => Ok(None),
        }
    }

    /// A channel's pending push intents (oldest key order: fulfillments, then stock by SKU).
    pub fn outbox(&self, channel: &str) -> Result<Vec<(Vec<u8>, PushIntent)>, StoreError> {
        let mut out = Vec::new();
        for item in self.tree.scan_prefix(keys::outbox_prefix(channel)) {
            let (k, v) = item.map_err(self.io("reading the outbox"))?;
            out.push((k.to_vec(), codec::decode(&k, &v)?));
        }
        Ok(out)
    }

    /// The last available-to-sell figure intended for (channel, SKU), if one was.
    pub fn ats_figure(&self, channel: &str, sku: &str) -> Result<Option<i64>, StoreError> {
        let key = keys::ats(channel, sku);
        match self.raw_get(&key)? {
            Some(v) => Ok(Some(codec::decode_u64(&key, &v)? as i64)),
            None => Ok(None),
        }
    }

    /// Every channel's last intended available-to-sell figures: ((channel, sku), figure).
    pub fn ats_figures(&self) -> Result<Vec<AtsFigure>, StoreError> {
        let mut out = Vec::new();
        for item in self.tree.scan_prefix([keys::ATS]) {
            let (k, v) = item.map_err(self.io("reading the available-to-sell figures"))?;
            let rest = &k[1..];
            let Some(nul) = rest.iter().position(|b| *b == 0) else {
                continue;
            };
            let channel = String::from_utf8_lossy(&rest[..nul]).into_owned();
            let sku = String::from_utf8_lossy(&rest[nul + 1..]).into_owned();
            out.push(((channel, sku), codec::decode_u64(&k, &v)? as i64));
        }
        Ok(out)
    }

    /// Whether a webhook delivery id of a channel has been taken before.
    pub fn has_delivery(&self, channel: &str, delivery_id: &str) -> Result<bool, StoreError> {
        Ok(self
            .raw_get(&keys::delivery(channel, delivery_id))?
            .is_some())
    }

    pub fn quarantine(&self, id: QuarantineId) -> Result<Option<Quarantined>, StoreError> {
        let key = keys::quarantine(id);
        self.raw_get(&key)?
            .map(|v| codec::decode(&key, &v))
            .transpose()
    }

    pub fn stock_levels(
        &self,
    ) -> impl DoubleEndedIterator<Item = Result<(StockKey, StockLevel), StoreError>> + '_ {
        self.tree.scan_prefix([keys::STOCK]).map(move |item| {
            let (k, v) = item.map_err(self.io("scanning stock"))?;
            let key = keys::stock_key_from(&k).ok_or_else(|| StoreError::Corrupt {
                key: describe_key(&k),
                why: "malformed stock key".into(),
            })?;
            Ok((key, codec::decode(&k, &v)?))
        })
    }

    fn decoded_under<T: serde::de::DeserializeOwned>(
        &self,
        prefix: u8,
    ) -> impl DoubleEndedIterator<Item = Result<T, StoreError>> + '_ {
        self.tree.scan_prefix([prefix]).map(move |item| {
            let (k, v) = item.map_err(self.io("scanning"))?;
            codec::decode(&k, &v)
        })
    }

    /// Raw keys under a one-byte prefix: for check, repair and rebuilding the ledger state.
    pub(crate) fn keys_under(
        &self,
        prefix: u8,
    ) -> impl Iterator<Item = Result<sled::IVec, StoreError>> + '_ {
        self.tree
            .scan_prefix([prefix])
            .keys()
            .map(move |k| k.map_err(self.io("scanning")))
    }

    /// Raw records under a prefix of any length.
    pub(crate) fn raw_under(
        &self,
        prefix: &[u8],
    ) -> impl DoubleEndedIterator<Item = Result<(sled::IVec, sled::IVec), StoreError>> + '_ {
        self.tree
            .scan_prefix(prefix)
            .map(move |item| item.map_err(self.io("scanning")))
    }

    /// Every key and value in the store, for benchmarks that replay the ledger's writes.
    #[doc(hidden)]
    pub fn raw_records(&self) -> Result<Vec<RawRecord>, StoreError> {
        self.tree
            .iter()
            .map(|item| {
                let (k, v) = item.map_err(self.io("scanning"))?;
                Ok((k.to_vec(), v.to_vec()))
            })
            .collect()
    }

    /// Direct write for tests that must corrupt a record on purpose.
    #[doc(hidden)]
    pub fn put_stock_unchecked(
        &self,
        key: &StockKey,
        level: &StockLevel,
    ) -> Result<(), StoreError> {
        self.put_raw_unchecked(&keys::stock(key), &codec::encode(level))
    }

    /// Direct write of any bytes under any key, for tests that damage a record on purpose.
    #[doc(hidden)]
    pub fn put_raw_unchecked(&self, key: &[u8], value: &[u8]) -> Result<(), StoreError> {
        let mut b = WriteBatch::default();
        b.put(key, value);
        self.commit(b)
    }

    /// Direct removal of any key, for tests that rebuild an older store's layout.
    #[doc(hidden)]
    pub fn remove_raw_unchecked(&self, key: &[u8]) -> Result<(), StoreError> {
        let mut b = WriteBatch::default();
        b.remove(key.to_vec());
        self.commit(b)
    }

    /// The records under a prefix, for tests.
    #[doc(hidden)]
    pub fn raw_records_under(&self, prefix: &[u8]) -> Vec<(Vec<u8>, Vec<u8>)> {
        self.tree
            .scan_prefix(prefix)
            .filter_map(|kv| kv.ok().map(|(k, v)| (k.to_vec(), v.to_vec())))
            .collect()
    }

    /// The keys under a one-byte prefix, for tests.
    #[doc(hidden)]
    pub fn raw_keys_under(&self, prefix: u8) -> Vec<Vec<u8>> {
        self.tree
            .scan_prefix([prefix])
            .keys()
            .filter_map(|k| k.ok().map(|k| k.to_vec()))
            .collect()
    }
}

/// How ordo opens sled: a bounded page cache, and no background flusher, because the ledger
/// flushes after every group (invariant 1) and a second flusher only competes with it.
pub fn sled_config(dir: &Path, cache_capacity: u64) -> sled::Config {
    sled::Config::new()
        .path(dir)
        .cache_capacity(cache_capacity)
        .flush_every_ms(None)
}

fn is_disk_full(e: &std::io::Error) -> bool {
    // ENOSPC (28) and EDQUOT (122) on Linux; StorageFull where the platform reports it.
    matches!(e.raw_os_error(), Some(28) | Some(122)) || e.kind() == std::io::ErrorKind::StorageFull
}

fn open_error(dir: &Path, e: sled::Error) -> StoreError {
    if let sled::Error::Io(io) = &e {
        // sled reports a held file lock as WouldBlock / "could not acquire lock".
        if io.kind() == std::io::ErrorKind::WouldBlock || io.to_string().contains("lock") {
            return StoreError::Locked {
                dir: dir.to_path_buf(),
            };
        }
        if is_disk_full(io) {
            return StoreError::DiskFull {
                dir: dir.to_path_buf(),
            };
        }
    }
    StoreError::Open {
        dir: dir.to_path_buf(),
        source: e,
    }
}
