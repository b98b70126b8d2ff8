//! Nodes under the target: `node_not_ready` (Ready False/Unknown, unreachable taints, the pods
//! caught on it), `node_pressure` (Memory/Disk/PID pressure with its eviction events) and
//! `node_rebooted` (context: a reboot or kubelet restart that explains the pods' restarts).

use super::facts::{self, hms, line, short_node};
use super::{Mode, Scene};
use jiff::{SignedDuration, Timestamp};
use k8s_openapi::api::core::v1::{Event, Node, Pod};
use sremesh_core::{Category, Finding, Severity};

/// How far before the window a reboot still explains the target's restarts.
const REBOOT_LOOKBACK: SignedDuration = SignedDuration::from_mins(60);
/// How close to a reboot a pod's restart must be to be its consequence.
const REBOOT_NEAR: SignedDuration = SignedDuration::from_mins(15);

pub fn analyze(s: &Scene) -> Vec<Finding> {
    let mut out = Vec::new();
    let unscheduled: Vec<&Pod> = s
        .pods
        .iter()
        .filter(|p| {
            facts::phase(p) == "Pending"
                && p.spec
                    .as_ref()
                    .and_then(|sp| sp.node_name.as_ref())
                    .is_none()
        })
        .collect();
    for n in &s.nodes {
        let name = facts::node_name(n);
        let on: Vec<&Pod> = s
            .pods
            .iter()
            .filter(|p| p.spec.as_ref().and_then(|sp| sp.node_name.as_deref()) == Some(name))
            .collect();
        let troubled = bad_ready(n).is_some() || !pressures(n).is_empty();
        let rebooted = rebooted(s, n, &on);
        let relevant = s.mode != Mode::Target
            || !on.is_empty()
            || (troubled && !unscheduled.is_empty())
            || rebooted.is_some();
        if !relevant {
            continue;
        }
        // The service the node finding is about: a unit with pods on it (or waiting for room).
        let service = on
            .iter()
            .chain(unscheduled.iter())
            .find_map(|p| s.unit_of(p))
            .map(|u| u.service());
        let mut fs = Vec::new();
        fs.extend(not_ready(s, n, &on));
        fs.extend(pressure(s, n, &on));
        fs.extend(rebooted);
        for mut f in fs {
            if s.mode == Mode::Target && service.is_some() {
                f.service = service.clone();
            }
            out.push(f);
        }
    }
    out
}

fn bad_ready(n: &Node) -> Option<(&str, &str, Option<jiff::Timestamp>)> {
    facts::node_condition(n, "Ready").filter(|(status, _, _)| *status != "True")
}

fn pressures(n: &Node) -> Vec<(&'static str, &str, Option<jiff::Timestamp>)> {
    ["MemoryPressure", "DiskPressure", "PIDPressure"]
        .into_iter()
        .filter_map(|ty| {
            facts::node_condition(n, ty)
                .filter(|(status, _, _)| *status == "True")
                .map(|(_, m, t)| (ty, m, t))
        })
        .collect()
}

fn taints(n: &Node) -> Vec<String> {
    n.spec
        .as_ref()
        .and_then(|sp| sp.taints.as_ref())
        .into_iter()
        .flatten()
        .map(|t| format!("{}:{}", t.key, t.effect))
        .collect()
}

fn pod_line(p: &Pod) -> String {
    let deleting = p
        .metadata
        .deletion_timestamp
        .as_ref()
        .map(|t| format!(", Terminating since {}", hms(t.0)))
        .unwrap_or_default();
    format!(
        "pod {}: {}{}{deleting}",
        facts::pod_key(p),
        facts::phase(p),
        if facts::pod_ready(p) {
            ", Ready"
        } else {
            ", not Ready"
        }
    )
}

fn not_ready(s: &Scene, n: &Node, on: &[&Pod]) -> Option<Finding> {
    let (status, message, since) = bad_ready(n)?;
    let name = facts::node_name(n);
    let mut title = format!("node {name} NotReady (Ready={status}: {message})");
    if let Some(t) = since {
        title.push_str(&format!(" since {}", hms(t)));
    }
    let shared = super::node_traits::shared(s);
    if let Some(x) = &shared {
        title.push_str(&format!("; {x}"));
    }
    if !on.is_empty() {
        let names: Vec<&str> = on.iter().take(3).map(|p| facts::pod_name(p)).collect();
        title.push_str(&format!("; pods on it: {}", names.join(", ")));
    }
    let mut ev = Vec::new();
    let t = taints(n);
    if !t.is_empty() {
        ev.push(line(format!("taints: {}", t.join(", "))));
    }
    for e in s.recent_events_for("Node", "", name).take(2) {
        ev.push(facts::event_line(e));
    }
    for p in on.iter().take(3) {
        ev.push(line(pod_line(p)));
        if let Some(e) = s
            .recent_events_for("Pod", facts::pod_ns(p), facts::pod_name(p))
            .find(|e| {
                matches!(
                    facts::event_reason(e),
                    "TaintManagerEviction" | "NodeNotReady"
                )
            })
        {
            ev.push(line(format!(
                "{}: {}",
                facts::pod_name(p),
                facts::event_line(e)
            )));
        }
    }
    let severity = if s.mode == Mode::Target && !on.is_empty() {
        Severity::Critical
    } else {
        Severity::High
    };
    let mut f = Finding::new(
        format!("node_not_ready:{name}"),
        "node_not_ready",
        severity,
        line(title),
    )
    .with_category(Category::Infrastructure)
    .with_resource(format!("node/{name}"))
    .with_evidence(ev)
    .with_attr("node", name)
    .with_attr("ready", status)
    .with_attr("pods", on.len() as u64)
    .with_attr("short_name", short_node(name));
    if let Some(t) = since {
        f = f.at(t).with_attr("onset", t.to_string());
    }
    if let Some(x) = shared {
        f = f.with_attr("shared_trait", x);
    }
    if let Some(t) = s
        .recent_events_for("Node", "", name)
        .filter_map(facts::event_last)
        .max()
    {
        f = f.with_attr("last_seen", t.to_string());
    }
    Some(f)
}

fn pressure(s: &Scene, n: &Node, on: &[&Pod]) -> Option<Finding> {
    let ps = pressures(n);
    let (first, msg, since) = *ps.first()?;
    let name = facts::node_name(n);
    let kinds: Vec<&str> = ps.iter().map(|(k, _, _)| *k).collect();
    let title = format!("node {name} {}: {msg}", kinds.join(" + "));
    let mut ev = Vec::new();
    let t = taints(n);
    if !t.is_empty() {
        ev.push(line(format!("taints: {}", t.join(", "))));
    }
    for e in s
        .recent_events_for("Node", "", name)
        .filter(|e| facts::is_warning(e) || facts::event_reason(e).starts_with("NodeHas"))
        .take(4)
    {
        ev.push(facts::event_line(e));
    }
    let evicted: Vec<&str> = on
        .iter()
        .filter(|p| facts::pod_reason(p) == Some("Evicted"))
        .map(|p| facts::pod_name(p))
        .collect();
    if !evicted.is_empty() {
        ev.push(line(format!("evicted from it: {}", evicted.join(", "))));
    }
    let mut f = Finding::new(
        format!("node_pressure:{name}"),
        "node_pressure",
        Severity::High,
        line(title),
    )
    .with_category(Category::Infrastructure)
    .with_resource(format!("node/{name}"))
    .with_evidence(ev)
    .with_attr("node", name)
    .with_attr("condition", first)
    .with_attr("short_name", short_node(name));
    if let Some(t) = since {
        f = f.at(t).with_attr("onset", t.to_string());
    }
    if let Some(t) = s
        .recent_events_for("Node", "", name)
        .filter(|e| facts::is_warning(e) || facts::event_reason(e).starts_with("NodeHas"))
        .filter_map(facts::event_last)
        .max()
    {
        f = f.with_attr("last_seen", t.to_string());
    }
    Some(f)
}

/// The node's lifecycle events around a reboot (Rebooted, kubelet Starting, NodeNotReady,
/// NodeReady) from `REBOOT_LOOKBACK` before the window to its end, oldest first.
fn lifecycle<'a>(s: &'a Scene, name: &str) -> Vec<&'a Event> {
    let from = s
        .window
        .start
        .checked_sub(REBOOT_LOOKBACK)
        .unwrap_or(s.window.start);
    let mut evs: Vec<&Event> = s
        .events
        .iter()
        .filter(|e| {
            e.involved_object.kind.as_deref() == Some("Node")
                && e.involved_object.name.as_deref() == Some(name)
                && matches!(
                    facts::event_reason(e),
                    "Rebooted" | "Starting" | "NodeNotReady" | "NodeReady"
                )
                && facts::event_last(e).is_some_and(|t| t >= from && t <= s.window.end)
        })
        .collect();
    evs.sort_by_key(|e| facts::event_last(e));
    evs
}

/// When the target's pods on the node last restarted.
fn restarts_on(on: &[&Pod]) -> Vec<(String, Timestamp, i32, String)> {
    on.iter()
        .flat_map(|p| {
            facts::statuses(p).filter_map(move |c| {
                let t = facts::last_termination(c)?;
                Some((
                    facts::pod_name(p).to_owned(),
                    t.finished_at.as_ref()?.0,
                    t.exit_code,
                    t.reason.clone().unwrap_or_else(|| "Error".into()),
                ))
            })
        })
        .collect()
}

/// `node_rebooted`: the node rebooted (a `Rebooted` event, or NotReady → kubelet Starting →
/// Ready) in the window, or shortly before it when the target's pods on it restarted then.
/// Context, no category: it explains restarts and probe failures around it.
fn rebooted(s: &Scene, n: &Node, on: &[&Pod]) -> Option<Finding> {
    let name = facts::node_name(n);
    let evs = lifecycle(s, name);
    let reason_at = |r: &str| {
        evs.iter()
            .filter(|e| facts::event_reason(e) == r)
            .filter_map(|e| facts::event_last(e))
            .max()
    };
    let reboot = reason_at("Rebooted");
    let (down, started, up) = (
        reason_at("NodeNotReady"),
        reason_at("Starting"),
        reason_at("NodeReady"),
    );
    let cycled = matches!((down, started, up), (Some(d), Some(st), Some(u)) if d <= st && st <= u);
    let at = reboot.or(started.filter(|_| cycled))?;
    let restarts: Vec<(String, Timestamp, i32, String)> = restarts_on(on)
        .into_iter()
        .filter(|(_, t, _, _)| t.duration_since(at).abs() <= REBOOT_NEAR)
        .collect();
    let relevant = match s.mode {
        Mode::Target => !on.is_empty() && (s.in_window(at) || !restarts.is_empty()),
        _ => s.in_window(at),
    };
    if !relevant {
        return None;
    }
    let mut title = if reboot.is_some() {
        format!("node {name} Rebooted at {}", hms(at))
    } else {
        format!(
            "node {name} restarted at {} (NodeNotReady, Starting kubelet, NodeReady)",
            hms(at)
        )
    };
    if let (Some(d), Some(u)) = (down, up) {
        title.push_str(&format!("; NotReady {} → Ready {}", hms(d), hms(u)));
    }
    if !restarts.is_empty() {
        let mut pods: Vec<&str> = restarts.iter().map(|(p, _, _, _)| p.as_str()).collect();
        pods.dedup();
        title.push_str(&format!("; pods restarted: {}", pods.join(", ")));
    }
    let mut ev: Vec<String> = evs.iter().take(5).map(|e| facts::event_line(e)).collect();
    for (p, t, code, reason) in restarts.iter().take(3) {
        let sandbox = s.events.iter().any(|e| {
            e.involved_object.name.as_deref() == Some(p.as_str())
                && facts::event_reason(e) == "SandboxChanged"
        });
        ev.push(line(format!(
            "{p}: restarted in place, last exit {code} ({reason}) at {}{}",
            hms(*t),
            if sandbox { ", SandboxChanged" } else { "" }
        )));
    }
    let last = evs
        .iter()
        .filter_map(|e| facts::event_last(e))
        .max()
        .unwrap_or(at);
    let mut f = Finding::new(
        format!("node_rebooted:{name}"),
        "node_rebooted",
        Severity::Low,
        line(title),
    )
    .with_resource(format!("node/{name}"))
    .with_evidence(ev)
    .with_attr("node", name)
    .with_attr("rebooted_at", at.to_string())
    .with_attr("last_seen", last.to_string())
    .with_attr("short_name", short_node(name))
    .at(at);
    if let Some(u) = up {
        f = f.with_attr("ready_at", u.to_string());
    }
    Some(f)
}
