//! `deploy_announced`: a person or a CI/CD bot announcing a deploy, rollout or release of the
//! alerted service — with the version and how long before the alert, so the master can connect
//! "deployed 4 min before" to a crash. A deploy of another service is never reported here.

use super::Input;
use crate::classify::{Note, NoteKind};
use crate::evidence::{authors, group_by, lines, minutes_before, relative, slug};
use crate::targets::Strength;
use sremesh_core::{Finding, Severity};

pub(super) fn analyze(input: &Input) -> Vec<Finding> {
    let deploys = input.notes.iter().filter(|n| n.kind == NoteKind::Deploy);
    let mut groups = group_by(deploys, |n| {
        (
            n.hit.strength == Strength::Direct,
            n.hit.subject.to_ascii_lowercase(),
        )
    });
    // A product-word announcement ("search is going out, v2.3.1") of the version a direct
    // announcement names joins it.
    let mut i = 0;
    while i < groups.len() {
        let (direct, _) = &groups[i].0;
        let target = (!direct)
            .then(|| first_version(&groups[i].1))
            .flatten()
            .and_then(|v| {
                groups
                    .iter()
                    .position(|((d, _), ns)| *d && first_version(ns).as_deref() == Some(v.as_str()))
            });
        match target {
            Some(j) => {
                let (_, moved) = groups.remove(i);
                let j = if j > i { j - 1 } else { j };
                groups[j].1.extend(moved);
                groups[j].1.sort_by_key(|n| n.msg.at);
            }
            None => i += 1,
        }
    }
    groups
        .into_iter()
        .map(|((direct, subject), notes)| finding(input, direct, &subject, &notes))
        .collect()
}

fn first_version(notes: &[&Note]) -> Option<String> {
    notes.iter().find_map(|n| n.version.clone())
}

fn finding(input: &Input, direct: bool, subject: &str, notes: &[&Note]) -> Finding {
    let first = notes[0];
    let version = first_version(notes);
    let mut versions: Vec<String> = Vec::new();
    for v in notes.iter().filter_map(|n| n.version.clone()) {
        if !versions.contains(&v) {
            versions.push(v);
        }
    }
    let mins = minutes_before(input.alert_time, first.msg.at);
    let when = relative(input.alert_time, first.msg.at);
    let name = if direct {
        first.hit.target.name.clone()
    } else {
        subject.to_owned()
    };
    let what = match &version {
        Some(v) => format!("{name} {v}"),
        None => name.clone(),
    };
    let source = format!(
        "{}, {}",
        input.channels.label(&first.msg.channel),
        first.msg.author
    );
    let title = if direct {
        format!("{what} deploy announced {when} ({source})")
    } else {
        format!("Deploy of {what} announced {when} ({source}; names the product, not the service)")
    };
    let suspicious = direct && (-5..=120).contains(&mins);
    let severity = if suspicious {
        Severity::Medium
    } else {
        Severity::Low
    };
    let id = match &version {
        Some(v) => format!("deploy_announced:{}@{}", slug(&name), v),
        None => format!("deploy_announced:{}", slug(&name)),
    };
    let mut f = Finding::new(id, "deploy_announced", severity, title)
        .with_evidence(lines(&input.channels, notes))
        .with_resource(format!("channel:{}", first.msg.channel))
        .at(first.msg.at)
        .with_attr("minutes_before_alert", mins)
        .with_attr("source", first.msg.author.clone())
        .with_attr("channel", input.channels.label(&first.msg.channel))
        .with_attr("count", notes.len())
        .with_attr("announced_by", authors(notes))
        .with_attr("completed", notes.iter().any(|n| n.done));
    if let Some(v) = version {
        f = f.with_attr("version", v);
    }
    if versions.len() > 1 {
        f = f.with_attr("versions", versions);
    }
    if let Some(s) = first.hit.service().filter(|_| direct) {
        f = f.with_service(s);
    }
    if let Some(l) = &first.msg.link {
        f = f.with_link(l.clone());
    }
    f
}
