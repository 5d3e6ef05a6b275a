//! What paved will do: the contract's `Plan`, a list of Terraform-style resources.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use crate::intent::Environment;

/// What a plan does to one resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResourceAction {
    Create,
    Update,
    Delete,
    Replace,
}

impl ResourceAction {
    pub fn as_str(self) -> &'static str {
        match self {
            ResourceAction::Create => "create",
            ResourceAction::Update => "update",
            ResourceAction::Delete => "delete",
            ResourceAction::Replace => "replace",
        }
    }

    /// True for actions that change or remove something that already exists.
    pub fn touches_existing(self) -> bool {
        !matches!(self, ResourceAction::Create)
    }
}

impl fmt::Display for ResourceAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One resource of a plan, in the shape of Terraform's plan JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Resource {
    /// `TYPE.NAME`, unique in the plan.
    pub address: String,
    /// A Terraform AWS resource type (`aws_db_instance`).
    #[serde(rename = "type")]
    pub kind: String,
    /// The NAME part of the address.
    pub name: String,
    pub action: ResourceAction,
    /// Attributes named as Terraform's AWS provider names them.
    pub values: Map<String, Value>,
    /// Addresses this resource needs first.
    pub depends_on: Vec<String>,
    /// Estimated monthly cost in USD.
    pub monthly_cost_usd: f64,
    /// Why the resource is in the plan, in plain English (extra field, for people).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub why: String,
    /// What the cost estimate assumes about usage, when the resource is billed by use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost_note: Option<String>,
}

impl Resource {
    pub fn new(kind: &str, name: &str, action: ResourceAction) -> Resource {
        Resource {
            address: format!("{kind}.{name}"),
            kind: kind.to_string(),
            name: name.to_string(),
            action,
            values: Map::new(),
            depends_on: Vec::new(),
            monthly_cost_usd: 0.0,
            why: String::new(),
            cost_note: None,
        }
    }

    pub fn value(&self, key: &str) -> Option<&Value> {
        self.values.get(key)
    }

    pub fn str_value(&self, key: &str) -> Option<&str> {
        self.values.get(key).and_then(Value::as_str)
    }

    pub fn bool_value(&self, key: &str) -> Option<bool> {
        self.values.get(key).and_then(Value::as_bool)
    }
}

/// The contract's Plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub golden_path: Option<String>,
    pub golden_path_version: String,
    pub environment: Environment,
    pub region: String,
    pub resources: Vec<Resource>,
    pub estimated_monthly_cost_usd: f64,
}

/// A structural defect of a plan: something no golden path or tool should ever produce.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error("resource {index} has address `{address}`, which is not `type.name` (`{kind}.{name}`)")]
    AddressMismatch { index: usize, address: String, kind: String, name: String },
    #[error("two resources share the address `{0}`; every address must be unique")]
    DuplicateAddress(String),
    #[error("`{from}` depends on `{to}`, which is not in the plan")]
    UnknownDependency { from: String, to: String },
    #[error("the dependencies form a cycle through `{0}`")]
    Cycle(String),
    #[error("`{0}` has a negative or non-finite monthly cost")]
    BadCost(String),
}

impl Plan {
    pub fn resource(&self, address: &str) -> Option<&Resource> {
        self.resources.iter().find(|r| r.address == address)
    }

    pub fn resource_mut(&mut self, address: &str) -> Option<&mut Resource> {
        self.resources.iter_mut().find(|r| r.address == address)
    }

    /// Resources of one Terraform type.
    pub fn of_type<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a Resource> + 'a {
        self.resources.iter().filter(move |r| r.kind == kind)
    }

    /// The sum of the resources' monthly costs, rounded to cents.
    pub fn total_cost(&self) -> f64 {
        round_cents(self.resources.iter().map(|r| r.monthly_cost_usd).sum())
    }

    /// Recomputes `estimated_monthly_cost_usd` from the resources.
    pub fn update_total(&mut self) {
        self.estimated_monthly_cost_usd = self.total_cost();
    }

    /// Checks a plan handed in from outside. A plan that changes what exists may list only what
    /// it changes, as Terraform's `resource_changes` does: its dependencies on resources it does
    /// not list are on resources that exist already. A plan that only creates must carry
    /// everything it depends on.
    pub fn validate_submitted(&self) -> Result<(), PlanError> {
        match self.validate() {
            Err(PlanError::UnknownDependency { .. })
                if self.resources.iter().any(|r| r.action != ResourceAction::Create) =>
            {
                let mut listed = self.clone();
                let addresses: BTreeSet<String> =
                    self.resources.iter().map(|r| r.address.clone()).collect();
                for r in &mut listed.resources {
                    r.depends_on.retain(|d| addresses.contains(d));
                }
                listed.validate()
            }
            other => other,
        }
    }

    /// Checks addresses, dependencies and costs; returns the first defect found.
    pub fn validate(&self) -> Result<(), PlanError> {
        let mut seen = BTreeSet::new();
        for (index, r) in self.resources.iter().enumerate() {
            if r.address != format!("{}.{}", r.kind, r.name) {
                return Err(PlanError::AddressMismatch {
                    index,
                    address: r.address.clone(),
                    kind: r.kind.clone(),
                    name: r.name.clone(),
                });
            }
            if !seen.insert(r.address.as_str()) {
                return Err(PlanError::DuplicateAddress(r.address.clone()));
            }
            if !r.monthly_cost_usd.is_finite() || r.monthly_cost_usd < 0.0 {
                return Err(PlanError::BadCost(r.address.clone()));
            }
        }
        for r in &self.resources {
            for d in &r.depends_on {
                if !seen.contains(d.as_str()) {
                    return Err(PlanError::UnknownDependency {
                        from: r.address.clone(),
                        to: d.clone(),
                    });
                }
            }
        }
        self.topological_order().map(|_| ())
    }

    /// Indices of the resources in an order where every resource comes after its dependencies
    /// (Kahn's algorithm; ties keep plan order so the result is deterministic).
    pub fn topological_order(&self) -> Result<Vec<usize>, PlanError> {
        let index: BTreeMap<&str, usize> =
            self.resources.iter().enumerate().map(|(i, r)| (r.address.as_str(), i)).collect();
        let n = self.resources.len();
        let mut indegree = vec![0usize; n];
        let mut dependants: Vec<Vec<usize>> = vec![Vec::new(); n];
        for (i, r) in self.resources.iter().enumerate() {
            for d in &r.depends_on {
                if let Some(&j) = index.get(d.as_str()) {
                    indegree[i] += 1;
                    dependants[j].push(i);
                }
            }
        }
        let mut ready: BTreeSet<usize> = (0..n).filter(|&i| indegree[i] == 0).collect();
        let mut order = Vec::with_capacity(n);
        while let Some(i) = ready.pop_first() {
            order.push(i);
            for &k in &dependants[i] {
                indegree[k] -= 1;
                if indegree[k] == 0 {
                    ready.insert(k);
                }
            }
        }
        if order.len() < n {
            let stuck = (0..n).find(|&i| indegree[i] > 0).unwrap_or(0);
            return Err(PlanError::Cycle(self.resources[stuck].address.clone()));
        }
        Ok(order)
    }
}

/// Rounds a dollar amount to whole cents, so that sums and hashes are stable.
pub fn round_cents(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}
