//! Administrator access without multi-factor authentication.
//!
//! Administrator access is the managed `AdministratorAccess` policy, or a policy statement that
//! allows every action (`*` or `*:*`) on every resource. It is acceptable only behind an MFA
//! condition: on the statement itself, or, for a role, in the role's trust policy (nobody can
//! assume the role without MFA).

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
        if statements(&doc)
            .iter()
            .any(|s| is_admin_statement(s) && !has_mfa_condition(s))
        {
            // A role's admin policy is acceptable when nobody can assume the role without MFA.
            if attached_role(plan, r).is_some_and(trust_requires_mfa) {
                continue;
            }
            return Some(format!(
                "{} allows every action on every resource without requiring MFA",
                r.address
            ));
        }
    }
    None
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
fn parse_document(v: &Value) -> Option<Value> {
    match v {
        Value::String(s) => serde_json::from_str(s).ok(),
        Value::Object(_) => Some(v.clone()),
        _ => None,
    }
}

fn statements(doc: &Value) -> Vec<Value> {
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

fn is_admin_statement(s: &Value) -> bool {
    let allow = s
        .get("Effect")
        .and_then(Value::as_str)
        .is_some_and(|e| e.eq_ignore_ascii_case("allow"));
    let actions = as_list(s.get("Action"));
    let resources = as_list(s.get("Resource"));
    allow
        && actions.iter().any(|a| a == "*" || a == "*:*")
        && (resources.is_empty() || resources.iter().any(|r| r == "*"))
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
}
