//! What the console sees of the channel services: each channel's health, and a way to ask its
//! poller to pause, resume or poll now.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use tokio::sync::mpsc;

use crate::channels::poller::{Control, SharedHealth};
use crate::config::ChannelConfig;
use crate::model::ChannelHealth;

/// Health and controls of every configured channel. Empty when the config has none.
#[derive(Default)]
pub struct ChannelsHub {
    health: BTreeMap<String, SharedHealth>,
    controls: Mutex<HashMap<String, mpsc::Sender<Control>>>,
}

impl ChannelsHub {
    /// One health record per configured channel, before anything runs.
    pub fn new(configs: &[ChannelConfig]) -> ChannelsHub {
        let health = configs
            .iter()
            .map(|c| {
                let h = ChannelHealth {
                    id: c.id.clone(),
                    kind: Some(c.kind),
                    enabled: c.enabled,
                    state: if c.enabled { "not started" } else { "disabled" }.into(),
                    ..ChannelHealth::default()
                };
                (c.id.clone(), Arc::new(Mutex::new(h)))
            })
            .collect();
        ChannelsHub {
            health,
            controls: Mutex::new(HashMap::new()),
        }
    }

    pub fn health(&self) -> Vec<ChannelHealth> {
        self.health
            .values()
            .map(|h| h.lock().unwrap_or_else(|p| p.into_inner()).clone())
            .collect()
    }

    pub fn shared(&self, id: &str) -> Option<SharedHealth> {
        self.health.get(id).cloned()
    }

    /// Asks a channel's poller to pause, resume or poll now. Poll now is refused on a paused
    /// channel: the poller would take it as a resume, and an operator who paused a channel
    /// must not find it polling on schedule again after asking for one sweep.
    pub fn control(&self, id: &str, control: Control) -> Result<(), String> {
        let paused = self
            .health
            .get(id)
            .is_some_and(|h| h.lock().unwrap_or_else(|p| p.into_inner()).paused);
        if control == Control::PollNow && paused {
            return Err("it is paused; resume it first (it then polls at once)".into());
        }
        let controls = self.controls.lock().unwrap_or_else(|p| p.into_inner());
        let Some(tx) = controls.get(id) else {
            return Err(if self.health.contains_key(id) {
                format!("channel `{id}` is not being polled (disabled, or not started)")
            } else {
                format!("no channel `{id}`")
            });
        };
        tx.try_send(control)
            .map_err(|_| format!("channel `{id}`: its poller is busy; try again"))
    }

    pub(super) fn register(&self, id: &str, tx: mpsc::Sender<Control>) {
        self.controls
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id.to_string(), tx);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A hub with one channel "shop" whose poller's control queue is returned.
    fn hub() -> (ChannelsHub, mpsc::Receiver<Control>) {
        let mut hub = ChannelsHub::default();
        let health = ChannelHealth {
            id: "shop".into(),
            ..ChannelHealth::default()
        };
        hub.health
            .insert("shop".into(), Arc::new(Mutex::new(health)));
        let (tx, rx) = mpsc::channel(4);
        hub.register("shop", tx);
        (hub, rx)
    }

    #[test]
    fn poll_now_is_refused_on_a_paused_channel_and_sent_otherwise() {
        let (hub, mut rx) = hub();
        assert_eq!(hub.control("shop", Control::PollNow), Ok(()));
        assert_eq!(rx.try_recv().ok(), Some(Control::PollNow));
        // Paused (as the poller records it): poll now does not reach the poller, which would
        // take it as a resume.
        if let Some(h) = hub.shared("shop") {
            h.lock().unwrap_or_else(|p| p.into_inner()).paused = true;
        }
        let refused = hub.control("shop", Control::PollNow).unwrap_err();
        assert!(refused.contains("paused"), "{refused}");
        assert!(rx.try_recv().is_err(), "nothing sent");
        // Resume still goes through.
        assert_eq!(hub.control("shop", Control::Resume), Ok(()));
        assert_eq!(rx.try_recv().ok(), Some(Control::Resume));
    }
}
