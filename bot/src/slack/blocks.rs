//! Cards as Slack Block Kit, always within Block Kit's limits.
//!
//! The words come from the shared view models of [`crate::cards`] through the askama templates
//! under `templates/slack/` (mrkdwn text fragments); the block structure is built here with
//! `serde_json`, so that every length and count is checked in one place before Slack sees it. A
//! card too long for one message is summarised, and its full text travels as a file.

use askama::Template;
use serde_json::{Value, json};

use crate::cards::{AuditCard, EscalationCard, PlanCard, SummaryCard, UnderstandingCard};
use crate::chat::{ButtonId, ProgressBoard};
use crate::engine::{Button, Card};
use paved_core::message::ProgressStatus;

/// Block Kit's limits (Slack's reference for blocks, block elements and views).
pub mod limits {
    /// Blocks in one message.
    pub const MESSAGE_BLOCKS: usize = 50;
    /// Blocks in one modal view.
    pub const VIEW_BLOCKS: usize = 100;
    /// Characters of a section's text.
    pub const SECTION_TEXT: usize = 3000;
    /// Characters of a header's text.
    pub const HEADER_TEXT: usize = 150;
    /// Characters of a button's label.
    pub const BUTTON_TEXT: usize = 75;
    /// Characters of an `action_id`, `block_id` or `callback_id`.
    pub const ID: usize = 255;
    /// Characters of a button's value.
    pub const VALUE: usize = 2000;
    /// Elements of a context block.
    pub const CONTEXT_ELEMENTS: usize = 10;
    /// Elements of an actions block.
    pub const ACTION_ELEMENTS: usize = 25;
    /// Characters of a modal's title, submit and close labels.
    pub const VIEW_TITLE: usize = 24;
    /// Characters of a view's private metadata.
    pub const PRIVATE_METADATA: usize = 3000;
    /// Characters of an input block's label.
    pub const INPUT_LABEL: usize = 2000;
    /// Characters of a message's top-level (notification) text that Slack keeps.
    pub const MESSAGE_TEXT: usize = 40_000;
    /// Characters of a confirmation dialog's title, button labels and text.
    pub const CONFIRM_TITLE: usize = 100;
    pub const CONFIRM_TEXT: usize = 300;
    pub const CONFIRM_BUTTON: usize = 30;
}

/// The most plan resources listed in the card itself; a bigger plan is summarised and attached.
pub const MAX_PLAN_ROWS: usize = 25;
/// The most progress rows shown in the progress message; the counts always cover them all.
pub const MAX_PROGRESS_ROWS: usize = 40;

/// A message ready for `chat.postMessage` / `chat.update`.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    /// The notification text (and what screen readers and old clients show).
    pub text: String,
    pub blocks: Vec<Value>,
    /// The full card as a file, when the message shows a summary of it.
    pub attachment: Option<Attachment>,
}

/// A text file shared in the thread beside a summarised card.
#[derive(Debug, Clone, PartialEq)]
pub struct Attachment {
    pub filename: String,
    pub title: String,
    pub content: String,
}

/// Escapes the three characters Slack's mrkdwn gives meaning to.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            _ => out.push(ch),
        }
    }
    out
}

/// At most `max` characters, ending in `…` when something was cut.
pub fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

fn header(text: &str) -> Value {
    json!({"type": "header", "text": {"type": "plain_text", "text": clip(text, limits::HEADER_TEXT), "emoji": true}})
}

fn section(mrkdwn: &str) -> Value {
    json!({"type": "section", "text": {"type": "mrkdwn", "text": clip(mrkdwn, limits::SECTION_TEXT)}})
}

fn context(mrkdwn: &str) -> Value {
    json!({"type": "context", "elements": [{"type": "mrkdwn", "text": clip(mrkdwn, limits::SECTION_TEXT)}]})
}

/// A button whose `action_id` and `value` are both the encoded [`ButtonId`].
fn button(label: &str, id: &ButtonId, style: Option<&str>, confirm: Option<(&str, &str, &str)>) -> Value {
    let encoded = id.encode();
    let mut b = json!({
        "type": "button",
        "text": {"type": "plain_text", "text": clip(label, limits::BUTTON_TEXT), "emoji": true},
        "action_id": clip(&encoded, limits::ID),
        "value": clip(&encoded, limits::VALUE),
    });
    if let Some(style) = style {
        b["style"] = json!(style);
    }
    if let Some((title, text, yes)) = confirm {
        b["confirm"] = json!({
            "title": {"type": "plain_text", "text": clip(title, limits::CONFIRM_TITLE)},
            "text": {"type": "mrkdwn", "text": clip(text, limits::CONFIRM_TEXT)},
            "confirm": {"type": "plain_text", "text": clip(yes, limits::CONFIRM_BUTTON)},
            "deny": {"type": "plain_text", "text": "Keep it"},
        });
    }
    b
}

/// Splits lines into section texts of at most [`limits::SECTION_TEXT`] characters, never
/// splitting a line unless the line alone is too long.
pub fn chunk_lines<'a>(lines: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut chunks = Vec::new();
    let mut current = String::new();
    let mut len = 0usize;
    for line in lines {
        let mut line = line.to_string();
        loop {
            let n = line.chars().count();
            let sep = usize::from(len > 0);
            if len + sep + n <= limits::SECTION_TEXT {
                if sep == 1 {
                    current.push('\n');
                }
                current.push_str(&line);
                len += sep + n;
                break;
            }
            if len > 0 {
                chunks.push(std::mem::take(&mut current));
                len = 0;
                continue;
            }
            // One line longer than a whole section: cut it at a character boundary.
            let head: String = line.chars().take(limits::SECTION_TEXT).collect();
            line = line.chars().skip(limits::SECTION_TEXT).collect();
            chunks.push(head);
        }
    }
    if len > 0 {
        chunks.push(current);
    }
    chunks
}

/// Lays out `head`, the body sections, and `tail` within [`limits::MESSAGE_BLOCKS`]; body
/// lines that do not fit are dropped and counted.
fn assemble(head: Vec<Value>, body: &[String], tail: Vec<Value>) -> (Vec<Value>, usize) {
    let budget = limits::MESSAGE_BLOCKS.saturating_sub(head.len() + tail.len() + 1);
    let mut chunks = chunk_lines(body.iter().map(String::as_str));
    let mut hidden = 0;
    if chunks.len() > budget {
        hidden = chunks[budget..].iter().map(|c| c.lines().count()).sum();
        chunks.truncate(budget);
    }
    let mut blocks = head;
    blocks.extend(chunks.iter().map(|c| section(c)));
    if hidden > 0 {
        blocks.push(context(&format!("…and {hidden} more lines: the full text is attached in this thread.")));
    }
    blocks.extend(tail);
    (blocks, hidden)
}

/// Renders a template, turning askama's (practically impossible) failure into a plain line so
/// that a card is never lost.
fn render<T: Template>(t: &T) -> String {
    t.render().unwrap_or_else(|e| format!("(this card could not be rendered: {e})"))
}

#[derive(Template)]
#[template(path = "slack/understanding.md")]
struct UnderstandingText {
    c: UnderstandingCard,
}

#[derive(Template)]
#[template(path = "slack/plan.md")]
struct PlanText {
    c: PlanCard,
}

#[derive(Template)]
#[template(path = "slack/plan_row.md")]
struct PlanRowText<'a> {
    r: &'a crate::cards::PlanRow,
}

#[derive(Template)]
#[template(path = "slack/audit.md")]
struct AuditText {
    c: AuditCard,
}

#[derive(Template)]
#[template(path = "slack/escalation.md")]
struct EscalationText {
    c: EscalationCard,
}

#[derive(Template)]
#[template(path = "slack/summary.md")]
struct SummaryText {
    c: SummaryCard,
}

#[derive(Template)]
#[template(path = "slack/failure.md")]
struct FailureText {
    request_id: String,
    error: String,
    created: Vec<String>,
}

#[derive(Template)]
#[template(path = "slack/progress.md")]
struct ProgressText {
    rows: Vec<(&'static str, String, &'static str)>,
}

fn esc_all(v: &mut [String]) {
    for s in v {
        *s = escape(s);
    }
}

fn esc_opt(v: &mut Option<String>) {
    if let Some(s) = v {
        *s = escape(s);
    }
}

fn understanding(intent: &paved_core::Intent) -> UnderstandingCard {
    let mut c = UnderstandingCard::new(intent);
    for s in [&mut c.goal, &mut c.action, &mut c.golden_path, &mut c.environment, &mut c.components, &mut c.compliance, &mut c.region] {
        *s = escape(s);
    }
    for o in [&mut c.service, &mut c.schedule, &mut c.budget, &mut c.off_road] {
        esc_opt(o);
    }
    esc_all(&mut c.assumptions);
    esc_all(&mut c.clarifications);
    c
}

fn plan_card(plan: &paved_core::Plan, intent: &paved_core::Intent) -> PlanCard {
    let mut c = PlanCard::new(plan, &intent.compliance, None);
    for s in [&mut c.golden_path, &mut c.version, &mut c.environment, &mut c.region, &mut c.total, &mut c.compliance] {
        *s = escape(s);
    }
    for r in &mut c.rows {
        // The terminal pads columns; Slack lays out its own.
        r.address = escape(r.address.trim());
        r.action = escape(r.action.trim());
        r.cost = escape(r.cost.trim());
        r.why = escape(&r.why);
        esc_opt(&mut r.note);
    }
    c
}

/// The Block Kit message for a card. `request_id` is the card's request (its buttons name it).
pub fn message(card: &Card, request_id: &str) -> Message {
    match card {
        Card::Understanding { intent } => {
            let c = understanding(intent);
            let asks = !c.clarifications.is_empty();
            let text = render(&UnderstandingText { c });
            let title = if asks { "A few questions first" } else { "Here is what I understood" };
            let (blocks, _) = assemble(vec![header(title)], &lines(&text), vec![context(&format!("Confidence {}%  ·  {}", (intent.confidence * 100.0).round() as u32, escape(request_id)))]);
            Message { text: clip(&format!("{title}: {}", escape(&intent.details.goal)), limits::SECTION_TEXT), blocks, attachment: None }
        }
        Card::Plan { version, plan, changes, intent } => plan_message(request_id, *version, plan, changes, intent),
        Card::Audit { verdict } => {
            let c = AuditCard::new(verdict);
            let headline = c.headline.clone();
            let mut c = c;
            for s in [&mut c.headline, &mut c.approvers, &mut c.total, &mut c.plan_hash] {
                *s = escape(s);
            }
            for k in &mut c.checks {
                k.rule = escape(&k.rule);
                k.summary = escape(&k.summary);
            }
            esc_all(&mut c.findings);
            let text = render(&AuditText { c });
            let (blocks, hidden) = assemble(vec![header(&format!("Audit: {headline}"))], &lines(&text), vec![]);
            let attachment = (hidden > 0).then(|| Attachment {
                filename: format!("{request_id}-audit.txt"),
                title: format!("Audit of {request_id}"),
                content: AuditCard::new(verdict).render().unwrap_or_default(),
            });
            Message { text: clip(&format!("Audit: {}", escape(&headline)), limits::SECTION_TEXT), blocks, attachment }
        }
        Card::Escalation { role, conversation } => {
            let mut c = EscalationCard::new(role, conversation);
            for s in [&mut c.request_id, &mut c.role, &mut c.requester, &mut c.request, &mut c.golden_path, &mut c.environment, &mut c.total] {
                *s = escape(s);
            }
            esc_all(&mut c.reasons);
            let version = c.version;
            let text = render(&EscalationText { c });
            let id = |button| ButtonId { request_id: conversation.request_id.clone(), version, button };
            let actions = json!({
                "type": "actions",
                "block_id": clip(&format!("paved:escalation:{}", conversation.request_id), limits::ID),
                "elements": [
                    button(&format!("Approve as {role}"), &id(Button::Grant { role: role.clone() }), Some("primary"), None),
                    // Reject opens a form for the reason, which is the confirmation too.
                    button("Reject", &id(Button::Reject { role: role.clone(), reason: None }), Some("danger"), None),
                ],
            });
            let (blocks, _) = assemble(vec![header(&format!("Approval needed: {role}"))], &lines(&text), vec![actions]);
            Message { text: clip(&format!("{} needs approval from {}", escape(&conversation.request_id), escape(role)), limits::SECTION_TEXT), blocks, attachment: None }
        }
        Card::ModifyForm { version } => {
            let text = format!("What should change in plan v{version}? Reply in this thread in plain words, for example \"use db.t3.medium\" or \"no redis\".");
            Message { text: text.clone(), blocks: vec![section(&escape(&text))], attachment: None }
        }
        Card::Summary { conversation, created, drift } => {
            let mut c = SummaryCard::new(conversation, created, drift);
            for s in [&mut c.request_id, &mut c.golden_path, &mut c.environment, &mut c.region, &mut c.total] {
                *s = escape(s);
            }
            for v in [&mut c.created, &mut c.endpoints, &mut c.monitoring, &mut c.drift, &mut c.next_steps] {
                esc_all(v);
            }
            let text = render(&SummaryText { c });
            let (blocks, hidden) = assemble(vec![header(&format!("Deployed {}", conversation.request_id))], &lines(&text), vec![]);
            let attachment = (hidden > 0).then(|| Attachment {
                filename: format!("{}-summary.txt", conversation.request_id),
                title: format!("Summary of {}", conversation.request_id),
                content: SummaryCard::new(conversation, created, drift).render().unwrap_or_default(),
            });
            Message { text: format!("Deployed {}", escape(&conversation.request_id)), blocks, attachment }
        }
        Card::Failure { request_id: id, error, created } => {
            let text = render(&FailureText { request_id: escape(id), error: escape(error), created: created.iter().map(|c| escape(c)).collect() });
            let (blocks, hidden) = assemble(vec![header("The deployment failed")], &lines(&text), vec![]);
            let attachment = (hidden > 0).then(|| Attachment {
                filename: format!("{id}-failure.txt"),
                title: format!("What {id} created before it stopped"),
                content: format!("{id} stopped: {error}\n\nCreated:\n{}\n", created.join("\n")),
            });
            Message { text: clip(&format!("{} failed: {}", escape(id), escape(error)), limits::SECTION_TEXT), blocks, attachment }
        }
        Card::Notice { text } => {
            let (blocks, hidden) = assemble(vec![], &lines(&escape(text)), vec![]);
            let attachment = (hidden > 0).then(|| Attachment { filename: format!("{request_id}-notice.txt"), title: "Full message".into(), content: text.clone() });
            Message { text: clip(&escape(text), limits::SECTION_TEXT), blocks, attachment }
        }
    }
}

fn lines(text: &str) -> Vec<String> {
    text.lines().map(str::to_string).filter(|l| !l.trim().is_empty()).collect()
}

fn plan_message(request_id: &str, version: i64, plan: &paved_core::Plan, changes: &[String], intent: &paved_core::Intent) -> Message {
    let c = plan_card(plan, intent);
    let rows: Vec<String> = c.rows.iter().map(|r| render(&PlanRowText { r })).collect();
    let total = c.total.clone();
    let golden_path = c.golden_path.clone();
    let summary = render(&PlanText { c });
    let mut head = vec![header(&format!("Plan v{version}: {}", plan.golden_path.as_deref().unwrap_or("off the golden paths")))];
    head.extend(chunk_lines(summary.lines()).iter().map(|t| section(t)));
    if !changes.is_empty() {
        let changed: Vec<String> = std::iter::once("*What changed*".to_string()).chain(changes.iter().map(|ch| format!("• {}", escape(ch)))).collect();
        // The change list is informative, never worth more than three blocks.
        head.extend(chunk_lines(changed.iter().map(String::as_str)).into_iter().take(3).map(|t| section(&t)));
    }
    let id = |button| ButtonId { request_id: request_id.to_string(), version, button };
    let actions = json!({
        "type": "actions",
        "block_id": clip(&format!("paved:plan:{request_id}:{version}"), limits::ID),
        "elements": [
            button("Approve", &id(Button::Approve), Some("primary"), None),
            button("Modify", &id(Button::Modify), None, None),
            button("Cancel", &id(Button::Cancel), Some("danger"), Some(("Cancel this request?", "Nothing will be deployed.", "Cancel request"))),
        ],
    });
    let shown = rows.len().min(MAX_PLAN_ROWS);
    let mut tail = Vec::new();
    let summarised = rows.len() > shown;
    if summarised {
        tail.push(context(&format!("…and {} more resources. The full plan is attached in this thread.", rows.len() - shown)));
    }
    tail.push(actions);
    let (blocks, hidden) = assemble(head, &rows[..shown], tail);
    let attachment = (summarised || hidden > 0).then(|| Attachment {
        filename: format!("{request_id}-plan-v{version}.txt"),
        title: format!("Plan v{version} of {request_id}: every resource"),
        content: PlanCard::new(plan, &intent.compliance, None).render().unwrap_or_default(),
    });
    Message {
        text: clip(&format!("Plan v{version} for {}: {golden_path}, {total}/month, {} resources", escape(request_id), plan.resources.len()), limits::SECTION_TEXT),
        blocks,
        attachment,
    }
}

fn status_mark(s: ProgressStatus) -> &'static str {
    match s {
        ProgressStatus::Pending => "◻️",
        ProgressStatus::Creating | ProgressStatus::Updating | ProgressStatus::Replacing | ProgressStatus::Deleting => "⏳",
        ProgressStatus::Done => "✅",
        ProgressStatus::Failed => "❌",
        ProgressStatus::RolledBack => "↩️",
    }
}

/// The one progress message of a deployment.
pub fn progress(board: &ProgressBoard) -> Message {
    // Rows still moving or failed come first when they do not all fit, since they are news.
    let mut order: Vec<usize> = (0..board.rows.len()).collect();
    if board.rows.len() > MAX_PROGRESS_ROWS {
        order.sort_by_key(|&i| match board.rows[i].1 {
            ProgressStatus::Failed => 0,
            ProgressStatus::Creating | ProgressStatus::Updating | ProgressStatus::Replacing | ProgressStatus::Deleting => 1,
            ProgressStatus::Pending => 2,
            _ => 3,
        });
        order.truncate(MAX_PROGRESS_ROWS);
        order.sort_unstable();
    }
    let rows = order.iter().map(|&i| (status_mark(board.rows[i].1), escape(&board.rows[i].0), board.rows[i].1.as_str())).collect();
    let text = render(&ProgressText { rows });
    let state = if !board.finished {
        "Deploying"
    } else if board.failed() > 0 {
        "Stopped"
    } else {
        "Finished"
    };
    let mut head = vec![section(&format!("*{state} {}*  {}", escape(&board.request_id), board.bar(20)))];
    if board.failed() > 0 {
        head.push(context(&format!("{} failed", board.failed())));
    }
    let mut tail = Vec::new();
    if board.rows.len() > order.len() {
        tail.push(context(&format!("{} more resources not listed; the counts above include them.", board.rows.len() - order.len())));
    }
    let (blocks, _) = assemble(head, &lines(&text), tail);
    Message { text: format!("{state} {}: {}", escape(&board.request_id), board.bar(10)), blocks, attachment: None }
}

/// The private metadata of the Modify modal: where its submission belongs.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ModifyMetadata {
    pub request_id: String,
    pub version: i64,
    pub channel: String,
    pub thread: String,
}

/// The `callback_id` of the Modify modal.
pub const MODIFY_CALLBACK: &str = "paved:modify";
/// The block and action id of the modal's instruction input.
pub const MODIFY_INPUT: &str = "instruction";

/// The Modify modal for `views.open`.
pub fn modify_modal(meta: &ModifyMetadata) -> Value {
    modal(
        MODIFY_CALLBACK,
        meta,
        &format!("Change plan v{}", meta.version),
        "Make new plan",
        &format!("Say what should change in plan v{} of *{}*. paved makes a new plan version from your words and checks it again.", meta.version, escape(&meta.request_id)),
        ModalInput { id: MODIFY_INPUT, label: "What should change?", optional: false, max_length: 2000, placeholder: "use db.t3.medium, no redis, move it to eu-west-1" },
    )
}

/// The one text input of a paved modal.
struct ModalInput<'a> {
    id: &'a str,
    label: &'a str,
    optional: bool,
    max_length: usize,
    placeholder: &'a str,
}

/// A modal with a line of explanation and one multi-line input; `metadata` says where its
/// submission belongs.
fn modal(callback: &str, metadata: &impl serde::Serialize, title: &str, submit: &str, intro: &str, input: ModalInput<'_>) -> Value {
    let metadata = serde_json::to_string(metadata).unwrap_or_default();
    json!({
        "type": "modal",
        "callback_id": callback,
        "private_metadata": clip(&metadata, limits::PRIVATE_METADATA),
        "title": {"type": "plain_text", "text": clip(title, limits::VIEW_TITLE)},
        "submit": {"type": "plain_text", "text": clip(submit, limits::VIEW_TITLE)},
        "close": {"type": "plain_text", "text": "Keep it"},
        "blocks": [
            section(intro),
            {
                "type": "input",
                "block_id": input.id,
                "optional": input.optional,
                "label": {"type": "plain_text", "text": input.label},
                "element": {
                    "type": "plain_text_input",
                    "action_id": input.id,
                    "multiline": true,
                    "max_length": input.max_length,
                    "placeholder": {"type": "plain_text", "text": input.placeholder},
                },
            },
        ],
    })
}

/// The private metadata of the Reject modal: which escalation its submission decides.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RejectMetadata {
    pub request_id: String,
    pub version: i64,
    pub role: String,
    pub channel: String,
    pub thread: String,
}

/// The `callback_id` of the Reject modal.
pub const REJECT_CALLBACK: &str = "paved:reject";
/// The block and action id of the modal's reason input.
pub const REJECT_INPUT: &str = "reason";

/// The Reject modal for `views.open`: the approver's reason, which the requester is shown.
pub fn reject_modal(meta: &RejectMetadata) -> Value {
    modal(
        REJECT_CALLBACK,
        meta,
        &format!("Reject {}", meta.request_id),
        "Reject",
        &format!("You are rejecting plan v{} of *{}* as *{}*. Nothing will be deployed, and the requester is told, with your reason.", meta.version, escape(&meta.request_id), escape(&meta.role)),
        ModalInput { id: REJECT_INPUT, label: "Why? (the requester sees this)", optional: true, max_length: 500, placeholder: "over this quarter's budget; try db.r5.large" },
    )
}

fn text_of(v: &Value) -> &str {
    v.get("text").and_then(Value::as_str).unwrap_or_default()
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

/// Every way a Web API payload breaks Block Kit's limits (empty when it is fine). Used before
/// sending and by the tests' fake Slack, which refuses what real Slack would refuse.
pub fn violations(payload: &Value) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(text) = payload.get("text").and_then(Value::as_str)
        && chars(text) > limits::MESSAGE_TEXT
    {
        out.push(format!("message text has {} characters", chars(text)));
    }
    if let Some(blocks) = payload.get("blocks").and_then(Value::as_array) {
        if blocks.len() > limits::MESSAGE_BLOCKS {
            out.push(format!("{} blocks in a message", blocks.len()));
        }
        check_blocks(blocks, &mut out);
    }
    if let Some(view) = payload.get("view") {
        for key in ["title", "submit", "close"] {
            if chars(view.get(key).map(text_of).unwrap_or_default()) > limits::VIEW_TITLE {
                out.push(format!("view {key} longer than {}", limits::VIEW_TITLE));
            }
        }
        if chars(view.get("private_metadata").and_then(Value::as_str).unwrap_or_default()) > limits::PRIVATE_METADATA {
            out.push("private_metadata too long".into());
        }
        if chars(view.get("callback_id").and_then(Value::as_str).unwrap_or_default()) > limits::ID {
            out.push("callback_id too long".into());
        }
        let blocks = view.get("blocks").and_then(Value::as_array).cloned().unwrap_or_default();
        if blocks.len() > limits::VIEW_BLOCKS {
            out.push(format!("{} blocks in a view", blocks.len()));
        }
        check_blocks(&blocks, &mut out);
    }
    out
}

fn check_blocks(blocks: &[Value], out: &mut Vec<String>) {
    let mut block_ids = std::collections::HashSet::new();
    let mut action_ids = std::collections::HashSet::new();
    for (i, b) in blocks.iter().enumerate() {
        if let Some(id) = b.get("block_id").and_then(Value::as_str) {
            if chars(id) > limits::ID {
                out.push(format!("block {i}: block_id too long"));
            }
            if !block_ids.insert(id.to_string()) {
                out.push(format!("block {i}: duplicate block_id {id}"));
            }
        }
        match b.get("type").and_then(Value::as_str) {
            Some("section") => {
                let n = b.get("text").map(|t| chars(text_of(t))).unwrap_or_default();
                if n > limits::SECTION_TEXT {
                    out.push(format!("block {i}: section text has {n} characters"));
                }
                if n == 0 && b.get("fields").is_none() {
                    out.push(format!("block {i}: empty section"));
                }
            }
            Some("header") => {
                if b.get("text").map(|t| chars(text_of(t))).unwrap_or_default() > limits::HEADER_TEXT {
                    out.push(format!("block {i}: header too long"));
                }
            }
            Some("context") => {
                let elements = b.get("elements").and_then(Value::as_array).map(Vec::len).unwrap_or_default();
                if elements > limits::CONTEXT_ELEMENTS || elements == 0 {
                    out.push(format!("block {i}: context has {elements} elements"));
                }
            }
            Some("actions") => {
                let elements = b.get("elements").and_then(Value::as_array).cloned().unwrap_or_default();
                if elements.len() > limits::ACTION_ELEMENTS || elements.is_empty() {
                    out.push(format!("block {i}: actions has {} elements", elements.len()));
                }
                for e in &elements {
                    let label = e.get("text").map(text_of).unwrap_or_default();
                    if chars(label) > limits::BUTTON_TEXT {
                        out.push(format!("block {i}: button label has {} characters", chars(label)));
                    }
                    let action_id = e.get("action_id").and_then(Value::as_str).unwrap_or_default();
                    if chars(action_id) > limits::ID {
                        out.push(format!("block {i}: action_id has {} characters", chars(action_id)));
                    }
                    if !action_id.is_empty() && !action_ids.insert(action_id.to_string()) {
                        out.push(format!("block {i}: duplicate action_id {action_id}"));
                    }
                    if chars(e.get("value").and_then(Value::as_str).unwrap_or_default()) > limits::VALUE {
                        out.push(format!("block {i}: button value too long"));
                    }
                }
            }
            Some("input") => {
                if b.get("label").map(|t| chars(text_of(t))).unwrap_or_default() > limits::INPUT_LABEL {
                    out.push(format!("block {i}: input label too long"));
                }
            }
            Some("divider") => {}
            other => out.push(format!("block {i}: unexpected block type {other:?}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mrkdwn_control_characters_are_escaped() {
        assert_eq!(escape("a <b> & <!channel>"), "a &lt;b&gt; &amp; &lt;!channel&gt;");
    }

    #[test]
    fn long_lines_are_chunked_within_section_limits() {
        let long = "x".repeat(7000);
        let lines = vec!["short", long.as_str(), "tail"];
        let chunks = chunk_lines(lines);
        assert!(chunks.iter().all(|c| c.chars().count() <= limits::SECTION_TEXT));
        let joined: usize = chunks.iter().map(|c| c.replace('\n', "").len()).sum();
        assert_eq!(joined, 5 + 7000 + 4);
        assert_eq!(chunks.len(), 4);
    }

    #[test]
    fn a_huge_notice_fits_in_fifty_blocks_and_is_attached() {
        let text = (0..5000).map(|i| format!("line {i} {}", "y".repeat(80))).collect::<Vec<_>>().join("\n");
        let m = message(&Card::Notice { text }, "req-10001");
        assert!(m.blocks.len() <= limits::MESSAGE_BLOCKS);
        assert!(m.attachment.is_some());
        assert_eq!(violations(&json!({"text": m.text, "blocks": m.blocks})), Vec::<String>::new());
    }

    #[test]
    fn violations_are_found() {
        let bad = json!({"blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": "x".repeat(3001)}},
            {"type": "actions", "elements": [{"type": "button", "text": {"type": "plain_text", "text": "y".repeat(76)}, "action_id": "z".repeat(256)}]},
        ]});
        let v = violations(&bad);
        assert_eq!(v.len(), 3, "{v:?}");
    }
}
