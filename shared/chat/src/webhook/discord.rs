//! Discord → intake: interactions (PING, APPLICATION_COMMAND), and the interaction responses
//! the intake answers with.

use super::{ParseError, json_object, opt_str, req_obj, req_str};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// Deepest nesting of command options read (subcommand groups → subcommands → options).
const MAX_OPTION_DEPTH: usize = 3;

/// An interaction request body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Interaction {
    /// Type 1: answer [`pong`].
    Ping,
    /// Type 2: a slash command.
    Command(CommandInteraction),
    /// Another type (3 component, 4 autocomplete, 5 modal): not handled.
    Other { kind: u64 },
}

/// A slash command invocation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommandInteraction {
    /// The interaction id (a dedup key; used in the callback URL).
    pub id: String,
    pub application_id: String,
    /// Valid 15 minutes for follow-ups.
    pub token: String,
    /// The command name, without `/` (`sre-snapshot`).
    pub name: String,
    pub options: Vec<CommandOption>,
    pub channel_id: String,
    /// Absent in DMs.
    pub guild_id: Option<String>,
    /// `member.user.id` in a guild, `user.id` in a DM.
    pub user_id: String,
}

/// One option of a command (subcommands carry nested `options`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommandOption {
    pub name: String,
    pub value: Option<Value>,
    pub options: Vec<CommandOption>,
}

impl CommandInteraction {
    /// The string value of the top-level option `name` (e.g. `text`).
    pub fn option_str(&self, name: &str) -> Option<&str> {
        self.options
            .iter()
            .find(|o| o.name == name)
            .and_then(|o| o.value.as_ref())
            .and_then(Value::as_str)
    }
}

/// Parses an interaction body.
pub fn parse_interaction(body: &[u8]) -> Result<Interaction, ParseError> {
    let v = json_object(body)?;
    let kind = v.get("type").ok_or(ParseError::Missing("type"))?;
    let kind = kind.as_u64().ok_or(ParseError::Invalid {
        field: "type",
        expected: "an integer",
    })?;
    match kind {
        1 => Ok(Interaction::Ping),
        2 => command(&v).map(Interaction::Command),
        k => Ok(Interaction::Other { kind: k }),
    }
}

fn command(v: &Value) -> Result<CommandInteraction, ParseError> {
    let data = req_obj(v, "data", "data")?;
    let user_id = match v.get("member").filter(|m| !m.is_null()) {
        Some(m) => {
            let user = req_obj(m, "user", "member.user")?;
            req_str(user, "id", "member.user.id")?
        }
        None => {
            let user = req_obj(v, "user", "member.user")?;
            req_str(user, "id", "user.id")?
        }
    };
    Ok(CommandInteraction {
        id: req_str(v, "id", "id")?,
        application_id: req_str(v, "application_id", "application_id")?,
        token: req_str(v, "token", "token")?,
        name: req_str(data, "name", "data.name")?,
        options: options(data.get("options"), 0)?,
        channel_id: match opt_str(v, "channel_id", "channel_id")? {
            Some(c) => c,
            // Newer payloads also carry a partial channel object.
            None => req_str(req_obj(v, "channel", "channel_id")?, "id", "channel.id")?,
        },
        guild_id: opt_str(v, "guild_id", "guild_id")?,
        user_id,
    })
}

fn options(v: Option<&Value>, depth: usize) -> Result<Vec<CommandOption>, ParseError> {
    let list = match v {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(a)) => a,
        Some(_) => {
            return Err(ParseError::Invalid {
                field: "data.options",
                expected: "an array",
            });
        }
    };
    if depth >= MAX_OPTION_DEPTH {
        return Err(ParseError::Invalid {
            field: "data.options",
            expected: "at most 3 levels deep",
        });
    }
    list.iter()
        .map(|o| {
            if !o.is_object() {
                return Err(ParseError::Invalid {
                    field: "data.options[]",
                    expected: "an object",
                });
            }
            Ok(CommandOption {
                name: req_str(o, "name", "data.options[].name")?,
                value: o.get("value").filter(|x| !x.is_null()).cloned(),
                options: options(o.get("options"), depth + 1)?,
            })
        })
        .collect()
}

/// The answer to a PING.
pub fn pong() -> Value {
    json!({"type": 1})
}

/// An immediate message answer (type 4), pinging nobody; `ephemeral` shows it to the invoker
/// only. `content` must fit Discord's 2,000 characters.
pub fn reply(content: &str, ephemeral: bool) -> Value {
    json!({"type": 4, "data": {
        "content": content,
        "allowed_mentions": {"parse": []},
        "flags": if ephemeral { 64 } else { 0 },
    }})
}

/// "Thinking…" (type 5): the real answer follows.
pub fn deferred(ephemeral: bool) -> Value {
    json!({"type": 5, "data": {"flags": if ephemeral { 64 } else { 0 }}})
}
