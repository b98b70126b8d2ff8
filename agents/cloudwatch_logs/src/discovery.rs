//! Which log groups an alert is about: keywords taken from the alert's own words
//! ([`target`]), and the ranking of real log group names against them.
//!
//! Matching is token-aware (a keyword must sit between separators in the group name, so `orders`
//! matches `/aws/rds/instance/orders-db/postgresql` but not `/app/reorders`) and weighted (a
//! workload or function name counts more than a namespace; `api`, `prod`, `aws` … count nothing).
//! When nothing matches whole, [`probe`] looks inside shared groups and then [`stems`] matches
//! meaningful name tokens (an alarm's `refund-requests-dlq-depth` → `refund`).

pub mod callers;
pub mod probe;
pub mod stems;
mod target;

pub use target::{Keyword, KeywordKind, Target, workload_of};

/// `needle` occurs in `hay` (both lowercase) with no letter or digit right before or after it.
pub fn contains_token(hay: &str, needle: &str) -> bool {
    if needle.is_empty() {
        return false;
    }
    let mut from = 0;
    while let Some(pos) = hay[from..].find(needle) {
        let start = from + pos;
        let end = start + needle.len();
        let before = hay[..start].chars().next_back();
        let after = hay[end..].chars().next();
        if before.is_none_or(|c| !c.is_ascii_alphanumeric())
            && after.is_none_or(|c| !c.is_ascii_alphanumeric())
        {
            return true;
        }
        from = start + hay[start..].chars().next().map_or(1, char::len_utf8);
    }
    false
}

/// One log group chosen for the investigation, and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Candidate {
    pub name: String,
    pub score: u32,
    /// The keywords it matched.
    pub matched: Vec<String>,
    /// True when it matched a workload-level keyword (every line in it is about the target);
    /// false for a shared group matched only by cluster or namespace.
    pub dedicated: bool,
    /// Stored bytes as DescribeLogGroups reported them.
    pub stored_bytes: Option<i64>,
}

/// A group as DescribeLogGroups lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupInfo {
    pub name: String,
    pub stored_bytes: Option<i64>,
}

/// The cluster a Container Insights or EKS group belongs to.
pub fn cluster_of(group: &str) -> Option<&str> {
    group
        .strip_prefix("/aws/containerinsights/")
        .or_else(|| group.strip_prefix("/aws/eks/"))
        .and_then(|rest| rest.split('/').next())
        .filter(|c| !c.is_empty())
}

/// Container Insights groups that hold metrics, not log lines.
fn is_metrics_group(name: &str) -> bool {
    name.ends_with("/performance") || name.contains("/aws/containerinsights/prometheus")
}

/// Ranks `groups` against the target and keeps at most `cap`: the best keyword matches first,
/// then (when the alert names a cluster) its Container Insights application group and its EKS
/// control-plane group even if many service groups matched.
pub fn select(target: &Target, groups: &[GroupInfo], cap: usize) -> Vec<Candidate> {
    let mut ranked: Vec<Candidate> = groups
        .iter()
        .filter(|g| !is_metrics_group(&g.name))
        .filter_map(|g| {
            let (score, hits) = target.score(&g.name);
            // A group is the target's own when it matched a workload-level name, or when it
            // stands for one service (a function, a database) and matched anything but a
            // cluster; a cluster's shared groups are read line by line.
            // A name that sits where a cluster goes (`/aws/eks/<c>/…`) is a cluster, whatever
            // kind the caller gave it.
            let own_service = crate::records::group_service(&g.name).is_some();
            let cluster = cluster_of(&g.name);
            let dedicated = hits.iter().any(|k| {
                let named = matches!(
                    k.kind,
                    KeywordKind::Workload | KeywordKind::Pod | KeywordKind::Name
                ) || (own_service && k.kind != KeywordKind::Cluster);
                named && cluster.is_none_or(|c| !c.eq_ignore_ascii_case(&k.text))
            });
            (score > 0).then(|| Candidate {
                name: g.name.clone(),
                score,
                dedicated,
                matched: hits.iter().map(|k| k.text.clone()).collect(),
                stored_bytes: g.stored_bytes,
            })
        })
        .collect();
    ranked.sort_by(|a, b| b.score.cmp(&a.score).then_with(|| a.name.cmp(&b.name)));
    let infra: Vec<String> = target
        .clusters()
        .flat_map(|c| {
            [
                format!("/aws/containerinsights/{c}/application"),
                format!("/aws/eks/{c}/cluster"),
            ]
        })
        .collect();
    let mut chosen: Vec<Candidate> = Vec::new();
    let reserved: Vec<&Candidate> = ranked
        .iter()
        .filter(|c| infra.iter().any(|i| i.eq_ignore_ascii_case(&c.name)))
        .take((cap / 2).max(1))
        .collect();
    let room = cap.saturating_sub(reserved.len());
    for c in ranked.iter().filter(|c| !reserved.contains(c)).take(room) {
        chosen.push(c.clone());
    }
    chosen.extend(reserved.into_iter().take(cap).cloned());
    chosen.sort_by(|a, b| b.score.cmp(&a.score).then_with(|| a.name.cmp(&b.name)));
    chosen
}

/// The control-plane group of a cluster (`/aws/eks/<cluster>/cluster`: API server, audit,
/// scheduler, controller manager).
pub fn is_control_plane_group(name: &str) -> bool {
    name.starts_with("/aws/eks/") && name.ends_with("/cluster")
}

/// What discovery adds once the named groups are known:
///
/// - an alert about the cluster's own machinery (nodes not ready, a node group upgrade, a
///   drain) that names no cluster, in an account whose groups belong to one cluster only: that
///   cluster's control-plane and node groups — the cluster it can only mean;
/// - for such an alert, the control-plane groups chosen are its own (every line in them is
///   about the cluster's machinery);
/// - when no group chosen stands for one service (none, or only a cluster's shared groups),
///   the groups sharing a meaningful name stem with the alert (see [`stems`]): a function or
///   job outside the cluster does the work the alert measures.
pub fn widen(
    target: &Target,
    listed: &[GroupInfo],
    mut chosen: Vec<Candidate>,
    cap: usize,
) -> Vec<Candidate> {
    if target.about_cluster && target.clusters().next().is_none() {
        let clusters: std::collections::BTreeSet<&str> =
            listed.iter().filter_map(|g| cluster_of(&g.name)).collect();
        if let [only] = clusters.into_iter().collect::<Vec<_>>().as_slice() {
            let own: Vec<Candidate> = listed
                .iter()
                .filter(|g| cluster_of(&g.name) == Some(*only))
                .filter(|g| is_control_plane_group(&g.name) || probe::is_node_group(&g.name))
                .filter(|g| !chosen.iter().any(|c| c.name == g.name))
                .map(|g| Candidate {
                    name: g.name.clone(),
                    score: 1,
                    matched: vec![(*only).to_owned()],
                    dedicated: false,
                    stored_bytes: g.stored_bytes,
                })
                .collect();
            let room = cap.saturating_sub(chosen.len());
            chosen.extend(own.into_iter().take(room));
        }
    }
    if target.about_cluster {
        for c in chosen
            .iter_mut()
            .filter(|c| is_control_plane_group(&c.name))
        {
            c.dedicated = true;
        }
    }
    let serves_one = chosen.iter().any(|c| cluster_of(&c.name).is_none());
    if !serves_one {
        let room = cap.saturating_sub(chosen.len());
        let by_stem: Vec<Candidate> = stems::candidates(target, listed, cap)
            .into_iter()
            .filter(|s| !chosen.iter().any(|c| c.name == s.name))
            .take(room)
            .collect();
        if !by_stem.is_empty() {
            tracing::info!(groups = by_stem.len(), "log_groups_by_stem");
        }
        chosen.extend(by_stem);
    }
    chosen
}

/// CloudTrail trails delivered to CloudWatch Logs (a group named after `cloudtrail`): read for
/// the AWS API calls that changed what the alert's failures name. At most two.
pub fn trail_groups(listed: &[GroupInfo]) -> Vec<String> {
    listed
        .iter()
        .filter(|g| g.name.to_ascii_lowercase().contains("cloudtrail"))
        .map(|g| g.name.clone())
        .take(2)
        .collect()
}

/// The keywords, comma-separated, for messages.
pub fn describe(target: &Target) -> String {
    let parts: Vec<&str> = target.keywords.iter().map(|k| k.text.as_str()).collect();
    parts.join(", ")
}

#[cfg(test)]
mod callers_tests;
#[cfg(test)]
mod tests;
