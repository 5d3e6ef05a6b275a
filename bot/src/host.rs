//! The host around the conversation engine: it stores conversations (compare-and-set), carries
//! out the engine's effects (the audit and the executor through the queue, cards through the chat
//! platforms), feeds verdicts and deployment results back in, and expires escalations.
//!
//! Restart-safe by construction: every state change and the messages it causes commit together,
//! and the queue re-delivers whatever a crashed process was working on.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use paved_core::message::{
    AuditContextV1, AuditRequestV1, ExecuteRequestV1, Message, ProgressStatus, ProgressV1, TOPIC_EXECUTOR,
    TOPIC_ORCHESTRATOR,
};
use paved_core::signing::VerifyingKey;
use paved_core::trail::{TrailEntry, kinds};
use paved_core::{Resource, ResourceAction};
use paved_executor::{DeployContext, Executor, Outcome, Provider};
use paved_planner::{IpamAllocation, PlanningContext};
use paved_store::{ApprovalDecision, ConversationIndex, Db, Delivery, RetryPolicy, StoreError, Tx};
use serde_json::json;
use tokio::sync::mpsc;

use crate::chat::{ChatPlatform, ProgressBoard};
use crate::engine::{Button, Card, Conversation, Directory, Effect, Engine, Event, Stage, Step, Thread, User};
use crate::ledger::DbLedger;
use crate::policies::Policies;

/// Why the host could not do what it was asked.
#[derive(Debug, thiserror::Error)]
pub enum HostError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("there is no request {0}")]
    UnknownRequest(String),
    #[error("the stored conversation of {0} cannot be read: {1}")]
    Corrupt(String, String),
    #[error("{0}")]
    Refused(String),
    #[error("the request kept changing under us; try again")]
    Contended,
}

/// A deployed request whose golden path has moved on, and what upgrading it would change.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Upgrade {
    pub request_id: String,
    #[serde(skip)]
    pub requester: User,
    #[serde(skip)]
    pub thread: Thread,
    pub service: String,
    pub environment: String,
    pub golden_path: String,
    /// The version it was built with, and the one shipped now.
    pub from: String,
    pub to: String,
    /// The request an offer makes, in words.
    pub text: String,
    #[serde(skip)]
    intent: paved_core::Intent,
    /// What the upgrade would create and change; `None` when nothing can be planned.
    pub plan: Option<paved_core::Plan>,
    /// Why no plan could be made (nothing changes for this deployment, or a question).
    pub unplannable: Option<String>,
    #[serde(skip)]
    marker: String,
}

/// The answer to a new request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submitted {
    pub request_id: String,
}

/// The answer to an event: a refusal to show the user only, or a form to open.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Dispatched {
    pub refused: Option<String>,
    /// The Modify form must be opened for this plan version.
    pub open_form: Option<i64>,
}

/// What an event would do to a request as it is stored now, decided without writing. A chat
/// adapter answers from it at once (Discord waits 3 s at most) and records the event afterwards:
/// a refusal with [`Host::record_refusal`], anything else with [`Host::dispatch_once`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Preview {
    /// The engine refuses the event; the user is told why.
    Refused { user: String, reason: String },
    /// The Modify form opens for this plan version.
    OpenForm(i64),
    /// The event goes through, unless the request changes before it is stored.
    Proceeds,
}

/// Whether the engine plans again for this event (answers, modifications), and so needs the
/// planning context.
fn plans_again(event: &Event) -> bool {
    matches!(event, Event::Said { .. } | Event::Modified { .. })
}

/// The plan version whose Modify form an event's effects open.
fn form_of(effects: &[Effect]) -> Option<i64> {
    effects.iter().find_map(|e| match e {
        Effect::Post(Card::ModifyForm { version }) => Some(*version),
        _ => None,
    })
}

/// What the host is configured with.
pub struct HostConfig {
    pub directory: Directory,
    /// Roll back a failed deployment at once instead of offering it.
    pub auto_rollback: bool,
    /// How long a consumer holds a queue message before it is delivered again.
    pub lease: Duration,
}

impl Default for HostConfig {
    fn default() -> Self {
        HostConfig { directory: Directory::default(), auto_rollback: false, lease: Duration::from_secs(600) }
    }
}

/// The deployment side of the host, type-erased so that the host runs any provider.
trait Deployer: Send + Sync {
    fn deploy<'a>(&'a self, ctx: &'a DeployContext, plan: &'a paved_core::Plan, progress: mpsc::UnboundedSender<ProgressV1>) -> BoxFuture<'a, DeployResult>;
    fn rollback<'a>(&'a self, ctx: &'a DeployContext, progress: mpsc::UnboundedSender<ProgressV1>) -> BoxFuture<'a, DeployResult>;
    fn ledger(&self) -> &DbLedger;
}

type BoxFuture<'a, T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send + 'a>>;

/// What a deployment or rollback did, in the engine's terms.
struct DeployResult {
    completed: bool,
    error: Option<String>,
    addresses: Vec<String>,
    drift: Vec<String>,
}

struct ExecutorDeployer<P: Provider> {
    provider: Arc<P>,
    ledger: Arc<DbLedger>,
}

impl<P: Provider> Deployer for ExecutorDeployer<P> {
    fn deploy<'a>(&'a self, ctx: &'a DeployContext, plan: &'a paved_core::Plan, progress: mpsc::UnboundedSender<ProgressV1>) -> BoxFuture<'a, DeployResult> {
        Box::pin(async move {
            let executor = Executor::new(Arc::clone(&self.provider), Arc::clone(&self.ledger)).with_progress(progress);
            match executor.deploy(ctx, plan).await {
                Ok(report) => {
                    let mut addresses = report.already_done.clone();
                    addresses.extend(report.applied.iter().cloned());
                    match report.outcome {
                        Outcome::Completed => {
                            let drift = match executor.verify(ctx, plan).await {
                                Ok(d) => d.into_iter().map(|d| format!("{} {}: expected {}, found {}", d.address, d.attribute.unwrap_or_default(), d.expected, d.actual)).collect(),
                                Err(e) => vec![format!("verification failed: {e}")],
                            };
                            DeployResult { completed: true, error: None, addresses, drift }
                        }
                        Outcome::Failed { address, error } => DeployResult { completed: false, error: Some(format!("{address}: {error}")), addresses, drift: vec![] },
                    }
                }
                Err(e) => DeployResult { completed: false, error: Some(e.to_string()), addresses: vec![], drift: vec![] },
            }
        })
    }

    fn rollback<'a>(&'a self, ctx: &'a DeployContext, progress: mpsc::UnboundedSender<ProgressV1>) -> BoxFuture<'a, DeployResult> {
        Box::pin(async move {
            let executor = Executor::new(Arc::clone(&self.provider), Arc::clone(&self.ledger)).with_progress(progress);
            match executor.rollback(ctx).await {
                Ok((Outcome::Completed, deleted)) => DeployResult { completed: true, error: None, addresses: deleted, drift: vec![] },
                Ok((Outcome::Failed { address, error }, deleted)) => DeployResult { completed: false, error: Some(format!("{address}: {error}")), addresses: deleted, drift: vec![] },
                Err(e) => DeployResult { completed: false, error: Some(e.to_string()), addresses: vec![], drift: vec![] },
            }
        })
    }

    fn ledger(&self) -> &DbLedger {
        &self.ledger
    }
}

/// A deployment's progress message and when it was last sent.
struct BoardState {
    board: ProgressBoard,
    thread: Thread,
    last_sent: Option<Instant>,
}

/// The conversation host.
pub struct Host {
    db: Db,
    policies: Arc<Policies>,
    directory: Directory,
    audit_key: VerifyingKey,
    auto_rollback: bool,
    lease: Duration,
    platforms: RwLock<BTreeMap<String, Arc<dyn ChatPlatform>>>,
    deployer: Box<dyn Deployer>,
    boards: Mutex<HashMap<String, BoardState>>,
    /// Conversations as last read, with their revision: a press is answered from the stored
    /// state without reading and parsing it again while it has not changed.
    read: Mutex<HashMap<String, (i64, Arc<Conversation>)>>,
}

/// How many conversations [`Host::preview`] keeps parsed; past it the copies start over.
const READ_CACHE: usize = 512;

/// How many times a write retries after losing a compare-and-set race.
const CAS_ATTEMPTS: usize = 5;
/// The queue topic of what a conversation shows in chat (cards, escalations, private notes):
/// each is stored with the state change that causes it, leased to the process that made it,
/// shown right after the commit and then completed. One that process did not complete (it
/// stopped in between, or the platform failed) is shown by [`Host::drain`] once its lease ran out.
const TOPIC_CHAT: &str = "chat";
const CHAT_EFFECT_KIND: &str = "chat.effect.v1";
/// How long the process that stored a card has to show it before another process does.
const CARD_LEASE: Duration = Duration::from_secs(120);

/// One effect on its way to a chat platform, as the queue holds it.
#[derive(serde::Serialize, serde::Deserialize)]
struct ChatEffectV1 {
    request_id: String,
    effect: Effect,
}

/// An effect to show, with its entry in the queue.
type Staged = (Delivery, Effect);

/// Whether an effect is something a chat platform shows (the Modify form is opened by the
/// adapter itself, in answer to the press).
fn shown_in_chat(e: &Effect) -> bool {
    match e {
        Effect::Post(Card::ModifyForm { .. }) => false,
        Effect::Post(_) | Effect::PostToRole { .. } | Effect::Whisper { .. } => true,
        Effect::Audit | Effect::Execute | Effect::Lock | Effect::Unlock => false,
    }
}

/// Stores the effects a conversation shows in chat, leased to this process, in `tx`.
async fn stage(tx: &mut Tx, request_id: &str, effects: &[Effect]) -> Result<Vec<Staged>, HostError> {
    let mut out = Vec::new();
    for effect in effects.iter().filter(|e| shown_in_chat(e)) {
        let payload = serde_json::to_string(&ChatEffectV1 { request_id: request_id.to_string(), effect: effect.clone() })
            .map_err(|e| HostError::Corrupt(request_id.to_string(), e.to_string()))?;
        out.push((tx.enqueue_leased(TOPIC_CHAT, CHAT_EFFECT_KIND, &payload, CARD_LEASE).await?, effect.clone()));
    }
    Ok(out)
}
/// Progress messages are edited at most this often per deployment.
const PROGRESS_INTERVAL: Duration = Duration::from_secs(1);

impl Host {
    pub fn new<P: Provider>(db: Db, policies: Arc<Policies>, audit_key: VerifyingKey, provider: P, config: HostConfig) -> Host {
        let ledger = Arc::new(DbLedger::new(db.clone()));
        Host {
            db,
            policies,
            directory: config.directory,
            audit_key,
            auto_rollback: config.auto_rollback,
            lease: config.lease,
            platforms: RwLock::new(BTreeMap::new()),
            deployer: Box::new(ExecutorDeployer { provider: Arc::new(provider), ledger }),
            boards: Mutex::new(HashMap::new()),
            read: Mutex::default(),
        }
    }

    /// Adds a chat platform; conversations whose thread names it are delivered through it.
    pub fn register(&self, platform: Arc<dyn ChatPlatform>) {
        if let Ok(mut p) = self.platforms.write() {
            p.insert(platform.name().to_string(), platform);
        }
    }

    pub fn db(&self) -> &Db {
        &self.db
    }

    pub fn directory(&self) -> &Directory {
        &self.directory
    }

    fn platform(&self, name: &str) -> Option<Arc<dyn ChatPlatform>> {
        self.platforms.read().ok().and_then(|p| p.get(name).cloned())
    }

    fn engine(&self) -> Engine<'_> {
        Engine::new(self.policies.pipeline(), &self.directory)
    }

    /// What planning needs to know about the world: IPAM allocations made so far.
    async fn planning_context(&self) -> Result<PlanningContext, HostError> {
        let allocations = self
            .db
            .ipam_allocations()
            .await?
            .into_iter()
            .map(|r| IpamAllocation { cidr: r.cidr, segment: r.segment, owner: r.owner })
            .collect();
        Ok(PlanningContext { allocations, ..PlanningContext::default() })
    }

    /// The planning context of a request: IPAM allocations, and for a change (modify, scale,
    /// delete, rollback) what earlier requests created, or what the rolled-back request did.
    /// Read before any write transaction begins: on SQLite a read through the pool while this
    /// task holds the writer would wait for a connection the writers hold.
    async fn context_for(&self, intent: &paved_core::Intent, this_request: Option<&str>) -> Result<PlanningContext, HostError> {
        let mut ctx = self.planning_context().await?;
        if intent.action == paved_core::Action::Create {
            return Ok(ctx);
        }
        let ids = match (intent.action, intent.details.request_ids.first()) {
            (paved_core::Action::Rollback, Some(id)) => vec![id.clone()],
            _ => self.db.conversations_in(&[Stage::Completed.as_str(), Stage::Failed.as_str()]).await?,
        };
        // Each request's resources, oldest request first, with the cloud's id of each.
        let mut rows: Vec<(String, Resource)> = Vec::new();
        for id in ids.into_iter().filter(|id| Some(id.as_str()) != this_request) {
            let deployed = self.db.deployed_resources(&id).await?;
            if deployed.is_empty() {
                continue;
            }
            // Where that request deployed: a change to its resources acts there.
            let region = match self.current(&id).await {
                Ok(c) => c.verdict.as_ref().map(|v| v.plan.region.clone()).or_else(|| c.current().map(|p| p.plan.region.clone())),
                Err(HostError::UnknownRequest(_)) => None,
                Err(e) => return Err(e),
            };
            for r in deployed {
                let mut resource = Resource::new(&r.kind, r.address.split_once('.').map(|(_, n)| n).unwrap_or(&r.address), ResourceAction::Create);
                if let serde_json::Value::Object(m) = r.attributes {
                    resource.values = m;
                }
                // The planner finds what one request created by this tag.
                if let Some(serde_json::Value::Object(tags)) = resource.values.get_mut("tags") {
                    tags.insert("paved:request".into(), serde_json::Value::String(id.clone()));
                    if let Some(region) = &region {
                        tags.insert(paved_planner::REGION_TAG.into(), serde_json::Value::String(region.clone()));
                    }
                }
                resource.depends_on = r.depends_on;
                rows.push((r.physical_id, resource));
            }
        }
        // A resource a later request changed (scaled, modified) is recorded once per request; what
        // it is now is what the latest of them left, whichever request a change names.
        let mut now: HashMap<String, serde_json::Map<String, serde_json::Value>> = HashMap::new();
        for (physical, r) in rows.iter().filter(|(p, _)| !p.is_empty()) {
            now.insert(physical.clone(), r.values.clone());
        }
        for (physical, mut r) in rows {
            if let Some(latest) = now.get(&physical) {
                for (k, v) in latest.iter().filter(|(k, _)| k.as_str() != "tags") {
                    r.values.insert(k.clone(), v.clone());
                }
            }
            ctx.inventory.push(r);
        }
        Ok(ctx)
    }

    /// The context an event needs: only words (answers, modifications) make the engine plan again.
    async fn event_context(&self, request_id: &str, event: &Event) -> Result<PlanningContext, HostError> {
        if !plans_again(event) {
            return Ok(PlanningContext::default());
        }
        let c = self.conversation(request_id).await?;
        let mut ctx = self.context_for(&c.intent, Some(request_id)).await?;
        ctx.keep_sizes = c.upgrades.is_some();
        Ok(ctx)
    }

    /// [`Host::event_context`] for a conversation already loaded.
    async fn context_of(&self, c: &Conversation, event: &Event) -> Result<PlanningContext, HostError> {
        if !plans_again(event) {
            return Ok(PlanningContext::default());
        }
        let mut ctx = self.context_for(&c.intent, Some(&c.request_id)).await?;
        ctx.keep_sizes = c.upgrades.is_some();
        Ok(ctx)
    }

    /// A new request from `requester` in `thread`: understood, planned, stored, and answered with
    /// the understanding and plan cards (or questions).
    pub async fn submit(&self, requester: User, thread: Thread, text: &str) -> Result<Submitted, HostError> {
        self.submit_inner(None, requester, thread, text, None).await?.ok_or(HostError::Contended)
    }

    /// [`Host::submit`] for a chat delivery that may arrive twice: the delivery id is recorded in
    /// the same transaction as the request, and `None` means it was handled before.
    pub async fn submit_once(&self, delivery: &str, requester: User, thread: Thread, text: &str) -> Result<Option<Submitted>, HostError> {
        self.submit_inner(Some(delivery), requester, thread, text, None).await
    }

    async fn submit_inner(&self, delivery: Option<&str>, requester: User, thread: Thread, text: &str, offer: Option<(paved_core::Intent, String)>) -> Result<Option<Submitted>, HostError> {
        let text = crate::pipeline::check_request(text).map_err(|e| HostError::Refused(e.0))?.to_string();
        // Understand first (pure), read what planning needs, then write everything in one go.
        let intent = match &offer {
            Some((intent, _)) => intent.clone(),
            None => self.policies.pipeline().understand(&text),
        };
        let mut ctx = self.context_for(&intent, None).await?;
        // An upgrade keeps the sizes people chose since the deployment.
        ctx.keep_sizes = offer.is_some();
        let mut tx = self.db.begin().await?;
        if let Some(id) = delivery
            && !tx.first_delivery(id).await?
        {
            tx.rollback().await?;
            return Ok(None);
        }
        let request_id = tx.create_request(&requester.id, &format!("{}:{}", thread.platform, thread.channel), &text).await?;
        let (conversation, effects) = match offer {
            Some((intent, upgrades)) => {
                let (mut c, effects) = self.engine().start_understood(&request_id, requester, thread, &text, intent, &ctx).map_err(HostError::Refused)?;
                c.upgrades = Some(upgrades);
                (c, effects)
            }
            None => self.engine().start(&request_id, requester, thread, &text, &ctx).map_err(HostError::Refused)?,
        };
        tx.save_intent("paved", &request_id, &conversation.intent).await?;
        self.record_new_plans(&mut tx, None, &conversation).await?;
        if !tx.save_conversation(&request_id, 0, &index(&conversation), &doc(&conversation)?).await? {
            return Err(HostError::Contended);
        }
        let staged = stage(&mut tx, &request_id, &effects).await?;
        tx.commit().await?;
        self.deliver(&conversation, staged).await;
        Ok(Some(Submitted { request_id }))
    }

    /// Deployed requests built on an older version of their golden path than the one the
    /// platform team ships now, each with what upgrading it would change. An upgrade already
    /// offered for that version (whatever became of it) is not listed again.
    pub async fn upgrades(&self) -> Result<Vec<Upgrade>, HostError> {
        let mut offered = std::collections::BTreeSet::new();
        let mut deployed = Vec::new();
        for id in self.db.conversations_in(&Stage::ALL.map(Stage::as_str)).await? {
            let c = self.current(&id).await?;
            if let Some(u) = &c.upgrades {
                offered.insert(u.clone());
            }
            if c.stage == Stage::Completed && c.intent.action == paved_core::Action::Create {
                deployed.push(c);
            }
        }
        let mut out = Vec::new();
        // What exists, once for every upgrade: a change names no request to roll back, so its
        // context is every deployed request's resources.
        let mut ctx: Option<PlanningContext> = None;
        for c in deployed {
            let Some(verdict) = &c.verdict else { continue };
            let Some(path) = verdict.plan.golden_path.as_deref().and_then(|p| self.policies.catalog.path(p)) else { continue };
            let marker = format!("{}@{}", c.request_id, path.version);
            if path.version == verdict.plan.golden_path_version || offered.contains(&marker) || self.db.deployed_resources(&c.request_id).await?.is_empty() {
                continue;
            }
            let service = verdict.plan.resources.iter().find_map(|r| r.values.get("tags").and_then(|t| t.get("paved:service")).and_then(|v| v.as_str())).unwrap_or(&path.default_service).to_string();
            let text = format!(
                "upgrade {} (`{service}` in {}) to golden path {} {}",
                c.request_id, verdict.plan.environment, path.id, path.version
            );
            // The request as first understood, now a change to what it built.
            let mut intent = c.intent.clone();
            intent.action = paved_core::Action::Modify;
            intent.golden_path = None;
            intent.service = None;
            intent.details.request_ids = vec![c.request_id.clone()];
            intent.details.goal = format!("upgrade {} to {} {}", c.request_id, path.id, path.version);
            intent.clarifications.clear();
            if ctx.is_none() {
                let mut first = self.context_for(&intent, None).await?;
                first.keep_sizes = true;
                ctx = Some(first);
            }
            let Some(ctx) = &ctx else { continue };
            let planned = self.policies.pipeline().plan(intent.clone(), ctx);
            let (plan, question) = match planned {
                Ok(out) => (out.plan, out.intent.clarifications.first().cloned()),
                Err(e) => (None, Some(e.0)),
            };
            out.push(Upgrade {
                request_id: c.request_id.clone(),
                requester: c.requester.clone(),
                thread: c.thread.clone(),
                service,
                environment: verdict.plan.environment.to_string(),
                golden_path: path.id.clone(),
                from: verdict.plan.golden_path_version.clone(),
                to: path.version.clone(),
                text,
                intent,
                plan,
                unplannable: question,
                marker,
            });
        }
        Ok(out)
    }

    /// Offers an upgrade to its requester: a new request in the original thread, planned and
    /// shown like any other, which they approve (through the audit) or cancel.
    pub async fn offer_upgrade(&self, upgrade: &Upgrade) -> Result<Submitted, HostError> {
        self.submit_inner(None, upgrade.requester.clone(), upgrade.thread.clone(), &upgrade.text, Some((upgrade.intent.clone(), upgrade.marker.clone())))
            .await?
            .ok_or(HostError::Contended)
    }

    /// Which request a chat thread belongs to.
    pub async fn request_for_thread(&self, thread: &Thread) -> Result<Option<String>, HostError> {
        Ok(self.db.conversation_for_thread(&thread.platform, &thread.channel, &thread.thread).await?)
    }

    /// Records a chat delivery id; false when it was handled before (a retry or a duplicate).
    pub async fn first_delivery(&self, id: &str) -> Result<bool, HostError> {
        let mut tx = self.db.begin().await?;
        let first = tx.first_delivery(id).await?;
        tx.commit().await?;
        Ok(first)
    }

    /// Loads a conversation.
    pub async fn conversation(&self, request_id: &str) -> Result<Conversation, HostError> {
        let stored = self.db.conversation(request_id).await?.ok_or_else(|| HostError::UnknownRequest(request_id.to_string()))?;
        serde_json::from_value(stored.doc).map_err(|e| HostError::Corrupt(request_id.to_string(), e.to_string()))
    }

    /// Applies an event to a request: decided by the engine, stored with compare-and-set, its
    /// effects carried out.
    pub async fn dispatch(&self, request_id: &str, event: Event) -> Result<Dispatched, HostError> {
        self.dispatch_inner(None, request_id, &event).await?.ok_or(HostError::Contended)
    }

    /// [`Host::dispatch`] for a chat delivery that may arrive twice: the delivery id is recorded in
    /// the same transaction as the event, and `None` means it was handled before.
    pub async fn dispatch_once(&self, delivery: &str, request_id: &str, event: Event) -> Result<Option<Dispatched>, HostError> {
        self.dispatch_inner(Some(delivery), request_id, &event).await
    }

    /// What `event` would do to the request as stored now, decided by the engine without
    /// writing anything. A change lock held by another request is found only when the event is
    /// stored.
    pub async fn preview(&self, request_id: &str, event: &Event) -> Result<Preview, HostError> {
        let c = self.current(request_id).await?;
        let ctx = self.context_of(&c, event).await?;
        Ok(match self.engine().handle(&c, event, self.db.now_ms(), &ctx) {
            Step::Refused { user, reason } => Preview::Refused { user, reason },
            Step::Next { effects, .. } => form_of(&effects).map(Preview::OpenForm).unwrap_or(Preview::Proceeds),
        })
    }

    /// The conversation as stored now, parsed once per revision.
    async fn current(&self, request_id: &str) -> Result<Arc<Conversation>, HostError> {
        let revision = self.db.conversation_revision(request_id).await?.ok_or_else(|| HostError::UnknownRequest(request_id.to_string()))?;
        if let Some(c) = self.read.lock().ok().and_then(|m| m.get(request_id).filter(|(r, _)| *r == revision).map(|(_, c)| Arc::clone(c))) {
            return Ok(c);
        }
        let stored = self.db.conversation(request_id).await?.ok_or_else(|| HostError::UnknownRequest(request_id.to_string()))?;
        let c: Arc<Conversation> = Arc::new(serde_json::from_value(stored.doc).map_err(|e| HostError::Corrupt(request_id.to_string(), e.to_string()))?);
        if let Ok(mut m) = self.read.lock() {
            if m.len() >= READ_CACHE {
                m.clear();
            }
            m.insert(request_id.to_string(), (stored.revision, Arc::clone(&c)));
        }
        Ok(c)
    }

    /// Records a refusal already told to the user (see [`Host::preview`]), with the delivery id
    /// when there is one; false when that delivery was handled before.
    pub async fn record_refusal(&self, delivery: Option<&str>, user: &str, request_id: &str, event: &Event, reason: &str) -> Result<bool, HostError> {
        let mut tx = self.db.begin().await?;
        if let Some(id) = delivery
            && !tx.first_delivery(id).await?
        {
            tx.rollback().await?;
            return Ok(false);
        }
        tx.append(TrailEntry::new(user, Some(request_id), "event.refused", json!({"event": event.kind(), "reason": reason}))).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn dispatch_inner(&self, delivery: Option<&str>, request_id: &str, event: &Event) -> Result<Option<Dispatched>, HostError> {
        let ctx = self.event_context(request_id, event).await?;
        for _ in 0..CAS_ATTEMPTS {
            let mut tx = self.db.begin().await?;
            if let Some(id) = delivery
                && !tx.first_delivery(id).await?
            {
                tx.rollback().await?;
                return Ok(None);
            }
            match self.decide_in(&mut tx, request_id, event, &ctx).await? {
                Decided::Lost => {
                    tx.rollback().await?;
                    continue;
                }
                Decided::Refused(user, reason) => {
                    tx.append(TrailEntry::new(&user, Some(request_id), "event.refused", json!({"event": event.kind(), "reason": reason})))
                        .await?;
                    tx.commit().await?;
                    return Ok(Some(Dispatched { refused: Some(reason), open_form: None }));
                }
                Decided::Done(conversation, effects, staged) => {
                    tx.commit().await?;
                    let open_form = form_of(&effects);
                    self.deliver(&conversation, staged).await;
                    return Ok(Some(Dispatched { refused: None, open_form }));
                }
            }
        }
        Err(HostError::Contended)
    }

    /// Decides an event inside a transaction and stores the outcome and its messages there.
    async fn decide_in(&self, tx: &mut Tx, request_id: &str, event: &Event, ctx: &PlanningContext) -> Result<Decided, HostError> {
        let stored = tx.conversation(request_id).await?.ok_or_else(|| HostError::UnknownRequest(request_id.to_string()))?;
        let before: Conversation = serde_json::from_value(stored.doc).map_err(|e| HostError::Corrupt(request_id.to_string(), e.to_string()))?;
        let now = tx.now_ms();
        let (mut after, effects) = match self.engine().handle(&before, event, now, ctx) {
            Step::Refused { user, reason } => return Ok(Decided::Refused(user, reason)),
            Step::Next { conversation, effects } => (conversation, effects),
        };
        // The change lock: refuse the approval while another request changes the same target.
        if effects.contains(&Effect::Lock) {
            let key = after.lock_key();
            if let Some((holder, who)) = tx.take_lock(&key, request_id, &after.requester.name).await? {
                let user = match event {
                    Event::Pressed { user, .. } => user.id.clone(),
                    _ => after.requester.id.clone(),
                };
                return Ok(Decided::Refused(user, format!("{key} is being changed by {holder} ({who}); approve again when it has finished.")));
            }
            after.lock = Some(key);
        }
        if effects.contains(&Effect::Unlock) {
            tx.release_locks(request_id).await?;
            after.lock = None;
        }
        self.record_event(tx, &before, &after, event).await?;
        self.record_new_plans(tx, Some(&before), &after).await?;
        for effect in &effects {
            match effect {
                Effect::Audit => {
                    let plan = after.current().ok_or_else(|| HostError::Refused("there is no plan to audit".into()))?;
                    let message = Message::AuditRequest(AuditRequestV1 {
                        request_id: request_id.to_string(),
                        plan_version: plan.version,
                        request_text: after.audit_text(),
                        plan: plan.plan.clone(),
                        plan_hash: plan.hash.clone(),
                        context: AuditContextV1 { deployed: false, confirmed_deletion: after.deletion_confirmed, change_ticket: after.change_ticket.clone() },
                    });
                    tx.enqueue(&message).await?;
                    tx.append(TrailEntry::new("paved", Some(request_id), kinds::AUDIT_REQUESTED, json!({"plan_version": plan.version, "plan_hash": plan.hash})))
                        .await?;
                }
                Effect::Execute => {
                    let verdict = after.verdict.clone().ok_or_else(|| HostError::Refused("there is no verdict to execute".into()))?;
                    let message = Message::ExecuteRequest(ExecuteRequestV1 {
                        request_id: request_id.to_string(),
                        plan_version: after.current_version(),
                        plan: verdict.plan.clone(),
                        verdict,
                    });
                    tx.enqueue(&message).await?;
                }
                Effect::PostToRole { role, .. } => {
                    tx.append(TrailEntry::new("paved", Some(request_id), kinds::ESCALATION_POSTED, json!({"role": role, "plan_version": after.current_version()})))
                        .await?;
                }
                _ => {}
            }
        }
        if !tx.save_conversation(request_id, stored.revision, &index(&after), &doc(&after)?).await? {
            return Ok(Decided::Lost);
        }
        tx.set_request_status(request_id, after.stage.as_str()).await?;
        let staged = stage(tx, request_id, &effects).await?;
        Ok(Decided::Done(after, effects, staged))
    }

    /// Stores plan versions the conversation gained.
    async fn record_new_plans(&self, tx: &mut Tx, before: Option<&Conversation>, after: &Conversation) -> Result<(), HostError> {
        let known = before.map(|b| b.plans.len()).unwrap_or(0);
        for p in after.plans.iter().skip(known) {
            let reason = p.instruction.clone().unwrap_or_else(|| "planned from the request".into());
            let stored = tx.add_plan_version(&after.requester.id, &after.request_id, &p.plan, &reason).await?;
            if stored.version != p.version || stored.plan_hash != p.hash {
                return Err(HostError::Corrupt(after.request_id.clone(), format!("plan version {} was stored as {}", p.version, stored.version)));
            }
            for r in p.plan.of_type("aws_vpc") {
                if let Some(cidr) = r.str_value("cidr_block") {
                    let segment = r.values.get("tags").and_then(|t| t.get("paved:segment")).and_then(|s| s.as_str()).unwrap_or("unknown");
                    let row = paved_store::IpamRow { cidr: cidr.to_string(), segment: segment.to_string(), owner: after.lock_key(), request_id: Some(after.request_id.clone()) };
                    tx.allocate_cidr(&row).await?;
                }
            }
        }
        Ok(())
    }

    /// Writes the trail record of one event.
    async fn record_event(&self, tx: &mut Tx, before: &Conversation, after: &Conversation, event: &Event) -> Result<(), HostError> {
        let rid = Some(after.request_id.as_str());
        match event {
            Event::Pressed { user, button, version, .. } => {
                tx.append(TrailEntry::new(&user.id, rid, kinds::BUTTON_PRESSED, json!({"button": format!("{button:?}"), "plan_version": version, "stage": after.stage.as_str()})))
                    .await?;
                if let Button::Grant { role } | Button::Reject { role, .. } = button {
                    let decision = if matches!(button, Button::Grant { .. }) { ApprovalDecision::Approve } else { ApprovalDecision::Reject };
                    tx.record_approval(&after.request_id, *version, &user.id, role, decision).await?;
                }
            }
            Event::Said { user, text } => {
                tx.append(TrailEntry::new(&user.id, rid, "message.received", json!({"text": text}))).await?;
            }
            Event::Modified { user, instruction, version } => {
                tx.append(TrailEntry::new(&user.id, rid, "plan.modify_requested", json!({"instruction": instruction, "plan_version": version}))).await?;
            }
            Event::Executed { completed, error, created, drift } => {
                tx.append(TrailEntry::new("paved-executor", rid, kinds::DEPLOYMENT_COMPLETED, json!({"completed": completed, "error": error, "resources": created, "drift": drift})))
                    .await?;
            }
            Event::RolledBack { completed, error, deleted } => {
                tx.append(TrailEntry::new("paved-executor", rid, "rollback.completed", json!({"completed": completed, "error": error, "deleted": deleted}))).await?;
            }
            Event::Tick if after.stage != before.stage => {
                tx.append(TrailEntry::new("paved", rid, "escalation.expired", json!({"plan_version": after.current_version()}))).await?;
            }
            Event::Verdict { .. } | Event::Tick => {}
        }
        if before.intent != after.intent {
            tx.save_intent(&after.requester.id, &after.request_id, &after.intent).await?;
        }
        Ok(())
    }

    /// Shows what a decision stored for chat, in order, and completes each shown one. At the first
    /// the platform fails to show, it stops: that one and the rest are shown again, in order, once
    /// their lease has run out.
    async fn deliver(&self, c: &Conversation, staged: Vec<Staged>) {
        let mut thread = c.thread.clone();
        let mut shown = Vec::with_capacity(staged.len());
        for (delivery, effect) in staged {
            if let Err(e) = self.show(&c.request_id, &mut thread, &effect).await {
                tracing::warn!(request_id = %c.request_id, error = %e, "not shown in chat yet; paved shows it again shortly");
                break;
            }
            shown.push(delivery);
        }
        if shown.is_empty() {
            return;
        }
        let completed: Result<(), StoreError> = async {
            let mut tx = self.db.begin().await?;
            for d in &shown {
                match tx.complete(d).await {
                    // Its lease ran out while the platform was slow: whoever took it over shows it.
                    Ok(()) | Err(StoreError::LeaseLost { .. }) => {}
                    Err(e) => return Err(e),
                }
            }
            tx.commit().await
        }
        .await;
        if let Err(e) = completed {
            tracing::warn!(request_id = %c.request_id, error = %e, "shown in chat but not marked shown; it may be shown twice");
        }
    }

    /// Shows one effect in chat. An error means the platform did not show it and trying again
    /// may; what can never be shown (no channel for a role) is logged and counts as done.
    async fn show(&self, request_id: &str, thread: &mut Thread, effect: &Effect) -> Result<(), String> {
        let Some(platform) = self.platform(&thread.platform) else {
            return Err(format!("no chat platform `{}` is connected", thread.platform));
        };
        match effect {
            Effect::Post(Card::ModifyForm { .. }) => {}
            Effect::Post(card) => {
                let t = platform.post(thread, card).await.map_err(|e| format!("the {} card: {e}", card.kind()))?;
                if t != *thread {
                    *thread = t;
                    if let Err(e) = self.set_thread(request_id, thread).await {
                        tracing::warn!(request_id, error = %e, "could not store the conversation's thread");
                    }
                }
            }
            Effect::PostToRole { role, card } => {
                let channel = self.directory.role(role).map(|r| r.channel.clone()).unwrap_or_default();
                if channel.is_empty() {
                    tracing::warn!(request_id, role = %role, "no channel is configured for this approver role");
                    return Ok(());
                }
                platform.post_to_channel(&channel, card).await.map_err(|e| format!("the escalation to {role}: {e}"))?;
            }
            Effect::Whisper { user, text } => {
                // A private note is worth one try: a user who does not take direct messages
                // would refuse every retry.
                if let Err(e) = platform.whisper(thread, user, text).await {
                    tracing::warn!(request_id, error = %e, "a private note was not delivered");
                }
            }
            Effect::Audit | Effect::Execute | Effect::Lock | Effect::Unlock => {}
        }
        Ok(())
    }

    /// Shows one effect whose lease ran out before it was shown (the process that stored it
    /// stopped, or the platform failed), if one is waiting. Returns false when none is.
    pub async fn process_chat_effect(&self) -> Result<bool, HostError> {
        let Some(delivery) = self.db.claim(TOPIC_CHAT, CARD_LEASE).await? else { return Ok(false) };
        let pending: ChatEffectV1 = match serde_json::from_str(&delivery.payload) {
            Ok(p) => p,
            Err(e) => {
                self.db.dead_letter(&delivery, &format!("not a chat effect paved can read: {e}")).await?;
                return Ok(true);
            }
        };
        let c = match self.conversation(&pending.request_id).await {
            Ok(c) => c,
            Err(e @ (HostError::UnknownRequest(_) | HostError::Corrupt(..))) => {
                self.db.dead_letter(&delivery, &e.to_string()).await?;
                return Ok(true);
            }
            Err(e) => return Err(e),
        };
        let mut thread = c.thread.clone();
        match self.show(&c.request_id, &mut thread, &pending.effect).await {
            Ok(()) => self.db.complete(&delivery).await?,
            Err(e) => {
                tracing::warn!(request_id = %c.request_id, error = %e, attempt = delivery.attempt, "not shown in chat; trying again later");
                self.db.fail(&delivery, &e, &RetryPolicy::default()).await?;
            }
        }
        Ok(true)
    }

    /// Stores the thread id a platform created for a conversation.
    async fn set_thread(&self, request_id: &str, thread: &Thread) -> Result<(), HostError> {
        self.update_conversation(request_id, |c| c.thread = thread.clone()).await
    }

    /// Changes what the engine does not decide (where the conversation is shown) with
    /// compare-and-set.
    async fn update_conversation(&self, request_id: &str, change: impl Fn(&mut Conversation)) -> Result<(), HostError> {
        for _ in 0..CAS_ATTEMPTS {
            let mut tx = self.db.begin().await?;
            let Some(stored) = tx.conversation(request_id).await? else { return Ok(()) };
            let mut c: Conversation = serde_json::from_value(stored.doc).map_err(|e| HostError::Corrupt(request_id.to_string(), e.to_string()))?;
            change(&mut c);
            if tx.save_conversation(request_id, stored.revision, &index(&c), &doc(&c)?).await? {
                tx.commit().await?;
                return Ok(());
            }
            tx.rollback().await?;
        }
        Err(HostError::Contended)
    }

    /// Handles one verdict from the audit, if one is waiting. Returns false when the queue is empty.
    pub async fn process_verdict(&self) -> Result<bool, HostError> {
        let Some(delivery) = self.db.claim(TOPIC_ORCHESTRATOR, self.lease).await? else { return Ok(false) };
        let message = match delivery.decode() {
            Ok(Message::AuditVerdict(v)) => v,
            Ok(other) => {
                self.db.dead_letter(&delivery, &format!("the orchestrator does not consume {}", other.kind())).await?;
                return Ok(true);
            }
            Err(e) => {
                self.db.dead_letter(&delivery, &e.to_string()).await?;
                return Ok(true);
            }
        };
        for _ in 0..CAS_ATTEMPTS {
            let mut tx = self.db.begin().await?;
            let accepted = match paved_store::accept_verdict(&mut tx, &self.audit_key, &message).await {
                Ok(a) => a,
                Err(e @ StoreError::VerdictRefused { .. }) => {
                    tx.rollback().await?;
                    tracing::warn!(request_id = %message.request_id, error = %e, "a verdict was refused");
                    self.db.dead_letter(&delivery, &e.to_string()).await?;
                    return Ok(true);
                }
                Err(e) => return Err(e.into()),
            };
            let event = Event::Verdict { version: accepted.plan_version, verdict: accepted.verdict };
            match self.decide_in(&mut tx, &message.request_id, &event, &PlanningContext::default()).await? {
                Decided::Lost => {
                    tx.rollback().await?;
                    continue;
                }
                Decided::Refused(..) => {
                    tx.complete(&delivery).await?;
                    tx.commit().await?;
                    return Ok(true);
                }
                Decided::Done(conversation, _, staged) => {
                    tx.complete(&delivery).await?;
                    tx.commit().await?;
                    self.deliver(&conversation, staged).await;
                    return Ok(true);
                }
            }
        }
        Err(HostError::Contended)
    }

    /// Runs one deployment from the executor's queue, if one is waiting.
    pub async fn process_execution(&self) -> Result<bool, HostError> {
        let Some(delivery) = self.db.claim(TOPIC_EXECUTOR, self.lease).await? else { return Ok(false) };
        let message = match delivery.decode() {
            Ok(Message::ExecuteRequest(m)) => m,
            Ok(other) => {
                self.db.dead_letter(&delivery, &format!("the executor does not consume {}", other.kind())).await?;
                return Ok(true);
            }
            Err(e) => {
                self.db.dead_letter(&delivery, &e.to_string()).await?;
                return Ok(true);
            }
        };
        let c = self.conversation(&message.request_id).await?;
        let judged = self.db.plan_version(&message.request_id, message.plan_version).await?;
        // The executor's own gate: signature, binding to the version sent, approvals.
        if let Err(refusal) = paved_executor::authorise(&self.audit_key, &message.plan, &message.verdict, &judged.plan_hash, &c.approvals) {
            tracing::error!(request_id = %message.request_id, error = %refusal, "refused to execute");
            self.db.dead_letter(&delivery, &refusal.to_string()).await?;
            self.dispatch(&message.request_id, Event::Executed { completed: false, error: Some(format!("the executor refused the plan: {refusal}")), created: vec![], drift: vec![] })
                .await?;
            return Ok(true);
        }
        let mut tx = self.db.begin().await?;
        let deployment = tx.start_deployment("paved-executor", &message.request_id, message.plan_version).await?;
        tx.commit().await?;
        self.deployer.ledger().track(&message.request_id, deployment);
        let ctx = deploy_context(&c, &message.verdict.approved_plan_hash);
        let result = self.with_progress(&c, &message.plan, |tx| self.deployer.deploy(&ctx, &message.plan, tx)).await;
        let status = if result.completed { "completed" } else { "failed" };
        let mut tx = self.db.begin().await?;
        tx.finish_deployment("paved-executor", &message.request_id, deployment, status, &json!({"error": result.error, "resources": result.addresses, "drift": result.drift}))
            .await?;
        tx.complete(&delivery).await?;
        tx.commit().await?;
        let failed = !result.completed;
        self.dispatch(&message.request_id, Event::Executed { completed: result.completed, error: result.error, created: result.addresses, drift: result.drift }).await?;
        if failed && self.auto_rollback {
            self.rollback(&message.request_id).await?;
        }
        Ok(true)
    }

    /// Deletes what a request created, in reverse dependency order, and reports in its thread.
    pub async fn rollback(&self, request_id: &str) -> Result<Vec<String>, HostError> {
        let c = self.conversation(request_id).await?;
        let plan = c.verdict.as_ref().map(|v| v.plan.clone()).or_else(|| c.current().map(|p| p.plan.clone())).unwrap_or_else(|| paved_core::Plan {
            golden_path: None,
            golden_path_version: String::new(),
            environment: c.intent.environment,
            region: c.intent.region.clone(),
            resources: vec![],
            estimated_monthly_cost_usd: 0.0,
        });
        let mut tx = self.db.begin().await?;
        tx.append(TrailEntry::new(&c.requester.id, Some(request_id), kinds::ROLLBACK_REQUESTED, json!({"stage": c.stage.as_str()}))).await?;
        tx.commit().await?;
        let ctx = deploy_context(&c, c.verdict.as_ref().map(|v| v.approved_plan_hash.as_str()).unwrap_or_default());
        let result = self.with_progress(&c, &plan, |tx| self.deployer.rollback(&ctx, tx)).await;
        let deleted = result.addresses.clone();
        self.dispatch(request_id, Event::RolledBack { completed: result.completed, error: result.error, deleted: result.addresses }).await?;
        Ok(deleted)
    }

    /// Runs a deployment or rollback while keeping its progress message up to date.
    async fn with_progress<'a, F>(&'a self, c: &Conversation, plan: &paved_core::Plan, run: F) -> DeployResult
    where
        F: FnOnce(mpsc::UnboundedSender<ProgressV1>) -> BoxFuture<'a, DeployResult>,
    {
        let (tx, mut rx) = mpsc::unbounded_channel();
        let board = ProgressBoard {
            request_id: c.request_id.clone(),
            rows: plan.resources.iter().map(|r| (r.address.clone(), ProgressStatus::Pending)).collect(),
            finished: false,
            // Posted by a process that stopped mid-deployment: edit it rather than post again.
            message: c.progress_message.clone(),
        };
        if let Ok(mut boards) = self.boards.lock() {
            boards.insert(c.request_id.clone(), BoardState { board, thread: c.thread.clone(), last_sent: None });
        }
        let work = run(tx);
        tokio::pin!(work);
        let mut tick = tokio::time::interval(PROGRESS_INTERVAL);
        let result = loop {
            tokio::select! {
                result = &mut work => break result,
                Some(event) = rx.recv() => {
                    if let Ok(mut boards) = self.boards.lock()
                        && let Some(state) = boards.get_mut(&c.request_id)
                    {
                        state.board.update(&event.address, event.status);
                    }
                }
                _ = tick.tick() => self.flush_progress(&c.request_id, false).await,
            }
        };
        while let Ok(event) = rx.try_recv() {
            if let Ok(mut boards) = self.boards.lock()
                && let Some(state) = boards.get_mut(&c.request_id)
            {
                state.board.update(&event.address, event.status);
            }
        }
        self.flush_progress(&c.request_id, true).await;
        result
    }

    /// Sends the progress board if it changed and a second has passed (or always when final).
    async fn flush_progress(&self, request_id: &str, last: bool) {
        let send = {
            let Ok(mut boards) = self.boards.lock() else { return };
            let Some(state) = boards.get_mut(request_id) else { return };
            let due = state.last_sent.is_none_or(|t| t.elapsed() >= PROGRESS_INTERVAL);
            if !(due || last) {
                None
            } else {
                state.last_sent = Some(Instant::now());
                state.board.finished = last;
                let out = (state.thread.clone(), state.board.clone());
                if last {
                    boards.remove(request_id);
                }
                Some(out)
            }
        };
        let Some((thread, board)) = send else { return };
        let Some(platform) = self.platform(&thread.platform) else { return };
        let created = match platform.progress(&thread, &board).await {
            Ok(created) => created,
            Err(e) => {
                tracing::warn!(request_id, error = %e, "progress not delivered");
                return;
            }
        };
        // Remember the message while the deployment runs, so that a restarted paved edits it;
        // forget it when it ends, so that a rollback's progress gets a message of its own.
        let remembered = match (&created, board.finished) {
            (Some(id), false) => Some(Some(id.clone())),
            (_, true) if board.message.is_some() || created.is_some() => Some(None),
            _ => None,
        };
        if let Some(message) = remembered {
            if let Ok(mut boards) = self.boards.lock()
                && let Some(state) = boards.get_mut(request_id)
            {
                state.board.message = message.clone();
            }
            if let Err(e) = self.update_conversation(request_id, |c| c.progress_message = message.clone()).await {
                tracing::warn!(request_id, error = %e, "could not store the progress message's id");
            }
        }
    }

    /// Expires escalations whose deadline has passed.
    pub async fn expire_escalations(&self) -> Result<usize, HostError> {
        let due = self.db.expired_conversations(Stage::Escalated.as_str(), self.db.now_ms()).await?;
        for id in &due {
            self.dispatch(id, Event::Tick).await?;
        }
        Ok(due.len())
    }

    /// Does every piece of queued work now waiting (verdicts, deployments, chat effects whose
    /// lease ran out, expiries); returns how many messages it handled.
    pub async fn drain(&self) -> Result<usize, HostError> {
        let mut handled = 0;
        loop {
            let mut any = false;
            while self.process_verdict().await? {
                handled += 1;
                any = true;
            }
            while self.process_execution().await? {
                handled += 1;
                any = true;
            }
            while self.process_chat_effect().await? {
                handled += 1;
                any = true;
            }
            handled += self.expire_escalations().await?;
            if !any {
                return Ok(handled);
            }
        }
    }

    /// Runs the host's background work until `shutdown` resolves: verdicts, deployments, chat
    /// effects and expiries, woken by the queue (LISTEN/NOTIFY on PostgreSQL, polling on SQLite).
    pub async fn run(self: Arc<Self>, shutdown: impl std::future::Future<Output = ()> + Send) -> Result<(), HostError> {
        let mut verdicts = self.db.waiter(TOPIC_ORCHESTRATOR).await?;
        let mut executions = self.db.waiter(TOPIC_EXECUTOR).await?;
        tokio::pin!(shutdown);
        loop {
            match self.drain().await {
                Ok(n) if n > 0 => {
                    verdicts.found_work();
                    executions.found_work();
                }
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "background work failed; retrying"),
            }
            tokio::select! {
                _ = &mut shutdown => return Ok(()),
                _ = verdicts.wait() => {}
                _ = executions.wait() => {}
            }
        }
    }
}

/// The outcome of deciding an event inside a transaction.
#[allow(clippy::large_enum_variant)]
enum Decided {
    Lost,
    Refused(String, String),
    Done(Conversation, Vec<Effect>, Vec<Staged>),
}

fn deploy_context(c: &Conversation, plan_hash: &str) -> DeployContext {
    DeployContext {
        request_id: c.request_id.clone(),
        plan_hash: plan_hash.to_string(),
        environment: c.intent.environment.to_string(),
        owner: c.requester.id.clone(),
        region: c.current().map(|p| p.plan.region.clone()).unwrap_or_else(|| c.intent.region.clone()),
    }
}

fn index(c: &Conversation) -> ConversationIndex {
    ConversationIndex {
        stage: c.stage.as_str().to_string(),
        platform: c.thread.platform.clone(),
        channel: c.thread.channel.clone(),
        thread: c.thread.thread.clone(),
        expires_at_ms: c.escalation_expires_at_ms,
    }
}

fn doc(c: &Conversation) -> Result<serde_json::Value, HostError> {
    serde_json::to_value(c).map_err(|e| HostError::Corrupt(c.request_id.clone(), e.to_string()))
}
