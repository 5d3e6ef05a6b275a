//! Applying a plan's resource DAG, rolling it back, and checking what exists against the plan.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

use paved_core::message::{ProgressStatus, ProgressV1};
use paved_core::{Plan, Resource, ResourceAction};
use serde_json::Value;
use tokio::sync::mpsc::UnboundedSender;
use tokio::task::JoinSet;

use crate::authorise::Refusal;
use crate::ledger::{Ledger, LedgerError};
use crate::provider::{DeployContext, InventoryItem, Provider, ProviderError};

/// How a deployment or rollback ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    Completed,
    /// Stopped at the first failure; what was created stays recorded for rollback.
    Failed { address: String, error: String },
}

/// What a deployment did.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub outcome: Outcome,
    /// Addresses applied by this run, in completion order.
    pub applied: Vec<String>,
    /// Addresses found already applied (a resumed deployment) and left alone.
    pub already_done: Vec<String>,
    pub wall_time: Duration,
}

#[derive(Debug, thiserror::Error)]
pub enum ExecuteError {
    #[error(transparent)]
    Refused(#[from] Refusal),
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    #[error("the plan is not a valid DAG: {0}")]
    Plan(#[from] paved_core::PlanError),
}

/// Runs plans on one provider, recording into one ledger, reporting progress on a channel.
pub struct Executor<P: Provider, L: Ledger> {
    provider: Arc<P>,
    ledger: Arc<L>,
    progress: Option<UnboundedSender<ProgressV1>>,
    /// Attempts per resource for transient provider errors.
    attempts: u32,
    /// Pause before the first retry; doubles with each further one.
    backoff: Duration,
}

impl<P: Provider, L: Ledger> Executor<P, L> {
    pub fn new(provider: Arc<P>, ledger: Arc<L>) -> Self {
        Executor { provider, ledger, progress: None, attempts: 3, backoff: Duration::from_millis(200) }
    }

    /// Sends every progress event to `tx` as well as to the ledger.
    pub fn with_progress(mut self, tx: UnboundedSender<ProgressV1>) -> Self {
        self.progress = Some(tx);
        self
    }

    pub fn with_retries(mut self, attempts: u32, backoff: Duration) -> Self {
        self.attempts = attempts.max(1);
        self.backoff = backoff;
        self
    }

    pub fn provider(&self) -> &P {
        &self.provider
    }

    /// Refuses a plan with a resource type the provider cannot create, before anything starts.
    pub fn check_supported(&self, plan: &Plan) -> Result<(), Refusal> {
        let unsupported: BTreeSet<&str> = plan
            .resources
            .iter()
            .filter(|r| r.action != ResourceAction::Delete && !self.provider.supports(&r.kind))
            .map(|r| r.kind.as_str())
            .collect();
        if unsupported.is_empty() {
            Ok(())
        } else {
            Err(Refusal::Unsupported(unsupported.into_iter().collect::<Vec<_>>().join(", ")))
        }
    }

    /// Applies an authorised plan (see [`crate::authorise`]): each resource as soon as everything
    /// it depends on is done, as many at once as the DAG allows. Resources the ledger already
    /// records for this request are not applied again, so re-running a half-done deployment
    /// finishes it without creating anything twice. Stops at the first permanent failure.
    pub async fn deploy(&self, ctx: &DeployContext, plan: &Plan) -> Result<Report, ExecuteError> {
        let started = Instant::now();
        plan.validate()?;
        self.check_supported(plan)?;
        let n = plan.resources.len();
        let index: BTreeMap<&str, usize> =
            plan.resources.iter().enumerate().map(|(i, r)| (r.address.as_str(), i)).collect();
        let mut waiting_on = vec![0usize; n];
        let mut dependants: Vec<Vec<usize>> = vec![Vec::new(); n];
        for (i, r) in plan.resources.iter().enumerate() {
            for d in &r.depends_on {
                let j = index[d.as_str()];
                waiting_on[i] += 1;
                dependants[j].push(i);
            }
        }

        let mut already_done = Vec::new();
        let mut done = vec![false; n];
        for (i, r) in plan.resources.iter().enumerate() {
            if let Some(item) = self.ledger.recorded(&ctx.request_id, &r.address).await? {
                // Recorded under this plan already: a resumed deployment skips it.
                if item.attributes.get("paved:plan-hash").and_then(Value::as_str) == Some(ctx.plan_hash.as_str())
                    && r.action != ResourceAction::Delete
                {
                    done[i] = true;
                    already_done.push(r.address.clone());
                }
            }
        }
        for (i, r) in plan.resources.iter().enumerate() {
            if !done[i] {
                self.emit(ctx, &r.address, ProgressStatus::Pending, "waiting for its dependencies").await?;
            }
        }
        // Skipped resources release their dependants straight away.
        for i in 0..n {
            if done[i] {
                for &k in &dependants[i] {
                    waiting_on[k] -= 1;
                }
            }
        }

        let mut running = JoinSet::new();
        let mut ready: Vec<usize> = (0..n).filter(|&i| !done[i] && waiting_on[i] == 0).collect();
        let mut applied = Vec::new();
        let mut failure: Option<(String, String)> = None;
        loop {
            if failure.is_none() {
                for i in ready.drain(..) {
                    let resource = plan.resources[i].clone();
                    let status = match resource.action {
                        ResourceAction::Create => ProgressStatus::Creating,
                        ResourceAction::Update => ProgressStatus::Updating,
                        ResourceAction::Replace => ProgressStatus::Replacing,
                        ResourceAction::Delete => ProgressStatus::Deleting,
                    };
                    self.emit(ctx, &resource.address, status, &resource.why).await?;
                    let provider = Arc::clone(&self.provider);
                    let ledger = Arc::clone(&self.ledger);
                    let ctx = ctx.clone();
                    let (attempts, backoff) = (self.attempts, self.backoff);
                    running.spawn(async move {
                        let result = apply_one(&*provider, &*ledger, &ctx, &resource, attempts, backoff).await;
                        (i, result)
                    });
                }
            }
            let Some(joined) = running.join_next().await else { break };
            let (i, result) = match joined {
                Ok(pair) => pair,
                Err(e) => {
                    failure.get_or_insert(("(executor)".into(), format!("a resource task stopped unexpectedly: {e}")));
                    continue;
                }
            };
            let address = plan.resources[i].address.clone();
            match result {
                Ok(()) => {
                    self.emit(ctx, &address, ProgressStatus::Done, "done").await?;
                    applied.push(address);
                    for &k in &dependants[i] {
                        waiting_on[k] -= 1;
                        if waiting_on[k] == 0 {
                            ready.push(k);
                        }
                    }
                }
                Err(e) => {
                    self.emit(ctx, &address, ProgressStatus::Failed, &e.to_string()).await?;
                    failure.get_or_insert((address, e.to_string()));
                }
            }
        }
        let outcome = match failure {
            None => Outcome::Completed,
            Some((address, error)) => Outcome::Failed { address, error },
        };
        Ok(Report { outcome, applied, already_done, wall_time: started.elapsed() })
    }

    /// Deletes everything the ledger records for a request, dependants before what they depend
    /// on, in parallel where the dependencies allow. Returns the addresses deleted.
    pub async fn rollback(&self, ctx: &DeployContext) -> Result<(Outcome, Vec<String>), ExecuteError> {
        let items = self.ledger.inventory(&ctx.request_id).await?;
        let present: BTreeSet<&str> = items.iter().map(|i| i.address.as_str()).collect();
        // An item may be deleted once nothing that depends on it remains.
        let mut blockers: BTreeMap<&str, usize> = items.iter().map(|i| (i.address.as_str(), 0)).collect();
        for item in &items {
            for d in item.depends_on.iter().filter(|d| present.contains(d.as_str())) {
                *blockers.entry(d.as_str()).or_default() += 1;
            }
        }
        let by_address: BTreeMap<&str, &InventoryItem> = items.iter().map(|i| (i.address.as_str(), i)).collect();
        let mut ready: Vec<&str> = blockers.iter().filter(|(_, n)| **n == 0).map(|(a, _)| *a).collect();
        let mut running = JoinSet::new();
        let mut deleted = Vec::new();
        let mut failure = None;
        loop {
            if failure.is_none() {
                for address in ready.drain(..) {
                    let item = by_address[address].clone();
                    self.emit(ctx, &item.address, ProgressStatus::Deleting, "rolling back").await?;
                    let provider = Arc::clone(&self.provider);
                    let ledger = Arc::clone(&self.ledger);
                    let ctx = ctx.clone();
                    let (attempts, backoff) = (self.attempts, self.backoff);
                    running.spawn(async move {
                        let r = retry(attempts, backoff, || provider.delete(&ctx, &item)).await;
                        let r = match r {
                            Ok(()) => ledger.forget(&ctx.request_id, &item.address).await.map_err(|e| ProviderError::permanent(e.to_string())),
                            Err(e) => Err(e),
                        };
                        (item, r)
                    });
                }
            }
            let Some(joined) = running.join_next().await else { break };
            let Ok((item, result)) = joined else {
                failure.get_or_insert(("(executor)".to_string(), "a rollback task stopped unexpectedly".to_string()));
                continue;
            };
            match result {
                Ok(()) => {
                    self.emit(ctx, &item.address, ProgressStatus::RolledBack, "deleted").await?;
                    for d in item.depends_on.iter().filter(|d| present.contains(d.as_str())) {
                        if let Some((addr, n)) = blockers.iter_mut().find(|(a, _)| **a == d.as_str()) {
                            *n -= 1;
                            if *n == 0 {
                                ready.push(addr);
                            }
                        }
                    }
                    deleted.push(item.address);
                }
                Err(e) => {
                    self.emit(ctx, &item.address, ProgressStatus::Failed, &e.to_string()).await?;
                    failure.get_or_insert((item.address, e.to_string()));
                }
            }
        }
        let outcome = match failure {
            None => Outcome::Completed,
            Some((address, error)) => Outcome::Failed { address, error },
        };
        Ok((outcome, deleted))
    }

    /// Reads back every recorded resource of a request and compares it with the plan.
    pub async fn verify(&self, ctx: &DeployContext, plan: &Plan) -> Result<Vec<Drift>, ExecuteError> {
        let mut drift = Vec::new();
        for resource in plan.resources.iter().filter(|r| r.action != ResourceAction::Delete) {
            let Some(item) = self.ledger.recorded(&ctx.request_id, &resource.address).await? else {
                drift.push(Drift { address: resource.address.clone(), attribute: None, expected: "created".into(), actual: "not in the inventory".into() });
                continue;
            };
            match self.provider.describe(ctx, &item).await {
                Ok(Some(actual)) => drift.extend(compare(resource, &actual)),
                Ok(None) => drift.push(Drift { address: resource.address.clone(), attribute: None, expected: "exists".into(), actual: "missing in the cloud".into() }),
                Err(e) => drift.push(Drift { address: resource.address.clone(), attribute: None, expected: "readable".into(), actual: e.to_string() }),
            }
        }
        Ok(drift)
    }

    async fn emit(&self, ctx: &DeployContext, address: &str, status: ProgressStatus, message: &str) -> Result<(), LedgerError> {
        let event = ProgressV1 { request_id: ctx.request_id.clone(), address: address.to_string(), status, message: message.to_string() };
        self.ledger.progress(&event).await?;
        if let Some(tx) = &self.progress {
            // A closed receiver only means nobody is watching any more.
            let _ = tx.send(event);
        }
        Ok(())
    }
}

/// A difference between the approved plan and what exists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Drift {
    pub address: String,
    pub attribute: Option<String>,
    pub expected: String,
    pub actual: String,
}

/// Compares the plan's values with what the provider read back, for the attributes it reports.
fn compare(resource: &Resource, actual: &serde_json::Map<String, Value>) -> Vec<Drift> {
    resource
        .values
        .iter()
        .filter_map(|(k, want)| {
            let got = actual.get(k)?;
            (!matches(want, got)).then(|| Drift {
                address: resource.address.clone(),
                attribute: Some(k.clone()),
                expected: want.to_string(),
                actual: got.to_string(),
            })
        })
        .collect()
}

/// True when what exists has every value the plan asked for. Objects may hold more keys than
/// planned (the provider adds paved's own tags, the cloud adds defaults).
fn matches(want: &Value, got: &Value) -> bool {
    match (want, got) {
        (Value::Object(w), Value::Object(g)) => w.iter().all(|(k, v)| g.get(k).is_some_and(|gv| matches(v, gv))),
        _ => want == got,
    }
}

async fn apply_one<P: Provider, L: Ledger>(
    provider: &P,
    ledger: &L,
    ctx: &DeployContext,
    resource: &Resource,
    attempts: u32,
    backoff: Duration,
) -> Result<(), ProviderError> {
    // What an earlier request created is recorded under that request: a delete or update of it
    // (a rollback, a change to a service) finds it through the resource's request tag.
    let owner = owning_request(resource).unwrap_or(&ctx.request_id);
    let existing = ledger.recorded(owner, &resource.address).await.map_err(|e| ProviderError::permanent(e.to_string()))?;
    if resource.action == ResourceAction::Delete {
        if let Some(item) = &existing {
            retry(attempts, backoff, || provider.delete(ctx, item)).await?;
            ledger.forget(owner, &resource.address).await.map_err(|e| ProviderError::permanent(e.to_string()))?;
        }
        return Ok(());
    }
    let applied = retry(attempts, backoff, || provider.apply(ctx, resource, existing.as_ref())).await?;
    let mut attributes = applied.attributes;
    attributes.insert("paved:plan-hash".into(), Value::String(ctx.plan_hash.clone()));
    let item = InventoryItem {
        request_id: ctx.request_id.clone(),
        address: resource.address.clone(),
        kind: resource.kind.clone(),
        physical_id: applied.physical_id,
        attributes,
        depends_on: resource.depends_on.clone(),
    };
    ledger.record(&item).await.map_err(|e| ProviderError::permanent(e.to_string()))
}

/// The request that created a resource, from its tags (`paved:request-id`, or `paved:request` as
/// the planner's change plans name it).
fn owning_request(resource: &Resource) -> Option<&str> {
    let tags = resource.values.get("tags")?;
    tags.get("paved:request-id").or_else(|| tags.get("paved:request")).and_then(Value::as_str)
}

/// Retries transient provider errors with exponential backoff.
async fn retry<T, F, Fut>(attempts: u32, backoff: Duration, mut call: F) -> Result<T, ProviderError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, ProviderError>>,
{
    let mut pause = backoff;
    let mut attempt = 1;
    loop {
        match call().await {
            Err(e) if e.transient && attempt < attempts => {
                tokio::time::sleep(pause).await;
                pause *= 2;
                attempt += 1;
            }
            other => return other,
        }
    }
}
