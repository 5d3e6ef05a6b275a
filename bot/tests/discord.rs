//! The Discord adapter end to end: a fake Discord on loopback signs interactions with a test
//! Ed25519 key and serves the REST API with Discord's limits and rate limits; the real host runs
//! on a fresh SQLite database with the audit worker's code and the sandbox cloud. Every decision
//! path of the conversation goes through Discord's wire format.

mod support;

use std::sync::Arc;
use std::time::Duration;

use paved_audit::Auditor;
use paved_audit::worker::{self, AuditorJudge};
use paved_bot::chat::ChatPlatform;
use paved_bot::discord::Discord;
use paved_bot::discord::config::{DiscordConfig, Secret};
use paved_bot::discord::fake::{self, Answer, FakeDiscord, FakeUser};
use paved_bot::engine::{Card, Directory, Role, Stage};
use paved_bot::host::{Host, HostConfig};
use paved_bot::policies::Policies;
use paved_core::signing::SigningKey;
use paved_executor::SandboxProvider;
use paved_store::{Clock, Db};
use serde_json::Value;

const CHANNEL: &str = "300000000000000001";
const APPROVALS: &str = "300000000000000002";
const FINANCE_ROLE: &str = "400000000000000001";

fn dana() -> FakeUser {
    FakeUser::new("200000000000000001", "Dana")
}
fn eve() -> FakeUser {
    FakeUser::new("200000000000000002", "Eve")
}
/// A finance manager by user id, who is also a requester in some tests.
fn alice() -> FakeUser {
    FakeUser::new("200000000000000003", "Alice")
}
/// A finance manager through her Discord role.
fn gina() -> FakeUser {
    FakeUser::new("200000000000000004", "Gina").with_roles(&[FINANCE_ROLE])
}

fn directory() -> Directory {
    let mut d = Directory { escalation_ttl_minutes: 60, ..Directory::default() };
    d.roles.insert("finance_manager".into(), Role { users: vec![alice().id], groups: vec![FINANCE_ROLE.into()], channel: APPROVALS.into(), required: 1 });
    d.roles.insert("cfo".into(), Role { users: vec!["200000000000000009".into()], groups: vec![], channel: APPROVALS.into(), required: 1 });
    d.roles.insert("change_manager".into(), Role { users: vec!["200000000000000010".into()], groups: vec![], channel: APPROVALS.into(), required: 1 });
    d
}

struct World {
    fake: FakeDiscord,
    host: Arc<Host>,
    discord: Arc<Discord>,
    db: Db,
    clock: Clock,
    key: SigningKey,
    policies: Arc<Policies>,
    _scratch: support::Scratch,
}

impl World {
    async fn new(name: &str) -> World {
        World::with_limits(name, 5, Duration::from_millis(250)).await
    }

    async fn with_limits(name: &str, per: u32, window: Duration) -> World {
        World::build(name, per, window, None).await
    }

    async fn build(name: &str, per: u32, window: Duration, policies: Option<support::Scratch>) -> World {
        let fake = FakeDiscord::start(per, window).await.unwrap();
        let scratch = support::Scratch::new(&format!("discord-{name}"));
        let clock = Clock::manual(1_800_000_000_000);
        let db = Db::open(&format!("sqlite://{}?mode=rwc", scratch.join("paved.db").display())).await.unwrap().with_clock(clock.clone());
        let policies = Arc::new(Policies::load(policies.as_ref().map(support::Scratch::path)).unwrap());
        let key = SigningKey::from_bytes(&[5u8; 32]);
        let config = HostConfig { directory: directory(), ..HostConfig::default() };
        let host = Arc::new(Host::new(db.clone(), Arc::clone(&policies), key.verifying_key(), SandboxProvider::new(0.0), config));
        let mut dc = DiscordConfig::new(fake::APPLICATION_ID, fake.public_key(), Secret::new(fake::BOT_TOKEN));
        dc.api_base = fake.api_base.clone();
        let discord = Arc::new(Discord::new(dc).unwrap());
        discord.attach(&host);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let app = discord.router(Arc::clone(&host));
        tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        fake.set_endpoint(&format!("http://{addr}/discord/interactions"));
        World { fake, host, discord, db, clock, key, policies, _scratch: scratch }
    }

    /// Runs the adapter's background work, the audit worker and the host until nothing is left.
    async fn settle(&self) {
        self.discord.settled().await;
        let auditor = Auditor::new(&self.policies.catalog, &self.policies.guardrails);
        let judge = AuditorJudge(&auditor);
        loop {
            let mut judged = 0;
            while worker::handle_next(&self.db, &judge, &self.key, Duration::from_secs(30)).await.unwrap().is_some() {
                judged += 1;
            }
            let handled = self.host.drain().await.unwrap();
            self.discord.settled().await;
            if judged == 0 && handled == 0 {
                return;
            }
        }
    }

    /// `/pave request:<text>` in the channel; returns the request id and its thread.
    async fn ask(&self, who: &FakeUser, text: &str) -> (String, String) {
        let before = self.fake.threads();
        let a = self.fake.send(&self.fake.command(who, CHANNEL, text)).await;
        assert_eq!((a.status, a.kind()), (200, 5), "a new request is deferred: {:?}", a.body);
        self.settle().await;
        let thread = self.fake.threads().into_iter().find(|t| !before.contains(t)).expect("the request's thread was opened");
        assert_eq!(self.fake.thread_parent(&thread).as_deref(), Some(CHANNEL));
        let thread_obj = paved_bot::engine::Thread { platform: "discord".into(), channel: CHANNEL.into(), thread: thread.clone() };
        let id = self.host.request_for_thread(&thread_obj).await.unwrap().expect("the host knows the thread");
        (id, thread)
    }

    async fn stage(&self, id: &str) -> Stage {
        self.host.conversation(id).await.unwrap().stage
    }

    /// Every message the request's thread (and the reply it was opened from) shows, as text.
    fn said(&self, thread: &str) -> String {
        let mut out = Vec::new();
        if let Some(first) = self.fake.message(thread) {
            out.push(text_of(&first));
        }
        out.extend(self.fake.messages_in(thread).iter().map(text_of));
        out.join("\n---\n")
    }

    /// The newest message in `channel` with a button whose custom_id starts with `prefix`.
    fn button(&self, channel: &str, prefix: &str) -> (String, String) {
        let mut found = None;
        let mut messages = self.fake.messages_in(channel);
        if let Some(m) = self.fake.message(channel) {
            messages.insert(0, m);
        }
        for m in messages {
            for row in m["components"].as_array().cloned().unwrap_or_default() {
                for b in row["components"].as_array().cloned().unwrap_or_default() {
                    let id = b["custom_id"].as_str().unwrap_or_default().to_string();
                    if id.starts_with(prefix) {
                        found = Some((m["id"].as_str().unwrap_or_default().to_string(), id));
                    }
                }
            }
        }
        found.unwrap_or_else(|| panic!("no button {prefix} in {channel}"))
    }

    async fn press(&self, who: &FakeUser, channel: &str, prefix: &str) -> Answer {
        let (message, custom_id) = self.button(channel, prefix);
        let a = self.fake.send(&self.fake.press(who, &message, &custom_id)).await;
        assert_eq!(a.status, 200, "{:?}", a.body);
        a
    }

    fn clean(&self) {
        assert_eq!(self.fake.violations(), Vec::<String>::new(), "Discord's limits were broken");
    }
}

fn text_of(m: &Value) -> String {
    let mut parts = vec![m["content"].as_str().unwrap_or_default().to_string()];
    for e in m["embeds"].as_array().cloned().unwrap_or_default() {
        parts.push(e["title"].as_str().unwrap_or_default().to_string());
        parts.push(e["description"].as_str().unwrap_or_default().to_string());
        for f in e["fields"].as_array().cloned().unwrap_or_default() {
            parts.push(format!("{}: {}", f["name"].as_str().unwrap_or_default(), f["value"].as_str().unwrap_or_default()));
        }
    }
    parts.retain(|p| !p.is_empty());
    parts.join("\n")
}

fn refused(a: &Answer, words: &str) {
    assert_eq!(a.kind(), 4, "{:?}", a.body);
    assert!(a.ephemeral(), "a refusal is ephemeral: {:?}", a.body);
    assert!(a.content().contains(words), "{:?} does not say {words:?}", a.content());
}

const FINANCE_REQUEST: &str = "a production web app with postgres using db.r5.8xlarge";

#[tokio::test]
async fn ping_forgeries_and_stale_signatures() {
    let w = World::new("ping").await;
    let a = w.fake.send(&w.fake.ping()).await;
    assert_eq!((a.status, a.kind()), (200, 1));
    let forged = "00".repeat(64);
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    assert_eq!(w.fake.send_signed(&w.fake.ping(), &now.to_string(), Some(&forged)).await.status, 401);
    assert_eq!(w.fake.send_signed(&w.fake.ping(), &now.to_string(), Some("not hex")).await.status, 401);
    // Correctly signed, but six minutes old (or from the future): refused too.
    assert_eq!(w.fake.send_signed(&w.fake.ping(), &(now - 360).to_string(), None).await.status, 401);
    assert_eq!(w.fake.send_signed(&w.fake.ping(), &(now + 360).to_string(), None).await.status, 401);
    assert_eq!(w.fake.send_signed(&w.fake.ping(), &(now - 240).to_string(), None).await.status, 200);
    // A forged command starts nothing.
    let cmd = w.fake.command(&dana(), CHANNEL, "a staging web app");
    assert_eq!(w.fake.send_signed(&cmd, &now.to_string(), Some(&forged)).await.status, 401);
    w.settle().await;
    assert!(w.fake.calls().is_empty(), "nothing was posted: {:?}", w.fake.calls().iter().map(|c| &c.path).collect::<Vec<_>>());
}

#[tokio::test]
async fn an_approved_request_deploys_in_its_thread() {
    let w = World::new("approved").await;
    let (id, thread) = w.ask(&dana(), "a staging web app with postgres").await;
    assert_eq!(w.stage(&id).await, Stage::Planned);
    let said = w.said(&thread);
    assert!(said.contains("What I understood"), "{said}");
    assert!(said.contains("Plan v1"), "{said}");
    // The understanding replaced the deferred reply, and the thread was opened from it.
    assert!(w.fake.calls().iter().any(|c| c.method == "PATCH" && c.path.ends_with("/messages/@original")));
    refused(&w.press(&eve(), &thread, "paved:approve:").await, "Only Dana");
    let a = w.press(&dana(), &thread, "paved:approve:").await;
    assert_eq!(a.kind(), 6, "{:?}", a.body);
    w.settle().await;
    assert_eq!(w.stage(&id).await, Stage::Completed, "{}", w.said(&thread));
    let said = w.said(&thread);
    for part in ["approved plan v1", "Audit: APPROVED", &format!("Deployed {id}"), &format!("Finished {id}")] {
        assert!(said.contains(part), "missing {part:?} in\n{said}");
    }
    // One progress message, created once and edited after that.
    let progress_posts = w.fake.messages_in(&thread).iter().filter(|m| text_of(m).contains(&format!("Finished {id}"))).count();
    assert_eq!(progress_posts, 1);
    w.clean();
}

#[tokio::test]
async fn vetoed_and_auto_fixed_plans_are_shown_in_the_thread() {
    let policies = support::policies_with_rules("discord-fixes", support::EXTRA_RULES);
    let w = World::build("fixes", 5, Duration::from_millis(250), Some(policies)).await;
    let (id, thread) = w.ask(&dana(), "a staging web app with mysql").await;
    w.press(&dana(), &thread, "paved:approve:").await;
    w.settle().await;
    assert_eq!(w.stage(&id).await, Stage::Vetoed, "{}", w.said(&thread));
    assert!(w.said(&thread).contains("VETOED"), "{}", w.said(&thread));
    assert!(w.said(&thread).contains("Use PostgreSQL"), "{}", w.said(&thread));
    let (id, thread) = w.ask(&dana(), "a staging web app with postgres").await;
    w.press(&dana(), &thread, "paved:approve:").await;
    w.settle().await;
    assert_eq!(w.stage(&id).await, Stage::Completed, "{}", w.said(&thread));
    assert!(w.said(&thread).contains("AUTO-FIXED"), "{}", w.said(&thread));
    w.clean();
}

#[tokio::test]
async fn approved_with_warnings_shows_the_warning() {
    let w = World::new("warnings").await;
    let (id, thread) = w.ask(&dana(), "a development web app using Deno instead of Node.js").await;
    w.press(&dana(), &thread, "paved:approve:").await;
    w.settle().await;
    assert_eq!(w.stage(&id).await, Stage::Completed, "{}", w.said(&thread));
    assert!(w.said(&thread).contains("Audit: APPROVED WITH WARNINGS"), "{}", w.said(&thread));
    w.clean();
}

#[tokio::test]
async fn an_escalation_goes_to_the_role_channel_and_only_the_role_approves() {
    let w = World::new("escalated").await;
    let (id, thread) = w.ask(&alice(), FINANCE_REQUEST).await;
    w.press(&alice(), &thread, "paved:approve:").await;
    w.settle().await;
    assert_eq!(w.stage(&id).await, Stage::Escalated, "{}", w.said(&thread));
    assert!(w.said(&thread).contains("Escalated to finance_manager"), "{}", w.said(&thread));
    let escalation = w.fake.messages_in(APPROVALS);
    assert_eq!(escalation.len(), 1);
    assert!(text_of(&escalation[0]).contains(&format!("{id} needs finance_manager")));
    // The requester is a finance manager too, but not for her own request; Eve holds no role.
    refused(&w.press(&alice(), APPROVALS, "paved:grant:").await, "your own request");
    refused(&w.press(&eve(), APPROVALS, "paved:grant:").await, "not an approver");
    // Gina holds the role through her Discord role id.
    let a = w.press(&gina(), APPROVALS, "paved:grant:").await;
    assert_eq!(a.kind(), 6, "{:?}", a.body);
    w.settle().await;
    assert_eq!(w.stage(&id).await, Stage::Completed, "{}", w.said(&thread));
    let c = w.host.conversation(&id).await.unwrap();
    assert_eq!(c.approvals[0].user, gina().id);
    w.clean();
}

#[tokio::test]
async fn an_escalation_is_rejected_with_a_reason_through_a_modal() {
    let w = World::new("rejected").await;
    let (id, thread) = w.ask(&dana(), FINANCE_REQUEST).await;
    w.press(&dana(), &thread, "paved:approve:").await;
    w.settle().await;
    // The requester cannot reject her own request: refused at once, without a form.
    refused(&w.press(&dana(), APPROVALS, "paved:reject:").await, "own request");
    let a = w.press(&gina(), APPROVALS, "paved:reject:").await;
    assert_eq!(a.kind(), 9, "Reject asks for a reason first: {:?}", a.body);
    let custom_id = a.body["data"]["custom_id"].as_str().unwrap().to_string();
    let input = a.body["data"]["components"][0]["components"][0]["custom_id"].as_str().unwrap().to_string();
    // Someone outside the role cannot reject, even with the form.
    refused(&w.fake.send(&w.fake.submit(&eve(), APPROVALS, &custom_id, &input, "no")).await, "not an approver");
    let a = w.fake.send(&w.fake.submit(&gina(), APPROVALS, &custom_id, &input, "not in this quarter's budget")).await;
    assert_eq!(a.kind(), 6, "{:?}", a.body);
    w.settle().await;
    assert_eq!(w.stage(&id).await, Stage::Rejected);
    assert!(w.said(&thread).contains("not in this quarter's budget"), "{}", w.said(&thread));
    assert!(w.db.deployed_resources(&id).await.unwrap().is_empty());
    w.clean();
}

#[tokio::test]
async fn an_unanswered_escalation_expires() {
    let w = World::new("expired").await;
    let (id, thread) = w.ask(&dana(), FINANCE_REQUEST).await;
    w.press(&dana(), &thread, "paved:approve:").await;
    w.settle().await;
    w.clock.advance(Duration::from_secs(61 * 60));
    assert_eq!(w.host.expire_escalations().await.unwrap(), 1);
    assert_eq!(w.stage(&id).await, Stage::Expired);
    assert!(w.said(&thread).contains("expired"), "{}", w.said(&thread));
    refused(&w.press(&gina(), APPROVALS, "paved:grant:").await, "closed");
    w.clean();
}

#[tokio::test]
async fn questions_are_answered_with_pave_in_the_thread() {
    let w = World::new("clarify").await;
    let (id, thread) = w.ask(&dana(), "hello, can you help").await;
    assert_eq!(w.stage(&id).await, Stage::NeedsClarification);
    assert!(w.said(&thread).contains("I need to know"), "{}", w.said(&thread));
    // Someone else's words in the thread do not steer the request.
    let a = w.fake.send(&w.fake.command(&eve(), &thread, "a huge ML cluster")).await;
    assert_eq!(a.kind(), 4);
    w.settle().await;
    assert_eq!(w.stage(&id).await, Stage::NeedsClarification);
    let a = w.fake.send(&w.fake.command(&dana(), &thread, "a staging web app with mysql")).await;
    assert_eq!(a.kind(), 4, "{:?}", a.body);
    assert!(!a.ephemeral() && a.content().contains("mysql"), "the answer is echoed in the thread: {:?}", a.body);
    w.settle().await;
    assert_eq!(w.stage(&id).await, Stage::Planned);
    assert!(w.said(&thread).contains("Plan v1"), "{}", w.said(&thread));
    w.clean();
}

#[tokio::test]
async fn modify_opens_a_modal_and_makes_a_new_version() {
    let w = World::new("modify").await;
    let (id, thread) = w.ask(&dana(), "a production web app with postgres and redis").await;
    refused(&w.press(&eve(), &thread, "paved:modify:").await, "Only Dana");
    let a = w.press(&dana(), &thread, "paved:modify:").await;
    assert_eq!(a.kind(), 9, "{:?}", a.body);
    let custom_id = a.body["data"]["custom_id"].as_str().unwrap().to_string();
    assert_eq!(custom_id, format!("paved:modify:{id}:1"));
    let input = a.body["data"]["components"][0]["components"][0]["custom_id"].as_str().unwrap().to_string();
    let a = w.fake.send(&w.fake.submit(&dana(), &thread, &custom_id, &input, "no redis")).await;
    assert_eq!(a.kind(), 6, "{:?}", a.body);
    w.settle().await;
    let c = w.host.conversation(&id).await.unwrap();
    assert_eq!(c.current_version(), 2);
    let said = w.said(&thread);
    assert!(said.contains("Plan v2") && said.contains("What changed"), "{said}");
    // The old version's buttons are stale now.
    let (message, _) = w.button(&thread, "paved:approve:");
    let stale = w.fake.press(&dana(), &message, &format!("paved:approve:{id}:1"));
    refused(&w.fake.send(&stale).await, "v2");
    w.clean();
}

#[tokio::test]
async fn cancel_ends_the_request_and_duplicates_are_handled_once() {
    let w = World::new("cancel").await;
    let (id, thread) = w.ask(&dana(), "a staging web app").await;
    let (message, custom_id) = w.button(&thread, "paved:cancel:");
    let press = w.fake.press(&dana(), &message, &custom_id);
    assert_eq!(w.fake.send(&press).await.kind(), 6);
    // The same interaction again (a retry or a replay within the window) changes nothing.
    let again = w.fake.send(&press).await;
    assert_eq!(again.kind(), 6);
    w.settle().await;
    assert_eq!(w.stage(&id).await, Stage::Cancelled);
    let cancelled = w.fake.messages_in(&thread).iter().filter(|m| text_of(m).contains("Cancelled by Dana")).count();
    assert_eq!(cancelled, 1, "one notice for one press");
    let trail = w.db.request_trail(&id).await.unwrap();
    assert_eq!(trail.iter().filter(|r| r.kind == "button.pressed").count(), 1);
    // A duplicated command opens no second request.
    let cmd = w.fake.command(&dana(), CHANNEL, "a staging web app");
    assert_eq!(w.fake.send(&cmd).await.kind(), 5);
    refused(&w.fake.send(&cmd).await, "already received");
    w.settle().await;
    assert_eq!(w.fake.threads().len(), 2);
    w.clean();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn presses_racing_each_other_are_decided_once_and_the_loser_is_told() {
    let w = World::new("race").await;
    let (id, thread) = w.ask(&dana(), "a staging web app").await;
    let (message, approve) = w.button(&thread, "paved:approve:");
    let (_, cancel) = w.button(&thread, "paved:cancel:");
    // Approve and Cancel at once: each is answered from the request as stored, and only one of
    // them can happen. Whichever loses is told so, in its answer or in a follow-up.
    let (approve, cancel) = (w.fake.press(&dana(), &message, &approve), w.fake.press(&dana(), &message, &cancel));
    let (a, b) = tokio::join!(w.fake.send(&approve), w.fake.send(&cancel));
    w.settle().await;
    let told_in_answer = [&a, &b].iter().filter(|x| x.kind() == 4 && x.ephemeral() && x.content().contains("no longer applies")).count();
    let told_later = w
        .fake
        .calls()
        .iter()
        .filter(|c| c.method == "POST" && c.path.starts_with("/webhooks/") && c.body["flags"].as_u64().unwrap_or(0) & 64 == 64)
        .filter(|c| c.body["content"].as_str().unwrap_or_default().contains("no longer applies"))
        .count();
    assert_eq!(told_in_answer + told_later, 1, "answers {:?} / {:?}", a.body, b.body);
    let stage = w.stage(&id).await;
    assert!(matches!(stage, Stage::Completed | Stage::Cancelled), "{stage:?}");
    let trail = w.db.request_trail(&id).await.unwrap();
    assert_eq!(trail.iter().filter(|r| r.kind == "button.pressed").count(), 1);
    assert_eq!(trail.iter().filter(|r| r.kind == "event.refused").count(), 1);
    w.clean();
}

#[tokio::test]
async fn an_interaction_replayed_to_another_replica_is_recorded_once() {
    let w = World::new("replica").await;
    let (id, thread) = w.ask(&dana(), "a staging web app").await;
    let (message, custom_id) = w.button(&thread, "paved:modify:");
    let press = w.fake.press(&dana(), &message, &custom_id);
    assert_eq!(w.fake.send(&press).await.kind(), 9, "the Modify modal opens");
    w.settle().await;
    // A second replica of the endpoint has not seen the interaction; the database has.
    let mut dc = DiscordConfig::new(fake::APPLICATION_ID, w.fake.public_key(), Secret::new(fake::BOT_TOKEN));
    dc.api_base = w.fake.api_base.clone();
    let replica = Arc::new(Discord::new(dc).unwrap());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = replica.router(Arc::clone(&w.host));
    tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    w.fake.set_endpoint(&format!("http://{addr}/discord/interactions"));
    assert_eq!(w.fake.send(&press).await.kind(), 9);
    replica.settled().await;
    w.settle().await;
    let trail = w.db.request_trail(&id).await.unwrap();
    assert_eq!(trail.iter().filter(|r| r.kind == "button.pressed").count(), 1, "one record for one interaction");
    w.clean();
}

#[tokio::test]
async fn refused_requests_are_told_privately() {
    let w = World::new("refused").await;
    let a = w.fake.send(&w.fake.command(&dana(), CHANNEL, "   ")).await;
    refused(&a, "Say what you need");
    let long = "a staging web app ".repeat(400);
    let a = w.fake.send(&w.fake.command(&dana(), CHANNEL, &long)).await;
    assert_eq!(a.kind(), 5);
    w.settle().await;
    // The deferred reply is removed and the reason sent as an ephemeral follow-up.
    let calls = w.fake.calls();
    assert!(calls.iter().any(|c| c.method == "DELETE" && c.path.ends_with("@original")));
    let follow = calls.iter().find(|c| c.method == "POST" && c.path.starts_with("/webhooks/")).expect("a follow-up");
    assert_eq!(follow.body["flags"].as_u64().unwrap() & 64, 64);
    assert!(w.fake.threads().is_empty());
    w.clean();
}

#[tokio::test]
async fn rate_limits_are_respected_and_429s_retried() {
    let w = World::with_limits("ratelimit", 3, Duration::from_millis(300)).await;
    let started = std::time::Instant::now();
    for i in 0..10 {
        let card = Card::Notice { text: format!("notice {i}") };
        w.discord.post_to_channel(CHANNEL, &card).await.unwrap();
    }
    assert_eq!(w.fake.messages_in(CHANNEL).len(), 10);
    // Ten requests in buckets of three per 300 ms need at least three waits.
    assert!(started.elapsed() >= Duration::from_millis(900), "{:?}", started.elapsed());
    w.clean();
    w.fake.rate_limit_next("/channels/", 0.2, false);
    let before = w.fake.calls().len();
    w.discord.post_to_channel(APPROVALS, &Card::Notice { text: "after a 429".into() }).await.unwrap();
    let calls = w.fake.calls();
    assert_eq!(calls.len() - before, 2, "the 429 was retried once");
    let gap = calls[calls.len() - 1].at.duration_since(calls[calls.len() - 2].at);
    assert!(gap >= Duration::from_millis(200), "retried after retry_after, not before: {gap:?}");
    w.fake.rate_limit_next("/channels/", 0.15, true);
    w.discord.post_to_channel(APPROVALS, &Card::Notice { text: "after a global 429".into() }).await.unwrap();
    assert_eq!(w.fake.messages_in(APPROVALS).len(), 2);
}

#[tokio::test]
async fn a_large_plan_is_summarised_with_the_full_plan_attached() {
    let w = World::new("large").await;
    let mut plan = paved_core::Plan {
        golden_path: Some("standard_web_app".into()),
        golden_path_version: "3.2".into(),
        environment: paved_core::Environment::Production,
        region: "us-east-1".into(),
        resources: vec![],
        estimated_monthly_cost_usd: 0.0,
    };
    for i in 0..120 {
        let mut r = paved_core::Resource::new("aws_cloudwatch_metric_alarm", &format!("alarm_{i}"), paved_core::ResourceAction::Create);
        r.monthly_cost_usd = 0.1;
        r.why = "Alerts the on-call engineer when this part of the service misbehaves for five minutes in a row".into();
        plan.resources.push(r);
        plan.estimated_monthly_cost_usd += 0.1;
    }
    let card = Card::Plan { version: 1, plan, changes: vec![], intent: paved_core::Intent::empty() };
    w.discord.post_to_channel(CHANNEL, &card).await.unwrap();
    let calls = w.fake.calls();
    let post = calls.iter().find(|c| c.path == format!("/channels/{CHANNEL}/messages")).unwrap();
    assert_eq!(post.files.len(), 1);
    assert!(post.files[0].1.contains("alarm_119"), "the attached plan is complete");
    let description = post.body["embeds"][0]["description"].as_str().unwrap();
    assert!(description.contains("120 resources") && description.contains("× 120"), "{description}");
    w.clean();
}

#[tokio::test]
async fn register_puts_the_pave_command() {
    let fake = FakeDiscord::start(5, Duration::from_millis(250)).await.unwrap();
    let mut config = DiscordConfig::new(fake::APPLICATION_ID, fake.public_key(), Secret::new(fake::BOT_TOKEN));
    config.api_base = fake.api_base.clone();
    let out = paved_bot::discord::cli::register(&config, Some(fake::GUILD_ID)).await.unwrap();
    assert!(out.contains("/pave"), "{out}");
    let calls = fake.calls();
    assert_eq!(calls[0].method, "PUT");
    assert_eq!(calls[0].path, format!("/applications/{}/guilds/{}/commands", fake::APPLICATION_ID, fake::GUILD_ID));
    let commands = fake.commands();
    assert_eq!(commands[0]["name"], "pave");
    assert_eq!(commands[0]["options"][0]["name"], "request");
    assert_eq!(commands[0]["options"][0]["required"], true);
    assert!(fake.violations().is_empty(), "{:?}", fake.violations());
    paved_bot::discord::cli::register(&config, None).await.unwrap();
    assert_eq!(fake.calls()[1].path, format!("/applications/{}/commands", fake::APPLICATION_ID));
}
