//! `keepalive_mismatch`: an AWS load balancer (an Ingress of the AWS Load Balancer Controller)
//! keeps idle connections to the target open longer than the target's HTTP server does — the
//! server logs `keepAliveTimeout: 5000` (ms) while the ALB's `idle_timeout.timeout_seconds` is
//! 60 (the default). The server closes a connection the load balancer is about to reuse, and
//! the request on it fails with a 502: intermittent, on Ready pods, a configuration error.

use super::facts::{self, line};
use super::lb_health::{backends, selects};
use super::{Scene, Unit, unit_finding};
use k8s_openapi::api::networking::v1::Ingress;
use regex::Regex;
use sremesh_core::{Category, Finding, Severity};
use std::sync::LazyLock;

const ATTRIBUTES: &str = "alb.ingress.kubernetes.io/load-balancer-attributes";
/// The ALB's idle timeout when no attribute sets it.
const DEFAULT_IDLE_S: u64 = 60;

/// A server's keep-alive timeout in milliseconds (Node's `server.keepAliveTimeout`):
/// `"keepAliveTimeout":5000`, `keepAliveTimeout=5000`, `keep_alive_timeout_ms: 5000`.
static KEEPALIVE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)"?\b(keepAliveTimeout|keep_alive_timeout_ms)"?\s*[:=]\s*"?(\d+)\b"#)
        .expect("static regex")
});
static IDLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"idle_timeout\.timeout_seconds\s*=\s*(\d+)").expect("static regex")
});

/// A server keep-alive a log line reports: (the key as logged, ms).
pub fn keepalive_ms(text: &str) -> Option<(String, u64)> {
    let c = KEEPALIVE.captures(text)?;
    Some((c[1].to_owned(), c[2].parse().ok()?))
}

/// The idle timeout (s) of an Ingress's AWS load balancer and whether it was set explicitly;
/// None when the Ingress is not the AWS Load Balancer Controller's.
pub fn idle_timeout(i: &Ingress) -> Option<(u64, bool)> {
    let ann = i.metadata.annotations.as_ref();
    if let Some(n) = ann
        .and_then(|a| a.get(ATTRIBUTES))
        .and_then(|v| IDLE.captures(v))
        .and_then(|c| c[1].parse().ok())
    {
        return Some((n, true));
    }
    let alb_class = i
        .spec
        .as_ref()
        .and_then(|s| s.ingress_class_name.as_deref())
        == Some("alb");
    let alb_ann = ann.is_some_and(|a| {
        a.keys()
            .any(|k| k.starts_with("alb.ingress.kubernetes.io/"))
    });
    (alb_class || alb_ann).then_some((DEFAULT_IDLE_S, false))
}

pub fn analyze(s: &Scene) -> Vec<Finding> {
    s.units.iter().filter_map(|u| analyze_unit(s, u)).collect()
}

pub fn analyze_unit(s: &Scene, u: &Unit) -> Option<Finding> {
    let pods: Vec<_> = s.pods_of(u).collect();
    let (ing, (idle, explicit)) = s.ingresses.iter().find_map(|i| {
        let ns = i.metadata.namespace.as_deref().unwrap_or(&u.namespace);
        if ns != u.namespace {
            return None;
        }
        let routes = backends(i)
            .iter()
            .any(|b| *b == u.name || pods.iter().any(|p| selects(s, ns, b, p)));
        routes.then(|| idle_timeout(i).map(|t| (i, t))).flatten()
    })?;
    // The newest keep-alive each pod reports.
    let (pod, key, ms, l) = pods
        .iter()
        .flat_map(|p| {
            s.logs
                .iter()
                .filter(move |l| {
                    !l.previous && l.pod == facts::pod_name(p) && l.namespace == u.namespace
                })
                .flat_map(|l| l.lines.iter())
                .filter_map(move |l| {
                    let (k, ms) = keepalive_ms(&l.text)?;
                    Some((facts::pod_name(p), k, ms, l))
                })
        })
        .last()?;
    if ms >= idle * 1000 {
        return None;
    }
    let iname = ing.metadata.name.as_deref().unwrap_or("?");
    let set = if explicit {
        format!("{ATTRIBUTES}: idle_timeout.timeout_seconds={idle}")
    } else {
        format!("idle_timeout.timeout_seconds={idle} (the ALB default)")
    };
    let title = format!(
        "{}: the server's {key}: {ms} ms is shorter than the load balancer's idle timeout — Ingress {iname} {set}: the server closes idle connections the ALB still reuses, and those requests fail with 502",
        u.service()
    );
    let mut ev = vec![
        line(format!("{pod}: {}", l.text)),
        line(format!("Ingress {}/{iname}: {set}", u.namespace)),
    ];
    // A keep-alive setting an older revision had and the current template lacks.
    ev.extend(dropped_env(s, u).into_iter().map(line));
    let mut f = unit_finding("keepalive_mismatch", u, Severity::High, line(title))
        .with_category(Category::ConfigurationError)
        .with_evidence(ev)
        .with_attr("ingress", iname)
        .with_attr("keepalive_ms", ms)
        .with_attr("idle_timeout_seconds", idle);
    if let Some(at) = l.at {
        f = f.with_attr("onset", at.to_string());
    }
    Some(f)
}

/// `KEEP_ALIVE` env vars an older ReplicaSet of the unit set that the current one does not.
fn dropped_env(s: &Scene, u: &Unit) -> Vec<String> {
    let env_of = |rs: &k8s_openapi::api::apps::v1::ReplicaSet| -> Vec<(String, String)> {
        rs.spec
            .iter()
            .filter_map(|sp| sp.template.as_ref()?.spec.as_ref())
            .flat_map(|ps| ps.containers.iter())
            .flat_map(|c| c.env.iter().flatten())
            .filter(|e| e.name.to_ascii_uppercase().contains("KEEP_ALIVE"))
            .map(|e| (e.name.clone(), e.value.clone().unwrap_or_default()))
            .collect()
    };
    let current: Vec<String> = match &u.workload {
        Some(super::Workload::Deployment(d)) => d
            .spec
            .iter()
            .filter_map(|sp| sp.template.spec.as_ref())
            .flat_map(|ps| ps.containers.iter())
            .flat_map(|c| c.env.iter().flatten())
            .map(|e| e.name.clone())
            .collect(),
        _ => return Vec::new(),
    };
    s.replica_sets
        .iter()
        .filter(|rs| {
            rs.metadata.namespace.as_deref() == Some(u.namespace.as_str())
                && rs.metadata.name.as_deref().is_some_and(|n| {
                    n.strip_prefix(u.name.as_str())
                        .is_some_and(|t| t.starts_with('-'))
                })
        })
        .flat_map(|rs| {
            let name = rs.metadata.name.clone().unwrap_or_default();
            env_of(rs)
                .into_iter()
                .filter(|(k, _)| !current.contains(k))
                .map(move |(k, v)| {
                    format!("ReplicaSet {name} set {k}={v}; the current template no longer sets it")
                })
        })
        .collect()
}
