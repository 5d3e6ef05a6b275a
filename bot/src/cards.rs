//! The cards paved shows a person: what it understood, the plan, the audit's decision.
//!
//! Each card is a view model built from the domain types, rendered by an askama template under
//! `templates/`. The terminal adapter renders the `terminal/` templates; chat adapters render their
//! own wire formats from the same view models, so every platform says the same thing.

use askama::Template;
use paved_core::{Decision, Intent, Plan, Verdict};

/// Formats dollars with thousands separators: `1234.5` → `$1,234.50`.
pub fn usd(amount: f64) -> String {
    let cents = (amount * 100.0).round() as i64;
    let (sign, cents) = if cents < 0 { ("-", -cents) } else { ("", cents) };
    let whole = (cents / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{sign}${grouped}.{:02}", cents % 100)
}

fn list_or(items: impl IntoIterator<Item = String>, none: &str) -> String {
    let v: Vec<String> = items.into_iter().collect();
    if v.is_empty() { none.to_string() } else { v.join(", ") }
}

/// The understanding card: what paved took the request to mean.
#[derive(Template)]
#[template(path = "terminal/understanding.txt")]
pub struct UnderstandingCard {
    pub goal: String,
    pub action: String,
    pub golden_path: String,
    pub environment: String,
    pub components: String,
    pub compliance: String,
    pub region: String,
    pub service: Option<String>,
    pub schedule: Option<String>,
    pub budget: Option<String>,
    pub off_road: Option<String>,
    pub assumptions: Vec<String>,
    pub clarifications: Vec<String>,
    pub confidence: u32,
}

impl UnderstandingCard {
    pub fn new(intent: &Intent) -> UnderstandingCard {
        UnderstandingCard {
            goal: if intent.details.goal.is_empty() {
                "(not stated)".to_string()
            } else {
                intent.details.goal.clone()
            },
            action: intent.action_str().to_string(),
            golden_path: intent.golden_path.clone().unwrap_or_else(|| "none".to_string()),
            environment: intent.environment.to_string(),
            components: list_or(intent.components.iter().map(|c| c.to_string()), "none"),
            compliance: list_or(intent.compliance.iter().map(|c| c.label().to_string()), "none"),
            region: intent.region.clone(),
            service: intent.service.clone(),
            schedule: intent.schedule.clone(),
            budget: intent.budget_monthly_usd.map(|b| format!("{}/month", usd(b))),
            off_road: (!intent.off_road.is_empty()).then(|| intent.off_road.join(", ")),
            assumptions: intent.assumptions.clone(),
            clarifications: intent.clarifications.clone(),
            confidence: (intent.confidence * 100.0).round() as u32,
        }
    }
}

/// One line of the plan card.
pub struct PlanRow {
    pub address: String,
    pub action: String,
    pub cost: String,
    pub why: String,
    pub note: Option<String>,
}

/// The plan card: the golden path, each resource with why it is there, and the cost.
#[derive(Template)]
#[template(path = "terminal/plan.txt")]
pub struct PlanCard {
    pub golden_path: String,
    pub version: String,
    pub environment: String,
    pub region: String,
    pub rows: Vec<PlanRow>,
    pub total: String,
    pub compliance: String,
    pub deploy_minutes: Option<u32>,
}

impl PlanCard {
    pub fn new(plan: &Plan, compliance: &[paved_core::Compliance], deploy_minutes: Option<u32>) -> PlanCard {
        let rows: Vec<PlanRow> = plan
            .resources
            .iter()
            .map(|r| PlanRow {
                address: r.address.clone(),
                action: r.action.to_string(),
                cost: usd(r.monthly_cost_usd),
                why: r.why.clone(),
                note: r.cost_note.clone(),
            })
            .collect();
        let width = rows.iter().map(|r| r.address.len()).max().unwrap_or(10).max(10);
        let rows = rows
            .into_iter()
            .map(|mut r| {
                r.address = format!("{:<width$}", r.address);
                r.action = format!("{:<7}", r.action);
                r.cost = format!("{:>11}", r.cost);
                r
            })
            .collect();
        PlanCard {
            golden_path: plan.golden_path.clone().unwrap_or_else(|| "off the golden paths".into()),
            version: plan.golden_path_version.clone(),
            environment: plan.environment.to_string(),
            region: plan.region.clone(),
            rows,
            total: usd(plan.estimated_monthly_cost_usd),
            compliance: list_or(compliance.iter().map(|c| c.label().to_string()), "standard"),
            deploy_minutes,
        }
    }
}

/// One line of the audit card.
pub struct CheckRow {
    pub mark: &'static str,
    pub rule: String,
    pub summary: String,
}

/// The audit card: each check ticked or crossed, the decision and the reasons.
#[derive(Template)]
#[template(path = "terminal/audit.txt")]
pub struct AuditCard {
    pub headline: String,
    pub checks: Vec<CheckRow>,
    pub findings: Vec<String>,
    pub approvers: String,
    pub escalated: bool,
    pub vetoed: bool,
    pub total: String,
    pub signed: bool,
    pub plan_hash: String,
}

impl AuditCard {
    pub fn new(verdict: &Verdict) -> AuditCard {
        let checks = verdict
            .checks
            .iter()
            .map(|c| CheckRow {
                mark: if c.passed { "✓" } else { "✗" },
                rule: c.rule.clone(),
                summary: c.summary.clone(),
            })
            .collect();
        let findings = verdict
            .findings
            .iter()
            .map(|f| {
                let mut line = format!("[{}] {}", f.outcome.as_str(), f.message);
                if let Some(s) = &f.suggestion {
                    line.push_str(&format!(" Instead: {s}"));
                }
                line
            })
            .collect();
        AuditCard {
            headline: verdict.decision.headline().to_string(),
            checks,
            findings,
            approvers: verdict.approvers.join(", "),
            escalated: verdict.decision == Decision::Escalated,
            vetoed: verdict.decision == Decision::Vetoed,
            total: usd(verdict.plan.estimated_monthly_cost_usd),
            signed: verdict.signature.is_some(),
            plan_hash: verdict.plan_hash.chars().take(16).collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::usd;

    #[test]
    fn dollars_are_grouped_and_rounded() {
        assert_eq!(usd(0.0), "$0.00");
        assert_eq!(usd(5.5), "$5.50");
        assert_eq!(usd(1234.567), "$1,234.57");
        assert_eq!(usd(1_000_000.0), "$1,000,000.00");
        assert_eq!(usd(999.999), "$1,000.00");
    }

    #[test]
    fn durations_read_naturally() {
        use super::duration;
        assert_eq!(duration(42.5), "42.5s");
        assert_eq!(duration(185.0), "3m 05s");
        assert_eq!(duration(3599.6), "1h 00m");
        assert_eq!(duration(3720.0), "1h 02m");
    }
}

/// The escalation card an approver sees in their channel.
#[derive(Template)]
#[template(path = "terminal/escalation.txt")]
pub struct EscalationCard {
    pub request_id: String,
    pub role: String,
    pub requester: String,
    pub request: String,
    pub golden_path: String,
    pub environment: String,
    pub resources: usize,
    pub total: String,
    pub reasons: Vec<String>,
    pub version: i64,
}

impl EscalationCard {
    pub fn new(role: &str, c: &crate::engine::Conversation) -> EscalationCard {
        let plan = c.current().map(|p| &p.plan);
        let reasons = c
            .verdict
            .iter()
            .flat_map(|v| v.findings.iter())
            .filter(|f| f.outcome == paved_core::Outcome::Escalate)
            .map(|f| f.message.clone())
            .collect();
        EscalationCard {
            request_id: c.request_id.clone(),
            role: role.to_string(),
            requester: c.requester.name.clone(),
            request: c.words.join(" / "),
            golden_path: plan.and_then(|p| p.golden_path.clone()).unwrap_or_else(|| "none".into()),
            environment: c.intent.environment.to_string(),
            resources: plan.map(|p| p.resources.len()).unwrap_or(0),
            total: usd(c.verdict.as_ref().map(|v| v.plan.estimated_monthly_cost_usd).or(plan.map(|p| p.estimated_monthly_cost_usd)).unwrap_or(0.0)),
            reasons,
            version: c.current_version(),
        }
    }
}

/// The summary at the end of a deployment.
#[derive(Template)]
#[template(path = "terminal/summary.txt")]
pub struct SummaryCard {
    pub request_id: String,
    /// What the deployment did, in one word: Deployed, Deleted, Changed.
    pub verb: String,
    pub golden_path: String,
    pub environment: String,
    pub region: String,
    pub created: Vec<String>,
    pub endpoints: Vec<String>,
    pub monitoring: Vec<String>,
    pub drift: Vec<String>,
    pub total: String,
    pub next_steps: Vec<String>,
}

impl SummaryCard {
    pub fn new(c: &crate::engine::Conversation, created: &[String], drift: &[String]) -> SummaryCard {
        let plan = c.verdict.as_ref().map(|v| &v.plan).or(c.current().map(|p| &p.plan));
        let by_type = |kinds: &[&str]| -> Vec<String> {
            plan.into_iter()
                .flat_map(|p| p.resources.iter())
                .filter(|r| kinds.contains(&r.kind.as_str()))
                .map(|r| r.address.clone())
                .collect()
        };
        let mut next_steps = vec![format!("Roll back with `paved rollback {}` (or say \"roll back {}\")", c.request_id, c.request_id)];
        if !c.intent.off_road.is_empty() {
            next_steps.push(format!("You own the operation, patching and monitoring of {}", c.intent.off_road.join(", ")));
        }
        next_steps.push(format!("See every step with `paved log --request {}`", c.request_id));
        let deletes_only = plan.is_some_and(|p| !p.resources.is_empty() && p.resources.iter().all(|r| r.action == paved_core::ResourceAction::Delete));
        let creates = plan.is_some_and(|p| p.resources.iter().any(|r| r.action == paved_core::ResourceAction::Create));
        let verb = if deletes_only { "Deleted" } else if creates { "Deployed" } else { "Changed" };
        SummaryCard {
            request_id: c.request_id.clone(),
            verb: verb.to_string(),
            golden_path: plan.and_then(|p| p.golden_path.clone()).unwrap_or_else(|| "none".into()),
            environment: c.intent.environment.to_string(),
            region: plan.map(|p| p.region.clone()).unwrap_or_default(),
            created: created.to_vec(),
            endpoints: if deletes_only { Vec::new() } else { by_type(&["aws_lb", "aws_api_gateway_rest_api", "aws_apigatewayv2_api", "aws_db_instance", "aws_elasticache_replication_group"]) },
            monitoring: if deletes_only { Vec::new() } else { by_type(&["aws_cloudwatch_dashboard", "aws_cloudwatch_metric_alarm"]) },
            drift: drift.to_vec(),
            total: usd(plan.map(|p| p.estimated_monthly_cost_usd).unwrap_or(0.0)),
            next_steps,
        }
    }
}

/// One rule of the report's security incidents.
pub struct BlockedRow {
    pub rule: String,
    pub count: i64,
}

/// The report over a month or a window (`paved log report`).
#[derive(Template)]
#[template(path = "terminal/report.txt")]
pub struct ReportCard {
    /// The month (`2026-11`) when the window is one.
    pub month: Option<String>,
    pub since: String,
    pub until: String,
    pub requests: i64,
    pub audited: i64,
    pub auto_approved: String,
    pub escalated: String,
    pub vetoed: i64,
    pub deployments: String,
    pub success_rate: String,
    pub average_time: String,
    pub configuration_errors: String,
    pub security: String,
    pub blocked: Vec<BlockedRow>,
    pub cost_deployed: String,
    pub savings: String,
}

impl ReportCard {
    pub fn new(report: &paved_store::Report, month: Option<&str>) -> ReportCard {
        let percent = |p: Option<f64>| p.map(|p| format!(" ({p:.1}%)")).unwrap_or_default();
        let plural = |n: i64, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        let d = &report.decisions;
        let deployments = &report.deployments;
        let errors = &report.configuration_errors;
        let security = &report.security;
        let width = security.blocked_by_rule.iter().map(|r| r.rule.len()).max().unwrap_or(0).max(22);
        ReportCard {
            month: month.map(str::to_string),
            since: report.window.since.clone(),
            until: report.window.until.clone(),
            requests: report.requests,
            audited: d.audited,
            auto_approved: format!(
                "{}{}: {} approved, {} approved with warnings, {} auto-fixed",
                d.auto_approved,
                percent(d.auto_approved_percent),
                d.approved,
                d.approved_with_warnings,
                d.auto_fixed
            ),
            escalated: format!("{}{}", d.escalated, percent(d.escalated_percent)),
            vetoed: d.vetoed,
            deployments: format!(
                "{} started: {} completed, {} failed, {} still running",
                deployments.started, deployments.completed, deployments.failed, deployments.running
            ),
            success_rate: deployments.success_rate_percent.map(|p| format!("{p:.1}%")).unwrap_or_else(|| "- (none finished)".into()),
            average_time: deployments.average_deployment_seconds.map(duration).unwrap_or_else(|| "- (none completed)".into()),
            configuration_errors: format!(
                "{} of {} resource changes failed{}",
                errors.failed_resources,
                errors.attempted_resources,
                percent(errors.percent)
            ),
            security: format!(
                "{}, {}",
                plural(security.blocked_findings, "blocked finding", "blocked findings"),
                plural(security.refused_presses, "refused press", "refused presses")
            ),
            blocked: security.blocked_by_rule.iter().map(|r| BlockedRow { rule: format!("{:<width$}", r.rule), count: r.count }).collect(),
            cost_deployed: usd(report.cost_deployed_usd_per_month),
            savings: usd(report.savings_suggested_usd_per_month),
        }
    }
}

/// A duration for people: `42.5s`, `3m 05s`, `1h 02m`.
pub fn duration(seconds: f64) -> String {
    if seconds < 60.0 {
        return format!("{seconds:.1}s");
    }
    let s = seconds.round() as i64;
    if s < 3600 { format!("{}m {:02}s", s / 60, s % 60) } else { format!("{}h {:02}m", s / 3600, s % 3600 / 60) }
}
