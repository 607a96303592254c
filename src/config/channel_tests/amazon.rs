//! An Amazon channel: every key read, and the mistakes in its own keys.

use super::*;

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
