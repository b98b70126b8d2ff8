//! A scan's outcome as the agent's answer: status, a one-or-two-sentence summary, findings,
//! what was read, and what went wrong on the way.

use crate::evidence::clock;
use crate::scan::{Fatal, ScanOutcome, ScanRequest};
use sremesh_core::AgentResult;
use sremesh_core::text::truncate;

/// The AgentResult of agent `id` for `out`.
pub fn to_result(id: &str, req: &ScanRequest, out: &ScanOutcome) -> AgentResult {
    let mut r = match &out.fatal {
        Some(Fatal::Unhealthy(reason)) => AgentResult::unhealthy(id, reason.clone()),
        Some(Fatal::Error(reason)) => AgentResult::error(id, reason.clone()),
        None => AgentResult::ok(id, summary(req, out), out.findings.clone()),
    };
    let mut issues: Vec<String> = out.problems.clone();
    issues.extend(out.notes.iter().cloned());
    if out.fatal.is_none() && !issues.is_empty() {
        r.error = Some(issues.join("; "));
    }
    r.partial = out.partial;
    r.scanned = out.scanned.clone();
    r
}

/// `payments-api v1.8.0 deploy announced 4 min before the alert (#deploys, U0DANA) — 3
/// channel(s), 5 message(s) read.`
pub fn summary(req: &ScanRequest, out: &ScanOutcome) -> String {
    let subject = req.targets.primary().unwrap_or("the alert's subject");
    let read = format!(
        "{} channel(s), {} message(s) read between {} and {} UTC",
        out.scanned.len(),
        out.read,
        clock(req.window.start),
        clock(req.window.end)
    );
    let cut = if out.partial {
        " (partial: the deadline cut the reading short)"
    } else {
        ""
    };
    if out.scanned.is_empty() && out.notes.iter().any(|n| n.starts_with("no channel")) {
        return "No channel to scan: the request named none and the bot is a member of none."
            .to_owned();
    }
    if out.findings.is_empty() {
        return format!("No chat messages about {subject}: {read}{cut}.");
    }
    let top: Vec<String> = out
        .findings
        .iter()
        .take(2)
        .map(|f| truncate(&f.title, 160))
        .collect();
    let more = match out.findings.len() {
        0..=2 => String::new(),
        n => format!(" (+{} more finding(s))", n - 2),
    };
    format!("{}{more} — {read}{cut}.", top.join("; "))
}

/// Investigates `job`'s alert with `src` and answers with the AgentResult of agent `id`.
pub async fn investigate<S: crate::ChatSource>(
    id: &str,
    src: &S,
    set: &crate::ScanSettings,
    job: &sremesh_agent::Job<sremesh_core::AlertContext>,
) -> AgentResult {
    let started = tokio::time::Instant::now();
    let req = ScanRequest::from_alert(&job.request, src.platform());
    tracing::info!(agent = id, task_id = %job.task_id, channels = req.channels.len(),
        targets = req.targets.list().len(), "investigation_started");
    let out = crate::scan(src, &req, set, job.deadline, &job.partial).await;
    let mut r = to_result(id, &req, &out);
    r.telemetry.duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    tracing::info!(agent = id, task_id = %job.task_id, status = ?r.status, findings = r.findings.len(),
        partial = r.partial, read = out.read, "investigation_done");
    r
}
