//! Facts the audit derives from a plan and its own reading of the request: a resource's
//! environment, the plan's segments and compliance, references between resources, and whether a
//! resource belongs to a named service.

use std::collections::BTreeSet;

use paved_core::guardrail::{GuardrailPolicy, Scope};
use paved_core::{Compliance, Environment, Intent, Plan, Resource, ResourceAction};
use serde_json::Value;

use crate::AuditContext;

/// What the audit knows about the request and the circumstances, for judging one plan.
pub struct Facts<'a> {
    pub request: &'a str,
    /// The audit's own reading of the request.
    pub intent: &'a Intent,
    pub ctx: &'a AuditContext,
    /// Compliance regimes the request falls under; EU personal data counts as GDPR.
    pub compliance: BTreeSet<Compliance>,
    /// Resources that already exist, when known.
    pub inventory: &'a [Resource],
}

impl<'a> Facts<'a> {
    pub fn new(request: &'a str, intent: &'a Intent, ctx: &'a AuditContext) -> Facts<'a> {
        let mut compliance: BTreeSet<Compliance> = intent.compliance.iter().copied().collect();
        if intent.details.eu_personal_data {
            compliance.insert(Compliance::Gdpr);
        }
        Facts {
            request,
            intent,
            ctx,
            compliance,
            inventory: &[],
        }
    }

    /// The same facts, knowing what already exists.
    pub fn with_inventory(mut self, inventory: &'a [Resource]) -> Facts<'a> {
        self.inventory = inventory;
        self
    }

    /// The segments the plan is in: those its resources declare with a `segment` tag, and those
    /// the policy's segment rules give the request by the audit's reading. A plan cannot leave the
    /// PCI segment by forgetting the tag.
    pub fn segments(&self, plan: &Plan, policy: &GuardrailPolicy) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        for r in &plan.resources {
            for key in ["paved:segment", "segment", "Segment"] {
                if let Some(s) = r
                    .value("tags")
                    .and_then(|t| t.get(key))
                    .and_then(Value::as_str)
                {
                    out.insert(s.to_string());
                }
            }
        }
        for (name, rule) in &policy.segments {
            let env_ok = rule.environments.is_empty()
                || rule.environments.contains(&plan.environment)
                || rule.environments.contains(&self.intent.environment);
            let comp_ok = rule.compliance.is_empty()
                || rule.compliance.iter().any(|c| self.compliance.contains(c));
            if env_ok && comp_ok {
                out.insert(name.clone());
            }
        }
        out
    }

    /// True when the plan-wide gates of a scope (segments, compliance) hold.
    pub fn plan_gates(&self, scope: &Scope, segments: &BTreeSet<String>) -> bool {
        (scope.segments.is_empty() || scope.segments.iter().any(|s| segments.contains(s)))
            && (scope.compliance.is_empty()
                || scope.compliance.iter().any(|c| self.compliance.contains(c)))
    }
}

/// A resource's environment: its `environment` tag when it has one, else the plan's.
pub fn resource_environment(r: &Resource, plan: &Plan) -> Environment {
    declared_environment(r).unwrap_or(plan.environment)
}

/// The environment a resource declares by tag, if any.
pub fn declared_environment(r: &Resource) -> Option<Environment> {
    let tags = r.value("tags")?;
    ["environment", "Environment", "env", "Env", "stage", "Stage"]
        .iter()
        .filter_map(|k| tags.get(*k).and_then(Value::as_str))
        .find_map(parse_environment)
}

/// Reads an environment word (`prod`, `live`, `uat`, `sandbox`, ...).
pub fn parse_environment(s: &str) -> Option<Environment> {
    match s.trim().to_ascii_lowercase().as_str() {
        "production" | "prod" | "prd" | "live" => Some(Environment::Production),
        "staging" | "stage" | "stg" | "qa" | "uat" | "test" | "testing" | "preprod" => {
            Some(Environment::Staging)
        }
        "development" | "dev" | "sandbox" | "nonprod" | "non-prod" => {
            Some(Environment::Development)
        }
        _ => None,
    }
}

/// How much harm a change there can do: production over staging over development.
pub fn sensitivity(e: Environment) -> u8 {
    match e {
        Environment::Production => 2,
        Environment::Staging => 1,
        Environment::Development => 0,
    }
}

/// Environments that identifiers (`identifier`, `bucket`, `Name` tag, ...) point at: a database
/// called `payments-prod-db` in a development plan points at production.
pub fn named_environments(r: &Resource) -> BTreeSet<Environment> {
    let mut out = BTreeSet::new();
    let mut names: Vec<&str> = Vec::new();
    for key in [
        "identifier",
        "cluster_identifier",
        "bucket",
        "function_name",
        "replication_group_id",
        "cluster_id",
        "name",
        "db_name",
    ] {
        if let Some(s) = r.str_value(key) {
            names.push(s);
        }
    }
    if let Some(s) = r
        .value("tags")
        .and_then(|t| t.get("Name"))
        .and_then(Value::as_str)
    {
        names.push(s);
    }
    for n in names {
        for token in n.split(|c: char| !c.is_ascii_alphanumeric()) {
            // Only whole words that unambiguously name an environment count here; `test` or
            // `live` inside a name is too often something else.
            match token.to_ascii_lowercase().as_str() {
                "prod" | "production" | "prd" => {
                    out.insert(Environment::Production);
                }
                "staging" | "stg" => {
                    out.insert(Environment::Staging);
                }
                "dev" | "development" => {
                    out.insert(Environment::Development);
                }
                _ => {}
            }
        }
    }
    out
}

/// Every string inside a JSON value.
pub fn strings(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Array(items) => items.iter().for_each(|i| strings(i, out)),
        Value::Object(m) => m.values().for_each(|i| strings(i, out)),
        _ => {}
    }
}

/// True when `text` mentions `address` as a whole reference (`aws_security_group.web` in
/// `${aws_security_group.web.id}`, not in `aws_security_group.web2`).
pub fn mentions_address(text: &str, address: &str) -> bool {
    let mut from = 0;
    while let Some(pos) = text[from..].find(address) {
        let start = from + pos;
        let end = start + address.len();
        let before_ok = start == 0
            || !text[..start]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_');
        let after_ok = !text[end..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if before_ok && after_ok {
            return true;
        }
        from = end;
    }
    false
}

/// True when some string inside a JSON value satisfies `f` (without collecting them).
pub fn any_string(v: &Value, f: &mut dyn FnMut(&str) -> bool) -> bool {
    match v {
        Value::String(s) => f(s),
        Value::Array(items) => items.iter().any(|i| any_string(i, f)),
        Value::Object(m) => m.values().any(|i| any_string(i, f)),
        _ => false,
    }
}

/// True when `from`'s attributes refer to `to`: by address (`aws_security_group.web.id`), or by
/// the name or id `to` carries.
pub fn refers_to(from: &Resource, to: &Resource) -> bool {
    let own: Vec<&str> = ["name", "id", "arn"]
        .iter()
        .filter_map(|k| to.str_value(k))
        .filter(|s| s.len() >= 3)
        .collect();
    from.values.values().any(|v| {
        any_string(v, &mut |t| {
            mentions_address(t, &to.address) || own.contains(&t)
        })
    })
}

/// Normalises a name for comparison: lower case, `_` and spaces as `-`.
pub fn normalise_name(s: &str) -> String {
    s.trim()
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c == '_' || c == ' ' { '-' } else { c })
        .collect()
}

/// True when the resource belongs to one of the named services or requests: its address, name,
/// identifiers or tags carry the name.
pub fn belongs_to(r: &Resource, names: &[String]) -> bool {
    if names.is_empty() {
        return false;
    }
    let mut texts = vec![r.name.clone()];
    for v in r.values.values() {
        strings(v, &mut texts);
    }
    let texts: Vec<String> = texts.iter().map(|t| normalise_name(t)).collect();
    names
        .iter()
        .map(|n| normalise_name(n))
        .filter(|n| !n.is_empty())
        .any(|n| texts.iter().any(|t| t.contains(&n)))
}

/// The names a non-create request acts on: its service and any request ids.
pub fn named_targets(intent: &Intent) -> Vec<String> {
    let mut out: Vec<String> = intent.service.iter().cloned().collect();
    out.extend(intent.details.request_ids.iter().cloned());
    out.sort();
    out.dedup();
    out
}

/// True when a resource still exists after the plan (deleted resources are not judged for their
/// attributes).
pub fn survives(r: &Resource) -> bool {
    r.action != ResourceAction::Delete
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    use crate::test_support::res;

    #[test]
    fn addresses_match_whole_references_only() {
        assert!(mentions_address(
            "${aws_security_group.web.id}",
            "aws_security_group.web"
        ));
        assert!(mentions_address(
            "aws_security_group.web",
            "aws_security_group.web"
        ));
        assert!(!mentions_address(
            "aws_security_group.web2.id",
            "aws_security_group.web"
        ));
        assert!(!mentions_address(
            "xaws_security_group.web",
            "aws_security_group.web"
        ));
    }

    #[test]
    fn references_by_address_or_name() {
        let sg = res("aws_security_group", "alb", json!({"name": "shop-alb-sg"}));
        let lb1 = res(
            "aws_lb",
            "a",
            json!({"security_groups": ["aws_security_group.alb.id"]}),
        );
        let lb2 = res("aws_lb", "b", json!({"security_groups": ["shop-alb-sg"]}));
        let lb3 = res("aws_lb", "c", json!({"security_groups": ["sg-123"]}));
        assert!(refers_to(&lb1, &sg));
        assert!(refers_to(&lb2, &sg));
        assert!(!refers_to(&lb3, &sg));
    }

    #[test]
    fn environments_from_tags_and_names() {
        let plan = Plan {
            golden_path: None,
            golden_path_version: "1".into(),
            environment: Environment::Development,
            region: "us-east-1".into(),
            resources: vec![],
            estimated_monthly_cost_usd: 0.0,
        };
        let tagged = res(
            "aws_db_instance",
            "x",
            json!({"tags": {"Environment": "prod"}}),
        );
        let plain = res(
            "aws_db_instance",
            "y",
            json!({"identifier": "payments-prod-db"}),
        );
        assert_eq!(
            resource_environment(&tagged, &plan),
            Environment::Production
        );
        assert_eq!(
            resource_environment(&plain, &plan),
            Environment::Development
        );
        assert!(named_environments(&plain).contains(&Environment::Production));
        assert!(named_environments(&tagged).is_empty());
    }

    #[test]
    fn belonging_to_a_service() {
        let r = res("aws_db_instance", "billing_db", json!({}));
        assert!(belongs_to(&r, &["billing-db".into()]));
        assert!(!belongs_to(&r, &["checkout".into()]));
        assert!(!belongs_to(&r, &[]));
    }
}
