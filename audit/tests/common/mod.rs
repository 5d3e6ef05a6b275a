//! Helpers shared by the audit's tests: hand-written plans and resources.

#![allow(dead_code)]

use std::sync::OnceLock;

use paved_audit::{AuditContext, Auditor, Guardrails};
use paved_core::{Environment, Finding, Intent, Outcome, Plan, Resource, ResourceAction, Verdict};
use paved_planner::{Catalog, Planner, PlanningContext};
use serde_json::{Value, json};

pub fn catalog() -> &'static Catalog {
    static C: OnceLock<Catalog> = OnceLock::new();
    C.get_or_init(Catalog::shipped)
}

pub fn guardrails() -> &'static Guardrails {
    static G: OnceLock<Guardrails> = OnceLock::new();
    G.get_or_init(Guardrails::shipped)
}

pub fn auditor() -> Auditor<'static> {
    Auditor::new(catalog(), guardrails())
}

/// The plan the orchestrator would make for a request (the shipped planner, same reading).
pub fn planned(request: &str) -> Plan {
    let intent = auditor().understand(request);
    match Planner::new(catalog()).plan(&intent, &PlanningContext::default()) {
        Ok(Some(p)) => p,
        other => panic!("`{request}` did not plan: {other:?} ({intent:?})"),
    }
}

/// The audit of `plan` for `request`, with nothing deployed, confirmed or ticketed.
pub fn audit(request: &str, plan: &Plan) -> Verdict {
    auditor().audit(request, plan, &AuditContext::default())
}

pub fn res(kind: &str, name: &str, values: Value) -> Resource {
    res_action(kind, name, ResourceAction::Create, values)
}

pub fn res_action(kind: &str, name: &str, action: ResourceAction, values: Value) -> Resource {
    let mut r = Resource::new(kind, name, action);
    if let Value::Object(m) = values {
        r.values = m;
    }
    r
}

pub fn plan(env: Environment, resources: Vec<Resource>) -> Plan {
    Plan {
        golden_path: Some("standard_web_app".into()),
        golden_path_version: "3.2".into(),
        environment: env,
        region: "us-east-1".into(),
        resources,
        estimated_monthly_cost_usd: 0.0,
    }
}

pub fn intent(env: Environment) -> Intent {
    let mut i = Intent::empty();
    i.environment = env;
    i.golden_path = Some("standard_web_app".into());
    i
}

/// A database that passes every guardrail.
pub fn good_db() -> Resource {
    res(
        "aws_db_instance",
        "main",
        json!({"engine": "postgres", "instance_class": "db.r5.large", "storage_encrypted": true,
               "multi_az": true, "publicly_accessible": false, "backup_retention_period": 30,
               "deletion_protection": true, "skip_final_snapshot": false,
               "vpc_security_group_ids": ["${aws_security_group.db.id}"]}),
    )
}

pub fn db_sg() -> Resource {
    res(
        "aws_security_group",
        "db",
        json!({"ingress": [{"from_port": 5432, "to_port": 5432, "protocol": "tcp",
               "security_groups": ["${aws_security_group.app.id}"]}]}),
    )
}

pub fn alb_sg() -> Resource {
    res(
        "aws_security_group",
        "alb",
        json!({"ingress": [
            {"from_port": 443, "to_port": 443, "protocol": "tcp", "cidr_blocks": ["0.0.0.0/0"]},
            {"from_port": 80, "to_port": 80, "protocol": "tcp", "cidr_blocks": ["0.0.0.0/0"], "ipv6_cidr_blocks": ["::/0"]}
        ]}),
    )
}

pub fn public_alb() -> Resource {
    res(
        "aws_lb",
        "web",
        json!({"internal": false, "load_balancer_type": "application",
               "security_groups": ["${aws_security_group.alb.id}"]}),
    )
}

/// The findings of `rule`.
pub fn findings_of<'a>(findings: &'a [Finding], rule: &str) -> Vec<&'a Finding> {
    findings.iter().filter(|f| f.rule == rule).collect()
}

/// Sets one attribute of the plan's resource at `address`.
pub fn set(plan: &mut Plan, address: &str, key: &str, value: Value) {
    plan.resource_mut(address)
        .unwrap_or_else(|| panic!("no {address}"))
        .values
        .insert(key.to_string(), value);
}

/// The one finding of `rule`, with the outcome and resource expected.
pub fn the_finding<'a>(
    findings: &'a [Finding],
    rule: &str,
    outcome: Outcome,
    resource: &str,
) -> &'a Finding {
    let found = findings_of(findings, rule);
    assert_eq!(found.len(), 1, "{rule}: {findings:#?}");
    assert_eq!(found[0].outcome, outcome, "{:#?}", found[0]);
    assert_eq!(found[0].resource.as_deref(), Some(resource));
    found[0]
}
