//! Pods that cannot start (a sandbox the CNI cannot wire, an init container waiting on a
//! dependency), nodes Karpenter cannot launch, a JVM thrashing in full GCs, and a load balancer
//! health check on a path the pods do not serve.

use super::*;

/// A pod whose init container `app` has been running since `since`, its main container waiting.
fn initializing(since: &str) -> Value {
    json!({"phase": "Pending",
        "conditions": [{"type": "Initialized", "status": "False"}, {"type": "Ready", "status": "False"}],
        "initContainerStatuses": [{"name": "app", "image": "r/wait:1", "imageID": "", "ready": false, "restartCount": 0,
            "state": {"running": {"startedAt": t(since)}}}],
        "containerStatuses": [{"name": "main", "image": "r/app:v2", "imageID": "", "ready": false, "restartCount": 0,
            "state": {"waiting": {"reason": "PodInitializing"}}}]})
}

const WAIT_FIRST: &str =
    "waiting for https://search.internal/_cluster/health/products-v3?wait_for_status=yellow";
const WAIT_LAST: &str =
    "attempt 90: HTTP 408 {\"status\":\"red\"} — cluster health is red, retrying in 10s";

#[test]
fn init_blocked() {
    let cases: Vec<(&str, Given, Vec<Expect>)> = vec![
        (
            "an init container polling a red dependency for 20 min: its name, target and last line",
            Given {
                pods: vec![pod("app-abc12345-aaaaa", initializing("11:40"))],
                logs: vec![log(
                    "app-abc12345-aaaaa",
                    false,
                    &[("11:40", WAIT_FIRST), ("11:59", WAIT_LAST)],
                )],
                ..Default::default()
            },
            vec![yes(
                "init_blocked",
                Some(DependencyFailure),
                &[
                    "Init:0/1",
                    "init container app",
                    "cluster health is red",
                    "products-v3",
                ],
            )],
        ),
        (
            "an init container started 2 min ago is still starting, not stuck",
            Given {
                pods: vec![pod("app-abc12345-aaaaa", initializing("11:58"))],
                logs: vec![log("app-abc12345-aaaaa", false, &[("11:59", WAIT_LAST)])],
                ..Default::default()
            },
            vec![no("init_blocked")],
        ),
        (
            "a long init that logs no waiting (a migration copying data) names no dependency",
            Given {
                pods: vec![pod("app-abc12345-aaaaa", initializing("11:40"))],
                logs: vec![log(
                    "app-abc12345-aaaaa",
                    false,
                    &[("11:59", "copied 41000000 rows of 90000000")],
                )],
                ..Default::default()
            },
            vec![no("init_blocked")],
        ),
    ];
    for (name, g, want) in cases {
        check(name, crate::analyzers::startup::analyze, g, &want);
    }
}

const SANDBOX_NO_IP: &str = "Failed to create pod sandbox: rpc error: code = Unknown desc = failed to setup network for sandbox \"4f1c\": plugin type=\"aws-cni\" name=\"aws-cni\" failed (add): add cmd: failed to assign an IP address to container";

fn aws_node() -> Value {
    json!({"metadata": {"name": "aws-node-x1", "namespace": "kube-system", "labels": {"k8s-app": "aws-node"}},
        "spec": {"nodeName": "node-1", "containers": [{"name": "aws-node", "image": "cni:1"}]},
        "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]}})
}

fn cni_log(lines: &[&str]) -> ContainerLog {
    ContainerLog {
        namespace: "kube-system".into(),
        pod: "aws-node-x1".into(),
        container: "aws-node".into(),
        previous: false,
        lines: lines
            .iter()
            .map(|l| LogLine {
                at: Some(t("11:56").parse().unwrap()),
                text: (*l).to_owned(),
            })
            .collect(),
    }
}

#[test]
fn sandbox_failed() {
    let creating = || waiting("ContainerCreating", "", 0, None);
    let cases: Vec<(&str, Given, Vec<Expect>)> = vec![
        (
            "no IP for the pod, and the node's CNI says the subnet is out of addresses",
            Given {
                pods: vec![pod("app-abc12345-aaaaa", creating())],
                events: vec![event(
                    "Pod",
                    "app-abc12345-aaaaa",
                    "Warning",
                    "FailedCreatePodSandBox",
                    SANDBOX_NO_IP,
                    "11:58",
                    31,
                )],
                addons: vec![aws_node()],
                logs: vec![cni_log(&[
                    "{\"level\":\"error\",\"msg\":\"Failed to increase pool size: AllocENI: error assigning private IP addrs: InsufficientFreeAddressesInSubnet: The specified subnet does not have enough free addresses\"}",
                    "{\"level\":\"warn\",\"msg\":\"Subnet subnet-0a1b2c3d4e5f60718 (10.0.16.0/22) has 0 free IPv4 addresses, skipping ENI allocation\"}",
                ])],
                ..Default::default()
            },
            vec![yes(
                "sandbox_failed",
                Some(ResourceExhaustion),
                &[
                    "FailedCreatePodSandBox ×31",
                    "failed to assign an IP address",
                    "aws-cni",
                    "InsufficientFreeAddressesInSubnet",
                    "subnet-0a1b2c3d4e5f60718",
                ],
            )],
        ),
        (
            "no IP, no CNI log read: still out of addresses",
            Given {
                pods: vec![pod("app-abc12345-aaaaa", creating())],
                events: vec![event(
                    "Pod",
                    "app-abc12345-aaaaa",
                    "Warning",
                    "FailedCreatePodSandBox",
                    SANDBOX_NO_IP,
                    "11:58",
                    3,
                )],
                ..Default::default()
            },
            vec![yes(
                "sandbox_failed",
                Some(ResourceExhaustion),
                &["failed to assign an IP address"],
            )],
        ),
        (
            "a runtime that cannot create the sandbox is the node's problem",
            Given {
                pods: vec![pod("app-abc12345-aaaaa", creating())],
                events: vec![event(
                    "Pod",
                    "app-abc12345-aaaaa",
                    "Warning",
                    "FailedCreatePodSandBox",
                    "Failed to create pod sandbox: rpc error: code = DeadlineExceeded desc = context deadline exceeded",
                    "11:58",
                    4,
                )],
                ..Default::default()
            },
            vec![yes(
                "sandbox_failed",
                Some(Infrastructure),
                &["context deadline exceeded"],
            )],
        ),
        (
            "a pod that got its sandbox and is Ready has nothing to report",
            Given {
                pods: vec![pod("app-abc12345-aaaaa", running(true, 0, None))],
                events: vec![event(
                    "Pod",
                    "app-abc12345-aaaaa",
                    "Warning",
                    "FailedCreatePodSandBox",
                    SANDBOX_NO_IP,
                    "11:58",
                    2,
                )],
                ..Default::default()
            },
            vec![no("sandbox_failed")],
        ),
    ];
    for (name, g, want) in cases {
        check(name, crate::analyzers::startup::analyze, g, &want);
    }
}

fn claim(launched: &str) -> Value {
    json!({"apiVersion": "karpenter.sh/v1", "kind": "NodeClaim",
        "metadata": {"name": "gpu-abc12", "labels": {"karpenter.sh/nodepool": "gpu"}},
        "spec": {"requirements": [
            {"key": "node.kubernetes.io/instance-type", "operator": "In", "values": ["p4d.24xlarge"]},
            {"key": "topology.kubernetes.io/zone", "operator": "In", "values": ["eu-west-1b"]}]},
        "status": {"conditions": [{"type": "Launched", "status": launched, "reason": "InsufficientCapacity",
            "message": "creating instance, insufficient capacity, with fleet error(s), InsufficientInstanceCapacity: We currently do not have sufficient p4d.24xlarge capacity in the Availability Zone you requested (eu-west-1b).",
            "lastTransitionTime": t("11:41")}]}})
}

#[test]
fn node_launch_failed() {
    let pending = || {
        let mut p = pod(
            "app-abc12345-aaaaa",
            json!({"phase": "Pending", "conditions": [{"type": "PodScheduled", "status": "False", "reason": "Unschedulable"}]}),
        );
        p["spec"]["nodeName"] = Value::Null;
        p
    };
    let events = || {
        vec![
            event(
                "Pod",
                "app-abc12345-aaaaa",
                "Normal",
                "Nominated",
                "Pod should schedule on nodeclaim/gpu-abc12",
                "11:55",
                9,
            ),
            event(
                "Pod",
                "app-abc12345-aaaaa",
                "Warning",
                "FailedScheduling",
                "0/5 nodes are available: 5 Insufficient nvidia.com/gpu.",
                "11:57",
                20,
            ),
        ]
    };
    let cases: Vec<(&str, Given, Vec<Expect>)> = vec![
        (
            "the NodeClaim the pod was nominated to could not launch: the cloud's capacity, not the pod's size",
            Given {
                pods: vec![pending()],
                events: events(),
                claims: vec![claim("False")],
                ..Default::default()
            },
            vec![
                yes(
                    "node_launch_failed",
                    Some(Infrastructure),
                    &[
                        "InsufficientInstanceCapacity",
                        "p4d.24xlarge",
                        "eu-west-1b",
                        "gpu-abc12",
                    ],
                ),
                yes("scheduling_failed", None, &["Insufficient nvidia.com/gpu"]),
            ],
        ),
        (
            "a launched NodeClaim explains nothing: the scheduler's reason stands",
            Given {
                pods: vec![pending()],
                events: events(),
                claims: vec![claim("True")],
                ..Default::default()
            },
            vec![
                no("node_launch_failed"),
                yes(
                    "scheduling_failed",
                    Some(ResourceExhaustion),
                    &["Insufficient nvidia.com/gpu"],
                ),
            ],
        ),
    ];
    for (name, g, want) in cases {
        check(name, super::run, g, &want);
    }
}

#[test]
fn gc_thrashing() {
    let full = |at: &str, after: &str, ms: &str| {
        format!(
            "[2026-04-18T{at}:00.000+0000][info][gc] GC(9) Pause Full (G1 Compaction Pause) 4095M->{after}(4096M) {ms}ms"
        )
    };
    let cases: Vec<(&str, Vec<String>, Vec<Expect>)> = vec![
        (
            "back-to-back multi-second full pauses that free nothing",
            vec![
                full("11:50", "4001M", "7206.5"),
                "[info][gc] GC(10) To-space exhausted".into(),
                full("11:51", "4010M", "8420.7"),
            ],
            vec![yes(
                "gc_thrashing",
                Some(ResourceExhaustion),
                &[
                    "Pause Full (G1 Compaction Pause)",
                    "up to 8.4 s",
                    "To-space exhausted",
                    "no restarts",
                ],
            )],
        ),
        (
            "one long full pause is a bad moment, not thrashing",
            vec![full("11:50", "4001M", "7206.5")],
            vec![no("gc_thrashing")],
        ),
        (
            "full pauses that free most of the heap are not thrashing",
            vec![
                full("11:50", "1200M", "3206.5"),
                full("11:51", "1300M", "3420.7"),
            ],
            vec![no("gc_thrashing")],
        ),
        (
            "short full pauses are not thrashing",
            vec![
                full("11:50", "4001M", "206.5"),
                full("11:51", "4010M", "420.7"),
            ],
            vec![no("gc_thrashing")],
        ),
    ];
    for (name, lines, want) in cases {
        let ls: Vec<(&str, &str)> = lines.iter().map(|l| ("11:52", l.as_str())).collect();
        let g = Given {
            pods: vec![pod("app-abc12345-aaaaa", running(false, 0, None))],
            logs: vec![log("app-abc12345-aaaaa", false, &ls)],
            ..Default::default()
        };
        check(name, super::gc::analyze, g, &want);
    }
}

fn ingress(path: &str) -> Value {
    json!({"metadata": {"name": "web", "namespace": "ns", "annotations": {
            "alb.ingress.kubernetes.io/healthcheck-path": path, "alb.ingress.kubernetes.io/success-codes": "200-299"}},
        "spec": {"rules": [{"http": {"paths": [{"path": "/", "pathType": "Prefix",
            "backend": {"service": {"name": "app", "port": {"number": 80}}}}]}}]}})
}

fn service() -> Value {
    json!({"metadata": {"name": "app", "namespace": "ns"}, "spec": {"selector": {"app": "app"}}})
}

#[test]
fn lb_healthcheck_failing() {
    let access = |path: &str, code: &str, agent: &str| {
        format!(
            "10.0.0.1 - - [18/Apr/2026:11:55:00 +0000] \"GET {path} HTTP/1.1\" {code} 146 \"-\" \"{agent}\""
        )
    };
    let cases: Vec<(&str, &str, Vec<String>, Vec<Expect>)> = vec![
        (
            "the load balancer checks a path the app answers 404 while the kubelet's probe passes",
            "/healthz",
            vec![
                access("/healthz", "404", "ELB-HealthChecker/2.0"),
                access("/ready", "200", "kube-probe/1.31+"),
            ],
            vec![
                no("target_healthy"),
                yes(
                    "lb_healthcheck_failing",
                    Some(ConfigurationError),
                    &[
                        "healthcheck-path: /healthz",
                        "ELB-HealthChecker/2.0 GET /healthz with 404",
                        "probe on /ready succeeds",
                    ],
                ),
            ],
        ),
        (
            "health checks answered 200 are fine: the target is healthy",
            "/healthz",
            vec![access("/healthz", "204", "ELB-HealthChecker/2.0")],
            vec![
                no("lb_healthcheck_failing"),
                yes("target_healthy", Some(Healthy), &[]),
            ],
        ),
        (
            "a 404 to a browser on the checked path is not the health checker",
            "/healthz",
            vec![access("/healthz", "404", "Mozilla/5.0")],
            vec![no("lb_healthcheck_failing")],
        ),
    ];
    for (name, path, lines, want) in cases {
        let ls: Vec<(&str, &str)> = lines.iter().map(|l| ("11:55", l.as_str())).collect();
        let g = Given {
            pods: vec![pod("app-abc12345-aaaaa", running(true, 0, None))],
            logs: vec![log("app-abc12345-aaaaa", false, &ls)],
            extra: vec![("ingress", ingress(path)), ("service", service())],
            ..Default::default()
        };
        check(name, super::run, g, &want);
    }
}
