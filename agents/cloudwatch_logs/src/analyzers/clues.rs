//! Clues that explain a signature, read from the other lines gathered: the setting that makes a
//! datastore refuse writes when full (`maxmemory_policy=noeviction`), the credential rotation
//! before `password authentication failed`, the session (and its statement) holding the lock
//! others are `still waiting for`, the AWS setting changed before the failures it governs. Each
//! joins the pattern's title and evidence. Also which signatures explain which (a lock wait
//! explains exhausted connections), so a symptom does not outrank its cause.

use super::Input;
use super::patterns::Pattern;
use crate::query::hhmm;
use crate::records::LogRecord;
use regex::Regex;
use sremesh_core::text::truncate;
use sremesh_core::{Finding, Severity};
use std::sync::LazyLock;

mod concurrency;

/// What a clue adds: a clause for the title and lines for the evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clue {
    pub clause: String,
    pub evidence: Vec<String>,
}

static EVICTION_POLICY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)\bmaxmemory[-_ ]policy["']?\s*[=:]?\s*["']?([a-z]+(-[a-z]+)*)"#)
        .expect("static regex")
});

static ROTATION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)\bfinishSecret\b[^\n]*\bAWSCURRENT\b|\bset AWSCURRENT stage\b|\balter (user|role) "?[\w.-]+"? (with )?(encrypted )?password\b|\bpassword (was |has been )?(rotated|changed|reset) for (user|role)\b|\b(secret|password|credentials?) rotation (succeeded|completed|finished)\b"#)
        .expect("static regex")
});

static HOLDER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\bprocess holding the lock: (\d+)").expect("static regex"));

static STATEMENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:(\w+)@\w*)?:?\[(\d+)\]:[^\n]*?\bstatement: (.+)").expect("static regex")
});

/// Every record gathered (baseline first, then the window), oldest first.
fn records(input: &Input) -> Vec<&LogRecord> {
    let mut all: Vec<&LogRecord> = input
        .baseline_records
        .iter()
        .flatten()
        .chain(input.records.iter())
        .collect();
    all.sort_by_key(|r| r.at);
    all
}

fn at_line(r: &LogRecord) -> String {
    format!(
        "{} at {} UTC: {}",
        r.stream,
        hhmm(r.at),
        truncate(r.line.trim(), 200)
    )
}

/// The clue for a pattern's signature, if the gathered lines hold one.
pub fn of(input: &Input, lead: &Pattern) -> Option<Clue> {
    match lead.signature?.id {
        "datastore_full" => eviction_policy(input),
        "auth_failed" => rotation(input, lead),
        "lock_wait" => lock_holder(input, lead),
        "throttling" => concurrency::holder(input, lead),
        id => GOVERNING
            .iter()
            .find(|(sig, _)| *sig == id)
            .and_then(|(_, setting)| setting_change(input, lead, setting)),
    }
}

/// `(signature, the AWS setting that governs it)`: a CloudTrail call that set it before the
/// pattern began is its clue (a queue's VisibilityTimeout cut below the processing time).
const GOVERNING: &[(&str, &str)] = &[("visibility_timeout", "VisibilityTimeout")];

/// How far back a setting's change may explain a pattern (the trail's look-back).
const SETTING_LOOK_BACK: jiff::SignedDuration = jiff::SignedDuration::from_hours(3);

/// The last successful CloudTrail call that set `setting` before the pattern began.
fn setting_change(input: &Input, lead: &Pattern, setting: &str) -> Option<Clue> {
    let (e, value) = input
        .trail
        .iter()
        .filter(|e| e.error.is_none() && e.is_mutating())
        .filter(|e| e.at <= lead.onset && lead.onset.duration_since(e.at) <= SETTING_LOOK_BACK)
        .filter_map(|e| {
            let v = e.params.iter().find(|(path, _)| {
                path.rsplit('.')
                    .next()
                    .is_some_and(|k| k.eq_ignore_ascii_case(setting))
            })?;
            Some((e, v.1.clone()))
        })
        .max_by_key(|(e, _)| e.at)?;
    let on = e
        .resources()
        .first()
        .map(|(_, name)| format!(" on {name}"))
        .unwrap_or_default();
    let who = e.who.split('/').next().unwrap_or(&e.who);
    let minutes = lead.onset.duration_since(e.at).as_mins().max(0);
    let call = format!(
        "CloudTrail {}{on} set {setting} \"{value}\" (by {who} at {} UTC, {minutes} min before it began)",
        e.name,
        hhmm(e.at)
    );
    Some(Clue {
        clause: format!("after {call}"),
        evidence: vec![truncate(&format!("setting changed before it: {call}"), 300)],
    })
}

/// The eviction policy the datastore reports (its latest statement of it).
fn eviction_policy(input: &Input) -> Option<Clue> {
    let all = records(input);
    let (r, m) = all
        .iter()
        .rev()
        .find_map(|r| EVICTION_POLICY.captures(&r.line).map(|c| (*r, c)))?;
    let policy = m.get(1).map_or("", |g| g.as_str());
    Some(Clue {
        clause: format!("maxmemory_policy={policy}"),
        evidence: vec![format!(
            "eviction policy maxmemory_policy={policy}: {}",
            at_line(r)
        )],
    })
}

/// The last credential rotation logged before the pattern began.
fn rotation(input: &Input, lead: &Pattern) -> Option<Clue> {
    let all = records(input);
    let before: Vec<(&LogRecord, usize)> = all
        .iter()
        .filter(|r| r.at <= lead.onset)
        .filter_map(|r| ROTATION.find(&r.line).map(|m| (*r, m.start())))
        .collect();
    let (last, start) = before.last()?;
    let minutes = lead.onset.duration_since(last.at).as_secs() / 60;
    let quote = truncate(last.line[*start..].trim(), 110);
    let mut evidence: Vec<String> = before
        .iter()
        .rev()
        .take(2)
        .map(|(r, _)| format!("credentials rotated before it: {}", at_line(r)))
        .collect();
    evidence.reverse();
    Some(Clue {
        clause: format!(
            "after a credential rotation at {} UTC, {minutes} min before it began: \"{quote}\"",
            hhmm(last.at)
        ),
        evidence,
    })
}

/// The session holding the lock others wait for, and the statement it ran.
fn lock_holder(input: &Input, lead: &Pattern) -> Option<Clue> {
    let all = records(input);
    let same_group = |r: &&&LogRecord| r.group == lead.group;
    let pid = all
        .iter()
        .filter(same_group)
        .rev()
        .find_map(|r| HOLDER.captures(&r.line))
        .and_then(|c| c.get(1))
        .map(|m| m.as_str().to_owned())?;
    let stmt = all.iter().filter(same_group).rev().find_map(|r| {
        let c = STATEMENT.captures(&r.line)?;
        (c.get(2)?.as_str() == pid).then(|| {
            (
                *r,
                c.get(1).map(|u| u.as_str().to_owned()),
                c.get(3).map_or("", |s| s.as_str()).trim().to_owned(),
            )
        })
    });
    Some(match stmt {
        Some((r, user, text)) => {
            let by = user.map(|u| format!(" ({u})")).unwrap_or_default();
            Clue {
                clause: format!(
                    "lock held by process {pid}{by} running \"{}\"",
                    truncate(&text, 110)
                ),
                evidence: vec![format!(
                    "lock held by process {pid}{by} since {} UTC: {}",
                    hhmm(r.at),
                    truncate(&text, 240)
                )],
            }
        }
        None => Clue {
            clause: format!("lock held by process {pid}"),
            evidence: vec![format!("lock held by process {pid}")],
        },
    })
}

/// `(cause, symptoms it explains)`: connections and pools pile up behind a held lock, and a
/// pool that cannot log in cannot open connections.
const EXPLAINS: &[(&str, &[&str])] = &[
    (
        "lock_wait",
        &["too_many_clients", "pool_exhausted", "timeout"],
    ),
    ("auth_failed", &["pool_exhausted", "too_many_clients"]),
];

/// True when signature `cause` explains signature `symptom`.
pub fn explains(cause: &str, symptom: &str) -> bool {
    EXPLAINS
        .iter()
        .any(|(c, ss)| *c == cause && ss.contains(&symptom))
}

fn signature_of(f: &Finding) -> Option<&str> {
    f.attributes.get("signature").and_then(|v| v.as_str())
}

/// Findings whose signature is a symptom of another active pattern's signature that began no
/// later lose their category (severity medium), with `symptom_of` and a line saying why; the
/// cause's finding lists them in `explains`.
pub fn demote_symptoms(findings: &mut [Finding], patterns: &[&Pattern]) {
    // (cause's group, cause's signature) → the findings it explains.
    let mut explained: Vec<((String, &str), String)> = Vec::new();
    for f in findings.iter_mut() {
        let Some(symptom) = signature_of(f).map(str::to_owned) else {
            continue;
        };
        let began = f.at;
        let cause = patterns
            .iter()
            .filter(|p| p.trend.is_active())
            .filter(|p| p.signature.is_some_and(|s| explains(s.id, &symptom)))
            .filter(|p| began.is_none_or(|b| p.onset <= b))
            .min_by_key(|p| p.onset);
        if let Some(p) = cause {
            let sig = p.signature.expect("filtered on a signature");
            explained.push(((p.group.clone(), sig.id), f.id.clone()));
            f.category = None;
            f.severity = f.severity.min(Severity::Medium);
            f.attributes.insert("symptom_of".to_owned(), sig.id.into());
            let line = truncate(
                &format!(
                    "a symptom: {} began at {} UTC, before it ({})",
                    sig.label,
                    hhmm(p.onset),
                    p.service.as_deref().unwrap_or(&p.group)
                ),
                300,
            );
            f.evidence.insert(1.min(f.evidence.len()), line);
            f.evidence.truncate(8);
        }
    }
    // The cause names what it explains (`explains`: those findings' ids).
    for f in findings.iter_mut() {
        let group = f.attributes.get("log_group").and_then(|v| v.as_str());
        let ids: Vec<String> = explained
            .iter()
            .filter(|((g, s), _)| Some(g.as_str()) == group && Some(*s) == signature_of(f))
            .map(|(_, id)| id.clone())
            .collect();
        if !ids.is_empty() {
            f.attributes.insert("explains".to_owned(), ids.into());
        }
    }
}
