//! Where a deployment records what exists: the inventory, and the progress of each resource.
//! The database implements it in production; `MemoryLedger` serves tests and one-shot runs.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Mutex;

use paved_core::message::ProgressV1;

use crate::provider::InventoryItem;

/// Durable state of deployments. Every call is one small write, made before the executor moves
/// on, so that a crash leaves a record of everything that exists.
pub trait Ledger: Send + Sync + 'static {
    /// The inventory record of one resource of a request, if it was created.
    fn recorded(
        &self,
        request_id: &str,
        address: &str,
    ) -> impl Future<Output = Result<Option<InventoryItem>, LedgerError>> + Send;
    /// Every inventory record of a request.
    fn inventory(&self, request_id: &str) -> impl Future<Output = Result<Vec<InventoryItem>, LedgerError>> + Send;
    /// Records (or replaces) one resource.
    fn record(&self, item: &InventoryItem) -> impl Future<Output = Result<(), LedgerError>> + Send;
    /// Removes one resource from the inventory after it was deleted.
    fn forget(&self, request_id: &str, address: &str) -> impl Future<Output = Result<(), LedgerError>> + Send;
    /// Records one progress event.
    fn progress(&self, event: &ProgressV1) -> impl Future<Output = Result<(), LedgerError>> + Send;
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the deployment record could not be written: {0}")]
pub struct LedgerError(pub String);

/// An in-memory ledger.
#[derive(Debug, Default)]
pub struct MemoryLedger {
    items: Mutex<BTreeMap<(String, String), InventoryItem>>,
    events: Mutex<Vec<ProgressV1>>,
}

impl MemoryLedger {
    pub fn events(&self) -> Vec<ProgressV1> {
        self.events.lock().map(|e| e.clone()).unwrap_or_default()
    }
}

impl Ledger for MemoryLedger {
    async fn recorded(&self, request_id: &str, address: &str) -> Result<Option<InventoryItem>, LedgerError> {
        let items = self.items.lock().map_err(|_| LedgerError("lock poisoned".into()))?;
        Ok(items.get(&(request_id.to_string(), address.to_string())).cloned())
    }

    async fn inventory(&self, request_id: &str) -> Result<Vec<InventoryItem>, LedgerError> {
        let items = self.items.lock().map_err(|_| LedgerError("lock poisoned".into()))?;
        Ok(items.values().filter(|i| i.request_id == request_id).cloned().collect())
    }

    async fn record(&self, item: &InventoryItem) -> Result<(), LedgerError> {
        let mut items = self.items.lock().map_err(|_| LedgerError("lock poisoned".into()))?;
        items.insert((item.request_id.clone(), item.address.clone()), item.clone());
        Ok(())
    }

    async fn forget(&self, request_id: &str, address: &str) -> Result<(), LedgerError> {
        let mut items = self.items.lock().map_err(|_| LedgerError("lock poisoned".into()))?;
        items.remove(&(request_id.to_string(), address.to_string()));
        Ok(())
    }

    async fn progress(&self, event: &ProgressV1) -> Result<(), LedgerError> {
        self.events.lock().map_err(|_| LedgerError("lock poisoned".into()))?.push(event.clone());
        Ok(())
    }
}
