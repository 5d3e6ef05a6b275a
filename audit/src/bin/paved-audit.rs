//! `paved-audit`: the audit worker process. It reads audit requests from paved's queue, judges
//! them against the request and the policies, and publishes signed verdicts. See
//! `paved_audit::worker` for what it does and why it is isolated.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use clap::Parser;
use paved_audit::worker::{self, AuditorJudge, WorkerConfig};
use paved_audit::{Auditor, Guardrails, keys};
use paved_planner::Catalog;
use paved_store::Db;

/// The paved audit worker: judges plans from the queue and publishes signed verdicts.
#[derive(Debug, Parser)]
#[command(name = "paved-audit", version)]
struct Args {
    /// The database holding the queue: `sqlite://paved.db?mode=rwc` or, on PostgreSQL, a URL
    /// for the `paved_audit` role.
    #[arg(long, env = "DATABASE_URL", default_value = paved_store::DEFAULT_DATABASE_URL)]
    database_url: String,
    /// The audit's private key (made by `paved keys generate`; mode 0600).
    #[arg(long, env = "PAVED_AUDIT_KEY", default_value = "audit.key")]
    key: PathBuf,
    /// The policy directory (golden paths, prices, guardrails); the shipped policies when absent.
    #[arg(long, env = "PAVED_POLICIES")]
    policies: Option<PathBuf>,
    /// Seconds a claimed request stays invisible to other workers.
    #[arg(long, default_value_t = 30)]
    lease_seconds: u64,
    /// Seconds between signed checkpoints of the audit trail.
    #[arg(long, default_value_t = 300)]
    checkpoint_seconds: u64,
    /// Stop after handling this many messages.
    #[arg(long)]
    max_messages: Option<u64>,
}

fn main() -> ExitCode {
    // Checked before anything else, so that nothing runs with credentials it must not have.
    if let Err(e) = worker::refuse_credentials(std::env::vars_os()) {
        eprintln!("paved-audit: {e}");
        return ExitCode::from(2);
    }
    let args = Args::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("paved-audit: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("paved-audit: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> anyhow::Result<()> {
    let key = keys::load_signing_key(&args.key)
        .with_context(|| format!("cannot load the audit key {}", args.key.display()))?;
    let (catalog, guardrails) = match &args.policies {
        Some(dir) => (
            Catalog::load(dir)
                .with_context(|| format!("cannot load the policies in {}", dir.display()))?,
            Guardrails::load(dir)
                .with_context(|| format!("cannot load the guardrails in {}", dir.display()))?,
        ),
        None => (Catalog::shipped(), Guardrails::shipped()),
    };
    let auditor = Auditor::new(&catalog, &guardrails);
    let judge = AuditorJudge(&auditor);
    // The worker does not migrate: on PostgreSQL its role may not change the schema.
    let db = Db::connect(&args.database_url)
        .await
        .context("cannot connect to the database")?;
    let config = WorkerConfig {
        lease: Duration::from_secs(args.lease_seconds.max(1)),
        checkpoint_every: Duration::from_secs(args.checkpoint_seconds.max(1)),
        max_messages: args.max_messages,
    };
    eprintln!(
        "paved-audit: judging with key {}; waiting for audit requests",
        paved_core::signing::key_id(&key.verifying_key())
    );
    let stats = worker::run(&db, &judge, &key, &config, shutdown_signal()).await?;
    eprintln!(
        "paved-audit: stopped after {} verdicts, {} checkpoints, {} dead letters",
        stats.judged, stats.checkpoints, stats.dead_lettered
    );
    db.close().await;
    Ok(())
}

/// Resolves on SIGINT or SIGTERM: the worker finishes the message in hand and stops.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}
