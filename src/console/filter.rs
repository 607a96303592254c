//! The `/` filter: free text plus field terms. Field terms that an index serves (`status:`,
//! `channel:`, `loc:`) become the [`OrderQuery`]; free text is matched on the rows read.

use crate::client::OrderQuery;
use crate::model::{Order, OrderStatus};

/// A parsed filter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// What the store's indexes can answer.
    pub query: OrderQuery,
    /// Lower-cased words that must each appear in the order's number, external id, customer
    /// name or email, or one of its SKUs.
    pub words: Vec<String>,
    /// Terms that were not understood (shown to the operator, otherwise ignored).
    pub unknown: Vec<String>,
}

/// Short names operators type, besides the full status names.
fn parse_status(s: &str) -> Option<OrderStatus> {
    OrderStatus::parse(s).or(match s {
        "partial" | "partially-allocated" | "part_alloc" => Some(OrderStatus::PartiallyAllocated),
        "backorder" | "bo" => Some(OrderStatus::Backordered),
        "hold" => Some(OrderStatus::Held),
        "part_ship" | "partially-shipped" => Some(OrderStatus::PartiallyShipped),
        "canceled" => Some(OrderStatus::Cancelled),
        _ => None,
    })
}

impl Filter {
    pub fn parse(input: &str) -> Filter {
        let mut f = Filter::default();
        for term in input.split_whitespace() {
            let lower = term.to_lowercase();
            match lower.split_once(':') {
                Some(("status" | "st", v)) if !v.is_empty() => match parse_status(v) {
                    Some(s) => f.query.status = Some(s),
                    None => f.unknown.push(term.to_string()),
                },
                Some(("channel" | "ch", v)) if !v.is_empty() => {
                    f.query.channel = Some(v.to_string())
                }
                Some(("loc" | "location", v)) if !v.is_empty() => {
                    f.query.location = Some(v.to_string())
                }
                Some(("sku", v)) if !v.is_empty() => {
                    f.words.push(v.trim_end_matches('*').to_string())
                }
                // Field terms console.md names that no index serves yet.
                Some(("age" | "tag" | "total", _)) => f.unknown.push(term.to_string()),
                _ => f.words.push(lower),
            }
        }
        f
    }

    pub fn is_empty(&self) -> bool {
        self.query == OrderQuery::default() && self.words.is_empty()
    }

    /// Whether an order passes the free-text part (the query part is the index's job).
    pub fn matches(&self, order: &Order) -> bool {
        if self.words.is_empty() {
            return true;
        }
        let co = &order.channel_order;
        let id = order.id.to_string();
        let mut hay: Vec<String> = vec![
            id,
            co.number.to_lowercase(),
            co.external_id.to_lowercase(),
            co.customer.name.as_deref().unwrap_or("").to_lowercase(),
            co.customer.email.as_deref().unwrap_or("").to_lowercase(),
        ];
        hay.extend(co.lines.iter().map(|l| l.sku.to_lowercase()));
        self.words
            .iter()
            .all(|w| hay.iter().any(|h| h.contains(w.as_str())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_terms_map_onto_the_query() {
        let f = Filter::parse("status:held channel:amazon");
        assert_eq!(f.query.status, Some(OrderStatus::Held));
        assert_eq!(f.query.channel.as_deref(), Some("amazon"));
        assert!(f.words.is_empty());
        assert!(f.unknown.is_empty());
    }

    #[test]
    fn short_status_names_and_locations() {
        let f = Filter::parse("st:backorder loc:wh-east");
        assert_eq!(f.query.status, Some(OrderStatus::Backordered));
        assert_eq!(f.query.location.as_deref(), Some("wh-east"));
        let f = Filter::parse("status:partially_allocated");
        assert_eq!(f.query.status, Some(OrderStatus::PartiallyAllocated));
    }

    #[test]
    fn free_text_is_lowercased_and_unknown_terms_kept_apart() {
        let f = Filter::parse("Ada  TEE sku:TSHIRT-* age:>2h status:bogus");
        assert_eq!(f.words, vec!["ada", "tee", "tshirt-"]);
        assert_eq!(f.unknown, vec!["age:>2h", "status:bogus"]);
        assert!(Filter::parse("   ").is_empty());
        // A colon inside a word (a time, an id) is free text.
        assert_eq!(Filter::parse("A:1").words, vec!["a:1"]);
    }
}
