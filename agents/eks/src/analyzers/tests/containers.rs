//! OOMKilled, crash loops, image pulls and missing config.

use super::*;

#[test]
fn containers() {
    let crash_prev = |line: &'static str| {
        vec![log(
            "app-abc12345-aaaaa",
            true,
            &[("11:58", "starting"), ("11:58", line)],
        )]
    };
    let cases: Vec<(&str, Given, Vec<Expect>)> = vec![
        (
            "oom in a crash loop",
            Given {
                pods: vec![pod(
                    "app-abc12345-aaaaa",
                    waiting(
                        "CrashLoopBackOff",
                        "back-off",
                        4,
                        Some(("OOMKilled", 137, "11:55")),
                    ),
                )],
                ..Default::default()
            },
            vec![
                yes(
                    "oom_killed",
                    Some(ResourceExhaustion),
                    &["OOMKilled (exit code 137)", "CrashLoopBackOff", "512Mi"],
                ),
                no("crash_loop"),
            ],
        ),
        (
            "liveness kill is 137 with reason Error, not OOM",
            Given {
                pods: vec![pod(
                    "app-abc12345-aaaaa",
                    waiting("CrashLoopBackOff", "", 5, Some(("Error", 137, "11:55"))),
                )],
                events: vec![event(
                    "Pod",
                    "app-abc12345-aaaaa",
                    "Normal",
                    "Killing",
                    "Container app failed liveness probe, will be restarted",
                    "11:55",
                    5,
                )],
                ..Default::default()
            },
            vec![
                yes("crash_loop", None, &["exit code 137", "not OOMKilled"]),
                no("oom_killed"),
            ],
        ),
        (
            "panic in the previous log is a code defect",
            Given {
                pods: vec![pod(
                    "app-abc12345-aaaaa",
                    waiting("CrashLoopBackOff", "", 3, Some(("Error", 2, "11:58"))),
                )],
                logs: crash_prev(
                    "panic: runtime error: invalid memory address or nil pointer dereference",
                ),
                ..Default::default()
            },
            vec![yes(
                "crash_loop",
                Some(CodeDefect),
                &["CrashLoopBackOff", "exit code 2", "nil pointer dereference"],
            )],
        ),
        (
            "what the process was doing when it panicked is quoted (boolean fields too)",
            Given {
                pods: vec![pod(
                    "app-abc12345-aaaaa",
                    waiting("CrashLoopBackOff", "", 3, Some(("Error", 2, "11:58"))),
                )],
                logs: vec![log(
                    "app-abc12345-aaaaa",
                    true,
                    &[
                        (
                            "11:57",
                            "{\"level\":\"info\",\"msg\":\"checkout\",\"items\":4,\"promo.bundles\":true}",
                        ),
                        ("11:57", "panic: assignment to entry in nil map"),
                        ("11:57", ""),
                        ("11:57", "goroutine 12 [running]:"),
                    ],
                )],
                ..Default::default()
            },
            vec![yes(
                "crash_loop",
                Some(CodeDefect),
                &[
                    "last line before the crash: info checkout",
                    "promo.bundles=true",
                ],
            )],
        ),
        (
            "DNS failure in the previous log is infrastructure",
            Given {
                pods: vec![pod(
                    "app-abc12345-aaaaa",
                    waiting("CrashLoopBackOff", "", 3, Some(("Error", 1, "11:58"))),
                )],
                logs: crash_prev(
                    "FATAL dial tcp: lookup db.internal on 10.0.0.10:53: no such host",
                ),
                ..Default::default()
            },
            vec![yes("crash_loop", Some(Infrastructure), &["no such host"])],
        ),
        (
            "exit 127 without logs is a bad command",
            Given {
                pods: vec![pod(
                    "app-abc12345-aaaaa",
                    waiting("CrashLoopBackOff", "", 3, Some(("Error", 127, "11:58"))),
                )],
                ..Default::default()
            },
            vec![yes(
                "crash_loop",
                Some(ConfigurationError),
                &["exit code 127", "command not found"],
            )],
        ),
        (
            "a noise signature healthy pods log too is not the crash's cause",
            Given {
                pods: vec![
                    pod(
                        "app-abc12345-aaaaa",
                        waiting("CrashLoopBackOff", "", 3, Some(("Error", 1, "11:58"))),
                    ),
                    pod("app-abc12345-bbbbb", running(true, 0, None)),
                ],
                logs: vec![
                    log(
                        "app-abc12345-aaaaa",
                        true,
                        &[("11:58", "ERROR statsd: connection refused")],
                    ),
                    log(
                        "app-abc12345-bbbbb",
                        false,
                        &[("11:50", "ERROR statsd: connection refused")],
                    ),
                ],
                ..Default::default()
            },
            vec![yes(
                "crash_loop",
                None,
                &["app-abc12345-aaaaa CrashLoopBackOff", "exit code 1"],
            )],
        ),
        (
            "the terminal exception decides, even when healthy pods log it too",
            Given {
                pods: vec![
                    pod(
                        "app-abc12345-aaaaa",
                        waiting("CrashLoopBackOff", "", 5, Some(("Error", 1, "11:58"))),
                    ),
                    pod("app-abc12345-bbbbb", running(true, 0, None)),
                ],
                logs: vec![
                    log(
                        "app-abc12345-aaaaa",
                        true,
                        &[
                            (
                                "11:57",
                                "WARN SQL Error: canceling statement due to statement timeout",
                            ),
                            (
                                "11:58",
                                "ERROR o.s.boot.SpringApplication : Application run failed",
                            ),
                            ("11:58", "java.lang.OutOfMemoryError: Java heap space"),
                            (
                                "11:58",
                                "\tat java.base/java.util.HashMap.resize(HashMap.java:702)",
                            ),
                        ],
                    ),
                    log(
                        "app-abc12345-bbbbb",
                        false,
                        &[
                            (
                                "11:45",
                                "WARN SQL Error: canceling statement due to statement timeout",
                            ),
                            ("11:50", "ERROR catalog refresh failed"),
                            ("11:50", "java.lang.OutOfMemoryError: Java heap space"),
                        ],
                    ),
                ],
                ..Default::default()
            },
            vec![
                yes(
                    "crash_loop",
                    Some(ResourceExhaustion),
                    &[
                        "exit code 1 (Error)",
                        "Java heap space",
                        "Application run failed",
                    ],
                ),
                no("oom_killed"),
            ],
        ),
        (
            "a Python traceback's last line is the cause, not a timeout logged before it",
            Given {
                pods: vec![pod(
                    "app-abc12345-aaaaa",
                    waiting("CrashLoopBackOff", "", 2, Some(("Error", 1, "11:58"))),
                )],
                logs: vec![log(
                    "app-abc12345-aaaaa",
                    true,
                    &[
                        ("11:57", "WARNING urllib3: Read timed out. (read timeout=5)"),
                        ("11:58", "Traceback (most recent call last):"),
                        ("11:58", "  File \"/app/main.py\", line 3, in <module>"),
                        ("11:58", "KeyError: 'region'"),
                    ],
                )],
                ..Default::default()
            },
            vec![yes("crash_loop", Some(CodeDefect), &["KeyError: 'region'"])],
        ),
        (
            "a failed (finished) pod is not a crash loop",
            Given {
                pods: vec![pod(
                    "app-abc12345-aaaaa",
                    json!({"phase": "Failed", "conditions": [{"type": "Ready", "status": "False"}],
                        "containerStatuses": [{"name": "app", "image": "r/app:v2", "imageID": "", "ready": false, "restartCount": 0,
                            "state": {"terminated": {"reason": "Error", "exitCode": 1, "finishedAt": t("11:55")}}}]}),
                )],
                ..Default::default()
            },
            vec![no("crash_loop")],
        ),
        (
            "an old OOM on a running, ready pod is history",
            Given {
                pods: vec![pod(
                    "app-abc12345-aaaaa",
                    running(true, 1, Some(("OOMKilled", 137, "09:00"))),
                )],
                ..Default::default()
            },
            vec![no("oom_killed"), no("crash_loop")],
        ),
        (
            "image pull: unauthorized",
            Given {
                pods: vec![pod(
                    "app-abc12345-aaaaa",
                    waiting("ImagePullBackOff", "Back-off pulling image", 0, None),
                )],
                events: vec![event(
                    "Pod",
                    "app-abc12345-aaaaa",
                    "Warning",
                    "Failed",
                    "Failed to pull image \"r/app:v2\": rpc error: 401 Unauthorized",
                    "11:56",
                    4,
                )],
                ..Default::default()
            },
            vec![yes(
                "image_pull",
                Some(ConfigurationError),
                &["ImagePullBackOff", "r/app:v2", "unauthorized"],
            )],
        ),
        (
            "image pull: registry unreachable",
            Given {
                pods: vec![pod(
                    "app-abc12345-aaaaa",
                    waiting("ErrImagePull", "", 0, None),
                )],
                events: vec![event(
                    "Pod",
                    "app-abc12345-aaaaa",
                    "Warning",
                    "Failed",
                    "Failed to pull image \"r/app:v2\": dial tcp 52.1.2.3:443: i/o timeout",
                    "11:56",
                    2,
                )],
                ..Default::default()
            },
            vec![yes(
                "image_pull",
                Some(Infrastructure),
                &["registry unreachable", "dial tcp 52.1.2.3:443: i/o timeout"],
            )],
        ),
        (
            "image pull: the registry's rate limit is a dependency refusing, quoted literally",
            Given {
                pods: vec![pod(
                    "app-abc12345-aaaaa",
                    waiting(
                        "ImagePullBackOff",
                        "Back-off pulling image \"r/app:v2\"",
                        0,
                        None,
                    ),
                )],
                events: vec![
                    event(
                        "Pod",
                        "app-abc12345-aaaaa",
                        "Warning",
                        "Failed",
                        "Error: ErrImagePull",
                        "11:56",
                        5,
                    ),
                    event(
                        "Pod",
                        "app-abc12345-aaaaa",
                        "Warning",
                        "Failed",
                        "Failed to pull image \"r/app:v2\": failed to pull and unpack image \"registry.example/r/app:v2\": failed to copy: httpReadSeeker: failed open: unexpected status code https://registry.example/v2/r/app/manifests/sha256:4290ab1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a2: 429 Too Many Requests - Server message: toomanyrequests: anonymous pull quota reached for this address",
                        "11:56",
                        5,
                    ),
                ],
                ..Default::default()
            },
            vec![yes(
                "image_pull",
                Some(DependencyFailure),
                &[
                    "rate-limited",
                    "429 Too Many Requests",
                    "toomanyrequests: anonymous pull quota reached",
                ],
            )],
        ),
        (
            "image pull: a back-off alone says nothing about the cause",
            Given {
                pods: vec![pod(
                    "app-abc12345-aaaaa",
                    waiting(
                        "ImagePullBackOff",
                        "Back-off pulling image \"r/app:v2\"",
                        0,
                        None,
                    ),
                )],
                ..Default::default()
            },
            vec![yes("image_pull", None, &["cannot be pulled"])],
        ),
        (
            "missing secret key",
            Given {
                pods: vec![pod(
                    "app-abc12345-aaaaa",
                    waiting(
                        "CreateContainerConfigError",
                        "couldn't find key DB_URL in Secret ns/app-secrets",
                        0,
                        None,
                    ),
                )],
                ..Default::default()
            },
            vec![yes(
                "config_missing",
                Some(ConfigurationError),
                &["CreateContainerConfigError", "DB_URL", "app-secrets"],
            )],
        ),
    ];
    for (name, g, want) in cases {
        check(name, crate::analyzers::containers::analyze, g, &want);
    }
}
