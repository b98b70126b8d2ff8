//! A closed-loop load generator: `concurrency` workers POST the same body back to back for a
//! fixed time; latencies go into an HDR histogram.

use hdrhistogram::Histogram;
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

/// What one run measured.
pub struct Measured {
    pub requests: u64,
    pub errors: u64,
    pub seconds: f64,
    pub hist: Histogram<u64>,
}

impl Measured {
    pub fn rps(&self) -> f64 {
        self.requests as f64 / self.seconds
    }

    /// A latency percentile in milliseconds.
    pub fn ms(&self, q: f64) -> f64 {
        self.hist.value_at_quantile(q) as f64 / 1000.0
    }
}

/// Runs the load against `url` for `warmup` (discarded) and then `duration`.
pub async fn run(
    url: &str,
    body: Arc<Vec<u8>>,
    headers: &[(&str, &str)],
    concurrency: usize,
    warmup: Duration,
    duration: Duration,
) -> anyhow::Result<Measured> {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency)
        .build()?;
    let _ = drive(&client, url, &body, headers, concurrency, warmup).await?;
    drive(&client, url, &body, headers, concurrency, duration).await
}

async fn drive(
    client: &reqwest::Client,
    url: &str,
    body: &Arc<Vec<u8>>,
    headers: &[(&str, &str)],
    concurrency: usize,
    duration: Duration,
) -> anyhow::Result<Measured> {
    let start = Instant::now();
    let end = start + duration;
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let client = client.clone();
        let url = url.to_owned();
        let body = body.clone();
        let headers: Vec<(String, String)> = headers
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        tasks.push(tokio::spawn(async move {
            let mut hist = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3)
                .expect("static bounds are valid");
            let (mut ok, mut err) = (0u64, 0u64);
            while Instant::now() < end {
                let t0 = Instant::now();
                let mut req = client.post(&url).body(body.as_ref().clone());
                for (k, v) in &headers {
                    req = req.header(k, v);
                }
                match req.send().await {
                    Ok(r) if r.status().is_success() => match r.bytes().await {
                        Ok(_) => {
                            ok += 1;
                            let _ = hist.record(t0.elapsed().as_micros().max(1) as u64);
                        }
                        Err(_) => err += 1,
                    },
                    _ => err += 1,
                }
            }
            (ok, err, hist)
        }));
    }
    let mut total = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3)?;
    let (mut requests, mut errors) = (0, 0);
    for t in tasks {
        let (ok, err, h) = t.await?;
        requests += ok;
        errors += err;
        total.add(h)?;
    }
    Ok(Measured {
        requests,
        errors,
        seconds: start.elapsed().as_secs_f64(),
        hist: total,
    })
}
