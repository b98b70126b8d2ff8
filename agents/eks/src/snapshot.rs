//! `/sre-snapshot` for the cluster: version, node and pod counts, the worst non-running pods,
//! recent kube-system warnings, and an anomaly verdict. Never fails: an unreachable API server is
//! itself the snapshot (status unhealthy, anomaly set).

use crate::analyzers::facts;
use crate::client::Kube;
use crate::gather::Budget;
use jiff::{SignedDuration, Timestamp};
use k8s_openapi::api::core::v1::{Event, Node, Pod};
use kube::api::ListParams;
use sremesh_core::{SnapshotReport, SnapshotSection, SnapshotStatus, Telemetry};

/// kube-system warnings newer than this count as recent.
const RECENT: SignedDuration = SignedDuration::from_mins(5);

/// The snapshot for a cluster that cannot be reached or is not configured.
pub fn unreachable(now: Timestamp, status: SnapshotStatus, reason: &str) -> SnapshotReport {
    let mut r = SnapshotReport::failed(crate::investigate::AGENT, now, status, reason);
    r.anomaly = true;
    r.anomaly_summary = Some(format!("Kubernetes API unreachable: {reason}"));
    r
}

fn rank(p: &Pod) -> u8 {
    let looping =
        facts::statuses(p).any(|c| facts::waiting(c).is_some_and(|(r, _)| r == "CrashLoopBackOff"));
    match facts::phase(p) {
        "Failed" => 0,
        _ if looping => 1,
        "Unknown" => 2,
        "Pending" => 3,
        "Succeeded" => 5,
        _ => 4,
    }
}

/// Takes the snapshot at `now`.
pub async fn capture(kube: &Kube, now: Timestamp, b: Budget) -> SnapshotReport {
    let warn = ListParams::default().fields("type=Warning").limit(500);
    let nodes_lp = ListParams::default().limit(1000);
    let pods_lp = ListParams::default().limit(5000);
    let (version, nodes, pods, events) = tokio::join!(
        kube.version(b.left()),
        kube.list_cluster::<Node>(&nodes_lp, b.left()),
        kube.list::<Pod>(None, &pods_lp, b.left()),
        kube.list::<Event>(Some("kube-system"), &warn, b.left()),
    );
    let (nodes, pods) = match (nodes, pods) {
        (Ok(n), Ok(p)) => (n, p),
        (Err(e), _) | (_, Err(e)) => {
            let status = if e.is_time() {
                SnapshotStatus::Error
            } else {
                SnapshotStatus::Unhealthy
            };
            return unreachable(now, status, &format!("cluster {}: {e}", kube.cluster));
        }
    };
    let version = version.unwrap_or_else(|e| format!("unknown ({e})"));
    let mut anomalies: Vec<String> = Vec::new();

    let mut ready = 0;
    let mut not_ready: Vec<&str> = Vec::new();
    let mut cordoned = 0;
    for n in &nodes {
        if facts::node_condition(n, "Ready").is_some_and(|(s, _, _)| s == "True") {
            ready += 1;
        } else {
            not_ready.push(facts::node_name(n));
        }
        if n.spec
            .as_ref()
            .and_then(|s| s.unschedulable)
            .unwrap_or(false)
        {
            cordoned += 1;
        }
    }
    let mut node_lines = vec![format!(
        "{ready} Ready · {} NotReady · {cordoned} SchedulingDisabled",
        not_ready.len()
    )];
    for n in not_ready.iter().take(5) {
        node_lines.push(format!("NotReady: {n}"));
    }
    if !not_ready.is_empty() {
        anomalies.push(format!(
            "{} node(s) NotReady ({})",
            not_ready.len(),
            not_ready
                .iter()
                .map(|n| facts::short_node(n))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }

    let count = |ph: &str| pods.iter().filter(|p| facts::phase(p) == ph).count();
    let pod_line = format!(
        "Running {} · Pending {} · Failed {} · Unknown {} · Succeeded {}",
        count("Running"),
        count("Pending"),
        count("Failed"),
        count("Unknown"),
        count("Succeeded")
    );
    let mut worst: Vec<&Pod> = pods.iter().filter(|p| rank(p) < 4).collect();
    worst.sort_by_key(|p| (rank(p), std::cmp::Reverse(facts::restarts(p))));
    let mut worst_lines: Vec<String> = worst
        .iter()
        .take(10)
        .map(|p| {
            let looping = if rank(p) == 1 {
                " (CrashLoopBackOff)"
            } else {
                ""
            };
            format!(
                "{} · phase={}{looping} · restarts={}",
                facts::pod_key(p),
                facts::phase(p),
                facts::restarts(p)
            )
        })
        .collect();
    if worst.len() > 10 {
        worst_lines.push(format!("… {} more not shown", worst.len() - 10));
    }
    let failed = worst.iter().filter(|p| rank(p) == 0).count();
    if failed > 0 {
        anomalies.push(format!("{failed} pod(s) Failed"));
    }
    let looping = worst
        .iter()
        .filter(|p| rank(p) < 4 && rank(p) != 0 && facts::restarts(p) >= 3)
        .count();
    if looping > 0 {
        anomalies.push(format!(
            "{looping} pod(s) restarting (≥3 restarts, not running)"
        ));
    }

    let since = now.saturating_sub(RECENT).unwrap_or(now);
    let mut ev_lines: Vec<String> = Vec::new();
    match &events {
        Ok(evs) => {
            let mut recent: Vec<&Event> = evs
                .iter()
                .filter(|e| {
                    facts::event_last(e).is_some_and(|t| {
                        t >= since && t <= now.saturating_add(RECENT).unwrap_or(now)
                    })
                })
                .collect();
            recent.sort_by_key(|e| std::cmp::Reverse(facts::event_last(e)));
            for e in recent.iter().take(5) {
                ev_lines.push(facts::line(format!(
                    "{}: {} ({}/{})",
                    facts::event_reason(e),
                    facts::event_message(e),
                    e.involved_object.kind.as_deref().unwrap_or("?"),
                    e.involved_object.name.as_deref().unwrap_or("?")
                )));
            }
            if !recent.is_empty() {
                anomalies.push(format!(
                    "{} kube-system warning event(s) in the last 5 min",
                    recent.len()
                ));
            }
        }
        Err(e) => ev_lines.push(format!("could not read kube-system events: {e}")),
    }
    if ev_lines.is_empty() {
        ev_lines.push("none".into());
    }
    if worst_lines.is_empty() {
        worst_lines.push("none".into());
    }
    SnapshotReport {
        agent: crate::investigate::AGENT.into(),
        captured_at: now,
        status: SnapshotStatus::Ok,
        header: format!("{} · {version}", kube.cluster),
        sections: vec![
            SnapshotSection::new(
                "Cluster",
                [
                    format!("name: {}", kube.cluster),
                    format!("server version: {version}"),
                ],
            ),
            SnapshotSection::new("Nodes", node_lines),
            SnapshotSection::new("Pods", [pod_line]),
            SnapshotSection::new("Non-Running pods (top 10)", worst_lines),
            SnapshotSection::new("kube-system warning events (last 5 min)", ev_lines),
        ],
        anomaly: !anomalies.is_empty(),
        anomaly_summary: (!anomalies.is_empty()).then(|| anomalies.join("; ")),
        error: None,
        telemetry: Telemetry::default(),
    }
}
