//! Request bodies, the variant cache, fulfilment plans and the duplicate check, without a
//! server.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use serde_json::json;

use super::*;
use crate::channels::{FulfilledLine, FulfillmentPush};

#[test]
fn stock_set_body_has_no_wrapper() {
    assert_eq!(
        stock_set_body(655441491, 808950810, 42),
        json!({"location_id": 655441491, "inventory_item_id": 808950810, "available": 42})
    );
    // A negative figure is sent as it is: Shopify takes it (oversold), ordo never sends one.
    assert_eq!(stock_set_body(1, 2, -3)["available"], json!(-3));
}

fn variant(id: u64, sku: Option<&str>, item: Option<u64>) -> ProductVariant {
    ProductVariant {
        id,
        sku: sku.map(str::to_string),
        inventory_item_id: item,
    }
}

#[test]
fn the_cache_maps_skus_and_mapped_variant_ids_to_inventory_items() {
    let sku_map: HashMap<String, String> =
        [("7003".to_string(), "TOWEL-TENUGUI".to_string())].into();
    let at = Instant::now();
    let cache = VariantCache::build(
        [
            variant(7001, Some(" MUG-BLUE "), Some(101)),
            variant(7002, Some("MUG-BLUE"), Some(102)), // a second variant with the same SKU
            variant(7003, Some(""), Some(103)),         // no SKU, but mapped by its id
            variant(7004, Some("GIFT"), None),          // no inventory item: not stockable
            variant(7005, None, Some(105)),
        ],
        &sku_map,
        at,
    );
    assert_eq!(
        cache.inventory_item("MUG-BLUE"),
        Some(101),
        "the first one wins"
    );
    assert_eq!(cache.inventory_item(" MUG-BLUE"), Some(101));
    assert_eq!(cache.inventory_item("TOWEL-TENUGUI"), Some(103));
    assert_eq!(cache.inventory_item("GIFT"), None);
    assert_eq!(cache.len(), 2);

    // A miss refreshes only when the list is older than the minimum age, or never fetched.
    assert!(VariantCache::default().may_refresh(at, VARIANT_REFRESH_MIN));
    assert!(!cache.may_refresh(at + Duration::from_secs(1), VARIANT_REFRESH_MIN));
    assert!(cache.may_refresh(at + VARIANT_REFRESH_MIN, VARIANT_REFRESH_MIN));

    let mut stale = cache.clone();
    stale.forget("MUG-BLUE");
    assert_eq!(stale.inventory_item("MUG-BLUE"), None);
}

#[test]
fn the_mapping_of_a_variant_id_wins_over_its_own_sku() {
    let sku_map: HashMap<String, String> = [("9".to_string(), "ORDO-SKU".to_string())].into();
    let cache = VariantCache::build(
        [
            variant(8, Some("ORDO-SKU"), Some(80)),
            variant(9, Some("SHOP-SKU"), Some(90)),
        ],
        &sku_map,
        Instant::now(),
    );
    assert_eq!(cache.inventory_item("ORDO-SKU"), Some(90));
    assert_eq!(cache.inventory_item("SHOP-SKU"), Some(90));
}

#[test]
fn refusals_name_the_field() {
    let item = r#"HTTP 422 Unprocessable Entity: {"errors":{"inventory_item_id":["not found"]}}"#;
    let loc = r#"HTTP 422 Unprocessable Entity: {"errors":{"location_id":["not found"]}}"#;
    assert_eq!(refused_field(item), Some("inventory_item_id"));
    assert_eq!(refused_field(loc), Some("location_id"));
    assert_eq!(
        refused_field("HTTP 400 Bad Request: inventory_item_id"),
        None
    );
}

fn fo(id: u64, status: &str, lines: &[(u64, u64, u32, u32)]) -> FulfillmentOrder {
    FulfillmentOrder {
        id,
        status: status.into(),
        line_items: lines
            .iter()
            .map(
                |&(id, line_item_id, quantity, fulfillable_quantity)| FulfillmentOrderLine {
                    id,
                    line_item_id,
                    quantity,
                    fulfillable_quantity,
                },
            )
            .collect(),
    }
}

fn line(id: Option<&str>, quantity: u32) -> FulfilledLine {
    FulfilledLine {
        channel_line_id: id.map(str::to_string),
        sku: "SKU".into(),
        quantity,
    }
}

#[test]
fn plans_match_channel_line_ids_to_line_item_ids() {
    let orders = [fo(900, "open", &[(1, 501, 2, 2), (2, 502, 3, 3)])];
    let plan = plan_fulfillment(&orders, &[line(Some("502"), 2)]).unwrap();
    assert_eq!(
        plan,
        vec![FulfillmentPart {
            fulfillment_order_id: 900,
            lines: Some(vec![(2, 2)]),
        }]
    );
    // More than is left takes what is left (the rest went out already).
    let partly = [fo(900, "in_progress", &[(1, 501, 2, 1), (2, 502, 3, 0)])];
    let plan = plan_fulfillment(&partly, &[line(Some("501"), 2), line(Some("502"), 3)]).unwrap();
    assert_eq!(plan[0].lines, Some(vec![(1, 1)]));
}

#[test]
fn a_line_split_over_fulfillment_orders_takes_from_each() {
    let orders = [
        fo(900, "open", &[(1, 501, 1, 1)]),
        fo(901, "open", &[(7, 501, 2, 2)]),
    ];
    let plan = plan_fulfillment(&orders, &[line(Some("501"), 2)]).unwrap();
    assert_eq!(
        plan,
        vec![
            FulfillmentPart {
                fulfillment_order_id: 900,
                lines: Some(vec![(1, 1)]),
            },
            FulfillmentPart {
                fulfillment_order_id: 901,
                lines: Some(vec![(7, 1)]),
            },
        ]
    );
}

#[test]
fn nothing_left_plans_nothing_so_a_repeat_push_is_already_done() {
    let closed = [fo(900, "closed", &[(1, 501, 2, 0)])];
    assert_eq!(
        plan_fulfillment(&closed, &[line(Some("501"), 2)]),
        Ok(vec![])
    );
    assert_eq!(plan_fulfillment(&closed, &[]), Ok(vec![]));
    // Fulfillable units of a closed or cancelled fulfillment order are not offered.
    let cancelled = [fo(900, "cancelled", &[(1, 501, 2, 2)])];
    assert_eq!(
        plan_fulfillment(&cancelled, &[line(Some("501"), 2)]),
        Ok(vec![])
    );
}

#[test]
fn unknown_lines_and_held_orders_are_refused() {
    let orders = [fo(900, "open", &[(1, 501, 2, 2)])];
    let err = plan_fulfillment(&orders, &[line(Some("999"), 1)]).unwrap_err();
    assert!(err.contains("999"), "{err}");
    let held = [fo(900, "on_hold", &[(1, 501, 2, 2)])];
    let err = plan_fulfillment(&held, &[line(Some("501"), 1)]).unwrap_err();
    assert!(err.contains("on hold") && err.contains("900"), "{err}");
    let err = plan_fulfillment(&held, &[]).unwrap_err();
    assert!(err.contains("on hold"), "{err}");
}

#[test]
fn without_usable_line_ids_every_open_fulfillment_order_is_fulfilled_whole() {
    let orders = [
        fo(900, "open", &[(1, 501, 2, 2)]),
        fo(901, "closed", &[(2, 502, 1, 0)]),
        fo(902, "in_progress", &[(3, 503, 2, 1)]),
    ];
    let whole = |lines: &[FulfilledLine]| plan_fulfillment(&orders, lines).unwrap();
    let expected = vec![
        FulfillmentPart {
            fulfillment_order_id: 900,
            lines: None,
        },
        FulfillmentPart {
            fulfillment_order_id: 902,
            lines: None,
        },
    ];
    assert_eq!(whole(&[]), expected);
    assert_eq!(whole(&[line(None, 1)]), expected);
    assert_eq!(whole(&[line(Some("501"), 1), line(Some("x"), 1)]), expected);
}

#[test]
fn fulfillment_bodies_follow_the_spec() {
    let parts = [
        FulfillmentPart {
            fulfillment_order_id: 1046000805,
            lines: Some(vec![(1025578633, 1)]),
        },
        FulfillmentPart {
            fulfillment_order_id: 1046000806,
            lines: None,
        },
    ];
    assert_eq!(
        fulfillment_body(&parts, "ups", " MS1562678 "),
        json!({"fulfillment": {
            "line_items_by_fulfillment_order": [
                {"fulfillment_order_id": 1046000805,
                 "fulfillment_order_line_items": [{"id": 1025578633, "quantity": 1}]},
                {"fulfillment_order_id": 1046000806},
            ],
            "tracking_info": {"number": "MS1562678", "company": "UPS"},
            "notify_customer": true,
        }})
    );
    let untracked = fulfillment_body(&parts[1..], "", "");
    assert!(untracked["fulfillment"].get("tracking_info").is_none());
}

#[test]
fn carriers_take_shopify_spelling() {
    assert_eq!(shopify_carrier("fedex"), "FedEx");
    assert_eq!(shopify_carrier("Fed-Ex"), "FedEx");
    assert_eq!(shopify_carrier("DHL"), "DHL Express");
    assert_eq!(shopify_carrier("usps"), "USPS");
    assert_eq!(shopify_carrier(" Local Courier "), "Local Courier");
}

fn push(tracking: &str, lines: Vec<FulfilledLine>) -> FulfillmentPush {
    let at = Utc.with_ymd_and_hms(2026, 11, 2, 14, 0, 0).unwrap();
    FulfillmentPush {
        order_external_id: "6100000000001".into(),
        carrier: "UPS".into(),
        tracking: tracking.into(),
        shipped_at: at,
        lines,
        intent_at: at,
    }
}

fn existing(status: &str, tracking: &str, lines: &[u64]) -> ExistingFulfillment {
    ExistingFulfillment {
        status: Some(status.into()),
        tracking_number: Some(tracking.into()),
        tracking_numbers: vec![tracking.into()],
        line_items: lines.iter().map(|&id| ExistingLine { id }).collect(),
    }
}

#[test]
fn a_fulfillment_with_the_same_tracking_and_lines_is_the_same_push() {
    let done = [existing("success", "1Z999", &[501, 502])];
    assert!(already_reported(
        &done,
        &push("1Z999", vec![line(Some("501"), 1)])
    ));
    assert!(already_reported(&done, &push("1Z999", vec![])));
    // Another parcel, another line, a cancelled one, or no tracking to compare: not the same.
    assert!(!already_reported(
        &done,
        &push("1Z000", vec![line(Some("501"), 1)])
    ));
    assert!(!already_reported(
        &done,
        &push("1Z999", vec![line(Some("503"), 1)])
    ));
    let cancelled = [existing("cancelled", "1Z999", &[501])];
    assert!(!already_reported(
        &cancelled,
        &push("1Z999", vec![line(Some("501"), 1)])
    ));
    assert!(!already_reported(
        &done,
        &push("", vec![line(Some("501"), 1)])
    ));
}

#[test]
fn one_sku_per_stock_batch() {
    use crate::channels::{Channel, ChannelConfig, ChannelKind, ChannelSettings};
    let config = ChannelConfig {
        id: "web".into(),
        kind: ChannelKind::Shopify,
        base_url: "https://example.myshopify.com".into(),
        enabled: true,
        poll_interval_secs: 60,
        overlap_secs: 300,
        page_size: None,
        sku_map: Default::default(),
        buffers: Default::default(),
        settings: ChannelSettings::Shopify {
            token_env: "T".into(),
            api_version: "2025-01".into(),
            location_id: Some(61234567890),
            webhook_secret_env: None,
        },
    };
    let env = |_: &str| Some("shpat_x".to_string());
    let ch = ShopifyChannel::new(&config, &env).unwrap();
    assert_eq!(ch.max_stock_batch(), STOCK_BATCH);
    assert_eq!(STOCK_BATCH, 1);
    assert!(format!("{ch:?}").contains("61234567890"));
    assert!(!format!("{ch:?}").contains("shpat_x"));
}
