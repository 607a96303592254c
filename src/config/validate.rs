//! Raw (as written) to public (as used): fill defaults, reject impossible values.
//!
//! Every check reports into `Problems`, which keeps the problem that comes first in the file, so
//! the user fixes the file top to bottom and the message does not depend on the order of the
//! checks below. Values that failed a check get a placeholder; the placeholder never escapes
//! because any problem turns the whole result into an error.

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use toml::Spanned;

use super::error::{self, ConfigError};
use super::outline::{line_of, Outline, Seg};
use super::raw::{RawConfig, RawConsole, RawInventory, RawLocation, RawStore};
use super::validate_channels;

#[path = "console_keys.rs"]
mod console_keys;
#[cfg(test)]
#[path = "keymap_tests.rs"]
mod keymap_tests;
#[cfg(test)]
use console_keys::canonical_key;
use console_keys::console_keys;
#[path = "timezone.rs"]
mod timezone;
use super::{Checks, CompiledRules, Config, ConsoleConfig, InventoryConfig, StoreConfig, THEMES};
use crate::model::{Location, LocationKind};
use crate::routing::{validate_rules, OnUnroutable, Rule, RuleSet};

const KINDS: [LocationKind; 3] = [
    LocationKind::Warehouse,
    LocationKind::Store,
    LocationKind::Dropship,
];

pub(super) fn build(
    raw: RawConfig,
    text: &str,
    file: &Path,
    outline: &Outline,
    source: Option<PathBuf>,
    checks: Checks,
) -> Result<Config, ConfigError> {
    let mut p = Problems {
        text,
        file,
        first: None,
    };

    let data_dir = raw.data_dir.and_then(|d| {
        if d.get_ref().trim().is_empty() {
            p.report(
                d.span(),
                "data_dir",
                "data_dir is empty; remove it to use the default data folder, or give a path"
                    .to_owned(),
            );
            None
        } else {
            Some(PathBuf::from(d.into_inner()))
        }
    });
    let on_unroutable = match raw.on_unroutable {
        None => OnUnroutable::default(),
        Some(v) => OnUnroutable::parse(v.get_ref()).unwrap_or_else(|| {
            p.report(
                v.span(),
                "on_unroutable",
                format!(
                    "on_unroutable = {:?} is not allowed; use \"backorder\" (the default: keep the order and wait for stock) or \"hold\" (stop it for an operator)",
                    v.get_ref()
                ),
            );
            OnUnroutable::default()
        }),
    };
    let store = store(raw.store, &mut p);
    let inventory = inventory(raw.inventory, &mut p);
    let locations = locations(raw.locations, &mut p);
    let channels = validate_channels::channels(raw.channels, &mut p);
    let webhooks = validate_channels::webhooks(raw.webhooks, outline, &mut p);
    let known = checks.location_ids.then_some(locations.as_slice());
    let (rules, compiled) = rules(raw.rules, on_unroutable, known, outline, &mut p);
    let console = console(raw.console, &mut p);

    if let Some((_, err)) = p.first {
        return Err(err);
    }
    Ok(Config {
        source,
        data_dir,
        store,
        inventory,
        locations,
        channels,
        webhooks,
        rules,
        on_unroutable,
        console,
        compiled: CompiledRules(compiled),
    })
}

/// Collects problems, keeping the one earliest in the file.
pub(super) struct Problems<'a> {
    text: &'a str,
    file: &'a Path,
    first: Option<(usize, ConfigError)>,
}

impl Problems<'_> {
    pub(super) fn report(&mut self, span: Range<usize>, key: impl Into<String>, message: String) {
        let at = span.start;
        if self.first.as_ref().is_some_and(|(prev, _)| *prev <= at) {
            return;
        }
        self.first = Some((
            at,
            ConfigError::Invalid {
                file: self.file.to_path_buf(),
                line: Some(line_of(self.text, at)),
                key: key.into(),
                message,
            },
        ));
    }

    pub(super) fn line(&self, span: &Range<usize>) -> usize {
        line_of(self.text, span.start)
    }
}

/// 1 TiB. Far above any real cache, and low enough that `mb * 1024 * 1024` cannot overflow a u64
/// in the store (a huge number here is almost always bytes typed where MiB were meant).
pub(super) const MAX_CACHE_MB: u64 = 1 << 20;

fn store(raw: RawStore, p: &mut Problems) -> StoreConfig {
    let mut out = StoreConfig::default();
    if let Some(v) = raw.cache_capacity_mb {
        let mb = *v.get_ref();
        if mb == 0 {
            p.report(
                v.span(),
                "store.cache_capacity_mb",
                format!(
                    "store.cache_capacity_mb = 0 is too small; the cache needs at least 1 (MiB), the default is {}",
                    StoreConfig::default().cache_capacity_mb
                ),
            );
        } else if mb > MAX_CACHE_MB {
            p.report(
                v.span(),
                "store.cache_capacity_mb",
                format!(
                    "store.cache_capacity_mb = {mb} is too large; the size is in MiB (not bytes), at most {MAX_CACHE_MB} (1 TiB)"
                ),
            );
        }
        out.cache_capacity_mb = mb;
    }
    out
}

fn inventory(raw: RawInventory, p: &mut Problems) -> InventoryConfig {
    let mut out = InventoryConfig::default();
    if let Some(v) = raw.default_safety_stock {
        if *v.get_ref() < 0 {
            p.report(
                v.span(),
                "inventory.default_safety_stock",
                format!(
                    "inventory.default_safety_stock = {} is negative; use 0 (the default) or more units held back from every channel",
                    v.get_ref()
                ),
            );
        }
        out.default_safety_stock = v.into_inner();
    }
    out
}

fn console(raw: RawConsole, p: &mut Problems) -> ConsoleConfig {
    let mut out = ConsoleConfig::default();
    if let Some(v) = raw.theme {
        if !THEMES.contains(&v.get_ref().as_str()) {
            p.report(
                v.span(),
                "console.theme",
                format!(
                    "console.theme = {:?} is not a theme; use \"default\" or \"light\"",
                    v.get_ref()
                ),
            );
        }
        out.theme = v.into_inner();
    }
    if let Some(v) = raw.timezone {
        if let Err(message) = timezone::check(v.get_ref()) {
            p.report(v.span(), "console.timezone", message);
        }
        out.timezone = Some(v.into_inner());
    }
    out.operator = raw.operator.map(Spanned::into_inner);
    out.mouse = raw.mouse.unwrap_or(false);
    out.split = raw.split.unwrap_or(true);
    if let Some(keys) = raw.keys {
        out.keys = console_keys(keys, p);
    }
    out
}

fn locations(raw: Vec<Spanned<RawLocation>>, p: &mut Problems) -> Vec<Location> {
    // id -> (index, line) of its first use, to name both places on a duplicate.
    let mut seen: HashMap<String, (usize, usize)> = HashMap::new();
    let mut out = Vec::with_capacity(raw.len());
    for (i, loc) in raw.into_iter().enumerate() {
        let header = loc.span();
        let mut loc = loc.into_inner();
        let id = location_id(i, &header, loc.id.take(), &mut seen, p);
        out.push(location(i, &header, id, loc, p));
    }
    out
}

fn location_id(
    i: usize,
    header: &Range<usize>,
    id: Option<Spanned<String>>,
    seen: &mut HashMap<String, (usize, usize)>,
    p: &mut Problems,
) -> String {
    let key = format!("locations[{i}].id");
    let Some(id) = id else {
        p.report(
            header.clone(),
            key,
            format!(
                "locations[{i}]: missing key `id`; every location needs one, e.g. id = \"wh-east\""
            ),
        );
        return String::new();
    };
    let span = id.span();
    let id = id.into_inner();
    if id.is_empty() {
        p.report(
            span,
            key,
            format!("locations[{i}].id is empty; give the location a short id such as \"wh-east\""),
        );
    } else if let Some(bad) = id
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
    {
        p.report(
            span,
            key,
            format!(
                "locations[{i}].id = {id:?} contains {bad:?}; ids may only use letters, digits, '.', '_' and '-', e.g. \"wh-east\""
            ),
        );
    } else if let Some(&(first, first_line)) = seen.get(&id) {
        p.report(
            span,
            key,
            format!(
                "locations[{i}].id = {id:?} is already used by locations[{first}] at line {first_line}; location ids must be unique"
            ),
        );
    } else {
        let line = p.line(&span);
        seen.insert(id.clone(), (i, line));
    }
    id
}

fn location(
    i: usize,
    header: &Range<usize>,
    id: String,
    raw: RawLocation,
    p: &mut Problems,
) -> Location {
    let kind = match raw.kind {
        None => {
            p.report(
                header.clone(),
                format!("locations[{i}].kind"),
                format!(
                    "locations[{i}]: missing key `kind`; add kind = \"warehouse\", \"store\" or \"dropship\""
                ),
            );
            LocationKind::Warehouse
        }
        Some(k) => match KINDS.iter().find(|kind| kind.as_str() == k.get_ref()) {
            Some(kind) => *kind,
            None => {
                p.report(
                    k.span(),
                    format!("locations[{i}].kind"),
                    format!(
                        "locations[{i}].kind = {:?} is not a location kind; use \"warehouse\", \"store\" or \"dropship\"",
                        k.get_ref()
                    ),
                );
                LocationKind::Warehouse
            }
        },
    };

    let name = match raw.name {
        None => id.clone(),
        Some(n) => {
            if n.get_ref().trim().is_empty() {
                p.report(
                    n.span(),
                    format!("locations[{i}].name"),
                    format!(
                        "locations[{i}].name is empty; give a display name, or remove the key to show the id"
                    ),
                );
            }
            n.into_inner()
        }
    };

    let priority = raw.priority.map(|v| {
        u32_at_least(p, &v, 1, format!("locations[{i}].priority"), |key, v| {
            format!(
                "{key} = {v} is out of range; use a whole number from 1 (the most preferred) to {}, or remove it to rank the location after those that have one",
                u32::MAX
            )
        })
    });
    let daily_capacity = raw.daily_capacity.map(|v| {
        u32_at_least(p, &v, 0, format!("locations[{i}].daily_capacity"), |key, v| {
            format!(
                "{key} = {v} is out of range; use a number of orders per day from 0 to {}, or remove it for no limit",
                u32::MAX
            )
        })
    });

    let lat = coordinate(p, raw.lat.as_ref(), i, "lat", 90.0, "a latitude");
    let lon = coordinate(p, raw.lon.as_ref(), i, "lon", 180.0, "a longitude");
    match (&raw.lat, &raw.lon) {
        (Some(lat), None) => p.report(
            lat.span(),
            format!("locations[{i}].lon"),
            format!("locations[{i}] has lat but no lon; give both (decimal degrees) or neither"),
        ),
        (None, Some(lon)) => p.report(
            lon.span(),
            format!("locations[{i}].lat"),
            format!("locations[{i}] has lon but no lat; give both (decimal degrees) or neither"),
        ),
        _ => {}
    }

    let tags = names(p, raw.tags, i, "tags", "tag");
    let channels = names(p, raw.channels, i, "channels", "channel");

    Location {
        id,
        name,
        kind,
        priority,
        lat,
        lon,
        tags,
        channels,
        daily_capacity,
    }
}

/// An i64 from the file that must fit `min..=u32::MAX`.
fn u32_at_least(
    p: &mut Problems,
    v: &Spanned<i64>,
    min: u32,
    key: String,
    message: impl FnOnce(&str, i64) -> String,
) -> u32 {
    match u32::try_from(*v.get_ref()) {
        Ok(n) if n >= min => n,
        _ => {
            let text = message(&key, *v.get_ref());
            p.report(v.span(), key, text);
            min
        }
    }
}

fn coordinate(
    p: &mut Problems,
    v: Option<&Spanned<f64>>,
    i: usize,
    name: &str,
    limit: f64,
    what: &str,
) -> Option<f64> {
    let v = v?;
    let x = *v.get_ref();
    // NaN fails `contains` too, so `lat = nan` is rejected here as well.
    if !(-limit..=limit).contains(&x) {
        p.report(
            v.span(),
            format!("locations[{i}].{name}"),
            format!(
                "locations[{i}].{name} = {x} is out of range; {what} is between -{limit} and {limit}"
            ),
        );
    }
    Some(x)
}

/// Tags and channel names: an empty one can never match anything, so it is a mistake.
fn names(
    p: &mut Problems,
    raw: Vec<Spanned<String>>,
    i: usize,
    key: &str,
    what: &str,
) -> Vec<String> {
    raw.into_iter()
        .map(|v| {
            if v.get_ref().trim().is_empty() {
                p.report(
                    v.span(),
                    format!("locations[{i}].{key}"),
                    format!("locations[{i}].{key} has an empty {what} name; remove it"),
                );
            }
            v.into_inner()
        })
        .collect()
}

pub(super) fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

/// `[[rules]]`: routing's own checks (every problem of every rule, each placed on the line of
/// the field at fault), then the one only the config can make: an exact location id must be a
/// configured location. `known` is `None` when there is nothing to check ids against (a
/// rules-only file, see `Config::load_rules`).
///
/// Also returns the compiled set when the rules themselves are valid (`None` for no rules), so
/// that the usual case compiles them once: `validate_rules` runs only to list the problems.
fn rules(
    raw: Vec<Spanned<Rule>>,
    on_unroutable: OnUnroutable,
    known: Option<&[Location]>,
    outline: &Outline,
    p: &mut Problems,
) -> (Vec<Rule>, Option<RuleSet>) {
    let (headers, rules): (Vec<Range<usize>>, Vec<Rule>) =
        raw.into_iter().map(|r| (r.span(), r.into_inner())).unzip();

    let compiled = if rules.is_empty() {
        None
    } else {
        RuleSet::new(rules.clone(), on_unroutable).ok()
    };
    let problems = if compiled.is_none() && !rules.is_empty() {
        validate_rules(&rules)
    } else {
        Vec::new()
    };
    for e in problems {
        let header = headers.get(e.index).cloned().unwrap_or(0..0);
        let span = rule_field_span(outline, e.index, &e.field).unwrap_or(header);
        p.report(
            span,
            format!("rules[{}].{}", e.index, e.field),
            format!(
                "{}: `{}` {}",
                error::rule_label(e.index, &e.name),
                e.field,
                e.message
            ),
        );
    }

    if let Some(locations) = known {
        for (i, rule) in rules.iter().enumerate() {
            for (k, pattern) in rule.locations.iter().enumerate() {
                if !is_exact_id(pattern) || locations.iter().any(|l| l.id == *pattern) {
                    continue;
                }
                let field = format!("locations[{k}]");
                let span = rule_field_span(outline, i, &field)
                    .unwrap_or_else(|| headers.get(i).cloned().unwrap_or(0..0));
                p.report(
                    span,
                    format!("rules[{i}].{field}"),
                    format!(
                        "{}: location `{pattern}` is not a configured location; {}",
                        error::rule_label(i, &rule.name),
                        unknown_location_hint(pattern, locations)
                    ),
                );
            }
        }
    }
    (rules, compiled)
}

/// A pattern that names one location: not "*", not a glob, not "tag:NAME", not "$pickup" (and
/// not a malformed `$` pattern, which routing's checks already report).
fn is_exact_id(pattern: &str) -> bool {
    const GLOB_META: &[char] = &['*', '?', '[', ']', '{', '}', '\\'];
    !pattern.is_empty()
        && !pattern.contains(GLOB_META)
        && !pattern.contains('$')
        && !pattern.starts_with("tag:")
}

/// What to write instead of an id that is not configured.
fn unknown_location_hint(pattern: &str, locations: &[Location]) -> String {
    const SHOWN: usize = 12;
    if locations.is_empty() {
        return "this file has no [[locations]]; add the location, or use a glob such as \"wh-*\" or \"tag:NAME\"".to_owned();
    }
    let ids: Vec<String> = locations.iter().map(|l| l.id.clone()).collect();
    if let Some(good) = error::closest(pattern, &ids) {
        return format!("did you mean `{good}`?");
    }
    let mut list = ids[..ids.len().min(SHOWN)].join(", ");
    if ids.len() > SHOWN {
        list.push_str(", ...");
    }
    format!("the configured ids are: {list}")
}

/// Span of `field` (routing's name for it: `sort[1]`, `when.total_min`, `locations`) in
/// `rules[index]`; the closest enclosing value that has one when the field itself was not
/// written (a missing `name`), `None` when not even the rule has one.
fn rule_field_span(outline: &Outline, index: usize, field: &str) -> Option<Range<usize>> {
    let mut path = vec![Seg::Key("rules".to_owned()), Seg::Index(index)];
    path.extend(field_segs(field));
    while path.len() > 2 {
        if let Some(span) = outline.span_of(&path) {
            return Some(span);
        }
        path.pop();
    }
    outline.span_of(&path)
}

/// `when.total_min` -> [when, total_min]; `sort[1]` -> [sort, 1]. Field names are routing's,
/// plain identifiers; anything unexpected just ends the path early.
fn field_segs(field: &str) -> Vec<Seg> {
    let mut segs = Vec::new();
    for part in field.split('.') {
        let mut pieces = part.split('[');
        if let Some(name) = pieces.next().filter(|n| !n.is_empty()) {
            segs.push(Seg::Key(name.to_owned()));
        }
        for piece in pieces {
            match piece.strip_suffix(']').and_then(|n| n.parse().ok()) {
                Some(n) => segs.push(Seg::Index(n)),
                None => return segs,
            }
        }
    }
    segs
}
