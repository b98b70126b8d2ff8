//! The analyzers: pure functions from the classified messages of one scan (plus the alert, its
//! time and window, and its channel's history) to findings — `related_alert`,
//! `deploy_announced`, `change_announced`, `human_report`, `already_handled`, `alert_history`,
//! `provider_incident` (docs/FINDINGS.md). Chat findings are context: they never
//! carry a category and never name a cause.

mod changes;
mod deploys;
mod history;
mod people;
mod provider;
mod related;

use crate::classify::{Note, NoteKind, classify_in};
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
    /// Every message considered, classified or not (oldest first): provider status posts
    /// rarely name the alert's service.
    pub messages: Vec<ChatMessage>,
    /// The alert's text (what `alert_history` recognises again and `provider_incident`
    /// compares with); empty when unknown.
    pub alert_text: String,
    /// The alert's channel over the longer look-back before the alert (oldest first): where
    /// earlier firings of the same alert are.
    pub history: Vec<ChatMessage>,
}

impl Input {
    /// Classifies `messages` (oldest first; without the bot's own messages or the alert itself)
    /// against `targets`. Messages before the window count only as announcements of planned
    /// activities that still explain the alert (see [`crate::planned::still_relevant`]).
    pub fn new(
        alert_time: Timestamp,
        window: TimeWindow,
        targets: Targets,
        channels: &[Channel],
        messages: &[ChatMessage],
    ) -> Self {
        let channels = Channels::new(channels);
        let notes = early_announcements_only(
            classify_in(messages, &targets, &channels),
            window,
            alert_time,
        );
        Self {
            alert_time,
            window,
            targets,
            channels,
            notes,
            messages: messages.to_vec(),
            alert_text: String::new(),
            history: Vec::new(),
        }
    }
}

impl Input {
    /// The alert's text and its channel's earlier messages (see [`Input::history`]).
    pub fn with_alert(mut self, alert_text: &str, history: &[ChatMessage]) -> Self {
        self.alert_text = alert_text.to_owned();
        self.history = history.to_vec();
        self
    }
}

/// Drops the notes posted before `window` unless they announce a change that still explains
/// an alert at `alert_time` (a load test running now, a maintenance window covering it); their
/// thread replies stay with them.
fn early_announcements_only(
    notes: Vec<Note>,
    window: TimeWindow,
    alert_time: Timestamp,
) -> Vec<Note> {
    let keep_root = |n: &Note| {
        n.msg.at >= window.start
            || (n.kind == NoteKind::Change
                && n.change.is_some_and(|k| {
                    crate::planned::still_relevant(k, &n.msg.text, n.msg.at, alert_time)
                }))
    };
    let mut index: Vec<Option<usize>> = Vec::with_capacity(notes.len());
    let mut out: Vec<Note> = Vec::new();
    for n in notes {
        let keep = match n.root {
            Some(r) => index.get(r).copied().flatten().is_some(),
            None => keep_root(&n),
        };
        if keep {
            let mut n = n;
            n.root = n.root.and_then(|r| index.get(r).copied().flatten());
            index.push(Some(out.len()));
            out.push(n);
        } else {
            index.push(None);
        }
    }
    out
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
        ("alert_history", history::analyze),
        ("provider_incident", provider::analyze),
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
