//! The connection to the database: SQLite (one file, the embedded default) or PostgreSQL, with
//! the migrations embedded in the binary and a clock that tests can move.

use std::borrow::Cow;
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Postgres, SqlSafeStr, Sqlite};

use crate::StoreError;

/// Where paved keeps its state when `DATABASE_URL` does not say otherwise: one SQLite file in the
/// working directory, created on first run.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://paved.db?mode=rwc";

/// How long a writer waits for another writer's lock on SQLite before giving up.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The time source. The system clock in production; a manual one in tests, so that lease expiry
/// and retry backoff are tested by moving time rather than by sleeping.
#[derive(Debug, Clone)]
pub enum Clock {
    System,
    Manual(Arc<AtomicI64>),
}

impl Clock {
    /// A manual clock starting at `ms` milliseconds after the Unix epoch.
    pub fn manual(ms: i64) -> Clock {
        Clock::Manual(Arc::new(AtomicI64::new(ms)))
    }

    /// Milliseconds since the Unix epoch.
    pub fn now_ms(&self) -> i64 {
        match self {
            Clock::System => SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX)),
            Clock::Manual(ms) => ms.load(Ordering::SeqCst),
        }
    }

    /// Moves a manual clock forward; the system clock cannot be moved and ignores this.
    pub fn advance(&self, by: Duration) {
        if let Clock::Manual(ms) = self {
            ms.fetch_add(duration_ms(by), Ordering::SeqCst);
        }
    }
}

pub(crate) fn duration_ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

#[derive(Debug, Clone)]
pub(crate) enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// paved's database.
#[derive(Debug, Clone)]
pub struct Db {
    pub(crate) pool: Pool,
    pub(crate) clock: Clock,
}

pub(crate) enum TxInner {
    Sqlite(sqlx::Transaction<'static, Sqlite>),
    Postgres(sqlx::Transaction<'static, Postgres>),
}

/// An open transaction. Everything done through it, including the messages it enqueues and the
/// trail records it appends, commits together or not at all.
pub struct Tx {
    pub(crate) inner: TxInner,
    pub(crate) clock: Clock,
}

/// Runs the same code against whichever database a transaction is on. The SQL must be portable
/// (`$1` placeholders work on both); each arm is type-checked for its own driver.
macro_rules! on_tx {
    ($tx:expr, $c:ident => $body:expr) => {
        match &mut $tx.inner {
            $crate::db::TxInner::Sqlite(t) => {
                let $c = &mut **t;
                $body
            }
            $crate::db::TxInner::Postgres(t) => {
                let $c = &mut **t;
                $body
            }
        }
    };
}
pub(crate) use on_tx;

/// Runs the same code against whichever pool the database is.
macro_rules! on_pool {
    ($db:expr, $c:ident => $body:expr) => {
        match &$db.pool {
            $crate::db::Pool::Sqlite($c) => $body,
            $crate::db::Pool::Postgres($c) => $body,
        }
    };
}
pub(crate) use on_pool;

impl Db {
    /// Connects to `url` (`sqlite://…` or `postgres://…`) and brings the schema up to date.
    pub async fn open(url: &str) -> Result<Db, StoreError> {
        let db = Db::connect(url).await?;
        db.migrate().await?;
        Ok(db)
    }

    /// Connects to `DATABASE_URL`, or to the default SQLite file when it is not set.
    pub async fn open_from_env() -> Result<Db, StoreError> {
        let url =
            std::env::var("DATABASE_URL").unwrap_or_else(|_| DEFAULT_DATABASE_URL.to_string());
        Db::open(&url).await
    }

    /// Connects without migrating (for a role that may not change the schema, like the audit
    /// worker's on PostgreSQL).
    pub async fn connect(url: &str) -> Result<Db, StoreError> {
        let pool = if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)
                .map_err(|e| StoreError::BadUrl {
                    url: redact(url),
                    reason: e.to_string(),
                })?
                // WAL lets readers work while one writer commits; FULL makes every commit durable
                // on power loss, which a queue that promises at-least-once delivery needs.
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .busy_timeout(SQLITE_BUSY_TIMEOUT)
                .foreign_keys(true);
            Pool::Sqlite(
                SqlitePoolOptions::new()
                    .max_connections(8)
                    .connect_with(options)
                    .await?,
            )
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            let options = PgConnectOptions::from_str(url).map_err(|e| StoreError::BadUrl {
                url: redact(url),
                reason: e.to_string(),
            })?;
            Pool::Postgres(
                PgPoolOptions::new()
                    .max_connections(10)
                    .connect_with(options)
                    .await?,
            )
        } else {
            return Err(StoreError::BadUrl {
                url: redact(url),
                reason: "it starts with neither `sqlite:` nor `postgres:`".to_string(),
            });
        };
        Ok(Db {
            pool,
            clock: Clock::System,
        })
    }

    /// The same database with another clock.
    pub fn with_clock(mut self, clock: Clock) -> Db {
        self.clock = clock;
        self
    }

    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self.pool, Pool::Postgres(_))
    }

    /// Applies the embedded migrations of this database's dialect.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        match &self.pool {
            Pool::Sqlite(p) => migrator(SQLITE_MIGRATIONS).run(p).await?,
            Pool::Postgres(p) => migrator(POSTGRES_MIGRATIONS).run(p).await?,
        }
        Ok(())
    }

    /// Begins a write transaction. On SQLite it takes the write lock at once (`BEGIN IMMEDIATE`),
    /// so two writers queue up behind the busy timeout instead of failing when one of them tries
    /// to upgrade a read lock.
    pub async fn begin(&self) -> Result<Tx, StoreError> {
        let inner = match &self.pool {
            Pool::Sqlite(p) => TxInner::Sqlite(p.begin_with("BEGIN IMMEDIATE").await?),
            Pool::Postgres(p) => TxInner::Postgres(p.begin().await?),
        };
        Ok(Tx {
            inner,
            clock: self.clock.clone(),
        })
    }

    /// Begins a transaction that only reads: on SQLite it takes no write lock.
    pub async fn begin_read(&self) -> Result<Tx, StoreError> {
        let inner = match &self.pool {
            Pool::Sqlite(p) => TxInner::Sqlite(p.begin().await?),
            Pool::Postgres(p) => TxInner::Postgres(p.begin().await?),
        };
        Ok(Tx {
            inner,
            clock: self.clock.clone(),
        })
    }

    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    /// The PostgreSQL pool, for the queue's LISTEN connection.
    pub(crate) fn pg_pool(&self) -> Option<&PgPool> {
        match &self.pool {
            Pool::Postgres(p) => Some(p),
            Pool::Sqlite(_) => None,
        }
    }

    /// Closes every connection.
    pub async fn close(&self) {
        on_pool!(self, p => p.close().await)
    }
}

impl Tx {
    pub async fn commit(self) -> Result<(), StoreError> {
        match self.inner {
            TxInner::Sqlite(t) => t.commit().await?,
            TxInner::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }

    pub async fn rollback(self) -> Result<(), StoreError> {
        match self.inner {
            TxInner::Sqlite(t) => t.rollback().await?,
            TxInner::Postgres(t) => t.rollback().await?,
        }
        Ok(())
    }

    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self.inner, TxInner::Postgres(_))
    }
}

struct Embedded {
    version: i64,
    description: &'static str,
    sql: &'static str,
}

const SQLITE_MIGRATIONS: &[Embedded] = &[
    Embedded {
        version: 1,
        description: "backbone",
        sql: include_str!("../../migrations/sqlite/0001_backbone.sql"),
    },
    Embedded {
        version: 100,
        description: "conversations",
        sql: include_str!("../../migrations/sqlite/0100_conversations.sql"),
    },
];

const POSTGRES_MIGRATIONS: &[Embedded] = &[
    Embedded {
        version: 1,
        description: "backbone",
        sql: include_str!("../../migrations/postgres/0001_backbone.sql"),
    },
    Embedded {
        version: 2,
        description: "roles",
        sql: include_str!("../../migrations/postgres/0002_roles.sql"),
    },
    Embedded {
        version: 100,
        description: "conversations",
        sql: include_str!("../../migrations/postgres/0100_conversations.sql"),
    },
];

// The migrations are embedded by hand rather than with `sqlx::migrate!`, which would pull the
// query macros and their compile-time database machinery into every build.
fn migrator(list: &[Embedded]) -> Migrator {
    Migrator::with_migrations(
        list.iter()
            .map(|m| {
                Migration::new(
                    m.version,
                    Cow::Borrowed(m.description),
                    MigrationType::Simple,
                    m.sql.into_sql_str(),
                    false,
                )
            })
            .collect(),
    )
}

/// A URL without its password, for error messages.
pub(crate) fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{}:***{}", &url[..scheme + 3], user, &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}
