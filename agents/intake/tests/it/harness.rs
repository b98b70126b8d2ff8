//! Test harness: the sandbox with a small chat world, a recording fake master (the harness's
//! real A2A server over an executor that records what it is asked), the intake served on
//! loopback, and signing helpers.

use jiff::Timestamp;
use serde_json::{Value, json};
use sremesh_agent::{Answer, Executor, HarnessLimits, Job};
use sremesh_chat::verify::{DiscordSigner, sign_slack};
use sremesh_core::{AgentResult, AlertContext, SnapshotReport, SnapshotRequest, SnapshotStatus};
use sremesh_intake::{ChatTarget, Dedup, EmbeddedDedup, Intake, Settings};
use sremesh_sandbox::{Options, Posted, Sandbox};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub const SECRET: &str = "8f742231b10e8888abcd99yyyzzz85a5";
pub const CHANNEL: &str = "C0ALERTS";
pub const DISCORD_CHANNEL: &str = "1100000000000000001";
/// The sandbox's bot user (what `auth.test` answers).
pub const BOT_USER: &str = "U0SREMESH";

const SCENARIO: &str = r#"
schema: sremesh/scenario/v1
id: intake-tests
title: intake tests
now: 2026-04-18T10:25:00Z
alert:
  platform: slack
  channel: C0ALERTS
  user: U0ALERTMGR
  bot: true
  text: "[FIRING:1] CheckoutErrorRate high"
world:
  slack:
    channels:
      - id: C0ALERTS
        name: alerts
        messages:
          - {at: "-20m", user: U0ALERTMGR, bot: true, text: "[FIRING:1] KubePodCrashLooping shop/checkout-api"}
          - {at: "-19m", user: U0ALICE, text: "<@U0SREMESH> can you look?", thread: "-20m"}
          - {at: "-15m", user: U0BOB, text: "anyone up for lunch?"}
          - {at: "-14m", user: U0ALICE, text: "<@U0SREMESH> investigate please", thread: "-15m"}
          - {at: "-10m", user: U0ALICE, text: "<@U0SREMESH> lol"}
          - {at: "-5m", user: U0CAROL, text: "<@U0SREMESH> payments-api p99 latency spike on checkout"}
  discord:
    guild: "1100000000000000000"
    channels:
      - id: "1100000000000000001"
        name: alerts
        messages:
          - {at: "-7m", author: alertmanager, bot: true, content: "checkout error rate high"}
"#;

/// A message of the sandbox's Slack channel by its text.
pub fn slack_msg<'a>(sb: &'a Sandbox, text: &str) -> &'a sremesh_scenario::SlackMessage {
    sb.scenario()
        .world
        .slack
        .as_ref()
        .unwrap()
        .channels
        .iter()
        .flat_map(|c| &c.messages)
        .find(|m| m.text == text)
        .unwrap_or_else(|| panic!("no message {text:?} in the test scenario"))
}

/// The sandbox with the test scenario (and the TLS provider every HTTP client here needs).
pub async fn sandbox() -> (Sandbox, tempfile::TempDir) {
    sremesh_core::tls::ensure_crypto_provider();
    let dir = tempfile::tempdir().unwrap();
    let scenario = sremesh_scenario::load_str("intake-tests", SCENARIO).unwrap();
    let sb = sremesh_sandbox::start(scenario, Options::new(dir.path()))
        .await
        .unwrap();
    (sb, dir)
}

/// What the fake master was asked.
#[derive(Debug, Default)]
pub struct Recorder {
    pub investigations: Mutex<Vec<AlertContext>>,
    pub snapshots: Mutex<Vec<SnapshotRequest>>,
}

impl Executor for Recorder {
    fn id(&self) -> &'static str {
        "master"
    }
    async fn investigate(&self, job: Job<AlertContext>) -> Answer {
        self.investigations.lock().unwrap().push(job.request);
        Answer::Result(AgentResult::ok("master", "recorded", vec![]))
    }
    async fn snapshot(&self, job: Job<SnapshotRequest>) -> Answer {
        let at = job.request.requested_at;
        self.snapshots.lock().unwrap().push(job.request);
        Answer::Snapshot(SnapshotReport::failed("master", at, SnapshotStatus::Ok, ""))
    }
}

/// A recording fake master on loopback.
pub struct FakeMaster {
    pub url: String,
    pub rec: Arc<Recorder>,
}

impl FakeMaster {
    pub async fn start() -> Self {
        let root = sremesh_testkit::workspace_root();
        let loaded = sremesh_core::config::load(&root.join("config.yaml")).unwrap();
        let info = sremesh_core::catalogue::agent("master").unwrap();
        let limits = HarnessLimits {
            window_before: jiff::SignedDuration::from_mins(30),
            window_after: jiff::SignedDuration::from_mins(5),
            default_deadline: Duration::from_secs(10),
            max_deadline: Duration::from_secs(10),
        };
        let rec = Arc::new(Recorder::default());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/", listener.local_addr().unwrap());
        let app = sremesh_agent::router(
            info,
            &loaded,
            &url,
            limits,
            rec.clone(),
            Arc::new(sremesh_agent::Busy::default()),
        );
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { url, rec }
    }

    pub fn investigations(&self) -> Vec<AlertContext> {
        self.rec.investigations.lock().unwrap().clone()
    }

    pub fn snapshots(&self) -> Vec<SnapshotRequest> {
        self.rec.snapshots.lock().unwrap().clone()
    }

    /// Waits until `n` investigations arrived (or 3 s), then a little longer to catch extras.
    pub async fn wait_investigations(&self, n: usize) -> Vec<AlertContext> {
        for _ in 0..150 {
            if self.investigations().len() >= n {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
        self.investigations()
    }

    pub async fn wait_snapshots(&self, n: usize) -> Vec<SnapshotRequest> {
        for _ in 0..150 {
            if self.snapshots().len() >= n {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        self.snapshots()
    }
}

/// The Discord key the tests sign with.
pub fn discord_signer() -> DiscordSigner {
    DiscordSigner::from_seed([7u8; 32])
}

/// Settings wired to the sandbox and `master`.
pub fn settings(sb: &Sandbox, master: &str) -> Settings {
    let e = sb.endpoints();
    let mut s = Settings::new(master);
    s.slack_signing_secret = Some(Arc::new(sremesh_core::Secret::new(SECRET)));
    s.slack_bot_token = Some(Arc::new(sremesh_core::Secret::new("xoxb-test")));
    s.slack_api_url = e.slack.clone();
    s.discord_public_key = Some(Arc::new(sremesh_core::Secret::new(
        discord_signer().public_key_hex(),
    )));
    s.discord_bot_token = Some(Arc::new(sremesh_core::Secret::new("discord-test")));
    s.discord_api_url = e.discord.clone();
    s.alertmanager_target = Some(ChatTarget {
        platform: sremesh_core::Platform::Slack,
        channel: CHANNEL.into(),
    });
    s
}

/// A running intake.
pub struct Running {
    pub url: String,
    pub _dir: Option<tempfile::TempDir>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Running {
    /// Stops the server and waits until it (and the intake it held) is gone.
    pub async fn stop(mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.task.take() {
            let _ = t.await;
        }
    }
}

/// Serves an intake built from `s` over `dedup`.
pub async fn serve_with(s: Settings, dedup: Arc<dyn Dedup>) -> Running {
    let intake = Arc::new(Intake::new(s, dedup).unwrap());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let _ = sremesh_intake::app::serve(listener, intake, async {
            let _ = rx.await;
        })
        .await;
    });
    Running {
        url,
        _dir: None,
        stop: Some(tx),
        task: Some(task),
    }
}

/// Serves an intake built from `s` with a fresh embedded store.
pub async fn serve(s: Settings) -> Running {
    let dir = tempfile::tempdir().unwrap();
    let store = EmbeddedDedup::open(&dir.path().join("dedup.redb")).unwrap();
    let mut r = serve_with(s, Arc::new(store)).await;
    r._dir = Some(dir);
    r
}

/// An `app_mention` event body.
pub fn mention(
    channel: &str,
    ts: &str,
    text: &str,
    thread_ts: Option<&str>,
    user: &str,
) -> Vec<u8> {
    let mut event = json!({"type": "app_mention", "channel": channel, "user": user, "text": text,
        "ts": ts, "event_ts": ts});
    if let Some(t) = thread_ts {
        event["thread_ts"] = json!(t);
    }
    json!({"type": "event_callback", "token": "x", "team_id": "T0SREMESH", "api_app_id": "A1",
        "event_id": format!("Ev{}", ts.replace('.', "")), "event_time": 1776507900, "event": event})
    .to_string()
    .into_bytes()
}

/// Posts `body` signed for Slack (now) to `url`.
pub async fn post_slack(url: &str, body: &[u8], content_type: &str) -> reqwest::Response {
    post_slack_with(url, body, content_type, &[]).await
}

pub async fn post_slack_with(
    url: &str,
    body: &[u8],
    content_type: &str,
    extra: &[(&str, &str)],
) -> reqwest::Response {
    let ts = Timestamp::now().as_second().to_string();
    let sig = sign_slack(SECRET, &ts, body).unwrap();
    let mut req = reqwest::Client::new()
        .post(url)
        .header("content-type", content_type)
        .header("x-slack-request-timestamp", &ts)
        .header("x-slack-signature", sig)
        .body(body.to_vec());
    for (k, v) in extra {
        req = req.header(*k, *v);
    }
    req.send().await.unwrap()
}

/// Posts a Discord interaction signed with [`discord_signer`].
pub async fn post_discord(url: &str, body: &Value) -> reqwest::Response {
    let body = body.to_string();
    let ts = Timestamp::now().as_second().to_string();
    let sig = discord_signer().sign(&ts, body.as_bytes());
    reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json")
        .header("x-signature-ed25519", sig)
        .header("x-signature-timestamp", ts)
        .body(body)
        .send()
        .await
        .unwrap()
}

/// Posts recorded in the sandbox whose text contains `needle`, after waiting up to 3 s for one.
pub async fn posts_containing(sb: &Sandbox, needle: &str) -> Vec<Posted> {
    for _ in 0..150 {
        let found: Vec<Posted> = sb
            .posted()
            .into_iter()
            .filter(|p| p.text.contains(needle))
            .collect();
        if !found.is_empty() {
            return found;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Vec::new()
}
