//! A WooCommerce channel: every key read.

use super::*;

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
