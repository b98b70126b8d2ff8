//! `/sre-snapshot`: each agent's view of the health of what it watches.

use super::Telemetry;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// A request for a health snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SnapshotRequest {
    pub requested_at: Timestamp,
    /// The time the agent has to answer, in milliseconds from receipt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline_ms: Option<u64>,
    /// Where the master posts the summary (`/sre-snapshot` from chat); none for a direct call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<super::Platform>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel_id: Option<String>,
}

impl SnapshotRequest {
    /// A direct request (nothing posted anywhere).
    pub fn new(requested_at: Timestamp, deadline_ms: Option<u64>) -> Self {
        Self {
            requested_at,
            deadline_ms,
            platform: None,
            channel_id: None,
        }
    }
}

/// A labelled group of lines in a snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotSection {
    pub label: String,
    #[serde(default)]
    pub lines: Vec<String>,
}

impl SnapshotSection {
    /// A section from a label and lines.
    pub fn new<I, S>(label: impl Into<String>, lines: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Self {
            label: label.into(),
            lines: lines.into_iter().map(Into::into).collect(),
        }
    }
}

/// How a snapshot went.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SnapshotStatus {
    Ok,
    Error,
    Unhealthy,
}

/// One agent's health snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SnapshotReport {
    pub agent: String,
    pub captured_at: Timestamp,
    pub status: SnapshotStatus,
    /// One line for the block header ("payments-prod-eks · v1.30.4").
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub header: String,
    #[serde(default)]
    pub sections: Vec<SnapshotSection>,
    /// Something looks wrong.
    #[serde(default)]
    pub anomaly: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anomaly_summary: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(default)]
    pub telemetry: Telemetry,
}

impl SnapshotReport {
    /// A snapshot that could not be taken.
    pub fn failed(
        agent: impl Into<String>,
        captured_at: Timestamp,
        status: SnapshotStatus,
        error: impl Into<String>,
    ) -> Self {
        Self {
            agent: agent.into(),
            captured_at,
            status,
            header: String::new(),
            sections: Vec::new(),
            anomaly: false,
            anomaly_summary: None,
            error: Some(error.into()),
            telemetry: Telemetry::default(),
        }
    }
}
