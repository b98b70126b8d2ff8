//! The agent's tools, one per skill in config.yaml (`scan_slack_channels`, `capture_snapshot`),
//! for a model's tool loop and for tests — the shared scanner's, under Slack's names.

use crate::SlackScanner;
use sremesh_agent::tool::ToolSet;
use std::sync::Arc;

/// The scan tool's name (the catalogue's).
pub const SCAN: &str = "scan_slack_channels";
/// The snapshot tool's name.
pub const SNAPSHOT: &str = sremesh_chatscan::agent::SNAPSHOT_TOOL;

/// Every tool of the agent (the one place they are registered).
pub fn tools(agent: Arc<SlackScanner>) -> ToolSet {
    sremesh_chatscan::agent::tools(agent)
}
