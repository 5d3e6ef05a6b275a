//! Golden paths as the platform team writes them: one YAML file per path under
//! `policies/golden_paths/`, parsed strictly.
//!
//! These are the data types only. The template language used inside `values` (placeholders such as
//! `${service}`, per-environment values, conditional attributes) is compiled and rendered by the
//! planner, which is also where a reference to a resource that may not exist is refused.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};

use crate::intent::{Compliance, Component, Environment};

/// One golden path: the platform team's best practice for a kind of workload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GoldenPath {
    /// Stable identifier (`standard_web_app`), as in the contract.
    pub id: String,
    /// Version of the path; a changed path gets a new version so that plans say which they used.
    pub version: String,
    /// A short human name ("Standard web application").
    pub name: String,
    /// What the path is for, in one or two sentences.
    pub description: String,
    /// The architecture in one line ("ALB → ECS Fargate → RDS PostgreSQL → ElastiCache Redis").
    pub pattern: String,
    /// Typical uses, shown to people choosing a path.
    pub use_cases: Vec<String>,
    /// Words in a request that point at this path; the understander reads them.
    pub keywords: Vec<String>,
    /// What the path does for compliance regimes, in plain English.
    pub compliance_notes: Vec<String>,
    /// The usual monthly cost of a deployment of this path.
    pub cost_range_usd: CostRange,
    /// About how long a deployment takes.
    pub deploy_minutes: u32,
    /// The path assumed for an existing service whose path is not recorded (at most one path).
    #[serde(default)]
    pub fallback: bool,
    /// Components a request on this path gets unless it names or rules out otherwise.
    pub default_components: Vec<Component>,
    /// The service name used when the request names none.
    pub default_service: String,
    /// How many availability zones the network spans, per environment.
    pub availability_zones: ByEnv<u8>,
    /// Regions a compliance regime pins the data to.
    #[serde(default)]
    pub data_residency: Vec<DataResidency>,
    /// The cron expression used when the request gives no schedule (paths that run on one).
    #[serde(default)]
    pub default_schedule: Option<String>,
    /// Notes the plan carries when their condition holds ("non-production only").
    #[serde(default)]
    pub notes: Vec<PathNote>,
    /// Named template values shared by several resources, referenced as `${var.NAME}`.
    #[serde(default)]
    pub vars: BTreeMap<String, Value>,
    /// The resources the path creates, in the order a person reads them.
    pub resources: Vec<ResourceTemplate>,
}

impl GoldenPath {
    pub fn resource(&self, kind: &str, name: &str) -> Option<&ResourceTemplate> {
        self.resources
            .iter()
            .find(|r| r.kind == kind && r.name == name)
    }

    /// Every Terraform resource type the path may create.
    pub fn resource_types(&self) -> BTreeSet<&str> {
        self.resources.iter().map(|r| r.kind.as_str()).collect()
    }
}

/// A monthly cost range in USD.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CostRange {
    pub min: f64,
    pub max: f64,
}

/// One value per environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ByEnv<T> {
    pub production: T,
    pub staging: T,
    pub development: T,
}

impl<T: Copy> ByEnv<T> {
    pub fn get(&self, env: Environment) -> T {
        match env {
            Environment::Production => self.production,
            Environment::Staging => self.staging,
            Environment::Development => self.development,
        }
    }
}

/// A compliance regime that keeps the data inside a set of regions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataResidency {
    pub compliance: Compliance,
    /// Regions whose code starts with this are allowed (`eu-`).
    pub region_prefix: String,
    /// Where to plan when the request's region is outside the allowed ones.
    pub default_region: String,
}

/// A note attached to plans of the path when its condition holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PathNote {
    #[serde(default)]
    pub when: Condition,
    pub text: String,
}

/// One resource of a golden path, before the intent fills it in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResourceTemplate {
    /// Terraform AWS resource type (`aws_db_instance`).
    #[serde(rename = "type")]
    pub kind: String,
    /// The NAME part of the address; with `per_az` the zone letter is appended (`public_a`).
    pub name: String,
    /// Why the resource is there, in plain English; may use placeholders.
    pub why: String,
    /// The resource is created only when this holds.
    #[serde(default)]
    pub when: Option<Condition>,
    /// One copy of the resource per availability zone.
    #[serde(default)]
    pub per_az: bool,
    /// Attributes, named as the Terraform AWS provider names them, in the template language.
    #[serde(default)]
    pub values: Map<String, Value>,
    /// Addresses (`TYPE.NAME`) of resources of the same path this one needs first. References
    /// inside `values` add their targets automatically.
    #[serde(default)]
    pub depends_on: Vec<String>,
    /// Which attribute a size the user asked for (`db.t3.medium`) replaces.
    #[serde(default)]
    pub resize: Option<Resize>,
    /// How a scale request changes numeric attributes: attribute → multiplier.
    #[serde(default)]
    pub on_scale: BTreeMap<String, f64>,
    /// Attributes set on the resource when it is deleted (`skip_final_snapshot: false`).
    #[serde(default)]
    pub on_delete: Map<String, Value>,
}

impl ResourceTemplate {
    pub fn address(&self) -> String {
        format!("{}.{}", self.kind, self.name)
    }
}

/// Where a requested instance size goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Resize {
    /// The attribute holding the size (`instance_class`, `node_type`, `instance_type`).
    pub attribute: String,
    /// Sizes that fit start with this (`db.`, `cache.`, `ml.`); empty means a bare EC2 size
    /// (`g5.xlarge`) that starts with none of the other resources' prefixes.
    #[serde(default)]
    pub prefix: String,
}

/// A condition on the intent. Every field that is set must hold (they are ANDed); `any_of` holds
/// when at least one of its conditions does. The empty condition always holds.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Condition {
    /// The environment is one of these.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub environments: Vec<Environment>,
    /// At least one of these components is part of the plan.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub any_component: Vec<Component>,
    /// None of these components is part of the plan.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub no_component: Vec<Component>,
    /// At least one of these compliance regimes applies.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub any_compliance: Vec<Compliance>,
    /// None of these compliance regimes applies.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub no_compliance: Vec<Compliance>,
    /// The user asked for (true) or did not ask for (false) a public endpoint.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub public: Option<bool>,
    /// The golden path is one of these (used by IPAM segment rules).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub golden_paths: Vec<String>,
    /// At least one of these holds.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub any_of: Vec<Condition>,
}

/// The facts of an intent that conditions look at.
#[derive(Debug, Clone, Copy)]
pub struct Scenario<'a> {
    pub golden_path: &'a str,
    pub environment: Environment,
    pub components: &'a [Component],
    pub compliance: &'a [Compliance],
    pub public: bool,
}

/// The independent facts a condition reads; used to decide whether one condition implies another
/// by trying every combination of the facts involved.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConditionAtoms {
    pub environment: bool,
    pub components: BTreeSet<Component>,
    pub compliance: BTreeSet<Compliance>,
    pub public: bool,
}

impl Condition {
    pub fn is_always(&self) -> bool {
        *self == Condition::default()
    }

    pub fn holds(&self, s: &Scenario<'_>) -> bool {
        (self.environments.is_empty() || self.environments.contains(&s.environment))
            && (self.any_component.is_empty()
                || self.any_component.iter().any(|c| s.components.contains(c)))
            && !self.no_component.iter().any(|c| s.components.contains(c))
            && (self.any_compliance.is_empty()
                || self.any_compliance.iter().any(|c| s.compliance.contains(c)))
            && !self.no_compliance.iter().any(|c| s.compliance.contains(c))
            && self.public.is_none_or(|p| p == s.public)
            && (self.golden_paths.is_empty()
                || self.golden_paths.iter().any(|p| p == s.golden_path))
            && (self.any_of.is_empty() || self.any_of.iter().any(|c| c.holds(s)))
    }

    /// Adds the facts this condition reads to `atoms`.
    pub fn collect_atoms(&self, atoms: &mut ConditionAtoms) {
        atoms.environment |= !self.environments.is_empty();
        atoms
            .components
            .extend(self.any_component.iter().chain(&self.no_component));
        atoms
            .compliance
            .extend(self.any_compliance.iter().chain(&self.no_compliance));
        atoms.public |= self.public.is_some();
        for c in &self.any_of {
            c.collect_atoms(atoms);
        }
    }
}

/// Whether `target` holds in every scenario where all `assumptions` hold with their polarity
/// (`(condition, true)` = the condition holds, `(condition, false)` = it does not).
///
/// The facts a condition reads are few (an environment, a handful of components), so trying every
/// combination of the facts involved is exact and cheap.
pub fn implies(golden_path: &str, assumptions: &[(&Condition, bool)], target: &Condition) -> bool {
    let mut atoms = ConditionAtoms::default();
    target.collect_atoms(&mut atoms);
    for (c, _) in assumptions {
        c.collect_atoms(&mut atoms);
    }
    let components: Vec<Component> = atoms.components.iter().copied().collect();
    let compliance: Vec<Compliance> = atoms.compliance.iter().copied().collect();
    let envs: &[Environment] = if atoms.environment {
        &Environment::ALL
    } else {
        &[Environment::Production]
    };
    let publics: &[bool] = if atoms.public {
        &[false, true]
    } else {
        &[false]
    };
    let bits = components.len() + compliance.len();
    // More facts than this cannot come from a hand-written condition; refusing is the safe answer.
    if bits > 20 {
        return false;
    }
    let mut comp_buf = Vec::with_capacity(components.len());
    let mut compl_buf = Vec::with_capacity(compliance.len());
    for &environment in envs {
        for &public in publics {
            for mask in 0u32..(1u32 << bits) {
                comp_buf.clear();
                compl_buf.clear();
                for (i, c) in components.iter().enumerate() {
                    if mask & (1 << i) != 0 {
                        comp_buf.push(*c);
                    }
                }
                for (i, c) in compliance.iter().enumerate() {
                    if mask & (1 << (components.len() + i)) != 0 {
                        compl_buf.push(*c);
                    }
                }
                let s = Scenario {
                    golden_path,
                    environment,
                    components: &comp_buf,
                    compliance: &compl_buf,
                    public,
                };
                if assumptions
                    .iter()
                    .all(|(c, polarity)| c.holds(&s) == *polarity)
                    && !target.holds(&s)
                {
                    return false;
                }
            }
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::parse_yaml;

    fn scenario<'a>(
        env: Environment,
        comps: &'a [Component],
        compl: &'a [Compliance],
    ) -> Scenario<'a> {
        Scenario {
            golden_path: "p",
            environment: env,
            components: comps,
            compliance: compl,
            public: false,
        }
    }

    #[test]
    fn condition_fields_are_anded_and_any_of_is_ored() {
        let c: Condition = parse_yaml(
            "c.yaml",
            "environments: [production]\nany_of:\n  - any_compliance: [pci_dss]\n  - any_component: [redis]\n",
        )
        .unwrap();
        assert!(c.holds(&scenario(
            Environment::Production,
            &[],
            &[Compliance::PciDss]
        )));
        assert!(c.holds(&scenario(Environment::Production, &[Component::Redis], &[])));
        assert!(!c.holds(&scenario(Environment::Production, &[], &[])));
        assert!(!c.holds(&scenario(Environment::Staging, &[Component::Redis], &[])));
        assert!(Condition::default().holds(&scenario(Environment::Staging, &[], &[])));
    }

    #[test]
    fn implication_is_exact() {
        let pci = Condition {
            any_compliance: vec![Compliance::PciDss],
            ..Default::default()
        };
        let pci_or_hipaa = Condition {
            any_compliance: vec![Compliance::PciDss, Compliance::Hipaa],
            ..Default::default()
        };
        assert!(implies("p", &[(&pci, true)], &pci_or_hipaa));
        assert!(!implies("p", &[(&pci_or_hipaa, true)], &pci));
        assert!(implies("p", &[], &Condition::default()));
        assert!(!implies("p", &[], &pci));
        // Negative assumption: where pci does not hold, "no pci" does.
        let no_pci = Condition {
            no_compliance: vec![Compliance::PciDss],
            ..Default::default()
        };
        assert!(implies("p", &[(&pci, false)], &no_pci));
    }

    #[test]
    fn unknown_template_field_is_refused_with_its_line() {
        let text = "type: aws_vpc\nname: main\nwhy: network\nvalus: {}\n";
        let e = parse_yaml::<ResourceTemplate>("x.yaml", text).unwrap_err();
        assert_eq!(e.line, Some(4), "{e}");
        assert_eq!(e.field.as_deref(), Some("valus"));
    }
}
