//! Services that route nowhere (`service_no_endpoints`) and what they do to "healthy".

use super::*;

/// A ClusterIP Service `name` selecting `selector`.
fn service(name: &str, selector: Value) -> (&'static str, Value) {
    (
        "service",
        json!({"metadata": {"name": name, "namespace": "ns"},
            "spec": {"type": "ClusterIP", "selector": selector,
                "ports": [{"name": "http", "port": 80, "targetPort": 8080}]}}),
    )
}

/// Its Endpoints: `ready` addresses (none: no subsets at all).
fn endpoints(name: &str, ready: usize) -> (&'static str, Value) {
    let mut ep = json!({"metadata": {"name": name, "namespace": "ns",
        "annotations": {"endpoints.kubernetes.io/last-change-trigger-time": t("11:20")}}});
    if ready > 0 {
        let addrs: Vec<Value> = (0..ready)
            .map(|i| json!({"ip": format!("10.1.0.{}", i + 1)}))
            .collect();
        ep["subsets"] = json!([{"addresses": addrs, "ports": [{"port": 8080}]}]);
    }
    ("endpoints", ep)
}

fn slice(service: &str, endpoints: Value) -> (&'static str, Value) {
    (
        "endpointslice",
        json!({"metadata": {"name": format!("{service}-x1"), "namespace": "ns",
            "labels": {"kubernetes.io/service-name": service}},
            "addressType": "IPv4", "endpoints": endpoints}),
    )
}

/// A previous ReplicaSet of Deployment `app` whose pods carried `labels`.
fn old_rs(labels: Value) -> Value {
    json!({"metadata": {"name": "app-old9876", "namespace": "ns",
            "annotations": {"deployment.kubernetes.io/revision": "3"},
            "creationTimestamp": "2026-04-10T09:00:00Z",
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "app", "uid": "d", "controller": true}]},
        "spec": {"replicas": 0, "selector": {"matchLabels": labels.clone()},
            "template": {"metadata": {"labels": labels}, "spec": {"containers": [{"name": "app", "image": "r/app:v1"}]}}}})
}

fn ready_pods() -> Vec<Value> {
    vec![
        pod("app-abc12345-aaaaa", running(true, 0, None)),
        pod("app-abc12345-bbbbb", running(true, 0, None)),
    ]
}

#[test]
fn services() {
    let cases: Vec<(&str, Given, Vec<Expect>)> = vec![
        (
            "a Service named like the workload selects a label its Ready pods lack",
            Given {
                pods: ready_pods(),
                extra: vec![
                    service("app", json!({"app.kubernetes.io/name": "app"})),
                    endpoints("app", 0),
                    (
                        "ingress",
                        json!({"metadata": {"name": "web", "namespace": "ns"},
                            "spec": {"rules": [{"host": "shop.example", "http": {"paths": [
                                {"path": "/api", "pathType": "Prefix",
                                 "backend": {"service": {"name": "app", "port": {"number": 80}}}}]}}]}}),
                    ),
                ],
                events: vec![event(
                    "Ingress",
                    "web",
                    "Warning",
                    "Sync",
                    "Service \"ns/app\" does not have any active Endpoint",
                    "11:50",
                    3,
                )],
                ..Default::default()
            },
            vec![
                yes(
                    "service_no_endpoints",
                    Some(ConfigurationError),
                    &[
                        "Service app",
                        "selector app.kubernetes.io/name=app",
                        "app=app",
                        "no addresses",
                        "Ingress web",
                        "does not have any active Endpoint",
                    ],
                ),
                no("target_healthy"),
            ],
        ),
        (
            "the Service selects the pods: nothing to say, the workload is healthy",
            Given {
                pods: ready_pods(),
                extra: vec![service("app", json!({"app": "app"})), endpoints("app", 2)],
                ..Default::default()
            },
            vec![
                no("service_no_endpoints"),
                yes("target_healthy", Some(Healthy), &[]),
            ],
        ),
        (
            "another team's empty Service in the namespace is not the target's",
            Given {
                pods: ready_pods(),
                extra: vec![
                    service("billing-gw", json!({"app": "billing-gw"})),
                    endpoints("billing-gw", 0),
                ],
                ..Default::default()
            },
            vec![
                no("service_no_endpoints"),
                yes("target_healthy", Some(Healthy), &[]),
            ],
        ),
        (
            "pods selected but not Ready are not_ready's story",
            Given {
                pods: vec![pod("app-abc12345-aaaaa", running(false, 0, None))],
                extra: vec![service("app", json!({"app": "app"})), endpoints("app", 0)],
                ..Default::default()
            },
            vec![no("service_no_endpoints"), yes("not_ready", None, &[])],
        ),
        (
            "a differently named Service that selected the previous revision's pods",
            Given {
                pods: ready_pods(),
                rss: vec![old_rs(json!({"tier": "frontend", "release": "blue"}))],
                extra: vec![
                    service("storefront", json!({"tier": "frontend", "release": "blue"})),
                    slice("storefront", json!([])),
                ],
                ..Default::default()
            },
            vec![yes(
                "service_no_endpoints",
                Some(ConfigurationError),
                &[
                    "Service storefront",
                    "release=blue,tier=frontend",
                    "EndpointSlice",
                ],
            )],
        ),
        (
            "nothing read about its endpoints: no claim",
            Given {
                pods: ready_pods(),
                extra: vec![service("app", json!({"app.kubernetes.io/name": "app"}))],
                ..Default::default()
            },
            vec![no("service_no_endpoints")],
        ),
        (
            "EndpointSlices with only unready endpoints route nowhere too",
            Given {
                pods: ready_pods(),
                extra: vec![
                    service("app-svc", json!({"component": "app"})),
                    slice(
                        "app-svc",
                        json!([{"addresses": ["10.9.9.9"], "conditions": {"ready": false}}]),
                    ),
                ],
                ..Default::default()
            },
            vec![yes(
                "service_no_endpoints",
                Some(ConfigurationError),
                &[
                    "Service app-svc",
                    "selector component=app",
                    "1 endpoints, 0 ready",
                ],
            )],
        ),
    ];
    for (name, g, want) in cases {
        check(name, super::super::run, g, &want);
    }
}
