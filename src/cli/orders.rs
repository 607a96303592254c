//! `ordo orders` and `ordo export`: read-only views of the store. Filters go through the
//! store's indexes, so a listing reads only the orders it shows.

use std::io::Write;

use anyhow::Result;
use clap::{Args, ValueEnum};
use serde::Serialize;

use crate::model::{Decision, Event, EventKind, Order, OrderId, OrderStatus};
use crate::store::{Store, StoreError};

use super::{user, Context, Format};

#[derive(Args, Debug)]
pub struct OrdersArgs {
    /// Only orders in this status (new, allocated, partially_allocated, backordered, held,
    /// partially_shipped, shipped, cancelled).
    #[arg(long)]
    pub status: Option<String>,
    /// Only orders from this channel.
    #[arg(long)]
    pub channel: Option<String>,
    /// Only orders allocated at this location.
    #[arg(long)]
    pub location: Option<String>,
    /// At most this many (oldest first).
    #[arg(long)]
    pub limit: Option<usize>,
    /// One JSON object per line: the whole order as stored, with its last routing decision
    /// (`routing`: status, rule, allocations, reason, and the explanation).
    #[arg(long)]
    pub json: bool,
    /// Under each order, why routing decided as it did (every rule tried, every location).
    #[arg(long)]
    pub explain: bool,
}

#[derive(Serialize)]
struct OrderView<'a> {
    #[serde(flatten)]
    order: &'a Order,
    routing: Option<Decision>,
}

/// The order's most recent routing decision, from its own event history.
fn last_decision(store: &Store, order: &Order) -> Result<Option<Decision>, StoreError> {
    for seq in order.history.iter().rev() {
        if let Some(Event {
            kind: EventKind::Routed { decision },
            ..
        }) = store.event(*seq)?
        {
            return Ok(Some(decision));
        }
    }
    Ok(None)
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum ExportWhat {
    Orders,
    Inventory,
    Events,
}

#[derive(Args, Debug)]
pub struct ExportArgs {
    pub what: ExportWhat,
    #[arg(long, value_enum, default_value = "jsonl")]
    pub format: Format,
}

fn parse_status(s: &str) -> Result<OrderStatus> {
    OrderStatus::parse(s).ok_or_else(|| {
        let all: Vec<&str> = OrderStatus::ALL.iter().map(|s| s.as_str()).collect();
        user(format!("unknown status `{s}`; one of: {}", all.join(", ")))
    })
}

/// The ids a filter selects, from the narrowest index that serves it.
fn select<'a>(
    store: &'a Store,
    args: &'a OrdersArgs,
) -> Result<Box<dyn Iterator<Item = Result<Order, StoreError>> + 'a>> {
    let status = args.status.as_deref().map(parse_status).transpose()?;
    let ids: Box<dyn Iterator<Item = Result<OrderId, StoreError>>> =
        match (&args.location, &args.channel, status) {
            (Some(loc), _, st) => Box::new(store.ids_at_location(loc, st)),
            (None, Some(ch), _) => Box::new(store.ids_by_channel(ch)),
            (None, None, Some(st)) => Box::new(store.ids_by_status(st)),
            (None, None, None) => return Ok(Box::new(store.orders())),
        };
    Ok(Box::new(ids.filter_map(move |id| match id {
        Ok(id) => store.order(id).transpose(),
        Err(e) => Some(Err(e)),
    })))
}

pub fn list(ctx: &Context, args: OrdersArgs) -> Result<()> {
    let store = ctx.store()?;
    let status = args.status.as_deref().map(parse_status).transpose()?;
    let wanted = |o: &Order| {
        status.is_none_or(|s| o.status == s)
            && args
                .channel
                .as_ref()
                .is_none_or(|c| &o.channel_order.channel == c)
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if !args.json {
        writeln!(
            out,
            "{:>8}  {:<12} {:<12} {:<19} {:<20} {:>5} {:>10}  LOCATIONS",
            "ID", "NUMBER", "CHANNEL", "STATUS", "CREATED (UTC)", "UNITS", "TOTAL"
        )?;
    }
    let mut shown = 0;
    for order in select(&store, &args)? {
        let order = order?;
        if !wanted(&order) {
            continue;
        }
        if args.limit.is_some_and(|l| shown >= l) {
            break;
        }
        shown += 1;
        if args.json {
            let view = OrderView {
                order: &order,
                routing: last_decision(&store, &order)?,
            };
            serde_json::to_writer(&mut out, &view)?;
            writeln!(out)?;
        } else {
            let co = &order.channel_order;
            writeln!(
                out,
                "{:>8}  {:<12} {:<12} {:<19} {:<20} {:>5} {:>10}  {}",
                order.id,
                truncate(&co.number, 12),
                truncate(&co.channel, 12),
                order.status.as_str(),
                co.created_at.format("%Y-%m-%d %H:%M:%S"),
                co.units(),
                format!("{} {}", co.totals.total, co.currency),
                order.locations().join(",")
            )?;
            if args.explain {
                match last_decision(&store, &order)? {
                    Some(d) => {
                        writeln!(
                            out,
                            "          routed: {}{}",
                            d.status,
                            d.rule
                                .map(|r| format!(" by rule \"{r}\""))
                                .unwrap_or_default()
                        )?;
                        for line in d.explain.summary() {
                            writeln!(out, "          {line}")?;
                        }
                    }
                    None => writeln!(out, "          not routed yet")?,
                }
            }
        }
    }
    out.flush()?;
    Ok(())
}

fn truncate(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(width - 1).collect();
        t.push('…');
        t
    }
}

#[derive(Serialize)]
struct OrderLineRow<'a> {
    order_id: OrderId,
    channel: &'a str,
    external_id: &'a str,
    number: &'a str,
    status: &'a str,
    created_at: String,
    updated_at: String,
    customer: &'a str,
    country: &'a str,
    postal_code: &'a str,
    line: u32,
    sku: &'a str,
    quantity: u32,
    unit_price: String,
    allocated: u32,
    shipped: u32,
    locations: String,
    currency: &'a str,
    order_total: String,
}

#[derive(Serialize)]
struct StockRow<'a> {
    sku: &'a str,
    location: &'a str,
    on_hand: i64,
    reserved: i64,
    safety_stock: i64,
    available: i64,
}

#[derive(Serialize)]
struct EventRow {
    seq: u64,
    at: String,
    actor: String,
    order_id: Option<OrderId>,
    r#type: &'static str,
    why: String,
    detail: String,
}

pub fn export(ctx: &Context, args: ExportArgs) -> Result<()> {
    let store = ctx.store()?;
    let stdout = std::io::stdout();
    let out = std::io::BufWriter::new(stdout.lock());
    match args.format {
        Format::Jsonl => export_jsonl(&store, args.what, out),
        Format::Csv => export_csv(&store, args.what, out),
    }
}

fn export_jsonl(store: &Store, what: ExportWhat, mut out: impl Write) -> Result<()> {
    match what {
        ExportWhat::Orders => {
            for o in store.orders() {
                serde_json::to_writer(&mut out, &o?)?;
                writeln!(out)?;
            }
        }
        ExportWhat::Inventory => {
            for item in store.stock_levels() {
                let (k, l) = item?;
                serde_json::to_writer(&mut out, &stock_row(&k.sku, &k.location, &l))?;
                writeln!(out)?;
            }
        }
        ExportWhat::Events => {
            for e in store.events() {
                serde_json::to_writer(&mut out, &e?)?;
                writeln!(out)?;
            }
        }
    }
    out.flush()?;
    Ok(())
}

fn stock_row<'a>(sku: &'a str, location: &'a str, l: &crate::model::StockLevel) -> StockRow<'a> {
    StockRow {
        sku,
        location,
        on_hand: l.on_hand,
        reserved: l.reserved,
        safety_stock: l.safety_stock,
        available: l.available(),
    }
}

fn export_csv(store: &Store, what: ExportWhat, out: impl Write) -> Result<()> {
    let mut w = csv::Writer::from_writer(out);
    match what {
        ExportWhat::Orders => {
            for o in store.orders() {
                let o = o?;
                let co = &o.channel_order;
                let ship_to = co.ship_to.as_ref();
                for l in &co.lines {
                    let mut locations: Vec<&str> = o
                        .allocations
                        .iter()
                        .filter(|a| a.line == l.line)
                        .map(|a| a.location.as_str())
                        .collect();
                    locations.dedup();
                    w.serialize(OrderLineRow {
                        order_id: o.id,
                        channel: &co.channel,
                        external_id: &co.external_id,
                        number: &co.number,
                        status: o.status.as_str(),
                        created_at: co.created_at.to_rfc3339(),
                        updated_at: co.updated_at.to_rfc3339(),
                        customer: co.customer.name.as_deref().unwrap_or(""),
                        country: ship_to.map_or("", |a| a.country.as_str()),
                        postal_code: ship_to.map_or("", |a| a.postal_code.as_str()),
                        line: l.line,
                        sku: &l.sku,
                        quantity: l.quantity,
                        unit_price: l.unit_price.to_string(),
                        allocated: o.allocated_for_line(l.line),
                        shipped: o.shipped_for_line(l.line),
                        locations: locations.join(";"),
                        currency: &co.currency,
                        order_total: co.totals.total.to_string(),
                    })?;
                }
            }
        }
        ExportWhat::Inventory => {
            for item in store.stock_levels() {
                let (k, l) = item?;
                w.serialize(stock_row(&k.sku, &k.location, &l))?;
            }
        }
        ExportWhat::Events => {
            for e in store.events() {
                let e = e?;
                w.serialize(EventRow {
                    seq: e.seq,
                    at: e.at.to_rfc3339(),
                    actor: e.actor.to_string(),
                    order_id: e.order_id,
                    r#type: e.kind.name(),
                    why: e.why.clone(),
                    detail: serde_json::to_string(&e.kind)?,
                })?;
            }
        }
    }
    w.flush()?;
    Ok(())
}
