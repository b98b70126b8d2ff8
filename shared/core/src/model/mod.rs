//! The domain model: plain serde data shared by every agent, the master, the intake and the CLI.
//!
//! JSON field names are snake_case. Timestamps are RFC 3339 (`jiff::Timestamp`).

mod alert;
mod finding;
mod report;
mod severity;
mod snapshot;

pub use alert::{AlertContext, Platform, TimeWindow};
pub use finding::{AgentResult, AgentStatus, Finding, Telemetry};
pub use report::{Citation, EvidenceBlock, EvidenceState, Hypothesis, Link, Report};
pub use severity::{Category, Severity};
pub use snapshot::{SnapshotReport, SnapshotRequest, SnapshotSection, SnapshotStatus};
