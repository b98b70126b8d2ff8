//! The Kubernetes API failing its clients (`control_plane_degraded`, and log signatures of
//! requests to it classified as the control plane, not as the clients' dependency).

use super::*;

/// A Running pod of Deployment `deploy` (ReplicaSet `<deploy>-h1`) that restarted at 11:52.
fn ctrl_pod(deploy: &str) -> Value {
    json!({
        "metadata": {"name": format!("{deploy}-h1-xyz12"), "namespace": "ns",
            "labels": {"app.kubernetes.io/name": deploy, "pod-template-hash": "h1"},
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": format!("{deploy}-h1"), "uid": "u", "controller": true}]},
        "spec": {"containers": [{"name": "app", "image": format!("r/{deploy}:1")}]},
        "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}],
            "containerStatuses": [{"name": "app", "image": "x", "imageID": "", "ready": true, "restartCount": 1,
                "state": {"running": {"startedAt": t("11:53")}},
                "lastState": {"terminated": {"reason": "Error", "exitCode": 1, "finishedAt": t("11:52")}}}]},
    })
}

fn lease_timeout(deploy: &str) -> String {
    format!(
        "E0418 11:51:10.000000       1 leaderelection.go:436] error retrieving resource lock ns/{deploy}: Get \"https://10.100.0.1:443/apis/coordination.k8s.io/v1/namespaces/ns/leases/{deploy}?timeout=5s\": context deadline exceeded"
    )
}

fn ctrl_log(deploy: &str, lines: &[(&str, String)]) -> ContainerLog {
    ContainerLog {
        namespace: "ns".into(),
        pod: format!("{deploy}-h1-xyz12"),
        container: "app".into(),
        previous: true,
        lines: lines
            .iter()
            .map(|(at, text)| LogLine {
                at: Some(t(at).parse().unwrap()),
                text: text.clone(),
            })
            .collect(),
    }
}

#[test]
fn control_plane() {
    let lost = || {
        "{\"level\":\"error\",\"msg\":\"problem running manager\",\"error\":\"leader election lost\"}"
            .to_owned()
    };
    let cases: Vec<(&str, Given, Vec<Expect>)> = vec![
        (
            "two controllers time out on the API and lose their leases: the control plane",
            Given {
                mode: Some(Mode::Triage),
                pods: vec![ctrl_pod("ingress-ctrl"), ctrl_pod("autoscaler")],
                logs: vec![
                    ctrl_log(
                        "ingress-ctrl",
                        &[("11:51", lease_timeout("ingress-ctrl")), ("11:52", lost())],
                    ),
                    ctrl_log(
                        "autoscaler",
                        &[("11:50", lease_timeout("autoscaler")), ("11:51", lost())],
                    ),
                ],
                ..Default::default()
            },
            vec![yes(
                "control_plane_degraded",
                Some(Infrastructure),
                &[
                    "kube-apiserver",
                    "2 workloads",
                    "ingress-ctrl",
                    "autoscaler",
                    "restarted at 11:52:00",
                ],
            )],
        ),
        (
            "one workload's API timeouts are its log signature, classified as the control plane",
            Given {
                mode: Some(Mode::Triage),
                pods: vec![ctrl_pod("ingress-ctrl")],
                logs: vec![ctrl_log(
                    "ingress-ctrl",
                    &[
                        ("11:50", lease_timeout("ingress-ctrl")),
                        ("11:51", lease_timeout("ingress-ctrl")),
                    ],
                )],
                ..Default::default()
            },
            vec![
                no("control_plane_degraded"),
                yes(
                    "log_signature",
                    Some(Infrastructure),
                    &["control plane", "leases/ingress-ctrl"],
                ),
            ],
        ),
        (
            "an app's own API timing out is its dependency, not the control plane",
            Given {
                mode: Some(Mode::Triage),
                pods: vec![ctrl_pod("web"), ctrl_pod("api")],
                logs: vec![
                    ctrl_log(
                        "web",
                        &[
                            ("11:50", "ERROR GET https://api.shop.example/v2/orders: context deadline exceeded".to_owned()),
                            ("11:51", "ERROR GET https://api.shop.example/v2/orders: context deadline exceeded".to_owned()),
                        ],
                    ),
                    ctrl_log(
                        "api",
                        &[("11:50", "ERROR query timeout after 5000 ms".to_owned()), ("11:51", "ERROR query timeout after 5000 ms".to_owned())],
                    ),
                ],
                ..Default::default()
            },
            vec![no("control_plane_degraded")],
        ),
    ];
    for (name, g, want) in cases {
        check(name, super::super::run, g, &want);
    }
}

/// Which lines are about the cluster's own API.
#[test]
fn kube_api_lines() {
    use super::super::logs::{classify, kube_api};
    let cases = [
        (
            "Put \"https://172.20.0.1:443/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/x?timeout=5s\": context deadline exceeded",
            true,
            Some("control_plane"),
        ),
        (
            "failed to list *v1.Pod: Get \"https://kubernetes.default.svc/api/v1/pods?limit=500\": dial tcp 10.100.0.1:443: i/o timeout",
            true,
            Some("control_plane"),
        ),
        (
            "GET https://api.shop.example/v2/orders: context deadline exceeded",
            false,
            Some("timeout"),
        ),
        ("error: leader election lost", false, Some("control_plane")),
        ("all good", false, None),
    ];
    for (text, api, sig) in cases {
        assert_eq!(kube_api(text), api, "{text}");
        assert_eq!(classify(text).map(|s| s.id), sig, "{text}");
    }
}
