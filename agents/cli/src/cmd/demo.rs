//! `sremesh demo [--scenario FILE]`: the newcomer's command — start the sandbox and the whole
//! mesh, post the scenario's alert through the intake (a signed Slack `app_mention` in the
//! alert's thread, or a signed Discord `/investigate` for Discord scenarios), wait for the report
//! in the thread, print it, stop everything.

use crate::cmd::stack::{self, DevSecrets};
use anyhow::{Context, bail};
use clap::Args;
use sremesh_chat::render::{Dialect, Render};
use sremesh_core::config::Loaded;
use sremesh_core::{Platform, Report, media};
use sremesh_scenario::Scenario;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;
use tokio::time::Instant;

/// The scenario `demo` and `dev` use when none is given: a bad rollout seen by Kubernetes, the
/// logs and the chat.
pub const BUNDLED: &str = include_str!("../../../../tests/scenarios/bad-rollout-payments-api.yaml");

#[derive(Args)]
pub struct DemoArgs {
    /// A scenario file (default: the bundled bad-rollout scenario).
    #[arg(long)]
    scenario: Option<PathBuf>,
    /// Where to write the endpoints JSON (parent folders are created).
    #[arg(long, default_value = "target/sremesh-dev/endpoints.json")]
    endpoints_file: PathBuf,
    /// Slack signing secret for the dev intake (default: random per run).
    #[arg(long, env = "SLACK_SIGNING_SECRET", hide_env_values = true)]
    slack_signing_secret: Option<String>,
    /// Ed25519 seed (64 hex) of the dev Discord key (default: random per run).
    #[arg(long, env = "DISCORD_SIGNING_SEED", hide_env_values = true)]
    discord_signing_seed: Option<String>,
    /// Print the report as JSON instead of text.
    #[arg(long)]
    json: bool,
}

/// Loads `--scenario`, or the bundled one.
pub fn scenario(path: Option<&PathBuf>) -> anyhow::Result<Scenario> {
    Ok(match path {
        Some(p) => sremesh_scenario::load(p)?,
        None => sremesh_scenario::load_str("bundled:bad-rollout-payments-api.yaml", BUNDLED)?,
    })
}

pub fn run(args: DemoArgs, loaded: Loaded) -> anyhow::Result<ExitCode> {
    let scenario = scenario(args.scenario.as_ref())?;
    let secrets = DevSecrets::new(
        args.slack_signing_secret.clone(),
        args.discord_signing_seed.as_deref(),
    )?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(async {
        let t0 = Instant::now();
        let stack = stack::start(scenario, &loaded, &args.endpoints_file, secrets, t0).await?;
        let outcome = drive(&stack, &loaded, t0).await;
        stack::step(t0, "stopping");
        stack.stop().await;
        let (report, posted_text, took) = outcome?;
        match report {
            Some(r) if args.json => println!("{}", sremesh_chat::render::json(&r)),
            Some(r) => println!("{}", r.render(Dialect::Terminal { color: std::io::stdout().is_terminal() })),
            None => println!("{posted_text}"),
        }
        eprintln!("demo: the report reached the alert's thread {:.1} s after the alert was posted to the intake", took.as_secs_f64());
        Ok(ExitCode::SUCCESS)
    })
}

/// Posts the alert, waits for the report in the thread; returns it (and how long it took).
async fn drive(
    stack: &stack::Stack,
    loaded: &Loaded,
    t0: Instant,
) -> anyhow::Result<(Option<Report>, String, Duration)> {
    let s = stack.sandbox.scenario();
    let alert = &s.alert;
    let http = reqwest::Client::new();
    let sent = Instant::now();
    match alert.platform {
        Platform::Slack => {
            post_slack_mention(
                &http,
                &stack.intake,
                &stack.secrets.slack_signing_secret,
                &alert.channel,
                &alert.ts,
            )
            .await?;
            stack::step(
                t0,
                &format!(
                    "posted a signed Slack app_mention in the thread of the alert in {}",
                    alert.channel
                ),
            );
        }
        Platform::Discord => {
            post_discord_investigate(
                &http,
                &stack.intake,
                &stack.secrets,
                &alert.channel,
                &alert.text,
            )
            .await?;
            stack::step(
                t0,
                &format!(
                    "posted a signed Discord /investigate in channel {}",
                    alert.channel
                ),
            );
        }
    }
    let wait = Duration::try_from(loaded.config.investigation.initial_deadline)
        .unwrap_or(Duration::from_secs(60))
        + Duration::from_secs(30);
    stack::step(t0, "waiting for the report in the thread…");
    let text = wait_for_report(stack, wait).await?;
    let took = sent.elapsed();
    stack::step(t0, "report posted");
    let report = fetch_report(&http, stack).await;
    Ok((report, text, took))
}

async fn post_slack_mention(
    http: &reqwest::Client,
    intake: &str,
    secret: &str,
    channel: &str,
    thread_ts: &str,
) -> anyhow::Result<()> {
    let now = jiff::Timestamp::now();
    let ts = format!("{}.{:06}", now.as_second(), now.subsec_microsecond());
    let body = serde_json::json!({
        "token": "demo",
        "team_id": "T0SANDBOX",
        "api_app_id": "A0SREMESH",
        "type": "event_callback",
        "event_id": format!("Ev{}", hex::encode(fastrand::u64(..).to_be_bytes())),
        "event_time": now.as_second(),
        "event": {"type": "app_mention", "user": "U0ONCALL", "text": "<@U0SREMESH> take a look", "ts": ts, "thread_ts": thread_ts, "channel": channel, "event_ts": ts},
    })
    .to_string();
    let stamp = now.as_second().to_string();
    let sig = sremesh_chat::verify::sign_slack(secret, &stamp, body.as_bytes())
        .map_err(|e| anyhow::anyhow!("signing: {e}"))?;
    let resp = http
        .post(format!("{intake}slack/events"))
        .header("content-type", "application/json")
        .header("x-slack-request-timestamp", stamp)
        .header("x-slack-signature", sig)
        .body(body)
        .timeout(Duration::from_secs(5))
        .send()
        .await
        .context("posting the Slack event to the intake")?;
    if !resp.status().is_success() {
        bail!(
            "the intake answered {}: {}",
            resp.status(),
            resp.text().await.unwrap_or_default()
        );
    }
    Ok(())
}

async fn post_discord_investigate(
    http: &reqwest::Client,
    intake: &str,
    secrets: &DevSecrets,
    channel: &str,
    text: &str,
) -> anyhow::Result<()> {
    let body = serde_json::json!({
        "id": format!("{}", 1_300_000_000_000_000_000u64 + fastrand::u64(..1_000_000)),
        "application_id": "1300000000000000001",
        "type": 2,
        "token": hex::encode(fastrand::u64(..).to_be_bytes()),
        "version": 1,
        "guild_id": "1100000000000000000",
        "channel_id": channel,
        "member": {"user": {"id": "1100000000000000777", "username": "oncall"}},
        "data": {"id": "1300000000000000010", "name": "investigate", "type": 1, "options": [{"name": "text", "type": 3, "value": text}]},
    })
    .to_string();
    let stamp = jiff::Timestamp::now().as_second().to_string();
    let sig = secrets.discord.sign(&stamp, body.as_bytes());
    let resp = http
        .post(format!("{intake}discord/interactions"))
        .header("content-type", "application/json")
        .header("x-signature-timestamp", stamp)
        .header("x-signature-ed25519", sig)
        .body(body)
        .timeout(Duration::from_secs(5))
        .send()
        .await
        .context("posting the Discord interaction to the intake")?;
    if !resp.status().is_success() {
        bail!(
            "the intake answered {}: {}",
            resp.status(),
            resp.text().await.unwrap_or_default()
        );
    }
    Ok(())
}

/// Waits until a report lands in the sandbox's chat; returns its posted text (all parts).
async fn wait_for_report(stack: &stack::Stack, wait: Duration) -> anyhow::Result<String> {
    let start = Instant::now();
    loop {
        let posted = stack.sandbox.posted();
        if let Some(first) = posted
            .iter()
            .position(|p| p.text.contains("Incident report"))
        {
            // A split report's later parts follow the first.
            let thread = posted[first].thread.clone();
            let parts: Vec<&str> = posted[first..]
                .iter()
                .filter(|p| p.thread == thread && p.action == sremesh_sandbox::PostAction::Post)
                .map(|p| p.text.as_str())
                .collect();
            return Ok(parts.join("\n"));
        }
        if start.elapsed() > wait {
            bail!(
                "no report in the thread after {} s; agent logs are in {}",
                wait.as_secs(),
                stack.dir.join("logs").display()
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The report as a structure, from the master's finished A2A task (ListTasks).
async fn fetch_report(http: &reqwest::Client, stack: &stack::Stack) -> Option<Report> {
    let master = stack.mesh.url("master")?;
    for _ in 0..50 {
        let body = serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": "ListTasks", "params": {"status": "TASK_STATE_COMPLETED", "includeArtifacts": true, "pageSize": 10}});
        let resp: serde_json::Value = http
            .post(master)
            .json(&body)
            .send()
            .await
            .ok()?
            .json()
            .await
            .ok()?;
        let tasks: Vec<sremesh_a2a::types::Task> =
            serde_json::from_value(resp["result"]["tasks"].clone()).unwrap_or_default();
        if let Some(Ok(r)) = tasks
            .iter()
            .find_map(|t| sremesh_agent::payload::decode_from_task::<Report>(t, media::REPORT))
        {
            return Some(r);
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    None
}
