//! `ConfigError`: every way a config file can be wrong, each rendered as one line that names the
//! file, the line and the key, and says how to fix it. Also the translation of toml's own errors
//! (syntax and serde) into these variants.

use std::fmt;
use std::io;
use std::ops::Range;
use std::path::{Path, PathBuf};

use super::outline::{line_of, DisplayKey, KeyPath, Outline, Seg};

/// A config problem. `Display` is always a single line (the CLI prints it as `error: <message>`).
///
/// Lines are 1-based; `None` only when the TOML library gave no position.
#[derive(thiserror::Error, Debug)]
#[non_exhaustive]
pub enum ConfigError {
    /// `config file F: not found (...)`
    NotFound { file: PathBuf },
    /// The file exists but could not be read (permissions, a directory, ...).
    Unreadable {
        file: PathBuf,
        #[source]
        source: io::Error,
    },
    /// `F:L: TOML syntax error: <toml's message>` (also used for a file that is not UTF-8).
    Syntax {
        file: PathBuf,
        line: Option<usize>,
        message: String,
    },
    /// `F:L: unknown key `k` in [[locations]] #2; expected one of: ...[; did you mean `x`?]`
    /// (the suggestion is [`ConfigError::suggestion`]).
    UnknownKey {
        file: PathBuf,
        line: Option<usize>,
        /// The misspelt key as written.
        key: String,
        /// Where it was found: `at the top level`, `in [store]`, `in [[locations]] #2`.
        section: String,
        /// The keys allowed there.
        expected: Vec<String>,
    },
    /// `F:L: store.cache_capacity_mb: invalid type: string "big", expected u64`; inside a rule,
    /// the rule and field named as routing's checks name them:
    /// `F:L: rules[2] "Default": `split`: invalid type: integer `3`, expected a string`.
    WrongType {
        file: PathBuf,
        line: Option<usize>,
        /// Dotted path with 0-based indices, e.g. `locations[1].lat`, `rules[2].when.total_min`.
        key: String,
        message: String,
        /// When `key` is inside a `[[rules]]` entry: that rule's name (empty when it has none),
        /// shown in the message.
        rule: Option<String>,
    },
    /// A well-typed value that makes no sense, e.g.
    /// `F:L: locations[1].lat = 200 is out of range; a latitude is between -90 and 90`.
    /// `message` already names the key and the fix.
    Invalid {
        file: PathBuf,
        line: Option<usize>,
        key: String,
        message: String,
    },
}

impl ConfigError {
    /// The config file the error is about.
    pub fn file(&self) -> &Path {
        match self {
            ConfigError::NotFound { file }
            | ConfigError::Unreadable { file, .. }
            | ConfigError::Syntax { file, .. }
            | ConfigError::UnknownKey { file, .. }
            | ConfigError::WrongType { file, .. }
            | ConfigError::Invalid { file, .. } => file,
        }
    }

    /// 1-based line of the problem, when there is one.
    pub fn line(&self) -> Option<usize> {
        match self {
            ConfigError::NotFound { .. } | ConfigError::Unreadable { .. } => None,
            ConfigError::Syntax { line, .. }
            | ConfigError::UnknownKey { line, .. }
            | ConfigError::WrongType { line, .. }
            | ConfigError::Invalid { line, .. } => *line,
        }
    }

    /// For an unknown key, the allowed key it most likely meant (a small edit away).
    pub fn suggestion(&self) -> Option<&str> {
        match self {
            ConfigError::UnknownKey { key, expected, .. } => closest(key, expected),
            _ => None,
        }
    }

    fn render(&self) -> String {
        match self {
            ConfigError::NotFound { file } => format!(
                "config file {}: not found (create it from config.example.toml, or drop --config to use the defaults)",
                file.display()
            ),
            ConfigError::Unreadable { file, source } => {
                format!("config file {}: cannot read it: {source}", file.display())
            }
            ConfigError::Syntax {
                file,
                line,
                message,
            } => format!("{}: TOML syntax error: {message}", At(file, *line)),
            ConfigError::UnknownKey {
                file,
                line,
                key,
                section,
                expected,
            } => {
                let mut s = format!("{}: unknown key `{}` {section}", At(file, *line), DisplayKey(key));
                if expected.is_empty() {
                    s.push_str("; nothing can be set there");
                } else {
                    s.push_str("; expected one of: ");
                    s.push_str(&expected.join(", "));
                }
                if let Some(good) = self.suggestion() {
                    s.push_str(&format!("; did you mean `{good}`?"));
                }
                s
            }
            ConfigError::WrongType {
                file,
                line,
                key,
                message,
                rule,
            } => {
                let at = At(file, *line);
                match rule.as_deref().and_then(|name| rule_key_shown(key, name)) {
                    Some(shown) => format!("{at}: {shown}: {message}"),
                    None => format!("{at}: {key}: {message}"),
                }
            }
            ConfigError::Invalid {
                file,
                line,
                message,
                ..
            } => format!("{}: {message}", At(file, *line)),
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // One line, always: user text is quoted with `{:?}` where it is built, and this catches
        // whatever slips through (a newline in a file name, a multi-line library message).
        let text = self.render();
        let mut first = true;
        for part in text.split(['\n', '\r']).filter(|p| !p.trim().is_empty()) {
            if !first {
                f.write_str("; ")?;
            }
            f.write_str(part.trim_end())?;
            first = false;
        }
        Ok(())
    }
}

/// `file:line` or just `file`.
struct At<'a>(&'a Path, Option<usize>);

impl fmt::Display for At<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.1 {
            Some(line) => write!(f, "{}:{line}", self.0.display()),
            None => write!(f, "{}", self.0.display()),
        }
    }
}

/// A syntax error from the outline pass. toml's `message()` has no position prefix and no code
/// excerpt, but it can span several lines ("invalid string" / "expected `\"`"): keep them all,
/// joined, since the second line is usually the useful one.
pub(super) fn syntax(err: &toml::de::Error, text: &str, file: &Path) -> ConfigError {
    let message = err
        .message()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("; ");
    ConfigError::Syntax {
        file: file.to_path_buf(),
        line: err.span().map(|s| line_of(text, s.start)),
        message,
    }
}

/// A schema error from deserializing the typed raw structs: unknown key or wrong type.
pub(super) fn schema(
    err: &toml::de::Error,
    text: &str,
    file: &Path,
    outline: &Outline,
) -> ConfigError {
    let span: Option<Range<usize>> = err.span();
    let line = span.as_ref().map(|s| line_of(text, s.start));
    let found = span.as_ref().and_then(|s| outline.locate(s));
    let message = err.message().trim();

    if let Some((key, expected)) = parse_unknown_field(message) {
        // The span is the key's. Its parent is the table it was written in.
        let table = match &found {
            Some(f) if f.at_key || f.path.last() == Some(&Seg::Key(key.clone())) => {
                Some(&f.path[..f.path.len().saturating_sub(1)])
            }
            Some(f) => Some(f.path.as_slice()),
            None => None,
        };
        let section = match table {
            Some([Seg::Key(k), Seg::Index(i), rest @ ..]) if k == "rules" => {
                let rule = format!("[[rules]] #{} ({})", i + 1, rule_name_shown(text, *i));
                if rest.is_empty() {
                    format!("in {rule}")
                } else {
                    format!("in `{}` of {rule}", KeyPath(rest))
                }
            }
            Some(path) => describe_table(path),
            None => "in the file".to_owned(),
        };
        // A channel takes the common keys and those of its kind: list only those.
        let mut expected = expected;
        if let Some([Seg::Key(k), Seg::Index(i)]) = table {
            if k == "channels" {
                if let Some(kind) = channel_kind(text, *i) {
                    expected.retain(|key| super::channels::allows(kind, key));
                }
            }
        }
        return ConfigError::UnknownKey {
            file: file.to_path_buf(),
            line,
            key,
            section,
            expected,
        };
    }

    let path: &[Seg] = found.as_ref().map(|f| f.path.as_slice()).unwrap_or(&[]);
    let key = if path.is_empty() {
        "(top level)".to_owned()
    } else {
        KeyPath(path).to_string()
    };
    let mut message = message.to_owned();
    // `[locations]` instead of `[[locations]]` is the classic slip; say so.
    if let [Seg::Key(k)] = path {
        if message.ends_with("expected a sequence")
            && matches!(k.as_str(), "locations" | "channels" | "rules")
        {
            message.push_str(&format!(
                "; write each entry as its own [[{k}]] table (double brackets)"
            ));
        }
    }
    // The same slip one level down: `[channels.buffers]`.
    if let [Seg::Key(c), Seg::Index(_), Seg::Key(b)] = path {
        if message.ends_with("expected a sequence") && c == "channels" && b == "buffers" {
            message.push_str(
                "; write each rule as its own [[channels.buffers]] table (double brackets)",
            );
        }
    }
    // `tags = "x"` for `tags = ["x"]`.
    if let [.., Seg::Key(_)] = path {
        if message.starts_with("invalid type: string") && message.ends_with("expected a sequence") {
            message.push_str("; write a list in square brackets, e.g. [\"a\", \"b\"]");
        }
    }
    // Inside a rule (not the rule itself): name it, as the rule checks do.
    let rule = match path {
        [Seg::Key(k), Seg::Index(i), rest @ ..] if k == "rules" && !rest.is_empty() => {
            // Money is written as a decimal string, which TOML users rarely guess; and the
            // decimal parser's own message ("Failed to parse") does not show the value.
            if let [.., Seg::Key(f)] = rest {
                if f == "total_min" || f == "total_max" {
                    message = money_message(f, value_at(text, path), message);
                }
            }
            Some(rule_name(text, *i).unwrap_or_default())
        }
        _ => None,
    };
    ConfigError::WrongType {
        file: file.to_path_buf(),
        line,
        key,
        message,
        rule,
    }
}

/// A rule as messages name it: `rules[2] "Default"` (0-based, like every key path), or
/// `rules[2] (unnamed)`.
pub(super) fn rule_label(index: usize, name: &str) -> String {
    if name.trim().is_empty() {
        format!("rules[{index}] (unnamed)")
    } else {
        format!("rules[{index}] {name:?}")
    }
}

/// `rules[2].when.total_min` in the rule named "Default" as `rules[2] "Default": `when.total_min``,
/// the way routing's checks name a field. `None` for a key that is not inside a rule.
fn rule_key_shown(key: &str, name: &str) -> Option<String> {
    let (head, field) = key.split_once('.')?;
    let index = head
        .strip_prefix("rules[")?
        .strip_suffix(']')?
        .parse()
        .ok()?;
    Some(format!("{}: `{field}`", rule_label(index, name)))
}

/// The `name` of `rules[index]` as written, if it is a string. Only on the error path, where
/// the typed parse failed: the text is valid TOML (the outline parsed it), so parse it again
/// without a schema.
fn rule_name(text: &str, index: usize) -> Option<String> {
    let path = [
        Seg::Key("rules".to_owned()),
        Seg::Index(index),
        Seg::Key("name".to_owned()),
    ];
    match value_at(text, &path)? {
        toml::Value::String(name) => Some(name),
        _ => None,
    }
}

/// The `kind` of `channels[index]` when it is a known one (error path only; see [`rule_name`]).
fn channel_kind(text: &str, index: usize) -> Option<crate::model::ChannelKind> {
    let path = [
        Seg::Key("channels".to_owned()),
        Seg::Index(index),
        Seg::Key("kind".to_owned()),
    ];
    match value_at(text, &path)? {
        toml::Value::String(kind) => crate::model::ChannelKind::parse(&kind),
        _ => None,
    }
}

/// The value at `path`, read again without a schema (error path only; see [`rule_name`]).
fn value_at(text: &str, path: &[Seg]) -> Option<toml::Value> {
    let doc: toml::Table = toml::from_str(text).ok()?;
    let mut value = doc.get(match path.first()? {
        Seg::Key(k) => k.as_str(),
        Seg::Index(_) => return None,
    })?;
    for seg in &path[1..] {
        value = match seg {
            Seg::Key(k) => value.as_table()?.get(k)?,
            Seg::Index(i) => value.as_array()?.get(*i)?,
        };
    }
    Some(value.clone())
}

/// `when.total_min = 1000` or `= "abc"`: say what was written and how to write money.
fn money_message(key: &str, value: Option<toml::Value>, message: String) -> String {
    match value {
        Some(toml::Value::Integer(n)) => format!(
            "{n} is a number, not a string; write money as a decimal string, e.g. {key} = \"{n}\""
        ),
        Some(toml::Value::Float(x)) if x.is_finite() => format!(
            "{x} is a number, not a string; write money as a decimal string, e.g. {key} = \"{x}\""
        ),
        Some(toml::Value::String(s)) => format!(
            "{s:?} is not a decimal amount; write money as a decimal string, e.g. {key} = \"1000.00\""
        ),
        _ => format!(
            "{message}; write money as a decimal string, e.g. {key} = \"1000.00\""
        ),
    }
}

/// `"Default"` or `unnamed`, for `[[rules]] #3 ("Default")`.
fn rule_name_shown(text: &str, index: usize) -> String {
    match rule_name(text, index) {
        Some(name) if !name.trim().is_empty() => format!("{name:?}"),
        _ => "unnamed".to_owned(),
    }
}

/// Serde's "unknown field `x`, expected one of `a`, `b`" / "expected `a` or `b`" /
/// "there are no fields" into the key and the list. The field names are ours (no backticks);
/// the key is the user's, so it is taken up to the last "`, " rather than the next backtick.
fn parse_unknown_field(message: &str) -> Option<(String, Vec<String>)> {
    let rest = message.strip_prefix("unknown field `")?;
    let (key, tail) = if let Some(i) = rest.rfind("`, expected ") {
        (&rest[..i], &rest[i + "`, expected ".len()..])
    } else if let Some(i) = rest.rfind("`, there are no fields") {
        (&rest[..i], "")
    } else {
        return None;
    };
    let expected = tail
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect();
    Some((key.to_owned(), expected))
}

/// `at the top level`, `in [store]`, `in [[locations]] #2` (1-based, as a person counts), or the
/// plain path for anything more exotic (inline tables inside arrays).
fn describe_table(path: &[Seg]) -> String {
    let all_keys = |p: &[Seg]| p.iter().all(|s| matches!(s, Seg::Key(_)));
    match path {
        [] => "at the top level".to_owned(),
        p if all_keys(p) => format!("in [{}]", KeyPath(p)),
        [head @ .., Seg::Index(i)] if !head.is_empty() && all_keys(head) => {
            format!("in [[{}]] #{}", KeyPath(head), i + 1)
        }
        // `[[channels.buffers]]` #2 of `[[channels]]` #1.
        [Seg::Key(outer), Seg::Index(i), Seg::Key(inner), Seg::Index(j)] => {
            let (outer, inner) = (DisplayKey(outer), DisplayKey(inner));
            format!(
                "in [[{outer}.{inner}]] #{} of [[{outer}]] #{}",
                j + 1,
                i + 1
            )
        }
        p => format!("in `{}`", KeyPath(p)),
    }
}

/// The allowed key (or id) within a small edit distance of a typo, if any.
pub(super) fn closest<'a>(key: &str, expected: &'a [String]) -> Option<&'a str> {
    let max = (key.chars().count() / 3).clamp(1, 3);
    expected
        .iter()
        .map(|e| (edit_distance(&key.to_ascii_lowercase(), e), e))
        .filter(|(d, _)| *d <= max)
        .min_by_key(|(d, _)| *d)
        .map(|(_, e)| e.as_str())
}

/// Levenshtein distance with transpositions counted as one edit (`prority`, `lno`).
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // Keys longer than any real one cannot be near a match; skip the quadratic work.
    if a.len() > 64 || b.len() > 64 {
        return usize::MAX;
    }
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_field_messages_parse() {
        assert_eq!(
            parse_unknown_field("unknown field `prority`, expected one of `id`, `name`, `kind`"),
            Some((
                "prority".into(),
                vec!["id".into(), "name".into(), "kind".into()]
            ))
        );
        assert_eq!(
            parse_unknown_field("unknown field `x`, expected `a` or `b`"),
            Some(("x".into(), vec!["a".into(), "b".into()]))
        );
        assert_eq!(
            parse_unknown_field("unknown field `x`, there are no fields"),
            Some(("x".into(), vec![]))
        );
        assert_eq!(
            parse_unknown_field("unknown field `a`, b`, expected `c`"),
            Some(("a`, b".into(), vec!["c".into()]))
        );
        assert_eq!(parse_unknown_field("invalid type: string"), None);
    }

    #[test]
    fn suggestions_are_close_matches_only() {
        let keys: Vec<String> = ["id", "name", "priority", "lat", "lon", "daily_capacity"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(closest("prority", &keys), Some("priority"));
        assert_eq!(closest("lno", &keys), Some("lon"));
        assert_eq!(closest("daily_capcity", &keys), Some("daily_capacity"));
        assert_eq!(closest("Name", &keys), Some("name"));
        assert_eq!(closest("warehouse", &keys), None);
    }

    #[test]
    fn tables_are_described_as_written() {
        let k = |s: &str| Seg::Key(s.to_owned());
        assert_eq!(describe_table(&[]), "at the top level");
        assert_eq!(describe_table(&[k("store")]), "in [store]");
        assert_eq!(
            describe_table(&[k("locations"), Seg::Index(1)]),
            "in [[locations]] #2"
        );
        assert_eq!(
            describe_table(&[k("channels"), Seg::Index(0), k("buffers"), Seg::Index(2)]),
            "in [[channels.buffers]] #3 of [[channels]] #1"
        );
        assert_eq!(
            describe_table(&[k("locations"), Seg::Index(0), k("x y")]),
            "in `locations[0].\"x y\"`"
        );
    }

    #[test]
    fn display_is_one_line_even_with_newlines_inside() {
        let e = ConfigError::Invalid {
            file: PathBuf::from("/tmp/a\nb.toml"),
            line: Some(3),
            key: "k".into(),
            message: "bad\nvalue".into(),
        };
        let s = e.to_string();
        assert!(!s.contains('\n'), "{s}");
    }
}
