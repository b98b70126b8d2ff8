//! Delivery: the one trait the master and the intake post through, implemented for Slack and
//! Discord. A platform supplies "send one part" and "edit one part"; splitting, ordering,
//! growing an edited message and notices are written once, here.

use crate::discord::CreateMessage;
use crate::render::{Dialect, Render, split};
use crate::slack::{PostMessage, UpdateMessage};
use crate::{ApiError, DiscordApi, SlackApi};
use serde::{Deserialize, Serialize};
use sremesh_core::Platform;
use std::fmt;
use std::future::Future;
use std::pin::Pin;

/// Where a message goes: a channel, and the thread in it when there is one (Slack `thread_ts`;
/// for Discord, the message the parts reply to).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Target {
    pub platform: Platform,
    pub channel: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thread: Option<String>,
}

impl Target {
    /// A channel, top level.
    pub fn channel(platform: Platform, channel: impl Into<String>) -> Self {
        Self {
            platform,
            channel: channel.into(),
            thread: None,
        }
    }

    /// The same channel, in `thread`.
    pub fn in_thread(mut self, thread: impl Into<String>) -> Self {
        self.thread = Some(thread.into());
        self
    }
}

/// One posted part: enough to edit it later (keep the whole `Vec` a post returned).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct MessageRef {
    pub platform: Platform,
    pub channel: String,
    /// Slack `ts` or Discord message id.
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thread: Option<String>,
}

impl MessageRef {
    /// Where this part was posted (for more parts in the same place).
    pub fn target(&self) -> Target {
        Target {
            platform: self.platform,
            channel: self.channel.clone(),
            thread: self.thread.clone(),
        }
    }
}

/// A message that could not be delivered (it never panics).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DeliveryError {
    /// Part `part` of `parts` failed; `delivered` landed before it. `source` says whether to
    /// retry ([`ApiError::is_retryable`]).
    #[error("part {part} of {parts} was not delivered: {source}")]
    Api {
        part: usize,
        parts: usize,
        delivered: Vec<MessageRef>,
        #[source]
        source: ApiError,
    },
    /// A target (or message) of one platform was handed to the other's client: a bug.
    #[error("a {} target was handed to the {} client", target.as_str(), client.as_str())]
    WrongPlatform { target: Platform, client: Platform },
    /// The rendered message is blank, or there was no message to update: nothing was sent.
    #[error("nothing to send")]
    Empty,
}

impl DeliveryError {
    /// The API failure behind it, if any.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            DeliveryError::Api { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// A future of one part's call.
pub type ApiFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, ApiError>> + Send + 'a>>;
/// A future of a delivery.
pub type ChatFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, DeliveryError>> + Send + 'a>>;

/// What an edited part no longer needed by a shorter message says.
pub const SUPERSEDED: &str = "⤴ (merged into the message above)";

/// A chat platform the mesh posts to.
pub trait ChatPlatform: Send + Sync + fmt::Debug {
    /// Which platform this is.
    fn platform(&self) -> Platform;
    /// The longest part (characters; `render::SLACK_LIMIT` / `render::DISCORD_LIMIT`).
    fn limit(&self) -> usize;
    /// Posts one part (already within the limit).
    fn send_part<'a>(&'a self, target: &'a Target, text: &'a str) -> ApiFuture<'a, MessageRef>;
    /// Replaces one part's text.
    fn edit_part<'a>(&'a self, part: &'a MessageRef, text: &'a str) -> ApiFuture<'a, MessageRef>;

    /// The markup this platform renders.
    fn dialect(&self) -> Dialect {
        Dialect::of(self.platform())
    }

    /// Renders `message`, splits it and posts every part in order (in `target`'s thread).
    fn post<'a>(
        &'a self,
        target: &'a Target,
        message: &dyn Render,
    ) -> ChatFuture<'a, Vec<MessageRef>> {
        let parts = split(&message.render(self.dialect()), self.limit());
        Box::pin(async move {
            if target.platform != self.platform() {
                return Err(DeliveryError::WrongPlatform {
                    target: target.platform,
                    client: self.platform(),
                });
            }
            if parts.is_empty() {
                return Err(DeliveryError::Empty);
            }
            let n = parts.len();
            let mut refs = Vec::with_capacity(n);
            for (i, p) in parts.iter().enumerate() {
                match self.send_part(target, p).await {
                    Ok(r) => refs.push(r),
                    Err(source) => {
                        return Err(DeliveryError::Api {
                            part: i + 1,
                            parts: n,
                            delivered: refs,
                            source,
                        });
                    }
                }
            }
            tracing::info!(name: "chat_delivered", platform = self.platform().as_str(),
                channel = %target.channel, parts = n, "chat message delivered");
            Ok(refs)
        })
    }

    /// Edits a posted message (every part `post` returned) to `message`, in place. Extra parts
    /// are posted after the last one; parts no longer needed say [`SUPERSEDED`]. Returns every
    /// part's ref (keep it for the next update).
    fn update<'a>(
        &'a self,
        previous: &'a [MessageRef],
        message: &dyn Render,
    ) -> ChatFuture<'a, Vec<MessageRef>> {
        let parts = split(&message.render(self.dialect()), self.limit());
        Box::pin(async move {
            let Some(first) = previous.first() else {
                return Err(DeliveryError::Empty);
            };
            if let Some(other) = previous.iter().find(|r| r.platform != self.platform()) {
                return Err(DeliveryError::WrongPlatform {
                    target: other.platform,
                    client: self.platform(),
                });
            }
            if parts.is_empty() {
                return Err(DeliveryError::Empty);
            }
            let target = first.target();
            let n = parts.len().max(previous.len());
            let mut refs = Vec::with_capacity(n);
            for i in 0..n {
                let text = parts.get(i).map_or(SUPERSEDED, String::as_str);
                let done = match previous.get(i) {
                    Some(old) => self.edit_part(old, text).await,
                    None => self.send_part(&target, text).await,
                };
                match done {
                    Ok(r) => refs.push(r),
                    Err(source) => {
                        return Err(DeliveryError::Api {
                            part: i + 1,
                            parts: n,
                            delivered: refs,
                            source,
                        });
                    }
                }
            }
            tracing::info!(name: "chat_updated", platform = self.platform().as_str(),
                channel = %first.channel, parts = parts.len(), "chat message updated");
            Ok(refs)
        })
    }

    /// Posts a short message we wrote ourselves (a nudge, an acknowledgement); longer text is
    /// split like any message. Returns the first part.
    fn notice<'a>(&'a self, target: &'a Target, text: &'a str) -> ChatFuture<'a, MessageRef> {
        let posted = self.post(target, &text);
        Box::pin(async move {
            let refs = posted.await?;
            refs.into_iter().next().ok_or(DeliveryError::Empty)
        })
    }
}

impl ChatPlatform for SlackApi {
    fn platform(&self) -> Platform {
        Platform::Slack
    }

    fn limit(&self) -> usize {
        self.message_limit()
    }

    fn send_part<'a>(&'a self, target: &'a Target, text: &'a str) -> ApiFuture<'a, MessageRef> {
        Box::pin(async move {
            let msg = PostMessage {
                channel: target.channel.clone(),
                text: text.to_owned(),
                thread_ts: target.thread.clone(),
            };
            let posted = self.chat_post_message(&msg).await?;
            Ok(MessageRef {
                platform: Platform::Slack,
                channel: posted.channel,
                id: posted.ts,
                thread: target.thread.clone(),
            })
        })
    }

    fn edit_part<'a>(&'a self, part: &'a MessageRef, text: &'a str) -> ApiFuture<'a, MessageRef> {
        Box::pin(async move {
            let msg = UpdateMessage {
                channel: part.channel.clone(),
                ts: part.id.clone(),
                text: text.to_owned(),
            };
            self.chat_update(&msg).await?;
            Ok(part.clone())
        })
    }
}

impl ChatPlatform for DiscordApi {
    fn platform(&self) -> Platform {
        Platform::Discord
    }

    fn limit(&self) -> usize {
        self.message_limit()
    }

    fn send_part<'a>(&'a self, target: &'a Target, text: &'a str) -> ApiFuture<'a, MessageRef> {
        Box::pin(async move {
            let msg = CreateMessage {
                content: text.to_owned(),
                reply_to: target.thread.clone(),
            };
            let m = self.create_message(&target.channel, &msg).await?;
            Ok(MessageRef {
                platform: Platform::Discord,
                channel: m.channel_id,
                id: m.id,
                thread: target.thread.clone(),
            })
        })
    }

    fn edit_part<'a>(&'a self, part: &'a MessageRef, text: &'a str) -> ApiFuture<'a, MessageRef> {
        Box::pin(async move {
            self.edit_message(&part.channel, &part.id, text).await?;
            Ok(part.clone())
        })
    }
}
