//! Reads the document's top level (schema, id, now, alert, expect) and hands `world` to
//! [`crate::world`]; problems are collected so one run reports all of them.

use crate::chat;
use crate::error::{Problem, ScenarioError};
use crate::model::{Expect, Scenario};
use crate::reader::{Cx, kind_of};
use crate::world;
use serde_json::{Map, Value};
use sremesh_core::{Category, Platform};

/// The one schema this loader reads.
pub const SCHEMA: &str = "sremesh/scenario/v1";

const TOP_KEYS: &[&str] = &["schema", "id", "title", "now", "alert", "world", "expect"];
const ALERT_KEYS: &[&str] = &["platform", "channel", "user", "bot", "text"];
const EXPECT_KEYS: &[&str] = &[
    "category",
    "required_keywords",
    "forbidden_keywords",
    "forbidden_categories",
    "required_evidence",
];

/// Parses YAML text into a scenario (`file` names it in errors).
pub(crate) fn parse(file: &str, text: &str) -> Result<Scenario, ScenarioError> {
    // YAML 1.2 booleans only: `namespace: no` or `n` must stay text.
    let mut options = serde_saphyr::Options::default();
    options.strict_booleans = true;
    let doc: Value =
        serde_saphyr::from_str_with_options(text, options).map_err(|e| ScenarioError::Syntax {
            file: file.to_string(),
            line: e.location().map(|l| l.line()).filter(|l| *l > 0),
            message: first_line(&e.to_string()),
        })?;
    let mut cx = Cx::default();
    let Value::Object(top) = &doc else {
        return Err(ScenarioError::Syntax {
            file: file.to_string(),
            line: None,
            message: format!("expected a mapping at the top, found {}", kind_of(&doc)),
        });
    };
    cx.known_keys(top, "", TOP_KEYS);

    match cx.string(top, "", "schema") {
        Some(s) if s == SCHEMA => {}
        Some(s) => cx.problem(
            "schema",
            format!("unsupported schema '{s}' (expected {SCHEMA})"),
        ),
        None => cx.problem(
            "schema",
            format!("required key is missing (expected {SCHEMA})"),
        ),
    }
    let id = cx.required(top, "", "id").unwrap_or_default();
    if !id.is_empty() && !is_id(&id) {
        cx.problem(
            "id",
            format!("'{id}' is not a valid id (lowercase letters, digits and '-' only)"),
        );
    }
    let title = cx.required(top, "", "title").unwrap_or_default();
    cx.now = match top.get("now") {
        Some(Value::String(s)) => match s.trim().parse::<jiff::Timestamp>() {
            Ok(t) => Some(t),
            Err(_) => {
                cx.problem(
                    "now",
                    format!("'{s}' is not an RFC 3339 instant (like 2026-04-18T10:25:00Z)"),
                );
                None
            }
        },
        None | Some(Value::Null) => {
            cx.problem("now", "required key is missing (an RFC 3339 instant)");
            None
        }
        Some(other) => {
            cx.problem(
                "now",
                format!("expected an RFC 3339 instant, found {}", kind_of(other)),
            );
            None
        }
    };

    let alert = match top.get("alert") {
        None | Some(Value::Null) => {
            cx.problem("alert", "required key is missing");
            None
        }
        Some(v) => cx.map(v, "alert").and_then(|m| read_alert(&mut cx, m)),
    };
    let mut world = match top.get("world") {
        None => world::World::default(),
        Some(v) => match cx.map(v, "world") {
            Some(m) => world::read(&mut cx, m),
            None => world::World::default(),
        },
    };
    let expect = match top.get("expect") {
        None | Some(Value::Null) => None,
        Some(v) => cx.map(v, "expect").and_then(|m| read_expect(&mut cx, m)),
    };

    let (Some(now), Some(alert)) = (cx.now, alert) else {
        return Err(invalid(file, cx.problems));
    };
    let mut alert = chat::place_alert(&mut cx, &mut world, now, alert);
    let world = chat::finish(&mut cx, world, &mut alert);
    if !cx.problems.is_empty() {
        return Err(invalid(file, cx.problems));
    }
    Ok(Scenario {
        id,
        title,
        now,
        alert,
        world,
        expect,
        warnings: cx.warnings,
        source: None,
    })
}

fn invalid(file: &str, problems: Vec<Problem>) -> ScenarioError {
    ScenarioError::Invalid {
        file: file.to_string(),
        problems,
    }
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or(s).to_string()
}

/// `[a-z0-9-]+`.
pub(crate) fn is_id(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// The alert as written; ids are filled in by [`chat::place_alert`].
pub(crate) struct RawAlert {
    pub platform: Platform,
    pub channel: String,
    pub user: String,
    pub bot: bool,
    pub text: String,
}

fn read_alert(cx: &mut Cx, m: &Map<String, Value>) -> Option<RawAlert> {
    cx.known_keys(m, "alert", ALERT_KEYS);
    let platform = match cx.string(m, "alert", "platform").as_deref() {
        Some("slack") => Some(Platform::Slack),
        Some("discord") => Some(Platform::Discord),
        Some(other) => {
            cx.problem(
                "alert.platform",
                format!("unknown platform '{other}' (expected slack or discord)"),
            );
            None
        }
        None => {
            cx.problem(
                "alert.platform",
                "required key is missing (slack or discord)",
            );
            None
        }
    };
    let channel = cx.required(m, "alert", "channel");
    let user = cx.required(m, "alert", "user");
    let bot = cx.boolean(m, "alert", "bot");
    let text = cx.required(m, "alert", "text");
    Some(RawAlert {
        platform: platform?,
        channel: channel?,
        user: user?,
        bot,
        text: text?,
    })
}

fn category(cx: &mut Cx, v: &Value, path: &str) -> Option<Category> {
    match v {
        Value::String(s) => match s.parse::<Category>() {
            Ok(c) => Some(c),
            Err(e) => {
                cx.problem(path, e);
                None
            }
        },
        other => {
            cx.problem(
                path,
                format!("expected a category name, found {}", kind_of(other)),
            );
            None
        }
    }
}

fn read_expect(cx: &mut Cx, m: &Map<String, Value>) -> Option<Expect> {
    cx.known_keys(m, "expect", EXPECT_KEYS);
    let cat = match m.get("category") {
        None | Some(Value::Null) => {
            cx.problem("expect.category", "required key is missing");
            None
        }
        Some(v) => category(cx, v, "expect.category"),
    };
    let required_keywords = cx.strings(m, "expect", "required_keywords");
    let forbidden_keywords = cx.strings(m, "expect", "forbidden_keywords");
    let mut forbidden_categories = Vec::new();
    for (p, v) in cx.list(m, "expect", "forbidden_categories") {
        if let Some(c) = category(cx, v, &p) {
            forbidden_categories.push(c);
        }
    }
    let mut required_evidence = Vec::new();
    for (p, v) in cx.list(m, "expect", "required_evidence") {
        match v {
            Value::String(agent) => {
                if sremesh_core::catalogue::agent(agent).is_none() {
                    let known: Vec<&str> = sremesh_core::AGENTS.iter().map(|a| a.id).collect();
                    cx.problem(
                        p,
                        format!(
                            "unknown agent id '{agent}' (expected one of: {})",
                            known.join(", ")
                        ),
                    );
                }
                required_evidence.push(agent.clone());
            }
            other => cx.problem(p, format!("expected an agent id, found {}", kind_of(other))),
        }
    }
    Some(Expect {
        category: cat?,
        required_keywords,
        forbidden_keywords,
        forbidden_categories,
        required_evidence,
    })
}
