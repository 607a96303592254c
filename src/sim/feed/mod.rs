//! A seeded feed of realistic channel orders for the demo: Shopify, WooCommerce, Amazon and
//! point-of-sale orders for the demo catalog, shipped to real US cities (their ZIP codes
//! geocode), some picked up at the NYC or San Francisco store, some held by the demo rules (gift
//! cards, orders of 1000.00 or more), and now and then a newer version of an earlier order (a
//! quantity lowered, a payment captured) or its cancellation by the channel.
//!
//! [`Feed`] is a pure generator: the same seed and the same `now`s give the same orders.
//! [`run_feed`] drives it into a ledger at a given rate, with bursts, until told to stop.

use std::collections::VecDeque;

use chrono::{DateTime, Utc};

use super::{Catalog, Item, Rng};
use crate::model::{Address, ChannelOrder, Customer, FinancialStatus, Line, Money, Totals};

mod places;
mod run;

pub use places::CITIES;
use places::{FIRST, LAST, STREETS};
pub use run::{origin, run_feed, FeedStats, Pacer};

/// Channel weights: (channel, share of new orders).
const CHANNELS: [(&str, f64); 4] = [
    ("shopify", 0.42),
    ("amazon", 0.28),
    ("woocommerce", 0.20),
    ("pos", 0.10),
];

/// How many recent orders the feed remembers for edits and cancellations.
const RECENT: usize = 64;

/// The seeded order generator.
#[derive(Debug, Clone)]
pub struct Feed {
    seed: u64,
    rng: Rng,
    catalog: Catalog,
    /// Indexes into the catalog, by kind.
    regular: Vec<usize>,
    premium: Vec<usize>,
    gift_cards: Vec<usize>,
    /// Orders sent lately, as last sent: candidates for edits and cancellations.
    recent: VecDeque<ChannelOrder>,
    /// Sequence numbers per channel, for external ids and order numbers.
    seq: [u64; 4],
    emitted: u64,
}

impl Feed {
    pub fn new(seed: u64, catalog: Catalog) -> Feed {
        let mut regular = Vec::new();
        let mut premium = Vec::new();
        let mut gift_cards = Vec::new();
        for (i, item) in catalog.items.iter().enumerate() {
            if item.sku.starts_with("GIFTCARD-") {
                gift_cards.push(i);
            } else if item.unit_price >= Money::from(1000) {
                premium.push(i);
            } else {
                regular.push(i);
            }
        }
        if regular.is_empty() {
            // A catalog of only gift cards or only premium items still makes orders.
            regular = (0..catalog.items.len()).collect();
        }
        Feed {
            seed,
            rng: Rng::new(seed),
            catalog,
            regular,
            premium,
            gift_cards,
            recent: VecDeque::with_capacity(RECENT),
            seq: [0; 4],
            emitted: 0,
        }
    }

    pub fn seed(&self) -> u64 {
        self.seed
    }

    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// How many versions `next` has made.
    pub fn emitted(&self) -> u64 {
        self.emitted
    }

    /// The next order version: mostly a new order, sometimes a newer version of a recent one
    /// (a quantity lowered, a pending payment captured, a cancellation by the channel).
    /// `now` is the version's time; a newer version is always later than the one it follows.
    pub fn next(&mut self, now: DateTime<Utc>) -> ChannelOrder {
        self.emitted += 1;
        let roll = self.rng.unit();
        let order = if roll < 0.04 {
            self.edit(now)
        } else if roll < 0.065 {
            self.cancel(now)
        } else if roll < 0.08 {
            self.capture_payment(now)
        } else {
            None
        };
        let order = order.unwrap_or_else(|| self.new_order(now));
        self.remember(&order);
        order
    }

    fn remember(&mut self, order: &ChannelOrder) {
        self.recent
            .retain(|o| !(o.channel == order.channel && o.external_id == order.external_id));
        if order.cancelled {
            return;
        }
        if self.recent.len() == RECENT {
            self.recent.pop_front();
        }
        self.recent.push_back(order.clone());
    }

    /// A recent order matching `want`, chosen at random.
    fn recent_where(&mut self, want: impl Fn(&ChannelOrder) -> bool) -> Option<ChannelOrder> {
        let candidates: Vec<usize> = (0..self.recent.len())
            .filter(|&i| want(&self.recent[i]))
            .collect();
        if candidates.is_empty() {
            return None;
        }
        let i = *self.rng.pick(&candidates);
        Some(self.recent[i].clone())
    }

    /// The customer changed their mind: one line's quantity goes down by one.
    fn edit(&mut self, now: DateTime<Utc>) -> Option<ChannelOrder> {
        let mut order = self.recent_where(|o| o.lines.iter().any(|l| l.quantity > 1))?;
        let lines: Vec<usize> = (0..order.lines.len())
            .filter(|&i| order.lines[i].quantity > 1)
            .collect();
        let i = *self.rng.pick(&lines);
        order.lines[i].quantity -= 1;
        order.totals = totals(&order, self.discount_of(&order));
        order.updated_at = later(now, order.updated_at);
        order.tags.push("edited".into());
        Some(order)
    }

    fn cancel(&mut self, now: DateTime<Utc>) -> Option<ChannelOrder> {
        // Point-of-sale orders are paid and taken at the till: they are not cancelled later.
        let mut order = self.recent_where(|o| o.channel != "pos")?;
        order.cancelled = true;
        order.updated_at = later(now, order.updated_at);
        Some(order)
    }

    fn capture_payment(&mut self, now: DateTime<Utc>) -> Option<ChannelOrder> {
        let mut order = self.recent_where(|o| o.financial_status == FinancialStatus::Pending)?;
        order.financial_status = FinancialStatus::Paid;
        order.updated_at = later(now, order.updated_at);
        Some(order)
    }

    /// The discount an existing order was given, as a fraction of its subtotal (kept by edits).
    fn discount_of(&self, order: &ChannelOrder) -> Money {
        if order.tags.iter().any(|t| t == "promo-10") {
            Money::new(10, 2)
        } else {
            Money::ZERO
        }
    }

    fn new_order(&mut self, now: DateTime<Utc>) -> ChannelOrder {
        let rng = &mut self.rng;
        let mut roll = rng.unit();
        let mut channel_ix = CHANNELS.len() - 1;
        for (i, (_, share)) in CHANNELS.iter().enumerate() {
            if roll < *share {
                channel_ix = i;
                break;
            }
            roll -= share;
        }
        let channel = CHANNELS[channel_ix].0;
        self.seq[channel_ix] += 1;
        let n = self.seq[channel_ix];

        // Pickup: every till sale, and some web orders ("buy online, pick up in store").
        // store-nyc serves shopify and pos only; store-sf serves every channel.
        let pickup = match channel {
            "pos" => Some(if rng.chance(0.6) {
                "store-nyc"
            } else {
                "store-sf"
            }),
            "shopify" if rng.chance(0.12) => Some(if rng.chance(0.5) {
                "store-nyc"
            } else {
                "store-sf"
            }),
            _ => None,
        };

        let (external_id, number) = match channel {
            "shopify" => {
                let id = 5_710_000_000_000 + n * 7919;
                (id.to_string(), format!("#{}", 1000 + n))
            }
            "woocommerce" => {
                let id = 20_450 + n;
                (id.to_string(), format!("#{id}"))
            }
            "amazon" => {
                let id = format!(
                    "11{}-{:07}-{:07}",
                    rng.range(1, 4),
                    rng.range(0, 9_999_999),
                    n
                );
                (id.clone(), id)
            }
            _ => {
                let store = if pickup == Some("store-nyc") {
                    "NYC"
                } else {
                    "SF"
                };
                let id = format!("{store}-R{:06}", n);
                (id.clone(), id)
            }
        };

        let first = *rng.pick(&FIRST);
        let last = *rng.pick(&LAST);
        let name = format!("{first} {last}");
        let email_local: String = format!("{first}.{last}")
            .to_lowercase()
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '.')
            .collect();
        let domain = *rng.pick(&["example.com", "example.net", "example.org"]);
        let customer = Customer {
            name: Some(name.clone()),
            email: Some(format!("{email_local}{}@{domain}", rng.range(1, 99))),
            phone: rng
                .chance(0.6)
                .then(|| format!("+1 555-01{:02}", rng.range(0, 99))),
        };

        let ship_to = if pickup.is_some() {
            None
        } else {
            let (city, region, zip) = *rng.pick(&CITIES);
            Some(Address {
                name: Some(name),
                line1: format!("{} {}", rng.range(1, 4999), rng.pick(&STREETS)),
                line2: rng.chance(0.2).then(|| format!("Apt {}", rng.range(1, 40))),
                city: city.to_string(),
                region: Some(region.to_string()),
                postal_code: zip.to_string(),
                country: "US".to_string(),
                lat: None,
                lon: None,
            })
        };
        let ship_method = match pickup {
            Some(_) => "pickup",
            None => {
                let r = rng.unit();
                if r < 0.8 {
                    "standard"
                } else if r < 0.95 {
                    "expedited"
                } else {
                    "overnight"
                }
            }
        };

        let lines = self.pick_lines(channel, pickup);
        let financial_status = if channel == "woocommerce" && self.rng.chance(0.08) {
            // Bank transfer: kept, not routed until paid (a later version captures it).
            FinancialStatus::Pending
        } else if channel == "amazon" {
            FinancialStatus::Authorized
        } else {
            FinancialStatus::Paid
        };
        let mut tags = vec![channel.to_string()];
        let promo = channel != "amazon" && self.rng.chance(0.1);
        if promo {
            tags.push("promo-10".into());
        }
        if lines.iter().any(|l| l.sku.starts_with("GIFTCARD-")) {
            tags.push("gift".into());
        }
        let mut order = ChannelOrder {
            channel: channel.to_string(),
            external_id,
            number,
            created_at: now,
            updated_at: now,
            cancelled: false,
            financial_status,
            customer,
            ship_to,
            ship_method: ship_method.to_string(),
            pickup_location: pickup.map(str::to_string),
            lines,
            totals: Totals::default(),
            currency: "USD".to_string(),
            tags,
        };
        let discount = if promo {
            Money::new(10, 2)
        } else {
            Money::ZERO
        };
        order.totals = totals(&order, discount);
        order
    }

    /// 1-4 lines of distinct SKUs; a pickup takes what the store has on its shelves (mostly).
    fn pick_lines(&mut self, channel: &str, pickup: Option<&str>) -> Vec<Line> {
        let rng = &mut self.rng;
        let count = match rng.unit() {
            r if r < 0.5 => 1,
            r if r < 0.8 => 2,
            r if r < 0.93 => 3,
            _ => 4,
        };
        let mut chosen: Vec<usize> = Vec::with_capacity(count);
        // Rules worth seeing: gift cards (fraud watch) and big-ticket items (review).
        if !self.gift_cards.is_empty() && channel != "amazon" && rng.chance(0.035) {
            chosen.push(*rng.pick(&self.gift_cards));
        }
        if !self.premium.is_empty() && pickup.is_none() && rng.chance(0.03) {
            chosen.push(*rng.pick(&self.premium));
        }
        let shelf: Vec<usize> = match pickup {
            Some(store) if rng.chance(0.9) => self
                .regular
                .iter()
                .copied()
                .filter(|&i| self.catalog.on_hand(&self.catalog.items[i].sku, store) > 0)
                .collect(),
            _ => Vec::new(),
        };
        let pool = if shelf.is_empty() {
            &self.regular
        } else {
            &shelf
        };
        let mut tries = 0;
        while chosen.len() < count && tries < 20 {
            tries += 1;
            let i = *rng.pick(pool);
            if !chosen.contains(&i) {
                chosen.push(i);
            }
        }
        chosen
            .into_iter()
            .enumerate()
            .map(|(n, i)| {
                let item: &Item = &self.catalog.items[i];
                let quantity =
                    if item.sku.starts_with("GIFTCARD-") || item.unit_price >= Money::from(500) {
                        1
                    } else {
                        match rng.unit() {
                            r if r < 0.7 => 1,
                            r if r < 0.92 => 2,
                            _ => 3,
                        }
                    };
                Line {
                    line: n as u32 + 1,
                    sku: item.sku.clone(),
                    title: Some(item.title.clone()),
                    quantity,
                    unit_price: item.unit_price,
                    channel_line_id: None,
                }
            })
            .collect()
    }
}

/// A version's time: `now`, but always after the version it follows.
fn later(now: DateTime<Utc>, previous: DateTime<Utc>) -> DateTime<Utc> {
    if now > previous {
        now
    } else {
        previous + chrono::Duration::seconds(1)
    }
}

/// Subtotal, a discount (a fraction of the subtotal), shipping (free from 75.00 and for
/// pickups, more for faster methods), sales tax (not on gift cards) and the total.
fn totals(order: &ChannelOrder, discount_rate: Money) -> Totals {
    let subtotal: Money = order
        .lines
        .iter()
        .map(|l| l.unit_price * Money::from(l.quantity))
        .sum();
    let taxable: Money = order
        .lines
        .iter()
        .filter(|l| !l.sku.starts_with("GIFTCARD-"))
        .map(|l| l.unit_price * Money::from(l.quantity))
        .sum();
    let discount = (taxable * discount_rate).round_dp(2);
    let shipping = match order.ship_method.as_str() {
        "pickup" => Money::ZERO,
        "expedited" => Money::new(1495, 2),
        "overnight" => Money::new(2995, 2),
        _ if subtotal - discount >= Money::from(75) => Money::ZERO,
        _ => Money::new(695, 2),
    };
    let tax = ((taxable - discount) * Money::new(725, 4)).round_dp(2);
    Totals {
        subtotal,
        shipping,
        tax,
        discount,
        total: subtotal - discount + shipping + tax,
    }
}
