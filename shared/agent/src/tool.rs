//! Tools: an agent's named capabilities (one per skill), callable by its deterministic pass and
//! by a model's tool loop alike. Parameters are a typed struct whose JSON schema comes from
//! `schemars`; the result is typed findings plus what was looked at.

use crate::handler::Deadline;
use futures::future::BoxFuture;
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use sremesh_core::Finding;
use std::future::Future;
use std::marker::PhantomData;
use std::sync::Arc;

/// What a tool call produced.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct ToolOutput {
    /// Typed findings.
    pub findings: Vec<Finding>,
    /// What was looked at (`pod/ns/name`, `log-group:/aws/…`, `channel:C1`).
    pub scanned: Vec<String>,
    /// Problems met on the way (a source unreachable, a query that failed) — the call still
    /// returns what it has.
    pub errors: Vec<String>,
    /// Extra structured data for a model (counts, lists); small.
    #[serde(skip_serializing_if = "serde_json::Value::is_null")]
    pub data: serde_json::Value,
}

/// Why a tool could not run at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ToolError {
    /// The arguments don't fit the tool's parameters (tell the caller to fix them).
    #[error("invalid arguments for {tool}: {reason}")]
    InvalidArguments { tool: &'static str, reason: String },
    /// The tool's data source is not configured or not reachable here.
    #[error("{0}")]
    Unavailable(String),
}

/// A named capability of an agent.
pub trait Tool: Send + Sync {
    /// The registered name (the `tool` of a SKILL.md).
    fn name(&self) -> &'static str;
    /// JSON schema of the parameters.
    fn parameters(&self) -> serde_json::Value;
    /// Runs with JSON arguments, answering before `deadline` with what it has.
    fn call(
        &self,
        args: serde_json::Value,
        deadline: Deadline,
    ) -> BoxFuture<'_, Result<ToolOutput, ToolError>>;
}

/// A tool from a typed async function.
pub struct FnTool<P, F> {
    name: &'static str,
    f: F,
    _params: PhantomData<fn(P)>,
}

/// Builds a tool named `name` whose parameters are `P`.
pub fn tool<P, F, Fut>(name: &'static str, f: F) -> Arc<dyn Tool>
where
    P: DeserializeOwned + JsonSchema + Send + 'static,
    F: Fn(P, Deadline) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<ToolOutput, ToolError>> + Send + 'static,
{
    Arc::new(FnTool {
        name,
        f,
        _params: PhantomData,
    })
}

impl<P, F, Fut> Tool for FnTool<P, F>
where
    P: DeserializeOwned + JsonSchema + Send + 'static,
    F: Fn(P, Deadline) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<ToolOutput, ToolError>> + Send + 'static,
{
    fn name(&self) -> &'static str {
        self.name
    }

    fn parameters(&self) -> serde_json::Value {
        serde_json::to_value(schemars::schema_for!(P)).unwrap_or(serde_json::Value::Null)
    }

    fn call(
        &self,
        args: serde_json::Value,
        deadline: Deadline,
    ) -> BoxFuture<'_, Result<ToolOutput, ToolError>> {
        let args = if args.is_null() {
            serde_json::json!({})
        } else {
            args
        };
        match serde_json::from_value::<P>(args) {
            Ok(p) => Box::pin((self.f)(p, deadline)),
            Err(e) => {
                let err = ToolError::InvalidArguments {
                    tool: self.name,
                    reason: e.to_string(),
                };
                Box::pin(async move { Err(err) })
            }
        }
    }
}

/// An agent's tools, by name.
#[derive(Clone, Default)]
pub struct ToolSet(Vec<Arc<dyn Tool>>);

impl std::fmt::Debug for ToolSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.names()).finish()
    }
}

impl ToolSet {
    /// A set from a list (the one place an agent registers its tools).
    pub fn new(tools: Vec<Arc<dyn Tool>>) -> Self {
        Self(tools)
    }

    /// Looks a tool up.
    pub fn get(&self, name: &str) -> Option<&Arc<dyn Tool>> {
        self.0.iter().find(|t| t.name() == name)
    }

    /// Every tool name, in registration order.
    pub fn names(&self) -> Vec<&'static str> {
        self.0.iter().map(|t| t.name()).collect()
    }

    /// Every tool.
    pub fn iter(&self) -> impl Iterator<Item = &Arc<dyn Tool>> {
        self.0.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[derive(serde::Deserialize, JsonSchema)]
    struct Params {
        /// Kubernetes namespace.
        namespace: String,
        #[serde(default)]
        selectors: Vec<String>,
    }

    #[tokio::test]
    async fn typed_tools_validate_arguments_and_describe_themselves() {
        let t = tool("gather", |p: Params, _d| async move {
            Ok(ToolOutput {
                scanned: vec![format!("ns/{}:{}", p.namespace, p.selectors.len())],
                ..Default::default()
            })
        });
        let d = Deadline::after(Duration::from_secs(1));
        let out = t
            .call(serde_json::json!({"namespace": "payments"}), d)
            .await
            .unwrap();
        assert_eq!(out.scanned, ["ns/payments:0"]);
        let err = t
            .call(serde_json::json!({"selectors": []}), d)
            .await
            .unwrap_err();
        assert!(
            matches!(err, ToolError::InvalidArguments { tool: "gather", .. }),
            "{err}"
        );
        let schema = t.parameters();
        assert_eq!(schema["properties"]["namespace"]["type"], "string");
        assert_eq!(schema["required"], serde_json::json!(["namespace"]));
        let set = ToolSet::new(vec![t]);
        assert_eq!(set.names(), ["gather"]);
        assert!(set.get("nope").is_none());
    }
}
