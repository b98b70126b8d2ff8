//! The Slack workspace the sandbox serves: channels and their messages (the scenario's history
//! plus what the mesh posts), and how they look on the wire.

use serde_json::{Value, json};
use sremesh_scenario::{Scenario, ids};

/// The bot the mesh's token belongs to.
pub(crate) const BOT_USER: &str = "U0SREMESH";
pub(crate) const BOT_ID: &str = "B0SREMESH";
pub(crate) const TEAM: &str = "T0SREMESH";

#[derive(Debug, Clone)]
pub(crate) struct Msg {
    pub ts: String,
    /// `ts` as Unix microseconds (ordering and range filters).
    pub micros: i64,
    pub user: String,
    /// The poster's bot id when posted by an integration.
    pub bot_id: Option<String>,
    pub text: String,
    /// A reply: its thread's root ts. A root with replies: its own ts.
    pub thread_ts: Option<String>,
    pub blocks: Option<Value>,
    pub attachments: Option<Value>,
    pub edited: Option<String>,
}

impl Msg {
    pub fn is_reply(&self) -> bool {
        self.thread_ts.as_ref().is_some_and(|t| *t != self.ts)
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Channel {
    pub id: String,
    pub name: String,
    pub created: i64,
    /// Oldest first, unique ts.
    pub messages: Vec<Msg>,
}

#[derive(Debug, Default)]
pub(crate) struct SlackWorld {
    pub channels: Vec<Channel>,
}

/// A scenario bot's bot id: `U0ALERTMGR` → `B0ALERTMGR`.
fn bot_id_for(user: &str) -> String {
    match user.strip_prefix('U') {
        Some(rest) => format!("B{rest}"),
        None => format!("B{}", user.to_ascii_uppercase()),
    }
}

impl SlackWorld {
    pub fn new(s: &Scenario) -> Self {
        let created = s.now.as_second() - 90 * 86_400;
        let channels = s
            .world
            .slack
            .iter()
            .flat_map(|sl| &sl.channels)
            .map(|c| Channel {
                id: c.id.clone(),
                name: c.name.clone(),
                created,
                messages: c
                    .messages
                    .iter()
                    .map(|m| Msg {
                        micros: ids::parse_slack_ts(&m.ts).unwrap_or_default(),
                        ts: m.ts.clone(),
                        user: m.user.clone(),
                        bot_id: m.bot.then(|| bot_id_for(&m.user)),
                        text: m.text.clone(),
                        thread_ts: m.thread_ts.clone(),
                        blocks: None,
                        attachments: None,
                        edited: None,
                    })
                    .collect(),
            })
            .collect();
        Self { channels }
    }

    /// A channel by id, or by name (`#alerts` / `alerts`) as chat.postMessage allows.
    pub fn channel(&self, id_or_name: &str) -> Option<&Channel> {
        let name = id_or_name.strip_prefix('#').unwrap_or(id_or_name);
        self.channels
            .iter()
            .find(|c| c.id == id_or_name)
            .or_else(|| self.channels.iter().find(|c| c.name == name))
    }

    pub fn channel_mut(&mut self, id_or_name: &str) -> Option<&mut Channel> {
        let idx = {
            let name = id_or_name.strip_prefix('#').unwrap_or(id_or_name);
            self.channels
                .iter()
                .position(|c| c.id == id_or_name)
                .or_else(|| self.channels.iter().position(|c| c.name == name))?
        };
        self.channels.get_mut(idx)
    }
}

/// The channel object of conversations.info / users.conversations.
pub(crate) fn channel_json(c: &Channel) -> Value {
    json!({
        "id": c.id, "name": c.name, "name_normalized": c.name,
        "is_channel": true, "is_group": false, "is_im": false, "is_mpim": false,
        "is_private": false, "is_archived": false, "is_general": false, "is_shared": false,
        "is_ext_shared": false, "is_org_shared": false, "is_member": true,
        "created": c.created, "creator": "U0ADMIN", "context_team_id": TEAM,
        "topic": {"value": "", "creator": "", "last_set": 0},
        "purpose": {"value": "", "creator": "", "last_set": 0},
        "num_members": 3,
    })
}

/// A message as conversations.history / replies show it (thread fields from `channel`).
pub(crate) fn message_json(c: &Channel, m: &Msg) -> Value {
    let mut v =
        json!({"type": "message", "ts": m.ts, "user": m.user, "text": m.text, "team": TEAM});
    if let Some(b) = &m.bot_id {
        v["bot_id"] = json!(b);
        v["app_id"] = json!(format!("A{}", &b[1..]));
        v["bot_profile"] = json!({"id": b, "name": m.user, "deleted": false, "team_id": TEAM});
    }
    if let Some(b) = &m.blocks {
        v["blocks"] = b.clone();
    }
    if let Some(a) = &m.attachments {
        v["attachments"] = a.clone();
    }
    if let Some(e) = &m.edited {
        v["edited"] = json!({"user": m.user, "ts": e});
    }
    if let Some(t) = &m.thread_ts {
        v["thread_ts"] = json!(t);
        if m.is_reply() {
            if let Some(root) = c.messages.iter().find(|r| r.ts == *t) {
                v["parent_user_id"] = json!(root.user);
            }
        } else {
            let replies: Vec<&Msg> = c
                .messages
                .iter()
                .filter(|r| r.is_reply() && r.thread_ts.as_deref() == Some(&m.ts))
                .collect();
            let mut users: Vec<&str> = Vec::new();
            for r in &replies {
                if !users.contains(&r.user.as_str()) {
                    users.push(&r.user);
                }
            }
            v["reply_count"] = json!(replies.len());
            v["reply_users_count"] = json!(users.len());
            v["reply_users"] = json!(users);
            v["latest_reply"] = json!(replies.last().map(|r| r.ts.clone()).unwrap_or_default());
            v["is_locked"] = json!(false);
            v["subscribed"] = json!(false);
        }
    }
    v
}
