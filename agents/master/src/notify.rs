//! Where an investigation's messages go: one small trait, an ordered delivery queue per
//! investigation (so "started" comes before progress, progress before the report, the report
//! before updates), and never a blocked or crashed orchestrator when delivery fails.

use futures::future::BoxFuture;
use sremesh_core::{AgentInfo, AlertContext, EvidenceBlock, Report, SnapshotReport};
use std::sync::Arc;
use tokio::sync::mpsc;

/// One agent's progress, for the "investigation started" message updated in place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    pub agent: &'static AgentInfo,
    pub state: ProgressState,
}

/// Where an agent is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProgressState {
    Running,
    Done(String),
    Failed(String),
    Disabled,
}

/// Something to tell the alert's thread (or channel).
#[derive(Debug, Clone)]
pub enum Event {
    /// The investigation started: which agents were asked.
    Started {
        ctx: Arc<AlertContext>,
        agents: Vec<Progress>,
        initial_secs: u64,
        cutoff_secs: u64,
    },
    /// An agent finished before the initial report (update the started message in place).
    Progress {
        ctx: Arc<AlertContext>,
        agents: Vec<Progress>,
    },
    /// The initial report.
    Report {
        ctx: Arc<AlertContext>,
        report: Box<Report>,
    },
    /// A late result, with the report as it now stands.
    Update {
        ctx: Arc<AlertContext>,
        block: Box<EvidenceBlock>,
        report: Box<Report>,
    },
    /// The investigation could not run.
    Failed {
        ctx: Arc<AlertContext>,
        detail: String,
    },
    /// A `/sre-snapshot` summary (master block first).
    Snapshot {
        reports: Vec<(&'static AgentInfo, SnapshotOutcome)>,
        platform: Option<sremesh_core::Platform>,
        channel: Option<String>,
    },
}

/// One agent's part of a snapshot.
#[derive(Debug, Clone, PartialEq)]
pub enum SnapshotOutcome {
    Report(SnapshotReport),
    Failed(String),
    Disabled,
}

/// A destination for investigation messages.
pub trait Notifier: Send + Sync + 'static {
    /// Delivers one event; failures are handled (logged) inside, never returned.
    fn notify(&self, event: Event) -> BoxFuture<'_, ()>;
}

/// Drops every event (direct A2A calls with no chat thread).
#[derive(Debug, Default)]
pub struct Silent;

impl Notifier for Silent {
    fn notify(&self, _event: Event) -> BoxFuture<'_, ()> {
        Box::pin(async {})
    }
}

/// An ordered queue to a notifier: `send` never waits for delivery; a background task delivers
/// in order, skipping progress updates made stale by a newer one.
#[derive(Debug, Clone)]
pub struct Queue {
    tx: mpsc::UnboundedSender<Event>,
}

impl Queue {
    /// Starts the delivery task; it ends when every `Queue` clone is dropped and the queue drained.
    pub fn start(notifier: Arc<dyn Notifier>) -> (Self, tokio::task::JoinHandle<()>) {
        let (tx, mut rx) = mpsc::unbounded_channel::<Event>();
        let task = tokio::spawn(async move {
            while let Some(mut ev) = rx.recv().await {
                // Coalesce: a progress event followed by another progress event is stale.
                while matches!(ev, Event::Progress { .. }) {
                    match rx.try_recv() {
                        Ok(next @ Event::Progress { .. }) => ev = next,
                        Ok(next) => {
                            notifier.notify(ev).await;
                            ev = next;
                            break;
                        }
                        Err(_) => break,
                    }
                }
                notifier.notify(ev).await;
            }
        });
        (Self { tx }, task)
    }

    /// Queues an event.
    pub fn send(&self, event: Event) {
        // The receiver only goes away with the runtime; nothing useful to do then.
        let _ = self.tx.send(event);
    }
}
