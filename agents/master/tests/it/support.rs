//! Test agents on loopback (well-behaved through the harness, or raw misbehaving servers) and a
//! notifier that records what would have been posted, with timestamps.

use futures::future::BoxFuture;
use sremesh_agent::{Answer, Executor, HarnessLimits, Job};
use sremesh_core::{AgentResult, AlertContext, SnapshotReport, SnapshotRequest, SnapshotStatus};
use sremesh_master::notify::{Event, Notifier};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::AsyncReadExt;
use tokio::time::Instant;

/// Records events with the instant they were delivered.
#[derive(Default)]
pub struct Recorder(Mutex<Vec<(Instant, Event)>>);

impl Recorder {
    pub fn events(&self, since: Instant) -> Vec<(Duration, Event)> {
        self.0
            .lock()
            .unwrap()
            .iter()
            .map(|(t, e)| (t.duration_since(since), e.clone()))
            .collect()
    }
}

impl Notifier for Recorder {
    fn notify(&self, event: Event) -> BoxFuture<'_, ()> {
        self.0.lock().unwrap().push((Instant::now(), event));
        Box::pin(async {})
    }
}

/// An executor that answers `result` after `delay`.
struct Fixed {
    id: &'static str,
    delay: Duration,
    result: AgentResult,
}

impl Executor for Fixed {
    fn id(&self) -> &'static str {
        self.id
    }
    async fn investigate(&self, _job: Job<AlertContext>) -> Answer {
        tokio::time::sleep(self.delay).await;
        Answer::Result(self.result.clone())
    }
    async fn snapshot(&self, job: Job<SnapshotRequest>) -> Answer {
        tokio::time::sleep(self.delay).await;
        let mut s =
            SnapshotReport::failed(self.id, job.request.requested_at, SnapshotStatus::Ok, "");
        s.error = None;
        Answer::Snapshot(s)
    }
}

fn loaded() -> sremesh_core::config::Loaded {
    sremesh_core::config::load(&sremesh_testkit::workspace_root().join("config.yaml")).unwrap()
}

/// A real agent (the harness over a fixed executor) on 127.0.0.1:0; returns its URL.
pub async fn serve_agent(id: &'static str, delay: Duration, result: AgentResult) -> String {
    let info = sremesh_core::catalogue::agent(id).unwrap();
    let limits = HarnessLimits {
        window_before: jiff::SignedDuration::from_mins(30),
        window_after: jiff::SignedDuration::from_mins(5),
        default_deadline: Duration::from_secs(60),
        max_deadline: Duration::from_secs(310),
    };
    let exec = Arc::new(Fixed { id, delay, result });
    let app = sremesh_agent::router(
        info,
        &loaded(),
        "http://127.0.0.1/",
        limits,
        exec,
        Arc::new(sremesh_agent::Busy::default()),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}/")
}

/// A valid A2A answer carrying `result`, as a raw HTTP response.
fn a2a_answer(result: &AgentResult) -> Vec<u8> {
    let body = serde_json::json!({"jsonrpc": "2.0", "id": "x", "result": {"task": {
        "id": "t-late", "contextId": "c", "status": {"state": "TASK_STATE_COMPLETED"},
        "artifacts": [{"artifactId": "a", "parts": [{"data": result, "mediaType": sremesh_core::media::AGENT_RESULT}]}]}}})
    .to_string();
    let mut out = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    out.extend(body.into_bytes());
    out
}

/// A server that misbehaves: `hang` (reads, never answers), `crash` (reads, closes the socket),
/// `500` (an HTTP 500), `garbage` (200 with a body that is not JSON-RPC), `late:<ms>` (a valid
/// answer after that many milliseconds — an agent that overran its deadline).
pub async fn serve_raw(kind: &'static str) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(async move {
                let mut buf = vec![0u8; 65536];
                let _ = sock.read(&mut buf).await;
                use tokio::io::AsyncWriteExt;
                match kind {
                    k if k.starts_with("late:") => {
                        let ms = k[5..].parse().unwrap_or(1000);
                        tokio::time::sleep(Duration::from_millis(ms)).await;
                        let _ = sock
                            .write_all(&a2a_answer(&AgentResult::ok(
                                "cloudwatch_logs",
                                "late but here",
                                vec![],
                            )))
                            .await;
                    }
                    "hang" => tokio::time::sleep(Duration::from_secs(3600)).await,
                    "crash" => drop(sock),
                    "500" => {
                        let _ = sock.write_all(b"HTTP/1.1 500 Internal Server Error\r\ncontent-length: 4\r\n\r\nboom").await;
                    }
                    _ => {
                        let body = b"{\"totally\": \"not json-rpc\"";
                        let head = format!(
                            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
                            body.len()
                        );
                        let _ = sock.write_all(head.as_bytes()).await;
                        let _ = sock.write_all(body).await;
                    }
                }
            });
        }
    });
    format!("http://{addr}/")
}

/// A scripted OpenAI-compatible endpoint: the n-th request gets `replies[n]` (the last repeats)
/// as the assistant's text; `"HANG"` never answers. Every reply reports 100 in / 20 out tokens.
pub async fn serve_openai(replies: Vec<&'static str>) -> String {
    let count = Arc::new(Mutex::new(0usize));
    let app = axum::Router::new().route(
        "/v1/chat/completions",
        axum::routing::post(move || {
            let count = count.clone();
            let replies = replies.clone();
            async move {
                let i = {
                    let mut c = count.lock().unwrap();
                    *c += 1;
                    *c - 1
                };
                let text = replies[i.min(replies.len() - 1)];
                if text == "HANG" {
                    tokio::time::sleep(Duration::from_secs(3600)).await;
                }
                axum::Json(serde_json::json!({
                    "id": "x", "object": "chat.completion", "model": "test-model",
                    "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": text}}],
                    "usage": {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120}
                }))
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}/v1")
}

/// The master's model pointed at a scripted endpoint, priced at 0.5 / 1.5 USD per million.
pub async fn master_model(url: &str) -> sremesh_master::model::MasterModel {
    let mut config =
        sremesh_core::config::load(&sremesh_testkit::workspace_root().join("config.yaml"))
            .unwrap()
            .config;
    config.pricing.insert(
        "test-model".into(),
        sremesh_core::config::Price {
            input: 0.5,
            output: 1.5,
        },
    );
    let mut settings = sremesh_llm::LlmSettings::default();
    settings.openai.base_url = url.to_owned();
    let provider = sremesh_llm::provider_for(Some("openai:test-model"), &settings)
        .await
        .unwrap()
        .unwrap();
    sremesh_master::model::MasterModel {
        provider,
        config: Arc::new(config),
    }
}
