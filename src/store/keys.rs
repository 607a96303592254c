//! The key layout of ordo's one sled tree. Every key starts with a one-byte prefix naming what
//! it holds; numbers are big-endian so that a prefix scan comes back in order.
//!
//! | prefix | key                                   | value            |
//! | ------ | ------------------------------------- | ---------------- |
//! | `m`    | meta name                             | u64 / version    |
//! | `o`    | order id                              | Order            |
//! | `x`    | channel \0 external id                | order id         |
//! | `s`    | status code, created-at ms, order id  | (empty)          |
//! | `c`    | channel \0 created-at ms, order id    | (empty)          |
//! | `q`    | location \0 status code, order id     | (empty)          |
//! | `k`    | sku \0 location                       | StockLevel       |
//! | `e`    | first event seq of a block            | [Event] (<= 16)  |
//! | `z`    | quarantine id                         | Quarantined      |
//! | `p`    | channel                               | ChannelCursor    |
//! | `w`    | channel \0 webhook delivery id        | received-at ms   |
//! | `b`    | channel \0 `s` sku                    | PushIntent       |
//! | `b`    | channel \0 `f` order id, shipment     | PushIntent       |
//! | `a`    | channel \0 sku                        | last ATS (i64)   |
//! | `n`    | sku \0 order id                        | (empty)          |
//!
//! `n` (who waits for a SKU) is what the ledger asks when stock arrives, and the location
//! queue `q` finds who holds stock at a location when a count comes in short; keeping them in
//! the store rather than in memory means the ledger starts without reading every open order. Meta also holds the order count
//! per status (`m\0count\0` + status code) and each location's orders allocated today
//! (`m\0cap\0` + location: day, count), for the same reason.

use chrono::{DateTime, Utc};

use crate::model::{Order, OrderId, OrderStatus, StockKey};

pub const META: u8 = b'm';
pub const ORDER: u8 = b'o';
pub const EXTERNAL: u8 = b'x';
pub const BY_STATUS: u8 = b's';
pub const BY_CHANNEL: u8 = b'c';
pub const BY_LOCATION: u8 = b'q';
pub const STOCK: u8 = b'k';
pub const EVENT: u8 = b'e';
pub const QUARANTINE: u8 = b'z';
pub const CURSOR: u8 = b'p';
pub const DELIVERY: u8 = b'w';
pub const OUTBOX: u8 = b'b';
pub const ATS: u8 = b'a';
pub const WAITING: u8 = b'n';

/// The prefixes of the secondary indexes: derived data that `check --repair` can rebuild.
pub const INDEX_PREFIXES: [u8; 5] = [EXTERNAL, BY_STATUS, BY_CHANNEL, BY_LOCATION, WAITING];

pub const META_NEXT_ORDER: &[u8] = b"m\0next_order";
pub const META_NEXT_EVENT: &[u8] = b"m\0next_event";
pub const META_NEXT_QUARANTINE: &[u8] = b"m\0next_quarantine";
pub const META_FORMAT: &[u8] = b"m\0format";
pub const META_NEXT_PUSH: &[u8] = b"m\0next_push";
/// The ledger's filter of stored order ids, saved at a clean shutdown in chunks under this
/// prefix (src/ledger/known_ids.rs).
pub const META_KNOWN_IDS: &[u8] = b"m\0known_ids\0";

/// Chunk `n` of the saved filter of order ids.
pub fn known_ids_chunk(n: u32) -> Vec<u8> {
    let mut k = META_KNOWN_IDS.to_vec();
    k.extend_from_slice(&n.to_be_bytes());
    k
}
/// Present once the per-status counts are kept in meta (stores of format 3 on).
pub const META_COUNT_PREFIX: &[u8] = b"m\0count\0";
pub const META_CAPACITY_PREFIX: &[u8] = b"m\0cap\0";

/// The stored count of orders in a status.
pub fn status_count(status: OrderStatus) -> Vec<u8> {
    let mut k = META_COUNT_PREFIX.to_vec();
    k.push(status.code());
    k
}

/// A location's count of orders allocated on its current day.
pub fn capacity(location: &str) -> Vec<u8> {
    let mut k = META_CAPACITY_PREFIX.to_vec();
    k.extend_from_slice(location.as_bytes());
    k
}

/// Sortable form of a signed time: flipping the sign bit makes big-endian bytes order like i64.
fn time_bytes(at: &DateTime<Utc>) -> [u8; 8] {
    ((at.timestamp_millis() as u64) ^ (1 << 63)).to_be_bytes()
}

pub fn order(id: OrderId) -> [u8; 9] {
    let mut k = [0u8; 9];
    k[0] = ORDER;
    k[1..].copy_from_slice(&id.to_be_bytes());
    k
}

pub fn id_from_order_key(key: &[u8]) -> Option<OrderId> {
    tail_u64(key)
}

/// The last eight bytes of a key as a big-endian number: every key that names an order or an
/// event ends with its id.
pub fn tail_u64(key: &[u8]) -> Option<u64> {
    let start = key.len().checked_sub(8)?;
    let bytes: [u8; 8] = key[start..].try_into().ok()?;
    Some(u64::from_be_bytes(bytes))
}

pub fn external(channel: &str, external_id: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(2 + channel.len() + external_id.len());
    k.push(EXTERNAL);
    k.extend_from_slice(channel.as_bytes());
    k.push(0);
    k.extend_from_slice(external_id.as_bytes());
    k
}

pub fn status_prefix(status: OrderStatus) -> [u8; 2] {
    [BY_STATUS, status.code()]
}

pub fn by_status(status: OrderStatus, created_at: &DateTime<Utc>, id: OrderId) -> [u8; 18] {
    let mut k = [0u8; 18];
    k[..2].copy_from_slice(&status_prefix(status));
    k[2..10].copy_from_slice(&time_bytes(created_at));
    k[10..].copy_from_slice(&id.to_be_bytes());
    k
}

pub fn cursor(channel: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(1 + channel.len());
    k.push(CURSOR);
    k.extend_from_slice(channel.as_bytes());
    k
}

/// Where a channel's push intents live.
pub fn outbox_prefix(channel: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(2 + channel.len());
    k.push(OUTBOX);
    k.extend_from_slice(channel.as_bytes());
    k.push(0);
    k
}

/// The one pending stock figure of (channel, SKU).
pub fn outbox_stock(channel: &str, sku: &str) -> Vec<u8> {
    let mut k = outbox_prefix(channel);
    k.push(b's');
    k.extend_from_slice(sku.as_bytes());
    k
}

/// A shipment of an order to report.
pub fn outbox_fulfillment(channel: &str, order: u64, shipment: u32) -> Vec<u8> {
    let mut k = outbox_prefix(channel);
    k.push(b'f');
    k.extend_from_slice(&order.to_be_bytes());
    k.extend_from_slice(&shipment.to_be_bytes());
    k
}

/// The channel an outbox key belongs to.
pub fn outbox_channel(key: &[u8]) -> Option<String> {
    let rest = key.strip_prefix(&[OUTBOX])?;
    let nul = rest.iter().position(|b| *b == 0)?;
    Some(String::from_utf8_lossy(&rest[..nul]).into_owned())
}

/// The last available-to-sell figure intended for (channel, SKU).
pub fn ats(channel: &str, sku: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(2 + channel.len() + sku.len());
    k.push(ATS);
    k.extend_from_slice(channel.as_bytes());
    k.push(0);
    k.extend_from_slice(sku.as_bytes());
    k
}

/// A webhook delivery already taken (its id as the channel sent it).
pub fn delivery(channel: &str, delivery_id: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(2 + channel.len() + delivery_id.len());
    k.push(DELIVERY);
    k.extend_from_slice(channel.as_bytes());
    k.push(0);
    k.extend_from_slice(delivery_id.as_bytes());
    k
}

pub fn channel_prefix(channel: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(2 + channel.len() + 16);
    k.push(BY_CHANNEL);
    k.extend_from_slice(channel.as_bytes());
    k.push(0);
    k
}

pub fn by_channel(channel: &str, created_at: &DateTime<Utc>, id: OrderId) -> Vec<u8> {
    let mut k = channel_prefix(channel);
    k.extend_from_slice(&time_bytes(created_at));
    k.extend_from_slice(&id.to_be_bytes());
    k
}

pub fn location_prefix(location: &str, status: Option<OrderStatus>) -> Vec<u8> {
    let mut k = Vec::with_capacity(2 + location.len() + 9);
    k.push(BY_LOCATION);
    k.extend_from_slice(location.as_bytes());
    k.push(0);
    if let Some(st) = status {
        k.push(st.code());
    }
    k
}

pub fn by_location(location: &str, status: OrderStatus, id: OrderId) -> Vec<u8> {
    let mut k = location_prefix(location, Some(status));
    k.extend_from_slice(&id.to_be_bytes());
    k
}

/// Where the orders waiting for units of a SKU are listed, oldest (lowest id) first.
pub fn waiting_prefix(sku: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(2 + sku.len() + 8);
    k.push(WAITING);
    k.extend_from_slice(sku.as_bytes());
    k.push(0);
    k
}

pub fn waiting(sku: &str, id: OrderId) -> Vec<u8> {
    let mut k = waiting_prefix(sku);
    k.extend_from_slice(&id.to_be_bytes());
    k
}

/// Every index key an order should have: computing them from the order alone means an update
/// can remove exactly the old version's keys and `check` can verify them.
pub fn index_keys(o: &Order) -> Vec<Vec<u8>> {
    let created = &o.channel_order.created_at;
    let mut keys = vec![
        by_status(o.status, created, o.id).to_vec(),
        by_channel(&o.channel_order.channel, created, o.id),
    ];
    for loc in o.locations() {
        keys.push(by_location(loc, o.status, o.id));
    }
    keys.extend(stock_index_keys(o));
    keys
}

/// The `n` keys of an order: a routed, open, unheld order short of units waits for each SKU
/// it is short of. (Who holds stock where is found through the location queue `q` instead:
/// an index entry per allocation would cost every order a write more per line, and the
/// question only comes up when a count comes in below what is reserved.)
pub fn stock_index_keys(o: &Order) -> Vec<Vec<u8>> {
    let mut keys = Vec::new();
    if o.waits_for_stock() {
        for (_, sku, _) in o.unplaced() {
            keys.push(waiting(&sku, o.id));
        }
    }
    // Two lines of one SKU are one entry.
    keys.sort_unstable();
    keys.dedup();
    keys
}

pub fn stock(key: &StockKey) -> Vec<u8> {
    let mut k = Vec::with_capacity(2 + key.sku.len() + key.location.len());
    k.push(STOCK);
    k.extend_from_slice(key.sku.as_bytes());
    k.push(0);
    k.extend_from_slice(key.location.as_bytes());
    k
}

pub fn stock_key_from(key: &[u8]) -> Option<StockKey> {
    let rest = key.strip_prefix(&[STOCK])?;
    let split = rest.iter().position(|b| *b == 0)?;
    Some(StockKey {
        sku: String::from_utf8(rest[..split].to_vec()).ok()?,
        location: String::from_utf8(rest[split + 1..].to_vec()).ok()?,
    })
}

/// Events are stored in blocks of consecutive events (one group's, at most
/// [`EVENTS_PER_BLOCK`]) under the first one's sequence number: a key per event would double the
/// keys an order writes, and the log is only ever appended to and read in ranges. Blocks stay
/// small (about 4 kB) because sled slows down sharply with large values: measured with
/// `cargo bench --bench ledger`, 64 events a block gave 16k orders/s, 16 gave 22k, 4 gave 21k.
pub const EVENTS_PER_BLOCK: usize = 16;

pub fn event_block(first_seq: u64) -> [u8; 9] {
    let mut k = [0u8; 9];
    k[0] = EVENT;
    k[1..].copy_from_slice(&first_seq.to_be_bytes());
    k
}

pub fn quarantine(id: u64) -> [u8; 9] {
    let mut k = [0u8; 9];
    k[0] = QUARANTINE;
    k[1..].copy_from_slice(&id.to_be_bytes());
    k
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn status_keys_sort_by_time_then_id_even_before_1970() {
        let early = Utc.with_ymd_and_hms(1969, 12, 31, 0, 0, 0).unwrap();
        let late = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let a = by_status(OrderStatus::New, &early, 9);
        let b = by_status(OrderStatus::New, &late, 1);
        let c = by_status(OrderStatus::New, &late, 2);
        assert!(a < b && b < c);
        assert_eq!(tail_u64(&c), Some(2));
    }

    #[test]
    fn stock_key_round_trips() {
        let k = StockKey::new("TSHIRT-M", "wh-east");
        assert_eq!(stock_key_from(&stock(&k)), Some(k));
    }
}
