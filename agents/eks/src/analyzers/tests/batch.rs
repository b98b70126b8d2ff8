//! Jobs that succeeded on a retry, CronJobs scheduled twice, and where a crashed run died (its
//! top stack frame).

use super::*;
use crate::target::Kind;

/// Job `backup-2` of CronJob `backup`: `failed` failed pods, `succeeded` succeeded, `cond`.
fn backup_job(failed: i32, succeeded: i32, cond: Option<&str>) -> Value {
    let mut status = json!({"startTime": t("11:00"), "failed": failed, "succeeded": succeeded});
    if let Some(c) = cond {
        status["conditions"] = json!([{"type": c, "status": "True", "reason": "BackoffLimitExceeded", "lastTransitionTime": t("11:50")}]);
        status["completionTime"] = json!(t("11:50"));
    }
    json!({
        "metadata": {"name": "backup-2", "namespace": "ns", "creationTimestamp": t("11:00"),
            "ownerReferences": [{"apiVersion": "batch/v1", "kind": "CronJob", "name": "backup", "uid": "c", "controller": true}]},
        "spec": {"backoffLimit": 3, "template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "app", "image": "r/backup:1"}]}}},
        "status": status,
    })
}

fn backup_pod(name: &str, phase: &str, code: i32, at: &str) -> Value {
    json!({
        "metadata": {"name": name, "namespace": "ns", "labels": {"job-name": "backup-2"},
            "ownerReferences": [{"apiVersion": "batch/v1", "kind": "Job", "name": "backup-2", "uid": "j", "controller": true}]},
        "spec": {"nodeName": "node-1", "restartPolicy": "Never", "containers": [{"name": "app", "image": "r/backup:1"}]},
        "status": {"phase": phase, "containerStatuses": [{"name": "app", "image": "r/backup:1", "imageID": "", "ready": false, "restartCount": 0,
            "state": {"terminated": {"reason": if code == 0 {"Completed"} else {"Error"}, "exitCode": code, "finishedAt": t(at)}}}]},
    })
}

fn backup_given(j: Value) -> Given {
    Given {
        unit: Some((
            Kind::Job,
            "backup-2",
            Some(Workload::Job(Box::new(from(j.clone())))),
        )),
        jobs: vec![j],
        pods: vec![
            backup_pod("backup-2-aaaaa", "Failed", 1, "11:03"),
            backup_pod("backup-2-bbbbb", "Succeeded", 0, "11:49"),
        ],
        logs: vec![
            log(
                "backup-2-aaaaa",
                false,
                &[(
                    "11:03",
                    "pg_dump: error: connection to server at \"db\" port 5432 failed: Connection timed out",
                )],
            ),
            log("backup-2-bbbbb", false, &[("11:49", "backup finished OK")]),
        ],
        ..Default::default()
    }
}

#[test]
fn retried_jobs() {
    let cases: Vec<(&str, Given, Vec<Expect>)> = vec![
        (
            "a Job Complete after one failed attempt is healthy, and says what the attempt hit",
            backup_given(backup_job(1, 1, Some("Complete"))),
            vec![yes(
                "target_healthy",
                Some(Healthy),
                &[
                    "backup-2: Job Complete",
                    "after a retry",
                    "1 failed attempt",
                    "Connection timed out",
                    "backup finished OK",
                ],
            )],
        ),
        (
            "a Job that completed without failures is left to the ordinary health check",
            backup_given(backup_job(0, 1, Some("Complete"))),
            vec![no("target_healthy")],
        ),
        (
            "a Job that failed for good is not healthy",
            backup_given(backup_job(4, 0, Some("Failed"))),
            vec![no("target_healthy")],
        ),
        (
            "a Job with completions still to run after a failed attempt is not healthy yet",
            backup_given(backup_job(1, 1, None)),
            vec![no("target_healthy")],
        ),
    ];
    for (name, g, want) in cases {
        check(name, crate::analyzers::retried::analyze, g, &want);
    }
}

/// CronJob `invoices` in `ns` on `image` with `args`, last scheduled at `last`.
fn cron(ns: &str, image: &str, args: &[&str], last: &str, suspend: bool) -> Value {
    json!({
        "metadata": {"name": "invoices", "namespace": ns, "creationTimestamp": t("09:00"),
            "annotations": {"helm.sh/resource-policy": "keep"}},
        "spec": {"schedule": "0 2 1 * *", "suspend": suspend, "jobTemplate": {"spec": {"template": {"spec": {
            "restartPolicy": "Never", "containers": [{"name": "run", "image": image, "args": args}]}}}}},
        "status": {"lastScheduleTime": t(last), "active": [{"kind": "Job", "name": "invoices-1", "namespace": ns}]},
    })
}

fn cron_pod(ns: &str) -> Value {
    json!({
        "metadata": {"name": format!("invoices-1-{ns}"), "namespace": ns, "labels": {"job-name": "invoices-1"}},
        "spec": {"nodeName": "node-1", "containers": [{"name": "run", "image": "x"}]},
        "status": {"phase": "Running"},
    })
}

fn cron_log(ns: &str) -> ContainerLog {
    let mut l = log(
        &format!("invoices-1-{ns}"),
        false,
        &[
            ("11:45", "INFO lock acquired"),
            (
                "11:50",
                "ERROR insert failed: duplicate key value violates unique constraint \"invoices_pkey\"",
            ),
        ],
    );
    l.namespace = ns.into();
    l.container = "run".into();
    l
}

#[test]
fn duplicate_cronjobs() {
    let run = ["invoice-run", "--mode=issue"];
    let twice = |b: Value| -> Vec<(&'static str, Value)> {
        vec![
            ("cronjob", cron("old", "r/worker:1", &run, "11:45", false)),
            ("cronjob", b),
            ("cron_pod", cron_pod("old")),
            ("cron_pod", cron_pod("new")),
        ]
    };
    let cases: Vec<(&str, Given, Vec<Expect>)> = vec![
        (
            "the same job in two namespaces, both run: configuration, both copies named, the runs' error quoted",
            Given {
                mode: Some(Mode::Triage),
                extra: twice(cron("new", "r/worker:2", &run, "11:45", false)),
                logs: vec![cron_log("old"), cron_log("new")],
                ..Default::default()
            },
            vec![yes(
                "cronjob_duplicate",
                Some(ConfigurationError),
                &[
                    "CronJob invoices runs 2 times",
                    "old/invoices",
                    "new/invoices",
                    "same schedule \"0 2 1 * *\"",
                    "duplicate key value",
                    "resource-policy: keep",
                ],
            )],
        ),
        (
            "looking at an unrelated workload, copies in other namespaces are not its concern",
            Given {
                extra: twice(cron("new", "r/worker:2", &run, "11:45", false)),
                ..Default::default()
            },
            vec![no("cronjob_duplicate")],
        ),
        (
            "a suspended copy does not run",
            Given {
                mode: Some(Mode::Triage),
                extra: twice(cron("new", "r/worker:2", &run, "11:45", true)),
                ..Default::default()
            },
            vec![no("cronjob_duplicate")],
        ),
        (
            "a different command is a different job",
            Given {
                mode: Some(Mode::Triage),
                extra: twice(cron(
                    "new",
                    "r/worker:2",
                    &["invoice-run", "--mode=preview"],
                    "11:45",
                    false,
                )),
                ..Default::default()
            },
            vec![no("cronjob_duplicate")],
        ),
    ];
    for (name, g, want) in cases {
        check(name, crate::analyzers::duplicates::analyze, g, &want);
    }
}

#[test]
fn top_frames() {
    let lines = |xs: &[&str]| -> Vec<LogLine> {
        xs.iter()
            .map(|x| LogLine {
                at: None,
                text: (*x).to_owned(),
            })
            .collect()
    };
    let cases: Vec<(&str, Vec<&str>, Option<&str>)> = vec![
        (
            "Python: the innermost frame, the last File line",
            vec![
                "Traceback (most recent call last):",
                "  File \"/srv/app/main.py\", line 10, in <module>",
                "  File \"/srv/app/rows.py\", line 27, in format_row",
                "    \"region\": inv[\"region\"],",
                "KeyError: 'region'",
            ],
            Some("app/rows.py:27 in format_row"),
        ),
        (
            "Java: the root cause's first frame",
            vec![
                "Exception in thread \"main\" java.lang.IllegalStateException: boot failed",
                "\tat com.acme.App.main(App.java:12)",
                "Caused by: java.sql.SQLException: no driver",
                "\tat com.acme.Db.connect(Db.java:41)",
                "\tat com.acme.App.main(App.java:10)",
                "\t... 3 more",
            ],
            Some("com.acme.Db.connect (Db.java:41)"),
        ),
        (
            "Node.js: the first at frame",
            vec![
                "TypeError: Cannot read properties of undefined (reading 'id')",
                "    at handler (/app/src/server.js:42:13)",
                "    at Layer.handle (/app/node_modules/express/lib/router/layer.js:95:5)",
            ],
            Some("handler (src/server.js:42"),
        ),
        (
            "Go: the function under the running goroutine",
            vec![
                "panic: runtime error: index out of range [3] with length 3",
                "",
                "goroutine 1 [running]:",
                "main.applyDiscount(0xc000012345)",
                "\t/app/pricing/discount.go:88 +0x1d",
            ],
            Some("main.applyDiscount (pricing/discount.go:88)"),
        ),
        (
            "Go: a method's receiver and import path, without its arguments",
            vec![
                "panic: runtime error: invalid memory address or nil pointer dereference",
                "goroutine 187 [running]:",
                "github.com/acme/pricing/internal/discount.(*Engine).apply(0xc0001b2a80, {0x0, 0x0})",
                "\t/src/internal/discount/bundle.go:142 +0x64",
                "github.com/acme/pricing/internal/discount.(*Engine).Recompute(0xc0001b2a80)",
                "\t/src/internal/discount/engine.go:88 +0x1d3",
            ],
            Some("discount.(*Engine).apply (discount/bundle.go:142)"),
        ),
        (
            "no stack trace, no frame",
            vec!["ERROR connection refused", "exiting"],
            None,
        ),
    ];
    for (name, ls, want) in cases {
        let got = crate::analyzers::frames::top_frame(&lines(&ls));
        match want {
            Some(w) => assert!(
                got.as_deref().is_some_and(|g| g.contains(w)),
                "{name}: {got:?}"
            ),
            None => assert!(got.is_none(), "{name}: {got:?}"),
        }
    }
}

/// A crash loop's title says where the code died.
#[test]
fn crash_loop_titles_name_the_top_frame() {
    let g = Given {
        pods: vec![pod(
            "app-abc12345-aaaaa",
            waiting(
                "CrashLoopBackOff",
                "back-off",
                5,
                Some(("Error", 1, "11:55")),
            ),
        )],
        logs: vec![log(
            "app-abc12345-aaaaa",
            true,
            &[
                ("11:55", "Traceback (most recent call last):"),
                (
                    "11:55",
                    "  File \"/srv/app/rows.py\", line 27, in format_row",
                ),
                ("11:55", "KeyError: 'region'"),
            ],
        )],
        ..Default::default()
    };
    check(
        "a traceback's innermost frame is in the title",
        crate::analyzers::containers::analyze,
        g,
        &[yes(
            "crash_loop",
            Some(CodeDefect),
            &["died at app/rows.py:27 in format_row", "KeyError"],
        )],
    );
}
