//! Rollouts: `recent_rollout` (a new ReplicaSet inside the window — or up to two hours before
//! the alert when its pods are the failing ones — with the image change or, for the same image,
//! what in the pod template changed) and `rollout_stuck` (ProgressDeadlineExceeded, or a new
//! ReplicaSet that never became ready).

use super::facts::{self, hms, line, minutes};
use super::{Scene, Unit, Workload, unit_finding};
use crate::target::Kind;
use jiff::{SignedDuration, Timestamp};
use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::api::core::v1::PodTemplateSpec;
use serde_json::Value;
use sremesh_core::{Finding, Severity};

/// How far back a rollout still counts when its pods are the failing ones.
const LOOKBACK_FAILING: SignedDuration = SignedDuration::from_hours(2);

pub fn analyze(s: &Scene) -> Vec<Finding> {
    let mut out = Vec::new();
    for u in &s.units {
        if u.kind != Kind::Deployment {
            continue;
        }
        let rss = history(s, u);
        out.extend(recent(s, u, &rss));
        if let Some(Workload::Deployment(d)) = &u.workload {
            out.extend(stuck(s, u, d, &rss));
        }
    }
    out
}

fn revision(rs: &ReplicaSet) -> i64 {
    rs.metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get("deployment.kubernetes.io/revision"))
        .and_then(|r| r.parse().ok())
        .unwrap_or(0)
}

fn created(rs: &ReplicaSet) -> Option<Timestamp> {
    rs.metadata.creation_timestamp.as_ref().map(|t| t.0)
}

/// The Deployment's ReplicaSets, newest revision first.
pub fn history<'a>(s: &'a Scene, u: &Unit) -> Vec<&'a ReplicaSet> {
    let mut rss: Vec<&ReplicaSet> = s
        .replica_sets
        .iter()
        .filter(|rs| rs.metadata.namespace.as_deref() == Some(u.namespace.as_str()))
        .filter(|rs| {
            rs.metadata
                .owner_references
                .iter()
                .flatten()
                .any(|o| o.kind == "Deployment" && o.name == u.name)
        })
        .collect();
    rss.sort_by_key(|rs| {
        (
            std::cmp::Reverse(revision(rs)),
            std::cmp::Reverse(created(rs)),
        )
    });
    rss
}

fn images(t: Option<&PodTemplateSpec>) -> Vec<String> {
    t.and_then(|t| t.spec.as_ref())
        .map(|sp| {
            sp.containers
                .iter()
                .filter_map(|c| c.image.clone())
                .collect()
        })
        .unwrap_or_default()
}

fn rs_line(rs: &ReplicaSet) -> String {
    let st = rs.status.as_ref();
    let want = rs.spec.as_ref().and_then(|sp| sp.replicas).unwrap_or(0);
    let ready = st.and_then(|st| st.ready_replicas).unwrap_or(0);
    line(format!(
        "revision {} {} created {} image {} — {ready}/{want} ready",
        revision(rs),
        rs.metadata.name.as_deref().unwrap_or("?"),
        created(rs).map(hms).unwrap_or_default(),
        images(rs.spec.as_ref().and_then(|sp| sp.template.as_ref())).join(", ")
    ))
}

/// `repo/name:v1.8.0` → `v1.8.0`.
fn tag(image: &str) -> &str {
    image
        .rsplit_once(':')
        .filter(|(_, t)| !t.contains('/'))
        .map_or(image, |(_, t)| t)
}

fn template_value(t: Option<&PodTemplateSpec>) -> Value {
    let mut v = serde_json::to_value(t).unwrap_or(Value::Null);
    if let Some(labels) = v
        .pointer_mut("/metadata/labels")
        .and_then(Value::as_object_mut)
    {
        labels.remove("pod-template-hash");
    }
    // Containers keyed by name, so a diff reads `containers[api].image`.
    if let Some(cs) = v.pointer_mut("/spec/containers")
        && let Value::Array(items) = cs.take()
    {
        let map: serde_json::Map<String, Value> = items
            .into_iter()
            .map(|c| (c["name"].as_str().unwrap_or("?").to_owned(), c))
            .collect();
        *cs = Value::Object(map);
    }
    v
}

fn short(v: &Value) -> String {
    let s = match v {
        Value::Null => "∅".to_owned(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    sremesh_core::text::truncate(&s, 70)
}

fn walk(path: &str, a: &Value, b: &Value, out: &mut Vec<String>) {
    if out.len() >= 6 || a == b {
        return;
    }
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let mut keys: Vec<&String> = x.keys().chain(y.keys()).collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                let p = if path.is_empty() {
                    k.clone()
                } else if path.ends_with("containers") {
                    format!("{path}[{k}]")
                } else {
                    format!("{path}.{k}")
                };
                walk(
                    &p,
                    x.get(k).unwrap_or(&Value::Null),
                    y.get(k).unwrap_or(&Value::Null),
                    out,
                );
            }
        }
        _ => out.push(line(format!("{path}: {} → {}", short(a), short(b)))),
    }
}

/// What changed between two pod templates, as `path: old → new` lines.
pub fn diff_templates(old: Option<&PodTemplateSpec>, new: Option<&PodTemplateSpec>) -> Vec<String> {
    let mut out = Vec::new();
    walk("", &template_value(old), &template_value(new), &mut out);
    out
}

fn failing(s: &Scene, rs: &ReplicaSet) -> bool {
    let name = rs.metadata.name.as_deref().unwrap_or("");
    s.pods
        .iter()
        .filter(|p| {
            p.metadata
                .owner_references
                .iter()
                .flatten()
                .any(|o| o.name == name)
        })
        .any(|p| {
            !facts::pod_ready(p)
                || facts::statuses(p).any(|c| {
                    facts::last_termination(c)
                        .and_then(|t| t.finished_at.as_ref())
                        .is_some_and(|t| s.in_window(t.0))
                })
        })
}

fn recent(s: &Scene, u: &Unit, rss: &[&ReplicaSet]) -> Option<Finding> {
    let newest = *rss.first()?;
    let at = created(newest)?;
    let lookback_start = s
        .alert_time
        .checked_sub(LOOKBACK_FAILING)
        .unwrap_or(s.window.start);
    let counts =
        s.in_window(at) || (at >= lookback_start && at <= s.window.end && failing(s, newest));
    if !counts || rss.len() < 2 && !s.in_window(at) {
        return None;
    }
    let prev = rss.get(1).copied();
    let new_t = newest.spec.as_ref().and_then(|sp| sp.template.as_ref());
    let old_t = prev.and_then(|p| p.spec.as_ref().and_then(|sp| sp.template.as_ref()));
    let to = images(new_t).join(", ");
    let from = images(old_t).join(", ");
    let mins = minutes(at, s.alert_time);
    let rs_name = newest.metadata.name.clone().unwrap_or_default();
    let when = if mins >= 0 {
        format!("{mins} min before the alert")
    } else {
        format!("{} min after the alert", -mins)
    };
    let diff = diff_templates(old_t, new_t);
    let title = if prev.is_none() {
        format!(
            "{}: new ReplicaSet {rs_name} (image {to}) at {}, {when}",
            u.name,
            hms(at)
        )
    } else if from != to {
        format!(
            "{}: rollout to {} at {}, {when} — image {from} → {to}",
            u.name,
            tag(&to),
            hms(at)
        )
    } else {
        let what: Vec<&str> = diff
            .iter()
            .map(|d| d.split(':').next().unwrap_or(""))
            .take(3)
            .collect();
        let changed = if what.is_empty() {
            String::new()
        } else {
            format!("; pod template changed: {}", what.join(", "))
        };
        format!(
            "{}: rollout at {}, {when} — same image {to}{changed}",
            u.name,
            hms(at),
        )
    };
    let mut ev: Vec<String> = rss.iter().take(3).map(|rs| rs_line(rs)).collect();
    ev.extend(diff.iter().take(4).cloned());
    for e in s
        .recent_events_for("Deployment", &u.namespace, &u.name)
        .filter(|e| facts::event_reason(e) == "ScalingReplicaSet")
        .take(2)
    {
        ev.push(facts::event_line(e));
    }
    let severity = if failing(s, newest) {
        Severity::Medium
    } else {
        Severity::Low
    };
    let mut f = unit_finding("recent_rollout", u, severity, line(title))
        .with_evidence(ev)
        .with_attr("replicaset", rs_name)
        .with_attr("revision", revision(newest))
        .with_attr("to_image", to)
        .with_attr("minutes_before_alert", mins)
        .at(at);
    if prev.is_some() {
        f = f.with_attr("from_image", from);
    }
    Some(f)
}

fn stuck(s: &Scene, u: &Unit, d: &Deployment, rss: &[&ReplicaSet]) -> Option<Finding> {
    let conds = d.status.as_ref().and_then(|st| st.conditions.as_ref());
    let exceeded = conds.into_iter().flatten().find(|c| {
        c.type_ == "Progressing"
            && c.status == "False"
            && c.reason.as_deref() == Some("ProgressDeadlineExceeded")
    });
    let newest = rss.first().copied();
    let deadline = d
        .spec
        .as_ref()
        .and_then(|sp| sp.progress_deadline_seconds)
        .unwrap_or(600);
    let new_unready = newest.filter(|rs| {
        let want = rs.spec.as_ref().and_then(|sp| sp.replicas).unwrap_or(0);
        let ready = rs
            .status
            .as_ref()
            .and_then(|st| st.ready_replicas)
            .unwrap_or(0);
        let old_serving = rss.iter().skip(1).any(|o| {
            o.status
                .as_ref()
                .and_then(|st| st.ready_replicas)
                .unwrap_or(0)
                > 0
        });
        want > 0
            && ready < want
            && old_serving
            && created(rs).is_some_and(|t| minutes(t, s.alert_time) * 60 >= i64::from(deadline))
    });
    if exceeded.is_none() && new_unready.is_none() {
        return None;
    }
    let st = d.status.as_ref();
    let updated = st.and_then(|st| st.updated_replicas).unwrap_or(0);
    let want = d.spec.as_ref().and_then(|sp| sp.replicas).unwrap_or(1);
    let ready = st.and_then(|st| st.ready_replicas).unwrap_or(0);
    let why = match exceeded {
        Some(c) => format!(
            "ProgressDeadlineExceeded: {}",
            c.message.as_deref().unwrap_or("the rollout timed out")
        ),
        None => format!("new ReplicaSet not ready after {deadline}s"),
    };
    let title = format!(
        "{}: rollout stuck — {why} ({updated}/{want} updated, {ready} ready)",
        u.name
    );
    let mut ev: Vec<String> = rss.iter().take(2).map(|rs| rs_line(rs)).collect();
    if let Some(c) = exceeded
        && let Some(t) = c.last_transition_time.as_ref()
    {
        ev.push(format!("Progressing=False since {}", hms(t.0)));
    }
    let mut f = unit_finding("rollout_stuck", u, Severity::Medium, line(title)).with_evidence(ev);
    if let Some(t) = exceeded.and_then(|c| c.last_transition_time.as_ref()) {
        f = f.at(t.0);
    }
    Some(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tpl(v: Value) -> PodTemplateSpec {
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn template_diffs_name_what_changed() {
        let old = tpl(serde_json::json!({
            "metadata": {"labels": {"app": "ledger-api", "pod-template-hash": "a", "helm.sh/chart": "ledger-api-1.7.3"}},
            "spec": {"containers": [{"name": "ledger-api", "image": "r/ledger-api:v4.8.2",
                "livenessProbe": {"httpGet": {"path": "/healthz", "port": 8080}}}]}
        }));
        let new = tpl(serde_json::json!({
            "metadata": {"labels": {"app": "ledger-api", "pod-template-hash": "b", "helm.sh/chart": "ledger-api-2.0.0"}},
            "spec": {"containers": [{"name": "ledger-api", "image": "r/ledger-api:v4.8.2",
                "livenessProbe": {"httpGet": {"path": "/healthz", "port": 8081}}}]}
        }));
        let d = diff_templates(Some(&old), Some(&new));
        assert_eq!(
            d,
            [
                "metadata.labels.helm.sh/chart: ledger-api-1.7.3 → ledger-api-2.0.0",
                "spec.containers[ledger-api].livenessProbe.httpGet.port: 8080 → 8081",
            ]
        );
        assert!(diff_templates(Some(&old), Some(&old)).is_empty());
        assert_eq!(
            tag("123.dkr.ecr.us-east-1.amazonaws.com/payments-api:v1.8.0"),
            "v1.8.0"
        );
        assert_eq!(tag("localhost:5000/app"), "localhost:5000/app");
    }
}
