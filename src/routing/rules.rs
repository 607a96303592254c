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

use std::fmt;

use crate::model::OnUnroutable;
use globset::{GlobBuilder, GlobMatcher};
use serde::{Deserialize, Serialize};

use crate::model::{Location, Money};

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
    fn compile(p: &str) -> Result<Pattern, String> {
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

fn compile_rule(
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

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(json: &str) -> Rule {
        serde_json::from_str(json).unwrap()
    }

    fn first_error(rules: Vec<Rule>) -> RuleError {
        RuleSet::new(rules, OnUnroutable::Backorder).unwrap_err()
    }

    #[test]
    fn valid_rules_compile() {
        let rs = RuleSet::new(
            vec![
                rule(r#"{"name":"a","when":{"ship_methods":["pickup"]},"locations":["$pickup"],"split":"never","sort":["priority"]}"#),
                rule(r#"{"name":"b","when":{"total_min":"1000.00"},"action":"hold","reason":"high value"}"#),
                rule(r#"{"name":"c","locations":["*","tag:dc","store-*","dc-[ab]","*-x","exact"],"max_distance_km":0}"#),
            ],
            OnUnroutable::Hold,
        )
        .unwrap();
        assert_eq!(rs.len(), 3);
        assert_eq!(rs.on_unroutable(), OnUnroutable::Hold);
        match &rs.compiled[2].action {
            CompiledAction::Route(r) => {
                assert!(r.fewest_splits);
                assert_eq!(r.keys, vec![SortKey::Closest, SortKey::Priority]);
                assert_eq!(r.split, Split::Allowed);
                assert!(matches!(r.patterns[0], Pattern::Any));
                assert!(matches!(r.patterns[1], Pattern::Tag(_)));
                assert!(matches!(r.patterns[2], Pattern::Prefix(_)));
                assert!(matches!(r.patterns[3], Pattern::Glob(_)));
                assert!(matches!(r.patterns[4], Pattern::Suffix(_)));
                assert!(matches!(r.patterns[5], Pattern::Exact(_)));
            }
            _ => panic!("route rule expected"),
        }
    }

    #[test]
    fn errors_name_rule_and_field() {
        let e = first_error(vec![
            rule(r#"{"name":"ok","locations":["*"]}"#),
            rule(r#"{"name":"Default","locations":["*"],"sort":["closest","nearest"]}"#),
        ]);
        assert_eq!((e.index, e.field.as_str()), (1, "sort[1]"));
        let text = e.to_string();
        assert!(text.starts_with("rule #2 \"Default\": `sort[1]`"), "{text}");
        assert!(text.contains("nearest"), "{text}");

        let cases: &[(&str, &str)] = &[
            (r#"{"name":"","locations":["*"]}"#, "name"),
            (r#"{"locations":["*"]}"#, "name"),
            (r#"{"name":"g","locations":["dc-[ab"]}"#, "locations[0]"),
            (r#"{"name":"t","locations":["tag:"]}"#, "locations[0]"),
            (
                r#"{"name":"p","locations":["store-$pickup"]}"#,
                "locations[0]",
            ),
            (r#"{"name":"v","locations":["$store"]}"#, "locations[0]"),
            (r#"{"name":"e","locations":[""]}"#, "locations[0]"),
            (
                r#"{"name":"m","when":{"total_min":"10","total_max":"9.99"},"locations":["*"]}"#,
                "when.total_min",
            ),
            (
                r#"{"name":"s","locations":["*"],"split":"sometimes"}"#,
                "split",
            ),
            (r#"{"name":"a","action":"drop"}"#, "action"),
            (
                r#"{"name":"d","locations":["*"],"max_distance_km":-1}"#,
                "max_distance_km",
            ),
            (r#"{"name":"r","locations":["*"],"reason":"why"}"#, "reason"),
            (r#"{"name":"l","split":"never"}"#, "locations"),
        ];
        for (json, field) in cases {
            let e = first_error(vec![rule(json)]);
            assert_eq!(e.field, *field, "{json}: {e}");
            assert_eq!(e.index, 0);
        }
        let e = first_error(vec![
            rule(r#"{"name":"x","locations":["*"]}"#),
            rule(r#"{"name":"x","locations":["*"]}"#),
        ]);
        assert_eq!((e.index, e.field.as_str()), (1, "name"));
    }

    #[test]
    fn validate_rules_lists_every_problem() {
        let errs = validate_rules(&[
            rule(r#"{"name":"a","locations":["*"],"split":"x","sort":["y"]}"#),
            rule(r#"{"name":"b","locations":["*"]}"#),
            rule(r#"{"name":"c","action":"z"}"#),
        ]);
        let got: Vec<(usize, &str)> = errs.iter().map(|e| (e.index, e.field.as_str())).collect();
        assert_eq!(got, vec![(0, "split"), (0, "sort[0]"), (2, "action")]);
    }

    #[test]
    fn hold_without_reason_uses_rule_name() {
        let rs = RuleSet::new(
            vec![rule(r#"{"name":"Review","action":"hold"}"#)],
            OnUnroutable::Backorder,
        )
        .unwrap();
        match &rs.compiled[0].action {
            CompiledAction::Hold { reason } => assert_eq!(reason, "Review"),
            _ => panic!(),
        }
    }

    #[test]
    fn unknown_fields_and_bad_money_are_parse_errors() {
        assert!(serde_json::from_str::<Rule>(r#"{"name":"a","max_distance":5}"#).is_err());
        assert!(serde_json::from_str::<Rule>(r#"{"name":"a","when":{"channel":["x"]}}"#).is_err());
        assert!(
            serde_json::from_str::<Rule>(r#"{"name":"a","when":{"total_min":"abc"}}"#).is_err()
        );
    }

    #[test]
    fn rules_read_from_toml_with_the_same_fields() {
        #[derive(Deserialize)]
        struct Doc {
            rules: Vec<Rule>,
        }
        let doc: Doc = toml::from_str(
            r#"
[[rules]]
name = "Review large orders"
action = "hold"
reason = "high value"
when = { total_min = "2500.00", channels = ["shopify"] }

[[rules]]
name = "Near stores"
locations = ["store-*", "tag:dc"]
max_distance_km = 50.5
split = "partial"
sort = ["most_stock", "closest"]
"#,
        )
        .unwrap();
        assert_eq!(doc.rules.len(), 2);
        assert_eq!(
            doc.rules[0].when.as_ref().unwrap().total_min,
            Some("2500.00".parse().unwrap())
        );
        assert_eq!(doc.rules[1].max_distance_km, Some(50.5));
        RuleSet::new(doc.rules.clone(), OnUnroutable::Backorder).unwrap();
        // And back: TOML has no null, so absent fields must be skipped.
        for r in &doc.rules {
            let back: Rule = toml::from_str(&toml::to_string(r).unwrap()).unwrap();
            assert_eq!(&back, r);
        }
    }

    #[test]
    fn patterns_match_whole_id_case_sensitively() {
        let loc = |id: &str, tags: &[&str]| Location {
            id: id.into(),
            name: id.into(),
            kind: crate::model::LocationKind::Store,
            priority: None,
            lat: None,
            lon: None,
            tags: tags.iter().map(|t| t.to_string()).collect(),
            channels: vec![],
            daily_capacity: None,
        };
        let m = |p: &str, id: &str| {
            Pattern::compile(p)
                .unwrap()
                .matches(&loc(id, &["dc"]), Some("pick"))
        };
        assert!(m("*", "anything"));
        assert!(m("store-*", "store-1"));
        assert!(!m("store-*", "Store-1"));
        assert!(!m("store-*", "my-store-1"));
        assert!(m("store-?", "store-1"));
        assert!(!m("store-?", "store-12"));
        assert!(m("dc-[ab]", "dc-a"));
        assert!(!m("dc-[ab]", "dc-c"));
        assert!(m("*-east", "dc-east"));
        assert!(!m("*-east", "dc-eastern"));
        assert!(m("dc-*-1", "dc-x-1"));
        assert!(m("exact", "exact"));
        assert!(!m("exact", "exact2"));
        assert!(!m("exact", "Exact"));
        assert!(m("tag:dc", "x"));
        assert!(!m("tag:DC", "x"));
        assert!(m("$pickup", "pick"));
        assert!(!m("$pickup", "other"));
        assert!(!Pattern::compile("$pickup")
            .unwrap()
            .matches(&loc("pick", &[]), None));
    }
}
