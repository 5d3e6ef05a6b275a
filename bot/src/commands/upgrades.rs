//! `paved upgrades`: deployments built on an older version of their golden path than the one the
//! platform team ships now, what upgrading each would change, and (`--offer`) the offer to its
//! requester, in the thread where they asked, as a plan they approve or cancel.

use std::sync::Arc;

use paved_core::ResourceAction;

use crate::cards::usd;
use crate::cli::UpgradesArgs;
use crate::config::Config;
use crate::runtime::{Runtime, terminal_directory};
use crate::terminal::Terminal;

pub async fn run(args: &UpgradesArgs, policies: Option<&std::path::Path>) -> anyhow::Result<String> {
    let config = Config::load(args.config.as_deref(), policies)?;
    let directory = terminal_directory(&config.approvers);
    let rt = Runtime::open(config, directory, true).await?;
    // Offers to requests made in the terminal show here (not under --json, which prints only
    // JSON); those made in Slack or Discord wait in the queue until `paved serve` shows them.
    if !args.json {
        rt.host.register(Arc::new(Terminal::stdout()));
    }
    let upgrades = rt.host.upgrades().await?;
    if args.json {
        // Each upgrade, with the request that offers it when --offer made one.
        let mut out = Vec::with_capacity(upgrades.len());
        for u in &upgrades {
            let mut v = serde_json::to_value(u)?;
            if args.offer && u.plan.is_some() {
                v["offered_as"] = serde_json::Value::String(rt.host.offer_upgrade(u).await?.request_id);
            }
            out.push(v);
        }
        return Ok(serde_json::to_string_pretty(&out)? + "\n");
    }
    if upgrades.is_empty() {
        return Ok("Every deployment is on the current version of its golden path (or was offered the upgrade).\n".into());
    }
    let mut out = String::new();
    for u in &upgrades {
        let what = match &u.plan {
            Some(plan) => {
                let count = |a: ResourceAction| plan.resources.iter().filter(|r| r.action == a).count();
                format!(
                    "creates {}, changes {} (what it creates and changes costs {}/month)",
                    count(ResourceAction::Create),
                    count(ResourceAction::Update) + count(ResourceAction::Replace),
                    usd(plan.estimated_monthly_cost_usd)
                )
            }
            None => format!("nothing to plan: {}", u.unplannable.as_deref().unwrap_or("no change")),
        };
        out.push_str(&format!("{}  {} in {}  {} {} → {}: {what}\n", u.request_id, u.service, u.environment, u.golden_path, u.from, u.to));
    }
    if args.offer {
        for u in upgrades.iter().filter(|u| u.plan.is_some()) {
            let offered = rt.host.offer_upgrade(u).await?;
            out.push_str(&format!("Offered {} to {} as {}, in the thread of {}.\n", u.request_id, u.requester.name, offered.request_id, u.request_id));
        }
    }
    Ok(out)
}
