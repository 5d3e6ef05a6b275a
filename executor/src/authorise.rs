//! The executor's own gate: it runs nothing the audit did not approve.

use paved_core::signing::{VerifyingKey, verify_verdict};
use paved_core::{Approval, Decision, Plan, Verdict, canonical};

/// Why a plan may not run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("the audit's verdict does not verify: {0}")]
    Signature(#[from] paved_core::signing::SignatureError),
    #[error("the plan to apply (hash {found}) is not the plan the audit approved (hash {expected})")]
    PlanMismatch { expected: String, found: String },
    #[error("the audit vetoed this plan")]
    Vetoed,
    #[error("the plan waits for approval by {0}")]
    AwaitingApproval(String),
    #[error("the provider cannot create {0}; nothing was started")]
    Unsupported(String),
}

/// Checks that `plan` may run: the verdict is signed by the audit key, was made for the plan
/// version the orchestrator sent (`judged_plan_hash`), approves exactly `plan`, and — when it
/// escalated — every role it named has approved this plan.
pub fn authorise(
    key: &VerifyingKey,
    plan: &Plan,
    verdict: &Verdict,
    judged_plan_hash: &str,
    approvals: &[Approval],
) -> Result<(), Refusal> {
    verify_verdict(key, verdict, judged_plan_hash)?;
    let found = canonical::plan_hash(plan);
    if found != verdict.approved_plan_hash {
        return Err(Refusal::PlanMismatch { expected: verdict.approved_plan_hash.clone(), found });
    }
    match verdict.decision {
        Decision::Vetoed => Err(Refusal::Vetoed),
        Decision::Escalated => {
            let missing: Vec<&str> = verdict
                .approvers
                .iter()
                .filter(|role| !approvals.iter().any(|a| &a.role == *role && a.plan_hash == found))
                .map(String::as_str)
                .collect();
            if missing.is_empty() { Ok(()) } else { Err(Refusal::AwaitingApproval(missing.join(", "))) }
        }
        Decision::Approved | Decision::ApprovedWithWarnings | Decision::AutoFixed => Ok(()),
    }
}
