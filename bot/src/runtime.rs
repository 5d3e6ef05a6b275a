//! Building a running paved from its configuration: the database, the policies, the audit keys,
//! the host with its cloud, and the audit worker (in this process for the terminal commands, a
//! child process for `paved serve`).

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use paved_audit::worker::{self, AuditorJudge};
use paved_audit::{Auditor, keys};
use paved_core::signing::{SigningKey, VerifyingKey};
use paved_executor::SandboxProvider;
use paved_store::Db;

use crate::config::{CloudKind, Config};
use crate::engine::{Directory, Role};
use crate::error::UserError;
use crate::host::{Host, HostConfig};
use crate::policies::Policies;

/// Everything a terminal command needs.
pub struct Runtime {
    pub config: Config,
    pub db: Db,
    pub policies: Arc<Policies>,
    pub host: Arc<Host>,
    /// The signing key, for the in-process audit worker of the terminal commands only.
    pub signing_key: Option<SigningKey>,
    pub verifying_key: VerifyingKey,
}

/// Loads the audit key pair, creating it on first use of the embedded defaults.
pub fn audit_keys(config: &Config, create: bool) -> anyhow::Result<(Option<SigningKey>, VerifyingKey)> {
    let key_path = &config.audit.key;
    if !key_path.exists() && create {
        let dir = key_path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(|e| UserError::new(format!("Could not create {} ({e}).", dir.display())))?;
        let written = keys::generate_keypair(dir, false).map_err(|e| UserError::new(format!("Could not create the audit key in {} ({e}).", dir.display())))?;
        tracing::info!(key_id = %written.key_id, dir = %dir.display(), "created the audit key pair for the embedded defaults");
    }
    let public = keys::load_verifying_key(&config.audit.public_key).map_err(|e| {
        UserError::new(format!("Could not load the audit public key {} ({e}); run `paved keys generate` or set [audit] public_key.", config.audit.public_key.display()))
    })?;
    let signing = if key_path.exists() { Some(keys::load_signing_key(key_path).map_err(|e| UserError::new(format!("Could not load the audit key {} ({e}).", key_path.display())))?) } else { None };
    Ok((signing, public))
}

/// An approver directory for the terminal when the configuration names none: every role of the
/// shipped guardrails, held by a terminal user named after it.
pub fn terminal_directory(configured: &Directory) -> Directory {
    if !configured.roles.is_empty() {
        return configured.clone();
    }
    let mut d = Directory { escalation_ttl_minutes: configured.escalation_ttl_minutes, ..Directory::default() };
    for role in ["finance_manager", "cfo", "change_manager", "security_team"] {
        d.roles.insert(role.into(), Role { users: vec![format!("terminal:{role}")], groups: vec![], channel: format!("#{}-approvals", role.replace('_', "-")), required: 1 });
    }
    d
}

impl Runtime {
    /// Opens everything on the configuration's database, with `directory` as the approvers.
    pub async fn open(config: Config, directory: Directory, create_keys: bool) -> anyhow::Result<Runtime> {
        let policies = Arc::new(Policies::load(config.policies.as_deref())?);
        let db = Db::open(&config.database_url).await.with_context(|| "opening the database")?;
        let (signing_key, verifying_key) = audit_keys(&config, create_keys)?;
        let host_config = HostConfig { directory, auto_rollback: config.cloud.auto_rollback, ..HostConfig::default() };
        let host = match config.cloud.kind {
            CloudKind::Sandbox => Host::new(db.clone(), Arc::clone(&policies), verifying_key, SandboxProvider::new(config.cloud.sandbox_time_factor), host_config),
            #[cfg(feature = "aws")]
            CloudKind::Aws => {
                // The provider resolves references (`aws_vpc.main.id`) through the same ledger the
                // executor records into: the database.
                let ledger = Arc::new(crate::ledger::DbLedger::new(db.clone()));
                let aws = paved_executor::aws::AwsConfig {
                    region: config.cloud.region.clone(),
                    endpoint_url: config.cloud.endpoint_url.clone(),
                    ..paved_executor::aws::AwsConfig::default()
                };
                let provider = paved_executor::aws::AwsProvider::connect(aws, ledger).await;
                Host::new(db.clone(), Arc::clone(&policies), verifying_key, provider, host_config)
            }
            #[cfg(not(feature = "aws"))]
            CloudKind::Aws => return Err(UserError::new("This paved was built without the AWS provider; build it with `--features aws` or set [cloud] kind = \"sandbox\".").into()),
        };
        Ok(Runtime { config, db, policies, host: Arc::new(host), signing_key, verifying_key })
    }

    /// Runs the in-process audit worker and the host until no work is waiting. Returns how much
    /// was done.
    pub async fn settle(&self) -> anyhow::Result<usize> {
        let key = self.signing_key.as_ref().ok_or_else(|| UserError::new("The audit key is not on this machine; run the audit worker (`paved-audit`) where it is."))?;
        let auditor = Auditor::new(&self.policies.catalog, &self.policies.guardrails);
        let judge = AuditorJudge(&auditor);
        let mut total = 0;
        loop {
            let mut judged = 0;
            while worker::handle_next(&self.db, &judge, key, Duration::from_secs(30)).await?.is_some() {
                judged += 1;
            }
            let handled = self.host.drain().await?;
            total += judged + handled;
            if judged == 0 && handled == 0 {
                return Ok(total);
            }
        }
    }
}
