//! What every kind of channel shares: defaults, the documented examples, ids, kind,
//! base_url, numbers, the SKU map, and which problem is reported first.

use super::*;

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
fn the_documented_examples_load() {
    // The [[channels]] and [webhooks] examples of config.example.toml, uncommented, are valid.
    let example = include_str!("../../../config.example.toml");
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
