//! The narrow seam between paved and a cloud: a provider creates, changes, deletes and reads
//! one resource at a time. Scheduling, retries of whole deployments, progress and the inventory
//! are the executor's; a provider knows only its cloud's API.

use std::future::Future;

use paved_core::Resource;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Who and what a deployment is for; providers tag what they create with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeployContext {
    pub request_id: String,
    pub plan_hash: String,
    pub environment: String,
    pub owner: String,
    pub region: String,
}

/// A resource as it exists in the cloud, recorded in the inventory once created.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InventoryItem {
    pub request_id: String,
    pub address: String,
    #[serde(rename = "type")]
    pub kind: String,
    /// The cloud's own id (an ARN, `vpc-0abc…`, a name).
    pub physical_id: String,
    /// The attributes the provider reported after applying.
    pub attributes: Map<String, Value>,
    /// Addresses (of the same deployment) this resource needs; rollback deletes dependants first.
    pub depends_on: Vec<String>,
}

/// What applying one resource produced.
#[derive(Debug, Clone, PartialEq)]
pub struct Applied {
    pub physical_id: String,
    pub attributes: Map<String, Value>,
}

/// Why a provider call failed. `transient` errors may be retried; others stop the deployment.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ProviderError {
    /// One plain-English sentence for the thread ("the database subnet group needs subnets in
    /// at least two availability zones").
    pub message: String,
    pub transient: bool,
}

impl ProviderError {
    pub fn permanent(message: impl Into<String>) -> ProviderError {
        ProviderError { message: message.into(), transient: false }
    }
    pub fn transient(message: impl Into<String>) -> ProviderError {
        ProviderError { message: message.into(), transient: true }
    }
}

/// A cloud paved can deploy to.
pub trait Provider: Send + Sync + 'static {
    /// A short name for logs and cards (`sandbox`, `aws`).
    fn name(&self) -> &'static str;

    /// True when this provider can create resources of a Terraform type. A plan with a type the
    /// provider cannot create is refused before anything starts.
    fn supports(&self, kind: &str) -> bool;

    /// Creates, updates or replaces one resource; `existing` is its inventory record when it was
    /// already created (a resumed deployment or an update), so the provider never creates twice.
    fn apply(
        &self,
        ctx: &DeployContext,
        resource: &Resource,
        existing: Option<&InventoryItem>,
    ) -> impl Future<Output = Result<Applied, ProviderError>> + Send;

    /// Deletes one resource that the inventory records.
    fn delete(
        &self,
        ctx: &DeployContext,
        item: &InventoryItem,
    ) -> impl Future<Output = Result<(), ProviderError>> + Send;

    /// Reads a resource back; `None` when it no longer exists.
    fn describe(
        &self,
        ctx: &DeployContext,
        item: &InventoryItem,
    ) -> impl Future<Output = Result<Option<Map<String, Value>>, ProviderError>> + Send;
}
