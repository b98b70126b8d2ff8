//! Running one turn's tool calls: refuse unknown, malformed and repeated calls with a tool
//! error, run the rest together under the deadline, cap each result's size.

use super::{Run, ToolRecord};
use crate::message::{Arguments, Content, ToolCall, ToolResult, ToolSpec};
use futures::future::join_all;
use sremesh_agent::Deadline;
use sremesh_agent::tool::ToolSet;
use std::collections::BTreeMap;
use tokio::time::Instant;

/// Tool specs for a tool set: each tool's name, its description from `descriptions` (SKILL.md
/// descriptions, MCP tool descriptions) or a plain fallback, and its parameter schema.
pub fn tool_specs(tools: &ToolSet, descriptions: &BTreeMap<String, String>) -> Vec<ToolSpec> {
    tools
        .iter()
        .map(|t| {
            let mut parameters = t.parameters();
            if let Some(o) = parameters.as_object_mut() {
                o.remove("$schema");
            }
            if !parameters.is_object() {
                parameters = serde_json::json!({"type": "object", "properties": {}});
            }
            ToolSpec {
                name: t.name().to_owned(),
                description: descriptions
                    .get(t.name())
                    .cloned()
                    .unwrap_or_else(|| format!("The {} tool.", t.name())),
                parameters,
            }
        })
        .collect()
}

impl Run<'_> {
    /// Runs one turn's calls together; answers each with a result or a tool error.
    pub(super) async fn run_tools(&mut self, calls: &[ToolCall]) -> Vec<Content> {
        let mut answers: Vec<Option<ToolResult>> = Vec::with_capacity(calls.len());
        let mut runnable = Vec::new();
        for call in calls {
            match self.check(call) {
                Ok(args) => {
                    runnable.push((answers.len(), call, args));
                    answers.push(None);
                }
                Err(reason) => {
                    tracing::info!(tool = %call.name, reason = %reason, "llm_tool_call_refused");
                    answers.push(Some(error_result(call, reason)));
                }
            }
        }
        let budget = self.deadline.budget(self.limits.reserve);
        let tool_deadline = Deadline(Instant::now() + budget);
        let futures = runnable.iter().map(|(_, call, args)| {
            let tool = self.tools.get(&call.name).cloned();
            let args = args.clone();
            async move {
                let started = Instant::now();
                let Some(tool) = tool else {
                    return (Err("the tool disappeared".to_owned()), started);
                };
                let r = tokio::time::timeout(budget, tool.call(args, tool_deadline)).await;
                let r = match r {
                    Ok(Ok(out)) => Ok(out),
                    Ok(Err(e)) => Err(e.to_string()),
                    Err(_) => Err(format!(
                        "the tool did not answer within the time left ({budget:?}); try a narrower call"
                    )),
                };
                (r, started)
            }
        });
        let results = join_all(futures).await;
        for ((slot, call, args), (result, started)) in runnable.into_iter().zip(results) {
            self.out.tool_calls += 1;
            let ms = started.elapsed().as_millis() as u64;
            let answer = match result {
                Ok(output) => {
                    tracing::info!(tool = %call.name, ok = true, ms, "llm_tool_call");
                    let rendered = serde_json::to_string(&output).unwrap_or_default();
                    let answer = if rendered.len() > self.limits.max_result_bytes {
                        self.out
                            .errors
                            .push(format!("{}: result too large", call.name));
                        error_result(
                            call,
                            format!(
                                "the result is too large ({} bytes, limit {}): narrow the query \
                                 (a shorter time window, a filter, fewer resources) and call again",
                                rendered.len(),
                                self.limits.max_result_bytes
                            ),
                        )
                    } else {
                        ToolResult {
                            call_id: call.id.clone(),
                            content: rendered,
                            is_error: false,
                        }
                    };
                    self.out.outputs.push(ToolRecord {
                        tool: call.name.clone(),
                        arguments: args,
                        output,
                    });
                    answer
                }
                Err(reason) => {
                    tracing::info!(tool = %call.name, ok = false, ms, error = %reason, "llm_tool_call");
                    self.out.errors.push(format!("{}: {reason}", call.name));
                    error_result(call, reason)
                }
            };
            answers[slot] = Some(answer);
        }
        answers
            .into_iter()
            .flatten()
            .map(Content::ToolResult)
            .collect()
    }

    /// Whether a call may run: a known tool, JSON arguments, not a repeat.
    fn check(&mut self, call: &ToolCall) -> Result<serde_json::Value, String> {
        if !self.offered.contains(call.name.as_str()) || self.tools.get(&call.name).is_none() {
            let mut names: Vec<&str> = self.offered.iter().copied().collect();
            names.sort_unstable();
            return Err(format!(
                "there is no tool named '{}'; the tools are: {}",
                call.name,
                names.join(", ")
            ));
        }
        let args = match &call.arguments {
            Arguments::Json(v) => v.clone(),
            Arguments::Malformed { reason, .. } => {
                return Err(format!(
                    "malformed tool call: the arguments are not valid JSON ({reason}); send one \
                     JSON object that matches the tool's parameters"
                ));
            }
        };
        let key = format!("{}\u{0}{}", call.name, canonical(&args));
        if !self.seen.insert(key) {
            return Err(format!(
                "repeated call: '{}' was already called with exactly these arguments and its \
                 result is above; use it, or call with different arguments",
                call.name
            ));
        }
        Ok(args)
    }
}

fn error_result(call: &ToolCall, reason: String) -> ToolResult {
    ToolResult {
        call_id: call.id.clone(),
        content: reason,
        is_error: true,
    }
}

/// JSON text with object keys sorted at every level (two calls with the same arguments in a
/// different key order are the same call).
fn canonical(v: &serde_json::Value) -> String {
    fn sort(v: &serde_json::Value) -> serde_json::Value {
        match v {
            serde_json::Value::Object(o) => {
                let sorted: BTreeMap<&String, serde_json::Value> =
                    o.iter().map(|(k, v)| (k, sort(v))).collect();
                serde_json::Value::Object(sorted.into_iter().map(|(k, v)| (k.clone(), v)).collect())
            }
            serde_json::Value::Array(a) => serde_json::Value::Array(a.iter().map(sort).collect()),
            other => other.clone(),
        }
    }
    sort(v).to_string()
}
