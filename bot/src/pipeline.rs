//! Understanding and planning a request: the first half of every conversation, and all of
//! `paved plan`. Pure: no database, no queue, no cloud.

use paved_core::{Intent, MAX_REQUEST_CHARS, Plan};
use paved_planner::{Catalog, Planner, PlanningContext, PlanningError, RuleUnderstander, Understander};
use serde::Serialize;

use crate::error::UserError;

/// What `paved plan --json` prints: the contract's `{"intent", "plan"}`.
#[derive(Debug, Clone, Serialize)]
pub struct PlanOutput {
    pub intent: Intent,
    pub plan: Option<Plan>,
}

/// Checks a request's text before anything reads it.
pub fn check_request(request: &str) -> Result<&str, UserError> {
    let trimmed = request.trim();
    if trimmed.is_empty() {
        return Err(UserError::new(
            "The request is empty; describe the infrastructure you need, e.g. \"a production web app with PostgreSQL\".",
        ));
    }
    let chars = trimmed.chars().count();
    if chars > MAX_REQUEST_CHARS {
        return Err(UserError::new(format!(
            "The request is {chars} characters long, over the limit of {MAX_REQUEST_CHARS}; describe what you need in fewer words."
        )));
    }
    Ok(trimmed)
}

/// A change to what exists is planned where it exists: an environment or region that was only
/// assumed becomes the one the plan found (rolling back a staging request acts in staging), and
/// the understanding says so instead of showing the assumption.
fn settle_assumptions(intent: &mut Intent, plan: &Plan) {
    if intent.action == paved_core::Action::Create {
        return;
    }
    let target = intent.service.clone().or_else(|| intent.details.request_ids.first().cloned()).unwrap_or_else(|| "it".into());
    if plan.environment != intent.environment && intent.assumptions.iter().any(|a| a == paved_planner::understand::ASSUMED_ENVIRONMENT) {
        intent.assumptions.retain(|a| a != paved_planner::understand::ASSUMED_ENVIRONMENT);
        intent.assumptions.push(format!("Environment {}, where `{target}` runs", plan.environment));
        intent.environment = plan.environment;
    }
    if plan.region != intent.region && intent.assumptions.iter().any(|a| a == paved_planner::understand::ASSUMED_REGION) {
        intent.assumptions.retain(|a| a != paved_planner::understand::ASSUMED_REGION);
        intent.assumptions.push(format!("Region {}, where `{target}` runs", plan.region));
        intent.region = plan.region.clone();
    }
}

/// Understands and plans one request on the catalog's golden paths.
pub struct Pipeline<'a> {
    catalog: &'a Catalog,
    understander: Compiled<'a>,
}

/// An understander compiled for this pipeline, or one compiled earlier and shared.
enum Compiled<'a> {
    Own(Box<RuleUnderstander>),
    Shared(&'a RuleUnderstander),
}

impl std::ops::Deref for Compiled<'_> {
    type Target = RuleUnderstander;
    fn deref(&self) -> &RuleUnderstander {
        match self {
            Compiled::Own(u) => u,
            Compiled::Shared(u) => u,
        }
    }
}

impl<'a> Pipeline<'a> {
    /// Compiles an understander for the catalog (about a millisecond): for one-off use. A
    /// long-lived process keeps one in [`crate::policies::Policies`].
    pub fn new(catalog: &'a Catalog) -> Pipeline<'a> {
        Pipeline { catalog, understander: Compiled::Own(Box::new(RuleUnderstander::with_paths(catalog.path_hints()))) }
    }

    /// With an understander compiled earlier for this catalog.
    pub fn with_understander(catalog: &'a Catalog, understander: &'a RuleUnderstander) -> Pipeline<'a> {
        Pipeline { catalog, understander: Compiled::Shared(understander) }
    }

    pub fn understand(&self, request: &str) -> Intent {
        self.understander.understand(request)
    }

    /// Applies a change in the requester's words ("no redis", "use db.t3.medium") to an intent.
    pub fn amend(&self, intent: &Intent, instruction: &str) -> Intent {
        self.understander.amend(intent, instruction)
    }

    /// Understands `request` and plans it. A request that cannot be planned without an answer
    /// comes back with its questions in `intent.clarifications` and no plan.
    pub fn run(&self, request: &str, ctx: &PlanningContext) -> Result<PlanOutput, UserError> {
        let request = check_request(request)?;
        let intent = self.understand(request);
        self.plan(intent, ctx)
    }

    /// Plans an intent already understood (or amended by Modify).
    pub fn plan(&self, mut intent: Intent, ctx: &PlanningContext) -> Result<PlanOutput, UserError> {
        if intent.needs_clarification() {
            return Ok(PlanOutput { intent, plan: None });
        }
        match Planner::new(self.catalog).plan(&intent, ctx) {
            Ok(plan) => {
                if let Some(plan) = &plan {
                    settle_assumptions(&mut intent, plan);
                }
                Ok(PlanOutput { intent, plan })
            }
            Err(PlanningError::NeedsAnswer(question)) => {
                intent.clarifications.push(question);
                Ok(PlanOutput { intent, plan: None })
            }
            Err(e) => Err(UserError::new(format!("paved could not plan this request: {e}"))),
        }
    }
}
