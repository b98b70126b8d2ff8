//! Evidence lines (`#channel · HH:MM · author: text`) and the small helpers every analyzer uses
//! to turn a group of notes into one finding: ids, times, minutes before the alert.

use crate::classify::Note;
use crate::message::{Channel, ChatMessage};
use jiff::Timestamp;
use sremesh_core::text::truncate;
use std::collections::BTreeMap;

/// Most evidence lines per finding (docs/FINDINGS.md).
pub const MAX_LINES: usize = 8;
/// Longest evidence line (docs/FINDINGS.md).
pub const MAX_LINE: usize = 300;
/// Longest quote in a title.
pub const TITLE_QUOTE: usize = 90;

/// The channels by id, for names in evidence lines.
#[derive(Debug, Clone, Default)]
pub struct Channels(BTreeMap<String, Channel>);

impl Channels {
    /// From a list (later entries do not replace earlier ones).
    pub fn new(list: &[Channel]) -> Self {
        let mut m = BTreeMap::new();
        for c in list {
            m.entry(c.id.clone()).or_insert_with(|| c.clone());
        }
        Self(m)
    }

    /// The channel's name without `#`, when known.
    pub fn name(&self, id: &str) -> Option<&str> {
        self.0
            .get(id)
            .and_then(|c| c.name.as_deref())
            .filter(|n| !n.is_empty())
    }

    /// `#name` (or `#id`).
    pub fn label(&self, id: &str) -> String {
        self.0
            .get(id)
            .map_or_else(|| Channel::id_only(id).label(), Channel::label)
    }
}

/// The text on one line: whitespace runs (newlines included) collapsed to one space.
pub fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `HH:MM` (UTC).
pub fn clock(at: Timestamp) -> String {
    at.strftime("%H:%M").to_string()
}

/// `#deploys · 10:21 · U0DANA: deploying payments-api v1.8.0 …` (at most [`MAX_LINE`] chars;
/// the message text kept verbatim apart from whitespace).
pub fn line(channels: &Channels, m: &ChatMessage) -> String {
    let head = format!(
        "{} · {} · {}: ",
        channels.label(&m.channel),
        clock(m.at),
        truncate(&one_line(&m.author), 40)
    );
    let room = MAX_LINE.saturating_sub(head.chars().count()).max(20);
    truncate(
        &format!("{head}{}", truncate(&one_line(&m.text), room)),
        MAX_LINE,
    )
}

/// Evidence lines for a group: in time order, identical texts folded (`×3 …`), at most
/// [`MAX_LINES`]; when more exist the last line says how many were left out.
pub fn lines(channels: &Channels, notes: &[&Note]) -> Vec<String> {
    let mut folded: Vec<(String, usize, String)> = Vec::new(); // (key, count, line)
    for n in notes {
        let key = format!("{}|{}", n.msg.channel, one_line(&n.msg.text));
        match folded.iter_mut().find(|(k, _, _)| *k == key) {
            Some(entry) => entry.1 += 1,
            None => folded.push((key, 1, line(channels, &n.msg))),
        }
    }
    let total = folded.len();
    let mut out: Vec<String> = folded
        .into_iter()
        .map(|(_, count, l)| {
            if count > 1 {
                truncate(&format!("×{count} {l}"), MAX_LINE)
            } else {
                l
            }
        })
        .collect();
    if total > MAX_LINES {
        out.truncate(MAX_LINES - 1);
        out.push(format!("… and {} more message(s)", total - (MAX_LINES - 1)));
    }
    out
}

/// `lines` capped at [`MAX_LINES`], the last saying how many `what` were left out.
pub fn cap_lines(mut lines: Vec<String>, what: &str) -> Vec<String> {
    if lines.len() > MAX_LINES {
        let more = lines.len() - (MAX_LINES - 1);
        lines.truncate(MAX_LINES - 1);
        lines.push(format!("… and {more} more {what}"));
    }
    lines
}

/// A quote for a title: the first line of the text, shortened.
pub fn quote(text: &str) -> String {
    let first = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    format!("“{}”", truncate(&one_line(first), TITLE_QUOTE))
}

/// A quote for a title that shows the line where byte `at` of `text` is (the change word of an
/// announcement): that line, after the first line when the first is a short header
/// (`RDS-EVENT-0072 · tracking-aurora (eu-central-1) — Started cross AZ failover to …`);
/// markdown emphasis dropped.
pub fn quote_at(text: &str, at: usize) -> String {
    let clean = |l: &str| one_line(&l.replace("**", ""));
    let mut start = 0;
    let mut hit: Option<&str> = None;
    for l in text.split_inclusive('\n') {
        if at >= start && at < start + l.len() {
            hit = Some(l.trim());
            break;
        }
        start += l.len();
    }
    let first = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    match hit {
        Some(l) if !l.is_empty() && l != first => {
            let head = clean(first);
            let room = TITLE_QUOTE * 2;
            if head.chars().count() <= 80 {
                format!("“{}”", truncate(&format!("{head} — {}", clean(l)), room))
            } else {
                format!("“{}”", truncate(&clean(l), TITLE_QUOTE))
            }
        }
        _ => format!("“{}”", truncate(&clean(first), TITLE_QUOTE)),
    }
}

/// Whole minutes from `at` to the alert (negative when after it).
pub fn minutes_before(alert_time: Timestamp, at: Timestamp) -> i64 {
    alert_time.duration_since(at).as_secs().div_euclid(60)
}

/// `4 min before the alert`, `2 min after the alert`, `at the alert`.
pub fn relative(alert_time: Timestamp, at: Timestamp) -> String {
    let secs = alert_time.duration_since(at).as_secs();
    let m = secs.abs() / 60;
    match secs {
        s if s >= 60 => format!("{m} min before the alert"),
        s if s <= -60 => format!("{m} min after the alert"),
        _ => "at the alert".to_owned(),
    }
}

/// An id part: lowercase, spaces to `-`.
pub fn slug(s: &str) -> String {
    s.trim()
        .to_ascii_lowercase()
        .replace(char::is_whitespace, "-")
}

/// The distinct authors of a group, in order.
pub fn authors(notes: &[&Note]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for n in notes {
        if !out.contains(&n.msg.author) {
            out.push(n.msg.author.clone());
        }
    }
    out
}

/// Groups notes by a key, keeping first-seen order.
pub fn group_by<'a, K: PartialEq>(
    notes: impl IntoIterator<Item = &'a Note>,
    key: impl Fn(&Note) -> K,
) -> Vec<(K, Vec<&'a Note>)> {
    let mut groups: Vec<(K, Vec<&'a Note>)> = Vec::new();
    for n in notes {
        let k = key(n);
        match groups.iter_mut().find(|(g, _)| *g == k) {
            Some((_, v)) => v.push(n),
            None => groups.push((k, vec![n])),
        }
    }
    groups
}
