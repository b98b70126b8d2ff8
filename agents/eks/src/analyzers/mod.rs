//! The analyzers: pure functions from the gathered cluster state ([`Scene`]) plus the alert's
//! time and window to typed findings (docs/FINDINGS.md), k8sgpt-style. [`all`] is the explicit
//! list; [`run`] runs them and arbitrates (a kubelet-reported cause outranks log noise, a healthy
//! target carries no cause, problems that predate the alert are context only, caps).

pub mod addons;
mod arbitrate;
pub mod autoscaling;
pub mod capacity;
pub mod containers;
pub mod control_plane;
pub mod cpu;
pub mod drains;
pub mod duplicates;
pub mod evictions;
pub mod facts;
pub mod frames;
pub mod gauges;
pub mod gc;
pub mod health;
pub mod jobs;
pub mod keepalive;
pub mod lb_health;
pub mod lines;
pub mod logs;
pub mod network;
pub mod node_traits;
pub mod nodes;
pub mod probes;
pub mod retried;
pub mod rollout;
pub mod scheduling;
pub mod services;
pub mod stalls;
pub mod startup;
pub mod volumes;

pub use arbitrate::{arbitrate, priority, run};

use crate::target::Kind;
use jiff::Timestamp;
use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::{
    Endpoints, Event, Node, PersistentVolume, PersistentVolumeClaim, Pod, ResourceQuota, Service,
};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use k8s_openapi::api::networking::v1::{Ingress, NetworkPolicy};
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use sremesh_core::{Finding, Severity, TimeWindow};

/// An analyzer: gathered state in, findings out.
pub type Analyzer = fn(&Scene) -> Vec<Finding>;

/// Every analyzer family, in the order they run.
pub fn all() -> &'static [(&'static str, Analyzer)] {
    &[
        ("containers", containers::analyze),
        ("jobs", jobs::analyze),
        ("retried", retried::analyze),
        ("volumes", volumes::analyze),
        ("duplicates", duplicates::analyze),
        ("drains", drains::analyze),
        ("startup", startup::analyze),
        ("gc", gc::analyze),
        ("stalls", stalls::analyze),
        ("capacity", capacity::analyze),
        ("scheduling", scheduling::analyze),
        ("evictions", evictions::analyze),
        ("probes", probes::analyze),
        ("services", services::analyze),
        ("lb_health", lb_health::analyze),
        ("keepalive", keepalive::analyze),
        ("network", network::analyze),
        ("autoscaling", autoscaling::analyze),
        ("cpu", cpu::analyze),
        ("addons", addons::analyze),
        ("control_plane", control_plane::analyze),
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
    /// EndpointSlices in the units' namespaces.
    pub endpoint_slices: Vec<EndpointSlice>,
    /// Ingresses in the units' namespaces.
    pub ingresses: Vec<Ingress>,
    /// NetworkPolicies in the units' namespaces.
    pub network_policies: Vec<NetworkPolicy>,
    pub pvcs: Vec<PersistentVolumeClaim>,
    /// PersistentVolumes bound to the claims of the units' pods that are not Ready.
    pub pvs: Vec<PersistentVolume>,
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
    /// PodDisruptionBudgets (cluster-wide in a triage, else the units' namespaces).
    pub pdbs: Vec<PodDisruptionBudget>,
    /// Pods on cordoned nodes that are not in `pods` (a triage's whole-cluster list).
    pub drain_pods: Vec<Pod>,
    /// Every CronJob in the cluster (to find the same job scheduled twice).
    pub peer_cronjobs: Vec<CronJob>,
    /// Pods of the active runs of CronJobs scheduled twice (their logs are in `logs`).
    pub cron_pods: Vec<Pod>,
    /// Karpenter NodeClaims the target's Pending pods were nominated to (`karpenter.sh`).
    pub node_claims: Vec<kube::api::DynamicObject>,
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
            endpoint_slices: Vec::new(),
            ingresses: Vec::new(),
            network_policies: Vec::new(),
            pvcs: Vec::new(),
            pvs: Vec::new(),
            quotas: Vec::new(),
            jobs: Vec::new(),
            cronjobs: Vec::new(),
            hpas: Vec::new(),
            addon_pods: Vec::new(),
            cluster_pods: 0,
            pdbs: Vec::new(),
            drain_pods: Vec::new(),
            peer_cronjobs: Vec::new(),
            cron_pods: Vec::new(),
            node_claims: Vec::new(),
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
                // A pod listed without its ownerReferences (a trimmed export) but named like a
                // Deployment's (`<deployment>-<template hash>-<suffix>`): that Deployment's.
                if p.metadata
                    .owner_references
                    .as_ref()
                    .is_some_and(|o| !o.is_empty())
                {
                    return None;
                }
                // Or like a StatefulSet's (`<statefulset>-<ordinal>`): that StatefulSet's.
                let name = facts::pod_name(p);
                let ordinal = name
                    .rsplit_once('-')
                    .filter(|(_, n)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
                    .map(|(set, _)| set);
                self.units.iter().find(|u| {
                    u.namespace == ns
                        && ((u.kind == Kind::Deployment
                            && crate::target::deployment_of_pod(name) == Some(u.name.as_str()))
                            || (u.kind == Kind::StatefulSet && ordinal == Some(u.name.as_str())))
                })
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

#[cfg(test)]
mod tests;
