//! Assembling the incident report from the agents' outcomes: hypotheses, severity, services,
//! summary, impact, actions, links and the cost line.

use crate::alert::AlertInfo;
use crate::outcome::Outcome;
use crate::{actions, hypotheses};
use sremesh_core::{
    AgentResult, AlertContext, Category, EvidenceState, Link, Report, Severity, Telemetry,
};

/// Builds the report for the outcomes known now (some may still be pending).
pub fn build(ctx: &AlertContext, outcomes: &[Outcome]) -> Report {
    let alert = AlertInfo::from_context(ctx);
    let results: Vec<&AgentResult> = outcomes.iter().filter_map(Outcome::result).collect();
    let missing: Vec<_> = outcomes.iter().filter_map(Outcome::missing).collect();
    let hypotheses = hypotheses::rank(&alert, ctx.alert_time, &results, &missing);
    let evidence: Vec<_> = outcomes.iter().map(Outcome::block).collect();
    let mut cost = Telemetry::default();
    for o in outcomes {
        if let crate::outcome::AgentState::Done(r) = &o.state {
            cost.absorb(&r.telemetry);
            if cost.model.is_none() {
                cost.model.clone_from(&r.telemetry.model);
            }
        }
    }
    let mut report = Report {
        investigation_id: ctx.investigation_id.clone(),
        alert_text: ctx.alert_text.clone(),
        severity: Severity::Low,
        affected_services: Vec::new(),
        detected_at: ctx.alert_time,
        summary: String::new(),
        hypotheses,
        evidence,
        impact: String::new(),
        actions: Vec::new(),
        links: Vec::new(),
        cost,
        complete: !outcomes
            .iter()
            .any(|o| o.state == crate::outcome::AgentState::Pending),
    };
    let top = report.hypotheses[0].clone();
    let cited: Vec<_> = top
        .citations
        .iter()
        .filter_map(|c| report.finding(c).cloned())
        .collect();
    report.severity = match top.category {
        Category::Healthy => Severity::Info,
        _ => cited
            .iter()
            .map(|f| f.severity)
            .max()
            .unwrap_or(Severity::Low),
    };
    let mut services: Vec<String> = cited
        .iter()
        .filter(|f| f.kind != "target_healthy" || top.category == Category::Healthy)
        .filter_map(|f| f.service.clone())
        .filter(|s| !s.is_empty())
        .collect();
    services.dedup();
    services.sort();
    services.dedup();
    report.affected_services = services;
    let answered = outcomes
        .iter()
        .filter(|o| matches!(o.state, crate::outcome::AgentState::Done(_)))
        .count();
    let asked = outcomes
        .iter()
        .filter(|o| {
            !matches!(
                o.state,
                crate::outcome::AgentState::Disabled | crate::outcome::AgentState::Skipped(_)
            )
        })
        .count();
    let pending = outcomes
        .iter()
        .filter(|o| o.state == crate::outcome::AgentState::Pending)
        .count();
    report.summary = format!(
        "{} ({} confidence). {answered}/{asked} agents answered{}.",
        top.title,
        top.confidence_label(),
        if pending > 0 {
            format!("; {pending} still investigating")
        } else {
            String::new()
        }
    );
    report.impact = impact(&report, &top);
    report.actions = actions::recommend(&report, &top);
    report.links = links(&report);
    report
}

fn impact(report: &Report, top: &sremesh_core::Hypothesis) -> String {
    if top.category == Category::Healthy {
        return "No active user-facing impact found.".into();
    }
    let heavy: Vec<String> = report
        .evidence
        .iter()
        .filter(|b| b.state == EvidenceState::Ok)
        .flat_map(|b| b.findings.iter())
        .filter(|f| {
            f.severity >= Severity::High && f.category.is_some_and(|c| c != Category::Healthy)
        })
        .map(|f| sremesh_core::text::truncate(&f.title, 160))
        .take(4)
        .collect();
    if heavy.is_empty() {
        "No high-severity findings; impact unclear from the available evidence.".into()
    } else {
        format!("High-impact findings: {}", heavy.join("; "))
    }
}

fn links(report: &Report) -> Vec<Link> {
    let mut out: Vec<Link> = Vec::new();
    for b in &report.evidence {
        for f in &b.findings {
            if let Some(url) = &f.link
                && !out.iter().any(|l| &l.url == url)
            {
                out.push(Link {
                    label: sremesh_core::text::truncate(&f.title, 80),
                    url: url.clone(),
                });
            }
        }
    }
    out.truncate(6);
    out
}
