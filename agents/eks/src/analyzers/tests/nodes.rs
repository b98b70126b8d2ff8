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
    ];
    for (name, g, want) in cases {
        check(name, crate::analyzers::nodes::analyze, g, &want);
    }
}
