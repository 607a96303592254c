//! What the three channel simulators share: the order book a simulated shop keeps (orders as
//! ordo's generator makes them, each with the shop's own numeric id and its version times), the
//! fault switches tests flip (429 storms, 500s, slow answers, HTML pages, truncated bodies,
//! expired cursors), and serving a router on loopback.
//!
//! Each simulator (`shopify`, `woocommerce`, `amazon`) renders the book in its vendor's JSON,
//! speaks its vendor's paging and auth, and answers a fault the way its vendor does.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::model::ChannelOrder;

/// One order as a simulated shop holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct SimOrder {
    /// The shop's own id (Shopify's 13-digit id, WooCommerce's post id, Amazon's 3-7-7 id is
    /// derived from it).
    pub shop_id: u64,
    /// The order as the shop last saved it; `updated_at` is its version time.
    pub order: ChannelOrder,
}

/// The orders of one simulated shop, in the order they were last changed.
#[derive(Debug, Default)]
pub struct SimBook {
    orders: Mutex<Vec<SimOrder>>,
    next_id: AtomicU64,
}

impl SimBook {
    pub fn new(first_id: u64) -> SimBook {
        SimBook {
            orders: Mutex::new(Vec::new()),
            next_id: AtomicU64::new(first_id),
        }
    }

    pub fn lock(&self) -> MutexGuard<'_, Vec<SimOrder>> {
        // A panic while holding this lock is a bug in a simulator; the book is still usable.
        self.orders.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Adds a new order or replaces the version of the same external id; returns its shop id.
    /// An order's `external_id` is what the shop calls it; a new one gets the next shop id.
    pub fn upsert(&self, order: ChannelOrder) -> u64 {
        let mut orders = self.lock();
        if let Some(pos) = orders
            .iter()
            .position(|o| o.order.external_id == order.external_id)
        {
            let mut existing = orders.remove(pos);
            existing.order = order;
            let id = existing.shop_id;
            orders.push(existing);
            return id;
        }
        let shop_id = self.next_id.fetch_add(1, Ordering::Relaxed);
        orders.push(SimOrder { shop_id, order });
        shop_id
    }

    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Orders changed at or after `since` (and before `until` when given), oldest change first,
    /// ties by shop id: the order WooCommerce's `orderby=modified` and Amazon's search return.
    pub fn changed_between(
        &self,
        since: Option<DateTime<Utc>>,
        until: Option<DateTime<Utc>>,
    ) -> Vec<SimOrder> {
        let mut out: Vec<SimOrder> = self
            .lock()
            .iter()
            .filter(|o| since.is_none_or(|s| o.order.updated_at >= s))
            .filter(|o| until.is_none_or(|u| o.order.updated_at < u))
            .cloned()
            .collect();
        out.sort_by_key(|o| (o.order.updated_at, o.shop_id));
        out
    }
}

/// Fault switches, each counting down the answers it spoils (0 = off). Set them from a test in
/// the same process through [`Faults::set`], or over HTTP with `POST /_sim/faults`.
#[derive(Debug, Default)]
pub struct Faults {
    rate_limited: AtomicU32,
    server_errors: AtomicU32,
    html_pages: AtomicU32,
    truncated: AtomicU32,
    expired_cursors: AtomicU32,
    slow_ms: AtomicU64,
    /// How many requests the simulator has answered (faults included).
    pub requests: AtomicU64,
}

/// The JSON of `POST /_sim/faults`: how many upcoming answers each fault spoils.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FaultPlan {
    /// 429 with the vendor's throttle headers and body.
    pub rate_limited: u32,
    /// 500 (Shopify and WooCommerce as an HTML page, Amazon as its JSON error).
    pub server_errors: u32,
    /// 200 (WooCommerce: 202) with an HTML page instead of JSON.
    pub html_pages: u32,
    /// A 200 JSON answer cut off in the middle.
    pub truncated: u32,
    /// Page tokens refused as expired or undecodable.
    pub expired_cursors: u32,
    /// Every answer waits this long first.
    pub slow_ms: u64,
}

/// The fault an answer should show, in the order they are checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    RateLimited,
    ServerError,
    HtmlPage,
    Truncated,
}

impl Faults {
    pub fn set(&self, plan: FaultPlan) {
        self.rate_limited.store(plan.rate_limited, Ordering::SeqCst);
        self.server_errors
            .store(plan.server_errors, Ordering::SeqCst);
        self.html_pages.store(plan.html_pages, Ordering::SeqCst);
        self.truncated.store(plan.truncated, Ordering::SeqCst);
        self.expired_cursors
            .store(plan.expired_cursors, Ordering::SeqCst);
        self.slow_ms.store(plan.slow_ms, Ordering::SeqCst);
    }

    pub fn plan(&self) -> FaultPlan {
        FaultPlan {
            rate_limited: self.rate_limited.load(Ordering::SeqCst),
            server_errors: self.server_errors.load(Ordering::SeqCst),
            html_pages: self.html_pages.load(Ordering::SeqCst),
            truncated: self.truncated.load(Ordering::SeqCst),
            expired_cursors: self.expired_cursors.load(Ordering::SeqCst),
            slow_ms: self.slow_ms.load(Ordering::SeqCst),
        }
    }

    /// Called once per answer: counts the request, waits when answers are slow, and takes one
    /// fault if any is armed.
    pub async fn next(&self) -> Option<Fault> {
        self.requests.fetch_add(1, Ordering::Relaxed);
        let slow = self.slow_ms.load(Ordering::SeqCst);
        if slow > 0 {
            tokio::time::sleep(Duration::from_millis(slow)).await;
        }
        [
            (&self.rate_limited, Fault::RateLimited),
            (&self.server_errors, Fault::ServerError),
            (&self.html_pages, Fault::HtmlPage),
            (&self.truncated, Fault::Truncated),
        ]
        .into_iter()
        .find(|(counter, _)| take(counter))
        .map(|(_, fault)| fault)
    }

    /// Whether the page token of this request is to be refused (counts down).
    pub fn cursor_expired(&self) -> bool {
        take(&self.expired_cursors)
    }
}

fn take(counter: &AtomicU32) -> bool {
    counter
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok()
}

/// A time as the shops keep it: whole seconds.
pub fn whole_seconds(t: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp(t.timestamp(), 0).unwrap_or(t)
}

/// A body cut in the middle, as a proxy or a dying PHP worker leaves it. The declared
/// `Content-Length` is the full length, so the client sees the connection end early.
pub fn truncate(body: &str) -> String {
    body.chars().take(body.chars().count() / 2).collect()
}

/// A simulator running on loopback until dropped or shut down.
pub struct SimServer {
    pub addr: SocketAddr,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl SimServer {
    /// Serves `router` on `addr` (port 0 picks a free one). Loopback only: a simulator is never
    /// reachable from another machine.
    pub async fn start(router: axum::Router, addr: SocketAddr) -> std::io::Result<SimServer> {
        if !addr.ip().is_loopback() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("simulators listen on loopback only, not {addr}"),
            ));
        }
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let serve = axum::serve(listener, router).with_graceful_shutdown(async move {
                let _ = rx.await;
            });
            if let Err(e) = serve.await {
                tracing::warn!("simulator on {addr} stopped: {e}");
            }
        });
        Ok(SimServer {
            addr,
            shutdown: Some(tx),
            task: Some(task),
        })
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for SimServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// The physical stock behind shops that sell the same goods (the warehouse units ordo was
/// given, per SKU), shared by the shops of one [`super::world::SimWorld`]: every unit any shop
/// sells is taken from it, and a unit sold after its SKU's physical units ran out is oversold
/// (sold on the channel, never allocatable by ordo), counted against the shop that sold it.
/// A SKU it was never given units of is not counted (nothing is known of it). Deliveries add
/// units ([`SimWarehouse::receive`]); a channel-side cancellation does not give units back
/// (the shops do not model it).
#[derive(Debug, Default)]
pub struct SimWarehouse {
    inner: Mutex<WarehouseInner>,
}

#[derive(Debug, Default)]
struct WarehouseInner {
    /// Physical units not yet sold by any shop (below 0 once oversold), per SKU.
    left: std::collections::HashMap<String, i64>,
    oversold: u64,
}

impl SimWarehouse {
    fn lock(&self) -> MutexGuard<'_, WarehouseInner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The physical units of a SKU (a count: replaces what was there; units sold before are
    /// not taken off again).
    pub fn set(&self, sku: &str, units: i64) {
        self.lock().left.insert(sku.to_string(), units);
    }

    /// A delivery of `units` of a SKU.
    pub fn receive(&self, sku: &str, units: i64) {
        *self.lock().left.entry(sku.to_string()).or_default() += units;
    }

    /// Physical units of a SKU not yet sold (below 0: oversold by that much); None when the
    /// warehouse was never given the SKU.
    pub fn left(&self, sku: &str) -> Option<i64> {
        self.lock().left.get(sku).copied()
    }

    /// Units sold beyond the physical stock by every shop, so far.
    pub fn units_oversold(&self) -> u64 {
        self.lock().oversold
    }

    /// Whether it was given no SKU at all (then nothing is known of overselling).
    pub fn is_empty(&self) -> bool {
        self.lock().left.is_empty()
    }

    /// Takes `units` of a SKU sold by a shop; returns how many of them had no physical unit.
    fn sell(&self, sku: &str, units: u32) -> u64 {
        let mut w = self.lock();
        let Some(left) = w.left.get_mut(sku) else {
            return 0;
        };
        let units = i64::from(units);
        let covered = (*left).clamp(0, units);
        *left -= units;
        let oversold = (units - covered) as u64;
        w.oversold += oversold;
        oversold
    }
}

/// Shared state every simulator's handlers get: the book and the faults.
#[derive(Debug, Clone)]
pub struct SimShop {
    pub book: Arc<SimBook>,
    pub faults: Arc<Faults>,
    pub stock: Arc<SimStock>,
}

impl SimShop {
    pub fn new(first_id: u64) -> SimShop {
        SimShop {
            book: Arc::new(SimBook::new(first_id)),
            faults: Arc::new(Faults::default()),
            stock: Arc::new(SimStock::default()),
        }
    }
}

/// The stock a simulated shop believes it has: it sells from it, refuses a sale it cannot
/// cover (a shop that does not continue selling when out of stock), and takes ordo's pushes
/// as the new levels. A SKU it was never told about is unlimited until the first push.
#[derive(Debug, Default)]
pub struct SimStock {
    inner: Mutex<StockInner>,
    /// The physical stock this shop sells from with others, when it is in a world that has
    /// one (set once, by [`SimStock::share_warehouse`]).
    warehouse: std::sync::OnceLock<Arc<SimWarehouse>>,
}

#[derive(Debug, Default)]
struct StockInner {
    levels: std::collections::HashMap<String, i64>,
    sold: std::collections::BTreeMap<String, u64>,
    refused_sales: u64,
    /// Units this shop sold beyond the physical stock, per SKU (only with a warehouse).
    oversold: std::collections::BTreeMap<String, u64>,
    pushes: u64,
    /// Push latency samples: (the level pushed, ms from the push's `X-Ordo-Intent-At` to its
    /// arrival).
    latency_ms: Vec<(i64, u64)>,
    fulfillments: Vec<SimFulfillment>,
}

/// A shipment the shop was told about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimFulfillment {
    pub order_id: String,
    pub carrier: String,
    pub tracking: String,
    /// (line id or SKU, quantity).
    pub lines: Vec<(String, u32)>,
}

/// What `GET /_sim/stats` reports of a shop's stock side.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SimStockStats {
    /// Units sold per SKU.
    pub sold: std::collections::BTreeMap<String, u64>,
    pub units_sold: u64,
    /// Sales refused because the shop showed too little stock.
    pub refused_sales: u64,
    pub pushes: u64,
    pub push_latency_p50_ms: Option<u64>,
    pub push_latency_p99_ms: Option<u64>,
    /// The pushes of a low figure (at or below [`crate::channels::pusher::LOW_AT_OR_BELOW`]:
    /// the ones that keep a shop from overselling), and their latency.
    #[serde(default)]
    pub low_pushes: u64,
    #[serde(default)]
    pub low_push_latency_p50_ms: Option<u64>,
    #[serde(default)]
    pub low_push_latency_p99_ms: Option<u64>,
    pub fulfillments: usize,
    /// Units this shop sold after the physical units of their SKU had run out (sold on the
    /// channel, never allocatable by ordo); None when the shop has no physical stock to compare
    /// with (not in a world, or the world was given no units).
    #[serde(default)]
    pub units_oversold: Option<u64>,
    /// The same per SKU (SKUs with none left out).
    #[serde(default)]
    pub oversold: std::collections::BTreeMap<String, u64>,
    /// Units oversold by every shop that shares the physical stock with this one.
    #[serde(default)]
    pub world_units_oversold: Option<u64>,
}

impl SimStock {
    fn lock(&self) -> MutexGuard<'_, StockInner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Sets a level by hand (the shop's opening stock).
    pub fn set(&self, sku: &str, level: i64) {
        self.lock().levels.insert(sku.to_string(), level);
    }

    pub fn level(&self, sku: &str) -> Option<i64> {
        self.lock().levels.get(sku).copied()
    }

    /// Sells from `warehouse`'s physical stock from now on (with the other shops that share
    /// it). Once: false when the shop already had one.
    pub fn share_warehouse(&self, warehouse: Arc<SimWarehouse>) -> bool {
        self.warehouse.set(warehouse).is_ok()
    }

    /// Sells every line or none: refused when any SKU shows fewer units than asked.
    pub fn try_sell(&self, lines: &[(String, u32)]) -> bool {
        let mut s = self.lock();
        let short = lines.iter().any(|(sku, q)| {
            s.levels
                .get(sku)
                .is_some_and(|level| *level < i64::from(*q))
        });
        if short {
            s.refused_sales += 1;
            return false;
        }
        for (sku, q) in lines {
            if let Some(level) = s.levels.get_mut(sku) {
                *level -= i64::from(*q);
            }
            *s.sold.entry(sku.clone()).or_default() += u64::from(*q);
            // Under this shop's lock, so two shops' sales of the last unit are taken from the
            // warehouse one after the other (the warehouse's own lock orders them).
            let oversold = self.warehouse.get().map_or(0, |w| w.sell(sku, *q));
            if oversold > 0 {
                *s.oversold.entry(sku.clone()).or_default() += oversold;
            }
        }
        true
    }

    /// A push from ordo: the new level, and its latency when it says when it was committed
    /// (`intent_at_ms`, the `X-Ordo-Intent-At` header).
    pub fn apply_push(&self, sku: &str, level: i64, intent_at_ms: Option<i64>) {
        let mut s = self.lock();
        s.levels.insert(sku.to_string(), level);
        s.pushes += 1;
        if let Some(at) = intent_at_ms {
            let now = chrono::Utc::now().timestamp_millis();
            s.latency_ms
                .push((level, now.saturating_sub(at).max(0) as u64));
        }
    }

    /// Forgets the latency samples so far (a measurement that starts after an initial sync).
    pub fn reset_latency(&self) {
        self.lock().latency_ms.clear();
    }

    pub fn record_fulfillment(&self, f: SimFulfillment) {
        self.lock().fulfillments.push(f);
    }

    pub fn fulfillments(&self) -> Vec<SimFulfillment> {
        self.lock().fulfillments.clone()
    }

    /// (count, p50, p99) of the push latencies whose level is at or below `level` (all of
    /// them with `i64::MAX`).
    pub fn latency_at_or_below(&self, level: i64) -> (u64, Option<u64>, Option<u64>) {
        let s = self.lock();
        let mut lat: Vec<u64> = s
            .latency_ms
            .iter()
            .filter(|(l, _)| *l <= level)
            .map(|(_, ms)| *ms)
            .collect();
        lat.sort_unstable();
        (
            lat.len() as u64,
            percentile(&lat, 0.50),
            percentile(&lat, 0.99),
        )
    }

    pub fn stats(&self) -> SimStockStats {
        let (_, p50, p99) = self.latency_at_or_below(i64::MAX);
        let (low_pushes, low_p50, low_p99) =
            self.latency_at_or_below(crate::channels::pusher::LOW_AT_OR_BELOW);
        let warehouse = self.warehouse.get().filter(|w| !w.is_empty());
        let s = self.lock();
        SimStockStats {
            units_sold: s.sold.values().sum(),
            sold: s.sold.clone(),
            refused_sales: s.refused_sales,
            pushes: s.pushes,
            push_latency_p50_ms: p50,
            push_latency_p99_ms: p99,
            low_pushes,
            low_push_latency_p50_ms: low_p50,
            low_push_latency_p99_ms: low_p99,
            fulfillments: s.fulfillments.len(),
            units_oversold: warehouse.map(|_| s.oversold.values().sum()),
            oversold: s.oversold.clone(),
            world_units_oversold: warehouse.map(|w| w.units_oversold()),
        }
    }
}

/// The sample at fraction `p` of sorted samples (nearest rank).
fn percentile(sorted: &[u64], p: f64) -> Option<u64> {
    if sorted.is_empty() {
        return None;
    }
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    Some(sorted[i])
}

/// The `X-Ordo-Intent-At` header of a request, in ms since the epoch.
pub fn intent_at_ms(headers: &axum::http::HeaderMap) -> Option<i64> {
    headers
        .get(crate::channels::INTENT_AT_HEADER)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()
}
