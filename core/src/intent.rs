//! What paved understood from a request: the contract's `Intent`.

use serde::{Deserialize, Serialize};
use std::fmt;

/// What the user wants done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    #[default]
    Create,
    Modify,
    Scale,
    Delete,
    Rollback,
}

/// The environment a request targets. QA/test/UAT are `Staging`; dev/sandbox/non-prod are
/// `Development`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "snake_case")]
pub enum Environment {
    #[default]
    Production,
    Staging,
    Development,
}

impl Environment {
    pub const ALL: [Environment; 3] =
        [Environment::Production, Environment::Staging, Environment::Development];

    pub fn as_str(self) -> &'static str {
        match self {
            Environment::Production => "production",
            Environment::Staging => "staging",
            Environment::Development => "development",
        }
    }

    /// The short form used in resource names and tags (`prod`, `stg`, `dev`).
    pub fn short(self) -> &'static str {
        match self {
            Environment::Production => "prod",
            Environment::Staging => "stg",
            Environment::Development => "dev",
        }
    }
}

impl fmt::Display for Environment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A building block a request needs or names.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Component {
    Postgres,
    Mysql,
    Redis,
    Dynamodb,
    S3,
    Sqs,
    Gpu,
    Lambda,
}

impl Component {
    pub const ALL: [Component; 8] = [
        Component::Postgres,
        Component::Mysql,
        Component::Redis,
        Component::Dynamodb,
        Component::S3,
        Component::Sqs,
        Component::Gpu,
        Component::Lambda,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Component::Postgres => "postgres",
            Component::Mysql => "mysql",
            Component::Redis => "redis",
            Component::Dynamodb => "dynamodb",
            Component::S3 => "s3",
            Component::Sqs => "sqs",
            Component::Gpu => "gpu",
            Component::Lambda => "lambda",
        }
    }

    /// A relational database engine.
    pub fn is_relational(self) -> bool {
        matches!(self, Component::Postgres | Component::Mysql)
    }

    pub fn parse(s: &str) -> Option<Component> {
        Component::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

impl fmt::Display for Component {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A compliance regime the request falls under.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Compliance {
    PciDss,
    Gdpr,
    Hipaa,
    Soc2,
}

impl Compliance {
    pub const ALL: [Compliance; 4] =
        [Compliance::PciDss, Compliance::Gdpr, Compliance::Hipaa, Compliance::Soc2];

    pub fn as_str(self) -> &'static str {
        match self {
            Compliance::PciDss => "pci_dss",
            Compliance::Gdpr => "gdpr",
            Compliance::Hipaa => "hipaa",
            Compliance::Soc2 => "soc2",
        }
    }

    /// How a person writes it.
    pub fn label(self) -> &'static str {
        match self {
            Compliance::PciDss => "PCI-DSS",
            Compliance::Gdpr => "GDPR",
            Compliance::Hipaa => "HIPAA",
            Compliance::Soc2 => "SOC 2",
        }
    }

    pub fn parse(s: &str) -> Option<Compliance> {
        Compliance::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

impl fmt::Display for Compliance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The contract's Intent: everything paved understood from one plain-English request.
///
/// Lists are kept sorted and free of duplicates so that two readings of the same request compare
/// equal and serialise identically.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Intent {
    pub action: Action,
    /// The golden path id, or `None` when none fits or the action is not `create`.
    pub golden_path: Option<String>,
    pub environment: Environment,
    pub components: Vec<Component>,
    pub compliance: Vec<Compliance>,
    /// An AWS region code.
    pub region: String,
    /// Lower-case names of choices outside every golden path that the user asked for.
    pub off_road: Vec<String>,
    /// A cron expression when the request runs on a schedule.
    pub schedule: Option<String>,
    pub budget_monthly_usd: Option<f64>,
    /// The service or resource the request names (`payment-service`, `billing-db`, `req-12345`).
    pub service: Option<String>,
    /// How sure the understander is, from 0 to 1.
    pub confidence: f64,
    /// What was assumed and not said, in plain English.
    pub assumptions: Vec<String>,
    /// Questions that must be answered before planning. Non-empty means no plan.
    pub clarifications: Vec<String>,
    /// Facts the contract does not name but planning and the audit use. Extra fields are allowed
    /// by the contract; these are always present so that the JSON shape is stable.
    #[serde(default)]
    pub details: IntentDetails,
}

/// Extra, non-contract facts of an intent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct IntentDetails {
    /// A short summary of the goal in the user's own terms ("web app for payment processing").
    pub goal: String,
    /// Components the user explicitly ruled out ("no cache" → redis).
    pub excluded_components: Vec<Component>,
    /// Instance sizes or classes the user named ("db.t3.medium", "r5.large").
    pub requested_sizes: Vec<String>,
    /// Change-ticket ids found in the request (`CHG-1234`).
    pub change_tickets: Vec<String>,
    /// Request ids the request names (`req-12345`).
    pub request_ids: Vec<String>,
    /// The workload size the user described, if any: `small`, `medium`, `large`.
    pub scale: Option<String>,
    /// Whether the data is personal data of people in the EU.
    pub eu_personal_data: bool,
    /// Whether the user asked for a public endpoint (`public API`, `internet-facing`).
    pub public: bool,
}

impl Intent {
    /// An intent with every field at its neutral default; understanders fill it in.
    pub fn empty() -> Intent {
        Intent {
            action: Action::Create,
            golden_path: None,
            environment: Environment::Production,
            components: Vec::new(),
            compliance: Vec::new(),
            region: "us-east-1".to_string(),
            off_road: Vec::new(),
            schedule: None,
            budget_monthly_usd: None,
            service: None,
            confidence: 0.0,
            assumptions: Vec::new(),
            clarifications: Vec::new(),
            details: IntentDetails::default(),
        }
    }

    pub fn has(&self, c: Component) -> bool {
        self.components.contains(&c)
    }

    pub fn requires(&self, c: Compliance) -> bool {
        self.compliance.contains(&c)
    }

    /// True when planning must wait for answers.
    pub fn needs_clarification(&self) -> bool {
        !self.clarifications.is_empty()
    }

    /// Sorts and de-duplicates the list fields.
    pub fn normalise(&mut self) {
        self.components.sort();
        self.components.dedup();
        self.compliance.sort();
        self.compliance.dedup();
        self.off_road.sort();
        self.off_road.dedup();
        self.details.excluded_components.sort();
        self.details.excluded_components.dedup();
        dedup_keep_order(&mut self.assumptions);
        dedup_keep_order(&mut self.clarifications);
    }
}

fn dedup_keep_order(v: &mut Vec<String>) {
    let mut seen = std::collections::HashSet::new();
    v.retain(|s| seen.insert(s.clone()));
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Modify => "modify",
            Action::Scale => "scale",
            Action::Delete => "delete",
            Action::Rollback => "rollback",
        }
    }
}

impl Intent {
    pub fn action_str(&self) -> &'static str {
        self.action.as_str()
    }
}
