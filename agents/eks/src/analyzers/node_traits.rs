//! What failing nodes have in common: when two or more nodes are failing (NotReady now, or
//! reported `NodeNotReady` in the window) and they all share a machine image, kernel or OS image
//! that none of the healthy nodes has, that trait is the suspect — a bad AMI rollout fails only
//! the nodes that booted it.

use super::Scene;
use super::facts;
use jiff::SignedDuration;
use k8s_openapi::api::core::v1::Node;

/// Node labels that name the machine image (EKS managed node groups, Karpenter).
const IMAGE_LABELS: &[&str] = &[
    "eks.amazonaws.com/nodegroup-image",
    "karpenter.k8s.aws/ami-id",
    "node.kubernetes.io/ami-id",
];

/// The traits compared, in the order they are named: (what, value).
fn traits(n: &Node) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    let labels = n.metadata.labels.as_ref();
    if let Some(ami) = IMAGE_LABELS
        .iter()
        .find_map(|k| labels.and_then(|l| l.get(*k)))
    {
        out.push(("AMI", ami.clone()));
    }
    if let Some(info) = n.status.as_ref().and_then(|st| st.node_info.as_ref()) {
        if !info.kernel_version.is_empty() {
            out.push(("kernel", info.kernel_version.clone()));
        }
        if !info.os_image.is_empty() {
            out.push(("OS image", info.os_image.clone()));
        }
    }
    out
}

/// A node Ready this long after it was created had gone NotReady in between.
const FIRST_READY: SignedDuration = SignedDuration::from_mins(5);

/// True when the node is failing: Ready not True now, NodeNotReady reported in the window, or
/// Ready again only since a moment in the window well after it first joined (it flapped).
pub fn failing(s: &Scene, n: &Node) -> bool {
    let created = n.metadata.creation_timestamp.as_ref().map(|t| t.0);
    facts::node_condition(n, "Ready").is_some_and(|(st, _, since)| {
        st != "True"
            || since.is_some_and(|t| {
                s.in_window(t)
                    && created
                        .and_then(|c| c.checked_add(FIRST_READY).ok())
                        .is_some_and(|c| t > c)
            })
    }) || s
        .recent_events_for("Node", "", facts::node_name(n))
        .any(|e| facts::event_reason(e) == "NodeNotReady")
}

/// `AMI ami-0f3c… (kernel 6.12.11) on all 3 failing nodes, none of the 2 healthy ones
/// (AMI ami-0a7d…)` — when the failing nodes share traits the healthy ones lack.
pub fn shared(s: &Scene) -> Option<String> {
    let (bad, good): (Vec<&Node>, Vec<&Node>) = s.nodes.iter().partition(|n| failing(s, n));
    if bad.len() < 2 || good.is_empty() {
        return None;
    }
    let first = traits(bad[0]);
    let common: Vec<(&str, String)> = first
        .into_iter()
        .filter(|(k, v)| {
            bad.iter()
                .all(|n| traits(n).iter().any(|(k2, v2)| k2 == k && v2 == v))
                && good
                    .iter()
                    .all(|n| !traits(n).iter().any(|(k2, v2)| k2 == k && v2 == v))
        })
        .collect();
    let (k, v) = common.first()?;
    let also: Vec<String> = common
        .iter()
        .skip(1)
        .take(1)
        .map(|(k, v)| format!("{k} {v}"))
        .collect();
    let healthy_has: Vec<String> = {
        let mut xs: Vec<String> = good
            .iter()
            .filter_map(|n| traits(n).into_iter().find(|(k2, _)| k2 == k).map(|x| x.1))
            .collect();
        xs.sort();
        xs.dedup();
        xs
    };
    Some(format!(
        "{k} {v}{} on all {} failing nodes, none of the {} healthy ones{}",
        if also.is_empty() {
            String::new()
        } else {
            format!(" ({})", also.join(", "))
        },
        bad.len(),
        good.len(),
        if healthy_has.is_empty() {
            String::new()
        } else {
            format!(" ({k} {})", healthy_has.join(", "))
        }
    ))
}
