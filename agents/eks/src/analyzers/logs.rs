//! Log signatures in the target's pod logs (`log_signature`): error lines classified with
//! `sremesh_core::signals`, folded by normalized pattern with counts. Novelty is judged by onset:
//! a signature is steady noise (`new: false`) only when it was already there at the start of the
//! observed history; one that first shows partway through — even before the window — is new
//! since its `onset`; the terminal error of a restarted or failed run (what it died of) is never
//! noise. The line readers live in [`super::lines`] and are re-exported here.

use super::facts::{self, line};
use super::{ContainerLog, Scene, Unit, unit_finding};
use jiff::{SignedDuration, Timestamp};
use sremesh_core::signals::{self, Signature};
use sremesh_core::{Category, Finding, Severity};
use std::collections::BTreeMap;

pub use super::lines::{
    Hit, Level, before_terminal, category_of, classify, excerpt, fatal_report, hits, is_error,
    kube_api, level, render, terminal, terminal_block,
};

/// At most this many signature findings per workload.
const PER_UNIT: usize = 4;
/// A signature first seen this close to the start of the observed history was already there.
const AT_START: SignedDuration = SignedDuration::from_mins(2);

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
    last: Option<Timestamp>,
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

/// What the observed log history says about each signature.
#[derive(Debug, Default)]
pub struct History {
    /// The earliest and latest timestamped line of every log read.
    pub start: Option<Timestamp>,
    pub end: Option<Timestamp>,
    /// Signature → its first occurrence anywhere in the history.
    pub onset: BTreeMap<&'static str, Timestamp>,
    /// Signature → every time it occurred (sorted when judged).
    pub times: BTreeMap<&'static str, Vec<Timestamp>>,
    /// Signatures a run died of (the terminal error of a previous or failed run's log).
    pub terminal: Vec<&'static str>,
}

impl History {
    /// Reads the history of a set of logs (`failed`: pods whose current log is a finished run).
    pub fn of<'a>(logs: impl IntoIterator<Item = &'a ContainerLog>, failed: &[&str]) -> Self {
        let mut h = History::default();
        for l in logs {
            if let Some(t) = l.lines.iter().find_map(|x| x.at) {
                h.start = Some(h.start.map_or(t, |s| s.min(t)));
            }
            if let Some(t) = l.lines.iter().rev().find_map(|x| x.at) {
                h.end = Some(h.end.map_or(t, |e| e.max(t)));
            }
            for x in hits(&l.lines) {
                if let Some(t) = x.at {
                    let e = h.onset.entry(x.sig.id).or_insert(t);
                    *e = (*e).min(t);
                    h.times.entry(x.sig.id).or_default().push(t);
                }
            }
            if (l.previous || failed.contains(&l.pod.as_str()))
                && let Some(t) = terminal(&l.lines)
                && !h.terminal.contains(&t.sig.id)
            {
                h.terminal.push(t.sig.id);
            }
        }
        h
    }

    /// The shortest gap between a recurring signature's occurrences (zero below three distinct
    /// occurrences): a periodic line whose clean stretch at the start of the history is shorter
    /// than any of its gaps was there from the start, just not yet due.
    fn period(&self, sig: &str) -> SignedDuration {
        let mut ts: Vec<Timestamp> = self.times.get(sig).cloned().unwrap_or_default();
        ts.sort();
        ts.dedup();
        if ts.len() < 3 {
            return SignedDuration::ZERO;
        }
        ts.windows(2)
            .map(|w| w[1].duration_since(w[0]))
            .min()
            .unwrap_or(SignedDuration::ZERO)
    }

    /// `Some(false)`: steady (there from the start of a history that reaches back before
    /// `window_start`); `Some(true)`: new since its onset; `None`: cannot tell.
    pub fn novelty(&self, sig: &str, window_start: Timestamp) -> Option<bool> {
        let (Some(start), Some(onset)) = (self.start, self.onset.get(sig)) else {
            return None;
        };
        let clean = onset.duration_since(start);
        let at_start = clean <= AT_START || clean < self.period(sig);
        if !at_start {
            Some(true)
        } else if self.terminal.contains(&sig) {
            // What a run died of is its cause, however early it shows.
            None
        } else if start < window_start {
            Some(false)
        } else {
            None
        }
    }
}

pub fn analyze(s: &Scene) -> Vec<Finding> {
    let mut out = Vec::new();
    for u in &s.units {
        let failed: Vec<&str> = s
            .pods_of(u)
            .filter(|p| facts::phase(p) == "Failed")
            .map(facts::pod_name)
            .collect();
        let history = History::of(logs_of(s, u), &failed);
        let mut folds: BTreeMap<&'static str, Fold> = BTreeMap::new();
        let mut seen_lines: Vec<(String, Option<Timestamp>, String)> = Vec::new();
        for l in logs_of(s, u) {
            for h in hits(&l.lines) {
                // The kubelet serves a crash-looping container's last run as both logs: count once.
                let key = (l.pod.clone(), h.at, h.raw.clone());
                if seen_lines.contains(&key) {
                    continue;
                }
                seen_lines.push(key);
                if h.at.is_some_and(|t| !s.in_window(t)) {
                    continue;
                }
                let f = folds.entry(h.sig.id).or_insert_with(|| Fold {
                    sig: h.sig,
                    count: 0,
                    first: None,
                    last: None,
                    lines: BTreeMap::new(),
                    pods: Vec::new(),
                    category: category_of(h.sig, &h.raw),
                });
                f.count += 1;
                if let Some(t) = h.at {
                    f.first = Some(f.first.map_or(t, |a| a.min(t)));
                    f.last = Some(f.last.map_or(t, |a| a.max(t)));
                }
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
            out.push(finding(s, u, &history, f));
        }
    }
    out
}

fn finding(s: &Scene, u: &Unit, history: &History, f: Fold) -> Finding {
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
    let new = history.novelty(f.sig.id, s.window.start);
    let onset = history.onset.get(f.sig.id).copied();
    let mut title = format!(
        "{}: {} ×{} in pod logs — {}",
        u.name, f.sig.label, f.count, top
    );
    if let (Some(true), Some(t)) = (new, onset)
        && t < s.window.start
    {
        title.push_str(&format!(" (since {})", facts::hms(t)));
    }
    // What else the logs say: the oldest pods only, the process's own gauge at its limit.
    let unit_pods: Vec<&k8s_openapi::api::core::v1::Pod> = s.pods_of(u).collect();
    let failing: Vec<&str> = f.pods.iter().map(String::as_str).collect();
    let oldest = facts::oldest_only(&unit_pods, &failing, s.alert_time);
    let mut extra: Vec<String> = oldest.iter().map(line).collect();
    if f.category == Category::ResourceExhaustion {
        for p in f.pods.iter().take(2) {
            let reading = s
                .logs
                .iter()
                .filter(|l| &l.pod == p && l.namespace == u.namespace)
                .filter_map(|l| {
                    let last = l.lines.iter().rev().find_map(|x| x.at);
                    super::gauges::latest_at_limit(&l.lines).map(|g| (last, g))
                })
                .max_by_key(|(t, _)| *t)
                .map(|(_, g)| g);
            if let Some(g) = reading {
                extra.push(line(format!("{p}: {g}")));
            }
        }
    }
    let mut evidence: Vec<String> = patterns
        .iter()
        .take(5 - extra.len().min(2))
        .map(|(n, l, _)| line(format!("×{n} {l}")))
        .collect();
    evidence.push(format!("pods: {}", f.pods.join(", ")));
    evidence.extend(extra);
    if let (Some(o), Some(l)) = (onset, f.last) {
        evidence.push(format!(
            "first seen {}, last seen {}{}",
            facts::hms(o),
            facts::hms(l),
            match new {
                Some(true) => " (new since then)",
                Some(false) => " (there since the start of the logs read)",
                None => "",
            }
        ));
    }
    let mut finding = unit_finding("log_signature", u, severity, line(title))
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
    if let Some(t) = onset {
        finding = finding.with_attr("onset", t.to_string());
    }
    if let Some(t) = f.last {
        finding = finding.with_attr("last_seen", t.to_string());
    }
    if oldest.is_some() {
        finding = finding.with_attr("oldest_pods", true);
    }
    if history.terminal.contains(&f.sig.id) {
        finding = finding.with_attr("terminal", true);
    }
    if let Some(t) = f.first {
        finding = finding.at(t);
    }
    finding
}
