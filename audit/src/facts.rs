//! Facts the audit derives from a plan and its own reading of the request: a resource's
//! environment, the plan's segments and compliance, references between resources, and whether a
//! resource belongs to a named service.

use std::borrow::Cow;
use std::collections::BTreeSet;

use paved_core::guardrail::{GuardrailPolicy, Scope, as_bool};
use paved_core::{Compliance, Environment, Intent, Plan, Resource, ResourceAction};
use serde_json::{Map, Value, json};

use crate::AuditContext;
use crate::iam::{parse_document, public_allow, statements};

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

/// Resources that configure an S3 bucket from outside it (provider v4 and later split the bucket's
/// settings into these).
pub const BUCKET_PARTS: [&str; 6] = [
    "aws_s3_bucket_server_side_encryption_configuration",
    "aws_s3_bucket_public_access_block",
    "aws_s3_bucket_acl",
    "aws_s3_bucket_policy",
    "aws_s3_bucket_versioning",
    "aws_s3_bucket_logging",
];

/// The four settings of a public access block.
pub const PUBLIC_ACCESS_FLAGS: [&str; 4] = [
    "block_public_acls",
    "block_public_policy",
    "ignore_public_acls",
    "restrict_public_buckets",
];

/// True when a bucket-part resource configures `bucket`: its `bucket` attribute refers to the
/// bucket's address (`aws_s3_bucket.raw.id`) or carries the bucket's name.
pub fn configures_bucket(part: &Resource, bucket: &Resource) -> bool {
    let Some(target) = part.str_value("bucket") else {
        return false;
    };
    mentions_address(target, &bucket.address)
        || bucket
            .str_value("bucket")
            .is_some_and(|name| name.trim() == target.trim())
}

/// The surviving resources of the plan that configure a bucket from outside it.
pub fn bucket_parts<'p>(plan: &'p Plan, bucket: &Resource) -> Vec<&'p Resource> {
    plan.resources
        .iter()
        .filter(|p| {
            BUCKET_PARTS.contains(&p.kind.as_str()) && survives(p) && configures_bucket(p, bucket)
        })
        .collect()
}

/// A resource's attributes as the audit judges them. A bucket's settings made by separate
/// resources (encryption, public access block, ACL, policy, versioning, logging) are folded in
/// under the bucket's own attribute names, where the bucket does not set them itself, so a rule
/// on `server_side_encryption_configuration` sees encryption however it is written.
pub fn effective_values<'p>(plan: &Plan, r: &'p Resource) -> Cow<'p, Map<String, Value>> {
    if r.kind != "aws_s3_bucket" {
        return Cow::Borrowed(&r.values);
    }
    let parts = bucket_parts(plan, r);
    if parts.is_empty() {
        return Cow::Borrowed(&r.values);
    }
    let mut values = r.values.clone();
    let mut fold = |key: &str, v: Value| {
        if values.get(key).is_none_or(Value::is_null) {
            values.insert(key.to_string(), v);
        }
    };
    for part in parts {
        match part.kind.as_str() {
            "aws_s3_bucket_server_side_encryption_configuration" => {
                if let Some(rule) = part.value("rule") {
                    fold(
                        "server_side_encryption_configuration",
                        json!([{"rule": rule}]),
                    );
                }
            }
            "aws_s3_bucket_public_access_block" => {
                for flag in PUBLIC_ACCESS_FLAGS {
                    // Terraform's default for an unset flag is false.
                    fold(flag, part.value(flag).cloned().unwrap_or(json!(false)));
                }
            }
            "aws_s3_bucket_acl" => {
                for key in ["acl", "access_control_policy"] {
                    if let Some(v) = part.value(key) {
                        fold(key, v.clone());
                    }
                }
            }
            "aws_s3_bucket_policy" => {
                if let Some(v) = part.value("policy") {
                    fold("policy", v.clone());
                }
            }
            "aws_s3_bucket_versioning" => {
                let status =
                    paved_core::guardrail::lookup(&part.values, "versioning_configuration.status")
                        .first()
                        .and_then(|v| v.as_str())
                        .map(|s| s.eq_ignore_ascii_case("enabled"));
                if let Some(enabled) = status {
                    fold("versioning", json!([{"enabled": enabled}]));
                }
            }
            "aws_s3_bucket_logging" => {
                let mut block = part.values.clone();
                block.remove("bucket");
                fold("logging", json!([block]));
            }
            _ => {}
        }
    }
    Cow::Owned(values)
}

/// Canned ACLs that open a bucket beyond its owner's account.
const PUBLIC_ACLS: [(&str, &str); 3] = [
    ("public-read", "anyone on the internet can list and read it"),
    (
        "public-read-write",
        "anyone on the internet can read and write it",
    ),
    (
        "authenticated-read",
        "anyone with any AWS account can read it",
    ),
];

/// ACL grantee groups that mean everyone.
const PUBLIC_GROUPS: [(&str, &str); 2] = [
    ("/global/AllUsers", "everyone on the internet"),
    ("/global/AuthenticatedUsers", "anyone with any AWS account"),
];

/// Why an S3 bucket (or a resource configuring one) opens data to the public, or `None`. A
/// bucket is judged with its separate ACL, policy and public access block resources; such a
/// resource is judged on its own only when its bucket is not in the plan.
pub fn public_bucket(plan: &Plan, r: &Resource) -> Option<String> {
    if !survives(r) {
        return None;
    }
    let mut reasons: Vec<String> = Vec::new();
    let mut judge = |who: &Resource, own: bool| {
        // The bucket speaks of itself as `it`; a separate resource by its address.
        let (it, its) = if own {
            ("it".to_string(), "its".to_string())
        } else {
            (who.address.clone(), who.address.clone())
        };
        if let Some(acl) = who.str_value("acl") {
            let acl = acl.trim().to_ascii_lowercase();
            if let Some((name, what)) = PUBLIC_ACLS.iter().find(|(a, _)| *a == acl) {
                reasons.push(format!("{it} sets acl = {name}, so {what}"));
            }
        }
        for key in ["grant", "access_control_policy"] {
            let mut uris = Vec::new();
            if let Some(v) = who.value(key) {
                grantee_uris(v, &mut uris);
            }
            for (group, what) in PUBLIC_GROUPS {
                if uris.iter().any(|u| u.ends_with(group)) {
                    reasons.push(format!("{it} grants access to {what} in an ACL"));
                }
            }
        }
        if let Some(doc) = who.value("policy").and_then(parse_document)
            && let Some(st) = statements(&doc).into_iter().find(public_allow)
        {
            let actions = match st.get("Action") {
                Some(Value::String(a)) => a.clone(),
                Some(Value::Array(items)) => items
                    .iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(", "),
                _ => "everything but what it lists (NotAction)".to_string(),
            };
            let whose = if own {
                "its bucket policy"
            } else {
                its.as_str()
            };
            reasons.push(format!(
                "{whose} allows everyone (Principal *) {actions} with no condition narrowing who"
            ));
        }
        let pab = who.kind.ends_with("public_access_block")
            || PUBLIC_ACCESS_FLAGS.iter().any(|f| who.value(f).is_some());
        if pab {
            let off: Vec<&str> = PUBLIC_ACCESS_FLAGS
                .iter()
                .copied()
                .filter(|f| who.value(f).and_then(as_bool) != Some(true))
                .collect();
            if !off.is_empty() {
                let whose = if own {
                    "its public access block".to_string()
                } else {
                    its.clone()
                };
                reasons.push(format!("{whose} turns off {}", off.join(", ")));
            }
        }
    };
    match r.kind.as_str() {
        "aws_s3_bucket" => {
            judge(r, true);
            for part in bucket_parts(plan, r) {
                judge(part, false);
            }
        }
        "aws_s3_account_public_access_block" => judge(r, true),
        kind if BUCKET_PARTS.contains(&kind) => {
            let bucket_in_plan = plan
                .resources
                .iter()
                .any(|b| b.kind == "aws_s3_bucket" && survives(b) && configures_bucket(r, b));
            if !bucket_in_plan {
                judge(r, true);
            }
        }
        _ => {}
    }
    reasons.dedup();
    (!reasons.is_empty()).then(|| reasons.join("; "))
}

/// Every grantee `uri` inside an ACL grant block or access control policy.
fn grantee_uris(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                match (k.as_str(), x) {
                    ("uri", Value::String(s)) => out.push(s.clone()),
                    _ => grantee_uris(x, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|i| grantee_uris(i, out)),
        _ => {}
    }
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

    #[test]
    fn bucket_parts_fold_into_the_bucket() {
        let bucket = res("aws_s3_bucket", "raw", json!({"bucket": "raw-data"}));
        let sse = res(
            "aws_s3_bucket_server_side_encryption_configuration",
            "raw",
            json!({"bucket": "${aws_s3_bucket.raw.id}", "rule": [
                {"apply_server_side_encryption_by_default": [{"sse_algorithm": "aws:kms"}]}]}),
        );
        let pab = res(
            "aws_s3_bucket_public_access_block",
            "raw",
            json!({"bucket": "raw-data", "block_public_acls": true}),
        );
        let other = res(
            "aws_s3_bucket_acl",
            "other",
            json!({"bucket": "aws_s3_bucket.raw2.id", "acl": "public-read"}),
        );
        let p = crate::test_support::plan(
            Environment::Production,
            vec![bucket.clone(), sse, pab, other],
        );
        let v = effective_values(&p, &bucket);
        assert_eq!(
            v["server_side_encryption_configuration"][0]["rule"][0]["apply_server_side_encryption_by_default"]
                [0]["sse_algorithm"],
            json!("aws:kms")
        );
        assert_eq!(v["block_public_acls"], json!(true));
        // Terraform's default for an unset flag is false.
        assert_eq!(v["restrict_public_buckets"], json!(false));
        assert!(v.get("acl").is_none());
    }

    #[test]
    fn public_buckets_by_acl_grant_policy_and_access_block() {
        let judge = |resources: Vec<Resource>| {
            let p = crate::test_support::plan(Environment::Development, resources.clone());
            public_bucket(&p, &resources[0])
        };
        let b = |v: Value| res("aws_s3_bucket", "b", v);
        assert!(judge(vec![b(json!({"acl": "Authenticated-Read"}))]).is_some());
        assert!(judge(vec![b(json!({"acl": "private"}))]).is_none());
        assert!(
            judge(vec![b(json!({"grant": [{"uri":
            "http://acs.amazonaws.com/groups/global/AllUsers", "permissions": ["READ"]}]}))])
            .is_some()
        );
        let open = json!({"Statement": [{"Effect": "Allow", "NotPrincipal": {"AWS": "x"},
            "Action": "s3:GetObject"}]});
        assert!(judge(vec![b(json!({"policy": open}))]).is_some());
        let vpc = json!({"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:*",
            "Condition": {"StringEquals": {"aws:SourceVpce": "vpce-1"}}}]});
        assert!(judge(vec![b(json!({"policy": vpc}))]).is_none());
        // A bucket with no public access block at all is not judged for one (AWS blocks by
        // default); one that has a block must keep all four settings on.
        assert!(judge(vec![b(json!({}))]).is_none());
        let pab = res(
            "aws_s3_bucket_public_access_block",
            "b",
            json!({"bucket": "aws_s3_bucket.b.id", "block_public_acls": 1,
                "block_public_policy": "TRUE", "ignore_public_acls": true,
                "restrict_public_buckets": "1"}),
        );
        assert!(judge(vec![b(json!({})), pab.clone()]).is_none());
        let mut half = pab.clone();
        half.values.remove("restrict_public_buckets");
        let found = judge(vec![b(json!({})), half.clone()]).unwrap();
        assert!(found.contains("restrict_public_buckets"), "{found}");
        // The part is judged through its bucket, not twice.
        let p =
            crate::test_support::plan(Environment::Development, vec![b(json!({})), half.clone()]);
        assert!(public_bucket(&p, &half).is_none());
        // Without its bucket in the plan, the part is judged on its own.
        let p = crate::test_support::plan(Environment::Development, vec![half.clone()]);
        assert!(public_bucket(&p, &half).is_some());
    }
}
