//! A fake Discord on 127.0.0.1 for tests and benchmarks: the REST API paved calls (messages,
//! threads, interaction webhooks, commands) with Discord's limits checked on every payload and
//! per-route rate limits enforced, and the sending side of interactions, signed with a test
//! Ed25519 key the way Discord signs them. Every call is recorded; every breach of a limit is
//! recorded as a violation and answered the way Discord would (400, 404, 429).

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use ed25519_dalek::{Signer, SigningKey};
use serde_json::{Value, json};

use super::render::limits;

/// The fake's application id and bot token.
pub const APPLICATION_ID: &str = "900000000000000001";
pub const BOT_TOKEN: &str = "fake-bot-token";
pub const GUILD_ID: &str = "900000000000000002";

/// One REST call paved made.
#[derive(Debug, Clone)]
pub struct Call {
    pub method: String,
    /// The path below `/api/v10`, tokens included.
    pub path: String,
    /// The JSON body (or `payload_json` of a multipart body).
    pub body: Value,
    /// `(filename, content)` of uploaded files.
    pub files: Vec<(String, String)>,
    pub at: Instant,
}

/// A scripted answer for the next call whose path contains `path`.
#[derive(Debug, Clone)]
struct Scripted {
    path: String,
    retry_after: f64,
    global: bool,
}

/// A Discord user as the fake sends them.
#[derive(Debug, Clone)]
pub struct FakeUser {
    pub id: String,
    pub name: String,
    /// Discord role ids the member holds.
    pub roles: Vec<String>,
}

impl FakeUser {
    pub fn new(id: &str, name: &str) -> FakeUser {
        FakeUser { id: id.into(), name: name.into(), roles: vec![] }
    }

    pub fn with_roles(mut self, roles: &[&str]) -> FakeUser {
        self.roles = roles.iter().map(|r| r.to_string()).collect();
        self
    }
}

/// The answer to an interaction.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub body: Value,
    pub elapsed: Duration,
}

impl Answer {
    /// The interaction response type (1 PONG, 4 message, 5 deferred, 6 acknowledge, 9 modal).
    pub fn kind(&self) -> u64 {
        self.body.get("type").and_then(Value::as_u64).unwrap_or(0)
    }

    pub fn ephemeral(&self) -> bool {
        self.body.pointer("/data/flags").and_then(Value::as_u64).is_some_and(|f| f & 64 != 0)
    }

    pub fn content(&self) -> String {
        self.body.pointer("/data/content").and_then(Value::as_str).unwrap_or_default().to_string()
    }
}

#[derive(Default)]
struct FakeState {
    calls: Vec<Call>,
    violations: Vec<String>,
    next_id: u64,
    messages: HashMap<String, Value>,
    /// Thread id → parent channel id.
    threads: HashMap<String, String>,
    /// Interaction token → (channel, the response type it was answered with, if yet).
    interactions: HashMap<String, (String, Option<u64>)>,
    /// Interaction token → the id of its original message, once there is one.
    originals: HashMap<String, String>,
    buckets: HashMap<String, (Instant, u32)>,
    scripted: VecDeque<Scripted>,
    commands: Vec<Value>,
    per_window: u32,
    window: Duration,
}

/// The fake Discord.
#[derive(Clone)]
pub struct FakeDiscord {
    /// The REST base URL to configure paved with.
    pub api_base: String,
    state: Arc<Mutex<FakeState>>,
    key: Arc<SigningKey>,
    client: reqwest::Client,
    endpoint: Arc<Mutex<String>>,
}

fn snowflake(n: u64) -> String {
    (1_100_000_000_000_000_000u64 + n).to_string()
}

impl FakeDiscord {
    /// Starts the fake on an ephemeral loopback port. Each route bucket allows `per_window`
    /// requests per `window`, as Discord's buckets do (Discord: 5 per 5 s for a channel's
    /// messages); tests use short windows.
    pub async fn start(per_window: u32, window: Duration) -> std::io::Result<FakeDiscord> {
        let state = Arc::new(Mutex::new(FakeState { per_window, window, ..FakeState::default() }));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let app = Router::new().fallback(handle).with_state(Arc::clone(&state));
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        // A fixed test key: the signatures of a run can be checked by hand.
        let key = SigningKey::from_bytes(&[42u8; 32]);
        let client = reqwest::Client::builder().pool_max_idle_per_host(64).build().map_err(std::io::Error::other)?;
        Ok(FakeDiscord { api_base: format!("http://{addr}/api/v10"), state, key: Arc::new(key), client, endpoint: Arc::new(Mutex::new(String::new())) })
    }

    /// The application's public key, as the Developer Portal shows it.
    pub fn public_key(&self) -> String {
        self.key.verifying_key().as_bytes().iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Where interactions are sent (paved's interactions endpoint URL).
    pub fn set_endpoint(&self, url: &str) {
        if let Ok(mut e) = self.endpoint.lock() {
            *e = url.to_string();
        }
    }

    fn with<T>(&self, f: impl FnOnce(&mut FakeState) -> T) -> T {
        let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut s)
    }

    pub fn calls(&self) -> Vec<Call> {
        self.with(|s| s.calls.clone())
    }

    pub fn violations(&self) -> Vec<String> {
        self.with(|s| s.violations.clone())
    }

    pub fn commands(&self) -> Vec<Value> {
        self.with(|s| s.commands.clone())
    }

    /// A message as the fake stores it.
    pub fn message(&self, id: &str) -> Option<Value> {
        self.with(|s| s.messages.get(id).cloned())
    }

    /// Messages in a channel or thread, oldest first.
    pub fn messages_in(&self, channel: &str) -> Vec<Value> {
        self.with(|s| {
            let mut m: Vec<Value> = s.messages.values().filter(|m| m["channel_id"] == channel).cloned().collect();
            m.sort_by_key(|m| m["id"].as_str().unwrap_or_default().to_string());
            m
        })
    }

    /// The parent channel of a thread the fake created.
    pub fn thread_parent(&self, thread: &str) -> Option<String> {
        self.with(|s| s.threads.get(thread).cloned())
    }

    /// Threads the fake created, in order.
    pub fn threads(&self) -> Vec<String> {
        self.with(|s| {
            let mut t: Vec<String> = s.threads.keys().cloned().collect();
            t.sort();
            t
        })
    }

    /// The next call whose path contains `path` is answered 429 with this `retry_after`.
    pub fn rate_limit_next(&self, path: &str, retry_after: f64, global: bool) {
        self.with(|s| s.scripted.push_back(Scripted { path: path.into(), retry_after, global }));
    }

    /// Signs and sends an interaction as Discord does, and returns paved's answer.
    pub async fn send(&self, payload: &Value) -> Answer {
        let timestamp = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0).to_string();
        self.send_signed(payload, &timestamp, None).await
    }

    /// Sends an interaction with the given timestamp; `forge` replaces the signature.
    pub async fn send_signed(&self, payload: &Value, timestamp: &str, forge: Option<&str>) -> Answer {
        let body = payload.to_string();
        let signature: String = match forge {
            Some(f) => f.to_string(),
            None => self.key.sign(&[timestamp.as_bytes(), body.as_bytes()].concat()).to_bytes().iter().map(|b| format!("{b:02x}")).collect(),
        };
        let token = payload.get("token").and_then(Value::as_str).unwrap_or_default().to_string();
        let channel = payload.get("channel_id").and_then(Value::as_str).unwrap_or_default().to_string();
        if !token.is_empty() {
            self.with(|s| s.interactions.entry(token.clone()).or_insert((channel, None)).1 = None);
        }
        let url = self.endpoint.lock().map(|e| e.clone()).unwrap_or_default();
        let started = Instant::now();
        let response = self
            .client
            .post(&url)
            .header("content-type", "application/json")
            .header("x-signature-ed25519", signature)
            .header("x-signature-timestamp", timestamp)
            .body(body)
            .send()
            .await;
        let (status, body) = match response {
            Ok(r) => {
                let status = r.status().as_u16();
                let text = r.text().await.unwrap_or_default();
                (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
            }
            Err(e) => (0, Value::String(e.to_string())),
        };
        let elapsed = started.elapsed();
        if status == 200 && !token.is_empty() {
            let kind = body.get("type").and_then(Value::as_u64);
            self.with(|s| {
                if let Some(entry) = s.interactions.get_mut(&token) {
                    entry.1 = kind;
                }
                if !matches!(kind, Some(1 | 4 | 5 | 6 | 7 | 9)) {
                    s.violations.push(format!("interaction answered with an unknown response type {kind:?}"));
                }
            });
            check_response(&body, &self.state);
        }
        Answer { status, body, elapsed }
    }

    fn next_id(&self) -> String {
        self.with(|s| {
            s.next_id += 1;
            snowflake(s.next_id)
        })
    }

    fn base(&self, kind: u64, user: &FakeUser, channel: &str, data: Value) -> Value {
        let id = self.next_id();
        let thread_parent = self.thread_parent(channel);
        let channel_object = match &thread_parent {
            Some(parent) => json!({"id": channel, "type": 11, "name": "request", "parent_id": parent, "permissions": "0"}),
            None => json!({"id": channel, "type": 0, "name": "platform", "permissions": "0"}),
        };
        json!({
            "id": id,
            "application_id": APPLICATION_ID,
            "type": kind,
            "data": data,
            "guild_id": GUILD_ID,
            "channel": channel_object,
            "channel_id": channel,
            "member": {
                "user": {"id": user.id, "username": user.name.to_lowercase(), "discriminator": "0", "global_name": user.name, "avatar": null},
                "roles": user.roles,
                "joined_at": "2024-01-01T00:00:00.000000+00:00",
                "deaf": false,
                "mute": false,
                "nick": null,
                "flags": 0,
                "permissions": "2248473465835073"
            },
            "token": format!("itok-{id}"),
            "version": 1,
            "app_permissions": "2248473465835073",
            "locale": "en-US",
            "guild_locale": "en-US",
            "entitlements": [],
            "authorizing_integration_owners": {"0": GUILD_ID},
            "context": 0,
            "attachment_size_limit": 10485760
        })
    }

    /// Discord's PING.
    pub fn ping(&self) -> Value {
        json!({"id": self.next_id(), "application_id": APPLICATION_ID, "type": 1, "token": "", "version": 1})
    }

    /// `/pave request:<text>` typed by `user` in `channel` (a channel or a thread).
    pub fn command(&self, user: &FakeUser, channel: &str, text: &str) -> Value {
        let data = json!({"id": "900000000000000010", "name": "pave", "type": 1, "options": [{"name": "request", "type": 3, "value": text}]});
        self.base(2, user, channel, data)
    }

    /// A press on the button `custom_id` of the stored message `message`.
    pub fn press(&self, user: &FakeUser, message: &str, custom_id: &str) -> Value {
        let stored = self.message(message).unwrap_or_else(|| json!({"id": message, "channel_id": "0"}));
        let channel = stored["channel_id"].as_str().unwrap_or_default().to_string();
        let mut payload = self.base(3, user, &channel, json!({"custom_id": custom_id, "component_type": 2}));
        payload["message"] = stored;
        payload
    }

    /// A modal submitted by `user` with one text value.
    pub fn submit(&self, user: &FakeUser, channel: &str, custom_id: &str, input_id: &str, value: &str) -> Value {
        let data = json!({"custom_id": custom_id, "components": [{"type": 1, "components": [{"type": 4, "custom_id": input_id, "value": value}]}]});
        self.base(5, user, channel, data)
    }

    /// Sends the REST call the way paved would not: used to check the fake's own limits.
    pub async fn raw(&self, method: &str, path: &str, body: Value) -> (u16, Value) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap_or(reqwest::Method::GET);
        let r = self.client.request(method, format!("{}{}", self.api_base, path)).header("authorization", format!("Bot {BOT_TOKEN}")).json(&body).send().await;
        match r {
            Ok(r) => {
                let status = r.status().as_u16();
                (status, r.json().await.unwrap_or(Value::Null))
            }
            Err(e) => (0, Value::String(e.to_string())),
        }
    }
}

fn chars(v: &Value) -> usize {
    v.as_str().map(|s| s.chars().count()).unwrap_or(0)
}

/// Discord's limits on a message payload; the breaches found.
pub fn check_message(body: &Value) -> Vec<String> {
    let mut bad = Vec::new();
    if chars(&body["content"]) > limits::CONTENT {
        bad.push(format!("content has {} characters", chars(&body["content"])));
    }
    let embeds = body["embeds"].as_array().cloned().unwrap_or_default();
    if embeds.len() > limits::EMBEDS {
        bad.push(format!("{} embeds", embeds.len()));
    }
    let mut total = 0;
    for e in &embeds {
        let (t, d, f) = (chars(&e["title"]), chars(&e["description"]), chars(&e["footer"]["text"]));
        if t > limits::EMBED_TITLE {
            bad.push(format!("embed title has {t} characters"));
        }
        if d > limits::EMBED_DESCRIPTION {
            bad.push(format!("embed description has {d} characters"));
        }
        if f > limits::FOOTER {
            bad.push(format!("embed footer has {f} characters"));
        }
        total += t + d + f;
        let fields = e["fields"].as_array().cloned().unwrap_or_default();
        if fields.len() > limits::EMBED_FIELDS {
            bad.push(format!("{} embed fields", fields.len()));
        }
        for field in &fields {
            let (n, v) = (chars(&field["name"]), chars(&field["value"]));
            if n == 0 || v == 0 || n > limits::FIELD_NAME || v > limits::FIELD_VALUE {
                bad.push(format!("embed field of {n}/{v} characters"));
            }
            total += n + v;
        }
    }
    if total > limits::EMBED_TOTAL {
        bad.push(format!("embeds have {total} characters together"));
    }
    bad.extend(check_components(&body["components"], false));
    bad
}

fn check_components(components: &Value, modal: bool) -> Vec<String> {
    let mut bad = Vec::new();
    let rows = components.as_array().cloned().unwrap_or_default();
    if rows.len() > limits::ROWS {
        bad.push(format!("{} action rows", rows.len()));
    }
    for row in &rows {
        if row["type"] != 1 {
            bad.push("a top-level component that is not an action row".into());
        }
        let items = row["components"].as_array().cloned().unwrap_or_default();
        if items.is_empty() || items.len() > limits::ROW_BUTTONS {
            bad.push(format!("an action row of {} components", items.len()));
        }
        for c in &items {
            let id = chars(&c["custom_id"]);
            if id == 0 || id > limits::CUSTOM_ID {
                bad.push(format!("custom_id of {id} characters"));
            }
            match (modal, c["type"].as_u64()) {
                (false, Some(2)) => {
                    if chars(&c["label"]) > limits::BUTTON_LABEL || !matches!(c["style"].as_u64(), Some(1..=4)) {
                        bad.push("a button with a long label or a bad style".into());
                    }
                }
                (true, Some(4)) => {
                    if chars(&c["label"]) > limits::INPUT_LABEL {
                        bad.push("a text input label over 45 characters".into());
                    }
                }
                (_, other) => bad.push(format!("component type {other:?} where it does not belong")),
            }
        }
    }
    bad
}

fn check_response(body: &Value, state: &Arc<Mutex<FakeState>>) {
    let mut bad = Vec::new();
    match body.get("type").and_then(Value::as_u64) {
        Some(4) | Some(7) => bad.extend(check_message(&body["data"])),
        Some(9) => {
            if chars(&body["data"]["title"]) > limits::MODAL_TITLE || chars(&body["data"]["custom_id"]) > limits::CUSTOM_ID {
                bad.push("a modal title over 45 or custom_id over 100 characters".into());
            }
            bad.extend(check_components(&body["data"]["components"], true));
        }
        _ => {}
    }
    if !bad.is_empty()
        && let Ok(mut s) = state.lock()
    {
        s.violations.extend(bad.into_iter().map(|b| format!("interaction response: {b}")));
    }
}

/// Reads a multipart body: `payload_json` and the files.
fn multipart(content_type: &str, body: &[u8]) -> (Value, Vec<(String, String)>) {
    let Some(boundary) = content_type.split("boundary=").nth(1) else { return (Value::Null, vec![]) };
    let text = String::from_utf8_lossy(body);
    let mut payload = Value::Null;
    let mut files = Vec::new();
    for part in text.split(&format!("--{}", boundary.trim_matches('"'))) {
        let Some((head, content)) = part.split_once("\r\n\r\n") else { continue };
        let content = content.strip_suffix("\r\n").unwrap_or(content);
        let name = head.split("name=\"").nth(1).and_then(|s| s.split('"').next()).unwrap_or_default();
        if name == "payload_json" {
            payload = serde_json::from_str(content).unwrap_or(Value::Null);
        } else if let Some(filename) = head.split("filename=\"").nth(1).and_then(|s| s.split('"').next()) {
            files.push((filename.to_string(), content.to_string()));
        }
    }
    (payload, files)
}

fn discord_error(status: StatusCode, code: i64, message: &str) -> Response {
    (status, axum::Json(json!({"code": code, "message": message}))).into_response()
}

/// The rate-limit bucket of a path: method, route and major parameter.
fn bucket_of(method: &Method, path: &str) -> (String, String) {
    let parts: Vec<&str> = path.split('/').collect();
    let mut route = Vec::new();
    let mut major = String::new();
    for (i, p) in parts.iter().enumerate() {
        let prev = if i > 0 { parts[i - 1] } else { "" };
        if matches!(prev, "channels" | "guilds" | "webhooks") && major.is_empty() {
            major = p.to_string();
            route.push("{major}");
        } else if p.bytes().all(|b| b.is_ascii_digit()) && !p.is_empty() || (i > 1 && parts[i - 2] == "webhooks") {
            route.push("{id}");
        } else {
            route.push(p);
        }
    }
    let route = format!("{method} {}", route.join("/"));
    // Discord's bucket hashes are opaque; a short digest of the route stands in for one.
    let hash = format!("{:x}", route.bytes().fold(0xcbf29ce484222325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x100000001b3)));
    (format!("{hash}:{major}"), hash)
}

fn message_object(id: &str, channel: &str, body: &Value, files: &[(String, String)]) -> Value {
    let attachments: Vec<Value> = files
        .iter()
        .enumerate()
        .map(|(i, (name, content))| json!({"id": snowflake(900_000 + i as u64), "filename": name, "size": content.len(), "url": format!("https://cdn.invalid/{name}"), "proxy_url": format!("https://cdn.invalid/{name}")}))
        .collect();
    json!({
        "id": id,
        "channel_id": channel,
        "author": {"id": APPLICATION_ID, "username": "paved", "discriminator": "0", "global_name": "paved", "avatar": null, "bot": true},
        "content": body.get("content").cloned().unwrap_or(json!("")),
        "timestamp": "2025-01-01T00:00:00.000000+00:00",
        "edited_timestamp": null,
        "tts": false,
        "mention_everyone": false,
        "mentions": [],
        "mention_roles": [],
        "attachments": attachments,
        "embeds": body.get("embeds").cloned().unwrap_or(json!([])),
        "components": body.get("components").cloned().unwrap_or(json!([])),
        "pinned": false,
        "type": 0,
        "flags": body.get("flags").cloned().unwrap_or(json!(0))
    })
}

async fn handle(State(state): State<Arc<Mutex<FakeState>>>, method: Method, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    let path = uri.path().strip_prefix("/api/v10").unwrap_or(uri.path()).to_string();
    let content_type = headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    let (json_body, files) = if content_type.starts_with("multipart/form-data") {
        multipart(&content_type, &body)
    } else {
        (serde_json::from_slice(&body).unwrap_or(Value::Null), vec![])
    };
    let mut s = state.lock().unwrap_or_else(|p| p.into_inner());
    s.calls.push(Call { method: method.to_string(), path: path.clone(), body: json_body.clone(), files: files.clone(), at: Instant::now() });
    let webhook = path.starts_with("/webhooks/");
    let auth = headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or_default();
    if !webhook && auth != format!("Bot {BOT_TOKEN}") {
        s.violations.push(format!("{method} {path} without the bot token"));
        return discord_error(StatusCode::UNAUTHORIZED, 0, "401: Unauthorized");
    }
    if let Some(i) = s.scripted.iter().position(|x| path.contains(&x.path)) {
        let x = s.scripted.remove(i).unwrap_or_else(|| Scripted { path: String::new(), retry_after: 1.0, global: false });
        let mut r = (StatusCode::TOO_MANY_REQUESTS, axum::Json(json!({"message": "You are being rate limited.", "retry_after": x.retry_after, "global": x.global}))).into_response();
        let h = r.headers_mut();
        h.insert("retry-after", format!("{}", x.retry_after.ceil() as u64).parse().unwrap_or_else(|_| axum::http::HeaderValue::from_static("1")));
        if x.global {
            h.insert("x-ratelimit-global", axum::http::HeaderValue::from_static("true"));
            h.insert("x-ratelimit-scope", axum::http::HeaderValue::from_static("global"));
        }
        return r;
    }
    // The route's bucket.
    let (bucket, hash) = bucket_of(&method, &path);
    let (per, window) = (s.per_window, s.window);
    let now = Instant::now();
    let entry = s.buckets.entry(bucket.clone()).or_insert((now, 0));
    if now.duration_since(entry.0) >= window {
        *entry = (now, 0);
    }
    entry.1 += 1;
    let (count, start) = (entry.1, entry.0);
    let reset_after = window.saturating_sub(now.duration_since(start)).as_secs_f64();
    if count > per {
        s.violations.push(format!("{method} {path}: request {count} in a bucket of {per}"));
        let mut r = (StatusCode::TOO_MANY_REQUESTS, axum::Json(json!({"message": "You are being rate limited.", "retry_after": reset_after, "global": false}))).into_response();
        let h = r.headers_mut();
        for (k, v) in [("x-ratelimit-limit", per.to_string()), ("x-ratelimit-remaining", "0".into()), ("x-ratelimit-reset-after", format!("{reset_after:.3}")), ("x-ratelimit-bucket", hash), ("x-ratelimit-scope", "user".into())] {
            if let Ok(v) = v.parse() {
                h.insert(k, v);
            }
        }
        return r;
    }
    let limit_headers = [
        ("x-ratelimit-limit", per.to_string()),
        ("x-ratelimit-remaining", per.saturating_sub(count).to_string()),
        ("x-ratelimit-reset-after", format!("{reset_after:.3}")),
        ("x-ratelimit-bucket", hash),
    ];
    let response = route(&mut s, &method, &path, &json_body, &files);
    drop(s);
    let mut r = response;
    for (k, v) in limit_headers {
        if let Ok(v) = v.parse() {
            r.headers_mut().insert(k, v);
        }
    }
    r
}

fn route(s: &mut FakeState, method: &Method, path: &str, body: &Value, files: &[(String, String)]) -> Response {
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let new_id = |s: &mut FakeState| {
        s.next_id += 1;
        snowflake(1_000_000 + s.next_id)
    };
    let sends_message = matches!((method.as_str(), parts.as_slice()), ("POST", ["channels", _, "messages"]) | ("PATCH", ["channels", _, "messages", _]) | ("PATCH", ["webhooks", _, _, "messages", "@original"]) | ("POST", ["webhooks", _, _]));
    if sends_message {
        let bad = check_message(body);
        if !bad.is_empty() {
            s.violations.extend(bad.iter().map(|b| format!("{method} {path}: {b}")));
            return discord_error(StatusCode::BAD_REQUEST, 50035, &format!("Invalid Form Body: {}", bad.join("; ")));
        }
        let announced = body["attachments"].as_array().map(Vec::len).unwrap_or(0);
        if method == Method::POST && announced != files.len() {
            s.violations.push(format!("{method} {path}: {announced} attachments announced, {} files sent", files.len()));
        }
    }
    match (method.as_str(), parts.as_slice()) {
        ("POST", ["channels", channel, "messages"]) => {
            let id = new_id(s);
            let m = message_object(&id, channel, body, files);
            s.messages.insert(id, m.clone());
            axum::Json(m).into_response()
        }
        ("PATCH", ["channels", channel, "messages", id]) => match s.messages.get(*id).cloned() {
            Some(old) if old["channel_id"] == *channel => {
                let mut m = message_object(id, channel, body, files);
                m["edited_timestamp"] = json!("2025-01-01T00:00:01.000000+00:00");
                if files.is_empty() {
                    m["attachments"] = old["attachments"].clone();
                }
                s.messages.insert(id.to_string(), m.clone());
                axum::Json(m).into_response()
            }
            _ => discord_error(StatusCode::NOT_FOUND, 10008, "Unknown Message"),
        },
        ("POST", ["channels", channel, "messages", message, "threads"]) => {
            if !s.messages.get(*message).is_some_and(|m| m["channel_id"] == *channel) {
                return discord_error(StatusCode::NOT_FOUND, 10008, "Unknown Message");
            }
            let name = body["name"].as_str().unwrap_or_default();
            if name.is_empty() || name.chars().count() > 100 {
                s.violations.push(format!("a thread name of {} characters", name.chars().count()));
                return discord_error(StatusCode::BAD_REQUEST, 50035, "Invalid Form Body: name");
            }
            // Discord gives a thread opened from a message the message's id.
            s.threads.insert(message.to_string(), channel.to_string());
            axum::Json(json!({"id": message, "type": 11, "parent_id": channel, "name": name, "guild_id": GUILD_ID})).into_response()
        }
        (m @ ("PATCH" | "DELETE"), ["webhooks", app, token, "messages", "@original"]) => {
            let answered = s.interactions.get(*token).cloned();
            let Some((channel, Some(kind))) = answered.filter(|_| *app == APPLICATION_ID) else {
                return discord_error(StatusCode::NOT_FOUND, 10015, "Unknown Webhook");
            };
            if !matches!(kind, 4 | 5) {
                s.violations.push(format!("the original response of an interaction answered with type {kind} was edited"));
            }
            if m == "DELETE" {
                if let Some(id) = s.originals.remove(*token) {
                    s.messages.remove(&id);
                }
                return StatusCode::NO_CONTENT.into_response();
            }
            let id = match s.originals.get(*token).cloned() {
                Some(id) => id,
                None => new_id(s),
            };
            s.originals.insert(token.to_string(), id.clone());
            let m = message_object(&id, &channel, body, files);
            s.messages.insert(id, m.clone());
            axum::Json(m).into_response()
        }
        ("POST", ["webhooks", app, token]) => {
            let known = s.interactions.get(*token).cloned();
            let Some((channel, Some(_))) = known.filter(|_| *app == APPLICATION_ID) else {
                return discord_error(StatusCode::NOT_FOUND, 10015, "Unknown Webhook");
            };
            let id = new_id(s);
            let m = message_object(&id, &channel, body, files);
            s.messages.insert(id, m.clone());
            axum::Json(m).into_response()
        }
        ("POST", ["users", "@me", "channels"]) => {
            let id = new_id(s);
            axum::Json(json!({"id": id, "type": 1, "recipients": [{"id": body["recipient_id"]}]})).into_response()
        }
        ("PUT", ["applications", app, "commands"]) | ("PUT", ["applications", app, "guilds", _, "commands"]) if *app == APPLICATION_ID => {
            let mut registered = Vec::new();
            for c in body.as_array().cloned().unwrap_or_default() {
                let name = c["name"].as_str().unwrap_or_default();
                let valid = !name.is_empty() && name.len() <= 32 && name.chars().all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-' || ch == '_');
                if !valid || chars(&c["description"]) > 100 || chars(&c["description"]) == 0 {
                    s.violations.push(format!("an invalid command {c}"));
                    return discord_error(StatusCode::BAD_REQUEST, 50035, "Invalid Form Body: command");
                }
                for o in c["options"].as_array().cloned().unwrap_or_default() {
                    if chars(&o["description"]) > 100 || chars(&o["description"]) == 0 {
                        s.violations.push(format!("an option description of {} characters", chars(&o["description"])));
                        return discord_error(StatusCode::BAD_REQUEST, 50035, "Invalid Form Body: option");
                    }
                }
                let mut c = c.clone();
                c["id"] = json!(new_id(s));
                c["application_id"] = json!(APPLICATION_ID);
                registered.push(c);
            }
            s.commands = registered.clone();
            axum::Json(Value::Array(registered)).into_response()
        }
        _ => discord_error(StatusCode::NOT_FOUND, 0, "404: Not Found"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_keep_the_major_parameter() {
        let (a, ha) = bucket_of(&Method::POST, "/channels/1/messages");
        let (b, hb) = bucket_of(&Method::POST, "/channels/2/messages");
        assert_ne!(a, b);
        assert_eq!(ha, hb);
        let (c, _) = bucket_of(&Method::PATCH, "/channels/1/messages/5");
        let (d, _) = bucket_of(&Method::PATCH, "/channels/1/messages/6");
        assert_eq!(c, d);
    }

    #[test]
    fn the_limits_are_checked() {
        let long = "x".repeat(4097);
        let body = json!({"content": "y".repeat(2001), "embeds": [{"title": "t", "description": long}], "components": [{"type": 1, "components": [{"type": 2, "style": 1, "label": "a", "custom_id": "c".repeat(101)}]}]});
        let bad = check_message(&body);
        assert_eq!(bad.len(), 3, "{bad:?}");
    }
}
