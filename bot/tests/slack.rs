//! The Slack adapter end to end: signed requests built exactly like Slack's, the real host on a
//! fresh SQLite database with the audit worker and the sandbox cloud, and a fake Slack Web API on
//! 127.0.0.1 that records every call and refuses what breaks Block Kit's limits.

mod slack_fake;

mod support;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use paved_audit::Auditor;
use paved_audit::worker::{self, AuditorJudge};
use paved_bot::engine::{Directory, Role, Stage, Thread};
use paved_bot::host::{Host, HostConfig};
use paved_bot::policies::Policies;
use paved_bot::slack::http::{COMMANDS_PATH, EVENTS_PATH, INTERACTIVITY_PATH};
use paved_bot::slack::{Secret, Slack, SlackConfig};
use paved_core::signing::SigningKey;
use paved_executor::SandboxProvider;
use paved_store::{Clock, Db};
use serde_json::{Value, json};
use slack_fake::*;

/// The signing secret of Slack's "verifying requests" page.
const SECRET: &str = "8f742231b10e8888abcd99yyyzzz85a5";
const FINANCE_REQUEST: &str = "a production web app with postgres using db.r5.8xlarge";

struct World {
    fake: FakeSlack,
    slack: Arc<Slack>,
    host: Arc<Host>,
    db: Db,
    key: SigningKey,
    policies: Arc<Policies>,
    addr: SocketAddr,
    _scratch: support::Scratch,
}

fn directory() -> Directory {
    let mut d = Directory { escalation_ttl_minutes: 60, ..Directory::default() };
    d.roles.insert("finance_manager".into(), Role { users: vec!["UFIONA".into(), "UFRANK".into()], groups: vec!["SFINANCE".into()], channel: "#approvals".into(), required: 1 });
    d.roles.insert("cfo".into(), Role { users: vec!["UCAROL".into()], groups: vec![], channel: "#cfo".into(), required: 1 });
    d.roles.insert("change_manager".into(), Role { users: vec!["UMAX".into()], groups: vec![], channel: "#changes".into(), required: 1 });
    d
}

impl World {
    async fn new(name: &str) -> World {
        World::with_policies(name, None).await
    }

    async fn with_policies(name: &str, policies: Option<support::Scratch>) -> World {
        let fake = FakeSlack::start().await;
        fake.set_group("SFINANCE", &["UGINA"]);
        let scratch = support::Scratch::new(&format!("slack-{name}"));
        let db = Db::open(&format!("sqlite://{}?mode=rwc", scratch.join("paved.db").display())).await.unwrap().with_clock(Clock::manual(1_800_000_000_000));
        let policies = Arc::new(Policies::load(policies.as_ref().map(support::Scratch::path)).unwrap());
        let key = SigningKey::from_bytes(&[5u8; 32]);
        let config = HostConfig { directory: directory(), ..HostConfig::default() };
        let host = Arc::new(Host::new(db.clone(), Arc::clone(&policies), key.verifying_key(), SandboxProvider::new(0.0), config));
        let mut cfg = SlackConfig::new("xoxb-test", SECRET);
        cfg.api_url = fake.api_url.clone();
        let slack = Slack::connect(&cfg, vec!["SFINANCE".into()]).await.unwrap();
        slack.attach(host.clone()).unwrap();
        host.register(slack.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let router = paved_bot::slack::http::router(slack.clone(), &Secret::new(SECRET));
        tokio::spawn(paved_bot::slack::http::serve(listener, router));
        World { fake, slack, host, db, key, policies, addr, _scratch: scratch }
    }

    /// Lets the adapter's work, the audit worker and the host run until nothing is left.
    async fn settle(&self) {
        let auditor = Auditor::new(&self.policies.catalog, &self.policies.guardrails);
        let judge = AuditorJudge(&auditor);
        loop {
            self.slack.idle().await;
            let mut judged = 0;
            while worker::handle_next(&self.db, &judge, &self.key, Duration::from_secs(30)).await.unwrap().is_some() {
                judged += 1;
            }
            let handled = self.host.drain().await.unwrap();
            self.slack.idle().await;
            if judged == 0 && handled == 0 {
                return;
            }
        }
    }

    async fn event(&self, event_id: &str, event: Value, extra: &[(&str, String)]) -> (u16, String) {
        signed(self.addr, EVENTS_PATH, SECRET, now(), "application/json", &event_body(event_id, event).to_string(), extra).await
    }

    /// `user` mentions the bot at the top of `channel`; the message's ts is `ts`.
    async fn mention(&self, user: &str, text: &str, ts: &str) {
        let ev = json!({"type": "app_mention", "user": user, "text": format!("<@UBOT> {text}"), "ts": ts, "channel": "CGENERAL", "event_ts": ts});
        let (status, _) = self.event(&format!("Ev{ts}"), ev, &[]).await;
        assert_eq!(status, 200);
        self.settle().await;
    }

    async fn reply(&self, user: &str, thread_ts: &str, text: &str, ts: &str) {
        let ev = json!({"type": "message", "channel_type": "channel", "user": user, "text": text, "ts": ts, "thread_ts": thread_ts, "channel": "CGENERAL", "event_ts": ts});
        let (status, _) = self.event(&format!("Ev{ts}"), ev, &[]).await;
        assert_eq!(status, 200);
        self.settle().await;
    }

    async fn interact(&self, payload: Value) -> (u16, String) {
        let r = signed(self.addr, INTERACTIVITY_PATH, SECRET, now(), "application/x-www-form-urlencoded", &interaction_body(&payload), &[]).await;
        self.settle().await;
        r
    }

    /// Presses the button whose action id starts with `prefix` on the latest card that has it.
    async fn press(&self, user: &str, prefix: &str, trigger: &str) -> (u16, String) {
        let (action, channel, ts, thread) = self.button(prefix);
        self.interact(press_payload(user, &action, &channel, &ts, thread.as_deref(), trigger)).await
    }

    /// The latest posted button whose action id starts with `prefix`, with where its card is.
    fn button(&self, prefix: &str) -> (String, String, String, Option<String>) {
        let mut ts = 1_700_000_000u64;
        let mut found = None;
        for call in self.fake.calls() {
            if call.method != "chat.postMessage" {
                continue;
            }
            ts += 1;
            let Some(blocks) = call.body["blocks"].as_array() else { continue };
            for b in blocks {
                for e in b["elements"].as_array().into_iter().flatten() {
                    let id = e["action_id"].as_str().unwrap_or_default();
                    if id.starts_with(prefix) {
                        let channel = call.body["channel"].as_str().unwrap_or_default();
                        let channel = if let Some(name) = channel.strip_prefix('#') { format!("C{}", name.to_ascii_uppercase()) } else { channel.to_string() };
                        found = Some((id.to_string(), channel, format!("{ts}.000100"), call.body["thread_ts"].as_str().map(str::to_string)));
                    }
                }
            }
        }
        found.unwrap_or_else(|| panic!("no button {prefix} was posted"))
    }

    fn texts(&self, method: &str) -> Vec<String> {
        self.fake.calls_of(method).iter().map(|b| format!("{} {}", b["text"].as_str().unwrap_or_default(), b["blocks"])).collect()
    }

    fn posted(&self, needle: &str) -> bool {
        self.texts("chat.postMessage").iter().chain(self.texts("chat.update").iter()).any(|t| t.contains(needle))
    }

    fn whispered_to(&self, user: &str) -> Vec<String> {
        self.fake.calls_of("chat.postEphemeral").iter().filter(|b| b["user"] == user).map(|b| b["text"].as_str().unwrap_or_default().to_string()).collect()
    }

    async fn stage(&self, thread_ts: &str) -> Stage {
        let thread = Thread { platform: "slack".into(), channel: "CGENERAL".into(), thread: thread_ts.into() };
        let id = self.host.request_for_thread(&thread).await.unwrap().expect("a request owns the thread");
        self.host.conversation(&id).await.unwrap().stage
    }

    fn assert_clean(&self) {
        assert_eq!(self.fake.violations(), Vec::<String>::new(), "Slack would have refused these payloads");
    }
}

#[tokio::test]
async fn slacks_known_answer_signature_is_reproduced_and_refused_as_stale() {
    let body = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
    assert_eq!(signature(SECRET, "1531420618", body), "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503");
    let w = World::new("known-answer").await;
    let headers = [("X-Slack-Request-Timestamp", "1531420618".to_string()), ("X-Slack-Signature", "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503".to_string())];
    let (status, _) = http_post(w.addr, COMMANDS_PATH, "application/x-www-form-urlencoded", &headers, body).await;
    assert_eq!(status, 401, "a correct signature from 2018 is a replay");
    // The same body signed now passes and is answered as a slash command (an empty one: help).
    let (status, answer) = signed(w.addr, COMMANDS_PATH, SECRET, now(), "application/x-www-form-urlencoded", body, &[]).await;
    assert_eq!(status, 200);
    assert!(answer.contains("ephemeral") && answer.contains("plain words"), "{answer}");
}

#[tokio::test]
async fn forged_stale_and_unsigned_requests_get_401_and_change_nothing() {
    let w = World::new("forged").await;
    let ev = event_body("EvForged", json!({"type": "app_mention", "user": "UDANA", "text": "<@UBOT> a staging web app", "ts": "1.1", "channel": "CGENERAL", "event_ts": "1.1"})).to_string();
    let forged = signed(w.addr, EVENTS_PATH, "not-the-secret", now(), "application/json", &ev, &[]).await;
    let stale = signed(w.addr, EVENTS_PATH, SECRET, now() - 301, "application/json", &ev, &[]).await;
    let future = signed(w.addr, EVENTS_PATH, SECRET, now() + 301, "application/json", &ev, &[]).await;
    let unsigned = http_post(w.addr, EVENTS_PATH, "application/json", &[], &ev).await;
    // A valid signature over a different body (the body was changed in transit).
    let ts = now().to_string();
    let tampered = http_post(w.addr, EVENTS_PATH, "application/json", &[("X-Slack-Request-Timestamp", ts.clone()), ("X-Slack-Signature", signature(SECRET, &ts, "{}"))], &ev).await;
    let press = signed(w.addr, INTERACTIVITY_PATH, "wrong", now(), "application/x-www-form-urlencoded", &interaction_body(&press_payload("UDANA", "paved:approve:req-10001:1", "C1", "1.1", None, "t")), &[]).await;
    for (what, (status, _)) in [("forged", forged), ("stale", stale), ("future", future), ("unsigned", unsigned), ("tampered", tampered), ("forged press", press)] {
        assert_eq!(status, 401, "{what}");
    }
    w.settle().await;
    let methods: Vec<String> = w.fake.calls().into_iter().map(|c| c.method).collect();
    assert_eq!(methods, vec!["auth.test".to_string()], "nothing happened beyond signing in");
    let thread = Thread { platform: "slack".into(), channel: "CGENERAL".into(), thread: "1.1".into() };
    assert_eq!(w.host.request_for_thread(&thread).await.unwrap(), None);
}

#[tokio::test]
async fn url_verification_echoes_the_challenge() {
    let w = World::new("challenge").await;
    let body = json!({"token": "x", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P", "type": "url_verification"}).to_string();
    let (status, answer) = signed(w.addr, EVENTS_PATH, SECRET, now(), "application/json", &body, &[]).await;
    assert_eq!(status, 200);
    assert_eq!(serde_json::from_str::<Value>(&answer).unwrap()["challenge"], "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P");
}

#[tokio::test]
async fn an_approved_request_is_planned_audited_deployed_in_its_thread() {
    let w = World::new("approved").await;
    w.mention("UDANA", "a staging web app with postgres", "100.000001").await;
    assert_eq!(w.stage("100.000001").await, Stage::Planned);
    // Every card went into the mention's thread.
    assert!(w.fake.calls_of("chat.postMessage").iter().all(|b| b["thread_ts"] == "100.000001"));
    assert!(w.posted("Here is what I understood") && w.posted("Plan v1"));
    let (status, body) = w.press("UDANA", "paved:approve:", "trig-1").await;
    assert_eq!((status, body.as_str()), (200, ""));
    assert_eq!(w.stage("100.000001").await, Stage::Completed);
    assert!(w.posted("Audit: "), "the audit card");
    assert!(w.posted("Deployed req-"), "the summary card");
    assert!(w.posted("Finished req-"), "the progress message reached its final state");
    // Progress is one message: created once, then edited.
    let progress_posts = w.fake.calls_of("chat.postMessage").iter().filter(|b| b["text"].as_str().unwrap_or_default().contains("req-") && (b["text"].as_str().unwrap_or_default().starts_with("Deploying") || b["text"].as_str().unwrap_or_default().starts_with("Finished"))).count();
    assert_eq!(progress_posts, 1);
    w.assert_clean();
}

#[tokio::test]
async fn vetoed_and_auto_fixed_plans_are_shown_in_the_thread() {
    let w = World::with_policies("fixes", Some(support::policies_with_rules("slack-fixes", support::EXTRA_RULES))).await;
    w.mention("UDANA", "a staging web app with mysql", "150.000001").await;
    w.press("UDANA", "paved:approve:", "trig-v").await;
    assert_eq!(w.stage("150.000001").await, Stage::Vetoed);
    assert!(w.posted("VETOED"), "{:?}", w.texts("chat.postMessage"));
    assert!(w.posted("Use PostgreSQL"), "{:?}", w.texts("chat.postMessage"));
    w.mention("UDANA", "a staging web app with postgres", "151.000001").await;
    w.press("UDANA", "paved:approve:", "trig-f").await;
    assert_eq!(w.stage("151.000001").await, Stage::Completed);
    assert!(w.posted("AUTO-FIXED"), "{:?}", w.texts("chat.postMessage"));
    w.assert_clean();
}

#[tokio::test]
async fn warnings_are_shown_and_the_request_still_deploys() {
    let w = World::new("warnings").await;
    w.mention("UDANA", "a development web app using Deno instead of Node.js", "101.000001").await;
    w.press("UDANA", "paved:approve:", "trig-w").await;
    assert_eq!(w.stage("101.000001").await, Stage::Completed);
    assert!(w.posted("warning") || w.posted("WARNING"), "{:?}", w.texts("chat.postMessage"));
    w.assert_clean();
}

#[tokio::test]
async fn an_escalation_goes_to_the_roles_channel_and_only_approvers_can_approve() {
    let w = World::new("escalated").await;
    w.mention("UDANA", FINANCE_REQUEST, "200.000001").await;
    w.press("UDANA", "paved:approve:", "trig-2").await;
    assert_eq!(w.stage("200.000001").await, Stage::Escalated);
    let escalation = w.fake.calls_of("chat.postMessage").into_iter().find(|b| b["channel"] == "#approvals").expect("posted in the role's channel");
    assert!(escalation.get("thread_ts").is_none());
    assert!(escalation["text"].as_str().unwrap().contains("finance_manager"));
    // The requester's thread links to it.
    assert!(w.fake.calls_of("chat.postMessage").iter().any(|b| b["thread_ts"] == "200.000001" && b["text"].as_str().unwrap_or_default().contains("https://acme.slack.com/archives/CAPPROVALS/")));
    // Someone outside the role is told privately; the requester may not approve herself.
    w.press("UEVE", "paved:grant:", "trig-3").await;
    assert!(w.whispered_to("UEVE").iter().any(|t| t.contains("not an approver")), "{:?}", w.whispered_to("UEVE"));
    w.press("UDANA", "paved:grant:", "trig-4").await;
    assert!(w.whispered_to("UDANA").iter().any(|t| t.contains("your own request")));
    assert_eq!(w.stage("200.000001").await, Stage::Escalated);
    // A member of the finance user group approves.
    w.press("UGINA", "paved:grant:", "trig-5").await;
    assert_eq!(w.stage("200.000001").await, Stage::Completed, "{:?}", w.whispered_to("UGINA"));
    assert!(w.fake.calls_of("usergroups.users.list").iter().any(|b| b["usergroup"] == "SFINANCE"));
    // A late press is refused, privately.
    w.press("UFRANK", "paved:grant:", "trig-6").await;
    assert!(w.whispered_to("UFRANK").iter().any(|t| t.contains("closed")));
    w.assert_clean();
}

#[tokio::test]
async fn an_escalation_rejected_by_an_approver_deploys_nothing() {
    let w = World::new("rejected").await;
    w.mention("UDANA", FINANCE_REQUEST, "300.000001").await;
    w.press("UDANA", "paved:approve:", "trig-7").await;
    // The requester may not reject their own request: refused privately, no form, recorded.
    w.press("UDANA", "paved:reject:", "trig-own").await;
    assert!(w.whispered_to("UDANA").iter().any(|t| t.contains("own request")), "{:?}", w.whispered_to("UDANA"));
    assert!(w.fake.calls_of("views.open").is_empty());
    // An approver's Reject asks for the reason first; nothing is decided until it is sent.
    w.press("UFRANK", "paved:reject:", "trig-8").await;
    let open = w.fake.calls_of("views.open");
    assert_eq!(open.len(), 1);
    assert_eq!(open[0]["trigger_id"], "trig-8");
    assert_eq!(w.stage("300.000001").await, Stage::Escalated);
    let view = &open[0]["view"];
    let submission = view_submission("UFRANK", view, "h-reject", "reason", "over this quarter's budget");
    let (status, answer) = w.interact(submission).await;
    assert_eq!((status, answer.as_str()), (200, ""));
    assert_eq!(w.stage("300.000001").await, Stage::Rejected);
    assert!(w.posted("Rejected by frank as finance_manager"), "{:?}", w.texts("chat.postMessage"));
    assert!(w.posted("over this quarter"), "the reason reaches the thread: {:?}", w.texts("chat.postMessage"));
    let id = w.host.request_for_thread(&paved_bot::engine::Thread { platform: "slack".into(), channel: "CGENERAL".into(), thread: "300.000001".into() }).await.unwrap().unwrap();
    let trail: Vec<String> = w.db.request_trail(&id).await.unwrap().into_iter().map(|r| r.kind).collect();
    assert_eq!(trail.iter().filter(|k| *k == "event.refused").count(), 1, "{trail:?}");
    w.assert_clean();
}

#[tokio::test]
async fn an_unanswered_escalation_expires() {
    let w = World::new("expired").await;
    w.mention("UDANA", FINANCE_REQUEST, "310.000001").await;
    w.press("UDANA", "paved:approve:", "trig-e").await;
    assert_eq!(w.stage("310.000001").await, Stage::Escalated);
    w.db.clock().advance(Duration::from_secs(61 * 60));
    w.host.expire_escalations().await.unwrap();
    w.settle().await;
    assert_eq!(w.stage("310.000001").await, Stage::Expired);
    assert!(w.posted("expired"));
}

#[tokio::test]
async fn modify_opens_a_modal_whose_submission_makes_plan_v2() {
    let w = World::new("modify").await;
    w.mention("UDANA", "a production web app with postgres and redis", "400.000001").await;
    w.press("UDANA", "paved:modify:", "trig-modify").await;
    let open = w.fake.calls_of("views.open");
    assert_eq!(open.len(), 1);
    assert_eq!(open[0]["trigger_id"], "trig-modify");
    let view = &open[0]["view"];
    let submission = |text: &str| view_submission("UDANA", view, &format!("h-{}", text.len()), "instruction", text);
    // An empty instruction keeps the modal open with the reason beside the input.
    let (status, answer) = w.interact(submission("  ")).await;
    assert_eq!(status, 200);
    let answer: Value = serde_json::from_str(&answer).unwrap();
    assert_eq!(answer["response_action"], "errors");
    assert!(answer["errors"]["instruction"].as_str().unwrap().contains("Say what to change"));
    let (status, answer) = w.interact(submission("no redis")).await;
    assert_eq!((status, answer.as_str()), (200, ""));
    assert!(w.posted("Plan v2"), "{:?}", w.texts("chat.postMessage"));
    assert!(w.posted("removed aws_elasticache_replication_group"));
    // The old plan's buttons are stale now.
    let (action, channel, ts, thread) = w.button("paved:approve:");
    assert!(action.ends_with(":2"));
    let old = action.replace(":2", ":1");
    w.interact(press_payload("UDANA", &old, &channel, &ts, thread.as_deref(), "trig-old")).await;
    assert!(w.whispered_to("UDANA").iter().any(|t| t.contains("current plan is v2")));
    w.assert_clean();
}

#[tokio::test]
async fn a_clarifying_question_is_answered_in_the_thread() {
    let w = World::new("clarify").await;
    w.mention("UDANA", "hello, can you help", "500.000001").await;
    assert_eq!(w.stage("500.000001").await, Stage::NeedsClarification);
    assert!(w.posted("A few questions first"));
    // Someone else's reply does not steer the request; the requester's does.
    w.reply("UEVE", "500.000001", "a huge ML cluster", "500.000002").await;
    assert_eq!(w.stage("500.000001").await, Stage::NeedsClarification);
    w.reply("UDANA", "500.000001", "a staging web app with mysql", "500.000003").await;
    assert_eq!(w.stage("500.000001").await, Stage::Planned);
    assert!(w.posted("Plan v1"));
    w.assert_clean();
}

#[tokio::test]
async fn cancel_is_the_requesters_alone() {
    let w = World::new("cancel").await;
    w.mention("UDANA", "a staging web app", "600.000001").await;
    w.press("UEVE", "paved:cancel:", "trig-c1").await;
    assert!(w.whispered_to("UEVE").iter().any(|t| t.contains("Only dana")), "{:?}", w.whispered_to("UEVE"));
    w.press("UDANA", "paved:cancel:", "trig-c2").await;
    assert_eq!(w.stage("600.000001").await, Stage::Cancelled);
    assert!(w.posted("Nothing was deployed"));
}

#[tokio::test]
async fn retried_and_repeated_deliveries_are_handled_once() {
    let w = World::new("dupes").await;
    let ev = json!({"type": "app_mention", "user": "UDANA", "text": "<@UBOT> a staging web app", "ts": "700.000001", "channel": "CGENERAL", "event_ts": "700.000001"});
    assert_eq!(w.event("EvDup", ev.clone(), &[]).await.0, 200);
    assert_eq!(w.event("EvDup", ev.clone(), &[("X-Slack-Retry-Num", "1".into()), ("X-Slack-Retry-Reason", "http_timeout".into())]).await.0, 200);
    assert_eq!(w.event("EvDup", ev, &[("X-Slack-Retry-Num", "2".into())]).await.0, 200);
    w.settle().await;
    let plans = w.fake.calls_of("chat.postMessage").iter().filter(|b| b["text"].as_str().unwrap_or_default().starts_with("Plan v1")).count();
    assert_eq!(plans, 1, "one request, one plan card");
    // The same press delivered twice (same trigger id) is pressed once.
    let (action, channel, ts, thread) = w.button("paved:approve:");
    let payload = press_payload("UDANA", &action, &channel, &ts, thread.as_deref(), "trig-dup");
    w.interact(payload.clone()).await;
    w.interact(payload).await;
    assert_eq!(w.stage("700.000001").await, Stage::Completed);
    assert!(w.whispered_to("UDANA").is_empty(), "the duplicate was dropped, not refused: {:?}", w.whispered_to("UDANA"));
}

#[tokio::test]
async fn a_slash_command_starts_a_thread_the_channel_can_follow() {
    let w = World::new("command").await;
    let body = serde_urlencoded::to_string([
        ("token", "x"), ("team_id", "T1"), ("team_domain", "acme"), ("channel_id", "CPLATFORM"), ("channel_name", "platform"),
        ("user_id", "UDANA"), ("user_name", "dana"), ("command", "/paved"), ("text", "a staging web app with postgres"),
        ("response_url", &w.fake.response_url()), ("trigger_id", "trig-cmd"),
    ]).unwrap();
    let (status, answer) = signed(w.addr, COMMANDS_PATH, SECRET, now(), "application/x-www-form-urlencoded", &body, &[]).await;
    assert_eq!(status, 200);
    assert!(answer.contains("Planning"), "{answer}");
    w.settle().await;
    let posts = w.fake.calls_of("chat.postMessage");
    assert!(posts[0]["text"].as_str().unwrap().contains("<@UDANA> asked paved"));
    assert!(posts[0].get("thread_ts").is_none());
    assert!(posts[1..].iter().all(|b| b["thread_ts"] == "1700000001.000100"), "cards are in the anchor's thread");
    assert!(w.posted("Plan v1"));
}

#[tokio::test]
async fn a_429_is_waited_out_and_the_card_still_arrives() {
    let w = World::new("ratelimit").await;
    w.fake.rate_limit_once("chat.postMessage");
    w.mention("UDANA", "a staging web app", "800.000001").await;
    assert!(w.posted("Plan v1"));
    let first = w.fake.calls_of("chat.postMessage");
    assert_eq!(first[0]["text"], first[1]["text"], "the refused call was sent again");
}

#[tokio::test]
async fn a_large_plan_is_summarised_and_attached_as_a_file() {
    use paved_bot::engine::Card;
    use paved_bot::slack::blocks::{self, limits};
    let mut plan = paved_core::Plan {
        golden_path: Some("web-app".into()),
        golden_path_version: "1.0.0".into(),
        environment: paved_core::Environment::Production,
        region: "us-east-1".into(),
        resources: vec![],
        estimated_monthly_cost_usd: 12_345.0,
    };
    for i in 0..400 {
        let mut r = paved_core::Resource::new("aws_instance", &format!("worker_{i}"), paved_core::ResourceAction::Create);
        r.why = format!("worker {i} <of the fleet> & {}", "a long reason ".repeat(20));
        r.monthly_cost_usd = 30.0;
        plan.resources.push(r);
    }
    let card = Card::Plan { version: 3, plan, changes: (0..200).map(|i| format!("added aws_instance.worker_{i}")).collect(), intent: paved_core::Intent::empty() };
    let m = blocks::message(&card, "req-10042");
    assert!(m.blocks.len() <= limits::MESSAGE_BLOCKS);
    assert_eq!(blocks::violations(&json!({"text": m.text, "blocks": m.blocks})), Vec::<String>::new());
    let text = serde_json::to_string(&m.blocks).unwrap();
    assert!(text.contains("375 more resources"), "{text}");
    assert!(text.contains("&lt;of the fleet&gt; &amp;"), "mrkdwn is escaped");
    let file = m.attachment.expect("the full plan is attached");
    assert!(file.content.contains("aws_instance.worker_399"));
    // Through the fake: the card and the file land in the thread.
    let w = World::new("large").await;
    let api = w.slack.api();
    let message = blocks::message(&card, "req-10042");
    api.post_message("CGENERAL", Some("900.000001"), &message).await.unwrap();
    let complete = w.fake.calls_of("files.completeUploadExternal");
    assert_eq!(complete.len(), 1);
    assert_eq!(complete[0]["thread_ts"], "900.000001");
    assert!(w.fake.calls().iter().any(|c| c.method == "upload:F1" && c.body.as_str().unwrap().contains("worker_399")));
    w.assert_clean();
}

#[tokio::test]
async fn socket_mode_receives_envelopes_and_acknowledges_them() {
    let w = World::new("socket").await;
    let socket = paved_bot::slack::socket::SocketMode::start(w.slack.clone(), &Secret::new("xapp-1-A1-test"), 1).await.unwrap();
    w.fake.wait_for("the WebSocket", |_, _| true).await;
    let fake = w.fake.clone();
    // Wait for the connection the listener opened after apps.connections.open.
    w.fake.wait_for("apps.connections.open", |calls, _| calls.iter().any(|c| c.method == "apps.connections.open")).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !fake.socket_open() {
        assert!(tokio::time::Instant::now() < deadline, "no Socket Mode connection");
        tokio::task::yield_now().await;
    }
    let event = event_body("EvSock1", json!({"type": "app_mention", "user": "UDANA", "text": "<@UBOT> a staging web app", "ts": "950.000001", "channel": "CGENERAL", "event_ts": "950.000001"}));
    w.fake.send_envelope(json!({"envelope_id": "env-1", "type": "events_api", "accepts_response_payload": false, "retry_attempt": 0, "retry_reason": "", "payload": event}));
    w.fake.wait_for("the ack of env-1", |_, acks| acks.iter().any(|a| a["envelope_id"] == "env-1")).await;
    w.fake.wait_for("the plan card", |calls, _| calls.iter().any(|c| c.method == "chat.postMessage" && c.body["text"].as_str().unwrap_or_default().starts_with("Plan v1"))).await;
    w.settle().await;
    let command = json!({"token": "x", "team_id": "T1", "team_domain": "acme", "channel_id": "CPLATFORM", "channel_name": "platform", "user_id": "UDANA", "user_name": "dana", "command": "/paved", "text": "", "response_url": w.fake.response_url(), "trigger_id": "t"});
    w.fake.send_envelope(json!({"envelope_id": "env-2", "type": "slash_commands", "accepts_response_payload": true, "payload": command}));
    w.fake.wait_for("the ack of env-2", |_, acks| acks.iter().any(|a| a["envelope_id"] == "env-2")).await;
    let ack = w.fake.acks().into_iter().find(|a| a["envelope_id"] == "env-2").unwrap();
    assert!(ack["payload"]["text"].as_str().unwrap().contains("plain words"), "{ack}");
    socket.shutdown().await;
    w.assert_clean();
}
