//! The Events API and interactivity over HTTP: every request's signature is verified with
//! slack-morphism's `SlackEventSignatureVerifier` before anything is read from it, and every
//! verified request is acknowledged at once (the work runs afterwards).

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use slack_morphism::prelude::*;
use slack_morphism::signature_verifier::SlackEventSignatureVerifier;

use super::{Ack, Secret, Slack};

/// The paths Slack is configured to call (see `paved slack manifest`).
pub const EVENTS_PATH: &str = "/slack/events";
pub const INTERACTIVITY_PATH: &str = "/slack/interactivity";
pub const COMMANDS_PATH: &str = "/slack/commands";

#[derive(Clone)]
struct Receiver {
    slack: Arc<Slack>,
    verifier: SlackEventSignatureVerifier,
}

/// The HTTP receiver's routes.
pub fn router(slack: Arc<Slack>, signing_secret: &Secret) -> Router {
    let receiver = Receiver { slack, verifier: SlackEventSignatureVerifier::new(&SlackSigningSecret::new(signing_secret.expose().to_string())) };
    Router::new()
        .route(EVENTS_PATH, post(events))
        .route(INTERACTIVITY_PATH, post(interactivity))
        .route(COMMANDS_PATH, post(commands))
        .with_state(receiver)
}

/// Serves the receiver until the listener fails or the task is dropped.
pub async fn serve(listener: tokio::net::TcpListener, router: Router) -> std::io::Result<()> {
    axum::serve(listener, router).await
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default()
}

impl Receiver {
    /// The body, once its signature and timestamp check out; otherwise a 401 and a security
    /// log line, and nothing else happens.
    fn verify<'b>(&self, path: &str, headers: &HeaderMap, body: &'b Bytes) -> Result<&'b str, Box<Response>> {
        let refuse = |reason: String| {
            tracing::warn!(target: "paved::security", path, reason, "refused a request that claims to come from Slack: its signature does not verify");
            Err(Box::new(StatusCode::UNAUTHORIZED.into_response()))
        };
        let Ok(text) = std::str::from_utf8(body) else { return refuse("the body is not UTF-8".into()) };
        let signature = header(headers, SlackEventSignatureVerifier::SLACK_SIGNED_HASH_HEADER);
        let timestamp = header(headers, SlackEventSignatureVerifier::SLACK_SIGNED_TIMESTAMP);
        if signature.is_empty() || timestamp.is_empty() {
            return refuse("the signature or timestamp header is missing".into());
        }
        match self.verifier.verify(signature, text, timestamp) {
            Ok(()) => Ok(text),
            Err(e) => refuse(e.to_string()),
        }
    }
}

fn ack(a: Ack) -> Response {
    match a.body() {
        Some(body) => axum::Json(body).into_response(),
        None => StatusCode::OK.into_response(),
    }
}

async fn events(State(r): State<Receiver>, headers: HeaderMap, body: Bytes) -> Response {
    let text = match r.verify(super::http::EVENTS_PATH, &headers, &body) {
        Ok(text) => text,
        Err(refused) => return *refused,
    };
    match serde_json::from_str::<SlackPushEvent>(text) {
        Ok(SlackPushEvent::UrlVerification(v)) => axum::Json(serde_json::json!({"challenge": v.challenge})).into_response(),
        Ok(SlackPushEvent::EventCallback(event)) => {
            let retry = header(&headers, "x-slack-retry-num");
            if !retry.is_empty() {
                tracing::debug!(target: "paved::slack", retry, reason = header(&headers, "x-slack-retry-reason"), event_id = %event.event_id, "Slack retried an event");
            }
            r.slack.on_push(event);
            StatusCode::OK.into_response()
        }
        Ok(SlackPushEvent::AppRateLimited(e)) => {
            tracing::warn!(target: "paved::slack", team = e.team_id, "Slack is dropping this app's events for a minute: too many arrived");
            StatusCode::OK.into_response()
        }
        Err(e) => {
            // Answering 200 stops Slack from retrying something that will never parse better.
            tracing::warn!(target: "paved::slack", error = %e, "a signed Slack event could not be read");
            StatusCode::OK.into_response()
        }
    }
}

async fn interactivity(State(r): State<Receiver>, headers: HeaderMap, body: Bytes) -> Response {
    let text = match r.verify(INTERACTIVITY_PATH, &headers, &body) {
        Ok(text) => text,
        Err(refused) => return *refused,
    };
    let payload = serde_urlencoded::from_str::<HashMap<String, String>>(text).ok().and_then(|mut form| form.remove("payload"));
    match payload.as_deref().map(serde_json::from_str::<SlackInteractionEvent>) {
        Some(Ok(event)) => ack(r.slack.on_interaction(event)),
        Some(Err(e)) => {
            tracing::warn!(target: "paved::slack", error = %e, "a signed Slack interaction could not be read");
            StatusCode::OK.into_response()
        }
        None => (StatusCode::BAD_REQUEST, "the interaction has no payload field").into_response(),
    }
}

async fn commands(State(r): State<Receiver>, headers: HeaderMap, body: Bytes) -> Response {
    let text = match r.verify(COMMANDS_PATH, &headers, &body) {
        Ok(text) => text,
        Err(refused) => return *refused,
    };
    match serde_urlencoded::from_str::<SlackCommandEvent>(text) {
        Ok(event) => ack(r.slack.on_command(event)),
        Err(e) => {
            tracing::warn!(target: "paved::slack", error = %e, "a signed slash command could not be read");
            (StatusCode::BAD_REQUEST, "the slash command could not be read").into_response()
        }
    }
}
