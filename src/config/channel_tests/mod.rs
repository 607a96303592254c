//! `[[channels]]` and `[webhooks]` through `Config::parse`: every key, the defaults, and the
//! exact message of every mistake. Secrets must never appear in a message.

use std::collections::BTreeMap;
use std::path::Path;

use super::*;
use crate::inventory::{Buffer, BufferRule};
use crate::model::ChannelKind;

use super::tests::{err, ok, FILE};

/// The body of a minimal valid channel of each kind (3, 4 and 6 lines).
const SHOP: &str =
    "kind = \"shopify\"\nbase_url = \"https://a.myshopify.com\"\ntoken_env = \"SHOPIFY_TOKEN\"\n";
const WOO: &str = "kind = \"woocommerce\"\nbase_url = \"https://shop.example.com\"\nconsumer_key_env = \"WOO_KEY\"\nconsumer_secret_env = \"WOO_SECRET\"\n";
const AMZ: &str = "kind = \"amazon\"\nbase_url = \"https://sellingpartnerapi-na.amazon.com\"\nrefresh_token_env = \"AMZ_REFRESH\"\nclient_id_env = \"AMZ_ID\"\nclient_secret_env = \"AMZ_SECRET\"\nmarketplace_ids = [\"ATVPDKIKX0DER\"]\n";

/// `[[channels]]` (line 1), `id = "c"` (line 2), `body`, then `extra` (line 3 + body lines).
fn channel(body: &str, extra: &str) -> String {
    format!("[[channels]]\nid = \"c\"\n{body}{extra}")
}

fn one(text: &str) -> ChannelConfig {
    let c = ok(text);
    assert_eq!(c.channels.len(), 1, "{:?}", c.channels);
    c.channels.into_iter().next().expect("one channel")
}

mod amazon;
mod common;
mod keys;
mod shopify;
mod webhooks;
mod woocommerce;
