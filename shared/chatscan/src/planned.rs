//! When an announced activity runs: the time span a message states (`14:00–15:00 UTC`,
//! `2026-05-27 05:30–07:30 UTC`, `starting 14:00 for 60 min`), and whether it covers the alert.
//! Planned activities are announced well before they run, so the scan reads further back for
//! them than for anything else; this decides which of those early announcements still matter.

use crate::vocab::{self, ChangeKind};
use jiff::civil::{Date, Time};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use regex::Regex;
use sremesh_core::text::contains_word;
use std::sync::LazyLock;

/// A stated span of time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub start: Timestamp,
    pub end: Timestamp,
}

/// When an announced activity runs, relative to the alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    /// Its stated span covers the alert (from 15 min before it starts to 30 min after it ends).
    Covers(Span),
    /// Its stated span is over, or still to come, at the alert.
    Outside(Span),
    /// No span stated (or in a time zone other than UTC).
    Unstated,
}

/// How long after an activity's stated end an alert may still be its effect.
const AFTER_END: SignedDuration = SignedDuration::from_mins(30);
/// How long before its stated start an alert may still be its warm-up.
const BEFORE_START: SignedDuration = SignedDuration::from_mins(15);
/// How far back an announcement that states no span is still taken as running.
pub const UNSTATED_RECENT: SignedDuration = SignedDuration::from_hours(6);

static RANGE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:\b(\d{4}-\d{2}-\d{2})[ T,]*)?\b([01]?\d|2[0-3])[:.]([0-5]\d)\s*(?:utc|gmt|z)?\s*(?:–|—|-|\bto\b|\buntil\b|\btill\b)\s*(?:(\d{4}-\d{2}-\d{2})[ T,]*)?([01]?\d|2[0-3])[:.]([0-5]\d)(?:\s*(utc|gmt|z)\b|\s*([a-z]{2,4}t)\b)?")
        .expect("static regex")
});
static START: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:starting|starts|start|from|at|kicking off)\s+(?:at\s+)?([01]?\d|2[0-3])[:.]([0-5]\d)\s*(utc|gmt|z|[a-z]{2,4}t)?\b")
        .expect("static regex")
});
static DURATION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:for(?: the next)?\s+(?:about\s+|~)?(\d+(?:\.\d+)?)\s*|(\d+(?:\.\d+)?)[- ]?)(h|hrs?|hours?|m|mins?|minutes?)\b")
        .expect("static regex")
});
static NOW: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(now|starting|started|kicking off|kicked off|running|underway|in progress)\b",
    )
    .expect("static regex")
});

fn utc(zone: Option<&str>) -> bool {
    zone.is_none_or(|z| matches!(z.to_ascii_lowercase().as_str(), "utc" | "gmt" | "z"))
}

fn at(day: Date, h: &str, m: &str) -> Option<Timestamp> {
    let time = Time::new(h.parse().ok()?, m.parse().ok()?, 0, 0).ok()?;
    day.to_datetime(time)
        .to_zoned(TimeZone::UTC)
        .ok()
        .map(|z| z.timestamp())
}

fn minutes(n: &str, unit: &str) -> Option<SignedDuration> {
    let n: f64 = n.parse().ok()?;
    let mins = if unit.to_ascii_lowercase().starts_with('h') {
        n * 60.0
    } else {
        n
    };
    (mins > 0.0 && mins <= 7.0 * 24.0 * 60.0).then(|| SignedDuration::from_secs_f64(mins * 60.0))
}

/// The span a message posted at `posted` states, in UTC: a `HH:MM–HH:MM` range (with an
/// optional date; `tomorrow`, or a start well before the post, means the next day), else a
/// start (`starting 14:00`, or `now`) with a duration (`for 60 min`, `60m`). Spans in another
/// time zone are not guessed at.
pub fn stated_span(text: &str, posted: Timestamp) -> Option<Span> {
    let today = posted.to_zoned(TimeZone::UTC).date();
    let tomorrow = contains_word(text, "tomorrow");
    let base = if tomorrow {
        today.tomorrow().ok()?
    } else {
        today
    };
    let roll = |t: Timestamp, explicit: bool| {
        // "01:00–02:00" posted at 23:00 is tonight's, i.e. tomorrow's date.
        if !explicit && !tomorrow && t < posted - SignedDuration::from_hours(2) {
            t + SignedDuration::from_hours(24)
        } else {
            t
        }
    };
    if let Some(c) = RANGE.captures(text) {
        if !utc(c.get(7).or(c.get(8)).map(|m| m.as_str())) {
            return None;
        }
        let day = |i: usize| {
            c.get(i)
                .and_then(|d| d.as_str().parse::<Date>().ok())
                .unwrap_or(base)
        };
        let explicit = c.get(1).is_some();
        let start = roll(at(day(1), &c[2], &c[3])?, explicit);
        let mut end = at(
            c.get(4)
                .map_or(start.to_zoned(TimeZone::UTC).date(), |_| day(4)),
            &c[5],
            &c[6],
        )?;
        if end <= start {
            end += SignedDuration::from_hours(24);
        }
        return Some(Span { start, end });
    }
    let duration = DURATION
        .captures(text)
        .and_then(|c| minutes(c.get(1).or(c.get(2))?.as_str(), &c[3]))?;
    let start = match START.captures(text) {
        Some(c) if utc(c.get(3).map(|m| m.as_str())) => roll(at(base, &c[1], &c[2])?, false),
        Some(_) => return None,
        None if NOW.is_match(text) => posted,
        None => return None,
    };
    Some(Span {
        start,
        end: start + duration,
    })
}

/// When the activity a message announces runs, relative to `alert`.
pub fn when(text: &str, posted: Timestamp, alert: Timestamp) -> When {
    match stated_span(text, posted) {
        Some(s) if s.start - BEFORE_START <= alert && alert <= s.end + AFTER_END => When::Covers(s),
        Some(s) => When::Outside(s),
        None => When::Unstated,
    }
}

/// True when an announcement posted before the investigation window still explains an alert at
/// `alert`: a planned activity (a test, an experiment, maintenance, a campaign) whose stated span
/// covers the alert, or that states none and was posted in the last six hours; any other
/// change only when it states a span covering the alert.
pub fn still_relevant(kind: ChangeKind, text: &str, posted: Timestamp, alert: Timestamp) -> bool {
    match when(text, posted, alert) {
        When::Covers(_) => true,
        When::Outside(_) => false,
        When::Unstated => {
            kind.is_planned_activity()
                && alert.duration_since(posted) <= UNSTATED_RECENT
                && !vocab::is_done(text)
        }
    }
}
