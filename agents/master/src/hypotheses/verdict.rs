//! The verdict: a failure hypothesis when the evidence names one, "healthy" when it says nothing
//! is wrong now (an always-firing alert, a target that is fine or has recovered), "unknown" with
//! what is missing when it is thin. Also the hypotheses' text, confidence and ruled-out list.

use super::candidates::is_context;
use super::{Ev, Group, Missing, ts_attr};
use crate::alert::AlertInfo;
use jiff::Timestamp;
use sremesh_core::{Category, Citation, Hypothesis};

/// Below this score a failure group does not make a cause on its own.
const FAILURE_THRESHOLD: f64 = 0.3;

fn hhmm(t: Timestamp) -> String {
    t.strftime("%H:%M UTC").to_string()
}

fn upper_first(s: &str) -> String {
    let mut c = s.chars();
    c.next().map_or_else(String::new, |f| {
        f.to_uppercase().collect::<String>() + c.as_str()
    })
}

pub(crate) fn decide<'a>(
    alert: &AlertInfo,
    alert_time: Timestamp,
    evidence: &[Ev<'a>],
    mut groups: Vec<Group<'a>>,
    missing: &[Missing],
) -> Vec<Hypothesis> {
    let healthy: Vec<Ev<'a>> = evidence
        .iter()
        .filter(|e| e.f.kind == "target_healthy" || e.f.category == Some(Category::Healthy))
        .copied()
        .collect();
    let quiet: Vec<Ev<'a>> = evidence
        .iter()
        .filter(|e| e.f.kind == "logs_quiet")
        .copied()
        .collect();
    let recovered_at = healthy
        .iter()
        .filter_map(|e| ts_attr(e, "recovered_at"))
        .max();
    let health = Health {
        evidence,
        fixes: &[],
        operations: &[],
        alert_recovery: None,
        planned: None,
        removed: None,
        healthy: &healthy,
        quiet: &quiet,
        recovered_at,
    };

    // Failures that stopped before the target recovered belong to a past incident.
    if let Some(rec) = recovered_at {
        for g in &mut groups {
            let last = g
                .members
                .iter()
                .filter_map(|(e, _)| ts_attr(e, "last_seen").or(e.f.at))
                .max();
            if last.is_some_and(|l| l <= rec) {
                g.score *= 0.3;
                g.demoted = Some(format!("stopped before the recovery at {}", hhmm(rec)));
            }
        }
        groups.sort_by(|a, b| b.score.total_cmp(&a.score));
    }

    // Failures that began before a rollout of their service and stopped with it were fixed
    // by it (the target being healthy now says the fix holds).
    let mut fixes: Vec<Ev<'a>> = Vec::new();
    if !healthy.is_empty() {
        for g in &mut groups {
            if g.demoted.is_some() {
                continue;
            }
            if let Some(fix) = fixed_by_rollout(g, evidence, alert_time) {
                g.score *= 0.3;
                g.demoted = Some(format!(
                    "stopped after the rollout at {}",
                    fix.f.at.map_or_else(String::new, hhmm)
                ));
                if !fixes.iter().any(|x| x.f.id == fix.f.id) {
                    fixes.push(fix);
                }
            }
        }
        groups.sort_by(|a, b| b.score.total_cmp(&a.score));
    }
    // Failures inside a managed operation reported done (a failover), silent since.
    let operations = super::operations::explain(evidence, &mut groups, alert_time);
    // The alert's own latest notification closed it, and no error is active.
    let alert_recovery = super::operations::alert_recovered(evidence).filter(|_| !quiet.is_empty());
    // A planned activity on the alerted service, in progress at the alert.
    let planned = super::operations::planned_activity(alert, evidence);
    // The errors are a removed endpoint answering its last callers, by design.
    let removed = super::operations::removed_endpoint(evidence);
    let health = Health {
        fixes: &fixes,
        operations: &operations,
        alert_recovery,
        planned,
        removed,
        ..health
    };

    let best = groups.first().map_or(0.0, |g| g.score);
    let healthy_score = if healthy.is_empty() {
        0.0
    } else {
        0.75 + if quiet.is_empty() { 0.0 } else { 0.15 }
            + if recovered_at.is_some() { 0.1 } else { 0.0 }
    };
    let mut out = Vec::new();
    let mut top_from_group = false;
    let no_failure = groups.is_empty()
        || best < FAILURE_THRESHOLD
        || (!healthy.is_empty() && best < healthy_score);
    let external = external_provider(evidence).filter(|_| no_failure);
    if alert.is_always_firing() {
        out.push(healthy_hypothesis(alert, &health, &groups, missing, 0.9));
    } else if let Some(p) = external {
        out.push(provider_hypothesis(p, &health, &groups, missing));
    } else if !healthy.is_empty() && (groups.is_empty() || best < healthy_score) {
        let conf = (0.55 + healthy_score * 0.3 - best * 0.2).clamp(0.35, 0.9);
        out.push(healthy_hypothesis(alert, &health, &groups, missing, conf));
    } else if (!operations.is_empty()
        && groups
            .iter()
            .all(|g| g.demoted.is_some() || g.score < FAILURE_THRESHOLD))
        || (best < FAILURE_THRESHOLD
            && (alert_recovery.is_some() || planned.is_some() || removed.is_some()))
    {
        // Failures over with a managed operation, the alert's own recovery, a planned
        // activity on the service in progress, or a removed endpoint's answers, while nothing
        // fails.
        out.push(healthy_hypothesis(alert, &health, &groups, missing, 0.6));
    } else if best >= FAILURE_THRESHOLD {
        let second = groups
            .get(1)
            .map_or(0.0, |g| g.score)
            .max(healthy_score * 0.5);
        out.push(failure_hypothesis(
            &groups[0],
            &groups[1..],
            &healthy,
            missing,
            confidence(&groups[0], second),
        ));
        top_from_group = true;
    } else {
        out.push(unknown_hypothesis(evidence, &groups, missing));
    }
    // Alternatives, best first (a failure group already on top is not repeated).
    let top_is_failure = top_from_group;
    for (i, g) in groups
        .iter()
        .enumerate()
        .skip(usize::from(top_from_group))
        .take(3)
    {
        let others: Vec<Group<'a>> = groups
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != i)
            .map(|(_, g)| g.clone())
            .collect();
        let second = others.first().map_or(0.0, |o| o.score);
        out.push(failure_hypothesis(
            g,
            &others,
            &healthy,
            missing,
            confidence(g, second.max(best)) * 0.8,
        ));
    }
    if top_is_failure && !healthy.is_empty() {
        out.push(healthy_hypothesis(alert, &health, &groups, missing, 0.15));
    }
    let _ = alert_time;
    out
}

fn confidence(g: &Group<'_>, second: f64) -> f64 {
    let strength = (g.score / 1.6).min(1.0);
    let margin = if g.score > 0.0 {
        (1.0 - second / g.score).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let agents = g.agents().len();
    let c = 0.25 + 0.45 * strength + 0.15 * margin + if agents > 1 { 0.1 } else { 0.0 }
        - if g.demoted.is_some() { 0.2 } else { 0.0 };
    c.clamp(0.1, 0.95)
}

fn citations<'a>(evs: impl IntoIterator<Item = Ev<'a>>) -> Vec<Citation> {
    let mut out: Vec<Citation> = Vec::new();
    for e in evs {
        let c = e.citation();
        if !out.contains(&c) {
            out.push(c);
        }
    }
    out
}

fn missing_lines(missing: &[Missing]) -> Vec<String> {
    missing
        .iter()
        .map(|m| {
            format!(
                "{} could not contribute ({}): its evidence was not weighed",
                m.agent, m.why
            )
        })
        .collect()
}

fn failure_hypothesis<'a>(
    g: &Group<'a>,
    others: &[Group<'a>],
    healthy: &[Ev<'a>],
    missing: &[Missing],
    confidence: f64,
) -> Hypothesis {
    let Some(primary) = g.primary() else {
        return unknown_hypothesis(&[], others, missing);
    };
    let label = if g.category == Category::Unknown {
        "Unidentified failure"
    } else {
        g.category.label()
    };
    let title = format!(
        "{}: {}",
        upper_first(label),
        primary.f.title.trim_end_matches('.')
    );
    let mut explanation = format!("{}.", primary.f.title.trim_end_matches('.'));
    let also: Vec<String> = g
        .members
        .iter()
        .skip(1)
        .take(3)
        .map(|(e, _)| format!("{} ({})", e.f.title.trim_end_matches('.'), e.agent))
        .collect();
    if !also.is_empty() {
        explanation.push_str(&format!(" Also seen: {}.", also.join("; ")));
    }
    for n in &g.notes {
        explanation.push(' ');
        explanation.push_str(n);
    }
    if let Some(why) = &g.demoted {
        explanation.push_str(&format!(" Weak evidence: {why}."));
    }
    let mut ruled_out: Vec<String> = others
        .iter()
        .take(4)
        .filter_map(|o| {
            let p = o.primary()?;
            let why = o
                .demoted
                .clone()
                .unwrap_or_else(|| "weaker or less specific evidence".to_owned());
            Some(format!(
                "{} — {}: {why}",
                o.category.label(),
                p.f.title.trim_end_matches('.')
            ))
        })
        .collect();
    if let Some(h) = healthy.first() {
        ruled_out.push(format!(
            "healthy — {}: contradicted by {}",
            h.f.title.trim_end_matches('.'),
            primary.f.title.trim_end_matches('.')
        ));
    }
    ruled_out.extend(missing_lines(missing));
    Hypothesis {
        category: g.category,
        title,
        explanation,
        confidence,
        citations: citations(
            g.members
                .iter()
                .map(|(e, _)| *e)
                .take(6)
                .chain(g.context.iter().copied().take(2)),
        ),
        ruled_out,
    }
}

/// What the evidence says about health: the findings of a healthy target, quiet logs, when the
/// target recovered, and everything else (to find what explains the alert).
#[derive(Clone, Copy)]
pub(crate) struct Health<'e, 'a> {
    pub evidence: &'e [Ev<'a>],
    /// Rollouts after which the failures stopped.
    pub fixes: &'e [Ev<'a>],
    /// Managed operations, reported done, that the failures fell within.
    pub operations: &'e [Ev<'a>],
    /// The alert's own recovery notification.
    pub alert_recovery: Option<Ev<'a>>,
    /// A planned activity in progress at the alert (a load test).
    pub planned: Option<Ev<'a>>,
    /// A removed endpoint answering `410 Gone` to the few clients still calling it.
    pub removed: Option<Ev<'a>>,
    pub healthy: &'e [Ev<'a>],
    pub quiet: &'e [Ev<'a>],
    pub recovered_at: Option<Timestamp>,
}

fn healthy_hypothesis<'a>(
    alert: &AlertInfo,
    health: &Health<'_, 'a>,
    groups: &[Group<'a>],
    missing: &[Missing],
    confidence: f64,
) -> Hypothesis {
    let Health {
        evidence,
        fixes,
        operations,
        alert_recovery,
        planned,
        removed,
        healthy,
        quiet,
        recovered_at,
    } = *health;
    let explainers = explainers(alert, evidence, healthy);
    let name = alert.name.clone().unwrap_or_else(|| "the alert".to_owned());
    let title = if alert.is_always_firing() {
        format!("No active failure: {name} is an always-firing heartbeat alert")
    } else if let Some(rec) = recovered_at {
        format!(
            "Recovered: healthy again since {} — no active failure now",
            hhmm(rec)
        )
    } else if let Some(t) = super::operations::healthy_title(operations, alert_recovery) {
        t
    } else if let Some(p) = planned.filter(|_| healthy.is_empty()) {
        super::operations::planned_title(&p)
    } else if let Some(r) = removed.filter(|_| healthy.is_empty()) {
        format!("No active failure: {}", r.f.title.trim_end_matches('.'))
    } else {
        format!(
            "No active failure: {}",
            healthy.first().map_or_else(
                || "the alerted service looks healthy".to_owned(),
                |h| h.f.title.trim_end_matches('.').to_owned()
            )
        )
    };
    let mut explanation = String::new();
    if alert.is_always_firing() {
        explanation.push_str(&format!("{name} fires all the time by design (it proves the alerting pipeline works); its arrival here is a routing issue, not an incident. "));
    }
    for h in healthy.iter().take(3) {
        explanation.push_str(&format!("{}. ", h.f.title.trim_end_matches('.')));
    }
    for q in quiet.iter().take(2) {
        explanation.push_str(&format!("{}. ", q.f.title.trim_end_matches('.')));
    }
    if healthy.is_empty() && quiet.is_empty() && !alert.is_always_firing() {
        explanation.push_str("No agent found an active failure. ");
    }
    for e in fixes.iter().take(2) {
        explanation.push_str(&format!(
            "The errors stopped after a rollout: {}. ",
            e.f.title.trim_end_matches('.')
        ));
    }
    for e in operations.iter().take(2) {
        explanation.push_str(&format!(
            "The failures fell within a managed operation reported done, and stopped with it: {}. ",
            e.f.title.trim_end_matches('.')
        ));
    }
    if let Some(r) = alert_recovery {
        explanation.push_str(&format!(
            "The alert recovered on its own: {}. ",
            r.f.title.trim_end_matches('.')
        ));
    }
    if let Some(r) = removed {
        explanation.push_str(&format!(
            "The errors are a removed endpoint answering the few clients still calling it: {}. ",
            r.f.title.trim_end_matches('.')
        ));
    }
    for e in explainers.iter().take(3) {
        explanation.push_str(&format!(
            "What explains the alert: {}. ",
            e.f.title.trim_end_matches('.')
        ));
    }
    let ruled_out: Vec<String> = groups
        .iter()
        .take(4)
        .filter_map(|g| {
            let p = g.primary()?;
            let why = g
                .demoted
                .clone()
                .unwrap_or_else(|| "not enough to explain the alert".to_owned());
            Some(format!(
                "{} — {}: {why}",
                g.category.label(),
                p.f.title.trim_end_matches('.')
            ))
        })
        .chain(missing_lines(missing))
        .collect();
    Hypothesis {
        category: Category::Healthy,
        title,
        explanation: explanation.trim().to_owned(),
        confidence,
        citations: citations(
            healthy
                .iter()
                .copied()
                .chain(operations.iter().copied())
                .chain(alert_recovery)
                .chain(removed)
                .chain(fixes.iter().copied())
                .chain(explainers.iter().copied())
                .chain(quiet.iter().copied())
                .take(8),
        ),
        ruled_out,
    }
}

/// Context that explains a healthy verdict: a planned activity or change announced, a node
/// reboot, someone already handling it — about the alerted service (or naming no service).
fn explainers<'a>(alert: &AlertInfo, evidence: &[Ev<'a>], healthy: &[Ev<'a>]) -> Vec<Ev<'a>> {
    let targets: Vec<&str> = healthy
        .iter()
        .filter_map(|h| h.f.service.as_deref())
        .filter(|s| !s.is_empty())
        .collect();
    evidence
        .iter()
        .filter(|e| {
            matches!(
                e.f.kind.as_str(),
                "change_announced"
                    | "change_logged"
                    | "node_rebooted"
                    | "already_handled"
                    | "alert_history"
                    | "provider_incident"
            ) || (e.f.kind == "evicted"
                && e.f.attributes.get("reason").and_then(|v| v.as_str())
                    == Some("node_interrupted"))
                || (e.f.kind == "related_alert"
                    && e.f.attributes.get("match").and_then(|v| v.as_str()) == Some("same")
                    && e.f.attributes.get("recovered").and_then(|v| v.as_bool()) == Some(true))
        })
        .filter(|e| match e.f.service.as_deref() {
            None | Some("") => true,
            Some(s) => {
                alert.mentions(s) || targets.iter().any(|t| super::rules::same_service(t, s))
            }
        })
        .copied()
        .collect()
}

/// An external provider's open incident that explains the alert while nothing of ours fails: a
/// status post from a vendor other than the one that sent the alert, not resolved, with an alert
/// that is not merely flapping (a monitor flapping with its own vendor's incident is noise).
fn external_provider<'a>(evidence: &[Ev<'a>]) -> Option<Ev<'a>> {
    let flag = |e: &Ev<'_>, k: &str| e.f.attributes.get(k).and_then(|v| v.as_bool()) == Some(true);
    if evidence
        .iter()
        .any(|e| e.f.kind == "alert_history" && flag(e, "flapping"))
    {
        return None;
    }
    evidence
        .iter()
        .filter(|e| e.f.kind == "provider_incident")
        .filter(|e| !flag(e, "resolved") && !flag(e, "same_vendor"))
        // Not about the alert's words: only a failure naming the provider ties it in.
        .filter(|e| {
            e.f.attributes
                .get("matches_alert")
                .and_then(|v| v.as_bool())
                != Some(false)
        })
        .max_by_key(|e| (e.f.severity, e.f.at))
        .copied()
}

fn provider_hypothesis<'a>(
    p: Ev<'a>,
    health: &Health<'_, 'a>,
    groups: &[Group<'a>],
    missing: &[Missing],
) -> Hypothesis {
    let mut explanation = format!("{}.", p.f.title.trim_end_matches('.'));
    let ours: Vec<String> = health
        .healthy
        .iter()
        .chain(health.quiet.iter())
        .take(3)
        .map(|e| e.f.title.trim_end_matches('.').to_owned())
        .collect();
    if ours.is_empty() {
        explanation.push_str(" No failure of our own was found.");
    } else {
        explanation.push_str(&format!(" Nothing of ours fails: {}.", ours.join("; ")));
    }
    let ruled_out = groups
        .iter()
        .take(4)
        .filter_map(|g| {
            let primary = g.primary()?;
            Some(format!(
                "{} — {}: {}",
                g.category.label(),
                primary.f.title.trim_end_matches('.'),
                g.demoted
                    .clone()
                    .unwrap_or_else(|| "not enough to explain the alert".to_owned())
            ))
        })
        .chain(missing_lines(missing))
        .collect();
    Hypothesis {
        category: Category::DependencyFailure,
        title: format!(
            "Dependency failure: an external provider's incident — {}",
            p.f.title.trim_end_matches('.')
        ),
        explanation,
        confidence: 0.55,
        citations: citations(
            std::iter::once(p)
                .chain(health.healthy.iter().copied())
                .chain(health.quiet.iter().copied())
                .take(6),
        ),
        ruled_out,
    }
}

/// The rollout of the group's service that its failures began before and stopped with: they
/// were seen before it, last seen no later than 10 minutes after it (old pods draining), and not
/// for the last 5 minutes. Needs `last_seen` on every member (else "stopped" is a guess).
fn fixed_by_rollout<'a>(
    g: &Group<'a>,
    evidence: &[Ev<'a>],
    alert_time: Timestamp,
) -> Option<Ev<'a>> {
    if g.members
        .iter()
        .any(|(e, _)| ts_attr(e, "last_seen").is_none())
    {
        return None;
    }
    let (onset, last) = (g.onset()?, g.last_seen()?);
    if alert_time.duration_since(last).as_secs() < 300 {
        return None;
    }
    evidence
        .iter()
        .filter(|e| e.f.kind == "recent_rollout")
        .filter(|e| {
            let svc = super::candidates::service_key(e.f);
            super::rules::same_service(&g.service, &svc)
                || g.members.iter().any(|(m, _)| {
                    super::rules::same_service(&super::candidates::service_key(m.f), &svc)
                })
        })
        .find(|e| {
            e.f.at.is_some_and(|r| {
                let after = last.duration_since(r).as_secs();
                onset < r && (-60..=600).contains(&after)
            })
        })
        .copied()
}

fn unknown_hypothesis<'a>(
    evidence: &[Ev<'a>],
    groups: &[Group<'a>],
    missing: &[Missing],
) -> Hypothesis {
    let mut explanation = String::from("The evidence does not name a cause.");
    let notes: Vec<&str> = evidence
        .iter()
        .filter(|e| {
            is_context(e.f) && matches!(e.f.kind.as_str(), "target_not_found" | "no_log_groups")
        })
        .map(|e| e.f.title.as_str())
        .collect();
    for n in notes.iter().take(3) {
        explanation.push_str(&format!(" {}.", n.trim_end_matches('.')));
    }
    if !missing.is_empty() {
        let names: Vec<&str> = missing.iter().map(|m| m.agent.as_str()).collect();
        explanation.push_str(&format!(" Missing: {} could not answer.", names.join(", ")));
    }
    if let Some(g) = groups.first().and_then(|g| g.primary()) {
        explanation.push_str(&format!(
            " The strongest signal, too weak to call a cause: {}.",
            g.f.title.trim_end_matches('.')
        ));
    }
    Hypothesis {
        category: Category::Unknown,
        title: "Cause not identified: not enough evidence".to_owned(),
        explanation,
        confidence: 0.2,
        citations: citations(groups.iter().filter_map(|g| g.primary().copied()).take(3)),
        ruled_out: missing_lines(missing),
    }
}
