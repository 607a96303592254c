//! What each command does to the ledger's state. Every handler checks what it was asked before
//! it changes anything, so a refused command leaves no trace in the group.

use crate::model::{
    Actor, Allocation, ChannelCursor, ChannelOrder, EventKind, Order, OrderId, OrderStatus,
    PushWhat, QuarantineId, Quarantined, Shipment,
};
use crate::store::{keys, StoreError};

use super::group::Group;
use super::{Command, LedgerError, Origin, Outcome, Reply, StockRow};

impl Group<'_> {
    pub fn apply(&mut self, command: Command) -> Reply {
        match command {
            Command::Ingest {
                order,
                origin,
                resolves,
            } => self.ingest(*order, origin, resolves),
            Command::Quarantine {
                origin,
                reason,
                existing,
            } => {
                let id = self.put_quarantine(origin, reason.clone(), existing)?;
                Ok(Outcome::Quarantined { id, reason })
            }
            Command::Hold { id, reason, by } => self.hold(id, reason, by),
            Command::Release { id, by } => self.release_hold(id, by),
            Command::Cancel { id, reason, by } => self.cancel(id, reason, by),
            Command::Ship {
                id,
                carrier,
                tracking,
                by,
            } => self.ship(id, carrier, tracking, None, by),
            Command::ShipLines {
                id,
                carrier,
                tracking,
                lines,
                by,
            } => self.ship(id, carrier, tracking, Some(lines), by),
            Command::SetStock { rows, by } => self.set_stock(rows, by),
            Command::Reroute {
                id,
                location,
                reason,
                by,
            } => {
                let order = self.existing(id)?;
                let status = self.reroute(order, &location, by, reason)?;
                Ok(Outcome::Order { id, status })
            }
            Command::AdjustStock {
                sku,
                location,
                delta,
                by,
            } => {
                let current = self.state.level(&sku, &location).on_hand;
                if current + delta < 0 {
                    return Err(LedgerError::Invalid(format!(
                        "adjusting {sku} at {location} by {delta} would leave {} on hand; on hand is {current}",
                        current + delta
                    )));
                }
                let row = StockRow {
                    sku,
                    location,
                    on_hand: current + delta,
                    safety_stock: None,
                };
                self.set_stock(vec![row], by)
            }
            Command::Batch {
                channel,
                items,
                cursor,
                delivery,
            } => self.batch(channel, items, cursor, delivery),
            Command::OutboxDone { done, refused } => self.outbox_done(done, refused),
            Command::SyncAts => {
                self.ats_all = true;
                Ok(Outcome::Unchanged {
                    id: 0,
                    why: "available-to-sell recomputed for every SKU".into(),
                })
            }
        }
    }

    fn batch(
        &mut self,
        channel: String,
        items: Vec<Command>,
        cursor: Option<ChannelCursor>,
        delivery: Option<String>,
    ) -> Reply {
        if let Some(delivery) = &delivery {
            if self.has_delivery(&channel, delivery)? {
                return Ok(Outcome::DuplicateDelivery {
                    delivery: delivery.clone(),
                });
            }
        }
        let mut outcomes = Vec::with_capacity(items.len());
        for item in items {
            match self.apply(item) {
                Ok(outcome) => outcomes.push(Ok(outcome)),
                Err(e) if e.is_user_error() => outcomes.push(Err(e.to_string())),
                // The store failed: nothing of this batch may be acknowledged, the cursor stays.
                Err(e) => return Err(e),
            }
        }
        if let Some(cursor) = cursor {
            self.put_cursor(&channel, &cursor);
        }
        if let Some(delivery) = delivery {
            self.put_delivery(&channel, &delivery);
        }
        Ok(Outcome::Batch { outcomes })
    }

    fn existing(&mut self, id: OrderId) -> Result<Order, LedgerError> {
        self.order(id)?.ok_or(LedgerError::NoSuchOrder(id))
    }

    fn mapping_problems(&self, co: &ChannelOrder) -> Vec<String> {
        let mut problems = co.problems();
        for line in &co.lines {
            if line.sku.contains('\0') {
                problems.push(format!("line {} has a SKU with a NUL character", line.line));
            } else if !line.sku.trim().is_empty() && !self.state.knows_sku(&line.sku) {
                problems.push(format!(
                    "unknown SKU `{}` on line {} (add stock for it, then `ordo quarantine retry`)",
                    line.sku, line.line
                ));
            }
        }
        if let Some(pickup) = &co.pickup_location {
            if !self.locations.iter().any(|l| &l.id == pickup) {
                problems.push(format!(
                    "pickup_location `{pickup}` is not a configured location"
                ));
            }
        }
        problems
    }

    fn ingest(
        &mut self,
        mut co: ChannelOrder,
        origin: Origin,
        resolves: Option<QuarantineId>,
    ) -> Reply {
        co.normalize();
        let problems = self.mapping_problems(&co);
        if !problems.is_empty() {
            return self.quarantine_payload(&co, origin, problems.join("; "), resolves);
        }
        let outcome = match self.order_id(&co.channel, &co.external_id)? {
            Some(id) => {
                // A damaged stored order must not refuse the whole group (or be stored twice):
                // this version waits in quarantine until `ordo check` has been dealt with.
                let order = match self.order(id) {
                    Ok(Some(order)) => order,
                    Ok(None) => {
                        let why = format!(
                            "the store's index names order {id} for this external id, but the order is missing; run `ordo check`"
                        );
                        return self.quarantine_payload(&co, origin, why, resolves);
                    }
                    Err(e @ StoreError::Corrupt { .. }) => {
                        let why = format!("the stored order {id} cannot be read ({e})");
                        return self.quarantine_payload(&co, origin, why, resolves);
                    }
                    Err(e) => return Err(e.into()),
                };
                if co.updated_at < order.channel_order.updated_at {
                    Outcome::Unchanged {
                        id,
                        why: "an older version than the one stored".into(),
                    }
                } else if co.updated_at == order.channel_order.updated_at {
                    Outcome::Unchanged {
                        id,
                        why: "the version already stored".into(),
                    }
                } else {
                    self.update(order, co)?
                }
            }
            None => self.create(co, &origin.source),
        };
        if let Some(q) = resolves {
            let id = match &outcome {
                Outcome::Created { id, .. }
                | Outcome::Updated { id, .. }
                | Outcome::Unchanged { id, .. } => *id,
                _ => 0,
            };
            self.resolve_quarantine(q, id)?;
        }
        Ok(outcome)
    }

    fn quarantine_payload(
        &mut self,
        co: &ChannelOrder,
        origin: Origin,
        reason: String,
        resolves: Option<QuarantineId>,
    ) -> Reply {
        let raw = match origin.raw {
            Some(raw) => raw,
            // The normalized order in ordo's format is a faithful copy of what arrived.
            None => serde_json::to_string(co).unwrap_or_default(),
        };
        let origin = Origin {
            raw: Some(raw),
            ..origin
        };
        let id = self.put_quarantine(origin, reason.clone(), resolves)?;
        Ok(Outcome::Quarantined { id, reason })
    }

    fn create(&mut self, co: ChannelOrder, source: &str) -> Outcome {
        let id = self.next_order_id();
        let actor = Actor::Channel(co.channel.clone());
        let mut order = Order::new(id, self.now, co);
        if order.channel_order.cancelled {
            order.cancel_reason = Some("cancelled on the channel".into());
        }
        order.refresh_status();
        self.emit(
            actor,
            Some(id),
            EventKind::OrderReceived {
                status: order.status,
            },
            format!("from {source}"),
        );
        if order.status == OrderStatus::New && order.channel_order.financial_status.may_route() {
            self.route(&mut order, "new order");
        }
        let status = order.status;
        self.save(order);
        Outcome::Created { id, status }
    }

    fn update(&mut self, mut order: Order, mut co: ChannelOrder) -> Reply {
        if co.cancelled && co.lines.is_empty() {
            // A cancellation that does not repeat the lines (Amazon's) keeps what was ordered.
            co.lines = order.channel_order.lines.clone();
        }
        let id = order.id;
        let actor = Actor::Channel(co.channel.clone());
        let was_cancelled = order.cancel_reason.is_some();
        order.channel_order = co;
        let mut released: Vec<Allocation> = Vec::new();
        if was_cancelled {
            // Cancellation is final: a later version is kept for the record but routes nothing.
        } else if order.channel_order.cancelled && order.status == OrderStatus::Shipped {
            // It has left: the channel's cancel is kept on record (this version), not applied.
            self.emit(
                actor.clone(),
                Some(id),
                EventKind::OrderUpdated {
                    status: order.status,
                },
                "the channel cancelled an order that has already shipped; not applied",
            );
        } else if order.channel_order.cancelled {
            released = std::mem::take(&mut order.allocations);
            self.release(&released);
            order.cancel_reason = Some("cancelled on the channel".into());
            self.emit(
                actor.clone(),
                Some(id),
                EventKind::Cancelled,
                "cancelled on the channel",
            );
        } else {
            released = order.trim_allocations();
            if !released.is_empty() {
                self.release(&released);
                self.emit(
                    actor.clone(),
                    Some(id),
                    EventKind::Deallocated {
                        allocations: released.clone(),
                    },
                    "the channel changed the order's lines",
                );
            }
            let may_route = order.channel_order.financial_status.may_route();
            if may_route && order.hold_reason.is_none() {
                let why = if order.routed {
                    "order edited"
                } else {
                    "payment arrived"
                };
                order.refresh_status();
                if order.status.is_open() {
                    self.route(&mut order, why);
                }
            }
        }
        order.refresh_status();
        let status = order.status;
        self.emit(
            actor,
            Some(id),
            EventKind::OrderUpdated { status },
            "newer version from the channel",
        );
        self.save(order);
        self.offer_released(&released)?;
        Ok(Outcome::Updated { id, status })
    }

    fn hold(&mut self, id: OrderId, reason: String, by: Actor) -> Reply {
        let mut order = self.existing(id)?;
        if !order.status.is_open() {
            return Err(LedgerError::NotAllowed {
                id,
                status: order.status,
                why: "only open orders can be held".into(),
            });
        }
        if order.hold_reason.is_some() {
            return Ok(Outcome::Unchanged {
                id,
                why: "already held".into(),
            });
        }
        let reason = if reason.trim().is_empty() {
            "held by an operator".to_string()
        } else {
            reason
        };
        order.hold_reason = Some(reason.clone());
        self.emit(by, Some(id), EventKind::Held, reason);
        self.save(order.clone());
        order.refresh_status();
        Ok(Outcome::Order {
            id,
            status: order.status,
        })
    }

    fn release_hold(&mut self, id: OrderId, by: Actor) -> Reply {
        let mut order = self.existing(id)?;
        if order.hold_reason.is_none() {
            return Ok(Outcome::Unchanged {
                id,
                why: "not held".into(),
            });
        }
        order.hold_reason = None;
        self.emit(by, Some(id), EventKind::Released, "released from hold");
        order.refresh_status();
        if order.status.is_open() && order.channel_order.financial_status.may_route() {
            self.route(&mut order, "released from hold");
        }
        order.refresh_status();
        let status = order.status;
        self.save(order);
        Ok(Outcome::Order { id, status })
    }

    fn cancel(&mut self, id: OrderId, reason: String, by: Actor) -> Reply {
        let mut order = self.existing(id)?;
        match order.status {
            OrderStatus::Cancelled => {
                return Ok(Outcome::Unchanged {
                    id,
                    why: "already cancelled".into(),
                })
            }
            OrderStatus::Shipped => {
                return Err(LedgerError::NotAllowed {
                    id,
                    status: order.status,
                    why: "it has shipped; record a return instead".into(),
                })
            }
            _ => {}
        }
        let reason = if reason.trim().is_empty() {
            "cancelled by an operator".to_string()
        } else {
            reason
        };
        let released = std::mem::take(&mut order.allocations);
        self.release(&released);
        order.cancel_reason = Some(reason.clone());
        self.emit(by, Some(id), EventKind::Cancelled, reason);
        self.save(order);
        self.offer_released(&released)?;
        Ok(Outcome::Order {
            id,
            status: OrderStatus::Cancelled,
        })
    }

    fn ship(
        &mut self,
        id: OrderId,
        carrier: String,
        tracking: String,
        only: Option<Vec<u32>>,
        by: Actor,
    ) -> Reply {
        if carrier.trim().is_empty() || tracking.trim().is_empty() {
            return Err(LedgerError::Invalid(
                "a shipment needs a carrier and a tracking number".into(),
            ));
        }
        let mut order = self.existing(id)?;
        let refuse = |why: &str| LedgerError::NotAllowed {
            id,
            status: order.status,
            why: why.into(),
        };
        if !order.status.is_open() {
            return Err(refuse("only open orders can ship"));
        }
        if order.hold_reason.is_some() {
            return Err(refuse("it is on hold; release it first"));
        }
        if order.allocations.is_empty() {
            return Err(refuse("nothing is allocated to ship"));
        }
        let lines: Vec<Allocation> = match &only {
            None => std::mem::take(&mut order.allocations),
            Some(wanted) => {
                for line in wanted {
                    if !order.channel_order.lines.iter().any(|l| l.line == *line) {
                        return Err(LedgerError::Invalid(format!(
                            "order {id} has no line {line}; its lines are {}",
                            order
                                .channel_order
                                .lines
                                .iter()
                                .map(|l| l.line.to_string())
                                .collect::<Vec<_>>()
                                .join(", ")
                        )));
                    }
                }
                let (ship, keep): (Vec<Allocation>, Vec<Allocation>) = order
                    .allocations
                    .drain(..)
                    .partition(|a| wanted.contains(&a.line));
                order.allocations = keep;
                if ship.is_empty() {
                    return Err(LedgerError::NotAllowed {
                        id,
                        status: order.status,
                        why: format!(
                            "nothing is allocated on line(s) {}",
                            wanted
                                .iter()
                                .map(|l| l.to_string())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    });
                }
                ship
            }
        };
        for a in &lines {
            let level = self.state.level_mut(&a.sku, &a.location);
            level.on_hand -= i64::from(a.qty);
            level.reserved = (level.reserved - i64::from(a.qty)).max(0);
            self.touch_stock(&a.sku, &a.location);
        }
        self.emit(
            by,
            Some(id),
            EventKind::Shipped {
                carrier: carrier.clone(),
                tracking: tracking.clone(),
                lines: lines.clone(),
            },
            format!("{carrier} {tracking}"),
        );
        let channel = order.channel_order.channel.clone();
        if self.channels.iter().any(|c| c.id == channel) {
            // The channel that sold it is told, through the outbox (invariant 6).
            let line_id = |line: u32| {
                order
                    .channel_order
                    .lines
                    .iter()
                    .find(|l| l.line == line)
                    .and_then(|l| l.channel_line_id.clone())
            };
            let what = PushWhat::Fulfillment {
                order_id: id,
                order_external_id: order.channel_order.external_id.clone(),
                shipment: order.shipments.len() as u32,
                carrier: carrier.clone(),
                tracking: tracking.clone(),
                shipped_at: self.now,
                lines: lines
                    .iter()
                    .map(|a| (line_id(a.line), a.sku.clone(), a.qty))
                    .collect(),
            };
            let key = keys::outbox_fulfillment(&channel, id, order.shipments.len() as u32);
            self.put_intent(key, what);
        }
        order.shipments.push(Shipment {
            at: self.now,
            carrier,
            tracking,
            lines,
        });
        order.refresh_status();
        let status = order.status;
        self.save(order);
        Ok(Outcome::Order { id, status })
    }

    /// Removes confirmed intents (only if still the version that was sent) and records what
    /// the channels refused.
    fn outbox_done(
        &mut self,
        done: Vec<(Vec<u8>, u64)>,
        refused: Vec<(Vec<u8>, u64, String)>,
    ) -> Reply {
        let mut removed = 0;
        let settled = done
            .into_iter()
            .map(|(k, s)| (k, s, None))
            .chain(refused.into_iter().map(|(k, s, why)| (k, s, Some(why))));
        for (key, seq, refusal) in settled {
            let Some(intent) = self.outbox_entry(&key)? else {
                continue;
            };
            if intent.seq != seq {
                // A newer figure was written since: it still has to go.
                continue;
            }
            removed += 1;
            let channel = keys::outbox_channel(&key).unwrap_or_default();
            let order_id = match &intent.what {
                PushWhat::Fulfillment { order_id, .. } => Some(*order_id),
                PushWhat::Stock { .. } => None,
            };
            match (refusal, &intent.what) {
                (Some(why), what) => {
                    let subject = match what {
                        PushWhat::Stock { sku, available } => {
                            format!("available {available} of {sku}")
                        }
                        PushWhat::Fulfillment { tracking, .. } => format!("shipment {tracking}"),
                    };
                    self.emit(
                        Actor::Channel(channel.clone()),
                        order_id,
                        EventKind::PushRefused { channel },
                        format!("{subject}: {why}"),
                    );
                }
                (
                    None,
                    PushWhat::Fulfillment {
                        carrier, tracking, ..
                    },
                ) => {
                    let why = format!("{carrier} {tracking}");
                    self.emit(
                        Actor::Channel(channel.clone()),
                        order_id,
                        EventKind::FulfillmentReported { channel },
                        why,
                    );
                }
                (None, PushWhat::Stock { .. }) => {}
            }
            self.remove_intent(key);
        }
        Ok(Outcome::Unchanged {
            id: 0,
            why: format!("{removed} push intent(s) settled"),
        })
    }

    fn put_quarantine(
        &mut self,
        origin: Origin,
        reason: String,
        existing: Option<QuarantineId>,
    ) -> Result<QuarantineId, LedgerError> {
        let raw = origin.raw.unwrap_or_default();
        if existing.is_none() {
            if let Some(id) = self.state.open_quarantine_of(&origin.format, &raw) {
                // The same payload again (a poll's overlap, a webhook retry): one entry is enough.
                return Ok(id);
            }
        }
        let previous = match existing {
            Some(id) => self.quarantined_entry(id)?,
            None => None,
        };
        let entry = Quarantined {
            id: previous.as_ref().map_or(0, |p| p.id),
            received_at: previous.as_ref().map_or(self.now, |p| p.received_at),
            source: origin.source.clone(),
            format: origin.format,
            raw,
            reason: reason.clone(),
            resolved_as: None,
        };
        if previous.is_none() {
            self.state.quarantine_open += 1;
        }
        let (format, raw) = (entry.format.clone(), entry.raw.clone());
        let id = self.quarantine(entry);
        self.state.note_quarantine(&format, &raw, id);
        self.emit(
            Actor::System,
            None,
            EventKind::Quarantined { quarantine_id: id },
            format!("{}: {reason}", origin.source),
        );
        Ok(id)
    }

    fn resolve_quarantine(&mut self, id: QuarantineId, order: OrderId) -> Result<(), LedgerError> {
        let Some(mut entry) = self.quarantined_entry(id)? else {
            return Ok(());
        };
        if entry.resolved_as.is_none() {
            self.state.quarantine_open = self.state.quarantine_open.saturating_sub(1);
            self.state.forget_quarantine(&entry.format, &entry.raw);
        }
        entry.resolved_as = Some(order);
        self.quarantine(entry);
        self.emit(
            Actor::System,
            Some(order),
            EventKind::QuarantineResolved { quarantine_id: id },
            "mapped again after a fix",
        );
        Ok(())
    }
}
