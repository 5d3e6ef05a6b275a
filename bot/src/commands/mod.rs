//! One module per `paved` subcommand; each decides first and prints last.

pub mod audit;
pub mod chat;
pub mod demo;
pub mod keys;
pub mod log;
pub mod plan;
pub mod rollback;
pub mod serve;
pub mod upgrades;
