//! The engine's channel services: one poller task per enabled channel, the webhook receiver,
//! and the hub the console reads their health from and sends pause / resume / poll-now to.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, watch};

use crate::channels::poller::{self, SweepSettings};
use crate::channels::pusher;
use crate::channels::webhooks::{self, WebhookChannel};
use crate::channels::{self, Channel, EnvLookup, MapContext};
use crate::config::{ChannelConfig, Config};

use super::hub::ChannelsHub;
use super::intake::LedgerIntake;

/// The running channel services; dropping it (or [`ChannelServices::stop`]) ends them.
pub struct ChannelServices {
    stop: watch::Sender<bool>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
    /// Where the webhook receiver listens, when configured.
    pub webhooks: Option<SocketAddr>,
    /// Channels that could not start (missing credentials...), with the reason.
    pub failed: Vec<(String, String)>,
}

impl ChannelServices {
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        for t in self.tasks {
            let _ = t.await;
        }
    }
}

/// The channels that connected, and those that could not with the reason.
pub type Connected = (
    Vec<(ChannelConfig, Arc<dyn Channel>)>,
    Vec<(String, String)>,
);

/// Connects every enabled channel; one that cannot (a missing credential) is reported, marked
/// failing in its health, and the others start anyway.
pub fn connect_all(configs: &[ChannelConfig], env: EnvLookup<'_>, hub: &ChannelsHub) -> Connected {
    let mut ok = Vec::new();
    let mut failed = Vec::new();
    for c in configs.iter().filter(|c| c.enabled) {
        match channels::connect(c, env) {
            Ok(ch) => ok.push((c.clone(), ch)),
            Err(e) => {
                if let Some(h) = hub.shared(&c.id) {
                    poller::update_health(&h, |h| {
                        h.state = "failing".into();
                        h.last_error = Some(e.clone());
                        h.last_error_at = Some(chrono::Utc::now());
                    });
                }
                failed.push((c.id.clone(), e));
            }
        }
    }
    (ok, failed)
}

pub fn sweep_settings(c: &ChannelConfig) -> SweepSettings {
    SweepSettings {
        overlap: Duration::from_secs(c.overlap_secs),
        ..SweepSettings::default()
    }
}

/// Starts the pollers and the webhook receiver on the current tokio runtime.
pub async fn start(
    config: &Config,
    env: EnvLookup<'_>,
    hub: Arc<ChannelsHub>,
    intake: Arc<LedgerIntake>,
) -> std::io::Result<ChannelServices> {
    let (stop, stop_rx) = watch::channel(false);
    let (connected, failed) = connect_all(&config.channels, env, &hub);
    let mut tasks = Vec::new();
    for (c, channel) in connected {
        let Some(health) = hub.shared(&c.id) else {
            continue;
        };
        tasks.push(tokio::spawn(pusher::run(
            channel.clone(),
            intake.clone(),
            health.clone(),
            intake.ledger.subscribe(),
            stop_rx.clone(),
        )));
        let (tx, rx) = mpsc::channel(8);
        hub.register(&c.id, tx);
        tasks.push(tokio::spawn(poller::run(
            channel,
            intake.clone(),
            sweep_settings(&c),
            Duration::from_secs(c.poll_interval_secs),
            health,
            rx,
            stop_rx.clone(),
        )));
    }
    let mut webhooks_addr = None;
    if let Some(w) = &config.webhooks {
        let mut receivers = HashMap::new();
        for c in &config.channels {
            let secret = c
                .webhook_secret_env()
                .and_then(|var| channels::secret(&c.id, "webhook_secret_env", var, env).ok());
            receivers.insert(
                c.id.clone(),
                WebhookChannel {
                    kind: c.kind,
                    enabled: c.enabled,
                    secret,
                    map: MapContext::from(c),
                    health: hub.shared(&c.id),
                },
            );
        }
        let router = webhooks::router(receivers, intake.clone());
        let (addr, task) = webhooks::serve(w.listen, router, stop_rx.clone()).await?;
        webhooks_addr = Some(addr);
        tasks.push(task);
    }
    Ok(ChannelServices {
        stop,
        tasks,
        webhooks: webhooks_addr,
        failed,
    })
}
