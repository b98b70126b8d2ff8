//! The analyzers: pure functions from the classified messages of one scan (plus the alert time
//! and window) to findings — `related_alert`, `deploy_announced`, `change_announced`,
//! `human_report`, `already_handled` (docs/FINDINGS.md). Chat findings are context: they never
//! carry a category and never name a cause.

mod changes;
mod deploys;
mod people;
mod related;

use crate::classify::{Note, classify};
use crate::evidence::Channels;
use crate::message::{Channel, ChatMessage};
use crate::targets::Targets;
use jiff::Timestamp;
use sremesh_core::{Finding, TimeWindow};

/// What the analyzers read.
#[derive(Debug, Clone)]
pub struct Input {
    /// When the alert was posted.
    pub alert_time: Timestamp,
    /// The window that was read.
    pub window: TimeWindow,
    /// What the alert names.
    pub targets: Targets,
    /// The channels read (names for evidence lines).
    pub channels: Channels,
    /// The messages about the alert's targets, classified (oldest first).
    pub notes: Vec<Note>,
}

impl Input {
    /// Classifies `messages` (oldest first; in the window, without the bot's own messages or the
    /// alert itself) against `targets`.
    pub fn new(
        alert_time: Timestamp,
        window: TimeWindow,
        targets: Targets,
        channels: &[Channel],
        messages: &[ChatMessage],
    ) -> Self {
        let notes = classify(messages, &targets);
        Self {
            alert_time,
            window,
            targets,
            channels: Channels::new(channels),
            notes,
        }
    }
}

/// An analyzer: classified messages → findings.
pub type Analyzer = fn(&Input) -> Vec<Finding>;

/// Every analyzer, in report order (the explicit list).
pub fn all() -> &'static [(&'static str, Analyzer)] {
    &[
        ("deploy_announced", deploys::analyze),
        ("change_announced", changes::analyze),
        ("related_alert", related::analyze),
        ("human_report", people::reports),
        ("already_handled", people::handled),
    ]
}

/// Runs every analyzer; finding ids are made unique (`#2`, `#3` on collisions); the most
/// severe first (report order among equals).
pub fn run(input: &Input) -> Vec<Finding> {
    let mut out: Vec<Finding> = Vec::new();
    for (_, analyze) in all() {
        for mut f in analyze(input) {
            let base = f.id.clone();
            let mut n = 2;
            while out.iter().any(|o| o.id == f.id) {
                f.id = format!("{base}#{n}");
                n += 1;
            }
            out.push(f);
        }
    }
    out.sort_by_key(|f| std::cmp::Reverse(f.severity));
    out
}
