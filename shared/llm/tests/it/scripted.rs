//! Scripted model endpoints on loopback that speak the real wire formats: Bedrock Converse
//! (`POST /model/{modelId}/converse`, driven through the real `aws-sdk-bedrockruntime`
//! client) and OpenAI chat completions (`POST /v1/chat/completions`). A script decides each
//! reply from the request index and body; every request body is recorded for assertions.

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use sremesh_llm::bedrock::BedrockProvider;
use sremesh_llm::{LlmSettings, Provider, RetryPolicy, parse_model, provider_for};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Which wire format the endpoint speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wire {
    OpenAi,
    Bedrock,
}

pub const WIRES: [Wire; 2] = [Wire::OpenAi, Wire::Bedrock];

/// The Bedrock model id the tests use (priced in [`crate::mesh_config`]).
pub const BEDROCK_MODEL: &str = "us.anthropic.claude-haiku-4-5-20251001-v1:0";
/// The OpenAI-compatible model id the tests use (priced under its bare name).
pub const OPENAI_MODEL: &str = "openai:test-model";

/// Tokens every successful reply reports.
pub const IN_TOKENS: u64 = 100;
pub const OUT_TOKENS: u64 = 20;

/// One scripted reply.
#[derive(Debug, Clone)]
pub enum Reply {
    /// End the turn with this text.
    Text(String),
    /// Ask for tools: (name, raw JSON argument text), with an optional text.
    Tools(Vec<(String, String)>),
    /// Fail with this HTTP status (429 throttling, 400 validation, 5xx).
    Status(u16),
    /// Answer after a delay.
    Delayed(Duration, Box<Reply>),
    /// Never answer.
    Hang,
}

pub fn text(s: &str) -> Reply {
    Reply::Text(s.to_owned())
}

pub fn tools(calls: &[(&str, &str)]) -> Reply {
    Reply::Tools(
        calls
            .iter()
            .map(|(n, a)| ((*n).to_owned(), (*a).to_owned()))
            .collect(),
    )
}

pub type Script = Arc<dyn Fn(usize, &Value) -> Reply + Send + Sync>;

/// A script from a fixed list (the last reply repeats).
pub fn list(replies: Vec<Reply>) -> Script {
    Arc::new(move |i, _| replies[i.min(replies.len() - 1)].clone())
}

/// True when the request is the loop's final "answer without tools" request.
pub fn is_final(body: &Value) -> bool {
    body.to_string()
        .contains("tool budget for this investigation is spent")
}

/// A running scripted endpoint.
pub struct Model {
    pub wire: Wire,
    pub url: String,
    pub requests: Arc<Mutex<Vec<Value>>>,
    _server: tokio::task::JoinHandle<()>,
}

impl Model {
    pub fn requests(&self) -> Vec<Value> {
        self.requests.lock().unwrap().clone()
    }

    /// A provider for this endpoint (OpenAI through `provider_for`; Bedrock through the SDK
    /// client pointed at the endpoint with static test credentials).
    pub async fn provider(&self) -> Arc<dyn Provider> {
        let mut settings = LlmSettings {
            retry: RetryPolicy {
                max_attempts: 3,
                min_delay: Duration::from_millis(10),
                max_delay: Duration::from_millis(40),
            },
            ..Default::default()
        };
        match self.wire {
            Wire::OpenAi => {
                settings.openai.base_url = format!("{}/v1", self.url);
                settings.openai.api_key = Some("sk-test".parse().unwrap());
                provider_for(Some(OPENAI_MODEL), &settings)
                    .await
                    .unwrap()
                    .unwrap()
            }
            Wire::Bedrock => {
                let sdk =
                    sremesh_aws::sdk_config(sremesh_aws::CallPolicy::default(), Some("us-east-1"))
                        .await;
                let conf = aws_sdk_bedrockruntime::config::Builder::from(&sdk)
                    .endpoint_url(&self.url)
                    .credentials_provider(aws_sdk_bedrockruntime::config::Credentials::new(
                        "AKIDTEST", "secret", None, None, "test",
                    ))
                    .build();
                let client = aws_sdk_bedrockruntime::Client::from_conf(conf);
                Arc::new(BedrockProvider::from_client(
                    client,
                    parse_model(BEDROCK_MODEL).unwrap(),
                    &settings,
                ))
            }
        }
    }
}

/// Starts a scripted endpoint on 127.0.0.1.
pub async fn serve(wire: Wire, script: Script) -> Model {
    let requests = Arc::new(Mutex::new(Vec::new()));
    let recorded = requests.clone();
    let app = axum::Router::new().fallback(
        move |uri: axum::http::Uri, headers: HeaderMap, body: Bytes| {
            let recorded = recorded.clone();
            let script = script.clone();
            async move {
                let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
                let expected = match wire {
                    Wire::OpenAi => {
                        uri.path() == "/v1/chat/completions"
                            && headers
                                .get("authorization")
                                .is_some_and(|v| v == "Bearer sk-test")
                    }
                    Wire::Bedrock => {
                        uri.path().starts_with("/model/")
                            && uri.path().ends_with("/converse")
                            && headers.get("authorization").is_some_and(|v| {
                                v.to_str().unwrap_or("").starts_with("AWS4-HMAC-SHA256")
                            })
                    }
                };
                if !expected {
                    return (StatusCode::NOT_FOUND, format!("unexpected {uri}")).into_response();
                }
                let index = {
                    let mut r = recorded.lock().unwrap();
                    r.push(body.clone());
                    r.len() - 1
                };
                let reply = script(index, &body);
                render(wire, index, reply).await
            }
        },
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let server = tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    Model {
        wire,
        url,
        requests,
        _server: server,
    }
}

async fn render(wire: Wire, index: usize, reply: Reply) -> Response {
    let mut reply = reply;
    loop {
        match reply {
            Reply::Delayed(d, inner) => {
                tokio::time::sleep(d).await;
                reply = *inner;
            }
            Reply::Hang => {
                tokio::time::sleep(Duration::from_secs(120)).await;
                return StatusCode::GATEWAY_TIMEOUT.into_response();
            }
            Reply::Status(code) => return error(wire, code),
            Reply::Text(t) => return ok(wire, index, Some(t), vec![]),
            Reply::Tools(calls) => return ok(wire, index, None, calls),
        }
    }
}

fn ok(wire: Wire, index: usize, text: Option<String>, calls: Vec<(String, String)>) -> Response {
    let body = match wire {
        Wire::OpenAi => {
            let tool_calls: Vec<Value> = calls
                .iter()
                .enumerate()
                .map(|(k, (name, args))| {
                    json!({"id": format!("call_{index}_{k}"), "type": "function",
                           "function": {"name": name, "arguments": args}})
                })
                .collect();
            let mut message = json!({"role": "assistant", "content": text});
            if !tool_calls.is_empty() {
                message["tool_calls"] = Value::Array(tool_calls);
            }
            json!({
                "id": format!("chatcmpl-{index}"), "object": "chat.completion", "created": 0,
                "model": "test-model",
                "choices": [{"index": 0, "message": message,
                             "finish_reason": if calls.is_empty() { "stop" } else { "tool_calls" }}],
                "usage": {"prompt_tokens": IN_TOKENS, "completion_tokens": OUT_TOKENS,
                          "total_tokens": IN_TOKENS + OUT_TOKENS}
            })
        }
        Wire::Bedrock => {
            let mut content: Vec<Value> = text.iter().map(|t| json!({"text": t})).collect();
            for (k, (name, args)) in calls.iter().enumerate() {
                // Converse carries the input as a JSON document; text that is not JSON can
                // only arrive as a JSON string (which fails the tool's schema).
                let input: Value =
                    serde_json::from_str(args).unwrap_or_else(|_| Value::String(args.clone()));
                content.push(
                    json!({"toolUse": {"toolUseId": format!("tooluse_{index}_{k}"),
                                                "name": name, "input": input}}),
                );
            }
            json!({
                "output": {"message": {"role": "assistant", "content": content}},
                "stopReason": if calls.is_empty() { "end_turn" } else { "tool_use" },
                "usage": {"inputTokens": IN_TOKENS, "outputTokens": OUT_TOKENS,
                          "totalTokens": IN_TOKENS + OUT_TOKENS},
                "metrics": {"latencyMs": 7}
            })
        }
    };
    axum::Json(body).into_response()
}

fn error(wire: Wire, code: u16) -> Response {
    let status = StatusCode::from_u16(code).unwrap();
    match wire {
        Wire::OpenAi => (
            status,
            axum::Json(
                json!({"error": {"message": format!("scripted {code}"), "type": "scripted"}}),
            ),
        )
            .into_response(),
        Wire::Bedrock => {
            let kind = match code {
                429 => "ThrottlingException",
                400 => "ValidationException",
                503 => "ServiceUnavailableException",
                _ => "InternalServerException",
            };
            (
                status,
                [
                    ("x-amzn-errortype", kind),
                    ("content-type", "application/json"),
                ],
                json!({"message": format!("scripted {code}")}).to_string(),
            )
                .into_response()
        }
    }
}

/// The tool results a request carries, as (call id, content, is_error), in either format.
pub fn tool_results(wire: Wire, body: &Value) -> Vec<(String, String, bool)> {
    let mut out = Vec::new();
    let messages = body["messages"].as_array().cloned().unwrap_or_default();
    match wire {
        Wire::OpenAi => {
            for m in messages.iter().filter(|m| m["role"] == "tool") {
                let content = m["content"].as_str().unwrap_or("").to_owned();
                let err = content.starts_with("ERROR: ");
                out.push((
                    m["tool_call_id"].as_str().unwrap_or("").to_owned(),
                    content,
                    err,
                ));
            }
        }
        Wire::Bedrock => {
            for m in &messages {
                for block in m["content"].as_array().cloned().unwrap_or_default() {
                    let r = &block["toolResult"];
                    if r.is_object() {
                        out.push((
                            r["toolUseId"].as_str().unwrap_or("").to_owned(),
                            r["content"][0]["text"].as_str().unwrap_or("").to_owned(),
                            r["status"] == "error",
                        ));
                    }
                }
            }
        }
    }
    out
}

/// The tool names a request declares.
pub fn declared_tools(wire: Wire, body: &Value) -> Vec<String> {
    let items = match wire {
        Wire::OpenAi => body["tools"].as_array().cloned().unwrap_or_default(),
        Wire::Bedrock => body["toolConfig"]["tools"]
            .as_array()
            .cloned()
            .unwrap_or_default(),
    };
    items
        .iter()
        .map(|t| match wire {
            Wire::OpenAi => t["function"]["name"].as_str().unwrap_or("").to_owned(),
            Wire::Bedrock => t["toolSpec"]["name"].as_str().unwrap_or("").to_owned(),
        })
        .collect()
}
