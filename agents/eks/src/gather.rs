//! Reads what the analyzers need, concurrently and each call within the job's budget: the
//! target's workloads, pods, ReplicaSets (a Job's or CronJob's runs: [`jobs`]), events,
//! Services/Endpoints (EndpointSlices, Ingresses and NetworkPolicies: [`network`]), PVCs,
//! quotas, HPAs, nodes and their events, the kube-system add-ons ([`addons`]) and container logs
//! ([`logs`]) — or, with no target, a capped cluster-wide triage. Either way, PodDisruptionBudgets
//! and CronJobs cluster-wide, and the runs of CronJobs scheduled twice ([`cluster`]). Failed calls
//! are recorded, never fatal.

use crate::analyzers::{Mode, Scene, Unit, Workload, facts};
use crate::client::{Kube, KubeError};
use crate::resolve::Target;
use crate::target::Kind;
use futures::future::join_all;
use jiff::Timestamp;
use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::{
    Endpoints, Event, Node, PersistentVolume, PersistentVolumeClaim, Pod, ResourceQuota, Service,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use kube::api::ListParams;
use sremesh_agent::Deadline;
use sremesh_core::TimeWindow;
use std::time::Duration;

mod addons;
mod cluster;
mod jobs;
mod logs;
mod network;
mod startup;

use logs::read_logs;

/// PersistentVolumes read for the claims of pods that are not Ready.
const MAX_PVS: usize = 4;

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
            log_tail: 300,
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
        // Jobs and CronJobs are read with their runs ([`jobs`]).
        Kind::Job | Kind::CronJob | Kind::Pod => None,
    })
}

fn workload_selector(w: &Workload) -> Option<String> {
    let sel = match w {
        Workload::Deployment(d) => d.spec.as_ref().map(|s| &s.selector),
        Workload::StatefulSet(d) => d.spec.as_ref().map(|s| &s.selector),
        Workload::DaemonSet(d) => d.spec.as_ref().map(|s| &s.selector),
        Workload::Job(_) | Workload::CronJob(_) => None,
    }?;
    let s = selector_string(sel);
    (!s.is_empty()).then_some(s)
}

/// What was read for one unit.
struct UnitState {
    unit: Unit,
    pods: Vec<Pod>,
    rss: Vec<ReplicaSet>,
    jobs: Vec<Job>,
    cronjobs: Vec<CronJob>,
    acc: Acc,
}

/// A unit's object and pods (a Deployment's ReplicaSets, a Job's or CronJob's runs).
async fn unit_state(
    kube: &Kube,
    u: &crate::resolve::UnitRef,
    limits: Limits,
    b: Budget,
) -> UnitState {
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
    let mut st = UnitState {
        unit: unit.clone(),
        pods: Vec::new(),
        rss: Vec::new(),
        jobs: Vec::new(),
        cronjobs: Vec::new(),
        acc: Acc {
            scanned: Vec::new(),
            errors: Vec::new(),
        },
    };
    match u.kind {
        Kind::Pod => {
            if let Some(Some(p)) = acc.take(kube.get::<Pod>(&u.namespace, &u.name, b.left()).await)
            {
                st.pods.push(p);
            }
        }
        Kind::Job | Kind::CronJob => {
            let runs = jobs::runs(kube, &mut unit, limits, b, &mut acc).await;
            st.pods = runs.pods;
            st.jobs = runs.jobs;
            st.cronjobs = runs.cronjobs;
        }
        _ => {
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
                st.pods = acc.take(p).unwrap_or_default();
                st.rss = acc.take(r).unwrap_or_default();
            } else {
                st.pods = acc
                    .take(kube.list::<Pod>(Some(&u.namespace), &lp, b.left()).await)
                    .unwrap_or_default();
            }
        }
    }
    st.unit = unit;
    st.acc = acc;
    st
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
            let mut net_acc = Acc {
                scanned: Vec::new(),
                errors: Vec::new(),
            };
            let (lists, net) = tokio::join!(
                async {
                    tokio::join!(
                        kube.list::<Event>(Some(ns), &lp, b.left()),
                        kube.list::<Service>(Some(ns), &lp, b.left()),
                        kube.list::<Endpoints>(Some(ns), &lp, b.left()),
                        kube.list::<PersistentVolumeClaim>(Some(ns), &lp, b.left()),
                        kube.list::<ResourceQuota>(Some(ns), &lp, b.left()),
                        kube.list::<HorizontalPodAutoscaler>(Some(ns), &lp, b.left()),
                    )
                },
                network::read(kube, ns, b, &mut net_acc),
            );
            (lists, net, net_acc)
        }
    }));
    let mut addon_acc = Acc {
        scanned: Vec::new(),
        errors: Vec::new(),
    };
    let node_events_lp = ListParams::default()
        .fields("involvedObject.kind=Node")
        .limit(500);
    let nodes_lp = ListParams::default().limit(500);
    let (units, per_ns, nodes, node_events, (addon_pods, addon_events)) = tokio::join!(
        join_all(target.units.iter().map(|u| unit_state(kube, u, limits, b))),
        per_ns,
        kube.list_cluster::<Node>(&nodes_lp, b.left()),
        kube.list::<Event>(None, &node_events_lp, b.left()),
        addons::read(kube, b, &mut addon_acc),
    );
    for st in units {
        acc.scanned.extend(st.acc.scanned);
        acc.errors.extend(st.acc.errors);
        for j in st.jobs {
            if !scene
                .jobs
                .iter()
                .any(|x| x.metadata.name == j.metadata.name)
            {
                scene.jobs.push(j);
            }
        }
        scene.cronjobs.extend(st.cronjobs);
        let (unit, pods, rss) = (st.unit, st.pods, st.rss);
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
    for (ns, ((ev, svc, ep, pvc, q, hpa), net, net_acc)) in namespaces.iter().zip(per_ns) {
        acc.scanned.push(format!("events/{ns}"));
        acc.scanned.extend(net_acc.scanned);
        acc.errors.extend(net_acc.errors);
        scene.endpoint_slices.extend(net.slices);
        scene.ingresses.extend(net.ingresses);
        scene.network_policies.extend(net.policies);
        scene.events.extend(acc.take(ev).unwrap_or_default());
        scene.services.extend(acc.take(svc).unwrap_or_default());
        scene.endpoints.extend(acc.take(ep).unwrap_or_default());
        scene.pvcs.extend(acc.take(pvc).unwrap_or_default());
        scene.quotas.extend(acc.take(q).unwrap_or_default());
        scene.hpas.extend(acc.take(hpa).unwrap_or_default());
    }
    // The volumes behind the claims of pods that are not Ready (PVC → PV → cloud volume).
    let mut pv_names: Vec<String> = scene
        .pods
        .iter()
        .filter(|p| !facts::pod_ready(p) && facts::phase(p) != "Succeeded")
        .flat_map(|p| crate::analyzers::volumes::bound_volumes(p, &scene.pvcs))
        .map(str::to_owned)
        .collect();
    pv_names.sort();
    pv_names.dedup();
    pv_names.truncate(MAX_PVS);
    let pvs = join_all(
        pv_names
            .iter()
            .map(|n| kube.get_cluster::<PersistentVolume>(n, b.left())),
    )
    .await;
    for (n, pv) in pv_names.iter().zip(pvs) {
        if let Some(Some(pv)) = acc.take(pv) {
            acc.scanned.push(format!("pv/{n}"));
            scene.pvs.push(pv);
        }
    }
    // Add-ons: the ones not already under investigation, and kube-system's warnings about them
    // (the target's own namespace events are already in).
    acc.scanned.extend(addon_acc.scanned);
    acc.errors.extend(addon_acc.errors);
    let unit_pods: Vec<String> = scene.pods.iter().map(facts::pod_key).collect();
    scene.addon_pods = addon_pods
        .into_iter()
        .filter(|p| !unit_pods.contains(&facts::pod_key(p)))
        .collect();
    if !namespaces.iter().any(|n| n == addons::NAMESPACE) {
        scene.events.extend(addon_events);
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
    let broken: Vec<Pod> = scene
        .addon_pods
        .iter()
        .filter(|p| crate::analyzers::addons::unhealthy(p))
        .take(3)
        .cloned()
        .collect();
    let mut addon_acc = Acc {
        scanned: Vec::new(),
        errors: Vec::new(),
    };
    let (logs, addon_logs) = tokio::join!(
        read_logs(kube, &pods, limits, 2, b, acc),
        read_logs(kube, &broken, limits, 0, b, &mut addon_acc),
    );
    acc.scanned.extend(addon_acc.scanned);
    acc.errors.extend(addon_acc.errors);
    scene.logs = logs;
    scene.logs.extend(addon_logs);
    startup::read(kube, scene, acc, limits, b).await;
    cluster::read(kube, scene, acc, b).await;
    cluster::duplicate_runs(kube, scene, acc, limits, b).await;
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
    // Critical add-ons are judged as add-ons (`addon_unhealthy`), not as workloads.
    let (addon_pods, all): (Vec<Pod>, Vec<Pod>) = all.into_iter().partition(|p| {
        facts::pod_ns(p) == addons::NAMESPACE && crate::analyzers::addons::addon_of(p).is_some()
    });
    scene.addon_pods = addon_pods;
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
    scene.drain_pods = cluster::on_cordoned(&scene.nodes, &all, &picked);
    // Healthy pods still count for the snapshot lines; keep the picked ones for analysis.
    scene.pods = picked;
    // As many pods' logs as a targeted look reads: the one replica whose log holds the cause
    // may have restarted the least.
    let lim = limits;
    let mut pods = scene.pods.clone();
    pods.extend(
        scene
            .addon_pods
            .iter()
            .filter(|p| crate::analyzers::addons::unhealthy(p))
            .take(3)
            .cloned(),
    );
    scene.logs = read_logs(kube, &pods, lim, 2, b, acc).await;
    cluster::read(kube, scene, acc, b).await;
    cluster::duplicate_runs(kube, scene, acc, limits, b).await;
}
