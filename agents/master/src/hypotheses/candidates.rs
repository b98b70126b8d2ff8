//! Scoring single findings and grouping them by (category, service).

use super::{Ev, Group};
use crate::alert::AlertInfo;
use sremesh_core::{Category, Finding, Severity};

/// Kinds that are context, not failures: they explain or corroborate, never stand alone.
pub(crate) const CONTEXT_KINDS: &[&str] = &[
    "recent_rollout",
    "deploy_announced",
    "change_announced",
    "change_logged",
    "alert_history",
    "provider_incident",
    "related_alert",
    "human_report",
    "already_handled",
    "target_not_found",
    "no_log_groups",
    "logs_quiet",
    "target_healthy",
];

/// Failures that carry no category of their own (the cause is elsewhere or not yet known).
const UNCATEGORISED_FAILURES: &[&str] = &[
    "crash_loop",
    "probe_failed",
    "not_ready",
    "rollout_stuck",
    "log_pattern",
    "log_signature",
    "lambda_error",
    "job_failed",
    "hpa_unhealthy",
];

pub(crate) fn is_context(f: &Finding) -> bool {
    CONTEXT_KINDS.contains(&f.kind.as_str())
}

fn severity_weight(s: Severity) -> f64 {
    match s {
        Severity::Critical => 1.0,
        Severity::High => 0.8,
        Severity::Medium => 0.5,
        Severity::Low => 0.25,
        Severity::Info => 0.1,
    }
}

/// How specific a kind (or, for log findings, its signature) is about the cause.
fn specificity(f: &Finding) -> f64 {
    let signature = f
        .attributes
        .get("signature")
        .and_then(|v| v.as_str())
        .unwrap_or("");
    match f.kind.as_str() {
        "service_no_endpoints" | "network_policy_blocks" => 1.3,
        "oom_killed" | "image_pull" | "config_missing" | "quota_exceeded" => 1.25,
        "volume_attach_failed" | "drain_blocked" | "cronjob_duplicate" => 1.25,
        "cpu_starved" => 1.2,
        "job_failed" | "addon_unhealthy" | "hpa_unhealthy" => 1.15,
        "scheduling_failed" | "node_not_ready" => 1.2,
        "lambda_timeout" => 1.15,
        "node_pressure" | "crash_loop" => 1.1,
        "evicted" | "probe_failed" => 1.0,
        "log_pattern" | "log_signature" | "lambda_error" => match signature {
            "too_many_clients" | "oom" | "datastore_full" => 1.25,
            "throttling" | "pool_exhausted" | "disk_full" | "rate_limited" => 1.15,
            "dns_failure" | "tls_error" | "data_error" | "config_error" => 1.1,
            "code_defect" | "permission_denied" => 1.05,
            "unreachable" => 1.0,
            "connection_refused" | "connection_reset" => 0.9,
            "timeout" | "lambda_timeout" => 0.85,
            "http_5xx" => 0.6,
            "" => 0.7,
            // Any other known signature names a specific failure.
            _ => 1.1,
        },
        _ => 0.9,
    }
}

/// How much a log-based finding's occurrence count supports it: a line seen once is a weak
/// signal, a repeated one a pattern. Findings that are not counted lines are not weighed here.
fn recurrence(f: &Finding) -> f64 {
    if f.attributes.get("weak").and_then(|v| v.as_bool()) == Some(true) {
        return 0.6;
    }
    if !matches!(
        f.kind.as_str(),
        "log_pattern" | "log_signature" | "lambda_error"
    ) {
        return 1.0;
    }
    match f.attributes.get("count").and_then(|v| v.as_u64()) {
        Some(0 | 1) => 0.6,
        Some(2) => 0.8,
        Some(3 | 4) => 0.9,
        _ => 1.0,
    }
}

/// New in the window scores up; constant noise (present before too) scores far down.
fn novelty(f: &Finding) -> (f64, Option<&'static str>) {
    let flag = |k: &str| f.attributes.get(k).and_then(|v| v.as_bool());
    if flag("noise") == Some(true) {
        return (
            0.3,
            Some("present before the incident too (constant noise)"),
        );
    }
    match (flag("new"), flag("surging")) {
        (Some(true), _) => (1.15, None),
        (_, Some(true)) => (1.1, None),
        (Some(false), Some(false)) | (Some(false), None) => (
            0.35,
            Some("present before the incident too (constant noise)"),
        ),
        _ => (1.0, None),
    }
}

/// Relevance to the alert: a finding about the alerted service counts more, one about a
/// service the alert does not name (while it names another that has findings) counts less —
/// unless it says which other findings it explains (a datastore's fault behind the alerted
/// service's errors: the cause is meant to live elsewhere).
fn relevance(alert: &AlertInfo, f: &Finding, alerted_services: bool) -> (f64, Option<String>) {
    let explains = f
        .attributes
        .get("explains")
        .and_then(|v| v.as_array())
        .is_some_and(|a| !a.is_empty());
    match f.service.as_deref() {
        Some(s) if alert.mentions(s) => (1.3, None),
        Some(_) if explains => (1.0, None),
        Some(s) if alerted_services => (0.55, Some(format!("about {s}, not the alerted service"))),
        _ => (1.0, None),
    }
}

/// The category a failure finding stands for (`Unknown` for uncategorised failures); `None`
/// for context and healthy findings.
pub(crate) fn category_of(f: &Finding) -> Option<Category> {
    if is_context(f) || f.category == Some(Category::Healthy) {
        return None;
    }
    // A symptom its specialist has tied to a cause (`symptom_of`) is not a candidate of its
    // own: the cause's finding lists it in `explains`.
    if f.category.is_none() && f.attributes.contains_key("symptom_of") {
        return None;
    }
    match f.category {
        Some(c) => Some(c),
        None if UNCATEGORISED_FAILURES.contains(&f.kind.as_str())
            && f.severity >= Severity::Medium =>
        {
            Some(Category::Unknown)
        }
        None => None,
    }
}

/// The join key of a finding: its service, else its resource.
pub(crate) fn service_key(f: &Finding) -> String {
    f.service
        .clone()
        .or_else(|| f.resource.clone())
        .unwrap_or_default()
}

/// One group per (category, service) over every failure finding, each member scored.
pub(crate) fn group<'a>(alert: &AlertInfo, evidence: &[Ev<'a>]) -> Vec<Group<'a>> {
    let alerted_services = evidence
        .iter()
        .any(|e| e.f.service.as_deref().is_some_and(|s| alert.mentions(s)));
    let mut groups: Vec<Group<'a>> = Vec::new();
    for e in evidence {
        let Some(category) = category_of(e.f) else {
            continue;
        };
        let (nov, nov_why) = novelty(e.f);
        let (rel, rel_why) = relevance(alert, e.f, alerted_services);
        let mut score =
            severity_weight(e.f.severity) * specificity(e.f) * nov * rel * recurrence(e.f);
        if category == Category::Unknown {
            score *= 0.6;
        }
        let key = service_key(e.f);
        let idx = match groups
            .iter()
            .position(|g| g.category == category && g.service == key)
        {
            Some(i) => i,
            None => {
                groups.push(Group {
                    category,
                    service: key,
                    members: Vec::new(),
                    context: Vec::new(),
                    notes: Vec::new(),
                    bonus: 0.0,
                    demoted: None,
                    strong: false,
                    weak: Vec::new(),
                    score: 0.0,
                });
                groups.len() - 1
            }
        };
        let g = &mut groups[idx];
        g.members.push((*e, score));
        match nov_why.map(str::to_owned).or(rel_why) {
            Some(why) => g.weak.push(why),
            None => g.strong = true,
        }
    }
    for g in &mut groups {
        // A group is demoted only when none of its findings is both new and relevant.
        if !g.strong {
            g.demoted = g.weak.first().cloned();
        }
        g.finish();
    }
    groups
}
