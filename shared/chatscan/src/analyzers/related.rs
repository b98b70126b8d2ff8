//! `related_alert`: other alert notifications (bots, webhooks) in the window about the same
//! service, resource or alert — folded with counts — and, in a weaker group, alerts about the
//! same namespace or cluster. The alert being investigated is never one of them.

use super::Input;
use crate::classify::{Note, NoteKind};
use crate::evidence::{authors, group_by, lines, minutes_before, quote, relative, slug};
use crate::targets::Strength;
use sremesh_core::{Finding, Severity};

/// How a group of alerts relates to the investigated one.
#[derive(Debug, Clone, PartialEq, Eq)]
enum About {
    /// The same service, resource or alert name.
    Same(String),
    /// The same namespace or product (its datastores, its other workloads).
    Scope(String),
    /// Only the same cluster.
    Cluster(String),
}

pub(super) fn analyze(input: &Input) -> Vec<Finding> {
    let alerts = input.notes.iter().filter(|n| n.kind == NoteKind::Alert);
    group_by(alerts, |n| match n.hit.strength {
        Strength::Direct => About::Same(n.hit.target.name.to_ascii_lowercase()),
        Strength::Cluster => About::Cluster(n.hit.target.name.to_ascii_lowercase()),
        _ => About::Scope(n.hit.target.name.to_ascii_lowercase()),
    })
    .into_iter()
    .map(|(about, notes)| finding(input, &about, &notes))
    .collect()
}

fn finding(input: &Input, about: &About, notes: &[&Note]) -> Finding {
    // Replies (people answering an alert) are evidence, not alerts.
    let alerts: Vec<&&Note> = notes.iter().filter(|n| n.root.is_none()).collect();
    let first = alerts.first().copied().copied().unwrap_or(notes[0]);
    let firing = alerts.iter().filter(|n| !n.resolved).count();
    let resolved = alerts.len() - firing;
    let (scope, name) = match about {
        About::Same(n) => ("same", n),
        About::Scope(n) => ("scope", n),
        About::Cluster(n) => ("cluster", n),
    };
    let on = match about {
        About::Same(_) => first.hit.target.name.clone(),
        About::Scope(_) => format!("namespace/product {}", first.hit.target.name),
        About::Cluster(_) => format!("the same cluster {}", first.hit.target.name),
    };
    let more = match alerts.len() {
        0 | 1 => String::new(),
        n => format!(", {} alert(s) in all", n),
    };
    // The latest notification closing it: the alert is over (`OK:` after `ALARM:`).
    let last = alerts.iter().max_by_key(|n| n.msg.at);
    let recovered_at = last.filter(|n| n.resolved).map(|n| n.msg.at);
    let state = match (firing, recovered_at) {
        (0, _) => "resolved",
        (_, Some(_)) => "fired, then resolved",
        _ => "firing",
    };
    let title = format!(
        "Related alert on {on}: {} ({}, {state}, {}{more})",
        quote(&first.msg.text),
        first.msg.author,
        relative(input.alert_time, first.msg.at),
    );
    let severity = match about {
        About::Same(_) if firing > 0 => Severity::Medium,
        _ => Severity::Low,
    };
    let mut f = Finding::new(
        format!("related_alert:{scope}:{}", slug(name)),
        "related_alert",
        severity,
        title,
    )
    .with_evidence(lines(&input.channels, notes))
    .with_resource(format!("channel:{}", first.msg.channel))
    .at(first.msg.at)
    .with_attr("source", first.msg.author.clone())
    .with_attr("sources", authors(notes))
    .with_attr("count", alerts.len().max(1))
    .with_attr("firing", firing)
    .with_attr("resolved", resolved)
    .with_attr("match", scope)
    .with_attr(
        "minutes_before_alert",
        minutes_before(input.alert_time, first.msg.at),
    )
    .with_attr("noise", notes.iter().any(|n| n.noise))
    .with_attr("recovered", recovered_at.is_some());
    if let Some(r) = recovered_at {
        f = f.with_attr("recovered_at", r.to_string());
    }
    if let Some(s) = first
        .hit
        .service()
        .filter(|_| first.hit.strength == Strength::Direct)
    {
        f = f.with_service(s);
    }
    if let Some(l) = &first.msg.link {
        f = f.with_link(l.clone());
    }
    f
}
