//! Words for findings: a log line as a human reads it, the decisive span of a signature, the
//! trend in a few words, evidence lines, the query that reproduces a pattern, and the category
//! a signature points to in context.

use super::patterns::{Pattern, Trend};
use crate::query::hhmm;
use regex::Regex;
use serde_json::Value;
use sremesh_core::signals::{SIGNATURES, Signature};
use sremesh_core::text::truncate;
use std::sync::LazyLock;

mod quote;
pub use quote::{decisive, message_part};

/// Evidence lines are at most this long.
pub const EVIDENCE_MAX: usize = 300;

/// Most characters a title quotes from a line.
pub const TITLE_QUOTE: usize = 160;

static SIGNATURE_RES: LazyLock<Vec<(&'static str, Regex)>> = LazyLock::new(|| {
    SIGNATURES
        .iter()
        .filter_map(|(s, re)| Some((s.id, Regex::new(re).ok()?)))
        .collect()
});

/// Where `sig` matches `line` (byte range).
pub fn signature_span(line: &str, sig: &Signature) -> Option<(usize, usize)> {
    SIGNATURE_RES
        .iter()
        .find(|(id, _)| *id == sig.id)
        .and_then(|(_, re)| re.find(line))
        .map(|m| (m.start(), m.end()))
}

static NOISE_TOKEN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(\d{4}-\d{2}-\d{2}t[\d:.]+z?|[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12})$")
        .expect("static regex")
});

/// A JSON log line as `msg — err` (plus a few identifying fields); a line ending in a JSON
/// object (a Lambda `Invoke Error {...}`) as its words then `errorType: errorMessage`; other
/// lines unchanged.
pub fn display_line(line: &str) -> String {
    let trimmed = line.trim_start();
    let (prefix, json) = match trimmed.find('{') {
        Some(0) => ("", trimmed),
        Some(i) if trimmed.ends_with('}') => (&trimmed[..i], &trimmed[i..]),
        _ => return line.to_owned(),
    };
    let Ok(Value::Object(obj)) = serde_json::from_str::<Value>(json) else {
        return line.to_owned();
    };
    let words: Vec<&str> = prefix
        .split_whitespace()
        .filter(|t| !NOISE_TOKEN.is_match(t))
        .collect();
    if let (Some(t), Some(m)) = (
        obj.get("errorType").and_then(Value::as_str),
        obj.get("errorMessage").and_then(Value::as_str),
    ) {
        let lead = words.join(" ");
        return if lead.is_empty() {
            format!("{t}: {m}")
        } else {
            format!("{lead} — {t}: {m}")
        };
    }
    if !words.is_empty() {
        return line.to_owned();
    }
    let text = |k: &str| obj.get(k).and_then(Value::as_str).filter(|s| !s.is_empty());
    let msg = ["msg", "message", "event"].iter().find_map(|k| text(k));
    // An error object (pino's `err`, a serialized exception): `type: message`.
    let nested = |k: &str| {
        let e = obj.get(k)?.as_object()?;
        let field = |f: &str| e.get(f).and_then(Value::as_str).filter(|s| !s.is_empty());
        let m = field("message").or_else(|| field("msg"))?;
        Some(match field("type").or_else(|| field("name")) {
            Some(t) => format!("{t}: {m}"),
            None => m.to_owned(),
        })
    };
    // An error's first line (a serialized stack follows it in some loggers).
    let err = ["err", "error", "exception", "errorMessage", "reason"]
        .iter()
        .find_map(|k| text(k).map(str::to_owned).or_else(|| nested(k)))
        .map(|e| e.lines().next().unwrap_or_default().trim_end().to_owned());
    let err = err.as_deref();
    let mut out = match (msg, err) {
        (Some(m), Some(e)) => format!("{m} — {e}"),
        (Some(m), None) => m.to_owned(),
        (None, Some(e)) => e.to_owned(),
        (None, None) => return line.to_owned(),
    };
    let context: Vec<String> = ["table", "topic", "partner", "queue", "host", "op", "code"]
        .iter()
        .filter_map(|k| obj.get(*k).map(|v| (k, v)))
        .filter_map(|(k, v)| match v {
            Value::String(s) => Some(format!("{k}={s}")),
            Value::Number(n) => Some(format!("{k}={n}")),
            _ => None,
        })
        .collect();
    if !context.is_empty() {
        out.push_str(&format!(" ({})", context.join(", ")));
    }
    out
}

/// The part of a (displayed) line worth a title: around the signature's match, at most `max`
/// characters, cut at word boundaries.
pub fn snippet(line: &str, sig: Option<&Signature>, max: usize) -> String {
    let shown = display_line(line);
    let shown = shown.trim();
    if shown.chars().count() <= max {
        return shown.to_owned();
    }
    let start = sig
        .and_then(|s| signature_span(shown, s))
        .map_or(0, |(s, _)| s);
    // When the match is far in, start a little before it, at a word start.
    let from = if start > max / 2 {
        let back = start.saturating_sub(max / 6);
        let back = (back..=start)
            .find(|i| shown.is_char_boundary(*i))
            .unwrap_or(start);
        shown[back..start]
            .find(char::is_whitespace)
            .map_or(back, |ws| back + ws + 1)
    } else {
        0
    };
    let cut = truncate(&shown[from..], max);
    if from > 0 { format!("…{cut}") } else { cut }
}

/// The trend in words (`new since 08:49 UTC, 37 min before the alert`, `×3 before`,
/// `stopped 10:21, 19 min before the alert`).
pub fn trend_words(p: &Pattern) -> String {
    let onset = format!(
        "since {} UTC, {} min before the alert",
        hhmm(p.onset),
        p.onset_minutes
    );
    match p.trend {
        Trend::New if p.baseline.unwrap_or(0) > 0 => format!("new {onset}; absent before it"),
        Trend::New => format!("new {onset}: none in the preceding window"),
        Trend::Surging => format!(
            "surging: ×{} in the preceding window",
            p.baseline.unwrap_or(0)
        ),
        Trend::Steady => format!(
            "steady: ×{} in the preceding window too, already there at its start — not new",
            p.baseline.unwrap_or(0)
        ),
        Trend::Ended => format!(
            "{} {onset}; its last line at {} UTC, {} min before the alert, and its sources have logged nothing since: the run ended on this error",
            if p.novelty == Trend::Surging {
                "surging"
            } else {
                "new"
            },
            hhmm(p.last),
            p.quiet_minutes
        ),
        Trend::Stopped if !p.replaced_by.is_empty() => format!(
            "stopped at {} UTC, {} min before the alert: only pods since replaced ({}) wrote it; the newer pods ({}) have logged since without it",
            hhmm(p.last),
            p.quiet_minutes,
            list(p.origins.iter()),
            list(p.replaced_by.iter())
        ),
        Trend::Stopped => format!(
            "stopped at {} UTC, {} min before the alert{}",
            hhmm(p.last),
            p.quiet_minutes,
            match p.silent {
                Some(false) => "; the same sources kept logging without it since (recovered)",
                _ => "; too few lines since to tell whether its sources recovered",
            }
        ),
        Trend::Unknown => "preceding window not available".into(),
    }
}

/// Up to three names, `, `-separated, `+N` for the rest.
fn list<'a>(names: impl Iterator<Item = &'a String>) -> String {
    let all: Vec<&String> = names.collect();
    let mut s = all
        .iter()
        .take(3)
        .map(|n| n.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    if all.len() > 3 {
        s.push_str(&format!(" +{}", all.len() - 3));
    }
    s
}

/// `line` cut to `max` characters around its decisive part: the signature's match when the
/// line is longer than `max` (with `…` where it was cut), tabs shown as spaces.
pub fn verbatim(line: &str, sig: Option<&Signature>, max: usize) -> String {
    let line = line.trim().replace('\t', " ");
    if line.chars().count() <= max {
        return line;
    }
    let Some((s, e)) = sig.and_then(|sig| signature_span(&line, sig)) else {
        return truncate(&line, max);
    };
    // The decisive part: the match and the rest of its clause (up to 80 characters on).
    let e = line[e..]
        .char_indices()
        .take(80)
        .find(|(_, c)| matches!(c, '"' | ';' | '|' | '{' | '}'))
        .map_or_else(
            || {
                line[e..]
                    .char_indices()
                    .nth(80)
                    .map_or(line.len(), |(i, _)| e + i)
            },
            |(i, _)| e + i,
        );
    // Keep what comes before it when it fits; else start shortly before it.
    let room = max.saturating_sub(2);
    let before = line[..s].chars().count();
    let matched = line[s..e].chars().count();
    if before + matched <= room {
        return truncate(&line, max);
    }
    let lead = room.saturating_sub(matched).min(room / 3);
    let from = line[..s]
        .char_indices()
        .rev()
        .nth(lead.saturating_sub(1))
        .map_or(0, |(i, _)| i);
    let from = line[from..s]
        .find(char::is_whitespace)
        .map_or(from, |w| from + w + 1)
        .min(s);
    let cut = truncate(&line[from..], max - 1);
    if from > 0 { format!("…{cut}") } else { cut }
}

/// `×12 <line>` (with the top stack frame when there is one), at most 300 characters, the
/// line verbatim around its decisive part.
pub fn evidence_line(count: usize, p: &Pattern) -> String {
    let head = format!("×{count} ");
    let frame = p
        .example
        .raise_frame()
        .map(|f| format!(" | {}", f.raw))
        .unwrap_or_default();
    let context = p
        .example
        .context
        .as_deref()
        .map(|c| format!(" ← {}", c.trim()))
        .unwrap_or_default();
    let room = EVIDENCE_MAX.saturating_sub(head.chars().count());
    let line = verbatim(&p.example.line, p.signature, room);
    let mut s = format!("{head}{line}");
    for extra in [context, frame] {
        if s.chars().count() + extra.chars().count() <= EVIDENCE_MAX {
            s.push_str(&extra);
        }
    }
    truncate(&s, EVIDENCE_MAX)
}

/// ` in next_period_end (billing.py:41)`: where a pattern's exception was raised, for its
/// title; empty when its lines carry no stack trace.
pub fn frame_clause(p: &Pattern) -> String {
    p.example
        .raise_frame()
        .map(|f| format!(" {}", f.clause()))
        .unwrap_or_default()
}

/// Fields that say where data came from.
const DATA_SOURCE_KEYS: &[&str] = &[
    "supplier", "vendor", "partner", "source", "feed", "file", "key", "bucket", "dataset", "table",
    "provider", "upstream",
];

static KV: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"\b([A-Za-z_][\w.]*)=("[^"]*"|[^\s,;]+)"#).expect("static regex")
});

/// What a data-quality line says about its data: where it came from (`supplier=…`, `file=…`)
/// and how many rows it touched (`rows_affected=38127`), from JSON or `key=value` fields:
/// `(field, value)` pairs, sources first.
pub fn data_fields(line: &str) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = Vec::new();
    let t = line.trim();
    let json = t
        .find('{')
        .and_then(|i| serde_json::from_str::<Value>(&t[i..]).ok());
    if let Some(Value::Object(obj)) = json {
        for (k, v) in obj {
            match v {
                Value::String(s) => pairs.push((k, s)),
                Value::Number(n) => pairs.push((k, n.to_string())),
                _ => {}
            }
        }
    } else {
        for c in KV.captures_iter(t) {
            pairs.push((c[1].to_owned(), c[2].trim_matches('"').to_owned()));
        }
    }
    let counted = |k: &str| {
        let k = k.to_ascii_lowercase();
        [
            "rows", "records", "items", "lines", "affected", "rejected", "skipped", "dropped",
            "coerced", "invalid", "total", "parsed",
        ]
        .iter()
        .any(|w| k.contains(w))
    };
    let mut out: Vec<(String, String)> = pairs
        .iter()
        .filter(|(k, _)| DATA_SOURCE_KEYS.contains(&k.to_ascii_lowercase().as_str()))
        .cloned()
        .collect();
    out.extend(
        pairs
            .into_iter()
            .filter(|(k, v)| counted(k) && v.parse::<f64>().is_ok()),
    );
    out
}

/// ` (supplier=brightwell, rows_affected=38127)`: [`data_fields`] not already in `quoted`;
/// empty when there are none.
pub fn data_clause(line: &str, quoted: &str) -> String {
    let parts: Vec<String> = data_fields(line)
        .into_iter()
        .filter(|(k, v)| !quoted.contains(&format!("{k}={v}")))
        .take(4)
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!(" ({})", parts.join(", "))
    }
}

/// The summary evidence line of a set of patterns.
pub fn count_line(patterns: &[&Pattern]) -> String {
    let count: usize = patterns.iter().map(|p| p.count).sum();
    let before: Option<usize> = patterns.iter().map(|p| p.baseline).sum();
    let first = patterns.iter().map(|p| p.first).min();
    let last = patterns.iter().map(|p| p.last).max();
    let origins: std::collections::BTreeSet<&str> = patterns
        .iter()
        .flat_map(|p| p.origins.iter().map(String::as_str))
        .collect();
    let onset = patterns.iter().map(|p| p.onset).min();
    let before = match (before, onset, first) {
        (None, _, _) => "preceding window unknown".to_owned(),
        (Some(b), Some(o), Some(f)) if b > 0 && o < f => {
            format!("{b} in the preceding window, the first at {} UTC", hhmm(o))
        }
        (Some(b), _, _) => format!("{b} in the preceding window"),
    };
    let span = match (first, last) {
        (Some(f), Some(l)) => format!(", first {} last {} UTC", hhmm(f), hhmm(l)),
        _ => String::new(),
    };
    truncate(
        &format!(
            "×{count} in the window ({before}){span}, from {} source(s)",
            origins.len()
        ),
        EVIDENCE_MAX,
    )
}

static SAFE_RUN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[A-Za-z0-9 _.:=,\-]{6,}").expect("static regex"));

/// A literal from the line that finds it again: the signature's match if it is plain text,
/// else the longest plain run (no quotes, slashes or regex syntax).
pub fn literal(line: &str, sig: Option<&Signature>) -> Option<String> {
    if let Some((s, e)) = sig.and_then(|s| signature_span(line, s)) {
        let m = &line[s..e];
        if SAFE_RUN.find(m).is_some_and(|r| r.as_str() == m) {
            return Some(m.trim().to_owned());
        }
    }
    SAFE_RUN
        .find_iter(line)
        .map(|m| m.as_str().trim())
        .filter(|m| m.len() >= 6)
        .max_by_key(|m| m.len())
        .map(|m| truncate(m, 60).trim_end_matches('…').to_owned())
}

/// The Insights query that shows a pattern's lines (optionally narrowed to a service).
pub fn reproduce_query(literal: Option<&str>, service: Option<&str>) -> String {
    let mut q = String::from("fields @timestamp, @message, @logStream, @log");
    if let Some(l) = literal {
        q.push_str(&format!("\n| filter @message like /{}/", escape_regex(l)));
    }
    if let Some(s) = service {
        q.push_str(&format!("\n| filter @message like /{}/", escape_regex(s)));
    }
    q.push_str("\n| sort @timestamp desc\n| limit 200");
    q
}

fn escape_regex(s: &str) -> String {
    regex::escape(s).replace('/', "\\/")
}

/// A short stable hash for ids.
pub fn short_hash(s: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{:08x}", h >> 32)
}

/// `redelivered: receive count up to 5 — …` when a pattern's lines say the same messages were
/// retried.
pub fn redelivery_line(ps: &[&Pattern]) -> Option<(u64, String)> {
    let n = ps.iter().filter_map(|p| p.max_receive_count).max()?;
    (n >= 2).then(|| {
        (
            n,
            format!(
                "redelivered: receive count up to {n} — the same message(s) failing on every retry (a poison message; it ends in the dead-letter queue)"
            ),
        )
    })
}
