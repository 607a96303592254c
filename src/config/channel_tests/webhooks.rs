//! `[webhooks]`.

use super::*;

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
