//! The Slack Web API calls paved makes, over slack-morphism's client: its rate control (Slack's
//! method tiers, proactive throttling) and its handling of 429 answers (wait `Retry-After`, then
//! try again).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use slack_morphism::prelude::*;

use super::SlackError;
use super::blocks::{Attachment, Message};

/// How often a call answered with 429 is tried again before the adapter gives up.
pub const MAX_RETRIES: usize = 5;

/// The slack-morphism client for one workspace's bot token.
pub struct WebApi {
    client: Arc<SlackClient<SlackClientHyperHttpsConnector>>,
    token: SlackApiToken,
    throttle: bool,
    bot_user_id: String,
}

/// Slack's answer to `chat.postMessage`.
#[derive(Debug, Clone, serde::Deserialize)]
struct Posted {
    ts: String,
    channel: String,
}

/// Makes ring rustls's process-wide crypto provider, for the Web API connector and for Socket
/// Mode's WebSocket, which take the process default. A build with the AWS provider links
/// aws-lc-rs as well, and rustls then refuses to choose between the two on its own.
pub fn install_crypto_provider() {
    // An error means a provider is installed already, which serves as well.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

impl WebApi {
    /// Signs in to the Web API at `api_url` (`https://slack.com/api` in production) with the bot
    /// token (`auth.test`), learning the workspace and the bot's own user id. `throttle` paces
    /// calls by Slack's method tiers before Slack has to say 429; with or without it, a 429 is
    /// honoured by waiting `Retry-After` and trying again.
    pub async fn connect(api_url: &str, bot_token: &str, throttle: bool) -> Result<WebApi, SlackError> {
        install_crypto_provider();
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_native_roots()
            .map_err(|e| SlackError::Config(format!("the system's TLS root certificates could not be loaded ({e}); install ca-certificates")))?;
        // Plain HTTP only where the configuration allowed it: a loopback Web API.
        let https = if super::config::is_loopback_http(api_url) { https.https_or_http() } else { https.https_only() };
        let connector: SlackClientHyperHttpsConnector = https.enable_http1().enable_http2().build().into();
        let mut rate = SlackApiRateControlConfig::new().with_max_retries(MAX_RETRIES).with_max_delay_timeout(Duration::from_secs(120));
        if !throttle {
            rate = rate.with_tiers_limits(HashMap::new());
        }
        let connector = connector.with_rate_control(rate).with_slack_api_url(api_url.trim_end_matches('/'));
        let mut api = WebApi { client: Arc::new(SlackClient::new(connector)), token: SlackApiToken::new(bot_token.to_string().into()), throttle, bot_user_id: String::new() };
        let me = api.session().auth_test().await.map_err(|e| SlackError::api("auth.test", e))?;
        // The workspace id keys slack-morphism's per-workspace rate limits.
        api.token = api.token.clone().with_team_id(me.team_id);
        api.bot_user_id = me.user_id.to_string();
        Ok(api)
    }

    /// The bot's own user id, so that it ignores its own messages.
    pub fn bot_user_id(&self) -> &str {
        &self.bot_user_id
    }

    fn session(&self) -> SlackClientSession<'_, SlackClientHyperHttpsConnector> {
        self.client.open_session(&self.token)
    }

    /// Posts any JSON payload to a Web API method.
    async fn post(&self, method: &str, body: &Value, tier: &'static SlackApiMethodRateControlConfig) -> Result<Value, SlackError> {
        let session = self.session();
        session.http_session_api.http_post(method, body, Some(tier)).await.map_err(|e| SlackError::api(method, e))
    }

    /// `chat.postMessage`; returns the message's channel and `ts`.
    pub async fn post_message(&self, channel: &str, thread_ts: Option<&str>, message: &Message) -> Result<(String, String), SlackError> {
        let mut body = json!({"channel": channel, "text": message.text, "blocks": message.blocks, "unfurl_links": false});
        if let Some(ts) = thread_ts.filter(|t| !t.is_empty()) {
            body["thread_ts"] = json!(ts);
        }
        // Slack allows about one message a second per channel; paced here unless throttling is off.
        let tier: &'static SlackApiMethodRateControlConfig = if self.throttle { &CHAT_POST_MESSAGE_SPECIAL_LIMIT_RATE_CTL } else { &SLACK_TIER4_METHOD_CONFIG };
        let answer = self.post("chat.postMessage", &body, tier).await?;
        let posted: Posted = serde_json::from_value(answer).map_err(|e| SlackError::Answer { method: "chat.postMessage", message: e.to_string() })?;
        if let Some(file) = &message.attachment {
            self.upload(&posted.channel, Some(thread_ts.filter(|t| !t.is_empty()).unwrap_or(&posted.ts)), file).await?;
        }
        Ok((posted.channel, posted.ts))
    }

    /// `chat.update` of a message the bot posted.
    pub async fn update(&self, channel: &str, ts: &str, message: &Message) -> Result<(), SlackError> {
        let body = json!({"channel": channel, "ts": ts, "text": message.text, "blocks": message.blocks});
        self.post("chat.update", &body, &SLACK_TIER3_METHOD_CONFIG).await.map(|_| ())
    }

    /// `chat.postEphemeral`: a message only `user` sees.
    pub async fn post_ephemeral(&self, channel: &str, thread_ts: Option<&str>, user: &str, text: &str) -> Result<(), SlackError> {
        let mut body = json!({"channel": channel, "user": user, "text": text});
        if let Some(ts) = thread_ts.filter(|t| !t.is_empty()) {
            body["thread_ts"] = json!(ts);
        }
        self.post("chat.postEphemeral", &body, &SLACK_TIER4_METHOD_CONFIG).await.map(|_| ())
    }

    /// `views.open` with an interaction's `trigger_id`.
    pub async fn open_view(&self, trigger_id: &str, view: Value) -> Result<(), SlackError> {
        let body = json!({"trigger_id": trigger_id, "view": view});
        self.post("views.open", &body, &SLACK_TIER4_METHOD_CONFIG).await.map(|_| ())
    }

    /// A link to a message, for the requester's thread to point at an escalation.
    pub async fn permalink(&self, channel: &str, ts: &str) -> Result<String, SlackError> {
        let req = SlackApiChatGetPermalinkRequest::new(channel.to_string().into(), ts.to_string().into());
        let answer = self.session().chat_get_permalink(&req).await.map_err(|e| SlackError::api("chat.getPermalink", e))?;
        Ok(answer.permalink.to_string())
    }

    /// The members of a Slack user group.
    pub async fn usergroup_members(&self, group: &str) -> Result<Vec<String>, SlackError> {
        let req = SlackApiUserGroupsUsersListRequest::new(group.to_string().into());
        let answer = self.session().usergroups_users_list(&req).await.map_err(|e| SlackError::api("usergroups.users.list", e))?;
        Ok(answer.users.into_iter().map(|u| u.to_string()).collect())
    }

    /// A user's display name (their display name, else real name, else handle).
    pub async fn user_name(&self, user: &str) -> Result<String, SlackError> {
        let req = SlackApiUsersInfoRequest::new(user.to_string().into());
        let answer = self.session().users_info(&req).await.map_err(|e| SlackError::api("users.info", e))?;
        let u = answer.user;
        let profile = u.profile.as_ref();
        Ok([profile.and_then(|p| p.display_name.clone()), u.real_name.clone(), profile.and_then(|p| p.real_name.clone()), u.name.clone()]
            .into_iter()
            .flatten()
            .find(|n| !n.trim().is_empty())
            .unwrap_or_else(|| user.to_string()))
    }

    /// Answers a slash command through its `response_url` (works where the bot is not a member).
    pub async fn respond(&self, response_url: &str, text: &str) -> Result<(), SlackError> {
        let url = response_url.parse().map_err(|_| SlackError::Answer { method: "response_url", message: "not a URL".into() })?;
        let body = json!({"response_type": "ephemeral", "text": text});
        let session = self.session();
        session.http_session_api.http_post_uri::<_, Value>(url, &body, None).await.map_err(|e| SlackError::api("response_url", e)).map(|_| ())
    }

    /// Shares a text file in a thread: `files.getUploadURLExternal`, the upload, then
    /// `files.completeUploadExternal`.
    pub async fn upload(&self, channel: &str, thread_ts: Option<&str>, file: &Attachment) -> Result<(), SlackError> {
        let session = self.session();
        let req = SlackApiFilesGetUploadUrlExternalRequest::new(file.filename.clone(), file.content.len());
        let url = session.get_upload_url_external(&req).await.map_err(|e| SlackError::api("files.getUploadURLExternal", e))?;
        let upload = SlackApiFilesUploadViaUrlRequest::new(url.upload_url.clone(), file.content.clone().into_bytes(), "text/plain".into());
        session.files_upload_via_url(&upload).await.map_err(|e| SlackError::api("files upload", e))?;
        let mut complete = SlackApiFilesCompleteUploadExternalRequest::new(vec![SlackApiFilesComplete::new(url.file_id).with_title(file.title.clone())])
            .with_channel_id(channel.to_string().into());
        if let Some(ts) = thread_ts {
            complete = complete.with_thread_ts(ts.to_string().into());
        }
        session.files_complete_upload_external(&complete).await.map_err(|e| SlackError::api("files.completeUploadExternal", e))?;
        Ok(())
    }

    /// The slack-morphism client, for Socket Mode.
    pub(crate) fn client(&self) -> &Arc<SlackClient<SlackClientHyperHttpsConnector>> {
        &self.client
    }
}

/// The shared handle the adapter and its transports use.
pub type Api = Arc<WebApi>;
