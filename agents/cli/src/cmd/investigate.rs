//! `sremesh investigate --text "…" [--json]`: one investigation against whatever the environment
//! points at (`<AGENT>_AGENT_URL` / `_RUNTIME_ARN`, else the local ports of config.yaml), with
//! progress on a terminal, then the report (terminal rendering, or JSON).

use clap::Args;
use futures::future::BoxFuture;
use sremesh_chat::messages::ProgressState;
use sremesh_chat::render::{Dialect, Render};
use sremesh_core::AlertContext;
use sremesh_core::config::Loaded;
use sremesh_master::notify::{Event, Notifier};
use sremesh_master::orchestrator::{Limits, Orchestrator};
use std::collections::HashMap;
use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

#[derive(Args)]
pub struct InvestigateArgs {
    /// The alert text, as it was posted.
    #[arg(long)]
    text: String,
    /// Print the report as JSON instead of text.
    #[arg(long)]
    json: bool,
    /// AWS region, for agents reached through AgentCore runtime ARNs.
    #[arg(long, env = "AWS_REGION")]
    aws_region: Option<String>,
}

/// Prints agent progress to stderr, one line per change.
struct Progress;

impl Notifier for Progress {
    fn notify(&self, event: Event) -> BoxFuture<'_, ()> {
        match &event {
            Event::Started { message, .. } => {
                let names: Vec<&str> = message
                    .agents
                    .iter()
                    .filter(|a| a.state != ProgressState::Disabled)
                    .map(|a| a.display_name.as_str())
                    .collect();
                eprintln!(
                    "investigating with {} (initial report within {} s)…",
                    names.join(", "),
                    message.initial_deadline_secs
                );
            }
            Event::Progress { message, .. } => {
                let done = message
                    .agents
                    .iter()
                    .filter(|a| {
                        matches!(a.state, ProgressState::Done(_) | ProgressState::Failed(_))
                    })
                    .count();
                let asked = message
                    .agents
                    .iter()
                    .filter(|a| a.state != ProgressState::Disabled)
                    .count();
                eprintln!("  {done}/{asked} agents answered");
            }
            Event::Update { message, .. } => {
                eprintln!("  late result from {}", message.block.display_name)
            }
            _ => {}
        }
        Box::pin(async {})
    }
}

pub fn run(
    args: InvestigateArgs,
    loaded: Loaded,
    env: HashMap<String, String>,
) -> anyhow::Result<ExitCode> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let report = rt.block_on(async {
        let config = &loaded.config;
        let opts = sremesh_a2a::client::ClientOptions {
            connect_timeout: None,
            aws_region: args.aws_region.clone(),
        };
        let specialists = sremesh_master::endpoints::specialists(config, &env, &opts)
            .map_err(anyhow::Error::msg)?;
        let inv = &config.investigation;
        let limits = Limits {
            initial: Duration::try_from(inv.initial_deadline)?,
            cutoff: Duration::try_from(inv.hard_cutoff)?,
            margin: Duration::try_from(inv.agent_margin)?,
        };
        let notifier: Arc<dyn Notifier> = if std::io::stderr().is_terminal() {
            Arc::new(Progress)
        } else {
            Arc::new(sremesh_master::notify::Silent)
        };
        let orch = Orchestrator::new(specialists, limits, notifier);
        let ctx = AlertContext::from_text(
            args.text.trim(),
            jiff::Timestamp::now(),
            inv.window_before,
            inv.window_after,
        );
        anyhow::Ok(orch.investigate(ctx).await)
    })?;
    if args.json {
        println!("{}", sremesh_chat::render::json(&report));
    } else {
        println!(
            "{}",
            report.render(Dialect::Terminal {
                color: std::io::stdout().is_terminal()
            })
        );
    }
    Ok(ExitCode::SUCCESS)
}
