//! Discord REST request and response shapes (the subset sremesh uses).

use super::snowflake::{parse_snowflake, snowflake_time};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// A user (the bot itself from `users/@me`, or a message author).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiscordUser {
    pub id: String,
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub global_name: Option<String>,
    #[serde(default)]
    pub bot: bool,
}

/// A guild the bot is in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Guild {
    pub id: String,
    #[serde(default)]
    pub name: String,
}

/// A guild channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiscordChannel {
    pub id: String,
    /// Discord's channel type: 0 text, 2 voice, 4 category, 5 announcement, 15 forum …
    #[serde(rename = "type")]
    pub kind: u32,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub guild_id: Option<String>,
    #[serde(default)]
    pub parent_id: Option<String>,
    #[serde(default)]
    pub position: Option<i64>,
}

impl DiscordChannel {
    /// True for channels that hold messages a scanner reads (text and announcement).
    pub fn is_text(&self) -> bool {
        matches!(self.kind, 0 | 5)
    }
}

/// The message a message replies to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageReference {
    #[serde(default)]
    pub message_id: Option<String>,
    #[serde(default)]
    pub channel_id: Option<String>,
}

/// A channel message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiscordMessage {
    pub id: String,
    pub channel_id: String,
    pub author: DiscordUser,
    #[serde(default)]
    pub content: String,
    /// ISO 8601, as Discord sends it.
    #[serde(default)]
    pub timestamp: String,
    #[serde(default)]
    pub edited_timestamp: Option<String>,
    #[serde(default)]
    pub message_reference: Option<MessageReference>,
}

impl DiscordMessage {
    /// When it was posted (from the id, which cannot disagree with itself).
    pub fn time(&self) -> Option<Timestamp> {
        parse_snowflake(&self.id)
            .and_then(snowflake_time)
            .or_else(|| self.timestamp.parse().ok())
    }

    /// The numeric id (0 when malformed).
    pub fn snowflake(&self) -> u64 {
        parse_snowflake(&self.id).unwrap_or(0)
    }
}

/// `GET /channels/{id}/messages` parameters; Discord honours one of `around`, `before`,
/// `after` (in that order). `limit` is 1–100 (default 50).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct MessagesQuery {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub around: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u8>,
}

/// A new message. Always sent with `allowed_mentions: {"parse": []}` (nobody is pinged) and
/// embeds suppressed (links do not unfurl).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateMessage {
    pub content: String,
    /// Reply to this message (in the same channel); posted as a plain message if it is gone.
    pub reply_to: Option<String>,
}
