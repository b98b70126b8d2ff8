//! The real binary under the Lambda runtime: a local stand-in for the Lambda Runtime API hands
//! it Function URL events (API Gateway v2 format, base64 bodies as Function URLs send them) and
//! collects its answers — the same router as the server.

use crate::harness::*;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Mutex, mpsc};

struct RuntimeApi {
    events: Mutex<mpsc::Receiver<(String, Value)>>,
    answers: mpsc::Sender<(String, Value)>,
}

async fn next(State(s): State<Arc<RuntimeApi>>) -> axum::response::Response {
    let Some((id, event)) = s.events.lock().await.recv().await else {
        return (http::StatusCode::GONE, "done").into_response();
    };
    let deadline = jiff::Timestamp::now().as_millisecond() + 30_000;
    (
        [
            ("lambda-runtime-aws-request-id", id),
            ("lambda-runtime-deadline-ms", deadline.to_string()),
            (
                "lambda-runtime-invoked-function-arn",
                "arn:aws:lambda:us-east-1:123456789012:function:intake".into(),
            ),
            (
                "lambda-runtime-trace-id",
                "Root=1-00000000-000000000000000000000000".into(),
            ),
        ],
        axum::Json(event),
    )
        .into_response()
}

async fn answer(
    State(s): State<Arc<RuntimeApi>>,
    Path((id, kind)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> http::StatusCode {
    let v: Value =
        serde_json::from_slice(&body).unwrap_or_else(|_| json!(String::from_utf8_lossy(&body)));
    let _ = s.answers.send((format!("{id}/{kind}"), v)).await;
    http::StatusCode::ACCEPTED
}

fn event(path: &str, headers: Value, body: &[u8]) -> Value {
    json!({
        "version": "2.0", "routeKey": "$default", "rawPath": path, "rawQueryString": "",
        "headers": headers,
        "requestContext": {
            "accountId": "anonymous", "apiId": "abc123", "domainName": "abc123.lambda-url.us-east-1.on.aws",
            "domainPrefix": "abc123",
            "http": {"method": "POST", "path": path, "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1", "userAgent": "Slackbot 1.0"},
            "requestId": "r-1", "routeKey": "$default", "stage": "$default",
            "time": "18/Apr/2026:10:25:00 +0000", "timeEpoch": 1776507900000u64,
        },
        "body": B64.encode(body), "isBase64Encoded": true,
    })
}

fn slack_headers(body: &[u8], content_type: &str) -> Value {
    let ts = jiff::Timestamp::now().as_second().to_string();
    let sig = sremesh_chat::verify::sign_slack(SECRET, &ts, body).unwrap();
    json!({"content-type": content_type, "x-slack-request-timestamp": ts, "x-slack-signature": sig,
        "host": "abc123.lambda-url.us-east-1.on.aws"})
}

/// Status and body of a Function URL answer.
fn decode(v: &Value) -> (u64, String) {
    let body = v["body"].as_str().unwrap_or_default();
    let body = if v["isBase64Encoded"].as_bool() == Some(true) {
        String::from_utf8(B64.decode(body).unwrap()).unwrap()
    } else {
        body.to_owned()
    };
    (v["statusCode"].as_u64().unwrap_or(0), body)
}

#[tokio::test]
async fn the_binary_serves_function_url_events() {
    let (tx, rx) = mpsc::channel(16);
    let (atx, mut arx) = mpsc::channel(16);
    let api = Arc::new(RuntimeApi {
        events: Mutex::new(rx),
        answers: atx,
    });
    let app = Router::new()
        .route("/2018-06-01/runtime/invocation/next", get(next))
        .route("/2018-06-01/runtime/invocation/{id}/{kind}", post(answer))
        .with_state(api);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });

    let dir = tempfile::tempdir().unwrap();
    let _child = sremesh_testkit::spawn(
        tokio::process::Command::new(env!("CARGO_BIN_EXE_sremesh-intake"))
            .env_clear()
            .env("AWS_LAMBDA_RUNTIME_API", addr.to_string())
            .env("AWS_LAMBDA_FUNCTION_NAME", "intake")
            .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256")
            .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
            .env("SLACK_SIGNING_SECRET", SECRET)
            .env("DISCORD_PUBLIC_KEY", discord_signer().public_key_hex())
            .env(
                "MASTER_AGENT_URL",
                format!("http://127.0.0.1:{}/", sremesh_testkit::free_port()),
            )
            .env("DEDUP_PATH", dir.path().join("dedup.redb"))
            .env(
                "SREMESH_CONFIG",
                sremesh_testkit::workspace_root().join("config.yaml"),
            )
            .env("RUST_LOG", "warn")
            .stdout(std::process::Stdio::null()),
    )
    .unwrap();

    let challenge = br#"{"type":"url_verification","challenge":"lambda-c"}"#;
    let ping = json!({"type": 1}).to_string().into_bytes();
    let ts = jiff::Timestamp::now().as_second().to_string();
    let discord = json!({"content-type": "application/json", "x-signature-timestamp": ts,
        "x-signature-ed25519": discord_signer().sign(&ts, &ping)});
    let command = b"command=%2Fpostmortem&channel_id=C0ALERTS&user_id=U1&text=";
    let cases: Vec<(Value, u64, &str)> = vec![
        (
            event(
                "/slack/events",
                slack_headers(challenge, "application/json"),
                challenge,
            ),
            200,
            "lambda-c",
        ),
        (
            event("/", slack_headers(challenge, "application/json"), challenge),
            200,
            "lambda-c",
        ),
        (event("/", discord, &ping), 200, r#"{"type":1}"#),
        (
            event(
                "/",
                slack_headers(command, "application/x-www-form-urlencoded"),
                command,
            ),
            200,
            "Unknown command: /postmortem",
        ),
        (
            event(
                "/slack/events",
                slack_headers(b"{}", "application/json"),
                challenge,
            ),
            401,
            "signature does not match",
        ),
        (
            event("/", json!({"content-type": "text/plain"}), b"hello"),
            400,
            "unknown sender",
        ),
    ];
    for (i, (ev, status, needle)) in cases.into_iter().enumerate() {
        let id = format!("req-{i}");
        tx.send((id.clone(), ev)).await.unwrap();
        let (which, v) = tokio::time::timeout(Duration::from_secs(20), arx.recv())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(which, format!("{id}/response"), "{v}");
        let (got, body) = decode(&v);
        assert_eq!(got, status, "case {i}: {body}");
        assert!(
            body.contains(needle),
            "case {i}: {body} should contain {needle}"
        );
    }
}
