//! `paved log`: the audit trail — query it, verify it, export its head.

use askama::Template;
use paved_core::trail::{TrailExport, parse_rfc3339_millis, rfc3339_from_millis};
use paved_store::{Clock, Db, LogQuery};

use crate::cards::{ReportCard, usd};
use crate::cli::{LogArgs, LogCommand};
use crate::config::Config;
use crate::error::UserError;
use crate::runtime::audit_keys;

pub async fn run(args: &LogArgs, policies: Option<&std::path::Path>) -> anyhow::Result<String> {
    let config = Config::load(args.config.as_deref(), policies)?;
    if let Some(LogCommand::Report { month, since, until, json }) = &args.command {
        // The window is read before the database is opened: a wrong one opens nothing.
        let window = report_window(month.as_deref(), since.as_deref().or(args.since.as_deref()), until.as_deref().or(args.until.as_deref()), Clock::System.now_ms())?;
        let db = Db::open(&config.database_url).await?;
        return report(&db, &window, *json || args.json).await;
    }
    let db = Db::open(&config.database_url).await?;
    match &args.command {
        Some(LogCommand::Verify { export }) => verify(&config, &db, export.as_deref()).await,
        Some(LogCommand::Export { file }) => {
            // Sign the head first when the audit key is here (embedded defaults), so that the
            // export pins everything written so far.
            if let Ok((Some(key), _)) = audit_keys(&config, false) {
                db.write_checkpoint(&key).await?;
            }
            let export = db.export_trail().await?;
            let text = serde_json::to_string_pretty(&export)?;
            std::fs::write(file, text + "\n").map_err(|e| UserError::new(format!("Could not write {} ({e}).", file.display())))?;
            Ok(format!("Wrote {} records and {} checkpoints to {}; keep it outside the database and pass it to `paved log verify --export`.\n", export.hashes.len(), export.checkpoints.len(), file.display()))
        }
        Some(LogCommand::Report { .. }) => unreachable!("the report is made above"),
        None => query(args, &db).await,
    }
}

fn time_arg(flag: &str, value: Option<&str>) -> Result<Option<i64>, UserError> {
    value
        .map(|v| {
            let v = if v.len() == 10 { format!("{v}T00:00:00Z") } else { v.to_string() };
            parse_rfc3339_millis(&v).ok_or_else(|| UserError::new(format!("--{flag} `{v}` is not a time; write it as 2026-11-01 or 2026-11-01T09:30:00Z.")))
        })
        .transpose()
}

/// The window of a report: `[since_ms, until_ms)`, and the month when it is one.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ReportWindow {
    since_ms: i64,
    until_ms: i64,
    month: Option<String>,
}

/// `[start, end)` of the UTC month written `2026-11`.
fn month_window(month: &str) -> Result<(i64, i64), UserError> {
    let bad = || UserError::new(format!("--month `{month}` is not a month; write it as 2026-11 (the year, then the month from 01 to 12)."));
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    let (y, m) = month.split_once('-').filter(|(y, m)| digits(y, 4) && digits(m, 2)).ok_or_else(bad)?;
    let (y, m): (i64, i64) = (y.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if !(1..=12).contains(&m) {
        return Err(bad());
    }
    let (next_y, next_m) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    let start = parse_rfc3339_millis(&format!("{y:04}-{m:02}-01T00:00:00Z")).ok_or_else(bad)?;
    let end = parse_rfc3339_millis(&format!("{next_y:04}-{next_m:02}-01T00:00:00Z")).ok_or_else(bad)?;
    Ok((start, end))
}

/// The report's window: `--month`, else `--since`/`--until` (from the beginning, until now), else
/// the current UTC month.
fn report_window(month: Option<&str>, since: Option<&str>, until: Option<&str>, now_ms: i64) -> Result<ReportWindow, UserError> {
    if month.is_some() && (since.is_some() || until.is_some()) {
        return Err(UserError::new("--month cannot be combined with --since or --until; give either a month (2026-11) or a window (--since 2026-11-01 --until 2026-11-15)."));
    }
    if since.is_none() && until.is_none() {
        let month = month.map(str::to_string).unwrap_or_else(|| rfc3339_from_millis(now_ms)[..7].to_string());
        let (since_ms, until_ms) = month_window(&month)?;
        return Ok(ReportWindow { since_ms, until_ms, month: Some(month) });
    }
    let since_ms = time_arg("since", since)?.unwrap_or(0);
    let until_ms = time_arg("until", until)?.unwrap_or(now_ms);
    if since_ms >= until_ms {
        return Err(UserError::new(format!(
            "The window from {} to {} is empty; --since must be before --until (which is now unless given).",
            rfc3339_from_millis(since_ms),
            rfc3339_from_millis(until_ms)
        )));
    }
    Ok(ReportWindow { since_ms, until_ms, month: None })
}

async fn report(db: &Db, window: &ReportWindow, json: bool) -> anyhow::Result<String> {
    let report = db.report(window.since_ms, window.until_ms).await?;
    if json {
        return Ok(serde_json::to_string_pretty(&report)? + "\n");
    }
    Ok(ReportCard::new(&report, window.month.as_deref()).render()? + "\n")
}

async fn query(args: &LogArgs, db: &Db) -> anyhow::Result<String> {
    let decision = args
        .decision
        .as_deref()
        .map(|d| serde_json::from_value(serde_json::Value::String(d.to_string())).map_err(|_| UserError::new(format!("--decision `{d}` is not a decision; use approved, approved_with_warnings, auto_fixed, vetoed or escalated."))))
        .transpose()?;
    if args.limit < 1 {
        return Err(UserError::new("--limit must be at least 1.").into());
    }
    let query = LogQuery {
        user: args.user.clone(),
        request_id: args.request_id.clone(),
        decision,
        since_ms: time_arg("since", args.since.as_deref())?,
        until_ms: time_arg("until", args.until.as_deref())?,
        limit: args.limit,
    };
    let entries = db.log(&query).await?;
    if args.json {
        return Ok(serde_json::to_string_pretty(&entries)? + "\n");
    }
    if entries.is_empty() {
        return Ok("No requests match.\n".into());
    }
    let mut out = format!("{:<11} {:<20} {:<16} {:>11}  {:<23} {}\n", "REQUEST", "TIME", "USER", "COST/MONTH", "DECISION", "REQUEST TEXT");
    for e in &entries {
        let cost = e.monthly_cost_usd.map(usd).unwrap_or_else(|| "-".into());
        let decision = e.decision.map(|d| d.as_str().to_string()).unwrap_or_else(|| e.status.clone());
        let text: String = e.request.chars().take(60).collect();
        out.push_str(&format!("{:<11} {:<20} {:<16} {:>11}  {:<23} {}\n", e.request_id, &e.time[..e.time.len().min(19)], e.user, cost, decision, text));
        for reason in &e.reasoning {
            out.push_str(&format!("{:<11} ↳ {reason}\n", ""));
        }
        if !e.approvers.is_empty() {
            out.push_str(&format!("{:<11} ↳ approvers: {}\n", "", e.approvers.join(", ")));
        }
    }
    Ok(out)
}

async fn verify(config: &Config, db: &Db, export: Option<&std::path::Path>) -> anyhow::Result<String> {
    let (_, public) = audit_keys(config, false)?;
    let export: Option<TrailExport> = match export {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| UserError::new(format!("Could not read the export {} ({e}).", path.display())))?;
            Some(serde_json::from_str(&text).map_err(|e| UserError::new(format!("The export {} is not a trail export ({e}).", path.display())))?)
        }
        None => None,
    };
    let report = db.verify(&public, export.as_ref()).await?;
    if report.is_intact() {
        let records = db.trail_records().await?.len();
        let checkpoints = db.checkpoints().await?.len();
        Ok(format!("The audit trail is intact: {records} records, {checkpoints} signed checkpoints, every stored verdict signed by the audit key.\n"))
    } else {
        Err(anyhow::anyhow!("the audit trail was tampered with: {}", report.problems().join("; ")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOV_26: i64 = 1_795_684_800_000; // 2026-11-26T09:20:00Z

    #[test]
    fn a_report_covers_a_month_or_a_window() {
        let november = report_window(None, None, None, NOV_26).unwrap();
        assert_eq!(november.month.as_deref(), Some("2026-11"));
        assert_eq!(rfc3339_from_millis(november.since_ms), "2026-11-01T00:00:00.000Z");
        assert_eq!(rfc3339_from_millis(november.until_ms), "2026-12-01T00:00:00.000Z");
        let december = report_window(Some("2026-12"), None, None, NOV_26).unwrap();
        assert_eq!(rfc3339_from_millis(december.until_ms), "2027-01-01T00:00:00.000Z");
        let window = report_window(None, Some("2026-11-02"), None, NOV_26).unwrap();
        assert_eq!((rfc3339_from_millis(window.since_ms).as_str(), window.until_ms, window.month), ("2026-11-02T00:00:00.000Z", NOV_26, None));
        assert_eq!(report_window(None, None, Some("2026-11-02"), NOV_26).unwrap().since_ms, 0);
    }

    #[test]
    fn a_wrong_month_or_window_is_one_sentence() {
        for month in ["2026-13", "2026-00", "2026-1", "26-11", "november", "2026-11-01", "2026-1a"] {
            let e = report_window(Some(month), None, None, NOV_26).unwrap_err().to_string();
            assert!(e.contains(month) && e.contains("write it as 2026-11"), "{e}");
        }
        assert!(report_window(Some("2026-11"), Some("2026-11-01"), None, NOV_26).unwrap_err().to_string().contains("cannot be combined"));
        assert!(report_window(None, Some("2026-11-02"), Some("2026-11-01"), NOV_26).unwrap_err().to_string().contains("is empty"));
        assert!(report_window(None, Some("yesterday"), None, NOV_26).unwrap_err().to_string().contains("--since `yesterday` is not a time"));
    }
}
