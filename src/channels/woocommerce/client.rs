//! Polling WooCommerce's `GET /wp-json/wc/v3/orders` (spec §2.1-2.4).
//!
//! The first page of a window asks
//! `?modified_after=<since>&dates_are_gmt=true&orderby=modified&order=asc&per_page=N&page=1`:
//! `since` is sent as naive UTC and `dates_are_gmt=true` makes WooCommerce read it as UTC instead
//! of the site's timezone (edge case 12); `orderby=modified&order=asc` with WooCommerce's `ID`
//! tie-breaker keeps the order stable (edge case 11). The next page is the `Link rel="next"` URL
//! as WooCommerce gave it, or, when a host strips `Link` (or WordPress's site URL is another
//! origin than `base_url`), this page's URL with `page` + 1 while `X-WP-TotalPages` says there
//! are more; `[]` ends the window. A next-page token on another origin than `base_url` is
//! refused, so the credentials never go anywhere else.
//!
//! Auth is HTTP Basic with the consumer key and secret (over HTTPS, as WooCommerce requires;
//! plain HTTP is accepted for loopback simulators, a real shop refuses Basic auth over HTTP and
//! would need OAuth 1.0a, which this connector does not speak). Answers go through
//! [`crate::channels::http`]: 429 with `Retry-After`, 5xx, HTML captcha pages (202) and PHP
//! warnings inside a 200 (edge case 6), compressed bodies (7), truncated bodies (8).
//! WooCommerce core has no rate limiter; a host's `RateLimit-Remaining`/`RateLimit-Limit`
//! headers are reported when present.
//!
//! Offset paging can skip an order when another order is modified while the window is paged
//! (everything after it shifts by one); the poller's overlap and its periodic wider sweep cover
//! that (edge case 11).

use std::sync::atomic::AtomicU8;

use futures_util::future::BoxFuture;
use reqwest::header::{HeaderMap, ACCEPT, LINK};
use reqwest::{StatusCode, Url};

use super::map;
use super::stock::SkuCache;
use crate::channels::http;
use crate::channels::{
    secret, Channel, ChannelConfig, ChannelError, ChannelKind, ChannelSettings, EnvLookup,
    FulfillmentPush, MapContext, Page, PageRequest, RateHeadroom, Secret, StockPush,
    INTENT_AT_HEADER,
};

/// WooCommerce's `per_page` maximum (schema `maximum: 100`).
pub const MAX_PAGE_SIZE: u32 = 100;
/// The orders collection under the site root.
pub const ORDERS_PATH: &str = "wp-json/wc/v3/orders";

/// One configured WooCommerce shop.
pub struct WooChannel {
    id: String,
    /// The site root, ending in `/`.
    base: Url,
    consumer_key: Secret,
    consumer_secret: Secret,
    page_size: u32,
    ctx: MapContext,
    http: reqwest::Client,
    /// SKU → product or variation id, as the shop last answered (see [`super::stock`]).
    pub(super) skus: SkuCache,
    /// `shipment_tracking`: report shipments through the Shipment Tracking extension too.
    pub(super) shipment_tracking: bool,
    /// The extension's REST version that answered last (0: not asked yet), see
    /// [`super::tracking`].
    pub(super) tracking_version: AtomicU8,
}

/// An answer as it came: status, headers, the length announced and the body.
pub(super) struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub expected_len: Option<u64>,
    pub body: Vec<u8>,
}

impl Answer {
    /// The body of a JSON success, else the classified error ([`http::classify`]).
    pub fn classify(self, what: &str) -> Result<Vec<u8>, ChannelError> {
        http::classify(
            what,
            self.status,
            &self.headers,
            self.expected_len,
            self.body,
        )
    }
}

impl std::fmt::Debug for WooChannel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WooChannel")
            .field("id", &self.id)
            .field("base", &self.base.as_str())
            .field("consumer_key", &self.consumer_key)
            .field("consumer_secret", &self.consumer_secret)
            .field("page_size", &self.page_size)
            .field("shipment_tracking", &self.shipment_tracking)
            .finish()
    }
}

impl WooChannel {
    /// The connector for `config` (a `woocommerce` channel), its consumer key and secret read
    /// from the variables `consumer_key_env` and `consumer_secret_env` name. Errors name the
    /// channel and the key, never a value.
    pub fn new(config: &ChannelConfig, env: EnvLookup<'_>) -> Result<WooChannel, String> {
        let ChannelSettings::Woocommerce {
            consumer_key_env,
            consumer_secret_env,
            shipment_tracking,
            ..
        } = &config.settings
        else {
            return Err(format!(
                "channel `{}`: not a woocommerce channel (kind {})",
                config.id, config.kind
            ));
        };
        let base = site_root(&config.base_url)
            .map_err(|e| format!("channel `{}`: base_url: {e}", config.id))?;
        if base.scheme() == "http" && !is_loopback(&base) {
            tracing::warn!(
                channel = %config.id,
                "base_url is plain HTTP: WooCommerce accepts Basic auth over HTTPS only"
            );
        }
        let consumer_key = secret(&config.id, "consumer_key_env", consumer_key_env, env)?;
        let consumer_secret = secret(&config.id, "consumer_secret_env", consumer_secret_env, env)?;
        Ok(WooChannel {
            id: config.id.clone(),
            base,
            consumer_key,
            consumer_secret,
            page_size: config
                .page_size
                .unwrap_or(MAX_PAGE_SIZE)
                .clamp(1, MAX_PAGE_SIZE),
            ctx: MapContext::from(config),
            http: http::client(),
            skus: SkuCache::default(),
            shipment_tracking: *shipment_tracking,
            tracking_version: AtomicU8::new(0),
        })
    }

    /// The URL of the first page of orders modified after `since`.
    pub fn first_page_url(&self, since: chrono::DateTime<chrono::Utc>) -> Url {
        let mut url = self.base.join(ORDERS_PATH).expect("a fixed relative path");
        url.query_pairs_mut()
            .append_pair(
                "modified_after",
                &since.naive_utc().format("%Y-%m-%dT%H:%M:%S").to_string(),
            )
            .append_pair("dates_are_gmt", "true")
            .append_pair("orderby", "modified")
            .append_pair("order", "asc")
            .append_pair("per_page", &self.page_size.to_string())
            .append_pair("page", "1");
        url
    }

    /// `wp-json/wc/v3/<path>` under the site root.
    pub(super) fn api_url(&self, path: &str) -> Url {
        self.site_url(&format!("wp-json/wc/v3/{}", path.trim_start_matches('/')))
    }

    /// `path` (relative) under the site root.
    pub(super) fn site_url(&self, path: &str) -> Url {
        self.base
            .join(path.trim_start_matches('/'))
            .expect("a relative API path joins the site root")
    }

    /// The site, as messages name it (`https://shop.example.com`).
    pub fn site(&self) -> String {
        self.base.as_str().trim_end_matches('/').to_string()
    }

    /// Whether shipments also go through the Shipment Tracking extension.
    pub fn uses_shipment_tracking(&self) -> bool {
        self.shipment_tracking
    }

    /// One authorized request of a push (JSON body when given, `X-Ordo-Intent-At` always),
    /// classified by [`http::json_body`]: the answer's headers and JSON body.
    pub(super) async fn call(
        &self,
        method: reqwest::Method,
        url: Url,
        body: Option<&serde_json::Value>,
        intent_at_ms: i64,
    ) -> Result<(HeaderMap, Vec<u8>), ChannelError> {
        let what = http::describe(&self.id, method.as_str(), &url);
        let answer = self.send(method, url, body, intent_at_ms).await?;
        let headers = answer.headers.clone();
        answer.classify(&what).map(|body| (headers, body))
    }

    /// [`WooChannel::call`] without the classification, for a caller that reads a refusal
    /// itself; `Err` only when no whole answer came (a retryable send or body failure).
    pub(super) async fn send(
        &self,
        method: reqwest::Method,
        url: Url,
        body: Option<&serde_json::Value>,
        intent_at_ms: i64,
    ) -> Result<Answer, ChannelError> {
        let what = http::describe(&self.id, method.as_str(), &url);
        let mut request = self
            .http
            .request(method, url)
            .basic_auth(
                self.consumer_key.expose(),
                Some(self.consumer_secret.expose()),
            )
            .header(ACCEPT, "application/json")
            .header(INTENT_AT_HEADER, intent_at_ms.to_string());
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request
            .send()
            .await
            .map_err(|e| http::send_error(&what, &e))?;
        let status = response.status();
        let headers = response.headers().clone();
        let expected_len = response.content_length();
        let body = response
            .bytes()
            .await
            .map_err(|e| ChannelError::Transient {
                what: what.clone(),
                // Without the URL: messages never carry more than the path.
                detail: format!("the body broke off: {}", e.without_url()),
            })?
            .to_vec();
        Ok(Answer {
            status,
            headers,
            expected_len,
            body,
        })
    }

    /// A next-page URL, when it is on the shop's own origin.
    fn checked_next(&self, token: &str) -> Result<Url, ChannelError> {
        let what = format!("{}: GET next page", self.id);
        let url = Url::parse(token).map_err(|e| ChannelError::Rejected {
            what: what.clone(),
            detail: format!("the next-page token is not a URL ({e})"),
        })?;
        if url.origin() != self.base.origin() {
            return Err(ChannelError::Rejected {
                what,
                detail: format!(
                    "the next-page URL points to {} instead of {}; not sending the credentials there",
                    origin_text(&url),
                    origin_text(&self.base)
                ),
            });
        }
        Ok(url)
    }

    async fn get_page(&self, url: Url) -> Result<Page, ChannelError> {
        let what = http::describe(&self.id, "GET", &url);
        let response = self
            .http
            .get(url.clone())
            .basic_auth(
                self.consumer_key.expose(),
                Some(self.consumer_secret.expose()),
            )
            .header(ACCEPT, "application/json")
            .send()
            .await
            .map_err(|e| http::send_error(&what, &e))?;
        let (headers, body) = http::json_body(&what, response).await?;
        let values: Vec<serde_json::Value> = http::parse(&what, &body)?;
        let text = String::from_utf8_lossy(&body);
        let items = map::map_array(&text, &values, &self.ctx);
        let next = if values.is_empty() {
            None
        } else {
            next_url(&headers, &url)
        };
        Ok(Page {
            items,
            next: next.map(String::from),
            rate: headroom(&headers),
        })
    }
}

impl Channel for WooChannel {
    fn id(&self) -> &str {
        &self.id
    }

    fn kind(&self) -> ChannelKind {
        ChannelKind::Woocommerce
    }

    fn fetch_page(&self, request: PageRequest) -> BoxFuture<'_, Result<Page, ChannelError>> {
        Box::pin(async move {
            let url = match request {
                PageRequest::Since(since) => self.first_page_url(since),
                PageRequest::Next(token) => self.checked_next(&token)?,
            };
            self.get_page(url).await
        })
    }

    /// WooCommerce's batch endpoints take 100 objects by default
    /// (`woocommerce_rest_batch_items_limit`).
    fn max_stock_batch(&self) -> usize {
        super::stock::MAX_BATCH
    }

    fn push_stock<'a>(
        &'a self,
        pushes: &'a [StockPush],
    ) -> BoxFuture<'a, Result<Vec<Result<(), String>>, ChannelError>> {
        Box::pin(self.push_stock_levels(pushes))
    }

    fn push_fulfillment<'a>(
        &'a self,
        push: &'a FulfillmentPush,
    ) -> BoxFuture<'a, Result<(), ChannelError>> {
        Box::pin(self.push_shipment(push))
    }
}

/// `base_url` as a site root ending in `/`, so that joining `wp-json/...` keeps a sub-directory
/// install (`https://example.com/shop/`).
fn site_root(base_url: &str) -> Result<Url, String> {
    let mut url = Url::parse(base_url.trim()).map_err(|e| format!("`{base_url}`: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("`{base_url}` is not an http(s) URL"));
    }
    if url.cannot_be_a_base() || url.host_str().is_none() {
        return Err(format!("`{base_url}` has no host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("put the credentials in the environment, not in the URL".into());
    }
    url.set_query(None);
    url.set_fragment(None);
    let path = url.path().trim_end_matches('/').to_string();
    let path = path.strip_suffix("/wp-json/wc/v3").unwrap_or(&path);
    url.set_path(&format!("{path}/"));
    Ok(url)
}

fn is_loopback(url: &Url) -> bool {
    match url.host_str() {
        Some("localhost") => true,
        Some(host) => host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback()),
        None => false,
    }
}

fn origin_text(url: &Url) -> String {
    url.origin().ascii_serialization()
}

/// The next page: `Link rel="next"`, else `page` + 1 while `X-WP-TotalPages` says there is more.
/// WordPress builds `Link` from its own site URL, which can differ from `base_url` (`www.`, a
/// proxy's scheme); such a link is not followed (credentials go to `base_url` only) and the next
/// page is this URL with `page` + 1 instead, which WooCommerce answers the same way.
pub fn next_url(headers: &HeaderMap, current: &Url) -> Option<Url> {
    for value in headers.get_all(LINK) {
        let Ok(value) = value.to_str() else { continue };
        if let Some(next) = link_rel(value, "next") {
            if let Ok(url) = current.join(&next) {
                if url.origin() == current.origin() {
                    return Some(url);
                }
                return Some(with_page(current, current_page(current) + 1));
            }
        }
    }
    let total_pages: u64 = headers
        .get("x-wp-totalpages")?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    let page = current_page(current);
    (page < total_pages).then(|| with_page(current, page + 1))
}

fn current_page(url: &Url) -> u64 {
    url.query_pairs()
        .find(|(k, _)| k == "page")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(1)
}

fn with_page(url: &Url, page: u64) -> Url {
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| k != "page")
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let mut next = url.clone();
    next.query_pairs_mut()
        .clear()
        .extend_pairs(pairs)
        .append_pair("page", &page.to_string());
    next
}

/// The target of the link with relation `rel` in a `Link` header value
/// (`<https://x/wp-json/wc/v3/orders?page=2>; rel="next", <...>; rel="prev"`).
pub fn link_rel(value: &str, rel: &str) -> Option<String> {
    let mut rest = value;
    while let Some(open) = rest.find('<') {
        let close = open + rest[open..].find('>')?;
        let target = &rest[open + 1..close];
        let after = &rest[close + 1..];
        let params_end = after.find('<').unwrap_or(after.len());
        let params = &after[..params_end];
        let matches = params.split(';').any(|p| {
            let p = p.trim().trim_end_matches(',').trim();
            p.strip_prefix("rel=")
                .map(|r| {
                    r.trim_matches('"')
                        .split_whitespace()
                        .any(|r| r.eq_ignore_ascii_case(rel))
                })
                .unwrap_or(false)
        });
        if matches {
            return Some(target.to_string());
        }
        rest = &after[params_end..];
    }
    None
}

/// A host's rate-limit headers, when it sends them (WooCommerce core sends none on wc/v3).
fn headroom(headers: &HeaderMap) -> Option<RateHeadroom> {
    let num = |name: &str| -> Option<f64> {
        headers
            .get(name)?
            .to_str()
            .ok()?
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
    };
    Some(RateHeadroom {
        remaining: num("ratelimit-remaining")?,
        limit: num("ratelimit-limit")?,
    })
}
