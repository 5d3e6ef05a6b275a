//! The real `paved-audit` binary against a real queue: killed with SIGKILL at random points while
//! 200 audit requests flow, then restarted. Every request must end with exactly one verdict in
//! effect: none lost, none judged twice. Runs on SQLite and on PostgreSQL (as the `paved_audit`
//! role).

#![cfg(feature = "worker")]

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use paved_core::message::{AuditContextV1, TOPIC_AUDIT, TOPIC_ORCHESTRATOR};
use paved_core::trail::kinds;
use paved_core::{Environment, Plan, Resource, ResourceAction};
use paved_store::testing::{self, Backend};
use paved_store::{Handled, process_next_verdict, submit_for_audit};
use tokio::sync::watch;

const REQUESTS: usize = 200;
const KILLS: usize = 4;

fn plan(n: usize) -> Plan {
    let mut db = Resource::new(
        "aws_db_instance",
        &format!("orders{n}"),
        ResourceAction::Create,
    );
    db.values.insert("engine".into(), "postgres".into());
    db.values
        .insert("instance_class".into(), "db.t3.micro".into());
    db.values.insert("storage_encrypted".into(), true.into());
    db.values.insert("publicly_accessible".into(), false.into());
    db.monthly_cost_usd = 15.0;
    Plan {
        golden_path: None,
        golden_path_version: String::new(),
        environment: Environment::Development,
        region: "us-east-1".into(),
        resources: vec![db],
        estimated_monthly_cost_usd: 15.0,
    }
}

/// A small deterministic generator, so that a failing run can be repeated from its seed.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n.max(1)
    }
}

/// A directory removed when dropped.
fn temp_dir(name: &str) -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix(&format!("paved-{name}-"))
        .tempdir()
        .unwrap()
}

/// Starts the worker; its messages are appended to `log`, which a failing run prints.
fn spawn_worker(url: &str, key: &Path, log: &Path) -> Child {
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .unwrap();
    Command::new(env!("CARGO_BIN_EXE_paved-audit"))
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("DATABASE_URL", url)
        .env("PAVED_AUDIT_KEY", key)
        .args(["--lease-seconds", "1"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::from(log))
        .spawn()
        .expect("the paved-audit binary starts")
}

async fn crash_run(backend: Backend) {
    let Some(test_db) = testing::fresh(backend).await.unwrap() else {
        return;
    };
    let db = test_db.db.clone();
    let keys_dir = temp_dir("keys");
    let generated = paved_audit::keys::generate_keypair(keys_dir.path(), false).unwrap();
    let public = paved_audit::keys::load_verifying_key(&generated.public_key).unwrap();

    // On PostgreSQL the worker connects as its own, narrow role.
    let worker_url = if db.is_postgres() {
        let mut tx = db.begin().await.unwrap();
        testing::execute(&mut tx, "ALTER ROLE paved_audit WITH LOGIN")
            .await
            .unwrap();
        tx.commit().await.unwrap();
        test_db.url.replacen("://postgres@", "://paved_audit@", 1)
    } else {
        test_db.url.clone()
    };

    let mut ids = Vec::new();
    for n in 0..REQUESTS {
        let mut tx = db.begin().await.unwrap();
        let id = tx
            .create_request(
                "john.doe",
                "#infra",
                &format!("a small postgres database orders{n} for development"),
            )
            .await
            .unwrap();
        tx.add_plan_version("paved", &id, &plan(n), "first plan")
            .await
            .unwrap();
        submit_for_audit(&mut tx, "john.doe", &id, 1, AuditContextV1::default())
            .await
            .unwrap();
        tx.commit().await.unwrap();
        ids.push(id);
    }

    // The orchestrator's side, as the bot runs it: accept verdicts as they come and announce how
    // many were accepted.
    let (accepted_tx, mut accepted) = watch::channel(0usize);
    let consumer = {
        let db = db.clone();
        tokio::spawn(async move {
            let mut waiter = db.waiter(TOPIC_ORCHESTRATOR).await.unwrap();
            let mut count = 0;
            loop {
                match process_next_verdict(&db, &public, Duration::from_secs(5))
                    .await
                    .unwrap()
                {
                    Some(Handled::Verdict(v)) => {
                        waiter.found_work();
                        if v.new {
                            count += 1;
                            accepted_tx.send_replace(count);
                        }
                    }
                    Some(Handled::DeadLettered(reason)) => {
                        panic!("a verdict was refused: {reason}")
                    }
                    None => waiter.wait().await,
                }
            }
        })
    };

    let seed = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64;
    eprintln!("crash test seed {seed}");
    let mut rng = Rng(seed);
    let log = keys_dir.path().join("worker.log");
    let log_text = || std::fs::read_to_string(&log).unwrap_or_default();
    let mut worker = spawn_worker(&worker_url, &generated.private_key, &log);
    for kill in 0..KILLS {
        // Kill somewhere in the flow: after a random number of further verdicts, plus a random
        // few milliseconds so that the kill lands inside judging or committing as often as not.
        let target =
            ((kill + 1) * REQUESTS / (KILLS + 2)) + rng.below(REQUESTS as u64 / 10) as usize;
        tokio::time::timeout(Duration::from_secs(60), accepted.wait_for(|&n| n >= target))
            .await
            .unwrap_or_else(|_| {
                panic!("verdicts stopped flowing; the worker said:\n{}", log_text())
            })
            .unwrap();
        tokio::time::sleep(Duration::from_millis(rng.below(15))).await;
        worker.kill().unwrap(); // SIGKILL
        worker.wait().unwrap();
        worker = spawn_worker(&worker_url, &generated.private_key, &log);
    }
    tokio::time::timeout(
        Duration::from_secs(120),
        accepted.wait_for(|&n| n >= REQUESTS),
    )
    .await
    .unwrap_or_else(|_| {
        panic!(
            "not every request got its verdict; the worker said:\n{}",
            log_text()
        )
    })
    .unwrap();
    worker.kill().unwrap();
    worker.wait().unwrap();
    consumer.abort();

    // Exactly one verdict per request, in the table and in the trail.
    assert_eq!(db.verdict_count().await.unwrap(), REQUESTS as i64);
    for id in &ids {
        assert!(
            db.verdict(id, 1).await.unwrap().is_some(),
            "{id} has its verdict"
        );
        let verdicts = db
            .request_trail(id)
            .await
            .unwrap()
            .into_iter()
            .filter(|r| r.kind == kinds::VERDICT_ISSUED)
            .count();
        assert_eq!(verdicts, 1, "{id} was judged once in effect");
    }
    let audit = db.queue_counts(TOPIC_AUDIT).await.unwrap();
    assert_eq!(
        (audit.done, audit.dead, audit.ready, audit.leased),
        (REQUESTS as i64, 0, 0, 0)
    );
    let verdicts = db.queue_counts(TOPIC_ORCHESTRATOR).await.unwrap();
    assert_eq!(
        (verdicts.done, verdicts.dead),
        (REQUESTS as i64, 0),
        "one verdict message per request"
    );
    let report = db.verify(&public, None).await.unwrap();
    assert!(report.is_intact(), "{:?}", report.problems());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_workers_lose_nothing_and_judge_nothing_twice_sqlite() {
    crash_run(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_workers_lose_nothing_and_judge_nothing_twice_postgres() {
    crash_run(Backend::Postgres).await;
}

#[test]
fn the_worker_refuses_to_start_with_credentials() {
    for (name, value) in [
        ("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE"),
        ("SLACK_BOT_TOKEN", "xoxb-1"),
        ("DISCORD_PUBLIC_KEY", "ab"),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_paved-audit"))
            .env_clear()
            .env(name, value)
            .env("DATABASE_URL", "sqlite://never-created.db")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{name}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(
            stderr.contains(name) && stderr.contains("refusing to start"),
            "{stderr}"
        );
    }
}

#[test]
fn the_worker_refuses_a_key_others_can_read() {
    let dir = temp_dir("open-key");
    let generated = paved_audit::keys::generate_keypair(dir.path(), false).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(
            &generated.private_key,
            std::fs::Permissions::from_mode(0o644),
        )
        .unwrap();
    }
    let out = Command::new(env!("CARGO_BIN_EXE_paved-audit"))
        .env_clear()
        .env("PAVED_AUDIT_KEY", &generated.private_key)
        .env("DATABASE_URL", "sqlite://never-created.db")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("cannot load the audit key"), "{stderr}");
}
