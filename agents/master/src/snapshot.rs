//! `/sre-snapshot`: ask every enabled specialist for a health snapshot in parallel, wait up to
//! the snapshot cutoff, and post one summary with a block per agent (the master's own first).

use crate::orchestrator::Specialist;
use futures::future::join_all;
use sremesh_chat::messages::{SnapshotBlock, SnapshotState, SnapshotSummary};
use sremesh_core::{AgentInfo, SnapshotReport, SnapshotRequest, SnapshotSection, SnapshotStatus};
use std::time::Duration;

/// One agent's part of a snapshot.
#[derive(Debug, Clone, PartialEq)]
pub enum SnapshotOutcome {
    Report(SnapshotReport),
    Failed(String),
    Disabled,
}

/// Asks every specialist; a slow one is reported as failed at `cutoff`.
pub async fn gather(
    specialists: &[Specialist],
    req: &SnapshotRequest,
    cutoff: Duration,
) -> Vec<(&'static AgentInfo, SnapshotOutcome)> {
    let budget = cutoff
        .saturating_sub(Duration::from_secs(1))
        .max(Duration::from_millis(500));
    let calls = specialists.iter().map(|s| async move {
        let outcome = match &s.client {
            None => SnapshotOutcome::Disabled,
            Some(c) => {
                let mut r = req.clone();
                r.deadline_ms = Some(budget.as_millis() as u64);
                match c.snapshot(&r, cutoff).await {
                    Ok(rep) => SnapshotOutcome::Report(rep),
                    Err(e) if e.kind() == "timeout" => SnapshotOutcome::Failed(format!(
                        "no response within {} s",
                        cutoff.as_secs()
                    )),
                    Err(e) => SnapshotOutcome::Failed(e.to_string()),
                }
            }
        };
        (s.info, outcome)
    });
    join_all(calls).await
}

/// The master's own block: the registry as configured and what answered.
pub fn master_block(
    specialists: &[Specialist],
    outcomes: &[(&'static AgentInfo, SnapshotOutcome)],
    model: Option<&str>,
    requested_at: jiff::Timestamp,
) -> SnapshotReport {
    let registry: Vec<String> = specialists
        .iter()
        .map(|s| match &s.client {
            Some(c) => format!("🟢 {} — enabled ({})", s.info.display_name, c.endpoint()),
            None => format!("🟫 {} — disabled in config.yaml", s.info.display_name),
        })
        .collect();
    let asked = outcomes
        .iter()
        .filter(|(_, o)| !matches!(o, SnapshotOutcome::Disabled))
        .count();
    let ok = outcomes
        .iter()
        .filter(|(_, o)| matches!(o, SnapshotOutcome::Report(r) if r.status == SnapshotStatus::Ok))
        .count();
    let anomalies: Vec<&str> = outcomes
        .iter()
        .filter(|(_, o)| matches!(o, SnapshotOutcome::Report(r) if r.anomaly))
        .map(|(i, _)| i.display_name)
        .collect();
    let errors: Vec<&str> = outcomes
        .iter()
        .filter(|(_, o)| {
            matches!(o, SnapshotOutcome::Failed(_))
                || matches!(o, SnapshotOutcome::Report(r) if r.status != SnapshotStatus::Ok)
        })
        .map(|(i, _)| i.display_name)
        .collect();
    let mut summary = format!("{}/{} agents responded", ok + 1, asked + 1);
    if !anomalies.is_empty() {
        summary.push_str(&format!(" · anomalies: {}", anomalies.join(", ")));
    }
    if !errors.is_empty() {
        summary.push_str(&format!(" · errors: {}", errors.join(", ")));
    }
    SnapshotReport {
        agent: sremesh_core::catalogue::MASTER.to_owned(),
        captured_at: requested_at,
        status: SnapshotStatus::Ok,
        header: format!(
            "model={} · {summary}",
            model.unwrap_or("none (deterministic)")
        ),
        sections: vec![SnapshotSection::new("Agent registry", registry)],
        anomaly: !anomalies.is_empty() || !errors.is_empty(),
        anomaly_summary: (!anomalies.is_empty() || !errors.is_empty()).then_some(summary),
        error: None,
        telemetry: Default::default(),
    }
}

/// The summary posted for `/sre-snapshot`: the master's block first, then every agent's.
pub fn summary(
    requested_at: jiff::Timestamp,
    master: SnapshotReport,
    outcomes: Vec<(&'static AgentInfo, SnapshotOutcome)>,
) -> SnapshotSummary {
    let master_info = sremesh_core::catalogue::agent(sremesh_core::catalogue::MASTER)
        .expect("the master is in the catalogue");
    let mut blocks = vec![block(master_info, SnapshotOutcome::Report(master))];
    blocks.extend(outcomes.into_iter().map(|(i, o)| block(i, o)));
    SnapshotSummary {
        requested_at,
        blocks,
    }
}

fn block(info: &AgentInfo, outcome: SnapshotOutcome) -> SnapshotBlock {
    let (state, report, error) = match outcome {
        SnapshotOutcome::Disabled => (
            SnapshotState::Disabled,
            None,
            Some("disabled in config.yaml — not asked".to_owned()),
        ),
        SnapshotOutcome::Failed(e) => (SnapshotState::Error, None, Some(e)),
        SnapshotOutcome::Report(r) => {
            let state = match (r.status, r.anomaly) {
                (SnapshotStatus::Ok, false) => SnapshotState::Ok,
                (SnapshotStatus::Ok, true) => SnapshotState::Anomaly,
                _ => SnapshotState::Error,
            };
            let error = r.error.clone();
            (state, Some(r), error)
        }
    };
    SnapshotBlock {
        display_name: info.display_name.to_owned(),
        emoji: info.emoji.to_owned(),
        state,
        report,
        error,
    }
}

/// How long a snapshot may take overall, from config.
pub fn cutoff(config: &sremesh_core::config::MeshConfig) -> Duration {
    Duration::try_from(config.investigation.snapshot_cutoff).unwrap_or(Duration::from_secs(30))
}
