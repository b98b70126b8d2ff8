//! Probes and readiness: `probe_failed` (readiness / liveness / startup failures, and probes
//! aimed at a port or path the container does not serve) and `not_ready` (pods Running but not
//! Ready, and what that leaves their Services).

use super::facts::{self, line};
use super::logs::render;
use super::{Scene, Unit, unit_finding};
use k8s_openapi::api::core::v1::{Container, Event, Pod, Probe};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use regex::Regex;
use sremesh_core::{Category, Finding, Severity};
use std::collections::BTreeMap;
use std::sync::LazyLock;

pub fn analyze(s: &Scene) -> Vec<Finding> {
    let mut out = Vec::new();
    for u in &s.units {
        for probe in ["Liveness", "Readiness", "Startup"] {
            out.extend(probe_failed(s, u, probe));
        }
        out.extend(not_ready(s, u));
    }
    out
}

static REFUSED_PORT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"dial tcp [^\s:]+:(\d+): connect: connection refused").expect("static regex")
});
static STATUS_CODE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"statuscode: (\d{3})").expect("static regex"));
static LISTEN_PORT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)\b(?:listen(?:ing)?|started on|serving on|bound to)\b[^\n]{0,60}?[":](\d{2,5})\b"#,
    )
    .expect("static regex")
});

fn probe_of<'a>(c: &'a Container, probe: &str) -> Option<&'a Probe> {
    match probe {
        "Liveness" => c.liveness_probe.as_ref(),
        "Readiness" => c.readiness_probe.as_ref(),
        _ => c.startup_probe.as_ref(),
    }
}

/// The probe's port number (named ports resolved) and HTTP path.
fn probe_target(c: &Container, p: &Probe) -> (Option<i32>, Option<String>) {
    let (port, path) = if let Some(h) = &p.http_get {
        (Some(&h.port), h.path.clone())
    } else if let Some(t) = &p.tcp_socket {
        (Some(&t.port), None)
    } else if let Some(g) = &p.grpc {
        return (Some(g.port), None);
    } else {
        (None, None)
    };
    let port = port.and_then(|p| match p {
        IntOrString::Int(n) => Some(*n),
        IntOrString::String(name) => c
            .ports
            .iter()
            .flatten()
            .find(|cp| cp.name.as_deref() == Some(name.as_str()))
            .map(|cp| cp.container_port),
    });
    (port, path)
}

/// Ports the container says (or logs) it listens on.
fn served_ports(s: &Scene, p: &Pod, c: &Container) -> (Vec<i32>, Vec<(i32, String)>) {
    let declared: Vec<i32> = c
        .ports
        .iter()
        .flatten()
        .map(|cp| cp.container_port)
        .collect();
    let mut logged = Vec::new();
    for l in s.logs.iter().filter(|l| {
        l.pod == facts::pod_name(p) && l.namespace == facts::pod_ns(p) && l.container == c.name
    }) {
        for x in &l.lines {
            if let Some(port) = LISTEN_PORT
                .captures(&x.text)
                .and_then(|m| m[1].parse::<i32>().ok())
                && !logged.iter().any(|(p, _)| *p == port)
            {
                logged.push((port, render(&x.text)));
            }
        }
    }
    (declared, logged)
}

fn probe_failed(s: &Scene, u: &Unit, probe: &str) -> Option<Finding> {
    let prefix = format!("{probe} probe failed");
    let mut events: Vec<(&Pod, &Event)> = Vec::new();
    for p in s.pods_of(u) {
        for e in s.recent_events_for("Pod", facts::pod_ns(p), facts::pod_name(p)) {
            if facts::event_reason(e) == "Unhealthy" && facts::event_message(e).starts_with(&prefix)
            {
                events.push((p, e));
            }
        }
    }
    let (p0, e0) = *events.iter().max_by_key(|(_, e)| facts::event_count(e))?;
    let count = facts::total(events.iter().map(|(_, e)| facts::event_count(e)));
    let mut pods: Vec<&str> = events.iter().map(|(p, _)| facts::pod_name(p)).collect();
    pods.sort_unstable();
    pods.dedup();
    let total = s.pods_of(u).count();
    let msg = facts::event_message(e0);
    let container_name = e0
        .involved_object
        .field_path
        .as_deref()
        .and_then(|f| f.split_once('{'))
        .map(|(_, c)| c.trim_end_matches('}').to_owned());
    let container = p0.spec.as_ref().and_then(|sp| {
        sp.containers.iter().find(|c| {
            container_name.as_deref().is_none_or(|n| n == c.name) && probe_of(c, probe).is_some()
        })
    });

    // Misconfiguration: refused on a port the container does not serve, or a 404 path.
    let refused = REFUSED_PORT
        .captures(msg)
        .and_then(|c| c[1].parse::<i32>().ok());
    let status = STATUS_CODE
        .captures(msg)
        .and_then(|c| c[1].parse::<u16>().ok());
    let mut misconfig: Option<String> = None;
    let mut ev = Vec::new();
    if let Some(c) = container
        && let Some(pr) = probe_of(c, probe)
    {
        let (port, path) = probe_target(c, pr);
        let (declared, logged) = served_ports(s, p0, c);
        let served: Vec<i32> = declared
            .iter()
            .copied()
            .chain(logged.iter().map(|(p, _)| *p))
            .collect();
        if let Some(rp) = refused
            && port == Some(rp)
            && !served.is_empty()
            && !served.contains(&rp)
        {
            let mut listen: Vec<String> = served.iter().map(i32::to_string).collect();
            listen.dedup();
            misconfig = Some(format!(
                "on port {rp} (connection refused) — the container listens on {}; probe misconfigured",
                listen.join(", ")
            ));
        } else if status == Some(404) {
            misconfig = Some(format!(
                "with 404 on path {} — the container does not serve it; probe misconfigured",
                path.as_deref().unwrap_or("?")
            ));
        }
        ev.push(line(format!(
            "{} {probe} probe: {}{}",
            c.name,
            port.map(|p| format!("port {p}"))
                .unwrap_or_else(|| "exec".into()),
            path.map(|p| format!(" path {p}")).unwrap_or_default()
        )));
        if misconfig.is_some() {
            ev.push(format!(
                "container ports: {}",
                if declared.is_empty() {
                    "none declared".to_owned()
                } else {
                    declared
                        .iter()
                        .map(i32::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                }
            ));
            if let Some((_, l)) = logged.first() {
                ev.push(line(format!("log: {l}")));
            }
        }
    }
    // Folded event messages.
    let mut folded: BTreeMap<String, (i32, String)> = BTreeMap::new();
    for (_, e) in &events {
        let m = facts::event_message(e);
        let key = sremesh_core::signals::normalize(m);
        let x = folded.entry(key).or_insert((0, m.to_owned()));
        x.0 = x.0.saturating_add(facts::event_count(e));
    }
    let mut folded: Vec<(i32, String)> = folded.into_values().collect();
    folded.sort_by_key(|f| std::cmp::Reverse(f.0));
    let mut lines: Vec<String> = folded
        .iter()
        .take(2)
        .map(|(n, m)| line(format!("×{n} {m}")))
        .collect();
    lines.append(&mut ev);
    let mut ev = lines;
    let kills = facts::total(
        pods.iter()
            .flat_map(|name| s.recent_events_for("Pod", &u.namespace, name))
            .filter(|e| {
                facts::event_reason(e) == "Killing"
                    && facts::event_message(e).contains(&probe.to_ascii_lowercase())
            })
            .map(facts::event_count),
    );
    if kills > 0 {
        ev.push(format!(
            "the kubelet restarted containers {kills}× after failed {} probes",
            probe.to_ascii_lowercase()
        ));
    }
    let unit_pods: Vec<&Pod> = s.pods_of(u).collect();
    if let Some(o) = facts::oldest_only(&unit_pods, &pods, s.alert_time) {
        ev.push(line(o));
    }
    // Why the app says it is not ready.
    if probe == "Readiness" && misconfig.is_none() {
        let why: Vec<String> = s
            .logs
            .iter()
            .filter(|l| !l.previous && pods.contains(&l.pod.as_str()))
            .flat_map(|l| l.lines.iter())
            .filter(|x| {
                let t = x.text.to_ascii_lowercase();
                (t.contains("readiness") || t.contains("health") || t.contains("ready"))
                    && super::logs::is_error(&x.text)
            })
            .map(|x| render(&x.text))
            .collect();
        if let Some(l) = why.last() {
            ev.push(line(format!("app log: {l}")));
        }
    }
    let detail = misconfig.clone().unwrap_or_else(|| {
        let short = msg.strip_prefix(&format!("{prefix}: ")).unwrap_or(msg);
        sremesh_core::text::truncate(short, 140)
    });
    let title = format!(
        "{}: {prefix} ×{count} on {}/{total} pods {detail}",
        u.name,
        pods.len()
    );
    let severity = if misconfig.is_some() || probe == "Liveness" && kills > 0 {
        if s.unit_down(u) {
            Severity::Critical
        } else {
            Severity::High
        }
    } else if s.unit_down(u) {
        Severity::High
    } else {
        Severity::Medium
    };
    let mut f = unit_finding("probe_failed", u, severity, line(title))
        .with_evidence(ev)
        .with_attr("probe", probe.to_ascii_lowercase())
        .with_attr("count", count)
        .with_attr("misconfigured", misconfig.is_some());
    f.id = format!("probe_failed:{}/{}", u.key(), probe.to_ascii_lowercase());
    if let Some(rp) = refused {
        f = f.with_attr("port", rp);
    }
    if misconfig.is_some() {
        f = f.with_category(Category::ConfigurationError);
    }
    if let Some(t) = events
        .iter()
        .filter_map(|(_, e)| facts::event_first(e))
        .min()
    {
        f = f.at(t.max(s.window.start));
        f = f.with_attr("onset", t.to_string());
    }
    if let Some(t) = events
        .iter()
        .filter_map(|(_, e)| facts::event_last(e))
        .max()
    {
        f = f.with_attr("last_seen", t.to_string());
    }
    Some(f)
}

fn not_ready(s: &Scene, u: &Unit) -> Option<Finding> {
    let pods: Vec<&Pod> = s.pods_of(u).collect();
    let unready: Vec<&Pod> = pods
        .iter()
        .copied()
        .filter(|p| facts::phase(p) == "Running" && !facts::pod_ready(p))
        .filter(|p| facts::statuses(p).all(|c| facts::waiting(c).is_none()))
        .collect();
    if unready.is_empty() {
        return None;
    }
    let mut ev: Vec<String> = unready
        .iter()
        .take(4)
        .map(|p| {
            let since = p
                .status
                .as_ref()
                .and_then(|st| st.conditions.as_ref())
                .and_then(|cs| cs.iter().find(|c| c.type_ == "Ready"))
                .and_then(|c| c.last_transition_time.as_ref())
                .map(|t| format!(" since {}", facts::hms(t.0)))
                .unwrap_or_default();
            format!("{}: Running, not Ready{since}", facts::pod_name(p))
        })
        .collect();
    let mut empty_services = Vec::new();
    for svc in s
        .services
        .iter()
        .filter(|x| x.metadata.namespace.as_deref() == Some(u.namespace.as_str()))
    {
        let Some(sel) = svc.spec.as_ref().and_then(|sp| sp.selector.as_ref()) else {
            continue;
        };
        if sel.is_empty() {
            continue;
        }
        let selects = pods.iter().any(|p| {
            let labels = p.metadata.labels.as_ref();
            sel.iter()
                .all(|(k, v)| labels.and_then(|l| l.get(k)) == Some(v))
        });
        if !selects {
            continue;
        }
        let name = svc.metadata.name.clone().unwrap_or_default();
        let (ready, not) = s
            .endpoints
            .iter()
            .filter(|e| {
                e.metadata.namespace == svc.metadata.namespace
                    && e.metadata.name.as_deref() == Some(name.as_str())
            })
            .flat_map(|e| e.subsets.iter().flatten())
            .fold((0, 0), |(r, n), sub| {
                (
                    r + sub.addresses.as_ref().map_or(0, Vec::len),
                    n + sub.not_ready_addresses.as_ref().map_or(0, Vec::len),
                )
            });
        ev.push(format!(
            "Service {name}: {ready} ready endpoints, {not} not ready"
        ));
        if ready == 0 {
            empty_services.push(name);
        }
    }
    let mut title = format!(
        "{}: {}/{} pods Running but not Ready",
        u.name,
        unready.len(),
        pods.len()
    );
    if !empty_services.is_empty() {
        title.push_str(&format!(
            "; Service {} has no ready endpoints",
            empty_services.join(", ")
        ));
    }
    // The volumes behind the not-Ready pods' claims: a slow or impaired disk shows as a pod
    // that runs but never becomes Ready.
    let (vol_ev, named) = super::volumes::volume_evidence(s, &unready);
    if let Some((pod, vol)) = &named {
        title.push_str(&format!("; {pod} mounts volume {vol}"));
    }
    ev.extend(vol_ev);
    let severity = if !empty_services.is_empty() || s.unit_down(u) {
        Severity::High
    } else {
        Severity::Medium
    };
    let mut f = unit_finding("not_ready", u, severity, line(title))
        .with_evidence(ev)
        .with_attr("pods", unready.len() as u64);
    if let Some((pod, vol)) = named {
        let node = unready
            .iter()
            .find(|p| facts::pod_name(p) == pod)
            .and_then(|p| p.spec.as_ref()?.node_name.clone());
        if let Some(n) = node {
            f = f.with_attr("node", n);
        }
        f = f.with_attr("pod", pod).with_attr("volume", vol);
    }
    Some(f)
}
