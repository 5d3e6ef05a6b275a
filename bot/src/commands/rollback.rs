//! `paved rollback req-…`: undo what a request created, through the audit.

use std::sync::Arc;

use crate::cli::RollbackArgs;
use crate::commands::demo::drive;
use crate::config::Config;
use crate::engine::{Button, Event, Stage, Thread};
use crate::error::UserError;
use crate::runtime::{Runtime, terminal_directory};
use crate::terminal::Terminal;

pub async fn run(args: &RollbackArgs, policies: Option<&std::path::Path>) -> anyhow::Result<String> {
    if !paved_core::message::is_request_id(&args.request_id) {
        return Err(UserError::new(format!("`{}` is not a request id; request ids look like req-10001 (see `paved log`).", args.request_id)).into());
    }
    let config = Config::load(args.config.as_deref(), policies)?;
    let directory = terminal_directory(&config.approvers);
    let rt = Runtime::open(config, directory, true).await?;
    rt.host.register(Arc::new(Terminal::stdout()));
    let target = rt.host.conversation(&args.request_id).await.map_err(|_| UserError::new(format!("There is no request {}; check the id with `paved log`.", args.request_id)))?;
    // The rollback is asked for by whoever asked for the original, in the terminal.
    let me = target.requester.clone();
    let thread = Thread { platform: "terminal".into(), channel: "rollback".into(), thread: String::new() };
    let id = rt.host.submit(me.clone(), thread, &format!("roll back {}", args.request_id)).await?.request_id;
    let c = rt.host.conversation(&id).await?;
    if c.stage != Stage::Planned {
        return Ok(format!("paved: {} cannot be rolled back now: {}\n", args.request_id, c.intent.clarifications.join(" ")));
    }
    let d = rt.host.dispatch(&id, Event::Pressed { user: me.clone(), groups: vec![], button: Button::Approve, version: c.current_version() }).await?;
    if let Some(reason) = d.refused {
        return Ok(format!("paved: {reason}\n"));
    }
    drive(&rt, &id, &me, args.yes).await?;
    let c = rt.host.conversation(&id).await?;
    Ok(format!("\nThe rollback {id} of {} ended {}.\n", args.request_id, c.stage.as_str().replace('_', " ")))
}
