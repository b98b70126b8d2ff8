//! The analyzers: pure functions from the gathered cluster state ([`Scene`]) plus the alert's
//! time and window to typed findings (docs/FINDINGS.md), k8sgpt-style. [`all`] is the explicit
//! list; [`run`] runs them and arbitrates (a kubelet-reported cause outranks log noise, a healthy
//! target carries no cause, problems that predate the alert are context only, caps).

pub mod addons;
pub mod autoscaling;
pub mod containers;
pub mod evictions;
pub mod facts;
pub mod health;
pub mod jobs;
pub mod lines;
pub mod logs;
pub mod nodes;
pub mod probes;
pub mod rollout;
pub mod scheduling;

use crate::target::Kind;
use jiff::Timestamp;
use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::{
    Endpoints, Event, Node, PersistentVolumeClaim, Pod, ResourceQuota, Service,
};
use sremesh_core::{Finding, Severity, TimeWindow};
use std::collections::{BTreeMap, BTreeSet};

/// An analyzer: gathered state in, findings out.
pub type Analyzer = fn(&Scene) -> Vec<Finding>;

/// Every analyzer family, in the order they run.
pub fn all() -> &'static [(&'static str, Analyzer)] {
    &[
        ("containers", containers::analyze),
        ("jobs", jobs::analyze),
        ("scheduling", scheduling::analyze),
        ("evictions", evictions::analyze),
        ("probes", probes::analyze),
        ("autoscaling", autoscaling::analyze),
        ("addons", addons::analyze),
        ("nodes", nodes::analyze),
        ("rollout", rollout::analyze),
        ("logs", logs::analyze),
        ("health", health::analyze),
    ]
}

/// At most this many findings per answer.
pub const MAX_FINDINGS: usize = 40;

/// What the investigation looked at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The alert's own workloads.
    Target,
    /// Nothing matched the alert: a capped cluster-wide look.
    Triage,
    /// An always-firing heartbeat alert (Watchdog): a cluster-wide look, nothing expected.
    Heartbeat,
}

/// A workload object.
#[derive(Debug, Clone)]
pub enum Workload {
    Deployment(Box<Deployment>),
    StatefulSet(Box<StatefulSet>),
    DaemonSet(Box<DaemonSet>),
    Job(Box<Job>),
    CronJob(Box<CronJob>),
}

/// One workload under investigation (a bare pod is its own unit).
#[derive(Debug, Clone)]
pub struct Unit {
    pub kind: Kind,
    pub namespace: String,
    pub name: String,
    /// The object, when it was read.
    pub workload: Option<Workload>,
}

impl Unit {
    /// `deployment/<ns>/<name>`.
    pub fn resource(&self) -> String {
        format!("{}/{}/{}", self.kind.as_str(), self.namespace, self.name)
    }

    /// `<ns>/<name>`.
    pub fn key(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }

    /// The service findings name: the workload, except that a CronJob's Job is its CronJob
    /// (every run has a new name; the CronJob is what people and other agents call it).
    pub fn service(&self) -> String {
        match &self.workload {
            Some(Workload::Job(j)) => facts::cronjob_owner(j).unwrap_or(&self.name).to_owned(),
            _ => self.name.clone(),
        }
    }
}

/// One log line with its kubelet timestamp.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogLine {
    pub at: Option<Timestamp>,
    pub text: String,
}

/// A container's log tail (current or previous instance).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerLog {
    pub namespace: String,
    pub pod: String,
    pub container: String,
    pub previous: bool,
    pub lines: Vec<LogLine>,
}

impl ContainerLog {
    /// Parses `kubectl logs --timestamps` output.
    pub fn parse(namespace: &str, pod: &str, container: &str, previous: bool, text: &str) -> Self {
        let lines = text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| match l.split_once(' ') {
                Some((ts, rest)) => match ts.parse::<Timestamp>() {
                    Ok(at) => LogLine {
                        at: Some(at),
                        text: rest.to_owned(),
                    },
                    Err(_) => LogLine {
                        at: None,
                        text: l.to_owned(),
                    },
                },
                None => LogLine {
                    at: None,
                    text: l.to_owned(),
                },
            })
            .collect();
        Self {
            namespace: namespace.to_owned(),
            pod: pod.to_owned(),
            container: container.to_owned(),
            previous,
            lines,
        }
    }
}

/// Everything the analyzers see: the alert's time and window, the units under investigation and
/// the cluster state gathered for them.
#[derive(Debug, Clone)]
pub struct Scene {
    pub alert_time: Timestamp,
    pub window: TimeWindow,
    pub mode: Mode,
    pub alertname: Option<String>,
    pub units: Vec<Unit>,
    pub pods: Vec<Pod>,
    pub events: Vec<Event>,
    pub logs: Vec<ContainerLog>,
    pub replica_sets: Vec<ReplicaSet>,
    pub nodes: Vec<Node>,
    pub services: Vec<Service>,
    pub endpoints: Vec<Endpoints>,
    pub pvcs: Vec<PersistentVolumeClaim>,
    pub quotas: Vec<ResourceQuota>,
    /// The runs of the Jobs and CronJobs under investigation (a CronJob's Jobs, newest first).
    pub jobs: Vec<Job>,
    pub cronjobs: Vec<CronJob>,
    /// HorizontalPodAutoscalers in the units' namespaces.
    pub hpas: Vec<HorizontalPodAutoscaler>,
    /// Pods of the cluster's critical add-ons (kube-system: metrics-server, CoreDNS, VPC CNI …).
    pub addon_pods: Vec<Pod>,
    /// Pods listed cluster-wide by a triage (the picked ones are in `pods`).
    pub cluster_pods: usize,
}

impl Scene {
    /// An empty scene for `window` around `alert_time`.
    pub fn new(alert_time: Timestamp, window: TimeWindow, mode: Mode) -> Self {
        Self {
            alert_time,
            window,
            mode,
            alertname: None,
            units: Vec::new(),
            pods: Vec::new(),
            events: Vec::new(),
            logs: Vec::new(),
            replica_sets: Vec::new(),
            nodes: Vec::new(),
            services: Vec::new(),
            endpoints: Vec::new(),
            pvcs: Vec::new(),
            quotas: Vec::new(),
            jobs: Vec::new(),
            cronjobs: Vec::new(),
            hpas: Vec::new(),
            addon_pods: Vec::new(),
            cluster_pods: 0,
        }
    }

    /// True when `t` is inside the investigation window.
    pub fn in_window(&self, t: Timestamp) -> bool {
        self.window.contains(t)
    }

    /// Events last seen inside the window.
    pub fn recent_events(&self) -> impl Iterator<Item = &Event> {
        self.events
            .iter()
            .filter(|e| facts::event_last(e).is_some_and(|t| self.in_window(t)))
    }

    /// Recent events about one object (`kind`, `ns`, `name`; ns ignored for cluster objects).
    pub fn recent_events_for<'a>(
        &'a self,
        kind: &'a str,
        ns: &'a str,
        name: &'a str,
    ) -> impl Iterator<Item = &'a Event> + 'a {
        self.recent_events().filter(move |e| {
            let o = &e.involved_object;
            o.kind.as_deref() == Some(kind)
                && o.name.as_deref() == Some(name)
                && (kind == "Node" || o.namespace.as_deref().is_none_or(|n| n == ns))
        })
    }

    /// The unit a pod belongs to.
    pub fn unit_of(&self, p: &Pod) -> Option<&Unit> {
        let (kind, name) = facts::owner_unit(p);
        let ns = facts::pod_ns(p);
        self.units
            .iter()
            .find(|u| u.namespace == ns && u.kind == kind && u.name == name)
            .or_else(|| {
                // A CronJob's run: the CronJob's unit.
                if kind != Kind::Job {
                    return None;
                }
                let cron = self
                    .jobs
                    .iter()
                    .find(|j| {
                        j.metadata.name.as_deref() == Some(name.as_str())
                            && j.metadata.namespace.as_deref() == Some(ns)
                    })
                    .and_then(facts::cronjob_owner)?;
                self.units
                    .iter()
                    .find(|u| u.namespace == ns && u.kind == Kind::CronJob && u.name == cron)
            })
            .or_else(|| {
                // A Deployment pod whose ReplicaSet has no Deployment: its own unit.
                self.units.iter().find(|u| {
                    u.namespace == ns && u.kind == Kind::Pod && u.name == facts::pod_name(p)
                })
            })
    }

    /// The pods of a unit.
    pub fn pods_of<'a>(&'a self, u: &'a Unit) -> impl Iterator<Item = &'a Pod> + 'a {
        self.pods.iter().filter(move |p| {
            self.unit_of(p)
                .is_some_and(|x| x.kind == u.kind && x.namespace == u.namespace && x.name == u.name)
        })
    }

    /// The logs of one pod's container.
    pub fn log(&self, p: &Pod, container: &str, previous: bool) -> Option<&ContainerLog> {
        self.logs.iter().find(|l| {
            l.namespace == facts::pod_ns(p)
                && l.pod == facts::pod_name(p)
                && l.container == container
                && l.previous == previous
        })
    }

    /// True when the unit has no Ready pod (service down).
    pub fn unit_down(&self, u: &Unit) -> bool {
        !self.pods_of(u).any(facts::pod_ready)
    }
}

/// A finding about a unit with the usual fields set.
pub fn unit_finding(kind: &str, u: &Unit, severity: Severity, title: impl Into<String>) -> Finding {
    Finding::new(format!("{kind}:{}", u.key()), kind, severity, title)
        .with_resource(u.resource())
        .with_service(u.service())
        .with_attr("namespace", u.namespace.clone())
}

/// Kinds that rest on what the kubelet, scheduler or controllers reported about the workload;
/// when one carries a cause, log signatures of the same workload are secondary.
const STATE_KINDS: &[&str] = &[
    "oom_killed",
    "crash_loop",
    "job_failed",
    "hpa_unhealthy",
    "addon_unhealthy",
    "image_pull",
    "config_missing",
    "scheduling_failed",
    "quota_exceeded",
    "probe_failed",
    "evicted",
    "node_not_ready",
    "node_pressure",
];

/// Root causes before their consequences when severities tie (a node's pressure before the
/// evictions it caused, before the Pending replacement).
pub fn priority(kind: &str) -> usize {
    const ORDER: &[&str] = &[
        "node_not_ready",
        "node_pressure",
        "addon_unhealthy",
        "oom_killed",
        "config_missing",
        "image_pull",
        "quota_exceeded",
        "job_failed",
        "crash_loop",
        "hpa_unhealthy",
        "probe_failed",
        "evicted",
        "scheduling_failed",
        "log_signature",
        "not_ready",
        "rollout_stuck",
        "recent_rollout",
        "node_rebooted",
        "target_healthy",
        "target_not_found",
    ];
    ORDER.iter().position(|k| *k == kind).unwrap_or(ORDER.len())
}

fn demote(f: &mut Finding, why: &str, cap: Severity) {
    if f.category.take().is_some() {
        f.attributes.insert("demoted".into(), why.into());
    }
    f.severity = f.severity.min(cap);
}

/// Runs every analyzer and arbitrates between their findings.
pub fn run(scene: &Scene) -> Vec<Finding> {
    let mut out: Vec<Finding> = all().iter().flat_map(|(_, a)| a(scene)).collect();
    arbitrate(scene, &mut out);
    out
}

/// Cross-analyzer rules (see the module docs), then ordering, unique ids and the cap.
pub fn arbitrate(scene: &Scene, out: &mut Vec<Finding>) {
    let healthy: BTreeSet<String> = out
        .iter()
        .filter(|f| f.kind == "target_healthy")
        .filter_map(|f| f.service.clone())
        .collect();
    let caused: BTreeSet<String> = out
        .iter()
        .filter(|f| STATE_KINDS.contains(&f.kind.as_str()) && f.category.is_some())
        .filter_map(|f| f.service.clone())
        .collect();
    // Signatures a crash-loop or failed-job finding already cites, per service.
    let cited: BTreeSet<(String, String)> = out
        .iter()
        .filter(|f| f.kind == "crash_loop" || f.kind == "job_failed")
        .filter_map(|f| {
            Some((
                f.service.clone()?,
                f.attributes.get("signature")?.as_str()?.to_owned(),
            ))
        })
        .collect();
    out.retain(|f| {
        f.kind != "log_signature"
            || !f.service.as_ref().is_some_and(|s| {
                f.attributes
                    .get("signature")
                    .and_then(|v| v.as_str())
                    .is_some_and(|sig| cited.contains(&(s.clone(), sig.to_owned())))
            })
    });
    for f in out.iter_mut() {
        let svc = f.service.clone().unwrap_or_default();
        if f.kind != "target_healthy" && healthy.contains(&svc) {
            demote(f, "the workload is healthy now", Severity::Low);
        } else if f.kind == "log_signature" && caused.contains(&svc) {
            demote(
                f,
                "secondary: the kubelet reports the workload's failure cause",
                Severity::Low,
            );
        }
        if scene.mode != Mode::Target && f.category.is_some() {
            let onset = f
                .attributes
                .get("onset")
                .and_then(|v| v.as_str())
                .and_then(|s| s.parse::<Timestamp>().ok())
                .or(f.at);
            if onset.is_some_and(|t| t < scene.window.start) {
                demote(f, "predates the alert's window", Severity::Info);
                f.title = format!("{} (predates the alert)", f.title);
            }
        }
        f.evidence = facts::cap_evidence(std::mem::take(&mut f.evidence));
    }
    out.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(b.category.is_some().cmp(&a.category.is_some()))
            .then(priority(&a.kind).cmp(&priority(&b.kind)))
    });
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for f in out.iter_mut() {
        let n = seen.entry(f.id.clone()).or_insert(0);
        *n += 1;
        if *n > 1 {
            f.id = format!("{}#{n}", f.id);
        }
    }
    out.truncate(MAX_FINDINGS);
}

#[cfg(test)]
mod tests;
