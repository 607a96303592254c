//! Polling Shopify's REST Admin API: `GET /admin/api/{version}/orders.json?status=any&
//! updated_at_min=...&limit=...`, then the `Link` header's `rel="next"` URL exactly as given
//! (edge case 9), with the access token in `X-Shopify-Access-Token` and the leaky bucket read
//! from `X-Shopify-Shop-Api-Call-Limit`.

use chrono::{DateTime, SecondsFormat, Utc};
use futures_util::future::BoxFuture;
use reqwest::header::{HeaderMap, HeaderValue, ACCEPT};
use reqwest::Url;
use serde::de::IgnoredAny;
use serde::Deserialize;

use super::list::order_elements;
use super::map::map_order;
use super::push::{PushState, STOCK_BATCH};
use crate::channels::{
    http, secret, Channel, ChannelConfig, ChannelError, ChannelKind, ChannelSettings, EnvLookup,
    FulfillmentPush, MapContext, Page, PageRequest, RateHeadroom, Secret, StockPush,
};

/// Shopify's largest page.
pub const MAX_PAGE_SIZE: u32 = 250;
/// The header that carries the access token.
pub const TOKEN_HEADER: &str = "X-Shopify-Access-Token";
/// The header that tells the REST leaky bucket's state.
pub const CALL_LIMIT_HEADER: &str = "X-Shopify-Shop-Api-Call-Limit";

/// The connector of one `[[channels]]` entry of kind `shopify`.
pub struct ShopifyChannel {
    pub(super) id: String,
    /// `{base_url}/admin/api/{version}/orders.json`; the other resources are its siblings.
    pub(super) orders_url: Url,
    pub(super) token: Secret,
    page_size: u32,
    pub(super) ctx: MapContext,
    pub(super) client: reqwest::Client,
    /// `location_id` of the config: where stock levels are set (else the shop's first active
    /// location, see [`ShopifyChannel::push_stock`](crate::channels::Channel::push_stock)).
    pub(super) location_id: Option<u64>,
    /// The location found in `locations.json` and the SKU → inventory item cache.
    pub(super) push: PushState,
}

impl std::fmt::Debug for ShopifyChannel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ShopifyChannel")
            .field("id", &self.id)
            .field("orders_url", &self.orders_url.as_str())
            .field("token", &self.token)
            .field("page_size", &self.page_size)
            .field("location_id", &self.location_id)
            .finish()
    }
}

impl ShopifyChannel {
    /// Reads the token from the variable `token_env` names; the error names the channel and
    /// the variable, never a value.
    pub fn new(config: &ChannelConfig, env: EnvLookup<'_>) -> Result<ShopifyChannel, String> {
        let ChannelSettings::Shopify {
            token_env,
            api_version,
            location_id,
            ..
        } = &config.settings
        else {
            return Err(format!(
                "channel `{}`: not a Shopify channel (kind {:?})",
                config.id, config.kind
            ));
        };
        let token = secret(&config.id, "token_env", token_env, env)?;
        let version = if api_version.trim().is_empty() {
            crate::config::DEFAULT_SHOPIFY_API_VERSION
        } else {
            api_version.trim()
        };
        let base = config.base_url.trim().trim_end_matches('/');
        let orders_url = Url::parse(&format!("{base}/admin/api/{version}/orders.json"))
            .map_err(|e| format!("channel `{}`: base_url `{base}`: {e}", config.id))?;
        if !matches!(orders_url.scheme(), "http" | "https") || orders_url.host().is_none() {
            return Err(format!(
                "channel `{}`: base_url `{base}` must be an http(s) URL such as https://SHOP.myshopify.com",
                config.id
            ));
        }
        Ok(ShopifyChannel {
            id: config.id.clone(),
            orders_url,
            token,
            page_size: config
                .page_size
                .unwrap_or(MAX_PAGE_SIZE)
                .clamp(1, MAX_PAGE_SIZE),
            ctx: MapContext::from(config),
            client: http::client(),
            location_id: location_id.filter(|l| *l > 0),
            push: PushState::default(),
        })
    }

    /// The first page of a window: every status (edge case 11), changed at or after `since`.
    pub fn first_page_url(&self, since: DateTime<Utc>) -> Url {
        let mut url = self.orders_url.clone();
        url.query_pairs_mut()
            .append_pair("status", "any")
            .append_pair(
                "updated_at_min",
                &since.to_rfc3339_opts(SecondsFormat::Secs, true),
            )
            .append_pair("limit", &self.page_size.to_string());
        url
    }

    /// A next-page URL as Shopify gave it, refused when it points anywhere but the shop, so
    /// the token is never sent elsewhere.
    pub(super) fn next_page_url(&self, next: &str) -> Result<Url, ChannelError> {
        let what = format!("{}: GET next page", self.id);
        let url = Url::parse(next).map_err(|e| ChannelError::Rejected {
            what: what.clone(),
            detail: format!("the next-page link is not a URL ({e})"),
        })?;
        if url.origin() != self.orders_url.origin() {
            return Err(ChannelError::Rejected {
                what,
                detail: format!(
                    "the next-page link points to {}, not to the shop at {}; not sending the token there",
                    url.origin().ascii_serialization(),
                    self.orders_url.origin().ascii_serialization()
                ),
            });
        }
        Ok(url)
    }

    /// The access token as a header value marked sensitive (never logged by the client).
    pub(super) fn token_header(&self, what: &str) -> Result<HeaderValue, ChannelError> {
        let mut token =
            HeaderValue::from_str(self.token.expose()).map_err(|_| ChannelError::Auth {
                what: what.to_string(),
                detail: "the access token holds characters a header cannot carry".into(),
            })?;
        token.set_sensitive(true);
        Ok(token)
    }

    async fn fetch(&self, request: PageRequest) -> Result<Page, ChannelError> {
        let (url, is_next) = match &request {
            PageRequest::Since(since) => (self.first_page_url(*since), false),
            PageRequest::Next(next) => (self.next_page_url(next)?, true),
        };
        let what = http::describe(&self.id, "GET", &url);
        let token = self.token_header(&what)?;
        let response = self
            .client
            .get(url)
            .header(TOKEN_HEADER, token)
            .header(ACCEPT, "application/json")
            .send()
            .await
            .map_err(|e| http::send_error(&what, &e))?;
        let (headers, body) = match http::json_body(&what, response).await {
            Ok(answer) => answer,
            Err(ChannelError::Rejected { what, detail }) if is_next && cursor_refused(&detail) => {
                return Err(ChannelError::CursorExpired { what, detail });
            }
            Err(e) => return Err(e),
        };
        if let Some(reason) = headers
            .get("x-shopify-api-deprecated-reason")
            .and_then(|v| v.to_str().ok())
        {
            // Edge case 23: the pinned version is going away; say so before it breaks.
            tracing::warn!(channel = %self.id, %reason, "Shopify reports a deprecated API call");
        }
        // Classifies a truncated body (retryable) apart from a wrong shape.
        #[derive(Deserialize)]
        struct ListShape {
            #[allow(dead_code)]
            orders: Vec<IgnoredAny>,
        }
        http::parse::<ListShape>(&what, &body)?;
        let elements = order_elements(&body).map_err(|detail| ChannelError::Rejected {
            what: what.clone(),
            detail,
        })?;
        Ok(Page {
            items: elements
                .into_iter()
                .map(|raw| map_order(raw, &self.ctx))
                .collect(),
            next: link(&headers, "next"),
            rate: call_limit(&headers),
        })
    }
}

impl Channel for ShopifyChannel {
    fn id(&self) -> &str {
        &self.id
    }

    fn kind(&self) -> ChannelKind {
        ChannelKind::Shopify
    }

    fn fetch_page(&self, request: PageRequest) -> BoxFuture<'_, Result<Page, ChannelError>> {
        Box::pin(self.fetch(request))
    }

    /// One `inventory_levels/set.json` call per SKU, so one SKU per batch: a throttle then
    /// costs no confirmed work (see [`STOCK_BATCH`]).
    fn max_stock_batch(&self) -> usize {
        STOCK_BATCH
    }

    fn push_stock<'a>(
        &'a self,
        pushes: &'a [StockPush],
    ) -> BoxFuture<'a, Result<Vec<Result<(), String>>, ChannelError>> {
        Box::pin(self.set_levels(pushes))
    }

    fn push_fulfillment<'a>(
        &'a self,
        push: &'a FulfillmentPush,
    ) -> BoxFuture<'a, Result<(), ChannelError>> {
        Box::pin(self.fulfil(push))
    }
}

/// Whether a 400 on a `page_info` request refuses the cursor itself (expired, malformed), as
/// opposed to a filter sent alongside it, which is ordo's bug and not cured by starting over.
pub fn cursor_refused(detail: &str) -> bool {
    let d = detail.to_ascii_lowercase();
    d.contains("page_info") && !d.contains("cannot be passed")
}

/// The URL of the `Link` header's relation `rel` (`next`, `previous`), exactly as written.
pub fn link(headers: &HeaderMap, rel: &str) -> Option<String> {
    headers
        .get_all(reqwest::header::LINK)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| parse_link(v, rel))
}

/// `<url>; rel="next", <url>; rel="previous"`: the URL whose parameters name `rel`.
pub fn parse_link(value: &str, rel: &str) -> Option<String> {
    let mut rest = value;
    while let Some(open) = rest.find('<') {
        let after = &rest[open + 1..];
        let close = after.find('>')?;
        let url = &after[..close];
        let params_end = after[close..].find('<').map_or(after.len(), |i| close + i);
        let params = &after[close + 1..params_end];
        let names_rel = params.split(';').any(|p| {
            let Some((key, val)) = p.split_once('=') else {
                return false;
            };
            key.trim().eq_ignore_ascii_case("rel")
                && val
                    .trim()
                    .trim_end_matches(',')
                    .trim()
                    .trim_matches('"')
                    .split_whitespace()
                    .any(|r| r.eq_ignore_ascii_case(rel))
        });
        if names_rel {
            return Some(url.trim().to_string());
        }
        rest = &after[params_end..];
    }
    None
}

/// `X-Shopify-Shop-Api-Call-Limit: used/bucket`.
pub fn call_limit(headers: &HeaderMap) -> Option<RateHeadroom> {
    parse_call_limit(headers.get(CALL_LIMIT_HEADER)?.to_str().ok()?)
}

pub fn parse_call_limit(value: &str) -> Option<RateHeadroom> {
    let (used, bucket) = value.trim().split_once('/')?;
    let used: f64 = used.trim().parse().ok()?;
    let bucket: f64 = bucket.trim().parse().ok()?;
    (used.is_finite() && bucket.is_finite() && bucket > 0.0 && used >= 0.0).then(|| RateHeadroom {
        remaining: (bucket - used).max(0.0),
        limit: bucket,
    })
}
