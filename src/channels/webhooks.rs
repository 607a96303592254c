//! The webhook receiver (`[webhooks] listen`): `POST /webhooks/{channel id}`.
//!
//! The signature is checked over the raw bytes before anything parses them (edge case 17), in
//! constant time; a bad or missing signature is answered 401 and nothing is kept. A signed
//! delivery is mapped and committed through the ledger before the 2xx goes out (invariant 1:
//! a channel that gets no 2xx sends again), which takes milliseconds, well inside Shopify's 5 s.
//! A delivery id seen before (`X-Shopify-Event-Id`, else `X-Shopify-Webhook-Id`) changes
//! nothing; an older version of an order than the stored one is ignored by the ledger; an
//! unmappable body goes to quarantine (and is still answered 200: retrying will not fix it).
//! WooCommerce's creation ping (form body `webhook_id=N`, unsigned) is answered 200 so the
//! webhook gets saved (edge case 18). Polling keeps reconciling whatever webhooks miss.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use futures_util::future::BoxFuture;

use super::poller::{update_health, SharedHealth};
use super::{shopify, woocommerce, ChannelKind, MapContext, Mapped, Secret};

/// One channel as the receiver knows it.
pub struct WebhookChannel {
    pub kind: ChannelKind,
    pub enabled: bool,
    /// None: the channel has no `webhook_secret_env`, so its webhooks are refused.
    pub secret: Option<Secret>,
    pub map: MapContext,
    pub health: Option<SharedHealth>,
}

/// What became of a delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivered {
    Created,
    Updated,
    /// A replay, an older version, or a delivery id seen before.
    Ignored(String),
    Quarantined(String),
}

/// Where deliveries go: the engine commits them through the ledger.
pub trait DeliveryIntake: Send + Sync {
    fn commit_delivery(
        &self,
        channel_id: &str,
        kind: ChannelKind,
        item: Mapped,
        delivery: Option<String>,
    ) -> BoxFuture<'_, Result<Delivered, String>>;
}

#[derive(Clone)]
struct Receiver {
    channels: Arc<HashMap<String, WebhookChannel>>,
    intake: Arc<dyn DeliveryIntake>,
}

pub fn router(
    channels: HashMap<String, WebhookChannel>,
    intake: Arc<dyn DeliveryIntake>,
) -> Router {
    Router::new()
        .route("/webhooks/{channel}", post(receive))
        .with_state(Receiver {
            channels: Arc::new(channels),
            intake,
        })
}

/// Serves the receiver until `stop` turns true.
pub async fn serve(
    listen: SocketAddr,
    router: Router,
    mut stop: tokio::sync::watch::Receiver<bool>,
) -> std::io::Result<(SocketAddr, tokio::task::JoinHandle<()>)> {
    let listener = tokio::net::TcpListener::bind(listen).await.map_err(|e| {
        std::io::Error::new(
            e.kind(),
            format!("webhooks: cannot listen on {listen}: {e}"),
        )
    })?;
    let addr = listener.local_addr()?;
    let task = tokio::spawn(async move {
        let shutdown = async move {
            while !*stop.borrow() {
                if stop.changed().await.is_err() {
                    break;
                }
            }
        };
        if let Err(e) = axum::serve(listener, router)
            .with_graceful_shutdown(shutdown)
            .await
        {
            tracing::error!("webhooks on {addr}: {e}");
        }
    });
    Ok((addr, task))
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

async fn receive(
    State(rx): State<Receiver>,
    Path(channel_id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(channel) = rx.channels.get(&channel_id) else {
        return (
            StatusCode::NOT_FOUND,
            format!("no channel `{channel_id}`\n"),
        )
            .into_response();
    };
    if !channel.enabled {
        return (
            StatusCode::NOT_FOUND,
            format!("channel `{channel_id}` is disabled\n"),
        )
            .into_response();
    }
    let content_type = header(&headers, "content-type").unwrap_or("");
    if channel.kind == ChannelKind::Woocommerce && woocommerce::is_ping(content_type, &body) {
        return (StatusCode::OK, "pong\n").into_response();
    }
    let Some(secret) = &channel.secret else {
        tracing::warn!("webhook for `{channel_id}` refused: no webhook_secret_env configured");
        return (
            StatusCode::UNAUTHORIZED,
            "webhooks are not configured for this channel\n",
        )
            .into_response();
    };
    let (signature, delivery) = match channel.kind {
        ChannelKind::Shopify => (
            header(&headers, "x-shopify-hmac-sha256"),
            header(&headers, "x-shopify-event-id")
                .map(|id| format!("event:{id}"))
                .or_else(|| {
                    header(&headers, "x-shopify-webhook-id").map(|id| format!("webhook:{id}"))
                }),
        ),
        // WooCommerce's delivery id is a hash of the time: not a stable key (edge case 1); the
        // ledger's (order, modified time) check does the deduplication.
        ChannelKind::Woocommerce => (header(&headers, "x-wc-webhook-signature"), None),
        ChannelKind::Amazon => {
            return (
                StatusCode::NOT_FOUND,
                "Amazon sends notifications through SQS, not webhooks\n",
            )
                .into_response()
        }
    };
    let verified = signature.is_some_and(|sig| match channel.kind {
        ChannelKind::Shopify => shopify::verify_webhook(secret.expose().as_bytes(), &body, sig),
        _ => woocommerce::verify_webhook(secret.expose().as_bytes(), &body, sig),
    });
    if !verified {
        tracing::warn!(
            "webhook for `{channel_id}` refused: {} signature",
            if signature.is_some() {
                "bad"
            } else {
                "missing"
            }
        );
        return (StatusCode::UNAUTHORIZED, "signature does not match\n").into_response();
    }
    let item = match channel.kind {
        ChannelKind::Shopify => shopify::map_webhook(&body, &channel.map),
        _ => woocommerce::map_webhook(&body, &channel.map),
    };
    match rx
        .intake
        .commit_delivery(&channel_id, channel.kind, item, delivery)
        .await
    {
        Ok(outcome) => {
            if let Some(h) = &channel.health {
                update_health(h, |h| h.webhooks += 1);
            }
            tracing::info!("webhook for `{channel_id}`: {outcome:?}");
            (StatusCode::OK, format!("{outcome:?}\n")).into_response()
        }
        Err(e) => {
            // Not stored, so not acknowledged: the channel will send it again.
            tracing::error!("webhook for `{channel_id}` not stored: {e}");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "not stored; send again later\n",
            )
                .into_response()
        }
    }
}
