//! The A2A server layer: an axum router serving JSON-RPC on `POST /`, the agent card, and
//! `/ping`, over an [`AgentHandler`] that does the agent's actual work.
//!
//! The layer owns the protocol: envelopes, versions, content types, task lifecycle (blocking and
//! `returnImmediately` sends, follow-ups to interrupted tasks, cancel, list), the bounded task
//! store and busy tracking. A handler only turns one user message into an [`Outcome`].

mod card;
mod rpc;
mod store;

pub use card::CardService;
pub use store::{StoreLimits, TaskStore};

use crate::types::{AgentCard, Artifact, Message, Part, Role, TaskState};
use axum::Router;
use axum::routing::{get, post};
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use tokio_util::sync::CancellationToken;

/// One user message for the handler to act on.
#[derive(Debug, Clone)]
pub struct Call {
    pub task_id: String,
    pub context_id: String,
    /// The message, with `taskId` and `contextId` filled in.
    pub message: Message,
    /// Earlier messages of this task (for a follow-up to an interrupted task).
    pub history: Vec<Message>,
    /// Fires when the client cancels the task; the run is dropped right after.
    pub cancel: CancellationToken,
}

/// What a handler makes of a message.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// Answer with a message instead of a task (A2A "direct message").
    Message(Vec<Part>),
    /// The task ends (or pauses) in `state` with these artifacts and an optional status message.
    Task {
        state: TaskState,
        artifacts: Vec<Artifact>,
        message: Option<Vec<Part>>,
    },
}

impl Outcome {
    /// A completed task with artifacts.
    pub fn completed(artifacts: Vec<Artifact>) -> Self {
        Outcome::Task {
            state: TaskState::Completed,
            artifacts,
            message: None,
        }
    }

    /// A failed task with a reason for the client.
    pub fn failed(reason: impl Into<String>) -> Self {
        Outcome::Task {
            state: TaskState::Failed,
            artifacts: Vec::new(),
            message: Some(vec![Part::text(reason)]),
        }
    }

    pub(crate) fn reply(parts: Option<Vec<Part>>) -> Option<Message> {
        parts.map(|p| Message::new(Role::Agent, p))
    }
}

/// The agent's logic behind the protocol.
pub trait AgentHandler: Send + Sync + 'static {
    /// Acts on one message. Runs in its own task: a panic fails the A2A task, a cancel drops it.
    fn handle(&self, call: Call) -> impl Future<Output = Outcome> + Send;
}

/// Counts work in flight for `/ping` (`HealthyBusy` while any runs).
#[derive(Debug, Default)]
pub struct Busy {
    in_flight: AtomicUsize,
    last_update: AtomicI64,
}

/// Held while a piece of work runs; dropping it ends the work.
#[derive(Debug)]
pub struct BusyGuard(Arc<Busy>);

impl Busy {
    /// Marks one piece of work started until the guard is dropped.
    pub fn start(self: &Arc<Self>) -> BusyGuard {
        self.in_flight.fetch_add(1, Ordering::SeqCst);
        self.touch();
        BusyGuard(self.clone())
    }

    /// Work in flight.
    pub fn in_flight(&self) -> usize {
        self.in_flight.load(Ordering::SeqCst)
    }

    /// Unix seconds of the last change.
    pub fn last_update(&self) -> i64 {
        self.last_update.load(Ordering::SeqCst)
    }

    fn touch(&self) {
        self.last_update
            .store(jiff::Timestamp::now().as_second(), Ordering::SeqCst);
    }
}

impl Drop for BusyGuard {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
        self.0.touch();
    }
}

/// Everything a server is built from.
pub struct ServerParts<H> {
    pub handler: Arc<H>,
    pub card: AgentCard,
    pub limits: StoreLimits,
    /// Shared with whoever starts background work that should show as busy.
    pub busy: Arc<Busy>,
}

pub(crate) struct State<H> {
    pub handler: Arc<H>,
    pub store: TaskStore,
    pub busy: Arc<Busy>,
    pub card: CardService,
}

/// The A2A router: `POST /` (JSON-RPC), `GET /.well-known/agent-card.json`, `GET /ping`.
pub fn router<H: AgentHandler>(parts: ServerParts<H>) -> Router {
    parts.busy.touch();
    let state = Arc::new(State {
        handler: parts.handler,
        store: TaskStore::new(parts.limits),
        busy: parts.busy,
        card: CardService::new(&parts.card),
    });
    Router::new()
        .route("/", post(rpc::handle::<H>))
        .route("/.well-known/agent-card.json", get(card::agent_card::<H>))
        .route("/ping", get(card::ping::<H>))
        .with_state(state)
}
