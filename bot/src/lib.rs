//! The paved orchestrator: it understands requests, plans them, asks the audit, and reports.
//! `main.rs` is a thin shell over this library so that tests and benches use the same code.

pub mod cards;
pub mod chat;
pub mod cli;
pub mod commands;
pub mod discord;
pub mod engine;
pub mod host;
pub mod ledger;
pub mod error;
pub mod pipeline;
pub mod policies;
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
    }
}

/// The exit code for an error: bad input is the user's to fix, anything else is paved's.
pub fn exit_code(e: &anyhow::Error) -> i32 {
    if e.downcast_ref::<UserError>().is_some() { error::EXIT_BAD_INPUT } else { error::EXIT_INTERNAL }
}
