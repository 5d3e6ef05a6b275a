//! The `paved` command.

use clap::Parser;
use std::io::Write;

fn main() {
    let cli = paved_bot::cli::Cli::parse();
    match paved_bot::run(cli) {
        Ok(out) => {
            // A closed pipe (`paved plan ... | head`) is not an error worth reporting.
            let _ = std::io::stdout().write_all(out.as_bytes());
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::exit(paved_bot::exit_code(&e));
        }
    }
}
