//! `[webhooks]`: where ordo takes the channels' webhooks.

use std::net::SocketAddr;

use super::common::shown;
use crate::config::channels::WebhooksConfig;
use crate::config::outline::{Outline, Seg};
use crate::config::raw::RawWebhooks;
use crate::config::validate::Problems;

/// `[webhooks]`: `listen` is required, an IP address and a port other than 0.
pub(in crate::config) fn webhooks(
    raw: Option<RawWebhooks>,
    outline: &Outline,
    p: &mut Problems,
) -> Option<WebhooksConfig> {
    const EXAMPLE: &str = "listen = \"127.0.0.1:8787\"";
    let raw = raw?;
    let Some(v) = raw.listen else {
        let span = outline
            .span_of(&[Seg::Key("webhooks".to_owned())])
            .unwrap_or(0..0);
        p.report(
            span,
            "webhooks.listen",
            format!(
                "webhooks: missing key `listen`; add the address and port ordo takes webhooks on, e.g. {EXAMPLE}, or remove [webhooks] to take none"
            ),
        );
        return None;
    };
    match v.get_ref().trim().parse::<SocketAddr>() {
        Ok(addr) if addr.port() == 0 => {
            p.report(
                v.span(),
                "webhooks.listen",
                format!(
                    "webhooks.listen{} has port 0; choose a fixed port the channels can be pointed at, e.g. {EXAMPLE}",
                    shown(v.get_ref())
                ),
            );
            None
        }
        Ok(addr) => Some(WebhooksConfig { listen: addr }),
        Err(_) => {
            p.report(
                v.span(),
                "webhooks.listen",
                format!(
                    "webhooks.listen{} is not an IP address and port; write it as {EXAMPLE} (only this machine), \"0.0.0.0:8787\" (every network) or \"[::1]:8787\" (IPv6)",
                    shown(v.get_ref())
                ),
            );
            None
        }
    }
}
