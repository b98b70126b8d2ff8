//! `sremesh-bench`: benchmarks measured side by side in one run, printed as Markdown for
//! `docs/BENCHMARKS.md`. Run through `scripts/bench.sh`, which builds release binaries first.
#![allow(clippy::print_stdout, reason = "a benchmark tool prints its report")]

mod a2a;
mod intake;
mod load;
mod orchestration;
mod procs;
mod startup;

use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser)]
struct Cli {
    /// Directory holding the release binaries (`echo_agent` under `examples/`).
    #[arg(long, default_value = "target/release")]
    bin_dir: PathBuf,
    /// Python interpreter with a2a-sdk installed.
    #[arg(long, default_value = ".peers/venv/bin/python")]
    python: PathBuf,
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// SendMessage round trip: harness agent vs bare axum echo vs a2a-sdk Python agent.
    A2a {
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        #[arg(long, default_value_t = 16)]
        concurrency: usize,
    },
    /// Orchestration overhead: report ready minus the slowest agent's answer.
    Orchestration {
        #[arg(long, default_value_t = 200)]
        runs: usize,
    },
    /// Intake: signed Slack events at a fixed rate, latency of verify + dedup + classify +
    /// hand-off + ack.
    Intake {
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        #[arg(long, default_value_t = 500)]
        rate: u64,
    },
    /// Agent process start → first `/ping` 200, and idle RSS.
    Startup {
        #[arg(long, default_value_t = 20)]
        runs: usize,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    sremesh_core::tls::ensure_crypto_provider();
    let cli = Cli::parse();
    match cli.cmd {
        Cmd::A2a {
            seconds,
            concurrency,
        } => a2a::run(&cli.bin_dir, &cli.python, seconds, concurrency).await,
        Cmd::Startup { runs } => startup::run(&cli.bin_dir, runs).await,
        Cmd::Orchestration { runs } => orchestration::run(runs).await,
        Cmd::Intake { seconds, rate } => intake::run(&cli.bin_dir, seconds, rate).await,
    }
}
