//! The platform-neutral message model: what a Slack or Discord adapter turns its wire messages
//! into before the analyzers see them.

use jiff::Timestamp;
use serde::Serialize;

/// One chat message, whatever the platform.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChatMessage {
    /// The channel id it was posted in.
    pub channel: String,
    /// Its id on the platform (Slack `ts`, Discord snowflake).
    pub id: String,
    /// When it was posted.
    pub at: Timestamp,
    /// The poster's id (Slack user or bot id, Discord user id).
    pub author_id: String,
    /// The poster as shown in evidence lines (Slack user id or username, Discord username).
    pub author: String,
    /// Posted by a bot, an integration or a webhook.
    pub is_bot: bool,
    /// The text, verbatim (untrusted: never interpreted, rendering neutralises it later).
    pub text: String,
    /// The id of the message this one replies to (thread root or referenced message).
    pub thread: Option<String>,
    /// Replies the platform says it has that the channel history does not show (Slack
    /// threads); 0 when replies appear in the history itself (Discord).
    pub replies: u32,
    /// A permalink, when the adapter can build one.
    pub link: Option<String>,
}

/// A channel as the scanner knows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Channel {
    pub id: String,
    /// Its name without `#`, when known.
    pub name: Option<String>,
}

impl Channel {
    /// A channel known only by id.
    pub fn id_only(id: impl Into<String>) -> Self {
        Self {
            id: id.into(),
            name: None,
        }
    }

    /// `#name`, or the id when the name is unknown.
    pub fn label(&self) -> String {
        match &self.name {
            Some(n) if !n.is_empty() => format!("#{n}"),
            _ => format!("#{}", self.id),
        }
    }
}

/// Who the scanner's bot is on the platform: its messages are never findings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Identity {
    /// Every id the bot posts as (Slack user id and bot id, Discord user id).
    pub ids: Vec<String>,
    /// Its display name.
    pub name: Option<String>,
}

impl Identity {
    /// True when `m` was posted by the bot itself, or asks the bot (`<@BOT>` mention).
    pub fn is_self(&self, m: &ChatMessage) -> bool {
        self.ids.iter().any(|id| {
            !id.is_empty() && (m.author_id == *id || m.text.contains(&format!("<@{id}>")))
        })
    }
}

/// What a paged read returned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listing<T> {
    pub items: Vec<T>,
    /// True when a cap cut the read short.
    pub truncated: bool,
}

impl<T> Default for Listing<T> {
    fn default() -> Self {
        Self {
            items: Vec::new(),
            truncated: false,
        }
    }
}

impl<T> From<sremesh_chat::Window<T>> for Listing<T> {
    fn from(w: sremesh_chat::Window<T>) -> Self {
        Self {
            items: w.items,
            truncated: w.truncated,
        }
    }
}
