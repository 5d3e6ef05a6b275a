//! Logs through `tracing`: human-readable or JSON, filtered by `RUST_LOG` or the configuration.
//! Request ids travel as span and event fields, so one request can be followed across the host,
//! the queue and the executor. Secrets are never logged: configuration secrets are `Secret`s,
//! database URLs are redacted.

use crate::config::LogConfig;

/// Installs the global subscriber once; later calls do nothing.
pub fn init(config: &LogConfig) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(&config.filter));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = if config.format == "json" { builder.json().try_init() } else { builder.try_init() };
}
