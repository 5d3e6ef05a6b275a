//! paved's durable backbone: the database (SQLite by default, PostgreSQL when `DATABASE_URL` says
//! so), the message queue between the orchestrator, the audit worker and the executor, and the
//! append-only, hash-chained audit trail.
//!
//! Everything that changes state takes a [`Tx`]; the messages a change causes
//! ([`Tx::enqueue`]) and the trail records that describe it ([`Tx::append`]) commit with it or
//! not at all.

pub mod conversations;
mod db;
pub mod log;
pub mod orchestrator;
pub mod queue;
pub mod records;
pub mod report;
pub mod testing;
pub mod trail;

pub use conversations::{ConversationIndex, DeployedResource, StoredConversation};
pub use db::{Clock, DEFAULT_DATABASE_URL, Db, Tx};
pub use log::{LogEntry, LogQuery};
pub use orchestrator::{
    AcceptedVerdict, Handled, accept_verdict, process_next_verdict, submit_for_audit,
};
pub use queue::{DeadLetter, Delivery, QueueCounts, Retry, RetryPolicy, Waiter};
pub use records::{ApprovalDecision, ApprovalRow, InventoryItem, IpamRow, PlanVersion, RequestRow};
pub use report::{ConfigurationErrors, Decisions, Deployments, Report, RuleCount, Security, Window};
pub use trail::{ForgedVerdictRow, IntegrityReport};

use paved_core::message::MessageError;
use paved_core::trail::EntryError;

/// What can go wrong with paved's state.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "the database URL `{url}` cannot be used ({reason}); set DATABASE_URL to sqlite://FILE?mode=rwc or postgres://USER@HOST/DB"
    )]
    BadUrl { url: String, reason: String },
    #[error("the database failed: {0}; check that it is running and reachable")]
    Database(#[from] sqlx::Error),
    #[error("the database schema could not be brought up to date: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("`{0}` is not a request id; request ids look like req-12345")]
    BadRequestId(String),
    #[error("there is no request {0}; check the id with `paved log`")]
    UnknownRequest(String),
    #[error("{request_id} has no plan version {version}")]
    UnknownPlanVersion { request_id: String, version: i64 },
    #[error("the verdict for {request_id} plan version {plan_version} was refused: {reason}")]
    VerdictRefused {
        request_id: String,
        plan_version: i64,
        reason: String,
    },
    #[error(
        "message {id} (attempt {attempt}) is no longer leased to this consumer: its lease expired and it was delivered again"
    )]
    LeaseLost { id: i64, attempt: i64 },
    #[error(transparent)]
    Message(#[from] MessageError),
    #[error(transparent)]
    Entry(#[from] EntryError),
    #[error("stored data cannot be read ({0}); run `paved log verify` to check the database")]
    Corrupt(String),
}

/// The id users see for request number `n`.
pub fn request_id(n: i64) -> String {
    format!("req-{n}")
}

/// The number of a request id (`req-12345` → 12345).
pub fn parse_request_id(id: &str) -> Result<i64, StoreError> {
    id.strip_prefix("req-")
        .filter(|_| paved_core::message::is_request_id(id))
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| StoreError::BadRequestId(id.to_string()))
}
