//! Table-driven tests of every analyzer family on small hand-written cluster states (one file
//! per family; the builders are here). The alert is at 12:00 with the usual window
//! (11:30 – 12:05); `t("11:50")` is a time that day.

pub(super) use super::*;

mod autoscaling;
mod batch;
mod containers;
mod control_plane;
mod health;
mod infra;
mod jobs;
mod logs;
mod network;
mod nodes;
mod oom;
mod parsers;
mod probes;
mod rollout;
mod scheduling;
mod services;
mod startup;
pub(super) use jiff::SignedDuration;
pub(super) use serde_json::{Value, json};
pub(super) use sremesh_core::Category;

pub(super) const DAY: &str = "2026-04-18";

pub(super) fn t(hm: &str) -> String {
    format!("{DAY}T{hm}:00Z")
}

pub(super) fn alert() -> Timestamp {
    t("12:00").parse().unwrap()
}

pub(super) fn from<T: serde::de::DeserializeOwned>(v: Value) -> T {
    serde_json::from_value(v).unwrap()
}

/// A pod of Deployment `app` (ReplicaSet `app-abc12345`) in namespace `ns`.
pub(super) fn pod(name: &str, status: Value) -> Value {
    json!({
        "metadata": {"name": name, "namespace": "ns", "labels": {"app": "app", "pod-template-hash": "abc12345"},
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "app-abc12345", "uid": "u", "controller": true}]},
        "spec": {"nodeName": "node-1", "containers": [{"name": "app", "image": "r/app:v2", "ports": [{"containerPort": 8080}],
            "resources": {"limits": {"memory": "512Mi"}},
            "livenessProbe": {"httpGet": {"path": "/healthz", "port": 8081}},
            "readinessProbe": {"httpGet": {"path": "/ready", "port": 8080}}}]},
        "status": status,
    })
}

pub(super) fn running(ready: bool, restarts: i32, last: Option<(&str, i32, &str)>) -> Value {
    let mut c = json!({"name": "app", "image": "r/app:v2", "imageID": "", "ready": ready, "restartCount": restarts,
        "state": {"running": {"startedAt": t("11:40")}}});
    if let Some((reason, code, at)) = last {
        c["lastState"] =
            json!({"terminated": {"reason": reason, "exitCode": code, "finishedAt": t(at)}});
    }
    json!({"phase": "Running", "conditions": [{"type": "Ready", "status": if ready {"True"} else {"False"}, "lastTransitionTime": t("11:40")}],
        "containerStatuses": [c]})
}

pub(super) fn waiting(
    reason: &str,
    message: &str,
    restarts: i32,
    last: Option<(&str, i32, &str)>,
) -> Value {
    let mut c = json!({"name": "app", "image": "r/app:v2", "imageID": "", "ready": false, "restartCount": restarts,
        "state": {"waiting": {"reason": reason, "message": message}}});
    if let Some((r, code, at)) = last {
        c["lastState"] =
            json!({"terminated": {"reason": r, "exitCode": code, "finishedAt": t(at)}});
    }
    let phase = if restarts > 0 || reason == "CrashLoopBackOff" {
        "Running"
    } else {
        "Pending"
    };
    json!({"phase": phase, "conditions": [{"type": "Ready", "status": "False"}], "containerStatuses": [c]})
}

pub(super) fn event(
    kind: &str,
    name: &str,
    ty: &str,
    reason: &str,
    message: &str,
    at: &str,
    count: i32,
) -> Value {
    json!({"metadata": {"name": format!("{name}.{reason}"), "namespace": "ns"},
        "involvedObject": {"kind": kind, "name": name, "namespace": "ns", "fieldPath": "spec.containers{app}"},
        "type": ty, "reason": reason, "message": message, "count": count,
        "firstTimestamp": t(at), "lastTimestamp": t(at)})
}

pub(super) fn log(pod: &str, previous: bool, lines: &[(&str, &str)]) -> ContainerLog {
    ContainerLog {
        namespace: "ns".into(),
        pod: pod.into(),
        container: "app".into(),
        previous,
        lines: lines
            .iter()
            .map(|(at, text)| LogLine {
                at: Some(t(at).parse().unwrap()),
                text: (*text).to_owned(),
            })
            .collect(),
    }
}

pub(super) fn node(name: &str, ready: &str, pressure: Option<&str>) -> Value {
    let mut conds = vec![
        json!({"type": "Ready", "status": ready, "message": "Kubelet stopped posting node status.", "lastTransitionTime": t("11:45")}),
    ];
    if let Some(p) = pressure {
        conds.push(json!({"type": p, "status": "True", "message": "kubelet has disk pressure", "lastTransitionTime": t("11:50")}));
    }
    json!({"metadata": {"name": name}, "status": {"conditions": conds}})
}

/// The state a case starts from.
#[derive(Default)]
pub(super) struct Given {
    pub(super) mode: Option<Mode>,
    pub(super) pods: Vec<Value>,
    pub(super) events: Vec<Value>,
    pub(super) logs: Vec<ContainerLog>,
    pub(super) nodes: Vec<Value>,
    pub(super) rss: Vec<Value>,
    pub(super) deployment: Option<Value>,
    pub(super) extra: Vec<(&'static str, Value)>,
    /// The unit under investigation when it is not Deployment `app`: (kind, name, object).
    pub(super) unit: Option<(crate::target::Kind, &'static str, Option<Workload>)>,
    pub(super) jobs: Vec<Value>,
    pub(super) hpas: Vec<Value>,
    /// kube-system add-on pods.
    pub(super) addons: Vec<Value>,
    pub(super) claims: Vec<Value>,
}

pub(super) fn scene(g: Given) -> Scene {
    let w = TimeWindow::around(
        alert(),
        SignedDuration::from_mins(30),
        SignedDuration::from_mins(5),
    );
    let mut s = Scene::new(alert(), w, g.mode.unwrap_or(Mode::Target));
    s.pods = g.pods.into_iter().map(from).collect();
    s.events = g.events.into_iter().map(from).collect();
    s.logs = g.logs;
    s.nodes = g.nodes.into_iter().map(from).collect();
    s.replica_sets = g.rss.into_iter().map(from).collect();
    s.jobs = g.jobs.into_iter().map(from).collect();
    s.hpas = g.hpas.into_iter().map(from).collect();
    s.addon_pods = g.addons.into_iter().map(from).collect();
    s.node_claims = g.claims.into_iter().map(from).collect();
    for (k, v) in g.extra {
        match k {
            "service" => s.services.push(from(v)),
            "endpoints" => s.endpoints.push(from(v)),
            "endpointslice" => s.endpoint_slices.push(from(v)),
            "ingress" => s.ingresses.push(from(v)),
            "netpol" => s.network_policies.push(from(v)),
            "pvc" => s.pvcs.push(from(v)),
            "pv" => s.pvs.push(from(v)),
            "pdb" => s.pdbs.push(from(v)),
            "cronjob" => s.peer_cronjobs.push(from(v)),
            "cron_pod" => s.cron_pods.push(from(v)),
            "drain_pod" => s.drain_pods.push(from(v)),
            _ => s.quotas.push(from(v)),
        }
    }
    match (s.mode, g.unit) {
        (Mode::Target, Some((kind, name, workload))) => s.units.push(Unit {
            kind,
            namespace: "ns".into(),
            name: name.into(),
            workload,
        }),
        (Mode::Target, None) => s.units.push(Unit {
            kind: crate::target::Kind::Deployment,
            namespace: "ns".into(),
            name: "app".into(),
            workload: g
                .deployment
                .map(|d| Workload::Deployment(Box::new(from(d)))),
        }),
        _ => {
            for p in s.pods.clone() {
                let (kind, name) = facts::owner_unit(&p);
                if !s.units.iter().any(|u| u.name == name) {
                    s.units.push(Unit {
                        kind,
                        namespace: "ns".into(),
                        name,
                        workload: None,
                    });
                }
            }
        }
    }
    s
}

/// What a case expects: findings of `kind` (with `category`, and these strings in their text)
/// present, or — with `present: false` — absent.
pub(super) struct Expect {
    pub(super) kind: &'static str,
    pub(super) category: Option<Category>,
    pub(super) text: &'static [&'static str],
    pub(super) present: bool,
}

pub(super) const fn yes(
    kind: &'static str,
    category: Option<Category>,
    text: &'static [&'static str],
) -> Expect {
    Expect {
        kind,
        category,
        text,
        present: true,
    }
}

pub(super) const fn no(kind: &'static str) -> Expect {
    Expect {
        kind,
        category: None,
        text: &[],
        present: false,
    }
}

pub(super) fn check(name: &str, a: Analyzer, g: Given, want: &[Expect]) {
    let s = scene(g);
    let got = a(&s);
    let dump: Vec<String> = got
        .iter()
        .map(|f| {
            format!(
                "{} {:?} {}\n  {}",
                f.kind,
                f.category,
                f.title,
                f.evidence.join("\n  ")
            )
        })
        .collect();
    for e in want {
        let hit = got.iter().find(|f| f.kind == e.kind);
        if !e.present {
            assert!(
                hit.is_none(),
                "{name}: unexpected {}\n{}",
                e.kind,
                dump.join("\n")
            );
            continue;
        }
        let f = hit.unwrap_or_else(|| panic!("{name}: no {}\n{}", e.kind, dump.join("\n")));
        assert_eq!(
            f.category,
            e.category,
            "{name}: category of {}\n{}",
            e.kind,
            dump.join("\n")
        );
        for x in e.text {
            assert!(
                f.text().contains(x),
                "{name}: '{x}' not in {}\n{}",
                e.kind,
                dump.join("\n")
            );
        }
        assert!(
            f.evidence.iter().all(|l| l.chars().count() <= 300),
            "{name}"
        );
    }
}

pub(super) use Category::*;
