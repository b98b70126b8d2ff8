//! `oom_killed`: a container whose last termination is OOMKilled — crash-looping, not Ready,
//! killed in the window, or killed again and again (a slow leak: restarts hours apart, the
//! last kill within the last hours, Ready in between) — with its memory limit, how long each
//! run lived before the kill, the node's OOM reports and the memory its own log shows growing.

use super::{Ctx, Hit, state};
use crate::analyzers::Scene;
use crate::analyzers::facts::{self, hms, line, minutes};
use crate::analyzers::gauges::memory_growth;
use crate::analyzers::logs::render;
use jiff::{SignedDuration, Timestamp};
use k8s_openapi::api::core::v1::{ContainerStatus, Pod};
use sremesh_core::{Category, Finding, Severity};

/// A kill this long before the window's end still counts when the container keeps being killed.
pub const RECURRING_LOOKBACK: SignedDuration = SignedDuration::from_hours(6);
/// Kills (restarts) that make OOMKilled a pattern rather than an accident.
pub const RECURRING_RESTARTS: i32 = 2;

/// Node events the kernel's OOM killer leaves (kubelet's `SystemOOM`, node-problem-detector's
/// `OOMKilling`).
const NODE_OOM: &[&str] = &["SystemOOM", "OOMKilling"];

/// True when the container's last termination is OOMKilled, it has restarted at least twice,
/// and that kill is recent (within [`RECURRING_LOOKBACK`] of the window's end): an active slow
/// leak even when the container is Ready right now.
pub fn oom_recurring(s: &Scene, c: &ContainerStatus) -> bool {
    let from = s
        .window
        .end
        .checked_sub(RECURRING_LOOKBACK)
        .unwrap_or(s.window.start);
    c.restart_count >= RECURRING_RESTARTS
        && facts::last_termination(c).is_some_and(|t| {
            t.reason.as_deref() == Some("OOMKilled")
                && t.finished_at
                    .as_ref()
                    .is_some_and(|f| f.0 >= from && f.0 <= s.window.end)
        })
}

fn memory(p: &Pod, container: &str) -> (Option<String>, Option<String>) {
    let r = p
        .spec
        .as_ref()
        .and_then(|s| s.containers.iter().find(|c| c.name == container))
        .and_then(|c| c.resources.as_ref());
    let get = |m: Option<
        &std::collections::BTreeMap<
            String,
            k8s_openapi::apimachinery::pkg::api::resource::Quantity,
        >,
    >| { m.and_then(|m| m.get("memory")).map(|q| q.0.clone()) };
    (
        get(r.and_then(|r| r.limits.as_ref())),
        get(r.and_then(|r| r.requests.as_ref())),
    )
}

/// `2h02m`.
fn span(d: SignedDuration) -> String {
    let m = d.as_secs() / 60;
    if m >= 60 {
        format!("{}h{:02}m", m / 60, m % 60)
    } else {
        format!("{m}m")
    }
}

pub(super) fn oom(x: &Ctx, sts: &[Hit]) -> Option<Finding> {
    let hits: Vec<Hit> = sts
        .iter()
        .copied()
        .filter(|(_, c)| {
            facts::last_termination(c).is_some_and(|t| {
                t.reason.as_deref() == Some("OOMKilled")
                    && (facts::waiting(c).is_some()
                        || !c.ready
                        || t.finished_at.as_ref().is_some_and(|f| x.s.in_window(f.0))
                        || oom_recurring(x.s, c))
            })
        })
        .collect();
    let (first_pod, _) = *hits.first()?;
    let restarts = facts::total(hits.iter().map(|(_, c)| c.restart_count));
    let looping = hits
        .iter()
        .any(|(_, c)| facts::waiting(c).is_some_and(|(r, _)| r == "CrashLoopBackOff"));
    let recurring = hits.iter().any(|(_, c)| oom_recurring(x.s, c));
    let kills: Vec<(Timestamp, Option<Timestamp>)> = hits
        .iter()
        .filter_map(|(_, c)| {
            let t = facts::last_termination(c)?;
            Some((
                t.finished_at.as_ref()?.0,
                t.started_at.as_ref().map(|s| s.0),
            ))
        })
        .collect();
    let last_kill = kills.iter().map(|(f, _)| *f).max();
    // How long a run lives before it is killed (the last run of each container, shortest first).
    let mut lives: Vec<SignedDuration> = kills
        .iter()
        .filter_map(|(f, s)| s.map(|s| f.duration_since(s)))
        .filter(|d| d.is_positive())
        .collect();
    lives.sort();
    let (limit, request) = memory(first_pod, x.container);
    let mut title = format!(
        "{} OOMKilled (exit code 137), {restarts} restarts",
        x.who(&hits)
    );
    if looping {
        title.push_str(", CrashLoopBackOff");
    }
    if let Some(l) = &limit {
        title.push_str(&format!(" — memory limit {l}"));
    }
    // A JVM whose configured heap alone reaches the limit: the setting is the cause.
    let heap = limit
        .as_deref()
        .and_then(|l| super::jvm::heap_over_limit(first_pod, x.container, l));
    if let Some(h) = &heap {
        title.push_str(&format!(", below the JVM heap it is configured for ({h})"));
    }
    if recurring && !looping {
        title.push_str(" — recurring");
        if let Some(t) = last_kill {
            title.push_str(&format!(
                ": last kill {} ({} min before the alert)",
                hms(t),
                minutes(t, x.s.alert_time)
            ));
        }
        if let Some(d) = lives.get(lives.len() / 2) {
            title.push_str(&format!(", killed after ~{} of uptime", span(*d)));
        }
    }
    let mut ev = Vec::new();
    for (p, c) in hits.iter().take(4) {
        let t = facts::last_termination(c);
        let f = t.and_then(|t| t.finished_at.as_ref()).map(|t| t.0);
        let started = t.and_then(|t| t.started_at.as_ref()).map(|t| t.0);
        ev.push(line(format!(
            "{}: OOMKilled exit 137{}{}, restarts {}, now {}",
            facts::pod_name(p),
            f.map(|t| format!(" at {}", facts::when(t, x.s.alert_time)))
                .unwrap_or_default(),
            match (started, f) {
                (Some(s), Some(f)) if f > s => format!(" after {} up", span(f.duration_since(s))),
                _ => String::new(),
            },
            c.restart_count,
            state(c)
        )));
    }
    ev.push(format!(
        "container {}: memory limit {}, request {}",
        x.container,
        limit.as_deref().unwrap_or("none"),
        request.as_deref().unwrap_or("none")
    ));
    if let Some(h) = &heap {
        ev.push(format!(
            "container {}: JVM option {h} sets a maximum heap at or above the memory limit, before metaspace, threads and buffers: the kernel kills it however the code behaves",
            x.container
        ));
    }
    // The kernel's own reports on the pods' nodes (as far back as the kills go).
    let since = kills
        .iter()
        .map(|(f, s)| s.unwrap_or(*f))
        .min()
        .unwrap_or(x.s.window.start)
        .min(x.s.window.start);
    let mut nodes: Vec<&str> = hits
        .iter()
        .filter_map(|(p, _)| p.spec.as_ref()?.node_name.as_deref())
        .collect();
    nodes.dedup();
    let mut onset = None;
    for n in nodes.iter().take(2) {
        for e in x.s.events.iter().filter(|e| {
            e.involved_object.kind.as_deref() == Some("Node")
                && e.involved_object.name.as_deref() == Some(*n)
                && NODE_OOM.contains(&facts::event_reason(e))
                && facts::event_last(e).is_some_and(|t| t >= since && t <= x.s.window.end)
        }) {
            onset = match (onset, facts::event_first(e)) {
                (Some(a), Some(b)) => Some(std::cmp::min(a, b)),
                (a, b) => a.or(b),
            };
            ev.push(line(format!(
                "{}: {}",
                facts::short_node(n),
                facts::event_line(e)
            )));
        }
    }
    // The memory the process reports growing, in the killed run and again since the restart.
    let grown = |previous: bool| {
        hits.iter().find_map(|(p, _)| {
            memory_growth(&x.s.log(p, x.container, previous)?.lines)
                .map(|g| (facts::pod_name(p), g))
        })
    };
    let growth = grown(true);
    if let Some((p, g)) = &growth {
        ev.push(line(format!("{p}: {g} in the run that was killed")));
    }
    if let Some((p, g)) = grown(false) {
        ev.push(line(format!("{p}: {g} since the restart — climbing again")));
    }
    if growth.is_none()
        && let Some(l) =
            x.s.log(first_pod, x.container, true)
                .and_then(|l| l.lines.last())
    {
        ev.push(line(format!(
            "last log line before the kill: {}",
            render(&l.text)
        )));
    }
    let severity = if looping || x.down {
        Severity::Critical
    } else {
        Severity::High
    };
    let category = if heap.is_some() {
        Category::ConfigurationError
    } else {
        Category::ResourceExhaustion
    };
    let mut f = x
        .finding("oom_killed", severity, title, &hits)
        .with_category(category)
        .with_evidence(ev)
        .with_attr("exit_code", 137)
        .with_attr("restarts", restarts)
        .with_attr("recurring", recurring);
    if let Some(l) = limit {
        f = f.with_attr("limit_memory", l);
    }
    if let Some(d) = lives.get(lives.len() / 2) {
        f = f.with_attr("interval_seconds", d.as_secs());
    }
    if growth.is_some() {
        f = f.with_attr("memory_growth", true);
    }
    if let Some(h) = heap {
        f = f.with_attr("jvm_heap", h);
    }
    let first = kills.iter().map(|(f, _)| *f).min();
    if let Some(t) = onset.or(first)
        && t < x.s.window.start
    {
        f = f.with_attr("onset", t.to_string());
    }
    // When it happened: the first kill in the window, else (a leak between kills) the last one.
    let in_window = kills
        .iter()
        .map(|(f, _)| *f)
        .filter(|t| x.s.in_window(*t))
        .min();
    if let Some(t) = in_window.or(last_kill) {
        f = f.at(t);
    }
    if let Some(t) = last_kill {
        f = f.with_attr("last_seen", t.to_string());
    }
    Some(f)
}
