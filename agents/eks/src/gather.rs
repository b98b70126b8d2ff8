//! Reads what the analyzers need, concurrently and each call within the job's budget: the
//! target's workloads, pods, ReplicaSets, events, Services/Endpoints, PVCs, quotas, nodes and
//! container logs (current and previous, tail-capped) — or, with no target, a capped
//! cluster-wide triage. Failed calls are recorded, never fatal.

use crate::analyzers::{ContainerLog, Mode, Scene, Unit, Workload, facts};
use crate::client::{Kube, KubeError};
use crate::resolve::Target;
use crate::target::Kind;
use futures::StreamExt;
use futures::future::join_all;
use jiff::Timestamp;
use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::{
    Endpoints, Event, Node, PersistentVolumeClaim, Pod, ResourceQuota, Service,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use kube::api::ListParams;
use sremesh_agent::Deadline;
use sremesh_core::TimeWindow;
use std::time::Duration;

/// Time left for API calls: the job's deadline minus a reserve to build the answer.
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    pub deadline: Deadline,
    pub reserve: Duration,
}

impl Budget {
    pub fn new(deadline: Deadline, reserve: Duration) -> Self {
        Self { deadline, reserve }
    }

    /// Time left for the next call.
    pub fn left(&self) -> Duration {
        self.deadline.budget(self.reserve)
    }
}

/// Caps on what is read.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Log lines per container (`tailLines`).
    pub log_tail: i64,
    /// Pods whose logs are read.
    pub log_pods: usize,
    /// Pods per workload.
    pub pods: u32,
    /// Concurrent log reads.
    pub concurrency: usize,
    /// Pods kept by a cluster-wide triage.
    pub triage_pods: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            log_tail: 100,
            log_pods: 8,
            pods: 100,
            concurrency: 6,
            triage_pods: 15,
        }
    }
}

/// The scene plus what was looked at and what failed.
#[derive(Debug)]
pub struct Gathered {
    pub scene: Scene,
    pub scanned: Vec<String>,
    pub errors: Vec<KubeError>,
}

impl Gathered {
    /// True when some call was cut short by time.
    pub fn partial(&self) -> bool {
        self.errors.iter().any(KubeError::is_time)
    }
}

/// `app=x,tier in (a,b)` from a LabelSelector.
pub fn selector_string(sel: &LabelSelector) -> String {
    let mut parts: Vec<String> = sel
        .match_labels
        .iter()
        .flatten()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    for e in sel.match_expressions.iter().flatten() {
        let vals = e.values.clone().unwrap_or_default().join(",");
        parts.push(match e.operator.as_str() {
            "In" => format!("{} in ({vals})", e.key),
            "NotIn" => format!("{} notin ({vals})", e.key),
            "Exists" => e.key.clone(),
            "DoesNotExist" => format!("!{}", e.key),
            _ => continue,
        });
    }
    parts.join(",")
}

struct Acc {
    scanned: Vec<String>,
    errors: Vec<KubeError>,
}

impl Acc {
    fn take<T>(&mut self, r: Result<T, KubeError>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                tracing::debug!(error = %e, "eks_call_failed");
                self.errors.push(e);
                None
            }
        }
    }
}

async fn workload(
    kube: &Kube,
    kind: Kind,
    ns: &str,
    name: &str,
    b: Budget,
) -> Result<Option<Workload>, KubeError> {
    Ok(match kind {
        Kind::Deployment => kube
            .get::<Deployment>(ns, name, b.left())
            .await?
            .map(|o| Workload::Deployment(Box::new(o))),
        Kind::StatefulSet => kube
            .get::<StatefulSet>(ns, name, b.left())
            .await?
            .map(|o| Workload::StatefulSet(Box::new(o))),
        Kind::DaemonSet => kube
            .get::<DaemonSet>(ns, name, b.left())
            .await?
            .map(|o| Workload::DaemonSet(Box::new(o))),
        Kind::Job => kube
            .get::<Job>(ns, name, b.left())
            .await?
            .map(|o| Workload::Job(Box::new(o))),
        Kind::Pod => None,
    })
}

fn workload_selector(w: &Workload) -> Option<String> {
    let sel = match w {
        Workload::Deployment(d) => d.spec.as_ref().map(|s| &s.selector),
        Workload::StatefulSet(d) => d.spec.as_ref().map(|s| &s.selector),
        Workload::DaemonSet(d) => d.spec.as_ref().map(|s| &s.selector),
        Workload::Job(d) => d.spec.as_ref().and_then(|s| s.selector.as_ref()),
    }?;
    let s = selector_string(sel);
    (!s.is_empty()).then_some(s)
}

/// A unit's object and pods (and a Deployment's ReplicaSets).
async fn unit_state(
    kube: &Kube,
    u: &crate::resolve::UnitRef,
    limits: Limits,
    b: Budget,
) -> (Unit, Vec<Pod>, Vec<ReplicaSet>, Acc) {
    let mut acc = Acc {
        scanned: Vec::new(),
        errors: Vec::new(),
    };
    let mut unit = Unit {
        kind: u.kind,
        namespace: u.namespace.clone(),
        name: u.name.clone(),
        workload: None,
    };
    acc.scanned.push(unit.resource());
    let mut pods = Vec::new();
    let mut rss = Vec::new();
    if u.kind == Kind::Pod {
        if let Some(Some(p)) = acc.take(kube.get::<Pod>(&u.namespace, &u.name, b.left()).await) {
            pods.push(p);
        }
        return (unit, pods, rss, acc);
    }
    unit.workload = acc
        .take(workload(kube, u.kind, &u.namespace, &u.name, b).await)
        .flatten();
    let selector = unit
        .workload
        .as_ref()
        .and_then(workload_selector)
        .unwrap_or_else(|| format!("app={}", u.name));
    let lp = ListParams::default().labels(&selector).limit(limits.pods);
    if u.kind == Kind::Deployment {
        let (p, r) = tokio::join!(
            kube.list::<Pod>(Some(&u.namespace), &lp, b.left()),
            kube.list::<ReplicaSet>(Some(&u.namespace), &lp, b.left()),
        );
        pods = acc.take(p).unwrap_or_default();
        rss = acc.take(r).unwrap_or_default();
    } else {
        pods = acc
            .take(kube.list::<Pod>(Some(&u.namespace), &lp, b.left()).await)
            .unwrap_or_default();
    }
    (unit, pods, rss, acc)
}

/// Reads logs for the pods most worth reading: unhealthy first, then two healthy ones for
/// comparison.
async fn read_logs(
    kube: &Kube,
    pods: &[Pod],
    limits: Limits,
    b: Budget,
    acc: &mut Acc,
) -> Vec<ContainerLog> {
    let mut ranked: Vec<&Pod> = pods
        .iter()
        .filter(|p| p.spec.as_ref().and_then(|s| s.node_name.as_ref()).is_some())
        .collect();
    ranked.sort_by_key(|p| {
        (
            facts::pod_ready(p) && facts::restarts(p) == 0,
            std::cmp::Reverse(facts::restarts(p)),
        )
    });
    let unhealthy = ranked
        .iter()
        .filter(|p| !(facts::pod_ready(p) && facts::restarts(p) == 0))
        .count();
    let take = (unhealthy + 2).min(limits.log_pods);
    let mut jobs: Vec<(String, String, String, bool)> = Vec::new();
    for p in ranked.into_iter().take(take) {
        for c in facts::statuses(p) {
            let waiting_to_start = facts::waiting(c)
                .is_some_and(|(r, _)| r != "CrashLoopBackOff" && r != "RunContainerError");
            if !waiting_to_start {
                jobs.push((
                    facts::pod_ns(p).to_owned(),
                    facts::pod_name(p).to_owned(),
                    c.name.clone(),
                    false,
                ));
            }
            if c.restart_count > 0 || facts::last_termination(c).is_some() {
                jobs.push((
                    facts::pod_ns(p).to_owned(),
                    facts::pod_name(p).to_owned(),
                    c.name.clone(),
                    true,
                ));
            }
        }
    }
    let results: Vec<_> =
        futures::stream::iter(jobs.into_iter().map(|(ns, pod, c, prev)| async move {
            let r = kube
                .logs(&ns, &pod, &c, prev, limits.log_tail, b.left())
                .await;
            (ns, pod, c, prev, r)
        }))
        .buffer_unordered(limits.concurrency.max(1))
        .collect()
        .await;
    let mut out = Vec::new();
    for (ns, pod, c, prev, r) in results {
        let suffix = if prev { " (previous)" } else { "" };
        match r {
            Ok(text) => {
                acc.scanned.push(format!("logs/{ns}/{pod}/{c}{suffix}"));
                out.push(ContainerLog::parse(&ns, &pod, &c, prev, &text));
            }
            // No previous instance, or a container that never started: nothing to read.
            Err(KubeError::Api { code: 400, .. }) | Err(KubeError::NotFound { .. }) => {}
            Err(e) => acc.errors.push(e),
        }
    }
    out.sort_by(|a, b| (&a.pod, &a.container, a.previous).cmp(&(&b.pod, &b.container, b.previous)));
    out
}

fn is_node_event(e: &Event) -> bool {
    e.involved_object.kind.as_deref() == Some("Node")
}

/// Gathers the scene for `target`.
pub async fn gather(
    kube: &Kube,
    target: &Target,
    alert_time: Timestamp,
    window: TimeWindow,
    limits: Limits,
    b: Budget,
) -> Gathered {
    let mut scene = Scene::new(alert_time, window, target.mode);
    scene.alertname = target.parsed.alertname.clone();
    let mut acc = Acc {
        scanned: Vec::new(),
        errors: Vec::new(),
    };
    match target.mode {
        Mode::Target => gather_target(kube, target, &mut scene, &mut acc, limits, b).await,
        Mode::Triage | Mode::Heartbeat => {
            gather_triage(kube, &mut scene, &mut acc, limits, b).await
        }
    }
    Gathered {
        scene,
        scanned: acc.scanned,
        errors: acc.errors,
    }
}

async fn gather_target(
    kube: &Kube,
    target: &Target,
    scene: &mut Scene,
    acc: &mut Acc,
    limits: Limits,
    b: Budget,
) {
    let mut namespaces: Vec<String> = target.units.iter().map(|u| u.namespace.clone()).collect();
    namespaces.sort();
    namespaces.dedup();
    let lp = ListParams::default().limit(1000);
    let per_ns = join_all(namespaces.iter().map(|ns| {
        let lp = lp.clone();
        async move {
            tokio::join!(
                kube.list::<Event>(Some(ns), &lp, b.left()),
                kube.list::<Service>(Some(ns), &lp, b.left()),
                kube.list::<Endpoints>(Some(ns), &lp, b.left()),
                kube.list::<PersistentVolumeClaim>(Some(ns), &lp, b.left()),
                kube.list::<ResourceQuota>(Some(ns), &lp, b.left()),
            )
        }
    }));
    let node_events_lp = ListParams::default()
        .fields("involvedObject.kind=Node")
        .limit(500);
    let nodes_lp = ListParams::default().limit(500);
    let (units, per_ns, nodes, node_events) = tokio::join!(
        join_all(target.units.iter().map(|u| unit_state(kube, u, limits, b))),
        per_ns,
        kube.list_cluster::<Node>(&nodes_lp, b.left()),
        kube.list::<Event>(None, &node_events_lp, b.left()),
    );
    for (unit, pods, rss, a) in units {
        acc.scanned.extend(a.scanned);
        acc.errors.extend(a.errors);
        for p in pods {
            if !scene
                .pods
                .iter()
                .any(|x| facts::pod_key(x) == facts::pod_key(&p))
            {
                acc.scanned.push(format!("pod/{}", facts::pod_key(&p)));
                scene.pods.push(p);
            }
        }
        scene.replica_sets.extend(rss);
        scene.units.push(unit);
    }
    for (ns, (ev, svc, ep, pvc, q)) in namespaces.iter().zip(per_ns) {
        acc.scanned.push(format!("events/{ns}"));
        scene.events.extend(acc.take(ev).unwrap_or_default());
        scene.services.extend(acc.take(svc).unwrap_or_default());
        scene.endpoints.extend(acc.take(ep).unwrap_or_default());
        scene.pvcs.extend(acc.take(pvc).unwrap_or_default());
        scene.quotas.extend(acc.take(q).unwrap_or_default());
    }
    let nodes = acc.take(nodes).unwrap_or_default();
    let used: Vec<&str> = scene
        .pods
        .iter()
        .filter_map(|p| p.spec.as_ref()?.node_name.as_deref())
        .collect();
    for n in &nodes {
        if used.contains(&facts::node_name(n)) {
            acc.scanned.push(format!("node/{}", facts::node_name(n)));
        }
    }
    scene.nodes = nodes;
    scene.events.extend(
        acc.take(node_events)
            .unwrap_or_default()
            .into_iter()
            .filter(is_node_event),
    );
    let pods = scene.pods.clone();
    scene.logs = read_logs(kube, &pods, limits, b, acc).await;
}

fn interesting(scene: &Scene, p: &Pod) -> bool {
    if facts::phase(p) == "Succeeded" {
        return false;
    }
    !facts::pod_ready(p)
        || facts::statuses(p).any(|c| {
            facts::waiting(c).is_some()
                || facts::last_termination(c)
                    .and_then(|t| t.finished_at.as_ref())
                    .is_some_and(|t| scene.in_window(t.0))
        })
}

async fn gather_triage(kube: &Kube, scene: &mut Scene, acc: &mut Acc, limits: Limits, b: Budget) {
    let warn = ListParams::default().fields("type=Warning").limit(500);
    let pods_lp = ListParams::default().limit(2000);
    let nodes_lp = ListParams::default().limit(500);
    let (pods, events, nodes) = tokio::join!(
        kube.list::<Pod>(None, &pods_lp, b.left()),
        kube.list::<Event>(None, &warn, b.left()),
        kube.list_cluster::<Node>(&nodes_lp, b.left()),
    );
    let all = match acc.take(pods) {
        Some(all) => {
            acc.scanned.push("pods (all namespaces)".into());
            all
        }
        None => Vec::new(),
    };
    scene.cluster_pods = all.len();
    if let Some(ev) = acc.take(events) {
        acc.scanned.push("warning events (all namespaces)".into());
        scene.events = ev;
    }
    if let Some(n) = acc.take(nodes) {
        acc.scanned.push("nodes".into());
        scene.nodes = n;
    }
    let mut picked: Vec<Pod> = all
        .iter()
        .filter(|p| interesting(scene, p))
        .cloned()
        .collect();
    picked.sort_by_key(|p| std::cmp::Reverse(facts::restarts(p)));
    picked.truncate(limits.triage_pods);
    for p in &picked {
        let (kind, name) = facts::owner_unit(p);
        let ns = facts::pod_ns(p).to_owned();
        if !scene
            .units
            .iter()
            .any(|u| u.kind == kind && u.namespace == ns && u.name == name)
        {
            scene.units.push(Unit {
                kind,
                namespace: ns,
                name,
                workload: None,
            });
        }
    }
    // Healthy pods still count for the snapshot lines; keep the picked ones for analysis.
    scene.pods = picked;
    let lim = Limits {
        log_pods: 5,
        ..limits
    };
    let pods = scene.pods.clone();
    scene.logs = read_logs(kube, &pods, lim, b, acc).await;
}
