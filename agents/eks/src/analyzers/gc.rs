//! `gc_thrashing`: a JVM spending its time in stop-the-world full collections that free almost
//! nothing — back-to-back `Pause Full (…)` of a second or more with the heap still ≥ 90 % full
//! after each (unified `-Xlog:gc` lines, `GC(8795) Pause Full (G1 Compaction Pause)
//! 4095M->3987M(4096M) 7811.030ms`), often with `To-space exhausted`. The process is alive (no
//! restart, the container's memory under its limit) but stalls for seconds at a time: a heap
//! too small for what the code keeps in it.

use super::facts::{self, line};
use super::{Scene, Unit, unit_finding};
use regex::Regex;
use sremesh_core::{Category, Finding, Severity};
use std::sync::LazyLock;

/// `Pause Full (G1 Compaction Pause) 4094M->3981M(4096M) 7206.554ms`.
static FULL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"Pause Full \(([^)]*)\)\s+(\d+)([KMG])->(\d+)([KMG])\((\d+)([KMG])\)\s+([\d.]+)ms")
        .expect("static regex")
});

/// A full pause at least this long counts.
const LONG_MS: f64 = 1000.0;
/// Heap occupancy after the collection (of its capacity) at which it freed almost nothing.
const FULL_AFTER: f64 = 0.9;
/// Pauses in one pod that make it thrashing, not one bad collection.
const MIN_PAUSES: usize = 2;

fn mib(n: &str, unit: &str) -> f64 {
    let n: f64 = n.parse().unwrap_or(0.0);
    match unit {
        "K" => n / 1024.0,
        "G" => n * 1024.0,
        _ => n,
    }
}

/// A full pause that froze the process and left the heap full: (pause ms, collector cause).
pub fn thrashing_pause(text: &str) -> Option<(f64, String)> {
    let c = FULL.captures(text)?;
    let after = mib(&c[4], &c[5]);
    let cap = mib(&c[6], &c[7]);
    let ms: f64 = c[8].parse().ok()?;
    (ms >= LONG_MS && cap > 0.0 && after / cap >= FULL_AFTER).then(|| (ms, c[1].to_owned()))
}

pub fn analyze(s: &Scene) -> Vec<Finding> {
    s.units.iter().filter_map(|u| thrashing(s, u)).collect()
}

fn thrashing(s: &Scene, u: &Unit) -> Option<Finding> {
    let pods: Vec<_> = s.pods_of(u).collect();
    let mut hit_pods = 0;
    let mut pauses: Vec<(f64, String, &super::LogLine, &str)> = Vec::new();
    let mut to_space: Option<(&str, &super::LogLine)> = None;
    for p in &pods {
        let mut here = Vec::new();
        for log in s.logs.iter().filter(|l| {
            !l.previous && l.namespace == facts::pod_ns(p) && l.pod == facts::pod_name(p)
        }) {
            for l in &log.lines {
                if l.at.is_some_and(|t| !s.in_window(t)) {
                    continue;
                }
                if let Some((ms, cause)) = thrashing_pause(&l.text) {
                    here.push((ms, cause, l, facts::pod_name(p)));
                } else if l.text.contains("To-space exhausted") {
                    to_space = Some((facts::pod_name(p), l));
                }
            }
        }
        if here.len() >= MIN_PAUSES {
            hit_pods += 1;
            pauses.extend(here);
        }
    }
    if hit_pods == 0 {
        return None;
    }
    let longest = pauses.iter().map(|p| p.0).fold(0.0, f64::max);
    let cause = pauses[0].1.clone();
    let restarts = facts::total(pods.iter().map(|p| facts::restarts(p)));
    let mut title = format!(
        "{}: GC thrashing on {hit_pods}/{} pods — {} back-to-back \"Pause Full ({cause})\" of up to {:.1} s with the heap still ≥ 90 % full after each",
        u.service(),
        pods.len(),
        pauses.len(),
        longest / 1000.0,
    );
    if to_space.is_some() {
        title.push_str(", \"To-space exhausted\"");
    }
    if restarts == 0 {
        title.push_str("; no restarts: the JVM stalls instead of dying");
    }
    // The longest pauses, newest first among equals, then the to-space line.
    pauses.sort_by(|a, b| b.0.total_cmp(&a.0));
    let mut ev: Vec<String> = pauses
        .iter()
        .take(3)
        .map(|(_, _, l, pod)| line(format!("{pod}: {}", l.text)))
        .collect();
    if let Some((pod, l)) = to_space {
        ev.push(line(format!("{pod}: {}", l.text)));
    }
    let last = pauses.iter().filter_map(|p| p.2.at).max();
    let first = pauses.iter().filter_map(|p| p.2.at).min();
    let mut f = unit_finding("gc_thrashing", u, Severity::High, line(title))
        .with_category(Category::ResourceExhaustion)
        .with_evidence(ev)
        .with_attr("pauses", pauses.len())
        .with_attr("longest_ms", longest.round() as i64)
        .with_attr("restarts", restarts);
    if let Some(at) = last {
        f = f.at(at).with_attr("last_seen", at.to_string());
    }
    if let Some(at) = first {
        f = f.with_attr("onset", at.to_string());
    }
    Some(f)
}
