//! A paved host on a fresh SQLite database with the in-process audit worker and the sandbox
//! cloud: what the shared conversation tests run on.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use paved_audit::Auditor;
use paved_audit::worker::{self, AuditorJudge};
use paved_bot::engine::{Directory, Role, Thread, User};
use paved_bot::host::{Host, HostConfig};
use paved_bot::policies::Policies;
use paved_core::signing::SigningKey;
use paved_executor::SandboxProvider;
use paved_store::{Clock, Db};

pub fn user(id: &str) -> User {
    User { id: id.into(), name: id.into() }
}

pub fn directory() -> Directory {
    let mut d = Directory { escalation_ttl_minutes: 60, ..Directory::default() };
    let role = |users: &[&str], required| Role { users: users.iter().map(|u| u.to_string()).collect(), groups: vec![], channel: "#approvals".into(), required };
    d.roles.insert("finance_manager".into(), role(&["fiona", "frank", "alice"], 1));
    d.roles.insert("cfo".into(), role(&["carol"], 1));
    d.roles.insert("change_manager".into(), role(&["max"], 1));
    d
}

pub struct Harness {
    pub host: Arc<Host>,
    pub db: Db,
    pub clock: Clock,
    pub key: SigningKey,
    pub policies: Arc<Policies>,
    pub transcript: Arc<Mutex<Vec<String>>>,
    /// The directory of the database file; a restarted host opens it again.
    pub scratch: Scratch,
}

/// A scratch directory under the system's temporary directory, removed when the last handle on it
/// is dropped.
#[derive(Clone)]
pub struct Scratch(Arc<tempfile::TempDir>);

impl Scratch {
    pub fn new(name: &str) -> Scratch {
        Scratch(Arc::new(tempfile::Builder::new().prefix(&format!("paved-{name}-")).tempdir().unwrap()))
    }

    pub fn path(&self) -> &Path {
        self.0.path()
    }
}

impl std::ops::Deref for Scratch {
    type Target = Path;

    fn deref(&self) -> &Path {
        self.0.path()
    }
}

impl AsRef<Path> for Scratch {
    fn as_ref(&self) -> &Path {
        self.0.path()
    }
}

pub fn thread() -> Thread {
    Thread { platform: "terminal".into(), channel: "local".into(), thread: String::new() }
}

impl Harness {
    pub async fn new(name: &str, provider: SandboxProvider, auto_rollback: bool) -> Harness {
        Harness::open(Scratch::new(&format!("conv-{name}")), provider, auto_rollback, None).await
    }

    /// A host whose policies are the shipped ones with `extra_rules` (YAML list items) added to
    /// the guardrails' security area.
    pub async fn with_rules(name: &str, extra_rules: &str) -> Harness {
        let dir = policies_with_rules(name, extra_rules);
        Harness::open(Scratch::new(&format!("conv-{name}")), SandboxProvider::new(0.0), false, Some(dir)).await
    }

    /// A host on the database file in `scratch` (an existing one, as after a restart).
    pub async fn open(scratch: Scratch, provider: SandboxProvider, auto_rollback: bool, policies: Option<Scratch>) -> Harness {
        let clock = Clock::manual(1_800_000_000_000);
        let db = Db::open(&format!("sqlite://{}?mode=rwc", scratch.join("paved.db").display())).await.unwrap().with_clock(clock.clone());
        let policies = Arc::new(Policies::load(policies.as_ref().map(Scratch::path)).unwrap());
        let key = SigningKey::from_bytes(&[5u8; 32]);
        let config = HostConfig { directory: directory(), auto_rollback, ..HostConfig::default() };
        let host = Arc::new(Host::new(db.clone(), Arc::clone(&policies), key.verifying_key(), provider, config));
        let (terminal, transcript) = paved_bot::terminal::Terminal::recording();
        host.register(Arc::new(terminal));
        Harness { host, db, clock, key, policies, transcript, scratch }
    }

    /// Runs the audit worker and the host until no work is left.
    pub async fn settle(&self) {
        let auditor = Auditor::new(&self.policies.catalog, &self.policies.guardrails);
        let judge = AuditorJudge(&auditor);
        loop {
            let mut judged = 0;
            while worker::handle_next(&self.db, &judge, &self.key, std::time::Duration::from_secs(30)).await.unwrap().is_some() {
                judged += 1;
            }
            let handled = self.host.drain().await.unwrap();
            if judged == 0 && handled == 0 {
                return;
            }
        }
    }

    pub fn said(&self) -> String {
        self.transcript.lock().unwrap().join("\n")
    }

    pub async fn trail_kinds(&self, request_id: &str) -> Vec<String> {
        self.db.request_trail(request_id).await.unwrap().into_iter().map(|r| r.kind).collect()
    }
}

/// Copies a directory tree (the policies, for a test that edits them).
pub fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Platform-team rules that make the planner's own plans fire: backups kept 35 days (auto-fix)
/// and no MySQL (veto).
pub const EXTRA_RULES: &str = "    - name: backups_35_days
      description: Databases keep 35 days of backups
      level: hard
      enforcement: auto-fix
      applies_to: [aws_db_instance]
      condition: {attribute: backup_retention_period, less_than: 35}
      fix: {set: {backup_retention_period: 35}}
      message: \"{resource} kept backups for {actual} days; paved set {fix}\"
    - name: no_mysql
      description: MySQL is not run on this platform
      level: blocking
      enforcement: veto
      applies_to: [aws_db_instance]
      condition: {attribute: engine, equals: mysql}
      message: \"{resource} uses MySQL, which this platform does not run\"
      suggestion: Use PostgreSQL.
";

/// A copy of the shipped policies with `extra_rules` (YAML list items) added to the guardrails'
/// security area.
pub fn policies_with_rules(name: &str, extra_rules: &str) -> Scratch {
    policies_edited(name, "guardrails.yaml", "  security:\n", &format!("  security:\n{extra_rules}"))
}

/// A copy of the shipped policies where the first `from` in `file` reads `to`.
pub fn policies_edited(name: &str, file: &str, from: &str, to: &str) -> Scratch {
    let dir = Scratch::new(&format!("{name}-policies"));
    copy_dir(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../policies"), dir.path());
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{file} has no {from:?}");
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
    dir
}
