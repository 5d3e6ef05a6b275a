//! `paved serve`: the long-running service. It spawns the audit worker as a child process with a
//! scrubbed environment (or trusts an external one), runs the host's background work and the
//! configured chat adapters' HTTP endpoints, and stops cleanly on SIGTERM or Ctrl-C: the work in
//! hand is finished, everything else stays queued for the next start.

use std::path::PathBuf;
use std::process::Stdio;

use anyhow::Context;
use tokio::process::{Child, Command};

use crate::cli::ServeArgs;
use crate::config::{Config, WorkerMode};
use crate::runtime::Runtime;

pub async fn run(args: &ServeArgs, policies: Option<&std::path::Path>) -> anyhow::Result<String> {
    let config = Config::load(args.config.as_deref(), policies)?;
    crate::logging::init(&config.log);
    let directory = config.approvers.clone();
    let stop = shutdown_signal()?;
    let rt = Runtime::open(config, directory, true).await?;
    let mut worker = match rt.config.audit.worker {
        WorkerMode::Spawn => Some(spawn_worker(&rt.config)?),
        WorkerMode::External => None,
    };
    let mut app = axum::Router::new().route("/healthz", axum::routing::get(|| async { "ok" }));
    // Chat adapters: Discord's interactions endpoint shares paved's listener; Slack runs its own
    // receiver (HTTP) or connects out (Socket Mode).
    if let Some(discord) = &rt.config.discord {
        let adapter = std::sync::Arc::new(crate::discord::Discord::new(discord.clone()).map_err(|e| anyhow::anyhow!("Discord: {e}"))?);
        adapter.attach(&rt.host);
        app = app.merge(adapter.router(rt.host.clone()));
        tracing::info!(path = %discord.path, "Discord interactions endpoint ready");
    }
    let slack = match &rt.config.slack {
        Some(slack) => Some(crate::slack::start(slack, rt.host.clone()).await.map_err(|e| anyhow::anyhow!("Slack: {e}"))?),
        None => None,
    };
    let listener = tokio::net::TcpListener::bind(&rt.config.listen).await.with_context(|| format!("listening on {}", rt.config.listen))?;
    tracing::info!(listen = %rt.config.listen, database = %redacted(&rt.config.database_url), "paved is serving");

    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let host = rt.host.clone();
    let mut background = {
        let mut rx = stop_rx.clone();
        tokio::spawn(async move { host.run(async move { let _ = rx.wait_for(|s| *s).await; }).await })
    };
    let mut http = {
        let mut rx = stop_rx.clone();
        tokio::spawn(async move { axum::serve(listener, app).with_graceful_shutdown(async move { let _ = rx.wait_for(|s| *s).await; }).await })
    };
    stop.await;
    tracing::info!("shutting down: finishing the work in hand");
    let _ = stop_tx.send(true);
    let _ = (&mut http).await;
    let _ = (&mut background).await;
    if let Some(slack) = slack {
        slack.stop().await;
    }
    if let Some(child) = worker.as_mut() {
        stop_child(child).await;
    }
    Ok("paved stopped.\n".into())
}

/// The audit worker binary: configured, or `paved-audit` beside this executable.
fn worker_binary(config: &Config) -> PathBuf {
    config.audit.binary.clone().unwrap_or_else(|| {
        std::env::current_exe().ok().and_then(|p| p.parent().map(|d| d.join("paved-audit"))).unwrap_or_else(|| PathBuf::from("paved-audit"))
    })
}

/// Starts `paved-audit` with nothing in its environment but what it needs: no cloud and no chat
/// credentials can reach it.
fn spawn_worker(config: &Config) -> anyhow::Result<Child> {
    let binary = worker_binary(config);
    let mut cmd = Command::new(&binary);
    cmd.env_clear()
        .env("DATABASE_URL", &config.database_url)
        .env("PAVED_AUDIT_KEY", &config.audit.key)
        .env("RUST_LOG", &config.log.filter)
        .stdin(Stdio::null())
        .kill_on_drop(true);
    if let Some(dir) = &config.policies {
        cmd.env("PAVED_POLICIES", dir);
    }
    let child = cmd.spawn().with_context(|| format!("starting the audit worker {} (build it with `cargo build -p paved-audit`, or set [audit] worker = \"external\")", binary.display()))?;
    tracing::info!(pid = child.id(), binary = %binary.display(), "audit worker started with a scrubbed environment");
    Ok(child)
}

async fn stop_child(child: &mut Child) {
    if let Some(pid) = child.id() {
        // SIGTERM lets the worker finish the request it is judging.
        let _ = std::process::Command::new("kill").arg("-TERM").arg(pid.to_string()).status();
    }
    if tokio::time::timeout(std::time::Duration::from_secs(10), child.wait()).await.is_err() {
        let _ = child.kill().await;
    }
}

/// SIGTERM or SIGINT, listened for from the moment this is called: a signal that arrives while
/// paved starts up is not lost (nor does it kill the process the default way).
fn shutdown_signal() -> anyhow::Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate()).context("listening for SIGTERM")?;
    let mut interrupt = signal(SignalKind::interrupt()).context("listening for SIGINT")?;
    Ok(async move {
        tokio::select! {
            _ = term.recv() => {}
            _ = interrupt.recv() => {}
        }
    })
}

/// A database URL without its password, for logs.
fn redacted(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => match url[s + 3..at].split_once(':') {
            Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
            None => url.to_string(),
        },
        _ => url.to_string(),
    }
}
