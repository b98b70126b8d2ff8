//! Host faults: what the nodes' own logs (a cluster's `host` / `dataplane` groups: the kernel,
//! the disks, the clock) say is failing on the machines themselves — a soft lockup, hung
//! tasks, I/O errors — when it concerns the alert: the alert is about the cluster's nodes, the
//! fault is on several nodes at once, or on a node that runs the alert's workload. One
//! `log_pattern` finding per signature, with the node names (`node` / `nodes`) the master
//! joins with the EKS node findings.

use super::Input;
use super::patterns::Pattern;
use super::render::{EVIDENCE_MAX, count_line, decisive, evidence_line, trend_words};
use crate::discovery::cluster_of;
use crate::discovery::probe::is_node_group;
use crate::records::LogRecord;
use sremesh_core::signals::Signature;
use sremesh_core::text::truncate;
use sremesh_core::{Category, Finding};
use std::collections::{BTreeMap, BTreeSet};

/// The node a host record is from, as the cluster names it: the stream's full host name
/// (`ip-10-0-3-77.ec2.internal.host.messages` → `ip-10-0-3-77.ec2.internal`) when it extends
/// the short name the line carries, else that name.
pub fn node_name(r: &LogRecord) -> Option<String> {
    let short = r.node.as_deref()?;
    let full = [".host.", "-host.", ".dataplane.", "-dataplane."]
        .iter()
        .find_map(|sep| r.stream.split_once(sep).map(|(h, _)| h))
        .filter(|h| h.starts_with(short) && h.len() > short.len());
    Some(full.unwrap_or(short).to_owned())
}

/// Nodes the target's own lines came from (a Container Insights record names its host).
fn target_nodes(input: &Input) -> BTreeSet<String> {
    input
        .records
        .iter()
        .filter(|r| !is_node_group(&r.group) && r.pod.is_some())
        .filter(|r| super::patterns::on_target(r, &input.target, &input.groups))
        .filter_map(|r| r.node.clone())
        .collect()
}

/// Signatures of a node's own limit running out (not a process's): the kernel drops or refuses
/// work for every pod on that node, so they read like a host fault.
const NODE_LIMITS: &[&str] = &["conntrack_full"];

fn infrastructure(p: &Pattern) -> Option<&'static Signature> {
    p.signature
        .filter(|s| s.category == Category::Infrastructure || NODE_LIMITS.contains(&s.id))
}

/// The node-level patterns of one signature that concern the alert, with their nodes.
fn faults(input: &Input) -> BTreeMap<&'static str, (Vec<&Pattern>, BTreeSet<String>)> {
    let mut by_sig: BTreeMap<&'static str, (Vec<&Pattern>, BTreeSet<String>)> = BTreeMap::new();
    for p in input.patterns.iter().filter(|p| {
        is_node_group(&p.group)
            && !p.on_target
            && p.trend.is_active()
            && infrastructure(p).is_some()
    }) {
        let Some(sig) = p.signature else { continue };
        let entry = by_sig.entry(sig.id).or_default();
        entry.0.push(p);
        let key = &p.key;
        entry.1.extend(
            input
                .records
                .iter()
                .filter(|r| r.group == p.group && sremesh_core::signals::normalize(&r.line) == *key)
                .filter_map(node_name),
        );
    }
    let mine = target_nodes(input);
    by_sig.retain(|_, (ps, nodes)| {
        input.target.about_cluster
            || nodes.len() >= 2
            || nodes.iter().any(|n| {
                mine.iter()
                    .any(|m| m.starts_with(n.as_str()) || n.starts_with(m.as_str()))
            })
            // Where the target runs is unknown (none of its lines name a node), the alert
            // names this cluster and the fault is new: it may be the target's node.
            || (mine.is_empty()
                && ps.iter().any(|p| {
                    p.novelty == super::patterns::Trend::New
                        && cluster_of(&p.group)
                            .is_some_and(|c| input.target.clusters().any(|t| t == c))
                }))
    });
    by_sig
}

/// True when `p` is a host fault this analyzer reports (so others leave it alone).
pub fn host_fault(input: &Input, p: &Pattern) -> bool {
    p.signature.is_some_and(|s| {
        faults(input)
            .get(s.id)
            .is_some_and(|(ps, _)| ps.iter().any(|q| std::ptr::eq(*q, p)))
    })
}

pub fn analyze(input: &Input) -> Vec<Finding> {
    let mut out = Vec::new();
    for (sig_id, (mut ps, nodes)) in faults(input) {
        ps.sort_by_key(|p| std::cmp::Reverse(p.count));
        let lead = ps[0];
        let Some(sig) = lead.signature else { continue };
        let count: usize = ps.iter().map(|p| p.count).sum();
        let programs: BTreeSet<&str> = ps.iter().filter_map(|p| p.service.as_deref()).collect();
        let program = programs.iter().next().copied().unwrap_or("host");
        let names: Vec<&str> = nodes.iter().map(String::as_str).collect();
        let shown = if names.len() > 3 {
            format!("{} +{}", names[..3].join(", "), names.len() - 3)
        } else {
            names.join(", ")
        };
        let earliest = ps.iter().min_by_key(|p| p.onset).copied().unwrap_or(lead);
        let title = truncate(
            &format!(
                "{program} on {} node(s) ({shown}): {} — \"{}\" ×{count} ({})",
                names.len(),
                sig.label,
                decisive(&lead.example.line, Some(sig), 140),
                trend_words(earliest)
            ),
            300,
        );
        let mut evidence = vec![count_line(&ps)];
        // The change to those nodes that preceded the fault (a node group on a new image).
        if let Some(line) = cluster_of(&lead.group)
            .and_then(|c| super::cloudtrail::node_change(input, c, earliest.onset))
        {
            evidence.push(line);
        }
        evidence.extend(ps.iter().take(4).map(|p| evidence_line(p.count, p)));
        // What else those nodes said meanwhile (the kubelet losing its PLEG, …).
        for p in input
            .patterns
            .iter()
            .filter(|p| {
                is_node_group(&p.group)
                    && p.trend.is_active()
                    && p.signature.map(|s| s.id) != Some(sig_id)
            })
            .filter(|p| {
                p.example
                    .node
                    .as_deref()
                    .is_some_and(|n| names.iter().any(|m| m.starts_with(n)))
            })
            .take(2)
        {
            if evidence.len() < 8 {
                evidence.push(truncate(
                    &format!(
                        "with {}: {}",
                        p.service.as_deref().unwrap_or("host"),
                        evidence_line(p.count, p)
                    ),
                    EVIDENCE_MAX,
                ));
            }
        }
        let mut f = Finding::new(
            format!("log_pattern:{}:{program}:{sig_id}", lead.group),
            "log_pattern",
            sig.severity,
            title,
        )
        .with_category(sig.category)
        .with_service(program)
        .with_evidence(evidence)
        .with_resource(format!("log-group:{}", lead.group))
        .at(ps.iter().map(|p| p.first).min().unwrap_or(lead.first))
        .with_link(input.link(
            &[&lead.group],
            &super::render::reproduce_query(
                super::render::literal(&lead.example.line, Some(sig)).as_deref(),
                None,
            ),
        ))
        .with_attr("signature", sig.id)
        .with_attr("log_group", lead.group.clone())
        .with_attr("count", count)
        .with_attr("nodes", names.clone())
        .with_attr(
            "trend",
            serde_json::to_value(earliest.trend).unwrap_or_default(),
        )
        .with_attr("new", earliest.novelty == super::patterns::Trend::New)
        .with_attr(
            "surging",
            earliest.novelty == super::patterns::Trend::Surging,
        )
        .with_attr("onset", earliest.onset.to_string())
        .with_attr(
            "first_seen",
            ps.iter()
                .map(|p| p.first)
                .min()
                .unwrap_or(lead.first)
                .to_string(),
        )
        .with_attr(
            "last_seen",
            ps.iter()
                .map(|p| p.last)
                .max()
                .unwrap_or(lead.last)
                .to_string(),
        )
        .with_attr(
            "baseline_count",
            ps.iter()
                .map(|p| p.baseline)
                .sum::<Option<usize>>()
                .map_or(serde_json::Value::Null, Into::into),
        )
        .with_attr("on_target", input.target.about_cluster);
        if let [one] = names.as_slice() {
            f = f.with_attr("node", *one);
        }
        out.push(f);
    }
    out
}

#[cfg(test)]
mod tests;
