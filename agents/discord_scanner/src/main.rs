//! `sremesh-discord-scanner`: the Discord scanner. Wiring only; the logic is in the library.

use clap::Parser;
use std::sync::Arc;

#[derive(Parser)]
struct Args {
    #[command(flatten)]
    agent: sremesh_agent::AgentArgs,
    #[command(flatten)]
    llm: sremesh_llm::specialist::LlmArgs,
    /// The bot token, or the ARN of a Secrets Manager secret holding it.
    #[arg(long, env = "DISCORD_BOT_TOKEN", hide_env_values = true)]
    discord_bot_token: Option<String>,
    /// The Discord REST API base URL (tests and the sandbox point it at loopback).
    #[arg(long, env = "DISCORD_API_URL", default_value = sremesh_chat::DiscordApi::DEFAULT_BASE_URL)]
    discord_api_url: String,
    /// Most messages read per channel over the window (the newest ones).
    #[arg(long, env = "DISCORD_SCANNER_MAX_MESSAGES", default_value_t = 1000)]
    max_messages: usize,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let setup = sremesh_agent::Setup::new(sremesh_discord_scanner::ID, &args.agent)?;
    let config = &setup.loaded.config;
    let mut settings = sremesh_discord_scanner::settings();
    settings.api_url = args.discord_api_url;
    settings.scan.max_channels = config.investigation.max_channels;
    settings.scan.max_messages = args.max_messages;
    settings.scan.watch_channels = config
        .agent(sremesh_discord_scanner::ID)
        .map(|a| a.watch_channels.clone())
        .unwrap_or_default();
    // A literal token, or a Secrets Manager ARN read (and refreshed) on use.
    settings.token = args
        .discord_bot_token
        .filter(|t| !t.trim().is_empty())
        .map(|t| sremesh_aws::secrets::secret_source(t.trim()));
    let agent = Arc::new(sremesh_discord_scanner::DiscordScanner::new(settings));
    let tools = sremesh_discord_scanner::tools::tools(agent.clone());
    // MCP servers' bearer tokens are named in config.yaml, so the environment is read as a map.
    let env: std::collections::HashMap<String, String> = std::env::vars().collect();
    let agent = sremesh_llm::specialist::wrap(agent, tools, &setup, &args.llm, &env).await?;
    sremesh_agent::serve(
        setup,
        Arc::new(agent),
        Arc::new(sremesh_agent::Busy::default()),
    )
    .await?;
    Ok(())
}
