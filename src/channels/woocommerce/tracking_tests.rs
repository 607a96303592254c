//! Shipments: the carrier → provider mapping, the extension's request body, the shipped tally
//! and when it completes an order, and the notes of a whole and a partial shipment.

use chrono::{TimeZone, Utc};
use reqwest::StatusCode;
use serde_json::json;

use super::fulfil::{already_noted, note_text, partial_note_text};
use super::shipped::{self, attribute, line_items, shipment_key, LineItem, Tally, META_KEY};
use super::tracking::{is_no_route, provider_for, same_number, tracking_body, Provider};
use crate::channels::{FulfilledLine, FulfillmentPush};

fn push(tracking: &str, lines: &[(Option<&str>, &str, u32)]) -> FulfillmentPush {
    FulfillmentPush {
        order_external_id: "812".into(),
        carrier: "UPS".into(),
        tracking: tracking.into(),
        shipped_at: Utc.with_ymd_and_hms(2026, 7, 10, 23, 59, 0).unwrap(),
        lines: lines
            .iter()
            .map(|(id, sku, q)| FulfilledLine {
                channel_line_id: id.map(str::to_string),
                sku: sku.to_string(),
                quantity: *q,
            })
            .collect(),
        intent_at: Utc::now(),
    }
}

#[test]
fn carriers_map_to_the_extensions_provider_names() {
    for (carrier, want) in [
        ("UPS", "UPS"),
        ("ups", "UPS"),
        ("USPS", "USPS"),
        ("U.S. Postal Service", "USPS"),
        ("FedEx", "Fedex"),
        ("Fed Ex Ground", "Fedex"),
        ("DHL", "DHL US"),
        ("dhl-us", "DHL US"),
        ("DHL eCommerce", "DHL eCommerce"),
        ("OnTrac", "OnTrac"),
        ("Canada Post", "Canada Post"),
    ] {
        assert_eq!(
            provider_for(carrier, "X1"),
            Provider::Listed(want),
            "{carrier}"
        );
    }
    assert_eq!(
        provider_for(" Pony Express ", "X1"),
        Provider::Custom {
            name: "Pony Express".into(),
            link: None
        }
    );
    assert_eq!(
        provider_for("", "X1"),
        Provider::Custom {
            name: "Other".into(),
            link: None
        }
    );
    match provider_for("DHL Express", "12 34/5") {
        Provider::Custom {
            name,
            link: Some(link),
        } => {
            assert_eq!(name, "DHL Express");
            assert!(link.ends_with("tracking-id=12%2034%2F5"), "{link}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_body_names_the_provider_number_and_utc_date() {
    let p = push(" 1Z999 ", &[]);
    assert_eq!(
        tracking_body(&p),
        json!({"tracking_number": "1Z999", "tracking_provider": "UPS", "date_shipped": "2026-07-10"})
    );
    let mut p = push("P1", &[]);
    p.carrier = "Pony Express".into();
    assert_eq!(
        tracking_body(&p),
        json!({"tracking_number": "P1", "custom_tracking_provider": "Pony Express", "date_shipped": "2026-07-10"})
    );
}

#[test]
fn tracking_numbers_compare_without_case_and_spaces() {
    assert!(same_number("1z 999 aa1", "1Z999AA1"));
    assert!(!same_number("1Z999AA1", "1Z999AA2"));
    assert!(!same_number("", ""));
}

#[test]
fn only_a_404_rest_no_route_means_the_route_is_missing() {
    let body = br#"{"code":"rest_no_route","message":"No route","data":{"status":404}}"#;
    assert!(is_no_route(StatusCode::NOT_FOUND, body));
    assert!(!is_no_route(StatusCode::BAD_REQUEST, body));
    let other = br#"{"code":"woocommerce_rest_order_invalid_id","message":"Invalid order ID."}"#;
    assert!(!is_no_route(StatusCode::NOT_FOUND, other));
    assert!(!is_no_route(
        StatusCode::NOT_FOUND,
        b"<html>Not Found</html>"
    ));
}

fn order() -> serde_json::Value {
    json!({
        "id": 812,
        "line_items": [
            {"id": 501, "sku": "TEE-M", "quantity": 2},
            {"id": "502", "sku": "MUG", "quantity": 1},
            {"sku": "NO-ID", "quantity": 1},
        ],
        "meta_data": [],
    })
}

#[test]
fn line_items_are_read_with_their_ids_and_quantities() {
    assert_eq!(
        line_items(&order()),
        vec![
            LineItem {
                id: "501".into(),
                sku: "TEE-M".into(),
                quantity: 2
            },
            LineItem {
                id: "502".into(),
                sku: "MUG".into(),
                quantity: 1
            },
        ]
    );
    assert!(line_items(&json!({"id": 1})).is_empty());
}

#[test]
fn lines_are_put_on_line_items_by_id_else_by_sku() {
    let items = line_items(&order());
    let units = attribute(
        &push(
            "T",
            &[
                (Some("501"), "WHATEVER", 1),
                (None, "mug", 1),
                (Some("999"), "TEE-M", 1),
                (None, "UNKNOWN", 4),
            ],
        )
        .lines,
        &items,
    );
    assert_eq!(units.get("501"), Some(&2));
    assert_eq!(units.get("502"), Some(&1));
    assert_eq!(units.len(), 2);
}

#[test]
fn the_tally_completes_the_order_only_when_every_unit_shipped() {
    let items = line_items(&order());
    let first = shipped::judge(
        Tally::default(),
        &push("T1", &[(Some("501"), "TEE-M", 2)]),
        &items,
    );
    assert!(!first.whole && !first.recorded);
    // The same push again: recorded already, still not whole.
    let again = shipped::judge(
        first.tally.clone(),
        &push("T1", &[(Some("501"), "TEE-M", 2)]),
        &items,
    );
    assert!(again.recorded && !again.whole);
    assert_eq!(again.tally, first.tally);
    let rest = shipped::judge(
        first.tally.clone(),
        &push("T2", &[(Some("502"), "MUG", 1)]),
        &items,
    );
    assert!(rest.whole && !rest.recorded);
    // A push whose lines name nothing in the order is taken as the whole order.
    let blind = shipped::judge(Tally::default(), &push("T3", &[(None, "X", 1)]), &items);
    assert!(blind.whole);
}

#[test]
fn the_tally_round_trips_through_the_orders_meta_as_a_string_or_decoded() {
    let items = line_items(&order());
    let judged = shipped::judge(
        Tally::default(),
        &push("T1", &[(Some("501"), "TEE-M", 1)]),
        &items,
    );
    let text = judged.tally.meta_value();
    let mut o = order();
    o["meta_data"] = json!([{"id": 9, "key": META_KEY, "value": text}]);
    let read = Tally::read(&o).unwrap();
    assert_eq!(read.shipments, judged.tally.shipments);
    assert_eq!(read.v, 1);
    let decoded: serde_json::Value = serde_json::from_str(&text).unwrap();
    o["meta_data"] = json!([{"id": 9, "key": META_KEY, "value": decoded}]);
    assert_eq!(Tally::read(&o).unwrap().shipments, judged.tally.shipments);
    o["meta_data"] = json!([{"id": 9, "key": META_KEY, "value": "{not json"}]);
    assert!(Tally::read(&o).unwrap_err().contains(META_KEY));
    assert_eq!(Tally::read(&order()).unwrap(), Tally::default());
}

#[test]
fn an_untracked_shipment_is_keyed_by_carrier_and_lines() {
    assert_eq!(shipment_key(&push(" T9 ", &[])), "T9");
    assert_eq!(
        shipment_key(&push("", &[(None, "MUG", 1), (None, "TEE", 2)])),
        "untracked:UPS:1xMUG,2xTEE"
    );
}

#[test]
fn notes_of_a_whole_and_a_partial_shipment() {
    assert_eq!(note_text("UPS", "1Z"), "Shipped via UPS, tracking 1Z");
    assert_eq!(
        partial_note_text("UPS", "1Z"),
        "Part of your order shipped via UPS, tracking 1Z"
    );
    assert_eq!(partial_note_text("", ""), "Part of your order shipped");
    let notes = vec![json!({"note": "Part of your order shipped via UPS"})];
    assert!(already_noted(&notes, "UPS", ""));
    assert!(!already_noted(&notes, "USPS", ""));
}
