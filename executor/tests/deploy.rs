//! The executor on the sandbox provider, with tokio's clock paused: simulated minutes pass
//! instantly and deterministically, so timings are exact.

use std::sync::Arc;
use std::time::Duration;

use paved_core::message::ProgressStatus;
use paved_core::signing::{SigningKey, sign_verdict};
use paved_core::{Approval, Decision, Environment, Plan, Resource, ResourceAction, Verdict, canonical};
use paved_executor::{DeployContext, Executor, Ledger, MemoryLedger, Outcome, Provider, Refusal, SandboxProvider, authorise};

fn resource(kind: &str, name: &str, deps: &[&str]) -> Resource {
    let mut r = Resource::new(kind, name, ResourceAction::Create);
    r.depends_on = deps.iter().map(|d| d.to_string()).collect();
    r.values.insert("name".into(), name.into());
    r
}

/// vpc → (subnet_a, subnet_b, sg) → db (needs both subnets and sg), lb (needs subnet_a, sg).
fn plan() -> Plan {
    Plan {
        golden_path: Some("standard_web_app".into()),
        golden_path_version: "3.2".into(),
        environment: Environment::Development,
        region: "us-east-1".into(),
        resources: vec![
            resource("aws_vpc", "main", &[]),
            resource("aws_subnet", "a", &["aws_vpc.main"]),
            resource("aws_subnet", "b", &["aws_vpc.main"]),
            resource("aws_security_group", "db", &["aws_vpc.main"]),
            resource("aws_db_instance", "main", &["aws_subnet.a", "aws_subnet.b", "aws_security_group.db"]),
            resource("aws_lb", "web", &["aws_subnet.a", "aws_security_group.db"]),
        ],
        estimated_monthly_cost_usd: 0.0,
    }
}

fn ctx(plan: &Plan) -> DeployContext {
    DeployContext {
        request_id: "req-1".into(),
        plan_hash: canonical::plan_hash(plan),
        environment: "development".into(),
        owner: "U123".into(),
        region: "us-east-1".into(),
    }
}

/// The longest chain of simulated durations through the DAG.
fn critical_path(provider: &SandboxProvider, plan: &Plan) -> Duration {
    let order = plan.topological_order().unwrap();
    let mut finish = vec![Duration::ZERO; plan.resources.len()];
    for i in order {
        let r = &plan.resources[i];
        let start = r
            .depends_on
            .iter()
            .map(|d| finish[plan.resources.iter().position(|x| &x.address == d).unwrap()])
            .max()
            .unwrap_or_default();
        finish[i] = start + provider.duration_for(&r.kind);
    }
    finish.into_iter().max().unwrap_or_default()
}

#[tokio::test(start_paused = true)]
async fn deploys_the_dag_in_parallel_on_its_critical_path() {
    let plan = plan();
    let provider = Arc::new(SandboxProvider::new(1.0));
    let ledger = Arc::new(MemoryLedger::default());
    let executor = Executor::new(provider.clone(), ledger.clone());
    let report = executor.deploy(&ctx(&plan), &plan).await.unwrap();
    assert_eq!(report.outcome, Outcome::Completed);
    assert_eq!(report.applied.len(), 6);
    assert_eq!(provider.live_count(), 6);
    // vpc 3 s → sg/subnets 2 s → db 480 s: the database's chain is the critical path.
    let critical = critical_path(&provider, &plan);
    assert_eq!(critical, Duration::from_secs(485));
    assert_eq!(report.wall_time, critical, "parallel deployment takes exactly the critical path");
    // Every resource was reported pending, then in progress, then done, in that order.
    let events = ledger.events();
    for r in &plan.resources {
        let statuses: Vec<ProgressStatus> = events.iter().filter(|e| e.address == r.address).map(|e| e.status).collect();
        assert_eq!(statuses, vec![ProgressStatus::Pending, ProgressStatus::Creating, ProgressStatus::Done], "{}", r.address);
    }
    // Dependencies finished before their dependants started.
    let pos = |addr: &str, st: ProgressStatus| events.iter().position(|e| e.address == addr && e.status == st).unwrap();
    assert!(pos("aws_vpc.main", ProgressStatus::Done) < pos("aws_subnet.a", ProgressStatus::Creating));
    assert!(pos("aws_subnet.b", ProgressStatus::Done) < pos("aws_db_instance.main", ProgressStatus::Creating));
    // What exists matches the plan.
    assert!(executor.verify(&ctx(&plan), &plan).await.unwrap().is_empty());
}

#[tokio::test(start_paused = true)]
async fn a_failure_stops_the_deployment_and_rollback_deletes_in_reverse_order() {
    let plan = plan();
    let provider = Arc::new(SandboxProvider::new(1.0).failing("aws_lb.web"));
    let ledger = Arc::new(MemoryLedger::default());
    let executor = Executor::new(provider.clone(), ledger.clone());
    let c = ctx(&plan);
    let report = executor.deploy(&c, &plan).await.unwrap();
    match &report.outcome {
        Outcome::Failed { address, error } => {
            assert_eq!(address, "aws_lb.web");
            assert!(error.contains("simulated"), "{error}");
        }
        other => panic!("expected a failure, got {other:?}"),
    }
    // The lb failed after 150 s; the database (480 s) was already running and finished.
    assert_eq!(provider.live_count(), 5);
    assert_eq!(ledger.inventory("req-1").await.unwrap().len(), 5);

    let (outcome, deleted) = executor.rollback(&c).await.unwrap();
    assert_eq!(outcome, Outcome::Completed);
    assert_eq!(deleted.len(), 5);
    assert_eq!(provider.live_count(), 0);
    assert!(ledger.inventory("req-1").await.unwrap().is_empty());
    let at = |a: &str| deleted.iter().position(|d| d == a).unwrap();
    assert!(at("aws_db_instance.main") < at("aws_subnet.a"));
    assert!(at("aws_db_instance.main") < at("aws_security_group.db"));
    assert!(at("aws_subnet.a") < at("aws_vpc.main"));
    assert_eq!(deleted.last().map(String::as_str), Some("aws_vpc.main"));
}

#[tokio::test(start_paused = true)]
async fn a_resumed_deployment_creates_nothing_twice() {
    let plan = plan();
    let provider = Arc::new(SandboxProvider::new(1.0).failing("aws_db_instance.main").failing("aws_lb.web"));
    let ledger = Arc::new(MemoryLedger::default());
    let c = ctx(&plan);
    let first = Executor::new(provider.clone(), ledger.clone()).deploy(&c, &plan).await.unwrap();
    assert!(matches!(first.outcome, Outcome::Failed { .. }));
    assert_eq!(first.applied.len(), 4);

    // The same ledger, a provider that now works, as after a restart: the rest is applied.
    let healthy = Arc::new(SandboxProvider::new(1.0));
    let second = Executor::new(healthy.clone(), ledger.clone()).deploy(&c, &plan).await.unwrap();
    assert_eq!(second.outcome, Outcome::Completed);
    assert_eq!(second.already_done.len(), 4);
    let mut applied = second.applied.clone();
    applied.sort();
    assert_eq!(applied, vec!["aws_db_instance.main".to_string(), "aws_lb.web".to_string()]);
    assert_eq!(healthy.live_count(), 2, "only the two missing resources were created");
    assert_eq!(ledger.inventory("req-1").await.unwrap().len(), 6);
}

#[tokio::test(start_paused = true)]
async fn transient_errors_are_retried_with_backoff() {
    let plan = plan();
    let provider = Arc::new(SandboxProvider::new(0.0).flaky("aws_vpc.main", 2));
    let ledger = Arc::new(MemoryLedger::default());
    let executor = Executor::new(provider.clone(), ledger.clone()).with_retries(3, Duration::from_secs(1));
    let report = executor.deploy(&ctx(&plan), &plan).await.unwrap();
    assert_eq!(report.outcome, Outcome::Completed);
    // Two retries: 1 s, then 2 s of backoff.
    assert_eq!(report.wall_time, Duration::from_secs(3));

    let provider = Arc::new(SandboxProvider::new(0.0).flaky("aws_vpc.main", 3));
    let executor = Executor::new(provider, Arc::new(MemoryLedger::default())).with_retries(3, Duration::from_secs(1));
    let report = executor.deploy(&ctx(&plan), &plan).await.unwrap();
    assert!(matches!(report.outcome, Outcome::Failed { ref address, .. } if address == "aws_vpc.main"));
}

struct NoDatabases(SandboxProvider);

impl Provider for NoDatabases {
    fn name(&self) -> &'static str {
        "no-databases"
    }
    fn supports(&self, kind: &str) -> bool {
        kind != "aws_db_instance"
    }
    async fn apply(&self, c: &DeployContext, r: &paved_core::Resource, e: Option<&paved_executor::InventoryItem>) -> Result<paved_executor::Applied, paved_executor::ProviderError> {
        self.0.apply(c, r, e).await
    }
    async fn delete(&self, c: &DeployContext, i: &paved_executor::InventoryItem) -> Result<(), paved_executor::ProviderError> {
        self.0.delete(c, i).await
    }
    async fn describe(&self, c: &DeployContext, i: &paved_executor::InventoryItem) -> Result<Option<serde_json::Map<String, serde_json::Value>>, paved_executor::ProviderError> {
        self.0.describe(c, i).await
    }
}

#[tokio::test(start_paused = true)]
async fn an_unsupported_type_is_refused_before_anything_starts() {
    let plan = plan();
    let provider = Arc::new(NoDatabases(SandboxProvider::new(0.0)));
    let ledger = Arc::new(MemoryLedger::default());
    let err = Executor::new(provider.clone(), ledger.clone()).deploy(&ctx(&plan), &plan).await.unwrap_err();
    assert!(err.to_string().contains("aws_db_instance"), "{err}");
    assert_eq!(provider.0.live_count(), 0);
    assert!(ledger.events().is_empty());
}

fn verdict(plan: &Plan, decision: Decision, approvers: &[&str], key: &SigningKey) -> Verdict {
    let hash = canonical::plan_hash(plan);
    let mut v = Verdict {
        decision,
        findings: vec![],
        approvers: approvers.iter().map(|s| s.to_string()).collect(),
        plan: plan.clone(),
        checks: vec![],
        plan_hash: hash.clone(),
        approved_plan_hash: hash,
        request_hash: canonical::request_hash("a dev web app"),
        signature: None,
    };
    sign_verdict(key, &mut v);
    v
}

#[test]
fn only_signed_matching_approved_verdicts_authorise_a_plan() {
    let key = SigningKey::from_bytes(&[7u8; 32]);
    let public = key.verifying_key();
    let plan = plan();
    let hash = canonical::plan_hash(&plan);

    let ok = verdict(&plan, Decision::Approved, &[], &key);
    authorise(&public, &plan, &ok, &hash, &[]).unwrap();

    let mut unsigned = ok.clone();
    unsigned.signature = None;
    assert!(matches!(authorise(&public, &plan, &unsigned, &hash, &[]), Err(Refusal::Signature(_))));

    let other_key = SigningKey::from_bytes(&[9u8; 32]);
    let forged = verdict(&plan, Decision::Approved, &[], &other_key);
    assert!(matches!(authorise(&public, &plan, &forged, &hash, &[]), Err(Refusal::Signature(_))));

    let mut bigger = plan.clone();
    bigger.resources.push(resource("aws_instance", "bastion", &["aws_vpc.main"]));
    assert!(matches!(authorise(&public, &bigger, &ok, &hash, &[]), Err(Refusal::PlanMismatch { .. })));
    // A verdict for another plan version does not authorise this one.
    assert!(matches!(authorise(&public, &plan, &ok, &canonical::plan_hash(&bigger), &[]), Err(Refusal::Signature(_))));

    let vetoed = verdict(&plan, Decision::Vetoed, &[], &key);
    assert_eq!(authorise(&public, &plan, &vetoed, &hash, &[]), Err(Refusal::Vetoed));

    let escalated = verdict(&plan, Decision::Escalated, &["finance_manager", "cfo"], &key);
    let finance = Approval { role: "finance_manager".into(), user: "U2".into(), plan_hash: hash.clone() };
    let cfo = Approval { role: "cfo".into(), user: "U3".into(), plan_hash: hash.clone() };
    let stale_cfo = Approval { plan_hash: "0".repeat(64), ..cfo.clone() };
    assert_eq!(authorise(&public, &plan, &escalated, &hash, std::slice::from_ref(&finance)), Err(Refusal::AwaitingApproval("cfo".into())));
    assert_eq!(authorise(&public, &plan, &escalated, &hash, &[finance.clone(), stale_cfo]), Err(Refusal::AwaitingApproval("cfo".into())));
    authorise(&public, &plan, &escalated, &hash, &[finance, cfo]).unwrap();
}
