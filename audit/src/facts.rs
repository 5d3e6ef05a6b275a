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

/// Why a container task runs with the host's powers, or `None`: an ECS task definition with
/// `network_mode`, `pid_mode` or `ipc_mode` host, or a container (in `container_definitions`, a
/// JSON string or a list, or a Batch job's `container_properties`) that is `privileged`.
pub fn privileged_container(r: &Resource) -> Option<String> {
    if !survives(r) {
        return None;
    }
    let mut found = Vec::new();
    for key in ["network_mode", "pid_mode", "ipc_mode"] {
        if r.str_value(key)
            .is_some_and(|m| m.trim().eq_ignore_ascii_case("host"))
        {
            found.push(format!(
                "{key} = host shares the host's {}",
                &key[..key.len() - 5]
            ));
        }
    }
    for key in ["container_definitions", "container_properties"] {
        let doc = match r.value(key) {
            Some(Value::String(t)) => serde_json::from_str::<Value>(t).ok(),
            Some(v) => Some(v.clone()),
            None => None,
        };
        let containers = match doc {
            Some(Value::Array(items)) => items,
            Some(obj @ Value::Object(_)) => vec![obj],
            _ => Vec::new(),
        };
        for c in &containers {
            if c.get("privileged").and_then(as_bool) == Some(true) {
                let name = c
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or("a container");
                found.push(format!("container {name} is privileged (root on the host)"));
            }
        }
    }
    (!found.is_empty()).then(|| found.join("; "))
}

/// Why a production instance or task gets a public IP address the request did not ask for, or
/// `None`: `associate_public_ip_address` of an instance or a launch template's network
/// interfaces, `assign_public_ip` of an ECS service or scheduled task (`true`, `"ENABLED"`).
pub fn public_compute(plan: &Plan, r: &Resource, facts: &Facts<'_>) -> Option<String> {
    if !survives(r)
        || resource_environment(r, plan) != Environment::Production
        || facts.intent.details.public
    {
        return None;
    }
    let on = |v: &Value| as_bool(v) == Some(true);
    let mut hits: Vec<&Value> = Vec::new();
    for path in [
        "associate_public_ip_address",
        "network_interfaces.associate_public_ip_address",
        "network_configuration.assign_public_ip",
        "ecs_target.network_configuration.assign_public_ip",
    ] {
        hits.extend(paved_core::guardrail::lookup(&r.values, path));
    }
    let attribute = if r.kind == "aws_instance" || r.kind == "aws_launch_template" {
        "associate_public_ip_address"
    } else {
        "assign_public_ip"
    };
    hits.into_iter().any(on).then(|| {
        format!(
            "{attribute} gives it a public IP address in production, and the request does not ask \
             for public access"
        )
    })
}

/// Why a resource holds a secret in plain text, or `None`. Looks at every string the resource
/// carries (environment variables, container definitions written as a JSON string or a list,
/// `user_data`, job arguments, attributes): a value of a well-known secret shape (an AWS access
/// key id, a GitHub, Slack, Stripe or Hugging Face token, a private key, a URL with a password),
/// or a literal value under a secret-ish name (`password`, `DB_PASSWORD`, `auth_token`,
/// `STRIPE_SECRET`, `--jdbc_password`, `API_KEY`). References (`${...}`,
/// `aws_secretsmanager_secret_version.x.secret_string`, `var.x`), Secrets Manager and SSM ARNs
/// and `{{resolve:...}}`, parameter paths, empty strings, booleans and numbers are not secrets,
/// nor are a container's `secrets` (`valueFrom`) blocks or a secret store's own value.
pub fn plaintext_secret(r: &Resource) -> Option<String> {
    if !survives(r) || r.kind == "aws_secretsmanager_secret_version" {
        return None;
    }
    if r.kind == "aws_ssm_parameter"
        && r.str_value("type")
            .is_some_and(|t| t.trim().eq_ignore_ascii_case("securestring"))
    {
        return None;
    }
    let mut found = Vec::new();
    // A plain SSM parameter named like a secret holds it in plain text.
    if r.kind == "aws_ssm_parameter"
        && let (Some(name), Some(value)) = (r.str_value("name"), r.str_value("value"))
        && secret_name(name.rsplit('/').next().unwrap_or(name))
        && literal_secret_value(value)
    {
        found.push(format!(
            "parameter {name} holds a literal value as a plain String, not a SecureString"
        ));
    }
    for (k, v) in &r.values {
        if k == "tags" || k == "tags_all" {
            continue;
        }
        secrets_in(k, v, &mut found);
        if found.len() >= 3 {
            break;
        }
    }
    if found.is_empty() {
        return None;
    }
    found.dedup();
    found.truncate(3);
    Some(found.join("; "))
}

/// Secrets under `path` in `v`, described without their values.
fn secrets_in(path: &str, v: &Value, out: &mut Vec<String>) {
    let key = path.rsplit('.').next().unwrap_or(path);
    match v {
        Value::Object(m) => {
            // An environment entry `{name, value}` (ECS, Batch): the value is named by `name`.
            if let (Some(Value::String(name)), Some(value)) = (m.get("name"), m.get("value")) {
                secrets_in(&format!("{path}.{name}"), value, out);
                return;
            }
            for (k, x) in m {
                // A container's `secrets` take their values from Secrets Manager or SSM.
                if k == "secrets" || k == "valueFrom" || k == "tags" {
                    continue;
                }
                secrets_in(&format!("{path}.{k}"), x, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|i| secrets_in(path, i, out)),
        Value::String(s) => {
            // Container definitions and similar documents are carried as JSON strings.
            let t = s.trim();
            if (t.starts_with('[') || t.starts_with('{'))
                && let Ok(doc) = serde_json::from_str::<Value>(t)
                && (doc.is_array() || doc.is_object())
            {
                secrets_in(path, &doc, out);
                return;
            }
            if let Some(shape) = secret_shape(s) {
                out.push(format!("{path} contains {shape}"));
            } else if secret_name(key) && literal_secret_value(s) {
                out.push(format!(
                    "{path} is a literal value, not a reference to a secret"
                ));
            } else if s.contains('\n') || s.contains("export ") {
                // A script: `NAME=value` lines with a secret-ish name and a literal value.
                for line in s.lines() {
                    let line = line.trim().trim_start_matches("export ").trim();
                    if let Some((name, value)) = line.split_once('=') {
                        let value = value.trim().trim_matches(|c| c == '"' || c == '\'');
                        let name = name.trim();
                        if !name.contains(' ')
                            && secret_name(name)
                            && !value.starts_with('$')
                            && literal_secret_value(value)
                        {
                            out.push(format!("{path} sets {name} to a literal value"));
                            break;
                        }
                    }
                }
            }
        }
        _ => {}
    }
}

/// True when an attribute or variable name says it holds a secret: its last word is password,
/// secret, token, passphrase or credentials, or it ends in api/private/access/secret key.
pub fn secret_name(name: &str) -> bool {
    let mut words: Vec<String> = Vec::new();
    let mut cur = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if !c.is_ascii_alphanumeric() {
            if !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            prev_lower = false;
            continue;
        }
        if c.is_ascii_uppercase() && prev_lower && !cur.is_empty() {
            words.push(std::mem::take(&mut cur));
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        cur.push(c.to_ascii_lowercase());
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    let Some(last) = words.last().map(String::as_str) else {
        return false;
    };
    let before = words
        .len()
        .checked_sub(2)
        .map(|i| words[i].as_str())
        .unwrap_or("");
    matches!(
        last,
        "password"
            | "passwd"
            | "pwd"
            | "pass"
            | "secret"
            | "token"
            | "passphrase"
            | "credentials"
            | "apikey"
    ) || (last.ends_with("password") && last.len() > 8)
        || (last == "key" && matches!(before, "api" | "private" | "access" | "secret" | "signing"))
}

/// True when a value under a secret-ish name is the secret itself rather than a way to find it.
pub fn literal_secret_value(s: &str) -> bool {
    let t = s.trim();
    if t.is_empty() || t.contains("${") || t.contains("{{resolve:") || t.starts_with("arn:") {
        return false;
    }
    let lower = t.to_ascii_lowercase();
    if as_bool(&Value::String(t.to_string())).is_some() || t.parse::<f64>().is_ok() {
        return false;
    }
    // A reference to another resource's attribute, a variable or a local value.
    let reference = |x: &str| {
        let parts: Vec<&str> = x.split('.').collect();
        let word = |p: &str| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '[' | ']' | '*'))
        };
        parts.iter().all(|p| word(p))
            && ((parts.len() >= 3
                && (parts[0].starts_with("aws_")
                    || parts[0].starts_with("random_")
                    || parts[0] == "data"
                    || parts[0] == "module"))
                || (parts.len() >= 2 && matches!(parts[0], "var" | "local")))
    };
    if reference(t) {
        return false;
    }
    // A parameter or secret name path (`/prod/db/password`), or a secret-store prefix.
    if (t.starts_with('/')
        && !t.contains(char::is_whitespace)
        && t.len() > 1
        && t[1..].contains('/'))
        || lower.starts_with("ssm:")
        || lower.starts_with("secretsmanager:")
    {
        return false;
    }
    true
}

/// The kind of a well-known secret found in a string, or `None`.
pub fn secret_shape(s: &str) -> Option<&'static str> {
    let tokens = s.split(|c: char| {
        c.is_whitespace()
            || matches!(
                c,
                '"' | '\'' | ',' | ';' | '=' | '(' | ')' | '`' | '<' | '>'
            )
    });
    for tok in tokens {
        let tok = tok.trim_matches(|c: char| !c.is_ascii_alphanumeric() && c != '/' && c != '+');
        let alnum = |x: &str| x.chars().all(|c| c.is_ascii_alphanumeric());
        let body = |prefix: &str, min: usize| {
            tok.strip_prefix(prefix).is_some_and(|rest| {
                rest.len() >= min && rest.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            })
        };
        if tok.len() == 20
            && (tok.starts_with("AKIA") || tok.starts_with("ASIA"))
            && tok[4..]
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        {
            return Some("an AWS access key id");
        }
        if body("ghp_", 30)
            || body("gho_", 30)
            || body("ghs_", 30)
            || body("ghu_", 30)
            || body("github_pat_", 30)
        {
            return Some("a GitHub token");
        }
        if ["xoxb-", "xoxa-", "xoxp-", "xoxr-", "xoxs-"]
            .iter()
            .any(|p| tok.strip_prefix(p).is_some_and(|r| r.len() >= 10))
        {
            return Some("a Slack token");
        }
        if body("sk_live_", 10) || body("rk_live_", 10) {
            return Some("a live Stripe key");
        }
        if body("hf_", 30) && alnum(&tok[3..]) {
            return Some("a Hugging Face token");
        }
    }
    if s.contains("-----BEGIN") && s.contains("PRIVATE KEY") {
        return Some("a private key");
    }
    // `scheme://user:password@host`, with a literal password.
    let mut rest = s;
    while let Some(i) = rest.find("://") {
        let after = &rest[i + 3..];
        let end = after
            .find(|c: char| c.is_whitespace() || c == '/' || c == '"' || c == '\'')
            .unwrap_or(after.len());
        let authority = &after[..end];
        if let Some((userinfo, _host)) = authority.rsplit_once('@')
            && let Some((_user, password)) = userinfo.split_once(':')
            && !password.is_empty()
            && !password.starts_with('$')
            && !password.contains("{{")
        {
            return Some("a URL with a password in it");
        }
        rest = after;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    use crate::test_support::res;

    #[test]
    fn privileged_and_host_network_tasks_are_found() {
        let task = |v: Value| res("aws_ecs_task_definition", "t", v);
        let defs = json!([{"name": "app", "privileged": "true"}]).to_string();
        assert!(privileged_container(&task(json!({"container_definitions": defs}))).is_some());
        assert!(privileged_container(&task(json!({"network_mode": "HOST"}))).is_some());
        let fine = json!([{"name": "app", "privileged": false}]);
        assert!(
            privileged_container(&task(
                json!({"network_mode": "awsvpc", "container_definitions": fine})
            ))
            .is_none()
        );
    }

    #[test]
    fn production_public_ips_are_found_unless_asked_for() {
        let svc = res(
            "aws_ecs_service",
            "s",
            json!({"network_configuration": [{"assign_public_ip": "ENABLED"}]}),
        );
        let vm = res(
            "aws_instance",
            "i",
            json!({"associate_public_ip_address": false}),
        );
        let p = crate::test_support::plan(Environment::Production, vec![svc.clone(), vm.clone()]);
        let mut intent = Intent::empty();
        let ctx = AuditContext::default();
        assert!(public_compute(&p, &svc, &Facts::new("x", &intent, &ctx)).is_some());
        assert!(public_compute(&p, &vm, &Facts::new("x", &intent, &ctx)).is_none());
        intent.details.public = true;
        assert!(public_compute(&p, &svc, &Facts::new("x", &intent, &ctx)).is_none());
        let dev = crate::test_support::plan(Environment::Development, vec![svc.clone()]);
        intent.details.public = false;
        assert!(public_compute(&dev, &svc, &Facts::new("x", &intent, &ctx)).is_none());
    }

    #[test]
    fn plaintext_secrets_are_found_and_references_are_not() {
        let lambda = |vars: Value| {
            res(
                "aws_lambda_function",
                "f",
                json!({"environment": [{"variables": vars}]}),
            )
        };
        for vars in [
            json!({"DB_PASSWORD": "Sup3rS3cret!2024"}),
            json!({"SLACK": "xoxb-123456789012-1234567890123-AbCdEf"}),
            json!({"STRIPE_SECRET": "sk_live_51H8abcdefghijklmnop"}),
            json!({"ID": "AKIAIOSFODNN7EXAMPLE"}),
            json!({"DATABASE_URL": "postgres://u:p4ss@db.internal:5432/x"}),
            json!({"apiKey": "abc123"}),
        ] {
            assert!(plaintext_secret(&lambda(vars.clone())).is_some(), "{vars}");
        }
        for vars in [
            json!({"TABLE": "aws_dynamodb_table.main.name", "DB_PASSWORD": "${var.db}"}),
            json!({"DB_PASSWORD_SECRET_ARN": "arn:aws:secretsmanager:us-east-1:1:secret:x"}),
            json!({"TOKEN": "{{resolve:secretsmanager:x}}", "DB_PASSWORD": ""}),
            json!({"DB_PASSWORD": "/prod/db/password", "URL": "https://example.com/x"}),
            json!({"AUTH_TOKEN_TTL": "300", "SECRET": "aws_secretsmanager_secret_version.x.secret_string"}),
        ] {
            assert!(plaintext_secret(&lambda(vars.clone())).is_none(), "{vars}");
        }
        let db = res(
            "aws_db_instance",
            "d",
            json!({"manage_master_user_password": true, "http_tokens": "required",
                "auth_token_update_strategy": "ROTATE"}),
        );
        assert!(plaintext_secret(&db).is_none());
        let db = res("aws_db_instance", "d", json!({"password": "changeme"}));
        assert!(plaintext_secret(&db).is_some());
        // A container definition as a JSON string; its `secrets` block is fine.
        let defs = json!([{"name": "app", "environment": [{"name": "AWS_SECRET_ACCESS_KEY",
            "value": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}]}])
        .to_string();
        let task = res(
            "aws_ecs_task_definition",
            "t",
            json!({"container_definitions": defs}),
        );
        assert!(
            plaintext_secret(&task)
                .unwrap()
                .contains("AWS_SECRET_ACCESS_KEY")
        );
        let safe = json!([{"name": "app", "environment": [{"name": "MODE", "value": "prod"}],
            "secrets": [{"name": "DB_PASSWORD", "valueFrom": "arn:aws:ssm:us-east-1:1:parameter/x"}]}]);
        let task = res(
            "aws_ecs_task_definition",
            "t",
            json!({"container_definitions": safe}),
        );
        assert!(plaintext_secret(&task).is_none());
        let ec2 = res(
            "aws_instance",
            "i",
            json!({"user_data": "#!/bin/bash\nexport DB_PASSWORD=hunter22\n"}),
        );
        assert!(plaintext_secret(&ec2).is_some());
        let glue = res(
            "aws_glue_job",
            "g",
            json!({"default_arguments": {"--jdbc_password": "Redsh1ftPass!"}}),
        );
        assert!(plaintext_secret(&glue).is_some());
    }

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
