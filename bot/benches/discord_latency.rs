//! Response latency of the Discord interactions endpoint: a burst of 1,000 signed interactions
//! on loopback (50 and then 8 in flight at a time), against the real host on SQLite and (when
//! `PAVED_TEST_DATABASE_URL` names a server) on PostgreSQL. The mix is what a busy channel sends:
//! PINGs, presses by people who may not press (refused ephemerally, each refusal recorded in the
//! trail), presses that open the Modify modal (recorded with the conversation), and duplicates.
//! Target: p99 under 50 ms (Discord allows 3 s). Each run also reports how long the host took to
//! record every interaction durably after the burst, and checks that each was recorded once.
//! With `PAVED_BENCH_PROFILE=1` it prints where an interaction's time goes instead (the host's
//! read-only decision, a conversation read, a PING round trip, a refused press with its record).

use std::sync::Arc;
use std::time::Duration;

use paved_bot::discord::Discord;
use paved_bot::discord::config::{DiscordConfig, Secret};
use paved_bot::discord::fake::{self, FakeDiscord, FakeUser};
use paved_bot::engine::{Directory, Thread, User};
use paved_bot::host::{Host, HostConfig};
use paved_bot::policies::Policies;
use paved_core::signing::SigningKey;
use paved_executor::SandboxProvider;
use paved_store::testing::{self, Backend};

const CHANNEL: &str = "300000000000000001";

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("a runtime");
    runtime.block_on(async {
        run(Backend::Sqlite, "SQLite").await;
        run(Backend::Postgres, "PostgreSQL").await;
    });
}

async fn run(backend: Backend, name: &str) {
    let Some(test_db) = testing::fresh(backend).await.expect("the database opens") else { return };
    let db = test_db.db.clone();
    let fake = FakeDiscord::start(1_000_000, Duration::from_secs(1)).await.expect("the fake Discord starts");
    let policies = Arc::new(Policies::load(None).expect("the shipped policies load"));
    let key = SigningKey::from_bytes(&[5u8; 32]);
    let host = Arc::new(Host::new(db.clone(), policies, key.verifying_key(), SandboxProvider::new(0.0), HostConfig { directory: Directory::default(), ..HostConfig::default() }));
    let mut config = DiscordConfig::new(fake::APPLICATION_ID, fake.public_key(), Secret::new(fake::BOT_TOKEN));
    config.api_base = fake.api_base.clone();
    let discord = Arc::new(Discord::new(config).expect("the adapter starts"));
    discord.attach(&host);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a loopback port");
    let addr = listener.local_addr().expect("an address");
    let app = discord.router(Arc::clone(&host));
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    fake.set_endpoint(&format!("http://{addr}/discord/interactions"));

    // One planned request whose buttons the burst presses.
    let dana = User { id: "200000000000000001".into(), name: "Dana".into() };
    let thread = Thread { platform: "discord".into(), channel: CHANNEL.into(), thread: String::new() };
    let id = host.submit(dana, thread, "a staging web app with postgres").await.expect("a request").request_id;
    let message = fake.messages_in(CHANNEL).into_iter().find(|m| m["components"].as_array().is_some_and(|c| !c.is_empty())).expect("the plan card");
    let message_id = message["id"].as_str().unwrap_or_default().to_string();
    let eve = FakeUser::new("200000000000000002", "Eve");
    let dana = FakeUser::new("200000000000000001", "Dana");

    if std::env::var_os("PAVED_BENCH_PROFILE").is_some() {
        let dana_user = User { id: "200000000000000001".into(), name: "Dana".into() };
        let event = paved_bot::engine::Event::Pressed { user: dana_user, groups: vec![], button: paved_bot::engine::Button::Modify, version: 1 };
        let t = std::time::Instant::now();
        for _ in 0..1000 {
            host.preview(&id, &event).await.unwrap();
        }
        println!("preview: {:.1} µs each", t.elapsed().as_secs_f64() * 1e6 / 1000.0);
        let t = std::time::Instant::now();
        for _ in 0..1000 {
            host.conversation(&id).await.unwrap();
        }
        println!("conversation load: {:.1} µs each", t.elapsed().as_secs_f64() * 1e6 / 1000.0);
        let p = fake.ping();
        let t = std::time::Instant::now();
        for _ in 0..1000 {
            fake.send(&p).await;
        }
        println!("ping round trip: {:.1} µs each", t.elapsed().as_secs_f64() * 1e6 / 1000.0);
        let t = std::time::Instant::now();
        for i in 0..200 {
            let press = fake.press(&eve, &message_id, &format!("paved:approve:{id}:1"));
            let _ = i;
            fake.send(&press).await;
        }
        discord.settled().await;
        println!("refused press round trip incl. its record: {:.1} µs each", t.elapsed().as_secs_f64() * 1e6 / 200.0);
        return;
    }
    for in_flight in [50usize, 8] {
        let mut payloads: Vec<serde_json::Value> = Vec::with_capacity(1020);
        for i in 0..1020 {
            let next = match i % 4 {
                0 => fake.ping(),
                1 => fake.press(&eve, &message_id, &format!("paved:approve:{id}:1")),
                2 => fake.press(&dana, &message_id, &format!("paved:modify:{id}:1")),
                _ => payloads.last().cloned().unwrap_or_else(|| fake.ping()),
            };
            payloads.push(next);
        }
        // The first 20 warm the connection pool and the database; the burst is the other 1,000.
        let burst = payloads.split_off(20);
        for p in &payloads {
            fake.send(p).await;
        }
        discord.settled().await;
        let refusals_before = refusals(&db, &id).await;
        let started = std::time::Instant::now();
        let mut latencies = Vec::with_capacity(burst.len());
        for chunk in burst.chunks(in_flight) {
            let sends = chunk.iter().map(|p| fake.send(p));
            for answer in futures_join(sends).await {
                assert_eq!(answer.status, 200, "{:?}", answer.body);
                latencies.push(answer.elapsed);
            }
        }
        let wall = started.elapsed();
        discord.settled().await;
        let recorded = started.elapsed();
        // Every refused press (one in four, its duplicate aside) is in the trail exactly once.
        let refused = refusals(&db, &id).await - refusals_before;
        assert_eq!(refused, 250, "each refused press is recorded once");
        latencies.sort();
        let pick = |q: f64| latencies[((latencies.len() as f64 - 1.0) * q).round() as usize];
        println!(
            "discord interactions on {name}: {} signed interactions, {in_flight} in flight: answered in median {:.2} ms, p99 {:.2} ms, max {:.2} ms ({:.0} interactions/s); all recorded {:.2} s after the burst began",
            latencies.len(),
            pick(0.5).as_secs_f64() * 1000.0,
            pick(0.99).as_secs_f64() * 1000.0,
            pick(1.0).as_secs_f64() * 1000.0,
            latencies.len() as f64 / wall.as_secs_f64(),
            recorded.as_secs_f64(),
        );
    }
}

/// How many refusals the trail holds for the request.
async fn refusals(db: &paved_store::Db, request_id: &str) -> usize {
    let entries = db.request_trail(request_id).await.expect("the trail reads");
    entries.iter().filter(|e| e.kind == "event.refused").count()
}

/// Runs the futures concurrently and returns their outputs in order.
async fn futures_join<F: std::future::Future>(futures: impl Iterator<Item = F>) -> Vec<F::Output> {
    let mut set = Vec::new();
    for f in futures {
        set.push(Box::pin(f));
    }
    let mut out = Vec::with_capacity(set.len());
    let mut pending: Vec<_> = set.into_iter().map(Some).collect();
    let mut results: Vec<Option<F::Output>> = (0..pending.len()).map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut all = true;
        for (i, slot) in pending.iter_mut().enumerate() {
            if let Some(f) = slot {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => {
                        results[i] = Some(v);
                        *slot = None;
                    }
                    std::task::Poll::Pending => all = false,
                }
            }
        }
        if all { std::task::Poll::Ready(()) } else { std::task::Poll::Pending }
    })
    .await;
    out.extend(results.into_iter().flatten());
    out
}
