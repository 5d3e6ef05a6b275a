//! The conversation engine's decisions, driven with the real understander, planner and audit
//! (no database, no chat): every decision path and every authorisation rule.

use paved_audit::{AuditContext, Auditor, Guardrails};
use paved_bot::engine::{Button, Card, Conversation, Directory, Effect, Engine, Event, Role, Stage, Step, Thread, User};
use paved_bot::pipeline::Pipeline;
use paved_core::Decision;
use paved_planner::{Catalog, PlanningContext};

fn user(id: &str) -> User {
    User { id: id.into(), name: id.trim_start_matches("U-").into() }
}

fn directory() -> Directory {
    let mut d = Directory { escalation_ttl_minutes: 60, ..Directory::default() };
    let role = |users: &[&str], required| Role {
        users: users.iter().map(|u| u.to_string()).collect(),
        groups: vec!["G-finance".into()].into_iter().filter(|_| users.contains(&"U-fiona")).collect(),
        channel: "#approvals".into(),
        required,
    };
    d.roles.insert("finance_manager".into(), role(&["U-fiona", "U-frank", "U-alice"], 1));
    d.roles.insert("cfo".into(), role(&["U-carol", "U-cecil"], 2));
    d.roles.insert("change_manager".into(), role(&["U-max"], 1));
    d
}

struct World {
    catalog: Catalog,
    guardrails: Guardrails,
    directory: Directory,
}

impl World {
    fn new() -> World {
        World { catalog: Catalog::shipped(), guardrails: Guardrails::shipped(), directory: directory() }
    }

    fn engine(&self) -> Engine<'_> {
        Engine::new(Pipeline::new(&self.catalog), &self.directory)
    }

    fn start(&self, requester: &str, text: &str) -> (Conversation, Vec<Effect>) {
        self.engine()
            .start("req-1", user(requester), Thread { platform: "test".into(), ..Thread::default() }, text, &PlanningContext::default())
            .unwrap()
    }

    /// Handles an event; on `Effect::Audit` runs the real audit and feeds its verdict back, as
    /// the host does through the queue.
    fn step(&self, c: &Conversation, event: Event, now: i64) -> Step {
        let step = self.engine().handle(c, &event, now, &PlanningContext::default());
        match step {
            Step::Next { conversation, effects } if effects.contains(&Effect::Audit) => {
                let verdict = self.audit(&conversation);
                let version = conversation.current_version();
                let next = self.engine().handle(&conversation, &Event::Verdict { version, verdict }, now, &PlanningContext::default());
                match next {
                    Step::Next { conversation, effects: more } => Step::Next { conversation, effects: effects.into_iter().chain(more).collect() },
                    refused => refused,
                }
            }
            other => other,
        }
    }

    fn audit(&self, c: &Conversation) -> paved_core::Verdict {
        let ctx = AuditContext { confirmed_deletion: c.deletion_confirmed, change_ticket: c.change_ticket.clone(), ..AuditContext::default() };
        Auditor::new(&self.catalog, &self.guardrails).audit(&c.audit_text(), &c.current().unwrap().plan, &ctx)
    }
}

fn next(step: Step) -> (Conversation, Vec<Effect>) {
    match step {
        Step::Next { conversation, effects } => (conversation, effects),
        Step::Refused { reason, .. } => panic!("refused: {reason}"),
    }
}

fn refused(step: Step) -> String {
    match step {
        Step::Refused { reason, .. } => reason,
        Step::Next { conversation, .. } => panic!("expected a refusal, went on to {:?}", conversation.stage),
    }
}

fn press(by: &str, button: Button, version: i64) -> Event {
    Event::Pressed { user: user(by), groups: vec![], button, version }
}

fn notices(effects: &[Effect]) -> Vec<String> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Post(Card::Notice { text }) => Some(text.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn an_approved_plan_deploys_and_completes() {
    let w = World::new();
    let (c, effects) = w.start("U-dana", "a staging web app with postgres");
    assert_eq!(c.stage, Stage::Planned);
    assert!(matches!(effects[0], Effect::Post(Card::Understanding { .. })));
    assert!(matches!(effects[1], Effect::Post(Card::Plan { version: 1, .. })));
    let (c, effects) = next(w.step(&c, press("U-dana", Button::Approve, 1), 0));
    assert_eq!(c.stage, Stage::Executing);
    assert!(effects.contains(&Effect::Lock));
    assert!(effects.contains(&Effect::Execute));
    assert!(matches!(c.verdict.as_ref().unwrap().decision, Decision::Approved | Decision::ApprovedWithWarnings));
    let (c, effects) = next(w.step(&c, Event::Executed { completed: true, error: None, created: vec!["aws_vpc.main".into()], drift: vec![] }, 0));
    assert_eq!(c.stage, Stage::Completed);
    assert!(effects.contains(&Effect::Unlock));
    assert!(effects.iter().any(|e| matches!(e, Effect::Post(Card::Summary { .. }))));
}

#[test]
fn an_off_road_request_is_approved_with_a_warning() {
    let w = World::new();
    let (c, _) = w.start("U-dana", "a development web app using Deno instead of Node.js");
    let (c, effects) = next(w.step(&c, press("U-dana", Button::Approve, 1), 0));
    assert_eq!(c.verdict.as_ref().unwrap().decision, Decision::ApprovedWithWarnings);
    assert_eq!(c.stage, Stage::Executing);
    assert!(effects.iter().any(|e| matches!(e, Effect::Post(Card::Audit { .. }))));
}

#[test]
fn a_vetoed_plan_stops_and_can_be_modified() {
    let w = World::new();
    let (mut c, _) = w.start("U-dana", "a development web app with postgres");
    // Someone slips a bastion host open to the world into the stored plan.
    let plan = &mut c.plans.last_mut().unwrap().plan;
    let mut bastion = paved_core::Resource::new("aws_instance", "bastion", paved_core::ResourceAction::Create);
    bastion.values.insert("instance_type".into(), "t3.micro".into());
    plan.resources.push(bastion);
    let (c, effects) = next(w.step(&c, press("U-dana", Button::Approve, 1), 0));
    assert_eq!(c.stage, Stage::Vetoed);
    assert!(effects.contains(&Effect::Unlock));
    assert!(!effects.contains(&Effect::Execute));
    assert!(c.reason.as_deref().unwrap().contains("bastion"), "{:?}", c.reason);
    // Approve no longer applies; Modify makes a clean plan version 2.
    assert!(refused(w.step(&c, press("U-dana", Button::Approve, 1), 0)).contains("no longer applies"));
    let (c, effects) = next(w.step(&c, Event::Modified { user: user("U-dana"), instruction: "use db.t3.small".into(), version: 1 }, 0));
    assert_eq!(c.stage, Stage::Planned);
    assert_eq!(c.current_version(), 2);
    assert!(effects.iter().any(|e| matches!(e, Effect::Post(Card::Plan { version: 2, .. }))));
}

#[test]
fn modify_makes_a_new_version_and_says_what_changed() {
    let w = World::new();
    let (c, _) = w.start("U-dana", "a production web app with postgres and redis");
    assert!(c.intent.components.iter().any(|x| x.as_str() == "redis"));
    let (c, effects) = next(w.step(&c, Event::Modified { user: user("U-dana"), instruction: "no redis".into(), version: 1 }, 0));
    assert_eq!(c.current_version(), 2);
    assert!(!c.intent.components.iter().any(|x| x.as_str() == "redis"));
    let changes = effects
        .iter()
        .find_map(|e| match e {
            Effect::Post(Card::Plan { changes, .. }) => Some(changes.clone()),
            _ => None,
        })
        .unwrap();
    assert!(changes.iter().any(|ch| ch.starts_with("removed aws_elasticache_replication_group")), "{changes:?}");
    assert!(changes.iter().any(|ch| ch.starts_with("monthly cost")), "{changes:?}");
    // The old version's buttons are stale now.
    assert!(refused(w.step(&c, press("U-dana", Button::Approve, 1), 0)).contains("v2"));
    // Only the requester may change the plan.
    assert!(refused(w.step(&c, Event::Modified { user: user("U-eve"), instruction: "add redis".into(), version: 2 }, 0)).contains("requester"));
}

#[test]
fn cancel_ends_the_request_and_a_second_press_is_refused() {
    let w = World::new();
    let (c, _) = w.start("U-dana", "a staging web app");
    assert!(refused(w.step(&c, press("U-eve", Button::Cancel, 1), 0)).contains("Only dana"));
    let (c, effects) = next(w.step(&c, press("U-dana", Button::Cancel, 1), 0));
    assert_eq!(c.stage, Stage::Cancelled);
    assert!(notices(&effects)[0].contains("Nothing was deployed"));
    assert!(refused(w.step(&c, press("U-dana", Button::Approve, 1), 0)).contains("cancelled"));
}

#[test]
fn a_double_approve_runs_the_audit_once() {
    let w = World::new();
    let (c, _) = w.start("U-dana", "a staging web app");
    let (c, _) = next(w.engine().handle(&c, &press("U-dana", Button::Approve, 1), 0, &PlanningContext::default()));
    assert_eq!(c.stage, Stage::Auditing);
    assert!(refused(w.engine().handle(&c, &press("U-dana", Button::Approve, 1), 0, &PlanningContext::default())).contains("auditing"));
}

#[test]
fn clarifying_questions_are_asked_and_answered() {
    let w = World::new();
    let (c, effects) = w.start("U-dana", "hello, can you help");
    assert_eq!(c.stage, Stage::NeedsClarification);
    assert!(c.plans.is_empty());
    assert!(matches!(&effects[0], Effect::Post(Card::Understanding { intent }) if !intent.clarifications.is_empty()));
    // Someone else's message does not steer the request.
    let (c, effects) = next(w.step(&c, Event::Said { user: user("U-eve"), text: "a huge ML cluster".into() }, 0));
    assert_eq!(c.stage, Stage::NeedsClarification);
    assert!(effects.is_empty());
    let (c, _) = next(w.step(&c, Event::Said { user: user("U-dana"), text: "a staging web app with mysql".into() }, 0));
    assert_eq!(c.stage, Stage::Planned);
    assert_eq!(c.intent.environment.as_str(), "staging");
}

/// A production request big enough to need finance (over $5,000) and under the CFO's limit.
const FINANCE_REQUEST: &str = "a production web app with postgres using db.r5.8xlarge";

#[test]
fn an_escalation_is_approved_by_the_right_role_only() {
    let w = World::new();
    let (c, _) = w.start("U-alice", FINANCE_REQUEST);
    let cost = c.current().unwrap().plan.estimated_monthly_cost_usd;
    assert!(cost > 5000.0 && cost <= 10000.0, "the request should cost between $5,000 and $10,000, not {cost}");
    let (c, effects) = next(w.step(&c, press("U-alice", Button::Approve, 1), 1_000));
    assert_eq!(c.stage, Stage::Escalated);
    assert_eq!(c.verdict.as_ref().unwrap().approvers, vec!["finance_manager".to_string()]);
    assert!(effects.iter().any(|e| matches!(e, Effect::PostToRole { role, .. } if role == "finance_manager")));
    assert_eq!(c.escalation_expires_at_ms, Some(1_000 + 60 * 60_000));

    let grant = |by: &str| press(by, Button::Grant { role: "finance_manager".into() }, 1);
    // The requester is a finance manager too, but may not approve her own request.
    assert!(refused(w.step(&c, grant("U-alice"), 0)).contains("your own request"));
    assert!(refused(w.step(&c, grant("U-eve"), 0)).contains("not an approver"));
    assert!(refused(w.step(&c, press("U-carol", Button::Grant { role: "cfo".into() }, 1), 0)).contains("not escalated to cfo"));
    assert!(refused(w.step(&c, press("U-fiona", Button::Grant { role: "finance_manager".into() }, 0), 0)).contains("v1"));
    let (c, effects) = next(w.step(&c, grant("U-fiona"), 0));
    assert_eq!(c.stage, Stage::Executing);
    assert!(effects.contains(&Effect::Execute));
    assert_eq!(c.approvals.len(), 1);
    assert_eq!(c.approvals[0].plan_hash, c.current().unwrap().hash);
    // The escalation is closed: a late press is refused.
    assert!(refused(w.step(&c, grant("U-frank"), 0)).contains("closed"));
}

#[test]
fn platform_groups_define_role_membership() {
    let w = World::new();
    let (c, _) = w.start("U-dana", FINANCE_REQUEST);
    let (c, _) = next(w.step(&c, press("U-dana", Button::Approve, 1), 0));
    let by_group = Event::Pressed { user: user("U-gina"), groups: vec!["G-finance".into()], button: Button::Grant { role: "finance_manager".into() }, version: 1 };
    let (c, _) = next(w.step(&c, by_group, 0));
    assert_eq!(c.stage, Stage::Executing);
}

#[test]
fn an_escalation_can_be_rejected_with_a_reason() {
    let w = World::new();
    let (c, _) = w.start("U-dana", FINANCE_REQUEST);
    let (c, _) = next(w.step(&c, press("U-dana", Button::Approve, 1), 0));
    let reject = press("U-frank", Button::Reject { role: "finance_manager".into(), reason: Some("not in this quarter's budget".into()) }, 1);
    let (c, effects) = next(w.step(&c, reject, 0));
    assert_eq!(c.stage, Stage::Rejected);
    assert!(effects.contains(&Effect::Unlock));
    assert!(notices(&effects)[0].contains("not in this quarter's budget"));
}

#[test]
fn the_cfo_needs_two_of_two_and_escalations_expire() {
    let w = World::new();
    let (c, _) = w.start("U-dana", "a production web app with postgres using db.r5.16xlarge");
    let cost = c.current().unwrap().plan.estimated_monthly_cost_usd;
    assert!(cost > 10000.0, "{cost}");
    let (c, _) = next(w.step(&c, press("U-dana", Button::Approve, 1), 0));
    assert_eq!(c.stage, Stage::Escalated);
    assert!(c.verdict.as_ref().unwrap().approvers.contains(&"cfo".to_string()));
    let cfo = |by: &str| press(by, Button::Grant { role: "cfo".into() }, 1);
    let (c, effects) = next(w.step(&c, cfo("U-carol"), 0));
    assert_eq!(c.stage, Stage::Escalated, "one of two CFO approvals is not enough");
    assert!(notices(&effects).iter().any(|n| n.contains("Still waiting for") && n.contains("cfo")));
    assert!(refused(w.step(&c, cfo("U-carol"), 0)).contains("already approved"));
    // Before the deadline nothing happens; after it, the escalation expires.
    let (c2, effects) = next(w.step(&c, Event::Tick, 59 * 60_000));
    assert_eq!(c2.stage, Stage::Escalated);
    assert!(effects.is_empty());
    let (c, effects) = next(w.step(&c, Event::Tick, 60 * 60_000));
    assert_eq!(c.stage, Stage::Expired);
    assert!(notices(&effects)[0].contains("expired"));
}

#[test]
fn a_failed_deployment_offers_rollback_and_a_rollback_finishes() {
    let w = World::new();
    let (c, _) = w.start("U-dana", "a staging web app");
    let (c, _) = next(w.step(&c, press("U-dana", Button::Approve, 1), 0));
    let (c, effects) = next(w.step(&c, Event::Executed { completed: false, error: Some("the database failed to start".into()), created: vec!["aws_vpc.main".into()], drift: vec![] }, 0));
    assert_eq!(c.stage, Stage::Failed);
    assert!(effects.iter().any(|e| matches!(e, Effect::Post(Card::Failure { error, .. }) if error.contains("database"))));
    let (c, _) = next(w.step(&c, Event::RolledBack { completed: true, error: None, deleted: vec!["aws_vpc.main".into()] }, 0));
    assert_eq!(c.stage, Stage::RolledBack);
}

#[test]
fn a_deletion_waits_for_the_requester_to_type_its_name() {
    let w = World::new();
    let (c, _) = w.start("U-dana", "Delete the staging environment of payment-service");
    assert_eq!(c.stage, Stage::Planned, "{:?}", c.intent.clarifications);
    let (c, effects) = next(w.step(&c, press("U-dana", Button::Approve, 1), 0));
    assert_eq!(c.stage, Stage::Escalated);
    assert!(notices(&effects).iter().any(|n| n.contains("`payment-service`")), "{:?}", notices(&effects));
    assert!(refused(w.step(&c, Event::Said { user: user("U-dana"), text: "yes".into() }, 0)).contains("payment-service"));
    let (c, _) = next(w.step(&c, Event::Said { user: user("U-dana"), text: "payment-service".into() }, 0));
    assert!(c.deletion_confirmed);
    assert_eq!(c.stage, Stage::Executing, "{:?}", c.verdict.as_ref().map(|v| &v.findings));
}
