//! Whether an order passes the non-index part of an [`OrderQuery`]: free-text words (fuzzy),
//! SKU globs and age bounds. A pure function of the query, the order and the time it is asked
//! at; the engine's read path runs it on the orders it scans, so a console (in-process or over
//! the socket) gets only the matching page.
//!
//! **Words.** Each word must match one of the order's ordo id, number, external id, customer
//! name, customer email or SKUs, case-insensitively and with unicode normalization (`jose`
//! finds `José`; a word typed with an accent matches only the accent). A word of 1-2
//! characters, and a word with a digit or without a letter (`1042`, `#1042`, `a17`), matches
//! as written (a substring): fuzzy matching of so few characters finds nearly everything, and
//! in a number a skipped digit is another order. Other words match as a substring or fuzzily (the
//! `nucleo-matcher` crate, the letters in order with gaps), but only when the best alignment is
//! tight: at most one skipped stretch per four letters typed (one for 3-6 letters, two for
//! 7-10 ...), and no more characters skipped in all than half the letters typed. So `lovlace`
//! finds `Lovelace`, `jhn` finds `John` and `tshirtblk` finds `TSHIRT-M-BLK`, while `ada`
//! does not find `alexandra` (a..d..a scattered over the name) nor `mug` `Mulligan`.

use chrono::{DateTime, Duration, Utc};
use nucleo_matcher::pattern::{Atom, AtomKind, CaseMatching, Normalization};
use nucleo_matcher::{Config, Matcher, Utf32Str};

use super::OrderQuery;
use crate::model::Order;

/// One free-text word, ready to match.
struct Word {
    /// The word as a contiguous run (always tried first: cheap, and never noise).
    substring: Atom,
    /// The word with gaps allowed, for words long enough, with a letter and no digit.
    fuzzy: Option<Fuzzy>,
}

struct Fuzzy {
    atom: Atom,
    /// Skipped stretches allowed.
    gaps: usize,
    /// Characters skipped in all allowed.
    skipped: usize,
}

impl Word {
    fn new(word: &str) -> Word {
        let atom = |kind| {
            Atom::new(
                word,
                CaseMatching::Ignore,
                Normalization::Smart,
                kind,
                false,
            )
        };
        let len = word.chars().count();
        let fuzzy = (len >= 3
            && word.chars().any(char::is_alphabetic)
            && !word.chars().any(|c| c.is_ascii_digit()))
        .then(|| Fuzzy {
            atom: atom(AtomKind::Fuzzy),
            gaps: 1 + (len - 3) / 4,
            skipped: len / 2,
        });
        Word {
            substring: atom(AtomKind::Substring),
            fuzzy,
        }
    }
}

/// A query's text part compiled for one scan: the nucleo matcher (about 135 kB of scratch
/// space) is made once here and reused for every order.
pub struct OrderMatcher {
    words: Vec<Word>,
    skus: Vec<Vec<char>>,
    /// `age:>X`: created strictly before this instant.
    created_before: Option<DateTime<Utc>>,
    /// `age:<X`: created strictly after this instant.
    created_after: Option<DateTime<Utc>>,
    matcher: Matcher,
    buf: Vec<char>,
    indices: Vec<u32>,
}

/// `now - secs`, or None when that is before any representable time (no order is that old).
fn ago(now: DateTime<Utc>, secs: u64) -> Option<DateTime<Utc>> {
    let secs = i64::try_from(secs).ok()?;
    now.checked_sub_signed(Duration::try_seconds(secs)?)
}

impl OrderMatcher {
    /// The matcher of `query`'s words, SKU globs and age bounds, ages counted back from `now`.
    /// None when the query has none of them (the index answers it alone).
    pub fn new(query: &OrderQuery, now: DateTime<Utc>) -> Option<OrderMatcher> {
        if !query.scans() {
            return None;
        }
        Some(OrderMatcher {
            words: query.words.iter().map(|w| Word::new(w)).collect(),
            skus: query
                .skus
                .iter()
                .map(|p| p.chars().flat_map(char::to_lowercase).collect())
                .collect(),
            // An `age:>` bound further back than time goes: nothing is that old, so the bound
            // is the earliest instant (nothing passes it).
            created_before: query
                .older_than_secs
                .map(|s| ago(now, s).unwrap_or(DateTime::<Utc>::MIN_UTC)),
            // An `age:<` bound further back than time goes keeps everything.
            created_after: query.newer_than_secs.and_then(|s| ago(now, s)),
            matcher: Matcher::new(Config::DEFAULT),
            buf: Vec::new(),
            indices: Vec::new(),
        })
    }

    /// Whether `order` passes every word, SKU glob and age bound.
    pub fn matches(&mut self, order: &Order) -> bool {
        let co = &order.channel_order;
        let created = co.created_at;
        if self.created_before.is_some_and(|t| created >= t)
            || self.created_after.is_some_and(|t| created <= t)
        {
            return false;
        }
        if !self
            .skus
            .iter()
            .all(|p| co.lines.iter().any(|l| glob_matches(p, &l.sku)))
        {
            return false;
        }
        if self.words.is_empty() {
            return true;
        }
        let id = order.id.to_string();
        let mut fields: Vec<&str> = vec![&id, &co.number, &co.external_id];
        fields.extend(co.customer.name.as_deref());
        fields.extend(co.customer.email.as_deref());
        fields.extend(co.lines.iter().map(|l| l.sku.as_str()));
        let Self {
            words,
            matcher,
            buf,
            indices,
            ..
        } = self;
        words.iter().all(|w| {
            fields
                .iter()
                .any(|f| word_matches(w, f, matcher, buf, indices))
        })
    }
}

fn word_matches(
    word: &Word,
    field: &str,
    matcher: &mut Matcher,
    buf: &mut Vec<char>,
    indices: &mut Vec<u32>,
) -> bool {
    if word
        .substring
        .score(Utf32Str::new(field, buf), matcher)
        .is_some()
    {
        return true;
    }
    let Some(fuzzy) = &word.fuzzy else {
        return false;
    };
    indices.clear();
    if fuzzy
        .atom
        .indices(Utf32Str::new(field, buf), matcher, indices)
        .is_none()
    {
        return false;
    }
    tight(indices, fuzzy.gaps, fuzzy.skipped)
}

/// Whether matched positions (ascending) skip at most `max_gaps` stretches and at most
/// `max_skipped` characters in all.
fn tight(indices: &[u32], max_gaps: usize, max_skipped: usize) -> bool {
    let (mut gaps, mut skipped) = (0, 0);
    for pair in indices.windows(2) {
        let skip = pair[1].saturating_sub(pair[0]).saturating_sub(1) as usize;
        if skip > 0 {
            gaps += 1;
            skipped += skip;
        }
    }
    gaps <= max_gaps && skipped <= max_skipped
}

/// A glob over a whole SKU, case-insensitive: `*` any run of characters (also none), `?` one
/// character, everything else itself. `pattern` is lower-cased already.
pub fn glob_matches(pattern: &[char], sku: &str) -> bool {
    let text: Vec<char> = sku.chars().flat_map(char::to_lowercase).collect();
    // The classic backtracking walk: remember the last `*` and how much of the text it took,
    // and give it one more character when the rest fails. Linear in practice, quadratic at
    // worst, never exponential.
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some('*') => {
                star = Some((p, t));
                p += 1;
            }
            Some(&c) if c == '?' || c == text[t] => {
                p += 1;
                t += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    p = sp + 1;
                    t = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|c| *c == '*')
}

#[cfg(test)]
#[path = "matcher_tests.rs"]
mod tests;
