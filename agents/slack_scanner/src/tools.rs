//! The agent's tools, one per skill in config.yaml (`scan_slack_channels`, `capture_snapshot`),
//! for a model's tool loop and for tests.

use crate::SlackScanner;
use schemars::JsonSchema;
use serde::Deserialize;
use sremesh_agent::tool::{ToolError, ToolOutput, ToolSet, tool};
use sremesh_chatscan::tool::ScanParams;
use sremesh_core::SnapshotRequest;
use std::sync::Arc;

/// The scan tool's name (the catalogue's).
pub const SCAN: &str = "scan_slack_channels";
/// The snapshot tool's name.
pub const SNAPSHOT: &str = "capture_snapshot";

/// Parameters of `capture_snapshot` (none).
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SnapshotParams {}

/// Every tool of the agent (the one place they are registered).
pub fn tools(agent: Arc<SlackScanner>) -> ToolSet {
    let scan_agent = agent.clone();
    ToolSet::new(vec![
        tool(SCAN, move |p: ScanParams, deadline| {
            let agent = scan_agent.clone();
            async move {
                let src = agent
                    .source()
                    .map_err(|r| ToolError::Unavailable(r.to_owned()))?;
                sremesh_chatscan::tool::run(SCAN, src, &agent.settings().scan, p, deadline).await
            }
        }),
        tool(SNAPSHOT, move |_p: SnapshotParams, deadline| {
            let agent = agent.clone();
            async move {
                let req = SnapshotRequest::new(jiff::Timestamp::now(), None);
                let snap = crate::snapshot::capture(&agent, &req, deadline).await;
                let errors = snap.error.iter().cloned().collect();
                Ok(ToolOutput {
                    errors,
                    data: serde_json::to_value(&snap).unwrap_or_default(),
                    ..Default::default()
                })
            }
        }),
    ])
}
