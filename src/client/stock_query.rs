//! Which stock records the Inventory pane lists: the `/` filter typed there, parsed into a
//! [`StockQuery`] that the engine answers (in-process or over the socket, like
//! [`super::OrderQuery`]), and the match of one record. Pure: no I/O.
//!
//! Terms: a word matches the SKU, case-insensitively, as a substring (`tee` finds `TEE-M` and
//! `TEE-L`), or whole as a glob when it has a `*` or `?` (`tee-?`, `*-blk`; the glob of the
//! Orders filter's `sku:`); `sku:X` is the same as the word `X`. `loc:ID` (`location:`) keeps
//! one location. `avail:<N`, `avail:>N`, `avail:N` (`available:`) bound what can still be
//! promised there (on hand less reserved less safety stock): `avail:<5` lists what runs low,
//! `avail:0` what is sold out. A "low" word was not taken: it is a substring of SKUs
//! (PILLOW, YELLOW). The Orders-only terms (`status:`, `channel:`, `age:`) are not understood
//! here and named on Enter.

use serde::{Deserialize, Serialize};

use super::matcher::glob_matches;
use crate::model::{StockKey, StockLevel};

/// Which stock records a list shows: every record matching every term.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockQuery {
    /// Lower-cased words, each to match the SKU (substring, or whole as a glob).
    #[serde(default)]
    pub words: Vec<String>,
    /// One location's records (its id, lower-cased).
    #[serde(default)]
    pub location: Option<String>,
    /// Available strictly below this.
    #[serde(default)]
    pub available_below: Option<i64>,
    /// Available strictly above this.
    #[serde(default)]
    pub available_above: Option<i64>,
}

impl StockQuery {
    /// Every record.
    pub fn is_empty(&self) -> bool {
        *self == StockQuery::default()
    }

    /// The query compiled for a scan (globs as chars, once).
    pub fn matcher(&self) -> StockMatcher<'_> {
        StockMatcher {
            query: self,
            globs: self
                .words
                .iter()
                .map(|w| is_glob(w).then(|| w.chars().collect()))
                .collect(),
        }
    }
}

fn is_glob(word: &str) -> bool {
    word.contains(['*', '?'])
}

/// A [`StockQuery`] ready to match records.
pub struct StockMatcher<'q> {
    query: &'q StockQuery,
    /// Per word: its chars when it is a glob.
    globs: Vec<Option<Vec<char>>>,
}

impl StockMatcher<'_> {
    /// Whether the record passes the SKU and location terms (no need of its level).
    pub fn matches_key(&self, key: &StockKey) -> bool {
        let q = self.query;
        if let Some(loc) = &q.location {
            if !key.location.eq_ignore_ascii_case(loc) {
                return false;
            }
        }
        if q.words.is_empty() {
            return true;
        }
        let sku = key.sku.to_lowercase();
        q.words.iter().zip(&self.globs).all(|(w, glob)| match glob {
            Some(p) => glob_matches(p, &key.sku),
            None => sku.contains(w.as_str()),
        })
    }

    /// Whether the record passes every term.
    pub fn matches(&self, key: &StockKey, level: &StockLevel) -> bool {
        let avail = level.available();
        self.matches_key(key)
            && self.query.available_below.is_none_or(|n| avail < n)
            && self.query.available_above.is_none_or(|n| avail > n)
    }
}

/// A parsed Inventory filter: the query, and the terms that were not understood.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StockFilter {
    pub query: StockQuery,
    pub unknown: Vec<String>,
}

impl StockFilter {
    pub fn parse(input: &str) -> StockFilter {
        let mut f = StockFilter::default();
        let q = &mut f.query;
        for term in input.split_whitespace() {
            let lower = term.to_lowercase();
            match lower.split_once(':') {
                Some(("loc" | "location", v)) if !v.is_empty() => q.location = Some(v.to_string()),
                Some(("sku", v)) if !v.is_empty() => q.words.push(v.to_string()),
                Some(("avail" | "available", v)) => match parse_bound(v) {
                    // Two bounds of one kind: both must hold, so the tighter one.
                    Some(Bound::Below(n)) => {
                        q.available_below = Some(q.available_below.map_or(n, |o| o.min(n)))
                    }
                    Some(Bound::Above(n)) => {
                        q.available_above = Some(q.available_above.map_or(n, |o| o.max(n)))
                    }
                    Some(Bound::Exactly(n)) => {
                        // n-1 < avail < n+1; saturating keeps i64::MIN/MAX from wrapping.
                        q.available_below = Some(n.saturating_add(1));
                        q.available_above = Some(n.saturating_sub(1));
                    }
                    None => f.unknown.push(term.to_string()),
                },
                // The Orders filter's terms mean nothing for a stock record: say so rather
                // than look for "status:held" in the SKUs.
                Some((
                    "status" | "st" | "channel" | "ch" | "age" | "tag" | "total" | "loc"
                    | "location" | "sku",
                    _,
                )) => f.unknown.push(term.to_string()),
                _ => q.words.push(lower),
            }
        }
        f
    }

    pub fn is_empty(&self) -> bool {
        self.query.is_empty()
    }
}

enum Bound {
    Below(i64),
    Above(i64),
    Exactly(i64),
}

/// `<5`, `>0`, `0`, `=3` (whole numbers, at most 18 digits). None for anything else.
fn parse_bound(v: &str) -> Option<Bound> {
    let (kind, digits) = match v.as_bytes().first()? {
        b'<' => (0, &v[1..]),
        b'>' => (1, &v[1..]),
        b'=' => (2, &v[1..]),
        _ => (2, v),
    };
    if digits.is_empty() || digits.len() > 18 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: i64 = digits.parse().ok()?;
    Some(match kind {
        0 => Bound::Below(n),
        1 => Bound::Above(n),
        _ => Bound::Exactly(n),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn level(on_hand: i64, reserved: i64) -> StockLevel {
        StockLevel {
            on_hand,
            reserved,
            safety_stock: 0,
        }
    }

    fn hits(filter: &str, records: &[(&str, &str, i64)]) -> Vec<String> {
        let f = StockFilter::parse(filter);
        let m = f.query.matcher();
        records
            .iter()
            .filter(|(s, l, a)| m.matches(&StockKey::new(*s, *l), &level(*a, 0)))
            .map(|(s, l, _)| format!("{s}@{l}"))
            .collect()
    }

    const RECORDS: &[(&str, &str, i64)] = &[
        ("TEE-M", "wh-east", 10),
        ("TEE-L", "wh-west", 0),
        ("TSHIRT-M-BLK", "wh-east", 3),
        ("MUG", "wh-east", 50),
        ("PILLOW-TEE", "nyc", 2),
    ];

    #[test]
    fn words_are_case_insensitive_substrings_of_the_sku() {
        assert_eq!(
            hits("tee", RECORDS),
            ["TEE-M@wh-east", "TEE-L@wh-west", "PILLOW-TEE@nyc"]
        );
        assert_eq!(hits("TEE -m", RECORDS), ["TEE-M@wh-east"]);
        assert_eq!(hits("nothing", RECORDS), Vec::<String>::new());
        // The location is not a word's business.
        assert_eq!(hits("east", RECORDS), Vec::<String>::new());
    }

    #[test]
    fn a_word_with_a_wildcard_is_a_glob_over_the_whole_sku() {
        assert_eq!(hits("tee-*", RECORDS), ["TEE-M@wh-east", "TEE-L@wh-west"]);
        assert_eq!(hits("*-blk", RECORDS), ["TSHIRT-M-BLK@wh-east"]);
        assert_eq!(hits("tee-?", RECORDS), ["TEE-M@wh-east", "TEE-L@wh-west"]);
        assert_eq!(hits("sku:TEE-?", RECORDS), hits("tee-?", RECORDS));
        // A glob is whole: "tee*" does not find PILLOW-TEE.
        assert!(!hits("tee*", RECORDS).contains(&"PILLOW-TEE@nyc".to_string()));
    }

    #[test]
    fn a_location_and_available_bounds() {
        assert_eq!(
            hits("loc:WH-EAST", RECORDS),
            ["TEE-M@wh-east", "TSHIRT-M-BLK@wh-east", "MUG@wh-east"]
        );
        assert_eq!(hits("tee loc:nyc", RECORDS), ["PILLOW-TEE@nyc"]);
        assert_eq!(
            hits("avail:<5", RECORDS),
            ["TEE-L@wh-west", "TSHIRT-M-BLK@wh-east", "PILLOW-TEE@nyc"]
        );
        assert_eq!(hits("available:0", RECORDS), ["TEE-L@wh-west"]);
        assert_eq!(hits("avail:>9 avail:>10", RECORDS), ["MUG@wh-east"]);
        // Available is what can be promised: reserved units and safety stock are not.
        let f = StockFilter::parse("avail:<1");
        let k = StockKey::new("TEE-M", "wh-east");
        assert!(f.query.matcher().matches(&k, &level(4, 4)));
        assert!(!f.query.matcher().matches(&k, &level(5, 4)));
    }

    #[test]
    fn orders_terms_and_bad_bounds_are_named_never_a_panic() {
        let f = StockFilter::parse("TEE status:held ch:web avail:<x avail: avail:<-1 loc: a:b");
        assert_eq!(f.query.words, ["tee", "a:b"]);
        assert_eq!(
            f.unknown,
            [
                "status:held",
                "ch:web",
                "avail:<x",
                "avail:",
                "avail:<-1",
                "loc:"
            ]
        );
        assert!(StockFilter::parse("  ").is_empty());
        assert!(StockFilter::parse("avail:99999999999999999999").is_empty());
        let f = StockFilter::parse(&format!("avail:{}", "9".repeat(18)));
        assert!(f.unknown.is_empty());
    }
}
