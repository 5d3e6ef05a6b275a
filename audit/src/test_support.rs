//! Builders for the unit tests' plans.

use paved_core::{Environment, Plan, Resource, ResourceAction};
use serde_json::Value;

/// A resource to create, with the given attributes.
pub fn res(kind: &str, name: &str, values: Value) -> Resource {
    let mut r = Resource::new(kind, name, ResourceAction::Create);
    if let Value::Object(m) = values {
        r.values = m;
    }
    r
}

/// A plan of these resources in `environment`.
pub fn plan(environment: Environment, resources: Vec<Resource>) -> Plan {
    Plan {
        golden_path: None,
        golden_path_version: "1".into(),
        environment,
        region: "us-east-1".into(),
        resources,
        estimated_monthly_cost_usd: 0.0,
    }
}
