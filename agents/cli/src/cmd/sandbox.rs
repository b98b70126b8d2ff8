//! `sremesh sandbox --scenario FILE [--live] [--endpoints-file PATH]`: serve one scenario over
//! the real Slack, Discord, Kubernetes and CloudWatch Logs protocols until Ctrl-C / SIGTERM.

use anyhow::Context;
use clap::Args;
use sremesh_sandbox::{Options, Sandbox};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Args)]
pub struct SandboxArgs {
    /// The scenario file to serve (schema sremesh/scenario/v1).
    #[arg(long)]
    scenario: PathBuf,
    /// Move the world in time so the scenario's `now` is the moment the sandbox starts.
    #[arg(long)]
    live: bool,
    /// Where to write `{"sandbox": {...endpoints}}` (parent folders are created); the kubeconfig
    /// is written next to it.
    #[arg(long, default_value = "target/sremesh-dev/endpoints.json")]
    endpoints_file: PathBuf,
}

pub fn run(args: SandboxArgs) -> anyhow::Result<ExitCode> {
    let scenario = match sremesh_scenario::load(&args.scenario) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{e}");
            return Ok(ExitCode::FAILURE);
        }
    };
    for w in &scenario.warnings {
        eprintln!("warning: {}: {w}", args.scenario.display());
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(serve(scenario, &args))?;
    Ok(ExitCode::SUCCESS)
}

async fn serve(scenario: sremesh_scenario::Scenario, args: &SandboxArgs) -> anyhow::Result<()> {
    let dir = args
        .endpoints_file
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_path_buf();
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let (id, title) = (scenario.id.clone(), scenario.title.clone());
    let mut opts = Options::new(&dir);
    opts.live = args.live;
    let sandbox = sremesh_sandbox::start(scenario, opts).await?;
    let doc = serde_json::json!({"sandbox": sandbox.endpoints()});
    let text = serde_json::to_string_pretty(&doc)?;
    std::fs::write(&args.endpoints_file, format!("{text}\n"))
        .with_context(|| format!("writing {}", args.endpoints_file.display()))?;
    print_endpoints(&sandbox, &id, &title, &args.endpoints_file);
    wait_for_signal().await?;
    // Whoever read the endpoints may be gone by now (`| head`): a closed stdout is no reason
    // to skip the clean shutdown.
    let _ = writeln!(std::io::stdout(), "sandbox: stopping");
    sandbox.shutdown().await;
    Ok(())
}

/// Prints where the sandbox listens; a reader that has gone away (`| head`) is not an error:
/// the endpoints file has it all, and the sandbox keeps serving.
fn print_endpoints(s: &Sandbox, id: &str, title: &str, file: &Path) {
    let e = s.endpoints();
    let now = s.scenario().now;
    let text = format!(
        "sandbox: serving scenario {id} — {title} (now = {now})\n  slack            {}\n  discord          {}\n  kubernetes       {}\n  kubeconfig       {}\n  cloudwatch_logs  {}\n  endpoints file   {}\nCtrl-C stops it.\n",
        e.slack,
        e.discord,
        e.kubernetes,
        e.kubeconfig.display(),
        e.cloudwatch_logs,
        file.display()
    );
    let mut out = std::io::stdout();
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
}

async fn wait_for_signal() -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .context("installing the SIGTERM handler")?;
        tokio::select! {
            r = tokio::signal::ctrl_c() => r.context("waiting for Ctrl-C")?,
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    tokio::signal::ctrl_c()
        .await
        .context("waiting for Ctrl-C")?;
    Ok(())
}
