//! Integration tests of the CloudWatch Logs specialist against the sandbox's CloudWatch Logs
//! server (the real AWS SDK on loopback), replaying the scenario library.

mod deadline;
mod robustness;
mod scenarios;
mod tools;

use jiff::SignedDuration;
use sremesh_agent::{Answer, Deadline, Executor, Job, Partial};
use sremesh_cloudwatch_logs::client::LogsClient;
use sremesh_cloudwatch_logs::{CloudWatchLogsAgent, Settings};
use sremesh_core::{AgentResult, AlertContext};
use sremesh_sandbox::{Options, Sandbox, Scenario};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// The scenario library.
pub fn scenarios_dir() -> PathBuf {
    sremesh_testkit::workspace_root().join("tests/scenarios")
}

/// The blind hold-out set.
pub fn holdout_dir() -> PathBuf {
    sremesh_testkit::workspace_root().join("tests/scenarios-holdout")
}

pub fn load(id: &str) -> Scenario {
    let path = scenarios_dir().join(format!("{id}.yaml"));
    sremesh_scenario::load(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A sandbox serving `scenario` in replay mode (its own times).
pub async fn sandbox(scenario: Scenario, dir: &tempfile::TempDir) -> Sandbox {
    sremesh_sandbox::start(scenario, Options::new(dir.path()))
        .await
        .expect("the sandbox starts on loopback")
}

/// An SDK client for `url` from the shared SDK config (our HTTPS client, timeouts, retries),
/// with dummy credentials and an explicit region set on the client's own config: no
/// credentials chain, profile or metadata service is ever consulted.
pub async fn client(url: &str, policy: sremesh_aws::CallPolicy) -> LogsClient {
    use aws_sdk_cloudwatchlogs::config::Credentials;
    let sdk = sremesh_aws::sdk_config(policy, Some("us-east-1")).await;
    let conf = aws_sdk_cloudwatchlogs::config::Builder::from(&sdk)
        .credentials_provider(Credentials::new(
            "AKIDSANDBOX",
            "secret",
            None,
            None,
            "test",
        ))
        .endpoint_url(url)
        .build();
    LogsClient::new(aws_sdk_cloudwatchlogs::Client::from_conf(conf), "us-east-1")
}

pub async fn agent_for(sb: &Sandbox) -> Arc<CloudWatchLogsAgent> {
    let settings = Settings::default();
    Arc::new(CloudWatchLogsAgent::with_client(
        client(&sb.endpoints().cloudwatch_logs, settings.policy).await,
        settings,
    ))
}

/// The context the master would send for the scenario's alert.
pub fn context(s: &Scenario) -> AlertContext {
    let mut ctx = AlertContext::from_text(
        s.alert.text.clone(),
        s.now,
        SignedDuration::from_mins(30),
        SignedDuration::from_mins(5),
    );
    ctx.scan_channels = vec![s.alert.channel.clone()];
    ctx
}

/// Runs one investigation with `budget` and returns the result and how long it took.
pub async fn investigate(
    agent: &CloudWatchLogsAgent,
    ctx: AlertContext,
    budget: Duration,
) -> (AgentResult, Duration) {
    let started = tokio::time::Instant::now();
    let job = Job {
        request: ctx,
        deadline: Deadline::after(budget),
        partial: Partial::default(),
        task_id: "test".into(),
    };
    let answer = agent.investigate(job).await;
    let Answer::Result(r) = answer else {
        panic!("an investigation answers with an AgentResult")
    };
    (r, started.elapsed())
}
