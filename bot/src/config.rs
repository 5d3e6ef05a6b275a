//! paved's configuration: one TOML file (`paved.toml`, or the file `--config` / `PAVED_CONFIG`
//! names), then environment variables for what differs per machine and for secrets.
//!
//! Every field has a default that runs on embedded defaults: SQLite in the working directory,
//! the shipped policies, the sandbox cloud, keys under `.paved/`.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::engine::Directory;
use crate::error::UserError;

/// A secret from the configuration or the environment: it never prints.
#[derive(Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Secret {
        Secret(s.into())
    }
    /// The secret itself, for the one place that needs it.
    pub fn expose(&self) -> &str {
        &self.0
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_empty() { "Secret(<unset>)" } else { "Secret(<redacted>)" })
    }
}

impl std::fmt::Display for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

/// Which cloud approved plans deploy to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum CloudKind {
    /// The embedded simulation (labelled as such everywhere).
    #[default]
    Sandbox,
    /// AWS through the SDK (needs a build with the `aws` feature).
    Aws,
}

/// The `[cloud]` section.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CloudConfig {
    /// `sandbox` (default) or `aws`.
    pub kind: CloudKind,
    /// The sandbox's time scale: 1.0 takes as long as AWS would, 0.01 a hundredth of that.
    pub sandbox_time_factor: f64,
    /// AWS: the region when the plan does not say (plans always do).
    pub region: Option<String>,
    /// AWS: an endpoint override (an emulator, a VPC endpoint).
    pub endpoint_url: Option<String>,
    /// Roll back a failed deployment at once instead of offering it.
    pub auto_rollback: bool,
}

impl Default for CloudConfig {
    fn default() -> Self {
        CloudConfig { kind: CloudKind::Sandbox, sandbox_time_factor: 0.01, region: None, endpoint_url: None, auto_rollback: false }
    }
}

/// The `[audit]` section.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuditConfig {
    /// The audit's private key; only the audit worker reads it.
    pub key: PathBuf,
    /// The audit's public key, which the orchestrator and executor verify verdicts with.
    pub public_key: PathBuf,
    /// `spawn` (paved serve starts `paved-audit` as a child with a scrubbed environment) or
    /// `external` (an audit worker runs elsewhere against the same database).
    pub worker: WorkerMode,
    /// The `paved-audit` binary to spawn; by default the one beside `paved`.
    pub binary: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum WorkerMode {
    #[default]
    Spawn,
    External,
}

impl Default for AuditConfig {
    fn default() -> Self {
        AuditConfig { key: PathBuf::from(".paved/audit.key"), public_key: PathBuf::from(".paved/audit.pub"), worker: WorkerMode::Spawn, binary: None }
    }
}

/// The `[log]` section.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogConfig {
    /// `text` for people, `json` for log collectors.
    pub format: String,
    /// A tracing filter, e.g. `info` or `paved_bot=debug,info`.
    pub filter: String,
}

impl Default for LogConfig {
    fn default() -> Self {
        LogConfig { format: "text".into(), filter: "info".into() }
    }
}

/// The whole file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// `sqlite://paved.db?mode=rwc` (default) or `postgres://…`; `DATABASE_URL` overrides it.
    pub database_url: String,
    /// A policies directory; the shipped policies when unset. `PAVED_POLICIES` overrides it.
    pub policies: Option<PathBuf>,
    /// The address `paved serve` listens on for chat platforms' HTTP requests.
    pub listen: String,
    pub cloud: CloudConfig,
    pub audit: AuditConfig,
    pub log: LogConfig,
    /// Approver roles: who they are, where their escalations go, how many must agree.
    pub approvers: Directory,
    /// Slack, when paved serves it.
    pub slack: Option<crate::slack::config::SlackConfig>,
    /// Discord, when paved serves it.
    pub discord: Option<crate::discord::config::DiscordConfig>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            database_url: paved_store::DEFAULT_DATABASE_URL.to_string(),
            policies: None,
            listen: "127.0.0.1:8080".into(),
            cloud: CloudConfig::default(),
            audit: AuditConfig::default(),
            log: LogConfig::default(),
            approvers: Directory::default(),
            slack: None,
            discord: None,
        }
    }
}

impl Config {
    /// Reads the configuration file (when `path` is given or `paved.toml` exists), then applies
    /// the environment: `DATABASE_URL`, `--policies`/`PAVED_POLICIES`, `PAVED_AUDIT_KEY`, `PAVED_AUDIT_PUBLIC_KEY`.
    pub fn load(path: Option<&Path>, policies: Option<&Path>) -> Result<Config, UserError> {
        let default = Path::new("paved.toml");
        let file = path.or(default.exists().then_some(default));
        let mut config = match file {
            None => Config::default(),
            Some(file) => {
                let text = std::fs::read_to_string(file).map_err(|e| {
                    UserError::new(format!("Could not read the configuration file {} ({e}); check the path given to --config.", file.display()))
                })?;
                Config::parse(&text).map_err(|e| UserError::new(format!("The configuration file {} is invalid: {e}; fix it and start again.", file.display())))?
            }
        };
        if let Some(url) = std::env::var_os("DATABASE_URL").and_then(|v| v.into_string().ok()) {
            config.database_url = url;
        }
        // `--policies` (or its `PAVED_POLICIES`) wins over the file.
        if let Some(dir) = policies {
            config.policies = Some(dir.to_path_buf());
        }
        if let Some(key) = std::env::var_os("PAVED_AUDIT_KEY") {
            config.audit.key = PathBuf::from(key);
        }
        if let Some(key) = std::env::var_os("PAVED_AUDIT_PUBLIC_KEY") {
            config.audit.public_key = PathBuf::from(key);
        }
        Ok(config)
    }

    /// Parses a configuration text.
    pub fn parse(text: &str) -> Result<Config, String> {
        let config: Config = toml::from_str(text).map_err(|e| describe(text, &e))?;
        for (name, role) in &config.approvers.roles {
            if role.users.is_empty() && role.groups.is_empty() {
                return Err(format!("approver role `{name}` names no users and no groups"));
            }
            if role.required as usize > role.users.len() && role.groups.is_empty() {
                return Err(format!("approver role `{name}` needs {} approvals but has only {} users", role.required, role.users.len()));
            }
        }
        if !(0.0..=10.0).contains(&config.cloud.sandbox_time_factor) {
            return Err("cloud.sandbox_time_factor must be between 0 and 10".into());
        }
        Ok(config)
    }
}

/// One line for a TOML error: what is wrong and on which line. An unknown key is found by its
/// name, since the parser points at the table that holds it.
fn describe(text: &str, e: &toml::de::Error) -> String {
    let named = e.message().split('`').nth(1).and_then(|key| {
        text.lines().position(|l| l.trim_start().strip_prefix(key).is_some_and(|rest| rest.trim_start().starts_with('='))).map(|i| i + 1)
    });
    let spanned = e.span().map(|span| text[..span.start.min(text.len())].lines().count().max(1));
    match named.or(spanned) {
        Some(line) => format!("line {line}: {}", e.message()),
        None => e.message().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_file_parses_and_secrets_do_not_print() {
        let text = r##"
database_url = "postgres://paved@127.0.0.1/paved"
listen = "0.0.0.0:8080"
[cloud]
kind = "sandbox"
sandbox_time_factor = 0.5
[approvers]
escalation_ttl_minutes = 120
[approvers.roles.finance_manager]
users = ["U123", "U456"]
channel = "#finance-approvals"
required = 2
"##;
        let c = Config::parse(text).unwrap();
        assert_eq!(c.approvers.role("finance_manager").unwrap().required, 2);
        assert_eq!(c.approvers.escalation_ttl_minutes, 120);
        assert_eq!(format!("{:?}", Secret::new("xoxb-123")), "Secret(<redacted>)");
        assert_eq!(format!("{}", Secret::new("xoxb-123")), "<redacted>");
    }

    #[test]
    fn mistakes_are_named() {
        let e = Config::parse("listen = 'x'\ndatabse_url = 'x'").unwrap_err();
        assert!(e.contains("databse_url") && e.starts_with("line 2:"), "{e}");
        let e = Config::parse("[approvers.roles.cfo]\nusers = ['a']\nrequired = 2\nchannel = '#c'").unwrap_err();
        assert!(e.contains("cfo") && e.contains("2"), "{e}");
    }
}
