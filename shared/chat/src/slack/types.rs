//! Slack Web API request and response shapes (the subset sremesh uses), and `ts` helpers.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// `auth.test`: who the token belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthTest {
    pub user_id: String,
    pub team_id: String,
    #[serde(default)]
    pub bot_id: Option<String>,
    #[serde(default)]
    pub user: Option<String>,
    #[serde(default)]
    pub team: Option<String>,
    #[serde(default)]
    pub url: Option<String>,
}

/// One message of a history or a thread.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlackMessage {
    pub ts: String,
    #[serde(default)]
    pub user: Option<String>,
    #[serde(default)]
    pub bot_id: Option<String>,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub thread_ts: Option<String>,
    #[serde(default)]
    pub reply_count: Option<u32>,
    #[serde(default)]
    pub subtype: Option<String>,
}

impl SlackMessage {
    /// When it was posted (from `ts`).
    pub fn time(&self) -> Option<Timestamp> {
        ts_time(&self.ts)
    }

    /// True for messages from bots and integrations (alerting tools post this way).
    pub fn is_bot(&self) -> bool {
        self.bot_id.is_some() || self.subtype.as_deref() == Some("bot_message")
    }
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// `conversations.history` parameters. `oldest`/`latest` are Slack `ts` strings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct HistoryRequest {
    pub channel: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub oldest: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latest: Option<String>,
    #[serde(skip_serializing_if = "is_false")]
    pub inclusive: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

/// `conversations.replies` parameters: the thread of `ts`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RepliesRequest {
    pub channel: String,
    pub ts: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub oldest: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latest: Option<String>,
    #[serde(skip_serializing_if = "is_false")]
    pub inclusive: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

/// One page of messages; `next_cursor` is `None` on the last page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessagesPage {
    pub messages: Vec<SlackMessage>,
    pub has_more: bool,
    pub next_cursor: Option<String>,
}

/// A conversation (channel) as `conversations.info` / `users.conversations` describe it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlackChannel {
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub is_member: bool,
    #[serde(default)]
    pub is_private: bool,
    #[serde(default)]
    pub is_archived: bool,
}

/// `users.conversations` parameters (the bot's own channels).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ConversationsRequest {
    /// Comma-separated: `public_channel,private_channel`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub types: Option<String>,
    #[serde(skip_serializing_if = "is_false")]
    pub exclude_archived: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

/// One page of channels.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelsPage {
    pub channels: Vec<SlackChannel>,
    pub next_cursor: Option<String>,
}

/// `chat.postMessage`: always sent with `unfurl_links=false`, `unfurl_media=false` and no
/// `link_names`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostMessage {
    pub channel: String,
    pub text: String,
    /// Reply in this thread.
    pub thread_ts: Option<String>,
}

/// What `chat.postMessage` answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostedMessage {
    pub channel: String,
    pub ts: String,
}

/// `chat.update` of one of the bot's messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdateMessage {
    pub channel: String,
    pub ts: String,
    pub text: String,
}

/// What `chat.update` answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdatedMessage {
    pub channel: String,
    pub ts: String,
    #[serde(default)]
    pub text: String,
}

/// The instant of a Slack `ts` (`"1776507900.000100"`, or whole seconds).
pub fn ts_time(ts: &str) -> Option<Timestamp> {
    let (secs, frac) = ts.split_once('.').unwrap_or((ts, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if secs.is_empty() || secs.len() > 12 || frac.len() > 6 || !digits(secs) || !digits(frac) {
        return None;
    }
    let s: i64 = secs.parse().ok()?;
    let f: i64 = format!("{frac:0<6}").parse().ok()?;
    Timestamp::from_microsecond(s.checked_mul(1_000_000)?.checked_add(f)?).ok()
}

/// The Slack `ts` of an instant (`"1776507900.000100"`).
pub fn ts_of(at: Timestamp) -> String {
    let us = at.as_microsecond();
    format!(
        "{}.{:06}",
        us.div_euclid(1_000_000),
        us.rem_euclid(1_000_000)
    )
}

// Wire envelopes (private): what the pages look like on the wire.
#[derive(Deserialize)]
pub(super) struct WireMeta {
    #[serde(default)]
    pub next_cursor: String,
}

#[derive(Deserialize)]
pub(super) struct WireMessages {
    #[serde(default)]
    pub messages: Vec<SlackMessage>,
    #[serde(default)]
    pub has_more: bool,
    #[serde(default)]
    pub response_metadata: Option<WireMeta>,
}

#[derive(Deserialize)]
pub(super) struct WireChannels {
    #[serde(default)]
    pub channels: Vec<SlackChannel>,
    #[serde(default)]
    pub response_metadata: Option<WireMeta>,
}

#[derive(Deserialize)]
pub(super) struct WireChannel {
    pub channel: SlackChannel,
}

pub(super) fn cursor(meta: Option<WireMeta>) -> Option<String> {
    meta.map(|m| m.next_cursor).filter(|c| !c.is_empty())
}
