//! Models for sremesh: the provider contract with its Bedrock Converse and OpenAI-compatible
//! implementations, the bounded tool loop that lets a model drill down with an agent's tools,
//! and the MCP client bridge that adds MCP servers' tools to an agent.
//!
//! * [`Provider`] — one chat turn with tools ([`ChatRequest`] → [`ChatResponse`]); wire types
//!   stay inside [`bedrock`] and [`openai`]. [`provider_for`] picks one from a model id
//!   (`None` → no model: the deterministic path).
//! * [`run_loop`] — the bounded loop: tool-cycle cap, token budget, the agent's deadline.
//! * [`McpBridge`] — MCP servers' tools as `sremesh_agent::tool::Tool`s (`<server>__<tool>`).
//! * [`telemetry`] — usage → `sremesh_core::Telemetry`, priced from config.yaml.
//!
//! Architecture invariant: no environment reads (settings arrive typed from `main`); the model
//! only adds findings and a summary — tool outputs keep their typed findings.

pub mod bedrock;
pub mod mcp;
mod message;
pub mod openai;
mod provider;
mod select;
pub mod specialist;
mod telemetry;
mod tool_loop;
mod validate;

pub use mcp::{McpBridge, McpError, McpServer};
pub use message::{
    Arguments, ChatRequest, ChatResponse, Content, Message, Role, StopReason, ToolCall, ToolChoice,
    ToolResult, ToolSpec, Usage,
};
pub use provider::{Provider, ProviderError, RetryPolicy};
pub use select::{
    BedrockSettings, DEFAULT_OPENAI_BASE_URL, Guardrail, LlmSettings, ModelRef, OpenAiSettings,
    ProviderKind, SelectError, Timeouts, parse_model, provider_for,
};
pub use telemetry::telemetry;
pub use tool_loop::{
    FINAL_ANSWER_REQUEST, LOOP_GUIDANCE, LoopLimits, LoopOutcome, LoopTask, StopCause, ToolRecord,
    run_loop, tool_specs,
};
pub use validate::{missing_tools, tools_named_in};
