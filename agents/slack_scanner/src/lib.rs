//! The Slack scanner: reads the alert's channel, the watched channels and the channels the bot
//! is a member of over the investigation window (paging through history, thread replies
//! included) and reports, as context for the master: other alerts about the same service,
//! deploy and change announcements (with versions and minutes before the alert), people
//! reporting impact, and who is already on it.
//!
//! Module map: [`client`] (the Slack adapter of the shared scan, and its [`Platform`]
//! implementation), [`analyzers`] (the shared analyzers of `sremesh-chatscan`), [`tools`] (one
//! tool per skill), [`snapshot`] (`/sre-snapshot`). The agent, its tools and the analysis live
//! in `sremesh-chatscan`, shared with the Discord scanner.

pub mod analyzers;
pub mod client;
pub mod snapshot;
pub mod tools;

pub use client::SlackSource;
pub use sremesh_chatscan::agent::{Platform, Settings};

/// The agent id.
pub const ID: &str = "slack_scanner";

/// The Slack scanner: the shared chat scanner over Slack.
pub type SlackScanner = sremesh_chatscan::agent::Scanner<SlackSource>;

/// The Slack scanner's default settings (its API base and retry policy, no token).
pub fn settings() -> Settings {
    Settings::for_platform::<SlackSource>()
}
