//! Fault knobs: counted failures, latency, 429 with Retry-After, garbage — set at start, through
//! `set_faults`, or through `POST /_sandbox/faults`.

use super::{http, start_fixture, start_with};
use serde_json::{Value, json};
use sremesh_sandbox::{Fault, Source};
use std::time::Duration;

#[tokio::test]
async fn fail_next_fails_exactly_that_many_requests() {
    let sb = start_fixture().await;
    let base = &sb.endpoints().kubernetes;
    sb.set_faults(
        Source::Kubernetes,
        Fault {
            fail_next: 2,
            error_status: 503,
            ..Fault::default()
        },
    );
    let mut statuses = Vec::new();
    for _ in 0..4 {
        let r = http().get(format!("{base}/version")).send().await.unwrap();
        statuses.push(r.status().as_u16());
        if r.status() == 503 {
            let body: Value = r.json().await.unwrap();
            assert_eq!(
                (body["kind"].as_str(), body["reason"].as_str()),
                (Some("Status"), Some("ServiceUnavailable"))
            );
        }
    }
    assert_eq!(statuses, [503, 503, 200, 200]);
    assert_eq!(sb.faults().kubernetes.fail_next, 0);
    // Other sources were untouched.
    let r = http()
        .post(format!("{}/auth.test", sb.endpoints().slack))
        .bearer_auth("x")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
}

#[tokio::test]
async fn slack_429_carries_retry_after_like_the_real_api() {
    let sb = start_fixture().await;
    let slack = &sb.endpoints().slack;
    let control = format!("{}/_sandbox/faults", slack.trim_end_matches("/api"));
    let set: Value = http()
        .post(&control)
        .json(&json!({"slack": {"fail_next": 1, "error_status": 429, "retry_after": 3}}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(set["slack"]["fail_next"], 1);
    let r = http()
        .post(format!("{slack}/conversations.history"))
        .bearer_auth("x")
        .form(&[("channel", "C0ALERTS")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 429);
    assert_eq!(r.headers()["retry-after"], "3");
    let body: Value = r.json().await.unwrap();
    assert_eq!(body, json!({"ok": false, "error": "ratelimited"}));
    let r = http()
        .post(format!("{slack}/conversations.history"))
        .bearer_auth("x")
        .form(&[("channel", "C0ALERTS")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);

    // Discord's 429 has its own shape; retry_after defaults to 1 second.
    sb.set_faults(
        Source::Discord,
        Fault {
            fail_next: 1,
            error_status: 429,
            ..Fault::default()
        },
    );
    let r = http()
        .get(format!("{}/users/@me", sb.endpoints().discord))
        .header("authorization", "Bot t")
        .send()
        .await
        .unwrap();
    assert_eq!(
        (
            r.status().as_u16(),
            r.headers()["retry-after"].to_str().unwrap()
        ),
        (429, "1")
    );
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["retry_after"], 1.0);
}

#[tokio::test]
async fn delay_holds_every_answer_back() {
    let sb = start_with(|o| {
        o.faults.discord = Fault {
            delay_ms: 300,
            ..Fault::default()
        }
    })
    .await;
    let url = format!("{}/users/@me", sb.endpoints().discord);
    let start = tokio::time::Instant::now();
    let r = http()
        .get(&url)
        .header("authorization", "Bot t")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert!(
        start.elapsed() >= Duration::from_millis(300),
        "{:?}",
        start.elapsed()
    );
    // The control API is never delayed or failed.
    let start = tokio::time::Instant::now();
    let ctl = format!(
        "{}/_sandbox/posted",
        sb.endpoints().discord.trim_end_matches("/api/v10")
    );
    assert_eq!(
        http().get(&ctl).send().await.unwrap().status().as_u16(),
        200
    );
    assert!(start.elapsed() < Duration::from_millis(300));
}

#[tokio::test]
async fn garbage_and_error_rate_and_validation() {
    let sb = start_fixture().await;
    sb.set_faults(
        Source::Kubernetes,
        Fault {
            garbage_rate: 1.0,
            ..Fault::default()
        },
    );
    let r = http()
        .get(format!("{}/version", sb.endpoints().kubernetes))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert!(serde_json::from_slice::<Value>(&r.bytes().await.unwrap()).is_err());

    sb.set_faults(
        Source::CloudwatchLogs,
        Fault {
            error_rate: 1.0,
            ..Fault::default()
        },
    );
    let r = http()
        .post(format!("{}/", sb.endpoints().cloudwatch_logs))
        .header("x-amz-target", "Logs_20140328.DescribeLogGroups")
        .header("content-type", "application/x-amz-json-1.1")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 500);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["__type"], "ServiceUnavailableException");

    let control = format!("{}/_sandbox/faults", sb.endpoints().kubernetes);
    for bad in [
        json!({"slack": {"error_rate": 2.0}}),
        json!({"slack": {"errors": 1}}),
        json!({"teams": {}}),
        json!({"slack": {"error_status": 200}}),
    ] {
        let r = http().post(&control).json(&bad).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 400, "{bad}");
        let body: Value = r.json().await.unwrap();
        assert!(
            body["error"].as_str().is_some_and(|e| e.contains("faults")),
            "{body}"
        );
    }
    let now: Value = http()
        .get(&control)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(now["kubernetes"]["garbage_rate"], 1.0);
    assert_eq!(now["slack"]["error_rate"], 0.0);
}
