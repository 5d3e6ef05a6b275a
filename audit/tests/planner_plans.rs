//! The planner's own plans are never falsely vetoed: every golden path in every environment, the
//! public evaluation requests, many more phrasings, and change plans against an inventory.

use paved_audit::{AuditContext, Auditor, Guardrails};
use paved_core::{Action, Decision, Environment, Level, Outcome, Plan, ResourceAction, Verdict};
use paved_planner::{Catalog, Planner, PlanningContext};

/// Requests that choose each golden path; `{env}` is replaced by an environment word.
const PATH_REQUESTS: &[(&str, &[&str])] = &[
    (
        "standard_web_app",
        &[
            "{env} web app with PostgreSQL and Redis",
            "{env} web app for card payments with PostgreSQL",
            "{env} web app with MySQL, no cache please",
            "{env} customer portal for EU customers in Frankfurt, GDPR compliant",
            "{env} internal dashboard for the ops team",
        ],
    ),
    (
        "data_pipeline",
        &[
            "{env} data pipeline for analytics",
            "ETL pipeline that loads our S3 logs into Redshift every hour, {env}",
        ],
    ),
    (
        "machine_learning",
        &["train a machine learning model on GPUs in {env}, training data is in S3"],
    ),
    (
        "batch_processing",
        &["{env} nightly report job that exports data to S3"],
    ),
    (
        "api_microservice",
        &[
            "{env} REST API backed by DynamoDB",
            "public API for partners in {env}, needs auth and rate limiting",
        ],
    ),
];

/// More requests, as people write them (the public evaluation set and variations).
const MORE_REQUESTS: &[&str] = &[
    "I need a production web app with PostgreSQL",
    "Deploy a production microservice for payment processing with PostgreSQL database and Redis caching",
    "Add a development environment for testing",
    "I need to process customer data nightly and store results",
    "Deploy a data pipeline for analytics",
    "Deploy a web app using Deno instead of Node.js",
    "Set up an ETL pipeline that loads our S3 logs into Redshift every hour",
    "I want to train a machine learning model on GPUs, training data is in S3",
    "Spin up a REST API backed by DynamoDB",
    "We need a webhook handler in staging",
    "Staging web app with MySQL, no cache please",
    "Internal dashboard for the ops team in the dev environment",
    "Production customer database for our SaaS, EU customers only, must be GDPR compliant",
    "Run a nightly report job that exports data to S3",
    "Log aggregation pipeline for all of our services",
    "Public API for partners, needs auth and rate limiting",
    "Deploy an e-commerce site to production",
    "Create a serverless API in us-west-2",
    "I need a HIPAA compliant patient portal with postgres",
    "A cleanup job that runs every Sunday at 3am",
    "ML experimentation environment for the data science team, non-production",
    "Production API microservice with a Redis cache, hosted in Frankfurt",
    "Deploy a database for customer data",
    "Nightly batch that exports the orders table to S3 in eu-west-1",
    "Give me a SaaS application for production with Postgres and Redis, budget is $1500 a month",
    "prod web app w/ pg + redis in Oregon",
    "need a sandbox webapp, mysql, no redis",
    "a staging storefront with postgres in Tokyo",
    "card payments checkout service, production, postgres",
    "web app with postgres on db.t3.medium for staging",
    "I need a production web app with PostgreSQL on db.r5.xlarge",
    "live web app in London with PostgreSQL for EU citizens' personal data",
];

fn env_word(e: Environment) -> &'static str {
    match e {
        Environment::Production => "production",
        Environment::Staging => "staging",
        Environment::Development => "development",
    }
}

struct Outcomes {
    audited: usize,
    failures: Vec<String>,
}

/// Audits the planner's plan for a request; records a failure when the verdict vetoes, fixes, or
/// escalates for anything but the governance rules the plan's cost or changes call for.
fn audit_own_plan(
    auditor: &Auditor<'_>,
    catalog: &Catalog,
    request: &str,
    ctx: &PlanningContext,
    out: &mut Outcomes,
) -> Option<(Plan, Verdict)> {
    let intent = auditor.understand(request);
    let plan = match Planner::new(catalog).plan(&intent, ctx) {
        Ok(Some(p)) => p,
        _ => return None,
    };
    let verdict = auditor.audit(request, &plan, &AuditContext::default());
    out.audited += 1;
    let cost = verdict.plan.estimated_monthly_cost_usd;
    let bad: Vec<String> = verdict
        .findings
        .iter()
        .filter(|f| match f.outcome {
            Outcome::Warn => false,
            Outcome::Escalate => {
                let expected = match f.rule.as_str() {
                    "monthly_limit_5000" => cost > 5000.0,
                    "monthly_limit_10000" => cost > 10000.0,
                    "deletion_confirmation" => plan
                        .resources
                        .iter()
                        .any(|r| r.action == ResourceAction::Delete),
                    "production_change_ticket" => {
                        plan.environment == Environment::Production
                            && plan.resources.iter().any(|r| r.action.touches_existing())
                    }
                    _ => false,
                };
                !expected
            }
            Outcome::Fixed | Outcome::Veto => true,
        })
        .map(|f| format!("{} [{}] {}", f.rule, f.outcome.as_str(), f.message))
        .collect();
    if !bad.is_empty() {
        out.failures.push(format!(
            "`{request}` ({:?}, {} resources): {bad:#?}",
            verdict.decision,
            plan.resources.len()
        ));
    }
    if intent.action == Action::Create && verdict.decision != Decision::Escalated {
        assert!(
            verdict.decision.may_run(),
            "{request}: {:?}",
            verdict.decision
        );
    }
    Some((plan, verdict))
}

#[test]
fn every_golden_path_in_every_environment_is_approved() {
    let catalog = Catalog::shipped();
    let guardrails = Guardrails::shipped();
    let auditor = Auditor::new(&catalog, &guardrails);
    let mut out = Outcomes {
        audited: 0,
        failures: Vec::new(),
    };
    for path in &catalog.paths {
        let requests = PATH_REQUESTS
            .iter()
            .find(|(id, _)| *id == path.id)
            .map(|(_, r)| *r)
            .unwrap_or_else(|| panic!("add requests for golden path {} to PATH_REQUESTS", path.id));
        let mut planned_here = 0;
        for env in Environment::ALL {
            for template in requests {
                let request = template.replace("{env}", env_word(env));
                let intent = auditor.understand(&request);
                if intent.golden_path.as_deref() != Some(path.id.as_str()) {
                    continue;
                }
                if audit_own_plan(
                    &auditor,
                    &catalog,
                    &request,
                    &PlanningContext::default(),
                    &mut out,
                )
                .is_some()
                {
                    planned_here += 1;
                }
            }
        }
        assert!(
            planned_here > 0,
            "no request planned on golden path {}",
            path.id
        );
    }
    assert!(
        out.failures.is_empty(),
        "{} of {} audits falsely judged:\n{}",
        out.failures.len(),
        out.audited,
        out.failures.join("\n")
    );
}

#[test]
fn the_planners_plans_for_many_requests_are_never_vetoed() {
    let catalog = Catalog::shipped();
    let guardrails = Guardrails::shipped();
    let auditor = Auditor::new(&catalog, &guardrails);
    let mut out = Outcomes {
        audited: 0,
        failures: Vec::new(),
    };
    for request in MORE_REQUESTS {
        audit_own_plan(
            &auditor,
            &catalog,
            request,
            &PlanningContext::default(),
            &mut out,
        );
    }
    assert!(out.audited >= 25, "only {} requests planned", out.audited);
    assert!(
        out.failures.is_empty(),
        "{} of {} audits falsely judged:\n{}",
        out.failures.len(),
        out.audited,
        out.failures.join("\n")
    );
}

#[test]
fn change_plans_against_an_inventory_are_not_vetoed() {
    let catalog = Catalog::shipped();
    let guardrails = Guardrails::shipped();
    let auditor = Auditor::new(&catalog, &guardrails);
    let mut out = Outcomes {
        audited: 0,
        failures: Vec::new(),
    };
    // What exists: payment-service in staging and production, and checkout in production.
    let mut inventory = Vec::new();
    for request in [
        "staging web app called payment-service with PostgreSQL",
        "production web app called payment-service with PostgreSQL",
        "production web app for the checkout service with PostgreSQL and Redis",
    ] {
        let intent = auditor.understand(request);
        if let Ok(Some(p)) = Planner::new(&catalog).plan(&intent, &PlanningContext::default()) {
            inventory.extend(p.resources);
        }
    }
    let ctx = PlanningContext {
        inventory,
        ..PlanningContext::default()
    };
    let mut audited = Vec::new();
    for request in [
        "Delete the staging environment of payment-service",
        "Scale the checkout service for Black Friday traffic",
        "Make the payment-service database PCI compliant",
        "resize the payment-service database to db.r5.xlarge, CHG-1234",
    ] {
        if let Some((plan, verdict)) = audit_own_plan(&auditor, &catalog, request, &ctx, &mut out) {
            audited.push((request, plan, verdict));
        }
    }
    assert!(out.failures.is_empty(), "{}", out.failures.join("\n"));
    let deletion = audited.iter().find(|(r, _, _)| r.starts_with("Delete"));
    if let Some((_, plan, verdict)) = deletion {
        assert!(
            plan.resources
                .iter()
                .all(|r| r.action == ResourceAction::Delete)
        );
        assert_eq!(
            verdict.decision,
            Decision::Escalated,
            "{:#?}",
            verdict.findings
        );
        assert!(verdict.approvers.contains(&"requester".to_string()));
        assert!(!verdict.findings.iter().any(|f| f.level == Level::Intent));
    }
}
