//! The Slack Web API subset the mesh uses: `auth.test`, `conversations.history|replies|info`,
//! `users.conversations`, `chat.postMessage`, `chat.update` — at `/api/<method>`, answering as
//! Slack does (HTTP 200 with `ok: false` and an error code for API errors).

mod params;
mod world;

pub(crate) use world::SlackWorld;

use crate::Shared;
use crate::record::{PostAction, Posted};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use http::{HeaderMap, StatusCode};
use params::{BadParam, Params};
use serde_json::{Value, json};
use sremesh_core::Platform;
use sremesh_scenario::ids;
use std::sync::Arc;
use world::{BOT_ID, BOT_USER, Msg, TEAM, channel_json, message_json};

/// Slack's longest message text.
const MAX_TEXT: usize = 40_000;

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/api/{method}", any(call))
        .with_state(shared)
}

fn ok(mut v: Value) -> Response {
    v["ok"] = json!(true);
    axum::Json(v).into_response()
}

fn err(code: &str) -> Response {
    axum::Json(json!({"ok": false, "error": code})).into_response()
}

fn invalid(e: BadParam) -> Response {
    axum::Json(json!({"ok": false, "error": "invalid_arguments",
        "response_metadata": {"messages": [format!("[ERROR] {}", e.0)]}}))
    .into_response()
}

async fn call(
    State(s): State<Arc<Shared>>,
    Path(method): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let p = match Params::parse(query.as_deref(), &headers, &body) {
        Ok(p) => p,
        Err(e) => return invalid(e),
    };
    if p.token(&headers).is_none() {
        return err("not_authed");
    }
    tracing::debug!(method = %method, "slack api call");
    let r = match method.as_str() {
        "auth.test" => Ok(auth_test()),
        "conversations.history" => history(&s, &p),
        "conversations.replies" => replies(&s, &p),
        "conversations.info" => info(&s, &p),
        "users.conversations" | "conversations.list" => conversations(&s, &p),
        "chat.postMessage" => post(&s, &p),
        "chat.update" => update(&s, &p),
        _ => {
            return (
                StatusCode::NOT_FOUND,
                axum::Json(json!({"ok": false, "error": "unknown_method", "req_method": method})),
            )
                .into_response();
        }
    };
    r.unwrap_or_else(invalid)
}

fn auth_test() -> Response {
    ok(json!({
        "url": "https://sremesh-sandbox.slack.com/", "team": "sremesh sandbox", "user": "sremesh",
        "team_id": TEAM, "user_id": BOT_USER, "bot_id": BOT_ID, "is_enterprise_install": false,
    }))
}

/// Bounds shared by history and replies: `oldest`, `latest`, `inclusive`.
struct Range {
    oldest: i64,
    latest: i64,
    inclusive: bool,
}

impl Range {
    fn parse(p: &Params) -> Result<Self, BadParam> {
        let bound = |k: &str, default: i64| -> Result<i64, BadParam> {
            match p.text(k) {
                None => Ok(default),
                Some(t) => ids::parse_slack_ts(&t)
                    .ok_or_else(|| BadParam(format!("{k}: '{t}' is not a timestamp"))),
            }
        };
        Ok(Self {
            oldest: bound("oldest", 0)?,
            latest: bound("latest", i64::MAX)?,
            inclusive: p.bool("inclusive"),
        })
    }

    fn contains(&self, m: i64) -> bool {
        if self.inclusive {
            m >= self.oldest && m <= self.latest
        } else {
            m > self.oldest && m < self.latest
        }
    }
}

/// `limit` clamped as Slack does (default `default`, at most 999, 0 means default).
fn limit(p: &Params, default: usize) -> Result<usize, BadParam> {
    Ok(match p.int("limit")? {
        None | Some(0) => default,
        Some(n) if n < 0 => return Err(BadParam(format!("limit: {n} must be positive"))),
        Some(n) => usize::try_from(n).unwrap_or(999).min(999),
    })
}

/// Cursors are opaque to clients: hex of `next:<index>`.
fn cursor_encode(i: usize) -> String {
    hex::encode(format!("next:{i}"))
}

fn cursor_decode(p: &Params) -> Result<Option<usize>, &'static str> {
    let Some(c) = p.str("cursor") else {
        return Ok(None);
    };
    hex::decode(c)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| s.strip_prefix("next:").and_then(|n| n.parse().ok()))
        .map(Some)
        .ok_or("invalid_cursor")
}

/// One page of `items` starting at the cursor; adds `has_more` and `response_metadata`.
fn page(items: Vec<Value>, start: usize, limit: usize, key: &str) -> Response {
    let end = start.saturating_add(limit).min(items.len());
    let more = end < items.len();
    let slice = items
        .get(start.min(items.len())..end)
        .unwrap_or_default()
        .to_vec();
    ok(json!({
        key: slice,
        "has_more": more,
        "response_metadata": {"next_cursor": if more { cursor_encode(end) } else { String::new() }},
    }))
}

fn history(s: &Shared, p: &Params) -> Result<Response, BadParam> {
    let Some(id) = p.str("channel") else {
        return Ok(err("channel_not_found"));
    };
    let range = Range::parse(p)?;
    let limit = limit(p, 100)?;
    let w = s.slack();
    let Some(c) = w.channel(id) else {
        return Ok(err("channel_not_found"));
    };
    let start = match cursor_decode(p) {
        Ok(c) => c.unwrap_or(0),
        Err(code) => return Ok(err(code)),
    };
    // Newest first, thread replies left out (as Slack does unless broadcast).
    let items: Vec<Value> = c
        .messages
        .iter()
        .rev()
        .filter(|m| !m.is_reply() && range.contains(m.micros))
        .map(|m| message_json(c, m))
        .collect();
    Ok(page(items, start, limit, "messages"))
}

fn replies(s: &Shared, p: &Params) -> Result<Response, BadParam> {
    let Some(id) = p.str("channel") else {
        return Ok(err("channel_not_found"));
    };
    let Some(ts) = p.text("ts") else {
        return Err(BadParam("ts: required".into()));
    };
    let range = Range::parse(p)?;
    let limit = limit(p, 1000)?;
    let w = s.slack();
    let Some(c) = w.channel(id) else {
        return Ok(err("channel_not_found"));
    };
    let Some(m) = c.messages.iter().find(|m| m.ts == ts) else {
        return Ok(err("thread_not_found"));
    };
    let root = m.thread_ts.clone().unwrap_or_else(|| m.ts.clone());
    let start = match cursor_decode(p) {
        Ok(c) => c.unwrap_or(0),
        Err(code) => return Ok(err(code)),
    };
    // The parent first, then the replies oldest first.
    let items: Vec<Value> = c
        .messages
        .iter()
        .filter(|m| m.ts == root || m.thread_ts.as_deref() == Some(root.as_str()))
        .filter(|m| m.ts == root || range.contains(m.micros))
        .map(|m| message_json(c, m))
        .collect();
    Ok(page(items, start, limit, "messages"))
}

fn info(s: &Shared, p: &Params) -> Result<Response, BadParam> {
    let w = s.slack();
    Ok(match p.str("channel").and_then(|id| w.channel(id)) {
        Some(c) => ok(json!({"channel": channel_json(c)})),
        None => err("channel_not_found"),
    })
}

fn conversations(s: &Shared, p: &Params) -> Result<Response, BadParam> {
    let limit = limit(p, 100)?;
    let start = match cursor_decode(p) {
        Ok(c) => c.unwrap_or(0),
        Err(code) => return Ok(err(code)),
    };
    let w = s.slack();
    // The bot is a member of every channel in the scenario.
    let items: Vec<Value> = w.channels.iter().map(channel_json).collect();
    Ok(page(items, start, limit, "channels"))
}

fn post(s: &Shared, p: &Params) -> Result<Response, BadParam> {
    let Some(id) = p.str("channel") else {
        return Ok(err("channel_not_found"));
    };
    let text = p.text("text").unwrap_or_default();
    let blocks = p.json("blocks")?;
    let attachments = p.json("attachments")?;
    if text.is_empty() && blocks.is_none() && attachments.is_none() {
        return Ok(err("no_text"));
    }
    if text.chars().count() > MAX_TEXT {
        return Ok(err("msg_too_long"));
    }
    let now = ids::micros(s.clock.now());
    let mut w = s.slack();
    let Some(c) = w.channel_mut(id) else {
        return Ok(err("channel_not_found"));
    };
    let thread_ts = match p.text("thread_ts") {
        None => None,
        Some(t) => match c.messages.iter().find(|m| m.ts == t) {
            // A reply to a reply lands in the same thread, as in Slack.
            Some(m) => Some(m.thread_ts.clone().unwrap_or(t)),
            None => return Ok(err("thread_not_found")),
        },
    };
    let micros = c
        .messages
        .iter()
        .map(|m| m.micros)
        .max()
        .map_or(now, |last| now.max(last.saturating_add(1)));
    let ts = ids::format_slack_ts(micros);
    if let Some(root) = &thread_ts
        && let Some(r) = c.messages.iter_mut().find(|m| m.ts == *root)
    {
        r.thread_ts = Some(root.clone());
    }
    let msg = Msg {
        ts: ts.clone(),
        micros,
        user: BOT_USER.into(),
        bot_id: Some(BOT_ID.into()),
        text: text.clone(),
        thread_ts: thread_ts.clone(),
        blocks,
        attachments,
        edited: None,
    };
    c.messages.push(msg);
    let channel = c.id.clone();
    let view = c
        .messages
        .last()
        .map(|m| message_json(c, m))
        .unwrap_or_default();
    drop(w);
    s.record(Posted {
        platform: Platform::Slack,
        action: PostAction::Post,
        channel: channel.clone(),
        id: ts.clone(),
        thread: thread_ts,
        text,
        at: s.clock.now(),
        request: p.without_token(),
    });
    Ok(ok(json!({"channel": channel, "ts": ts, "message": view})))
}

fn update(s: &Shared, p: &Params) -> Result<Response, BadParam> {
    let Some(id) = p.str("channel") else {
        return Ok(err("channel_not_found"));
    };
    let Some(ts) = p.text("ts") else {
        return Ok(err("message_not_found"));
    };
    let text = p.text("text");
    let blocks = p.json("blocks")?;
    let attachments = p.json("attachments")?;
    if text.is_none() && blocks.is_none() && attachments.is_none() {
        return Ok(err("no_text"));
    }
    if text.as_ref().is_some_and(|t| t.chars().count() > MAX_TEXT) {
        return Ok(err("msg_too_long"));
    }
    let edited = ids::slack_ts(s.clock.now());
    let mut w = s.slack();
    let Some(c) = w.channel_mut(id) else {
        return Ok(err("channel_not_found"));
    };
    let Some(m) = c.messages.iter_mut().find(|m| m.ts == ts) else {
        return Ok(err("message_not_found"));
    };
    if m.user != BOT_USER {
        return Ok(err("cant_update_message"));
    }
    if let Some(t) = &text {
        m.text = t.clone();
    }
    if blocks.is_some() {
        m.blocks = blocks;
    }
    if attachments.is_some() {
        m.attachments = attachments;
    }
    m.edited = Some(edited);
    let (thread, new_text) = (m.thread_ts.clone().filter(|t| *t != ts), m.text.clone());
    let channel = c.id.clone();
    let view = c
        .messages
        .iter()
        .find(|m| m.ts == ts)
        .map(|m| message_json(c, m))
        .unwrap_or_default();
    drop(w);
    s.record(Posted {
        platform: Platform::Slack,
        action: PostAction::Update,
        channel: channel.clone(),
        id: ts.clone(),
        thread,
        text: new_text.clone(),
        at: s.clock.now(),
        request: p.without_token(),
    });
    Ok(ok(
        json!({"channel": channel, "ts": ts, "text": new_text, "message": view}),
    ))
}
