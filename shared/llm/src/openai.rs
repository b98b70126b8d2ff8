//! OpenAI-compatible chat completions (`POST {base}/chat/completions` with function tools):
//! Ollama, vLLM, LiteLLM, OpenAI. The wire types stay in this module.

use crate::message::{
    Arguments, ChatRequest, ChatResponse, Content, Role, StopReason, ToolCall, ToolChoice, Usage,
};
use crate::provider::{
    AttemptError, Provider, ProviderError, RetryPolicy, call_with_retries, retry_after_secs,
};
use crate::select::{LlmSettings, ModelRef};
use futures::future::BoxFuture;
use serde::{Deserialize, Serialize};
use sremesh_core::Secret;
use std::time::Duration;

/// A model behind an OpenAI-compatible endpoint.
#[derive(Debug, Clone)]
pub struct OpenAiProvider {
    http: reqwest::Client,
    url: String,
    api_key: Option<Secret>,
    id: ModelRef,
    retry: RetryPolicy,
}

impl OpenAiProvider {
    /// A provider for `model` (whose `model` field is sent as the request's `model`).
    pub fn new(model: ModelRef, settings: &LlmSettings) -> Result<Self, ProviderError> {
        sremesh_core::tls::ensure_crypto_provider();
        let http = reqwest::Client::builder()
            .connect_timeout(settings.timeouts.connect)
            .build()
            .map_err(|e| ProviderError::Request(e.to_string()))?;
        let base = settings.openai.base_url.trim_end_matches('/');
        Ok(Self {
            http,
            url: format!("{base}/chat/completions"),
            api_key: settings.openai.api_key.clone().filter(|k| !k.is_empty()),
            id: model,
            retry: settings.retry,
        })
    }

    async fn attempt(&self, body: &WireRequest<'_>) -> Result<ChatResponse, AttemptError> {
        let mut req = self.http.post(&self.url).json(body);
        if let Some(key) = &self.api_key {
            req = req.bearer_auth(key.expose());
        }
        let resp = req
            .send()
            .await
            .map_err(|e| ProviderError::Connect(format!("{}: {}", self.url, error_chain(&e))))?;
        let status = resp.status();
        let retry_after = retry_after_secs(
            resp.headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok()),
        );
        let bytes = resp
            .bytes()
            .await
            .map_err(|e| ProviderError::Decode(error_chain(&e)))?;
        if status.is_success() {
            return Ok(parse_chat_completion(&bytes)?);
        }
        let message = error_message(&bytes);
        let code = Some(status.as_u16());
        let error = if status.as_u16() == 429 {
            ProviderError::Throttled {
                attempts: 1,
                message,
            }
        } else if status.is_server_error() {
            ProviderError::Unavailable {
                attempts: 1,
                status: code,
                message,
            }
        } else {
            ProviderError::Rejected {
                status: code,
                message,
            }
        };
        Err(AttemptError { error, retry_after })
    }
}

impl Provider for OpenAiProvider {
    #[allow(
        clippy::misnamed_getters,
        reason = "the configured id (not the API's) keys prices and telemetry"
    )]
    fn model(&self) -> &str {
        &self.id.configured
    }

    fn chat<'a>(
        &'a self,
        request: &'a ChatRequest,
        timeout: Duration,
    ) -> BoxFuture<'a, Result<ChatResponse, ProviderError>> {
        Box::pin(async move {
            let body = to_wire(&self.id.model, request);
            call_with_retries(self.retry, timeout, &self.id.configured, || {
                self.attempt(&body)
            })
            .await
        })
    }
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut src = e.source();
    while let Some(inner) = src {
        s.push_str(": ");
        s.push_str(&inner.to_string());
        src = inner.source();
    }
    s
}

/// The `error.message` of an error body, else the body's start.
fn error_message(body: &[u8]) -> String {
    #[derive(Deserialize)]
    struct Body {
        error: Option<ErrorBody>,
    }
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum ErrorBody {
        Object { message: String },
        Text(String),
    }
    match serde_json::from_slice::<Body>(body) {
        Ok(Body {
            error: Some(ErrorBody::Object { message } | ErrorBody::Text(message)),
        }) => message,
        _ => sremesh_core::text::truncate(&String::from_utf8_lossy(body), 300),
    }
}

#[derive(Serialize)]
struct WireRequest<'a> {
    model: &'a str,
    messages: Vec<WireMessage>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tools: Vec<WireTool<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    tool_choice: Option<&'static str>,
    max_tokens: u32,
    stream: bool,
}

#[derive(Serialize)]
#[serde(tag = "role", rename_all = "lowercase")]
enum WireMessage {
    System {
        content: String,
    },
    User {
        content: String,
    },
    Assistant {
        content: Option<String>,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        tool_calls: Vec<WireToolCall>,
    },
    Tool {
        tool_call_id: String,
        content: String,
    },
}

#[derive(Serialize)]
struct WireToolCall {
    id: String,
    #[serde(rename = "type")]
    kind: &'static str,
    function: WireFunctionCall,
}

#[derive(Serialize)]
struct WireFunctionCall {
    name: String,
    arguments: String,
}

#[derive(Serialize)]
struct WireTool<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    function: WireFunction<'a>,
}

#[derive(Serialize)]
struct WireFunction<'a> {
    name: &'a str,
    description: &'a str,
    parameters: &'a serde_json::Value,
}

fn to_wire<'a>(model: &'a str, req: &'a ChatRequest) -> WireRequest<'a> {
    let mut messages = Vec::new();
    if !req.system.trim().is_empty() {
        messages.push(WireMessage::System {
            content: req.system.clone(),
        });
    }
    for m in &req.messages {
        match m.role {
            Role::Assistant => {
                let text = m.text();
                let tool_calls: Vec<WireToolCall> = m
                    .content
                    .iter()
                    .filter_map(|c| match c {
                        Content::ToolCall(t) => Some(WireToolCall {
                            id: t.id.clone(),
                            kind: "function",
                            function: WireFunctionCall {
                                name: t.name.clone(),
                                arguments: t.arguments.to_raw(),
                            },
                        }),
                        _ => None,
                    })
                    .collect();
                messages.push(WireMessage::Assistant {
                    content: (!text.is_empty() || tool_calls.is_empty()).then_some(text),
                    tool_calls,
                });
            }
            Role::User => {
                // Tool results first (they answer the previous assistant turn), then text.
                for c in &m.content {
                    if let Content::ToolResult(r) = c {
                        let content = if r.is_error {
                            format!("ERROR: {}", r.content)
                        } else {
                            r.content.clone()
                        };
                        messages.push(WireMessage::Tool {
                            tool_call_id: r.call_id.clone(),
                            content,
                        });
                    }
                }
                let text = m.text();
                if !text.is_empty() {
                    messages.push(WireMessage::User { content: text });
                }
            }
        }
    }
    let tools: Vec<WireTool> = req
        .tools
        .iter()
        .map(|t| WireTool {
            kind: "function",
            function: WireFunction {
                name: &t.name,
                description: &t.description,
                parameters: &t.parameters,
            },
        })
        .collect();
    let tool_choice = (!tools.is_empty()).then_some(match req.tool_choice {
        ToolChoice::Auto => "auto",
        ToolChoice::None => "none",
    });
    WireRequest {
        model,
        messages,
        tools,
        tool_choice,
        max_tokens: req.max_output_tokens,
        stream: false,
    }
}

#[derive(Deserialize)]
struct Completion {
    #[serde(default)]
    choices: Vec<Choice>,
    #[serde(default)]
    usage: Option<WireUsage>,
}

#[derive(Deserialize)]
struct Choice {
    message: RespMessage,
    #[serde(default)]
    finish_reason: Option<String>,
}

#[derive(Deserialize)]
struct RespMessage {
    #[serde(default)]
    content: Option<serde_json::Value>,
    #[serde(default)]
    tool_calls: Option<Vec<RespToolCall>>,
}

#[derive(Deserialize)]
struct RespToolCall {
    #[serde(default)]
    id: Option<String>,
    function: RespFunction,
}

#[derive(Deserialize)]
struct RespFunction {
    #[serde(default)]
    name: String,
    #[serde(default)]
    arguments: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct WireUsage {
    #[serde(default)]
    prompt_tokens: Option<u64>,
    #[serde(default)]
    completion_tokens: Option<u64>,
}

/// Parses a chat-completion response body. Malformed tool-call arguments are kept as
/// [`Arguments::Malformed`] (the loop answers them with a tool error), never an error here.
pub fn parse_chat_completion(body: &[u8]) -> Result<ChatResponse, ProviderError> {
    let c: Completion = serde_json::from_slice(body)
        .map_err(|e| ProviderError::Decode(format!("not a chat completion: {e}")))?;
    let usage = c.usage.map_or(Usage::default(), |u| Usage {
        input_tokens: u.prompt_tokens.unwrap_or(0),
        output_tokens: u.completion_tokens.unwrap_or(0),
    });
    let choice = c
        .choices
        .into_iter()
        .next()
        .ok_or_else(|| ProviderError::Decode("no choices in the chat completion".into()))?;
    let mut content = Vec::new();
    match choice.message.content {
        Some(serde_json::Value::String(s)) if !s.is_empty() => content.push(Content::Text(s)),
        Some(serde_json::Value::Array(parts)) => {
            let text: Vec<&str> = parts
                .iter()
                .filter_map(|p| p.get("text").and_then(|t| t.as_str()))
                .collect();
            if !text.is_empty() {
                content.push(Content::Text(text.join("")));
            }
        }
        _ => {}
    }
    for (i, call) in choice
        .message
        .tool_calls
        .unwrap_or_default()
        .into_iter()
        .enumerate()
    {
        let arguments = match call.function.arguments {
            None | Some(serde_json::Value::Null) => Arguments::Json(serde_json::json!({})),
            Some(serde_json::Value::String(s)) => Arguments::parse(&s),
            Some(v @ serde_json::Value::Object(_)) => Arguments::Json(v),
            Some(v) => Arguments::Malformed {
                raw: v.to_string(),
                reason: "arguments must be a JSON object (sent as a string)".into(),
            },
        };
        content.push(Content::ToolCall(ToolCall {
            id: call
                .id
                .filter(|id| !id.is_empty())
                .unwrap_or_else(|| format!("call_{i}")),
            name: call.function.name,
            arguments,
        }));
    }
    let has_calls = content.iter().any(|c| matches!(c, Content::ToolCall(_)));
    let stop = match choice.finish_reason.as_deref() {
        Some("stop") => StopReason::EndTurn,
        Some("tool_calls" | "function_call") => StopReason::ToolUse,
        Some("length") => StopReason::MaxTokens,
        Some("content_filter") => StopReason::ContentFiltered,
        Some(other) => StopReason::Other(other.to_owned()),
        None if has_calls => StopReason::ToolUse,
        None => StopReason::EndTurn,
    };
    Ok(ChatResponse {
        content,
        stop,
        usage,
    })
}
