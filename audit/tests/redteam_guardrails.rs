//! The red team's guardrail misses and false positives, one test per kind of plan: paved's own
//! plan for a request, changed the way the red team changed it, judged by the audit. Each test
//! asserts the decision and the rule and sentence of the finding.
//!
//! Plans that add a resource the golden path does not have (a separate ACL or encryption
//! resource, separate ingress rules) are judged by the guardrails alone, so the intent check's
//! scope veto does not hide what the guardrails decide.

mod common;

use common::*;
use paved_audit::engine::evaluate;
use paved_audit::facts::Facts;
use paved_audit::AuditContext;
use paved_core::{Decision, Finding, Outcome, Plan, ResourceAction, Verdict};
use serde_json::{Value, json};

/// The guardrails alone on a plan: their findings, the decision they make, and the plan as fixed.
fn guardrails_only(request: &str, plan: &Plan) -> (Decision, Vec<Finding>, Plan) {
    let intent = auditor().understand(request);
    let ctx = AuditContext::default();
    let facts = Facts::new(request, &intent, &ctx);
    let mut plan = plan.clone();
    let j = evaluate(guardrails().policy(), &mut plan, &facts, &|_| {});
    (Verdict::decide(&j.findings), j.findings, plan)
}

const REPORT_JOB: &str = "a nightly report job in production that exports to S3";
const PIPELINE: &str = "a production analytics data pipeline loading logs into Athena";
const PROD_APP: &str = "a production web app with PostgreSQL";
const ML_DEV: &str = "a development machine learning training environment with GPUs";
const API: &str = "a production REST API microservice with DynamoDB";

// S3 exposure

#[test]
fn a_public_canned_acl_on_a_bucket_is_vetoed_in_any_case() {
    let mut plan = planned(REPORT_JOB);
    set(
        &mut plan,
        "aws_s3_bucket.output",
        "acl",
        json!("PUBLIC-READ"),
    );
    let v = audit(REPORT_JOB, &plan);
    assert_eq!(v.decision, Decision::Vetoed, "{:#?}", v.findings);
    let f = the_finding(
        &v.findings,
        "no_public_buckets",
        Outcome::Veto,
        "aws_s3_bucket.output",
    );
    assert_eq!(
        f.message,
        "aws_s3_bucket.output opens stored data to the public: it sets acl = public-read, so \
         anyone on the internet can list and read it."
    );
    assert!(
        f.suggestion.as_deref().unwrap_or("").contains("private"),
        "{f:#?}"
    );
}

#[test]
fn a_public_access_block_with_flags_off_is_vetoed_however_spelled() {
    let mut plan = planned(PIPELINE);
    let pab = plan
        .resources
        .iter()
        .find(|r| r.kind == "aws_s3_bucket_public_access_block")
        .map(|r| r.address.clone())
        .unwrap();
    let bucket = pab.replace("aws_s3_bucket_public_access_block", "aws_s3_bucket");
    set(&mut plan, &pab, "block_public_acls", json!("false"));
    set(&mut plan, &pab, "ignore_public_acls", json!(0));
    plan.resource_mut(&pab)
        .unwrap()
        .values
        .remove("restrict_public_buckets");
    let v = audit(PIPELINE, &plan);
    assert_eq!(v.decision, Decision::Vetoed, "{:#?}", v.findings);
    let f = the_finding(&v.findings, "no_public_buckets", Outcome::Veto, &bucket);
    assert_eq!(
        f.message,
        format!(
            "{bucket} opens stored data to the public: {pab} turns off block_public_acls, \
             ignore_public_acls, restrict_public_buckets."
        )
    );
}

#[test]
fn a_bucket_policy_for_everyone_is_vetoed_unless_a_condition_narrows_who() {
    let mut plan = planned(REPORT_JOB);
    // The legacy inline policy, as a JSON string with a single Statement object.
    let open = json!({"Version": "2012-10-17", "Statement": {"Effect": "Allow",
        "Principal": {"AWS": "*"}, "Action": "s3:*", "Resource": "arn:aws:s3:::b/*"}});
    set(
        &mut plan,
        "aws_s3_bucket.output",
        "policy",
        json!(open.to_string()),
    );
    let v = audit(REPORT_JOB, &plan);
    assert_eq!(v.decision, Decision::Vetoed, "{:#?}", v.findings);
    let f = the_finding(
        &v.findings,
        "no_public_buckets",
        Outcome::Veto,
        "aws_s3_bucket.output",
    );
    assert_eq!(
        f.message,
        "aws_s3_bucket.output opens stored data to the public: its bucket policy allows everyone \
         (Principal *) s3:* with no condition narrowing who."
    );

    // Everyone in the organisation only: not public.
    let org = json!({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::b/*",
        "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}}}]});
    set(&mut plan, "aws_s3_bucket.output", "policy", org);
    let v = audit(REPORT_JOB, &plan);
    assert!(findings_of(&v.findings, "no_public_buckets").is_empty(), "{v:#?}");
    assert_eq!(v.decision, Decision::Approved, "{:#?}", v.findings);
}

#[test]
fn a_separate_acl_resource_granting_all_users_is_vetoed_on_its_bucket() {
    let mut plan = planned(ML_DEV);
    plan.resources.push(res(
        "aws_s3_bucket_acl",
        "data_lake",
        json!({"bucket": "aws_s3_bucket.data_lake.id", "access_control_policy": [{"grant": [
            {"grantee": [{"type": "Group", "uri": "http://acs.amazonaws.com/groups/global/AllUsers"}],
             "permission": "READ"}]}]}),
    ));
    let (decision, findings, _) = guardrails_only(ML_DEV, &plan);
    assert_eq!(decision, Decision::Vetoed, "{findings:#?}");
    let f = the_finding(
        &findings,
        "no_public_buckets",
        Outcome::Veto,
        "aws_s3_bucket.data_lake",
    );
    assert_eq!(
        f.message,
        "aws_s3_bucket.data_lake opens stored data to the public: aws_s3_bucket_acl.data_lake \
         grants access to everyone on the internet in an ACL."
    );
}

#[test]
fn encryption_in_a_separate_resource_counts_for_the_bucket() {
    let mut plan = planned(REPORT_JOB);
    plan.resource_mut("aws_s3_bucket.output")
        .unwrap()
        .values
        .remove("server_side_encryption_configuration");
    plan.resources.push(res(
        "aws_s3_bucket_server_side_encryption_configuration",
        "output",
        json!({"bucket": "aws_s3_bucket.output.id", "rule": [
            {"apply_server_side_encryption_by_default": [{"sse_algorithm": "aws:kms"}],
             "bucket_key_enabled": true}]}),
    ));
    let (decision, findings, fixed) = guardrails_only(REPORT_JOB, &plan);
    assert_eq!(decision, Decision::Approved, "{findings:#?}");
    assert!(
        fixed
            .resource("aws_s3_bucket.output")
            .unwrap()
            .values
            .get("server_side_encryption_configuration")
            .is_none()
    );

    // The same resource saying NONE is no encryption: the bucket is fixed.
    plan.resources.last_mut().unwrap().values["rule"][0]["apply_server_side_encryption_by_default"]
        [0]["sse_algorithm"] = json!("NONE");
    let (decision, findings, _) = guardrails_only(REPORT_JOB, &plan);
    assert_eq!(decision, Decision::AutoFixed, "{findings:#?}");
    the_finding(
        &findings,
        "encryption_at_rest",
        Outcome::Fixed,
        "aws_s3_bucket.output",
    );
}

#[test]
fn an_sse_algorithm_of_none_is_unencrypted_and_fixed() {
    let mut plan = planned(PIPELINE);
    let bucket = plan
        .resources
        .iter()
        .find(|r| r.kind == "aws_s3_bucket")
        .map(|r| r.address.clone())
        .unwrap();
    set(
        &mut plan,
        &bucket,
        "server_side_encryption_configuration",
        json!([{"rule": [{"apply_server_side_encryption_by_default": [{"sse_algorithm": "NONE"}]}]}]),
    );
    let v = audit(PIPELINE, &plan);
    assert_eq!(v.decision, Decision::AutoFixed, "{:#?}", v.findings);
    let f = the_finding(&v.findings, "encryption_at_rest", Outcome::Fixed, &bucket);
    assert!(
        f.message.starts_with(&format!(
            "{bucket} was not encrypted at rest (server_side_encryption_configuration.rule.\
             apply_server_side_encryption_by_default.sse_algorithm: NONE); paved turned \
             encryption on"
        )),
        "{}",
        f.message
    );
    let out = v.plan.resource(&bucket).unwrap();
    assert_eq!(
        out.values["server_side_encryption_configuration"]["rule"]["apply_server_side_encryption_by_default"]
            ["sse_algorithm"],
        json!("aws:kms")
    );
}

// Loose spellings

#[test]
fn publicly_accessible_written_as_one_is_vetoed() {
    let mut plan = planned(PROD_APP);
    set(
        &mut plan,
        "aws_db_instance.main",
        "publicly_accessible",
        json!(1),
    );
    let v = audit(PROD_APP, &plan);
    assert_eq!(v.decision, Decision::Vetoed, "{:#?}", v.findings);
    let f = the_finding(
        &v.findings,
        "no_public_databases",
        Outcome::Veto,
        "aws_db_instance.main",
    );
    assert_eq!(
        f.message,
        "aws_db_instance.main is a publicly accessible database (publicly_accessible = true)."
    );
}

// Network

#[test]
fn ingress_written_as_one_object_is_read() {
    let mut plan = planned(PROD_APP);
    set(
        &mut plan,
        "aws_security_group.app",
        "ingress",
        json!({"from_port": 22, "to_port": 22, "protocol": "TCP", "cidr_blocks": ["0.0.0.0/0"]}),
    );
    let v = audit(PROD_APP, &plan);
    assert_eq!(v.decision, Decision::Vetoed, "{:#?}", v.findings);
    let f = the_finding(
        &v.findings,
        "no_world_open_ingress",
        Outcome::Veto,
        "aws_security_group.app",
    );
    assert_eq!(
        f.message,
        "aws_security_group.app opens port 22 (tcp) from 0.0.0.0/0 to the whole internet; only 80 \
         and 443 on a public load balancer may be."
    );
}

#[test]
fn alb_openings_as_separate_rule_resources_pass_like_inline_ones() {
    let mut plan = planned(PROD_APP);
    set(&mut plan, "aws_security_group.alb", "ingress", json!([]));
    for (name, port, cidr) in [
        ("https", 443, json!({"cidr_ipv4": "0.0.0.0/0"})),
        ("http", 80, json!({"cidr_ipv4": "0.0.0.0/0"})),
        ("https6", 443, json!({"cidr_ipv6": "::/0"})),
    ] {
        let mut values = json!({"security_group_id": "aws_security_group.alb.id",
            "from_port": port, "to_port": port, "ip_protocol": "tcp"});
        values
            .as_object_mut()
            .unwrap()
            .extend(cidr.as_object().unwrap().clone());
        plan.resources
            .push(res("aws_vpc_security_group_ingress_rule", name, values));
    }
    plan.resources.push(res(
        "aws_security_group_rule",
        "alb_http_legacy",
        json!({"type": "ingress", "security_group_id": "${aws_security_group.alb.id}",
            "from_port": 80, "to_port": 80, "protocol": "6", "cidr_blocks": ["0.0.0.0/0"]}),
    ));
    let (decision, findings, _) = guardrails_only(PROD_APP, &plan);
    assert!(
        findings_of(&findings, "no_world_open_ingress").is_empty(),
        "{findings:#?}"
    );
    assert_eq!(decision, Decision::Approved, "{findings:#?}");

    // The same rule resource on port 22 of the load balancer's group is refused.
    plan.resources.push(res(
        "aws_vpc_security_group_ingress_rule",
        "ssh",
        json!({"security_group_id": "aws_security_group.alb.id", "from_port": 22,
            "to_port": 22, "ip_protocol": "-1", "cidr_ipv6": "::/0"}),
    ));
    let (decision, findings, _) = guardrails_only(PROD_APP, &plan);
    assert_eq!(decision, Decision::Vetoed);
    let f = the_finding(
        &findings,
        "no_world_open_ingress",
        Outcome::Veto,
        "aws_vpc_security_group_ingress_rule.ssh",
    );
    assert!(f.message.contains("every port from ::/0"), "{}", f.message);
}

// IAM

fn with_inline_policy(plan: &mut Plan, role: &str, statement: Value) {
    let r = plan.resource_mut(role).unwrap();
    let mut blocks = r
        .values
        .get("inline_policy")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    blocks.push(
        json!({"name": "extra", "policy": {"Version": "2012-10-17", "Statement": [statement]}}),
    );
    r.values.insert("inline_policy".into(), json!(blocks));
}

#[test]
fn admin_in_all_its_spellings_needs_mfa() {
    let cases = [
        (
            json!({"Effect": "Allow", "Action": ["s3:*", "*"], "Resource": "arn:aws:*:*:*:*"}),
            "every action on every resource",
        ),
        (
            json!({"Effect": "Allow", "Action": "iam:*", "Resource": "*"}),
            "iam:* on every resource (so it can make itself an administrator)",
        ),
        (
            json!({"Effect": "Allow", "NotAction": ["iam:CreateUser"], "Resource": "*"}),
            "every action except iam:CreateUser on every resource (NotAction)",
        ),
    ];
    for (statement, grant) in cases {
        let mut plan = planned(API);
        with_inline_policy(&mut plan, "aws_iam_role.handler", statement.clone());
        let v = audit(API, &plan);
        assert_eq!(
            v.decision,
            Decision::Vetoed,
            "{statement}: {:#?}",
            v.findings
        );
        let f = the_finding(
            &v.findings,
            "mfa_for_admin",
            Outcome::Veto,
            "aws_iam_role.handler",
        );
        assert_eq!(
            f.message,
            format!("aws_iam_role.handler allows {grant} without requiring MFA.")
        );
    }
    // Narrow IAM rights stay allowed.
    let mut plan = planned(API);
    with_inline_policy(
        &mut plan,
        "aws_iam_role.handler",
        json!({"Effect": "Allow", "Action": "iam:GetRole", "Resource": "*"}),
    );
    let v = audit(API, &plan);
    assert!(findings_of(&v.findings, "mfa_for_admin").is_empty(), "{v:#?}");
}

#[test]
fn a_role_anyone_can_assume_is_vetoed() {
    for principal in [json!({"AWS": "*"}), json!("*"), json!({"AWS": ["*"]})] {
        let mut plan = planned(REPORT_JOB);
        set(
            &mut plan,
            "aws_iam_role.task",
            "assume_role_policy",
            json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
                "Principal": principal.clone(), "Action": "sts:AssumeRole"}]})
            .to_string()
            .into(),
        );
        let v = audit(REPORT_JOB, &plan);
        assert_eq!(
            v.decision,
            Decision::Vetoed,
            "{principal}: {:#?}",
            v.findings
        );
        let f = the_finding(
            &v.findings,
            "no_open_role_trust",
            Outcome::Veto,
            "aws_iam_role.task",
        );
        assert_eq!(
            f.message,
            format!(
                "aws_iam_role.task can be assumed by anyone: its trust policy lets anyone in any \
                 AWS account assume it (Principal {principal}), with no condition narrowing who."
            )
        );
    }
    // Anyone in the organisation: narrowed.
    let mut plan = planned(REPORT_JOB);
    set(
        &mut plan,
        "aws_iam_role.task",
        "assume_role_policy",
        json!({"Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}}}]}),
    );
    let v = audit(REPORT_JOB, &plan);
    assert!(findings_of(&v.findings, "no_open_role_trust").is_empty(), "{v:#?}");
}

// Encryption of instance volumes

#[test]
fn an_unencrypted_extra_volume_of_an_instance_is_fixed() {
    let mut plan = planned(ML_DEV);
    set(
        &mut plan,
        "aws_instance.training",
        "ebs_block_device",
        json!({"device_name": "/dev/sdf", "volume_size": 500, "encrypted": false}),
    );
    let v = audit(ML_DEV, &plan);
    assert_eq!(v.decision, Decision::AutoFixed, "{:#?}", v.findings);
    let f = the_finding(
        &v.findings,
        "encryption_at_rest",
        Outcome::Fixed,
        "aws_instance.training",
    );
    assert_eq!(
        f.message,
        "aws_instance.training was not encrypted at rest (ebs_block_device.encrypted: false); \
         paved turned encryption on (ebs_block_device.encrypted = true)."
    );
    let out = v.plan.resource("aws_instance.training").unwrap();
    assert_eq!(out.values["ebs_block_device"]["encrypted"], json!(true));
    assert_eq!(out.values["ebs_block_device"]["volume_size"], json!(500));
}

// Production database resilience

#[test]
fn a_production_database_without_backups_protection_or_final_snapshot_is_fixed() {
    let mut plan = planned(PROD_APP);
    set(
        &mut plan,
        "aws_db_instance.main",
        "backup_retention_period",
        json!("0"),
    );
    set(
        &mut plan,
        "aws_db_instance.main",
        "deletion_protection",
        json!(false),
    );
    set(
        &mut plan,
        "aws_db_instance.main",
        "skip_final_snapshot",
        json!("true"),
    );
    let v = audit(PROD_APP, &plan);
    assert_eq!(v.decision, Decision::AutoFixed, "{:#?}", v.findings);
    let db = "aws_db_instance.main";
    let f = the_finding(
        &v.findings,
        "production_database_backups",
        Outcome::Fixed,
        db,
    );
    assert_eq!(
        f.message,
        "aws_db_instance.main is a production database keeping automated backups for less than 7 \
         days, or none (backup_retention_period: 0; 0 turns them off); paved set \
         backup_retention_period = 7."
    );
    let f = the_finding(
        &v.findings,
        "production_deletion_protection",
        Outcome::Fixed,
        db,
    );
    assert_eq!(
        f.message,
        "aws_db_instance.main is a production database without deletion protection \
         (deletion_protection: false); paved set deletion_protection = true."
    );
    let f = the_finding(&v.findings, "production_final_snapshot", Outcome::Fixed, db);
    assert_eq!(
        f.message,
        "aws_db_instance.main would be deleted without a final snapshot in production \
         (skip_final_snapshot: true); paved set skip_final_snapshot = false."
    );
    let out = v.plan.resource(db).unwrap();
    assert_eq!(out.values["backup_retention_period"], json!(7));
    assert_eq!(out.values["deletion_protection"], json!(true));
    assert_eq!(out.values["skip_final_snapshot"], json!(false));
}

#[test]
fn paveds_own_plans_already_meet_the_new_rules() {
    for request in [
        PROD_APP,
        "a production web app with MySQL and Redis",
        "a production e-commerce site that takes card payments",
        PIPELINE,
        REPORT_JOB,
        API,
        ML_DEV,
        "a staging web app with PostgreSQL",
        "a development web app with PostgreSQL",
    ] {
        let plan = planned(request);
        let v = audit(request, &plan);
        let new_rules = [
            "no_public_buckets",
            "no_open_role_trust",
            "production_database_backups",
            "production_deletion_protection",
            "production_final_snapshot",
            "encryption_at_rest",
            "mfa_for_admin",
        ];
        let hit: Vec<&Finding> = v
            .findings
            .iter()
            .filter(|f| new_rules.contains(&f.rule.as_str()))
            .collect();
        assert!(hit.is_empty(), "{request}: {hit:#?}");
        assert!(
            matches!(
                v.decision,
                Decision::Approved | Decision::ApprovedWithWarnings
            ),
            "{request}: {:#?}",
            v.findings
        );
    }
}

// Governance

#[test]
fn replacing_a_database_waits_for_the_requesters_confirmation() {
    const UPGRADE: &str =
        "upgrade the web-app production database to PostgreSQL 16, change ticket CHG-5555";
    let mut plan = planned(PROD_APP);
    plan.resources
        .retain(|r| r.address == "aws_db_instance.main");
    plan.resources[0].action = ResourceAction::Replace;
    plan.resources[0].depends_on.clear();
    set(
        &mut plan,
        "aws_db_instance.main",
        "engine_version",
        json!("16"),
    );
    let (decision, findings, _) = guardrails_only(UPGRADE, &plan);
    assert_eq!(decision, Decision::Escalated, "{findings:#?}");
    let f = the_finding(
        &findings,
        "deletion_confirmation",
        Outcome::Escalate,
        "aws_db_instance.main",
    );
    assert_eq!(
        f.message,
        "The plan replaces resources (replace aws_db_instance.main); a replacement destroys the \
         resource, and what it holds, before creating a new one, so it waits for the requester's \
         explicit confirmation."
    );
    assert!(findings_of(&findings, "production_change_ticket").is_empty());
}
