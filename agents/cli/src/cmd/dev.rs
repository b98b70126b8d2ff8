//! `sremesh dev [--scenario FILE]`: the sandbox and the whole mesh on localhost, kept running
//! until Ctrl-C / SIGTERM, then every child stopped cleanly. Endpoints go to the endpoints file.

use crate::cmd::demo;
use crate::cmd::stack::{self, DevSecrets};
use clap::Args;
use sremesh_core::config::Loaded;
use std::path::PathBuf;
use std::process::ExitCode;
use tokio::time::Instant;

#[derive(Args)]
pub struct DevArgs {
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
}

pub fn run(args: DevArgs, loaded: Loaded) -> anyhow::Result<ExitCode> {
    let scenario = demo::scenario(args.scenario.as_ref())?;
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
        let alert = &stack.sandbox.scenario().alert;
        println!("sremesh dev: everything is up — endpoints in {}", args.endpoints_file.display());
        println!("  intake   {}", stack.intake);
        for p in &stack.mesh.procs {
            println!("  {:<16} {}  (log {})", p.name, p.url, p.log.display());
        }
        let e = stack.sandbox.endpoints();
        println!("  sandbox  slack {} · discord {} · kubernetes {} · cloudwatch_logs {}", e.slack, e.discord, e.kubernetes, e.cloudwatch_logs);
        println!("Send the alert through the intake (a signed app_mention in its thread):");
        println!(
            "  SLACK_SIGNING_SECRET={} scripts/synthetic-slack-event.py --url {}slack/events --channel {} --thread-ts {}",
            stack.secrets.slack_signing_secret, stack.intake, alert.channel, alert.ts
        );
        println!("Ctrl-C stops everything.");
        sremesh_agent::shutdown_signal().await;
        println!("stopping…");
        stack.stop().await;
        Ok(ExitCode::SUCCESS)
    })
}
