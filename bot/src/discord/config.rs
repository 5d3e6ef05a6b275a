//! The `[discord]` settings of `paved.toml`.

use serde::Deserialize;

/// Discord's REST API, version 10.
pub const DISCORD_API: &str = "https://discord.com/api/v10";

/// Credentials are paved's one `Secret` type: they never print.
pub use crate::config::Secret;

/// How paved talks to one Discord application.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct DiscordConfig {
    /// The application's id (Developer Portal → General Information → Application ID).
    pub application_id: String,
    /// The application's Ed25519 public key, 64 hex digits (General Information → Public Key):
    /// every interaction Discord sends is verified against it.
    pub public_key: String,
    /// The bot token (Bot → Token) that authorises paved's REST calls.
    pub bot_token: Secret,
    /// The REST base URL: Discord's own API unless a Discord HTTP proxy (or a test server) is
    /// set. paved applies Discord's rate limits itself either way.
    #[serde(default = "default_api_base")]
    pub api_base: String,
    /// The address the interactions endpoint listens on; Discord's Interactions Endpoint URL
    /// reaches it through the TLS front end.
    #[serde(default = "default_listen")]
    pub listen: String,
    /// The path of the interactions endpoint.
    #[serde(default = "default_path")]
    pub path: String,
    /// Register the slash commands in this guild only (they appear at once) instead of globally.
    #[serde(default)]
    pub guild_id: Option<String>,
    /// How far an interaction's signed timestamp may be from this machine's clock, in seconds.
    #[serde(default = "default_skew")]
    pub max_clock_skew_seconds: u64,
}

fn default_api_base() -> String {
    DISCORD_API.to_string()
}

fn default_listen() -> String {
    "127.0.0.1:8081".to_string()
}

fn default_path() -> String {
    "/discord/interactions".to_string()
}

fn default_skew() -> u64 {
    300
}

impl DiscordConfig {
    /// A configuration with the defaults for everything but the application's identity.
    pub fn new(application_id: impl Into<String>, public_key: impl Into<String>, bot_token: Secret) -> DiscordConfig {
        DiscordConfig {
            application_id: application_id.into(),
            public_key: public_key.into(),
            bot_token,
            api_base: default_api_base(),
            listen: default_listen(),
            path: default_path(),
            guild_id: None,
            max_clock_skew_seconds: default_skew(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_never_prints() {
        let c = DiscordConfig::new("1", "ab", Secret::new("MTIz.very-secret"));
        let shown = format!("{c:?}");
        assert!(!shown.contains("very-secret"), "{shown}");
        assert!(shown.contains("<redacted>"));
    }

    #[test]
    fn unknown_settings_are_refused() {
        let parsed: Result<DiscordConfig, _> = serde_json::from_str(r#"{"application_id":"1","public_key":"ab","bot_token":"t","colour":"red"}"#);
        assert!(parsed.unwrap_err().to_string().contains("unknown field `colour`"));
        let parsed: DiscordConfig = serde_json::from_str(r#"{"application_id":"1","public_key":"ab","bot_token":"t"}"#).unwrap();
        assert_eq!(parsed.api_base, DISCORD_API);
        assert_eq!(parsed.max_clock_skew_seconds, 300);
    }
}
