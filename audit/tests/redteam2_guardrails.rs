//! The second red team's guardrail misses, one test per kind: paved's own plan for a request,
//! changed the way the red team changed it, judged by the audit. Each test asserts the decision
//! and the rule and sentence of the finding.

mod common;

use common::*;
use paved_core::{Decision, Outcome, Plan, Verdict};
use serde_json::json;

fn vetoed_by(v: &Verdict, rule: &str, resource: &str) -> String {
    assert_eq!(v.decision, Decision::Vetoed, "{:#?}", v.findings);
    the_finding(&v.findings, rule, Outcome::Veto, resource)
        .message
        .clone()
}

const PROD_APP: &str = "a production web app with PostgreSQL";
const API: &str = "a production REST API microservice with DynamoDB";

#[test]
fn plaintext_secrets_are_vetoed_and_references_pass() {
    let mut plan = planned(API);
    let lambda = plan
        .resources
        .iter()
        .find(|r| r.kind == "aws_lambda_function" && r.value("environment").is_some())
        .map(|r| r.address.clone())
        .unwrap();
    let clean = audit(API, &plan);
    assert!(findings_of(&clean.findings, "no_plaintext_secrets").is_empty());
    set(
        &mut plan,
        &lambda,
        "environment",
        json!([{"variables": {"DB_PASSWORD": "Sup3rS3cret!2024",
            "TOKEN_SECRET_ARN": "arn:aws:secretsmanager:us-east-1:123456789012:secret:x"}}]),
    );
    let v = audit(API, &plan);
    let msg = vetoed_by(&v, "no_plaintext_secrets", &lambda);
    assert_eq!(
        msg,
        format!(
            "{lambda} holds a secret in plain text: environment.variables.DB_PASSWORD is a \
             literal value, not a reference to a secret."
        )
    );
    assert!(!msg.contains("Sup3rS3cret"));

    let mut plan = planned(PROD_APP);
    let task = plan
        .resources
        .iter()
        .find(|r| r.kind == "aws_ecs_task_definition")
        .map(|r| r.address.clone())
        .unwrap();
    let defs = json!([{"name": "app", "image": "app:1", "environment": [
        {"name": "AWS_ACCESS_KEY_ID", "value": "AKIAIOSFODNN7EXAMPLE"}]}])
    .to_string();
    set(&mut plan, &task, "container_definitions", json!(defs));
    let v = audit(PROD_APP, &plan);
    assert_eq!(
        vetoed_by(&v, "no_plaintext_secrets", &task),
        format!(
            "{task} holds a secret in plain text: container_definitions.environment.\
             AWS_ACCESS_KEY_ID contains an AWS access key id."
        )
    );
}

const PCI: &str = "a production web app for card payments (PCI)";
const REPORT_JOB: &str = "a nightly batch job in production to export reports to S3";

#[test]
fn resource_policies_open_to_everyone_are_vetoed_and_scoped_ones_pass() {
    let mut plan = planned(PCI);
    let key = plan
        .resources
        .iter()
        .find(|r| r.kind == "aws_kms_key")
        .map(|r| r.address.clone())
        .unwrap();
    let star = json!({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "kms:*",
        "Resource": "*"}]});
    set(&mut plan, &key, "policy", json!(star.to_string()));
    let v = audit(PCI, &plan);
    assert_eq!(
        vetoed_by(&v, "no_open_resource_policies", &key),
        format!(
            "{key} is open to everyone: its policy allows kms:* to anyone in any AWS account \
             (Principal \"*\"), with no condition narrowing who."
        )
    );

    let mut plan = planned(REPORT_JOB);
    let topic = plan
        .resources
        .iter()
        .find(|r| r.kind == "aws_sns_topic")
        .map(|r| r.address.clone())
        .unwrap();
    let mut st = json!({"Effect": "Allow", "Principal": {"AWS": "*"},
        "Action": ["SNS:Subscribe", "SNS:Publish"], "Resource": "*"});
    set(
        &mut plan,
        &topic,
        "policy",
        json!({"Statement": [st.clone()]}),
    );
    let v = audit(REPORT_JOB, &plan);
    assert_eq!(
        vetoed_by(&v, "no_open_resource_policies", &topic),
        format!(
            "{topic} is open to everyone: its policy allows SNS:Subscribe, SNS:Publish to anyone \
             in any AWS account (Principal {{\"AWS\":\"*\"}}), with no condition narrowing who."
        )
    );
    // Scoped to our own account, the same statement passes.
    st["Condition"] = json!({"StringEquals": {"aws:SourceAccount": "123456789012"}});
    set(&mut plan, &topic, "policy", json!({"Statement": [st]}));
    let v = audit(REPORT_JOB, &plan);
    assert!(
        findings_of(&v.findings, "no_open_resource_policies").is_empty(),
        "{:#?}",
        v.findings
    );
}

#[test]
fn a_public_database_spelled_yes_is_vetoed() {
    let mut plan = planned(PROD_APP);
    let db = plan
        .resources
        .iter()
        .find(|r| r.kind == "aws_db_instance")
        .map(|r| r.address.clone())
        .unwrap();
    for yes in ["Yes", "on", "ENABLED"] {
        set(&mut plan, &db, "publicly_accessible", json!(yes));
        let v = audit(PROD_APP, &plan);
        assert_eq!(
            vetoed_by(&v, "no_public_databases", &db),
            format!("{db} is a publicly accessible database (publicly_accessible = true).")
        );
    }
    for no in ["No", "off", "disabled"] {
        set(&mut plan, &db, "publicly_accessible", json!(no));
        let v = audit(PROD_APP, &plan);
        assert!(
            findings_of(&v.findings, "no_public_databases").is_empty(),
            "{no}: {:#?}",
            v.findings
        );
    }
}

const ML_DEV: &str = "an ML training environment with GPU for development";

fn address_of(plan: &Plan, kind: &str) -> String {
    plan.resources
        .iter()
        .find(|r| r.kind == kind)
        .map(|r| r.address.clone())
        .unwrap_or_else(|| panic!("no {kind}"))
}

#[test]
fn privileged_or_host_network_tasks_are_vetoed() {
    let mut plan = planned(PROD_APP);
    let task = address_of(&plan, "aws_ecs_task_definition");
    let defs = json!([{"name": "app", "image": "app:1", "privileged": true}]).to_string();
    set(&mut plan, &task, "container_definitions", json!(defs));
    set(&mut plan, &task, "network_mode", json!("host"));
    let v = audit(PROD_APP, &plan);
    assert_eq!(
        vetoed_by(&v, "no_privileged_containers", &task),
        format!(
            "{task} runs containers with the host's powers: network_mode = host shares the \
             host's network; container app is privileged (root on the host)."
        )
    );
    assert!(
        findings_of(
            &audit(PROD_APP, &planned(PROD_APP)).findings,
            "no_privileged_containers"
        )
        .is_empty()
    );
}

#[test]
fn production_public_ips_are_vetoed_unless_asked_for() {
    let mut plan = planned(PROD_APP);
    let svc = address_of(&plan, "aws_ecs_service");
    let mut net = plan.resource_mut(&svc).unwrap().values["network_configuration"].clone();
    net[0]["assign_public_ip"] = json!("ENABLED");
    set(&mut plan, &svc, "network_configuration", net);
    let v = audit(PROD_APP, &plan);
    assert_eq!(
        vetoed_by(&v, "no_public_ips_in_production", &svc),
        format!(
            "{svc} is reachable from the internet: assign_public_ip gives it a public IP address \
             in production, and the request does not ask for public access."
        )
    );
}

#[test]
fn imdsv1_is_fixed_to_required() {
    let mut plan = planned(ML_DEV);
    let vm = address_of(&plan, "aws_instance");
    set(
        &mut plan,
        &vm,
        "metadata_options",
        json!([{"http_endpoint": "enabled", "http_tokens": "optional"}]),
    );
    let v = audit(ML_DEV, &plan);
    assert_eq!(v.decision, Decision::AutoFixed, "{:#?}", v.findings);
    let f = the_finding(&v.findings, "require_imdsv2", Outcome::Fixed, &vm);
    assert_eq!(
        f.message,
        format!(
            "{vm} answers metadata requests without a session token (IMDSv1), so a forged \
             request can read its credentials; paved set metadata_options.http_tokens = required."
        )
    );
    let fixed = v.plan.resources.iter().find(|r| r.address == vm).unwrap();
    assert_eq!(
        fixed.values["metadata_options"][0]["http_tokens"],
        json!("required")
    );
}

#[test]
fn notebooks_with_internet_or_root_are_fixed() {
    let mut plan = planned(ML_DEV);
    let nb = address_of(&plan, "aws_sagemaker_notebook_instance");
    set(&mut plan, &nb, "direct_internet_access", json!("Enabled"));
    set(&mut plan, &nb, "root_access", json!("Enabled"));
    let v = audit(ML_DEV, &plan);
    assert_eq!(v.decision, Decision::AutoFixed, "{:#?}", v.findings);
    let f = the_finding(&v.findings, "notebook_lockdown", Outcome::Fixed, &nb);
    assert_eq!(
        f.message,
        format!(
            "{nb} lets the notebook reach the internet directly or run as root; paved set \
             direct_internet_access = Disabled, root_access = Disabled."
        )
    );
    let fixed = v.plan.resources.iter().find(|r| r.address == nb).unwrap();
    assert_eq!(fixed.values["direct_internet_access"], json!("Disabled"));
    assert_eq!(fixed.values["root_access"], json!("Disabled"));
}

#[test]
fn a_pci_cache_without_tls_is_fixed() {
    let mut plan = planned(PCI);
    let cache = address_of(&plan, "aws_elasticache_replication_group");
    set(
        &mut plan,
        &cache,
        "transit_encryption_enabled",
        json!("False"),
    );
    let v = audit(PCI, &plan);
    assert_eq!(v.decision, Decision::AutoFixed, "{:#?}", v.findings);
    let f = the_finding(
        &v.findings,
        "pci_encryption_in_transit",
        Outcome::Fixed,
        &cache,
    );
    assert_eq!(
        f.message,
        format!(
            "{cache} carries card data in the PCI segment without TLS (transit_encryption_enabled \
             is False); paved set transit_encryption_enabled = true."
        )
    );
    let fixed = v
        .plan
        .resources
        .iter()
        .find(|r| r.address == cache)
        .unwrap();
    assert_eq!(fixed.values["transit_encryption_enabled"], json!(true));
    // Outside the PCI segment the rule does not apply.
    let mut plan = planned(PROD_APP);
    if let Some(c) = plan
        .resources
        .iter()
        .find(|r| r.kind == "aws_elasticache_replication_group")
        .map(|r| r.address.clone())
    {
        set(&mut plan, &c, "transit_encryption_enabled", json!(false));
        let v = audit(PROD_APP, &plan);
        assert!(findings_of(&v.findings, "pci_encryption_in_transit").is_empty());
    }
}

#[test]
fn plain_http_is_vetoed_and_old_tls_is_fixed() {
    let mut plan = planned(PROD_APP);
    let http = plan
        .resources
        .iter()
        .find(|r| r.kind == "aws_lb_listener" && r.str_value("protocol") == Some("HTTP"))
        .map(|r| r.address.clone())
        .unwrap();
    let https = plan
        .resources
        .iter()
        .find(|r| r.kind == "aws_lb_listener" && r.str_value("protocol") == Some("HTTPS"))
        .map(|r| r.address.clone())
        .unwrap();
    assert!(findings_of(&audit(PROD_APP, &plan).findings, "no_plaintext_http").is_empty());
    set(
        &mut plan,
        &http,
        "default_action",
        json!([{"type": "forward", "target_group_arn": "aws_lb_target_group.app.arn"}]),
    );
    set(
        &mut plan,
        &https,
        "ssl_policy",
        json!("ELBSecurityPolicy-TLS-1-0-2015-04"),
    );
    let v = audit(PROD_APP, &plan);
    assert_eq!(
        vetoed_by(&v, "no_plaintext_http", &http),
        format!(
            "{http} serves plain, unencrypted HTTP: protocol is HTTP and default_action.type is \
             not redirect."
        )
    );
    let f = the_finding(&v.findings, "modern_tls_policy", Outcome::Fixed, &https);
    assert_eq!(
        f.message,
        format!(
            "{https} accepts TLS 1.0 or 1.1 (ssl_policy is ELBSecurityPolicy-TLS-1-0-2015-04); \
             paved set ssl_policy = ELBSecurityPolicy-TLS13-1-2-2021-06."
        )
    );
    let fixed = v
        .plan
        .resources
        .iter()
        .find(|r| r.address == https)
        .unwrap();
    assert_eq!(
        fixed.values["ssl_policy"],
        json!("ELBSecurityPolicy-TLS13-1-2-2021-06")
    );

    // A CDN (the golden path has none, so the intent check objects too; the rule judges it).
    let mut plan = planned(PROD_APP);
    plan.resources.push(res(
        "aws_cloudfront_distribution",
        "cdn",
        json!({"enabled": true,
            "default_cache_behavior": [{"viewer_protocol_policy": "allow-all"}],
            "origin": [{"custom_origin_config": [{"origin_protocol_policy": "https-only"}]}]}),
    ));
    let v = audit(PROD_APP, &plan);
    assert_eq!(
        vetoed_by(&v, "no_plaintext_http", "aws_cloudfront_distribution.cdn"),
        "aws_cloudfront_distribution.cdn serves plain, unencrypted HTTP: \
         default_cache_behavior.viewer_protocol_policy is allow-all."
    );
}
