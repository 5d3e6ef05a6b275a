//! Discord's REST API, with Discord's rate limits applied by paved itself: requests of one
//! bucket go one at a time and wait when the bucket is empty (`X-RateLimit-Remaining` /
//! `X-RateLimit-Reset-After`), a 429 is retried after its `retry_after`, and a global limit stops
//! every bucket. The base URL is configurable, so the same code runs against Discord, a Discord
//! HTTP proxy or a test server.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde::Deserialize;
use serde_json::Value;
use tokio::time::Instant;

use super::config::Secret;

/// How often one request is tried when Discord answers 429 or is briefly unavailable.
const MAX_ATTEMPTS: u32 = 6;
/// Discord's global limit: 50 requests a second per bot.
const GLOBAL_PER_SECOND: u32 = 50;
/// The longest paved waits for one rate limit before it gives up on the request.
const MAX_WAIT: Duration = Duration::from_secs(60);

/// A REST call that did not succeed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RestError {
    #[error("Discord answered {status} to {method} {route}: {message}")]
    Status { status: u16, method: String, route: String, code: Option<i64>, message: String },
    #[error("Discord could not be reached for {method} {route}: {message}")]
    Transport { method: String, route: String, message: String },
    #[error("Discord kept rate-limiting {method} {route}")]
    RateLimited { method: String, route: String },
}

impl RestError {
    /// Discord's JSON error code (10015 Unknown Webhook, 10008 Unknown Message, ...).
    pub fn code(&self) -> Option<i64> {
        match self {
            RestError::Status { code, .. } => *code,
            _ => None,
        }
    }

    pub fn status(&self) -> Option<u16> {
        match self {
            RestError::Status { status, .. } => Some(*status),
            _ => None,
        }
    }
}

/// A file sent with a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upload {
    pub filename: String,
    pub data: Vec<u8>,
}

/// What a request carries.
#[derive(Debug, Clone)]
pub enum Body {
    Empty,
    Json(Value),
    /// `payload_json` and files, as multipart form data (`files[0]`, `files[1]`, ...).
    Multipart(Value, Vec<Upload>),
}

/// The state of one rate-limit bucket.
#[derive(Debug, Default)]
struct BucketState {
    remaining: Option<u32>,
    reset_at: Option<Instant>,
}

/// The limiter's shared state.
#[derive(Default)]
struct Limits {
    /// Route → the bucket hash Discord named for it (`X-RateLimit-Bucket`).
    hashes: HashMap<String, String>,
    /// Bucket key → its lane: holding the lane's lock is the right to send on that bucket.
    lanes: HashMap<String, Arc<tokio::sync::Mutex<BucketState>>>,
    /// No request at all before this instant (a global 429).
    global_until: Option<Instant>,
    /// The start of the current second and how many requests were sent in it.
    window: Option<(Instant, u32)>,
}

/// Discord's REST API for one bot.
pub struct Rest {
    client: reqwest::Client,
    base: String,
    token: Secret,
    limits: Mutex<Limits>,
}

impl Rest {
    /// A client for `base` (`https://discord.com/api/v10`, a proxy, a test server).
    pub fn new(base: &str, token: Secret) -> Result<Rest, RestError> {
        let client = reqwest::Client::builder()
            .user_agent(concat!("DiscordBot (paved, ", env!("CARGO_PKG_VERSION"), ")"))
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(|e| RestError::Transport { method: "-".into(), route: base.into(), message: e.to_string() })?;
        Ok(Rest { client, base: base.trim_end_matches('/').to_string(), token, limits: Mutex::new(Limits::default()) })
    }

    /// Sends a request on a path below the base (`/channels/1/messages`) and returns the JSON
    /// answer (`null` for 204).
    pub async fn call(&self, method: Method, path: &str, body: Body) -> Result<Value, RestError> {
        let route = route_key(&method, path);
        let mut attempt = 0;
        loop {
            attempt += 1;
            let lane = self.lane(&route);
            let mut bucket = lane.lock().await;
            self.wait_global().await;
            if let (Some(0), Some(reset)) = (bucket.remaining, bucket.reset_at) {
                if reset > Instant::now() {
                    tokio::time::sleep_until(reset.min(Instant::now() + MAX_WAIT)).await;
                }
                bucket.remaining = None;
            }
            let response = self.send(&method, path, &body).await.map_err(|message| RestError::Transport {
                method: method.to_string(),
                route: redact(&route),
                message,
            })?;
            let status = response.status();
            let headers = Limit::read(response.headers());
            if let Some(hash) = &headers.bucket {
                self.learn(&route, hash, path);
            }
            if let Some(remaining) = headers.remaining {
                bucket.remaining = Some(remaining);
                bucket.reset_at = headers.reset_after.map(|s| Instant::now() + s);
            }
            if status == StatusCode::TOO_MANY_REQUESTS {
                let text = response.text().await.unwrap_or_default();
                let info: TooMany = serde_json::from_str(&text).unwrap_or_default();
                let wait = info.retry_after.map(secs).or(headers.retry_after).unwrap_or(Duration::from_secs(1)).min(MAX_WAIT);
                if info.global || headers.global {
                    if let Ok(mut l) = self.limits.lock() {
                        l.global_until = Some(Instant::now() + wait);
                    }
                } else {
                    bucket.remaining = Some(0);
                    bucket.reset_at = Some(Instant::now() + wait);
                }
                tracing::warn!(route = %redact(&route), wait_ms = wait.as_millis() as u64, global = info.global || headers.global, "Discord rate limit hit");
                drop(bucket);
                if attempt >= MAX_ATTEMPTS {
                    return Err(RestError::RateLimited { method: method.to_string(), route: redact(&route) });
                }
                continue;
            }
            drop(bucket);
            if matches!(status, StatusCode::BAD_GATEWAY | StatusCode::SERVICE_UNAVAILABLE | StatusCode::GATEWAY_TIMEOUT) && attempt < 3 {
                tokio::time::sleep(Duration::from_millis(200 * u64::from(attempt))).await;
                continue;
            }
            let text = response.text().await.unwrap_or_default();
            if !status.is_success() {
                let error: DiscordError = serde_json::from_str(&text).unwrap_or_default();
                return Err(RestError::Status {
                    status: status.as_u16(),
                    method: method.to_string(),
                    route: redact(&route),
                    code: error.code,
                    message: error.message.unwrap_or_else(|| text.chars().take(200).collect()),
                });
            }
            if text.trim().is_empty() {
                return Ok(Value::Null);
            }
            return serde_json::from_str(&text).map_err(|e| RestError::Transport {
                method: method.to_string(),
                route: redact(&route),
                message: format!("the answer is not JSON: {e}"),
            });
        }
    }

    async fn send(&self, method: &Method, path: &str, body: &Body) -> Result<reqwest::Response, String> {
        let url = format!("{}{}", self.base, path);
        let mut request = self.client.request(method.clone(), &url);
        // Interaction webhooks are authorised by their token in the path, not by the bot token.
        if !path.starts_with("/webhooks/") && !path.starts_with("/interactions/") {
            request = request.header(reqwest::header::AUTHORIZATION, format!("Bot {}", self.token.expose()));
        }
        request = match body {
            Body::Empty => request,
            Body::Json(v) => request.json(v),
            Body::Multipart(payload, files) => {
                let mut form = reqwest::multipart::Form::new().text("payload_json", payload.to_string());
                for (i, f) in files.iter().enumerate() {
                    let part = reqwest::multipart::Part::bytes(f.data.clone())
                        .file_name(f.filename.clone())
                        .mime_str("text/plain; charset=utf-8")
                        .map_err(|e| e.to_string())?;
                    form = form.part(format!("files[{i}]"), part);
                }
                request.multipart(form)
            }
        };
        request.send().await.map_err(|e| e.without_url().to_string())
    }

    fn lane(&self, route: &str) -> Arc<tokio::sync::Mutex<BucketState>> {
        let Ok(mut l) = self.limits.lock() else { return Arc::new(tokio::sync::Mutex::new(BucketState::default())) };
        let key = l.hashes.get(route).cloned().unwrap_or_else(|| route.to_string());
        Arc::clone(l.lanes.entry(key).or_default())
    }

    /// Routes that share a bucket hash and major parameters share one lane from now on.
    fn learn(&self, route: &str, hash: &str, path: &str) {
        if let Ok(mut l) = self.limits.lock() {
            let key = format!("{hash}:{}", major(path));
            if l.hashes.get(route) != Some(&key) {
                if let Some(lane) = l.lanes.get(route).cloned() {
                    l.lanes.entry(key.clone()).or_insert(lane);
                }
                l.hashes.insert(route.to_string(), key);
            }
        }
    }

    /// Waits out a global 429 and keeps under 50 requests a second.
    async fn wait_global(&self) {
        loop {
            let wait = {
                let Ok(mut l) = self.limits.lock() else { return };
                let now = Instant::now();
                if let Some(until) = l.global_until.filter(|u| *u > now) {
                    Some(until)
                } else {
                    match l.window {
                        Some((start, n)) if now < start + Duration::from_secs(1) => {
                            if n >= GLOBAL_PER_SECOND {
                                Some(start + Duration::from_secs(1))
                            } else {
                                l.window = Some((start, n + 1));
                                None
                            }
                        }
                        _ => {
                            l.window = Some((now, 1));
                            None
                        }
                    }
                }
            };
            match wait {
                Some(until) => tokio::time::sleep_until(until).await,
                None => return,
            }
        }
    }
}

/// The rate-limit headers of an answer.
#[derive(Debug, Default)]
struct Limit {
    bucket: Option<String>,
    remaining: Option<u32>,
    reset_after: Option<Duration>,
    retry_after: Option<Duration>,
    global: bool,
}

impl Limit {
    fn read(h: &reqwest::header::HeaderMap) -> Limit {
        let get = |name: &str| h.get(name).and_then(|v| v.to_str().ok()).map(str::trim);
        Limit {
            bucket: get("x-ratelimit-bucket").map(str::to_string),
            remaining: get("x-ratelimit-remaining").and_then(|v| v.parse().ok()),
            reset_after: get("x-ratelimit-reset-after").and_then(|v| v.parse::<f64>().ok()).map(secs),
            retry_after: get("retry-after").and_then(|v| v.parse::<f64>().ok()).map(secs),
            global: get("x-ratelimit-global").is_some_and(|v| v.eq_ignore_ascii_case("true")),
        }
    }
}

fn secs(s: f64) -> Duration {
    if s.is_finite() && s > 0.0 { Duration::from_secs_f64(s.min(MAX_WAIT.as_secs_f64())) } else { Duration::ZERO }
}

#[derive(Debug, Default, Deserialize)]
struct TooMany {
    #[serde(default)]
    retry_after: Option<f64>,
    #[serde(default)]
    global: bool,
}

#[derive(Debug, Default, Deserialize)]
struct DiscordError {
    #[serde(default)]
    code: Option<i64>,
    #[serde(default)]
    message: Option<String>,
}

/// The route a request belongs to for rate limiting: the method and the path with every id
/// but the major parameters (channel, guild, webhook and its token) replaced.
pub fn route_key(method: &Method, path: &str) -> String {
    let path = path.split('?').next().unwrap_or(path);
    let parts: Vec<&str> = path.split('/').collect();
    let mut out = Vec::with_capacity(parts.len());
    for (i, part) in parts.iter().enumerate() {
        let prev = if i > 0 { parts[i - 1] } else { "" };
        let prev2 = if i > 1 { parts[i - 2] } else { "" };
        let major = matches!(prev, "channels" | "guilds" | "webhooks") || prev2 == "webhooks";
        if major || !part.bytes().all(|b| b.is_ascii_digit()) || part.is_empty() {
            out.push(*part);
        } else {
            out.push(":id");
        }
    }
    format!("{method} {}", out.join("/"))
}

/// The major parameters of a path: what separates buckets of the same route.
fn major(path: &str) -> String {
    let parts: Vec<&str> = path.split('/').collect();
    let mut out = Vec::new();
    for (i, part) in parts.iter().enumerate() {
        if i > 0 && matches!(parts[i - 1], "channels" | "guilds" | "webhooks") {
            out.push(*part);
            if parts[i - 1] == "webhooks"
                && let Some(token) = parts.get(i + 1)
            {
                out.push(token);
            }
        }
    }
    out.join("/")
}

/// A route for logs and errors: interaction tokens are credentials for 15 minutes.
fn redact(route: &str) -> String {
    let parts: Vec<&str> = route.split('/').collect();
    parts
        .iter()
        .enumerate()
        .map(|(i, p)| if i > 1 && (parts[i - 2] == "webhooks" || parts[i - 2] == "interactions") { "<token>" } else { p })
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_keep_major_parameters_only() {
        assert_eq!(route_key(&Method::POST, "/channels/123/messages"), "POST /channels/123/messages");
        assert_eq!(route_key(&Method::PATCH, "/channels/123/messages/456"), "PATCH /channels/123/messages/:id");
        assert_eq!(route_key(&Method::POST, "/channels/123/messages/456/threads"), "POST /channels/123/messages/:id/threads");
        assert_eq!(route_key(&Method::PATCH, "/webhooks/99/tok/messages/@original"), "PATCH /webhooks/99/tok/messages/@original");
        assert_eq!(route_key(&Method::PUT, "/applications/99/guilds/5/commands"), "PUT /applications/:id/guilds/5/commands");
        assert_eq!(major("/webhooks/99/tok/messages/@original"), "99/tok");
        assert_eq!(major("/channels/1/messages/2"), "1");
        assert_eq!(redact("PATCH /webhooks/99/tok/messages/@original"), "PATCH /webhooks/99/<token>/messages/@original");
    }
}
