//! The loaded scenario: plain data with every time resolved to an absolute instant and every chat
//! id (Slack `ts`, Discord snowflake) derived.

use jiff::Timestamp;
use serde::Serialize;
use sremesh_core::{Category, Platform};
use std::path::PathBuf;

/// One incident frozen in time (`schema: sremesh/scenario/v1`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scenario {
    /// Unique id, `[a-z0-9-]+`.
    pub id: String,
    pub title: String,
    /// The moment the alert was posted.
    pub now: Timestamp,
    pub alert: Alert,
    pub world: World,
    /// The answer key (read by `sremesh eval` only).
    pub expect: Option<Expect>,
    /// Tolerated oddities (unknown keys …), one line each, naming the key path.
    pub warnings: Vec<String>,
    /// The file it was loaded from (`None` for [`crate::load_str`]).
    pub source: Option<PathBuf>,
}

/// The alert message as it was posted (it is also present in its channel's history).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Alert {
    pub platform: Platform,
    /// The channel id it was posted in.
    pub channel: String,
    /// Poster's user id (Slack) or name (Discord).
    pub user: String,
    /// Posted by an integration (Slack `bot_id` set, Discord `author.bot`).
    pub bot: bool,
    pub text: String,
    /// The Slack `ts` of `now` (derived the same way on both platforms).
    pub ts: String,
    /// The message's id on its platform: the Slack `ts` or the Discord snowflake.
    pub message_id: String,
}

/// The answer key.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Expect {
    pub category: Category,
    pub required_keywords: Vec<String>,
    pub forbidden_keywords: Vec<String>,
    pub forbidden_categories: Vec<Category>,
    /// Agent ids (`eks`, `cloudwatch_logs` …) that must contribute to the top hypothesis.
    pub required_evidence: Vec<String>,
}

/// What the agents would have seen; a missing source is `None` (served as an empty account).
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct World {
    pub kubernetes: Option<Kube>,
    pub cloudwatch_logs: Option<CloudWatch>,
    pub slack: Option<Slack>,
    pub discord: Option<Discord>,
}

/// A Kubernetes cluster's state.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Kube {
    pub cluster: String,
    /// `gitVersion` answered at `GET /version` (`v1.30.4`).
    pub version: String,
    /// Objects as `kubectl get -o json` shows them (a `kind: List` is flattened).
    pub objects: Vec<serde_json::Value>,
    pub logs: Vec<PodLog>,
}

/// One container's log.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PodLog {
    pub namespace: String,
    pub pod: String,
    pub container: String,
    /// The log of the previous (crashed) instance.
    pub previous: bool,
    pub lines: Vec<LogLine>,
}

/// One log line; `at` comes from an optional RFC 3339 prefix (removed from `text`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LogLine {
    pub at: Option<Timestamp>,
    pub text: String,
}

/// CloudWatch Logs: log groups and their events.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CloudWatch {
    pub groups: Vec<LogGroup>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LogGroup {
    pub name: String,
    /// Sorted by time (stable).
    pub events: Vec<LogEvent>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LogEvent {
    pub at: Timestamp,
    pub stream: String,
    pub message: String,
}

/// A Slack workspace's channels.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Slack {
    pub channels: Vec<SlackChannel>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SlackChannel {
    pub id: String,
    pub name: String,
    /// Oldest first; thread replies included (they carry `thread_ts`).
    pub messages: Vec<SlackMessage>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SlackMessage {
    /// `"<epoch secs>.<6 digits>"`, unique in the channel.
    pub ts: String,
    pub at: Timestamp,
    pub user: String,
    pub bot: bool,
    pub text: String,
    /// A reply: its parent's ts. A thread parent: its own ts (as Slack shows it). Else `None`.
    pub thread_ts: Option<String>,
}

/// A Discord guild's channels.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Discord {
    pub guild: String,
    pub channels: Vec<DiscordChannel>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DiscordChannel {
    pub id: String,
    pub name: String,
    /// Oldest first.
    pub messages: Vec<DiscordMessage>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DiscordMessage {
    /// Snowflake derived from `at`: `((ms - 1420070400000) << 22) | seq`.
    pub id: String,
    pub at: Timestamp,
    pub author: String,
    pub bot: bool,
    pub content: String,
}
