//! Places the alert in its channel and derives chat ids: Slack `ts` (unique per channel) with
//! thread links, Discord snowflakes.

use crate::ids::{self, SnowflakeAllocator};
use crate::model::{
    Alert, Discord, DiscordChannel, DiscordMessage, Slack, SlackChannel, SlackMessage, World,
};
use crate::parse::RawAlert;
use crate::reader::{Cx, join};
use crate::world::{self, RawChannel, RawDiscord, RawDiscordMsg, RawSlackMsg};
use jiff::Timestamp;
use sremesh_core::Platform;

/// Adds the alert message to its platform's channel (creating the channel, or the whole source,
/// when the world lacks it) and returns the alert; its ids are filled in by [`finish`].
pub(crate) fn place_alert(
    _cx: &mut Cx,
    w: &mut world::World,
    now: Timestamp,
    a: RawAlert,
) -> Alert {
    match a.platform {
        Platform::Slack => {
            let channels = w.slack.get_or_insert_with(Vec::new);
            let ch = channel_mut(channels, &a.channel);
            ch.messages.push(RawSlackMsg {
                path: "alert".into(),
                at: now,
                user: a.user.clone(),
                bot: a.bot,
                text: a.text.clone(),
                thread: None,
            });
        }
        Platform::Discord => {
            let d = w.discord.get_or_insert_with(|| RawDiscord {
                guild: world::DEFAULT_GUILD.to_string(),
                channels: Vec::new(),
            });
            let ch = channel_mut(&mut d.channels, &a.channel);
            ch.messages.push(RawDiscordMsg {
                path: "alert".into(),
                at: now,
                author: a.user.clone(),
                bot: a.bot,
                content: a.text.clone(),
            });
        }
    }
    Alert {
        platform: a.platform,
        channel: a.channel,
        user: a.user,
        bot: a.bot,
        text: a.text,
        ts: ids::slack_ts(now),
        message_id: String::new(),
    }
}

fn channel_mut<'c, M>(channels: &'c mut Vec<RawChannel<M>>, id: &str) -> &'c mut RawChannel<M> {
    let pos = match channels.iter().position(|c| c.id == id) {
        Some(p) => p,
        None => {
            channels.push(RawChannel {
                id: id.to_string(),
                name: id.to_string(),
                messages: Vec::new(),
            });
            channels.len() - 1
        }
    };
    &mut channels[pos]
}

/// Derives ids and thread links; fills the alert's ids. Problems (a reply without a parent, a
/// time before the platform's epoch) go to `cx`.
pub(crate) fn finish(cx: &mut Cx, w: world::World, alert: &mut Alert) -> World {
    let slack = w.slack.map(|channels| Slack {
        channels: channels
            .into_iter()
            .map(|c| slack_channel(cx, c, alert))
            .collect(),
    });
    let discord = w.discord.map(|d| {
        let mut alloc = SnowflakeAllocator::default();
        Discord {
            channels: d
                .channels
                .into_iter()
                .map(|c| discord_channel(cx, c, &mut alloc, alert))
                .collect(),
            guild: d.guild,
        }
    });
    World {
        kubernetes: w.kubernetes,
        cloudwatch_logs: w.cloudwatch_logs,
        slack,
        discord,
    }
}

fn slack_channel(cx: &mut Cx, mut c: RawChannel<RawSlackMsg>, alert: &mut Alert) -> SlackChannel {
    // Stable: messages at the same instant keep file order, and the alert (pushed last) follows.
    c.messages.sort_by_key(|m| m.at);
    for m in &c.messages {
        if ids::micros(m.at) < 0 {
            cx.problem(at_path(&m.path), "Slack message times must be after 1970");
        }
    }
    let times: Vec<Timestamp> = c.messages.iter().map(|m| m.at).collect();
    let ts = ids::unique_slack_ts(&times);
    let n = c.messages.len();
    // Direct parent of each reply.
    let mut parent: Vec<Option<usize>> = vec![None; n];
    for (i, m) in c.messages.iter().enumerate() {
        let Some(t) = m.thread else { continue };
        let candidates: Vec<usize> = (0..n)
            .filter(|&j| j != i && c.messages[j].at == t)
            .collect();
        let pick = candidates
            .iter()
            .copied()
            .find(|&j| c.messages[j].thread.is_none())
            .or_else(|| candidates.first().copied());
        match pick {
            Some(j) if c.messages[j].at > m.at => cx.problem(
                join(&m.path, "thread"),
                "a reply cannot be older than the message it replies to",
            ),
            Some(j) => parent[i] = Some(j),
            None => cx.problem(
                join(&m.path, "thread"),
                format!(
                    "no message at {t} in channel {} to reply to (thread names the parent's `at`)",
                    c.id
                ),
            ),
        }
    }
    // Thread root of each reply (a reply to a reply joins the same thread, as in Slack).
    let mut root: Vec<Option<usize>> = vec![None; n];
    for i in 0..n {
        let mut cur = parent[i];
        let mut steps = 0;
        while let Some(j) = cur {
            root[i] = Some(j);
            cur = parent[j];
            steps += 1;
            if steps > n {
                cx.problem(
                    join(&c.messages[i].path, "thread"),
                    "thread replies form a cycle",
                );
                root[i] = None;
                break;
            }
        }
    }
    let is_root: Vec<bool> = (0..n).map(|j| root.contains(&Some(j))).collect();
    let messages: Vec<SlackMessage> = c
        .messages
        .into_iter()
        .enumerate()
        .map(|(i, m)| {
            let thread_ts = match root[i] {
                Some(r) => Some(ts[r].clone()),
                None if is_root[i] => Some(ts[i].clone()),
                None => None,
            };
            if m.path == "alert" && alert.platform == Platform::Slack {
                alert.ts = ts[i].clone();
                alert.message_id = ts[i].clone();
            }
            SlackMessage {
                ts: ts[i].clone(),
                at: m.at,
                user: m.user,
                bot: m.bot,
                text: m.text,
                thread_ts,
            }
        })
        .collect();
    SlackChannel {
        id: c.id,
        name: c.name,
        messages,
    }
}

fn discord_channel(
    cx: &mut Cx,
    mut c: RawChannel<RawDiscordMsg>,
    alloc: &mut SnowflakeAllocator,
    alert: &mut Alert,
) -> DiscordChannel {
    c.messages.sort_by_key(|m| m.at);
    let mut messages = Vec::new();
    for m in c.messages {
        let Some(id) = alloc.next(m.at) else {
            cx.problem(
                at_path(&m.path),
                "Discord message times must be after 2015-01-01 (Discord's epoch)",
            );
            continue;
        };
        if m.path == "alert" && alert.platform == Platform::Discord {
            alert.message_id = id.to_string();
        }
        messages.push(DiscordMessage {
            id: id.to_string(),
            at: m.at,
            author: m.author,
            bot: m.bot,
            content: m.content,
        });
    }
    DiscordChannel {
        id: c.id,
        name: c.name,
        messages,
    }
}

/// Where a message's time was written (`now` for the alert).
fn at_path(path: &str) -> String {
    if path == "alert" {
        "now".into()
    } else {
        join(path, "at")
    }
}
