//! The Slack adapter: conversations in threads, cards as Block Kit with buttons, escalations in
//! the approvers' channels.
//!
//! Inbound, both transports ([`http`] for the Events API and interactivity, [`socket`] for
//! Socket Mode) hand slack-morphism's typed payloads to [`Slack`], which answers at once (Slack
//! wants an acknowledgement within three seconds) and does the work afterwards on a spawned
//! task: a new request, a reply in a request's thread, a button press or a Modify form becomes a
//! call to the host. Outbound, [`Slack`] is the host's [`ChatPlatform`].

pub mod api;
pub mod blocks;
pub mod config;
pub mod http;
pub mod manifest;
pub mod socket;

use std::collections::{HashMap, HashSet, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use serde_json::json;
use slack_morphism::errors::SlackClientError;
use slack_morphism::prelude::*;

use crate::chat::{ButtonId, ChatError, ChatFuture, ChatPlatform, ProgressBoard};
use crate::engine::{Button, Card, Event, Thread, User};
pub use api::WebApi;
pub use blocks::{Message, ModifyMetadata, RejectMetadata};
pub use config::{Secret, SlackConfig, Transport};

/// The platform name stored in [`Thread::platform`].
pub const PLATFORM: &str = "slack";

/// What can go wrong between paved and Slack.
#[derive(Debug, thiserror::Error)]
pub enum SlackError {
    #[error("The Slack settings are not usable: {0}.")]
    Config(String),
    #[error("Slack refused {method}: {message}.")]
    Api { method: String, message: String },
    #[error("Slack's answer to {method} was not understood: {message}.")]
    Answer { method: &'static str, message: String },
    #[error("The conversation host failed: {0}.")]
    Host(String),
}

impl SlackError {
    fn api(method: &str, e: SlackClientError) -> SlackError {
        let message = match &e {
            SlackClientError::ApiError(api) => api.code.clone(),
            SlackClientError::RateLimitError(_) => "rate limited (429) after every retry".to_string(),
            other => other.to_string(),
        };
        SlackError::Api { method: method.to_string(), message }
    }
}

/// A future of the host, boxed so the adapter holds any host.
pub type HostFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, String>> + Send + 'a>>;

/// The host's answer to a new request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submitted {
    pub request_id: String,
    /// A polite refusal to show the requester privately (the request was not started).
    pub refused: Option<String>,
}

/// The host's answer to an event on a request.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Dispatched {
    /// A polite refusal to show the user privately.
    pub refused: Option<String>,
    /// The Modify form must be opened for this plan version.
    pub open_form: Option<i64>,
}

/// The three host calls the adapter makes (the conversation host implements them).
pub trait Conversations: Send + Sync + 'static {
    fn submit(&self, requester: User, thread: Thread, text: String) -> HostFuture<'_, Submitted>;
    fn dispatch(&self, request_id: String, event: Event) -> HostFuture<'_, Dispatched>;
    fn request_for_thread(&self, thread: Thread) -> HostFuture<'_, Option<String>>;
    /// Records a delivery id durably; false when it was handled before (survives restarts,
    /// unlike the adapter's own memory of recent ids).
    fn first_delivery(&self, id: String) -> HostFuture<'_, bool> {
        let _ = id;
        Box::pin(async { Ok(true) })
    }
    /// The refusal `event` would meet, decided without recording anything (`None`: it would go
    /// through): lets the adapter refuse a press before it opens a form for it.
    fn refusal(&self, request_id: String, event: Event) -> HostFuture<'_, Option<String>> {
        let _ = (request_id, event);
        Box::pin(async { Ok(None) })
    }
}

/// The immediate answer to Slack, before any work is done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ack {
    /// An empty 200 (or a bare Socket Mode acknowledgement).
    Empty,
    /// A message only the user sees (slash commands).
    Ephemeral(String),
    /// Errors shown beside a modal's inputs, keeping the modal open (`response_action: errors`).
    Errors(Vec<(String, String)>),
}

impl Ack {
    /// The HTTP response body of the acknowledgement (`None`: an empty body).
    pub fn body(&self) -> Option<serde_json::Value> {
        match self {
            Ack::Empty => None,
            Ack::Ephemeral(text) => Some(json!({"response_type": "ephemeral", "text": text})),
            Ack::Errors(errors) => {
                let map: serde_json::Map<String, serde_json::Value> = errors.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
                Some(json!({"response_action": "errors", "errors": map}))
            }
        }
    }
}

/// Delivery ids already handled, the latest few thousand: Slack retries an event whose
/// acknowledgement it missed, and Socket Mode may deliver an envelope on two connections.
struct Seen {
    ids: HashSet<String>,
    order: VecDeque<String>,
}

const SEEN_CAPACITY: usize = 20_000;
/// How long a user group's member list is trusted before it is asked again.
const GROUP_TTL: Duration = Duration::from_secs(60);

impl Seen {
    fn first(&mut self, id: &str) -> bool {
        if self.ids.contains(id) {
            return false;
        }
        if self.order.len() >= SEEN_CAPACITY
            && let Some(old) = self.order.pop_front()
        {
            self.ids.remove(&old);
        }
        self.ids.insert(id.to_string());
        self.order.push_back(id.to_string());
        true
    }
}

/// One thing Slack told paved, in the adapter's words.
#[derive(Debug, Clone)]
enum Inbound {
    /// A message: a mention, a DM, or a reply in a thread.
    Message { event_id: String, user: String, channel: String, ts: String, thread_ts: Option<String>, text: String, addressed: bool },
    /// A button press on a card.
    Press { user: String, name: Option<String>, action_id: String, channel: String, message_ts: String, thread_ts: Option<String>, trigger_id: String },
    /// The Modify modal was submitted.
    Modify { user: String, name: Option<String>, metadata: ModifyMetadata, instruction: String },
    /// The Reject modal was submitted, with the approver's reason (possibly empty).
    Reject { user: String, name: Option<String>, metadata: RejectMetadata, reason: String },
    /// `/paved <request>`.
    Command { user: String, name: Option<String>, channel: String, text: String, response_url: String },
}

/// The Slack adapter.
pub struct Slack {
    api: WebApi,
    host: OnceLock<Arc<dyn Conversations>>,
    seen: Mutex<Seen>,
    /// The progress message of each deployment: request id → (channel, ts).
    progress: Mutex<HashMap<String, (String, String)>>,
    /// The Slack user groups the approver directory names.
    groups: Vec<String>,
    group_members: Mutex<HashMap<String, (Instant, Vec<String>)>>,
    names: Mutex<HashMap<String, String>>,
    /// Work started after an acknowledgement and not finished yet.
    inflight: tokio::sync::watch::Sender<usize>,
}

/// Counts a spawned task as in flight until it ends, however it ends.
struct InFlight(tokio::sync::watch::Sender<usize>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.send_modify(|n| *n = n.saturating_sub(1));
    }
}

const HELP: &str = "Tell me what you need in plain words, for example `/paved a staging web app with postgres`, or mention me with your request.";

impl Slack {
    /// Signs in to Slack with the configuration's bot token. `groups` are the Slack user group
    /// ids that hold approver roles (from the approver directory).
    pub async fn connect(config: &SlackConfig, groups: Vec<String>) -> Result<Arc<Slack>, SlackError> {
        config.validate()?;
        let api = WebApi::connect(&config.api_url, config.bot_token.expose(), config.api_url.starts_with("https://")).await?;
        Ok(Slack::with_api(api, groups))
    }

    /// The adapter over an already signed-in Web API client.
    pub fn with_api(api: WebApi, groups: Vec<String>) -> Arc<Slack> {
        let (inflight, _) = tokio::sync::watch::channel(0);
        Arc::new(Slack {
            api,
            host: OnceLock::new(),
            seen: Mutex::new(Seen { ids: HashSet::new(), order: VecDeque::new() }),
            progress: Mutex::new(HashMap::new()),
            groups,
            group_members: Mutex::new(HashMap::new()),
            names: Mutex::new(HashMap::new()),
            inflight,
        })
    }

    /// Connects the adapter to the host it hands requests and events to (once).
    pub fn attach(&self, host: Arc<dyn Conversations>) -> Result<(), SlackError> {
        self.host.set(host).map_err(|_| SlackError::Host("the Slack adapter is already attached to a host".into()))
    }

    pub fn api(&self) -> &WebApi {
        &self.api
    }

    /// Waits until every piece of work started by an acknowledgement has finished.
    pub async fn idle(&self) {
        let mut rx = self.inflight.subscribe();
        // An error means the sender is gone, and with it all work.
        let _ = rx.wait_for(|n| *n == 0).await;
    }

    fn host(&self) -> Result<&Arc<dyn Conversations>, SlackError> {
        self.host.get().ok_or_else(|| SlackError::Host("the Slack adapter is not attached to a host yet".into()))
    }

    fn first_delivery(&self, id: &str) -> bool {
        match self.seen.lock() {
            Ok(mut seen) => seen.first(id),
            // A poisoned lock only means another task panicked; the set itself is intact.
            Err(poisoned) => poisoned.into_inner().first(id),
        }
    }

    fn spawn(self: &Arc<Self>, inbound: Inbound) {
        self.inflight.send_modify(|n| *n += 1);
        let guard = InFlight(self.inflight.clone());
        let me = self.clone();
        tokio::spawn(async move {
            let _guard = guard;
            let what = match &inbound {
                Inbound::Message { .. } => "message",
                Inbound::Press { .. } => "button press",
                Inbound::Modify { .. } => "modify form",
                Inbound::Reject { .. } => "reject form",
                Inbound::Command { .. } => "slash command",
            };
            if let Err(e) = me.work(inbound).await {
                tracing::warn!(target: "paved::slack", error = %e, "a Slack {what} could not be handled");
            }
        });
    }

    /// An Events API event (HTTP or Socket Mode). Repeated event ids are dropped.
    pub fn on_push(self: &Arc<Self>, event: SlackPushEventCallback) {
        if !self.first_delivery(&format!("event:{}", event.event_id)) {
            tracing::debug!(target: "paved::slack", event_id = %event.event_id, "a repeated Slack event was dropped");
            return;
        }
        let bot = event.authorizations.as_ref().and_then(|a| a.first()).map(|a| a.user_id.to_string()).unwrap_or_else(|| self.api.bot_user_id().to_string());
        let inbound = match event.event {
            SlackEventCallbackBody::AppMention(m) => Some(Inbound::Message {
                event_id: event.event_id.to_string(),
                user: m.user.to_string(),
                channel: m.channel.to_string(),
                ts: m.origin.ts.to_string(),
                thread_ts: m.origin.thread_ts.map(|t| t.to_string()),
                text: m.content.text.unwrap_or_default(),
                addressed: true,
            }),
            SlackEventCallbackBody::Message(m) => {
                let user = m.sender.user.map(|u| u.to_string()).unwrap_or_default();
                let text = m.content.and_then(|c| c.text).unwrap_or_default();
                let direct = m.origin.channel_type.as_ref().is_some_and(|t| t.0 == "im");
                let own = m.sender.bot_id.is_some() || user == bot || user.is_empty();
                // Edits, joins and the like carry a subtype; a channel message that mentions the
                // bot also arrives as app_mention and is handled there.
                let mention = !bot.is_empty() && text.contains(&format!("<@{bot}>"));
                match m.origin.channel {
                    Some(channel) if m.subtype.is_none() && !own && (direct || !mention) => Some(Inbound::Message {
                        event_id: event.event_id.to_string(),
                        user,
                        channel: channel.to_string(),
                        ts: m.origin.ts.to_string(),
                        thread_ts: m.origin.thread_ts.map(|t| t.to_string()),
                        text,
                        addressed: direct,
                    }),
                    _ => None,
                }
            }
            _ => None,
        };
        if let Some(inbound) = inbound {
            self.spawn(inbound);
        }
    }

    /// An interaction: a button press or a modal submission.
    pub fn on_interaction(self: &Arc<Self>, event: SlackInteractionEvent) -> Ack {
        match event {
            SlackInteractionEvent::BlockActions(e) => {
                let Some(user) = e.user else { return Ack::Empty };
                let channel = e.channel.as_ref().map(|c| c.id.to_string()).unwrap_or_default();
                let (message_ts, thread_ts) = match (&e.message, &e.container) {
                    (Some(m), _) => (m.origin.ts.to_string(), m.origin.thread_ts.as_ref().map(|t| t.to_string())),
                    (None, SlackInteractionActionContainer::Message(c)) => (c.message_ts.to_string(), None),
                    _ => (String::new(), None),
                };
                for action in e.actions.unwrap_or_default() {
                    // A trigger id is unique per interaction: a redelivered envelope is dropped.
                    if !self.first_delivery(&format!("action:{}:{}", e.trigger_id, action.action_id)) {
                        continue;
                    }
                    self.spawn(Inbound::Press {
                        user: user.id.to_string(),
                        name: user.name.clone().or(user.username.clone()),
                        action_id: action.action_id.to_string(),
                        channel: channel.clone(),
                        message_ts: message_ts.clone(),
                        thread_ts: thread_ts.clone(),
                        trigger_id: e.trigger_id.to_string(),
                    });
                }
                Ack::Empty
            }
            SlackInteractionEvent::ViewSubmission(e) => {
                let SlackView::Modal(modal) = &e.view.view else { return Ack::Empty };
                let input = |block: &str| {
                    e.view
                        .state_params
                        .state
                        .as_ref()
                        .and_then(|s| s.values.get(&SlackBlockId(block.into())))
                        .and_then(|v| v.get(&SlackActionId(block.into())))
                        .and_then(|v| v.value.clone())
                        .unwrap_or_default()
                };
                if modal.callback_id.as_ref().map(|c| c.0.as_str()) == Some(blocks::REJECT_CALLBACK) {
                    let Some(metadata) = modal.private_metadata.as_deref().and_then(|m| serde_json::from_str::<RejectMetadata>(m).ok()) else {
                        return Ack::Errors(vec![(blocks::REJECT_INPUT.into(), "This form is from an older paved; press Reject on the escalation again.".into())]);
                    };
                    if !self.first_delivery(&format!("view:{}:{}", e.view.state_params.id, e.view.state_params.hash)) {
                        return Ack::Empty;
                    }
                    let reason = input(blocks::REJECT_INPUT).trim().to_string();
                    self.spawn(Inbound::Reject { user: e.user.id.to_string(), name: e.user.name.clone().or(e.user.username.clone()), metadata, reason });
                    return Ack::Empty;
                }
                if modal.callback_id.as_ref().map(|c| c.0.as_str()) != Some(blocks::MODIFY_CALLBACK) {
                    return Ack::Empty;
                }
                let Some(metadata) = modal.private_metadata.as_deref().and_then(|m| serde_json::from_str::<ModifyMetadata>(m).ok()) else {
                    return Ack::Errors(vec![(blocks::MODIFY_INPUT.into(), "This form is from an older paved; press Modify on the plan again.".into())]);
                };
                let instruction = input(blocks::MODIFY_INPUT);
                if instruction.trim().is_empty() {
                    return Ack::Errors(vec![(blocks::MODIFY_INPUT.into(), "Say what to change, for example \"use db.t3.medium\" or \"no redis\".".into())]);
                }
                if !self.first_delivery(&format!("view:{}:{}", e.view.state_params.id, e.view.state_params.hash)) {
                    return Ack::Empty;
                }
                self.spawn(Inbound::Modify { user: e.user.id.to_string(), name: e.user.name.clone().or(e.user.username.clone()), metadata, instruction });
                Ack::Empty
            }
            _ => Ack::Empty,
        }
    }

    /// `/paved <request>`.
    pub fn on_command(self: &Arc<Self>, event: SlackCommandEvent) -> Ack {
        let text = event.text.unwrap_or_default();
        if text.trim().is_empty() {
            return Ack::Ephemeral(HELP.into());
        }
        self.spawn(Inbound::Command { user: event.user_id.to_string(), name: None, channel: event.channel_id.to_string(), text: text.clone(), response_url: event.response_url.0.to_string() });
        Ack::Ephemeral(format!("Planning: {}", blocks::escape(text.trim())))
    }

    async fn work(&self, inbound: Inbound) -> Result<(), SlackError> {
        let host = self.host()?.clone();
        match inbound {
            Inbound::Message { event_id, user, channel, ts, thread_ts, text, addressed } => {
                if !host.first_delivery(format!("slack:event:{event_id}")).await.map_err(SlackError::Host)? {
                    return Ok(());
                }
                let text = strip_mention(&text, self.api.bot_user_id());
                if let Some(tts) = &thread_ts {
                    let thread = Thread { platform: PLATFORM.into(), channel: channel.clone(), thread: tts.clone() };
                    if let Some(request_id) = host.request_for_thread(thread).await.map_err(SlackError::Host)? {
                        let user = self.user(&user, None).await;
                        let id = user.id.clone();
                        let answer = host.dispatch(request_id, Event::Said { user, text }).await.map_err(SlackError::Host)?;
                        if let Some(refused) = answer.refused {
                            self.api.post_ephemeral(&channel, Some(tts), &id, &refused).await?;
                        }
                        return Ok(());
                    }
                }
                if !addressed {
                    return Ok(());
                }
                let thread_ts = thread_ts.unwrap_or(ts);
                if text.is_empty() {
                    return self.api.post_ephemeral(&channel, Some(&thread_ts), &user, HELP).await;
                }
                let requester = self.user(&user, None).await;
                let thread = Thread { platform: PLATFORM.into(), channel: channel.clone(), thread: thread_ts.clone() };
                let answer = host.submit(requester, thread, text).await.map_err(SlackError::Host)?;
                if let Some(refused) = answer.refused {
                    self.api.post_ephemeral(&channel, Some(&thread_ts), &user, &refused).await?;
                }
                Ok(())
            }
            Inbound::Command { user, name, channel, text, response_url } => {
                // A slash command leaves no message behind; paved posts the request so the
                // conversation has a thread the whole channel can follow.
                let anchor = Message {
                    text: format!("<@{user}> asked paved: {}", blocks::escape(text.trim())),
                    blocks: vec![json!({"type": "section", "text": {"type": "mrkdwn", "text": blocks::clip(&format!("<@{user}> asked paved:\n>{}", blocks::escape(text.trim()).replace('\n', "\n>")), blocks::limits::SECTION_TEXT)}})],
                    attachment: None,
                };
                let (channel, ts) = match self.api.post_message(&channel, None, &anchor).await {
                    Ok(posted) => posted,
                    Err(e) => {
                        self.api.respond(&response_url, "I cannot post in this channel. Invite me with `/invite @paved`, or send me your request as a direct message.").await?;
                        return Err(e);
                    }
                };
                let requester = self.user(&user, name).await;
                let thread = Thread { platform: PLATFORM.into(), channel: channel.clone(), thread: ts.clone() };
                let answer = host.submit(requester, thread, text).await.map_err(SlackError::Host)?;
                if let Some(refused) = answer.refused {
                    self.api.post_ephemeral(&channel, Some(&ts), &user, &refused).await?;
                }
                Ok(())
            }
            Inbound::Press { user, name, action_id, channel, message_ts, thread_ts, trigger_id } => {
                let Some(id) = ButtonId::decode(&action_id) else {
                    tracing::debug!(target: "paved::slack", action_id, "a press on a button paved did not make was ignored");
                    return Ok(());
                };
                let user = self.user(&user, name).await;
                let groups = match id.button {
                    Button::Grant { .. } | Button::Reject { .. } => self.groups_of(&user.id).await,
                    _ => Vec::new(),
                };
                let user_id = user.id.clone();
                let thread = thread_ts.unwrap_or_else(|| message_ts.clone());
                if let Button::Reject { role, reason: None } = &id.button {
                    // The reason comes first, from people who may reject; the rejection is
                    // decided when the form is sent. A press that would be refused goes on to
                    // be refused (and recorded) below.
                    let event = Event::Pressed { user: user.clone(), groups: groups.clone(), button: id.button.clone(), version: id.version };
                    if host.refusal(id.request_id.clone(), event).await.map_err(SlackError::Host)?.is_none() {
                        let meta = RejectMetadata { request_id: id.request_id.clone(), version: id.version, role: role.clone(), channel, thread };
                        return self.api.open_view(&trigger_id, blocks::reject_modal(&meta)).await;
                    }
                }
                let answer = host.dispatch(id.request_id.clone(), Event::Pressed { user, groups, button: id.button, version: id.version }).await.map_err(SlackError::Host)?;
                if let Some(refused) = answer.refused {
                    self.api.post_ephemeral(&channel, Some(&thread), &user_id, &refused).await?;
                }
                if let Some(version) = answer.open_form {
                    let meta = ModifyMetadata { request_id: id.request_id, version, channel, thread };
                    self.api.open_view(&trigger_id, blocks::modify_modal(&meta)).await?;
                }
                Ok(())
            }
            Inbound::Reject { user, name, metadata, reason } => {
                let user = self.user(&user, name).await;
                let user_id = user.id.clone();
                let groups = self.groups_of(&user.id).await;
                let button = Button::Reject { role: metadata.role.clone(), reason: Some(reason).filter(|r| !r.is_empty()) };
                let answer = host.dispatch(metadata.request_id.clone(), Event::Pressed { user, groups, button, version: metadata.version }).await.map_err(SlackError::Host)?;
                if let Some(refused) = answer.refused {
                    self.api.post_ephemeral(&metadata.channel, Some(&metadata.thread), &user_id, &refused).await?;
                }
                Ok(())
            }
            Inbound::Modify { user, name, metadata, instruction } => {
                let user = self.user(&user, name).await;
                let user_id = user.id.clone();
                let answer = host.dispatch(metadata.request_id.clone(), Event::Modified { user, instruction, version: metadata.version }).await.map_err(SlackError::Host)?;
                if let Some(refused) = answer.refused {
                    self.api.post_ephemeral(&metadata.channel, Some(&metadata.thread), &user_id, &refused).await?;
                }
                Ok(())
            }
        }
    }

    /// The verified user id with a display name for cards (never used to authorise).
    async fn user(&self, id: &str, hint: Option<String>) -> User {
        let cached = self.names.lock().ok().and_then(|n| n.get(id).cloned());
        let name = match cached {
            Some(name) => name,
            None => match self.api.user_name(id).await {
                Ok(name) => {
                    if let Ok(mut names) = self.names.lock() {
                        names.insert(id.to_string(), name.clone());
                    }
                    name
                }
                Err(e) => {
                    tracing::debug!(target: "paved::slack", error = %e, "no display name for {id}");
                    hint.unwrap_or_else(|| id.to_string())
                }
            },
        };
        User { id: id.to_string(), name }
    }

    /// The directory's Slack user groups `user` belongs to. A group whose members cannot be
    /// read counts as not held: a press is never authorised on a guess.
    async fn groups_of(&self, user: &str) -> Vec<String> {
        let mut held = Vec::new();
        for group in &self.groups {
            let cached = self.group_members.lock().ok().and_then(|m| m.get(group).filter(|(at, _)| at.elapsed() < GROUP_TTL).map(|(_, users)| users.clone()));
            let members = match cached {
                Some(members) => members,
                None => match self.api.usergroup_members(group).await {
                    Ok(members) => {
                        if let Ok(mut m) = self.group_members.lock() {
                            m.insert(group.clone(), (Instant::now(), members.clone()));
                        }
                        members
                    }
                    Err(e) => {
                        tracing::warn!(target: "paved::slack", error = %e, group, "the members of a Slack user group could not be read");
                        continue;
                    }
                },
            };
            if members.iter().any(|m| m == user) {
                held.push(group.clone());
            }
        }
        held
    }

    async fn request_id(&self, thread: &Thread) -> Result<Option<String>, SlackError> {
        if thread.thread.is_empty() {
            return Ok(None);
        }
        self.host()?.request_for_thread(thread.clone()).await.map_err(SlackError::Host)
    }

    async fn post_card(&self, thread: &Thread, card: &Card) -> Result<Thread, SlackError> {
        let request_id = match self.request_id(thread).await? {
            Some(id) => id,
            None if matches!(card, Card::Plan { .. }) => {
                return Err(SlackError::Host(format!("no request owns the thread {}/{}, so the plan's buttons cannot name it", thread.channel, thread.thread)));
            }
            None => String::new(),
        };
        let message = blocks::message(card, &request_id);
        let (channel, ts) = self.api.post_message(&thread.channel, Some(&thread.thread), &message).await?;
        let thread_id = if thread.thread.is_empty() { ts } else { thread.thread.clone() };
        Ok(Thread { platform: PLATFORM.into(), channel, thread: thread_id })
    }

    async fn post_escalation(&self, channel: &str, card: &Card) -> Result<(), SlackError> {
        let Card::Escalation { role, conversation } = card else {
            let message = blocks::message(card, "");
            return self.api.post_message(channel, None, &message).await.map(|_| ());
        };
        let message = blocks::message(card, &conversation.request_id);
        let (channel_id, ts) = self.api.post_message(channel, None, &message).await?;
        // The requester's thread links to the escalation, so they can see where it waits.
        let requester = &conversation.thread;
        if requester.platform == PLATFORM && !requester.channel.is_empty() {
            let link = self.api.permalink(&channel_id, &ts).await?;
            let text = format!("Waiting for *{}* in <#{channel_id}>: <{link}|open the escalation>.", blocks::escape(role));
            let note = Message { text: text.clone(), blocks: vec![json!({"type": "section", "text": {"type": "mrkdwn", "text": text}})], attachment: None };
            self.api.post_message(&requester.channel, Some(&requester.thread), &note).await?;
        }
        Ok(())
    }

    async fn show_progress(&self, thread: &Thread, board: &ProgressBoard) -> Result<Option<String>, SlackError> {
        let message = blocks::progress(board);
        // This process's message, or one posted before a restart (`channel/ts`).
        let existing = self
            .progress
            .lock()
            .ok()
            .and_then(|p| p.get(&board.request_id).cloned())
            .or_else(|| board.message.as_deref().and_then(|m| m.split_once('/')).map(|(c, ts)| (c.to_string(), ts.to_string())));
        let created = match existing {
            Some((channel, ts)) => {
                self.api.update(&channel, &ts, &message).await?;
                if let Ok(mut p) = self.progress.lock() {
                    p.insert(board.request_id.clone(), (channel, ts));
                }
                None
            }
            None => {
                let (channel, ts) = self.api.post_message(&thread.channel, Some(&thread.thread), &message).await?;
                if let Ok(mut p) = self.progress.lock() {
                    p.insert(board.request_id.clone(), (channel.clone(), ts.clone()));
                }
                Some(format!("{channel}/{ts}"))
            }
        };
        if board.finished
            && let Ok(mut p) = self.progress.lock()
        {
            p.remove(&board.request_id);
        }
        Ok(created)
    }
}

/// The request without the mention of the bot that carried it.
fn strip_mention(text: &str, bot: &str) -> String {
    let mut out = text.to_string();
    if !bot.is_empty() {
        out = out.replace(&format!("<@{bot}>"), " ");
    }
    // A mention that is the first word is addressed to paved even when the bot id is unknown.
    let trimmed = out.trim_start();
    let out = match trimmed.strip_prefix("<@").and_then(|rest| rest.split_once('>')) {
        Some((_, rest)) => rest.to_string(),
        None => out,
    };
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn chat_error(e: SlackError) -> ChatError {
    ChatError { platform: PLATFORM.into(), message: e.to_string() }
}

impl ChatPlatform for Slack {
    fn name(&self) -> &'static str {
        PLATFORM
    }

    fn post<'a>(&'a self, thread: &'a Thread, card: &'a Card) -> ChatFuture<'a, Thread> {
        Box::pin(async move { self.post_card(thread, card).await.map_err(chat_error) })
    }

    fn post_to_channel<'a>(&'a self, channel: &'a str, card: &'a Card) -> ChatFuture<'a, ()> {
        Box::pin(async move { self.post_escalation(channel, card).await.map_err(chat_error) })
    }

    fn whisper<'a>(&'a self, thread: &'a Thread, user: &'a str, text: &'a str) -> ChatFuture<'a, ()> {
        Box::pin(async move { self.api.post_ephemeral(&thread.channel, Some(&thread.thread), user, text).await.map_err(chat_error) })
    }

    fn progress<'a>(&'a self, thread: &'a Thread, board: &'a ProgressBoard) -> ChatFuture<'a, Option<String>> {
        Box::pin(async move { self.show_progress(thread, board).await.map_err(chat_error) })
    }
}

/// The real conversation host behind the adapter.
impl Conversations for crate::host::Host {
    fn submit(&self, requester: User, thread: Thread, text: String) -> HostFuture<'_, Submitted> {
        Box::pin(async move {
            match crate::host::Host::submit(self, requester, thread, &text).await {
                Ok(s) => Ok(Submitted { request_id: s.request_id, refused: None }),
                Err(crate::host::HostError::Refused(reason)) => Ok(Submitted { request_id: String::new(), refused: Some(reason) }),
                Err(e) => Err(e.to_string()),
            }
        })
    }

    fn dispatch(&self, request_id: String, event: Event) -> HostFuture<'_, Dispatched> {
        Box::pin(async move {
            match crate::host::Host::dispatch(self, &request_id, event).await {
                Ok(d) => Ok(Dispatched { refused: d.refused, open_form: d.open_form }),
                Err(crate::host::HostError::Refused(reason)) => Ok(Dispatched { refused: Some(reason), open_form: None }),
                Err(crate::host::HostError::UnknownRequest(id)) => Ok(Dispatched { refused: Some(format!("paved has no request {id}; it may belong to another installation.")), open_form: None }),
                Err(e) => Err(e.to_string()),
            }
        })
    }

    fn request_for_thread(&self, thread: Thread) -> HostFuture<'_, Option<String>> {
        Box::pin(async move { crate::host::Host::request_for_thread(self, &thread).await.map_err(|e| e.to_string()) })
    }

    fn first_delivery(&self, id: String) -> HostFuture<'_, bool> {
        Box::pin(async move { crate::host::Host::first_delivery(self, &id).await.map_err(|e| e.to_string()) })
    }

    fn refusal(&self, request_id: String, event: Event) -> HostFuture<'_, Option<String>> {
        Box::pin(async move {
            match crate::host::Host::preview(self, &request_id, &event).await {
                Ok(crate::host::Preview::Refused { reason, .. }) => Ok(Some(reason)),
                Ok(_) => Ok(None),
                Err(crate::host::HostError::UnknownRequest(id)) => Ok(Some(format!("paved has no request {id}; it may belong to another installation."))),
                Err(e) => Err(e.to_string()),
            }
        })
    }
}

/// A running Slack adapter: its receiver task (HTTP) or its WebSockets (Socket Mode).
pub enum Running {
    Http { addr: std::net::SocketAddr, server: tokio::task::JoinHandle<std::io::Result<()>> },
    Socket(socket::SocketMode),
}

impl Running {
    /// Stops receiving from Slack.
    pub async fn stop(self) {
        match self {
            Running::Http { server, .. } => server.abort(),
            Running::Socket(s) => s.shutdown().await,
        }
    }
}

/// Connects Slack to the host: signs in, registers the adapter as the host's `slack` platform,
/// and starts the configured transport.
pub async fn start(config: &SlackConfig, host: Arc<crate::host::Host>) -> Result<Running, SlackError> {
    let groups: Vec<String> = {
        let mut g: Vec<String> = host.directory().roles.values().flat_map(|r| r.groups.iter().cloned()).collect();
        g.sort();
        g.dedup();
        g
    };
    let slack = Slack::connect(config, groups).await?;
    slack.attach(host.clone())?;
    host.register(slack.clone());
    match config.transport {
        Transport::Http => {
            let secret = config.signing_secret.clone().ok_or_else(|| SlackError::Config("slack.signing_secret is missing".into()))?;
            let listener = tokio::net::TcpListener::bind(&config.listen)
                .await
                .map_err(|e| SlackError::Config(format!("cannot listen on {} ({e}); set slack.listen to a free address", config.listen)))?;
            let addr = listener.local_addr().map_err(|e| SlackError::Config(e.to_string()))?;
            let server = tokio::spawn(http::serve(listener, http::router(slack, &secret)));
            Ok(Running::Http { addr, server })
        }
        Transport::Socket => {
            let token = config.app_token.clone().ok_or_else(|| SlackError::Config("slack.app_token is missing".into()))?;
            // Two connections, as Slack recommends, so that a reconnect never leaves paved deaf.
            Ok(Running::Socket(socket::SocketMode::start(slack, &token, 2).await?))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mention_is_not_part_of_the_request() {
        assert_eq!(strip_mention("<@UBOT> a staging web app", "UBOT"), "a staging web app");
        assert_eq!(strip_mention("hey <@UBOT>   a staging\nweb app", "UBOT"), "hey a staging web app");
        assert_eq!(strip_mention("<@UOTHER> a web app", ""), "a web app");
        assert_eq!(strip_mention("a web app", "UBOT"), "a web app");
    }

    #[test]
    fn deliveries_are_handled_once() {
        let mut seen = Seen { ids: HashSet::new(), order: VecDeque::new() };
        assert!(seen.first("Ev1"));
        assert!(!seen.first("Ev1"));
        for i in 0..SEEN_CAPACITY {
            seen.first(&format!("x{i}"));
        }
        assert!(seen.ids.len() <= SEEN_CAPACITY);
        assert!(seen.first("Ev1"), "the oldest ids are forgotten first");
    }

    /// An app mention as Slack sends it today: rich-text blocks, a client message id, the team and
    /// the authorizations paved uses to know its own user id.
    #[test]
    fn a_mention_with_everything_slack_sends_is_read() {
        let body = json!({
            "token": "Jhj5dZrVaK7ZwHHjRyZWjbDl", "team_id": "T061EG9R6", "context_team_id": "T061EG9R6", "context_enterprise_id": null,
            "api_app_id": "A0MDYCDME", "type": "event_callback", "event_id": "Ev0PV52K21", "event_time": 1_700_000_002,
            "authorizations": [{"enterprise_id": null, "team_id": "T061EG9R6", "user_id": "U0LAN0Z89", "is_bot": true, "is_enterprise_install": false}],
            "is_ext_shared_channel": false, "event_context": "4-eyJldCI6ImFwcF9tZW50aW9uIn0",
            "event": {
                "type": "app_mention", "user": "U061F7AUR", "ts": "1700000002.000100", "client_msg_id": "f4a5b3d7-6a3c-4b0e-8f6e-1b6c1f0a9c2e",
                "text": "<@U0LAN0Z89> a staging web app with postgres :pray:", "team": "T061EG9R6", "channel": "C0LAN2Q65", "event_ts": "1700000002.000100",
                "blocks": [{"type": "rich_text", "block_id": "Xk8", "elements": [{"type": "rich_text_section", "elements": [
                    {"type": "user", "user_id": "U0LAN0Z89"}, {"type": "text", "text": " a staging web app with "},
                    {"type": "text", "text": "postgres", "style": {"code": true}}, {"type": "text", "text": " "}, {"type": "emoji", "name": "pray", "unicode": "1f64f"}
                ]}]}]
            }
        });
        let Ok(SlackPushEvent::EventCallback(event)) = serde_json::from_value::<SlackPushEvent>(body) else { panic!("a current app mention is read") };
        assert_eq!(event.authorizations.as_ref().and_then(|a| a.first()).map(|a| a.user_id.to_string()).as_deref(), Some("U0LAN0Z89"));
        let SlackEventCallbackBody::AppMention(m) = event.event else { panic!("an app mention") };
        assert_eq!((m.user.to_string().as_str(), m.channel.to_string().as_str()), ("U061F7AUR", "C0LAN2Q65"));
        assert_eq!(strip_mention(&m.content.text.unwrap_or_default(), "U0LAN0Z89"), "a staging web app with postgres :pray:");
    }

    /// A press on a plan card as Slack sends it today: the whole message with its blocks, the
    /// container, the (empty) state and the button's style.
    #[test]
    fn a_press_with_everything_slack_sends_is_read() {
        let payload = json!({
            "type": "block_actions",
            "user": {"id": "U061F7AUR", "username": "dana", "name": "dana", "team_id": "T061EG9R6"},
            "api_app_id": "A0MDYCDME", "token": "Jhj5dZrVaK7ZwHHjRyZWjbDl",
            "container": {"type": "message", "message_ts": "1700000003.000200", "channel_id": "C0LAN2Q65", "is_ephemeral": false, "thread_ts": "1700000002.000100"},
            "trigger_id": "1700000004.61454.7c9f0b5a8cd3ef5b1f1c1f4b2c3d4e5f",
            "team": {"id": "T061EG9R6", "domain": "acme"}, "enterprise": null, "is_enterprise_install": false,
            "channel": {"id": "C0LAN2Q65", "name": "platform"},
            "message": {
                "user": "U0LAN0Z89", "type": "message", "ts": "1700000003.000200", "bot_id": "B0LAN0Z88", "app_id": "A0MDYCDME",
                "text": "Plan v1 for req-10001", "team": "T061EG9R6", "thread_ts": "1700000002.000100", "parent_user_id": "U061F7AUR",
                "blocks": [
                    {"type": "header", "block_id": "h", "text": {"type": "plain_text", "text": "Plan v1", "emoji": true}},
                    {"type": "section", "block_id": "s", "text": {"type": "mrkdwn", "text": "*standard_web_app* 3.2 · $198.28/month", "verbatim": false}},
                    {"type": "divider", "block_id": "d"},
                    {"type": "context", "block_id": "c", "elements": [{"type": "mrkdwn", "text": "59 resources", "verbatim": false}]},
                    {"type": "actions", "block_id": "paved:plan:req-10001", "elements": [
                        {"type": "button", "action_id": "paved:approve:req-10001:1", "text": {"type": "plain_text", "text": "Approve", "emoji": true}, "style": "primary", "value": "paved:approve:req-10001:1"},
                        {"type": "button", "action_id": "paved:modify:req-10001:1", "text": {"type": "plain_text", "text": "Modify", "emoji": true}, "value": "paved:modify:req-10001:1"}
                    ]}
                ]
            },
            "state": {"values": {}},
            "response_url": "https://hooks.slack.com/actions/T061EG9R6/1/x",
            "actions": [{"action_id": "paved:approve:req-10001:1", "block_id": "paved:plan:req-10001", "text": {"type": "plain_text", "text": "Approve", "emoji": true}, "value": "paved:approve:req-10001:1", "style": "primary", "type": "button", "action_ts": "1700000004.123456"}]
        });
        let Ok(SlackInteractionEvent::BlockActions(e)) = serde_json::from_value::<SlackInteractionEvent>(payload) else { panic!("a current press is read") };
        let action = e.actions.as_ref().and_then(|a| a.first()).expect("one action");
        let id = ButtonId::decode(action.action_id.as_ref()).expect("paved's button id");
        assert_eq!((id.request_id.as_str(), id.version, &id.button), ("req-10001", 1, &Button::Approve));
        assert_eq!(e.user.map(|u| u.id.to_string()).as_deref(), Some("U061F7AUR"));
        assert_eq!(e.message.and_then(|m| m.origin.thread_ts).map(|t| t.to_string()).as_deref(), Some("1700000002.000100"));
    }

    #[test]
    fn acks_have_slacks_shapes() {
        assert_eq!(Ack::Empty.body(), None);
        assert_eq!(Ack::Ephemeral("hi".into()).body().unwrap()["response_type"], "ephemeral");
        let errors = Ack::Errors(vec![("instruction".into(), "say more".into())]).body().unwrap();
        assert_eq!(errors, json!({"response_action": "errors", "errors": {"instruction": "say more"}}));
    }
}
