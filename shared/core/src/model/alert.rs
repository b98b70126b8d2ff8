//! The alert an investigation starts from.

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The chat platform an alert was posted on (and where the report goes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Platform {
    Slack,
    Discord,
}

impl Platform {
    /// The lowercase wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Platform::Slack => "slack",
            Platform::Discord => "discord",
        }
    }
}

/// A closed time interval `[start, end]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeWindow {
    pub start: Timestamp,
    pub end: Timestamp,
}

impl TimeWindow {
    /// The window from `before` ahead of `at` to `after` past it.
    pub fn around(at: Timestamp, before: SignedDuration, after: SignedDuration) -> Self {
        Self {
            start: at.saturating_sub(before.abs()).unwrap_or(at),
            end: at.saturating_add(after.abs()).unwrap_or(at),
        }
    }

    /// The window's length.
    pub fn duration(&self) -> SignedDuration {
        self.end.duration_since(self.start)
    }

    /// The window of the same length that ends where this one starts (the baseline).
    pub fn preceding(&self) -> Self {
        let len = self.duration();
        Self {
            start: self.start.saturating_sub(len).unwrap_or(self.start),
            end: self.start,
        }
    }

    /// True when `t` lies inside the window (both ends included).
    pub fn contains(&self, t: Timestamp) -> bool {
        self.start <= t && t <= self.end
    }
}

/// Everything an agent needs to investigate one alert.
///
/// Built by the intake (from a chat message or an Alertmanager group), by the CLI, or by the
/// agent harness from a plain-text A2A message (then: no platform, no channels, `alert_time` =
/// now). The master sets `deadline_ms` per agent before it sends the context on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AlertContext {
    /// Unique id of this investigation (a UUID).
    pub investigation_id: String,
    /// Where the alert was posted and the report goes; `None` for a generic A2A client or the CLI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<Platform>,
    /// The channel the alert was posted in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel_id: Option<String>,
    /// The alert message's id (Slack `ts`, Discord snowflake).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    /// The thread the report is posted in (the alert message itself unless it was a reply).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thread_id: Option<String>,
    /// The alert text exactly as posted.
    pub alert_text: String,
    /// When the alert was posted (the investigation's "now").
    pub alert_time: Timestamp,
    /// The period agents look at.
    pub window: TimeWindow,
    /// Channel ids the chat scanners read (the alert's channel first). Empty: the scanners
    /// pick the channels the bot is a member of.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scan_channels: Vec<String>,
    /// Structured labels when the alert came with them (Alertmanager `labels`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    /// Hints for the agent from the master (routing, follow-up).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hints: Vec<String>,
    /// The time the agent has to answer, in milliseconds from receipt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline_ms: Option<u64>,
}

impl AlertContext {
    /// A context for a bare alert text at time `now`, with a fresh investigation id.
    pub fn from_text(
        text: impl Into<String>,
        now: Timestamp,
        before: SignedDuration,
        after: SignedDuration,
    ) -> Self {
        Self {
            investigation_id: uuid::Uuid::new_v4().to_string(),
            platform: None,
            channel_id: None,
            message_id: None,
            thread_id: None,
            alert_text: text.into(),
            alert_time: now,
            window: TimeWindow::around(now, before, after),
            scan_channels: Vec::new(),
            labels: BTreeMap::new(),
            hints: Vec::new(),
            deadline_ms: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn window_around_and_preceding() {
        let w = TimeWindow::around(
            ts("2026-04-18T10:25:00Z"),
            SignedDuration::from_mins(30),
            SignedDuration::from_mins(5),
        );
        assert_eq!(w.start, ts("2026-04-18T09:55:00Z"));
        assert_eq!(w.end, ts("2026-04-18T10:30:00Z"));
        assert!(w.contains(ts("2026-04-18T10:00:00Z")));
        assert!(!w.contains(ts("2026-04-18T10:31:00Z")));
        let p = w.preceding();
        assert_eq!(p.end, w.start);
        assert_eq!(p.duration(), w.duration());
    }

    #[test]
    fn context_round_trips_and_omits_empty_fields() {
        let c = AlertContext::from_text(
            "KubePodCrashLooping",
            ts("2026-04-18T10:25:00Z"),
            SignedDuration::from_mins(30),
            SignedDuration::from_mins(5),
        );
        let json = serde_json::to_value(&c).unwrap();
        assert!(json.get("platform").is_none());
        assert!(json.get("scan_channels").is_none());
        assert_eq!(json["alert_time"], "2026-04-18T10:25:00Z");
        let back: AlertContext = serde_json::from_value(json).unwrap();
        assert_eq!(back, c);
    }
}
