//! Processes that are alive but stuck, in their own words: `event_loop_blocked` — a Node.js
//! process reporting `Event loop blocked for 30841ms` with the stack that held it (a synchronous
//! function, often a backtracking regex, hogging the only thread) — and `goroutine_leak` — a Go
//! process whose goroutine count climbs to the hundreds of thousands with one stack holding
//! them (a goroutine profile's `1089774 @ 0x… # pkg.(*Hub).subscribe.func1 …`). Both are code
//! defects the kubelet cannot see: the pods may be Ready, or only killed by a liveness probe.

use super::facts::{self, line};
use super::{LogLine, Scene, Unit, unit_finding};
use regex::Regex;
use sremesh_core::{Category, Finding, Severity};
use std::sync::LazyLock;

/// `Event loop blocked for 30841ms` (also `event loop was blocked for 2.5 s`).
static BLOCKED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)event[- ]loop (?:was )?blocked for (\d+(?:\.\d+)?)\s*(ms|s)\b")
        .expect("static regex")
});

/// A V8 stack frame: `at validateEmail (/app/src/validators/email.js:14:22)`.
static JS_FRAME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\bat ([\w$.<>\[\] ]+?) \(([^()]+)\)").expect("static regex"));

/// A goroutine profile's top stack: `1089774 @ 0x43e8ce … # internal/fanout.(*Hub).subscribe.func1`.
static PROFILE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(\d+) @ (?:0x[0-9a-f]+\s*)+#\s*(?:0x[0-9a-f]+\s+)?(\S+?)(?:\+0x[0-9a-f]+)?\s+(\S+\.go:\d+)(?:\s*\(([^)]*)\))?")
        .expect("static regex")
});

/// A goroutine gauge: `"goroutines":1106233`, `num_goroutine=5000`.
static GOROUTINES: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)"?\b(?:num_?)?goroutines?"?\s*[:=]\s*"?(\d+)\b"#).expect("static regex")
});

/// A block of the event loop at least this long stalls every request the process holds.
const BLOCK_MS: f64 = 1000.0;
/// Goroutines on one stack that no healthy server keeps parked.
const LEAKED: u64 = 10_000;
/// A goroutine gauge growth (last over first) that is a leak, not load.
const GROWTH: f64 = 5.0;

/// How long a line says the event loop was blocked, in ms.
pub fn blocked_ms(text: &str) -> Option<f64> {
    let c = BLOCKED.captures(text)?;
    let v: f64 = c[1].parse().ok()?;
    Some(if &c[2] == "s" { v * 1000.0 } else { v })
}

/// The frame that held the loop: (the innermost frame, the first frame in the application's own
/// code — a file path outside `node_modules` and `node:` internals), e.g.
/// (`RegExp.test`, `validateEmail (email.js:14)`).
pub fn blocking_frames(text: &str) -> (Option<String>, Option<String>) {
    let frames: Vec<(String, String)> = JS_FRAME
        .captures_iter(text)
        .map(|c| (c[1].trim().to_owned(), c[2].to_owned()))
        .collect();
    let inner = frames.first().map(|f| f.0.clone());
    let app = frames
        .iter()
        .find(|(_, loc)| {
            loc.contains('/') && !loc.contains("node_modules") && !loc.starts_with("node:")
        })
        .map(|(func, loc)| {
            let file = loc.rsplit('/').next().unwrap_or(loc);
            let short = file.rsplit_once(':').map_or(file, |x| x.0);
            format!("{func} ({short})")
        });
    (inner, app)
}

/// A goroutine profile's stack holding at least [`LEAKED`] goroutines: (count, function without
/// its import path, `file:line`, the wait state such as `chan receive, 2271 minutes`).
pub fn leaked_stack(text: &str) -> Option<(u64, String, String, Option<String>)> {
    let c = PROFILE.captures(text)?;
    let n: u64 = c[1].parse().ok()?;
    let func = c[2].rsplit('/').next().unwrap_or(&c[2]).to_owned();
    let file = c[3].rsplit('/').next().unwrap_or(&c[3]).to_owned();
    (n >= LEAKED).then(|| (n, func, file, c.get(4).map(|m| m.as_str().to_owned())))
}

pub fn analyze(s: &Scene) -> Vec<Finding> {
    s.units
        .iter()
        .flat_map(|u| [event_loop(s, u), goroutines(s, u)])
        .flatten()
        .collect()
}

/// The target shows a stall this module reports (then it is not healthy).
pub fn stalled(s: &Scene, u: &Unit) -> bool {
    event_loop(s, u).is_some() || goroutines(s, u).is_some()
}

/// Every log line of the unit's pods (current and previous runs) with its pod's name.
fn lines_of<'a>(s: &'a Scene, u: &'a Unit) -> Vec<(&'a str, &'a LogLine)> {
    let pods: Vec<_> = s.pods_of(u).collect();
    s.logs
        .iter()
        .filter(|l| {
            pods.iter()
                .any(|p| l.namespace == facts::pod_ns(p) && l.pod == facts::pod_name(p))
        })
        .flat_map(|l| l.lines.iter().map(move |x| (l.pod.as_str(), x)))
        .collect()
}

fn stamp(mut f: Finding, first: Option<jiff::Timestamp>, last: Option<jiff::Timestamp>) -> Finding {
    if let Some(at) = last {
        f = f.at(at).with_attr("last_seen", at.to_string());
    }
    if let Some(at) = first {
        f = f.with_attr("onset", at.to_string());
    }
    f
}

fn event_loop(s: &Scene, u: &Unit) -> Option<Finding> {
    let mut blocks: Vec<(f64, &str, &LogLine)> = lines_of(s, u)
        .into_iter()
        .filter_map(|(pod, l)| Some((blocked_ms(&l.text)?, pod, l)))
        .filter(|(ms, _, _)| *ms >= BLOCK_MS)
        .collect();
    if blocks.is_empty() {
        return None;
    }
    let mut pods: Vec<&str> = blocks.iter().map(|b| b.1).collect();
    pods.sort_unstable();
    pods.dedup();
    blocks.sort_by(|a, b| b.0.total_cmp(&a.0));
    let (longest, _, worst) = blocks[0];
    let (inner, app) = blocking_frames(&worst.text);
    let mut title = format!(
        "{}: \"Event loop blocked for {longest:.0}ms\" ×{} on {} pod(s)",
        u.service(),
        blocks.len(),
        pods.len()
    );
    match (&app, &inner) {
        (Some(a), Some(i)) if !a.starts_with(i.as_str()) => {
            title.push_str(&format!(" in {a} at {i}"));
        }
        (Some(a), _) => title.push_str(&format!(" in {a}")),
        (None, Some(i)) => title.push_str(&format!(" at {i}")),
        (None, None) => {}
    }
    title.push_str(" — synchronous code holds the only thread, every request waits");
    if inner.as_deref().is_some_and(|i| i.starts_with("RegExp.")) {
        title.push_str(" (a regular expression backtracking on its input)");
    }
    let ev: Vec<String> = blocks
        .iter()
        .take(3)
        .map(|(_, pod, l)| line(format!("{pod}: {}", l.text)))
        .collect();
    let first = blocks.iter().filter_map(|b| b.2.at).min();
    let last = blocks.iter().filter_map(|b| b.2.at).max();
    let f = unit_finding("event_loop_blocked", u, Severity::High, line(title))
        .with_category(Category::CodeDefect)
        .with_evidence(ev)
        .with_attr("count", blocks.len())
        .with_attr("longest_ms", longest.round() as i64)
        .with_attr("top_frame", app.or(inner).unwrap_or_default());
    Some(stamp(f, first, last))
}

/// A leaked stack, the pod and the line that reported it.
type Parked<'a> = (u64, String, String, Option<String>, &'a str, &'a LogLine);

fn goroutines(s: &Scene, u: &Unit) -> Option<Finding> {
    let lines = lines_of(s, u);
    let mut stacks: Vec<Parked> = lines
        .iter()
        .filter_map(|(pod, l)| {
            let (n, func, file, wait) = leaked_stack(&l.text)?;
            Some((n, func, file, wait, *pod, *l))
        })
        .collect();
    // The goroutine gauge per pod: first and last reading.
    let mut gauge: Vec<(&str, u64, u64)> = Vec::new();
    for (pod, l) in &lines {
        let Some(n) = GOROUTINES
            .captures(&l.text)
            .and_then(|c| c[1].parse::<u64>().ok())
        else {
            continue;
        };
        match gauge.iter_mut().find(|g| g.0 == *pod) {
            Some(g) => g.2 = n,
            None => gauge.push((pod, n, n)),
        }
    }
    let growth = gauge
        .iter()
        .filter(|g| g.1 > 0 && g.2 as f64 >= g.1 as f64 * GROWTH && g.2 >= LEAKED)
        .max_by_key(|g| g.2);
    // The gauge alone is not enough: goroutines also pile up behind a leaked resource (file
    // descriptors, a pool); a profile stack holding them names the code that parks them.
    if stacks.is_empty() {
        return None;
    }
    stacks.sort_by_key(|st| std::cmp::Reverse(st.0));
    let mut title = format!("{}: goroutine leak", u.service());
    if let Some((pod, first, last)) = growth {
        title.push_str(&format!(" — goroutines {first} → {last} on {pod}"));
    }
    if let Some((n, func, file, wait, pod, _)) = stacks.first() {
        title.push_str(&format!(" — {n} goroutines parked in {func} ({file})"));
        if let Some(w) = wait {
            title.push_str(&format!(" ({w})"));
        }
        title.push_str(&format!(" on {pod}"));
    }
    let restarts = facts::total(s.pods_of(u).map(facts::restarts));
    if restarts == 0 {
        title.push_str("; no restarts yet: memory grows until the kill");
    }
    let ev: Vec<String> = stacks
        .iter()
        .take(2)
        .map(|st| line(format!("{}: {}", st.4, st.5.text)))
        .collect();
    let ats = stacks.iter().filter_map(|st| st.5.at);
    let (first, last) = (ats.clone().min(), ats.max());
    let f = unit_finding("goroutine_leak", u, Severity::High, line(title))
        .with_category(Category::CodeDefect)
        .with_evidence(ev)
        .with_attr(
            "goroutines",
            stacks
                .first()
                .map(|s| s.0)
                .or(growth.map(|g| g.2))
                .unwrap_or(0),
        )
        .with_attr(
            "top_frame",
            stacks.first().map(|s| s.1.clone()).unwrap_or_default(),
        )
        .with_attr("restarts", restarts);
    Some(stamp(f, first, last))
}
