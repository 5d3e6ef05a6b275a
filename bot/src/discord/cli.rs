//! `paved discord register`: the slash commands paved answers, registered with Discord.

use clap::Subcommand;
use reqwest::Method;
use serde_json::Value;
use serenity::builder::{CreateCommand, CreateCommandOption};
use serenity::model::application::{CommandOptionType, InteractionContext};

use super::config::DiscordConfig;
use super::rest::{Body, Rest, RestError};

/// `paved discord ...`
#[derive(Debug, Clone, Subcommand)]
pub enum DiscordCommand {
    /// Register the `/pave` slash command: in one guild (appears at once) or globally.
    Register {
        /// Register in this guild only; without it, the `guild_id` of the configuration, or
        /// globally when neither is set.
        #[arg(long, value_name = "ID")]
        guild: Option<String>,
        /// Register globally even when the configuration names a guild.
        #[arg(long, conflicts_with = "guild")]
        global: bool,
    },
}

/// The application commands paved answers.
pub fn commands() -> Value {
    let request = CreateCommandOption::new(CommandOptionType::String, "request", "What you need, in plain English, e.g. a staging web app with postgres")
        .required(true)
        .max_length(1000);
    let pave = CreateCommand::new("pave")
        .description("Ask paved for infrastructure on a golden path; in a request's thread, answer it")
        .add_option(request)
        .contexts(vec![InteractionContext::Guild]);
    serde_json::to_value(vec![pave]).unwrap_or(Value::Null)
}

/// Overwrites the application's commands (globally or in `guild`) with [`commands`] and returns
/// what Discord now has, one line per command.
pub async fn register(config: &DiscordConfig, guild: Option<&str>) -> Result<String, RestError> {
    let rest = Rest::new(&config.api_base, config.bot_token.clone())?;
    let path = match guild {
        Some(g) => format!("/applications/{}/guilds/{g}/commands", config.application_id),
        None => format!("/applications/{}/commands", config.application_id),
    };
    let registered = rest.call(Method::PUT, &path, Body::Json(commands())).await?;
    let names: Vec<String> = registered
        .as_array()
        .map(|a| a.iter().filter_map(|c| Some(format!("/{} ({})", c.get("name")?.as_str()?, c.get("id")?.as_str()?))).collect())
        .unwrap_or_default();
    let scope = guild.map(|g| format!("guild {g}")).unwrap_or_else(|| "every guild (global commands can take up to an hour to appear)".into());
    Ok(format!("registered {} for {scope}\n", names.join(", ")))
}

/// Runs `paved discord ...` with the `[discord]` settings.
pub fn run(command: &DiscordCommand, config: &DiscordConfig) -> anyhow::Result<String> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    match command {
        DiscordCommand::Register { guild, global } => {
            let guild = if *global { None } else { guild.as_deref().or(config.guild_id.as_deref()) };
            Ok(runtime.block_on(register(config, guild))?)
        }
    }
}
