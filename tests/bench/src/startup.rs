//! Agent start-up: process spawn → first `/ping` 200, and idle RSS once ready.

use crate::procs;
use std::path::Path;
use std::time::Duration;

pub async fn run(bin_dir: &Path, runs: usize) -> anyhow::Result<()> {
    let program = bin_dir.join("examples/echo_agent");
    let client = reqwest::Client::new();
    let mut times = Vec::new();
    let mut rss = Vec::new();
    for _ in 0..runs.max(1) {
        let port = procs::free_port()?;
        let mut child = procs::spawn(&program, &["--port".into(), port.to_string()])?;
        let t = procs::wait_ready(
            &client,
            &format!("http://127.0.0.1:{port}/ping"),
            Duration::from_secs(10),
        )
        .await?;
        times.push(t.as_secs_f64() * 1000.0);
        tokio::time::sleep(Duration::from_millis(300)).await;
        rss.push(
            procs::rss_mib(child.id().unwrap_or(0))
                .map(|m| m.rss)
                .unwrap_or(f64::NAN),
        );
        child.kill().await.ok();
    }
    times.sort_by(f64::total_cmp);
    rss.sort_by(f64::total_cmp);
    let med = |v: &[f64]| v[v.len() / 2];
    println!("| metric | median | max | target |");
    println!("|---|---:|---:|---:|");
    println!(
        "| start → /ping 200 (ms) | {:.1} | {:.1} | ≤ 50 |",
        med(&times),
        times[times.len() - 1]
    );
    println!(
        "| idle RSS (MiB) | {:.1} | {:.1} | ≤ 20 |",
        med(&rss),
        rss[rss.len() - 1]
    );
    println!(
        "- {} runs of the harness-served echo agent (config.yaml loaded and validated at each start)",
        times.len()
    );
    Ok(())
}
