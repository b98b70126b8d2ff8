//! The harness around a scripted executor: typed client round trips, plain text, snapshots,
//! bad input, and answering on time with partial findings.

use axum::Router;
use axum::body::Body;
use axum::http::Request;
use serde_json::{Value, json};
use sremesh_a2a::server::Busy;
use sremesh_agent::{AgentClient, Answer, Executor, HarnessLimits, Job, router};
use sremesh_core::config::{Loaded, load};
use sremesh_core::{
    AgentResult, AgentStatus, AlertContext, Finding, Severity, SnapshotReport, SnapshotRequest,
    SnapshotStatus, catalogue, media,
};
use std::sync::Arc;
use std::time::Duration;
use tower::ServiceExt;

/// Answers from the alert text: `slow` pushes one partial finding, then sleeps past any deadline.
struct Scripted;

impl Executor for Scripted {
    fn id(&self) -> &'static str {
        "eks"
    }

    async fn investigate(&self, job: Job<AlertContext>) -> Answer {
        let ctx = job.request;
        if ctx.alert_text.starts_with("slow") {
            job.partial.push(Finding::new(
                "p1",
                "partial",
                Severity::High,
                "found before the deadline",
            ));
            tokio::time::sleep(Duration::from_secs(3600)).await;
        }
        let f = Finding::new(
            "f1",
            "echo",
            Severity::Medium,
            format!("saw: {}", ctx.alert_text),
        )
        .with_attr(
            "deadline_left_ms",
            job.deadline.remaining().as_millis() as u64,
        )
        .with_attr("channels", ctx.scan_channels.len());
        Answer::Result(AgentResult::ok("eks", "scripted", vec![f]))
    }

    async fn snapshot(&self, job: Job<SnapshotRequest>) -> Answer {
        let mut s = SnapshotReport::failed("eks", job.request.requested_at, SnapshotStatus::Ok, "");
        s.error = None;
        s.anomaly = true;
        s.anomaly_summary = Some("1 node NotReady".into());
        Answer::Snapshot(s)
    }
}

fn loaded() -> Loaded {
    load(&sremesh_testkit::workspace_root().join("config.yaml")).unwrap()
}

fn limits() -> HarnessLimits {
    HarnessLimits {
        window_before: jiff::SignedDuration::from_mins(30),
        window_after: jiff::SignedDuration::from_mins(5),
        default_deadline: Duration::from_secs(58),
        max_deadline: Duration::from_secs(310),
    }
}

fn app() -> Router {
    router(
        catalogue::agent("eks").unwrap(),
        &loaded(),
        "http://127.0.0.1/",
        limits(),
        Arc::new(Scripted),
        Arc::new(Busy::default()),
    )
}

async fn serve() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app()).await.unwrap() });
    format!("http://{addr}/")
}

async fn send(app: &Router, message: Value) -> Value {
    let body =
        json!({"jsonrpc": "2.0", "id": 1, "method": "SendMessage", "params": {"message": message}});
    let req = Request::post("/")
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    let resp = app.clone().oneshot(req).await.unwrap();
    serde_json::from_slice(
        &axum::body::to_bytes(resp.into_body(), usize::MAX)
            .await
            .unwrap(),
    )
    .unwrap()
}

fn result_of(v: &Value) -> AgentResult {
    let parts = v["result"]["task"]["artifacts"][0]["parts"]
        .as_array()
        .unwrap();
    let data = parts
        .iter()
        .find(|p| p["mediaType"] == media::AGENT_RESULT)
        .unwrap();
    assert!(
        parts.iter().any(|p| p["text"].is_string()),
        "a human text part accompanies the data"
    );
    serde_json::from_value(data["data"].clone()).unwrap()
}

#[tokio::test]
async fn typed_client_round_trip_with_the_callers_deadline() {
    let url = serve().await;
    let client = AgentClient::new("eks", &url).unwrap();
    let mut ctx = AlertContext::from_text(
        "KubePodCrashLooping payments",
        jiff::Timestamp::now(),
        jiff::SignedDuration::from_mins(30),
        jiff::SignedDuration::from_mins(5),
    );
    ctx.scan_channels = vec!["C1".into(), "C2".into()];
    ctx.deadline_ms = Some(7_000);
    let r = client
        .investigate(&ctx, Duration::from_secs(10))
        .await
        .unwrap();
    assert_eq!(r.status, AgentStatus::Ok);
    assert_eq!(r.findings[0].title, "saw: KubePodCrashLooping payments");
    assert_eq!(
        r.findings[0].attributes["channels"], 2,
        "the whole context arrives"
    );
    let left = r.findings[0].attributes["deadline_left_ms"]
        .as_u64()
        .unwrap();
    assert!(
        left <= 7_000 && left > 5_000,
        "the executor gets the caller's deadline, got {left} ms"
    );
    let snap = client
        .snapshot(
            &SnapshotRequest::new(jiff::Timestamp::now(), Some(5000)),
            Duration::from_secs(10),
        )
        .await
        .unwrap();
    assert!(snap.anomaly);
    assert_eq!(snap.anomaly_summary.as_deref(), Some("1 node NotReady"));
}

#[tokio::test]
async fn plain_text_from_any_client_is_an_alert() {
    let v = send(&app(), json!({"messageId": "m1", "role": "ROLE_USER", "parts": [{"text": "checkout is throwing 502s"}]})).await;
    assert_eq!(
        v["result"]["task"]["status"]["state"], "TASK_STATE_COMPLETED",
        "{v}"
    );
    let r = result_of(&v);
    assert_eq!(r.findings[0].title, "saw: checkout is throwing 502s");
    assert_eq!(r.findings[0].attributes["channels"], 0);
}

#[tokio::test]
async fn malformed_payloads_fail_the_task_with_a_reason() {
    let bad = json!({"messageId": "m", "role": "ROLE_USER", "parts": [{"data": {"alert_text": 5}, "mediaType": media::INVESTIGATE}]});
    let v = send(&app(), bad).await;
    assert_eq!(v["result"]["task"]["status"]["state"], "TASK_STATE_FAILED");
    let why = v["result"]["task"]["status"]["message"]["parts"][0]["text"]
        .as_str()
        .unwrap();
    assert!(why.contains(media::INVESTIGATE), "{why}");
    let empty = json!({"messageId": "m", "role": "ROLE_USER", "parts": [{"text": "  "}]});
    assert_eq!(
        send(&app(), empty).await["result"]["task"]["status"]["state"],
        "TASK_STATE_FAILED"
    );
}

#[tokio::test(start_paused = true)]
async fn a_slow_executor_is_answered_for_at_its_deadline_with_partial_findings() {
    let mut ctx = AlertContext::from_text(
        "slow alert",
        jiff::Timestamp::now(),
        jiff::SignedDuration::from_mins(30),
        jiff::SignedDuration::from_mins(5),
    );
    ctx.deadline_ms = Some(2_000);
    let message = json!({"messageId": "m", "role": "ROLE_USER", "parts": [{"data": ctx, "mediaType": media::INVESTIGATE}]});
    let started = tokio::time::Instant::now();
    let v = send(&app(), message).await;
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_secs(2) && waited < Duration::from_millis(2_100),
        "answered after {waited:?}"
    );
    let r = result_of(&v);
    assert!(r.partial);
    assert_eq!(r.status, AgentStatus::Ok);
    assert_eq!(r.findings.len(), 1);
    assert_eq!(r.findings[0].title, "found before the deadline");
}

#[tokio::test(start_paused = true)]
async fn a_deadline_beyond_the_maximum_is_capped() {
    let mut ctx = AlertContext::from_text(
        "slow",
        jiff::Timestamp::now(),
        jiff::SignedDuration::from_mins(30),
        jiff::SignedDuration::from_mins(5),
    );
    ctx.deadline_ms = Some(10_000_000);
    let message = json!({"messageId": "m", "role": "ROLE_USER", "parts": [{"data": ctx, "mediaType": media::INVESTIGATE}]});
    let started = tokio::time::Instant::now();
    let v = send(&app(), message).await;
    assert!(started.elapsed() <= Duration::from_secs(311));
    assert!(result_of(&v).partial);
}
