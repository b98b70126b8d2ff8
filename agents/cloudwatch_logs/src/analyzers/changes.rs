//! `change_logged` findings: changes an application announces in its own log — a feature flag
//! updated or toggled (`launchdarkly: flag updated flag=x old=false new=true`, `feature flag x
//! enabled`), configuration reloaded or applied — with the flag's name and its transition. A
//! change in the window (or just before errors that began after it) is context the master reads
//! as "a change preceding the failure"; it never carries a category of its own.

use super::Input;
use super::patterns::on_target;
use super::render::{EVIDENCE_MAX, decisive, literal, reproduce_query, short_hash, verbatim};
use crate::query::hhmm;
use crate::records::{Level, LogRecord};
use jiff::{SignedDuration, Timestamp};
use regex::Regex;
use serde_json::{Map, Value};
use sremesh_core::text::truncate;
use sremesh_core::{Finding, Severity};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

/// What changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ChangeKind {
    Flag,
    Config,
}

impl ChangeKind {
    /// The wire name (`flag`, `config`).
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Flag => "flag",
            ChangeKind::Config => "config",
        }
    }
}

/// One change a line announces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub kind: ChangeKind,
    /// The flag's key or the configuration's source, when the line names it.
    pub subject: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    /// The words that announce it (`launchdarkly: flag updated`).
    pub message: String,
}

static FLAG_MSG: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(feature[ _-]?)?flags?\b.{0,40}\b(updated|changed|toggled|enabled|disabled|switched|turned (on|off)|flipped|modified)\b|\b(updated|changed|toggled|enabled|disabled|flipped)\b.{0,20}\b(feature[ _-]?)?flags?\b")
        .expect("static regex")
});
static CONFIG_MSG: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(config|configuration|settings)\b.{0,20}\b(reloaded|updated|changed|applied)\b|\breload(ed|ing)?\b.{0,20}\b(config|configuration|settings)\b|\bapplied new (config|configuration|settings)\b")
        .expect("static regex")
});
/// An announcement that the change failed is an error, not a change.
static FAILED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(fail(ed|ure)?|error|unable|cannot|could not|invalid|rejected|rolled back)\b",
    )
    .expect("static regex")
});
/// `flag "x" updated`, `feature flag x was enabled`.
static FLAG_NAMED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)\bflag\s*[:=]?\s*["'`]?([A-Za-z0-9][\w.\-:/]*[A-Za-z0-9])["'`]?\s+(?:was\s+|has been\s+|is\s+)?(updated|changed|toggled|enabled|disabled|switched|turned|flipped|modified|set)\b"#)
        .expect("static regex")
});
/// `flag updated: x`, `flag=x`, `flag: "x"`.
static FLAG_FIELD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)\b(?:flag|flag_?key|feature)\s*[:=]\s*["'`]?([A-Za-z0-9][\w.\-:/]*[A-Za-z0-9])"#,
    )
    .expect("static regex")
});
static FROM_TO: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)\bfrom\s+["'`]?([\w.\-]+)["'`]?\s+to\s+["'`]?([\w.\-]+)"#)
        .expect("static regex")
});
static ARROW: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"["'`]?([\w.\-]+)["'`]?\s*(?:->|→|=>)\s*["'`]?([\w.\-]+)"#).expect("static regex")
});
/// logfmt / text `old=false new=true`.
static OLD_NEW: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)\b(?:old|from|previous|prev|old_?value|before)\s*[=:]\s*["']?([\w.\-]+)["']?.{0,40}?\b(?:new|to|current|new_?value|after|value)\s*[=:]\s*["']?([\w.\-]+)"#)
        .expect("static regex")
});
static CONFIG_SOURCE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)\b(?:from|file|path)\s*[:=]?\s*["'`]?(/[\w.\-/]+|[\w.\-]+\.(?:ya?ml|json|toml|ini|conf|properties))"#)
        .expect("static regex")
});

const SUBJECT_KEYS: &[&str] = &[
    "flag",
    "flagKey",
    "flag_key",
    "flagName",
    "flag_name",
    "feature",
    "featureKey",
    "key",
    "name",
];
const FROM_KEYS: &[&str] = &[
    "old",
    "from",
    "previous",
    "prev",
    "oldValue",
    "old_value",
    "before",
];
const TO_KEYS: &[&str] = &[
    "new",
    "to",
    "current",
    "newValue",
    "new_value",
    "after",
    "value",
];
const SOURCE_KEYS: &[&str] = &["file", "path", "source", "section", "key", "name"];

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn first_of(obj: &Map<String, Value>, keys: &[&str]) -> Option<String> {
    keys.iter().find_map(|k| obj.get(*k).and_then(scalar))
}

/// The state a verb implies when no transition is given (`enabled` → `on`).
fn implied(text: &str) -> Option<String> {
    let t = text.to_ascii_lowercase();
    if t.contains("enabled") || t.contains("turned on") || t.contains("switched on") {
        Some("on".to_owned())
    } else if t.contains("disabled") || t.contains("turned off") || t.contains("switched off") {
        Some("off".to_owned())
    } else {
        None
    }
}

fn transition(text: &str) -> (Option<String>, Option<String>) {
    for re in [&*FROM_TO, &*OLD_NEW, &*ARROW] {
        if let Some(c) = re.captures(text) {
            return (Some(c[1].to_owned()), Some(c[2].to_owned()));
        }
    }
    (None, implied(text))
}

/// The change a line announces, if it announces one: a JSON line by its message and fields, a
/// logfmt or plain line by its words.
pub fn parse(line: &str) -> Option<Change> {
    let t = line.trim();
    if t.starts_with('{')
        && let Ok(Value::Object(obj)) = serde_json::from_str::<Value>(t)
    {
        let msg = ["msg", "message", "event"]
            .iter()
            .find_map(|k| obj.get(*k).and_then(Value::as_str))?;
        if FAILED.is_match(msg) {
            return None;
        }
        let kind = if FLAG_MSG.is_match(msg) {
            ChangeKind::Flag
        } else if CONFIG_MSG.is_match(msg) {
            ChangeKind::Config
        } else {
            return None;
        };
        let keys = if kind == ChangeKind::Flag {
            SUBJECT_KEYS
        } else {
            SOURCE_KEYS
        };
        let (text_from, text_to) = transition(msg);
        return Some(Change {
            kind,
            subject: first_of(&obj, keys).or_else(|| subject_in(kind, msg)),
            from: first_of(&obj, FROM_KEYS).or(text_from),
            to: first_of(&obj, TO_KEYS).or(text_to),
            message: msg.to_owned(),
        });
    }
    if FAILED.is_match(t) {
        return None;
    }
    let kind = if FLAG_MSG.is_match(t) {
        ChangeKind::Flag
    } else if CONFIG_MSG.is_match(t) {
        ChangeKind::Config
    } else {
        return None;
    };
    let (from, to) = transition(t);
    Some(Change {
        kind,
        subject: subject_in(kind, t),
        from,
        to,
        message: super::render::message_part(t).to_owned(),
    })
}

fn subject_in(kind: ChangeKind, text: &str) -> Option<String> {
    match kind {
        ChangeKind::Flag => FLAG_NAMED
            .captures(text)
            .or_else(|| FLAG_FIELD.captures(text))
            .map(|c| c[1].to_owned())
            .filter(|s| !matches!(s.to_ascii_lowercase().as_str(), "updated" | "changed")),
        ChangeKind::Config => CONFIG_SOURCE.captures(text).map(|c| c[1].to_owned()),
    }
}

/// How soon after a change an error pattern's onset counts as following it.
const FOLLOW: SignedDuration = SignedDuration::from_mins(30);

type Key = (
    String,
    ChangeKind,
    Option<String>,
    Option<String>,
    Option<String>,
);

pub fn analyze(input: &Input) -> Vec<Finding> {
    let mut seen: BTreeMap<Key, Vec<(&LogRecord, Change)>> = BTreeMap::new();
    let before = input.baseline_records.as_deref().unwrap_or_default();
    let mut earlier: BTreeSet<Key> = BTreeSet::new();
    for (recs, in_window) in [(before, false), (input.records.as_slice(), true)] {
        for r in recs {
            if r.level == Some(Level::Error) || !on_target(r, &input.target, &input.groups) {
                continue;
            }
            let Some(c) = parse(&r.line) else { continue };
            let who = r.service.clone().unwrap_or_else(|| r.group.clone());
            let key = (who, c.kind, c.subject.clone(), c.from.clone(), c.to.clone());
            if !in_window {
                earlier.insert(key.clone());
            }
            seen.entry(key).or_default().push((r, c));
        }
    }
    let mut out = Vec::new();
    for (key, mut hits) in seen {
        hits.sort_by_key(|(r, _)| r.at);
        let Some((first, change)) = hits.first() else {
            continue;
        };
        let at = first.at;
        // The first active error pattern of the same service that began after it.
        let followed = input
            .patterns
            .iter()
            .filter(|p| p.on_target && p.trend.is_active())
            .filter(|p| p.service.as_deref().is_none_or(|s| s == key.0))
            .filter(|p| p.onset >= at && p.onset.duration_since(at) <= FOLLOW)
            .min_by_key(|p| p.onset);
        let in_window = at >= input.window.start;
        // A change with no transition seen in the preceding window too is routine (a
        // periodic reload); one before the window matters only when errors followed it.
        let routine = key.3.is_none() && key.4.is_none() && earlier.contains(&key) && in_window;
        if routine || (!in_window && followed.is_none()) {
            continue;
        }
        out.push(finding(input, &key, change, first, &hits, followed, at));
    }
    out
}

fn finding(
    input: &Input,
    key: &Key,
    change: &Change,
    first: &LogRecord,
    hits: &[(&LogRecord, Change)],
    followed: Option<&super::patterns::Pattern>,
    at: Timestamp,
) -> Finding {
    let who = &key.0;
    let before = input.alert_time.duration_since(at).as_mins().max(0);
    let what = match (change.kind, &change.subject) {
        (ChangeKind::Flag, Some(s)) => format!("feature flag {s}"),
        (ChangeKind::Flag, None) => "a feature flag".to_owned(),
        (ChangeKind::Config, Some(s)) => format!("configuration {s}"),
        (ChangeKind::Config, None) => "configuration".to_owned(),
    };
    let how = match (&change.from, &change.to) {
        (Some(f), Some(t)) => format!("changed {f} → {t}"),
        (None, Some(t)) => format!("set to {t}"),
        _ if change.kind == ChangeKind::Config => "reloaded".to_owned(),
        _ => "changed".to_owned(),
    };
    let after = followed.map(|p| {
        let gap = p.onset.duration_since(at).as_mins().max(0);
        format!(
            "; errors began {gap} min later: \"{}\"",
            decisive(&p.example.line, p.signature, 80)
        )
    });
    let title = truncate(
        &format!(
            "{who}: {what} {how} at {} UTC, {before} min before the alert (\"{}\"){}",
            hhmm(at),
            truncate(&change.message, 60),
            after.clone().unwrap_or_default()
        ),
        300,
    );
    let sources: BTreeSet<&str> = hits.iter().map(|(r, _)| r.origin()).collect();
    let mut evidence = vec![format!(
        "×{} from {} source(s), first {} UTC",
        hits.len(),
        sources.len(),
        first.at.strftime("%H:%M:%S")
    )];
    evidence.push(verbatim(&first.line, None, EVIDENCE_MAX));
    if let Some(p) = followed {
        evidence.push(truncate(
            &format!(
                "followed by ×{} {} (from {} UTC)",
                p.count,
                verbatim(&p.example.line, p.signature, 200),
                hhmm(p.onset)
            ),
            EVIDENCE_MAX,
        ));
    }
    let sev = if followed.is_some() {
        Severity::Medium
    } else {
        Severity::Low
    };
    let id = format!(
        "change_logged:{}:{who}:{}:{}",
        first.group,
        change.kind.as_str(),
        change
            .subject
            .clone()
            .unwrap_or_else(|| short_hash(&change.message))
    );
    let lit = literal(&first.line, None);
    let mut f = Finding::new(id, "change_logged", sev, title)
        .with_evidence(evidence)
        .with_service(who.clone())
        .with_resource(format!("log-group:{}", first.group))
        .at(at)
        .with_link(input.link(&[&first.group], &reproduce_query(lit.as_deref(), None)))
        .with_attr("change", change.kind.as_str())
        .with_attr("at", at.to_string())
        .with_attr("count", hits.len())
        .with_attr("log_group", first.group.clone())
        .with_attr("minutes_before_alert", before)
        .with_attr("sources", sources.into_iter().take(5).collect::<Vec<_>>());
    for (k, v) in [
        ("subject", &change.subject),
        ("from", &change.from),
        ("to", &change.to),
    ] {
        if let Some(v) = v {
            f = f.with_attr(k, v.clone());
        }
    }
    if let Some(p) = followed {
        f = f
            .with_attr("followed_by", p.signature.map_or("error", |s| s.id))
            .with_attr(
                "followed_after_minutes",
                p.onset.duration_since(at).as_mins().max(0),
            );
    }
    f
}
