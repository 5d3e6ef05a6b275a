//! The audit end to end on the brief's examples: the planner's own plan for a request, tampered
//! with the way a careless or hostile orchestrator might, judged by the [`Auditor`].

mod common;

use common::*;
use paved_audit::AuditContext;
use paved_core::canonical::plan_hash;
use paved_core::{Decision, Level, Outcome, Plan, ResourceAction, Verdict};
use serde_json::json;

fn rules(v: &Verdict) -> Vec<&str> {
    v.findings.iter().map(|f| f.rule.as_str()).collect()
}

fn vetoes_of<'a>(v: &'a Verdict, rule: &str) -> Vec<&'a paved_core::Finding> {
    v.findings
        .iter()
        .filter(|f| f.rule == rule && f.outcome == Outcome::Veto)
        .collect()
}

const DEV_APP: &str = "I need a development web app with PostgreSQL";
const PROD_APP: &str = "I need a production web app with PostgreSQL";

#[test]
fn the_planners_plan_for_a_plain_request_is_approved() {
    let plan = planned(PROD_APP);
    let v = audit(PROD_APP, &plan);
    assert!(
        matches!(
            v.decision,
            Decision::Approved | Decision::ApprovedWithWarnings
        ),
        "{:#?}",
        v.findings
    );
    assert!(
        v.findings.iter().all(|f| f.outcome == Outcome::Warn),
        "{:#?}",
        v.findings
    );
    assert_eq!(v.plan_hash, plan_hash(&plan));
    assert_eq!(v.approved_plan_hash, plan_hash(&v.plan));
    assert_eq!(v.plan, plan, "an approved plan leaves the audit unchanged");
    assert_eq!(
        v.request_hash,
        paved_core::canonical::request_hash(PROD_APP)
    );
    assert!(v.approvers.is_empty());
    for rule in [
        "intent_scope",
        "intent_actions",
        "intent_resources",
        "intent_size",
        "encryption_at_rest",
        "no_world_open_ingress",
        "recomputed_costs",
    ] {
        let c = v
            .checks
            .iter()
            .find(|c| c.rule == rule)
            .unwrap_or_else(|| panic!("no check {rule}"));
        assert!(c.passed, "{c:?}");
    }
}

#[test]
fn port_22_open_to_the_world_added_to_a_dev_request_is_vetoed() {
    let mut plan = planned(DEV_APP);
    plan.resources.push(res(
        "aws_security_group",
        "debug",
        json!({"name": "debug", "ingress": [{"from_port": 22, "to_port": 22, "protocol": "tcp", "cidr_blocks": ["0.0.0.0/0"]}]}),
    ));
    let v = audit(DEV_APP, &plan);
    assert_eq!(v.decision, Decision::Vetoed);
    let ingress = vetoes_of(&v, "no_world_open_ingress");
    assert_eq!(ingress.len(), 1, "{:#?}", v.findings);
    assert_eq!(
        ingress[0].resource.as_deref(),
        Some("aws_security_group.debug")
    );
    assert!(
        ingress[0].message.contains("port 22"),
        "{}",
        ingress[0].message
    );
    assert!(ingress[0].suggestion.is_some());
    // The audit's own reading also finds a security group nobody asked for.
    let extra = vetoes_of(&v, "intent_resources");
    assert_eq!(extra.len(), 1, "{:#?}", v.findings);
    assert_eq!(
        extra[0].resource.as_deref(),
        Some("aws_security_group.debug")
    );
    assert_eq!(extra[0].level, Level::Intent);
}

#[test]
fn port_22_opened_on_an_existing_security_group_is_vetoed() {
    let mut plan = planned(DEV_APP);
    let app = plan
        .resource_mut("aws_security_group.app")
        .expect("the web app path has an app security group");
    if let Some(serde_json::Value::Array(rules)) = app.values.get_mut("ingress") {
        rules.push(json!({"from_port": 22, "to_port": 22, "protocol": "tcp", "cidr_blocks": ["0.0.0.0/0"]}));
    }
    let v = audit(DEV_APP, &plan);
    assert_eq!(v.decision, Decision::Vetoed);
    assert_eq!(
        vetoes_of(&v, "no_world_open_ingress")[0]
            .resource
            .as_deref(),
        Some("aws_security_group.app")
    );
}

#[test]
fn a_bastion_host_nobody_asked_for_is_vetoed() {
    let mut plan = planned(DEV_APP);
    plan.resources.push(res(
        "aws_instance",
        "bastion",
        json!({"instance_type": "t3.micro", "ami": "ami-123",
        "root_block_device": [{"encrypted": true}]}),
    ));
    let v = audit(DEV_APP, &plan);
    assert_eq!(v.decision, Decision::Vetoed);
    let f = vetoes_of(&v, "intent_resources");
    assert_eq!(f.len(), 1, "{:#?}", v.findings);
    assert_eq!(f[0].resource.as_deref(), Some("aws_instance.bastion"));
    assert!(
        f[0].message.contains("aws_instance.bastion"),
        "{}",
        f[0].message
    );
    assert!(
        f[0].suggestion
            .as_deref()
            .unwrap_or("")
            .contains("Remove aws_instance.bastion")
    );
}

#[test]
fn renamed_resources_from_another_tool_still_pass() {
    let plan = planned(PROD_APP);
    // Rename every resource (and every reference to it) as another tool might.
    let mut text = serde_json::to_string(&plan).unwrap();
    for r in &plan.resources {
        let renamed = format!("{}.x_{}", r.kind, r.name);
        text = text.replace(&format!("\"{}\"", r.address), &format!("\"{renamed}\""));
        text = text.replace(&format!("{}.", r.address), &format!("{renamed}."));
        text = text.replace(
            &format!("\"name\":\"{}\"", r.name),
            &format!("\"name\":\"x_{}\"", r.name),
        );
    }
    let other: Plan = serde_json::from_str(&text).unwrap();
    assert!(other.resources.iter().all(|r| r.name.starts_with("x_")));
    let v = audit(PROD_APP, &other);
    assert!(
        !v.findings.iter().any(|f| f.level == Level::Intent),
        "{:#?}",
        v.findings
    );
}

#[test]
fn db_m5_24xlarge_for_an_unspecified_database_is_vetoed() {
    let mut plan = planned(PROD_APP);
    let db = plan
        .resources
        .iter_mut()
        .find(|r| r.kind == "aws_db_instance")
        .unwrap();
    db.values
        .insert("instance_class".into(), json!("db.m5.24xlarge"));
    let v = audit(PROD_APP, &plan);
    assert_eq!(v.decision, Decision::Vetoed);
    let f = vetoes_of(&v, "intent_size");
    assert_eq!(f.len(), 1, "{:#?}", v.findings);
    let m = &f[0].message;
    assert!(
        m.starts_with(
            "You asked for a production PostgreSQL database; the plan has db.m5.24xlarge ($"
        ),
        "{m}"
    );
    assert!(m.contains("would fit"), "{m}");
    assert!(f[0].suggestion.is_some());
    // The cost was recomputed from the price table, not taken from the plan.
    let audited = v
        .plan
        .resources
        .iter()
        .find(|r| r.kind == "aws_db_instance")
        .unwrap();
    assert!(
        audited.monthly_cost_usd > 10_000.0,
        "{}",
        audited.monthly_cost_usd
    );
}

#[test]
fn a_size_the_user_named_is_not_an_intent_veto() {
    let request = "I need a production web app with PostgreSQL on db.m5.24xlarge";
    let plan = planned(request);
    let v = audit(request, &plan);
    assert!(vetoes_of(&v, "intent_size").is_empty(), "{:#?}", v.findings);
    assert_eq!(v.decision, Decision::Escalated, "{:#?}", v.findings);
    assert_eq!(v.approvers, ["cfo"]);
}

#[test]
fn an_unrequested_production_deletion_is_vetoed() {
    let mut plan = planned(DEV_APP);
    plan.resources.push(paved_core::Resource {
        action: ResourceAction::Delete,
        ..res(
            "aws_db_instance",
            "billing",
            json!({"identifier": "billing-prod-db", "engine": "postgres",
            "instance_class": "db.r5.large", "tags": {"environment": "production"}}),
        )
    });
    let v = audit(DEV_APP, &plan);
    assert_eq!(v.decision, Decision::Vetoed);
    let actions = vetoes_of(&v, "intent_actions");
    assert_eq!(actions.len(), 1, "{:#?}", v.findings);
    assert_eq!(
        actions[0].resource.as_deref(),
        Some("aws_db_instance.billing")
    );
    assert!(
        actions[0]
            .message
            .contains("delete aws_db_instance.billing"),
        "{}",
        actions[0].message
    );
    let scope = vetoes_of(&v, "intent_scope");
    assert_eq!(scope.len(), 1, "{:#?}", v.findings);
    assert!(
        scope[0].message.contains("production"),
        "{}",
        scope[0].message
    );
}

#[test]
fn a_public_database_is_vetoed() {
    let mut plan = planned(PROD_APP);
    let db = plan
        .resources
        .iter_mut()
        .find(|r| r.kind == "aws_db_instance")
        .unwrap();
    db.values.insert("publicly_accessible".into(), json!(true));
    let v = audit(PROD_APP, &plan);
    assert_eq!(v.decision, Decision::Vetoed);
    assert_eq!(
        vetoes_of(&v, "no_public_databases").len(),
        1,
        "{:#?}",
        v.findings
    );
}

#[test]
fn an_unencrypted_database_is_auto_fixed() {
    let mut plan = planned(PROD_APP);
    let db = plan
        .resources
        .iter_mut()
        .find(|r| r.kind == "aws_db_instance")
        .unwrap();
    db.values.insert("storage_encrypted".into(), json!(false));
    let address = db.address.clone();
    let v = audit(PROD_APP, &plan);
    assert_eq!(v.decision, Decision::AutoFixed, "{:#?}", v.findings);
    let f: Vec<_> = v
        .findings
        .iter()
        .filter(|f| f.outcome == Outcome::Fixed)
        .collect();
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].rule, "encryption_at_rest");
    assert_eq!(f[0].resource.as_deref(), Some(address.as_str()));
    assert_eq!(
        v.plan
            .resource(&address)
            .unwrap()
            .bool_value("storage_encrypted"),
        Some(true)
    );
    assert_eq!(v.plan_hash, plan_hash(&plan));
    assert_ne!(
        v.approved_plan_hash, v.plan_hash,
        "the fixed plan is a different plan"
    );
    assert_eq!(v.approved_plan_hash, plan_hash(&v.plan));
}

#[test]
fn a_single_az_production_database_is_auto_fixed() {
    let mut plan = planned(PROD_APP);
    let db = plan
        .resources
        .iter_mut()
        .find(|r| r.kind == "aws_db_instance")
        .unwrap();
    db.values.insert("multi_az".into(), json!(false));
    let address = db.address.clone();
    let before = db.monthly_cost_usd;
    let v = audit(PROD_APP, &plan);
    assert_eq!(v.decision, Decision::AutoFixed, "{:#?}", v.findings);
    assert_eq!(rules(&v), ["require_multi_az_production"]);
    let fixed = v.plan.resource(&address).unwrap();
    assert_eq!(fixed.bool_value("multi_az"), Some(true));
    assert!(
        fixed.monthly_cost_usd >= before,
        "the fixed plan is repriced"
    );
}

fn first_plan_costing(candidates: &[&str], low: f64, high: f64) -> (String, Plan) {
    for request in candidates {
        let plan = planned(request);
        if plan.estimated_monthly_cost_usd > low && plan.estimated_monthly_cost_usd <= high {
            return (request.to_string(), plan);
        }
    }
    panic!("no candidate request costs between {low} and {high}");
}

#[test]
fn a_7000_dollar_plan_is_escalated_to_the_finance_manager() {
    let (request, plan) = first_plan_costing(
        &[
            "I need a production web app with PostgreSQL on db.r5.8xlarge",
            "I need a production web app with PostgreSQL on db.r5.4xlarge",
            "I need a production web app with PostgreSQL on db.r5.12xlarge",
        ],
        5000.0,
        10000.0,
    );
    let v = audit(&request, &plan);
    assert_eq!(v.decision, Decision::Escalated, "{:#?}", v.findings);
    assert_eq!(v.approvers, ["finance_manager"]);
    assert_eq!(rules(&v), ["monthly_limit_5000"]);
}

#[test]
fn a_20000_dollar_plan_is_escalated_to_the_cfo() {
    let (request, plan) = first_plan_costing(
        &[
            "I need a production web app with PostgreSQL on db.m5.24xlarge",
            "I need a production web app with PostgreSQL on db.r5.16xlarge",
        ],
        10000.0,
        f64::INFINITY,
    );
    let v = audit(&request, &plan);
    assert_eq!(v.decision, Decision::Escalated, "{:#?}", v.findings);
    assert_eq!(v.approvers, ["cfo"]);
    assert_eq!(rules(&v), ["monthly_limit_10000"]);
}

#[test]
fn stated_costs_are_never_trusted() {
    let mut plan = planned(PROD_APP);
    let real = plan.estimated_monthly_cost_usd;
    for r in plan.resources.iter_mut() {
        r.monthly_cost_usd = 0.0;
    }
    plan.estimated_monthly_cost_usd = 0.0;
    let v = audit(PROD_APP, &plan);
    assert_eq!(v.plan.estimated_monthly_cost_usd, real);
    assert_ne!(v.approved_plan_hash, v.plan_hash);
}

#[test]
fn a_deno_web_app_is_approved_with_a_warning() {
    let request = "Deploy a web app using Deno instead of Node.js";
    let plan = planned(request);
    let v = audit(request, &plan);
    assert_eq!(
        v.decision,
        Decision::ApprovedWithWarnings,
        "{:#?}",
        v.findings
    );
    let f: Vec<_> = v.findings.iter().filter(|f| f.rule == "off_road").collect();
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].level, Level::Soft);
    assert_eq!(f[0].outcome, Outcome::Warn);
    assert!(f[0].message.contains("deno"), "{}", f[0].message);
    assert!(
        f[0].message.contains("operation, patching and monitoring"),
        "{}",
        f[0].message
    );
}

#[test]
fn a_production_plan_for_a_development_request_is_vetoed() {
    let plan = planned(PROD_APP);
    let v = audit(DEV_APP, &plan);
    assert_eq!(v.decision, Decision::Vetoed);
    // Said once for the whole plan, not once more for every resource tagged production.
    let scope = vetoes_of(&v, "intent_scope");
    assert_eq!(scope.len(), 1, "{:#?}", scope);
    assert_eq!(scope[0].resource, None);
    let tagged = plan
        .resources
        .iter()
        .filter(|r| r.value("tags").is_some_and(|t| t.to_string().contains("production")))
        .count();
    assert!(tagged > 1);
    assert_eq!(
        scope[0].message,
        format!(
            "You asked for development, but the plan targets production (and so do {tagged} of its resources)."
        )
    );

    // A resource that points further than the plan is named on its own.
    let mut plan = planned(DEV_APP);
    plan.environment = paved_core::Environment::Staging;
    let db = plan
        .resources
        .iter_mut()
        .find(|r| r.kind == "aws_db_instance")
        .unwrap();
    db.values
        .insert("tags".into(), json!({"environment": "production"}));
    let v = audit(DEV_APP, &plan);
    let scope = vetoes_of(&v, "intent_scope");
    let named: Vec<_> = scope.iter().filter_map(|f| f.resource.as_deref()).collect();
    assert_eq!(named, ["aws_db_instance.main"], "{scope:#?}");
    assert_eq!(scope.len(), 2, "{scope:#?}");
}

#[test]
fn an_oversized_service_without_a_size_attribute_reads_well() {
    let mut plan = planned(DEV_APP);
    let service = plan
        .resources
        .iter_mut()
        .find(|r| r.kind == "aws_ecs_service")
        .unwrap();
    service.values.insert("desired_count".into(), json!(40));
    service.monthly_cost_usd *= 40.0;
    let v = audit(DEV_APP, &plan);
    let f = vetoes_of(&v, "intent_size");
    assert_eq!(f.len(), 1, "{:#?}", v.findings);
    let m = &f[0].message;
    assert!(m.starts_with("You asked for a development container service; the plan has aws_ecs_service.app ($"), "{m}");
    assert!(m.contains("instead; the golden path's size ($"), "{m}");
    assert_eq!(
        f[0].suggestion.as_deref(),
        Some("Use the golden path's size, or name the size you need in the request.")
    );
}

#[test]
fn a_create_request_never_justifies_an_update() {
    let mut plan = planned(DEV_APP);
    plan.resources[0].action = ResourceAction::Update;
    let v = audit(DEV_APP, &plan);
    assert_eq!(v.decision, Decision::Vetoed);
    assert_eq!(
        vetoes_of(&v, "intent_actions").len(),
        1,
        "{:#?}",
        v.findings
    );
}

#[test]
fn auditing_is_deterministic() {
    let mut plan = planned(PROD_APP);
    plan.resources[0]
        .values
        .insert("tags".into(), json!({"environment": "production"}));
    let a = audit(PROD_APP, &plan);
    let b = auditor().audit(PROD_APP, &plan, &AuditContext::default());
    assert_eq!(
        paved_core::canonical::to_vec(&a),
        paved_core::canonical::to_vec(&b)
    );
}

#[test]
fn rules_split_out_of_a_security_group_follow_from_it() {
    let mut plan = planned(DEV_APP);
    let rule = |name: &str, group: &str| {
        res(
            "aws_vpc_security_group_ingress_rule",
            name,
            json!({"security_group_id": format!("${{{group}.id}}"), "cidr_ipv4": "0.0.0.0/0", "from_port": 443, "to_port": 443, "ip_protocol": "tcp"}),
        )
    };
    plan.resources.push(rule("alb_https", "aws_security_group.alb"));
    let v = audit(DEV_APP, &plan);
    assert!(
        vetoes_of(&v, "intent_resources").is_empty(),
        "{:#?}",
        v.findings
    );
    // A rule for a group the plan does not have is something of its own, not asked for.
    plan.resources.push(rule("elsewhere", "aws_security_group.partner"));
    let v = audit(DEV_APP, &plan);
    let f = vetoes_of(&v, "intent_resources");
    assert_eq!(f.len(), 1, "{:#?}", v.findings);
    assert_eq!(
        f[0].resource.as_deref(),
        Some("aws_vpc_security_group_ingress_rule.elsewhere")
    );
}

#[test]
fn findings_say_what_was_asked_for_in_whole_words() {
    for (request, asked) in [
        ("a production nightly job that exports orders to S3", "You asked for a production nightly batch job;"),
        ("a production analytics pipeline", "You asked for a production analytics data pipeline;"),
        ("I need a development web app with PostgreSQL", "You asked for a development web app;"),
    ] {
        let mut plan = planned(request);
        plan.resources.push(res("aws_sqs_queue", "extra", json!({"name": "extra"})));
        let v = audit(request, &plan);
        let f = vetoes_of(&v, "intent_resources");
        assert_eq!(f.len(), 1, "{request}: {:#?}", v.findings);
        assert!(f[0].message.starts_with(asked), "{request}: {}", f[0].message);
    }
}

#[test]
fn counts_replicas_and_parts_the_request_names_are_asked_for() {
    // "20 parallel tasks": the job runs as many as asked, not the golden path's one.
    let request = "nightly batch job in production to export reports to S3, run 20 parallel tasks";
    let mut plan = planned(request);
    let target = plan
        .resources
        .iter_mut()
        .find(|r| r.kind == "aws_cloudwatch_event_target")
        .expect("the job's schedule target");
    let ecs = target
        .values
        .get_mut("ecs_target")
        .expect("an ECS target");
    let block = match ecs {
        serde_json::Value::Array(items) => &mut items[0],
        other => other,
    };
    block["task_count"] = json!(20);
    target.monthly_cost_usd *= 20.0;
    let v = audit(request, &plan);
    assert!(vetoes_of(&v, "intent_size").is_empty(), "{:#?}", v.findings);

    // "with a Lambda function URL": the URL is asked for.
    let request = "internal API for development with a Lambda function URL";
    let mut plan = planned(request);
    plan.resources.push(res(
        "aws_lambda_function_url",
        "handler",
        json!({"function_name": "${aws_lambda_function.handler.function_name}", "authorization_type": "AWS_IAM"}),
    ));
    let v = audit(request, &plan);
    assert!(vetoes_of(&v, "intent_resources").is_empty(), "{:#?}", v.findings);
    // The same URL in a request that does not ask for one is not asked for.
    let request = "internal API for development";
    let v = audit(request, &plan);
    assert_eq!(vetoes_of(&v, "intent_resources").len(), 1, "{:#?}", v.findings);
}

#[test]
fn an_api_without_its_rate_limiting_is_vetoed_in_production() {
    let request = "a production REST API microservice with DynamoDB";
    let mut plan = planned(request);
    plan.resources.retain(|r| {
        r.kind != "aws_api_gateway_method_settings" && r.kind != "aws_api_gateway_usage_plan"
    });
    let v = audit(request, &plan);
    assert_eq!(v.decision, Decision::Vetoed, "{:#?}", v.findings);
    let f = vetoes_of(&v, "intent_baseline");
    assert_eq!(f.len(), 1, "{:#?}", v.findings);
    assert!(f[0].message.contains("API throttling (rate limiting)"), "{}", f[0].message);
    assert!(f[0].message.contains("the API's usage plan"), "{}", f[0].message);
}
