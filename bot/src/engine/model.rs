//! The conversation's persisted shape: who asked, where, what was understood, every plan version,
//! the audit's verdict, the approvals, and the stage the request has reached.

use paved_core::{Approval, Intent, Plan, Verdict};
use serde::{Deserialize, Serialize};

/// Where a request stands. Terminal stages end the conversation (a rollback may follow
/// `Completed` or `Failed`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Received,
    NeedsClarification,
    Planned,
    ApprovedByRequester,
    Auditing,
    Vetoed,
    Escalated,
    Executing,
    Verifying,
    Completed,
    Failed,
    Cancelled,
    Rejected,
    Expired,
    RolledBack,
}

impl Stage {
    /// Every stage, in the order of a request's life.
    pub const ALL: [Stage; 15] = [
        Stage::Received,
        Stage::NeedsClarification,
        Stage::Planned,
        Stage::ApprovedByRequester,
        Stage::Auditing,
        Stage::Vetoed,
        Stage::Escalated,
        Stage::Executing,
        Stage::Verifying,
        Stage::Completed,
        Stage::Failed,
        Stage::Cancelled,
        Stage::Rejected,
        Stage::Expired,
        Stage::RolledBack,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Received => "received",
            Stage::NeedsClarification => "needs_clarification",
            Stage::Planned => "planned",
            Stage::ApprovedByRequester => "approved_by_requester",
            Stage::Auditing => "auditing",
            Stage::Vetoed => "vetoed",
            Stage::Escalated => "escalated",
            Stage::Executing => "executing",
            Stage::Verifying => "verifying",
            Stage::Completed => "completed",
            Stage::Failed => "failed",
            Stage::Cancelled => "cancelled",
            Stage::Rejected => "rejected",
            Stage::Expired => "expired",
            Stage::RolledBack => "rolled_back",
        }
    }

    /// True when nothing more happens unless someone asks for a rollback.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            Stage::Completed | Stage::Failed | Stage::Cancelled | Stage::Rejected | Stage::Expired | Stage::RolledBack | Stage::Vetoed
        )
    }

    /// True while the request holds its service/environment lock.
    pub fn holds_lock(self) -> bool {
        matches!(
            self,
            Stage::Planned
                | Stage::ApprovedByRequester
                | Stage::Auditing
                | Stage::Escalated
                | Stage::Executing
                | Stage::Verifying
        )
    }
}

/// A chat user, as the platform verified them.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct User {
    /// The platform's verified user id (`U012AB3CD` on Slack, a snowflake on Discord, `terminal:alice`).
    pub id: String,
    /// A display name for cards; never used to authorise.
    pub name: String,
}

/// Where the conversation happens, opaque to the engine: each adapter fills in its own ids.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Thread {
    pub platform: String,
    pub channel: String,
    /// The thread's id (Slack `thread_ts`, Discord thread channel id); empty before it exists.
    pub thread: String,
}

/// One immutable version of the plan. Modify makes a new one; approvals bind to its hash.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanVersion {
    pub version: i64,
    pub plan: Plan,
    pub hash: String,
    /// The words that produced this version from the previous one (Modify), if any.
    pub instruction: Option<String>,
}

/// The life of one request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Conversation {
    pub request_id: String,
    pub requester: User,
    pub thread: Thread,
    pub stage: Stage,
    /// Everything the requester said that shapes the request: the request, answers to questions,
    /// Modify instructions. The audit reads these words itself.
    pub words: Vec<String>,
    pub intent: Intent,
    pub plans: Vec<PlanVersion>,
    /// The audit's verified verdict on the current plan version.
    pub verdict: Option<Verdict>,
    pub approvals: Vec<Approval>,
    /// Milliseconds since the epoch when an open escalation expires.
    pub escalation_expires_at_ms: Option<i64>,
    pub change_ticket: Option<String>,
    pub deletion_confirmed: bool,
    /// `service/environment` while the request holds the change lock.
    pub lock: Option<String>,
    /// Why the request ended, for terminal stages.
    pub reason: Option<String>,
    /// The request this one rolls back, for rollback requests.
    pub rolls_back: Option<String>,
    /// The chat platform's id of the progress message of the deployment in flight, so that a
    /// restarted paved edits the same message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub progress_message: Option<String>,
    /// For an offered golden-path upgrade: the request it upgrades and the version it moves to
    /// (`req-10001@3.3`), so that the same upgrade is offered once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upgrades: Option<String>,
}

impl Conversation {
    pub fn current(&self) -> Option<&PlanVersion> {
        self.plans.last()
    }

    pub fn current_version(&self) -> i64 {
        self.plans.last().map(|p| p.version).unwrap_or(0)
    }

    /// The words the audit reads: everything the requester said, in order.
    pub fn audit_text(&self) -> String {
        self.words.join("\n")
    }

    /// The change lock this request needs: one change at a time per service and environment.
    pub fn lock_key(&self) -> String {
        let service = self.intent.service.clone().unwrap_or_else(|| {
            self.current()
                .and_then(|p| {
                    p.plan.resources.iter().find_map(|r| {
                        r.values.get("tags")?.get("paved:service")?.as_str().map(str::to_string)
                    })
                })
                .unwrap_or_else(|| self.request_id.clone())
        });
        format!("{service}/{}", self.intent.environment)
    }
}
