//! `addon_unhealthy`: a critical kube-system add-on (metrics-server, CoreDNS, the VPC CNI
//! `aws-node`, kube-proxy, the EBS / EFS CSI drivers, the cluster autoscaler or Karpenter, the
//! EKS Pod Identity agent) crash-looping, failing to start or not Ready — infrastructure, with
//! its termination reason and its last error line. It is about the target's problem (`service` =
//! the target, severity high) when the target depends on it: an HPA blind for metrics, DNS
//! failures in the target's logs, a node add-on on the target's node, Pending pods waiting for
//! the autoscaler, volumes that will not attach.

use super::facts::{self, hms, line, short_node};
use super::logs::{self, render};
use super::{Mode, Scene};
use jiff::{SignedDuration, Timestamp};
use k8s_openapi::api::core::v1::Pod;
use sremesh_core::{Category, Finding, Severity};

/// The add-ons, by the name their pods, `k8s-app`, `app` or `app.kubernetes.io/name` carry.
const ADDONS: &[(&str, &[&str])] = &[
    ("metrics-server", &["metrics-server"]),
    ("coredns", &["coredns", "kube-dns"]),
    ("aws-node", &["aws-node"]),
    ("kube-proxy", &["kube-proxy"]),
    (
        "ebs-csi",
        &["ebs-csi-controller", "ebs-csi-node", "aws-ebs-csi-driver"],
    ),
    (
        "efs-csi",
        &["efs-csi-controller", "efs-csi-node", "aws-efs-csi-driver"],
    ),
    (
        "cluster-autoscaler",
        &["cluster-autoscaler", "aws-cluster-autoscaler"],
    ),
    ("karpenter", &["karpenter"]),
    ("eks-pod-identity-agent", &["eks-pod-identity-agent"]),
];

/// Add-ons that run on every node: broken on the target's node, they break the target there.
const NODE_ADDONS: &[&str] = &[
    "aws-node",
    "kube-proxy",
    "ebs-csi",
    "efs-csi",
    "eks-pod-identity-agent",
];

/// How long a pod must have been not Ready to count (a rolling restart is not a failure).
const GRACE: SignedDuration = SignedDuration::from_mins(2);

/// Which add-on a kube-system pod is, if any.
pub fn addon_of(p: &Pod) -> Option<&'static str> {
    let labels = p.metadata.labels.as_ref();
    let label = |k: &str| labels.and_then(|l| l.get(k)).map(String::as_str);
    let names = [
        label("k8s-app"),
        label("app.kubernetes.io/name"),
        label("app"),
    ];
    let pod = facts::pod_name(p);
    ADDONS
        .iter()
        .find(|(_, keys)| {
            keys.iter().any(|k| {
                names.contains(&Some(*k))
                    || pod
                        .strip_prefix(k)
                        .is_some_and(|rest| rest.starts_with('-'))
            })
        })
        .map(|(id, _)| *id)
}

/// True when the pod is failing now: a container waiting to (re)start, or not Ready.
pub fn unhealthy(p: &Pod) -> bool {
    if matches!(facts::phase(p), "Succeeded") || p.metadata.deletion_timestamp.is_some() {
        return false;
    }
    facts::statuses(p).any(|c| {
        facts::waiting(c).is_some_and(|(r, _)| r != "ContainerCreating" && r != "PodInitializing")
    }) || !facts::pod_ready(p)
}

/// Not Ready since when (the Ready condition's last transition).
fn unready_since(p: &Pod) -> Option<Timestamp> {
    p.status
        .as_ref()?
        .conditions
        .as_ref()?
        .iter()
        .find(|c| c.type_ == "Ready" && c.status != "True")?
        .last_transition_time
        .as_ref()
        .map(|t| t.0)
}

fn failing_long_enough(s: &Scene, p: &Pod) -> bool {
    unhealthy(p)
        && (facts::restarts(p) > 0
            || unready_since(p)
                .is_none_or(|t| t.checked_add(GRACE).is_ok_and(|x| x <= s.alert_time)))
}

/// The target services an add-on's failure reaches, and why.
fn dependents(s: &Scene, addon: &str, pods: &[&Pod]) -> Option<(String, String)> {
    if s.mode != Mode::Target {
        return None;
    }
    let svc = |p: &Pod| s.unit_of(p).map(|u| u.service());
    match addon {
        "metrics-server" => s.units.iter().find_map(|u| {
            super::autoscaling::metrics_failure(s, u)
                .map(|why| (u.service(), format!("{}'s HPA: {why}", u.name)))
        }),
        "coredns" => s.units.iter().find_map(|u| {
            let dns = s.pods_of(u).any(|p| {
                s.logs
                    .iter()
                    .filter(|l| l.pod == facts::pod_name(p) && l.namespace == facts::pod_ns(p))
                    .any(|l| {
                        logs::hits(&l.lines)
                            .iter()
                            .any(|h| h.sig.id == "dns_failure")
                    })
            });
            dns.then(|| (u.service(), format!("{} logs DNS failures", u.name)))
        }),
        "cluster-autoscaler" | "karpenter" => s.pods.iter().find_map(|p| {
            let pending = facts::phase(p) == "Pending"
                && p.spec
                    .as_ref()
                    .and_then(|sp| sp.node_name.as_ref())
                    .is_none();
            pending.then(|| svc(p)).flatten().map(|x| {
                (
                    x,
                    format!("{} is Pending, waiting for capacity", facts::pod_name(p)),
                )
            })
        }),
        a if NODE_ADDONS.contains(&a) => {
            let nodes: Vec<&str> = pods
                .iter()
                .filter_map(|p| p.spec.as_ref()?.node_name.as_deref())
                .collect();
            s.pods.iter().find_map(|p| {
                let n = p.spec.as_ref()?.node_name.as_deref()?;
                nodes.contains(&n).then(|| svc(p)).flatten().map(|x| {
                    (
                        x,
                        format!(
                            "{} runs on the same node {}",
                            facts::pod_name(p),
                            short_node(n)
                        ),
                    )
                })
            })
        }
        _ => None,
    }
}

pub fn analyze(s: &Scene) -> Vec<Finding> {
    let mut ids: Vec<&'static str> = Vec::new();
    for p in &s.addon_pods {
        if let Some(a) = addon_of(p)
            && failing_long_enough(s, p)
            && !ids.contains(&a)
        {
            ids.push(a);
        }
    }
    ids.into_iter().filter_map(|a| addon(s, a)).collect()
}

/// `CrashLoopBackOff, exit code 1 (Error), 9 restarts`.
fn state(p: &Pod) -> (String, Option<(i32, String)>) {
    let restarts = facts::restarts(p);
    let waiting = facts::statuses(p).find_map(facts::waiting).map(|(r, _)| r);
    let term = facts::statuses(p)
        .find(|c| !c.ready)
        .and_then(facts::last_termination)
        .map(|t| {
            (
                t.exit_code,
                t.reason.clone().unwrap_or_else(|| "Error".into()),
            )
        });
    let mut out = waiting.unwrap_or("Running, not Ready").to_owned();
    if let Some((code, reason)) = &term {
        out.push_str(&format!(", exit code {code} ({reason})"));
    }
    out.push_str(&format!(", {restarts} restarts"));
    (out, term)
}

fn addon(s: &Scene, id: &str) -> Option<Finding> {
    let pods: Vec<&Pod> = s
        .addon_pods
        .iter()
        .filter(|p| addon_of(p) == Some(id) && failing_long_enough(s, p))
        .collect();
    let p0 = *pods.first()?;
    let total = s
        .addon_pods
        .iter()
        .filter(|p| addon_of(p) == Some(id))
        .count();
    let (st, term) = state(p0);
    let node = p0.spec.as_ref().and_then(|sp| sp.node_name.clone());
    // The last error it logged before dying (previous run first).
    let log = facts::statuses(p0).filter(|c| !c.ready).find_map(|c| {
        s.log(p0, &c.name, true)
            .or_else(|| s.log(p0, &c.name, false))
    });
    let block = log
        .map(|l| logs::terminal_block(&l.lines, 2))
        .unwrap_or_default();
    let sig = log.and_then(|l| logs::terminal(&l.lines));
    let last_err = block.last().cloned().or_else(|| {
        log.and_then(|l| l.lines.iter().rev().find(|x| logs::is_error(&x.text)))
            .map(|x| render(&x.text))
    });
    let (kind, name) = facts::owner_unit(p0);
    let mut title = format!(
        "kube-system/{name}: {} {st}",
        if pods.len() == 1 {
            facts::pod_name(p0).to_owned()
        } else {
            format!("{}/{total} pods", pods.len())
        }
    );
    if let Some(n) = &node {
        title.push_str(&format!(" on node {}", short_node(n)));
    }
    if let Some(e) = &last_err {
        title.push_str(&format!(" — {}", tail(e, 120)));
    }
    let related = dependents(s, id, &pods);
    let mut ev: Vec<String> = pods
        .iter()
        .take(3)
        .map(|p| {
            line(format!(
                "{}: {}{}",
                facts::pod_name(p),
                state(p).0,
                p.spec
                    .as_ref()
                    .and_then(|sp| sp.node_name.as_deref())
                    .map(|n| format!(", node {}", short_node(n)))
                    .unwrap_or_default()
            ))
        })
        .collect();
    for l in &block {
        ev.push(line(format!("log: {l}")));
    }
    let mut last_seen = facts::statuses(p0)
        .filter_map(|c| {
            facts::last_termination(c)?
                .finished_at
                .as_ref()
                .map(|t| t.0)
        })
        .max();
    let mut onset = unready_since(p0);
    for e in s.recent_events().filter(|e| {
        facts::is_warning(e)
            && pods
                .iter()
                .any(|p| e.involved_object.name.as_deref() == Some(facts::pod_name(p)))
    }) {
        last_seen = last_seen.max(facts::event_last(e));
        onset = match (onset, facts::event_first(e)) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        if ev.len() < 6 {
            ev.push(facts::event_line(e));
        }
    }
    // Other add-ons failing on the same node point at the node, not the add-on.
    if let Some(n) = &node {
        let others: Vec<String> = s
            .addon_pods
            .iter()
            .filter(|p| addon_of(p) != Some(id) && failing_long_enough(s, p))
            .filter(|p| p.spec.as_ref().and_then(|sp| sp.node_name.as_ref()) == Some(n))
            .map(|p| format!("{} ({})", facts::pod_name(p), state(p).0))
            .collect();
        if !others.is_empty() {
            ev.push(line(format!(
                "also failing on node {}: {}",
                short_node(n),
                others.join(", ")
            )));
        }
    }
    if let Some((_, why)) = &related {
        ev.push(line(format!("impact: {why}")));
    }
    let resource = if pods.len() == 1 {
        format!("pod/{}", facts::pod_key(p0))
    } else {
        format!("{}/kube-system/{name}", kind.as_str())
    };
    let severity = if related.is_some() || s.mode != Mode::Target {
        Severity::High
    } else {
        Severity::Medium
    };
    let mut f = Finding::new(
        format!("addon_unhealthy:kube-system/{id}"),
        "addon_unhealthy",
        severity,
        line(title),
    )
    .with_category(Category::Infrastructure)
    .with_resource(resource)
    .with_service(
        related
            .as_ref()
            .map_or_else(|| id.to_owned(), |(svc, _)| svc.clone()),
    )
    .with_evidence(ev)
    .with_attr("addon", id)
    .with_attr("pods", pods.len() as u64)
    .with_attr("restarts", facts::restarts(p0));
    if let Some((code, reason)) = term {
        f = f.with_attr("exit_code", code).with_attr("reason", reason);
    }
    if let Some(n) = node {
        f = f.with_attr("node", n);
    }
    if let Some(h) = sig {
        f = f.with_attr("signature", h.sig.id);
    }
    if let Some(t) = onset {
        f = f.with_attr("onset", t.to_string()).at(t);
    }
    if let Some(t) = last_seen {
        f = f.with_attr("last_seen", t.to_string());
    }
    if let Some(t) = onset.filter(|t| !s.in_window(*t)) {
        f = f.with_attr("failing_since", hms(t));
    }
    Some(f)
}

/// The last `n` characters of an error line (wrapped Go errors end with their root cause).
fn tail(s: &str, n: usize) -> String {
    let count = s.chars().count();
    if count <= n {
        return s.to_owned();
    }
    let cut: String = s.chars().skip(count - n).collect();
    format!("…{cut}")
}
