//! The last resort of discovery: when no group carries one of the alert's names whole and no
//! shared group holds lines of it, match by meaningful name tokens. Alarm and resource names end
//! in what is measured (`refund-requests-dlq-depth`, `checkout-p99-latency-high`); stripped of
//! those generic words, their stems share a token with the group of the service that does the
//! work (`/aws/lambda/refund-processor` consumes the `refund-requests` queue).

use super::{Candidate, GroupInfo, KeywordKind, Target, cluster_of, is_metrics_group};
use std::collections::BTreeSet;

/// Words that say what is measured or where, never whose it is.
const GENERIC: &[&str] = &[
    // Queues and streams.
    "dlq",
    "deadletter",
    "dead",
    "letter",
    "queue",
    "queues",
    "fifo",
    "topic",
    "stream",
    "depth",
    "backlog",
    "visible",
    "messages",
    "message",
    "oldest",
    "age",
    "lag",
    "iterator",
    // Alarm and metric words.
    "errors",
    "error",
    "alarm",
    "alert",
    "high",
    "low",
    "warn",
    "warning",
    "critical",
    "p50",
    "p90",
    "p95",
    "p99",
    "p999",
    "latency",
    "duration",
    "throttles",
    "throttle",
    "throttled",
    "throttling",
    "5xx",
    "4xx",
    "count",
    "rate",
    "ratio",
    "percent",
    "size",
    "invocations",
    "concurrency",
    "failures",
    "failure",
    "failed",
    "timeout",
    "timeouts",
    "memory",
    "cpu",
    "utilization",
    "usage",
    "slo",
    "sla",
    "burn",
    "budget",
    "availability",
    "health",
    "status",
    "total",
    "sum",
    "max",
    "min",
    "avg",
    "average",
    "breach",
    "threshold",
    "anomaly",
    // Resource words and environments.
    "service",
    "svc",
    "api",
    "app",
    "web",
    "worker",
    "function",
    "lambda",
    "handler",
    "prod",
    "production",
    "staging",
    "stage",
    "dev",
    "test",
    "aws",
    "logs",
    "log",
    "group",
    "cluster",
    "instance",
    "primary",
    "replica",
    "main",
    "default",
    "east",
    "west",
    "north",
    "south",
    "central",
    // Plural nouns any service may carry.
    "requests",
    "request",
    "events",
    "event",
    "jobs",
    "job",
    "tasks",
    "task",
    "items",
    "item",
    "records",
    "record",
    "data",
];

/// The stem of a token: lowercase, without a plural `s` (`refunds` → `refund`), an `-ing` or
/// `-ed` (`pricing`, `priced` → `pric`; `shipping` → `ship`) or a final `e` (`price` →
/// `pric`), so the forms of one word meet; never shorter than four letters.
pub fn stem(token: &str) -> String {
    let mut t = token.to_ascii_lowercase();
    if let Some(base) = t.strip_suffix('s')
        && base.len() >= 4
        && !base.ends_with('s')
    {
        t = base.to_owned();
    }
    for suffix in ["ing", "ed"] {
        if let Some(base) = t.strip_suffix(suffix)
            && base.len() >= 4
        {
            // `shipp` → `ship`, but `bill`, `pass`, `buzz` keep their double letter.
            let b = base.as_bytes();
            let doubled = b[b.len() - 1] == b[b.len() - 2]
                && !matches!(b[b.len() - 1], b'l' | b's' | b'z')
                && !b[b.len() - 1].is_ascii_digit();
            t = if doubled && base.len() > 4 {
                base[..base.len() - 1].to_owned()
            } else {
                base.to_owned()
            };
            return t;
        }
    }
    match t.strip_suffix('e') {
        Some(base) if base.len() >= 4 => base.to_owned(),
        _ => t,
    }
}

/// The words of a name: split at separators and where a lowercase letter meets an uppercase
/// one (`CatalogPriceAnomaly` → `Catalog`, `Price`, `Anomaly`).
fn tokens(name: &str) -> impl Iterator<Item = &str> {
    name.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|t| !t.is_empty())
        .flat_map(|t| {
            let mut cuts = vec![0];
            let b = t.as_bytes();
            for i in 1..b.len() {
                if b[i].is_ascii_uppercase() && b[i - 1].is_ascii_lowercase() {
                    cuts.push(i);
                }
            }
            cuts.push(t.len());
            cuts.windows(2).map(|w| &t[w[0]..w[1]]).collect::<Vec<_>>()
        })
}

/// The meaningful stems of a name: tokens of at least four characters, not generic, not
/// numbers.
pub fn meaningful(name: &str) -> BTreeSet<String> {
    tokens(name)
        .filter(|t| t.len() >= 4 && t.bytes().any(|b| b.is_ascii_alphabetic()))
        .map(|t| t.to_ascii_lowercase())
        .filter(|t| !GENERIC.contains(&t.as_str()))
        .map(|t| stem(&t))
        .filter(|t| !GENERIC.contains(&t.as_str()))
        .collect()
}

/// Most groups chosen this way.
const MAX_BY_STEM: usize = 3;

/// Groups sharing the most meaningful stems with the alert's names and the subjects it
/// measures (at least one; at most three, best first). Cluster-wide groups (Container Insights, EKS) and metric groups are
/// left to the cluster keywords and the probe.
pub fn candidates(target: &Target, listed: &[GroupInfo], cap: usize) -> Vec<Candidate> {
    let wanted: BTreeSet<String> = target
        .keywords
        .iter()
        .filter(|k| k.kind != KeywordKind::Cluster)
        .flat_map(|k| meaningful(&k.text))
        .chain(target.subjects.iter().flat_map(|s| meaningful(s)))
        .collect();
    if wanted.is_empty() {
        return Vec::new();
    }
    let mut scored: Vec<(usize, Candidate)> = listed
        .iter()
        .filter(|g| !is_metrics_group(&g.name) && cluster_of(&g.name).is_none())
        .filter_map(|g| {
            let hits: Vec<String> = meaningful(&g.name)
                .into_iter()
                .filter(|t| wanted.contains(t))
                .collect();
            (!hits.is_empty()).then(|| {
                (
                    hits.len(),
                    Candidate {
                        name: g.name.clone(),
                        score: hits.len() as u32,
                        matched: hits,
                        // The group of one service, chosen for it: every line is its.
                        dedicated: true,
                        stored_bytes: g.stored_bytes,
                    },
                )
            })
        })
        .collect();
    let best = scored.iter().map(|(n, _)| *n).max().unwrap_or(0);
    scored.retain(|(n, _)| *n == best);
    scored.sort_by(|a, b| a.1.name.cmp(&b.1.name));
    scored
        .into_iter()
        .map(|(_, c)| c)
        .take(MAX_BY_STEM.min(cap))
        .collect()
}

#[cfg(test)]
mod tests;
