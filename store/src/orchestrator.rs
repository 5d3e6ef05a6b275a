//! The orchestrator's side of the audit: sending a stored plan version to the audit worker, and
//! accepting the verdict that comes back only when the audit key signed it for exactly that plan.

use std::time::Duration;

use ed25519_dalek::VerifyingKey;
use paved_core::message::{
    AuditContextV1, AuditRequestV1, AuditVerdictV1, Message, TOPIC_ORCHESTRATOR,
};
use paved_core::signing;
use paved_core::trail::{TrailEntry, kinds};
use paved_core::verdict::Verdict;
use serde_json::json;
use sqlx::Row;

use crate::db::{Db, Tx, on_pool, on_tx};
use crate::trail::canonical_text;
use crate::{StoreError, parse_request_id};

/// The actor recorded for verdicts: the audit worker made them.
pub const AUDIT_ACTOR: &str = "paved-audit";

/// Sends plan version `plan_version` of a request to the audit, as part of `tx` (the outbox): the
/// message carries the request text and the plan exactly as stored, and its hash. Sending the same
/// version again changes nothing; returns false then.
pub async fn submit_for_audit(
    tx: &mut Tx,
    actor: &str,
    request_id: &str,
    plan_version: i64,
    context: AuditContextV1,
) -> Result<bool, StoreError> {
    let id = parse_request_id(request_id)?;
    let text: String = on_tx!(tx, c => {
        sqlx::query("SELECT text FROM requests WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *c)
            .await?
            .ok_or_else(|| StoreError::UnknownRequest(request_id.to_string()))?
            .try_get("text")?
    });
    let version = tx.plan_version(request_id, plan_version).await?;
    let message = Message::AuditRequest(AuditRequestV1 {
        request_id: request_id.to_string(),
        plan_version,
        request_text: text,
        plan_hash: version.plan_hash.clone(),
        plan: version.plan,
        context,
    });
    if !tx.enqueue(&message).await? {
        return Ok(false);
    }
    tx.append(TrailEntry::new(
        actor,
        Some(request_id),
        kinds::AUDIT_REQUESTED,
        json!({"plan_version": plan_version, "plan_hash": version.plan_hash}),
    ))
    .await?;
    tx.set_request_status(request_id, "auditing").await?;
    Ok(true)
}

/// A verdict the orchestrator accepted.
#[derive(Debug, Clone, PartialEq)]
pub struct AcceptedVerdict {
    pub request_id: String,
    pub plan_version: i64,
    pub verdict: Verdict,
    /// False when this verdict had already been accepted (a redelivery): nothing was changed.
    pub new: bool,
}

/// Accepts a verdict as part of `tx`: only when it is signed by the audit key and bound to the
/// hash of the plan version that was sent. It is then stored (once: a redelivered verdict changes
/// nothing) and recorded in the trail.
pub async fn accept_verdict(
    tx: &mut Tx,
    audit_key: &VerifyingKey,
    message: &AuditVerdictV1,
) -> Result<AcceptedVerdict, StoreError> {
    let refused = |reason: String| StoreError::VerdictRefused {
        request_id: message.request_id.clone(),
        plan_version: message.plan_version,
        reason,
    };
    let sent = tx
        .plan_version(&message.request_id, message.plan_version)
        .await
        .map_err(|e| refused(e.to_string()))?;
    signing::verify_verdict(audit_key, &message.verdict, &sent.plan_hash)
        .map_err(|e| refused(e.to_string()))?;

    let id = parse_request_id(&message.request_id)?;
    let now = tx.now_ms();
    let verdict = &message.verdict;
    let inserted = on_tx!(tx, c => {
        sqlx::query(
            "INSERT INTO verdicts (request_id, plan_version, decision, plan_hash, approved_plan_hash, verdict, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (request_id, plan_version) DO NOTHING",
        )
        .bind(id)
        .bind(message.plan_version)
        .bind(verdict.decision.as_str())
        .bind(&verdict.plan_hash)
        .bind(&verdict.approved_plan_hash)
        .bind(canonical_text(verdict))
        .bind(now)
        .execute(&mut *c)
        .await?
        .rows_affected()
    });
    if inserted > 0 {
        tx.append(TrailEntry::new(
            AUDIT_ACTOR,
            Some(&message.request_id),
            kinds::VERDICT_ISSUED,
            json!({"plan_version": message.plan_version, "decision": verdict.decision, "verdict": verdict}),
        ))
        .await?;
        let status = if verdict.decision.may_run() {
            "approved"
        } else {
            verdict.decision.as_str()
        };
        tx.set_request_status(&message.request_id, status).await?;
    }
    Ok(AcceptedVerdict {
        request_id: message.request_id.clone(),
        plan_version: message.plan_version,
        verdict: verdict.clone(),
        new: inserted > 0,
    })
}

/// What became of one message on the orchestrator's queue.
#[derive(Debug, Clone, PartialEq)]
pub enum Handled {
    /// A verdict was accepted (or had been already).
    Verdict(Box<AcceptedVerdict>),
    /// The message was dead-lettered with this reason and never acted on.
    DeadLettered(String),
}

/// Claims and handles one verdict message from the orchestrator's queue: accepted verdicts are
/// stored and the message completed in one transaction; a verdict that fails verification, an
/// unknown kind or a malformed payload is dead-lettered and never acted on.
pub async fn process_next_verdict(
    db: &Db,
    audit_key: &VerifyingKey,
    lease: Duration,
) -> Result<Option<Handled>, StoreError> {
    let Some(delivery) = db.claim(TOPIC_ORCHESTRATOR, lease).await? else {
        return Ok(None);
    };
    let message = match delivery.decode() {
        Ok(Message::AuditVerdict(m)) => m,
        Ok(other) => {
            let reason = format!(
                "a `{}` message does not belong on the orchestrator's queue",
                other.kind()
            );
            db.dead_letter(&delivery, &reason).await?;
            return Ok(Some(Handled::DeadLettered(reason)));
        }
        Err(e) => {
            let reason = e.to_string();
            db.dead_letter(&delivery, &reason).await?;
            return Ok(Some(Handled::DeadLettered(reason)));
        }
    };
    let mut tx = db.begin().await?;
    match accept_verdict(&mut tx, audit_key, &message).await {
        Ok(accepted) => {
            tx.complete(&delivery).await?;
            tx.commit().await?;
            Ok(Some(Handled::Verdict(Box::new(accepted))))
        }
        Err(StoreError::VerdictRefused { reason, .. }) => {
            tx.rollback().await?;
            let reason = format!("verdict refused: {reason}");
            db.dead_letter(&delivery, &reason).await?;
            Ok(Some(Handled::DeadLettered(reason)))
        }
        Err(e) => Err(e),
    }
}

impl Db {
    /// The accepted verdict of a plan version, if there is one.
    pub async fn verdict(
        &self,
        request_id: &str,
        plan_version: i64,
    ) -> Result<Option<Verdict>, StoreError> {
        let id = parse_request_id(request_id)?;
        let text: Option<String> = on_pool!(self, p => {
            match sqlx::query("SELECT verdict FROM verdicts WHERE request_id = $1 AND plan_version = $2")
                .bind(id)
                .bind(plan_version)
                .fetch_optional(p)
                .await?
            {
                Some(row) => Some(row.try_get("verdict")?),
                None => None,
            }
        });
        text.map(|t| {
            serde_json::from_str(&t).map_err(|e| {
                StoreError::Corrupt(format!("verdict of {request_id} v{plan_version}: {e}"))
            })
        })
        .transpose()
    }

    /// How many verdicts are stored, per request (for checks that each got exactly one).
    pub async fn verdict_count(&self) -> Result<i64, StoreError> {
        on_pool!(self, p => {
            Ok(sqlx::query("SELECT COUNT(*) AS n FROM verdicts").fetch_one(p).await?.try_get("n")?)
        })
    }
}
