//! `sremesh`: the command line. Parses arguments (and the environment, through clap), sets up
//! logging, and calls one subcommand module; the work itself lives in the libraries.

mod cmd;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "sremesh",
    version,
    about = "On-call investigator for infrastructure alerts"
)]
struct Cli {
    /// Path of config.yaml (default: $SREMESH_CONFIG, else the first config.yaml walking up from
    /// the working directory).
    #[arg(long, global = true, env = "SREMESH_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Work with config.yaml.
    #[command(subcommand)]
    Config(cmd::config::ConfigCommand),
    /// Serve a scenario over the real Slack, Discord, Kubernetes and CloudWatch Logs protocols.
    Sandbox(cmd::sandbox::SandboxArgs),
    /// Run scenario files through the whole mesh and score the reports.
    Eval(cmd::eval::EvalArgs),
    /// Investigate one alert text with the agents the environment points at; print the report.
    Investigate(cmd::investigate::InvestigateArgs),
    /// Start the sandbox and the whole mesh, post the scenario's alert through the intake, print
    /// the report, stop.
    Demo(cmd::demo::DemoArgs),
    /// Start the sandbox and the whole mesh on localhost and keep them running.
    Dev(cmd::dev::DevArgs),
}

/// Loads and validates config.yaml (flag, `SREMESH_CONFIG`, or walking up).
fn load_config(explicit: Option<&std::path::Path>) -> anyhow::Result<sremesh_core::config::Loaded> {
    let cwd = std::env::current_dir()?;
    let path = sremesh_core::config::find_config(explicit, None, &cwd)?;
    let path = path.canonicalize().unwrap_or(path);
    Ok(sremesh_core::config::load(&path)?)
}

fn main() -> ExitCode {
    sremesh_core::tls::ensure_crypto_provider();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Config(c) => cmd::config::run(c, cli.config.as_deref()),
        Command::Sandbox(a) => cmd::sandbox::run(a),
        Command::Eval(a) => load_config(cli.config.as_deref()).and_then(|l| cmd::eval::run(a, l)),
        Command::Demo(a) => load_config(cli.config.as_deref()).and_then(|l| cmd::demo::run(a, l)),
        Command::Dev(a) => load_config(cli.config.as_deref()).and_then(|l| cmd::dev::run(a, l)),
        Command::Investigate(a) => load_config(cli.config.as_deref()).and_then(|l| {
            // `<AGENT>_AGENT_URL` / `_RUNTIME_ARN` are named after the catalogue: read them as a map.
            cmd::investigate::run(a, l, std::env::vars().collect())
        }),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
