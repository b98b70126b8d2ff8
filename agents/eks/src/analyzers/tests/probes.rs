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
    ];
    for (name, g, want) in cases {
        check(name, crate::analyzers::probes::analyze, g, &want);
    }
}
