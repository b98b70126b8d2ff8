//! Integration tests of the Discord scanner against the sandbox's Discord REST API, replaying
//! the scenario library: the shared test bodies of `sremesh_chatscan::testing::suite` run on
//! Discord, plus what only Discord has (its scenario table, its page size, its snapshot's lines).

mod faults;
mod paging;
mod scenarios;
mod tools;

pub use sremesh_chatscan::testing::suite;
pub use sremesh_chatscan::testing::*;
pub use std::time::Duration;

/// The platform under test.
pub type P = sremesh_discord_scanner::DiscordSource;

/// The scenario most tests read.
pub const SCENARIO: &str = "imagepull-bad-tag-search-api";
