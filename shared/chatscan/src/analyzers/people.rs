//! `human_report` (people reporting impact on the alert's service or namespace) and
//! `already_handled` (someone on it, rolled back, resolved). A person's guess at a cause ("is it
//! the database?") is at most a report line: it is quoted, never turned into a cause.

use super::Input;
use crate::classify::{Note, NoteKind};
use crate::evidence::{authors, group_by, lines, minutes_before, quote, relative, slug};
use crate::targets::Strength;
use crate::vocab;
use sremesh_core::text::contains_word;
use sremesh_core::{Finding, Severity};

pub(super) fn reports(input: &Input) -> Vec<Finding> {
    // A thread someone calls old or known ("those are old") is kept apart from fresh reports.
    let noisy_thread = |i: usize| {
        input
            .notes
            .iter()
            .enumerate()
            .any(|(j, n)| n.noise && (j == i || n.root == Some(i)))
    };
    let notes = input
        .notes
        .iter()
        .enumerate()
        .filter(|(_, n)| n.kind == NoteKind::Report)
        .map(|(i, n)| (noisy_thread(n.root.unwrap_or(i)), n));
    let mut groups: Vec<((String, bool), Vec<&Note>)> = Vec::new();
    for (noise, n) in notes {
        let key = (n.hit.subject.to_ascii_lowercase(), noise);
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, v)) => v.push(n),
            None => groups.push((key, vec![n])),
        }
    }
    groups
        .into_iter()
        .map(|((subject, noise), notes)| report(input, &subject, noise, &notes))
        .collect()
}

fn report(input: &Input, subject: &str, noise: bool, notes: &[&Note]) -> Finding {
    let first = notes[0];
    let people = authors(notes);
    let who = match people.len() {
        1 => people[0].clone(),
        n => format!("{n} people"),
    };
    let mut title = format!(
        "{who} report{} impact on {subject} {} ({}): {}",
        if people.len() == 1 { "s" } else { "" },
        relative(input.alert_time, first.msg.at),
        input.channels.label(&first.msg.channel),
        quote(&first.msg.text),
    );
    if noise {
        title.push_str(" — said to be old or known");
    }
    let severity = if noise { Severity::Info } else { Severity::Low };
    let id = if noise {
        format!("human_report:{}:known", slug(subject))
    } else {
        format!("human_report:{}", slug(subject))
    };
    let mut f = Finding::new(id, "human_report", severity, title)
        .with_evidence(lines(&input.channels, notes))
        .with_resource(format!("channel:{}", first.msg.channel))
        .at(first.msg.at)
        .with_attr("count", notes.len())
        .with_attr("people", people)
        .with_attr("subject", subject)
        .with_attr(
            "minutes_before_alert",
            minutes_before(input.alert_time, first.msg.at),
        )
        .with_attr("noise", noise);
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

pub(super) fn handled(input: &Input) -> Vec<Finding> {
    let notes = input.notes.iter().filter(|n| n.kind == NoteKind::Handled);
    group_by(notes, |n| n.hit.subject.to_ascii_lowercase())
        .into_iter()
        .map(|(subject, notes)| handled_finding(input, &subject, &notes))
        .collect()
}

/// What one handling message says was done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Action {
    OnIt,
    Fixed,
    Resolved,
    RolledBack,
}

fn action(n: &Note) -> Action {
    let text = n.msg.text.as_str();
    let any = |ws: &[&str]| ws.iter().any(|w| contains_word(text, w));
    if any(&[
        "rolled back",
        "rolling back",
        "rollback done",
        "reverted",
        "reverting",
    ]) {
        Action::RolledBack
    } else if vocab::is_recovery(text) || any(&["resolved", "mitigated"]) {
        Action::Resolved
    } else if n.version.is_some() || any(&["fixed", "hotfix", "hotfixed", "patched"]) {
        Action::Fixed
    } else {
        Action::OnIt
    }
}

fn handled_finding(input: &Input, subject: &str, notes: &[&Note]) -> Finding {
    let actions: Vec<Action> = notes.iter().map(|n| action(n)).collect();
    let has = |a: Action| actions.contains(&a);
    let top = actions.iter().copied().max().unwrap_or(Action::OnIt);
    let what = match top {
        Action::RolledBack => "Rolled back",
        Action::Resolved if has(Action::Fixed) => "Fixed and reported resolved",
        Action::Resolved => "Reported resolved",
        Action::Fixed => "Reported fixed",
        Action::OnIt => "Someone is on it",
    };
    // The message that says what was done (the rollback, the fix), and the latest one.
    let key_at = actions
        .iter()
        .position(|a| *a == Action::RolledBack)
        .or_else(|| actions.iter().position(|a| *a == Action::Fixed))
        .unwrap_or(notes.len() - 1);
    let key = notes[key_at];
    let last = notes[notes.len() - 1];
    let mut title = format!(
        "{what}: {} ({}, {}, {})",
        quote(&key.msg.text),
        input.channels.label(&key.msg.channel),
        key.msg.author,
        relative(input.alert_time, key.msg.at),
    );
    if !std::ptr::eq(key, last) {
        title.push_str(&format!(
            "; then {} ({})",
            quote(&last.msg.text),
            relative(input.alert_time, last.msg.at)
        ));
    }
    let wire = match top {
        Action::RolledBack => "rolled_back",
        Action::Resolved => "resolved",
        Action::Fixed => "fixed",
        Action::OnIt => "on_it",
    };
    let mut f = Finding::new(
        format!("already_handled:{}", slug(subject)),
        "already_handled",
        Severity::Info,
        title,
    )
    .with_evidence(lines(&input.channels, notes))
    .with_resource(format!("channel:{}", last.msg.channel))
    .at(notes[0].msg.at)
    .with_attr("by", authors(notes))
    .with_attr("action", wire)
    .with_attr("fixed", has(Action::Fixed))
    .with_attr("recovered", has(Action::Resolved))
    .with_attr("subject", subject)
    .with_attr(
        "minutes_before_alert",
        minutes_before(input.alert_time, last.msg.at),
    );
    if let Some(v) = notes.iter().find_map(|n| n.version.clone()) {
        f = f.with_attr("version", v);
    }
    if let Some(s) = last
        .hit
        .service()
        .filter(|_| last.hit.strength == Strength::Direct)
    {
        f = f.with_service(s);
    }
    if let Some(l) = &key.msg.link {
        f = f.with_link(l.clone());
    }
    f
}
