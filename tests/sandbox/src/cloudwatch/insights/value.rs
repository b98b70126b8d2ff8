//! Insights values: the field model of a record, how values render, compare and sort.

use std::cmp::Ordering;
use std::collections::HashMap;

/// Most fields a JSON message contributes (the service caps discovered fields too).
const MAX_DISCOVERED_FIELDS: usize = 1_000;

/// One field value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Str(String),
    Num(f64),
    /// Milliseconds since the epoch; renders like `2026-04-18 10:22:13.000`.
    Time(i64),
    Bool(bool),
}

/// A record's fields (absent fields are simply missing).
pub(crate) type Row = HashMap<String, Value>;

impl Value {
    /// The text the service would show for this value.
    pub fn render(&self) -> String {
        match self {
            Value::Str(s) => s.clone(),
            Value::Num(n) => format_num(*n),
            Value::Time(ms) => format_time(*ms),
            Value::Bool(b) => b.to_string(),
        }
    }

    /// The value as a number: numbers, times (ms) and strings that are a number.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Num(n) => Some(*n),
            Value::Time(ms) => Some(*ms as f64),
            Value::Str(s) => numeric(s),
            Value::Bool(_) => None,
        }
    }
}

/// `s` as a number, if it is only a number (no letters, no surrounding text).
pub(crate) fn numeric(s: &str) -> Option<f64> {
    let looks_numeric = s.starts_with(|c: char| c.is_ascii_digit() || c == '-' || c == '.')
        && s.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '-' | '+' | '.' | 'e' | 'E'));
    if looks_numeric {
        s.parse::<f64>().ok().filter(|n| n.is_finite())
    } else {
        None
    }
}

/// `2026-04-18 10:22:13.000` (UTC), as the service renders `@timestamp` and `bin(...)`.
pub(crate) fn format_time(ms: i64) -> String {
    match jiff::Timestamp::from_millisecond(ms) {
        Ok(ts) => ts.strftime("%Y-%m-%d %H:%M:%S%.3f").to_string(),
        Err(_) => ms.to_string(),
    }
}

/// Integers without a decimal point, other numbers in their shortest exact form.
pub(crate) fn format_num(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

/// The service's "natural" sort order (ascending): every non-number before every number;
/// numbers by value; other text chunk by chunk, digit runs by length then value, the rest by
/// Unicode code point.
pub(crate) fn natural_cmp(a: &Value, b: &Value) -> Ordering {
    let number = |v: &Value| match v {
        Value::Num(_) | Value::Time(_) => v.as_f64(),
        Value::Str(s) => numeric(s),
        Value::Bool(_) => None,
    };
    match (number(a), number(b)) {
        (Some(x), Some(y)) => x.total_cmp(&y),
        (Some(_), None) => Ordering::Greater,
        (None, Some(_)) => Ordering::Less,
        (None, None) => chunked_cmp(&a.render(), &b.render()),
    }
}

fn chunks(s: &str) -> impl Iterator<Item = &str> {
    let mut rest = s;
    std::iter::from_fn(move || {
        let first = rest.chars().next()?;
        let digit = first.is_ascii_digit();
        let len = rest
            .find(|c: char| c.is_ascii_digit() != digit)
            .unwrap_or(rest.len());
        let (chunk, tail) = rest.split_at(len);
        rest = tail;
        Some(chunk)
    })
}

fn chunked_cmp(a: &str, b: &str) -> Ordering {
    let mut ca = chunks(a);
    let mut cb = chunks(b);
    loop {
        match (ca.next(), cb.next()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) => {
                let both_digits = x.starts_with(|c: char| c.is_ascii_digit())
                    && y.starts_with(|c: char| c.is_ascii_digit());
                let ord = if both_digits {
                    x.len().cmp(&y.len()).then_with(|| x.cmp(y))
                } else {
                    x.cmp(y)
                };
                if ord != Ordering::Equal {
                    return ord;
                }
            }
        }
    }
}

/// Adds the fields of a JSON object message (`{"kubernetes": {"pod_name": "x"}}` gives
/// `kubernetes.pod_name`; arrays give `list.0`, `list.1` …; nulls are absent).
pub(crate) fn discover_json_fields(message: &str, row: &mut Row) {
    if !message.trim_start().starts_with('{') {
        return;
    }
    if let Ok(serde_json::Value::Object(map)) = serde_json::from_str(message) {
        let mut budget = MAX_DISCOVERED_FIELDS;
        for (key, value) in &map {
            flatten(key.clone(), value, row, &mut budget);
        }
    }
}

fn flatten(path: String, value: &serde_json::Value, row: &mut Row, budget: &mut usize) {
    use serde_json::Value as J;
    if *budget == 0 {
        return;
    }
    let leaf = match value {
        J::Null => return,
        J::Bool(b) => Value::Bool(*b),
        J::Number(n) => match n.as_f64() {
            Some(f) => Value::Num(f),
            None => Value::Str(n.to_string()),
        },
        J::String(s) => Value::Str(s.clone()),
        J::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                flatten(format!("{path}.{i}"), item, row, budget);
            }
            return;
        }
        J::Object(map) => {
            for (key, item) in map {
                flatten(format!("{path}.{key}"), item, row, budget);
            }
            return;
        }
    };
    *budget -= 1;
    row.entry(path).or_insert(leaf);
}
