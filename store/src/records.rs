//! The state of requests: the request itself, what paved understood, the plan versions, the
//! approvals, the deployments and their events, the resource inventory and IPAM allocations.
//!
//! Every change that is an event of a request's life appends its trail record in the same
//! transaction, so the trail cannot miss a step that happened or record one that did not.

use paved_core::canonical;
use paved_core::trail::{TrailEntry, kinds};
use paved_core::{Intent, Plan, Resource};
use serde_json::json;
use sqlx::Row;

use crate::db::{Db, Tx, on_pool, on_tx};
use crate::trail::canonical_text;
use crate::{StoreError, parse_request_id, request_id};

/// A request as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestRow {
    pub request_id: String,
    pub requester: String,
    pub channel: String,
    pub text: String,
    pub status: String,
    pub created_at_ms: i64,
}

/// One immutable plan version.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanVersion {
    pub request_id: String,
    pub version: i64,
    pub plan: Plan,
    pub plan_hash: String,
    pub created_by: String,
    pub reason: String,
}

/// An approver's decision on an escalated plan version.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApprovalDecision {
    Approve,
    Reject,
}

impl ApprovalDecision {
    pub fn as_str(self) -> &'static str {
        match self {
            ApprovalDecision::Approve => "approve",
            ApprovalDecision::Reject => "reject",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApprovalRow {
    pub approver: String,
    pub role: String,
    pub decision: String,
}

/// One resource of the inventory.
#[derive(Debug, Clone, PartialEq)]
pub struct InventoryItem {
    pub resource: Resource,
    pub environment: String,
    pub region: String,
    pub request_id: Option<String>,
    pub status: String,
}

/// One IPAM allocation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IpamRow {
    pub cidr: String,
    pub segment: String,
    pub owner: String,
    pub request_id: Option<String>,
}

impl Tx {
    /// Records a new request and returns its id (`req-10001`).
    pub async fn create_request(
        &mut self,
        requester: &str,
        channel: &str,
        text: &str,
    ) -> Result<String, StoreError> {
        let now = self.now_ms();
        let id: i64 = on_tx!(self, c => {
            sqlx::query(
                "INSERT INTO requests (requester, channel, text, status, created_at, updated_at)
                 VALUES ($1, $2, $3, 'received', $4, $4) RETURNING id",
            )
            .bind(requester)
            .bind(channel)
            .bind(text)
            .bind(now)
            .fetch_one(&mut *c)
            .await?
            .try_get("id")?
        });
        let rid = request_id(id);
        self.append(TrailEntry::new(
            requester,
            Some(&rid),
            kinds::REQUEST_RECEIVED,
            json!({"text": text, "channel": channel}),
        ))
        .await?;
        Ok(rid)
    }

    /// Moves a request to a new status (`planned`, `auditing`, `escalated`, `deploying`, ...).
    pub async fn set_request_status(
        &mut self,
        request_id: &str,
        status: &str,
    ) -> Result<(), StoreError> {
        let id = parse_request_id(request_id)?;
        let now = self.now_ms();
        let n = on_tx!(self, c => {
            sqlx::query("UPDATE requests SET status = $2, updated_at = $3 WHERE id = $1")
                .bind(id)
                .bind(status)
                .bind(now)
                .execute(&mut *c)
                .await?
                .rows_affected()
        });
        if n == 0 {
            return Err(StoreError::UnknownRequest(request_id.to_string()));
        }
        Ok(())
    }

    /// Stores what paved understood from the request as its next intent version.
    pub async fn save_intent(
        &mut self,
        actor: &str,
        request_id: &str,
        intent: &Intent,
    ) -> Result<i64, StoreError> {
        let id = parse_request_id(request_id)?;
        let now = self.now_ms();
        let text = canonical_text(intent);
        let version: i64 = on_tx!(self, c => {
            sqlx::query(
                "INSERT INTO intents (request_id, version, intent, created_at)
                 VALUES ($1, (SELECT COALESCE(MAX(version), 0) + 1 FROM intents WHERE request_id = $1), $2, $3)
                 RETURNING version",
            )
            .bind(id)
            .bind(&text)
            .bind(now)
            .fetch_one(&mut *c)
            .await?
            .try_get("version")?
        });
        self.append(TrailEntry::new(
            actor,
            Some(request_id),
            kinds::INTENT_UNDERSTOOD,
            json!({"version": version, "intent": intent}),
        ))
        .await?;
        Ok(version)
    }

    /// Stores a plan as the request's next version. Versions are never changed: a Modify is a
    /// new version, and approvals and verdicts of older versions stay with them.
    pub async fn add_plan_version(
        &mut self,
        actor: &str,
        request_id: &str,
        plan: &Plan,
        reason: &str,
    ) -> Result<PlanVersion, StoreError> {
        let id = parse_request_id(request_id)?;
        let now = self.now_ms();
        let plan_hash = canonical::plan_hash(plan);
        let version: i64 = on_tx!(self, c => {
            sqlx::query(
                "INSERT INTO plan_versions (request_id, version, plan, plan_hash, created_by, reason, created_at)
                 VALUES ($1, (SELECT COALESCE(MAX(version), 0) + 1 FROM plan_versions WHERE request_id = $1),
                         $2, $3, $4, $5, $6)
                 RETURNING version",
            )
            .bind(id)
            .bind(canonical_text(plan))
            .bind(&plan_hash)
            .bind(actor)
            .bind(reason)
            .bind(now)
            .fetch_one(&mut *c)
            .await?
            .try_get("version")?
        });
        self.append(TrailEntry::new(
            actor,
            Some(request_id),
            kinds::PLAN_PROPOSED,
            json!({"plan_version": version, "plan_hash": plan_hash, "reason": reason, "plan": plan}),
        ))
        .await?;
        Ok(PlanVersion {
            request_id: request_id.to_string(),
            version,
            plan: plan.clone(),
            plan_hash,
            created_by: actor.to_string(),
            reason: reason.to_string(),
        })
    }

    pub async fn plan_version(
        &mut self,
        request_id: &str,
        version: i64,
    ) -> Result<PlanVersion, StoreError> {
        let id = parse_request_id(request_id)?;
        let row = on_tx!(self, c => {
            match sqlx::query(
                "SELECT plan, plan_hash, created_by, reason FROM plan_versions WHERE request_id = $1 AND version = $2",
            )
            .bind(id)
            .bind(version)
            .fetch_optional(&mut *c)
            .await?
            {
                Some(row) => Some((
                    row.try_get::<String, _>("plan")?,
                    row.try_get::<String, _>("plan_hash")?,
                    row.try_get::<String, _>("created_by")?,
                    row.try_get::<String, _>("reason")?,
                )),
                None => None,
            }
        });
        let (plan, plan_hash, created_by, reason) =
            row.ok_or_else(|| StoreError::UnknownPlanVersion {
                request_id: request_id.to_string(),
                version,
            })?;
        let plan: Plan = serde_json::from_str(&plan).map_err(|e| {
            StoreError::Corrupt(format!("plan version {version} of {request_id}: {e}"))
        })?;
        Ok(PlanVersion {
            request_id: request_id.to_string(),
            version,
            plan,
            plan_hash,
            created_by,
            reason,
        })
    }

    /// Records an approver's decision; pressing twice changes nothing. Returns false for a repeat.
    pub async fn record_approval(
        &mut self,
        request_id: &str,
        plan_version: i64,
        approver: &str,
        role: &str,
        decision: ApprovalDecision,
    ) -> Result<bool, StoreError> {
        let id = parse_request_id(request_id)?;
        let now = self.now_ms();
        let n = on_tx!(self, c => {
            sqlx::query(
                "INSERT INTO approvals (request_id, plan_version, approver, role, decision, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (request_id, plan_version, approver, role) DO NOTHING",
            )
            .bind(id)
            .bind(plan_version)
            .bind(approver)
            .bind(role)
            .bind(decision.as_str())
            .bind(now)
            .execute(&mut *c)
            .await?
            .rows_affected()
        });
        if n > 0 {
            self.append(TrailEntry::new(
                approver,
                Some(request_id),
                kinds::APPROVAL_RECORDED,
                json!({"plan_version": plan_version, "approver": approver, "role": role, "decision": decision.as_str()}),
            ))
            .await?;
        }
        Ok(n > 0)
    }

    /// Starts the deployment of an approved plan version; starting it again returns the same id.
    pub async fn start_deployment(
        &mut self,
        actor: &str,
        request_id: &str,
        plan_version: i64,
    ) -> Result<i64, StoreError> {
        let id = parse_request_id(request_id)?;
        let now = self.now_ms();
        let inserted: Option<i64> = on_tx!(self, c => {
            match sqlx::query(
                "INSERT INTO deployments (request_id, plan_version, status, started_at) VALUES ($1, $2, 'running', $3)
                 ON CONFLICT (request_id, plan_version) DO NOTHING RETURNING id",
            )
            .bind(id)
            .bind(plan_version)
            .bind(now)
            .fetch_optional(&mut *c)
            .await?
            {
                Some(row) => Some(row.try_get("id")?),
                None => None,
            }
        });
        if let Some(deployment) = inserted {
            self.append(TrailEntry::new(
                actor,
                Some(request_id),
                kinds::DEPLOYMENT_STARTED,
                json!({"plan_version": plan_version, "deployment_id": deployment}),
            ))
            .await?;
            return Ok(deployment);
        }
        Ok(on_tx!(self, c => {
            sqlx::query("SELECT id FROM deployments WHERE request_id = $1 AND plan_version = $2")
                .bind(id)
                .bind(plan_version)
                .fetch_one(&mut *c)
                .await?
                .try_get("id")?
        }))
    }

    /// Records one resource's progress in a deployment.
    pub async fn add_deployment_event(
        &mut self,
        actor: &str,
        request_id: &str,
        deployment_id: i64,
        address: &str,
        status: &str,
        message: &str,
    ) -> Result<(), StoreError> {
        let now = self.now_ms();
        on_tx!(self, c => {
            sqlx::query(
                "INSERT INTO deployment_events (deployment_id, address, status, message, at) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(deployment_id)
            .bind(address)
            .bind(status)
            .bind(message)
            .bind(now)
            .execute(&mut *c)
            .await?;
        });
        self.append(TrailEntry::new(
            actor,
            Some(request_id),
            kinds::RESOURCE_CHANGED,
            json!({"deployment_id": deployment_id, "address": address, "status": status, "message": message}),
        ))
        .await?;
        Ok(())
    }

    pub async fn finish_deployment(
        &mut self,
        actor: &str,
        request_id: &str,
        deployment_id: i64,
        status: &str,
        summary: &serde_json::Value,
    ) -> Result<(), StoreError> {
        let now = self.now_ms();
        on_tx!(self, c => {
            sqlx::query("UPDATE deployments SET status = $2, finished_at = $3, summary = $4 WHERE id = $1")
                .bind(deployment_id)
                .bind(status)
                .bind(now)
                .bind(canonical_text(summary))
                .execute(&mut *c)
                .await?;
        });
        self.append(TrailEntry::new(
            actor,
            Some(request_id),
            kinds::DEPLOYMENT_COMPLETED,
            json!({"deployment_id": deployment_id, "status": status, "summary": summary}),
        ))
        .await?;
        Ok(())
    }

    /// Records a resource as it now exists (or its new status, e.g. `deleted`).
    pub async fn upsert_inventory(&mut self, item: &InventoryItem) -> Result<(), StoreError> {
        let now = self.now_ms();
        let request = item
            .request_id
            .as_deref()
            .map(parse_request_id)
            .transpose()?;
        on_tx!(self, c => {
            sqlx::query(
                "INSERT INTO inventory (address, environment, region, request_id, resource, status, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)
                 ON CONFLICT (address) DO UPDATE SET environment = excluded.environment, region = excluded.region,
                     request_id = excluded.request_id, resource = excluded.resource, status = excluded.status,
                     updated_at = excluded.updated_at",
            )
            .bind(&item.resource.address)
            .bind(&item.environment)
            .bind(&item.region)
            .bind(request)
            .bind(canonical_text(&item.resource))
            .bind(&item.status)
            .bind(now)
            .execute(&mut *c)
            .await?;
        });
        Ok(())
    }

    /// Allocates a CIDR block; returns false when it is already allocated (to anyone).
    pub async fn allocate_cidr(&mut self, row: &IpamRow) -> Result<bool, StoreError> {
        let now = self.now_ms();
        let request = row
            .request_id
            .as_deref()
            .map(parse_request_id)
            .transpose()?;
        let n = on_tx!(self, c => {
            sqlx::query(
                "INSERT INTO ipam_allocations (cidr, segment, owner, request_id, created_at) VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (cidr) DO NOTHING",
            )
            .bind(&row.cidr)
            .bind(&row.segment)
            .bind(&row.owner)
            .bind(request)
            .bind(now)
            .execute(&mut *c)
            .await?
            .rows_affected()
        });
        Ok(n > 0)
    }
}

impl Db {
    pub async fn request(&self, request_id: &str) -> Result<RequestRow, StoreError> {
        let id = parse_request_id(request_id)?;
        on_pool!(self, p => {
            let row = sqlx::query("SELECT requester, channel, text, status, created_at FROM requests WHERE id = $1")
                .bind(id)
                .fetch_optional(p)
                .await?
                .ok_or_else(|| StoreError::UnknownRequest(request_id.to_string()))?;
            Ok(RequestRow {
                request_id: request_id.to_string(),
                requester: row.try_get("requester")?,
                channel: row.try_get("channel")?,
                text: row.try_get("text")?,
                status: row.try_get("status")?,
                created_at_ms: row.try_get("created_at")?,
            })
        })
    }

    /// The latest intent version of a request.
    pub async fn latest_intent(
        &self,
        request_id: &str,
    ) -> Result<Option<(i64, Intent)>, StoreError> {
        let id = parse_request_id(request_id)?;
        let row: Option<(i64, String)> = on_pool!(self, p => {
            match sqlx::query("SELECT version, intent FROM intents WHERE request_id = $1 ORDER BY version DESC LIMIT 1")
                .bind(id)
                .fetch_optional(p)
                .await?
            {
                Some(row) => Some((row.try_get("version")?, row.try_get("intent")?)),
                None => None,
            }
        });
        row.map(|(v, text)| {
            serde_json::from_str(&text)
                .map(|intent| (v, intent))
                .map_err(|e| StoreError::Corrupt(format!("intent {v} of {request_id}: {e}")))
        })
        .transpose()
    }

    pub async fn plan_version(
        &self,
        request_id: &str,
        version: i64,
    ) -> Result<PlanVersion, StoreError> {
        let mut tx = self.begin_read().await?;
        let out = tx.plan_version(request_id, version).await;
        tx.rollback().await?;
        out
    }

    /// The newest plan version of a request, if it has one.
    pub async fn latest_plan_version(
        &self,
        request_id: &str,
    ) -> Result<Option<PlanVersion>, StoreError> {
        let id = parse_request_id(request_id)?;
        let version: Option<i64> = on_pool!(self, p => {
            sqlx::query("SELECT MAX(version) AS v FROM plan_versions WHERE request_id = $1")
                .bind(id)
                .fetch_one(p)
                .await?
                .try_get("v")?
        });
        match version {
            Some(v) => Ok(Some(self.plan_version(request_id, v).await?)),
            None => Ok(None),
        }
    }

    pub async fn approvals(
        &self,
        request_id: &str,
        plan_version: i64,
    ) -> Result<Vec<ApprovalRow>, StoreError> {
        let id = parse_request_id(request_id)?;
        on_pool!(self, p => {
            let mut out = Vec::new();
            for row in sqlx::query(
                "SELECT approver, role, decision FROM approvals WHERE request_id = $1 AND plan_version = $2 ORDER BY id",
            )
            .bind(id)
            .bind(plan_version)
            .fetch_all(p)
            .await?
            {
                out.push(ApprovalRow {
                    approver: row.try_get("approver")?,
                    role: row.try_get("role")?,
                    decision: row.try_get("decision")?,
                });
            }
            Ok(out)
        })
    }

    /// The events of a deployment in order: (address, status, message).
    pub async fn deployment_events(
        &self,
        deployment_id: i64,
    ) -> Result<Vec<(String, String, String)>, StoreError> {
        on_pool!(self, p => {
            let mut out = Vec::new();
            for row in sqlx::query("SELECT address, status, message FROM deployment_events WHERE deployment_id = $1 ORDER BY id")
                .bind(deployment_id)
                .fetch_all(p)
                .await?
            {
                out.push((row.try_get("address")?, row.try_get("status")?, row.try_get("message")?));
            }
            Ok(out)
        })
    }

    /// Every resource in the inventory, by address.
    pub async fn inventory(&self) -> Result<Vec<InventoryItem>, StoreError> {
        let rows: Vec<(String, String, Option<i64>, String, String)> = on_pool!(self, p => {
            let mut out = Vec::new();
            for row in sqlx::query("SELECT environment, region, request_id, resource, status FROM inventory ORDER BY address")
                .fetch_all(p)
                .await?
            {
                out.push((
                    row.try_get("environment")?,
                    row.try_get("region")?,
                    row.try_get("request_id")?,
                    row.try_get("resource")?,
                    row.try_get("status")?,
                ));
            }
            out
        });
        rows.into_iter()
            .map(|(environment, region, request, resource, status)| {
                let resource: Resource = serde_json::from_str(&resource)
                    .map_err(|e| StoreError::Corrupt(format!("inventory resource: {e}")))?;
                Ok(InventoryItem {
                    resource,
                    environment,
                    region,
                    request_id: request.map(request_id),
                    status,
                })
            })
            .collect()
    }

    pub async fn ipam_allocations(&self) -> Result<Vec<IpamRow>, StoreError> {
        on_pool!(self, p => {
            let mut out = Vec::new();
            for row in sqlx::query("SELECT cidr, segment, owner, request_id FROM ipam_allocations ORDER BY cidr")
                .fetch_all(p)
                .await?
            {
                out.push(IpamRow {
                    cidr: row.try_get("cidr")?,
                    segment: row.try_get("segment")?,
                    owner: row.try_get("owner")?,
                    request_id: row.try_get::<Option<i64>, _>("request_id")?.map(request_id),
                });
            }
            Ok(out)
        })
    }
}
