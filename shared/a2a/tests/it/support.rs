//! A scripted handler and helpers to drive the router in memory or on a real socket.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::Value;
use sremesh_a2a::server::{AgentHandler, Busy, Call, Outcome, ServerParts, StoreLimits, router};
use sremesh_a2a::types::{AgentCapabilities, AgentCard, AgentInterface, Artifact, Part, TaskState};
use std::sync::Arc;
use std::time::Duration;
use tower::ServiceExt;

/// Behaves by the first word of the message text: `slow <ms>`, `input`, `fail`, `panic`,
/// `message`, anything else completes with an echo artifact and a data part.
pub struct Scripted;

impl AgentHandler for Scripted {
    async fn handle(&self, call: Call) -> Outcome {
        let text = call.message.text();
        let mut words = text.split_whitespace();
        match words.next() {
            Some("slow") => {
                let ms = words.next().and_then(|w| w.parse().ok()).unwrap_or(1000);
                tokio::time::sleep(Duration::from_millis(ms)).await;
                Outcome::completed(vec![Artifact::new("echo", vec![Part::text("slept")])])
            }
            Some("input") => Outcome::Task {
                state: TaskState::InputRequired,
                artifacts: vec![],
                message: Some(vec![Part::text("more please")]),
            },
            Some("fail") => Outcome::failed("it failed"),
            Some("panic") => panic!("scripted panic"),
            Some("message") => Outcome::Message(vec![Part::text("direct")]),
            _ => Outcome::completed(vec![Artifact::new(
                "echo",
                vec![
                    Part::text(text.clone()),
                    Part::data(serde_json::json!({"len": text.len()}), "application/x-test"),
                ],
            )]),
        }
    }
}

pub fn card() -> AgentCard {
    AgentCard {
        name: "test".into(),
        description: "scripted test agent".into(),
        version: "0.0.0".into(),
        supported_interfaces: vec![AgentInterface {
            url: "http://127.0.0.1/".into(),
            protocol_binding: "JSONRPC".into(),
            protocol_version: "1.0".into(),
        }],
        capabilities: AgentCapabilities::default(),
        default_input_modes: vec!["text/plain".into()],
        default_output_modes: vec!["text/plain".into()],
        skills: vec![],
        provider: None,
        documentation_url: None,
    }
}

pub fn app_with(limits: StoreLimits) -> (Router, Arc<Busy>) {
    let busy = Arc::new(Busy::default());
    (
        router(ServerParts {
            handler: Arc::new(Scripted),
            card: card(),
            limits,
            busy: busy.clone(),
        }),
        busy,
    )
}

pub fn app() -> Router {
    app_with(StoreLimits::default()).0
}

/// POSTs raw bytes to `/` with headers; returns the status and the parsed body.
pub async fn post(
    app: &Router,
    body: impl Into<Body>,
    headers: &[(&str, &str)],
) -> (StatusCode, Value) {
    let mut req = Request::post("/");
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = app
        .clone()
        .oneshot(req.body(body.into()).unwrap())
        .await
        .unwrap();
    let status = resp.status();
    let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .unwrap();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

/// A JSON-RPC call with JSON headers.
pub async fn call(app: &Router, method: &str, params: Value) -> Value {
    let body =
        serde_json::json!({"jsonrpc": "2.0", "id": "t1", "method": method, "params": params});
    let (status, v) = post(
        app,
        body.to_string(),
        &[("content-type", "application/json"), ("a2a-version", "1.0")],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    v
}

/// A 1.0 SendMessage params object for `text` with a given messageId.
pub fn send_params(text: &str, extra_config: Value) -> Value {
    serde_json::json!({
        "message": {"messageId": uuid::Uuid::new_v4().to_string(), "role": "ROLE_USER", "parts": [{"text": text}]},
        "configuration": extra_config,
    })
}

/// Serves `app` on 127.0.0.1:0 and returns its base URL.
pub async fn serve(app: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}/")
}
