//! Provider-neutral chat types: the conversation, tool specs, a turn's request and answer.
//! Each provider converts these to and from its own wire format inside its module.

use std::ops::AddAssign;

/// Who spoke.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    User,
    Assistant,
}

/// One turn of the conversation.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub role: Role,
    pub content: Vec<Content>,
}

impl Message {
    /// A user turn holding one text.
    pub fn user(text: impl Into<String>) -> Self {
        Self {
            role: Role::User,
            content: vec![Content::Text(text.into())],
        }
    }

    /// An assistant turn holding one text.
    pub fn assistant(text: impl Into<String>) -> Self {
        Self {
            role: Role::Assistant,
            content: vec![Content::Text(text.into())],
        }
    }

    /// The turn's text parts, joined by newlines.
    pub fn text(&self) -> String {
        join_text(&self.content)
    }
}

/// A piece of a turn.
#[derive(Debug, Clone, PartialEq)]
pub enum Content {
    Text(String),
    /// The model asks for a tool (assistant turns only).
    ToolCall(ToolCall),
    /// A tool's answer to a call (user turns only).
    ToolResult(ToolResult),
}

/// A tool call requested by the model.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolCall {
    /// The provider's call id; the result must quote it.
    pub id: String,
    /// The tool name as the model wrote it (it may name no tool).
    pub name: String,
    pub arguments: Arguments,
}

/// A tool call's arguments.
#[derive(Debug, Clone, PartialEq)]
pub enum Arguments {
    /// Parsed JSON.
    Json(serde_json::Value),
    /// The model sent text that is not JSON: a malformed call, answered with a tool error.
    Malformed { raw: String, reason: String },
}

impl Arguments {
    /// Parses arguments sent as a JSON string (OpenAI's format). Empty text means `{}`.
    pub fn parse(raw: &str) -> Self {
        if raw.trim().is_empty() {
            return Arguments::Json(serde_json::json!({}));
        }
        match serde_json::from_str(raw) {
            Ok(v) => Arguments::Json(v),
            Err(e) => Arguments::Malformed {
                raw: raw.to_owned(),
                reason: e.to_string(),
            },
        }
    }

    /// The arguments as JSON text, as they would be echoed back to the provider.
    pub fn to_raw(&self) -> String {
        match self {
            Arguments::Json(v) => v.to_string(),
            Arguments::Malformed { raw, .. } => raw.clone(),
        }
    }
}

/// A tool's answer, fed back to the model.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolResult {
    /// The [`ToolCall::id`] it answers.
    pub call_id: String,
    /// JSON text (a result) or a sentence (an error).
    pub content: String,
    /// True when the call failed; the model reads `content` as the reason.
    pub is_error: bool,
}

/// A tool the model may call.
#[derive(Debug, Clone, PartialEq)]
pub struct ToolSpec {
    /// `[a-zA-Z0-9_-]{1,64}` (both providers' rule).
    pub name: String,
    pub description: String,
    /// JSON schema (an object) of the arguments.
    pub parameters: serde_json::Value,
}

/// Whether the model may call tools this turn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToolChoice {
    Auto,
    /// Answer in text. (Bedrock has no such choice: the tools stay declared, because a
    /// conversation holding tool calls needs them, and the request's last turn asks for text.)
    None,
}

/// One model call.
#[derive(Debug, Clone, PartialEq)]
pub struct ChatRequest {
    pub system: String,
    pub messages: Vec<Message>,
    pub tools: Vec<ToolSpec>,
    pub tool_choice: ToolChoice,
    /// Cap on the answer's length.
    pub max_output_tokens: u32,
}

/// Why the model stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StopReason {
    EndTurn,
    ToolUse,
    MaxTokens,
    GuardrailIntervened,
    ContentFiltered,
    /// Anything else the provider reported.
    Other(String),
}

/// Tokens of one call, or summed over several.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    pub input_tokens: u64,
    pub output_tokens: u64,
}

impl Usage {
    /// Input plus output tokens.
    pub fn total(&self) -> u64 {
        self.input_tokens.saturating_add(self.output_tokens)
    }
}

impl AddAssign for Usage {
    fn add_assign(&mut self, rhs: Self) {
        self.input_tokens = self.input_tokens.saturating_add(rhs.input_tokens);
        self.output_tokens = self.output_tokens.saturating_add(rhs.output_tokens);
    }
}

/// The model's answer to one call.
#[derive(Debug, Clone, PartialEq)]
pub struct ChatResponse {
    /// Text and tool calls, in the order the model produced them.
    pub content: Vec<Content>,
    pub stop: StopReason,
    pub usage: Usage,
}

impl ChatResponse {
    /// The text parts, joined by newlines.
    pub fn text(&self) -> String {
        join_text(&self.content)
    }

    /// The tool calls.
    pub fn tool_calls(&self) -> Vec<&ToolCall> {
        self.content
            .iter()
            .filter_map(|c| match c {
                Content::ToolCall(t) => Some(t),
                _ => None,
            })
            .collect()
    }
}

fn join_text(content: &[Content]) -> String {
    let parts: Vec<&str> = content
        .iter()
        .filter_map(|c| match c {
            Content::Text(t) if !t.trim().is_empty() => Some(t.as_str()),
            _ => None,
        })
        .collect();
    parts.join("\n")
}
