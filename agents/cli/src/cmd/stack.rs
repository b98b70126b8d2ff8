//! The whole local stack for `dev` and `demo`: the sandbox (live), every enabled specialist, the
//! master and the intake on loopback, with dev secrets (random per run unless the environment
//! sets them), and the endpoints file of DESIGN.md.

use crate::cmd::mesh::{self, Mesh, Spec};
use anyhow::Context;
use sremesh_chat::verify::DiscordSigner;
use sremesh_core::config::Loaded;
use sremesh_sandbox::Sandbox;
use sremesh_scenario::Scenario;
use std::path::{Path, PathBuf};
use tokio::time::Instant;

/// Dev credentials for signing requests to the intake.
pub struct DevSecrets {
    pub slack_signing_secret: String,
    pub discord: DiscordSigner,
}

impl DevSecrets {
    /// `slack_secret` / `discord_seed` from the environment when set, else random.
    pub fn new(
        slack_secret: Option<String>,
        discord_seed_hex: Option<&str>,
    ) -> anyhow::Result<Self> {
        let slack_signing_secret = slack_secret
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| hex::encode(random_bytes()));
        let seed: [u8; 32] = match discord_seed_hex {
            Some(h) => hex::decode(h.trim())
                .ok()
                .and_then(|b| b.try_into().ok())
                .context("DISCORD_SIGNING_SEED must be 64 hex characters")?,
            None => random_bytes(),
        };
        Ok(Self {
            slack_signing_secret,
            discord: DiscordSigner::from_seed(seed),
        })
    }
}

fn random_bytes() -> [u8; 32] {
    let mut b = [0u8; 32];
    for x in &mut b {
        *x = fastrand::u8(..);
    }
    b
}

/// A running stack.
pub struct Stack {
    pub sandbox: Sandbox,
    pub mesh: Mesh,
    pub intake: String,
    pub secrets: DevSecrets,
    pub dir: PathBuf,
}

impl Stack {
    /// Stops every child and the sandbox.
    pub async fn stop(self) {
        self.mesh.stop().await;
        self.sandbox.shutdown().await;
    }
}

/// Prints a progress step with the time since `start`.
pub fn step(start: Instant, what: &str) {
    eprintln!("[{:>5.1}s] {what}", start.elapsed().as_secs_f64());
}

/// Starts everything for `scenario` and writes the endpoints file.
pub async fn start(
    scenario: Scenario,
    loaded: &Loaded,
    endpoints_file: &Path,
    secrets: DevSecrets,
    t0: Instant,
) -> anyhow::Result<Stack> {
    let dir = endpoints_file
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_path_buf();
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let (id, title) = (scenario.id.clone(), scenario.title.clone());
    let mut opts = sremesh_sandbox::Options::new(&dir);
    opts.live = true;
    let sandbox = sremesh_sandbox::start(scenario, opts).await?;
    step(t0, &format!("sandbox serving scenario {id} — {title}"));
    let config = &loaded.config;
    let logs = dir.join("logs");
    let env = mesh::sandbox_env(sandbox.endpoints());
    let specialists: Vec<_> = config
        .specialists()
        .into_iter()
        .filter(|a| config.is_enabled(a.id))
        .collect();
    let mut all = mesh::start(&specialists, &loaded.path, &env, &logs).await?;
    let names: Vec<&str> = specialists.iter().map(|a| a.id).collect();
    step(t0, &format!("specialists ready: {}", names.join(", ")));
    let mut master_env = env.clone();
    master_env.extend(all.url_env());
    let master_info = sremesh_core::catalogue::agent(sremesh_core::catalogue::MASTER)
        .context("the master is in the catalogue")?;
    all.extend(
        mesh::start_specs(
            vec![Spec::agent(master_info, master_env)],
            &loaded.path,
            &logs,
        )
        .await?,
    );
    let master_url = all.url("master").context("the master started")?.to_owned();
    step(t0, "master ready");
    let mut intake_env = env;
    intake_env.extend([
        ("MASTER_AGENT_URL".to_owned(), master_url),
        (
            "SLACK_SIGNING_SECRET".to_owned(),
            secrets.slack_signing_secret.clone(),
        ),
        (
            "DISCORD_PUBLIC_KEY".to_owned(),
            secrets.discord.public_key_hex(),
        ),
        (
            "DISCORD_APPLICATION_ID".to_owned(),
            "1300000000000000001".to_owned(),
        ),
        (
            "DEDUP_PATH".to_owned(),
            dir.join("dedup.redb").display().to_string(),
        ),
        (
            "ALERTMANAGER_TARGET".to_owned(),
            "slack:C0ALERTS".to_owned(),
        ),
    ]);
    let intake_spec = Spec {
        name: "intake".into(),
        binary: "sremesh-intake".into(),
        port_env: "INTAKE_PORT",
        health: "/healthz",
        env: intake_env,
    };
    all.extend(mesh::start_specs(vec![intake_spec], &loaded.path, &logs).await?);
    let intake = all.url("intake").context("the intake started")?.to_owned();
    step(t0, &format!("intake ready at {intake}"));
    let agents: serde_json::Map<String, serde_json::Value> = all
        .procs
        .iter()
        .filter(|p| p.name != "intake")
        .map(|p| (p.name.clone(), serde_json::Value::String(p.url.clone())))
        .collect();
    let doc = serde_json::json!({
        "intake": intake,
        "agents": agents,
        "sandbox": sandbox.endpoints(),
        "slack_signing_secret": secrets.slack_signing_secret,
        "discord_public_key": secrets.discord.public_key_hex(),
    });
    std::fs::write(
        endpoints_file,
        format!("{}\n", serde_json::to_string_pretty(&doc)?),
    )
    .with_context(|| format!("writing {}", endpoints_file.display()))?;
    Ok(Stack {
        sandbox,
        mesh: all,
        intake,
        secrets,
        dir,
    })
}
