//! The cards the engine shows. Platform-neutral: each adapter renders them in its own format
//! (terminal text, Slack Block Kit, Discord embeds) from `templates/`.

use paved_core::{Intent, Plan, Verdict};
use serde::{Deserialize, Serialize};

use super::model::Conversation;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Card {
    /// What paved understood, with its assumptions and questions.
    Understanding { intent: Intent },
    /// A plan version with Approve / Modify / Cancel; `changes` says what differs from the
    /// previous version.
    Plan { version: i64, plan: Plan, changes: Vec<String>, intent: Intent },
    /// The audit's checks and decision.
    Audit { verdict: Verdict },
    /// An escalation for one approver role, with Approve / Reject.
    Escalation { role: String, conversation: Box<Conversation> },
    /// The form that collects a Modify instruction for a plan version.
    ModifyForm { version: i64 },
    /// The end of a successful deployment.
    Summary { conversation: Box<Conversation>, created: Vec<String>, drift: Vec<String> },
    /// A failed deployment, offering rollback.
    Failure { request_id: String, error: String, created: Vec<String> },
    /// A plain message in the thread.
    Notice { text: String },
}

impl Card {
    /// The kind of card, for logs and the trail.
    pub fn kind(&self) -> &'static str {
        match self {
            Card::Understanding { .. } => "understanding",
            Card::Plan { .. } => "plan",
            Card::Audit { .. } => "audit",
            Card::Escalation { .. } => "escalation",
            Card::ModifyForm { .. } => "modify_form",
            Card::Summary { .. } => "summary",
            Card::Failure { .. } => "failure",
            Card::Notice { .. } => "notice",
        }
    }
}
