//! Request → verdict latency through the durable queue, and verdicts per second, on SQLite and
//! (when `PAVED_TEST_DATABASE_URL` names a server) on PostgreSQL.
//!
//! The orchestrator submits a plan version for audit (request, plan and message in one
//! transaction); an audit worker task claims it, signs a verdict, and publishes it while
//! completing the request (one transaction); the orchestrator accepts the verdict after checking
//! its signature (one transaction). Latency is from the submit's commit to the verdict's
//! acceptance. Judging itself is excluded (the audit's own benchmark measures it, well under a
//! millisecond): this measures the backbone. Every commit is durable (SQLite `synchronous=FULL`,
//! PostgreSQL with fsync on).
//!
//! Run: `cargo bench -p paved-store --bench queue`.

use std::time::{Duration, Instant};

use ed25519_dalek::SigningKey;
use paved_core::message::{
    AuditContextV1, AuditVerdictV1, Message, TOPIC_AUDIT, TOPIC_ORCHESTRATOR,
};
use paved_core::{
    Decision, Environment, Plan, Resource, ResourceAction, Verdict, canonical, signing,
};
use paved_store::testing::{self, Backend};
use paved_store::{Db, Handled, process_next_verdict, submit_for_audit};

const LEASE: Duration = Duration::from_secs(30);

fn plan() -> Plan {
    let mut db = Resource::new("aws_db_instance", "orders", ResourceAction::Create);
    db.values
        .insert("instance_class".into(), "db.t3.micro".into());
    db.monthly_cost_usd = 15.0;
    Plan {
        golden_path: Some("standard_web_app".into()),
        golden_path_version: "3.2".into(),
        environment: Environment::Development,
        region: "us-east-1".into(),
        resources: vec![db],
        estimated_monthly_cost_usd: 15.0,
    }
}

/// The worker's side: claim, sign, publish and complete; loops until aborted.
async fn worker(db: Db, key: SigningKey) {
    let mut waiter = db.waiter(TOPIC_AUDIT).await.unwrap();
    loop {
        let Some(d) = db.claim(TOPIC_AUDIT, LEASE).await.unwrap() else {
            waiter.wait().await;
            continue;
        };
        waiter.found_work();
        let Ok(Message::AuditRequest(req)) = d.decode() else {
            panic!("unexpected message")
        };
        let mut verdict = Verdict {
            decision: Decision::Approved,
            findings: vec![],
            approvers: vec![],
            plan: req.plan.clone(),
            checks: vec![],
            plan_hash: req.plan_hash.clone(),
            approved_plan_hash: canonical::plan_hash(&req.plan),
            request_hash: canonical::request_hash(&req.request_text),
            signature: None,
        };
        signing::sign_verdict(&key, &mut verdict);
        let mut tx = db.begin().await.unwrap();
        tx.enqueue(&Message::AuditVerdict(AuditVerdictV1 {
            request_id: req.request_id,
            plan_version: req.plan_version,
            verdict,
        }))
        .await
        .unwrap();
        tx.complete(&d).await.unwrap();
        tx.commit().await.unwrap();
    }
}

async fn submit(db: &Db) -> String {
    let mut tx = db.begin().await.unwrap();
    let id = tx
        .create_request("bench", "#bench", "a small database")
        .await
        .unwrap();
    tx.add_plan_version("paved", &id, &plan(), "first")
        .await
        .unwrap();
    submit_for_audit(&mut tx, "bench", &id, 1, AuditContextV1::default())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    id
}

async fn accept_one(db: &Db, key: &ed25519_dalek::VerifyingKey, waiter: &mut paved_store::Waiter) {
    loop {
        match process_next_verdict(db, key, LEASE).await.unwrap() {
            Some(Handled::Verdict(_)) => {
                waiter.found_work();
                return;
            }
            Some(Handled::DeadLettered(r)) => panic!("{r}"),
            None => waiter.wait().await,
        }
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

async fn bench(backend: Backend, name: &str) {
    let Some(t) = testing::fresh(backend).await.unwrap() else {
        return;
    };
    let db = t.db.clone();
    let key = SigningKey::from_bytes(&[9u8; 32]);
    let public = key.verifying_key();
    let worker = tokio::spawn(worker(db.clone(), key));
    let mut waiter = db.waiter(TOPIC_ORCHESTRATOR).await.unwrap();

    // Latency: one request at a time.
    let n = 200;
    let mut latencies = Vec::with_capacity(n);
    for _ in 0..n {
        submit(&db).await;
        let start = Instant::now();
        accept_one(&db, &public, &mut waiter).await;
        latencies.push(start.elapsed());
    }
    latencies.sort();

    // Throughput: a burst of requests, all submitted first, then drained.
    let burst = 300;
    for _ in 0..burst {
        submit(&db).await;
    }
    let start = Instant::now();
    for _ in 0..burst {
        accept_one(&db, &public, &mut waiter).await;
    }
    let per_second = burst as f64 / start.elapsed().as_secs_f64();
    worker.abort();
    println!(
        "{name:<10} request → verdict latency: median {:.1} ms, p99 {:.1} ms ({n} sequential); throughput {per_second:.0} verdicts/s ({burst} queued)",
        percentile(&latencies, 0.5).as_secs_f64() * 1000.0,
        percentile(&latencies, 0.99).as_secs_f64() * 1000.0,
    );
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        bench(Backend::Sqlite, "SQLite").await;
        bench(Backend::Postgres, "PostgreSQL").await;
    });
}
