//! Node drains that cannot finish: `drain_blocked` when a cordoned node (`spec.unschedulable`,
//! as a node-group upgrade or `kubectl drain` leaves it) still runs pods that a
//! PodDisruptionBudget allows no disruption of (`status.disruptionsAllowed: 0`): every eviction
//! is refused with 429 "would violate the pod's disruption budget", so the drain — and the
//! upgrade behind it — waits forever. A budget that can never allow one (`maxUnavailable: 0`,
//! or `minAvailable` at least the pods it expects) is a configuration error; one at zero because
//! pods are unhealthy names no category (the unhealthy pods are the cause).

use super::facts::{self, age, hms, line, short_node};
use super::{Scene, unit_finding};
use crate::target::Kind;
use jiff::Timestamp;
use k8s_openapi::api::core::v1::{Node, Pod};
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use sremesh_core::{Category, Finding, Severity};
use std::collections::BTreeMap;

pub fn analyze(s: &Scene) -> Vec<Finding> {
    let mut out = Vec::new();
    for n in s.nodes.iter().filter(|n| cordoned(n)) {
        let name = facts::node_name(n);
        let mut pods: Vec<&Pod> = s.pods.iter().chain(s.drain_pods.iter()).collect();
        pods.retain(|p| {
            p.spec.as_ref().and_then(|sp| sp.node_name.as_deref()) == Some(name)
                && !matches!(facts::phase(p), "Succeeded" | "Failed")
                && facts::owner_unit(p).0 != Kind::DaemonSet
        });
        pods.sort_by_key(|p| facts::pod_key(p));
        pods.dedup_by_key(|p| facts::pod_key(p));
        for p in pods {
            if let Some(b) = s
                .pdbs
                .iter()
                .find(|b| covers(b, p) && allowed(b) == Some(0))
            {
                out.push(blocked(s, n, p, b));
            }
        }
    }
    out
}

fn cordoned(n: &Node) -> bool {
    n.spec.as_ref().and_then(|sp| sp.unschedulable) == Some(true)
}

/// When the node was cordoned: its `unschedulable` taint, else its NodeNotSchedulable event.
fn cordoned_at(s: &Scene, n: &Node) -> Option<Timestamp> {
    n.spec
        .as_ref()
        .and_then(|sp| sp.taints.as_ref())
        .into_iter()
        .flatten()
        .find(|t| t.key == "node.kubernetes.io/unschedulable")
        .and_then(|t| t.time_added.as_ref().map(|x| x.0))
        .or_else(|| {
            s.events
                .iter()
                .filter(|e| {
                    e.involved_object.kind.as_deref() == Some("Node")
                        && e.involved_object.name.as_deref() == Some(facts::node_name(n))
                        && facts::event_reason(e) == "NodeNotSchedulable"
                })
                .filter_map(facts::event_last)
                .max()
        })
}

fn allowed(b: &PodDisruptionBudget) -> Option<i32> {
    b.status.as_ref().map(|st| st.disruptions_allowed)
}

fn selects(sel: &LabelSelector, labels: &BTreeMap<String, String>) -> bool {
    let exprs = sel.match_expressions.iter().flatten().all(|e| {
        let v = labels.get(&e.key);
        let vals = e.values.clone().unwrap_or_default();
        match e.operator.as_str() {
            "In" => v.is_some_and(|v| vals.contains(v)),
            "NotIn" => v.is_none_or(|v| !vals.contains(v)),
            "Exists" => v.is_some(),
            "DoesNotExist" => v.is_none(),
            _ => false,
        }
    });
    let empty = sel.match_labels.as_ref().is_none_or(|m| m.is_empty())
        && sel.match_expressions.as_ref().is_none_or(|m| m.is_empty());
    !empty
        && exprs
        && sel
            .match_labels
            .iter()
            .flatten()
            .all(|(k, v)| labels.get(k) == Some(v))
}

fn covers(b: &PodDisruptionBudget, p: &Pod) -> bool {
    b.metadata.namespace.as_deref() == Some(facts::pod_ns(p))
        && b.spec
            .as_ref()
            .and_then(|sp| sp.selector.as_ref())
            .is_some_and(|sel| selects(sel, p.metadata.labels.as_ref().unwrap_or(&BTreeMap::new())))
}

fn int_or(v: &IntOrString) -> String {
    match v {
        IntOrString::Int(i) => i.to_string(),
        IntOrString::String(s) => s.clone(),
    }
}

/// `maxUnavailable: 0` / `minAvailable: 3` — and whether it can never allow a disruption.
fn rule(b: &PodDisruptionBudget) -> (String, bool) {
    let sp = b.spec.as_ref();
    let expected = b.status.as_ref().map(|st| st.expected_pods).unwrap_or(0);
    if let Some(m) = sp.and_then(|sp| sp.max_unavailable.as_ref()) {
        let never = int_or(m).trim_end_matches('%').trim() == "0";
        return (format!("maxUnavailable: {}", int_or(m)), never);
    }
    if let Some(m) = sp.and_then(|sp| sp.min_available.as_ref()) {
        let never = match m {
            IntOrString::Int(i) => expected > 0 && *i >= expected,
            IntOrString::String(s) => s.trim() == "100%",
        };
        return (format!("minAvailable: {}", int_or(m)), never);
    }
    (String::new(), false)
}

fn blocked(s: &Scene, n: &Node, p: &Pod, b: &PodDisruptionBudget) -> Finding {
    let node = short_node(facts::node_name(n));
    let bname = b.metadata.name.as_deref().unwrap_or("");
    let (rule, never) = rule(b);
    let st = b.status.as_ref();
    let healthy = st.map(|st| (st.current_healthy, st.desired_healthy, st.expected_pods));
    let since = cordoned_at(s, n);
    let mut title = format!("node {node} cordoned");
    if let Some(t) = since {
        title.push_str(&format!(" since {} ({})", hms(t), age(t, s.alert_time)));
    }
    title.push_str(&format!(
        " cannot drain: PodDisruptionBudget {}/{bname} allows 0 disruptions",
        facts::pod_ns(p)
    ));
    if !rule.is_empty() || healthy.is_some() {
        let h = healthy
            .map(|(c, d, _)| format!("{c} healthy, {d} required"))
            .unwrap_or_default();
        title.push_str(&format!(
            " ({})",
            [rule.as_str(), h.as_str()]
                .iter()
                .filter(|x| !x.is_empty())
                .copied()
                .collect::<Vec<_>>()
                .join("; ")
        ));
    }
    title.push_str(&format!(
        " and covers pod {} on it — evicting it would violate the pod's disruption budget, so the drain waits",
        facts::pod_name(p)
    ));
    let mut ev = vec![line(format!(
        "PodDisruptionBudget {}/{bname}: {rule}, disruptionsAllowed 0{}",
        facts::pod_ns(p),
        healthy
            .map(|(c, d, e)| format!(", currentHealthy {c}, desiredHealthy {d}, expectedPods {e}"))
            .unwrap_or_default()
    ))];
    ev.push(line(format!(
        "node {}: SchedulingDisabled{}",
        facts::node_name(n),
        since
            .map(|t| format!(" since {}", hms(t)))
            .unwrap_or_default()
    )));
    ev.push(line(format!(
        "pod {} on {node}: {}{}",
        facts::pod_key(p),
        facts::phase(p),
        if facts::pod_ready(p) {
            ", Ready"
        } else {
            ", not Ready"
        }
    )));
    let (kind, owner) = facts::owner_unit(p);
    let unit = s.unit_of(p);
    let mut f = match unit {
        Some(u) => unit_finding("drain_blocked", u, Severity::High, line(title)),
        None => Finding::new(
            format!("drain_blocked:{}/{owner}", facts::pod_ns(p)),
            "drain_blocked",
            Severity::High,
            line(title),
        )
        .with_resource(format!("{}/{}/{owner}", kind.as_str(), facts::pod_ns(p)))
        .with_service(owner.clone())
        .with_attr("namespace", facts::pod_ns(p)),
    }
    .with_evidence(ev)
    .with_attr("node", facts::node_name(n))
    .with_attr("pdb", bname)
    .with_attr("pod", facts::pod_name(p))
    .with_attr("last_seen", s.alert_time.to_string());
    f.id = format!("drain_blocked:{}/{bname}/{node}", facts::pod_ns(p));
    if never {
        f = f.with_category(Category::ConfigurationError);
    }
    if let Some(t) = since {
        f = f.with_attr("cordoned_at", t.to_string());
    }
    f
}
