//! Healthy targets, heartbeats, triage, and the cross-analyzer rules.

use super::*;

#[test]
fn health() {
    let clean = |pod: &str| log(pod, false, &[("11:59", "INFO processed batch n=50")]);
    let cases: Vec<(&str, Given, Vec<Expect>)> = vec![
        (
            "all ready, no restarts, clean logs",
            Given {
                pods: vec![pod("app-abc12345-aaaaa", running(true, 0, None))],
                logs: vec![clean("app-abc12345-aaaaa")],
                ..Default::default()
            },
            vec![yes(
                "target_healthy",
                Some(Healthy),
                &["healthy now", "1/1 pods", "processed batch"],
            )],
        ),
        (
            "recovered: restarted 20 min ago, Ready for 20",
            Given {
                pods: vec![pod(
                    "app-abc12345-aaaaa",
                    running(true, 2, Some(("Error", 1, "11:39"))),
                )],
                logs: vec![
                    clean("app-abc12345-aaaaa"),
                    log(
                        "app-abc12345-aaaaa",
                        true,
                        &[("11:39", "FATAL lost broker connection")],
                    ),
                ],
                ..Default::default()
            },
            vec![yes(
                "target_healthy",
                Some(Healthy),
                &["recovered", "Ready since 11:40", "lost broker connection"],
            )],
        ),
        (
            "restarted 2 min ago: too early to call it recovered",
            Given {
                pods: vec![pod("app-abc12345-aaaaa", {
                    let mut s = running(true, 2, Some(("Error", 1, "11:58")));
                    s["conditions"][0]["lastTransitionTime"] = json!(t("11:58"));
                    s
                })],
                ..Default::default()
            },
            vec![no("target_healthy")],
        ),
        (
            "ready but logging errors is not healthy",
            Given {
                pods: vec![pod("app-abc12345-aaaaa", running(true, 0, None))],
                logs: vec![log(
                    "app-abc12345-aaaaa",
                    false,
                    &[("11:55", "ERROR java.lang.NullPointerException")],
                )],
                ..Default::default()
            },
            vec![no("target_healthy")],
        ),
        (
            "recovered: start-up errors and probe failures 25 min ago, quiet since",
            Given {
                pods: vec![pod("app-abc12345-aaaaa", {
                    let mut s = running(true, 1, Some(("Unknown", 255, "11:20")));
                    s["conditions"][0]["lastTransitionTime"] = json!(t("11:36"));
                    s
                })],
                events: {
                    let mut e = super::nodes::reboot(&[(
                        "Rebooted",
                        "Node node-1 has been rebooted, boot id: 5b3f",
                        "11:22",
                    )]);
                    e.push(event(
                        "Pod",
                        "app-abc12345-aaaaa",
                        "Warning",
                        "Unhealthy",
                        "Readiness probe failed: HTTP probe failed with statuscode: 503",
                        "11:35",
                        4,
                    ));
                    e
                },
                logs: vec![log(
                    "app-abc12345-aaaaa",
                    false,
                    &[
                        ("11:34", "ERROR redis connect failed: connection refused"),
                        ("11:36", "INFO listening on :8080"),
                        ("11:59", "INFO processed batch n=50"),
                    ],
                )],
                ..Default::default()
            },
            vec![yes(
                "target_healthy",
                Some(Healthy),
                &[
                    "recovered",
                    "Ready since 11:36:00",
                    "last failure at 11:35:00",
                    "has been rebooted",
                ],
            )],
        ),
        (
            "failures 6 min ago: not recovered yet",
            Given {
                pods: vec![pod("app-abc12345-aaaaa", running(true, 0, None))],
                events: vec![event(
                    "Pod",
                    "app-abc12345-aaaaa",
                    "Warning",
                    "Unhealthy",
                    "Readiness probe failed: HTTP probe failed with statuscode: 503",
                    "11:54",
                    3,
                )],
                ..Default::default()
            },
            vec![no("target_healthy")],
        ),
        (
            "a heartbeat alert",
            Given {
                mode: Some(Mode::Heartbeat),
                ..Default::default()
            },
            vec![yes(
                "target_healthy",
                Some(Healthy),
                &["always-firing heartbeat"],
            )],
        ),
        (
            "nothing matched",
            Given {
                mode: Some(Mode::Triage),
                ..Default::default()
            },
            vec![yes(
                "target_not_found",
                None,
                &["nothing in the cluster matches"],
            )],
        ),
    ];
    for (name, g, want) in cases {
        check(name, crate::analyzers::health::analyze, g, &want);
    }
}

/// The cross-analyzer rules: the kubelet's cause outranks log noise, a healthy target carries no
/// cause, and a triage demotes what predates the window.
#[test]
fn arbitration() {
    let oom = scene(Given {
        pods: vec![pod(
            "app-abc12345-aaaaa",
            waiting("CrashLoopBackOff", "", 4, Some(("OOMKilled", 137, "11:55"))),
        )],
        logs: vec![log(
            "app-abc12345-aaaaa",
            false,
            &[
                ("11:50", "ERROR statsd: connection refused"),
                ("11:51", "ERROR statsd: connection refused"),
            ],
        )],
        ..Default::default()
    });
    let out = run(&oom);
    let sig = out
        .iter()
        .find(|f| f.kind == "log_signature")
        .expect("log_signature");
    assert_eq!(sig.category, None);
    assert!(sig.severity <= Severity::Low);
    assert_eq!(out[0].kind, "oom_killed", "the cause first");

    let triage = scene(Given {
        mode: Some(Mode::Triage),
        pods: vec![pod(
            "app-abc12345-aaaaa",
            waiting("CrashLoopBackOff", "", 900, Some(("Error", 2, "11:58"))),
        )],
        events: vec![{
            let mut e = event(
                "Pod",
                "app-abc12345-aaaaa",
                "Warning",
                "BackOff",
                "Back-off restarting failed container",
                "11:59",
                9000,
            );
            e["firstTimestamp"] = json!("2026-04-12T08:00:00Z");
            e
        }],
        logs: vec![log("app-abc12345-aaaaa", true, &[("11:58", "panic: boom")])],
        ..Default::default()
    });
    let out = run(&triage);
    let crash = out
        .iter()
        .find(|f| f.kind == "crash_loop")
        .expect("crash_loop");
    assert_eq!(crash.category, None, "{crash:?}");
    assert!(crash.title.ends_with("(predates the alert)"));
    assert!(out.iter().any(|f| f.kind == "target_not_found"));
}
