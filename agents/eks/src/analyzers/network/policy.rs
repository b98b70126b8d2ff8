//! NetworkPolicy semantics for one egress destination: which policies select a pod for egress,
//! whether any of their rules lets a connection to an address and port through, and a short
//! human rendering of what they do allow.

use ipnet::IpNet;
use k8s_openapi::api::networking::v1::{NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use std::collections::BTreeMap;
use std::net::IpAddr;

/// Where a destination is, as far as the logs and the cluster tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// Outside the cluster (a managed database, an external API): pod and namespace selectors
    /// never match it.
    External,
    /// A pod or Service of the cluster.
    InCluster,
    /// Cannot tell (an IP only: on EKS pods and VPC hosts share the address space).
    Unknown,
}

/// One egress destination.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dest {
    pub ip: Option<IpAddr>,
    pub port: u16,
    pub place: Place,
}

/// Whether a rule (or a peer) lets the destination through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verdict {
    Denies,
    /// Depends on what we cannot see (which pod owns an IP, a named port).
    Maybe,
    Allows,
}

/// True when `sel` matches `labels` (matchLabels and matchExpressions; empty matches all).
pub fn selector_matches(sel: &LabelSelector, labels: Option<&BTreeMap<String, String>>) -> bool {
    let get = |k: &str| labels.and_then(|l| l.get(k));
    sel.match_labels
        .iter()
        .flatten()
        .all(|(k, v)| get(k) == Some(v))
        && sel.match_expressions.iter().flatten().all(|e| {
            let vals = e.values.as_deref().unwrap_or_default();
            match e.operator.as_str() {
                "In" => get(&e.key).is_some_and(|v| vals.contains(v)),
                "NotIn" => get(&e.key).is_none_or(|v| !vals.contains(v)),
                "Exists" => get(&e.key).is_some(),
                "DoesNotExist" => get(&e.key).is_none(),
                _ => false,
            }
        })
}

/// True when the policy restricts egress (policyTypes has Egress, or — unset — it has egress
/// rules) of pods with these labels.
pub fn restricts_egress(p: &NetworkPolicy, labels: Option<&BTreeMap<String, String>>) -> bool {
    let Some(spec) = p.spec.as_ref() else {
        return false;
    };
    let egress = match &spec.policy_types {
        Some(t) => t.iter().any(|t| t == "Egress"),
        None => spec.egress.is_some(),
    };
    egress
        && spec
            .pod_selector
            .as_ref()
            .is_none_or(|s| selector_matches(s, labels))
}

fn port_verdict(ports: Option<&Vec<NetworkPolicyPort>>, port: u16) -> Verdict {
    let Some(ports) = ports.filter(|p| !p.is_empty()) else {
        return Verdict::Allows;
    };
    ports
        .iter()
        .map(|p| {
            if p.protocol.as_deref().is_some_and(|x| x != "TCP") {
                return Verdict::Denies;
            }
            match &p.port {
                None => Verdict::Allows,
                Some(IntOrString::Int(n)) => {
                    let end = p.end_port.unwrap_or(*n);
                    if (*n..=end).contains(&i32::from(port)) {
                        Verdict::Allows
                    } else {
                        Verdict::Denies
                    }
                }
                // A named port is the destination pod's; we cannot see it.
                Some(IntOrString::String(_)) => Verdict::Maybe,
            }
        })
        .max()
        .unwrap_or(Verdict::Denies)
}

fn peer_verdict(peer: &NetworkPolicyPeer, d: &Dest) -> Verdict {
    if let Some(b) = &peer.ip_block {
        let Some(ip) = d.ip else {
            return Verdict::Maybe;
        };
        let inside = |cidr: &str| cidr.parse::<IpNet>().is_ok_and(|n| n.contains(&ip));
        return if inside(&b.cidr) && !b.except.iter().flatten().any(|x| inside(x)) {
            Verdict::Allows
        } else {
            Verdict::Denies
        };
    }
    // Pod and namespace selectors match pods only.
    match d.place {
        Place::External => Verdict::Denies,
        Place::InCluster | Place::Unknown => Verdict::Maybe,
    }
}

/// What the policies' egress rules say about the destination (the most permissive rule wins:
/// policies are additive).
pub fn verdict(policies: &[&NetworkPolicy], d: &Dest) -> Verdict {
    policies
        .iter()
        .flat_map(|p| p.spec.iter().flat_map(|s| s.egress.iter().flatten()))
        .map(|r| {
            let peers = match r.to.as_ref().filter(|t| !t.is_empty()) {
                None => Verdict::Allows,
                Some(to) => to
                    .iter()
                    .map(|p| peer_verdict(p, d))
                    .max()
                    .unwrap_or(Verdict::Denies),
            };
            peers.min(port_verdict(r.ports.as_ref(), d.port))
        })
        .max()
        .unwrap_or(Verdict::Denies)
}

fn selector_text(s: &LabelSelector) -> String {
    let t = crate::gather::selector_string(s);
    if t.is_empty() { "all".into() } else { t }
}

/// `namespace payouts (any port); 10.4.60.0/24 TCP/443` — what the policy's egress allows.
pub fn allows_text(p: &NetworkPolicy) -> String {
    let rules: Vec<String> = p
        .spec
        .iter()
        .flat_map(|s| s.egress.iter().flatten())
        .map(|r| {
            let to: Vec<String> = match r.to.as_ref().filter(|t| !t.is_empty()) {
                None => vec!["anywhere".into()],
                Some(to) => to
                    .iter()
                    .map(|peer| {
                        if let Some(b) = &peer.ip_block {
                            return b.cidr.clone();
                        }
                        let ns = peer.namespace_selector.as_ref().map(|s| {
                            s.match_labels
                                .as_ref()
                                .and_then(|l| l.get("kubernetes.io/metadata.name"))
                                .map_or_else(
                                    || format!("namespaces {}", selector_text(s)),
                                    |n| format!("namespace {n}"),
                                )
                        });
                        let pods = peer
                            .pod_selector
                            .as_ref()
                            .map(|s| format!("pods {}", selector_text(s)));
                        match (ns, pods) {
                            (Some(n), Some(p)) => format!("{p} in {n}"),
                            (Some(n), None) => n,
                            (None, Some(p)) => p,
                            (None, None) => "?".into(),
                        }
                    })
                    .collect(),
            };
            let ports: Vec<String> = r
                .ports
                .iter()
                .flatten()
                .map(|pt| {
                    let port = match &pt.port {
                        Some(IntOrString::Int(n)) => match pt.end_port {
                            Some(e) => format!("{n}-{e}"),
                            None => n.to_string(),
                        },
                        Some(IntOrString::String(s)) => s.clone(),
                        None => "*".into(),
                    };
                    format!("{}/{port}", pt.protocol.as_deref().unwrap_or("TCP"))
                })
                .collect();
            format!(
                "{} {}",
                to.join(", "),
                if ports.is_empty() {
                    "(any port)".to_owned()
                } else {
                    ports.join(", ")
                }
            )
        })
        .collect();
    if rules.is_empty() {
        "nothing (deny all egress)".into()
    } else {
        rules.join("; ")
    }
}
