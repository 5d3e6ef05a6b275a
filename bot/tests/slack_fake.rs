//! A fake Slack for the adapter's tests and benchmark: the Web API on 127.0.0.1 (answers like
//! Slack, records every call, refuses payloads that break Block Kit's limits), Socket Mode's
//! WebSocket, and requests signed exactly as Slack signs them.
#![allow(dead_code)]

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, post};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::{Notify, mpsc};

/// One Web API call as the fake received it.
#[derive(Debug, Clone)]
pub struct Call {
    pub method: String,
    pub body: Value,
}

#[derive(Default)]
struct FakeState {
    calls: Vec<Call>,
    next_ts: u64,
    violations: Vec<String>,
    rate_limit_once: HashSet<String>,
    groups: HashMap<String, Vec<String>>,
    acks: Vec<Value>,
    ws_url: String,
    upload_url: String,
}

/// The fake Slack.
#[derive(Clone)]
pub struct FakeSlack {
    pub api_url: String,
    state: Arc<Mutex<FakeState>>,
    changed: Arc<Notify>,
    envelopes: Arc<Mutex<Option<mpsc::UnboundedSender<String>>>>,
}

impl FakeSlack {
    pub async fn start() -> FakeSlack {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let ws = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let ws_addr = ws.local_addr().unwrap();
        let state = Arc::new(Mutex::new(FakeState {
            next_ts: 1_700_000_000,
            ws_url: format!("ws://{ws_addr}/link"),
            upload_url: format!("http://{addr}/upload/F1"),
            ..FakeState::default()
        }));
        let fake = FakeSlack { api_url: format!("http://{addr}/api/"), state, changed: Arc::new(Notify::new()), envelopes: Arc::new(Mutex::new(None)) };
        let app = Router::new().route("/api/{method}", any(api)).route("/upload/{id}", post(upload)).route("/response/{id}", post(upload)).with_state(fake.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        let socket = fake.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = ws.accept().await {
                let fake = socket.clone();
                tokio::spawn(async move { fake.serve_socket(stream).await });
            }
        });
        fake
    }

    /// A response URL for slash commands that lands on this fake.
    pub fn response_url(&self) -> String {
        self.api_url.replace("/api/", "/response/R1")
    }

    pub fn set_group(&self, group: &str, users: &[&str]) {
        self.state.lock().unwrap().groups.insert(group.into(), users.iter().map(|u| u.to_string()).collect());
    }

    /// The next call of `method` is answered 429 with `Retry-After: 1`.
    pub fn rate_limit_once(&self, method: &str) {
        self.state.lock().unwrap().rate_limit_once.insert(method.into());
    }

    pub fn calls(&self) -> Vec<Call> {
        self.state.lock().unwrap().calls.clone()
    }

    pub fn calls_of(&self, method: &str) -> Vec<Value> {
        self.calls().into_iter().filter(|c| c.method == method).map(|c| c.body).collect()
    }

    pub fn violations(&self) -> Vec<String> {
        self.state.lock().unwrap().violations.clone()
    }

    pub fn acks(&self) -> Vec<Value> {
        self.state.lock().unwrap().acks.clone()
    }

    /// Waits (at most ten seconds) until `done` holds for the calls so far.
    pub async fn wait_for(&self, what: &str, done: impl Fn(&[Call], &[Value]) -> bool) {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let notified = self.changed.notified();
            {
                let s = self.state.lock().unwrap();
                if done(&s.calls, &s.acks) {
                    return;
                }
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                panic!("timed out waiting for {what}; calls: {:#?}", self.calls().iter().map(|c| &c.method).collect::<Vec<_>>());
            }
        }
    }

    /// Sends a Socket Mode envelope over the open WebSocket.
    pub fn send_envelope(&self, envelope: Value) {
        let tx = self.envelopes.lock().unwrap().clone().expect("no Socket Mode connection is open");
        tx.send(envelope.to_string()).unwrap();
    }

    pub fn socket_open(&self) -> bool {
        self.envelopes.lock().unwrap().is_some()
    }

    async fn serve_socket(&self, stream: tokio::net::TcpStream) {
        use futures_like::*;
        let Ok(mut ws) = tokio_tungstenite::accept_async(stream).await else { return };
        let (tx, mut rx) = mpsc::unbounded_channel::<String>();
        *self.envelopes.lock().unwrap() = Some(tx);
        let hello = json!({"type": "hello", "num_connections": 1, "debug_info": {"host": "fake", "approximate_connection_time": 3600}, "connection_info": {"app_id": "A1"}});
        if send_text(&mut ws, hello.to_string()).await.is_err() {
            return;
        }
        self.changed.notify_waiters();
        loop {
            tokio::select! {
                out = rx.recv() => match out {
                    Some(text) => if send_text(&mut ws, text).await.is_err() { return },
                    None => return,
                },
                incoming = next_text(&mut ws) => match incoming {
                    Some(text) => {
                        if let Ok(v) = serde_json::from_str::<Value>(&text) {
                            self.state.lock().unwrap().acks.push(v);
                            self.changed.notify_waiters();
                        }
                    }
                    None => return,
                },
            }
        }
    }
}

mod futures_like {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::WebSocketStream;
    use tokio_tungstenite::tungstenite::Message;

    type Ws = WebSocketStream<tokio::net::TcpStream>;

    pub async fn send_text(ws: &mut Ws, text: String) -> Result<(), ()> {
        ws.send(Message::text(text)).await.map_err(|_| ())
    }

    pub async fn next_text(ws: &mut Ws) -> Option<String> {
        loop {
            match ws.next().await? {
                Ok(Message::Text(t)) => return Some(t.to_string()),
                Ok(Message::Close(_)) | Err(_) => return None,
                Ok(_) => continue,
            }
        }
    }
}

fn answer(v: Value) -> Response {
    axum::Json(v).into_response()
}

async fn upload(State(fake): State<FakeSlack>, Path(id): Path<String>, body: Bytes) -> Response {
    fake.state.lock().unwrap().calls.push(Call { method: format!("upload:{id}"), body: json!(String::from_utf8_lossy(&body)) });
    fake.changed.notify_waiters();
    (StatusCode::OK, "OK").into_response()
}

async fn api(State(fake): State<FakeSlack>, Path(method): Path<String>, headers: HeaderMap, uri: axum::http::Uri, body: Bytes) -> Response {
    let json_body = headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().contains("json");
    let body: Value = if json_body {
        serde_json::from_slice(&body).unwrap_or(Value::Null)
    } else {
        let text = if body.is_empty() { uri.query().unwrap_or_default().to_string() } else { String::from_utf8_lossy(&body).to_string() };
        let form: HashMap<String, String> = serde_urlencoded::from_str(&text).unwrap_or_default();
        json!(form)
    };
    let auth = headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    let mut s = fake.state.lock().unwrap();
    s.calls.push(Call { method: method.clone(), body: body.clone() });
    fake.changed.notify_waiters();
    if s.rate_limit_once.remove(&method) {
        return (StatusCode::TOO_MANY_REQUESTS, [("retry-after", "1"), ("content-type", "application/json")], r#"{"ok":false,"error":"ratelimited"}"#).into_response();
    }
    if !auth.starts_with("Bearer xox") && !auth.starts_with("Bearer xapp-") {
        return answer(json!({"ok": false, "error": "not_authed"}));
    }
    let problems = paved_bot::slack::blocks::violations(&body);
    if !problems.is_empty() {
        s.violations.extend(problems.iter().map(|p| format!("{method}: {p}")));
        return answer(json!({"ok": false, "error": "invalid_blocks", "errors": problems}));
    }
    let channel_id = |c: &str| match c.strip_prefix('#') {
        Some(name) => format!("C{}", name.to_ascii_uppercase().replace('-', "")),
        None => c.to_string(),
    };
    let s = &mut *s;
    match method.as_str() {
        "auth.test" => answer(json!({"ok": true, "user_id": "UBOT", "team_id": "T1", "team": "Acme", "url": "https://acme.slack.com/", "bot_id": "B1"})),
        "chat.postMessage" => {
            s.next_ts += 1;
            let channel = channel_id(body["channel"].as_str().unwrap_or_default());
            answer(json!({"ok": true, "channel": channel, "ts": format!("{}.000100", s.next_ts), "message": {"text": body["text"]}}))
        }
        "chat.update" => answer(json!({"ok": true, "channel": body["channel"], "ts": body["ts"]})),
        "chat.postEphemeral" => answer(json!({"ok": true, "message_ts": "1.1"})),
        "views.open" => answer(json!({"ok": true, "view": {"id": "V1"}})),
        "chat.getPermalink" => {
            let c = body["channel"].as_str().unwrap_or_default();
            let ts = body["message_ts"].as_str().unwrap_or_default().replace('.', "");
            answer(json!({"ok": true, "channel": c, "permalink": format!("https://acme.slack.com/archives/{c}/p{ts}")}))
        }
        "usergroups.users.list" => {
            let users = s.groups.get(body["usergroup"].as_str().unwrap_or_default()).cloned().unwrap_or_default();
            answer(json!({"ok": true, "users": users}))
        }
        "users.info" => {
            let id = body["user"].as_str().unwrap_or_default();
            let name = id.trim_start_matches('U').to_ascii_lowercase();
            answer(json!({"ok": true, "user": {"id": id, "name": name, "real_name": name, "profile": {"display_name": name}}}))
        }
        "files.getUploadURLExternal" => answer(json!({"ok": true, "upload_url": s.upload_url, "file_id": "F1"})),
        "files.completeUploadExternal" => answer(json!({"ok": true, "files": [{"id": "F1", "title": "plan"}]})),
        "apps.connections.open" => {
            if !auth.starts_with("Bearer xapp-") {
                return answer(json!({"ok": false, "error": "not_allowed_token_type"}));
            }
            answer(json!({"ok": true, "url": s.ws_url}))
        }
        _ => answer(json!({"ok": false, "error": "unknown_method"})),
    }
}

/// HMAC-SHA256, as Slack's request signing uses it.
pub fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut k = [0u8; 64];
    if key.len() > 64 {
        k[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let mut inner = Sha256::new();
    inner.update(k.map(|b| b ^ 0x36));
    inner.update(message);
    let inner = inner.finalize();
    let mut outer = Sha256::new();
    outer.update(k.map(|b| b ^ 0x5c));
    outer.update(inner);
    outer.finalize().into()
}

/// `v0=…` for a body at a timestamp, exactly as Slack computes it.
pub fn signature(secret: &str, timestamp: &str, body: &str) -> String {
    format!("v0={}", hex::encode(hmac_sha256(secret.as_bytes(), format!("v0:{timestamp}:{body}").as_bytes())))
}

pub fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

/// A raw HTTP/1.1 POST on loopback; returns the status and the body.
pub async fn http_post(addr: std::net::SocketAddr, path: &str, content_type: &str, headers: &[(&str, String)], body: &str) -> (u16, String) {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let mut request = format!("POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n", body.len());
    for (k, v) in headers {
        request.push_str(&format!("{k}: {v}\r\n"));
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.unwrap();
    let text = String::from_utf8_lossy(&response).to_string();
    let status = text.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
    (status, body)
}

/// Sends a body to the receiver signed with `secret` at `timestamp`.
pub async fn signed(addr: std::net::SocketAddr, path: &str, secret: &str, timestamp: i64, content_type: &str, body: &str, extra: &[(&str, String)]) -> (u16, String) {
    let ts = timestamp.to_string();
    let mut headers = vec![("X-Slack-Request-Timestamp", ts.clone()), ("X-Slack-Signature", signature(secret, &ts, body))];
    headers.extend(extra.iter().cloned());
    http_post(addr, path, content_type, &headers, body).await
}

/// The form body of an interaction payload.
pub fn interaction_body(payload: &Value) -> String {
    serde_urlencoded::to_string([("payload", payload.to_string())]).unwrap()
}

/// A block_actions payload: `user` pressed the button `action_id` on the message `ts` in `channel`.
pub fn press_payload(user: &str, action_id: &str, channel: &str, ts: &str, thread_ts: Option<&str>, trigger: &str) -> Value {
    let mut message = json!({"type": "message", "ts": ts, "text": "card", "user": "UBOT", "bot_id": "B1"});
    if let Some(t) = thread_ts {
        message["thread_ts"] = json!(t);
    }
    json!({
        "type": "block_actions",
        "team": {"id": "T1", "domain": "acme"},
        "user": {"id": user, "username": user.to_ascii_lowercase(), "name": user.to_ascii_lowercase(), "team_id": "T1"},
        "api_app_id": "A1",
        "token": "legacy",
        "container": {"type": "message", "message_ts": ts, "channel_id": channel, "is_ephemeral": false},
        "trigger_id": trigger,
        "channel": {"id": channel, "name": "general"},
        "message": message,
        "response_url": "https://hooks.slack.com/actions/T1/1/x",
        "actions": [{"type": "button", "action_id": action_id, "block_id": "b", "text": {"type": "plain_text", "text": "Approve"}, "value": action_id, "action_ts": "1.2"}],
    })
}

/// The submission of the modal `view` (as paved opened it) by `user`, with `value` typed into
/// the input `input`.
pub fn view_submission(user: &str, view: &Value, hash: &str, input: &str, value: &str) -> Value {
    json!({
        "type": "view_submission",
        "team": {"id": "T1", "domain": "acme"},
        "user": {"id": user, "username": user.to_lowercase(), "name": user.to_lowercase(), "team_id": "T1"},
        "api_app_id": "A1",
        "trigger_id": "trig-sub",
        "view": {
            "id": format!("V-{hash}"), "team_id": "T1", "type": "modal", "hash": hash,
            "callback_id": view["callback_id"], "private_metadata": view["private_metadata"],
            "title": view["title"], "blocks": view["blocks"], "submit": view["submit"], "close": view["close"],
            "state": {"values": {input: {input: {"type": "plain_text_input", "value": value}}}},
        },
    })
}

/// An Events API envelope.
pub fn event_body(event_id: &str, event: Value) -> Value {
    json!({
        "token": "legacy", "team_id": "T1", "api_app_id": "A1", "type": "event_callback",
        "event_id": event_id, "event_time": 1_700_000_000,
        "authorizations": [{"team_id": "T1", "user_id": "UBOT", "is_bot": true}],
        "event": event,
    })
}
