//! Error lines clustered into patterns (`sremesh_core::signals::normalize`) per log group and
//! service, counted in the window and in the baseline, and judged: new, surging, steady (noise),
//! stopped (recovered before the alert), or unknown (no baseline).

use super::Activity;
use crate::discovery::{Candidate, Target};
use crate::records::{Level, LogRecord};
use jiff::{SignedDuration, Timestamp};
use regex::Regex;
use sremesh_core::signals::{self, Signature};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

/// How a pattern compares with the preceding window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Trend {
    /// Absent before.
    New,
    /// At least 3× and at least 5 more than before.
    Surging,
    /// About as frequent as before: noise, not a cause.
    Steady,
    /// New or surging, but silent for a while before the alert: it has recovered.
    Stopped,
    /// No baseline to compare with.
    Unknown,
}

impl Trend {
    /// New, surging or unknown: could be what the alert is about.
    pub fn is_active(self) -> bool {
        matches!(self, Trend::New | Trend::Surging | Trend::Unknown)
    }
}

/// One error pattern.
#[derive(Debug, Clone)]
pub struct Pattern {
    /// The normalised line.
    pub key: String,
    pub group: String,
    pub service: Option<String>,
    /// True when the line is about the alert's target (see [`Target::names_record`]).
    pub on_target: bool,
    pub signature: Option<&'static Signature>,
    /// The level most of its lines declare.
    pub level: Option<Level>,
    /// Lines in the window.
    pub count: usize,
    /// Lines in the baseline (`None`: baseline unknown).
    pub baseline: Option<usize>,
    pub first: Timestamp,
    pub last: Timestamp,
    /// The most recent line.
    pub example: LogRecord,
    /// Pods (or streams) that wrote it.
    pub origins: BTreeSet<String>,
    pub trend: Trend,
    /// Minutes between its last line and the alert (0 when it is still going).
    pub quiet_minutes: i64,
    /// For a stopped pattern: `Some(false)` when its sources kept logging afterwards
    /// (recovered), `Some(true)` when they went silent too (possibly dead), `None` unknown.
    pub silent: Option<bool>,
}

/// Lambda platform lines: summarised by the Lambda analyzer, never patterns of their own.
pub fn is_lambda_platform_line(line: &str) -> bool {
    [
        "START RequestId",
        "END RequestId",
        "REPORT RequestId",
        "INIT_START",
        "INIT_REPORT",
    ]
    .iter()
    .any(|p| line.starts_with(p))
}

static EXTRA_ERROR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[a-z][A-Za-z]*(Exception|Error)\b|(?i)\b(failed|failure|unable to|cannot|could not|evict\w*)\b")
        .expect("static regex")
});

/// Signatures too generic to turn a line that calls itself `info` into an error
/// (`drain_timeout`, `net_tick_timeout`, a retried 502).
const GENERIC: &[&str] = &["timeout", "connection_reset", "http_5xx"];

/// True when a record reads as an error: by its declared level, a known signature, or an
/// error word. Lines that declare `info`/`debug` count only with a specific signature.
pub fn is_errorish(rec: &LogRecord) -> bool {
    if is_lambda_platform_line(&rec.line) {
        return false;
    }
    let sig = signals::classify(&rec.line);
    match rec.level {
        Some(Level::Error) => true,
        Some(Level::Warn) => sig.is_some() || EXTRA_ERROR.is_match(&rec.line),
        Some(Level::Info | Level::Debug) => sig.is_some_and(|s| !GENERIC.contains(&s.id)),
        None => signals::is_error_line(&rec.line) || EXTRA_ERROR.is_match(&rec.line),
    }
}

/// True when `rec` is about the target: in a dedicated group, or named by pod, workload,
/// namespace or text; everything is when the target has no line-level keyword.
pub fn on_target(rec: &LogRecord, target: &Target, groups: &[Candidate]) -> bool {
    if !target.has_line_keywords() {
        return true;
    }
    if groups.iter().any(|g| g.dedicated && g.name == rec.group) {
        return true;
    }
    target.names_record(
        rec.pod.as_deref(),
        rec.service.as_deref(),
        rec.namespace.as_deref(),
        &rec.line,
    )
}

type Key = (String, Option<String>, String);

fn key_of(rec: &LogRecord) -> Key {
    (
        rec.group.clone(),
        rec.service.clone(),
        signals::normalize(&rec.line),
    )
}

/// Minimum silence before the alert for a new pattern to count as stopped.
const QUIET_FLOOR: SignedDuration = SignedDuration::from_mins(10);

/// Clusters error-ish `window` lines into patterns, compared with `baseline` (when known).
/// `activity` (the last line of each source) tells a recovered stop from a silent one.
pub fn cluster(
    window: &[LogRecord],
    baseline: Option<&[LogRecord]>,
    target: &Target,
    groups: &[Candidate],
    alert_time: Timestamp,
    activity: Option<&Activity>,
) -> Vec<Pattern> {
    let mut before: BTreeMap<Key, usize> = BTreeMap::new();
    for r in baseline
        .unwrap_or_default()
        .iter()
        .filter(|r| is_errorish(r))
    {
        *before.entry(key_of(r)).or_default() += 1;
    }
    let mut by_key: BTreeMap<Key, Vec<&LogRecord>> = BTreeMap::new();
    for r in window.iter().filter(|r| is_errorish(r)) {
        by_key.entry(key_of(r)).or_default().push(r);
    }
    let mut out: Vec<Pattern> = by_key
        .into_iter()
        .filter_map(|(key, mut recs)| {
            recs.sort_by_key(|r| r.at);
            let first = recs.first()?;
            let last = recs.last()?;
            let count = recs.len();
            let base = baseline.map(|_| before.get(&key).copied().unwrap_or(0));
            let mut levels: BTreeMap<Option<Level>, usize> = BTreeMap::new();
            for r in &recs {
                *levels.entry(r.level).or_default() += 1;
            }
            let level = levels
                .into_iter()
                .max_by_key(|(_, n)| *n)
                .and_then(|(l, _)| l);
            let quiet = alert_time.duration_since(last.at);
            Some(Pattern {
                signature: signals::classify(&last.line),
                on_target: recs.iter().any(|r| on_target(r, target, groups)),
                origins: recs.iter().map(|r| r.origin().to_owned()).collect(),
                group: key.0,
                service: key.1,
                key: key.2,
                level,
                count,
                baseline: base,
                first: first.at,
                last: last.at,
                example: (*last).clone(),
                trend: trend(count, base, &recs, alert_time),
                quiet_minutes: quiet.as_mins().max(0),
                silent: None,
            })
        })
        .collect();
    settle_families(&mut out, activity);
    out.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.key.cmp(&b.key)));
    out
}

/// A failure is one service's signature (or its signature-less errors) in one group: a
/// pattern only counts as stopped when its whole family has stopped. A stopped pattern's
/// sources either kept logging afterwards (recovered) or went silent.
fn settle_families(patterns: &mut [Pattern], activity: Option<&Activity>) {
    type Family = (String, Option<String>, Option<&'static str>);
    let family = |p: &Pattern| -> Family {
        (
            p.group.clone(),
            p.service.clone(),
            p.signature.map(|s| s.id),
        )
    };
    let going: std::collections::BTreeSet<Family> = patterns
        .iter()
        .filter(|p| p.trend.is_active())
        .map(family)
        .collect();
    for p in patterns.iter_mut() {
        if p.trend != Trend::Stopped {
            continue;
        }
        if going.contains(&family(p)) {
            p.trend = match p.baseline {
                None => Trend::Unknown,
                Some(0) => Trend::New,
                Some(_) => Trend::Surging,
            };
            continue;
        }
        p.silent = activity.map(|a| {
            let later = SignedDuration::from_secs(30);
            !p.origins.iter().any(|o| {
                a.get(&(p.group.clone(), o.clone()))
                    .is_some_and(|t| t.duration_since(p.last) > later)
            })
        });
    }
}
/// New / surging / steady from the counts; stopped when a new or surging pattern has been
/// silent for `max(10 min, 3 × its usual gap)` before the alert.
fn trend(count: usize, baseline: Option<usize>, recs: &[&LogRecord], alert: Timestamp) -> Trend {
    let base = match baseline {
        None => Trend::Unknown,
        Some(0) => Trend::New,
        Some(b) if count >= 3 * b && count >= b + 5 => Trend::Surging,
        Some(_) => Trend::Steady,
    };
    if base == Trend::Steady {
        return base;
    }
    let Some(last) = recs.last() else { return base };
    let quiet = alert.duration_since(last.at);
    let mut gaps: Vec<SignedDuration> = recs
        .windows(2)
        .map(|w| w[1].at.duration_since(w[0].at))
        .collect();
    gaps.sort();
    let usual = gaps
        .get(gaps.len() / 2)
        .copied()
        .unwrap_or(SignedDuration::ZERO);
    let threshold = QUIET_FLOOR.max(usual.saturating_mul(3));
    if quiet >= threshold {
        Trend::Stopped
    } else {
        base
    }
}

#[cfg(test)]
mod tests;
