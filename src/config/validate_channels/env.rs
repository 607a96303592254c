//! The `*_env` keys: names of environment variables, never the secrets, and never quoted back.

use std::ops::Range;

use toml::Spanned;

use crate::config::validate::{article, Problems};
use crate::model::ChannelKind;

/// Written before the secret-looking check's message: how a variable name is made.
const ENV_NAME_RULE: &str = "letters, digits and '_', not starting with a digit";

/// Known prefixes of the secrets themselves: Shopify access tokens and secrets, WooCommerce
/// consumer keys and secrets, Login with Amazon refresh tokens, client ids and secrets.
const SECRET_PREFIXES: &[&str] = &[
    "shpat_", "shpca_", "shppa_", "shpss_", "ck_", "cs_", "Atzr|", "amzn1.",
];

/// The `*_env` keys of one entry.
pub(super) struct Env<'a> {
    pub(super) i: usize,
    pub(super) kind: ChannelKind,
    pub(super) header: &'a Range<usize>,
    /// False when a key of another kind was reported, which names the keys this kind needs.
    pub(super) report_missing: bool,
}

impl Env<'_> {
    /// What the variable named by `field` holds, and a name for it.
    fn help(&self, field: &str) -> (&'static str, &'static str) {
        match (self.kind, field) {
            (_, "token_env") => ("the Admin API access token", "SHOPIFY_TOKEN"),
            (_, "consumer_key_env") => ("the REST API consumer key", "WOO_CONSUMER_KEY"),
            (_, "consumer_secret_env") => ("the REST API consumer secret", "WOO_CONSUMER_SECRET"),
            (_, "refresh_token_env") => (
                "the Login with Amazon refresh token",
                "AMAZON_REFRESH_TOKEN",
            ),
            (_, "client_id_env") => ("the Login with Amazon client id", "AMAZON_CLIENT_ID"),
            (_, "client_secret_env") => (
                "the Login with Amazon client secret",
                "AMAZON_CLIENT_SECRET",
            ),
            (ChannelKind::Woocommerce, _) => ("the webhook secret", "WOO_WEBHOOK_SECRET"),
            _ => ("the webhook signing secret", "SHOPIFY_WEBHOOK_SECRET"),
        }
    }

    pub(super) fn required(
        &self,
        p: &mut Problems,
        v: Option<Spanned<String>>,
        field: &str,
    ) -> String {
        match v {
            Some(v) => self.check(p, v, field),
            None if !self.report_missing => String::new(),
            None => {
                let (what, example) = self.help(field);
                let i = self.i;
                p.report(
                    self.header.clone(),
                    format!("channels[{i}].{field}"),
                    format!(
                        "channels[{i}]: missing key `{field}`; {} {} channel needs the name of the environment variable that holds {what}, e.g. {field} = \"{example}\"",
                        article(self.kind.as_str()),
                        self.kind,
                    ),
                );
                String::new()
            }
        }
    }

    pub(super) fn optional(
        &self,
        p: &mut Problems,
        v: Option<Spanned<String>>,
        field: &str,
    ) -> Option<String> {
        v.map(|v| self.check(p, v, field))
    }

    /// An environment variable name, never quoted back: it may be the secret itself.
    fn check(&self, p: &mut Problems, v: Spanned<String>, field: &str) -> String {
        let (what, example) = self.help(field);
        let key = format!("channels[{}].{field}", self.i);
        let name = v.get_ref();
        let problem = if name.is_empty() {
            Some(format!(
                "{key} is empty; write the name of the environment variable that holds {what}, e.g. {field} = \"{example}\""
            ))
        } else if looks_like_secret(name) {
            Some(format!(
                "{key} names an environment variable that holds the secret, not the secret itself; put {what} in an environment variable and write the variable's name here ({ENV_NAME_RULE}), e.g. {field} = \"{example}\""
            ))
        } else if name.starts_with(|c: char| c.is_ascii_digit()) {
            Some(format!(
                "{key} is not an environment variable name: it starts with a digit; use {ENV_NAME_RULE}, e.g. {field} = \"{example}\""
            ))
        } else {
            None
        };
        if let Some(problem) = problem {
            p.report(v.span(), key, problem);
        }
        v.into_inner()
    }
}

/// A value written where an environment variable's name belongs that is more likely the secret
/// itself: a known token prefix, longer than any sensible name (64), a character no variable
/// name has, or a long run of letters and digits with no '_' (hex and base64 secrets).
pub(in crate::config) fn looks_like_secret(value: &str) -> bool {
    let is_name_char = |c: char| c.is_ascii_alphanumeric() || c == '_';
    SECRET_PREFIXES
        .iter()
        .any(|prefix| value.starts_with(prefix))
        || value.chars().count() > 64
        || !value.chars().all(is_name_char)
        || (value.len() >= 20
            && !value.contains('_')
            && value.chars().any(|c| c.is_ascii_digit())
            && value.chars().any(|c| c.is_ascii_alphabetic()))
}
