//! The durable message queue, kept in the `queue` table.
//!
//! Delivery is at-least-once: a consumer claims a message with a lease (visibility timeout); if it
//! crashes, the lease expires and the message is delivered again. Each delivery increments
//! `attempts`, which is also the lease's fencing token: completing or failing a message only works
//! with the attempt number it was claimed with, so a consumer whose lease was handed to another
//! cannot complete it twice. Failures are retried with exponential backoff and dead-lettered after
//! `max_attempts`; a message that keeps crashing its consumer is dead-lettered when its last lease
//! expires. Producers enqueue inside their own transaction (the transactional outbox), so a state
//! change and the message it causes commit together.

use std::time::Duration;

use paved_core::message::{Message, MessageError};
use sqlx::Row;

use crate::StoreError;
use crate::db::{Db, Tx, duration_ms, on_pool, on_tx};

/// How messages are retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Deliveries before a message is dead-lettered.
    pub max_attempts: i64,
    /// The wait before the first retry; each later retry waits twice as long.
    pub backoff_base: Duration,
    /// The longest wait between two attempts.
    pub backoff_max: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 5,
            backoff_base: Duration::from_secs(1),
            backoff_max: Duration::from_secs(300),
        }
    }
}

impl RetryPolicy {
    /// The wait after failed attempt number `attempt` (1-based).
    pub fn backoff(&self, attempt: i64) -> Duration {
        let exponent = u32::try_from(attempt.saturating_sub(1).clamp(0, 30)).unwrap_or(30);
        self.backoff_base
            .saturating_mul(1u32 << exponent)
            .min(self.backoff_max)
    }
}

/// One delivery of a message to a consumer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub id: i64,
    pub topic: String,
    pub kind: String,
    pub payload: String,
    /// 1 for the first delivery; the lease's fencing token.
    pub attempt: i64,
    pub max_attempts: i64,
}

impl Delivery {
    /// Reads the message; an unknown kind or a payload that does not fit is an error the
    /// consumer dead-letters.
    pub fn decode(&self) -> Result<Message, MessageError> {
        Message::decode(&self.kind, &self.payload)
    }
}

/// What became of a failed delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    /// It will be delivered again at this time (ms since the epoch).
    At(i64),
    /// It used its last attempt and is now dead-lettered.
    DeadLettered,
}

/// How many messages of a topic are in each state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct QueueCounts {
    pub ready: i64,
    pub leased: i64,
    pub done: i64,
    pub dead: i64,
}

/// A message that will not be delivered again, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadLetter {
    pub id: i64,
    pub kind: String,
    pub attempts: i64,
    pub reason: String,
}

const NOTIFY_PREFIX: &str = "paved_queue_";

impl Tx {
    /// Enqueues a message as part of this transaction, with the default retry policy. Returns
    /// false when a message with the same effect (its dedup key) was already enqueued.
    pub async fn enqueue(&mut self, message: &Message) -> Result<bool, StoreError> {
        self.enqueue_raw(
            message.topic(),
            message.kind(),
            &message.payload(),
            message.dedup_key().as_deref(),
            RetryPolicy::default().max_attempts,
        )
        .await
    }

    /// Enqueues any kind and payload: for producers of kinds this crate does not know, and for
    /// tests of how consumers treat them.
    pub async fn enqueue_raw(
        &mut self,
        topic: &str,
        kind: &str,
        payload: &str,
        dedup_key: Option<&str>,
        max_attempts: i64,
    ) -> Result<bool, StoreError> {
        let now = self.now_ms();
        let postgres = self.is_postgres();
        // No RETURNING: on PostgreSQL the audit role may insert verdict messages but not read
        // them back.
        let inserted = on_tx!(self, c => {
            sqlx::query(
                "INSERT INTO queue (topic, kind, payload, dedup_key, status, attempts, max_attempts, available_at, created_at)
                 VALUES ($1, $2, $3, $4, 'ready', 0, $5, $6, $6)
                 ON CONFLICT (dedup_key) DO NOTHING",
            )
            .bind(topic)
            .bind(kind)
            .bind(payload)
            .bind(dedup_key)
            .bind(max_attempts.max(1))
            .bind(now)
            .execute(&mut *c)
            .await?
            .rows_affected()
        });
        if inserted > 0 && postgres {
            // Delivered when the transaction commits, and only then: the wake-up never runs
            // ahead of the message.
            on_tx!(self, c => {
                sqlx::query("SELECT pg_notify($1, '')")
                    .bind(format!("{NOTIFY_PREFIX}{topic}"))
                    .execute(&mut *c)
                    .await?;
            });
        }
        Ok(inserted > 0)
    }

    /// Enqueues a message already leased to the caller, as part of this transaction: the outbox
    /// of a producer that handles the message itself right after the commit (a chat card shown
    /// at once) and leaves it to any consumer of `topic` only if it has not completed it when
    /// `lease` runs out (it crashed in between, or handling failed).
    pub async fn enqueue_leased(
        &mut self,
        topic: &str,
        kind: &str,
        payload: &str,
        lease: Duration,
    ) -> Result<Delivery, StoreError> {
        let now = self.now_ms();
        let until = now.saturating_add(duration_ms(lease));
        let max_attempts = RetryPolicy::default().max_attempts;
        let id: i64 = on_tx!(self, c => {
            sqlx::query(
                "INSERT INTO queue (topic, kind, payload, status, attempts, max_attempts, available_at, leased_until, created_at)
                 VALUES ($1, $2, $3, 'leased', 1, $4, $5, $6, $5)
                 RETURNING id",
            )
            .bind(topic)
            .bind(kind)
            .bind(payload)
            .bind(max_attempts)
            .bind(now)
            .bind(until)
            .fetch_one(&mut *c)
            .await?
            .try_get("id")?
        });
        Ok(Delivery {
            id,
            topic: topic.to_string(),
            kind: kind.to_string(),
            payload: payload.to_string(),
            attempt: 1,
            max_attempts,
        })
    }

    /// Marks a delivery done as part of this transaction, so that the effects of handling it and
    /// its completion commit together. Fails with `LeaseLost` when the lease expired and the
    /// message was delivered to someone else: the caller must then roll back.
    pub async fn complete(&mut self, delivery: &Delivery) -> Result<(), StoreError> {
        let now = self.now_ms();
        let updated = on_tx!(self, c => {
            sqlx::query(
                "UPDATE queue SET status = 'done', finished_at = $3, leased_until = NULL
                 WHERE id = $1 AND attempts = $2 AND status = 'leased'",
            )
            .bind(delivery.id)
            .bind(delivery.attempt)
            .bind(now)
            .execute(&mut *c)
            .await?
            .rows_affected()
        });
        if updated == 1 {
            Ok(())
        } else {
            Err(StoreError::LeaseLost {
                id: delivery.id,
                attempt: delivery.attempt,
            })
        }
    }
}

impl Db {
    /// Claims the oldest deliverable message of `topic` for `lease`. Messages whose last lease
    /// expired after their last allowed attempt are dead-lettered on the way.
    pub async fn claim(
        &self,
        topic: &str,
        lease: Duration,
    ) -> Result<Option<Delivery>, StoreError> {
        let now = self.now_ms();
        let until = now.saturating_add(duration_ms(lease));
        let mut tx = self.begin().await?;
        on_tx!(tx, c => {
            sqlx::query(
                "UPDATE queue SET status = 'dead', finished_at = $2, leased_until = NULL,
                     last_error = 'its last lease expired: the consumer crashed or hung on it on every attempt'
                 WHERE topic = $1 AND status = 'leased' AND leased_until <= $2 AND attempts >= max_attempts",
            )
            .bind(topic)
            .bind(now)
            .execute(&mut *c)
            .await?;
        });
        let claim_sql = if tx.is_postgres() {
            "UPDATE queue SET status = 'leased', attempts = attempts + 1, leased_until = $3
             WHERE id = (
                 SELECT id FROM queue
                 WHERE topic = $1 AND ((status = 'ready' AND available_at <= $2)
                                       OR (status = 'leased' AND leased_until <= $2))
                 ORDER BY id LIMIT 1
                 FOR UPDATE SKIP LOCKED)
             RETURNING id, topic, kind, payload, attempts, max_attempts"
        } else {
            // SQLite has one writer at a time (the transaction began IMMEDIATE), so the plain
            // sub-select cannot race.
            "UPDATE queue SET status = 'leased', attempts = attempts + 1, leased_until = $3
             WHERE id = (
                 SELECT id FROM queue
                 WHERE topic = $1 AND ((status = 'ready' AND available_at <= $2)
                                       OR (status = 'leased' AND leased_until <= $2))
                 ORDER BY id LIMIT 1)
             RETURNING id, topic, kind, payload, attempts, max_attempts"
        };
        let delivery = on_tx!(tx, c => {
            match sqlx::query(claim_sql).bind(topic).bind(now).bind(until).fetch_optional(&mut *c).await? {
                Some(row) => Some(Delivery {
                    id: row.try_get("id")?,
                    topic: row.try_get("topic")?,
                    kind: row.try_get("kind")?,
                    payload: row.try_get("payload")?,
                    attempt: row.try_get("attempts")?,
                    max_attempts: row.try_get("max_attempts")?,
                }),
                None => None,
            }
        });
        tx.commit().await?;
        Ok(delivery)
    }

    /// Completes a delivery that had no other effect.
    pub async fn complete(&self, delivery: &Delivery) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        tx.complete(delivery).await?;
        tx.commit().await
    }

    /// Records a failed attempt: the message is retried after the policy's backoff, or
    /// dead-lettered when that was its last attempt.
    pub async fn fail(
        &self,
        delivery: &Delivery,
        error: &str,
        policy: &RetryPolicy,
    ) -> Result<Retry, StoreError> {
        let now = self.now_ms();
        let outcome = if delivery.attempt >= delivery.max_attempts {
            Retry::DeadLettered
        } else {
            Retry::At(now.saturating_add(duration_ms(policy.backoff(delivery.attempt))))
        };
        let (status, available_at, finished_at) = match outcome {
            Retry::DeadLettered => ("dead", now, Some(now)),
            Retry::At(at) => ("ready", at, None),
        };
        let updated = on_pool!(self, p => {
            sqlx::query(
                "UPDATE queue SET status = $3, available_at = $4, finished_at = $5, leased_until = NULL, last_error = $6
                 WHERE id = $1 AND attempts = $2 AND status = 'leased'",
            )
            .bind(delivery.id)
            .bind(delivery.attempt)
            .bind(status)
            .bind(available_at)
            .bind(finished_at)
            .bind(error)
            .execute(p)
            .await?
            .rows_affected()
        });
        if updated == 1 {
            Ok(outcome)
        } else {
            Err(StoreError::LeaseLost {
                id: delivery.id,
                attempt: delivery.attempt,
            })
        }
    }

    /// Dead-letters a delivery at once: for messages no retry can help (an unknown kind, a
    /// malformed payload, a verdict that fails verification).
    pub async fn dead_letter(&self, delivery: &Delivery, reason: &str) -> Result<(), StoreError> {
        let now = self.now_ms();
        let updated = on_pool!(self, p => {
            sqlx::query(
                "UPDATE queue SET status = 'dead', finished_at = $3, leased_until = NULL, last_error = $4
                 WHERE id = $1 AND attempts = $2 AND status = 'leased'",
            )
            .bind(delivery.id)
            .bind(delivery.attempt)
            .bind(now)
            .bind(reason)
            .execute(p)
            .await?
            .rows_affected()
        });
        if updated == 1 {
            Ok(())
        } else {
            Err(StoreError::LeaseLost {
                id: delivery.id,
                attempt: delivery.attempt,
            })
        }
    }

    pub async fn queue_counts(&self, topic: &str) -> Result<QueueCounts, StoreError> {
        let rows = on_pool!(self, p => {
            let mut out = Vec::new();
            for row in sqlx::query("SELECT status, COUNT(*) AS n FROM queue WHERE topic = $1 GROUP BY status")
                .bind(topic)
                .fetch_all(p)
                .await?
            {
                out.push((row.try_get::<String, _>("status")?, row.try_get::<i64, _>("n")?));
            }
            out
        });
        let mut counts = QueueCounts::default();
        for (status, n) in rows {
            match status.as_str() {
                "ready" => counts.ready = n,
                "leased" => counts.leased = n,
                "done" => counts.done = n,
                "dead" => counts.dead = n,
                _ => {}
            }
        }
        Ok(counts)
    }

    pub async fn dead_letters(&self, topic: &str) -> Result<Vec<DeadLetter>, StoreError> {
        Ok(on_pool!(self, p => {
            let mut out = Vec::new();
            for row in sqlx::query(
                "SELECT id, kind, attempts, last_error FROM queue WHERE topic = $1 AND status = 'dead' ORDER BY id",
            )
            .bind(topic)
            .fetch_all(p)
            .await?
            {
                out.push(DeadLetter {
                    id: row.try_get("id")?,
                    kind: row.try_get("kind")?,
                    attempts: row.try_get("attempts")?,
                    reason: row.try_get::<Option<String>, _>("last_error")?.unwrap_or_default(),
                });
            }
            out
        }))
    }

    /// A way to wait for new messages of `topic`: LISTEN/NOTIFY on PostgreSQL, polling on SQLite.
    pub async fn waiter(&self, topic: &str) -> Result<Waiter, StoreError> {
        let listener = match self.pg_pool() {
            Some(pool) => {
                let mut listener = sqlx::postgres::PgListener::connect_with(pool).await?;
                listener.listen(&format!("{NOTIFY_PREFIX}{topic}")).await?;
                Some(listener)
            }
            None => None,
        };
        Ok(Waiter {
            listener,
            idle_polls: 0,
        })
    }
}

/// Waits for work between claims. A wake-up is only a hint: the consumer always claims, and when
/// the hint is lost (a dropped LISTEN connection, SQLite), polling finds the message anyway.
pub struct Waiter {
    listener: Option<sqlx::postgres::PgListener>,
    idle_polls: u32,
}

impl Waiter {
    /// The longest a consumer waits before it claims again, notification or not.
    pub const POLL_FALLBACK: Duration = Duration::from_millis(500);

    /// Call after a claim that found work.
    pub fn found_work(&mut self) {
        self.idle_polls = 0;
    }

    /// Waits until a message may be ready: a notification, or the polling interval.
    pub async fn wait(&mut self) {
        match &mut self.listener {
            Some(listener) => {
                // `try_recv` returns None when the connection dropped; it reconnects on the next
                // call, and the timeout bounds the wait either way.
                let _ = tokio::time::timeout(Self::POLL_FALLBACK, listener.try_recv()).await;
            }
            None => {
                // SQLite has no notifications: poll quickly while work is flowing, and back off
                // to a cheap rate when idle.
                let ms = (2u64 << self.idle_polls.min(5)).min(50);
                self.idle_polls = self.idle_polls.saturating_add(1);
                tokio::time::sleep(Duration::from_millis(ms)).await;
            }
        }
    }
}
