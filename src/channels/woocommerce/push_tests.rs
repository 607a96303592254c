//! Stock and fulfillment pushes: batch bodies, per-item answers, the SKU lookup and its cache.

use std::sync::atomic::Ordering;

use chrono::{TimeZone, Utc};
use serde_json::json;

use super::fulfil::{already_noted, note_text};
use super::stock::{
    batch_body, batch_path, plan_batches, products_by_sku, read_batch_answer, verdict, Entry,
    ItemAnswer, ProductRef, SkuCache, Verdict, MAX_BATCH,
};
use super::WooChannel;
use crate::channels::{Channel, ChannelConfig, ChannelSettings, StockPush};
use crate::model::ChannelKind;
use crate::sim::channel::{SimServer, SimShop};
use crate::sim::woocommerce::{router, WooSimSettings};
use crate::sim::Catalog;

#[test]
fn batches_hold_at_most_100_and_variations_go_to_their_parent() {
    let mut resolved: Vec<(usize, ProductRef, i64)> = (0..150)
        .map(|i| (i, ProductRef::Product(1000 + i as u64), i as i64))
        .collect();
    resolved.push((150, ProductRef::Variation { parent: 7, id: 71 }, 3));
    resolved.push((151, ProductRef::Variation { parent: 7, id: 72 }, -2));
    resolved.push((152, ProductRef::Variation { parent: 9, id: 91 }, 1));
    let batches = plan_batches(&resolved, MAX_BATCH);
    let shape: Vec<(Option<u64>, usize)> = batches
        .iter()
        .map(|b| (b.parent, b.entries.len()))
        .collect();
    assert_eq!(
        shape,
        vec![(None, 100), (None, 50), (Some(7), 2), (Some(9), 1)]
    );
    assert_eq!(batches[0].entries[0].push, 0);
    assert_eq!(batches[1].entries[49].id, 1149);
    // A negative figure goes out as 0.
    assert_eq!(batches[2].entries[1].quantity, 0);
    assert_eq!(batch_path(None), "products/batch");
    assert_eq!(batch_path(Some(7)), "products/7/variations/batch");
}

#[test]
fn the_batch_body_is_woocommerces_update_list() {
    let body = batch_body(&[
        Entry {
            push: 0,
            id: 799,
            quantity: 3,
        },
        Entry {
            push: 1,
            id: 800,
            quantity: 0,
        },
    ]);
    assert_eq!(
        body,
        json!({"update": [
            {"id": 799, "manage_stock": true, "stock_quantity": 3},
            {"id": 800, "manage_stock": true, "stock_quantity": 0},
        ]})
    );
}

#[test]
fn per_item_answers_are_read_by_id_with_errors_in_place() {
    let answer = json!({"update": [
        {"id": 799, "sku": "TEE", "stock_quantity": 3, "manage_stock": true},
        {"id": 5, "error": {"code": "woocommerce_rest_product_invalid_id",
                            "message": "Invalid ID.", "data": {"status": 400}}},
        {"id": 6, "error": {"code": "woocommerce_product_invalid_sku",
                            "message": "Invalid or duplicated SKU.", "data": {"status": 400}}},
        {"id": "801", "sku": "MUG", "stock_quantity": null, "manage_stock": false},
        {"id": 802, "error": {"code": "db_error", "message": "gone away",
                              "data": {"status": 500}}},
    ]});
    let got = read_batch_answer(&answer).unwrap();
    assert_eq!(
        got[&799],
        ItemAnswer::Saved {
            sku: Some("TEE".into()),
            stock_quantity: Some(3)
        }
    );
    assert_eq!(verdict("TEE", 799, 3, got.get(&799)), Verdict::Confirmed);
    assert_eq!(verdict("GONE", 5, 1, got.get(&5)), Verdict::Stale);
    let Verdict::Refused(why) = verdict("DUP", 6, 1, got.get(&6)) else {
        panic!("refused for good")
    };
    assert!(why.contains("DUP") && why.contains("duplicated"), "{why}");
    // Saved, but stock management is off: the level did not take.
    let Verdict::Refused(why) = verdict("MUG", 801, 4, got.get(&801)) else {
        panic!("not taken")
    };
    assert!(why.contains("stock management"), "{why}");
    assert!(matches!(
        verdict("X", 802, 1, got.get(&802)),
        Verdict::Transient(_)
    ));
    assert!(matches!(verdict("X", 803, 1, None), Verdict::Transient(_)));
    // A product that now carries another SKU: the cached id is stale.
    assert_eq!(verdict("OLD", 799, 3, got.get(&799)), Verdict::Stale);
    assert!(read_batch_answer(&json!({"code": "x"})).is_err());
}

#[test]
fn lookups_find_products_and_variations_exactly_then_without_case() {
    let values = vec![
        json!({"id": 10, "sku": "TEE", "type": "simple", "parent_id": 0}),
        json!({"id": 31, "sku": "HOODIE-M", "type": "variation", "parent_id": 30}),
        json!({"id": 40, "sku": "mug", "type": "simple", "parent_id": 0}),
        json!({"id": 41, "sku": "Cap", "type": "simple"}),
        json!({"id": 42, "sku": "cap", "type": "simple"}),
    ];
    let got = products_by_sku(&values, &["TEE", "HOODIE-M", "MUG", "CAP", "cap", "NONE"]);
    assert_eq!(got["TEE"], ProductRef::Product(10));
    assert_eq!(
        got["HOODIE-M"],
        ProductRef::Variation { parent: 30, id: 31 }
    );
    assert_eq!(got["MUG"], ProductRef::Product(40));
    // Two products differ only by case: only the exact one is taken.
    assert!(!got.contains_key("CAP"));
    assert_eq!(got["cap"], ProductRef::Product(42));
    assert!(!got.contains_key("NONE"));
}

#[test]
fn the_cache_keeps_forgets_and_counts() {
    let cache = SkuCache::default();
    assert!(cache.is_empty());
    cache.insert("TEE", ProductRef::Product(1));
    assert_eq!(cache.get("TEE"), Some(ProductRef::Product(1)));
    cache.forget("TEE");
    assert_eq!(cache.get("TEE"), None);
    assert_eq!(cache.len(), 0);
}

#[test]
fn the_tracking_note_is_found_again_on_a_retry() {
    assert_eq!(
        note_text("DHL", "00340434"),
        "Shipped via DHL, tracking 00340434"
    );
    let notes = vec![
        json!({"id": 1, "note": "Order status changed from Processing to Completed."}),
        json!({"id": 2, "note": "Shipped via DHL, tracking 00340434", "customer_note": true}),
    ];
    assert!(already_noted(&notes, "DHL", "00340434"));
    assert!(!already_noted(&notes, "DHL", "00340435"));
    assert!(!already_noted(&notes, "UPS", ""));
}

fn channel(base: &str) -> WooChannel {
    let settings = WooSimSettings::default();
    let config = ChannelConfig {
        id: "woo".into(),
        kind: ChannelKind::Woocommerce,
        base_url: base.into(),
        enabled: true,
        poll_interval_secs: 60,
        overlap_secs: 300,
        page_size: None,
        sku_map: Default::default(),
        buffers: Vec::new(),
        settings: ChannelSettings::Woocommerce {
            consumer_key_env: "K".into(),
            consumer_secret_env: "S".into(),
            webhook_secret_env: None,
            shipment_tracking: false,
        },
    };
    let (k, s) = (settings.consumer_key, settings.consumer_secret);
    let env = move |v: &str| match v {
        "K" => Some(k.clone()),
        "S" => Some(s.clone()),
        _ => None,
    };
    WooChannel::new(&config, &env).unwrap()
}

#[tokio::test]
async fn skus_are_looked_up_once_then_served_from_the_cache() {
    let shop = SimShop::new(1);
    let server = SimServer::start(
        router(shop.clone(), WooSimSettings::default()),
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .unwrap();
    let ch = channel(&server.base_url());
    let at = Utc.with_ymd_and_hms(2025, 3, 1, 8, 0, 0).unwrap();
    let pushes: Vec<StockPush> = Catalog::demo()
        .items
        .iter()
        .take(50)
        .enumerate()
        .map(|(i, item)| StockPush {
            sku: item.sku.clone(),
            available: i as i64,
            intent_at: at,
        })
        .collect();
    let requests = || shop.faults.requests.load(Ordering::Relaxed);

    let got = ch.push_stock(&pushes).await.unwrap();
    assert!(got.iter().all(Result::is_ok), "{got:?}");
    // 50 SKUs: two lookups of at most 40, one batch.
    assert_eq!(requests(), 3);
    assert!(ch.cached_product(&pushes[0].sku).is_some());

    let got = ch.push_stock(&pushes).await.unwrap();
    assert!(got.iter().all(Result::is_ok), "{got:?}");
    assert_eq!(requests(), 4, "the second push only sends the batch");
    for p in &pushes {
        assert_eq!(shop.stock.level(&p.sku), Some(p.available));
    }
}

#[tokio::test]
async fn a_stale_cached_id_is_looked_up_again_in_the_same_call() {
    let shop = SimShop::new(1);
    let server = SimServer::start(
        router(shop.clone(), WooSimSettings::default()),
        "127.0.0.1:0".parse().unwrap(),
    )
    .await
    .unwrap();
    let ch = channel(&server.base_url());
    let sku = Catalog::demo().items[0].sku.clone();
    // The product was deleted and made again under another id since it was cached.
    ch.skus.insert(&sku, ProductRef::Product(1));
    let push = StockPush {
        sku: sku.clone(),
        available: 6,
        intent_at: Utc::now(),
    };
    let got = ch.push_stock(std::slice::from_ref(&push)).await.unwrap();
    assert_eq!(got, vec![Ok(())]);
    assert_eq!(shop.stock.level(&sku), Some(6));
    assert_ne!(ch.cached_product(&sku), Some(ProductRef::Product(1)));
    // batch (refused id), lookup, batch again.
    assert_eq!(shop.faults.requests.load(Ordering::Relaxed), 3);
}
