//! Order meta data (`meta_data` of an order), as WooCommerce keeps it: entries of `id`, `key`
//! and `value`, several per key allowed, shown in every order answer and written through
//! `PUT /orders/<id>` with `{"meta_data":[{"key":"k","value":…}]}` (an entry with an `id`
//! replaces that entry; one without replaces the first entry of its key, or is added, as
//! `WC_Data::update_meta_data` does). Plugins keep their data here too: the Shipment Tracking
//! extension keeps its items under [`TRACKING_ITEMS`].

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::{json, Value};

/// Where the Shipment Tracking extension keeps an order's tracking items.
pub const TRACKING_ITEMS: &str = "_wc_shipment_tracking_items";

#[derive(Debug, Clone, PartialEq)]
struct Entry {
    id: u64,
    key: String,
    value: Value,
}

/// One entry of `meta_data` in a `PUT /orders/<id>` body.
#[derive(Debug, Clone, Deserialize)]
pub(super) struct MetaUpdate {
    #[serde(default)]
    pub id: Option<u64>,
    pub key: String,
    #[serde(default)]
    pub value: Value,
}

/// Every order's meta data, by WooCommerce order id.
#[derive(Debug)]
pub(super) struct OrderMeta {
    last_id: u64,
    by_order: HashMap<u64, Vec<Entry>>,
}

impl Default for OrderMeta {
    fn default() -> OrderMeta {
        OrderMeta {
            // Meta ids are the site's row ids: large, increasing.
            last_id: 51_000,
            by_order: HashMap::new(),
        }
    }
}

impl OrderMeta {
    /// The value of the first entry of `key`.
    pub fn get(&self, order: u64, key: &str) -> Option<&Value> {
        self.by_order
            .get(&order)?
            .iter()
            .find(|e| e.key == key)
            .map(|e| &e.value)
    }

    /// Sets `key` (the first entry of it, or a new one). Whether anything changed.
    pub fn set(&mut self, order: u64, key: &str, value: Value) -> bool {
        self.apply(
            order,
            MetaUpdate {
                id: None,
                key: key.to_string(),
                value,
            },
        )
    }

    /// One entry of a `PUT` body. Whether anything changed.
    pub fn apply(&mut self, order: u64, update: MetaUpdate) -> bool {
        let entries = self.by_order.entry(order).or_default();
        let at = match update.id {
            Some(id) => entries.iter().position(|e| e.id == id),
            None => entries.iter().position(|e| e.key == update.key),
        };
        match at {
            Some(i) => {
                let e = &mut entries[i];
                if e.key == update.key && e.value == update.value {
                    return false;
                }
                e.key = update.key;
                e.value = update.value;
            }
            None => {
                self.last_id += 1;
                entries.push(Entry {
                    id: self.last_id,
                    key: update.key,
                    value: update.value,
                });
            }
        }
        true
    }

    /// `meta_data` of an order answer.
    pub fn render(&self, order: u64) -> Value {
        let entries = self.by_order.get(&order).map(Vec::as_slice).unwrap_or(&[]);
        Value::Array(
            entries
                .iter()
                .map(|e| json!({ "id": e.id, "key": e.key, "value": e.value }))
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_replaced_in_place_and_an_id_names_its_entry() {
        let mut m = OrderMeta::default();
        assert!(m.set(7, "a", json!(1)));
        assert!(!m.set(7, "a", json!(1)), "the same value changes nothing");
        assert!(m.set(7, "a", json!(2)));
        assert!(m.set(7, "b", json!("x")));
        assert_eq!(m.get(7, "a"), Some(&json!(2)));
        let rendered = m.render(7);
        assert_eq!(rendered.as_array().map(Vec::len), Some(2));
        let id = rendered[1]["id"].as_u64().unwrap();
        assert!(m.apply(
            7,
            MetaUpdate {
                id: Some(id),
                key: "b".into(),
                value: json!("y"),
            }
        ));
        assert_eq!(m.get(7, "b"), Some(&json!("y")));
        assert_eq!(m.render(8), json!([]));
    }
}
