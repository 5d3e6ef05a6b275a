//! Waiting for resources that take minutes (databases, caches, notebooks): poll, report progress
//! while waiting, give up after the policy's timeout.

use std::future::Future;
use std::time::Duration;

use paved_core::message::{ProgressStatus, ProgressV1};
use tokio::sync::mpsc::UnboundedSender;
use tokio::time::Instant;

use crate::provider::{DeployContext, ProviderError};

/// How waiters poll.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WaitPolicy {
    pub interval: Duration,
    /// Longest wait for one resource before the deployment fails.
    pub timeout: Duration,
}

impl Default for WaitPolicy {
    fn default() -> Self {
        // RDS Multi-AZ instances take 10–20 minutes; an hour is a broken resource, not a slow one.
        WaitPolicy {
            interval: Duration::from_secs(15),
            timeout: Duration::from_secs(3600),
        }
    }
}

/// What one poll saw.
pub(crate) enum Poll {
    Ready,
    /// Still going; the state AWS reports (`creating`, `backing-up`).
    Pending(String),
    /// Will never become ready; the sentence says why.
    Failed(String),
}

pub(crate) struct Waiter<'a> {
    pub policy: &'a WaitPolicy,
    pub progress: Option<&'a UnboundedSender<ProgressV1>>,
    pub ctx: &'a DeployContext,
    pub address: &'a str,
}

impl Waiter<'_> {
    /// Polls `check` until it is ready. Transient errors while polling count as "still going".
    pub async fn until<F, Fut>(&self, goal: &str, mut check: F) -> Result<(), ProviderError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<Poll, ProviderError>>,
    {
        let started = Instant::now();
        let mut last_state = String::new();
        loop {
            let state = match check().await {
                Ok(Poll::Ready) => return Ok(()),
                Ok(Poll::Failed(why)) => return Err(ProviderError::permanent(why)),
                Ok(Poll::Pending(state)) => state,
                Err(e) if e.transient => format!("unreachable for a moment: {}", e.message),
                Err(e) => return Err(e),
            };
            let waited = started.elapsed();
            if waited >= self.policy.timeout {
                return Err(ProviderError::permanent(format!(
                    "{} did not become {goal} within {} minutes (last state: {state}); look at it in the AWS console.",
                    self.address,
                    self.policy.timeout.as_secs() / 60
                )));
            }
            if state != last_state || waited.as_secs() % 60 < self.policy.interval.as_secs().max(1)
            {
                self.report(
                    goal == "deleted",
                    &format!(
                        "waiting until it is {goal}: {state} after {}",
                        minutes(waited)
                    ),
                );
                last_state = state;
            }
            tokio::time::sleep(self.policy.interval).await;
        }
    }

    fn report(&self, deleting: bool, message: &str) {
        if let Some(tx) = self.progress {
            // A closed receiver only means nobody watches any more.
            let _ = tx.send(ProgressV1 {
                request_id: self.ctx.request_id.clone(),
                address: self.address.to_string(),
                status: if deleting {
                    ProgressStatus::Deleting
                } else {
                    ProgressStatus::Creating
                },
                message: message.to_string(),
            });
        }
    }
}

fn minutes(d: Duration) -> String {
    let s = d.as_secs();
    if s < 60 {
        format!("{s} s")
    } else {
        format!("{} min {} s", s / 60, s % 60)
    }
}
