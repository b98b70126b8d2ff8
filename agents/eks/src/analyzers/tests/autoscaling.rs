//! HorizontalPodAutoscalers that cannot scale, and broken cluster add-ons.

use super::*;

fn hpa(cond: Value) -> Value {
    json!({
        "metadata": {"name": "app", "namespace": "ns"},
        "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "app"}, "minReplicas": 2, "maxReplicas": 10},
        "status": {"currentReplicas": 2, "desiredReplicas": 2, "conditions": [
            {"type": "AbleToScale", "status": "True", "reason": "SucceededGetScale"},
            cond]},
    })
}

const NO_API: &str = "the HPA was unable to compute the replica count: failed to get cpu utilization: unable to get metrics for resource cpu: unable to fetch metrics from resource metrics API: the server is currently unable to handle the request (get pods.metrics.k8s.io)";

/// A kube-system add-on pod: `addon` label, on `node`, crash-looping or Ready.
fn addon(name: &str, app: &str, node: &str, crashing: bool) -> Value {
    let status = if crashing {
        json!({"phase": "Running", "conditions": [{"type": "Ready", "status": "False", "lastTransitionTime": t("11:20")}],
            "containerStatuses": [{"name": app, "image": "x", "imageID": "", "ready": false, "restartCount": 9,
                "state": {"waiting": {"reason": "CrashLoopBackOff"}},
                "lastState": {"terminated": {"reason": "Error", "exitCode": 1, "finishedAt": t("11:55")}}}]})
    } else {
        json!({"phase": "Running", "conditions": [{"type": "Ready", "status": "True", "lastTransitionTime": t("09:00")}],
            "containerStatuses": [{"name": app, "image": "x", "imageID": "", "ready": true, "restartCount": 0,
                "state": {"running": {"startedAt": t("09:00")}}}]})
    };
    json!({
        "metadata": {"name": name, "namespace": "kube-system", "labels": {"k8s-app": app},
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "DaemonSet", "name": app, "uid": "d", "controller": true}]},
        "spec": {"nodeName": node, "containers": [{"name": app, "image": "x"}]},
        "status": status,
    })
}

fn addon_log(pod: &str, container: &str, line: &'static str) -> ContainerLog {
    let mut l = log(pod, true, &[("11:55", "I0418 starting"), ("11:55", line)]);
    l.namespace = "kube-system".into();
    l.container = container.into();
    l
}

#[test]
fn hpas() {
    let ready = || vec![pod("app-abc12345-aaaaa", running(true, 0, None))];
    let cases: Vec<(&str, Given, Vec<Expect>)> = vec![
        (
            "metrics API down: infrastructure, the literal reason",
            Given {
                pods: ready(),
                hpas: vec![hpa(
                    json!({"type": "ScalingActive", "status": "False", "reason": "FailedGetResourceMetric", "message": NO_API, "lastTransitionTime": t("11:40")}),
                )],
                events: vec![event(
                    "HorizontalPodAutoscaler",
                    "app",
                    "Warning",
                    "FailedGetResourceMetric",
                    "failed to get cpu utilization: unable to fetch metrics from resource metrics API",
                    "11:58",
                    40,
                )],
                ..Default::default()
            },
            vec![yes(
                "hpa_unhealthy",
                Some(Infrastructure),
                &[
                    "ScalingActive=False (FailedGetResourceMetric)",
                    "×40 FailedGetResourceMetric",
                ],
            )],
        ),
        (
            "pods without a cpu request: configuration",
            Given {
                pods: ready(),
                hpas: vec![hpa(
                    json!({"type": "ScalingActive", "status": "False", "reason": "FailedGetResourceMetric", "message": "the HPA was unable to compute the replica count: failed to get cpu utilization: missing request for cpu in container app of Pod app-abc12345-aaaaa"}),
                )],
                ..Default::default()
            },
            vec![yes(
                "hpa_unhealthy",
                Some(ConfigurationError),
                &["missing request for cpu"],
            )],
        ),
        (
            "at its maximum: context, no cause",
            Given {
                pods: ready(),
                hpas: vec![hpa(
                    json!({"type": "ScalingLimited", "status": "True", "reason": "TooManyReplicas", "message": "the desired replica count is more than the maximum replica count"}),
                )],
                ..Default::default()
            },
            vec![yes(
                "hpa_unhealthy",
                None,
                &["at its maximum 2/10", "TooManyReplicas"],
            )],
        ),
        (
            "scaled to zero on purpose is not a failure",
            Given {
                pods: ready(),
                hpas: vec![hpa(
                    json!({"type": "ScalingActive", "status": "False", "reason": "ScalingDisabled", "message": "scaling is disabled since the replica count of the target is zero"}),
                )],
                ..Default::default()
            },
            vec![no("hpa_unhealthy")],
        ),
    ];
    for (name, g, want) in cases {
        check(name, crate::analyzers::autoscaling::analyze, g, &want);
    }
}

#[test]
fn addons() {
    let ready = || vec![pod("app-abc12345-aaaaa", running(true, 0, None))];
    let blind = || {
        vec![hpa(
            json!({"type": "ScalingActive", "status": "False", "reason": "FailedGetResourceMetric", "message": NO_API}),
        )]
    };
    let ms_log = r#"E0418 11:55:00.1 1 run.go:74] "command failed" err="Get \"https://172.20.0.1:443/api\": dial tcp 172.20.0.1:443: i/o timeout""#;
    let cases: Vec<(&str, Given, Vec<Expect>)> = vec![
        (
            "metrics-server crash-looping behind a blind HPA",
            Given {
                pods: ready(),
                hpas: blind(),
                addons: vec![addon(
                    "metrics-server-5d8f-abcde",
                    "metrics-server",
                    "node-9",
                    true,
                )],
                logs: vec![addon_log(
                    "metrics-server-5d8f-abcde",
                    "metrics-server",
                    ms_log,
                )],
                ..Default::default()
            },
            vec![
                yes(
                    "addon_unhealthy",
                    Some(Infrastructure),
                    &[
                        "kube-system/metrics-server",
                        "CrashLoopBackOff",
                        "exit code 1 (Error)",
                        "dial tcp 172.20.0.1:443: i/o timeout",
                        "app's HPA",
                    ],
                ),
                yes("hpa_unhealthy", Some(Infrastructure), &["metrics-server"]),
            ],
        ),
        (
            "healthy add-ons say nothing",
            Given {
                pods: ready(),
                addons: vec![addon("coredns-5d8f-abcde", "kube-dns", "node-1", false)],
                ..Default::default()
            },
            vec![no("addon_unhealthy")],
        ),
    ];
    for (name, g, want) in cases {
        check(name, both, g, &want);
    }
    // Related to the target: about the target, high; unrelated: about the add-on, medium.
    let s = scene(Given {
        pods: ready(),
        hpas: blind(),
        addons: vec![
            addon(
                "metrics-server-5d8f-abcde",
                "metrics-server",
                "node-9",
                true,
            ),
            addon("aws-node-x1y2z", "aws-node", "node-9", true),
        ],
        ..Default::default()
    });
    let out = both(&s);
    let by = |a: &str| {
        out.iter()
            .find(|f| f.kind == "addon_unhealthy" && f.attributes["addon"] == a)
            .unwrap_or_else(|| panic!("no {a}: {out:#?}"))
    };
    assert_eq!(by("metrics-server").service.as_deref(), Some("app"));
    assert_eq!(by("metrics-server").severity, Severity::High);
    assert_eq!(by("aws-node").service.as_deref(), Some("aws-node"));
    assert_eq!(by("aws-node").severity, Severity::Medium);
    assert!(
        by("aws-node")
            .text()
            .contains("also failing on node node-9")
    );
    // The node add-on on the target's own node is the target's problem.
    let s = scene(Given {
        pods: ready(),
        addons: vec![addon("aws-node-x1y2z", "aws-node", "node-1", true)],
        ..Default::default()
    });
    let f = both(&s);
    assert_eq!(f[0].service.as_deref(), Some("app"), "{f:#?}");
}

fn both(s: &Scene) -> Vec<Finding> {
    let mut out = crate::analyzers::autoscaling::analyze(s);
    out.extend(crate::analyzers::addons::analyze(s));
    out
}
