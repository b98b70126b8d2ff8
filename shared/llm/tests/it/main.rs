//! Integration tests of sremesh-llm through its public surface: scripted model endpoints that
//! speak the Bedrock Converse and OpenAI wire formats, and a real MCP server from npm.
#![allow(clippy::unwrap_used, reason = "a test that cannot set up should panic")]

mod loop_cases;
mod mcp;
mod parse;
mod retries;
mod scripted;
mod select;
mod specialist;

use schemars::JsonSchema;
use serde::Deserialize;
use sremesh_agent::tool::{ToolOutput, ToolSet, tool};
use sremesh_core::config::MeshConfig;
use sremesh_core::{Finding, Severity};
use std::time::Duration;

/// A mesh config whose price table knows the Bedrock test model and the OpenAI test model
/// (under its bare name).
pub fn mesh_config() -> MeshConfig {
    serde_json::from_value(serde_json::json!({
        "project": "t", "environment": "test",
        "agents": {"master": {}},
        "pricing": {
            scripted::BEDROCK_MODEL: {"input": 1.0, "output": 5.0},
            "test-model": {"input": 0.5, "output": 1.5}
        }
    }))
    .unwrap()
}

#[derive(Deserialize, JsonSchema)]
struct PodsParams {
    /// Kubernetes namespace.
    namespace: String,
}

#[derive(Deserialize, JsonSchema)]
struct LogsParams {
    /// Search terms.
    query: String,
    /// Return a huge result (tests the size cap).
    #[serde(default)]
    huge: bool,
}

#[derive(Deserialize, JsonSchema)]
struct Empty {}

/// The agent tools the loop tests offer: `pods`, `logs`, and `slow` (ignores its deadline).
pub fn test_tools() -> ToolSet {
    ToolSet::new(vec![
        tool("pods", |p: PodsParams, _d| async move {
            Ok(ToolOutput {
                findings: vec![Finding::new(
                    format!("oom_killed:{}", p.namespace),
                    "oom_killed",
                    Severity::High,
                    format!("pod in {} OOMKilled", p.namespace),
                )],
                scanned: vec![format!("ns/{}", p.namespace)],
                ..Default::default()
            })
        }),
        tool("logs", |p: LogsParams, _d| async move {
            let data = if p.huge {
                serde_json::json!({"lines": "x".repeat(100_000)})
            } else {
                serde_json::json!({"matches": 3, "query": p.query})
            };
            Ok(ToolOutput {
                findings: vec![Finding::new(
                    format!("log_pattern:{}", p.query),
                    "log_pattern",
                    Severity::Medium,
                    format!("{} seen 3 times", p.query),
                )],
                data,
                ..Default::default()
            })
        }),
        tool("slow", |_p: Empty, d: sremesh_agent::Deadline| async move {
            tokio::time::sleep(d.remaining() + Duration::from_secs(5)).await;
            Ok(ToolOutput::default())
        }),
    ])
}

/// Loop limits with short timings for tests.
pub fn limits() -> sremesh_llm::LoopLimits {
    sremesh_llm::LoopLimits {
        max_tool_cycles: 4,
        max_total_tokens: 100_000,
        max_output_tokens: 512,
        call_timeout: Duration::from_secs(5),
        reserve: Duration::from_millis(100),
        max_result_bytes: 16 * 1024,
    }
}
