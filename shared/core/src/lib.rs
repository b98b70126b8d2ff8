//! The sremesh domain model and configuration: what every binary agrees on.
//!
//! * [`model`]: the alert an investigation starts from, what agents find, the report the master
//!   builds from it, and the health snapshot — plain data, serialized as JSON on the wire.
//! * [`catalogue`]: the agents sremesh knows (ids, ports, display names, tools) — one line each.
//! * [`config`]: `config.yaml` and `SKILL.md` loading and validation.
//! * [`secret`], [`tls`], [`text`]: small shared utilities.
//!
//! Architecture invariant: this crate does no I/O besides reading config files, knows no wire
//! protocol (A2A, Slack, Kubernetes…) and never reads the environment.

pub mod catalogue;
pub mod config;
pub mod media;
pub mod model;
pub mod secret;
pub mod signals;
pub mod text;
pub mod tls;

pub use catalogue::{AGENTS, AgentInfo};
pub use model::*;
pub use secret::{Secret, SecretError, SecretSource};
