//! The `paved` command line.

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// paved turns plain-English infrastructure requests into plans on the platform team's golden
/// paths, has an independent audit check them against the guardrails, and deploys what is
/// approved.
#[derive(Debug, Parser)]
#[command(name = "paved", version, propagate_version = true)]
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
    /// The whole journey in the terminal on embedded defaults: plan, approve, audit, deploy to
    /// the sandbox cloud with live progress, summary, audit record.
    Demo(DemoArgs),
    /// An interactive conversation in the terminal: approve, modify, cancel, and approve
    /// escalations as another user.
    Chat(ChatArgs),
    /// Roll back what a request created, through the audit (deletions need your confirmation).
    Rollback(RollbackArgs),
    /// Query the audit trail, verify it, or export its head to keep outside the database.
    Log(LogArgs),
    /// Deployments built on an older version of their golden path, what upgrading each would
    /// change, and (--offer) the offer to each requester in their thread.
    Upgrades(UpgradesArgs),
    /// Run paved as a service: the configured chat adapters, the audit worker, the executor.
    Serve(ServeArgs),
    /// Slack: print the app manifest to create paved's Slack app from.
    #[command(subcommand)]
    Slack(crate::slack::manifest::SlackCommand),
    /// Discord: register paved's slash command (uses the `[discord]` settings of the configuration).
    Discord(DiscordArgs),
}

#[derive(Debug, Args)]
pub struct DiscordArgs {
    #[command(subcommand)]
    pub command: crate::discord::cli::DiscordCommand,
    /// The configuration file (default: ./paved.toml when present).
    #[arg(long, value_name = "FILE", env = "PAVED_CONFIG")]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// The request in plain English.
    #[arg(value_name = "REQUEST", required = true, num_args = 1..)]
    pub request: Vec<String>,
    /// Approve escalations without asking (as the configured approvers).
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// The configuration file (default: ./paved.toml when present).
    #[arg(long, value_name = "FILE", env = "PAVED_CONFIG")]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ChatArgs {
    /// Who you are at the start (switch with `/as NAME`).
    #[arg(long = "as", value_name = "NAME", default_value = "you")]
    pub user: String,
    /// The configuration file (default: ./paved.toml when present).
    #[arg(long, value_name = "FILE", env = "PAVED_CONFIG")]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct UpgradesArgs {
    /// Offer each upgrade to its requester: a plan in the thread where they asked, which they
    /// approve (through the audit) or cancel.
    #[arg(long)]
    pub offer: bool,
    /// Print the upgrades as JSON (with `offered_as`, the request of each offer, under --offer).
    #[arg(long)]
    pub json: bool,
    /// The configuration file (default: ./paved.toml when present).
    #[arg(long, value_name = "FILE", env = "PAVED_CONFIG")]
    pub config: Option<std::path::PathBuf>,
}

#[derive(Debug, Args)]
pub struct RollbackArgs {
    /// The request to roll back, e.g. req-10001.
    #[arg(value_name = "REQUEST_ID")]
    pub request_id: String,
    /// Confirm the deletion without asking.
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// The configuration file (default: ./paved.toml when present).
    #[arg(long, value_name = "FILE", env = "PAVED_CONFIG")]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct LogArgs {
    #[command(subcommand)]
    pub command: Option<LogCommand>,
    /// Only requests of this user.
    #[arg(long)]
    pub user: Option<String>,
    /// Only this request.
    #[arg(long = "request", value_name = "REQUEST_ID")]
    pub request_id: Option<String>,
    /// Only requests whose verdict was this (approved, approved_with_warnings, auto_fixed, vetoed, escalated).
    #[arg(long)]
    pub decision: Option<String>,
    /// Only requests made at or after this time (RFC 3339, e.g. 2026-11-01T00:00:00Z).
    #[arg(long)]
    pub since: Option<String>,
    /// Only requests made before this time (RFC 3339).
    #[arg(long)]
    pub until: Option<String>,
    /// At most this many, newest first.
    #[arg(long, default_value_t = 20)]
    pub limit: i64,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// The configuration file (default: ./paved.toml when present).
    #[arg(long, value_name = "FILE", env = "PAVED_CONFIG", global = true)]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum LogCommand {
    /// Check the whole hash chain, every checkpoint and every stored verdict; name the first
    /// record that was changed, removed or inserted.
    Verify {
        /// An export written earlier by `paved log export`, to catch a rewritten chain.
        #[arg(long, value_name = "FILE")]
        export: Option<PathBuf>,
    },
    /// Write the trail's hashes and signed checkpoints to a file kept outside the database.
    Export {
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
    /// The report over a month (this UTC month unless told) or any window: requests,
    /// auto-approved vs escalated, deployments with their success rate and average time,
    /// configuration errors, security incidents, cost deployed and savings suggested.
    Report {
        /// The month, as 2026-11 (UTC).
        #[arg(long, value_name = "YYYY-MM")]
        month: Option<String>,
        /// A window instead of a month: from this time (RFC 3339, or a date like 2026-11-01).
        #[arg(long)]
        since: Option<String>,
        /// A window instead of a month: until this time, not included (default: now).
        #[arg(long)]
        until: Option<String>,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The configuration file (default: ./paved.toml when present).
    #[arg(long, value_name = "FILE", env = "PAVED_CONFIG")]
    pub config: Option<PathBuf>,
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
