//! The engine's decisions: given a conversation and an event, the next conversation and what
//! must happen (cards to show, messages to the audit or the executor). Pure: no I/O, no clock
//! (the time comes in with the event), so every path is tested without a database or a chat.

use paved_core::{Action, Approval, Decision, Plan, Verdict, canonical};
use paved_planner::PlanningContext;

use super::card::Card;
use super::directory::Directory;
use super::model::{Conversation, PlanVersion, Stage, Thread, User};
use crate::pipeline::Pipeline;

/// The buttons of the cards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Button {
    Approve,
    Modify,
    Cancel,
    /// An approver's yes, in the named role.
    Grant { role: String },
    /// An approver's no, in the named role, with an optional reason.
    Reject { role: String, reason: Option<String> },
}

/// Something that happened to a conversation. Events and steps live for one decision, so their
/// size difference between variants costs nothing worth a box.
#[derive(Debug, Clone, PartialEq)]
#[allow(clippy::large_enum_variant)]
pub enum Event {
    /// The requester wrote in the thread (an answer, a change ticket, a confirmation, a change).
    Said { user: User, text: String },
    /// A button was pressed on a card of plan version `version`. `groups` are the platform
    /// groups the adapter verified the user belongs to.
    Pressed { user: User, groups: Vec<String>, button: Button, version: i64 },
    /// The Modify form was submitted for plan version `version`.
    Modified { user: User, instruction: String, version: i64 },
    /// The audit's verdict arrived; the host verified its signature and binding first.
    Verdict { version: i64, verdict: Verdict },
    /// The executor finished applying the plan.
    Executed { completed: bool, error: Option<String>, created: Vec<String>, drift: Vec<String> },
    /// The executor finished a rollback.
    RolledBack { completed: bool, error: Option<String>, deleted: Vec<String> },
    /// Time passed (escalations expire).
    Tick,
}

impl Event {
    /// The kind of event, as the audit trail records it.
    pub fn kind(&self) -> &'static str {
        match self {
            Event::Said { .. } => "message",
            Event::Pressed { .. } => "button_press",
            Event::Modified { .. } => "modify",
            Event::Verdict { .. } => "verdict",
            Event::Executed { .. } => "deployment_finished",
            Event::RolledBack { .. } => "rollback_finished",
            Event::Tick => "tick",
        }
    }
}

/// What must happen after a decision. The host stores these with the new conversation state, in
/// the same transaction (the outbox), and carries them out after the commit.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum Effect {
    /// Show a card in the conversation's thread.
    Post(Card),
    /// Show a card in the channel of an approver role.
    PostToRole { role: String, card: Card },
    /// Tell one user something only they see.
    Whisper { user: String, text: String },
    /// Ask the audit to judge the current plan version.
    Audit,
    /// Hand the approved plan to the executor.
    Execute,
    /// Take the change lock for the conversation's service/environment.
    Lock,
    /// Give the change lock back.
    Unlock,
}

/// The engine's answer to one event.
#[derive(Debug, Clone, PartialEq)]
#[allow(clippy::large_enum_variant)]
pub enum Step {
    /// The conversation moves on (or stays where it is) and these effects follow.
    Next { conversation: Conversation, effects: Vec<Effect> },
    /// The event is refused: nothing changes, the user is told why (ephemerally where the
    /// platform can), and the refusal is recorded.
    Refused { user: String, reason: String },
}

/// Turns conversations and events into decisions.
pub struct Engine<'a> {
    pipeline: Pipeline<'a>,
    directory: &'a Directory,
}

impl<'a> Engine<'a> {
    pub fn new(pipeline: Pipeline<'a>, directory: &'a Directory) -> Engine<'a> {
        Engine { pipeline, directory }
    }

    pub fn directory(&self) -> &Directory {
        self.directory
    }

    /// A new request: understand it, plan it, and show both cards (or ask).
    pub fn start(&self, request_id: &str, requester: User, thread: Thread, text: &str, ctx: &PlanningContext) -> Result<(Conversation, Vec<Effect>), String> {
        let text = crate::pipeline::check_request(text).map_err(|e| e.0)?;
        let intent = self.pipeline.understand(text);
        self.start_understood(request_id, requester, thread, text, intent, ctx)
    }

    /// A request whose intent paved made itself (an offered golden-path upgrade); `text` says it
    /// in words, for the cards, the trail and the audit, which reads the words on its own.
    pub fn start_understood(&self, request_id: &str, requester: User, thread: Thread, text: &str, intent: paved_core::Intent, ctx: &PlanningContext) -> Result<(Conversation, Vec<Effect>), String> {
        let mut conversation = Conversation {
            request_id: request_id.to_string(),
            requester,
            thread,
            stage: Stage::Received,
            words: vec![text.to_string()],
            intent,
            plans: Vec::new(),
            verdict: None,
            approvals: Vec::new(),
            escalation_expires_at_ms: None,
            change_ticket: None,
            deletion_confirmed: false,
            lock: None,
            reason: None,
            rolls_back: None,
            progress_message: None,
            upgrades: None,
        };
        conversation.change_ticket = conversation.intent.details.change_tickets.first().cloned();
        if conversation.intent.action == Action::Rollback {
            conversation.rolls_back = conversation.intent.details.request_ids.first().cloned();
        }
        let mut effects = Vec::new();
        self.replan(&mut conversation, None, ctx, &mut effects)?;
        Ok((conversation, effects))
    }

    /// Plans (again) from everything the requester has said, and shows the result.
    fn replan(&self, c: &mut Conversation, instruction: Option<&str>, ctx: &PlanningContext, effects: &mut Vec<Effect>) -> Result<(), String> {
        let out = self.pipeline.plan(c.intent.clone(), ctx).map_err(|e| e.0)?;
        c.intent = out.intent;
        effects.push(Effect::Post(Card::Understanding { intent: c.intent.clone() }));
        match out.plan {
            None => {
                c.stage = Stage::NeedsClarification;
            }
            Some(plan) => {
                let changes = c.current().map(|prev| diff(&prev.plan, &plan)).unwrap_or_default();
                let version = c.current_version() + 1;
                let hash = canonical::plan_hash(&plan);
                c.plans.push(PlanVersion { version, plan: plan.clone(), hash, instruction: instruction.map(str::to_string) });
                c.verdict = None;
                c.approvals.clear();
                c.stage = Stage::Planned;
                effects.push(Effect::Post(Card::Plan { version, plan, changes, intent: c.intent.clone() }));
            }
        }
        Ok(())
    }

    /// Decides what an event does to a conversation. `now_ms` is the time of the event.
    pub fn handle(&self, c: &Conversation, event: &Event, now_ms: i64, ctx: &PlanningContext) -> Step {
        let mut next = c.clone();
        let mut effects = Vec::new();
        match event {
            Event::Pressed { user, groups, button, version } => {
                if let Err(reason) = self.check_press(c, user, groups, button, *version) {
                    return Step::Refused { user: user.id.clone(), reason };
                }
                match button {
                    Button::Approve => {
                        next.stage = Stage::Auditing;
                        effects.push(Effect::Lock);
                        effects.push(Effect::Post(Card::Notice { text: format!("{} approved plan v{version}; the audit is checking it now.", user.name) }));
                        effects.push(Effect::Audit);
                    }
                    Button::Modify => {
                        // The adapter opens its form; the form's submission is `Event::Modified`.
                        return Step::Next { conversation: next, effects: vec![Effect::Post(Card::ModifyForm { version: *version })] };
                    }
                    Button::Cancel => {
                        next.stage = Stage::Cancelled;
                        next.reason = Some(format!("cancelled by {}", user.name));
                        effects.push(Effect::Unlock);
                        effects.push(Effect::Post(Card::Notice { text: format!("Cancelled by {}. Nothing was deployed.", user.name) }));
                    }
                    Button::Grant { role } => {
                        let hash = c.current().map(|p| p.hash.clone()).unwrap_or_default();
                        next.approvals.push(Approval { role: role.clone(), user: user.id.clone(), plan_hash: hash });
                        let missing = self.missing_approvals(&next);
                        effects.push(Effect::Post(Card::Notice { text: format!("{} approved as {role}.", user.name) }));
                        if missing.is_empty() {
                            next.stage = Stage::Executing;
                            next.escalation_expires_at_ms = None;
                            effects.push(Effect::Post(Card::Notice { text: "Every approval is in: deploying now.".into() }));
                            effects.push(Effect::Execute);
                        } else {
                            effects.push(Effect::Post(Card::Notice { text: format!("Still waiting for: {}.", missing.join(", ")) }));
                        }
                    }
                    Button::Reject { role, reason } => {
                        next.stage = Stage::Rejected;
                        let why = reason.clone().filter(|r| !r.trim().is_empty()).unwrap_or_else(|| "no reason given".into());
                        next.reason = Some(format!("rejected by {} ({role}): {why}", user.name));
                        next.escalation_expires_at_ms = None;
                        effects.push(Effect::Unlock);
                        effects.push(Effect::Post(Card::Notice { text: format!("Rejected by {} as {role}: {why}. Nothing was deployed.", user.name) }));
                    }
                }
            }
            Event::Modified { user, instruction, version } => {
                if user.id != c.requester.id {
                    return Step::Refused { user: user.id.clone(), reason: "Only the requester can change this plan.".into() };
                }
                if *version != c.current_version() {
                    return Step::Refused { user: user.id.clone(), reason: stale(*version, c.current_version()) };
                }
                if !matches!(c.stage, Stage::Planned | Stage::Vetoed) {
                    return Step::Refused { user: user.id.clone(), reason: format!("The plan can no longer be changed: the request is {}.", c.stage.as_str().replace('_', " ")) };
                }
                if let Err(reason) = self.modify(&mut next, instruction, ctx, &mut effects) {
                    return Step::Refused { user: user.id.clone(), reason };
                }
            }
            Event::Said { user, text } => {
                if user.id != c.requester.id {
                    // Others may talk in the thread; only the requester's words steer the request.
                    return Step::Next { conversation: next, effects };
                }
                match c.stage {
                    Stage::NeedsClarification => {
                        next.words.push(text.clone());
                        next.intent = self.pipeline.understand(&next.audit_text());
                        if let Err(reason) = self.replan(&mut next, None, ctx, &mut effects) {
                            return Step::Refused { user: user.id.clone(), reason };
                        }
                    }
                    Stage::Planned | Stage::Vetoed => {
                        if let Err(reason) = self.modify(&mut next, text, ctx, &mut effects) {
                            return Step::Refused { user: user.id.clone(), reason };
                        }
                    }
                    Stage::Escalated => {
                        let mut reaudit = false;
                        if next.change_ticket.is_none()
                            && let Some(ticket) = find_ticket(text)
                        {
                            next.change_ticket = Some(ticket.clone());
                            next.words.push(text.clone());
                            effects.push(Effect::Post(Card::Notice { text: format!("Change ticket {ticket} noted; the audit is checking the plan again.") }));
                            reaudit = true;
                        }
                        if !reaudit && needs_confirmation(c) && !next.deletion_confirmed {
                            let expected = confirmation_word(c);
                            if text.trim().eq_ignore_ascii_case(&expected) {
                                next.deletion_confirmed = true;
                                effects.push(Effect::Post(Card::Notice { text: format!("Deletion of {expected} confirmed; the audit is checking the plan again.") }));
                                reaudit = true;
                            } else {
                                return Step::Refused { user: user.id.clone(), reason: format!("To confirm the deletion, type exactly `{expected}`.") };
                            }
                        }
                        if reaudit {
                            // The same plan, asked again with what the audit was waiting for: a
                            // new version, so that the new verdict binds to its own version.
                            if let Some(current) = next.current().cloned() {
                                next.plans.push(PlanVersion { version: current.version + 1, instruction: Some(text.clone()), ..current });
                            }
                            next.stage = Stage::Auditing;
                            next.verdict = None;
                            next.approvals.clear();
                            effects.push(Effect::Audit);
                        }
                    }
                    _ => {}
                }
            }
            Event::Verdict { version, verdict } => {
                if *version != c.current_version() || c.stage != Stage::Auditing {
                    // A verdict on an older version, or a duplicate: it changes nothing.
                    return Step::Next { conversation: next, effects };
                }
                next.verdict = Some(verdict.clone());
                effects.push(Effect::Post(Card::Audit { verdict: verdict.clone() }));
                match verdict.decision {
                    Decision::Approved | Decision::ApprovedWithWarnings | Decision::AutoFixed => {
                        next.stage = Stage::Executing;
                        effects.push(Effect::Execute);
                    }
                    Decision::Vetoed => {
                        next.stage = Stage::Vetoed;
                        next.reason = verdict.findings.iter().find(|f| f.outcome == paved_core::Outcome::Veto).map(|f| f.message.clone());
                        effects.push(Effect::Unlock);
                    }
                    Decision::Escalated => {
                        next.stage = Stage::Escalated;
                        next.escalation_expires_at_ms = Some(now_ms.saturating_add(self.directory.ttl_ms()));
                        let missing = self.missing_approvals(&next);
                        if missing.is_empty() && !needs_confirmation(&next) {
                            next.stage = Stage::Executing;
                            next.escalation_expires_at_ms = None;
                            effects.push(Effect::Execute);
                        }
                        for role in &missing {
                            effects.push(Effect::PostToRole { role: role.clone(), card: Card::Escalation { role: role.clone(), conversation: Box::new(next.clone()) } });
                        }
                        if needs_confirmation(&next) && !next.deletion_confirmed {
                            effects.push(Effect::Post(Card::Notice { text: format!("This plan deletes resources. To confirm, type `{}` in this thread.", confirmation_word(&next)) }));
                        }
                        if !missing.is_empty() {
                            effects.push(Effect::Post(Card::Notice { text: format!("Escalated to {} for approval.", missing.join(", ")) }));
                        }
                    }
                }
            }
            Event::Executed { completed, error, created, drift } => {
                if c.stage != Stage::Executing {
                    return Step::Next { conversation: next, effects };
                }
                effects.push(Effect::Unlock);
                if *completed {
                    next.stage = Stage::Completed;
                    effects.push(Effect::Post(Card::Summary { conversation: Box::new(next.clone()), created: created.clone(), drift: drift.clone() }));
                } else {
                    next.stage = Stage::Failed;
                    let error = error.clone().unwrap_or_else(|| "the deployment failed".into());
                    next.reason = Some(error.clone());
                    effects.push(Effect::Post(Card::Failure { request_id: c.request_id.clone(), error, created: created.clone() }));
                }
            }
            Event::RolledBack { completed, error, deleted } => {
                next.stage = if *completed { Stage::RolledBack } else { Stage::Failed };
                next.reason = error.clone();
                effects.push(Effect::Unlock);
                effects.push(Effect::Post(Card::Notice {
                    text: if *completed {
                        format!("Rolled back {}: deleted {} resources.", c.request_id, deleted.len())
                    } else {
                        format!("The rollback of {} stopped: {}.", c.request_id, error.clone().unwrap_or_default())
                    },
                }));
            }
            Event::Tick => {
                if c.stage == Stage::Escalated && c.escalation_expires_at_ms.is_some_and(|t| now_ms >= t) {
                    next.stage = Stage::Expired;
                    next.reason = Some("the escalation expired before every approver answered".into());
                    effects.push(Effect::Unlock);
                    effects.push(Effect::Post(Card::Notice { text: "The escalation expired without every approval; nothing was deployed. Ask again to start over.".into() }));
                }
            }
        }
        Step::Next { conversation: next, effects }
    }

    /// Applies a change in the requester's words and shows the new plan version.
    fn modify(&self, c: &mut Conversation, instruction: &str, ctx: &PlanningContext, effects: &mut Vec<Effect>) -> Result<(), String> {
        let instruction = instruction.trim();
        if instruction.is_empty() {
            return Err("Say what to change, e.g. \"use db.t3.medium\" or \"no redis\".".into());
        }
        c.words.push(instruction.to_string());
        c.intent = self.pipeline.amend(&c.intent, instruction);
        c.reason = None;
        self.replan(c, Some(instruction), ctx, effects)
    }

    /// Refuses presses that are stale, repeated, or by someone not allowed.
    fn check_press(&self, c: &Conversation, user: &User, groups: &[String], button: &Button, version: i64) -> Result<(), String> {
        if version != c.current_version() {
            return Err(stale(version, c.current_version()));
        }
        match button {
            Button::Approve | Button::Modify | Button::Cancel => {
                if user.id != c.requester.id {
                    return Err(format!("Only {} (who asked) can approve, change or cancel this plan.", c.requester.name));
                }
                let allowed = match button {
                    Button::Approve => c.stage == Stage::Planned,
                    Button::Modify => matches!(c.stage, Stage::Planned | Stage::Vetoed),
                    _ => matches!(c.stage, Stage::Planned | Stage::NeedsClarification | Stage::Vetoed | Stage::Escalated),
                };
                if !allowed {
                    return Err(format!("That button no longer applies: the request is {}.", c.stage.as_str().replace('_', " ")));
                }
            }
            Button::Grant { role } | Button::Reject { role, .. } => {
                if c.stage != Stage::Escalated {
                    return Err(format!("This escalation is closed: the request is {}.", c.stage.as_str().replace('_', " ")));
                }
                let asked = c.verdict.as_ref().is_some_and(|v| v.approvers.iter().any(|r| r == role));
                if !asked {
                    return Err(format!("This request was not escalated to {role}."));
                }
                if user.id == c.requester.id {
                    return Err("You cannot approve or reject your own request; someone else in the role must.".into());
                }
                if !self.directory.holds(role, &user.id, groups) {
                    return Err(format!("You are not an approver for this ({role})."));
                }
                let hash = c.current().map(|p| p.hash.as_str()).unwrap_or_default();
                if c.approvals.iter().any(|a| a.user == user.id && a.plan_hash == hash) {
                    return Err("You have already approved this plan.".into());
                }
            }
        }
        Ok(())
    }

    /// Roles of the verdict whose approvals for the current plan are not all in yet.
    pub fn missing_approvals(&self, c: &Conversation) -> Vec<String> {
        let Some(verdict) = &c.verdict else { return Vec::new() };
        let hash = c.current().map(|p| p.hash.as_str()).unwrap_or_default();
        verdict
            .approvers
            .iter()
            .filter(|role| role.as_str() != REQUESTER_ROLE)
            .filter(|role| {
                let given = c.approvals.iter().filter(|a| &a.role == *role && a.plan_hash == hash).count() as u32;
                given < self.directory.required(role)
            })
            .cloned()
            .collect()
    }
}

/// The approver name the audit uses for "the requester must confirm" (deletions).
pub const REQUESTER_ROLE: &str = "requester";

fn stale(pressed: i64, current: i64) -> String {
    format!("That button belongs to plan v{pressed}, but the current plan is v{current}; use the buttons of the latest plan.")
}

fn needs_confirmation(c: &Conversation) -> bool {
    c.verdict.as_ref().is_some_and(|v| v.approvers.iter().any(|r| r == REQUESTER_ROLE))
}

/// What the requester types to confirm a deletion: the service's name, else the request id.
fn confirmation_word(c: &Conversation) -> String {
    c.intent.service.clone().or_else(|| c.rolls_back.clone()).unwrap_or_else(|| c.request_id.clone())
}

/// A change-ticket id such as `CHG-1234` in a message.
fn find_ticket(text: &str) -> Option<String> {
    text.split(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '-'))
        .find(|w| {
            let upper = w.to_ascii_uppercase();
            upper.strip_prefix("CHG-").is_some_and(|n| !n.is_empty() && n.chars().all(|d| d.is_ascii_digit()))
        })
        .map(str::to_ascii_uppercase)
}

/// What changed between two plan versions, in plain English.
pub fn diff(old: &Plan, new: &Plan) -> Vec<String> {
    let mut out = Vec::new();
    for r in &new.resources {
        match old.resource(&r.address) {
            None => out.push(format!("added {}", r.address)),
            Some(prev) => {
                for (k, v) in &r.values {
                    if prev.values.get(k) != Some(v) {
                        let before = prev.values.get(k).map(|p| p.to_string()).unwrap_or_else(|| "unset".into());
                        out.push(format!("{}: {k} {before} → {v}", r.address));
                    }
                }
            }
        }
    }
    for r in &old.resources {
        if new.resource(&r.address).is_none() {
            out.push(format!("removed {}", r.address));
        }
    }
    if old.region != new.region {
        out.push(format!("region {} → {}", old.region, new.region));
    }
    if (old.estimated_monthly_cost_usd - new.estimated_monthly_cost_usd).abs() >= 0.01 {
        out.push(format!(
            "monthly cost {} → {}",
            crate::cards::usd(old.estimated_monthly_cost_usd),
            crate::cards::usd(new.estimated_monthly_cost_usd)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::find_ticket;

    #[test]
    fn change_tickets_are_found_in_free_text() {
        assert_eq!(find_ticket("here you go: chg-4711."), Some("CHG-4711".into()));
        assert_eq!(find_ticket("ticket CHG-12 approved"), Some("CHG-12".into()));
        assert_eq!(find_ticket("CHG- nope, CHGX-1"), None);
    }
}
