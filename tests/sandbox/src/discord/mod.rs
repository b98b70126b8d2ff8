//! The Discord REST API subset the mesh uses, at `/api/v10`: the bot user and its guilds, guild
//! channels, channel messages (paging with `before` / `after` / `around` / `limit`), creating
//! and editing messages — with Discord's error shapes (`{"message", "code"}`, 50035 form errors).

mod world;

pub(crate) use world::DiscordWorld;

use crate::Shared;
use crate::record::{PostAction, Posted};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post};
use http::{HeaderMap, StatusCode};
use serde_json::{Value, json};
use sremesh_core::Platform;
use std::collections::HashMap;
use std::sync::Arc;
use world::{Author, BOT_NAME, BOT_USER_ID, Msg, channel_json, message_json, user_json};

/// Discord's longest message content.
const MAX_CONTENT: usize = 2000;

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    let api = Router::new()
        .route("/users/@me", get(me))
        .route("/users/@me/guilds", get(guilds))
        .route("/guilds/{guild}", get(guild))
        .route("/guilds/{guild}/channels", get(guild_channels))
        .route("/channels/{channel}", get(channel))
        .route("/channels/{channel}/messages", get(list).post(create))
        .route(
            "/channels/{channel}/messages/{message}",
            get(one).patch(edit),
        )
        .fallback(|| async { error(StatusCode::NOT_FOUND, 0, "404: Not Found").into_response() })
        .layer(axum::middleware::from_fn(auth))
        .with_state(shared.clone());
    // Interaction webhooks: the interaction token authorizes, not a bot token.
    let hooks = Router::new()
        .route("/webhooks/{app}/{token}", post(followup))
        .route(
            "/webhooks/{app}/{token}/messages/@original",
            patch(edit_original),
        )
        .with_state(shared);
    Router::new().nest("/api/v10", hooks.merge(api))
}

/// A Discord API error: status and `{"message", "code", ...}` body.
#[derive(Debug)]
struct ApiError(StatusCode, Value);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.0, axum::Json(self.1)).into_response()
    }
}

type Answer = Result<Response, ApiError>;

fn error(status: StatusCode, code: u32, message: &str) -> ApiError {
    ApiError(status, json!({"message": message, "code": code}))
}

/// Discord's 400 "Invalid Form Body" with one field error.
fn form_error(field: &str, code: &str, message: &str) -> ApiError {
    ApiError(
        StatusCode::BAD_REQUEST,
        json!({
            "message": "Invalid Form Body", "code": 50035,
            "errors": {field: {"_errors": [{"code": code, "message": message}]}},
        }),
    )
}

/// `Authorization: Bot <token>` with any non-empty token.
async fn auth(headers: HeaderMap, req: Request, next: Next) -> Response {
    let ok = headers
        .get(http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bot "))
        .is_some_and(|t| !t.trim().is_empty());
    if ok {
        next.run(req).await
    } else {
        error(StatusCode::UNAUTHORIZED, 0, "401: Unauthorized").into_response()
    }
}

fn bot() -> Author {
    Author {
        id: BOT_USER_ID.into(),
        name: BOT_NAME.into(),
        bot: true,
    }
}

async fn me() -> Response {
    let mut u = user_json(&bot());
    u["verified"] = json!(true);
    u["flags"] = json!(0);
    axum::Json(u).into_response()
}

fn guild_json(id: &str) -> Value {
    json!({"id": id, "name": "sremesh sandbox", "icon": null, "owner": false,
        "permissions": "68608", "features": []})
}

async fn guilds(State(s): State<Arc<Shared>>) -> Response {
    let w = s.discord();
    let list: Vec<Value> = w.guild.iter().map(|g| guild_json(g)).collect();
    axum::Json(list).into_response()
}

async fn guild(State(s): State<Arc<Shared>>, Path(g): Path<String>) -> Answer {
    let w = s.discord();
    match &w.guild {
        Some(id) if *id == g => Ok(axum::Json(guild_json(id)).into_response()),
        _ => Err(error(StatusCode::NOT_FOUND, 10004, "Unknown Guild")),
    }
}

async fn guild_channels(State(s): State<Arc<Shared>>, Path(g): Path<String>) -> Answer {
    let w = s.discord();
    match &w.guild {
        Some(id) if *id == g => {
            let list: Vec<Value> = w
                .channels
                .iter()
                .enumerate()
                .map(|(i, c)| channel_json(c, id, i))
                .collect();
            Ok(axum::Json(list).into_response())
        }
        _ => Err(error(StatusCode::NOT_FOUND, 10004, "Unknown Guild")),
    }
}

async fn channel(State(s): State<Arc<Shared>>, Path(c): Path<String>) -> Answer {
    let w = s.discord();
    match (w.channels.iter().position(|x| x.id == c), &w.guild) {
        (Some(i), Some(g)) => Ok(axum::Json(channel_json(&w.channels[i], g, i)).into_response()),
        _ => Err(unknown_channel()),
    }
}

fn unknown_channel() -> ApiError {
    error(StatusCode::NOT_FOUND, 10003, "Unknown Channel")
}

fn snowflake_param(q: &HashMap<String, String>, k: &str) -> Result<Option<u64>, ApiError> {
    match q.get(k) {
        None => Ok(None),
        Some(v) => v.parse::<u64>().map(Some).map_err(|_| {
            form_error(
                k,
                "NUMBER_TYPE_COERCE",
                &format!("Value \"{v}\" is not snowflake."),
            )
        }),
    }
}

async fn list(
    State(s): State<Arc<Shared>>,
    Path(c): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Answer {
    let limit = match q.get("limit").map(|l| l.parse::<i64>()) {
        None => 50,
        Some(Ok(n)) if (1..=100).contains(&n) => n as usize,
        Some(Ok(n)) if n < 1 => {
            return Err(form_error(
                "limit",
                "NUMBER_TYPE_MIN",
                "int value should be greater than or equal to 1.",
            ));
        }
        Some(Ok(_)) => {
            return Err(form_error(
                "limit",
                "NUMBER_TYPE_MAX",
                "int value should be less than or equal to 100.",
            ));
        }
        Some(Err(_)) => {
            return Err(form_error(
                "limit",
                "NUMBER_TYPE_COERCE",
                "Value is not int.",
            ));
        }
    };
    let around = snowflake_param(&q, "around")?;
    let before = snowflake_param(&q, "before")?;
    let after = snowflake_param(&q, "after")?;
    let w = s.discord();
    let ch = w.channel(&c).ok_or_else(unknown_channel)?;
    let msgs = &ch.messages; // ascending ids
    // Discord honours one of around / before / after, in that order.
    let picked: &[Msg] = if let Some(x) = around {
        let pos = msgs.partition_point(|m| m.id < x);
        let start = pos.saturating_sub(limit / 2);
        let end = start.saturating_add(limit).min(msgs.len());
        let start = end.saturating_sub(limit).min(start);
        &msgs[start..end]
    } else if let Some(x) = before {
        let end = msgs.partition_point(|m| m.id < x);
        &msgs[end.saturating_sub(limit)..end]
    } else if let Some(x) = after {
        let start = msgs.partition_point(|m| m.id <= x);
        &msgs[start..start.saturating_add(limit).min(msgs.len())]
    } else {
        &msgs[msgs.len().saturating_sub(limit)..]
    };
    let out: Vec<Value> = picked
        .iter()
        .rev()
        .map(|m| message_json(ch, w.guild.as_deref(), m, 0))
        .collect();
    Ok(axum::Json(out).into_response())
}

async fn one(State(s): State<Arc<Shared>>, Path((c, id)): Path<(String, String)>) -> Answer {
    let w = s.discord();
    let ch = w.channel(&c).ok_or_else(unknown_channel)?;
    match id
        .parse::<u64>()
        .ok()
        .and_then(|id| ch.messages.iter().find(|m| m.id == id))
    {
        Some(m) => Ok(axum::Json(message_json(ch, w.guild.as_deref(), m, 0)).into_response()),
        None => Err(error(StatusCode::NOT_FOUND, 10008, "Unknown Message")),
    }
}

/// The JSON body, or Discord's answer to a body it cannot read.
fn body_json(body: &[u8]) -> Result<Value, ApiError> {
    match serde_json::from_slice::<Value>(body) {
        Ok(v @ Value::Object(_)) => Ok(v),
        _ => Err(error(
            StatusCode::BAD_REQUEST,
            50109,
            "The request body contains invalid JSON.",
        )),
    }
}

/// Checks `content` and `embeds`; returns them.
fn content_of(v: &Value, required: bool) -> Result<(Option<String>, Option<Value>), ApiError> {
    let content = match v.get("content") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => {
            return Err(form_error(
                "content",
                "BASE_TYPE_STRING",
                "Must be a string.",
            ));
        }
    };
    if content
        .as_ref()
        .is_some_and(|c| c.chars().count() > MAX_CONTENT)
    {
        return Err(form_error(
            "content",
            "BASE_TYPE_MAX_LENGTH",
            &format!("Must be {MAX_CONTENT} or fewer in length."),
        ));
    }
    let embeds = match v.get("embeds") {
        None | Some(Value::Null) => None,
        Some(Value::Array(a)) if a.len() > 10 => {
            return Err(form_error(
                "embeds",
                "BASE_TYPE_MAX_LENGTH",
                "Must be 10 or fewer in length.",
            ));
        }
        Some(e @ Value::Array(_)) => Some(e.clone()),
        Some(_) => return Err(form_error("embeds", "BASE_TYPE_LIST", "Must be a list.")),
    };
    let empty = content.as_deref().unwrap_or("").trim().is_empty()
        && embeds
            .as_ref()
            .and_then(Value::as_array)
            .is_none_or(Vec::is_empty);
    if required && empty {
        return Err(error(
            StatusCode::BAD_REQUEST,
            50006,
            "Cannot send an empty message",
        ));
    }
    Ok((content, embeds))
}

async fn create(State(s): State<Arc<Shared>>, Path(c): Path<String>, body: Bytes) -> Answer {
    let v = body_json(&body)?;
    let (content, embeds) = content_of(&v, true)?;
    let now = s.clock.now();
    let mut w = s.discord();
    if w.channel(&c).is_none() {
        return Err(unknown_channel());
    }
    let reference = match v.get("message_reference") {
        None | Some(Value::Null) => None,
        Some(r) => {
            let id = r.get("message_id").and_then(|x| match x {
                Value::String(s) => s.parse::<u64>().ok(),
                Value::Number(n) => n.as_u64(),
                _ => None,
            });
            let exists = id.is_some_and(|id| {
                w.channel(&c)
                    .is_some_and(|ch| ch.messages.iter().any(|m| m.id == id))
            });
            let fail = r
                .get("fail_if_not_exists")
                .and_then(Value::as_bool)
                .unwrap_or(true);
            match (exists, fail) {
                (true, _) => id,
                (false, true) => {
                    return Err(form_error(
                        "message_reference",
                        "REPLIES_UNKNOWN_MESSAGE",
                        "Unknown message",
                    ));
                }
                (false, false) => None,
            }
        }
    };
    let id = w.next_id(&c, now);
    let guild = w.guild.clone();
    let ch = w.channel_mut(&c).ok_or_else(unknown_channel)?;
    ch.messages.push(Msg {
        id,
        at: now,
        author: bot(),
        content: content.clone().unwrap_or_default(),
        embeds: embeds.unwrap_or_else(|| json!([])),
        edited: None,
        reference,
    });
    let view = ch
        .messages
        .last()
        .map(|m| message_json(ch, guild.as_deref(), m, 0))
        .unwrap_or_default();
    drop(w);
    s.record(Posted {
        platform: Platform::Discord,
        action: PostAction::Post,
        channel: c,
        id: id.to_string(),
        thread: reference.map(|r| r.to_string()),
        text: content.unwrap_or_default(),
        at: now,
        request: v,
    });
    Ok(axum::Json(view).into_response())
}

async fn edit(
    State(s): State<Arc<Shared>>,
    Path((c, id)): Path<(String, String)>,
    body: Bytes,
) -> Answer {
    let v = body_json(&body)?;
    let (content, embeds) = content_of(&v, false)?;
    let now = s.clock.now();
    let mut w = s.discord();
    let guild = w.guild.clone();
    let ch = w.channel_mut(&c).ok_or_else(unknown_channel)?;
    let m = id
        .parse::<u64>()
        .ok()
        .and_then(|id| ch.messages.iter_mut().find(|m| m.id == id))
        .ok_or_else(|| error(StatusCode::NOT_FOUND, 10008, "Unknown Message"))?;
    if m.author.id != BOT_USER_ID {
        return Err(error(
            StatusCode::FORBIDDEN,
            50005,
            "Cannot edit a message authored by another user",
        ));
    }
    if let Some(t) = content {
        m.content = t;
    }
    if let Some(e) = embeds {
        m.embeds = e;
    }
    m.edited = Some(now);
    let (text, reference, mid) = (m.content.clone(), m.reference, m.id);
    let view = ch
        .messages
        .iter()
        .find(|m| m.id == mid)
        .map(|m| message_json(ch, guild.as_deref(), m, 0))
        .unwrap_or_default();
    drop(w);
    s.record(Posted {
        platform: Platform::Discord,
        action: PostAction::Update,
        channel: c,
        id,
        thread: reference.map(|r| r.to_string()),
        text,
        at: now,
        request: v,
    });
    Ok(axum::Json(view).into_response())
}

/// A message sent through an interaction webhook. The sandbox does not see interactions, so
/// it cannot know their channel: these posts are recorded with the channel
/// `webhooks/{app}/{token}` (the path that identifies the interaction).
fn webhook_message(id: &str, app: &str, content: &str, flags: u64, now: jiff::Timestamp) -> Value {
    json!({
        "id": id, "type": 20, "application_id": app, "webhook_id": app,
        "author": user_json(&bot()), "content": content, "flags": flags,
        "timestamp": world::discord_time(now), "edited_timestamp": null,
        "tts": false, "mention_everyone": false, "mentions": [], "mention_roles": [],
        "attachments": [], "embeds": [], "pinned": false,
    })
}

/// `POST /webhooks/{app}/{token}`: an interaction follow-up (always answers the message).
async fn followup(
    State(s): State<Arc<Shared>>,
    Path((app, token)): Path<(String, String)>,
    body: Bytes,
) -> Answer {
    let v = body_json(&body)?;
    let (content, _) = content_of(&v, true)?;
    let now = s.clock.now();
    let id = s.discord().alloc.next(now).unwrap_or_default().to_string();
    let flags = v.get("flags").and_then(Value::as_u64).unwrap_or(0);
    let content = content.unwrap_or_default();
    s.record(Posted {
        platform: Platform::Discord,
        action: PostAction::Post,
        channel: format!("webhooks/{app}/{token}"),
        id: id.clone(),
        thread: None,
        text: content.clone(),
        at: now,
        request: v,
    });
    Ok(axum::Json(webhook_message(&id, &app, &content, flags, now)).into_response())
}

/// `PATCH /webhooks/{app}/{token}/messages/@original`: edits the interaction's first answer.
async fn edit_original(
    State(s): State<Arc<Shared>>,
    Path((app, token)): Path<(String, String)>,
    body: Bytes,
) -> Answer {
    let v = body_json(&body)?;
    let (content, _) = content_of(&v, false)?;
    let now = s.clock.now();
    let content = content.unwrap_or_default();
    s.record(Posted {
        platform: Platform::Discord,
        action: PostAction::Update,
        channel: format!("webhooks/{app}/{token}"),
        id: "@original".into(),
        thread: None,
        text: content.clone(),
        at: now,
        request: v,
    });
    Ok(axum::Json(webhook_message("@original", &app, &content, 0, now)).into_response())
}
