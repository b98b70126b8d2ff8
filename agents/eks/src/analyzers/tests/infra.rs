//! Volumes that cannot attach, drains a PodDisruptionBudget blocks, CPU starvation behind an HPA
//! pinned at its maximum, and the machine image failing nodes share.

use super::*;

const VOL: &str = "vol-0123456789abcdef0";

fn creating() -> Value {
    waiting("ContainerCreating", "", 0, None)
}

fn attach_events() -> Vec<Value> {
    vec![
        event(
            "Pod",
            "app-abc12345-aaaaa",
            "Warning",
            "FailedAttachVolume",
            "Multi-Attach error for volume \"pvc-1\" Volume is already exclusively attached to one node and can't be attached to another",
            "11:41",
            1,
        ),
        event(
            "Pod",
            "app-abc12345-aaaaa",
            "Warning",
            "FailedAttachVolume",
            "AttachVolume.Attach failed for volume \"pvc-1\" : rpc error: Could not attach volume \"vol-0123456789abcdef0\" to node \"i-2\": attachment of disk failed, expected device to be attached but was detaching",
            "11:55",
            7,
        ),
    ]
}

fn holding_node(ready: &str) -> Value {
    let mut n = node("node-old", ready, None);
    n["status"]["volumesAttached"] =
        json!([{"name": format!("kubernetes.io/csi/ebs.csi.aws.com^{VOL}"), "devicePath": ""}]);
    n
}

#[test]
fn volumes() {
    let cases: Vec<(&str, Given, Vec<Expect>)> = vec![
        (
            "a Multi-Attach error is quoted, with the node still holding the volume",
            Given {
                pods: vec![pod("app-abc12345-aaaaa", creating())],
                events: attach_events(),
                nodes: vec![holding_node("Unknown"), node("node-1", "True", None)],
                ..Default::default()
            },
            vec![yes(
                "volume_attach_failed",
                Some(Infrastructure),
                &[
                    "app-abc12345-aaaaa stuck ContainerCreating",
                    "Multi-Attach error",
                    "vol-0123456789abcdef0 is still attached to node node-old (NotReady",
                ],
            )],
        ),
        (
            "a pod that attached and is Ready has nothing to report",
            Given {
                pods: vec![pod("app-abc12345-aaaaa", running(true, 0, None))],
                events: attach_events(),
                nodes: vec![holding_node("True")],
                ..Default::default()
            },
            vec![no("volume_attach_failed")],
        ),
        (
            "a mount failure for a missing ConfigMap is not an attach failure",
            Given {
                pods: vec![pod("app-abc12345-aaaaa", creating())],
                events: vec![event(
                    "Pod",
                    "app-abc12345-aaaaa",
                    "Warning",
                    "FailedMount",
                    "MountVolume.SetUp failed for volume \"cfg\" : configmap \"app-cfg\" not found",
                    "11:50",
                    4,
                )],
                ..Default::default()
            },
            vec![no("volume_attach_failed")],
        ),
    ];
    for (name, g, want) in cases {
        check(name, crate::analyzers::volumes::analyze, g, &want);
    }
}

fn cordoned(name: &str, yes: bool) -> Value {
    let mut n = node(name, "True", None);
    if yes {
        n["spec"] = json!({"unschedulable": true, "taints": [
            {"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule", "timeAdded": t("10:12")}]});
    }
    n
}

fn pdb(rule: Value, allowed: i32, healthy: i32) -> Value {
    let mut spec = rule;
    spec["selector"] = json!({"matchLabels": {"app": "app"}});
    json!({
        "metadata": {"name": "app", "namespace": "ns"},
        "spec": spec,
        "status": {"disruptionsAllowed": allowed, "currentHealthy": healthy, "desiredHealthy": 3, "expectedPods": 3},
    })
}

#[test]
fn drains() {
    let on_node = || vec![pod("app-abc12345-aaaaa", running(true, 0, None))];
    let cases: Vec<(&str, Given, Vec<Expect>)> = vec![
        (
            "maxUnavailable 0 pins a pod on a cordoned node: configuration",
            Given {
                pods: on_node(),
                nodes: vec![cordoned("node-1", true)],
                extra: vec![("pdb", pdb(json!({"maxUnavailable": 0}), 0, 3))],
                ..Default::default()
            },
            vec![yes(
                "drain_blocked",
                Some(ConfigurationError),
                &[
                    "node node-1 cordoned since 10:12",
                    "PodDisruptionBudget ns/app allows 0 disruptions",
                    "maxUnavailable: 0",
                    "app-abc12345-aaaaa",
                    "disruption budget",
                ],
            )],
        ),
        (
            "a cluster-wide look sees the pods on the cordoned node too",
            Given {
                mode: Some(Mode::Triage),
                nodes: vec![cordoned("node-1", true)],
                extra: vec![
                    ("pdb", pdb(json!({"minAvailable": 3}), 0, 3)),
                    (
                        "drain_pod",
                        pod("app-abc12345-aaaaa", running(true, 0, None)),
                    ),
                ],
                ..Default::default()
            },
            vec![yes(
                "drain_blocked",
                Some(ConfigurationError),
                &["minAvailable: 3"],
            )],
        ),
        (
            "a budget at zero because pods are unhealthy names no category",
            Given {
                pods: on_node(),
                nodes: vec![cordoned("node-1", true)],
                extra: vec![("pdb", pdb(json!({"minAvailable": 2}), 0, 2))],
                ..Default::default()
            },
            vec![yes("drain_blocked", None, &["2 healthy, 3 required"])],
        ),
        (
            "a budget that allows a disruption does not block",
            Given {
                pods: on_node(),
                nodes: vec![cordoned("node-1", true)],
                extra: vec![("pdb", pdb(json!({"maxUnavailable": 1}), 1, 3))],
                ..Default::default()
            },
            vec![no("drain_blocked")],
        ),
        (
            "no cordon, no drain",
            Given {
                pods: on_node(),
                nodes: vec![cordoned("node-1", false)],
                extra: vec![("pdb", pdb(json!({"maxUnavailable": 0}), 0, 3))],
                ..Default::default()
            },
            vec![no("drain_blocked")],
        ),
    ];
    for (name, g, want) in cases {
        check(name, crate::analyzers::drains::analyze, g, &want);
    }
}

fn limited(name: &str, cpu: Option<&str>) -> Value {
    let mut p = pod(name, running(true, 2, Some(("Error", 143, "11:50"))));
    if let Some(c) = cpu {
        p["spec"]["containers"][0]["resources"]["limits"]["cpu"] = json!(c);
    }
    p
}

fn pinned_hpa(util: i32) -> Value {
    json!({
        "metadata": {"name": "app", "namespace": "ns"},
        "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "app"}, "minReplicas": 2, "maxReplicas": 6},
        "status": {"currentReplicas": 6, "desiredReplicas": 6,
            "currentMetrics": [{"type": "Resource", "resource": {"name": "cpu", "current": {"averageUtilization": util}}}],
            "conditions": [{"type": "ScalingLimited", "status": "True", "reason": "TooManyReplicas"}]},
    })
}

const POLL_LINE: &str = "WARN [Consumer clientId=c-1, groupId=g] consumer poll timeout has expired. This means the time between subsequent calls to poll() was longer than the configured max.poll.interval.ms, which typically implies that the poll loop is spending too much time processing messages.";

#[test]
fn cpu_starvation() {
    let given =
        |cpu: Option<&str>, util: i32, lines: &'static [(&'static str, &'static str)]| Given {
            pods: vec![limited("app-abc12345-aaaaa", cpu)],
            hpas: vec![pinned_hpa(util)],
            logs: vec![log("app-abc12345-aaaaa", false, lines)],
            ..Default::default()
        };
    let poll: &'static [(&str, &str)] = &[
        (
            "11:40",
            "INFO Started ConsumerApplication in 94.212 seconds (process running for 96.1)",
        ),
        ("11:50", POLL_LINE),
    ];
    let quiet: &'static [(&str, &str)] = &[("11:50", "INFO processed batch records=500")];
    let cases: Vec<(&str, Given, Vec<Expect>)> = vec![
        (
            "a CPU limit, an HPA pinned at max on CPU, consumers overrunning their poll interval",
            given(Some("300m"), 99, poll),
            vec![yes(
                "cpu_starved",
                Some(ResourceExhaustion),
                &[
                    "CPU-starved at its 300m CPU limit",
                    "maxReplicas 6",
                    "99%",
                    "max.poll.interval.ms",
                    "start-up takes 94 s",
                ],
            )],
        ),
        (
            "CPU well under the target: not starved",
            given(Some("300m"), 55, poll),
            vec![no("cpu_starved")],
        ),
        (
            "no CPU limit: nothing throttles it",
            given(None, 99, poll),
            vec![no("cpu_starved")],
        ),
        (
            "saturated but no symptom in the pods: nothing to say",
            given(Some("300m"), 99, quiet),
            vec![no("cpu_starved")],
        ),
    ];
    for (name, g, want) in cases {
        check(name, crate::analyzers::cpu::analyze, g, &want);
    }
}

fn imaged(name: &str, ready: &str, ami: &str) -> Value {
    let mut n = node(name, ready, None);
    n["metadata"]["labels"] = json!({"eks.amazonaws.com/nodegroup-image": ami});
    n["status"]["nodeInfo"] = json!({"kernelVersion": format!("kernel-of-{ami}"), "osImage": "", "architecture": "",
        "bootID": "", "containerRuntimeVersion": "", "kubeProxyVersion": "", "kubeletVersion": "",
        "machineID": "", "operatingSystem": "", "systemUUID": ""});
    n
}

#[test]
fn failing_nodes_name_the_image_they_share() {
    // (case, nodes, text the NotReady finding must carry, or None: no shared trait named)
    let cases: Vec<(&str, Vec<Value>, Option<&str>)> = vec![
        (
            "two NotReady nodes on the new AMI, the healthy one on the old",
            vec![
                imaged("n-1", "Unknown", "ami-new"),
                imaged("n-2", "False", "ami-new"),
                imaged("n-3", "True", "ami-old"),
            ],
            Some(
                "AMI ami-new (kernel kernel-of-ami-new) on all 2 failing nodes, none of the 1 healthy ones (AMI ami-old)",
            ),
        ),
        (
            "a node Ready again only since the window, hours after it joined, flapped: it counts as failing",
            vec![
                imaged("n-1", "Unknown", "ami-new"),
                {
                    let mut n = imaged("n-2", "True", "ami-new");
                    n["metadata"]["creationTimestamp"] = json!(t("09:00"));
                    n
                },
                imaged("n-3", "True", "ami-old"),
            ],
            Some("on all 2 failing nodes, none of the 1 healthy ones"),
        ),
        (
            "a healthy node on the same AMI clears it",
            vec![
                imaged("n-1", "Unknown", "ami-new"),
                imaged("n-2", "False", "ami-new"),
                imaged("n-3", "True", "ami-new"),
            ],
            None,
        ),
        (
            "one failing node is no pattern",
            vec![
                imaged("n-1", "Unknown", "ami-new"),
                imaged("n-3", "True", "ami-old"),
            ],
            None,
        ),
    ];
    for (name, nodes, want) in cases {
        let s = scene(Given {
            mode: Some(Mode::Triage),
            nodes,
            ..Default::default()
        });
        let got = crate::analyzers::nodes::analyze(&s);
        let f = got
            .iter()
            .find(|f| f.kind == "node_not_ready")
            .unwrap_or_else(|| panic!("{name}: no node_not_ready"));
        match want {
            Some(text) => assert!(f.title.contains(text), "{name}: {}", f.title),
            None => assert!(!f.title.contains("AMI"), "{name}: {}", f.title),
        }
    }
}
