//! Starting the agent binaries on free loopback ports, pointed at a sandbox — shared by
//! `eval`, `dev` and `demo`. Each child gets a clean environment (no developer AWS profile or
//! tokens leak in), its log in a file, and is killed when the mesh is dropped.

use anyhow::{Context, bail};
use sremesh_core::AgentInfo;
use sremesh_sandbox::Endpoints;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;
use tokio::process::{Child, Command};
use tokio::time::Instant;

/// Dev-only credentials the sandbox accepts (it accepts any).
pub const SLACK_TOKEN: &str = "xoxb-sremesh-sandbox";
pub const DISCORD_TOKEN: &str = "sremesh-sandbox-bot-token";

/// One running agent.
pub struct AgentProcess {
    pub info: &'static AgentInfo,
    pub url: String,
    pub log: PathBuf,
    child: Child,
}

/// Running agents.
pub struct Mesh {
    pub agents: Vec<AgentProcess>,
}

impl Mesh {
    /// `<AGENT>_AGENT_URL` for every agent, as the master and the CLI read them.
    pub fn url_env(&self) -> HashMap<String, String> {
        self.agents
            .iter()
            .map(|a| (a.info.url_env(), a.url.clone()))
            .collect()
    }

    /// Stops every agent (SIGKILL; they hold no state worth a graceful stop here).
    pub async fn stop(mut self) {
        for a in &mut self.agents {
            let _ = a.child.kill().await;
        }
    }
}

/// The directory holding the binaries: next to the running `sremesh`.
pub fn bin_dir() -> anyhow::Result<PathBuf> {
    let exe = std::env::current_exe().context("locating the sremesh binary")?;
    Ok(exe.parent().map(Path::to_path_buf).unwrap_or_default())
}

/// The environment pointing an agent at the sandbox.
pub fn sandbox_env(e: &Endpoints) -> Vec<(String, String)> {
    [
        ("KUBECONFIG", e.kubeconfig.display().to_string()),
        (
            "AWS_ENDPOINT_URL_CLOUDWATCH_LOGS",
            e.cloudwatch_logs.clone(),
        ),
        ("AWS_REGION", "us-east-1".to_owned()),
        ("AWS_ACCESS_KEY_ID", "sandbox".to_owned()),
        ("AWS_SECRET_ACCESS_KEY", "sandbox".to_owned()),
        ("AWS_EC2_METADATA_DISABLED", "true".to_owned()),
        ("SLACK_API_URL", e.slack.clone()),
        ("SLACK_BOT_TOKEN", SLACK_TOKEN.to_owned()),
        ("DISCORD_API_URL", e.discord.clone()),
        ("DISCORD_BOT_TOKEN", DISCORD_TOKEN.to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// Starts `agents` with `env` (plus `SREMESH_CONFIG`, host and port), logs under `log_dir`,
/// and waits until each answers `/ping`.
pub async fn start(
    agents: &[&'static AgentInfo],
    config: &Path,
    env: &[(String, String)],
    log_dir: &Path,
) -> anyhow::Result<Mesh> {
    let bins = bin_dir()?;
    std::fs::create_dir_all(log_dir).with_context(|| format!("creating {}", log_dir.display()))?;
    let mut mesh = Mesh { agents: Vec::new() };
    for info in agents {
        let bin = bins.join(info.binary());
        if !bin.exists() {
            bail!(
                "{} is not built; run `cargo build --workspace --bins`",
                bin.display()
            );
        }
        let port = free_port()?;
        let log = log_dir.join(format!("{}.log", info.id));
        let out =
            std::fs::File::create(&log).with_context(|| format!("creating {}", log.display()))?;
        let mut cmd = Command::new(&bin);
        cmd.env_clear()
            .envs(inherited())
            .envs(env.iter().cloned())
            .env("SREMESH_CONFIG", config)
            .env("A2A_HOST", "127.0.0.1")
            .env("A2A_PORT", port.to_string())
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(out.try_clone()?)
            .stderr(out)
            .kill_on_drop(true);
        let child = cmd
            .spawn()
            .with_context(|| format!("starting {}", bin.display()))?;
        mesh.agents.push(AgentProcess {
            info,
            url: format!("http://127.0.0.1:{port}/"),
            log,
            child,
        });
    }
    let http = reqwest::Client::new();
    for a in &mut mesh.agents {
        wait_ready(&http, a).await?;
    }
    Ok(mesh)
}

/// Only what a process needs to run (and where to find its tools), never credentials.
fn inherited() -> Vec<(String, String)> {
    ["PATH", "HOME", "TMPDIR", "LANG"]
        .into_iter()
        .filter_map(|k| std::env::vars().find(|(name, _)| name == k))
        .collect()
}

async fn wait_ready(http: &reqwest::Client, a: &mut AgentProcess) -> anyhow::Result<()> {
    let start = Instant::now();
    let url = format!("{}ping", a.url);
    loop {
        if let Some(status) = a.child.try_wait()? {
            let log = std::fs::read_to_string(&a.log).unwrap_or_default();
            bail!(
                "{} exited ({status}) before it was ready:\n{}",
                a.info.binary(),
                tail(&log, 15)
            );
        }
        if let Ok(r) = http
            .get(&url)
            .timeout(Duration::from_millis(300))
            .send()
            .await
            && r.status().is_success()
        {
            return Ok(());
        }
        if start.elapsed() > Duration::from_secs(20) {
            bail!(
                "{} did not answer {url} within 20 s (log: {})",
                a.info.binary(),
                a.log.display()
            );
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

fn tail(s: &str, n: usize) -> String {
    let lines: Vec<&str> = s.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}
