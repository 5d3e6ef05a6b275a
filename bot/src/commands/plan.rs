//! `paved plan`: understand a request and plan it.

use std::io::Read;

use askama::Template;
use paved_planner::PlanningContext;

use crate::cards::{PlanCard, UnderstandingCard};
use crate::cli::PlanArgs;
use crate::error::UserError;
use crate::pipeline::Pipeline;
use crate::policies::Policies;

pub fn run(policies: &Policies, args: &PlanArgs) -> anyhow::Result<String> {
    let request = request_text(&args.request)?;
    let pipeline = Pipeline::new(&policies.catalog);
    let out = pipeline.run(&request, &PlanningContext::default())?;
    if args.json {
        return Ok(serde_json::to_string_pretty(&out)? + "\n");
    }
    let mut text = UnderstandingCard::new(&out.intent).render()?;
    text.push_str("\n\n");
    match &out.plan {
        Some(plan) => {
            let minutes = plan
                .golden_path
                .as_deref()
                .and_then(|id| policies.catalog.path(id))
                .map(|p| p.deploy_minutes);
            text.push_str(&PlanCard::new(plan, &out.intent.compliance, minutes).render()?);
            text.push('\n');
        }
        None => text.push_str("No plan yet: answer the questions above and ask again.\n"),
    }
    Ok(text)
}

/// The request from the arguments: the words joined, or standard input for `-`.
fn request_text(words: &[String]) -> Result<String, UserError> {
    if words.len() == 1 && words[0] == "-" {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s).map_err(|e| {
            UserError::new(format!("Could not read the request from standard input ({e}); pass it as an argument instead."))
        })?;
        return Ok(s);
    }
    Ok(words.join(" "))
}
