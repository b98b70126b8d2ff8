//! The Discord REST client: the endpoints sremesh calls, with typed requests and answers, the
//! bot token as `Authorization: Bot`, explicit timeouts and retries; snowflake helpers.

mod snowflake;
mod types;

pub use snowflake::*;
pub use types::*;

use crate::retry::{self, Failure};
use crate::{ApiError, RetryPolicy, Window};
use jiff::Timestamp;
use reqwest::Method;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use sremesh_core::{Platform, SecretSource};
use std::sync::Arc;

const DISCORD: Platform = Platform::Discord;

/// Discord's largest page of messages.
const PAGE: usize = 100;

/// `SUPPRESS_EMBEDS`: links in our messages never unfurl.
const SUPPRESS_EMBEDS: u64 = 1 << 2;

/// A Discord REST client. Cheap to clone.
#[derive(Clone)]
pub struct DiscordApi {
    http: reqwest::Client,
    base: String,
    token: Arc<dyn SecretSource>,
    retry: RetryPolicy,
    limit: usize,
    page: usize,
}

impl std::fmt::Debug for DiscordApi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DiscordApi")
            .field("base", &self.base)
            .field("retry", &self.retry)
            .field("limit", &self.limit)
            .finish()
    }
}

fn id_of(what: &'static str, id: &str) -> Result<u64, ApiError> {
    parse_snowflake(id).ok_or_else(|| ApiError::Config {
        platform: DISCORD,
        reason: format!("{what} id '{id}' is not a snowflake"),
    })
}

impl DiscordApi {
    /// The real Discord API.
    pub const DEFAULT_BASE_URL: &'static str = "https://discord.com/api/v10";

    /// A client for the API at `base_url` (`https://discord.com/api/v10`, or a sandbox's
    /// `http://127.0.0.1:P/api/v10`) with the default [`RetryPolicy`].
    pub fn new(base_url: &str, token: Arc<dyn SecretSource>) -> Result<Self, ApiError> {
        let base = base_url.trim_end_matches('/').to_owned();
        if !(base.starts_with("https://") || base.starts_with("http://")) {
            return Err(ApiError::Config {
                platform: DISCORD,
                reason: format!("base URL '{base_url}' is not an http(s) URL"),
            });
        }
        Ok(Self {
            http: retry::http_client(DISCORD)?,
            base,
            token,
            retry: RetryPolicy::default(),
            page: PAGE,
            limit: crate::render::DISCORD_LIMIT,
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

    /// `GET /users/@me`: the bot user.
    pub async fn me(&self) -> Result<DiscordUser, ApiError> {
        self.call(Method::GET, "/users/@me".into(), None, true)
            .await
    }

    /// `GET /users/@me/guilds`.
    pub async fn my_guilds(&self) -> Result<Vec<Guild>, ApiError> {
        self.call(Method::GET, "/users/@me/guilds".into(), None, true)
            .await
    }

    /// `GET /guilds/{guild}/channels`.
    pub async fn guild_channels(&self, guild: &str) -> Result<Vec<DiscordChannel>, ApiError> {
        let g = id_of("guild", guild)?;
        self.call(Method::GET, format!("/guilds/{g}/channels"), None, true)
            .await
    }

    /// One page of `GET /channels/{channel}/messages` (newest first, as Discord answers).
    pub async fn channel_messages(
        &self,
        channel: &str,
        q: &MessagesQuery,
    ) -> Result<Vec<DiscordMessage>, ApiError> {
        let c = id_of("channel", channel)?;
        let query = serde_urlencoded::to_string(q).map_err(|e| ApiError::Config {
            platform: DISCORD,
            reason: e.to_string(),
        })?;
        let path = if query.is_empty() {
            format!("/channels/{c}/messages")
        } else {
            format!("/channels/{c}/messages?{query}")
        };
        self.call(Method::GET, path, None, true).await
    }

    /// The messages of `channel` with ids strictly between `after` and `before`, paging
    /// backwards from `before`; at most `cap` (the newest ones), returned oldest first.
    pub async fn messages_between(
        &self,
        channel: &str,
        after: u64,
        before: u64,
        cap: usize,
    ) -> Result<Window<DiscordMessage>, ApiError> {
        let limit = u8::try_from(cap.clamp(1, self.page)).unwrap_or(100);
        let mut items: Vec<DiscordMessage> = Vec::new();
        let mut cursor = before;
        loop {
            let q = MessagesQuery {
                before: Some(cursor),
                limit: Some(limit),
                ..MessagesQuery::default()
            };
            let page = self.channel_messages(channel, &q).await?;
            let full = page.len() >= usize::from(limit);
            let oldest = page.iter().map(DiscordMessage::snowflake).min();
            let reached_start = oldest.is_none_or(|o| o <= after);
            items.extend(
                page.into_iter()
                    .filter(|m| m.snowflake() > after && m.snowflake() < cursor),
            );
            let stuck = oldest.is_none_or(|o| o >= cursor);
            if items.len() >= cap || !full || reached_start || stuck {
                let truncated = items.len() > cap || (full && !reached_start && !stuck);
                items.sort_by_key(|m| std::cmp::Reverse(m.snowflake()));
                items.truncate(cap);
                items.reverse();
                return Ok(Window { items, truncated });
            }
            cursor = oldest.unwrap_or(after);
        }
    }

    /// The messages of `channel` posted in `[start, end]`, at most `cap` (the newest), oldest
    /// first.
    pub async fn messages_window(
        &self,
        channel: &str,
        start: Timestamp,
        end: Timestamp,
        cap: usize,
    ) -> Result<Window<DiscordMessage>, ApiError> {
        let (after, before) = window_bounds(start, end);
        self.messages_between(channel, after, before, cap).await
    }

    /// `GET /channels/{channel}/messages/{id}`.
    pub async fn message(&self, channel: &str, id: &str) -> Result<DiscordMessage, ApiError> {
        let (c, m) = (id_of("channel", channel)?, id_of("message", id)?);
        self.call(
            Method::GET,
            format!("/channels/{c}/messages/{m}"),
            None,
            true,
        )
        .await
    }

    /// `POST /channels/{channel}/messages` with `allowed_mentions: {"parse": []}`, embeds
    /// suppressed, and a nonce Discord enforces — so a retry after a timeout never posts twice.
    pub async fn create_message(
        &self,
        channel: &str,
        msg: &CreateMessage,
    ) -> Result<DiscordMessage, ApiError> {
        let c = id_of("channel", channel)?;
        let nonce: String = uuid::Uuid::new_v4()
            .simple()
            .to_string()
            .chars()
            .take(25)
            .collect();
        let mut body = json!({
            "content": msg.content,
            "allowed_mentions": {"parse": []},
            "flags": SUPPRESS_EMBEDS,
            "nonce": nonce,
            "enforce_nonce": true,
        });
        if let Some(r) = &msg.reply_to {
            let r = id_of("message", r)?;
            body["message_reference"] =
                json!({"message_id": r.to_string(), "fail_if_not_exists": false});
        }
        let path = format!("/channels/{c}/messages");
        self.call(Method::POST, path, Some(body), true).await
    }

    /// `PATCH /channels/{channel}/messages/{id}`: new content, still pinging nobody.
    pub async fn edit_message(
        &self,
        channel: &str,
        id: &str,
        content: &str,
    ) -> Result<DiscordMessage, ApiError> {
        let (c, m) = (id_of("channel", channel)?, id_of("message", id)?);
        let body = json!({
            "content": content,
            "allowed_mentions": {"parse": []},
            "flags": SUPPRESS_EMBEDS,
        });
        let path = format!("/channels/{c}/messages/{m}");
        self.call(Method::PATCH, path, Some(body), true).await
    }

    async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: String,
        body: Option<Value>,
        idempotent: bool,
    ) -> Result<T, ApiError> {
        let token = self
            .token
            .get()
            .await
            .map_err(|source| ApiError::Credential {
                platform: DISCORD,
                source,
            })?;
        let auth = format!("Bot {}", token.expose());
        let url = format!("{}{path}", self.base);
        let body = body.map(|b| b.to_string().into_bytes());
        let route = format!("{method} {}", path.split('?').next().unwrap_or(&path));
        retry::run(&self.retry, DISCORD, &route, idempotent, |timeout| {
            let mut req = self
                .http
                .request(method.clone(), &url)
                .header(http::header::AUTHORIZATION, &auth);
            if let Some(b) = &body {
                req = req
                    .header(http::header::CONTENT_TYPE, "application/json")
                    .body(b.clone());
            }
            async move {
                let resp = req
                    .send()
                    .await
                    .map_err(|e| Failure::from_reqwest(&e, timeout, DISCORD))?;
                let status = resp.status();
                let retry_after = retry::retry_after_header(resp.headers());
                let bytes = resp
                    .bytes()
                    .await
                    .map_err(|e| Failure::from_reqwest(&e, timeout, DISCORD))?;
                classify(status, retry_after, &bytes)
            }
        })
        .await
    }
}

/// Discord's answer to one attempt.
fn classify<T: DeserializeOwned>(
    status: http::StatusCode,
    retry_after: Option<std::time::Duration>,
    bytes: &[u8],
) -> Result<T, Failure> {
    if status.is_success() {
        return serde_json::from_slice(bytes).map_err(|e| Failure::Unreadable(e.to_string()));
    }
    let v: Value = serde_json::from_slice(bytes).unwrap_or(Value::Null);
    if status == http::StatusCode::TOO_MANY_REQUESTS {
        // The JSON body's `retry_after` (seconds, fractional) is the precise one.
        let body_wait = v
            .get("retry_after")
            .and_then(Value::as_f64)
            .filter(|s| s.is_finite() && *s >= 0.0)
            .map(|s| std::time::Duration::from_secs_f64(s.min(3600.0)));
        let wait = match (retry_after, body_wait) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        return Err(Failure::RateLimited(wait));
    }
    if status.is_server_error() {
        return Err(Failure::Unavailable(format!("HTTP {}", status.as_u16())));
    }
    Err(Failure::Refused {
        status: status.as_u16(),
        error: v
            .get("code")
            .and_then(Value::as_u64)
            .unwrap_or(0)
            .to_string(),
        message: v
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned(),
    })
}
