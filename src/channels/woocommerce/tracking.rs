//! The Shipment Tracking extension (spec §2.7), used when the channel's `shipment_tracking` is
//! on: a shipment becomes a tracking item of the order, which the extension shows on the order
//! page, in the customer's account and in the "Completed order" e-mail.
//!
//! - **Provider.** ordo's carrier is matched (case, spaces and punctuation aside) against the
//!   extension's provider names and a few common spellings ([`provider_for`]): `UPS`, `USPS`,
//!   `Fedex` (the extension's own spelling: its formatter compares names exactly or by slug,
//!   so `FedEx` would find no provider), `DHL US`, ... A carrier it does not list goes as
//!   `custom_tracking_provider` with the carrier's name, and `custom_tracking_link` only when
//!   ordo knows the carrier's tracking page ([`CUSTOM_LINKS`]).
//! - **Once.** `GET /wp-json/wc-shipment-tracking/v3/orders/<id>/shipment-trackings` first: a
//!   tracking item with the same number (case and spaces aside) means an earlier attempt got
//!   that far (a crash between the send and the settle), so nothing is added. Otherwise
//!   `POST` the item (`tracking_number`, the provider, `date_shipped` as the UTC date of the
//!   shipment), which answers 201.
//! - **Versions.** v3 first; a site that answers v3 with 404 `rest_no_route` is asked v2 (an
//!   old release of the extension); the version that answered is remembered for the channel.
//!   When neither answers, the extension is not installed: the push is refused with a message
//!   saying so, which no retry would change.
//! - Throttles, 5xx, captcha pages and bad credentials are classified as every other call
//!   ([`crate::channels::http`]): retried by the pusher, or refused.

use std::sync::atomic::Ordering;

use percent_encoding::{utf8_percent_encode, NON_ALPHANUMERIC};
use reqwest::{Method, StatusCode, Url};
use serde_json::{json, Map, Value};

use super::client::WooChannel;
use crate::channels::{http, Channel, ChannelError, FulfillmentPush};

/// The extension's REST versions, newest first.
const VERSIONS: &[u8] = &[3, 2];

/// Provider names of the extension's list, with the spellings of a carrier that mean them
/// (compared by [`squash`]).
const LISTED: &[(&str, &[&str])] = &[
    ("UPS", &["ups", "unitedparcelservice"]),
    (
        "USPS",
        &[
            "usps",
            "uspostalservice",
            "unitedstatespostalservice",
            "usmail",
        ],
    ),
    (
        "Fedex",
        &[
            "fedex",
            "federalexpress",
            "fedexground",
            "fedexexpress",
            "fedexhomedelivery",
        ],
    ),
    ("FedEx Sameday", &["fedexsameday"]),
    ("DHL US", &["dhl", "dhlus"]),
    ("DHL eCommerce", &["dhlecommerce"]),
    ("OnTrac", &["ontrac"]),
    ("GlobalPost", &["globalpost"]),
    ("Canada Post", &["canadapost"]),
    ("Purolator", &["purolator"]),
    ("Australia Post", &["australiapost"]),
    ("Royal Mail", &["royalmail"]),
];

/// Carriers the extension does not list whose tracking page ordo knows: (spelling, name, link
/// with `{}` for the number).
pub const CUSTOM_LINKS: &[(&str, &str, &str)] = &[(
    "dhlexpress",
    "DHL Express",
    "https://www.dhl.com/us-en/home/tracking/tracking-express.html?submit=1&tracking-id={}",
)];

/// Lower case, letters and digits only: `Fed-Ex ` and `fedex` are the same carrier.
pub fn squash(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// How a carrier goes to the extension.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Provider {
    /// A name of the extension's list (`tracking_provider`).
    Listed(&'static str),
    /// `custom_tracking_provider`, and `custom_tracking_link` when known.
    Custom { name: String, link: Option<String> },
}

/// The provider for ordo's carrier name (see the module docs); `tracking` fills a known link.
pub fn provider_for(carrier: &str, tracking: &str) -> Provider {
    let key = squash(carrier);
    if let Some((name, _)) = LISTED
        .iter()
        .find(|(name, spellings)| squash(name) == key || spellings.contains(&key.as_str()))
    {
        return Provider::Listed(name);
    }
    if let Some((_, name, link)) = CUSTOM_LINKS.iter().find(|(k, _, _)| *k == key) {
        let number = utf8_percent_encode(tracking.trim(), NON_ALPHANUMERIC).to_string();
        return Provider::Custom {
            name: (*name).to_string(),
            link: Some(link.replace("{}", &number)),
        };
    }
    let name = carrier.trim();
    Provider::Custom {
        name: if name.is_empty() { "Other" } else { name }.to_string(),
        link: None,
    }
}

/// The body of `POST .../shipment-trackings` for a shipment.
pub fn tracking_body(push: &FulfillmentPush) -> Value {
    let mut body = Map::new();
    body.insert("tracking_number".into(), json!(push.tracking.trim()));
    match provider_for(&push.carrier, &push.tracking) {
        Provider::Listed(name) => {
            body.insert("tracking_provider".into(), json!(name));
        }
        Provider::Custom { name, link } => {
            body.insert("custom_tracking_provider".into(), json!(name));
            if let Some(link) = link {
                body.insert("custom_tracking_link".into(), json!(link));
            }
        }
    }
    body.insert(
        "date_shipped".into(),
        json!(push.shipped_at.format("%Y-%m-%d").to_string()),
    );
    Value::Object(body)
}

/// Whether two tracking numbers are the same (case and spaces aside).
pub fn same_number(a: &str, b: &str) -> bool {
    let norm = |s: &str| -> String {
        s.chars()
            .filter(|c| !c.is_whitespace())
            .flat_map(char::to_uppercase)
            .collect()
    };
    !a.trim().is_empty() && norm(a) == norm(b)
}

/// Whether a 404 answer is WordPress's "no such route" (a plugin that is not there).
pub fn is_no_route(status: StatusCode, body: &[u8]) -> bool {
    status == StatusCode::NOT_FOUND
        && serde_json::from_slice::<Value>(body)
            .ok()
            .and_then(|v| v.get("code").and_then(Value::as_str).map(str::to_string))
            .as_deref()
            == Some("rest_no_route")
}

impl WooChannel {
    /// `wp-json/wc-shipment-tracking/v<version>/orders/<id>/shipment-trackings`.
    pub fn trackings_url(&self, version: u8, order_id: &str) -> Url {
        self.site_url(&format!(
            "wp-json/wc-shipment-tracking/v{version}/orders/{order_id}/shipment-trackings"
        ))
    }

    /// The refusal when no version of the extension answers.
    fn not_installed(&self, what: String) -> ChannelError {
        ChannelError::Rejected {
            what,
            detail: format!(
                "the Shipment Tracking extension is not installed on {}; set shipment_tracking = \
                 false or install it",
                self.site()
            ),
        }
    }

    /// The order's tracking items, and the version that answered (the remembered one first,
    /// else v3 then v2).
    async fn list_trackings(
        &self,
        order_id: &str,
        intent: i64,
    ) -> Result<(u8, Vec<Value>), ChannelError> {
        let known = self.tracking_version.load(Ordering::Relaxed);
        let order: Vec<u8> = if known > 0 {
            vec![known]
        } else {
            VERSIONS.to_vec()
        };
        let mut what = String::new();
        for version in order {
            let url = self.trackings_url(version, order_id);
            what = http::describe(self.id(), "GET", &url);
            let answer = self.send(Method::GET, url, None, intent).await?;
            if is_no_route(answer.status, &answer.body) {
                continue;
            }
            let body = answer.classify(&what)?;
            let items: Vec<Value> = http::parse(&what, &body)?;
            self.tracking_version.store(version, Ordering::Relaxed);
            return Ok((version, items));
        }
        // The extension may have been removed since a version was remembered: ask afresh next
        // time.
        self.tracking_version.store(0, Ordering::Relaxed);
        Err(self.not_installed(what))
    }

    /// Adds the shipment's tracking item unless the order has it already (module docs).
    pub(super) async fn add_tracking(
        &self,
        order_id: &str,
        push: &FulfillmentPush,
        intent: i64,
    ) -> Result<(), ChannelError> {
        let (version, items) = self.list_trackings(order_id, intent).await?;
        let there = items.iter().any(|item| {
            item.get("tracking_number")
                .and_then(Value::as_str)
                .is_some_and(|n| same_number(n, &push.tracking))
        });
        if there {
            return Ok(());
        }
        let url = self.trackings_url(version, order_id);
        let what = http::describe(self.id(), "POST", &url);
        let answer = self
            .send(Method::POST, url, Some(&tracking_body(push)), intent)
            .await?;
        if is_no_route(answer.status, &answer.body) {
            self.tracking_version.store(0, Ordering::Relaxed);
            return Err(self.not_installed(what));
        }
        let body = answer.classify(&what)?;
        let saved: Value = http::parse(&what, &body)?;
        let number = saved.get("tracking_number").and_then(Value::as_str);
        if !number.is_some_and(|n| same_number(n, &push.tracking)) {
            return Err(ChannelError::Rejected {
                what,
                detail: format!(
                    "the extension answered without the tracking number {}: {}",
                    push.tracking.trim(),
                    http::snippet(&body)
                ),
            });
        }
        Ok(())
    }
}
