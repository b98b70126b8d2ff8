//! Integration tests of the Slack scanner against the sandbox's Slack Web API, replaying
//! the scenario library: the shared test bodies of `sremesh_chatscan::testing::suite` run on
//! Slack, plus what only Slack has (its scenario table, its page size, its snapshot's lines).

mod faults;
mod paging;
mod scenarios;
mod tools;

pub use sremesh_chatscan::testing::suite;
pub use sremesh_chatscan::testing::*;
pub use std::time::Duration;

/// The platform under test.
pub type P = sremesh_slack_scanner::SlackSource;

/// The scenario most tests read.
pub const SCENARIO: &str = "bad-rollout-payments-api";
