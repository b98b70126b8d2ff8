//! `echo_agent`: a minimal executor served through the full agent harness — the Rust side of the
//! A2A benchmark and of the a2a-sdk interoperability tests. Its "investigation" turns the alert
//! text into one finding, so a client sees a completed task with a text and a data part.
//!
//! `echo_agent [--port P]` (also `A2A_PORT`); config.yaml is found as for every agent.

use clap::Parser;
use sremesh_a2a::server::Busy;
use sremesh_agent::{AgentArgs, Answer, Executor, Job, Setup, router};
use sremesh_core::catalogue::AgentInfo;
use sremesh_core::{
    AgentResult, AlertContext, Finding, Severity, SnapshotReport, SnapshotRequest, SnapshotSection,
    SnapshotStatus,
};
use std::sync::Arc;

static ECHO: AgentInfo = AgentInfo {
    id: "echo",
    display_name: "Echo",
    emoji: "🔁",
    port: 9999,
    tools: &[],
    built: true,
};

struct Echo;

impl Executor for Echo {
    fn id(&self) -> &'static str {
        ECHO.id
    }

    async fn investigate(&self, job: Job<AlertContext>) -> Answer {
        let text = job.request.alert_text;
        let finding = Finding::new(
            "echo:0",
            "echo",
            Severity::Info,
            format!("echoed {} characters", text.len()),
        )
        .with_evidence([text]);
        Answer::Result(AgentResult::ok(ECHO.id, "echo", vec![finding]))
    }

    async fn snapshot(&self, job: Job<SnapshotRequest>) -> Answer {
        let mut s =
            SnapshotReport::failed(ECHO.id, job.request.requested_at, SnapshotStatus::Ok, "");
        s.error = None;
        s.sections = vec![SnapshotSection::new("echo", ["alive"])];
        Answer::Snapshot(s)
    }
}

#[derive(Parser)]
struct Args {
    #[command(flatten)]
    agent: AgentArgs,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    // Borrow the master's entry for config checks; serve under the echo agent's own identity.
    let setup = Setup::new("master", &args.agent)?;
    let port = args.agent.port.unwrap_or(ECHO.port);
    let listener = tokio::net::TcpListener::bind((args.agent.host.as_str(), port)).await?;
    let addr = listener.local_addr()?;
    let app = router(
        &ECHO,
        &setup.loaded,
        &format!("http://{addr}/"),
        setup.limits,
        Arc::new(Echo),
        Arc::new(Busy::default()),
    );
    println!("echo_agent listening on http://{addr}/");
    axum::serve(listener, app)
        .with_graceful_shutdown(sremesh_agent::shutdown_signal())
        .await?;
    Ok(())
}
