//! Stock levels to Shopify (spec §1.6, edge case 24): `POST /admin/api/{v}/inventory_levels/
//! set.json` with `{"location_id","inventory_item_id","available"}` (no wrapper), an absolute
//! level per call, so sending one twice is harmless.
//!
//! - The stock-bearing key is the variant's `inventory_item_id`. The channel keeps a SKU →
//!   inventory item cache filled from `GET products.json?limit=250&fields=id,variants` (every
//!   page by `Link`). A variant is found by its `sku`, or by its id when `[channels.sku_map]`
//!   maps that id to the ordo SKU. A SKU the cache lacks fetches the list again, at most once
//!   per call and not within [`VARIANT_REFRESH_MIN`] of the last fetch, before it is refused
//!   for good (`Err("SKU ... is not a variant in this shop")`). A 422 on the inventory item
//!   (the variant was deleted or recreated) drops the entry and fetches again once.
//! - The location is `location_id` of the config; without it the first active location of
//!   `GET locations.json`, remembered until Shopify refuses it. A location Shopify refuses, or
//!   a shop without an active location, fails the whole call as `Rejected` naming the config
//!   key: no per-SKU answer fits and no retry cures it until an operator acts.
//! - One SKU per batch ([`STOCK_BATCH`]): a longer slice is still served, one call per SKU in
//!   order, but a throttle or outage part-way fails the whole call (the levels already set
//!   are absolute, so sending them again costs a call and changes nothing).
//! - Every request made for a push carries `X-Ordo-Intent-At` and the token; 429 is
//!   [`ChannelError::RateLimited`] with `Retry-After`; when `X-Shopify-Shop-Api-Call-Limit`
//!   says the bucket is full, the next call waits [`FULL_BUCKET_WAIT`] first.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use reqwest::header::{HeaderMap, ACCEPT};
use reqwest::{Method, Url};
use serde::Deserialize;
use serde_json::{json, Value};

use super::client::{call_limit, link, ShopifyChannel, MAX_PAGE_SIZE, TOKEN_HEADER};
use crate::channels::{http, ChannelError, StockPush, INTENT_AT_HEADER};

/// Stock figures per [`crate::channels::Channel::push_stock`] call: one REST call each.
pub const STOCK_BATCH: usize = 1;
/// A missing SKU does not fetch the variant list again sooner than this after the last fetch.
pub const VARIANT_REFRESH_MIN: Duration = Duration::from_secs(5);
/// How long a call waits when the last answer said the bucket was full (a Standard shop
/// leaks 2 calls a second).
pub const FULL_BUCKET_WAIT: Duration = Duration::from_millis(500);
/// The path, relative to `/admin/api/{v}/`, of an absolute level.
pub const INVENTORY_SET_PATH: &str = "inventory_levels/set.json";
/// At most this many pages of products are read for the cache.
const MAX_PRODUCT_PAGES: usize = 400;

/// What the channel remembers between pushes.
#[derive(Debug, Default)]
pub(crate) struct PushState {
    /// The location from `locations.json` when the config names none.
    location: tokio::sync::Mutex<Option<u64>>,
    variants: tokio::sync::Mutex<VariantCache>,
    /// When the last answer said the bucket was full.
    full_at: Mutex<Option<Instant>>,
}

/// One variant of `products.json`, the fields the cache needs.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ProductVariant {
    pub id: u64,
    #[serde(default)]
    pub sku: Option<String>,
    #[serde(default)]
    pub inventory_item_id: Option<u64>,
}

#[derive(Debug, Deserialize)]
struct ProductsPage {
    products: Vec<ProductShape>,
}

#[derive(Debug, Deserialize)]
struct ProductShape {
    #[serde(default)]
    variants: Vec<ProductVariant>,
}

/// SKU → `inventory_item_id` of the shop's variants, and when it was fetched.
#[derive(Debug, Default, Clone)]
pub struct VariantCache {
    by_sku: HashMap<String, u64>,
    fetched_at: Option<Instant>,
}

impl VariantCache {
    /// The cache of a fetched variant list. A variant is known by its SKU (trimmed; the first
    /// of two variants with one SKU wins), and by the ordo SKU that `sku_map` gives its id,
    /// which wins over a SKU the variant carries itself. Variants without an inventory item
    /// are left out.
    pub fn build(
        variants: impl IntoIterator<Item = ProductVariant>,
        sku_map: &HashMap<String, String>,
        fetched_at: Instant,
    ) -> VariantCache {
        let mut by_sku = HashMap::new();
        let mut mapped = HashMap::new();
        for v in variants {
            let Some(item) = v.inventory_item_id else {
                continue;
            };
            if let Some(ordo_sku) = sku_map.get(&v.id.to_string()) {
                mapped.insert(ordo_sku.trim().to_string(), item);
            }
            if let Some(sku) = v.sku.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                by_sku.entry(sku.to_string()).or_insert(item);
            }
        }
        by_sku.extend(mapped);
        VariantCache {
            by_sku,
            fetched_at: Some(fetched_at),
        }
    }

    pub fn inventory_item(&self, sku: &str) -> Option<u64> {
        self.by_sku.get(sku.trim()).copied()
    }

    pub fn len(&self) -> usize {
        self.by_sku.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_sku.is_empty()
    }

    /// Whether a miss may fetch the list again: never fetched, or fetched `min_age` ago.
    pub fn may_refresh(&self, now: Instant, min_age: Duration) -> bool {
        self.fetched_at
            .is_none_or(|at| now.saturating_duration_since(at) >= min_age)
    }

    /// Drops a SKU whose inventory item Shopify no longer knows.
    pub fn forget(&mut self, sku: &str) {
        self.by_sku.remove(sku.trim());
    }
}

/// The body of `inventory_levels/set.json`: no wrapper (spec §1.6).
pub fn stock_set_body(location_id: u64, inventory_item_id: u64, available: i64) -> Value {
    json!({
        "location_id": location_id,
        "inventory_item_id": inventory_item_id,
        "available": available,
    })
}

/// The field a 422 (or 404) refusal names: Shopify answers `{"errors":{"field":[...]}}`.
pub fn refused_field(detail: &str) -> Option<&'static str> {
    let refusal = detail.starts_with("HTTP 422") || detail.starts_with("HTTP 404");
    if !refusal {
        return None;
    }
    ["inventory_item_id", "location_id"]
        .into_iter()
        .find(|f| detail.contains(f))
}

#[derive(Debug, Deserialize)]
struct Locations {
    locations: Vec<LocationShape>,
}

#[derive(Debug, Deserialize)]
struct LocationShape {
    id: u64,
    #[serde(default = "active_by_default")]
    active: bool,
}

fn active_by_default() -> bool {
    true
}

impl PushState {
    fn note(&self, headers: &HeaderMap) {
        let full = call_limit(headers).is_some_and(|h| h.remaining < 1.0);
        let mut at = self.full_at.lock().unwrap_or_else(|p| p.into_inner());
        *at = full.then(Instant::now);
    }

    fn note_full(&self) {
        *self.full_at.lock().unwrap_or_else(|p| p.into_inner()) = Some(Instant::now());
    }

    /// What is left of [`FULL_BUCKET_WAIT`] since the bucket was last seen full.
    fn wait(&self) -> Option<Duration> {
        let at = (*self.full_at.lock().unwrap_or_else(|p| p.into_inner()))?;
        FULL_BUCKET_WAIT.checked_sub(at.elapsed())
    }
}

impl ShopifyChannel {
    /// `/admin/api/{v}/{path}` on the shop.
    pub(super) fn api_url(&self, path: &str) -> Result<Url, ChannelError> {
        self.orders_url
            .join(path)
            .map_err(|e| ChannelError::Rejected {
                what: format!("{}: {path}", self.id),
                detail: format!("cannot form the URL: {e}"),
            })
    }

    /// One Admin API call for a push: token, `X-Ordo-Intent-At`, JSON body; the answer
    /// classified by [`http::json_body`].
    pub(super) async fn send(
        &self,
        method: Method,
        url: Url,
        body: Option<&Value>,
        intent_at: DateTime<Utc>,
    ) -> Result<(HeaderMap, Vec<u8>), ChannelError> {
        let what = http::describe(&self.id, method.as_str(), &url);
        if let Some(wait) = self.push.wait() {
            tokio::time::sleep(wait).await;
        }
        let token = self.token_header(&what)?;
        let mut request = self
            .client
            .request(method, url)
            .header(TOKEN_HEADER, token)
            .header(ACCEPT, "application/json")
            .header(INTENT_AT_HEADER, intent_at.timestamp_millis().to_string());
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request
            .send()
            .await
            .map_err(|e| http::send_error(&what, &e))?;
        let answer = http::json_body(&what, response).await;
        match &answer {
            Ok((headers, _)) => self.push.note(headers),
            Err(ChannelError::RateLimited { .. }) => self.push.note_full(),
            Err(_) => {}
        }
        answer
    }

    /// Sets each level in order; see the module's notes.
    pub(super) async fn set_levels(
        &self,
        pushes: &[StockPush],
    ) -> Result<Vec<Result<(), String>>, ChannelError> {
        let Some(first) = pushes.first() else {
            return Ok(Vec::new());
        };
        let location = self.location(first.intent_at).await?;
        let mut refreshed = false;
        let mut out = Vec::with_capacity(pushes.len());
        for push in pushes {
            out.push(self.set_level(location, push, &mut refreshed).await?);
        }
        Ok(out)
    }

    async fn set_level(
        &self,
        location: u64,
        push: &StockPush,
        refreshed: &mut bool,
    ) -> Result<Result<(), String>, ChannelError> {
        let mut item = self.inventory_item(push, refreshed, false).await?;
        loop {
            let Some(id) = item else {
                return Ok(Err(format!(
                    "SKU {} is not a variant in this shop (channel `{}`): no product variant \
                     carries it; add it in Shopify or map a variant id to it in \
                     [channels.sku_map]",
                    push.sku, self.id
                )));
            };
            let body = stock_set_body(location, id, push.available);
            let url = self.api_url(INVENTORY_SET_PATH)?;
            let refusal = match self
                .send(Method::POST, url, Some(&body), push.intent_at)
                .await
            {
                Ok(_) => return Ok(Ok(())),
                Err(ChannelError::Rejected { what, detail }) => (what, detail),
                Err(e) => return Err(e),
            };
            let (what, detail) = refusal;
            match refused_field(&detail) {
                Some("inventory_item_id") => {
                    self.push.variants.lock().await.forget(&push.sku);
                    let again = if *refreshed {
                        None
                    } else {
                        self.inventory_item(push, refreshed, true).await?
                    };
                    if again.is_none() || again == Some(id) {
                        return Ok(Err(format!(
                            "SKU {}: Shopify does not stock inventory item {id} at location \
                             {location} ({detail})",
                            push.sku
                        )));
                    }
                    item = again;
                }
                Some(_) => {
                    if self.location_id.is_none() {
                        *self.push.location.lock().await = None;
                    }
                    return Err(ChannelError::Rejected {
                        what,
                        detail: format!(
                            "{detail}; Shopify refuses location {location}: set `location_id` \
                             of channel `{}` to a location of the shop",
                            self.id
                        ),
                    });
                }
                None => return Err(ChannelError::Rejected { what, detail }),
            }
        }
    }

    /// The inventory item of a SKU, fetching the variant list when the cache lacks it (once
    /// per call, and not within [`VARIANT_REFRESH_MIN`] of the last fetch unless `force`).
    async fn inventory_item(
        &self,
        push: &StockPush,
        refreshed: &mut bool,
        force: bool,
    ) -> Result<Option<u64>, ChannelError> {
        let mut cache = self.push.variants.lock().await;
        if let Some(id) = cache.inventory_item(&push.sku) {
            return Ok(Some(id));
        }
        if *refreshed || !(force || cache.may_refresh(Instant::now(), VARIANT_REFRESH_MIN)) {
            return Ok(None);
        }
        *cache = self.fetch_variants(push.intent_at).await?;
        *refreshed = true;
        Ok(cache.inventory_item(&push.sku))
    }

    /// Every variant of the shop, page by page along the `Link` header.
    async fn fetch_variants(&self, intent_at: DateTime<Utc>) -> Result<VariantCache, ChannelError> {
        let mut url = self.api_url("products.json")?;
        url.query_pairs_mut()
            .append_pair("limit", &MAX_PAGE_SIZE.to_string())
            .append_pair("fields", "id,variants");
        let mut variants = Vec::new();
        for _ in 0..MAX_PRODUCT_PAGES {
            let what = http::describe(&self.id, "GET", &url);
            let (headers, body) = self.send(Method::GET, url, None, intent_at).await?;
            let page: ProductsPage = http::parse(&what, &body)?;
            variants.extend(page.products.into_iter().flat_map(|p| p.variants));
            match link(&headers, "next") {
                Some(next) => url = self.next_page_url(&next)?,
                None => {
                    return Ok(VariantCache::build(
                        variants,
                        &self.ctx.sku_map,
                        Instant::now(),
                    ))
                }
            }
        }
        Err(ChannelError::Rejected {
            what: format!("{}: GET products.json", self.id),
            detail: format!("more than {MAX_PRODUCT_PAGES} pages of products; giving up"),
        })
    }

    /// `location_id` of the config, else the shop's first active location.
    async fn location(&self, intent_at: DateTime<Utc>) -> Result<u64, ChannelError> {
        if let Some(id) = self.location_id {
            return Ok(id);
        }
        let mut known = self.push.location.lock().await;
        if let Some(id) = *known {
            return Ok(id);
        }
        let url = self.api_url("locations.json")?;
        let what = http::describe(&self.id, "GET", &url);
        let (_, body) = match self.send(Method::GET, url, None, intent_at).await {
            Err(ChannelError::Auth { what, detail }) => {
                // Reading locations takes the `read_locations` scope; the config key spares it.
                return Err(ChannelError::Auth {
                    what,
                    detail: format!(
                        "{detail}; grant read_locations or set `location_id` of channel `{}`",
                        self.id
                    ),
                });
            }
            answer => answer?,
        };
        let list: Locations = http::parse(&what, &body)?;
        let id = list
            .locations
            .iter()
            .find(|l| l.active)
            .map(|l| l.id)
            .ok_or_else(|| ChannelError::Rejected {
                what,
                detail: format!(
                    "the shop lists no active location; set `location_id` of channel `{}` to \
                     the location whose stock ordo sets",
                    self.id
                ),
            })?;
        *known = Some(id);
        Ok(id)
    }
}
