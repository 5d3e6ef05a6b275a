//! The whole conversation through the terminal adapter on the embedded defaults: a real SQLite
//! database, the queue, the audit worker's code with its signing key, the sandbox cloud.

mod support;

use std::sync::Mutex;

use paved_bot::engine::{Button, Event, Stage};
use paved_bot::chat::{ChatError, ChatFuture, ChatPlatform, ProgressBoard};
use paved_bot::engine::{Card, Thread};
use paved_bot::host::Preview;
use paved_core::Decision;
use paved_executor::SandboxProvider;
use support::{Harness, thread, user};

fn press(by: &str, button: Button, version: i64) -> Event {
    Event::Pressed { user: user(by), groups: vec![], button, version }
}

#[tokio::test]
async fn a_request_is_planned_audited_deployed_and_recorded() {
    let h = Harness::new("approved", SandboxProvider::new(0.0), false).await;
    let id = h.host.submit(user("dana"), thread(), "a staging web app with postgres").await.unwrap().request_id;
    assert!(id.starts_with("req-"));
    assert_eq!(h.host.conversation(&id).await.unwrap().stage, Stage::Planned);
    let d = h.host.dispatch(&id, press("dana", Button::Approve, 1)).await.unwrap();
    assert_eq!(d.refused, None);
    assert_eq!(h.host.conversation(&id).await.unwrap().stage, Stage::Auditing);
    h.settle().await;
    let c = h.host.conversation(&id).await.unwrap();
    assert_eq!(c.stage, Stage::Completed, "{}", h.said());
    let verdict = c.verdict.as_ref().unwrap();
    assert!(verdict.signature.is_some(), "the stored verdict is the signed one");
    assert!(matches!(verdict.decision, Decision::Approved | Decision::ApprovedWithWarnings));
    let deployed = h.db.deployed_resources(&id).await.unwrap();
    assert_eq!(deployed.len(), verdict.plan.resources.len());
    let said = h.said();
    for part in ["What I understood", "── Plan v1:", "── Audit: APPROVED", "── Deployed: ", "Verified: what exists matches the approved plan"] {
        assert!(said.contains(part), "missing {part:?} in:\n{said}");
    }
    assert!(said.contains(&format!("progress {id}:")) && said.contains("finished"), "{said}");
    let kinds = h.trail_kinds(&id).await;
    for kind in ["request.received", "intent.understood", "plan.proposed", "button.pressed", "audit.requested", "verdict.issued", "deployment.started", "deployment.completed"] {
        assert!(kinds.iter().any(|k| k == kind), "trail lacks {kind}: {kinds:?}");
    }
    let report = h.db.verify(&h.key.verifying_key(), None).await.unwrap();
    assert!(report.is_intact(), "{:?}", report.problems());
}

#[tokio::test]
async fn presses_are_authorised_and_refusals_recorded() {
    let h = Harness::new("authz", SandboxProvider::new(0.0), false).await;
    let id = h.host.submit(user("alice"), thread(), "a production web app with postgres using db.r5.8xlarge").await.unwrap().request_id;
    // Someone else cannot approve the requester's plan.
    let d = h.host.dispatch(&id, press("eve", Button::Approve, 1)).await.unwrap();
    assert!(d.refused.unwrap().contains("Only alice"));
    h.host.dispatch(&id, press("alice", Button::Approve, 1)).await.unwrap();
    // A replayed press changes nothing.
    let d = h.host.dispatch(&id, press("alice", Button::Approve, 1)).await.unwrap();
    assert!(d.refused.is_some());
    h.settle().await;
    let c = h.host.conversation(&id).await.unwrap();
    assert_eq!(c.stage, Stage::Escalated, "{}", h.said());
    assert!(h.said().contains("[#approvals]"), "the escalation went to the role's channel:\n{}", h.said());
    let grant = |by: &str, v| press(by, Button::Grant { role: "finance_manager".into() }, v);
    assert!(h.host.dispatch(&id, grant("alice", 1)).await.unwrap().refused.unwrap().contains("own request"));
    assert!(h.host.dispatch(&id, grant("eve", 1)).await.unwrap().refused.unwrap().contains("not an approver"));
    assert!(h.host.dispatch(&id, grant("fiona", 7)).await.unwrap().refused.unwrap().contains("v7"));
    let refusals = h.trail_kinds(&id).await.iter().filter(|k| *k == "event.refused").count();
    assert_eq!(refusals, 5);
    assert_eq!(h.host.dispatch(&id, grant("fiona", 1)).await.unwrap().refused, None);
    h.settle().await;
    let c = h.host.conversation(&id).await.unwrap();
    assert_eq!(c.stage, Stage::Completed, "{}", h.said());
    assert!(h.trail_kinds(&id).await.contains(&"approval.recorded".to_string()));
}

#[tokio::test]
async fn rejected_and_expired_escalations_deploy_nothing() {
    let h = Harness::new("rejected", SandboxProvider::new(0.0), false).await;
    let big = "a production web app with postgres using db.r5.8xlarge";
    let a = h.host.submit(user("dana"), thread(), big).await.unwrap().request_id;
    h.host.dispatch(&a, press("dana", Button::Approve, 1)).await.unwrap();
    h.settle().await;
    let reject = press("frank", Button::Reject { role: "finance_manager".into(), reason: Some("over budget".into()) }, 1);
    h.host.dispatch(&a, reject).await.unwrap();
    let c = h.host.conversation(&a).await.unwrap();
    assert_eq!(c.stage, Stage::Rejected);
    assert!(h.said().contains("over budget"));
    assert!(h.db.deployed_resources(&a).await.unwrap().is_empty());

    // The lock was released: a second request for the same service can be approved.
    let b = h.host.submit(user("dana"), thread(), big).await.unwrap().request_id;
    assert_eq!(h.host.dispatch(&b, press("dana", Button::Approve, 1)).await.unwrap().refused, None);
    h.settle().await;
    assert_eq!(h.host.conversation(&b).await.unwrap().stage, Stage::Escalated);
    h.clock.advance(std::time::Duration::from_secs(61 * 60));
    assert_eq!(h.host.expire_escalations().await.unwrap(), 1);
    assert_eq!(h.host.conversation(&b).await.unwrap().stage, Stage::Expired);
    assert!(h.said().contains("expired"));
}

#[tokio::test]
async fn one_change_at_a_time_per_service_and_environment() {
    let h = Harness::new("locks", SandboxProvider::new(0.0), false).await;
    let text = "a production web app with postgres using db.r5.8xlarge for billing-service";
    let a = h.host.submit(user("dana"), thread(), text).await.unwrap().request_id;
    let b = h.host.submit(user("erin"), thread(), text).await.unwrap().request_id;
    assert_eq!(h.host.dispatch(&a, press("dana", Button::Approve, 1)).await.unwrap().refused, None);
    let refused = h.host.dispatch(&b, press("erin", Button::Approve, 1)).await.unwrap().refused.unwrap();
    assert!(refused.contains(&a) && refused.contains("dana"), "{refused}");
    assert_eq!(h.host.conversation(&b).await.unwrap().stage, Stage::Planned);
}

#[tokio::test]
async fn a_failed_deployment_rolls_back_automatically_when_configured() {
    let h = Harness::new("failed", SandboxProvider::new(0.0).failing("aws_db_instance.main"), true).await;
    let id = h.host.submit(user("dana"), thread(), "a staging web app with postgres").await.unwrap().request_id;
    h.host.dispatch(&id, press("dana", Button::Approve, 1)).await.unwrap();
    h.settle().await;
    let c = h.host.conversation(&id).await.unwrap();
    assert_eq!(c.stage, Stage::RolledBack, "{}", h.said());
    assert!(h.said().contains("Deployment failed"));
    assert!(h.db.deployed_resources(&id).await.unwrap().is_empty(), "everything created was deleted");
}

#[tokio::test]
async fn a_rollback_request_goes_through_the_audit_and_deletes_in_reverse_order() {
    let h = Harness::new("rollback", SandboxProvider::new(0.0), false).await;
    let id = h.host.submit(user("dana"), thread(), "a development web app with postgres").await.unwrap().request_id;
    h.host.dispatch(&id, press("dana", Button::Approve, 1)).await.unwrap();
    h.settle().await;
    let created = h.db.deployed_resources(&id).await.unwrap().len();
    assert!(created > 10);

    let rb = h.host.submit(user("dana"), thread(), &format!("roll back {id}")).await.unwrap().request_id;
    let c = h.host.conversation(&rb).await.unwrap();
    assert_eq!(c.stage, Stage::Planned, "{:?}", c.intent.clarifications);
    let plan = &c.current().unwrap().plan;
    assert_eq!(plan.resources.len(), created);
    assert!(plan.resources.iter().all(|r| r.action == paved_core::ResourceAction::Delete));
    h.host.dispatch(&rb, press("dana", Button::Approve, 1)).await.unwrap();
    h.settle().await;
    let c = h.host.conversation(&rb).await.unwrap();
    assert_eq!(c.stage, Stage::Escalated, "deletions wait for the requester's confirmation:\n{}", h.said());
    h.host.dispatch(&rb, Event::Said { user: user("dana"), text: id.clone() }).await.unwrap();
    h.settle().await;
    let c = h.host.conversation(&rb).await.unwrap();
    assert_eq!(c.stage, Stage::Completed, "{}", h.said());
    assert!(h.db.deployed_resources(&id).await.unwrap().is_empty(), "the rolled-back request's resources are gone");
}

#[tokio::test]
async fn a_rollback_acts_in_the_environment_and_region_where_the_request_deployed() {
    let h = Harness::new("rollback-where", SandboxProvider::new(0.0), false).await;
    let id = h.host.submit(user("dana"), thread(), "a staging web app with postgres in Frankfurt").await.unwrap().request_id;
    h.host.dispatch(&id, press("dana", Button::Approve, 1)).await.unwrap();
    h.settle().await;
    assert_eq!(h.host.conversation(&id).await.unwrap().stage, Stage::Completed, "{}", h.said());

    // "roll back req-…" names neither: both were only assumed, and both are settled by what exists.
    let rb = h.host.submit(user("dana"), thread(), &format!("roll back {id}")).await.unwrap().request_id;
    let c = h.host.conversation(&rb).await.unwrap();
    let plan = &c.current().expect("a rollback plan").plan;
    assert_eq!((plan.environment, plan.region.as_str()), (paved_core::Environment::Staging, "eu-central-1"));
    assert_eq!((c.intent.environment, c.intent.region.as_str()), (paved_core::Environment::Staging, "eu-central-1"));
    assert!(c.intent.assumptions.iter().any(|a| a.starts_with("Region eu-central-1, where")), "{:?}", c.intent.assumptions);
    assert!(!c.intent.assumptions.iter().any(|a| a.contains("assumed us-east-1") || a.contains("assumed production")), "{:?}", c.intent.assumptions);
}

#[tokio::test]
async fn a_restarted_host_resumes_every_request_where_it_was() {
    let scratch;
    let id;
    {
        let h = Harness::new("restart", SandboxProvider::new(0.0), false).await;
        id = h.host.submit(user("dana"), thread(), "a staging web app with postgres").await.unwrap().request_id;
        h.host.dispatch(&id, press("dana", Button::Approve, 1)).await.unwrap();
        scratch = h.scratch.clone();
        // The process dies here: the audit request is queued, nothing else has happened.
    }
    let h = Harness::open(scratch, SandboxProvider::new(0.0), false, None).await;
    assert_eq!(h.host.conversation(&id).await.unwrap().stage, Stage::Auditing);
    h.settle().await;
    assert_eq!(h.host.conversation(&id).await.unwrap().stage, Stage::Completed, "{}", h.said());
}

#[tokio::test]
async fn clarification_then_modify_then_cancel() {
    let h = Harness::new("clarify", SandboxProvider::new(0.0), false).await;
    let id = h.host.submit(user("dana"), thread(), "hello, can you help me").await.unwrap().request_id;
    assert_eq!(h.host.conversation(&id).await.unwrap().stage, Stage::NeedsClarification);
    h.host.dispatch(&id, Event::Said { user: user("dana"), text: "a staging web app with mysql".into() }).await.unwrap();
    assert_eq!(h.host.conversation(&id).await.unwrap().stage, Stage::Planned);
    let d = h.host.dispatch(&id, press("dana", Button::Modify, 1)).await.unwrap();
    assert_eq!(d.open_form, Some(1));
    h.host.dispatch(&id, Event::Modified { user: user("dana"), instruction: "no redis".into(), version: 1 }).await.unwrap();
    let c = h.host.conversation(&id).await.unwrap();
    assert_eq!(c.current_version(), 2);
    assert!(h.said().contains("Changed from the previous version"));
    assert_eq!(h.db.plan_version(&id, 2).await.unwrap().plan_hash, c.current().unwrap().hash);
    h.host.dispatch(&id, press("dana", Button::Cancel, 2)).await.unwrap();
    assert_eq!(h.host.conversation(&id).await.unwrap().stage, Stage::Cancelled);
}

#[tokio::test]
async fn an_auto_fixed_plan_deploys_with_the_fix_and_a_vetoed_one_is_modified_until_it_passes() {
    let h = Harness::with_rules("fixes", support::EXTRA_RULES).await;
    let id = h.host.submit(user("dana"), thread(), "a staging web app with mysql").await.unwrap().request_id;
    h.host.dispatch(&id, press("dana", Button::Approve, 1)).await.unwrap();
    h.settle().await;
    let c = h.host.conversation(&id).await.unwrap();
    assert_eq!(c.stage, Stage::Vetoed, "{}", h.said());
    assert!(c.reason.as_deref().unwrap_or_default().contains("MySQL"), "{:?}", c.reason);
    assert!(h.said().contains("Instead: Use PostgreSQL."), "{}", h.said());
    assert!(h.db.deployed_resources(&id).await.unwrap().is_empty());

    // The requester changes the plan; the new version passes with the backup fix applied.
    h.host.dispatch(&id, Event::Modified { user: user("dana"), instruction: "use postgres instead".into(), version: 1 }).await.unwrap();
    let c = h.host.conversation(&id).await.unwrap();
    assert_eq!((c.stage, c.current_version()), (Stage::Planned, 2), "{}", h.said());
    h.host.dispatch(&id, press("dana", Button::Approve, 2)).await.unwrap();
    h.settle().await;
    let c = h.host.conversation(&id).await.unwrap();
    assert_eq!(c.stage, Stage::Completed, "{}", h.said());
    let verdict = c.verdict.as_ref().unwrap();
    assert_eq!(verdict.decision, Decision::AutoFixed);
    assert!(h.said().contains("── Audit: AUTO-FIXED"));
    let db = h.db.deployed_resource(&id, "aws_db_instance.main").await.unwrap().unwrap();
    assert_eq!(db.attributes["backup_retention_period"], 35, "the fixed value is what was deployed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn many_requests_at_once_do_not_starve_the_database() {
    let h = Harness::new("concurrent", SandboxProvider::new(0.0), false).await;
    let mut tasks = Vec::new();
    for i in 0..24 {
        let host = h.host.clone();
        tasks.push(tokio::spawn(async move {
            let text = if i % 2 == 0 { "a staging web app with postgres" } else { "delete the staging environment of payment-service" };
            host.submit(user(&format!("u{i}")), thread(), text).await.map(|s| s.request_id)
        }));
    }
    // Every write transaction reads what it needs before it begins; with reads inside them, two
    // dozen concurrent requests exhausted SQLite's pool and stalled for the pool's timeout.
    let all = async {
        let mut ids = Vec::new();
        for t in tasks {
            ids.push(t.await.unwrap().unwrap());
        }
        ids
    };
    let ids = tokio::time::timeout(std::time::Duration::from_secs(20), all).await.expect("24 concurrent requests finish");
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 24);
}

#[tokio::test]
async fn a_preview_writes_nothing_and_each_delivery_is_recorded_once() {
    let h = Harness::new("deliveries", SandboxProvider::new(0.0), false).await;
    let first = h.host.submit_once("chat:1", user("dana"), thread(), "a staging web app").await.unwrap().expect("the first delivery is a request");
    assert_eq!(h.host.submit_once("chat:1", user("dana"), thread(), "a staging web app").await.unwrap(), None, "the same delivery opens no second request");
    let id = first.request_id;
    let trail = h.trail_kinds(&id).await.len();

    // The engine's decision, read without writing: a refusal, the Modify form, or going through.
    let by_eve = press("eve", Button::Approve, 1);
    let Preview::Refused { user: who, reason } = h.host.preview(&id, &by_eve).await.unwrap() else { panic!("eve may not approve") };
    assert_eq!(who, "eve");
    assert!(reason.contains("Only dana"), "{reason}");
    assert_eq!(h.host.preview(&id, &press("dana", Button::Modify, 1)).await.unwrap(), Preview::OpenForm(1));
    assert_eq!(h.host.preview(&id, &press("dana", Button::Approve, 1)).await.unwrap(), Preview::Proceeds);
    assert_eq!(h.host.preview(&id, &press("dana", Button::Approve, 3)).await.unwrap(), Preview::Refused { user: "dana".into(), reason: h.host.dispatch(&id, press("dana", Button::Approve, 3)).await.unwrap().refused.unwrap() });
    assert_eq!(h.trail_kinds(&id).await.len(), trail + 1, "only the dispatched stale press was recorded");
    assert_eq!(h.host.conversation(&id).await.unwrap().stage, Stage::Planned);

    // A refusal told from the preview is recorded once per delivery.
    assert!(h.host.record_refusal(Some("chat:2"), &who, &id, &by_eve, &reason).await.unwrap());
    assert!(!h.host.record_refusal(Some("chat:2"), &who, &id, &by_eve, &reason).await.unwrap());
    // An event is stored once per delivery, and the refusal a changed request gives is returned.
    let approved = h.host.dispatch_once("chat:3", &id, press("dana", Button::Approve, 1)).await.unwrap().expect("the first delivery is decided");
    assert_eq!(approved.refused, None);
    assert_eq!(h.host.dispatch_once("chat:3", &id, press("dana", Button::Approve, 1)).await.unwrap(), None);
    let late = h.host.dispatch_once("chat:4", &id, press("dana", Button::Cancel, 1)).await.unwrap().expect("a new delivery is decided");
    assert!(late.refused.unwrap().contains("no longer applies"));
    let kinds = h.trail_kinds(&id).await;
    assert_eq!(kinds.iter().filter(|k| *k == "button.pressed").count(), 1);
    assert_eq!(kinds.iter().filter(|k| *k == "event.refused").count(), 3);
    assert_eq!(h.host.conversation(&id).await.unwrap().stage, Stage::Auditing);
}

/// The terminal, when it is up; when it is down every card fails, as a chat platform does during
/// an outage.
struct Outage {
    inner: paved_bot::terminal::Terminal,
    down: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl Outage {
    fn check(&self) -> Result<(), ChatError> {
        if self.down.load(std::sync::atomic::Ordering::SeqCst) {
            return Err(ChatError { platform: "terminal".into(), message: "the platform is down (503)".into() });
        }
        Ok(())
    }
}

impl ChatPlatform for Outage {
    fn name(&self) -> &'static str {
        self.inner.name()
    }
    fn post<'a>(&'a self, thread: &'a Thread, card: &'a Card) -> ChatFuture<'a, Thread> {
        Box::pin(async move {
            self.check()?;
            self.inner.post(thread, card).await
        })
    }
    fn post_to_channel<'a>(&'a self, channel: &'a str, card: &'a Card) -> ChatFuture<'a, ()> {
        Box::pin(async move {
            self.check()?;
            self.inner.post_to_channel(channel, card).await
        })
    }
    fn whisper<'a>(&'a self, thread: &'a Thread, user: &'a str, text: &'a str) -> ChatFuture<'a, ()> {
        Box::pin(async move {
            self.check()?;
            self.inner.whisper(thread, user, text).await
        })
    }
    fn progress<'a>(&'a self, thread: &'a Thread, board: &'a ProgressBoard) -> ChatFuture<'a, Option<String>> {
        Box::pin(async move {
            self.check()?;
            self.inner.progress(thread, board).await
        })
    }
}

#[tokio::test]
async fn cards_the_platform_could_not_show_are_shown_once_it_is_back_and_after_a_restart() {
    let h = Harness::new("outage", SandboxProvider::new(0.0), false).await;
    let (terminal, shown) = paved_bot::terminal::Terminal::recording();
    let down = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    h.host.register(std::sync::Arc::new(Outage { inner: terminal, down: down.clone() }));
    let said = || shown.lock().unwrap().join("\n");

    // The request is stored while the platform is down; its two cards wait in the queue.
    let id = h.host.submit(user("dana"), thread(), "a staging web app with postgres").await.unwrap().request_id;
    assert_eq!(said(), "");
    assert_eq!(h.db.queue_counts("chat").await.unwrap().leased, 2);
    // Before their lease runs out nobody else shows them (the process that stored them may).
    h.host.drain().await.unwrap();
    assert_eq!(said(), "");
    // Once it has, the next pass shows them, in order, and only once.
    down.store(false, std::sync::atomic::Ordering::SeqCst);
    h.clock.advance(std::time::Duration::from_secs(121));
    h.host.drain().await.unwrap();
    h.host.drain().await.unwrap();
    let text = said();
    let understanding = text.find("What I understood").expect("the understanding card");
    let plan = text.find("── Plan v1:").expect("the plan card");
    assert!(understanding < plan, "{text}");
    assert_eq!(text.matches("── Plan v1:").count(), 1, "{text}");
    assert_eq!(h.db.queue_counts("chat").await.unwrap().done, 2);

    // A process that stops between storing a decision and showing it: its successor shows it.
    down.store(true, std::sync::atomic::Ordering::SeqCst);
    assert_eq!(h.host.dispatch(&id, press("dana", Button::Cancel, 1)).await.unwrap().refused, None);
    drop(h.host);
    let after = Harness::open(h.scratch.clone(), SandboxProvider::new(0.0), false, None).await;
    // Its clock starts where the first one did; the cancellation's lease ends 241 s after that.
    after.clock.advance(std::time::Duration::from_secs(240));
    after.settle().await;
    assert_eq!(after.said(), "", "not before the lease has run out");
    after.clock.advance(std::time::Duration::from_secs(2));
    after.settle().await;
    assert!(after.said().contains("Cancelled"), "{}", after.said());
    assert_eq!(after.db.queue_counts("chat").await.unwrap(), paved_store::QueueCounts { ready: 0, leased: 0, done: 3, dead: 0 });
}

/// The sandbox, except that it never finishes creating a database: a deployment caught in the
/// middle when its process stops.
struct StuckOnTheDatabase(SandboxProvider);

impl paved_executor::Provider for StuckOnTheDatabase {
    fn name(&self) -> &'static str {
        self.0.name()
    }
    fn supports(&self, kind: &str) -> bool {
        self.0.supports(kind)
    }
    async fn apply(&self, ctx: &paved_executor::DeployContext, resource: &paved_core::Resource, existing: Option<&paved_executor::InventoryItem>) -> Result<paved_executor::Applied, paved_executor::ProviderError> {
        if resource.kind == "aws_db_instance" {
            std::future::pending::<()>().await;
        }
        self.0.apply(ctx, resource, existing).await
    }
    async fn delete(&self, ctx: &paved_executor::DeployContext, item: &paved_executor::InventoryItem) -> Result<(), paved_executor::ProviderError> {
        self.0.delete(ctx, item).await
    }
    async fn describe(&self, ctx: &paved_executor::DeployContext, item: &paved_executor::InventoryItem) -> Result<Option<serde_json::Map<String, serde_json::Value>>, paved_executor::ProviderError> {
        self.0.describe(ctx, item).await
    }
}

/// A chat platform that records the progress boards it is given and, like Slack and Discord,
/// posts one progress message (`C1/1`) unless the board names an earlier one.
#[derive(Default)]
struct ProgressRecorder {
    seen: Mutex<Vec<Option<String>>>,
    posted: std::sync::atomic::AtomicBool,
    second: tokio::sync::Notify,
}

impl ChatPlatform for ProgressRecorder {
    fn name(&self) -> &'static str {
        "terminal"
    }
    fn post<'a>(&'a self, thread: &'a Thread, _card: &'a Card) -> ChatFuture<'a, Thread> {
        Box::pin(async move { Ok(thread.clone()) })
    }
    fn post_to_channel<'a>(&'a self, _channel: &'a str, _card: &'a Card) -> ChatFuture<'a, ()> {
        Box::pin(async { Ok(()) })
    }
    fn whisper<'a>(&'a self, _thread: &'a Thread, _user: &'a str, _text: &'a str) -> ChatFuture<'a, ()> {
        Box::pin(async { Ok(()) })
    }
    fn progress<'a>(&'a self, _thread: &'a Thread, board: &'a ProgressBoard) -> ChatFuture<'a, Option<String>> {
        Box::pin(async move {
            let calls = {
                let mut seen = self.seen.lock().unwrap();
                seen.push(board.message.clone());
                seen.len()
            };
            if calls == 2 {
                self.second.notify_one();
            }
            let post = board.message.is_none() && !self.posted.swap(true, std::sync::atomic::Ordering::SeqCst);
            Ok(post.then(|| "C1/1".to_string()))
        })
    }
}

#[tokio::test]
async fn a_deployment_resumed_after_a_restart_edits_the_same_progress_message() {
    use paved_audit::worker::{self, AuditorJudge};
    let first = Harness::new("progress-restart", SandboxProvider::new(0.0), false).await;
    let id = first.host.submit(user("dana"), thread(), "a staging web app with postgres").await.unwrap().request_id;
    first.host.dispatch(&id, press("dana", Button::Approve, 1)).await.unwrap();
    let auditor = paved_audit::Auditor::new(&first.policies.catalog, &first.policies.guardrails);
    worker::handle_next(&first.db, &AuditorJudge(&auditor), &first.key, std::time::Duration::from_secs(30)).await.unwrap().expect("a verdict");

    // A host whose deployment gets stuck on the database, showing its progress.
    let directory = support::directory();
    let stuck = std::sync::Arc::new(paved_bot::host::Host::new(
        first.db.clone(),
        first.policies.clone(),
        first.key.verifying_key(),
        StuckOnTheDatabase(SandboxProvider::new(0.0)),
        paved_bot::host::HostConfig { directory, ..paved_bot::host::HostConfig::default() },
    ));
    let before = std::sync::Arc::new(ProgressRecorder::default());
    stuck.register(before.clone());
    assert!(stuck.process_verdict().await.unwrap());
    let running = tokio::spawn({
        let stuck = stuck.clone();
        async move { stuck.process_execution().await }
    });
    // Its second board means the first one's message was posted and remembered.
    tokio::time::timeout(std::time::Duration::from_secs(10), before.second.notified()).await.expect("progress is shown every second");
    assert_eq!(first.host.conversation(&id).await.unwrap().progress_message.as_deref(), Some("C1/1"));
    // The process stops.
    running.abort();
    let _ = running.await;
    drop(stuck);

    // Its successor takes the deployment over once the lease has run out, and edits that message.
    let after = Harness::open(first.scratch.clone(), SandboxProvider::new(0.0), false, None).await;
    let resumed = std::sync::Arc::new(ProgressRecorder::default());
    after.host.register(resumed.clone());
    after.clock.advance(std::time::Duration::from_secs(601));
    after.settle().await;
    let c = after.host.conversation(&id).await.unwrap();
    assert_eq!(c.stage, Stage::Completed);
    let seen = resumed.seen.lock().unwrap().clone();
    assert!(!seen.is_empty());
    assert!(seen.iter().all(|m| m.as_deref() == Some("C1/1")), "{seen:?}");
    assert!(!resumed.posted.load(std::sync::atomic::Ordering::SeqCst), "no second progress message");
    // Finished: forgotten, so that a rollback's progress gets its own message.
    assert_eq!(c.progress_message, None);
}

#[tokio::test]
async fn a_new_version_of_a_golden_path_is_offered_to_what_was_built_on_the_old_one() {
    let scratch;
    let id;
    {
        let h = Harness::new("upgrade", SandboxProvider::new(0.0), false).await;
        id = h.host.submit(user("dana"), thread(), "a staging web app with postgres").await.unwrap().request_id;
        h.host.dispatch(&id, press("dana", Button::Approve, 1)).await.unwrap();
        h.settle().await;
        assert_eq!(h.host.conversation(&id).await.unwrap().stage, Stage::Completed, "{}", h.said());
        assert!(h.host.upgrades().await.unwrap().is_empty(), "built on the shipped version");
        // Since then Dana gave the database more room, in a request of its own.
        let bigger = h.host.submit(user("dana"), thread(), "change the `web-app` database in staging to db.t3.large").await.unwrap().request_id;
        h.host.dispatch(&bigger, press("dana", Button::Approve, 1)).await.unwrap();
        h.settle().await;
        assert_eq!(h.host.conversation(&bigger).await.unwrap().stage, Stage::Completed, "{}", h.said());
        scratch = h.scratch.clone();
    }
    // The platform team ships standard_web_app 3.3, which watches the application's memory too.
    let alarm = "  - type: aws_cloudwatch_metric_alarm\n    name: app_memory\n    why: Warns when the application's memory stays above 85%.\n    values:\n      alarm_name: \"${service}-${env}-app-memory\"\n      namespace: AWS/ECS\n      metric_name: MemoryUtilization\n      dimensions: {ClusterName: \"${service}-${env}\", ServiceName: \"${service}-${env}-app\"}\n      statistic: Average\n      period: 300\n      evaluation_periods: 2\n      threshold: 85\n      comparison_operator: GreaterThanThreshold\n      alarm_actions: [\"${aws_sns_topic.alarms.arn}\"]\n    depends_on: [aws_ecs_service.app]\n\n";
    let dir = support::policies_edited("upgrade-3.3", "golden_paths/standard_web_app.yaml", "  - type: aws_cloudwatch_metric_alarm\n    name: app_cpu\n", &format!("{alarm}  - type: aws_cloudwatch_metric_alarm\n    name: app_cpu\n"));
    // It also keeps staging backups for 14 days instead of 7.
    let yaml = dir.join("golden_paths/standard_web_app.yaml");
    let text = std::fs::read_to_string(&yaml).unwrap().replacen("version: \"3.2\"", "version: \"3.3\"", 1);
    assert!(text.contains("backup_days: {by_env: {production: 30, staging: 7, development: 3}}"));
    std::fs::write(&yaml, text.replacen("staging: 7, development: 3}}", "staging: 14, development: 3}}", 1)).unwrap();
    let h = Harness::open(scratch, SandboxProvider::new(0.0), false, Some(dir)).await;

    let upgrades = h.host.upgrades().await.unwrap();
    assert_eq!(upgrades.len(), 1);
    let u = &upgrades[0];
    assert_eq!((u.request_id.as_str(), u.from.as_str(), u.to.as_str(), u.environment.as_str()), (id.as_str(), "3.2", "3.3", "staging"));
    let plan = u.plan.as_ref().expect("an upgrade plan");
    let created: Vec<&str> = plan.resources.iter().filter(|r| r.action == paved_core::ResourceAction::Create).map(|r| r.address.as_str()).collect();
    assert_eq!(created, ["aws_cloudwatch_metric_alarm.app_memory"]);
    assert!(!plan.resources.iter().any(|r| r.action == paved_core::ResourceAction::Delete), "an upgrade deletes nothing");
    // The database gets the new backups and keeps the size chosen since.
    let db = plan.resource("aws_db_instance.main").expect("the database is updated");
    assert_eq!(db.value("backup_retention_period"), Some(&serde_json::Value::from(14)));
    assert_eq!(db.value("instance_class"), Some(&serde_json::Value::from("db.t3.large")));

    // Offered to Dana in her thread, as a plan she approves like any other; offered once.
    let offer = h.host.offer_upgrade(u).await.unwrap().request_id;
    assert!(h.host.upgrades().await.unwrap().is_empty());
    let c = h.host.conversation(&offer).await.unwrap();
    assert_eq!((c.stage, c.requester.id.as_str(), c.intent.action), (Stage::Planned, "dana", paved_core::Action::Modify));
    assert!(h.said().contains("── Plan v1: standard_web_app v3.3"), "{}", h.said());
    h.host.dispatch(&offer, press("dana", Button::Approve, 1)).await.unwrap();
    h.settle().await;
    let c = h.host.conversation(&offer).await.unwrap();
    assert_eq!(c.stage, Stage::Completed, "{}", h.said());
    assert!(h.db.deployed_resources(&offer).await.unwrap().iter().any(|r| r.address == "aws_cloudwatch_metric_alarm.app_memory"));
}
