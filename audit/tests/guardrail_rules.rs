//! Every shipped guardrail, firing and not firing, evaluated by the engine on hand-written plans,
//! and the precedence of decisions.

mod common;

use common::*;
use paved_audit::engine::{Judgement, evaluate};
use paved_audit::facts::Facts;
use paved_audit::{AuditContext, Guardrails};
use paved_core::{
    Compliance, Decision, Environment, Finding, Intent, Level, Outcome, Plan, ResourceAction,
    Verdict,
};
use serde_json::json;

fn judge_with(request: &str, intent: &Intent, ctx: &AuditContext, plan: &mut Plan) -> Judgement {
    judge_under(&Guardrails::shipped(), request, intent, ctx, plan)
}

fn judge_under(
    g: &Guardrails,
    request: &str,
    intent: &Intent,
    ctx: &AuditContext,
    plan: &mut Plan,
) -> Judgement {
    let facts = Facts::new(request, intent, ctx);
    // Costs are set by hand in these tests; the auditor reprices from the price table.
    evaluate(g.policy(), plan, &facts, &|_| {})
}

fn judge(env: Environment, plan: &mut Plan) -> Judgement {
    judge_with("a web app", &intent(env), &AuditContext::default(), plan)
}

fn of<'a>(j: &'a Judgement, rule: &str) -> Vec<&'a Finding> {
    j.findings.iter().filter(|f| f.rule == rule).collect()
}

fn check_passed(j: &Judgement, rule: &str) -> bool {
    j.checks
        .iter()
        .find(|c| c.rule == rule)
        .map(|c| c.passed)
        .unwrap_or_else(|| panic!("no check {rule}"))
}

#[test]
fn a_clean_plan_passes_every_rule() {
    let mut p = plan(
        Environment::Production,
        vec![alb_sg(), public_alb(), db_sg(), good_db()],
    );
    let j = judge(Environment::Production, &mut p);
    assert!(j.findings.is_empty(), "{:#?}", j.findings);
    assert_eq!(j.checks.len(), 28);
    assert!(j.checks.iter().all(|c| c.passed), "{:#?}", j.checks);
}

// encryption_at_rest

#[test]
fn encryption_at_rest_fixes_an_unencrypted_database() {
    let mut db = good_db();
    db.values.remove("storage_encrypted");
    let mut p = plan(Environment::Production, vec![db_sg(), db]);
    let j = judge(Environment::Production, &mut p);
    let f = of(&j, "encryption_at_rest");
    assert_eq!(f.len(), 1, "{:#?}", j.findings);
    assert_eq!(f[0].outcome, Outcome::Fixed);
    assert_eq!(f[0].level, Level::Hard);
    assert_eq!(f[0].resource.as_deref(), Some("aws_db_instance.main"));
    assert!(
        f[0].message.contains("storage_encrypted"),
        "{}",
        f[0].message
    );
    assert_eq!(p.resources[1].bool_value("storage_encrypted"), Some(true));
    assert!(check_passed(&j, "encryption_at_rest"));
}

#[test]
fn encryption_at_rest_fixes_buckets_caches_and_volumes() {
    let mut p = plan(
        Environment::Development,
        vec![
            res("aws_s3_bucket", "data", json!({"bucket": "data"})),
            res(
                "aws_elasticache_replication_group",
                "cache",
                json!({"at_rest_encryption_enabled": false}),
            ),
            res("aws_ebs_volume", "scratch", json!({"size": 100})),
            res(
                "aws_instance",
                "worker",
                json!({"instance_type": "t3.micro", "root_block_device": [{"volume_size": 20}]}),
            ),
        ],
    );
    let j = judge(Environment::Development, &mut p);
    assert_eq!(of(&j, "encryption_at_rest").len(), 4, "{:#?}", j.findings);
    assert_eq!(
        p.resources[0].values["server_side_encryption_configuration"]["rule"]["apply_server_side_encryption_by_default"]
            ["sse_algorithm"],
        json!("aws:kms")
    );
    assert_eq!(
        p.resources[1].bool_value("at_rest_encryption_enabled"),
        Some(true)
    );
    assert_eq!(p.resources[2].bool_value("encrypted"), Some(true));
    assert_eq!(
        p.resources[3].values["root_block_device"][0]["encrypted"],
        json!(true)
    );
}

#[test]
fn encryption_at_rest_leaves_encrypted_stores_alone() {
    let mut p = plan(
        Environment::Development,
        vec![
            res(
                "aws_s3_bucket",
                "data",
                json!({"server_side_encryption_configuration": {"rule": {}}}),
            ),
            res("aws_ebs_volume", "scratch", json!({"encrypted": true})),
        ],
    );
    let before = p.clone();
    let j = judge(Environment::Development, &mut p);
    assert!(of(&j, "encryption_at_rest").is_empty());
    assert_eq!(p, before);
}

// require_multi_az_production

#[test]
fn multi_az_is_forced_on_production_databases() {
    let mut db = good_db();
    db.values.insert("multi_az".into(), json!(false));
    let mut p = plan(Environment::Production, vec![db_sg(), db]);
    let j = judge(Environment::Production, &mut p);
    let f = of(&j, "require_multi_az_production");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].outcome, Outcome::Fixed);
    assert_eq!(p.resources[1].bool_value("multi_az"), Some(true));
}

#[test]
fn multi_az_is_not_forced_outside_production() {
    let mut db = good_db();
    db.values.insert("multi_az".into(), json!(false));
    let mut p = plan(Environment::Development, vec![db_sg(), db]);
    let j = judge(Environment::Development, &mut p);
    assert!(of(&j, "require_multi_az_production").is_empty());
    assert_eq!(p.resources[1].bool_value("multi_az"), Some(false));
}

#[test]
fn multi_az_follows_a_production_tag_in_a_development_plan() {
    let mut db = good_db();
    db.values.insert("multi_az".into(), json!(false));
    db.values
        .insert("tags".into(), json!({"environment": "production"}));
    let mut p = plan(Environment::Development, vec![db]);
    let j = judge(Environment::Development, &mut p);
    assert_eq!(of(&j, "require_multi_az_production").len(), 1);
}

// no_public_databases

#[test]
fn public_databases_are_vetoed_with_a_suggestion() {
    let mut db = good_db();
    db.values.insert("publicly_accessible".into(), json!(true));
    let mut p = plan(Environment::Production, vec![db_sg(), db]);
    let j = judge(Environment::Production, &mut p);
    let f = of(&j, "no_public_databases");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].outcome, Outcome::Veto);
    assert_eq!(f[0].level, Level::Blocking);
    assert!(
        f[0].suggestion
            .as_deref()
            .unwrap_or("")
            .contains("publicly_accessible = false")
    );
    assert_eq!(Verdict::decide(&j.findings), Decision::Vetoed);
}

#[test]
fn private_databases_pass() {
    let mut p = plan(Environment::Production, vec![db_sg(), good_db()]);
    let j = judge(Environment::Production, &mut p);
    assert!(of(&j, "no_public_databases").is_empty());
    assert!(check_passed(&j, "no_public_databases"));
}

#[test]
fn search_domains_without_a_vpc_are_vetoed_and_private_ones_pass() {
    for kind in ["aws_opensearch_domain", "aws_elasticsearch_domain"] {
        let mut p = plan(
            Environment::Production,
            vec![res(kind, "search", json!({"domain_name": "search"}))],
        );
        let j = judge(Environment::Production, &mut p);
        let f = of(&j, "no_public_search_domains");
        assert_eq!(f.len(), 1, "{kind}: {:#?}", j.findings);
        assert_eq!(f[0].outcome, Outcome::Veto);
        assert_eq!(
            f[0].message,
            format!(
                "{kind}.search has a public endpoint: it has no vpc_options, so the internet can reach it."
            )
        );
        assert_eq!(Verdict::decide(&j.findings), Decision::Vetoed);

        let mut p = plan(
            Environment::Production,
            vec![res(
                kind,
                "search",
                json!({"domain_name": "search", "vpc_options": {"subnet_ids": ["${aws_subnet.private_a.id}"]}}),
            )],
        );
        let j = judge(Environment::Production, &mut p);
        assert!(
            of(&j, "no_public_search_domains").is_empty(),
            "{kind}: {:#?}",
            j.findings
        );
        assert!(check_passed(&j, "no_public_search_domains"));
    }
}

#[test]
fn a_database_behind_a_world_open_security_group_is_vetoed() {
    let open = res(
        "aws_security_group",
        "db",
        json!({"ingress": [{"from_port": 5432, "to_port": 5432, "protocol": "tcp", "cidr_blocks": ["0.0.0.0/0"]}]}),
    );
    let mut p = plan(Environment::Production, vec![open, good_db()]);
    let j = judge(Environment::Production, &mut p);
    let f = of(&j, "no_databases_behind_open_security_groups");
    assert_eq!(f.len(), 1, "{:#?}", j.findings);
    assert_eq!(f[0].resource.as_deref(), Some("aws_db_instance.main"));
    assert!(f[0].message.contains("5432"), "{}", f[0].message);
}

// no_world_open_ingress

#[test]
fn ssh_from_the_world_is_vetoed() {
    let bastion = res(
        "aws_security_group",
        "debug",
        json!({"ingress": [{"from_port": 22, "to_port": 22, "protocol": "tcp", "cidr_blocks": ["0.0.0.0/0"]}]}),
    );
    let mut p = plan(
        Environment::Development,
        vec![alb_sg(), public_alb(), bastion],
    );
    let j = judge(Environment::Development, &mut p);
    let f = of(&j, "no_world_open_ingress");
    assert_eq!(f.len(), 1, "{:#?}", j.findings);
    assert_eq!(f[0].resource.as_deref(), Some("aws_security_group.debug"));
    assert!(f[0].message.contains("port 22"), "{}", f[0].message);
    assert!(f[0].suggestion.is_some());
}

#[test]
fn https_on_a_public_load_balancer_passes() {
    let mut p = plan(Environment::Production, vec![alb_sg(), public_alb()]);
    let j = judge(Environment::Production, &mut p);
    assert!(
        of(&j, "no_world_open_ingress").is_empty(),
        "{:#?}",
        j.findings
    );
}

#[test]
fn https_from_the_world_without_a_public_load_balancer_is_vetoed() {
    let internal = res(
        "aws_lb",
        "web",
        json!({"internal": true, "security_groups": ["${aws_security_group.alb.id}"]}),
    );
    let mut p = plan(Environment::Production, vec![alb_sg(), internal]);
    let j = judge(Environment::Production, &mut p);
    assert_eq!(of(&j, "no_world_open_ingress").len(), 1);
    let mut p = plan(Environment::Production, vec![alb_sg()]);
    let j = judge(Environment::Production, &mut p);
    assert_eq!(of(&j, "no_world_open_ingress").len(), 1);
}

#[test]
fn separate_rule_resources_and_ipv6_are_read() {
    let rule = res(
        "aws_security_group_rule",
        "rdp",
        json!({"type": "ingress", "from_port": 3389, "to_port": 3389, "protocol": "tcp",
               "cidr_blocks": ["10.0.0.0/8"], "ipv6_cidr_blocks": ["::/0"],
               "security_group_id": "${aws_security_group.alb.id}"}),
    );
    let v2 = res(
        "aws_vpc_security_group_ingress_rule",
        "all",
        json!({"ip_protocol": "-1", "cidr_ipv4": "0.0.0.0/0", "security_group_id": "${aws_security_group.alb.id}"}),
    );
    let mut p = plan(
        Environment::Production,
        vec![alb_sg(), public_alb(), rule, v2],
    );
    let j = judge(Environment::Production, &mut p);
    let f = of(&j, "no_world_open_ingress");
    let addrs: Vec<_> = f.iter().filter_map(|f| f.resource.as_deref()).collect();
    assert_eq!(
        addrs,
        [
            "aws_security_group_rule.rdp",
            "aws_vpc_security_group_ingress_rule.all"
        ]
    );
}

// mfa_for_admin

#[test]
fn admin_without_mfa_is_vetoed() {
    let a = res(
        "aws_iam_user_policy_attachment",
        "ops_admin",
        json!({"user": "ops", "policy_arn": "arn:aws:iam::aws:policy/AdministratorAccess"}),
    );
    let mut p = plan(Environment::Production, vec![a]);
    let j = judge(Environment::Production, &mut p);
    let f = of(&j, "mfa_for_admin");
    assert_eq!(f.len(), 1);
    assert!(
        f[0].message.contains("AdministratorAccess"),
        "{}",
        f[0].message
    );
    assert!(
        f[0].suggestion
            .as_deref()
            .unwrap_or("")
            .contains("MultiFactorAuthPresent")
    );
}

#[test]
fn least_privilege_and_mfa_guarded_policies_pass() {
    let doc = json!({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*",
        "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}]})
    .to_string();
    let mut p = plan(
        Environment::Production,
        vec![
            res("aws_iam_policy", "breakglass", json!({"policy": doc})),
            res(
                "aws_iam_role_policy_attachment",
                "logs",
                json!({"role": "app",
                "policy_arn": "arn:aws:iam::aws:policy/CloudWatchLogsFullAccess"}),
            ),
        ],
    );
    let j = judge(Environment::Production, &mut p);
    assert!(of(&j, "mfa_for_admin").is_empty(), "{:#?}", j.findings);
}

// pci_baseline

fn pci_intent() -> Intent {
    let mut i = intent(Environment::Production);
    i.compliance = vec![Compliance::PciDss];
    i
}

fn pci_resources() -> Vec<paved_core::Resource> {
    vec![
        res(
            "aws_vpc",
            "main",
            json!({"cidr_block": "10.101.0.0/16", "tags": {"segment": "prod-pci"}}),
        ),
        res("aws_kms_key", "data", json!({"enable_key_rotation": true})),
        res("aws_flow_log", "vpc", json!({"traffic_type": "ALL"})),
        res(
            "aws_wafv2_web_acl",
            "web",
            json!({"scope": "REGIONAL", "default_action": {"allow": {}}, "rule": [{"name": "common", "priority": 1}]}),
        ),
        good_db(),
    ]
}

#[test]
fn pci_plans_with_the_full_baseline_pass() {
    let mut p = plan(Environment::Production, pci_resources());
    let j = judge_with("payments", &pci_intent(), &AuditContext::default(), &mut p);
    assert!(of(&j, "pci_baseline").is_empty(), "{:#?}", j.findings);
    assert!(check_passed(&j, "pci_baseline"));
}

#[test]
fn pci_plans_missing_a_firewall_and_logging_are_vetoed() {
    let mut resources = pci_resources();
    resources.retain(|r| r.kind != "aws_wafv2_web_acl" && r.kind != "aws_flow_log");
    let mut p = plan(Environment::Production, resources);
    let j = judge_with("payments", &pci_intent(), &AuditContext::default(), &mut p);
    let f = of(&j, "pci_baseline");
    assert_eq!(f.len(), 1);
    assert!(
        f[0].message.contains("web application firewall"),
        "{}",
        f[0].message
    );
    assert!(f[0].message.contains("logging"), "{}", f[0].message);
    assert!(!f[0].message.contains("KMS"), "{}", f[0].message);
}

#[test]
fn a_firewall_without_rules_and_logs_of_rejected_traffic_only_do_not_count() {
    let mut resources = pci_resources();
    for r in &mut resources {
        match r.kind.as_str() {
            "aws_wafv2_web_acl" => {
                r.values.insert("rule".into(), json!([]));
            }
            "aws_flow_log" => {
                r.values.insert("traffic_type".into(), json!("REJECT"));
            }
            _ => {}
        }
    }
    let mut p = plan(Environment::Production, resources);
    let j = judge_with("payments", &pci_intent(), &AuditContext::default(), &mut p);
    let f = of(&j, "pci_baseline");
    assert_eq!(f.len(), 1, "{:#?}", j.findings);
    assert_eq!(
        f[0].message,
        "The plan handles card payments in the PCI segment but lacks network and API logging (VPC flow logs of all traffic, or CloudTrail) and a web application firewall with rules in front of the application."
    );
}

#[test]
fn a_pci_request_cannot_escape_the_baseline_by_dropping_the_segment_tag() {
    let mut resources = pci_resources();
    resources[0].values.remove("tags");
    let mut p = plan(Environment::Production, resources);
    let j = judge_with("payments", &pci_intent(), &AuditContext::default(), &mut p);
    let f = of(&j, "pci_baseline");
    assert_eq!(f.len(), 1);
    assert!(
        f[0].message.contains("isolated network"),
        "{}",
        f[0].message
    );
}

#[test]
fn pci_baseline_does_not_apply_to_other_plans() {
    let mut p = plan(Environment::Production, vec![good_db()]);
    let j = judge(Environment::Production, &mut p);
    assert!(of(&j, "pci_baseline").is_empty());
    let c = j.checks.iter().find(|c| c.rule == "pci_baseline").unwrap();
    assert!(c.passed && c.summary.contains("does not apply"), "{c:?}");
}

// gdpr_data_residency

fn gdpr_intent(region: &str) -> Intent {
    let mut i = intent(Environment::Production);
    i.compliance = vec![Compliance::Gdpr];
    i.region = region.into();
    i
}

/// The shipped guardrails with `gdpr_data_residency` told to move a plan that is not deployed.
fn gdpr_moving() -> Guardrails {
    let shipped = include_str!("../../policies/guardrails.yaml");
    let allowed = "      allowed_regions: [\"eu-*\"]\n";
    assert!(shipped.contains(allowed));
    let text = shipped.replacen(
        allowed,
        &format!("{allowed}      fix: {{region: eu-central-1}}\n"),
        1,
    );
    Guardrails::parse("guardrails.yaml", &text).unwrap()
}

#[test]
fn gdpr_data_outside_the_eu_is_vetoed_with_the_way_out() {
    let mut db = good_db();
    db.values
        .insert("availability_zone".into(), json!("us-east-1a"));
    let mut p = plan(Environment::Production, vec![db]);
    let before = p.clone();
    let j = judge_with(
        "EU customers",
        &gdpr_intent("us-east-1"),
        &AuditContext::default(),
        &mut p,
    );
    let f = of(&j, "gdpr_data_residency");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].outcome, Outcome::Veto);
    assert_eq!(f[0].level, Level::Blocking);
    assert_eq!(
        f[0].message,
        "The data must stay in eu-*, but the plan puts it in us-east-1."
    );
    assert_eq!(
        f[0].suggestion.as_deref(),
        Some("Plan it in an allowed region (eu-*).")
    );
    assert_eq!(p, before, "a veto changes nothing");
    assert_eq!(Verdict::decide(&j.findings), Decision::Vetoed);
}

#[test]
fn gdpr_data_outside_the_eu_is_moved_before_deployment_when_the_policy_says_so() {
    let mut db = good_db();
    db.values
        .insert("availability_zone".into(), json!("us-east-1a"));
    let mut p = plan(Environment::Production, vec![db]);
    let j = judge_under(
        &gdpr_moving(),
        "EU customers",
        &gdpr_intent("eu-west-1"),
        &AuditContext::default(),
        &mut p,
    );
    let f = of(&j, "gdpr_data_residency");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].outcome, Outcome::Fixed);
    assert_eq!(f[0].level, Level::Blocking);
    assert_eq!(
        p.region, "eu-west-1",
        "the request's own EU region is preferred"
    );
    assert_eq!(
        p.resources[0].str_value("availability_zone"),
        Some("eu-west-1a")
    );
    assert_eq!(Verdict::decide(&j.findings), Decision::AutoFixed);
}

#[test]
fn gdpr_fix_uses_the_policy_region_when_the_request_named_none_in_the_eu() {
    let mut p = plan(Environment::Production, vec![good_db()]);
    let j = judge_under(
        &gdpr_moving(),
        "EU customers",
        &gdpr_intent("us-east-1"),
        &AuditContext::default(),
        &mut p,
    );
    assert_eq!(of(&j, "gdpr_data_residency")[0].outcome, Outcome::Fixed);
    assert_eq!(p.region, "eu-central-1");
}

#[test]
fn gdpr_data_outside_the_eu_is_vetoed_once_deployed() {
    let mut p = plan(Environment::Production, vec![good_db()]);
    let ctx = AuditContext {
        deployed: true,
        ..AuditContext::default()
    };
    let j = judge_with("EU customers", &gdpr_intent("eu-west-1"), &ctx, &mut p);
    let f = of(&j, "gdpr_data_residency");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].outcome, Outcome::Veto);
    assert!(f[0].message.contains("us-east-1"), "{}", f[0].message);
    assert_eq!(p.region, "us-east-1");
}

#[test]
fn gdpr_data_in_the_eu_passes_and_other_data_is_not_pinned() {
    let mut p = plan(Environment::Production, vec![good_db()]);
    p.region = "eu-central-1".into();
    let j = judge_with(
        "EU customers",
        &gdpr_intent("eu-central-1"),
        &AuditContext::default(),
        &mut p,
    );
    assert!(of(&j, "gdpr_data_residency").is_empty());
    let mut p = plan(Environment::Production, vec![good_db()]);
    let j = judge(Environment::Production, &mut p);
    assert!(of(&j, "gdpr_data_residency").is_empty());
}

#[test]
fn eu_personal_data_counts_as_gdpr() {
    let mut i = intent(Environment::Production);
    i.details.eu_personal_data = true;
    let mut p = plan(Environment::Production, vec![good_db()]);
    let j = judge_with(
        "customer data of EU citizens",
        &i,
        &AuditContext::default(),
        &mut p,
    );
    assert_eq!(of(&j, "gdpr_data_residency").len(), 1);
}

// monthly limits

fn costing(total: f64) -> Plan {
    let mut p = plan(Environment::Production, vec![good_db()]);
    p.resources[0].monthly_cost_usd = total;
    p.estimated_monthly_cost_usd = total;
    p
}

#[test]
fn cost_below_1000_is_silent() {
    let mut p = costing(999.0);
    let j = judge(Environment::Production, &mut p);
    assert!(j.findings.is_empty(), "{:#?}", j.findings);
}

#[test]
fn cost_above_1000_warns() {
    let mut p = costing(1500.0);
    let j = judge(Environment::Production, &mut p);
    let f = of(&j, "monthly_limit_1000");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].outcome, Outcome::Warn);
    assert!(f[0].message.contains("$1,500"), "{}", f[0].message);
    assert_eq!(Verdict::decide(&j.findings), Decision::ApprovedWithWarnings);
    assert!(j.approvers.is_empty());
}

#[test]
fn cost_above_5000_escalates_to_the_finance_manager_alone() {
    let mut p = costing(7000.0);
    let j = judge(Environment::Production, &mut p);
    assert_eq!(of(&j, "monthly_limit_5000").len(), 1);
    assert!(of(&j, "monthly_limit_1000").is_empty(), "superseded");
    assert_eq!(j.approvers, ["finance_manager"]);
    assert_eq!(Verdict::decide(&j.findings), Decision::Escalated);
    let c = j
        .checks
        .iter()
        .find(|c| c.rule == "monthly_limit_1000")
        .unwrap();
    assert!(
        !c.passed && c.summary.contains("superseded by monthly_limit_5000"),
        "{c:?}"
    );
}

#[test]
fn cost_above_10000_escalates_to_the_cfo_alone() {
    let mut p = costing(20000.0);
    let j = judge(Environment::Production, &mut p);
    assert_eq!(of(&j, "monthly_limit_10000").len(), 1);
    assert!(of(&j, "monthly_limit_5000").is_empty());
    assert_eq!(j.approvers, ["cfo"]);
    assert!(of(&j, "monthly_limit_10000")[0].message.contains("$20,000"));
}

#[test]
fn thresholds_are_strictly_above() {
    let mut p = costing(5000.0);
    let j = judge(Environment::Production, &mut p);
    assert!(of(&j, "monthly_limit_5000").is_empty());
    assert_eq!(of(&j, "monthly_limit_1000").len(), 1);
}

// production_change_ticket

fn prod_update() -> Plan {
    let mut db = good_db();
    db.action = ResourceAction::Update;
    db.values
        .insert("instance_class".into(), json!("db.r5.xlarge"));
    plan(Environment::Production, vec![db])
}

#[test]
fn production_changes_without_a_ticket_escalate_to_the_change_manager() {
    let mut p = prod_update();
    let j = judge_with(
        "resize the billing database",
        &intent(Environment::Production),
        &AuditContext::default(),
        &mut p,
    );
    let f = of(&j, "production_change_ticket");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].outcome, Outcome::Escalate);
    assert_eq!(f[0].resource.as_deref(), Some("aws_db_instance.main"));
    assert_eq!(j.approvers, ["change_manager"]);
}

#[test]
fn a_ticket_in_the_request_or_the_context_satisfies_it() {
    let mut p = prod_update();
    let j = judge_with(
        "resize billing db, chg-4711",
        &intent(Environment::Production),
        &AuditContext::default(),
        &mut p,
    );
    assert!(of(&j, "production_change_ticket").is_empty());
    let ctx = AuditContext {
        change_ticket: Some("CHG-1234".into()),
        ..AuditContext::default()
    };
    let mut p = prod_update();
    let j = judge_with(
        "resize billing db",
        &intent(Environment::Production),
        &ctx,
        &mut p,
    );
    assert!(of(&j, "production_change_ticket").is_empty());
    let ctx = AuditContext {
        change_ticket: Some("see jira".into()),
        ..AuditContext::default()
    };
    let mut p = prod_update();
    let j = judge_with(
        "resize billing db",
        &intent(Environment::Production),
        &ctx,
        &mut p,
    );
    assert_eq!(of(&j, "production_change_ticket").len(), 1);
}

#[test]
fn non_production_changes_and_creates_need_no_ticket() {
    let mut p = prod_update();
    p.environment = Environment::Staging;
    let j = judge(Environment::Staging, &mut p);
    assert!(of(&j, "production_change_ticket").is_empty());
    let mut p = plan(Environment::Production, vec![good_db()]);
    let j = judge(Environment::Production, &mut p);
    assert!(of(&j, "production_change_ticket").is_empty());
}

// deletion_confirmation

fn deletion(env: Environment) -> Plan {
    let mut db = good_db();
    db.action = ResourceAction::Delete;
    plan(env, vec![db])
}

#[test]
fn deletions_wait_for_the_requester() {
    let mut p = deletion(Environment::Development);
    let j = judge(Environment::Development, &mut p);
    let f = of(&j, "deletion_confirmation");
    assert_eq!(f.len(), 1);
    assert_eq!(j.approvers, ["requester"]);
    assert!(
        f[0].message.contains("delete aws_db_instance.main"),
        "{}",
        f[0].message
    );
}

#[test]
fn confirmed_deletions_pass() {
    let mut p = deletion(Environment::Development);
    let ctx = AuditContext {
        confirmed_deletion: true,
        ..AuditContext::default()
    };
    let j = judge_with("delete it", &intent(Environment::Development), &ctx, &mut p);
    assert!(of(&j, "deletion_confirmation").is_empty());
    assert!(j.findings.is_empty(), "{:#?}", j.findings);
}

#[test]
fn production_deletions_need_both_ticket_and_confirmation() {
    let mut p = deletion(Environment::Production);
    let j = judge(Environment::Production, &mut p);
    assert_eq!(j.approvers, ["change_manager", "requester"]);
}

#[test]
fn deleted_resources_are_not_fixed() {
    let mut p = deletion(Environment::Production);
    p.resources[0].values.remove("storage_encrypted");
    let j = judge(Environment::Production, &mut p);
    assert!(of(&j, "encryption_at_rest").is_empty());
    assert!(p.resources[0].value("storage_encrypted").is_none());
}

// Precedence: every pair of decisions, from real findings.

fn finding_plan(kind: &str) -> Vec<paved_core::Resource> {
    match kind {
        "veto" => {
            let mut db = good_db();
            db.name = "public".into();
            db.address = "aws_db_instance.public".into();
            db.values.insert("publicly_accessible".into(), json!(true));
            vec![db]
        }
        "fix" => {
            let mut db = good_db();
            db.name = "plain".into();
            db.address = "aws_db_instance.plain".into();
            db.values.remove("storage_encrypted");
            vec![db]
        }
        "escalate" => {
            let mut db = good_db();
            db.name = "old".into();
            db.address = "aws_db_instance.old".into();
            db.action = ResourceAction::Delete;
            vec![db]
        }
        _ => Vec::new(),
    }
}

fn decision_of(kinds: &[&str]) -> (Decision, Judgement) {
    let mut resources = Vec::new();
    for k in kinds {
        resources.extend(finding_plan(k));
    }
    let mut p = plan(Environment::Development, resources);
    if kinds.contains(&"warn") {
        p.estimated_monthly_cost_usd = 1500.0;
    }
    let j = judge(Environment::Development, &mut p);
    (Verdict::decide(&j.findings), j)
}

#[test]
fn each_finding_alone_gives_its_decision() {
    assert_eq!(decision_of(&[]).0, Decision::Approved);
    assert_eq!(decision_of(&["warn"]).0, Decision::ApprovedWithWarnings);
    assert_eq!(decision_of(&["fix"]).0, Decision::AutoFixed);
    assert_eq!(decision_of(&["escalate"]).0, Decision::Escalated);
    assert_eq!(decision_of(&["veto"]).0, Decision::Vetoed);
}

#[test]
fn precedence_of_every_pair() {
    let order = [
        ("warn", Decision::ApprovedWithWarnings),
        ("fix", Decision::AutoFixed),
        ("escalate", Decision::Escalated),
        ("veto", Decision::Vetoed),
    ];
    for (i, (a, da)) in order.iter().enumerate() {
        // Against plain approval: the finding wins.
        assert_eq!(decision_of(&[a]).0, *da);
        for (b, db) in &order[i + 1..] {
            let (d, j) = decision_of(&[a, b]);
            assert_eq!(d, *db, "{a} + {b}: {:#?}", j.findings);
            assert!(db > da);
            // Both findings are reported, whatever wins.
            let outcomes: Vec<Outcome> = j.findings.iter().map(|f| f.outcome).collect();
            assert_eq!(outcomes.len(), 2, "{a} + {b}: {outcomes:?}");
        }
    }
}

// Change plans and the inventory.

#[test]
fn a_pci_change_plan_is_judged_on_what_exists_plus_what_it_changes() {
    let g = Guardrails::shipped();
    let mut i = pci_intent();
    i.action = paved_core::Action::Modify;
    let ctx = AuditContext::default();
    let mut db = good_db();
    db.action = ResourceAction::Update;
    let change = plan(Environment::Production, vec![db]);

    // Without an inventory, the change is judged on what it changes: nothing required is removed.
    let mut p = change.clone();
    let j = evaluate(
        g.policy(),
        &mut p,
        &Facts::new("make it PCI, CHG-1", &i, &ctx),
        &|_| {},
    );
    assert!(of(&j, "pci_baseline").is_empty(), "{:#?}", j.findings);

    // With an inventory that lacks flow logs, the missing logging is found.
    let mut inventory = pci_resources();
    inventory.retain(|r| r.kind != "aws_flow_log");
    let mut p = change.clone();
    let facts = Facts::new("make it PCI, CHG-1", &i, &ctx).with_inventory(&inventory);
    let j = evaluate(g.policy(), &mut p, &facts, &|_| {});
    let f = of(&j, "pci_baseline");
    assert_eq!(f.len(), 1, "{:#?}", j.findings);
    assert!(f[0].message.contains("logging"), "{}", f[0].message);

    // A change plan that deletes the flow logs removes the baseline.
    let mut p = change.clone();
    p.resources.push(res_action(
        "aws_flow_log",
        "vpc",
        ResourceAction::Delete,
        json!({}),
    ));
    let j = evaluate(
        g.policy(),
        &mut p,
        &Facts::new("make it PCI, CHG-1", &i, &ctx),
        &|_| {},
    );
    assert_eq!(of(&j, "pci_baseline").len(), 1, "{:#?}", j.findings);
}
