//! Services that route nowhere: `service_no_endpoints` — the target's Service (named like the
//! workload, selecting it by name, or selecting a previous revision's pods) whose selector
//! matches none of the workload's pods while they are Ready, so its Endpoints / EndpointSlices
//! hold no ready address and every request through it fails (a relabelled chart, a renamed
//! `app` label, a typo in the selector). Pods that are selected but not Ready are `not_ready`'s.

use super::facts::{self, hms, line};
use super::{Scene, Unit, rollout};
use crate::target::Kind;
use jiff::Timestamp;
use k8s_openapi::api::core::v1::{Event, Pod, Service};
use sremesh_core::{Category, Finding, Severity};
use std::collections::BTreeMap;

/// Labels the controllers add to every pod; they say nothing about what a Service should select.
const GENERATED: &[&str] = &[
    "pod-template-hash",
    "controller-revision-hash",
    "pod-template-generation",
    "statefulset.kubernetes.io/pod-name",
    "apps.kubernetes.io/pod-index",
    "batch.kubernetes.io/controller-uid",
    "batch.kubernetes.io/job-name",
    "controller-uid",
    "job-name",
];
/// Pod labels whose value names the application.
const NAME_LABELS: &[&str] = &[
    "app",
    "app.kubernetes.io/name",
    "app.kubernetes.io/instance",
    "k8s-app",
    "name",
];

/// A Service of the unit that routes nowhere.
pub struct Unrouted<'a> {
    pub service: &'a Service,
    pub name: String,
    pub selector: BTreeMap<String, String>,
    /// What the empty Endpoints / EndpointSlices say, one line each.
    pub endpoints: Vec<String>,
    /// When the endpoints last changed (the moment they emptied), if recorded.
    pub changed: Option<Timestamp>,
}

pub fn analyze(s: &Scene) -> Vec<Finding> {
    s.units
        .iter()
        .flat_map(|u| unrouted(s, u).into_iter().map(move |x| finding(s, u, &x)))
        .collect()
}

fn selects(sel: &BTreeMap<String, String>, labels: Option<&BTreeMap<String, String>>) -> bool {
    sel.iter()
        .all(|(k, v)| labels.and_then(|l| l.get(k)) == Some(v))
}

fn labels(p: &Pod) -> Option<&BTreeMap<String, String>> {
    p.metadata.labels.as_ref()
}

/// `a=b, c=d` without the controller-generated labels.
pub fn label_list(l: Option<&BTreeMap<String, String>>) -> String {
    let parts: Vec<String> = l
        .into_iter()
        .flatten()
        .filter(|(k, _)| !GENERATED.contains(&k.as_str()))
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    if parts.is_empty() {
        "none".into()
    } else {
        parts.join(", ")
    }
}

fn selector_text(sel: &BTreeMap<String, String>) -> String {
    sel.iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// True when the Service is evidently the unit's: named like it, selecting the unit's name, or
/// named by the pods' own name labels, or selecting a previous revision's pods.
fn belongs(s: &Scene, u: &Unit, name: &str, sel: &BTreeMap<String, String>, pods: &[&Pod]) -> bool {
    let like = |a: &str, b: &str| a == b || a.starts_with(&format!("{b}-"));
    like(name, &u.name)
        || like(&u.name, name)
        || sel.values().any(|v| v == &u.name)
        || pods.iter().any(|p| {
            NAME_LABELS
                .iter()
                .any(|k| labels(p).and_then(|l| l.get(*k)).is_some_and(|v| v == name))
        })
        || (u.kind == Kind::Deployment
            && rollout::history(s, u).iter().any(|rs| {
                let tl = rs
                    .spec
                    .as_ref()
                    .and_then(|sp| sp.template.as_ref())
                    .and_then(|t| t.metadata.as_ref())
                    .and_then(|m| m.labels.as_ref());
                selects(sel, tl)
            }))
}

/// The ready addresses behind a Service, and one line per object saying so; `None` when
/// neither its Endpoints nor any EndpointSlice was read.
fn ready_endpoints(
    s: &Scene,
    ns: &str,
    name: &str,
) -> Option<(usize, Vec<String>, Option<Timestamp>)> {
    const TRIGGER: &str = "endpoints.kubernetes.io/last-change-trigger-time";
    let mut seen = false;
    let mut ready = 0usize;
    let mut lines = Vec::new();
    let mut changed: Option<Timestamp> = None;
    let mut note = |a: Option<&BTreeMap<String, String>>| {
        if let Some(t) = a
            .and_then(|a| a.get(TRIGGER))
            .and_then(|t| t.parse::<Timestamp>().ok())
        {
            changed = Some(changed.map_or(t, |c: Timestamp| c.max(t)));
        }
    };
    for e in s.endpoints.iter().filter(|e| {
        e.metadata.namespace.as_deref() == Some(ns) && e.metadata.name.as_deref() == Some(name)
    }) {
        seen = true;
        let (r, n) = e.subsets.iter().flatten().fold((0, 0), |(r, n), sub| {
            (
                r + sub.addresses.as_ref().map_or(0, Vec::len),
                n + sub.not_ready_addresses.as_ref().map_or(0, Vec::len),
            )
        });
        ready += r;
        note(e.metadata.annotations.as_ref());
        lines.push(if r + n == 0 {
            format!("Endpoints {name}: no addresses (no subsets)")
        } else {
            format!("Endpoints {name}: {r} ready, {n} not ready")
        });
    }
    for sl in s.endpoint_slices.iter().filter(|sl| {
        sl.metadata.namespace.as_deref() == Some(ns)
            && sl
                .metadata
                .labels
                .as_ref()
                .and_then(|l| l.get("kubernetes.io/service-name"))
                .is_some_and(|n| n == name)
    }) {
        seen = true;
        let r = sl
            .endpoints
            .iter()
            .filter(|e| e.conditions.as_ref().and_then(|c| c.ready) != Some(false))
            .count();
        ready += r;
        note(sl.metadata.annotations.as_ref());
        lines.push(format!(
            "EndpointSlice {}: {} endpoints, {r} ready",
            sl.metadata.name.as_deref().unwrap_or("?"),
            sl.endpoints.len()
        ));
    }
    seen.then_some((ready, lines, changed))
}

/// The unit's Services whose selector matches none of its pods while some are Ready, and that
/// have no ready endpoint.
pub fn unrouted<'a>(s: &'a Scene, u: &Unit) -> Vec<Unrouted<'a>> {
    if matches!(u.kind, Kind::Job | Kind::CronJob) {
        return Vec::new();
    }
    let pods: Vec<&Pod> = s
        .pods_of(u)
        .filter(|p| !matches!(facts::phase(p), "Succeeded" | "Failed"))
        .collect();
    if !pods.iter().any(|p| facts::pod_ready(p)) {
        return Vec::new();
    }
    let mut out = Vec::new();
    for svc in s
        .services
        .iter()
        .filter(|x| x.metadata.namespace.as_deref() == Some(u.namespace.as_str()))
    {
        let Some(spec) = svc.spec.as_ref() else {
            continue;
        };
        let Some(sel) = spec.selector.as_ref().filter(|x| !x.is_empty()) else {
            continue;
        };
        if spec.type_.as_deref() == Some("ExternalName") {
            continue;
        }
        let name = svc.metadata.name.clone().unwrap_or_default();
        if pods.iter().any(|p| selects(sel, labels(p))) || !belongs(s, u, &name, sel, &pods) {
            continue;
        }
        let Some((0, endpoints, changed)) = ready_endpoints(s, &u.namespace, &name) else {
            continue;
        };
        out.push(Unrouted {
            service: svc,
            name,
            selector: sel.clone(),
            endpoints,
            changed,
        });
    }
    out
}

/// Events about the Service, its Endpoints or an Ingress in front of it, or naming it with
/// "endpoint" (ingress controllers: `Service "ns/name" does not have any active Endpoint`).
fn related_events<'a>(s: &'a Scene, ns: &'a str, name: &'a str) -> Vec<&'a Event> {
    let qualified = format!("{ns}/{name}");
    let routes: Vec<&str> = ingresses_to(s, ns, name)
        .into_iter()
        .map(|(i, _)| i)
        .collect();
    s.events
        .iter()
        .filter(|e| {
            let o = &e.involved_object;
            let kind = o.kind.as_deref().unwrap_or("");
            let oname = o.name.as_deref().unwrap_or("");
            let about = (matches!(kind, "Service" | "Endpoints" | "EndpointSlice")
                && oname == name)
                || (kind == "Ingress" && routes.contains(&oname));
            let msg = facts::event_message(e).to_ascii_lowercase();
            about
                || (msg.contains("endpoint")
                    && (msg.contains(&qualified) || msg.contains(&format!("\"{name}\""))))
        })
        .collect()
}

/// Ingresses routing to the Service: (ingress name, `host/path → service:port`).
fn ingresses_to<'a>(s: &'a Scene, ns: &str, name: &str) -> Vec<(&'a str, String)> {
    let mut out = Vec::new();
    for ing in s
        .ingresses
        .iter()
        .filter(|i| i.metadata.namespace.as_deref() == Some(ns))
    {
        let iname = ing.metadata.name.as_deref().unwrap_or("?");
        for r in ing.spec.iter().flat_map(|sp| sp.rules.iter().flatten()) {
            for p in r.http.iter().flat_map(|h| h.paths.iter()) {
                let Some(b) = p.backend.service.as_ref().filter(|b| b.name == name) else {
                    continue;
                };
                let port = b
                    .port
                    .as_ref()
                    .and_then(|pt| pt.number.map(|n| n.to_string()).or(pt.name.clone()))
                    .unwrap_or_default();
                out.push((
                    iname,
                    format!(
                        "{}{} → Service {name}:{port}",
                        r.host.as_deref().unwrap_or("*"),
                        p.path.as_deref().unwrap_or("/")
                    ),
                ));
            }
        }
    }
    out
}

fn finding(s: &Scene, u: &Unit, x: &Unrouted) -> Finding {
    let pods: Vec<&Pod> = s
        .pods_of(u)
        .filter(|p| !matches!(facts::phase(p), "Succeeded" | "Failed"))
        .collect();
    let ready = pods.iter().filter(|p| facts::pod_ready(p)).count();
    let pod_labels = label_list(pods.first().and_then(|p| labels(p)));
    let sel = selector_text(&x.selector);
    let title = format!(
        "Service {} selector {sel} matches none of {}'s {ready} Ready pods (their labels: {pod_labels}) — no endpoints, the Service routes nowhere",
        x.name, u.name
    );
    let ports: Vec<String> = x
        .service
        .spec
        .iter()
        .flat_map(|sp| sp.ports.iter().flatten())
        .map(|p| {
            let target = p
                .target_port
                .as_ref()
                .map(|t| match t {
                    k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::Int(n) => {
                        n.to_string()
                    }
                    k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::String(s) => {
                        s.clone()
                    }
                })
                .unwrap_or_else(|| p.port.to_string());
            format!("{}→{target}", p.port)
        })
        .collect();
    let mut ev = vec![line(format!(
        "Service {}: selector {sel}, ports {}",
        x.name,
        if ports.is_empty() {
            "none".to_owned()
        } else {
            ports.join(", ")
        }
    ))];
    ev.extend(x.endpoints.iter().map(line));
    let names: Vec<&str> = pods.iter().take(3).map(|p| facts::pod_name(p)).collect();
    ev.push(line(format!(
        "pods {}{}: {ready}/{} Ready, labels {pod_labels}",
        names.join(", "),
        if pods.len() > 3 { ", …" } else { "" },
        pods.len()
    )));
    for (ing, route) in ingresses_to(s, &u.namespace, &x.name).into_iter().take(2) {
        ev.push(line(format!("Ingress {ing}: {route}")));
    }
    let events = related_events(s, &u.namespace, &x.name);
    for e in events.iter().take(3) {
        ev.push(facts::event_line(e));
    }
    // When the pods the Service does not select appeared: the current revision's birth.
    let born = pods
        .iter()
        .filter_map(|p| p.metadata.creation_timestamp.as_ref().map(|t| t.0))
        .min();
    let onset = x.changed.or(born);
    if let Some(t) = born {
        ev.push(format!("current pods created {}", hms(t)));
    }
    let mut f = Finding::new(
        format!("service_no_endpoints:{}/{}", u.namespace, x.name),
        "service_no_endpoints",
        Severity::High,
        line(title),
    )
    .with_resource(format!("service/{}/{}", u.namespace, x.name))
    .with_service(u.service())
    .with_category(Category::ConfigurationError)
    .with_evidence(ev)
    .with_attr("namespace", u.namespace.clone())
    .with_attr("k8s_service", x.name.clone())
    .with_attr("selector", sel)
    .with_attr("pod_labels", pod_labels)
    .with_attr("ready_pods", ready as u64);
    if let Some(t) = onset {
        f = f
            .with_attr("onset", t.to_string())
            .at(t.max(s.window.start));
    }
    let last = events
        .iter()
        .filter_map(|e| facts::event_last(e))
        .max()
        .unwrap_or(s.alert_time);
    f.with_attr("last_seen", last.to_string())
}
