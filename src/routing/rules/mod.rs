//! Rules as written, their validation, and the compiled [`RuleSet`] the decision runs on.
//!
//! A [`Rule`] deserializes from a scenario file (JSON) and from the config's `[[rules]]` (TOML)
//! with the same field names. Enumerated fields (`action`, `split`, `sort`) are kept as strings
//! in [`Rule`] so that a wrong value is reported by [`RuleSet::new`] with the rule's name, its
//! number and the field, rather than by serde without that context.
//!
//! Validation choices where the spec is silent:
//! - `name` must be non-blank and unique: it is what a decision reports as the deciding rule.
//! - A hold rule without `reason` (or with an empty one) is allowed: the order is held with the
//!   rule's name as the reason, so a hold always says why.
//! - `reason` on a routing rule is an error (it would never be shown, and it usually means a
//!   forgotten `action = "hold"`).
//! - A routing rule needs at least one pattern in `locations` (it could never place anything).
//!   A hold rule's `locations`, `split`, `sort` and `max_distance_km` are checked but unused.
//! - `$pickup` must be a whole pattern; any other `$name` is an error. It is accepted in any
//!   routing rule, whatever its `when`: an order can carry a pickup_location with any ship
//!   method, so no rule is statically "never applicable" because of it. In a hold rule it is
//!   unused, like every pattern there. At run time it matches nothing when the order has no
//!   pickup_location (spec).
//! - `tag:` needs a name; tags compare exactly (no globs in tag names).
//! - `sort = []` (explicitly empty) means "no keys": candidates rank by id only. Absent means the
//!   default `["fewest_splits", "closest", "priority"]`. Repeated keys are allowed (harmless).
//! - `max_distance_km` must be a number >= 0 (NaN is rejected).

mod compile;
#[cfg(test)]
mod tests;

use std::fmt;

use crate::model::OnUnroutable;
use serde::{Deserialize, Serialize};

use crate::model::Money;

use compile::compile_rule;
pub(crate) use compile::{CompiledAction, CompiledRule, CompiledWhen, RoutePart};

/// Conditions of a rule; every one given must match. A list left empty counts as absent.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct When {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub channels: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub countries: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ship_methods: Vec<String>,
    /// Inclusive. A decimal string.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "rust_decimal::serde::str_option"
    )]
    pub total_min: Option<Money>,
    /// Inclusive. A decimal string.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "rust_decimal::serde::str_option"
    )]
    pub total_max: Option<Money>,
    /// Some line's SKU is in the list (exact, case-sensitive).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skus_any: Vec<String>,
}

impl When {
    pub fn is_empty(&self) -> bool {
        self.channels.is_empty()
            && self.countries.is_empty()
            && self.ship_methods.is_empty()
            && self.total_min.is_none()
            && self.total_max.is_none()
            && self.skus_any.is_empty()
    }
}

/// One routing rule, as written in a scenario file or in `[[rules]]`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    #[serde(default)]
    pub name: String,
    /// Absent (or empty) = the rule always applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<When>,
    /// "route" (default) or "hold".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    /// For hold rules: why the order is held.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Patterns: "*", an exact id, a glob ("store-*"), "tag:NAME", "$pickup".
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub locations: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_distance_km: Option<f64>,
    /// "never" | "allowed" (default) | "partial".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub split: Option<String>,
    /// Keys among "fewest_splits", "closest", "priority", "most_stock". Absent = the default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort: Option<Vec<String>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SortKey {
    FewestSplits,
    Closest,
    Priority,
    MostStock,
}

impl SortKey {
    pub const ALL: [SortKey; 4] = [
        SortKey::FewestSplits,
        SortKey::Closest,
        SortKey::Priority,
        SortKey::MostStock,
    ];
    pub const DEFAULT: [SortKey; 3] = [SortKey::FewestSplits, SortKey::Closest, SortKey::Priority];

    pub fn as_str(self) -> &'static str {
        match self {
            SortKey::FewestSplits => "fewest_splits",
            SortKey::Closest => "closest",
            SortKey::Priority => "priority",
            SortKey::MostStock => "most_stock",
        }
    }

    pub fn parse(s: &str) -> Option<SortKey> {
        SortKey::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Split {
    Never,
    #[default]
    Allowed,
    Partial,
}

impl Split {
    pub const ALL: [Split; 3] = [Split::Never, Split::Allowed, Split::Partial];

    pub fn as_str(self) -> &'static str {
        match self {
            Split::Never => "never",
            Split::Allowed => "allowed",
            Split::Partial => "partial",
        }
    }

    pub fn parse(s: &str) -> Option<Split> {
        Split::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    #[default]
    Route,
    Hold,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Route => "route",
            Action::Hold => "hold",
        }
    }

    pub fn parse(s: &str) -> Option<Action> {
        [Action::Route, Action::Hold]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

impl OnUnroutable {
    pub fn as_str(self) -> &'static str {
        match self {
            OnUnroutable::Backorder => "backorder",
            OnUnroutable::Hold => "hold",
        }
    }

    pub fn parse(s: &str) -> Option<OnUnroutable> {
        [OnUnroutable::Backorder, OnUnroutable::Hold]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// A rule that cannot be used, named by its number and name, with the field at fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleError {
    /// 0-based position in the list (messages show it 1-based: "rule #1" is the first).
    pub index: usize,
    pub name: String,
    /// The field at fault, e.g. "sort[1]", "when.total_min", "locations[0]".
    pub field: String,
    pub message: String,
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.name.trim().is_empty() {
            write!(f, "rule #{} (unnamed): ", self.index + 1)?;
        } else {
            write!(f, "rule #{} {:?}: ", self.index + 1, self.name)?;
        }
        write!(f, "`{}` {}", self.field, self.message)
    }
}

impl std::error::Error for RuleError {}

/// Validated, compiled rules plus what to do with an order none of them takes.
#[derive(Debug, Clone)]
pub struct RuleSet {
    pub(crate) compiled: Vec<CompiledRule>,
    on_unroutable: OnUnroutable,
    source: Vec<Rule>,
}

impl RuleSet {
    /// Validates and compiles. The first problem found is returned; [`validate_rules`] lists
    /// them all.
    pub fn new(rules: Vec<Rule>, on_unroutable: OnUnroutable) -> Result<RuleSet, RuleError> {
        let mut compiled = Vec::with_capacity(rules.len());
        for (i, rule) in rules.iter().enumerate() {
            let mut errors = Vec::new();
            let c = compile_rule(i, rule, &rules, &mut errors);
            if let Some(e) = errors.into_iter().next() {
                return Err(e);
            }
            compiled.push(c.expect("no errors means compiled"));
        }
        Ok(RuleSet {
            compiled,
            on_unroutable,
            source: rules,
        })
    }

    /// No rules: every order is unroutable.
    pub fn empty() -> RuleSet {
        RuleSet {
            compiled: Vec::new(),
            on_unroutable: OnUnroutable::Backorder,
            source: Vec::new(),
        }
    }

    /// What ordo routes by when the config has no `[[rules]]`: one rule taking every location,
    /// with the spec's defaults (sort fewest_splits, closest, priority; split allowed).
    pub fn fallback(on_unroutable: OnUnroutable) -> RuleSet {
        let rule = Rule {
            name: "Default".into(),
            when: None,
            action: None,
            reason: None,
            locations: vec!["*".into()],
            max_distance_km: None,
            split: None,
            sort: None,
        };
        // A fixed, valid rule: compiling it cannot fail (a unit test builds it).
        RuleSet::new(vec![rule], on_unroutable).expect("the fallback rule is valid")
    }

    /// The rules as written.
    pub fn rules(&self) -> &[Rule] {
        &self.source
    }

    pub fn on_unroutable(&self) -> OnUnroutable {
        self.on_unroutable
    }

    pub fn len(&self) -> usize {
        self.compiled.len()
    }

    pub fn is_empty(&self) -> bool {
        self.compiled.is_empty()
    }
}

/// Every problem of every rule, in order (empty = valid). For `ordo rules check`.
pub fn validate_rules(rules: &[Rule]) -> Vec<RuleError> {
    let mut errors = Vec::new();
    for (i, rule) in rules.iter().enumerate() {
        compile_rule(i, rule, rules, &mut errors);
    }
    errors
}
