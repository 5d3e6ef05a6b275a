//! The sandbox provider: paved's embedded default cloud. It is a simulation, and says so in
//! every id it hands out (`sandbox-…`) and in its name: it provisions nothing real. It takes a
//! realistic time per resource type (scaled by a factor, so the demo is quick and tests are
//! instant), can be told to fail chosen resources, and keeps what it "created" so that describe
//! and delete behave like a cloud's.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;
use std::time::Duration;

use paved_core::Resource;
use serde_json::{Map, Value};

use crate::provider::{Applied, DeployContext, InventoryItem, Provider, ProviderError};

/// Typical creation times on AWS, in seconds, that the sandbox imitates.
const TYPICAL_SECONDS: &[(&str, f64)] = &[
    ("aws_vpc", 3.0),
    ("aws_subnet", 2.0),
    ("aws_internet_gateway", 3.0),
    ("aws_nat_gateway", 90.0),
    ("aws_eip", 2.0),
    ("aws_route_table", 2.0),
    ("aws_route_table_association", 1.0),
    ("aws_security_group", 2.0),
    ("aws_flow_log", 3.0),
    ("aws_lb", 150.0),
    ("aws_lb_target_group", 3.0),
    ("aws_lb_listener", 3.0),
    ("aws_ecs_cluster", 10.0),
    ("aws_ecs_task_definition", 2.0),
    ("aws_ecs_service", 60.0),
    ("aws_db_subnet_group", 2.0),
    ("aws_db_instance", 480.0),
    ("aws_elasticache_subnet_group", 2.0),
    ("aws_elasticache_replication_group", 420.0),
    ("aws_s3_bucket", 3.0),
    ("aws_lambda_function", 10.0),
    ("aws_dynamodb_table", 15.0),
    ("aws_cloudwatch_dashboard", 1.0),
    ("aws_cloudwatch_metric_alarm", 1.0),
    ("aws_kms_key", 5.0),
    ("aws_wafv2_web_acl", 20.0),
    ("aws_instance", 60.0),
    ("aws_sagemaker_endpoint", 400.0),
];

/// A simulated resource the sandbox holds.
#[derive(Debug, Clone)]
struct Simulated {
    kind: String,
    attributes: Map<String, Value>,
}

/// The sandbox cloud.
#[derive(Debug)]
pub struct SandboxProvider {
    /// Multiplies the typical creation times: 0.01 runs a 5-minute deployment in 3 seconds.
    time_factor: f64,
    /// Addresses whose apply fails permanently.
    fail: BTreeSet<String>,
    /// Addresses whose apply fails transiently this many more times.
    flaky: Mutex<BTreeMap<String, u32>>,
    resources: Mutex<BTreeMap<String, Simulated>>,
    next_id: Mutex<u64>,
}

impl SandboxProvider {
    pub fn new(time_factor: f64) -> SandboxProvider {
        SandboxProvider {
            time_factor: time_factor.max(0.0),
            fail: BTreeSet::new(),
            flaky: Mutex::new(BTreeMap::new()),
            resources: Mutex::new(BTreeMap::new()),
            next_id: Mutex::new(1),
        }
    }

    /// Makes applying `address` fail permanently (for tests and demos of rollback).
    pub fn failing(mut self, address: &str) -> SandboxProvider {
        self.fail.insert(address.to_string());
        self
    }

    /// Makes applying `address` fail `times` times with a transient error first.
    pub fn flaky(self, address: &str, times: u32) -> SandboxProvider {
        if let Ok(mut f) = self.flaky.lock() {
            f.insert(address.to_string(), times);
        }
        self
    }

    /// The simulated time one resource type takes.
    pub fn duration_for(&self, kind: &str) -> Duration {
        let typical = TYPICAL_SECONDS.iter().find(|(k, _)| *k == kind).map(|(_, s)| *s).unwrap_or(5.0);
        Duration::from_secs_f64(typical * self.time_factor)
    }

    /// How many simulated resources exist now.
    pub fn live_count(&self) -> usize {
        self.resources.lock().map(|r| r.len()).unwrap_or(0)
    }

    /// Ids of the simulated resources of one type.
    pub fn live_of_type(&self, kind: &str) -> Vec<String> {
        self.resources
            .lock()
            .map(|r| r.iter().filter(|(_, s)| s.kind == kind).map(|(id, _)| id.clone()).collect())
            .unwrap_or_default()
    }

    fn new_id(&self, kind: &str) -> String {
        let mut next = self.next_id.lock().unwrap_or_else(|p| p.into_inner());
        let id = format!("sandbox-{}-{:06}", kind.trim_start_matches("aws_").replace('_', "-"), *next);
        *next += 1;
        id
    }
}

impl Provider for SandboxProvider {
    fn name(&self) -> &'static str {
        "sandbox"
    }

    fn supports(&self, kind: &str) -> bool {
        // The sandbox imitates any AWS resource type; real providers list theirs.
        kind.starts_with("aws_")
    }

    async fn apply(&self, ctx: &DeployContext, resource: &Resource, existing: Option<&InventoryItem>) -> Result<Applied, ProviderError> {
        tokio::time::sleep(self.duration_for(&resource.kind)).await;
        if self.fail.contains(&resource.address) {
            return Err(ProviderError::permanent(format!(
                "the sandbox was told to fail {} (a simulated permanent error)",
                resource.address
            )));
        }
        if let Ok(mut flaky) = self.flaky.lock()
            && let Some(left) = flaky.get_mut(&resource.address)
            && *left > 0
        {
            *left -= 1;
            return Err(ProviderError::transient(format!("{} is throttled (simulated)", resource.address)));
        }
        let mut attributes = resource.values.clone();
        let tags = [
            ("paved:request-id", ctx.request_id.as_str()),
            ("paved:plan-hash", ctx.plan_hash.as_str()),
            ("paved:address", resource.address.as_str()),
            ("environment", ctx.environment.as_str()),
            ("owner", ctx.owner.as_str()),
        ];
        let tag_map = attributes.entry("tags").or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(m) = tag_map {
            for (k, v) in tags {
                m.insert(k.to_string(), Value::String(v.to_string()));
            }
        }
        let physical_id = match existing {
            Some(item) => item.physical_id.clone(),
            None => self.new_id(&resource.kind),
        };
        let mut resources = self.resources.lock().map_err(|_| ProviderError::permanent("the sandbox state is unavailable"))?;
        resources.insert(physical_id.clone(), Simulated { kind: resource.kind.clone(), attributes: attributes.clone() });
        Ok(Applied { physical_id, attributes })
    }

    async fn delete(&self, _ctx: &DeployContext, item: &InventoryItem) -> Result<(), ProviderError> {
        tokio::time::sleep(self.duration_for(&item.kind) / 2).await;
        let mut resources = self.resources.lock().map_err(|_| ProviderError::permanent("the sandbox state is unavailable"))?;
        // Deleting what is already gone succeeds: rollback may be re-run after a crash.
        resources.remove(&item.physical_id);
        Ok(())
    }

    async fn describe(&self, _ctx: &DeployContext, item: &InventoryItem) -> Result<Option<Map<String, Value>>, ProviderError> {
        let resources = self.resources.lock().map_err(|_| ProviderError::permanent("the sandbox state is unavailable"))?;
        Ok(resources.get(&item.physical_id).map(|s| s.attributes.clone()))
    }
}
