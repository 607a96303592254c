//! Rules compiled for the decision: location patterns (with fast paths that skip the glob
//! engine), `when` with empty lists as absent, and every check of a rule with its message.

use globset::{GlobBuilder, GlobMatcher};

use super::{Action, Rule, RuleError, SortKey, Split};
use crate::model::{Location, Money};

/// A location pattern, compiled. Plain ids, "*", "prefix*" and "*suffix" skip the glob engine.
#[derive(Debug, Clone)]
pub(crate) enum Pattern {
    Any,
    Exact(String),
    Prefix(String),
    Suffix(String),
    Tag(String),
    Pickup,
    Glob(GlobMatcher),
}

const GLOB_META: &[char] = &['*', '?', '[', ']', '{', '}', '\\'];

impl Pattern {
    pub(super) fn compile(p: &str) -> Result<Pattern, String> {
        if p.is_empty() {
            return Err(
                "is empty; use \"*\", an id, a glob like \"store-*\", \"tag:NAME\" or \"$pickup\""
                    .into(),
            );
        }
        if p == "$pickup" {
            return Ok(Pattern::Pickup);
        }
        if p.contains('$') && (p.starts_with('$') || p.contains("$pickup")) {
            return Err(format!(
                "{p:?}: \"$pickup\" must be the whole pattern and is the only variable"
            ));
        }
        if let Some(tag) = p.strip_prefix("tag:") {
            if tag.is_empty() {
                return Err("\"tag:\" needs a tag name, e.g. \"tag:dc\"".into());
            }
            return Ok(Pattern::Tag(tag.to_string()));
        }
        // Validate with the glob engine in every case, so that what is accepted does not depend
        // on the fast paths below.
        let glob = GlobBuilder::new(p)
            .literal_separator(false)
            .backslash_escape(true)
            .case_insensitive(false)
            .build()
            .map_err(|e| format!("{p:?} is not a valid glob: {}", e.kind()))?;
        if p == "*" {
            return Ok(Pattern::Any);
        }
        if !p.contains(GLOB_META) {
            return Ok(Pattern::Exact(p.to_string()));
        }
        if let Some(prefix) = p.strip_suffix('*') {
            if !prefix.contains(GLOB_META) {
                return Ok(Pattern::Prefix(prefix.to_string()));
            }
        }
        if let Some(suffix) = p.strip_prefix('*') {
            if !suffix.contains(GLOB_META) {
                return Ok(Pattern::Suffix(suffix.to_string()));
            }
        }
        Ok(Pattern::Glob(glob.compile_matcher()))
    }

    #[inline]
    pub(crate) fn matches(&self, loc: &Location, pickup: Option<&str>) -> bool {
        match self {
            Pattern::Any => true,
            Pattern::Exact(id) => loc.id == *id,
            Pattern::Prefix(p) => loc.id.starts_with(p.as_str()),
            Pattern::Suffix(s) => loc.id.ends_with(s.as_str()),
            Pattern::Tag(t) => loc.tags.iter().any(|x| x == t),
            Pattern::Pickup => pickup == Some(loc.id.as_str()),
            Pattern::Glob(g) => g.is_match(loc.id.as_str()),
        }
    }
}

/// `when`, compiled: empty lists are absent.
#[derive(Debug, Clone, Default)]
pub(crate) struct CompiledWhen {
    pub channels: Vec<String>,
    pub countries: Vec<String>,
    pub ship_methods: Vec<String>,
    pub total_min: Option<Money>,
    pub total_max: Option<Money>,
    pub skus_any: Vec<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct RoutePart {
    pub patterns: Vec<Pattern>,
    /// Ranking keys in order, fewest_splits left out (step 5).
    pub keys: Vec<SortKey>,
    pub fewest_splits: bool,
    pub uses_distance: bool,
    pub uses_most_stock: bool,
    pub split: Split,
    pub max_distance_km: Option<f64>,
}

#[derive(Debug, Clone)]
pub(crate) enum CompiledAction {
    Route(RoutePart),
    Hold { reason: String },
}

#[derive(Debug, Clone)]
pub(crate) struct CompiledRule {
    pub name: String,
    pub when: CompiledWhen,
    pub action: CompiledAction,
}

pub(super) fn compile_rule(
    index: usize,
    rule: &Rule,
    all: &[Rule],
    errors: &mut Vec<RuleError>,
) -> Option<CompiledRule> {
    let before = errors.len();
    let mut err = |field: &str, message: String| {
        errors.push(RuleError {
            index,
            name: rule.name.clone(),
            field: field.to_string(),
            message,
        })
    };

    if rule.name.trim().is_empty() {
        err(
            "name",
            "is missing or empty; every rule needs a name (decisions report it)".into(),
        );
    } else if let Some(first) = all[..index].iter().position(|r| r.name == rule.name) {
        err(
            "name",
            format!(
                "is also the name of rule #{}; names must be unique (decisions report them)",
                first + 1
            ),
        );
    }

    // None: not a valid action; its own checks are skipped (one error, not a cascade).
    let action = match rule.action.as_deref() {
        None => Some(Action::Route),
        Some(a) => {
            let parsed = Action::parse(a);
            if parsed.is_none() {
                err("action", format!("is {a:?}; use \"route\" or \"hold\""));
            }
            parsed
        }
    };

    let split = match rule.split.as_deref() {
        None => Split::Allowed,
        Some(s) => match Split::parse(s) {
            Some(s) => s,
            None => {
                err(
                    "split",
                    format!("is {s:?}; use \"never\", \"allowed\" or \"partial\""),
                );
                Split::Allowed
            }
        },
    };

    let mut keys = Vec::new();
    let mut fewest_splits = false;
    match &rule.sort {
        None => {
            fewest_splits = true;
            keys.extend_from_slice(&SortKey::DEFAULT[1..]);
        }
        Some(list) => {
            for (k, s) in list.iter().enumerate() {
                match SortKey::parse(s) {
                    Some(SortKey::FewestSplits) => fewest_splits = true,
                    Some(key) => keys.push(key),
                    None => err(
                        &format!("sort[{k}]"),
                        format!(
                            "is {s:?}, not a sort key; use \"fewest_splits\", \"closest\", \"priority\" or \"most_stock\""
                        ),
                    ),
                }
            }
        }
    }

    if let Some(d) = rule.max_distance_km {
        if d.is_nan() || d < 0.0 {
            err(
                "max_distance_km",
                format!("is {d}; it must be a distance in km, 0 or more"),
            );
        }
    }

    let mut patterns = Vec::with_capacity(rule.locations.len());
    for (k, p) in rule.locations.iter().enumerate() {
        match Pattern::compile(p) {
            Ok(c) => patterns.push(c),
            Err(m) => err(&format!("locations[{k}]"), m),
        }
    }

    let when = rule.when.clone().unwrap_or_default();
    if let (Some(min), Some(max)) = (when.total_min, when.total_max) {
        if min > max {
            err(
                "when.total_min",
                format!("({min}) is greater than when.total_max ({max}); no order could match"),
            );
        }
    }

    let compiled_action = match action {
        None => None,
        Some(Action::Hold) => {
            let reason = match rule.reason.as_deref().map(str::trim) {
                Some(r) if !r.is_empty() => r.to_string(),
                _ => rule.name.clone(),
            };
            Some(CompiledAction::Hold { reason })
        }
        Some(Action::Route) => {
            if rule.reason.is_some() {
                err(
                    "reason",
                    "is only used by hold rules; add action = \"hold\" or remove reason".into(),
                );
            }
            if rule.locations.is_empty() {
                err(
                    "locations",
                    "is missing or empty; a routing rule needs at least one pattern, e.g. [\"*\"]"
                        .into(),
                );
            }
            let uses_distance = keys.contains(&SortKey::Closest) || rule.max_distance_km.is_some();
            let uses_most_stock = keys.contains(&SortKey::MostStock);
            Some(CompiledAction::Route(RoutePart {
                patterns,
                keys,
                fewest_splits,
                uses_distance,
                uses_most_stock,
                split,
                max_distance_km: rule.max_distance_km,
            }))
        }
    };

    let compiled_action = compiled_action?;
    if errors.len() > before {
        return None;
    }
    Some(CompiledRule {
        name: rule.name.clone(),
        when: CompiledWhen {
            channels: when.channels,
            countries: when.countries,
            ship_methods: when.ship_methods,
            total_min: when.total_min,
            total_max: when.total_max,
            skus_any: when.skus_any,
        },
        action: compiled_action,
    })
}
