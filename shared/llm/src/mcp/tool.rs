//! One MCP tool adapted into an agent [`Tool`]: `call` → `tools/call`, the result's content
//! → `ToolOutput.data`, MCP `isError` → a tool error the model sees.

use futures::future::BoxFuture;
use rmcp::model::{CallToolRequestParams, CallToolResponse};
use rmcp::{Peer, RoleClient};
use sremesh_agent::Deadline;
use sremesh_agent::tool::{Tool, ToolError, ToolOutput};
use std::collections::HashSet;
use std::sync::{LazyLock, Mutex};

/// `<server>__<tool>`, with characters outside `[A-Za-z0-9_-]` replaced and the whole cut to
/// 64 characters (what both model providers accept as a tool name).
pub fn namespaced(server: &str, tool: &str) -> String {
    let raw = format!("{server}__{tool}");
    raw.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .take(64)
        .collect()
}

/// Tool names are `&'static str` in the agent's tool set: each distinct MCP tool name is
/// leaked once per process (a handful of short strings), however often servers reconnect.
fn intern(name: String) -> &'static str {
    static NAMES: LazyLock<Mutex<HashSet<&'static str>>> = LazyLock::new(Default::default);
    let mut names = NAMES.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(n) = names.get(name.as_str()) {
        return n;
    }
    let leaked: &'static str = Box::leak(name.into_boxed_str());
    names.insert(leaked);
    leaked
}

/// One MCP tool as an agent tool.
pub(super) struct McpTool {
    name: &'static str,
    remote: String,
    schema: serde_json::Value,
    peer: Peer<RoleClient>,
}

impl McpTool {
    /// `name` is the namespaced name; `remote` the server's own.
    pub(super) fn new(
        name: &str,
        remote: String,
        schema: serde_json::Value,
        peer: Peer<RoleClient>,
    ) -> Self {
        Self {
            name: intern(name.to_owned()),
            remote,
            schema,
            peer,
        }
    }
}

impl Tool for McpTool {
    fn name(&self) -> &'static str {
        self.name
    }

    fn parameters(&self) -> serde_json::Value {
        self.schema.clone()
    }

    fn call(
        &self,
        args: serde_json::Value,
        deadline: Deadline,
    ) -> BoxFuture<'_, Result<ToolOutput, ToolError>> {
        Box::pin(async move {
            let args = match args {
                serde_json::Value::Object(o) => o,
                serde_json::Value::Null => serde_json::Map::new(),
                other => {
                    return Err(ToolError::InvalidArguments {
                        tool: self.name,
                        reason: format!("arguments must be a JSON object, not {other}"),
                    });
                }
            };
            let params = CallToolRequestParams::new(self.remote.clone()).with_arguments(args);
            let result = match tokio::time::timeout(
                deadline.remaining(),
                self.peer.call_tool_once(params),
            )
            .await
            {
                Ok(Ok(CallToolResponse::Complete(r))) => r,
                Ok(Ok(_)) => {
                    return Err(ToolError::Unavailable(format!(
                        "{}: the server asked for interactive input or a task, which this client does not support",
                        self.name
                    )));
                }
                Ok(Err(e)) => {
                    return Err(ToolError::Unavailable(format!("{}: {e}", self.name)));
                }
                Err(_) => {
                    return Err(ToolError::Unavailable(format!(
                        "{}: no answer before the deadline",
                        self.name
                    )));
                }
            };
            let content: Vec<serde_json::Value> = result
                .content
                .iter()
                .filter_map(|c| serde_json::to_value(c).ok())
                .map(strip_binary)
                .collect();
            if result.is_error == Some(true) {
                let text: Vec<&str> = content
                    .iter()
                    .filter_map(|c| c.get("text").and_then(|t| t.as_str()))
                    .collect();
                return Err(ToolError::Unavailable(format!(
                    "{} failed: {}",
                    self.name,
                    text.join(" ")
                )));
            }
            let mut data = serde_json::json!({ "content": content });
            if let Some(s) = result.structured_content {
                data["structured"] = s;
            }
            Ok(ToolOutput {
                findings: Vec::new(),
                scanned: vec![format!("mcp:{}", self.name)],
                errors: Vec::new(),
                data,
            })
        })
    }
}

/// Drops base64 payloads (images, audio, blobs) from a content block, keeping their size.
fn strip_binary(mut v: serde_json::Value) -> serde_json::Value {
    fn strip(o: &mut serde_json::Map<String, serde_json::Value>) {
        for key in ["data", "blob"] {
            if let Some(serde_json::Value::String(s)) = o.get(key) {
                let n = s.len();
                o.insert(
                    key.to_owned(),
                    format!("[{n} bytes of base64 omitted]").into(),
                );
            }
        }
        if let Some(serde_json::Value::Object(inner)) = o.get_mut("resource") {
            strip(inner);
        }
    }
    if let Some(o) = v.as_object_mut() {
        strip(o);
    }
    v
}
