//! Ack latency of the Slack receiver: a burst of 1,000 signed button presses on loopback, 64
//! connections at a time, each timed from the first byte sent to the last byte of the answer.
//! Signature verification, parsing, deduplication and spawning the work are all on this path;
//! the host behind it is a double that answers at once, so the figure is the adapter's own.
//! Prints the median and the 99th percentile; the target is p99 under 50 ms.

#[path = "../tests/slack_fake.rs"]
mod slack_fake;

use std::sync::Arc;
use std::time::{Duration, Instant};

use paved_bot::engine::{Event, Thread, User};
use paved_bot::slack::http::INTERACTIVITY_PATH;
use paved_bot::slack::{Conversations, Dispatched, HostFuture, Secret, Slack, SlackConfig, Submitted};
use slack_fake::*;

const SECRET: &str = "8f742231b10e8888abcd99yyyzzz85a5";
const PRESSES: usize = 1000;
const CONCURRENCY: usize = 64;

/// A host that accepts every press without doing anything.
struct Accepting;

impl Conversations for Accepting {
    fn submit(&self, _: User, _: Thread, _: String) -> HostFuture<'_, Submitted> {
        Box::pin(async { Ok(Submitted { request_id: "req-10001".into(), refused: None }) })
    }
    fn dispatch(&self, _: String, _: Event) -> HostFuture<'_, Dispatched> {
        Box::pin(async { Ok(Dispatched::default()) })
    }
    fn request_for_thread(&self, _: Thread) -> HostFuture<'_, Option<String>> {
        Box::pin(async { Ok(None) })
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a tokio runtime");
    runtime.block_on(async {
        let fake = FakeSlack::start().await;
        let mut config = SlackConfig::new("xoxb-bench", SECRET);
        config.api_url = fake.api_url.clone();
        let slack = Slack::connect(&config, vec![]).await.expect("the fake Slack answers auth.test");
        slack.attach(Arc::new(Accepting)).expect("attached once");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a loopback port");
        let addr = listener.local_addr().expect("an address");
        tokio::spawn(paved_bot::slack::http::serve(listener, paved_bot::slack::http::router(slack.clone(), &Secret::new(SECRET))));

        // Bodies are signed before the clock starts, as Slack signs before it sends.
        let ts = now();
        let bodies: Vec<String> = (0..PRESSES)
            .map(|i| interaction_body(&press_payload("UDANA", &format!("paved:approve:req-{}:1", 10_000 + i), "CGENERAL", "1.000100", Some("1.000001"), &format!("trig-{i}"))))
            .collect();
        let semaphore = Arc::new(tokio::sync::Semaphore::new(CONCURRENCY));
        let started = Instant::now();
        let mut tasks = Vec::with_capacity(PRESSES);
        for body in bodies {
            let permit = semaphore.clone().acquire_owned().await.expect("the semaphore is open");
            tasks.push(tokio::spawn(async move {
                let _permit = permit;
                let t = Instant::now();
                let headers = [("X-Slack-Request-Timestamp", ts.to_string()), ("X-Slack-Signature", signature(SECRET, &ts.to_string(), &body))];
                let (status, _) = http_post(addr, INTERACTIVITY_PATH, "application/x-www-form-urlencoded", &headers, &body).await;
                (status, t.elapsed())
            }));
        }
        let mut latencies = Vec::with_capacity(PRESSES);
        for task in tasks {
            let (status, elapsed) = task.await.expect("a press task");
            assert_eq!(status, 200, "every press is acknowledged");
            latencies.push(elapsed);
        }
        let wall = started.elapsed();
        slack.idle().await;
        latencies.sort();
        let median = percentile(&latencies, 0.5);
        let p99 = percentile(&latencies, 0.99);
        println!("slack ack latency: {PRESSES} signed button presses, {CONCURRENCY} at a time, loopback");
        println!("  median {:.2} ms  p99 {:.2} ms  max {:.2} ms  ({:.0} presses/s)", ms(median), ms(p99), ms(latencies[latencies.len() - 1]), PRESSES as f64 / wall.as_secs_f64());
        println!("  target p99 < 50 ms: {}", if p99 < Duration::from_millis(50) { "met" } else { "NOT met" });
    });
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
