//! Pods that never get to start their containers: `init_blocked` when an init container keeps
//! running (the pod stays `Init:N/M`) and its log says it is waiting on something — a dependency
//! it polls — and `sandbox_failed` when the kubelet cannot create the pod's sandbox
//! (`FailedCreatePodSandBox`: the CNI plugin could not set up its network), with the node's CNI
//! add-on log line that says why (a subnet out of free addresses).

use super::facts::{self, hms, line};
use super::logs::render;
use super::{Scene, Unit, unit_finding};
use jiff::SignedDuration;
use k8s_openapi::api::core::v1::{ContainerStatus, Event, Pod};
use regex::Regex;
use sremesh_core::{Category, Finding, Severity};
use std::sync::LazyLock;

/// How long an init container must have been running before the pod counts as stuck.
const STUCK: SignedDuration = SignedDuration::from_mins(5);

/// A log line of something that waits for another thing and tries again.
static WAITING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\bwaiting for\b|\bretry(ing)?\b|\bnot (yet )?(ready|available|reachable)\b|\bunavailable\b|health (status )?is (red|yellow)|connection refused|\battempt \d+",
    )
    .expect("static regex")
});

/// A sandbox failure because no IP address could be given to the pod.
static NO_IP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)failed to assign an IP address|no available IP|InsufficientFreeAddresses|has no available IP")
        .expect("static regex")
});

/// CNI add-on log lines that say why addresses ran out, and the subnet they name.
static CNI_CAUSE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"InsufficientFreeAddressesInSubnet|\b0 free IPv4 addresses|no available IP/Prefix")
        .expect("static regex")
});
/// The CNI plugin a sandbox error names (`plugin type="aws-cni"`).
static PLUGIN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"plugin type="([^"]+)""#).expect("static regex"));
static SUBNET: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\bsubnet-[0-9a-f]{8,17}\b").expect("static regex"));

pub fn analyze(s: &Scene) -> Vec<Finding> {
    let mut out: Vec<Finding> = s.units.iter().filter_map(|u| init_blocked(s, u)).collect();
    out.extend(s.units.iter().filter_map(|u| sandbox_failed(s, u)));
    out
}

/// The init container a pod is stuck in: running (or waiting to restart) while the pod is not
/// initialized, with how many init containers finished before it.
fn stuck_init(p: &Pod) -> Option<(&ContainerStatus, usize, usize)> {
    let st = p.status.as_ref()?;
    let inits = st.init_container_statuses.as_ref()?;
    let done = inits
        .iter()
        .filter(|c| {
            c.state
                .as_ref()
                .and_then(|s| s.terminated.as_ref())
                .is_some_and(|t| t.exit_code == 0)
        })
        .count();
    let c = inits.iter().find(|c| {
        c.state
            .as_ref()
            .is_some_and(|s| s.running.is_some() && s.terminated.is_none())
    })?;
    Some((c, done, inits.len()))
}

fn init_blocked(s: &Scene, u: &Unit) -> Option<Finding> {
    let pods: Vec<&Pod> = s.pods_of(u).collect();
    let stuck: Vec<(&Pod, &ContainerStatus, usize, usize)> = pods
        .iter()
        .filter(|p| !facts::pod_ready(p))
        .filter_map(|p| stuck_init(p).map(|(c, d, n)| (*p, c, d, n)))
        .filter(|(_, c, _, _)| {
            facts::running_since(c).is_some_and(|t| s.alert_time.duration_since(t) >= STUCK)
        })
        .collect();
    // The pod whose init log says what it waits for, else the first.
    let (pod, c, done, total, log) = stuck.iter().find_map(|(p, c, d, n)| {
        let log = s.log(p, &c.name, false)?;
        log.lines
            .iter()
            .any(|l| WAITING.is_match(&l.text))
            .then_some((*p, *c, *d, *n, log))
    })?;
    let last = log.lines.iter().rev().find(|l| !l.text.trim().is_empty())?;
    let first = log.lines.iter().find(|l| WAITING.is_match(&l.text));
    let since = facts::running_since(c)?;
    let mut title = format!(
        "{}: {}/{} pods stuck Init:{done}/{total} — init container {} still waiting after {} (since {}); last line: {}",
        u.service(),
        stuck.len(),
        pods.len(),
        c.name,
        facts::age(since, s.alert_time),
        hms(since),
        tail(&render(&last.text), 120),
    );
    title = line(title);
    let mut ev = vec![format!(
        "{}: init container {} running since {}, pod {} (Initialized=False)",
        facts::pod_name(pod),
        c.name,
        hms(since),
        facts::phase(pod)
    )];
    if let Some(f) = first.filter(|f| !std::ptr::eq(*f, last)) {
        ev.push(line(format!(
            "{}/{}: {}",
            facts::pod_name(pod),
            c.name,
            f.text
        )));
    }
    ev.push(line(format!(
        "{}/{}: {}",
        facts::pod_name(pod),
        c.name,
        last.text
    )));
    let mut f = unit_finding("init_blocked", u, Severity::High, title)
        .with_category(Category::DependencyFailure)
        .with_evidence(ev)
        .with_attr("container", c.name.clone())
        .with_attr("pods", stuck.len())
        .with_attr("onset", since.to_string());
    if let Some(at) = last.at {
        f = f.at(at).with_attr("last_seen", at.to_string());
    }
    Some(f)
}

/// The last `n` characters of a long line (what a waiting loop decided is at its end).
fn tail(text: &str, n: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= n {
        return text.to_owned();
    }
    let cut: String = chars[chars.len() - n..].iter().collect();
    format!("…{}", cut.trim_start())
}

/// The decisive part of a sandbox error: what the CNI plugin said (`add cmd: failed to …`).
fn sandbox_detail(msg: &str) -> &str {
    ["failed (add): ", "desc = "]
        .iter()
        .find_map(|k| msg.rfind(k).map(|i| &msg[i + k.len()..]))
        .unwrap_or(msg)
        .trim()
}

fn sandbox_failed(s: &Scene, u: &Unit) -> Option<Finding> {
    let mut evs: Vec<(&Pod, &Event)> = s
        .pods_of(u)
        .filter(|p| !facts::pod_ready(p) && facts::phase(p) != "Succeeded")
        .flat_map(|p| {
            s.recent_events_for("Pod", facts::pod_ns(p), facts::pod_name(p))
                .filter(|e| facts::event_reason(e) == "FailedCreatePodSandBox")
                .map(move |e| (p, e))
        })
        .collect();
    evs.sort_by_key(|(_, e)| std::cmp::Reverse(facts::event_last(e)));
    let (pod, latest) = *evs.first()?;
    let msg = facts::event_message(latest);
    let count = facts::total(evs.iter().map(|(_, e)| facts::event_count(e)));
    let mut pods: Vec<&str> = evs.iter().map(|(p, _)| facts::pod_name(p)).collect();
    pods.sort();
    pods.dedup();
    let plugin = PLUGIN.captures(msg).map(|c| c[1].to_owned());
    let no_ip = NO_IP.is_match(msg);
    // The CNI add-on's own account, from its pods on the nodes of the stuck pods.
    let nodes: Vec<&str> = evs
        .iter()
        .filter_map(|(p, _)| p.spec.as_ref()?.node_name.as_deref())
        .collect();
    let cni_lines: Vec<(&str, &super::LogLine)> = s
        .addon_pods
        .iter()
        .filter(|a| super::addons::addon_of(a) == Some("aws-node"))
        .filter(|a| {
            a.spec
                .as_ref()
                .and_then(|sp| sp.node_name.as_deref())
                .is_some_and(|n| nodes.contains(&n))
        })
        .filter_map(|a| s.log(a, "aws-node", false).map(|l| (facts::pod_name(a), l)))
        .flat_map(|(name, l)| {
            l.lines
                .iter()
                .filter(|x| CNI_CAUSE.is_match(&x.text))
                .map(move |x| (name, x))
        })
        .collect();
    let subnet = cni_lines
        .iter()
        .find_map(|(_, l)| SUBNET.find(&l.text))
        .map(|m| m.as_str().to_owned());
    let mut title = format!(
        "{}: {} pod(s) stuck {} — FailedCreatePodSandBox ×{count}: {}",
        u.service(),
        pods.len(),
        facts::statuses(pod)
            .find_map(facts::waiting)
            .map(|(r, _)| r)
            .unwrap_or("ContainerCreating"),
        sandbox_detail(msg)
    );
    if let Some(p) = &plugin {
        title.push_str(&format!(" (CNI plugin {p})"));
    }
    if cni_lines
        .iter()
        .any(|(_, l)| l.text.contains("InsufficientFreeAddressesInSubnet"))
    {
        title.push_str(": InsufficientFreeAddressesInSubnet");
    }
    if let Some(sn) = &subnet {
        title.push_str(&format!(" — subnet {sn} has no free addresses"));
    }
    let mut ev = vec![line(format!(
        "{}: {}",
        facts::pod_name(pod),
        facts::event_line(latest)
    ))];
    // The add-on's newest line of each cause, and the newest naming the subnet.
    let newest = |want: &dyn Fn(&str) -> bool| {
        cni_lines
            .iter()
            .rev()
            .find(|(_, l)| want(&l.text))
            .map(|(name, l)| line(format!("{name}: {}", render(&l.text))))
    };
    for q in [
        newest(&|t| t.contains("InsufficientFreeAddressesInSubnet")),
        newest(&|t| SUBNET.is_match(t)),
        newest(&|t| CNI_CAUSE.is_match(t)),
    ]
    .into_iter()
    .flatten()
    {
        if !ev.contains(&q) {
            ev.push(q);
        }
    }
    let category = if no_ip || !cni_lines.is_empty() {
        Category::ResourceExhaustion
    } else {
        Category::Infrastructure
    };
    let mut f = unit_finding("sandbox_failed", u, Severity::High, line(title))
        .with_category(category)
        .with_evidence(ev)
        .with_attr("count", count)
        .with_attr("pods", pods.len());
    if let Some(p) = plugin {
        f = f.with_attr("cni", p);
    }
    if let Some(sn) = subnet {
        f = f.with_attr("subnet", sn);
    }
    if let Some(at) = facts::event_last(latest) {
        f = f.at(at).with_attr("last_seen", at.to_string());
    }
    if let Some(at) = evs.iter().filter_map(|(_, e)| facts::event_first(e)).min() {
        f = f.with_attr("onset", at.to_string());
    }
    Some(f)
}
