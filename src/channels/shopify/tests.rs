//! The example answer of spec §7 (`tests/fixtures/channels/shopify_orders.json`), field by
//! field, and the header and signature helpers.

use std::collections::HashMap;
use std::str::FromStr;

use chrono::{TimeZone, Utc};
use reqwest::header::{HeaderMap, HeaderValue};
use serde::Deserialize as _;
use serde_json::Value;

use super::*;
use crate::model::{Address, FinancialStatus, Money};

const EXAMPLE: &str = include_str!("../../../tests/fixtures/channels/shopify_orders.json");

fn ctx(map: &[(&str, &str)]) -> MapContext {
    MapContext {
        channel_id: "web-shop".into(),
        sku_map: map
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect::<HashMap<_, _>>(),
    }
}

fn money(s: &str) -> Money {
    Money::from_str(s).unwrap()
}

fn elements() -> Vec<&'static str> {
    order_elements(EXAMPLE.as_bytes()).unwrap()
}

/// Order `i` of the example with `edit` applied to its JSON.
fn edited(i: usize, edit: impl Fn(&mut Value)) -> String {
    let mut v: Value = serde_json::from_str(elements()[i]).unwrap();
    edit(&mut v);
    serde_json::to_string(&v).unwrap()
}

fn mapped(raw: &str, ctx: &MapContext) -> ChannelOrder {
    match map_order(raw, ctx) {
        Mapped::Order { order, raw: kept } => {
            assert_eq!(kept, raw, "the raw text is kept as it came");
            *order
        }
        Mapped::Unmappable { reason, .. } => panic!("unmappable: {reason}"),
    }
}

#[test]
fn elements_are_the_raw_text_of_each_order() {
    let els = elements();
    assert_eq!(els.len(), 2);
    assert!(els[0].starts_with('{') && els[0].ends_with('}'));
    assert!(els[0].contains("\"#1042\"") && els[1].contains("\"#1041\""));
    // Unicode stays as sent (edge case 19).
    assert!(els[0].contains("Tenugui Towel 手ぬぐい") && els[0].contains("🎁"));
    let v: Value = serde_json::from_str(els[1]).unwrap();
    assert_eq!(v["id"], 6123456700999u64);
}

#[test]
fn saved_answers_map_every_order_and_name_a_bad_file() {
    let files = vec![("orders.json".to_string(), EXAMPLE.as_bytes().to_vec())];
    let got = map_saved(&files, &ctx(&[])).unwrap();
    assert_eq!(got.len(), 2);
    // Both have a line without a SKU and no sku_map: kept, with the reason.
    assert!(got.iter().all(|m| matches!(m, Mapped::Unmappable { .. })));
    let bad = vec![("x.json".to_string(), b"[1,2]".to_vec())];
    let err = map_saved(&bad, &ctx(&[])).unwrap_err();
    assert!(err.contains("x.json"), "{err}");
    let no_orders = vec![("y.json".to_string(), br#"{"order":{}}"#.to_vec())];
    assert!(map_saved(&no_orders, &ctx(&[]))
        .unwrap_err()
        .contains("y.json"));
    let empty = vec![("z.json".to_string(), br#" { "orders" : [ ] } "#.to_vec())];
    assert!(map_saved(&empty, &ctx(&[])).unwrap().is_empty());
}

#[test]
fn custom_line_without_sku_is_quarantined_with_a_reason_naming_it() {
    let raw = elements()[0];
    let Mapped::Unmappable {
        reason,
        external_id,
        updated_at,
        raw: kept,
    } = map_order(raw, &ctx(&[]))
    else {
        panic!("the gift wrapping line has no SKU")
    };
    assert!(
        reason.contains("line item 3 (Gift wrapping 🎁) has no SKU"),
        "{reason}"
    );
    assert_eq!(external_id.as_deref(), Some("6123456789012"));
    assert_eq!(
        updated_at,
        Some(Utc.with_ymd_and_hms(2025, 3, 4, 17, 16, 3).unwrap())
    );
    assert_eq!(kept, raw);
    // Retrying from quarantine gives the same reason.
    assert_eq!(map_stored(FORMAT, raw, &ctx(&[])).unwrap_err(), reason);
    assert!(map_stored("woocommerce-order", raw, &ctx(&[])).is_err());
}

#[test]
fn order_1042_maps_every_field() {
    let raw = edited(0, |v| v["line_items"][2]["sku"] = "GIFT-WRAP".into());
    let o = mapped(&raw, &ctx(&[]));
    assert_eq!(o.channel, "web-shop");
    assert_eq!(o.external_id, "6123456789012");
    assert_eq!(o.number, "#1042");
    assert_eq!(
        o.created_at,
        Utc.with_ymd_and_hms(2025, 3, 4, 17, 15, 22).unwrap()
    );
    assert_eq!(
        o.updated_at,
        Utc.with_ymd_and_hms(2025, 3, 4, 17, 16, 3).unwrap()
    );
    assert!(!o.cancelled);
    assert_eq!(o.financial_status, FinancialStatus::Paid);
    assert_eq!(o.customer.name.as_deref(), Some("José Núñez"));
    assert_eq!(o.customer.email.as_deref(), Some("jose.nunez@example.com"));
    assert_eq!(o.customer.phone.as_deref(), Some("+1 408-555-0143"));
    assert_eq!(
        o.ship_to,
        Some(Address {
            name: Some("José Núñez".into()),
            line1: "1550 Calle de Ñandú".into(),
            line2: Some("Apt 3B".into()),
            city: "San José".into(),
            region: Some("CA".into()),
            postal_code: "95112".into(),
            country: "US".into(),
            lat: Some(37.3541),
            lon: Some(-121.8882),
        })
    );
    assert_eq!(o.ship_method, "standard");
    assert_eq!(o.pickup_location, None);
    let lines: Vec<_> = o
        .lines
        .iter()
        .map(|l| {
            (
                l.line,
                l.sku.as_str(),
                l.title.as_deref().unwrap(),
                l.quantity,
                l.unit_price,
                l.channel_line_id.as_deref().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        lines,
        vec![
            (
                1,
                "MUG-CAFE-BLU-12",
                "Café Mug ☕",
                2,
                money("24.50"),
                "13851272003637"
            ),
            (
                2,
                "TNG-IND",
                "Tenugui Towel 手ぬぐい",
                1,
                money("89.00"),
                "13851272036405"
            ),
            (
                3,
                "GIFT-WRAP",
                "Gift wrapping 🎁",
                1,
                money("5.00"),
                "13851272069173"
            ),
        ]
    );
    assert_eq!(o.totals.subtotal, money("143.00"));
    assert_eq!(o.totals.shipping, money("7.95"));
    assert_eq!(o.totals.tax, money("8.58"));
    assert_eq!(o.totals.discount, money("0.00"));
    assert_eq!(o.totals.total, money("159.53"));
    assert_eq!(o.currency, "USD");
    assert_eq!(o.tags, vec!["gift", "VIP"]);
    assert!(o.problems().is_empty(), "{:?}", o.problems());
}

#[test]
fn order_1041_cancelled_and_refunded_with_an_empty_sku_mapped_by_variant() {
    let raw = elements()[1];
    // sku "" is no SKU (edge case 14): without a mapping the order waits in quarantine.
    let Mapped::Unmappable { reason, .. } = map_order(raw, &ctx(&[])) else {
        panic!("sku \"\" must not be taken as a SKU")
    };
    assert!(
        reason.contains("line item 2 (Sticker-Pack „Rheinufer“) has no SKU")
            && reason.contains("variant 44022223377279"),
        "{reason}"
    );
    let o = mapped(raw, &ctx(&[("44022223377279", "STICKER-RHEIN")]));
    assert_eq!(o.external_id, "6123456700999");
    assert_eq!(o.number, "#1041");
    assert_eq!(
        o.created_at,
        Utc.with_ymd_and_hms(2025, 3, 2, 21, 41, 9).unwrap()
    );
    assert_eq!(
        o.updated_at,
        Utc.with_ymd_and_hms(2025, 3, 3, 8, 12, 49).unwrap()
    );
    assert!(o.cancelled, "cancelled_at is set");
    assert_eq!(o.financial_status, FinancialStatus::Refunded);
    assert_eq!(o.customer.name.as_deref(), Some("Jürgen Weiß"));
    assert_eq!(
        o.customer.email.as_deref(),
        Some("juergen.weiss@example.de")
    );
    assert_eq!(o.customer.phone, None);
    let to = o.ship_to.as_ref().unwrap();
    assert_eq!(
        (to.line1.as_str(), to.line2.as_deref(), to.city.as_str()),
        ("Weißer Straße 12", None, "Köln")
    );
    assert_eq!(
        (to.region.as_deref(), to.postal_code.as_str()),
        (None, "50667")
    );
    assert_eq!((to.country.as_str(), to.lat, to.lon), ("DE", None, None));
    assert_eq!(o.ship_method, "dhl paket");
    // Cancelled and restocked: current_quantity is 0 on both lines, which stay in place.
    let lines: Vec<_> = o
        .lines
        .iter()
        .map(|l| (l.line, l.sku.as_str(), l.quantity, l.unit_price))
        .collect();
    assert_eq!(
        lines,
        vec![
            (1, "BEANIE-MER-GRY", 0, money("29.90")),
            (2, "STICKER-RHEIN", 0, money("3.30")),
        ]
    );
    assert_eq!(o.totals.subtotal, money("0.00"));
    assert_eq!(o.totals.shipping, money("4.90"));
    assert_eq!(o.totals.tax, money("0.00"));
    assert_eq!(o.totals.total, money("0.00"));
    assert_eq!(o.currency, "EUR");
    assert!(o.tags.is_empty());
    // The product id maps too when the variant has no entry.
    let o = mapped(raw, &ctx(&[("8066660033873", "STICKER-P")]));
    assert_eq!(o.lines[1].sku, "STICKER-P");
}

#[test]
fn refund_subtotal_numbers_are_read_as_decimals() {
    let v: Value = serde_json::from_str(elements()[1]).unwrap();
    let order = map::ShopifyOrder::deserialize(&v).unwrap();
    let r = &order.refunds[0].refund_line_items;
    assert_eq!(r[0].subtotal, Some(money("29.9")));
    assert_eq!(r[0].total_tax, Some(money("4.77")));
    assert_eq!(r[1].subtotal, Some(money("9.9")));
    assert_eq!(map::parse_money("1e3"), Some(money("1000")));
    // A money string that is a JSON number elsewhere is accepted too.
    let raw = edited(1, |v| {
        v["line_items"][1]["sku"] = "S".into();
        v["current_total_price"] = serde_json::json!(12.5);
    });
    assert_eq!(mapped(&raw, &ctx(&[])).totals.total, money("12.5"));
}

#[test]
fn without_current_quantity_refunds_are_taken_off() {
    let raw = edited(1, |v| {
        v["line_items"][1]["sku"] = "S".into();
        for li in v["line_items"].as_array_mut().unwrap() {
            li.as_object_mut().unwrap().remove("current_quantity");
        }
    });
    let o = mapped(&raw, &ctx(&[]));
    assert_eq!(o.lines[0].quantity, 0);
    assert_eq!(o.lines[1].quantity, 0);
    // An edit lowers current_quantity while quantity keeps the original (edge case 3).
    let raw = edited(0, |v| {
        v["line_items"][2]["sku"] = "W".into();
        v["line_items"][0]["current_quantity"] = 1.into();
    });
    let o = mapped(&raw, &ctx(&[]));
    assert_eq!(o.lines[0].quantity, 1);
}

#[test]
fn bad_quantities_and_shapes_are_quarantined_not_dropped() {
    let raw = edited(0, |v| {
        v["line_items"][2]["sku"] = "W".into();
        v["line_items"][0]["current_quantity"] = serde_json::json!(1.5);
        v["line_items"][1]["current_quantity"] = serde_json::json!(-1);
    });
    let Mapped::Unmappable { reason, .. } = map_order(&raw, &ctx(&[])) else {
        panic!("fractional quantity")
    };
    assert!(
        reason.contains("line item 1 (Café Mug ☕): quantity 1.5"),
        "{reason}"
    );
    assert!(
        reason.contains("line item 2") && reason.contains("-1"),
        "{reason}"
    );

    for (raw, want) in [
        ("{not json", "not JSON"),
        ("[1]", "not a JSON object"),
        (r#"{"id":5,"line_items":"many"}"#, "not a Shopify order"),
        (r#"{"id":5,"created_at":"yesterday"}"#, "created_at"),
        (r#"{"created_at":"2025-03-04T09:15:22-08:00"}"#, "no id"),
    ] {
        let Mapped::Unmappable {
            reason, raw: kept, ..
        } = map_order(raw, &ctx(&[]))
        else {
            panic!("{raw} should not map")
        };
        assert!(reason.contains(want), "{raw}: {reason}");
        assert_eq!(kept, raw);
    }
    // The id and the version time are read even when the rest cannot be.
    let Mapped::Unmappable {
        external_id,
        updated_at,
        ..
    } = map_order(
        r#"{"id":7,"updated_at":"2025-01-01T00:00:00+01:00","line_items":7}"#,
        &ctx(&[]),
    )
    else {
        panic!()
    };
    assert_eq!(external_id.as_deref(), Some("7"));
    assert_eq!(
        updated_at,
        Some(Utc.with_ymd_and_hms(2024, 12, 31, 23, 0, 0).unwrap())
    );
}

#[test]
fn string_coordinates_pickup_and_unknown_statuses() {
    let raw = edited(0, |v| {
        v["line_items"][2]["sku"] = "W".into();
        v["shipping_address"]["latitude"] = "40.7128".into();
        v["shipping_address"]["longitude"] = Value::Null;
        v["financial_status"] = "expired".into();
        v["note_attributes"] = serde_json::json!([
            {"name": "Checkout-Method", "value": "pickup"},
            {"name": "Pickup-Location-Id", "value": "store-nyc"}
        ]);
        v["shipping_lines"] = Value::Null;
    });
    let o = mapped(&raw, &ctx(&[]));
    let to = o.ship_to.as_ref().unwrap();
    assert_eq!((to.lat, to.lon), (Some(40.7128), None));
    assert_eq!(o.financial_status, FinancialStatus::Pending);
    assert_eq!(o.pickup_location.as_deref(), Some("store-nyc"));
    assert_eq!(o.ship_method, "pickup");
    assert_eq!(
        map::financial_status(Some("partially_refunded")),
        FinancialStatus::PartiallyRefunded
    );
    assert_eq!(
        map::financial_status(Some("authorized")),
        FinancialStatus::Authorized
    );
    assert_eq!(
        map::financial_status(Some("voided")),
        FinancialStatus::Voided
    );
    assert_eq!(
        map::financial_status(Some("partially_paid")),
        FinancialStatus::PartiallyPaid
    );
}

#[test]
fn link_headers_parse_exactly() {
    let v = r#"<https://shop.myshopify.com/admin/api/2025-01/orders.json?page_info=eyJsYXN0X2lkIjo0fQ%3D%3D&limit=250>; rel="previous", <https://shop.myshopify.com/admin/api/2025-01/orders.json?limit=250&page_info=abc-_Z>; rel="next""#;
    assert_eq!(
        parse_link(v, "next").as_deref(),
        Some("https://shop.myshopify.com/admin/api/2025-01/orders.json?limit=250&page_info=abc-_Z")
    );
    assert_eq!(
        parse_link(v, "previous").as_deref(),
        Some("https://shop.myshopify.com/admin/api/2025-01/orders.json?page_info=eyJsYXN0X2lkIjo0fQ%3D%3D&limit=250")
    );
    assert_eq!(
        parse_link("<https://a/b?x=1>; rel=next", "next").as_deref(),
        Some("https://a/b?x=1")
    );
    assert_eq!(parse_link(r#"<https://a/b>; rel="previous""#, "next"), None);
    assert_eq!(parse_link("", "next"), None);
    let mut h = HeaderMap::new();
    h.insert(reqwest::header::LINK, HeaderValue::from_str(v).unwrap());
    assert!(link(&h, "next").unwrap().ends_with("page_info=abc-_Z"));
}

#[test]
fn call_limit_header_gives_headroom() {
    let r = parse_call_limit("32/40").unwrap();
    assert_eq!((r.remaining, r.limit), (8.0, 40.0));
    assert_eq!(parse_call_limit(" 40/40 ").unwrap().remaining, 0.0);
    assert!(parse_call_limit("40").is_none());
    assert!(parse_call_limit("a/40").is_none());
    assert!(parse_call_limit("1/0").is_none());
    let mut h = HeaderMap::new();
    h.insert(CALL_LIMIT_HEADER, HeaderValue::from_static("2/40"));
    assert_eq!(call_limit(&h).unwrap().remaining, 38.0);
}

#[test]
fn cursor_refusals_are_told_apart_from_filter_mistakes() {
    assert!(cursor_refused(
        r#"HTTP 400 Bad Request: {"errors":{"page_info":["Invalid value."]}}"#
    ));
    assert!(!cursor_refused(
        r#"HTTP 400: {"errors":{"page_info":["created_at_min cannot be passed when page_info is present"]}}"#
    ));
    assert!(!cursor_refused(
        r#"HTTP 400: {"errors":{"limit":["too big"]}}"#
    ));
}

#[test]
fn webhook_signatures_are_base64_hmac_of_the_raw_body() {
    let secret = b"hush";
    let body = elements()[0].as_bytes();
    let sig = sign_webhook(secret, body);
    assert!(verify_webhook(secret, body, &sig));
    assert!(verify_webhook(secret, body, &format!(" {sig} ")));
    assert!(!verify_webhook(b"other", body, &sig));
    assert!(!verify_webhook(secret, &body[1..], &sig));
    assert!(!verify_webhook(secret, body, ""));
    assert!(!verify_webhook(secret, body, "not base64!"));
    // A hex digest of the right HMAC is still refused (edge case 17).
    let raw = BASE64.decode(&sig).unwrap();
    let hex: String = raw.iter().map(|b| format!("{b:02x}")).collect();
    assert!(!verify_webhook(secret, body, &hex));
    // Re-serialized JSON is not the body that was signed.
    let v: Value = serde_json::from_slice(body).unwrap();
    assert!(!verify_webhook(
        secret,
        serde_json::to_string(&v).unwrap().as_bytes(),
        &sig
    ));
    // Known answer (RFC 4231 test case 2 in base64).
    assert_eq!(
        sign_webhook(b"Jefe", b"what do ya want for nothing?"),
        "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM="
    );
}

#[test]
fn webhook_bodies_map_like_list_elements() {
    let raw = edited(0, |v| v["line_items"][2]["sku"] = "W".into());
    let Mapped::Order { order, .. } = map_webhook(raw.as_bytes(), &ctx(&[])) else {
        panic!()
    };
    assert_eq!(order.number, "#1042");
    assert!(matches!(
        map_webhook(&[0xff, 0xfe], &ctx(&[])),
        Mapped::Unmappable { .. }
    ));
}
