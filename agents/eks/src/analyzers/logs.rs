//! Log signatures in the target's pod logs (`log_signature`): error lines classified with
//! `sremesh_core::signals`, folded by normalized pattern with counts, marked new when the log
//! reaches back before the window and the signature is absent there. Also the helpers other
//! analyzers use to read log lines (JSON logs rendered as `level msg — err`).

use super::facts::{self, line};
use super::{ContainerLog, LogLine, Scene, Unit, unit_finding};
use jiff::Timestamp;
use regex::Regex;
use sremesh_core::signals::{self, Signature};
use sremesh_core::{Category, Finding, Severity};
use std::collections::BTreeMap;
use std::sync::LazyLock;

/// At most this many signature findings per workload.
const PER_UNIT: usize = 4;

static LOGFMT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"([A-Za-z_][A-Za-z0-9_.]*)=("(?:[^"\\]|\\.)*"|\S+)"#).expect("static regex")
});
static KLOG: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^([IWEF])\d{4} ").expect("static regex"));
/// Each signature's pattern, to quote the part of a long line that matched.
static PATTERNS: LazyLock<Vec<(&'static str, Regex)>> = LazyLock::new(|| {
    signals::SIGNATURES
        .iter()
        .filter_map(|(s, re)| Regex::new(re).ok().map(|r| (s.id, r)))
        .collect()
});

/// The severity a line declares for itself, if it declares one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// info, notice, debug, trace.
    Quiet,
    /// warn and above.
    Loud,
}

fn level_word(w: &str) -> Option<Level> {
    let w = w
        .trim_matches(|c: char| !c.is_ascii_alphanumeric())
        .to_ascii_lowercase();
    match w.as_str() {
        "info" | "information" | "notice" | "debug" | "trace" | "verbose" | "30" | "20" | "10" => {
            Some(Level::Quiet)
        }
        "warn" | "warning" | "error" | "err" | "fatal" | "critical" | "crit" | "panic"
        | "severe" | "alert" | "emerg" | "40" | "50" | "60" => Some(Level::Loud),
        _ => None,
    }
}

/// The level a JSON, logfmt, klog or plain line declares (`None`: it does not say).
pub fn level(text: &str) -> Option<Level> {
    let t = text.trim();
    if t.starts_with('{') {
        if let Ok(serde_json::Value::Object(m)) = serde_json::from_str::<serde_json::Value>(t) {
            return ["level", "severity", "lvl"]
                .iter()
                .find_map(|k| match m.get(*k)? {
                    serde_json::Value::String(s) => level_word(s),
                    serde_json::Value::Number(n) => level_word(&n.to_string()),
                    _ => None,
                });
        }
        return None;
    }
    if let Some(c) = KLOG.captures(t) {
        return Some(if &c[1] == "I" {
            Level::Quiet
        } else {
            Level::Loud
        });
    }
    for c in LOGFMT.captures_iter(t) {
        if matches!(&c[1], "level" | "lvl" | "severity") {
            return level_word(c[2].trim_matches('"'));
        }
    }
    t.split_whitespace().take(5).find_map(level_word)
}

/// `…` + the part of `text` around where `sig` matched (the whole line when short).
pub fn excerpt(text: &str, sig: &Signature) -> String {
    let r = render(text);
    if r.chars().count() <= 200 {
        return r;
    }
    let Some(m) = PATTERNS
        .iter()
        .find(|(id, _)| *id == sig.id)
        .and_then(|(_, re)| re.find(&r))
    else {
        return sremesh_core::text::truncate(&r, 160);
    };
    let start = r[..m.start()]
        .char_indices()
        .rev()
        .nth(100)
        .map_or(0, |(i, _)| i);
    let cut: String = r[start..].chars().take(200).collect();
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    out.push_str(&cut);
    if r[start..].chars().count() > 200 {
        out.push('…');
    }
    out
}

fn render_logfmt(t: &str) -> Option<String> {
    let pairs: Vec<(String, String)> = LOGFMT
        .captures_iter(t)
        .map(|c| {
            (
                c[1].to_owned(),
                c[2].trim_matches('"').replace("\\\"", "\""),
            )
        })
        .collect();
    let get = |k: &str| pairs.iter().find(|(x, _)| x == k).map(|(_, v)| v.clone());
    let msg = get("msg").or_else(|| get("message"))?;
    let mut out = String::new();
    if let Some(l) = get("level").or_else(|| get("lvl")) {
        out.push_str(&l.to_ascii_lowercase());
        out.push(' ');
    }
    out.push_str(&msg);
    if let Some(e) = get("error").or_else(|| get("err")) {
        out.push_str(" — ");
        out.push_str(&e);
    }
    let extra: Vec<String> = pairs
        .iter()
        .filter(|(k, _)| {
            !matches!(
                k.as_str(),
                "time" | "ts" | "level" | "lvl" | "msg" | "message" | "error" | "err" | "caller"
            )
        })
        .take(6)
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    if !extra.is_empty() {
        out.push_str(&format!(" [{}]", extra.join(" ")));
    }
    Some(line(out))
}

/// A log line for humans: JSON and logfmt lines become `level msg — error [k=v …]`.
pub fn render(text: &str) -> String {
    let t = text.trim();
    if !t.starts_with('{') {
        return render_logfmt(t).unwrap_or_else(|| line(t));
    }
    let Ok(serde_json::Value::Object(m)) = serde_json::from_str::<serde_json::Value>(t) else {
        return line(t);
    };
    let s = |k: &str| match m.get(k) {
        Some(serde_json::Value::String(s)) => Some(s.clone()),
        Some(serde_json::Value::Number(n)) => Some(n.to_string()),
        Some(serde_json::Value::Object(o)) => {
            o.get("message").and_then(|v| v.as_str()).map(str::to_owned)
        }
        _ => None,
    };
    let level = s("level")
        .or_else(|| s("severity"))
        .map(|l| match l.as_str() {
            "60" => "fatal".to_owned(),
            "50" => "error".to_owned(),
            "40" => "warn".to_owned(),
            "30" => "info".to_owned(),
            _ => l.to_ascii_lowercase(),
        });
    let Some(msg) = s("msg").or_else(|| s("message")) else {
        return line(t);
    };
    let mut out = String::new();
    if let Some(l) = level {
        out.push_str(&l);
        out.push(' ');
    }
    out.push_str(msg.lines().next().unwrap_or(""));
    if let Some(e) = s("err").or_else(|| s("error")).or_else(|| s("exception")) {
        out.push_str(" — ");
        out.push_str(e.lines().next().unwrap_or(""));
    }
    const SKIP: &[&str] = &[
        "level",
        "severity",
        "msg",
        "message",
        "err",
        "error",
        "exception",
        "time",
        "ts",
        "timestamp",
        "pid",
        "hostname",
        "logger",
        "v",
    ];
    let extra: Vec<String> = m
        .iter()
        .filter(|(k, _)| !SKIP.contains(&k.as_str()))
        .filter_map(|(k, v)| match v {
            serde_json::Value::String(x) if x.len() <= 80 => Some(format!("{k}={x}")),
            serde_json::Value::Number(n) => Some(format!("{k}={n}")),
            _ => None,
        })
        .take(6)
        .collect();
    if !extra.is_empty() {
        out.push_str(&format!(" [{}]", extra.join(" ")));
    }
    line(out)
}

/// The category a signature points to on this line: the signature's, except that a TLS failure
/// our *server* logs about an incoming handshake (`TLS handshake error from <client>`) is about
/// our own certificate — configuration — where an outbound one is the peer's (a dependency).
pub fn category_of(sig: &Signature, text: &str) -> Category {
    if sig.id == "tls_error" && text.to_ascii_lowercase().contains("handshake error from") {
        return Category::ConfigurationError;
    }
    sig.category
}

/// A classified line.
#[derive(Debug, Clone)]
pub struct Hit {
    pub sig: &'static Signature,
    pub at: Option<Timestamp>,
    pub raw: String,
}

/// An error line: one the signals call an error, unless it declares itself info or debug.
pub fn is_error(text: &str) -> bool {
    signals::is_error_line(text) && level(text) != Some(Level::Quiet)
}

/// The signature-bearing error lines of a log.
pub fn hits(lines: &[LogLine]) -> Vec<Hit> {
    lines
        .iter()
        .filter(|l| is_error(&l.text))
        .filter_map(|l| {
            signals::classify(&l.text).map(|sig| Hit {
                sig,
                at: l.at,
                raw: l.text.clone(),
            })
        })
        .collect()
}

/// Signatures seen in the logs of the unit's Ready pods that never restarted in the window —
/// background noise when explaining a crash.
pub fn background(s: &Scene, u: &Unit) -> Vec<&'static str> {
    let mut out = Vec::new();
    for p in s.pods_of(u) {
        let restarted = facts::statuses(p).any(|c| {
            facts::last_termination(c)
                .and_then(|t| t.finished_at.as_ref())
                .is_some_and(|t| s.in_window(t.0))
        });
        if !facts::pod_ready(p) || restarted {
            continue;
        }
        for l in s.logs.iter().filter(|l| {
            !l.previous && l.namespace == facts::pod_ns(p) && l.pod == facts::pod_name(p)
        }) {
            for h in hits(&l.lines) {
                if !out.contains(&h.sig.id) {
                    out.push(h.sig.id);
                }
            }
        }
    }
    out
}

struct Fold {
    sig: &'static Signature,
    count: usize,
    first: Option<Timestamp>,
    /// normalized pattern → (count, rendered line, excerpt around the match).
    lines: BTreeMap<String, (usize, String, String)>,
    pods: Vec<String>,
    category: Category,
}

fn logs_of<'a>(s: &'a Scene, u: &'a Unit) -> impl Iterator<Item = &'a ContainerLog> + 'a {
    s.pods_of(u).flat_map(move |p| {
        s.logs
            .iter()
            .filter(move |l| l.namespace == facts::pod_ns(p) && l.pod == facts::pod_name(p))
    })
}

pub fn analyze(s: &Scene) -> Vec<Finding> {
    let mut out = Vec::new();
    for u in &s.units {
        let mut folds: BTreeMap<&'static str, Fold> = BTreeMap::new();
        // Signatures seen before the window, and whether any log reaches back that far.
        let mut before: Vec<&'static str> = Vec::new();
        let mut reaches_back = false;
        let mut seen_lines: Vec<(String, Option<Timestamp>, String)> = Vec::new();
        for l in logs_of(s, u) {
            if l.lines
                .first()
                .and_then(|x| x.at)
                .is_some_and(|t| t < s.window.start)
            {
                reaches_back = true;
            }
            for h in hits(&l.lines) {
                // The kubelet serves a crash-looping container's last run as both logs: count once.
                let key = (l.pod.clone(), h.at, h.raw.clone());
                if seen_lines.contains(&key) {
                    continue;
                }
                seen_lines.push(key);
                match h.at {
                    Some(t) if t < s.window.start => {
                        if !before.contains(&h.sig.id) {
                            before.push(h.sig.id);
                        }
                        continue;
                    }
                    Some(t) if t > s.window.end => continue,
                    _ => {}
                }
                let f = folds.entry(h.sig.id).or_insert_with(|| Fold {
                    sig: h.sig,
                    count: 0,
                    first: None,
                    lines: BTreeMap::new(),
                    pods: Vec::new(),
                    category: category_of(h.sig, &h.raw),
                });
                f.count += 1;
                f.first = match (f.first, h.at) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
                let e = f
                    .lines
                    .entry(signals::normalize(&h.raw))
                    .or_insert_with(|| (0, render(&h.raw), excerpt(&h.raw, h.sig)));
                e.0 += 1;
                if !f.pods.contains(&l.pod) {
                    f.pods.push(l.pod.clone());
                }
            }
        }
        let mut folds: Vec<Fold> = folds.into_values().collect();
        folds.sort_by_key(|f| std::cmp::Reverse(f.count));
        for f in folds.into_iter().take(PER_UNIT) {
            let severity = match f.count {
                1 => Severity::Low,
                2..=4 => Severity::Medium.min(f.sig.severity),
                _ => f.sig.severity,
            };
            let mut patterns: Vec<(usize, String, String)> = f.lines.into_values().collect();
            // Most frequent first; among equals, the line that names an exception or error.
            let loud = |l: &str| {
                let l = l.to_ascii_lowercase();
                l.contains("exception") || l.contains("error") || l.contains("fatal")
            };
            patterns.sort_by(|a, b| b.0.cmp(&a.0).then(loud(&b.1).cmp(&loud(&a.1))));
            let top = patterns.first().map(|p| p.2.clone()).unwrap_or_default();
            let new = if before.contains(&f.sig.id) {
                Some(false)
            } else if reaches_back {
                Some(true)
            } else {
                None
            };
            let title = line(format!(
                "{}: {} ×{} in pod logs — {}",
                u.name, f.sig.label, f.count, top
            ));
            let mut evidence: Vec<String> = patterns
                .iter()
                .take(5)
                .map(|(n, l, _)| line(format!("×{n} {l}")))
                .collect();
            evidence.push(format!("pods: {}", f.pods.join(", ")));
            let mut finding = unit_finding("log_signature", u, severity, title)
                .with_evidence(evidence)
                .with_attr("signature", f.sig.id)
                .with_attr("count", f.count as u64);
            finding.id = format!("log_signature:{}/{}", u.key(), f.sig.id);
            // One line in the window is context, not a cause.
            if f.count >= 2 {
                finding = finding.with_category(f.category);
            } else {
                finding = finding.with_attr("weak", true);
            }
            if let Some(n) = new {
                finding = finding.with_attr("new", n);
            }
            if let Some(t) = f.first {
                finding = finding.at(t);
            }
            out.push(finding);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_lines_render_readably() {
        let cases = [
            (
                r#"{"level":"error","msg":"db connect failed","err":"error: sorry, too many clients already","code":"53300"}"#,
                "error db connect failed — error: sorry, too many clients already [code=53300]",
            ),
            (
                r#"{"level":50,"time":1,"msg":"[ioredis] Unhandled error event: Error: connect ETIMEDOUT\n    at TLSSocket"}"#,
                "error [ioredis] Unhandled error event: Error: connect ETIMEDOUT",
            ),
            ("plain   text  line", "plain text line"),
            ("{not json", "{not json"),
        ];
        for (input, want) in cases {
            assert_eq!(render(input), want);
        }
    }

    #[test]
    fn tls_failures_by_direction() {
        let sig = signals::signature("tls_error").unwrap();
        let cases = [
            (
                r#"Post "https://edi.nordfreight.example/api": tls: failed to verify certificate: x509: certificate has expired"#,
                Category::DependencyFailure,
            ),
            (
                "http: TLS handshake error from 10.0.0.1:4242: x509: certificate has expired",
                Category::ConfigurationError,
            ),
        ];
        for (l, want) in cases {
            assert_eq!(category_of(sig, l), want, "{l}");
        }
    }
}
