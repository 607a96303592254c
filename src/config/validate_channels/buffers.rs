//! `[[channels.buffers]]`, the available-to-sell buffers of one channel.

use std::collections::HashMap;

use toml::Spanned;

use crate::config::raw::RawBuffer;
use crate::config::validate::Problems;
use crate::inventory::ats::{pattern_problem, ANY_SKU};
use crate::inventory::{Buffer, BufferRule};

/// `[[channels.buffers]]`: every `skus` a valid glob that some SKU can reach (not after a `"*"`
/// rule, not the same as an earlier one), `safety`, `max` and `min` at least 0, `percent` 0 to
/// 100, and `min` no more than `max`.
pub(super) fn buffers(p: &mut Problems, raw: Vec<Spanned<RawBuffer>>, i: usize) -> Vec<BufferRule> {
    // skus -> (index, line) of the first rule with it.
    let mut seen: HashMap<String, (usize, usize)> = HashMap::new();
    let mut out = Vec::with_capacity(raw.len());
    for (j, rule) in raw.into_iter().enumerate() {
        let header = rule.span();
        let rule = rule.into_inner();
        let at = format!("channels[{i}].buffers[{j}]");
        let (skus, skus_span) = match rule.skus {
            Some(v) => (v.get_ref().clone(), v.span()),
            None => (ANY_SKU.to_owned(), header.clone()),
        };
        if let Some(problem) = pattern_problem(&skus) {
            p.report(
                skus_span.clone(),
                format!("{at}.skus"),
                format!("{at}.skus{problem}"),
            );
        } else if let Some(&(first, first_line)) = seen.get(ANY_SKU) {
            p.report(
                skus_span.clone(),
                format!("{at}.skus"),
                format!(
                    "{at} can never apply: buffers[{first}] at line {first_line} has skus = \"*\", which matches every SKU first; the first matching rule wins, so put the more specific rules before it"
                ),
            );
        } else if let Some(&(first, first_line)) = seen.get(&skus) {
            p.report(
                skus_span.clone(),
                format!("{at}.skus"),
                format!(
                    "{at}.skus = {skus:?} is already used by buffers[{first}] at line {first_line}; the first matching rule wins, so this one would never apply: merge them"
                ),
            );
        } else {
            let line = p.line(&skus_span);
            seen.insert(skus.clone(), (j, line));
        }
        let count = |p: &mut Problems, v: Option<Spanned<i64>>, field: &str, help: &str| {
            let v = v?;
            if *v.get_ref() < 0 {
                p.report(
                    v.span(),
                    format!("{at}.{field}"),
                    format!("{at}.{field} = {} is out of range; {help}", v.get_ref()),
                );
            }
            Some(v)
        };
        let safety = count(
            p,
            rule.safety,
            "safety",
            "use 0 or more units held back (the default is 0)",
        );
        let percent = rule.percent.map(|v| match u32::try_from(*v.get_ref()) {
            Ok(n) if n <= 100 => n,
            _ => {
                p.report(
                    v.span(),
                    format!("{at}.percent"),
                    format!(
                        "{at}.percent = {} is out of range; use 0 to 100",
                        v.get_ref()
                    ),
                );
                100
            }
        });
        let max = count(
            p,
            rule.max,
            "max",
            "use 0 or more (the most units offered), or remove it for no cap",
        );
        let min = count(
            p,
            rule.min,
            "min",
            "use 0 or more (fewer units left than this and 0 is offered), or remove it for no minimum",
        );
        if let (Some(min), Some(max)) = (&min, &max) {
            if min.get_ref() > max.get_ref() && *max.get_ref() >= 0 {
                p.report(
                    min.span(),
                    format!("{at}.min"),
                    format!(
                        "{at}.min = {} is above max = {}, so 0 would always be offered; lower min or raise max",
                        min.get_ref(),
                        max.get_ref()
                    ),
                );
            }
        }
        out.push(BufferRule {
            skus,
            buffer: Buffer {
                safety: safety.map_or(0, Spanned::into_inner),
                percent,
                max: max.map(Spanned::into_inner),
                min: min.map(Spanned::into_inner),
            },
        });
    }
    out
}
