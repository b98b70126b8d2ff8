//! Egress blocked by a NetworkPolicy: `network_policy_blocks` — the target's pods log
//! connection timeouts or "no route to host" to an address, NetworkPolicies with Egress select
//! those pods, and none of their egress rules lets that address and port through. A policy
//! created or changed shortly before the first failure is the cause (high); an older one that
//! never allowed the destination is worth knowing (medium). Policy semantics are in [`policy`].

pub mod policy;

use super::facts::{self, hms, line, minutes};
use super::logs::render;
use super::{Scene, Unit, unit_finding};
use jiff::{SignedDuration, Timestamp};
use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::api::networking::v1::NetworkPolicy;
use policy::{Dest, Place, Verdict};
use regex::Regex;
use sremesh_core::{Category, Finding, Severity};
use std::net::IpAddr;
use std::sync::LazyLock;

/// A policy changed at most this long before the first failure is "shortly before".
const SHORTLY_BEFORE: SignedDuration = SignedDuration::from_hours(3);

/// A connection that never got an answer: what a dropped SYN looks like to the client.
static FAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)connection timed out|connect(?:ion)? timed? ?out|timed out connecting|i/o timeout|\betimedout\b|no route to host|\behostunreach\b|network is unreachable",
    )
    .expect("static regex")
});
static ADDR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b((?:\d{1,3}\.){3}\d{1,3}):(\d{1,5})\b|\[([0-9A-Fa-f:]+)\]:(\d{1,5})\b")
        .expect("static regex")
});
/// A fully qualified host name (three labels or more, alphabetic top label).
static FQDN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b((?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.){2,}[A-Za-z]{2,24})\b")
        .expect("static regex")
});
/// Host-like tokens that are file names, not hosts.
const NOT_HOSTS: &[&str] = &[
    ".js", ".ts", ".py", ".go", ".rs", ".rb", ".java", ".kt", ".php", ".json", ".yaml", ".yml",
    ".log", ".html", ".class", ".jar",
];

/// One failing connection read from a log line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub ip: IpAddr,
    pub port: u16,
    /// A host name next to the address (`10.4.52.17:5432 (db.example.com)`).
    pub host: Option<String>,
    /// The literal failure (`dial tcp 10.4.52.17:5432: connect: connection timed out`).
    pub excerpt: String,
}

fn cluster_local(host: &str) -> bool {
    let h = host.to_ascii_lowercase();
    h.ends_with(".svc") || h.contains(".svc.") || h.ends_with(".cluster.local")
}

/// The destination a connection-failure line is about: the address just before the failure
/// phrase (or the first one after it), a host name printed beside it, and the literal text.
pub fn failure(text: &str) -> Option<Failure> {
    let fail = FAIL.find(text)?;
    // Every well-formed address:port with where it is.
    let addrs: Vec<(regex::Match, IpAddr, u16)> = ADDR
        .captures_iter(text)
        .filter_map(|c| {
            let (ip, port) = match (c.get(1), c.get(2), c.get(3), c.get(4)) {
                (Some(ip), Some(port), _, _) | (_, _, Some(ip), Some(port)) => (ip, port),
                _ => return None,
            };
            Some((
                c.get(0)?,
                ip.as_str().parse().ok()?,
                port.as_str().parse().ok()?,
            ))
        })
        .collect();
    let (whole, ip, port) = addrs
        .iter()
        .rfind(|(m, _, _)| m.start() < fail.start())
        .or_else(|| addrs.first())
        .copied()?;
    // A host name within a short reach of the address.
    let lo = text[..whole.start()]
        .char_indices()
        .rev()
        .nth(100)
        .map_or(0, |(i, _)| i);
    let hi = text[whole.end()..]
        .char_indices()
        .nth(100)
        .map_or(text.len(), |(i, _)| whole.end() + i);
    let host = FQDN
        .find_iter(&text[lo..hi])
        .map(|m| m.as_str())
        .find(|h| {
            let l = h.to_ascii_lowercase();
            h.parse::<IpAddr>().is_err() && !NOT_HOSTS.iter().any(|x| l.ends_with(x))
        })
        .map(str::to_owned);
    let mut from = whole.start();
    for lead in [
        "dial tcp ",
        "dial udp ",
        "connect ETIMEDOUT ",
        "connect to ",
        "Connect to ",
    ] {
        if text[..from].ends_with(lead) {
            from -= lead.len();
            break;
        }
    }
    let to = if fail.end() > whole.end() {
        fail.end()
    } else {
        whole.end()
    };
    let excerpt = if to - from <= 160 {
        text[from..to].to_owned()
    } else {
        format!("{}: {}", whole.as_str(), fail.as_str())
    };
    Some(Failure {
        ip,
        port,
        host,
        excerpt,
    })
}

/// Where a destination is: in the cluster when it is a known pod or Service address or its
/// host name is cluster-local; outside when a host name outside the cluster names it.
fn place(s: &Scene, f: &Failure) -> Place {
    let ip = f.ip.to_string();
    let known_pod = s
        .pods
        .iter()
        .chain(s.addon_pods.iter())
        .any(|p| p.status.as_ref().and_then(|st| st.pod_ip.as_deref()) == Some(ip.as_str()));
    let known_svc = s.services.iter().any(|svc| {
        svc.spec
            .as_ref()
            .and_then(|sp| sp.cluster_ip.as_deref())
            .is_some_and(|c| c == ip)
    });
    match &f.host {
        _ if known_pod || known_svc => Place::InCluster,
        Some(h) if cluster_local(h) => Place::InCluster,
        Some(_) => Place::External,
        None => Place::Unknown,
    }
}

/// When a policy last changed: its creation or its latest managed-fields write.
pub fn changed(p: &NetworkPolicy) -> Option<Timestamp> {
    let created = p.metadata.creation_timestamp.as_ref().map(|t| t.0);
    p.metadata
        .managed_fields
        .iter()
        .flatten()
        .filter_map(|m| m.time.as_ref().map(|t| t.0))
        .chain(created)
        .max()
}

/// All failures to one destination across the unit's pods.
struct Seen {
    first: Failure,
    count: usize,
    onset: Timestamp,
    last: Timestamp,
    pods: Vec<String>,
}

pub fn analyze(s: &Scene) -> Vec<Finding> {
    s.units.iter().filter_map(|u| blocked(s, u)).collect()
}

fn blocked(s: &Scene, u: &Unit) -> Option<Finding> {
    let pods: Vec<&Pod> = s.pods_of(u).collect();
    let labels = pods.first()?.metadata.labels.as_ref();
    let selecting: Vec<&NetworkPolicy> = s
        .network_policies
        .iter()
        .filter(|p| p.metadata.namespace.as_deref() == Some(u.namespace.as_str()))
        .filter(|p| policy::restricts_egress(p, labels))
        .collect();
    if selecting.is_empty() {
        return None;
    }
    // Connection failures by destination, over every log read (the onset may predate the window).
    let mut seen: Vec<Seen> = Vec::new();
    let mut lines_seen: Vec<(String, Option<Timestamp>, String)> = Vec::new();
    for p in &pods {
        for l in s
            .logs
            .iter()
            .filter(|l| l.namespace == facts::pod_ns(p) && l.pod == facts::pod_name(p))
        {
            for x in &l.lines {
                let key = (l.pod.clone(), x.at, x.text.clone());
                if lines_seen.contains(&key) {
                    continue;
                }
                lines_seen.push(key);
                // An info line about a timeout setting is not a failure.
                if super::logs::level(&x.text) == Some(super::logs::Level::Quiet) {
                    continue;
                }
                let Some(f) = failure(&x.text) else {
                    continue;
                };
                let at = x.at.unwrap_or(s.alert_time);
                match seen
                    .iter_mut()
                    .find(|e| e.first.ip == f.ip && e.first.port == f.port)
                {
                    Some(e) => {
                        e.count += 1;
                        e.onset = e.onset.min(at);
                        e.last = e.last.max(at);
                        if !e.pods.contains(&l.pod) {
                            e.pods.push(l.pod.clone());
                        }
                    }
                    None => seen.push(Seen {
                        first: f,
                        count: 1,
                        onset: at,
                        last: at,
                        pods: vec![l.pod.clone()],
                    }),
                }
            }
        }
    }
    seen.retain(|e| e.last >= s.window.start);
    seen.sort_by_key(|e| std::cmp::Reverse(e.count));
    let (hit, dest) = seen.iter().find_map(|e| {
        let d = Dest {
            ip: Some(e.first.ip),
            port: e.first.port,
            place: place(s, &e.first),
        };
        (policy::verdict(&selecting, &d) == Verdict::Denies).then_some((e, d))
    })?;
    // The policies, newest change first; a namespace-wide default deny first among equals.
    let mut named: Vec<(&NetworkPolicy, Option<Timestamp>)> =
        selecting.iter().map(|p| (*p, changed(p))).collect();
    named.sort_by_key(|(p, t)| {
        let wide = p
            .spec
            .as_ref()
            .and_then(|sp| sp.pod_selector.as_ref())
            .is_none_or(|sel| crate::gather::selector_string(sel).is_empty());
        (std::cmp::Reverse(*t), !wide)
    });
    let newest = named.first().and_then(|(_, t)| *t);
    // A policy that arrived after the failures began did not start them.
    if newest.is_some_and(|t| t > hit.onset + SignedDuration::from_mins(2)) {
        return None;
    }
    let recent = newest.is_some_and(|t| hit.onset.duration_since(t) <= SHORTLY_BEFORE);
    let name = |p: &NetworkPolicy| p.metadata.name.clone().unwrap_or_default();
    let names: Vec<String> = named.iter().map(|(p, _)| name(p)).collect();
    let addr = match dest.ip {
        Some(IpAddr::V6(ip)) => format!("[{ip}]:{}", dest.port),
        Some(ip) => format!("{ip}:{}", dest.port),
        None => format!("port {}", dest.port),
    };
    let when = match newest {
        Some(t) if recent => format!(
            " (created/changed {}, {} min before the first failure)",
            hms(t),
            minutes(t, hit.onset)
        ),
        Some(t) => format!(" (unchanged since {})", facts::when(t, s.alert_time)),
        None => String::new(),
    };
    let title = format!(
        "NetworkPolicy {}{when} {} {}'s egress to {addr}: no egress rule of the {} polic{} selecting its pods allows it — \"{}\" ×{} on {}/{} pods",
        names.join(" + "),
        if names.len() > 1 { "block" } else { "blocks" },
        u.name,
        names.len(),
        if names.len() > 1 { "ies" } else { "y" },
        hit.first.excerpt,
        hit.count,
        hit.pods.len(),
        pods.len()
    );
    let mut ev: Vec<String> = named
        .iter()
        .take(3)
        .map(|(p, t)| {
            let sel = p
                .spec
                .as_ref()
                .and_then(|sp| sp.pod_selector.as_ref())
                .map(crate::gather::selector_string)
                .filter(|x| !x.is_empty())
                .unwrap_or_else(|| "all pods".into());
            line(format!(
                "NetworkPolicy {} ({}, selects {sel}, Egress) allows: {}",
                name(p),
                t.map(|t| format!("changed {}", facts::when(t, s.alert_time)))
                    .unwrap_or_else(|| "creation time unknown".into()),
                policy::allows_text(p)
            ))
        })
        .collect();
    ev.push(line(format!(
        "destination {addr}{}: {} — no ipBlock or rule covers it{}",
        hit.first
            .host
            .as_ref()
            .map(|h| format!(" ({h})"))
            .unwrap_or_default(),
        match dest.place {
            Place::External => "outside the cluster",
            Place::InCluster => "in the cluster",
            Place::Unknown => "address only",
        },
        if selecting.len() > 1 {
            " (policies add up: any one rule would do)"
        } else {
            ""
        }
    )));
    let sample = s
        .logs
        .iter()
        .filter(|l| hit.pods.contains(&l.pod) && l.namespace == u.namespace)
        .flat_map(|l| l.lines.iter())
        .find(|x| {
            failure(&x.text).is_some_and(|f| f.ip == hit.first.ip && f.port == hit.first.port)
        })
        .map(|x| render(&x.text));
    if let Some(l) = sample {
        ev.push(line(format!("×{} {l}", hit.count)));
    }
    ev.push(format!(
        "first failure {}, last {} on {}",
        hms(hit.onset),
        hms(hit.last),
        hit.pods.join(", ")
    ));
    let mut f = unit_finding(
        "network_policy_blocks",
        u,
        if recent {
            Severity::High
        } else {
            Severity::Medium
        },
        line(title),
    )
    .with_category(Category::ConfigurationError)
    .with_evidence(ev)
    .with_attr("policy", names.first().cloned().unwrap_or_default())
    .with_attr("policies", names.join(", "))
    .with_attr("destination", addr)
    .with_attr("port", u64::from(dest.port))
    .with_attr("count", hit.count as u64)
    .with_attr("last_seen", hit.last.to_string())
    .at(hit.onset.max(s.window.start));
    if let Some(t) = newest {
        f = f.with_attr("policy_changed", t.to_string());
    }
    if hit.onset < s.window.start {
        f = f.with_attr("onset", hit.onset.to_string());
    }
    Some(f)
}
