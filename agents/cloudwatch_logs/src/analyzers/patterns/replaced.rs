//! Patterns that stopped because a rollout replaced the pods writing them, and the redelivery
//! counts a consumer's lines report.

use super::{Activity, Pattern};
use jiff::{SignedDuration, Timestamp};
use regex::Regex;
use std::collections::BTreeSet;
use std::sync::LazyLock;

static RECEIVE_COUNT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)\b(?:approximate_?)?(?:receive_?count|redelivery_?count|deliver(?:y|ed)_?count|delivery_?attempt)["']?\s*[=:]\s*["']?(\d{1,6})\b"#)
        .expect("static regex")
});

/// The redelivery count a consumer's line reports (SQS `ApproximateReceiveCount`, a broker's
/// delivery count).
pub fn receive_count(line: &str) -> Option<u64> {
    RECEIVE_COUNT.captures(line).and_then(|c| c[1].parse().ok())
}

static TEMPLATE_POD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(.+)-([a-z0-9]{6,10})-[a-z0-9]{5}$").expect("static regex"));

/// A Deployment pod's `(workload, pod-template hash)`.
fn template_of(pod: &str) -> Option<(&str, &str)> {
    let c = TEMPLATE_POD.captures(pod)?;
    let (w, h) = (c.get(1)?.as_str(), c.get(2)?.as_str());
    h.bytes().any(|b| b.is_ascii_digit()).then_some((w, h))
}

/// Least silence before the alert for a pattern whose pods were replaced to count as stopped.
const REPLACED_QUIET: SignedDuration = SignedDuration::from_mins(3);

/// When only pods of older ReplicaSets wrote a pattern, those pods went silent soon after its
/// last line (they were replaced), and pods of a newer ReplicaSet of the same workloads have
/// logged since without it: the newer pods. Empty otherwise (or when nobody can tell).
pub(super) fn replacements(p: &Pattern, activity: &Activity, alert: Timestamp) -> Vec<String> {
    if alert.duration_since(p.last) < REPLACED_QUIET || p.origins.is_empty() {
        return Vec::new();
    }
    let Some(old): Option<BTreeSet<(&str, &str)>> =
        p.origins.iter().map(|o| template_of(o)).collect()
    else {
        return Vec::new();
    };
    let mine = |o: &str| activity.get(&(p.group.clone(), o.to_owned()));
    let gone = p.origins.iter().all(|o| {
        mine(o).is_some_and(|a| a.last.duration_since(p.last) <= SignedDuration::from_mins(2))
    });
    if !gone {
        return Vec::new();
    }
    // The newer pods kept logging for a while after the last error.
    activity
        .iter()
        .filter(|((g, _), _)| *g == p.group)
        .filter(|((_, o), a)| {
            template_of(o).is_some_and(|(w, h)| {
                old.iter().any(|(ow, _)| *ow == w) && !old.iter().any(|(_, oh)| *oh == h)
            }) && a.lines >= 2
                && a.last.duration_since(p.last) >= REPLACED_QUIET
        })
        .map(|((_, o), _)| o.clone())
        .collect()
}
