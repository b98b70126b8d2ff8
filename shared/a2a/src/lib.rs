//! A2A for sremesh: the 1.0 JSON-RPC wire types (with the 0.3 aliases), the server layer every
//! agent is served by, and the client the master and the intake call agents with.
//!
//! Architecture invariant: this crate knows the A2A protocol and nothing of sremesh's domain
//! (no AlertContext, no findings); the agent harness (`sremesh-agent`) converts between them.

pub mod client;
pub mod error;
pub mod server;
pub mod types;
pub mod v03;

pub use error::A2aError;
