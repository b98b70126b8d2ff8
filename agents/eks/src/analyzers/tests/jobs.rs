//! Jobs and CronJobs: a failed Job's cause from its failed runs' logs, and the CronJob's image
//! change since its last successful run.

use super::*;
use crate::target::Kind;

/// A Job `nightly-<suffix>` of CronJob `nightly` on `image`, with an optional terminal condition.
fn job(suffix: &str, image: &str, created: &str, cond: Option<Value>) -> Value {
    let mut status = json!({"startTime": t(created)});
    if let Some(c) = cond {
        status["conditions"] = json!([c]);
        status["failed"] = json!(3);
    }
    json!({
        "metadata": {"name": format!("nightly-{suffix}"), "namespace": "ns", "creationTimestamp": t(created),
            "ownerReferences": [{"apiVersion": "batch/v1", "kind": "CronJob", "name": "nightly", "uid": "c", "controller": true}]},
        "spec": {"backoffLimit": 2, "activeDeadlineSeconds": 600,
            "template": {"spec": {"restartPolicy": "Never", "containers": [{"name": "app", "image": image}]}}},
        "status": status,
    })
}

fn failed(reason: &str, at: &str) -> Option<Value> {
    Some(
        json!({"type": "Failed", "status": "True", "reason": reason, "message": "Job has reached the specified backoff limit", "lastTransitionTime": t(at)}),
    )
}

fn complete(at: &str) -> Option<Value> {
    Some(json!({"type": "Complete", "status": "True", "lastTransitionTime": t(at)}))
}

/// A failed run (pod) of Job `nightly-<suffix>`.
fn run(suffix: &str, pod: &str, reason: &str, code: i32, at: &str) -> Value {
    json!({
        "metadata": {"name": pod, "namespace": "ns", "labels": {"job-name": format!("nightly-{suffix}")},
            "ownerReferences": [{"apiVersion": "batch/v1", "kind": "Job", "name": format!("nightly-{suffix}"), "uid": "j", "controller": true}]},
        "spec": {"nodeName": "node-1", "restartPolicy": "Never", "containers": [{"name": "app", "image": "r/nightly:v2"}]},
        "status": {"phase": "Failed", "conditions": [{"type": "Ready", "status": "False"}],
            "containerStatuses": [{"name": "app", "image": "r/nightly:v2", "imageID": "", "ready": false, "restartCount": 0,
                "state": {"terminated": {"reason": reason, "exitCode": code, "finishedAt": t(at)}}}]},
    })
}

fn job_unit(j: &Value) -> Option<(Kind, &'static str, Option<Workload>)> {
    Some((
        Kind::Job,
        "nightly-2",
        Some(Workload::Job(Box::new(from(j.clone())))),
    ))
}

/// A finished run's current log: the failing run itself.
fn runlog(pod: &str, lines: &[(&str, &str)]) -> ContainerLog {
    log(pod, false, lines)
}

#[test]
fn jobs() {
    let traceback = [
        ("11:40", "INFO starting export"),
        (
            "11:41",
            "WARNING retrying after Read timed out (read timeout=5)",
        ),
        ("11:42", "Traceback (most recent call last):"),
        ("11:42", "  File \"/app/rows.py\", line 27, in format_row"),
        ("11:42", "    \"region\": inv[\"region\"],"),
        ("11:42", "KeyError: 'region'"),
    ];
    let failing = job(
        "2",
        "r/nightly:v2",
        "11:40",
        failed("BackoffLimitExceeded", "11:45"),
    );
    let cases: Vec<(&str, Given, Vec<Expect>)> = vec![
        (
            "a KeyError that ends every run is a code defect, the reason is literal",
            Given {
                unit: job_unit(&failing),
                jobs: vec![
                    failing.clone(),
                    job("1", "r/nightly:v1", "10:40", complete("10:41")),
                ],
                pods: vec![
                    run("2", "nightly-2-aaaaa", "Error", 1, "11:42"),
                    run("2", "nightly-2-bbbbb", "Error", 1, "11:44"),
                ],
                logs: vec![
                    runlog("nightly-2-aaaaa", &traceback),
                    runlog("nightly-2-bbbbb", &traceback),
                ],
                ..Default::default()
            },
            vec![
                yes(
                    "job_failed",
                    Some(CodeDefect),
                    &[
                        "nightly-2 failed: BackoffLimitExceeded (backoffLimit 2)",
                        "KeyError: 'region'",
                        "rows.py",
                        "2 of 2 failed runs",
                    ],
                ),
                yes("recent_rollout", None, &["v1 → v2", "nightly-1"]),
                no("crash_loop"),
            ],
        ),
        (
            "an OOMKilled run without a log signature is memory",
            Given {
                unit: job_unit(&failing),
                jobs: vec![failing.clone()],
                pods: vec![run("2", "nightly-2-aaaaa", "OOMKilled", 137, "11:42")],
                ..Default::default()
            },
            vec![
                yes("job_failed", Some(ResourceExhaustion), &["OOMKilled"]),
                no("recent_rollout"),
            ],
        ),
        (
            "a deadline without logs names no cause",
            Given {
                unit: job_unit(&job(
                    "2",
                    "r/nightly:v2",
                    "11:40",
                    failed("DeadlineExceeded", "11:50"),
                )),
                ..Default::default()
            },
            vec![yes(
                "job_failed",
                None,
                &["DeadlineExceeded (activeDeadlineSeconds 600)"],
            )],
        ),
        (
            "a CronJob's newest run stands for the CronJob; same image, no rollout",
            Given {
                unit: Some((Kind::CronJob, "nightly", None)),
                jobs: vec![
                    job(
                        "2",
                        "r/nightly:v2",
                        "11:40",
                        failed("BackoffLimitExceeded", "11:45"),
                    ),
                    job("1", "r/nightly:v2", "10:40", complete("10:41")),
                ],
                pods: vec![run("2", "nightly-2-aaaaa", "Error", 1, "11:42")],
                logs: vec![runlog("nightly-2-aaaaa", &traceback)],
                ..Default::default()
            },
            vec![
                yes("job_failed", Some(CodeDefect), &["nightly-2 failed"]),
                no("recent_rollout"),
            ],
        ),
        (
            "a Job that completed is not a failure",
            Given {
                unit: job_unit(&job("2", "r/nightly:v2", "11:40", complete("11:41"))),
                ..Default::default()
            },
            vec![no("job_failed")],
        ),
    ];
    for (name, g, want) in cases {
        check(name, crate::analyzers::jobs::analyze, g, &want);
    }
    // Findings about a CronJob's run carry the CronJob as their service.
    let s = scene(Given {
        unit: job_unit(&failing),
        jobs: vec![failing.clone()],
        ..Default::default()
    });
    let f = crate::analyzers::jobs::analyze(&s);
    assert_eq!(f[0].service.as_deref(), Some("nightly"));
    assert_eq!(f[0].attributes["reason"], "BackoffLimitExceeded");
    assert!(f[0].attributes.contains_key("last_seen"));
}

/// The whole pipeline: the failed Job's cause wins over the retry noise in the same runs.
#[test]
fn job_noise_is_secondary() {
    let failing = job(
        "2",
        "r/nightly:v2",
        "11:40",
        failed("BackoffLimitExceeded", "11:45"),
    );
    let lines = [
        (
            "11:41",
            "WARNING retrying after Read timed out (read timeout=5)",
        ),
        ("11:42", "Traceback (most recent call last):"),
        ("11:42", "KeyError: 'region'"),
    ];
    let s = scene(Given {
        unit: job_unit(&failing),
        jobs: vec![failing.clone()],
        pods: vec![
            run("2", "nightly-2-aaaaa", "Error", 1, "11:42"),
            run("2", "nightly-2-bbbbb", "Error", 1, "11:44"),
        ],
        logs: vec![
            runlog("nightly-2-aaaaa", &lines),
            runlog("nightly-2-bbbbb", &lines),
        ],
        ..Default::default()
    });
    let out = run_all(&s);
    let timeout = out
        .iter()
        .find(|f| f.attributes.get("signature").and_then(|v| v.as_str()) == Some("timeout"));
    assert!(timeout.is_none_or(|f| f.category.is_none()), "{out:#?}");
    assert_eq!(out[0].kind, "job_failed", "{out:#?}");
}

fn run_all(s: &Scene) -> Vec<Finding> {
    crate::analyzers::run(s)
}
