//! Integration tests of the Discord scanner against the sandbox's Discord REST API, replaying the
//! scenario library.

mod deadline;
mod paging;
mod plain;
mod robustness;
mod scenarios;
mod tools;

use jiff::SignedDuration;
use sremesh_agent::{Answer, Deadline, Executor, Job, Partial};
use sremesh_core::{AgentResult, AlertContext, Secret, SecretSource};
use sremesh_discord_scanner::{DiscordScanner, Settings};
use sremesh_sandbox::{Options, Sandbox, Scenario};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// The scenario library.
pub fn scenarios_dir() -> PathBuf {
    sremesh_testkit::workspace_root().join("tests/scenarios")
}

/// Every scenario file, sorted.
pub fn scenario_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(scenarios_dir())
        .expect("the scenario library exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    files
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

/// Settings pointing at the sandbox's Discord.
pub fn settings_for(sb: &Sandbox) -> Settings {
    Settings {
        token: Some(Arc::new(Secret::new("discord-test-token")) as Arc<dyn SecretSource>),
        api_url: sb.endpoints().discord.clone(),
        ..Default::default()
    }
}

pub fn agent_for(sb: &Sandbox) -> Arc<DiscordScanner> {
    Arc::new(DiscordScanner::new(settings_for(sb)))
}

/// The context the master would send for the scenario's alert.
pub fn context(s: &Scenario) -> AlertContext {
    let mut ctx = AlertContext::from_text(
        s.alert.text.clone(),
        s.now,
        SignedDuration::from_mins(30),
        SignedDuration::from_mins(5),
    );
    ctx.platform = Some(s.alert.platform);
    ctx.channel_id = Some(s.alert.channel.clone());
    ctx.message_id = Some(s.alert.message_id.clone());
    ctx.scan_channels = vec![s.alert.channel.clone()];
    ctx
}

/// Runs one investigation with `budget`; returns the result and how long it took.
pub async fn investigate(
    agent: &DiscordScanner,
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
    let Answer::Result(r) = agent.investigate(job).await else {
        panic!("an investigation answers with an AgentResult")
    };
    (r, started.elapsed())
}
