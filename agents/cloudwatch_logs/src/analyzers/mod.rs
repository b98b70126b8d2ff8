//! The analyzers: pure functions from what was gathered (records of the window and its
//! baseline, Lambda REPORT statistics, database connection counts) to typed findings.
//!
//! [`all`] is the explicit list; [`run`] applies every analyzer to one [`Input`].

pub mod changes;
pub mod cloudtrail;
pub mod clues;
pub mod dns;
pub mod gone;
pub mod lambda;
pub mod log_pattern;
pub mod nodes;
pub mod patterns;
pub mod poison;
pub mod quiet;
mod render;

pub use render::{display_line, signature_span, snippet};

use crate::discovery::{Candidate, Target};
use crate::records::LogRecord;
use crate::trail::TrailEvent;
use jiff::{SignedDuration, Timestamp};
use patterns::Pattern;
use sremesh_core::{Finding, TimeWindow};
use std::collections::BTreeMap;

/// Lambda REPORT statistics of one function over one window.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LambdaStats {
    pub invocations: f64,
    pub p50_ms: Option<f64>,
    pub max_ms: Option<f64>,
    pub max_memory_mb: Option<f64>,
    pub memory_size_mb: Option<f64>,
}

/// Connections authorized per database user: in the window, and in the baseline (if known).
pub type DbConnections = (Vec<(String, f64)>, Option<Vec<(String, f64)>>);

/// What one source (a pod, or a stream) logged over the history (baseline and window).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SourceActivity {
    /// Its first and last line.
    pub first: Timestamp,
    pub last: Timestamp,
    /// How many lines it wrote.
    pub lines: u64,
}

impl SourceActivity {
    /// The usual time between its lines (`None` with fewer than two).
    pub fn cadence(&self) -> Option<SignedDuration> {
        (self.lines >= 2).then(|| {
            SignedDuration::from_secs_f64(
                self.last.duration_since(self.first).as_secs_f64() / (self.lines - 1) as f64,
            )
        })
    }

    /// Adds one line (or a row of `lines` lines between `first` and `last`).
    pub fn merge(&mut self, other: SourceActivity) {
        self.first = self.first.min(other.first);
        self.last = self.last.max(other.last);
        self.lines += other.lines;
    }
}

/// What each source logged over the history, per `(log group, source)`.
pub type Activity = BTreeMap<(String, String), SourceActivity>;

/// Everything an analyzer may look at. Build with [`Input::new`], set what was gathered, then
/// call [`Input::finish`] to cluster the records into patterns.
#[derive(Debug, Clone)]
pub struct Input {
    /// The alert's time (the investigation's "now").
    pub alert_time: Timestamp,
    pub window: TimeWindow,
    pub baseline: TimeWindow,
    /// Region for console links.
    pub region: String,
    pub target: Target,
    /// The groups queried (empty: discovery found none).
    pub groups: Vec<Candidate>,
    /// How many groups discovery looked through.
    pub groups_scanned: usize,
    /// The shared groups discovery looked inside for the service's lines (none named after it).
    pub groups_probed: Vec<String>,
    /// Error-ish records of the window.
    pub records: Vec<LogRecord>,
    /// Error-ish records of the baseline (`None`: unknown).
    pub baseline_records: Option<Vec<LogRecord>>,
    /// Per Lambda function: REPORT statistics in the window and in the baseline.
    pub lambda: BTreeMap<String, (LambdaStats, Option<LambdaStats>)>,
    /// Per RDS group: `connection authorized` counts per user, window and baseline.
    pub db_connections: BTreeMap<String, DbConnections>,
    /// What each source logged over the baseline and the window (`None`: unknown).
    pub activity: Option<Activity>,
    /// CloudTrail events (failed calls and changes) over the look-back before the window and
    /// the window itself.
    pub trail: Vec<TrailEvent>,
    /// The patterns ([`Input::finish`] computes them from the records).
    pub patterns: Vec<Pattern>,
}

impl Input {
    /// An input with nothing gathered yet; the baseline is the preceding window.
    pub fn new(alert_time: Timestamp, window: TimeWindow, region: String, target: Target) -> Self {
        Self {
            alert_time,
            window,
            baseline: crate::query::baseline_of(window),
            region,
            target,
            groups: Vec::new(),
            groups_scanned: 0,
            groups_probed: Vec::new(),
            records: Vec::new(),
            baseline_records: None,
            lambda: BTreeMap::new(),
            db_connections: BTreeMap::new(),
            activity: None,
            trail: Vec::new(),
            patterns: Vec::new(),
        }
    }

    /// Clusters the records into patterns (call once everything is set).
    pub fn finish(mut self) -> Self {
        self.patterns = patterns::cluster(
            &self.records,
            self.baseline_records.as_deref(),
            self.baseline.start,
            &self.target,
            &self.groups,
            self.alert_time,
            self.activity.as_ref(),
        );
        self
    }

    /// A console link running `query` over `groups` in the window.
    pub fn link(&self, groups: &[&str], query: &str) -> String {
        crate::links::insights_url(
            &self.region,
            groups,
            query,
            self.window.start,
            self.window.end,
        )
    }
}

/// An analyzer: gathered data → findings.
pub type Analyzer = fn(&Input) -> Vec<Finding>;

/// Every analyzer, in order.
pub fn all() -> &'static [(&'static str, Analyzer)] {
    &[
        ("lambda", lambda::analyze),
        ("log_pattern", log_pattern::analyze),
        ("nodes", nodes::analyze),
        ("quiet", quiet::analyze),
        ("changes", changes::analyze),
        ("cloudtrail", cloudtrail::analyze),
        ("gone", gone::analyze),
    ]
}

/// Runs every analyzer; findings sorted most severe first, then the alert target's before
/// others, then the most frequent.
pub fn run(input: &Input) -> Vec<Finding> {
    let mut out: Vec<Finding> = all().iter().flat_map(|(_, a)| a(input)).collect();
    poison::mark(input, &mut out);
    let on_target =
        |f: &Finding| f.attributes.get("on_target").and_then(|v| v.as_bool()) != Some(false);
    let count = |f: &Finding| {
        f.attributes
            .get("count")
            .and_then(|v| v.as_u64())
            .unwrap_or(0)
    };
    out.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(on_target(b).cmp(&on_target(a)))
            .then(count(b).cmp(&count(a)))
    });
    let mut seen = std::collections::BTreeSet::new();
    out.retain(|f| seen.insert(f.id.clone()));
    out
}

#[cfg(test)]
mod tests;
