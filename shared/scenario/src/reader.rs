//! A small reader over the parsed YAML tree that remembers key paths, collects problems (errors)
//! and warnings (unknown keys) instead of stopping at the first one.

use crate::error::Problem;
use crate::ids;
use jiff::Timestamp;
use serde_json::{Map, Value};

/// Problems and warnings gathered while reading one document.
#[derive(Debug, Default)]
pub(crate) struct Cx {
    pub problems: Vec<Problem>,
    pub warnings: Vec<String>,
    /// The scenario's `now`, once known (offsets cannot be resolved without it).
    pub now: Option<Timestamp>,
}

/// `path.key` (or `key` at the root).
pub(crate) fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// `path[i]`.
pub(crate) fn index(path: &str, i: usize) -> String {
    format!("{path}[{i}]")
}

pub(crate) fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "nothing",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

impl Cx {
    pub fn problem(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.problems.push(Problem {
            path: path.into(),
            message: message.into(),
        });
    }

    /// The mapping at `path`; `None` (and a problem) if `v` is something else. `null` reads as
    /// an empty mapping (`world:` with nothing under it).
    pub fn map<'v>(&mut self, v: &'v Value, path: &str) -> Option<&'v Map<String, Value>> {
        static EMPTY: std::sync::OnceLock<Map<String, Value>> = std::sync::OnceLock::new();
        match v {
            Value::Object(m) => Some(m),
            Value::Null => Some(EMPTY.get_or_init(Map::new)),
            other => {
                self.problem(
                    path,
                    format!("expected a mapping, found {}", kind_of(other)),
                );
                None
            }
        }
    }

    /// Warns about keys outside `allowed` (tolerated, so newer files load in older code).
    pub fn known_keys(&mut self, m: &Map<String, Value>, path: &str, allowed: &[&str]) {
        for key in m.keys() {
            if !allowed.contains(&key.as_str()) {
                self.warnings.push(format!(
                    "{}: unknown key (ignored; known keys: {})",
                    join(path, key),
                    allowed.join(", ")
                ));
            }
        }
    }

    /// A string (numbers are taken as their text, e.g. an unquoted Discord id).
    pub fn string(&mut self, m: &Map<String, Value>, path: &str, key: &str) -> Option<String> {
        match m.get(key) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Number(n)) => Some(n.to_string()),
            Some(other) => {
                self.problem(
                    join(path, key),
                    format!("expected a string, found {}", kind_of(other)),
                );
                None
            }
        }
    }

    /// A required, non-empty string.
    pub fn required(&mut self, m: &Map<String, Value>, path: &str, key: &str) -> Option<String> {
        let had_problems = self.problems.len();
        match self.string(m, path, key) {
            Some(s) if !s.trim().is_empty() => Some(s),
            Some(_) => {
                self.problem(join(path, key), "must not be empty");
                None
            }
            None => {
                if self.problems.len() == had_problems {
                    self.problem(join(path, key), "required key is missing");
                }
                None
            }
        }
    }

    /// A boolean (absent: false).
    pub fn boolean(&mut self, m: &Map<String, Value>, path: &str, key: &str) -> bool {
        match m.get(key) {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(other) => {
                self.problem(
                    join(path, key),
                    format!("expected true or false, found {}", kind_of(other)),
                );
                false
            }
        }
    }

    /// The items of a list (absent or null: none), each with its path.
    pub fn list<'v>(
        &mut self,
        m: &'v Map<String, Value>,
        path: &str,
        key: &str,
    ) -> Vec<(String, &'v Value)> {
        let p = join(path, key);
        match m.get(key) {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(i, v)| (index(&p, i), v))
                .collect(),
            Some(other) => {
                self.problem(p, format!("expected a list, found {}", kind_of(other)));
                Vec::new()
            }
        }
    }

    /// A list of strings.
    pub fn strings(&mut self, m: &Map<String, Value>, path: &str, key: &str) -> Vec<String> {
        let mut out = Vec::new();
        for (p, v) in self.list(m, path, key) {
            match v {
                Value::String(s) => out.push(s.clone()),
                Value::Number(n) => out.push(n.to_string()),
                other => self.problem(p, format!("expected a string, found {}", kind_of(other))),
            }
        }
        out
    }

    /// A time: an RFC 3339 instant or an offset from `now`. `None` with a problem when it does
    /// not parse (or silently when `now` itself was bad, to avoid a cascade of errors).
    pub fn time(&mut self, v: Option<&Value>, path: &str) -> Option<Timestamp> {
        let text = match v {
            None | Some(Value::Null) => {
                self.problem(
                    path,
                    "required time is missing (RFC 3339 or an offset like -4m)",
                );
                return None;
            }
            Some(Value::String(s)) => s.clone(),
            Some(other) => {
                self.problem(
                    path,
                    format!(
                        "expected a time (RFC 3339 or an offset like -4m), found {}",
                        kind_of(other)
                    ),
                );
                return None;
            }
        };
        match self.now {
            Some(now) => match ids::resolve_at(&text, now) {
                Ok(t) => Some(t),
                Err(e) => {
                    self.problem(path, e);
                    None
                }
            },
            None => None,
        }
    }
}
