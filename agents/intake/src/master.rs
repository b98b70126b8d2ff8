//! The hand-off to the master: an investigation (`AgentClient::start`) or a snapshot, both with
//! `returnImmediately` — the master answers at once with a working task and reports to chat
//! itself. Every call has an explicit timeout and is never retried (a retry could start a second
//! investigation).

use sremesh_a2a::client::{A2aClient, ClientError, ClientOptions, Endpoint};
use sremesh_a2a::types::{
    SendMessageConfiguration, SendMessageRequest, SendMessageResponse, Task, TaskState,
};
use sremesh_agent::{AgentClient, CallError, payload};
use sremesh_core::{AlertContext, SnapshotRequest};
use std::time::Duration;

/// Why the master did not take the work.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HandOffError {
    /// Unreachable, timed out, or answered with an error: tell the user, do not retry.
    #[error("{0}")]
    Call(#[from] CallError),
    /// The master answered with a task that already failed or was rejected.
    #[error("the master {state}: {reason}")]
    Refused { state: &'static str, reason: String },
}

impl From<ClientError> for HandOffError {
    fn from(e: ClientError) -> Self {
        HandOffError::Call(CallError::Transport(e))
    }
}

/// The master agent, as the intake sees it.
#[derive(Debug)]
pub struct Master {
    agent: AgentClient,
    raw: A2aClient,
}

impl Master {
    /// The master at `endpoint` (an http(s) URL or an AgentCore runtime ARN).
    pub fn new(endpoint: &str, aws_region: Option<String>) -> Result<Self, CallError> {
        let opts = ClientOptions {
            connect_timeout: Some(Duration::from_secs(1)),
            aws_region,
        };
        let agent = AgentClient::with_options("master", endpoint, opts.clone())?;
        let raw = A2aClient::new(Endpoint::parse(endpoint)?, opts)?;
        Ok(Self { agent, raw })
    }

    /// The endpoint.
    pub fn endpoint(&self) -> &Endpoint {
        self.agent.endpoint()
    }

    /// Starts an investigation; returns the master's (working) task.
    pub async fn investigate(
        &self,
        ctx: &AlertContext,
        timeout: Duration,
    ) -> Result<Task, HandOffError> {
        accepted(self.agent.start(ctx, timeout).await?)
    }

    /// Asks for a snapshot to be posted where `req` says; returns the master's task.
    pub async fn snapshot(
        &self,
        req: &SnapshotRequest,
        timeout: Duration,
    ) -> Result<Task, HandOffError> {
        let msg = SendMessageRequest {
            message: payload::snapshot_message(req),
            configuration: Some(SendMessageConfiguration {
                return_immediately: Some(true),
                history_length: Some(0),
                ..Default::default()
            }),
            metadata: None,
        };
        let session = format!(
            "snapshot-{}-{}",
            req.channel_id.as_deref().unwrap_or("direct"),
            req.requested_at.as_millisecond()
        );
        match self.raw.send_message(&msg, timeout, Some(&session)).await? {
            SendMessageResponse::Task(t) => accepted(t),
            SendMessageResponse::Message(m) => Err(HandOffError::Refused {
                state: "answered with a message",
                reason: sremesh_core::text::truncate(&m.text(), 200),
            }),
        }
    }
}

/// A task that failed or was rejected at once is a refusal.
fn accepted(task: Task) -> Result<Task, HandOffError> {
    let state = match task.status.state {
        TaskState::Failed => "failed",
        TaskState::Rejected => "rejected the task",
        TaskState::Canceled => "canceled the task",
        _ => return Ok(task),
    };
    let reason = task
        .status
        .message
        .as_ref()
        .map(|m| sremesh_core::text::truncate(&m.text(), 200))
        .unwrap_or_else(|| "no reason given".into());
    Err(HandOffError::Refused { state, reason })
}
