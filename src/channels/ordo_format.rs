//! ordo's own order format: JSON Lines of [`ChannelOrder`] (docs/order-format.md). Any source
//! that can write it can feed ordo through `ordo ingest`.

use std::io::BufRead;

use crate::model::ChannelOrder;

pub const FORMAT: &str = "ordo";

/// One line of the file: parsed, or kept raw with the reason it could not be.
#[derive(Debug)]
pub enum Parsed {
    Order(Box<ChannelOrder>),
    Unreadable { raw: String, reason: String },
}

pub fn parse_line(raw: &str) -> Parsed {
    match serde_json::from_str::<ChannelOrder>(raw) {
        Ok(order) => Parsed::Order(Box::new(order)),
        Err(e) => Parsed::Unreadable {
            raw: raw.to_string(),
            reason: format!("not an ordo order: {e}"),
        },
    }
}

/// The non-blank lines of a JSON Lines stream with their 1-based line numbers.
pub fn lines(reader: impl BufRead) -> impl Iterator<Item = std::io::Result<(usize, String)>> {
    reader
        .lines()
        .enumerate()
        .map(|(i, l)| l.map(|l| (i + 1, l)))
        .filter(|r| !matches!(r, Ok((_, l)) if l.trim().is_empty()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"{"channel":"web","external_id":"A1","created_at":"2026-11-01T10:00:00Z","updated_at":"2026-11-01T10:00:00Z","ship_to":{"country":"US","postal_code":"10001"},"lines":[{"sku":"TEE-M","quantity":2,"unit_price":"12.50"}],"totals":{"total":"25.00"},"currency":"USD"}"#;

    #[test]
    fn a_minimal_order_parses_with_defaults() {
        let Parsed::Order(mut o) = parse_line(GOOD) else {
            panic!("should parse")
        };
        o.normalize();
        assert_eq!(o.number, "A1");
        assert_eq!(o.lines[0].line, 1);
        assert_eq!(o.ship_method, "standard");
        assert_eq!(o.totals.total.to_string(), "25.00");
        assert!(o.problems().is_empty());
    }

    #[test]
    fn a_typo_in_a_field_is_refused_not_ignored() {
        let typo = GOOD.replace("\"quantity\"", "\"quantiy\"");
        let Parsed::Unreadable { reason, raw } = parse_line(&typo) else {
            panic!("should not parse")
        };
        assert!(reason.contains("quantiy"), "{reason}");
        assert_eq!(raw, typo);
    }

    #[test]
    fn float_money_is_refused() {
        let float = GOOD.replace("\"12.50\"", "12.5");
        // rust_decimal with serde-with-str takes strings; a float would lose cents elsewhere.
        assert!(matches!(parse_line(&float), Parsed::Unreadable { .. }));
    }
}
