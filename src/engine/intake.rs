//! The ledger side of the channels: a polled page or a webhook delivery becomes one
//! [`Command::Batch`], committed with the channel's cursor or delivery id.

use futures_util::future::BoxFuture;

use crate::channels::poller::{Intake, PageTally};
use crate::channels::pusher::Outbox;
use crate::channels::webhooks::{Delivered, DeliveryIntake};
use crate::channels::{self, Channel, Mapped};
use crate::ledger::{Command, LedgerHandle, Origin, Outcome};
use crate::model::{ChannelCursor, ChannelKind, PushIntent};
use crate::store::Store;

/// The engine's [`Intake`]: pages and deliveries go to the ledger.
pub struct LedgerIntake {
    pub ledger: LedgerHandle,
    pub store: std::sync::Arc<Store>,
}

/// Each mapped order as the ledger command that takes it in; unmappable ones to quarantine.
pub fn commands(channel_id: &str, kind: ChannelKind, items: Vec<Mapped>) -> Vec<Command> {
    items
        .into_iter()
        .map(|item| match item {
            Mapped::Order { order, raw } => Command::Ingest {
                order,
                origin: Origin {
                    source: channel_id.to_string(),
                    format: channels::format_of(kind, &raw).to_string(),
                    raw: Some(raw),
                },
                resolves: None,
            },
            Mapped::Unmappable {
                raw,
                reason,
                external_id,
                ..
            } => Command::Quarantine {
                origin: Origin {
                    source: channel_id.to_string(),
                    format: channels::format_of(kind, &raw).to_string(),
                    raw: Some(raw),
                },
                reason: match external_id {
                    Some(id) => format!("order {id}: {reason}"),
                    None => reason,
                },
                existing: None,
            },
        })
        .collect()
}

/// Counts a batch's answers.
pub fn tally(outcome: &Outcome) -> PageTally {
    let mut t = PageTally::default();
    if let Outcome::Batch { outcomes } = outcome {
        for o in outcomes {
            match o {
                Ok(Outcome::Created { .. }) => t.created += 1,
                Ok(Outcome::Updated { .. }) => t.updated += 1,
                Ok(Outcome::Unchanged { .. }) => t.unchanged += 1,
                Ok(Outcome::Quarantined { .. }) => t.quarantined += 1,
                Ok(_) => t.unchanged += 1,
                Err(_) => t.refused += 1,
            }
        }
    }
    t
}

impl Intake for LedgerIntake {
    fn cursor(&self, channel: &str) -> Result<ChannelCursor, String> {
        self.store.cursor(channel).map_err(|e| e.to_string())
    }

    fn commit_page(
        &self,
        channel: &dyn Channel,
        items: Vec<Mapped>,
        cursor: ChannelCursor,
    ) -> BoxFuture<'_, Result<PageTally, String>> {
        let command = Command::Batch {
            channel: channel.id().to_string(),
            items: commands(channel.id(), channel.kind(), items),
            cursor: Some(cursor),
            delivery: None,
        };
        Box::pin(async move {
            match self.ledger.submit(command).await {
                Ok(outcome) => Ok(tally(&outcome)),
                Err(e) => Err(e.to_string()),
            }
        })
    }
}

impl DeliveryIntake for LedgerIntake {
    fn commit_delivery(
        &self,
        channel_id: &str,
        kind: ChannelKind,
        item: Mapped,
        delivery: Option<String>,
    ) -> BoxFuture<'_, Result<Delivered, String>> {
        let command = Command::Batch {
            channel: channel_id.to_string(),
            items: commands(channel_id, kind, vec![item]),
            cursor: None,
            delivery,
        };
        Box::pin(async move {
            let outcome = self
                .ledger
                .submit(command)
                .await
                .map_err(|e| e.to_string())?;
            Ok(match outcome {
                Outcome::DuplicateDelivery { delivery } => {
                    Delivered::Ignored(format!("delivery {delivery} was taken before"))
                }
                Outcome::Batch { mut outcomes } => match outcomes.pop() {
                    Some(Ok(Outcome::Created { .. })) => Delivered::Created,
                    Some(Ok(Outcome::Updated { .. })) => Delivered::Updated,
                    Some(Ok(Outcome::Unchanged { why, .. })) => Delivered::Ignored(why),
                    Some(Ok(Outcome::Quarantined { reason, .. })) => Delivered::Quarantined(reason),
                    Some(Ok(other)) => Delivered::Ignored(format!("{other:?}")),
                    Some(Err(refused)) => Delivered::Quarantined(refused),
                    None => Delivered::Ignored("empty delivery".into()),
                },
                other => Delivered::Ignored(format!("{other:?}")),
            })
        })
    }
}

impl Outbox for LedgerIntake {
    fn pending(&self, channel: &str) -> Result<Vec<(Vec<u8>, PushIntent)>, String> {
        self.store.outbox(channel).map_err(|e| e.to_string())
    }

    fn settle(
        &self,
        done: Vec<(Vec<u8>, u64)>,
        refused: Vec<(Vec<u8>, u64, String)>,
    ) -> BoxFuture<'_, Result<(), String>> {
        Box::pin(async move {
            self.ledger
                .submit(Command::OutboxDone { done, refused })
                .await
                .map(|_| ())
                .map_err(|e| e.to_string())
        })
    }
}
