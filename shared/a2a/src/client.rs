//! The A2A client: JSON-RPC over HTTP to a URL, or through AgentCore `InvokeAgentRuntime` to an
//! `arn:` endpoint (feature `agentcore`). Explicit timeouts; never an automatic retry that could
//! re-run a slow investigation.

use crate::types::{
    AgentCard, CancelTaskRequest, GetTaskRequest, SendMessageRequest, SendMessageResponse, Task,
};
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use std::time::Duration;

/// Where an agent is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    /// `http(s)://…`: JSON-RPC posted to this URL.
    Url(String),
    /// An AgentCore runtime ARN: the same JSON-RPC body through `InvokeAgentRuntime`.
    AgentCore(String),
}

impl Endpoint {
    /// `arn:` picks AgentCore; anything else must be an http(s) URL.
    pub fn parse(s: &str) -> Result<Self, ClientError> {
        let s = s.trim();
        if s.starts_with("arn:") {
            Ok(Endpoint::AgentCore(s.to_owned()))
        } else if s.starts_with("http://") || s.starts_with("https://") {
            Ok(Endpoint::Url(s.to_owned()))
        } else {
            Err(ClientError::Endpoint(format!(
                "'{s}' is neither an http(s) URL nor an arn:"
            )))
        }
    }
}

impl std::fmt::Display for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Endpoint::Url(u) | Endpoint::AgentCore(u) => f.write_str(u),
        }
    }
}

/// Why a call failed; [`ClientError::kind`] names it for reports.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClientError {
    #[error("timed out after {0:?}")]
    Timeout(Duration),
    #[error("cannot connect: {0}")]
    Connect(String),
    /// The connection was closed or reset before a whole answer arrived (the agent crashed).
    #[error("connection lost mid-request: {0}")]
    Disconnected(String),
    #[error("HTTP {status}: {body}")]
    Http { status: u16, body: String },
    #[error("bad response: {0}")]
    BadResponse(String),
    #[error("agent error {code}: {message}")]
    Rpc { code: i32, message: String },
    #[error("AgentCore: {0}")]
    AgentCore(String),
    #[error("invalid endpoint: {0}")]
    Endpoint(String),
}

impl ClientError {
    /// A short name: `timeout`, `connection refused`, `connection lost`, `bad response`,
    /// `agent error`, `agentcore`, `invalid endpoint`.
    pub fn kind(&self) -> &'static str {
        match self {
            ClientError::Timeout(_) => "timeout",
            ClientError::Connect(_) => "connection refused",
            ClientError::Disconnected(_) => "connection lost",
            ClientError::Http { .. } | ClientError::BadResponse(_) => "bad response",
            ClientError::Rpc { .. } => "agent error",
            ClientError::AgentCore(_) => "agentcore",
            ClientError::Endpoint(_) => "invalid endpoint",
        }
    }
}

/// Client settings.
#[derive(Debug, Clone, Default)]
pub struct ClientOptions {
    /// Time to establish a connection (HTTP); default 3 s.
    pub connect_timeout: Option<Duration>,
    /// AWS region for AgentCore endpoints (default: the SDK's region chain).
    pub aws_region: Option<String>,
}

/// A client for one agent.
pub struct A2aClient {
    endpoint: Endpoint,
    #[cfg_attr(not(feature = "agentcore"), allow(dead_code))]
    aws_region: Option<String>,
    http: reqwest::Client,
    #[cfg(feature = "agentcore")]
    agentcore: tokio::sync::OnceCell<aws_sdk_bedrockagentcore::Client>,
}

impl std::fmt::Debug for A2aClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("A2aClient")
            .field("endpoint", &self.endpoint)
            .finish()
    }
}

/// Longest error body kept in a [`ClientError::Http`].
const MAX_ERROR_BODY: usize = 300;

impl A2aClient {
    /// A client for `endpoint`.
    pub fn new(endpoint: Endpoint, opts: ClientOptions) -> Result<Self, ClientError> {
        sremesh_core::tls::ensure_crypto_provider();
        if matches!(endpoint, Endpoint::AgentCore(_)) && !cfg!(feature = "agentcore") {
            return Err(ClientError::Endpoint(format!(
                "{endpoint}: this build has no AgentCore transport"
            )));
        }
        let http = reqwest::Client::builder()
            .connect_timeout(opts.connect_timeout.unwrap_or(Duration::from_secs(3)))
            .build()
            .map_err(|e| ClientError::Connect(e.to_string()))?;
        Ok(Self {
            endpoint,
            aws_region: opts.aws_region,
            http,
            #[cfg(feature = "agentcore")]
            agentcore: tokio::sync::OnceCell::new(),
        })
    }

    /// The endpoint this client calls.
    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// `SendMessage`. `session` names the AgentCore runtime session (≥ 33 characters are
    /// used as is, shorter ones are padded; a fresh one when `None`); URL endpoints ignore it.
    pub async fn send_message(
        &self,
        req: &SendMessageRequest,
        timeout: Duration,
        session: Option<&str>,
    ) -> Result<SendMessageResponse, ClientError> {
        let params =
            serde_json::to_value(req).map_err(|e| ClientError::BadResponse(e.to_string()))?;
        self.call("SendMessage", params, timeout, session).await
    }

    /// `GetTask`.
    pub async fn get_task(&self, id: &str, timeout: Duration) -> Result<Task, ClientError> {
        let params = json!(GetTaskRequest {
            id: id.to_owned(),
            history_length: None
        });
        self.call("GetTask", params, timeout, None).await
    }

    /// `CancelTask`.
    pub async fn cancel_task(&self, id: &str, timeout: Duration) -> Result<Task, ClientError> {
        let params = json!(CancelTaskRequest {
            id: id.to_owned(),
            metadata: None
        });
        self.call("CancelTask", params, timeout, None).await
    }

    /// Fetches the agent card (URL endpoints only).
    pub async fn agent_card(&self, timeout: Duration) -> Result<AgentCard, ClientError> {
        let Endpoint::Url(url) = &self.endpoint else {
            return Err(ClientError::Endpoint(
                "agent cards are fetched from URL endpoints only".into(),
            ));
        };
        let url = format!("{}/.well-known/agent-card.json", url.trim_end_matches('/'));
        let resp = self
            .http
            .get(url)
            .timeout(timeout)
            .send()
            .await
            .map_err(|e| map_reqwest(e, timeout))?;
        let bytes = read_ok(resp, timeout).await?;
        serde_json::from_slice(&bytes)
            .map_err(|e| ClientError::BadResponse(format!("agent card: {e}")))
    }

    /// Any JSON-RPC method; the result is deserialized as `T`.
    pub async fn call<T: DeserializeOwned>(
        &self,
        method: &str,
        params: Value,
        timeout: Duration,
        session: Option<&str>,
    ) -> Result<T, ClientError> {
        let body = serde_json::to_vec(&json!({
            "jsonrpc": "2.0",
            "id": uuid::Uuid::new_v4().to_string(),
            "method": method,
            "params": params,
        }))
        .map_err(|e| ClientError::BadResponse(e.to_string()))?;
        let raw = match &self.endpoint {
            Endpoint::Url(url) => self.post(url, body, timeout).await?,
            Endpoint::AgentCore(arn) => self.invoke_agentcore(arn, body, timeout, session).await?,
        };
        parse_response(&raw)
    }

    async fn post(
        &self,
        url: &str,
        body: Vec<u8>,
        timeout: Duration,
    ) -> Result<Vec<u8>, ClientError> {
        let resp = self
            .http
            .post(url)
            .header("content-type", "application/json")
            .header("a2a-version", "1.0")
            .body(body)
            .timeout(timeout)
            .send()
            .await
            .map_err(|e| map_reqwest(e, timeout))?;
        read_ok(resp, timeout).await
    }

    #[cfg(feature = "agentcore")]
    async fn invoke_agentcore(
        &self,
        arn: &str,
        body: Vec<u8>,
        timeout: Duration,
        session: Option<&str>,
    ) -> Result<Vec<u8>, ClientError> {
        let client = self
            .agentcore
            .get_or_init(|| async {
                let policy = sremesh_aws::CallPolicy {
                    connect_timeout: Duration::from_secs(3),
                    // The per-call timeout below is the real bound; this only caps a stuck stream.
                    operation_timeout: Duration::from_secs(900),
                    // Never retry: a retry would run the investigation a second time.
                    max_attempts: 1,
                };
                aws_sdk_bedrockagentcore::Client::new(
                    &sremesh_aws::sdk_config(policy, self.aws_region.as_deref()).await,
                )
            })
            .await;
        let session = session_id(session);
        let call = async {
            let out = client
                .invoke_agent_runtime()
                .agent_runtime_arn(arn)
                .runtime_session_id(session)
                .content_type("application/json")
                .accept("application/json")
                .payload(aws_smithy_types::Blob::new(body))
                .send()
                .await
                .map_err(|e| {
                    ClientError::AgentCore(
                        aws_smithy_types::error::display::DisplayErrorContext(&e).to_string(),
                    )
                })?;
            let bytes = out
                .response
                .collect()
                .await
                .map_err(|e| ClientError::AgentCore(format!("reading the response: {e}")))?;
            Ok(bytes.into_bytes().to_vec())
        };
        tokio::time::timeout(timeout, call)
            .await
            .map_err(|_| ClientError::Timeout(timeout))?
    }

    #[cfg(not(feature = "agentcore"))]
    async fn invoke_agentcore(
        &self,
        arn: &str,
        _body: Vec<u8>,
        _timeout: Duration,
        _session: Option<&str>,
    ) -> Result<Vec<u8>, ClientError> {
        Err(ClientError::Endpoint(format!(
            "{arn}: this build has no AgentCore transport"
        )))
    }
}

/// An AgentCore session id of at least 33 characters.
pub fn session_id(session: Option<&str>) -> String {
    match session {
        Some(s) if s.len() >= 33 => s.to_owned(),
        Some(s) => format!("sremesh-{s}-{}", uuid::Uuid::new_v4().simple()),
        None => format!("sremesh-{}", uuid::Uuid::new_v4()),
    }
}

fn map_reqwest(e: reqwest::Error, timeout: Duration) -> ClientError {
    // `<url> (<root cause>)`: the wrapper layers ("error sending request", "client error")
    // repeat what the variant already says.
    let what = match e.url() {
        Some(u) => format!("{u} ({})", root_cause(&e)),
        None => root_cause(&e),
    };
    if e.is_timeout() {
        ClientError::Timeout(timeout)
    } else if e.is_connect() {
        ClientError::Connect(what)
    } else if e.is_body() || e.is_decode() {
        ClientError::BadResponse(what)
    } else if e.is_request() {
        // The request was sent (we connected) but no whole response came back.
        ClientError::Disconnected(what)
    } else {
        ClientError::Connect(what)
    }
}

fn root_cause(e: &dyn std::error::Error) -> String {
    let mut cur: &dyn std::error::Error = e;
    while let Some(inner) = cur.source() {
        cur = inner;
    }
    cur.to_string()
}

async fn read_ok(resp: reqwest::Response, timeout: Duration) -> Result<Vec<u8>, ClientError> {
    let status = resp.status();
    let bytes = resp.bytes().await.map_err(|e| map_reqwest(e, timeout))?;
    if !status.is_success() {
        let body = String::from_utf8_lossy(&bytes);
        return Err(ClientError::Http {
            status: status.as_u16(),
            body: sremesh_core::text::truncate(body.trim(), MAX_ERROR_BODY),
        });
    }
    Ok(bytes.to_vec())
}

fn parse_response<T: DeserializeOwned>(raw: &[u8]) -> Result<T, ClientError> {
    let v: Value = serde_json::from_slice(raw).map_err(|e| {
        ClientError::BadResponse(format!(
            "not JSON ({e}): {}",
            sremesh_core::text::truncate(&String::from_utf8_lossy(raw), 120)
        ))
    })?;
    if let Some(err) = v.get("error").filter(|e| !e.is_null()) {
        return Err(ClientError::Rpc {
            code: err.get("code").and_then(Value::as_i64).unwrap_or(0) as i32,
            message: err
                .get("message")
                .and_then(Value::as_str)
                .unwrap_or("(no message)")
                .to_owned(),
        });
    }
    let result = v.get("result").ok_or_else(|| {
        ClientError::BadResponse("neither 'result' nor 'error' in the reply".into())
    })?;
    serde_json::from_value(result.clone())
        .map_err(|e| ClientError::BadResponse(format!("unexpected result shape: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_parse_by_prefix() {
        assert!(matches!(
            Endpoint::parse("arn:aws:bedrock-agentcore:us-east-1:1:runtime/x"),
            Ok(Endpoint::AgentCore(_))
        ));
        assert!(
            matches!(Endpoint::parse(" http://127.0.0.1:9005/ "), Ok(Endpoint::Url(u)) if u == "http://127.0.0.1:9005/")
        );
        assert!(Endpoint::parse("ftp://x").is_err());
        assert!(session_id(None).len() >= 33);
        assert!(session_id(Some("short")).len() >= 33);
        let long = "x".repeat(40);
        assert_eq!(session_id(Some(&long)), long);
    }

    #[test]
    fn responses_parse_results_and_errors() {
        let ok: Value = parse_response(br#"{"jsonrpc":"2.0","id":1,"result":{"a":1}}"#).unwrap();
        assert_eq!(ok["a"], 1);
        let err = parse_response::<Value>(
            br#"{"jsonrpc":"2.0","id":1,"error":{"code":-32001,"message":"Task not found"}}"#,
        )
        .unwrap_err();
        assert_eq!(
            err,
            ClientError::Rpc {
                code: -32001,
                message: "Task not found".into()
            }
        );
        assert_eq!(err.kind(), "agent error");
        assert_eq!(
            parse_response::<Value>(b"<html>").unwrap_err().kind(),
            "bad response"
        );
        assert_eq!(
            parse_response::<Value>(br#"{"jsonrpc":"2.0"}"#)
                .unwrap_err()
                .kind(),
            "bad response"
        );
    }
}
