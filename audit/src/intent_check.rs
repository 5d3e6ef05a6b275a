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
    Action, Check, Component, Environment, Finding, Intent, Level, Outcome, Plan, Resource,
    ResourceAction,
};
use paved_planner::understand::ASSUMED_ENVIRONMENT;
use serde_json::{Map, Value};

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
    /// For a change (modify, scale): the plan the shipped planner makes for it against the
    /// service as its golden path builds it, when it can; what kinds of resources it changes.
    pub changes: Option<Plan>,
}

pub const RULE_SCOPE: &str = "intent_scope";
pub const RULE_ACTIONS: &str = "intent_actions";
pub const RULE_RESOURCES: &str = "intent_resources";
pub const RULE_SIZE: &str = "intent_size";
pub const RULE_OFF_ROAD: &str = "off_road";
pub const RULE_REGION: &str = "intent_region";
pub const RULE_BASELINE: &str = "intent_baseline";

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
    region(intent, request, plan, &mut findings);
    checks.push(check_line(
        RULE_REGION,
        &findings[before..],
        format!("Everything sits in {}", plan.region),
    ));

    let before = findings.len();
    actions(intent, plan, &mut findings);
    changes(intent, request, plan, reference, &mut findings);
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
        resources(intent, request, plan, reference, &mut findings);
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
            baseline(intent, plan, reference, &mut findings);
        }
        checks.push(check_line(
            RULE_BASELINE,
            &findings[before..],
            format!("Keeps the {path} baseline (flow logs, alarms, dashboards, firewalls)"),
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
    // A goal of a word or two qualifies the noun ("nightly batch job"); a longer phrase ("gpu
    // for ml experiments") is left to the noun.
    let goal = intent.details.goal.trim().to_lowercase();
    let goal = if goal.split_whitespace().count() <= 2
        && !goal
            .split_whitespace()
            .any(|w| matches!(w, "for" | "of" | "to" | "with" | "from" | "in" | "on" | "and"))
    {
        goal
    } else {
        String::new()
    };
    let what = match intent.golden_path.as_deref().map(path_noun) {
        // The request's own word for it when it says more than the path's noun ("a production
        // analytics data pipeline", "a production nightly batch job").
        Some(noun) if goal.is_empty() || noun.to_lowercase().contains(goal.as_str()) => noun.to_string(),
        Some(noun) if goal.ends_with(&noun.to_lowercase()) => goal,
        Some(noun) => format!("{goal} {noun}"),
        None if !goal.is_empty() => goal,
        None => match &intent.service {
            Some(s) => s.clone(),
            None => "this change".to_string(),
        },
    };
    format!("{} {what}", intent.environment)
}

/// What a golden path builds, as a noun ("data pipeline").
fn path_noun(path: &str) -> &str {
    match path {
        "standard_web_app" => "web app",
        "api_microservice" => "API",
        "data_pipeline" => "data pipeline",
        "machine_learning" => "machine learning environment",
        "batch_processing" => "batch job",
        other => other,
    }
}

/// Environment and service scope.
fn scope(intent: &Intent, plan: &Plan, out: &mut Vec<Finding>) {
    let wanted = intent.environment;
    // A change whose environment was only assumed acts where the service lives (the planner
    // moves it there), so only a plan more sensitive than assumed is out of scope.
    let assumed = intent.action != Action::Create
        && intent.assumptions.iter().any(|a| a == ASSUMED_ENVIRONMENT);
    let off = |e: Environment| {
        sensitivity(e) > sensitivity(wanted) || (!assumed && sensitivity(e) < sensitivity(wanted))
    };
    // Less sensitive than asked is as wrong as more: the production rules (Multi-AZ, backups,
    // deletion protection) would not apply to a production request's plan labelled development.
    let whole_plan = off(plan.environment);
    // Resources that point where the whole plan does are said once, in the plan's finding.
    let mut with_the_plan = 0;
    let mut per_resource = Vec::new();
    for r in &plan.resources {
        let declared = declared_environment(r).filter(|e| off(*e));
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
        let why = if sensitivity(plan.environment) < sensitivity(wanted) {
            format!(", where the {wanted} safeguards do not apply")
        } else {
            String::new()
        };
        out.push(veto(
            RULE_SCOPE,
            None,
            format!(
                "You asked for {wanted}, but the plan targets {}{marked}{why}",
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
        "a service the request does not name".to_string()
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
                if targets.is_empty() {
                    "Name the service, or the request that created it, in the request".to_string()
                } else {
                    format!("Limit the plan to the resources of {shown_targets}")
                },
            ));
        }
    }
}

/// A resource of the plan is matched to the reference's resources of its type by name first, then
/// in plan order; what is left over nobody asked for.
fn resources(
    intent: &Intent,
    request: &str,
    plan: &Plan,
    reference: &Reference,
    out: &mut Vec<Finding>,
) {
    let named = named_types(request);
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
    // What the request counts and whether it asks for a replica, read once.
    let replicas = asks_replication(request);
    let machines = asked_count(request)
        .filter(|(_, _, noun)| {
            matches!(noun.as_str(), "instance" | "instances" | "server" | "servers")
        })
        .map(|(n, _, _)| n);
    let mut planned: BTreeMap<&str, Vec<&Resource>> = BTreeMap::new();
    for r in creates.iter().filter(|r| !configures_another(r, plan)) {
        planned.entry(r.kind.as_str()).or_default().push(r);
    }
    for (kind, list) in planned {
        // A type the path's plan does not have but the request's own words name ("loading logs
        // into Redshift", "a customer-managed KMS key") is asked for: one of it.
        if !by_type.contains_key(kind) && named.contains(&kind) {
            by_type.insert(kind, vec![""]);
        }
        let mut slots: Vec<&str> = by_type.get(kind).cloned().unwrap_or_default();
        // "with disaster-recovery replication": one copy of a data store more.
        if REPLICATED.contains(&kind) && !slots.is_empty() && replicas {
            slots.push("");
        }
        // "two GPU training instances": as many machines as the request counts.
        if kind == "aws_instance"
            && !slots.is_empty()
            && let Some(n) = machines
        {
            while (slots.len() as u64) < n.min(list.len() as u64) {
                slots.push("");
            }
        }
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

/// Resource types a request's words name, in the words people use for them. A type named here is
/// asked for even when the golden path's plan has none.
const NAMED_TYPES: &[(&[&str], &[&str])] = &[
    (
        &["redshift", "data warehouse", "warehouse"],
        &[
            "aws_redshift_cluster",
            "aws_redshift_subnet_group",
            "aws_redshift_parameter_group",
        ],
    ),
    (
        &["opensearch", "elasticsearch"],
        &["aws_opensearch_domain", "aws_elasticsearch_domain"],
    ),
    (
        &[
            "kms key",
            "customer-managed key",
            "customer managed key",
            "customer-managed kms",
            "cmk",
        ],
        &["aws_kms_key", "aws_kms_alias"],
    ),
    (
        &["ebs volume", "ebs", "scratch volume", "data volume"],
        &["aws_ebs_volume", "aws_volume_attachment"],
    ),
    (
        &["ec2", "virtual machine", "vm", "bastion"],
        &["aws_instance"],
    ),
    (&["sqs", "queue"], &["aws_sqs_queue", "aws_sqs_queue_policy"]),
    (
        &["sns", "topic"],
        &[
            "aws_sns_topic",
            "aws_sns_topic_subscription",
            "aws_sns_topic_policy",
        ],
    ),
    (
        &["function url", "lambda url"],
        &["aws_lambda_function_url"],
    ),
    (
        &[
            "load balancer",
            "nlb",
            "alb",
            "network load balancer",
            "application load balancer",
        ],
        &[
            "aws_lb",
            "aws_lb_listener",
            "aws_lb_target_group",
            "aws_security_group",
        ],
    ),
    // Who may connect, said as a network: "reachable only from the corporate network",
    // "allow HTTPS only from our prefix list".
    (
        &[
            "only from",
            "corporate network",
            "prefix list",
            "vpn",
            "allowlist",
            "whitelist",
        ],
        &["aws_security_group", "aws_vpc_security_group_ingress_rule"],
    ),
    (
        &["efs", "shared file system", "file system"],
        &["aws_efs_file_system", "aws_efs_mount_target"],
    ),
    (&["cloudfront", "cdn"], &["aws_cloudfront_distribution"]),
    (
        &["waf", "web application firewall"],
        &["aws_wafv2_web_acl", "aws_wafv2_web_acl_association"],
    ),
    (&["kinesis"], &["aws_kinesis_stream"]),
    (
        &["secrets manager", "secret"],
        &["aws_secretsmanager_secret", "aws_secretsmanager_secret_version"],
    ),
];

/// Words that, right before a name, rule it out ("no redshift", "without a queue").
const RULED_OUT: &[&str] = &["no", "without", "not", "skip", "except"];

/// Lower-case words of a request, punctuation dropped.
fn words_of(request: &str) -> Vec<String> {
    request
        .to_ascii_lowercase()
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '.'))
        .map(|w| w.trim_matches('.').to_string())
        .filter(|w| !w.is_empty())
        .collect()
}

/// Where the phrase `p` (words) starts among `words`.
fn phrase_at(words: &[String], p: &str) -> Vec<usize> {
    let want: Vec<&str> = p.split(' ').collect();
    (0..words.len())
        .filter(|&i| {
            want.iter()
                .enumerate()
                .all(|(k, w)| words.get(i + k).is_some_and(|x| x == w))
        })
        .collect()
}

/// The resource types the request names by the words people use for them, unless ruled out.
fn named_types(request: &str) -> Vec<&'static str> {
    let words = words_of(request);
    let mut out = Vec::new();
    for (phrases, kinds) in NAMED_TYPES {
        let named = phrases.iter().any(|p| {
            phrase_at(&words, p).into_iter().any(|i| {
                let before = words[i.saturating_sub(2)..i].iter();
                !before.into_iter().any(|w| RULED_OUT.contains(&w.as_str()))
            })
        });
        if named {
            out.extend(kinds.iter().copied());
        }
    }
    out
}

/// A region code (`eu-central-1`, `us-gov-west-1`).
fn is_region(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() >= 3
        && parts[0].len() == 2
        && parts[0].chars().all(|c| c.is_ascii_lowercase())
        && parts[1..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase()))
        && parts[parts.len() - 1].chars().all(|c| c.is_ascii_digit())
        && !parts[parts.len() - 1].is_empty()
}

/// The regions a resource's own attributes point at: availability zones, `region` attributes
/// (`awslogs-region`, a dashboard widget's `region`, provider v6's per-resource `region`) and
/// ARNs, also inside JSON kept as a string (container definitions), each with where it was seen.
fn attribute_regions(v: &Value, key: &str, out: &mut Vec<(String, String)>) {
    match v {
        Value::Object(m) => m.iter().for_each(|(k, x)| attribute_regions(x, k, out)),
        Value::Array(items) => items.iter().for_each(|x| attribute_regions(x, key, out)),
        Value::String(s) => {
            let s = s.trim();
            if (s.starts_with('{') || s.starts_with('['))
                && let Ok(inner) = serde_json::from_str::<Value>(s)
            {
                attribute_regions(&inner, key, out);
                return;
            }
            let k = key.to_ascii_lowercase();
            if k.contains("availability_zone") {
                let region = s.trim_end_matches(|c: char| c.is_ascii_lowercase());
                if region != s && is_region(region) {
                    out.push((region.to_string(), format!("{key} {s}")));
                }
            } else if (k == "region" || k.ends_with("-region") || k.ends_with("_region"))
                && is_region(s)
            {
                out.push((s.to_string(), format!("{key} {s}")));
            } else if s.starts_with("arn:aws")
                && let Some(region) = s.split(':').nth(3)
                && is_region(region)
            {
                out.push((region.to_string(), format!("an ARN in {region}")));
            }
        }
        _ => {}
    }
}

/// The region the request names: the plan must be there, and so must every resource of it.
fn region(intent: &Intent, request: &str, plan: &Plan, out: &mut Vec<Finding>) {
    let assumed = |prefix: &str| intent.assumptions.iter().any(|a| a.starts_with(prefix));
    // "EU" alone means any EU region; a region assumed by default or for GDPR was not named
    // (GDPR residency is the guardrail's).
    let eu_only = intent
        .assumptions
        .iter()
        .any(|a| a.starts_with("Region assumed") && a.contains("the EU"));
    let named = !assumed("Region assumed") && !assumed("Region set to");
    let lower = request.to_ascii_lowercase();
    if named && plan.region != intent.region {
        out.push(veto(
            RULE_REGION,
            None,
            format!(
                "You asked for {}, but the plan is in {}",
                intent.region, plan.region
            ),
            format!("Plan the request in {}", intent.region),
        ));
    } else if eu_only && !plan.region.starts_with("eu-") {
        out.push(veto(
            RULE_REGION,
            None,
            format!("You asked for the EU, but the plan is in {}", plan.region),
            "Plan the request in an EU region".to_string(),
        ));
    }
    // Another region is fine only where the request names it or asks for more than one.
    let spaced = lower.replace('-', " ");
    let many = [
        "cross region",
        "multi region",
        "disaster recovery",
        "second region",
        "replication to",
        "replicated to",
        "replica in",
    ]
    .iter()
    .any(|w| spaced.contains(w));
    if many {
        return;
    }
    let mut elsewhere: Vec<(String, String, String)> = Vec::new();
    for r in plan
        .resources
        .iter()
        .filter(|r| r.action != ResourceAction::Delete)
    {
        let mut seen = Vec::new();
        for (k, v) in &r.values {
            attribute_regions(v, k, &mut seen);
        }
        if let Some((region, how)) = seen
            .into_iter()
            .find(|(region, _)| *region != plan.region && !lower.contains(region.as_str()))
        {
            elsewhere.push((r.address.clone(), region, how));
        }
    }
    if elsewhere.is_empty() {
        return;
    }
    let mut regions: Vec<&str> = elsewhere.iter().map(|(_, r, _)| r.as_str()).collect();
    regions.sort();
    regions.dedup();
    let shown: Vec<String> = elsewhere
        .iter()
        .take(3)
        .map(|(a, _, how)| format!("{a} ({how})"))
        .collect();
    let more = match elsewhere.len() {
        n if n > 3 => format!(" and {} more", n - 3),
        _ => String::new(),
    };
    out.push(veto(
        RULE_REGION,
        (elsewhere.len() == 1).then_some(elsewhere[0].0.as_str()),
        format!(
            "The plan says {}, but {} of its resources point at {}: {}{more}",
            plan.region,
            elsewhere.len(),
            regions.join(" and "),
            shown.join(", ")
        ),
        format!("Keep every resource, zone, log and ARN in {}", plan.region),
    ));
}

/// The golden path's security and observability baseline, as people call each part.
const BASELINE: &[(&str, &str)] = &[
    ("aws_flow_log", "VPC flow logs"),
    ("aws_cloudwatch_metric_alarm", "CloudWatch alarms"),
    ("aws_cloudwatch_dashboard", "monitoring dashboards"),
    ("aws_cloudwatch_log_group", "log groups"),
    ("aws_wafv2_web_acl", "the web application firewall"),
    (
        "aws_wafv2_web_acl_association",
        "the firewall's association",
    ),
    (
        "aws_s3_bucket_public_access_block",
        "S3 public access blocks",
    ),
    ("aws_kms_key", "encryption keys"),
    ("aws_cloudtrail", "CloudTrail"),
    ("aws_guardduty_detector", "GuardDuty"),
    ("aws_sns_topic", "alarm notifications"),
    // The API path's rate limiting.
    (
        "aws_api_gateway_method_settings",
        "API throttling (rate limiting)",
    ),
    ("aws_api_gateway_usage_plan", "the API's usage plan"),
];

/// A create plan on a golden path keeps the path's baseline that the audit's own plan for the
/// request has: refused in production, a warning elsewhere.
fn baseline(intent: &Intent, plan: &Plan, reference: &Plan, out: &mut Vec<Finding>) {
    let count = |p: &Plan, kind: &str| {
        p.resources
            .iter()
            .filter(|r| r.kind == kind && r.action != ResourceAction::Delete)
            .count()
    };
    let mut missing = Vec::new();
    for (kind, what) in BASELINE {
        let (want, have) = (count(reference, kind), count(plan, kind));
        if have < want {
            missing.push(if have == 0 {
                (*what).to_string()
            } else {
                format!("{} of {want} {what}", want - have)
            });
        }
    }
    if missing.is_empty() {
        return;
    }
    let path = reference
        .golden_path
        .clone()
        .unwrap_or_else(|| "chosen".to_string());
    let list = match missing.as_slice() {
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
        [] => String::new(),
    };
    let production = intent.environment == Environment::Production;
    // The resource of the plan the first missing part would watch or guard (the VPC of the flow
    // logs, the database of an alarm), when the plan has it.
    let guarded = reference
        .resources
        .iter()
        .filter(|r| {
            BASELINE.iter().any(|(k, _)| *k == r.kind)
                && count(plan, &r.kind) < count(reference, &r.kind)
        })
        .flat_map(|r| r.depends_on.iter())
        .find(|a| plan.resource(a).is_some())
        .cloned();
    out.push(Finding {
        rule: RULE_BASELINE.to_string(),
        level: Level::Intent,
        outcome: if production {
            Outcome::Veto
        } else {
            Outcome::Warn
        },
        resource: guarded,
        message: sentence(&format!(
            "The plan leaves out the {path} golden path's baseline for {}: {list}",
            with_article(&asked(intent))
        )),
        suggestion: Some(sentence(&format!("Keep the {path} golden path's {list}"))),
    });
}

/// Data that a replace (destroy, then create) loses.
const STATEFUL: &[&str] = &[
    "aws_db_instance",
    "aws_rds_cluster",
    "aws_rds_cluster_instance",
    "aws_elasticache_replication_group",
    "aws_elasticache_cluster",
    "aws_s3_bucket",
    "aws_dynamodb_table",
    "aws_efs_file_system",
    "aws_redshift_cluster",
    "aws_opensearch_domain",
    "aws_ebs_volume",
    "aws_kms_key",
];

/// Protection of production data a change may not turn off unless asked: the attribute, its weak
/// value, and words of a request that ask for that change.
const PROTECTIONS: &[(&str, &str, &[&str])] = &[
    ("deletion_protection", "false", &["deletion protection"]),
    (
        "deletion_protection_enabled",
        "false",
        &["deletion protection"],
    ),
    ("backup_retention_period", "0", &["backup"]),
    ("skip_final_snapshot", "true", &["snapshot"]),
    ("delete_automated_backups", "true", &["backup"]),
];

/// True when a value, as Terraform may write it (`false`, `"false"`, `0`, `"0"`), is `weak`.
fn is_value(v: &Value, weak: &str) -> bool {
    match v {
        Value::Bool(b) => b.to_string() == weak,
        Value::Number(n) => n
            .as_f64()
            .is_some_and(|x| weak.parse::<f64>().is_ok_and(|w| w == x)),
        Value::String(s) => s.trim().eq_ignore_ascii_case(weak),
        _ => false,
    }
}

/// The resource types and attributes that carry a count: `(type, attribute)`.
type CountAttributes = &'static [(&'static str, &'static str)];

/// What a count in a scale request counts, and the attributes that carry it.
const COUNTED: &[(&[&str], CountAttributes)] = &[
    (
        &[
            "task",
            "tasks",
            "container",
            "containers",
            "replica",
            "replicas",
            "copies",
        ],
        &[("aws_ecs_service", "desired_count")],
    ),
    (
        &[
            "instance",
            "instances",
            "server",
            "servers",
            "worker",
            "workers",
        ],
        &[
            ("aws_ecs_service", "desired_count"),
            ("aws_autoscaling_group", "desired_capacity"),
        ],
    ),
    (
        &["node", "nodes"],
        &[("aws_elasticache_replication_group", "num_cache_clusters")],
    ),
];

/// The count a scale request asks for ("to 4 tasks"), with what it counts.
fn asked_count(request: &str) -> Option<(u64, CountAttributes, String)> {
    let words = words_of(request);
    (0..words.len()).find_map(|i| {
        let n = count_word(&words[i])?;
        // "by 2 tasks" is a step, not the count.
        if i > 0 && words[i - 1] == "by" {
            return None;
        }
        // The noun, with up to two words between ("20 parallel tasks", "two GPU training
        // instances").
        words.iter().skip(i + 1).take(3).find_map(|w| {
            COUNTED
                .iter()
                .find(|(nouns, _)| nouns.contains(&w.as_str()))
                .map(|(_, attrs)| (n, *attrs, w.clone()))
        })
    })
}

/// Data stores a replica of which is one more of the same type.
const REPLICATED: &[&str] = &[
    "aws_s3_bucket",
    "aws_db_instance",
    "aws_rds_cluster",
    "aws_dynamodb_table",
];

/// The request asks for a copy of its data kept elsewhere.
fn asks_replication(request: &str) -> bool {
    let spaced = request.to_ascii_lowercase().replace('-', " ");
    ["replication", "replica", "replicate", "disaster recovery"]
        .iter()
        .any(|w| spaced.contains(w))
}

/// A count in digits or in words up to twenty.
fn count_word(w: &str) -> Option<u64> {
    const WORDS: [&str; 20] = [
        "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
        "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
        "nineteen", "twenty",
    ];
    w.parse()
        .ok()
        .or_else(|| WORDS.iter().position(|x| *x == w).map(|i| i as u64 + 1))
}

/// True when some count of `r` (`desired_count`, `ecs_target.task_count`, `desired_capacity`,
/// ...) is `n`: the request asked for that many.
fn has_count(r: &Resource, n: u64) -> bool {
    fn in_map(m: &Map<String, Value>, n: u64) -> bool {
        m.iter().any(|(k, v)| {
            ((k.ends_with("count") || k.ends_with("capacity") || k.ends_with("clusters"))
                && number(v) == Some(n as f64))
                || in_value(v, n)
        })
    }
    fn in_value(v: &Value, n: u64) -> bool {
        match v {
            Value::Object(m) => in_map(m, n),
            Value::Array(items) => items.iter().any(|i| in_value(i, n)),
            _ => false,
        }
    }
    in_map(&r.values, n)
}

fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A change (modify, scale) changes only what the request names: the count it asks for, only
/// the kinds of resources the change touches (by the audit's own plan of it, or the request's
/// words), and a replace of something that holds data only when the request asks for one.
fn changes(
    intent: &Intent,
    request: &str,
    plan: &Plan,
    reference: &Reference,
    out: &mut Vec<Finding>,
) {
    if !matches!(intent.action, Action::Modify | Action::Scale) {
        return;
    }
    let target = named_targets(intent).join(", ");
    let target = if target.is_empty() {
        "the service".to_string()
    } else {
        target
    };
    let verb = intent.action.as_str();
    let changing = |r: &&Resource| {
        matches!(
            r.action,
            ResourceAction::Update | ResourceAction::Replace | ResourceAction::Create
        )
    };

    // The count asked for.
    if intent.action == Action::Scale
        && let Some((n, attrs, noun)) = asked_count(request)
    {
        for r in plan.resources.iter().filter(changing) {
            for (kind, attr) in attrs {
                if r.kind != *kind {
                    continue;
                }
                if let Some(have) = r.value(attr).and_then(number)
                    && have != n as f64
                {
                    out.push(veto(
                        RULE_SIZE,
                        Some(&r.address),
                        format!(
                            "You asked to scale {target} to {n} {noun}; the plan sets {} {attr} to {have}",
                            r.address
                        ),
                        format!("Set {attr} of {} to {n}", r.address),
                    ));
                }
            }
            // An autoscaling range that cannot hold the count asked for.
            if r.kind == "aws_appautoscaling_target"
                && attrs.iter().any(|(k, _)| *k == "aws_ecs_service")
                && r.str_value("scalable_dimension")
                    .is_none_or(|d| d == "ecs:service:DesiredCount")
            {
                let min = r.value("min_capacity").and_then(number);
                let max = r.value("max_capacity").and_then(number);
                if min.is_some_and(|m| m > n as f64) || max.is_some_and(|m| m < n as f64) {
                    out.push(veto(
                        RULE_SIZE,
                        Some(&r.address),
                        format!(
                            "You asked to scale {target} to {n} {noun}; the plan's autoscaling keeps \
                             it between {} and {}",
                            min.map(|m| m.to_string()).unwrap_or_else(|| "?".into()),
                            max.map(|m| m.to_string()).unwrap_or_else(|| "?".into())
                        ),
                        format!("Let {} reach {n}", r.address),
                    ));
                }
            }
        }
    }

    // The kinds of resources the change may touch.
    let words = words_of(request);
    let mut allowed: Vec<String> = named_types(request).iter().map(|k| k.to_string()).collect();
    if let Some(changes) = &reference.changes {
        allowed.extend(changes.resources.iter().map(|r| r.kind.clone()));
    }
    if let Some((_, attrs, _)) = asked_count(request) {
        allowed.extend(attrs.iter().map(|(k, _)| k.to_string()));
        allowed.push("aws_appautoscaling_target".to_string());
        allowed.push("aws_appautoscaling_policy".to_string());
    }
    for (phrases, kinds) in [
        (
            &["database", "db", "postgres", "postgresql", "mysql", "rds"][..],
            &[
                "aws_db_instance",
                "aws_db_parameter_group",
                "aws_db_subnet_group",
                "aws_rds_cluster",
            ][..],
        ),
        (
            &["cache", "redis", "elasticache"][..],
            &["aws_elasticache_replication_group"][..],
        ),
        (&["bucket", "s3"][..], &["aws_s3_bucket"][..]),
        (&["table", "dynamodb"][..], &["aws_dynamodb_table"][..]),
        (&["function", "lambda"][..], &["aws_lambda_function"][..]),
        (
            &["load balancer", "alb"][..],
            &["aws_lb", "aws_lb_listener"][..],
        ),
    ] {
        if phrases.iter().any(|p| !phrase_at(&words, p).is_empty()) {
            allowed.extend(kinds.iter().map(|k| k.to_string()));
        }
    }
    let replace_asked = ["replace", "recreate", "rebuild", "re-create"]
        .iter()
        .any(|w| words.iter().any(|x| x == w));
    for r in plan.resources.iter().filter(changing) {
        if r.action == ResourceAction::Replace
            && STATEFUL.contains(&r.kind.as_str())
            && !replace_asked
        {
            out.push(veto(
                RULE_ACTIONS,
                Some(&r.address),
                format!(
                    "You asked to {verb} {target}; the plan would replace {}, destroying it and \
                     its data, which the request did not ask for",
                    r.address
                ),
                format!(
                    "Change {} in place, or ask for its replacement in the request",
                    r.address
                ),
            ));
            continue;
        }
        // Protection a production change turns off without being asked to.
        if plan.environment == Environment::Production {
            let off: Vec<&str> = PROTECTIONS
                .iter()
                .filter(|(attr, weak, asked)| {
                    r.value(attr).is_some_and(|v| is_value(v, weak))
                        && !asked
                            .iter()
                            .any(|w| request.to_ascii_lowercase().contains(w))
                })
                .map(|(attr, _, _)| *attr)
                .collect();
            if !off.is_empty() {
                out.push(veto(
                    RULE_ACTIONS,
                    Some(&r.address),
                    format!(
                        "You asked to {verb} {target}; the plan would also weaken {} ({}), which \
                         the request did not ask for",
                        r.address,
                        off.join(", ")
                    ),
                    format!("Keep the protection of {} as it is", r.address),
                ));
                continue;
            }
        }
        // Without the audit's own plan of the change or words that name a kind, nothing is known
        // to compare with.
        if reference.changes.is_none() && allowed.is_empty() {
            continue;
        }
        if !allowed.contains(&r.kind) {
            out.push(veto(
                RULE_ACTIONS,
                Some(&r.address),
                format!(
                    "You asked to {verb} {target}; the plan would also {} {}, which the request \
                     did not name, and nothing may be changed that the request did not name",
                    r.action, r.address
                ),
                format!("Leave {} out of the plan", r.address),
            ));
        }
    }
}

/// "a production web app", "an analytics pipeline".
fn with_article(s: &str) -> String {
    format!("{} {s}", article(s))
}

/// Resource types that only configure another resource, split out of it as Terraform's AWS
/// provider allows (a bucket's encryption, policy or public access block; a security group's
/// rules): type prefix, and the type they configure.
const COMPANIONS: &[(&str, &str)] = &[
    ("aws_s3_bucket_", "aws_s3_bucket"),
    ("aws_security_group_rule", "aws_security_group"),
    ("aws_vpc_security_group_ingress_rule", "aws_security_group"),
    ("aws_vpc_security_group_egress_rule", "aws_security_group"),
];

/// True when `r` configures a resource of the plan (it refers to it) rather than adding one of its
/// own: it follows from what it configures, and the guardrails judge its settings.
fn configures_another(r: &Resource, plan: &Plan) -> bool {
    let Some((_, parent)) = COMPANIONS
        .iter()
        .find(|(prefix, _)| r.kind.starts_with(prefix))
    else {
        return false;
    };
    let mut texts = Vec::new();
    for v in r.values.values() {
        crate::facts::strings(v, &mut texts);
    }
    plan.resources
        .iter()
        .filter(|p| p.kind == *parent)
        .any(|p| texts.iter().any(|t| crate::facts::mentions_address(t, &p.address)))
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
    let asked = asked_count(request).map(|(n, _, _)| n);
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
        // "run 20 parallel tasks", "10 tasks": as many as the request asked for.
        if asked.is_some_and(|n| has_count(r, n)) {
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
    use super::{article, asked_count, attribute_regions, is_region, named_types};
    use serde_json::json;

    #[test]
    fn request_words_name_resource_types_unless_ruled_out() {
        let named = named_types("an analytics data pipeline loading logs into Redshift");
        assert!(named.contains(&"aws_redshift_cluster"), "{named:?}");
        assert!(named_types("a web app with a customer-managed KMS key").contains(&"aws_kms_key"));
        assert!(named_types("a web app, no redshift").is_empty());
        assert!(named_types("a production web app with PostgreSQL").is_empty());
    }

    #[test]
    fn counts_of_scale_requests() {
        let (n, attrs, noun) = asked_count("scale payment-service to 4 tasks").unwrap();
        assert_eq!((n, noun.as_str()), (4, "tasks"));
        assert_eq!(attrs[0], ("aws_ecs_service", "desired_count"));
        assert!(asked_count("scale payment-service up by 2 tasks").is_none());
        assert!(asked_count("scale payment-service, ticket CHG-20417").is_none());
    }

    #[test]
    fn regions_in_zones_attributes_arns_and_embedded_json() {
        assert!(is_region("eu-central-1") && is_region("us-gov-west-1"));
        assert!(!is_region("us-east-1a") && !is_region("web-app") && !is_region("chg-1234"));
        let mut seen = Vec::new();
        let values = json!({
            "availability_zone": "us-east-1a",
            "container_definitions": "[{\"logConfiguration\": {\"options\": {\"awslogs-region\": \"us-west-2\"}}}]",
            "role": "arn:aws:iam::123456789012:role/x",
            "topic": "arn:aws:sns:ap-northeast-1:123456789012:alarms"
        });
        attribute_regions(&values, "", &mut seen);
        let regions: Vec<&str> = seen.iter().map(|(r, _)| r.as_str()).collect();
        assert_eq!(regions, ["us-east-1", "us-west-2", "ap-northeast-1"]);
    }

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
