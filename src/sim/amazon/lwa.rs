//! Login with Amazon's token endpoint, and the access tokens it gave.

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::Engine as _;
use serde_json::json;

use super::{fnv, pairs, Sim};

pub(super) async fn lwa_token(State(sim): State<Arc<Sim>>, body: Bytes) -> Response {
    sim.token_requests.fetch_add(1, Ordering::Relaxed);
    let form: HashMap<String, String> =
        pairs(&String::from_utf8_lossy(&body)).into_iter().collect();
    let field = |k: &str| form.get(k).map(String::as_str).unwrap_or("");
    let lwa_error = |status: StatusCode, code: &str, text: &str| {
        (
            status,
            Json(json!({"error": code, "error_description": text})),
        )
            .into_response()
    };
    if field("grant_type") != "refresh_token" {
        return lwa_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "The authorization grant type is not supported by the authorization server",
        );
    }
    let s = &sim.settings;
    if field("client_id") != s.client_id || field("client_secret") != s.client_secret {
        return lwa_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "Client authentication failed",
        );
    }
    if field("refresh_token") != s.refresh_token {
        return lwa_error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "The request has an invalid grant parameter : refresh_token",
        );
    }
    let n = sim.seq.fetch_add(1, Ordering::Relaxed);
    let token = format!(
        "Atza|IwEB{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(format!("sim-{n}-{}", fnv(&n.to_be_bytes())))
    );
    sim.access_tokens
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(token.clone(), Instant::now() + s.access_token_ttl);
    sim.token_exchanges.fetch_add(1, Ordering::Relaxed);
    Json(json!({
        "access_token": token,
        "refresh_token": s.refresh_token,
        "token_type": "bearer",
        "expires_in": s.access_token_ttl.as_secs_f64().ceil() as u64,
    }))
    .into_response()
}

pub(super) fn authorized(sim: &Sim, headers: &HeaderMap) -> bool {
    let Some(token) = headers
        .get("x-amz-access-token")
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let tokens = sim.access_tokens.lock().unwrap_or_else(|p| p.into_inner());
    tokens
        .get(token)
        .is_some_and(|until| Instant::now() < *until)
}
