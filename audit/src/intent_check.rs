//! The intent check: does the plan do what the request asked, and only that?
//!
//! The audit reads the request itself and plans it on the shipped golden paths; that plan is the
//! reference of what the request justifies. The plan under audit is compared with it by resource
//! type and count (a multiset), never by name, so plans from other tools pass when they build the
//! same things. Scope (environment, service), actions (a create request deletes nothing) and size
//! (nothing far dearer than the request implies) are checked from the audit's reading alone.

use std::collections::BTreeMap;

use paved_core::guardrail::{IntentCheckPolicy, render};
use paved_core::{
    Action, Check, Component, Finding, Intent, Level, Outcome, Plan, Resource, ResourceAction,
};
use serde_json::Value;

use crate::engine::money;
use crate::facts::{
    belongs_to, declared_environment, named_environments, named_targets, normalise_name,
    sensitivity,
};

/// What the request justifies, by the audit's own planning.
#[derive(Debug, Clone)]
pub struct Reference {
    /// The plan the shipped planner makes from the audit's reading, priced; `None` when the
    /// request cannot be planned as read.
    pub plan: Option<Plan>,
    /// Why there is no reference plan, in plain English.
    pub why_none: Option<String>,
}

pub const RULE_SCOPE: &str = "intent_scope";
pub const RULE_ACTIONS: &str = "intent_actions";
pub const RULE_RESOURCES: &str = "intent_resources";
pub const RULE_SIZE: &str = "intent_size";
pub const RULE_OFF_ROAD: &str = "off_road";

/// Runs the intent check. `plan` carries costs recomputed from the price table.
pub fn check(
    intent: &Intent,
    request: &str,
    plan: &Plan,
    reference: &Reference,
    policy: &IntentCheckPolicy,
) -> (Vec<Finding>, Vec<Check>) {
    let mut findings = Vec::new();
    let mut checks = Vec::new();
    let before = findings.len();
    scope(intent, plan, &mut findings);
    checks.push(check_line(
        RULE_SCOPE,
        &findings[before..],
        format!(
            "Stays within what the request names ({} environment)",
            intent.environment
        ),
    ));

    let before = findings.len();
    actions(intent, plan, &mut findings);
    checks.push(check_line(
        RULE_ACTIONS,
        &findings[before..],
        format!(
            "Changes only what the request asks ({})",
            intent.action.as_str()
        ),
    ));

    if intent.action == Action::Create {
        let before = findings.len();
        resources(intent, plan, reference, &mut findings);
        let path = reference
            .plan
            .as_ref()
            .and_then(|p| p.golden_path.clone())
            .unwrap_or_else(|| "no golden path".to_string());
        checks.push(check_line(
            RULE_RESOURCES,
            &findings[before..],
            format!("Every resource follows from the request or the {path} baseline"),
        ));
        let before = findings.len();
        if let Some(reference) = &reference.plan {
            size(
                intent,
                request,
                plan,
                reference,
                policy.size_factor,
                &mut findings,
            );
        }
        checks.push(check_line(
            RULE_SIZE,
            &findings[before..],
            format!(
                "No resource costs more than {}x what the request implies",
                policy.size_factor
            ),
        ));
    }

    if !intent.off_road.is_empty() {
        let mut values = BTreeMap::new();
        values.insert("off_road", intent.off_road.join(", "));
        let message = render(&policy.off_road_message, &values);
        findings.push(Finding {
            rule: RULE_OFF_ROAD.to_string(),
            level: Level::Soft,
            outcome: Outcome::Warn,
            resource: None,
            message: sentence(&message),
            suggestion: None,
        });
        checks.push(Check {
            rule: RULE_OFF_ROAD.to_string(),
            passed: false,
            summary: format!(
                "Off-road choice acknowledged: {}",
                intent.off_road.join(", ")
            ),
        });
    }
    (findings, checks)
}

fn check_line(rule: &str, found: &[Finding], passed_summary: String) -> Check {
    let summary = match found {
        [] => passed_summary,
        [one] => one.message.clone(),
        [first, rest @ ..] => format!("{} (and {} more)", first.message, rest.len()),
    };
    Check {
        rule: rule.to_string(),
        passed: found.is_empty(),
        summary,
    }
}

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

fn veto(rule: &str, resource: Option<&str>, message: String, suggestion: String) -> Finding {
    Finding {
        rule: rule.to_string(),
        level: Level::Intent,
        outcome: Outcome::Veto,
        resource: resource.map(str::to_string),
        message: sentence(&message),
        suggestion: Some(sentence(&suggestion)),
    }
}

/// What the user asked for, in a few words ("a development web app").
fn asked(intent: &Intent) -> String {
    let goal = if !intent.details.goal.trim().is_empty() {
        intent.details.goal.trim().to_string()
    } else if let Some(p) = &intent.golden_path {
        p.replace('_', " ")
    } else if let Some(s) = &intent.service {
        s.clone()
    } else {
        "this change".to_string()
    };
    format!("{} {goal}", intent.environment)
}

/// Environment and service scope.
fn scope(intent: &Intent, plan: &Plan, out: &mut Vec<Finding>) {
    let wanted = intent.environment;
    let whole_plan = sensitivity(plan.environment) > sensitivity(wanted);
    // Resources that point where the whole plan does are said once, in the plan's finding.
    let mut with_the_plan = 0;
    let mut per_resource = Vec::new();
    for r in &plan.resources {
        let declared = declared_environment(r).filter(|e| sensitivity(*e) > sensitivity(wanted));
        let named = named_environments(r)
            .into_iter()
            .filter(|e| sensitivity(*e) > sensitivity(wanted))
            .max_by_key(|e| sensitivity(*e));
        if let Some(env) = declared.or(named) {
            if whole_plan && env == plan.environment {
                with_the_plan += 1;
            } else {
                per_resource.push(veto(
                    RULE_SCOPE,
                    Some(&r.address),
                    format!(
                        "You asked for {wanted}, but {} ({}) points at {env}",
                        r.address, r.action
                    ),
                    format!("Keep every resource of a {wanted} request in {wanted}"),
                ));
            }
            continue;
        }
        if let Some(service) = &intent.service {
            let tagged = r
                .value("tags")
                .and_then(|t| {
                    ["paved:service", "service", "Service"]
                        .iter()
                        .find_map(|k| t.get(*k))
                })
                .and_then(Value::as_str);
            // A request id names everything that request created, whatever its service.
            let created_by = r
                .value("tags")
                .and_then(|t| {
                    ["paved:request", "paved:request-id"]
                        .iter()
                        .find_map(|k| t.get(*k))
                })
                .and_then(Value::as_str);
            let named_request =
                created_by.is_some_and(|id| normalise_name(id) == normalise_name(service));
            if let Some(other) = tagged
                && !named_request
                && normalise_name(other) != normalise_name(service)
                && r.action.touches_existing()
            {
                per_resource.push(veto(
                    RULE_SCOPE,
                    Some(&r.address),
                    format!(
                        "You asked about {service}, but the plan would {} {} of {other}",
                        r.action, r.address
                    ),
                    format!("Leave {other}'s resources out of a request about {service}"),
                ));
            }
        }
    }
    if whole_plan {
        let marked = match with_the_plan {
            0 => String::new(),
            1 => " (and so does 1 of its resources)".to_string(),
            n => format!(" (and so do {n} of its resources)"),
        };
        out.push(veto(
            RULE_SCOPE,
            None,
            format!(
                "You asked for {wanted}, but the plan targets {}{marked}",
                plan.environment
            ),
            format!("Plan the request in {wanted}"),
        ));
    }
    out.extend(per_resource);
}

/// Actions the request justifies.
fn actions(intent: &Intent, plan: &Plan, out: &mut Vec<Finding>) {
    let targets = named_targets(intent);
    let shown_targets = if targets.is_empty() {
        "nothing".to_string()
    } else {
        targets.join(", ")
    };
    for r in &plan.resources {
        let allowed: &[ResourceAction] = match intent.action {
            Action::Create => &[ResourceAction::Create],
            Action::Delete => &[ResourceAction::Delete],
            Action::Rollback => &[ResourceAction::Delete, ResourceAction::Update],
            Action::Modify | Action::Scale => &[
                ResourceAction::Update,
                ResourceAction::Replace,
                ResourceAction::Create,
            ],
        };
        if !allowed.contains(&r.action) {
            out.push(veto(
                RULE_ACTIONS,
                Some(&r.address),
                format!(
                    "You asked to {} {}; the plan would {} {}, which the request did not name",
                    intent.action.as_str(),
                    if intent.action == Action::Create {
                        asked(intent)
                    } else {
                        shown_targets.clone()
                    },
                    r.action,
                    r.address
                ),
                format!("Remove the {} of {} from the plan", r.action, r.address),
            ));
            continue;
        }
        if intent.action != Action::Create && !belongs_to(r, &targets) {
            out.push(veto(
                RULE_ACTIONS,
                Some(&r.address),
                format!(
                    "You asked to {} {shown_targets}; the plan would {} {}, which is not part of it",
                    intent.action.as_str(),
                    r.action,
                    r.address
                ),
                format!("Limit the plan to the resources of {shown_targets}"),
            ));
        }
    }
}

/// A resource of the plan is matched to the reference's resources of its type by name first, then
/// in plan order; what is left over nobody asked for.
fn resources(intent: &Intent, plan: &Plan, reference: &Reference, out: &mut Vec<Finding>) {
    let creates: Vec<&Resource> = plan
        .resources
        .iter()
        .filter(|r| r.action == ResourceAction::Create)
        .collect();
    let Some(refplan) = &reference.plan else {
        if !creates.is_empty() {
            let why = reference
                .why_none
                .clone()
                .unwrap_or_else(|| "the request does not say what to build".to_string());
            out.push(veto(
                RULE_RESOURCES,
                None,
                format!(
                    "The audit's own reading of the request justifies no resources ({}), yet the \
                     plan creates {}",
                    why.trim_end_matches('.'),
                    creates.len()
                ),
                "Answer the open questions in the request and plan it again".to_string(),
            ));
        }
        return;
    };
    let path = refplan
        .golden_path
        .clone()
        .unwrap_or_else(|| "chosen".to_string());
    let mut by_type: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for r in refplan
        .resources
        .iter()
        .filter(|r| r.action == ResourceAction::Create)
    {
        by_type
            .entry(r.kind.as_str())
            .or_default()
            .push(r.name.as_str());
    }
    let mut planned: BTreeMap<&str, Vec<&Resource>> = BTreeMap::new();
    for r in &creates {
        planned.entry(r.kind.as_str()).or_default().push(r);
    }
    for (kind, list) in planned {
        let mut slots: Vec<&str> = by_type.get(kind).cloned().unwrap_or_default();
        let mut unmatched: Vec<&Resource> = Vec::new();
        for r in &list {
            match slots.iter().position(|n| *n == r.name) {
                Some(i) => {
                    slots.remove(i);
                }
                None => unmatched.push(r),
            }
        }
        let extra = unmatched.len().saturating_sub(slots.len());
        // The resources that found no slot by name take the remaining slots in plan order; the
        // last ones are extra.
        for r in unmatched.iter().skip(unmatched.len() - extra) {
            let allowed = by_type.get(kind).map(Vec::len).unwrap_or(0);
            let count = list.len();
            out.push(veto(
                RULE_RESOURCES,
                Some(&r.address),
                format!(
                    "You asked for a {}; the plan adds {} ({}), which neither the request nor the \
                     {path} golden path's baseline calls for ({count} {kind} planned, {allowed} \
                     justified)",
                    asked(intent),
                    r.address,
                    noun(&r.kind, intent)
                ),
                format!(
                    "Remove {}; the {path} golden path's plan for this request would be accepted",
                    r.address
                ),
            ));
        }
    }
}

/// The attribute that holds a resource's size, and its value.
fn size_of(r: &Resource) -> Option<String> {
    [
        "instance_class",
        "instance_type",
        "node_type",
        "instance_types",
        "capacity",
    ]
    .iter()
    .find_map(|k| match r.value(k)? {
        Value::String(s) => Some(s.clone()),
        Value::Array(items) => items.first().and_then(Value::as_str).map(str::to_string),
        _ => None,
    })
}

/// True when the user named this size in the request.
fn user_named(size: &str, intent: &Intent, request: &str) -> bool {
    let size = size.to_ascii_lowercase();
    let bare = |s: &str| -> String {
        s.trim_start_matches("db.")
            .trim_start_matches("cache.")
            .trim_start_matches("ml.")
            .to_string()
    };
    intent.details.requested_sizes.iter().any(|s| {
        let s = s.to_ascii_lowercase();
        s == size || bare(&s) == bare(&size)
    }) || request.to_ascii_lowercase().contains(&bare(&size))
}

/// Sizes far dearer than the reference's for the same type.
fn size(
    intent: &Intent,
    request: &str,
    plan: &Plan,
    reference: &Plan,
    factor: f64,
    out: &mut Vec<Finding>,
) {
    for r in plan
        .resources
        .iter()
        .filter(|r| r.action != ResourceAction::Delete)
    {
        let dearest = reference
            .resources
            .iter()
            .filter(|x| x.kind == r.kind)
            .max_by(|a, b| a.monthly_cost_usd.total_cmp(&b.monthly_cost_usd));
        let Some(dearest) = dearest else { continue };
        if dearest.monthly_cost_usd <= 0.0
            || r.monthly_cost_usd <= factor * dearest.monthly_cost_usd
        {
            continue;
        }
        let size = size_of(r);
        if size
            .as_deref()
            .is_some_and(|s| user_named(s, intent, request))
        {
            continue;
        }
        let has = size.unwrap_or_else(|| r.address.clone());
        let (fits, use_it) = match size_of(dearest) {
            Some(size) => (
                format!("{} {size}", article(&size)),
                format!("Use {size} as the golden path sizes it"),
            ),
            None => (
                "the golden path's size".to_string(),
                "Use the golden path's size".to_string(),
            ),
        };
        out.push(veto(
            RULE_SIZE,
            Some(&r.address),
            format!(
                "You asked for {} {}; the plan has {has} (${}/month) instead; {fits} (${}/month) \
                 would fit",
                article(intent.environment.as_str()),
                noun_for_request(&r.kind, intent),
                money(r.monthly_cost_usd),
                money(dearest.monthly_cost_usd)
            ),
            format!("{use_it}, or name the size you need in the request"),
        ));
    }
}

/// "a" or "an" before `word` as it is read aloud: "a db.t3.micro", "an ml.m5.large",
/// "an m5.large", "an environment". A first part with a digit or without a vowel ("ml", "g4dn")
/// is spelled out, so its first letter's name decides.
fn article(word: &str) -> &'static str {
    let lower = word.to_ascii_lowercase();
    let first_part = lower.split('.').next().unwrap_or_default();
    let spelled = first_part.chars().any(|c| c.is_ascii_digit())
        || !first_part.chars().any(|c| "aeiou".contains(c));
    let sounds = if spelled { "aefhilmnorsx" } else { "aeiou" };
    match lower.chars().next() {
        Some(c) if sounds.contains(c) => "an",
        _ => "a",
    }
}

/// "development PostgreSQL database".
fn noun_for_request(kind: &str, intent: &Intent) -> String {
    format!("{} {}", intent.environment, noun(kind, intent))
}

/// A resource type as a person calls it.
fn noun(kind: &str, intent: &Intent) -> String {
    let engine = if intent.has(Component::Postgres) {
        "PostgreSQL "
    } else if intent.has(Component::Mysql) {
        "MySQL "
    } else {
        ""
    };
    match kind {
        "aws_db_instance" | "aws_rds_cluster" | "aws_rds_cluster_instance" => {
            format!("{engine}database")
        }
        k if k.starts_with("aws_elasticache") => "cache".to_string(),
        "aws_instance" => "server".to_string(),
        k if k.starts_with("aws_sagemaker") => "ML instance".to_string(),
        "aws_ecs_service" | "aws_ecs_task_definition" => "container service".to_string(),
        "aws_lambda_function" => "function".to_string(),
        "aws_redshift_cluster" => "data warehouse".to_string(),
        "aws_security_group" => "security group".to_string(),
        "aws_nat_gateway" => "NAT gateway".to_string(),
        other => other.trim_start_matches("aws_").replace('_', " "),
    }
}

#[cfg(test)]
mod tests {
    use super::article;

    #[test]
    fn articles_follow_how_sizes_are_read() {
        for (word, expected) in [
            ("db.t3.micro", "a"),
            ("cache.t3.micro", "a"),
            ("ml.m5.large", "an"),
            ("m5.large", "an"),
            ("r6g.xlarge", "an"),
            ("x2gd.large", "an"),
            ("t3.micro", "a"),
            ("g4dn.xlarge", "a"),
            ("inf1.xlarge", "an"),
            ("production", "a"),
            ("environment", "an"),
        ] {
            assert_eq!(article(word), expected, "{word}");
        }
    }
}
