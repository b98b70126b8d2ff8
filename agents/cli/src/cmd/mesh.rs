//! Starting sremesh binaries on free loopback ports, pointed at a sandbox — shared by `eval`,
//! `dev` and `demo`. Each child gets a clean environment (no developer AWS profile or tokens leak
//! in), its log in a file, and is stopped (SIGTERM, then SIGKILL) when the mesh stops — or
//! killed if the mesh is dropped.

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

/// What to start.
pub struct Spec {
    /// Short name for messages and the log file (`eks`, `intake`).
    pub name: String,
    /// Binary name next to `sremesh` (`sremesh-eks`).
    pub binary: String,
    /// The env var that sets its port (`A2A_PORT`, `INTAKE_PORT`).
    pub port_env: &'static str,
    /// Path answered once ready (`/ping`, `/healthz`).
    pub health: &'static str,
    pub env: Vec<(String, String)>,
}

impl Spec {
    /// An agent from the catalogue.
    pub fn agent(info: &AgentInfo, env: Vec<(String, String)>) -> Self {
        Self {
            name: info.id.to_owned(),
            binary: info.binary(),
            port_env: "A2A_PORT",
            health: "/ping",
            env,
        }
    }
}

/// One running process.
pub struct Process {
    pub name: String,
    pub url: String,
    pub log: PathBuf,
    child: Child,
}

/// Running processes.
#[derive(Default)]
pub struct Mesh {
    pub procs: Vec<Process>,
}

impl Mesh {
    /// `<AGENT>_AGENT_URL` for every catalogue agent in the mesh.
    pub fn url_env(&self) -> HashMap<String, String> {
        self.procs
            .iter()
            .filter_map(|p| {
                sremesh_core::catalogue::agent(&p.name).map(|a| (a.url_env(), p.url.clone()))
            })
            .collect()
    }

    /// The URL of a process by name.
    pub fn url(&self, name: &str) -> Option<&str> {
        self.procs
            .iter()
            .find(|p| p.name == name)
            .map(|p| p.url.as_str())
    }

    /// Adds the processes of another mesh.
    pub fn extend(&mut self, other: Mesh) {
        self.procs.extend(other.procs);
    }

    /// Stops every process: SIGTERM, up to 3 s for it to exit, then SIGKILL.
    pub async fn stop(mut self) {
        for p in &self.procs {
            if let Some(pid) = p.child.id() {
                let _ = nix::sys::signal::kill(
                    nix::unistd::Pid::from_raw(pid as i32),
                    nix::sys::signal::Signal::SIGTERM,
                );
            }
        }
        let deadline = Instant::now() + Duration::from_secs(3);
        for p in &mut self.procs {
            let left = deadline.saturating_duration_since(Instant::now());
            if tokio::time::timeout(left, p.child.wait()).await.is_err() {
                let _ = p.child.kill().await;
            }
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

/// Starts `agents` (catalogue agents) with `env`; see [`start_specs`].
pub async fn start(
    agents: &[&'static AgentInfo],
    config: &Path,
    env: &[(String, String)],
    log_dir: &Path,
) -> anyhow::Result<Mesh> {
    let specs: Vec<Spec> = agents
        .iter()
        .map(|a| Spec::agent(a, env.to_vec()))
        .collect();
    start_specs(specs, config, log_dir).await
}

/// Starts every spec (with `SREMESH_CONFIG`, on loopback), logs under `log_dir`, and waits until
/// each answers its health path. Each child binds port 0 and the mesh reads the port it got from
/// its `…_listening` log line: a port picked here and handed over could be taken by anyone in
/// between — and another process answering on it would pass for the child.
pub async fn start_specs(specs: Vec<Spec>, config: &Path, log_dir: &Path) -> anyhow::Result<Mesh> {
    let bins = bin_dir()?;
    std::fs::create_dir_all(log_dir).with_context(|| format!("creating {}", log_dir.display()))?;
    let mut mesh = Mesh::default();
    let mut health = Vec::new();
    for spec in specs {
        let bin = bins.join(&spec.binary);
        if !bin.exists() {
            bail!(
                "{} is not built; run `cargo build --workspace --bins`",
                bin.display()
            );
        }
        let log = log_dir.join(format!("{}.log", spec.name));
        let out =
            std::fs::File::create(&log).with_context(|| format!("creating {}", log.display()))?;
        let mut cmd = Command::new(&bin);
        cmd.env_clear()
            .envs(inherited())
            .envs(spec.env.iter().cloned())
            .env("SREMESH_CONFIG", config)
            .env("SREMESH_LOG_FORMAT", "human")
            .env("A2A_HOST", "127.0.0.1")
            .env("INTAKE_HOST", "127.0.0.1")
            .env(spec.port_env, "0")
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(out.try_clone()?)
            .stderr(out)
            .kill_on_drop(true);
        let child = cmd
            .spawn()
            .with_context(|| format!("starting {}", bin.display()))?;
        health.push(spec.health);
        mesh.procs.push(Process {
            name: spec.name,
            url: String::new(),
            log,
            child,
        });
    }
    let http = reqwest::Client::new();
    for (p, path) in mesh.procs.iter_mut().zip(health) {
        wait_ready(&http, p, path).await?;
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

/// Waits for the child's `…_listening` line (its URL), then for its health path to answer.
async fn wait_ready(http: &reqwest::Client, p: &mut Process, path: &str) -> anyhow::Result<()> {
    let start = Instant::now();
    loop {
        if let Some(status) = p.child.try_wait()? {
            let log = std::fs::read_to_string(&p.log).unwrap_or_default();
            bail!(
                "{} exited ({status}) before it was ready:\n{}",
                p.name,
                tail(&log, 15)
            );
        }
        if p.url.is_empty()
            && let Some(port) = listening_port(&std::fs::read_to_string(&p.log).unwrap_or_default())
        {
            p.url = format!("http://127.0.0.1:{port}/");
        }
        if !p.url.is_empty()
            && let Ok(r) = http
                .get(format!("{}{}", p.url, path.trim_start_matches('/')))
                .timeout(Duration::from_millis(300))
                .send()
                .await
            && r.status().is_success()
        {
            return Ok(());
        }
        if start.elapsed() > Duration::from_secs(20) {
            bail!(
                "{} was not ready ({}) within 20 s (log: {})",
                p.name,
                if p.url.is_empty() {
                    "never said where it listens".to_owned()
                } else {
                    format!("{} did not answer {path}", p.url)
                },
                p.log.display()
            );
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// The loopback port in a child's first `…_listening … addr=127.0.0.1:PORT` log line.
fn listening_port(log: &str) -> Option<u16> {
    // Only whole lines: one still being written could end mid-number.
    log.split_inclusive('\n')
        .filter(|l| l.ends_with('\n') && l.contains("_listening"))
        .find_map(|l| {
            let rest = &l[l.find("addr=127.0.0.1:")? + "addr=127.0.0.1:".len()..];
            let digits = rest
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(rest.len());
            rest[..digits].parse().ok().filter(|&p| p != 0)
        })
}

fn tail(s: &str, n: usize) -> String {
    let lines: Vec<&str> = s.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

#[cfg(test)]
mod tests {
    use super::listening_port;

    /// The lines our binaries log once bound (captured from an agent and the intake).
    #[test]
    fn the_port_comes_from_the_listening_line() {
        let cases = [
            (
                "2026-11-21T12:30:00.1Z  INFO sremesh_agent::serve: agent_listening agent=\"eks\" addr=127.0.0.1:41234 url=http://127.0.0.1:41234/ model=\"none\"\n",
                Some(41234),
            ),
            (
                "2026-11-21T12:30:00.1Z  INFO sremesh_intake: intake_dedup_embedded path=/tmp/x\n2026-11-21T12:30:00.2Z  INFO sremesh_intake::app: intake_listening addr=127.0.0.1:8080\n",
                Some(8080),
            ),
            // Not listening yet, a line cut mid-write, or somewhere that is not loopback.
            (
                "2026-11-21T12:30:00.1Z  INFO sremesh_intake: intake_config master=x\n",
                None,
            ),
            ("… agent_listening agent=\"eks\" addr=127.0.0.1:", None),
            (
                "… agent_listening agent=\"eks\" addr=0.0.0.0:9000 url=http://127.0.0.1:9000/",
                None,
            ),
            ("… agent_listening addr=127.0.0.1:0\n", None),
            ("… intake_listening addr=127.0.0.1:412", None),
            ("", None),
        ];
        for (log, expected) in cases {
            assert_eq!(listening_port(log), expected, "{log:?}");
        }
    }
}
