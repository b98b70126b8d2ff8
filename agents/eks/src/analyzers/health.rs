//! "Nothing is wrong now": `target_healthy` when the alert's workload is fine (every pod Ready,
//! no restarts in the window — or recovered: Ready again for a while with clean logs since; never
//! while its Service routes nowhere, its load balancer's health check fails on it or it keeps
//! being OOM-killed), or
//! when the alert is an always-firing heartbeat (Watchdog); `target_not_found` when nothing in
//! the cluster matches the alert.

use super::facts::{self, hms, line, minutes};
use super::logs::render;
use super::{Mode, Scene, Unit, Workload, unit_finding};
use jiff::{SignedDuration, Timestamp};
use k8s_openapi::api::core::v1::Pod;
use regex::Regex;
use sremesh_core::{Category, Finding, Severity};
use std::sync::LazyLock;

static BACK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(connected|reconnected|consuming|listening|started|ready)\b")
        .expect("static regex")
});

/// A recovered workload has shown no failure for at least this long.
const RECOVERED_FOR: SignedDuration = SignedDuration::from_mins(10);

pub fn analyze(s: &Scene) -> Vec<Finding> {
    match s.mode {
        Mode::Target => s.units.iter().filter_map(|u| healthy(s, u)).collect(),
        Mode::Heartbeat => vec![heartbeat(s)],
        Mode::Triage => vec![not_found(s)],
    }
}

fn desired(u: &Unit) -> Option<i32> {
    match &u.workload {
        Some(Workload::Deployment(d)) => d.spec.as_ref().and_then(|sp| sp.replicas),
        Some(Workload::StatefulSet(d)) => d.spec.as_ref().and_then(|sp| sp.replicas),
        Some(Workload::DaemonSet(d)) => d.status.as_ref().map(|st| st.desired_number_scheduled),
        _ => None,
    }
}

fn restarted_in_window(s: &Scene, p: &Pod) -> Vec<(Timestamp, i32, String)> {
    facts::statuses(p)
        .filter_map(|c| {
            let t = facts::last_termination(c)?;
            let at = t.finished_at.as_ref()?.0;
            s.in_window(at).then(|| {
                (
                    at,
                    t.exit_code,
                    t.reason.clone().unwrap_or_else(|| "Error".into()),
                )
            })
        })
        .collect()
}

/// One sign of failure in the window: when, and what (for the evidence).
struct Failure {
    at: Timestamp,
    what: String,
}

/// Every sign of failure about the unit in the window: restarts, warning events about its pods
/// or controllers, error lines in its pods' current logs.
fn failures(s: &Scene, u: &Unit, pods: &[&Pod]) -> Vec<Failure> {
    let mut out = Vec::new();
    for p in pods {
        for (at, code, reason) in restarted_in_window(s, p) {
            out.push(Failure {
                at,
                what: format!("{} exited {code} ({reason})", facts::pod_name(p)),
            });
        }
    }
    for e in s.recent_events().filter(|e| {
        facts::is_warning(e)
            && e.involved_object
                .namespace
                .as_deref()
                .is_none_or(|n| n == u.namespace)
            && e.involved_object.name.as_deref().is_some_and(|n| {
                n == u.name
                    || pods.iter().any(|p| facts::pod_name(p) == n)
                    || n.starts_with(&format!("{}-", u.name))
            })
    }) {
        if let Some(at) = facts::event_last(e) {
            out.push(Failure {
                at,
                what: facts::event_line(e),
            });
        }
    }
    for p in pods {
        for l in s.logs.iter().filter(|l| {
            !l.previous && l.pod == facts::pod_name(p) && l.namespace == facts::pod_ns(p)
        }) {
            for x in &l.lines {
                let when = x.at.unwrap_or(s.alert_time);
                if s.in_window(when) && super::logs::is_error(&x.text) {
                    out.push(Failure {
                        at: when,
                        what: format!("{}: {}", facts::pod_name(p), render(&x.text)),
                    });
                }
            }
        }
    }
    out
}

fn healthy(s: &Scene, u: &Unit) -> Option<Finding> {
    let pods: Vec<&Pod> = s
        .pods_of(u)
        .filter(|p| facts::phase(p) != "Succeeded")
        .collect();
    if pods.is_empty() {
        return None;
    }
    let all_ready = pods.iter().all(|p| {
        facts::phase(p) == "Running"
            && facts::pod_ready(p)
            && p.metadata.deletion_timestamp.is_none()
            && facts::statuses(p).all(|c| facts::waiting(c).is_none())
    });
    if !all_ready || desired(u).is_some_and(|d| (pods.len() as i32) < d) {
        return None;
    }
    // Ready pods behind a Service that routes nowhere, or killed for memory again and again:
    // not healthy, whatever the pods say right now.
    if !super::services::unrouted(s, u).is_empty()
        || super::lb_health::failing(s, u).is_some()
        || super::stalls::stalled(s, u)
        || super::keepalive::analyze_unit(s, u).is_some()
        || pods
            .iter()
            .any(|p| facts::statuses(p).any(|c| super::containers::oom_recurring(s, c)))
    {
        return None;
    }
    let restarts: Vec<(&Pod, Timestamp, i32, String)> = pods
        .iter()
        .flat_map(|p| {
            restarted_in_window(s, p)
                .into_iter()
                .map(move |(t, c, r)| (*p, t, c, r))
        })
        .collect();
    // Recovered: every pod Ready, and nothing has failed for a while. The recovery is the
    // later of the last failure and the last pod becoming Ready after the first failure.
    let fails = failures(s, u, &pods);
    let recovered_at = match (
        fails.iter().map(|f| f.at).min(),
        fails.iter().map(|f| f.at).max(),
    ) {
        (Some(first), Some(last)) => {
            let ready = pods
                .iter()
                .filter_map(|p| facts::ready_since(p))
                .filter(|t| *t >= first.checked_sub(RECOVERED_FOR).unwrap_or(first))
                .max();
            Some(ready.map_or(last, |r| r.max(last)))
        }
        _ => None,
    };
    if let Some(t) = recovered_at
        && t.checked_add(RECOVERED_FOR).is_ok_and(|x| x > s.alert_time)
    {
        return None;
    }
    let last_failure = fails.iter().max_by_key(|f| f.at);

    let n = pods.len();
    let title = match recovered_at {
        Some(t) => format!(
            "{}: recovered — {n}/{n} pods Ready since {} ({} min before the alert), no failure since; {} restart(s) in the window",
            u.name,
            hms(t),
            minutes(t, s.alert_time),
            restarts.len()
        ),
        None => format!(
            "{}: healthy now — {n}/{n} pods Running and Ready, no restarts in the window",
            u.name
        ),
    };
    let mut ev = Vec::new();
    for p in pods.iter().take(3) {
        ev.push(line(format!(
            "{}: Running, Ready{}, restarts {}",
            facts::pod_name(p),
            facts::ready_since(p)
                .map(|t| format!(" since {}", hms(t)))
                .unwrap_or_default(),
            facts::restarts(p)
        )));
    }
    if let Some(f) = last_failure {
        ev.push(line(format!("last failure at {}: {}", hms(f.at), f.what)));
    }
    if let Some(r) = reboot_line(s, &pods) {
        ev.push(r);
    }
    for (p, t, code, reason) in restarts.iter().take(2) {
        let mut l = format!(
            "{} exited {code} ({reason}) at {}",
            facts::pod_name(p),
            hms(*t)
        );
        let last_err = facts::statuses(p)
            .filter_map(|c| s.log(p, &c.name, true))
            .flat_map(|l| l.lines.iter().rev())
            .find(|x| super::logs::is_error(&x.text))
            .map(|x| render(&x.text));
        if let Some(e) = last_err {
            l.push_str(&format!(" — {e}"));
        }
        ev.push(line(l));
        // What it said once it was back.
        let back = s
            .logs
            .iter()
            .filter(|l| {
                !l.previous && l.pod == facts::pod_name(p) && l.namespace == facts::pod_ns(p)
            })
            .flat_map(|l| l.lines.iter())
            .find(|x| BACK.is_match(&x.text));
        if let Some(x) = back {
            ev.push(line(format!("after the restart: {}", render(&x.text))));
        }
    }
    // What it is doing now, in its own words.
    if let Some(p) = pods.first() {
        let latest: Vec<String> = s
            .logs
            .iter()
            .filter(|l| {
                !l.previous && l.pod == facts::pod_name(p) && l.namespace == facts::pod_ns(p)
            })
            .flat_map(|l| l.lines.iter())
            .rev()
            .take(2)
            .map(|x| render(&x.text))
            .collect();
        for l in latest.into_iter().rev() {
            ev.push(line(format!("latest log: {l}")));
        }
    }
    let mut f = unit_finding("target_healthy", u, Severity::Info, line(title))
        .with_category(Category::Healthy)
        .with_evidence(ev)
        .with_attr("pods", n as u64)
        .with_attr("restarts_in_window", restarts.len() as u64);
    if let Some(t) = recovered_at {
        f = f.with_attr("recovered_at", t.to_string()).at(t);
    }
    if let Some(l) = last_failure {
        f = f.with_attr("last_failure", l.at.to_string());
    }
    Some(f)
}

/// A reboot of a node under the pods, in the window or just before it (it explains restarts).
fn reboot_line(s: &Scene, pods: &[&Pod]) -> Option<String> {
    let from = s
        .window
        .start
        .checked_sub(SignedDuration::from_mins(60))
        .unwrap_or(s.window.start);
    pods.iter()
        .filter_map(|p| p.spec.as_ref()?.node_name.as_deref())
        .find_map(|n| {
            s.events.iter().find(|e| {
                e.involved_object.kind.as_deref() == Some("Node")
                    && e.involved_object.name.as_deref() == Some(n)
                    && facts::event_reason(e) == "Rebooted"
                    && facts::event_last(e).is_some_and(|t| t >= from && t <= s.window.end)
            })
        })
        .map(|e| {
            line(format!(
                "node {} rebooted: {}",
                facts::short_node(e.involved_object.name.as_deref().unwrap_or("?")),
                facts::event_line(e)
            ))
        })
}

/// What a cluster-wide look saw, in a few lines.
fn triage_lines(s: &Scene) -> Vec<String> {
    let ready = s
        .nodes
        .iter()
        .filter(|n| facts::node_condition(n, "Ready").is_some_and(|(st, _, _)| st == "True"))
        .count();
    let failing = s.pods.len();
    let warnings = s.recent_events().filter(|e| facts::is_warning(e)).count();
    vec![
        format!("nodes: {ready}/{} Ready", s.nodes.len()),
        format!(
            "pods in the cluster: {}, not Ready or restarting in the window: {failing}",
            s.cluster_pods
        ),
        format!("warning events in the window: {warnings}"),
    ]
}

fn heartbeat(s: &Scene) -> Finding {
    let name = s.alertname.clone().unwrap_or_else(|| "Watchdog".into());
    let title = format!(
        "{name} is an always-firing heartbeat alert: it proves the alerting pipeline works and points at no failure"
    );
    Finding::new(
        "target_healthy:heartbeat",
        "target_healthy",
        Severity::Info,
        title,
    )
    .with_category(Category::Healthy)
    .with_evidence(triage_lines(s))
    .with_attr("alertname", name)
}

fn not_found(s: &Scene) -> Finding {
    let title = "nothing in the cluster matches the alert's target (no namespace, workload, pod or Service named in it); looked cluster-wide instead";
    Finding::new(
        "target_not_found:alert",
        "target_not_found",
        Severity::Info,
        title,
    )
    .with_evidence(triage_lines(s))
}
