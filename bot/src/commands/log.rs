//! `paved log`: the audit trail — query it, verify it, export its head.

use paved_core::trail::{TrailExport, parse_rfc3339_millis};
use paved_store::{Db, LogQuery};

use crate::cards::usd;
use crate::cli::{LogArgs, LogCommand};
use crate::config::Config;
use crate::error::UserError;
use crate::runtime::audit_keys;

pub async fn run(args: &LogArgs, policies: Option<&std::path::Path>) -> anyhow::Result<String> {
    let config = Config::load(args.config.as_deref(), policies)?;
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
