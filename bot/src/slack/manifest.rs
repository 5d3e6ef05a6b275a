//! `paved slack manifest`: the Slack app manifest to paste into Slack's app settings (Create
//! New App → From an app manifest). Slack accepts manifests as JSON.

use serde_json::{Value, json};

use super::http::{COMMANDS_PATH, EVENTS_PATH, INTERACTIVITY_PATH};

/// The `paved slack …` commands.
#[derive(Debug, clap::Subcommand)]
pub enum SlackCommand {
    /// Print the Slack app manifest (scopes, events, interactivity, slash command).
    Manifest(ManifestArgs),
}

#[derive(Debug, clap::Args)]
pub struct ManifestArgs {
    /// The public HTTPS URL paved's receiver is reached at, e.g. https://paved.example.com
    /// (not needed with --socket-mode).
    #[arg(long)]
    pub public_url: Option<String>,
    /// Use Socket Mode: paved connects out to Slack, and no public URL is needed.
    #[arg(long)]
    pub socket_mode: bool,
    /// The app's name in Slack.
    #[arg(long, default_value = "paved")]
    pub name: String,
    /// The slash command.
    #[arg(long, default_value = "/paved")]
    pub command: String,
}

/// The bot token scopes paved needs, each for a reason.
pub const BOT_SCOPES: &[&str] = &[
    "app_mentions:read", // requests that mention @paved
    "channels:history",  // replies in the threads of paved's requests (public channels)
    "groups:history",    // the same in private channels
    "im:history",        // requests and replies by direct message
    "chat:write",        // cards, notices, progress
    "commands",          // /paved
    "files:write",       // the full text of a plan too long for one message
    "users:read",        // display names on cards
    "usergroups:read",   // approver roles held through Slack user groups
];

/// The events paved subscribes to.
pub const BOT_EVENTS: &[&str] = &["app_mention", "message.channels", "message.groups", "message.im"];

/// Runs `paved slack …`.
pub fn run(command: &SlackCommand) -> Result<String, crate::error::UserError> {
    match command {
        SlackCommand::Manifest(args) => manifest(args).map(|m| serde_json::to_string_pretty(&m).unwrap_or_default() + "\n"),
    }
}

/// The manifest for these settings.
pub fn manifest(args: &ManifestArgs) -> Result<Value, crate::error::UserError> {
    let base = match (&args.public_url, args.socket_mode) {
        (_, true) => None,
        (Some(url), false) if url.starts_with("https://") => Some(url.trim_end_matches('/').to_string()),
        (Some(_), false) => return Err(crate::error::UserError("--public-url must start with https://; Slack only calls HTTPS request URLs.".into())),
        (None, false) => return Err(crate::error::UserError("Give --public-url https://… (where Slack reaches paved), or --socket-mode.".into())),
    };
    if !args.command.starts_with('/') || args.command.contains(char::is_whitespace) {
        return Err(crate::error::UserError("--command must look like /paved.".into()));
    }
    let url = |path: &str| base.as_ref().map(|b| format!("{b}{path}"));
    let mut command = json!({
        "command": args.command,
        "description": "Ask for infrastructure in plain words",
        "usage_hint": "a staging web app with postgres",
        "should_escape": false,
    });
    let mut events = json!({"bot_events": BOT_EVENTS});
    let mut interactivity = json!({"is_enabled": true});
    if let Some(base) = &base {
        command["url"] = json!(format!("{base}{COMMANDS_PATH}"));
        events["request_url"] = json!(url(EVENTS_PATH));
        interactivity["request_url"] = json!(url(INTERACTIVITY_PATH));
    }
    Ok(json!({
        "_metadata": {"major_version": 1, "minor_version": 1},
        "display_information": {
            "name": args.name,
            "description": "Plain-English infrastructure requests, planned on golden paths and audited before deploy.",
            "background_color": "#1d3557",
        },
        "features": {
            "app_home": {"home_tab_enabled": false, "messages_tab_enabled": true, "messages_tab_read_only_enabled": false},
            "bot_user": {"display_name": args.name, "always_online": true},
            "slash_commands": [command],
        },
        "oauth_config": {"scopes": {"bot": BOT_SCOPES}},
        "settings": {
            "event_subscriptions": events,
            "interactivity": interactivity,
            "org_deploy_enabled": false,
            "socket_mode_enabled": args.socket_mode,
            "token_rotation_enabled": false,
        },
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(url: Option<&str>, socket: bool) -> ManifestArgs {
        ManifestArgs { public_url: url.map(str::to_string), socket_mode: socket, name: "paved".into(), command: "/paved".into() }
    }

    #[test]
    fn the_http_manifest_points_slack_at_the_receiver() {
        let m = manifest(&args(Some("https://paved.example.com/"), false)).unwrap();
        assert_eq!(m["settings"]["event_subscriptions"]["request_url"], "https://paved.example.com/slack/events");
        assert_eq!(m["settings"]["interactivity"]["request_url"], "https://paved.example.com/slack/interactivity");
        assert_eq!(m["features"]["slash_commands"][0]["url"], "https://paved.example.com/slack/commands");
        assert_eq!(m["settings"]["socket_mode_enabled"], false);
        let scopes: Vec<&str> = m["oauth_config"]["scopes"]["bot"].as_array().unwrap().iter().map(|s| s.as_str().unwrap()).collect();
        for needed in ["app_mentions:read", "chat:write", "commands", "im:history", "usergroups:read"] {
            assert!(scopes.contains(&needed), "{needed}");
        }
    }

    #[test]
    fn the_socket_mode_manifest_has_no_urls() {
        let m = manifest(&args(None, true)).unwrap();
        assert_eq!(m["settings"]["socket_mode_enabled"], true);
        assert!(m["settings"]["event_subscriptions"].get("request_url").is_none());
        assert!(m["features"]["slash_commands"][0].get("url").is_none());
    }

    #[test]
    fn an_http_manifest_needs_an_https_url() {
        assert!(manifest(&args(None, false)).unwrap_err().0.contains("--public-url"));
        assert!(manifest(&args(Some("http://paved.example.com"), false)).unwrap_err().0.contains("https://"));
    }
}
