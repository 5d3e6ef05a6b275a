//! The platform team's policies as paved loads them: golden paths, prices, IPAM and guardrails.

use std::path::Path;

use paved_audit::Guardrails;
use paved_planner::Catalog;

use crate::error::UserError;

/// Everything under a policies directory.
pub struct Policies {
    pub catalog: Catalog,
    pub guardrails: Guardrails,
}

impl Policies {
    /// Loads the policies from `dir`, or the shipped defaults (compiled into the binary) when no
    /// directory is given.
    pub fn load(dir: Option<&Path>) -> Result<Policies, UserError> {
        match dir {
            None => Ok(Policies { catalog: Catalog::shipped(), guardrails: Guardrails::shipped() }),
            Some(dir) => {
                if !dir.is_dir() {
                    return Err(UserError::new(format!(
                        "The policies directory {} does not exist; pass --policies with a directory that holds golden_paths/, prices.yaml and guardrails.yaml.",
                        dir.display()
                    )));
                }
                let catalog = Catalog::load(dir).map_err(|e| policy_error(&e))?;
                let guardrails = Guardrails::load(dir).map_err(|e| policy_error(&e))?;
                Ok(Policies { catalog, guardrails })
            }
        }
    }
}

fn policy_error(e: &paved_core::PolicyError) -> UserError {
    UserError::new(format!("Broken policy file: {e}; fix the file and run the command again."))
}
