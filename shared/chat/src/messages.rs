//! The messages sremesh posts besides the report: plain data (serde), rendered by
//! [`crate::render`] like the report itself.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use sremesh_core::{EvidenceBlock, Hypothesis, SnapshotReport};

/// Where one agent stands in an investigation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "detail")]
pub enum ProgressState {
    /// Not asked yet.
    Queued,
    /// Asked, no answer yet.
    Running,
    /// Answered; a short summary ("3 findings").
    Done(String),
    /// Failed; the reason.
    Failed(String),
    /// Disabled in config.yaml.
    Disabled,
}

/// One agent's line in the "Investigation started" message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgentProgress {
    pub id: String,
    pub display_name: String,
    pub emoji: String,
    pub state: ProgressState,
}

/// "Investigation started": posted at once, updated in place as agents finish.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Started {
    pub investigation_id: String,
    pub alert_text: String,
    pub agents: Vec<AgentProgress>,
    /// When the initial report is due, in seconds after the alert.
    pub initial_deadline_secs: u64,
    /// When late results stop being accepted, in seconds after the alert.
    pub cutoff_secs: u64,
}

/// A late result: one agent answered after the initial report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Enrichment {
    pub investigation_id: String,
    pub block: EvidenceBlock,
    /// The top hypothesis after merging this result (the updated assessment), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub top: Option<Hypothesis>,
}

/// How one agent's snapshot went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SnapshotState {
    Ok,
    Anomaly,
    Error,
    Disabled,
}

/// One agent's part of a `/sre-snapshot` answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SnapshotBlock {
    pub display_name: String,
    pub emoji: String,
    pub state: SnapshotState,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report: Option<SnapshotReport>,
    /// What failed, for `error` (or why, for `disabled`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// The `/sre-snapshot` answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SnapshotSummary {
    pub requested_at: Timestamp,
    pub blocks: Vec<SnapshotBlock>,
}

/// An investigation could not run at all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailureNotice {
    pub investigation_id: String,
    /// What went wrong (untrusted: may quote an error from elsewhere).
    pub detail: String,
}

/// The one-line in-thread reply to a mention that is not an alert.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Nudge;
