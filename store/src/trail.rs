//! The audit trail in the database: appending records, signed checkpoints, export, and the
//! verification of the whole chain (the judging itself is `paved_core::trail`).

use ed25519_dalek::{SigningKey, VerifyingKey};
use paved_core::canonical;
use paved_core::signing::{self, Signature};
use paved_core::trail::{
    self, AuditRecord, Checkpoint, EXPORT_FORMAT, GENESIS_HASH, TrailEntry, TrailExport,
    TrailProblem, TrailReport,
};
use paved_core::verdict::Verdict;
use sqlx::Row;

use crate::StoreError;
use crate::db::{Db, Tx, on_pool, on_tx};

/// The advisory lock that serialises appends on PostgreSQL, so that the chain stays linear. The
/// application role may only INSERT into the trail, and a table lock would need more.
const TRAIL_LOCK: i64 = 0x7061_7665_6401; // "paved" + 1

impl Tx {
    /// Appends one record to the trail as part of this transaction and returns it sealed.
    pub async fn append(&mut self, entry: TrailEntry) -> Result<AuditRecord, StoreError> {
        entry.validate()?;
        if self.is_postgres() {
            on_tx!(self, c => {
                sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(TRAIL_LOCK).execute(&mut *c).await?;
            });
        }
        // On SQLite the transaction already holds the only write lock (BEGIN IMMEDIATE).
        let head: Option<(i64, String)> = on_tx!(self, c => {
            match sqlx::query("SELECT seq, hash FROM audit_trail ORDER BY seq DESC LIMIT 1")
                .fetch_optional(&mut *c)
                .await?
            {
                Some(row) => Some((row.try_get("seq")?, row.try_get("hash")?)),
                None => None,
            }
        });
        let (seq, prev) = match head {
            Some((seq, hash)) => (seq + 1, hash),
            None => (1, GENESIS_HASH.to_string()),
        };
        let now = self.now_ms();
        let record = entry.seal(seq, trail::rfc3339_from_millis(now), &prev);
        let payload = canonical_text(&record.payload);
        on_tx!(self, c => {
            sqlx::query(
                "INSERT INTO audit_trail (seq, time, at_ms, actor, request_id, kind, payload, prev_hash, hash)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(record.seq)
            .bind(&record.time)
            .bind(now)
            .bind(&record.actor)
            .bind(&record.request_id)
            .bind(&record.kind)
            .bind(&payload)
            .bind(&record.prev_hash)
            .bind(&record.hash)
            .execute(&mut *c)
            .await?;
        });
        Ok(record)
    }
}

pub(crate) fn canonical_text<T: serde::Serialize>(value: &T) -> String {
    String::from_utf8(canonical::to_vec(value)).unwrap_or_default()
}

/// What `verify` found: the chain and its checkpoints, the verdicts table, and (when given) the
/// comparison with an earlier export.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IntegrityReport {
    pub trail: TrailReport,
    /// Rows of the verdicts table that the audit key did not sign for the stored plan version.
    pub forged_verdicts: Vec<ForgedVerdictRow>,
    pub export: Option<TrailProblem>,
}

/// A verdict row that would not pass the orchestrator's own check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForgedVerdictRow {
    pub request_id: String,
    pub plan_version: i64,
    pub reason: String,
}

impl IntegrityReport {
    pub fn is_intact(&self) -> bool {
        self.trail.is_intact() && self.forged_verdicts.is_empty() && self.export.is_none()
    }

    /// Every problem as one sentence, the first bad trail record first.
    pub fn problems(&self) -> Vec<String> {
        let mut out: Vec<String> = self.export.iter().map(ToString::to_string).collect();
        out.extend(self.trail.problems.iter().map(ToString::to_string));
        out.extend(self.forged_verdicts.iter().map(|f| {
            format!(
                "the stored verdict for {} plan version {} is forged: {}",
                f.request_id, f.plan_version, f.reason
            )
        }));
        out
    }
}

impl Db {
    /// Every record, in sequence order.
    pub async fn trail_records(&self) -> Result<Vec<AuditRecord>, StoreError> {
        self.trail_records_where("SELECT seq, time, actor, request_id, kind, payload, prev_hash, hash FROM audit_trail ORDER BY seq", None)
            .await
    }

    /// The records of one request, in sequence order.
    pub async fn request_trail(&self, request_id: &str) -> Result<Vec<AuditRecord>, StoreError> {
        self.trail_records_where(
            "SELECT seq, time, actor, request_id, kind, payload, prev_hash, hash FROM audit_trail WHERE request_id = $1 ORDER BY seq",
            Some(request_id),
        )
        .await
    }

    async fn trail_records_where(
        &self,
        sql: &'static str,
        request_id: Option<&str>,
    ) -> Result<Vec<AuditRecord>, StoreError> {
        on_pool!(self, p => {
            let mut q = sqlx::query(sql);
            if let Some(id) = request_id {
                q = q.bind(id);
            }
            let mut out = Vec::new();
            for row in q.fetch_all(p).await? {
                let seq: i64 = row.try_get("seq")?;
                let payload: String = row.try_get("payload")?;
                out.push(AuditRecord {
                    seq,
                    time: row.try_get("time")?,
                    actor: row.try_get("actor")?,
                    request_id: row.try_get("request_id")?,
                    kind: row.try_get("kind")?,
                    // A payload that is no longer JSON was tampered with; keep it as a string so
                    // the hash check names the record instead of the read failing.
                    payload: serde_json::from_str(&payload).unwrap_or(serde_json::Value::String(payload)),
                    prev_hash: row.try_get("prev_hash")?,
                    hash: row.try_get("hash")?,
                });
            }
            Ok(out)
        })
    }

    pub async fn checkpoints(&self) -> Result<Vec<Checkpoint>, StoreError> {
        on_pool!(self, p => {
            let mut out = Vec::new();
            for row in sqlx::query("SELECT seq, head_hash, time, signature FROM trail_checkpoints ORDER BY seq")
                .fetch_all(p)
                .await?
            {
                let seq: i64 = row.try_get("seq")?;
                let signature: String = row.try_get("signature")?;
                let signature: Signature = serde_json::from_str(&signature).unwrap_or(Signature {
                    algorithm: "unreadable".to_string(),
                    key_id: String::new(),
                    value: String::new(),
                });
                out.push(Checkpoint {
                    seq,
                    head_hash: row.try_get("head_hash")?,
                    time: row.try_get("time")?,
                    signature,
                });
            }
            Ok(out)
        })
    }

    /// Signs the trail's current head, unless a checkpoint already covers it. Called by the
    /// audit worker (periodically and on request), which holds the key.
    pub async fn write_checkpoint(
        &self,
        key: &SigningKey,
    ) -> Result<Option<Checkpoint>, StoreError> {
        let head: Option<(i64, String)> = on_pool!(self, p => {
            match sqlx::query("SELECT seq, hash FROM audit_trail ORDER BY seq DESC LIMIT 1").fetch_optional(p).await? {
                Some(row) => Some((row.try_get("seq")?, row.try_get("hash")?)),
                None => None,
            }
        });
        let Some((seq, hash)) = head else {
            return Ok(None);
        };
        let time = trail::rfc3339_from_millis(self.now_ms());
        let checkpoint = Checkpoint::sign(key, seq, &hash, &time);
        let signature = canonical_text(&checkpoint.signature);
        let inserted = on_pool!(self, p => {
            sqlx::query(
                "INSERT INTO trail_checkpoints (seq, head_hash, time, signature) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (seq) DO NOTHING",
            )
            .bind(seq)
            .bind(&hash)
            .bind(&time)
            .bind(&signature)
            .execute(p)
            .await?
            .rows_affected()
        });
        Ok((inserted > 0).then_some(checkpoint))
    }

    /// The trail's checkpoints and every record's hash, to be written to a file (or posted to a
    /// channel) and kept outside the database.
    pub async fn export_trail(&self) -> Result<TrailExport, StoreError> {
        let records = self.trail_records().await?;
        Ok(TrailExport {
            format: EXPORT_FORMAT.to_string(),
            exported_at: trail::rfc3339_from_millis(self.now_ms()),
            checkpoints: self.checkpoints().await?,
            hashes: records.into_iter().map(|r| (r.seq, r.hash)).collect(),
        })
    }

    /// Walks the whole chain and every checkpoint (those in the database and those of an earlier
    /// export, which an attacker of the database cannot reach), and checks every stored verdict
    /// against the audit key and its plan version.
    pub async fn verify(
        &self,
        audit_key: &VerifyingKey,
        export: Option<&TrailExport>,
    ) -> Result<IntegrityReport, StoreError> {
        let records = self.trail_records().await?;
        let mut checkpoints = self.checkpoints().await?;
        if let Some(export) = export {
            for c in &export.checkpoints {
                if !checkpoints.contains(c) {
                    checkpoints.push(c.clone());
                }
            }
        }
        let trail = trail::verify_trail(&records, &checkpoints, audit_key);
        let export = export.and_then(|e| trail::compare_with_export(&records, e));
        let forged_verdicts = self.check_verdict_rows(audit_key).await?;
        Ok(IntegrityReport {
            trail,
            forged_verdicts,
            export,
        })
    }

    async fn check_verdict_rows(
        &self,
        key: &VerifyingKey,
    ) -> Result<Vec<ForgedVerdictRow>, StoreError> {
        let rows: Vec<(i64, i64, String, Option<String>)> = on_pool!(self, p => {
            let mut out = Vec::new();
            for row in sqlx::query(
                "SELECT v.request_id, v.plan_version, v.verdict, pv.plan_hash
                 FROM verdicts v LEFT JOIN plan_versions pv
                   ON pv.request_id = v.request_id AND pv.version = v.plan_version
                 ORDER BY v.request_id, v.plan_version",
            )
            .fetch_all(p)
            .await?
            {
                out.push((
                    row.try_get("request_id")?,
                    row.try_get("plan_version")?,
                    row.try_get("verdict")?,
                    row.try_get("plan_hash")?,
                ));
            }
            out
        });
        let mut forged = Vec::new();
        for (id, version, text, plan_hash) in rows {
            let reason = match (serde_json::from_str::<Verdict>(&text), plan_hash) {
                (Err(e), _) => Some(format!("it is not a readable verdict ({e})")),
                (Ok(_), None) => Some("no such plan version was ever stored".to_string()),
                (Ok(v), Some(h)) => signing::verify_verdict(key, &v, &h)
                    .err()
                    .map(|e| e.to_string()),
            };
            if let Some(reason) = reason {
                forged.push(ForgedVerdictRow {
                    request_id: crate::request_id(id),
                    plan_version: version,
                    reason,
                });
            }
        }
        Ok(forged)
    }
}
