//! Setting available-to-sell levels on a WooCommerce shop (spec §2.6).
//!
//! - **SKU → product.** WooCommerce addresses stock by product id, so each SKU is looked up
//!   once with `GET /wp-json/wc/v3/products?sku=A,B,C&per_page=100` and the answer is cached in
//!   the channel ([`SkuCache`]). The `sku` filter takes a comma list and matches exactly; when it
//!   is given, WooCommerce searches products *and* variations (`post_type` is forced to
//!   `product, product_variation` in `WC_REST_Products_Controller::prepare_objects_query`), so a
//!   variation comes back from the same call with `"type":"variation"` and its `parent_id`: no
//!   paging through every product's variations. Up to [`LOOKUP_CHUNK`] SKUs go in one lookup; a
//!   SKU with a comma in it is looked up alone (WooCommerce then matches the whole string too).
//!   MySQL compares SKUs without case, so an exact match is preferred and a unique
//!   case-insensitive one accepted. A SKU no product carries is not cached (the product may be
//!   created later) and is answered `Err("no product with SKU … in this shop")`.
//! - **Push.** `POST /products/batch` with `{"update":[{"id":799,"manage_stock":true,
//!   "stock_quantity":3},…]}`, at most [`MAX_BATCH`] objects per call (WooCommerce's default
//!   `woocommerce_rest_batch_items_limit`; more is a 413 `woocommerce_rest_request_entity_too_large`);
//!   variations go to `POST /products/<parent>/variations/batch`, one call per parent. Negative
//!   levels are sent as 0 (an oversold ordo figure must not become a negative shop count).
//! - **Answers.** WooCommerce answers every object of `update`: the saved product, or
//!   `{"id":…,"error":{"code","message","data":{"status"}}}`. A saved product whose
//!   `stock_quantity` is not the level sent means the shop ignored it (stock management is off
//!   in WooCommerce's settings): that push is refused with the reason. An `…_invalid_id` error,
//!   or a saved product that now carries another SKU, means the cached id is stale: the SKU is
//!   looked up again and pushed once more in the same call. An item error with a 5xx status, or
//!   an answer missing an item, fails the whole call as transient (levels are absolute, so
//!   sending the rest again is harmless). Throttles, captcha pages, 5xx and 401 fail the whole
//!   call through [`crate::channels::http`].
//! - Every request carries `X-Ordo-Intent-At`: the earliest `intent_at` of the pushes it holds.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Mutex;

use reqwest::{Method, Url};
use serde_json::{json, Value};

use super::client::WooChannel;
use crate::channels::{http, Channel, ChannelError, StockPush};

/// Objects per batch call (WooCommerce's default `woocommerce_rest_batch_items_limit`).
pub const MAX_BATCH: usize = 100;
/// SKUs per lookup (`GET /products?sku=A,B,...`), which keeps the URL short.
pub const LOOKUP_CHUNK: usize = 40;
/// Pages one lookup follows at most (SKUs are unique in WooCommerce; this is a guard).
const MAX_LOOKUP_PAGES: u32 = 10;

/// Where a SKU's stock lives in the shop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProductRef {
    /// A product (simple, or any product that manages its own stock).
    Product(u64),
    /// A variation of a variable product.
    Variation { parent: u64, id: u64 },
}

impl ProductRef {
    pub fn id(&self) -> u64 {
        match self {
            ProductRef::Product(id) | ProductRef::Variation { id, .. } => *id,
        }
    }

    pub fn parent(&self) -> Option<u64> {
        match self {
            ProductRef::Product(_) => None,
            ProductRef::Variation { parent, .. } => Some(*parent),
        }
    }
}

/// The batch endpoint (relative to `wp-json/wc/v3/`) of the products under `parent`.
pub fn batch_path(parent: Option<u64>) -> String {
    match parent {
        None => "products/batch".to_string(),
        Some(p) => format!("products/{p}/variations/batch"),
    }
}

/// SKU → product, as the shop last answered; shared by every push of the channel.
#[derive(Debug, Default)]
pub struct SkuCache {
    map: Mutex<HashMap<String, ProductRef>>,
}

impl SkuCache {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, ProductRef>> {
        self.map.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn get(&self, sku: &str) -> Option<ProductRef> {
        self.lock().get(sku).copied()
    }

    pub fn insert(&self, sku: &str, product: ProductRef) {
        self.lock().insert(sku.to_string(), product);
    }

    pub fn forget(&self, sku: &str) {
        self.lock().remove(sku);
    }

    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }
}

/// The products of a `GET /products?sku=` answer that carry the `wanted` SKUs: exact match
/// first, else the one product whose SKU matches without case.
pub fn products_by_sku(values: &[Value], wanted: &[&str]) -> HashMap<String, ProductRef> {
    let found: Vec<(&str, ProductRef)> = values
        .iter()
        .filter_map(|v| {
            let id = v.get("id")?.as_u64().filter(|id| *id > 0)?;
            let sku = v.get("sku")?.as_str()?;
            let parent = v.get("parent_id").and_then(Value::as_u64).unwrap_or(0);
            let variation = v.get("type").and_then(Value::as_str) == Some("variation");
            let product = if variation && parent > 0 {
                ProductRef::Variation { parent, id }
            } else {
                ProductRef::Product(id)
            };
            Some((sku, product))
        })
        .collect();
    let mut out = HashMap::new();
    for want in wanted {
        let exact = found.iter().find(|(s, _)| s == want);
        let loose: Vec<_> = found
            .iter()
            .filter(|(s, _)| s.to_lowercase() == want.to_lowercase())
            .collect();
        match (exact, loose.as_slice()) {
            (Some((_, p)), _) | (None, [(_, p)]) => {
                out.insert(want.to_string(), *p);
            }
            _ => {}
        }
    }
    out
}

/// One level of a batch call: which push it answers, which object, which quantity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    pub push: usize,
    pub id: u64,
    pub quantity: i64,
}

/// One batch call: products (`parent` None) or the variations of one parent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch {
    pub parent: Option<u64>,
    pub entries: Vec<Entry>,
}

/// Groups resolved pushes `(push index, product, level)` into batch calls of at most `max`
/// objects: products first, then each parent's variations, pushes in their order.
pub fn plan_batches(resolved: &[(usize, ProductRef, i64)], max: usize) -> Vec<Batch> {
    let mut groups: BTreeMap<Option<u64>, Vec<Entry>> = BTreeMap::new();
    for (push, product, level) in resolved {
        groups.entry(product.parent()).or_default().push(Entry {
            push: *push,
            id: product.id(),
            quantity: (*level).max(0),
        });
    }
    groups
        .into_iter()
        .flat_map(|(parent, entries)| {
            entries
                .chunks(max.max(1))
                .map(|c| Batch {
                    parent,
                    entries: c.to_vec(),
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

/// The body of a batch call.
pub fn batch_body(entries: &[Entry]) -> Value {
    let update: Vec<Value> = entries
        .iter()
        .map(|e| json!({ "id": e.id, "manage_stock": true, "stock_quantity": e.quantity }))
        .collect();
    json!({ "update": update })
}

/// What WooCommerce answered for one object of a batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemAnswer {
    Saved {
        sku: Option<String>,
        stock_quantity: Option<i64>,
    },
    Refused {
        code: String,
        message: String,
        status: Option<u16>,
    },
}

/// The per-object answers of a batch call, by object id. `Err` when the body is not a batch
/// answer at all.
pub fn read_batch_answer(body: &Value) -> Result<HashMap<u64, ItemAnswer>, String> {
    let items = body
        .get("update")
        .and_then(Value::as_array)
        .ok_or_else(|| "the batch answer has no `update` array".to_string())?;
    let mut out = HashMap::new();
    for item in items {
        let Some(id) = item.get("id").and_then(|v| {
            v.as_u64()
                .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
        }) else {
            continue;
        };
        let answer = match item.get("error") {
            Some(err) if !err.is_null() => ItemAnswer::Refused {
                code: err
                    .get("code")
                    .and_then(Value::as_str)
                    .unwrap_or("unknown")
                    .to_string(),
                message: err
                    .get("message")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string(),
                status: err
                    .pointer("/data/status")
                    .and_then(Value::as_u64)
                    .and_then(|s| u16::try_from(s).ok()),
            },
            _ => ItemAnswer::Saved {
                sku: item.get("sku").and_then(Value::as_str).map(str::to_string),
                stock_quantity: item.get("stock_quantity").and_then(|q| {
                    q.as_i64()
                        .or_else(|| q.as_f64().map(|f| f.round() as i64))
                        .or_else(|| q.as_str().and_then(|s| s.trim().parse().ok()))
                }),
            },
        };
        out.insert(id, answer);
    }
    Ok(out)
}

/// What one object's answer means for its push.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Confirmed,
    /// Refused for good, with the reason.
    Refused(String),
    /// The cached product no longer carries this SKU: look it up again.
    Stale,
    /// Worth retrying the whole call.
    Transient(String),
}

/// Judges one object's answer for the push of `sku` at `quantity` to `id`.
pub fn verdict(sku: &str, id: u64, quantity: i64, answer: Option<&ItemAnswer>) -> Verdict {
    match answer {
        None => Verdict::Transient(format!("the batch answer has no result for product {id}")),
        Some(ItemAnswer::Refused { code, .. }) if code.ends_with("_invalid_id") => Verdict::Stale,
        Some(ItemAnswer::Refused {
            code,
            message,
            status,
        }) => {
            if status.is_some_and(|s| s >= 500) {
                Verdict::Transient(format!("product {id}: {code}: {message}"))
            } else {
                Verdict::Refused(format!(
                    "WooCommerce refused the level of SKU {sku} (product {id}): {message} ({code})"
                ))
            }
        }
        Some(ItemAnswer::Saved { sku: Some(s), .. })
            if !s.is_empty() && s.to_lowercase() != sku.to_lowercase() =>
        {
            Verdict::Stale
        }
        Some(ItemAnswer::Saved { stock_quantity, .. }) if *stock_quantity != Some(quantity) => {
            Verdict::Refused(format!(
                "WooCommerce kept SKU {sku} (product {id}) at {} instead of {quantity}: is stock \
                 management off (WooCommerce > Settings > Products > Inventory)?",
                stock_quantity.map_or("no managed stock".to_string(), |q| q.to_string())
            ))
        }
        Some(ItemAnswer::Saved { .. }) => Verdict::Confirmed,
    }
}

fn no_product(sku: &str) -> String {
    format!("no product with SKU {sku} in this shop")
}

impl WooChannel {
    /// [`crate::channels::Channel::push_stock`] for WooCommerce (see the module docs).
    pub(super) async fn push_stock_levels(
        &self,
        pushes: &[StockPush],
    ) -> Result<Vec<Result<(), String>>, ChannelError> {
        let intent = pushes
            .iter()
            .map(|p| p.intent_at.timestamp_millis())
            .min()
            .unwrap_or_else(|| chrono::Utc::now().timestamp_millis());
        let mut answers: Vec<Option<Result<(), String>>> = vec![None; pushes.len()];
        let unknown: Vec<String> = unique(pushes.iter().map(|p| p.sku.as_str()))
            .into_iter()
            .filter(|s| self.skus.get(s).is_none())
            .collect();
        self.look_up(&unknown, intent).await?;
        let mut todo: Vec<usize> = (0..pushes.len()).collect();
        for round in 0..2 {
            let mut resolved = Vec::new();
            for i in todo.drain(..) {
                match self.skus.get(&pushes[i].sku) {
                    Some(p) => resolved.push((i, p, pushes[i].available)),
                    None => answers[i] = Some(Err(no_product(&pushes[i].sku))),
                }
            }
            for batch in plan_batches(&resolved, MAX_BATCH) {
                let url = self.api_url(&batch_path(batch.parent));
                let body = batch_body(&batch.entries);
                let (_, bytes) = self
                    .call(Method::POST, url.clone(), Some(&body), intent)
                    .await?;
                let what = http::describe(self.id(), "POST", &url);
                let value: Value = http::parse(&what, &bytes)?;
                let got = read_batch_answer(&value).map_err(|detail| ChannelError::Transient {
                    what: what.clone(),
                    detail,
                })?;
                for e in &batch.entries {
                    let sku = &pushes[e.push].sku;
                    match verdict(sku, e.id, e.quantity, got.get(&e.id)) {
                        Verdict::Confirmed => answers[e.push] = Some(Ok(())),
                        Verdict::Refused(why) => answers[e.push] = Some(Err(why)),
                        Verdict::Transient(detail) => {
                            return Err(ChannelError::Transient { what, detail })
                        }
                        Verdict::Stale if round == 0 => todo.push(e.push),
                        Verdict::Stale => answers[e.push] = Some(Err(no_product(sku))),
                    }
                }
            }
            if todo.is_empty() {
                break;
            }
            let stale = unique(todo.iter().map(|i| pushes[*i].sku.as_str()));
            for sku in &stale {
                self.skus.forget(sku);
            }
            self.look_up(&stale, intent).await?;
        }
        Ok(answers
            .into_iter()
            .enumerate()
            .map(|(i, a)| a.unwrap_or_else(|| Err(no_product(&pushes[i].sku))))
            .collect())
    }

    /// Looks `skus` up in the shop and caches what it finds.
    async fn look_up(&self, skus: &[String], intent: i64) -> Result<(), ChannelError> {
        let (alone, listable): (Vec<&String>, Vec<&String>) =
            skus.iter().partition(|s| s.contains(','));
        let mut chunks: Vec<Vec<&str>> = listable
            .chunks(LOOKUP_CHUNK)
            .map(|c| c.iter().map(|s| s.as_str()).collect())
            .collect();
        chunks.extend(alone.into_iter().map(|s| vec![s.as_str()]));
        for chunk in chunks {
            let mut page = 1u32;
            loop {
                let url = self.lookup_url(&chunk, page);
                let what = http::describe(self.id(), "GET", &url);
                let (headers, bytes) = self.call(Method::GET, url, None, intent).await?;
                let values: Vec<Value> = http::parse(&what, &bytes)?;
                for (sku, product) in products_by_sku(&values, &chunk) {
                    self.skus.insert(&sku, product);
                }
                let pages: u32 = headers
                    .get("x-wp-totalpages")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().parse().ok())
                    .unwrap_or(1);
                let all_found = chunk.iter().all(|s| self.skus.get(s).is_some());
                if values.is_empty() || all_found || page >= pages || page >= MAX_LOOKUP_PAGES {
                    break;
                }
                page += 1;
            }
        }
        Ok(())
    }

    /// `GET /products?sku=A,B&per_page=100&page=N`.
    pub fn lookup_url(&self, skus: &[&str], page: u32) -> Url {
        let mut url = self.api_url("products");
        url.query_pairs_mut()
            .append_pair("sku", &skus.join(","))
            .append_pair("per_page", "100")
            .append_pair("page", &page.to_string());
        url
    }

    /// The cached product of a SKU, if a push has looked it up.
    pub fn cached_product(&self, sku: &str) -> Option<ProductRef> {
        self.skus.get(sku)
    }
}

fn unique<'a>(skus: impl Iterator<Item = &'a str>) -> Vec<String> {
    let mut seen = HashSet::new();
    skus.filter(|s| seen.insert(*s))
        .map(str::to_string)
        .collect()
}
