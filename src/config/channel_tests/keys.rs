//! The keys of each kind and the `*_env` keys: names of environment variables, never secrets.

use super::*;

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
            crate::config::validate_channels::looks_like_secret(secret),
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
