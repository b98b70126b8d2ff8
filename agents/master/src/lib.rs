//! The master agent: receives an alert, fans it out in parallel to every enabled specialist
//! under deadlines, ranks root-cause hypotheses from their findings, and delivers the incident
//! report (with late results as updates). `/sre-snapshot` fans out health snapshots the same way.
//!
//! Architecture invariant: never calls a data source itself — only specialists, over A2A — and
//! never lets a slow, failing or garbage-returning agent delay or break the report.

pub mod actions;
pub mod alert;
pub mod chat;
pub mod endpoints;
pub mod hypotheses;
pub mod model;
pub mod notify;
pub mod orchestrator;
pub mod outcome;
pub mod report;
pub mod snapshot;

use notify::Event;
use orchestrator::Orchestrator;
use sremesh_agent::{Answer, Executor, Job};
use sremesh_core::{AlertContext, SnapshotRequest};
use std::time::Duration;

/// The master as an A2A agent.
pub struct MasterAgent {
    orchestrator: Orchestrator,
    snapshot_cutoff: Duration,
    model: Option<String>,
}

impl MasterAgent {
    pub fn new(
        orchestrator: Orchestrator,
        snapshot_cutoff: Duration,
        model: Option<String>,
    ) -> Self {
        Self {
            orchestrator,
            snapshot_cutoff,
            model,
        }
    }
}

impl Executor for MasterAgent {
    fn id(&self) -> &'static str {
        sremesh_core::catalogue::MASTER
    }

    async fn investigate(&self, job: Job<AlertContext>) -> Answer {
        Answer::Report(Box::new(self.orchestrator.investigate(job.request).await))
    }

    async fn snapshot(&self, job: Job<SnapshotRequest>) -> Answer {
        let req = job.request;
        let cutoff = self
            .snapshot_cutoff
            .min(job.deadline.budget(Duration::from_millis(300)));
        let outcomes = snapshot::gather(self.orchestrator.specialists(), &req, cutoff).await;
        let master = snapshot::master_block(
            self.orchestrator.specialists(),
            &outcomes,
            self.model.as_deref(),
            req.requested_at,
        );
        let summary = snapshot::summary(req.requested_at, master.clone(), outcomes);
        let event = Event::Snapshot {
            summary,
            platform: req.platform,
            channel: req.channel_id.clone(),
        };
        self.orchestrator.notifier().notify(event).await;
        Answer::Snapshot(master)
    }
}
