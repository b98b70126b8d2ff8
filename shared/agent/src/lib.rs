//! The agent harness: turns an agent's logic (an [`Executor`]) into a conformant A2A server
//! with a card built from config.yaml, busy tracking for `/ping`, deadline enforcement, graceful
//! shutdown and logging — and the typed client ([`AgentClient`]) the master and the intake use to
//! call agents.
//!
//! Architecture invariant: the only place where sremesh domain types meet A2A messages (the
//! media-typed data parts of [`payload`]). Agents never build A2A messages themselves.

mod card;
mod client;
mod handler;
pub mod payload;
mod serve;
pub mod tool;

pub use card::build_card;
pub use client::{AgentClient, CallError};
pub use handler::{Answer, Deadline, Executor, HarnessLimits, Job, Partial};
pub use serve::{
    AgentArgs, LogFormat, Setup, SetupError, init_logging, router, serve, shutdown_signal,
};
pub use sremesh_a2a::server::Busy;
