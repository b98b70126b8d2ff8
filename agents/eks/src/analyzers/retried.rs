//! A Job that failed once and then succeeded: `target_healthy` when the Job under investigation
//! (or a CronJob's newest run) is `Complete` although some of its pods failed — the Job
//! controller retried within `backoffLimit` and the retry finished. An alert on
//! `kube_job_status_failed` fires for the failed attempt; nothing is failing now. The evidence
//! names the failed attempt (exit code, its last error line) and what the retry logged at the end.

use super::facts::{self, hms, line, minutes};
use super::jobs::{completed, ended, failed_pods, job_of, name};
use super::logs::{is_error, render};
use super::{Scene, Unit, unit_finding};
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::Pod;
use sremesh_core::{Category, Finding, Severity};

pub fn analyze(s: &Scene) -> Vec<Finding> {
    s.units
        .iter()
        .filter_map(|u| {
            let j = job_of(s, u)?;
            retried(s, u, j)
        })
        .collect()
}

/// The last line a pod's run logged (`error: true`: the last error line).
fn last_line(s: &Scene, p: &Pod, error: bool) -> Option<String> {
    facts::statuses(p)
        .filter_map(|c| s.log(p, &c.name, false))
        .flat_map(|l| l.lines.iter().rev())
        .find(|x| !error || is_error(&x.text))
        .map(|x| render(&x.text))
}

fn retried(s: &Scene, u: &Unit, j: &Job) -> Option<Finding> {
    // `Complete` and `Failed` exclude each other: a completed Job did not fail for good.
    let done = completed(j)?;
    let st = j.status.as_ref()?;
    let failed = st.failed.unwrap_or(0);
    let succeeded = st.succeeded.unwrap_or(0);
    if failed < 1 {
        return None;
    }
    let ns = j.metadata.namespace.as_deref().unwrap_or("");
    let title = format!(
        "{}: Job Complete at {} ({} min before the alert) after a retry — {failed} failed attempt(s), then {succeeded} succeeded; nothing is failing now",
        name(j),
        hms(done),
        minutes(done, s.alert_time)
    );
    let mut ev = vec![line(format!(
        "Job {}: Complete=True at {}, status failed={failed} succeeded={succeeded}{}",
        name(j),
        hms(done),
        j.spec
            .as_ref()
            .and_then(|sp| sp.backoff_limit)
            .map(|b| format!(" (backoffLimit {b})"))
            .unwrap_or_default()
    ))];
    for p in failed_pods(s, j).iter().take(2) {
        let t = facts::statuses(p).find_map(|c| {
            c.state
                .as_ref()
                .and_then(|x| x.terminated.as_ref())
                .or(facts::last_termination(c))
        });
        let mut l = format!(
            "failed attempt {}: exit {} ({}){}",
            facts::pod_name(p),
            t.map_or(0, |t| t.exit_code),
            t.and_then(|t| t.reason.as_deref()).unwrap_or("Error"),
            ended(p)
                .or_else(|| t.and_then(|t| t.finished_at.as_ref()).map(|x| x.0))
                .map(|a| format!(" at {}", hms(a)))
                .unwrap_or_default()
        );
        if let Some(e) = last_line(s, p, true) {
            l.push_str(&format!(" — {e}"));
        }
        ev.push(line(l));
    }
    let winners = s.pods.iter().filter(|p| {
        facts::phase(p) == "Succeeded"
            && facts::pod_ns(p) == ns
            && facts::owner_unit(p).1 == name(j)
    });
    for p in winners.take(1) {
        let mut l = format!("retry {}: Succeeded", facts::pod_name(p));
        if let Some(x) = last_line(s, p, false) {
            l.push_str(&format!(" — last log: {x}"));
        }
        ev.push(line(l));
    }
    let mut f = unit_finding("target_healthy", u, Severity::Info, line(title))
        .with_resource(format!("job/{ns}/{}", name(j)))
        .with_category(Category::Healthy)
        .with_evidence(ev)
        .with_attr("job", name(j))
        .with_attr("failed", failed)
        .with_attr("succeeded", succeeded)
        .with_attr("retried", true)
        .with_attr("recovered_at", done.to_string())
        .at(done);
    if let Some(cj) = facts::cronjob_owner(j) {
        f = f.with_attr("cronjob", cj);
    }
    Some(f)
}
