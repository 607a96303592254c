//! `[[channels]]` and `[webhooks]` through `Config::parse`: every key, the defaults, and the
//! exact message of every mistake. Secrets must never appear in a message.

use std::collections::BTreeMap;
use std::path::Path;

use super::*;
use crate::inventory::{Buffer, BufferRule};
use crate::model::ChannelKind;

const FILE: &str = "/x/ordo.toml";

fn err(text: &str) -> String {
    match Config::parse(text, Path::new(FILE)) {
        Ok(c) => panic!("expected an error for {text:?}, got {c:?}"),
        Err(e) => {
            let s = e.to_string();
            assert!(!s.contains('\n'), "not one line: {s:?}");
            assert!(s.starts_with(FILE), "does not name the file: {s}");
            s
        }
    }
}

fn ok(text: &str) -> Config {
    match Config::parse(text, Path::new(FILE)) {
        Ok(c) => c,
        Err(e) => panic!("unexpected error for {text:?}: {e}"),
    }
}

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

// ---- valid ---------------------------------------------------------------------------------

#[test]
fn every_shopify_key_is_read() {
    let c = one(r#"
[[channels]]
id = "web"
kind = "shopify"
base_url = "https://Shop.MyShopify.com/"
enabled = false
poll_interval_secs = 30
overlap_secs = 0
page_size = 250
token_env = "SHOPIFY_TOKEN"
api_version = "2024-10"
location_id = 61234567890
webhook_secret_env = "SHOPIFY_WEBHOOK_SECRET"

[channels.sku_map]
"44012345678901" = "TSHIRT-M"
"44012345678902" = "TSHIRT-L"

[[channels.buffers]]
skus = "TSHIRT-*"
safety = 2
percent = 80
max = 50
min = 3

[[channels.buffers]]
safety = 1
"#);
    let want = ChannelConfig {
        id: "web".into(),
        kind: ChannelKind::Shopify,
        base_url: "https://shop.myshopify.com".into(),
        enabled: false,
        poll_interval_secs: 30,
        overlap_secs: 0,
        page_size: Some(250),
        sku_map: BTreeMap::from([
            ("44012345678901".into(), "TSHIRT-M".into()),
            ("44012345678902".into(), "TSHIRT-L".into()),
        ]),
        buffers: vec![
            BufferRule {
                skus: "TSHIRT-*".into(),
                buffer: Buffer {
                    safety: 2,
                    percent: Some(80),
                    max: Some(50),
                    min: Some(3),
                },
            },
            BufferRule {
                skus: "*".into(),
                buffer: Buffer {
                    safety: 1,
                    ..Buffer::default()
                },
            },
        ],
        settings: ChannelSettings::Shopify {
            token_env: "SHOPIFY_TOKEN".into(),
            api_version: "2024-10".into(),
            location_id: Some(61234567890),
            webhook_secret_env: Some("SHOPIFY_WEBHOOK_SECRET".into()),
        },
    };
    assert_eq!(c, want);
    assert_eq!(c.webhook_secret_env(), Some("SHOPIFY_WEBHOOK_SECRET"));
}

#[test]
fn every_woocommerce_key_is_read() {
    let c = one(r#"
[[channels]]
id = "woo"
kind = "woocommerce"
base_url = "http://127.0.0.1:8080/shop/"
enabled = true
poll_interval_secs = 86400
overlap_secs = 604800
page_size = 100
sku_map = { "812" = "MUG-BLUE" }
consumer_key_env = "WOO_CONSUMER_KEY"
consumer_secret_env = "WOO_CONSUMER_SECRET"
webhook_secret_env = "_woo_hook_1"
shipment_tracking = true
"#);
    let want = ChannelConfig {
        id: "woo".into(),
        kind: ChannelKind::Woocommerce,
        base_url: "http://127.0.0.1:8080/shop".into(),
        enabled: true,
        poll_interval_secs: 86400,
        overlap_secs: 604800,
        page_size: Some(100),
        sku_map: BTreeMap::from([("812".into(), "MUG-BLUE".into())]),
        buffers: Vec::new(),
        settings: ChannelSettings::Woocommerce {
            consumer_key_env: "WOO_CONSUMER_KEY".into(),
            consumer_secret_env: "WOO_CONSUMER_SECRET".into(),
            webhook_secret_env: Some("_woo_hook_1".into()),
            shipment_tracking: true,
        },
    };
    assert_eq!(c, want);
}

#[test]
fn every_amazon_key_is_read() {
    let c = one(r#"
[[channels]]
id = "amazon"
kind = "amazon"
base_url = "https://sellingpartnerapi-na.amazon.com"
poll_interval_secs = 1
page_size = 1
refresh_token_env = "AMAZON_REFRESH_TOKEN"
client_id_env = "AMAZON_CLIENT_ID"
client_secret_env = "AMAZON_CLIENT_SECRET"
token_url = "http://127.0.0.1:9000/auth/o2/token"
marketplace_ids = ["ATVPDKIKX0DER", "A2EUQ1WTGCTBG2"]
seller_id = "A1EXAMPLE23456"
push_rate = 2.5
push_burst = 4
sku_map.B00EXAMPLE = "LAMP-1"
"#);
    let want = ChannelConfig {
        id: "amazon".into(),
        kind: ChannelKind::Amazon,
        base_url: "https://sellingpartnerapi-na.amazon.com".into(),
        enabled: true,
        poll_interval_secs: 1,
        overlap_secs: DEFAULT_OVERLAP_SECS,
        page_size: Some(1),
        sku_map: BTreeMap::from([("B00EXAMPLE".into(), "LAMP-1".into())]),
        buffers: Vec::new(),
        settings: ChannelSettings::Amazon {
            refresh_token_env: "AMAZON_REFRESH_TOKEN".into(),
            client_id_env: "AMAZON_CLIENT_ID".into(),
            client_secret_env: "AMAZON_CLIENT_SECRET".into(),
            token_url: "http://127.0.0.1:9000/auth/o2/token".into(),
            marketplace_ids: vec!["ATVPDKIKX0DER".into(), "A2EUQ1WTGCTBG2".into()],
            seller_id: Some("A1EXAMPLE23456".into()),
            push_rate: Some(rust_decimal::Decimal::new(25, 1)),
            push_burst: Some(4),
        },
    };
    assert_eq!(c, want);
    assert_eq!(c.webhook_secret_env(), None);
}

#[test]
fn defaults() {
    let text = format!(
        "[[channels]]\nid = \"s\"\n{SHOP}\n[[channels]]\nid = \"w\"\n{WOO}\n[[channels]]\nid = \"a\"\n{AMZ}"
    );
    let c = ok(&text);
    let ids: Vec<&str> = c.channels.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["s", "w", "a"], "file order");
    assert_eq!(c.webhooks, None);
    for ch in &c.channels {
        assert!(ch.enabled, "{}", ch.id);
        assert_eq!(ch.poll_interval_secs, 60);
        assert_eq!(ch.overlap_secs, 300);
        assert_eq!(ch.page_size, None);
        assert!(ch.sku_map.is_empty());
        assert_eq!(ch.webhook_secret_env(), None);
    }
    assert_eq!(DEFAULT_POLL_INTERVAL_SECS, 60);
    assert_eq!(DEFAULT_OVERLAP_SECS, 300);
    assert_eq!(
        c.channels[0].settings,
        ChannelSettings::Shopify {
            token_env: "SHOPIFY_TOKEN".into(),
            api_version: "2025-01".into(),
            location_id: None,
            webhook_secret_env: None,
        }
    );
    assert_eq!(DEFAULT_SHOPIFY_API_VERSION, "2025-01");
    assert_eq!(
        c.channels[1].settings,
        ChannelSettings::Woocommerce {
            consumer_key_env: "WOO_KEY".into(),
            consumer_secret_env: "WOO_SECRET".into(),
            webhook_secret_env: None,
            shipment_tracking: false,
        }
    );
    match &c.channels[2].settings {
        ChannelSettings::Amazon {
            token_url,
            seller_id,
            ..
        } => {
            assert_eq!(token_url, "https://api.amazon.com/auth/o2/token");
            assert_eq!(token_url, DEFAULT_AMAZON_TOKEN_URL);
            assert_eq!(seller_id, &None);
        }
        other => panic!("{other:?}"),
    }
    match &c.channels[2].settings {
        ChannelSettings::Amazon {
            push_rate,
            push_burst,
            ..
        } => {
            // Amazon's documented plan applies (the connector's default).
            assert_eq!((push_rate, push_burst), (&None, &None));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn base_url_is_normalised_without_trailing_slash() {
    let url = |written: &str| {
        let body = SHOP.replace("https://a.myshopify.com", written);
        one(&channel(&body, "")).base_url
    };
    assert_eq!(url("https://a.myshopify.com/"), "https://a.myshopify.com");
    assert_eq!(url("https://a.myshopify.com//"), "https://a.myshopify.com");
    assert_eq!(url("https://example.com/wp/"), "https://example.com/wp");
    assert_eq!(url("HTTPS://Example.COM:443"), "https://example.com");
    assert_eq!(url("http://127.0.0.1:4010"), "http://127.0.0.1:4010");
    assert_eq!(url("http://[::1]:4010/"), "http://[::1]:4010");
}

#[test]
fn valid_environment_variable_names() {
    for name in [
        "SHOPIFY_TOKEN",
        "_X",
        "a",
        "token2",
        "A_B_C_1",
        "SHOP_TOKEN_FOR_THE_EU_STORE_2024",
    ] {
        let body = SHOP.replace("SHOPIFY_TOKEN", name);
        match one(&channel(&body, "")).settings {
            ChannelSettings::Shopify { token_env, .. } => assert_eq!(token_env, name),
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn the_documented_examples_load() {
    // The [[channels]] and [webhooks] examples of config.example.toml, uncommented, are valid.
    let example = include_str!("../../config.example.toml");
    let header = example
        .find("# [[channels]]: the sales channels")
        .expect("channels section");
    let start = header + example[header..].find('\n').expect("newline");
    let end = example
        .find("# [[rules]]: routing rules")
        .expect("rules section");
    let is_toml = |line: &str| {
        (line.starts_with('[') && line.ends_with(']'))
            || line.split_once(" = ").is_some_and(|(key, _)| {
                key.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_\"".contains(c))
            })
    };
    let text: String = example[start..end]
        .lines()
        .filter_map(|l| l.strip_prefix("# "))
        .filter(|l| is_toml(l))
        .map(|l| format!("{l}\n"))
        .collect();
    let c = ok(&text);
    let kinds: Vec<ChannelKind> = c.channels.iter().map(|c| c.kind).collect();
    assert_eq!(kinds, ChannelKind::ALL, "{text}");
    assert_eq!(c.channels[0].sku_map.len(), 2);
    let buffers = c.channels[0].buffers();
    assert_eq!(buffers.rules().len(), 3, "{text}");
    // The worked example: 20 available, 3 held back, 80% of 17 is 13.
    let tshirt = buffers.for_sku("TSHIRT-M");
    assert_eq!(crate::inventory::available_to_sell(20, &tshirt), 13);
    assert_eq!(buffers.for_sku("TSHIRT-LTD-1").max, Some(5));
    assert_eq!(buffers.for_sku("MUG").safety, 1);
    assert!(
        matches!(
            c.channels[1].settings,
            ChannelSettings::Woocommerce {
                shipment_tracking: true,
                ..
            }
        ),
        "{text}"
    );
    assert!(
        matches!(
            c.channels[2].settings,
            ChannelSettings::Amazon {
                push_rate: Some(_),
                push_burst: Some(5),
                ..
            }
        ),
        "{text}"
    );
    assert!(c.channels.iter().any(|c| !c.enabled));
    assert_eq!(
        c.webhooks.map(|w| w.listen.to_string()).as_deref(),
        Some("127.0.0.1:8787")
    );
    // And the file itself keeps them commented out: it must load without any secret set.
    let whole = ok(example);
    assert!(whole.channels.is_empty() && whole.webhooks.is_none());
}

// ---- ids (the messages of the raw-table days are kept) -------------------------------------

#[test]
fn channel_ids() {
    let cases: Vec<(String, &str)> = vec![
        (
            format!("[[channels]]\nid = \"shopify\"\n{SHOP}\n[[channels]]\n{WOO}id = \"shopify\"\n"),
            "/x/ordo.toml:12: channels[1].id = \"shopify\" is already used by channels[0] at line 2; channel ids must be unique",
        ),
        (
            format!("[[channels]]\n{SHOP}"),
            "/x/ordo.toml:1: channels[0]: missing key `id`; every channel needs one, e.g. id = \"shopify\"",
        ),
        (
            format!("[[channels]]\nid = 7\n{SHOP}"),
            "/x/ordo.toml:2: channels[0].id must be a string, not an integer; quote it, e.g. id = \"shopify\"",
        ),
        (
            format!("[[channels]]\nid = [\"a\"]\n{SHOP}"),
            "/x/ordo.toml:2: channels[0].id must be a string, not an array; quote it, e.g. id = \"shopify\"",
        ),
        (
            format!("[[channels]]\nid = \"\"\n{SHOP}"),
            "/x/ordo.toml:2: channels[0].id is empty; name the channel, e.g. id = \"shopify\"",
        ),
        (
            format!("[[channels]]\nid = \" \"\n{SHOP}"),
            "/x/ordo.toml:2: channels[0].id is empty; name the channel, e.g. id = \"shopify\"",
        ),
    ];
    for (text, want) in cases {
        assert_eq!(err(&text), want, "for {text:?}");
    }
}

// ---- mistakes ------------------------------------------------------------------------------

#[test]
fn kind() {
    let cases: Vec<(String, &str)> = vec![
        (
            "[[channels]]\nid = \"c\"\nbase_url = \"https://x.example\"\n".to_owned(),
            "/x/ordo.toml:1: channels[0]: missing key `kind`; add kind = \"shopify\", \"woocommerce\" or \"amazon\"",
        ),
        (
            channel(&SHOP.replace("\"shopify\"", "\"shopfy\""), ""),
            "/x/ordo.toml:3: channels[0].kind = \"shopfy\" is not a channel kind; use \"shopify\", \"woocommerce\" or \"amazon\"; did you mean \"shopify\"?",
        ),
        (
            channel(&SHOP.replace("\"shopify\"", "\"Amazon\""), ""),
            "/x/ordo.toml:3: channels[0].kind = \"Amazon\" is not a channel kind; use \"shopify\", \"woocommerce\" or \"amazon\"; did you mean \"amazon\"?",
        ),
        (
            channel(&SHOP.replace("\"shopify\"", "\"pos\""), ""),
            "/x/ordo.toml:3: channels[0].kind = \"pos\" is not a channel kind; use \"shopify\", \"woocommerce\" or \"amazon\"",
        ),
        (
            channel(&SHOP.replace("\"shopify\"", "1"), ""),
            "/x/ordo.toml:3: channels[0].kind: invalid type: integer `1`, expected a string",
        ),
    ];
    for (text, want) in cases {
        assert_eq!(err(&text), want, "for {text:?}");
    }
}

#[test]
fn base_url() {
    let with = |url: &str| channel(&SHOP.replace("\"https://a.myshopify.com\"", url), "");
    let cases: Vec<(String, &str)> = vec![
        (
            "[[channels]]\nid = \"c\"\nkind = \"woocommerce\"\nconsumer_key_env = \"K\"\nconsumer_secret_env = \"S\"\n".to_owned(),
            "/x/ordo.toml:1: channels[0]: missing key `base_url`; give the address of the channel's API, e.g. base_url = \"https://shop.example.com\"",
        ),
        (
            with("\"\""),
            "/x/ordo.toml:4: channels[0].base_url is empty; give the address, e.g. base_url = \"https://your-shop.myshopify.com\"",
        ),
        (
            with("\"a.myshopify.com\""),
            "/x/ordo.toml:4: channels[0].base_url = \"a.myshopify.com\" is not a URL; write the whole address with http:// or https://, e.g. base_url = \"https://your-shop.myshopify.com\"",
        ),
        (
            with("\"https://\""),
            "/x/ordo.toml:4: channels[0].base_url = \"https://\" is not a URL; write the whole address with http:// or https://, e.g. base_url = \"https://your-shop.myshopify.com\"",
        ),
        (
            with("\"ftp://a.myshopify.com\""),
            "/x/ordo.toml:4: channels[0].base_url = \"ftp://a.myshopify.com\" is not an http or https URL; use e.g. base_url = \"https://your-shop.myshopify.com\"",
        ),
        (
            with("\"mailto:shop\""),
            "/x/ordo.toml:4: channels[0].base_url = \"mailto:shop\" is not an http or https URL; use e.g. base_url = \"https://your-shop.myshopify.com\"",
        ),
        (
            with("\"https://admin:hunter2@a.myshopify.com\""),
            "/x/ordo.toml:4: channels[0].base_url has a user name or password in it; remove them: credentials come from environment variables (the *_env keys), never from this file",
        ),
        (
            with("\"https://a.myshopify.com/?access_token=shpat_123\""),
            "/x/ordo.toml:4: channels[0].base_url has a query string or fragment (from '?' or '#'); give the address without it, e.g. base_url = \"https://your-shop.myshopify.com\"",
        ),
        (
            with("\"https://a.myshopify.com/#x\""),
            "/x/ordo.toml:4: channels[0].base_url has a query string or fragment (from '?' or '#'); give the address without it, e.g. base_url = \"https://your-shop.myshopify.com\"",
        ),
        (
            with("\"https://a.myshopify.com?\""),
            "/x/ordo.toml:4: channels[0].base_url has a query string or fragment (from '?' or '#'); give the address without it, e.g. base_url = \"https://your-shop.myshopify.com\"",
        ),
        (
            with("[\"https://a.myshopify.com\"]"),
            "/x/ordo.toml:4: channels[0].base_url: invalid type: sequence, expected a string",
        ),
    ];
    for (text, want) in cases {
        assert_eq!(err(&text), want, "for {text:?}");
    }
    // The example follows the kind.
    let s = err(&channel(
        &AMZ.replace("\"https://sellingpartnerapi-na.amazon.com\"", "\"x\""),
        "",
    ));
    assert!(
        s.ends_with("e.g. base_url = \"https://sellingpartnerapi-na.amazon.com\""),
        "{s}"
    );
}

#[test]
fn numbers() {
    let cases: Vec<(String, &str)> = vec![
        (
            channel(SHOP, "poll_interval_secs = 0\n"),
            "/x/ordo.toml:6: channels[0].poll_interval_secs = 0 is out of range; use a number of seconds from 1 to 86400 (one day), the default is 60",
        ),
        (
            channel(SHOP, "poll_interval_secs = 86401\n"),
            "/x/ordo.toml:6: channels[0].poll_interval_secs = 86401 is out of range; use a number of seconds from 1 to 86400 (one day), the default is 60",
        ),
        (
            channel(SHOP, "overlap_secs = -1\n"),
            "/x/ordo.toml:6: channels[0].overlap_secs = -1 is out of range; use a number of seconds from 0 to 604800 (one week), the default is 300",
        ),
        (
            channel(SHOP, "overlap_secs = 9223372036854775807\n"),
            "/x/ordo.toml:6: channels[0].overlap_secs = 9223372036854775807 is out of range; use a number of seconds from 0 to 604800 (one week), the default is 300",
        ),
        (
            channel(SHOP, "page_size = 251\n"),
            "/x/ordo.toml:6: channels[0].page_size = 251 is out of range; a shopify channel takes 1 to 250 per page, or remove it to ask for 250",
        ),
        (
            channel(WOO, "page_size = 0\n"),
            "/x/ordo.toml:7: channels[0].page_size = 0 is out of range; a woocommerce channel takes 1 to 100 per page, or remove it to ask for 100",
        ),
        (
            channel(AMZ, "page_size = 101\n"),
            "/x/ordo.toml:9: channels[0].page_size = 101 is out of range; an amazon channel takes 1 to 100 per page, or remove it to ask for 100",
        ),
        (
            channel(SHOP, "poll_interval_secs = \"60\"\n"),
            "/x/ordo.toml:6: channels[0].poll_interval_secs: invalid type: string \"60\", expected i64",
        ),
        (
            channel(WOO, "shipment_tracking = \"yes\"\n"),
            "/x/ordo.toml:7: channels[0].shipment_tracking: invalid type: string \"yes\", expected a boolean",
        ),
        (
            channel(WOO, "shipment_tracking = 1\n"),
            "/x/ordo.toml:7: channels[0].shipment_tracking: invalid type: integer `1`, expected a boolean",
        ),
        (
            channel(SHOP, "enabled = \"no\"\n"),
            "/x/ordo.toml:6: channels[0].enabled: invalid type: string \"no\", expected a boolean",
        ),
    ];
    for (text, want) in cases {
        assert_eq!(err(&text), want, "for {text:?}");
    }
}

#[test]
fn sku_map() {
    let cases: Vec<(String, &str)> = vec![
        (
            channel(SHOP, "[channels.sku_map]\n\"4401\" = \"\"\n"),
            "/x/ordo.toml:7: channels[0].sku_map.4401 is empty; write the ordo SKU this product is, e.g. 4401 = \"TSHIRT-M\", or remove the entry",
        ),
        (
            channel(SHOP, "[channels.sku_map]\n\"B0 X\" = \" \"\n"),
            "/x/ordo.toml:7: channels[0].sku_map.\"B0 X\" is empty; write the ordo SKU this product is, e.g. \"B0 X\" = \"TSHIRT-M\", or remove the entry",
        ),
        (
            channel(SHOP, "sku_map = { \"\" = \"SKU\" }\n"),
            "/x/ordo.toml:6: channels[0].sku_map has an entry with an empty product reference; write the channel's variant id, product id or ASIN, or remove the entry",
        ),
        (
            channel(SHOP, "[channels.sku_map]\n4401 = 5\n"),
            "/x/ordo.toml:7: channels[0].sku_map.4401: invalid type: integer `5`, expected a string",
        ),
        (
            channel(SHOP, "sku_map = [\"a\"]\n"),
            "/x/ordo.toml:6: channels[0].sku_map: invalid type: sequence, expected a map",
        ),
    ];
    for (text, want) in cases {
        assert_eq!(err(&text), want, "for {text:?}");
    }
}

#[test]
fn keys_of_another_kind() {
    let cases: Vec<(String, &str)> = vec![
        (
            channel(WOO, "token_env = \"SHOPIFY_TOKEN\"\n"),
            "/x/ordo.toml:7: channels[0].token_env is a shopify key; a woocommerce channel uses consumer_key_env and consumer_secret_env",
        ),
        (
            channel(SHOP, "consumer_key_env = \"WOO_KEY\"\n"),
            "/x/ordo.toml:6: channels[0].consumer_key_env is a woocommerce key; a shopify channel uses token_env",
        ),
        (
            channel(SHOP, "marketplace_ids = [\"ATVPDKIKX0DER\"]\n"),
            "/x/ordo.toml:6: channels[0].marketplace_ids is an amazon key; a shopify channel uses token_env",
        ),
        (
            channel(AMZ, "location_id = 5\n"),
            "/x/ordo.toml:9: channels[0].location_id is a shopify key; an amazon channel uses refresh_token_env, client_id_env and client_secret_env",
        ),
        (
            channel(AMZ, "webhook_secret_env = \"HOOK\"\n"),
            "/x/ordo.toml:9: channels[0].webhook_secret_env is a shopify and woocommerce key; an amazon channel is polled and takes no webhooks; remove it",
        ),
        (
            channel(SHOP, "shipment_tracking = true\n"),
            "/x/ordo.toml:6: channels[0].shipment_tracking is a woocommerce key; WooCommerce's Shipment Tracking extension does not apply to a shopify channel; remove it",
        ),
        (
            channel(WOO, "api_version = \"2025-01\"\n"),
            "/x/ordo.toml:7: channels[0].api_version is a shopify key; a woocommerce channel uses consumer_key_env and consumer_secret_env",
        ),
    ];
    for (text, want) in cases {
        assert_eq!(err(&text), want, "for {text:?}");
    }
    // A Shopify channel turned WooCommerce: the key of the other kind is the mistake to report,
    // its message names the missing keys (not reported on the header's line before it).
    assert_eq!(
        err(&format!("\n[[channels]]\nid = \"c\"\n{}", SHOP.replace("\"shopify\"", "\"woocommerce\""))),
        "/x/ordo.toml:6: channels[0].token_env is a shopify key; a woocommerce channel uses consumer_key_env and consumer_secret_env"
    );
}

#[test]
fn required_keys_of_each_kind() {
    let cases: Vec<(String, &str)> = vec![
        (
            "[[channels]]\nid = \"c\"\nkind = \"shopify\"\nbase_url = \"https://a.myshopify.com\"\n".to_owned(),
            "/x/ordo.toml:1: channels[0]: missing key `token_env`; a shopify channel needs the name of the environment variable that holds the Admin API access token, e.g. token_env = \"SHOPIFY_TOKEN\"",
        ),
        (
            channel(&WOO.replace("consumer_key_env = \"WOO_KEY\"\n", ""), ""),
            "/x/ordo.toml:1: channels[0]: missing key `consumer_key_env`; a woocommerce channel needs the name of the environment variable that holds the REST API consumer key, e.g. consumer_key_env = \"WOO_CONSUMER_KEY\"",
        ),
        (
            channel(&WOO.replace("consumer_secret_env = \"WOO_SECRET\"\n", ""), ""),
            "/x/ordo.toml:1: channels[0]: missing key `consumer_secret_env`; a woocommerce channel needs the name of the environment variable that holds the REST API consumer secret, e.g. consumer_secret_env = \"WOO_CONSUMER_SECRET\"",
        ),
        (
            channel(&AMZ.replace("refresh_token_env = \"AMZ_REFRESH\"\n", ""), ""),
            "/x/ordo.toml:1: channels[0]: missing key `refresh_token_env`; an amazon channel needs the name of the environment variable that holds the Login with Amazon refresh token, e.g. refresh_token_env = \"AMAZON_REFRESH_TOKEN\"",
        ),
        (
            channel(&AMZ.replace("client_id_env = \"AMZ_ID\"\n", ""), ""),
            "/x/ordo.toml:1: channels[0]: missing key `client_id_env`; an amazon channel needs the name of the environment variable that holds the Login with Amazon client id, e.g. client_id_env = \"AMAZON_CLIENT_ID\"",
        ),
        (
            channel(&AMZ.replace("client_secret_env = \"AMZ_SECRET\"\n", ""), ""),
            "/x/ordo.toml:1: channels[0]: missing key `client_secret_env`; an amazon channel needs the name of the environment variable that holds the Login with Amazon client secret, e.g. client_secret_env = \"AMAZON_CLIENT_SECRET\"",
        ),
        (
            channel(&AMZ.replace("marketplace_ids = [\"ATVPDKIKX0DER\"]\n", ""), ""),
            "/x/ordo.toml:1: channels[0]: missing key `marketplace_ids`; an amazon channel needs at least one marketplace, e.g. marketplace_ids = [\"ATVPDKIKX0DER\"] (US)",
        ),
        // Missing keys are all on the header's line: the first checked is reported.
        (
            "\n[[channels]]\nid = \"c\"\n".to_owned(),
            "/x/ordo.toml:2: channels[0]: missing key `kind`; add kind = \"shopify\", \"woocommerce\" or \"amazon\"",
        ),
    ];
    for (text, want) in cases {
        assert_eq!(err(&text), want, "for {text:?}");
    }
}

#[test]
fn environment_variable_names() {
    let cases: Vec<(String, &str)> = vec![
        (
            channel(&SHOP.replace("\"SHOPIFY_TOKEN\"", "\"\""), ""),
            "/x/ordo.toml:5: channels[0].token_env is empty; write the name of the environment variable that holds the Admin API access token, e.g. token_env = \"SHOPIFY_TOKEN\"",
        ),
        (
            channel(&SHOP.replace("\"SHOPIFY_TOKEN\"", "\"2SHOP\""), ""),
            "/x/ordo.toml:5: channels[0].token_env is not an environment variable name: it starts with a digit; use letters, digits and '_', not starting with a digit, e.g. token_env = \"SHOPIFY_TOKEN\"",
        ),
        (
            channel(&SHOP.replace("\"SHOPIFY_TOKEN\"", "\"shpat_0123456789abcdef0123456789abcdef\""), ""),
            "/x/ordo.toml:5: channels[0].token_env names an environment variable that holds the secret, not the secret itself; put the Admin API access token in an environment variable and write the variable's name here (letters, digits and '_', not starting with a digit), e.g. token_env = \"SHOPIFY_TOKEN\"",
        ),
        (
            channel(WOO, "webhook_secret_env = \"my webhook secret\"\n"),
            "/x/ordo.toml:7: channels[0].webhook_secret_env names an environment variable that holds the secret, not the secret itself; put the webhook secret in an environment variable and write the variable's name here (letters, digits and '_', not starting with a digit), e.g. webhook_secret_env = \"WOO_WEBHOOK_SECRET\"",
        ),
        (
            channel(SHOP, "webhook_secret_env = \"SHOPIFY-HOOK\"\n"),
            "/x/ordo.toml:6: channels[0].webhook_secret_env names an environment variable that holds the secret, not the secret itself; put the webhook signing secret in an environment variable and write the variable's name here (letters, digits and '_', not starting with a digit), e.g. webhook_secret_env = \"SHOPIFY_WEBHOOK_SECRET\"",
        ),
        (
            channel(&AMZ.replace("\"AMZ_ID\"", "\"amzn1.application-oa2-client.0123\""), ""),
            "/x/ordo.toml:6: channels[0].client_id_env names an environment variable that holds the secret, not the secret itself; put the Login with Amazon client id in an environment variable and write the variable's name here (letters, digits and '_', not starting with a digit), e.g. client_id_env = \"AMAZON_CLIENT_ID\"",
        ),
        (
            channel(&SHOP.replace("\"SHOPIFY_TOKEN\"", "5"), ""),
            "/x/ordo.toml:5: channels[0].token_env: invalid type: integer `5`, expected a string",
        ),
    ];
    for (text, want) in cases {
        assert_eq!(err(&text), want, "for {text:?}");
    }
}

/// Whatever is wrong with a secret pasted where a variable name belongs, the message never
/// repeats it, nor any part of it.
#[test]
fn secrets_never_appear_in_messages() {
    let secrets = [
        "shpat_0123456789abcdef0123456789abcdef",
        "shpss_0123456789abcdef0123456789abcdef",
        "ck_4f1e2d3c4b5a69788796a5b4c3d2e1f001234567",
        "cs_9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b",
        "Atzr|IwEBIA-very-long-refresh-token-value",
        "amzn1.oa2-cs.v1.0123456789abcdef",
        "0f3a9c1be47d2a6058c3e9f1b7d4a2c60f3a9c1be47d2a6058c3e9f1b7d4a2c6",
        "A3F9C1BE47D2A6058C3E9F1B7D4A2C6",
        "x".repeat(65).leak(),
        "p@ss w0rd!",
        "9f86d081884c7d659a2feaa0c55ad015",
    ];
    let fields: [(&str, &str); 8] = [
        (SHOP, "token_env"),
        (SHOP, "webhook_secret_env"),
        (WOO, "consumer_key_env"),
        (WOO, "consumer_secret_env"),
        (WOO, "webhook_secret_env"),
        (AMZ, "refresh_token_env"),
        (AMZ, "client_id_env"),
        (AMZ, "client_secret_env"),
    ];
    for secret in secrets {
        assert!(
            super::validate_channels::looks_like_secret(secret),
            "{secret} does not look like a secret"
        );
        for (body, field) in fields {
            let text = channel(body, &format!("{field} = {secret:?}\n"));
            // Written twice when the body has it already: drop the body's line.
            let text: String = text
                .lines()
                .filter(|l| !l.starts_with(&format!("{field} = \"")) || l.contains(secret))
                .map(|l| format!("{l}\n"))
                .collect();
            let s = err(&text);
            assert!(
                s.contains(&format!(
                    "{field} names an environment variable that holds the secret, not the secret itself"
                )),
                "{s}"
            );
            assert!(!s.contains(secret), "the secret is in the message: {s}");
            let from = secret.len() / 3;
            let middle = &secret[from..(from + 8).min(secret.len())];
            assert!(
                !s.contains(middle),
                "part of the secret is in the message: {s}"
            );
        }
    }
    // Credentials in a URL are not repeated either.
    for url in [
        "https://key:s3cr3tvalue@a.myshopify.com",
        "https://a.myshopify.com/?token=s3cr3tvalue",
        "https://a.myshopify.com/#s3cr3tvalue",
        "s3cr3tvalue@a.myshopify.com",
    ] {
        let s = err(&channel(&SHOP.replace("https://a.myshopify.com", url), ""));
        assert!(!s.contains("s3cr3tvalue"), "{s}");
    }
}

#[test]
fn shopify_settings() {
    let cases: Vec<(String, &str)> = vec![
        (
            channel(SHOP, "api_version = \"2025-1\"\n"),
            "/x/ordo.toml:6: channels[0].api_version = \"2025-1\" is not a Shopify API version; write it as YYYY-MM, e.g. api_version = \"2025-01\" (the default)",
        ),
        (
            channel(SHOP, "api_version = \"2025-13\"\n"),
            "/x/ordo.toml:6: channels[0].api_version = \"2025-13\" is not a Shopify API version; write it as YYYY-MM, e.g. api_version = \"2025-01\" (the default)",
        ),
        (
            channel(SHOP, "api_version = \"unstable\"\n"),
            "/x/ordo.toml:6: channels[0].api_version = \"unstable\" is not a Shopify API version; write it as YYYY-MM, e.g. api_version = \"2025-01\" (the default)",
        ),
        (
            channel(SHOP, "api_version = \"２０２５-01\"\n"),
            "/x/ordo.toml:6: channels[0].api_version = \"２０２５-01\" is not a Shopify API version; write it as YYYY-MM, e.g. api_version = \"2025-01\" (the default)",
        ),
        (
            channel(SHOP, "location_id = 0\n"),
            "/x/ordo.toml:6: channels[0].location_id = 0 is out of range; use the Shopify location's numeric id (a whole number from 1), or remove it",
        ),
        (
            channel(SHOP, "location_id = -61234567890\n"),
            "/x/ordo.toml:6: channels[0].location_id = -61234567890 is out of range; use the Shopify location's numeric id (a whole number from 1), or remove it",
        ),
        (
            channel(SHOP, "location_id = \"gid://shopify/Location/1\"\n"),
            "/x/ordo.toml:6: channels[0].location_id: invalid type: string \"gid://shopify/Location/1\", expected i64",
        ),
    ];
    for (text, want) in cases {
        assert_eq!(err(&text), want, "for {text:?}");
    }
}

#[test]
fn amazon_settings() {
    let cases: Vec<(String, &str)> = vec![
        (
            channel(&AMZ.replace("[\"ATVPDKIKX0DER\"]", "[]"), ""),
            "/x/ordo.toml:8: channels[0].marketplace_ids is empty; give at least one marketplace, e.g. marketplace_ids = [\"ATVPDKIKX0DER\"] (US)",
        ),
        (
            channel(&AMZ.replace("[\"ATVPDKIKX0DER\"]", "[\"ATVPDKIKX0DER\",\n  \"\"]"), ""),
            "/x/ordo.toml:9: channels[0].marketplace_ids has an empty marketplace id; remove it",
        ),
        (
            channel(&AMZ.replace("[\"ATVPDKIKX0DER\"]", "\"ATVPDKIKX0DER\""), ""),
            "/x/ordo.toml:8: channels[0].marketplace_ids: invalid type: string \"ATVPDKIKX0DER\", expected a sequence; write a list in square brackets, e.g. [\"a\", \"b\"]",
        ),
        (
            channel(AMZ, "push_rate = 0\n"),
            "/x/ordo.toml:9: channels[0].push_rate = 0 is out of range; give the listings API's rate in requests a second, more than 0 and at most 1000, e.g. push_rate = 5 (Amazon's plan, the default)",
        ),
        (
            channel(AMZ, "push_rate = 1e9\n"),
            "/x/ordo.toml:9: channels[0].push_rate = 1000000000 is out of range; give the listings API's rate in requests a second, more than 0 and at most 1000, e.g. push_rate = 5 (Amazon's plan, the default)",
        ),
        (
            channel(AMZ, "push_rate = \"5\"\n"),
            "/x/ordo.toml:9: channels[0].push_rate: invalid type: string \"5\", expected f64",
        ),
        (
            channel(AMZ, "push_burst = 0\n"),
            "/x/ordo.toml:9: channels[0].push_burst = 0 is out of range; give the listings API's burst, a whole number from 1 to 1000, e.g. push_burst = 5 (Amazon's plan, the default)",
        ),
        (
            channel(SHOP, "push_rate = 5\n"),
            "/x/ordo.toml:6: channels[0].push_rate is an amazon key; a shopify channel uses token_env",
        ),
        (
            channel(AMZ, "seller_id = \"\"\n"),
            "/x/ordo.toml:9: channels[0].seller_id is empty; give your Amazon seller (merchant) id, or remove the key",
        ),
        (
            channel(AMZ, "token_url = \"api.amazon.com/auth/o2/token\"\n"),
            "/x/ordo.toml:9: channels[0].token_url = \"api.amazon.com/auth/o2/token\" is not a URL; write the whole address with http:// or https://, e.g. token_url = \"https://api.amazon.com/auth/o2/token\"",
        ),
        (
            channel(AMZ, "token_url = \"file:///tmp/token\"\n"),
            "/x/ordo.toml:9: channels[0].token_url = \"file:///tmp/token\" is not an http or https URL; use e.g. token_url = \"https://api.amazon.com/auth/o2/token\"",
        ),
    ];
    for (text, want) in cases {
        assert_eq!(err(&text), want, "for {text:?}");
    }
}

#[test]
fn unknown_keys_list_the_keys_of_the_kind() {
    assert_eq!(
        err(&channel(SHOP, "tokn_env = \"X\"\n")),
        "/x/ordo.toml:6: unknown key `tokn_env` in [[channels]] #1; expected one of: id, kind, base_url, enabled, poll_interval_secs, overlap_secs, page_size, sku_map, buffers, token_env, api_version, location_id, webhook_secret_env; did you mean `token_env`?"
    );
    assert_eq!(
        err(&channel(WOO, "consumer_secret = \"X\"\n")),
        "/x/ordo.toml:7: unknown key `consumer_secret` in [[channels]] #1; expected one of: id, kind, base_url, enabled, poll_interval_secs, overlap_secs, page_size, sku_map, buffers, consumer_key_env, consumer_secret_env, webhook_secret_env, shipment_tracking"
    );
    assert_eq!(
        err(&format!("[[channels]]\nid = \"s\"\n{SHOP}\n[[channels]]\nid = \"a\"\n{AMZ}marketplace_id = \"US\"\n")),
        "/x/ordo.toml:15: unknown key `marketplace_id` in [[channels]] #2; expected one of: id, kind, base_url, enabled, poll_interval_secs, overlap_secs, page_size, sku_map, buffers, refresh_token_env, client_id_env, client_secret_env, token_url, marketplace_ids, seller_id, push_rate, push_burst; did you mean `marketplace_ids`?"
    );
    // Without a known kind: every key.
    assert_eq!(
        err("[[channels]]\nid = \"c\"\nkind = \"ebay\"\nbaseurl = \"https://x\"\n"),
        "/x/ordo.toml:4: unknown key `baseurl` in [[channels]] #1; expected one of: id, kind, base_url, enabled, poll_interval_secs, overlap_secs, page_size, sku_map, buffers, token_env, api_version, location_id, consumer_key_env, consumer_secret_env, webhook_secret_env, shipment_tracking, refresh_token_env, client_id_env, client_secret_env, token_url, marketplace_ids, seller_id, push_rate, push_burst; did you mean `base_url`?"
    );
    // Inline channels too.
    let s = err("channels = [\n  { id = \"c\", kind = \"shopify\", secret = \"x\" },\n]\n");
    assert!(
        s.starts_with("/x/ordo.toml:2: unknown key `secret` in [[channels]] #1; expected one of: id, kind, base_url,"),
        "{s}"
    );
    // `[channels]` for `[[channels]]`.
    assert_eq!(
        err("[channels]\nid = \"c\"\n"),
        "/x/ordo.toml:1: channels: invalid type: map, expected a sequence; write each entry as its own [[channels]] table (double brackets)"
    );
}

#[test]
fn webhooks() {
    let listen = |addr: &str| {
        ok(&format!("[webhooks]\nlisten = {addr:?}\n"))
            .webhooks
            .expect("webhooks")
            .listen
    };
    assert_eq!(listen("127.0.0.1:8787").to_string(), "127.0.0.1:8787");
    assert_eq!(listen("0.0.0.0:443").to_string(), "0.0.0.0:443");
    assert_eq!(listen("[::1]:8787").to_string(), "[::1]:8787");
    assert_eq!(
        ok("webhooks = { listen = \"127.0.0.1:9\" }\n").webhooks,
        Some(WebhooksConfig {
            listen: "127.0.0.1:9".parse().expect("addr")
        })
    );

    let cases: Vec<(&str, &str)> = vec![
        (
            "on_unroutable = \"hold\"\n\n[webhooks]\n",
            "/x/ordo.toml:3: webhooks: missing key `listen`; add the address and port ordo takes webhooks on, e.g. listen = \"127.0.0.1:8787\", or remove [webhooks] to take none",
        ),
        (
            "[webhooks]\nlisten = \"localhost:8787\"\n",
            "/x/ordo.toml:2: webhooks.listen = \"localhost:8787\" is not an IP address and port; write it as listen = \"127.0.0.1:8787\" (only this machine), \"0.0.0.0:8787\" (every network) or \"[::1]:8787\" (IPv6)",
        ),
        (
            "[webhooks]\nlisten = \"8787\"\n",
            "/x/ordo.toml:2: webhooks.listen = \"8787\" is not an IP address and port; write it as listen = \"127.0.0.1:8787\" (only this machine), \"0.0.0.0:8787\" (every network) or \"[::1]:8787\" (IPv6)",
        ),
        (
            "[webhooks]\nlisten = \"127.0.0.1:0\"\n",
            "/x/ordo.toml:2: webhooks.listen = \"127.0.0.1:0\" has port 0; choose a fixed port the channels can be pointed at, e.g. listen = \"127.0.0.1:8787\"",
        ),
        (
            "[webhooks]\nlisten = 8787\n",
            "/x/ordo.toml:2: webhooks.listen: invalid type: integer `8787`, expected a string",
        ),
        (
            "[webhooks]\nlisten = \"127.0.0.1:8787\"\nport = 8787\n",
            "/x/ordo.toml:3: unknown key `port` in [webhooks]; expected one of: listen",
        ),
        (
            "webhooks = \"127.0.0.1:8787\"\n",
            "/x/ordo.toml:1: webhooks: invalid type: string \"127.0.0.1:8787\", expected a table, e.g. [webhooks]",
        ),
    ];
    for (text, want) in cases {
        assert_eq!(err(text), want, "for {text:?}");
    }
}

#[test]
fn the_first_channel_problem_in_the_file_is_reported() {
    // A bad page size (line 5) before an empty token_env (line 6), checked the other way round.
    let text = channel(
        "kind = \"shopify\"\nbase_url = \"https://a.myshopify.com\"\npage_size = 0\n",
        "token_env = \"\"\n",
    );
    assert!(
        err(&text).starts_with("/x/ordo.toml:5: channels[0].page_size = 0"),
        "{}",
        err(&text)
    );
    // A channel problem before a location problem.
    let text = format!(
        "{}\n[[locations]]\nid = \"w\"\nkind = \"nope\"\n",
        channel(SHOP, "overlap_secs = -1\n")
    );
    assert!(err(&text).starts_with("/x/ordo.toml:6: channels[0].overlap_secs"));
}

#[test]
fn errors_carry_the_key() {
    let e = Config::parse(&channel(SHOP, "page_size = 0\n"), Path::new(FILE)).unwrap_err();
    assert_eq!(e.line(), Some(6));
    match e {
        ConfigError::Invalid { key, .. } => assert_eq!(key, "channels[0].page_size"),
        other => panic!("{other:?}"),
    }
    let e = Config::parse("[webhooks]\nlisten = \"x\"\n", Path::new(FILE)).unwrap_err();
    match e {
        ConfigError::Invalid { key, .. } => assert_eq!(key, "webhooks.listen"),
        other => panic!("{other:?}"),
    }
}
