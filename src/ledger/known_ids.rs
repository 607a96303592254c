//! Which (channel, external id) pairs the store may hold: a Bloom filter that lets intake skip
//! the store read for an order that is certainly new. A store read blocks while sled applies a
//! batch, so without it building the next group waits on the commit of the last.
//!
//! "Absent" is certain, "present" means "ask the store": a false positive costs one read, a
//! false negative would let a replayed order in twice, so every path that could leave the
//! filter short of the store's index drops it. The filter is saved at a clean shutdown with the
//! order counter it covers, and taken (and removed) at the next start when that counter still
//! matches, so a large store starts without reading its 1M keys of index; otherwise a thread
//! of its own reads the index while the ledger already works (asking the store meanwhile).

use std::sync::mpsc::{Receiver, TryRecvError};
use std::sync::Arc;

use crate::store::{keys, Store, StoreError, WriteBatch};

/// At least this many bits (128 KiB), and [`BITS_PER_ID`] for each id it is sized for: a store
/// of 1M orders gets a filter sized for 2M, 8 MiB, where a set of their hashes took ~32 MiB.
const MIN_BITS: u64 = 1 << 20;
/// Sized for twice the orders there are, at 16 bits each: ~0.05% false positives with 11
/// probes at that load, ~1% once the store has grown eightfold since the filter was sized.
const BITS_PER_ID: u64 = 32;
const PROBES: u32 = 11;
/// The record's layout: version byte, then the order counter, the bit count, the bits.
const RECORD_VERSION: u8 = 1;
/// The record is saved in chunks this large: sled keeps a leaf's records together and writes a
/// leaf over 128 KiB as a file of its own (in `blobs/`), which a chunk of 4 KiB never makes.
const CHUNK: usize = 4096;

/// FNV-1a, 64-bit, with the given offset basis: stable across Rust versions and builds, which
/// a saved filter needs (std's hashers promise no such thing).
fn fnv1a(basis: u64, bytes: &[u8]) -> u64 {
    let mut h = basis;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// The filter's input: the external-id index key after its prefix byte (channel, NUL, id),
/// so that loading can feed it the index's keys as they are.
pub fn id_bytes(channel: &str, external_id: &str) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(channel.len() + 1 + external_id.len());
    bytes.extend_from_slice(channel.as_bytes());
    bytes.push(0);
    bytes.extend_from_slice(external_id.as_bytes());
    bytes
}

/// A Bloom filter over id bytes, with a power-of-two bit count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bloom {
    words: Vec<u64>,
}

impl Bloom {
    /// Room for `expected` ids (at the sizing above).
    pub fn for_ids(expected: u64) -> Bloom {
        let bits = (expected.saturating_mul(BITS_PER_ID))
            .max(MIN_BITS)
            .next_power_of_two();
        Bloom {
            words: vec![0; (bits / 64) as usize],
        }
    }

    fn bits(&self) -> u64 {
        self.words.len() as u64 * 64
    }

    /// Kirsch–Mitzenmacher: the probes are h1 + i·h2 of two independent hashes.
    fn probes(&self, bytes: &[u8]) -> impl Iterator<Item = u64> {
        let h1 = fnv1a(0xcbf2_9ce4_8422_2325, bytes);
        let h2 = fnv1a(0x84222325_cbf29ce4, bytes) | 1;
        let mask = self.bits() - 1;
        (0..u64::from(PROBES)).map(move |i| h1.wrapping_add(i.wrapping_mul(h2)) & mask)
    }

    pub fn insert(&mut self, bytes: &[u8]) {
        let probes: Vec<u64> = self.probes(bytes).collect();
        for bit in probes {
            self.words[(bit / 64) as usize] |= 1 << (bit % 64);
        }
    }

    pub fn may_contain(&self, bytes: &[u8]) -> bool {
        self.probes(bytes)
            .all(|bit| self.words[(bit / 64) as usize] & (1 << (bit % 64)) != 0)
    }

    /// Whether `ids` ids still fit: past an eighth of the sizing the false positives (store
    /// reads) pass ~1%, and the next start sizes a new filter.
    fn fits(&self, ids: u64) -> bool {
        ids.saturating_mul(BITS_PER_ID) <= self.bits() * 4
    }

    fn encode(&self, orders: u64) -> Vec<u8> {
        let mut out = Vec::with_capacity(17 + self.words.len() * 8);
        out.push(RECORD_VERSION);
        out.extend_from_slice(&orders.to_be_bytes());
        out.extend_from_slice(&self.bits().to_be_bytes());
        for w in &self.words {
            out.extend_from_slice(&w.to_le_bytes());
        }
        out
    }

    /// (the order counter it covers, the filter), or None for a record of another shape.
    fn decode(bytes: &[u8]) -> Option<(u64, Bloom)> {
        let (&version, rest) = bytes.split_first()?;
        if version != RECORD_VERSION || rest.len() < 16 {
            return None;
        }
        let orders = u64::from_be_bytes(rest[..8].try_into().ok()?);
        let bits = u64::from_be_bytes(rest[8..16].try_into().ok()?);
        let body = &rest[16..];
        if !bits.is_power_of_two() || bits < 64 || body.len() as u64 != bits / 8 {
            return None;
        }
        let words = body
            .chunks_exact(8)
            // chunks_exact(8) yields slices of 8 bytes exactly.
            .map(|c| u64::from_le_bytes(c.try_into().expect("8 bytes")))
            .collect();
        Some((orders, Bloom { words }))
    }
}

/// The filter while it loads and once it has.
#[derive(Debug)]
pub enum KnownIds {
    /// The index is still being read: every order may be known (ask the store), and the ids
    /// stored meanwhile are kept to add when the filter arrives.
    Loading {
        from: Receiver<Bloom>,
        noted: Vec<Vec<u8>>,
    },
    Ready(Bloom),
    /// The index could not be read: the store answers every lookup.
    Unavailable,
}

impl Default for KnownIds {
    fn default() -> Self {
        KnownIds::Ready(Bloom::for_ids(0))
    }
}

impl KnownIds {
    /// The filter saved at the last clean shutdown if it still covers the store (and it is
    /// removed: from now on only this process keeps it right); else the index read on a thread.
    pub fn load(store: &Arc<Store>) -> Result<KnownIds, StoreError> {
        let orders = store.meta_u64(keys::META_NEXT_ORDER)?;
        let mut saved = Vec::new();
        let mut batch = WriteBatch::default();
        for item in store.raw_under(keys::META_KNOWN_IDS) {
            let (key, chunk) = item?;
            saved.extend_from_slice(&chunk);
            batch.remove(key.to_vec());
        }
        if !saved.is_empty() {
            store.commit(batch)?;
            match Bloom::decode(&saved) {
                Some((covers, bloom)) if covers == orders && bloom.fits(orders) => {
                    return Ok(KnownIds::Ready(bloom));
                }
                _ => tracing::info!("the saved order-id filter is stale: reading the index"),
            }
        }
        Ok(Self::read_index(store.clone(), orders))
    }

    fn read_index(store: Arc<Store>, orders: u64) -> KnownIds {
        let (tx, rx) = std::sync::mpsc::sync_channel(1);
        let spawned = std::thread::Builder::new()
            .name("ordo-known-ids".into())
            .spawn(move || {
                let mut bloom = Bloom::for_ids(orders.saturating_mul(2));
                for key in store.keys_under(keys::EXTERNAL) {
                    match key {
                        Ok(key) => bloom.insert(&key[1..]),
                        Err(e) => {
                            tracing::error!(error = %e, "reading the external-id index");
                            return;
                        }
                    }
                }
                let _ = tx.send(bloom);
            });
        if let Err(e) = spawned {
            tracing::error!(error = %e, "cannot start the thread that loads known order ids");
            return KnownIds::Unavailable;
        }
        KnownIds::Loading {
            from: rx,
            noted: Vec::new(),
        }
    }

    /// Takes the loaded filter if it has arrived.
    pub fn settle(&mut self) {
        if let KnownIds::Loading { from, noted } = self {
            match from.try_recv() {
                Ok(mut bloom) => {
                    for id in noted.drain(..) {
                        bloom.insert(&id);
                    }
                    *self = KnownIds::Ready(bloom);
                }
                Err(TryRecvError::Empty) => {}
                // The loading thread failed (it logged why). An empty filter would call stored
                // orders new, so the store keeps answering every lookup: slower, but right.
                Err(TryRecvError::Disconnected) => *self = KnownIds::Unavailable,
            }
        }
    }

    /// False means certainly not stored; true means look in the store.
    pub fn may_contain(&self, channel: &str, external_id: &str) -> bool {
        match self {
            KnownIds::Ready(bloom) => bloom.may_contain(&id_bytes(channel, external_id)),
            KnownIds::Loading { .. } | KnownIds::Unavailable => true,
        }
    }

    pub fn note(&mut self, channel: &str, external_id: &str) {
        let id = id_bytes(channel, external_id);
        match self {
            KnownIds::Ready(bloom) => bloom.insert(&id),
            KnownIds::Loading { noted, .. } => noted.push(id),
            KnownIds::Unavailable => {}
        }
    }

    /// Saves the filter for the next start, marked with the order counter it covers. Called
    /// once every group is committed; a filter not (yet) complete is not saved.
    pub fn save(&self, store: &Store) -> Result<(), StoreError> {
        let KnownIds::Ready(bloom) = self else {
            return Ok(());
        };
        let orders = store.meta_u64(keys::META_NEXT_ORDER)?;
        let mut batch = WriteBatch::default();
        for (n, chunk) in bloom.encode(orders).chunks(CHUNK).enumerate() {
            // At most 2^32 chunks of 4 KiB: far beyond any filter this sizes.
            let n = u32::try_from(n).unwrap_or(u32::MAX);
            batch.put(keys::known_ids_chunk(n), chunk.to_vec());
        }
        store.commit(batch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_was_inserted_is_always_found_and_little_else() {
        let mut bloom = Bloom::for_ids(100_000);
        for i in 0..100_000 {
            bloom.insert(&id_bytes("shopify", &i.to_string()));
        }
        for i in 0..100_000 {
            assert!(bloom.may_contain(&id_bytes("shopify", &i.to_string())));
        }
        let false_positives = (0..100_000)
            .filter(|i| bloom.may_contain(&id_bytes("amazon", &i.to_string())))
            .count();
        // Sized for 100k at 32 bits each: well under 0.1% expected.
        assert!(false_positives < 100, "{false_positives} false positives");
    }

    #[test]
    fn the_record_round_trips_and_refuses_other_shapes() {
        let mut bloom = Bloom::for_ids(10);
        bloom.insert(b"woo\x0042");
        let record = bloom.encode(7);
        assert_eq!(Bloom::decode(&record), Some((7, bloom.clone())));
        assert_eq!(Bloom::decode(&record[..record.len() - 1]), None);
        let mut other = record.clone();
        other[0] = 2;
        assert_eq!(Bloom::decode(&other), None);
        assert_eq!(Bloom::decode(&[]), None);
    }

    #[test]
    fn the_hash_is_fnv1a() {
        // The published FNV-1a 64 test vectors: a saved filter depends on these never changing.
        assert_eq!(fnv1a(0xcbf2_9ce4_8422_2325, b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(0xcbf2_9ce4_8422_2325, b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(
            fnv1a(0xcbf2_9ce4_8422_2325, b"foobar"),
            0x8594_4171_f739_67e8
        );
    }

    #[test]
    fn a_filter_grown_past_its_sizing_is_not_reused() {
        let bloom = Bloom::for_ids(1000);
        assert!(bloom.fits(1000));
        assert!(!bloom.fits(bloom.bits()));
    }
}
