//! Bad answers from CloudWatch Logs (garbage bodies, error statuses, nothing listening, no
//! region) give a clear status and message — never a panic or a hang — in investigations and
//! snapshots alike.

use super::*;
use sremesh_agent::{Deadline, Executor, Job, Partial};
use sremesh_core::{AgentStatus, SnapshotRequest, SnapshotStatus};
use sremesh_sandbox::{Fault, Source};

/// `check(fault, status, error_has, snapshot_status)` against a scenario with a lambda group.
async fn check(fault: Fault, status: AgentStatus, error_has: &str, snapshot: SnapshotStatus) {
    let s = load("lambda-timeout-payments-webhook");
    let dir = tempfile::tempdir().expect("tempdir");
    let sb = sandbox(s.clone(), &dir).await;
    sb.set_faults(Source::CloudwatchLogs, fault.clone());
    let agent = agent_for(&sb).await;
    let budget = Duration::from_secs(10);
    let (r, took) = investigate(&agent, context(&s), budget).await;
    assert!(took < budget, "{fault:?}: took {took:?}");
    assert_eq!(r.status, status, "{fault:?}: {r:?}");
    let error = r.error.clone().unwrap_or_default();
    assert!(
        error.contains(error_has),
        "{fault:?}: {error_has:?} not in {error:?}"
    );
    let job = Job {
        request: SnapshotRequest::new(s.now, None),
        deadline: Deadline::after(budget),
        partial: Partial::default(),
        task_id: "snap".into(),
    };
    let sremesh_agent::Answer::Snapshot(snap) = agent.snapshot(job).await else {
        panic!("a snapshot request answers with a snapshot")
    };
    assert_eq!(snap.status, snapshot, "{fault:?}: {snap:?}");
    assert!(snap.anomaly, "{fault:?}: a failed snapshot is an anomaly");
    sb.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_answers_give_a_clear_error_and_never_a_panic() {
    let cases = [
        (
            Fault {
                garbage_rate: 1.0,
                ..Default::default()
            },
            AgentStatus::Error,
            "could not be read",
            SnapshotStatus::Error,
        ),
        (
            Fault {
                error_rate: 1.0,
                error_status: 500,
                ..Default::default()
            },
            AgentStatus::Error,
            "ServiceUnavailableException",
            SnapshotStatus::Error,
        ),
        (
            Fault {
                error_rate: 1.0,
                error_status: 429,
                retry_after: Some(0),
                ..Default::default()
            },
            AgentStatus::Error,
            "ThrottlingException",
            SnapshotStatus::Error,
        ),
        (
            Fault {
                error_rate: 1.0,
                error_status: 400,
                ..Default::default()
            },
            AgentStatus::Error,
            "InvalidParameterException",
            SnapshotStatus::Error,
        ),
    ];
    for (fault, status, error_has, snapshot) in cases {
        check(fault, status, error_has, snapshot).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_failed_request_is_retried_and_the_answer_is_whole() {
    let s = load("lambda-timeout-payments-webhook");
    let dir = tempfile::tempdir().expect("tempdir");
    let sb = sandbox(s.clone(), &dir).await;
    sb.set_faults(
        Source::CloudwatchLogs,
        Fault {
            fail_next: 1,
            error_status: 503,
            ..Default::default()
        },
    );
    let agent = agent_for(&sb).await;
    let (r, _) = investigate(&agent, context(&s), Duration::from_secs(10)).await;
    assert_eq!(r.status, AgentStatus::Ok, "{r:?}");
    assert!(
        r.findings.iter().any(|f| f.kind == "lambda_timeout"),
        "{r:?}"
    );
    assert_eq!(sb.faults().cloudwatch_logs.fail_next, 0);
}

#[tokio::test]
async fn no_region_or_no_endpoint_is_unhealthy_with_the_reason() {
    let ctx = context(&load("watchdog-false-alarm"));
    let no_region = CloudWatchLogsAgent::new(Settings::default()).await;
    let (r, _) = investigate(&no_region, ctx.clone(), Duration::from_secs(5)).await;
    assert_eq!(r.status, AgentStatus::Unhealthy);
    assert!(r.error.unwrap_or_default().contains("AWS_REGION"));

    // Nothing listens on this port: the connection is refused.
    let port = sremesh_testkit::free_port();
    let settings = Settings::default();
    let nowhere = CloudWatchLogsAgent::with_client(
        client(&format!("http://127.0.0.1:{port}"), settings.policy).await,
        settings,
    );
    let (r, took) = investigate(&nowhere, ctx, Duration::from_secs(10)).await;
    assert_eq!(r.status, AgentStatus::Unhealthy, "{r:?}");
    assert!(r.error.unwrap_or_default().contains("unreachable"));
    assert!(took < Duration::from_secs(10));
}
