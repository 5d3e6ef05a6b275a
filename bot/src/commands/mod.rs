//! One module per `paved` subcommand; each decides first and prints last.

pub mod audit;
pub mod keys;
pub mod plan;
