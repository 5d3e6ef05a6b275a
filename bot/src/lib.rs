//! The paved orchestrator: it understands requests, plans them, asks the audit, and reports.
//! `main.rs` is a thin shell over this library so that tests and benches use the same code.

pub mod cards;
pub mod chat;
pub mod cli;
pub mod commands;
pub mod config;
pub mod discord;
pub mod engine;
pub mod host;
pub mod ledger;
pub mod logging;
pub mod error;
pub mod pipeline;
pub mod policies;
pub mod runtime;
pub mod slack;
pub mod terminal;

use cli::{Cli, Command};
use error::UserError;
use policies::Policies;

/// Runs one command and returns what it prints on standard output.
pub fn run(cli: Cli) -> anyhow::Result<String> {
    match &cli.command {
        Command::Keys(cmd) => commands::keys::run(cmd),
        Command::Plan(args) => {
            let policies = Policies::load(cli.policies.as_deref())?;
            commands::plan::run(&policies, args)
        }
        Command::Audit(args) => {
            let policies = Policies::load(cli.policies.as_deref())?;
            commands::audit::run(&policies, args)
        }
        Command::Demo(args) => block_on(commands::demo::run(args, cli.policies.as_deref())),
        Command::Chat(args) => block_on(commands::chat::run(args, cli.policies.as_deref())),
        Command::Rollback(args) => block_on(commands::rollback::run(args, cli.policies.as_deref())),
        Command::Log(args) => block_on(commands::log::run(args, cli.policies.as_deref())),
        Command::Upgrades(args) => block_on(commands::upgrades::run(args, cli.policies.as_deref())),
        Command::Serve(args) => block_on(commands::serve::run(args, cli.policies.as_deref())),
        Command::Slack(cmd) => Ok(slack::manifest::run(cmd)?),
        Command::Discord(args) => {
            let config = config::Config::load(args.config.as_deref(), None)?;
            let discord = config.discord.as_ref().ok_or_else(|| UserError::new("There are no [discord] settings in the configuration; add application_id, public_key and bot_token (see the README)."))?;
            discord::cli::run(&args.command, discord)
        }
    }
}

/// Runs an async command on a multi-threaded runtime (two workers: paved's work is I/O-bound).
fn block_on<F: std::future::Future<Output = anyhow::Result<String>>>(future: F) -> anyhow::Result<String> {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    runtime.block_on(future)
}

/// The exit code for an error: bad input is the user's to fix, anything else is paved's.
pub fn exit_code(e: &anyhow::Error) -> i32 {
    if e.downcast_ref::<UserError>().is_some() { error::EXIT_BAD_INPUT } else { error::EXIT_INTERNAL }
}
