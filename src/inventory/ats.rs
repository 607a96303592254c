//! Available-to-sell (ATS) per channel: what ordo tells a channel it may sell of one SKU.
//!
//! The formula: the sum of `available` over the locations that serve the channel, then
//! the channel's buffer rules, configurable per channel and per SKU pattern (fixed safety units,
//! a percentage of available rounded down, a maximum, and a minimum below which 0 is pushed).
//!
//! Plain data and pure functions: no I/O, no clock, no store. Everything here is total: no input
//! panics or overflows, and the result is always between 0 and the (non-negative) sum.

use globset::{GlobBuilder, GlobMatcher};

use crate::model::Location;

/// A channel's buffer for one SKU: how much of what the serving locations have is offered.
/// `Buffer::default()` is no buffer at all (the whole sum is offered).
///
/// Applied by [`available_to_sell`], in this order: `safety`, `percent`, `max`, `min`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Buffer {
    /// Units held back: subtracted from the sum first (never below 0). 0 = none.
    /// The config takes 0 or more; a negative value counts as 0.
    pub safety: i64,
    /// Percentage of what is left that is offered, rounded down. `None` = 100.
    /// The config takes 0 to 100; more counts as 100.
    pub percent: Option<u32>,
    /// At most this many units are offered. `None` = no cap. A negative value counts as 0.
    pub max: Option<i64>,
    /// Fewer than this many units left (after the cap) and 0 is offered instead, so a channel
    /// never sells its last few units. `None` = no minimum.
    pub min: Option<i64>,
}

/// One `[[channels.buffers]]` entry: the SKUs it covers and their buffer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BufferRule {
    /// A glob over SKUs, e.g. `"TSHIRT-*"`, `"MUG-{RED,BLUE}"`, an exact SKU, or `"*"` for every
    /// SKU. Case-sensitive; `*` also matches `/`; `\` escapes the next character.
    pub skus: String,
    pub buffer: Buffer,
}

impl Default for BufferRule {
    /// Every SKU, no buffer.
    fn default() -> Self {
        BufferRule {
            skus: ANY_SKU.to_owned(),
            buffer: Buffer::default(),
        }
    }
}

/// The pattern that matches every SKU (the default of `skus`).
pub const ANY_SKU: &str = "*";

/// A channel's buffer rules, compiled. The first rule whose pattern matches a SKU gives its
/// buffer; a SKU no rule matches has no buffer. `ChannelBuffers::default()` has no rules.
#[derive(Debug, Clone, Default)]
pub struct ChannelBuffers {
    rules: Vec<BufferRule>,
    patterns: Vec<SkuPattern>,
}

impl ChannelBuffers {
    /// Compiles `rules`, in order. Refuses an empty or invalid pattern, naming the rule
    /// (0-based), e.g. `buffers[1].skus = "[a" is not a valid glob (unclosed character class;
    /// missing ']'); ...`. The buffers' numbers are not checked here: [`available_to_sell`]
    /// takes any value (see [`Buffer`]); the config checks their ranges at load.
    pub fn new(rules: Vec<BufferRule>) -> Result<ChannelBuffers, String> {
        let patterns = rules
            .iter()
            .enumerate()
            .map(|(i, rule)| {
                SkuPattern::compile(&rule.skus).map_err(|e| format!("buffers[{i}].skus{e}"))
            })
            .collect::<Result<Vec<_>, String>>()?;
        Ok(ChannelBuffers { rules, patterns })
    }

    /// The buffer of `sku`: the first matching rule's, or no buffer when none matches.
    pub fn for_sku(&self, sku: &str) -> Buffer {
        self.patterns
            .iter()
            .zip(&self.rules)
            .find(|(pattern, _)| pattern.matches(sku))
            .map(|(_, rule)| rule.buffer)
            .unwrap_or_default()
    }

    /// The rules as given to [`ChannelBuffers::new`], in order.
    pub fn rules(&self) -> &[BufferRule] {
        &self.rules
    }
}

impl PartialEq for ChannelBuffers {
    /// Same rules in the same order (the patterns are compiled from them).
    fn eq(&self, other: &Self) -> bool {
        self.rules == other.rules
    }
}

impl Eq for ChannelBuffers {}

/// A SKU pattern, compiled. `*` and exact SKUs skip the glob engine.
#[derive(Debug, Clone)]
enum SkuPattern {
    Any,
    Exact(String),
    Glob(GlobMatcher),
}

const GLOB_META: &[char] = &['*', '?', '[', ']', '{', '}', '\\'];

impl SkuPattern {
    /// The error is the tail of a message about the key: ` is empty; ...` or
    /// ` = "[a" is not a valid glob (...); ...`.
    fn compile(p: &str) -> Result<SkuPattern, String> {
        if let Some(problem) = pattern_problem(p) {
            return Err(problem);
        }
        if p == ANY_SKU {
            return Ok(SkuPattern::Any);
        }
        if !p.contains(GLOB_META) {
            return Ok(SkuPattern::Exact(p.to_owned()));
        }
        glob(p)
            .map(|g| SkuPattern::Glob(g.compile_matcher()))
            .map_err(|e| format!(" = {p:?} is not a valid glob ({e})"))
    }

    fn matches(&self, sku: &str) -> bool {
        match self {
            SkuPattern::Any => true,
            SkuPattern::Exact(s) => s == sku,
            SkuPattern::Glob(g) => g.is_match(sku),
        }
    }
}

fn glob(p: &str) -> Result<globset::Glob, String> {
    GlobBuilder::new(p)
        .literal_separator(false)
        .backslash_escape(true)
        .case_insensitive(false)
        .build()
        .map_err(|e| e.kind().to_string())
}

/// What is wrong with a SKU pattern, as the tail of a message that starts with the key
/// (`channels[0].buffers[1].skus`): ` is empty; ...` or ` = "[a" is not a valid glob (...); ...`.
/// `None` when it compiles. The config reports this at the pattern's line.
pub(crate) fn pattern_problem(p: &str) -> Option<String> {
    const HOW: &str = "write a glob such as \"TSHIRT-*\", an exact SKU, or \"*\" for every SKU";
    if p.trim().is_empty() {
        return Some(format!(" is empty; {HOW}"));
    }
    // Validate with the glob engine in every case, so that what is accepted does not depend on
    // the fast paths of `SkuPattern::compile`.
    match glob(p) {
        Ok(_) => None,
        Err(e) => Some(format!(" = {p:?} is not a valid glob ({e}); {HOW}")),
    }
}

/// What a channel may sell of a SKU, from what its serving locations have available, in the
/// order the issue lists the buffer rules:
///
/// 1. start from `available_at_serving_locations`, or 0 when it is negative;
/// 2. subtract `safety` units, never going below 0;
/// 3. keep `percent`% of that, rounded down (integer arithmetic: 7 at 50% is 3);
/// 4. cap at `max`;
/// 5. if the result is below `min`, 0.
///
/// The result is in `0..=max(available_at_serving_locations, 0)` and, for a fixed buffer,
/// never decreases when the available amount grows. Values the config refuses are taken
/// without panicking: a negative `safety` or `max` counts as 0, a `percent` above 100 as 100.
pub fn available_to_sell(available_at_serving_locations: i64, buffer: &Buffer) -> i64 {
    let mut ats = available_at_serving_locations.max(0);
    ats = ats.saturating_sub(buffer.safety.max(0)).max(0);
    if let Some(percent) = buffer.percent {
        let percent = i128::from(percent.min(100));
        // Fits: 0 <= ats * percent / 100 <= ats.
        ats = i64::try_from(i128::from(ats) * percent / 100).unwrap_or(ats);
    }
    if let Some(max) = buffer.max {
        ats = ats.min(max.max(0));
    }
    if buffer.min.is_some_and(|min| ats < min) {
        ats = 0;
    }
    ats
}

/// Whether `location` serves `channel_id`: a location with an empty `channels` list serves
/// every channel; otherwise only those listed (exact ids). Same rule as [`Location::serves`].
pub fn serves(location: &Location, channel_id: &str) -> bool {
    location.serves(channel_id)
}

/// [`available_to_sell`] of the sum of `available` over the locations of `levels` that
/// [`serves`] `channel_id`; locations that do not serve it are left out.
///
/// Each level counts as given, a negative one (an oversold location) included: it lowers the
/// sum, so a channel is never offered stock that is already promised. The sum saturates
/// instead of overflowing.
pub fn channel_ats<'a>(
    levels: impl IntoIterator<Item = (&'a Location, i64)>,
    channel_id: &str,
    buffer: &Buffer,
) -> i64 {
    let sum = levels
        .into_iter()
        .filter(|(location, _)| serves(location, channel_id))
        .fold(0i64, |sum, (_, available)| sum.saturating_add(available));
    available_to_sell(sum, buffer)
}
