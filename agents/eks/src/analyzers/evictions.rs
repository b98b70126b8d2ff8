//! `evicted`: the unit's pods the kubelet evicted in the window — from the pods left `Failed` /
//! `Evicted`, and from `Evicted` events alone, because a StatefulSet pod (or a deleted
//! Deployment pod) is recreated or gone and only the event remains. A node low on resource is
//! infrastructure; a pod over its own limit is resource exhaustion; a drain (no pressure) is
//! planned and carries no cause.

use super::facts::{self, hms, line};
use super::{Scene, Unit, unit_finding};
use crate::target::{Kind, deployment_of_pod};
use jiff::Timestamp;
use k8s_openapi::api::core::v1::Event;
use sremesh_core::{Category, Finding, Severity};

pub fn analyze(s: &Scene) -> Vec<Finding> {
    s.units.iter().filter_map(|u| evicted(s, u)).collect()
}

/// True when a pod name is (or was) one of the unit's pods.
pub fn belongs(s: &Scene, u: &Unit, pod: &str) -> bool {
    if s.pods_of(u).any(|p| facts::pod_name(p) == pod) {
        return true;
    }
    let rest = pod.strip_prefix(&format!("{}-", u.name));
    match u.kind {
        Kind::Deployment => deployment_of_pod(pod) == Some(u.name.as_str()),
        Kind::StatefulSet => {
            rest.is_some_and(|r| !r.is_empty() && r.bytes().all(|b| b.is_ascii_digit()))
        }
        Kind::DaemonSet => rest.is_some_and(|r| r.len() == 5 && !r.contains('-')),
        _ => false,
    }
}

/// One evicted pod: its name, the eviction event (if still there) and when.
struct Eviction<'a> {
    pod: String,
    node: Option<String>,
    event: Option<&'a Event>,
    message: String,
    at: Option<Timestamp>,
}

fn evictions<'a>(s: &'a Scene, u: &Unit) -> Vec<Eviction<'a>> {
    let ns = u.namespace.clone();
    let ns = ns.as_str();
    let event_of = |pod: &str| -> Option<&'a Event> {
        s.recent_events()
            .filter(|e| {
                e.involved_object.kind.as_deref() == Some("Pod")
                    && e.involved_object.name.as_deref() == Some(pod)
                    && e.involved_object
                        .namespace
                        .as_deref()
                        .is_none_or(|n| n == ns)
                    && facts::event_reason(e) == "Evicted"
            })
            .max_by_key(|e| facts::event_last(e))
    };
    let mut out: Vec<Eviction> = Vec::new();
    for p in s
        .pods_of(u)
        .filter(|p| facts::pod_reason(p) == Some("Evicted"))
    {
        let e = event_of(facts::pod_name(p));
        // Its event's time, else its containers' end; no time at all still counts.
        let at = e.and_then(facts::event_last).or_else(|| {
            facts::statuses(p)
                .filter_map(|c| {
                    facts::last_termination(c)?
                        .finished_at
                        .as_ref()
                        .map(|t| t.0)
                })
                .max()
        });
        if at.is_some_and(|t| !s.in_window(t)) {
            continue;
        }
        out.push(Eviction {
            pod: facts::pod_name(p).to_owned(),
            node: p.spec.as_ref().and_then(|sp| sp.node_name.clone()),
            event: e,
            message: e
                .map(|e| facts::event_message(e).to_owned())
                .or_else(|| p.status.as_ref().and_then(|st| st.message.clone()))
                .unwrap_or_default(),
            at,
        });
    }
    // Pods that were recreated under the same name, or are gone: only the event is left.
    for e in s.recent_events().filter(|e| {
        facts::event_reason(e) == "Evicted"
            && e.involved_object.kind.as_deref() == Some("Pod")
            && e.involved_object
                .namespace
                .as_deref()
                .is_none_or(|n| n == ns)
    }) {
        let Some(pod) = e.involved_object.name.as_deref() else {
            continue;
        };
        if out.iter().any(|x| x.pod == pod) || !belongs(s, u, pod) {
            continue;
        }
        out.push(Eviction {
            pod: pod.to_owned(),
            node: None,
            event: Some(e),
            message: facts::event_message(e).to_owned(),
            at: facts::event_last(e),
        });
    }
    out
}

/// Node events of a node taken away under its pods: a spot interruption, a scheduled
/// termination, a disruption by the autoscaler.
const NODE_TAKEN: &[&str] = &[
    "SpotInterrupted",
    "TerminatingOnInterruption",
    "InstanceTerminating",
    "RebalanceRecommendation",
    "Disrupted",
    "DisruptionTerminating",
];

/// The node event that took the evicted pods' node away: on their node when it is known,
/// else on any node, within five minutes before the first eviction.
fn node_taken<'a>(s: &'a Scene, ev: &[Eviction<'_>]) -> Option<&'a Event> {
    let first = ev.iter().filter_map(|x| x.at).min()?;
    let nodes: Vec<&str> = ev.iter().filter_map(|x| x.node.as_deref()).collect();
    s.events
        .iter()
        .filter(|e| {
            e.involved_object.kind.as_deref() == Some("Node")
                && NODE_TAKEN.contains(&facts::event_reason(e))
                && (nodes.is_empty()
                    || e.involved_object
                        .name
                        .as_deref()
                        .is_some_and(|n| nodes.contains(&n)))
        })
        .filter(|e| {
            facts::event_first(e)
                .or_else(|| facts::event_last(e))
                .is_some_and(|t| {
                    let d = first.duration_since(t).as_secs();
                    (0..=300).contains(&d)
                })
        })
        .min_by_key(|e| facts::event_first(e))
}

/// `memory` from `The node was low on resource: memory. Threshold quantity: …`.
fn low_resource(msg: &str) -> Option<&str> {
    msg.split("low on resource: ")
        .nth(1)
        .and_then(|r| r.split(['.', ',']).next())
        .map(str::trim)
        .filter(|r| !r.is_empty())
}

fn evicted(s: &Scene, u: &Unit) -> Option<Finding> {
    let ev = evictions(s, u);
    let first = ev.first()?;
    let msg = first.message.clone();
    let resource = low_resource(&msg).map(str::to_owned);
    let over_limit = {
        let m = msg.to_ascii_lowercase();
        m.contains("exceeds") || m.contains("exceeded") || m.contains("usage exceeds")
    };
    let node_condition = msg.contains("node had condition");
    let taken = node_taken(s, &ev);
    let (category, reason) = if resource.is_some() || node_condition {
        (Some(Category::Infrastructure), "node_pressure")
    } else if over_limit {
        (Some(Category::ResourceExhaustion), "pod_limit")
    } else if taken.is_some() {
        // The node went away (a spot interruption): its pods were rescheduled; whether that
        // still hurts is for the pods' state to say, not a cause of its own.
        (None, "node_interrupted")
    } else {
        (None, "other")
    };
    let who = match ev.as_slice() {
        [x] => x.pod.clone(),
        _ => format!("{}: {} pods", u.name, ev.len()),
    };
    let first_msg = msg.split(". ").next().unwrap_or(&msg).trim();
    let node = ev.iter().find_map(|x| x.node.as_deref());
    let mut title = format!(
        "{who} Evicted: {first_msg}{}",
        node.map(|n| format!(" (node {})", facts::short_node(n)))
            .unwrap_or_default()
    );
    if let Some(e) = taken {
        title.push_str(&format!(
            " — their node {} was taken away: {} at {}",
            facts::short_node(e.involved_object.name.as_deref().unwrap_or("?")),
            facts::event_reason(e),
            facts::event_first(e)
                .or_else(|| facts::event_last(e))
                .map(hms)
                .unwrap_or_default()
        ));
    }
    let mut lines: Vec<String> = ev
        .iter()
        .take(4)
        .map(|x| match x.event {
            Some(e) => line(format!("{}: {}", x.pod, facts::event_line(e))),
            None => line(format!("{}: Evicted {}", x.pod, x.message)),
        })
        .collect();
    if let Some(e) = taken {
        lines.push(line(format!(
            "node {}: {}",
            facts::short_node(e.involved_object.name.as_deref().unwrap_or("?")),
            facts::event_line(e)
        )));
    }
    // The nodes that were reclaiming that resource when it happened.
    if let Some(r) = &resource {
        for e in s.recent_events().filter(|e| {
            e.involved_object.kind.as_deref() == Some("Node")
                && facts::event_reason(e) == "EvictionThresholdMet"
                && facts::event_message(e).contains(r.as_str())
        }) {
            let n = e.involved_object.name.as_deref().unwrap_or("?");
            lines.push(line(format!(
                "node {}: {}",
                facts::short_node(n),
                facts::event_line(e)
            )));
            if lines.len() >= 6 {
                break;
            }
        }
    }
    let severity = if category.is_some() {
        Severity::High
    } else {
        Severity::Low
    };
    let mut f = unit_finding("evicted", u, severity, line(title))
        .with_evidence(lines)
        .with_attr("reason", reason)
        .with_attr("pods", ev.len() as u64);
    if let Some(c) = category {
        f = f.with_category(c);
    }
    if let Some(r) = resource {
        f = f.with_attr("resource_name", r);
    }
    let firsts = ev
        .iter()
        .filter_map(|x| x.event.and_then(facts::event_first).or(x.at));
    if let Some(t) = firsts.min() {
        f = f.at(t);
    }
    if let Some(t) = ev.iter().filter_map(|x| x.at).max() {
        f = f.with_attr("last_seen", t.to_string());
    }
    Some(f)
}
