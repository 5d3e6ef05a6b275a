//! The audit worker: the process that holds the audit's signing key, reads audit requests from the
//! queue, judges them and publishes signed verdicts.
//!
//! It is isolated on purpose. It links no cloud or chat SDK, refuses to start with cloud or chat
//! credentials in its environment, and on PostgreSQL connects with a role that may read audit
//! requests and write verdicts and nothing else. Publishing a verdict and completing the request
//! happen in one transaction, and only while the worker still holds the request's lease, so a
//! crash at any point leaves either no verdict (the request is delivered again) or exactly one.

use std::ffi::OsString;
use std::future::Future;
use std::time::{Duration, Instant};

use ed25519_dalek::SigningKey;
use paved_core::message::{AuditRequestV1, AuditVerdictV1, Message, TOPIC_AUDIT};
use paved_core::signing;
use paved_core::verdict::Verdict;
use paved_store::{Db, Delivery, StoreError};

/// Environment variables that hold cloud or chat credentials. The worker refuses to start when
/// any is set (to a non-empty value), so that a mistake in deployment cannot hand it the power to
/// act on the cloud or to speak in chat.
pub const FORBIDDEN_VARIABLES: &[&str] = &[
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_ROLE_ARN",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    "AWS_SHARED_CREDENTIALS_FILE",
    "SLACK_SIGNING_SECRET",
    "DISCORD_PUBLIC_KEY",
];

/// Besides the list above, any variable whose name mentions Slack or Discord together with a
/// token, secret or key (`SLACK_BOT_TOKEN`, `PAVED_DISCORD_BOT_TOKEN`, `SLACK_APP_SECRET`).
pub fn is_forbidden(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    if FORBIDDEN_VARIABLES.contains(&upper.as_str()) {
        return true;
    }
    let chat = upper.contains("SLACK") || upper.contains("DISCORD");
    let secret = upper.contains("TOKEN") || upper.contains("SECRET") || upper.contains("KEY");
    chat && secret
}

/// Why the worker would not start or stopped.
#[derive(Debug, thiserror::Error)]
pub enum WorkerError {
    #[error(
        "refusing to start: {0} is set, and the audit worker must hold no cloud or chat credentials; remove it from the worker's environment"
    )]
    Credentials(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Checks an environment (`std::env::vars_os()`) for credentials the worker must not hold.
pub fn refuse_credentials(
    vars: impl IntoIterator<Item = (OsString, OsString)>,
) -> Result<(), WorkerError> {
    let mut found: Vec<String> = vars
        .into_iter()
        .filter(|(_, value)| !value.is_empty())
        .map(|(name, _)| name.to_string_lossy().into_owned())
        .filter(|name| is_forbidden(name))
        .collect();
    found.sort();
    if found.is_empty() {
        Ok(())
    } else {
        Err(WorkerError::Credentials(found.join(", ")))
    }
}

/// What the worker judges with: the audit itself in production. A trait so that the queue
/// mechanics can be exercised apart from the policies.
pub trait Judge: Send + Sync {
    /// Judges one request; returns an unsigned verdict bound to the request's plan.
    fn judge(&self, request: &AuditRequestV1) -> Verdict;
}

/// The audit of this crate as the worker's judge.
pub struct AuditorJudge<'a>(pub &'a crate::Auditor<'a>);

impl Judge for AuditorJudge<'_> {
    fn judge(&self, request: &AuditRequestV1) -> Verdict {
        let ctx = crate::AuditContext {
            deployed: request.context.deployed,
            confirmed_deletion: request.context.confirmed_deletion,
            change_ticket: request.context.change_ticket.clone(),
        };
        self.0.audit(&request.request_text, &request.plan, &ctx)
    }
}

/// How the worker runs.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// How long a claimed request stays invisible to other workers. Judging takes milliseconds;
    /// the lease only matters when a worker dies holding it.
    pub lease: Duration,
    /// How often the trail's head is signed, when it has grown.
    pub checkpoint_every: Duration,
    /// Stop after this many handled messages (for tests and one-shot runs).
    pub max_messages: Option<u64>,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        WorkerConfig {
            lease: Duration::from_secs(30),
            checkpoint_every: Duration::from_secs(300),
            max_messages: None,
        }
    }
}

/// What happened to one claimed message.
#[derive(Debug, Clone, PartialEq)]
pub enum Handled {
    /// A verdict was published for this request and plan version.
    Judged {
        request_id: String,
        plan_version: i64,
        verdict: Box<Verdict>,
    },
    /// A checkpoint of the trail was signed (or the head was already covered).
    Checkpointed,
    /// The message could not be read or does not belong here; it will not be retried.
    DeadLettered(String),
    /// The lease expired while judging and another worker has the request: nothing was
    /// published.
    LeaseLost,
}

/// Claims and handles one message from the audit queue, if one is ready.
pub async fn handle_next(
    db: &Db,
    judge: &dyn Judge,
    key: &SigningKey,
    lease: Duration,
) -> Result<Option<Handled>, StoreError> {
    let Some(delivery) = db.claim(TOPIC_AUDIT, lease).await? else {
        return Ok(None);
    };
    let handled = match delivery.decode() {
        Ok(Message::AuditRequest(request)) => {
            publish_verdict(db, judge, key, &delivery, request).await?
        }
        Ok(Message::CheckpointRequest(_)) => {
            db.write_checkpoint(key).await?;
            match db.complete(&delivery).await {
                Ok(()) => Handled::Checkpointed,
                Err(StoreError::LeaseLost { .. }) => Handled::LeaseLost,
                Err(e) => return Err(e),
            }
        }
        Ok(other) => {
            let reason = format!(
                "a `{}` message does not belong on the audit queue",
                other.kind()
            );
            db.dead_letter(&delivery, &reason).await?;
            Handled::DeadLettered(reason)
        }
        Err(e) => {
            let reason = e.to_string();
            db.dead_letter(&delivery, &reason).await?;
            Handled::DeadLettered(reason)
        }
    };
    Ok(Some(handled))
}

async fn publish_verdict(
    db: &Db,
    judge: &dyn Judge,
    key: &SigningKey,
    delivery: &Delivery,
    request: AuditRequestV1,
) -> Result<Handled, StoreError> {
    let mut verdict = judge.judge(&request);
    signing::sign_verdict(key, &mut verdict);
    let message = AuditVerdictV1 {
        request_id: request.request_id.clone(),
        plan_version: request.plan_version,
        verdict: verdict.clone(),
    };
    let mut tx = db.begin().await?;
    tx.enqueue(&Message::AuditVerdict(message)).await?;
    match tx.complete(delivery).await {
        Ok(()) => {
            tx.commit().await?;
            Ok(Handled::Judged {
                request_id: request.request_id,
                plan_version: request.plan_version,
                verdict: Box::new(verdict),
            })
        }
        Err(StoreError::LeaseLost { .. }) => {
            tx.rollback().await?;
            Ok(Handled::LeaseLost)
        }
        Err(e) => Err(e),
    }
}

/// Counts of what a run of the worker did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WorkerStats {
    pub judged: u64,
    pub checkpoints: u64,
    pub dead_lettered: u64,
    pub leases_lost: u64,
}

/// Runs the worker until `shutdown` resolves (or `max_messages` were handled). The message being
/// handled when shutdown comes is finished first. Database errors are retried after a pause, so a
/// database restart does not stop the worker.
pub async fn run(
    db: &Db,
    judge: &dyn Judge,
    key: &SigningKey,
    config: &WorkerConfig,
    shutdown: impl Future<Output = ()>,
) -> Result<WorkerStats, WorkerError> {
    let mut waiter = db.waiter(TOPIC_AUDIT).await?;
    let mut stats = WorkerStats::default();
    let mut last_checkpoint = Instant::now();
    tokio::pin!(shutdown);
    loop {
        if config
            .max_messages
            .is_some_and(|max| stats.judged + stats.checkpoints + stats.dead_lettered >= max)
        {
            return Ok(stats);
        }
        match handle_next(db, judge, key, config.lease).await {
            Ok(Some(handled)) => {
                waiter.found_work();
                match handled {
                    Handled::Judged {
                        request_id,
                        plan_version,
                        verdict,
                    } => {
                        stats.judged += 1;
                        eprintln!(
                            "paved-audit: {request_id} plan version {plan_version}: {}",
                            verdict.decision
                        );
                    }
                    Handled::Checkpointed => stats.checkpoints += 1,
                    Handled::DeadLettered(reason) => {
                        stats.dead_lettered += 1;
                        eprintln!("paved-audit: dead-lettered a message: {reason}");
                    }
                    Handled::LeaseLost => stats.leases_lost += 1,
                }
                continue;
            }
            Ok(None) => {
                if last_checkpoint.elapsed() >= config.checkpoint_every {
                    if let Err(e) = db.write_checkpoint(key).await {
                        eprintln!("paved-audit: could not sign a trail checkpoint: {e}");
                    }
                    last_checkpoint = Instant::now();
                }
                tokio::select! {
                    () = &mut shutdown => return Ok(stats),
                    () = waiter.wait() => {}
                }
            }
            Err(e) => {
                eprintln!("paved-audit: {e}; retrying in a second");
                tokio::select! {
                    () = &mut shutdown => return Ok(stats),
                    () = tokio::time::sleep(Duration::from_secs(1)) => {}
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(OsString, OsString)> {
        pairs
            .iter()
            .map(|(k, v)| (OsString::from(k), OsString::from(v)))
            .collect()
    }

    #[test]
    fn credentials_in_the_environment_are_refused() {
        assert!(
            refuse_credentials(env(&[
                ("PATH", "/bin"),
                ("DATABASE_URL", "sqlite://x"),
                ("HOME", "/root")
            ]))
            .is_ok()
        );
        for name in [
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_SESSION_TOKEN",
            "AWS_PROFILE",
            "SLACK_BOT_TOKEN",
            "SLACK_APP_TOKEN",
            "SLACK_SIGNING_SECRET",
            "PAVED_SLACK_TOKEN",
            "DISCORD_BOT_TOKEN",
            "DISCORD_PUBLIC_KEY",
        ] {
            let err = refuse_credentials(env(&[("PATH", "/bin"), (name, "x")])).unwrap_err();
            let text = err.to_string();
            assert!(
                text.contains(name) && text.starts_with("refusing to start"),
                "{text}"
            );
        }
        // Set but empty holds no credential.
        assert!(refuse_credentials(env(&[("AWS_PROFILE", "")])).is_ok());
        // Names that merely look related are allowed.
        assert!(!is_forbidden("AWS_REGION"));
        assert!(!is_forbidden("SLACK_CHANNEL"));
        assert!(!is_forbidden("PAVED_AUDIT_KEY"));
    }
}
