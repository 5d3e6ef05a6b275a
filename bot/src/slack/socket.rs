//! Socket Mode: paved opens the WebSocket to Slack (`apps.connections.open` with the app-level
//! token), so no public URL is needed. slack-morphism keeps the connections alive, reconnects,
//! and acknowledges each envelope when its callback returns; the callbacks only hand the payload
//! to [`Slack`], which spawns the work, so the acknowledgement is immediate.

use std::collections::HashMap;
use std::sync::Arc;

use slack_morphism::prelude::*;

use super::{Ack, Secret, Slack, SlackError};

/// A running Socket Mode listener.
pub struct SocketMode {
    listener: SlackClientSocketModeListener<SlackClientHyperHttpsConnector>,
}

async fn slack_of(state: &SlackClientEventsUserState) -> Option<Arc<Slack>> {
    state.read().await.get_user_state::<Arc<Slack>>().cloned()
}

async fn on_push(event: SlackPushEventCallback, _client: Arc<SlackHyperClient>, state: SlackClientEventsUserState) -> UserCallbackResult<()> {
    if let Some(slack) = slack_of(&state).await {
        slack.on_push(event);
    }
    Ok(())
}

async fn on_interaction(event: SlackInteractionEvent, _client: Arc<SlackHyperClient>, state: SlackClientEventsUserState) -> UserCallbackResult<SlackInteractionResponse> {
    let Some(slack) = slack_of(&state).await else { return Ok(SlackInteractionResponse::Empty) };
    Ok(match slack.on_interaction(event) {
        Ack::Errors(errors) => {
            let errors: HashMap<String, String> = errors.into_iter().collect();
            SlackInteractionResponse::ViewSubmission(SlackViewSubmissionResponse::Errors(SlackViewSubmissionErrorsResponse::new(errors)))
        }
        Ack::Empty | Ack::Ephemeral(_) => SlackInteractionResponse::Empty,
    })
}

async fn on_command(event: SlackCommandEvent, _client: Arc<SlackHyperClient>, state: SlackClientEventsUserState) -> UserCallbackResult<SlackCommandEventResponse> {
    let text = match slack_of(&state).await.map(|slack| slack.on_command(event)) {
        Some(Ack::Ephemeral(text)) => text,
        _ => String::new(),
    };
    Ok(SlackCommandEventResponse::new(SlackMessageContent::new().with_text(text)).with_response_type(SlackMessageResponseType::Ephemeral))
}

impl SocketMode {
    /// Opens `connections` WebSockets (Slack recommends more than one, so that a reconnect
    /// never leaves paved deaf) and starts handing envelopes to `slack`.
    pub async fn start(slack: Arc<Slack>, app_token: &Secret, connections: u32) -> Result<SocketMode, SlackError> {
        let client = slack.api().client().clone();
        let environment = Arc::new(SlackClientEventsListenerEnvironment::new(client).with_user_state(slack.clone()));
        let callbacks = SlackSocketModeListenerCallbacks::new().with_push_events(on_push).with_interaction_events(on_interaction).with_command_events(on_command);
        let config = SlackClientSocketModeConfig::new().with_max_connections_count(connections.max(1));
        let listener = SlackClientSocketModeListener::new(&config, environment, callbacks);
        let token = SlackApiToken::new(app_token.expose().to_string().into());
        listener.listen_for(&token).await.map_err(|e| SlackError::api("apps.connections.open", e))?;
        listener.start().await;
        Ok(SocketMode { listener })
    }

    /// Closes the WebSockets.
    pub async fn shutdown(&self) {
        self.listener.shutdown().await;
    }
}
