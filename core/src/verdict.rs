//! What the audit decided: the contract's `Verdict`, bound to a plan and signed.

use serde::{Deserialize, Serialize};
use std::fmt;

use crate::canonical;
use crate::plan::Plan;
use crate::signing::Signature;

/// The audit's decision. Ordered by precedence: when several findings apply, the greatest wins.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Approved,
    ApprovedWithWarnings,
    AutoFixed,
    Escalated,
    Vetoed,
}

impl Decision {
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Approved => "approved",
            Decision::ApprovedWithWarnings => "approved_with_warnings",
            Decision::AutoFixed => "auto_fixed",
            Decision::Escalated => "escalated",
            Decision::Vetoed => "vetoed",
        }
    }

    /// How the audit card shows it.
    pub fn headline(self) -> &'static str {
        match self {
            Decision::Approved => "APPROVED",
            Decision::ApprovedWithWarnings => "APPROVED WITH WARNINGS",
            Decision::AutoFixed => "AUTO-FIXED",
            Decision::Escalated => "ESCALATED",
            Decision::Vetoed => "VETOED",
        }
    }

    /// True when the plan may run without anyone else's approval.
    pub fn may_run(self) -> bool {
        matches!(self, Decision::Approved | Decision::ApprovedWithWarnings | Decision::AutoFixed)
    }
}

impl fmt::Display for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How strongly a rule is enforced. `Intent` is the audit's own reading of the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Soft,
    Hard,
    Blocking,
    Governance,
    Intent,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Soft => "soft",
            Level::Hard => "hard",
            Level::Blocking => "blocking",
            Level::Governance => "governance",
            Level::Intent => "intent",
        }
    }
}

/// What a finding did to the plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Warn,
    Fixed,
    Escalate,
    Veto,
}

impl Outcome {
    /// The decision this outcome leads to on its own.
    pub fn decision(self) -> Decision {
        match self {
            Outcome::Warn => Decision::ApprovedWithWarnings,
            Outcome::Fixed => Decision::AutoFixed,
            Outcome::Escalate => Decision::Escalated,
            Outcome::Veto => Decision::Vetoed,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Warn => "warn",
            Outcome::Fixed => "fixed",
            Outcome::Escalate => "escalate",
            Outcome::Veto => "veto",
        }
    }
}

/// One check that did not simply pass.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub rule: String,
    pub level: Level,
    pub outcome: Outcome,
    /// The resource address concerned, or `None` for the plan as a whole.
    pub resource: Option<String>,
    /// One plain-English sentence a developer understands.
    pub message: String,
    /// For a veto: what would be accepted instead (extra field).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<String>,
}

/// One line of the audit card: a check and whether it passed (extra field of the verdict).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Check {
    pub rule: String,
    pub passed: bool,
    pub summary: String,
}

/// The contract's Verdict, with the binding and signature paved adds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    pub decision: Decision,
    pub findings: Vec<Finding>,
    /// Roles that must approve, when escalated.
    pub approvers: Vec<String>,
    /// The plan as the audit leaves it: with auto-fixes applied.
    pub plan: Plan,
    /// Every check the audit ran, passed or not, for the audit card.
    #[serde(default)]
    pub checks: Vec<Check>,
    /// SHA-256 of the canonical plan the audit was given.
    #[serde(default)]
    pub plan_hash: String,
    /// SHA-256 of the canonical plan in this verdict (the one that may run).
    #[serde(default)]
    pub approved_plan_hash: String,
    /// SHA-256 of the request text the audit read.
    #[serde(default)]
    pub request_hash: String,
    /// The audit's Ed25519 signature over everything above, when it was signed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<Signature>,
}

impl Verdict {
    /// Computes the decision from the findings by the contract's precedence.
    pub fn decide(findings: &[Finding]) -> Decision {
        findings.iter().map(|f| f.outcome.decision()).max().unwrap_or(Decision::Approved)
    }

    /// The bytes the signature covers: the canonical JSON of the verdict without its signature.
    pub fn signing_bytes(&self) -> Vec<u8> {
        let mut unsigned = self.clone();
        unsigned.signature = None;
        canonical::to_vec(&unsigned)
    }

    /// True when this verdict's own plan matches its approved-plan hash and the given hash.
    pub fn binds(&self, plan: &Plan) -> bool {
        let h = canonical::plan_hash(plan);
        h == self.approved_plan_hash && canonical::plan_hash(&self.plan) == h
    }
}

/// An approver's yes to an escalated verdict, for one exact plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Approval {
    /// The role the approver acted in (`finance_manager`).
    pub role: String,
    /// The verified chat user id of the approver.
    pub user: String,
    /// The plan hash the approval was given for.
    pub plan_hash: String,
}
