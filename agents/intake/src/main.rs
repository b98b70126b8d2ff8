//! `sremesh-intake`: the webhook front door. Wiring only: settings from arguments and the
//! environment (clap), the dedup store, then the local server — or the Lambda runtime when
//! `AWS_LAMBDA_RUNTIME_API` is set.

use anyhow::Context;
use clap::{ArgAction, Parser};
use sremesh_agent::LogFormat;
use sremesh_aws::secrets::secret_source;
use sremesh_core::SecretSource;
use sremesh_intake::{
    ChatTarget, Dedup, DynamoDedup, EmbeddedDedup, Intake, Mode, Settings, app, lambda,
};
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Parser)]
#[command(
    name = "sremesh-intake",
    about = "The sremesh webhook intake (Slack, Discord, Alertmanager)"
)]
struct Args {
    /// Address to listen on (containers: 0.0.0.0).
    #[arg(long, env = "INTAKE_HOST", default_value = "127.0.0.1")]
    host: String,
    /// Port to listen on (0 picks a free one).
    #[arg(long, env = "INTAKE_PORT", default_value_t = 8080)]
    port: u16,
    /// config.yaml (window for the AlertContext); default: walking up from the working
    /// directory, else built-in defaults.
    #[arg(long, env = "SREMESH_CONFIG")]
    config: Option<PathBuf>,
    /// The master agent's URL.
    #[arg(
        long,
        env = "MASTER_AGENT_URL",
        default_value = "http://127.0.0.1:9000/"
    )]
    master_agent_url: String,
    /// The master's AgentCore runtime ARN (wins over the URL).
    #[arg(long, env = "MASTER_AGENT_RUNTIME_ARN")]
    master_agent_runtime_arn: Option<String>,
    /// Slack signing secret, or a Secrets Manager ARN (unset: no Slack intake).
    #[arg(long, env = "SLACK_SIGNING_SECRET", hide_env_values = true)]
    slack_signing_secret: Option<String>,
    /// Slack bot token, or a Secrets Manager ARN.
    #[arg(long, env = "SLACK_BOT_TOKEN", hide_env_values = true)]
    slack_bot_token: Option<String>,
    /// Slack Web API base URL.
    #[arg(long, env = "SLACK_API_URL", default_value = sremesh_chat::SlackApi::DEFAULT_BASE_URL)]
    slack_api_url: String,
    /// Discord application public key (hex), or a Secrets Manager ARN (unset: no Discord intake).
    #[arg(long, env = "DISCORD_PUBLIC_KEY", hide_env_values = true)]
    discord_public_key: Option<String>,
    /// Discord bot token, or a Secrets Manager ARN.
    #[arg(long, env = "DISCORD_BOT_TOKEN", hide_env_values = true)]
    discord_bot_token: Option<String>,
    /// Discord REST API base URL.
    #[arg(long, env = "DISCORD_API_URL", default_value = sremesh_chat::DiscordApi::DEFAULT_BASE_URL)]
    discord_api_url: String,
    /// Discord application id (interactions for other applications are refused).
    #[arg(long, env = "DISCORD_APPLICATION_ID")]
    discord_application_id: Option<String>,
    /// Bearer token Alertmanager must send, or a Secrets Manager ARN (unset: none required).
    #[arg(long, env = "ALERTMANAGER_TOKEN", hide_env_values = true)]
    alertmanager_token: Option<String>,
    /// Where Alertmanager alerts are posted and investigated: slack:<channel> or discord:<channel>.
    #[arg(long, env = "ALERTMANAGER_TARGET")]
    alertmanager_target: Option<String>,
    /// DynamoDB table for dedup (unset: the embedded store).
    #[arg(long, env = "DEDUP_TABLE_NAME")]
    dedup_table_name: Option<String>,
    /// The embedded dedup store's file (default: <temp dir>/sremesh/intake-dedup.redb).
    #[arg(long, env = "DEDUP_PATH")]
    dedup_path: Option<PathBuf>,
    /// Gate chatter with the classifier (false: investigate every mention).
    #[arg(long, env = "ALERT_CLASSIFICATION_ENABLED", default_value_t = true, action = ArgAction::Set,
        value_parser = clap::builder::BoolishValueParser::new())]
    alert_classification_enabled: bool,
    /// Kill switch: acknowledge everything, investigate nothing.
    #[arg(long, env = "INTAKE_PAUSED", default_value_t = false, action = ArgAction::Set,
        value_parser = clap::builder::BoolishValueParser::new())]
    intake_paused: bool,
    /// AWS region (DynamoDB, AgentCore, Secrets Manager).
    #[arg(long, env = "AWS_REGION")]
    aws_region: Option<String>,
    /// Model for the classifier's second tier (ambiguous texts); unset: `MODEL_ID`; neither: no
    /// second tier (ambiguous texts are investigated).
    #[arg(long, env = "CLASSIFIER_MODEL_ID")]
    classifier_model_id: Option<String>,
    /// Fallback model id for the second tier.
    #[arg(long, env = "MODEL_ID")]
    model_id: Option<String>,
    #[command(flatten)]
    llm: sremesh_llm::specialist::LlmArgs,
    /// Set by Lambda: run under the Lambda runtime instead of listening.
    #[arg(long, env = "AWS_LAMBDA_RUNTIME_API", hide = true)]
    lambda_runtime_api: Option<String>,
    /// Set by Lambda (the runtime needs them; checked before it starts).
    #[arg(long, env = "AWS_LAMBDA_FUNCTION_NAME", hide = true)]
    lambda_function_name: Option<String>,
    #[arg(long, env = "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", hide = true)]
    lambda_memory: Option<String>,
    #[arg(long, env = "AWS_LAMBDA_FUNCTION_VERSION", hide = true)]
    lambda_version: Option<String>,
    /// Log format.
    #[arg(long, env = "SREMESH_LOG_FORMAT", value_enum, default_value = "human")]
    log_format: LogFormat,
    /// Log filter (tracing-subscriber EnvFilter syntax).
    #[arg(long, env = "RUST_LOG", default_value = "info")]
    log: String,
}

/// A configured value, or `None` when unset or blank.
fn set(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn secret(v: &Option<String>) -> Option<Arc<dyn SecretSource>> {
    set(v).map(secret_source)
}

async fn dedup_store(args: &Args) -> anyhow::Result<Arc<dyn Dedup>> {
    if let Some(table) = set(&args.dedup_table_name) {
        let policy = sremesh_aws::CallPolicy {
            connect_timeout: std::time::Duration::from_secs(1),
            operation_timeout: std::time::Duration::from_millis(1500),
            max_attempts: 2,
        };
        let conf = sremesh_aws::sdk_config(policy, args.aws_region.as_deref()).await;
        tracing::info!(table = %table, "intake_dedup_dynamodb");
        return Ok(Arc::new(DynamoDedup::new(
            aws_sdk_dynamodb::Client::new(&conf),
            table,
        )));
    }
    let path = args.dedup_path.clone().unwrap_or_else(|| {
        std::env::temp_dir()
            .join("sremesh")
            .join("intake-dedup.redb")
    });
    let store = EmbeddedDedup::open(&path)?;
    tracing::info!(path = %path.display(), "intake_dedup_embedded");
    Ok(Arc::new(store))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    sremesh_core::tls::ensure_crypto_provider();
    sremesh_agent::init_logging(args.log_format, &args.log);

    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let investigation = match sremesh_core::config::find_config(args.config.as_deref(), None, &cwd)
    {
        Ok(path) => sremesh_core::config::load(&path)?.config.investigation,
        Err(sremesh_core::config::LoadError::NotFound { .. }) => {
            tracing::info!("no config.yaml found: using the default investigation window");
            Default::default()
        }
        Err(e) => return Err(e.into()),
    };
    if let Some(key) = set(&args.discord_public_key)
        && !sremesh_aws::secrets::is_secret_arn(key)
        && hex::decode(key).map(|b| b.len()) != Ok(32)
    {
        anyhow::bail!("DISCORD_PUBLIC_KEY must be 64 hex digits (or a Secrets Manager ARN)");
    }
    let lambda = set(&args.lambda_runtime_api).is_some();
    let master = set(&args.master_agent_runtime_arn).unwrap_or(&args.master_agent_url);
    let mut s = Settings::new(master);
    s.slack_signing_secret = secret(&args.slack_signing_secret);
    s.slack_bot_token = secret(&args.slack_bot_token);
    s.slack_api_url = args.slack_api_url.clone();
    s.discord_public_key = secret(&args.discord_public_key);
    s.discord_bot_token = secret(&args.discord_bot_token);
    s.discord_api_url = args.discord_api_url.clone();
    s.discord_application_id = set(&args.discord_application_id).map(str::to_owned);
    s.alertmanager_token = secret(&args.alertmanager_token);
    s.alertmanager_target = set(&args.alertmanager_target)
        .map(str::parse::<ChatTarget>)
        .transpose()
        .map_err(|e| anyhow::anyhow!("ALERTMANAGER_TARGET: {e}"))?;
    s.aws_region = set(&args.aws_region).map(str::to_owned);
    s.classification = args.alert_classification_enabled;
    s.paused = args.intake_paused;
    s.window_before = investigation.window_before;
    s.window_after = investigation.window_after;
    s.mode = if lambda { Mode::Lambda } else { Mode::Server };
    let model = set(&args.classifier_model_id).or(set(&args.model_id));
    let tier: Arc<dyn sremesh_intake::LlmTier> =
        match sremesh_llm::provider_for(model, &args.llm.settings()).await? {
            Some(p) => Arc::new(sremesh_intake::model_tier::ModelTier::new(
                p,
                std::time::Duration::from_millis(1200),
            )),
            None => Arc::new(sremesh_intake::NoLlm),
        };
    let intake = Arc::new(Intake::with_llm(s, dedup_store(&args).await?, tier)?);

    if lambda {
        for (name, v) in [
            ("AWS_LAMBDA_FUNCTION_NAME", &args.lambda_function_name),
            ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", &args.lambda_memory),
            ("AWS_LAMBDA_FUNCTION_VERSION", &args.lambda_version),
        ] {
            set(v).with_context(|| format!("{name} must be set under the Lambda runtime"))?;
        }
        return lambda::run(intake)
            .await
            .map_err(|e| anyhow::anyhow!("lambda runtime: {e}"));
    }
    let bind = format!("{}:{}", args.host, args.port);
    let listener = tokio::net::TcpListener::bind(&bind)
        .await
        .with_context(|| format!("cannot listen on {bind}"))?;
    app::serve(listener, intake, sremesh_agent::shutdown_signal()).await?;
    tracing::info!("intake_stopped");
    Ok(())
}
