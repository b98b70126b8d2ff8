//! Small readers over Kubernetes objects shared by the analyzers: pod readiness, container
//! states, event times, owners, and the formatting of times and evidence lines.

use crate::target::{Kind, deployment_of_pod};
use jiff::Timestamp;
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::{
    ContainerStateTerminated, ContainerStatus, Event, Node, Pod, PodCondition,
};

/// At most this many characters per evidence line (docs/FINDINGS.md).
pub const LINE_MAX: usize = 300;
/// At most this many evidence lines per finding.
pub const EVIDENCE_MAX: usize = 8;

/// An evidence line, capped.
pub fn line(s: impl AsRef<str>) -> String {
    let one: String = s.as_ref().split_whitespace().collect::<Vec<_>>().join(" ");
    sremesh_core::text::truncate(&one, LINE_MAX)
}

/// `14:29:58` (UTC) for titles and evidence.
pub fn hms(t: Timestamp) -> String {
    t.strftime("%H:%M:%S").to_string()
}

/// `14:29:58` on the reference's day, `2026-05-10 14:29:58` on another (UTC).
pub fn when(t: Timestamp, reference: Timestamp) -> String {
    let day = |x: Timestamp| x.strftime("%Y-%m-%d").to_string();
    if day(t) == day(reference) {
        hms(t)
    } else {
        t.strftime("%Y-%m-%d %H:%M:%S").to_string()
    }
}

/// `14:29` (UTC).
pub fn hm(t: Timestamp) -> String {
    t.strftime("%H:%M").to_string()
}

/// Whole minutes from `a` to `b` (negative when `b` is earlier).
pub fn minutes(a: Timestamp, b: Timestamp) -> i64 {
    b.duration_since(a).as_secs() / 60
}

/// A pod's `ns/name`.
pub fn pod_key(p: &Pod) -> String {
    format!(
        "{}/{}",
        p.metadata.namespace.as_deref().unwrap_or(""),
        p.metadata.name.as_deref().unwrap_or("")
    )
}

pub fn pod_name(p: &Pod) -> &str {
    p.metadata.name.as_deref().unwrap_or("")
}

pub fn pod_ns(p: &Pod) -> &str {
    p.metadata.namespace.as_deref().unwrap_or("")
}

fn condition<'a>(p: &'a Pod, ty: &str) -> Option<&'a PodCondition> {
    p.status
        .as_ref()?
        .conditions
        .as_ref()?
        .iter()
        .find(|c| c.type_ == ty)
}

/// True when the pod's Ready condition is True.
pub fn pod_ready(p: &Pod) -> bool {
    condition(p, "Ready").is_some_and(|c| c.status == "True")
}

/// When the pod last became Ready (if it is Ready).
pub fn ready_since(p: &Pod) -> Option<Timestamp> {
    condition(p, "Ready")
        .filter(|c| c.status == "True")
        .and_then(|c| c.last_transition_time.as_ref())
        .map(|t| t.0)
}

/// The pod's phase (`Running`, `Pending` …).
pub fn phase(p: &Pod) -> &str {
    p.status
        .as_ref()
        .and_then(|s| s.phase.as_deref())
        .unwrap_or("Unknown")
}

/// The pod's status reason (`Evicted`, `NodeLost` …).
pub fn pod_reason(p: &Pod) -> Option<&str> {
    p.status.as_ref()?.reason.as_deref()
}

/// Every container status (init containers first).
pub fn statuses(p: &Pod) -> impl Iterator<Item = &ContainerStatus> {
    let s = p.status.as_ref();
    s.and_then(|s| s.init_container_statuses.as_ref())
        .into_iter()
        .flatten()
        .chain(
            s.and_then(|s| s.container_statuses.as_ref())
                .into_iter()
                .flatten(),
        )
}

/// A sum that cannot overflow (counts come from the API server, which we do not trust).
pub fn total(xs: impl IntoIterator<Item = i32>) -> i32 {
    xs.into_iter().fold(0i32, |a, b| a.saturating_add(b.max(0)))
}

/// Total restarts over the pod's containers.
pub fn restarts(p: &Pod) -> i32 {
    total(statuses(p).map(|c| c.restart_count))
}

/// The container's waiting reason and message.
pub fn waiting(c: &ContainerStatus) -> Option<(&str, &str)> {
    let w = c.state.as_ref()?.waiting.as_ref()?;
    Some((
        w.reason.as_deref().unwrap_or(""),
        w.message.as_deref().unwrap_or(""),
    ))
}

/// The container's last termination (its current state if terminated, else its last state).
pub fn last_termination(c: &ContainerStatus) -> Option<&ContainerStateTerminated> {
    c.state
        .as_ref()
        .and_then(|s| s.terminated.as_ref())
        .or_else(|| c.last_state.as_ref()?.terminated.as_ref())
}

/// When the container's current run started, if running.
pub fn running_since(c: &ContainerStatus) -> Option<Timestamp> {
    c.state
        .as_ref()?
        .running
        .as_ref()?
        .started_at
        .as_ref()
        .map(|t| t.0)
}

/// The unit (workload) a pod belongs to, from its controller owner reference.
pub fn owner_unit(p: &Pod) -> (Kind, String) {
    let own = p
        .metadata
        .owner_references
        .iter()
        .flatten()
        .find(|o| o.controller == Some(true))
        .or_else(|| p.metadata.owner_references.iter().flatten().next());
    match own {
        Some(o) if o.kind == "ReplicaSet" => {
            let hash = p
                .metadata
                .labels
                .as_ref()
                .and_then(|l| l.get("pod-template-hash"));
            let name = hash
                .and_then(|h| o.name.strip_suffix(&format!("-{h}")))
                .map(str::to_owned)
                .or_else(|| deployment_of_pod(pod_name(p)).map(str::to_owned))
                .unwrap_or_else(|| o.name.clone());
            (Kind::Deployment, name)
        }
        Some(o) if o.kind == "StatefulSet" => (Kind::StatefulSet, o.name.clone()),
        Some(o) if o.kind == "DaemonSet" => (Kind::DaemonSet, o.name.clone()),
        Some(o) if o.kind == "Job" => (Kind::Job, o.name.clone()),
        _ => (Kind::Pod, pod_name(p).to_owned()),
    }
}

/// The CronJob that owns a Job, if any.
pub fn cronjob_owner(j: &Job) -> Option<&str> {
    j.metadata
        .owner_references
        .iter()
        .flatten()
        .find(|o| o.kind == "CronJob")
        .map(|o| o.name.as_str())
}

/// When an event was last seen.
pub fn event_last(e: &Event) -> Option<Timestamp> {
    e.series
        .as_ref()
        .and_then(|s| s.last_observed_time.as_ref())
        .map(|t| t.0)
        .or_else(|| e.last_timestamp.as_ref().map(|t| t.0))
        .or_else(|| e.event_time.as_ref().map(|t| t.0))
        .or_else(|| e.first_timestamp.as_ref().map(|t| t.0))
        .or_else(|| e.metadata.creation_timestamp.as_ref().map(|t| t.0))
}

/// When an event was first seen.
pub fn event_first(e: &Event) -> Option<Timestamp> {
    e.first_timestamp
        .as_ref()
        .map(|t| t.0)
        .or_else(|| e.event_time.as_ref().map(|t| t.0))
        .or_else(|| event_last(e))
}

/// How many times an event happened.
pub fn event_count(e: &Event) -> i32 {
    e.series
        .as_ref()
        .and_then(|s| s.count)
        .or(e.count)
        .unwrap_or(1)
        .max(1)
}

pub fn event_reason(e: &Event) -> &str {
    e.reason.as_deref().unwrap_or("")
}

pub fn event_message(e: &Event) -> &str {
    e.message.as_deref().unwrap_or("")
}

pub fn is_warning(e: &Event) -> bool {
    e.type_.as_deref() == Some("Warning")
}

/// `×27 BackOff: Back-off restarting failed container … (last 14:31:41)`.
pub fn event_line(e: &Event) -> String {
    let n = event_count(e);
    let count = if n > 1 {
        format!("×{n} ")
    } else {
        String::new()
    };
    let at = event_last(e)
        .map(|t| format!(" (last {})", hms(t)))
        .unwrap_or_default();
    line(format!(
        "{count}{}: {}{at}",
        event_reason(e),
        event_message(e)
    ))
}

/// A node's condition status (`True`, `False`, `Unknown`) and message.
pub fn node_condition<'a>(n: &'a Node, ty: &str) -> Option<(&'a str, &'a str, Option<Timestamp>)> {
    let c = n
        .status
        .as_ref()?
        .conditions
        .as_ref()?
        .iter()
        .find(|c| c.type_ == ty)?;
    Some((
        c.status.as_str(),
        c.message.as_deref().unwrap_or(""),
        c.last_transition_time.as_ref().map(|t| t.0),
    ))
}

pub fn node_name(n: &Node) -> &str {
    n.metadata.name.as_deref().unwrap_or("")
}

/// `ip-10-0-1-23` from `ip-10-0-1-23.ec2.internal`.
pub fn short_node(name: &str) -> &str {
    name.split('.').next().unwrap_or(name)
}

/// Caps evidence at [`EVIDENCE_MAX`] lines, saying how many were left out.
pub fn cap_evidence(mut lines: Vec<String>) -> Vec<String> {
    lines.dedup();
    if lines.len() > EVIDENCE_MAX {
        let extra = lines.len() - (EVIDENCE_MAX - 1);
        lines.truncate(EVIDENCE_MAX - 1);
        lines.push(format!("… {extra} more not shown"));
    }
    lines
}

/// `6d 5h`, `3h 20m`, `12m`: how long before `to`.
pub fn age(from: Timestamp, to: Timestamp) -> String {
    let m = to.duration_since(from).as_secs().max(0) / 60;
    match (m / 1440, (m % 1440) / 60, m % 60) {
        (0, 0, m) => format!("{m}m"),
        (0, h, m) => format!("{h}h {m}m"),
        (d, h, _) => format!("{d}d {h}h"),
    }
}

/// When `failing` (pod names) are exactly the oldest of `pods` — every one created before every
/// pod that does not fail — a line saying so: what builds up with uptime (a leak of memory,
/// file descriptors, connections) fails the oldest replicas first.
pub fn oldest_only(pods: &[&Pod], failing: &[&str], now: Timestamp) -> Option<String> {
    let created = |p: &&Pod| p.metadata.creation_timestamp.as_ref().map(|t| t.0);
    let (bad, good): (Vec<&Pod>, Vec<&Pod>) = pods
        .iter()
        .copied()
        .filter(|p| !matches!(phase(p), "Succeeded" | "Failed"))
        .partition(|p| failing.contains(&pod_name(p)));
    if bad.is_empty() || good.is_empty() {
        return None;
    }
    let youngest_bad = bad
        .iter()
        .map(created)
        .collect::<Option<Vec<_>>>()?
        .into_iter()
        .max()?;
    let oldest_good = good
        .iter()
        .map(created)
        .collect::<Option<Vec<_>>>()?
        .into_iter()
        .min()?;
    // A meaningful gap: at least an hour between the two groups.
    if oldest_good.duration_since(youngest_bad).as_secs() < 3600 {
        return None;
    }
    Some(format!(
        "only the {} oldest of {} pods show it (up {}+); the {} younger (up {}) do not — it builds up with uptime",
        bad.len(),
        bad.len() + good.len(),
        age(youngest_bad, now),
        good.len(),
        age(oldest_good, now)
    ))
}
