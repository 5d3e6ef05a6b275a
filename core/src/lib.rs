//! paved's domain: what a request means (`Intent`), what paved will do (`Plan`), what the audit
//! decided (`Verdict`), and the canonical hashes and signatures that bind them together.
//!
//! This crate does no I/O: no files, no network, no clock. Everything here is a pure function of
//! its inputs, so it cannot fail for reasons outside the caller's control.

pub mod canonical;
pub mod golden_path;
pub mod guardrail;
pub mod intent;
pub mod message;
pub mod plan;
pub mod policy;
pub mod price;
pub mod signing;
pub mod trail;
pub mod verdict;

pub use intent::{Action, Component, Compliance, Environment, Intent, IntentDetails};
pub use plan::{Plan, PlanError, Resource, ResourceAction, round_cents};
pub use policy::PolicyError;
pub use golden_path::{Condition, GoldenPath, ResourceTemplate, Scenario};
pub use price::{PriceError, PriceTable, price_plan};
pub use verdict::{Approval, Check, Decision, Finding, Level, Outcome, Verdict};

/// Requests longer than this are refused: nobody describes infrastructure in more, and the limit
/// keeps every reading of a request cheap.
pub const MAX_REQUEST_CHARS: usize = 4000;
