//! Nodes under the target.

use super::*;

#[test]
fn nodes() {
    let cases: Vec<(&str, Given, Vec<Expect>)> = vec![
        (
            "the target's node is NotReady",
            Given {
                pods: vec![pod("app-abc12345-aaaaa", running(false, 0, None))],
                nodes: vec![node("node-1", "Unknown", None)],
                ..Default::default()
            },
            vec![yes(
                "node_not_ready",
                Some(Infrastructure),
                &[
                    "node-1 NotReady",
                    "Kubelet stopped posting node status.",
                    "app-abc12345-aaaaa",
                ],
            )],
        ),
        (
            "disk pressure under the target",
            Given {
                pods: vec![pod("app-abc12345-aaaaa", running(true, 0, None))],
                nodes: vec![node("node-1", "True", Some("DiskPressure"))],
                ..Default::default()
            },
            vec![
                yes("node_pressure", Some(Infrastructure), &["DiskPressure"]),
                no("node_not_ready"),
            ],
        ),
        (
            "another node's trouble is not the target's",
            Given {
                pods: vec![pod("app-abc12345-aaaaa", running(true, 0, None))],
                nodes: vec![
                    node("node-1", "True", None),
                    node("node-9", "False", Some("MemoryPressure")),
                ],
                ..Default::default()
            },
            vec![no("node_not_ready"), no("node_pressure")],
        ),
        (
            "a reboot before the window explains the pods' restarts",
            Given {
                pods: vec![pod(
                    "app-abc12345-aaaaa",
                    running(true, 1, Some(("Unknown", 255, "11:20"))),
                )],
                nodes: vec![node("node-1", "True", None)],
                events: reboot(&[
                    (
                        "NodeNotReady",
                        "Node node-1 status is now: NodeNotReady",
                        "11:21",
                    ),
                    ("Starting", "Starting kubelet.", "11:23"),
                    (
                        "Rebooted",
                        "Node node-1 has been rebooted, boot id: 5b3f",
                        "11:23",
                    ),
                    ("NodeReady", "Node node-1 status is now: NodeReady", "11:24"),
                ]),
                ..Default::default()
            },
            vec![yes(
                "node_rebooted",
                None,
                &[
                    "node node-1 Rebooted at 11:23:00",
                    "NotReady 11:21:00 → Ready 11:24:00",
                    "has been rebooted, boot id: 5b3f",
                    "last exit 255 (Unknown)",
                ],
            )],
        ),
        (
            "a kubelet restart cycle without a Rebooted event",
            Given {
                pods: vec![pod("app-abc12345-aaaaa", running(true, 0, None))],
                nodes: vec![node("node-1", "True", None)],
                events: reboot(&[
                    (
                        "NodeNotReady",
                        "Node node-1 status is now: NodeNotReady",
                        "11:40",
                    ),
                    ("Starting", "Starting kubelet.", "11:41"),
                    ("NodeReady", "Node node-1 status is now: NodeReady", "11:42"),
                ]),
                ..Default::default()
            },
            vec![yes("node_rebooted", None, &["Starting kubelet"])],
        ),
        (
            "an old reboot that explains nothing",
            Given {
                pods: vec![pod("app-abc12345-aaaaa", running(true, 0, None))],
                nodes: vec![node("node-1", "True", None)],
                events: reboot(&[("Rebooted", "Node node-1 has been rebooted", "10:45")]),
                ..Default::default()
            },
            vec![no("node_rebooted")],
        ),
    ];
    for (name, g, want) in cases {
        check(name, crate::analyzers::nodes::analyze, g, &want);
    }
}

/// Node lifecycle events: (reason, message, time).
pub(super) fn reboot(evs: &[(&str, &str, &str)]) -> Vec<Value> {
    evs.iter()
        .map(|(reason, msg, at)| {
            let mut e = event("Node", "node-1", "Normal", reason, msg, at, 1);
            e["involvedObject"] = json!({"kind": "Node", "name": "node-1"});
            e
        })
        .collect()
}
