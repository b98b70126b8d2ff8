//! `lb_healthcheck_failing`: an Ingress routes to the target through an AWS load balancer whose
//! health check (`alb.ingress.kubernetes.io/healthcheck-path`, `success-codes`) asks for a path
//! the pods answer with an error — their access log shows `GET <path>` from
//! `ELB-HealthChecker/2.0` answered 404 — while the kubelet's probes on another path succeed: the
//! pods are Ready, the load balancer marks every target unhealthy and answers 503.

use super::facts::{self, line};
use super::{Scene, Unit, unit_finding};
use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::api::networking::v1::Ingress;
use regex::Regex;
use sremesh_core::{Category, Finding, Severity};
use std::sync::LazyLock;

/// The health-check path annotation of the AWS Load Balancer Controller.
pub const PATH_ANNOTATION: &str = "alb.ingress.kubernetes.io/healthcheck-path";
const CODES_ANNOTATION: &str = "alb.ingress.kubernetes.io/success-codes";

/// An access-log request line: method, path, status.
static REQUEST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#""(?:GET|HEAD) (\S+) HTTP/[\d.]+" (\d{3})\b"#).expect("static regex")
});
/// A load balancer's health checker (`ELB-HealthChecker/2.0`).
static CHECKER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"ELB-HealthChecker/[\d.]+").expect("static regex"));

pub fn analyze(s: &Scene) -> Vec<Finding> {
    s.units.iter().filter_map(|u| failing(s, u)).collect()
}

/// The Services an Ingress sends traffic to.
pub fn backends(i: &Ingress) -> Vec<&str> {
    let Some(spec) = i.spec.as_ref() else {
        return Vec::new();
    };
    let rules = spec
        .rules
        .iter()
        .flatten()
        .filter_map(|r| r.http.as_ref())
        .flat_map(|h| &h.paths)
        .map(|p| &p.backend);
    spec.default_backend
        .iter()
        .chain(rules)
        .filter_map(|b| b.service.as_ref().map(|s| s.name.as_str()))
        .collect()
}

/// True when the Service `name` in `ns` selects `p`.
pub fn selects(s: &Scene, ns: &str, name: &str, p: &Pod) -> bool {
    let labels = p.metadata.labels.as_ref();
    s.services.iter().any(|svc| {
        svc.metadata.namespace.as_deref().is_none_or(|n| n == ns)
            && svc.metadata.name.as_deref() == Some(name)
            && svc
                .spec
                .as_ref()
                .and_then(|sp| sp.selector.as_ref())
                .is_some_and(|sel| {
                    !sel.is_empty()
                        && sel
                            .iter()
                            .all(|(k, v)| labels.and_then(|l| l.get(k)) == Some(v))
                })
    })
}

/// True when `code` is in the ALB matcher (`200`, `200,204`, `200-299`).
fn success(code: u16, matcher: &str) -> bool {
    matcher.split(',').any(|m| match m.trim().split_once('-') {
        Some((a, b)) => {
            a.trim().parse().is_ok_and(|a: u16| code >= a)
                && b.trim().parse().is_ok_and(|b: u16| code <= b)
        }
        None => m.trim().parse() == Ok(code),
    })
}

/// The finding for one unit, if its load balancer's health check fails on it.
pub fn failing(s: &Scene, u: &Unit) -> Option<Finding> {
    let pods: Vec<&Pod> = s.pods_of(u).collect();
    let (ing, path) = s.ingresses.iter().find_map(|i| {
        let ns = i.metadata.namespace.as_deref().unwrap_or(&u.namespace);
        if ns != u.namespace {
            return None;
        }
        let path = i.metadata.annotations.as_ref()?.get(PATH_ANNOTATION)?;
        backends(i)
            .iter()
            .any(|b| pods.iter().any(|p| selects(s, ns, b, p)))
            .then_some((i, path.as_str()))
    })?;
    let matcher = ing
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(CODES_ANNOTATION))
        .map(String::as_str)
        .unwrap_or("200");
    // Health checks on that path the pods answered with a code outside the matcher.
    let mut failed: Vec<(&str, &super::LogLine, u16)> = Vec::new();
    let mut probe_ok: Option<(&str, &super::LogLine, String)> = None;
    for p in &pods {
        for log in s
            .logs
            .iter()
            .filter(|l| !l.previous && l.pod == facts::pod_name(p) && l.namespace == u.namespace)
        {
            for l in &log.lines {
                let Some(c) = REQUEST.captures(&l.text) else {
                    continue;
                };
                let code: u16 = c[2].parse().unwrap_or(0);
                let req_path = c[1].split('?').next().unwrap_or(&c[1]);
                if CHECKER.is_match(&l.text) && req_path == path && !success(code, matcher) {
                    failed.push((facts::pod_name(p), l, code));
                } else if l.text.contains("kube-probe/")
                    && req_path != path
                    && success(code, "200-399")
                {
                    probe_ok = Some((facts::pod_name(p), l, req_path.to_owned()));
                }
            }
        }
    }
    let (_, last, code) = *failed.last()?;
    let checker = CHECKER
        .find(&last.text)
        .map(|m| m.as_str())
        .unwrap_or("ELB-HealthChecker");
    let ing_name = ing.metadata.name.as_deref().unwrap_or_default();
    let mut failing_pods: Vec<&str> = failed.iter().map(|f| f.0).collect();
    failing_pods.sort();
    failing_pods.dedup();
    let mut title = format!(
        "{}: load balancer health check fails — Ingress {ing_name} sets {PATH_ANNOTATION}: {path} (success codes {matcher}), the pods answer {checker} GET {path} with {code} (×{} on {}/{} pods)",
        u.service(),
        failed.len(),
        failing_pods.len(),
        pods.len(),
    );
    if let Some((_, _, probe)) = &probe_ok {
        title.push_str(&format!(
            " while the kubelet's probe on {probe} succeeds: every target unhealthy although the pods are Ready"
        ));
    }
    let mut ev = vec![format!(
        "ingress/{ing_name} annotation {PATH_ANNOTATION}: {path}, {CODES_ANNOTATION}: {matcher}"
    )];
    if let Some((first_pod, first, _)) = failed.first()
        && !std::ptr::eq(*first, last)
    {
        ev.push(line(format!("{first_pod}: {}", first.text)));
    }
    ev.push(line(format!("{}: {}", failed.last()?.0, last.text)));
    if let Some((pod, l, _)) = &probe_ok {
        ev.push(line(format!("{pod}: {}", l.text)));
    }
    let mut f = unit_finding("lb_healthcheck_failing", u, Severity::High, line(title))
        .with_category(Category::ConfigurationError)
        .with_evidence(ev)
        .with_attr("ingress", ing_name.to_owned())
        .with_attr("healthcheck_path", path.to_owned())
        .with_attr("status", code)
        .with_attr("count", failed.len());
    if let Some((_, _, probe)) = probe_ok {
        f = f.with_attr("probe_path", probe);
    }
    if let Some(at) = last.at {
        f = f.at(at).with_attr("last_seen", at.to_string());
    }
    Some(f)
}
