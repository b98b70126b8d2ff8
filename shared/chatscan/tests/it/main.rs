//! Tests of the chat scanners' shared core through its public surface: name matching, target
//! extraction, vocabulary, planned activities' spans, the analyzers over synthetic channels, and the scan driver (paused
//! clock) over an in-memory source.

mod analyze;
mod names;
mod planned;
mod recognise;
mod scan;
mod targets;
mod vocab;

use jiff::{SignedDuration, Timestamp};
use sremesh_chatscan::ChatMessage;

/// The alert time of the synthetic cases.
pub fn now() -> Timestamp {
    "2026-03-30T10:25:00Z".parse().expect("a valid time")
}

/// A message `mins` minutes before [`now`] (negative: after).
pub fn msg(channel: &str, mins: i64, author: &str, bot: bool, text: &str) -> ChatMessage {
    let at = now() - SignedDuration::from_secs(mins * 60);
    ChatMessage {
        channel: channel.into(),
        id: format!("{}.{:06}", at.as_second(), (text.len() as i64) % 1_000_000),
        at,
        author_id: author.into(),
        author: author.into(),
        is_bot: bot,
        text: text.into(),
        thread: None,
        replies: 0,
        link: None,
    }
}
