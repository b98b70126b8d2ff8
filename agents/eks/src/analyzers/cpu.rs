//! CPU starvation: `cpu_starved` when a workload's containers have a CPU limit, its
//! HorizontalPodAutoscaler is pinned at `maxReplicas` with CPU at ≥ 90 % of the request, and
//! its pods show what too little CPU does to a process: liveness/readiness probes timing out,
//! start-ups that take minutes, a Kafka consumer's poll loop overrunning
//! `max.poll.interval.ms` (it leaves the group; the group rebalances). More replicas cannot be
//! added and each one is throttled at its limit: resource exhaustion.

use super::autoscaling::hpas_of;
use super::facts::{self, line};
use super::logs::render;
use super::{Scene, Unit, unit_finding};
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::core::v1::Pod;
use regex::Regex;
use sremesh_core::{Category, Finding, Severity};
use std::sync::LazyLock;

/// A consumer whose poll loop is too slow for its group (Kafka's own words).
static POLL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)max\.poll\.interval\.ms|poll timeout has expired").expect("static regex")
});
/// The setting a poll-timeout message names.
static INTERVAL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)max\.poll\.interval\.ms").expect("static regex"));
/// A start-up time a framework reports (`Started App in 94.212 seconds`).
static STARTED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\bstarted \S+ in (\d+(?:\.\d+)?) ?s(?:ec(?:ond)?s?)?\b").expect("static regex")
});
/// A probe that timed out rather than failed.
static PROBE_TIMEOUT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)context deadline exceeded|Client\.Timeout|timed out|timeout")
        .expect("static regex")
});

/// A start-up this slow is a process short of CPU.
const SLOW_START_SECS: f64 = 60.0;
/// CPU utilisation (of the request) at which the HPA's target is saturated.
const SATURATED: i32 = 90;

pub fn analyze(s: &Scene) -> Vec<Finding> {
    s.units.iter().filter_map(|u| starved(s, u)).collect()
}

/// The HPA's maximum and its current CPU utilisation, when it is pinned at the maximum with CPU
/// saturated.
fn pinned(h: &HorizontalPodAutoscaler) -> Option<(i32, i32)> {
    let max = h.spec.as_ref()?.max_replicas;
    let st = h.status.as_ref()?;
    let at_max = st.current_replicas.unwrap_or(0) >= max
        || st.conditions.iter().flatten().any(|c| {
            c.type_ == "ScalingLimited"
                && c.status == "True"
                && c.reason.as_deref() == Some("TooManyReplicas")
        });
    let cpu = st
        .current_metrics
        .iter()
        .flatten()
        .filter_map(|m| m.resource.as_ref())
        .filter(|r| r.name == "cpu")
        .find_map(|r| r.current.average_utilization)?;
    (at_max && cpu >= SATURATED).then_some((max, cpu))
}

fn cpu_limit(pods: &[&Pod]) -> Option<String> {
    pods.iter()
        .filter_map(|p| p.spec.as_ref())
        .flat_map(|sp| sp.containers.iter())
        .find_map(|c| {
            c.resources
                .as_ref()?
                .limits
                .as_ref()?
                .get("cpu")
                .map(|q| q.0.clone())
        })
}

/// The poll-timeout sentence: from its first marker to the `max.poll.interval.ms` it names.
pub fn poll_quote(text: &str) -> &str {
    let Some(first) = POLL.find(text) else {
        return text;
    };
    let end = INTERVAL
        .find(&text[first.start()..])
        .map(|m| first.start() + m.end())
        .filter(|e| e - first.start() <= 200)
        .unwrap_or(first.end());
    &text[first.start()..end]
}

fn starved(s: &Scene, u: &Unit) -> Option<Finding> {
    let pods: Vec<&Pod> = s.pods_of(u).collect();
    let limit = cpu_limit(&pods)?;
    let (h, (max, cpu)) = hpas_of(s, u).find_map(|h| pinned(h).map(|p| (h, p)))?;
    let names: Vec<&str> = pods.iter().map(|p| facts::pod_name(p)).collect();
    let mut symptoms: Vec<String> = Vec::new();
    let mut ev: Vec<String> = Vec::new();
    // The poll loop overrunning its interval.
    let logs: Vec<_> = s
        .logs
        .iter()
        .filter(|l| l.namespace == u.namespace && names.contains(&l.pod.as_str()))
        .collect();
    let polls: Vec<(&str, &str)> = logs
        .iter()
        .flat_map(|l| l.lines.iter().map(move |x| (l.pod.as_str(), x)))
        .filter(|(_, x)| x.at.is_none_or(|t| s.in_window(t)) && POLL.is_match(&x.text))
        .map(|(p, x)| (p, x.text.as_str()))
        .collect();
    if let Some((pod, text)) = polls.first() {
        let quote = poll_quote(text);
        symptoms.push(format!(
            "consumers leave their group: \"{quote}\" ×{}",
            polls.len()
        ));
        ev.push(line(format!("{pod}: {quote}")));
        ev.push(line(format!("{pod}: {}", render(text))));
    }
    // Probes that time out.
    let probe: Vec<_> = s
        .recent_events()
        .filter(|e| {
            facts::event_reason(e) == "Unhealthy"
                && e.involved_object.namespace.as_deref() == Some(u.namespace.as_str())
                && e.involved_object
                    .name
                    .as_deref()
                    .is_some_and(|n| names.contains(&n))
                && PROBE_TIMEOUT.is_match(facts::event_message(e))
        })
        .collect();
    if !probe.is_empty() {
        let n: i32 = probe.iter().map(|e| facts::event_count(e)).sum();
        symptoms.push(format!("probes time out ×{n}"));
        ev.push(facts::event_line(probe[0]));
    }
    // Start-ups that take minutes.
    let slow = logs
        .iter()
        .flat_map(|l| l.lines.iter().map(move |x| (l.pod.as_str(), x)))
        .filter_map(|(p, x)| {
            let secs: f64 = STARTED.captures(&x.text)?.get(1)?.as_str().parse().ok()?;
            (secs >= SLOW_START_SECS).then_some((p, secs, x.text.as_str()))
        })
        .max_by(|a, b| a.1.total_cmp(&b.1));
    if let Some((pod, secs, text)) = slow {
        symptoms.push(format!("start-up takes {secs:.0} s"));
        ev.push(line(format!("{pod}: {}", render(text))));
    }
    if symptoms.is_empty() {
        return None;
    }
    let hname = h.metadata.name.clone().unwrap_or_default();
    let title = format!(
        "{}: CPU-starved at its {limit} CPU limit (HPA at maxReplicas {max}, CPU {cpu}% of request) — {}",
        u.name,
        symptoms.join("; ")
    );
    ev.insert(
        0,
        line(format!(
            "HPA {hname}: {} of max {max} replicas, cpu {cpu}% of request; containers limited to {limit} CPU",
            h.status
                .as_ref()
                .and_then(|st| st.current_replicas)
                .unwrap_or(0)
        )),
    );
    let restarts: i32 = pods.iter().map(|p| facts::restarts(p)).sum();
    if restarts > 0 {
        ev.push(format!(
            "{restarts} restart(s) across {} pod(s)",
            pods.len()
        ));
    }
    let mut f = unit_finding("cpu_starved", u, Severity::High, line(title))
        .with_category(Category::ResourceExhaustion)
        .with_evidence(ev)
        .with_attr("limit_cpu", limit)
        .with_attr("hpa", hname)
        .with_attr("max_replicas", max)
        .with_attr("cpu_utilization", cpu)
        .with_attr("poll_timeouts", polls.len() as u64);
    let last = probe.iter().filter_map(|e| facts::event_last(e)).max();
    if let Some(t) = last {
        f = f.with_attr("last_seen", t.to_string());
    }
    Some(f)
}
