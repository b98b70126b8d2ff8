//! The cluster's API failing its clients: `control_plane_degraded` — two or more workloads
//! whose logs show requests to the Kubernetes API going unanswered, leader-election leases lost
//! or etcd errors in the window (or one workload quoting the API server's own etcd errors).
//! Independent controllers failing against the same API at once point at kube-apiserver / etcd,
//! not at each of them (nor at a release of one of them).

use super::facts::{self, line};
use super::logs::{self, render};
use super::{Scene, Unit};
use jiff::Timestamp;
use sremesh_core::{Category, Finding, Severity};

/// The signature `logs::classify` gives the control plane failing.
const SIG: &str = "control_plane";

struct Seen<'a> {
    unit: &'a Unit,
    count: usize,
    first: Option<Timestamp>,
    last: Option<Timestamp>,
    /// The most telling line: an etcd error, else a lost lease, else the first.
    sample: String,
    etcd: bool,
}

fn rank(text: &str) -> u8 {
    let t = text.to_ascii_lowercase();
    if t.contains("etcdserver") || t.contains("etcd ") {
        2
    } else if t.contains("leader") || t.contains("lease") {
        1
    } else {
        0
    }
}

fn seen<'a>(s: &'a Scene, u: &'a Unit) -> Option<Seen<'a>> {
    let mut out: Option<Seen> = None;
    let mut lines: Vec<(String, Option<Timestamp>, String)> = Vec::new();
    for p in s.pods_of(u) {
        for l in s
            .logs
            .iter()
            .filter(|l| l.namespace == facts::pod_ns(p) && l.pod == facts::pod_name(p))
        {
            for h in logs::hits(&l.lines) {
                if h.sig.id != SIG || h.at.is_some_and(|t| !s.in_window(t)) {
                    continue;
                }
                let key = (l.pod.clone(), h.at, h.raw.clone());
                if lines.contains(&key) {
                    continue;
                }
                lines.push(key);
                let e = out.get_or_insert_with(|| Seen {
                    unit: u,
                    count: 0,
                    first: None,
                    last: None,
                    sample: h.raw.clone(),
                    etcd: false,
                });
                e.count += 1;
                if let Some(t) = h.at {
                    e.first = Some(e.first.map_or(t, |f| f.min(t)));
                    e.last = Some(e.last.map_or(t, |f| f.max(t)));
                }
                if rank(&h.raw) > rank(&e.sample) {
                    e.sample = h.raw.clone();
                }
                e.etcd |= h.raw.to_ascii_lowercase().contains("etcdserver");
            }
        }
    }
    out
}

pub fn analyze(s: &Scene) -> Vec<Finding> {
    let mut all: Vec<Seen> = s.units.iter().filter_map(|u| seen(s, u)).collect();
    if all.len() < 2 && !all.iter().any(|x| x.etcd) {
        return Vec::new();
    }
    all.sort_by_key(|x| std::cmp::Reverse((rank(&x.sample), x.count)));
    let mut namespaces: Vec<&str> = all.iter().map(|x| x.unit.namespace.as_str()).collect();
    namespaces.sort_unstable();
    namespaces.dedup();
    let names: Vec<&str> = all.iter().map(|x| x.unit.name.as_str()).collect();
    let total: usize = all.iter().map(|x| x.count).sum();
    let top = sremesh_core::signals::signature(SIG).map_or_else(
        || render(&all[0].sample),
        |sig| logs::excerpt(&all[0].sample, sig),
    );
    let title = format!(
        "Kubernetes API server (kube-apiserver / etcd) failing its clients: {} workload{} in {} namespace{} ({}) see requests time out or lose their leader lease ×{total} — {}",
        all.len(),
        if all.len() > 1 { "s" } else { "" },
        namespaces.len(),
        if namespaces.len() > 1 { "s" } else { "" },
        names.join(", "),
        sremesh_core::text::truncate(&top, 140)
    );
    let mut ev: Vec<String> = all
        .iter()
        .take(4)
        .map(|x| {
            line(format!(
                "{}: ×{} {}",
                x.unit.name,
                x.count,
                render(&x.sample)
            ))
        })
        .collect();
    // Restarts those failures caused (a controller exits when it loses its lease).
    for x in all.iter().take(3) {
        for p in s.pods_of(x.unit) {
            for c in facts::statuses(p) {
                if let Some(t) = facts::last_termination(c)
                    && let Some(at) = t.finished_at.as_ref().map(|f| f.0)
                    && s.in_window(at)
                {
                    ev.push(line(format!(
                        "{} restarted at {} (exit {}, {})",
                        facts::pod_name(p),
                        facts::hms(at),
                        t.exit_code,
                        t.reason.as_deref().unwrap_or("Error")
                    )));
                }
            }
        }
    }
    if !s.nodes.is_empty() {
        let ready = s
            .nodes
            .iter()
            .filter(|n| facts::node_condition(n, "Ready").is_some_and(|(st, _, _)| st == "True"))
            .count();
        ev.push(format!("nodes: {ready}/{} Ready", s.nodes.len()));
    }
    let first = all.iter().filter_map(|x| x.first).min();
    let last = all.iter().filter_map(|x| x.last).max();
    let mut f = Finding::new(
        "control_plane_degraded:kube-apiserver",
        "control_plane_degraded",
        Severity::High,
        line(title),
    )
    .with_category(Category::Infrastructure)
    .with_service("kube-apiserver")
    .with_resource("apiserver")
    .with_evidence(ev)
    .with_attr("signature", SIG)
    .with_attr("workloads", names.join(", "))
    .with_attr("namespaces", namespaces.join(", "))
    .with_attr("count", total as u64);
    if let Some(t) = first {
        f = f.at(t);
    }
    if let Some(t) = last {
        f = f.with_attr("last_seen", t.to_string());
    }
    vec![f.with_attr("etcd", all.iter().any(|x| x.etcd))]
}
