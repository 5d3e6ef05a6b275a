//! The platform team's policies as paved loads them: golden paths, prices, IPAM and guardrails.

use std::path::Path;

use paved_audit::Guardrails;
use paved_planner::{Catalog, RuleUnderstander};

use crate::error::UserError;

/// Everything under a policies directory, and the understander compiled once from its golden
/// paths' keywords (compiling the vocabulary costs about a millisecond; reading a request, a few
/// microseconds).
pub struct Policies {
    pub catalog: Catalog,
    pub guardrails: Guardrails,
    pub understander: RuleUnderstander,
}

impl Policies {
    /// Loads the policies from `dir`, or the shipped defaults (compiled into the binary) when no
    /// directory is given.
    pub fn load(dir: Option<&Path>) -> Result<Policies, UserError> {
        match dir {
            None => Ok(Policies::new(Catalog::shipped(), Guardrails::shipped())),
            Some(dir) => {
                if !dir.is_dir() {
                    return Err(UserError::new(format!(
                        "The policies directory {} does not exist; pass --policies with a directory that holds golden_paths/, prices.yaml and guardrails.yaml.",
                        dir.display()
                    )));
                }
                let catalog = Catalog::load(dir).map_err(|e| policy_error(&e))?;
                let guardrails = Guardrails::load(dir).map_err(|e| policy_error(&e))?;
                Ok(Policies::new(catalog, guardrails))
            }
        }
    }

    fn new(catalog: Catalog, guardrails: Guardrails) -> Policies {
        let understander = RuleUnderstander::with_paths(catalog.path_hints());
        Policies { catalog, guardrails, understander }
    }

    /// Understanding and planning on these policies, with the understander compiled at load.
    pub fn pipeline(&self) -> crate::pipeline::Pipeline<'_> {
        crate::pipeline::Pipeline::with_understander(&self.catalog, &self.understander)
    }
}

fn policy_error(e: &paved_core::PolicyError) -> UserError {
    UserError::new(format!("Broken policy file: {e}; fix the file and run the command again."))
}
