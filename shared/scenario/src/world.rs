//! Reads `world`: Kubernetes objects and logs, CloudWatch log groups, and the chat histories
//! (kept raw here; [`crate::chat`] derives their ids once the alert is placed).

use crate::model::{CloudWatch, Kube, LogEvent, LogGroup};
use crate::reader::{Cx, join, kind_of};
use jiff::Timestamp;
use serde_json::{Map, Value};
use std::collections::BTreeSet;

/// The guild used when a Discord alert names a world without a `discord` section.
pub const DEFAULT_GUILD: &str = "1100000000000000000";

const WORLD_KEYS: &[&str] = &["kubernetes", "cloudwatch_logs", "slack", "discord"];
const CW_KEYS: &[&str] = &["groups"];
const GROUP_KEYS: &[&str] = &["name", "events"];
const EVENT_KEYS: &[&str] = &["at", "stream", "message"];
const CHANNELS_KEYS: &[&str] = &["channels"];
const DISCORD_KEYS: &[&str] = &["guild", "channels"];
const CHANNEL_KEYS: &[&str] = &["id", "name", "messages"];
const SLACK_MSG_KEYS: &[&str] = &["at", "user", "bot", "text", "thread"];
const DISCORD_MSG_KEYS: &[&str] = &["at", "author", "bot", "content"];

/// The world as read, chat histories still raw.
#[derive(Debug, Default)]
pub(crate) struct World {
    pub kubernetes: Option<Kube>,
    pub cloudwatch_logs: Option<CloudWatch>,
    pub slack: Option<Vec<RawChannel<RawSlackMsg>>>,
    pub discord: Option<RawDiscord>,
}

#[derive(Debug)]
pub(crate) struct RawChannel<M> {
    pub id: String,
    pub name: String,
    pub messages: Vec<M>,
}

#[derive(Debug)]
pub(crate) struct RawSlackMsg {
    /// Key path, for errors about this message.
    pub path: String,
    pub at: Timestamp,
    pub user: String,
    pub bot: bool,
    pub text: String,
    /// The parent's time (`thread: "-6m"`).
    pub thread: Option<Timestamp>,
}

#[derive(Debug)]
pub(crate) struct RawDiscord {
    pub guild: String,
    pub channels: Vec<RawChannel<RawDiscordMsg>>,
}

#[derive(Debug)]
pub(crate) struct RawDiscordMsg {
    pub path: String,
    pub at: Timestamp,
    pub author: String,
    pub bot: bool,
    pub content: String,
}

pub(crate) fn read(cx: &mut Cx, m: &Map<String, Value>) -> World {
    cx.known_keys(m, "world", WORLD_KEYS);
    let mut w = World::default();
    if let Some(v) = m.get("kubernetes").filter(|v| !v.is_null())
        && let Some(k) = cx.map(v, "world.kubernetes")
    {
        w.kubernetes = Some(crate::kube::read(cx, k));
    }
    if let Some(v) = m.get("cloudwatch_logs").filter(|v| !v.is_null())
        && let Some(c) = cx.map(v, "world.cloudwatch_logs")
    {
        w.cloudwatch_logs = Some(read_cloudwatch(cx, c));
    }
    if let Some(v) = m.get("slack").filter(|v| !v.is_null())
        && let Some(s) = cx.map(v, "world.slack")
    {
        cx.known_keys(s, "world.slack", CHANNELS_KEYS);
        w.slack = Some(read_channels(cx, s, "world.slack", read_slack_msg, false));
    }
    if let Some(v) = m.get("discord").filter(|v| !v.is_null())
        && let Some(d) = cx.map(v, "world.discord")
    {
        cx.known_keys(d, "world.discord", DISCORD_KEYS);
        let guild = cx
            .string(d, "world.discord", "guild")
            .unwrap_or_else(|| DEFAULT_GUILD.to_string());
        if !is_snowflake(&guild) {
            cx.problem(
                "world.discord.guild",
                format!("'{guild}' is not a Discord id (digits only)"),
            );
        }
        let channels = read_channels(cx, d, "world.discord", read_discord_msg, true);
        w.discord = Some(RawDiscord { guild, channels });
    }
    w
}

pub(crate) fn is_snowflake(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 20
        && s.bytes().all(|b| b.is_ascii_digit())
        && s.parse::<u64>().is_ok()
}

fn read_channels<M>(
    cx: &mut Cx,
    m: &Map<String, Value>,
    path: &str,
    read_msg: fn(&mut Cx, &Map<String, Value>, &str) -> Option<M>,
    numeric_ids: bool,
) -> Vec<RawChannel<M>> {
    let msg_keys = if numeric_ids {
        DISCORD_MSG_KEYS
    } else {
        SLACK_MSG_KEYS
    };
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for (p, v) in cx.list(m, path, "channels") {
        let Some(c) = cx.map(v, &p) else { continue };
        cx.known_keys(c, &p, CHANNEL_KEYS);
        let Some(id) = cx.required(c, &p, "id") else {
            continue;
        };
        if numeric_ids && !is_snowflake(&id) {
            cx.problem(
                join(&p, "id"),
                format!("'{id}' is not a Discord id (digits only)"),
            );
        }
        if !seen.insert(id.clone()) {
            cx.problem(join(&p, "id"), format!("channel '{id}' is listed twice"));
        }
        let name = cx.string(c, &p, "name").unwrap_or_else(|| id.clone());
        let mut messages = Vec::new();
        for (mp, mv) in cx.list(c, &p, "messages") {
            let Some(mm) = cx.map(mv, &mp) else { continue };
            cx.known_keys(mm, &mp, msg_keys);
            if let Some(msg) = read_msg(cx, mm, &mp) {
                messages.push(msg);
            }
        }
        out.push(RawChannel { id, name, messages });
    }
    out
}

fn read_slack_msg(cx: &mut Cx, m: &Map<String, Value>, path: &str) -> Option<RawSlackMsg> {
    let at = cx.time(m.get("at"), &join(path, "at"));
    let user = cx.required(m, path, "user");
    let bot = cx.boolean(m, path, "bot");
    let text = text_of(cx, m, path, "text");
    let thread = match m.get("thread") {
        None | Some(Value::Null) => None,
        v => Some(cx.time(v, &join(path, "thread"))?),
    };
    Some(RawSlackMsg {
        path: path.to_string(),
        at: at?,
        user: user?,
        bot,
        text: text?,
        thread,
    })
}

fn read_discord_msg(cx: &mut Cx, m: &Map<String, Value>, path: &str) -> Option<RawDiscordMsg> {
    let at = cx.time(m.get("at"), &join(path, "at"));
    let author = cx.required(m, path, "author");
    let bot = cx.boolean(m, path, "bot");
    let content = text_of(cx, m, path, "content");
    Some(RawDiscordMsg {
        path: path.to_string(),
        at: at?,
        author: author?,
        bot,
        content: content?,
    })
}

/// Message text: required, may be empty; numbers and booleans taken as written.
pub(crate) fn text_of(
    cx: &mut Cx,
    m: &Map<String, Value>,
    path: &str,
    key: &str,
) -> Option<String> {
    match m.get(key) {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        Some(Value::Bool(b)) => Some(b.to_string()),
        None | Some(Value::Null) => {
            cx.problem(join(path, key), "required key is missing");
            None
        }
        Some(other) => {
            cx.problem(
                join(path, key),
                format!("expected text, found {}", kind_of(other)),
            );
            None
        }
    }
}

fn read_cloudwatch(cx: &mut Cx, m: &Map<String, Value>) -> CloudWatch {
    let p = "world.cloudwatch_logs";
    cx.known_keys(m, p, CW_KEYS);
    let mut groups = Vec::new();
    let mut seen = BTreeSet::new();
    for (gp, gv) in cx.list(m, p, "groups") {
        let Some(g) = cx.map(gv, &gp) else { continue };
        cx.known_keys(g, &gp, GROUP_KEYS);
        let Some(name) = cx.required(g, &gp, "name") else {
            continue;
        };
        if !seen.insert(name.clone()) {
            cx.problem(
                join(&gp, "name"),
                format!("log group '{name}' is listed twice"),
            );
        }
        let mut events = Vec::new();
        for (ep, ev) in cx.list(g, &gp, "events") {
            let Some(e) = cx.map(ev, &ep) else { continue };
            cx.known_keys(e, &ep, EVENT_KEYS);
            let at = cx.time(e.get("at"), &join(&ep, "at"));
            let stream = cx.required(e, &ep, "stream");
            let message = match e.get("message") {
                Some(Value::String(s)) => Some(s.clone()),
                // A structured message is stored as the compact JSON a service would log.
                Some(
                    v @ (Value::Object(_) | Value::Array(_) | Value::Number(_) | Value::Bool(_)),
                ) => Some(v.to_string()),
                _ => {
                    cx.problem(join(&ep, "message"), "required key is missing");
                    None
                }
            };
            if let (Some(at), Some(stream), Some(message)) = (at, stream, message) {
                events.push(LogEvent {
                    at,
                    stream,
                    message,
                });
            }
        }
        events.sort_by_key(|e| e.at);
        groups.push(LogGroup { name, events });
    }
    CloudWatch { groups }
}
