//! The A2A hop: the same SendMessage load against the harness-served echo agent, a bare axum JSON
//! echo, and an a2a-sdk Python agent — one after the other on the same machine.

use crate::{load, procs};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

struct Contestant {
    name: &'static str,
    program: std::path::PathBuf,
    args: Vec<String>,
    port: u16,
    ready_path: &'static str,
}

pub async fn run(
    bin_dir: &Path,
    python: &Path,
    seconds: u64,
    concurrency: usize,
) -> anyhow::Result<()> {
    let text = "[FIRING:1] KubePodCrashLooping payments/payments-api-7f9dd8b6c4-x7gr9 (payments prod) — container payments-api restarted 5 times in 10 minutes";
    let body = Arc::new(serde_json::to_vec(&serde_json::json!({
        "jsonrpc": "2.0", "id": "bench", "method": "SendMessage",
        "params": {"message": {"messageId": "bench-1", "role": "ROLE_USER", "parts": [{"text": text}]}, "configuration": {"historyLength": 0}}
    }))?);
    let (p1, p2, p3) = (
        procs::free_port()?,
        procs::free_port()?,
        procs::free_port()?,
    );
    let contestants = [
        Contestant {
            name: "sremesh harness (echo executor)",
            program: bin_dir.join("examples/echo_agent"),
            args: vec!["--port".into(), p1.to_string()],
            port: p1,
            ready_path: "/ping",
        },
        Contestant {
            name: "bare axum JSON echo",
            program: bin_dir.join("axum-echo"),
            args: vec!["--port".into(), p2.to_string()],
            port: p2,
            ready_path: "/ping",
        },
        Contestant {
            name: "a2a-sdk 1.3.0 Python agent",
            program: python.to_path_buf(),
            args: vec![
                "scripts/bench/python_echo_agent.py".into(),
                "--port".into(),
                p3.to_string(),
            ],
            port: p3,
            ready_path: "/.well-known/agent-card.json",
        },
    ];
    let client = reqwest::Client::new();
    println!(
        "| target | requests/s | p50 ms | p99 ms | errors | RSS after load MiB | peak RSS MiB | private (anon) MiB |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    let mut results = Vec::new();
    for c in &contestants {
        let mut child = procs::spawn(&c.program, &c.args)?;
        let base = format!("http://127.0.0.1:{}", c.port);
        procs::wait_ready(
            &client,
            &format!("{base}{}", c.ready_path),
            Duration::from_secs(30),
        )
        .await?;
        let m = load::run(
            &format!("{base}/"),
            body.clone(),
            &[("content-type", "application/json"), ("a2a-version", "1.0")],
            concurrency,
            Duration::from_secs(2),
            Duration::from_secs(seconds),
        )
        .await?;
        let mem = procs::rss_mib(child.id().unwrap_or(0)).unwrap_or(procs::Mem::UNKNOWN);
        println!(
            "| {} | {:.0} | {:.2} | {:.2} | {} | {:.1} | {:.1} | {:.1} |",
            c.name,
            m.rps(),
            m.ms(0.5),
            m.ms(0.99),
            m.errors,
            mem.rss,
            mem.peak,
            mem.anon
        );
        results.push((m, mem));
        child.kill().await.ok();
    }
    let (h, a, p) = (&results[0], &results[1], &results[2]);
    println!();
    println!(
        "- harness p50 / axum p50: **{:.2}×** (target ≤ 2×); p99 ratio {:.2}×",
        h.0.ms(0.5) / a.0.ms(0.5),
        h.0.ms(0.99) / a.0.ms(0.99)
    );
    println!(
        "- harness throughput / Python agent throughput: **{:.1}×** (target ≥ 20×)",
        h.0.rps() / p.0.rps()
    );
    println!(
        "- harness peak RSS / Python agent peak RSS: **{:.3}** (target ≤ 0.10); private (anonymous) memory after load: {:.3}",
        h.1.peak / p.1.peak,
        h.1.anon / p.1.anon
    );
    println!(
        "- load: {concurrency} concurrent keep-alive connections, 2 s warm-up, {seconds} s measured, one target at a time"
    );
    Ok(())
}
