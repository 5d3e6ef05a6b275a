//! The executor: it applies plans the audit approved, and nothing else.
//!
//! - [`authorise`] checks the audit's signed verdict against the exact plan to apply;
//! - [`Executor`] applies the plan's resource DAG through a [`Provider`], as parallel as the
//!   dependencies allow, recording every created resource in a [`Ledger`] and reporting progress;
//!   it rolls back in reverse dependency order and verifies what exists against the plan;
//! - [`SandboxProvider`] is the embedded default cloud, a labelled simulation.
//!
//! The AWS provider lives in this crate too (and only here), so that nothing else links the SDK.

pub mod authorise;
#[cfg(feature = "aws")]
pub mod aws;
pub mod deploy;
pub mod ledger;
pub mod provider;
pub mod sandbox;

pub use authorise::{Refusal, authorise};
pub use deploy::{Drift, ExecuteError, Executor, Outcome, Report};
pub use ledger::{Ledger, LedgerError, MemoryLedger};
pub use provider::{Applied, DeployContext, InventoryItem, Provider, ProviderError};
pub use sandbox::SandboxProvider;
