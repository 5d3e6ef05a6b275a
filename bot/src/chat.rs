//! The seam between the conversation engine and chat platforms.
//!
//! Outbound, the host asks a [`ChatPlatform`] to show cards, whisper refusals and keep one
//! progress message per deployment up to date. Inbound, an adapter verifies what the platform sent
//! (signatures, user ids), turns it into [`crate::host::Host::submit`] or
//! [`crate::host::Host::dispatch`] calls, and answers the platform from what they return (an
//! ephemeral refusal, a Modify form). Button ids carry the request, the plan version and the
//! button, so a press on an old card names the version it was pressed on.

use std::future::Future;
use std::pin::Pin;

use paved_core::message::ProgressStatus;

use crate::engine::{Button, Card, Thread};

/// A boxed future, so that the host can hold platforms of different types.
pub type ChatFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, ChatError>> + Send + 'a>>;

/// A chat platform failed to deliver something.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{platform} could not deliver the message: {message}")]
pub struct ChatError {
    pub platform: String,
    pub message: String,
}

/// Where a deployment stands, resource by resource: what a progress message shows.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ProgressBoard {
    pub request_id: String,
    /// Every resource of the plan, in plan order, with its latest status.
    pub rows: Vec<(String, ProgressStatus)>,
    /// True once the deployment (or rollback) has finished.
    pub finished: bool,
    /// The platform's id of the message showing this board, when an earlier process posted it:
    /// the platform edits that one instead of posting another.
    pub message: Option<String>,
}

impl ProgressBoard {
    /// Resources that are done (or rolled back).
    pub fn done(&self) -> usize {
        self.rows.iter().filter(|(_, s)| matches!(s, ProgressStatus::Done | ProgressStatus::RolledBack)).count()
    }

    pub fn failed(&self) -> usize {
        self.rows.iter().filter(|(_, s)| *s == ProgressStatus::Failed).count()
    }

    /// A text progress bar, `██████░░░░ 6/10`.
    pub fn bar(&self, width: usize) -> String {
        let total = self.rows.len().max(1);
        let filled = self.done() * width / total;
        format!("{}{} {}/{}", "█".repeat(filled), "░".repeat(width - filled), self.done(), self.rows.len())
    }

    /// Records one resource's new status; returns false when it changed nothing.
    pub fn update(&mut self, address: &str, status: ProgressStatus) -> bool {
        match self.rows.iter_mut().find(|(a, _)| a == address) {
            Some((_, s)) if *s == status => false,
            Some((_, s)) => {
                *s = status;
                true
            }
            None => {
                self.rows.push((address.to_string(), status));
                true
            }
        }
    }
}

/// A chat platform, as the host uses it.
pub trait ChatPlatform: Send + Sync + 'static {
    /// The platform's name as stored in [`Thread::platform`] (`slack`, `discord`, `terminal`).
    fn name(&self) -> &'static str;

    /// Shows a card in the conversation's thread. The first post of a conversation may create the
    /// thread: the returned thread then carries its id, and the host stores it.
    fn post<'a>(&'a self, thread: &'a Thread, card: &'a Card) -> ChatFuture<'a, Thread>;

    /// Shows a card in a channel: an approver role's escalation channel.
    fn post_to_channel<'a>(&'a self, channel: &'a str, card: &'a Card) -> ChatFuture<'a, ()>;

    /// Tells one user something only they see, where the platform allows it.
    fn whisper<'a>(&'a self, thread: &'a Thread, user: &'a str, text: &'a str) -> ChatFuture<'a, ()>;

    /// Shows the deployment's progress: one message per deployment, created on the first call
    /// and edited after that (also the one `board.message` names, posted before a restart). The
    /// host calls it at most once a second per deployment, and always with the final state.
    /// Returns the id of the message when this call created it, for the host to remember.
    fn progress<'a>(&'a self, thread: &'a Thread, board: &'a ProgressBoard) -> ChatFuture<'a, Option<String>>;
}

/// What a button on a card does, encoded in the platform's button id (Slack `action_id` and
/// `value`, Discord `custom_id`, at most 100 characters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ButtonId {
    pub request_id: String,
    pub version: i64,
    pub button: Button,
}

impl ButtonId {
    /// `paved:approve:req-10001:2`, `paved:grant:req-10001:2:finance_manager`.
    pub fn encode(&self) -> String {
        let (verb, role) = match &self.button {
            Button::Approve => ("approve", None),
            Button::Modify => ("modify", None),
            Button::Cancel => ("cancel", None),
            Button::Grant { role } => ("grant", Some(role.as_str())),
            Button::Reject { role, .. } => ("reject", Some(role.as_str())),
        };
        match role {
            Some(role) => format!("paved:{verb}:{}:{}:{role}", self.request_id, self.version),
            None => format!("paved:{verb}:{}:{}", self.request_id, self.version),
        }
    }

    /// Reads a button id back; `None` for anything paved did not make.
    pub fn decode(id: &str) -> Option<ButtonId> {
        let mut parts = id.split(':');
        if parts.next()? != "paved" {
            return None;
        }
        let verb = parts.next()?;
        let request_id = parts.next()?.to_string();
        if !paved_core::message::is_request_id(&request_id) {
            return None;
        }
        let version = parts.next()?.parse().ok()?;
        let role = parts.next().map(str::to_string);
        if parts.next().is_some() {
            return None;
        }
        let button = match (verb, role) {
            ("approve", None) => Button::Approve,
            ("modify", None) => Button::Modify,
            ("cancel", None) => Button::Cancel,
            ("grant", Some(role)) if !role.is_empty() => Button::Grant { role },
            ("reject", Some(role)) if !role.is_empty() => Button::Reject { role, reason: None },
            _ => return None,
        };
        Some(ButtonId { request_id, version, button })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn button_ids_round_trip_and_fit_discord() {
        for button in [
            Button::Approve,
            Button::Modify,
            Button::Cancel,
            Button::Grant { role: "finance_manager".into() },
            Button::Reject { role: "cfo".into(), reason: None },
        ] {
            let id = ButtonId { request_id: "req-10001".into(), version: 12, button };
            let text = id.encode();
            assert!(text.len() <= 100, "{text}");
            assert_eq!(ButtonId::decode(&text), Some(id));
        }
        for bad in ["", "paved", "paved:approve:x:1", "paved:approve:req-1:one", "paved:grant:req-1:1", "other:approve:req-1:1", "paved:approve:req-1:1:extra"] {
            assert_eq!(ButtonId::decode(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_board_counts_and_draws() {
        let mut b = ProgressBoard { request_id: "req-1".into(), ..ProgressBoard::default() };
        assert!(b.update("a", ProgressStatus::Pending));
        assert!(b.update("b", ProgressStatus::Pending));
        assert!(b.update("a", ProgressStatus::Done));
        assert!(!b.update("a", ProgressStatus::Done));
        assert_eq!(b.done(), 1);
        assert_eq!(b.bar(10), "█████░░░░░ 1/2");
    }
}
