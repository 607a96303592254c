//! What the screen shows, read through the client for the visible window only. [`load`] is a
//! plain synchronous function (the client's reads are sled reads); the event loop runs it on
//! the blocking pool so that the UI never waits for it.

use std::collections::BTreeMap;

use super::app::{Pane, Sort, QUEUES};
use super::filter::Filter;
use crate::client::StockFilter;
use crate::client::{Client, Counters, LocationCount, OrderDetail, OrderQuery, StockRow};
use crate::ledger::RulesStatus;
use crate::model::{ChannelHealth, Event, Location, Order, OrderId, OrderStatus};

/// What to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub pane: Pane,
    pub filter: Filter,
    /// The Inventory pane's own filter.
    pub stock_filter: StockFilter,
    /// First row of the window, and how many rows it has.
    pub top: usize,
    pub limit: usize,
    /// How the Orders pane sorts the rows it read.
    pub sort: Sort,
    /// The queue selected in the Queues pane.
    pub queue: Option<OrderStatus>,
    /// The location selected in the Queues pane (its rows follow the queues'): its orders
    /// are listed instead of a queue's.
    pub location: Option<String>,
    /// The order whose detail is open.
    pub detail: Option<OrderId>,
    /// Orders pane: the order under the cursor and its row in the window. When orders that
    /// arrived (or left) above it move it out of the window at `top`, the read finds it
    /// nearby and moves the window with it ([`Data::top`]), so that the cursor stays on it.
    pub anchor: Option<(OrderId, usize)>,
}

impl Request {
    /// Whether two requests read the same rows: the anchor only says where the cursor's
    /// order was, so a cursor that moved inside the window needs no new read.
    pub fn same_view(&self, other: &Request) -> bool {
        let strip = |r: &Request| Request {
            anchor: None,
            ..r.clone()
        };
        strip(self) == strip(other)
    }
}

/// How far (rows, either side of the window) a read looks for the cursor's order that left
/// the window: a burst of orders between two reads (~50 ms apart, longer over a slow socket or
/// after a reconnect) is well within it; farther away the cursor stays on its row.
pub const ANCHOR_SLACK: usize = 500;

/// A location's queue is counted up to this many orders a status, and shown as `10k+` beyond:
/// the count reads index keys only (no order), so a location of 700,000 orders costs at most
/// this many key reads a status (`cargo bench --bench console`, "queues" row).
pub const LOCATION_COUNT_BOUND: usize = 10_000;

/// One read of the screen's data. Only the current pane's part is filled, except the counters
/// and the channels' health (a few records), which the header shows on every pane.
#[derive(Debug, Clone)]
pub struct Data {
    pub pane: Pane,
    /// The first row read: the request's, or where the window moved with its anchor.
    pub top: usize,
    /// The `top` the request asked for.
    pub asked_top: usize,
    /// The request's anchor order, when the rows read hold it.
    pub anchor: Option<OrderId>,
    /// Rows of the pane's list that were read.
    pub rows: usize,
    pub more: bool,
    /// The list's length, when the counters tell it.
    pub total: Option<usize>,
    pub counters: Counters,
    pub orders: Vec<Order>,
    pub stock: Vec<StockRow>,
    /// Each channel's available-to-sell of the SKUs in `stock`, as last computed for the
    /// channel's outbox: (sku, channel) -> figure. Empty without channels.
    pub ats: BTreeMap<(String, String), i64>,
    pub events: Vec<Event>,
    pub rules: Option<RulesStatus>,
    pub locations: Vec<Location>,
    /// The first orders of the queue (or location) selected in the Queues pane.
    pub queue_orders: Vec<Order>,
    /// Queues pane: the orders in each location's queue, per status (up to
    /// [`LOCATION_COUNT_BOUND`] a status), for the location rows a page shows.
    pub location_counts: Vec<LocationCount>,
    pub detail: Option<OrderDetail>,
    /// Every configured channel's health (the Channels pane's rows, the header's counter).
    pub channels: Vec<ChannelHealth>,
    /// Set when the engine's scan for a filter's words, SKU globs or ages stopped after reading
    /// this many orders ([`crate::client::SCAN_LIMIT`]).
    pub scan_capped: Option<usize>,
    pub error: Option<String>,
    /// The engine could not be reached when this was read (`--connect`, the server down and
    /// the client reconnecting): the header says so instead of "live".
    pub offline: bool,
    /// False until the first read came back.
    pub loaded: bool,
    /// The Orders view the rows are of (as requested): the app acts on them only while it is
    /// still the view on screen.
    pub filter: Filter,
    pub sort: Sort,
    /// The Inventory filter the stock rows were read under (as requested).
    pub stock_filter: StockFilter,
}

impl Data {
    pub fn empty(pane: Pane) -> Data {
        Data {
            pane,
            top: 0,
            asked_top: 0,
            anchor: None,
            rows: 0,
            more: false,
            total: None,
            counters: Counters::default(),
            orders: vec![],
            stock: vec![],
            ats: BTreeMap::new(),
            events: vec![],
            rules: None,
            locations: vec![],
            queue_orders: vec![],
            location_counts: vec![],
            detail: None,
            channels: vec![],
            scan_capped: None,
            error: None,
            offline: false,
            loaded: false,
            filter: Filter::default(),
            sort: Sort::Index,
            stock_filter: StockFilter::default(),
        }
    }
}

impl Data {
    /// The Orders filter's match count as the footer shows it: exact when the counters or a
    /// scan to the end tell it, else the rows known so far and a `+` (a filter of words, SKUs,
    /// ages or a channel/location is not counted ahead of the window; counting it would scan
    /// up to 20,000 orders at every read).
    pub fn match_count(&self) -> Option<String> {
        if self.pane != Pane::Orders || !self.loaded {
            return None;
        }
        let known = self.top + self.rows;
        Some(match self.total {
            Some(t) => t.to_string(),
            None if self.more || self.scan_capped.is_some() => format!("{known}+"),
            None => known.to_string(),
        })
    }
}

impl Data {
    /// The Inventory filter's match count as the tab line shows it: exact once the read
    /// reached the last match, else the rows known so far and a `+` (not counted ahead of the
    /// window: that would walk the whole stock table at every read).
    pub fn stock_match_count(&self) -> Option<String> {
        if self.pane != Pane::Inventory || !self.loaded || self.stock_filter.is_empty() {
            return None;
        }
        let known = self.top + self.rows;
        Some(if self.more {
            format!("{known}+")
        } else {
            known.to_string()
        })
    }
}

/// Reads what `req` asks for. Errors are kept in `error` (shown in the footer), never raised.
pub fn load(client: &Client, req: &Request) -> Data {
    let mut d = Data::empty(req.pane);
    d.loaded = true;
    d.offline = !client.connected();
    d.top = req.top;
    d.asked_top = req.top;
    d.filter = req.filter.clone();
    d.sort = req.sort;
    d.stock_filter = req.stock_filter.clone();
    d.counters = client.counters();
    d.channels = client.channels();
    // A few records, kept by the client: the `:` line's Tab completes location ids from them.
    d.locations = client.locations();
    if let Err(e) = load_pane(client, req, &mut d) {
        d.error = Some(e);
    }
    if let Some(id) = req.detail {
        match client.order(id) {
            Ok(Some(detail)) => d.detail = Some(detail),
            Ok(None) => d.error = Some(format!("order {id} does not exist")),
            Err(e) => d.error = Some(e.to_string()),
        }
    }
    d
}

fn load_pane(client: &Client, req: &Request, d: &mut Data) -> Result<(), String> {
    let limit = req.limit.max(1);
    match req.pane {
        Pane::Orders => {
            // The engine matches the whole filter and sends the page alone.
            let q = &req.filter.query;
            let mut top = req.top;
            let mut page = client.orders(q, top, limit).map_err(|e| e.to_string())?;
            if let Some((id, row)) = req.anchor {
                if !page.rows.iter().any(|o| o.id == id) {
                    // The cursor's order left the window: find it nearby (a page either
                    // side first: what a read's worth of arrivals moves it; then farther),
                    // and take the window that has it on the same screen row.
                    for slack in [limit, ANCHOR_SLACK.max(limit)] {
                        let from = top.saturating_sub(slack);
                        let mut near = client
                            .orders(q, from, limit + 2 * slack)
                            .map_err(|e| e.to_string())?;
                        let Some(pos) = near.rows.iter().position(|o| o.id == id) else {
                            continue;
                        };
                        // `pos - row` >= `pos - (limit - 1)`, and `pos` is found: the new
                        // window starts inside what was read.
                        let start = pos.saturating_sub(row.min(limit - 1));
                        top = from + start;
                        let end = (start + limit).min(near.rows.len());
                        let more = end < near.rows.len() || near.more;
                        near.rows.truncate(end);
                        near.rows.drain(..start);
                        near.more = more;
                        page = near;
                        break;
                    }
                }
                if page.rows.iter().any(|o| o.id == id) {
                    d.anchor = Some(id);
                }
            }
            d.top = top;
            d.rows = page.rows.len();
            d.more = page.more;
            d.orders = page.rows;
            d.scan_capped = page.capped;
            d.total = if !q.scans() {
                indexed_total(q, &d.counters)
            } else if !d.more && page.capped.is_none() {
                // The scan reached the end of the index: this is the last window.
                Some(top + d.rows)
            } else {
                None
            };
            sort_orders(&mut d.orders, req.sort);
        }
        Pane::Inventory => {
            // The engine matches the Inventory's filter and sends the page alone.
            let page = client
                .stock_matching(&req.stock_filter.query, req.top, limit)
                .map_err(|e| e.to_string())?;
            d.rows = page.rows.len();
            d.more = page.more;
            d.stock = page.rows;
            // The window's SKUs (rows come sorted by SKU, so duplicates are neighbours).
            let mut skus: Vec<&str> = d.stock.iter().map(|r| r.key.sku.as_str()).collect();
            skus.dedup();
            if !skus.is_empty() && d.channels.iter().any(|h| h.enabled) {
                d.ats = client
                    .available_to_sell(&skus)
                    .map_err(|e| e.to_string())?
                    .into_iter()
                    .map(|(sku, channel, ats)| ((sku, channel), ats))
                    .collect();
            }
        }
        Pane::Events => {
            let mut events = client
                .recent_events(req.top + limit + 1)
                .map_err(|e| e.to_string())?;
            d.more = events.len() > req.top + limit;
            events.truncate(req.top + limit);
            d.events = events.split_off(req.top.min(events.len()));
            d.rows = d.events.len();
        }
        Pane::Queues => {
            d.top = 0;
            // The location rows follow the queues' in the list (a page of them at most, the
            // rows the screen can show): each counted on the location queue's keys, bounded.
            let shown: Vec<String> = d
                .locations
                .iter()
                .take(limit)
                .map(|l| l.id.clone())
                .collect();
            d.rows = QUEUES.len() + shown.len();
            d.total = Some(d.rows);
            if !shown.is_empty() {
                d.location_counts = client
                    .location_counts(&shown, LOCATION_COUNT_BOUND)
                    .map_err(|e| e.to_string())?;
            }
            let q = match (&req.location, req.queue) {
                (Some(loc), _) => Some(OrderQuery {
                    location: Some(loc.clone()),
                    ..OrderQuery::default()
                }),
                (None, Some(status)) => Some(OrderQuery {
                    status: Some(status),
                    ..OrderQuery::default()
                }),
                (None, None) => None,
            };
            if let Some(q) = q {
                let page = client.orders(&q, 0, limit).map_err(|e| e.to_string())?;
                d.queue_orders = page.rows;
            }
        }
        Pane::Rules => {
            let rules = client.rules();
            d.rows = rules.rules.len();
            d.total = Some(d.rows);
            d.rules = Some(rules);
        }
        Pane::Channels => {
            // Every channel (a handful): the table scrolls itself to the selected row.
            d.top = 0;
            d.rows = d.channels.len();
            d.total = Some(d.rows);
        }
    }
    Ok(())
}

/// The length of an index-only list, from the live counters (no scan).
fn indexed_total(q: &OrderQuery, c: &Counters) -> Option<usize> {
    if q.channel.is_some() || q.location.is_some() {
        return None;
    }
    let n = match q.status {
        Some(s) => c.by_status.get(&s).copied().unwrap_or(0),
        None => c.by_status.values().sum(),
    };
    Some(n as usize)
}

/// Sorts the rows on screen (stable: ties keep the index order, latest received first).
pub fn sort_orders(orders: &mut [Order], sort: Sort) {
    match sort {
        Sort::Index => {}
        Sort::Id => orders.sort_by_key(|o| o.id),
        Sort::Age => orders.sort_by_key(|o| o.channel_order.created_at),
        Sort::Total => orders.sort_by(|a, b| {
            b.channel_order
                .totals
                .total
                .cmp(&a.channel_order.totals.total)
        }),
        Sort::Status => orders.sort_by_key(|o| {
            QUEUES
                .iter()
                .position(|s| *s == o.status)
                .unwrap_or(QUEUES.len())
        }),
    }
}

/// One line of the re-route picker: a location, what it has of the order's SKUs, and how far
/// it is from the ship-to.
#[derive(Debug, Clone, PartialEq)]
pub struct RerouteOption {
    pub location: String,
    pub kind: &'static str,
    /// (sku, units the order needs, units available here), in the order's line order.
    pub stock: Vec<(String, u64, i64)>,
    /// Every SKU has the units the order needs.
    pub covers: bool,
    /// Great-circle distance from the ship-to; `None` when either point has no coordinates.
    pub distance_km: Option<f64>,
    /// The order holds reservations here now.
    pub current: bool,
}

/// Stock records are read in pages of this many while looking for the order's SKUs.
const STOCK_PAGE: usize = 1024;

/// The re-route options of an order: every location, those that cover the whole order first,
/// then the nearest. Reads the order, and pages through the client's stock list keeping the
/// order's SKUs (the client has no per-SKU stock read yet).
pub fn reroute_options(client: &Client, id: OrderId) -> Result<Vec<RerouteOption>, String> {
    let order = client
        .order(id)
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("order {id} does not exist"))?
        .order;
    let co = &order.channel_order;
    let mut need: Vec<(String, u64)> = Vec::new();
    for l in &co.lines {
        match need.iter_mut().find(|(s, _)| *s == l.sku) {
            Some((_, q)) => *q += u64::from(l.quantity),
            None => need.push((l.sku.clone(), u64::from(l.quantity))),
        }
    }
    let mut levels: std::collections::HashMap<(String, String), i64> = Default::default();
    let mut offset = 0;
    loop {
        let page = client
            .stock(offset, STOCK_PAGE)
            .map_err(|e| e.to_string())?;
        offset += page.rows.len();
        for r in page.rows {
            if need.iter().any(|(s, _)| *s == r.key.sku) {
                levels.insert((r.key.sku, r.key.location), r.level.available());
            }
        }
        if !page.more {
            break;
        }
    }
    let to = co.ship_to.as_ref().map(|a| {
        crate::routing::geo::ship_to_coordinates(
            a.lat,
            a.lon,
            Some(a.country.as_str()),
            Some(a.postal_code.as_str()),
        )
    });
    let current = order.locations();
    let mut out: Vec<RerouteOption> = client
        .locations()
        .iter()
        .map(|loc| {
            let stock: Vec<(String, u64, i64)> = need
                .iter()
                .map(|(sku, q)| {
                    let avail = levels
                        .get(&(sku.clone(), loc.id.clone()))
                        .copied()
                        .unwrap_or(0);
                    (sku.clone(), *q, avail)
                })
                .collect();
            let covers = stock.iter().all(|(_, q, a)| *a >= *q as i64);
            let distance_km = to
                .map(|(lat, lon, _)| {
                    crate::routing::geo::distance_km((lat, lon), (loc.lat, loc.lon))
                })
                .filter(|d| d.is_finite());
            RerouteOption {
                location: loc.id.clone(),
                kind: loc.kind.as_str(),
                stock,
                covers,
                distance_km,
                current: current.contains(&loc.id.as_str()),
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.covers.cmp(&a.covers).then(
            a.distance_km
                .unwrap_or(f64::INFINITY)
                .total_cmp(&b.distance_km.unwrap_or(f64::INFINITY)),
        )
    });
    Ok(out)
}
