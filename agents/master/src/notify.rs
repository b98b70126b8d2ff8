//! Where an investigation's messages go: one small trait, an ordered delivery queue per
//! investigation (so "started" comes before progress, progress before the report, the report
//! before updates), and never a blocked or crashed orchestrator when delivery fails.
//! The messages themselves are the chat crate's (`sremesh_chat::messages`) and the report.

use futures::future::BoxFuture;
use sremesh_chat::messages::{Enrichment, FailureNotice, SnapshotSummary, Started};
use sremesh_core::{AlertContext, Platform, Report};
use std::sync::Arc;
use tokio::sync::mpsc;

/// Something to tell the alert's thread (or channel).
#[derive(Debug, Clone)]
pub enum Event {
    /// The investigation started: which agents were asked.
    Started {
        ctx: Arc<AlertContext>,
        message: Started,
    },
    /// Agents finished before the initial report: the started message, updated in place.
    Progress {
        ctx: Arc<AlertContext>,
        message: Started,
    },
    /// The initial report.
    Report {
        ctx: Arc<AlertContext>,
        report: Box<Report>,
    },
    /// A late result, with the report as it now stands.
    Update {
        ctx: Arc<AlertContext>,
        message: Box<Enrichment>,
        report: Box<Report>,
    },
    /// The investigation could not run.
    Failed {
        ctx: Arc<AlertContext>,
        message: FailureNotice,
    },
    /// A `/sre-snapshot` summary, posted top-level in `channel`.
    Snapshot {
        summary: SnapshotSummary,
        platform: Option<Platform>,
        channel: Option<String>,
    },
}

/// A destination for investigation messages.
pub trait Notifier: Send + Sync + 'static {
    /// Delivers one event; failures are handled (logged) inside, never returned.
    fn notify(&self, event: Event) -> BoxFuture<'_, ()>;
}

/// Drops every event (direct A2A calls with no chat thread, evaluation).
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
