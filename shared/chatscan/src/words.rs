//! Plain words of a message for comparing two texts: links reduced to their labels (or hosts),
//! emoji codes and markup dropped, `CamelCase` and `kebab-case` split, lowercased, plurals
//! folded (`timeouts` → `timeout`) — and which of them are distinctive enough to say that
//! two texts are about the same thing.

use regex::Regex;
use std::sync::LazyLock;

fn re(s: &str) -> Regex {
    Regex::new(s).expect("static regex")
}

/// Bare links (`<https://…>`, `https://…`): the host.
static URL: LazyLock<Regex> = LazyLock::new(|| re(r"<?https?://([^/\s>|)]+)[^\s>|)]*>?"));
/// `:large_orange_circle:` emoji codes.
static EMOJI_CODE: LazyLock<Regex> = LazyLock::new(|| re(r":[a-z0-9_+-]{2,40}:"));

/// The hosts of every link in the text, labelled or bare (`app.datadoghq.com`).
pub fn link_hosts(text: &str) -> Vec<String> {
    URL.captures_iter(text)
        .map(|c| c[1].to_ascii_lowercase())
        .collect()
}

/// The text with links reduced to labels or hosts (`keep_hosts`) or dropped, and emoji codes
/// removed.
pub fn plain(text: &str, keep_hosts: bool) -> String {
    let t = sremesh_core::text::link_labels(text);
    let t = URL.replace_all(&t, |c: &regex::Captures| {
        if keep_hosts {
            c[1].to_owned()
        } else {
            " ".to_owned()
        }
    });
    EMOJI_CODE.replace_all(&t, " ").into_owned()
}

/// Splits `KubeAPIErrorBudgetBurn` into `Kube`, `API`, `Error`, `Budget`, `Burn`.
fn split_camel(word: &str) -> Vec<String> {
    let chars: Vec<char> = word.chars().collect();
    let mut parts = Vec::new();
    let mut cur = String::new();
    for (i, &c) in chars.iter().enumerate() {
        let prev = i.checked_sub(1).map(|j| chars[j]);
        let next = chars.get(i + 1).copied();
        let boundary = c.is_uppercase()
            && prev.is_some_and(|p| {
                p.is_lowercase()
                    || p.is_ascii_digit()
                    || (p.is_uppercase() && next.is_some_and(char::is_lowercase))
            });
        if boundary && !cur.is_empty() {
            parts.push(std::mem::take(&mut cur));
        }
        cur.push(c);
    }
    if !cur.is_empty() {
        parts.push(cur);
    }
    parts
}

/// A word's plural folded: `timeouts` → `timeout`, `latencies` → `latency`, `synthetics` →
/// `synthetic` (`status`, `class` stay).
pub fn fold(word: &str) -> String {
    let w = word.to_lowercase();
    if w.len() > 4 && w.ends_with("ies") {
        format!("{}y", &w[..w.len() - 3])
    } else if w.len() > 3 && w.ends_with('s') && !w.ends_with("ss") && !w.ends_with("us") {
        w[..w.len() - 1].to_owned()
    } else {
        w
    }
}

/// The words of `text` (see the module docs), in order; numbers and one-letter words dropped.
pub fn words(text: &str, keep_hosts: bool) -> Vec<String> {
    plain(text, keep_hosts)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .flat_map(split_camel)
        .map(|w| fold(&w))
        .filter(|w| w.chars().count() >= 2 && w.chars().any(char::is_alphabetic))
        .collect()
}

/// Words that say nothing about *what* is affected: English glue, alerting and status-page
/// vocabulary, generic infrastructure nouns.
#[rustfmt::skip]
const GENERIC: &[&str] = &[
    "the", "and", "for", "with", "from", "that", "this", "are", "was", "were", "has", "have",
    "had", "not", "may", "can", "will", "been", "being", "some", "other", "all", "any", "more",
    "than", "over", "into", "out", "our", "your", "their", "its", "now", "last", "after",
    "before", "since", "about", "per", "via", "only", "also", "then", "there", "these", "those",
    "who", "what", "when", "where", "which", "while", "again", "just", "still", "new", "see",
    "we", "you", "it", "is", "of", "on", "in", "at", "to", "by", "or", "an", "be", "as", "if",
    "error", "fail", "failed", "failing", "failure", "alert", "alerting", "alarm", "issue",
    "incident", "increased", "elevated", "rate", "latency", "request", "response", "api",
    "service", "test", "timeout", "timed", "time", "customer", "user", "affected", "affecting",
    "impact", "impacted", "investigating", "identified", "monitoring", "resolved", "update",
    "updated", "status", "aws", "amazon", "cloud", "region", "regional", "production", "prod",
    "env", "environment", "cluster", "node", "running", "operational", "degraded",
    "performance", "partial", "major", "minor", "outage", "location", "managed", "http",
    "https", "www", "com", "io", "net", "org", "view", "detail", "link", "value", "threshold",
    "minute", "second", "hour", "day", "warning", "critical", "info", "high", "low", "medium",
    "firing", "triggered", "recovered", "ok", "event", "health", "working", "work",
    "observed", "observing", "experiencing", "continue", "continuing", "fix", "implemented",
    "mitigation", "mitigated", "result", "check", "description", "summary", "severity",
    "label", "annotation", "runbook", "url", "source", "team", "state", "change", "datapoint",
    "metric", "statistic", "period", "count", "sum", "average", "maximum", "minimum", "connection",
    "server", "application", "app", "system", "monitor", "condition", "consecutive", "run",
    "passing", "expect", "expected", "existing", "workload", "increase", "decrease",
];

/// True when `word` (already folded) can tell what a text is about: not generic, three
/// letters or more.
pub fn is_distinctive(word: &str) -> bool {
    word.chars().count() >= 3 && !GENERIC.contains(&word)
}
