//! The console's `/` filter, parsed into the [`OrderQuery`] the engine answers: field terms an
//! index serves (`status:`, `channel:`, `loc:`), and what the engine matches on the orders it
//! scans (free-text words, `sku:` globs, `age:` bounds; see matcher.rs). Pure: no I/O, no
//! clock (an `age:` bound stays relative, counted back from the time of each read).

use std::ops::Deref;

use super::OrderQuery;
use crate::model::OrderStatus;

/// A parsed filter: the query it stands for, and the terms that were not understood.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// What the engine is asked.
    pub query: OrderQuery,
    /// Terms that were not understood (shown to the operator, otherwise ignored).
    pub unknown: Vec<String>,
}

/// A filter is read as the query it stands for (`filter.words`, `filter.status`): the console
/// asks for exactly `filter.query`, and the terms not understood are only shown.
impl Deref for Filter {
    type Target = OrderQuery;

    fn deref(&self) -> &OrderQuery {
        &self.query
    }
}

/// Short names operators type, besides the full status names.
fn parse_status(s: &str) -> Option<OrderStatus> {
    OrderStatus::parse(s).or(match s {
        "partial" | "partially-allocated" | "part_alloc" => Some(OrderStatus::PartiallyAllocated),
        "backorder" | "bo" => Some(OrderStatus::Backordered),
        "hold" => Some(OrderStatus::Held),
        "part_ship" | "partially-shipped" => Some(OrderStatus::PartiallyShipped),
        "canceled" => Some(OrderStatus::Cancelled),
        _ => None,
    })
}

/// Which way an `age:` term bounds the order's age.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgeBound {
    /// `age:>2h`: created more than this many seconds ago.
    OlderThan(u64),
    /// `age:<30m`: created less than this many seconds ago.
    NewerThan(u64),
}

/// `>2h`, `<30m`, `>1d` (minutes, hours, days; a whole number). None for anything else.
pub fn parse_age(v: &str) -> Option<AgeBound> {
    let (older, rest) = match v.as_bytes().first()? {
        b'>' => (true, &v[1..]),
        b'<' => (false, &v[1..]),
        _ => return None,
    };
    let unit: u64 = match rest.chars().last()? {
        'm' => 60,
        'h' => 3600,
        'd' => 86_400,
        _ => return None,
    };
    let digits = &rest[..rest.len() - 1];
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let secs = digits.parse::<u64>().ok()?.checked_mul(unit)?;
    Some(if older {
        AgeBound::OlderThan(secs)
    } else {
        AgeBound::NewerThan(secs)
    })
}

impl Filter {
    pub fn parse(input: &str) -> Filter {
        let mut f = Filter::default();
        let q = &mut f.query;
        for term in input.split_whitespace() {
            let lower = term.to_lowercase();
            match lower.split_once(':') {
                Some(("status" | "st", v)) if !v.is_empty() => match parse_status(v) {
                    Some(s) => q.status = Some(s),
                    None => f.unknown.push(term.to_string()),
                },
                Some(("channel" | "ch", v)) if !v.is_empty() => q.channel = Some(v.to_string()),
                Some(("loc" | "location", v)) if !v.is_empty() => q.location = Some(v.to_string()),
                Some(("sku", v)) if !v.is_empty() => q.skus.push(v.to_string()),
                // Two bounds of one kind: both must hold, so the tighter one.
                Some(("age", v)) => match parse_age(v) {
                    Some(AgeBound::OlderThan(s)) => {
                        q.older_than_secs = Some(q.older_than_secs.map_or(s, |o| o.max(s)))
                    }
                    Some(AgeBound::NewerThan(s)) => {
                        q.newer_than_secs = Some(q.newer_than_secs.map_or(s, |o| o.min(s)))
                    }
                    None => f.unknown.push(term.to_string()),
                },
                // Field terms console.md names that nothing serves yet.
                Some(("tag" | "total", _)) => f.unknown.push(term.to_string()),
                _ => q.words.push(lower),
            }
        }
        f
    }

    pub fn is_empty(&self) -> bool {
        self.query.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_terms_map_onto_the_query() {
        let f = Filter::parse("status:held channel:amazon");
        assert_eq!(f.query.status, Some(OrderStatus::Held));
        assert_eq!(f.query.channel.as_deref(), Some("amazon"));
        assert!(f.words.is_empty());
        assert!(f.unknown.is_empty());
        assert!(!f.scans(), "index terms alone need no scan");
    }

    #[test]
    fn short_status_names_and_locations() {
        let f = Filter::parse("st:backorder loc:wh-east");
        assert_eq!(f.query.status, Some(OrderStatus::Backordered));
        assert_eq!(f.query.location.as_deref(), Some("wh-east"));
        let f = Filter::parse("status:partially_allocated");
        assert_eq!(f.query.status, Some(OrderStatus::PartiallyAllocated));
    }

    #[test]
    fn free_text_is_lowercased_skus_are_globs_and_unknown_terms_kept_apart() {
        let f = Filter::parse("Ada  TEE sku:TSHIRT-* age:>2h status:bogus age:>banana tag:x");
        assert_eq!(f.words, vec!["ada", "tee"]);
        assert_eq!(f.skus, vec!["tshirt-*"]);
        assert_eq!(f.older_than_secs, Some(7200));
        assert_eq!(f.unknown, vec!["status:bogus", "age:>banana", "tag:x"]);
        assert!(f.scans());
        assert!(Filter::parse("   ").is_empty());
        // A colon inside a word (a time, an id) is free text.
        assert_eq!(Filter::parse("A:1").words, vec!["a:1"]);
    }

    #[test]
    fn age_terms_in_minutes_hours_and_days() {
        assert_eq!(parse_age(">2h"), Some(AgeBound::OlderThan(7200)));
        assert_eq!(parse_age("<30m"), Some(AgeBound::NewerThan(1800)));
        assert_eq!(parse_age(">1d"), Some(AgeBound::OlderThan(86_400)));
        for bad in [
            "",
            ">",
            "2h",
            ">h",
            ">2",
            ">2x",
            ">-2h",
            ">+2h",
            ">1.5h",
            "=2h",
            ">2hh",
            ">99999999999999999999d",
        ] {
            assert_eq!(parse_age(bad), None, "{bad:?}");
        }
        // Bounds of one kind keep the tighter; both kinds make a window.
        let f = Filter::parse("age:>1h age:>2h age:<1d age:<3d");
        assert_eq!(f.older_than_secs, Some(7200));
        assert_eq!(f.newer_than_secs, Some(86_400));
        assert!(f.unknown.is_empty());
        // Half-typed terms are not understood (yet), never a panic.
        for half in ["age:", "age:>", "age:<3", "age:é", "age:>3é"] {
            let f = Filter::parse(half);
            assert_eq!(f.unknown, vec![half.to_string()], "{half}");
            assert!(f.is_empty());
        }
    }
}
