//! What the mesh posted: every `chat.postMessage` / `chat.update` and Discord create / edit,
//! in order, so tests and the demo can read the report as it landed.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use sremesh_core::Platform;

/// Whether a message was created or edited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PostAction {
    Post,
    Update,
}

/// One message the mesh posted or updated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Posted {
    pub platform: Platform,
    pub action: PostAction,
    pub channel: String,
    /// The message's id: Slack `ts` or Discord snowflake.
    pub id: String,
    /// The thread it went to: Slack `thread_ts`, or the Discord message it replies to.
    pub thread: Option<String>,
    /// The text (Slack `text`, Discord `content`) after this action.
    pub text: String,
    /// The sandbox clock when it was received.
    pub at: Timestamp,
    /// The request's fields as sent (blocks, embeds, allowed_mentions …), minus the token.
    pub request: serde_json::Value,
}
