//! The typed client for calling an agent: an AlertContext in, an AgentResult (or snapshot, or
//! a started investigation) out, with every failure named.

use crate::payload;
use sremesh_a2a::client::{A2aClient, ClientError, ClientOptions, Endpoint};
use sremesh_a2a::types::{
    SendMessageConfiguration, SendMessageRequest, SendMessageResponse, Task, TaskState,
};
use sremesh_core::{AgentResult, AlertContext, SnapshotReport, SnapshotRequest, media};
use std::time::Duration;

/// Why a call to an agent did not produce an answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CallError {
    /// Transport or protocol failure (timeout, connection refused, bad response, RPC error).
    #[error("{0}")]
    Transport(#[from] ClientError),
    /// The agent answered, but its task failed or was not what we asked for.
    #[error("agent error: {0}")]
    Agent(String),
    /// The agent answered without the data part we need, or with one we cannot read.
    #[error("bad response: {0}")]
    BadResponse(String),
}

impl CallError {
    /// A short name for reports: timeout, connection refused, bad response, agent error.
    pub fn kind(&self) -> &'static str {
        match self {
            CallError::Transport(e) => e.kind(),
            CallError::Agent(_) => "agent error",
            CallError::BadResponse(_) => "bad response",
        }
    }
}

/// A client for one sremesh agent.
#[derive(Debug)]
pub struct AgentClient {
    id: String,
    inner: A2aClient,
}

impl AgentClient {
    /// A client for agent `id` at `endpoint` (URL or AgentCore ARN).
    pub fn new(id: impl Into<String>, endpoint: &str) -> Result<Self, CallError> {
        Self::with_options(id, endpoint, ClientOptions::default())
    }

    /// A client with explicit options (AWS region for AgentCore endpoints, connect timeout).
    pub fn with_options(
        id: impl Into<String>,
        endpoint: &str,
        opts: ClientOptions,
    ) -> Result<Self, CallError> {
        let endpoint = Endpoint::parse(endpoint)?;
        Ok(Self {
            id: id.into(),
            inner: A2aClient::new(endpoint, opts)?,
        })
    }

    /// The agent id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The endpoint.
    pub fn endpoint(&self) -> &Endpoint {
        self.inner.endpoint()
    }

    /// Investigates and waits for the answer (at most `timeout`).
    pub async fn investigate(
        &self,
        ctx: &AlertContext,
        timeout: Duration,
    ) -> Result<AgentResult, CallError> {
        let task = self
            .send(
                payload::investigate_message(ctx),
                false,
                timeout,
                Some(&ctx.investigation_id),
            )
            .await?;
        self.decode(&task, media::AGENT_RESULT)
    }

    /// Asks for a snapshot and waits for it (at most `timeout`).
    pub async fn snapshot(
        &self,
        req: &SnapshotRequest,
        timeout: Duration,
    ) -> Result<SnapshotReport, CallError> {
        let task = self
            .send(payload::snapshot_message(req), false, timeout, None)
            .await?;
        self.decode(&task, media::SNAPSHOT)
    }

    /// Starts an investigation and returns at once with the task (the intake → master hand-off).
    pub async fn start(&self, ctx: &AlertContext, timeout: Duration) -> Result<Task, CallError> {
        self.send(
            payload::investigate_message(ctx),
            true,
            timeout,
            Some(&ctx.investigation_id),
        )
        .await
    }

    async fn send(
        &self,
        message: sremesh_a2a::types::Message,
        immediate: bool,
        timeout: Duration,
        session: Option<&str>,
    ) -> Result<Task, CallError> {
        let req = SendMessageRequest {
            message,
            configuration: Some(SendMessageConfiguration {
                return_immediately: Some(immediate),
                history_length: Some(0),
                ..Default::default()
            }),
            metadata: None,
        };
        match self.inner.send_message(&req, timeout, session).await? {
            SendMessageResponse::Task(t) => Ok(t),
            SendMessageResponse::Message(m) => Err(CallError::BadResponse(format!(
                "expected a task, got a message: {}",
                sremesh_core::text::truncate(&m.text(), 200)
            ))),
        }
    }

    fn decode<T: serde::de::DeserializeOwned>(
        &self,
        task: &Task,
        media_type: &str,
    ) -> Result<T, CallError> {
        match task.status.state {
            TaskState::Completed => {}
            state => {
                let why = task
                    .status
                    .message
                    .as_ref()
                    .map(|m| m.text())
                    .unwrap_or_default();
                return Err(CallError::Agent(format!(
                    "task ended {state:?}{}{why}",
                    if why.is_empty() { "" } else { ": " }
                )));
            }
        }
        match payload::decode_from_task(task, media_type) {
            Some(Ok(v)) => Ok(v),
            Some(Err(e)) => Err(CallError::BadResponse(format!(
                "{} from {}: {e}",
                media_type, self.id
            ))),
            None => Err(CallError::BadResponse(format!(
                "{} answered without a {media_type} part",
                self.id
            ))),
        }
    }
}
