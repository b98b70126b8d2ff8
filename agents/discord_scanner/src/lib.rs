//! The Discord scanner: reads the alert's channel, the watched channels and the text channels of
//! the bot's guilds over the investigation window (paging backwards by snowflake, replies
//! included) and reports, as context for the master: other alerts about the same service,
//! deploy and change announcements (with versions and minutes before the alert), people
//! reporting impact, and who is already on it.
//!
//! Module map: [`client`] (the Discord adapter of the shared scan, and its [`Platform`]
//! implementation), [`analyzers`] (the shared analyzers of `sremesh-chatscan`), [`tools`] (one
//! tool per skill), [`snapshot`] (`/sre-snapshot`). The agent, its tools and the analysis live
//! in `sremesh-chatscan`, shared with the Slack scanner.

pub mod analyzers;
pub mod client;
pub mod snapshot;
pub mod tools;

pub use client::DiscordSource;
pub use sremesh_chatscan::agent::{Platform, Settings};

/// The agent id.
pub const ID: &str = "discord_scanner";

/// The Discord scanner: the shared chat scanner over Discord.
pub type DiscordScanner = sremesh_chatscan::agent::Scanner<DiscordSource>;

/// The Discord scanner's default settings (its API base and retry policy, no token).
pub fn settings() -> Settings {
    Settings::for_platform::<DiscordSource>()
}
