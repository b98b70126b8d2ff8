//! Child processes for benchmarks: spawn, wait until they answer, read their memory.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;
use tokio::process::{Child, Command};
use tokio::time::Instant;

/// A free port on 127.0.0.1.
pub fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// Spawns a quiet child that dies with us.
pub fn spawn(program: &Path, args: &[String]) -> anyhow::Result<Child> {
    let child = Command::new(program)
        .args(args)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| anyhow::anyhow!("cannot start {}: {e}", program.display()))?;
    Ok(child)
}

/// Polls `url` until it answers 200; returns how long that took.
pub async fn wait_ready(
    client: &reqwest::Client,
    url: &str,
    timeout: Duration,
) -> anyhow::Result<Duration> {
    let start = Instant::now();
    loop {
        if let Ok(r) = client
            .get(url)
            .timeout(Duration::from_millis(200))
            .send()
            .await
            && r.status().is_success()
        {
            return Ok(start.elapsed());
        }
        if start.elapsed() > timeout {
            anyhow::bail!("{url} not ready after {timeout:?}");
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

/// A process's memory, in MiB, from /proc.
#[derive(Debug, Clone, Copy)]
pub struct Mem {
    /// Resident set size now (`VmRSS`): private memory plus the mapped files (the binary and
    /// its shared libraries) it has touched.
    pub rss: f64,
    /// The peak resident set size (`VmHWM`).
    pub peak: f64,
    /// Private anonymous memory now (`RssAnon`): the heap and stacks, without mapped files.
    pub anon: f64,
}

impl Mem {
    pub const UNKNOWN: Mem = Mem {
        rss: f64::NAN,
        peak: f64::NAN,
        anon: f64::NAN,
    };
}

/// A process's memory, in MiB, from /proc.
pub fn rss_mib(pid: u32) -> anyhow::Result<Mem> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let field = |name: &str| -> f64 {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|kb| kb.parse::<f64>().ok())
            .map_or(f64::NAN, |kb| kb / 1024.0)
    };
    Ok(Mem {
        rss: field("VmRSS:"),
        peak: field("VmHWM:"),
        anon: field("RssAnon:"),
    })
}
