//! Volumes that cannot reach their pod: `volume_attach_failed` when the attach/detach controller
//! reports `FailedAttachVolume` for a pod of the target that is not Ready (a `Multi-Attach
//! error`: the ReadWriteOnce volume is still attached to another node; the cloud volume stuck
//! `detaching` …). The node still holding the volume is named from the nodes'
//! `status.volumesAttached`, with its Ready state. Also: the cloud volumes behind a pod's
//! claims (PVC → PV → `vol-…`), which readiness findings name for a pod that is not Ready.

use super::facts::{self, hms, line, short_node};
use super::{Scene, Unit, unit_finding};
use k8s_openapi::api::core::v1::{Event, Node, PersistentVolume, Pod};
use regex::Regex;
use sremesh_core::{Category, Finding, Severity};
use std::sync::LazyLock;

/// A cloud volume id in an attach error (`vol-0c3f8a1b92d4e7f60`).
static VOLUME_ID: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\bvol-[0-9a-f]{8,17}\b").expect("static regex"));

pub fn analyze(s: &Scene) -> Vec<Finding> {
    s.units.iter().filter_map(|u| attach_failed(s, u)).collect()
}

fn events_for<'a>(s: &'a Scene, p: &'a Pod, reason: &'a str) -> Vec<&'a Event> {
    let mut evs: Vec<&Event> = s
        .recent_events_for("Pod", facts::pod_ns(p), facts::pod_name(p))
        .filter(|e| facts::event_reason(e) == reason)
        .collect();
    evs.sort_by_key(|e| std::cmp::Reverse(facts::event_last(e)));
    evs
}

/// The node (other than `except`) whose `volumesAttached` still lists `volume`.
fn holder<'a>(s: &'a Scene, volume: &str, except: Option<&str>) -> Option<&'a Node> {
    s.nodes.iter().find(|n| {
        Some(facts::node_name(n)) != except
            && n.status
                .as_ref()
                .and_then(|st| st.volumes_attached.as_ref())
                .is_some_and(|v| v.iter().any(|a| a.name.ends_with(volume)))
    })
}

fn attach_failed(s: &Scene, u: &Unit) -> Option<Finding> {
    // The pods of the unit that wait for a volume: not Ready, with attach failures.
    let stuck: Vec<(&Pod, Vec<&Event>)> = s
        .pods_of(u)
        .filter(|p| !facts::pod_ready(p) && facts::phase(p) != "Succeeded")
        .map(|p| (p, events_for(s, p, "FailedAttachVolume")))
        .filter(|(_, evs)| !evs.is_empty())
        .collect();
    let (pod, evs) = stuck.first()?;
    // The decisive message: a Multi-Attach error names the cause outright; else the latest.
    let decisive = evs
        .iter()
        .find(|e| facts::event_message(e).contains("Multi-Attach"))
        .unwrap_or(&evs[0]);
    let waiting = facts::statuses(pod)
        .find_map(facts::waiting)
        .map(|(r, _)| r.to_owned())
        .unwrap_or_else(|| facts::phase(pod).to_owned());
    let node = pod.spec.as_ref().and_then(|sp| sp.node_name.as_deref());
    let volume = evs
        .iter()
        .find_map(|e| VOLUME_ID.find(facts::event_message(e)))
        .map(|m| m.as_str().to_owned());
    let held = volume.as_deref().and_then(|v| holder(s, v, node));
    // Where the volume is stuck first (the message can be long and is cut at the end).
    let mut title = format!(
        "{} stuck {waiting}: volume cannot attach",
        facts::pod_name(pod)
    );
    if let (Some(v), Some(n)) = (&volume, held) {
        let state = match facts::node_condition(n, "Ready") {
            Some(("True", _, _)) => "Ready".to_owned(),
            Some((st, _, since)) => format!(
                "NotReady (Ready={st}){}",
                since
                    .map(|t| format!(" since {}", hms(t)))
                    .unwrap_or_default()
            ),
            None => "state unknown".to_owned(),
        };
        title.push_str(&format!(
            ", {v} is still attached to node {} ({state})",
            short_node(facts::node_name(n))
        ));
    }
    title.push_str(&format!(
        " — FailedAttachVolume: {}",
        facts::event_message(decisive)
    ));
    let mut ev: Vec<String> = Vec::new();
    ev.push(line(format!(
        "{}: {}",
        facts::pod_name(pod),
        facts::event_line(decisive)
    )));
    for e in evs.iter().filter(|e| !std::ptr::eq(**e, *decisive)).take(2) {
        ev.push(line(format!(
            "{}: {}",
            facts::pod_name(pod),
            facts::event_line(e)
        )));
    }
    if let Some(e) = events_for(s, pod, "FailedMount").first() {
        ev.push(line(format!(
            "{}: {}",
            facts::pod_name(pod),
            facts::event_line(e)
        )));
    }
    if let Some(n) = node {
        ev.push(format!(
            "{} scheduled on node {}",
            facts::pod_name(pod),
            short_node(n)
        ));
    }
    if let Some(n) = held {
        for t in n
            .spec
            .as_ref()
            .and_then(|sp| sp.taints.as_ref())
            .into_iter()
            .flatten()
            .take(2)
        {
            ev.push(format!(
                "node {} taint {}:{}",
                short_node(facts::node_name(n)),
                t.key,
                t.effect
            ));
        }
    }
    let others: Vec<&str> = stuck
        .iter()
        .skip(1)
        .map(|(p, _)| facts::pod_name(p))
        .collect();
    if !others.is_empty() {
        ev.push(format!("also waiting for volumes: {}", others.join(", ")));
    }
    let first = evs.iter().filter_map(|e| facts::event_first(e)).min();
    let last = evs.iter().filter_map(|e| facts::event_last(e)).max();
    let count: i32 = evs.iter().map(|e| facts::event_count(e)).sum();
    let mut f = unit_finding("volume_attach_failed", u, Severity::High, line(title))
        .with_category(Category::Infrastructure)
        .with_evidence(ev)
        .with_attr("pod", facts::pod_name(pod))
        .with_attr(
            "multi_attach",
            facts::event_message(decisive).contains("Multi-Attach"),
        )
        .with_attr("count", count as u64);
    if let Some(v) = volume {
        f = f.with_attr("volume", v);
    }
    if let Some(n) = held {
        f = f.with_attr("attached_node", facts::node_name(n));
    }
    if let Some(t) = first {
        f = f.at(t);
        if t < s.window.start {
            f = f.with_attr("onset", t.to_string());
        }
    }
    if let Some(t) = last {
        f = f.with_attr("last_seen", t.to_string());
    }
    Some(f)
}

/// A claim a pod mounts and what backs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Backing {
    pub claim: String,
    /// The bound PersistentVolume's name.
    pub pv: String,
    /// The cloud volume (`spec.csi.volumeHandle`, `awsElasticBlockStore.volumeID`).
    pub volume: Option<String>,
    /// The CSI driver, or the in-tree plugin's name.
    pub driver: Option<String>,
}

/// The names of the claims `pod` mounts.
pub fn claims(pod: &Pod) -> Vec<&str> {
    pod.spec
        .as_ref()
        .and_then(|sp| sp.volumes.as_ref())
        .into_iter()
        .flatten()
        .filter_map(|v| v.persistent_volume_claim.as_ref())
        .map(|c| c.claim_name.as_str())
        .collect()
}

/// The PersistentVolume names the claims of `pod` are bound to (from `pvcs`).
pub fn bound_volumes<'a>(
    pod: &Pod,
    pvcs: &'a [k8s_openapi::api::core::v1::PersistentVolumeClaim],
) -> Vec<&'a str> {
    claims(pod)
        .into_iter()
        .filter_map(|c| {
            pvcs.iter().find(|x| {
                x.metadata.name.as_deref() == Some(c)
                    && x.metadata.namespace.as_deref() == Some(facts::pod_ns(pod))
            })
        })
        .filter_map(|x| x.spec.as_ref()?.volume_name.as_deref())
        .collect()
}

fn backing_of(claim: &str, pv: &PersistentVolume) -> Backing {
    let spec = pv.spec.as_ref();
    let csi = spec.and_then(|sp| sp.csi.as_ref());
    let ebs = spec.and_then(|sp| sp.aws_elastic_block_store.as_ref());
    Backing {
        claim: claim.to_owned(),
        pv: pv.metadata.name.clone().unwrap_or_default(),
        volume: csi
            .map(|c| c.volume_handle.clone())
            .or_else(|| ebs.map(|e| e.volume_id.clone())),
        driver: csi
            .map(|c| c.driver.clone())
            .or_else(|| ebs.map(|_| "kubernetes.io/aws-ebs".to_owned())),
    }
}

/// The claims `pod` mounts with the volumes behind them (those whose PV the scene holds).
pub fn backings(s: &Scene, pod: &Pod) -> Vec<Backing> {
    claims(pod)
        .into_iter()
        .filter_map(|c| {
            let pvc = s.pvcs.iter().find(|x| {
                x.metadata.name.as_deref() == Some(c)
                    && x.metadata.namespace.as_deref() == Some(facts::pod_ns(pod))
            })?;
            let name = pvc.spec.as_ref()?.volume_name.as_deref()?;
            let pv = s
                .pvs
                .iter()
                .find(|v| v.metadata.name.as_deref() == Some(name))?;
            Some(backing_of(c, pv))
        })
        .collect()
}

/// Evidence naming the volumes behind the claims of `pods` (the not-Ready ones), and the
/// events in the scene that speak of one of them: `(lines, first volume id)`.
pub fn volume_evidence(s: &Scene, pods: &[&Pod]) -> (Vec<String>, Option<(String, String)>) {
    let mut ev = Vec::new();
    let mut first = None;
    for p in pods.iter().take(3) {
        for b in backings(s, p) {
            let what = match (&b.volume, &b.driver) {
                (Some(v), Some(d)) => format!(" → volume {v} ({d})"),
                (Some(v), None) => format!(" → volume {v}"),
                _ => String::new(),
            };
            ev.push(line(format!(
                "{} mounts PVC {} → PV {}{what}",
                facts::pod_name(p),
                b.claim,
                b.pv
            )));
            let names = [
                Some(b.claim.as_str()),
                Some(b.pv.as_str()),
                b.volume.as_deref(),
            ];
            for e in s
                .events
                .iter()
                .filter(|e| {
                    let m = facts::event_message(e);
                    names.iter().flatten().any(|n| m.contains(n))
                        || matches!(
                            (e.involved_object.kind.as_deref(), e.involved_object.name.as_deref()),
                            (Some("PersistentVolumeClaim"), Some(n)) if n == b.claim
                        )
                        || matches!(
                            (e.involved_object.kind.as_deref(), e.involved_object.name.as_deref()),
                            (Some("PersistentVolume"), Some(n)) if n == b.pv
                        )
                })
                .take(2)
            {
                ev.push(line(facts::event_line(e)));
            }
            let node = p.spec.as_ref().and_then(|sp| sp.node_name.as_deref());
            for c in s
                .nodes
                .iter()
                .filter(|n| Some(facts::node_name(n)) == node)
                .flat_map(|n| {
                    n.status
                        .iter()
                        .flat_map(|st| st.conditions.iter().flatten())
                })
                .filter(|c| {
                    let m = c.message.as_deref().unwrap_or("");
                    names.iter().flatten().any(|n| m.contains(n))
                })
                .take(2)
            {
                ev.push(line(format!(
                    "node {} {}={}: {}",
                    node.map(short_node).unwrap_or_default(),
                    c.type_,
                    c.status,
                    c.message.as_deref().unwrap_or("")
                )));
            }
            if first.is_none() {
                first = Some((
                    facts::pod_name(p).to_owned(),
                    b.volume.clone().unwrap_or_else(|| b.pv.clone()),
                ));
            }
        }
    }
    (ev, first)
}
