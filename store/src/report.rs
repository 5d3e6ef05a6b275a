//! What `paved log report` shows: the monthly report the product promises (deployments, success
//! rate, auto-approved vs escalated, average deployment time, configuration errors, security
//! incidents, cost deployed and savings suggested), for any window of time.
//!
//! Every figure is read from the stored requests, verdicts, deployments and the audit trail, in
//! one read-only transaction (a consistent snapshot on both databases). Things count in the
//! window by when they happened: a request by its `created_at`, a verdict by its `created_at`, a
//! deployment by its `started_at`, a trail record by its time. A closed window's report does not
//! change afterwards.

use std::collections::BTreeMap;

use paved_core::round_cents;
use paved_core::trail::rfc3339_from_millis;
use paved_core::verdict::{Decision, Level, Verdict};
use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::db::{Db, on_tx};
use crate::{StoreError, request_id};

/// The trail record of a press (or other event) refused as stale, repeated or unauthorised.
pub const REFUSED_EVENT: &str = "event.refused";

/// The report over one window of time.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub window: Window,
    /// Requests made in the window.
    pub requests: i64,
    pub decisions: Decisions,
    pub deployments: Deployments,
    pub configuration_errors: ConfigurationErrors,
    pub security: Security,
    /// The monthly cost of what the window's completed deployments run: for each deployment that
    /// started in the window and completed, the `estimated_monthly_cost_usd` of its verdict's
    /// plan (the plan after auto-fixes, the one that ran); summed, in USD per month.
    pub cost_deployed_usd_per_month: f64,
    /// What the audit's vetoes and auto-fixes took off the monthly bill, in USD per month. Per
    /// request, over its verdicts in plan-version order, with "judged cost" the
    /// `estimated_monthly_cost_usd` of the plan version a verdict judged:
    ///
    /// - an `auto_fixed` verdict saves its judged cost minus the cost of its own (fixed) plan;
    /// - a `vetoed` verdict saves its judged cost minus the judged cost of the request's next
    ///   verdict (the plan that replaced the vetoed one and went to the audit); a vetoed verdict
    ///   with no later verdict saves nothing yet;
    ///
    /// each only when positive (a fix or a new plan that costs more saves nothing). A saving
    /// counts in the window of the verdict that judged the cheaper plan: the auto-fixed verdict
    /// itself, or the verdict after the veto. Summed and rounded to cents. Chains telescope: a
    /// plan vetoed at $1,500, then at $800, then approved at $500 saves $700 + $300 = $1,000.
    pub savings_suggested_usd_per_month: f64,
}

/// The window: from `since` (inclusive) to `until` (exclusive), RFC 3339 UTC.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Window {
    pub since: String,
    pub until: String,
}

/// The audit's decisions. A request counts once, with the decision of its latest verdict (the
/// highest plan version) among the verdicts made in the window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Decisions {
    /// Requests with at least one verdict in the window.
    pub audited: i64,
    pub approved: i64,
    pub approved_with_warnings: i64,
    pub auto_fixed: i64,
    pub vetoed: i64,
    pub escalated: i64,
    /// approved + approved_with_warnings + auto_fixed: may run without anyone's approval.
    pub auto_approved: i64,
    /// auto_approved out of audited, in percent; `None` when nothing was audited.
    pub auto_approved_percent: Option<f64>,
    /// escalated out of audited, in percent; `None` when nothing was audited.
    pub escalated_percent: Option<f64>,
}

/// The deployments that started in the window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Deployments {
    pub started: i64,
    pub completed: i64,
    pub failed: i64,
    /// Neither completed nor failed (yet).
    pub running: i64,
    /// completed / (completed + failed), in percent; `None` when none finished.
    pub success_rate_percent: Option<f64>,
    /// The mean of finished_at − started_at over the completed ones, in seconds; `None` when
    /// none completed.
    pub average_deployment_seconds: Option<f64>,
}

/// Resource changes that failed, in the deployments that started in the window. A resource is
/// one address in one deployment. It was attempted when the executor reported anything for it
/// beyond `pending` (which it reports for every resource before it starts, so a resource never
/// tried because an earlier one failed is not counted); it failed when any report for it was
/// `failed` (the change, or its deletion in a rollback of that deployment).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConfigurationErrors {
    pub failed_resources: i64,
    pub attempted_resources: i64,
    /// failed out of attempted, in percent; `None` when nothing was attempted.
    pub percent: Option<f64>,
}

/// Security incidents in the window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Security {
    /// Findings of level `blocking` in the verdicts made in the window (every verdict, not only
    /// each request's latest).
    pub blocked_findings: i64,
    /// The same, per rule: most frequent first, then by rule.
    pub blocked_by_rule: Vec<RuleCount>,
    /// Presses (and other events) refused as stale, repeated or unauthorised: trail records of
    /// kind `event.refused`.
    pub refused_presses: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleCount {
    pub rule: String,
    pub count: i64,
}

/// A plan's monthly cost, read without the rest of the plan.
#[derive(Deserialize)]
struct PlanCost {
    estimated_monthly_cost_usd: f64,
}

/// One stored verdict of a request with a verdict in the window.
struct VerdictRow {
    request: i64,
    version: i64,
    decision: Decision,
    in_window: bool,
    /// The verdict itself, read only when it is in the window.
    verdict: Option<Verdict>,
    /// The cost of the plan version it judged.
    judged_cost: f64,
}

/// A deployment that started in the window.
struct DeploymentRow {
    status: String,
    started_at: i64,
    finished_at: Option<i64>,
    /// The cost of the verdict's plan, for a completed deployment.
    cost: Option<f64>,
}

fn percent(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| 100.0 * part as f64 / whole as f64)
}

impl Db {
    /// The report over `[since_ms, until_ms)` (milliseconds since the epoch). It only reads: on
    /// SQLite it takes no write lock.
    pub async fn report(&self, since_ms: i64, until_ms: i64) -> Result<Report, StoreError> {
        let mut tx = self.begin_read().await?;
        if tx.is_postgres() {
            // One snapshot for every query below, as SQLite's read transaction gives.
            on_tx!(tx, c => {
                sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                    .execute(&mut *c)
                    .await?;
            });
        }

        // Counts the database can make the same way in both dialects.
        let counts_sql = "SELECT
              (SELECT COUNT(*) FROM requests r
               WHERE r.created_at >= $1 AND r.created_at < $2) AS requests,
              (SELECT COUNT(*) FROM audit_trail t
               WHERE t.kind = $3 AND t.at_ms >= $1 AND t.at_ms < $2) AS refused,
              (SELECT COUNT(*) FROM (
                   SELECT DISTINCT e.deployment_id, e.address
                   FROM deployment_events e JOIN deployments d ON d.id = e.deployment_id
                   WHERE d.started_at >= $1 AND d.started_at < $2 AND e.status <> 'pending') a) AS attempted,
              (SELECT COUNT(*) FROM (
                   SELECT DISTINCT e.deployment_id, e.address
                   FROM deployment_events e JOIN deployments d ON d.id = e.deployment_id
                   WHERE d.started_at >= $1 AND d.started_at < $2 AND e.status = 'failed') f) AS failed";
        let (requests, refused, attempted, failed): (i64, i64, i64, i64) = on_tx!(tx, c => {
            let row = sqlx::query(counts_sql)
                .bind(since_ms)
                .bind(until_ms)
                .bind(REFUSED_EVENT)
                .fetch_one(&mut *c)
                .await?;
            (
                row.try_get("requests")?,
                row.try_get("refused")?,
                row.try_get("attempted")?,
                row.try_get("failed")?,
            )
        });

        // Every verdict of the requests with a verdict in the window (earlier ones too: a veto
        // before the window is saved from by a cheaper plan judged in it), with the cost of the
        // plan version each judged.
        let verdicts_sql = "SELECT v.request_id, v.plan_version, v.decision, v.created_at, v.verdict,
                                   pv.plan AS judged
                            FROM verdicts v
                            JOIN plan_versions pv ON pv.request_id = v.request_id AND pv.version = v.plan_version
                            WHERE v.request_id IN (SELECT w.request_id FROM verdicts w
                                                   WHERE w.created_at >= $1 AND w.created_at < $2)
                            ORDER BY v.request_id, v.plan_version";
        type RawVerdict = (i64, i64, String, i64, String, String);
        let raw: Vec<RawVerdict> = on_tx!(tx, c => {
            let mut out = Vec::new();
            for row in sqlx::query(verdicts_sql)
                .bind(since_ms)
                .bind(until_ms)
                .fetch_all(&mut *c)
                .await?
            {
                out.push((
                    row.try_get("request_id")?,
                    row.try_get("plan_version")?,
                    row.try_get("decision")?,
                    row.try_get("created_at")?,
                    row.try_get("verdict")?,
                    row.try_get("judged")?,
                ));
            }
            out
        });

        let deployments_sql = "SELECT d.request_id, d.plan_version, d.status, d.started_at, d.finished_at,
                                      v.verdict
                               FROM deployments d
                               LEFT JOIN verdicts v ON v.request_id = d.request_id AND v.plan_version = d.plan_version
                               WHERE d.started_at >= $1 AND d.started_at < $2
                               ORDER BY d.id";
        type RawDeployment = (i64, i64, String, i64, Option<i64>, Option<String>);
        let raw_deployments: Vec<RawDeployment> = on_tx!(tx, c => {
            let mut out = Vec::new();
            for row in sqlx::query(deployments_sql)
                .bind(since_ms)
                .bind(until_ms)
                .fetch_all(&mut *c)
                .await?
            {
                out.push((
                    row.try_get("request_id")?,
                    row.try_get("plan_version")?,
                    row.try_get("status")?,
                    row.try_get("started_at")?,
                    row.try_get("finished_at")?,
                    row.try_get("verdict")?,
                ));
            }
            out
        });
        tx.rollback().await?;

        let corrupt = |what: &str, id: i64, version: i64, e: &dyn std::fmt::Display| {
            StoreError::Corrupt(format!(
                "{what} of {} plan version {version}: {e}",
                request_id(id)
            ))
        };
        let mut verdicts = Vec::with_capacity(raw.len());
        for (id, version, decision, created, verdict, judged) in raw {
            let in_window = created >= since_ms && created < until_ms;
            let decision: Decision =
                serde_json::from_value(serde_json::Value::String(decision.clone()))
                    .map_err(|_| corrupt("the decision", id, version, &decision))?;
            let verdict = if in_window {
                Some(
                    serde_json::from_str::<Verdict>(&verdict)
                        .map_err(|e| corrupt("the verdict", id, version, &e))?,
                )
            } else {
                None
            };
            let judged_cost = serde_json::from_str::<PlanCost>(&judged)
                .map_err(|e| corrupt("the plan", id, version, &e))?
                .estimated_monthly_cost_usd;
            verdicts.push(VerdictRow {
                request: id,
                version,
                decision,
                in_window,
                verdict,
                judged_cost,
            });
        }
        let mut deployments = Vec::with_capacity(raw_deployments.len());
        for (id, version, status, started_at, finished_at, verdict) in raw_deployments {
            let cost = match (status.as_str(), verdict) {
                ("completed", Some(text)) => Some(
                    serde_json::from_str::<Verdict>(&text)
                        .map_err(|e| corrupt("the verdict", id, version, &e))?
                        .plan
                        .estimated_monthly_cost_usd,
                ),
                _ => None,
            };
            deployments.push(DeploymentRow {
                status,
                started_at,
                finished_at,
                cost,
            });
        }

        Ok(Report {
            window: Window {
                since: rfc3339_from_millis(since_ms),
                until: rfc3339_from_millis(until_ms),
            },
            requests,
            decisions: decisions(&verdicts),
            deployments: deployment_figures(&deployments),
            configuration_errors: ConfigurationErrors {
                failed_resources: failed,
                attempted_resources: attempted,
                percent: percent(failed, attempted),
            },
            security: security(&verdicts, refused),
            cost_deployed_usd_per_month: round_cents(
                deployments.iter().filter_map(|d| d.cost).sum(),
            ),
            savings_suggested_usd_per_month: savings(&verdicts),
        })
    }
}

/// The latest in-window verdict of each request, counted by decision. `verdicts` is ordered by
/// request, then plan version.
fn decisions(verdicts: &[VerdictRow]) -> Decisions {
    let mut latest: BTreeMap<i64, Decision> = BTreeMap::new();
    for v in verdicts.iter().filter(|v| v.in_window) {
        latest.insert(v.request, v.decision);
    }
    let count = |d: Decision| latest.values().filter(|x| **x == d).count() as i64;
    let audited = latest.len() as i64;
    let approved = count(Decision::Approved);
    let approved_with_warnings = count(Decision::ApprovedWithWarnings);
    let auto_fixed = count(Decision::AutoFixed);
    let escalated = count(Decision::Escalated);
    let auto_approved = approved + approved_with_warnings + auto_fixed;
    Decisions {
        audited,
        approved,
        approved_with_warnings,
        auto_fixed,
        vetoed: count(Decision::Vetoed),
        escalated,
        auto_approved,
        auto_approved_percent: percent(auto_approved, audited),
        escalated_percent: percent(escalated, audited),
    }
}

fn deployment_figures(deployments: &[DeploymentRow]) -> Deployments {
    let completed: Vec<&DeploymentRow> = deployments
        .iter()
        .filter(|d| d.status == "completed")
        .collect();
    let failed = deployments.iter().filter(|d| d.status == "failed").count() as i64;
    let durations: Vec<i64> = completed
        .iter()
        .filter_map(|d| d.finished_at.map(|f| f - d.started_at))
        .collect();
    let done = completed.len() as i64;
    Deployments {
        started: deployments.len() as i64,
        completed: done,
        failed,
        running: deployments.len() as i64 - done - failed,
        success_rate_percent: percent(done, done + failed),
        average_deployment_seconds: (!durations.is_empty())
            .then(|| durations.iter().sum::<i64>() as f64 / durations.len() as f64 / 1000.0),
    }
}

fn security(verdicts: &[VerdictRow], refused: i64) -> Security {
    let mut by_rule: BTreeMap<&str, i64> = BTreeMap::new();
    for finding in verdicts
        .iter()
        .filter_map(|v| v.verdict.as_ref())
        .flat_map(|v| v.findings.iter())
        .filter(|f| f.level == Level::Blocking)
    {
        *by_rule.entry(finding.rule.as_str()).or_default() += 1;
    }
    let mut blocked_by_rule: Vec<RuleCount> = by_rule
        .into_iter()
        .map(|(rule, count)| RuleCount {
            rule: rule.to_string(),
            count,
        })
        .collect();
    blocked_by_rule.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.rule.cmp(&b.rule)));
    Security {
        blocked_findings: blocked_by_rule.iter().map(|r| r.count).sum(),
        blocked_by_rule,
        refused_presses: refused,
    }
}

/// See [`Report::savings_suggested_usd_per_month`]. `verdicts` is ordered by request, then plan
/// version.
fn savings(verdicts: &[VerdictRow]) -> f64 {
    let mut total = 0.0;
    for (i, v) in verdicts.iter().enumerate() {
        if !v.in_window {
            continue;
        }
        if let (Decision::AutoFixed, Some(verdict)) = (v.decision, &v.verdict) {
            total += (v.judged_cost - verdict.plan.estimated_monthly_cost_usd).max(0.0);
        }
        if let Some(before) = i.checked_sub(1).map(|j| &verdicts[j])
            && before.request == v.request
            && before.version < v.version
            && before.decision == Decision::Vetoed
        {
            total += (before.judged_cost - v.judged_cost).max(0.0);
        }
    }
    round_cents(total)
}
