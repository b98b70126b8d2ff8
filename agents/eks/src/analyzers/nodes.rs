//! Nodes under the target: `node_not_ready` (Ready False/Unknown, unreachable taints, the pods
//! caught on it) and `node_pressure` (Memory/Disk/PID pressure with its eviction events).

use super::facts::{self, hms, line, short_node};
use super::{Mode, Scene};
use k8s_openapi::api::core::v1::{Node, Pod};
use sremesh_core::{Category, Finding, Severity};

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
        let relevant =
            s.mode != Mode::Target || !on.is_empty() || (troubled && !unscheduled.is_empty());
        if !relevant {
            continue;
        }
        // The service the node finding is about: a unit with pods on it (or waiting for room).
        let service = on
            .iter()
            .chain(unscheduled.iter())
            .find_map(|p| s.unit_of(p))
            .map(|u| u.name.clone());
        let mut fs = Vec::new();
        fs.extend(not_ready(s, n, &on));
        fs.extend(pressure(s, n, &on));
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
    Some(f)
}
