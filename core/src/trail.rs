//! The audit trail: every event of a request's life as one append-only `AuditRecord`, chained by
//! hashes, with checkpoints signed by the audit key.
//!
//! A record's hash is `SHA-256(prev_hash ‖ canonical record)`, where `prev_hash` is the previous
//! record's hash as 64 lower-case hex characters (64 zeros for the first record) and the canonical
//! record is the canonical JSON of `{seq, time, actor, request_id, kind, payload}`. Changing,
//! removing, inserting or reordering a record therefore breaks the chain where it happened; an
//! attacker who rewrites the whole chain after that point is caught by the signed checkpoints,
//! which they cannot sign.
//!
//! Everything here is pure: the store reads the records and checkpoints, this module judges them.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use ed25519_dalek::{SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::canonical;
use crate::signing::{self, Signature};
use crate::verdict::Verdict;

/// The `prev_hash` of the first record.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The kinds of record paved writes. A kind is free text (`[a-z_.]+`) so that new events need no
/// schema change, but these are the ones the product and `paved log` understand.
pub mod kinds {
    /// The user's request as typed. Payload: `{text, channel}`.
    pub const REQUEST_RECEIVED: &str = "request.received";
    /// What paved understood. Payload: `{version, intent}`.
    pub const INTENT_UNDERSTOOD: &str = "intent.understood";
    /// A plan version. Payload: `{plan_version, plan_hash, plan}`.
    pub const PLAN_PROPOSED: &str = "plan.proposed";
    /// A button press (Approve, Modify, Cancel, Reject). Payload: `{button, plan_version, ...}`.
    pub const BUTTON_PRESSED: &str = "button.pressed";
    /// A plan version was sent to the audit. Payload: `{plan_version, plan_hash}`.
    pub const AUDIT_REQUESTED: &str = "audit.requested";
    /// The audit's signed verdict. Payload: `{plan_version, verdict}`.
    pub const VERDICT_ISSUED: &str = "verdict.issued";
    /// An escalation was posted to approvers. Payload: `{plan_version, approvers, channel}`.
    pub const ESCALATION_POSTED: &str = "escalation.posted";
    /// An approver approved or rejected. Payload: `{plan_version, approver, role, decision}`.
    pub const APPROVAL_RECORDED: &str = "approval.recorded";
    /// A deployment started. Payload: `{plan_version, deployment_id}`.
    pub const DEPLOYMENT_STARTED: &str = "deployment.started";
    /// One resource changed. Payload: `{address, status, message}`.
    pub const RESOURCE_CHANGED: &str = "resource.changed";
    /// A deployment finished. Payload: `{deployment_id, status, summary}`.
    pub const DEPLOYMENT_COMPLETED: &str = "deployment.completed";
    /// A rollback was asked for. Payload: `{of_request_id}`.
    pub const ROLLBACK_REQUESTED: &str = "rollback.requested";
}

/// What is appended: the trail itself adds the sequence number, time and hashes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrailEntry {
    /// Who did it: a user (`john.doe`) or a component (`paved-audit`, `paved-executor`).
    pub actor: String,
    /// The request concerned (`req-12345`), when there is one.
    pub request_id: Option<String>,
    pub kind: String,
    /// The full event: request text, intent, plan, verdict, button press, resource change.
    pub payload: Value,
}

/// A defect in an entry, found before it is appended.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EntryError {
    #[error("the record kind `{0}` is not lower-case words joined by dots or underscores")]
    Kind(String),
    #[error("the actor is empty; every record must say who did it")]
    Actor,
    #[error("`{0}` is not a request id like `req-12345`")]
    RequestId(String),
}

impl TrailEntry {
    pub fn new(actor: &str, request_id: Option<&str>, kind: &str, payload: Value) -> TrailEntry {
        TrailEntry {
            actor: actor.to_string(),
            request_id: request_id.map(str::to_string),
            kind: kind.to_string(),
            payload,
        }
    }

    pub fn validate(&self) -> Result<(), EntryError> {
        let kind_ok = !self.kind.is_empty()
            && self.kind.len() <= 64
            && self
                .kind
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'_');
        if !kind_ok {
            return Err(EntryError::Kind(self.kind.clone()));
        }
        if self.actor.trim().is_empty() {
            return Err(EntryError::Actor);
        }
        if let Some(id) = &self.request_id
            && !crate::message::is_request_id(id)
        {
            return Err(EntryError::RequestId(id.clone()));
        }
        Ok(())
    }

    /// Seals the entry as record `seq` after the record with hash `prev_hash`.
    pub fn seal(self, seq: i64, time: String, prev_hash: &str) -> AuditRecord {
        let mut record = AuditRecord {
            seq,
            time,
            actor: self.actor,
            request_id: self.request_id,
            kind: self.kind,
            payload: self.payload,
            prev_hash: prev_hash.to_string(),
            hash: String::new(),
        };
        record.hash = record.content_hash(seq);
        record
    }
}

/// One record of the audit trail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditRecord {
    pub seq: i64,
    /// RFC 3339, UTC, milliseconds (`2026-05-01T12:00:00.000Z`).
    pub time: String,
    pub actor: String,
    pub request_id: Option<String>,
    pub kind: String,
    pub payload: Value,
    pub prev_hash: String,
    pub hash: String,
}

#[derive(Serialize)]
struct CanonicalRecord<'a> {
    seq: i64,
    time: &'a str,
    actor: &'a str,
    request_id: &'a Option<String>,
    kind: &'a str,
    payload: &'a Value,
}

impl AuditRecord {
    /// The hash this record would have at sequence number `seq` after its `prev_hash`.
    pub fn content_hash(&self, seq: i64) -> String {
        let body = canonical::to_vec(&CanonicalRecord {
            seq,
            time: &self.time,
            actor: &self.actor,
            request_id: &self.request_id,
            kind: &self.kind,
            payload: &self.payload,
        });
        let mut bytes = Vec::with_capacity(self.prev_hash.len() + body.len());
        bytes.extend_from_slice(self.prev_hash.as_bytes());
        bytes.extend_from_slice(&body);
        canonical::sha256_hex(&bytes)
    }

    /// The decision recorded in a verdict record's payload, if this is one.
    pub fn verdict(&self) -> Option<Verdict> {
        if self.kind != kinds::VERDICT_ISSUED {
            return None;
        }
        serde_json::from_value(self.payload.get("verdict")?.clone()).ok()
    }

    /// The plan version named in the payload, if any.
    pub fn plan_version(&self) -> Option<i64> {
        self.payload.get("plan_version").and_then(Value::as_i64)
    }
}

/// A signed statement that the trail had `head_hash` at record `seq`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    pub seq: i64,
    pub head_hash: String,
    /// When it was signed (RFC 3339 UTC).
    pub time: String,
    pub signature: Signature,
}

#[derive(Serialize)]
struct CheckpointBody<'a> {
    // A fixed label, so that a checkpoint signature can never be passed off as a verdict's.
    statement: &'static str,
    seq: i64,
    head_hash: &'a str,
    time: &'a str,
}

const CHECKPOINT_STATEMENT: &str = "paved.trail.checkpoint.v1";

impl Checkpoint {
    fn body(seq: i64, head_hash: &str, time: &str) -> Vec<u8> {
        canonical::to_vec(&CheckpointBody {
            statement: CHECKPOINT_STATEMENT,
            seq,
            head_hash,
            time,
        })
    }

    pub fn sign(key: &SigningKey, seq: i64, head_hash: &str, time: &str) -> Checkpoint {
        Checkpoint {
            seq,
            head_hash: head_hash.to_string(),
            time: time.to_string(),
            signature: signing::sign_bytes(key, &Self::body(seq, head_hash, time)),
        }
    }

    pub fn verify(&self, key: &VerifyingKey) -> Result<(), signing::SignatureError> {
        signing::verify_bytes(
            key,
            &Self::body(self.seq, &self.head_hash, &self.time),
            &self.signature,
        )
    }
}

/// A trail and its checkpoints, as written to a file to be kept outside the database.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrailExport {
    /// Always `paved.trail.export.v1`.
    pub format: String,
    pub exported_at: String,
    pub checkpoints: Vec<Checkpoint>,
    /// Every record's sequence number and hash, so that a later verification against this file
    /// can name the exact record that differs, even after the chain was rewritten.
    pub hashes: Vec<(i64, String)>,
}

pub const EXPORT_FORMAT: &str = "paved.trail.export.v1";

/// Something wrong with the trail. Each names the first record concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrailProblem {
    /// The record's content no longer matches its hash.
    Changed { seq: i64 },
    /// Record `seq` is missing (deleted, possibly with the later ones renumbered).
    Removed { seq: i64 },
    /// Record `seq` was not appended by paved: it does not link into the chain where it sits.
    Inserted { seq: i64 },
    /// Record `seq` is intact but sits out of its original order.
    Reordered { seq: i64 },
    /// Records after `from - 1` were rewritten with fresh hashes: the signed checkpoint at
    /// `checkpoint` no longer matches.
    Rewritten { from: i64, checkpoint: i64 },
    /// A signed checkpoint covers record `checkpoint`, but the trail ends at `last`.
    Truncated { last: i64, checkpoint: i64 },
    /// The checkpoint at `seq` is not signed by the audit key.
    BadCheckpoint { seq: i64, reason: String },
    /// A verdict record the audit did not sign, or signed for another plan.
    ForgedVerdict { seq: i64, reason: String },
    /// A record differs from the copy exported earlier.
    DiffersFromExport { seq: i64 },
}

impl TrailProblem {
    /// Where the problem is proven, for ordering problems: a rewrite is only proven at its
    /// checkpoint, so the records that explain it come first.
    pub fn seq(&self) -> i64 {
        match self {
            TrailProblem::Changed { seq }
            | TrailProblem::Removed { seq }
            | TrailProblem::Inserted { seq }
            | TrailProblem::Reordered { seq }
            | TrailProblem::ForgedVerdict { seq, .. }
            | TrailProblem::BadCheckpoint { seq, .. }
            | TrailProblem::DiffersFromExport { seq } => *seq,
            TrailProblem::Rewritten { checkpoint, .. } => *checkpoint,
            TrailProblem::Truncated { last, .. } => last + 1,
        }
    }
}

impl fmt::Display for TrailProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrailProblem::Changed { seq } => {
                write!(
                    f,
                    "record {seq} was changed: its content no longer matches its hash"
                )
            }
            TrailProblem::Removed { seq } => write!(f, "record {seq} was removed from the trail"),
            TrailProblem::Inserted { seq } => {
                write!(
                    f,
                    "record {seq} was inserted: paved never appended it where it sits"
                )
            }
            TrailProblem::Reordered { seq } => {
                write!(
                    f,
                    "record {seq} was reordered: it is intact but out of its original place"
                )
            }
            TrailProblem::Rewritten { from, checkpoint } => write!(
                f,
                "records from {from} to {checkpoint} were rewritten: they no longer match the signed checkpoint at {checkpoint}"
            ),
            TrailProblem::Truncated { last, checkpoint } => write!(
                f,
                "record {} was removed: the trail ends at {last} but a signed checkpoint covers record {checkpoint}",
                last + 1
            ),
            TrailProblem::BadCheckpoint { seq, reason } => {
                write!(f, "the checkpoint at record {seq} is not valid: {reason}")
            }
            TrailProblem::ForgedVerdict { seq, reason } => {
                write!(f, "record {seq} holds a forged verdict: {reason}")
            }
            TrailProblem::DiffersFromExport { seq } => {
                write!(
                    f,
                    "record {seq} differs from the exported copy of the trail"
                )
            }
        }
    }
}

/// The result of walking the whole trail.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrailReport {
    pub records: usize,
    pub checkpoints: usize,
    /// The last record's sequence number and hash.
    pub head: Option<(i64, String)>,
    /// Every problem found, first record first.
    pub problems: Vec<TrailProblem>,
}

impl TrailReport {
    pub fn is_intact(&self) -> bool {
        self.problems.is_empty()
    }

    pub fn first_problem(&self) -> Option<&TrailProblem> {
        self.problems.first()
    }
}

/// Walks the whole chain (records in stored order, which is by sequence number) and every
/// checkpoint, and reports every record changed, removed, inserted or reordered, every checkpoint
/// that does not hold, and every verdict the audit key did not sign for the plan it names.
pub fn verify_trail(
    records: &[AuditRecord],
    checkpoints: &[Checkpoint],
    audit_key: &VerifyingKey,
) -> TrailReport {
    let mut problems = Vec::new();
    // Where each stored hash sits now, to tell a moved record from a foreign one.
    let position: HashMap<&str, i64> = records.iter().map(|r| (r.hash.as_str(), r.seq)).collect();
    // The plan hash each (request, plan version) was recorded with, for checking verdicts.
    let mut plan_hashes: HashMap<(String, i64), String> = HashMap::new();

    let mut prev: Option<&AuditRecord> = None;
    for r in records {
        let expected = prev.map_or(1, |p| p.seq + 1);
        let prev_hash = prev.map_or(GENESIS_HASH, |p| p.hash.as_str());
        if r.seq > expected {
            problems.push(TrailProblem::Removed { seq: expected });
        } else if r.seq < expected {
            problems.push(TrailProblem::Inserted { seq: r.seq });
        } else if r.content_hash(r.seq) == r.hash {
            if r.prev_hash != prev_hash {
                let slipped_in = prev.is_some_and(|p| p.prev_hash == r.prev_hash);
                let moved = position
                    .get(r.prev_hash.as_str())
                    .is_some_and(|&s| s > r.seq);
                problems.push(if slipped_in {
                    TrailProblem::Inserted { seq: expected - 1 }
                } else if moved {
                    TrailProblem::Reordered { seq: r.seq }
                } else {
                    TrailProblem::Inserted { seq: r.seq }
                });
            }
        } else {
            problems.push(classify_mismatch(r, &position));
        }

        match r.kind.as_str() {
            kinds::PLAN_PROPOSED | kinds::AUDIT_REQUESTED => {
                if let (Some(id), Some(v), Some(h)) = (
                    &r.request_id,
                    r.plan_version(),
                    r.payload.get("plan_hash").and_then(Value::as_str),
                ) {
                    plan_hashes.insert((id.clone(), v), h.to_string());
                }
            }
            kinds::VERDICT_ISSUED => {
                if let Err(reason) = check_verdict_record(r, &plan_hashes, audit_key) {
                    problems.push(TrailProblem::ForgedVerdict { seq: r.seq, reason });
                }
            }
            _ => {}
        }
        prev = Some(r);
    }

    let by_seq: BTreeMap<i64, &str> = records.iter().map(|r| (r.seq, r.hash.as_str())).collect();
    let last = records.last().map_or(0, |r| r.seq);
    let mut sorted: Vec<&Checkpoint> = checkpoints.iter().collect();
    sorted.sort_by_key(|c| c.seq);
    let mut covered = 0;
    for c in sorted {
        if let Err(e) = c.verify(audit_key) {
            problems.push(TrailProblem::BadCheckpoint {
                seq: c.seq,
                reason: e.to_string(),
            });
        } else if c.seq > last {
            problems.push(TrailProblem::Truncated {
                last,
                checkpoint: c.seq,
            });
        } else if by_seq.get(&c.seq) != Some(&c.head_hash.as_str()) {
            problems.push(TrailProblem::Rewritten {
                from: covered + 1,
                checkpoint: c.seq,
            });
        }
        covered = covered.max(c.seq);
    }

    problems.sort_by_key(TrailProblem::seq);
    problems.dedup();
    TrailReport {
        records: records.len(),
        checkpoints: checkpoints.len(),
        head: records.last().map(|r| (r.seq, r.hash.clone())),
        problems,
    }
}

/// Compares the trail with an earlier export, naming the first record whose hash differs or that
/// is missing. This finds a chain rewritten with fresh hashes down to the exact record.
pub fn compare_with_export(records: &[AuditRecord], export: &TrailExport) -> Option<TrailProblem> {
    let now: BTreeMap<i64, &str> = records.iter().map(|r| (r.seq, r.hash.as_str())).collect();
    for (seq, hash) in &export.hashes {
        match now.get(seq) {
            None => return Some(TrailProblem::Removed { seq: *seq }),
            Some(h) if *h != hash => return Some(TrailProblem::DiffersFromExport { seq: *seq }),
            Some(_) => {}
        }
    }
    None
}

/// A record whose hash does not match its content at its place: either its content was changed,
/// or it is intact but was moved (its hash matches at a nearby sequence number).
fn classify_mismatch(r: &AuditRecord, position: &HashMap<&str, i64>) -> TrailProblem {
    const REACH: i64 = 3;
    let original = (r.seq - REACH..=r.seq + REACH)
        .filter(|&s| s >= 1 && s != r.seq)
        .find(|&s| r.content_hash(s) == r.hash);
    let Some(original) = original else {
        return TrailProblem::Changed { seq: r.seq };
    };
    let predecessor_now_after = position
        .get(r.prev_hash.as_str())
        .is_some_and(|&s| s >= r.seq);
    if predecessor_now_after {
        TrailProblem::Reordered { seq: r.seq }
    } else if original > r.seq {
        // It moved down: what was before it is gone.
        TrailProblem::Removed { seq: r.seq }
    } else {
        // It moved up: something was slipped in at its old place.
        TrailProblem::Inserted { seq: original }
    }
}

fn check_verdict_record(
    r: &AuditRecord,
    plan_hashes: &HashMap<(String, i64), String>,
    audit_key: &VerifyingKey,
) -> Result<(), String> {
    let verdict = r.verdict().ok_or("the payload holds no readable verdict")?;
    let id = r.request_id.as_ref().ok_or("it names no request")?;
    let version = r.plan_version().ok_or("it names no plan version")?;
    let judged = plan_hashes
        .get(&(id.clone(), version))
        .ok_or_else(|| format!("no plan version {version} of {id} was recorded before it"))?;
    signing::verify_verdict(audit_key, &verdict, judged).map_err(|e| e.to_string())
}

/// Formats milliseconds since the Unix epoch as RFC 3339 UTC with milliseconds.
pub fn rfc3339_from_millis(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let millis = ms.rem_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{millis:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Parses `YYYY-MM-DD`, or RFC 3339 with `Z` or a numeric offset and optional fractions, into
/// milliseconds since the Unix epoch.
pub fn parse_rfc3339_millis(text: &str) -> Option<i64> {
    let t = text.trim();
    let num = |s: &str| -> Option<i64> {
        (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    let (date, rest) = match t.split_once(['T', 't', ' ']) {
        Some((d, r)) => (d, Some(r)),
        None => (t, None),
    };
    let mut parts = date.splitn(3, '-');
    let y = num(parts.next()?)?;
    let m = num(parts.next()?)?;
    let d = num(parts.next()?)?;
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    let mut ms = days_from_civil(y, m, d) * 86_400_000;
    let Some(rest) = rest else { return Some(ms) };
    let (clock, offset_ms) = if let Some(c) = rest.strip_suffix(['Z', 'z']) {
        (c, 0)
    } else {
        let at = rest.rfind(['+', '-'])?;
        let (c, off) = rest.split_at(at);
        let sign = if off.starts_with('-') { -1 } else { 1 };
        let (oh, om) = off[1..].split_once(':')?;
        (c, sign * (num(oh)? * 3_600_000 + num(om)? * 60_000))
    };
    let (hms, frac) = match clock.split_once('.') {
        Some((a, b)) => (a, Some(b)),
        None => (clock, None),
    };
    let mut hms = hms.splitn(3, ':');
    let h = num(hms.next()?)?;
    let mi = num(hms.next()?)?;
    let s = num(hms.next()?)?;
    if h > 23 || mi > 59 || s > 60 {
        return None;
    }
    ms += h * 3_600_000 + mi * 60_000 + s * 1000;
    if let Some(frac) = frac {
        let digits: String = frac.chars().take(3).collect();
        let scale = 10i64.pow(3 - digits.len() as u32);
        ms += num(&digits)? * scale;
    }
    Some(ms - offset_ms)
}

// Howard Hinnant's algorithms for the proleptic Gregorian calendar.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn key() -> SigningKey {
        SigningKey::from_bytes(&[7u8; 32])
    }

    fn chain(n: i64) -> Vec<AuditRecord> {
        let mut out: Vec<AuditRecord> = Vec::new();
        for seq in 1..=n {
            let prev = out
                .last()
                .map_or(GENESIS_HASH.to_string(), |r| r.hash.clone());
            let e = TrailEntry::new(
                "john.doe",
                Some("req-10001"),
                "button.pressed",
                json!({"n": seq}),
            );
            out.push(e.seal(seq, rfc3339_from_millis(seq * 1000), &prev));
        }
        out
    }

    fn first(records: &[AuditRecord], cps: &[Checkpoint]) -> Option<TrailProblem> {
        verify_trail(records, cps, &key().verifying_key())
            .first_problem()
            .cloned()
    }

    fn reseal(records: &mut [AuditRecord]) {
        let mut prev = GENESIS_HASH.to_string();
        for r in records.iter_mut() {
            r.prev_hash = prev.clone();
            r.hash = r.content_hash(r.seq);
            prev = r.hash.clone();
        }
    }

    #[test]
    fn an_intact_chain_verifies() {
        let c = chain(10);
        let cp = Checkpoint::sign(&key(), 10, &c[9].hash, "2026-01-01T00:00:00.000Z");
        let report = verify_trail(&c, &[cp], &key().verifying_key());
        assert!(report.is_intact(), "{:?}", report.problems);
        assert_eq!(report.head, Some((10, c[9].hash.clone())));
    }

    #[test]
    fn each_kind_of_tampering_is_named_at_its_record() {
        let mut c = chain(10);
        c[4].payload = json!({"n": 99});
        assert_eq!(first(&c, &[]), Some(TrailProblem::Changed { seq: 5 }));

        let mut c = chain(10);
        c.remove(4);
        assert_eq!(first(&c, &[]), Some(TrailProblem::Removed { seq: 5 }));

        // Removed and the rest renumbered to hide the gap.
        let mut c = chain(10);
        c.remove(4);
        for r in c.iter_mut().skip(4) {
            r.seq -= 1;
        }
        assert_eq!(first(&c, &[]), Some(TrailProblem::Removed { seq: 5 }));

        // Inserted with a valid link, the rest renumbered to make room.
        let mut c = chain(10);
        let fake = TrailEntry::new("mallory", Some("req-10001"), "approval.recorded", json!({}))
            .seal(5, rfc3339_from_millis(4500), &c[3].hash);
        for r in c.iter_mut().skip(4) {
            r.seq += 1;
        }
        c.insert(4, fake);
        assert_eq!(first(&c, &[]), Some(TrailProblem::Inserted { seq: 5 }));

        // Two records swapped.
        let mut c = chain(10);
        c.swap(4, 5);
        c[4].seq = 5;
        c[5].seq = 6;
        assert_eq!(first(&c, &[]), Some(TrailProblem::Reordered { seq: 5 }));
    }

    #[test]
    fn a_rewritten_chain_is_caught_by_checkpoints_and_exports() {
        let c = chain(10);
        let k = key();
        let cps = vec![
            Checkpoint::sign(&k, 4, &c[3].hash, "t"),
            Checkpoint::sign(&k, 8, &c[7].hash, "t"),
        ];
        let export = TrailExport {
            format: EXPORT_FORMAT.into(),
            exported_at: "t".into(),
            checkpoints: cps.clone(),
            hashes: c.iter().map(|r| (r.seq, r.hash.clone())).collect(),
        };
        let mut forged = c.clone();
        forged[5].payload = json!({"n": "rewritten"});
        reseal(&mut forged);
        assert_eq!(
            first(&forged, &cps),
            Some(TrailProblem::Rewritten {
                from: 5,
                checkpoint: 8
            })
        );
        assert_eq!(
            compare_with_export(&forged, &export),
            Some(TrailProblem::DiffersFromExport { seq: 6 })
        );

        let truncated = &c[..6];
        assert_eq!(
            first(truncated, &cps),
            Some(TrailProblem::Truncated {
                last: 6,
                checkpoint: 8
            })
        );

        let other = SigningKey::from_bytes(&[8u8; 32]);
        let bad = Checkpoint::sign(&other, 4, &c[3].hash, "t");
        assert!(matches!(
            first(&c, &[bad]),
            Some(TrailProblem::BadCheckpoint { seq: 4, .. })
        ));
    }

    #[test]
    fn times_round_trip() {
        assert_eq!(rfc3339_from_millis(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(
            rfc3339_from_millis(1_709_210_096_789),
            "2024-02-29T12:34:56.789Z"
        );
        assert_eq!(
            parse_rfc3339_millis("2024-02-29T12:34:56.789Z"),
            Some(1_709_210_096_789)
        );
        assert_eq!(
            parse_rfc3339_millis("2024-02-29T14:34:56.789+02:00"),
            Some(1_709_210_096_789)
        );
        assert_eq!(parse_rfc3339_millis("2024-02-29"), Some(1_709_164_800_000));
        assert_eq!(parse_rfc3339_millis("2024-13-01"), None);
        assert_eq!(parse_rfc3339_millis("yesterday"), None);
    }
}
