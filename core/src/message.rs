//! The messages that travel on paved's queue between the orchestrator, the audit worker and the
//! executor.
//!
//! Every message has a versioned `kind` (`audit.request.v1`) and a JSON payload. A consumer that
//! meets a kind it does not know, or a payload that does not fit its kind, must not guess: the
//! message is dead-lettered with the reason, so that a newer producer never silently talks past an
//! older consumer. Payloads are parsed strictly (unknown fields are errors) for the same reason: a
//! field this version does not understand means the message is of another version.

use serde::{Deserialize, Serialize};

use crate::canonical;
use crate::plan::Plan;
use crate::verdict::Verdict;

/// The audit worker's queue.
pub const TOPIC_AUDIT: &str = "audit";
/// The orchestrator's queue: verdicts come back here.
pub const TOPIC_ORCHESTRATOR: &str = "orchestrator";
/// The executor's queue.
pub const TOPIC_EXECUTOR: &str = "executor";
/// Progress reports, read by whatever shows them to people (the chat thread).
pub const TOPIC_PROGRESS: &str = "progress";

pub const AUDIT_REQUEST_V1: &str = "audit.request.v1";
pub const AUDIT_VERDICT_V1: &str = "audit.verdict.v1";
pub const EXECUTE_REQUEST_V1: &str = "execute.request.v1";
pub const PROGRESS_V1: &str = "progress.v1";
pub const CHECKPOINT_REQUEST_V1: &str = "trail.checkpoint.request.v1";

/// Every kind this version of paved understands.
pub const KNOWN_KINDS: [&str; 5] = [
    AUDIT_REQUEST_V1,
    AUDIT_VERDICT_V1,
    EXECUTE_REQUEST_V1,
    PROGRESS_V1,
    CHECKPOINT_REQUEST_V1,
];

/// What the audit needs to know about the world beyond the request and the plan.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditContextV1 {
    /// The plan is already (partly) deployed, so the audit must not move it to another region.
    #[serde(default)]
    pub deployed: bool,
    /// The requester explicitly confirmed the deletions in the plan.
    #[serde(default)]
    pub confirmed_deletion: bool,
    /// A change ticket (`CHG-1234`) given for changes to production.
    #[serde(default)]
    pub change_ticket: Option<String>,
}

/// `audit.request.v1`: the orchestrator asks the audit to judge one plan version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditRequestV1 {
    pub request_id: String,
    pub plan_version: i64,
    /// The user's original words: the audit reads them itself.
    pub request_text: String,
    pub plan: Plan,
    /// SHA-256 of the canonical plan; the verdict must come back bound to this hash.
    pub plan_hash: String,
    #[serde(default)]
    pub context: AuditContextV1,
}

/// `audit.verdict.v1`: the audit's signed verdict on one plan version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditVerdictV1 {
    pub request_id: String,
    pub plan_version: i64,
    pub verdict: Verdict,
}

/// `execute.request.v1`: the orchestrator hands an approved plan to the executor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExecuteRequestV1 {
    pub request_id: String,
    pub plan_version: i64,
    pub plan: Plan,
    pub verdict: Verdict,
}

/// Where one resource of a deployment stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProgressStatus {
    Pending,
    Creating,
    Updating,
    Replacing,
    Deleting,
    Done,
    Failed,
    RolledBack,
}

impl ProgressStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ProgressStatus::Pending => "pending",
            ProgressStatus::Creating => "creating",
            ProgressStatus::Updating => "updating",
            ProgressStatus::Replacing => "replacing",
            ProgressStatus::Deleting => "deleting",
            ProgressStatus::Done => "done",
            ProgressStatus::Failed => "failed",
            ProgressStatus::RolledBack => "rolled_back",
        }
    }
}

/// `progress.v1`: the executor reports one resource's progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProgressV1 {
    pub request_id: String,
    pub address: String,
    pub status: ProgressStatus,
    pub message: String,
}

/// `trail.checkpoint.request.v1`: asks the audit worker to sign a checkpoint of the audit trail
/// now, rather than waiting for the next periodic one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckpointRequestV1 {
    /// Who asked, for the record.
    pub requested_by: String,
}

/// One message of any known kind.
#[derive(Debug, Clone, PartialEq)]
pub enum Message {
    AuditRequest(AuditRequestV1),
    AuditVerdict(AuditVerdictV1),
    ExecuteRequest(ExecuteRequestV1),
    Progress(ProgressV1),
    CheckpointRequest(CheckpointRequestV1),
}

/// Why a stored message cannot be read by this version of paved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MessageError {
    #[error("unknown message kind `{0}`; this version of paved understands {known}", known = KNOWN_KINDS.join(", "))]
    UnknownKind(String),
    #[error("the `{kind}` payload is malformed: {reason}")]
    Malformed { kind: String, reason: String },
    #[error("the `{kind}` payload is inconsistent: {reason}")]
    Inconsistent { kind: String, reason: String },
}

impl Message {
    /// The versioned kind written beside the payload.
    pub fn kind(&self) -> &'static str {
        match self {
            Message::AuditRequest(_) => AUDIT_REQUEST_V1,
            Message::AuditVerdict(_) => AUDIT_VERDICT_V1,
            Message::ExecuteRequest(_) => EXECUTE_REQUEST_V1,
            Message::Progress(_) => PROGRESS_V1,
            Message::CheckpointRequest(_) => CHECKPOINT_REQUEST_V1,
        }
    }

    /// The queue whose consumer handles this kind.
    pub fn topic(&self) -> &'static str {
        match self {
            Message::AuditRequest(_) | Message::CheckpointRequest(_) => TOPIC_AUDIT,
            Message::AuditVerdict(_) => TOPIC_ORCHESTRATOR,
            Message::Progress(_) => TOPIC_PROGRESS,
            Message::ExecuteRequest(_) => TOPIC_EXECUTOR,
        }
    }

    /// A key that is the same for every message with the same effect, so that a producer that
    /// sends twice (after a crash and a retry) enqueues once.
    pub fn dedup_key(&self) -> Option<String> {
        match self {
            Message::AuditRequest(m) => Some(format!(
                "{}:{}:{}:{}",
                AUDIT_REQUEST_V1, m.request_id, m.plan_version, m.plan_hash
            )),
            Message::AuditVerdict(m) => Some(format!(
                "{}:{}:{}",
                AUDIT_VERDICT_V1, m.request_id, m.plan_version
            )),
            Message::ExecuteRequest(m) => Some(format!(
                "{}:{}:{}",
                EXECUTE_REQUEST_V1, m.request_id, m.plan_version
            )),
            Message::Progress(_) | Message::CheckpointRequest(_) => None,
        }
    }

    /// The request the message is about, when it is about one.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Message::AuditRequest(m) => Some(&m.request_id),
            Message::AuditVerdict(m) => Some(&m.request_id),
            Message::ExecuteRequest(m) => Some(&m.request_id),
            Message::Progress(m) => Some(&m.request_id),
            Message::CheckpointRequest(_) => None,
        }
    }

    /// The canonical JSON payload.
    pub fn payload(&self) -> String {
        let bytes = match self {
            Message::AuditRequest(m) => canonical::to_vec(m),
            Message::AuditVerdict(m) => canonical::to_vec(m),
            Message::ExecuteRequest(m) => canonical::to_vec(m),
            Message::Progress(m) => canonical::to_vec(m),
            Message::CheckpointRequest(m) => canonical::to_vec(m),
        };
        // Canonical JSON is built by serde_json, so it is always UTF-8.
        String::from_utf8(bytes).unwrap_or_default()
    }

    /// Reads a stored message: its kind decides the type, the payload must fit it exactly, and
    /// the parts that must agree with each other (a plan and its hash) are checked.
    pub fn decode(kind: &str, payload: &str) -> Result<Message, MessageError> {
        fn parse<T: serde::de::DeserializeOwned>(
            kind: &str,
            payload: &str,
        ) -> Result<T, MessageError> {
            serde_json::from_str(payload).map_err(|e| MessageError::Malformed {
                kind: kind.to_string(),
                reason: e.to_string(),
            })
        }
        let message = match kind {
            AUDIT_REQUEST_V1 => Message::AuditRequest(parse(kind, payload)?),
            AUDIT_VERDICT_V1 => Message::AuditVerdict(parse(kind, payload)?),
            EXECUTE_REQUEST_V1 => Message::ExecuteRequest(parse(kind, payload)?),
            PROGRESS_V1 => Message::Progress(parse(kind, payload)?),
            CHECKPOINT_REQUEST_V1 => Message::CheckpointRequest(parse(kind, payload)?),
            other => return Err(MessageError::UnknownKind(other.to_string())),
        };
        message.check()?;
        Ok(message)
    }

    fn check(&self) -> Result<(), MessageError> {
        let inconsistent = |reason: String| MessageError::Inconsistent {
            kind: self.kind().to_string(),
            reason,
        };
        if let Some(id) = self.request_id()
            && !is_request_id(id)
        {
            return Err(inconsistent(format!(
                "`{id}` is not a request id like `req-12345`"
            )));
        }
        if let Message::AuditRequest(m) = self {
            let actual = canonical::plan_hash(&m.plan);
            if actual != m.plan_hash {
                return Err(inconsistent(format!(
                    "the plan hashes to {actual}, not to the plan_hash {} it was sent with",
                    m.plan_hash
                )));
            }
            if m.plan_version < 1 {
                return Err(inconsistent(format!(
                    "plan version {} is not positive",
                    m.plan_version
                )));
            }
        }
        Ok(())
    }
}

/// True for ids of the form `req-` followed by digits.
pub fn is_request_id(id: &str) -> bool {
    id.strip_prefix("req-")
        .is_some_and(|n| !n.is_empty() && n.len() <= 19 && n.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::intent::Environment;

    fn plan() -> Plan {
        Plan {
            golden_path: Some("standard_web_app".into()),
            golden_path_version: "3.2".into(),
            environment: Environment::Development,
            region: "us-east-1".into(),
            resources: vec![],
            estimated_monthly_cost_usd: 0.0,
        }
    }

    #[test]
    fn audit_request_round_trips_and_checks_its_hash() {
        let p = plan();
        let m = Message::AuditRequest(AuditRequestV1 {
            request_id: "req-10001".into(),
            plan_version: 1,
            request_text: "a dev web app".into(),
            plan_hash: canonical::plan_hash(&p),
            plan: p,
            context: AuditContextV1::default(),
        });
        let back = Message::decode(m.kind(), &m.payload()).unwrap();
        assert_eq!(back, m);
        assert_eq!(m.topic(), TOPIC_AUDIT);

        let tampered = m.payload().replace("us-east-1", "eu-west-1");
        let err = Message::decode(AUDIT_REQUEST_V1, &tampered).unwrap_err();
        assert!(matches!(err, MessageError::Inconsistent { .. }), "{err}");
    }

    #[test]
    fn unknown_kinds_and_fields_are_refused() {
        let err = Message::decode("audit.request.v9", "{}").unwrap_err();
        assert_eq!(err, MessageError::UnknownKind("audit.request.v9".into()));
        let err = Message::decode(
            PROGRESS_V1,
            r#"{"request_id":"req-1","address":"a.b","status":"done","message":"","extra":1}"#,
        )
        .unwrap_err();
        assert!(matches!(err, MessageError::Malformed { .. }), "{err}");
        let err = Message::decode(
            PROGRESS_V1,
            r#"{"request_id":"job-1","address":"a.b","status":"done","message":""}"#,
        )
        .unwrap_err();
        assert!(matches!(err, MessageError::Inconsistent { .. }), "{err}");
    }

    #[test]
    fn request_ids() {
        assert!(is_request_id("req-12345"));
        assert!(!is_request_id("req-"));
        assert!(!is_request_id("req-12a"));
        assert!(!is_request_id("REQ-1"));
    }
}
