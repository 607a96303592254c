use std::collections::HashMap;
use std::str::FromStr;

use chrono::{TimeZone, Utc};
use reqwest::header::{HeaderMap, HeaderValue};
use reqwest::Url;

use super::client::{link_rel, next_url};
use super::map::{decode_entities, split_array, unit_price};
use super::*;
use crate::channels::{Channel, ChannelConfig, ChannelSettings, Mapped};
use crate::model::{ChannelKind, FinancialStatus, Money};

const EXAMPLE: &str = include_str!("../../../tests/fixtures/channels/woocommerce_orders.json");

fn ctx(map: &[(&str, &str)]) -> MapContext {
    MapContext {
        channel_id: "woo-pl".into(),
        sku_map: map
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect::<HashMap<_, _>>(),
    }
}

fn m(s: &str) -> Money {
    Money::from_str(s).unwrap()
}

fn saved(map: &[(&str, &str)]) -> Vec<Mapped> {
    map_saved(
        &[("orders.json".into(), EXAMPLE.as_bytes().to_vec())],
        &ctx(map),
    )
    .unwrap()
}

fn order(item: &Mapped) -> &ChannelOrder {
    match item {
        Mapped::Order { order, .. } => order,
        Mapped::Unmappable { reason, .. } => panic!("unmappable: {reason}"),
    }
}

#[test]
fn order_10452_lines_without_sku_are_unmappable_naming_the_lines() {
    let items = saved(&[]);
    assert_eq!(items.len(), 2);
    let Mapped::Unmappable {
        raw,
        reason,
        external_id,
        updated_at,
    } = &items[0]
    else {
        panic!("10452 has lines without SKU")
    };
    assert_eq!(external_id.as_deref(), Some("10452"));
    assert_eq!(
        *updated_at,
        Some(Utc.with_ymd_and_hms(2025, 3, 2, 17, 49, 31).unwrap())
    );
    // Line 1 has a SKU; lines 2 (sku "") and 3 (sku null, deleted product) are named.
    assert!(!reason.contains("line 1"), "{reason}");
    assert!(
        reason.contains("line 2 (item 3302")
            && reason.contains("sku \"\"")
            && reason.contains("377"),
        "{reason}"
    );
    assert!(
        reason.contains("line 3 (item 3303")
            && reason.contains("sku null")
            && reason.contains("2988"),
        "{reason}"
    );
    // The raw payload is the element exactly as sent, entities and float price included.
    assert!(raw.starts_with('{') && raw.ends_with('}'));
    assert!(raw.contains("Czapka merino &ndash; Szary"));
    assert!(raw.contains("14.309999999999999"));
    assert!(EXAMPLE.contains(raw.as_str()));
}

#[test]
fn order_10452_maps_every_field_once_the_sku_map_covers_its_products() {
    let items = saved(&[("377", "PINS-ENAMEL-10"), ("2988", "POSTCARD-VINT")]);
    let o = order(&items[0]);
    assert_eq!(o.channel, "woo-pl");
    assert_eq!(o.external_id, "10452");
    assert_eq!(o.number, "10452");
    assert_eq!(
        o.created_at,
        Utc.with_ymd_and_hms(2025, 3, 2, 17, 47, 5).unwrap()
    );
    assert_eq!(
        o.updated_at,
        Utc.with_ymd_and_hms(2025, 3, 2, 17, 49, 31).unwrap()
    );
    assert!(!o.cancelled);
    assert_eq!(o.financial_status, FinancialStatus::Paid);
    assert_eq!(o.currency, "PLN");
    assert_eq!(o.customer.name.as_deref(), Some("Łukasz Wiśniewski"));
    assert_eq!(o.customer.email.as_deref(), Some("lukasz.w@example.pl"));
    assert_eq!(o.customer.phone.as_deref(), Some("+48 512 345 678"));
    let a = o.ship_to.as_ref().unwrap();
    assert_eq!(a.name.as_deref(), Some("Łukasz Wiśniewski"));
    assert_eq!(a.line1, "ul. Świętego Filipa 17");
    assert_eq!(a.line2.as_deref(), Some("m. 4"));
    assert_eq!(a.city, "Kraków");
    assert_eq!(a.region, None);
    assert_eq!(a.postal_code, "31-150");
    assert_eq!(a.country, "PL");
    assert_eq!((a.lat, a.lon), (None, None));
    assert_eq!(o.ship_method, "standard");
    assert_eq!(o.pickup_location, None);
    assert_eq!(o.lines.len(), 3);
    let l = &o.lines;
    assert_eq!((l[0].line, l[0].sku.as_str()), (1, "BEANIE-MER-GRY"));
    // Entities decoded for display.
    assert_eq!(l[0].title.as_deref(), Some("Czapka merino – Szary"));
    assert_eq!((l[0].quantity, l[0].unit_price), (1, m("24.39")));
    assert_eq!(l[0].channel_line_id.as_deref(), Some("3301"));
    // The float price 14.309999999999999 is ignored: 143.10 / 10 exactly.
    assert_eq!((l[1].line, l[1].sku.as_str()), (2, "PINS-ENAMEL-10"));
    assert_eq!(l[1].quantity, 10);
    assert_eq!(l[1].unit_price, m("14.31"));
    assert_eq!(l[1].unit_price.to_string(), "14.31");
    assert_eq!(l[1].channel_line_id.as_deref(), Some("3302"));
    // 8.13 / 2 = 4.065 kept exact (2 dp would break the line total by a cent).
    assert_eq!((l[2].line, l[2].sku.as_str()), (3, "POSTCARD-VINT"));
    assert_eq!((l[2].quantity, l[2].unit_price), (2, m("4.065")));
    assert_eq!(l[2].unit_price * Money::from(2), m("8.13"));
    assert_eq!(l[2].title.as_deref(), Some("Pocztówka vintage (wycofana)"));
    assert_eq!(o.totals.subtotal, m("175.62"));
    assert_eq!(o.totals.shipping, m("12.19"));
    assert_eq!(o.totals.tax, m("43.20"));
    assert_eq!(o.totals.discount, m("0.00"));
    assert_eq!(o.totals.total, m("231.01"));
    assert_eq!(
        o.totals.subtotal - o.totals.discount + o.totals.shipping + o.totals.tax,
        o.totals.total
    );
    assert_eq!(o.tags, ["woo:processing"]);
    assert!(o.problems().is_empty(), "{:?}", o.problems());
}

#[test]
fn variation_id_is_looked_up_before_product_id() {
    let raw = EXAMPLE.replace("\"sku\": \"BEANIE-MER-GRY\"", "\"sku\": \"\"");
    let files = [("x.json".to_string(), raw.into_bytes())];
    let c = ctx(&[
        ("318", "BY-VARIATION"),
        ("311", "BY-PRODUCT"),
        ("377", "P"),
        ("2988", "Q"),
    ]);
    let items = map_saved(&files, &c).unwrap();
    assert_eq!(order(&items[0]).lines[0].sku, "BY-VARIATION");
}

#[test]
fn order_10433_refunded_guest_is_cancelled_and_refunded() {
    let items = saved(&[]);
    let Mapped::Order { order: o, raw } = &items[1] else {
        panic!("10433 maps")
    };
    assert!(raw.contains("\"id\": 10433") && raw.contains("Klient anulował"));
    assert_eq!(o.external_id, "10433");
    assert_eq!(o.number, "10433");
    assert_eq!(
        o.created_at,
        Utc.with_ymd_and_hms(2025, 2, 27, 8, 3, 44).unwrap()
    );
    assert_eq!(
        o.updated_at,
        Utc.with_ymd_and_hms(2025, 3, 1, 10, 20, 6).unwrap()
    );
    assert!(o.cancelled);
    assert_eq!(o.financial_status, FinancialStatus::Refunded);
    // Guest (customer_id 0): the customer is who the billing address names.
    assert_eq!(o.customer.name.as_deref(), Some("Zoë O’Connor-Ångström"));
    assert_eq!(o.customer.email.as_deref(), Some("zoe.oconnor@example.com"));
    assert_eq!(o.customer.phone, None);
    let a = o.ship_to.as_ref().unwrap();
    assert_eq!(a.name.as_deref(), Some("Zoë O’Connor-Ångström"));
    assert_eq!((a.line1.as_str(), a.line2.as_deref()), ("Długa 5", None));
    assert_eq!(
        (a.city.as_str(), a.postal_code.as_str()),
        ("Gdańsk", "80-827")
    );
    assert_eq!(a.country, "PL");
    assert_eq!(o.lines.len(), 1);
    let l = &o.lines[0];
    assert_eq!(l.sku, "TOTE-KRK");
    assert_eq!(l.title.as_deref(), Some("Torba „Kraków” — len"));
    assert_eq!((l.quantity, l.unit_price), (2, m("21.14")));
    assert_eq!(l.channel_line_id.as_deref(), Some("3240"));
    assert_eq!(o.totals.subtotal, m("42.28"));
    assert_eq!(o.totals.shipping, m("10.41"));
    assert_eq!(o.totals.tax, m("12.11"));
    assert_eq!(o.totals.total, m("64.80"));
    assert_eq!(o.tags, ["woo:refunded", "refund:10461:-64.80"]);
}

fn with_status(status: &str, refunds: &str) -> ChannelOrder {
    let mut v: serde_json::Value = serde_json::from_str(EXAMPLE).unwrap();
    let o = &mut v[1];
    o["status"] = status.into();
    o["refunds"] = serde_json::from_str(refunds).unwrap();
    map_stored(FORMAT, &o.to_string(), &ctx(&[])).unwrap()
}

#[test]
fn statuses_map_to_payment_and_cancellation() {
    use FinancialStatus::*;
    let cases = [
        ("pending", "[]", false, Pending),
        ("on-hold", "[]", false, Pending),
        ("processing", "[]", false, Paid),
        ("completed", "[]", false, Paid),
        ("cancelled", "[]", true, Voided),
        ("failed", "[]", true, Voided),
        ("trash", "[]", true, Voided),
        ("refunded", "[]", true, Refunded),
        ("checkout-draft", "[]", false, Pending),
        // Partial refund, status stays open: not a cancellation (edge case 4).
        (
            "processing",
            r#"[{"id":1,"reason":"","total":"-10.00"}]"#,
            false,
            PartiallyRefunded,
        ),
        (
            "completed",
            r#"[{"id":1,"reason":"","total":"-10.00"}]"#,
            false,
            PartiallyRefunded,
        ),
        (
            "completed",
            r#"[{"id":1,"reason":"","total":"-64.80"}]"#,
            false,
            Refunded,
        ),
        (
            "cancelled",
            r#"[{"id":1,"reason":"","total":"-64.80"}]"#,
            true,
            Refunded,
        ),
    ];
    for (status, refunds, cancelled, fin) in cases {
        let o = with_status(status, refunds);
        assert_eq!(
            (o.cancelled, o.financial_status),
            (cancelled, fin),
            "{status} {refunds}"
        );
        assert_eq!(o.tags[0], format!("woo:{status}"));
    }
}

/// The quantity of 10433's only line, with what follows it (unique in the example).
const TOTE_QTY: &str =
    "\"quantity\": 2,\n        \"tax_class\": \"\",\n        \"subtotal\": \"42.28\"";

#[test]
fn fractional_negative_and_zero_quantities_are_unmappable() {
    assert!(EXAMPLE.contains(TOTE_QTY));
    for (q, want) in [
        ("1.52", "not a whole number"),
        ("-1", "not positive"),
        ("0", "not positive"),
    ] {
        let raw = EXAMPLE.replace(TOTE_QTY, &TOTE_QTY.replace(": 2,", &format!(": {q},")));
        let items = map_saved(&[("f".into(), raw.into_bytes())], &ctx(&[])).unwrap();
        let Mapped::Unmappable { reason, .. } = &items[1] else {
            panic!("quantity {q} must not map")
        };
        assert!(
            reason.contains("line 1") && reason.contains(want),
            "{reason}"
        );
    }
    // A whole number written as 2.0 is still 2.
    let raw = EXAMPLE.replace(TOTE_QTY, &TOTE_QTY.replace(": 2,", ": 2.0,"));
    let items = map_saved(&[("f".into(), raw.into_bytes())], &ctx(&[])).unwrap();
    assert_eq!(order(&items[1]).lines[0].quantity, 2);
}

#[test]
fn shipping_falls_back_to_billing_and_pickup_is_recognised() {
    let mut v: serde_json::Value = serde_json::from_str(EXAMPLE).unwrap();
    let o = &mut v[1];
    for k in [
        "first_name",
        "last_name",
        "company",
        "address_1",
        "city",
        "postcode",
        "country",
    ] {
        o["shipping"][k] = "".into();
    }
    o["billing"]["city"] = "Sopot".into();
    o["shipping_lines"][0]["method_id"] = "local_pickup".into();
    let order = map_stored(FORMAT, &o.to_string(), &ctx(&[])).unwrap();
    assert_eq!(order.ship_to.unwrap().city, "Sopot");
    assert_eq!(order.ship_method, "pickup");
}

#[test]
fn bad_shapes_are_unmappable_with_what_could_be_read() {
    let files = [(
        "f".to_string(),
        br#"[{"id": 7, "date_modified_gmt": "2025-01-02T03:04:05", "total": {"x":1}}, 42]"#
            .to_vec(),
    )];
    let items = map_saved(&files, &ctx(&[])).unwrap();
    assert_eq!(items.len(), 2);
    let Mapped::Unmappable {
        external_id,
        updated_at,
        reason,
        raw,
    } = &items[0]
    else {
        panic!()
    };
    assert_eq!(external_id.as_deref(), Some("7"));
    assert_eq!(
        *updated_at,
        Some(Utc.with_ymd_and_hms(2025, 1, 2, 3, 4, 5).unwrap())
    );
    assert!(reason.contains("not a WooCommerce order"), "{reason}");
    assert!(raw.starts_with("{\"id\": 7"));
    let Mapped::Unmappable { raw, .. } = &items[1] else {
        panic!()
    };
    assert_eq!(raw, "42");
}

#[test]
fn saved_files_that_are_not_arrays_are_refused_naming_the_file() {
    let e = map_saved(&[("a.json".into(), b"{\"orders\":[]}".to_vec())], &ctx(&[])).unwrap_err();
    assert!(e.starts_with("a.json: ") && e.contains("JSON array"), "{e}");
    let e = map_saved(&[("b.json".into(), b"<html>".to_vec())], &ctx(&[])).unwrap_err();
    assert!(e.starts_with("b.json: "), "{e}");
    assert!(map_saved(&[("c.json".into(), b" [] ".to_vec())], &ctx(&[]))
        .unwrap()
        .is_empty());
}

#[test]
fn map_stored_knows_its_format_only() {
    assert!(FORMATS.contains(&FORMAT));
    assert!(map_stored("shopify-rest-order", "{}", &ctx(&[])).is_err());
    let v: serde_json::Value = serde_json::from_str(EXAMPLE).unwrap();
    let o = map_stored(FORMAT, &v[1].to_string(), &ctx(&[])).unwrap();
    assert_eq!(o.external_id, "10433");
    let e = map_stored(FORMAT, &v[0].to_string(), &ctx(&[])).unwrap_err();
    assert!(e.contains("line 2") && e.contains("line 3"), "{e}");
    assert!(map_stored(FORMAT, "[1", &ctx(&[])).is_err());
}

#[test]
fn unit_price_is_decimal_division() {
    assert_eq!(unit_price(m("143.10"), 10), m("14.31"));
    assert_eq!(unit_price(m("8.13"), 2), m("4.065"));
    assert_eq!(unit_price(m("10.00"), 3), m("3.333333"));
    assert_eq!(
        (unit_price(m("10.00"), 3) * Money::from(3)).round_dp(2),
        m("10.00")
    );
    assert_eq!(unit_price(m("0.00"), 4), m("0"));
}

#[test]
fn entities_are_decoded_for_display() {
    assert_eq!(decode_entities("A &ndash; B &times; 2"), "A – B × 2");
    assert_eq!(
        decode_entities("Fish &amp; Chips &#8211; &#x2013;"),
        "Fish & Chips – –"
    );
    assert_eq!(decode_entities("R&D & co &bogus; &"), "R&D & co &bogus; &");
    assert_eq!(decode_entities("Zażółć 🙏"), "Zażółć 🙏");
}

#[test]
fn arrays_split_into_elements_as_sent() {
    let text = r#" [ {"a":"x,]}\"{"} , [1,[2]] ,"s" ] "#;
    assert_eq!(
        split_array(text).unwrap(),
        [r#"{"a":"x,]}\"{"}"#, "[1,[2]]", "\"s\""]
    );
    assert_eq!(split_array("[]").unwrap(), Vec::<&str>::new());
    assert!(split_array("{}").is_none());
}

#[test]
fn webhook_signatures_verify_and_the_secret_is_entity_decoded() {
    let body = br#"{"id":10452,"status":"processing"}"#;
    let sig = sign_webhook(b"s3cr&t", body);
    assert!(verify_webhook(b"s3cr&t", body, &sig));
    assert!(verify_webhook(b"s3cr&t", body, &format!(" {sig}\n")));
    assert!(!verify_webhook(b"s3cr&t", b"{\"id\":10452}", &sig));
    assert!(!verify_webhook(b"other", body, &sig));
    assert!(!verify_webhook(b"s3cr&t", body, "not base64!"));
    assert!(!verify_webhook(b"s3cr&t", body, ""));
    // WooCommerce keys the HMAC with wp_specialchars_decode(secret, ENT_QUOTES).
    assert!(verify_webhook(b"s3cr&amp;t", body, &sig));
    let plain = sign_webhook(b"a<b>\"c'&", body);
    assert!(verify_webhook(
        b"a&lt;b&gt;&quot;c&#039;&amp;",
        body,
        &plain
    ));
    assert!(verify_webhook(
        b"a&#60;b&#62;&#34;c&#x27;&#038;",
        body,
        &plain
    ));
    // Other entities are not decoded.
    assert_ne!(
        sign_webhook(b"&ndash;", body),
        sign_webhook("–".as_bytes(), body)
    );
    // Known vector: base64(HMAC-SHA256("key", "The quick brown fox jumps over the lazy dog")).
    assert_eq!(
        sign_webhook(b"key", b"The quick brown fox jumps over the lazy dog"),
        "97yD9DBThCSxMpjmqm+xQ+9NWaFJRhdZl0edvC0aPNg="
    );
}

#[test]
fn ping_is_recognised() {
    assert!(is_ping(
        "application/x-www-form-urlencoded",
        b"webhook_id=17"
    ));
    assert!(is_ping("", b"webhook_id=17\n"));
    assert!(!is_ping("application/json", b"webhook_id=17"));
    assert!(!is_ping(
        "application/x-www-form-urlencoded",
        b"webhook_id="
    ));
    assert!(!is_ping(
        "application/x-www-form-urlencoded",
        b"webhook_id=1&x=2"
    ));
    assert!(!is_ping("application/json", br#"{"id":1}"#));
}

#[test]
fn webhook_bodies_map_like_list_elements() {
    let v: serde_json::Value = serde_json::from_str(EXAMPLE).unwrap();
    let body = serde_json::to_vec(&v[1]).unwrap();
    let Mapped::Order { order, raw } = map_webhook(&body, &ctx(&[])) else {
        panic!()
    };
    assert_eq!(order.external_id, "10433");
    assert_eq!(raw.as_bytes(), &body[..]);
    let Mapped::Unmappable { reason, .. } = map_webhook(b"{\"id\":", &ctx(&[])) else {
        panic!()
    };
    assert!(reason.contains("not JSON"));
    assert_eq!(deleted_id(br#"{"id":123}"#).as_deref(), Some("123"));
    assert_eq!(deleted_id(&body), None);
}

#[test]
fn link_headers_and_total_pages_give_the_next_page() {
    let v = r#"<https://s.example/wp-json/wc/v3/orders?page=1>; rel="prev", <https://s.example/wp-json/wc/v3/orders?page=3>; rel="next""#;
    assert_eq!(
        link_rel(v, "next").as_deref(),
        Some("https://s.example/wp-json/wc/v3/orders?page=3")
    );
    assert_eq!(
        link_rel(v, "prev").as_deref(),
        Some("https://s.example/wp-json/wc/v3/orders?page=1")
    );
    assert_eq!(link_rel(v, "last"), None);
    let current = Url::parse("https://s.example/wp-json/wc/v3/orders?per_page=100&page=2").unwrap();
    let mut h = HeaderMap::new();
    h.insert("x-wp-totalpages", HeaderValue::from_static("3"));
    assert_eq!(
        next_url(&h, &current).unwrap().as_str(),
        "https://s.example/wp-json/wc/v3/orders?per_page=100&page=3"
    );
    h.insert("x-wp-totalpages", HeaderValue::from_static("2"));
    assert_eq!(next_url(&h, &current), None);
    let mut h = HeaderMap::new();
    h.insert("link", HeaderValue::from_str(v).unwrap());
    assert_eq!(next_url(&h, &current).unwrap().query(), Some("page=3"));
    // WordPress's own site URL on another origin: the same page on ours instead.
    let foreign = r#"<https://www.s.example/wp-json/wc/v3/orders?page=3&per_page=100>; rel="next""#;
    h.insert("link", HeaderValue::from_str(foreign).unwrap());
    assert_eq!(
        next_url(&h, &current).unwrap().as_str(),
        "https://s.example/wp-json/wc/v3/orders?per_page=100&page=3"
    );
}

fn config(base: &str, page_size: Option<u32>) -> ChannelConfig {
    ChannelConfig {
        id: "woo".into(),
        kind: ChannelKind::Woocommerce,
        base_url: base.into(),
        enabled: true,
        poll_interval_secs: 60,
        overlap_secs: 300,
        page_size,
        sku_map: Default::default(),
        buffers: Vec::new(),
        settings: ChannelSettings::Woocommerce {
            consumer_key_env: "WOO_CK".into(),
            consumer_secret_env: "WOO_CS".into(),
            webhook_secret_env: None,
            shipment_tracking: false,
        },
    }
}

fn env(var: &str) -> Option<String> {
    match var {
        "WOO_CK" => Some("ck_123".into()),
        "WOO_CS" => Some("cs_secret_456".into()),
        _ => None,
    }
}

#[test]
fn the_first_page_asks_for_gmt_modified_ascending() {
    let ch = WooChannel::new(&config("https://shop.example/sklep", Some(500)), &env).unwrap();
    let url = ch.first_page_url(Utc.with_ymd_and_hms(2025, 3, 2, 17, 0, 0).unwrap());
    assert_eq!(
        url.as_str(),
        "https://shop.example/sklep/wp-json/wc/v3/orders?modified_after=2025-03-02T17%3A00%3A00\
         &dates_are_gmt=true&orderby=modified&order=asc&per_page=100&page=1"
    );
    let dbg = format!("{ch:?}");
    assert!(
        !dbg.contains("cs_secret_456") && !dbg.contains("ck_123"),
        "{dbg}"
    );
    let ch = WooChannel::new(
        &config("https://shop.example/wp-json/wc/v3/", Some(25)),
        &env,
    )
    .unwrap();
    let url = ch.first_page_url(Utc.with_ymd_and_hms(2025, 3, 2, 17, 0, 0).unwrap());
    assert!(url
        .as_str()
        .starts_with("https://shop.example/wp-json/wc/v3/orders?"));
    assert!(url.as_str().contains("per_page=25"));
}

#[test]
fn construction_errors_name_the_key_not_the_value() {
    let e = WooChannel::new(&config("https://shop.example", None), &|_| None).unwrap_err();
    assert!(
        e.contains("consumer_key_env") && e.contains("WOO_CK"),
        "{e}"
    );
    let e = WooChannel::new(&config("ftp://shop.example", None), &env).unwrap_err();
    assert!(e.contains("base_url"), "{e}");
    let e = WooChannel::new(&config("https://ck:cs@shop.example", None), &env).unwrap_err();
    assert!(!e.contains("cs"), "{e}");
}

#[tokio::test]
async fn a_next_url_on_another_origin_is_refused() {
    let ch = WooChannel::new(&config("https://shop.example", None), &env).unwrap();
    for token in [
        "https://evil.example/wp-json/wc/v3/orders?page=2",
        "http://shop.example/wp-json/wc/v3/orders?page=2",
        "https://shop.example:8443/wp-json/wc/v3/orders?page=2",
        "not a url",
    ] {
        let e = ch
            .fetch_page(crate::channels::PageRequest::Next(token.into()))
            .await
            .unwrap_err();
        assert!(
            matches!(e, crate::channels::ChannelError::Rejected { .. }),
            "{token}: {e}"
        );
    }
}
