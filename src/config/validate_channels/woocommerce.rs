//! A WooCommerce channel's own keys: the consumer key and secret, and the Shipment Tracking
//! switch.

use toml::Spanned;

use super::env::Env;
use crate::config::channels::ChannelSettings;
use crate::config::raw::RawChannel;
use crate::config::validate::Problems;

pub(super) fn settings(p: &mut Problems, env: &Env, raw: RawChannel) -> ChannelSettings {
    ChannelSettings::Woocommerce {
        consumer_key_env: env.required(p, raw.consumer_key_env, "consumer_key_env"),
        consumer_secret_env: env.required(p, raw.consumer_secret_env, "consumer_secret_env"),
        webhook_secret_env: env.optional(p, raw.webhook_secret_env, "webhook_secret_env"),
        shipment_tracking: raw.shipment_tracking.is_some_and(Spanned::into_inner),
    }
}
