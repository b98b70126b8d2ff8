//! The Discord guild the sandbox serves: channels, messages (history plus what the mesh posts)
//! and their wire shapes.

use jiff::Timestamp;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use sremesh_scenario::Scenario;
use sremesh_scenario::ids::SnowflakeAllocator;

/// The bot user the mesh's token belongs to.
pub(crate) const BOT_USER_ID: &str = "1200000000000000001";
pub(crate) const BOT_NAME: &str = "sremesh";

#[derive(Debug, Clone)]
pub(crate) struct Author {
    pub id: String,
    pub name: String,
    pub bot: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct Msg {
    pub id: u64,
    pub at: Timestamp,
    pub author: Author,
    pub content: String,
    pub embeds: Value,
    pub edited: Option<Timestamp>,
    /// The message this one replies to (same channel).
    pub reference: Option<u64>,
}

#[derive(Debug, Clone)]
pub(crate) struct Channel {
    pub id: String,
    pub name: String,
    /// Oldest first (ascending ids).
    pub messages: Vec<Msg>,
}

#[derive(Debug, Default)]
pub(crate) struct DiscordWorld {
    /// `None` when the scenario has no Discord: the bot is in no guild.
    pub guild: Option<String>,
    pub channels: Vec<Channel>,
    pub alloc: SnowflakeAllocator,
}

/// A stable numeric user id for a scenario author name.
fn user_id(name: &str) -> String {
    if !name.is_empty() && name.len() <= 20 && name.bytes().all(|b| b.is_ascii_digit()) {
        return name.to_string();
    }
    let h = Sha256::digest(name.as_bytes());
    let mut b = [0u8; 8];
    b.copy_from_slice(&h[..8]);
    // 18–19 digits, like real snowflakes of accounts made since 2015.
    (u64::from_be_bytes(b) % 900_000_000_000_000_000 + 100_000_000_000_000_000).to_string()
}

impl DiscordWorld {
    pub fn new(s: &Scenario) -> Self {
        let Some(d) = &s.world.discord else {
            return Self::default();
        };
        let mut alloc = SnowflakeAllocator::default();
        let channels = d
            .channels
            .iter()
            .map(|c| Channel {
                id: c.id.clone(),
                name: c.name.clone(),
                messages: c
                    .messages
                    .iter()
                    .map(|m| {
                        // Reserve the scenario's ids so posts never collide with them.
                        let _ = alloc.next(m.at);
                        Msg {
                            id: m.id.parse().unwrap_or_default(),
                            at: m.at,
                            author: Author {
                                id: user_id(&m.author),
                                name: m.author.clone(),
                                bot: m.bot,
                            },
                            content: m.content.clone(),
                            embeds: json!([]),
                            edited: None,
                            reference: None,
                        }
                    })
                    .collect(),
            })
            .collect();
        Self {
            guild: Some(d.guild.clone()),
            channels,
            alloc,
        }
    }

    pub fn channel(&self, id: &str) -> Option<&Channel> {
        self.channels.iter().find(|c| c.id == id)
    }

    pub fn channel_mut(&mut self, id: &str) -> Option<&mut Channel> {
        self.channels.iter_mut().find(|c| c.id == id)
    }

    /// A fresh id at `now`, greater than every id in the channel.
    pub fn next_id(&mut self, channel: &str, now: Timestamp) -> u64 {
        let max = self
            .channel(channel)
            .and_then(|c| c.messages.iter().map(|m| m.id).max())
            .unwrap_or(0);
        let id = self.alloc.next(now).unwrap_or(max + 1);
        if id > max { id } else { max + 1 }
    }
}

/// Discord's timestamp format (`2026-04-18T10:25:00.000000+00:00`).
pub(crate) fn discord_time(t: Timestamp) -> String {
    format!(
        "{}.{:06}+00:00",
        t.strftime("%Y-%m-%dT%H:%M:%S"),
        t.subsec_microsecond()
    )
}

pub(crate) fn user_json(a: &Author) -> Value {
    json!({
        "id": a.id, "username": a.name, "global_name": if a.bot { Value::Null } else { json!(a.name) },
        "discriminator": "0", "avatar": null, "bot": a.bot, "public_flags": 0,
    })
}

pub(crate) fn channel_json(c: &Channel, guild: &str, position: usize) -> Value {
    json!({
        "id": c.id, "type": 0, "guild_id": guild, "name": c.name, "position": position,
        "parent_id": null, "topic": null, "nsfw": false, "rate_limit_per_user": 0,
        "permission_overwrites": [],
        "last_message_id": c.messages.last().map(|m| m.id.to_string()),
    })
}

/// A message object; a reply carries `message_reference` and `referenced_message`.
pub(crate) fn message_json(c: &Channel, guild: Option<&str>, m: &Msg, depth: u8) -> Value {
    let mut v = json!({
        "id": m.id.to_string(), "type": if m.reference.is_some() { 19 } else { 0 },
        "channel_id": c.id, "author": user_json(&m.author), "content": m.content,
        "timestamp": discord_time(m.at), "edited_timestamp": m.edited.map(discord_time),
        "tts": false, "mention_everyone": false, "mentions": [], "mention_roles": [],
        "attachments": [], "embeds": m.embeds, "pinned": false, "flags": 0,
    });
    if let Some(g) = guild {
        v["guild_id"] = json!(g);
    }
    if let Some(r) = m.reference {
        v["message_reference"] =
            json!({"type": 0, "message_id": r.to_string(), "channel_id": c.id, "guild_id": guild});
        v["referenced_message"] = match c.messages.iter().find(|x| x.id == r) {
            Some(parent) if depth == 0 => message_json(c, guild, parent, 1),
            _ => Value::Null,
        };
    }
    v
}
