//! Rollouts.

use super::*;

fn rs(name: &str, rev: &str, created: &str, image: &str, replicas: i32, ready: i32) -> Value {
    json!({"metadata": {"name": name, "namespace": "ns", "creationTimestamp": t(created),
            "annotations": {"deployment.kubernetes.io/revision": rev},
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "app", "uid": "d"}]},
        "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "app"}},
            "template": {"metadata": {"labels": {"app": "app"}}, "spec": {"containers": [{"name": "app", "image": image}]}}},
        "status": {"replicas": replicas, "readyReplicas": ready}})
}

#[test]
fn rollouts() {
    let failing = || {
        pod(
            "app-abc12345-aaaaa",
            waiting("CrashLoopBackOff", "", 3, Some(("Error", 1, "11:58"))),
        )
    };
    let cases: Vec<(&str, Given, Vec<Expect>)> = vec![
        (
            "an image change inside the window",
            Given {
                rss: vec![
                    rs("app-abc12345", "8", "11:50", "r/app:v2", 2, 0),
                    rs("app-old", "7", "08:00", "r/app:v1", 3, 3),
                ],
                pods: vec![failing()],
                ..Default::default()
            },
            vec![yes(
                "recent_rollout",
                None,
                &[
                    "rollout to v2",
                    "10 min before the alert",
                    "r/app:v1 → r/app:v2",
                ],
            )],
        ),
        (
            "an old rollout whose pods are fine is history",
            Given {
                rss: vec![
                    rs("app-abc12345", "8", "02:00", "r/app:v2", 2, 2),
                    rs("app-old", "7", "01:00", "r/app:v1", 0, 0),
                ],
                pods: vec![pod("app-abc12345-aaaaa", running(true, 0, None))],
                ..Default::default()
            },
            vec![no("recent_rollout")],
        ),
        (
            "a rollout 40 min ago whose pods are failing still counts",
            Given {
                rss: vec![
                    rs("app-abc12345", "8", "11:20", "r/app:v2", 2, 0),
                    rs("app-old", "7", "08:00", "r/app:v1", 3, 3),
                ],
                pods: vec![failing()],
                ..Default::default()
            },
            vec![yes("recent_rollout", None, &["40 min before the alert"])],
        ),
        (
            "ProgressDeadlineExceeded",
            Given {
                rss: vec![
                    rs("app-abc12345", "8", "11:20", "r/app:v2", 1, 0),
                    rs("app-old", "7", "08:00", "r/app:v1", 3, 3),
                ],
                deployment: Some(
                    json!({"metadata": {"name": "app", "namespace": "ns"}, "spec": {"replicas": 3, "selector": {}, "template": {}},
                "status": {"replicas": 4, "updatedReplicas": 1, "readyReplicas": 3,
                    "conditions": [{"type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded", "message": "ReplicaSet \"app-abc12345\" has timed out progressing.", "lastTransitionTime": t("11:30")}]}}),
                ),
                ..Default::default()
            },
            vec![yes(
                "rollout_stuck",
                None,
                &["ProgressDeadlineExceeded", "1/3 updated"],
            )],
        ),
    ];
    for (name, g, want) in cases {
        check(name, crate::analyzers::rollout::analyze, g, &want);
    }
}
