//! Known failure signatures in log lines and event messages, and log-line normalisation for
//! clustering. Pure functions shared by every analyzer that reads text (EKS pod logs and events,
//! CloudWatch log events, chat messages).

use crate::{Category, Severity};
use regex::{Regex, RegexSet};
use std::sync::LazyLock;

/// A recognised failure signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Signature {
    /// Stable id (`dns_failure`).
    pub id: &'static str,
    /// Human label ("DNS resolution failure").
    pub label: &'static str,
    /// The root-cause category this signature usually points to.
    pub category: Category,
    /// How bad one occurrence usually is.
    pub severity: Severity,
}

const fn sig(
    id: &'static str,
    label: &'static str,
    category: Category,
    severity: Severity,
) -> Signature {
    Signature {
        id,
        label,
        category,
        severity,
    }
}

mod table;

pub use table::{NOISE, SIGNATURES, UNLESS};

static SET: LazyLock<RegexSet> = LazyLock::new(|| {
    RegexSet::new(SIGNATURES.iter().map(|(_, re)| *re))
        .expect("the signature table holds valid regexes")
});

static VETOES: LazyLock<Vec<(&'static str, Regex)>> = LazyLock::new(|| {
    UNLESS
        .iter()
        .map(|(id, re)| {
            (
                *id,
                Regex::new(re).expect("the veto table holds valid regexes"),
            )
        })
        .collect()
});

static NOISE_SET: LazyLock<RegexSet> = LazyLock::new(|| {
    RegexSet::new(NOISE.iter().map(|(_, _, re)| *re)).expect("the noise table holds valid regexes")
});

/// The noise pattern a line matches (`tls_client_hangup`), if any: such a line is neither a
/// signature nor an error line.
pub fn noise(line: &str) -> Option<&'static str> {
    NOISE_SET.matches(line).iter().next().map(|i| NOISE[i].0)
}

fn vetoed(id: &str, line: &str) -> bool {
    VETOES.iter().any(|(v, re)| *v == id && re.is_match(line))
}

/// The first (highest-priority) signature a line matches; none for noise.
pub fn classify(line: &str) -> Option<&'static Signature> {
    classify_all(line).into_iter().next()
}

/// Every signature a line matches, in priority order (none for noise).
pub fn classify_all(line: &str) -> Vec<&'static Signature> {
    let hits = SET.matches(line);
    if !hits.matched_any() || noise(line).is_some() {
        return Vec::new();
    }
    hits.iter()
        .map(|i| &SIGNATURES[i].0)
        .filter(|s| !vetoed(s.id, line))
        .collect()
}

/// Looks a signature up by id.
pub fn signature(id: &str) -> Option<&'static Signature> {
    SIGNATURES.iter().map(|(s, _)| s).find(|s| s.id == id)
}

static ERROR_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)\b(error|err|fatal|critical|crit|panic|exception|failed|failure)\b|\b[A-Za-z]+(Exception|Error)\b|"level"\s*:\s*("(error|fatal|critical)"|50|60)\b|level=(error|fatal|crit)|\bE\d{4} "#)
        .expect("static regex")
});

static BENIGN_LEVEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)^\S*\s*\b(INFO|DEBUG|TRACE)\b|"level"\s*:\s*("(info|debug|trace)"|10|20|30)\b|\blevel=(info|debug|trace)\b|^I\d{4} "#)
        .expect("static regex")
});

/// True when the line itself declares an info/debug/trace level (its author says it is not
/// an error, whatever words it contains: `INFO drain_timeout=30s`, uvicorn's `INFO … 502`).
pub fn declares_benign_level(line: &str) -> bool {
    BENIGN_LEVEL.is_match(line.trim_start())
}

/// True when a line reads as an error (a level, an exception, a failure) or matches a
/// signature — unless the line declares itself info/debug/trace or is known noise.
pub fn is_error_line(line: &str) -> bool {
    !declares_benign_level(line)
        && noise(line).is_none()
        && (ERROR_LINE.is_match(line) || classify(line).is_some())
}

static NORMALIZERS: LazyLock<Vec<(Regex, &'static str)>> = LazyLock::new(|| {
    [
        (
            r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?",
            "<ts>",
        ),
        (
            r"(?i)\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b",
            "<uuid>",
        ),
        (r"\b\d{1,3}(\.\d{1,3}){3}(:\d+)?\b", "<ip>"),
        (r"(?i)\b0x[0-9a-f]+\b", "<hex>"),
        (r"(?i)\b[0-9a-f]{12,}\b", "<hex>"),
        (
            r"\b[a-z0-9]+(-[a-z0-9]+)*-[a-f0-9]{8,10}-[a-z0-9]{5}\b",
            "<pod>",
        ),
        (r"\d+(\.\d+)?", "<n>"),
    ]
    .into_iter()
    .map(|(re, to)| (Regex::new(re).expect("static regex"), to))
    .collect()
});

/// Normalises a log line into its pattern: timestamps, UUIDs, IPs, hex ids, pod names and numbers
/// become placeholders, whitespace is collapsed, and the result is capped at 200 characters.
pub fn normalize(line: &str) -> String {
    let mut s = line.trim().to_owned();
    for (re, to) in NORMALIZERS.iter() {
        s = re.replace_all(&s, *to).into_owned();
    }
    let collapsed = s.split_whitespace().collect::<Vec<_>>().join(" ");
    crate::text::truncate(&collapsed, 200)
}

#[cfg(test)]
mod tests;
