//! `sremesh-slack-scanner`: the Slack scanner. Wiring only; the logic is in the library.

use clap::Parser;
use std::sync::Arc;

#[derive(Parser)]
struct Args {
    #[command(flatten)]
    agent: sremesh_agent::AgentArgs,
    #[command(flatten)]
    llm: sremesh_llm::specialist::LlmArgs,
    /// The bot token (`xoxb-…`), or the ARN of a Secrets Manager secret holding it.
    #[arg(long, env = "SLACK_BOT_TOKEN", hide_env_values = true)]
    slack_bot_token: Option<String>,
    /// The Slack Web API base URL (tests and the sandbox point it at loopback).
    #[arg(long, env = "SLACK_API_URL", default_value = sremesh_chat::SlackApi::DEFAULT_BASE_URL)]
    slack_api_url: String,
    /// Most messages read per channel over the window (the newest ones).
    #[arg(long, env = "SLACK_SCANNER_MAX_MESSAGES", default_value_t = 1000)]
    max_messages: usize,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let setup = sremesh_agent::Setup::new(sremesh_slack_scanner::ID, &args.agent)?;
    let config = &setup.loaded.config;
    let mut settings = sremesh_slack_scanner::settings();
    settings.api_url = args.slack_api_url;
    settings.scan.max_channels = config.investigation.max_channels;
    settings.scan.max_messages = args.max_messages;
    settings.scan.watch_channels = config
        .agent(sremesh_slack_scanner::ID)
        .map(|a| a.watch_channels.clone())
        .unwrap_or_default();
    // A literal token, or a Secrets Manager ARN read (and refreshed) on use.
    settings.token = args
        .slack_bot_token
        .filter(|t| !t.trim().is_empty())
        .map(|t| sremesh_aws::secrets::secret_source(t.trim()));
    let agent = Arc::new(sremesh_slack_scanner::SlackScanner::new(settings));
    let tools = sremesh_slack_scanner::tools::tools(agent.clone());
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
