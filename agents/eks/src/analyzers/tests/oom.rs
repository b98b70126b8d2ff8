//! OOM kills that recur hours apart (a slow leak) are an active problem, not "healthy now";
//! one old kill is not.

use super::*;

/// A Running, Ready pod whose last run was OOMKilled at `killed` after starting at `started`.
fn killed(name: &str, restarts: i32, started: &str, killed: &str) -> Value {
    let mut st = running(true, restarts, None);
    st["containerStatuses"][0]["lastState"] = json!({"terminated": {"reason": "OOMKilled", "exitCode": 137,
        "startedAt": started, "finishedAt": killed}});
    pod(name, st)
}

fn growing() -> Vec<ContainerLog> {
    vec![log(
        "app-abc12345-aaaaa",
        true,
        &[
            (
                "08:10",
                "{\"level\":\"info\",\"msg\":\"gauges\",\"heap_inuse_mb\":120}",
            ),
            (
                "09:00",
                "{\"level\":\"info\",\"msg\":\"gauges\",\"heap_inuse_mb\":260}",
            ),
            (
                "10:00",
                "{\"level\":\"info\",\"msg\":\"gauges\",\"heap_inuse_mb\":430}",
            ),
            (
                "10:50",
                "{\"level\":\"info\",\"msg\":\"gauges\",\"heap_inuse_mb\":505}",
            ),
        ],
    )]
}

#[test]
fn recurring_oom() {
    let cases: Vec<(&str, Given, Vec<Expect>)> = vec![
        (
            "killed every ~3h, last kill 1h before the alert, Ready now: an active leak",
            Given {
                pods: vec![
                    killed("app-abc12345-aaaaa", 6, &t("08:00"), &t("10:55")),
                    killed("app-abc12345-bbbbb", 5, &t("07:20"), &t("10:20")),
                ],
                logs: growing(),
                events: vec![
                    json!({"metadata": {"name": "node-1.oom", "namespace": "default"},
                    "involvedObject": {"kind": "Node", "name": "node-1"},
                    "type": "Warning", "reason": "OOMKilling",
                    "message": "Memory cgroup out of memory: Killed process 4242 (java)",
                    "count": 11, "firstTimestamp": "2026-04-17T22:05:00Z", "lastTimestamp": t("10:55")}),
                ],
                ..Default::default()
            },
            vec![
                yes(
                    "oom_killed",
                    Some(ResourceExhaustion),
                    &[
                        "OOMKilled (exit code 137)",
                        "11 restarts",
                        "recurring",
                        "last kill 10:55:00",
                        "512Mi",
                        "heap_inuse_mb 120 → 505",
                        "×11 OOMKilling",
                    ],
                ),
                no("target_healthy"),
            ],
        ),
        (
            "one OOM kill hours ago, fine since: healthy",
            Given {
                pods: vec![killed("app-abc12345-aaaaa", 1, &t("06:00"), &t("09:00"))],
                ..Default::default()
            },
            vec![no("oom_killed"), yes("target_healthy", Some(Healthy), &[])],
        ),
        (
            "repeated kills that stopped a day ago: healthy",
            Given {
                pods: vec![killed(
                    "app-abc12345-aaaaa",
                    7,
                    "2026-04-17T06:00:00Z",
                    "2026-04-17T08:00:00Z",
                )],
                ..Default::default()
            },
            vec![no("oom_killed"), yes("target_healthy", Some(Healthy), &[])],
        ),
    ];
    for (name, g, want) in cases {
        check(name, super::super::run, g, &want);
    }
}
