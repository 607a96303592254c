//! Units oversold, as the simulators report them over real HTTP (`GET /_sim/stats`): the three
//! shops of one world share the physical stock ordo was given; every unit any shop sells is
//! taken from it, and a unit sold after its SKU ran out is oversold, counted against the shop
//! that sold it (`stock.units_oversold`, per SKU in `stock.oversold`) and in the world's total
//! (`stock.world_units_oversold`). Sales are made the way a customer's order reaches each
//! simulated shop, `POST /_sim/orders`, each shop selling from its own (stale) figures.

#[path = "common/orders.rs"]
mod orders;

use reqwest::StatusCode;
use rust_decimal::Decimal;
use serde_json::Value;

use ordo::model::{ChannelKind, ChannelOrder};
use ordo::sim::world::{Limits, SimWorld};

fn order(kind: ChannelKind, id: &str, sku: &str, qty: u32) -> ChannelOrder {
    orders::sale(kind, id, sku, qty, Decimal::new(1999, 2))
}

/// A customer's order on a shop: true when the shop sold it, false when it refused it (409,
/// too little stock shown).
async fn sell(world: &SimWorld, kind: ChannelKind, id: &str, sku: &str, qty: u32) -> bool {
    let response = reqwest::Client::new()
        .post(format!("{}/_sim/orders", world.sim(kind).base_url()))
        .json(&order(kind, id, sku, qty))
        .send()
        .await
        .unwrap();
    match response.status() {
        StatusCode::CONFLICT => false,
        s if s.is_success() => true,
        s => panic!("{kind}: POST /_sim/orders answered {s}"),
    }
}

/// A shop's `stock` side of `GET /_sim/stats`.
async fn stock_stats(world: &SimWorld, kind: ChannelKind) -> Value {
    let stats: Value = reqwest::get(format!("{}/_sim/stats", world.sim(kind).base_url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    stats["stock"].clone()
}

fn shelves(world: &SimWorld, sku: &str, units: i64) {
    world.set_physical(sku, units);
    // Every shop opens showing the true figure, and nobody pushes afterwards: each keeps
    // selling from what it was shown.
    for sim in world.sims() {
        sim.shop.stock.set(sku, units);
    }
}

#[tokio::test]
async fn units_sold_past_the_physical_stock_are_oversold_by_the_shop_that_sold_them() {
    use ChannelKind::{Amazon, Shopify, Woocommerce};
    let world = SimWorld::start_with(0, Limits::Relaxed).await.unwrap();
    shelves(&world, "TEE-A", 3);
    shelves(&world, "MUG-B", 1);

    assert!(sell(&world, Shopify, "1001", "TEE-A", 2).await); // 1 left
    assert!(sell(&world, Woocommerce, "2001", "TEE-A", 2).await); // 1 covered, 1 oversold
    assert!(sell(&world, Amazon, "111-0000001-0000001", "TEE-A", 1).await); // oversold
    assert!(sell(&world, Amazon, "111-0000001-0000002", "MUG-B", 1).await); // the last one
    assert!(sell(&world, Shopify, "1002", "MUG-B", 1).await); // oversold
                                                              // WooCommerce shows 1 TEE-A now: it refuses 2, and a refused sale oversells nothing.
    assert!(!sell(&world, Woocommerce, "2002", "TEE-A", 2).await);
    // A new version of a known order (an edit) is not a second sale.
    assert!(sell(&world, Amazon, "111-0000001-0000001", "TEE-A", 1).await);
    // A SKU the world was given no units of is not counted: nothing is known of it.
    assert!(sell(&world, Shopify, "1003", "NOT-ON-THE-SHELVES", 5).await);

    let shopify = stock_stats(&world, Shopify).await;
    let woo = stock_stats(&world, Woocommerce).await;
    let amazon = stock_stats(&world, Amazon).await;
    assert_eq!(shopify["units_oversold"], 1, "{shopify}");
    assert_eq!(shopify["oversold"]["MUG-B"], 1, "{shopify}");
    assert_eq!(woo["units_oversold"], 1, "{woo}");
    assert_eq!(woo["oversold"]["TEE-A"], 1, "{woo}");
    assert_eq!(amazon["units_oversold"], 1, "{amazon}");
    assert_eq!(amazon["oversold"]["TEE-A"], 1, "{amazon}");
    for stats in [&shopify, &woo, &amazon] {
        assert_eq!(stats["world_units_oversold"], 3, "{stats}");
    }
    assert_eq!(world.units_oversold(), Some(3));
    assert_eq!(world.warehouse.left("TEE-A"), Some(-2));
    assert_eq!(world.warehouse.left("MUG-B"), Some(-1));
    // Units sold on Shopify, for comparison: 2 TEE-A, 1 MUG-B and the unknown SKU's 5.
    assert_eq!(shopify["units_sold"], 8, "{shopify}");
    world.shutdown().await;
}

#[tokio::test]
async fn a_delivery_puts_units_on_the_shelves_before_they_are_sold() {
    let world = SimWorld::start_with(0, Limits::Relaxed).await.unwrap();
    shelves(&world, "TEE-A", 0);
    for sim in world.sims() {
        sim.shop.stock.set("TEE-A", 5);
    }
    world.warehouse.receive("TEE-A", 2);
    assert!(sell(&world, ChannelKind::Woocommerce, "3001", "TEE-A", 3).await);
    let woo = stock_stats(&world, ChannelKind::Woocommerce).await;
    assert_eq!(woo["units_oversold"], 1, "2 of the 3 were there: {woo}");
    assert_eq!(woo["world_units_oversold"], 1, "{woo}");
    world.shutdown().await;
}

#[tokio::test]
async fn a_world_given_no_physical_stock_reports_no_oversold_figure() {
    let world = SimWorld::start_with(0, Limits::Relaxed).await.unwrap();
    assert!(
        sell(
            &world,
            ChannelKind::Amazon,
            "111-0000002-0000001",
            "TEE-A",
            1
        )
        .await
    );
    let amazon = stock_stats(&world, ChannelKind::Amazon).await;
    assert!(amazon["units_oversold"].is_null(), "{amazon}");
    assert!(amazon["world_units_oversold"].is_null(), "{amazon}");
    assert_eq!(world.units_oversold(), None);
    world.shutdown().await;
}
