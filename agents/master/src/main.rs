//! `sremesh-master`: the master agent. Wiring only; the logic is in the library.

use clap::Parser;
use sremesh_a2a::client::ClientOptions;
use sremesh_aws::secrets::secret_source;
use sremesh_master::chat::ChatNotifier;
use sremesh_master::model::MasterModel;
use sremesh_master::orchestrator::{Limits, ModelSteps, Orchestrator};
use sremesh_master::{MasterAgent, endpoints, notify, snapshot};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

#[derive(Parser)]
#[command(name = "sremesh-master", about = "The sremesh master agent")]
struct Args {
    #[command(flatten)]
    agent: sremesh_agent::AgentArgs,
    #[command(flatten)]
    llm: sremesh_llm::specialist::LlmArgs,
    /// AWS region (AgentCore endpoints, Secrets Manager).
    #[arg(long, env = "AWS_REGION")]
    aws_region: Option<String>,
    /// Slack Web API base URL.
    #[arg(long, env = "SLACK_API_URL", default_value = sremesh_chat::SlackApi::DEFAULT_BASE_URL)]
    slack_api_url: String,
    /// Slack bot token, or the ARN of a Secrets Manager secret holding it (unset: no Slack posts).
    #[arg(long, env = "SLACK_BOT_TOKEN", hide_env_values = true)]
    slack_bot_token: Option<String>,
    /// Discord REST API base URL.
    #[arg(long, env = "DISCORD_API_URL", default_value = sremesh_chat::DiscordApi::DEFAULT_BASE_URL)]
    discord_api_url: String,
    /// Discord bot token, or a Secrets Manager ARN (unset: no Discord posts).
    #[arg(long, env = "DISCORD_BOT_TOKEN", hide_env_values = true)]
    discord_bot_token: Option<String>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let setup = sremesh_agent::Setup::new("master", &args.agent)?;
    // `<AGENT>_AGENT_URL` / `_RUNTIME_ARN` are named after the catalogue, so they are read as a map.
    let env: HashMap<String, String> = std::env::vars().collect();
    let config = &setup.loaded.config;
    let opts = ClientOptions {
        connect_timeout: None,
        aws_region: args.aws_region.clone(),
    };
    let specialists = endpoints::specialists(config, &env, &opts).map_err(anyhow::Error::msg)?;
    let inv = &config.investigation;
    let limits = Limits {
        initial: Duration::try_from(inv.initial_deadline)?,
        cutoff: Duration::try_from(inv.hard_cutoff)?,
        margin: Duration::try_from(inv.agent_margin)?,
    };
    let slack = match args.slack_bot_token.as_deref().filter(|t| !t.is_empty()) {
        Some(t) => Some(sremesh_chat::SlackApi::new(
            &args.slack_api_url,
            secret_source(t),
        )?),
        None => None,
    };
    let discord = match args.discord_bot_token.as_deref().filter(|t| !t.is_empty()) {
        Some(t) => Some(sremesh_chat::DiscordApi::new(
            &args.discord_api_url,
            secret_source(t),
        )?),
        None => None,
    };
    let notifier: Arc<dyn notify::Notifier> = Arc::new(ChatNotifier::new(slack, discord));
    let provider = sremesh_llm::provider_for(setup.model.as_deref(), &args.llm.settings()).await?;
    let steps = provider.map(|provider| ModelSteps {
        model: MasterModel {
            provider,
            config: Arc::new(config.clone()),
        },
        synthesis: Duration::try_from(inv.synthesis_timeout).unwrap_or(Duration::from_secs(10)),
        routing: inv
            .routing
            .then(|| Duration::try_from(inv.routing_timeout).unwrap_or(Duration::from_secs(5))),
    });
    let orchestrator = Orchestrator::new(specialists, limits, notifier).with_model(steps);
    let agent = MasterAgent::new(orchestrator, snapshot::cutoff(config), setup.model.clone());
    sremesh_agent::serve(
        setup,
        Arc::new(agent),
        Arc::new(sremesh_agent::Busy::default()),
    )
    .await?;
    Ok(())
}
