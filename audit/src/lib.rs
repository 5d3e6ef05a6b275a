//! The audit: judges a plan from the user's original words, the plan and the platform team's
//! policies alone, and says whether it may run.
//!
//! The audit trusts nothing the orchestrator says about a plan. It reads the request itself,
//! plans it itself on the shipped golden paths to learn what the request justifies, recomputes
//! every cost from the price table, and evaluates the guardrails as data. The result is a
//! [`Verdict`] bound to the exact plan it judged by hash; [`paved_core::signing::sign_verdict`]
//! signs it with the key from [`keys`].
//!
//! Auditing is a pure function of the request, the plan, the [`AuditContext`] and the policies:
//! the same inputs always give the same verdict, byte for byte.

pub mod engine;
pub mod facts;
pub mod guardrails;
pub mod iam;
pub mod intent_check;
pub mod keys;
pub mod network;

pub use guardrails::Guardrails;

/// Circumstances of an audit that the request and plan do not carry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditContext {
    /// The plan is already (partly) deployed: fixes that move it (a region change) are refused
    /// and vetoed instead.
    pub deployed: bool,
    /// The requester explicitly confirmed the plan's deletions.
    pub confirmed_deletion: bool,
    /// A change-ticket id given alongside the request (`CHG-1234`).
    pub change_ticket: Option<String>,
}
