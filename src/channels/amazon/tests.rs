use std::collections::HashMap;
use std::str::FromStr;

use serde_json::json;

use super::*;
use crate::model::{FinancialStatus, Money};

const ORDERS_V0: &str = include_str!("../../../tests/fixtures/channels/amazon_orders.json");
const ITEMS_V0: &str = include_str!("../../../tests/fixtures/channels/amazon_order_items.json");

fn ctx() -> MapContext {
    MapContext {
        channel_id: "amazon-us".into(),
        sku_map: HashMap::new(),
    }
}

fn money(s: &str) -> Money {
    Money::from_str(s).unwrap()
}

fn files(list: &[(&str, &str)]) -> Vec<(String, Vec<u8>)> {
    list.iter()
        .map(|(n, b)| (n.to_string(), b.as_bytes().to_vec()))
        .collect()
}

fn order_of(m: &Mapped) -> &ChannelOrder {
    match m {
        Mapped::Order { order, .. } => order,
        Mapped::Unmappable { reason, .. } => panic!("unmappable: {reason}"),
    }
}

#[test]
fn v0_pair_needs_a_sku_for_every_item() {
    // Items file first: the order of the files does not matter.
    let got = map_saved(
        &files(&[("items.json", ITEMS_V0), ("orders.json", ORDERS_V0)]),
        &ctx(),
    )
    .unwrap();
    assert_eq!(got.len(), 2);
    match &got[0] {
        Mapped::Unmappable {
            reason,
            external_id,
            updated_at,
            raw,
        } => {
            assert!(reason.contains("40311827365622"), "{reason}");
            assert!(reason.contains("B0DTNG9876"), "{reason}");
            assert!(reason.contains("手ぬぐい"), "{reason}");
            assert_eq!(external_id.as_deref(), Some("113-4829175-6603452"));
            assert_eq!(
                updated_at.unwrap().to_rfc3339(),
                "2025-03-04T16:52:37+00:00"
            );
            assert_eq!(format_of(raw), FORMAT_V0);
        }
        other => panic!("expected unmappable, got {other:?}"),
    }
}

#[test]
fn v0_pair_maps_with_the_asin_in_the_sku_map() {
    let mut ctx = ctx();
    ctx.sku_map
        .insert("B0DTNG9876".into(), "TENUGUI-INDIGO".into());
    let got = map_saved(
        &files(&[("orders.json", ORDERS_V0), ("items.json", ITEMS_V0)]),
        &ctx,
    )
    .unwrap();
    let o = order_of(&got[0]);
    assert_eq!(o.channel, "amazon-us");
    assert_eq!(o.external_id, "113-4829175-6603452");
    assert_eq!(o.number, "113-4829175-6603452");
    assert!(!o.cancelled);
    assert_eq!(o.financial_status, FinancialStatus::Paid);
    assert_eq!(o.currency, "USD");
    assert_eq!(o.lines.len(), 2);
    let l1 = &o.lines[0];
    assert_eq!(
        (l1.line, l1.sku.as_str(), l1.quantity),
        (1, "MUG-CAFE-BLU-12", 2)
    );
    assert_eq!(l1.unit_price, money("24.50"));
    assert_eq!(l1.unit_price.to_string(), "24.50");
    assert_eq!(l1.channel_line_id.as_deref(), Some("40311827365521"));
    assert_eq!(
        l1.title.as_deref(),
        Some("Café Mug ☕ – Ocean Blue, 12 oz (2-Pack friendly)")
    );
    let l2 = &o.lines[1];
    assert_eq!((l2.sku.as_str(), l2.quantity), ("TENUGUI-INDIGO", 1));
    assert_eq!(l2.unit_price, money("18.00"));
    assert_eq!(
        l2.title.as_deref(),
        Some("手ぬぐい Tenugui Towel — Indigo “Nami”")
    );
    assert_eq!(o.totals.subtotal, money("67.00"));
    assert_eq!(o.totals.shipping, money("5.99"));
    assert_eq!(o.totals.tax, money("3.90"));
    assert_eq!(o.totals.discount, money("2.00"));
    assert_eq!(o.totals.total, money("74.89"));
    let a = o.ship_to.as_ref().unwrap();
    assert_eq!(a.name.as_deref(), Some("Zoë Ångström-Núñez"));
    assert_eq!(a.line1, "1550 Calle de Ñandú");
    assert_eq!(a.line2.as_deref(), Some("Apt 3B"));
    assert_eq!(
        (a.city.as_str(), a.region.as_deref(), a.postal_code.as_str()),
        ("San José", Some("CA"), "95112-4421")
    );
    assert_eq!(a.country, "US");
    assert_eq!((a.lat, a.lon), (None, None));
    assert_eq!(o.customer.name.as_deref(), Some("Zoë Ångström-Núñez"));
    assert_eq!(
        o.customer.email.as_deref(),
        Some("3q8v2kz7m1xw5ty@marketplace.amazon.com")
    );
    assert!(o.tags.iter().any(|t| t == "gift"), "{:?}", o.tags);
    // The gift message is not kept anywhere.
    let text = serde_json::to_string(o).unwrap();
    assert!(!text.contains("Geburtstag"));
    assert!(o.problems().is_empty(), "{:?}", o.problems());
    assert_eq!(o.created_at.to_rfc3339(), "2025-03-04T16:20:11+00:00");
    assert_eq!(o.updated_at.to_rfc3339(), "2025-03-04T16:52:37+00:00");

    // Order 2: Canceled, no total, no address, no items given: kept as a cancel.
    let c = order_of(&got[1]);
    assert_eq!(c.external_id, "114-0093817-2250619");
    assert!(c.cancelled);
    assert_eq!(c.financial_status, FinancialStatus::Voided);
    assert!(c.lines.is_empty());
    assert_eq!(c.ship_to, None);
    assert_eq!(c.totals.total, Money::ZERO);
    assert_eq!(c.currency, "USD");

    // Each raw maps again the same way (quarantine retry).
    for m in &got {
        let Mapped::Order { order, raw } = m else {
            unreachable!()
        };
        assert_eq!(&map_stored(format_of(raw), raw, &ctx).unwrap(), &**order);
    }
}

#[test]
fn a_v0_order_without_its_items_is_unmappable_unless_cancelled() {
    let pending = json!({"payload": {"Orders": [{
        "AmazonOrderId": "111-0000001-0000001",
        "PurchaseDate": "2025-03-04T16:20:11Z",
        "LastUpdateDate": "2025-03-04T16:20:11Z",
        "OrderStatus": "Pending",
        "MarketplaceId": "ATVPDKIKX0DER"
    }]}})
    .to_string();
    let got = map_saved(&files(&[("o.json", &pending)]), &ctx()).unwrap();
    match &got[0] {
        Mapped::Unmappable { reason, .. } => assert!(reason.contains("no order items"), "{reason}"),
        other => panic!("{other:?}"),
    }
    // Orphan items are kept too.
    let got = map_saved(&files(&[("i.json", ITEMS_V0)]), &ctx()).unwrap();
    assert!(
        matches!(&got[0], Mapped::Unmappable { reason, .. } if reason.contains("without the order"))
    );
}

#[test]
fn a_file_of_another_shape_is_named() {
    let err = map_saved(
        &files(&[
            ("orders.json", ORDERS_V0),
            ("shop.json", r#"{"orders_x":[]}"#),
        ]),
        &ctx(),
    )
    .unwrap_err();
    assert!(err.starts_with("shop.json: neither"), "{err}");
    let err = map_saved(&files(&[("bad.json", "{\"payload\":")]), &ctx()).unwrap_err();
    assert!(err.starts_with("bad.json: not JSON"), "{err}");
}

fn order_2026() -> serde_json::Value {
    json!({
        "orderId": "113-4567890-1234567",
        "createdTime": "2026-02-01T10:30:00Z",
        "lastUpdatedTime": "2026-02-01T14:45:00.250Z",
        "programs": ["PRIME"],
        "salesChannel": {"channelName": "AMAZON", "marketplaceId": "ATVPDKIKX0DER"},
        "buyer": {"buyerName": "Zoë Ångström", "buyerEmail": "x@marketplace.amazon.com"},
        "recipient": {"deliveryAddress": {
            "name": "Zoë Ångström", "addressLine1": "123 Main Street", "addressLine2": "Suite 456",
            "addressLine3": "", "city": "Seattle", "stateOrRegion": "WA", "postalCode": "98101",
            "countryCode": "US", "phone": "555-123-4567", "addressType": "COMMERCIAL"}},
        "proceeds": {"grandTotal": {"amount": "115.97", "currencyCode": "USD"},
            "breakdowns": [
                {"type": "ITEM", "subtotal": {"amount": "104.97", "currencyCode": "USD"}},
                {"type": "SHIPPING", "subtotal": {"amount": "5.00", "currencyCode": "USD"}},
                {"type": "TAX", "subtotal": {"amount": "8.00", "currencyCode": "USD"}},
                {"type": "DISCOUNT", "subtotal": {"amount": "-2.00", "currencyCode": "USD"}}]},
        "fulfillment": {"fulfillmentStatus": "UNSHIPPED", "fulfilledBy": "MERCHANT",
            "fulfillmentServiceLevel": "NEXT_DAY"},
        "orderItems": [
            {"orderItemId": "12345678901234", "quantityOrdered": 2,
             "product": {"asin": "B08N5WRWNW", "title": "Echo Dot", "sellerSku": "ECHO-DOT-4",
                "price": {"unitPrice": {"amount": "27.49", "currencyCode": "USD"}}}},
            {"orderItemId": "12345678901235", "quantityOrdered": 1,
             "product": {"asin": "B07XJ8C8F5", "title": "Fire TV Stick",
                "price": {"unitPrice": {"amount": 49.99, "currencyCode": "USD"}}},
             "fulfillment": {"packing": {"giftOption": {"giftMessage": "Happy Holidays!"}}}}
        ]
    })
}

#[test]
fn a_2026_order_maps_with_its_items_inside() {
    let mut ctx = ctx();
    ctx.sku_map.insert("B07XJ8C8F5".into(), "FIRE-TV-4K".into());
    let answer = json!({"orders": [order_2026()], "pagination": {"nextToken": "a+b/c=="}});
    let got = map_saved(&files(&[("p1.json", &answer.to_string())]), &ctx).unwrap();
    let o = order_of(&got[0]);
    assert_eq!(o.external_id, "113-4567890-1234567");
    assert_eq!(o.financial_status, FinancialStatus::Paid);
    assert_eq!(o.ship_method, "overnight");
    assert_eq!(o.updated_at.timestamp_subsec_millis(), 250);
    assert_eq!(o.lines[0].unit_price, money("27.49"));
    assert_eq!(o.lines[1].sku, "FIRE-TV-4K");
    assert_eq!(o.lines[1].unit_price, money("49.99"));
    assert_eq!(
        o.lines[1].channel_line_id.as_deref(),
        Some("12345678901235")
    );
    assert_eq!(o.totals.subtotal, money("104.97"));
    assert_eq!(o.totals.shipping, money("5.00"));
    assert_eq!(o.totals.tax, money("8.00"));
    assert_eq!(o.totals.discount, money("2.00"));
    assert_eq!(o.totals.total, money("115.97"));
    let a = o.ship_to.as_ref().unwrap();
    assert_eq!(
        (a.line2.as_deref(), a.country.as_str()),
        (Some("Suite 456"), "US")
    );
    assert_eq!(o.customer.phone.as_deref(), Some("555-123-4567"));
    assert!(o.tags.contains(&"prime".to_string()) && o.tags.contains(&"gift".to_string()));
    assert!(o.problems().is_empty());
    let Mapped::Order { raw, .. } = &got[0] else {
        unreachable!()
    };
    assert_eq!(format_of(raw), FORMAT_2026);
    assert_eq!(&map_stored(FORMAT_2026, raw, &ctx).unwrap(), o);
    assert!(map_stored("shopify-order", raw, &ctx).is_err());

    // Without the sku_map entry the second item (no sellerSku) makes it unmappable.
    let got = map_saved(
        &files(&[("p1.json", &answer.to_string())]),
        &super::tests::ctx(),
    )
    .unwrap();
    match &got[0] {
        Mapped::Unmappable {
            reason,
            external_id,
            updated_at,
            ..
        } => {
            assert!(
                reason.contains("12345678901235") && reason.contains("B07XJ8C8F5"),
                "{reason}"
            );
            assert_eq!(external_id.as_deref(), Some("113-4567890-1234567"));
            assert!(updated_at.is_some());
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_pending_2026_order_has_no_address_or_prices_and_is_kept() {
    let pending = json!({
        "orderId": "114-0000000-0000009",
        "createdTime": "2026-02-01T10:30:00Z",
        "lastUpdatedTime": "2026-02-01T10:30:00Z",
        "salesChannel": {"channelName": "AMAZON", "marketplaceId": "A1PA6795UKMFR9"},
        "fulfillment": {"fulfillmentStatus": "PENDING"},
        "orderItems": [{"orderItemId": "1", "quantityOrdered": 3,
            "product": {"asin": "B0", "sellerSku": "MUG"}}]
    });
    let m = map::map_2026(&pending, &ctx());
    let o = order_of(&m);
    assert_eq!(o.financial_status, FinancialStatus::Pending);
    assert!(!o.cancelled);
    assert_eq!(o.ship_to, None);
    assert_eq!(o.lines[0].unit_price, Money::ZERO);
    assert_eq!(o.totals.total, Money::ZERO);
    assert_eq!(o.currency, "EUR");
    assert!(o.problems().is_empty(), "{:?}", o.problems());

    let mut cancelled = pending.clone();
    cancelled["fulfillment"]["fulfillmentStatus"] = json!("CANCELLED");
    let m = map::map_2026(&cancelled, &ctx());
    assert!(order_of(&m).cancelled);

    let mut odd = pending.clone();
    odd["fulfillment"]["fulfillmentStatus"] = json!("LOST_IN_SPACE");
    assert!(
        matches!(map::map_2026(&odd, &ctx()), Mapped::Unmappable { reason, .. } if reason.contains("LOST_IN_SPACE"))
    );
    let mut bad = pending;
    bad["orderItems"] = json!("nope");
    match map::map_2026(&bad, &ctx()) {
        Mapped::Unmappable {
            reason,
            external_id,
            ..
        } => {
            assert!(reason.contains("shape"), "{reason}");
            assert_eq!(external_id.as_deref(), Some("114-0000000-0000009"));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn extended_prices_divide_in_decimal() {
    assert_eq!(per_unit(money("49.00"), 2).to_string(), "24.50");
    assert_eq!(per_unit(money("10.00"), 3), money("3.3333"));
    assert_eq!(per_unit(money("0.00"), 0), Money::ZERO);
}

#[test]
fn cursors_round_trip_and_token_refusals_are_recognized() {
    let c = Cursor {
        since: chrono::DateTime::parse_from_rfc3339("2026-02-01T10:30:00Z")
            .unwrap()
            .to_utc(),
        token: "Mj1z+c2F0/YjM0==".into(),
    };
    assert_eq!(Cursor::decode(&c.encode()), Some(c));
    assert_eq!(Cursor::decode("garbage"), None);
    let decode = br#"{"errors":[{"code":"InvalidInput","message":"We could not decode your NextToken. Possible reasons include: a transmission error, improper quoting or a truncation problem.","details":""}]}"#;
    assert!(is_token_refusal(decode));
    let other = br#"{"errors":[{"code":"InvalidInput","message":"Invalid lastUpdatedBefore","details":""}]}"#;
    assert!(!is_token_refusal(other));
    let mut h = reqwest::header::HeaderMap::new();
    h.insert("x-amzn-RateLimit-Limit", "0.0056".parse().unwrap());
    let r = headroom(&h).unwrap();
    assert_eq!((r.limit, r.remaining), (0.0056, 0.0056));
}
