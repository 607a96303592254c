//! Login with Amazon: the refresh token, client id and client secret are exchanged for an
//! access token (`POST token_url`, form `grant_type=refresh_token&...`), which is cached until
//! shortly before it expires (an hour on Amazon) and sent as `x-amz-access-token`. One exchange
//! at a time: the cache's lock is held across it, so pages fetched together share one token.

use std::time::{Duration, Instant};

use serde::Deserialize;

use crate::channels::http;
use crate::channels::{ChannelError, Secret};

/// The most an access token is given up before it expires (clocks and flight time).
const EARLY: Duration = Duration::from_secs(60);

/// What an access token is exchanged with.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub refresh_token: Secret,
    pub client_id: Secret,
    pub client_secret: Secret,
}

impl Credentials {
    /// The values no message may show.
    pub fn values(&self) -> [&str; 3] {
        [
            self.refresh_token.expose(),
            self.client_id.expose(),
            self.client_secret.expose(),
        ]
    }
}

/// A cached access token and when it stops being used.
#[derive(Debug, Clone)]
pub struct CachedToken {
    pub token: Secret,
    pub use_until: Instant,
}

impl CachedToken {
    /// A token obtained at `obtained` that Amazon says lives `expires_in` seconds is used until
    /// a tenth of its life (at most a minute) before that.
    pub fn new(token: Secret, obtained: Instant, expires_in: u64) -> CachedToken {
        let life = Duration::from_secs(expires_in);
        let early = (life / 10).min(EARLY);
        CachedToken {
            token,
            use_until: obtained + life - early,
        }
    }

    pub fn usable(&self, now: Instant) -> bool {
        now < self.use_until
    }
}

/// The token cache of one channel.
#[derive(Debug)]
pub struct Lwa {
    token_url: reqwest::Url,
    credentials: Credentials,
    cache: tokio::sync::Mutex<Option<CachedToken>>,
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: String,
    #[serde(default)]
    expires_in: Option<u64>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct TokenError {
    error: Option<String>,
    error_description: Option<String>,
}

impl Lwa {
    pub fn new(token_url: reqwest::Url, credentials: Credentials) -> Lwa {
        Lwa {
            token_url,
            credentials,
            cache: tokio::sync::Mutex::new(None),
        }
    }

    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    /// The cached access token, or a new one from the token endpoint.
    pub async fn token(
        &self,
        client: &reqwest::Client,
        channel: &str,
    ) -> Result<Secret, ChannelError> {
        let mut cache = self.cache.lock().await;
        if let Some(cached) = cache.as_ref() {
            if cached.usable(Instant::now()) {
                return Ok(cached.token.clone());
            }
        }
        *cache = None;
        let obtained = Instant::now();
        let (token, expires_in) = self.exchange(client, channel).await?;
        let cached = CachedToken::new(token, obtained, expires_in);
        let token = cached.token.clone();
        *cache = Some(cached);
        Ok(token)
    }

    /// Forgets `used` when it is still the cached token (Amazon refused it).
    pub async fn forget(&self, used: &Secret) {
        let mut cache = self.cache.lock().await;
        if cache.as_ref().is_some_and(|c| &c.token == used) {
            *cache = None;
        }
    }

    async fn exchange(
        &self,
        client: &reqwest::Client,
        channel: &str,
    ) -> Result<(Secret, u64), ChannelError> {
        let what = http::describe(channel, "POST", &self.token_url);
        let form = [
            ("grant_type", "refresh_token"),
            ("refresh_token", self.credentials.refresh_token.expose()),
            ("client_id", self.credentials.client_id.expose()),
            ("client_secret", self.credentials.client_secret.expose()),
        ];
        let response = client
            .post(self.token_url.clone())
            .header(reqwest::header::ACCEPT, "application/json")
            .form(&form)
            .send()
            .await
            .map_err(|e| http::send_error(&what, &e))?;
        let status = response.status();
        if status == reqwest::StatusCode::BAD_REQUEST || status == reqwest::StatusCode::UNAUTHORIZED
        {
            // invalid_grant (refresh token revoked or wrong), invalid_client, ...: credentials
            // an operator must fix.
            let body = response.bytes().await.unwrap_or_default();
            let e: TokenError = serde_json::from_slice(&body).unwrap_or_default();
            let detail = match (e.error, e.error_description) {
                (Some(code), Some(text)) => format!("HTTP {status}: {code}: {text}"),
                (Some(code), None) => format!("HTTP {status}: {code}"),
                _ => format!("HTTP {status}: {}", http::snippet(&body)),
            };
            return Err(ChannelError::Auth {
                what,
                detail: format!("the access token exchange was refused ({detail})"),
            });
        }
        let (_, body) = http::json_body(&what, response).await?;
        let answer: TokenAnswer = http::parse(&what, &body)?;
        if answer.access_token.trim().is_empty() {
            return Err(ChannelError::Rejected {
                what,
                detail: "the token endpoint answered an empty access_token".into(),
            });
        }
        Ok((
            Secret::new(answer.access_token.trim()),
            answer.expires_in.unwrap_or(3600),
        ))
    }
}

/// Replaces every credential value in `text` by `***`.
pub fn scrub(text: &str, secrets: &[&str]) -> String {
    let mut out = text.to_string();
    for s in secrets {
        if s.len() >= 4 {
            out = out.replace(s, "***");
        }
    }
    out
}

/// `error` with every credential value in its text replaced.
pub fn scrub_error(error: ChannelError, secrets: &[&str]) -> ChannelError {
    let s = |t: String| scrub(&t, secrets);
    match error {
        ChannelError::RateLimited { what, retry_after } => ChannelError::RateLimited {
            what: s(what),
            retry_after,
        },
        ChannelError::Transient { what, detail } => ChannelError::Transient {
            what: s(what),
            detail: s(detail),
        },
        ChannelError::CursorExpired { what, detail } => ChannelError::CursorExpired {
            what: s(what),
            detail: s(detail),
        },
        ChannelError::Auth { what, detail } => ChannelError::Auth {
            what: s(what),
            detail: s(detail),
        },
        ChannelError::Rejected { what, detail } => ChannelError::Rejected {
            what: s(what),
            detail: s(detail),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_hour_token_is_used_until_a_minute_before_it_expires() {
        let t0 = Instant::now();
        let c = CachedToken::new(Secret::new("Atza|x"), t0, 3600);
        assert!(c.usable(t0));
        assert!(c.usable(t0 + Duration::from_secs(3538)));
        assert!(!c.usable(t0 + Duration::from_secs(3540)));
        assert!(!c.usable(t0 + Duration::from_secs(3600)));
    }

    #[test]
    fn a_short_token_gives_up_a_tenth_of_its_life() {
        let t0 = Instant::now();
        let c = CachedToken::new(Secret::new("Atza|x"), t0, 10);
        assert!(c.usable(t0 + Duration::from_millis(8900)));
        assert!(!c.usable(t0 + Duration::from_secs(9)));
        let gone = CachedToken::new(Secret::new("Atza|x"), t0, 0);
        assert!(!gone.usable(t0));
    }

    #[test]
    fn scrubbing_hides_every_credential() {
        let e = ChannelError::Auth {
            what: "amazon: POST /auth/o2/token".into(),
            detail: "echoed Atzr|refresh-123 and secret-abc".into(),
        };
        let msg = scrub_error(e, &["Atzr|refresh-123", "secret-abc"]).to_string();
        assert!(
            !msg.contains("refresh-123") && !msg.contains("secret-abc"),
            "{msg}"
        );
        assert!(msg.contains("***"));
    }
}
