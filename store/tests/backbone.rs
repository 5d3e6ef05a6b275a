//! The storage, queue and trail suite. Every test body runs twice: on a fresh SQLite file and on
//! a fresh PostgreSQL database (see `paved_store::testing`).

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use common::{audit_key, other_key, plan, verdict_for};
use paved_core::message::{
    AUDIT_VERDICT_V1, AuditContextV1, AuditVerdictV1, Message, TOPIC_AUDIT, TOPIC_ORCHESTRATOR,
};
use paved_core::trail::{TrailEntry, TrailProblem, kinds};
use paved_core::{Decision, Finding, Intent, Level, Outcome, Plan, Verdict};
use paved_store::testing::TestDb;
use paved_store::{
    ApprovalDecision, Clock, ConfigurationErrors, Db, Decisions, Deployments, Handled,
    InventoryItem, IpamRow, LogQuery, Report, Retry, RetryPolicy, RuleCount, Security, StoreError,
    Tx, Window, accept_verdict, process_next_verdict, submit_for_audit,
};
use serde_json::json;

const LEASE: Duration = Duration::from_secs(30);
const T0: i64 = 1_767_225_600_000; // 2026-01-01T00:00:00Z

/// The test's database with a manual clock; keep the returned `TestDb` alive for the test (it
/// owns the SQLite file's directory).
fn manual(t: TestDb) -> (Db, Clock, TestDb) {
    let clock = Clock::manual(T0);
    (t.db.clone().with_clock(clock.clone()), clock, t)
}

/// Creates a request with one plan version and sends it to the audit.
async fn request_sent_to_audit(db: &Db, user: &str, cost: f64) -> String {
    let mut tx = db.begin().await.unwrap();
    let id = tx
        .create_request(user, "#infra", "a database for orders")
        .await
        .unwrap();
    tx.add_plan_version(user, &id, &plan(cost), "first plan")
        .await
        .unwrap();
    assert!(
        submit_for_audit(&mut tx, user, &id, 1, AuditContextV1::default())
            .await
            .unwrap()
    );
    tx.commit().await.unwrap();
    id
}

/// Does what the audit worker does with one claimed request: publishes a verdict signed with
/// `key` and completes the request, in one transaction.
async fn judge_one(db: &Db, key: &ed25519_dalek::SigningKey, decision: Decision) -> String {
    judge_with(db, |plan| verdict_for(plan, decision, key)).await
}

/// Like `judge_one`, with the verdict `make` builds for the plan sent (signed by it).
async fn judge_with(db: &Db, make: impl FnOnce(&Plan) -> Verdict) -> String {
    let delivery = db
        .claim(TOPIC_AUDIT, LEASE)
        .await
        .unwrap()
        .expect("an audit request");
    let Message::AuditRequest(req) = delivery.decode().unwrap() else {
        panic!("not a request")
    };
    let verdict = make(&req.plan);
    let mut tx = db.begin().await.unwrap();
    tx.enqueue(&Message::AuditVerdict(AuditVerdictV1 {
        request_id: req.request_id.clone(),
        plan_version: req.plan_version,
        verdict,
    }))
    .await
    .unwrap();
    tx.complete(&delivery).await.unwrap();
    tx.commit().await.unwrap();
    req.request_id
}

async fn trail_kinds(db: &Db, id: &str) -> Vec<String> {
    db.request_trail(id)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.kind)
        .collect()
}

// ---------------------------------------------------------------------------------------------

async fn request_lifecycle_end_to_end(db: TestDb) {
    let (db, _clock, _guard) = manual(db);
    let key = audit_key();
    let mut tx = db.begin().await.unwrap();
    let id = tx
        .create_request("john.doe", "#infra", "a postgres database for orders")
        .await
        .unwrap();
    assert!(id.starts_with("req-1"), "{id}");
    tx.save_intent("paved", &id, &Intent::empty())
        .await
        .unwrap();
    let v1 = tx
        .add_plan_version("paved", &id, &plan(40.0), "first plan")
        .await
        .unwrap();
    let v2 = tx
        .add_plan_version("john.doe", &id, &plan(1200.0), "use a larger instance")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!((v1.version, v2.version), (1, 2));
    assert_ne!(v1.plan_hash, v2.plan_hash);

    // Plans are immutable.
    let mut tx = db.begin().await.unwrap();
    assert!(
        update(&mut tx, "UPDATE plan_versions SET plan = '{}'")
            .await
            .is_err()
    );
    tx.rollback().await.unwrap();

    let mut tx = db.begin().await.unwrap();
    assert!(
        submit_for_audit(&mut tx, "john.doe", &id, 2, AuditContextV1::default())
            .await
            .unwrap()
    );
    // Sending the same version again changes nothing.
    assert!(
        !submit_for_audit(&mut tx, "john.doe", &id, 2, AuditContextV1::default())
            .await
            .unwrap()
    );
    tx.commit().await.unwrap();

    let judged = judge_one(&db, &key, Decision::ApprovedWithWarnings).await;
    assert_eq!(judged, id);
    let handled = process_next_verdict(&db, &key.verifying_key(), LEASE)
        .await
        .unwrap();
    let Some(Handled::Verdict(accepted)) = handled else {
        panic!("{handled:?}")
    };
    assert!(accepted.new);
    assert_eq!(accepted.plan_version, 2);
    assert_eq!(
        db.verdict(&id, 2).await.unwrap().unwrap().decision,
        Decision::ApprovedWithWarnings
    );
    assert_eq!(db.verdict(&id, 1).await.unwrap(), None);
    assert_eq!(db.request(&id).await.unwrap().status, "approved");

    assert_eq!(
        trail_kinds(&db, &id).await,
        [
            kinds::REQUEST_RECEIVED,
            kinds::INTENT_UNDERSTOOD,
            kinds::PLAN_PROPOSED,
            kinds::PLAN_PROPOSED,
            kinds::AUDIT_REQUESTED,
            kinds::VERDICT_ISSUED
        ]
    );
    let report = db.verify(&key.verifying_key(), None).await.unwrap();
    assert!(report.is_intact(), "{:?}", report.problems());
    assert_eq!(report.trail.records, 6);

    // The log shows the request with its cost, decision and reasoning.
    let rows = db
        .log(&LogQuery {
            user: Some("john.doe".into()),
            ..LogQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].request_id, id);
    assert_eq!(rows[0].monthly_cost_usd, Some(1200.0));
    assert_eq!(rows[0].decision, Some(Decision::ApprovedWithWarnings));
    assert_eq!(
        rows[0].reasoning,
        ["The plan costs more than $1,000 a month."]
    );
    assert_eq!(rows[0].plan_version, Some(2));
}
both!(request_lifecycle_end_to_end);

async fn log_filters(db: TestDb) {
    let (db, clock, _guard) = manual(db);
    let key = audit_key();
    let mut ids = Vec::new();
    for (user, decision) in [
        ("john.doe", Decision::Approved),
        ("jane.roe", Decision::Approved),
        ("john.doe", Decision::Vetoed),
        ("john.doe", Decision::Approved),
    ] {
        let id = request_sent_to_audit(&db, user, 10.0).await;
        judge_one(&db, &key, decision).await;
        process_next_verdict(&db, &key.verifying_key(), LEASE)
            .await
            .unwrap();
        ids.push(id);
        clock.advance(Duration::from_secs(3600));
    }
    let pending = request_sent_to_audit(&db, "john.doe", 99.0).await;

    let johns = db
        .log(&LogQuery {
            user: Some("john.doe".into()),
            ..LogQuery::default()
        })
        .await
        .unwrap();
    let got: Vec<&str> = johns.iter().map(|e| e.request_id.as_str()).collect();
    assert_eq!(
        got,
        [pending.as_str(), &ids[3], &ids[2], &ids[0]],
        "newest first"
    );
    assert_eq!(johns[0].decision, None);
    assert_eq!(johns[0].monthly_cost_usd, Some(99.0));

    let limited = db
        .log(&LogQuery {
            user: Some("john.doe".into()),
            limit: 2,
            ..LogQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(limited.len(), 2);

    let vetoed = db
        .log(&LogQuery {
            decision: Some(Decision::Vetoed),
            ..LogQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(
        vetoed
            .iter()
            .map(|e| e.request_id.clone())
            .collect::<Vec<_>>(),
        [ids[2].clone()]
    );

    let one = db
        .log(&LogQuery {
            request_id: Some(ids[1].clone()),
            ..LogQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(one.len(), 1);
    assert_eq!(one[0].user, "jane.roe");

    // Requests in the second and third hour.
    let window = LogQuery {
        since_ms: Some(T0 + 3_600_000),
        until_ms: Some(T0 + 3 * 3_600_000),
        ..LogQuery::default()
    };
    let got: Vec<String> = db
        .log(&window)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.request_id)
        .collect();
    assert_eq!(got, [ids[2].clone(), ids[1].clone()]);

    assert!(matches!(
        db.log(&LogQuery {
            request_id: Some("12".into()),
            ..LogQuery::default()
        })
        .await,
        Err(StoreError::BadRequestId(_))
    ));
}
both!(log_filters);

// ---------------------------------------------------------------------------------------------
// The monthly report.

/// Moves a manual clock forward to `ms`.
fn clock_to(clock: &Clock, ms: i64) {
    let now = clock.now_ms();
    assert!(ms >= now, "the clock only moves forward");
    clock.advance(Duration::from_millis((ms - now) as u64));
}

/// Judges the next audit request with the verdict `make` builds and accepts it, as the audit
/// worker and the orchestrator do; the verdict is stored at the clock's time.
async fn judge_and_accept(
    db: &Db,
    key: &ed25519_dalek::SigningKey,
    make: impl FnOnce(&Plan) -> Verdict,
) {
    judge_with(db, make).await;
    let handled = process_next_verdict(db, &key.verifying_key(), LEASE)
        .await
        .unwrap();
    assert!(matches!(handled, Some(Handled::Verdict(_))), "{handled:?}");
}

/// A veto whose findings are blocking findings of `rules`.
fn blocked(plan: &Plan, rules: &[&str], key: &ed25519_dalek::SigningKey) -> Verdict {
    let mut v = verdict_for(plan, Decision::Vetoed, key);
    v.findings = rules
        .iter()
        .map(|rule| Finding {
            rule: rule.to_string(),
            level: Level::Blocking,
            outcome: Outcome::Veto,
            resource: None,
            message: format!("{rule} blocks this plan."),
            suggestion: None,
        })
        .collect();
    paved_core::signing::sign_verdict(key, &mut v);
    v
}

/// An auto-fix that leaves the plan costing `fixed_cost`.
fn auto_fixed(plan: &Plan, fixed_cost: f64, key: &ed25519_dalek::SigningKey) -> Verdict {
    let mut v = verdict_for(plan, Decision::AutoFixed, key);
    v.plan = common::plan(fixed_cost);
    v.approved_plan_hash = paved_core::canonical::plan_hash(&v.plan);
    paved_core::signing::sign_verdict(key, &mut v);
    v
}

/// Adds plan version `version` costing `cost` to a request and sends it to the audit.
async fn next_version_sent_to_audit(db: &Db, id: &str, version: i64, cost: f64) {
    let mut tx = db.begin().await.unwrap();
    let v = tx
        .add_plan_version("john.doe", id, &plan(cost), "modified")
        .await
        .unwrap();
    assert_eq!(v.version, version);
    assert!(
        submit_for_audit(&mut tx, "john.doe", id, version, AuditContextV1::default())
            .await
            .unwrap()
    );
    tx.commit().await.unwrap();
}

/// Starts the deployment of a plan version now, with the executor's reports `(address, status)`.
async fn deploy(db: &Db, id: &str, version: i64, events: &[(&str, &str)]) -> i64 {
    let mut tx = db.begin().await.unwrap();
    let dep = tx
        .start_deployment("paved-executor", id, version)
        .await
        .unwrap();
    for (address, status) in events {
        tx.add_deployment_event("paved-executor", id, dep, address, status, "")
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    dep
}

async fn finish(db: &Db, id: &str, dep: i64, status: &str) {
    let mut tx = db.begin().await.unwrap();
    tx.finish_deployment("paved-executor", id, dep, status, &json!({}))
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

/// A press refused and recorded, as the host records one.
async fn refused_press(db: &Db, id: &str) {
    let mut tx = db.begin().await.unwrap();
    tx.append(TrailEntry::new(
        "mallory",
        Some(id),
        "event.refused",
        json!({"event": "pressed", "reason": "not an approver"}),
    ))
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

async fn monthly_report(db: TestDb) {
    const MINUTE: i64 = 60_000;
    const HOUR: i64 = 60 * MINUTE;
    const DAY: i64 = 24 * HOUR;
    let feb = T0 + 31 * DAY; // 2026-02-01T00:00:00Z
    let mar = feb + 28 * DAY; // 2026-03-01T00:00:00Z
    let (db, clock, _guard) = manual(db);
    let key = audit_key();
    let approved = |d: Decision| move |p: &Plan| verdict_for(p, d, &audit_key());
    let db_instance = "aws_db_instance.orders";
    let bucket = "aws_s3_bucket.logs";

    // January: a veto with a blocking finding (its cheaper plan is judged in February); a
    // deployment that starts before midnight and completes after; a refused press.
    clock_to(&clock, feb - 3 * HOUR);
    let j1 = request_sent_to_audit(&db, "john.doe", 700.0).await;
    judge_and_accept(&db, &key, |p| blocked(p, &["no_public_databases"], &key)).await;
    clock_to(&clock, feb - 2 * HOUR);
    let j2 = request_sent_to_audit(&db, "jane.roe", 1000.0).await;
    judge_and_accept(&db, &key, approved(Decision::Approved)).await;
    clock_to(&clock, feb - HOUR);
    let j2_dep = deploy(
        &db,
        &j2,
        1,
        &[(db_instance, "creating"), (db_instance, "done")],
    )
    .await;
    clock_to(&clock, feb - MINUTE);
    refused_press(&db, &j2).await;
    clock_to(&clock, feb + 10 * MINUTE);
    finish(&db, &j2, j2_dep, "completed").await;

    // February.
    clock_to(&clock, feb + 30 * MINUTE);
    next_version_sent_to_audit(&db, &j1, 2, 200.0).await;
    judge_and_accept(&db, &key, approved(Decision::Approved)).await;
    // Approved, deployed in two minutes.
    clock_to(&clock, feb + HOUR);
    let r1 = request_sent_to_audit(&db, "john.doe", 100.0).await;
    judge_and_accept(&db, &key, approved(Decision::Approved)).await;
    clock_to(&clock, feb + 2 * HOUR);
    let d1 = deploy(
        &db,
        &r1,
        1,
        &[
            (db_instance, "pending"),
            (bucket, "pending"),
            (db_instance, "creating"),
            (db_instance, "done"),
            (bucket, "creating"),
            (bucket, "done"),
        ],
    )
    .await;
    clock_to(&clock, feb + 2 * HOUR + 2 * MINUTE);
    finish(&db, &r1, d1, "completed").await;
    // Approved with warnings; one resource fails, one is never tried.
    clock_to(&clock, feb + 3 * HOUR);
    let r2 = request_sent_to_audit(&db, "jane.roe", 250.0).await;
    judge_and_accept(&db, &key, approved(Decision::ApprovedWithWarnings)).await;
    clock_to(&clock, feb + 4 * HOUR);
    let d2 = deploy(
        &db,
        &r2,
        1,
        &[
            ("aws_vpc.a", "pending"),
            ("aws_subnet.b", "pending"),
            ("aws_instance.c", "pending"),
            ("aws_vpc.a", "creating"),
            ("aws_vpc.a", "done"),
            ("aws_subnet.b", "creating"),
            ("aws_subnet.b", "failed"),
        ],
    )
    .await;
    clock_to(&clock, feb + 4 * HOUR + 30_000);
    finish(&db, &r2, d2, "failed").await;
    // Auto-fixed from $80 to $60; what ran (and counts as deployed) is the fixed plan.
    clock_to(&clock, feb + 5 * HOUR);
    let r3 = request_sent_to_audit(&db, "john.doe", 80.0).await;
    judge_and_accept(&db, &key, |p| auto_fixed(p, 60.0, &key)).await;
    clock_to(&clock, feb + 6 * HOUR);
    let d3 = deploy(
        &db,
        &r3,
        1,
        &[(db_instance, "creating"), (db_instance, "done")],
    )
    .await;
    clock_to(&clock, feb + 6 * HOUR + 4 * MINUTE);
    finish(&db, &r3, d3, "completed").await;
    // Vetoed at $1,500 with a blocking finding, approved at $400, still deploying.
    clock_to(&clock, feb + 7 * HOUR);
    let r4 = request_sent_to_audit(&db, "john.doe", 1500.0).await;
    judge_and_accept(&db, &key, |p| blocked(p, &["no_public_databases"], &key)).await;
    clock_to(&clock, feb + 7 * HOUR + 30 * MINUTE);
    next_version_sent_to_audit(&db, &r4, 2, 400.0).await;
    judge_and_accept(&db, &key, approved(Decision::Approved)).await;
    clock_to(&clock, feb + 8 * HOUR);
    deploy(&db, &r4, 2, &[(db_instance, "creating")]).await;
    // Vetoed at $100, then escalated at $3,000: no saving.
    clock_to(&clock, feb + 9 * HOUR);
    let r5 = request_sent_to_audit(&db, "jane.roe", 100.0).await;
    judge_and_accept(&db, &key, approved(Decision::Vetoed)).await;
    clock_to(&clock, feb + 9 * HOUR + 30 * MINUTE);
    next_version_sent_to_audit(&db, &r5, 2, 3000.0).await;
    judge_and_accept(&db, &key, approved(Decision::Escalated)).await;
    // Vetoed with two blocking findings; its cheaper plan comes in March.
    clock_to(&clock, feb + 10 * HOUR);
    let r6 = request_sent_to_audit(&db, "john.doe", 20.0).await;
    judge_and_accept(&db, &key, |p| {
        blocked(p, &["no_public_databases", "encryption_at_rest"], &key)
    })
    .await;
    // Never audited.
    clock_to(&clock, feb + 11 * HOUR);
    let mut tx = db.begin().await.unwrap();
    tx.create_request("jane.roe", "#infra", "something vague")
        .await
        .unwrap();
    tx.commit().await.unwrap();
    clock_to(&clock, feb + 12 * HOUR);
    refused_press(&db, &r1).await;
    refused_press(&db, &r5).await;
    // Asked in the last hour of February, judged in March.
    clock_to(&clock, mar - HOUR);
    let r8 = request_sent_to_audit(&db, "jane.roe", 50.0).await;

    // March.
    clock_to(&clock, mar + HOUR);
    assert_eq!(
        judge_with(&db, approved(Decision::Approved)).await,
        r8,
        "the audit judges in order"
    );
    process_next_verdict(&db, &key.verifying_key(), LEASE)
        .await
        .unwrap();
    clock_to(&clock, mar + 2 * HOUR);
    let m1 = request_sent_to_audit(&db, "john.doe", 5000.0).await;
    judge_and_accept(&db, &key, |p| blocked(p, &["no_public_databases"], &key)).await;
    clock_to(&clock, mar + 3 * HOUR);
    next_version_sent_to_audit(&db, &m1, 2, 900.0).await;
    judge_and_accept(&db, &key, approved(Decision::Approved)).await;
    clock_to(&clock, mar + 4 * HOUR);
    let dm = deploy(
        &db,
        &m1,
        2,
        &[(db_instance, "creating"), (db_instance, "failed")],
    )
    .await;
    finish(&db, &m1, dm, "failed").await;
    clock_to(&clock, mar + 5 * HOUR);
    next_version_sent_to_audit(&db, &r6, 2, 10.0).await;
    judge_and_accept(&db, &key, approved(Decision::Approved)).await;
    clock_to(&clock, mar + 6 * HOUR);
    refused_press(&db, &m1).await;

    // February: eight requests (r1–r8), seven audited (j1's second verdict is in February).
    let report = db.report(feb, mar).await.unwrap();
    assert_eq!(
        report,
        Report {
            window: Window {
                since: "2026-02-01T00:00:00.000Z".into(),
                until: "2026-03-01T00:00:00.000Z".into(),
            },
            requests: 8,
            decisions: Decisions {
                audited: 7,
                approved: 3,
                approved_with_warnings: 1,
                auto_fixed: 1,
                vetoed: 1,
                escalated: 1,
                auto_approved: 5,
                auto_approved_percent: Some(100.0 * 5.0 / 7.0),
                escalated_percent: Some(100.0 / 7.0),
            },
            deployments: Deployments {
                started: 4,
                completed: 2,
                failed: 1,
                running: 1,
                success_rate_percent: Some(100.0 * 2.0 / 3.0),
                average_deployment_seconds: Some(180.0),
            },
            configuration_errors: ConfigurationErrors {
                failed_resources: 1,
                attempted_resources: 6,
                percent: Some(100.0 / 6.0),
            },
            security: Security {
                blocked_findings: 3,
                blocked_by_rule: vec![
                    RuleCount {
                        rule: "no_public_databases".into(),
                        count: 2
                    },
                    RuleCount {
                        rule: "encryption_at_rest".into(),
                        count: 1
                    },
                ],
                refused_presses: 2,
            },
            // r1's $100 and r3's fixed $60; r2 failed, r4 is still running.
            cost_deployed_usd_per_month: 160.0,
            // j1 700 → 200, r3 80 → 60, r4 1500 → 400; r5's next plan costs more, r6's comes in
            // March.
            savings_suggested_usd_per_month: 1620.0,
        }
    );

    // January: the deployment that started in it counts whole, the saving of its veto does not.
    let january = db.report(T0, feb).await.unwrap();
    assert_eq!(january.requests, 2);
    assert_eq!(
        (
            january.decisions.audited,
            january.decisions.approved,
            january.decisions.vetoed
        ),
        (2, 1, 1)
    );
    assert_eq!(january.decisions.auto_approved_percent, Some(50.0));
    assert_eq!(january.decisions.escalated_percent, Some(0.0));
    assert_eq!(
        (january.deployments.started, january.deployments.completed),
        (1, 1)
    );
    assert_eq!(
        january.deployments.average_deployment_seconds,
        Some(70.0 * 60.0)
    );
    assert_eq!(
        (
            january.configuration_errors.attempted_resources,
            january.configuration_errors.failed_resources,
            january.configuration_errors.percent
        ),
        (1, 0, Some(0.0))
    );
    assert_eq!(january.security.blocked_findings, 1);
    assert_eq!(january.security.refused_presses, 1);
    assert_eq!(january.cost_deployed_usd_per_month, 1000.0);
    assert_eq!(january.savings_suggested_usd_per_month, 0.0);

    // March: m1's veto and r6's (from February) are saved from in March.
    let march = db.report(mar, mar + 31 * DAY).await.unwrap();
    assert_eq!(march.requests, 1);
    assert_eq!((march.decisions.audited, march.decisions.approved), (3, 3));
    assert_eq!(
        (
            march.deployments.failed,
            march.deployments.success_rate_percent,
            march.deployments.average_deployment_seconds
        ),
        (1, Some(0.0), None)
    );
    assert_eq!(march.configuration_errors.percent, Some(100.0));
    assert_eq!(march.security.blocked_findings, 1);
    assert_eq!(march.security.refused_presses, 1);
    assert_eq!(march.cost_deployed_usd_per_month, 0.0);
    assert_eq!(march.savings_suggested_usd_per_month, 4110.0);

    // A window with nothing in it: zeros, no percentages, and every decision still named.
    let empty = db.report(T0 - 31 * DAY, T0).await.unwrap();
    assert_eq!(
        empty,
        Report {
            window: Window {
                since: "2025-12-01T00:00:00.000Z".into(),
                until: "2026-01-01T00:00:00.000Z".into(),
            },
            requests: 0,
            decisions: Decisions {
                audited: 0,
                approved: 0,
                approved_with_warnings: 0,
                auto_fixed: 0,
                vetoed: 0,
                escalated: 0,
                auto_approved: 0,
                auto_approved_percent: None,
                escalated_percent: None,
            },
            deployments: Deployments {
                started: 0,
                completed: 0,
                failed: 0,
                running: 0,
                success_rate_percent: None,
                average_deployment_seconds: None,
            },
            configuration_errors: ConfigurationErrors {
                failed_resources: 0,
                attempted_resources: 0,
                percent: None,
            },
            security: Security {
                blocked_findings: 0,
                blocked_by_rule: vec![],
                refused_presses: 0,
            },
            cost_deployed_usd_per_month: 0.0,
            savings_suggested_usd_per_month: 0.0,
        }
    );
    let json = serde_json::to_value(&empty).unwrap();
    for decision in [
        "approved",
        "approved_with_warnings",
        "auto_fixed",
        "vetoed",
        "escalated",
    ] {
        assert_eq!(json["decisions"][decision], 0, "{decision}");
    }
    assert!(json["decisions"]["auto_approved_percent"].is_null());
}
both!(monthly_report);

// ---------------------------------------------------------------------------------------------
// The queue.

async fn lease_expiry_redelivers(db: TestDb) {
    let (db, clock, _guard) = manual(db);
    let id = request_sent_to_audit(&db, "john.doe", 10.0).await;
    let first = db.claim(TOPIC_AUDIT, LEASE).await.unwrap().unwrap();
    assert_eq!(first.attempt, 1);
    assert_eq!(
        db.claim(TOPIC_AUDIT, LEASE).await.unwrap(),
        None,
        "leased messages are invisible"
    );

    clock.advance(LEASE + Duration::from_millis(1));
    let second = db
        .claim(TOPIC_AUDIT, LEASE)
        .await
        .unwrap()
        .expect("redelivered after the lease");
    assert_eq!((second.id, second.attempt), (first.id, 2));
    let Message::AuditRequest(req) = second.decode().unwrap() else {
        panic!()
    };
    assert_eq!(req.request_id, id);

    // The first consumer's lease is gone: it can neither complete nor fail the message.
    let mut tx = db.begin().await.unwrap();
    assert!(matches!(
        tx.complete(&first).await,
        Err(StoreError::LeaseLost { .. })
    ));
    tx.rollback().await.unwrap();
    assert!(matches!(
        db.fail(&first, "late", &RetryPolicy::default()).await,
        Err(StoreError::LeaseLost { .. })
    ));
    db.complete(&second).await.unwrap();
    let counts = db.queue_counts(TOPIC_AUDIT).await.unwrap();
    assert_eq!((counts.done, counts.ready, counts.leased), (1, 0, 0));
}
both!(lease_expiry_redelivers);

async fn retries_back_off_then_dead_letter(db: TestDb) {
    let (db, clock, _guard) = manual(db);
    let policy = RetryPolicy {
        max_attempts: 3,
        backoff_base: Duration::from_secs(2),
        backoff_max: Duration::from_secs(60),
    };
    let mut tx = db.begin().await.unwrap();
    tx.enqueue_raw("work", "test.job.v1", "{}", None, policy.max_attempts)
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let d = db.claim("work", LEASE).await.unwrap().unwrap();
    assert_eq!(
        db.fail(&d, "boom 1", &policy).await.unwrap(),
        Retry::At(T0 + 2_000)
    );
    assert_eq!(
        db.claim("work", LEASE).await.unwrap(),
        None,
        "not before its backoff"
    );
    clock.advance(Duration::from_millis(1_999));
    assert_eq!(db.claim("work", LEASE).await.unwrap(), None);
    clock.advance(Duration::from_millis(1));
    let d = db.claim("work", LEASE).await.unwrap().unwrap();
    assert_eq!(d.attempt, 2);
    let now = db.now_ms();
    assert_eq!(
        db.fail(&d, "boom 2", &policy).await.unwrap(),
        Retry::At(now + 4_000),
        "doubled"
    );
    clock.advance(Duration::from_secs(4));
    let d = db.claim("work", LEASE).await.unwrap().unwrap();
    assert_eq!(d.attempt, 3);
    assert_eq!(
        db.fail(&d, "boom 3", &policy).await.unwrap(),
        Retry::DeadLettered
    );
    clock.advance(Duration::from_secs(3600));
    assert_eq!(
        db.claim("work", LEASE).await.unwrap(),
        None,
        "dead letters are never delivered"
    );
    let dead = db.dead_letters("work").await.unwrap();
    assert_eq!(dead.len(), 1);
    assert_eq!((dead[0].attempts, dead[0].reason.as_str()), (3, "boom 3"));

    assert_eq!(policy.backoff(10), Duration::from_secs(60), "capped");
}
both!(retries_back_off_then_dead_letter);

async fn a_message_that_keeps_crashing_its_consumer_is_dead_lettered(db: TestDb) {
    let (db, clock, _guard) = manual(db);
    let mut tx = db.begin().await.unwrap();
    tx.enqueue_raw("work", "test.job.v1", "{}", None, 2)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    for attempt in 1..=2 {
        let d = db.claim("work", LEASE).await.unwrap().unwrap();
        assert_eq!(d.attempt, attempt);
        clock.advance(LEASE); // the consumer died holding it
    }
    assert_eq!(db.claim("work", LEASE).await.unwrap(), None);
    let dead = db.dead_letters("work").await.unwrap();
    assert_eq!(dead.len(), 1);
    assert!(
        dead[0].reason.contains("lease expired"),
        "{}",
        dead[0].reason
    );
}
both!(a_message_that_keeps_crashing_its_consumer_is_dead_lettered);

async fn outbox_commits_or_rolls_back_with_the_state_change(db: TestDb) {
    let (db, _, _guard) = manual(db);
    let mut tx = db.begin().await.unwrap();
    let id = tx
        .create_request("john.doe", "#infra", "a queue")
        .await
        .unwrap();
    tx.add_plan_version("paved", &id, &plan(5.0), "first")
        .await
        .unwrap();
    submit_for_audit(&mut tx, "john.doe", &id, 1, AuditContextV1::default())
        .await
        .unwrap();
    tx.rollback().await.unwrap();
    assert_eq!(
        db.claim(TOPIC_AUDIT, LEASE).await.unwrap(),
        None,
        "no message without its state"
    );
    assert!(matches!(
        db.request(&id).await,
        Err(StoreError::UnknownRequest(_))
    ));
    assert!(
        db.trail_records().await.unwrap().is_empty(),
        "no trail record either"
    );

    let id = request_sent_to_audit(&db, "john.doe", 5.0).await;
    let d = db
        .claim(TOPIC_AUDIT, LEASE)
        .await
        .unwrap()
        .expect("committed together");
    let Message::AuditRequest(req) = d.decode().unwrap() else {
        panic!()
    };
    assert_eq!(req.request_id, id);
    assert_eq!(req.request_text, "a database for orders");
    assert_eq!(req.plan, plan(5.0));
}
both!(outbox_commits_or_rolls_back_with_the_state_change);

async fn consumers_are_idempotent(db: TestDb) {
    let (db, clock, _guard) = manual(db);
    let key = audit_key();
    let id = request_sent_to_audit(&db, "john.doe", 10.0).await;
    judge_one(&db, &key, Decision::Approved).await;
    let verdict_msg = {
        let d = db.claim(TOPIC_ORCHESTRATOR, LEASE).await.unwrap().unwrap();
        // The orchestrator crashes after claiming: the verdict is delivered again later.
        clock.advance(LEASE);
        let Message::AuditVerdict(m) = d.decode().unwrap() else {
            panic!()
        };
        m
    };
    let first = process_next_verdict(&db, &key.verifying_key(), LEASE)
        .await
        .unwrap();
    assert!(matches!(first, Some(Handled::Verdict(ref a)) if a.new));

    // The same verdict accepted again (a duplicate delivery) changes nothing.
    let mut tx = db.begin().await.unwrap();
    let again = accept_verdict(&mut tx, &key.verifying_key(), &verdict_msg)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert!(!again.new);
    assert_eq!(db.verdict_count().await.unwrap(), 1);
    let verdict_records = trail_kinds(&db, &id)
        .await
        .iter()
        .filter(|k| *k == kinds::VERDICT_ISSUED)
        .count();
    assert_eq!(verdict_records, 1);

    // The worker publishing the same verdict twice enqueues it once.
    let mut tx = db.begin().await.unwrap();
    assert!(
        !tx.enqueue(&Message::AuditVerdict(verdict_msg))
            .await
            .unwrap()
    );
    tx.commit().await.unwrap();
}
both!(consumers_are_idempotent);

async fn concurrent_consumers_each_get_distinct_messages(db: TestDb) {
    let (db, _, _guard) = manual(db);
    let mut tx = db.begin().await.unwrap();
    for i in 0..60 {
        tx.enqueue_raw("work", "test.job.v1", &format!("{{\"n\":{i}}}"), None, 5)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    let mut handles = Vec::new();
    for _ in 0..4 {
        let db = db.clone();
        handles.push(tokio::spawn(async move {
            let mut got = Vec::new();
            while let Some(d) = db.claim("work", LEASE).await.unwrap() {
                got.push(d.id);
                db.complete(&d).await.unwrap();
            }
            got
        }));
    }
    let mut all = Vec::new();
    for h in handles {
        all.extend(h.await.unwrap());
    }
    let distinct: BTreeSet<i64> = all.iter().copied().collect();
    assert_eq!(
        (all.len(), distinct.len()),
        (60, 60),
        "every message exactly once"
    );
}
both!(concurrent_consumers_each_get_distinct_messages);

async fn unknown_kinds_and_bad_verdicts_are_dead_lettered(db: TestDb) {
    let (db, _, _guard) = manual(db);
    let key = audit_key();
    let mut tx = db.begin().await.unwrap();
    tx.enqueue_raw(TOPIC_ORCHESTRATOR, "audit.verdict.v7", "{}", None, 5)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let handled = process_next_verdict(&db, &key.verifying_key(), LEASE)
        .await
        .unwrap();
    let Some(Handled::DeadLettered(reason)) = handled else {
        panic!("{handled:?}")
    };
    assert!(
        reason.contains("unknown message kind `audit.verdict.v7`"),
        "{reason}"
    );

    // Signed by another key; unsigned; signed for another plan.
    let id = request_sent_to_audit(&db, "john.doe", 10.0).await;
    let sent = db.plan_version(&id, 1).await.unwrap();
    let forged = verdict_for(&sent.plan, Decision::Approved, &other_key());
    let mut unsigned = verdict_for(&sent.plan, Decision::Approved, &key);
    unsigned.signature = None;
    let other_plan = verdict_for(&plan(1.0), Decision::Approved, &key);
    for (verdict, expected) in [
        (forged, "not the audit key"),
        (unsigned, "not signed"),
        (other_plan, "not for the plan version"),
    ] {
        let mut tx = db.begin().await.unwrap();
        let payload = Message::AuditVerdict(AuditVerdictV1 {
            request_id: id.clone(),
            plan_version: 1,
            verdict,
        })
        .payload();
        tx.enqueue_raw(TOPIC_ORCHESTRATOR, AUDIT_VERDICT_V1, &payload, None, 5)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let handled = process_next_verdict(&db, &key.verifying_key(), LEASE)
            .await
            .unwrap();
        let Some(Handled::DeadLettered(reason)) = handled else {
            panic!("{handled:?}")
        };
        assert!(reason.contains(expected), "{reason}");
    }
    assert_eq!(
        db.verdict_count().await.unwrap(),
        0,
        "no refused verdict is ever stored"
    );
    assert_eq!(db.dead_letters(TOPIC_ORCHESTRATOR).await.unwrap().len(), 4);
    assert!(
        !trail_kinds(&db, &id)
            .await
            .contains(&kinds::VERDICT_ISSUED.to_string())
    );
}
both!(unknown_kinds_and_bad_verdicts_are_dead_lettered);

// ---------------------------------------------------------------------------------------------
// State other than the queue.

async fn approvals_deployments_inventory_and_ipam(db: TestDb) {
    let (db, _, _guard) = manual(db);
    let id = request_sent_to_audit(&db, "john.doe", 10.0).await;
    let mut tx = db.begin().await.unwrap();
    assert!(
        tx.record_approval(&id, 1, "ann", "finance_manager", ApprovalDecision::Approve)
            .await
            .unwrap()
    );
    assert!(
        !tx.record_approval(&id, 1, "ann", "finance_manager", ApprovalDecision::Approve)
            .await
            .unwrap()
    );
    let dep = tx.start_deployment("paved-executor", &id, 1).await.unwrap();
    assert_eq!(
        tx.start_deployment("paved-executor", &id, 1).await.unwrap(),
        dep,
        "started once"
    );
    tx.add_deployment_event(
        "paved-executor",
        &id,
        dep,
        "aws_db_instance.orders",
        "creating",
        "",
    )
    .await
    .unwrap();
    tx.add_deployment_event(
        "paved-executor",
        &id,
        dep,
        "aws_db_instance.orders",
        "done",
        "available",
    )
    .await
    .unwrap();
    tx.finish_deployment(
        "paved-executor",
        &id,
        dep,
        "succeeded",
        &json!({"created": 1}),
    )
    .await
    .unwrap();
    let resource = plan(10.0).resources[0].clone();
    let item = InventoryItem {
        resource: resource.clone(),
        environment: "development".into(),
        region: "us-east-1".into(),
        request_id: Some(id.clone()),
        status: "created".into(),
    };
    tx.upsert_inventory(&item).await.unwrap();
    tx.upsert_inventory(&InventoryItem {
        status: "deleted".into(),
        ..item.clone()
    })
    .await
    .unwrap();
    let alloc = IpamRow {
        cidr: "10.20.0.0/16".into(),
        segment: "dev".into(),
        owner: "orders".into(),
        request_id: Some(id.clone()),
    };
    assert!(tx.allocate_cidr(&alloc).await.unwrap());
    assert!(
        !tx.allocate_cidr(&IpamRow {
            owner: "billing".into(),
            ..alloc.clone()
        })
        .await
        .unwrap()
    );
    tx.commit().await.unwrap();

    let approvals = db.approvals(&id, 1).await.unwrap();
    assert_eq!(approvals.len(), 1);
    assert_eq!(
        (
            approvals[0].approver.as_str(),
            approvals[0].decision.as_str()
        ),
        ("ann", "approve")
    );
    let events = db.deployment_events(dep).await.unwrap();
    assert_eq!(
        events.iter().map(|e| e.1.as_str()).collect::<Vec<_>>(),
        ["creating", "done"]
    );
    let inventory = db.inventory().await.unwrap();
    assert_eq!(inventory.len(), 1);
    assert_eq!(
        (inventory[0].status.as_str(), &inventory[0].resource),
        ("deleted", &resource)
    );
    assert_eq!(db.ipam_allocations().await.unwrap(), [alloc]);
    assert_eq!(
        trail_kinds(&db, &id).await[3..],
        [
            kinds::APPROVAL_RECORDED,
            kinds::DEPLOYMENT_STARTED,
            kinds::RESOURCE_CHANGED,
            kinds::RESOURCE_CHANGED,
            kinds::DEPLOYMENT_COMPLETED
        ]
    );
}
both!(approvals_deployments_inventory_and_ipam);

// ---------------------------------------------------------------------------------------------
// The trail.

async fn update(tx: &mut Tx, sql: &'static str) -> Result<u64, StoreError> {
    paved_store::testing::execute(tx, sql).await
}

async fn the_trail_refuses_changes(db: TestDb) {
    let (db, _, _guard) = manual(db);
    request_sent_to_audit(&db, "john.doe", 10.0).await;
    db.write_checkpoint(&audit_key()).await.unwrap();
    for sql in [
        "UPDATE audit_trail SET actor = 'mallory' WHERE seq = 1",
        "DELETE FROM audit_trail WHERE seq = 1",
        "UPDATE trail_checkpoints SET seq = 2",
        "DELETE FROM plan_versions",
    ] {
        let mut tx = db.begin().await.unwrap();
        let err = update(&mut tx, sql).await.expect_err(sql);
        assert!(
            err.to_string().contains("append-only") || err.to_string().contains("immutable"),
            "{sql}: {err}"
        );
        tx.rollback().await.unwrap();
    }
    if db.is_postgres() {
        let mut tx = db.begin().await.unwrap();
        let err = update(&mut tx, "TRUNCATE audit_trail")
            .await
            .expect_err("truncate");
        assert!(err.to_string().contains("append-only"), "{err}");
        tx.rollback().await.unwrap();
    }
    assert_eq!(db.trail_records().await.unwrap().len(), 3);
}
both!(the_trail_refuses_changes);

/// A trail of 3 requests, each judged (12 records), with a checkpoint at its head.
async fn judged_trail(db: &Db) {
    let key = audit_key();
    for user in ["john.doe", "jane.roe", "john.doe"] {
        request_sent_to_audit(db, user, 10.0).await;
        judge_one(db, &key, Decision::Approved).await;
        process_next_verdict(db, &key.verifying_key(), LEASE)
            .await
            .unwrap();
    }
    assert!(db.write_checkpoint(&key).await.unwrap().is_some());
    assert!(
        db.write_checkpoint(&key).await.unwrap().is_none(),
        "the head is already covered"
    );
}

/// As an attacker with superuser rights: switch the refusals off, then run `sql`.
async fn tamper(db: &Db, sql: &[&'static str]) {
    let mut tx = db.begin().await.unwrap();
    let disable: &[&'static str] = if db.is_postgres() {
        &[
            "ALTER TABLE audit_trail DISABLE TRIGGER USER",
            "ALTER TABLE verdicts DISABLE TRIGGER USER",
        ]
    } else {
        &[
            "DROP TRIGGER audit_trail_no_update",
            "DROP TRIGGER audit_trail_no_delete",
        ]
    };
    for s in disable.iter().chain(sql) {
        update(&mut tx, s).await.unwrap();
    }
    tx.commit().await.unwrap();
}

async fn first_problem(db: &Db) -> String {
    let report = db.verify(&audit_key().verifying_key(), None).await.unwrap();
    report
        .problems()
        .first()
        .cloned()
        .unwrap_or_else(|| "intact".into())
}

async fn tampering_with_a_record_is_named(db: TestDb) {
    let (db, _, _guard) = manual(db);
    judged_trail(&db).await;
    assert_eq!(first_problem(&db).await, "intact");
    tamper(&db, &["UPDATE audit_trail SET payload = '{\"text\":\"nothing to see\",\"channel\":\"#infra\"}' WHERE seq = 5"]).await;
    assert_eq!(
        first_problem(&db).await,
        TrailProblem::Changed { seq: 5 }.to_string()
    );
}
both!(tampering_with_a_record_is_named);

async fn removing_a_record_is_named(db: TestDb) {
    let (db, _, _guard) = manual(db);
    judged_trail(&db).await;
    tamper(&db, &["DELETE FROM audit_trail WHERE seq = 6"]).await;
    assert_eq!(
        first_problem(&db).await,
        TrailProblem::Removed { seq: 6 }.to_string()
    );
}
both!(removing_a_record_is_named);

async fn removing_the_last_records_is_caught_by_the_checkpoint(db: TestDb) {
    let (db, _, _guard) = manual(db);
    judged_trail(&db).await;
    tamper(&db, &["DELETE FROM audit_trail WHERE seq >= 11"]).await;
    assert_eq!(
        first_problem(&db).await,
        TrailProblem::Truncated {
            last: 10,
            checkpoint: 12
        }
        .to_string()
    );
}
both!(removing_the_last_records_is_caught_by_the_checkpoint);

async fn reordering_records_is_named(db: TestDb) {
    let (db, _, _guard) = manual(db);
    judged_trail(&db).await;
    tamper(
        &db,
        &[
            "UPDATE audit_trail SET seq = 1000 WHERE seq = 7",
            "UPDATE audit_trail SET seq = 7 WHERE seq = 8",
            "UPDATE audit_trail SET seq = 8 WHERE seq = 1000",
        ],
    )
    .await;
    assert_eq!(
        first_problem(&db).await,
        TrailProblem::Reordered { seq: 7 }.to_string()
    );
}
both!(reordering_records_is_named);

async fn inserting_a_record_is_named(db: TestDb) {
    let (db, _, _guard) = manual(db);
    judged_trail(&db).await;
    // A forged approval appended at the end with a made-up hash.
    tamper(
        &db,
        &["INSERT INTO audit_trail (seq, time, at_ms, actor, request_id, kind, payload, prev_hash, hash)
           VALUES (13, '2026-01-01T00:00:00.000Z', 0, 'cfo', 'req-10001', 'approval.recorded', '{}',
                   '0000000000000000000000000000000000000000000000000000000000000000',
                   '1111111111111111111111111111111111111111111111111111111111111111')"],
    )
    .await;
    assert_eq!(
        first_problem(&db).await,
        TrailProblem::Changed { seq: 13 }.to_string()
    );

    // A well-formed record slipped in before the others, which are renumbered to make room.
    let records = db.trail_records().await.unwrap();
    let fake = TrailEntry::new(
        "cfo",
        Some("req-10001"),
        kinds::APPROVAL_RECORDED,
        json!({"plan_version": 1}),
    )
    .seal(4, records[2].time.clone(), &records[2].hash);
    let mut tx = db.begin().await.unwrap();
    update(&mut tx, "DELETE FROM audit_trail WHERE seq = 13")
        .await
        .unwrap();
    for seq in (4..=12).rev() {
        paved_store::testing::execute_dynamic(
            &mut tx,
            &format!("UPDATE audit_trail SET seq = {} WHERE seq = {seq}", seq + 1),
        )
        .await
        .unwrap();
    }
    paved_store::testing::execute_dynamic(
        &mut tx,
        &format!(
            "INSERT INTO audit_trail (seq, time, at_ms, actor, request_id, kind, payload, prev_hash, hash)
             VALUES (4, '{}', 0, 'cfo', 'req-10001', 'approval.recorded', '{{\"plan_version\":1}}', '{}', '{}')",
            fake.time, fake.prev_hash, fake.hash
        ),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        first_problem(&db).await,
        TrailProblem::Inserted { seq: 4 }.to_string()
    );
}
both!(inserting_a_record_is_named);

async fn a_forged_verdict_is_caught(db: TestDb) {
    let (db, _, _guard) = manual(db);
    judged_trail(&db).await;
    let id = "req-10002";
    let sent = db.plan_version(id, 1).await.unwrap();
    // The attacker writes a verdict row of their own (they have no audit key)...
    let forged = verdict_for(&sent.plan, Decision::Approved, &other_key());
    let text = serde_json::to_string(&forged).unwrap().replace('\'', "''");
    let mut tx = db.begin().await.unwrap();
    if db.is_postgres() {
        update(&mut tx, "ALTER TABLE verdicts DISABLE TRIGGER USER")
            .await
            .unwrap();
    }
    paved_store::testing::execute_dynamic(
        &mut tx,
        &format!(
            "UPDATE verdicts SET verdict = '{text}', decision = 'approved' WHERE request_id = 10002"
        ),
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let report = db.verify(&audit_key().verifying_key(), None).await.unwrap();
    assert!(report.trail.is_intact());
    assert_eq!(report.forged_verdicts.len(), 1);
    assert_eq!(report.forged_verdicts[0].request_id, id);
    assert!(
        report.problems()[0].contains("not the audit key"),
        "{:?}",
        report.problems()
    );

    // ...and a verdict record in the trail, resealing the chain after it so every hash matches.
    let records = db.trail_records().await.unwrap();
    let target = records
        .iter()
        .find(|r| r.kind == kinds::VERDICT_ISSUED && r.request_id.as_deref() == Some(id))
        .unwrap();
    let mut payload = target.payload.clone();
    payload["verdict"] = serde_json::to_value(&forged).unwrap();
    let mut rewritten = records.clone();
    let at = (target.seq - 1) as usize;
    rewritten[at].payload = payload;
    let mut prev = rewritten[at - 1].hash.clone();
    for r in rewritten.iter_mut().skip(at) {
        r.prev_hash = prev.clone();
        r.hash = r.content_hash(r.seq);
        prev = r.hash.clone();
    }
    let mut tx = db.begin().await.unwrap();
    if !db.is_postgres() {
        update(&mut tx, "DROP TRIGGER audit_trail_no_update")
            .await
            .unwrap();
    } else {
        update(&mut tx, "ALTER TABLE audit_trail DISABLE TRIGGER USER")
            .await
            .unwrap();
    }
    for r in &rewritten[at..] {
        let payload = String::from_utf8(paved_core::canonical::to_vec(&r.payload))
            .unwrap()
            .replace('\'', "''");
        paved_store::testing::execute_dynamic(
            &mut tx,
            &format!(
                "UPDATE audit_trail SET payload = '{payload}', prev_hash = '{}', hash = '{}' WHERE seq = {}",
                r.prev_hash, r.hash, r.seq
            ),
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let report = db.verify(&audit_key().verifying_key(), None).await.unwrap();
    let problems = &report.trail.problems;
    assert_eq!(
        problems.first(),
        Some(&TrailProblem::ForgedVerdict {
            seq: target.seq,
            reason: "the signature was made by key ".to_string()
                + &paved_core::signing::key_id(&other_key().verifying_key())
                + ", not the audit key "
                + &paved_core::signing::key_id(&audit_key().verifying_key())
        }),
        "{problems:?}"
    );
    assert!(
        problems.contains(&TrailProblem::Rewritten {
            from: 1,
            checkpoint: 12
        }),
        "{problems:?}"
    );
}
both!(a_forged_verdict_is_caught);

async fn an_export_names_the_record_of_a_rewritten_chain(db: TestDb) {
    let (db, _, _guard) = manual(db);
    judged_trail(&db).await;
    let export = db.export_trail().await.unwrap();
    assert_eq!(export.hashes.len(), 12);
    assert_eq!(export.checkpoints.len(), 1);
    let text = serde_json::to_string(&export).unwrap();
    let export: paved_core::trail::TrailExport = serde_json::from_str(&text).unwrap();

    // The attacker rewrites record 3 and reseals everything after it, and deletes the checkpoint.
    let mut records = db.trail_records().await.unwrap();
    records[2].actor = "mallory".into();
    let mut prev = records[1].hash.clone();
    for r in records.iter_mut().skip(2) {
        r.prev_hash = prev.clone();
        r.hash = r.content_hash(r.seq);
        prev = r.hash.clone();
    }
    let mut tx = db.begin().await.unwrap();
    if db.is_postgres() {
        update(&mut tx, "ALTER TABLE audit_trail DISABLE TRIGGER USER")
            .await
            .unwrap();
        update(
            &mut tx,
            "ALTER TABLE trail_checkpoints DISABLE TRIGGER USER",
        )
        .await
        .unwrap();
    } else {
        update(&mut tx, "DROP TRIGGER audit_trail_no_update")
            .await
            .unwrap();
        update(&mut tx, "DROP TRIGGER trail_checkpoints_no_delete")
            .await
            .unwrap();
    }
    update(&mut tx, "DELETE FROM trail_checkpoints")
        .await
        .unwrap();
    for r in &records[2..] {
        paved_store::testing::execute_dynamic(
            &mut tx,
            &format!(
                "UPDATE audit_trail SET actor = '{}', prev_hash = '{}', hash = '{}' WHERE seq = {}",
                r.actor, r.prev_hash, r.hash, r.seq
            ),
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let key = audit_key().verifying_key();
    assert!(
        db.verify(&key, None).await.unwrap().is_intact(),
        "without the export, the rewrite is invisible"
    );
    let report = db.verify(&key, Some(&export)).await.unwrap();
    assert_eq!(
        report.problems()[0],
        TrailProblem::DiffersFromExport { seq: 3 }.to_string()
    );
    assert!(report.trail.problems.contains(&TrailProblem::Rewritten {
        from: 1,
        checkpoint: 12
    }));
}
both!(an_export_names_the_record_of_a_rewritten_chain);

async fn concurrent_appends_keep_the_chain_linear(db: TestDb) {
    let (db, _, _guard) = manual(db);
    let mut handles = Vec::new();
    for task in 0..4 {
        let db = db.clone();
        handles.push(tokio::spawn(async move {
            for i in 0..15 {
                let mut tx = db.begin().await.unwrap();
                tx.append(TrailEntry::new(
                    "paved",
                    None,
                    "test.event",
                    json!({"task": task, "i": i}),
                ))
                .await
                .unwrap();
                tx.commit().await.unwrap();
            }
        }));
    }
    for h in handles {
        h.await.unwrap();
    }
    let report = db.verify(&audit_key().verifying_key(), None).await.unwrap();
    assert!(report.is_intact(), "{:?}", report.problems());
    assert_eq!(report.trail.records, 60);
}
both!(concurrent_appends_keep_the_chain_linear);

// ---------------------------------------------------------------------------------------------
// PostgreSQL roles.

/// Runs `sql` as `role` in its own transaction; returns the rows affected or the error text.
async fn as_role(db: &Db, role: &str, sql: &str) -> Result<u64, String> {
    let mut tx = db.begin().await.unwrap();
    paved_store::testing::execute_dynamic(&mut tx, &format!("SET LOCAL ROLE {role}"))
        .await
        .unwrap();
    let out = paved_store::testing::execute_dynamic(&mut tx, sql)
        .await
        .map_err(|e| e.to_string());
    tx.rollback().await.unwrap();
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_roles_grant_each_part_only_what_it_needs() {
    let Some(t) = common::fresh(paved_store::testing::Backend::Postgres).await else {
        return;
    };
    let db = t.db.clone();
    request_sent_to_audit(&db, "john.doe", 10.0).await;
    let mut tx = db.begin().await.unwrap();
    tx.enqueue_raw("executor", "execute.request.v1", "{}", None, 5)
        .await
        .unwrap();
    tx.commit().await.unwrap();

    // The audit worker reads audit requests and nothing else.
    assert_eq!(
        as_role(
            &db,
            "paved_audit",
            "UPDATE queue SET available_at = available_at WHERE topic = 'audit'"
        )
        .await,
        Ok(1)
    );
    assert_eq!(
        as_role(
            &db,
            "paved_audit",
            "UPDATE queue SET available_at = available_at"
        )
        .await,
        Ok(1),
        "other topics are invisible"
    );
    for sql in [
        "SELECT * FROM requests",
        "SELECT * FROM plan_versions",
        "SELECT * FROM verdicts",
        "INSERT INTO verdicts (request_id, plan_version, decision, plan_hash, approved_plan_hash, verdict, created_at) VALUES (10001, 1, 'approved', '', '', '{}', 0)",
        "INSERT INTO queue (topic, kind, payload, status, max_attempts, available_at, created_at) VALUES ('executor', 'execute.request.v1', '{}', 'ready', 5, 0, 0)",
        "INSERT INTO audit_trail (seq, time, at_ms, actor, kind, payload, prev_hash, hash) VALUES (99, '', 0, 'x', 'x', '{}', '', '')",
    ] {
        let err = as_role(&db, "paved_audit", sql).await.expect_err(sql);
        assert!(
            err.contains("permission denied") || err.contains("row-level security"),
            "{sql}: {err}"
        );
    }
    assert_eq!(
        as_role(&db, "paved_audit", "INSERT INTO queue (topic, kind, payload, status, max_attempts, available_at, created_at) VALUES ('orchestrator', 'audit.verdict.v1', '{}', 'ready', 5, 0, 0)").await,
        Ok(1),
        "it may publish verdicts"
    );

    // The application cannot rewrite history.
    for sql in [
        "UPDATE audit_trail SET actor = 'x'",
        "DELETE FROM audit_trail",
        "TRUNCATE audit_trail",
        "UPDATE verdicts SET decision = 'approved'",
        "DELETE FROM trail_checkpoints",
    ] {
        let err = as_role(&db, "paved_app", sql).await.expect_err(sql);
        assert!(err.contains("permission denied"), "{sql}: {err}");
    }
    assert_eq!(
        as_role(&db, "paved_app", "UPDATE requests SET status = 'planned'").await,
        Ok(1)
    );
}
