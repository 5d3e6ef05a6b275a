//! The platform team's guardrails, loaded from `guardrails.yaml`.

use std::path::Path;

use paved_core::PolicyError;
use paved_core::guardrail::GuardrailPolicy;

/// The file name inside a policies directory.
pub const GUARDRAILS_FILE: &str = "guardrails.yaml";

/// The shipped guardrails, compiled into the binary.
const SHIPPED: &str = include_str!("../../policies/guardrails.yaml");

/// Parsed and validated guardrails.
#[derive(Debug, Clone, PartialEq)]
pub struct Guardrails {
    policy: GuardrailPolicy,
}

impl Guardrails {
    /// Loads `guardrails.yaml` from a policies directory.
    pub fn load(dir: &Path) -> Result<Guardrails, PolicyError> {
        let path = dir.join(GUARDRAILS_FILE);
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(&path).map_err(|e| {
            PolicyError::new(&shown, None, None, format!("the file cannot be read ({e})"))
        })?;
        Guardrails::parse(&shown, &text)
    }

    /// The guardrails shipped with paved (`policies/guardrails.yaml`).
    pub fn shipped() -> Guardrails {
        // The shipped file is part of the source and a test parses it, so a failure here is a
        // build defect, not bad input.
        match Guardrails::parse("policies/guardrails.yaml", SHIPPED) {
            Ok(g) => g,
            Err(e) => panic!("the shipped guardrails are broken: {e}"),
        }
    }

    /// Parses a guardrails file's text; `file` names it in errors.
    pub fn parse(file: &str, text: &str) -> Result<Guardrails, PolicyError> {
        GuardrailPolicy::parse(file, text).map(|policy| Guardrails { policy })
    }

    pub fn policy(&self) -> &GuardrailPolicy {
        &self.policy
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_guardrails_parse() {
        let g = Guardrails::parse("policies/guardrails.yaml", SHIPPED).unwrap();
        let names: Vec<&str> = g.policy().rules().map(|(_, r)| r.name.as_str()).collect();
        for want in [
            "encryption_at_rest",
            "require_multi_az_production",
            "no_public_databases",
            "mfa_for_admin",
            "pci_baseline",
            "gdpr_data_residency",
            "no_world_open_ingress",
            "no_public_search_domains",
            "no_public_buckets",
            "no_open_role_trust",
            "no_plaintext_secrets",
            "no_open_resource_policies",
            "no_privileged_containers",
            "no_public_ips_in_production",
            "require_imdsv2",
            "notebook_lockdown",
            "pci_encryption_in_transit",
            "no_plaintext_http",
            "modern_tls_policy",
            "production_database_backups",
            "production_deletion_protection",
            "production_final_snapshot",
            "monthly_limit_1000",
            "monthly_limit_5000",
            "monthly_limit_10000",
            "production_change_ticket",
            "deletion_confirmation",
        ] {
            assert!(names.contains(&want), "{want} missing from {names:?}");
        }
    }
}
