//! Probes and readiness.

use super::*;

#[test]
fn probes() {
    let unhealthy = |msg: &str, at: &str| {
        event(
            "Pod",
            "app-abc12345-aaaaa",
            "Warning",
            "Unhealthy",
            msg,
            at,
            12,
        )
    };
    let cases: Vec<(&str, Given, Vec<Expect>)> = vec![
        (
            "liveness on a port the container does not serve",
            Given {
                pods: vec![pod(
                    "app-abc12345-aaaaa",
                    running(false, 4, Some(("Error", 137, "11:55"))),
                )],
                events: vec![unhealthy(
                    "Liveness probe failed: Get \"http://10.0.0.5:8081/healthz\": dial tcp 10.0.0.5:8081: connect: connection refused",
                    "11:58",
                )],
                ..Default::default()
            },
            vec![yes(
                "probe_failed",
                Some(ConfigurationError),
                &["Liveness probe failed", "port 8081", "listens on 8080"],
            )],
        ),
        (
            "readiness refused on the served port is not a misconfiguration",
            Given {
                pods: vec![pod("app-abc12345-aaaaa", running(false, 0, None))],
                events: vec![unhealthy(
                    "Readiness probe failed: Get \"http://10.0.0.5:8080/ready\": dial tcp 10.0.0.5:8080: connect: connection refused",
                    "11:58",
                )],
                ..Default::default()
            },
            vec![yes("probe_failed", None, &["Readiness probe failed"])],
        ),
        (
            "readiness 404: the path is not served",
            Given {
                pods: vec![pod("app-abc12345-aaaaa", running(false, 0, None))],
                events: vec![unhealthy(
                    "Readiness probe failed: HTTP probe failed with statuscode: 404",
                    "11:58",
                )],
                ..Default::default()
            },
            vec![yes(
                "probe_failed",
                Some(ConfigurationError),
                &["404", "/ready"],
            )],
        ),
        (
            "readiness 503 quotes the app's reason",
            Given {
                pods: vec![pod("app-abc12345-aaaaa", running(false, 0, None))],
                events: vec![unhealthy(
                    "Readiness probe failed: HTTP probe failed with statuscode: 503",
                    "11:58",
                )],
                logs: vec![log(
                    "app-abc12345-aaaaa",
                    false,
                    &[(
                        "11:57",
                        r#"{"level":"warn","msg":"readiness check failed","check":"redis","status":"disconnected"}"#,
                    )],
                )],
                extra: vec![
                    (
                        "service",
                        json!({"metadata": {"name": "app", "namespace": "ns"}, "spec": {"selector": {"app": "app"}}}),
                    ),
                    (
                        "endpoints",
                        json!({"metadata": {"name": "app", "namespace": "ns"}, "subsets": [{"notReadyAddresses": [{"ip": "10.0.0.5"}]}]}),
                    ),
                ],
                ..Default::default()
            },
            vec![
                yes(
                    "probe_failed",
                    None,
                    &["503", "readiness check failed", "redis"],
                ),
                yes(
                    "not_ready",
                    None,
                    &["no ready endpoints", "0 ready endpoints, 1 not ready"],
                ),
            ],
        ),
        (
            "probe failures before the window are history",
            Given {
                pods: vec![pod("app-abc12345-aaaaa", running(true, 0, None))],
                events: vec![unhealthy(
                    "Readiness probe failed: HTTP probe failed with statuscode: 503",
                    "09:30",
                )],
                ..Default::default()
            },
            vec![no("probe_failed"), no("not_ready")],
        ),
        // A pod that runs but is not Ready names the cloud volume behind its claim
        // (PVC → PV: a CSI `volumeHandle` or an in-tree `awsElasticBlockStore.volumeID`) and
        // quotes the events and node conditions that speak of it.
        (
            "not Ready on a CSI volume names the pod, the volume and its events",
            with_volume(
                json!({"csi": {"driver": "ebs.csi.aws.com", "volumeHandle": "vol-0aaa1111bbbb2222c"}}),
                "vol-0aaa1111bbbb2222c",
            ),
            vec![yes(
                "not_ready",
                None,
                &[
                    "app-abc12345-aaaaa mounts volume vol-0aaa1111bbbb2222c",
                    "PVC data-app → PV pv-data → volume vol-0aaa1111bbbb2222c (ebs.csi.aws.com)",
                    "VolumeDegraded",
                    "node node-1 VolumeImpaired=True: vol-0aaa1111bbbb2222c io stalled",
                ],
            )],
        ),
        (
            "not Ready on an in-tree EBS volume names its volume id",
            with_volume(
                json!({"awsElasticBlockStore": {"volumeID": "vol-0ddd3333eeee4444f", "fsType": "ext4"}}),
                "vol-0ddd3333eeee4444f",
            ),
            vec![yes(
                "not_ready",
                None,
                &[
                    "app-abc12345-aaaaa mounts volume vol-0ddd3333eeee4444f",
                    "kubernetes.io/aws-ebs",
                ],
            )],
        ),
        (
            "a claim whose PV was not read names no volume",
            Given {
                pods: vec![claiming(running(false, 0, None))],
                ..Default::default()
            },
            vec![yes("not_ready", None, &["1/1 pods Running but not Ready"])],
        ),
    ];
    for (name, g, want) in cases {
        check(name, crate::analyzers::probes::analyze, g, &want);
    }
}

/// Pod `app-abc12345-aaaaa` with claim `data-app` mounted.
fn claiming(status: Value) -> Value {
    let mut p = pod("app-abc12345-aaaaa", status);
    p["spec"]["volumes"] =
        json!([{"name": "data", "persistentVolumeClaim": {"claimName": "data-app"}}]);
    p
}

/// A not-Ready pod whose claim `data-app` is bound to PV `pv-data` with `source`, an event
/// and a node condition naming `volume`.
fn with_volume(source: Value, volume: &str) -> Given {
    let mut pv = json!({"metadata": {"name": "pv-data"}, "spec": {"claimRef": {"namespace": "ns", "name": "data-app"}}});
    for (k, v) in source.as_object().into_iter().flatten() {
        pv["spec"][k] = v.clone();
    }
    let mut n = node("node-1", "True", None);
    n["status"]["conditions"]
        .as_array_mut()
        .expect("node() builds a conditions array")
        .push(json!({"type": "VolumeImpaired", "status": "True", "message": format!("{volume} io stalled")}));
    Given {
        pods: vec![claiming(running(false, 0, None))],
        events: vec![event(
            "PersistentVolumeClaim",
            "data-app",
            "Warning",
            "VolumeDegraded",
            "volume performance degraded",
            "11:55",
            1,
        )],
        nodes: vec![n],
        extra: vec![
            (
                "pvc",
                json!({"metadata": {"name": "data-app", "namespace": "ns"}, "spec": {"volumeName": "pv-data"}}),
            ),
            ("pv", pv),
        ],
        ..Default::default()
    }
}
