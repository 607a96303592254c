//! Row actions (hold, release, cancel) on the target order, or on every marked order at once.

use super::{Action, App, Confirm, Mode};
use crate::ledger::Command;
use crate::model::OrderId;

impl App {
    /// The marked orders, when there are any and no detail is open (the marks are taken:
    /// a bulk action uses them up). `None`: act on [`App::target`].
    fn take_marks(&mut self) -> Option<Vec<OrderId>> {
        if self.marks.is_empty() || matches!(self.mode, Mode::Detail) {
            return None;
        }
        Some(std::mem::take(&mut self.marks).into_iter().collect())
    }

    /// One command for the target, or one per marked order.
    fn act(&mut self, verb: &'static str, make: impl Fn(OrderId) -> Command) -> Vec<Action> {
        if let Some(ids) = self.take_marks() {
            return vec![Action::SubmitBatch {
                commands: ids.into_iter().map(make).collect(),
                verb,
            }];
        }
        match self.target() {
            Some(id) => vec![Action::Submit(make(id))],
            None => self.no_target(),
        }
    }

    pub(super) fn hold(&mut self, reason: String) -> Vec<Action> {
        let by = self.actor();
        self.act("held", |id| Command::Hold {
            id,
            reason: reason.clone(),
            by: by.clone(),
        })
    }

    pub(super) fn release(&mut self) -> Vec<Action> {
        let by = self.actor();
        self.act("released", |id| Command::Release { id, by: by.clone() })
    }

    pub(super) fn ask_cancel(&mut self, reason: String) {
        let by = self.actor();
        let make = |id| Command::Cancel {
            id,
            reason: reason.clone(),
            by: by.clone(),
        };
        let in_detail = matches!(self.mode, Mode::Detail);
        if !self.marks.is_empty() && !in_detail {
            let n = self.marks.len();
            let commands = self.marks.iter().map(|id| make(*id)).collect();
            self.mode = Mode::Confirm(Confirm {
                title: "Cancel orders".into(),
                message: format!(
                    "Cancel {n} marked order{}? Their reservations are released. This is final.",
                    if n == 1 { "" } else { "s" }
                ),
                confirm_label: format!("Cancel {n} order{}", if n == 1 { "" } else { "s" }),
                action: Action::SubmitBatch {
                    commands,
                    verb: "cancelled",
                },
                confirm_focused: false,
            });
            return;
        }
        let Some(id) = self.target() else {
            self.no_target();
            return;
        };
        self.mode = Mode::Confirm(Confirm {
            title: "Cancel order".into(),
            message: format!("Cancel order {id}? Its reservations are released. This is final."),
            confirm_label: "Cancel order".into(),
            action: Action::Submit(make(id)),
            confirm_focused: false,
        });
    }
}
