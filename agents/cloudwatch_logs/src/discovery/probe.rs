//! Discovery inside shared groups: when no group is named after the alert's service (services
//! on EKS log into `/aws/containerinsights/<cluster>/application`, named after the cluster), one
//! Insights query looks for the service's lines by their Kubernetes fields (`kubernetes.pod_name`,
//! `kubernetes.container_name`, `kubernetes.labels.app`), a `service`/`app` field or a stream
//! named after it, in the Container Insights application groups and (capped) other app groups.

use super::{Candidate, GroupInfo, KeywordKind, Target, cluster_of, is_metrics_group};

/// Most Container Insights application groups probed.
pub const MAX_CI_GROUPS: usize = 10;
/// Most other groups probed.
pub const MAX_OTHER_GROUPS: usize = 10;
/// Most names looked for.
const MAX_NAMES: usize = 5;

/// The service names to look for: the alert's workload, pod and resource names.
pub fn names(target: &Target) -> Vec<String> {
    target
        .keywords
        .iter()
        .filter(|k| {
            matches!(
                k.kind,
                KeywordKind::Workload | KeywordKind::Pod | KeywordKind::Name
            )
        })
        .filter(|k| {
            k.text
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        })
        .map(|k| k.text.clone())
        .take(MAX_NAMES)
        .collect()
}

/// A Container Insights application group (one cluster's container logs).
pub fn is_ci_application(name: &str) -> bool {
    name.starts_with("/aws/containerinsights/") && name.ends_with("/application")
}

/// Groups that stand for one AWS resource or hold no application lines (a Lambda function,
/// a database, the EKS control plane, CloudTrail, flow logs, metrics): never another
/// service's logs.
fn is_resource_group(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    is_metrics_group(name)
        || (lower.starts_with("/aws/") && !lower.starts_with("/aws/ecs/"))
        || lower.contains("cloudtrail")
        || lower.contains("flow-log")
        || lower.contains("flowlog")
        || lower.contains("vpc-flow")
}

/// The groups to probe: Container Insights application groups first (those of a cluster the
/// alert names before the others), then other application groups; each list capped.
pub fn groups(target: &Target, listed: &[GroupInfo]) -> Vec<String> {
    let clusters: Vec<&str> = target.clusters().collect();
    let mut ci: Vec<&GroupInfo> = listed
        .iter()
        .filter(|g| is_ci_application(&g.name))
        .collect();
    ci.sort_by_key(|g| {
        let named =
            cluster_of(&g.name).is_some_and(|c| clusters.iter().any(|n| n.eq_ignore_ascii_case(c)));
        (!named, std::cmp::Reverse(g.stored_bytes.unwrap_or(0)))
    });
    let mut other: Vec<&GroupInfo> = listed
        .iter()
        .filter(|g| !is_ci_application(&g.name) && !is_resource_group(&g.name))
        .collect();
    other.sort_by_key(|g| std::cmp::Reverse(g.stored_bytes.unwrap_or(0)));
    ci.into_iter()
        .take(MAX_CI_GROUPS)
        .chain(other.into_iter().take(MAX_OTHER_GROUPS))
        .map(|g| g.name.clone())
        .collect()
}

fn alternation(names: &[String]) -> String {
    names
        .iter()
        .map(|n| regex::escape(n))
        .collect::<Vec<_>>()
        .join("|")
}

fn list(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("\"{n}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The probe: lines per group whose pod, container, `app` label, `service`/`app` field or
/// stream name is one of `names`.
pub fn query(names: &[String]) -> String {
    let alt = alternation(names);
    let l = list(names);
    format!(
        "fields @log\n\
         | filter kubernetes.pod_name like /^({alt})(-|$)/ or kubernetes.container_name in [{l}] \
         or kubernetes.labels.app in [{l}] or service in [{l}] or app in [{l}] \
         or @logStream like /(?i)(^|[^a-z0-9])({alt})([^a-z0-9]|$)/\n\
         | stats count(*) as lines by @log\n\
         | sort lines desc\n\
         | limit 50"
    )
}

/// The groups where the probe found lines, most lines first, at most `cap`, as candidates:
/// shared groups (`dedicated: false`), so only the service's own lines count as its.
pub fn candidates(
    rows: &[(String, f64)],
    names: &[String],
    listed: &[GroupInfo],
    cap: usize,
) -> Vec<Candidate> {
    let mut found: Vec<&(String, f64)> = rows.iter().filter(|(_, n)| *n > 0.0).collect();
    found.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    found
        .into_iter()
        .take(cap)
        .map(|(group, _)| Candidate {
            name: group.clone(),
            score: 1,
            matched: names.to_vec(),
            dedicated: false,
            stored_bytes: listed
                .iter()
                .find(|g| g.name == *group)
                .and_then(|g| g.stored_bytes),
        })
        .collect()
}

/// A cluster's node-level groups (Container Insights `host` and `dataplane`, the EKS
/// `dataplane`): chrony, the kernel, the kubelet — what a node says about itself.
pub fn is_node_group(name: &str) -> bool {
    cluster_of(name).is_some() && (name.ends_with("/host") || name.ends_with("/dataplane"))
}

/// The node-level groups of the clusters whose application groups the probe found (not yet
/// chosen), as shared candidates: a node's clock, disk or kernel can be why the service's
/// lines fail. At most `room`.
pub fn node_groups(chosen: &[Candidate], listed: &[GroupInfo], room: usize) -> Vec<Candidate> {
    let clusters: Vec<&str> = chosen
        .iter()
        .filter(|c| is_ci_application(&c.name))
        .filter_map(|c| cluster_of(&c.name))
        .collect();
    listed
        .iter()
        .filter(|g| is_node_group(&g.name))
        .filter(|g| cluster_of(&g.name).is_some_and(|c| clusters.contains(&c)))
        .filter(|g| !chosen.iter().any(|c| c.name == g.name))
        .take(room)
        .map(|g| Candidate {
            name: g.name.clone(),
            score: 1,
            matched: Vec::new(),
            dedicated: false,
            stored_bytes: g.stored_bytes,
        })
        .collect()
}

#[cfg(test)]
mod tests;
