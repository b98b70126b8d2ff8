//! The agent's tools, one per skill in config.yaml (`scan_discord_channels`, `capture_snapshot`),
//! for a model's tool loop and for tests — the shared scanner's, under Discord's names.

use crate::DiscordScanner;
use sremesh_agent::tool::ToolSet;
use std::sync::Arc;

/// The scan tool's name (the catalogue's).
pub const SCAN: &str = "scan_discord_channels";
/// The snapshot tool's name.
pub const SNAPSHOT: &str = sremesh_chatscan::agent::SNAPSHOT_TOOL;

/// Every tool of the agent (the one place they are registered).
pub fn tools(agent: Arc<DiscordScanner>) -> ToolSet {
    sremesh_chatscan::agent::tools(agent)
}
