//! The `paved` command line.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// paved turns plain-English infrastructure requests into plans on the platform team's golden
/// paths, has an independent audit check them against the guardrails, and deploys what is
/// approved.
#[derive(Debug, Parser)]
#[command(name = "paved", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// Read golden paths, prices, IPAM and guardrails from this directory instead of the
    /// policies compiled into paved.
    #[arg(long, global = true, value_name = "DIR", env = "PAVED_POLICIES")]
    pub policies: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Understand a request and plan it on a golden path, with its monthly cost (no side effects).
    Plan(PlanArgs),
    /// Audit a plan against the original request and the guardrails (no side effects).
    Audit(AuditArgs),
    /// Manage the audit's Ed25519 signing key.
    #[command(subcommand)]
    Keys(KeysCommand),
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    /// Print `{"intent": ..., "plan": ...}` as JSON (the outside contract) instead of cards.
    #[arg(long)]
    pub json: bool,
    /// The request in plain English, e.g. "a production web app with PostgreSQL"; `-` reads it
    /// from standard input.
    #[arg(value_name = "REQUEST", required = true, num_args = 1..)]
    pub request: Vec<String>,
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Print the verdict as JSON (the outside contract) instead of the audit card.
    #[arg(long)]
    pub json: bool,
    /// The user's original request, word for word.
    #[arg(long, value_name = "TEXT")]
    pub request: String,
    /// The plan to audit: a JSON file, or `-` for standard input.
    #[arg(long, value_name = "FILE")]
    pub plan: PathBuf,
    /// Sign the verdict with this Ed25519 private key (made by `paved keys generate`).
    #[arg(long, value_name = "FILE", env = "PAVED_AUDIT_KEY")]
    pub key: Option<PathBuf>,
    /// The plan has already been (partly) deployed: the audit must not move it to another region.
    #[arg(long)]
    pub deployed: bool,
    /// The requester has explicitly confirmed the deletions in this plan.
    #[arg(long)]
    pub confirmed_deletion: bool,
    /// A change-ticket id for changes to production resources, e.g. CHG-1234.
    #[arg(long, value_name = "ID")]
    pub change_ticket: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Generate a new signing key pair: `audit.key` (private, mode 0600) and `audit.pub`.
    Generate {
        /// Where to write the key files.
        #[arg(long, value_name = "DIR", default_value = ".")]
        dir: PathBuf,
        /// Replace key files that already exist.
        #[arg(long)]
        force: bool,
    },
}
