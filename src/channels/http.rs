//! What every connector does with an HTTP answer before it looks at the JSON: check the status
//! *and* the content type (channels serve HTML error pages, captcha pages with 202, PHP warnings
//! inside a 200), honor `Retry-After`, notice a body shorter than its `Content-Length`, and keep
//! the first bytes of a bad body in the error (edge cases 5-8). Messages name the request by its
//! path, never by a URL that could carry a credential.

use std::time::Duration;

use reqwest::header::HeaderMap;
use reqwest::{Response, StatusCode};

use super::ChannelError;

/// How long one request may take, connection included.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(20);
/// How much of a bad body an error message keeps.
const SNIPPET_BYTES: usize = 200;

/// The HTTP client every connector uses: compression negotiated by reqwest (edge case 7), a
/// timeout on every request, no redirects to other hosts' login pages followed silently.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(REQUEST_TIMEOUT)
        .connect_timeout(Duration::from_secs(5))
        // Credentials travel in custom headers (X-Shopify-Access-Token, x-amz-access-token)
        // that reqwest does not strip on a redirect: never follow one to another origin.
        .redirect(reqwest::redirect::Policy::custom(|attempt| {
            let cross_origin = attempt
                .previous()
                .first()
                .is_some_and(|first| first.origin() != attempt.url().origin());
            if cross_origin || attempt.previous().len() >= 3 {
                attempt.stop()
            } else {
                attempt.follow()
            }
        }))
        .user_agent(concat!("ordo/", env!("CARGO_PKG_VERSION")))
        .build()
        // Building a client only fails when the TLS backend cannot start, which with rustls
        // compiled in cannot happen.
        .expect("the HTTP client builds")
}

/// A request's name in messages: channel id and method + path, no query (queries carry
/// consumer keys on some WooCommerce hosts) and no credentials.
pub fn describe(channel: &str, method: &str, url: &reqwest::Url) -> String {
    format!("{channel}: {method} {}", url.path())
}

/// The answer's body when it is a JSON success; otherwise the classified error. `what` names
/// the request (see [`describe`]).
pub async fn json_body(
    what: &str,
    response: Response,
) -> Result<(HeaderMap, Vec<u8>), ChannelError> {
    let status = response.status();
    let headers = response.headers().clone();
    let expected_len = response.content_length();
    let body = match response.bytes().await {
        Ok(b) => b.to_vec(),
        Err(e) => {
            return Err(ChannelError::Transient {
                what: what.to_string(),
                detail: format!("the body broke off: {}", error_chain(&e)),
            })
        }
    };
    classify(what, status, &headers, expected_len, body).map(|body| (headers, body))
}

/// The pure part of [`json_body`], testable without a server.
pub fn classify(
    what: &str,
    status: StatusCode,
    headers: &HeaderMap,
    expected_len: Option<u64>,
    body: Vec<u8>,
) -> Result<Vec<u8>, ChannelError> {
    let what = what.to_string();
    if status == StatusCode::TOO_MANY_REQUESTS {
        return Err(ChannelError::RateLimited {
            what,
            retry_after: retry_after(headers),
        });
    }
    if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
        return Err(ChannelError::Auth {
            what,
            detail: format!("HTTP {status}: {}", snippet(&body)),
        });
    }
    if status.is_server_error() || status == StatusCode::REQUEST_TIMEOUT {
        return Err(ChannelError::Transient {
            what,
            detail: format!("HTTP {status}: {}", snippet(&body)),
        });
    }
    if !status.is_success() {
        return Err(ChannelError::Rejected {
            what,
            detail: format!("HTTP {status}: {}", snippet(&body)),
        });
    }
    if let Some(expected) = expected_len {
        if (body.len() as u64) < expected {
            return Err(ChannelError::Transient {
                what,
                detail: format!("truncated body: {} of {expected} bytes arrived", body.len()),
            });
        }
    }
    let content_type = headers
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let looks_like_json = matches!(
        body.iter().find(|b| !b.is_ascii_whitespace()),
        Some(b'{') | Some(b'[')
    );
    if !content_type.contains("json") || !looks_like_json {
        // A 2xx that is not JSON is somebody in between (a captcha, a proxy, a PHP warning):
        // retryable interference, never an empty result (edge case 6).
        return Err(ChannelError::Transient {
            what,
            detail: format!(
                "HTTP {status} with {} instead of JSON: {}",
                if content_type.is_empty() {
                    "no content type"
                } else {
                    content_type
                },
                snippet(&body)
            ),
        });
    }
    if status == StatusCode::ACCEPTED {
        // WooCommerce hosts answer a bot check with 202; a real list answer is 200.
        return Err(ChannelError::Transient {
            what,
            detail: format!("HTTP 202 instead of 200: {}", snippet(&body)),
        });
    }
    Ok(body)
}

/// Parses a JSON body into `T`; a body that ends early is a retryable truncation, any other
/// mismatch is a rejection naming the field.
pub fn parse<T: serde::de::DeserializeOwned>(what: &str, body: &[u8]) -> Result<T, ChannelError> {
    serde_json::from_slice(body).map_err(|e| {
        if e.is_eof() {
            ChannelError::Transient {
                what: what.to_string(),
                detail: format!("truncated JSON ({e}): {}", snippet(body)),
            }
        } else {
            ChannelError::Rejected {
                what: what.to_string(),
                detail: format!("unexpected JSON ({e}): {}", snippet(body)),
            }
        }
    })
}

/// A failed send (connect, timeout, reset) as a retryable error.
pub fn send_error(what: &str, e: &reqwest::Error) -> ChannelError {
    ChannelError::Transient {
        what: what.to_string(),
        detail: if e.is_timeout() {
            "timed out".to_string()
        } else {
            error_chain(e)
        },
    }
}

/// `Retry-After` in seconds (Shopify sends fractions such as `2.0`); HTTP dates are rare from
/// these APIs and are treated as absent.
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?;
    let secs: f64 = value.trim().parse().ok()?;
    (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs.min(3600.0)))
}

/// The first bytes of a body, on one line, for an error message.
pub fn snippet(body: &[u8]) -> String {
    let cut = body.len().min(SNIPPET_BYTES);
    let text = String::from_utf8_lossy(&body[..cut]);
    let mut one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if body.len() > cut {
        one_line.push('…');
    }
    if one_line.is_empty() {
        "(empty body)".to_string()
    } else {
        one_line
    }
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    // reqwest puts the URL in its messages; queries may hold credentials on some hosts.
    strip_queries(&out)
}

fn strip_queries(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_query = false;
    for c in text.chars() {
        if c == '?' {
            in_query = true;
            out.push_str("?…");
            continue;
        }
        if in_query && (c.is_whitespace() || c == ')') {
            in_query = false;
        }
        if !in_query {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderValue, CONTENT_TYPE, RETRY_AFTER};

    fn headers(ct: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(CONTENT_TYPE, HeaderValue::from_str(ct).unwrap());
        h
    }

    #[test]
    fn json_success_passes() {
        let body = br#"{"orders":[]}"#.to_vec();
        let got = classify(
            "x",
            StatusCode::OK,
            &headers("application/json; charset=utf-8"),
            None,
            body,
        );
        assert!(got.is_ok());
    }

    #[test]
    fn html_with_200_is_retryable_interference_with_a_snippet() {
        let body = b"<html><body>Warning: PHP Fatal error</body></html>".to_vec();
        let err = classify(
            "shop: GET /orders",
            StatusCode::OK,
            &headers("text/html"),
            None,
            body,
        )
        .unwrap_err();
        assert!(err.is_retryable());
        let msg = err.to_string();
        assert!(
            msg.contains("text/html") && msg.contains("PHP Fatal"),
            "{msg}"
        );
    }

    #[test]
    fn captcha_202_is_retryable() {
        let err = classify(
            "x",
            StatusCode::ACCEPTED,
            &headers("text/html"),
            None,
            b"<meta http-equiv=refresh>".to_vec(),
        )
        .unwrap_err();
        assert!(err.is_retryable());
    }

    #[test]
    fn throttle_keeps_fractional_retry_after_even_with_an_html_body() {
        let mut h = headers("text/html");
        h.insert(RETRY_AFTER, HeaderValue::from_static("2.0"));
        let err = classify(
            "x",
            StatusCode::TOO_MANY_REQUESTS,
            &h,
            None,
            b"<html>slow down</html>".to_vec(),
        )
        .unwrap_err();
        assert_eq!(
            err,
            ChannelError::RateLimited {
                what: "x".into(),
                retry_after: Some(Duration::from_secs(2))
            }
        );
    }

    #[test]
    fn short_body_is_truncation() {
        let err = classify(
            "x",
            StatusCode::OK,
            &headers("application/json"),
            Some(100),
            b"{\"orders\":[".to_vec(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("truncated"), "{err}");
        assert!(err.is_retryable());
    }

    #[test]
    fn json_eof_is_retryable_but_wrong_shape_is_not() {
        #[derive(serde::Deserialize, Debug)]
        struct Orders {
            #[allow(dead_code)]
            orders: Vec<u32>,
        }
        assert!(parse::<Orders>("x", b"{\"orders\":[1,2")
            .unwrap_err()
            .is_retryable());
        assert!(!parse::<Orders>("x", b"{\"orders\":\"no\"}")
            .unwrap_err()
            .is_retryable());
    }

    #[test]
    fn auth_and_server_errors_are_classified() {
        let h = headers("application/json");
        assert!(matches!(
            classify("x", StatusCode::UNAUTHORIZED, &h, None, vec![]),
            Err(ChannelError::Auth { .. })
        ));
        assert!(matches!(
            classify("x", StatusCode::BAD_GATEWAY, &h, None, vec![]),
            Err(ChannelError::Transient { .. })
        ));
        assert!(matches!(
            classify("x", StatusCode::BAD_REQUEST, &h, None, vec![]),
            Err(ChannelError::Rejected { .. })
        ));
    }

    #[test]
    fn error_text_loses_queries() {
        assert_eq!(
            strip_queries("error sending request for url (http://h/x?consumer_secret=cs_1)"),
            "error sending request for url (http://h/x?…)"
        );
    }
}
