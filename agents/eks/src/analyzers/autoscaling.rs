//! `hpa_unhealthy`: the target's HorizontalPodAutoscaler cannot scale — `AbleToScale` or
//! `ScalingActive` False, or warnings such as `FailedGetResourceMetric`,
//! `FailedComputeMetricsReplicas`, `FailedGetScale` — with the literal reason. A metrics
//! pipeline that does not answer (metrics-server or an adapter down) is infrastructure; a pod
//! without the resource request the metric needs, or a scale target that does not exist, is
//! configuration.

use super::addons::{addon_of, unhealthy};
use super::facts::{self, hms, line};
use super::{Scene, Unit, unit_finding};
use crate::target::Kind;
use jiff::Timestamp;
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::core::v1::Event;
use sremesh_core::{Category, Finding, Severity};

pub fn analyze(s: &Scene) -> Vec<Finding> {
    s.units
        .iter()
        .flat_map(|u| hpas_of(s, u).map(move |h| (u, h)))
        .filter_map(|(u, h)| hpa(s, u, h))
        .collect()
}

/// The HPAs that scale the unit.
pub fn hpas_of<'a>(
    s: &'a Scene,
    u: &'a Unit,
) -> impl Iterator<Item = &'a HorizontalPodAutoscaler> + 'a {
    let kind = match u.kind {
        Kind::Deployment => "Deployment",
        Kind::StatefulSet => "StatefulSet",
        _ => "",
    };
    s.hpas.iter().filter(move |h| {
        h.metadata.namespace.as_deref() == Some(u.namespace.as_str())
            && h.spec.as_ref().is_some_and(|sp| {
                sp.scale_target_ref.kind == kind && sp.scale_target_ref.name == u.name
            })
    })
}

/// A failing HPA condition: (type, reason, message, since).
fn failing_condition(
    h: &HorizontalPodAutoscaler,
) -> Option<(String, String, String, Option<Timestamp>)> {
    h.status
        .as_ref()?
        .conditions
        .as_ref()?
        .iter()
        .filter(|c| c.status == "False")
        .filter(|c| c.type_ == "AbleToScale" || c.type_ == "ScalingActive")
        // Scaled to zero on purpose.
        .find(|c| c.reason.as_deref() != Some("ScalingDisabled"))
        .map(|c| {
            (
                c.type_.clone(),
                c.reason.clone().unwrap_or_default(),
                c.message.clone().unwrap_or_default(),
                c.last_transition_time.as_ref().map(|t| t.0),
            )
        })
}

const FAILED_REASONS: &[&str] = &[
    "FailedGetResourceMetric",
    "FailedGetContainerResourceMetric",
    "FailedGetPodsMetric",
    "FailedGetObjectMetric",
    "FailedGetExternalMetric",
    "FailedComputeMetricsReplicas",
    "FailedGetScale",
    "FailedRescale",
    "FailedUpdateStatus",
];

fn warnings<'a>(s: &'a Scene, h: &'a HorizontalPodAutoscaler) -> Vec<&'a Event> {
    let ns = h.metadata.namespace.as_deref().unwrap_or("");
    let name = h.metadata.name.as_deref().unwrap_or("");
    let mut evs: Vec<&Event> = s
        .recent_events_for("HorizontalPodAutoscaler", ns, name)
        .filter(|e| FAILED_REASONS.contains(&facts::event_reason(e)))
        .collect();
    evs.sort_by_key(|e| std::cmp::Reverse(facts::event_count(e)));
    evs
}

/// What a failure message says about the cause, and a short phrase for it.
fn cause(reason: &str, message: &str) -> (Option<Category>, &'static str) {
    let m = message.to_ascii_lowercase();
    if m.contains("missing request for") {
        return (
            Some(Category::ConfigurationError),
            "the pods lack the resource request the metric needs",
        );
    }
    if reason == "FailedGetScale" || (m.contains("scale") && m.contains("not found")) {
        return (
            Some(Category::ConfigurationError),
            "its scale target cannot be read",
        );
    }
    if m.contains("did not receive metrics for") {
        return (None, "no metrics for its pods (are they Ready?)");
    }
    let pipeline = [
        "unable to fetch metrics",
        "unable to get metrics",
        "metrics api",
        "metrics.k8s.io",
        "currently unable to handle the request",
        "could not find the requested resource",
        "no metrics returned",
    ];
    if pipeline.iter().any(|p| m.contains(p)) {
        return (
            Some(Category::Infrastructure),
            "the metrics API does not answer",
        );
    }
    (None, "")
}

/// Why the unit's HPA cannot get metrics from the metrics API, if it cannot (for the add-on
/// analyzer: metrics-server down is then the target's problem).
pub fn metrics_failure(s: &Scene, u: &Unit) -> Option<String> {
    hpas_of(s, u).find_map(|h| {
        let (reason, msg) = failing_condition(h)
            .map(|(_, r, m, _)| (r, m))
            .or_else(|| {
                warnings(s, h).first().map(|e| {
                    (
                        facts::event_reason(e).to_owned(),
                        facts::event_message(e).to_owned(),
                    )
                })
            })?;
        (cause(&reason, &msg).0 == Some(Category::Infrastructure))
            .then(|| format!("{reason}: {}", sremesh_core::text::truncate(&msg, 160)))
    })
}

/// `ScalingLimited` True because demand wants more than `maxReplicas`: the HPA works, the
/// ceiling binds (context, no cause on its own).
fn maxed_out(u: &Unit, h: &HorizontalPodAutoscaler) -> Option<Finding> {
    let c = h.status.as_ref()?.conditions.as_ref()?.iter().find(|c| {
        c.type_ == "ScalingLimited"
            && c.status == "True"
            && c.reason.as_deref() == Some("TooManyReplicas")
    })?;
    let name = h.metadata.name.clone().unwrap_or_default();
    let max = h.spec.as_ref().map_or(0, |sp| sp.max_replicas);
    let current = h
        .status
        .as_ref()
        .and_then(|st| st.current_replicas)
        .unwrap_or(0);
    let since = c.last_transition_time.as_ref().map(|t| t.0);
    let title = format!(
        "{}: HPA {name} at its maximum {current}/{max} replicas — ScalingLimited=True (TooManyReplicas){}",
        u.name,
        since
            .map(|t| format!(" since {}", hms(t)))
            .unwrap_or_default()
    );
    let mut f = unit_finding("hpa_unhealthy", u, Severity::Medium, line(title))
        .with_resource(format!("hpa/{}/{name}", u.namespace))
        .with_evidence(vec![line(format!(
            "condition ScalingLimited=True TooManyReplicas: {}",
            c.message.as_deref().unwrap_or("")
        ))])
        .with_attr("hpa", name.clone())
        .with_attr("reason", "TooManyReplicas")
        .with_attr("limited", true);
    f.id = format!("hpa_unhealthy:{}/{name}", u.namespace);
    if let Some(t) = since {
        f = f.with_attr("onset", t.to_string()).at(t);
    }
    Some(f)
}

fn hpa(s: &Scene, u: &Unit, h: &HorizontalPodAutoscaler) -> Option<Finding> {
    let cond = failing_condition(h);
    let evs = warnings(s, h);
    if cond.is_none() && evs.is_empty() {
        return maxed_out(u, h);
    }
    let name = h.metadata.name.clone().unwrap_or_default();
    let (reason, message) = match (&cond, evs.first()) {
        (Some((_, r, m, _)), _) => (r.clone(), m.clone()),
        (None, Some(e)) => (
            facts::event_reason(e).to_owned(),
            facts::event_message(e).to_owned(),
        ),
        (None, None) => return None,
    };
    let (mut category, phrase) = cause(&reason, &message);
    // Every event says the same thing a different way; the condition's reason, else the
    // events', decides.
    if category.is_none() {
        for e in &evs {
            if let (Some(c), _) = cause(facts::event_reason(e), facts::event_message(e)) {
                category = Some(c);
                break;
            }
        }
    }
    let metrics_server: Vec<String> = s
        .addon_pods
        .iter()
        .filter(|p| addon_of(p) == Some("metrics-server") && unhealthy(p))
        .map(|p| {
            let w = facts::statuses(p)
                .find_map(facts::waiting)
                .map_or("not Ready", |(r, _)| r);
            format!("{} {w}", facts::pod_name(p))
        })
        .collect();
    let st = h.status.as_ref();
    let sp = h.spec.as_ref();
    let since = cond.as_ref().and_then(|c| c.3);
    let mut title = format!("{}: HPA {name} cannot scale — ", u.name);
    match &cond {
        Some((ty, r, _, _)) => title.push_str(&format!("{ty}=False ({r})")),
        None => title.push_str(&reason),
    }
    if !phrase.is_empty() {
        title.push_str(&format!(": {phrase}"));
    }
    if let Some(st) = st {
        title.push_str(&format!(
            ", stuck at {} replicas (max {})",
            st.current_replicas.unwrap_or(0),
            sp.map_or(0, |sp| sp.max_replicas)
        ));
    }
    if let Some(t) = since {
        title.push_str(&format!(" since {}", hms(t)));
    }
    let pipeline_down = category == Some(Category::Infrastructure) && !metrics_server.is_empty();
    if pipeline_down {
        title.push_str(&format!("; metrics-server: {}", metrics_server.join(", ")));
    }
    let mut ev = Vec::new();
    if let Some((ty, r, m, t)) = &cond {
        ev.push(line(format!(
            "condition {ty}=False {r}: {m}{}",
            t.map(|t| format!(" (since {})", hms(t)))
                .unwrap_or_default()
        )));
    }
    for e in evs.iter().take(3) {
        ev.push(facts::event_line(e));
    }
    if let (Some(st), Some(sp)) = (st, sp) {
        ev.push(format!(
            "replicas: current {}, desired {}, min {}, max {}",
            st.current_replicas.unwrap_or(0),
            st.desired_replicas,
            sp.min_replicas.unwrap_or(1),
            sp.max_replicas
        ));
    }
    if pipeline_down {
        ev.push(line(format!(
            "kube-system/metrics-server: {}",
            metrics_server.join(", ")
        )));
    }
    let severity = if category.is_some() {
        Severity::High
    } else {
        Severity::Medium
    };
    let mut f = unit_finding("hpa_unhealthy", u, severity, line(title))
        .with_resource(format!("hpa/{}/{name}", u.namespace))
        .with_evidence(ev)
        .with_attr("hpa", name.clone())
        .with_attr("reason", reason);
    f.id = format!("hpa_unhealthy:{}/{name}", u.namespace);
    if let Some(c) = category {
        f = f.with_category(c);
    }
    let onset = since.or_else(|| evs.iter().filter_map(|e| facts::event_first(e)).min());
    if let Some(t) = onset {
        f = f.with_attr("onset", t.to_string()).at(t);
    }
    if let Some(t) = evs.iter().filter_map(|e| facts::event_last(e)).max() {
        f = f.with_attr("last_seen", t.to_string());
    }
    Some(f)
}
