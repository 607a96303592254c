//! Unit tests of `push`: request bodies, SKU encoding, carrier codes, answers.

use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use super::push::*;
use crate::channels::{FulfilledLine, FulfillmentPush};

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().to_utc()
}

#[test]
fn the_stock_body_merges_the_mfn_quantity() {
    assert_eq!(
        stock_body(7),
        json!({"productType":"PRODUCT","patches":[{"op":"merge",
            "path":"/attributes/fulfillment_availability",
            "value":[{"fulfillment_channel_code":"DEFAULT","quantity":7}]}]})
    );
    assert_eq!(stock_body(-3)["patches"][0]["value"][0]["quantity"], 0);
}

#[test]
fn a_sku_is_one_encoded_path_segment() {
    let ids = vec!["ATVPDKIKX0DER".to_string(), "A2EUQ1WTGCTBG2".to_string()];
    let url = listings_url("http://127.0.0.1:9/", "A1SELLER", "TEE/RED M+1%", &ids).unwrap();
    assert_eq!(
        url.path(),
        "/listings/2021-08-01/items/A1SELLER/TEE%2FRED%20M%2B1%25"
    );
    assert_eq!(
        url.query(),
        Some("marketplaceIds=ATVPDKIKX0DER%2CA2EUQ1WTGCTBG2")
    );
    assert_eq!(url.path_segments().unwrap().count(), 5);
    let decoded =
        percent_encoding::percent_decode_str(url.path_segments().unwrap().next_back().unwrap())
            .decode_utf8()
            .unwrap();
    assert_eq!(decoded, "TEE/RED M+1%");
    assert_eq!(encode_segment("MUG-2.0_a~b"), "MUG-2.0_a~b");
    assert_eq!(encode_segment("手"), "%E6%89%8B");
    assert_eq!(
        confirm_url("http://h", "113-4829175-6603452")
            .unwrap()
            .path(),
        "/orders/v0/orders/113-4829175-6603452/shipmentConfirmation"
    );
}

#[test]
fn carriers_map_to_amazon_codes_or_other_with_a_name() {
    assert_eq!(carrier_code("UPS"), ("UPS", None));
    assert_eq!(carrier_code("ups"), ("UPS", None));
    assert_eq!(carrier_code("U.S.P.S."), ("USPS", None));
    assert_eq!(carrier_code("United States Postal Service"), ("USPS", None));
    assert_eq!(carrier_code("fedex"), ("FedEx", None));
    assert_eq!(carrier_code("Fed Ex"), ("FedEx", None));
    assert_eq!(carrier_code("DHL Express"), ("DHL", None));
    assert_eq!(
        carrier_code(" Royal Mail "),
        ("Other", Some("Royal Mail".to_string()))
    );
    assert_eq!(carrier_code(""), ("Other", Some("Other".to_string())));
}

fn push(lines: Vec<FulfilledLine>) -> FulfillmentPush {
    FulfillmentPush {
        order_external_id: "113-4829175-6603452".into(),
        carrier: "USPS".into(),
        tracking: " 9400111899223 ".into(),
        shipped_at: at("2025-03-05T18:00:00.250+02:00"),
        lines,
        intent_at: at("2025-03-05T16:00:01Z"),
    }
}

fn line(id: Option<&str>, sku: &str, quantity: u32) -> FulfilledLine {
    FulfilledLine {
        channel_line_id: id.map(String::from),
        sku: sku.into(),
        quantity,
    }
}

#[test]
fn the_shipment_body_has_one_package_by_order_item_id() {
    let p = push(vec![
        line(Some("40311827365521"), "A", 2),
        line(Some("40311827365622"), "B", 0),
        line(Some("40311827365521"), "A", 1),
    ]);
    assert_eq!(
        shipment_body(&p, "ATVPDKIKX0DER").unwrap(),
        json!({"marketplaceId":"ATVPDKIKX0DER","packageDetail":{
            "packageReferenceId":"1","carrierCode":"USPS",
            "trackingNumber":"9400111899223","shipDate":"2025-03-05T16:00:00Z",
            "orderItems":[{"orderItemId":"40311827365521","quantity":3}]}})
    );
    let mut other = p.clone();
    other.carrier = "La Poste".into();
    let body = shipment_body(&other, "A13V1IB3VIYZZH").unwrap();
    assert_eq!(body["packageDetail"]["carrierCode"], "Other");
    assert_eq!(body["packageDetail"]["carrierName"], "La Poste");
    let e = shipment_body(&push(vec![line(None, "MUG-1", 1)]), "X").unwrap_err();
    assert!(e.contains("MUG-1") && e.contains("orderItemId"), "{e}");
    assert!(shipment_body(&push(vec![line(Some("1"), "A", 0)]), "X").is_err());
}

#[test]
fn listing_answers_are_taken_or_refused_with_their_issues() {
    let answer = |v: Value| serde_json::from_value::<ListingsSubmission>(v).unwrap();
    let ok = answer(json!({"sku":"A","status":"ACCEPTED","submissionId":"s1","issues":[]}));
    assert_eq!(submission_outcome("A", &ok), Some(Ok(())));
    let valid = answer(json!({"sku":"A","status":"VALID","issues":[]}));
    assert_eq!(submission_outcome("A", &valid), Some(Ok(())));
    let invalid = answer(
        json!({"sku":"A","status":"INVALID","submissionId":"s2","issues":[
        {"code":"90220","message":"'fulfillment_channel_code' is required but not supplied.",
         "severity":"ERROR","attributeNames":["fulfillment_availability"]},
        {"code":"1","message":"just a warning","severity":"WARNING"}]}),
    );
    let e = submission_outcome("A/B", &invalid).unwrap().unwrap_err();
    assert!(
        e.contains("A/B") && e.contains("fulfillment_channel_code") && !e.contains("warning"),
        "{e}"
    );
    assert_eq!(
        submission_outcome("A", &answer(json!({"status":"WHAT"}))),
        None
    );
}

#[test]
fn an_already_confirmed_shipment_is_recognized() {
    let body =
        |m: &str| json!({"errors":[{"code":"InvalidInput","message":m,"details":""}]}).to_string();
    assert!(is_already_confirmed(
        body("The order status is Shipped. The shipment is already confirmed.").as_bytes()
    ));
    assert!(is_already_confirmed(
        body("Order already fulfilled").as_bytes()
    ));
    assert!(!is_already_confirmed(
        body("OrderItemId is invalid, please obtain the value through the getOrderItems API")
            .as_bytes()
    ));
    assert!(!is_already_confirmed(b"<html>"));
    assert_eq!(
        error_text(body("Invalid input").as_bytes()),
        "InvalidInput: Invalid input"
    );
}
