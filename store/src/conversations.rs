//! The conversation engine's state, change locks, the executor's ledger of deployed resources,
//! and the chat deliveries already handled.
//!
//! Conversations are stored as JSON documents owned by the engine (this crate does not know their
//! shape) with a revision number: a write names the revision it read, and loses if another write
//! came first (compare-and-set).

use serde_json::Value;
use sqlx::Row;

use crate::StoreError;
use crate::db::{Db, Tx, on_pool, on_tx};

/// A stored conversation document.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredConversation {
    pub request_id: String,
    pub revision: i64,
    pub stage: String,
    pub doc: Value,
}

/// Where a conversation is indexed: its stage, thread and escalation deadline.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ConversationIndex {
    pub stage: String,
    pub platform: String,
    pub channel: String,
    pub thread: String,
    pub expires_at_ms: Option<i64>,
}

/// One resource a deployment created, as the executor recorded it.
#[derive(Debug, Clone, PartialEq)]
pub struct DeployedResource {
    pub request_id: String,
    pub address: String,
    pub kind: String,
    pub physical_id: String,
    pub attributes: Value,
    pub depends_on: Vec<String>,
}

fn corrupt(e: serde_json::Error) -> StoreError {
    StoreError::Corrupt(e.to_string())
}

impl Tx {
    /// Loads a conversation inside this transaction.
    pub async fn conversation(&mut self, request_id: &str) -> Result<Option<StoredConversation>, StoreError> {
        let row = on_tx!(self, c => {
            sqlx::query("SELECT request_id, revision, stage, doc FROM conversations WHERE request_id = $1")
                .bind(request_id)
                .fetch_optional(&mut *c)
                .await?
                .map(|r| -> Result<(String, i64, String, String), sqlx::Error> {
                    Ok((r.try_get("request_id")?, r.try_get("revision")?, r.try_get("stage")?, r.try_get("doc")?))
                })
                .transpose()?
        });
        row.map(|(request_id, revision, stage, doc)| {
            Ok(StoredConversation { request_id, revision, stage, doc: serde_json::from_str(&doc).map_err(corrupt)? })
        })
        .transpose()
    }

    /// Stores a conversation: inserts it when `expected_revision` is 0, else replaces it only if
    /// its revision is still `expected_revision`. Returns false when another write came first.
    pub async fn save_conversation(
        &mut self,
        request_id: &str,
        expected_revision: i64,
        index: &ConversationIndex,
        doc: &Value,
    ) -> Result<bool, StoreError> {
        let now = self.now_ms();
        let text = doc.to_string();
        let n = on_tx!(self, c => {
            if expected_revision == 0 {
                sqlx::query(
                    "INSERT INTO conversations (request_id, revision, stage, platform, channel, thread, expires_at, doc, updated_at)
                     VALUES ($1, 1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (request_id) DO NOTHING",
                )
                .bind(request_id)
                .bind(&index.stage)
                .bind(&index.platform)
                .bind(&index.channel)
                .bind(&index.thread)
                .bind(index.expires_at_ms)
                .bind(&text)
                .bind(now)
                .execute(&mut *c)
                .await?
                .rows_affected()
            } else {
                sqlx::query(
                    "UPDATE conversations SET revision = revision + 1, stage = $3, platform = $4, channel = $5, thread = $6,
                         expires_at = $7, doc = $8, updated_at = $9
                     WHERE request_id = $1 AND revision = $2",
                )
                .bind(request_id)
                .bind(expected_revision)
                .bind(&index.stage)
                .bind(&index.platform)
                .bind(&index.channel)
                .bind(&index.thread)
                .bind(index.expires_at_ms)
                .bind(&text)
                .bind(now)
                .execute(&mut *c)
                .await?
                .rows_affected()
            }
        });
        Ok(n == 1)
    }

    /// Takes the change lock `key` for a request. Returns the request that holds it when it is
    /// another one's; taking a lock one already holds succeeds.
    pub async fn take_lock(&mut self, key: &str, request_id: &str, holder: &str) -> Result<Option<(String, String)>, StoreError> {
        let now = self.now_ms();
        let current = on_tx!(self, c => {
            sqlx::query(
                "INSERT INTO change_locks (lock_key, request_id, holder, taken_at) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (lock_key) DO NOTHING",
            )
            .bind(key)
            .bind(request_id)
            .bind(holder)
            .bind(now)
            .execute(&mut *c)
            .await?;
            let row = sqlx::query("SELECT request_id, holder FROM change_locks WHERE lock_key = $1")
                .bind(key)
                .fetch_one(&mut *c)
                .await?;
            (row.try_get::<String, _>("request_id")?, row.try_get::<String, _>("holder")?)
        });
        Ok((current.0 != request_id).then_some(current))
    }

    /// Gives back every lock a request holds.
    pub async fn release_locks(&mut self, request_id: &str) -> Result<(), StoreError> {
        on_tx!(self, c => {
            sqlx::query("DELETE FROM change_locks WHERE request_id = $1").bind(request_id).execute(&mut *c).await?;
        });
        Ok(())
    }

    /// Records a chat delivery (an event or interaction id); false when it was seen before.
    pub async fn first_delivery(&mut self, id: &str) -> Result<bool, StoreError> {
        let now = self.now_ms();
        let n = on_tx!(self, c => {
            sqlx::query("INSERT INTO seen_deliveries (id, seen_at) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING")
                .bind(id)
                .bind(now)
                .execute(&mut *c)
                .await?
                .rows_affected()
        });
        Ok(n == 1)
    }
}

impl Db {
    /// Loads a conversation.
    pub async fn conversation(&self, request_id: &str) -> Result<Option<StoredConversation>, StoreError> {
        let mut tx = self.begin_read().await?;
        let c = tx.conversation(request_id).await?;
        tx.commit().await?;
        Ok(c)
    }

    /// The revision a conversation is at, without reading it: whether a copy read earlier is
    /// still the current one.
    pub async fn conversation_revision(&self, request_id: &str) -> Result<Option<i64>, StoreError> {
        Ok(on_pool!(self, p => {
            sqlx::query("SELECT revision FROM conversations WHERE request_id = $1")
                .bind(request_id)
                .fetch_optional(p)
                .await?
                .map(|r| r.try_get::<i64, _>("revision"))
                .transpose()?
        }))
    }

    /// The request a chat thread belongs to.
    pub async fn conversation_for_thread(&self, platform: &str, channel: &str, thread: &str) -> Result<Option<String>, StoreError> {
        Ok(on_pool!(self, p => {
            sqlx::query("SELECT request_id FROM conversations WHERE platform = $1 AND channel = $2 AND thread = $3 ORDER BY updated_at DESC LIMIT 1")
                .bind(platform)
                .bind(channel)
                .bind(thread)
                .fetch_optional(p)
                .await?
                .map(|r| r.try_get::<String, _>("request_id"))
                .transpose()?
        }))
    }

    /// Requests in one stage whose escalation deadline has passed.
    pub async fn expired_conversations(&self, stage: &str, now_ms: i64) -> Result<Vec<String>, StoreError> {
        Ok(on_pool!(self, p => {
            sqlx::query("SELECT request_id FROM conversations WHERE stage = $1 AND expires_at IS NOT NULL AND expires_at <= $2")
                .bind(stage)
                .bind(now_ms)
                .fetch_all(p)
                .await?
                .into_iter()
                .map(|r| r.try_get::<String, _>("request_id"))
                .collect::<Result<Vec<_>, _>>()?
        }))
    }

    /// Requests in any of the given stages (the host resumes them on start).
    pub async fn conversations_in(&self, stages: &[&str]) -> Result<Vec<String>, StoreError> {
        let mut out = Vec::new();
        for stage in stages {
            let ids: Vec<String> = on_pool!(self, p => {
                sqlx::query("SELECT request_id FROM conversations WHERE stage = $1 ORDER BY request_id")
                    .bind(*stage)
                    .fetch_all(p)
                    .await?
                    .into_iter()
                    .map(|r| r.try_get::<String, _>("request_id"))
                    .collect::<Result<Vec<_>, _>>()?
            });
            out.extend(ids);
        }
        Ok(out)
    }

    /// One deployed resource of a request.
    pub async fn deployed_resource(&self, request_id: &str, address: &str) -> Result<Option<DeployedResource>, StoreError> {
        Ok(self.deployed_resources(request_id).await?.into_iter().find(|r| r.address == address))
    }

    /// Everything a request's deployments created and that still exists.
    pub async fn deployed_resources(&self, request_id: &str) -> Result<Vec<DeployedResource>, StoreError> {
        let rows: Vec<(String, String, String, String, String, String)> = on_pool!(self, p => {
            sqlx::query("SELECT request_id, address, kind, physical_id, attributes, depends_on FROM deployed_resources WHERE request_id = $1 ORDER BY address")
                .bind(request_id)
                .fetch_all(p)
                .await?
                .into_iter()
                .map(|r| Ok((r.try_get("request_id")?, r.try_get("address")?, r.try_get("kind")?, r.try_get("physical_id")?, r.try_get("attributes")?, r.try_get("depends_on")?)))
                .collect::<Result<Vec<_>, sqlx::Error>>()?
        });
        rows.into_iter()
            .map(|(request_id, address, kind, physical_id, attributes, depends_on)| {
                Ok(DeployedResource {
                    request_id,
                    address,
                    kind,
                    physical_id,
                    attributes: serde_json::from_str(&attributes).map_err(corrupt)?,
                    depends_on: serde_json::from_str(&depends_on).map_err(corrupt)?,
                })
            })
            .collect()
    }

    /// Records (or replaces) one deployed resource.
    pub async fn record_deployed(&self, r: &DeployedResource) -> Result<(), StoreError> {
        let now = self.now_ms();
        let depends = serde_json::to_string(&r.depends_on).map_err(corrupt)?;
        on_pool!(self, p => {
            sqlx::query(
                "INSERT INTO deployed_resources (request_id, address, kind, physical_id, attributes, depends_on, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)
                 ON CONFLICT (request_id, address) DO UPDATE SET kind = $3, physical_id = $4, attributes = $5, depends_on = $6, updated_at = $7",
            )
            .bind(&r.request_id)
            .bind(&r.address)
            .bind(&r.kind)
            .bind(&r.physical_id)
            .bind(r.attributes.to_string())
            .bind(&depends)
            .bind(now)
            .execute(p)
            .await?;
        });
        Ok(())
    }

    /// Removes one deployed resource after it was deleted.
    pub async fn forget_deployed(&self, request_id: &str, address: &str) -> Result<(), StoreError> {
        on_pool!(self, p => {
            sqlx::query("DELETE FROM deployed_resources WHERE request_id = $1 AND address = $2")
                .bind(request_id)
                .bind(address)
                .execute(p)
                .await?;
        });
        Ok(())
    }
}
