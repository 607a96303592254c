//! The Amazon connector: Orders API v2026-01-01 `searchOrders`, paged by `paginationToken`,
//! authorized by a cached LWA access token.
//!
//! A window is `lastUpdatedAfter=<since>` and no `lastUpdatedBefore` (Amazon refuses one less
//! than two minutes before now, edge case 12). Amazon wants the original filters repeated with
//! every token, so the page token ordo keeps ([`Page::next`]) is the pair of Amazon's
//! `nextToken` and the window's start, as JSON; the query builder encodes the token exactly
//! once (it holds `+ / =`, edge case 9). A token Amazon no longer takes (expired after 24 h,
//! or undecodable) is [`ChannelError::CursorExpired`]: the poller starts the window again from
//! its watermark (edge case 10).

use chrono::{DateTime, SecondsFormat, Utc};
use futures_util::future::BoxFuture;
use reqwest::header::HeaderMap;
use reqwest::StatusCode;
use serde::{Deserialize, Serialize};

use super::lwa::{self, Credentials, Lwa};
use super::map;
use super::pacing::{Pacer, DEFAULT_PUSH_BURST, DEFAULT_PUSH_RATE};
use super::wire::SearchOrdersResponse;
use crate::channels::{
    http, secret, Channel, ChannelConfig, ChannelError, ChannelKind, ChannelSettings, EnvLookup,
    FulfillmentPush, MapContext, Page, PageRequest, RateHeadroom, Secret, StockPush,
};

/// The path of `searchOrders`.
pub const SEARCH_ORDERS_PATH: &str = "/orders/2026-01-01/orders";
/// The most orders Amazon gives on one page.
pub const MAX_PAGE_SIZE: u32 = 100;
/// What each order must carry for ordo: buyer, address, money, status.
pub const INCLUDED_DATA: &str = "BUYER,RECIPIENT,PROCEEDS,FULFILLMENT";
/// Orders the seller ships (FBM): Amazon ships its own (FBA) orders from its warehouses, so
/// they are not ordo's to route.
pub const FULFILLED_BY: &str = "MERCHANT";

/// ordo's page token: Amazon's `nextToken` with the window it belongs to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cursor {
    /// The window's `lastUpdatedAfter`, repeated with the token as Amazon requires.
    pub since: DateTime<Utc>,
    /// Amazon's `pagination.nextToken`, exactly as it came.
    pub token: String,
}

impl Cursor {
    pub fn encode(&self) -> String {
        serde_json::to_string(self).expect("a cursor serializes")
    }

    pub fn decode(text: &str) -> Option<Cursor> {
        serde_json::from_str(text).ok()
    }
}

/// One Amazon seller account in one region.
pub struct AmazonChannel {
    pub(super) id: String,
    ctx: MapContext,
    /// The API's root, without a trailing slash.
    pub(super) base_url: String,
    search_url: reqwest::Url,
    pub(super) marketplace_ids: Vec<String>,
    /// The merchant token listings pushes name (`seller_id`); None = stock pushes are refused.
    pub(super) seller_id: Option<String>,
    page_size: u32,
    pub(super) client: reqwest::Client,
    pub(super) lwa: Lwa,
    /// Paces listings pushes to the usage plan (see `pacing`).
    pub(super) pacer: Pacer,
}

impl std::fmt::Debug for AmazonChannel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AmazonChannel")
            .field("id", &self.id)
            .field("search_url", &self.search_url.as_str())
            .field("marketplace_ids", &self.marketplace_ids)
            .field("seller_id", &self.seller_id)
            .field("page_size", &self.page_size)
            .field("push_plan", &self.pacer.plan())
            .finish_non_exhaustive()
    }
}

impl AmazonChannel {
    /// The connector of a configured `kind = "amazon"` channel, its LWA credentials read
    /// through `env`. Errors name the channel and the key, never a value.
    pub fn new(config: &ChannelConfig, env: EnvLookup<'_>) -> Result<AmazonChannel, String> {
        let id = &config.id;
        let ChannelSettings::Amazon {
            refresh_token_env,
            client_id_env,
            client_secret_env,
            token_url,
            marketplace_ids,
            seller_id,
            push_rate,
            push_burst,
        } = &config.settings
        else {
            return Err(format!("channel `{id}`: not an Amazon channel"));
        };
        let credentials = Credentials {
            refresh_token: secret(id, "refresh_token_env", refresh_token_env, env)?,
            client_id: secret(id, "client_id_env", client_id_env, env)?,
            client_secret: secret(id, "client_secret_env", client_secret_env, env)?,
        };
        let base = config.base_url.trim().trim_end_matches('/');
        let search_url = reqwest::Url::parse(&format!("{base}{SEARCH_ORDERS_PATH}"))
            .map_err(|e| format!("channel `{id}`: base_url `{}`: {e}", config.base_url))?;
        let token_url = reqwest::Url::parse(token_url.trim())
            .map_err(|e| format!("channel `{id}`: token_url `{token_url}`: {e}"))?;
        let marketplace_ids: Vec<String> = marketplace_ids
            .iter()
            .map(|m| m.trim().to_string())
            .filter(|m| !m.is_empty())
            .collect();
        if marketplace_ids.is_empty() {
            return Err(format!(
                "channel `{id}`: marketplace_ids needs at least one marketplace (e.g. ATVPDKIKX0DER)"
            ));
        }
        let seller_id = seller_id
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from);
        Ok(AmazonChannel {
            id: id.clone(),
            ctx: MapContext::from(config),
            base_url: base.to_string(),
            search_url,
            marketplace_ids,
            seller_id,
            page_size: config
                .page_size
                .unwrap_or(MAX_PAGE_SIZE)
                .clamp(1, MAX_PAGE_SIZE),
            client: http::client(),
            lwa: Lwa::new(token_url, credentials),
            pacer: Pacer::new(
                push_rate
                    .and_then(|r| rust_decimal::prelude::ToPrimitive::to_f64(&r))
                    .unwrap_or(DEFAULT_PUSH_RATE),
                push_burst.unwrap_or(DEFAULT_PUSH_BURST),
            ),
        })
    }

    /// Listings pushes paced at `rate` requests a second with bursts of `burst` (until Amazon
    /// answers with its own rate, which is then adopted).
    pub fn with_push_plan(mut self, rate: f64, burst: u32) -> AmazonChannel {
        self.pacer = Pacer::new(rate, burst);
        self
    }

    /// The listings push plan in force: (requests a second, burst).
    pub fn push_plan(&self) -> (f64, u32) {
        self.pacer.plan()
    }

    /// The `searchOrders` URL of a page: the window's filters, and the token when there is one.
    pub fn page_url(&self, cursor: &Cursor0) -> reqwest::Url {
        let mut url = self.search_url.clone();
        {
            let mut q = url.query_pairs_mut();
            q.append_pair(
                "lastUpdatedAfter",
                &cursor.since.to_rfc3339_opts(SecondsFormat::Secs, true),
            );
            q.append_pair("marketplaceIds", &self.marketplace_ids.join(","));
            q.append_pair("fulfilledBy", FULFILLED_BY);
            q.append_pair("maxResultsPerPage", &self.page_size.to_string());
            q.append_pair("includedData", INCLUDED_DATA);
            if let Some(token) = &cursor.token {
                q.append_pair("paginationToken", token);
            }
        }
        url
    }

    async fn fetch(&self, request: PageRequest) -> Result<Page, ChannelError> {
        let cursor = match request {
            PageRequest::Since(since) => Cursor0 { since, token: None },
            PageRequest::Next(text) => match Cursor::decode(&text) {
                Some(c) => Cursor0 {
                    since: c.since,
                    token: Some(c.token),
                },
                None => {
                    return Err(ChannelError::CursorExpired {
                        what: format!("{}: GET {SEARCH_ORDERS_PATH}", self.id),
                        detail: "the stored page token is not one this connector wrote".into(),
                    })
                }
            },
        };
        let url = self.page_url(&cursor);
        let what = http::describe(&self.id, "GET", &url);
        let token = self.lwa.token(&self.client, &self.id).await?;
        self.request(url, what, &cursor, &token)
            .await
            .map_err(|e| lwa::scrub_error(e, &[token.expose()]))
    }

    async fn request(
        &self,
        url: reqwest::Url,
        what: String,
        cursor: &Cursor0,
        token: &Secret,
    ) -> Result<Page, ChannelError> {
        let response = self
            .client
            .get(url)
            .header("x-amz-access-token", token.expose())
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(|e| http::send_error(&what, &e))?;
        let status = response.status();
        if status == StatusCode::BAD_REQUEST {
            let body = response.bytes().await.unwrap_or_default();
            let detail = format!("HTTP {status}: {}", http::snippet(&body));
            return Err(if cursor.token.is_some() && is_token_refusal(&body) {
                ChannelError::CursorExpired { what, detail }
            } else {
                ChannelError::Rejected { what, detail }
            });
        }
        let (headers, body) = match http::json_body(&what, response).await {
            Ok(ok) => ok,
            Err(e @ ChannelError::Auth { .. }) => {
                // Revoked, malformed or expired: the next fetch exchanges a new one.
                self.lwa.forget(token).await;
                return Err(e);
            }
            Err(e) => return Err(e),
        };
        let answer: SearchOrdersResponse = http::parse(&what, &body)?;
        let items = answer
            .orders
            .iter()
            .map(|o| map::map_2026(o, &self.ctx))
            .collect();
        let next = answer
            .pagination
            .and_then(|p| p.next_token)
            .filter(|t| !t.trim().is_empty())
            .map(|token| {
                Cursor {
                    since: cursor.since,
                    token,
                }
                .encode()
            });
        Ok(Page {
            items,
            next,
            rate: headroom(&headers),
        })
    }
}

/// A page's window and token, as sent.
#[derive(Debug, Clone, PartialEq)]
pub struct Cursor0 {
    pub since: DateTime<Utc>,
    pub token: Option<String>,
}

/// Whether a 400 body is Amazon refusing the pagination token (expired, or "We could not
/// decode your NextToken").
pub fn is_token_refusal(body: &[u8]) -> bool {
    #[derive(Deserialize, Default)]
    #[serde(default)]
    struct Errors {
        errors: Vec<ApiError>,
    }
    #[derive(Deserialize, Default)]
    #[serde(default)]
    struct ApiError {
        code: String,
        message: String,
        details: Option<String>,
    }
    let Ok(errors) = serde_json::from_slice::<Errors>(body) else {
        return false;
    };
    errors.errors.iter().any(|e| {
        let text = format!("{} {}", e.message, e.details.as_deref().unwrap_or("")).to_lowercase();
        e.code == "InvalidInput"
            && (text.contains("token") || text.contains("pagination"))
            && !text.contains("access token")
    })
}

/// `x-amzn-RateLimit-Limit`: the rate Amazon applies (requests a second). Amazon does not say
/// how much of the burst is left, so `remaining` is the limit too.
pub fn headroom(headers: &HeaderMap) -> Option<RateHeadroom> {
    let limit: f64 = headers
        .get("x-amzn-ratelimit-limit")?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    (limit.is_finite() && limit > 0.0).then_some(RateHeadroom {
        remaining: limit,
        limit,
    })
}

impl Channel for AmazonChannel {
    fn id(&self) -> &str {
        &self.id
    }

    fn kind(&self) -> ChannelKind {
        ChannelKind::Amazon
    }

    fn fetch_page(&self, request: PageRequest) -> BoxFuture<'_, Result<Page, ChannelError>> {
        Box::pin(async move {
            self.fetch(request).await.map_err(|e| {
                let creds: &Credentials = self.lwa.credentials();
                lwa::scrub_error(e, &creds.values())
            })
        })
    }

    /// One SKU per call: `patchListingsItem` takes one SKU per request (see `push`).
    fn max_stock_batch(&self) -> usize {
        1
    }

    /// The listings bucket's wait (see `pacing`).
    fn stock_push_wait(&self) -> std::time::Duration {
        self.pacer.wait()
    }

    fn push_stock<'a>(
        &'a self,
        pushes: &'a [StockPush],
    ) -> BoxFuture<'a, Result<Vec<Result<(), String>>, ChannelError>> {
        Box::pin(async move {
            self.push_levels(pushes)
                .await
                .map_err(|e| lwa::scrub_error(e, &self.lwa.credentials().values()))
        })
    }

    fn push_fulfillment<'a>(
        &'a self,
        push: &'a FulfillmentPush,
    ) -> BoxFuture<'a, Result<(), ChannelError>> {
        Box::pin(async move {
            self.confirm_shipment(push)
                .await
                .map_err(|e| lwa::scrub_error(e, &self.lwa.credentials().values()))
        })
    }
}
