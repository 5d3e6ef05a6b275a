//! The `[slack]` settings of the configuration file.

use serde::Deserialize;

use super::SlackError;

/// Credentials are paved's one `Secret` type: they never print.
pub use crate::config::Secret;

/// How Slack reaches paved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Transport {
    /// Slack sends signed HTTP requests to paved's public URL (Events API and interactivity).
    Http,
    /// paved opens an outbound WebSocket to Slack (Socket Mode): no public URL needed.
    Socket,
}

/// The Slack adapter's settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlackConfig {
    /// The bot token (`xoxb-…`) every Web API call is made with.
    pub bot_token: Secret,
    /// The app's signing secret; every HTTP request from Slack is verified with it. Required for
    /// the `http` transport.
    #[serde(default)]
    pub signing_secret: Option<Secret>,
    /// The app-level token (`xapp-…`, scope `connections:write`). Required for the `socket`
    /// transport.
    #[serde(default)]
    pub app_token: Option<Secret>,
    /// `http` (Events API over HTTPS) or `socket` (Socket Mode).
    #[serde(default = "default_transport")]
    pub transport: Transport,
    /// The address the HTTP receiver listens on (`http` transport).
    #[serde(default = "default_listen")]
    pub listen: String,
    /// The public HTTPS URL Slack reaches the receiver at, e.g. `https://paved.example.com`; used
    /// by `paved slack manifest`.
    #[serde(default)]
    pub public_url: Option<String>,
    /// The Web API base URL, ending in `/`. Slack's own by default; Enterprise Grid or GovSlack
    /// installations and tests set their own. Plain HTTP is accepted for loopback addresses only.
    #[serde(default = "default_api_url")]
    pub api_url: String,
    /// The slash command paved answers to.
    #[serde(default = "default_command")]
    pub command: String,
}

fn default_transport() -> Transport {
    Transport::Http
}

fn default_listen() -> String {
    "0.0.0.0:3000".into()
}

/// Slack's production Web API.
pub const SLACK_API_URL: &str = "https://slack.com/api/";

fn default_api_url() -> String {
    SLACK_API_URL.into()
}

fn default_command() -> String {
    "/paved".into()
}

impl SlackConfig {
    /// Settings for a bot token and signing secret, everything else by default.
    pub fn new(bot_token: &str, signing_secret: &str) -> SlackConfig {
        SlackConfig {
            bot_token: Secret::new(bot_token),
            signing_secret: Some(Secret::new(signing_secret)),
            app_token: None,
            transport: Transport::Http,
            listen: default_listen(),
            public_url: None,
            api_url: default_api_url(),
            command: default_command(),
        }
    }

    /// Checks what serde cannot: the secrets the transport needs, and a Web API URL that is
    /// HTTPS unless it points at this machine.
    pub fn validate(&self) -> Result<(), SlackError> {
        let bad = |m: &str| Err(SlackError::Config(m.to_string()));
        if self.bot_token.expose().trim().is_empty() {
            return bad("slack.bot_token is empty; paste the app's Bot User OAuth Token (xoxb-…)");
        }
        match self.transport {
            Transport::Http if self.signing_secret.as_ref().is_none_or(|s| s.expose().trim().is_empty()) => {
                return bad("slack.signing_secret is missing; the http transport verifies every request with it (Basic Information → Signing Secret)");
            }
            Transport::Socket if self.app_token.as_ref().is_none_or(|s| !s.expose().starts_with("xapp-")) => {
                return bad("slack.app_token is missing or not an app-level token (xapp-…); Socket Mode needs one with the connections:write scope");
            }
            _ => {}
        }
        if !self.api_url.ends_with('/') {
            return bad("slack.api_url must end with `/`, e.g. https://slack.com/api/");
        }
        if !self.api_url.starts_with("https://") && !is_loopback_http(&self.api_url) {
            return bad("slack.api_url must be an https:// URL (plain http is allowed for 127.0.0.1 and localhost only)");
        }
        if !self.command.starts_with('/') || self.command.len() < 2 || self.command.contains(char::is_whitespace) {
            return bad("slack.command must look like /paved");
        }
        Ok(())
    }
}

/// True for `http://127.0.0.1…`, `http://localhost…` and `http://[::1]…`.
pub fn is_loopback_http(url: &str) -> bool {
    let Some(rest) = url.strip_prefix("http://") else { return false };
    let host = rest.split('/').next().unwrap_or_default();
    let host = if host.starts_with('[') { host.split(']').next().map(|h| &h[1..]).unwrap_or_default() } else { host.split(':').next().unwrap_or_default() };
    host == "localhost" || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_print() {
        let c = SlackConfig::new("xoxb-very-secret", "signing-very-secret");
        let shown = format!("{c:?}");
        assert!(!shown.contains("very-secret"), "{shown}");
        assert!(shown.contains("Secret(<redacted>)"));
    }

    #[test]
    fn validation_says_what_is_wrong() {
        let mut c = SlackConfig::new("xoxb-1", "s");
        assert!(c.validate().is_ok());
        c.api_url = "http://slack.internal/api/".into();
        assert!(c.validate().unwrap_err().to_string().contains("https://"));
        c.api_url = "http://127.0.0.1:9/api/".into();
        assert!(c.validate().is_ok());
        c.api_url = "http://[::1]:9/api/".into();
        assert!(c.validate().is_ok());
        c.signing_secret = None;
        assert!(c.validate().unwrap_err().to_string().contains("signing_secret"));
        c.transport = Transport::Socket;
        assert!(c.validate().unwrap_err().to_string().contains("app_token"));
        c.app_token = Some(Secret::new("xapp-1-A"));
        assert!(c.validate().is_ok());
    }

    #[test]
    fn unknown_settings_are_refused() {
        let err = serde_json::from_str::<SlackConfig>(r#"{"bot_token":"xoxb-1","bot_tokn":"x"}"#).unwrap_err();
        assert!(err.to_string().contains("bot_tokn"));
        let c: SlackConfig = serde_json::from_str(r#"{"bot_token":"xoxb-1","signing_secret":"s","transport":"socket"}"#).unwrap();
        assert_eq!(c.transport, Transport::Socket);
        assert_eq!(c.api_url, SLACK_API_URL);
    }
}
