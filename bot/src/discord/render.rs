//! Cards as Discord messages: embeds and action rows, always within Discord's limits.
//!
//! The words come from the shared view models of [`crate::cards`] through the askama templates
//! under `templates/discord/` (Discord markdown fragments, every free text escaped before it
//! goes in); the JSON is produced by serenity's message builders from an [`OutMessage`], after
//! [`OutMessage::fit`] has checked every length and count in one place. A plan too large for an
//! embed is summarised, and the full plan travels as a text file.

use askama::Template;
use serde_json::Value;
use serenity::builder::{
    CreateActionRow, CreateAllowedMentions, CreateAttachment, CreateButton, CreateEmbed, CreateEmbedFooter, CreateInputText, CreateInteractionResponse,
    CreateInteractionResponseFollowup, CreateInteractionResponseMessage, CreateMessage, CreateModal, EditInteractionResponse, EditMessage,
};
use serenity::model::application::{ButtonStyle, InputTextStyle};

use super::rest::Upload;
use crate::cards::{AuditCard, EscalationCard, PlanCard, SummaryCard, UnderstandingCard};
use crate::chat::{ButtonId, ProgressBoard};
use crate::engine::{Button, Card};
use paved_core::Decision;
use paved_core::message::ProgressStatus;

/// Discord's message limits (Discord's reference: Message, Embed Limits, Components).
pub mod limits {
    /// Characters of a message's content.
    pub const CONTENT: usize = 2000;
    /// Embeds in one message.
    pub const EMBEDS: usize = 10;
    pub const EMBED_TITLE: usize = 256;
    pub const EMBED_DESCRIPTION: usize = 4096;
    pub const EMBED_FIELDS: usize = 25;
    pub const FIELD_NAME: usize = 256;
    pub const FIELD_VALUE: usize = 1024;
    pub const FOOTER: usize = 2048;
    /// Characters of all embeds of one message together.
    pub const EMBED_TOTAL: usize = 6000;
    /// Action rows in one message, and buttons in one row.
    pub const ROWS: usize = 5;
    pub const ROW_BUTTONS: usize = 5;
    pub const CUSTOM_ID: usize = 100;
    pub const BUTTON_LABEL: usize = 80;
    /// A modal's title and a text input's label.
    pub const MODAL_TITLE: usize = 45;
    pub const INPUT_LABEL: usize = 45;
    /// Characters of a paragraph text input's value.
    pub const INPUT_VALUE: usize = 4000;
}

/// Interaction response message flag: only the user who acted sees it.
pub const EPHEMERAL: u64 = 1 << 6;

/// The most plan resources listed in the card itself; a bigger plan is summarised and attached.
pub const MAX_PLAN_ROWS: usize = 25;
/// The most progress rows shown; resources that are done are folded first.
pub const MAX_PROGRESS_ROWS: usize = 40;

const BLURPLE: u32 = 0x5865F2;
const GREEN: u32 = 0x57F287;
const YELLOW: u32 = 0xFEE75C;
const ORANGE: u32 = 0xE67E22;
const RED: u32 = 0xED4245;
const GREY: u32 = 0x99AAB5;

/// A button's look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Primary,
    Secondary,
    Success,
    Danger,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutButton {
    pub label: String,
    pub custom_id: String,
    pub style: Style,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutField {
    pub name: String,
    pub value: String,
    pub inline: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OutEmbed {
    pub title: String,
    pub description: String,
    pub color: u32,
    pub fields: Vec<OutField>,
    pub footer: String,
}

impl OutEmbed {
    /// The characters Discord counts towards the 6,000 of a message.
    pub fn size(&self) -> usize {
        chars(&self.title) + chars(&self.description) + chars(&self.footer) + self.fields.iter().map(|f| chars(&f.name) + chars(&f.value)).sum::<usize>()
    }
}

/// A message before it becomes Discord JSON.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OutMessage {
    pub content: String,
    pub embeds: Vec<OutEmbed>,
    pub rows: Vec<Vec<OutButton>>,
    pub files: Vec<Upload>,
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

/// Cuts `s` to at most `max` characters, marking the cut with an ellipsis.
pub fn clip(s: &str, max: usize) -> String {
    if chars(s) <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// Escapes the characters Discord markdown gives meaning to, so that user words stay words.
pub fn md(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        if matches!(ch, '\\' | '*' | '_' | '~' | '`' | '|' | '>' | '#' | '[' | ']' | '<' | '-' | ':' | '@') {
            out.push('\\');
        }
        out.push(ch);
    }
    out
}

/// Text inside a code span: a backtick would end it early.
fn code(text: &str) -> String {
    text.replace('`', "'")
}

impl OutMessage {
    /// Brings the message within Discord's limits: every text clipped to its maximum, extra
    /// fields, rows and buttons dropped, and descriptions shortened until all embeds together
    /// fit in 6,000 characters.
    pub fn fit(mut self) -> OutMessage {
        self.content = clip(&self.content, limits::CONTENT);
        self.embeds.truncate(limits::EMBEDS);
        for e in &mut self.embeds {
            e.title = clip(&e.title, limits::EMBED_TITLE);
            e.description = clip(&e.description, limits::EMBED_DESCRIPTION);
            e.footer = clip(&e.footer, limits::FOOTER);
            e.fields.truncate(limits::EMBED_FIELDS);
            for f in &mut e.fields {
                f.name = clip(&f.name, limits::FIELD_NAME);
                f.value = clip(&f.value, limits::FIELD_VALUE);
                // Discord refuses empty field names and values.
                if f.name.trim().is_empty() {
                    f.name = "\u{200b}".into();
                }
                if f.value.trim().is_empty() {
                    f.value = "\u{200b}".into();
                }
            }
        }
        let mut total: usize = self.embeds.iter().map(OutEmbed::size).sum();
        for e in self.embeds.iter_mut().rev() {
            if total <= limits::EMBED_TOTAL {
                break;
            }
            let over = total - limits::EMBED_TOTAL;
            let keep = chars(&e.description).saturating_sub(over);
            let before = chars(&e.description);
            e.description = clip(&e.description, keep);
            total = total - before + chars(&e.description);
            while total > limits::EMBED_TOTAL && !e.fields.is_empty() {
                if let Some(f) = e.fields.pop() {
                    total -= chars(&f.name) + chars(&f.value);
                }
            }
        }
        self.rows.truncate(limits::ROWS);
        for row in &mut self.rows {
            row.retain(|b| b.custom_id.len() <= limits::CUSTOM_ID);
            row.truncate(limits::ROW_BUTTONS);
            for b in row.iter_mut() {
                b.label = clip(&b.label, limits::BUTTON_LABEL);
            }
        }
        self.rows.retain(|r| !r.is_empty());
        self
    }

    fn create_embeds(&self) -> Vec<CreateEmbed> {
        self.embeds
            .iter()
            .map(|e| {
                let mut b = CreateEmbed::new().colour(e.color);
                if !e.title.is_empty() {
                    b = b.title(&e.title);
                }
                if !e.description.is_empty() {
                    b = b.description(&e.description);
                }
                if !e.footer.is_empty() {
                    b = b.footer(CreateEmbedFooter::new(&e.footer));
                }
                b.fields(e.fields.iter().map(|f| (f.name.clone(), f.value.clone(), f.inline)))
            })
            .collect()
    }

    fn create_rows(&self) -> Vec<CreateActionRow> {
        self.rows
            .iter()
            .map(|row| {
                CreateActionRow::Buttons(
                    row.iter()
                        .map(|b| {
                            let style = match b.style {
                                Style::Primary => ButtonStyle::Primary,
                                Style::Secondary => ButtonStyle::Secondary,
                                Style::Success => ButtonStyle::Success,
                                Style::Danger => ButtonStyle::Danger,
                            };
                            CreateButton::new(&b.custom_id).label(&b.label).style(style)
                        })
                        .collect(),
                )
            })
            .collect()
    }

    fn attachments(&self) -> Vec<CreateAttachment> {
        self.files.iter().map(|f| CreateAttachment::bytes(f.data.clone(), f.filename.clone())).collect()
    }

    /// The JSON of `POST /channels/{id}/messages`.
    pub fn create_json(&self) -> Value {
        let mut b = CreateMessage::new().embeds(self.create_embeds()).components(self.create_rows()).allowed_mentions(CreateAllowedMentions::new());
        if !self.content.is_empty() {
            b = b.content(&self.content);
        }
        for a in self.attachments() {
            b = b.add_file(a);
        }
        serde_json::to_value(&b).unwrap_or(Value::Null)
    }

    /// The JSON of `PATCH /channels/{id}/messages/{id}`.
    pub fn edit_json(&self) -> Value {
        let mut b = EditMessage::new().content(&self.content).embeds(self.create_embeds()).components(self.create_rows()).allowed_mentions(CreateAllowedMentions::new());
        for a in self.attachments() {
            b = b.new_attachment(a);
        }
        serde_json::to_value(&b).unwrap_or(Value::Null)
    }

    /// The JSON of `PATCH /webhooks/{application}/{token}/messages/@original`.
    pub fn edit_original_json(&self) -> Value {
        let mut b = EditInteractionResponse::new()
            .content(&self.content)
            .embeds(self.create_embeds())
            .components(self.create_rows())
            .allowed_mentions(CreateAllowedMentions::new());
        for a in self.attachments() {
            b = b.new_attachment(a);
        }
        serde_json::to_value(&b).unwrap_or(Value::Null)
    }
}

/// The interaction response that answers at once and says more later (type 5).
pub fn deferred() -> Value {
    serde_json::to_value(CreateInteractionResponse::Defer(CreateInteractionResponseMessage::new())).unwrap_or(Value::Null)
}

/// The interaction response that acknowledges a press without changing its message (type 6).
pub fn acknowledge() -> Value {
    serde_json::to_value(CreateInteractionResponse::Acknowledge).unwrap_or(Value::Null)
}

/// The answer to Discord's PING (type 1).
pub fn pong() -> Value {
    serde_json::to_value(CreateInteractionResponse::Pong).unwrap_or(Value::Null)
}

/// A message only the user who acted sees (type 4, flag 64).
pub fn ephemeral(text: &str) -> Value {
    let m = CreateInteractionResponseMessage::new().content(clip(text, limits::CONTENT)).ephemeral(true).allowed_mentions(CreateAllowedMentions::new());
    serde_json::to_value(CreateInteractionResponse::Message(m)).unwrap_or(Value::Null)
}

/// A message everyone in the channel sees, as the interaction's answer (type 4).
pub fn public(text: &str) -> Value {
    let m = CreateInteractionResponseMessage::new().content(clip(text, limits::CONTENT)).allowed_mentions(CreateAllowedMentions::new());
    serde_json::to_value(CreateInteractionResponse::Message(m)).unwrap_or(Value::Null)
}

/// An ephemeral follow-up message (`POST /webhooks/{application}/{token}`).
pub fn ephemeral_followup(text: &str) -> Value {
    let m = CreateInteractionResponseFollowup::new().content(clip(text, limits::CONTENT)).ephemeral(true).allowed_mentions(CreateAllowedMentions::new());
    serde_json::to_value(&m).unwrap_or(Value::Null)
}

/// What a modal asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Form {
    pub custom_id: String,
    pub title: String,
    pub label: String,
    pub placeholder: String,
    pub required: bool,
}

/// The text input's id inside paved's modals.
pub const FORM_INPUT: &str = "paved:text";

/// A modal with one paragraph input (type 9).
pub fn modal(form: &Form) -> Value {
    let input = CreateInputText::new(InputTextStyle::Paragraph, clip(&form.label, limits::INPUT_LABEL), FORM_INPUT)
        .placeholder(clip(&form.placeholder, 100))
        .required(form.required)
        .max_length(1000);
    let m = CreateModal::new(&form.custom_id, clip(&form.title, limits::MODAL_TITLE)).components(vec![CreateActionRow::InputText(input)]);
    serde_json::to_value(CreateInteractionResponse::Modal(m)).unwrap_or(Value::Null)
}

/// The Modify form of a plan version.
pub fn modify_form(request_id: &str, version: i64) -> Form {
    Form {
        custom_id: ButtonId { request_id: request_id.to_string(), version, button: Button::Modify }.encode(),
        title: format!("Change plan v{version}"),
        label: "What should change?".into(),
        placeholder: "e.g. use db.t3.medium, no redis, move to eu-west-1".into(),
        required: true,
    }
}

/// The reason form of a rejection.
pub fn reject_form(request_id: &str, version: i64, role: &str) -> Form {
    Form {
        custom_id: ButtonId { request_id: request_id.to_string(), version, button: Button::Reject { role: role.to_string(), reason: None } }.encode(),
        title: format!("Reject {request_id} as {role}"),
        label: "Why? (the requester sees this)".into(),
        placeholder: "e.g. not in this quarter's budget".into(),
        required: false,
    }
}

#[derive(Template)]
#[template(path = "discord/understanding.md")]
struct UnderstandingText {
    goal: Option<String>,
    assumptions: Vec<String>,
    questions: Vec<String>,
}

struct PlanLine {
    address: String,
    action: String,
    cost: String,
    why: String,
    note: Option<String>,
}

#[derive(Template)]
#[template(path = "discord/plan.md")]
struct PlanText {
    rows: Vec<PlanLine>,
    changes: Vec<String>,
}

struct KindLine {
    kind: String,
    count: usize,
    cost: String,
}

#[derive(Template)]
#[template(path = "discord/plan_summary.md")]
struct PlanSummaryText {
    resources: usize,
    filename: String,
    kinds: Vec<KindLine>,
    changes: Vec<String>,
}

#[derive(Template)]
#[template(path = "discord/audit.md")]
struct AuditText {
    checks: Vec<crate::cards::CheckRow>,
    findings: Vec<String>,
}

#[derive(Template)]
#[template(path = "discord/escalation.md")]
struct EscalationText {
    requester: String,
    request: String,
    golden_path: String,
    version: i64,
    environment: String,
    resources: usize,
    total: String,
    reasons: Vec<String>,
}

#[derive(Template)]
#[template(path = "discord/summary.md")]
struct SummaryText {
    created: Vec<String>,
    endpoints: Vec<String>,
    monitoring: Vec<String>,
    drift: Vec<String>,
    next_steps: Vec<String>,
}

#[derive(Template)]
#[template(path = "discord/failure.md")]
struct FailureText {
    request_id: String,
    error: String,
    created: Vec<String>,
}

struct ProgressLine {
    icon: &'static str,
    address: String,
    status: &'static str,
}

#[derive(Template)]
#[template(path = "discord/progress.md")]
struct ProgressText {
    bar: String,
    rows: Vec<ProgressLine>,
    hidden: usize,
}

/// Renders a template; the templates only read fields, so a failure is a bug worth a visible
/// message rather than a silent empty card.
fn text(t: &impl Template) -> String {
    t.render().map(|s| s.trim().to_string()).unwrap_or_else(|e| format!("(this card could not be shown: {e})"))
}

fn field(name: &str, value: impl Into<String>, inline: bool) -> OutField {
    OutField { name: name.to_string(), value: value.into(), inline }
}

fn button(label: &str, request_id: &str, version: i64, b: Button, style: Style) -> OutButton {
    OutButton { label: label.to_string(), custom_id: ButtonId { request_id: request_id.to_string(), version, button: b }.encode(), style }
}

/// The Discord message for a card of request `request_id` (its buttons name it).
pub fn message(card: &Card, request_id: &str) -> OutMessage {
    let footer = format!("paved · {request_id}");
    let out = match card {
        Card::Understanding { intent } => {
            let c = UnderstandingCard::new(intent);
            let description = text(&UnderstandingText {
                goal: (!intent.details.goal.trim().is_empty()).then(|| md(&c.goal)),
                assumptions: c.assumptions.iter().map(|a| md(a)).collect(),
                questions: c.clarifications.iter().map(|q| md(q)).collect(),
            });
            let mut fields = vec![
                field("Action", md(&c.action), true),
                field("Golden path", md(&c.golden_path), true),
                field("Environment", md(&c.environment), true),
                field("Region", md(&c.region), true),
                field("Components", md(&c.components), true),
                field("Compliance", md(&c.compliance), true),
            ];
            for (name, value) in [("Service", &c.service), ("Schedule", &c.schedule), ("Budget", &c.budget), ("Off the golden paths", &c.off_road)] {
                if let Some(v) = value {
                    fields.push(field(name, md(v), true));
                }
            }
            fields.push(field("Confidence", format!("{}%", c.confidence), true));
            let color = if c.clarifications.is_empty() { BLURPLE } else { YELLOW };
            OutMessage { embeds: vec![OutEmbed { title: "What I understood".into(), description, color, fields, footer }], ..OutMessage::default() }
        }
        Card::Plan { version, plan, changes, intent } => plan_message(request_id, *version, plan, changes, intent, footer),
        Card::Audit { verdict } => {
            let c = AuditCard::new(verdict);
            let color = match verdict.decision {
                Decision::Approved | Decision::AutoFixed => GREEN,
                Decision::ApprovedWithWarnings => YELLOW,
                Decision::Escalated => ORANGE,
                Decision::Vetoed => RED,
            };
            let checks = c.checks.iter().map(|r| crate::cards::CheckRow { mark: r.mark, rule: md(&r.rule), summary: md(&r.summary) }).collect();
            let description = text(&AuditText { checks, findings: c.findings.iter().map(|f| md(f)).collect() });
            let mut fields = vec![field("Monthly cost", c.total.clone(), true)];
            if c.escalated && !c.approvers.is_empty() {
                fields.push(field("Needs approval from", md(&c.approvers), true));
            }
            fields.push(field("Signed", if c.signed { format!("yes · plan {}", code(&c.plan_hash)) } else { "no".into() }, true));
            let mut out = OutMessage { embeds: vec![OutEmbed { title: format!("Audit: {}", c.headline), description, color, fields, footer }], ..OutMessage::default() };
            if out.embeds[0].size() > limits::EMBED_TOTAL || chars(&out.embeds[0].description) > limits::EMBED_DESCRIPTION {
                out.files.push(Upload { filename: format!("{request_id}-audit.txt"), data: c.render().unwrap_or_default().into_bytes() });
            }
            out
        }
        Card::Escalation { role, conversation } => {
            let c = EscalationCard::new(role, conversation);
            let description = text(&EscalationText {
                requester: md(&c.requester),
                request: md(&c.request).replace('\n', "\n> "),
                golden_path: md(&c.golden_path),
                version: c.version,
                environment: md(&c.environment),
                resources: c.resources,
                total: c.total.clone(),
                reasons: c.reasons.iter().map(|r| md(r)).collect(),
            });
            let rid = &conversation.request_id;
            OutMessage {
                content: format!("Approval needed from **{}** for {}", md(role), md(rid)),
                embeds: vec![OutEmbed { title: format!("{rid} needs {role}"), description, color: ORANGE, fields: vec![], footer: format!("paved · {rid}") }],
                rows: vec![vec![
                    button(&format!("Approve as {role}"), rid, c.version, Button::Grant { role: role.clone() }, Style::Success),
                    button("Reject", rid, c.version, Button::Reject { role: role.clone(), reason: None }, Style::Danger),
                ]],
                files: vec![],
            }
        }
        Card::ModifyForm { version } => OutMessage {
            content: format!("To change plan v{version}, press **Modify** on it, or answer with `/pave request:` in this thread."),
            ..OutMessage::default()
        },
        Card::Summary { conversation, created, drift } => {
            let c = SummaryCard::new(conversation, created, drift);
            let description = text(&SummaryText {
                created: c.created.iter().map(|s| code(s)).collect(),
                endpoints: c.endpoints.iter().map(|s| code(s)).collect(),
                monitoring: c.monitoring.iter().map(|s| code(s)).collect(),
                drift: c.drift.iter().map(|s| md(s)).collect(),
                next_steps: c.next_steps.clone(),
            });
            let fields = vec![
                field("Golden path", md(&c.golden_path), true),
                field("Environment", md(&c.environment), true),
                field("Region", md(&c.region), true),
                field("Monthly cost", c.total.clone(), true),
            ];
            let mut out = OutMessage {
                embeds: vec![OutEmbed { title: format!("Deployed {}", c.request_id), description, color: GREEN, fields, footer }],
                ..OutMessage::default()
            };
            if chars(&out.embeds[0].description) > limits::EMBED_DESCRIPTION || out.embeds[0].size() > limits::EMBED_TOTAL {
                out.files.push(Upload { filename: format!("{}-summary.txt", c.request_id), data: c.render().unwrap_or_default().into_bytes() });
            }
            out
        }
        Card::Failure { request_id: id, error, created } => {
            let description = text(&FailureText { request_id: code(id), error: md(error), created: created.iter().map(|s| code(s)).collect() });
            OutMessage { embeds: vec![OutEmbed { title: format!("Deployment of {id} failed"), description, color: RED, fields: vec![], footer }], ..OutMessage::default() }
        }
        Card::Notice { text } => OutMessage { content: text.clone(), ..OutMessage::default() },
    };
    out.fit()
}

fn plan_message(request_id: &str, version: i64, plan: &paved_core::Plan, changes: &[String], intent: &paved_core::Intent, footer: String) -> OutMessage {
    let c = PlanCard::new(plan, &intent.compliance, None);
    let changes: Vec<String> = changes.iter().map(|ch| md(ch)).collect();
    let full = text(&PlanText {
        rows: c
            .rows
            .iter()
            .map(|r| PlanLine {
                address: code(r.address.trim()),
                action: md(r.action.trim()),
                cost: r.cost.trim().to_string(),
                why: md(&r.why),
                note: r.note.as_deref().map(md),
            })
            .collect(),
        changes: changes.clone(),
    });
    let fields = vec![
        field("Monthly cost", c.total.clone(), true),
        field("Environment", md(&c.environment), true),
        field("Region", md(&c.region), true),
        field("Compliance", md(&c.compliance), true),
    ];
    let title = format!("Plan v{version} · {} {}", c.golden_path, c.version);
    let mut embed = OutEmbed { title, description: full, color: BLURPLE, fields, footer };
    let mut files = Vec::new();
    if c.rows.len() > MAX_PLAN_ROWS || chars(&embed.description) > limits::EMBED_DESCRIPTION || embed.size() > limits::EMBED_TOTAL {
        let filename = format!("{request_id}-plan-v{version}.txt");
        let mut kinds: Vec<KindLine> = Vec::new();
        for r in &plan.resources {
            match kinds.iter_mut().find(|k| k.kind == r.kind) {
                Some(k) => {
                    k.count += 1;
                    k.cost = crate::cards::usd(parse_usd(&k.cost) + r.monthly_cost_usd);
                }
                None => kinds.push(KindLine { kind: code(&r.kind), count: 1, cost: crate::cards::usd(r.monthly_cost_usd) }),
            }
        }
        embed.description = text(&PlanSummaryText { resources: plan.resources.len(), filename: filename.clone(), kinds, changes });
        files.push(Upload { filename, data: c.render().unwrap_or_default().into_bytes() });
    }
    OutMessage {
        content: String::new(),
        embeds: vec![embed],
        rows: vec![vec![
            button("Approve", request_id, version, Button::Approve, Style::Success),
            button("Modify", request_id, version, Button::Modify, Style::Secondary),
            button("Cancel", request_id, version, Button::Cancel, Style::Danger),
        ]],
        files,
    }
}

/// Reads back a `$1,234.56` this module wrote.
fn parse_usd(s: &str) -> f64 {
    s.chars().filter(|c| c.is_ascii_digit() || *c == '.' || *c == '-').collect::<String>().parse().unwrap_or(0.0)
}

fn icon(status: ProgressStatus) -> &'static str {
    match status {
        ProgressStatus::Pending => "⏳",
        ProgressStatus::Creating | ProgressStatus::Updating | ProgressStatus::Replacing | ProgressStatus::Deleting => "🔄",
        ProgressStatus::Done => "✅",
        ProgressStatus::Failed => "❌",
        ProgressStatus::RolledBack => "↩️",
    }
}

/// The progress message of a deployment.
pub fn progress(board: &ProgressBoard) -> OutMessage {
    let mut rows: Vec<ProgressLine> = board.rows.iter().map(|(a, s)| ProgressLine { icon: icon(*s), address: code(a), status: s.as_str() }).collect();
    let mut hidden = 0;
    // Fold finished rows first so that what is still moving stays visible.
    while rows.len() > MAX_PROGRESS_ROWS {
        match rows.iter().position(|r| r.status == "done") {
            Some(i) => {
                rows.remove(i);
                hidden += 1;
            }
            None => {
                rows.truncate(MAX_PROGRESS_ROWS);
                break;
            }
        }
    }
    let description = text(&ProgressText { bar: board.bar(20), rows, hidden });
    let (title, color) = match (board.finished, board.failed()) {
        (false, _) => (format!("Deploying {}", board.request_id), BLURPLE),
        (true, 0) => (format!("Finished {}", board.request_id), GREEN),
        (true, _) => (format!("Stopped {}", board.request_id), RED),
    };
    OutMessage { embeds: vec![OutEmbed { title, description, color, fields: vec![], footer: String::new() }], ..OutMessage::default() }.fit()
}

/// A neutral embed colour for notices that need one.
pub const NOTICE_COLOR: u32 = GREY;
