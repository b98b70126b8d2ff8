//! The Slack Web API client: the methods sremesh calls, with typed requests and answers, the
//! bot token as `Authorization: Bearer`, explicit timeouts and retries.

mod types;

pub use types::*;

use crate::retry::{self, Failure};
use crate::{ApiError, RetryPolicy, Window};
use jiff::Timestamp;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use sremesh_core::{Platform, SecretSource};
use std::sync::Arc;

const SLACK: Platform = Platform::Slack;

/// Largest page Slack recommends for history reads.
const PAGE: usize = 200;

/// A Slack Web API client. Cheap to clone.
#[derive(Clone)]
pub struct SlackApi {
    http: reqwest::Client,
    base: String,
    token: Arc<dyn SecretSource>,
    retry: RetryPolicy,
    limit: usize,
    page: usize,
}

impl std::fmt::Debug for SlackApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SlackApi")
            .field("base", &self.base)
            .field("retry", &self.retry)
            .field("limit", &self.limit)
            .finish()
    }
}

/// A request body, encoded once and re-sent as is on retries.
enum Body {
    Form(String),
    Json(Vec<u8>),
}

impl SlackApi {
    /// The real Slack Web API.
    pub const DEFAULT_BASE_URL: &'static str = "https://slack.com/api";

    /// A client for the Web API at `base_url` (`https://slack.com/api`, or a sandbox's
    /// `http://127.0.0.1:P/api`) with the default [`RetryPolicy`].
    pub fn new(base_url: &str, token: Arc<dyn SecretSource>) -> Result<Self, ApiError> {
        let base = base_url.trim_end_matches('/').to_owned();
        if !(base.starts_with("https://") || base.starts_with("http://")) {
            return Err(ApiError::Config {
                platform: SLACK,
                reason: format!("base URL '{base_url}' is not an http(s) URL"),
            });
        }
        Ok(Self {
            http: retry::http_client(SLACK)?,
            base,
            token,
            retry: RetryPolicy::default(),
            page: PAGE,
            limit: crate::render::SLACK_LIMIT,
        })
    }

    /// The same client with another retry policy.
    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// The retry policy in use.
    pub fn retry_policy(&self) -> RetryPolicy {
        self.retry
    }

    /// The same client splitting messages at `limit` characters instead of the platform's
    /// (tests use small limits; see [`crate::render::MIN_LIMIT`]).
    pub fn with_message_limit(mut self, limit: usize) -> Self {
        self.limit = limit;
        self
    }

    /// The same client reading pages of at most `page` items in the paging helpers (tests
    /// use small pages to exercise paging).
    pub fn with_page_size(mut self, page: usize) -> Self {
        self.page = page.clamp(1, PAGE);
        self
    }

    /// The longest message part this client posts.
    pub fn message_limit(&self) -> usize {
        self.limit
    }

    /// `auth.test`.
    pub async fn auth_test(&self) -> Result<AuthTest, ApiError> {
        self.call("auth.test", Body::Form(String::new()), true)
            .await
    }

    /// One page of `conversations.history` (newest first, as Slack answers).
    pub async fn conversations_history(
        &self,
        req: &HistoryRequest,
    ) -> Result<MessagesPage, ApiError> {
        let w: WireMessages = self.call("conversations.history", form(req)?, true).await?;
        Ok(MessagesPage {
            messages: w.messages,
            has_more: w.has_more,
            next_cursor: cursor(w.response_metadata),
        })
    }

    /// Every top-level message of `channel` posted in `[oldest, latest]`, paging through the
    /// window; at most `cap` (the newest ones), returned oldest first.
    pub async fn history_window(
        &self,
        channel: &str,
        oldest: Timestamp,
        latest: Timestamp,
        cap: usize,
    ) -> Result<Window<SlackMessage>, ApiError> {
        let mut req = HistoryRequest {
            channel: channel.to_owned(),
            oldest: Some(ts_of(oldest)),
            latest: Some(ts_of(latest)),
            inclusive: true,
            limit: Some(page_size(cap, self.page)),
            cursor: None,
        };
        let mut items = Vec::new();
        loop {
            let page = self.conversations_history(&req).await?;
            items.extend(page.messages);
            let next = page.next_cursor.filter(|_| page.has_more);
            if items.len() >= cap || next.is_none() || next == req.cursor {
                let truncated = items.len() > cap || next.is_some();
                items.truncate(cap);
                items.reverse();
                return Ok(Window { items, truncated });
            }
            req.cursor = next;
        }
    }

    /// One page of `conversations.replies` (the parent first, then replies oldest first).
    pub async fn conversations_replies(
        &self,
        req: &RepliesRequest,
    ) -> Result<MessagesPage, ApiError> {
        let w: WireMessages = self.call("conversations.replies", form(req)?, true).await?;
        Ok(MessagesPage {
            messages: w.messages,
            has_more: w.has_more,
            next_cursor: cursor(w.response_metadata),
        })
    }

    /// The thread of `ts` (parent first), at most `cap` messages.
    pub async fn thread(
        &self,
        channel: &str,
        ts: &str,
        cap: usize,
    ) -> Result<Window<SlackMessage>, ApiError> {
        let mut req = RepliesRequest {
            channel: channel.to_owned(),
            ts: ts.to_owned(),
            limit: Some(page_size(cap, self.page)),
            ..RepliesRequest::default()
        };
        let mut items = Vec::new();
        loop {
            let page = self.conversations_replies(&req).await?;
            items.extend(page.messages);
            let next = page.next_cursor.filter(|_| page.has_more);
            if items.len() >= cap || next.is_none() || next == req.cursor {
                let truncated = items.len() > cap || next.is_some();
                items.truncate(cap);
                return Ok(Window { items, truncated });
            }
            req.cursor = next;
        }
    }

    /// `conversations.info`.
    pub async fn conversations_info(&self, channel: &str) -> Result<SlackChannel, ApiError> {
        let w: WireChannel = self
            .call("conversations.info", form(&[("channel", channel)])?, true)
            .await?;
        Ok(w.channel)
    }

    /// One page of `users.conversations`.
    pub async fn users_conversations(
        &self,
        req: &ConversationsRequest,
    ) -> Result<ChannelsPage, ApiError> {
        let w: WireChannels = self.call("users.conversations", form(req)?, true).await?;
        Ok(ChannelsPage {
            channels: w.channels,
            next_cursor: cursor(w.response_metadata),
        })
    }

    /// The channels the bot is a member of (public and private, not archived), at most `cap`.
    pub async fn my_channels(&self, cap: usize) -> Result<Window<SlackChannel>, ApiError> {
        let mut req = ConversationsRequest {
            types: Some("public_channel,private_channel".into()),
            exclude_archived: true,
            limit: Some(page_size(cap, self.page)),
            cursor: None,
        };
        let mut items = Vec::new();
        loop {
            let page = self.users_conversations(&req).await?;
            items.extend(page.channels);
            if items.len() >= cap || page.next_cursor.is_none() || page.next_cursor == req.cursor {
                let truncated = items.len() > cap || page.next_cursor.is_some();
                items.truncate(cap);
                return Ok(Window { items, truncated });
            }
            req.cursor = page.next_cursor;
        }
    }

    /// `chat.postMessage` with `unfurl_links=false`, `unfurl_media=false`, no `link_names`.
    /// Not idempotent: retried on 429, 5xx and refused connections only, so a timeout is
    /// returned as [`ApiError::Timeout`] (the message may have landed).
    pub async fn chat_post_message(&self, msg: &PostMessage) -> Result<PostedMessage, ApiError> {
        let mut body = json!({
            "channel": msg.channel, "text": msg.text,
            "unfurl_links": false, "unfurl_media": false,
        });
        if let Some(t) = &msg.thread_ts {
            body["thread_ts"] = json!(t);
        }
        self.call(
            "chat.postMessage",
            Body::Json(body.to_string().into_bytes()),
            false,
        )
        .await
    }

    /// `chat.update` (idempotent: retried on every transient failure).
    pub async fn chat_update(&self, msg: &UpdateMessage) -> Result<UpdatedMessage, ApiError> {
        let body = json!({"channel": msg.channel, "ts": msg.ts, "text": msg.text});
        self.call(
            "chat.update",
            Body::Json(body.to_string().into_bytes()),
            true,
        )
        .await
    }

    async fn call<T: DeserializeOwned>(
        &self,
        method: &'static str,
        body: Body,
        idempotent: bool,
    ) -> Result<T, ApiError> {
        let token = self
            .token
            .get()
            .await
            .map_err(|source| ApiError::Credential {
                platform: SLACK,
                source,
            })?;
        let url = format!("{}/{method}", self.base);
        retry::run(&self.retry, SLACK, method, idempotent, |timeout| {
            let req = self.http.post(&url).bearer_auth(token.expose());
            let req = match &body {
                Body::Form(f) => req
                    .header(
                        http::header::CONTENT_TYPE,
                        "application/x-www-form-urlencoded",
                    )
                    .body(f.clone()),
                Body::Json(j) => req
                    .header(
                        http::header::CONTENT_TYPE,
                        "application/json; charset=utf-8",
                    )
                    .body(j.clone()),
            };
            async move {
                let resp = req
                    .send()
                    .await
                    .map_err(|e| Failure::from_reqwest(&e, timeout, SLACK))?;
                let status = resp.status();
                let retry_after = retry::retry_after_header(resp.headers());
                let bytes = resp
                    .bytes()
                    .await
                    .map_err(|e| Failure::from_reqwest(&e, timeout, SLACK))?;
                classify(status, retry_after, &bytes)
            }
        })
        .await
    }
}

fn page_size(cap: usize, page: usize) -> u32 {
    u32::try_from(cap.clamp(1, page)).unwrap_or(200)
}

fn form<T: serde::Serialize + ?Sized>(params: &T) -> Result<Body, ApiError> {
    serde_urlencoded::to_string(params)
        .map(Body::Form)
        .map_err(|e| ApiError::Config {
            platform: SLACK,
            reason: format!("cannot encode the parameters: {e}"),
        })
}

/// Slack's answer to one attempt: HTTP status first, then `ok` / `error`.
fn classify<T: DeserializeOwned>(
    status: http::StatusCode,
    retry_after: Option<std::time::Duration>,
    bytes: &[u8],
) -> Result<T, Failure> {
    if status == http::StatusCode::TOO_MANY_REQUESTS {
        return Err(Failure::RateLimited(retry_after));
    }
    if status.is_server_error() {
        return Err(Failure::Unavailable(format!("HTTP {}", status.as_u16())));
    }
    let parsed = serde_json::from_slice::<Value>(bytes);
    if !status.is_success() {
        let error = parsed
            .ok()
            .and_then(|v| v.get("error").and_then(Value::as_str).map(str::to_owned))
            .unwrap_or_else(|| format!("http_{}", status.as_u16()));
        return Err(Failure::Refused {
            status: status.as_u16(),
            error,
            message: String::new(),
        });
    }
    let v = parsed.map_err(|e| Failure::Unreadable(e.to_string()))?;
    if v.get("ok").and_then(Value::as_bool) == Some(true) {
        return serde_json::from_value(v).map_err(|e| Failure::Unreadable(e.to_string()));
    }
    let error = v
        .get("error")
        .and_then(Value::as_str)
        .unwrap_or("unknown_error")
        .to_owned();
    Err(match error.as_str() {
        "ratelimited" | "rate_limited" => Failure::RateLimited(retry_after),
        "service_unavailable" | "request_timeout" => Failure::Unavailable(error),
        "internal_error" | "fatal_error" => Failure::Interrupted(error),
        _ => Failure::Refused {
            status: status.as_u16(),
            error,
            message: String::new(),
        },
    })
}
