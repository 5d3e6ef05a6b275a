//! Fresh databases for tests, on SQLite and on PostgreSQL.
//!
//! PostgreSQL tests need a server: `scripts/pg-test-cluster.sh start` starts a throwaway one and
//! prints `PAVED_TEST_DATABASE_URL`. Each test gets its own database on it. Without that variable,
//! PostgreSQL tests fail under CI (the `CI` variable is set) and are skipped with a loud note
//! elsewhere.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::{Db, StoreError};

/// The variable naming the PostgreSQL server for tests.
pub const PG_URL_VAR: &str = "PAVED_TEST_DATABASE_URL";

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A database made for one test: its URL (for a second process, such as the audit worker) and
/// an open, migrated connection.
pub struct TestDb {
    pub url: String,
    pub db: Db,
    // Keeps the SQLite file's directory alive for the test's duration.
    _dir: Option<TempDir>,
}

/// A fresh, migrated database of `backend`, or `None` when PostgreSQL is not configured outside
/// CI (after printing why).
pub async fn fresh(backend: Backend) -> Result<Option<TestDb>, StoreError> {
    match backend {
        Backend::Sqlite => {
            let dir = TempDir::new()?;
            let url = format!("sqlite://{}/paved.db?mode=rwc", dir.path);
            let db = Db::open(&url).await?;
            Ok(Some(TestDb {
                url,
                db,
                _dir: Some(dir),
            }))
        }
        Backend::Postgres => {
            let Some(server) = postgres_server() else {
                return Ok(None);
            };
            let name = unique_name("t");
            let admin = Db::connect(&server).await?;
            if let Some(pool) = admin.pg_pool() {
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                    .execute(pool)
                    .await?;
            }
            admin.close().await;
            let url = replace_database(&server, &name);
            let db = Db::open(&url).await?;
            Ok(Some(TestDb {
                url,
                db,
                _dir: None,
            }))
        }
    }
}

/// The PostgreSQL server URL for tests, failing under CI when it is missing.
pub fn postgres_server() -> Option<String> {
    match std::env::var(PG_URL_VAR) {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            if std::env::var_os("CI").is_some() {
                panic!(
                    "{PG_URL_VAR} is not set under CI; start a server with `eval \"$(scripts/pg-test-cluster.sh start)\"` before the tests"
                );
            }
            eprintln!(
                "\n*** NOTE: {PG_URL_VAR} is not set, so this PostgreSQL test was SKIPPED. Run `eval \"$(scripts/pg-test-cluster.sh start)\"` to include it. ***\n"
            );
            None
        }
    }
}

/// `url` with its database name replaced by `name`.
pub fn replace_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let authority_end = base.find("://").map_or(0, |i| i + 3);
    let base = match base[authority_end..].find('/') {
        Some(slash) => &base[..authority_end + slash],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

fn unique_name(prefix: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!(
        "{prefix}_{}_{}_{}",
        std::process::id(),
        nanos % 1_000_000_000_000,
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// A directory removed when dropped.
struct TempDir {
    path: String,
}

impl TempDir {
    fn new() -> Result<TempDir, StoreError> {
        let path = std::env::temp_dir().join(unique_name("paved-test"));
        std::fs::create_dir_all(&path)
            .map_err(|e| StoreError::Corrupt(format!("cannot create {}: {e}", path.display())))?;
        Ok(TempDir {
            path: path.to_string_lossy().into_owned(),
        })
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// Runs one statement in a test's transaction (to play an attacker with direct database access).
pub async fn execute(tx: &mut crate::Tx, sql: &'static str) -> Result<u64, StoreError> {
    execute_dynamic(tx, sql).await
}

/// Runs one statement built at run time. For tests only: it bypasses parameter binding.
pub async fn execute_dynamic(tx: &mut crate::Tx, sql: &str) -> Result<u64, StoreError> {
    let sql = sqlx::AssertSqlSafe(sql.to_string());
    Ok(crate::db::on_tx!(tx, c => sqlx::query(sql).execute(&mut *c).await?.rows_affected()))
}
