//! Scheduling, quota and evictions.

use super::*;

#[test]
fn scheduling() {
    let pending = || json!({"phase": "Pending", "conditions": [{"type": "PodScheduled", "status": "False", "reason": "Unschedulable"}]});
    let unscheduled = |status: Value| {
        let mut p = pod("app-abc12345-ccccc", status);
        p["spec"]["nodeName"] = Value::Null;
        p
    };
    let cases: Vec<(&str, Given, Vec<Expect>)> = vec![
        (
            "insufficient memory",
            Given {
                pods: vec![unscheduled(pending())],
                events: vec![event(
                    "Pod",
                    "app-abc12345-ccccc",
                    "Warning",
                    "FailedScheduling",
                    "0/4 nodes are available: 4 Insufficient memory. preemption: 0/4 nodes are available: 4 No preemption victims found for incoming pod.",
                    "11:59",
                    7,
                )],
                ..Default::default()
            },
            vec![yes(
                "scheduling_failed",
                Some(ResourceExhaustion),
                &["FailedScheduling", "4 Insufficient memory"],
            )],
        ),
        (
            "node selector",
            Given {
                pods: vec![unscheduled(pending())],
                events: vec![event(
                    "Pod",
                    "app-abc12345-ccccc",
                    "Warning",
                    "FailedScheduling",
                    "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector.",
                    "11:59",
                    3,
                )],
                ..Default::default()
            },
            vec![yes(
                "scheduling_failed",
                Some(ConfigurationError),
                &["node affinity/selector"],
            )],
        ),
        (
            "an old FailedScheduling is history",
            Given {
                pods: vec![unscheduled(pending())],
                events: vec![event(
                    "Pod",
                    "app-abc12345-ccccc",
                    "Warning",
                    "FailedScheduling",
                    "0/3 nodes are available: 3 Insufficient cpu.",
                    "08:00",
                    3,
                )],
                ..Default::default()
            },
            vec![no("scheduling_failed")],
        ),
        (
            "quota",
            Given {
                rss: vec![
                    json!({"metadata": {"name": "app-abc12345", "namespace": "ns", "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "app", "uid": "d"}]}}),
                ],
                events: vec![event(
                    "ReplicaSet",
                    "app-abc12345",
                    "Warning",
                    "FailedCreate",
                    "Error creating: pods \"app-abc12345-x\" is forbidden: exceeded quota: mem-quota, requested: requests.memory=1Gi, used: requests.memory=7Gi, limited: requests.memory=8Gi",
                    "11:57",
                    3,
                )],
                extra: vec![(
                    "quota",
                    json!({"metadata": {"name": "mem-quota", "namespace": "ns"}, "status": {"hard": {"requests.memory": "8Gi"}, "used": {"requests.memory": "7Gi"}}}),
                )],
                ..Default::default()
            },
            vec![yes(
                "quota_exceeded",
                Some(ResourceExhaustion),
                &["exceeded quota: mem-quota", "requests.memory 7Gi/8Gi"],
            )],
        ),
        (
            "evicted by node pressure",
            Given {
                pods: vec![pod(
                    "app-abc12345-ddddd",
                    json!({"phase": "Failed", "reason": "Evicted", "message": "The node was low on resource: memory."}),
                )],
                events: vec![event(
                    "Pod",
                    "app-abc12345-ddddd",
                    "Warning",
                    "Evicted",
                    "The node was low on resource: memory. Threshold quantity: 100Mi, available: 80Mi.",
                    "11:52",
                    1,
                )],
                ..Default::default()
            },
            vec![yes(
                "evicted",
                Some(Infrastructure),
                &["Evicted", "low on resource: memory"],
            )],
        ),
        (
            "evicted over its own limit",
            Given {
                pods: vec![pod(
                    "app-abc12345-ddddd",
                    json!({"phase": "Failed", "reason": "Evicted", "message": "Pod ephemeral local storage usage exceeds the total limit of containers 1Gi."}),
                )],
                ..Default::default()
            },
            vec![yes(
                "evicted",
                Some(ResourceExhaustion),
                &["exceeds the total limit"],
            )],
        ),
        (
            "a StatefulSet pod evicted and recreated: only the event is left",
            Given {
                unit: Some((crate::target::Kind::StatefulSet, "db", None)),
                pods: vec![json!({
                    "metadata": {"name": "db-2", "namespace": "ns", "labels": {"app": "db"},
                        "ownerReferences": [{"apiVersion": "apps/v1", "kind": "StatefulSet", "name": "db", "uid": "s", "controller": true}]},
                    "spec": {"containers": [{"name": "db", "image": "db:1"}]},
                    "status": {"phase": "Pending", "conditions": [{"type": "PodScheduled", "status": "False"}]},
                })],
                events: vec![
                    event(
                        "Pod",
                        "db-2",
                        "Warning",
                        "Evicted",
                        "The node was low on resource: memory. Threshold quantity: 100Mi, available: 71224Ki.",
                        "11:44",
                        1,
                    ),
                    {
                        let mut e = event(
                            "Node",
                            "node-3",
                            "Warning",
                            "EvictionThresholdMet",
                            "Attempting to reclaim memory",
                            "11:50",
                            6,
                        );
                        e["involvedObject"] = json!({"kind": "Node", "name": "node-3"});
                        e
                    },
                    // Another workload's eviction is not ours.
                    event(
                        "Pod",
                        "dbx-0",
                        "Warning",
                        "Evicted",
                        "The node was low on resource: memory.",
                        "11:44",
                        1,
                    ),
                ],
                ..Default::default()
            },
            vec![yes(
                "evicted",
                Some(Infrastructure),
                &[
                    "db-2 Evicted: The node was low on resource: memory",
                    "EvictionThresholdMet",
                ],
            )],
        ),
        (
            "a Deployment pod evicted and deleted: its event names it",
            Given {
                pods: vec![pod("app-abc12345-aaaaa", running(true, 0, None))],
                events: vec![event(
                    "Pod",
                    "app-abc12345-zzzzz",
                    "Warning",
                    "Evicted",
                    "The node was low on resource: ephemeral-storage.",
                    "11:44",
                    1,
                )],
                ..Default::default()
            },
            vec![yes(
                "evicted",
                Some(Infrastructure),
                &["app-abc12345-zzzzz Evicted"],
            )],
        ),
        (
            "a drain (no resource pressure) is planned, not a cause",
            Given {
                pods: vec![pod("app-abc12345-aaaaa", running(true, 0, None))],
                events: vec![event(
                    "Pod",
                    "app-abc12345-zzzzz",
                    "Normal",
                    "Evicted",
                    "Evicted pod: Consolidation",
                    "11:44",
                    1,
                )],
                ..Default::default()
            },
            vec![yes("evicted", None, &["Evicted"])],
        ),
        (
            "pods evicted minutes after their node's spot interruption name it, as no cause",
            Given {
                pods: vec![pod("app-abc12345-aaaaa", running(true, 0, None))],
                events: vec![
                    event(
                        "Pod",
                        "app-abc12345-zzzzz",
                        "Warning",
                        "Evicted",
                        "Evicted pod",
                        "11:46",
                        1,
                    ),
                    spot_interrupted("11:45"),
                ],
                ..Default::default()
            },
            vec![yes(
                "evicted",
                None,
                &["their node ip-10-8-71-203 was taken away: SpotInterrupted"],
            )],
        ),
    ];
    for (name, g, want) in cases {
        check(name, pods_out, g, &want);
    }
}

/// Karpenter's event on a node whose spot capacity is being reclaimed, at `hhmm`.
fn spot_interrupted(hhmm: &str) -> serde_json::Value {
    let node = "ip-10-8-71-203.us-east-2.compute.internal";
    let mut e = event(
        "Node",
        node,
        "Warning",
        "SpotInterrupted",
        "Spot interruption warning was triggered",
        hhmm,
        1,
    );
    e["involvedObject"] = json!({"kind": "Node", "name": node});
    e
}

/// A node interruption long before the evictions is not their cause.
#[test]
fn a_spot_interruption_long_before_the_evictions_does_not_explain_them() {
    let g = Given {
        pods: vec![pod("app-abc12345-aaaaa", running(true, 0, None))],
        events: vec![
            event(
                "Pod",
                "app-abc12345-zzzzz",
                "Warning",
                "Evicted",
                "Evicted pod",
                "11:46",
                1,
            ),
            spot_interrupted("11:20"),
        ],
        ..Default::default()
    };
    let out = pods_out(&scene(g));
    let f = out
        .iter()
        .find(|f| f.kind == "evicted")
        .unwrap_or_else(|| panic!("no eviction in {out:#?}"));
    assert_eq!(f.attributes["reason"], "other", "{f:#?}");
    assert!(!f.title.contains("taken away"), "{}", f.title);
}

/// Scheduling and evictions together: the cases mix them.
fn pods_out(s: &Scene) -> Vec<Finding> {
    let mut out = crate::analyzers::scheduling::analyze(s);
    out.extend(crate::analyzers::evictions::analyze(s));
    out
}
