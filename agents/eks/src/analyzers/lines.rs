//! Reading log lines: the level a line declares, rendering JSON / logfmt lines for humans,
//! classifying error lines with `sremesh_core::signals`, and finding a run's terminal error (what
//! the process died of).

use super::LogLine;
use super::facts::line;
use jiff::{SignedDuration, Timestamp};
use regex::Regex;
use sremesh_core::Category;
use sremesh_core::signals::{self, Signature};
use std::sync::LazyLock;

mod kube;

pub use kube::{classify, kube_api};

static LOGFMT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"([A-Za-z_][A-Za-z0-9_.]*)=("(?:[^"\\]|\\.)*"|\S+)"#).expect("static regex")
});
static KLOG: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^([IWEF])\d{4} ").expect("static regex"));
/// Each signature's pattern, to quote the part of a long line that matched.
static PATTERNS: LazyLock<Vec<(&'static str, Regex)>> = LazyLock::new(|| {
    signals::SIGNATURES
        .iter()
        .filter_map(|(s, re)| Regex::new(re).ok().map(|r| (s.id, r)))
        .collect()
});

/// The severity a line declares for itself, if it declares one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// info, notice, debug, trace.
    Quiet,
    /// warn and above.
    Loud,
}

fn level_word(w: &str) -> Option<Level> {
    // `INFO/ForkPoolWorker-1]` (Celery): the level is the first segment.
    let w = w
        .trim_matches(|c: char| !c.is_ascii_alphanumeric())
        .split('/')
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    match w.as_str() {
        "info" | "information" | "notice" | "debug" | "trace" | "verbose" | "30" | "20" | "10" => {
            Some(Level::Quiet)
        }
        "warn" | "warning" | "error" | "err" | "fatal" | "critical" | "crit" | "panic"
        | "severe" | "alert" | "emerg" | "40" | "50" | "60" => Some(Level::Loud),
        _ => None,
    }
}

/// The level a JSON, logfmt, klog or plain line declares (`None`: it does not say).
pub fn level(text: &str) -> Option<Level> {
    let t = text.trim();
    if t.starts_with('{') {
        if let Ok(serde_json::Value::Object(m)) = serde_json::from_str::<serde_json::Value>(t) {
            return ["level", "severity", "lvl"]
                .iter()
                .find_map(|k| match m.get(*k)? {
                    serde_json::Value::String(s) => level_word(s),
                    serde_json::Value::Number(n) => level_word(&n.to_string()),
                    _ => None,
                });
        }
        return None;
    }
    if let Some(c) = KLOG.captures(t) {
        return Some(if &c[1] == "I" {
            Level::Quiet
        } else {
            Level::Loud
        });
    }
    for c in LOGFMT.captures_iter(t) {
        if matches!(&c[1], "level" | "lvl" | "severity") {
            return level_word(c[2].trim_matches('"'));
        }
    }
    t.split_whitespace().take(5).find_map(level_word)
}

/// `…` + the part of `text` around where `sig` matched (the whole line when short).
pub fn excerpt(text: &str, sig: &Signature) -> String {
    let r = render(text);
    if r.chars().count() <= 200 {
        return r;
    }
    let Some(m) = PATTERNS
        .iter()
        .find(|(id, _)| *id == sig.id)
        .and_then(|(_, re)| re.find(&r))
    else {
        return sremesh_core::text::truncate(&r, 160);
    };
    let start = r[..m.start()]
        .char_indices()
        .rev()
        .nth(100)
        .map_or(0, |(i, _)| i);
    let cut: String = r[start..].chars().take(200).collect();
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    out.push_str(&cut);
    if r[start..].chars().count() > 200 {
        out.push('…');
    }
    out
}

fn render_logfmt(t: &str) -> Option<String> {
    let pairs: Vec<(String, String)> = LOGFMT
        .captures_iter(t)
        .map(|c| {
            (
                c[1].to_owned(),
                c[2].trim_matches('"').replace("\\\"", "\""),
            )
        })
        .collect();
    let get = |k: &str| pairs.iter().find(|(x, _)| x == k).map(|(_, v)| v.clone());
    let msg = get("msg").or_else(|| get("message"))?;
    let mut out = String::new();
    if let Some(l) = get("level").or_else(|| get("lvl")) {
        out.push_str(&l.to_ascii_lowercase());
        out.push(' ');
    }
    out.push_str(&msg);
    if let Some(e) = get("error").or_else(|| get("err")) {
        out.push_str(" — ");
        out.push_str(&e);
    }
    let extra: Vec<String> = pairs
        .iter()
        .filter(|(k, _)| {
            !matches!(
                k.as_str(),
                "time" | "ts" | "level" | "lvl" | "msg" | "message" | "error" | "err" | "caller"
            )
        })
        .take(6)
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    if !extra.is_empty() {
        out.push_str(&format!(" [{}]", extra.join(" ")));
    }
    Some(line(out))
}

/// A log line for humans: JSON and logfmt lines become `level msg — error [k=v …]`.
pub fn render(text: &str) -> String {
    let t = text.trim();
    if !t.starts_with('{') {
        return render_logfmt(t).unwrap_or_else(|| line(t));
    }
    let Ok(serde_json::Value::Object(m)) = serde_json::from_str::<serde_json::Value>(t) else {
        return line(t);
    };
    let s = |k: &str| match m.get(k) {
        Some(serde_json::Value::String(s)) => Some(s.clone()),
        Some(serde_json::Value::Number(n)) => Some(n.to_string()),
        Some(serde_json::Value::Object(o)) => {
            o.get("message").and_then(|v| v.as_str()).map(str::to_owned)
        }
        _ => None,
    };
    let level = s("level")
        .or_else(|| s("severity"))
        .map(|l| match l.as_str() {
            "60" => "fatal".to_owned(),
            "50" => "error".to_owned(),
            "40" => "warn".to_owned(),
            "30" => "info".to_owned(),
            _ => l.to_ascii_lowercase(),
        });
    let Some(msg) = s("msg").or_else(|| s("message")) else {
        return line(t);
    };
    let mut out = String::new();
    if let Some(l) = level {
        out.push_str(&l);
        out.push(' ');
    }
    out.push_str(msg.lines().next().unwrap_or(""));
    if let Some(e) = s("err").or_else(|| s("error")).or_else(|| s("exception")) {
        out.push_str(" — ");
        out.push_str(e.lines().next().unwrap_or(""));
    }
    const SKIP: &[&str] = &[
        "level",
        "severity",
        "msg",
        "message",
        "err",
        "error",
        "exception",
        "time",
        "ts",
        "timestamp",
        "pid",
        "hostname",
        "logger",
        "v",
    ];
    let extra: Vec<String> = m
        .iter()
        .filter(|(k, _)| !SKIP.contains(&k.as_str()))
        .filter_map(|(k, v)| match v {
            serde_json::Value::String(x) if x.len() <= 80 => Some(format!("{k}={x}")),
            serde_json::Value::Number(n) => Some(format!("{k}={n}")),
            serde_json::Value::Bool(b) => Some(format!("{k}={b}")),
            _ => None,
        })
        .take(6)
        .collect();
    if !extra.is_empty() {
        out.push_str(&format!(" [{}]", extra.join(" ")));
    }
    line(out)
}

/// The category a signature points to on this line: the signature's, except that a TLS failure
/// our *server* logs about an incoming handshake (`TLS handshake error from <client>`) is about
/// our own certificate — configuration — where an outbound one is the peer's (a dependency).
pub fn category_of(sig: &Signature, text: &str) -> Category {
    if sig.id == "tls_error" && text.to_ascii_lowercase().contains("handshake error from") {
        return Category::ConfigurationError;
    }
    sig.category
}

/// A classified line.
#[derive(Debug, Clone)]
pub struct Hit {
    pub sig: &'static Signature,
    pub at: Option<Timestamp>,
    pub raw: String,
}

/// An error line: one the signals call an error, unless it declares itself info or debug.
pub fn is_error(text: &str) -> bool {
    signals::is_error_line(text) && level(text) != Some(Level::Quiet)
}

/// The signature-bearing error lines of a log.
pub fn hits(lines: &[LogLine]) -> Vec<Hit> {
    lines
        .iter()
        .filter(|l| is_error(&l.text))
        .filter_map(|l| {
            classify(&l.text).map(|sig| Hit {
                sig,
                at: l.at,
                raw: l.text.clone(),
            })
        })
        .collect()
}

/// How far before a run's last error line its final error report may start (a stack trace,
/// `Caused by`, `exiting`: one burst).
const BURST: SignedDuration = SignedDuration::from_secs(5);
/// The terminal error is the last error before exit: at most this many lines from the end …
const TAIL_LINES: usize = 15;
/// … or this close to the run's last line.
const TAIL_TIME: SignedDuration = SignedDuration::from_secs(60);

/// The terminal error of one container run — the last signature-bearing error line of the run's
/// final error report (the error lines within a few seconds of its last error line, which must
/// come at the end of the log): what the process died of. `None` when the run did not end on an
/// error, or its final error carries no known signature.
pub fn terminal(lines: &[LogLine]) -> Option<Hit> {
    let (last_i, last) = lines
        .iter()
        .enumerate()
        .rev()
        .find(|(_, l)| is_error(&l.text))?;
    let end = lines.iter().rev().find_map(|l| l.at);
    let near_end = lines.len() - last_i <= TAIL_LINES
        || matches!((last.at, end), (Some(a), Some(e)) if e.duration_since(a) <= TAIL_TIME);
    if !near_end {
        return None;
    }
    lines[..=last_i]
        .iter()
        .rev()
        .take_while(|l| match (last.at, l.at) {
            (Some(t), Some(a)) => t.duration_since(a) <= BURST,
            _ => true,
        })
        .take(TAIL_LINES)
        .filter(|l| is_error(&l.text))
        .find_map(|l| {
            classify(&l.text).map(|sig| Hit {
                sig,
                at: l.at,
                raw: l.text.clone(),
            })
        })
}

static FATAL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\bfatal\b|\bpanic(ked)?\b|\bcritical\b|traceback \(most recent call last\)|^\s+at \S|^\s*File \x22|^goroutine \d+ \[")
        .expect("static regex")
});
/// An exception or error class (`OutOfMemoryError`, `KeyError`, `ConnectException`).
static CLASS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b[A-Z][A-Za-z0-9_]+(Exception|Error)\b").expect("static regex"));

/// True when a run's final error report reads as the process dying — an exception class, a
/// fatal / panic / critical line, a stack trace — rather than a routine error line it also
/// logs while healthy.
pub fn fatal_report(lines: &[LogLine]) -> bool {
    let Some((last_i, last)) = lines
        .iter()
        .enumerate()
        .rev()
        .find(|(_, l)| is_error(&l.text))
    else {
        return false;
    };
    let from = lines[..=last_i]
        .iter()
        .rposition(|l| match (last.at, l.at) {
            (Some(t), Some(a)) => t.duration_since(a) > BURST,
            _ => false,
        })
        .map_or(0, |i| i + 1)
        .max(last_i.saturating_sub(40));
    lines[from..]
        .iter()
        .take(last_i - from + 1 + TAIL_LINES)
        .any(|l| FATAL.is_match(&l.text) || CLASS.is_match(&l.text))
}

/// A stack frame or the head of a trace (`\tat …`, `  File "x.py"…`, `goroutine 7 [running]:`).
fn frame_like(text: &str) -> bool {
    let t = text.trim_start();
    text.starts_with([' ', '\t'])
        || [
            "Traceback",
            "goroutine ",
            "created by ",
            "Caused by",
            "panic:",
            "Exception",
            "...",
        ]
        .iter()
        .any(|p| t.starts_with(p))
}

/// What the process was doing when it died: the last ordinary line before its final error report
/// (the request it was serving, the job it had picked up), if it came at most a minute before.
pub fn before_terminal(lines: &[LogLine]) -> Option<&LogLine> {
    let (last_i, last) = lines
        .iter()
        .enumerate()
        .rev()
        .find(|(_, l)| is_error(&l.text))?;
    let mut i = last_i;
    while i > 0 {
        let prev = &lines[i - 1].text;
        if is_error(prev) || prev.trim().is_empty() || frame_like(prev) {
            i -= 1;
        } else {
            break;
        }
    }
    let before = lines[..i].last()?;
    match (before.at, last.at) {
        (Some(b), Some(t)) if t.duration_since(b) > TAIL_TIME => None,
        _ => Some(before),
    }
}

/// The lines of a run's final error report, rendered (at most `n`, oldest first): the
/// terminal error, the error lines just before it, and where a traceback says it happened
/// (`File "x.py", line 27, in f` and the source line under it; `at …` frames are left out).
pub fn terminal_block(lines: &[LogLine], n: usize) -> Vec<String> {
    let Some((last_i, last)) = lines
        .iter()
        .enumerate()
        .rev()
        .find(|(_, l)| is_error(&l.text))
    else {
        return Vec::new();
    };
    let first_i = lines[..=last_i]
        .iter()
        .rposition(|l| match (last.at, l.at) {
            (Some(t), Some(a)) => t.duration_since(a) > BURST,
            _ => false,
        })
        .map_or(0, |i| i + 1)
        .max(last_i.saturating_sub(40));
    let burst = &lines[first_i..=last_i];
    let frame = |t: &str| t.trim_start().starts_with("File \"");
    let mut out: Vec<String> = burst
        .iter()
        .enumerate()
        .filter(|(i, l)| {
            is_error(&l.text)
                || frame(&l.text)
                || l.text.trim_start().starts_with("Caused by:")
                || (*i > 0 && frame(&burst[i - 1].text) && !l.text.trim().is_empty())
        })
        .map(|(_, l)| render(&l.text))
        .collect();
    let skip = out.len().saturating_sub(n);
    out.drain(..skip);
    out
}

#[cfg(test)]
mod tests;
