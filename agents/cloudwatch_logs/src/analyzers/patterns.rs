//! Error lines clustered into patterns (`sremesh_core::signals::normalize`) per log group and
//! service, counted in the window and in the baseline, and judged by their onset: new (absent
//! when the observed history starts, whether it began in the window or partway through the
//! baseline), surging, steady (noise: already there when the history starts), stopped (its
//! sources kept logging without it: recovered) or ended (its sources logged nothing since: the
//! process ended on it), or unknown (no baseline).

use super::{Activity, SourceActivity};
use crate::discovery::{Candidate, KeywordKind, Target, workload_of};
use crate::records::{Level, LogRecord, lambda_function};
use jiff::{SignedDuration, Timestamp};
use regex::Regex;
use sremesh_core::signals::{self, Signature};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

/// How a pattern compares with the history before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Trend {
    /// Absent when the observed history starts: new since its onset.
    New,
    /// Already there, but at least 3× and at least 5 more than before.
    Surging,
    /// Already there when the history starts, about as frequent: noise, not a cause.
    Steady,
    /// New or surging, then silent for a while before the alert while its sources kept
    /// logging (recovered) — or nobody can tell whether they did.
    Stopped,
    /// New or surging, then its sources logged nothing more: the run or process ended on it
    /// (the error is still the last thing it did).
    Ended,
    /// No baseline to compare with.
    Unknown,
}

impl Trend {
    /// New, surging, ended or unknown: could be what the alert is about.
    pub fn is_active(self) -> bool {
        matches!(
            self,
            Trend::New | Trend::Surging | Trend::Ended | Trend::Unknown
        )
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
    /// First and last line in the window.
    pub first: Timestamp,
    pub last: Timestamp,
    /// The first line seen at all (baseline or window): when it began, as far as we can see.
    pub onset: Timestamp,
    /// How it compares with the history, before any stop is judged (new, surging, steady,
    /// unknown).
    pub novelty: Trend,
    /// The most recent line.
    pub example: LogRecord,
    /// Pods (or streams) that wrote it.
    pub origins: BTreeSet<String>,
    pub trend: Trend,
    /// Minutes between its last line and the alert (0 when it is still going).
    pub quiet_minutes: i64,
    /// Minutes between its onset and the alert.
    pub onset_minutes: i64,
    /// For a pattern that stopped: `Some(false)` when its sources kept logging afterwards
    /// (recovered), `Some(true)` when they went silent too (ended), `None` unknown.
    pub silent: Option<bool>,
    /// For a pattern that stopped because its pods were replaced (a rollout): the newer
    /// ReplicaSets' pods that have logged since without it.
    pub replaced_by: Vec<String>,
    /// The highest redelivery count its lines report (`receiveCount=5`): the same message
    /// retried, a poison message.
    pub max_receive_count: Option<u64>,
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

static FATAL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)traceback \(most recent call last\)|\bpanic(ked)?\b|\bunhandled\b|\buncaught\b|\bfatal\b|\bexit(ing|ed)\b|application run failed|\bterminat(ed|ing)\b|\bshutting down\b|^[A-Za-z_][\w.]*(Error|Exception):")
        .expect("static regex")
});

/// True when the event reads as the end of its process: a traceback or an uncaught exception,
/// a panic, `fatal`, `exiting`.
pub fn is_fatal(rec: &LogRecord) -> bool {
    FATAL.is_match(&rec.line)
        || rec.context.as_deref().is_some_and(|c| FATAL.is_match(c))
        || rec
            .detail
            .as_deref()
            .is_some_and(|d| d.lines().any(|l| FATAL.is_match(l.trim())))
}

/// Signatures too generic to turn a line that calls itself `info` into an error
/// (`drain_timeout`, `net_tick_timeout`, a retried 502).
const GENERIC: &[&str] = &["timeout", "connection_reset", "http_5xx"];

/// True when a record reads as an error: by its declared level, a known signature, or an
/// error word. Lines that declare `info`/`debug` count only with a specific signature.
pub fn is_errorish(rec: &LogRecord) -> bool {
    if is_lambda_platform_line(&rec.line) || signals::noise(&rec.line).is_some() {
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

/// True when a record counts for this alert: a warning that data was bent to fit (a lenient
/// parse, rows skipped: `data_coerced`) counts only when the alert is about wrong data; a line
/// that calls itself an error always does.
fn counts_for(rec: &LogRecord, target: &Target) -> bool {
    target.about_data
        || rec.level == Some(Level::Error)
        || signals::classify(&rec.line).is_none_or(|s| s.id != "data_coerced")
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
    // A shared group without Kubernetes metadata (ECS, an app's own group): its stream names
    // say whose line it is (`orders-api/orders-api/1f2e…`).
    if rec.pod.is_none() {
        let stream = rec.stream.to_ascii_lowercase();
        let named = target.keywords.iter().any(|k| {
            matches!(
                k.kind,
                KeywordKind::Workload | KeywordKind::Pod | KeywordKind::Name
            ) && crate::discovery::contains_token(&stream, &k.text)
        });
        if named {
            return true;
        }
    }
    target.names_record(
        rec.pod.as_deref(),
        rec.service.as_deref(),
        rec.namespace.as_deref(),
        &rec.line,
    )
}

/// `(group, service, signature of the whole line, normalised line)`: the normalised line is
/// capped, so two errors sharing a long prefix (a logger's preamble) stay apart by what the
/// whole line says.
type Key = (String, Option<String>, Option<&'static str>, String);

fn key_of(rec: &LogRecord) -> Key {
    (
        rec.group.clone(),
        rec.service.clone(),
        signals::classify(&rec.line).map(|s| s.id),
        signals::normalize(&rec.line),
    )
}

/// Minimum silence before the alert for a new pattern to count as stopped.
const QUIET_FLOOR: SignedDuration = SignedDuration::from_mins(10);

/// Minimum lead between the history's start and a pattern's first line for it to count as
/// new since that onset (rather than there all along).
const ONSET_FLOOR: SignedDuration = SignedDuration::from_mins(10);

/// The median gap between consecutive times (sorted), zero with fewer than two.
fn usual_gap(times: &[Timestamp]) -> SignedDuration {
    let mut gaps: Vec<SignedDuration> = times
        .windows(2)
        .map(|w| w[1].duration_since(w[0]))
        .collect();
    gaps.sort();
    gaps.get(gaps.len() / 2)
        .copied()
        .unwrap_or(SignedDuration::ZERO)
}

/// Clusters error-ish `window` lines into patterns, compared with `baseline` (when known),
/// which covers the history from `history_start`. `activity` (each source's lines over the
/// history) tells a recovered stop from a run that ended.
pub fn cluster(
    window: &[LogRecord],
    baseline: Option<&[LogRecord]>,
    history_start: Timestamp,
    target: &Target,
    groups: &[Candidate],
    alert_time: Timestamp,
    activity: Option<&Activity>,
) -> Vec<Pattern> {
    let mut before: BTreeMap<Key, Vec<Timestamp>> = BTreeMap::new();
    for r in baseline
        .unwrap_or_default()
        .iter()
        .filter(|r| is_errorish(r) && counts_for(r, target))
    {
        before.entry(key_of(r)).or_default().push(r.at);
    }
    let mut by_key: BTreeMap<Key, Vec<&LogRecord>> = BTreeMap::new();
    for r in window
        .iter()
        .filter(|r| is_errorish(r) && counts_for(r, target))
    {
        by_key.entry(key_of(r)).or_default().push(r);
    }
    let mut out: Vec<Pattern> = by_key
        .into_iter()
        .filter_map(|(key, mut recs)| {
            recs.sort_by_key(|r| r.at);
            let first = recs.first()?;
            let last = recs.last()?;
            let count = recs.len();
            let mut earlier: Vec<Timestamp> = before.get(&key).cloned().unwrap_or_default();
            earlier.sort();
            let base = baseline.map(|_| earlier.len());
            let mut levels: BTreeMap<Option<Level>, usize> = BTreeMap::new();
            for r in &recs {
                *levels.entry(r.level).or_default() += 1;
            }
            let level = levels
                .into_iter()
                .max_by_key(|(_, n)| *n)
                .and_then(|(l, _)| l);
            let times: Vec<Timestamp> = earlier
                .iter()
                .copied()
                .chain(recs.iter().map(|r| r.at))
                .collect();
            let onset = times.first().copied().unwrap_or(first.at);
            let novelty = novelty(count, base, &times, history_start);
            let quiet = alert_time.duration_since(last.at);
            Some(Pattern {
                signature: signals::classify(&last.line),
                on_target: recs.iter().any(|r| on_target(r, target, groups)),
                origins: recs.iter().map(|r| r.origin().to_owned()).collect(),
                group: key.0,
                service: key.1,
                key: key.3,
                level,
                count,
                baseline: base,
                first: first.at,
                last: last.at,
                onset,
                novelty,
                example: (*last).clone(),
                trend: if lasting(signals::classify(&last.line)) {
                    novelty
                } else {
                    stopped_or(novelty, &recs, alert_time)
                },
                quiet_minutes: quiet.as_mins().max(0),
                onset_minutes: alert_time.duration_since(onset).as_mins().max(0),
                silent: None,
                replaced_by: Vec::new(),
                max_receive_count: recs.iter().filter_map(|r| receive_count(&r.line)).max(),
            })
        })
        .collect();
    settle_families(&mut out, activity, alert_time);
    out.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.key.cmp(&b.key)));
    out
}

/// New / surging / steady / unknown. A pattern is steady noise only when it was already
/// there as the observed history starts: a first line later than `max(10 min, 2 × its usual
/// gap before the window)` after `history_start` means it began partway through — new since
/// that onset, however many times it has repeated since. `times` is sorted, the baseline's
/// `baseline` times first.
fn novelty(
    count: usize,
    baseline: Option<usize>,
    times: &[Timestamp],
    history_start: Timestamp,
) -> Trend {
    let b = match baseline {
        None => return Trend::Unknown,
        Some(0) => return Trend::New,
        Some(b) => b,
    };
    let onset = times.first().copied().unwrap_or(history_start);
    let lead = onset.duration_since(history_start);
    // Its pace before the window: the baseline's gaps (a surge in the window says nothing
    // about how often it came before), or the one gap to its first window line.
    let pace = if b >= 2 {
        usual_gap(&times[..b])
    } else {
        usual_gap(&times[..times.len().min(2)])
    };
    if lead > ONSET_FLOOR.max(pace.saturating_mul(2)) {
        return Trend::New;
    }
    if count >= 3 * b && count >= b + 5 {
        Trend::Surging
    } else {
        Trend::Steady
    }
}

/// Signatures whose damage outlasts their lines: data bent to fit (a lenient parse, values
/// coerced, rows skipped) was written that way and stays wrong after the loader went quiet,
/// so such a pattern never counts as stopped (recovered).
const LASTING: &[&str] = &["data_coerced"];

fn lasting(signature: Option<&signals::Signature>) -> bool {
    signature.is_some_and(|s| LASTING.contains(&s.id))
}

/// Stopped when a new or surging pattern has been silent for `max(10 min, 3 × its usual gap)`
/// before the alert; else its novelty.
fn stopped_or(novelty: Trend, recs: &[&LogRecord], alert: Timestamp) -> Trend {
    if novelty == Trend::Steady {
        return novelty;
    }
    let Some(last) = recs.last() else {
        return novelty;
    };
    let quiet = alert.duration_since(last.at);
    let times: Vec<Timestamp> = recs.iter().map(|r| r.at).collect();
    let threshold = QUIET_FLOOR.max(usual_gap(&times).saturating_mul(3));
    if quiet >= threshold {
        Trend::Stopped
    } else {
        novelty
    }
}

/// The activity of the sources that could have logged after a pattern: in a Lambda group any
/// stream (one function), else the pattern's pods or streams and the other pods of the same
/// workloads (a replacement pod, a Job's next attempt).
fn sources_of<'a>(p: &Pattern, activity: &'a Activity) -> impl Iterator<Item = &'a SourceActivity> {
    let whole_group = lambda_function(&p.group).is_some();
    let workloads: BTreeSet<&str> = p
        .origins
        .iter()
        .map(|o| workload_of(o))
        .chain(p.service.as_deref())
        .collect();
    let group = p.group.clone();
    activity
        .iter()
        .filter(move |((g, o), _)| {
            *g == group
                && (whole_group || p.origins.contains(o) || workloads.contains(workload_of(o)))
        })
        .map(|(_, a)| a)
}

/// A failure is one service's signature (or its signature-less errors) in one group: a
/// pattern only counts as stopped when its whole family has stopped. A stopped pattern's
/// sources either kept logging afterwards (recovered), or logged nothing since for much
/// longer than they usually stay quiet (the run ended on it: it keeps its cause), or logged
/// too sparsely to tell.
fn settle_families(patterns: &mut [Pattern], activity: Option<&Activity>, alert: Timestamp) {
    type Family = (String, Option<String>, Option<&'static str>);
    let family = |p: &Pattern| -> Family {
        (
            p.group.clone(),
            p.service.clone(),
            p.signature.map(|s| s.id),
        )
    };
    // Still going, but only in pods a rollout has since replaced: stopped.
    if let Some(a) = activity {
        for p in patterns.iter_mut().filter(|p| p.trend.is_active()) {
            let newer = replacements(p, a, alert);
            if !newer.is_empty() {
                p.trend = Trend::Stopped;
                p.replaced_by = newer;
            }
        }
    }
    let going: BTreeSet<Family> = patterns
        .iter()
        .filter(|p| p.trend.is_active())
        .map(family)
        .collect();
    for p in patterns.iter_mut() {
        if p.trend != Trend::Stopped {
            continue;
        }
        if going.contains(&family(p)) {
            p.trend = p.novelty;
            p.replaced_by.clear();
            continue;
        }
        if !p.replaced_by.is_empty() {
            p.silent = Some(false);
            continue;
        }
        p.silent = activity.and_then(|a| {
            let later = SignedDuration::from_secs(30);
            let sources: Vec<&SourceActivity> = sources_of(p, a).collect();
            if sources
                .iter()
                .any(|s| s.last.duration_since(p.last) > later)
            {
                return Some(false);
            }
            // Quiet for far longer than its busiest source usually is between lines; a source
            // that wrote nothing but a fatal line (a traceback, a panic) is judged by that.
            let quiet = alert.duration_since(p.last);
            match sources.iter().filter_map(|s| s.cadence()).min() {
                Some(cadence) => {
                    (quiet > QUIET_FLOOR.max(cadence.saturating_mul(3))).then_some(true)
                }
                None => (!sources.is_empty() && quiet > QUIET_FLOOR && is_fatal(&p.example))
                    .then_some(true),
            }
        });
        if p.silent == Some(true) {
            p.trend = Trend::Ended;
        }
    }
}

mod replaced;

pub use replaced::receive_count;
use replaced::replacements;

#[cfg(test)]
mod tests;
