//! Arbitration between the analyzers' findings: a kubelet-reported cause outranks log noise, a
//! blocking NetworkPolicy explains the connection errors it causes, a healthy target carries no
//! cause, problems that predate the alert are context only in a cluster-wide look; then order,
//! unique ids and the cap.

use super::{MAX_FINDINGS, Mode, Scene, all, facts};
use jiff::Timestamp;
use sremesh_core::{Finding, Severity};
use std::collections::{BTreeMap, BTreeSet};

/// Kinds that rest on what the kubelet, scheduler or controllers reported about the workload;
/// when one carries a cause, log signatures of the same workload are secondary.
const STATE_KINDS: &[&str] = &[
    "oom_killed",
    "crash_loop",
    "job_failed",
    "hpa_unhealthy",
    "addon_unhealthy",
    "image_pull",
    "config_missing",
    "scheduling_failed",
    "volume_attach_failed",
    "sandbox_failed",
    "init_blocked",
    "gc_thrashing",
    "node_launch_failed",
    "cpu_starved",
    "quota_exceeded",
    "probe_failed",
    "evicted",
    "node_not_ready",
    "node_pressure",
];

/// Signatures of connections that fail to establish (what a blocked egress looks like).
const CONNECTIVITY: &[&str] = &[
    "unreachable",
    "timeout",
    "connection_refused",
    "connection_reset",
    "dns_failure",
    "pool_exhausted",
];

/// Root causes before their consequences when severities tie (a node's pressure before the
/// evictions it caused, before the Pending replacement).
pub fn priority(kind: &str) -> usize {
    const ORDER: &[&str] = &[
        "node_not_ready",
        "node_pressure",
        "addon_unhealthy",
        "control_plane_degraded",
        "service_no_endpoints",
        "network_policy_blocks",
        "keepalive_mismatch",
        "volume_attach_failed",
        "drain_blocked",
        "cronjob_duplicate",
        "sandbox_failed",
        "init_blocked",
        "node_launch_failed",
        "oom_killed",
        "gc_thrashing",
        "event_loop_blocked",
        "goroutine_leak",
        "cpu_starved",
        "config_missing",
        "image_pull",
        "quota_exceeded",
        "job_failed",
        "crash_loop",
        "hpa_unhealthy",
        "probe_failed",
        "evicted",
        "scheduling_failed",
        "log_signature",
        "not_ready",
        "rollout_stuck",
        "recent_rollout",
        "node_rebooted",
        "target_healthy",
        "target_not_found",
    ];
    ORDER.iter().position(|k| *k == kind).unwrap_or(ORDER.len())
}

fn demote(f: &mut Finding, why: &str, cap: Severity) {
    if f.category.take().is_some() {
        f.attributes.insert("demoted".into(), why.into());
    }
    f.severity = f.severity.min(cap);
}

/// Runs every analyzer and arbitrates between their findings.
pub fn run(scene: &Scene) -> Vec<Finding> {
    let mut out: Vec<Finding> = all().iter().flat_map(|(_, a)| a(scene)).collect();
    arbitrate(scene, &mut out);
    out
}

/// Cross-analyzer rules (see the module docs), then ordering, unique ids and the cap.
pub fn arbitrate(scene: &Scene, out: &mut Vec<Finding>) {
    let healthy: BTreeSet<String> = out
        .iter()
        .filter(|f| f.kind == "target_healthy")
        .filter_map(|f| f.service.clone())
        .collect();
    let caused: BTreeSet<String> = out
        .iter()
        .filter(|f| STATE_KINDS.contains(&f.kind.as_str()) && f.category.is_some())
        .filter_map(|f| f.service.clone())
        .collect();
    // Signatures a crash-loop or failed-job finding already cites, per service.
    let cited: BTreeSet<(String, String)> = out
        .iter()
        .filter(|f| f.kind == "crash_loop" || f.kind == "job_failed")
        .filter_map(|f| {
            Some((
                f.service.clone()?,
                f.attributes.get("signature")?.as_str()?.to_owned(),
            ))
        })
        .collect();
    // Connection failures a blocking NetworkPolicy explains, per service.
    let blocked: BTreeSet<String> = out
        .iter()
        .filter(|f| f.kind == "network_policy_blocks" && f.category.is_some())
        .filter_map(|f| f.service.clone())
        .collect();
    // Pods the scheduler cannot place while the node launched for them failed: the launch is why.
    let unlaunched: BTreeSet<String> = out
        .iter()
        .filter(|f| f.kind == "node_launch_failed")
        .filter_map(|f| f.service.clone())
        .collect();
    out.retain(|f| {
        f.kind != "log_signature"
            || !f.service.as_ref().is_some_and(|s| {
                f.attributes
                    .get("signature")
                    .and_then(|v| v.as_str())
                    .is_some_and(|sig| cited.contains(&(s.clone(), sig.to_owned())))
            })
    });
    for f in out.iter_mut() {
        let svc = f.service.clone().unwrap_or_default();
        if f.kind != "target_healthy" && healthy.contains(&svc) {
            demote(f, "the workload is healthy now", Severity::Low);
        } else if f.kind == "scheduling_failed" && unlaunched.contains(&svc) {
            demote(
                f,
                "secondary: the node launched for these pods failed",
                Severity::Medium,
            );
        } else if f.kind == "log_signature" && caused.contains(&svc) {
            demote(
                f,
                "secondary: the kubelet reports the workload's failure cause",
                Severity::Low,
            );
        } else if f.kind == "log_signature"
            && blocked.contains(&svc)
            && f.attributes
                .get("signature")
                .and_then(|v| v.as_str())
                .is_some_and(|sig| CONNECTIVITY.contains(&sig))
        {
            demote(
                f,
                "secondary: a NetworkPolicy blocks the connections these lines report",
                Severity::Low,
            );
        }
        if scene.mode != Mode::Target && f.category.is_some() {
            let onset = f
                .attributes
                .get("onset")
                .and_then(|v| v.as_str())
                .and_then(|s| s.parse::<Timestamp>().ok())
                .or(f.at);
            if onset.is_some_and(|t| t < scene.window.start) {
                demote(f, "predates the alert's window", Severity::Info);
                f.title = format!("{} (predates the alert)", f.title);
            }
        }
        f.evidence = facts::cap_evidence(std::mem::take(&mut f.evidence));
    }
    out.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(b.category.is_some().cmp(&a.category.is_some()))
            .then(priority(&a.kind).cmp(&priority(&b.kind)))
    });
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for f in out.iter_mut() {
        let n = seen.entry(f.id.clone()).or_insert(0);
        *n += 1;
        if *n > 1 {
            f.id = format!("{}#{n}", f.id);
        }
    }
    out.truncate(MAX_FINDINGS);
}
