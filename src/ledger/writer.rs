//! The two threads behind the ledger: the writer, which takes commands in groups and applies
//! them to the hot state, and the committer, which writes each group's batch, flushes, and
//! answers. See the module above for why they are two.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use tokio::sync::{broadcast, mpsc, oneshot};

use crate::model::{Actor, Event, EventKind};
use crate::routing::RuleSet;
use crate::store::{Store, StoreError, WriteBatch};

use super::state::{HotState, LiveCounts};
use super::{
    group, lock, ChangeBatch, Command, LedgerError, LedgerSettings, Message, Reply, Request,
    RulesSource, RulesStatus, GROUP_MAX,
};

pub(super) struct Writer {
    store: Arc<Store>,
    state: HotState,
    settings: LedgerSettings,
    rules: RuleSet,
    rules_source: Option<Box<dyn RulesSource>>,
    rules_status: Arc<Mutex<RulesStatus>>,
    counts: Arc<Mutex<LiveCounts>>,
    committer: Committer,
    /// The group whose batch the committer is writing now, if any.
    in_flight: Option<group::Overlay>,
    /// Groups are built on the effects of the groups before them; a failed commit ends the
    /// epoch, and every later group of that epoch fails with it.
    epoch: u64,
    /// Why the hot state could not be rebuilt, while it cannot.
    broken: Option<String>,
}

/// A group ready to be written.
struct Sealed {
    epoch: u64,
    batch: WriteBatch,
    senders: Vec<oneshot::Sender<Reply>>,
    replies: Vec<Reply>,
    events: Vec<Event>,
}

enum ToCommitter {
    Group(Sealed),
    /// Answered once everything before it is written (or failed).
    Barrier(std::sync::mpsc::SyncSender<()>),
}

/// The commit stage: applies and flushes each group's batch, then answers its senders and
/// publishes its events. It runs on its own thread, so that the ledger builds the next group
/// while sled writes this one: the two costs overlap instead of adding up.
pub(super) struct Committer {
    tx: Option<std::sync::mpsc::SyncSender<ToCommitter>>,
    failed_epoch: Arc<AtomicU64>,
    thread: Option<JoinHandle<()>>,
}

impl Committer {
    pub(super) fn start(
        store: Arc<Store>,
        changes: broadcast::Sender<ChangeBatch>,
    ) -> std::io::Result<Committer> {
        // A rendezvous: handing over a group waits until the previous one is written, so at
        // most one group is in flight and the ledger's overlay of it is all it needs to read.
        let (tx, rx) = std::sync::mpsc::sync_channel::<ToCommitter>(0);
        let failed_epoch = Arc::new(AtomicU64::new(0));
        let failed = failed_epoch.clone();
        let thread = std::thread::Builder::new()
            .name("ordo-commit".into())
            .spawn(move || {
                let mut last_error = String::new();
                for message in rx {
                    let sealed = match message {
                        ToCommitter::Group(sealed) => sealed,
                        ToCommitter::Barrier(done) => {
                            let _ = done.send(());
                            continue;
                        }
                    };
                    let outcome = if sealed.epoch <= failed.load(Ordering::Acquire) {
                        Err(format!(
                            "an earlier group, which this one built on, was not saved: {last_error}"
                        ))
                    } else {
                        store.commit(sealed.batch).map_err(|e| {
                            // After a failed flush the batch may or may not be on disk: retrying
                            // could apply it twice, so writing stops until a restart.
                            let stop_writing = matches!(e, StoreError::NotDurable { .. });
                            failed.store(
                                if stop_writing { u64::MAX } else { sealed.epoch },
                                Ordering::Release,
                            );
                            last_error = e.to_string();
                            tracing::error!(error = %last_error, "group commit failed; the ledger rebuilds its state from the store");
                            last_error.clone()
                        })
                    };
                    match outcome {
                        Ok(()) => {
                            for (sender, reply) in sealed.senders.into_iter().zip(sealed.replies) {
                                let _ = sender.send(reply);
                            }
                            if !sealed.events.is_empty() && changes.receiver_count() > 0 {
                                let _ = changes.send(Arc::new(sealed.events));
                            }
                        }
                        // Nothing of this group reached the disk; its senders were not
                        // acknowledged and so still hold the work.
                        Err(why) => {
                            for sender in sealed.senders {
                                let _ = sender.send(Err(LedgerError::NotSaved(why.clone())));
                            }
                        }
                    }
                }
            })?;
        Ok(Committer {
            tx: Some(tx),
            failed_epoch,
            thread: Some(thread),
        })
    }

    fn send(&self, message: ToCommitter) {
        if let Some(tx) = &self.tx {
            // The committer only stops when this sender is dropped, so the send cannot fail
            // while we hold it.
            let _ = tx.send(message);
        }
    }

    /// Waits until every group handed over so far is written or failed.
    fn drain(&self) {
        let (done_tx, done_rx) = std::sync::mpsc::sync_channel(1);
        self.send(ToCommitter::Barrier(done_tx));
        let _ = done_rx.recv();
    }

    fn stop(&mut self) {
        self.tx = None;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Writer {
    pub(super) fn new(
        store: Arc<Store>,
        state: HotState,
        settings: LedgerSettings,
        (rules, rules_source, rules_status): (
            RuleSet,
            Option<Box<dyn RulesSource>>,
            Arc<Mutex<RulesStatus>>,
        ),
        counts: Arc<Mutex<LiveCounts>>,
        committer: Committer,
    ) -> Writer {
        Writer {
            store,
            state,
            settings,
            rules,
            rules_source,
            rules_status,
            counts,
            committer,
            in_flight: None,
            epoch: 1,
            broken: None,
        }
    }

    pub(super) fn run(mut self, mut rx: mpsc::Receiver<Message>) {
        let mut requests = Vec::with_capacity(GROUP_MAX);
        let mut stopping = false;
        while !stopping {
            match rx.blocking_recv() {
                Some(Message::Request(r)) => requests.push(r),
                Some(Message::Stop) | None => break,
            }
            while requests.len() < GROUP_MAX {
                match rx.try_recv() {
                    Ok(Message::Request(r)) => requests.push(r),
                    Ok(Message::Stop) => {
                        stopping = true;
                        break;
                    }
                    Err(_) => break,
                }
            }
            self.run_group(&mut requests);
        }
        // Every group handed over is answered before shutdown returns.
        self.committer.stop();
        // Saved only when every group was written: the store then holds what the filter holds.
        let clean = self.broken.is_none()
            && self.committer.failed_epoch.load(Ordering::Acquire) < self.epoch;
        if clean {
            // The index read may have finished after the last group: take it now.
            self.state.settle_known_ids();
            if let Err(e) = self.state.save_known_ids(&self.store) {
                tracing::warn!(error = %e, "saving the known order ids (the next start reads the index)");
            }
        }
    }

    fn run_group(&mut self, requests: &mut Vec<Request>) {
        let needs_recovery = self.broken.is_some()
            || self.committer.failed_epoch.load(Ordering::Acquire) >= self.epoch;
        if needs_recovery && !self.recover() {
            let why = self.broken.clone().unwrap_or_default();
            for r in requests.drain(..) {
                let _ = r.reply.send(Err(LedgerError::NotSaved(format!(
                    "the ledger cannot rebuild its state from the store: {why}"
                ))));
            }
            return;
        }
        let (commands, senders): (Vec<Command>, Vec<oneshot::Sender<Reply>>) =
            requests.drain(..).map(|r| (r.command, r.reply)).unzip();
        let rules_event = self.reload_rules();
        let mut group = group::Group::new(
            &self.store,
            self.in_flight.as_ref(),
            &mut self.state,
            &self.settings.locations,
            &self.rules,
            self.settings.default_safety_stock,
            &self.settings.channels,
        );
        if let Some((kind, why)) = rules_event {
            group.emit(Actor::System, None, kind, why);
        }
        let mut replies = Vec::with_capacity(commands.len());
        let mut failure: Option<StoreError> = None;
        for command in commands {
            match group.apply(command) {
                Err(LedgerError::Store(e)) => {
                    failure = Some(e);
                    break;
                }
                reply => replies.push(reply),
            }
        }
        if let Some(e) = failure {
            // A read failed half-way through a command: this group's effects on the hot state
            // cannot be trusted, so none of it is written and the state is rebuilt.
            drop(group);
            let why = e.to_string();
            tracing::error!(error = %why, "the ledger could not read the store; group refused");
            for sender in senders {
                let _ = sender.send(Err(LedgerError::NotSaved(why.clone())));
            }
            self.recover();
            return;
        }
        let (batch, events, overlay) = group.into_batch();
        {
            let mut status = lock(&self.rules_status);
            for (name, hits) in status.rules.iter_mut() {
                *hits = self.state.rule_hits.get(name).copied().unwrap_or(0);
            }
        }
        *lock(&self.counts) = self.state.live_counts();
        self.committer.send(ToCommitter::Group(Sealed {
            epoch: self.epoch,
            batch,
            senders,
            replies,
            events,
        }));
        // The committer took this group, so the one before is on disk: its overlay can go.
        self.in_flight = Some(overlay);
    }

    /// Takes new rules if the source has them; an edit that cannot be used leaves the rules in
    /// force and is reported. Either way it becomes an event.
    fn reload_rules(&mut self) -> Option<(EventKind, String)> {
        let change = self.rules_source.as_mut()?.poll()?;
        let mut status = lock(&self.rules_status);
        match change {
            Ok(rules) => {
                let names: Vec<String> = rules.rules().iter().map(|r| r.name.clone()).collect();
                tracing::info!(rules = ?names, "routing rules reloaded");
                self.rules = rules;
                // Hits start again: the rules they counted are gone.
                self.state.rule_hits.clear();
                *status = RulesStatus {
                    reloads: status.reloads + 1,
                    ..RulesStatus::new(&self.rules)
                };
                let why = format!("{} rules now in force", names.len());
                Some((EventKind::RulesReloaded { rules: names }, why))
            }
            Err(error) => {
                tracing::error!(%error, "routing rules edit refused; the previous rules stay in force");
                status.last_error = Some(error.clone());
                let why =
                    "the edited rules cannot be used; the previous rules stay in force".into();
                Some((EventKind::RulesRejected { error }, why))
            }
        }
    }

    /// After a failure: once nothing is in flight, rebuild the hot state from what the store
    /// holds and start a new epoch.
    /// Returns false while the state cannot be rebuilt: the group is then refused whole, and
    /// the next group tries again (carrying on from the old state would write phantom
    /// reservations).
    fn recover(&mut self) -> bool {
        self.committer.drain();
        self.in_flight = None;
        self.epoch += 1;
        match HotState::load(&self.store) {
            Ok(state) => {
                self.state = state;
                *lock(&self.counts) = self.state.live_counts();
                self.broken = None;
                true
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot rebuild the ledger's state; refusing writes");
                self.broken = Some(e.to_string());
                false
            }
        }
    }
}
