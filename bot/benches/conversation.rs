//! Figures for the conversation: request → plan card latency through the host on SQLite, and
//! deployment wall time against the DAG's critical path on the sandbox cloud.
//!
//!   cargo bench -p paved-bot --bench conversation
//!
//! Prints medians and p99s; it is a bench binary rather than criterion because each sample
//! touches a database file and the interesting figure is the distribution, not a mean.

use std::sync::Arc;
use std::time::{Duration, Instant};

use paved_bot::engine::{Thread, User};
use paved_bot::host::{Host, HostConfig};
use paved_bot::pipeline::Pipeline;
use paved_bot::policies::Policies;
use paved_core::signing::SigningKey;
use paved_executor::{DeployContext, Executor, MemoryLedger, SandboxProvider};
use paved_planner::PlanningContext;
use paved_store::Db;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn report(name: &str, mut samples: Vec<Duration>) {
    samples.sort();
    println!(
        "{name}: n={} median={:.2} ms p99={:.2} ms",
        samples.len(),
        percentile(&samples, 0.5).as_secs_f64() * 1e3,
        percentile(&samples, 0.99).as_secs_f64() * 1e3
    );
}

fn critical_path(provider: &SandboxProvider, plan: &paved_core::Plan) -> Duration {
    let order = plan.topological_order().expect("the plan is a DAG");
    let mut finish = vec![Duration::ZERO; plan.resources.len()];
    for i in order {
        let r = &plan.resources[i];
        let start = r.depends_on.iter().filter_map(|d| plan.resources.iter().position(|x| &x.address == d)).map(|j| finish[j]).max().unwrap_or_default();
        finish[i] = start + provider.duration_for(&r.kind);
    }
    finish.into_iter().max().unwrap_or_default()
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let policies = Arc::new(Policies::load(None).expect("shipped policies"));

    // Request → plan card: understand, plan, store (request, intent, plan version, IPAM
    // allocation, trail, conversation, the cards' outbox entries) in one durable SQLite
    // transaction, render and show the cards, mark them shown. Each IPAM segment holds 16 VPCs,
    // so the 150 requests go to ten fresh databases, 15 each.
    let user = User { id: "bench".into(), name: "bench".into() };
    let thread = Thread { platform: "terminal".into(), channel: "bench".into(), thread: String::new() };
    let requests = ["a staging web app with postgres", "Production API microservice with a Redis cache, hosted in Frankfurt", "Run a nightly report job that exports data to S3"];
    let mut samples = Vec::new();
    for round in 0..10 {
        let dir = tempfile::Builder::new().prefix(&format!("paved-bench-{round}-")).tempdir().expect("a scratch directory");
        let db = Db::open(&format!("sqlite://{}?mode=rwc", dir.path().join("paved.db").display())).await.expect("database");
        let key = SigningKey::from_bytes(&[1u8; 32]);
        let host = Host::new(db, Arc::clone(&policies), key.verifying_key(), SandboxProvider::new(0.0), HostConfig::default());
        let (terminal, _) = paved_bot::terminal::Terminal::recording();
        host.register(Arc::new(terminal));
        for i in 0..15 {
            let started = Instant::now();
            host.submit(user.clone(), thread.clone(), requests[i % requests.len()]).await.expect("submit");
            samples.push(started.elapsed());
        }
    }
    report("request -> plan card (host, SQLite, durable)", samples);

    // Deployment wall time against the critical path, with real (scaled) sleeps.
    let pipeline = Pipeline::new(&policies.catalog);
    for request in ["I need a production web app with PostgreSQL", "Spin up a REST API backed by DynamoDB", "Deploy a data pipeline for analytics"] {
        let plan = pipeline.run(request, &PlanningContext::default()).expect("plan").plan.expect("a plan");
        let provider = Arc::new(SandboxProvider::new(0.002));
        let critical = critical_path(&provider, &plan);
        let executor = Executor::new(Arc::clone(&provider), Arc::new(MemoryLedger::default()));
        let ctx = DeployContext { request_id: "req-1".into(), plan_hash: paved_core::canonical::plan_hash(&plan), environment: plan.environment.to_string(), owner: "bench".into(), region: plan.region.clone() };
        let started = Instant::now();
        let out = executor.deploy(&ctx, &plan).await.expect("deploy");
        let wall = started.elapsed();
        assert!(matches!(out.outcome, paved_executor::Outcome::Completed));
        println!(
            "deploy {:<48} resources={:>3} critical path={:>7.1} ms wall={:>7.1} ms ratio={:.3}",
            format!("{request:?}"),
            plan.resources.len(),
            critical.as_secs_f64() * 1e3,
            wall.as_secs_f64() * 1e3,
            wall.as_secs_f64() / critical.as_secs_f64()
        );
    }
}
