//! Line mapping and the "outline": a schema-free tree of every key and value in the document with
//! its byte span.
//!
//! Why it exists: `toml::de::Error` gives a message and a span, but the key path it tracks
//! internally is private and the serde message never says *which* `[[locations]]` entry failed.
//! Walking the outline to the node at the error's span recovers the path
//! (`locations[1].lat`) whatever the shape of the document (arrays of tables, inline tables,
//! dotted keys). Parsing into the outline also doubles as the syntax check: it accepts any
//! well-formed TOML, so an error from it is a syntax error.

use std::fmt;
use std::ops::Range;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

/// 1-based line number of a byte offset. Offsets past the end map to the last line; nothing here
/// can panic, whatever span a library hands us.
pub(crate) fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// One step of a key path: a table key or an array index (0-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Seg {
    Key(String),
    Index(usize),
}

/// `locations[1].lat`; keys that are not bare TOML keys are quoted so the path stays one line.
pub(crate) struct KeyPath<'a>(pub &'a [Seg]);

impl fmt::Display for KeyPath<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, seg) in self.0.iter().enumerate() {
            match seg {
                Seg::Key(k) => {
                    if i > 0 {
                        f.write_str(".")?;
                    }
                    write!(f, "{}", DisplayKey(k))?;
                }
                Seg::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

/// A key as a user would type it: bare when it can be, otherwise quoted and escaped.
pub(crate) struct DisplayKey<'a>(pub &'a str);

impl fmt::Display for DisplayKey<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let bare = !self.0.is_empty()
            && self
                .0
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if bare {
            f.write_str(self.0)
        } else {
            write!(f, "{:?}", self.0)
        }
    }
}

/// Where a span landed in the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Found {
    pub path: Vec<Seg>,
    /// The span is that of the key itself (as for an unknown key), not of its value.
    pub at_key: bool,
}

#[derive(Debug)]
pub(crate) struct Outline {
    root: Node,
}

impl Outline {
    /// Parses any well-formed TOML document; the error is therefore always a syntax error.
    pub(crate) fn parse(text: &str) -> Result<Outline, toml::de::Error> {
        let root: Node = toml::from_str(text)?;
        Ok(Outline { root })
    }

    /// The deepest key or value whose span contains `span.start`. `None` when the span is
    /// outside every recorded node (the library did not give spans for that part).
    pub(crate) fn locate(&self, span: &Range<usize>) -> Option<Found> {
        let mut best: Option<Found> = None;
        let mut path = Vec::new();
        visit(&self.root, span.start, &mut path, &mut best);
        best
    }

    /// The keys of the document's top-level table, in the order written.
    pub(crate) fn top_level_keys(&self) -> impl Iterator<Item = &str> {
        let entries = match &self.root.kind {
            Kind::Table(entries) => entries.as_slice(),
            _ => &[],
        };
        entries.iter().map(|(key, _)| key.name.as_str())
    }

    /// Byte span of the value at `path`, if the library recorded one.
    pub(crate) fn span_of(&self, path: &[Seg]) -> Option<Range<usize>> {
        let mut node = &self.root;
        for seg in path {
            node = match (&node.kind, seg) {
                (Kind::Table(entries), Seg::Key(k)) => {
                    &entries.iter().find(|(key, _)| &key.name == k)?.1
                }
                (Kind::Array(items), Seg::Index(i)) => items.get(*i)?,
                _ => return None,
            };
        }
        node.span.clone()
    }
}

fn contains(span: &Option<Range<usize>>, at: usize) -> bool {
    match span {
        // A zero-width span (end of file) still "contains" its own start.
        Some(s) => s.start <= at && at < s.end.max(s.start + 1),
        None => false,
    }
}

/// Keeps the deepest match; at equal depth the key's own span wins (that is what an unknown-key
/// error points at).
fn consider(path: &[Seg], at_key: bool, best: &mut Option<Found>) {
    let better = match best {
        None => true,
        Some(b) => path.len() > b.path.len() || (path.len() == b.path.len() && at_key),
    };
    if better {
        *best = Some(Found {
            path: path.to_vec(),
            at_key,
        });
    }
}

/// Depth-first over the whole tree: sub-tables such as `[locations.extra]` sit outside their
/// parent's span, and implicit tables have no span at all, so no branch can be pruned.
fn visit(node: &Node, at: usize, path: &mut Vec<Seg>, best: &mut Option<Found>) {
    match &node.kind {
        Kind::Leaf => {}
        Kind::Table(entries) => {
            for (key, value) in entries {
                path.push(Seg::Key(key.name.clone()));
                if contains(&value.span, at) {
                    consider(path, false, best);
                }
                if contains(&key.span, at) {
                    consider(path, true, best);
                }
                visit(value, at, path, best);
                path.pop();
            }
        }
        Kind::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                path.push(Seg::Index(i));
                if contains(&item.span, at) {
                    consider(path, false, best);
                }
                visit(item, at, path, best);
                path.pop();
            }
        }
    }
}

#[derive(Debug)]
struct Node {
    span: Option<Range<usize>>,
    kind: Kind,
}

#[derive(Debug)]
enum Kind {
    Table(Vec<(Key, Node)>),
    Array(Vec<Node>),
    Leaf,
}

#[derive(Debug)]
struct Key {
    span: Option<Range<usize>>,
    name: String,
}

// `toml::Spanned<T>` fails outright where the parser recorded no span (implicit tables such as
// `a` in `[a.b]`, dotted keys), which would make the outline fail on valid documents. So we ask
// for spans with the same request `Spanned` makes (serde_spanned's struct name and fields; stable
// since toml 0.5) and accept either answer: the span map, or the plain value when there is none.
// If a future toml stopped recognising these names we would only lose spans, never parse.
const SPANNED_NAME: &str = "$__serde_spanned_private_Spanned";
const SPANNED_START: &str = "$__serde_spanned_private_start";
const SPANNED_END: &str = "$__serde_spanned_private_end";
const SPANNED_VALUE: &str = "$__serde_spanned_private_value";
const SPANNED_FIELDS: &[&str] = &[SPANNED_START, SPANNED_END, SPANNED_VALUE];

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_struct(
            SPANNED_NAME,
            SPANNED_FIELDS,
            NodeVisitor { want_span: true },
        )
    }
}

/// The value inside a span map. Must not ask for a span again: the deserializer it gets still
/// carries the span and would answer with the span map forever.
struct Unspanned(Node);

impl<'de> Deserialize<'de> for Unspanned {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(NodeVisitor { want_span: false })
            .map(Unspanned)
    }
}

struct NodeVisitor {
    want_span: bool,
}

fn leaf() -> Node {
    Node {
        span: None,
        kind: Kind::Leaf,
    }
}

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any TOML value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<Node, E> {
        Ok(leaf())
    }
    fn visit_i64<E>(self, _: i64) -> Result<Node, E> {
        Ok(leaf())
    }
    fn visit_u64<E>(self, _: u64) -> Result<Node, E> {
        Ok(leaf())
    }
    fn visit_f64<E>(self, _: f64) -> Result<Node, E> {
        Ok(leaf())
    }
    fn visit_str<E>(self, _: &str) -> Result<Node, E> {
        Ok(leaf())
    }
    fn visit_unit<E>(self) -> Result<Node, E> {
        Ok(leaf())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Node>()? {
            items.push(item);
        }
        Ok(Node {
            span: None,
            kind: Kind::Array(items),
        })
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut entries = Vec::new();
        let mut first = true;
        while let Some(key) = map.next_key::<Key>()? {
            if first && self.want_span && key.name == SPANNED_START {
                return spanned_rest(map);
            }
            first = false;
            let value = map.next_value::<Node>()?;
            entries.push((key, value));
        }
        Ok(Node {
            span: None,
            kind: Kind::Table(entries),
        })
    }
}

/// The rest of a span map once its start key was seen: start, end, value.
fn spanned_rest<'de, A: MapAccess<'de>>(mut map: A) -> Result<Node, A::Error> {
    let start: usize = map.next_value()?;
    let mut end: Option<usize> = None;
    let mut node: Option<Node> = None;
    while let Some(k) = map.next_key::<String>()? {
        if k == SPANNED_END {
            end = Some(map.next_value()?);
        } else if k == SPANNED_VALUE {
            node = Some(map.next_value::<Unspanned>()?.0);
        } else {
            map.next_value::<de::IgnoredAny>()?;
        }
    }
    let mut node = node.ok_or_else(|| de::Error::missing_field(SPANNED_VALUE))?;
    node.span = end.map(|end| start..end);
    Ok(node)
}

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_struct(SPANNED_NAME, SPANNED_FIELDS, KeyVisitor)
    }
}

struct KeyVisitor;

impl<'de> Visitor<'de> for KeyVisitor {
    type Value = Key;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a key")
    }

    fn visit_str<E>(self, v: &str) -> Result<Key, E> {
        Ok(Key {
            span: None,
            name: v.to_owned(),
        })
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Key, A::Error> {
        let (mut start, mut end, mut name) = (None::<usize>, None::<usize>, None::<String>);
        while let Some(k) = map.next_key::<String>()? {
            if k == SPANNED_START {
                start = Some(map.next_value()?);
            } else if k == SPANNED_END {
                end = Some(map.next_value()?);
            } else if k == SPANNED_VALUE {
                name = Some(map.next_value()?);
            } else {
                map.next_value::<de::IgnoredAny>()?;
            }
        }
        Ok(Key {
            span: start.zip(end).map(|(s, e)| s..e),
            name: name.ok_or_else(|| de::Error::missing_field(SPANNED_VALUE))?,
        })
    }
}
