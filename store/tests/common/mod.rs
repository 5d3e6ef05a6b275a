//! Shared pieces of the storage tests: fresh databases, a test audit key, plans and verdicts.

#![allow(dead_code)]

use ed25519_dalek::SigningKey;
use paved_core::canonical;
use paved_core::signing;
use paved_core::{
    Decision, Environment, Finding, Level, Outcome, Plan, Resource, ResourceAction, Verdict,
};
use paved_store::testing::{self, Backend, TestDb};

/// Runs one async test body on SQLite and on PostgreSQL: `both!(name)` expects
/// `async fn name(db: TestDb)` in scope.
#[macro_export]
macro_rules! both {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                if let Some(db) = $crate::common::fresh(paved_store::testing::Backend::Sqlite).await
                {
                    super::$name(db).await;
                }
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(db) =
                    $crate::common::fresh(paved_store::testing::Backend::Postgres).await
                {
                    super::$name(db).await;
                }
            }
        }
    };
}

pub async fn fresh(backend: Backend) -> Option<TestDb> {
    testing::fresh(backend).await.unwrap()
}

pub fn audit_key() -> SigningKey {
    SigningKey::from_bytes(&[42u8; 32])
}

pub fn other_key() -> SigningKey {
    SigningKey::from_bytes(&[43u8; 32])
}

pub fn plan(cost: f64) -> Plan {
    let mut db = Resource::new("aws_db_instance", "orders", ResourceAction::Create);
    db.values
        .insert("instance_class".into(), "db.t3.micro".into());
    db.monthly_cost_usd = cost;
    Plan {
        golden_path: Some("standard_web_app".into()),
        golden_path_version: "3.2".into(),
        environment: Environment::Development,
        region: "us-east-1".into(),
        resources: vec![db],
        estimated_monthly_cost_usd: cost,
    }
}

/// A verdict as the audit would make it for `plan`, signed with `key`.
pub fn verdict_for(plan: &Plan, decision: Decision, key: &SigningKey) -> Verdict {
    let findings = match decision {
        Decision::Approved => vec![],
        _ => vec![Finding {
            rule: "monthly_limit_1000".into(),
            level: Level::Soft,
            outcome: Outcome::Warn,
            resource: None,
            message: "The plan costs more than $1,000 a month.".into(),
            suggestion: None,
        }],
    };
    let mut v = Verdict {
        decision,
        findings,
        approvers: vec![],
        plan: plan.clone(),
        checks: vec![],
        plan_hash: canonical::plan_hash(plan),
        approved_plan_hash: canonical::plan_hash(plan),
        request_hash: canonical::request_hash("a database"),
        signature: None,
    };
    signing::sign_verdict(key, &mut v);
    v
}
