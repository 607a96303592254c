//! A Shopify channel: every key read, and the mistakes in its own keys.

use super::*;

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
