//! `sremesh-cloudwatch-logs`: the CloudWatch Logs specialist. Wiring only; the logic is in the
//! library.

use clap::Parser;
use std::sync::Arc;

#[derive(Parser)]
struct Args {
    #[command(flatten)]
    agent: sremesh_agent::AgentArgs,
    #[command(flatten)]
    llm: sremesh_llm::specialist::LlmArgs,
    /// AWS region of the log groups (the endpoint comes from the SDK's standard
    /// `AWS_ENDPOINT_URL_CLOUDWATCH_LOGS` / `AWS_ENDPOINT_URL`, credentials from its chain).
    #[arg(long, env = "AWS_REGION")]
    region: Option<String>,
    /// Fallback region variable, as the AWS CLI reads it.
    #[arg(long, env = "AWS_DEFAULT_REGION", hide = true)]
    default_region: Option<String>,
    /// Most log groups to list when discovering the alert's groups.
    #[arg(long, env = "CLOUDWATCH_MAX_GROUPS_SCANNED", default_value_t = 500)]
    max_groups_scanned: usize,
    /// Most log groups one investigation queries.
    #[arg(long, env = "CLOUDWATCH_MAX_GROUPS_QUERIED", default_value_t = 10)]
    max_groups_queried: usize,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let setup = sremesh_agent::Setup::new(sremesh_cloudwatch_logs::ID, &args.agent)?;
    let settings = sremesh_cloudwatch_logs::Settings {
        region: args.region.or(args.default_region),
        max_groups_scanned: args.max_groups_scanned,
        max_groups_queried: args.max_groups_queried,
        ..Default::default()
    };
    let agent = Arc::new(sremesh_cloudwatch_logs::CloudWatchLogsAgent::new(settings).await);
    let tools = sremesh_cloudwatch_logs::tools::tools(agent.clone());
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
