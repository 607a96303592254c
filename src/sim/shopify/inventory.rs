//! Spec §1.6: the shop's variants (`GET products.json`, paged by `Link` like orders), its
//! location (`GET locations.json`) and `POST inventory_levels/set.json`, whose level goes into
//! `shop.stock` as a push from ordo.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::Response;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use chrono::{SecondsFormat, Utc};
use serde_json::{json, Value};

use super::render::{inventory_item_id, product_id, variant_id};
use super::{bad_request, json_response, unprocessable, Sim, BAD_CURSOR_BODY};
use crate::sim::channel::intent_at_ms;

/// One SKU as the shop lists it.
#[derive(Debug, Clone)]
pub(super) struct SimVariant {
    pub sku: String,
    pub id: u64,
    pub inventory_item_id: u64,
}

/// The shop's products: variants grouped by [`product_id`], in id order.
#[derive(Debug, Default)]
pub(super) struct SimCatalog {
    products: BTreeMap<u64, Vec<SimVariant>>,
    /// inventory_item_id → SKU.
    by_item: HashMap<u64, String>,
}

impl SimCatalog {
    pub fn new(skus: &[String]) -> SimCatalog {
        let mut catalog = SimCatalog::default();
        for sku in skus {
            let sku = sku.trim();
            let item = inventory_item_id(sku);
            if sku.is_empty() || catalog.by_item.contains_key(&item) {
                continue;
            }
            catalog.by_item.insert(item, sku.to_string());
            catalog
                .products
                .entry(product_id(sku))
                .or_default()
                .push(SimVariant {
                    sku: sku.to_string(),
                    id: variant_id(sku),
                    inventory_item_id: item,
                });
        }
        for variants in catalog.products.values_mut() {
            variants.sort_by(|a, b| a.sku.cmp(&b.sku));
        }
        catalog
    }

    /// The SKU whose stock an inventory item is.
    pub fn sku_of(&self, inventory_item_id: u64) -> Option<&str> {
        self.by_item.get(&inventory_item_id).map(String::as_str)
    }
}

fn render_product(sim: &Sim, id: u64, variants: &[SimVariant]) -> Value {
    let title = variants
        .first()
        .map(|v| v.sku.rsplit_once('-').map_or(v.sku.as_str(), |(p, _)| p))
        .unwrap_or("Product")
        .to_string();
    let variants: Vec<Value> = variants
        .iter()
        .enumerate()
        .map(|(i, v)| {
            json!({
                "id": v.id,
                "product_id": id,
                "title": v.sku.rsplit_once('-').map_or("Default Title", |(_, s)| s),
                "sku": v.sku,
                "position": i + 1,
                "inventory_item_id": v.inventory_item_id,
                "inventory_management": "shopify",
                "inventory_policy": "deny",
                // A SKU the shop was never given a level for shows 0, as Shopify does.
                "inventory_quantity": sim.shop.stock.level(&v.sku).unwrap_or(0),
                "admin_graphql_api_id": format!("gid://shopify/ProductVariant/{}", v.id),
            })
        })
        .collect();
    json!({
        "id": id,
        "title": title,
        "handle": title.to_ascii_lowercase(),
        "status": "active",
        "vendor": "ordo demo",
        "variants": variants,
        "admin_graphql_api_id": format!("gid://shopify/Product/{id}"),
    })
}

/// `GET products.json?limit=..[&fields=..]`, then the `Link` header's `page_info` URLs, which
/// take only `limit` and `fields` next to them.
pub(super) async fn products(
    State(sim): State<Arc<Sim>>,
    Path(version): Path<String>,
    headers: HeaderMap,
    Query(query): Query<Vec<(String, String)>>,
) -> Response {
    let admitted = match sim.gate(&version, &headers).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let param = |name: &str| {
        query
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let limit = match param("limit") {
        None => 50,
        Some(l) => match l.trim().parse::<usize>() {
            Ok(n @ 1..=250) => n,
            _ => {
                let r = bad_request("limit", "must be between 1 and 250");
                return sim.stamp(&version, &admitted, r);
            }
        },
    };
    let after = match param("page_info") {
        None => 0,
        Some(page_info) => {
            if let Some((other, _)) = query
                .iter()
                .find(|(k, _)| !matches!(k.as_str(), "page_info" | "limit" | "fields"))
            {
                let r = bad_request(
                    "page_info",
                    &format!("{other} cannot be passed when page_info is present"),
                );
                return sim.stamp(&version, &admitted, r);
            }
            match decode_cursor(page_info) {
                Some(after) => after,
                None => {
                    let r = json_response(StatusCode::BAD_REQUEST, BAD_CURSOR_BODY);
                    return sim.stamp(&version, &admitted, r);
                }
            }
        }
    };
    let fields: Option<Vec<&str>> = param("fields").map(|f| f.split(',').map(str::trim).collect());
    let page: Vec<(&u64, &Vec<SimVariant>)> = sim
        .catalog
        .products
        .range(after.saturating_add(1)..)
        .take(limit)
        .collect();
    let more = page
        .last()
        .is_some_and(|(last, _)| sim.catalog.products.range(**last + 1..).next().is_some());
    let products: Vec<Value> = page
        .iter()
        .map(|(id, variants)| {
            let mut v = render_product(&sim, **id, variants);
            if let (Some(fields), Value::Object(map)) = (&fields, &mut v) {
                map.retain(|k, _| fields.contains(&k.as_str()));
            }
            v
        })
        .collect();
    let body = json!({ "products": products }).to_string();
    let mut r = sim.reply(&version, &admitted, StatusCode::OK, body);
    if let (true, Some((last, _))) = (more, page.last()) {
        let host = headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("127.0.0.1");
        let fields_param = param("fields")
            .map(|f| format!("&fields={}", f.replace(',', "%2C")))
            .unwrap_or_default();
        let link = format!(
            "<http://{host}/admin/api/{version}/products.json?limit={limit}{fields_param}&page_info={}>; rel=\"next\"",
            URL_SAFE_NO_PAD.encode(format!("after:{last}"))
        );
        if let Ok(v) = link.parse() {
            r.headers_mut().insert(header::LINK, v);
        }
    }
    r
}

fn decode_cursor(text: &str) -> Option<u64> {
    let raw = URL_SAFE_NO_PAD.decode(text).ok()?;
    String::from_utf8(raw)
        .ok()?
        .strip_prefix("after:")?
        .parse()
        .ok()
}

/// `GET locations.json`: the shop's one active location.
pub(super) async fn locations(
    State(sim): State<Arc<Sim>>,
    Path(version): Path<String>,
    headers: HeaderMap,
) -> Response {
    let admitted = match sim.gate(&version, &headers).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let id = sim.settings.location_id;
    let body = json!({ "locations": [{
        "id": id,
        "name": "Main warehouse",
        "address1": "1 Simulation Way",
        "city": "Springfield",
        "country_code": "US",
        "active": true,
        "legacy": false,
        "admin_graphql_api_id": format!("gid://shopify/Location/{id}"),
    }]})
    .to_string();
    sim.reply(&version, &admitted, StatusCode::OK, body)
}

/// Shopify's 400 for a missing or mistyped parameter.
fn missing(field: &str) -> Response {
    json_response(
        StatusCode::BAD_REQUEST,
        json!({ "errors": { field: "Required parameter missing or invalid" } }).to_string(),
    )
}

/// `POST inventory_levels/set.json` with `{"location_id","inventory_item_id","available"}`
/// (no wrapper): the SKU's level in `shop.stock` becomes `available`, counted as a push with
/// its latency from `X-Ordo-Intent-At`.
pub(super) async fn set_level(
    State(sim): State<Arc<Sim>>,
    Path(version): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let admitted = match sim.gate(&version, &headers).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let refused = |r: Response| sim.stamp(&version, &admitted, r);
    let Ok(Value::Object(body)) = serde_json::from_slice::<Value>(&body) else {
        return refused(missing("inventory_item_id"));
    };
    let int = |key: &str| body.get(key).and_then(Value::as_i64);
    let (Some(location), Some(item), Some(available)) = (
        int("location_id"),
        int("inventory_item_id"),
        int("available"),
    ) else {
        let absent = ["location_id", "inventory_item_id", "available"]
            .into_iter()
            .find(|k| int(k).is_none())
            .unwrap_or("available");
        return refused(missing(absent));
    };
    if location < 0 || location as u64 != sim.settings.location_id {
        return refused(unprocessable("location_id", "not found"));
    }
    let Some(sku) = (item >= 0)
        .then(|| sim.catalog.sku_of(item as u64))
        .flatten()
    else {
        return refused(unprocessable("inventory_item_id", "not found"));
    };
    sim.shop
        .stock
        .apply_push(sku, available, intent_at_ms(&headers));
    let now = Utc::now()
        .with_timezone(&sim.offset)
        .to_rfc3339_opts(SecondsFormat::Secs, false);
    let body = json!({ "inventory_level": {
        "inventory_item_id": item,
        "location_id": location,
        "available": available,
        "updated_at": now,
        "admin_graphql_api_id":
            format!("gid://shopify/InventoryLevel/{location}?inventory_item_id={item}"),
    }})
    .to_string();
    sim.reply(&version, &admitted, StatusCode::OK, body)
}
