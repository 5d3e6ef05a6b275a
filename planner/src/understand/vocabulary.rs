//! Every word the rule-based understander knows, as data.
//!
//! The logic in the sibling modules never spells a word of English: it asks these tables. A new
//! synonym, place, compliance cue, path keyword or off-road runtime is one line here (or, for path
//! keywords, one line in a golden path's YAML file), never a code change.
//!
//! Phrases are written in lower case with single spaces; they are tokenised exactly like a request,
//! so `"e-commerce"` and `"node.js"` stay single words and `"black friday"` is two. A phrase matches
//! the longest run of request words it can, so `"data science"` wins over `"data"`.

use paved_core::{Action, Compliance, Component, Environment};

/// The golden path ids shipped with paved, in the order used to break ties between equal scores.
pub const STANDARD_WEB_APP: &str = "standard_web_app";
pub const DATA_PIPELINE: &str = "data_pipeline";
pub const MACHINE_LEARNING: &str = "machine_learning";
pub const BATCH_PROCESSING: &str = "batch_processing";
pub const API_MICROSERVICE: &str = "api_microservice";

/// The five shipped golden paths and the components each brings when the request names none of
/// that kind. The policy files can override the defaults through `PathHint`.
pub const BUILTIN_PATHS: &[(&str, &[Component])] = &[
    (STANDARD_WEB_APP, &[Component::Postgres, Component::Redis]),
    (DATA_PIPELINE, &[Component::S3, Component::Lambda]),
    (MACHINE_LEARNING, &[Component::S3, Component::Gpu]),
    (BATCH_PROCESSING, &[Component::S3]),
    (API_MICROSERVICE, &[Component::Lambda, Component::Dynamodb]),
];

/// The golden path chosen when a request names an environment but no workload at all ("add a
/// development environment"): the most common path, stated as an assumption.
pub const FALLBACK_PATH: &str = STANDARD_WEB_APP;

// ---------------------------------------------------------------------------------------------
// Environments
// ---------------------------------------------------------------------------------------------

/// How strongly a word names an environment. A strong word ("staging") beats a weak one ("for
/// testing", which is usually a purpose, not a place).
pub const STRONG: u8 = 3;
pub const MEDIUM: u8 = 2;
pub const WEAK: u8 = 1;

/// Environment words and their strength.
pub const ENVIRONMENTS: &[(&str, Environment, u8)] = &[
    ("production", Environment::Production, STRONG),
    ("prod", Environment::Production, STRONG),
    ("prd", Environment::Production, STRONG),
    ("live", Environment::Production, MEDIUM),
    ("go live", Environment::Production, MEDIUM),
    ("production-grade", Environment::Production, WEAK),
    ("production-ready", Environment::Production, WEAK),
    ("production ready", Environment::Production, WEAK),
    ("production grade", Environment::Production, WEAK),
    ("staging", Environment::Staging, STRONG),
    ("stage", Environment::Staging, MEDIUM),
    ("stg", Environment::Staging, STRONG),
    ("qa", Environment::Staging, STRONG),
    ("uat", Environment::Staging, STRONG),
    ("user acceptance", Environment::Staging, STRONG),
    ("acceptance", Environment::Staging, MEDIUM),
    ("pre-prod", Environment::Staging, STRONG),
    ("preprod", Environment::Staging, STRONG),
    ("pre-production", Environment::Staging, STRONG),
    ("preproduction", Environment::Staging, STRONG),
    ("pre production", Environment::Staging, STRONG),
    ("test", Environment::Staging, MEDIUM),
    ("testing", Environment::Staging, WEAK),
    ("development", Environment::Development, STRONG),
    ("dev", Environment::Development, STRONG),
    ("develop", Environment::Development, WEAK),
    ("sandbox", Environment::Development, STRONG),
    ("non-prod", Environment::Development, STRONG),
    ("nonprod", Environment::Development, STRONG),
    ("non prod", Environment::Development, STRONG),
    ("non-production", Environment::Development, STRONG),
    ("nonproduction", Environment::Development, STRONG),
    ("non production", Environment::Development, STRONG),
    ("playground", Environment::Development, MEDIUM),
    ("demo", Environment::Development, WEAK),
    ("prototype", Environment::Development, WEAK),
    ("proof of concept", Environment::Development, WEAK),
    ("poc", Environment::Development, WEAK),
];

/// Words right after an environment word that make it a place ("prod environment") and add to its
/// strength.
pub const ENVIRONMENT_NOUNS: &[&str] = &[
    "environment",
    "env",
    "environments",
    "account",
    "cluster",
    "stack",
    "tier",
    "deployment",
];

/// Words right before an environment word that make it a destination ("in staging", "to prod").
pub const ENVIRONMENT_PREPOSITIONS: &[&str] = &["in", "to", "into", "on", "for", "onto"];

/// Words right after an environment word that make it describe people or tooling, not a place:
/// "a dashboard for the dev team" is not a development environment.
pub const ENVIRONMENT_NOT_BEFORE: &[&str] = &[
    "team",
    "teams",
    "tools",
    "tooling",
    "people",
    "folks",
    "engineers",
    "productivity",
    "experience",
    "data",
    "suite",
    "suites",
    "cases",
    "results",
    "traffic",
    "users",
];

// ---------------------------------------------------------------------------------------------
// Components
// ---------------------------------------------------------------------------------------------

/// What a component word refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ComponentWord {
    /// One specific building block.
    Engine(Component),
    /// "a database": any store; PostgreSQL unless the request names an engine.
    AnyDatabase,
    /// "a relational database", "SQL": PostgreSQL or MySQL.
    AnyRelational,
    /// Containers ("ECS", "Fargate", "Docker"): compute that is not Lambda, so no Lambda default.
    Container,
}

/// Component words, abbreviations and product names.
pub const COMPONENTS: &[(&str, ComponentWord)] = &[
    ("postgres", ComponentWord::Engine(Component::Postgres)),
    ("postgresql", ComponentWord::Engine(Component::Postgres)),
    ("postgre", ComponentWord::Engine(Component::Postgres)),
    ("postgre sql", ComponentWord::Engine(Component::Postgres)),
    ("postgres sql", ComponentWord::Engine(Component::Postgres)),
    ("postgressql", ComponentWord::Engine(Component::Postgres)),
    ("pg", ComponentWord::Engine(Component::Postgres)),
    ("psql", ComponentWord::Engine(Component::Postgres)),
    ("pgsql", ComponentWord::Engine(Component::Postgres)),
    (
        "aurora postgres",
        ComponentWord::Engine(Component::Postgres),
    ),
    (
        "aurora postgresql",
        ComponentWord::Engine(Component::Postgres),
    ),
    ("mysql", ComponentWord::Engine(Component::Mysql)),
    ("my sql", ComponentWord::Engine(Component::Mysql)),
    ("maria", ComponentWord::Engine(Component::Mysql)),
    ("mariadb", ComponentWord::Engine(Component::Mysql)),
    ("maria db", ComponentWord::Engine(Component::Mysql)),
    ("aurora mysql", ComponentWord::Engine(Component::Mysql)),
    ("redis", ComponentWord::Engine(Component::Redis)),
    ("valkey", ComponentWord::Engine(Component::Redis)),
    ("elasticache", ComponentWord::Engine(Component::Redis)),
    ("elastic cache", ComponentWord::Engine(Component::Redis)),
    ("cache", ComponentWord::Engine(Component::Redis)),
    ("caching", ComponentWord::Engine(Component::Redis)),
    ("cached", ComponentWord::Engine(Component::Redis)),
    ("session store", ComponentWord::Engine(Component::Redis)),
    ("in-memory store", ComponentWord::Engine(Component::Redis)),
    ("dynamodb", ComponentWord::Engine(Component::Dynamodb)),
    ("dynamo", ComponentWord::Engine(Component::Dynamodb)),
    ("dynamo db", ComponentWord::Engine(Component::Dynamodb)),
    ("ddb", ComponentWord::Engine(Component::Dynamodb)),
    ("nosql", ComponentWord::Engine(Component::Dynamodb)),
    ("no-sql", ComponentWord::Engine(Component::Dynamodb)),
    (
        "key-value store",
        ComponentWord::Engine(Component::Dynamodb),
    ),
    (
        "key value store",
        ComponentWord::Engine(Component::Dynamodb),
    ),
    ("s3", ComponentWord::Engine(Component::S3)),
    ("s3 bucket", ComponentWord::Engine(Component::S3)),
    ("bucket", ComponentWord::Engine(Component::S3)),
    ("object storage", ComponentWord::Engine(Component::S3)),
    ("object store", ComponentWord::Engine(Component::S3)),
    ("blob storage", ComponentWord::Engine(Component::S3)),
    ("blob store", ComponentWord::Engine(Component::S3)),
    ("file storage", ComponentWord::Engine(Component::S3)),
    ("storage bucket", ComponentWord::Engine(Component::S3)),
    ("static assets", ComponentWord::Engine(Component::S3)),
    ("file uploads", ComponentWord::Engine(Component::S3)),
    ("media files", ComponentWord::Engine(Component::S3)),
    ("data lake", ComponentWord::Engine(Component::S3)),
    ("datalake", ComponentWord::Engine(Component::S3)),
    ("uploads", ComponentWord::Engine(Component::S3)),
    ("sqs", ComponentWord::Engine(Component::Sqs)),
    ("queue", ComponentWord::Engine(Component::Sqs)),
    ("message queue", ComponentWord::Engine(Component::Sqs)),
    ("job queue", ComponentWord::Engine(Component::Sqs)),
    ("task queue", ComponentWord::Engine(Component::Sqs)),
    ("queueing", ComponentWord::Engine(Component::Sqs)),
    ("queuing", ComponentWord::Engine(Component::Sqs)),
    ("gpu", ComponentWord::Engine(Component::Gpu)),
    ("cuda", ComponentWord::Engine(Component::Gpu)),
    ("nvidia", ComponentWord::Engine(Component::Gpu)),
    ("a100", ComponentWord::Engine(Component::Gpu)),
    ("h100", ComponentWord::Engine(Component::Gpu)),
    ("lambda", ComponentWord::Engine(Component::Lambda)),
    ("aws lambda", ComponentWord::Engine(Component::Lambda)),
    ("serverless", ComponentWord::Engine(Component::Lambda)),
    ("faas", ComponentWord::Engine(Component::Lambda)),
    (
        "serverless functions",
        ComponentWord::Engine(Component::Lambda),
    ),
    ("cloud functions", ComponentWord::Engine(Component::Lambda)),
    ("database", ComponentWord::AnyDatabase),
    ("db", ComponentWord::AnyDatabase),
    ("datastore", ComponentWord::AnyDatabase),
    ("data store", ComponentWord::AnyDatabase),
    ("persistence", ComponentWord::AnyDatabase),
    ("rds", ComponentWord::AnyRelational),
    ("aurora", ComponentWord::AnyRelational),
    ("sql", ComponentWord::AnyRelational),
    ("sql database", ComponentWord::AnyRelational),
    ("sql db", ComponentWord::AnyRelational),
    ("relational", ComponentWord::AnyRelational),
    ("relational database", ComponentWord::AnyRelational),
    ("relational db", ComponentWord::AnyRelational),
    ("ecs", ComponentWord::Container),
    ("fargate", ComponentWord::Container),
    ("container", ComponentWord::Container),
    ("containers", ComponentWord::Container),
    ("containerised", ComponentWord::Container),
    ("containerized", ComponentWord::Container),
    ("docker", ComponentWord::Container),
];

/// The kind a component belongs to; a golden path's default component is added only when the
/// request names nothing of that kind ("with MySQL" keeps PostgreSQL out).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ComponentKind {
    Database,
    Cache,
    Storage,
    Queue,
    Accelerator,
    Compute,
}

pub fn component_kind(c: Component) -> ComponentKind {
    match c {
        Component::Postgres | Component::Mysql | Component::Dynamodb => ComponentKind::Database,
        Component::Redis => ComponentKind::Cache,
        Component::S3 => ComponentKind::Storage,
        Component::Sqs => ComponentKind::Queue,
        Component::Gpu => ComponentKind::Accelerator,
        Component::Lambda => ComponentKind::Compute,
    }
}

// ---------------------------------------------------------------------------------------------
// Compliance
// ---------------------------------------------------------------------------------------------

/// What a compliance word signals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ComplianceWord {
    Regime(Compliance),
    /// Personal data: GDPR applies when the people are in the EU.
    PersonalData,
}

/// Compliance cues: regime names and the kinds of data that bring a regime with them.
pub const COMPLIANCE: &[(&str, ComplianceWord)] = &[
    ("pci", ComplianceWord::Regime(Compliance::PciDss)),
    ("pci-dss", ComplianceWord::Regime(Compliance::PciDss)),
    ("pci dss", ComplianceWord::Regime(Compliance::PciDss)),
    ("pcidss", ComplianceWord::Regime(Compliance::PciDss)),
    ("pci-compliant", ComplianceWord::Regime(Compliance::PciDss)),
    ("card payments", ComplianceWord::Regime(Compliance::PciDss)),
    ("card payment", ComplianceWord::Regime(Compliance::PciDss)),
    ("credit card", ComplianceWord::Regime(Compliance::PciDss)),
    ("credit cards", ComplianceWord::Regime(Compliance::PciDss)),
    ("debit card", ComplianceWord::Regime(Compliance::PciDss)),
    ("debit cards", ComplianceWord::Regime(Compliance::PciDss)),
    ("payment card", ComplianceWord::Regime(Compliance::PciDss)),
    ("payment cards", ComplianceWord::Regime(Compliance::PciDss)),
    ("cardholder", ComplianceWord::Regime(Compliance::PciDss)),
    ("card holder", ComplianceWord::Regime(Compliance::PciDss)),
    ("card data", ComplianceWord::Regime(Compliance::PciDss)),
    ("card details", ComplianceWord::Regime(Compliance::PciDss)),
    ("card numbers", ComplianceWord::Regime(Compliance::PciDss)),
    // Taking cards, said as a shop says it: "takes cards", "pay invoices by card".
    ("take card", ComplianceWord::Regime(Compliance::PciDss)),
    ("accept card", ComplianceWord::Regime(Compliance::PciDss)),
    ("by card", ComplianceWord::Regime(Compliance::PciDss)),
    ("card transactions", ComplianceWord::Regime(Compliance::PciDss)),
    ("card transaction", ComplianceWord::Regime(Compliance::PciDss)),
    // The primary account number, PCI DSS's own term.
    ("pan", ComplianceWord::Regime(Compliance::PciDss)),
    ("primary account number", ComplianceWord::Regime(Compliance::PciDss)),
    (
        "payment processing",
        ComplianceWord::Regime(Compliance::PciDss),
    ),
    (
        "payments processing",
        ComplianceWord::Regime(Compliance::PciDss),
    ),
    (
        "process payments",
        ComplianceWord::Regime(Compliance::PciDss),
    ),
    (
        "processes payments",
        ComplianceWord::Regime(Compliance::PciDss),
    ),
    (
        "processing payments",
        ComplianceWord::Regime(Compliance::PciDss),
    ),
    (
        "payment processor",
        ComplianceWord::Regime(Compliance::PciDss),
    ),
    (
        "accept payments",
        ComplianceWord::Regime(Compliance::PciDss),
    ),
    (
        "accepts payments",
        ComplianceWord::Regime(Compliance::PciDss),
    ),
    (
        "accepting payments",
        ComplianceWord::Regime(Compliance::PciDss),
    ),
    ("take payments", ComplianceWord::Regime(Compliance::PciDss)),
    (
        "taking payments",
        ComplianceWord::Regime(Compliance::PciDss),
    ),
    (
        "payment gateway",
        ComplianceWord::Regime(Compliance::PciDss),
    ),
    ("hipaa", ComplianceWord::Regime(Compliance::Hipaa)),
    ("patient", ComplianceWord::Regime(Compliance::Hipaa)),
    ("patients", ComplianceWord::Regime(Compliance::Hipaa)),
    ("phi", ComplianceWord::Regime(Compliance::Hipaa)),
    (
        "protected health information",
        ComplianceWord::Regime(Compliance::Hipaa),
    ),
    ("health data", ComplianceWord::Regime(Compliance::Hipaa)),
    ("health info", ComplianceWord::Regime(Compliance::Hipaa)),
    ("health records", ComplianceWord::Regime(Compliance::Hipaa)),
    (
        "health information",
        ComplianceWord::Regime(Compliance::Hipaa),
    ),
    ("healthcare", ComplianceWord::Regime(Compliance::Hipaa)),
    ("health care", ComplianceWord::Regime(Compliance::Hipaa)),
    ("medical", ComplianceWord::Regime(Compliance::Hipaa)),
    ("clinical", ComplianceWord::Regime(Compliance::Hipaa)),
    ("clinic", ComplianceWord::Regime(Compliance::Hipaa)),
    ("hospital", ComplianceWord::Regime(Compliance::Hipaa)),
    ("telehealth", ComplianceWord::Regime(Compliance::Hipaa)),
    ("telemedicine", ComplianceWord::Regime(Compliance::Hipaa)),
    ("ehr", ComplianceWord::Regime(Compliance::Hipaa)),
    ("emr", ComplianceWord::Regime(Compliance::Hipaa)),
    ("gdpr", ComplianceWord::Regime(Compliance::Gdpr)),
    ("gdpr-compliant", ComplianceWord::Regime(Compliance::Gdpr)),
    ("data residency", ComplianceWord::Regime(Compliance::Gdpr)),
    ("soc2", ComplianceWord::Regime(Compliance::Soc2)),
    ("soc 2", ComplianceWord::Regime(Compliance::Soc2)),
    ("soc-2", ComplianceWord::Regime(Compliance::Soc2)),
    ("soc ii", ComplianceWord::Regime(Compliance::Soc2)),
    ("soc type 2", ComplianceWord::Regime(Compliance::Soc2)),
    ("soc 2 type ii", ComplianceWord::Regime(Compliance::Soc2)),
    ("personal data", ComplianceWord::PersonalData),
    ("personal information", ComplianceWord::PersonalData),
    ("personally identifiable", ComplianceWord::PersonalData),
    ("pii", ComplianceWord::PersonalData),
    ("customer data", ComplianceWord::PersonalData),
    ("customers data", ComplianceWord::PersonalData),
    ("user data", ComplianceWord::PersonalData),
    ("users data", ComplianceWord::PersonalData),
    ("customer records", ComplianceWord::PersonalData),
    ("customer information", ComplianceWord::PersonalData),
    ("user profiles", ComplianceWord::PersonalData),
    ("email addresses", ComplianceWord::PersonalData),
];

// ---------------------------------------------------------------------------------------------
// Places and regions
// ---------------------------------------------------------------------------------------------

/// AWS region codes paved accepts when a request names one.
pub const REGIONS: &[&str] = &[
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "ca-central-1",
    "ca-west-1",
    "mx-central-1",
    "sa-east-1",
    "eu-central-1",
    "eu-central-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "me-south-1",
    "me-central-1",
    "il-central-1",
    "af-south-1",
    "ap-east-1",
    "ap-south-1",
    "ap-south-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-7",
    "us-gov-west-1",
    "us-gov-east-1",
];

/// The region used when a request names no place.
pub const DEFAULT_REGION: &str = "us-east-1";

/// The region used when a request says "EU" or "Europe" but names no country: Frankfurt, the
/// largest EU region and the one most EU data-residency reviews start from.
pub const DEFAULT_EU_REGION: &str = "eu-central-1";

/// Words meaning the European Union as a whole.
pub const EU_WORDS: &[&str] = &[
    "eu",
    "europe",
    "european",
    "europeans",
    "european union",
    "eu-based",
    "eu-only",
    "within the eu",
    "eea",
];

/// Cities, countries, states and their adjectives, each mapped to the AWS region that serves it
/// (or, where AWS has no region in that country, the nearest one).
pub const PLACES: &[(&str, &str)] = &[
    ("frankfurt", "eu-central-1"),
    ("germany", "eu-central-1"),
    ("german", "eu-central-1"),
    ("berlin", "eu-central-1"),
    ("munich", "eu-central-1"),
    ("netherlands", "eu-central-1"),
    ("amsterdam", "eu-central-1"),
    ("austria", "eu-central-1"),
    ("vienna", "eu-central-1"),
    ("poland", "eu-central-1"),
    ("warsaw", "eu-central-1"),
    ("zurich", "eu-central-2"),
    ("switzerland", "eu-central-2"),
    ("swiss", "eu-central-2"),
    ("ireland", "eu-west-1"),
    ("irish", "eu-west-1"),
    ("dublin", "eu-west-1"),
    ("london", "eu-west-2"),
    ("uk", "eu-west-2"),
    ("united kingdom", "eu-west-2"),
    ("britain", "eu-west-2"),
    ("great britain", "eu-west-2"),
    ("british", "eu-west-2"),
    ("england", "eu-west-2"),
    ("paris", "eu-west-3"),
    ("france", "eu-west-3"),
    ("french", "eu-west-3"),
    ("stockholm", "eu-north-1"),
    ("sweden", "eu-north-1"),
    ("swedish", "eu-north-1"),
    ("nordics", "eu-north-1"),
    ("nordic", "eu-north-1"),
    ("scandinavia", "eu-north-1"),
    ("norway", "eu-north-1"),
    ("finland", "eu-north-1"),
    ("denmark", "eu-north-1"),
    ("milan", "eu-south-1"),
    ("italy", "eu-south-1"),
    ("italian", "eu-south-1"),
    ("spain", "eu-south-2"),
    ("spanish", "eu-south-2"),
    ("madrid", "eu-south-2"),
    ("oregon", "us-west-2"),
    ("us west", "us-west-2"),
    ("west coast", "us-west-2"),
    ("california", "us-west-1"),
    ("n california", "us-west-1"),
    ("northern california", "us-west-1"),
    ("north california", "us-west-1"),
    ("san francisco", "us-west-1"),
    ("ohio", "us-east-2"),
    ("virginia", "us-east-1"),
    ("n virginia", "us-east-1"),
    ("northern virginia", "us-east-1"),
    ("north virginia", "us-east-1"),
    ("us east", "us-east-1"),
    ("east coast", "us-east-1"),
    ("usa", "us-east-1"),
    ("united states", "us-east-1"),
    ("america", "us-east-1"),
    ("tokyo", "ap-northeast-1"),
    ("japan", "ap-northeast-1"),
    ("japanese", "ap-northeast-1"),
    ("osaka", "ap-northeast-3"),
    ("seoul", "ap-northeast-2"),
    ("korea", "ap-northeast-2"),
    ("south korea", "ap-northeast-2"),
    ("korean", "ap-northeast-2"),
    ("singapore", "ap-southeast-1"),
    ("sydney", "ap-southeast-2"),
    ("australia", "ap-southeast-2"),
    ("australian", "ap-southeast-2"),
    ("melbourne", "ap-southeast-4"),
    ("jakarta", "ap-southeast-3"),
    ("indonesia", "ap-southeast-3"),
    ("malaysia", "ap-southeast-5"),
    ("thailand", "ap-southeast-7"),
    ("mumbai", "ap-south-1"),
    ("india", "ap-south-1"),
    ("indian", "ap-south-1"),
    ("hyderabad", "ap-south-2"),
    ("hong kong", "ap-east-1"),
    ("sao paulo", "sa-east-1"),
    ("são paulo", "sa-east-1"),
    ("brazil", "sa-east-1"),
    ("brazilian", "sa-east-1"),
    ("latin america", "sa-east-1"),
    ("canada", "ca-central-1"),
    ("canadian", "ca-central-1"),
    ("montreal", "ca-central-1"),
    ("toronto", "ca-central-1"),
    ("calgary", "ca-west-1"),
    ("mexico", "mx-central-1"),
    ("bahrain", "me-south-1"),
    ("uae", "me-central-1"),
    ("dubai", "me-central-1"),
    ("israel", "il-central-1"),
    ("tel aviv", "il-central-1"),
    ("cape town", "af-south-1"),
    ("south africa", "af-south-1"),
];

/// Place words that are also ordinary English words in lower case; they count only when written
/// exactly like this ("US", not "us").
pub const CASE_SENSITIVE_PLACES: &[(&str, &str)] = &[("US", "us-east-1"), ("U.S", "us-east-1")];

// ---------------------------------------------------------------------------------------------
// Golden path keywords
// ---------------------------------------------------------------------------------------------

/// Keywords that point at a golden path, with a weight. The path with the highest total wins, so
/// "API microservice with Redis" is an API (api 5 + microservice 2.5 against redis 1.5 +
/// microservice 1.5) while "microservice with PostgreSQL and Redis" is a web app. Golden path YAML
/// files add their own keywords at `HINT_KEYWORD_WEIGHT`.
/// The path that is for non-production work only: a request on it that names no environment is
/// assumed development.
pub const NON_PRODUCTION_PATH: &str = "machine_learning";

pub const PATH_KEYWORDS: &[(&str, &str, f32)] = &[
    // standard_web_app: ALB → ECS Fargate → RDS → ElastiCache.
    ("web app", STANDARD_WEB_APP, 6.0),
    ("webapp", STANDARD_WEB_APP, 6.0),
    ("web application", STANDARD_WEB_APP, 6.0),
    ("web service", STANDARD_WEB_APP, 3.0),
    ("website", STANDARD_WEB_APP, 6.0),
    ("web site", STANDARD_WEB_APP, 6.0),
    ("site", STANDARD_WEB_APP, 3.0),
    ("microsite", STANDARD_WEB_APP, 5.0),
    ("web page", STANDARD_WEB_APP, 5.0),
    ("webpage", STANDARD_WEB_APP, 5.0),
    ("status page", STANDARD_WEB_APP, 5.0),
    ("campaign page", STANDARD_WEB_APP, 5.0),
    ("marketing page", STANDARD_WEB_APP, 5.0),
    ("web", STANDARD_WEB_APP, 2.0),
    ("saas", STANDARD_WEB_APP, 4.0),
    ("e-commerce", STANDARD_WEB_APP, 6.0),
    ("ecommerce", STANDARD_WEB_APP, 6.0),
    ("e commerce", STANDARD_WEB_APP, 6.0),
    ("online store", STANDARD_WEB_APP, 6.0),
    ("online shop", STANDARD_WEB_APP, 6.0),
    ("web shop", STANDARD_WEB_APP, 6.0),
    ("webshop", STANDARD_WEB_APP, 6.0),
    ("storefront", STANDARD_WEB_APP, 6.0),
    ("shop", STANDARD_WEB_APP, 4.0),
    ("online shop", STANDARD_WEB_APP, 5.0),
    ("webshop", STANDARD_WEB_APP, 5.0),
    ("shopping cart", STANDARD_WEB_APP, 5.0),
    ("cart", STANDARD_WEB_APP, 3.0),
    ("marketplace", STANDARD_WEB_APP, 4.0),
    ("portal", STANDARD_WEB_APP, 4.0),
    ("dashboard", STANDARD_WEB_APP, 4.0),
    ("admin panel", STANDARD_WEB_APP, 5.0),
    ("admin console", STANDARD_WEB_APP, 5.0),
    ("back office", STANDARD_WEB_APP, 4.0),
    ("backoffice", STANDARD_WEB_APP, 4.0),
    ("intranet", STANDARD_WEB_APP, 4.0),
    ("frontend", STANDARD_WEB_APP, 4.0),
    ("front-end", STANDARD_WEB_APP, 4.0),
    ("front end", STANDARD_WEB_APP, 4.0),
    ("cms", STANDARD_WEB_APP, 4.0),
    ("content management", STANDARD_WEB_APP, 4.0),
    ("wordpress", STANDARD_WEB_APP, 4.0),
    ("blog", STANDARD_WEB_APP, 4.0),
    ("forum", STANDARD_WEB_APP, 4.0),
    ("wiki", STANDARD_WEB_APP, 3.0),
    ("crm", STANDARD_WEB_APP, 3.0),
    ("booking system", STANDARD_WEB_APP, 4.0),
    ("three-tier", STANDARD_WEB_APP, 6.0),
    ("3-tier", STANDARD_WEB_APP, 6.0),
    ("three tier", STANDARD_WEB_APP, 6.0),
    ("monolith", STANDARD_WEB_APP, 4.0),
    ("django", STANDARD_WEB_APP, 3.0),
    ("rails", STANDARD_WEB_APP, 3.0),
    ("ruby on rails", STANDARD_WEB_APP, 4.0),
    ("laravel", STANDARD_WEB_APP, 3.0),
    ("next.js", STANDARD_WEB_APP, 3.0),
    ("nextjs", STANDARD_WEB_APP, 3.0),
    ("react", STANDARD_WEB_APP, 2.0),
    ("spring boot", STANDARD_WEB_APP, 2.0),
    ("app", STANDARD_WEB_APP, 1.5),
    ("application", STANDARD_WEB_APP, 1.5),
    ("microservice", STANDARD_WEB_APP, 1.5),
    ("micro-service", STANDARD_WEB_APP, 1.5),
    ("micro service", STANDARD_WEB_APP, 1.5),
    ("service", STANDARD_WEB_APP, 0.5),
    ("platform", STANDARD_WEB_APP, 1.0),
    ("checkout", STANDARD_WEB_APP, 1.0),
    // api_microservice: API Gateway → Lambda/ECS → DynamoDB.
    ("api", API_MICROSERVICE, 5.0),
    ("rest api", API_MICROSERVICE, 7.0),
    ("rest", API_MICROSERVICE, 3.0),
    ("restful", API_MICROSERVICE, 5.0),
    ("http api", API_MICROSERVICE, 7.0),
    ("graphql", API_MICROSERVICE, 6.0),
    ("grpc", API_MICROSERVICE, 5.0),
    ("webhook", API_MICROSERVICE, 6.0),
    ("webhook handler", API_MICROSERVICE, 7.0),
    ("web hook", API_MICROSERVICE, 6.0),
    ("endpoint", API_MICROSERVICE, 4.0),
    ("api gateway", API_MICROSERVICE, 6.0),
    ("microservice", API_MICROSERVICE, 2.5),
    ("micro-service", API_MICROSERVICE, 2.5),
    ("micro service", API_MICROSERVICE, 2.5),
    ("serverless", API_MICROSERVICE, 2.5),
    ("backend", API_MICROSERVICE, 2.5),
    ("back-end", API_MICROSERVICE, 2.5),
    ("back end", API_MICROSERVICE, 2.5),
    ("mobile backend", API_MICROSERVICE, 6.0),
    ("mobile app backend", API_MICROSERVICE, 6.0),
    ("backend for mobile", API_MICROSERVICE, 6.0),
    ("backend for our mobile app", API_MICROSERVICE, 6.0),
    ("lambda", API_MICROSERVICE, 1.5),
    ("function", API_MICROSERVICE, 1.0),
    ("rate limiting", API_MICROSERVICE, 3.0),
    ("rate-limiting", API_MICROSERVICE, 3.0),
    ("rate limits", API_MICROSERVICE, 3.0),
    ("throttling", API_MICROSERVICE, 2.0),
    ("api keys", API_MICROSERVICE, 3.0),
    ("crud", API_MICROSERVICE, 2.0),
    ("json", API_MICROSERVICE, 1.0),
    ("callback", API_MICROSERVICE, 2.0),
    ("callbacks", API_MICROSERVICE, 2.0),
    ("chatbot", API_MICROSERVICE, 2.0),
    ("slack bot", API_MICROSERVICE, 3.0),
    ("bot", API_MICROSERVICE, 2.0),
    ("handler", API_MICROSERVICE, 2.0),
    ("internal service", API_MICROSERVICE, 3.0),
    // data_pipeline: S3 → Lambda/Glue → Redshift/Athena.
    ("pipeline", DATA_PIPELINE, 4.0),
    ("data pipeline", DATA_PIPELINE, 7.0),
    ("etl", DATA_PIPELINE, 7.0),
    ("elt", DATA_PIPELINE, 7.0),
    ("etl pipeline", DATA_PIPELINE, 8.0),
    ("analytics", DATA_PIPELINE, 4.0),
    // Data brought together for people who analyse it.
    ("analysts", DATA_PIPELINE, 4.0),
    ("in one place", DATA_PIPELINE, 3.0),
    ("single source of truth", DATA_PIPELINE, 4.0),
    ("consolidate", DATA_PIPELINE, 3.0),
    ("analytical", DATA_PIPELINE, 3.0),
    // "warehouse" alone may be a building ("an inventory API for the warehouse team").
    ("warehouse", DATA_PIPELINE, 3.0),
    ("data warehouse", DATA_PIPELINE, 7.0),
    ("warehousing", DATA_PIPELINE, 5.0),
    ("redshift", DATA_PIPELINE, 6.0),
    ("athena", DATA_PIPELINE, 6.0),
    ("glue", DATA_PIPELINE, 5.0),
    ("log aggregation", DATA_PIPELINE, 7.0),
    ("aggregation", DATA_PIPELINE, 3.0),
    ("aggregate", DATA_PIPELINE, 3.0),
    ("logs", DATA_PIPELINE, 1.5),
    ("ingestion", DATA_PIPELINE, 6.0),
    ("ingest", DATA_PIPELINE, 4.0),
    ("ingests", DATA_PIPELINE, 4.0),
    ("ingesting", DATA_PIPELINE, 4.0),
    ("streaming", DATA_PIPELINE, 4.0),
    ("stream processing", DATA_PIPELINE, 6.0),
    ("event stream", DATA_PIPELINE, 5.0),
    ("kinesis", DATA_PIPELINE, 6.0),
    ("firehose", DATA_PIPELINE, 6.0),
    ("clickstream", DATA_PIPELINE, 6.0),
    ("click stream", DATA_PIPELINE, 6.0),
    ("transform", DATA_PIPELINE, 2.0),
    ("transformation", DATA_PIPELINE, 2.0),
    ("business intelligence", DATA_PIPELINE, 5.0),
    ("bi", DATA_PIPELINE, 3.0),
    ("data", DATA_PIPELINE, 0.5),
    ("data processing", DATA_PIPELINE, 3.0),
    ("spark", DATA_PIPELINE, 4.0),
    ("kafka", DATA_PIPELINE, 3.0),
    ("cdc", DATA_PIPELINE, 5.0),
    ("change data capture", DATA_PIPELINE, 6.0),
    ("telemetry", DATA_PIPELINE, 3.0),
    ("iot", DATA_PIPELINE, 3.0),
    ("sensor data", DATA_PIPELINE, 4.0),
    ("events", DATA_PIPELINE, 1.0),
    ("data lake", DATA_PIPELINE, 3.0),
    ("reporting", DATA_PIPELINE, 1.5),
    // machine_learning: S3 data lake → SageMaker/EC2 GPU → model registry.
    ("ml", MACHINE_LEARNING, 7.0),
    ("machine learning", MACHINE_LEARNING, 8.0),
    ("machine-learning", MACHINE_LEARNING, 8.0),
    ("deep learning", MACHINE_LEARNING, 8.0),
    ("model", MACHINE_LEARNING, 3.0),
    ("models", MACHINE_LEARNING, 3.0),
    ("train", MACHINE_LEARNING, 4.0),
    ("training", MACHINE_LEARNING, 4.0),
    ("model training", MACHINE_LEARNING, 8.0),
    ("inference", MACHINE_LEARNING, 6.0),
    ("gpu", MACHINE_LEARNING, 5.0),
    ("cuda", MACHINE_LEARNING, 5.0),
    ("sagemaker", MACHINE_LEARNING, 7.0),
    ("experiments", MACHINE_LEARNING, 3.0),
    ("experiment", MACHINE_LEARNING, 2.0),
    ("experimentation", MACHINE_LEARNING, 4.0),
    ("data science", MACHINE_LEARNING, 7.0),
    ("data scientist", MACHINE_LEARNING, 7.0),
    ("data scientists", MACHINE_LEARNING, 7.0),
    ("notebook", MACHINE_LEARNING, 4.0),
    ("notebooks", MACHINE_LEARNING, 4.0),
    ("jupyter", MACHINE_LEARNING, 6.0),
    ("neural", MACHINE_LEARNING, 6.0),
    ("neural network", MACHINE_LEARNING, 7.0),
    ("llm", MACHINE_LEARNING, 6.0),
    ("fine-tune", MACHINE_LEARNING, 6.0),
    ("fine tune", MACHINE_LEARNING, 6.0),
    ("fine-tuning", MACHINE_LEARNING, 6.0),
    ("pytorch", MACHINE_LEARNING, 6.0),
    ("tensorflow", MACHINE_LEARNING, 6.0),
    ("embeddings", MACHINE_LEARNING, 4.0),
    ("computer vision", MACHINE_LEARNING, 6.0),
    ("recommendation model", MACHINE_LEARNING, 6.0),
    ("recommendation engine", MACHINE_LEARNING, 5.0),
    ("ai", MACHINE_LEARNING, 3.0),
    ("feature store", MACHINE_LEARNING, 5.0),
    ("mlops", MACHINE_LEARNING, 7.0),
    ("model registry", MACHINE_LEARNING, 7.0),
    ("hugging face", MACHINE_LEARNING, 6.0),
    ("huggingface", MACHINE_LEARNING, 6.0),
    ("predictions", MACHINE_LEARNING, 2.0),
    ("classifier", MACHINE_LEARNING, 5.0),
    // batch_processing: EventBridge → ECS tasks → S3.
    ("batch", BATCH_PROCESSING, 6.0),
    ("batch job", BATCH_PROCESSING, 7.0),
    ("batch processing", BATCH_PROCESSING, 7.0),
    ("job", BATCH_PROCESSING, 3.0),
    ("cron", BATCH_PROCESSING, 7.0),
    ("cronjob", BATCH_PROCESSING, 7.0),
    ("cron job", BATCH_PROCESSING, 7.0),
    ("scheduled", BATCH_PROCESSING, 4.0),
    ("scheduled job", BATCH_PROCESSING, 7.0),
    ("scheduled task", BATCH_PROCESSING, 7.0),
    ("schedule", BATCH_PROCESSING, 2.0),
    ("report", BATCH_PROCESSING, 3.0),
    ("export", BATCH_PROCESSING, 3.0),
    ("exports", BATCH_PROCESSING, 3.0),
    ("exporting", BATCH_PROCESSING, 3.0),
    ("cleanup job", BATCH_PROCESSING, 7.0),
    ("clean-up job", BATCH_PROCESSING, 7.0),
    ("cleanup task", BATCH_PROCESSING, 7.0),
    ("cleanup script", BATCH_PROCESSING, 7.0),
    ("clean up job", BATCH_PROCESSING, 7.0),
    ("script", BATCH_PROCESSING, 2.0),
    ("task", BATCH_PROCESSING, 2.0),
    ("periodic", BATCH_PROCESSING, 4.0),
    ("recurring", BATCH_PROCESSING, 4.0),
    ("backup job", BATCH_PROCESSING, 6.0),
    ("billing run", BATCH_PROCESSING, 5.0),
    ("invoice run", BATCH_PROCESSING, 5.0),
    ("digest", BATCH_PROCESSING, 2.0),
    ("csv", BATCH_PROCESSING, 2.0),
    ("reconciliation", BATCH_PROCESSING, 3.0),
    ("worker", BATCH_PROCESSING, 1.5),
];

/// Weight of a keyword that comes from a golden path's policy file.
pub const HINT_KEYWORD_WEIGHT: f32 = 3.0;

/// A path keyword found inside a service name (`payment-api`) counts for this share of its weight.
pub const NAME_PART_WEIGHT: f32 = 0.5;

/// Points a golden path gets when the request runs on a schedule: a schedule plus a job is batch,
/// but an "ETL ... every hour" stays a pipeline because its own keywords outweigh this.
pub const SCHEDULE_PATH: (&str, f32) = (BATCH_PROCESSING, 4.0);

/// Points a golden path gets from each component the request names (a relational database is the
/// mark of the three-tier web app; DynamoDB of the API path).
pub const COMPONENT_PATH_NUDGES: &[(Component, &str, f32)] = &[
    (Component::Postgres, STANDARD_WEB_APP, 3.0),
    (Component::Mysql, STANDARD_WEB_APP, 3.0),
    (Component::Redis, STANDARD_WEB_APP, 1.5),
    (Component::Dynamodb, API_MICROSERVICE, 2.0),
    (Component::S3, DATA_PIPELINE, 0.5),
    (Component::S3, BATCH_PROCESSING, 0.5),
    (Component::Sqs, API_MICROSERVICE, 0.5),
    (Component::Gpu, MACHINE_LEARNING, 3.0),
];

/// Points for the three-tier web app when the request names a database without an engine.
pub const GENERIC_DATABASE_NUDGE: (&str, f32) = (STANDARD_WEB_APP, 1.5);

// ---------------------------------------------------------------------------------------------
// Off-road choices
// ---------------------------------------------------------------------------------------------

/// Runtimes, data stores and platforms outside every golden path, each with the lower-case name
/// recorded in `off_road`.
///
/// The principle: the golden paths run code as containers on ECS Fargate from the platform's base
/// images and as AWS Lambda functions. A language is on the road when AWS runs it as a managed
/// Lambda runtime or with an AWS-maintained runtime client and the platform ships a base image for
/// it: Node.js/JavaScript/TypeScript, Python, Java and the JVM languages that ship as JARs (Kotlin,
/// Scala, Clojure, Groovy), Go, .NET (C#, F#), Ruby and Rust. Everything else (Deno, Bun, the BEAM
/// languages, Haskell, Crystal, PHP, ...) needs an image, a patching routine and monitoring the
/// platform team does not own, so it is off-road. Data stores, orchestrators and clouds other than
/// the paths' own (RDS PostgreSQL/MySQL, ElastiCache Redis, DynamoDB, S3, SQS, ECS, Lambda) are
/// off-road for the same reason.
pub const OFF_ROAD: &[(&str, &str)] = &[
    ("deno", "deno"),
    ("bun", "bun"),
    ("bun.js", "bun"),
    ("bunjs", "bun"),
    ("elixir", "elixir"),
    ("phoenix", "phoenix"),
    ("erlang", "erlang"),
    ("beam", "erlang"),
    ("gleam", "gleam"),
    ("crystal", "crystal"),
    ("nim", "nim"),
    ("zig", "zig"),
    ("haskell", "haskell"),
    ("ocaml", "ocaml"),
    ("php", "php"),
    ("perl", "perl"),
    ("julia", "julia"),
    ("dart", "dart"),
    ("swift", "swift"),
    ("lua", "lua"),
    ("cobol", "cobol"),
    ("fortran", "fortran"),
    ("mongodb", "mongodb"),
    ("mongo", "mongodb"),
    ("documentdb", "documentdb"),
    ("cassandra", "cassandra"),
    ("scylla", "scylladb"),
    ("scylladb", "scylladb"),
    ("cockroachdb", "cockroachdb"),
    ("cockroach", "cockroachdb"),
    ("oracle", "oracle"),
    ("oracle db", "oracle"),
    ("sql server", "sqlserver"),
    ("sqlserver", "sqlserver"),
    ("mssql", "sqlserver"),
    ("couchbase", "couchbase"),
    ("couchdb", "couchdb"),
    ("neo4j", "neo4j"),
    ("elasticsearch", "elasticsearch"),
    ("opensearch", "opensearch"),
    ("memcached", "memcached"),
    ("clickhouse", "clickhouse"),
    ("snowflake", "snowflake"),
    ("databricks", "databricks"),
    ("influxdb", "influxdb"),
    ("timescaledb", "timescaledb"),
    ("kafka", "kafka"),
    ("msk", "kafka"),
    ("rabbitmq", "rabbitmq"),
    ("rabbit mq", "rabbitmq"),
    ("activemq", "activemq"),
    ("nats", "nats"),
    ("airflow", "airflow"),
    ("kubernetes", "kubernetes"),
    ("k8s", "kubernetes"),
    ("kube", "kubernetes"),
    ("eks", "eks"),
    ("helm", "kubernetes"),
    ("openshift", "openshift"),
    ("nomad", "nomad"),
    ("docker swarm", "docker-swarm"),
    ("ec2 instances", "ec2"),
    ("bare ec2", "ec2"),
    ("raw ec2", "ec2"),
    ("ray cluster", "ray"),
    ("bare metal", "bare-metal"),
    ("virtual machine", "vm"),
    ("virtual machines", "vm"),
    ("windows server", "windows"),
    ("iis", "windows"),
    ("heroku", "heroku"),
    ("vercel", "vercel"),
    ("netlify", "netlify"),
    ("firebase", "firebase"),
    ("supabase", "supabase"),
    ("gcp", "gcp"),
    ("google cloud", "gcp"),
    ("azure", "azure"),
];

/// Off-road choices (names as in `OFF_ROAD`) that are the workload's database: a request for
/// one gets no golden-path database beside it ("a mongodb for the product catalog").
pub const OFF_ROAD_DATABASES: &[&str] = &[
    "mongodb", "documentdb", "cassandra", "scylladb", "cockroachdb", "oracle", "sqlserver", "couchbase", "couchdb", "neo4j",
    "clickhouse", "influxdb", "timescaledb",
];

/// On-road runtimes and frameworks: recognised so that they are never reported as off-road and
/// never "corrected" as typos.
pub const ON_ROAD: &[&str] = &[
    "node",
    "node.js",
    "nodejs",
    "javascript",
    "typescript",
    "js",
    "ts",
    "python",
    "java",
    "kotlin",
    "scala",
    "clojure",
    "groovy",
    "go",
    "golang",
    "dotnet",
    ".net",
    "c#",
    "csharp",
    "f#",
    "ruby",
    "rust",
    "express",
    "fastapi",
    "flask",
    "spring",
    "nestjs",
];

// ---------------------------------------------------------------------------------------------
// Actions
// ---------------------------------------------------------------------------------------------

/// How much an action word says about the action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ActionStrength {
    /// Counts only when no strong word is present ("need", "for Black Friday").
    Weak,
    /// A verb that decides the action ("delete", "deploy").
    Strong,
}

/// Action words. `make` and `add` are decided in context (see `MAKE_TARGETS`, `add ... to`).
pub const ACTIONS: &[(&str, Action, ActionStrength)] = &[
    ("roll back", Action::Rollback, ActionStrength::Strong),
    ("rollback", Action::Rollback, ActionStrength::Strong),
    ("roll-back", Action::Rollback, ActionStrength::Strong),
    ("revert", Action::Rollback, ActionStrength::Strong),
    ("undo", Action::Rollback, ActionStrength::Strong),
    ("delete", Action::Delete, ActionStrength::Strong),
    ("remove", Action::Delete, ActionStrength::Strong),
    ("tear down", Action::Delete, ActionStrength::Strong),
    ("teardown", Action::Delete, ActionStrength::Strong),
    ("tear-down", Action::Delete, ActionStrength::Strong),
    ("destroy", Action::Delete, ActionStrength::Strong),
    ("decommission", Action::Delete, ActionStrength::Strong),
    ("deprovision", Action::Delete, ActionStrength::Strong),
    ("de-provision", Action::Delete, ActionStrength::Strong),
    ("clean up", Action::Delete, ActionStrength::Strong),
    ("cleanup", Action::Delete, ActionStrength::Strong),
    ("clean-up", Action::Delete, ActionStrength::Strong),
    ("get rid of", Action::Delete, ActionStrength::Strong),
    ("shut down", Action::Delete, ActionStrength::Strong),
    ("shutdown", Action::Delete, ActionStrength::Strong),
    ("nuke", Action::Delete, ActionStrength::Strong),
    ("kill", Action::Delete, ActionStrength::Strong),
    ("wipe", Action::Delete, ActionStrength::Strong),
    ("purge", Action::Delete, ActionStrength::Strong),
    ("retire", Action::Delete, ActionStrength::Strong),
    ("terminate", Action::Delete, ActionStrength::Strong),
    ("drop", Action::Delete, ActionStrength::Strong),
    ("sunset", Action::Delete, ActionStrength::Strong),
    ("scale", Action::Scale, ActionStrength::Strong),
    ("scale up", Action::Scale, ActionStrength::Strong),
    ("scale out", Action::Scale, ActionStrength::Strong),
    ("scale down", Action::Scale, ActionStrength::Strong),
    ("scale in", Action::Scale, ActionStrength::Strong),
    ("upscale", Action::Scale, ActionStrength::Strong),
    ("downscale", Action::Scale, ActionStrength::Strong),
    ("upsize", Action::Scale, ActionStrength::Strong),
    ("downsize", Action::Scale, ActionStrength::Strong),
    ("resize", Action::Scale, ActionStrength::Strong),
    ("more capacity", Action::Scale, ActionStrength::Strong),
    ("add capacity", Action::Scale, ActionStrength::Strong),
    ("increase capacity", Action::Scale, ActionStrength::Strong),
    ("increase", Action::Scale, ActionStrength::Strong),
    ("double", Action::Scale, ActionStrength::Strong),
    ("triple", Action::Scale, ActionStrength::Strong),
    ("quadruple", Action::Scale, ActionStrength::Strong),
    ("halve", Action::Scale, ActionStrength::Strong),
    ("more instances", Action::Scale, ActionStrength::Strong),
    ("more replicas", Action::Scale, ActionStrength::Strong),
    ("more nodes", Action::Scale, ActionStrength::Strong),
    ("more tasks", Action::Scale, ActionStrength::Strong),
    ("beef up", Action::Scale, ActionStrength::Strong),
    ("bump", Action::Scale, ActionStrength::Strong),
    // "give reporting-worker more memory": more of what a size is made of.
    ("more memory", Action::Scale, ActionStrength::Strong),
    ("more ram", Action::Scale, ActionStrength::Strong),
    ("more cpu", Action::Scale, ActionStrength::Strong),
    ("more cpus", Action::Scale, ActionStrength::Strong),
    ("more vcpu", Action::Scale, ActionStrength::Strong),
    ("more vcpus", Action::Scale, ActionStrength::Strong),
    ("more storage", Action::Scale, ActionStrength::Strong),
    ("more disk", Action::Scale, ActionStrength::Strong),
    ("more compute", Action::Scale, ActionStrength::Strong),
    ("black friday", Action::Scale, ActionStrength::Weak),
    ("cyber monday", Action::Scale, ActionStrength::Weak),
    ("traffic spike", Action::Scale, ActionStrength::Weak),
    ("more traffic", Action::Scale, ActionStrength::Weak),
    ("modify", Action::Modify, ActionStrength::Strong),
    ("change", Action::Modify, ActionStrength::Strong),
    ("update", Action::Modify, ActionStrength::Strong),
    ("upgrade", Action::Modify, ActionStrength::Strong),
    ("downgrade", Action::Modify, ActionStrength::Strong),
    ("migrate", Action::Modify, ActionStrength::Strong),
    ("switch", Action::Modify, ActionStrength::Strong),
    ("enable", Action::Modify, ActionStrength::Strong),
    ("disable", Action::Modify, ActionStrength::Strong),
    ("turn on", Action::Modify, ActionStrength::Strong),
    ("turn off", Action::Modify, ActionStrength::Strong),
    ("rename", Action::Modify, ActionStrength::Strong),
    ("patch", Action::Modify, ActionStrength::Strong),
    ("reconfigure", Action::Modify, ActionStrength::Strong),
    ("convert", Action::Modify, ActionStrength::Strong),
    ("move", Action::Modify, ActionStrength::Strong),
    ("harden", Action::Modify, ActionStrength::Strong),
    ("encrypt", Action::Modify, ActionStrength::Strong),
    ("rotate", Action::Modify, ActionStrength::Strong),
    ("fix", Action::Modify, ActionStrength::Strong),
    ("create", Action::Create, ActionStrength::Strong),
    ("deploy", Action::Create, ActionStrength::Strong),
    ("deployment", Action::Create, ActionStrength::Weak),
    ("spin up", Action::Create, ActionStrength::Strong),
    ("set up", Action::Create, ActionStrength::Strong),
    ("setup", Action::Create, ActionStrength::Strong),
    ("provision", Action::Create, ActionStrength::Strong),
    ("build", Action::Create, ActionStrength::Strong),
    ("launch", Action::Create, ActionStrength::Strong),
    ("stand up", Action::Create, ActionStrength::Strong),
    ("bootstrap", Action::Create, ActionStrength::Strong),
    ("need", Action::Create, ActionStrength::Weak),
    ("want", Action::Create, ActionStrength::Weak),
    ("give me", Action::Create, ActionStrength::Weak),
    ("host", Action::Create, ActionStrength::Weak),
    ("run", Action::Create, ActionStrength::Weak),
    ("new", Action::Create, ActionStrength::Weak),
];

/// Phrasal verbs whose particle may follow the object ("roll it back", "tear the env down",
/// "spin a sandbox up"): verb, particle, action.
pub const SPLIT_VERBS: &[(&str, &str, Action)] = &[
    ("roll", "back", Action::Rollback),
    // "put billing-api back to how it was".
    ("put", "back", Action::Rollback),
    ("set", "back", Action::Rollback),
    ("tear", "down", Action::Delete),
    ("shut", "down", Action::Delete),
    ("clean", "up", Action::Delete),
    ("spin", "up", Action::Create),
    ("scale", "up", Action::Scale),
    ("scale", "down", Action::Scale),
    ("scale", "out", Action::Scale),
];

/// Past participles that state the action in the passive, after one of `AUXILIARIES`
/// ("payment-service needs to be deleted"). Alone they describe a state ("encrypted storage").
pub const PASSIVE_ACTIONS: &[(&str, Action)] = &[
    ("rolled back", Action::Rollback),
    ("reverted", Action::Rollback),
    ("undone", Action::Rollback),
    ("deleted", Action::Delete),
    ("removed", Action::Delete),
    ("torn down", Action::Delete),
    ("destroyed", Action::Delete),
    ("decommissioned", Action::Delete),
    ("deprovisioned", Action::Delete),
    ("cleaned up", Action::Delete),
    ("shut down", Action::Delete),
    ("terminated", Action::Delete),
    ("retired", Action::Delete),
    ("dropped", Action::Delete),
    ("scaled", Action::Scale),
    ("scaled up", Action::Scale),
    ("scaled out", Action::Scale),
    ("scaled down", Action::Scale),
    ("resized", Action::Scale),
    ("doubled", Action::Scale),
    ("increased", Action::Scale),
    ("modified", Action::Modify),
    ("changed", Action::Modify),
    ("updated", Action::Modify),
    ("upgraded", Action::Modify),
    ("migrated", Action::Modify),
    ("moved", Action::Modify),
    ("encrypted", Action::Modify),
    ("enabled", Action::Modify),
    ("disabled", Action::Modify),
    ("renamed", Action::Modify),
    ("patched", Action::Modify),
    ("killed", Action::Delete),
    ("restored", Action::Rollback),
];

/// Words before a past participle that make it passive.
pub const AUXILIARIES: &[&str] = &[
    "be", "been", "is", "are", "was", "were", "get", "gets", "got", "being",
];

/// The verb "make" is a modification only when it makes something *be* something:
/// "make the payment-service database PCI compliant", "make it private".
pub const MAKE_VERB: &str = "make";
pub const MAKE_TARGETS: &[&str] = &[
    "compliant",
    "encrypted",
    "private",
    "public",
    "bigger",
    "smaller",
    "faster",
    "larger",
    "highly",
    "multi-az",
    "redundant",
    "secure",
    "cheaper",
    "internal",
    "available",
    "resilient",
    // "multi-az" and "multi-region" are read as two words; "fault-tolerant" too.
    "multi",
    "fault",
    "ha",
];

/// The verb "add" is a modification when it adds to something that exists ("add redis to the
/// checkout service"), and a creation otherwise ("add a development environment").
pub const ADD_VERBS: &[&str] = &["add", "attach", "connect", "wire"];

/// What a count of things that run is counted in: "bump the orders api to 6 instances",
/// "10 replicas of search-api" ask to scale what exists.
pub const CAPACITY_UNITS: &[&str] = &[
    "instance", "instances", "replica", "replicas", "node", "nodes", "task", "tasks", "container", "containers", "copy", "copies",
    "pod", "pods", "server", "servers", "worker", "workers", "machine", "machines", "host", "hosts",
];

/// Verbs that state a compliance regime as what an existing thing must become: "orders-db needs
/// to be PCI now", "admin-portal has to become SOC 2 compliant".
pub const BECOME_VERBS: &[&str] = &["be", "become", "get"];

/// Words after a modification word that show it is a noun of something else ("change ticket").
pub const ACTION_NOT_BEFORE: &[&str] = &[
    "ticket",
    "tickets",
    "request",
    "management",
    "log",
    "logs",
    "window",
    "freeze",
    "id",
];

/// Words before "scale" that make it a noun ("at scale", "large scale").
pub const SCALE_NOT_AFTER: &[&str] = &["at", "large", "small", "web", "global", "massive", "huge"];

/// Nouns of a workload: an action word after one of these and a relativiser ("a job that deletes
/// old logs") describes what the workload does, not what the user wants done.
pub const WORKLOAD_NOUNS: &[&str] = &[
    "microservice",
    "microservices",
    "backend",
    "frontend",
    "dashboard",
    "portal",
    "website",
    "site",
    "consumer",
    "daemon",
    "webhook",
    "job",
    "jobs",
    "task",
    "tasks",
    "script",
    "scripts",
    "cron",
    "cronjob",
    "pipeline",
    "lambda",
    "function",
    "functions",
    "worker",
    "workers",
    "batch",
    "service",
    "app",
    "application",
    "api",
    "bot",
    "tool",
    "handler",
    "endpoint",
    "workflow",
    "process",
    "something",
    "thing",
];
pub const RELATIVISERS: &[&str] = &["that", "which", "to", "for", "who", "where", "and"];

// ---------------------------------------------------------------------------------------------
// Negation
// ---------------------------------------------------------------------------------------------

/// Words that rule out what follows them ("no cache", "skip the redis", "instead of Node.js").
pub const NEGATIONS: &[&str] = &[
    "no",
    "not",
    "without",
    "skip",
    "skipping",
    "exclude",
    "excluding",
    "except",
    "minus",
    "don't",
    "dont",
    "do not",
    "doesn't",
    "doesnt",
    "does not",
    "won't",
    "wont",
    "will not",
    "never",
    "instead of",
    "rather than",
    "leave out",
    "nor",
    "isn't",
    "aren't",
    "avoid",
    // "nothing production yet, dev only".
    "nothing",
    "w/o",
];

/// Answers that rule out what the question before them asked about ("Needs GPUs? Probably not").
/// "none" and "n/a" also answer a field of a form ("**Cache:** none").
pub const ANSWER_NEGATIONS: &[&str] = &["probably not", "not really", "nope", "no need", "not needed", "none", "n/a", "no"];

/// The last part of a resource's name that says what kind of thing it is ("analytics-bucket",
/// "orders-queue"), for a change to it.
pub const NAME_KINDS: &[(&str, Component)] = &[
    ("bucket", Component::S3),
    ("s3", Component::S3),
    ("queue", Component::Sqs),
    ("sqs", Component::Sqs),
    ("redis", Component::Redis),
    ("cache", Component::Redis),
    ("postgres", Component::Postgres),
    ("pg", Component::Postgres),
    ("mysql", Component::Mysql),
    ("dynamodb", Component::Dynamodb),
    ("ddb", Component::Dynamodb),
    ("table", Component::Dynamodb),
    ("lambda", Component::Lambda),
    ("function", Component::Lambda),
];

/// Words after a component that rule it out ("database not needed", "redis is unnecessary").
pub const POST_NEGATIONS: &[&str] = &[
    "not needed",
    "not required",
    "not necessary",
    "isn't needed",
    "isn't required",
    "is not needed",
    "is not required",
    "unnecessary",
    "not wanted",
    "is unnecessary",
    "aren't needed",
    "are not needed",
];

/// Words that end the reach of a negation ("no redis, just postgres"). Right after the negation
/// they do not ("not in production", "not on GPUs").
pub const NEGATION_STOPS: &[&str] = &[
    "but", "just", "only", "use", "using", "with", "prefer", "instead", "rather", "plus", "also",
    "in", "on", "at",
];

/// Words that carry a negation on to the next item ("without redis or memcached").
pub const NEGATION_CONJUNCTIONS: &[&str] = &["and", "or", "nor", "&"];

/// Verbs that, in a follow-up instruction, remove a component ("drop the cache").
pub const REMOVAL_VERBS: &[&str] = &["remove", "drop", "delete", "lose", "ditch", "get rid of"];

// ---------------------------------------------------------------------------------------------
// Clarification cues
// ---------------------------------------------------------------------------------------------

/// Words that make a deletion too vague to act on without a question ("clean up old resources",
/// "delete everything tagged old", "remove unused stuff").
pub const VAGUE_WORDS: &[&str] = &[
    "old",
    "unused",
    "everything",
    "all",
    "stale",
    "orphaned",
    "orphan",
    "leftover",
    "leftovers",
    "unneeded",
    "stuff",
    "things",
    "junk",
    "anything",
    "tagged",
    "abandoned",
    "idle",
    "obsolete",
    "legacy",
    "whatever",
    "some",
    "random",
    "outdated",
    "temporary",
    "temp",
];

// ---------------------------------------------------------------------------------------------
// Exposure and size
// ---------------------------------------------------------------------------------------------

/// Whether the workload faces the internet.
pub const EXPOSURE: &[(&str, bool)] = &[
    ("public", true),
    ("public-facing", true),
    ("internet-facing", true),
    ("customer-facing", true),
    ("external", true),
    ("partners", true),
    ("third-party", true),
    ("open to the internet", true),
    ("internal", false),
    ("private", false),
    ("internal-only", false),
    ("intranet", false),
];

/// The workload size a request describes.
pub const SCALE_WORDS: &[(&str, &str)] = &[
    ("small", "small"),
    ("tiny", "small"),
    ("minimal", "small"),
    ("low traffic", "small"),
    ("low-traffic", "small"),
    ("mvp", "small"),
    ("prototype", "small"),
    ("hobby", "small"),
    ("side project", "small"),
    ("cheap", "small"),
    ("medium", "medium"),
    ("moderate", "medium"),
    ("mid-size", "medium"),
    ("large", "large"),
    ("big", "large"),
    ("huge", "large"),
    ("massive", "large"),
    ("heavy", "large"),
    ("high traffic", "large"),
    ("high-traffic", "large"),
    ("millions", "large"),
    ("black friday", "large"),
    ("peak", "large"),
    ("enterprise", "large"),
];

// ---------------------------------------------------------------------------------------------
// Service names
// ---------------------------------------------------------------------------------------------

/// Last parts that make a hyphenated word a service or resource name (`payment-service`,
/// `billing-db`, `orders_api`).
pub const SERVICE_SUFFIXES: &[&str] = &[
    "service",
    "svc",
    "api",
    "app",
    "db",
    "database",
    "web",
    "worker",
    "job",
    "ui",
    "frontend",
    "backend",
    "gateway",
    "bucket",
    "cache",
    "queue",
    "cluster",
    "pipeline",
    "etl",
    "portal",
    "site",
    "server",
    "lambda",
    "function",
    "fn",
    "handler",
    "bot",
    "store",
    "stack",
    "cron",
    "task",
    "ms",
    "microservice",
    "redis",
    "postgres",
    "pg",
    "mysql",
    "dynamo",
    "table",
    "prod",
    "staging",
    "stg",
    "dev",
    "production",
    "development",
    "exporter",
    "consumer",
    "producer",
    "processor",
    "scheduler",
    "dashboard",
    "engine",
    "model",
    "proxy",
    "auth",
];

/// Nouns that follow a name in "the checkout service", with the suffix used for the name.
pub const SERVICE_NOUNS: &[(&str, &str)] = &[
    ("service", "service"),
    ("svc", "service"),
    ("microservice", "service"),
    ("api", "api"),
    ("app", "app"),
    ("application", "app"),
    ("database", "db"),
    ("db", "db"),
    ("worker", "worker"),
    ("backend", "backend"),
    ("frontend", "frontend"),
    ("cluster", "cluster"),
    ("bucket", "bucket"),
    ("queue", "queue"),
    ("pipeline", "pipeline"),
    ("job", "job"),
];

/// Words that introduce a named thing ("the checkout service", "our billing database").
pub const DETERMINERS: &[&str] = &[
    "the", "our", "my", "their", "your", "this", "that", "a", "an", "its", "his", "her",
];

/// Words never taken as part of a service name.
pub const STOPWORDS: &[&str] = &[
    "the", "a", "an", "our", "my", "their", "your", "this", "that", "these", "those", "it", "its",
    "of", "for", "to", "in", "on", "at", "by", "with", "and", "or", "is", "are", "be", "we", "i",
    "you", "they", "me", "us", "new", "existing", "current", "whole", "entire", "main", "same",
    "other", "another", "some", "any", "all", "every", "each", "please", "now", "then", "just",
    "only", "old", "unused", "which", "what", "whose", "from",
];

// ---------------------------------------------------------------------------------------------
// Schedules
// ---------------------------------------------------------------------------------------------

/// Day names and their cron day-of-week numbers (Sunday is 0).
pub const WEEKDAYS: &[(&str, u8)] = &[
    ("sunday", 0),
    ("sun", 0),
    ("monday", 1),
    ("mon", 1),
    ("tuesday", 2),
    ("tue", 2),
    ("tues", 2),
    ("wednesday", 3),
    ("wed", 3),
    ("thursday", 4),
    ("thu", 4),
    ("thurs", 4),
    ("friday", 5),
    ("fri", 5),
    ("saturday", 6),
    ("sat", 6),
];

/// Words for every working day and every weekend day.
pub const WEEKDAY_SETS: &[(&str, &str)] = &[
    ("weekday", "1-5"),
    ("weekdays", "1-5"),
    ("workday", "1-5"),
    ("workdays", "1-5"),
    ("working day", "1-5"),
    ("working days", "1-5"),
    ("business day", "1-5"),
    ("business days", "1-5"),
    ("weekend", "0,6"),
    ("weekends", "0,6"),
];

/// How often something runs, as words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Frequency {
    EveryMinute,
    HalfHourly,
    Hourly,
    Daily,
    Nightly,
    Morning,
    Evening,
    TwiceDaily,
    ThriceDaily,
    Weekly,
    Monthly,
    Quarterly,
    Yearly,
}

/// Frequency phrases. Units after a number ("every 15 minutes") are in `SCHEDULE_UNITS`.
pub const FREQUENCIES: &[(&str, Frequency)] = &[
    ("every minute", Frequency::EveryMinute),
    ("each minute", Frequency::EveryMinute),
    ("every half hour", Frequency::HalfHourly),
    ("every half an hour", Frequency::HalfHourly),
    ("half-hourly", Frequency::HalfHourly),
    ("half hourly", Frequency::HalfHourly),
    ("twice an hour", Frequency::HalfHourly),
    ("hourly", Frequency::Hourly),
    ("every hour", Frequency::Hourly),
    ("each hour", Frequency::Hourly),
    ("once an hour", Frequency::Hourly),
    ("once per hour", Frequency::Hourly),
    ("once every hour", Frequency::Hourly),
    ("daily", Frequency::Daily),
    ("every day", Frequency::Daily),
    ("each day", Frequency::Daily),
    ("once a day", Frequency::Daily),
    ("once per day", Frequency::Daily),
    ("once daily", Frequency::Daily),
    ("everyday", Frequency::Daily),
    ("nightly", Frequency::Nightly),
    ("every night", Frequency::Nightly),
    ("each night", Frequency::Nightly),
    ("at night", Frequency::Nightly),
    ("overnight", Frequency::Nightly),
    ("every evening", Frequency::Evening),
    ("each evening", Frequency::Evening),
    ("every morning", Frequency::Morning),
    ("each morning", Frequency::Morning),
    ("twice a day", Frequency::TwiceDaily),
    ("twice daily", Frequency::TwiceDaily),
    ("twice per day", Frequency::TwiceDaily),
    ("two times a day", Frequency::TwiceDaily),
    ("2x a day", Frequency::TwiceDaily),
    ("three times a day", Frequency::ThriceDaily),
    ("3x a day", Frequency::ThriceDaily),
    ("weekly", Frequency::Weekly),
    ("every week", Frequency::Weekly),
    ("each week", Frequency::Weekly),
    ("once a week", Frequency::Weekly),
    ("once per week", Frequency::Weekly),
    ("monthly", Frequency::Monthly),
    ("every month", Frequency::Monthly),
    ("each month", Frequency::Monthly),
    ("once a month", Frequency::Monthly),
    ("once per month", Frequency::Monthly),
    ("quarterly", Frequency::Quarterly),
    ("every quarter", Frequency::Quarterly),
    ("yearly", Frequency::Yearly),
    ("annually", Frequency::Yearly),
    ("every year", Frequency::Yearly),
    ("once a year", Frequency::Yearly),
];

/// Time units after "every N".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeUnit {
    Minute,
    Hour,
    Day,
    Week,
    Month,
}

pub const SCHEDULE_UNITS: &[(&str, TimeUnit)] = &[
    ("minute", TimeUnit::Minute),
    ("minutes", TimeUnit::Minute),
    ("min", TimeUnit::Minute),
    ("mins", TimeUnit::Minute),
    ("m", TimeUnit::Minute),
    ("hour", TimeUnit::Hour),
    ("hours", TimeUnit::Hour),
    ("hr", TimeUnit::Hour),
    ("hrs", TimeUnit::Hour),
    ("h", TimeUnit::Hour),
    ("day", TimeUnit::Day),
    ("days", TimeUnit::Day),
    ("week", TimeUnit::Week),
    ("weeks", TimeUnit::Week),
    ("month", TimeUnit::Month),
    ("months", TimeUnit::Month),
];

/// Numbers written as words, in schedules and budgets ("fifteen"; "twenty-five" is split by the
/// tokeniser into two words).
pub const UNIT_WORDS: &[(&str, u32)] = &[
    ("zero", 0),
    ("one", 1),
    ("two", 2),
    ("three", 3),
    ("four", 4),
    ("five", 5),
    ("six", 6),
    ("seven", 7),
    ("eight", 8),
    ("nine", 9),
    ("ten", 10),
    ("eleven", 11),
    ("twelve", 12),
    ("thirteen", 13),
    ("fourteen", 14),
    ("fifteen", 15),
    ("sixteen", 16),
    ("seventeen", 17),
    ("eighteen", 18),
    ("nineteen", 19),
];

/// Tens written as words.
pub const TENS_WORDS: &[(&str, u32)] = &[
    ("twenty", 20),
    ("thirty", 30),
    ("forty", 40),
    ("fifty", 50),
    ("sixty", 60),
    ("seventy", 70),
    ("eighty", 80),
    ("ninety", 90),
];

/// Named times of day.
pub const TIMES_OF_DAY: &[(&str, u8)] = &[("midnight", 0), ("noon", 12), ("midday", 12)];

/// Default run hours (UTC) when a schedule names no time.
pub const DEFAULT_RUN_HOUR: u8 = 2;
pub const MORNING_HOUR: u8 = 6;
pub const EVENING_HOUR: u8 = 18;

/// Copies that a frequency word may describe as a property ("nightly backups kept 30 days") or,
/// when they go to one of `COPY_DESTINATIONS`, as a job ("nightly backups of the db to S3").
pub const COPY_NOUNS: &[&str] = &["backups", "backup", "snapshots", "snapshot", "dumps", "dump", "exports", "export", "copies", "copy"];
/// Words for copies kept elsewhere: a place after them ("replication to Ireland") is where the copy
/// goes, not where the workload runs.
pub const REPLICA_WORDS: &[&str] = &[
    "replication", "replicate", "replicated", "replica", "replicas", "mirror", "mirrored", "failover", "recovery", "dr", "copied",
];
pub const COPY_DESTINATIONS: &[&str] = &["s3", "bucket", "buckets", "glacier", "storage", "archive", "region"];

/// Nouns after a frequency word that make it describe something other than a run
/// ("daily active users", "nightly backups kept 30 days", "monthly budget").
pub const FREQUENCY_NOT_BEFORE: &[&str] = &[
    "users",
    "user",
    "active",
    "visitors",
    "requests",
    "traffic",
    "backups",
    "backup",
    "snapshots",
    "snapshot",
    "budget",
    "cost",
    "costs",
    "spend",
    "bill",
    "limit",
    "cap",
    "price",
    "fee",
    "budgets",
    "volume",
    "volumes",
    "uptime",
    "basis",
];

// ---------------------------------------------------------------------------------------------
// Budgets
// ---------------------------------------------------------------------------------------------

/// Currencies: symbols and words, and whether they are US dollars.
pub const CURRENCY_SYMBOLS: &[(&str, &str)] =
    &[("$", "USD"), ("us$", "USD"), ("€", "EUR"), ("£", "GBP")];
pub const CURRENCY_WORDS: &[(&str, &str)] = &[
    ("usd", "USD"),
    ("dollars", "USD"),
    ("dollar", "USD"),
    ("bucks", "USD"),
    ("eur", "EUR"),
    ("euro", "EUR"),
    ("euros", "EUR"),
    ("gbp", "GBP"),
    ("pounds", "GBP"),
    ("quid", "GBP"),
];

/// Words before an amount that make it a budget ("under $2000", "budget is 1500").
pub const BUDGET_CUES: &[&str] = &[
    "budget",
    "under",
    "below",
    "max",
    "maximum",
    "less",
    "within",
    "cap",
    "capped",
    "limit",
    "spend",
    "spending",
    "afford",
    "most",
    "exceed",
    "over",
    "around",
    "about",
    "roughly",
    "approximately",
    "cost",
    "costs",
    "costing",
    "than",
    "upto",
    "up",
    "keep",
    "stay",
    "cheaper",
];

/// Words that make a bare number a budget on their own ("budget is 1500", "can spend 900").
pub const STRONG_BUDGET_CUES: &[&str] = &[
    "budget", "spend", "spending", "afford", "cost", "costs", "costing", "cap", "capped",
];

/// Periods after an amount ("/month", "a month", "per year").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BudgetPeriod {
    Day,
    Week,
    Month,
    Year,
}

pub const BUDGET_PERIODS: &[(&str, BudgetPeriod)] = &[
    ("month", BudgetPeriod::Month),
    ("months", BudgetPeriod::Month),
    ("mo", BudgetPeriod::Month),
    ("mth", BudgetPeriod::Month),
    ("monthly", BudgetPeriod::Month),
    ("pm", BudgetPeriod::Month),
    ("p/m", BudgetPeriod::Month),
    ("year", BudgetPeriod::Year),
    ("yr", BudgetPeriod::Year),
    ("annually", BudgetPeriod::Year),
    ("yearly", BudgetPeriod::Year),
    ("annual", BudgetPeriod::Year),
    ("pa", BudgetPeriod::Year),
    ("week", BudgetPeriod::Week),
    ("weekly", BudgetPeriod::Week),
    ("day", BudgetPeriod::Day),
    ("daily", BudgetPeriod::Day),
];

/// Units after a number that show it is not money ("10k users", "4 GB").
pub const NON_MONEY_UNITS: &[&str] = &[
    "users",
    "user",
    "requests",
    "request",
    "rps",
    "qps",
    "gb",
    "tb",
    "mb",
    "gib",
    "tib",
    "vcpu",
    "vcpus",
    "cpu",
    "cpus",
    "cores",
    "nodes",
    "instances",
    "replicas",
    "minutes",
    "hours",
    "days",
    "seconds",
    "ms",
    "rows",
    "records",
    "events",
    "messages",
    "visitors",
    "customers",
    "orders",
    "transactions",
    "tps",
    "connections",
    "gpus",
    "am",
    "times",
    "x",
    "percent",
    "%",
    "items",
];

// ---------------------------------------------------------------------------------------------
// Spelling
// ---------------------------------------------------------------------------------------------

/// Shortest word the spelling correction touches; shorter words are too easily another word.
pub const TYPO_MIN_LEN: usize = 5;
/// Words of at least this length may be two edits away from the word meant; shorter ones one.
pub const TYPO_TWO_EDITS_LEN: usize = 8;
/// Place names shorter than this are never a correction target: "pairs" must not become Paris.
pub const TYPO_MIN_PLACE_LEN: usize = 7;

/// Words the correction knows besides the vocabulary above, so that it leaves them alone
/// ("stores" must not become "storage", "models" is not a typo of "model").
pub const EXTRA_DICTIONARY: &[&str] = &[
    "nightly",
    "hourly",
    "weekly",
    "monthly",
    "minutes",
    "every",
    "environment",
    "deployment",
    "compliant",
    "compliance",
    "application",
    "customer",
    "customers",
    "service",
    "services",
    "process",
    "processing",
    "results",
    "store",
    "stores",
    "stored",
    "storing",
    "traffic",
    "internal",
    "handle",
    "server",
    "servers",
    "instance",
    "instances",
    "capacity",
    "request",
    "requests",
    "please",
    "should",
    "would",
    "could",
    "about",
    "after",
    "before",
    "under",
    "between",
    "there",
    "their",
    "these",
    "those",
    "where",
    "which",
    "while",
    "other",
    "needs",
    "needed",
    "using",
    "making",
    "backed",
    "hosted",
    "running",
    "runs",
    "build",
    "built",
    "tables",
    "table",
    "orders",
    "order",
    "users",
    "people",
    "partners",
    "mobile",
    "system",
    "systems",
    "simple",
    "small",
    "large",
    "files",
    "images",
    "videos",
    "emails",
    "email",
    "events",
    "metrics",
    "alerts",
    "cluster",
    "clusters",
    "nodes",
    "region",
    "regions",
    "available",
    "availability",
    "encryption",
    "encrypted",
    "private",
    "public",
    "secure",
    "security",
    "backup",
    "backups",
    "snapshots",
    "older",
    "stale",
    "unused",
    "resources",
    "resource",
    "everything",
    "something",
    "anything",
    "things",
    "stage",
    "stages",
    "staged",
    "tests",
    "tested",
    "testers",
    "models",
    "modes",
    "model",
    "pairs",
    "parts",
    "posts",
    "posters",
    "sites",
    "sizes",
    "later",
    "latest",
    "early",
    "earlier",
    "third",
    "party",
    "scalable",
    "scaling",
    "autoscaling",
    "reliable",
    "quickly",
    "thanks",
    "hello",
    "great",
    "first",
    "second",
    "minute",
    "hours",
    "weeks",
    "months",
    "years",
    "night",
    "nights",
    "morning",
    "evening",
    "sunday",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "weekday",
    "weekdays",
    "weekend",
    "weekends",
    "budget",
    "dollars",
    "euros",
    "pounds",
    "maximum",
    "minimum",
    "monthly",
    "currently",
    "existing",
    "current",
    "previous",
    "version",
    "versions",
    "release",
    "releases",
    "config",
    "configuration",
    "settings",
    "team's",
    "teams",
    "engineers",
    "product",
    "products",
    "inventory",
    "catalog",
    "catalogue",
    "search",
    "images",
    "upload",
    "uploads",
    "download",
    "downloads",
    "invoices",
    "invoice",
    "payments",
    "payment",
    "billing",
    "checkout",
    "accounts",
    "account",
    "profile",
    "profiles",
    "sessions",
    "session",
    "login",
    "tokens",
    "token",
    "messages",
    "message",
    "notifications",
    "notification",
    "queues",
    "logs",
    "logging",
    "tracing",
    "monitoring",
    "alarms",
    "alarm",
    "status",
    "health",
    "healthy",
    "ready",
    "start",
    "started",
    "stops",
    "stopped",
    "thing",
    "stuff",
    "keep",
    "keeps",
    "kept",
    "delete",
    "deletes",
    "deleted",
    "deleting",
    "removes",
    "removed",
    "removing",
    "cleans",
    "cleaned",
    "cleaning",
    "exports",
    "exported",
    "imports",
    "imported",
    "import",
    "loads",
    "loaded",
    "loading",
    "sends",
    "sending",
    "reads",
    "writes",
    "writing",
    "reading",
    "files",
    "folder",
    "folders",
    "table",
    "tables",
    "fronted",
    "behind",
    "across",
    "around",
    "within",
    "without",
    "instead",
    "rather",
    "already",
    "again",
    "still",
];
