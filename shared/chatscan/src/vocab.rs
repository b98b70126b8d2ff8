//! The words that say what a chat message is: an alert, a deploy, a change (and which), an
//! impact report, someone handling it, old noise, a question or a guess — whole-word matching
//! only (`sremesh_core::text::find_word`), plus version extraction.

use regex::Regex;
use sremesh_core::text::{contains_word, find_word};
use std::sync::LazyLock;

mod changes;
pub mod flags;
mod phrasing;

pub use changes::{ChangeKind, announced_change, change_announced_at, change_kind, change_word_at};
pub use phrasing::{is_negated, is_old_news, is_question_about, is_speculation};

fn any_word(text: &str, words: &[&str]) -> bool {
    words.iter().any(|w| contains_word(text, w))
}

/// Alerting tools' words (a bot message with one of these is an alert).
#[rustfmt::skip]
const ALERT_WORDS: &[&str] = &[
    "firing", "resolved", "triggered", "recovered", "alarm", "alert", "alerting", "critical",
    "warning", "error", "errors", "failed", "failure", "failing", "degraded", "down", "outage",
    "incident", "unhealthy", "impaired", "investigating", "escalated", "p1", "p2", "p3", "p4",
    "p5", "sev1", "sev2", "sev3",
];
#[rustfmt::skip]
const ALERT_MARKS: &[&str] = &[
    "❌", "⚠️", "🚨", "🔥", "🔴", ":rotating_light:", ":red_circle:", ":warning:", ":x:",
];
/// An alert that is over.
const RESOLVED_WORDS: &[&str] = &["resolved", "recovered", "ok", "back to normal", "cleared"];

/// True when a bot's message reads like an alert notification.
pub fn is_alert_like(text: &str) -> bool {
    any_word(text, ALERT_WORDS) || ALERT_MARKS.iter().any(|m| text.contains(m))
}

/// True when an alert notification says the condition is over (`[RESOLVED]`, `Recovered:`,
/// CloudWatch `OK:`).
pub fn is_resolved(text: &str) -> bool {
    let head: String = text.chars().take(80).collect();
    (any_word(&head, RESOLVED_WORDS) || head.contains(":white_check_mark:"))
        && !contains_word(&head, "firing")
}

#[rustfmt::skip]
const DEPLOY_WORDS: &[&str] = &[
    "deploy", "deploying", "deployed", "deploys", "rollout", "rolling out", "rolled out",
    "roll out", "release", "released", "releasing", "bump", "bumped", "sync started", "synced",
    "promoting", "promoted", "canary", "pipeline", "upgrade", "upgrading", "upgraded",
];
/// Weak deploy phrasings: a deploy only with a version beside them (`v2.3.1 is out`).
#[rustfmt::skip]
const WEAK_DEPLOY_WORDS: &[&str] = &[
    "going out", "is out", "went out", "is live", "went live", "live", "ship", "shipping",
    "shipped",
];

/// True when the text announces a deploy (strong words, or weak ones next to a version).
pub fn is_deploy(text: &str) -> bool {
    any_word(text, DEPLOY_WORDS) || (any_word(text, WEAK_DEPLOY_WORDS) && version(text).is_some())
}

#[rustfmt::skip]
const PLANNING_WORDS: &[&str] = &[
    "planned", "scheduled", "upcoming", "heads-up", "heads up", "fyi", "reminder", "tonight",
    "tomorrow", "expect", "expected", "will run", "will be", "starting at", "kicking off",
    "window",
];

/// True when the text announces a planned activity: a test, experiment or maintenance
/// window, or any change said to be planned or scheduled.
pub fn is_planned(text: &str) -> bool {
    change_kind(text).is_some_and(|k| {
        k.is_planned_activity() || any_word(text, PLANNING_WORDS) || text.contains('📢')
    })
}

#[rustfmt::skip]
const ALERTING_WORDS: &[&str] = &[
    "alert", "alerts", "alerting", "alarm", "alarms", "fires", "firing", "page", "pages",
    "paging", "probe", "monitor", "monitors",
];
#[rustfmt::skip]
const EXPECTATION_WORDS: &[&str] = &[
    "expected", "expect", "silence it", "silence them", "silence the", "ignore it", "ignore them",
    "ignore the", "can be ignored", "safe to ignore", "don't page", "dont page", "do not page",
    "no need to page", "not an incident",
];

/// True when an announcement says the alerts it causes are expected ("if the probe fires
/// it's expected — silence it, don't page").
pub fn expects_alerts(text: &str) -> bool {
    any_word(text, ALERTING_WORDS) && any_word(text, EXPECTATION_WORDS)
}

#[rustfmt::skip]
const IMPACT_WORDS: &[&str] = &[
    "error", "errors", "erroring", "5xx", "500", "500s", "502", "502s", "503", "503s", "504",
    "504s", "failing", "failed", "fails", "failure", "failures", "down", "slow", "slowness",
    "latency", "timeout", "timeouts", "timing out", "timed out", "stuck", "broken", "not working",
    "restarts", "restarting", "crashing", "crashloop", "crashlooping", "crash", "oom", "unable",
    "can't", "cannot", "degraded", "spiky", "spike", "spikes", "outage", "complaining", "backlog",
    "lag", "lagging", "dropping", "dropped", "missing", "not going out", "401", "401s", "403",
    "403s", "429", "429s", "4xx", "can't reach", "cannot reach", "unreachable", "time out",
    "rejected", "refused",
];

/// True when a person's message reports impact (errors, slowness, failures).
pub fn is_impact(text: &str) -> bool {
    any_word(text, IMPACT_WORDS)
}

#[rustfmt::skip]
const HANDLED_PHRASES: &[&str] = &[
    "rolled back", "rolling back", "rollback done", "reverted", "reverting", "mitigated", "fixed",
    "resolved", "on it", "looking into", "i'm looking", "im looking", "investigating", "acked",
    "acknowledged", "handling it", "taking this", "i've got it", "got this", "hotfix",
];

#[rustfmt::skip]
const RECOVERY_PHRASES: &[&str] = &[
    "back to normal", "all clear", "errors at zero", "errors are at zero", "errors gone",
    "errors are gone", "no more errors", "recovered", "is recovering", "fully recovered",
];

/// True when a person says the impact is over (`errors at zero`, `back to normal`).
pub fn is_recovery(text: &str) -> bool {
    RECOVERY_PHRASES
        .iter()
        .any(|p| find_word(text, p).is_some_and(|at| is_told(text, at)))
}

/// True when a person says the problem is being handled (or is over): on it, rolled back…
pub fn is_handled(text: &str) -> bool {
    let t = text
        .trim()
        .trim_end_matches(['.', '!', '…'])
        .to_ascii_lowercase();
    matches!(t.as_str(), "looking" | "on it" | "ack" | "checking" | "👀")
        || HANDLED_PHRASES.iter().any(|p| contains_word(text, p))
        || is_recovery(text)
}

#[rustfmt::skip]
const DONE_PHRASES: &[&str] = &[
    "done", "complete", "completed", "finished", "back to normal", "all good", "all back",
    "succeeded", "is out", "rolled out", "synced",
];

const FIX_WORDS: &[&str] = &["fixed", "fix", "fixes", "hotfix", "hotfixed", "patched"];

/// `1.4.3 has the fix`: a version named before the fix it carries.
static CARRIES_FIX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(v?\d+\.\d+(?:\.\d+)*)\s+(?:has|carries|contains|includes|ships)\s+the\s+(?:hot)?fix",
    )
    .expect("static regex")
});

/// The version a person says carries the fix (`fixed in 1.4.3, rolling out now`, `hotfix
/// v2.0.1 is out`, `1.4.3 has the fix`), if the message tells of one. The version must follow
/// the fix word closely in its sentence: `broken since 1.4.2, fix is a one-liner` names none.
pub fn fix_version(text: &str) -> Option<String> {
    if let Some(c) = CARRIES_FIX.captures(text) {
        return c.get(1).map(|m| m.as_str().to_owned());
    }
    every_word_at(text, FIX_WORDS)
        .into_iter()
        .filter(|&p| !is_question_about(text, p) && !is_negated(text, p))
        .find_map(|p| {
            let rest = &text[p..];
            let word_end = rest
                .find(|c: char| !c.is_alphanumeric())
                .unwrap_or(rest.len());
            let mut end = rest.len().min(word_end + 24);
            while !rest.is_char_boundary(end) {
                end -= 1;
            }
            let near = &rest[word_end..end];
            let cut = [". ", "! ", "? ", "\n"]
                .iter()
                .filter_map(|s| near.find(s))
                .min()
                .unwrap_or(near.len());
            let near = &near[..cut];
            version(&format!(" {near} "))
        })
}

/// True when a message says a change or deploy has finished.
pub fn is_done(text: &str) -> bool {
    // `out of connections` is lacking something, not `is out` (released).
    let text = text.to_lowercase().replace(" out of ", " short of ");
    any_word(&text, DONE_PHRASES)
}

#[rustfmt::skip]
const NOISE_PHRASES: &[&str] = &[
    "those are old", "these are old", "that's old", "is old", "are old", "since monday",
    "since tuesday", "since wednesday", "since thursday", "since friday", "since saturday",
    "since sunday", "since yesterday", "for days", "for weeks", "known issue", "harmless", "noise",
    "been there", "pre-existing", "unrelated", "not related", "ignore", "always there", "silenced",
];

/// True when a message says something is old, known or harmless.
pub fn is_noise(text: &str) -> bool {
    NOISE_PHRASES.iter().any(|p| contains_word(text, p))
}

/// The first place where one of `words` occurs.
pub fn first_word_at(text: &str, words: &[&str]) -> Option<usize> {
    words.iter().filter_map(|w| find_word(text, w)).min()
}

/// Where the deploy wording of `text` starts (for the question check).
pub fn deploy_word_at(text: &str) -> Option<usize> {
    first_word_at(text, DEPLOY_WORDS).or_else(|| first_word_at(text, WEAK_DEPLOY_WORDS))
}

/// Every place where one of `words` occurs (whole words), in order.
fn every_word_at(text: &str, words: &[&str]) -> Vec<usize> {
    let mut out: Vec<usize> = words
        .iter()
        .flat_map(|w| {
            let mut found = Vec::new();
            let mut from = 0;
            while from < text.len() {
                let Some(p) = find_word(&text[from..], w) else {
                    break;
                };
                found.push(from + p);
                let step = text[from + p..].chars().next().map_or(1, char::len_utf8);
                from += p + step;
            }
            found
        })
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// True when the word at `p` is used to tell something: not in a question or a guess ("did
/// RDS just fail over?", "maybe the flag got flipped"), not negated ("I don't see a deploy",
/// "no maintenance today"), not about last night.
pub fn is_told(text: &str, p: usize) -> bool {
    !is_question_about(text, p)
        && !is_speculation(text, p)
        && !is_negated(text, p)
        && !is_old_news(text, p)
}

/// The first place `words` are used to tell something (see [`is_told`]).
fn announced_at(text: &str, words: &[&str]) -> Option<usize> {
    every_word_at(text, words)
        .into_iter()
        .find(|&p| is_told(text, p))
}

/// True when a person asks about or guesses at a deploy or change ("did RDS just fail over?",
/// "could it be the new flag?", "maybe the config got flipped") — a diagnosis, not an
/// announcement: with impact beside it, the message is a report at most.
pub fn speculates_about_change(text: &str) -> bool {
    let words: Vec<&str> = DEPLOY_WORDS
        .iter()
        .chain(WEAK_DEPLOY_WORDS)
        .copied()
        .collect();
    every_word_at(text, &words)
        .into_iter()
        .chain(changes::every_change_at(text))
        .any(|p| is_question_about(text, p) || is_speculation(text, p))
}

/// Objects whose rollout is a configuration change, whatever deploy words announce it
/// (`rolling out the default-deny NetworkPolicy`, `synced the chart`).
#[rustfmt::skip]
const CONFIG_OBJECTS: &[&str] = &[
    "chart", "helmrelease", "networkpolicy", "networkpolicies", "network policy",
    "network policies", "configmap", "allow-list", "allow-lists", "allowlist", "security group",
    "iam policy", "rbac", "parameter group",
];

/// True when the text rolls out a configuration object rather than a service's code.
pub fn names_config_object(text: &str) -> bool {
    any_word(text, CONFIG_OBJECTS)
}

/// Where `text` announces a deploy (see [`announced_at`]).
pub fn deploy_announced_at(text: &str) -> Option<usize> {
    announced_at(text, DEPLOY_WORDS).or_else(|| {
        version(text)
            .is_some()
            .then(|| announced_at(text, WEAK_DEPLOY_WORDS))
            .flatten()
    })
}

static VERSION_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[\s:(@=`*'\x22/])(v?\d+\.\d+(?:\.\d+)*(?:-[A-Za-z0-9.]+)?|v\d+)(?:$|[\s,;)`*'\x22!?]|\.(?:\s|$))")
        .expect("static regex")
});

/// Every version a message names, in order (`1.4.2`, `v1.8.0`).
pub fn versions(text: &str) -> Vec<String> {
    VERSION_RE
        .captures_iter(text)
        .filter_map(|c| c.get(1).map(|m| m.as_str().to_owned()))
        .collect()
}

/// The version a message announces: the one after `→`, `->` or ` to ` when present (the new
/// one), else the first (`v1.8.0`, `checkout-api:v3.12.0`, `5.2.0`, `v12`).
pub fn version(text: &str) -> Option<String> {
    let found: Vec<(usize, String)> = VERSION_RE
        .captures_iter(text)
        .filter_map(|c| c.get(1).map(|m| (m.start(), m.as_str().to_owned())))
        .collect();
    let arrow = ["→", "->", " to "]
        .iter()
        .filter_map(|a| text.find(a))
        .min();
    if let Some(a) = arrow
        && let Some((_, v)) = found.iter().find(|(p, _)| *p > a)
    {
        return Some(v.clone());
    }
    found.into_iter().next().map(|(_, v)| v)
}
