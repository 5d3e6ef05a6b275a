//! Guardrails as code: the platform team's `guardrails.yaml`, parsed strictly and validated.
//!
//! A guardrail is data. Most rules are a scope (`applies_to`) and a condition over resource
//! attributes, with an optional fix; a few named check kinds cover what attribute conditions cannot
//! express (world-open ingress, admin access without MFA, data residency, monthly cost). Adding or
//! changing a rule never needs a Rust change, and every mistake in the file is reported with the
//! file, the line and the field.
//!
//! This module holds the types, the validation and the attribute-level evaluation (conditions and
//! fixes over one resource). Evaluating a whole plan is the audit's job.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use crate::intent::{Compliance, Environment};
use crate::plan::{Resource, ResourceAction};
use crate::policy::{PolicyError, line_of, parse_yaml};
use crate::verdict::{Level, Outcome};

/// How strongly a guardrail is enforced, as the platform team writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GuardrailLevel {
    Soft,
    Hard,
    Blocking,
    Governance,
}

impl GuardrailLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            GuardrailLevel::Soft => "soft",
            GuardrailLevel::Hard => "hard",
            GuardrailLevel::Blocking => "blocking",
            GuardrailLevel::Governance => "governance",
        }
    }

    /// The verdict level a finding of this guardrail carries.
    pub fn level(self) -> Level {
        match self {
            GuardrailLevel::Soft => Level::Soft,
            GuardrailLevel::Hard => Level::Hard,
            GuardrailLevel::Blocking => Level::Blocking,
            GuardrailLevel::Governance => Level::Governance,
        }
    }

    /// The only enforcement that makes sense at this level.
    pub fn enforcement(self) -> Enforcement {
        match self {
            GuardrailLevel::Soft => Enforcement::Warning,
            GuardrailLevel::Hard => Enforcement::AutoFix,
            GuardrailLevel::Blocking => Enforcement::Veto,
            GuardrailLevel::Governance => Enforcement::Escalate,
        }
    }
}

/// What a guardrail does when it fires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Enforcement {
    Warning,
    AutoFix,
    Veto,
    Escalate,
}

impl Enforcement {
    pub fn as_str(self) -> &'static str {
        match self {
            Enforcement::Warning => "warning",
            Enforcement::AutoFix => "auto-fix",
            Enforcement::Veto => "veto",
            Enforcement::Escalate => "escalate",
        }
    }

    /// The outcome of a finding of a rule with this enforcement.
    pub fn outcome(self) -> Outcome {
        match self {
            Enforcement::Warning => Outcome::Warn,
            Enforcement::AutoFix => Outcome::Fixed,
            Enforcement::Veto => Outcome::Veto,
            Enforcement::Escalate => Outcome::Escalate,
        }
    }
}

/// The built-in checks, for what attribute conditions cannot express.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckKind {
    /// Ingress from the whole internet, except `allowed_ports` on a public load balancer's
    /// security group. Reads `ingress` lists of security groups and separate ingress-rule resources.
    WorldOpenIngress,
    /// A database (the rule's resource types) reachable through a security group open to the world.
    DatabaseOpenToWorld,
    /// IAM users, roles, groups or policies granting administrator access (`AdministratorAccess`,
    /// or `*` actions on `*` resources) without a multi-factor-authentication condition.
    AdminWithoutMfa,
    /// The plan's region, and any region or availability zone a resource names, must match
    /// `allowed_regions`.
    DataResidency,
    /// The plan's monthly cost, recomputed from the price table, must not exceed `threshold`.
    MonthlyCost,
    /// An S3 bucket readable or writable by anyone: a public canned ACL or grant, a bucket
    /// policy allowing everyone without a restricting condition, or a public access block with a
    /// flag off. Reads the bucket's own attributes and its separate ACL, policy and public access
    /// block resources.
    PublicBucket,
    /// An IAM role whose trust policy lets anyone (`Principal: "*"` or `{"AWS": "*"}`) assume it
    /// without a condition that restricts who.
    OpenRoleTrust,
    /// A secret written into the plan in plain text: a value of a well-known secret shape (access
    /// key ids, GitHub/Slack/Stripe/Hugging Face tokens, private keys, URLs with a password) or a
    /// literal value under a secret-ish name, in environment variables, container definitions,
    /// `user_data`, job arguments or attributes. References and secret-store ARNs are not.
    PlaintextSecret,
    /// A resource policy (KMS key, SNS topic, SQS queue, ECR repository, ...) allowing everyone
    /// without a condition that restricts who, a Lambda permission for principal `*` without a
    /// source, or a snapshot or image shared with `all`.
    OpenResourcePolicy,
    /// A container task with the host's powers: `network_mode`, `pid_mode` or `ipc_mode` host,
    /// or a privileged container.
    PrivilegedContainer,
    /// A production instance, launch template or ECS task with a public IP address, unless the
    /// request asks for public access.
    PublicCompute,
}

impl CheckKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CheckKind::WorldOpenIngress => "world_open_ingress",
            CheckKind::DatabaseOpenToWorld => "database_open_to_world",
            CheckKind::AdminWithoutMfa => "admin_without_mfa",
            CheckKind::DataResidency => "data_residency",
            CheckKind::MonthlyCost => "monthly_cost",
            CheckKind::PublicBucket => "public_bucket",
            CheckKind::OpenRoleTrust => "open_role_trust",
            CheckKind::PlaintextSecret => "plaintext_secret",
            CheckKind::OpenResourcePolicy => "open_resource_policy",
            CheckKind::PrivilegedContainer => "privileged_container",
            CheckKind::PublicCompute => "public_compute",
        }
    }

    /// True for kinds judged on the plan as a whole rather than resource by resource.
    pub fn plan_wide(self) -> bool {
        matches!(self, CheckKind::DataResidency | CheckKind::MonthlyCost)
    }
}

/// Evidence that lets a governance rule pass without an escalation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Evidence {
    /// A change-ticket id (`CHG-1234`) in the request or given with the audit.
    ChangeTicket,
    /// The requester's explicit confirmation, given with the audit.
    RequesterConfirmation,
}

impl Evidence {
    pub fn as_str(self) -> &'static str {
        match self {
            Evidence::ChangeTicket => "change_ticket",
            Evidence::RequesterConfirmation => "requester_confirmation",
        }
    }
}

/// A condition over one resource's attributes. Exactly one operator (or one of `all`, `any`,
/// `not`) is given; `attribute` is a dotted path (`tags.environment`, `root_block_device.encrypted`)
/// that fans out over lists, so `ingress.from_port` names every rule's port.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attribute: Option<String>,
    /// Some value at the path equals this one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub equals: Option<Value>,
    /// No value at the path equals this one (true when the attribute is missing).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_equals: Option<Value>,
    /// `true`: the attribute is missing (or null); `false`: it is present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub missing: Option<bool>,
    /// Some value at the path is a string containing this text, or a list holding this value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contains: Option<Value>,
    /// Some numeric value at the path is greater than this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub greater_than: Option<f64>,
    /// Some numeric value at the path is less than this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub less_than: Option<f64>,
    /// Some value at the path is one of these.
    #[serde(default, rename = "in", skip_serializing_if = "Option::is_none")]
    pub in_: Option<Vec<Value>>,
    /// No value at the path is one of these.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_in: Option<Vec<Value>>,
    /// `true`: some CIDR at the path covers the whole internet (see [`is_world_cidr`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub matches_cidr_world: Option<bool>,
    /// Every condition holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub all: Option<Vec<Condition>>,
    /// At least one condition holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub any: Option<Vec<Condition>>,
    /// The condition does not hold.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not: Option<Box<Condition>>,
}

/// What an auto-fix changes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Fix {
    /// Attributes to set, by dotted path.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub set: Map<String, Value>,
    /// For data residency: the region to move the plan to when the request's own region is not
    /// allowed either.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
}

/// One case of a rule: a scope, a condition and the fix for it. Rules whose attribute differs by
/// resource type (encryption is `storage_encrypted` on RDS, `encrypted` on EBS) list several.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    pub applies_to: Vec<String>,
    pub condition: Condition,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix: Option<Fix>,
}

/// `n` approvals needed from the rule's approvers (default: one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NOfM {
    pub n: u32,
}

/// One guardrail, as the platform team writes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Guardrail {
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    pub level: GuardrailLevel,
    pub enforcement: Enforcement,
    /// Resource types (`aws_db_instance`, `aws_db_*`), and gates: `environment:production`,
    /// `segments:prod-pci`, `compliance:pci_dss`, `action:delete`. Empty: every resource.
    #[serde(default)]
    pub applies_to: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<Condition>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix: Option<Fix>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cases: Vec<Case>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<CheckKind>,
    /// Names of plan requirements (the file's `requirements` section) that must all hold.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub requirements: Vec<String>,
    /// For `monthly_cost`: the limit in USD per month.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold: Option<f64>,
    /// For escalations: the roles that must approve.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub approvers: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub n_of_m: Option<NOfM>,
    /// Evidence that satisfies the rule without an escalation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requires: Option<Evidence>,
    /// For `world_open_ingress`: ports the world may reach on a public load balancer.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allowed_ports: Vec<u16>,
    /// For `data_residency`: region patterns (`eu-*`) the data may live in.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allowed_regions: Vec<String>,
    /// For `requires: change_ticket`: ticket prefixes (`CHG` accepts `CHG-1234`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ticket_prefixes: Vec<String>,
    /// Rules whose findings this rule's finding replaces (a CFO escalation makes the finance
    /// manager's redundant).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub supersedes: Vec<String>,
    /// The finding's sentence, with placeholders (see [`PLACEHOLDERS`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// For a veto: what would be accepted instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<String>,
}

/// A selection of resources for a requirement: resource types and an optional condition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Selector {
    pub applies_to: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<Condition>,
}

/// Something a plan must contain (`present`: at least one resource matches one selector) and
/// keep true (`every`: every resource of a selector's types satisfies its condition).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Requirement {
    pub description: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub present: Vec<Selector>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub every: Vec<Selector>,
}

/// When a plan belongs to a network segment by the audit's own reading of the request (a plan
/// may also declare its segment with a `segment` tag).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SegmentRule {
    #[serde(default)]
    pub environments: Vec<Environment>,
    #[serde(default)]
    pub compliance: Vec<Compliance>,
}

/// Settings of the audit's own intent check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IntentCheckPolicy {
    /// A resource costing more than this many times the dearest resource of its type that the
    /// request justifies is vetoed, unless the user named its size.
    pub size_factor: f64,
    /// The message of the warning for off-road choices, with `{off_road}`.
    pub off_road_message: String,
}

impl Default for IntentCheckPolicy {
    fn default() -> Self {
        IntentCheckPolicy {
            size_factor: 3.0,
            off_road_message: "You asked for {off_road}, which no golden path covers: you own its \
                               operation, patching and monitoring."
                .to_string(),
        }
    }
}

/// Rules grouped by area.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Areas {
    #[serde(default)]
    pub security: Vec<Guardrail>,
    #[serde(default)]
    pub compliance: Vec<Guardrail>,
    #[serde(default)]
    pub cost: Vec<Guardrail>,
    #[serde(default)]
    pub operations: Vec<Guardrail>,
}

/// The whole `guardrails.yaml`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GuardrailPolicy {
    pub version: String,
    pub rules: Areas,
    #[serde(default)]
    pub requirements: BTreeMap<String, Requirement>,
    #[serde(default)]
    pub segments: BTreeMap<String, SegmentRule>,
    #[serde(default)]
    pub intent_check: IntentCheckPolicy,
}

/// The placeholders a guardrail's `message` or `suggestion` may use.
pub const PLACEHOLDERS: &[&str] = &[
    "resource",
    "type",
    "name",
    "environment",
    "region",
    "attribute",
    "actual",
    "fix",
    "cost",
    "threshold",
    "approvers",
    "missing",
    "ports",
    "allowed_regions",
    "detail",
];

/// The scope a rule's `applies_to` describes, parsed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Scope {
    /// Resource type patterns; a trailing `*` matches any suffix. Empty: every type.
    pub types: Vec<String>,
    pub environments: BTreeSet<Environment>,
    pub segments: BTreeSet<String>,
    pub compliance: BTreeSet<Compliance>,
    pub actions: BTreeSet<ResourceActionKey>,
}

/// A resource action usable in a set (the core enum has no order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ResourceActionKey {
    Create,
    Update,
    Delete,
    Replace,
}

impl From<ResourceAction> for ResourceActionKey {
    fn from(a: ResourceAction) -> Self {
        match a {
            ResourceAction::Create => ResourceActionKey::Create,
            ResourceAction::Update => ResourceActionKey::Update,
            ResourceAction::Delete => ResourceActionKey::Delete,
            ResourceAction::Replace => ResourceActionKey::Replace,
        }
    }
}

impl Scope {
    /// Parses `applies_to`; the error is a sentence about the one bad entry.
    pub fn parse(entries: &[String]) -> Result<Scope, String> {
        let mut scope = Scope::default();
        for entry in entries {
            let entry = entry.trim();
            if let Some((gate, value)) = entry.split_once(':') {
                let value = value.trim();
                match gate.trim() {
                    "environment" | "environments" => {
                        let env = Environment::ALL
                            .into_iter()
                            .find(|e| e.as_str() == value)
                            .ok_or_else(|| {
                                format!(
                                    "`{entry}` names an unknown environment; use production, \
                                     staging or development"
                                )
                            })?;
                        scope.environments.insert(env);
                    }
                    "segment" | "segments" => {
                        if value.is_empty() {
                            return Err(format!("`{entry}` names no segment"));
                        }
                        scope.segments.insert(value.to_string());
                    }
                    "compliance" => {
                        let c = Compliance::parse(value).ok_or_else(|| {
                            format!(
                                "`{entry}` names an unknown compliance regime; use pci_dss, gdpr, \
                                 hipaa or soc2"
                            )
                        })?;
                        scope.compliance.insert(c);
                    }
                    "action" | "actions" => {
                        let a = match value {
                            "create" => ResourceActionKey::Create,
                            "update" => ResourceActionKey::Update,
                            "delete" => ResourceActionKey::Delete,
                            "replace" => ResourceActionKey::Replace,
                            _ => {
                                return Err(format!(
                                    "`{entry}` names an unknown action; use create, update, \
                                     delete or replace"
                                ));
                            }
                        };
                        scope.actions.insert(a);
                    }
                    _ => {
                        return Err(format!(
                            "`{entry}` is neither a resource type nor a gate (environment:, \
                             segments:, compliance:, action:)"
                        ));
                    }
                }
            } else {
                let body = entry.strip_suffix('*').unwrap_or(entry);
                let valid = entry.starts_with("aws_")
                    && body
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
                if !valid {
                    return Err(format!(
                        "`{entry}` is not a Terraform AWS resource type (like aws_db_instance or \
                         aws_db_*)"
                    ));
                }
                scope.types.push(entry.to_string());
            }
        }
        Ok(scope)
    }

    /// True when the resource's type is one of the scope's types (or the scope names none).
    pub fn matches_type(&self, kind: &str) -> bool {
        self.types.is_empty() || self.types.iter().any(|t| type_matches(t, kind))
    }

    /// True when the action passes the scope's action gate.
    pub fn matches_action(&self, action: ResourceAction) -> bool {
        self.actions.is_empty() || self.actions.contains(&action.into())
    }
}

/// Matches a resource type against a pattern with an optional trailing `*`.
pub fn type_matches(pattern: &str, kind: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => kind.starts_with(prefix),
        None => pattern == kind,
    }
}

/// Matches a region against a pattern with an optional trailing `*` (`eu-*`).
pub fn region_matches(pattern: &str, region: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => region.starts_with(prefix),
        None => pattern == region,
    }
}

impl Guardrail {
    /// The rule's cases: its own condition and fix, or its `cases` list.
    pub fn effective_cases(&self) -> Vec<Case> {
        if !self.cases.is_empty() {
            return self.cases.clone();
        }
        match &self.condition {
            Some(c) => vec![Case {
                applies_to: self.applies_to.clone(),
                condition: c.clone(),
                fix: self.fix.clone(),
            }],
            None => Vec::new(),
        }
    }

    /// How many approvals an escalation of this rule needs.
    pub fn approvals_needed(&self) -> u32 {
        self.n_of_m.map(|n| n.n).unwrap_or(1)
    }
}

impl GuardrailPolicy {
    /// Every rule in file order, with its area.
    pub fn rules(&self) -> impl Iterator<Item = (&'static str, &Guardrail)> {
        let r = &self.rules;
        r.security
            .iter()
            .map(|g| ("security", g))
            .chain(r.compliance.iter().map(|g| ("compliance", g)))
            .chain(r.cost.iter().map(|g| ("cost", g)))
            .chain(r.operations.iter().map(|g| ("operations", g)))
    }

    pub fn rule(&self, name: &str) -> Option<&Guardrail> {
        self.rules().map(|(_, g)| g).find(|g| g.name == name)
    }

    /// Parses and validates a guardrails file. `file` names it in errors.
    pub fn parse(file: &str, text: &str) -> Result<GuardrailPolicy, PolicyError> {
        let policy: GuardrailPolicy = parse_yaml(file, text)?;
        policy.validate(file, text)?;
        Ok(policy)
    }

    /// Checks what the YAML shape alone cannot: level and enforcement agree, each kind has what
    /// it needs and nothing it ignores, names are unique and references resolve.
    fn validate(&self, file: &str, text: &str) -> Result<(), PolicyError> {
        let mut names = BTreeSet::new();
        let all: Vec<&Guardrail> = self.rules().map(|(_, g)| g).collect();
        let known: BTreeSet<&str> = all.iter().map(|g| g.name.as_str()).collect();
        for rule in &all {
            let start = rule_line(text, &rule.name);
            let err = |field: &str, message: String| {
                let line = line_of(text, field, start.unwrap_or(1)).or(start);
                Err(PolicyError::new(file, line, Some(field), message))
            };
            let name = &rule.name;
            if name.is_empty()
                || !name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            {
                return err(
                    "name",
                    format!("the rule name `{name}` must be lower_snake_case letters and digits"),
                );
            }
            if !names.insert(name.as_str()) {
                return err("name", format!("two rules are named `{name}`; rename one"));
            }
            let expected = rule.level.enforcement();
            if rule.enforcement != expected {
                return err(
                    "enforcement",
                    format!(
                        "rule `{name}` is {} but its enforcement is {}; a {} rule must use {}",
                        rule.level.as_str(),
                        rule.enforcement.as_str(),
                        rule.level.as_str(),
                        expected.as_str()
                    ),
                );
            }
            if let Err(m) = Scope::parse(&rule.applies_to) {
                return err("applies_to", format!("rule `{name}`: {m}"));
            }
            let has_condition = rule.condition.is_some() || !rule.cases.is_empty();
            if rule.condition.is_some() && !rule.cases.is_empty() {
                return err(
                    "cases",
                    format!("rule `{name}` has both `condition` and `cases`; use one of them"),
                );
            }
            if rule.fix.is_some() && !rule.cases.is_empty() {
                return err(
                    "cases",
                    format!("rule `{name}` has both `fix` and `cases`; put the fix in each case"),
                );
            }
            let ways = [
                has_condition,
                rule.kind.is_some(),
                !rule.requirements.is_empty(),
            ]
            .iter()
            .filter(|&&b| b)
            .count();
            if ways > 1 {
                return err(
                    "kind",
                    format!(
                        "rule `{name}` combines a condition, a kind and requirements; give it \
                         exactly one way to check"
                    ),
                );
            }
            if ways == 0 && rule.requires.is_none() {
                return err(
                    "condition",
                    format!(
                        "rule `{name}` checks nothing; give it a condition, cases, a kind, \
                         requirements or `requires`"
                    ),
                );
            }
            for (i, case) in rule.cases.iter().enumerate() {
                if let Err(m) = Scope::parse(&case.applies_to) {
                    return err("applies_to", format!("rule `{name}`, case {}: {m}", i + 1));
                }
                if let Err(m) = case.condition.validate() {
                    return err("condition", format!("rule `{name}`, case {}: {m}", i + 1));
                }
            }
            if let Some(c) = &rule.condition
                && let Err(m) = c.validate()
            {
                return err("condition", format!("rule `{name}`: {m}"));
            }
            // Fixes.
            let fixes: Vec<&Fix> = rule
                .fix
                .iter()
                .chain(rule.cases.iter().filter_map(|c| c.fix.as_ref()))
                .collect();
            match rule.enforcement {
                Enforcement::AutoFix => {
                    let every_case_fixed = if rule.cases.is_empty() {
                        rule.fix.is_some()
                    } else {
                        rule.cases.iter().all(|c| c.fix.is_some())
                    };
                    if !every_case_fixed {
                        return err(
                            "fix",
                            format!("rule `{name}` is auto-fix but does not say what to fix"),
                        );
                    }
                }
                Enforcement::Veto => {}
                Enforcement::Warning | Enforcement::Escalate => {
                    if !fixes.is_empty() {
                        return err(
                            "fix",
                            format!(
                                "rule `{name}` has a fix but its enforcement is {}; only \
                                 auto-fix and veto rules change plans",
                                rule.enforcement.as_str()
                            ),
                        );
                    }
                }
            }
            for fix in &fixes {
                if fix.set.is_empty() && fix.region.is_none() {
                    return err("fix", format!("rule `{name}` has an empty fix"));
                }
                if fix.region.is_some() && rule.kind != Some(CheckKind::DataResidency) {
                    return err(
                        "region",
                        format!("rule `{name}`: only a data_residency rule can move the region"),
                    );
                }
                if !fix.set.is_empty() && !has_condition {
                    return err(
                        "set",
                        format!("rule `{name}`: `set` fixes need a condition naming what to fix"),
                    );
                }
            }
            if rule.kind == Some(CheckKind::DataResidency)
                && rule.enforcement == Enforcement::AutoFix
                && !fixes.iter().any(|f| f.region.is_some())
            {
                return err(
                    "fix",
                    format!("rule `{name}` is auto-fix but its fix names no `region`"),
                );
            }
            // Escalations.
            if rule.enforcement == Enforcement::Escalate {
                if rule.approvers.is_empty() {
                    return err(
                        "approvers",
                        format!("rule `{name}` escalates but names no approvers"),
                    );
                }
            } else if !rule.approvers.is_empty() || rule.n_of_m.is_some() {
                return err(
                    "approvers",
                    format!(
                        "rule `{name}` names approvers but its enforcement is {}; only escalate \
                         rules have approvers",
                        rule.enforcement.as_str()
                    ),
                );
            }
            if let Some(n) = rule.n_of_m
                && (n.n == 0 || n.n as usize > rule.approvers.len())
            {
                return err(
                    "n_of_m",
                    format!(
                        "rule `{name}` needs {} approvals from {} approvers; n must be between 1 \
                         and the number of approvers",
                        n.n,
                        rule.approvers.len()
                    ),
                );
            }
            if rule.requires.is_some() && rule.enforcement != Enforcement::Escalate {
                return err(
                    "requires",
                    format!("rule `{name}`: only escalate rules can be satisfied by evidence"),
                );
            }
            // Kind-specific fields.
            let kind = rule.kind;
            if (kind == Some(CheckKind::MonthlyCost)) != rule.threshold.is_some() {
                return err(
                    "threshold",
                    format!("rule `{name}`: a monthly_cost rule needs a `threshold`, and only it"),
                );
            }
            if let Some(t) = rule.threshold
                && (!t.is_finite() || t < 0.0)
            {
                return err(
                    "threshold",
                    format!("rule `{name}`: the threshold must be a non-negative number"),
                );
            }
            if !rule.allowed_ports.is_empty() && kind != Some(CheckKind::WorldOpenIngress) {
                return err(
                    "allowed_ports",
                    format!("rule `{name}`: only a world_open_ingress rule has `allowed_ports`"),
                );
            }
            if (kind == Some(CheckKind::DataResidency)) == rule.allowed_regions.is_empty() {
                return err(
                    "allowed_regions",
                    format!(
                        "rule `{name}`: a data_residency rule needs `allowed_regions`, and only it"
                    ),
                );
            }
            if !rule.ticket_prefixes.is_empty() && rule.requires != Some(Evidence::ChangeTicket) {
                return err(
                    "ticket_prefixes",
                    format!(
                        "rule `{name}`: `ticket_prefixes` only applies to `requires: change_ticket`"
                    ),
                );
            }
            if rule.requires == Some(Evidence::ChangeTicket) && rule.ticket_prefixes.is_empty() {
                return err(
                    "ticket_prefixes",
                    format!("rule `{name}` requires a change ticket but names no ticket prefixes"),
                );
            }
            if rule
                .ticket_prefixes
                .iter()
                .any(|p| p.is_empty() || !p.chars().all(|c| c.is_ascii_alphanumeric()))
            {
                return err(
                    "ticket_prefixes",
                    format!("rule `{name}`: a ticket prefix is letters and digits, like CHG"),
                );
            }
            for req in &rule.requirements {
                if !self.requirements.contains_key(req) {
                    return err(
                        "requirements",
                        format!(
                            "rule `{name}` requires `{req}`, which the file's `requirements` \
                             section does not define"
                        ),
                    );
                }
            }
            for s in &rule.supersedes {
                if !known.contains(s.as_str()) || s == name {
                    return err(
                        "supersedes",
                        format!("rule `{name}` supersedes `{s}`, which is not another rule"),
                    );
                }
            }
            for (field, template) in [("message", &rule.message), ("suggestion", &rule.suggestion)]
            {
                if let Some(t) = template
                    && let Some(bad) = unknown_placeholder(t)
                {
                    return err(
                        field,
                        format!(
                            "rule `{name}` uses the unknown placeholder `{{{bad}}}`; known ones \
                             are {}",
                            PLACEHOLDERS.join(", ")
                        ),
                    );
                }
            }
        }
        for (rname, req) in &self.requirements {
            let start = line_of(text, rname, 1);
            let err = |field: &str, message: String| {
                let line = line_of(text, field, start.unwrap_or(1)).or(start);
                Err(PolicyError::new(file, line, Some(field), message))
            };
            if req.present.is_empty() && req.every.is_empty() {
                return err(
                    "present",
                    format!("requirement `{rname}` needs `present` or `every` selectors"),
                );
            }
            for sel in req.present.iter().chain(&req.every) {
                match Scope::parse(&sel.applies_to) {
                    Err(m) => return err("applies_to", format!("requirement `{rname}`: {m}")),
                    Ok(s) if s.types.is_empty() => {
                        return err(
                            "applies_to",
                            format!("requirement `{rname}`: a selector must name resource types"),
                        );
                    }
                    Ok(_) => {}
                }
                if let Some(c) = &sel.condition
                    && let Err(m) = c.validate()
                {
                    return err("condition", format!("requirement `{rname}`: {m}"));
                }
            }
            for sel in &req.every {
                if sel.condition.is_none() {
                    return err(
                        "condition",
                        format!("requirement `{rname}`: an `every` selector needs a condition"),
                    );
                }
            }
        }
        let ic = &self.intent_check;
        if !ic.size_factor.is_finite() || ic.size_factor < 1.0 {
            let line = line_of(text, "size_factor", 1);
            return Err(PolicyError::new(
                file,
                line,
                Some("size_factor"),
                "the intent check's size_factor must be a number of at least 1",
            ));
        }
        Ok(())
    }
}

/// The line of `name: <rule>` in the text.
fn rule_line(text: &str, name: &str) -> Option<usize> {
    text.lines()
        .enumerate()
        .find(|(_, l)| {
            let t = l.trim_start().trim_start_matches("- ").trim();
            t.strip_prefix("name:")
                .map(|v| v.trim().trim_matches(|c| c == '"' || c == '\'') == name)
                .unwrap_or(false)
        })
        .map(|(i, _)| i + 1)
}

/// The first `{placeholder}` in a template that is not a known one.
fn unknown_placeholder(template: &str) -> Option<String> {
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let close = after.find('}')?;
        let key = &after[..close];
        if !PLACEHOLDERS.contains(&key) {
            return Some(key.to_string());
        }
        rest = &after[close + 1..];
    }
    None
}

/// Fills `{placeholder}`s of a template from `values`; unknown ones stay as written.
pub fn render(template: &str, values: &BTreeMap<&str, String>) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                let key = &after[..close];
                match values.get(key) {
                    Some(v) => out.push_str(v),
                    None => {
                        out.push('{');
                        out.push_str(key);
                        out.push('}');
                    }
                }
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

impl Condition {
    /// Checks that exactly one operator is given, with an attribute exactly when it needs one.
    pub fn validate(&self) -> Result<(), String> {
        let ops = [
            self.equals.is_some(),
            self.not_equals.is_some(),
            self.missing.is_some(),
            self.contains.is_some(),
            self.greater_than.is_some(),
            self.less_than.is_some(),
            self.in_.is_some(),
            self.not_in.is_some(),
            self.matches_cidr_world.is_some(),
        ]
        .iter()
        .filter(|&&b| b)
        .count();
        let combinators = [self.all.is_some(), self.any.is_some(), self.not.is_some()]
            .iter()
            .filter(|&&b| b)
            .count();
        if ops + combinators != 1 {
            return Err(
                "a condition needs exactly one operator (equals, not_equals, missing, contains, \
                 greater_than, less_than, in, not_in, matches_cidr_world) or one of all, any, not"
                    .to_string(),
            );
        }
        if ops == 1 && self.attribute.as_deref().is_none_or(str::is_empty) {
            return Err("a condition with an operator needs an `attribute`".to_string());
        }
        if combinators == 1 && self.attribute.is_some() {
            return Err("`all`, `any` and `not` take no `attribute`".to_string());
        }
        for c in self.all.iter().chain(self.any.iter()).flatten() {
            c.validate()?;
        }
        if let Some(c) = &self.not {
            c.validate()?;
        }
        Ok(())
    }

    /// Evaluates the condition against a resource's attributes.
    pub fn holds(&self, values: &Map<String, Value>) -> bool {
        if let Some(all) = &self.all {
            return all.iter().all(|c| c.holds(values));
        }
        if let Some(any) = &self.any {
            return any.iter().any(|c| c.holds(values));
        }
        if let Some(not) = &self.not {
            return !not.holds(values);
        }
        let path = self.attribute.as_deref().unwrap_or("");
        let found = lookup(values, path);
        if let Some(v) = &self.equals {
            return found.iter().any(|f| loosely_equal(f, v));
        }
        if let Some(v) = &self.not_equals {
            // Per block: over a list of blocks (`ebs_block_device.encrypted`), one block that
            // lacks the value or differs is enough.
            let slots = lookup_slots(values, path);
            return slots.is_empty()
                || slots.iter().any(|s| s.is_none_or(|f| !loosely_equal(f, v)));
        }
        if let Some(m) = self.missing {
            // An empty list of blocks is no block at all.
            let absent = found
                .iter()
                .all(|f| matches!(f, Value::Array(items) if items.is_empty()));
            return absent == m;
        }
        if let Some(v) = &self.contains {
            return found.iter().any(|f| match (f, v) {
                (Value::String(s), Value::String(needle)) => s.contains(needle.as_str()),
                (Value::Array(items), _) => items.iter().any(|i| loosely_equal(i, v)),
                _ => false,
            });
        }
        if let Some(t) = self.greater_than {
            return found.iter().filter_map(as_number).any(|n| n > t);
        }
        if let Some(t) = self.less_than {
            return found.iter().filter_map(as_number).any(|n| n < t);
        }
        if let Some(list) = &self.in_ {
            return found
                .iter()
                .any(|f| list.iter().any(|v| loosely_equal(f, v)));
        }
        if let Some(list) = &self.not_in {
            return !found
                .iter()
                .any(|f| list.iter().any(|v| loosely_equal(f, v)));
        }
        if let Some(w) = self.matches_cidr_world {
            let world = found.iter().any(|f| match f {
                Value::String(s) => is_world_cidr(s),
                Value::Array(items) => items.iter().any(|i| i.as_str().is_some_and(is_world_cidr)),
                _ => false,
            });
            return world == w;
        }
        false
    }

    /// A short description for messages (`storage_encrypted is not true`).
    pub fn describe(&self) -> String {
        let a = self.attribute.as_deref().unwrap_or("");
        if let Some(v) = &self.equals {
            return format!("{a} is {}", show(v));
        }
        if let Some(v) = &self.not_equals {
            return format!("{a} is not {}", show(v));
        }
        if let Some(m) = self.missing {
            return if m {
                format!("{a} is not set")
            } else {
                format!("{a} is set")
            };
        }
        if let Some(v) = &self.contains {
            return format!("{a} contains {}", show(v));
        }
        if let Some(t) = self.greater_than {
            return format!("{a} is above {t}");
        }
        if let Some(t) = self.less_than {
            return format!("{a} is below {t}");
        }
        if let Some(l) = &self.in_ {
            return format!(
                "{a} is one of {}",
                l.iter().map(show).collect::<Vec<_>>().join(", ")
            );
        }
        if let Some(l) = &self.not_in {
            return format!(
                "{a} is none of {}",
                l.iter().map(show).collect::<Vec<_>>().join(", ")
            );
        }
        if self.matches_cidr_world.is_some() {
            return format!("{a} is open to the whole internet");
        }
        let join = |cs: &Vec<Condition>, sep: &str| {
            cs.iter()
                .map(Condition::describe)
                .collect::<Vec<_>>()
                .join(sep)
        };
        if let Some(all) = &self.all {
            return join(all, " and ");
        }
        if let Some(any) = &self.any {
            return join(any, " or ");
        }
        if let Some(n) = &self.not {
            return format!("not ({})", n.describe());
        }
        String::new()
    }
}

/// Shows a JSON value the way a person writes it (strings without quotes).
pub fn show(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "null".to_string(),
        other => other.to_string(),
    }
}

fn as_number(v: &&Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A value as Terraform would read it for a bool attribute: `true`/`false` in any case, `"1"`/`"0"`
/// and the numbers 1 and 0 (provider JSON and hand-written plans use all of them), and the words
/// people write for a switch: `yes`/`on`/`enabled` and `no`/`off`/`disabled`, in any case.
pub fn as_bool(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" | "on" | "enabled" => Some(true),
            "false" | "0" | "no" | "off" | "disabled" => Some(false),
            _ => None,
        },
        Value::Number(n) => match n.as_f64() {
            Some(1.0) => Some(true),
            Some(0.0) => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// Equality the way Terraform coerces scalars: a bool equals its spellings (`"true"`, `"TRUE"`,
/// `1`, `"1"`, `"Yes"`, `"on"`, `"ENABLED"`), a number equals its string (`"0"` is 0), and strings compare trimmed and without
/// regard to case (`PUBLIC-READ` is `public-read`).
fn loosely_equal(a: &Value, b: &Value) -> bool {
    if a == b {
        return true;
    }
    match (a, b) {
        (Value::Bool(x), other) | (other, Value::Bool(x)) => as_bool(other) == Some(*x),
        (Value::Number(n), Value::String(s)) | (Value::String(s), Value::Number(n)) => {
            match (n.as_f64(), s.trim().parse::<f64>()) {
                (Some(x), Ok(y)) => x == y,
                _ => false,
            }
        }
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::String(x), Value::String(y)) => x.trim().eq_ignore_ascii_case(y.trim()),
        _ => false,
    }
}

/// Every value at a dotted path; lists fan out, so `ingress.cidr_blocks` yields each rule's list.
/// Nulls count as missing.
pub fn lookup<'a>(values: &'a Map<String, Value>, path: &str) -> Vec<&'a Value> {
    let mut parts = path.split('.');
    let Some(first) = parts.next() else {
        return Vec::new();
    };
    let mut current: Vec<&Value> = values.get(first).into_iter().collect();
    for part in parts {
        let mut next = Vec::new();
        for v in current {
            match v {
                Value::Object(m) => next.extend(m.get(part)),
                Value::Array(items) => {
                    for item in items {
                        if let Value::Object(m) = item {
                            next.extend(m.get(part));
                        }
                    }
                }
                _ => {}
            }
        }
        current = next;
    }
    current.retain(|v| !v.is_null());
    current
}

/// The values at a dotted path, one slot per block reached: over a list of blocks, a block that
/// lacks the last key is a `None` slot (a block reached only part way, like a mapping without
/// `ebs`, is no slot). Nulls count as missing.
pub fn lookup_slots<'a>(values: &'a Map<String, Value>, path: &str) -> Vec<Option<&'a Value>> {
    let parts: Vec<&str> = path.split('.').collect();
    let Some((last, init)) = parts.split_last() else {
        return Vec::new();
    };
    let mut holders: Vec<&Map<String, Value>> = vec![values];
    for part in init {
        let mut next = Vec::new();
        for m in holders {
            match m.get(*part) {
                Some(Value::Object(o)) => next.push(o),
                Some(Value::Array(items)) => {
                    next.extend(items.iter().filter_map(Value::as_object));
                }
                _ => {}
            }
        }
        holders = next;
    }
    let mut out = Vec::new();
    for m in holders {
        match m.get(*last) {
            None | Some(Value::Null) => out.push(None),
            Some(v) => out.push(Some(v)),
        }
    }
    // An attribute absent from the top level is no slot at all (`missing`), not an empty block.
    if init.is_empty() && out == [None] {
        return Vec::new();
    }
    out
}

/// Sets a value at a dotted path, creating objects on the way and setting it in every element of
/// a list on the way (a Terraform block list like `root_block_device`).
pub fn set_path(values: &mut Map<String, Value>, path: &str, value: Value) {
    match path.split_once('.') {
        None => {
            values.insert(path.to_string(), value);
        }
        Some((head, rest)) => {
            let slot = values
                .entry(head.to_string())
                .or_insert_with(|| Value::Object(Map::new()));
            if slot.is_null() || !(slot.is_object() || slot.is_array()) {
                *slot = Value::Object(Map::new());
            }
            match slot {
                Value::Object(m) => set_path(m, rest, value),
                Value::Array(items) => {
                    if items.is_empty() {
                        items.push(Value::Object(Map::new()));
                    }
                    for item in items.iter_mut() {
                        if !item.is_object() {
                            *item = Value::Object(Map::new());
                        }
                        if let Value::Object(m) = item {
                            set_path(m, rest, value.clone());
                        }
                    }
                }
                _ => {}
            }
        }
    }
}

impl Fix {
    /// Applies the attribute part of the fix to a resource; returns what it set, for messages.
    pub fn apply(&self, resource: &mut Resource) -> Vec<String> {
        let mut done = Vec::new();
        for (path, value) in &self.set {
            set_path(&mut resource.values, path, value.clone());
            done.push(format!("{path} = {}", show(value)));
        }
        done
    }

    /// What the fix sets, for messages.
    pub fn describe(&self) -> String {
        let mut parts: Vec<String> = self
            .set
            .iter()
            .map(|(p, v)| format!("{p} = {}", show(v)))
            .collect();
        if let Some(r) = &self.region {
            parts.push(format!("region = {r}"));
        }
        parts.join(", ")
    }
}

/// True when a CIDR covers so much of the address space that it means "the internet": IPv4
/// prefixes shorter than /8 (no private range is larger than 10.0.0.0/8, and splitting 0.0.0.0/0
/// into halves must not slip through) and IPv6 prefixes shorter than /16 (`::/0`, `2000::/3`).
pub fn is_world_cidr(cidr: &str) -> bool {
    let cidr = cidr.trim();
    let Some((addr, prefix)) = cidr.split_once('/') else {
        return false;
    };
    let Ok(prefix) = prefix.trim().parse::<u8>() else {
        return false;
    };
    if addr.contains(':') {
        prefix < 16
    } else {
        prefix < 8
    }
}

impl fmt::Display for CheckKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => Map::new(),
        }
    }

    fn cond(yaml: &str) -> Condition {
        crate::policy::parse_yaml("c.yaml", yaml).unwrap()
    }

    #[test]
    fn not_equals_fires_on_missing_and_false() {
        let c = cond("{attribute: storage_encrypted, not_equals: true}");
        assert!(c.holds(&obj(json!({}))));
        assert!(c.holds(&obj(json!({"storage_encrypted": false}))));
        assert!(!c.holds(&obj(json!({"storage_encrypted": true}))));
        assert!(!c.holds(&obj(json!({"storage_encrypted": "true"}))));
    }

    #[test]
    fn loose_spellings_compare_as_terraform_coerces_them() {
        let public = cond("{attribute: publicly_accessible, equals: true}");
        for v in [
            json!(true),
            json!(1),
            json!("1"),
            json!("true"),
            json!("TRUE"),
            json!(" True "),
        ] {
            assert!(
                public.holds(&obj(json!({"publicly_accessible": v.clone()}))),
                "{v}"
            );
        }
        for v in [
            json!(false),
            json!(0),
            json!("0"),
            json!("false"),
            json!("no"),
            json!(2),
        ] {
            assert!(
                !public.holds(&obj(json!({"publicly_accessible": v.clone()}))),
                "{v}"
            );
        }
        let enc = cond("{attribute: storage_encrypted, not_equals: true}");
        assert!(enc.holds(&obj(json!({"storage_encrypted": 0}))));
        assert!(enc.holds(&obj(json!({"storage_encrypted": "FALSE"}))));
        assert!(!enc.holds(&obj(json!({"storage_encrypted": 1}))));
        let acl = cond("{attribute: acl, in: [public-read, public-read-write]}");
        assert!(acl.holds(&obj(json!({"acl": "PUBLIC-READ"}))));
        assert!(!acl.holds(&obj(json!({"acl": "private"}))));
        let days = cond("{attribute: backup_retention_period, less_than: 7}");
        assert!(days.holds(&obj(json!({"backup_retention_period": "0"}))));
        assert!(cond("{attribute: n, equals: 0}").holds(&obj(json!({"n": "0"}))));
        assert_eq!(as_bool(&json!("1")), Some(true));
        assert_eq!(as_bool(&json!("maybe")), None);
        for yes in ["Yes", "yes", "ON", "on", "Enabled", " ENABLED "] {
            assert_eq!(as_bool(&json!(yes)), Some(true), "{yes}");
            assert!(
                public.holds(&obj(json!({"publicly_accessible": yes}))),
                "{yes}"
            );
        }
        for no in ["No", "off", "OFF", "disabled", "Disabled"] {
            assert_eq!(as_bool(&json!(no)), Some(false), "{no}");
            assert!(
                !public.holds(&obj(json!({"publicly_accessible": no}))),
                "{no}"
            );
            assert!(enc.holds(&obj(json!({"storage_encrypted": no}))), "{no}");
        }
        assert!(!enc.holds(&obj(json!({"storage_encrypted": "Yes"}))));
    }

    #[test]
    fn not_equals_judges_each_block_of_a_list() {
        let c = cond("{attribute: ebs_block_device.encrypted, not_equals: true}");
        let one_plain = obj(json!({"ebs_block_device": [
            {"device_name": "/dev/sdb", "encrypted": true},
            {"device_name": "/dev/sdc", "encrypted": false}
        ]}));
        assert!(c.holds(&one_plain));
        let one_unsaid = obj(json!({"ebs_block_device": [
            {"device_name": "/dev/sdb", "encrypted": true}, {"device_name": "/dev/sdc"}
        ]}));
        assert!(c.holds(&one_unsaid));
        let all = obj(json!({"ebs_block_device": [{"encrypted": "true"}, {"encrypted": 1}]}));
        assert!(!c.holds(&all));
        // A single block written as an object reads the same as a list of one.
        assert!(c.holds(&obj(json!({"ebs_block_device": {"encrypted": false}}))));
        assert!(!c.holds(&obj(json!({"ebs_block_device": {"encrypted": true}}))));
        // An empty list of blocks is missing.
        let present = cond("{attribute: ebs_block_device, missing: false}");
        assert!(!present.holds(&obj(json!({"ebs_block_device": []}))));
        assert!(present.holds(&obj(json!({"ebs_block_device": [{}]}))));
    }

    #[test]
    fn paths_fan_out_over_lists() {
        let v = obj(json!({"ingress": [
            {"from_port": 443, "cidr_blocks": ["10.0.0.0/16"]},
            {"from_port": 22, "cidr_blocks": ["0.0.0.0/0"]}
        ]}));
        assert!(cond("{attribute: ingress.from_port, equals: 22}").holds(&v));
        assert!(cond("{attribute: ingress.cidr_blocks, matches_cidr_world: true}").holds(&v));
        assert!(!cond("{attribute: ingress.from_port, in: [80, 8080]}").holds(&v));
        assert!(cond("{attribute: ingress.from_port, greater_than: 100}").holds(&v));
        assert!(!cond("{attribute: ingress.from_port, less_than: 22}").holds(&v));
    }

    #[test]
    fn combinators_compose() {
        let c = cond(
            "any:\n  - {attribute: tags.segment, equals: prod-pci}\n  - all:\n      - {attribute: a, missing: false}\n      - not: {attribute: b, contains: x}\n",
        );
        assert!(c.holds(&obj(json!({"tags": {"segment": "prod-pci"}}))));
        assert!(c.holds(&obj(json!({"a": 1, "b": "yyy"}))));
        assert!(!c.holds(&obj(json!({"a": 1, "b": "xyz"}))));
        assert!(!c.holds(&obj(json!({"b": "y"}))));
    }

    #[test]
    fn a_condition_needs_exactly_one_operator() {
        assert!(
            cond("{attribute: a, equals: 1, missing: true}")
                .validate()
                .is_err()
        );
        assert!(cond("{attribute: a}").validate().is_err());
        assert!(cond("{equals: 1}").validate().is_err());
        assert!(cond("{attribute: a, equals: 1}").validate().is_ok());
    }

    #[test]
    fn set_path_creates_objects_and_fills_lists() {
        let mut v = obj(json!({"root_block_device": [{"volume_size": 8}]}));
        set_path(&mut v, "root_block_device.encrypted", json!(true));
        set_path(&mut v, "a.b.c", json!(1));
        assert_eq!(v["root_block_device"][0]["encrypted"], json!(true));
        assert_eq!(v["root_block_device"][0]["volume_size"], json!(8));
        assert_eq!(v["a"]["b"]["c"], json!(1));
    }

    #[test]
    fn world_cidrs() {
        assert!(is_world_cidr("0.0.0.0/0"));
        assert!(is_world_cidr("::/0"));
        assert!(is_world_cidr("0.0.0.0/1"));
        assert!(is_world_cidr("2000::/3"));
        assert!(!is_world_cidr("10.0.0.0/8"));
        assert!(!is_world_cidr("203.0.113.7/32"));
        assert!(!is_world_cidr("nonsense"));
    }

    #[test]
    fn scopes_parse_types_and_gates() {
        let s = Scope::parse(&[
            "aws_db_instance".into(),
            "aws_rds_*".into(),
            "environment:production".into(),
            "segments:prod-pci".into(),
            "compliance:gdpr".into(),
            "action:delete".into(),
        ])
        .unwrap();
        assert!(s.matches_type("aws_rds_cluster"));
        assert!(!s.matches_type("aws_s3_bucket"));
        assert!(s.environments.contains(&Environment::Production));
        assert!(s.matches_action(ResourceAction::Delete));
        assert!(!s.matches_action(ResourceAction::Create));
        assert!(Scope::parse(&["environment:prod".into()]).is_err());
        assert!(Scope::parse(&["db_instance".into()]).is_err());
        assert!(Scope::parse(&["colour:blue".into()]).is_err());
    }

    #[test]
    fn render_fills_known_placeholders() {
        let mut m = BTreeMap::new();
        m.insert("resource", "aws_db_instance.main".to_string());
        assert_eq!(
            render("{resource} is {x}", &m),
            "aws_db_instance.main is {x}"
        );
        assert_eq!(
            unknown_placeholder("a {resource} b {nope}"),
            Some("nope".to_string())
        );
        assert_eq!(unknown_placeholder("no braces"), None);
    }
}
