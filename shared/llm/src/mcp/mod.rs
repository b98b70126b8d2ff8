//! The MCP client bridge (rmcp): connects an agent's MCP servers (stdio child processes or
//! streamable HTTP), lists their tools and adapts each into a [`Tool`] named
//! `<server>__<tool>`. Connections live as long as the [`McpBridge`]; `shutdown` closes them.
//!
//! Policy per server (`McpConfig.required`): a required server that cannot start fails
//! [`McpBridge::connect`] (the agent reports `unhealthy` with the reason); an optional one is
//! logged as a warning and its tools are simply absent.

mod tool;

pub use tool::namespaced;

use futures::future::{BoxFuture, join_all};
use rmcp::model::{ClientCapabilities, ClientConfig, Implementation};
use rmcp::service::RunningService;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::transport::{StreamableHttpClientTransport, TokioChildProcess};
use rmcp::{RoleClient, ServiceExt};
use sremesh_agent::tool::Tool;
use sremesh_core::Secret;
use sremesh_core::config::{McpConfig, McpTransport};
use std::collections::{BTreeMap, HashSet, VecDeque};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};

/// Why an MCP server could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum McpError {
    /// The stdio command could not be started: fix `endpoint` / `args`.
    #[error("MCP server '{server}': cannot start '{command}': {reason}")]
    Spawn {
        server: String,
        command: String,
        reason: String,
    },
    /// The server did not complete the MCP handshake (exited, refused, not MCP).
    #[error("MCP server '{server}': cannot connect: {reason}")]
    Connect { server: String, reason: String },
    /// Nothing within the connect timeout.
    #[error("MCP server '{server}': no answer within {after:?}")]
    Timeout { server: String, after: Duration },
    /// `auth: bearer:<ENV>` names a value the caller did not provide.
    #[error("MCP server '{server}': {reason}")]
    Auth { server: String, reason: String },
    /// Connected, but `tools/list` failed.
    #[error("MCP server '{server}': cannot list tools: {reason}")]
    ListTools { server: String, reason: String },
}

impl McpError {
    /// The server this error is about.
    pub fn server(&self) -> &str {
        match self {
            McpError::Spawn { server, .. }
            | McpError::Connect { server, .. }
            | McpError::Timeout { server, .. }
            | McpError::Auth { server, .. }
            | McpError::ListTools { server, .. } => server,
        }
    }
}

type Service = RunningService<RoleClient, ClientConfig>;

/// One connected MCP server and its adapted tools.
pub struct McpServer {
    name: String,
    service: Service,
    tools: Vec<Arc<dyn Tool>>,
    descriptions: BTreeMap<String, String>,
}

impl std::fmt::Debug for McpServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.tools.iter().map(|t| t.name()).collect();
        f.debug_struct("McpServer")
            .field("name", &self.name)
            .field("tools", &names)
            .finish()
    }
}

impl McpServer {
    /// The server's configured name (the tools' namespace).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its tools, named `<server>__<tool>`.
    pub fn tools(&self) -> &[Arc<dyn Tool>] {
        &self.tools
    }

    /// Closes the connection (a stdio child is asked to exit, then killed).
    pub async fn shutdown(mut self) {
        let closed = self
            .service
            .close_with_timeout(Duration::from_secs(5))
            .await;
        tracing::info!(server = %self.name, clean = matches!(closed, Ok(Some(_))), "mcp_server_closed");
    }
}

/// An agent's MCP servers, connected for its lifetime.
#[derive(Debug, Default)]
pub struct McpBridge {
    servers: Vec<McpServer>,
    warnings: Vec<McpError>,
}

impl McpBridge {
    /// Connects every server (in parallel), each within `timeout`. `env` holds the values
    /// that `auth: bearer:<ENV>` names (read by `main`). A required server that fails makes
    /// the whole call fail (the others are closed); an optional one becomes a warning.
    pub async fn connect(
        configs: &[McpConfig],
        env: &BTreeMap<String, Secret>,
        timeout: Duration,
    ) -> Result<Self, McpError> {
        let results = join_all(configs.iter().map(|c| connect_server(c, env, timeout))).await;
        let mut bridge = McpBridge::default();
        let mut failure = None;
        for (config, result) in configs.iter().zip(results) {
            match result {
                Ok(server) => bridge.servers.push(server),
                Err(e) if config.required => {
                    tracing::error!(server = %config.name, error = %e, "mcp_server_required_failed");
                    failure.get_or_insert(e);
                }
                Err(e) => {
                    tracing::warn!(server = %config.name, error = %e, "mcp_server_unavailable");
                    bridge.warnings.push(e);
                }
            }
        }
        if let Some(e) = failure {
            bridge.shutdown().await;
            return Err(e);
        }
        Ok(bridge)
    }

    /// Every adapted tool, server by server.
    pub fn tools(&self) -> Vec<Arc<dyn Tool>> {
        self.servers
            .iter()
            .flat_map(|s| s.tools.iter().cloned())
            .collect()
    }

    /// Tool descriptions from the servers, by tool name (for [`crate::tool_specs`]).
    pub fn descriptions(&self) -> BTreeMap<String, String> {
        self.servers
            .iter()
            .flat_map(|s| s.descriptions.clone())
            .collect()
    }

    /// The connected servers.
    pub fn servers(&self) -> &[McpServer] {
        &self.servers
    }

    /// Optional servers that could not start (their tools are absent).
    pub fn warnings(&self) -> &[McpError] {
        &self.warnings
    }

    /// Closes every connection.
    pub async fn shutdown(self) {
        join_all(self.servers.into_iter().map(McpServer::shutdown)).await;
    }
}

/// Connects one server and adapts its tools, all within `timeout`.
pub async fn connect_server(
    config: &McpConfig,
    env: &BTreeMap<String, Secret>,
    timeout: Duration,
) -> Result<McpServer, McpError> {
    let server = config.name.clone();
    let info = ClientConfig::new(
        ClientCapabilities::default(),
        Implementation::new("sremesh", env!("CARGO_PKG_VERSION")),
    );
    let token = bearer_token(config, env)?;
    let stderr_tail = Arc::new(Mutex::new(VecDeque::new()));
    let mut stderr_reader = None;
    let connecting: BoxFuture<'_, Result<Service, String>> = match config.transport {
        McpTransport::Stdio => {
            let mut cmd = tokio::process::Command::new(&config.endpoint);
            cmd.args(&config.args);
            let (proc, stderr) = TokioChildProcess::builder(cmd)
                .stderr(Stdio::piped())
                .spawn()
                .map_err(|e| McpError::Spawn {
                    server: server.clone(),
                    command: config.endpoint.clone(),
                    reason: e.to_string(),
                })?;
            if let Some(stderr) = stderr {
                stderr_reader = Some(tokio::spawn(log_stderr(
                    server.clone(),
                    stderr,
                    stderr_tail.clone(),
                )));
            }
            Box::pin(async move { info.serve(proc).await.map_err(|e| e.to_string()) })
        }
        McpTransport::StreamableHttp => {
            sremesh_core::tls::ensure_crypto_provider();
            let http = reqwest::Client::builder()
                .connect_timeout(timeout)
                .build()
                .map_err(|e| McpError::Connect {
                    server: server.clone(),
                    reason: e.to_string(),
                })?;
            let mut conf = StreamableHttpClientTransportConfig::with_uri(config.endpoint.as_str());
            if let Some(t) = token {
                conf = conf.auth_header(t.expose());
            }
            let transport = StreamableHttpClientTransport::with_client(http, conf);
            Box::pin(async move { info.serve(transport).await.map_err(|e| e.to_string()) })
        }
    };
    let service = match tokio::time::timeout(timeout, connecting).await {
        Ok(Ok(s)) => s,
        Ok(Err(reason)) => {
            let tail = stderr_lines(stderr_reader, &stderr_tail).await;
            return Err(McpError::Connect {
                server,
                reason: if tail.is_empty() {
                    reason
                } else {
                    format!("{reason}; its stderr: {tail}")
                },
            });
        }
        Err(_) => {
            return Err(McpError::Timeout {
                server,
                after: timeout,
            });
        }
    };
    let listed = match tokio::time::timeout(timeout, service.peer().list_all_tools()).await {
        Ok(Ok(tools)) => tools,
        Ok(Err(e)) => {
            let _ = service.cancel().await;
            return Err(McpError::ListTools {
                server,
                reason: e.to_string(),
            });
        }
        Err(_) => {
            let _ = service.cancel().await;
            return Err(McpError::Timeout {
                server,
                after: timeout,
            });
        }
    };
    let mut tools: Vec<Arc<dyn Tool>> = Vec::new();
    let mut descriptions = BTreeMap::new();
    let mut names = HashSet::new();
    for t in listed {
        let name = namespaced(&server, &t.name);
        if !names.insert(name.clone()) {
            tracing::warn!(server = %server, tool = %t.name, "mcp_tool_name_collision");
            continue;
        }
        let description = t
            .description
            .as_deref()
            .or(t.title.as_deref())
            .unwrap_or_default()
            .to_owned();
        descriptions.insert(name.clone(), description);
        tools.push(Arc::new(tool::McpTool::new(
            &name,
            t.name.to_string(),
            serde_json::Value::Object((*t.input_schema).clone()),
            service.peer().clone(),
        )));
    }
    tracing::info!(server = %server, tools = tools.len(), "mcp_server_connected");
    Ok(McpServer {
        name: server,
        service,
        tools,
        descriptions,
    })
}

fn bearer_token(
    config: &McpConfig,
    env: &BTreeMap<String, Secret>,
) -> Result<Option<Secret>, McpError> {
    let auth = config.auth.trim();
    if auth == "none" {
        return Ok(None);
    }
    let err = |reason: String| McpError::Auth {
        server: config.name.clone(),
        reason,
    };
    let Some(var) = auth.strip_prefix("bearer:") else {
        return Err(err(format!(
            "auth must be 'none' or 'bearer:<ENV_VAR>', not '{auth}'"
        )));
    };
    if config.transport != McpTransport::StreamableHttp {
        return Err(err("bearer auth needs the streamable_http transport".into()));
    }
    match env.get(var) {
        Some(v) if !v.is_empty() => Ok(Some(v.clone())),
        _ => Err(err(format!("bearer token variable {var} is not set"))),
    }
}

async fn log_stderr(
    server: String,
    stderr: tokio::process::ChildStderr,
    tail: Arc<Mutex<VecDeque<String>>>,
) {
    let mut lines = BufReader::new(stderr).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        tracing::debug!(server = %server, line = %line, "mcp_server_stderr");
        let mut t = tail.lock().unwrap_or_else(|p| p.into_inner());
        if t.len() == 5 {
            t.pop_front();
        }
        t.push_back(sremesh_core::text::truncate(&line, 300));
    }
}

/// The last stderr lines of a server that failed (waiting briefly for it to finish writing).
async fn stderr_lines(
    reader: Option<tokio::task::JoinHandle<()>>,
    tail: &Mutex<VecDeque<String>>,
) -> String {
    if let Some(r) = reader {
        let _ = tokio::time::timeout(Duration::from_millis(500), r).await;
    }
    let t = tail.lock().unwrap_or_else(|p| p.into_inner());
    t.iter().cloned().collect::<Vec<_>>().join(" | ")
}
