//! The executor's ledger on paved's database: deployed resources in `deployed_resources`, each
//! progress event in the deployment's events (and so in the audit trail).

use std::collections::HashMap;
use std::sync::Mutex;

use paved_core::message::ProgressV1;
use paved_executor::{InventoryItem, Ledger, LedgerError};
use paved_store::{Db, DeployedResource};

/// The ledger of one database. Progress events need the deployment they belong to: the host
/// names it with [`DbLedger::track`] before a deployment starts.
pub struct DbLedger {
    db: Db,
    deployments: Mutex<HashMap<String, i64>>,
}

impl DbLedger {
    pub fn new(db: Db) -> DbLedger {
        DbLedger { db, deployments: Mutex::new(HashMap::new()) }
    }

    /// Records progress of `request_id` under deployment `deployment_id` from now on.
    pub fn track(&self, request_id: &str, deployment_id: i64) {
        if let Ok(mut d) = self.deployments.lock() {
            d.insert(request_id.to_string(), deployment_id);
        }
    }
}

fn err(e: impl std::fmt::Display) -> LedgerError {
    LedgerError(e.to_string())
}

fn to_item(r: DeployedResource) -> InventoryItem {
    InventoryItem {
        request_id: r.request_id,
        address: r.address,
        kind: r.kind,
        physical_id: r.physical_id,
        attributes: match r.attributes {
            serde_json::Value::Object(m) => m,
            _ => serde_json::Map::new(),
        },
        depends_on: r.depends_on,
    }
}

impl Ledger for DbLedger {
    async fn recorded(&self, request_id: &str, address: &str) -> Result<Option<InventoryItem>, LedgerError> {
        Ok(self.db.deployed_resource(request_id, address).await.map_err(err)?.map(to_item))
    }

    async fn inventory(&self, request_id: &str) -> Result<Vec<InventoryItem>, LedgerError> {
        Ok(self.db.deployed_resources(request_id).await.map_err(err)?.into_iter().map(to_item).collect())
    }

    async fn record(&self, item: &InventoryItem) -> Result<(), LedgerError> {
        self.db
            .record_deployed(&DeployedResource {
                request_id: item.request_id.clone(),
                address: item.address.clone(),
                kind: item.kind.clone(),
                physical_id: item.physical_id.clone(),
                attributes: serde_json::Value::Object(item.attributes.clone()),
                depends_on: item.depends_on.clone(),
            })
            .await
            .map_err(err)
    }

    async fn forget(&self, request_id: &str, address: &str) -> Result<(), LedgerError> {
        self.db.forget_deployed(request_id, address).await.map_err(err)
    }

    async fn progress(&self, event: &ProgressV1) -> Result<(), LedgerError> {
        let deployment = self.deployments.lock().ok().and_then(|d| d.get(&event.request_id).copied());
        let Some(deployment) = deployment else { return Ok(()) };
        let mut tx = self.db.begin().await.map_err(err)?;
        tx.add_deployment_event("paved-executor", &event.request_id, deployment, &event.address, event.status.as_str(), &event.message)
            .await
            .map_err(err)?;
        tx.commit().await.map_err(err)
    }
}
