//! The Discord adapter: an HTTP interactions endpoint (verified with the application's Ed25519
//! key), `/pave request:<text>`, buttons and modals, a thread per request, escalations in each
//! approver role's channel, and one progress message per deployment.
//!
//! Inbound, every interaction is verified (401 otherwise), handled once, and answered long
//! before Discord's 3 seconds run out, without waiting for a database write: a new request is
//! deferred at once and its cards follow by editing the deferred reply, from which paved opens
//! the request's thread; a press or a form is decided by the engine on the stored conversation
//! ([`Host::preview`]) and answered with an acknowledgement, an ephemeral refusal or the Modify
//! modal, and then recorded durably together with its interaction id ([`Host::dispatch_once`]).
//! Should the request change in between so that the stored decision is a refusal after all, the
//! user gets it as an ephemeral follow-up. Outbound, cards become embeds and buttons (see
//! [`render`]) sent through [`rest::Rest`], which applies Discord's rate limits.
//!
//! Discord sends no ordinary thread messages to an interactions endpoint, so a reply in a
//! request's thread is `/pave request:<text>` typed in that thread: it answers a question, gives
//! a change ticket or confirmation, or asks for a change.

pub mod cli;
pub mod config;
pub mod fake;
pub mod render;
pub mod rest;
pub mod verify;

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use reqwest::Method;
use serde_json::{Value, json};
use serenity::model::application::{ActionRowComponent, CommandDataOptionValue, Interaction};
use serenity::model::channel::ChannelType;
use serenity::model::guild::Member;
use serenity::model::user::User as DiscordUser;

use crate::chat::{ButtonId, ChatError, ChatFuture, ChatPlatform, ProgressBoard};
use crate::engine::{Button, Card, Event, Thread, User};
use crate::host::{Dispatched, Host, HostError, Preview};
use config::DiscordConfig;
use render::OutMessage;
use rest::{Body, Rest, RestError};
use verify::SignatureCheck;

/// The platform name stored in [`Thread::platform`].
pub const PLATFORM: &str = "discord";
/// An interaction token may be used for follow-ups and edits for 15 minutes.
const TOKEN_LIFETIME: Duration = Duration::from_secs(15 * 60);
/// A request's thread before Discord has created it: the interaction whose reply opens it.
const PENDING_PREFIX: &str = "interaction:";
/// Progress messages are edited at most this often.
const PROGRESS_INTERVAL: Duration = Duration::from_secs(1);

/// Why the adapter could not start.
#[derive(Debug, thiserror::Error)]
pub enum DiscordError {
    #[error(transparent)]
    PublicKey(#[from] verify::BadPublicKey),
    #[error(transparent)]
    Rest(#[from] RestError),
}

/// A deferred `/pave` reply whose token edits it.
struct Pending {
    token: String,
    since: Instant,
}

/// A deployment's progress message.
struct ProgressMessage {
    channel: String,
    message: Option<String>,
    last_edit: Option<Instant>,
}

/// The Discord platform: what the host calls to show cards.
pub struct Discord {
    config: DiscordConfig,
    rest: Rest,
    check: SignatureCheck,
    host: OnceLock<Weak<Host>>,
    pending: Mutex<HashMap<String, Pending>>,
    progress: Mutex<HashMap<String, ProgressMessage>>,
    background: Arc<Background>,
    /// Host calls that may run at once. The database has one writer, so more gain nothing, and
    /// the host reads through its pool while it holds a write transaction: an unbounded burst
    /// would take every pooled connection and stall.
    host_slots: Arc<tokio::sync::Semaphore>,
    /// Interaction ids this process has seen within the signature window.
    recent: Mutex<Recent>,
}

/// The interaction ids seen lately, oldest first. An id older than the signature window cannot
/// come back (its timestamp fails the check), so the set stays as small as one window's traffic.
/// Across restarts and replicas the database's record of each delivery is what counts.
#[derive(Default)]
struct Recent {
    ids: HashSet<String>,
    order: VecDeque<(Instant, String)>,
}

impl Recent {
    /// Records `id`; false when it was seen within `window`.
    fn first(&mut self, id: &str, window: Duration) -> bool {
        while let Some((at, _)) = self.order.front() {
            if at.elapsed() < window {
                break;
            }
            if let Some((_, old)) = self.order.pop_front() {
                self.ids.remove(&old);
            }
        }
        if !self.ids.insert(id.to_string()) {
            return false;
        }
        self.order.push_back((Instant::now(), id.to_string()));
        true
    }
}

/// How many host decisions the adapter runs at once.
const HOST_SLOTS: usize = 4;

/// Work that goes on after an interaction was answered (a new request's planning, a slow
/// decision), counted so that a shutdown (or a test) can wait for it.
#[derive(Default)]
struct Background {
    running: std::sync::atomic::AtomicUsize,
    idle: tokio::sync::Notify,
}

impl Discord {
    /// Runs `work` after the interaction's answer, counted until it ends.
    fn spawn(&self, work: impl std::future::Future<Output = ()> + Send + 'static) {
        let background = Arc::clone(&self.background);
        background.running.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        tokio::spawn(async move {
            work.await;
            if background.running.fetch_sub(1, std::sync::atomic::Ordering::SeqCst) == 1 {
                background.idle.notify_waiters();
            }
        });
    }

    /// Waits until no work started by an interaction is still running.
    pub async fn settled(&self) {
        loop {
            let idle = self.background.idle.notified();
            if self.background.running.load(std::sync::atomic::Ordering::SeqCst) == 0 {
                return;
            }
            idle.await;
        }
    }

    pub fn new(config: DiscordConfig) -> Result<Discord, DiscordError> {
        let check = SignatureCheck::new(&config.public_key, config.max_clock_skew_seconds)?;
        let rest = Rest::new(&config.api_base, config.bot_token.clone())?;
        Ok(Discord { config, rest, check, host: OnceLock::new(), pending: Mutex::new(HashMap::new()), progress: Mutex::new(HashMap::new()), background: Arc::default(), host_slots: Arc::new(tokio::sync::Semaphore::new(HOST_SLOTS)), recent: Mutex::default() })
    }

    /// Connects the adapter and the host both ways: the host delivers cards through the adapter,
    /// and the adapter asks the host which request a thread belongs to.
    pub fn attach(self: &Arc<Self>, host: &Arc<Host>) {
        let _ = self.host.set(Arc::downgrade(host));
        host.register(Arc::clone(self) as Arc<dyn ChatPlatform>);
    }

    pub fn config(&self) -> &DiscordConfig {
        &self.config
    }

    pub fn rest(&self) -> &Rest {
        &self.rest
    }

    /// The interactions endpoint, at the configured path.
    pub fn router(self: &Arc<Self>, host: Arc<Host>) -> Router {
        let state = Endpoint { discord: Arc::clone(self), host };
        Router::new().route(&self.config.path, post(interactions)).with_state(state)
    }

    /// Whether this process sees the interaction for the first time (a replay within the
    /// signature window is not).
    fn first_sight(&self, interaction: &str) -> bool {
        // A timestamp may be this far off either way, so an id can come back for twice as long.
        let window = Duration::from_secs(self.config.max_clock_skew_seconds.saturating_mul(2).saturating_add(60));
        self.recent.lock().map(|mut r| r.first(interaction, window)).unwrap_or(true)
    }

    fn remember(&self, interaction: &str, token: &str) {
        if let Ok(mut p) = self.pending.lock() {
            p.retain(|_, v| v.since.elapsed() < TOKEN_LIFETIME);
            p.insert(interaction.to_string(), Pending { token: token.to_string(), since: Instant::now() });
        }
    }

    fn take_pending(&self, interaction: &str) -> Option<String> {
        self.pending.lock().ok()?.remove(interaction).filter(|p| p.since.elapsed() < TOKEN_LIFETIME).map(|p| p.token)
    }

    async fn request_of(&self, thread: &Thread) -> Option<String> {
        let host = self.host.get()?.upgrade()?;
        host.request_for_thread(thread).await.ok().flatten()
    }

    async fn send(&self, method: Method, path: &str, message: &OutMessage, json: Value) -> Result<Value, RestError> {
        let body = if message.files.is_empty() { Body::Json(json) } else { Body::Multipart(json, message.files.clone()) };
        self.rest.call(method, path, body).await
    }

    /// Edits the deferred reply of an interaction. Discord may not have processed the deferral
    /// yet when the first card is ready (it is sent as the HTTP answer, the edit as a new
    /// request): an unknown webhook is retried briefly.
    async fn edit_original(&self, token: &str, message: &OutMessage) -> Result<Value, RestError> {
        let path = format!("/webhooks/{}/{token}/messages/@original", self.config.application_id);
        let mut attempt = 0u64;
        loop {
            match self.send(Method::PATCH, &path, message, message.edit_original_json()).await {
                Err(e) if e.status() == Some(404) && attempt < 8 => {
                    attempt += 1;
                    tokio::time::sleep(Duration::from_millis(50 * attempt)).await;
                }
                other => return other,
            }
        }
    }

    /// Replaces a deferred reply by an ephemeral message: the request was refused.
    async fn refuse_original(&self, token: &str, reason: &str) {
        let path = format!("/webhooks/{}/{token}/messages/@original", self.config.application_id);
        for attempt in 1..=8u64 {
            match self.rest.call(Method::DELETE, &path, Body::Empty).await {
                Err(e) if e.status() == Some(404) => tokio::time::sleep(Duration::from_millis(50 * attempt)).await,
                _ => break,
            }
        }
        self.follow_up(token, reason).await;
    }

    /// An ephemeral follow-up to an interaction that was already answered.
    async fn follow_up(&self, token: &str, text: &str) {
        let path = format!("/webhooks/{}/{token}", self.config.application_id);
        if let Err(e) = self.rest.call(Method::POST, &path, Body::Json(render::ephemeral_followup(text))).await {
            tracing::warn!(error = %e, "ephemeral follow-up not delivered");
        }
    }

    async fn post_card(&self, thread: &Thread, card: &Card) -> Result<Thread, RestError> {
        let request_id = match card {
            Card::Escalation { conversation, .. } => Some(conversation.request_id.clone()),
            Card::Failure { request_id, .. } => Some(request_id.clone()),
            _ => self.request_of(thread).await,
        };
        let Some(request_id) = request_id else {
            tracing::warn!(channel = %thread.channel, card = card.kind(), "no request is known for this Discord thread; its buttons will not work");
            return self.post_plain(thread, &render::message(card, "")).await.map(|_| thread.clone());
        };
        let message = render::message(card, &request_id);
        if let Some(interaction) = thread.thread.strip_prefix(PENDING_PREFIX) {
            // The request's first card: it replaces the deferred reply, which opens the thread.
            let posted = match self.take_pending(interaction) {
                Some(token) => self.edit_original(&token, &message).await?,
                None => self.send(Method::POST, &format!("/channels/{}/messages", thread.channel), &message, message.create_json()).await?,
            };
            let message_id = posted.get("id").and_then(Value::as_str).unwrap_or_default().to_string();
            let name = render::clip(&format!("{request_id} · {}", thread_title(card)), 100);
            let opened = self
                .rest
                .call(
                    Method::POST,
                    &format!("/channels/{}/messages/{message_id}/threads", thread.channel),
                    Body::Json(json!({"name": name, "auto_archive_duration": 1440})),
                )
                .await;
            let thread_id = match opened {
                Ok(v) => v.get("id").and_then(Value::as_str).unwrap_or_default().to_string(),
                Err(e) => {
                    // Without a thread the conversation goes on in the channel itself.
                    tracing::warn!(error = %e, request_id, "could not open the request's thread");
                    String::new()
                }
            };
            return Ok(Thread { platform: PLATFORM.into(), channel: thread.channel.clone(), thread: thread_id });
        }
        self.post_plain(thread, &message).await?;
        Ok(thread.clone())
    }

    /// Posts a message in the thread (or in the channel when there is no thread).
    async fn post_plain(&self, thread: &Thread, message: &OutMessage) -> Result<Value, RestError> {
        let target = if is_snowflake(&thread.thread) { &thread.thread } else { &thread.channel };
        self.send(Method::POST, &format!("/channels/{target}/messages"), message, message.create_json()).await
    }

    async fn show_progress(&self, thread: &Thread, board: &ProgressBoard) -> Result<Option<String>, RestError> {
        let target = if is_snowflake(&thread.thread) { thread.thread.clone() } else { thread.channel.clone() };
        // A message posted before a restart: `channel/message`.
        let earlier = board.message.as_deref().and_then(|m| m.split_once('/')).map(|(c, m)| (c.to_string(), m.to_string()));
        let (existing, wait) = {
            let Ok(mut p) = self.progress.lock() else { return Ok(None) };
            let state = p.entry(board.request_id.clone()).or_insert_with(|| match &earlier {
                Some((channel, message)) => ProgressMessage { channel: channel.clone(), message: Some(message.clone()), last_edit: None },
                None => ProgressMessage { channel: target.clone(), message: None, last_edit: None },
            });
            let since = state.last_edit.map(|t| t.elapsed());
            let wait = match since {
                Some(s) if s < PROGRESS_INTERVAL => Some(PROGRESS_INTERVAL - s),
                _ => None,
            };
            (state.message.clone().map(|m| (state.channel.clone(), m)), wait)
        };
        if let Some(wait) = wait {
            if !board.finished {
                // The host sends the newest board again within a second; this one can go.
                return Ok(None);
            }
            tokio::time::sleep(wait).await;
        }
        let message = render::progress(board);
        let posted = match &existing {
            Some((channel, id)) => self.send(Method::PATCH, &format!("/channels/{channel}/messages/{id}"), &message, message.edit_json()).await?,
            None => self.send(Method::POST, &format!("/channels/{target}/messages"), &message, message.create_json()).await?,
        };
        let created = match existing {
            Some(_) => None,
            None => posted.get("id").and_then(Value::as_str).map(|id| format!("{target}/{id}")),
        };
        if let Ok(mut p) = self.progress.lock() {
            if board.finished {
                p.remove(&board.request_id);
            } else if let Some(state) = p.get_mut(&board.request_id) {
                state.last_edit = Some(Instant::now());
                if state.message.is_none() {
                    state.message = posted.get("id").and_then(Value::as_str).map(str::to_string);
                }
            }
        }
        Ok(created)
    }

    async fn direct_message(&self, user: &str, text: &str) -> Result<(), RestError> {
        let channel = self.rest.call(Method::POST, "/users/@me/channels", Body::Json(json!({"recipient_id": user}))).await?;
        let channel = channel.get("id").and_then(Value::as_str).unwrap_or_default().to_string();
        let message = OutMessage { content: text.to_string(), ..OutMessage::default() }.fit();
        self.send(Method::POST, &format!("/channels/{channel}/messages"), &message, message.create_json()).await?;
        Ok(())
    }
}

fn thread_title(card: &Card) -> String {
    match card {
        Card::Understanding { intent } if !intent.details.goal.trim().is_empty() => intent.details.goal.clone(),
        Card::Understanding { intent } => intent.golden_path.clone().unwrap_or_else(|| "new request".into()),
        Card::Plan { plan, .. } => plan.golden_path.clone().unwrap_or_else(|| "plan".into()),
        _ => "request".into(),
    }
}

fn is_snowflake(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

fn chat_error(e: RestError) -> ChatError {
    ChatError { platform: PLATFORM.into(), message: e.to_string() }
}

impl ChatPlatform for Discord {
    fn name(&self) -> &'static str {
        PLATFORM
    }

    fn post<'a>(&'a self, thread: &'a Thread, card: &'a Card) -> ChatFuture<'a, Thread> {
        Box::pin(async move { self.post_card(thread, card).await.map_err(chat_error) })
    }

    fn post_to_channel<'a>(&'a self, channel: &'a str, card: &'a Card) -> ChatFuture<'a, ()> {
        Box::pin(async move {
            let thread = Thread { platform: PLATFORM.into(), channel: channel.to_string(), thread: String::new() };
            self.post_card(&thread, card).await.map(|_| ()).map_err(chat_error)
        })
    }

    fn whisper<'a>(&'a self, _thread: &'a Thread, user: &'a str, text: &'a str) -> ChatFuture<'a, ()> {
        // Outside an interaction Discord has no message only one user sees: a direct message is
        // the private channel it offers.
        Box::pin(async move { self.direct_message(user, text).await.map_err(chat_error) })
    }

    fn progress<'a>(&'a self, thread: &'a Thread, board: &'a ProgressBoard) -> ChatFuture<'a, Option<String>> {
        Box::pin(async move { self.show_progress(thread, board).await.map_err(chat_error) })
    }
}

/// The endpoint's state.
#[derive(Clone)]
struct Endpoint {
    discord: Arc<Discord>,
    host: Arc<Host>,
}

fn now_seconds() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

fn answer(v: Value) -> Response {
    (StatusCode::OK, axum::Json(v)).into_response()
}

/// `POST` on the interactions endpoint.
async fn interactions(State(ep): State<Endpoint>, headers: HeaderMap, body: Bytes) -> Response {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Err(rejection) = ep.discord.check.check(header("x-signature-ed25519"), header("x-signature-timestamp"), &body, now_seconds()) {
        tracing::info!(reason = %rejection, "interaction refused");
        return (StatusCode::UNAUTHORIZED, rejection.to_string()).into_response();
    }
    let interaction: Interaction = match serde_json::from_slice(&body) {
        Ok(i) => i,
        Err(e) => {
            tracing::warn!(error = %e, "an interaction paved cannot read");
            return (StatusCode::BAD_REQUEST, "paved cannot read this interaction").into_response();
        }
    };
    if let Interaction::Ping(_) = interaction {
        return answer(render::pong());
    }
    // Interaction ids are handled once: replays within the signature window are caught here,
    // and across restarts and replicas by the delivery recorded with the event it carries.
    if !ep.discord.first_sight(&interaction.id().to_string()) {
        return answer(match interaction {
            Interaction::Command(_) => render::ephemeral("This request was already received."),
            _ => render::acknowledge(),
        });
    }
    let delivery = format!("discord:{}", interaction.id());
    match interaction {
        Interaction::Command(c) if c.data.name == "pave" => {
            let text = c.data.options.iter().find(|o| o.name == "request").and_then(|o| match &o.value {
                CommandDataOptionValue::String(s) => Some(s.clone()),
                _ => None,
            });
            let user = user_of(&c.user, c.member.as_deref());
            let Some(text) = text.filter(|t| !t.trim().is_empty()) else {
                return answer(render::ephemeral("Say what you need, e.g. `/pave request: a staging web app with postgres`."));
            };
            if c.guild_id.is_none() {
                return answer(render::ephemeral("paved works in server channels, where it opens a thread for each request; ask there."));
            }
            let channel = c.channel.as_ref();
            let in_thread = channel.is_some_and(|ch| matches!(ch.kind, ChannelType::PublicThread | ChannelType::PrivateThread | ChannelType::NewsThread));
            if in_thread {
                let parent = channel.and_then(|ch| ch.parent_id).map(|p| p.to_string()).unwrap_or_default();
                let thread = Thread { platform: PLATFORM.into(), channel: parent, thread: c.channel_id.to_string() };
                return reply_in_thread(&ep, delivery, thread, user, text, c.token.clone()).await;
            }
            ep.discord.remember(&c.id.to_string(), &c.token);
            let thread = Thread { platform: PLATFORM.into(), channel: c.channel_id.to_string(), thread: format!("{PENDING_PREFIX}{}", c.id) };
            let (discord, host, token, id) = (Arc::clone(&ep.discord), Arc::clone(&ep.host), c.token.clone(), c.id.to_string());
            let slots = Arc::clone(&ep.discord.host_slots);
            ep.discord.spawn(async move {
                let _slot = slots.acquire_owned().await;
                let refused = match host.submit_once(&delivery, user, thread, &text).await {
                    Ok(Some(_)) => None,
                    Ok(None) => Some("This request was already received.".to_string()),
                    Err(HostError::Refused(reason)) => Some(reason),
                    Err(e) => Some(format!("paved could not take the request: {e}. Try again in a moment.")),
                };
                if let Some(reason) = refused {
                    discord.take_pending(&id);
                    discord.refuse_original(&token, &reason).await;
                }
            });
            answer(render::deferred())
        }
        Interaction::Command(_) | Interaction::Autocomplete(_) => answer(render::ephemeral("paved only answers `/pave`.")),
        Interaction::Component(c) => {
            let Some(id) = ButtonId::decode(&c.data.custom_id) else {
                return answer(render::ephemeral("This button is not one of paved's current buttons."));
            };
            let user = user_of(&c.user, c.member.as_ref());
            let groups = groups_of(c.member.as_ref());
            let event = Event::Pressed { user, groups, button: id.button.clone(), version: id.version };
            if let Button::Reject { role, .. } = &id.button {
                // The reason comes first, from people who may reject; the rejection is decided
                // when the form is sent. A press that would be refused is refused (and recorded).
                match ep.host.preview(&id.request_id, &event).await {
                    Ok(Preview::Refused { .. }) => {}
                    Ok(_) => return answer(render::modal(&render::reject_form(&id.request_id, id.version, role))),
                    Err(e) => return answer(render::ephemeral(&host_error_text(&id.request_id, &e))),
                }
            }
            answer_event(&ep, delivery, &id.request_id, event, c.token.clone(), render::acknowledge()).await
        }
        Interaction::Modal(m) => {
            let Some(id) = ButtonId::decode(&m.data.custom_id) else {
                return answer(render::ephemeral("This form is not one of paved's current forms."));
            };
            let value = m
                .data
                .components
                .iter()
                .flat_map(|row| row.components.iter())
                .find_map(|c| match c {
                    ActionRowComponent::InputText(t) if t.custom_id == render::FORM_INPUT => t.value.clone(),
                    _ => None,
                })
                .unwrap_or_default();
            let user = user_of(&m.user, m.member.as_ref());
            let event = match id.button {
                Button::Modify => Event::Modified { user, instruction: value, version: id.version },
                Button::Reject { role, .. } => {
                    let reason = Some(value.trim().to_string()).filter(|r| !r.is_empty());
                    Event::Pressed { user, groups: groups_of(m.member.as_ref()), button: Button::Reject { role, reason }, version: id.version }
                }
                _ => return answer(render::ephemeral("This form is not one of paved's current forms.")),
            };
            answer_event(&ep, delivery, &id.request_id, event, m.token.clone(), render::acknowledge()).await
        }
        Interaction::Ping(_) => answer(render::pong()),
        _ => answer(render::ephemeral("paved does not handle this kind of interaction.")),
    }
}

/// `/pave request:<text>` inside a request's thread: the requester's words for that request.
async fn reply_in_thread(ep: &Endpoint, delivery: String, thread: Thread, user: User, text: String, token: String) -> Response {
    let request_id = match ep.host.request_for_thread(&thread).await {
        Ok(Some(id)) => id,
        Ok(None) => return answer(render::ephemeral("This thread is not a paved request. Start one with `/pave` in a channel.")),
        Err(e) => return answer(render::ephemeral(&format!("paved could not look up this thread ({e}); try again."))),
    };
    let echo = render::public(&format!("**{}**: {}", render::md(&user.name), render::md(&text)));
    answer_event(ep, delivery, &request_id, Event::Said { user, text }, token, echo).await
}

/// Answers an interaction from the engine's decision on the stored conversation (`ok` when the
/// event goes through, an ephemeral refusal, or the Modify modal) and records the event after
/// the answer, with its interaction id. If the request changed in between and the recorded
/// decision is a refusal, the user gets it as an ephemeral follow-up.
async fn answer_event(ep: &Endpoint, delivery: String, request_id: &str, event: Event, token: String, ok: Value) -> Response {
    let preview = match ep.host.preview(request_id, &event).await {
        Ok(p) => p,
        Err(e) => return answer(render::ephemeral(&host_error_text(request_id, &e))),
    };
    let (discord, host, rid) = (Arc::clone(&ep.discord), Arc::clone(&ep.host), request_id.to_string());
    let slots = Arc::clone(&ep.discord.host_slots);
    match preview {
        Preview::Refused { user, reason } => {
            let told = reason.clone();
            ep.discord.spawn(async move {
                let _slot = slots.acquire_owned().await;
                if let Err(e) = host.record_refusal(Some(&delivery), &user, &rid, &event, &reason).await {
                    tracing::error!(error = %e, request_id = %rid, "a refused interaction could not be recorded");
                }
            });
            answer(render::ephemeral(&told))
        }
        preview => {
            let response = match preview {
                Preview::OpenForm(version) => render::modal(&render::modify_form(request_id, version)),
                _ => ok,
            };
            ep.discord.spawn(async move {
                let _slot = slots.acquire_owned().await;
                let text = match host.dispatch_once(&delivery, &rid, event).await {
                    Ok(Some(Dispatched { refused: Some(reason), .. })) => Some(reason),
                    Ok(_) => None,
                    Err(e) => {
                        tracing::error!(error = %e, request_id = %rid, "an interaction's decision failed");
                        Some(host_error_text(&rid, &e))
                    }
                };
                if let Some(text) = text {
                    discord.follow_up(&token, &text).await;
                }
            });
            answer(response)
        }
    }
}

fn host_error_text(request_id: &str, e: &HostError) -> String {
    match e {
        HostError::UnknownRequest(_) => format!("paved has no request {request_id}; it may have been removed."),
        HostError::Refused(reason) => reason.clone(),
        HostError::Contended => "Others were changing this request at the same moment; press again.".into(),
        other => format!("paved could not handle this ({other}); try again."),
    }
}

/// The verified user of an interaction and the name cards show.
fn user_of(user: &DiscordUser, member: Option<&Member>) -> User {
    let name = member.and_then(|m| m.nick.clone()).or_else(|| user.global_name.clone()).unwrap_or_else(|| user.name.clone());
    User { id: user.id.to_string(), name }
}

/// The Discord role ids of the member: the platform groups approver roles may name.
fn groups_of(member: Option<&Member>) -> Vec<String> {
    member.map(|m| m.roles.iter().map(|r| r.to_string()).collect()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A button press as Discord sends it today, with the fields paved does not use (avatar
    /// decorations, guild tags, thread metadata, interaction metadata on the message, message
    /// flags and a components-carrying message): paved reads it and finds who pressed what.
    #[test]
    fn a_press_with_every_field_discord_sends_is_read() {
        let payload = json!({
            "app_permissions": "2248473465835073",
            "application_id": "1234567890123456789",
            "attachment_size_limit": 10485760,
            "authorizing_integration_owners": {"0": "1111111111111111111"},
            "channel": {
                "flags": 0, "guild_id": "1111111111111111111", "id": "2222222222222222222", "last_message_id": "2222222222222222299",
                "member_count": 2, "message_count": 4, "name": "req-10001 staging web app", "owner_id": "1234567890123456789",
                "parent_id": "3333333333333333333", "permissions": "2248473465835073", "rate_limit_per_user": 0,
                "thread_metadata": {"archive_timestamp": "2026-11-26T10:00:00.000000+00:00", "archived": false, "auto_archive_duration": 1440, "create_timestamp": "2026-11-26T10:00:00.000000+00:00", "locked": false},
                "total_message_sent": 4, "type": 11
            },
            "channel_id": "2222222222222222222",
            "context": 0,
            "data": {"component_type": 2, "custom_id": "paved:approve:req-10001:1", "id": 7},
            "entitlement_sku_ids": [],
            "entitlements": [],
            "guild": {"features": ["COMMUNITY", "NEWS"], "id": "1111111111111111111", "locale": "en-US"},
            "guild_id": "1111111111111111111",
            "guild_locale": "en-US",
            "id": "4444444444444444444",
            "locale": "en-GB",
            "member": {
                "avatar": null, "banner": null, "communication_disabled_until": null, "deaf": false, "flags": 0,
                "joined_at": "2023-03-01T12:00:00.000000+00:00", "mute": false, "nick": "Dana (platform)", "pending": false,
                "permissions": "2248473465835073", "premium_since": null, "roles": ["5555555555555555555"], "unusual_dm_activity_until": null,
                "user": {
                    "avatar": "a_0123456789abcdef0123456789abcdef", "avatar_decoration_data": null, "clan": null, "collectibles": null,
                    "discriminator": "0", "global_name": "Dana", "id": "6666666666666666666", "primary_guild": null, "public_flags": 0, "username": "dana"
                }
            },
            "message": {
                "application_id": "1234567890123456789",
                "attachments": [], "author": {"avatar": null, "bot": true, "discriminator": "0000", "global_name": null, "id": "1234567890123456789", "public_flags": 0, "username": "paved"},
                "channel_id": "2222222222222222222",
                "components": [{"id": 1, "type": 1, "components": [
                    {"custom_id": "paved:approve:req-10001:1", "id": 2, "label": "Approve", "style": 3, "type": 2},
                    {"custom_id": "paved:modify:req-10001:1", "id": 3, "label": "Modify", "style": 2, "type": 2},
                    {"custom_id": "paved:cancel:req-10001:1", "id": 4, "label": "Cancel", "style": 4, "type": 2}
                ]}],
                "content": "", "edited_timestamp": null,
                "embeds": [{"color": 3447003, "content_scan_version": 2, "description": "59 resources · $844.33/month", "fields": [], "title": "Plan v1", "type": "rich"}],
                "flags": 0, "id": "2222222222222222298", "mention_everyone": false, "mention_roles": [], "mentions": [], "pinned": false,
                "position": 3, "timestamp": "2026-11-26T10:00:01.000000+00:00", "tts": false, "type": 0
            },
            "token": "aW50ZXJhY3Rpb246NDQ0NDQ0NDQ0NDQ0NDQ0NDQ0NDpxcXE",
            "type": 3,
            "version": 1
        });
        let Interaction::Component(c) = serde_json::from_value::<Interaction>(payload).expect("a current press is read") else { panic!("a press is a component interaction") };
        let id = ButtonId::decode(&c.data.custom_id).expect("paved's button id");
        assert_eq!((id.request_id.as_str(), id.version, &id.button), ("req-10001", 1, &Button::Approve));
        let user = user_of(&c.user, c.member.as_ref());
        assert_eq!((user.id.as_str(), user.name.as_str()), ("6666666666666666666", "Dana (platform)"));
        assert_eq!(groups_of(c.member.as_ref()), vec!["5555555555555555555".to_string()]);
        assert_eq!(c.channel.as_ref().map(|ch| ch.kind), Some(ChannelType::PublicThread));
    }
}
