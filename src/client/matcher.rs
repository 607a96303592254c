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
//!
//! **Typos.** The fuzzy match keeps the letters in order, so a wrong letter (`lovelase`) or
//! two swapped (`torvlads`) never match it. A word of 5 or more characters (with a letter and
//! no digit) that matches no field otherwise may still match one *token* of the customer's
//! name, the local part of their email or a SKU's parts (split at whitespace and punctuation)
//! within one edit (two for words of 9+ characters): a letter changed, added, dropped, or two
//! neighbours swapped (optimal string alignment distance). Shorter words would find too much
//! this way (`ada` is one letter from `adam`, `dan`, `ida`), and numbers stay as typed.

use chrono::{DateTime, Duration, Utc};
use nucleo_matcher::chars::{normalize, to_lower_case};
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
    /// The word within an edit or two of a token, for words of [`TYPO_MIN_LEN`]+ characters.
    typo: Option<Typo>,
}

/// The shortest word tried for typos: a 4-letter word one edit from a token finds too much
/// (`mark` would find Mary, Marc and Park).
const TYPO_MIN_LEN: usize = 5;
/// From this length on a word may be two edits from the token it means.
const TYPO_TWO_EDITS_LEN: usize = 9;

struct Typo {
    /// The word lower-cased, accents kept.
    chars: Vec<char>,
    /// Edits allowed.
    max: usize,
    /// Fold the tokens' accents (`jose` meets `josé`): the word has none, as nucleo's Smart
    /// normalization does; a word typed with an accent keeps the tokens' accents.
    fold: bool,
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
        let typo = (len >= TYPO_MIN_LEN && fuzzy.is_some()).then(|| Typo {
            chars: word.chars().map(to_lower_case).collect(),
            max: if len >= TYPO_TWO_EDITS_LEN { 2 } else { 1 },
            fold: word.is_ascii(),
        });
        Word {
            substring: atom(AtomKind::Substring),
            fuzzy,
            typo,
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
    typos: TypoScratch,
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
            typos: TypoScratch::default(),
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
        // The fields whose tokens a typo may be in: not the numbers and ids.
        let mut tokenized: Vec<&str> = Vec::new();
        tokenized.extend(co.customer.name.as_deref());
        tokenized.extend(
            co.customer
                .email
                .as_deref()
                .map(|e| e.split_once('@').map_or(e, |(local, _)| local)),
        );
        tokenized.extend(co.lines.iter().map(|l| l.sku.as_str()));
        let Self {
            words,
            matcher,
            buf,
            indices,
            typos,
            ..
        } = self;
        words.iter().all(|w| {
            fields
                .iter()
                .any(|f| word_matches(w, f, matcher, buf, indices))
                || w.typo
                    .as_ref()
                    .is_some_and(|t| tokenized.iter().any(|f| typos.in_field(t, f)))
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

/// Buffers for the typo fallback, reused across orders: a token, and three rows of the
/// distance table.
#[derive(Default)]
struct TypoScratch {
    token: Vec<char>,
    prev2: Vec<usize>,
    prev: Vec<usize>,
    cur: Vec<usize>,
}

impl TypoScratch {
    /// Whether one of `field`'s tokens (runs of letters and digits) is within `typo.max` edits.
    fn in_field(&mut self, typo: &Typo, field: &str) -> bool {
        self.token.clear();
        for c in field.chars() {
            if c.is_alphanumeric() {
                let c = to_lower_case(c);
                self.token.push(if typo.fold { normalize(c) } else { c });
            } else if !self.token.is_empty() {
                if self.token_within(typo) {
                    return true;
                }
                self.token.clear();
            }
        }
        !self.token.is_empty() && self.token_within(typo)
    }

    fn token_within(&mut self, typo: &Typo) -> bool {
        let Self {
            token,
            prev2,
            prev,
            cur,
        } = self;
        osa_within(&typo.chars, token, typo.max, [prev2, prev, cur])
    }
}

/// Whether the optimal string alignment distance of `a` and `b` (edits: a character
/// substituted, inserted or deleted, or two neighbours transposed, no substring edited twice)
/// is at most `max`. Three rows of the table, in the buffers given; gives up as soon as no
/// path can come back under `max`.
fn osa_within(a: &[char], b: &[char], max: usize, rows: [&mut Vec<usize>; 3]) -> bool {
    if a.len().abs_diff(b.len()) > max {
        return false;
    }
    let [prev2, prev, cur] = rows;
    let n = b.len();
    for row in [&mut *prev2, &mut *prev, &mut *cur] {
        row.clear();
        row.resize(n + 1, 0);
    }
    for (j, v) in prev.iter_mut().enumerate() {
        *v = j;
    }
    let mut prev_min = 0;
    for i in 1..=a.len() {
        cur[0] = i;
        let mut row_min = i;
        for j in 1..=n {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(prev2[j - 2] + 1);
            }
            cur[j] = d;
            row_min = row_min.min(d);
        }
        // Every later cell comes from this row (adding 0 or more) or the one before by a
        // transposition (adding 1): when both are past reach, so is the end.
        if row_min > max && prev_min + 1 > max {
            return false;
        }
        prev_min = row_min;
        // Rotate: the row before becomes two before, this row the row before; the old two-
        // before row is the next row's buffer (every cell of it is written again).
        std::mem::swap(prev2, prev);
        std::mem::swap(prev, cur);
    }
    prev[n] <= max
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
