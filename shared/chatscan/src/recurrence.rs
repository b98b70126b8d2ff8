//! Recognising the same alert again: a notification's identity (the words of its title, without
//! the state it reports — `Triggered:`, `[FIRING:1]`, `Recovered:`, `OK:` — counts, links and
//! decoration), whether another notification is the same alert, and the details a set of
//! notifications share (`*Sydney (AWS)*`, `` `eu-west-1` ``, a region).

use crate::places::places;
use crate::words::words;
use regex::Regex;
use std::collections::BTreeSet;
use std::sync::LazyLock;

/// State words notifications put around the same title.
#[rustfmt::skip]
const STATE_WORDS: &[&str] = &[
    "firing", "resolved", "triggered", "retriggered", "re", "recovered", "ok", "alarm",
    "closed", "reopened", "acknowledged", "acked", "renotify", "escalated", "new", "no", "data",
    "warn", "alert", "alerting", "auto", "state", "changed",
];

/// Separators after which a title's details start (`… — all 3 locations passing`).
const DETAIL_SEPARATORS: &[&str] = &[" — ", " – ", " · "];

/// How alike two titles must be (shared words over all words).
const SAME_TITLE: f64 = 0.75;

/// What makes a notification the same alert as another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The title's words (state words, numbers and link targets left out).
    pub words: BTreeSet<String>,
    /// The title as read (for attributes): first line, decoration removed.
    pub title: String,
}

/// The title line of a notification: its first line with words, without the details after a
/// separator.
fn title_line(text: &str) -> String {
    let first = text
        .lines()
        .map(str::trim)
        .find(|l| !crate::words::plain(l, false).trim().is_empty())
        .unwrap_or("");
    let plain = crate::words::plain(first, true);
    let mut cut = plain.as_str();
    for sep in DETAIL_SEPARATORS {
        if let Some(i) = cut.find(sep) {
            cut = &cut[..i];
        }
    }
    cut.replace(['*', '_', '`'], "")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The state a notification's title opens with (`Triggered:`, `[FIRING:2]`, `OK:`).
static STATE_PREFIX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s*(?:\[(?:firing|resolved|alerting|ok|no data)(?::\s*\d+)?\]|(?:re-?triggered|triggered|recovered|resolved|ok|alarm|warn|no data|firing)\s*:)\s*")
        .expect("static regex")
});

/// The identity of the notification `text`, when its title has at least two words to go by.
pub fn identity(text: &str) -> Option<Identity> {
    let title = title_line(text);
    let title = STATE_PREFIX.replace(&title, "").into_owned();
    let words: BTreeSet<String> = words(&title, true)
        .into_iter()
        .filter(|w| !STATE_WORDS.contains(&w.as_str()))
        .collect();
    (words.len() >= 2).then_some(Identity { words, title })
}

impl Identity {
    /// True when `other` is the same alert: their title words mostly agree.
    pub fn same_as(&self, other: &Identity) -> bool {
        let shared = self.words.intersection(&other.words).count();
        let all = self.words.union(&other.words).count();
        all > 0 && shared as f64 / all as f64 >= SAME_TITLE
    }
}

/// `#18790`: a notification's reference (Opsgenie, PagerDuty, issue trackers).
static REFERENCE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"#(\d{3,})\b").expect("static regex"));

/// The references `text` carries (`18790` of `#18790`).
pub fn references(text: &str) -> Vec<String> {
    REFERENCE
        .captures_iter(text)
        .map(|c| c[1].to_owned())
        .collect()
}

/// `**x**`, `*x*`, `__x__` (emphasis) and `` `x` `` (code): the details a notification
/// highlights.
static EMPHASIS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\*\*([^*\n]{2,60})\*\*|(?:^|[\s(\[])\*([^*\n\s][^*\n]{0,58}[^*\n\s])\*|__([^_\n]{2,60})__|`([^`\n]{2,80})`")
        .expect("static regex")
});

/// The details `text` highlights (emphasised or code spans) and the places it names, without
/// labels (`Description:`) or what the title already says.
pub fn details(text: &str, title: &Identity) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut push = |d: String| {
        let d = d.trim().to_owned();
        if !d.is_empty() && !out.iter().any(|o| o.eq_ignore_ascii_case(&d)) {
            out.push(d);
        }
    };
    for c in EMPHASIS.captures_iter(text) {
        let Some(m) = c.get(1).or(c.get(2)).or(c.get(3)).or(c.get(4)) else {
            continue;
        };
        let d = m.as_str().trim();
        let ws = words(d, false);
        let new_words = ws
            .iter()
            .any(|w| !title.words.contains(w) && !STATE_WORDS.contains(&w.as_str()));
        let in_title = title.title.to_lowercase().contains(&d.to_lowercase());
        if d.ends_with(':') || ws.is_empty() || !new_words || in_title {
            continue;
        }
        push(d.to_owned());
    }
    let title_places = places(&title.title);
    for p in places(text) {
        if !title_places.iter().any(|t| t.region == p.region) {
            push(p.named);
        }
    }
    out
}

/// The details of `alert` that every one of `others` repeats; a detail inside another shared
/// one (`Sydney` in `Sydney (AWS)`) is left out.
pub fn shared_details(alert: &str, title: &Identity, others: &[&str]) -> Vec<String> {
    if others.is_empty() {
        return Vec::new();
    }
    let lower: Vec<String> = others.iter().map(|o| o.to_lowercase()).collect();
    let shared: Vec<String> = details(alert, title)
        .into_iter()
        .filter(|d| {
            let d = d.to_lowercase();
            lower.iter().all(|o| o.contains(&d))
        })
        .collect();
    shared
        .iter()
        .filter(|d| {
            !shared
                .iter()
                .any(|o| o.len() > d.len() && o.to_lowercase().contains(&d.to_lowercase()))
        })
        .cloned()
        .collect()
}

/// True when `detail` names a place (a region or a city of one).
pub fn is_place(detail: &str) -> bool {
    !places(detail).is_empty()
}
