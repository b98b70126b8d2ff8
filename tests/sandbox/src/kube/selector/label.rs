//! Label selectors (`app=web,tier in (a,b),!canary`): lexer, parser, matcher.

use super::SelectorError;
use serde_json::Value;
use std::fmt;

/// One label requirement's operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Equals,
    NotEquals,
    In,
    NotIn,
    Exists,
    DoesNotExist,
    GreaterThan,
    LessThan,
}

/// One label requirement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    pub key: String,
    pub op: Op,
    pub values: Vec<String>,
}

/// A parsed label selector (empty matches everything).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LabelSelector(pub Vec<Requirement>);

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Ident(String),
    Eq,
    DoubleEq,
    NotEq,
    Bang,
    Open,
    Close,
    Comma,
    Gt,
    Lt,
}

impl fmt::Display for Tok {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Tok::Ident(s) => write!(f, "{s}"),
            Tok::Eq => f.write_str("="),
            Tok::DoubleEq => f.write_str("=="),
            Tok::NotEq => f.write_str("!="),
            Tok::Bang => f.write_str("!"),
            Tok::Open => f.write_str("("),
            Tok::Close => f.write_str(")"),
            Tok::Comma => f.write_str(","),
            Tok::Gt => f.write_str(">"),
            Tok::Lt => f.write_str("<"),
        }
    }
}

fn lex(s: &str) -> Vec<Tok> {
    let mut out = Vec::new();
    let mut chars = s.chars().peekable();
    while let Some(&c) = chars.peek() {
        match c {
            c if c.is_whitespace() => {
                chars.next();
            }
            '=' => {
                chars.next();
                if chars.peek() == Some(&'=') {
                    chars.next();
                    out.push(Tok::DoubleEq);
                } else {
                    out.push(Tok::Eq);
                }
            }
            '!' => {
                chars.next();
                if chars.peek() == Some(&'=') {
                    chars.next();
                    out.push(Tok::NotEq);
                } else {
                    out.push(Tok::Bang);
                }
            }
            '(' | ')' | ',' | '>' | '<' => {
                chars.next();
                out.push(match c {
                    '(' => Tok::Open,
                    ')' => Tok::Close,
                    ',' => Tok::Comma,
                    '>' => Tok::Gt,
                    _ => Tok::Lt,
                });
            }
            _ => {
                let mut id = String::new();
                while let Some(&c) = chars.peek() {
                    if c.is_whitespace() || "=!(),<>".contains(c) {
                        break;
                    }
                    id.push(c);
                    chars.next();
                }
                out.push(Tok::Ident(id));
            }
        }
    }
    out
}

fn is_name_part(s: &str, max: usize) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= max
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
}

fn check_key(k: &str) -> Result<(), SelectorError> {
    let (prefix, name) = match k.split_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, k),
    };
    if let Some(p) = prefix {
        let ok = !p.is_empty()
            && p.len() <= 253
            && p.split('.').all(|l| {
                let b = l.as_bytes();
                !b.is_empty()
                    && b.len() <= 63
                    && b[0].is_ascii_alphanumeric()
                    && b[b.len() - 1].is_ascii_alphanumeric()
                    && b.iter()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
            });
        if !ok {
            return Err(SelectorError(format!(
                "unable to parse requirement: invalid label key \"{k}\": prefix part must be a lowercase DNS subdomain"
            )));
        }
    }
    if !is_name_part(name, 63) {
        return Err(SelectorError(format!(
            "unable to parse requirement: invalid label key \"{k}\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (at most 63 characters)"
        )));
    }
    Ok(())
}

fn check_value(v: &str) -> Result<(), SelectorError> {
    if v.is_empty() || is_name_part(v, 63) {
        Ok(())
    } else {
        Err(SelectorError(format!(
            "unable to parse requirement: invalid label value: \"{v}\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (at most 63 characters)"
        )))
    }
}

impl LabelSelector {
    /// Parses `labelSelector`.
    pub fn parse(s: &str) -> Result<Self, SelectorError> {
        let toks = lex(s);
        let mut reqs = Vec::new();
        let mut i = 0;
        let found = |t: Option<&Tok>| t.map_or("end of string".to_string(), |t| format!("'{t}'"));
        while i < toks.len() {
            let negate = toks[i] == Tok::Bang;
            if negate {
                i += 1;
            }
            let key = match toks.get(i) {
                Some(Tok::Ident(k)) => k.clone(),
                t => {
                    return Err(SelectorError(format!(
                        "unable to parse requirement: found {}, expected: identifier",
                        found(t)
                    )));
                }
            };
            check_key(&key)?;
            i += 1;
            if negate {
                reqs.push(Requirement {
                    key,
                    op: Op::DoesNotExist,
                    values: vec![],
                });
            } else {
                match toks.get(i) {
                    None | Some(Tok::Comma) => {
                        reqs.push(Requirement {
                            key,
                            op: Op::Exists,
                            values: vec![],
                        });
                    }
                    Some(t @ (Tok::Eq | Tok::DoubleEq | Tok::NotEq | Tok::Gt | Tok::Lt)) => {
                        let op = match t {
                            Tok::Eq | Tok::DoubleEq => Op::Equals,
                            Tok::NotEq => Op::NotEquals,
                            Tok::Gt => Op::GreaterThan,
                            _ => Op::LessThan,
                        };
                        i += 1;
                        let value = match toks.get(i) {
                            Some(Tok::Ident(v)) => {
                                i += 1;
                                v.clone()
                            }
                            // `k=` (empty value) is allowed for = and !=.
                            None | Some(Tok::Comma) if matches!(op, Op::Equals | Op::NotEquals) => {
                                String::new()
                            }
                            t => {
                                return Err(SelectorError(format!(
                                    "unable to parse requirement: found {}, expected: identifier",
                                    found(t)
                                )));
                            }
                        };
                        if matches!(op, Op::GreaterThan | Op::LessThan)
                            && value.parse::<i64>().is_err()
                        {
                            return Err(SelectorError(format!(
                                "unable to parse requirement: for 'Gt', 'Lt' operators, the value must be an integer, found \"{value}\""
                            )));
                        }
                        check_value(&value)?;
                        reqs.push(Requirement {
                            key,
                            op,
                            values: vec![value],
                        });
                    }
                    Some(Tok::Ident(w)) if w == "in" || w == "notin" => {
                        let op = if w == "in" { Op::In } else { Op::NotIn };
                        i += 1;
                        if toks.get(i) != Some(&Tok::Open) {
                            return Err(SelectorError(format!(
                                "unable to parse requirement: found {}, expected: '('",
                                found(toks.get(i))
                            )));
                        }
                        i += 1;
                        let mut values = Vec::new();
                        loop {
                            match toks.get(i) {
                                Some(Tok::Ident(v)) => {
                                    check_value(v)?;
                                    values.push(v.clone());
                                    i += 1;
                                }
                                // Empty entries (`in (a,,b)`, `in ()`) are empty values.
                                Some(Tok::Comma | Tok::Close) => values.push(String::new()),
                                t => {
                                    return Err(SelectorError(format!(
                                        "unable to parse requirement: found {}, expected: ',', ')' or identifier",
                                        found(t)
                                    )));
                                }
                            }
                            match toks.get(i) {
                                Some(Tok::Comma) => i += 1,
                                Some(Tok::Close) => {
                                    i += 1;
                                    break;
                                }
                                t => {
                                    return Err(SelectorError(format!(
                                        "unable to parse requirement: found {}, expected: ',' or ')'",
                                        found(t)
                                    )));
                                }
                            }
                        }
                        values.sort();
                        values.dedup();
                        reqs.push(Requirement { key, op, values });
                    }
                    t => {
                        return Err(SelectorError(format!(
                            "unable to parse requirement: found {}, expected: in, notin, =, ==, !=, gt, lt",
                            found(t)
                        )));
                    }
                }
            }
            match toks.get(i) {
                None => break,
                Some(Tok::Comma) => {
                    i += 1;
                    if i == toks.len() {
                        return Err(SelectorError(
                            "unable to parse requirement: found end of string, expected: identifier".into(),
                        ));
                    }
                }
                t => {
                    return Err(SelectorError(format!(
                        "found {}, expected: ',' or end of string",
                        found(t)
                    )));
                }
            }
        }
        Ok(Self(reqs))
    }

    /// Whether an object's `metadata.labels` satisfy every requirement.
    pub fn matches(&self, labels: Option<&serde_json::Map<String, Value>>) -> bool {
        let get = |k: &str| labels.and_then(|l| l.get(k)).map(label_text);
        self.0.iter().all(|r| {
            let v = get(&r.key);
            match r.op {
                Op::Exists => v.is_some(),
                Op::DoesNotExist => v.is_none(),
                Op::Equals | Op::In => v.is_some_and(|v| r.values.contains(&v)),
                Op::NotEquals | Op::NotIn => v.is_none_or(|v| !r.values.contains(&v)),
                Op::GreaterThan | Op::LessThan => {
                    let (Some(have), Some(want)) = (
                        v.and_then(|v| v.parse::<i64>().ok()),
                        r.values.first().and_then(|w| w.parse::<i64>().ok()),
                    ) else {
                        return false;
                    };
                    if r.op == Op::GreaterThan {
                        have > want
                    } else {
                        have < want
                    }
                }
            }
        })
    }
}

fn label_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
