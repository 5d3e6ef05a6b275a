//! What `paved log` shows: requests with their cost, decision and reasoning, filtered by user,
//! request id, decision and time ("the last 10 requests of john.doe").

use paved_core::verdict::{Decision, Verdict};
use serde::Serialize;
use sqlx::Row;

use crate::db::{Db, on_pool};
use crate::{StoreError, parse_request_id, request_id};

/// Filters for `paved log`; every filter left `None` matches everything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogQuery {
    /// The requester (`john.doe`).
    pub user: Option<String>,
    pub request_id: Option<String>,
    /// Requests whose latest verdict has this decision.
    pub decision: Option<Decision>,
    /// Requests made at or after this time (ms since the epoch).
    pub since_ms: Option<i64>,
    /// Requests made before this time (ms since the epoch).
    pub until_ms: Option<i64>,
    /// At most this many, newest first.
    pub limit: i64,
}

impl Default for LogQuery {
    fn default() -> Self {
        LogQuery {
            user: None,
            request_id: None,
            decision: None,
            since_ms: None,
            until_ms: None,
            limit: 20,
        }
    }
}

/// One request as `paved log` shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LogEntry {
    pub request_id: String,
    pub user: String,
    pub channel: String,
    /// RFC 3339 UTC.
    pub time: String,
    pub request: String,
    pub status: String,
    /// The plan version the latest verdict judged, or the latest plan version when none was
    /// judged yet.
    pub plan_version: Option<i64>,
    /// Estimated monthly cost in USD of the audited plan (or the latest plan).
    pub monthly_cost_usd: Option<f64>,
    pub decision: Option<Decision>,
    /// Why: the verdict's findings, one sentence each; empty when every check passed.
    pub reasoning: Vec<String>,
    /// Who must approve, when escalated.
    pub approvers: Vec<String>,
}

impl Db {
    /// Requests matching `query`, newest first, each with its latest verdict's decision, cost and
    /// reasoning.
    pub async fn log(&self, query: &LogQuery) -> Result<Vec<LogEntry>, StoreError> {
        let id = query
            .request_id
            .as_deref()
            .map(parse_request_id)
            .transpose()?;
        let decision = query.decision.map(Decision::as_str);
        let limit = query.limit.clamp(1, 10_000);
        // CASTs give PostgreSQL a type for parameters that may be NULL; SQLite ignores them.
        let sql = "SELECT r.id, r.requester, r.channel, r.text, r.status, r.created_at,
                          v.plan_version, v.verdict,
                          (SELECT pv.plan FROM plan_versions pv WHERE pv.request_id = r.id
                           ORDER BY pv.version DESC LIMIT 1) AS latest_plan,
                          (SELECT MAX(pv.version) FROM plan_versions pv WHERE pv.request_id = r.id) AS latest_version
                   FROM requests r
                   LEFT JOIN verdicts v ON v.request_id = r.id
                        AND v.plan_version = (SELECT MAX(v2.plan_version) FROM verdicts v2 WHERE v2.request_id = r.id)
                   WHERE (CAST($1 AS TEXT) IS NULL OR r.requester = $1)
                     AND (CAST($2 AS BIGINT) IS NULL OR r.id = $2)
                     AND (CAST($3 AS TEXT) IS NULL OR v.decision = $3)
                     AND (CAST($4 AS BIGINT) IS NULL OR r.created_at >= $4)
                     AND (CAST($5 AS BIGINT) IS NULL OR r.created_at < $5)
                   ORDER BY r.id DESC
                   LIMIT $6";
        type Raw = (
            i64,
            String,
            String,
            String,
            String,
            i64,
            Option<i64>,
            Option<String>,
            Option<String>,
            Option<i64>,
        );
        let rows: Vec<Raw> = on_pool!(self, p => {
            let mut out = Vec::new();
            for row in sqlx::query(sql)
                .bind(&query.user)
                .bind(id)
                .bind(decision)
                .bind(query.since_ms)
                .bind(query.until_ms)
                .bind(limit)
                .fetch_all(p)
                .await?
            {
                out.push((
                    row.try_get("id")?,
                    row.try_get("requester")?,
                    row.try_get("channel")?,
                    row.try_get("text")?,
                    row.try_get("status")?,
                    row.try_get("created_at")?,
                    row.try_get("plan_version")?,
                    row.try_get("verdict")?,
                    row.try_get("latest_plan")?,
                    row.try_get("latest_version")?,
                ));
            }
            out
        });
        let mut entries = Vec::with_capacity(rows.len());
        for (
            id,
            user,
            channel,
            text,
            status,
            created,
            verdict_version,
            verdict,
            latest_plan,
            latest_version,
        ) in rows
        {
            let verdict: Option<Verdict> = verdict
                .map(|t| serde_json::from_str(&t))
                .transpose()
                .map_err(|e| StoreError::Corrupt(format!("verdict of {}: {e}", request_id(id))))?;
            let latest_cost = latest_plan
                .and_then(|t| serde_json::from_str::<paved_core::Plan>(&t).ok())
                .map(|p| p.estimated_monthly_cost_usd);
            entries.push(LogEntry {
                request_id: request_id(id),
                user,
                channel,
                time: paved_core::trail::rfc3339_from_millis(created),
                request: text,
                status,
                plan_version: verdict_version.or(latest_version),
                monthly_cost_usd: verdict
                    .as_ref()
                    .map(|v| v.plan.estimated_monthly_cost_usd)
                    .or(latest_cost),
                decision: verdict.as_ref().map(|v| v.decision),
                reasoning: verdict
                    .as_ref()
                    .map(|v| v.findings.iter().map(|f| f.message.clone()).collect())
                    .unwrap_or_default(),
                approvers: verdict.map(|v| v.approvers).unwrap_or_default(),
            });
        }
        Ok(entries)
    }
}
