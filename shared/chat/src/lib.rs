//! Slack and Discord for sremesh: every chat HTTP call, every chat rendering, every request
//! signature check and webhook parse in the project goes through this crate.
//!
//! * [`slack::SlackApi`], [`discord::DiscordApi`]: typed Web API / REST clients with explicit
//!   timeouts and retries ([`RetryPolicy`]); errors say what to do ([`ApiError`]).
//! * [`delivery`]: the [`ChatPlatform`] trait the master and the intake post through — split
//!   messages in order, edits in place, short notices.
//! * [`render`]: one [`sremesh_core::Report`] (and the [`messages`]) rendered as Slack mrkdwn,
//!   Discord markdown or terminal text; untrusted text neutralised; splitting at the limits.
//! * [`verify`]: Slack v0 (HMAC-SHA256) and Discord (Ed25519) request signatures.
//! * [`webhook`]: typed parsing of Slack Events API bodies, slash-command forms and Discord
//!   interactions.
//!
//! Architecture invariant: Slack and Discord wire shapes live here and nowhere else; callers see
//! domain types and the small typed structs of this crate. Never reads the environment.

pub mod delivery;
pub mod discord;
mod error;
pub mod messages;
pub mod render;
mod retry;
pub mod slack;
pub mod verify;
pub mod webhook;

pub use delivery::{ChatPlatform, DeliveryError, MessageRef, Target};
pub use discord::DiscordApi;
pub use error::ApiError;
pub use render::{Dialect, Render};
pub use retry::RetryPolicy;
pub use slack::SlackApi;

/// The messages (or channels) of a paged read, capped: oldest first for messages.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Window<T> {
    pub items: Vec<T>,
    /// True when the cap cut the read short (more existed than `items` holds).
    pub truncated: bool,
}
