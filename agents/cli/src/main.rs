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
}

fn main() -> ExitCode {
    sremesh_core::tls::ensure_crypto_provider();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Config(c) => cmd::config::run(c, cli.config.as_deref()),
        Command::Sandbox(a) => cmd::sandbox::run(a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
