//! The tools (named as the catalogue says) and the snapshot, against the sandbox.

use crate::common::*;
use sremesh_agent::Deadline;
use sremesh_agent::tool::ToolError;
use sremesh_core::SnapshotStatus;
use std::sync::Arc;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tools_match_the_catalogue_and_wrap_the_analyzers() {
    let want = sremesh_core::catalogue::agent("eks").unwrap().tools;
    let s = load("bad-rollout-payments-api");
    let r = start(s.clone()).await;
    let set = sremesh_eks::tools::tools(Arc::new(agent(&r).await));
    assert_eq!(set.names(), want);
    let d = || Deadline::after(Duration::from_secs(10));
    let at = s.now.to_string();

    let out = set
        .get("gather_eks_state")
        .unwrap()
        .call(serde_json::json!({"namespace": "payments", "selectors": ["app=payments-api"], "alert_time": at}), d())
        .await
        .unwrap();
    let crash = out
        .findings
        .iter()
        .find(|f| f.kind == "crash_loop")
        .expect("crash_loop");
    assert!(crash.title.contains("TypeError"), "{}", crash.title);
    assert_eq!(
        out.data["workloads"],
        serde_json::json!(["deployment/payments/payments-api"])
    );
    assert!(
        out.scanned
            .iter()
            .any(|x| x.starts_with("logs/payments/payments-api-8d7c6b5f4"))
    );

    // Names work too: a pod name walks to its Deployment.
    let out = set
        .get("gather_eks_state")
        .unwrap()
        .call(serde_json::json!({"namespace": "payments", "selectors": ["payments-api-8d7c6b5f4-7xq2v"], "alert_time": at}), d())
        .await
        .unwrap();
    assert_eq!(
        out.data["workloads"],
        serde_json::json!(["deployment/payments/payments-api"])
    );

    let out = set
        .get("detect_recent_changes")
        .unwrap()
        .call(serde_json::json!({"namespace": "payments", "workloads": ["payments-api"], "alert_time": at}), d())
        .await
        .unwrap();
    let roll = out
        .findings
        .iter()
        .find(|f| f.kind == "recent_rollout")
        .expect("recent_rollout");
    assert_eq!(roll.attributes["minutes_before_alert"], 2);
    assert!(
        roll.attributes["to_image"]
            .as_str()
            .unwrap()
            .ends_with(":v1.8.0")
    );
    assert_eq!(out.data["history"][0]["revisions"][0]["revision"], "42");
    assert_eq!(out.data["note"], "rollouts found in the window");

    let out = set
        .get("capture_snapshot")
        .unwrap()
        .call(serde_json::json!({}), d())
        .await
        .unwrap();
    assert_eq!(out.data["agent"], "eks");

    // Bad arguments are named.
    let cases = [
        (
            "gather_eks_state",
            serde_json::json!({"namespace": "payments"}),
        ),
        (
            "gather_eks_state",
            serde_json::json!({"namespace": "payments", "selectors": ["x"], "alert_time": "yesterday"}),
        ),
        (
            "detect_recent_changes",
            serde_json::json!({"namespace": "payments", "workloads": []}),
        ),
        ("capture_snapshot", serde_json::json!({"unexpected": 1})),
    ];
    for (name, args) in cases {
        let err = set
            .get(name)
            .unwrap()
            .call(args.clone(), d())
            .await
            .unwrap_err();
        assert!(
            matches!(err, ToolError::InvalidArguments { .. }),
            "{name} {args}: {err}"
        );
    }
}

/// (scenario, anomaly expected, a string the anomaly summary or a section must contain)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn snapshots_report_the_cluster_and_flag_anomalies() {
    let cases = [
        (
            "oom-recommendation-svc",
            true,
            "recs/recommendation-svc-6c9f7d5b8d-x7gr9 · phase=Running (CrashLoopBackOff) · restarts=6",
        ),
        (
            "node-notready-shipping-rabbitmq",
            true,
            "NotReady: ip-10-30-3-17.eu-central-1.compute.internal",
        ),
        ("cpu-false-alarm-search-indexer", false, "Running 3"),
    ];
    for (id, anomaly, text) in cases {
        let s = load(id);
        let r = start(s.clone()).await;
        let a = agent(&r).await;
        let snap = a
            .snapshot_at(s.now, Deadline::after(Duration::from_secs(10)))
            .await;
        assert_eq!(snap.status, SnapshotStatus::Ok, "{id}: {snap:?}");
        assert!(
            snap.header
                .contains(&s.world.kubernetes.as_ref().unwrap().version),
            "{id}: {}",
            snap.header
        );
        assert_eq!(snap.anomaly, anomaly, "{id}: {snap:?}");
        let all: Vec<&String> = snap.sections.iter().flat_map(|x| x.lines.iter()).collect();
        assert!(
            all.iter().any(|l| l.contains(text)),
            "{id}: '{text}' not in {all:?}"
        );
        let labels: Vec<&str> = snap.sections.iter().map(|x| x.label.as_str()).collect();
        assert_eq!(
            labels,
            [
                "Cluster",
                "Nodes",
                "Pods",
                "Non-Running pods (top 10)",
                "kube-system warning events (last 5 min)"
            ]
        );
    }
}
