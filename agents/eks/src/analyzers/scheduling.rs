//! Pods that cannot start: `scheduling_failed` (the scheduler's message parsed into causes,
//! unbound PVCs traced to their provisioning error) and `quota_exceeded` (controller
//! `FailedCreate … exceeded quota`). Evictions are in [`super::evictions`].

use super::facts::{self, line};
use super::{Scene, Unit, unit_finding};
use k8s_openapi::api::core::v1::{Event, Pod};
use sremesh_core::{Category, Finding, Severity};

pub fn analyze(s: &Scene) -> Vec<Finding> {
    let mut out = Vec::new();
    for u in &s.units {
        out.extend(scheduling(s, u));
        out.extend(quota(s, u));
    }
    out
}

/// One reason from a scheduler message: `3 Insufficient cpu`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason {
    pub nodes: Option<u32>,
    pub text: String,
    pub cause: &'static str,
    pub category: Option<Category>,
}

/// Splits `0/3 nodes are available: 1 node(s) had untolerated taint {…}, 2 Insufficient memory.
/// preemption: …` into its reasons.
pub fn parse_scheduler_message(msg: &str) -> Vec<Reason> {
    let head = msg.split(" preemption:").next().unwrap_or(msg);
    let body = head
        .split_once("are available:")
        .map_or(head, |(_, b)| b)
        .trim()
        .trim_end_matches('.');
    let mut parts: Vec<String> = Vec::new();
    for frag in body.split(", ") {
        let starts_count = frag
            .split(' ')
            .next()
            .is_some_and(|w| w.parse::<u32>().is_ok());
        match parts.last_mut() {
            Some(prev) if !starts_count && prev.contains('{') && !prev.contains('}') => {
                prev.push_str(", ");
                prev.push_str(frag);
            }
            _ => parts.push(frag.to_owned()),
        }
    }
    parts
        .into_iter()
        .filter(|p| !p.trim().is_empty())
        .map(|p| {
            let p = p.trim().trim_end_matches('.').to_owned();
            let (nodes, text) = match p.split_once(' ') {
                Some((n, rest)) if n.parse::<u32>().is_ok() => (n.parse().ok(), rest.to_owned()),
                _ => (None, p.clone()),
            };
            let (cause, category) = classify_reason(&text);
            Reason {
                nodes,
                text,
                cause,
                category,
            }
        })
        .collect()
}

fn classify_reason(text: &str) -> (&'static str, Option<Category>) {
    let t = text.to_ascii_lowercase();
    if let Some(res) = t.strip_prefix("insufficient ") {
        let cause = match res.trim() {
            "cpu" => "insufficient_cpu",
            "memory" => "insufficient_memory",
            "ephemeral-storage" => "insufficient_ephemeral_storage",
            "pods" => "insufficient_pods",
            _ => "insufficient_resource",
        };
        return (cause, Some(Category::ResourceExhaustion));
    }
    if t.contains("too many pods") || t.contains("didn't have free ports") {
        return ("insufficient_pods", Some(Category::ResourceExhaustion));
    }
    if t.contains("unbound immediate persistentvolumeclaims") || t.contains("persistentvolumeclaim")
    {
        return ("unbound_pvc", Some(Category::Infrastructure));
    }
    if t.contains("taint {node.kubernetes.io/") || t.contains("were unschedulable") {
        return ("node_condition", Some(Category::Infrastructure));
    }
    if t.contains("no nodes available") {
        return ("no_nodes", Some(Category::Infrastructure));
    }
    if t.contains("volume node affinity conflict") {
        return ("volume_zone", Some(Category::Infrastructure));
    }
    if t.contains("node affinity") || t.contains("node selector") || t.contains("nodeselector") {
        return ("node_selector", Some(Category::ConfigurationError));
    }
    if t.contains("affinity") {
        return ("pod_affinity", Some(Category::ConfigurationError));
    }
    if t.contains("taint") {
        return ("taint", Some(Category::ConfigurationError));
    }
    ("other", None)
}

/// The category of a whole message: an unhealthy node outranks capacity, capacity outranks
/// placement rules (the constraints that bind first).
fn overall(reasons: &[Reason]) -> (&'static str, Option<Category>) {
    for want in ["unbound_pvc", "node_condition", "no_nodes", "volume_zone"] {
        if let Some(r) = reasons.iter().find(|r| r.cause == want) {
            return (r.cause, r.category);
        }
    }
    if let Some(r) = reasons
        .iter()
        .filter(|r| r.category == Some(Category::ResourceExhaustion))
        .max_by_key(|r| r.nodes.unwrap_or(0))
    {
        return (r.cause, r.category);
    }
    reasons
        .iter()
        .find(|r| r.category.is_some())
        .map_or(("other", None), |r| (r.cause, r.category))
}

fn claim_names(s: &Scene, p: &Pod) -> Vec<String> {
    let _ = s;
    p.spec
        .as_ref()
        .and_then(|sp| sp.volumes.as_ref())
        .into_iter()
        .flatten()
        .filter_map(|v| {
            v.persistent_volume_claim
                .as_ref()
                .map(|c| c.claim_name.clone())
        })
        .collect()
}

/// Pending PVCs a pod mounts (by volume, or a StatefulSet claim `<template>-<pod>`) and the
/// provisioning error of each.
fn pending_claims(s: &Scene, p: &Pod) -> Vec<(String, Option<String>)> {
    let ns = facts::pod_ns(p);
    let pod = facts::pod_name(p);
    let named = claim_names(s, p);
    s.pvcs
        .iter()
        .filter(|c| c.metadata.namespace.as_deref() == Some(ns))
        .filter(|c| c.status.as_ref().and_then(|st| st.phase.as_deref()) == Some("Pending"))
        .filter_map(|c| {
            let name = c.metadata.name.clone()?;
            let ours = named.contains(&name) || name.ends_with(&format!("-{pod}"));
            ours.then_some(name)
        })
        .map(|name| {
            let err = s
                .recent_events_for("PersistentVolumeClaim", ns, &name)
                .filter(|e| facts::is_warning(e))
                .max_by_key(|e| facts::event_last(e))
                .map(|e| format!("{}: {}", facts::event_reason(e), facts::event_message(e)));
            (name, err)
        })
        .collect()
}

fn scheduling(s: &Scene, u: &Unit) -> Option<Finding> {
    let pending: Vec<&Pod> = s
        .pods_of(u)
        .filter(|p| facts::phase(p) == "Pending")
        .filter(|p| {
            p.spec
                .as_ref()
                .and_then(|sp| sp.node_name.as_ref())
                .is_none()
        })
        .collect();
    let mut events: Vec<(&Pod, &Event)> = Vec::new();
    for p in &pending {
        if let Some(e) = s
            .recent_events_for("Pod", facts::pod_ns(p), facts::pod_name(p))
            .filter(|e| facts::event_reason(e) == "FailedScheduling")
            .max_by_key(|e| facts::event_last(e))
        {
            events.push((p, e));
        }
    }
    let (first_pod, first_ev) = *events.first()?;
    let msg = facts::event_message(first_ev);
    let reasons = parse_scheduler_message(msg);
    let (mut cause, mut category) = overall(&reasons);
    let claims = pending_claims(s, first_pod);
    let mut pvc_note = String::new();
    if cause == "unbound_pvc"
        && let Some((name, err)) = claims.first()
    {
        let err = err
            .clone()
            .unwrap_or_else(|| "no provisioning event".into());
        if err.contains("storageclass") && err.contains("not found") {
            category = Some(Category::ConfigurationError);
            cause = "storage_class_missing";
        }
        pvc_note = format!("; PVC {name} Pending: {err}");
    }
    let who = match events.as_slice() {
        [(p, _)] => facts::pod_name(p).to_owned(),
        _ => format!("{}: {} pods", u.name, events.len()),
    };
    let head = msg.split(" preemption:").next().unwrap_or(msg).trim();
    let title = format!("{who} Pending — FailedScheduling: {head}{pvc_note}");
    let mut ev: Vec<String> = events
        .iter()
        .take(3)
        .map(|(p, e)| line(format!("{}: {}", facts::pod_name(p), facts::event_line(e))))
        .collect();
    for (name, err) in &claims {
        ev.push(line(format!(
            "PVC {name}: Pending{}",
            err.as_ref().map(|e| format!(" — {e}")).unwrap_or_default()
        )));
    }
    // What the cluster autoscaler said about these pods.
    for (p, _) in events.iter().take(2) {
        if let Some(e) = s
            .recent_events_for("Pod", facts::pod_ns(p), facts::pod_name(p))
            .find(|e| {
                matches!(
                    facts::event_reason(e),
                    "NotTriggerScaleUp" | "TriggeredScaleUp" | "FailedScaleUp"
                )
            })
        {
            ev.push(line(format!(
                "cluster-autoscaler: {}",
                facts::event_line(e)
            )));
            break;
        }
    }
    let severity = if s.unit_down(u) {
        Severity::Critical
    } else {
        Severity::High
    };
    let mut f = unit_finding("scheduling_failed", u, severity, line(title))
        .with_evidence(ev)
        .with_attr("cause", cause)
        .with_attr("pods", events.len() as u64);
    if let Some(c) = category {
        f = f.with_category(c);
    }
    if let Some(t) = events
        .iter()
        .filter_map(|(_, e)| facts::event_first(e))
        .min()
    {
        f = f.at(t);
    }
    if let Some(t) = events
        .iter()
        .filter_map(|(_, e)| facts::event_last(e))
        .max()
    {
        f = f.with_attr("last_seen", t.to_string());
    }
    Some(f)
}

/// `exceeded quota: compute-quota, requested: requests.cpu=500m, used: requests.cpu=3800m,
/// limited: requests.cpu=4` → (quota, resource, requested, used, limited).
pub fn parse_quota(msg: &str) -> Option<(String, String, String, String, String)> {
    let rest = msg.split_once("exceeded quota: ")?.1;
    let (quota, rest) = rest.split_once(", requested: ")?;
    let (requested, rest) = rest.split_once(", used: ")?;
    let (used, limited) = rest.split_once(", limited: ").unwrap_or((rest, ""));
    let resource = requested
        .split(',')
        .next()
        .and_then(|kv| kv.split_once('='))
        .map_or("", |(k, _)| k);
    Some((
        quota.trim().to_owned(),
        resource.to_owned(),
        requested.trim().to_owned(),
        used.trim().to_owned(),
        limited.trim().to_owned(),
    ))
}

/// The controllers that create the unit's pods.
fn creators(s: &Scene, u: &Unit) -> Vec<(&'static str, String)> {
    let mut out = match u.kind {
        crate::target::Kind::Deployment => s
            .replica_sets
            .iter()
            .filter(|rs| rs.metadata.namespace.as_deref() == Some(u.namespace.as_str()))
            .filter(|rs| {
                rs.metadata
                    .owner_references
                    .iter()
                    .flatten()
                    .any(|o| o.name == u.name)
            })
            .filter_map(|rs| rs.metadata.name.clone())
            .map(|n| ("ReplicaSet", n))
            .collect(),
        crate::target::Kind::StatefulSet => vec![("StatefulSet", u.name.clone())],
        crate::target::Kind::DaemonSet => vec![("DaemonSet", u.name.clone())],
        crate::target::Kind::Job => vec![("Job", u.name.clone())],
        crate::target::Kind::CronJob => s
            .jobs
            .iter()
            .filter(|j| facts::cronjob_owner(j) == Some(u.name.as_str()))
            .filter_map(|j| j.metadata.name.clone())
            .map(|n| ("Job", n))
            .chain([("CronJob", u.name.clone())])
            .collect(),
        crate::target::Kind::Pod => vec![],
    };
    if u.kind == crate::target::Kind::Deployment {
        out.push(("Deployment", u.name.clone()));
    }
    out
}

fn quota(s: &Scene, u: &Unit) -> Option<Finding> {
    let creators = creators(s, u);
    let events: Vec<&Event> = creators
        .iter()
        .flat_map(|(kind, name)| {
            s.recent_events_for(kind, &u.namespace, name)
                .collect::<Vec<_>>()
        })
        .filter(|e| {
            facts::event_reason(e) == "FailedCreate"
                && facts::event_message(e).contains("exceeded quota")
        })
        .collect();
    let first = *events.iter().max_by_key(|e| facts::event_last(e))?;
    let (quota, resource, requested, used, limited) = parse_quota(facts::event_message(first))?;
    let count = facts::total(events.iter().map(|e| facts::event_count(e)));
    let creator = first.involved_object.name.clone().unwrap_or_default();
    let title = format!(
        "{}: FailedCreate ×{count} — exceeded quota: {quota} ({requested} requested, used {used}, limited {limited})",
        u.name
    );
    let mut ev: Vec<String> = events
        .iter()
        .take(3)
        .map(|e| facts::event_line(e))
        .collect();
    for q in s
        .quotas
        .iter()
        .filter(|q| q.metadata.name.as_deref() == Some(quota.as_str()))
    {
        let st = q.status.as_ref();
        let hard = st.and_then(|st| st.hard.as_ref());
        let usage = st.and_then(|st| st.used.as_ref());
        let mut parts = Vec::new();
        for (k, h) in hard.into_iter().flatten() {
            let used = usage.and_then(|m| m.get(k)).map_or("?", |q| q.0.as_str());
            parts.push(format!("{k} {used}/{}", h.0));
        }
        ev.push(line(format!(
            "ResourceQuota {quota} used/hard: {}",
            parts.join(", ")
        )));
    }
    if let Some(super::Workload::Deployment(d)) = &u.workload {
        let want = d.spec.as_ref().and_then(|sp| sp.replicas).unwrap_or(1);
        let have = d.status.as_ref().and_then(|st| st.replicas).unwrap_or(0);
        ev.push(format!(
            "Deployment {}: {have} pods exist of {want} desired",
            u.name
        ));
    }
    let mut f = unit_finding("quota_exceeded", u, Severity::High, line(title))
        .with_category(Category::ResourceExhaustion)
        .with_evidence(ev)
        .with_attr("quota", quota)
        .with_attr("resource", resource)
        .with_attr("creator", creator)
        .with_attr("count", count);
    if let Some(t) = events.iter().filter_map(|e| facts::event_first(e)).min() {
        f = f.at(t);
    }
    if let Some(t) = events.iter().filter_map(|e| facts::event_last(e)).max() {
        f = f.with_attr("last_seen", t.to_string());
    }
    Some(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(msg: &str, want: &[(Option<u32>, &str)], overall_cause: &str, cat: Option<Category>) {
        let r = parse_scheduler_message(msg);
        let got: Vec<(Option<u32>, &str)> = r.iter().map(|r| (r.nodes, r.cause)).collect();
        assert_eq!(got, want, "{msg}");
        assert_eq!(overall(&r), (overall_cause, cat), "{msg}");
    }

    #[test]
    fn scheduler_messages() {
        check(
            "0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.",
            &[(Some(3), "insufficient_cpu")],
            "insufficient_cpu",
            Some(Category::ResourceExhaustion),
        );
        check(
            "0/3 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/disk-pressure: }, 2 Insufficient memory. preemption: 0/3",
            &[
                (Some(1), "node_condition"),
                (Some(2), "insufficient_memory"),
            ],
            "node_condition",
            Some(Category::Infrastructure),
        );
        check(
            "0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.",
            &[(None, "unbound_pvc")],
            "unbound_pvc",
            Some(Category::Infrastructure),
        );
        check(
            "0/5 nodes are available: 2 node(s) didn't match Pod's node affinity/selector, 3 node(s) had untolerated taint {dedicated: gpu}.",
            &[(Some(2), "node_selector"), (Some(3), "taint")],
            "node_selector",
            Some(Category::ConfigurationError),
        );
        check(
            "no nodes available to schedule pods",
            &[(None, "no_nodes")],
            "no_nodes",
            Some(Category::Infrastructure),
        );
    }

    #[test]
    fn quota_messages() {
        let m = "Error creating: pods \"w-5b8c9d7f6-lp2xk\" is forbidden: exceeded quota: compute-quota, requested: requests.cpu=500m, used: requests.cpu=3800m, limited: requests.cpu=4";
        assert_eq!(
            parse_quota(m),
            Some((
                "compute-quota".into(),
                "requests.cpu".into(),
                "requests.cpu=500m".into(),
                "requests.cpu=3800m".into(),
                "requests.cpu=4".into()
            ))
        );
        assert_eq!(parse_quota("Error creating: forbidden"), None);
    }
}
