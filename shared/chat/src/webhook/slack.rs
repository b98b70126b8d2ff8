//! Slack → intake: Events API bodies (`url_verification`, `event_callback` with `app_mention`),
//! slash-command forms, and the `X-Slack-Retry-*` headers of redeliveries.

use super::{ParseError, json_object, opt_str, req_obj, req_str};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Header with the redelivery count (absent on the first delivery).
pub const RETRY_NUM: &str = "x-slack-retry-num";
/// Header with the redelivery reason (`http_timeout`, `http_error` …).
pub const RETRY_REASON: &str = "x-slack-retry-reason";

/// An Events API request body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SlackEvent {
    /// Slack checks the endpoint: answer `{"challenge": challenge}`.
    UrlVerification { challenge: String },
    /// An event the app subscribed to.
    Callback(Box<EventCallback>),
    /// Another envelope type (`app_rate_limited` …): acknowledge and ignore.
    Other { kind: String },
}

/// The `event_callback` envelope.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventCallback {
    /// Unique per event; the same on redeliveries (a dedup key).
    pub event_id: String,
    pub team_id: Option<String>,
    pub event_time: Option<i64>,
    pub event: CallbackEvent,
}

/// The inner event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum CallbackEvent {
    AppMention(AppMention),
    /// Another event type: acknowledge and ignore.
    Other {
        event_type: String,
    },
}

/// Someone mentioned the bot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppMention {
    pub channel: String,
    /// The author (absent for some bot posts).
    pub user: Option<String>,
    pub text: String,
    pub ts: String,
    /// Set when the mention is a reply in a thread.
    pub thread_ts: Option<String>,
    /// Set when a bot or integration posted it.
    pub bot_id: Option<String>,
    pub event_ts: Option<String>,
    pub team: Option<String>,
}

impl AppMention {
    /// The thread the report goes in: the mention's thread, or the mention itself.
    pub fn thread(&self) -> &str {
        self.thread_ts.as_deref().unwrap_or(&self.ts)
    }

    /// When it was posted (from `ts`).
    pub fn time(&self) -> Option<Timestamp> {
        crate::slack::ts_time(&self.ts)
    }
}

/// Parses an Events API body.
pub fn parse_event(body: &[u8]) -> Result<SlackEvent, ParseError> {
    let v = json_object(body)?;
    let kind = req_str(&v, "type", "type")?;
    match kind.as_str() {
        "url_verification" => Ok(SlackEvent::UrlVerification {
            challenge: req_str(&v, "challenge", "challenge")?,
        }),
        "event_callback" => {
            let e = req_obj(&v, "event", "event")?;
            let event_type = req_str(e, "type", "event.type")?;
            let event = if event_type == "app_mention" {
                CallbackEvent::AppMention(AppMention {
                    channel: req_str(e, "channel", "event.channel")?,
                    user: opt_str(e, "user", "event.user")?,
                    text: req_str(e, "text", "event.text")?,
                    ts: ts_field(e, "ts", "event.ts")?.ok_or(ParseError::Missing("event.ts"))?,
                    thread_ts: ts_field(e, "thread_ts", "event.thread_ts")?,
                    bot_id: opt_str(e, "bot_id", "event.bot_id")?,
                    event_ts: ts_field(e, "event_ts", "event.event_ts")?,
                    team: opt_str(e, "team", "event.team")?,
                })
            } else {
                CallbackEvent::Other { event_type }
            };
            let event_time = match v.get("event_time") {
                None | Some(Value::Null) => None,
                Some(t) => Some(t.as_i64().ok_or(ParseError::Invalid {
                    field: "event_time",
                    expected: "an integer",
                })?),
            };
            Ok(SlackEvent::Callback(Box::new(EventCallback {
                event_id: req_str(&v, "event_id", "event_id")?,
                team_id: opt_str(&v, "team_id", "team_id")?,
                event_time,
                event,
            })))
        }
        _ => Ok(SlackEvent::Other { kind }),
    }
}

/// A Slack `ts` field: a string of digits with an optional 1–6 digit fraction.
fn ts_field(v: &Value, key: &str, field: &'static str) -> Result<Option<String>, ParseError> {
    let ts = opt_str(v, key, field)?;
    match ts {
        Some(t) if crate::slack::ts_time(&t).is_none() => Err(ParseError::Invalid {
            field,
            expected: "a Slack timestamp like 1776507900.000100",
        }),
        t => Ok(t),
    }
}

/// A slash command (`application/x-www-form-urlencoded`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlashCommand {
    /// `/sre-snapshot`.
    pub command: String,
    /// What followed the command (may be empty).
    pub text: String,
    pub channel_id: String,
    pub user_id: String,
    /// Where delayed answers go (valid 30 minutes).
    pub response_url: Option<String>,
    pub trigger_id: Option<String>,
    pub team_id: Option<String>,
    pub channel_name: Option<String>,
}

/// Parses a slash-command form body.
pub fn parse_command(body: &[u8]) -> Result<SlashCommand, ParseError> {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_bytes(body).map_err(|e| ParseError::Form(e.to_string()))?;
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
    };
    let req = |k: &'static str| {
        get(k)
            .filter(|v| !v.is_empty())
            .ok_or(ParseError::Missing(k))
    };
    let command = req("command")?;
    if !command.starts_with('/') {
        return Err(ParseError::Invalid {
            field: "command",
            expected: "a command starting with /",
        });
    }
    Ok(SlashCommand {
        command,
        text: get("text").unwrap_or_default(),
        channel_id: req("channel_id")?,
        user_id: req("user_id")?,
        response_url: get("response_url").filter(|v| !v.is_empty()),
        trigger_id: get("trigger_id").filter(|v| !v.is_empty()),
        team_id: get("team_id").filter(|v| !v.is_empty()),
        channel_name: get("channel_name").filter(|v| !v.is_empty()),
    })
}

/// A redelivery of an event Slack thinks we missed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlackRetry {
    /// 1 for the first redelivery.
    pub num: u32,
    /// `http_timeout`, `http_error`, … (empty when Slack gave none).
    pub reason: String,
}

/// The `X-Slack-Retry-Num` / `X-Slack-Retry-Reason` headers: `None` on a first delivery.
pub fn retry_of(headers: &http::HeaderMap) -> Result<Option<SlackRetry>, ParseError> {
    let Some(num) = headers.get(RETRY_NUM) else {
        return Ok(None);
    };
    let num = num
        .to_str()
        .ok()
        .and_then(|n| n.trim().parse::<u32>().ok())
        .ok_or(ParseError::Invalid {
            field: RETRY_NUM,
            expected: "a non-negative integer",
        })?;
    let reason = headers
        .get(RETRY_REASON)
        .and_then(|r| r.to_str().ok())
        .unwrap_or_default()
        .trim()
        .to_owned();
    Ok(Some(SlackRetry { num, reason }))
}

/// True when the body is a slash-command form rather than an Events API JSON body (for the
/// one endpoint that takes both): by content type.
pub fn is_command(content_type: Option<&str>) -> bool {
    content_type.is_some_and(|ct| {
        ct.trim()
            .to_ascii_lowercase()
            .starts_with("application/x-www-form-urlencoded")
    })
}
