//! The tools (one per skill in config.yaml) called with JSON arguments, as a model would, and
//! the snapshot answered through the executor.

use super::*;
use sremesh_agent::tool::ToolError;
use sremesh_agent::{Deadline, Executor, Job, Partial};
use sremesh_cloudwatch_logs::tools::tools;
use sremesh_core::{SnapshotRequest, SnapshotStatus};

fn deadline() -> Deadline {
    Deadline::after(Duration::from_secs(10))
}

#[tokio::test]
async fn the_tools_are_the_catalogues() {
    let s = load("watchdog-false-alarm");
    let dir = tempfile::tempdir().expect("tempdir");
    let sb = sandbox(s, &dir).await;
    let set = tools(agent_for(&sb).await);
    let info = sremesh_core::catalogue::agent("cloudwatch_logs").expect("in the catalogue");
    assert_eq!(set.names(), info.tools);
    let schema = set
        .get("query_cloudwatch_logs")
        .expect("query tool")
        .parameters();
    assert_eq!(schema["required"], serde_json::json!(["log_groups"]));
    assert!(schema["properties"]["log_groups"]["description"].is_string());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discover_then_query_like_a_model_would() {
    let s = load("lambda-timeout-payments-webhook");
    let dir = tempfile::tempdir().expect("tempdir");
    let sb = sandbox(s.clone(), &dir).await;
    let set = tools(agent_for(&sb).await);
    let discover = set.get("discover_log_groups").expect("discover tool");

    let out = discover
        .call(
            serde_json::json!({"keywords": ["payments-webhook-handler", "api"]}),
            deadline(),
        )
        .await
        .expect("discovery runs");
    assert_eq!(
        out.scanned,
        ["log-group:/aws/lambda/payments-webhook-handler"]
    );
    assert_eq!(out.data["groups_scanned"], 3);
    assert!(out.findings.is_empty());

    let none = discover
        .call(
            serde_json::json!({"keywords": ["checkout-api"]}),
            deadline(),
        )
        .await
        .expect("discovery runs");
    assert!(none.scanned.is_empty());
    assert_eq!(none.findings.len(), 1);
    assert_eq!(none.findings[0].kind, "no_log_groups");
    assert!(
        none.findings[0].title.contains("likely not in CloudWatch"),
        "{}",
        none.findings[0].title
    );

    let window = serde_json::json!({
        "start": s.now.checked_sub(SignedDuration::from_mins(30)).unwrap().to_string(),
        "end": s.now.to_string(),
    });
    let query = set.get("query_cloudwatch_logs").expect("query tool");
    let mut args = window.clone();
    args["log_groups"] = serde_json::json!([
        "/aws/lambda/payments-webhook-handler",
        "/aws/lambda/made-up"
    ]);
    let out = query.call(args, deadline()).await.expect("the query runs");
    assert!(
        out.errors
            .iter()
            .any(|e| e.contains("'/aws/lambda/made-up' does not exist")),
        "{:?}",
        out.errors
    );
    let timeout = out
        .findings
        .iter()
        .find(|f| f.kind == "lambda_timeout")
        .expect("the timeouts");
    assert!(
        timeout.title.contains("Task timed out after 6.01 seconds"),
        "{}",
        timeout.title
    );

    // A query outside what Insights accepts falls back to FilterLogEvents.
    let mut args = window.clone();
    args["log_groups"] = serde_json::json!(["/aws/lambda/payments-webhook-handler"]);
    args["query"] = serde_json::json!("fields @message | dedup @message");
    let out = query
        .call(args, deadline())
        .await
        .expect("the fallback runs");
    assert!(
        out.errors
            .iter()
            .any(|e| e.contains("MalformedQueryException") && e.contains("FilterLogEvents")),
        "{:?}",
        out.errors
    );
    assert!(
        out.findings.iter().any(|f| f.kind == "lambda_timeout"),
        "{:?}",
        out.findings
    );

    // A stats query answers as data.
    let mut args = window.clone();
    args["log_groups"] = serde_json::json!(["/aws/lambda/payments-webhook-handler"]);
    args["query"] = serde_json::json!(
        "filter @message like /Task timed out/ | stats count(*) as timeouts by @log"
    );
    let out = query.call(args, deadline()).await.expect("stats run");
    assert_eq!(out.data["rows"][0]["timeouts"], "6", "{}", out.data);

    let bad = query
        .call(
            serde_json::json!({"log_groups": ["/x"], "start": "yesterday"}),
            deadline(),
        )
        .await
        .expect_err("a bad time is refused");
    assert!(matches!(bad, ToolError::InvalidArguments { .. }), "{bad}");
    let empty = query
        .call(serde_json::json!({"log_groups": []}), deadline())
        .await;
    assert!(matches!(empty, Err(ToolError::InvalidArguments { .. })));
}

/// `check(scenario, anomaly, lines)`: the snapshot at the scenario's `now`.
async fn check(id: &str, anomaly: bool, lines: &[&str]) {
    let s = load(id);
    let dir = tempfile::tempdir().expect("tempdir");
    let sb = sandbox(s.clone(), &dir).await;
    let agent = agent_for(&sb).await;
    let job = Job {
        request: SnapshotRequest::new(s.now, None),
        deadline: deadline(),
        partial: Partial::default(),
        task_id: "snap".into(),
    };
    let sremesh_agent::Answer::Snapshot(snap) = agent.snapshot(job).await else {
        panic!("a snapshot request answers with a snapshot")
    };
    assert_eq!(snap.status, SnapshotStatus::Ok, "{id}: {snap:?}");
    assert_eq!(snap.anomaly, anomaly, "{id}: {snap:?}");
    let text: Vec<&str> = snap
        .sections
        .iter()
        .flat_map(|s| std::iter::once(s.label.as_str()).chain(s.lines.iter().map(String::as_str)))
        .collect();
    for l in lines {
        assert!(
            text.iter().any(|t| t.contains(l)),
            "{id}: {l:?} not in {text:#?}"
        );
    }
    assert!(
        snap.header.contains("log group(s) in us-east-1"),
        "{}",
        snap.header
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn snapshots_count_groups_activity_and_errors() {
    check(
        "lambda-timeout-payments-webhook",
        true,
        &[
            "/aws/lambda/payments-webhook-handler · 16 events · 6 errors",
            "Errors (last 15 min)",
        ],
    )
    .await;
    check(
        "watchdog-false-alarm",
        false,
        &["/aws/containerinsights/prod-use1-main/application · 1 events · 0 errors"],
    )
    .await;
}
