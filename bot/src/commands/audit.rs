//! `paved audit`: judge a plan against the original request and the guardrails.

use std::io::Read;
use std::path::Path;

use askama::Template;
use paved_audit::{AuditContext, Auditor};
use paved_core::{Plan, PlanError};

use crate::cards::AuditCard;
use crate::cli::AuditArgs;
use crate::error::UserError;
use crate::pipeline::check_request;
use crate::policies::Policies;

pub fn run(policies: &Policies, args: &AuditArgs) -> anyhow::Result<String> {
    let request = check_request(&args.request)?;
    let plan = read_plan(&args.plan)?;
    let key = match &args.key {
        Some(path) => Some(paved_audit::keys::load_signing_key(path).map_err(|e| {
            UserError::new(format!("Could not load the audit key {}: {e}.", path.display()))
        })?),
        None => None,
    };
    let ctx = AuditContext {
        deployed: args.deployed,
        confirmed_deletion: args.confirmed_deletion,
        change_ticket: args.change_ticket.clone(),
    };
    let mut verdict = Auditor::new(&policies.catalog, &policies.guardrails).audit(request, &plan, &ctx);
    if let Some(key) = &key {
        paved_core::signing::sign_verdict(key, &mut verdict);
    }
    if args.json {
        return Ok(serde_json::to_string_pretty(&verdict)? + "\n");
    }
    Ok(AuditCard::new(&verdict).render()? + "\n")
}

/// Reads and checks a plan: a Plan object, or the `{"intent", "plan"}` that `paved plan --json`
/// prints (its `plan` member is taken).
pub fn read_plan(path: &Path) -> Result<Plan, UserError> {
    let shown = if path == Path::new("-") { "standard input".to_string() } else { path.display().to_string() };
    let text = if path == Path::new("-") {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .map_err(|e| UserError::new(format!("Could not read the plan from standard input ({e}); pass a file with --plan instead.")))?;
        s
    } else {
        std::fs::read_to_string(path).map_err(|e| {
            UserError::new(format!("Could not read the plan file {shown} ({e}); check the path given to --plan."))
        })?
    };
    let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        UserError::new(format!("The plan in {shown} is not valid JSON ({e}); pass the JSON that `paved plan --json` prints."))
    })?;
    let value = match value {
        serde_json::Value::Object(mut map) if !map.contains_key("resources") && map.contains_key("plan") => {
            match map.remove("plan") {
                Some(serde_json::Value::Null) | None => {
                    return Err(UserError::new(format!(
                        "The file {shown} holds no plan (the request still needs answers); answer its questions and plan again."
                    )));
                }
                Some(inner) => inner,
            }
        }
        other => other,
    };
    let plan: Plan = serde_json::from_value(value).map_err(|e| {
        UserError::new(format!("The plan in {shown} does not follow the plan schema ({e}); fix that field and run the audit again."))
    })?;
    check_plan(&plan).map_err(|e| UserError::new(format!("The plan in {shown} is not a valid plan: {e}; fix it and run the audit again.")))?;
    Ok(plan)
}

/// Checks a plan's structure as the audit takes it (see `Plan::validate_submitted`).
fn check_plan(plan: &Plan) -> Result<(), String> {
    plan.validate_submitted().map_err(|e| match e {
        PlanError::UnknownDependency { .. } => format!("{e}; a plan that only creates must include what it depends on"),
        e => e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::check_plan;
    use paved_core::{Environment, Plan, Resource, ResourceAction};

    fn plan(action: ResourceAction) -> Plan {
        let mut svc = Resource::new("aws_ecs_service", "app", action);
        svc.depends_on = vec!["aws_lb_listener.https".into()];
        Plan {
            golden_path: None,
            golden_path_version: "3.2".into(),
            environment: Environment::Production,
            region: "us-east-1".into(),
            resources: vec![svc],
            estimated_monthly_cost_usd: 0.0,
        }
    }

    #[test]
    fn a_change_plan_may_depend_on_what_exists_a_create_plan_may_not() {
        assert_eq!(check_plan(&plan(ResourceAction::Update)), Ok(()));
        let e = check_plan(&plan(ResourceAction::Create)).unwrap_err();
        assert!(e.contains("`aws_ecs_service.app` depends on `aws_lb_listener.https`, which is not in the plan; a plan that only creates"), "{e}");
    }
}
