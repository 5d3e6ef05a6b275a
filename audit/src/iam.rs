//! IAM: administrator access without multi-factor authentication, and roles anyone can assume.
//!
//! Administrator access is the managed `AdministratorAccess` policy, or a policy statement that
//! allows on every resource (`*`, `arn:aws:*:*:*:*`) every action (`*` or `*:*`, alone or in a
//! list), every IAM action (`iam:*`: the holder can grant itself anything), or everything but a
//! few actions (`NotAction`). It is acceptable only behind an MFA condition: on the statement
//! itself, or, for a role, in the role's trust policy (nobody can assume the role without MFA).
//!
//! A role is open when its trust policy lets everyone (`Principal: "*"` or `{"AWS": "*"}`) assume
//! it without a condition that narrows who (an organisation, account, source or VPC).

use paved_core::{Plan, Resource};
use serde_json::Value;

use crate::facts::{refers_to, survives};

/// Why a resource grants administrator access without MFA, or `None` when it does not.
pub fn admin_without_mfa(plan: &Plan, r: &Resource) -> Option<String> {
    if !survives(r) || !r.kind.starts_with("aws_iam_") {
        return None;
    }
    // Managed policy attachments: aws_iam_{user,role,group}_policy_attachment,
    // aws_iam_policy_attachment, and a role's managed_policy_arns.
    let mut arns: Vec<&str> = r.str_value("policy_arn").into_iter().collect();
    if let Some(Value::Array(items)) = r.value("managed_policy_arns") {
        arns.extend(items.iter().filter_map(Value::as_str));
    }
    if arns.iter().any(|a| is_admin_arn(a)) {
        if let Some(role) = attached_role(plan, r)
            && trust_requires_mfa(role)
        {
            return None;
        }
        return Some(format!(
            "{} grants AdministratorAccess without requiring MFA",
            r.address
        ));
    }
    // Inline or standalone policy documents.
    let mut docs: Vec<&Value> = r.value("policy").into_iter().collect();
    if let Some(Value::Array(blocks)) = r.value("inline_policy") {
        docs.extend(blocks.iter().filter_map(|b| b.get("policy")));
    }
    for doc in docs {
        let Some(doc) = parse_document(doc) else {
            continue;
        };
        let found = statements(&doc)
            .iter()
            .filter(|s| !has_mfa_condition(s))
            .find_map(admin_grant);
        if let Some(grant) = found {
            // A role's admin policy is acceptable when nobody can assume the role without MFA.
            if attached_role(plan, r).is_some_and(trust_requires_mfa) {
                continue;
            }
            return Some(format!(
                "{} allows {grant} without requiring MFA",
                r.address
            ));
        }
    }
    None
}

/// Why a role can be assumed by anyone, or `None` when its trust policy names who may.
pub fn open_role_trust(r: &Resource) -> Option<String> {
    if !survives(r) || r.kind != "aws_iam_role" {
        return None;
    }
    let doc = r.value("assume_role_policy").and_then(parse_document)?;
    let open = statements(&doc).into_iter().find(|s| {
        is_allow(s)
            && allows_everyone(s)
            && as_list(s.get("Action"))
                .iter()
                .chain(&as_list(s.get("NotAction")))
                .any(|a| {
                    let a = a.to_ascii_lowercase();
                    a == "*" || a.starts_with("sts:")
                })
            && !restricts_principal(s)
    })?;
    let principal = principal_shown(&open);
    Some(format!(
        "its trust policy lets anyone in any AWS account assume it ({principal}), with no \
         condition narrowing who"
    ))
}

/// Who a statement lets in, as written: `Principal {"AWS":"*"}` or `NotPrincipal`.
fn principal_shown(statement: &Value) -> String {
    if statement.get("NotPrincipal").is_some() {
        "NotPrincipal".to_string()
    } else {
        format!(
            "Principal {}",
            statement
                .get("Principal")
                .map(|p| p.to_string())
                .unwrap_or_default()
        )
    }
}

/// Why a resource policy (KMS key, SNS topic, SQS queue, ECR repository, Secrets Manager secret,
/// ...), a Lambda permission or a snapshot or image share lets anyone in any AWS account use the
/// resource, or `None`. A policy statement is open when it allows everyone (`Principal: "*"`,
/// `{"AWS": "*"}`, `NotPrincipal`) without a condition narrowing who (the same test as a role's
/// trust); a Lambda permission when its principal is `*` without `source_arn`, `source_account`
/// or `principal_org_id`; a share when it names `all`.
pub fn open_resource_policy(r: &Resource) -> Option<String> {
    if !survives(r) || r.kind.starts_with("aws_s3") || r.kind.starts_with("aws_iam_") {
        return None;
    }
    if r.kind == "aws_lambda_permission" {
        let everyone = r.str_value("principal").is_some_and(|p| p.trim() == "*");
        let narrowed = ["source_arn", "source_account", "principal_org_id"]
            .iter()
            .any(|k| {
                r.str_value(k)
                    .is_some_and(|v| !v.trim().is_empty() && v.trim() != "*")
            });
        return (everyone && !narrowed).then(|| {
            format!(
                "it grants {} to principal \"*\" with no source_arn, source_account or \
                 principal_org_id, so anyone in any AWS account can call the function",
                r.str_value("action").unwrap_or("lambda:InvokeFunction")
            )
        });
    }
    for (key, what) in [
        (
            "shared_accounts",
            "shares it with every AWS account (shared_accounts = all)",
        ),
        ("group", "makes the image public (group = all)"),
        (
            "account_id",
            "lets every AWS account create volumes from it (account_id = all)",
        ),
    ] {
        let all = match r.value(key) {
            Some(Value::String(v)) => v.trim().eq_ignore_ascii_case("all"),
            Some(Value::Array(items)) => items.iter().any(|i| {
                i.as_str()
                    .is_some_and(|v| v.trim().eq_ignore_ascii_case("all"))
            }),
            _ => false,
        };
        if all
            && (r.kind.contains("snapshot")
                || r.kind.contains("launch_permission")
                || r.kind.contains("ami"))
        {
            return Some(what.to_string());
        }
    }
    let doc = r.value("policy").and_then(parse_document)?;
    let open = statements(&doc).into_iter().find(public_allow)?;
    let mut actions = as_list(open.get("Action"));
    if actions.is_empty() && open.get("NotAction").is_some() {
        actions.push("every action but NotAction".to_string());
    }
    let principal = principal_shown(&open);
    Some(format!(
        "its policy allows {} to anyone in any AWS account ({principal}), with no condition \
         narrowing who",
        if actions.is_empty() {
            "every action".to_string()
        } else {
            actions.join(", ")
        }
    ))
}

fn is_admin_arn(arn: &str) -> bool {
    arn.rsplit('/')
        .next()
        .is_some_and(|p| p == "AdministratorAccess")
}

/// The role a role attachment or role policy belongs to, when it is in the plan.
fn attached_role<'p>(plan: &'p Plan, r: &'p Resource) -> Option<&'p Resource> {
    if r.kind == "aws_iam_role" {
        return Some(r);
    }
    plan.resources
        .iter()
        .find(|role| role.kind == "aws_iam_role" && refers_to(r, role))
}

fn trust_requires_mfa(role: &Resource) -> bool {
    role.value("assume_role_policy")
        .and_then(parse_document)
        .is_some_and(|doc| {
            let st = statements(&doc);
            !st.is_empty() && st.iter().all(has_mfa_condition)
        })
}

/// A policy document as a JSON value; Terraform carries it as a JSON string or an object.
pub fn parse_document(v: &Value) -> Option<Value> {
    match v {
        Value::String(s) => serde_json::from_str(s).ok(),
        Value::Object(_) => Some(v.clone()),
        _ => None,
    }
}

/// A document's statements, whether `Statement` is a list or a single object.
pub fn statements(doc: &Value) -> Vec<Value> {
    match doc.get("Statement") {
        Some(Value::Array(items)) => items.clone(),
        Some(obj @ Value::Object(_)) => vec![obj.clone()],
        _ => Vec::new(),
    }
}

fn as_list(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|i| i.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

fn is_allow(s: &Value) -> bool {
    s.get("Effect")
        .and_then(Value::as_str)
        .is_some_and(|e| e.trim().eq_ignore_ascii_case("allow"))
}

/// True when an ARN pattern covers every resource: `*`, or an ARN whose parts are all wildcards
/// (`arn:aws:*:*:*:*`, `arn:*:*:*:*:*/*`).
fn covers_everything(resource: &str) -> bool {
    let r = resource.trim();
    if r == "*" {
        return true;
    }
    let mut parts = r.split(':');
    if parts.next() != Some("arn") {
        return false;
    }
    let partition = parts.next().unwrap_or("");
    let rest: Vec<&str> = parts.collect();
    (partition == "*" || partition.starts_with("aws"))
        && rest.len() >= 4
        && rest.iter().all(|p| p.chars().all(|c| c == '*' || c == '/'))
}

/// True when an ARN pattern covers every IAM resource (`arn:aws:iam::*:*`), or everything.
fn covers_all_of_iam(resource: &str) -> bool {
    if covers_everything(resource) {
        return true;
    }
    let parts: Vec<&str> = resource.trim().split(':').collect();
    parts.len() >= 6
        && parts[0] == "arn"
        && parts[2].eq_ignore_ascii_case("iam")
        && parts[4..]
            .iter()
            .all(|p| p.chars().all(|c| c == '*' || c == '/'))
}

/// What administrator access an Allow statement grants (`every action on every resource`), or
/// `None`.
fn admin_grant(s: &Value) -> Option<String> {
    if !is_allow(s) {
        return None;
    }
    let resources = as_list(s.get("Resource"));
    // `NotResource` with an Allow grants everything but the few resources it lists.
    let on_all = |pred: fn(&str) -> bool| {
        s.get("NotResource").is_some() || resources.is_empty() || resources.iter().any(|r| pred(r))
    };
    let actions: Vec<String> = as_list(s.get("Action"))
        .iter()
        .map(|a| a.trim().to_ascii_lowercase())
        .collect();
    if actions.iter().any(|a| a == "*" || a == "*:*") && on_all(covers_everything) {
        return Some("every action on every resource".to_string());
    }
    if actions.iter().any(|a| a == "iam:*") && on_all(covers_all_of_iam) {
        return Some(
            "iam:* on every resource (so it can make itself an administrator)".to_string(),
        );
    }
    let not_actions = as_list(s.get("NotAction"));
    if s.get("NotAction").is_some() && on_all(covers_everything) {
        return Some(format!(
            "every action except {} on every resource (NotAction)",
            if not_actions.is_empty() {
                "none".to_string()
            } else {
                not_actions.join(", ")
            }
        ));
    }
    None
}

/// True when a statement's principal is everyone: `"*"`, `{"AWS": "*"}` (or a list holding `*`),
/// or an Allow with `NotPrincipal`.
pub fn allows_everyone(s: &Value) -> bool {
    if s.get("NotPrincipal").is_some() {
        return true;
    }
    match s.get("Principal") {
        Some(Value::String(p)) => p.trim() == "*",
        Some(Value::Object(m)) => m
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case("aws") || k.as_str() == "*")
            .any(|(_, v)| as_list(Some(v)).iter().any(|p| p.trim() == "*")),
        _ => false,
    }
}

/// True when a statement allows everyone, with no condition that narrows who may use it.
pub fn public_allow(s: &Value) -> bool {
    is_allow(s) && allows_everyone(s) && !restricts_principal(s)
}

/// Condition keys that narrow who can act (AWS's own test of whether a policy is public): the
/// caller's organisation, account or identity, or the source service, account, VPC or address.
const RESTRICTING_KEYS: [&str; 16] = [
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:principalaccount",
    "aws:principalarn",
    "aws:principalservicename",
    "aws:sourcearn",
    "aws:sourceaccount",
    "aws:sourceowner",
    "aws:sourcevpc",
    "aws:sourcevpce",
    "aws:sourceorgid",
    "aws:sourceorgpaths",
    "aws:sourceip",
    "aws:userid",
    "aws:username",
    "s3:dataaccesspointaccount",
];

/// True when the statement's condition narrows who may use it. A condition only about the
/// request (`aws:SecureTransport`, a time, MFA of whoever calls) does not; `aws:SourceIp` does
/// unless the address range is the whole internet.
fn restricts_principal(s: &Value) -> bool {
    let Some(Value::Object(cond)) = s.get("Condition") else {
        return false;
    };
    cond.iter().any(|(op, block)| {
        let Value::Object(keys) = block else {
            return false;
        };
        // `...IfExists` passes when the key is absent, so it narrows nothing.
        if op.to_ascii_lowercase().ends_with("ifexists") {
            return false;
        }
        keys.iter().any(|(k, v)| {
            let k = k.to_ascii_lowercase();
            if !RESTRICTING_KEYS.iter().any(|r| r.eq_ignore_ascii_case(&k)) {
                return false;
            }
            let values = as_list(Some(v));
            if values.iter().any(|x| x.trim() == "*") {
                return false;
            }
            k != "aws:sourceip"
                || !values
                    .iter()
                    .any(|c| paved_core::guardrail::is_world_cidr(c))
        })
    })
}

fn has_mfa_condition(s: &Value) -> bool {
    let Some(Value::Object(cond)) = s.get("Condition") else {
        return false;
    };
    cond.values().any(|block| {
        let Value::Object(keys) = block else {
            return false;
        };
        keys.iter().any(|(k, v)| {
            let k = k.to_ascii_lowercase();
            (k == "aws:multifactorauthpresent"
                && (v == &Value::Bool(true)
                    || v.as_str().is_some_and(|s| s.eq_ignore_ascii_case("true"))
                    || as_list(Some(v))
                        .iter()
                        .any(|s| s.eq_ignore_ascii_case("true"))))
                || k == "aws:multifactorauthage"
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use paved_core::Environment;
    use serde_json::json;

    use crate::test_support::res;

    fn plan(resources: Vec<Resource>) -> Plan {
        crate::test_support::plan(Environment::Production, resources)
    }

    const ADMIN: &str = "arn:aws:iam::aws:policy/AdministratorAccess";

    #[test]
    fn user_attachment_of_admin_is_found() {
        let a = res(
            "aws_iam_user_policy_attachment",
            "ops",
            json!({"user": "ops", "policy_arn": ADMIN}),
        );
        let p = plan(vec![a.clone()]);
        assert!(admin_without_mfa(&p, &a).is_some());
        let ro = res(
            "aws_iam_user_policy_attachment",
            "ro",
            json!({"user": "ops",
            "policy_arn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}),
        );
        assert!(admin_without_mfa(&p, &ro).is_none());
    }

    #[test]
    fn role_with_mfa_trust_may_hold_admin() {
        let trust = json!({"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
            "Principal": {"AWS": "arn:aws:iam::123:root"},
            "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}]})
        .to_string();
        let role = res(
            "aws_iam_role",
            "admin",
            json!({"assume_role_policy": trust}),
        );
        let att = res(
            "aws_iam_role_policy_attachment",
            "admin",
            json!({"role": "${aws_iam_role.admin.name}", "policy_arn": ADMIN}),
        );
        let p = plan(vec![role.clone(), att.clone()]);
        assert!(admin_without_mfa(&p, &att).is_none());
        let bare = res(
            "aws_iam_role",
            "admin",
            json!({"assume_role_policy": "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"sts:AssumeRole\"}]}"}),
        );
        let p2 = plan(vec![bare, att.clone()]);
        assert!(admin_without_mfa(&p2, &att).is_some());
    }

    #[test]
    fn star_star_policy_needs_mfa_condition() {
        let doc =
            json!({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}).to_string();
        let pol = res("aws_iam_policy", "god", json!({"policy": doc}));
        let p = plan(vec![pol.clone()]);
        assert!(admin_without_mfa(&p, &pol).is_some());
        let doc = json!({"Statement": [{"Effect": "Allow", "Action": "*:*", "Resource": "*",
            "Condition": {"Bool": {"aws:MultiFactorAuthPresent": true}}}]});
        let pol = res("aws_iam_policy", "god", json!({"policy": doc}));
        assert!(admin_without_mfa(&p, &pol).is_none());
        let narrow =
            json!({"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]});
        let pol = res("aws_iam_policy", "read", json!({"policy": narrow}));
        assert!(admin_without_mfa(&p, &pol).is_none());
    }

    #[test]
    fn admin_spellings_are_all_admin() {
        let p = plan(vec![]);
        for st in [
            json!({"Effect": "Allow", "Action": ["s3:*", "*"], "Resource": "arn:aws:*:*:*:*"}),
            json!({"Effect": "allow", "Action": "iam:*", "Resource": "*"}),
            json!({"Effect": "Allow", "Action": "iam:*", "Resource": "arn:aws:iam::*:*"}),
            json!({"Effect": "Allow", "NotAction": "iam:CreateUser", "Resource": "*"}),
            json!({"Effect": "Allow", "Action": "*", "NotResource": "arn:aws:s3:::x"}),
        ] {
            let pol = res(
                "aws_iam_policy",
                "p",
                json!({"policy": json!({"Statement": [st.clone()]}).to_string()}),
            );
            assert!(admin_without_mfa(&p, &pol).is_some(), "{st}");
        }
        for st in [
            json!({"Effect": "Allow", "Action": "iam:*", "Resource": "arn:aws:iam::123:role/x"}),
            json!({"Effect": "Deny", "NotAction": "iam:*", "Resource": "*"}),
            json!({"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::*"}),
        ] {
            let pol = res(
                "aws_iam_policy",
                "p",
                json!({"policy": {"Statement": [st.clone()]}}),
            );
            assert!(admin_without_mfa(&p, &pol).is_none(), "{st}");
        }
        assert!(covers_everything("arn:aws:*:*:*:*"));
        assert!(covers_everything("arn:*:*:*:*:*/*"));
        assert!(!covers_everything("arn:aws:s3:::*"));
    }

    #[test]
    fn open_resource_policies_and_shares_are_found() {
        let key = |policy: Value| res("aws_kms_key", "k", json!({"policy": policy}));
        let star = json!({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "kms:*",
            "Resource": "*"}]});
        assert!(open_resource_policy(&key(json!(star.to_string()))).is_some());
        let aws_star = json!({"Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"},
            "Action": ["SNS:Publish"], "Resource": "*"}]});
        let topic = res("aws_sns_topic", "t", json!({"policy": aws_star}));
        assert!(open_resource_policy(&topic).is_some());
        // Scoped by the source: our own topic may send to the queue.
        let scoped = json!({"Statement": [{"Effect": "Allow", "Principal": "*",
            "Action": "sqs:SendMessage", "Resource": "aws_sqs_queue.jobs.arn",
            "Condition": {"ArnEquals": {"aws:SourceArn": "aws_sns_topic.alarms.arn"}}}]});
        let q = res("aws_sqs_queue_policy", "q", json!({"policy": scoped}));
        assert!(open_resource_policy(&q).is_none());
        let service = json!({"Statement": [{"Effect": "Allow",
            "Principal": {"Service": "sns.amazonaws.com"}, "Action": "sqs:SendMessage"}]});
        let q = res("aws_sqs_queue_policy", "q", json!({"policy": service}));
        assert!(open_resource_policy(&q).is_none());
        let own = json!({"Statement": [{"Effect": "Allow",
            "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "kms:*"}]});
        assert!(open_resource_policy(&key(own)).is_none());
        let perm = |v: Value| res("aws_lambda_permission", "p", v);
        assert!(
            open_resource_policy(&perm(json!({"principal": "*", "action": "lambda:*"}))).is_some()
        );
        assert!(
            open_resource_policy(&perm(
                json!({"principal": "*", "source_account": "123456789012"})
            ))
            .is_none()
        );
        assert!(
            open_resource_policy(&perm(json!({"principal": "apigateway.amazonaws.com"}))).is_none()
        );
        let snap = res("aws_db_snapshot", "s", json!({"shared_accounts": ["all"]}));
        assert!(open_resource_policy(&snap).is_some());
        let snap = res(
            "aws_db_snapshot",
            "s",
            json!({"shared_accounts": ["123456789012"]}),
        );
        assert!(open_resource_policy(&snap).is_none());
    }

    #[test]
    fn open_trust_is_everyone_without_a_narrowing_condition() {
        let role = |trust: Value| res("aws_iam_role", "r", json!({"assume_role_policy": trust}));
        let st = |principal: Value, cond: Option<Value>| {
            let mut s =
                json!({"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"});
            if let Some(c) = cond {
                s["Condition"] = c;
            }
            json!({"Statement": [s]})
        };
        assert!(open_role_trust(&role(st(json!("*"), None))).is_some());
        assert!(open_role_trust(&role(json!(st(json!({"AWS": "*"}), None).to_string()))).is_some());
        // A condition about the request, not the caller, narrows nothing.
        let tls = json!({"Bool": {"aws:SecureTransport": "true"}});
        assert!(open_role_trust(&role(st(json!("*"), Some(tls)))).is_some());
        let world_ip = json!({"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}});
        assert!(open_role_trust(&role(st(json!("*"), Some(world_ip)))).is_some());
        let org = json!({"StringEquals": {"aws:PrincipalOrgID": "o-1"}});
        assert!(open_role_trust(&role(st(json!("*"), Some(org)))).is_none());
        let service = st(json!({"Service": "ecs-tasks.amazonaws.com"}), None);
        assert!(open_role_trust(&role(service)).is_none());
        let account = st(json!({"AWS": "arn:aws:iam::123456789012:root"}), None);
        assert!(open_role_trust(&role(account)).is_none());
    }
}
