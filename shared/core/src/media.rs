//! Media types of the typed data parts sremesh agents exchange over A2A.

/// An AlertContext to investigate (master → specialist, intake → master).
pub const INVESTIGATE: &str = "application/vnd.sremesh.investigate+json";
/// An AgentResult: a specialist's answer to an investigation.
pub const AGENT_RESULT: &str = "application/vnd.sremesh.agent-result+json";
/// A snapshot request (master → specialist) and a SnapshotReport (the answer).
pub const SNAPSHOT: &str = "application/vnd.sremesh.snapshot+json";
/// A Report: the master's incident report (answer to an investigation sent to the master).
pub const REPORT: &str = "application/vnd.sremesh.report+json";
