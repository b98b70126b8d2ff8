//! Intake latency: signed Slack `app_mention` events, each with a unique ts, sent open-loop at a
//! fixed rate to `sremesh-intake` from `--bin-dir` (release under scripts/bench.sh; embedded
//! dedup store, durable group commits) with a stub master on loopback. A request's latency runs
//! from its scheduled send time to the answer (so a stalled generator cannot hide queueing):
//! verify + dedup + classify + hand-off + ack.

use hdrhistogram::Histogram;
use sremesh_agent::{Answer, Executor, HarnessLimits, Job};
use sremesh_core::{AgentResult, AlertContext, SnapshotReport, SnapshotRequest, SnapshotStatus};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::time::Instant;

const SECRET: &str = "bench-signing-secret";

/// A master that accepts everything at once and counts.
#[derive(Default)]
struct Stub(AtomicU64);

impl Executor for Stub {
    fn id(&self) -> &'static str {
        "master"
    }
    async fn investigate(&self, _job: Job<AlertContext>) -> Answer {
        self.0.fetch_add(1, Ordering::Relaxed);
        Answer::Result(AgentResult::ok("master", "stub", vec![]))
    }
    async fn snapshot(&self, job: Job<SnapshotRequest>) -> Answer {
        Answer::Snapshot(SnapshotReport::failed(
            "master",
            job.request.requested_at,
            SnapshotStatus::Ok,
            "",
        ))
    }
}

async fn stub_master() -> anyhow::Result<(String, Arc<Stub>)> {
    let loaded = sremesh_core::config::load(Path::new("config.yaml"))?;
    let info = sremesh_core::catalogue::agent("master")
        .ok_or_else(|| anyhow::anyhow!("no master in the catalogue"))?;
    let limits = HarnessLimits {
        window_before: jiff::SignedDuration::from_mins(30),
        window_after: jiff::SignedDuration::from_mins(5),
        default_deadline: Duration::from_secs(10),
        max_deadline: Duration::from_secs(10),
    };
    let stub = Arc::new(Stub::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/", listener.local_addr()?);
    let app = sremesh_agent::router(
        info,
        &loaded,
        &url,
        limits,
        stub.clone(),
        Arc::new(sremesh_agent::Busy::default()),
    );
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok((url, stub))
}

/// One signed request, built before the run.
struct Signed {
    body: Vec<u8>,
    timestamp: String,
    signature: String,
}

fn signed(i: u64, base: i64) -> anyhow::Result<Signed> {
    let ts = format!("{}.{:06}", base + (i / 1_000_000) as i64, i % 1_000_000);
    let body = serde_json::to_vec(&serde_json::json!({
        "type": "event_callback", "event_id": format!("EvBench{i}"), "team_id": "T0BENCH",
        "event": {"type": "app_mention", "channel": "C0ALERTS", "user": "U0BENCH", "ts": ts,
            "text": "<@U0SREMESH> [FIRING:1] KubePodCrashLooping payments/payments-api error rate 7%"},
    }))?;
    let timestamp = jiff::Timestamp::now().as_second().to_string();
    let signature = sremesh_chat::verify::sign_slack(SECRET, &timestamp, &body)?;
    Ok(Signed {
        body,
        timestamp,
        signature,
    })
}

struct Run {
    hist: Histogram<u64>,
    errors: u64,
    sent: u64,
    seconds: f64,
}

/// Sends `count` requests starting at `first`, one every `1/rate` s, each in its own task.
async fn drive(
    client: &reqwest::Client,
    url: &str,
    first: u64,
    count: u64,
    rate: u64,
    base: i64,
) -> anyhow::Result<Run> {
    let reqs: Vec<Signed> = (first..first + count)
        .map(|i| signed(i, base))
        .collect::<anyhow::Result<_>>()?;
    let gap = Duration::from_secs_f64(1.0 / rate.max(1) as f64);
    let start = Instant::now();
    let mut tasks = Vec::with_capacity(reqs.len());
    for (n, r) in reqs.into_iter().enumerate() {
        let due = start + gap * n as u32;
        tokio::time::sleep_until(due).await;
        let req = client
            .post(url)
            .header("content-type", "application/json")
            .header("x-slack-request-timestamp", r.timestamp)
            .header("x-slack-signature", r.signature)
            .body(r.body);
        tasks.push(tokio::spawn(async move {
            let ok = match req.send().await {
                Ok(resp) if resp.status().is_success() => resp
                    .bytes()
                    .await
                    .is_ok_and(|b| b.windows(16).any(|w| w == b"investigation_id")),
                _ => false,
            };
            (ok, due.elapsed())
        }));
    }
    let mut hist = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3)?;
    let mut errors = 0;
    for t in tasks {
        let (ok, took) = t.await?;
        if ok {
            hist.record(took.as_micros().max(1) as u64)?;
        } else {
            errors += 1;
        }
    }
    Ok(Run {
        hist,
        errors,
        sent: count,
        seconds: start.elapsed().as_secs_f64(),
    })
}

pub async fn run(bin_dir: &Path, seconds: u64, rate: u64) -> anyhow::Result<()> {
    let (master_url, stub) = stub_master().await?;
    let dir = std::env::temp_dir().join(format!("sremesh-bench-intake-{}", std::process::id()));
    let port = crate::procs::free_port()?;
    let program = bin_dir.join("sremesh-intake");
    let _child = tokio::process::Command::new(&program)
        .env_clear()
        .env("INTAKE_PORT", port.to_string())
        .env("MASTER_AGENT_URL", &master_url)
        .env("SLACK_SIGNING_SECRET", SECRET)
        .env("DEDUP_PATH", dir.join("dedup.redb"))
        .env("SREMESH_CONFIG", "config.yaml")
        .env("RUST_LOG", "warn")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| anyhow::anyhow!("cannot start {}: {e}", program.display()))?;
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(256)
        .build()?;
    let base = format!("http://127.0.0.1:{port}");
    crate::procs::wait_ready(&client, &format!("{base}/healthz"), Duration::from_secs(10)).await?;
    let url = format!("{base}/slack/events");
    let ts_base = jiff::Timestamp::now().as_second();
    let warm = rate * 2;
    let _ = drive(&client, &url, 0, warm, rate, ts_base).await?;
    let r = drive(&client, &url, warm, rate * seconds.max(1), rate, ts_base).await?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let handed = stub.0.load(Ordering::Relaxed);
    let _ = std::fs::remove_dir_all(&dir);
    let ms = |q: f64| r.hist.value_at_quantile(q) as f64 / 1000.0;
    println!("| metric | p50 | p99 | max | target |");
    println!("|---|---:|---:|---:|---:|");
    println!(
        "| signed app_mention → 200 (ms) | {:.2} | {:.2} | {:.2} | p99 ≤ 5 |",
        ms(0.5),
        ms(0.99),
        r.hist.max() as f64 / 1000.0
    );
    println!(
        "- {} requests at {rate} req/s open-loop over {:.1} s (after {warm} warm-up), {} errors; {} investigations handed off in all (warm-up included); sremesh-intake from {}, embedded dedup (redb; claims answered after a durable group commit), stub master (harness A2A server) on loopback; latency from each request's scheduled send time",
        r.sent,
        r.seconds,
        r.errors,
        handed,
        bin_dir.display()
    );
    Ok(())
}
