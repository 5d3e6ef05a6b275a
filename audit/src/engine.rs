//! The guardrail engine: evaluates every rule of a [`GuardrailPolicy`] against a plan.
//!
//! Rules run in two passes. First every rule that changes plans (hard auto-fixes, and blocking
//! rules with a fix while the plan is not yet deployed) fixes the plan; then the plan is repriced
//! from the price table; then every other rule judges the fixed, repriced plan. So a warning or
//! an escalation speaks of the plan that would actually run.

use std::collections::{BTreeMap, BTreeSet};

use paved_core::guardrail::{
    CheckKind, Enforcement, Evidence, Guardrail, GuardrailPolicy, Requirement, Scope, Selector,
    lookup, region_matches, render, show,
};
use paved_core::{Check, Finding, Outcome, Plan, Resource, ResourceAction};
use serde_json::Value;

use crate::facts::{
    Facts, effective_values, plaintext_secret, privileged_container, public_bucket, public_compute,
    resource_environment, survives,
};
use crate::iam::{admin_without_mfa, open_resource_policy, open_role_trust};
use crate::network::{fronts_public_load_balancer, groups_of, world_ingress, world_ingress_of};

/// What the guardrails made of a plan.
#[derive(Debug, Default)]
pub struct Judgement {
    pub findings: Vec<Finding>,
    pub checks: Vec<Check>,
    /// Roles whose approval the escalations need, in rule order.
    pub approvers: Vec<String>,
}

/// One place where a rule fired.
struct Hit {
    resource: Option<String>,
    values: BTreeMap<&'static str, String>,
    /// The rule changed the plan here.
    fixed: bool,
}

/// How one rule came out.
struct RuleResult {
    applicable: bool,
    hits: Vec<Hit>,
}

/// Evaluates every guardrail against `plan` (already priced from the price table), applying
/// fixes to it. `reprice` recomputes the plan's costs when a fix changed it.
pub fn evaluate(
    policy: &GuardrailPolicy,
    plan: &mut Plan,
    facts: &Facts<'_>,
    reprice: &dyn Fn(&mut Plan),
) -> Judgement {
    let rules: Vec<&Guardrail> = policy.rules().map(|(_, g)| g).collect();
    let mut results: Vec<Option<RuleResult>> = rules.iter().map(|_| None).collect();
    let fixes_now = |g: &Guardrail| {
        g.enforcement == Enforcement::AutoFix
            || (g.enforcement == Enforcement::Veto && has_fix(g) && !facts.ctx.deployed)
    };
    for (i, rule) in rules.iter().enumerate() {
        if fixes_now(rule) {
            results[i] = Some(run_rule(policy, rule, plan, facts, true));
        }
    }
    // The caller priced the plan as given; only a changed plan needs pricing again.
    let changed = results
        .iter()
        .flatten()
        .any(|r| r.hits.iter().any(|h| h.fixed));
    if changed {
        reprice(plan);
    }
    for (i, rule) in rules.iter().enumerate() {
        if results[i].is_none() {
            results[i] = Some(run_rule(policy, rule, plan, facts, false));
        }
    }

    // A rule that fired silences the rules it supersedes (one CFO escalation, not also the
    // finance manager's and a warning).
    let mut superseded: BTreeMap<&str, &str> = BTreeMap::new();
    for (rule, result) in rules.iter().zip(&results) {
        if result.as_ref().is_some_and(|r| !r.hits.is_empty()) {
            for s in &rule.supersedes {
                superseded.entry(s.as_str()).or_insert(rule.name.as_str());
            }
        }
    }

    let mut judgement = Judgement::default();
    for (rule, result) in rules.iter().zip(results) {
        let Some(result) = result else { continue };
        let by = superseded.get(rule.name.as_str()).copied();
        judgement.checks.push(check_line(rule, &result, by));
        if by.is_some() {
            continue;
        }
        for hit in &result.hits {
            let outcome = if hit.fixed {
                Outcome::Fixed
            } else {
                rule.enforcement.outcome()
            };
            let mut values = hit.values.clone();
            values.insert("approvers", rule.approvers.join(", "));
            let message = render(
                rule.message
                    .as_deref()
                    .unwrap_or(default_message(rule, hit)),
                &values,
            );
            let suggestion = (outcome == Outcome::Veto)
                .then(|| {
                    rule.suggestion
                        .as_deref()
                        .map(|s| render(s, &values))
                        .or_else(|| default_suggestion(rule, &values))
                })
                .flatten();
            judgement.findings.push(Finding {
                rule: rule.name.clone(),
                level: rule.level.level(),
                outcome,
                resource: hit.resource.clone(),
                message: sentence(&message),
                suggestion,
            });
            if outcome == Outcome::Escalate {
                for a in &rule.approvers {
                    if !judgement.approvers.contains(a) {
                        judgement.approvers.push(a.clone());
                    }
                }
            }
        }
    }
    judgement
}

fn has_fix(g: &Guardrail) -> bool {
    g.fix.is_some() || g.cases.iter().any(|c| c.fix.is_some())
}

/// Ends a message with a full stop, capitalised, so every finding reads as one sentence.
fn sentence(s: &str) -> String {
    let s = s.trim();
    // A sentence that opens with a resource address (`aws_db_instance.main ...`) keeps it as
    // written; only a plain word is capitalised.
    let first_word = s.split_whitespace().next().unwrap_or("");
    let mut out: String = match s.chars().next() {
        Some(c) if first_word.chars().all(char::is_alphabetic) => {
            c.to_uppercase().chain(s.chars().skip(1)).collect()
        }
        _ => s.to_string(),
    };
    if !out.ends_with(['.', '!', '?']) {
        out.push('.');
    }
    out
}

fn check_line(rule: &Guardrail, result: &RuleResult, superseded_by: Option<&str>) -> Check {
    let what = if rule.description.is_empty() {
        rule.name.replace('_', " ")
    } else {
        rule.description.clone()
    };
    let summary = if !result.applicable {
        format!("{what} (does not apply to this plan)")
    } else if let Some(by) = superseded_by {
        format!("{what}: fired, superseded by {by}")
    } else if result.hits.is_empty() {
        what
    } else if result.hits.iter().all(|h| h.fixed) {
        format!("{what}: fixed {} place(s)", result.hits.len())
    } else {
        format!("{what}: {} finding(s)", result.hits.len())
    };
    Check {
        rule: rule.name.clone(),
        passed: result.hits.is_empty() || result.hits.iter().all(|h| h.fixed),
        summary,
    }
}

fn default_message(rule: &Guardrail, hit: &Hit) -> &'static str {
    let fixed = hit.fixed;
    match rule.kind {
        Some(CheckKind::WorldOpenIngress) => "{resource} lets the whole internet in: {detail}",
        Some(CheckKind::DatabaseOpenToWorld) => {
            "{resource} is a database reachable from the whole internet: {detail}"
        }
        Some(CheckKind::AdminWithoutMfa) => "{detail}",
        Some(CheckKind::PublicBucket) => "{resource} opens stored data to the public: {detail}",
        Some(CheckKind::OpenRoleTrust) => "{resource} can be assumed by anyone: {detail}",
        Some(CheckKind::PlaintextSecret) => "{resource} holds a secret in plain text: {detail}",
        Some(CheckKind::OpenResourcePolicy) => "{resource} is open to everyone: {detail}",
        Some(CheckKind::PrivilegedContainer) => {
            "{resource} runs containers with the host's powers: {detail}"
        }
        Some(CheckKind::PublicCompute) => "{resource} is reachable from the internet: {detail}",
        Some(CheckKind::DataResidency) if fixed => {
            "The data must stay in {allowed_regions}, so the plan was moved from {actual} to {region}"
        }
        Some(CheckKind::DataResidency) => {
            "The data must stay in {allowed_regions}, but the plan puts it in {actual}"
        }
        Some(CheckKind::MonthlyCost) => match rule.enforcement {
            Enforcement::Escalate => {
                "The plan costs ${cost} a month, above the ${threshold} limit, so {approvers} must approve it"
            }
            _ => "The plan costs ${cost} a month, above ${threshold}",
        },
        None if !rule.requirements.is_empty() => "The plan lacks {missing}",
        None if fixed => "{resource}: {detail}; paved set {fix}",
        None if rule.condition.is_some() || !rule.cases.is_empty() => {
            "{resource} breaks {name}: {detail}"
        }
        None => "{detail}",
    }
}

fn default_suggestion(rule: &Guardrail, values: &BTreeMap<&'static str, String>) -> Option<String> {
    let s = match rule.kind {
        Some(CheckKind::WorldOpenIngress) => format!(
            "Open only ports {} on a public load balancer to the internet, and reach everything else \
             through the load balancer or from inside the VPC.",
            values.get("ports").map(String::as_str).unwrap_or("80, 443")
        ),
        Some(CheckKind::DatabaseOpenToWorld) => {
            "Keep the database private: allow it only from the application's security group.".to_string()
        }
        Some(CheckKind::AdminWithoutMfa) => {
            "Grant least-privilege policies, or require aws:MultiFactorAuthPresent for administrator access."
                .to_string()
        }
        Some(CheckKind::PublicBucket) => "Keep the bucket private: drop the public ACL, keep all four \
             public access block settings true, and grant access to named accounts or roles (or \
             serve files through CloudFront with origin access control)."
            .to_string(),
        Some(CheckKind::OpenRoleTrust) => "Trust only the AWS service or the named accounts and \
             roles that need the role, or add a condition such as aws:PrincipalOrgID."
            .to_string(),
        Some(CheckKind::PlaintextSecret) => "Keep the secret in AWS Secrets Manager or an SSM \
             SecureString parameter and pass a reference to it (a container's secrets/valueFrom, \
             manage_master_user_password for RDS), and rotate the exposed value."
            .to_string(),
        Some(CheckKind::OpenResourcePolicy) => "Grant access to the AWS service or the named \
             accounts and roles that need it, or add a condition such as aws:SourceArn, \
             aws:SourceAccount or aws:PrincipalOrgID; share snapshots and images with named \
             accounts only."
            .to_string(),
        Some(CheckKind::PrivilegedContainer) => "Run the containers unprivileged with \
             network_mode awsvpc, and grant only the Linux capabilities they need."
            .to_string(),
        Some(CheckKind::PublicCompute) => "Keep instances and tasks in private subnets without \
             public IPs and reach them through a load balancer; ask for public access explicitly \
             if it is needed."
            .to_string(),
        Some(CheckKind::DataResidency) => format!(
            "Plan it in an allowed region ({}).",
            values.get("allowed_regions").map(String::as_str).unwrap_or("")
        ),
        _ if !rule.requirements.is_empty() => format!(
            "Add {} to the plan (the golden path's compliance variant includes them).",
            values.get("missing").map(String::as_str).unwrap_or("what is missing")
        ),
        _ => match values.get("fix").filter(|f| !f.is_empty()) {
            Some(fix) => format!("Set {fix}."),
            None => format!("Change the plan so that {} no longer applies.", rule.name),
        },
    };
    Some(s)
}

/// Evaluates one rule. With `fix`, the rule's fix is applied to the plan where it fires.
fn run_rule(
    policy: &GuardrailPolicy,
    rule: &Guardrail,
    plan: &mut Plan,
    facts: &Facts<'_>,
    fix: bool,
) -> RuleResult {
    let Ok(scope) = Scope::parse(&rule.applies_to) else {
        // Validated when the file was parsed; an unparsable scope cannot reach here.
        return RuleResult {
            applicable: false,
            hits: Vec::new(),
        };
    };
    let segments = facts.segments(plan, policy);
    if !facts.plan_gates(&scope, &segments) {
        return RuleResult {
            applicable: false,
            hits: Vec::new(),
        };
    }
    if let Some(evidence) = rule.requires
        && has_evidence(rule, evidence, facts)
    {
        let applicable = plan
            .resources
            .iter()
            .any(|r| in_scope(&scope, r, plan, rule));
        return RuleResult {
            applicable,
            hits: Vec::new(),
        };
    }
    match rule.kind {
        Some(kind) if kind.plan_wide() => plan_wide(rule, kind, &scope, plan, facts, fix),
        Some(kind) => {
            let plan_view: &Plan = plan;
            let mut hits = Vec::new();
            let mut applicable = false;
            for r in plan_view
                .resources
                .iter()
                .filter(|r| in_scope(&scope, r, plan_view, rule))
            {
                applicable = true;
                if let Some(detail) = resource_kind(rule, kind, plan_view, r, facts) {
                    let mut values = resource_values(r, plan_view);
                    values.insert("detail", detail);
                    hits.push(Hit {
                        resource: Some(r.address.clone()),
                        values,
                        fixed: false,
                    });
                }
            }
            RuleResult { applicable, hits }
        }
        None if !rule.requirements.is_empty() => {
            let missing: Vec<&str> = rule
                .requirements
                .iter()
                .filter_map(|name| policy.requirements.get(name).map(|req| (name, req)))
                .filter(|(_, req)| !requirement_met(req, plan, facts))
                .map(|(_, req)| req.description.as_str())
                .collect();
            let hits = if missing.is_empty() {
                Vec::new()
            } else {
                let mut values = plan_values(plan);
                values.insert("missing", join_and(&missing));
                vec![Hit {
                    resource: None,
                    values,
                    fixed: false,
                }]
            };
            RuleResult {
                applicable: true,
                hits,
            }
        }
        None if rule.condition.is_some() || !rule.cases.is_empty() => {
            conditions(rule, &scope, plan, fix)
        }
        None => {
            // Scope alone: every resource in scope is a finding unless evidence was given.
            let found: Vec<&Resource> = plan
                .resources
                .iter()
                .filter(|r| in_scope(&scope, r, plan, rule))
                .collect();
            let hits = if found.is_empty() {
                Vec::new()
            } else {
                let mut values = plan_values(plan);
                let names: Vec<String> = found
                    .iter()
                    .map(|r| format!("{} {}", r.action, r.address))
                    .collect();
                values.insert("detail", evidence_detail(rule, &names));
                let resource = (found.len() == 1).then(|| found[0].address.clone());
                if let Some(r) = found.first() {
                    values.extend(resource_values(r, plan).into_iter().filter(|(k, _)| {
                        matches!(*k, "resource" | "type" | "name") && found.len() == 1
                    }));
                }
                vec![Hit {
                    resource,
                    values,
                    fixed: false,
                }]
            };
            RuleResult {
                applicable: !found.is_empty(),
                hits,
            }
        }
    }
}

fn evidence_detail(rule: &Guardrail, changes: &[String]) -> String {
    let listed = if changes.len() > 3 {
        format!("{} and {} more", changes[..3].join(", "), changes.len() - 3)
    } else {
        join_and(&changes.iter().map(String::as_str).collect::<Vec<_>>())
    };
    match rule.requires {
        Some(Evidence::ChangeTicket) => format!(
            "The plan changes existing production resources ({listed}) without a change-ticket id \
             (one like {}-1234), so {} must approve it",
            rule.ticket_prefixes
                .first()
                .map(String::as_str)
                .unwrap_or("CHG"),
            rule.approvers.join(", ")
        ),
        Some(Evidence::RequesterConfirmation) => {
            let replaces = changes.iter().any(|c| c.starts_with("replace "));
            let deletes = changes.iter().any(|c| c.starts_with("delete "));
            let what = match (deletes, replaces) {
                (true, true) => "deletes or replaces",
                (false, true) => "replaces",
                _ => "deletes",
            };
            let why = if replaces {
                "; a replacement destroys the resource, and what it holds, before creating a new \
                 one, so it waits"
            } else {
                ", which waits"
            };
            format!(
                "The plan {what} resources ({listed}){why} for the requester's explicit confirmation"
            )
        }
        None => format!("The plan touches {listed}"),
    }
}

/// True when the rule's resource scope (types, action, environment) holds for a resource.
fn in_scope(scope: &Scope, r: &Resource, plan: &Plan, rule: &Guardrail) -> bool {
    if !scope.matches_type(&r.kind) || !scope.matches_action(r.action) {
        return false;
    }
    // Resources being deleted are judged only by rules that name deletions: their attributes
    // no longer matter.
    if scope.actions.is_empty() && !survives(r) && rule.requires.is_none() {
        return false;
    }
    scope.environments.is_empty() || scope.environments.contains(&resource_environment(r, plan))
}

fn has_evidence(rule: &Guardrail, evidence: Evidence, facts: &Facts<'_>) -> bool {
    match evidence {
        Evidence::RequesterConfirmation => facts.ctx.confirmed_deletion,
        Evidence::ChangeTicket => {
            let given = facts.ctx.change_ticket.as_deref().unwrap_or("");
            rule.ticket_prefixes
                .iter()
                .any(|p| has_ticket(given, p) || has_ticket(facts.request, p))
        }
    }
}

/// True when `text` holds `PREFIX-digits` (case-insensitive) as a word.
pub fn has_ticket(text: &str, prefix: &str) -> bool {
    let upper = text.to_ascii_uppercase();
    let want = format!("{}-", prefix.to_ascii_uppercase());
    let mut from = 0;
    while let Some(pos) = upper[from..].find(&want) {
        let start = from + pos;
        let digits_at = start + want.len();
        let before_ok = start == 0
            || !upper[..start]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_ascii_alphanumeric());
        let digits = upper[digits_at..]
            .chars()
            .take_while(char::is_ascii_digit)
            .count();
        if before_ok && digits > 0 {
            return true;
        }
        from = digits_at;
    }
    false
}

fn resource_values(r: &Resource, plan: &Plan) -> BTreeMap<&'static str, String> {
    let mut v = plan_values(plan);
    v.insert("resource", r.address.clone());
    v.insert("type", r.kind.clone());
    v.insert("name", r.name.clone());
    v.insert("environment", resource_environment(r, plan).to_string());
    v
}

fn plan_values(plan: &Plan) -> BTreeMap<&'static str, String> {
    let mut v = BTreeMap::new();
    v.insert("environment", plan.environment.to_string());
    v.insert("region", plan.region.clone());
    v.insert("cost", money(plan.estimated_monthly_cost_usd));
    v
}

/// `7,000.50` style dollars (no sign).
pub fn money(x: f64) -> String {
    let cents = (x * 100.0).round() as i64;
    let (whole, frac) = (cents / 100, (cents % 100).abs());
    let digits = whole.abs().to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let sign = if whole < 0 { "-" } else { "" };
    if frac == 0 {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}.{frac:02}")
    }
}

fn join_and(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// Attribute conditions, case by case; fixes applied when `fix`. Conditions read a resource's
/// effective attributes (a bucket with its separate encryption, ACL, policy and public access
/// block resources). Every matching case's fix is applied, with one finding per resource and
/// rule, which speaks of the first case that matched.
fn conditions(rule: &Guardrail, scope: &Scope, plan: &mut Plan, fix: bool) -> RuleResult {
    let cases = rule.effective_cases();
    let case_scopes: Vec<Scope> = cases
        .iter()
        .map(|c| Scope::parse(&c.applies_to).unwrap_or_default())
        .collect();
    let view: &Plan = plan;
    let mut hits = Vec::new();
    let mut to_fix: Vec<(usize, usize)> = Vec::new();
    let mut applicable = false;
    for (idx, r) in view.resources.iter().enumerate() {
        if !in_scope(scope, r, view, rule) {
            continue;
        }
        let effective = effective_values(view, r);
        let mut hit: Option<Hit> = None;
        let mut fixes: Vec<String> = Vec::new();
        for (ci, (case, cs)) in cases.iter().zip(&case_scopes).enumerate() {
            if !in_scope(cs, r, view, rule) {
                continue;
            }
            applicable = true;
            if !case.condition.holds(&effective) {
                continue;
            }
            if let Some(f) = &case.fix {
                fixes.push(f.describe());
                if fix {
                    to_fix.push((idx, ci));
                }
            }
            if hit.is_some() {
                continue;
            }
            let mut values = resource_values(r, view);
            let attribute = firing_attribute(&case.condition, &effective).unwrap_or_default();
            let actual = lookup(&effective, &attribute);
            values.insert(
                "actual",
                if actual.is_empty() {
                    "not set".to_string()
                } else {
                    actual
                        .iter()
                        .map(|v| show(v))
                        .collect::<Vec<_>>()
                        .join(", ")
                },
            );
            values.insert("attribute", attribute);
            values.insert("detail", case.condition.describe());
            hit = Some(Hit {
                resource: Some(r.address.clone()),
                values,
                fixed: fix && case.fix.is_some(),
            });
        }
        if let Some(mut h) = hit {
            if !fixes.is_empty() {
                h.values.insert("fix", fixes.join(", "));
            }
            hits.push(h);
        }
    }
    for (idx, ci) in to_fix {
        if let (Some(target), Some(f)) = (plan.resources.get_mut(idx), cases[ci].fix.as_ref()) {
            f.apply(target);
        }
    }
    RuleResult { applicable, hits }
}

/// The attribute a condition fired on, for messages: its own, or for `any` the first part that
/// holds and for `all` the last part (the one the others only guard).
fn firing_attribute(
    c: &paved_core::guardrail::Condition,
    values: &serde_json::Map<String, Value>,
) -> Option<String> {
    if let Some(a) = &c.attribute {
        return Some(a.clone());
    }
    if let Some(any) = &c.any {
        return any
            .iter()
            .find(|p| p.holds(values))
            .and_then(|p| firing_attribute(p, values));
    }
    if let Some(all) = &c.all {
        return all.last().and_then(|p| firing_attribute(p, values));
    }
    None
}

/// A per-resource built-in check; `Some(detail)` when it fires.
fn resource_kind(
    rule: &Guardrail,
    kind: CheckKind,
    plan: &Plan,
    r: &Resource,
    facts: &Facts<'_>,
) -> Option<String> {
    match kind {
        CheckKind::WorldOpenIngress => {
            let bad: Vec<String> = world_ingress_of(plan, r)
                .into_iter()
                .filter(|w| {
                    let on_public_lb = w
                        .group
                        .as_deref()
                        .is_some_and(|g| fronts_public_load_balancer(plan, g));
                    !(on_public_lb && w.only_ports(&rule.allowed_ports))
                })
                .map(|w| w.describe())
                .collect();
            (!bad.is_empty()).then(|| bad.join("; "))
        }
        CheckKind::DatabaseOpenToWorld => {
            if !survives(r) {
                return None;
            }
            let groups: Vec<String> = groups_of(plan, r)
                .iter()
                .map(|g| g.address.clone())
                .collect();
            let open: Vec<String> = world_ingress(plan)
                .into_iter()
                .filter(|w| w.group.as_ref().is_some_and(|g| groups.contains(g)))
                .map(|w| {
                    format!(
                        "{} allows {}",
                        w.group.clone().unwrap_or_default(),
                        w.describe()
                    )
                })
                .collect();
            (!open.is_empty()).then(|| open.join("; "))
        }
        CheckKind::AdminWithoutMfa => admin_without_mfa(plan, r),
        CheckKind::PublicBucket => public_bucket(plan, r),
        CheckKind::OpenRoleTrust => open_role_trust(r),
        CheckKind::PlaintextSecret => plaintext_secret(r),
        CheckKind::OpenResourcePolicy => open_resource_policy(r),
        CheckKind::PrivilegedContainer => privileged_container(r),
        CheckKind::PublicCompute => public_compute(plan, r, facts),
        CheckKind::DataResidency | CheckKind::MonthlyCost => None,
    }
}

/// Plan-wide built-in checks.
fn plan_wide(
    rule: &Guardrail,
    kind: CheckKind,
    scope: &Scope,
    plan: &mut Plan,
    facts: &Facts<'_>,
    fix: bool,
) -> RuleResult {
    if !scope.environments.is_empty() && !scope.environments.contains(&plan.environment) {
        return RuleResult {
            applicable: false,
            hits: Vec::new(),
        };
    }
    let mut values = plan_values(plan);
    match kind {
        CheckKind::MonthlyCost => {
            let threshold = rule.threshold.unwrap_or(f64::INFINITY);
            values.insert("threshold", money(threshold));
            let hits = if plan.estimated_monthly_cost_usd > threshold {
                vec![Hit {
                    resource: None,
                    values,
                    fixed: false,
                }]
            } else {
                Vec::new()
            };
            RuleResult {
                applicable: true,
                hits,
            }
        }
        CheckKind::DataResidency => {
            let allowed = &rule.allowed_regions;
            let ok = |region: &str| allowed.iter().any(|p| region_matches(p, region));
            let outside = regions_outside(plan, &ok);
            if outside.is_empty() {
                return RuleResult {
                    applicable: true,
                    hits: Vec::new(),
                };
            }
            values.insert("allowed_regions", allowed.join(", "));
            values.insert("actual", outside.join(", "));
            let fix_region = rule.fix.as_ref().and_then(|f| f.region.clone());
            let mut fixed = false;
            if fix && let Some(default) = fix_region {
                let target = if ok(&facts.intent.region) {
                    facts.intent.region.clone()
                } else {
                    default
                };
                move_region(plan, &target);
                values.insert("region", target.clone());
                values.insert("fix", format!("region = {target}"));
                fixed = true;
            }
            RuleResult {
                applicable: true,
                hits: vec![Hit {
                    resource: None,
                    values,
                    fixed,
                }],
            }
        }
        _ => RuleResult {
            applicable: false,
            hits: Vec::new(),
        },
    }
}

/// Attributes that name a region or an availability zone.
const REGION_KEYS: [&str; 4] = ["region", "availability_zone", "availability_zones", "azs"];

/// The regions the plan puts anything in that are not allowed.
fn regions_outside(plan: &Plan, ok: &dyn Fn(&str) -> bool) -> Vec<String> {
    let mut out = BTreeSet::new();
    if !ok(&plan.region) {
        out.insert(plan.region.clone());
    }
    for r in plan.resources.iter().filter(|r| survives(r)) {
        for key in REGION_KEYS {
            let mut found = Vec::new();
            if let Some(v) = r.value(key) {
                crate::facts::strings(v, &mut found);
            }
            for s in found {
                let region = zone_region(&s);
                if !ok(&region) {
                    out.insert(region);
                }
            }
        }
    }
    out.into_iter().collect()
}

/// The region of an availability zone (`eu-west-1a` → `eu-west-1`); a region is its own.
fn zone_region(s: &str) -> String {
    let s = s.trim();
    match s.chars().last() {
        Some(c)
            if c.is_ascii_lowercase()
                && s.chars().rev().nth(1).is_some_and(|d| d.is_ascii_digit()) =>
        {
            s[..s.len() - 1].to_string()
        }
        _ => s.to_string(),
    }
}

/// Moves the plan and every region or zone its resources name to `target`.
fn move_region(plan: &mut Plan, target: &str) {
    plan.region = target.to_string();
    for r in plan.resources.iter_mut() {
        for key in REGION_KEYS {
            if let Some(v) = r.values.get_mut(key) {
                rewrite_region(v, target);
            }
        }
    }
}

fn rewrite_region(v: &mut Value, target: &str) {
    match v {
        Value::String(s) => {
            let region = zone_region(s);
            if !region.is_empty() {
                let suffix = s[region.len().min(s.len())..].to_string();
                *s = format!("{target}{suffix}");
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| rewrite_region(i, target)),
        _ => {}
    }
}

/// True when a requirement holds. `every` is judged on the plan's surviving resources. `present`
/// is judged on the plan and the known inventory (less what the plan deletes); a change plan
/// without an inventory cannot show what exists, so there `present` only fails when the plan
/// deletes something of the required kind.
fn requirement_met(req: &Requirement, plan: &Plan, facts: &Facts<'_>) -> bool {
    let of_types = |sel: &Selector, kind: &str| {
        sel.applies_to
            .iter()
            .any(|t| paved_core::guardrail::type_matches(t, kind))
    };
    let selects = |sel: &Selector, r: &Resource| {
        of_types(sel, &r.kind)
            && sel
                .condition
                .as_ref()
                .is_none_or(|c| c.holds(&effective_values(plan, r)))
    };
    let every = req.every.iter().all(|sel| {
        plan.resources
            .iter()
            .filter(|r| survives(r) && of_types(sel, &r.kind))
            .all(|r| selects(sel, r))
    });
    if !every {
        return false;
    }
    if req.present.is_empty() {
        return true;
    }
    let change_plan = facts.intent.action != paved_core::Action::Create
        || plan.resources.iter().any(|r| r.action.touches_existing());
    if change_plan && facts.inventory.is_empty() {
        return !plan.resources.iter().any(|r| {
            r.action == ResourceAction::Delete
                && req.present.iter().any(|sel| of_types(sel, &r.kind))
        });
    }
    let deleted: BTreeSet<&str> = plan
        .resources
        .iter()
        .filter(|r| r.action == ResourceAction::Delete)
        .map(|r| r.address.as_str())
        .collect();
    let planned: BTreeSet<&str> = plan.resources.iter().map(|r| r.address.as_str()).collect();
    let existing = facts
        .inventory
        .iter()
        .filter(|r| !deleted.contains(r.address.as_str()) && !planned.contains(r.address.as_str()));
    let mut after = plan
        .resources
        .iter()
        .filter(|r| survives(r))
        .chain(existing);
    after.any(|r| req.present.iter().any(|sel| selects(sel, r)))
}

/// True when any resource's action is one of these.
pub fn any_action(plan: &Plan, actions: &[ResourceAction]) -> bool {
    plan.resources.iter().any(|r| actions.contains(&r.action))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tickets_are_found_as_words() {
        assert!(has_ticket("resize billing-db, CHG-1234 approved", "CHG"));
        assert!(has_ticket("chg-77", "CHG"));
        assert!(!has_ticket("CHG-", "CHG"));
        assert!(!has_ticket("XCHG-12", "CHG"));
        assert!(!has_ticket("no ticket", "CHG"));
    }

    #[test]
    fn money_is_grouped() {
        assert_eq!(money(7000.0), "7,000");
        assert_eq!(money(1234567.5), "1,234,567.50");
        assert_eq!(money(12.05), "12.05");
    }

    #[test]
    fn zones_map_to_regions() {
        assert_eq!(zone_region("eu-west-1a"), "eu-west-1");
        assert_eq!(zone_region("us-east-1"), "us-east-1");
        let mut v = Value::from(vec!["us-east-1a", "us-east-1b"]);
        rewrite_region(&mut v, "eu-central-1");
        assert_eq!(v, Value::from(vec!["eu-central-1a", "eu-central-1b"]));
    }

    #[test]
    fn sentences_are_capitalised_and_closed() {
        assert_eq!(sentence("the plan"), "The plan.");
        assert_eq!(sentence("Done!"), "Done!");
        assert_eq!(
            sentence("aws_db_instance.main is open"),
            "aws_db_instance.main is open."
        );
    }

    #[test]
    fn every_matching_case_is_fixed_in_one_finding() {
        use crate::test_support::{plan, res};
        use paved_core::{Environment, Intent};
        use serde_json::json;
        let policy = GuardrailPolicy::parse(
            "g.yaml",
            r#"
version: "1"
rules:
  security:
    - name: volumes
      level: hard
      enforcement: auto-fix
      cases:
        - applies_to: [aws_instance]
          condition: {attribute: root_block_device.encrypted, not_equals: true}
          fix: {set: {root_block_device.encrypted: true}}
        - applies_to: [aws_instance]
          condition:
            all:
              - {attribute: ebs_block_device, missing: false}
              - {attribute: ebs_block_device.encrypted, not_equals: true}
          fix: {set: {ebs_block_device.encrypted: true}}
"#,
        )
        .unwrap();
        let mut p = plan(
            Environment::Development,
            vec![
                res(
                    "aws_instance",
                    "both",
                    json!({"root_block_device": [{}], "ebs_block_device": [
                        {"encrypted": true}, {"encrypted": "false"}]}),
                ),
                res(
                    "aws_instance",
                    "extra_only",
                    json!({"root_block_device": [{"encrypted": 1}],
                        "ebs_block_device": [{"device_name": "/dev/sdf"}]}),
                ),
                res(
                    "aws_instance",
                    "fine",
                    json!({"root_block_device": [{"encrypted": true}], "ebs_block_device": []}),
                ),
            ],
        );
        let intent = Intent::empty();
        let ctx = crate::AuditContext::default();
        let facts = Facts::new("x", &intent, &ctx);
        let j = evaluate(&policy, &mut p, &facts, &|_| {});
        assert_eq!(j.findings.len(), 2, "{:#?}", j.findings);
        assert!(
            j.findings[0]
                .message
                .contains("root_block_device.encrypted = true, ebs_block_device.encrypted = true"),
            "{}",
            j.findings[0].message
        );
        // The `all` case speaks of the attribute it guards, not the guard.
        assert!(
            j.findings[1]
                .message
                .contains("ebs_block_device.encrypted is not true"),
            "{}",
            j.findings[1].message
        );
        for r in &p.resources[..2] {
            assert!(
                r.values["ebs_block_device"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .all(|d| d["encrypted"] == json!(true))
            );
        }
        assert_eq!(p.resources[2].values["ebs_block_device"], json!([]));
    }
}
