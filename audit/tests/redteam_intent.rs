//! The intent and cost findings of the red-team round: the planner's own plan for a request,
//! altered the way the red team altered it, judged by the [`Auditor`]. One test per kind.

mod common;

use common::*;
use paved_core::{Decision, Environment, Finding, Level, Outcome, ResourceAction, Verdict};
use serde_json::json;

fn finding<'a>(v: &'a Verdict, rule: &str) -> &'a Finding {
    v.findings
        .iter()
        .find(|f| f.rule == rule)
        .unwrap_or_else(|| panic!("no {rule} finding: {:#?}", v.findings))
}

fn no_finding(v: &Verdict, rule: &str) {
    assert!(
        v.findings.iter().all(|f| f.rule != rule),
        "unexpected {rule}: {:#?}",
        v.findings
    );
}

const PROD_APP: &str = "a production web app with PostgreSQL";
const SCALE: &str = "scale payment-service to 4 tasks in production, change ticket CHG-20417";

#[test]
fn a_production_request_answered_with_a_development_plan_is_vetoed() {
    let mut plan = planned("a development web app with postgres");
    assert_eq!(plan.environment, Environment::Development);
    plan.golden_path_version = planned(PROD_APP).golden_path_version;
    let v = audit(PROD_APP, &plan);
    assert_eq!(v.decision, Decision::Vetoed);
    let f = finding(&v, "intent_scope");
    assert_eq!((f.level, f.outcome), (Level::Intent, Outcome::Veto));
    assert!(
        f.message
            .starts_with("You asked for production, but the plan targets development")
            && f.message.contains("production safeguards do not apply"),
        "{}",
        f.message
    );
    // One finding for the plan, not one per resource.
    assert_eq!(
        v.findings
            .iter()
            .filter(|f| f.rule == "intent_scope")
            .count(),
        1
    );
}

#[test]
fn a_plan_outside_the_region_the_request_names_is_vetoed() {
    let request = "a production web app with postgres in Frankfurt";
    let plan = planned(PROD_APP);
    assert_eq!(plan.region, "us-east-1");
    let v = audit(request, &plan);
    assert_eq!(v.decision, Decision::Vetoed);
    let f = finding(&v, "intent_region");
    assert_eq!(f.outcome, Outcome::Veto);
    assert_eq!(
        f.message,
        "You asked for eu-central-1, but the plan is in us-east-1."
    );
    // paved's own plan there passes.
    let own = audit(request, &planned(request));
    no_finding(&own, "intent_region");
}

#[test]
fn resources_whose_own_attributes_sit_in_another_region_are_vetoed() {
    let request = "a production web app with postgres in Frankfurt";
    let mut plan = planned(PROD_APP);
    // The plan's label moves; its zones, log region and dashboards stay in us-east-1.
    plan.region = "eu-central-1".into();
    let v = audit(request, &plan);
    assert_eq!(v.decision, Decision::Vetoed);
    let f = finding(&v, "intent_region");
    assert!(
        f.message.starts_with("The plan says eu-central-1, but ")
            && f.message.contains("point at us-east-1")
            && f.message.contains("availability_zone us-east-1a"),
        "{}",
        f.message
    );
}

#[test]
fn a_production_plan_without_its_baseline_is_vetoed_and_elsewhere_warned() {
    let mut plan = planned(PROD_APP);
    plan.resources.retain(|r| {
        !matches!(
            r.kind.as_str(),
            "aws_flow_log" | "aws_cloudwatch_metric_alarm"
        )
    });
    for r in &mut plan.resources {
        r.depends_on.retain(|d| {
            !d.starts_with("aws_flow_log.") && !d.starts_with("aws_cloudwatch_metric_alarm.")
        });
    }
    let v = audit(PROD_APP, &plan);
    assert_eq!(v.decision, Decision::Vetoed);
    let f = finding(&v, "intent_baseline");
    assert_eq!((f.level, f.outcome), (Level::Intent, Outcome::Veto));
    assert!(
        f.message.starts_with(
            "The plan leaves out the standard_web_app golden path's baseline for a production web app: "
        ) && f.message.contains("VPC flow logs")
            && f.message.contains("CloudWatch alarms"),
        "{}",
        f.message
    );

    let dev = "a development web app with postgres";
    let mut plan = planned(dev);
    plan.resources
        .retain(|r| r.kind != "aws_cloudwatch_dashboard");
    let v = audit(dev, &plan);
    assert_eq!(v.decision, Decision::ApprovedWithWarnings);
    let f = finding(&v, "intent_baseline");
    assert_eq!(f.outcome, Outcome::Warn);
    assert!(
        f.message.ends_with(": monitoring dashboards."),
        "{}",
        f.message
    );
}

#[test]
fn a_scale_plan_must_set_the_count_asked_for() {
    let own = planned(SCALE);
    let v = audit(SCALE, &own);
    assert!(
        matches!(
            v.decision,
            Decision::Approved | Decision::ApprovedWithWarnings
        ),
        "{v:#?}"
    );
    for (count, wrong) in [(400, "400"), (2, "2")] {
        let mut plan = own.clone();
        let svc = plan
            .resources
            .iter_mut()
            .find(|r| r.kind == "aws_ecs_service")
            .unwrap();
        svc.values.insert("desired_count".into(), json!(count));
        let v = audit(SCALE, &plan);
        assert_eq!(v.decision, Decision::Vetoed);
        let f = finding(&v, "intent_size");
        assert_eq!(f.outcome, Outcome::Veto);
        assert_eq!(
            f.message,
            format!(
                "You asked to scale payment-service to 4 tasks; the plan sets aws_ecs_service.app \
                 desired_count to {wrong}."
            )
        );
    }
}

#[test]
fn a_scale_plan_changes_nothing_the_request_did_not_name() {
    let mut plan = planned(SCALE);
    let mut db = res_db();
    db.values.insert("deletion_protection".into(), json!(false));
    db.values.insert("backup_retention_period".into(), json!(0));
    plan.resources.push(db.clone());
    let v = audit(SCALE, &plan);
    assert_eq!(v.decision, Decision::Vetoed);
    let f = finding(&v, "intent_actions");
    assert_eq!(f.resource.as_deref(), Some("aws_db_instance.main"));
    assert!(
        f.message
            .contains("weaken aws_db_instance.main (deletion_protection, backup_retention_period)"),
        "{}",
        f.message
    );

    // A replace of the database destroys it and its data.
    let mut plan = planned(SCALE);
    let mut db = res_db();
    db.action = ResourceAction::Replace;
    plan.resources.push(db);
    let v = audit(SCALE, &plan);
    assert_eq!(v.decision, Decision::Vetoed);
    let f = finding(&v, "intent_actions");
    assert!(
        f.message
            .contains("the plan would replace aws_db_instance.main, destroying it and its data"),
        "{}",
        f.message
    );

    // An in-place update of a kind the scale does not touch.
    let mut plan = planned(SCALE);
    let mut db = res_db();
    db.action = ResourceAction::Update;
    plan.resources.push(db);
    let v = audit(SCALE, &plan);
    let f = finding(&v, "intent_actions");
    assert!(
        f.message
            .contains("also update aws_db_instance.main, which the request did not name"),
        "{}",
        f.message
    );
}

fn res_db() -> paved_core::Resource {
    let mut db = res(
        "aws_db_instance",
        "main",
        json!({
            "engine": "postgres",
            "instance_class": "db.r5.large",
            "allocated_storage": 100,
            "multi_az": true,
            "storage_encrypted": true,
            "publicly_accessible": false,
            "deletion_protection": true,
            "backup_retention_period": 30,
            "tags": {"paved:service": "payment-service", "environment": "production"}
        }),
    );
    db.action = ResourceAction::Update;
    db
}

#[test]
fn the_web_app_service_is_a_name() {
    let request = "scale the production web-app service to 4 tasks, change ticket CHG-20417";
    let intent = auditor().understand(request);
    assert_eq!(intent.service.as_deref(), Some("web-app"));
    let mut plan = planned(SCALE);
    let text = serde_json::to_string(&plan)
        .unwrap()
        .replace("payment-service", "web-app");
    plan = serde_json::from_str(&text).unwrap();
    let v = audit(request, &plan);
    assert!(
        matches!(
            v.decision,
            Decision::Approved | Decision::ApprovedWithWarnings
        ),
        "{v:#?}"
    );
    no_finding(&v, "intent_actions");
}

#[test]
fn resources_the_request_names_are_asked_for() {
    let request = "a production web app with postgres using a customer-managed KMS key";
    let mut plan = planned(request);
    plan.resources.push(res(
        "aws_kms_key",
        "db",
        json!({"enable_key_rotation": true, "deletion_window_in_days": 30}),
    ));
    let v = audit(request, &plan);
    no_finding(&v, "intent_resources");
    // Without the words, the key is not asked for.
    let v = audit(PROD_APP, &plan);
    let f = finding(&v, "intent_resources");
    assert!(f.message.contains("aws_kms_key.db"), "{}", f.message);
    // Ruled out is not asked for.
    let v = audit(
        "a production web app with postgres and no KMS key of our own, no cmk",
        &plan,
    );
    finding(&v, "intent_resources");
}

#[test]
fn a_gpu_of_an_unknown_family_stated_free_is_vetoed() {
    let request = "a development machine learning training environment with GPUs";
    let mut plan = planned(request);
    let gpu = plan
        .resources
        .iter_mut()
        .find(|r| r.kind == "aws_instance")
        .unwrap();
    gpu.values
        .insert("instance_type".into(), json!("p4d.24xlarge"));
    gpu.monthly_cost_usd = 0.0;
    let v = audit(request, &plan);
    assert_eq!(v.decision, Decision::Vetoed);
    let f = finding(&v, "unverified_cost");
    assert_eq!((f.level, f.outcome), (Level::Intent, Outcome::Veto));
    assert!(
        f.message.starts_with(
            "aws_instance.training is a p4d.24xlarge, a family paved's price table does not know, \
             and the plan says it costs $0/month, but anything that size costs at least $"
        ),
        "{}",
        f.message
    );
    // A plausible stated cost is kept, with a warning.
    let mut plan = plan.clone();
    plan.resources
        .iter_mut()
        .find(|r| r.kind == "aws_instance")
        .unwrap()
        .monthly_cost_usd = 23_922.0;
    let v = audit(request, &plan);
    let f = finding(&v, "unverified_cost");
    assert_eq!((f.level, f.outcome), (Level::Soft, Outcome::Warn));
    assert!(f.message.contains("could not be verified"), "{}", f.message);
}

#[test]
fn a_larger_size_of_a_known_family_is_priced_by_the_ladder() {
    let request = "a development machine learning training environment with GPUs";
    let mut plan = planned(request);
    let gpu = plan
        .resources
        .iter_mut()
        .find(|r| r.kind == "aws_instance")
        .unwrap();
    let kept = gpu.monthly_cost_usd;
    gpu.values
        .insert("instance_type".into(), json!("p3.16xlarge"));
    let v = audit(request, &plan);
    let priced = v.plan.resource("aws_instance.training").unwrap();
    // p3.8xlarge is 12.24/hour; 16xlarge is twice its size.
    assert!(
        priced.monthly_cost_usd > 17_000.0,
        "{}",
        priced.monthly_cost_usd
    );
    assert!(priced.monthly_cost_usd != kept);
    assert_eq!(v.decision, Decision::Vetoed);
    let f = finding(&v, "intent_size");
    assert!(f.message.contains("p3.16xlarge"), "{}", f.message);
}

#[test]
fn provisioned_dynamodb_capacity_is_priced() {
    let request = "a public REST API with DynamoDB for webhooks";
    let mut plan = planned(request);
    let table = plan
        .resources
        .iter_mut()
        .find(|r| r.kind == "aws_dynamodb_table")
        .unwrap();
    table
        .values
        .insert("billing_mode".into(), json!("PROVISIONED"));
    table.values.insert("read_capacity".into(), json!(40000));
    table.values.insert("write_capacity".into(), json!(40000));
    let v = audit(request, &plan);
    let priced = v
        .plan
        .resource("aws_dynamodb_table.main")
        .unwrap();
    // 40,000 × (0.00013 + 0.00065) × 730, plus storage.
    assert!(
        (priced.monthly_cost_usd - (40000.0 * 0.00078 * 730.0 + 2.5)).abs() < 1.0,
        "{}",
        priced.monthly_cost_usd
    );
    assert_eq!(v.decision, Decision::Vetoed);
    finding(&v, "intent_size");
}
