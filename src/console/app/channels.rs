//! The Channels pane's actions: `p` pauses or resumes the selected channel's polling (by its
//! `paused` flag as last read), `P` asks it to poll now; `:pause`, `:resume` and `:poll` do the
//! same by name. The event loop sends the control off the UI thread and toasts the answer.

use super::{first_key, Action, App, Cmd, Mode, Pane};
use crate::client::ChannelControl;

impl App {
    /// The channel selected in the Channels pane and its `paused` flag, as last read.
    pub fn selected_channel(&self) -> Option<(&str, bool)> {
        let l = &self.lists[Pane::Channels.index()];
        l.channels
            .get(l.selected)
            .map(|(id, paused)| (id.as_str(), *paused))
    }

    /// `p` / `P`: a control for the selected channel, or a hint when there is none.
    pub(super) fn channel_key(&mut self, toggle: bool) -> Vec<Action> {
        if matches!(self.mode, Mode::Detail) || self.pane != Pane::Channels {
            // The keys as the keymap has them (`[console.keys]`).
            let (cmd, does) = if toggle {
                (Cmd::PauseChannel, "pauses / resumes")
            } else {
                (Cmd::PollChannel, "polls")
            };
            let key = first_key(&self.keymap, cmd).unwrap_or("");
            let go = match first_key(&self.keymap, Cmd::Pane(Pane::Channels.index())) {
                Some(k) => format!("go to {k} Channels"),
                None => "go to the Channels pane".to_string(),
            };
            self.set_toast(format!("{key} {does} a channel: {go}"), true);
            return vec![];
        }
        let Some((id, paused)) = self.selected_channel() else {
            self.set_toast("no channel selected (none configured)", true);
            return vec![];
        };
        let control = match (toggle, paused) {
            (false, _) => ChannelControl::PollNow,
            (true, true) => ChannelControl::Resume,
            (true, false) => ChannelControl::Pause,
        };
        let id = id.to_string();
        self.control_channel(id, control)
    }

    /// `:pause [ID]`, `:resume [ID]`, `:poll [ID]`: the named channel, else the selected one.
    pub(super) fn channel_command(
        &mut self,
        id: Option<&str>,
        control: ChannelControl,
    ) -> Vec<Action> {
        let id = match id {
            Some(id) => id.to_string(),
            None if self.pane == Pane::Channels => match self.selected_channel() {
                Some((id, _)) => id.to_string(),
                None => {
                    self.set_toast("no channel selected (none configured)", true);
                    return vec![];
                }
            },
            None => {
                let verb = control_verb(control);
                self.set_toast(
                    format!("usage: :{verb} CHANNEL (or select one in 4 Channels)"),
                    true,
                );
                return vec![];
            }
        };
        self.control_channel(id, control)
    }

    fn control_channel(&mut self, id: String, control: ChannelControl) -> Vec<Action> {
        let verb = control_verb(control);
        self.set_toast(format!("asking {id} to {verb}…"), false);
        vec![Action::ControlChannel { id, control }]
    }
}

/// The command word of a control: "pause", "resume", "poll".
pub fn control_verb(control: ChannelControl) -> &'static str {
    match control {
        ChannelControl::Pause => "pause",
        ChannelControl::Resume => "resume",
        ChannelControl::PollNow => "poll",
    }
}

/// The toast for a control's answer: (text, is an error).
pub fn describe_control(
    id: &str,
    control: ChannelControl,
    reply: &Result<(), String>,
) -> (String, bool) {
    match reply {
        Ok(()) => (
            match control {
                ChannelControl::Pause => {
                    format!("{id}: polling paused (webhooks are still taken; p resumes)")
                }
                ChannelControl::Resume => format!("{id}: polling resumed"),
                ChannelControl::PollNow => format!("{id}: polling now"),
            },
            false,
        ),
        Err(e) => (
            format!("{id}: {} refused: {e}", control_verb(control)),
            true,
        ),
    }
}
