//! Products: the list (with WooCommerce's `sku` filter) and the batch endpoint that sets stock.
//!
//! - The shop's products are the SKUs of [`super::WooSimSettings::skus`] and of the orders in
//!   the book, each a simple product with id [`product_id`]`(sku)` (a SKU whose id another SKU
//!   already has, earlier in SKU order, is left out; the demo catalog has no such pair). There
//!   are no variable products or variations.
//! - `GET /products`: `sku` is a comma list of exact SKUs (the whole string counts too when it
//!   has commas), compared without case as MySQL does; `per_page` 1-100 (default 10, else 400
//!   `rest_invalid_param`), `page` from 1, ordered by id; `X-WP-Total` and `X-WP-TotalPages`;
//!   `[]` past the end. `stock_quantity` is the shop's level (`null` and `manage_stock: false`
//!   for a SKU whose level the shop was never told).
//! - `POST /products/batch` (`PUT`/`PATCH` too): more than 100 objects in `create` + `update` +
//!   `delete` is 413 `woocommerce_rest_request_entity_too_large`, as WooCommerce answers it.
//!   Each `update` object with an id of a product sets its level from `stock_quantity`
//!   ([`crate::sim::channel::SimStock::apply_push`], with the request's `X-Ordo-Intent-At`) and
//!   is answered with the saved product; an unknown id is answered in place with
//!   `{"id":…,"error":{"code":"woocommerce_rest_product_invalid_id","message":"Invalid ID.",
//!   "data":{"status":400}}}`. `create` and `delete` objects are answered with an error each
//!   (the simulator does not create or delete products).

use std::collections::BTreeMap;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use serde_json::{json, Value};

use super::render::{product_id, render_product};
use super::{json_answer, paging, param, read_request, woo_error, write_request, Params, Sim};
use crate::sim::channel::intent_at_ms;
use crate::sim::Catalog;

/// WooCommerce's default `woocommerce_rest_batch_items_limit`.
pub const BATCH_LIMIT: usize = 100;

/// The shop's products: id → (SKU, title).
fn products(sim: &Sim) -> BTreeMap<u64, (String, String)> {
    let catalog = Catalog::demo();
    let mut skus: BTreeMap<String, String> = BTreeMap::new();
    for sku in &sim.settings.skus {
        let title = catalog
            .item(sku)
            .map_or_else(|| sku.clone(), |i| i.title.clone());
        skus.insert(sku.clone(), title);
    }
    for o in sim.shop.book.lock().iter() {
        for l in &o.order.lines {
            if !l.sku.is_empty() && !skus.contains_key(&l.sku) {
                let title = l.title.clone().unwrap_or_else(|| l.sku.clone());
                skus.insert(l.sku.clone(), title);
            }
        }
    }
    let mut out = BTreeMap::new();
    for (sku, title) in skus {
        out.entry(product_id(&sku)).or_insert((sku, title));
    }
    out
}

pub(super) async fn list_products(
    State(sim): State<Sim>,
    headers: HeaderMap,
    Query(params): Query<Params>,
) -> Result<Response, Response> {
    let truncated = read_request(&sim, &headers, &params).await?;
    let (per_page, page) = paging(&params)?;
    let wanted: Option<Vec<String>> = param(&params, "sku").filter(|s| !s.is_empty()).map(|s| {
        let mut list: Vec<String> = s.split(',').map(|x| x.to_lowercase()).collect();
        if list.len() > 1 {
            list.push(s.to_lowercase());
        }
        list
    });
    let matching: Vec<(String, String)> = products(&sim)
        .into_values()
        .filter(|(sku, _)| {
            wanted
                .as_ref()
                .is_none_or(|w| w.contains(&sku.to_lowercase()))
        })
        .collect();
    let total = matching.len();
    let body: Vec<Value> = matching
        .iter()
        .skip((page - 1) * per_page)
        .take(per_page)
        .map(|(sku, title)| render_product(sku, title, sim.shop.stock.level(sku), &sim.settings))
        .collect();
    let mut r = json_answer(StatusCode::OK, &Value::Array(body), truncated);
    let h = r.headers_mut();
    h.insert("x-wp-total", HeaderValue::from(total as u64));
    h.insert(
        "x-wp-totalpages",
        HeaderValue::from(total.div_ceil(per_page) as u64),
    );
    Ok(r)
}

fn item_error(id: &Value, code: &str, message: &str, status: u16) -> Value {
    json!({
        "id": id,
        "error": { "code": code, "message": message, "data": { "status": status } },
    })
}

/// A JSON number or numeric string as an integer (WooCommerce's `wc_stock_amount`).
fn amount(v: &Value) -> Option<i64> {
    v.as_i64()
        .or_else(|| v.as_f64().map(|f| f.floor() as i64))
        .or_else(|| {
            v.as_str()
                .and_then(|s| s.trim().parse::<f64>().ok().map(|f| f.floor() as i64))
        })
}

pub(super) async fn batch(
    State(sim): State<Sim>,
    headers: HeaderMap,
    Query(params): Query<Params>,
    body: axum::body::Bytes,
) -> Result<Response, Response> {
    let (truncated, request) = write_request::<Value>(
        &sim,
        &headers,
        &params,
        &body,
        (
            "woocommerce_rest_cannot_batch",
            "Sorry, you are not allowed to batch manipulate this resource.",
        ),
    )
    .await?;
    let list = |key: &str| -> Vec<Value> {
        request
            .get(key)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default()
    };
    let (create, update, delete) = (list("create"), list("update"), list("delete"));
    if create.len() + update.len() + delete.len() > BATCH_LIMIT {
        return Err(woo_error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "woocommerce_rest_request_entity_too_large",
            &format!("Unable to accept more than {BATCH_LIMIT} items for this request."),
            Value::Null,
        ));
    }
    let intent = intent_at_ms(&headers);
    let products = products(&sim);
    let mut out = serde_json::Map::new();
    if request.get("create").is_some() {
        let answers = create
            .iter()
            .map(|_| {
                item_error(
                    &json!(0),
                    "woocommerce_rest_cannot_create",
                    "The simulator does not create products.",
                    400,
                )
            })
            .collect();
        out.insert("create".into(), Value::Array(answers));
    }
    if request.get("update").is_some() {
        let answers = update
            .iter()
            .map(|item| {
                let raw_id = item.get("id").cloned().unwrap_or(json!(0));
                let product = amount(&raw_id)
                    .and_then(|id| u64::try_from(id).ok())
                    .and_then(|id| products.get(&id));
                let Some((sku, title)) = product else {
                    return item_error(
                        &raw_id,
                        "woocommerce_rest_product_invalid_id",
                        "Invalid ID.",
                        400,
                    );
                };
                let manage = item.get("manage_stock").and_then(Value::as_bool);
                if let Some(q) = item.get("stock_quantity").and_then(amount) {
                    if manage != Some(false) {
                        sim.shop.stock.apply_push(sku, q, intent);
                    }
                }
                render_product(sku, title, sim.shop.stock.level(sku), &sim.settings)
            })
            .collect();
        out.insert("update".into(), Value::Array(answers));
    }
    if request.get("delete").is_some() {
        let answers = delete
            .iter()
            .map(|id| {
                item_error(
                    id,
                    "woocommerce_rest_cannot_delete",
                    "The simulator does not delete products.",
                    400,
                )
            })
            .collect();
        out.insert("delete".into(), Value::Array(answers));
    }
    Ok(json_answer(StatusCode::OK, &Value::Object(out), truncated))
}
